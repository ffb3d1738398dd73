"""How sure is a verdict: the strong-coupling step (locking, the spin sector after the vertex slides), the verdict
ensemble and its certainty rule, by the scipy path and the batched engine alike."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp

from pairing1d import Model, phase_of
from pairing1d.cli import main
from pairing1d.engine.ensemble_batch import pack_ensemble, run_ensemble
from pairing1d.theory.ensemble import CERTAINTIES, ENSEMBLE_FLOWS, LEANING, MEMBERS, certainty_of
from pairing1d.theory.flow_equations import fields_of
from pairing1d.theory.phases import PHASES
from pairing1d.theory.strong_coupling import (
    DECOUPLED,
    PAIRED,
    TRION,
    UNDETERMINED,
    critical_mismatch,
    handover_verdict,
    kt_gap_time,
    soliton_charge,
    spin_after_drop,
)


def run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the done-when devices ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw, phase", [
    (dict(K0=0.3, y0=0.3, lstar=math.inf), "trion"),  # the deep commensurate trion
    (dict(y0=0.001, ys0=0.3), "decoupled"),  # a weak coupling to a repulsive wire
    (dict(ys0=-0.3, y0=0.0), "paired"),  # bare attraction, no vertex: the closed form
])
def test_clear_devices_are_robust(kw, phase):
    r = phase_of(Model(**kw))
    assert r.phase == phase and r.certainty == "robust" and r.agreement == 1.0
    assert len(r.ensemble) == len(MEMBERS) == 18 and set(r.ensemble.values()) == {phase}


def test_the_pokrovsky_talapov_unlocked_point_is_not_a_robust_trion():
    """K0 = 0.4, ys0 = 0.1, y0 = 0.2, l* = 2: the audit's point, a 'controlled trion' under the old rule while its own
    Pokrovsky-Talapov check unlocked it. |y1| reaches 1 with the running mismatch (2.34) above the locking threshold
    (1.08): the vertex slides, y_s(l_h) = +0.01 and the spin sector stays gapless with the vertex dropped there and
    with the flow continued alike."""
    r = phase_of(Model(K0=0.4, ys0=0.1, y0=0.2, lstar=2.0))
    step = r.hand_over
    assert step is not None and not step["locked"] and step["mismatch"] > step["critical_mismatch"]
    assert step["dropped"] == step["continued"] == "decoupled" and r.phase == "decoupled"
    assert not (r.phase == "trion" and r.certainty == "robust")
    assert r.pokrovsky_talapov["soliton_energy"] < r.pokrovsky_talapov["mismatch_energy"]


def test_flow_json_carries_the_ensemble(capsys):
    code, out, err = run(["flow", "--K0", "0.3", "--y0", "0.3", "--lstar", "inf", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert len(data["ensemble"]) >= 9 and data["certainty"] in CERTAINTIES and 0 <= data["agreement"] <= 1
    assert data["certainty"] == "robust" and set(data["ensemble"].values()) == {"trion"}
    assert data["hand_over"]["locked"] and data["pokrovsky_talapov"]["locked"]
    code, out, err = run(["flow", "--K0", "0.3", "--y0", "0.3", "--lstar", "inf"], capsys)
    assert code == 0 and "robust" in out and "verdict ensemble (18 members): trion 18" in out


# --- the certainty rule -----------------------------------------------------------------------------------------


def test_certainty_rule():
    """robust: every member; leaning: at least two thirds; undetermined: fewer, or an undetermined reported phase."""
    P, D, U = PHASES.index("paired"), PHASES.index("decoupled"), PHASES.index("undetermined")
    members = np.array([[P] * 18, [P] * 12 + [D] * 6, [P] * 11 + [D] * 7, [U] * 18, [P] * 17 + [U]])
    agreement, code = certainty_of(np.array([P, P, P, U, P]), members)
    np.testing.assert_allclose(agreement, [1, 12 / 18, 11 / 18, 1, 17 / 18])
    assert [CERTAINTIES[c] for c in code] == ["robust", "leaning", "undetermined", "undetermined", "leaning"]
    assert 12 / 18 >= LEANING > 11 / 18


# --- the strong-coupling step ------------------------------------------------------------------------------------


def test_critical_mismatch_is_the_classical_soliton_against_the_mismatch_energy():
    """Second witness of delta_c: the kink energy of A psi'^2 + B (1 - cos psi) integrated numerically (Bogomolny:
    int_0^2pi 2 sqrt(A B (1 - cos psi)) dpsi), the stiffness of the b.Phi direction with the other one relaxed found by
    minimizing the quadratic form numerically; E_sol = E_mu exactly at delta = delta_c."""
    from scipy.optimize import minimize_scalar

    M = np.array([[1.7, 0.4], [0.4, 2.9]])
    b = np.array([math.sqrt(2.0), 1.3])
    ubar, y, alpha = 0.8, 0.7, 1.0
    # d Phi / dx = (psi' b + t n) / |b|^2 with n perpendicular to b: minimize over t at psi' = 1
    n = np.array([-b[1], b[0]])
    best = minimize_scalar(lambda t: (b + t * n) @ M @ (b + t * n), bracket=(-5, 5)).fun / (b @ b) ** 2
    assert best == pytest.approx(1.0 / float(b @ np.linalg.solve(M, b)), rel=1e-8)
    A = best / (2 * math.pi)  # H = (1/2pi) dPhi^T M dPhi -> A psi'^2
    B = math.pi * ubar * y / (2 * math.pi**2 * alpha**2)  # |g| / (2 pi^2 alpha^2), |g| = pi u_bar y
    e_sol = quad(lambda p: 2 * math.sqrt(A * B * (1 - math.cos(p))), 0, 2 * math.pi)[0]
    assert e_sol == pytest.approx(8 * math.sqrt(2 * A * B), rel=1e-10)  # (1/2) psi'^2 + 1 - cos psi: 8
    q = ubar * float(b @ np.linalg.solve(M, b))
    delta_c = float(critical_mismatch(y, q))
    e_mu = 2 * delta_c * best / alpha  # the chemical potential per 2 pi kink at the critical mismatch
    assert e_mu == pytest.approx(e_sol, rel=1e-10)
    # the same from the flow's variables: M = M0 + v_ref (G - G0) with G = G0
    G0 = (1.0, 0.2, 1.5)
    assert float(soliton_charge(*G0, G0, (M[0, 0], M[0, 1], M[1, 1]), b[1], 0.6, ubar)) == pytest.approx(q)


@pytest.mark.parametrize("rho, inv_ks", [(0.2, 0.85), (0.05, 1.2), (0.4, 1.0), (0.3, 0.98), (0.02, 0.9)])
def test_kt_gap_time_against_the_flow(rho, inv_ks):
    """The spin sector alone off the SU(2) line, d rho/dl = (2 - 2 Ks) rho, d Ks^-1/dl = rho^2 / 2, integrated with
    solve_ivp to rho = 1 (or to its end), against the closed form of the invariant rho^2 - 8 (k - ln k)."""
    def rhs(l, s):
        return [(2 - 2 / s[1]) * s[0], s[0] ** 2 / 2]

    def reach(l, s):
        return s[0] - 1.0
    reach.terminal = True
    sol = solve_ivp(rhs, (0, 400), [rho, inv_ks], events=reach, rtol=1e-11, atol=1e-13)
    t = kt_gap_time(rho, inv_ks)
    if len(sol.t_events[0]):
        assert t == pytest.approx(sol.t_events[0][0], rel=1e-6)
    else:
        assert t is None and sol.y[0, -1] < 1e-3


def test_spin_after_drop_on_the_su2_line():
    """dy_s/dl = -y_s^2 from the hand-over: a negative y_s reaches -1 at l_h + (1 - |y_s|)/|y_s| (by solve_ivp too),
    a positive one dies out; and a gap past lmax is no gap."""
    phase, l_gap = spin_after_drop([1.5, 1.5, 1.5], [-0.2, 0.05, -0.01], [0.0] * 3, [1.0] * 3, True, [20.0] * 3)
    sol = solve_ivp(lambda l, y: [-y[0] ** 2], (1.5, 20), [-0.2], events=lambda l, y: y[0] + 1, rtol=1e-12,
                    atol=1e-14, method="DOP853")
    assert l_gap[0] == pytest.approx(sol.t_events[0][0], rel=1e-7) and phase[0] == PAIRED
    assert phase[1] == DECOUPLED and phase[2] == DECOUPLED and np.isinf(l_gap[1:]).all()


def test_handover_verdict_rules():
    """locked -> trion at the hand-over scale; unlocked -> the phase both readings agree on, else undetermined; no
    hand-over -> the continued flow's phase."""
    G0, M0 = (1.0, 0.0, 2.0), (1.0, 0.0, 2.0)
    common = dict(y=1.0, b2=1.8, G0=G0, M0=M0, v_ref=1.0, ubar=1.0, su2=True, lmax=20.0)
    q = float(soliton_charge(*G0, G0, M0, 1.8, 1.0, 1.0))
    dc = float(critical_mismatch(1.0, q))
    l_h = np.array([2.0, 2.0, 2.0, 2.0, np.inf])
    zr = np.array([-0.3, -0.3, 0.1, 0.1, 0.0])
    delta = np.array([0.5 * dc, 2 * dc, 2 * dc, 2 * dc, 0.0])
    continued = np.array([PAIRED, PAIRED, DECOUPLED, PAIRED, DECOUPLED])
    phase, l_spin, locked, _, dropped = handover_verdict(l_h, zr, 0 * zr, 1 + 0 * zr, *(np.ones(5),) * 2,
                                                         np.full(5, 2.0), delta, continued=continued, **common)
    assert list(phase) == [TRION, PAIRED, DECOUPLED, UNDETERMINED, DECOUPLED]
    assert list(locked) == [True, False, False, False, False] and dropped[1] == PAIRED and dropped[3] == DECOUPLED
    assert l_spin[0] == 2.0 and l_spin[1] == pytest.approx(2.0 + 0.7 / 0.3) and np.isinf(l_spin[2:]).all()


def test_a_trion_is_locked_and_a_slid_vertex_is_not():
    """Along a row of Fig. 4 (K0 = 0.4, y0 = 0.2) every trion verdict has its hand-over mismatch below the locking
    threshold and every other hand-over above it: the trion rule is the locking test."""
    for lstar in np.linspace(1.0, 6.0, 11):
        r = phase_of(Model(K0=0.4, y0=0.2, lstar=float(lstar)))
        if r.hand_over is not None:
            assert (r.phase == "trion") == r.hand_over["locked"] == (r.hand_over["mismatch"]
                                                                     < r.hand_over["critical_mismatch"])
        else:
            assert r.phase != "trion"


# --- one pass of the engine against the scipy path ---------------------------------------------------------------


def test_batched_ensemble_equals_the_scipy_ensemble():
    """90 random devices of every option: each member's phase by the engine's one pass equals the scipy path's, and
    so do agreement and certainty (the paths share the classification, not the integration)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_engine import near_boundary, random_models

    models = random_models(90, seed=28)
    batch = run_ensemble(fields_of(models))
    differ = 0
    for i, m in enumerate(models):
        r = phase_of(m)
        codes = [PHASES.index(p) for p in r.ensemble.values()]
        if codes != batch.members[i].tolist() or CERTAINTIES[batch.certainty[i]] != r.certainty:
            differ += 1
            assert near_boundary(m, r), (m, r.ensemble, batch.members[i])
    assert differ <= 1
    assert set(batch.certainty.tolist()) == {0, 1, 2}  # the sample is not trivial


def test_one_pass_shares_rows():
    """At u = uc the three velocity conventions are one row, and the default device's own flow is the ensemble's
    default flow: four flows per device; a device off those choices gets its own row too."""
    base = fields_of([Model(K0=0.4, y0=0.2, lstar=2.0)] * 3)
    rows = pack_ensemble(base)
    assert len(rows.params) == 4 * 3 and np.all(rows.own == rows.flows[:, 0])
    assert np.all(rows.flows[:, 3] == rows.flows[:, 0]) and np.all(rows.flows[:, 4] == rows.flows[:, 0])
    slow = fields_of([Model(K0=0.4, y0=0.2, lstar=2.0, u_ratio=0.5, scheme="printed")])
    assert len(pack_ensemble(slow).params) == 1 + len(ENSEMBLE_FLOWS)


def test_lock_after_gap_against_its_closed_form():
    """Without feedback and lock-in (fv = lock = 0) the vertex's flow after the gap is linear: ln y grows at
    2 - b^T C b / 4 and delta as e^l, so the hand-over (or the drop) is at a closed-form RG time; a commensurate vertex
    locks, one whose mismatch runs out first does not."""
    from pairing1d.theory import flow_equations as fe
    from pairing1d.theory.strong_coupling import lock_after_gap

    G = (1 / 0.8, 0.0, 1 / 0.4)  # C = diag(0.8, 0.4)
    b2 = 1.8
    dimension = (2 * 0.8 + b2 * b2 * 0.4) / 4
    row = fe.pack_model(Model(y0=0.3, lstar=math.inf))
    row[[fe.G11, fe.G12, fe.G22]] = G
    row[[fe.P_M11, fe.P_M12, fe.P_M22]] = G
    row[fe.P_B1], row[fe.P_FV], row[fe.P_LOCK], row[fe.P_LMAX] = b2, 0.0, 0.0, 40.0
    params = np.array([row, row])
    states = params[:, :fe.N_STATE].copy()
    states[:, fe.U1] = math.log(0.3)
    states[:, fe.D1] = [0.0, 1.5]
    l_lock, locked = lock_after_gap(np.array([2.0, 2.0]), states, params, 1.0)
    expected = 2.0 + math.log(1 / 0.3) / (2 - dimension)
    assert l_lock[0] == pytest.approx(expected, abs=1e-6) and locked[0]
    # the mismatch 1.5 reaches the drop after ln(2.405 / 1.5) = 0.47, before the vertex's 0.94: no hand-over
    assert math.log(fe.J01 / 1.5) < expected - 2.0 and np.isinf(l_lock[1]) and not locked[1]
