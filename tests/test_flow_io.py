"""A flow saved and loaded (pairing1d.save_flow / load_flow), the provenance every dataset carries, pairing1d.about(),
and a sweep's progress bar (issue 30, point 14)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pairing1d import Model, ModelError, about, classify, load_flow, save_flow, solve_flow
from pairing1d.cli import main
from pairing1d.theory.rg import _TRAJECTORY

DEVICES = [Model(), Model(K0=0.3, y0=0.3, lstar=math.inf), Model(ys0=-0.3, y0=0.0),
           Model(K0=0.4, ys0=0.1, y0=0.2, lstar=2.0, u_ratio=1.7, upsilon_theta=0.1)]


@pytest.mark.parametrize("model", DEVICES, ids=["default", "trion", "attractive", "off-line"])
def test_a_saved_flow_loads_equal_with_its_dense_output(tmp_path, model):
    """Every field of the loaded FlowResult equals the original's; its dense output reproduces the solver's between
    the steps to rounding (the file stores each step's degree-7 interpolant at enough nodes); classify agrees."""
    flow = solve_flow(model)
    path = save_flow(flow, tmp_path / "flow.nc")
    loaded = load_flow(path)
    assert loaded.model == flow.model
    for name in ("l", *_TRAJECTORY):
        assert np.array_equal(getattr(loaded, name), getattr(flow, name)), name
    for name in ("l_bar", "l_bbar", "l_bbar2", "l_runaway", "l_drop1", "l_drop2", "singlet_weight", "l_end",
                 "status", "nfev"):
        assert getattr(loaded, name) == getattr(flow, name), name
    assert loaded.handovers == flow.handovers and np.array_equal(loaded.row, flow.row)
    between = np.linspace(0.0, flow.l_end, 501)
    for name, values in flow.at(between).items():
        assert np.allclose(loaded.at(between)[name], values, rtol=0, atol=1e-10), name
    assert loaded.at(0.5)["ys"] == pytest.approx(flow.at(0.5)["ys"], abs=1e-12)
    a, b = classify(flow), classify(loaded)
    assert (a.phase, a.certainty, a.spin_gap) == (b.phase, b.certainty, b.spin_gap)


def test_a_file_that_is_not_a_flow_is_one_line(tmp_path):
    (tmp_path / "x.nc").write_text("not a flow")
    with pytest.raises(ModelError, match="cannot read the flow file"):
        load_flow(tmp_path / "x.nc")
    import xarray as xr

    xr.Dataset({"a": ("i", [1.0])}).to_netcdf(tmp_path / "other.nc", engine="h5netcdf")
    with pytest.raises(ModelError, match="is not a pairing1d flow file"):
        load_flow(tmp_path / "other.nc")


def test_flow_save_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "f.nc"
    with pytest.raises(SystemExit) as info:
        main(["flow", "--K0", "0.3", "--y0", "0.3", "--lstar", "inf", "--json", "--save", str(path)])
    assert info.value.code in (0, None)
    out = json.loads(capsys.readouterr().out)
    assert out["saved"] == str(path) and load_flow(path).model.K0 == 0.3


def test_datasets_carry_their_provenance_and_about_reports_the_machine():
    from importlib import metadata

    from pairing1d.engine.sweep import sweep
    from pairing1d.support.environment import provenance

    ds = sweep(Model(), y0=[0.1, 0.2])
    record = json.loads(ds.attrs["provenance"])
    assert record == provenance() and record["numpy"] == metadata.version("numpy")
    info = about()
    assert info["pairing1d"] == record["pairing1d"] and info["versions"]["scipy"] == metadata.version("scipy")
    assert info["cpu"]["cores"] >= 1 and info["numba"]["threads"] >= 1
    assert isinstance(info["numba"]["lane_kernel_compiled_here"], bool)


def test_a_sweep_shows_a_progress_bar_when_asked(capsys):
    from pairing1d.engine.sweep import sweep

    calls = []
    sweep(Model(), y0=np.linspace(0, 0.3, 8), chunk_points=2, progress=lambda done, total: calls.append(done))
    assert calls[0] == 0 and calls[-1] == 4
    ds = sweep(Model(), y0=np.linspace(0, 0.3, 8), chunk_points=2, progress=True)  # a Rich bar on stderr, no error
    assert ds["phase"].size == 8
    with pytest.raises(ModelError, match="progress"):
        sweep(Model(), y0=[0.1], progress="yes")
