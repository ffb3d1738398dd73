"""Sec. III B: Josephson coupling relevant exactly when Kc- > 1/2; pi-CDW wins for Kc- < 1 unless dephased."""

from __future__ import annotations

import json
import math

import pytest

from pairing1d import ModelError
from pairing1d.cli import main
from pairing1d.coupled_wires import coupled_wires, scaling_dimensions


@pytest.mark.parametrize("k", [0.3, 0.49, 0.5, 0.51, 0.8, 1.0, 1.5])
def test_josephson_relevant_iff_kc_minus_above_half(k):
    d = scaling_dimensions(k)
    assert (d["josephson"] < 2) == (k > 0.5)
    assert (d["josephson"] < d["pi_cdw"]) == (k > 1)  # Josephson more relevant than the pi-CDW iff Kc- > 1
    assert d["particle_hole"] == math.inf
    r = coupled_wires(k, t_perp=0.01, spin_gap=0.05, U_perp=0.0, lmax=1e4)
    assert r.josephson_relevant == (k > 0.5) and (r.verdict == "superconductor") == (k > 0.5)


def test_closed_form_scales_and_competition():
    r = coupled_wires(0.8, t_perp=0.01, spin_gap=0.05, U_perp=0.01)
    assert r.J0 == pytest.approx(0.002)
    assert r.l_josephson == pytest.approx(math.log(1 / 0.002) / (2 - 1 / 0.8))
    assert r.l_pi_cdw == pytest.approx(math.log(100) / (2 - 0.8))
    assert r.verdict == "pi-CDW"  # Kc- < 1 and comparable bare couplings: the pi-CDW is faster
    dephased = coupled_wires(0.8, t_perp=0.01, spin_gap=0.05, U_perp=0.01, delta_alpha0=0.1)
    assert dephased.l_pi_cdw is None and dephased.verdict == "superconductor"  # mismatch restores SC
    strong_k = coupled_wires(1.5, t_perp=0.01, spin_gap=0.05, U_perp=0.01)
    assert strong_k.verdict == "superconductor"


@pytest.mark.parametrize("kw", [dict(Kc_minus=0.0), dict(t_perp=0.1), dict(spin_gap=1.5), dict(U_perp=-1.0)])
def test_bad_inputs(kw):
    args = dict(Kc_minus=0.8, t_perp=0.01, spin_gap=0.05, U_perp=0.01) | kw
    with pytest.raises(ModelError):
        coupled_wires(**args)


def test_cli(capsys):
    with pytest.raises(SystemExit) as info:
        main(["coupled-wires", "--Kc-minus", "0.8", "--delta-alpha0", "0.1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert info.value.code == 0 and data["verdict"] == "superconductor" and data["dimensions"]["josephson"] == 1.25
