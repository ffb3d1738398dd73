"""The design search (issue 32): the space's rules, the devices it builds (checked against the device's own
formulas), verdicts equal to the scipy path's, the store resumed without recomputing and verified, the ranked
answer, and the written device files read back by `pairing1d device` to the same gap."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from pairing1d import phase_of
from pairing1d.cli import main
from pairing1d.design import search as search_module
from pairing1d.design import store as store_module
from pairing1d.design.evaluation import evaluate, feasible_mask, merit_of
from pairing1d.design.materials import MATERIALS, nanotube_delta0_meV, surface_epsilon
from pairing1d.design.rank import design_summary
from pairing1d.design.search import run_design
from pairing1d.design.space import DesignError, design_space_from_dict, read_design_space
from pairing1d.design.store import open_design
from pairing1d.theory.phases import PHASES

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "design_space.toml"
TRION = """name = "near a GaAs trion"
[fridge]
base_temperature_K = 0.015
max_field_T = 9.0
[primary]
materials = ["GaAs"]
[secondary]
kinds = ["nanotube"]
[bounds]
"primary.density_per_um" = [14.0, 18.0]
"gate_window_fraction" = [0.0, 0.3]
[fixed]
impurity = 0.05
"primary.radius_nm" = 30.0
"secondary.diameter_nm" = 1.5
"secondary.delta_so_meV" = 1.05
"geometry.spacer_nm" = 16.8
"geometry.gate_distance_nm" = 48.5
"field_T" = 0.52
"secondary.lever_arm" = 0.05
[search]
survey_devices = 40
refine_seeds = 2
refine_evaluations = 12
seed = 3
objective = "trion_scale"
top = 2
[sources]
"fridge.base_temperature_K" = "assumed: a dilution refrigerator's base"
"fridge.max_field_T" = "assumed: a standard 9 T solenoid"
"primary.density_per_um" = "assumed: around the example's design 2"
"gate_window_fraction" = "assumed: the hole-like end of the window"
"impurity" = "assumed: a weak impurity of the tutorial"
"primary.radius_nm" = "assumed: the example's design 2"
"secondary.diameter_nm" = "assumed: the example's design 2"
"secondary.delta_so_meV" = "Kuemmeth et al., Nature 452, 448 (2008)"
"geometry.spacer_nm" = "assumed: the example's design 2"
"geometry.gate_distance_nm" = "assumed: the example's design 2"
"field_T" = "assumed: the example's design 2"
"secondary.lever_arm" = "assumed: a local gate under a nanotube"
"""


def run(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    return info.value.code, out, err


def trion_space(tmp_path: Path, **search) -> Path:
    """The small trion space of this file, with search settings replaced (``seed=4``)."""
    text = TRION
    for key, value in search.items():
        text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} = ") else line for line in text.splitlines())
    path = tmp_path / "trion.toml"
    path.write_text(text)
    return path


def test_the_example_space_is_read_and_every_bound_is_sourced():
    import tomllib

    space = read_design_space(EXAMPLE)
    raw = tomllib.loads(EXAMPLE.read_text())
    assert set(space.bounds) == set(raw["bounds"]) and space.objective == "spin_gap"
    for name in list(raw["bounds"]) + list(raw["fixed"]):
        assert raw["sources"][name].strip()
    assert space.coordinates[-1] == "primary.material" and len(space.coordinates) == len(raw["bounds"]) + 1


@pytest.mark.parametrize("edit, words", [
    (lambda r: r["sources"].pop("field_T"), "sources.field_T is missing"),
    (lambda r: r["sources"].update({"field_T": "assumed"}), "sources.field_T is missing"),
    (lambda r: r["bounds"].update({"field_T": [0.1, 12.0]}), "fridge's range"),
    (lambda r: r["bounds"].update({"primary.material": [0, 1]}), "not an input a design may vary"),
    (lambda r: r["bounds"].update({"geometry.separation_nm": [20.0, 40.0]}), "not both"),
    (lambda r: r["search"].update({"survey_devices": 10**9}), "survey_devices"),
    (lambda r: r["search"].update({"objective": "gap"}), "search.objective"),
    (lambda r: r["primary"].update({"materials": ["Unobtainium"]}), "primary.materials"),
    (lambda r: r.update({"log_scale": ["gate_window_fraction"]}), "log_scale"),
    (lambda r: r["bounds"].update({"field_T": [0.0, 1.0]}), "low end is positive"),
    (lambda r: (r["bounds"].update({"field_T": [0.0, 1.0]}), r["log_scale"].remove("field_T")), "no device"),
])
def test_a_bad_space_is_refused_in_one_line(edit, words):
    import tomllib

    raw = tomllib.loads(EXAMPLE.read_text())
    edit(raw)
    with pytest.raises(DesignError) as info:
        design_space_from_dict(raw)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_a_bad_space_at_the_command_line_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('"field_T" = [0.05, 3.0]', '"field_T" = [0.05, 30.0]'))
    code, out, err = run(["design", str(bad), "--store", str(tmp_path / "s.nc")], capsys)
    assert code == 2 and "fridge" in err and len(err.strip().splitlines()) == 1 and not (tmp_path / "s.nc").exists()


def test_a_design_is_the_device_its_formulas_say():
    """Second witness: the separation is r + D/2 + spacer, Delta_0 = 0.4 eV nm / D, eps_r = (1 + eps_bulk)/2, and
    the gate puts the nanotube's chemical potential at the row's fraction of its window (Nanotube.window)."""
    space = read_design_space(EXAMPLE)
    rng = np.random.default_rng(1)
    for row in rng.random((5, len(space.coordinates))):
        values = space.scale(row[None])
        device, gate = space.device_at(row)
        material = MATERIALS[space.materials[int(values["primary.material"][0])]]
        D = values["secondary.diameter_nm"][0]
        assert device.primary.effective_mass == material.effective_mass
        assert math.isclose(device.geometry.epsilon_r, (1 + material.epsilon_bulk) / 2)
        assert math.isclose(device.geometry.separation_nm,
                            values["primary.radius_nm"][0] + D / 2 + values["geometry.spacer_nm"][0])
        assert math.isclose(device.secondary.delta0_meV, 400.0 / D) and nanotube_delta0_meV(4.0) == 100.0
        lo, hi = device.secondary.window(device.field_T)
        f = values["gate_window_fraction"][0]
        assert math.isclose(device.point(gate).mu_meV, lo + f * (hi - lo), rel_tol=1e-9, abs_tol=1e-9)
        lb, hb = space.bounds["field_T"]  # log-uniform: the log of B is linear in the coordinate
        j = space.continuous.index("field_T")
        assert math.isclose(math.log(device.field_T), math.log(lb) + row[j] * math.log(hb / lb))
    assert surface_epsilon(12.9) == pytest.approx(6.95)


def test_verdicts_are_the_scipy_paths(tmp_path):
    """Each design's zero-temperature phase and gap equal phase_of on its device point's Model (the scipy path, an
    independent integration) wherever the Zeeman energy does not close the gap; feasibility is the one rule."""
    space = read_design_space(trion_space(tmp_path))
    rows = np.random.default_rng(2).random((8, len(space.coordinates)))
    res = evaluate(space, rows)
    seen = set()
    for row, phase0, gap, lam, closed in zip(rows, res["phase_T0"], res["spin_gap_K"], res["Lambda_K"],
                                             res["limit"] == 2, strict=True):
        if phase0 < 0 or closed:
            continue
        device, gate = space.device_at(row)
        fate = phase_of(device.point(gate).ground)
        assert fate.phase == PHASES[phase0]
        if fate.spin_gap:
            assert gap == pytest.approx(fate.spin_gap * lam, rel=1e-3)
        seen.add(fate.phase)
    assert "trion" in seen
    again = feasible_mask(space, res["phase"], res["certainty"], res["controlled"], res["trion_scale_K"])
    assert np.array_equal(again, res["feasible"].astype(bool))
    assert np.all(res["value"][~again] == 0) and np.all(res["value"][again] == res["trion_scale_K"][again])


def test_the_merit_puts_every_feasible_design_first():
    feasible = np.array([True, True, False, False])
    merit = merit_of(feasible, np.array([1e-6, 2.0, 0.0, 0.0]), np.array([18, 18, 17, 0]), 18,
                     np.array([1e-6, 2.0, 5.0, 0.0]), np.array([0.01, 0.01, 0.01, 0.01]))
    assert merit[0] < merit[1] and min(merit[:2]) > max(merit[2:]) and merit[2] > merit[3]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(store_module, "CHUNK", 8)
    monkeypatch.setattr("pairing1d.design.rank.CHUNK", 8)
    monkeypatch.setattr(store_module, "FLUSH", 4)


def test_an_interrupted_search_resumes_without_recomputing(tmp_path, monkeypatch, small_chunks):
    """A search stopped in its survey and again in its refinement continues from the store: the rows evaluated
    after the restarts are exactly the missing ones, and the final store equals an uninterrupted search's."""
    space = read_design_space(trion_space(tmp_path))
    full = run_design(space, tmp_path / "full.nc")
    assert full.chunks_computed == 5 and full.evaluations_computed > 0
    real = search_module.evaluate
    calls = []

    def failing_after(limit):
        def fake(space, unit):
            if len(calls) >= limit:
                raise KeyboardInterrupt
            calls.append(len(unit))
            return real(space, unit)
        return fake

    path = tmp_path / "cut.nc"
    monkeypatch.setattr(search_module, "evaluate", failing_after(3))
    with pytest.raises(KeyboardInterrupt):
        run_design(space, path)
    assert int(open_design(path)["survey_done"].sum()) == 3
    with pytest.raises(DesignError, match="--resume"):
        run_design(space, path)
    monkeypatch.setattr(search_module, "evaluate", failing_after(3 + 2 + 9))  # the survey, then 9 evaluations
    with pytest.raises(KeyboardInterrupt):
        run_design(space, path, resume=True)
    assert calls[3:5] == [8, 8]
    monkeypatch.setattr(search_module, "evaluate", real)
    report = run_design(space, path, resume=True)
    assert report.chunks_computed == 0 and report.chunks_reused == 5
    assert report.evaluations_reused >= 8  # the 8 flushed evaluations replayed from the store, not recomputed
    assert report.evaluations_computed + report.evaluations_reused == full.evaluations_computed
    a, b = open_design(tmp_path / "full.nc"), open_design(path)
    for name in ("survey_merit", "survey_phase", "refine_unit", "refine_merit", "ranked_index", "ranked_window"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    again = run_design(space, path, resume=True)
    assert again.chunks_computed == 0 and again.evaluations_computed == 0


def test_a_damaged_store_is_refused_and_repaired(tmp_path, small_chunks):
    space = read_design_space(trion_space(tmp_path))
    path = tmp_path / "s.nc"
    run_design(space, path)
    ds = open_design(path)
    ds["survey_merit"].values[9] += 1.0  # chunk 1
    ds.to_netcdf(tmp_path / "bad.nc", engine="h5netcdf")
    with pytest.raises(DesignError, match="survey chunk 1 does not match"):
        design_summary(open_design(tmp_path / "bad.nc"))
    report = run_design(space, tmp_path / "bad.nc", resume=True)
    assert report.chunks_computed == 1 and report.repaired == ["survey chunk 1 does not match its checksum"]
    repaired, intact = design_summary(open_design(tmp_path / "bad.nc")), design_summary(open_design(path))
    assert repaired["best_value"] == intact["best_value"] and repaired["ranked"] == intact["ranked"]
    other = read_design_space(trion_space(tmp_path, seed=4))
    with pytest.raises(DesignError, match="another design space"):
        run_design(other, path, resume=True)
    (tmp_path / "junk.nc").write_bytes(b"not a store")
    with pytest.raises(DesignError, match="cannot read"):
        open_design(tmp_path / "junk.nc")


def test_the_command_ranks_writes_and_the_device_reads_back_the_same_gap(tmp_path, capsys):
    space_file = trion_space(tmp_path)
    store, out = tmp_path / "s.nc", tmp_path / "best"
    code, text, err = run(["design", str(space_file), "--store", str(store), "--out", str(out), "--samples", "0",
                           "--no-figures", "--json"], capsys)
    assert code == 0, err
    result = json.loads(text)
    ranked = result["ranked"]
    assert isinstance(ranked, list) and len(ranked) == 2 and ranked[0]["feasible"]
    assert ranked[0]["value"] == result["best_value"] >= ranked[1]["value"] > 0
    lo, hi = ranked[0]["gate_window_V"]
    assert lo <= ranked[0]["gate_V"] <= hi
    for entry in ranked:
        path = out / f"design_{entry['rank']:02d}.toml"
        code, text, err = run(["device", str(path), "--gate", repr(entry["gate_V"]), "--json"], capsys)
        assert code == 0, err
        back = json.loads(text)
        assert back["trion_scale_K"][0] == pytest.approx(entry["trion_scale_K"], rel=1e-12)
        assert back["phase"][0] == entry["phase"] and back["certainty"][0] == entry["certainty"]
    code, text, _ = run(["design", "--store", str(store)], capsys)  # the summary, from the store alone
    assert code == 0 and "ranked designs" in text and "largest feasible trion_scale" in text


def test_the_written_device_file_is_the_device(tmp_path):
    import tomllib

    from pairing1d.design.output import device_toml
    from pairing1d.devices.device import device_from_dict, preset

    for name in ("cnt-gaas", "paper-idealized"):
        device = preset(name)
        assert device_from_dict(tomllib.loads(device_toml(device, "a header\nof two lines"))) == device


def test_couplings_figure_sets_the_study_beside_the_atlas_corner(tmp_path, capsys):
    """`design --store S --atlas A --couplings-plot FIG` draws the committed study's couplings beside the atlas's
    robust paired devices, from the two stores alone; the two options go together (one line otherwise). The figure's
    point, checked on the data it draws: no design inside the theory reaches the corner's K0, ys0 and y0 at once."""
    from pairing1d.design.plot import _design_points
    from pairing1d.paper.atlas import candidate_table, open_atlas
    from pairing1d.theory.ensemble import CERTAINTIES

    study, atlas = ROOT / "docs" / "data" / "design_study.nc", ROOT / "docs" / "data" / "atlas.nc"
    fig = tmp_path / "c.png"
    with pytest.raises(SystemExit) as info:
        main(["design", "--store", str(study), "--atlas", str(atlas), "--couplings-plot", str(fig), "--json"])
    assert info.value.code == 0 and json.loads(capsys.readouterr().out)["couplings_plot"] == str(fig)
    assert fig.stat().st_size > 20_000
    with pytest.raises(SystemExit) as info:
        main(["design", "--store", str(study), "--couplings-plot", str(fig)])
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2 and "go together" in err and "\n" not in err
    table = candidate_table(open_atlas(atlas))
    robust = (table["phase"] == PHASES.index("paired")) & (table["certainty"] == CERTAINTIES.index("robust"))
    lo = {k: table[k][robust].min() for k in ("K0", "y0")}
    hi_ys0 = table["ys0"][robust].max()
    points = _design_points(open_design(study))
    in_corner = (points["K"] >= lo["K0"]) & (points["y0"] >= lo["y0"]) & (points["ys0"] <= hi_ys0)
    assert robust.sum() > 100 and len(points["y0"]) > 10_000 and not in_corner.any()


def test_the_survey_on_dask_workers_is_the_survey_in_process(tmp_path, small_chunks):
    """`--workers N` evaluates the space-filling chunks on a local Dask cluster: the stored survey is the one the
    in-process search stores, value for value."""
    space = read_design_space(trion_space(tmp_path))
    here = run_design(space, tmp_path / "here.nc")
    there = run_design(space, tmp_path / "dask.nc", workers=1)  # one worker process: the path, not the speed
    assert here.chunks_computed == there.chunks_computed == 5
    a, b = open_design(tmp_path / "here.nc"), open_design(tmp_path / "dask.nc")
    for name in ("survey_unit", "survey_phase", "survey_certainty", "survey_merit", "survey_spin_gap_K",
                 "survey_trion_scale_K", "ranked_index"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
