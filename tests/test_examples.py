"""The tutorial of ``examples/`` runs top to bottom, and what it prints is the package's physics (issue 5, point 3).

The script runs once, in a subprocess, into a temporary folder. The tests recompute what its ``summary.json`` says from
the device's *inputs* only, with :mod:`scipy.constants` and no constant typed by hand: the nanotube's band of Eq. (A2)
in a field, k_F = pi n / 2, the gated Coulomb potential, the Luttinger velocities, Lambda, y0, upsilon and the cutoffs
of Eq. (15) by hand; the Model built field by field (not through :mod:`pairing1d.devices.device`) and its phase by
``phase_of``; the gate windows at their ends; the conductance curves against Table I; the real device's ys0 and Zeeman
energy by hand.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import constants as sc
from scipy.special import k0

from pairing1d import Model, phase_of
from pairing1d.devices.device import device_from_dict, preset, read_device
from pairing1d.support.errors import ModelError

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "tutorial_device.py"
FIGURES = ("gate_map.png", "gate_map_sensitivity.png", "cnt-gaas_gate_map.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PAPER = {"flow": "paper", "scheme": "printed", "upsilon_theta": None}
# Table I and Appendix D of the paper: the clean conductance (e^2/h) and the cross conductance into a grounded
# secondary below the trion scale
G_TRION, G_OTHER, G_CROSS_TRION = 4.0 / 3.0, 2.0, -2.0 / 3.0

MEV = sc.milli * sc.e  # J
HBAR = sc.hbar / MEV  # meV s
K_B = sc.k / MEV  # meV / K
MU_B = sc.physical_constants["Bohr magneton"][0] / MEV  # meV / T
COULOMB = sc.e**2 / (4 * sc.pi * sc.epsilon_0) / MEV / sc.nano  # meV nm
PER_UM_TO_PER_NM = sc.nano / sc.micro


def _strict(constant: str):
    raise ValueError(f"summary.json holds {constant}: not strict JSON")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Run the tutorial once with this interpreter (the venv's) into a fresh folder: (process, folder, summary)."""
    out = tmp_path_factory.mktemp("tutorial-output")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True,
                          timeout=600, cwd=out)
    assert proc.returncode == 0, f"tutorial failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    summary = json.loads((out / "summary.json").read_text(), parse_constant=_strict)
    return proc, out, summary


# --- the physics by hand ----------------------------------------------------------------------------------------


def coulomb(q: float, d: float, h: float, eps: float) -> float:
    """Gated Coulomb potential V(q) (meV nm) of two line charges d apart, h above a metallic plane."""
    far = math.hypot(d, 2 * h)
    if q == 0:
        return COULOMB / eps * math.log(far**2 / d**2)
    return COULOMB / eps * 2 * (k0(abs(q) * d) - k0(abs(q) * far))


def nanotube_band(inputs: dict, mu: float) -> tuple[int, float, float]:
    """(number of bands crossing, signed k in 1/nm, band velocity in m/s) of the nanotube at mu (meV) in the
    device's field, from Eq. (A2) with Delta_Phi += e D v_F B / 4 and spin energies sigma g mu_B B / 2."""
    s, B = inputs["secondary"], inputs["field_T"]
    delta_phi = s["delta_phi_meV"] + sc.e * s["diameter_nm"] * sc.nano * s["vF_m_s"] / 4 / MEV * B
    zeeman = s["g_factor"] * MU_B * abs(B)
    crossing = []
    for sigma in (1, -1):
        for nu in (1, -1):
            m = abs(nu * s["delta0_meV"] + sigma * s["delta_so_meV"] + delta_phi)
            mu_s = mu - sigma * zeeman / 2
            if abs(mu_s) > m:
                crossing.append((mu_s, m))
    if len(crossing) != 1:
        return len(crossing), math.nan, math.nan
    mu_s, m = crossing[0]
    root = math.sqrt(mu_s**2 - m**2)
    k = root / (HBAR * s["vF_m_s"] / sc.nano)
    return 1, (-k if mu_s < 0 else k), s["vF_m_s"] * root / abs(mu_s)


def by_hand(inputs: dict, gate: float) -> dict:
    """Every quantity of the tutorial's step 1 for a primary with given vF, Kc, ys0 and a nanotube with given K."""
    p, s, g = inputs["primary"], inputs["secondary"], inputs["geometry"]
    assert None not in (p["vF_m_s"], p["Kc"], p["ys0"], s["K"]), "the step-1 preset gives vF, Kc, ys0 and K"
    assert p["lever_arm"] == 0, "the primary's density does not follow the gate in this preset"
    mu = s["lever_arm"] * (gate - s["gate_offset_V"]) / sc.milli
    n_bands, k, v = nanotube_band(inputs, mu)
    assert n_bands == 1
    kF = math.pi * p["density_per_um"] * PER_UM_TO_PER_NM / 2
    vF, Kc, ys0, K = p["vF_m_s"], p["Kc"], p["ys0"], s["K"]
    uc, us, u = vF / Kc, vF * math.sqrt(1 - ys0**2 / 4), v / K
    alpha0 = max(1 / kF, g["separation_nm"]) if inputs["alpha0_nm"] is None else inputs["alpha0_nm"]
    Lambda = HBAR * us / (alpha0 * sc.nano)
    V0 = coulomb(0.0, g["separation_nm"], g["gate_distance_nm"], g["epsilon_r"])
    Vb = coulomb(kF + abs(k), g["separation_nm"], g["gate_distance_nm"], g["epsilon_r"])
    to_velocity = sc.nano / HBAR  # V (meV nm) -> V / hbar (m/s)
    return {
        "mu_meV": mu, "kF_per_nm": kF, "k_secondary_per_nm": k, "v_secondary_m_s": v, "uc_m_s": uc, "us_m_s": us,
        "u_m_s": u, "Kc": Kc, "K": K, "ys0": ys0, "alpha0_nm": alpha0, "Lambda_meV": Lambda,
        "Lambda_K": Lambda / K_B, "V_inter_meV_nm": V0, "V_inter_back_meV_nm": Vb,
        "upsilon": math.sqrt(Kc * K) * math.sqrt(2) * V0 * to_velocity / (math.pi * math.sqrt(uc * u)),
        "y0": 2 * math.sqrt(2) * Vb * to_velocity / (math.pi * (uc + u)),  # g1 = 2V, y = g1 / (sqrt2 pi u_bar)
        "lstar": -math.log(abs(kF + k) * alpha0), "lstar2": -math.log(abs(kF - k) * alpha0),
        "T_over_Lambda": K_B * inputs["temperature_K"] / Lambda, "zeeman_primary_meV": p["g_factor"] * MU_B * abs(
            inputs["field_T"]),
    }


def model_by_hand(inputs: dict, gate: float, **changes) -> Model:
    """The Model of Eq. (6) at this gate, field by field: a pure density coupling (upsilon_theta = 0)."""
    h = by_hand(inputs, gate)
    fields = dict(Kc0=h["Kc"], K0=h["K"], ys0=h["ys0"], y0=h["y0"], y2=h["y0"], upsilon=h["upsilon"],
                  u_ratio=h["u_m_s"] / h["uc_m_s"], upsilon_theta=0.0, lstar=h["lstar"], lstar2=h["lstar2"],
                  chi=inputs["chi"])
    return Model(**(fields | changes))


# --- the tests ----------------------------------------------------------------------------------------------------


def test_runs_top_to_bottom_and_writes_its_files(run):
    proc, out, s = run
    assert "Traceback" not in proc.stderr
    for name in FIGURES:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert len(data) > 20_000, f"{name} is suspiciously small ({len(data)} bytes)"
    assert set(s["files"]) == {*FIGURES, "my_device.toml", "summary.json"}
    assert (out / "my_device.toml").stat().st_size > 0
    assert not (out / "my_device_typo.toml").exists(), "the deliberately broken file is left behind"
    for section in ("1. The device", "2. Its phase", "3. The gate map", "4. How sure", "5. A real material",
                    "6. Your own device"):
        assert section in proc.stdout
    assert set(s) >= {"device", "phase", "gate_map", "sensitivity", "real_device", "own_file"}


def test_no_constant_is_typed_in_the_tutorial():
    """hbar, k_B, mu_B and e^2/(4 pi eps0) come from pairing1d.devices.units / scipy.constants, never typed."""
    text = SCRIPT.read_text()
    for digits in ("6.582", "8.617", "5.788", "1439.9", "1.602", "1.054", "1.380"):
        assert digits not in text, digits


def test_device_point_follows_from_the_inputs(run):
    """mu, k_F, k, the Luttinger velocities, alpha0, Lambda, V12, y0, upsilon and l* of step 1, by hand."""
    proc, _, s = run
    inputs, gate, point = s["device"]["inputs"], s["device"]["gate_V"], s["device"]["point"]
    assert point["regime"] == "single band" and point["gate_V"] == gate
    for name, want in by_hand(inputs, gate).items():
        assert point[name] == pytest.approx(want, rel=1e-9), name
    h = by_hand(inputs, gate)
    # printed in the lab's units: momenta in 1/nm, Lambda in K
    assert f"{h['kF_per_nm']:.6f} 1/nm" in proc.stdout
    assert f"k = {h['k_secondary_per_nm']:+.6f} 1/nm" in proc.stdout
    assert f"= {h['Lambda_K']:.4g} K" in proc.stdout
    # the gate is the commensurate one (k_F + k = 0) to within one gate step: l* is large there
    lo, hi = s["device"]["single_band_V"]
    assert lo <= gate <= hi
    match = s["device"]["commensurate_gate_V"]
    sec = inputs["secondary"]
    _, k_match, _ = nanotube_band(inputs, sec["lever_arm"] * (match - sec["gate_offset_V"]) / sc.milli)
    assert k_match + h["kF_per_nm"] == pytest.approx(0.0, abs=1e-9)


def test_phase_is_the_flow_of_the_model_built_by_hand(run):
    proc, _, s = run
    inputs, gate = s["device"]["inputs"], s["device"]["gate_V"]
    h = by_hand(inputs, gate)
    model = model_by_hand(inputs, gate)
    result = phase_of(model)
    got = s["phase"]["T0"]
    assert got["phase"] == result.phase
    assert f"T = 0: {result.phase.upper()}" in proc.stdout
    assert got["controlled"] == result.controlled and got["verdict_by_scheme"] == result.verdict_by_scheme
    assert got["certainty"] == result.certainty and got["ensemble"] == result.ensemble
    assert f"certainty: {result.certainty}" in proc.stdout
    for name in ("l_bar", "l_bbar", "spin_gap", "trion_scale"):
        want = getattr(result, name)
        assert (got[name] is None) == (want is None), name
        if want is not None:
            assert got[name] == pytest.approx(want, rel=1e-6), name
    for key, scale in (("spin_gap_K", result.spin_gap), ("trion_scale_K", result.trion_scale)):
        assert (s["phase"][key] is None) == (scale is None)
        if scale is not None:
            assert s["phase"][key] == pytest.approx(scale * h["Lambda_K"], rel=1e-6)
    # at the device's temperature the flow stops at ln(Lambda / k_B T)
    at_T = phase_of(model.replace(temperature=h["T_over_Lambda"]))
    assert s["phase"]["at_T"]["phase"] == at_T.phase
    assert s["phase"]["at_T"]["lmax"] == pytest.approx(-math.log(h["T_over_Lambda"]), rel=1e-9)
    # the paper's Eq. (16) lives on the line of Eq. (13), which needs (u/uc) upsilon < 1
    paper = s["phase"]["paper_eq16"]
    on_line = h["u_m_s"] / h["uc_m_s"] * h["upsilon"] < 1
    assert paper["applies"] == on_line
    if on_line:
        assert paper["phase"] == phase_of(model.replace(**PAPER)).phase
    else:
        with pytest.raises(ModelError):
            model.replace(**PAPER)
        assert "does not apply" in proc.stdout


def test_gate_windows_hold_what_they_say(run):
    """Windows do not overlap and tile the gate axis, 'outside' is where Eq. (A2) leaves several bands, and the flow
    at both ends of every window (of the Model built by hand, and of the device point) is that window's phase."""
    _, _, s = run
    inputs, gm = s["device"]["inputs"], s["gate_map"]
    device = device_from_dict(inputs)
    gates = gm["map"]["gate_V"]
    assert len(gm["map"]["phase_T0"]) == len(gates)
    # the windows are the runs of the per-gate phases of the map
    for phase, runs in gm["T0"].items():
        inside = [g for g, ph in zip(gates, gm["map"]["phase_T0"], strict=True) if ph == phase]
        assert inside == [g for g in gates if any(a <= g <= b for a, b in runs)], phase
    spans = sorted((a, b, phase) for phase, runs in gm["T0"].items() for a, b in runs)
    assert spans[0][0] == min(gates) and spans[-1][1] == max(gates)
    for (_, b, _), (a, _, _) in zip(spans, spans[1:], strict=False):
        assert b < a, "windows overlap"
    mu_of = lambda g: inputs["secondary"]["lever_arm"] * (g - inputs["secondary"]["gate_offset_V"]) / sc.milli  # noqa: E731
    for a, b, phase in spans:
        for g in {a, b}:
            bands = nanotube_band(inputs, mu_of(g))[0]
            if phase == "outside":  # more than one nanotube band (no spinless secondary), or a y0 past y_strong
                assert bands >= 2 or "outside the allowed range" in device.point(g).reason, g
                continue
            # one band, or none (the gate in the nanotube's gap: a massive secondary, Appendix B)
            assert bands <= 1, g
            if bands == 1:
                assert phase_of(model_by_hand(inputs, g)).phase == phase, (g, phase)
            assert phase_of(device.point(g).ground).phase == phase, (g, phase)
    # the primary has no Zeeman energy here (g = 0): nothing can be closed by it
    if inputs["primary"]["g_factor"] == 0:
        assert gm["zeeman_closed_gates"] == 0
    # the gate of step 1 lies in a window of its own phase
    gate1, phase1 = s["device"]["gate_V"], s["phase"]["T0"]["phase"]
    assert any(a <= gate1 <= b for a, b in gm["T0"][phase1])
    # the paper's Eq. (16): where it is said to apply, (u/uc) upsilon < 1 and its phase holds at the window ends
    paper = gm["paper_eq16"]
    for phase, runs in paper.get("windows", {}).items():
        for a, b in runs:
            for g in {a, b}:
                m = model_by_hand(inputs, g)
                assert m.u_ratio * m.upsilon < 1
                assert phase_of(m.replace(**PAPER)).phase == phase, (g, phase)


def test_conductance_curves_follow_table_one(run):
    """G(T) of the primary: 4/3 e^2/h at most below the trion scale, with the cross conductance -2/3 e^2/h; at
    most 2 e^2/h elsewhere; the impurity only lowers G as T falls."""
    _, _, s = run
    curves = s["gate_map"]["curves"]
    assert set(curves) == {"trion", "decoupled"}
    for name, c in curves.items():
        T, G, Gx = (np.array(c[k], dtype=float) for k in ("temperature_K", "G_e2h", "G_cross_e2h"))
        quoted = np.isfinite(G)
        assert quoted.any(), name
        assert np.all(G[quoted] > 0) and np.all(G[quoted] <= G_OTHER + 1e-12)
        order = np.argsort(T)
        Gq = G[order][quoted[order]]
        assert np.all(np.diff(Gq) >= -1e-12), f"{name}: G rises as T falls"
        below = T < (c["trion_scale_K"] or 0.0)
        if name == "trion":
            assert below.any()
            assert np.all(G[below & quoted] <= G_TRION + 1e-12)
            assert np.allclose(Gx[below], G_CROSS_TRION) and np.allclose(Gx[~below], 0.0)
        else:
            assert not below.any() and np.allclose(Gx, 0.0)
            assert np.all(G[quoted] > G_TRION)


def test_sensitivity_is_a_probability(run):
    _, _, s = run
    sens, inputs = s["sensitivity"], s["device"]["inputs"]
    assert sens["uncertain"] == inputs["uncertain"]
    n = sens["samples"]
    assert n >= 2
    at = sens["at_gate"]
    assert sum(at.values()) == pytest.approx(1.0)
    members = sens["members"]  # the probability is over the samples and each sample's verdict ensemble
    assert members == 18
    for p in (*at.values(), *sens["max_probability"].values()):
        assert 0 <= p <= 1 and p * n * members == pytest.approx(round(p * n * members), abs=1e-6)
    q = sens["spin_gap_K_quantiles_at_gate"]
    assert 0 <= q["0.05"] <= q["0.5"] <= q["0.95"]


def test_real_device_diagnosis_is_measured(run):
    """ys0 and the Zeeman energy of the real presets by hand (g-ology, g mu_B B); each explanation follows from
    the table's numbers; the l* the flow needs is where the flow of the best gate stops being decoupled."""
    proc, _, s = run
    for name, diag in s["real_device"]["diagnosis"].items():
        inputs = preset(name).to_dict()
        p, g = inputs["primary"], inputs["geometry"]
        assert p["ys0"] is None and p["vF_m_s"] is None, f"{name}: ys0 is to come from the Coulomb potential"
        kF = math.pi * p["density_per_um"] * PER_UM_TO_PER_NM / 2
        vF = sc.hbar * kF / sc.nano / (p["effective_mass"] * sc.m_e)
        ys0 = coulomb(2 * kF, p["radius_nm"], g["gate_distance_nm"], g["epsilon_r"]) * sc.nano / (math.pi * HBAR * vF)
        zeeman_K = p["g_factor"] * MU_B * abs(inputs["field_T"]) / K_B
        rows = {row["variant"].split(" (")[0]: row for row in diag["rows"]}
        built, no_zeeman = rows["as built"], rows["no Zeeman on the primary"]
        assert built["ys0"] == pytest.approx(ys0, rel=1e-9)
        assert built["zeeman_primary_K"] == pytest.approx(zeeman_K, rel=1e-9)
        assert no_zeeman["zeeman_primary_K"] == 0 and no_zeeman["zeeman_closed_gates"] == 0
        for row in diag["rows"]:
            gapped = row["counts_T0"]["paired"] + row["counts_T0"]["trion"] + row["counts_T0"]["triplet"]
            assert gapped == row["gapped_gates_T0"]
            if row["zeeman_primary_K"] == 0:
                assert row["zeeman_closed_gates"] == 0
        # the l* the flow needs, at the best gate of the device as built
        device = preset(name)
        ground = device.point(built["best_gate_V"]).ground
        need = built["lstar_needed"]
        if need is not None:
            assert phase_of(ground.replace(lstar=need + 0.01)).phase != "decoupled"
            assert phase_of(ground.replace(lstar=max(need - 0.01, 0.0))).phase == "decoupled"
        # what the explanation says is what the numbers say
        text = "\n".join(diag["explanation"])
        flow = built["flow_at_best_gate"]
        gap = flow["spin_gap_K"] if flow["spin_gap_K"] is not None else flow["trion_scale_K"]
        zeeman_blames = not built["gapped_gates_T0"] and flow["phase"] != "decoupled" and gap is not None
        assert ("Zeeman energy: the cause" in text) == zeeman_blames
        if zeeman_blames:
            assert built["zeeman_primary_K"] >= gap
        if need is not None:
            assert ("mismatch l*: not the cause" in text) == (built["lstar_max"] >= need)
        for line in diag["explanation"]:
            assert line in proc.stdout


def test_own_device_file_is_read_back(run):
    """The edited file moves the wires to the low end of the separation's range: V12(0) by hand, and upsilon
    scales with V12(0) (nothing else in it depends on the separation here)."""
    _, out, s = run
    own, inputs = s["own_file"], s["device"]["inputs"]
    mine = read_device(out / own["file"])
    closer = inputs["uncertain"]["geometry.separation_nm"][0]
    assert mine.geometry.separation_nm == closer == own["separation_nm"][1]
    assert own["separation_nm"][0] == inputs["geometry"]["separation_nm"]
    g = inputs["geometry"]
    for key, d in (("before", g["separation_nm"]), ("after", closer)):
        assert own[key]["V_inter_meV_nm"] == pytest.approx(coulomb(0.0, d, g["gate_distance_nm"], g["epsilon_r"]),
                                                           rel=1e-9)
    ratio = own["after"]["V_inter_meV_nm"] / own["before"]["V_inter_meV_nm"]
    assert own["after"]["upsilon"] / own["before"]["upsilon"] == pytest.approx(ratio, rel=1e-9)
    assert own["typo_refused"] and "epsilon" in own["typo_refused"]


def test_the_tutorial_notebook_runs(tmp_path):
    """examples/tutorial.ipynb, executed by a real kernel (nbclient) in a copy of the examples folder: no cell fails,
    and its verdict at the commensurate gate is the script's (a trion, robust)."""
    import shutil

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    examples = Path(__file__).resolve().parents[1] / "examples"
    for name in ("tutorial.ipynb", "tutorial_device.py"):
        shutil.copy(examples / name, tmp_path / name)
    nb = nbformat.read(tmp_path / "tutorial.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert not errors
    verdict = next(o for o in nb.cells[5].outputs if o.output_type == "execute_result")
    assert verdict.data["text/plain"] == "('trion', 'robust')"
    assert (tmp_path / "tutorial-output" / "gate_map_sensitivity.png").stat().st_size > 10_000
