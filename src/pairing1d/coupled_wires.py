r"""Coupled spin-gapped wires in 2D (Sec. III B): Josephson coupling against the :math:`\pi`-CDW.

Two primary wires in the paired phase (spin gap :math:`\Delta_s`), hopping :math:`t_\perp \ll \Delta_s` and
inter-wire repulsion :math:`U_\perp`. With :math:`\phi_{\alpha\pm} = (\phi_{\alpha1}\pm\phi_{\alpha2})/\sqrt2` and
:math:`\langle\cos\sqrt2\phi_{is}\rangle \neq 0`, the couplings and their scaling dimensions are

.. math::
    H_J \sim \frac{t_\perp^2}{\Delta_s}\cos2\theta_{c-}:\ \ \Delta_J = \frac{1}{K_{c-}}\quad (23),\qquad
    H_{p-h} \sim \frac{t_\perp^2}{\Delta_s}\cos2\theta_{s-}\cos2\phi_{c-}:\ \ \Delta_{p-h} = \infty\quad (24),
.. math::
    H_{\pi\rm CDW} \sim U_\perp\cos2\phi_{c-}:\ \ \Delta_{\pi} = K_{c-}\quad (25).

(:math:`\theta_{s-}` is dual to the gapped spin fields, so :math:`H_{p-h}` is irrelevant.) :math:`H_J` is relevant
iff :math:`K_{c-} > 1/2`; it is more relevant than the :math:`\pi`-CDW iff :math:`K_{c-} > 1`.

Two-coupling RG at leading order, :math:`dJ/d\ell = (2-\Delta_J)J`, :math:`dU/d\ell = (2-\Delta_\pi)U` with
:math:`J^0 = t_\perp^2/(\Delta_s\Lambda)`, :math:`U^0 = U_\perp/\Lambda`; a density mismatch :math:`\delta` between
the wires makes :math:`\cos(2\phi_{c-} + \delta x)` oscillate, which stops :math:`U` at
:math:`\ell_\delta = \ln[1/(\delta\alpha_0)]` (a sharp cutoff, as in Sec. II B). Each coupling reaches 1 at
:math:`\ell = \ln(1/g^0)/(2-\Delta)` when relevant; the first to get there decides the 2D state.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .model import ModelError

__all__ = ["scaling_dimensions", "CoupledWiresResult", "coupled_wires"]


def scaling_dimensions(Kc_minus: float) -> dict[str, float]:
    """Scaling dimensions of the Josephson (23), particle-hole (24) and pi-CDW (25) couplings."""
    if not (isinstance(Kc_minus, int | float) and math.isfinite(Kc_minus) and Kc_minus > 0):
        raise ModelError(f"Kc_minus = {Kc_minus!r} is outside the allowed range (0, inf) (relative charge Luttinger "
                         "parameter, Eq. (23))")
    return {"josephson": 1.0 / Kc_minus, "particle_hole": math.inf, "pi_cdw": Kc_minus}


@dataclass(frozen=True)
class CoupledWiresResult:
    """Strong-coupling scales of J and U (None: not reached by lmax) and the verdict."""

    Kc_minus: float
    J0: float
    U0: float
    l_delta: float
    l_josephson: float | None
    l_pi_cdw: float | None
    josephson_relevant: bool
    verdict: str  # "superconductor" | "pi-CDW" | "none"

    def to_dict(self) -> dict:
        return asdict(self)


def _reach(g0: float, dimension: float, l_stop: float) -> float | None:
    """RG time at which g0 exp((2 - dimension) l) reaches 1, if before l_stop."""
    if g0 >= 1:
        return 0.0
    if g0 <= 0 or dimension >= 2:
        return None
    l = math.log(1.0 / g0) / (2.0 - dimension)
    return l if l <= l_stop else None


def coupled_wires(Kc_minus: float, t_perp: float, spin_gap: float, U_perp: float, delta_alpha0: float = 0.0,
                  lmax: float = 20.0) -> CoupledWiresResult:
    """Verdict for two paired wires: energies ``t_perp``, ``spin_gap``, ``U_perp`` in units of the bandwidth,
    ``delta_alpha0`` the density mismatch times the cutoff (0: none)."""
    dims = scaling_dimensions(Kc_minus)
    for name, value in (("t_perp", t_perp), ("U_perp", U_perp), ("delta_alpha0", delta_alpha0)):
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            raise ModelError(f"{name} = {value!r} is outside the allowed range [0, inf) (Sec. III B)")
    if not (isinstance(spin_gap, int | float) and 0 < spin_gap < 1):
        raise ModelError(f"spin_gap = {spin_gap!r} is outside the allowed range (0, 1) (Delta_s / Lambda, Sec. III B)")
    if t_perp >= spin_gap:
        raise ModelError(f"t_perp = {t_perp!r} is outside the allowed range [0, spin_gap = {spin_gap!r}) "
                         "(the pair hopping t_perp^2/Delta_s of Eq. (23) needs t_perp << Delta_s)")
    if not (math.isfinite(lmax) and lmax > 0):
        raise ModelError(f"lmax = {lmax!r} is outside the allowed range (0, inf)")
    J0 = t_perp**2 / spin_gap
    l_delta = math.inf if delta_alpha0 == 0 else max(0.0, math.log(1.0 / delta_alpha0))
    l_j = _reach(J0, dims["josephson"], lmax)
    l_u = _reach(U_perp, dims["pi_cdw"], min(lmax, l_delta))
    if l_j is None and l_u is None:
        verdict = "none"
    elif l_u is None or (l_j is not None and l_j < l_u):
        verdict = "superconductor"
    else:
        verdict = "pi-CDW"
    return CoupledWiresResult(Kc_minus=Kc_minus, J0=J0, U0=U_perp, l_delta=l_delta, l_josephson=l_j,
                              l_pi_cdw=l_u, josephson_relevant=Kc_minus > 0.5, verdict=verdict)
