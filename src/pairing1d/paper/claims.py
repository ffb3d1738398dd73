r"""The paper's statements, measured by the package under one second-order flow and one cutoff scheme.

Each function takes the scheme (``cic``, ``printed`` or ``frozen``) and the flow (``consistent`` or ``paper``,
docs/physics.md Sec. 3) and returns a :class:`~pairing1d.paper.claims_common.Claim`: the statement as the paper words
it, where it says so, the numbers our RG gives, and whether they bear it out (True, False, or None where the
measurement cannot decide). Nothing here is tuned to make a statement hold; docs/reproduction.md discusses every
verdict. Statements that do not depend on the flow or the scheme (closed forms, transport, the nanotube) say so in
their finding. The ``paper`` flow is defined on the line of Eq. (13) only: its runs never set ``upsilon_theta``, and
statements about other forward couplings report that they are not defined there.

The measurements use the figures' parameters (:mod:`pairing1d.paper.setups`) and a few extra sweeps of the engine:

* Fig. 4 planes :math:`(e^{-\ell^*}, y^0)` for :math:`K^0` from 0.3 to 0.8: phase fractions (decoupled, paired,
  trion, triplet), the order of the phases along each row of constant :math:`y^0`, the dominant order, the phase
  just outside the trion region (the tuning protocol of Sec. II C 3), the trion boundary against :math:`\ell^*`
  and the Pokrovsky-Talapov estimate, and the same planes with :math:`y_2`, off the line of Eq. (13), with the
  other flow, with :math:`\theta = \pi` and with the Mott ladder's vertex charge :math:`p = 1`;
* Fig. 3: the gapped fraction and the boundary :math:`\bar\ell = \ell_{\max}` at :math:`\ell^* = 2, 3`, the red
  dot's flow, and the closed form :math:`\bar\ell = (1-|y_s^0|)/|y_s^0|` at :math:`y^0 = 0`;
* Fig. 5: the window of :math:`\ell^*` where cooling gives Luttinger liquid, then paired, then trion;
* Eq. (18): where SC beats CDW in the paired phase, on the line of Eq. (13) and for a pure density coupling;
* grossly mismatched and gapped secondaries (Sec. II A, Appendix B), the back gate of a Mott ladder and the
  coupled wires (Sec. III), the nanotube's single-band windows (Appendix A), charge vectors of the tunnelling
  operators and the floating-secondary conductance (Sec. II C 3, Appendix C, D).

Where a statement counts points whose verdict is not controlled (a coupling beyond ``y_strong`` before the
verdict, :mod:`pairing1d.theory.phases`), its finding gives the uncontrolled share of those points.

The statements live in three modules, by the part of the paper they measure: the figures
(:mod:`pairing1d.paper.claims_figures`), the text of Sec. II on the model (:mod:`pairing1d.paper.claims_model`) and
the platforms of Sec. III and the appendices (:mod:`pairing1d.paper.claims_platforms`); what they share is
:mod:`pairing1d.paper.claims_common`. This module gathers them (:data:`CLAIMS`) and evaluates them all.
"""

from __future__ import annotations

from collections.abc import Callable

from .claims_common import Claim, _check
from .claims_figures import (
    commensurate_favours_trion,
    conductances,
    cooling_sequence,
    cutoff_moves_boundary,
    free_limit_decoupled,
    hole_like_favoured,
    impurity_contrast,
    iso_gap_lines,
    paired_in_between,
    phase_hinders_pairing,
    red_dot_flow,
    sc_narrow,
    small_K_enlarges,
    small_Kc_helps,
    trions_are_cdw,
)
from .claims_model import (
    cic_transition_at_lstar,
    cross_terms_harmless,
    gapped_secondary_none,
    gross_mismatch_decoupled,
    off_line13_quantitative,
    secondary_gapped_in_trion,
    tuning_protocol,
    y2_negligible,
)
from .claims_platforms import (
    back_gate_controls,
    coupled_wire_rules,
    floating_secondary_drag,
    ladder_more_relevant,
    single_band_windows,
)

__all__ = ["Claim", "CLAIMS", "evaluate", "claims_markdown"]


CLAIMS: tuple[Callable[..., Claim], ...] = (
    commensurate_favours_trion, small_K_enlarges, paired_in_between, cutoff_moves_boundary, red_dot_flow,
    iso_gap_lines, cooling_sequence, sc_narrow, trions_are_cdw, phase_hinders_pairing, free_limit_decoupled,
    small_Kc_helps, hole_like_favoured, impurity_contrast, conductances,
    gross_mismatch_decoupled, y2_negligible, off_line13_quantitative, cross_terms_harmless, cic_transition_at_lstar,
    secondary_gapped_in_trion, tuning_protocol, ladder_more_relevant, back_gate_controls, coupled_wire_rules,
    single_band_windows, gapped_secondary_none, floating_secondary_drag,
)
"""Every statement checked: the figures' statements in the order of docs/reproduction.md, then those of the text
in the order of the paper."""

NEEDS_FIG3 = (cutoff_moves_boundary, iso_gap_lines)
"""Statements that read the Fig. 3 data (``fig3`` argument)."""


def evaluate(scheme: str, fig3=None, progress: Callable[[str, int, int], None] | None = None,
             flow: str = "consistent") -> list[Claim]:
    """Every :data:`CLAIMS` under ``scheme`` and ``flow`` (``fig3``: the Fig. 3 Dataset of the same scheme and flow,
    if already computed; otherwise computed once here at resolution 96)."""
    from .setups import fig3_data

    _check(scheme, flow)
    out = []
    for i, claim in enumerate(CLAIMS):
        if progress is not None:
            progress(claim.__name__, i, len(CLAIMS))
        if claim in NEEDS_FIG3:
            if fig3 is None:
                fig3 = fig3_data(scheme, 96, flow=flow)
            out.append(claim(scheme, fig3, flow=flow))
        else:
            out.append(claim(scheme, flow=flow))
    return out


def claims_markdown(claims: list[Claim]) -> str:
    """A Markdown table: statement, source, verdict and finding, one row per claim (the verdict column names the
    flow and scheme when all claims share them)."""
    mark = {True: "holds", False: "**does not hold**", None: "see docs"}
    combos = {(c.flow, c.scheme) for c in claims}
    verdict = f"verdict ({next(iter(combos))[0]} flow, {next(iter(combos))[1]})" if len(combos) == 1 else "verdict"
    lines = [f"| statement | where | {verdict} | what the RG gives |", "| --- | --- | --- | --- |"]
    cell = lambda text: text.replace("|", "\\|")  # noqa: E731  a bare | would split the cell (|ys0|)
    for c in claims:
        v = mark[c.holds] if len(combos) == 1 else f"{mark[c.holds]} ({c.flow}, {c.scheme})"
        lines.append(f"| {cell(c.statement)} | {c.source} | {v} | {cell(c.finding)} |")
    return "\n".join(lines)
