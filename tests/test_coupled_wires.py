"""Sec. III B: pair hopping only below the spin gap (l >= l_s), a pi-CDW of dimension Kc- + Ks above it.

Josephson relevant exactly when Kc- > 1/2; the pi-CDW wins for Kc- < 1 unless dephased or small at l_s.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from pairing1d import ModelError
from pairing1d.cli import main
from pairing1d.theory.coupled_wires import coupled_wires, scaling_dimensions

EXAMPLE = dict(Kc_minus=0.9, t_perp=0.01, spin_gap=0.05, U_perp=0.002)  # the issue's example


def _ode_times(Kc_minus, t_perp, spin_gap, U_perp, delta_alpha0=0.0, lmax=20.0, Ks=1.0):
    """First RG times at which J and U reach 1, by integrating the piecewise flow numerically (None: not by lmax).

    dU/dl = (2 - Kc- - Ks) U for l < l_s, (2 - Kc-) U after, 0 after l_delta; J = 0 before l_s, J(l_s) = (t/Delta)^2
    and dJ/dl = (2 - 1/Kc-) J after. Integrated segment by segment between the breakpoints l_s, l_delta, lmax.
    """
    l_s = math.log(1 / spin_gap)
    l_delta = math.inf if delta_alpha0 == 0 else max(0.0, math.log(1 / delta_alpha0))
    if U_perp >= 1:
        u_hit = 0.0
    else:
        u_hit = None
    j_hit = None
    y = np.array([0.0, U_perp])
    cuts = sorted({0.0, lmax} | {b for b in (l_s, l_delta) if 0 < b < lmax})
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        if math.isclose(a, l_s):
            y[0] = (t_perp / spin_gap) ** 2
        mid = 0.5 * (a + b)
        gapped = mid > l_s
        rate_j = (2 - 1 / Kc_minus) if gapped else 0.0
        rate_u = 0.0 if mid > l_delta else ((2 - Kc_minus) if gapped else (2 - Kc_minus - Ks))

        def hit_j(_l, z):
            return z[0] - 1.0

        def hit_u(_l, z):
            return z[1] - 1.0

        hit_j.direction = hit_u.direction = 1
        sol = solve_ivp(lambda _l, z, rj=rate_j, ru=rate_u: [rj * z[0], ru * z[1]], (a, b), y,
                        events=[hit_j, hit_u], rtol=1e-11, atol=1e-14)
        if j_hit is None and len(sol.t_events[0]):
            j_hit = float(sol.t_events[0][0])
        if u_hit is None and len(sol.t_events[1]):
            u_hit = float(sol.t_events[1][0])
        y = sol.y[:, -1]
    return j_hit, u_hit


@pytest.mark.parametrize(
    "case",
    [
        EXAMPLE,  # U grows slowly above the gap, J wins
        dict(Kc_minus=0.8, t_perp=0.01, spin_gap=0.05, U_perp=0.01),  # pi-CDW wins after l_s
        dict(Kc_minus=0.6, t_perp=0.009, spin_gap=0.01, U_perp=0.3),  # U reaches 1 before l_s
        dict(Kc_minus=1.3, t_perp=0.002, spin_gap=0.01, U_perp=0.2),  # U shrinks above the gap (2 - Kc- - Ks < 0)
        dict(Kc_minus=0.7, t_perp=0.003, spin_gap=0.02, U_perp=0.05, Ks=0.6),  # Ks off the SU(2) value
        dict(Kc_minus=0.8, t_perp=0.01, spin_gap=0.05, U_perp=0.01, delta_alpha0=0.01),  # dephased after l_s
        dict(Kc_minus=0.6, t_perp=0.009, spin_gap=0.01, U_perp=0.3, delta_alpha0=0.1),  # dephased before l_s
        dict(Kc_minus=0.7, t_perp=0.001, spin_gap=0.002, U_perp=0.001, lmax=9.0),  # lmax = 9 before U at 10.1
    ],
)
def test_closed_form_times_match_numerical_flow(case):
    r = coupled_wires(**case)
    j_num, u_num = _ode_times(**case)
    for closed, numerical in ((r.l_josephson, j_num), (r.l_pi_cdw, u_num)):
        if numerical is None:
            assert closed is None
        else:
            assert closed == pytest.approx(numerical, rel=1e-7)
    assert r.l_s == pytest.approx(math.log(1 / case["spin_gap"]))
    assert r.J_at_l_s == pytest.approx((case["t_perp"] / case["spin_gap"]) ** 2)
    assert r.J0 == pytest.approx(case["t_perp"] ** 2 / case["spin_gap"])  # kept: t^2/Delta_s in units of Lambda


def test_issue_example_is_a_superconductor_now_and_was_a_pi_cdw_before():
    k, t, gap, u = EXAMPLE["Kc_minus"], EXAMPLE["t_perp"], EXAMPLE["spin_gap"], EXAMPLE["U_perp"]
    r = coupled_wires(**EXAMPLE)
    assert r.verdict == "superconductor"
    assert r.l_s == pytest.approx(math.log(20))
    assert r.J_at_l_s == pytest.approx(0.04)
    assert r.U_at_l_s == pytest.approx(0.002 * 20**0.1)  # grew by e^{(2 - 0.9 - 1) l_s} above the gap
    assert r.l_josephson == pytest.approx(6.61697, abs=1e-4) and r.l_pi_cdw == pytest.approx(8.37304, abs=1e-4)
    # the old rule: both couplings from l = 0, J0 = t^2/Delta_s with dimension 1/Kc-, U0 with dimension Kc-
    old_l_j = math.log(gap / t**2) / (2 - 1 / k)
    old_l_u = math.log(1 / u) / (2 - k)
    assert old_l_u < old_l_j  # the pi-CDW won: 5.65 against 6.99
    assert old_l_u == pytest.approx(5.6497, abs=1e-4) and old_l_j == pytest.approx(6.9914, abs=1e-4)


@pytest.mark.parametrize("k", [0.3, 0.49, 0.5, 0.51, 0.8, 1.0, 1.5])
def test_josephson_relevant_iff_kc_minus_above_half(k):
    d = scaling_dimensions(k)
    assert (d["josephson"] < 2) == (k > 0.5)
    assert (d["josephson"] < d["pi_cdw"]) == (k > 1)  # below the gap J is more relevant than the pi-CDW iff Kc- > 1
    assert d["particle_hole"] == math.inf and "pi_cdw_above_gap" not in d
    assert scaling_dimensions(k, Ks=1.0)["pi_cdw_above_gap"] == pytest.approx(k + 1.0)
    r = coupled_wires(k, t_perp=0.01, spin_gap=0.05, U_perp=0.0, lmax=1e4)
    assert r.josephson_relevant == (k > 0.5) and (r.verdict == "superconductor") == (k > 0.5)
    assert (r.l_josephson is not None) == (k > 0.5)


def test_dephasing_restores_superconductivity_on_either_side_of_l_s():
    base = dict(Kc_minus=0.8, t_perp=0.01, spin_gap=0.05, U_perp=0.01)
    clean = coupled_wires(**base)
    assert clean.verdict == "pi-CDW" and clean.l_s < clean.l_pi_cdw < clean.l_josephson
    before = coupled_wires(**base, delta_alpha0=0.1)  # l_delta = 2.30 < l_s = 3.00
    assert before.l_delta < before.l_s and before.U_at_l_s is None
    after = coupled_wires(**base, delta_alpha0=0.01)  # l_s < l_delta = 4.61 < l_pi_cdw = 6.33
    assert after.l_s < after.l_delta < clean.l_pi_cdw and after.U_at_l_s == pytest.approx(clean.U_at_l_s)
    for r in (before, after):
        assert r.l_pi_cdw is None and r.verdict == "superconductor"
        assert r.l_josephson == pytest.approx(clean.l_josephson)  # the mismatch leaves J alone
    late = coupled_wires(**base, delta_alpha0=0.001)  # l_delta = 6.91 after the pi-CDW is already strong
    assert late.verdict == "pi-CDW"


def test_pi_cdw_strong_before_the_gap_wins_before_pairs_can_hop():
    # J(l_s) = 0.81 is nearly strong and relevant, but U reaches 1 at l = ln(10/3)/0.4 = 3.01 < l_s = 4.61
    r = coupled_wires(0.6, t_perp=0.009, spin_gap=0.01, U_perp=0.3)
    assert r.l_pi_cdw == pytest.approx(math.log(1 / 0.3) / (2 - 0.6 - 1.0)) and r.l_pi_cdw < r.l_s
    assert r.l_josephson > r.l_s and r.U_at_l_s is None and r.verdict == "pi-CDW"
    # Kc- > 1 makes J the more relevant coupling below the gap, yet a small Ks lets U finish first above it
    r = coupled_wires(1.5, t_perp=0.005, spin_gap=0.01, U_perp=0.3, Ks=0.2)
    assert r.l_pi_cdw < r.l_s < r.l_josephson and r.verdict == "pi-CDW"
    assert coupled_wires(1.5, t_perp=0.005, spin_gap=0.01, U_perp=0.3).verdict == "superconductor"  # Ks = 1
    strong = coupled_wires(0.9, t_perp=0.01, spin_gap=0.05, U_perp=1.5)
    assert strong.l_pi_cdw == 0.0 and strong.verdict == "pi-CDW" and strong.U_at_l_s is None


def test_ks_sets_the_growth_above_the_gap():
    slow, fast = (coupled_wires(**EXAMPLE, Ks=ks) for ks in (1.3, 0.7))
    assert slow.U_at_l_s < EXAMPLE["U_perp"] < fast.U_at_l_s  # exponent 2 - 0.9 - Ks changes sign at Ks = 1.1
    assert slow.U_at_l_s == pytest.approx(0.002 * 20 ** (2 - 0.9 - 1.3))
    assert slow.verdict == "superconductor" and slow.Ks == 1.3
    assert slow.l_josephson == pytest.approx(fast.l_josephson)  # J does not see Ks


@pytest.mark.parametrize(
    "kw",
    [dict(Kc_minus=0.0), dict(Kc_minus=math.nan), dict(t_perp=0.1), dict(t_perp=math.nan), dict(spin_gap=1.5),
     dict(spin_gap=math.nan), dict(U_perp=-1.0), dict(U_perp=math.inf), dict(delta_alpha0=math.nan),
     dict(lmax=math.nan), dict(lmax=0.0), dict(Ks=0.0), dict(Ks=-1.0), dict(Ks=math.nan), dict(Ks=math.inf)],
)
def test_bad_inputs(kw):
    args = dict(Kc_minus=0.8, t_perp=0.01, spin_gap=0.05, U_perp=0.01) | kw
    with pytest.raises(ModelError) as info:
        coupled_wires(**args)
    message = str(info.value)
    name = next(iter(kw))
    assert "\n" not in message and message.startswith(f"{name} = ") and "allowed range" in message


def test_scaling_dimensions_rejects_bad_ks():
    with pytest.raises(ModelError, match=r"^Ks = -0.5 is outside the allowed range \(0, inf\)"):
        scaling_dimensions(0.8, Ks=-0.5)


def test_cli_json_has_the_new_fields(capsys):
    with pytest.raises(SystemExit) as info:
        main(["coupled-wires", "--Kc-minus", "0.9", "--t-perp", "0.01", "--spin-gap", "0.05", "--U-perp", "0.002",
              "--json"])
    data = json.loads(capsys.readouterr().out)
    assert info.value.code == 0 and data["verdict"] == "superconductor"
    assert data["l_s"] == pytest.approx(math.log(20)) and data["J_at_l_s"] == pytest.approx(0.04)
    assert data["U_at_l_s"] == pytest.approx(0.002 * 20**0.1) and data["Ks"] == 1.0
    assert data["dimensions"]["pi_cdw_above_gap"] == pytest.approx(1.9)
    with pytest.raises(SystemExit) as info:
        main(["coupled-wires", "--Kc-minus", "0.8", "--delta-alpha0", "0.1", "--Ks", "0.5", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert info.value.code == 0 and data["verdict"] == "superconductor" and data["dimensions"]["josephson"] == 1.25
    assert data["Ks"] == 0.5 and data["U_at_l_s"] is None and data["l_pi_cdw"] is None


def test_cli_text_says_never_and_shows_l_s(capsys):
    with pytest.raises(SystemExit) as info:
        main(["coupled-wires", "--Kc-minus", "0.4", "--delta-alpha0", "0.01"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "verdict: none" in out
    assert "l_s = ln(1/Delta_s) = 3" in out and "never" in out and "None" not in out


@pytest.mark.parametrize("args", [["--Ks", "-1"], ["--Ks", "nan"], ["--spin-gap", "nan"], ["--t-perp", "0.2"]])
def test_cli_bad_input_one_line_exit_2(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(["coupled-wires", *args])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and err.startswith("pairing1d: error: ")
    assert "Traceback" not in err
