"""Sec. III A: the Mott-ladder secondary (vertex charge 1, back gate) and Little's limit."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pairing1d import ModelError, phase_of
from pairing1d.cli import main
from pairing1d.devices.ladder_scan import back_gate_scan
from pairing1d.theory.ladder import (
    ladder_cutoffs,
    ladder_model,
    ladder_upsilon,
    little_limit,
    polarizer_energy,
)
from pairing1d.theory.model import mass_cutoff, upsilon_from_coupling
from pairing1d.theory.phases import PHASES


def test_gapped_ladder_uses_eq_b1():
    """|mu*| < gap: l_m = ln(Lambda_sec/(gap - |mu*|)) (Eq. B1), even in mu*; l*_i = ln 1/|delta_i|."""
    for mu in (0.0, 0.02, -0.02, 0.049):
        c = ladder_cutoffs(0.05, mu, 0.05, 0.3)
        assert c.regime == "gapped" and c.soliton_kF == 0
        assert c.lmass == pytest.approx(mass_cutoff(0.05, abs(mu), 1.0)) == pytest.approx(-math.log(0.05 - abs(mu)))
        assert c.lstar == pytest.approx(-math.log(0.05)) and c.lstar2 == pytest.approx(-math.log(0.3))


def test_solitons_shift_the_mismatch_and_reach_commensurability():
    """|mu*| > gap: q_F alpha0 = sqrt(mu*^2 - gap^2); the y1 mismatch moves by -sgn(mu*) q_F/2, so
    mu* = sqrt(gap^2 + 4 delta1^2) is commensurate (l*_1 = inf); l*_2 moves the opposite way."""
    gap, d1, d2 = 0.05, 0.04, 0.3
    mu_c = math.sqrt(gap**2 + 4 * d1**2)
    c = ladder_cutoffs(gap, mu_c, d1, d2)
    assert c.regime == "soliton liquid" and c.lmass == math.inf
    assert c.soliton_kF == pytest.approx(2 * d1)
    assert abs(c.mismatch1) < 1e-15 and c.lstar > 30
    assert c.mismatch2 == pytest.approx(d2 + d1)
    # the other sign of the gate moves away from commensurability
    assert ladder_cutoffs(gap, -mu_c, d1, d2).lstar == pytest.approx(-math.log(2 * d1))


def test_cutoffs_are_continuous_at_the_soliton_threshold():
    """At |mu*| -> gap the mass cutoff diverges from below and q_F -> 0 from above: min(l*, l_m) is continuous."""
    gap, d1 = 0.05, 0.05
    below = ladder_cutoffs(gap, gap * (1 - 1e-9), d1)
    above = ladder_cutoffs(gap, gap * (1 + 1e-9), d1)
    assert min(below.lstar, below.lmass) == pytest.approx(min(above.lstar, above.lmass), rel=1e-5)
    assert below.lmass > 20


def test_ladder_model_and_upsilon():
    m = ladder_model(K_minus=0.85, gap=0.05, mu_star=0.01, mismatch1=0.05, ys0=0.05)
    assert m.vertex_charge == 1 and m.K0 == 0.85 and m.ys0 == 0.05
    assert m.lmass == pytest.approx(-math.log(0.04)) and m.lstar == pytest.approx(-math.log(0.05))
    # Eq. (22): V/pi^2 d phi_c d phi_rho1 = V/(sqrt2 pi^2) d phi_c d phi_rho-
    assert ladder_upsilon(0.6, 0.8, 1.0, 0.9, 0.85) == pytest.approx(upsilon_from_coupling(0.6 / math.sqrt(2), 0.8,
                                                                                           1.0, 0.9, 0.85))
    with pytest.raises(ModelError, match="lstar"):
        ladder_model(lstar=3.0)
    for bad in (dict(gap=0.0), dict(gap=1.5), dict(mu_star=1.0), dict(mismatch1=math.nan)):
        with pytest.raises(ModelError):
            ladder_model(**bad)


def test_ladder_vertex_is_more_relevant_than_the_wire_vertex():
    """Sec. III A: with phi_rho- entering with 1 instead of sqrt2 (p = 1 vs 2) the vertex is 'significantly more
    relevant': at equal bare parameters y1 reaches strong coupling where the spinless wire's never does, and at the
    commensurate back gate both lock into a trion, the ladder's at a scale e^4 higher."""
    ladder = ladder_model(K_minus=0.9, gap=0.05, mu_star=0.0, mismatch1=0.05)
    wire = ladder.replace(vertex_charge=2.0)
    r_ladder, r_wire = phase_of(ladder), phase_of(wire)
    assert r_wire.l_bbar is None and r_wire.phase == "decoupled"
    # the ladder's vertex is handed over, but the mismatch is too large for it to lock: it slides (decoupled)
    assert r_ladder.l_bbar is not None and r_ladder.hand_over is not None and not r_ladder.hand_over["locked"]
    commensurate = math.sqrt(0.05**2 + 4 * 0.05**2)  # docs/physics.md Sec. 7: mu* = sqrt(gap^2 + 4 delta_1^2)
    r_ladder = phase_of(ladder.replace(**_cutoffs(commensurate)))
    r_wire = phase_of(r_ladder.model.replace(vertex_charge=2.0))
    assert r_ladder.phase == r_wire.phase == "trion" and r_wire.l_bbar - r_ladder.l_bbar > 4.0


def _cutoffs(mu_star):
    cut = ladder_cutoffs(0.05, mu_star, 0.05, 2.0)
    return {"lstar": cut.lstar, "lstar2": cut.lstar2, "lmass": cut.lmass}


def test_back_gate_sets_the_phase():
    """The scan is the batched engine over ladder_model: it agrees with phase_of point by point, and moving the
    gate towards commensurability (l*_1 growing) turns a paired device into a trion one under the paper's Eq. (16);
    under the controlled default the outer devices are decoupled instead (their "pairing" rested on |y1| > 1), and
    between them and the trion window the strong-coupling step cannot decide (undetermined, not controlled)."""
    mu = np.linspace(-0.3, 0.3, 25)
    paper = dict(flow="paper", scheme="printed")
    ds = back_gate_scan(mu, K_minus=0.9, gap=0.05, mismatch1=0.05, **paper)
    for m, phase in zip(mu, ds["phase"].values, strict=True):
        assert PHASES.index(phase_of(ladder_model(0.9, 0.05, m, 0.05, **paper)).phase) == phase
    assert set(ds["phase"].values) == {1, 2}
    best = int(np.argmax(ds["lstar"].values))
    assert ds["phase"].values[best] == 2 and ds["phase"].values[0] == 1 and ds["controlled"].values[0] == 0
    assert ds.attrs["gap"] == 0.05 and ds["mu_star"].attrs["long_name"].startswith("back-gate")
    default = back_gate_scan(mu, K_minus=0.9, gap=0.05, mismatch1=0.05)
    assert set(default["phase"].values) == {0, 2, 4} and default["phase"].values[best] == 2
    assert default["phase"].values[0] == default["phase"].values[-1] == 0
    assert np.all((default["controlled"].values == 1) == (default["phase"].values != 4))
    assert np.all(default["certainty"].values[default["phase"].values == 4] == 2)
    assert default["certainty"].values[best] == 0 and default["agreement"].values[best] == 1.0
    for m, phase in zip(mu[::4], default["phase"].values[::4], strict=True):
        assert PHASES.index(phase_of(ladder_model(0.9, 0.05, m, 0.05)).phase) == phase


def test_polarizer_is_a_two_level_diagonalization():
    """Independent path: numpy's eigvalsh of [[0, nV], [nV, E~]]."""
    for n in (0, 1, 2):
        for V, E in ((0.3, 1.0), (2.0, 0.5)):
            assert polarizer_energy(n, V, E) == pytest.approx(np.linalg.eigvalsh([[0, n * V], [n * V, E]])[0])


@pytest.mark.parametrize("V", [0.01, 0.03, 0.1])
def test_little_attraction_is_v2_over_e(V):
    """Little: the induced interaction is -2 V^2/E~ to second order; the exact one-polarizer result differs by
    +14 V^4/E~^3 (expansion of E2 + E0 - 2 E1)."""
    E, U = 1.3, 0.2
    r = little_limit(U, V, E)
    assert r.U_eff_second_order == pytest.approx(U - 2 * V**2 / E)
    assert r.U_eff - r.U_eff_second_order == pytest.approx(14 * V**4 / E**3, rel=0.05)


def test_strong_polarizer_coupling_saturates():
    """V >> E~: E_n -> E~/2 - n|V| is linear in n, so the binding saturates at -E~/2 (not -2V^2/E~)."""
    r = little_limit(0.0, 100.0, 1.0)
    assert r.U_eff == pytest.approx(-0.5, abs=1e-2) and r.U_eff_second_order == -20000.0


def test_little_pairs_iff_attraction_wins():
    """A spin gap exp(-(1-|ys0|)/|ys0|) (SU(2) line, no vertex) iff U_eff < 0; the RG agrees where the gap lies
    above the infrared end."""
    paired = little_limit(0.05, 0.4, 1.0, 0.5)
    assert paired.pairs and paired.phase.phase == "paired"
    assert paired.ys0 == pytest.approx(paired.U_eff / (math.pi * 0.5))
    assert paired.spin_gap == pytest.approx(paired.phase.spin_gap, rel=1e-5)
    assert paired.Kc0 > 1 and paired.phase.dominant_order == "SC"
    repelled = little_limit(0.3, 0.1, 1.0, 0.5)
    assert not repelled.pairs and repelled.spin_gap == 0 and repelled.phase.phase == "decoupled"
    # weak attraction: a gap below the default infrared end is reported, the RG at lmax says decoupled
    weak = little_limit(0.02, 0.2, 1.0, 1.0)
    assert weak.pairs and weak.phase.phase == "decoupled" and 0 < weak.spin_gap < math.exp(-20)
    for bad in (dict(E_tilde=0.0), dict(vF=-1.0), dict(U=math.inf), dict(U=5.0)):
        with pytest.raises(ModelError):
            little_limit(**({"U": 0.1, "V": 0.1, "E_tilde": 1.0} | bad))


def run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_ladder_cli(tmp_path, capsys):
    code, out, err = run(["ladder", "--json", "--mu-star", "0.01"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["parameters"]["vertex_charge"] == 1 and data["cutoffs"]["regime"] == "gapped"
    assert data["phase"] == phase_of(ladder_model(mu_star=0.01)).phase
    code, out, err = run(["ladder", "--json", "--scan-mu=-0.2:0.2:9", "--plot", str(tmp_path / "bg.png")], capsys)
    assert code == 0, err
    scan = json.loads(out)["scan"]
    assert len(scan) == 9 and (tmp_path / "bg.png").stat().st_size > 10_000
    for argv, needle in ((["ladder", "--gap", "2"], "gap"), (["ladder", "--scan-mu", "x"], "--scan-mu"),
                         (["ladder", "--plot", "a.png"], "--scan-mu"), (["little", "--E-tilde", "0"], "E_tilde"),
                         (["signatures", "--vertex-charge", "1", "--lstar", "inf"], "vertex charge 1")):
        code, out, err = run(argv, capsys)
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_little_cli(capsys):
    code, out, err = run(["little", "--json", "--U", "0.05", "--V", "0.4", "--vF", "0.5"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["pairs"] and data["phase"] == "paired"
    assert data["U_eff"] == pytest.approx(little_limit(0.05, 0.4, 1.0, 0.5).U_eff)
