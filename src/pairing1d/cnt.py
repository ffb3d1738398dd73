r"""A carbon nanotube as the spinless secondary (Appendix A): bands, single-band windows, Fermi momentum.

Low-energy zig-zag nanotube with spin-orbit coupling and an axial flux, Eq. (A1); its eight bands, Eq. (A2),

.. math::
    E_{\sigma\nu\pm}(k) = -\mu \pm \sqrt{(\hbar v_F k)^2 + (\nu\Delta_0 + \sigma\Delta_{so} + \Delta_\Phi)^2},
    \qquad \sigma, \nu = \pm 1 .

Band :math:`(\sigma,\nu)` has the gap :math:`m_{\sigma\nu} = |\nu\Delta_0 + \sigma\Delta_{so} + \Delta_\Phi|`; its
conduction branch crosses the Fermi level when :math:`\mu > m_{\sigma\nu}` (particle-like), its valence branch when
:math:`\mu < -m_{\sigma\nu}` (hole-like), at :math:`\hbar v_F k_F = \sqrt{\mu^2 - m_{\sigma\nu}^2}`. A single
spin- and valley-polarized band is what the model's spinless secondary needs.

Units: energies in meV, velocities in m/s, momenta in 1/m.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .model import ModelError, lstar_from_momenta

__all__ = ["HBAR_MEV_S", "CNT", "FIG8", "BandCrossing", "bands", "crossing", "single_band_map"]

HBAR_MEV_S = 6.582119569e-13
"""Reduced Planck constant in meV s (CODATA 2018)."""


@dataclass(frozen=True)
class CNT:
    """Parameters of Eq. (A1): Fermi velocity (m/s), curvature gap, spin-orbit and flux energies (meV)."""

    vF: float = 8e5
    delta0: float = 4.0
    delta_so: float = 1.0
    delta_phi: float = 0.5

    def __post_init__(self) -> None:
        for name in ("vF", "delta0", "delta_so", "delta_phi"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ModelError(f"{name} = {value!r} is not a finite real number (Eq. (A2))")
        if self.vF <= 0:
            raise ModelError(f"vF = {self.vF!r} is outside the allowed range (0, inf) m/s (Eq. (A2))")
        if self.delta0 <= self.delta_so:
            raise ModelError(f"delta0 = {self.delta0!r} is outside the allowed range (delta_so, inf) meV "
                             "(Appendix A assumes Delta_0 > Delta_so)")

    def gaps(self) -> dict[tuple[int, int], float]:
        """Gap m_(sigma, nu) of each of the four spin-valley bands, meV."""
        return {(s, v): abs(v * self.delta0 + s * self.delta_so + self.delta_phi) for s in (1, -1) for v in (1, -1)}


FIG8 = CNT()
"""The parameters of the Fig. 8 caption (its mu is -3 meV)."""


def bands(cnt: CNT, mu: float, k: np.ndarray) -> dict[tuple[int, int, int], np.ndarray]:
    """The eight bands of Eq. (A2) on momenta ``k`` (1/m), in meV, keyed by (sigma, nu, branch = +1 | -1)."""
    hvk = HBAR_MEV_S * cnt.vF * np.asarray(k, dtype=float)
    return {(s, v, b): -mu + b * np.sqrt(hvk**2 + m**2) for (s, v), m in cnt.gaps().items() for b in (1, -1)}


@dataclass(frozen=True)
class BandCrossing:
    """What crosses the Fermi level at chemical potential ``mu``: number of bands, and for a single band its
    spin, valley, character and Fermi momentum (1/m); the secondary's k is -k_fermi when hole-like."""

    mu: float
    bands_crossing: int
    single_band: bool
    hole_like: bool | None
    sigma: int | None
    nu: int | None
    k_fermi: float | None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def k_secondary(self) -> float | None:
        """Signed secondary Fermi momentum of Eq. (7): negative for a hole-like band (Sec. II B)."""
        if self.k_fermi is None:
            return None
        return -self.k_fermi if self.hole_like else self.k_fermi

    def lstar(self, kF_primary: float, alpha0: float) -> tuple[float, float]:
        """(lstar1, lstar2) of Eq. (15) for a primary wire with Fermi momentum kF (1/m) and cutoff alpha0 (m)."""
        if self.k_secondary is None:
            raise ModelError(f"mu = {self.mu:g} meV does not leave a single band at the Fermi level "
                             f"({self.bands_crossing} cross); Eq. (15) needs one secondary Fermi momentum")
        return lstar_from_momenta(kF_primary, self.k_secondary, alpha0)


def crossing(cnt: CNT, mu: float) -> BandCrossing:
    """Bands crossing the Fermi level at ``mu`` (meV), and the single band's Fermi momentum."""
    if not isinstance(mu, int | float) or not math.isfinite(mu):
        raise ModelError(f"mu = {mu!r} is not a finite real number (chemical potential in meV, Eq. (A2))")
    found = []
    for (s, v), m in cnt.gaps().items():
        if mu > m:
            found.append((s, v, False, m))
        if mu < -m:
            found.append((s, v, True, m))
    if len(found) == 1:
        s, v, hole, m = found[0]
        k = math.sqrt(mu * mu - m * m) / (HBAR_MEV_S * cnt.vF)
        return BandCrossing(mu=mu, bands_crossing=1, single_band=True, hole_like=hole, sigma=s, nu=v, k_fermi=k)
    return BandCrossing(mu=mu, bands_crossing=len(found), single_band=False, hole_like=None, sigma=None, nu=None,
                        k_fermi=None)


def single_band_map(cnt: CNT, mu: np.ndarray, delta_phi: np.ndarray) -> np.ndarray:
    """Number of bands crossing the Fermi level on the grid (delta_phi, mu): shape (len(delta_phi), len(mu)).

    Signed: +n for particle-like crossings only, -n for hole-like only (the single-band windows are +-1)."""
    mu = np.asarray(mu, dtype=float)[None, :]
    out = np.zeros((len(delta_phi), mu.shape[1]), dtype=int)
    for i, dphi in enumerate(delta_phi):
        gaps = np.array(list(CNT(cnt.vF, cnt.delta0, cnt.delta_so, float(dphi)).gaps().values()))[:, None]
        particles = (mu > gaps).sum(axis=0)
        holes = (mu < -gaps).sum(axis=0)
        out[i] = np.where(holes > 0, -holes, particles)
    return out
