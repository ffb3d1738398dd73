"""The tutorial of ``examples/`` runs top to bottom, and the numbers it prints are the package's (issue 5, point 3).

The script runs once, in a subprocess, into a temporary folder. Every number of its ``summary.json`` that the tests
check is recomputed here from the script's *inputs* only: the nanotube band, Eq. (15) and Eq. (6) by hand, the
Model built field by field (not through ``Model.from_density_coupling``), the phase by ``phase_of``.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pairing1d import PHASES, Model, phase_of

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "tutorial_device.py"
FIGURES = ("cnt_bands.png", "flow.png", "phase_map.png", "gate_scan.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HBAR_MEV_S = 6.582119569e-13  # CODATA 2018
K_B_MEV_PER_K = 8.617333262e-2
# Table I and Appendix D of the paper: (two-terminal G, cross conductance G_x) in e^2/h, secondary grounded
TABLE_ONE = {"decoupled": (2.0, 0.0), "paired": (2.0, 0.0), "trion": (4.0 / 3.0, -2.0 / 3.0)}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Run the tutorial once with this interpreter (the venv's) into a fresh folder: (process, folder, summary)."""
    out = tmp_path_factory.mktemp("tutorial-output")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True,
                          timeout=300, cwd=out)
    assert proc.returncode == 0, f"tutorial failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc, out, json.loads((out / "summary.json").read_text())


def band_at(inputs: dict, mu: float) -> tuple[float, float]:
    """(gap m, k_F) of the single hole-like nanotube band at ``mu`` < 0, from Eq. (A2) by hand."""
    gaps = [abs(nu * inputs["cnt_delta0"] + s * inputs["cnt_delta_so"] + inputs["cnt_delta_phi"])
            for s in (1, -1) for nu in (1, -1)]
    crossing = [m for m in gaps if -mu > m]
    assert mu < 0 and len(crossing) == 1, f"mu = {mu} is not in a hole-like single-band window"
    m = crossing[0]
    return m, math.sqrt(mu * mu - m * m) / (HBAR_MEV_S * inputs["cnt_vF"])


def model_at(inputs: dict, mu: float, **changes) -> Model:
    """The device at gate ``mu``, built field by field from Eq. (6), (15) and the definition of upsilon."""
    _, k_fermi = band_at(inputs, mu)
    kF, alpha0 = inputs["kF_primary"], inputs["alpha0"]
    v = inputs["V"] * 1e-9 / HBAR_MEV_S  # V/hbar in m/s
    uc, u, Kc, K = inputs["uc"], inputs["u_sec"], inputs["Kc"], inputs["K_sec"]
    y_bare = v / (math.pi * (uc + u))  # g1 = g2 = V/2, y = g/(pi (uc + u)/2)
    fields = dict(
        Kc0=Kc, K0=K, ys0=inputs["ys0"], y0=y_bare, y2=y_bare, chi=inputs["chi"], u_ratio=u / uc,
        upsilon=math.sqrt(Kc * K) * math.sqrt(2.0) * v / (math.pi * math.sqrt(uc * u)),
        lstar=-math.log(abs(kF - k_fermi) * alpha0),  # hole-like: k = -k_fermi
        lstar2=-math.log((kF + k_fermi) * alpha0),
        upsilon_theta=0.0,  # Eq. (6) is a pure density coupling: V_theta = 0
    )
    return Model(**(fields | changes))


def bandwidth_K(inputs: dict) -> float:
    return HBAR_MEV_S * inputs["v_spin"] / inputs["alpha0"] / K_B_MEV_PER_K


def test_runs_top_to_bottom_and_writes_its_figures(run):
    proc, out, summary = run
    assert "Traceback" not in proc.stderr
    for name in FIGURES:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert len(data) > 20_000, f"{name} is suspiciously small ({len(data)} bytes)"
    assert set(summary["files"]) == {*FIGURES, "summary.json"}
    for section in ("1. From physical inputs", "2. Phase", "3. Experimental signatures", "4a.", "4b.", "4c."):
        assert section in proc.stdout


def test_band_and_cutoffs_follow_appendix_a_and_eq15(run):
    _, _, s = run
    inputs = s["inputs"]
    m, k_fermi = band_at(inputs, inputs["mu_gate"])
    assert s["secondary"]["single_band"] and s["secondary"]["hole_like"]
    assert s["secondary"]["k_fermi"] == pytest.approx(k_fermi, rel=1e-12)
    assert s["secondary"]["k_secondary"] == pytest.approx(-k_fermi, rel=1e-12)
    expected = model_at(inputs, inputs["mu_gate"])
    assert s["lstar"] == pytest.approx(expected.lstar, rel=1e-12)
    assert s["lstar2"] == pytest.approx(expected.lstar2, rel=1e-12)
    for name in ("y0", "y2", "upsilon", "u_ratio", "Q", "Kc_tilde0", "K_tilde0"):
        assert s["model"][name] == pytest.approx(getattr(expected, name), rel=1e-12), name
    assert s["upsilon_from_coupling"] == pytest.approx(expected.upsilon, rel=1e-12)


def test_phase_gaps_and_order_are_phase_of_the_same_device(run):
    proc, _, s = run
    inputs = s["inputs"]
    result = phase_of(model_at(inputs, inputs["mu_gate"]))
    got = s["phase"]
    assert got["phase"] == result.phase
    assert f"phase: {result.phase.upper()}" in proc.stdout
    assert got["dominant_order"] == result.dominant_order
    for name in ("l_bar", "l_bbar", "spin_gap", "trion_scale"):
        want = getattr(result, name)
        assert (got[name] is None) == (want is None), name
        if want is not None:
            assert got[name] == pytest.approx(want, rel=1e-8), name
    if result.spin_gap is not None:
        assert s["spin_gap_K"] == pytest.approx(result.spin_gap * bandwidth_K(inputs), rel=1e-8)
    assert got["controlled"] == result.controlled and got["verdict_by_scheme"] == result.verdict_by_scheme
    paper = phase_of(model_at(inputs, inputs["mu_gate"], flow="paper", scheme="printed", upsilon_theta=None))
    assert s["paper_eq16"]["phase"] == paper.phase and s["paper_eq16"]["controlled"] == paper.controlled


def test_signatures_are_table_one_for_the_phase(run):
    _, _, s = run
    phase = s["phase"]["phase"]
    G, G_cross = TABLE_ONE[phase]
    assert s["signatures"]["phase"] == phase
    assert s["signatures"]["conductance"] == pytest.approx(G, abs=1e-12)
    assert s["signatures"]["cross_conductance"] == pytest.approx(G_cross, abs=1e-12)
    assert s["signatures"]["tunneling"] == ("power-law" if phase == "decoupled" else "gap")
    # a single impurity: E = g^{1/(1-d)} with d = Kc/2 in the paired phase, (Kc+1)/2 decoupled (Sec. II C 2)
    imp, Kc = s["impurity"], s["inputs"]["Kc"]
    assert imp["E_sG"] == pytest.approx(imp["g_imp"] ** (2.0 / (2.0 - Kc)), rel=1e-12)
    assert imp["E_LL"] == pytest.approx(imp["g_imp"] ** (2.0 / (1.0 - Kc)), rel=1e-12)


def test_gap_is_visible_only_below_it(run):
    """At temperature T the flow stops at ln(Lambda/T): each row is phase_of at that T, and a paired device shows
    its gap exactly when T is below it."""
    _, _, s = run
    inputs = s["inputs"]
    model = model_at(inputs, inputs["mu_gate"])
    for row in s["temperatures"]:
        at_T = phase_of(model.replace(temperature=row["T_K"] / bandwidth_K(inputs)))
        assert row["phase"] == at_T.phase, row
        if s["phase"]["phase"] == "paired":
            assert row["gap_visible"] == (row["T_K"] < s["spin_gap_K"]), row


def test_gate_windows_hold_what_they_say(run):
    """Each reported gate window lies in the single-band window, and phase_of gives its phase at both ends."""
    _, _, s = run
    inputs, scan = s["inputs"], s["gate_scan"]
    gaps = sorted(abs(nu * inputs["cnt_delta0"] + sg * inputs["cnt_delta_so"] + inputs["cnt_delta_phi"])
                  for sg in (1, -1) for nu in (1, -1))
    lo, hi = -gaps[1], -gaps[0]
    T_base = inputs["T_base"] / bandwidth_K(inputs)
    cases = {"T0": {}, "T0_paper": {"flow": "paper", "scheme": "printed", "upsilon_theta": None},
             "T_base": {"temperature": T_base}}
    for label, changes in cases.items():
        spans = [(a, b, phase) for phase in PHASES for a, b in scan[label][phase]]
        assert spans, label
        covered = sorted(spans)
        for (_, b, _), (a, _, _) in zip(covered, covered[1:], strict=False):
            assert b < a, f"{label}: windows overlap"
        for a, b, phase in spans:
            assert lo < a <= b < hi
            for mu in {a, b}:
                assert phase_of(model_at(inputs, mu, **changes)).phase == phase, (label, mu, phase)
    # the device's own gate is in a window of its own phase
    device_phase = s["phase"]["phase"]
    assert any(a <= inputs["mu_gate"] <= b for a, b in scan["T0"][device_phase])
    # the advice: the largest gap of the paired phase, where phase_of finds that gap
    if "paired" in scan["best"]:
        best = scan["best"]["paired"]
        result = phase_of(model_at(inputs, best["mu"]))
        assert result.phase == "paired"
        assert best["spin_gap"] == pytest.approx(result.spin_gap, rel=1e-6)
        assert best["spin_gap_K"] == pytest.approx(result.spin_gap * bandwidth_K(inputs), rel=1e-6)


def test_phase_map_locates_the_device(run):
    proc, _, s = run
    point = s["phase_map"]["device_point"]
    assert point["exp_neg_lstar"] == pytest.approx(math.exp(-s["lstar"]), rel=1e-12)
    assert point["y0"] == pytest.approx(s["model"]["y0"], rel=1e-12)
    for fractions in s["phase_map"]["phase_fractions"].values():
        assert sum(fractions.values()) == pytest.approx(1.0)
    assert re.search(r"\d+ devices in [\d.]+ s", proc.stdout)
