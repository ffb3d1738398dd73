r"""The fate of a device: decoupled, paired or trion (Fig. 4 caption), its energy scales and its order.

Classification of a solved flow (DESIGN.md Sec. 2):

* **trion** if :math:`|y_1|` reaches ``y_strong`` at :math:`\bar{\bar\ell} < \ell^*_1` (the effective cutoff
  :math:`\min(\ell^*_1, \ell_m)` when a secondary mass is present);
* else **paired** if :math:`y_s` reaches -1 at :math:`\bar\ell \le \ell_{\max}`;
* else **decoupled** (the primary wire stays a gapless Luttinger liquid down to :math:`e^{-\ell_{\max}}\Lambda`).

Energy scales, in units of the bandwidth :math:`\Lambda`: spin gap :math:`\Delta_s = e^{-\bar\ell}`, trion scale
:math:`e^{-\bar{\bar\ell}}\,c_1(\bar{\bar\ell})` (Fig. 5).

Paired phase: with the spin gapped (:math:`K_s \to 0`) the susceptibilities scale as

.. math::
    \chi_{\rm CDW} \sim \omega^{\tilde K_c + Q^2\tilde K - 2}, \qquad \chi_{\rm SC} \sim \omega^{1/\tilde K_c - 2},

with the renormalized :math:`\tilde K_c, \tilde K` at :math:`\bar\ell`; SC dominates when
:math:`\tilde K_c + Q^2\tilde K > 1/\tilde K_c` (Eq. 18). Trion phase: SC when :math:`K_f > 3` (Sec. II C 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from .model import Model
from .rg import FlowResult, solve_flow
from .trion import sc_threshold, trion_sector_of_model

__all__ = ["PHASES", "PhaseResult", "classify", "phase_of", "susceptibility_exponents"]

PHASES = ("decoupled", "paired", "trion")
"""Phase names; their index is the integer code used in sweeps."""

Phase = Literal["decoupled", "paired", "trion"]


def susceptibility_exponents(Kc_tilde: float, K_tilde: float, Q: float, Ks: float = 0.0) -> tuple[float, float]:
    r"""Exponents :math:`(x_{\rm CDW}, x_{\rm SC})` of :math:`\chi \sim \omega^{x}` (Sec. II C 2).

    :math:`x_{\rm CDW} = \tilde K_c + Q^2\tilde K + K_s - 2`, :math:`x_{\rm SC} = 1/\tilde K_c + K_s - 2`; the more
    negative exponent is the more divergent susceptibility. ``Ks = 0`` is the spin-gapped limit.
    """
    return Kc_tilde + Q * Q * K_tilde + Ks - 2.0, 1.0 / Kc_tilde + Ks - 2.0


@dataclass(frozen=True)
class PhaseResult:
    """Phase, energy scales (units of the bandwidth) and dominant order of one device.

    ``spin_gap`` and ``trion_scale`` are None when their event was not reached; the susceptibility exponents
    and renormalized Luttinger parameters at l_bar are set in the paired phase, ``Kf`` in the trion phase.
    """

    phase: Phase
    l_bar: float | None
    l_bbar: float | None
    spin_gap: float | None
    trion_scale: float | None
    dominant_order: Literal["CDW", "SC"] | None
    chi_cdw_exponent: float | None
    chi_sc_exponent: float | None
    Kc_tilde_bar: float | None
    K_tilde_bar: float | None
    Kf: float | None
    flow: FlowResult = field(repr=False, compare=False)

    @property
    def model(self) -> Model:
        return self.flow.model

    @property
    def code(self) -> int:
        """Integer code of the phase: 0 decoupled, 1 paired, 2 trion."""
        return PHASES.index(self.phase)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the phase, its scales and order, and the derived bare parameters."""
        m = self.model
        return {
            "phase": self.phase, "l_bar": self.l_bar, "l_bbar": self.l_bbar,
            "spin_gap": self.spin_gap, "trion_scale": self.trion_scale,
            "dominant_order": self.dominant_order,
            "chi_cdw_exponent": self.chi_cdw_exponent, "chi_sc_exponent": self.chi_sc_exponent,
            "Kc_tilde_bar": self.Kc_tilde_bar, "K_tilde_bar": self.K_tilde_bar, "Kf": self.Kf,
            "Q": m.Q, "Kc_tilde0": m.Kc_tilde0, "K_tilde0": m.K_tilde0, "scheme": m.scheme,
            "lstar_eff": m.lstar_eff, "lmax": m.lmax, "status": self.flow.status, "l_runaway": self.flow.l_runaway,
        }


def classify(flow: FlowResult) -> PhaseResult:
    """Phase, scales and dominant order from a solved flow (rules in the module docstring)."""
    m = flow.model
    l_bar, l_bbar = flow.l_bar, flow.l_bbar
    if l_bbar is not None and l_bbar < m.lstar_eff:
        phase: Phase = "trion"
    elif l_bar is not None and l_bar <= m.lmax:
        phase = "paired"
    else:
        phase = "decoupled"

    spin_gap = math.exp(-l_bar) if l_bar is not None else None
    trion_scale = math.exp(-l_bbar) * m.cutoff1(l_bbar) if l_bbar is not None else None
    order = x_cdw = x_sc = kc_bar = k_bar = kf = None
    if phase == "paired":
        kc_bar, k_bar = float(flow.Kc_tilde[-1]), float(flow.K_tilde[-1])  # the flow ends at l_bar
        x_cdw, x_sc = susceptibility_exponents(kc_bar, k_bar, m.Q)
        order = "SC" if kc_bar + m.Q**2 * k_bar > 1.0 / kc_bar else "CDW"  # Eq. (18)
    elif phase == "trion":
        kf = trion_sector_of_model(m)[0]
        order = "SC" if kf > sc_threshold(m.vertex_charge) else "CDW"
    return PhaseResult(
        phase=phase, l_bar=l_bar, l_bbar=l_bbar, spin_gap=spin_gap, trion_scale=trion_scale,
        dominant_order=order, chi_cdw_exponent=x_cdw, chi_sc_exponent=x_sc,
        Kc_tilde_bar=kc_bar, K_tilde_bar=k_bar, Kf=kf, flow=flow,
    )


def phase_of(model: Model, **solver_options: Any) -> PhaseResult:
    """Solve the flow of ``model`` (:func:`~pairing1d.rg.solve_flow`) and classify it."""
    return classify(solve_flow(model, **solver_options))
