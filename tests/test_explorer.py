"""The explorer's logic without a browser: map = sweep(), colours (triplet, hatched uncontrolled verdicts), clicked
points with their control and verdict under every scheme, nanotube l*, downloads that the CLI reads back, one-line
errors in the page, the ``pairing1d explore`` command's flags, and the Device tab (a preset's gate map, its summary,
its inputs in the lab's units and its one-line errors)."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

pytest.importorskip("panel")

from pairing1d import Model, ModelError, phase_of  # noqa: E402
from pairing1d.cli import main  # noqa: E402
from pairing1d.devices.cnt import FIG8, crossing  # noqa: E402
from pairing1d.engine.sweep import sweep  # noqa: E402
from pairing1d.explorer import compute  # noqa: E402
from pairing1d.explorer.compute import Axis, cnt_device, compute_map, marker_position, snap, solve_point  # noqa: E402
from pairing1d.explorer.export import map_netcdf, map_png, params_toml  # noqa: E402
from pairing1d.explorer.params import CONTROL_GROUPS, CONTROLS, model_from_values, values_of  # noqa: E402
from pairing1d.explorer.render import hatch_stripes, render_map  # noqa: E402
from pairing1d.plotting import PHASE_COLOURS  # noqa: E402
from pairing1d.theory.model import FLOWS, SCHEMES  # noqa: E402
from pairing1d.theory.phases import PHASES  # noqa: E402
from pairing1d.theory.transport import signatures  # noqa: E402

X = Axis("exp_neg_lstar", 0.0, 0.6, 12)
Y = Axis("y0", 0.0, 0.3, 10)
FIG4_PRINTED = Model(K0=0.4, flow="paper", scheme="printed")
"""Fig. 4's device (K0 = 0.4) with Eq. (16) exactly as printed: y1 grows past l*, many verdicts are not controlled."""


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


# --- controls ---------------------------------------------------------------------------------------------------


def test_every_model_field_has_one_control_in_one_group():
    names = [c.name for c in CONTROLS]
    assert sorted(names) == sorted(Model.field_names())
    grouped = [n for _, members in CONTROL_GROUPS for n in members]
    assert sorted(grouped) == sorted(names)
    by_name = {c.name: c for c in CONTROLS}
    assert by_name["upsilon_theta"].kind == "optional"  # empty: the line of Eq. (13)
    assert "Eq. 13" in by_name["upsilon_theta"].label and "has 0" in by_name["upsilon_theta"].help
    for name, values in (("flow", FLOWS), ("scheme", SCHEMES)):
        assert by_name[name].kind == "select" and [v for _, v in by_name[name].options] == list(values)
    assert "printed and frozen schemes only" in by_name["chi"].help
    assert "breaks SU(2)" in by_name["theta"].help


def test_widget_values_round_trip_through_a_model():
    for model in (Model(), Model(temperature=1e-3, lmass=5.0, scheme="frozen", su2=False, vertex_charge=1.0),
                  Model(upsilon_theta=0.0, theta=1.0), Model(flow="paper", scheme="printed")):
        assert model_from_values(values_of(model)) == model
    assert values_of(Model())["lmass"] is None  # an empty input means no mass
    assert values_of(Model())["upsilon_theta"] is None  # an empty input means the line of Eq. (13) ...
    assert model_from_values(values_of(Model())).upsilon_theta is None  # ... and stays None, not -u_ratio*upsilon
    assert values_of(Model(upsilon_theta=-0.3))["upsilon_theta"] == -0.3
    with pytest.raises(ModelError, match="for flow = 'paper'"):  # Eq. (16) holds on the line (13) only
        model_from_values(values_of(Model()) | {"flow": "paper", "upsilon_theta": 0.0})
    # a temperature wins over the lmax slider instead of contradicting it
    assert model_from_values(values_of(Model()) | {"temperature": 1e-4}).lmax == pytest.approx(math.log(1e4))


# --- the map ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Model(K0=0.5), FIG4_PRINTED], ids=["cic", "paper-printed"])
def test_map_is_the_sweep_of_the_same_grid(model):
    ds = compute_map(model, X, Y)
    ref = sweep(model, rtol=compute.EXPLORER_RTOL, atol=compute.EXPLORER_ATOL, y0=Y.values(),
                exp_neg_lstar=X.values())
    assert ds["phase"].dims == ("y0", "exp_neg_lstar")
    for name in ("phase", "controlled", "l_bar", "l_bbar", "l_runaway", "spin_gap", "dominant_order"):
        np.testing.assert_array_equal(ds[name].values, ref[name].values)
    assert ds.attrs["scheme"] == model.scheme and ds.attrs["flow"] == model.flow
    # the looser interactive tolerance moves neither a phase nor a control flag of Fig. 4's grid
    default = sweep(model, y0=Y.values(), exp_neg_lstar=X.values())
    for name in ("phase", "controlled"):
        np.testing.assert_array_equal(ds[name].values, default[name].values)
    assert {0, 2} <= set(np.unique(ds["phase"].values))  # decoupled at y0 = 0, trion at large y0 and small e^-l*


def _interior(phase: np.ndarray) -> np.ndarray:
    """Pixels whose right and upper neighbours share their phase (not painted as a boundary)."""
    interior = np.ones(phase.shape, dtype=bool)
    interior[:, :-1] &= phase[:, :-1] == phase[:, 1:]
    interior[:-1, :] &= phase[:-1, :] == phase[1:, :]
    return interior


def _rgb(rgba: np.ndarray) -> np.ndarray:
    return rgba.view(np.uint8).reshape(*rgba.shape, 4)[..., :3]


def _hex(name: str) -> list[int]:
    colour = PHASE_COLOURS[name].lstrip("#")
    return [int(colour[i:i + 2], 16) for i in (0, 2, 4)]


def test_map_colours_follow_the_matplotlib_figure():
    ds = compute_map(FIG4_PRINTED, X, Y)  # all of decoupled, paired and trion
    phase, gap = ds["phase"].values, ds["spin_gap"].values
    assert {0, 1, 2} <= set(np.unique(phase))
    image = render_map(phase, gap, X.values(), Y.values())  # the old call: every pixel taken as controlled
    rgba = image.rgba.view(np.uint8).reshape(*phase.shape, 4)
    assert image.rgba.shape == phase.shape and np.all(rgba[..., 3] == 255)
    interior = _interior(phase)
    for code, name in ((0, "decoupled"), (2, "trion")):
        assert np.all(rgba[(phase == code) & interior][:, :3] == _hex(name))
    assert np.all(rgba[~interior][:, :3] == 0)  # boundaries in black
    log_gap = np.log10(gap[phase == 1])
    assert image.log_gap_range == pytest.approx((log_gap.min(), log_gap.max()))
    # paired: the figures' green gap map (plotting.paired_colormap), its light end at the smallest gap
    from pairing1d.explorer.render import paired_palette

    inside = (phase == 1) & interior
    palette = {tuple(c) for c in paired_palette()}
    assert {tuple(c) for c in rgba[inside][:, :3]} <= palette
    by_gap = np.argsort(gap[inside])
    brightness = rgba[inside][by_gap][:, :3].astype(float) @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(brightness) <= 1e-9) and brightness[0] > brightness[-1]  # darker green, larger gap
    assert image.counts == {n: int((phase == c).sum()) for c, n in enumerate(PHASES)}
    assert image.uncontrolled == 0 and not image.hatched.any()


def test_uncontrolled_verdicts_are_hatched_exactly_where_the_sweep_says_so():
    xs, ys = X.values(), Y.values()
    ds = compute_map(FIG4_PRINTED, X, Y)
    ref = sweep(FIG4_PRINTED, rtol=compute.EXPLORER_RTOL, atol=compute.EXPLORER_ATOL, y0=ys, exp_neg_lstar=xs)
    phase, gap, controlled = ds["phase"].values, ds["spin_gap"].values, ds["controlled"].values
    uncontrolled = ref["controlled"].values == 0
    # the printed scheme lets |y1| grow past y_strong after l*: paired verdicts reached that way are not controlled
    assert uncontrolled.any() and np.all(phase[uncontrolled] != 2)
    image = render_map(phase, gap, xs, ys, controlled)
    plain = render_map(phase, gap, xs, ys)
    np.testing.assert_array_equal(image.hatched, uncontrolled)
    assert image.uncontrolled == int(uncontrolled.sum())
    # the stripes: exactly the uncontrolled pixels on a diagonal (i + j) % 4 == 0, except the black boundaries
    changed = np.any(_rgb(image.rgba) != _rgb(plain.rgba), axis=-1)
    np.testing.assert_array_equal(changed, uncontrolled & hatch_stripes(phase.shape) & _interior(phase))
    assert changed.any()
    # stripes show on every colour: each changed pixel differs from its flat colour by at least 50 in some channel
    diff = np.abs(_rgb(image.rgba).astype(int) - _rgb(plain.rgba).astype(int))[changed]
    assert np.all(diff.max(axis=-1) >= 50)

    # the default scheme (cic) on the same device: every verdict with a phase controlled (an undetermined one is not
    # a verdict: drawn in its own colour, not hatched), nothing hatched
    cic = compute_map(FIG4_PRINTED.replace(scheme="cic"), X, Y)
    assert np.all((cic["controlled"].values == 1) == (cic["phase"].values != PHASES.index("undetermined")))
    image = render_map(cic["phase"].values, cic["spin_gap"].values, xs, ys, cic["controlled"].values)
    assert not image.hatched.any()
    np.testing.assert_array_equal(image.rgba, render_map(cic["phase"].values, cic["spin_gap"].values, xs, ys).rgba)


def test_triplet_phase_has_its_colour_on_a_map_over_theta():
    device = Model(K0=0.6, ys0=0.0, y0=0.2, lstar=2.0)
    at_pi = phase_of(device.replace(theta=math.pi))
    assert at_pi.phase == "triplet" and at_pi.spin_gap_type == "triplet"  # g_up = -g_down: ys runs to +1
    assert at_pi.dominant_order in ("SDW", "TS") and at_pi.controlled
    assert phase_of(device).phase == "paired"  # theta = 0: the same device pairs as singlets
    theta, ys0 = Axis("theta", 0.0, math.pi, 9), Axis("ys0", -0.1, 0.1, 5)
    ds = compute_map(device, theta, ys0)
    phase = ds["phase"].values
    assert phase[list(ys0.values()).index(0.0), -1] == 3  # the pixel of the device at theta = pi
    image = render_map(phase, ds["spin_gap"].values, theta.values(), ys0.values(), ds["controlled"].values)
    triplet = (phase == 3) & _interior(phase) & ~image.hatched
    assert triplet.any() and np.all(_rgb(image.rgba)[triplet] == _hex("triplet"))
    assert image.counts["triplet"] == int((phase == 3).sum())


@pytest.mark.parametrize(("axis", "match"), [
    (lambda: Axis("y0", 0.3, 0.1), "start 0.3 is not below stop 0.1"),
    (lambda: Axis("y0", 0.0, 0.3, 1), "points = 1 is outside the allowed range"),
    (lambda: Axis("scheme", 0.0, 1.0), "axis 'scheme' is outside the allowed names"),
    (lambda: Axis("flow", 0.0, 1.0), "axis 'flow' is outside the allowed names"),
    (lambda: Axis("y0", float("nan"), 0.3), "start = nan is not a finite number"),
])
def test_bad_axes_are_one_line_model_errors(axis, match):
    with pytest.raises(ModelError, match=match):
        axis()


def test_out_of_domain_axis_names_the_parameter():
    with pytest.raises(ModelError, match=r"y0 = 1\.2 is outside the allowed range"):
        compute_map(Model(), X, Axis("y0", 0.0, 1.2, 4))
    with pytest.raises(ModelError, match="set the same parameter lstar"):
        compute_map(Model(), X, Axis("lstar", 1.0, 2.0, 4))
    # an axis over upsilon_theta leaves the line of Eq. (13): the consistent flow maps it, Eq. (16) refuses it
    ups_t = Axis("upsilon_theta", *compute.DEFAULT_RANGES["upsilon_theta"], 4)
    assert compute_map(Model(), X, ups_t)["phase"].dims == ("upsilon_theta", "exp_neg_lstar")
    with pytest.raises(ModelError, match=r"upsilon_theta = -0\.5 is outside the allowed values .* flow = 'paper'"):
        compute_map(Model(flow="paper"), X, ups_t)


# --- a clicked point --------------------------------------------------------------------------------------------


def test_clicked_point_is_solved_by_the_scipy_path_with_its_table_row():
    coords = {"exp_neg_lstar": snap(0.30004, X), "y0": snap(0.2, Y)}
    assert coords["exp_neg_lstar"] == 0.3
    point = solve_point(Model(K0=0.5), coords)
    direct = phase_of(Model(K0=0.5, lstar=-math.log(0.3), y0=0.2))
    assert point.result.phase == direct.phase
    assert point.result.l_bar == pytest.approx(direct.l_bar)
    assert point.table_row == signatures(direct.phase)
    assert point.describe() == "exp_neg_lstar = 0.3, y0 = 0.2"
    assert compute.model_at(Model(), {"exp_neg_lstar": 0.0}).lstar == math.inf  # commensurate


def test_snap_clips_to_the_axis():
    assert snap(-1.0, X) == 0.0 and snap(9.0, X) == 0.6
    assert snap(0.123456, Axis("lstar", 0.0, 8.0)) == 0.123


# --- the nanotube -----------------------------------------------------------------------------------------------


def test_nanotube_lstar_is_cnt_py_and_the_cnt_command(capsys):
    kF, alpha0 = 0.0033, 100.0  # 1/nm and nm, as pairing1d cnt takes them
    device = cnt_device(-3.0, kF, alpha0)
    assert (device.lstar, device.lstar2) == crossing(FIG8, -3.0).lstar(kF * 1e9, alpha0 * 1e-9)  # cnt.py: 1/m, m
    code, out, err = run(["cnt", "--mu", "-3", "--kF-primary", str(kF), "--alpha0", str(alpha0), "--json"], capsys)
    assert code == 0, err
    assert device.lstar == pytest.approx(json.loads(out)["lstar"], rel=1e-12)
    model = Model(y0=0.12)
    assert marker_position(device, model, X, Y) == pytest.approx((math.exp(-device.lstar), 0.12))
    assert marker_position(device, model, Axis("lstar", 0.0, 8.0), Y) == pytest.approx((device.lstar, 0.12))
    assert marker_position(device, model, Axis("K0", 0.1, 1.0), Y) is None  # no axis along l*
    off = cnt_device(0.0, kF, alpha0)  # inside the gap: no band, no l*
    assert off.lstar is None and marker_position(off, model, X, Y) is None
    assert "0 bands cross" in off.describe()
    # the page shows momenta in 1/nm
    assert f"k_F = {device.crossing.k_fermi * 1e-9:.4g} 1/nm" in device.describe()
    assert "1/m;" not in device.describe()


# --- downloads --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [
    Model(K0=0.3, lstar=4.0, scheme="frozen"),
    Model(temperature=1e-3, lmass=6.0, su2=False, theta=0.3, vertex_charge=1.0, lstar=math.inf),
    Model(K0=0.4, upsilon_theta=0.0, scheme="printed"),  # a pure density coupling, off the line (13)
    FIG4_PRINTED,
])
def test_toml_is_read_back_by_pairing1d_flow(model, tmp_path, capsys):
    path = tmp_path / "device.toml"
    path.write_text(params_toml(model, "from a test"))
    code, out, err = run(["flow", "--params", str(path), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    read = {k: (math.inf if v == "inf" else v) for k, v in data["parameters"].items() if k in Model.field_names()}
    assert Model(**read) == model
    assert data["phase"] == phase_of(model).phase


def test_png_and_netcdf_hold_the_map():
    import xarray as xr

    ds = compute_map(Model(K0=0.5), X, Y)
    assert map_png(ds, X.name, Y.name)[:8] == b"\x89PNG\r\n\x1a\n"
    back = xr.open_dataset(io.BytesIO(map_netcdf(ds)), engine="h5netcdf")
    np.testing.assert_array_equal(back["phase"].values, ds["phase"].values)
    assert back.attrs["K0"] == 0.5


# --- the page, without a browser --------------------------------------------------------------------------------


class _Tap:
    def __init__(self, x: float, y: float):
        self.x, self.y = x, y


def test_page_reports_errors_in_one_line_and_keeps_working():
    from pairing1d.explorer.app import Explorer

    page = Explorer(Model(K0=0.5), X, Y)
    assert not page.alert.visible and page.point is not None  # starts with the sliders' device solved
    before = page.ds["phase"].values.copy()
    page.controls["K0"].value = 0.3
    page._on_control()
    assert not np.array_equal(page.ds["phase"].values, before)
    assert page.ds.attrs["K0"] == 0.3

    page.on_tap(_Tap(0.123456, 0.2))
    assert page.point.coords == {"exp_neg_lstar": 0.1235, "y0": 0.2}
    assert "Device at exp_neg_lstar = 0.1235, y0 = 0.2" in page.point_text.object
    assert f"**{page.point.result.phase}**" in page.point_text.object
    assert "Table I row" in page.point_text.object
    assert "y0 = 0.2" in page.current_toml()

    page.controls["upsilon"].value = 1.2
    page._on_control()
    assert page.alert.visible
    assert page.alert.object == str(pytest.raises(ModelError, Model, upsilon=1.2).value)
    assert "\n" not in page.alert.object and "Traceback" not in page.alert.object
    assert page.ds.attrs["upsilon"] == 0.12  # the last valid map stays

    page.controls["upsilon"].value = 0.2
    page._on_control()
    assert not page.alert.visible and page.ds.attrs["upsilon"] == 0.2

    page.axis_widgets["y"]["n"].value = 1
    assert page.alert.visible and "points = 1" in page.alert.object
    page.axis_widgets["y"]["n"].value = 10
    page.axis_widgets["x"]["name"].value = "K0"  # a new axis takes its default range and greys out its slider
    assert not page.alert.visible and page.ds["phase"].dims == ("y0", "K0")
    assert page.controls["K0"].disabled and not page.controls["lstar"].disabled


def test_clicked_point_shows_its_control_and_its_verdict_under_every_scheme():
    from pairing1d.explorer.app import Explorer
    from pairing1d.explorer.text import ORDER_WORDS

    page = Explorer(FIG4_PRINTED, X, Y)
    assert "not controlled" in page.map_status.object and "scheme printed" in page.map_status.object
    assert "flow <b>paper</b>, cutoff scheme <b>printed</b>" in page.legend.object
    assert "triplet" in page.legend.object and "hatched: not controlled" in page.legend.object
    share = 100 * int((page.ds["controlled"].values == 0).sum()) / page.ds["controlled"].size
    assert f"not controlled {share:.0f} %" in page.map_status.object

    page.on_tap(_Tap(0.25, 0.2))
    r = page.point.result
    direct = phase_of(FIG4_PRINTED.replace(lstar=-math.log(0.25), y0=0.2))
    assert (r.phase, r.controlled) == (direct.phase, direct.controlled)
    # the printed flow carries |y1| past y_strong after l* and reaches ys = -1 only then: not a controlled verdict
    assert r.phase == "paired" and not r.controlled and r.uncontrolled_reason
    text = page.point_text.object
    assert "**not controlled**" in text and r.uncontrolled_reason.replace("|", "\\|") in text
    for scheme, verdict in r.verdict_by_scheme.items():
        assert f"{scheme}: {verdict}" in text
    assert r.verdict_by_scheme["printed"] == "paired" and f"**printed: {r.phase}**" in text
    assert "singlet (l̄ =" in text and ORDER_WORDS[r.dominant_order] in text
    # the flow panel shades the flow from where |y1| passed y_strong
    assert all(box.visible and box.left == pytest.approx(r.l_bbar) for box in page.flow_view.boxes)

    page.controls["scheme"].value = "cic"  # the default scheme: the same click is re-solved, and controlled
    assert "scheme cic" in page.map_status.object and "not controlled 0 %" in page.map_status.object
    r = page.point.result
    assert r.controlled and "| control | controlled |" in page.point_text.object
    assert f"**cic: {r.phase}**" in page.point_text.object
    assert not any(box.visible for box in page.flow_view.boxes)


def test_triplet_point_in_the_page():
    from pairing1d.explorer.app import Explorer

    page = Explorer(Model(K0=0.6, ys0=0.0, y0=0.2, lstar=2.0), Axis("theta", 0.0, math.pi, 9),
                    Axis("ys0", -0.1, 0.1, 5))
    assert "triplet" in page.map_view.labels.data["text"]  # a region large enough to be labelled
    page.on_tap(_Tap(math.pi, 0.0))
    text = page.point_text.object
    assert "**triplet**" in text and "triplet / SDW_z" in text and "ys = +1 at l =" in text
    assert "SU(2) line not enforced" in text  # theta = pi couples the secondary to S^z
    assert page.flow_view.marks["l_runaway"].data["x"] == [pytest.approx(page.point.result.flow.l_runaway)]
    assert "Table I row" in text  # Table I has a triplet row


def test_upsilon_theta_set_in_the_page_round_trips_through_the_toml(tmp_path, capsys):
    from pairing1d.explorer.app import Explorer

    page = Explorer(Model(K0=0.5), X, Y)
    assert page.controls["upsilon_theta"].value is None and "upsilon_theta" not in page.current_toml()
    page.controls["upsilon_theta"].value = 0.05  # off the line of Eq. (13)
    assert not page.alert.visible and page.point.model.upsilon_theta == 0.05
    toml = page.current_toml()
    assert "upsilon_theta = 0.05" in toml and 'flow = "consistent"' in toml
    path = tmp_path / "device.toml"
    path.write_text(toml)
    code, out, err = run(["flow", "--params", str(path), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["parameters"]["upsilon_theta"] == 0.05 and data["upsilon_theta"] == 0.05
    assert data["phase"] == page.point.result.phase and data["controlled"] == page.point.result.controlled
    assert data["verdict_by_scheme"] == page.point.result.verdict_by_scheme

    page.controls["flow"].value = "paper"  # Eq. (16) is refused off the line (13): the Model's one line
    assert page.alert.visible and "for flow = 'paper'" in page.alert.object and "\n" not in page.alert.object
    assert page.ds.attrs["flow"] == "consistent"  # the last valid map stays
    page.controls["upsilon_theta"].value = None  # empty: back on the line, where the paper's flow is defined
    assert not page.alert.visible and page.ds.attrs["flow"] == "paper"
    assert "upsilon_theta" not in page.current_toml()

    page.axis_widgets["y"]["name"].value = "upsilon_theta"  # an axis off the line (13): refused by Eq. (16) ...
    assert page.alert.visible and page.alert.object.startswith("upsilon_theta = -0.5 is outside the allowed values")
    page.controls["flow"].value = "consistent"  # ... mapped by the consistent flow
    assert not page.alert.visible and page.ds["phase"].dims == ("upsilon_theta", "exp_neg_lstar")
    assert page.controls["upsilon_theta"].disabled


def test_explore_command_help_and_errors(capsys):
    code, out, _ = run(["explore", "--help"], capsys)
    assert code == 0 and "--port" in out and "--host" in out and "--K0" in out
    code, _, err = run(["explore", "--upsilon", "2"], capsys)
    assert code == 2 and err.count("\n") == 1 and "upsilon = 2.0 is outside" in err
    code, _, err = run(["explore", "--port", "70000"], capsys)
    assert code == 2 and "port = 70000 is outside the allowed range" in err


# --- the Device tab ---------------------------------------------------------------------------------------------


def test_device_inputs_are_shown_in_lab_units_and_go_through_with_inputs():
    from pairing1d.devices.device import PRESETS, preset
    from pairing1d.explorer.params import DEVICE_CONTROLS, device_from_values, device_values

    for name in PRESETS:
        base = preset(name)
        assert device_from_values(base, device_values(base)) == base
    base = preset("paper-idealized")
    values = device_values(base)
    assert values["temperature_mK"] == base.temperature_K * 1e3 == pytest.approx(30.0)  # shown in mK, held in K
    assert {c.input for c in DEVICE_CONTROLS} == {"temperature_K", "field_T", "impurity", "geometry.separation_nm",
                                                  "geometry.epsilon_r", "primary.density_per_um"}
    changed = device_from_values(base, values | {"temperature_mK": 120.0, "separation_nm": 25.0, "field_T": 0.5})
    assert changed == base.with_inputs({"temperature_K": 0.12, "geometry.separation_nm": 25.0, "field_T": 0.5})
    with pytest.raises(ModelError, match=r"^dielectric constant ε_r is empty: type a number$"):
        device_from_values(base, values | {"epsilon_r": None})
    with pytest.raises(ModelError, match=r"geometry\.epsilon_r = 0\.5 is outside the allowed range"):
        device_from_values(base, values | {"epsilon_r": 0.5})


def test_device_tab_gate_map_of_a_preset_has_the_right_phases():
    from pairing1d.devices.cnt import crossing
    from pairing1d.devices.device import preset
    from pairing1d.devices.gate_map import OUTSIDE, PHASE_LABELS, gate_map
    from pairing1d.explorer.compute import GateAxis, compute_device, default_gate_axis

    device = preset("paper-idealized")
    window = default_gate_axis(device)
    # pairing1d device's default: the single-band hole window between the tops of the two highest valence bands
    # (-m + sigma E_Z/2 with the nanotube's Zeeman energy), +-25 % of its width
    cnt = device.secondary.bands(device.field_T)
    tops = sorted((-m + s * cnt.zeeman / 2 for (s, _), m in cnt.gaps().items()), reverse=True)
    m = sorted(cnt.gaps().values())
    mu = [device.secondary.chemical_potential(v) for v in (window.start, window.stop)]
    width = tops[0] - tops[1]
    assert mu == pytest.approx([tops[1] - 0.25 * width, tops[0] + 0.25 * width], rel=1e-5)
    assert window.n == 241
    assert crossing(device.secondary.bands(device.field_T), -(m[0] + m[1]) / 2).single_band

    gate = GateAxis(window.start, window.stop, 81)
    result = compute_device(device, gate)
    ref = gate_map(device, gate.values())
    for name in ("phase", "phase_T0", "controlled", "spin_gap_K", "G_e2h"):
        np.testing.assert_array_equal(result.ds[name].values, ref[name].values)
    phase = result.ds["phase"].values
    names = {PHASE_LABELS[int(c)] for c in np.unique(phase)}
    assert names == {"outside", "decoupled", "trion"}  # the paper's regime: a trion window in the single band
    # the edges of the window leave two nanotube bands at the Fermi level: outside the theory, and said why
    assert phase[0] == OUTSIDE and "2 nanotube bands" in str(result.ds["reason"].values[0])
    # each verdict is the scipy path's at that gate voltage (Device.point -> Model at T -> phase_of)
    [(t_lo, t_hi)] = result.windows("trion")
    decoupled = result.windows("decoupled")
    for v, expected in (((t_lo + t_hi) / 2, "trion"), ((decoupled[-1][0] + decoupled[-1][1]) / 2, "decoupled")):
        v = float(gate.values()[np.argmin(np.abs(gate.values() - v))])
        assert PHASE_LABELS[int(result.ds["phase"].sel(gate_V=v).values)] == expected
        assert phase_of(device.point(v).model).phase == expected
    # the one-line summary: bandwidth in K, the windows, the largest gap in K, the counts
    summary = result.summary()
    assert "\n" not in summary
    assert f"bandwidth Λ = {float(ref['Lambda_K'].max()):.3g} K" in summary
    assert f"trion {t_lo:.6g} to {t_hi:.6g} V" in summary and "paired none" in summary
    gap = ref["spin_gap_K"].values
    assert f"largest spin gap {gap.max():.3g} K (T = 0, at {gate.values()[gap.argmax()]:.6g} V)" in summary
    outside = int((ref["phase_T0"].values == OUTSIDE).sum())
    undetermined = int(((ref["certainty"].values == 2) & (ref["phase"].values != OUTSIDE)).sum())
    assert outside > 0
    assert f"outside the theory {outside} of 81 points, not controlled 0, undetermined {undetermined}" in summary
    assert "α0 " in result.details() and " nm" in result.details() and "1/nm" in result.details()


@pytest.mark.parametrize(("gate", "match"), [
    ((0.1, -0.1, 11), "gate start 0.1 V is not below gate stop -0.1 V"),
    ((-0.1, 0.1, 802), "gate points = 802 is outside the allowed range \\[2, 801\\]"),
    ((float("nan"), 0.1, 11), "gate start = nan is not a finite number"),
    ((-2e4, 0.1, 11), "gate start = -20000 V is outside the allowed range"),
])
def test_bad_gate_axes_are_one_line_model_errors(gate, match):
    from pairing1d.explorer.compute import GateAxis

    with pytest.raises(ModelError, match=match):
        GateAxis(*gate)


def test_device_tab_in_the_page_redraws_and_reports_bad_inputs_in_one_line():
    import xarray as xr

    from pairing1d.devices.device import preset
    from pairing1d.explorer.app import TAB_TITLES, Explorer

    page = Explorer(Model(K0=0.5), X, Y)
    tab = page.device_tab
    assert TAB_TITLES == ("Phase map", "Device") and not tab.drawn  # nothing computed before the tab is shown
    assert all(w.disabled for w in tab.downloads)
    page.tabs.active = 1
    assert tab.drawn and not tab.alert.visible and not any(w.disabled for w in tab.downloads)
    assert tab.figure.object[:8] == b"\x89PNG\r\n\x1a\n"
    back = xr.open_dataset(tab._netcdf(), engine="h5netcdf")  # the NetCDF download is the gate map
    np.testing.assert_array_equal(back["phase"].values, tab.result.ds["phase"].values)
    assert back["spin_gap_K"].attrs["units"] == "K" and back.attrs["temperature_K"] == 0.03
    assert tab.summary.object == tab.result.summary() and "trion" in tab.summary.object
    # the page's nanotube card takes k_F in 1/nm and α0 in nm, as pairing1d cnt
    page.open_section("cnt")  # built when first shown
    cnt = page.cnt.widgets
    assert cnt["kF_primary"].value == 0.0033 and cnt["alpha0"].value == 100.0
    assert page.cnt.device.lstar == cnt_device(-3.0, 0.0033, 100.0).lstar

    figure, summary = tab.figure.object, tab.summary.object
    tab.inputs["field_T"].value = 1.5  # the field moves the nanotube's bands: the trion window moves
    assert not tab.alert.visible and tab.result.device.field_T == 1.5
    assert "B = 1.5 T" in tab.summary.object and tab.summary.object != summary and tab.figure.object != figure

    figure, summary = tab.figure.object, tab.summary.object
    for widgets, name, bad, message in (
        (tab.inputs, "epsilon_r", 0.5, "geometry.epsilon_r = 0.5 is outside the allowed range [1, 10000)"),
        (tab.inputs, "temperature_mK", None, "temperature T (mK) is empty: type a number"),
        (tab.inputs, "impurity", 1.0, "impurity = 1.0 is outside the allowed range [0, 1)"),
        (tab.gate_widgets, "n", 5000, "gate points = 5000 is outside the allowed range [2, 801]"),
    ):
        good = widgets[name].value
        widgets[name].value = bad
        assert tab.alert.visible and tab.alert.object.startswith(message), tab.alert.object
        assert "\n" not in tab.alert.object and "Traceback" not in tab.alert.object
        assert not page.alert.visible  # the Phase map tab has its own alert, untouched
        assert (tab.figure.object, tab.summary.object) == (figure, summary)  # the last valid gate map stays
        tab._hold = True  # put the good value back without a redraw (the next bad value is checked alone)
        widgets[name].value = good
        tab._hold = False
    tab.inputs["field_T"].value = 0.0
    tab.window_button.clicks += 1  # no single-band window at zero field: said in one line
    assert tab.alert.visible and "no single-band window" in tab.alert.object
    tab.preset_select.value = "cnt-inas"  # a new preset: its inputs and its own window, and a good map again
    assert not tab.alert.visible and tab.inputs["field_T"].value == preset("cnt-inas").field_T
    assert tab.result.device == preset("cnt-inas") and tab.summary.object == tab.result.summary()
