"""Devices in lab units: constants, the gated Coulomb potential, g-ology, the Device -> Model translation, gate maps,
the conductance with a weak impurity and the sensitivity study."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import constants as sc
from scipy.integrate import quad
from scipy.special import k0

from pairing1d.devices import units
from pairing1d.devices.cnt import crossing
from pairing1d.devices.coulomb import coupling_strength, gated_potential, spinful_wire, spinless_wire
from pairing1d.devices.device import PRESETS, Device, preset, preset_text, read_device
from pairing1d.devices.gate_map import OUTSIDE, PHASE_LABELS, gate_map, parse_range, sensitivity, to_json
from pairing1d.support.errors import ModelError
from pairing1d.theory.model import lstar_from_momenta, upsilon_from_coupling
from pairing1d.theory.phases import PHASES, phase_of
from pairing1d.theory.transport import linear_conductance, running_impurity, tunnelling_exponent

PAPER = "paper-idealized"


def window(device: Device, fraction: float = 0.5) -> float:
    """A gate voltage inside the nanotube's single hole band window (fraction 0..1 from its deep end)."""
    m = sorted(device.secondary.bands(device.field_T).gaps().values())
    mu = -m[1] + fraction * (m[1] - m[0])
    return device.secondary.gate_offset_V + mu * 1e-3 / device.secondary.lever_arm


# --- constants and unit round trips ----------------------------------------------------------------------------


def test_constants_are_codata_by_hand():
    # hbar = h / 2pi and k_B, e from their SI definitions (exact since 2019), in meV
    assert units.HBAR_MEV_S == pytest.approx(6.62607015e-34 / (2 * math.pi) / 1.602176634e-22, rel=1e-12)
    assert units.K_B_MEV_PER_K == pytest.approx(1.380649e-23 / 1.602176634e-22, rel=1e-12)
    assert units.COULOMB_MEV_NM == pytest.approx(1439.96, rel=1e-5)  # e^2/(4 pi eps0) = 1.44 eV nm
    assert units.MU_B_MEV_PER_T == pytest.approx(0.0578838, rel=1e-5)


def test_kinetic_energy_and_fermi_momentum_round_trip():
    for k, m in ((0.01, 0.023), (0.05, 0.067), (0.3, 1.0)):
        e = units.kinetic_energy_meV(k, m)
        assert e == pytest.approx((sc.hbar * k * 1e9) ** 2 / (2 * m * sc.m_e) / (1e-3 * sc.e), rel=1e-12)
        assert units.fermi_momentum_per_nm(e, m) == pytest.approx(k, rel=1e-12)
    # v = hbar k / m: the free electron at k = 1/nm moves at 115.8 km/s
    assert units.velocity_m_s(1.0, 1.0) == pytest.approx(sc.hbar * 1e9 / sc.m_e, rel=1e-12)


def test_orbital_moment_of_fig8_nanotube():
    # e D vF / 4 with D = 2.5 nm, vF = 8e5 m/s is 0.500 meV/T: Delta_Phi = 0.5 meV of Fig. 8 at 1 T
    assert units.orbital_moment_meV_per_T(2.5, 8e5) == pytest.approx(0.5, rel=1e-3)


def test_gate_voltage_to_chemical_potential_round_trip():
    d = preset(PAPER)
    for v in (-0.03, 0.0, 0.01):
        p = d.point(v)
        assert p.mu_meV == pytest.approx(d.secondary.lever_arm * (v - d.secondary.gate_offset_V) * 1e3)
        assert d.secondary.gate_offset_V + p.mu_meV * 1e-3 / d.secondary.lever_arm == pytest.approx(v)


# --- the gated Coulomb potential ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", [0.0, 0.01, 0.07])
def test_gated_potential_is_the_fourier_transform_of_line_charges_and_images(q):
    d, h, eps = 20.0, 50.0, 4.0
    far = math.sqrt(d * d + 4 * h * h)

    def real_space(x):
        return units.COULOMB_MEV_NM / eps * (1 / math.hypot(x, d) - 1 / math.hypot(x, far))

    if q == 0:
        integral = 2 * quad(real_space, 0, np.inf, limit=400)[0]
    else:  # QAWF: Fourier integral over the half line
        integral = 2 * quad(real_space, 0, np.inf, weight="cos", wvar=q, limlst=200)[0]
    assert gated_potential(q, d, h, eps) == pytest.approx(integral, rel=1e-6)
    if q == 0:
        assert gated_potential(0.0, d, h, eps) == pytest.approx(units.COULOMB_MEV_NM / eps * math.log(far**2 / d**2))


def test_gated_potential_refuses_no_gate_and_bad_input():
    for bad in ({"gate_distance_nm": math.inf}, {"distance_nm": 0.0}, {"epsilon_r": -1.0}):
        kw = {"distance_nm": 10.0, "gate_distance_nm": 50.0, "epsilon_r": 4.0} | bad
        with pytest.raises(ModelError, match="outside the allowed range"):
            gated_potential(0.0, **kw)


# --- g-ology ----------------------------------------------------------------------------------------------------


def test_luttinger_parameters_known_limits():
    v = 3e5
    free = spinful_wire(v, 0.0, 0.0)
    assert (free.K, free.u, free.ys0, free.u_spin) == (1.0, v, 0.0, v)
    V = 200.0  # meV nm
    y = coupling_strength(V, v)
    only_forward = spinful_wire(v, V, 0.0)
    assert only_forward.K == pytest.approx((1 + 2 * y) ** -0.5, rel=1e-12)  # K_c = (1 + 2V/pi hbar v)^(-1/2)
    assert only_forward.u * only_forward.K == pytest.approx(v, rel=1e-12)  # Galilean invariance without g1
    sl = spinless_wire(v, V, 0.0)
    assert sl.K == pytest.approx((1 + y) ** -0.5, rel=1e-12) and sl.u * sl.K == pytest.approx(v, rel=1e-12)
    # first order in a weak V: K_c = 1 - [V(0) - V(2kF)/2]/(pi hbar v), ys0 = V(2kF)/(pi hbar v)
    small = spinful_wire(v, 1.0, 0.6)
    assert 1 - small.K == pytest.approx(coupling_strength(1.0 - 0.3, v), rel=1e-2)
    assert small.ys0 == pytest.approx(coupling_strength(0.6, v))
    # a spinless band only feels V(0) - V(2k): a constant V(q) does nothing (g1 cancels g2)
    assert spinless_wire(v, V, V).K == pytest.approx(1.0)


def test_strong_backscattering_is_refused_with_its_name():
    with pytest.raises(ModelError, match="V\\(2kF\\)"):
        spinful_wire(1e4, 100.0, 100.0)


# --- from the device to the Model -------------------------------------------------------------------------------


def test_device_point_reduces_to_the_paper_model_by_hand():
    """Every dimensionless number of the Model recomputed from the point's physical quantities by the package's
    independent formulas: Eq. (15) for l*, upsilon of Eq. (14) from V(0), y0 = 2 sqrt2 V(2kF)/(pi(uc + u)) (g1 = 2V,
    y = g1 / (sqrt2 pi u_bar); the paper's V/(pi(uc + u)) with y_normalization = "paper"), and the bandwidth
    hbar u_s / alpha0 in kelvin with scipy.constants."""
    d = preset(PAPER)
    p = d.point(window(d, 0.4))
    assert p.regime == "single band" and p.ground is not None
    m = p.ground
    band = crossing(d.secondary.bands(d.field_T), p.mu_meV)
    assert p.k_secondary_per_nm == pytest.approx(-band.k_fermi * 1e-9)  # hole-like: negative (Eq. 7)
    assert p.kF_per_nm == pytest.approx(math.pi * d.primary.density_per_um * 1e-3 / 2)
    assert (m.lstar, m.lstar2) == pytest.approx(lstar_from_momenta(p.kF_per_nm, p.k_secondary_per_nm, p.alpha0_nm))
    V0 = units.COULOMB_MEV_NM / d.geometry.epsilon_r * math.log(
        (d.geometry.separation_nm**2 + 4 * d.geometry.gate_distance_nm**2) / d.geometry.separation_nm**2)
    to_v = 1e-9 / units.HBAR_MEV_S
    assert m.upsilon == pytest.approx(upsilon_from_coupling(math.sqrt(2) * V0 * to_v, p.u_m_s, p.uc_m_s, 0.9, 0.3))
    q = p.kF_per_nm + abs(p.k_secondary_per_nm)
    far = math.sqrt(d.geometry.separation_nm**2 + 4 * d.geometry.gate_distance_nm**2)
    Vb = units.COULOMB_MEV_NM / d.geometry.epsilon_r * 2 * (k0(q * d.geometry.separation_nm) - k0(q * far))
    assert m.y0 == pytest.approx(2 * Vb * to_v / (math.sqrt(2) * math.pi * (p.uc_m_s + p.u_m_s) / 2))
    paper = d.with_inputs({"y_normalization": "paper"}).point(window(d, 0.4)).ground
    assert paper.y0 == pytest.approx(Vb * to_v / (math.pi * (p.uc_m_s + p.u_m_s)))
    scaled = d.with_inputs({"y_scale": 0.5}).point(window(d, 0.4)).ground
    assert scaled.y0 == pytest.approx(0.5 * m.y0) and scaled.upsilon == m.upsilon
    assert (m.Kc0, m.K0, m.ys0) == (0.9, 0.3, 0.1)
    alpha0 = max(1 / p.kF_per_nm, d.geometry.separation_nm)
    assert p.alpha0_nm == pytest.approx(alpha0)
    assert p.Lambda_K == pytest.approx(sc.hbar * p.us_m_s / (alpha0 * 1e-9) / sc.k, rel=1e-12)
    assert p.T_over_Lambda == pytest.approx(d.temperature_K / p.Lambda_K)
    assert p.model.lmax == pytest.approx(math.log(p.Lambda_K / d.temperature_K))
    assert d.model(p.mu_meV, temperature_K=d.temperature_K) == p.model


def test_gate_inside_the_nanotube_gap_gives_the_mass_cutoff_of_appendix_b():
    d = preset(PAPER)
    gaps = sorted(d.secondary.bands(d.field_T).gaps().values())
    mu = -gaps[0] + 0.2  # 0.2 meV inside the smallest gap
    p = d.bosonize(mu)
    assert p.regime == "gapped" and p.k_secondary_per_nm == 0.0
    lambda_sec = units.HBAR_MEV_S * p.u_m_s / (p.alpha0_nm * 1e-9)
    edge = crossing(d.secondary.bands(d.field_T), mu).edge_distance
    assert p.lmass == pytest.approx(math.log(lambda_sec / edge))
    assert p.ground.lmass == pytest.approx(p.lmass)


def test_outside_the_theory_the_point_says_why():
    d = preset(PAPER)
    gaps = sorted(d.secondary.bands(d.field_T).gaps().values())
    p = d.bosonize(-gaps[1] - 0.3)
    assert p.ground is None and p.regime == "multiband" and "2 nanotube bands" in p.reason
    with pytest.raises(ModelError, match="nanotube bands"):
        d.model(-gaps[1] - 0.3)
    strong = d.with_inputs({"primary.ys0": None, "primary.radius_nm": 2.0, "geometry.epsilon_r": 1.0})
    q = strong.point(window(strong))
    assert q.ground is None and q.regime == "outside" and "V(2kF)" in q.reason


def test_device_inputs_are_validated_with_name_and_unit():
    d = preset(PAPER)
    with pytest.raises(ModelError, match=r"geometry.separation_nm = -1.0 .* nm"):
        d.with_inputs({"geometry.separation_nm": -1.0})
    with pytest.raises(ModelError, match=r"temperature_K = nan"):
        d.with_inputs({"temperature_K": math.nan})
    with pytest.raises(ModelError, match="unknown device input"):
        d.with_inputs({"geometry.height": 3.0})


def test_presets_load_with_sources_and_round_trip_through_a_file(tmp_path):
    assert set(PRESETS) >= {"paper-idealized", "cnt-gaas", "cnt-inas"}
    for name in PRESETS:
        d = preset(name)
        assert d.sources and d.uncertain
        path = tmp_path / f"{name}.toml"
        path.write_text(preset_text(name))
        assert read_device(path) == d
    bad = tmp_path / "bad.toml"
    bad.write_text(preset_text(PAPER).replace("[geometry]", "[geometry]\nheight_nm = 3"))
    with pytest.raises(ModelError, match="unknown key.*geometry.height_nm"):
        read_device(bad)


# --- gate maps -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paper_map():
    d = preset(PAPER)
    return d, gate_map(d, np.linspace(window(d, 0.3), window(d, 0.7), 41))


def test_gate_map_is_labelled_in_physical_units(paper_map):
    _, ds = paper_map
    assert ds["spin_gap_K"].attrs["units"] == "K" and ds["gate_V"].attrs["units"] == "V"
    assert ds["G_e2h"].attrs["units"] == "e2 h-1" and ds.attrs["Conventions"].startswith("CF")
    assert ds["phase"].attrs["flag_meanings"].split()[0] == "outside"
    assert ds.attrs["flow"] == "consistent" and ds.attrs["scheme"] == "cic"
    assert set(np.unique(ds["phase_T0"].values)) >= {PHASES.index("decoupled"), PHASES.index("trion")}


def test_gate_map_trion_window_has_the_table_one_conductance_when_clean(paper_map):
    d, _ = paper_map
    clean = gate_map(d.with_inputs({"impurity": 0.0, "temperature_K": 0.001}),
                     np.linspace(window(d, 0.3), window(d, 0.7), 41))
    trion = clean["phase"].values == PHASES.index("trion")
    dec = clean["phase"].values == PHASES.index("decoupled")
    assert trion.any() and dec.any()
    assert np.allclose(clean["G_e2h"].values[trion], 4 / 3) and np.allclose(clean["G_e2h"].values[dec], 2.0)
    assert np.allclose(clean["G_cross_e2h"].values[trion], -2 / 3)


def test_temperature_far_above_the_bandwidth_is_decoupled_everywhere(paper_map):
    d, ds = paper_map
    hot = gate_map(d, ds["gate_V"].values, temperature_K=100 * float(np.nanmax(ds["Lambda_K"].values)))
    valid = hot["phase_T0"].values != OUTSIDE
    assert valid.any() and np.all(hot["phase"].values[valid] == PHASES.index("decoupled"))
    assert np.any(hot["phase_T0"].values == PHASES.index("trion"))  # the T = 0 verdict is still given


def test_finite_temperature_phase_is_the_flow_stopped_at_ln_lambda_over_t(paper_map):
    d, ds = paper_map
    for i in (0, 20, 40):
        p = d.point(float(ds["gate_V"].values[i]))
        assert PHASES[int(ds["phase"].values[i])] == phase_of(p.model).phase


def test_zeeman_energy_above_the_gap_closes_it(paper_map):
    d, ds = paper_map
    g = 2.0 * float(ds["trion_scale_K"].max()) * units.K_B_MEV_PER_K / (units.MU_B_MEV_PER_T * d.field_T)
    spin = d.with_inputs({"primary.g_factor": g})  # E_Z = twice the largest gap of this map
    z = gate_map(spin, ds["gate_V"].values)
    was_gapped = ds["phase_T0"].values == PHASES.index("trion")
    assert was_gapped.any()
    assert np.all(z["zeeman_closed"].values[was_gapped] == 1)
    assert np.all(z["phase"].values[was_gapped] == PHASES.index("decoupled"))
    # a closed trion quotes no trion scale (the trion scale exists in the trion phase only; the reason keeps it)
    assert np.all(z["trion_scale_K"].values[was_gapped] == 0.0) and np.all(ds["trion_scale_K"].values[was_gapped] > 0)
    assert "exceeds the gap" in str(z["reason"].values[was_gapped][0])
    assert z["zeeman_primary_K"].values[0] == pytest.approx(g * units.MU_B_MEV_PER_T * d.field_T / units.K_B_MEV_PER_K)
    # the members are closed by the same field where their own scales lie below it: the agreement is the fraction
    # of members left decoupled, and it grows with the field
    members = z["ensemble_phase"].values[was_gapped]
    np.testing.assert_allclose(z["agreement"].values[was_gapped], (members == 0).mean(axis=1), rtol=1e-6)
    stronger = gate_map(d.with_inputs({"primary.g_factor": 2 * g}), ds["gate_V"].values)  # 4 times the largest gap
    assert np.all(stronger["phase"].values[was_gapped] == PHASES.index("decoupled"))
    assert np.all(stronger["agreement"].values[was_gapped] >= z["agreement"].values[was_gapped])
    assert np.mean(stronger["certainty"].values[was_gapped] == 0) > 0.9


def test_json_has_equal_length_lists_and_no_nan(paper_map):
    _, ds = paper_map
    out = to_json(ds)
    n = ds.sizes["gate_V"]
    for key in ("gate_V", "phase", "spin_gap_K", "trion_scale_K", "G_e2h", "controlled", "reason"):
        assert len(out[key]) == n, key
    assert set(out["phase"]) <= set(PHASE_LABELS.values())
    assert isinstance(out["Lambda_K"], float) and out["temperature_K"] == 0.03
    json.dumps(out, allow_nan=False)


def test_parse_range():
    assert parse_range("1:2:3", "--gate", "V").tolist() == [1.0, 1.5, 2.0]
    assert parse_range("0.5", "--gate", "V").tolist() == [0.5]
    for bad in ("1:2", "a:b:3", "1:2:0", "nan"):
        with pytest.raises(ModelError, match="--gate"):
            parse_range(bad, "--gate", "V")


# --- the conductance with a weak impurity --------------------------------------------------------------------


def test_running_impurity_integrates_its_dimension():
    assert running_impurity(0.1, 2.0, np.inf, 0.5, 0.5) == pytest.approx(0.1 * math.e)
    assert running_impurity(0.1, 3.0, 1.0, 0.5, 0.25) == pytest.approx(0.1 * math.exp(0.5 + 0.75 * 2))
    assert running_impurity(0.1, -1.0, 1.0, 0.5, 0.25) == pytest.approx(0.1)


def test_conductance_correction_scales_with_the_dimension_and_kinks_at_the_gap():
    """d ln(G0 - G) / d ln T = 2(d - 1): (Kc - 1) above the spin gap, (Kc - 2) below it."""
    Kc, l_gap = 0.8, 6.0
    d_above, d_below = (Kc + 1) / 2, Kc / 2
    t = np.exp(-np.array([3.0, 3.5, 8.0, 8.5]))
    G, ok = linear_conductance(t, phase=1, trion_scale=0.0, l_gap=l_gap, d_above=d_above, d_below=d_below,
                               g_imp=1e-4)
    assert ok.all()
    slope = np.diff(np.log(2 - G))[[0, 2]] / np.diff(np.log(t))[[0, 2]]
    assert slope == pytest.approx([2 * (d_above - 1), 2 * (d_below - 1)], rel=1e-6)
    strong, ok = linear_conductance(1e-12, phase=1, trion_scale=0.0, l_gap=l_gap, d_above=d_above, d_below=d_below,
                                    g_imp=0.1)
    assert not ok and np.isnan(strong)


def test_tunnelling_exponent_decoupled_closed_form():
    for Kc in (0.5, 0.8, 1.0):
        assert tunnelling_exponent(Kc, 1 / Kc) == pytest.approx((Kc + 1 / Kc - 2) / 4)


# --- sensitivity ----------------------------------------------------------------------------------------------


def test_sensitivity_probabilities_and_quantiles():
    d = preset(PAPER)
    gates = np.linspace(window(d, 0.35), window(d, 0.65), 9)
    s = sensitivity(d, gates, samples=8, seed=1)
    prob = s["phase_probability"].values
    assert np.allclose(prob.sum(axis=0), 1.0)
    assert s.sizes["sample"] == 8 and s["spin_gap_K_quantile"].sizes["quantile"] == 5
    q = s["spin_gap_K_quantile"].values
    assert np.all(np.diff(q, axis=0) >= 0)  # quantiles are ordered
    for name, lo, hi in d.uncertain:
        vals = s[f"input_{name}"].values
        assert np.all((vals >= lo) & (vals <= hi)) and np.ptp(vals) > 0
    again = sensitivity(d, gates, samples=8, seed=1)
    assert np.array_equal(again["phase"].values, s["phase"].values)
    assert sensitivity(d, gates, samples=4, method="sobol").sizes["sample"] == 4
    done = []
    sensitivity(d, gates[:2], samples=3, progress=done.append)
    assert done == [1, 2, 3]
    with pytest.raises(ModelError, match="outside the allowed size"):
        sensitivity(d, np.zeros(100_000), samples=21)
    with pytest.raises(ModelError, match="no \\[uncertain\\]"):
        sensitivity(Device(), gates)


# --- the command line -------------------------------------------------------------------------------------------


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    from pairing1d.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_cli_lists_presets_and_prints_the_gate_map_json(capsys, tmp_path):
    code, out, _ = run(["device", "--list-presets"], capsys)
    assert code == 0 and all(name in out for name in PRESETS)
    d = preset(PAPER)
    lo, hi = window(d, 0.3), window(d, 0.7)
    code, out, err = run(["device", "--preset", PAPER, "--gate", f"{lo}:{hi}:21", "--temperature", "0.05", "--json"],
                         capsys)
    assert code == 0, err
    data = json.loads(out)
    n = len(data["gate_V"])
    assert n == 21 and all(len(data[k]) == n for k in ("phase", "spin_gap_K", "trion_scale_K", "G_e2h"))
    assert data["temperature_K"] == 0.05 and data["Lambda_K"] > 0
    assert data["device"]["secondary"]["delta0_meV"] == d.secondary.delta0_meV
    assert "trion" in data["phase"] and "plot" not in data
    # a device file in place of --preset gives the same answer
    path = tmp_path / "mine.toml"
    path.write_text(preset_text(PAPER))
    code, out2, err = run(["device", str(path), "--gate", f"{lo}:{hi}:21", "--temperature", "0.05", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out2)["phase"] == data["phase"]


def test_cli_draws_the_gate_map_with_its_sensitivity_band(capsys, tmp_path):
    d = preset(PAPER)
    png = tmp_path / "map.png"
    code, out, err = run(["device", "--preset", PAPER, "--gate", f"{window(d, 0.3)}:{window(d, 0.7)}:15",
                          "--sensitivity", "4", "--plot", str(png)], capsys)
    assert code == 0, err
    assert png.stat().st_size > 10_000 and "sensitivity over 4 samples" in out and "gate windows" in out
    assert not list(tmp_path.glob(".*tmp*"))  # written through a temporary name


@pytest.mark.parametrize("argv, message", [
    (["device"], "give a device file or --preset"),
    (["device", "--preset", "nope"], "preset 'nope' is outside the known presets"),
    (["device", "--preset", PAPER, "--gate", "1:2"], "--gate = '1:2' is not a number or a range"),
    (["device", "--preset", PAPER, "--temperature", "-1"], "outside the allowed range"),
    (["device", "--preset", PAPER, "--impurity", "2"], "impurity = 2.0 is outside the allowed range"),
    (["device", "/nonexistent/device.toml"], "cannot read device file"),
])
def test_cli_bad_input_is_one_line(capsys, argv, message):
    code, out, err = run(argv, capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


# --- a Mott-ladder secondary -------------------------------------------------------------------------------------


def test_mott_ladder_device_reduces_to_the_ladder_model(tmp_path):
    """Sec. III A in lab units: the Device's Model is pairing1d.theory.ladder.ladder_model with the gap and the back
    gate in
    units of Lambda_sec = hbar u_- / alpha0 and the mismatches (kF -+ k1) alpha0, all recomputed here by hand."""
    from pairing1d.devices.device import MottLadder, PrimaryWire
    from pairing1d.theory.ladder import ladder_model, ladder_upsilon

    text = preset_text(PAPER).split("[secondary]")[0] + """[secondary]
kind = "mott_ladder"
gap_meV = 0.05
K_minus = 0.8
velocity_m_s = 2e5
k1_per_nm = -0.0032
lever_arm = 0.01
gate_offset_V = 0.0

[geometry]
separation_nm = 40.0
gate_distance_nm = 50.0
epsilon_r = 10.0
"""
    path = tmp_path / "ladder.toml"
    path.write_text(text)
    d = read_device(path)
    assert isinstance(d.secondary, MottLadder) and isinstance(d.primary, PrimaryWire)
    for gate, regime in ((0.002, "gapped"), (0.008, "soliton liquid")):
        p = d.point(gate)
        assert p.regime == regime and p.mu_meV == pytest.approx(0.01 * gate * 1e3)
        alpha0 = max(1 / p.kF_per_nm, 40.0)
        lam_sec = sc.hbar * 2e5 / (alpha0 * 1e-9) / (1e-3 * sc.e)
        far = math.sqrt(40.0**2 + 4 * 50.0**2)
        V0 = units.COULOMB_MEV_NM / 10.0 * math.log(far**2 / 40.0**2) * 1e-9 / units.HBAR_MEV_S
        qb = p.kF_per_nm + 0.0032
        Vb = units.COULOMB_MEV_NM / 10.0 * 2 * (k0(qb * 40.0) - k0(qb * far)) * 1e-9 / units.HBAR_MEV_S
        y0 = 2 * math.sqrt(2) * Vb / (math.pi * (p.uc_m_s + 2e5))  # the derived normalization, amplitude 1
        expected = ladder_model(0.8, 0.05 / lam_sec, p.mu_meV / lam_sec, (p.kF_per_nm - 0.0032) * alpha0,
                                (p.kF_per_nm + 0.0032) * alpha0, Kc0=0.9, ys0=0.1, y0=y0, y2=y0,
                                upsilon=ladder_upsilon(V0, 2e5, p.uc_m_s, 0.9, 0.8), u_ratio=2e5 / p.uc_m_s,
                                upsilon_theta=0.0, chi=d.chi)
        got, want = p.ground.to_dict(), expected.to_dict()
        assert got.keys() == want.keys()
        for key, value in want.items():
            assert got[key] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), key
        assert p.ground.vertex_charge == 1.0
    assert d.to_dict()["secondary"]["kind"] == "mott_ladder"


def test_gate_map_figure_marks_the_certainty_it_stores():
    """The phase strip at the temperature is dotted exactly where the stored certainty is leaning and cross-hatched
    where it is undetermined (a phase claimed, the ensemble not supporting it), with legend entries for both."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pairing1d.devices.device_plots import _certainty_masks, gate_map_figure
    from pairing1d.plotting import LEANING_HATCH, STYLE, UNCERTAIN_HATCH

    d = preset(PAPER)
    ds = gate_map(d, np.linspace(window(d, 0.0), window(d, 1.0), 61))
    masks = dict(_certainty_masks(ds))
    cert, phase = ds["certainty"].values, ds["phase"].values
    claimed = (phase != OUTSIDE) & (phase != PHASES.index("undetermined"))
    assert set(masks) <= {LEANING_HATCH, UNCERTAIN_HATCH} and masks  # the preset's map has both kinds
    for hatch, code in ((LEANING_HATCH, 1), (UNCERTAIN_HATCH, 2)):
        want = claimed & (cert == code)
        assert np.array_equal(masks.get(hatch, np.zeros_like(want)), want)
    with plt.rc_context(STYLE):
        fig = gate_map_figure(ds)
        labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
        plt.close(fig)
    assert ("leaning (2/3 of the ensemble)" in labels) == (LEANING_HATCH in masks)
    assert ("not supported by the ensemble" in labels) == (UNCERTAIN_HATCH in masks)


def test_the_legend_names_every_phase_the_sensitivity_panel_stacks():
    """Panel (d) stacks the phases of the sampled devices, which the phase strip may not show (a sliver of paired or
    undetermined among the samples): each one drawn is named in the figure's legend, and none that is not."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pairing1d.devices.device_plots import gate_map_figure
    from pairing1d.devices.gate_map import sensitivity
    from pairing1d.plotting import STYLE

    d = preset(PAPER)
    gates = np.linspace(window(d, 0.0), window(d, 1.0), 31)
    ds, band = gate_map(d, gates), sensitivity(d, gates, samples=8)
    prob = band["phase_probability"]
    stacked = {str(p) for p in prob["phase_label"].values if str(p) != "outside"
               and np.any(prob.sel(phase_label=p).values > 0)}
    strip = {PHASES[c] for c in np.unique(ds["phase"].values) if c != OUTSIDE}
    assert stacked - strip  # the samples hold a phase the strip does not: what the legend used to miss
    with plt.rc_context(STYLE):
        fig = gate_map_figure(ds, sensitivity=band)
        labels = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
        plt.close(fig)
    assert stacked | strip <= labels and not (set(PHASES) - stacked - strip) & labels
