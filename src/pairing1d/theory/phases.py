r"""The fate of a device: decoupled, paired, triplet or trion, its energy scales, its order, and whether the
verdict is under control.

Classification of a solved flow (docs/physics.md Sec. 3 and 14; the Fig. 4 caption, extended):

* in the ``cic`` scheme (the default), a vertex whose :math:`|y_1|` reaches ``y_strong`` while it acts is handed
  over to the locked theory (:mod:`pairing1d.theory.strong_coupling`): **trion** if Pokrovsky-Talapov keeps it locked,
  otherwise the phase on which the vertex dropped at the hand-over and the continued flow agree, **undetermined**
  where they do not;
* in the ``printed`` and ``frozen`` schemes (the paper's rule, kept for reproducing it), **trion** if :math:`|y_1|`
  reaches ``y_strong`` before the cutoff :math:`\min(\ell^*_1, \ell_m)`;
* else **paired** if the spin sector reaches strong coupling as singlet pairs (:math:`y_s = -1`) at
  :math:`\bar\ell \le \ell_{\max}`;
* else **triplet** if it reaches strong coupling as :math:`S_z = 0` triplet / SDW_z (:math:`y_s = +1`, e.g. the
  relative phase :math:`\theta = \pi`; ``docs/physics.md``): a spin gap too, of the other kind;
* else **decoupled** (the primary wire stays a gapless Luttinger liquid down to :math:`e^{-\ell_{\max}}\Lambda`).

Energy scales, in units of the bandwidth :math:`\Lambda`: spin gap :math:`e^{-\ell_{\rm gap}}` (either kind; after a
hand-over, the gap of the dropped reading, never one read from a flow continued past ``y_strong``), trion scale
:math:`e^{-\bar{\bar\ell}}c_1(\bar{\bar\ell})` (Fig. 5; :math:`e^{-\bar{\bar\ell}}` in ``cic``, whose flowing
mismatch already holds the cutoff), which is also the spin-sector scale of the trion phase.

**Order.** With the spin gapped, the CDW of pairs :math:`e^{i\sqrt2\phi_c}` (SDW_z for triplets) and the pair
operator :math:`e^{i\sqrt2\theta_c}` (S_z = 0 triplet pairs) have the dimensions :math:`\Delta_{\rm CDW} =
b^TCb/4` with :math:`b = (\sqrt2, -\sqrt2Q)` and :math:`\Delta_{\rm SC} = G_{11}/2`, from the correlation matrix at
the spin gap; :math:`\chi \sim \omega^{2\Delta-2}`. On the line (13) with the paper's flow they are
:math:`\tilde K_c + Q^2\tilde K - 2` and :math:`1/\tilde K_c - 2`, and SC wins iff
:math:`\tilde K_c + Q^2\tilde K > 1/\tilde K_c` (Eq. 18). Trion phase: SC iff :math:`K_f > 3`, with :math:`K_f`
the exact Schur complement (:func:`pairing1d.theory.gaussian.trion_mode`; Eq. 20's value is kept as ``Kf_eq20``).

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

from . import flow_equations as fe
from .ensemble import CERTAINTIES, ENSEMBLE_FLOWS, certainty_of, member_name
from .ensemble import UNDETERMINED as _UNDETERMINED_CODE
from .flow_equations import HANDOVER_FACTORS
from .model import SCHEMES, Model, check_model
from .rg import FlowResult, solve_flow
from .strong_coupling import critical_mismatch, handover_verdict, lock_after_gap, soliton_charge
from .trion import sc_threshold

__all__ = ["PHASES", "PhaseResult", "classify", "phase_of", "susceptibility_exponents", "order_exponents",
           "pokrovsky_talapov", "Ensemble", "ensemble_of"]

PHASES = ("decoupled", "paired", "trion", "triplet", "undetermined")
"""Phase names; their index is the integer code used in sweeps. ``undetermined``: the strong-coupling step cannot
decide (:mod:`pairing1d.theory.strong_coupling`)."""

Phase = Literal["decoupled", "paired", "trion", "triplet", "undetermined"]


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


def pokrovsky_talapov(row: np.ndarray, handover: dict[str, float] | None, y: float) -> dict[str, Any] | None:
    r"""The locking test of the strong-coupling step (:mod:`pairing1d.theory.strong_coupling`) at a hand-over, as
    energies.

    At the hand-over scale :math:`\alpha_h = \alpha_0e^{\ell_h}` the classical soliton of the locked vertex (a
    :math:`2\pi` kink of :math:`b\cdot\Phi`, the other direction of :math:`\Phi` relaxed) costs
    :math:`E_{\rm sol} = \frac{4\sqrt2}{\pi\alpha_h}\sqrt{\bar u y/b^TM^{-1}b}`, and the running mismatch
    :math:`\delta` is a chemical potential :math:`E_\mu = 2\delta/(\alpha_h b^TM^{-1}b)` per soliton: the cheapest
    uniform twist :math:`\Phi \to \Phi + vx`, :math:`b\cdot v = \delta/\alpha_h`, :math:`v \propto M^{-1}b`. With
    :math:`\phi_f` held instead (Eq. C2's :math:`M_{gg}`, the pinned combination :math:`a = (\sqrt2, p)` of the
    unrotated basis), :math:`E_\mu^{C2} = 2\delta\,a^TMa/(\alpha_h|a|^4) \ge E_\mu`. Locked iff
    :math:`E_{\rm sol} > E_\mu` (the same test as :math:`\delta < \delta_c`). Energies in units of
    :math:`\Lambda = u_c/\alpha_0`; ``row`` is the packed row of the flow, ``y`` the threshold reached. None without
    a hand-over."""
    if handover is None:
        return None
    v, ubar = row[fe.P_VREF], row[fe.P_VREF] * math.sqrt(row[fe.P_FV])
    G0, M0 = (row[fe.G11], row[fe.G12], row[fe.G22]), (row[fe.P_M11], row[fe.P_M12], row[fe.P_M22])
    b = np.array([math.sqrt(2.0), row[fe.P_B1]])
    M = np.array([[M0[0] + v * (handover["g11"] - G0[0]), M0[1] + v * (handover["g12"] - G0[1])],
                  [0.0, M0[2] + v * (handover["g22"] - G0[2])]])
    M[1, 0] = M[0, 1]
    q = float(soliton_charge(handover["g11"], handover["g12"], handover["g22"], G0, M0, b[1], v, ubar))
    scale = math.exp(-handover["l"])
    e_sol = (4.0 * math.sqrt(2.0) / math.pi) * scale * ubar * math.sqrt(y / q)
    e_mu = 2.0 * handover["delta1"] * ubar * scale / q
    # phi_f held: the twist along the pinned combination a = (sqrt2, p) itself, in the unrotated basis (b^T M b is
    # not invariant under the rotation, b^T M^-1 b is)
    Q = -(row[fe.P_B1] + row[fe.P_B2]) / (2.0 * math.sqrt(2.0))
    t_inv = np.array([[1.0, Q], [0.0, 1.0]])
    M_bare_basis = t_inv.T @ M @ t_inv
    a = np.array([math.sqrt(2.0), 0.5 * (row[fe.P_B1] - row[fe.P_B2])])
    e_mu_c2 = 2.0 * handover["delta1"] * scale * float(a @ M_bare_basis @ a) / float(a @ a) ** 2
    return {"l_handover": handover["l"], "y": y, "mismatch": handover["delta1"],
            "critical_mismatch": float(critical_mismatch(y, q)), "soliton_energy": e_sol,
            "mismatch_energy": e_mu, "mismatch_energy_c2": e_mu_c2, "locked": bool(e_sol > e_mu),
            "trion": bool(e_sol > e_mu)}


@dataclass(frozen=True)
class PhaseResult:
    """Phase, energy scales (units of the bandwidth), dominant order and trustworthiness of one device.

    ``spin_gap`` (either kind, ``spin_gap_type`` "singlet" or "triplet") and ``trion_scale`` are None when their
    event was not reached (``trion_scale`` exists only in the trion phase: an ``l_bbar`` past the cutoff of a tanh
    scheme is recorded but forms no trion; in the trion phase the spin-sector scale *is* the trion scale); after a
    hand-over (``hand_over``, the record of the strong-coupling step) the spin gap is the one of the vertex dropped at
    the hand-over, never one read from the flow continued past ``y_strong``; ``l_gap`` is the RG time of the quoted
    spin-sector scale. The order exponents and the correlations at the spin gap are set in the paired and triplet
    phases, ``Kf`` (exact) and ``Kf_eq20`` (the paper's Eq. 20) in the trion phase. ``controlled`` says whether the
    verdict stays inside the perturbative range (``uncontrolled_reason`` says why not); ``notes`` lists what the
    user should know (e.g. an SU(2) line that was not enforced).
    ``verdict_by_scheme``, ``pokrovsky_talapov`` and the verdict ensemble (``ensemble``, ``agreement``,
    ``certainty``: :mod:`pairing1d.theory.ensemble`) are computed on first use (more flows).
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
    l_gap: float | None = None
    hand_over: dict[str, Any] | None = None

    @property
    def model(self) -> Model:
        return self.flow.model

    @property
    def code(self) -> int:
        """Integer code of the phase: 0 decoupled, 1 paired, 2 trion, 3 triplet, 4 undetermined."""
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
        """:func:`pokrovsky_talapov` at this device's hand-over (None without one: no inter-wire vertex reached
        ``y_strong`` while it acted, or a tanh scheme)."""
        if self.hand_over is None:
            return None
        return pokrovsky_talapov(self.flow.row, self.flow.handovers[self.hand_over["threshold"]],
                                 self.hand_over["y"])

    @functools.cached_property
    def _ensemble(self):
        return ensemble_of(self)

    @property
    def ensemble(self) -> dict[str, str]:
        """The phase under every member of the verdict ensemble (:mod:`pairing1d.theory.ensemble`): member name ->
        phase."""
        return self._ensemble.members

    @property
    def agreement(self) -> float:
        """The fraction of the ensemble's members that give the reported phase."""
        return self._ensemble.agreement

    @property
    def certainty(self) -> str:
        """``"robust"`` (every member agrees), ``"leaning"`` (a clear majority) or ``"undetermined"``
        (:func:`pairing1d.theory.ensemble.certainty_of`)."""
        return self._ensemble.certainty

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the phase, its certainty and its ensemble, its scales, order and control, the verdict
        under every scheme, the strong-coupling step, the bare dimensions and the derived bare parameters."""
        m = self.model
        return {
            "phase": self.phase, "certainty": self.certainty, "agreement": self.agreement,
            "ensemble": self.ensemble,
            "controlled": self.controlled, "uncontrolled_reason": self.uncontrolled_reason,
            "verdict_by_scheme": self.verdict_by_scheme,
            "l_bar": self.l_bar, "l_bbar": self.l_bbar, "l_runaway": self.flow.l_runaway, "l_gap": self.l_gap,
            "spin_gap": self.spin_gap, "spin_gap_type": self.spin_gap_type, "trion_scale": self.trion_scale,
            "dominant_order": self.dominant_order,
            "chi_cdw_exponent": self.chi_cdw_exponent, "chi_sc_exponent": self.chi_sc_exponent,
            "Kc_tilde_bar": self.Kc_tilde_bar, "K_tilde_bar": self.K_tilde_bar, "K_mixed_bar": self.K_mixed_bar,
            "Kf": self.Kf, "Kf_eq20": self.Kf_eq20, "dimensions": self.dimensions,
            "hand_over": self.hand_over, "pokrovsky_talapov": self.pokrovsky_talapov, "notes": list(self.notes),
            "Q": m.Q, "Kc_tilde0": m.Kc_tilde0, "K_tilde0": m.K_tilde0, "upsilon_theta": m.upsilon_theta_eff,
            "scheme": m.scheme, "flow": m.flow, "regulator": m.regulator, "velocity": m.velocity,
            "lstar_eff": m.lstar_eff, "lmax": m.lmax, "status": self.flow.status,
            "l_drop1": self.flow.l_drop1, "singlet_weight": self.flow.singlet_weight,
        }


REPORTED = HANDOVER_FACTORS.index(1.0)
"""The hand-over threshold of the reported verdict: ``y_strong`` itself."""
UNDETERMINED = PHASES.index("undetermined")
assert UNDETERMINED == _UNDETERMINED_CODE  # the verdict ensemble's copy (pairing1d.theory.ensemble.UNDETERMINED)


def continued_phase(l_bar, l_run, lmax, failed):
    """The phase the flow itself reached, read without a strong-coupling step: paired at its singlet spin gap by
    ``lmax``, triplet at its runaway, undetermined when it failed before either, else decoupled (codes of
    :data:`PHASES`; numbers or arrays, ``inf`` for an event not reached)."""
    l_bar, l_run = np.asarray(l_bar, dtype=float), np.asarray(l_run, dtype=float)
    return np.select([l_bar <= lmax, np.isfinite(l_run), np.asarray(failed, dtype=bool)],
                     [PHASES.index("paired"), PHASES.index("triplet"), UNDETERMINED],
                     PHASES.index("decoupled")).astype(np.int8)


def handover_of_rows(params: np.ndarray, snapshots: np.ndarray, threshold: int, continued: np.ndarray):
    """The strong-coupling step (:func:`pairing1d.theory.strong_coupling.handover_verdict`) of flows given by their
    packed rows ``params[N, ...]``, their hand-over records ``snapshots[N, len(SNAPSHOT)]`` at hand-over ``threshold``
    (an index of :data:`pairing1d.theory.flow_equations.HANDOVER_FACTORS`; ``inf`` in the first column: none) and the
    phase each continued flow reached: ``(phase, l_spin, locked, delta_c, dropped)``. One definition for both paths."""
    p = params
    v = p[:, fe.P_VREF]
    return handover_verdict(
        *(snapshots[:, i] for i in range(len(fe.SNAPSHOT))), y=p[:, fe.P_YSTRONG] * HANDOVER_FACTORS[threshold],
        b2=p[:, fe.P_B1], G0=(p[:, fe.G11], p[:, fe.G12], p[:, fe.G22]),
        M0=(p[:, fe.P_M11], p[:, fe.P_M12], p[:, fe.P_M22]), v_ref=v, ubar=v * np.sqrt(p[:, fe.P_FV]),
        su2=p[:, fe.P_SU2] != 0.0, lmax=p[:, fe.P_LMAX], continued=continued)


def gap_first(params: np.ndarray, states: np.ndarray, l_bar: np.ndarray, l_drop1: np.ndarray, threshold: int,
              candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The second stage of the strong-coupling step (:func:`pairing1d.theory.strong_coupling.lock_after_gap`) for flows
    that reached their singlet spin gap at ``l_bar`` with vertex 1 still acting and below hand-over ``threshold``:
    ``(l_lock, locked)`` (inf, False where it does not apply). ``params`` are packed rows, ``states`` the flows' end
    states, ``candidates`` the devices to consider (paired without a hand-over at this threshold). One definition for
    both paths."""
    n = len(l_bar)
    l_lock = np.full(n, np.inf)
    locked = np.zeros(n, dtype=bool)
    p, st = params, states
    alive = (candidates & (p[:, fe.P_SCHEME] == fe.CIC) & (p[:, fe.P_HAS1] != 0.0) & ~np.isfinite(l_drop1)
             & (st[:, fe.D1] < p[:, fe.P_DDROP]) & (l_bar < p[:, fe.P_LMDROP]))
    idx = np.flatnonzero(alive)
    if not idx.size:
        return l_lock, locked
    l_lock[idx], locked[idx] = lock_after_gap(l_bar[idx], st[idx], p[idx],
                                              p[idx, fe.P_YSTRONG] * HANDOVER_FACTORS[threshold])
    return l_lock, locked


def _correlations(g11: float, g12: float, g22: float) -> dict[str, float]:
    det = g11 * g22 - g12 * g12
    return {"Kc_tilde": g22 / det, "K_tilde": g11 / det, "K_mixed": -g12 / det}


def _strong_coupling_step(flow: FlowResult, threshold: int, continued: int) -> dict[str, Any] | None:
    """The record of the strong-coupling step at hand-over ``threshold`` (None: no hand-over there)."""
    record = flow.handovers[threshold]
    if flow.model.scheme != "cic" or record is None:
        return None
    snap = np.array([[record[name] for name in fe.SNAPSHOT]])
    code, l_spin, locked, delta_c, dropped = handover_of_rows(flow.row[None, :], snap, threshold,
                                                              np.array([continued]))
    return {"threshold": threshold, "y": flow.model.y_strong * HANDOVER_FACTORS[threshold], "l": record["l"],
            "ys": record["zr"], "mismatch": record["delta1"], "critical_mismatch": float(delta_c[0]),
            "locked": bool(locked[0]), "dropped": PHASES[int(dropped[0])], "continued": PHASES[continued],
            "phase": PHASES[int(code[0])], "l_spin": float(l_spin[0]) if math.isfinite(l_spin[0]) else None,
            "correlations": _correlations(record["g11"], record["g12"], record["g22"])}


def classify(flow: FlowResult, threshold: int = REPORTED) -> PhaseResult:
    """Phase, scales, order and control from a solved flow (rules in the module docstring); ``threshold`` picks the
    hand-over threshold (an index of :data:`pairing1d.theory.flow_equations.HANDOVER_FACTORS`: ``y_strong`` times 0.5,
    1,
    2; :data:`REPORTED` for the reported verdict, the others for the verdict ensemble)."""
    from .gaussian import trion_mode

    m = flow.model
    l_bar, l_bbar, l_run = flow.l_bar, flow.l_bbar, flow.l_runaway
    failed = flow.status.startswith("failed")
    continued = int(continued_phase(math.inf if l_bar is None else l_bar, math.inf if l_run is None else l_run,
                                    m.lmax, failed))
    step = _strong_coupling_step(flow, threshold, continued)
    l_gap = flow.l_spin_gap
    correlations = flow.end  # the flow ends at the spin gap
    if step is not None:
        phase: Phase = step["phase"]
        l_gap = step["l_spin"]
        correlations = step["correlations"]  # G is frozen once the vertex is dropped at the hand-over
    elif m.scheme != "cic" and l_bbar is not None and l_bbar < m.lstar_eff:  # the paper's rule (Fig. 4 caption)
        phase = "trion"
        l_gap = l_bbar
    else:
        phase = PHASES[continued] if continued != UNDETERMINED else "decoupled"  # failed: not controlled, below
    l_lock = None
    if phase == "paired" and step is None and m.scheme == "cic":  # a spin gap first: does the vertex lock after it?
        end = np.asarray(flow.sol(flow.l_end), dtype=float)[None, :]
        locks_at, locks = gap_first(flow.row[None, :], end, np.array([l_bar]),
                                    np.array([math.inf if flow.l_drop1 is None else flow.l_drop1]), threshold,
                                    np.array([True]))
        if locks[0]:
            phase, l_lock = "trion", float(locks_at[0])

    trion_scale = spin_gap = gap_type = None
    if phase == "trion" and l_lock is not None:  # the spin gap opened first, the trion formed below it
        trion_scale = math.exp(-l_lock)
        spin_gap, gap_type = math.exp(-l_gap), "singlet"
    elif phase == "trion":  # the trion gap is the scale of the whole spin-and-trion sector
        trion_scale = math.exp(-l_gap) * (1.0 if m.scheme == "cic" else m.cutoff1(l_gap))
        spin_gap, gap_type = trion_scale, "singlet"
    elif phase == "undetermined":
        l_gap = None
    elif phase in ("paired", "triplet") and l_gap is not None:
        spin_gap, gap_type = math.exp(-l_gap), ("singlet" if phase == "paired" else "triplet")
    else:
        l_gap = None
    order = x_cdw = x_sc = kc_bar = k_bar = kx_bar = kf = kf20 = None
    if phase in ("paired", "triplet"):
        kc_bar, k_bar, kx_bar = correlations["Kc_tilde"], correlations["K_tilde"], correlations["K_mixed"]
        x_cdw, x_sc = (float(x) for x in order_exponents(kc_bar, k_bar, kx_bar, m.Q))
        density, pairs = ("CDW", "SC") if phase == "paired" else ("SDW", "TS")
        order = pairs if x_sc < x_cdw else density  # the more divergent susceptibility (Eq. 18 on line 13)
    elif phase == "trion":
        kf, _, kf20 = (float(x) for x in trion_mode(m.Kc0, m.K0, m.u_ratio, m.upsilon, m.upsilon_theta_eff,
                                                    m.vertex_charge))
        order = "SC" if kf > sc_threshold(m.vertex_charge) else "CDW"

    controlled, reason = True, None
    if phase == "undetermined":
        controlled = False
        reason = (f"|y1| reached {step['y']:g} at l = {step['l']:.4g} with the mismatch {step['mismatch']:.3g} "
                  f"above the locking threshold {step['critical_mismatch']:.3g} (no trion), and the spin sector is "
                  f"{step['dropped']} with the vertex dropped there but {step['continued']} with the flow continued "
                  "past it: the strong-coupling step cannot decide")
    elif phase != "trion" and failed:  # the verdict needed the flow past its failure
        controlled = False
        reason = (f"the flow {flow.status[len('failed: '):]} at l = {flow.l_end:.4g} < lmax = {m.lmax:g} "
                  f"({flow.status}); the verdict needs the flow beyond it")
    elif phase != "trion":
        l_verdict = l_gap if l_gap is not None else m.lmax
        # in cic a vertex that reaches strong coupling while it acts is handed over (a dropped one is frozen): only
        # y2, which has no strong-coupling step, can leave the range; in the tanh schemes y1 grows past l* too
        strong = (("y2", flow.l_bbar2),) if m.scheme == "cic" else (("y1", l_bbar), ("y2", flow.l_bbar2))
        for name, l_strong in strong:
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
    if l_lock is not None:
        notes.append(f"the spin gap opened at l = {l_gap:.4g} with the vertex still acting; pinned by it, the vertex "
                     f"reached {m.y_strong * HANDOVER_FACTORS[threshold]:g} at l = {l_lock:.4g} and locks there: a "
                     "trion below the spin gap (Appendix C's order)")
    if step is not None and not step["locked"] and phase != "undetermined":
        notes.append(f"|y1| reached {step['y']:g} at l = {step['l']:.4g} but does not lock (mismatch "
                     f"{step['mismatch']:.3g} > {step['critical_mismatch']:.3g}, Pokrovsky-Talapov): the vertex "
                     f"slides, and the spin sector is {phase} with the vertex dropped there and with the flow "
                     "continued alike")
    if reason:
        notes.append(reason)
    hand_over = None if step is None else {k: v for k, v in step.items() if k != "correlations"}
    return PhaseResult(
        phase=phase, l_bar=l_bar, l_bbar=l_bbar, spin_gap=spin_gap, spin_gap_type=gap_type,
        trion_scale=trion_scale, dominant_order=order, chi_cdw_exponent=x_cdw, chi_sc_exponent=x_sc,
        Kc_tilde_bar=kc_bar, K_tilde_bar=k_bar, K_mixed_bar=kx_bar, Kf=kf, Kf_eq20=kf20,
        controlled=controlled, uncontrolled_reason=reason, notes=tuple(notes), flow=flow, l_gap=l_gap,
        hand_over=hand_over,
    )


def phase_of(model: Model, **solver_options: Any) -> PhaseResult:
    """Solve the flow of ``model`` (:func:`~pairing1d.theory.rg.solve_flow`) and classify it."""
    check_model(model, "phase_of")
    return classify(solve_flow(model, **solver_options))


@dataclass(frozen=True)
class Ensemble:
    """The verdict ensemble of one device: ``members`` (member name -> phase), ``agreement`` and ``certainty``
    (module docstring)."""

    members: dict[str, str]
    agreement: float
    certainty: str


def ensemble_of(result: PhaseResult) -> Ensemble:
    """The verdict ensemble of a classified device (the scipy path): six flows, each classified at the three
    hand-over thresholds; the device's own flow is reused when it is one of them."""
    m = result.model
    phases: dict[str, str] = {}
    for f, (flow, regulator, velocity) in enumerate(ENSEMBLE_FLOWS):
        member = m.replace(scheme="cic", flow=flow, regulator=regulator, velocity=velocity)
        solved = result.flow if member == m else solve_flow(member)
        for k in range(len(HANDOVER_FACTORS)):
            verdict = classify(solved, k)
            phases[member_name((f, k), m.y_strong)] = verdict.phase if verdict.controlled else "undetermined"
    codes = np.array([[PHASES.index(p) for p in phases.values()]])
    agreement, code = certainty_of(np.array([result.code]), codes)
    return Ensemble(members=phases, agreement=float(agreement[0]), certainty=CERTAINTIES[int(code[0])])
