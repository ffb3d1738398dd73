r"""A carbon nanotube as the spinless secondary (Appendix A): bands, single-band windows, Fermi momentum.

Low-energy zig-zag nanotube with spin-orbit coupling and an axial flux, Eq. (A1); its eight bands, Eq. (A2),

.. math::
    E_{\sigma\nu\pm}(k) = -\mu + \sigma\frac{E_Z}{2} \pm \sqrt{(\hbar v_F k)^2 + (\nu\Delta_0 + \sigma\Delta_{so}
    + \Delta_\Phi)^2}, \qquad \sigma, \nu = \pm 1 ,

with the Zeeman energy :math:`E_Z = g\mu_BB` of a field along the axis (0 in Eq. A2, which absorbs the Zeeman-like
spin-orbit term into :math:`\Delta_{so}`; a real field brings both :math:`\Delta_\Phi = \mu_{\rm orb}B` and
:math:`E_Z`, :mod:`pairing1d.devices.device`). Band :math:`(\sigma,\nu)` sees the chemical potential
:math:`\mu_\sigma = \mu - \sigma E_Z/2`.

Band :math:`(\sigma,\nu)` has the gap :math:`m_{\sigma\nu} = |\nu\Delta_0 + \sigma\Delta_{so} + \Delta_\Phi|`; its
conduction branch crosses the Fermi level when :math:`\mu_\sigma > m_{\sigma\nu}` (particle-like), its valence branch
when :math:`\mu_\sigma < -m_{\sigma\nu}` (hole-like), at :math:`\hbar v_F k_F = \sqrt{\mu_\sigma^2 - m_{\sigma\nu}^2}`,
with the band velocity :math:`v = v_F\sqrt{\mu_\sigma^2 - m_{\sigma\nu}^2}/|\mu_\sigma|` (slow near the band
edge: that is what makes the secondary strongly correlated). A single
spin- and valley-polarized band is what the model's spinless secondary needs.

Units: energies in meV, velocities in m/s, momenta in 1/m.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ..support.errors import ModelError
from ..theory.model import lstar_from_momenta
from .units import HBAR_MEV_S as _HBAR_MEV_S

__all__ = ["HBAR_MEV_S", "CNT", "FIG8", "BandCrossing", "bands", "crossing", "single_band_map"]

HBAR_MEV_S = _HBAR_MEV_S
"""Reduced Planck constant in meV s (from :mod:`scipy.constants`, via :mod:`pairing1d.devices.units`)."""


VF_RANGE = (1e3, 299_792_458.0)
"""Allowed Fermi velocities, m/s: from a very slow band to (not including) the speed of light; a velocity of
1e-320 m/s divided k_F by zero."""
MAX_ENERGY_MEV = 1e4
"""Largest absolute value of an energy of Eq. (A2) accepted, meV (10 eV: every nanotube scale is below an eV)."""


@dataclass(frozen=True)
class CNT:
    """Parameters of Eq. (A1): Fermi velocity (m/s), curvature gap, spin-orbit, flux and Zeeman energies (meV)."""

    vF: float = 8e5
    delta0: float = 4.0
    delta_so: float = 1.0
    delta_phi: float = 0.5
    zeeman: float = 0.0

    def __post_init__(self) -> None:
        for name in ("vF", "delta0", "delta_so", "delta_phi", "zeeman"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ModelError(f"{name} = {value!r} is not a finite real number (Eq. (A2))")
        low, high = VF_RANGE
        if not low <= self.vF < high:
            raise ModelError(f"vF = {self.vF!r} is outside the allowed range [{low:g}, {high:g}) m/s (Eq. (A2): a "
                             "Fermi velocity, below the speed of light)")
        for name in ("delta0", "delta_so", "delta_phi", "zeeman"):
            if abs(getattr(self, name)) > MAX_ENERGY_MEV:
                raise ModelError(f"{name} = {getattr(self, name)!r} is outside the allowed range [-{MAX_ENERGY_MEV:g}, "
                                 f"{MAX_ENERGY_MEV:g}] meV (Eq. (A2): nanotube band energies are below an eV)")
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
    return {(s, v, b): -mu + s * cnt.zeeman / 2 + b * np.sqrt(hvk**2 + m**2) for (s, v), m in cnt.gaps().items()
            for b in (1, -1)}


@dataclass(frozen=True)
class BandCrossing:
    """What crosses the Fermi level at chemical potential ``mu``: number of bands, and for a single band its
    spin, valley, character, Fermi momentum (1/m) and band velocity (m/s); the secondary's k is -k_fermi when
    hole-like. With no band, ``edge_distance`` (meV) is how far ``mu`` lies from the nearest band edge (the
    :math:`|m_{\\rm sec}-\\mu_{\\rm sec}|` of Eq. (B1)); ``reason`` says in words why it is not a single band."""

    mu: float
    bands_crossing: int
    single_band: bool
    hole_like: bool | None
    sigma: int | None
    nu: int | None
    k_fermi: float | None
    velocity: float | None = None
    edge_distance: float | None = None
    reason: str | None = None

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
            raise ModelError(f"{self.reason}; Eq. (15) needs one secondary Fermi momentum")
        return lstar_from_momenta(kF_primary, self.k_secondary, alpha0)


def crossing(cnt: CNT, mu: float) -> BandCrossing:
    """Bands crossing the Fermi level at ``mu`` (meV), the single band's Fermi momentum and velocity, or why there
    is no single band (a band edge itself counts as not crossed: a band with no carriers is no Luttinger liquid)."""
    if not isinstance(mu, int | float) or not math.isfinite(mu):
        raise ModelError(f"mu = {mu!r} is not a finite real number (chemical potential in meV, Eq. (A2))")
    found, edges = [], []
    for (s, v), m in cnt.gaps().items():
        mu_s = mu - s * cnt.zeeman / 2
        if mu_s > m:
            found.append((s, v, False, m, mu_s))
        if mu_s < -m:
            found.append((s, v, True, m, mu_s))
        edges.append(m - abs(mu_s))
    if len(found) == 1:
        s, v, hole, m, mu_s = found[0]
        root = math.sqrt(mu_s * mu_s - m * m)
        return BandCrossing(mu=mu, bands_crossing=1, single_band=True, hole_like=hole, sigma=s, nu=v,
                            k_fermi=root / (HBAR_MEV_S * cnt.vF), velocity=cnt.vF * root / abs(mu_s))
    if not found:
        nearest = min(edges)
        reason = (f"mu = {mu:g} meV lies in the nanotube's gap, {nearest:.4g} meV from the nearest band edge: no band "
                  "crosses the Fermi level (the secondary is gapped; Appendix B)")
        if nearest == 0:
            reason = f"mu = {mu:g} meV sits exactly on a band edge: the band touches the Fermi level with no carriers"
        return BandCrossing(mu=mu, bands_crossing=0, single_band=False, hole_like=None, sigma=None, nu=None,
                            k_fermi=None, edge_distance=nearest, reason=reason)
    names = ", ".join(f"(sigma={s:+d}, nu={v:+d}, {'hole' if h else 'particle'}-like)" for s, v, h, _, _ in found)
    return BandCrossing(mu=mu, bands_crossing=len(found), single_band=False, hole_like=None, sigma=None, nu=None,
                        k_fermi=None, reason=f"mu = {mu:g} meV leaves {len(found)} nanotube bands at the Fermi level "
                        f"({names}): the secondary is not a single spinless band")


def single_band_map(cnt: CNT, mu: np.ndarray, delta_phi: np.ndarray) -> np.ndarray:
    """Number of bands crossing the Fermi level on the grid (delta_phi, mu): shape (len(delta_phi), len(mu)).

    Signed: +n for particle-like crossings only, -n for hole-like only (the single-band windows are +-1)."""
    mu = np.asarray(mu, dtype=float)[None, :]
    out = np.zeros((len(delta_phi), mu.shape[1]), dtype=int)
    for i, dphi in enumerate(delta_phi):
        at = CNT(cnt.vF, cnt.delta0, cnt.delta_so, float(dphi), cnt.zeeman)
        gaps = np.array(list(at.gaps().values()))[:, None]
        shift = np.array([s * cnt.zeeman / 2 for s, _ in at.gaps()])[:, None]
        particles = (mu - shift > gaps).sum(axis=0)
        holes = (mu - shift < -gaps).sum(axis=0)
        out[i] = np.where(holes > 0, -holes, particles)
    return out
