"""Labelled sweeps: the Dataset contract, validation, NetCDF/Zarr, Dask scale-out and kill-and-resume."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from pairing1d import Model, ModelError, phase_of
from pairing1d.cli import main
from pairing1d.engine.grid import RESULT_VARIABLES
from pairing1d.engine.store import open_sweep, sweep_to_store
from pairing1d.engine.sweep import sweep
from pairing1d.theory.ensemble import CERTAINTIES

BASE = Model(K0=0.45, scheme="frozen")  # all three of the paper's phases, and uncontrolled points, on this plane
AXES = dict(exp_neg_lstar=np.linspace(0.0, 0.6, 24), y0=np.linspace(0.0, 0.3, 17))


@pytest.fixture(scope="module")
def dataset():
    return sweep(BASE, **AXES)


def test_dataset_contract(dataset):
    ds = dataset
    assert list(ds["phase"].dims) == ["exp_neg_lstar", "y0"] and ds["phase"].shape == (24, 17)
    assert set(RESULT_VARIABLES) <= set(ds.data_vars)
    assert ds["phase"].dtype == np.int8 and ds["dominant_order"].dtype == np.int8
    assert ds["phase"].attrs["flag_meanings"] == "decoupled paired trion triplet undetermined"
    assert list(ds["phase"].attrs["flag_values"]) == [0, 1, 2, 3, 4]
    assert ds["certainty"].dtype == np.int8 and ds["certainty"].attrs["flag_meanings"] == "robust leaning undetermined"
    assert set(np.unique(ds["certainty"].values)) <= {0, 1, 2} and len(np.unique(ds["certainty"].values)) > 1
    assert ds["agreement"].dtype == np.float32 and 0 <= ds["agreement"].min() <= ds["agreement"].max() == 1
    assert ds["dominant_order"].attrs["flag_meanings"] == "none CDW SC SDW TS"
    assert ds["controlled"].dtype == np.int8 and set(np.unique(ds["controlled"].values)) == {0, 1}
    np.testing.assert_allclose(ds["lstar"].values[1:], -np.log(AXES["exp_neg_lstar"][1:]))
    assert ds["lstar"].values[0] == math.inf
    # every fixed parameter, the scheme and the version; swept ones are not attributes
    for name in ("Kc0", "K0", "ys0", "upsilon", "u_ratio", "chi", "lmax", "scheme", "flow", "su2",
                 "pairing1d_version"):
        assert name in ds.attrs, name
    assert "y0" not in ds.attrs and "lstar" not in ds.attrs
    assert ds.attrs["K0"] == 0.45 and ds.attrs["scheme"] == "frozen" and ds.attrs["flow"] == "consistent"
    assert set(np.unique(ds["phase"].values)) == {0, 1, 2}
    for name in ("l_bar", "l_bbar", "spin_gap", "trion_scale"):
        assert not np.any(np.isnan(ds[name].values))


def test_grid_points_equal_single_flows(dataset):
    """The second path: a few grid points recomputed one by one with scipy."""
    rng = np.random.default_rng(5)
    for _ in range(25):
        i, j = rng.integers(24), rng.integers(17)
        x, y0 = AXES["exp_neg_lstar"][i], AXES["y0"][j]
        r = phase_of(BASE.replace(lstar=-math.log(x) if x > 0 else math.inf, y0=float(y0)))
        point = dataset.isel(exp_neg_lstar=i, y0=j)
        assert int(point["phase"]) == r.code and bool(point["controlled"]) == r.controlled
        assert str(CERTAINTIES[int(point["certainty"])]) == r.certainty
        assert float(point["agreement"]) == pytest.approx(r.agreement, abs=1e-6)
        if r.l_bar is not None:
            assert float(point["l_bar"]) == pytest.approx(r.l_bar, abs=1e-4)
        assert float(point["spin_gap"]) == pytest.approx(r.spin_gap or 0.0, rel=1e-4)


def test_three_axes_and_string_axes():
    ds = sweep(BASE, K0=[0.3, 0.6], scheme=["printed", "frozen"], temperature=[1e-2, 1e-4])
    assert ds["phase"].shape == (2, 2, 2) and list(ds["scheme"].values) == ["printed", "frozen"]
    assert "scheme" not in ds.attrs and "lmax" not in ds.attrs
    for k, s, t in [(0.3, "frozen", 1e-4), (0.6, "printed", 1e-2)]:
        expected = phase_of(BASE.replace(K0=k, scheme=s, temperature=t)).code
        assert int(ds["phase"].sel(K0=k, scheme=s, temperature=t)) == expected


@pytest.mark.parametrize("axes, word", [
    (dict(foo=[1.0]), "unknown axis"),
    (dict(y0=[0.1, 1.5]), "y0"),
    (dict(upsilon=[0.1, 0.9], u_ratio=[0.5, 1.5]), "u_ratio*upsilon"),  # only a corner is out of domain
    (dict(exp_neg_lstar=[-0.1, 0.2]), "exp_neg_lstar"),
    (dict(y0=[0.1, math.nan]), "y0"),
    (dict(lstar=[1.0], exp_neg_lstar=[0.1]), "twice"),
])
def test_bad_axes(axes, word):
    with pytest.raises(ModelError, match=word.replace("*", r"\*")):
        sweep(BASE, **axes)


def test_netcdf_and_zarr_from_the_cli(tmp_path: Path, capsys, dataset):
    for suffix in ("nc", "zarr"):
        out = tmp_path / f"map.{suffix}"
        argv = ["phase-diagram", "--x", "exp_neg_lstar=0:0.6:24", "--y", "y0=0:0.3:17", "--K0", "0.45",
                "--scheme", "frozen", "--out", str(out), "--json", "--plot", str(tmp_path / f"map_{suffix}.png")]
        with pytest.raises(SystemExit) as info:
            main(argv)
        captured = capsys.readouterr()
        assert info.value.code == 0, captured.err
        summary = json.loads(captured.out)
        loaded = xr.open_dataset(out, engine="h5netcdf").load() if suffix == "nc" else open_sweep(out)
        for name in RESULT_VARIABLES:
            np.testing.assert_array_equal(loaded[name].values, dataset[name].values)
        assert sum(summary["phase_counts"].values()) == 24 * 17
        assert (tmp_path / f"map_{suffix}.png").stat().st_size > 20_000


@pytest.mark.parametrize("axis", ["foo=0:1:3", "y0=0.3:0.1:3", "y0=0:0.3:0", "y0=0:2:3", "y0=a:b:3", "y0", "y0=1:2"])
def test_malformed_axis_is_one_line(axis, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["phase-diagram", "--x", axis, "--y", "K0=0.3:0.5:2", "--out", str(tmp_path / "x.nc")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_local_dask_cluster_is_bit_for_bit(tmp_path: Path, dataset):
    """Two worker processes of a LocalCluster give exactly the in-process result."""
    from pairing1d.engine.sweep import dask_client

    with dask_client(workers=2) as client:
        on_cluster = sweep(BASE, client=client, chunk_points=64, **AXES)
        report = sweep_to_store(BASE, tmp_path / "c.zarr", client=client, chunk_points=64, **AXES)
    assert report.n_chunks > 2 and sorted(report.computed) == list(range(report.n_chunks))
    stored = open_sweep(tmp_path / "c.zarr")
    for name in RESULT_VARIABLES:
        np.testing.assert_array_equal(on_cluster[name].values, dataset[name].values)
        np.testing.assert_array_equal(stored[name].values, dataset[name].values)


def test_existing_store_needs_resume_and_the_same_sweep(tmp_path: Path):
    store = tmp_path / "s.zarr"
    sweep_to_store(BASE, store, y0=[0.1, 0.2])
    with pytest.raises(ModelError, match="resume"):
        sweep_to_store(BASE, store, y0=[0.1, 0.2])
    with pytest.raises(ModelError, match="different sweep"):
        sweep_to_store(BASE, store, resume=True, y0=[0.1, 0.3])
    report = sweep_to_store(BASE, store, resume=True, y0=[0.1, 0.2])
    assert report.computed == [] and report.skipped == [0]


def test_sigkill_and_resume(tmp_path: Path):
    """Kill a sweep with SIGKILL half-way; --resume recomputes exactly the chunks not marked done and the store
    ends identical to an uninterrupted sweep."""
    import zarr

    store = tmp_path / "big.zarr"
    axes = ["--x", "exp_neg_lstar=0:0.6:192", "--y", "y0=0:0.3:160"]
    exe = Path(sys.executable).with_name("pairing1d")
    command = [str(exe), "phase-diagram", *axes, "--K0", "0.45", "--scheme", "frozen", "--out", str(store),
               "--chunk-points", "160"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    n_chunks, done_at_kill = 192, None
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
        try:
            done = zarr.open_group(str(store), mode="r")["chunk_done"][:]
        except Exception:  # noqa: BLE001 - the store is being created
            continue
        if done.sum() >= n_chunks // 3:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            break
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    done_at_kill = zarr.open_group(str(store), mode="r")["chunk_done"][:]
    assert 0 < done_at_kill.sum() < n_chunks
    resumed = subprocess.run([*command, "--resume", "--json"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    missing = [i for i in range(n_chunks) if not done_at_kill[i]]
    assert sorted(report["computed_chunks"]) == missing
    assert sorted(report["skipped_chunks"]) == [i for i in range(n_chunks) if done_at_kill[i]]
    reference = sweep(BASE, exp_neg_lstar=np.linspace(0, 0.6, 192), y0=np.linspace(0, 0.3, 160))
    final = open_sweep(store)
    for name in RESULT_VARIABLES:
        np.testing.assert_array_equal(final[name].values, reference[name].values)


def test_derived_attributes_of_swept_inputs_are_not_fixed():
    """A derived quantity of a swept input is not a fixed attribute (it varies over the grid)."""
    ds = sweep(Model(), upsilon_theta=[-0.1, 0.0, 0.1], theta=[0.0, 1.0])
    for name in ("upsilon_theta_eff", "su2_enforced", "Q", "Kc_tilde0"):
        assert name not in ds.attrs, name
    fixed = sweep(Model(), y0=[0.05, 0.1])
    assert fixed.attrs["upsilon_theta_eff"] == pytest.approx(-0.12) and "su2_enforced" not in fixed.attrs


@pytest.mark.parametrize("tolerances, word", [
    (dict(rtol=math.nan), "rtol"), (dict(rtol=math.inf), "rtol"), (dict(rtol=1e-30), "rtol"), (dict(rtol=0.0), "rtol"),
    (dict(rtol=-1e-8), "rtol"), (dict(rtol=0.5), "rtol"), (dict(rtol="1e-8"), "not a real number"),
    (dict(atol=math.nan), "atol"), (dict(atol=math.inf), "atol"), (dict(atol=0.0), "atol"), (dict(atol=1.0), "atol"),
])
def test_bad_tolerances_are_refused(tolerances, word):
    """rtol = nan, inf or 1e-30 hung the engine: now a one-line ModelError before anything runs."""
    with pytest.raises(ModelError, match=word) as info:
        sweep(BASE, y0=[0.1, 0.2], **tolerances)
    assert "\n" not in str(info.value)


def test_tolerances_at_the_edges_of_their_ranges():
    from pairing1d.theory.model import ATOL_RANGE, RTOL_RANGE

    ds = sweep(BASE, y0=[0.1], exp_neg_lstar=[0.2], rtol=RTOL_RANGE[0], atol=ATOL_RANGE[0])
    assert ds.attrs["rtol"] == RTOL_RANGE[0] and int(ds["phase"].item()) in (0, 1, 2)


def test_a_grid_beyond_memory_is_refused_up_front(monkeypatch):
    """10^9 points (a MemoryError before) are refused, with an estimate of the memory needed, before the grid is
    even validated; a grid larger than the memory available is refused too."""
    from pairing1d.engine import grid as grid_module
    from pairing1d.engine import pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "Grid", lambda *a, **k: pytest.fail("validated before the size check"))
    with pytest.raises(ModelError, match=r"1,000,014,129 points needs about [0-9.]+ GB .*sweep_to_store") as info:
        sweep(BASE, K0=np.linspace(0.3, 0.6, 31623), y0=np.linspace(0.0, 0.3, 31623))
    assert "\n" not in str(info.value)
    gigabytes = float(str(info.value).split("about ")[1].split(" GB")[0])  # the results alone need this much
    assert gigabytes >= 1_000_014_129 * grid_module.RESULT_BYTES_PER_POINT / 1e9
    monkeypatch.setattr(grid_module, "_available_memory", lambda: 10**6)
    with pytest.raises(ModelError, match="available"):
        sweep(BASE, K0=np.linspace(0.3, 0.6, 100), y0=np.linspace(0.0, 0.3, 100))
    with pytest.raises(ModelError, match="chunk_points"):
        sweep(BASE, y0=[0.1], chunk_points=0)


@pytest.mark.parametrize("base, axes", [
    (Model(K0=0.5), dict(exp_neg_lstar=np.linspace(0, 0.6, 9), y0=np.linspace(0, 0.3, 7))),  # constant Gaussian inputs
    (Model(K0=0.5, flow="paper", scheme="printed", upsilon=0.2),
     dict(K0=np.linspace(0.3, 0.7, 5), y0=np.array([0.1, 0.2]))),
    (Model(upsilon_theta=-0.1, vertex_charge=1.0), dict(u_ratio=np.array([0.5, 1.0, 2.0]), y0=np.array([0.1]))),
])
def test_inputs_constant_over_a_chunk_give_the_numbers_of_the_elementwise_path(monkeypatch, base, axes):
    """pack_fields and trion_luttinger evaluate the Gaussian theory once when its inputs are the same for the whole
    batch (flow_equations.once_if_constant): the packed rows and K_f are bit for bit those of the point-by-point
    evaluation, whether the shortcut is taken (first grid) or not (the others sweep a Gaussian input); and the
    unset upsilon_theta reaches them as a float NaN, as fields_of writes it."""
    from pairing1d.engine.batch import pack_fields, trion_luttinger
    from pairing1d.engine.grid import Grid
    from pairing1d.theory import flow_equations as fe

    values = Grid(base, axes).fields()
    assert values["upsilon_theta"].dtype == np.float64
    shortcut = []
    real = fe.once_if_constant

    def watched(function, *columns):
        shortcut.append(all(bool(np.all(c == c[0])) for c in columns))
        return real(function, *columns)

    monkeypatch.setattr(fe, "once_if_constant", watched)
    fast = pack_fields(values), trion_luttinger(values)
    monkeypatch.setattr(fe, "once_if_constant", lambda function, *columns: function(*columns))
    slow = pack_fields(values), trion_luttinger(values)
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])
    assert all(shortcut) == ("exp_neg_lstar" in axes)
    first = Grid(base, {name: values[:1] for name, values in axes.items()}).fields()  # one device, as fields_of
    np.testing.assert_array_equal(pack_fields(first)[0], slow[0][0])


@pytest.mark.parametrize("axes", [
    dict(exp_neg_lstar=np.linspace(0, 0.6, 40), y0=np.linspace(0, 0.3, 30)),
    dict(exp_neg_lstar=np.linspace(0, 0.6, 6), y0=np.linspace(0, 0.3, 5), scheme=np.array(["cic", "printed"])),
])
def test_a_netcdf_file_encoded_during_the_sweep_is_the_file_save_netcdf_writes(tmp_path: Path, axes):
    """sweep_to_netcdf writes each chunk into the encoded file as it is computed (here 6 and 2 chunks of whole rows
    of the first axis): the file reads back identical (values, dtypes, attributes, coordinates) to sweep followed by
    save_netcdf, and so does the Dataset it returns."""
    from pairing1d.engine.netcdf import save_netcdf, sweep_to_netcdf

    base = Model(K0=0.45)
    chunk = 200 if len(axes) == 2 else 30
    streamed = sweep_to_netcdf(base, tmp_path / "streamed.nc", chunk_points=chunk, **axes)
    reference = sweep(base, chunk_points=chunk, **axes)
    save_netcdf(reference, tmp_path / "saved.nc")
    with xr.open_dataset(tmp_path / "streamed.nc", engine="h5netcdf") as a, \
            xr.open_dataset(tmp_path / "saved.nc", engine="h5netcdf") as b:
        xr.testing.assert_identical(a.load(), b.load())
        for name in RESULT_VARIABLES:
            assert a[name].dtype == b[name].dtype and a[name].encoding["dtype"] == b[name].encoding["dtype"]
    xr.testing.assert_identical(streamed, reference)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.nc", "streamed.nc"]  # no temporary left
