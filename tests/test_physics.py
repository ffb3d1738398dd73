"""Physics of the model, the flow of Eq. (16) and the phases: closed forms, limits, symmetries.

The paper's own equations are tested with ``flow='paper'`` and its tanh schemes; the controlled flow (the default)
has its own tests in ``test_flow.py``."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from pairing1d import Model, ModelError, phase_of, solve_flow
from pairing1d.theory.flow_equations import P_B1, P_B2, pack_model
from pairing1d.theory.model import lstar_from_momenta, mass_cutoff
from pairing1d.theory.rg import flow_rhs
from pairing1d.theory.trion import trion_sector, trion_sector_of_model

# --- Eq. (13)-(14): the rotation, done independently with matrices ----------------------------------------------


def rotate(uc, u, Kc, K, V_phi, V_theta, Q):
    r"""Apply :math:`\phi_c \to \phi_c - Q\phi`, :math:`\theta \to \theta + Q\theta_c` to the quadratic forms
    :math:`(\partial\phi_c, \partial\phi)` and :math:`(\partial\theta_c, \partial\theta)` of Eq. (9), (11), (12);
    return the rotated 2x2 matrices (in units of 1/(2 pi))."""
    phi = np.array([[uc / Kc, V_phi / np.pi], [V_phi / np.pi, u / K]])
    theta = np.array([[uc * Kc, V_theta / np.pi], [V_theta / np.pi, u * K]])
    # (phi_c, phi)_old = M (phi_c, phi)_new with phi_c_old = phi_c - Q phi
    m_phi = np.array([[1.0, -Q], [0.0, 1.0]])
    m_theta = np.array([[1.0, 0.0], [Q, 1.0]])  # theta_old = theta + Q theta_c
    return m_phi.T @ phi @ m_phi, m_theta.T @ theta @ m_theta


@pytest.mark.parametrize("V, u, uc, Kc, K", [(0.3, 0.5, 1.0, 0.9, 0.4), (0.8, 1.3, 0.7, 0.6, 0.3), (0.1, 1, 1, 1, 1)])
def test_rotation_gives_eq14_and_Q(V, u, uc, Kc, K):
    """Eq. (13) makes the rotation remove both forward couplings; the diagonal Luttinger parameters are Eq. (14)
    with upsilon = sqrt(Kc K) V_phi / (pi sqrt(uc u)) -- the definition the package uses."""
    model = Model.from_density_coupling(V, u=u, uc=uc, Kc=Kc, K=K, ys0=0.1, line13=True)
    V_phi = math.sqrt(2) * V
    V_theta = -V_phi * (u / uc) * Kc * K  # Eq. (13)
    Q = V_phi * Kc / (math.pi * uc)
    phi, theta = rotate(uc, u, Kc, K, V_phi, V_theta, Q)
    assert phi[0, 1] == pytest.approx(0.0, abs=1e-12) and theta[0, 1] == pytest.approx(0.0, abs=1e-12)
    Kc_tilde = math.sqrt(theta[0, 0] / phi[0, 0])
    K_tilde = math.sqrt(theta[1, 1] / phi[1, 1])
    assert model.Kc_tilde0 == pytest.approx(Kc_tilde, rel=1e-12)
    assert model.K_tilde0 == pytest.approx(K_tilde, rel=1e-12)
    assert model.Q == pytest.approx(Q, rel=1e-12)
    # standard bosonization: g1 = 2V, and Eq. (16) is exact for y = g1 / (sqrt2 pi u_bar) (docs/physics.md Sec. 12)
    assert model.y0 == pytest.approx((2 * V) / (math.sqrt(2) * math.pi * (uc + u) / 2), rel=1e-12)
    paper = Model.from_density_coupling(V, u=u, uc=uc, Kc=Kc, K=K, ys0=0.1, line13=True, y_normalization="paper")
    assert paper.y0 == pytest.approx((V / 2) / (math.pi * (uc + u) / 2), rel=1e-12)  # the paper's g1 = V/2


def test_eq14_numbers():
    """Eq. (14) at Fig. 4's parameters: Kc~0 = sqrt(1 - 0.12^2) 0.9, K~0 = 0.6/sqrt(1 - 0.12^2)."""
    m = Model(Kc0=0.9, K0=0.6, upsilon=0.12, u_ratio=1.0)
    assert m.Kc_tilde0 == pytest.approx(0.9 * math.sqrt(1 - 0.0144), rel=1e-14)
    assert m.K_tilde0 == pytest.approx(0.6 / math.sqrt(1 - 0.0144), rel=1e-14)
    assert m.Q == pytest.approx(0.12 * math.sqrt(0.9 / 0.6), rel=1e-14)
    m2 = Model(Kc0=0.8, K0=0.5, upsilon=0.3, u_ratio=2.0)
    assert m2.Kc_tilde0 == pytest.approx(0.8 * math.sqrt(1 - 0.36), rel=1e-14)


def test_eq15_and_b1():
    kF, alpha0 = 2.0, 0.5
    l1, l2 = lstar_from_momenta(kF, -1.9, alpha0)
    assert l1 == pytest.approx(math.log(1 / (0.1 * 0.5))) and l2 == pytest.approx(math.log(1 / (3.9 * 0.5)))
    assert lstar_from_momenta(1.0, -1.0, 1.0)[0] == math.inf  # commensurate
    assert mass_cutoff(2.0, 1.5, 10.0) == pytest.approx(math.log(10.0 / 0.5))
    m = Model(lstar=5.0, lmass=mass_cutoff(2.0, 1.5, 10.0))
    assert m.lstar_eff == pytest.approx(math.log(20.0))


# --- validation -----------------------------------------------------------------------------------------------

BAD = [
    dict(Kc0=0.0), dict(Kc0=-1.0), dict(Kc0=math.nan), dict(Kc0=math.inf), dict(K0=0.0), dict(K0=math.nan),
    dict(ys0=-1.0), dict(ys0=1.0), dict(ys0=math.nan), dict(y0=1.0), dict(y0=-1.2), dict(y0=math.inf),
    dict(y2=1.0), dict(y0=0.3, y_strong=0.2), dict(upsilon=1.0), dict(upsilon=-1.0), dict(upsilon=math.nan),
    dict(u_ratio=0.0), dict(u_ratio=2.0, upsilon=0.6), dict(u_ratio=math.inf), dict(chi=0.0), dict(chi=math.nan),
    dict(lstar=math.nan), dict(lstar=-math.inf), dict(lstar2=math.nan), dict(lmass=-math.inf), dict(lmax=0.0),
    dict(lmax=math.inf), dict(lmax=math.nan), dict(temperature=0.0), dict(temperature=1.0),
    dict(temperature=math.nan), dict(lmax=5.0, temperature=0.1), dict(y_strong=0.0), dict(y_strong=math.inf),
    dict(scheme="exact"), dict(su2="yes"), dict(theta=math.inf), dict(theta=math.nan), dict(Kc0="0.9"),
    dict(K0=True), dict(upsilon_theta=1.0), dict(upsilon_theta=-1.5), dict(upsilon_theta=math.nan),
    dict(upsilon_theta="0"), dict(flow="exact"), dict(flow="paper", upsilon_theta=0.0),
]


@pytest.mark.parametrize("kw", BAD, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_every_bad_input_is_one_model_error(kw):
    """One ModelError (a ValueError), one line, naming the parameter."""
    with pytest.raises(ModelError) as info:
        Model(**kw)
    message = str(info.value)
    assert isinstance(info.value, ValueError) and "\n" not in message
    assert any(name in message for name in kw)
    if not set(kw) & {"temperature", "scheme", "flow"} and not isinstance(next(iter(kw.values())), str | bool):
        assert "allowed" in message or "not a" in message


def test_model_is_immutable_and_replace_revalidates():
    m = Model()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.K0 = 0.3  # type: ignore[misc]
    assert m.replace(K0=0.3).K0 == 0.3
    with pytest.raises(ModelError):
        m.replace(K0=-0.3)
    t = Model(temperature=1e-3)
    assert t.lmax == pytest.approx(math.log(1e3))
    assert t.replace(lmax=5.0).temperature is None


# --- the flow -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ys0", [-0.05, -0.1, -0.2, -0.5, -0.8])
def test_su2_closed_form(ys0):
    """SU(2) line with y = 0: ys(l) = ys0/(1 + ys0 l), so l_bar = (1-|ys0|)/|ys0|."""
    flow = solve_flow(Model(ys0=ys0, y0=0.0, lmax=50.0))
    assert flow.l_bar == pytest.approx((1 - abs(ys0)) / abs(ys0), abs=1e-6)
    l = np.linspace(0, flow.l_bar * 0.999, 50)
    np.testing.assert_allclose(flow.at(l)["ys"], ys0 / (1 + ys0 * l), rtol=1e-7)


def state_of(model: Model, **values) -> tuple[np.ndarray, np.ndarray]:
    """(state, row) of ``model`` at its bare values, with some couplings replaced: ys, Ks, y1, y2, Kc_tilde, K_tilde
    (a diagonal correlation matrix in the rotated basis)."""
    from pairing1d.theory import flow_equations as fe

    row = pack_model(model)
    s = row[: fe.N_STATE].copy()
    if "ys" in values:
        s[fe.ZR] = values["ys"]
    if "Ks" in values:
        s[fe.INV_KS] = 1 / values["Ks"]
    for i, name in enumerate(("y1", "y2")):
        if name in values:
            s[fe.U1 + 2 * i] = math.log(abs(values[name]))
            s[fe.A1 + 2 * i] = 0.0 if values[name] > 0 else math.pi
    if "Kc_tilde" in values:
        s[fe.G11], s[fe.G12], s[fe.G22] = 1 / values["Kc_tilde"], 0.0, 1 / values["K_tilde"]
    return s, row


def test_free_limit():
    """Kc~ = Ks = K~ = 1, Q = 0: y is marginal (its scaling dimension is 2); with ys > 0 it is irrelevant."""
    for flow in ("paper", "consistent"):
        free = Model(Kc0=1.0, K0=1.0, upsilon=0.0, ys0=1e-12, y0=0.05, lstar=math.inf, flow=flow)
        s, row = state_of(free, ys=0.0, Ks=1.0, y1=0.05, Kc_tilde=1.0, K_tilde=1.0)
        assert flow_rhs(0.0, s, row)[3] == pytest.approx(0.0, abs=1e-15)  # d ln|y1| / dl
        m = Model(Kc0=1.0, K0=1.0, upsilon=0.0, ys0=0.1, y0=0.05, lstar=math.inf, flow=flow)
        flow_ = solve_flow(m)
        assert np.all(np.diff(np.abs(flow_.y1)) < 0)  # irrelevant
        # ys decays as ys0/(1 + ys0 l) (marginal irrelevance), a little faster for the y^2 term of Eq. (16a)
        assert 0 < flow_.ys[-1] < 0.1 / (1 + 0.1 * flow_.l_end)
        assert phase_of(m).phase == "decoupled"


def independent_rhs(l, s, m: Model):
    """Eq. (16a)-(16f) transcribed again from the paper, with the options of DESIGN.md Sec. 2, on the engine's
    variables (ys, 1/Ks, y1, y2, 1/K~, 1/Kc~); the relative phase theta = 0 or pi (g_down = -g_up) puts cos(theta)
    on the y^2 term of (16a) and on the -ys y/2 of (16c-d) (docs/physics.md)."""
    ys, inv_ks, y1, y2, inv_k, inv_kc = s
    c1 = 0.5 * (1 - math.tanh((l - min(m.lstar, m.lmass)) / m.chi))
    c2 = 0.5 * (1 - math.tanh((l - min(m.lstar2, m.lmass)) / m.chi))
    Ks = 1 + ys / 2 if m.su2_enforced else 1 / inv_ks
    Q, Kt, Kct, cos = m.Q, 1 / inv_k, 1 / inv_kc, math.cos(m.theta)
    f1 = c1 if m.scheme == "frozen" else 1.0
    f2 = c2 if m.scheme == "frozen" else 1.0
    return np.array([
        (2 - 2 * Ks) * ys - cos * (c1 * y1**2 + c2 * y2**2) / 4,
        0.0 if m.su2_enforced else ys**2 / 2 + (c1 * y1**2 + c2 * y2**2) / 8,
        f1 * (2 - Kct / 2 - Ks / 2 - (1 - Q / math.sqrt(2)) ** 2 * Kt - cos * ys / 2) * y1,
        f2 * (2 - Kct / 2 - Ks / 2 - (1 + Q / math.sqrt(2)) ** 2 * Kt - cos * ys / 2) * y2,
        (c1 * y1**2 + c2 * y2**2) / 4,
        (c1 * y1**2 + c2 * y2**2) / 8,
    ])


def as_eq16(l, s, row, m: Model) -> np.ndarray:
    """The package's right-hand side in Eq. (16)'s variables (theta = 0 or pi: the vertices stay real up to the
    phase -theta/2, which the chain rule below removes)."""
    from pairing1d.theory import flow_equations as fe

    d = flow_rhs(l, s, row)
    y1, y2 = (math.exp(s[fe.U1 + 2 * i]) for i in range(2))
    return np.array([d[fe.ZR], d[fe.INV_KS], d[fe.U1] * y1, d[fe.U2] * y2, d[fe.G22], d[fe.G11]])


def test_rhs_is_eq16():
    from pairing1d.theory import flow_equations as fe

    rng = np.random.default_rng(16)
    for _ in range(200):
        m = Model(Kc0=rng.uniform(0.3, 1.5), K0=rng.uniform(0.1, 1.0), upsilon=rng.uniform(-0.6, 0.6),
                  u_ratio=rng.uniform(0.5, 1.5), lstar=rng.uniform(-1, 6), lstar2=rng.uniform(-1, 6),
                  chi=rng.uniform(0.3, 3), theta=float(rng.choice([0.0, math.pi])), su2=bool(rng.integers(2)),
                  scheme=str(rng.choice(["printed", "frozen"])), lmass=rng.choice([math.inf, rng.uniform(0, 6)]),
                  flow="paper", y0=0.1, y2=0.1)
        ys, ks, y1, y2, kt, kct = (rng.uniform(-0.9, 0.9), rng.uniform(0.5, 2), rng.uniform(0.01, 1),
                                   rng.uniform(0.01, 1), rng.uniform(0.2, 2), rng.uniform(0.3, 2))
        row = pack_model(m)
        s = row[: fe.N_STATE].copy()
        s[fe.ZR], s[fe.INV_KS], s[fe.U1], s[fe.U2] = ys, 1 / ks, math.log(y1), math.log(y2)
        s[fe.G11], s[fe.G12], s[fe.G22] = 1 / kct, 0.0, 1 / kt
        l = rng.uniform(0, 10)
        expected = independent_rhs(l, np.array([ys, 1 / ks, y1, y2, 1 / kt, 1 / kct]), m)
        # the package integrates 1/K~ and 1/Kc~ as G22 and G11
        np.testing.assert_allclose(as_eq16(l, s, row, m), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("p", [2.0, 1.0])
def test_vertex_charge_dimension_and_feedback(p):
    """Secondary charge p: at Q = 0 the tree-level dimension of cos(sqrt2 phi_s) cos(sqrt2 phi_c + p phi) is the sum
    of a^2 K_i / 4 over its charges (sqrt2, sqrt2, p); the feedback on 1/K of a field is a^2 C/16 for its charge a,
    which gives the paper's C/8 for phi_s, phi_c (16b, 16f) and C/4 for phi (16e) at p = 2. The consistent flow
    adds the off-diagonal a_c a_phi C/16 = sqrt2 p C/16 that Eq. (16) drops."""
    from pairing1d.theory import flow_equations as fe

    for flow in ("paper", "consistent"):
        m = Model(Kc0=0.8, K0=0.5, upsilon=0.0, su2=False, vertex_charge=p, lstar=math.inf, flow=flow,
                  scheme="printed")
        assert m.Q == 0
        ks, kt, kct, y1 = 1.1, 0.5, 0.8, 1e-3
        s, row = state_of(m, ys=0.0, Ks=ks, y1=y1, Kc_tilde=kct, K_tilde=kt)
        rhs = flow_rhs(0.0, s, row)
        dimension = (2 * ks + 2 * kct + p * p * kt) / 4
        assert rhs[fe.U1] == pytest.approx(2 - dimension)
        c = y1 * y1  # c1(0) = 1 at lstar = inf
        assert rhs[fe.G22] == pytest.approx(p * p * c / 16) and rhs[fe.G11] == pytest.approx(2 * c / 16)
        assert rhs[fe.INV_KS] == pytest.approx(2 * c / 16)
        assert rhs[fe.G12] == pytest.approx(0.0 if flow == "paper" else math.sqrt(2) * p * c / 16)
        if p == 2:
            assert rhs[fe.G22] == pytest.approx(c / 4)


def test_vertex_charge_with_rotation():
    """With Q != 0 the secondary charges become p -/+ sqrt2 Q (phi_c -> phi_c - Q phi), for both p."""
    for p in (1.0, 2.0):
        m = Model(Kc0=0.8, K0=0.5, upsilon=0.3, vertex_charge=p, lstar=math.inf)
        row = pack_model(m)
        assert row[P_B1] == pytest.approx(p - math.sqrt(2) * m.Q)
        assert row[P_B2] == pytest.approx(-p - math.sqrt(2) * m.Q)
    with pytest.raises(ModelError, match="vertex_charge"):
        Model(vertex_charge=3)


def test_non_su2_follows_the_su2_line_to_leading_order():
    """With y = 0 the KT flow (16a)-(16b) keeps Ks - 1 - ys/2 = O(ys^2)."""
    flow = solve_flow(Model(ys0=0.05, y0=0.0, su2=False, lmax=10.0))
    deviation = flow.Ks - 1 - flow.ys / 2
    assert np.max(np.abs(deviation)) < 2 * 0.05**2


def test_q_favours_y1_over_y2():
    """Fig. 2: repulsive forward scattering (Q > 0) lowers the scaling dimension of y1 and raises that of y2;
    attraction (Q < 0) does the opposite."""
    for upsilon, larger in ((0.3, "y1"), (-0.3, "y2")):
        flow = solve_flow(Model(upsilon=upsilon, y0=0.05, y2=0.05, lstar=30, lstar2=30, lmax=3.0, ys0=0.05))
        y1, y2 = abs(flow.y1[-1]), abs(flow.y2[-1])
        assert (y1 > y2) == (larger == "y1")
    same = solve_flow(Model(upsilon=0.0, y0=0.05, y2=0.05, lstar=30, lstar2=30, lmax=3.0, ys0=0.05))
    assert same.y1[-1] == pytest.approx(same.y2[-1], rel=1e-10)


def test_theta_pi_reverses_eq16a():
    """theta = pi turns the y^2 term of Eq. (16a) from reducing the intra-wire repulsion into increasing it -- but
    the spin gap it then opens is of the other kind (ys -> +1: Sz = 0 triplet / SDW_z), not "decoupled"."""
    paired = Model(K0=0.6, lstar=2.0, ys0=0.0, y0=0.2)
    assert phase_of(paired).phase == "paired"
    opposed = paired.replace(theta=math.pi)
    assert not opposed.su2_enforced  # g_down = -g_up couples to S^z
    flow0, flow_pi = solve_flow(paired), solve_flow(opposed)
    l = np.linspace(0.1, 2.0, 20)
    assert np.all(flow0.at(l)["ys"] < 0) and np.all(flow_pi.at(l)["ys"] > 0)  # ys0 = 0: the y^2 term alone
    r = phase_of(opposed)
    assert r.phase == "triplet" and r.spin_gap_type == "triplet" and r.flow.singlet_weight == pytest.approx(0.0)
    assert r.spin_gap == pytest.approx(math.exp(-r.flow.l_runaway))


def test_frozen_scheme_stops_y1_after_lstar():
    m = Model(K0=0.5, lstar=2.0, scheme="frozen", y0=0.05)
    flow = solve_flow(m)
    late = flow.at(np.array([2.0 + 8 * m.chi, flow.l_end]))["y1"]
    assert late[1] == pytest.approx(late[0], rel=1e-3)
    printed = solve_flow(m.replace(scheme="printed"))
    assert abs(printed.y1[-1]) > 100 * abs(flow.y1[-1])


def test_events():
    flow = solve_flow(Model(K0=0.3, lstar=4.0))
    assert flow.at(flow.l_bbar)["y1"] == pytest.approx(1.0, abs=1e-7)
    assert flow.ys[-1] == pytest.approx(-1.0, abs=1e-7) and flow.l_end == flow.l_bar
    hot = solve_flow(Model(K0=0.3, lstar=4.0, temperature=0.1))
    assert hot.l_end == pytest.approx(math.log(10)) and hot.l_bar is None


def test_tolerance_independence():
    m = Model(K0=0.4, lstar=3.0)
    assert solve_flow(m, rtol=1e-7, atol=1e-10).l_bar == pytest.approx(solve_flow(m).l_bar, abs=1e-5)


# --- phases ---------------------------------------------------------------------------------------------------


PAPER = dict(flow="paper", scheme="printed")
"""Eq. (16) as printed: the paper's own rules are tested on the paper's own flow."""


@pytest.mark.parametrize("kw, phase", [
    (dict(K0=0.6, y0=0.02), "decoupled"), (dict(K0=0.4, lstar=3.0), "paired"), (dict(K0=0.3, lstar=4.0), "trion"),
])
def test_classification_rules(kw, phase):
    r = phase_of(Model(**kw, **PAPER))
    assert r.phase == phase
    m = r.model
    is_trion = r.l_bbar is not None and r.l_bbar < m.lstar_eff
    assert is_trion == (phase == "trion")
    if phase == "paired":
        assert r.l_bar <= m.lmax
    if phase == "decoupled":
        assert r.l_bar is None and r.spin_gap is None and r.dominant_order is None
    if phase == "paired":
        assert r.spin_gap == pytest.approx(math.exp(-r.l_bar))
    if phase == "trion":
        c1 = 0.5 * (1 - math.tanh((r.l_bbar - m.lstar_eff) / m.chi))
        assert r.trion_scale == pytest.approx(math.exp(-r.l_bbar) * c1)
        # the trion phase's spin sector has the trion scale, not a gap read off the flow continued past y_strong
        assert r.l_bar is not None and r.spin_gap == r.trion_scale != pytest.approx(math.exp(-r.l_bar))
    else:  # an l_bbar past the cutoff forms no trion: it is recorded, but no trion scale is quoted
        assert r.trion_scale is None


def test_an_l_bbar_past_the_cutoff_gives_no_trion_scale_in_any_output():
    """The decoupled device of the classification test has |y1| reaching y_strong after l*: the event is recorded
    (Python, batch) but the trion scale is none in PhaseResult, 0 in the batch engine and a sweep."""
    from pairing1d.engine.sweep import sweep

    m = Model(K0=0.6, y0=0.02, **PAPER)
    r = phase_of(m)
    assert r.phase == "decoupled" and r.l_bbar is not None and r.l_bbar > m.lstar_eff
    assert r.trion_scale is None and r.to_dict()["trion_scale"] is None
    ds = sweep(m, y0=[0.02, 0.021])
    assert np.all(np.isfinite(ds["l_bbar"].values)) and np.all(ds["trion_scale"].values == 0.0)


def test_eq18_dominant_order():
    """Paired phase: SC iff Kc~ + Q^2 K~ > 1/Kc~ at l_bar; exponents x_CDW - x_SC = Kc~ + Q^2K~ - 1/Kc~."""
    cdw = phase_of(Model(K0=0.4, lstar=3.0, **PAPER))
    # repulsive primary (Kc0 < 1): SC needs a strong forward coupling and a strongly correlated secondary
    sc = phase_of(Model(Kc0=0.85, K0=0.1, upsilon=0.985, u_ratio=0.82, ys0=0.045, y0=0.27, lstar=1.08, **PAPER))
    assert cdw.phase == sc.phase == "paired"
    assert cdw.dominant_order == "CDW" and sc.dominant_order == "SC"
    for r in (cdw, sc):
        margin = r.Kc_tilde_bar + r.model.Q**2 * r.K_tilde_bar - 1 / r.Kc_tilde_bar
        assert r.chi_cdw_exponent - r.chi_sc_exponent == pytest.approx(margin)
        assert (margin > 0) == (r.dominant_order == "SC")
        assert r.Kc_tilde_bar == pytest.approx(r.flow.Kc_tilde[-1])


def y0_threshold(model: Model, phases=("paired", "trion")) -> float:
    """Smallest y0 on a grid at which the device is in one of ``phases``."""
    for y0 in np.linspace(0.005, 0.4, 80):
        if phase_of(model.replace(y0=float(y0))).phase in phases:
            return float(y0)
    return math.inf


def test_mass_cutoff_moves_the_boundary():
    """Appendix B: a mass cutoff below l* cuts y1 off earlier and raises the pairing threshold in y0; a
    trion is destroyed when l_m < l_bbar."""
    base = Model(K0=0.5, lstar=4.0)
    assert y0_threshold(base.replace(lmass=2.0)) > y0_threshold(base)
    trion = phase_of(Model(K0=0.3, lstar=4.0))
    assert trion.phase == "trion"
    assert phase_of(trion.model.replace(lmass=trion.l_bbar - 0.5)).phase != "trion"


def test_smaller_K_enlarges_nontrivial_phases():
    """Sec. II C: stronger secondary interactions (smaller K) lower the y0 needed for pairing."""
    thresholds = [y0_threshold(Model(K0=k, lstar=2.0)) for k in (0.3, 0.45, 0.6)]
    assert thresholds[0] < thresholds[1] < thresholds[2]


def test_kf_from_the_change_of_basis():
    """Eq. (20): Kf from the quadratic form in the (phi_g, phi_f) basis of Eq. (19), done with matrices."""
    uc, u, Kc, K, V_phi, V_theta = 1.0, 0.7, 0.8, 0.4, 0.5, -0.2
    basis = np.array([[1, math.sqrt(2)], [math.sqrt(2), -1]]) / math.sqrt(3)  # (phi_g, phi_f) from (phi_c, phi)
    phi = np.array([[uc / Kc, V_phi / np.pi], [V_phi / np.pi, u / K]])
    theta = np.array([[uc * Kc, V_theta / np.pi], [V_theta / np.pi, u * K]])
    # phi_old = basis^T phi_new (basis is orthogonal and symmetric)
    phi_f, theta_f = (basis @ phi @ basis.T)[1, 1], (basis @ theta @ basis.T)[1, 1]
    kf, uf = trion_sector(uc, Kc, u, K, V_phi, V_theta)
    assert kf == pytest.approx(math.sqrt(theta_f / phi_f)) and uf == pytest.approx(math.sqrt(theta_f * phi_f))
    # free-trion point Kf = 3 separates trion CDW (Kf < 3) from trion SC; Kf(model) uses the same formula
    m = Model(K0=0.3, lstar=4.0)
    assert trion_sector_of_model(m)[0] < 3 and phase_of(m).dominant_order == "CDW"
