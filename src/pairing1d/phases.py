r"""The fate of a device: decoupled, paired, triplet or trion, its energy scales, its order, and whether the
verdict is under control.

Classification of a solved flow (docs/physics.md Sec. 3; the Fig. 4 caption, extended):

* **trion** if :math:`|y_1|` reaches ``y_strong`` while the vertex still acts: before the cutoff
  :math:`\min(\ell^*_1, \ell_m)` in the ``printed`` and ``frozen`` schemes, before the vertex is dropped in
  ``cic``;
* else **paired** if the spin sector reaches strong coupling as singlet pairs (:math:`y_s = -1`) at
  :math:`\bar\ell \le \ell_{\max}`;
* else **triplet** if it reaches strong coupling as :math:`S_z = 0` triplet / SDW_z (:math:`y_s = +1`, e.g. the
  relative phase :math:`\theta = \pi`; ``docs/physics.md``): a spin gap too, of the other kind;
* else **decoupled** (the primary wire stays a gapless Luttinger liquid down to :math:`e^{-\ell_{\max}}\Lambda`).

Energy scales, in units of the bandwidth :math:`\Lambda`: spin gap :math:`e^{-\ell_{\rm gap}}` (either kind),
trion scale :math:`e^{-\bar{\bar\ell}}c_1(\bar{\bar\ell})` (Fig. 5; :math:`e^{-\bar{\bar\ell}}` in ``cic``, whose
flowing mismatch already holds the cutoff).

**Order.** With the spin gapped, the CDW of pairs :math:`e^{i\sqrt2\phi_c}` (SDW_z for triplets) and the pair
operator :math:`e^{i\sqrt2\theta_c}` (S_z = 0 triplet pairs) have the dimensions :math:`\Delta_{\rm CDW} =
b^TCb/4` with :math:`b = (\sqrt2, -\sqrt2Q)` and :math:`\Delta_{\rm SC} = G_{11}/2`, from the correlation matrix at
the spin gap; :math:`\chi \sim \omega^{2\Delta-2}`. On the line (13) with the paper's flow they are
:math:`\tilde K_c + Q^2\tilde K - 2` and :math:`1/\tilde K_c - 2`, and SC wins iff
:math:`\tilde K_c + Q^2\tilde K > 1/\tilde K_c` (Eq. 18). Trion phase: SC iff :math:`K_f > 3`, with :math:`K_f`
the exact Schur complement (:func:`pairing1d.gaussian.trion_mode`; Eq. 20's value is kept as ``Kf_eq20``).

**Control.** A verdict other than trion is *controlled* when no inter-wire coupling acting on the flow exceeded
``y_strong`` before it was reached: the ``printed`` scheme lets :math:`y_1` grow past :math:`\ell^*`, and a
"paired" reached with :math:`|y_1| \gg 1` rests on a coupling outside the perturbative range.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .model import SCHEMES, Model
from .rg import FlowResult, solve_flow
from .trion import sc_threshold

__all__ = ["PHASES", "PhaseResult", "classify", "phase_of", "susceptibility_exponents", "order_exponents",
           "pokrovsky_talapov"]

PHASES = ("decoupled", "paired", "trion", "triplet")
"""Phase names; their index is the integer code used in sweeps."""

Phase = Literal["decoupled", "paired", "trion", "triplet"]


def susceptibility_exponents(Kc_tilde: float, K_tilde: float, Q: float, Ks: float = 0.0) -> tuple[float, float]:
    r"""Exponents :math:`(x_{\rm CDW}, x_{\rm SC})` of :math:`\chi \sim \omega^{x}` on the line (13) (Sec. II C 2).

    :math:`x_{\rm CDW} = \tilde K_c + Q^2\tilde K + K_s - 2`, :math:`x_{\rm SC} = 1/\tilde K_c + K_s - 2`; the more
    negative exponent is the more divergent susceptibility. ``Ks = 0`` is the spin-gapped limit.
    """
    return Kc_tilde + Q * Q * K_tilde + Ks - 2.0, 1.0 / Kc_tilde + Ks - 2.0


def order_exponents(Kc_tilde, K_tilde, K_mixed, Q):
    r"""Exponents :math:`(x_{\rm CDW}, x_{\rm SC})` with the spin gapped, from the correlation matrix
    :math:`C = [[\tilde K_c, K_\times], [K_\times, \tilde K]]` of :math:`(\phi_c, \phi)` in the rotated basis:
    :math:`x_{\rm CDW} = \tilde K_c - 2QK_\times + Q^2\tilde K - 2` (:math:`e^{i\sqrt2\phi_c}`, charges
    :math:`(\sqrt2, -\sqrt2Q)` after the rotation), :math:`x_{\rm SC} = (C^{-1})_{11} - 2` (:math:`e^{i\sqrt2\theta_c}`,
    unchanged by it). With :math:`K_\times = 0` this is :func:`susceptibility_exponents` (Eq. 18). Numbers or
    arrays."""
    det = Kc_tilde * K_tilde - K_mixed * K_mixed
    return Kc_tilde - 2.0 * Q * K_mixed + Q * Q * K_tilde - 2.0, K_tilde / det - 2.0


def pokrovsky_talapov(model: Model, l_bbar_commensurate: float | None) -> dict[str, Any]:
    r"""Strong-coupling cross-check of the trion boundary (Appendix C's locked mode, Pokrovsky-Talapov).

    In the locked phase the vertex :math:`\cos(\mathcal N\phi_g - 2k_+x)`, :math:`\mathcal N = \sqrt{2+p^2}`, pins
    :math:`\phi_g`; the mismatch acts as a chemical potential for its solitons (kinks of :math:`a\cdot\Phi` by
    :math:`2\pi`, :math:`a = (\sqrt2, p)`). Absorbing :math:`2k_+x` by the cheapest uniform twist
    :math:`\Phi \to \Phi + v x`, :math:`a\cdot v = 2k_+`, :math:`v \propto M^{-1}a`, leaves a linear term that gains

    .. math::
        E_\mu = \frac{4k_+}{a^TM^{-1}a} = \frac{4k_+}{\mathcal N^2}\Big(M_{gg} - \frac{M_{gf}^2}{M_{ff}}\Big)
        \quad\Big(\text{Eq. C2 with } \phi_f \text{ held: } \frac{4k_+M_{gg}}{\mathcal N^2} =
        \frac{2u_gk_+}{3K_g}\ \text{at}\ p = 2\Big)

    per soliton. The commensurate (locked) phase survives iff the soliton energy, estimated by the trion scale of
    the commensurate flow :math:`\Lambda e^{-\bar{\bar\ell}(\ell^* = \infty)}`, exceeds :math:`E_\mu`. Energies in
    units of :math:`\Lambda = u_c/\alpha_0`, with :math:`k_+\alpha_0 = e^{-\ell^*}`.
    """
    g = model.gaussian
    p = model.vertex_charge
    a = np.array([math.sqrt(2.0), p])
    k_plus = math.exp(-model.lstar) if math.isfinite(model.lstar) else 0.0
    e_mu = 4.0 * k_plus / float(a @ np.linalg.solve(g.M, a))  # 4 k+ (M_gg - M_gf^2/M_ff) / N^2
    e_mu_c2 = 4.0 * k_plus * float(a @ g.M @ a) / (2.0 + p * p) ** 2  # phi_f held fixed: M_gg
    e_sol = math.exp(-l_bbar_commensurate) if l_bbar_commensurate is not None else 0.0
    return {"soliton_energy": e_sol, "mismatch_energy": e_mu, "mismatch_energy_c2": e_mu_c2,
            "l_bbar_commensurate": l_bbar_commensurate, "trion": bool(e_sol > e_mu)}


@dataclass(frozen=True)
class PhaseResult:
    """Phase, energy scales (units of the bandwidth), dominant order and trustworthiness of one device.

    ``spin_gap`` (either kind, ``spin_gap_type`` "singlet" or "triplet") and ``trion_scale`` are None when their
    event was not reached (``trion_scale`` exists only in the trion phase: an ``l_bbar`` past the cutoff of a tanh
    scheme is recorded but forms no trion); the order exponents and the correlations at the spin gap are set in the
    paired and triplet phases, ``Kf`` (exact) and ``Kf_eq20`` (the paper's Eq. 20) in the trion phase.
    ``controlled`` says whether the verdict stays inside the perturbative range (``uncontrolled_reason`` says why
    not); ``notes`` lists what the user should know (e.g. an SU(2) line that was not enforced).
    ``verdict_by_scheme`` and ``pokrovsky_talapov`` are computed on first use (more flows).
    """

    phase: Phase
    l_bar: float | None
    l_bbar: float | None
    spin_gap: float | None
    spin_gap_type: Literal["singlet", "triplet"] | None
    trion_scale: float | None
    dominant_order: Literal["CDW", "SC", "SDW", "TS"] | None
    chi_cdw_exponent: float | None
    chi_sc_exponent: float | None
    Kc_tilde_bar: float | None
    K_tilde_bar: float | None
    K_mixed_bar: float | None
    Kf: float | None
    Kf_eq20: float | None
    controlled: bool
    uncontrolled_reason: str | None
    notes: tuple[str, ...]
    flow: FlowResult = field(repr=False, compare=False)

    @property
    def model(self) -> Model:
        return self.flow.model

    @property
    def code(self) -> int:
        """Integer code of the phase: 0 decoupled, 1 paired, 2 trion, 3 triplet."""
        return PHASES.index(self.phase)

    @property
    def dimensions(self) -> dict[str, float]:
        """Bare scaling dimensions of the y1, y2 vertices and of the CDW-of-pairs and SC operators."""
        return self.model.dimensions

    @functools.cached_property
    def verdict_by_scheme(self) -> dict[str, str]:
        """The phase of the same device under every cutoff scheme (same flow)."""
        out = {}
        for scheme in SCHEMES:
            if scheme == self.model.scheme:
                out[scheme] = self.phase
            else:
                out[scheme] = classify(solve_flow(self.model.replace(scheme=scheme))).phase
        return out

    @functools.cached_property
    def pokrovsky_talapov(self) -> dict[str, Any] | None:
        """:func:`pokrovsky_talapov` for this device (None without a y1 vertex)."""
        m = self.model
        if m.y0 == 0:
            return None
        commensurate = m if m.lstar == math.inf else m.replace(lstar=math.inf)
        l_c = self.l_bbar if commensurate is m else solve_flow(commensurate).l_bbar
        return pokrovsky_talapov(m, l_c)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the phase, its scales, order and control, the verdict under every scheme, the
        bare dimensions and the derived bare parameters."""
        m = self.model
        return {
            "phase": self.phase, "controlled": self.controlled, "uncontrolled_reason": self.uncontrolled_reason,
            "verdict_by_scheme": self.verdict_by_scheme,
            "l_bar": self.l_bar, "l_bbar": self.l_bbar, "l_runaway": self.flow.l_runaway,
            "spin_gap": self.spin_gap, "spin_gap_type": self.spin_gap_type, "trion_scale": self.trion_scale,
            "dominant_order": self.dominant_order,
            "chi_cdw_exponent": self.chi_cdw_exponent, "chi_sc_exponent": self.chi_sc_exponent,
            "Kc_tilde_bar": self.Kc_tilde_bar, "K_tilde_bar": self.K_tilde_bar, "K_mixed_bar": self.K_mixed_bar,
            "Kf": self.Kf, "Kf_eq20": self.Kf_eq20, "dimensions": self.dimensions,
            "pokrovsky_talapov": self.pokrovsky_talapov, "notes": list(self.notes),
            "Q": m.Q, "Kc_tilde0": m.Kc_tilde0, "K_tilde0": m.K_tilde0, "upsilon_theta": m.upsilon_theta_eff,
            "scheme": m.scheme, "flow": m.flow,
            "lstar_eff": m.lstar_eff, "lmax": m.lmax, "status": self.flow.status,
            "l_drop1": self.flow.l_drop1, "singlet_weight": self.flow.singlet_weight,
        }


def _trion_rule(flow: FlowResult) -> bool:
    m = flow.model
    if flow.l_bbar is None:
        return False
    if m.scheme == "cic":  # a dropped vertex is frozen: |y1| can only reach y_strong while it still acts
        return True
    return flow.l_bbar < m.lstar_eff


def classify(flow: FlowResult) -> PhaseResult:
    """Phase, scales, order and control from a solved flow (rules in the module docstring)."""
    from .gaussian import trion_mode

    m = flow.model
    l_bar, l_bbar, l_run = flow.l_bar, flow.l_bbar, flow.l_runaway
    if _trion_rule(flow):
        phase: Phase = "trion"
    elif l_bar is not None and l_bar <= m.lmax:
        phase = "paired"
    elif l_run is not None:
        phase = "triplet"
    else:
        phase = "decoupled"

    l_gap = flow.l_spin_gap
    spin_gap = math.exp(-l_gap) if l_gap is not None else None
    gap_type = None if l_gap is None else ("singlet" if l_bar is not None else "triplet")
    trion_scale = None
    if phase == "trion":  # the trion gap; an l_bbar past the cutoff (tanh schemes) forms no trion: no scale
        trion_scale = math.exp(-l_bbar) * (1.0 if m.scheme == "cic" else m.cutoff1(l_bbar))
    order = x_cdw = x_sc = kc_bar = k_bar = kx_bar = kf = kf20 = None
    if phase in ("paired", "triplet"):
        end = flow.end  # the flow ends at the spin gap
        kc_bar, k_bar, kx_bar = end["Kc_tilde"], end["K_tilde"], end["K_mixed"]
        x_cdw, x_sc = (float(x) for x in order_exponents(kc_bar, k_bar, kx_bar, m.Q))
        density, pairs = ("CDW", "SC") if phase == "paired" else ("SDW", "TS")
        order = pairs if x_sc < x_cdw else density  # the more divergent susceptibility (Eq. 18 on line 13)
    elif phase == "trion":
        kf, _, kf20 = (float(x) for x in trion_mode(m.Kc0, m.K0, m.u_ratio, m.upsilon, m.upsilon_theta_eff,
                                                    m.vertex_charge))
        order = "SC" if kf > sc_threshold(m.vertex_charge) else "CDW"

    controlled, reason = True, None
    if phase != "trion" and flow.status.startswith("failed"):  # the verdict needed the flow past its failure
        controlled = False
        reason = (f"the flow {flow.status[len('failed: '):]} at l = {flow.l_end:.4g} < lmax = {m.lmax:g} "
                  f"({flow.status}); the verdict needs the flow beyond it")
    elif phase != "trion":
        l_verdict = l_gap if l_gap is not None else m.lmax
        for name, l_strong in (("y1", l_bbar), ("y2", flow.l_bbar2)):
            if l_strong is not None and l_strong <= l_verdict:
                controlled = False
                size = abs(flow.end[name])
                reason = (f"|{name}| reached y_strong = {m.y_strong:g} at l = {l_strong:.4g}, before the verdict at "
                          f"l = {l_verdict:.4g} (|{name}| = {size:.3g} there); the {m.scheme} scheme's cutoff does not "
                          "stop it, so the verdict rests on a coupling outside the perturbative range")
                break
    notes = []
    if m.su2 and not m.su2_enforced:
        notes.append(f"SU(2) line not enforced: theta = {m.theta:g} couples the secondary to S^z "
                     "(g_up != g_down), so Ks flows by Eq. (16b)")
    if reason:
        notes.append(reason)
    return PhaseResult(
        phase=phase, l_bar=l_bar, l_bbar=l_bbar, spin_gap=spin_gap, spin_gap_type=gap_type,
        trion_scale=trion_scale, dominant_order=order, chi_cdw_exponent=x_cdw, chi_sc_exponent=x_sc,
        Kc_tilde_bar=kc_bar, K_tilde_bar=k_bar, K_mixed_bar=kx_bar, Kf=kf, Kf_eq20=kf20,
        controlled=controlled, uncontrolled_reason=reason, notes=tuple(notes), flow=flow,
    )


def phase_of(model: Model, **solver_options: Any) -> PhaseResult:
    """Solve the flow of ``model`` (:func:`~pairing1d.rg.solve_flow`) and classify it."""
    return classify(solve_flow(model, **solver_options))
