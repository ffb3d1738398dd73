r"""Coupled spin-gapped wires in 2D (Sec. III B): Josephson coupling against the :math:`\pi`-CDW.

Two primary wires in the paired phase (spin gap :math:`\Delta_s`), hopping :math:`t_\perp \ll \Delta_s` and
inter-wire repulsion :math:`U_\perp`; energies in units of the bandwidth :math:`\Lambda`. With
:math:`\phi_{\alpha\pm} = (\phi_{\alpha1}\pm\phi_{\alpha2})/\sqrt2` the couplings of Eq. (23)-(25) are

.. math::
    H_J \sim \frac{t_\perp^2}{\Delta_s}\cos2\theta_{c-}\cos\sqrt2\phi_{1s}\cos\sqrt2\phi_{2s}\quad (23),\qquad
    H_{p-h} \sim \frac{t_\perp^2}{\Delta_s}\cos2\theta_{s-}\cos2\phi_{c-}\quad (24),
.. math::
    H_{\pi\rm CDW} \sim U_\perp\cos2\phi_{c-}\cos\sqrt2\phi_{1s}\cos\sqrt2\phi_{2s}\quad (25).

Each :math:`\cos\sqrt2\phi_{is}` has dimension :math:`K_s/2`, :math:`\cos2\phi_{c-}` has :math:`K_{c-}` and
:math:`\cos2\theta_{c-}` has :math:`1/K_{c-}`. Below the spin gap :math:`\langle\cos\sqrt2\phi_{is}\rangle \neq 0`
and the spin factors drop out of the dimensions:

.. math::
    \Delta_J = \frac{1}{K_{c-}},\qquad \Delta_{p-h} = \infty,\qquad \Delta_\pi = K_{c-}\qquad
    (\ell \ge \ell_s),\qquad\qquad \Delta_\pi^{>} = K_{c-} + K_s\qquad (\ell < \ell_s).

(:math:`\theta_{s-}` is dual to the gapped spin fields, so :math:`H_{p-h}` is irrelevant.) :math:`H_J` is relevant
iff :math:`K_{c-} > 1/2`; below the gap it is more relevant than the :math:`\pi`-CDW iff :math:`K_{c-} > 1`.

**The two RG stages.** The spin gap opens at :math:`\ell_s = \ln(\Lambda/\Delta_s)`.

* :math:`0 \le \ell < \ell_s` (spin sector not gapped): there is no pair hopping. :math:`t_\perp^2/\Delta_s` is a
  second-order process whose intermediate state (one broken pair in each wire) costs :math:`\Delta_s`; it is
  generated only when the RG has integrated out the energies above :math:`\Delta_s`. The :math:`\pi`-CDW exists
  (:math:`U_\perp` is a bare inter-wire backscattering) but its spin factors fluctuate, so

  .. math:: \frac{dU}{d\ell} = (2 - K_{c-} - K_s)\,U,\qquad U(0) = U_\perp/\Lambda,

  which may shrink (:math:`K_{c-} + K_s > 2`).
* :math:`\ell \ge \ell_s` (spin gapped): the pair hopping starts with the energy :math:`t_\perp^2/\Delta_s`
  measured in the running cutoff :math:`\Lambda e^{-\ell_s} = \Delta_s`, and the spin expectation values
  (:math:`O(1)` once the gap is open) are absorbed into :math:`J` and :math:`U`, which is continuous at
  :math:`\ell_s`:

  .. math::
      \frac{dJ}{d\ell} = \Big(2 - \frac{1}{K_{c-}}\Big)J,\quad J(\ell_s) = \Big(\frac{t_\perp}{\Delta_s}\Big)^2;
      \qquad \frac{dU}{d\ell} = (2 - K_{c-})\,U.

A density mismatch :math:`\delta` between the wires makes :math:`\cos(2\phi_{c-} + \delta x)` oscillate, which stops
:math:`U` at :math:`\ell_\delta = \ln[1/(\delta\alpha_0)]` (a sharp cutoff, as in Sec. II B), on whichever side
of :math:`\ell_s` it falls. Strong coupling (value 1) is reached at the closed-form times

.. math::
    \ell_J = \ell_s + \frac{2\ln(\Delta_s/t_\perp)}{2 - 1/K_{c-}},\qquad
    \ell_\pi = \begin{cases} \dfrac{\ln(\Lambda/U_\perp)}{2 - K_{c-} - K_s} & \text{if this is} \le \ell_s
    \text{ (and the exponent} > 0),\\[1ex]
    \ell_s + \dfrac{\ln[1/U(\ell_s)]}{2 - K_{c-}},\quad U(\ell_s) = \dfrac{U_\perp}{\Lambda}
    e^{(2-K_{c-}-K_s)\ell_s} & \text{otherwise,}\end{cases}

kept when :math:`\ell_J \le \ell_{\max}` and :math:`\ell_\pi \le \min(\ell_{\max}, \ell_\delta)` (and the
exponent is positive); the first to get there decides the 2D state. A :math:`\pi`-CDW that reaches 1 before
:math:`\ell_s` wins before pairs can hop at all.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..support.errors import ModelError

__all__ = ["scaling_dimensions", "CoupledWiresResult", "coupled_wires"]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)


def _check_positive(name: str, value: float, why: str) -> None:
    if not (_is_number(value) and math.isfinite(value) and value > 0):
        raise ModelError(f"{name} = {value!r} is outside the allowed range (0, inf) ({why})")


def scaling_dimensions(Kc_minus: float, Ks: float | None = None) -> dict[str, float]:
    r"""Scaling dimensions of the Josephson (23), particle-hole (24) and :math:`\pi`-CDW (25) couplings.

    ``josephson`` (:math:`1/K_{c-}`), ``particle_hole`` (:math:`\infty`) and ``pi_cdw`` (:math:`K_{c-}`) hold
    below the spin gap. With ``Ks`` given, ``pi_cdw_above_gap`` is :math:`K_{c-} + K_s`: above the gap each
    :math:`\cos\sqrt2\phi_{is}` of Eq. (25) adds :math:`K_s/2`.
    """
    _check_positive("Kc_minus", Kc_minus, "relative charge Luttinger parameter, Eq. (23)")
    dims = {"josephson": 1.0 / Kc_minus, "particle_hole": math.inf, "pi_cdw": float(Kc_minus)}
    if Ks is not None:
        _check_positive("Ks", Ks, "spin Luttinger parameter above the spin gap, Eq. (25)")
        dims["pi_cdw_above_gap"] = Kc_minus + Ks
    return dims


@dataclass(frozen=True)
class CoupledWiresResult:
    r"""Strong-coupling RG times of :math:`J` and :math:`U` (None: not reached by ``lmax``) and the verdict.

    ``J0`` is the pair-hopping energy :math:`t_\perp^2/\Delta_s` in units of :math:`\Lambda` (the value the flow
    used to start from at :math:`\ell = 0`; kept for compatibility). The Josephson flow starts at
    ``l_s`` :math:`= \ln(\Lambda/\Delta_s)` from ``J_at_l_s`` :math:`= (t_\perp/\Delta_s)^2`. ``U0`` is
    :math:`U_\perp/\Lambda`; ``U_at_l_s`` is :math:`U(\ell_s)`, or None when the :math:`\pi`-CDW's weak-coupling
    flow has ended by :math:`\ell_s`: it reached 1 at :math:`\ell \le \ell_s`, or it was dephased
    (:math:`\ell_\delta < \ell_s`). ``U_at_l_s`` does not depend on ``lmax``. ``l_delta`` is inf without mismatch.
    """

    Kc_minus: float
    J0: float
    U0: float
    l_delta: float
    l_josephson: float | None
    l_pi_cdw: float | None
    josephson_relevant: bool
    verdict: str  # "superconductor" | "pi-CDW" | "none"
    l_s: float
    J_at_l_s: float
    U_at_l_s: float | None
    Ks: float

    def to_dict(self) -> dict:
        return asdict(self)


def _reach(log_g: float, exponent: float, l_start: float, l_end: float) -> float | None:
    """First RG time in [l_start, l_end] at which exp(log_g + exponent (l - l_start)) reaches 1, else None."""
    if log_g >= 0:
        return l_start
    if exponent <= 0 or not math.isfinite(log_g):
        return None
    l = l_start - log_g / exponent
    return l if l <= l_end else None


def coupled_wires(Kc_minus: float, t_perp: float, spin_gap: float, U_perp: float, delta_alpha0: float = 0.0,
                  lmax: float = 20.0, *, Ks: float = 1.0) -> CoupledWiresResult:
    r"""Verdict for two paired wires: superconductor, :math:`\pi`-CDW or none before ``lmax``.

    ``t_perp``, ``spin_gap``, ``U_perp`` are energies in units of the bandwidth, ``delta_alpha0`` the density
    mismatch times the cutoff (0: none), ``Ks`` the spin Luttinger parameter above the gap (1: SU(2)). For
    :math:`0 \le \ell < \ell_s = \ln(1/\Delta_s)` only :math:`U` flows, with exponent :math:`2 - K_{c-} - K_s`;
    from :math:`\ell_s` on :math:`J` flows from :math:`(t_\perp/\Delta_s)^2` with exponent :math:`2 - 1/K_{c-}`
    and :math:`U` with :math:`2 - K_{c-}`; :math:`U` is stopped at :math:`\ell_\delta = \ln[1/(\delta\alpha_0)]`.
    See the module docstring for the derivation and the closed-form strong-coupling times.
    """
    dims = scaling_dimensions(Kc_minus, Ks)
    for name, value in (("t_perp", t_perp), ("U_perp", U_perp), ("delta_alpha0", delta_alpha0)):
        if not (_is_number(value) and math.isfinite(value) and value >= 0):
            raise ModelError(f"{name} = {value!r} is outside the allowed range [0, inf) (Sec. III B)")
    if not (_is_number(spin_gap) and 0 < spin_gap < 1):
        raise ModelError(f"spin_gap = {spin_gap!r} is outside the allowed range (0, 1) (Delta_s / Lambda, Sec. III B)")
    if t_perp >= spin_gap:
        raise ModelError(f"t_perp = {t_perp!r} is outside the allowed range [0, spin_gap = {spin_gap!r}) "
                         "(the pair hopping t_perp^2/Delta_s of Eq. (23) needs t_perp << Delta_s)")
    _check_positive("lmax", lmax, "infrared end of the RG flow, Sec. III B")

    l_s = math.log(1.0 / spin_gap)
    J_at_l_s = (t_perp / spin_gap) ** 2
    l_delta = math.inf if delta_alpha0 == 0 else max(0.0, math.log(1.0 / delta_alpha0))

    # Josephson: exists only from l_s on (J_at_l_s < 1 since t_perp < spin_gap).
    # its logarithm from the logarithms: (t_perp/spin_gap)^2 underflows to 0 for t_perp ~ 1e-160 and below
    l_j = None if t_perp == 0 else _reach(2.0 * (math.log(t_perp) - math.log(spin_gap)), 2.0 - dims["josephson"],
                                          l_s, lmax)

    # pi-CDW: exponent 2 - Kc- - Ks above the gap, 2 - Kc- below; stopped at l_delta.
    l_stop = min(lmax, l_delta)
    if U_perp == 0:
        l_u, U_at_l_s = None, (0.0 if l_delta >= l_s else None)
    else:
        log_u0 = math.log(U_perp)
        l_above = _reach(log_u0, 2.0 - dims["pi_cdw_above_gap"], 0.0, l_s)  # strong coupling by l_s?
        if l_above is not None:
            l_u, U_at_l_s = l_above, None
        else:
            log_u_s = log_u0 + (2.0 - dims["pi_cdw_above_gap"]) * l_s  # < 0 here
            l_u = _reach(log_u_s, 2.0 - dims["pi_cdw"], l_s, math.inf)
            U_at_l_s = math.exp(log_u_s) if l_delta >= l_s else None
        if l_u is not None and l_u > l_stop:
            l_u = None

    if l_j is None and l_u is None:
        verdict = "none"
    elif l_u is None or (l_j is not None and l_j < l_u):
        verdict = "superconductor"
    else:
        verdict = "pi-CDW"
    return CoupledWiresResult(Kc_minus=Kc_minus, J0=t_perp**2 / spin_gap, U0=U_perp, l_delta=l_delta,
                              l_josephson=l_j, l_pi_cdw=l_u, josephson_relevant=Kc_minus > 0.5, verdict=verdict,
                              l_s=l_s, J_at_l_s=J_at_l_s, U_at_l_s=U_at_l_s, Ks=Ks)
