"""The explorer's logic without a browser: map = sweep(), colours, clicked points, nanotube l*, downloads that the
CLI reads back, one-line errors in the page, and the ``pairing1d explore`` command's flags."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

pytest.importorskip("panel")

from pairing1d import Model, ModelError, phase_of  # noqa: E402
from pairing1d.cli import main  # noqa: E402
from pairing1d.cnt import FIG8, crossing  # noqa: E402
from pairing1d.explorer import compute  # noqa: E402
from pairing1d.explorer.compute import Axis, cnt_device, compute_map, marker_position, snap, solve_point  # noqa: E402
from pairing1d.explorer.export import map_netcdf, map_png, params_toml  # noqa: E402
from pairing1d.explorer.params import CONTROL_GROUPS, CONTROLS, model_from_values, values_of  # noqa: E402
from pairing1d.explorer.render import render_map  # noqa: E402
from pairing1d.plotting import PHASE_COLOURS  # noqa: E402
from pairing1d.sweep import sweep  # noqa: E402
from pairing1d.transport import signatures  # noqa: E402

X = Axis("exp_neg_lstar", 0.0, 0.6, 12)
Y = Axis("y0", 0.0, 0.3, 10)


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


def test_widget_values_round_trip_through_a_model():
    for model in (Model(), Model(temperature=1e-3, lmass=5.0, scheme="frozen", su2=False, vertex_charge=1.0)):
        assert model_from_values(values_of(model)) == model
    assert values_of(Model())["lmass"] is None  # an empty input means no mass
    # a temperature wins over the lmax slider instead of contradicting it
    assert model_from_values(values_of(Model()) | {"temperature": 1e-4}).lmax == pytest.approx(math.log(1e4))


# --- the map ----------------------------------------------------------------------------------------------------


def test_map_is_the_sweep_of_the_same_grid():
    model = Model(K0=0.5)
    ds = compute_map(model, X, Y)
    ref = sweep(model, rtol=compute.EXPLORER_RTOL, atol=compute.EXPLORER_ATOL, y0=Y.values(),
                exp_neg_lstar=X.values())
    assert ds["phase"].dims == ("y0", "exp_neg_lstar")
    for name in ("phase", "l_bar", "l_bbar", "spin_gap", "dominant_order"):
        np.testing.assert_array_equal(ds[name].values, ref[name].values)
    # the looser interactive tolerance does not move a phase of Fig. 4's grid
    default = sweep(model, y0=Y.values(), exp_neg_lstar=X.values())
    np.testing.assert_array_equal(ds["phase"].values, default["phase"].values)
    assert set(np.unique(ds["phase"].values)) == {0, 1, 2}


def test_map_colours_follow_the_matplotlib_figure():
    ds = compute_map(Model(K0=0.5), X, Y)
    phase, gap = ds["phase"].values, ds["spin_gap"].values
    image = render_map(phase, gap, X.values(), Y.values())
    rgba = image.rgba.view(np.uint8).reshape(*phase.shape, 4)
    assert image.rgba.shape == phase.shape and np.all(rgba[..., 3] == 255)
    interior = np.ones(phase.shape, dtype=bool)  # pixels whose right and upper neighbours share their phase
    interior[:, :-1] &= phase[:, :-1] == phase[:, 1:]
    interior[:-1, :] &= phase[:-1, :] == phase[1:, :]
    for code, name in ((0, "decoupled"), (2, "trion")):
        hex_colour = PHASE_COLOURS[name].lstrip("#")
        expected = [int(hex_colour[i:i + 2], 16) for i in (0, 2, 4)]
        assert np.all(rgba[(phase == code) & interior][:, :3] == expected)
    assert np.all(rgba[~interior][:, :3] == 0)  # boundaries in black
    log_gap = np.log10(gap[phase == 1])
    assert image.log_gap_range == pytest.approx((log_gap.min(), log_gap.max()))
    assert image.counts == {n: int((phase == c).sum()) for c, n in enumerate(("decoupled", "paired", "trion"))}


@pytest.mark.parametrize(("axis", "match"), [
    (lambda: Axis("y0", 0.3, 0.1), "start 0.3 is not below stop 0.1"),
    (lambda: Axis("y0", 0.0, 0.3, 1), "points = 1 is outside the allowed range"),
    (lambda: Axis("scheme", 0.0, 1.0), "axis 'scheme' is outside the allowed names"),
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
    kF, alpha0 = 3.3e6, 1e-7
    device = cnt_device(-3.0, kF, alpha0)
    assert (device.lstar, device.lstar2) == crossing(FIG8, -3.0).lstar(kF, alpha0)
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


# --- downloads --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [
    Model(K0=0.3, lstar=4.0, scheme="frozen"),
    Model(temperature=1e-3, lmass=6.0, su2=False, theta=0.3, vertex_charge=1.0, lstar=math.inf),
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


def test_explore_command_help_and_errors(capsys):
    code, out, _ = run(["explore", "--help"], capsys)
    assert code == 0 and "--port" in out and "--host" in out and "--K0" in out
    code, _, err = run(["explore", "--upsilon", "2"], capsys)
    assert code == 2 and err.count("\n") == 1 and "upsilon = 2.0 is outside" in err
    code, _, err = run(["explore", "--port", "70000"], capsys)
    assert code == 2 and "port = 70000 is outside the allowed range" in err
