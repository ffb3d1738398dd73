"""The atlas of pairing from repulsion (issue 28, point 4): a small scan computed, interrupted and resumed, its store
verified, its summary read from the store alone, and every stored verdict equal to the scipy path's verdict."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from pairing1d import Model, phase_of
from pairing1d.cli import main
from pairing1d.paper import atlas as atlas_module
from pairing1d.paper.atlas import atlas_points, atlas_summary, open_atlas, read_atlas_file, run_atlas
from pairing1d.support.errors import AtlasError
from pairing1d.theory.ensemble import CERTAINTIES
from pairing1d.theory.phases import PHASES

SCAN = """
survey_m = 7
refine_m = 6
seed = {seed}
vertex_charges = [1, 2]

[bounds]
Kc0 = [0.3, 1.0]
K0 = [0.1, 1.0]
ys0 = [0.001, 0.5]
y0 = [0.0, 0.6]
exp_neg_lstar = [0.0, 1.0]
upsilon = [0.0, 0.9]
upsilon_theta = [-0.9, 0.9]
u_ratio = [0.25, 4.0]

[fixed]
lmax = 20.0
"""


def scan_file(tmp_path: Path, seed: int = 5) -> Path:
    path = tmp_path / f"scan{seed}.toml"
    path.write_text(SCAN.format(seed=seed))
    return path


def count_chunks(monkeypatch) -> list[int]:
    """Record the size of every chunk the engine computes from now on (the list it returns fills as they run)."""
    from pairing1d.engine import ensemble_batch as engine_ensemble

    calls: list[int] = []
    real = engine_ensemble.run_ensemble

    def counting(values, *args, **kwargs):
        calls.append(len(next(iter(values.values()))))
        return real(values, *args, **kwargs)

    monkeypatch.setattr(engine_ensemble, "run_ensemble", counting)
    return calls


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 2^5 points, so that the small scan has four survey and two refinement chunks to lose and resume."""
    monkeypatch.setattr(atlas_module, "CHUNK_M", 5)


def test_stored_verdicts_are_the_scipy_paths(tmp_path, small_chunks):
    """Every point of the store, rebuilt from the Sobol sequence of the scan file, gets the same reported phase and
    certainty from :func:`pairing1d.phase_of` (an independent integration), and the summary's volumes are fractions
    of the stored phases."""
    space = read_atlas_file(scan_file(tmp_path))
    store = run_atlas(space, tmp_path / "atlas.nc")
    ds = open_atlas(store)
    unit = atlas_points(space, 0)
    differ = 0
    for i in range(len(unit)):
        r = phase_of(Model(**atlas_module._model_fields(space, unit, i)))
        same = (PHASES.index(r.phase) == ds["phase_0"].values[i]
                and CERTAINTIES.index(r.certainty) == ds["certainty_0"].values[i])
        differ += not same
    assert differ <= 2, differ  # a point on a phase boundary may fall either side of it on two integrators
    summary = atlas_summary(ds)
    assert summary.complete and summary.survey_points == 2**7 and summary.refine_points == 2**6
    assert sum(summary.volume["phases"].values()) == pytest.approx(1.0)
    assert summary.volume["phases"]["trion"] > 0 and summary.volume["phases"]["decoupled"] > 0  # not trivial
    anywhere = np.mean(ds["paired_members_0"].values > 0)
    assert summary.volume["paired_anywhere"] == pytest.approx(anywhere)
    # the candidates are exactly the points with a third of the members pairing or a paired verdict
    cand = ds["candidates"].values
    expected = np.flatnonzero((ds["paired_members_0"].values >= atlas_module.CANDIDATE_MEMBERS)
                              | (ds["phase_0"].values == PHASES.index("paired")))
    assert sorted(cand[cand[:, 0] == 0, 1].astype(int).tolist()) == expected.tolist()
    # their stored members are the ensemble's, and the summary's dissent is read from them
    members = ds["candidate_members"].values
    assert members.shape == (len(cand), 18)
    assert np.array_equal((members == PHASES.index("paired")).sum(axis=1)[cand[:, 0] == 0],
                          ds["paired_members_0"].values[cand[cand[:, 0] == 0, 1].astype(int)])
    for shares in summary.dissent.values():
        assert not shares or sum(shares.values()) == pytest.approx(1.0)


def test_refinement_searches_around_the_best_candidates(tmp_path, small_chunks):
    """Each refinement box is centred on a survey candidate (the vertex charge held), the chosen candidates are those
    with the most members pairing, and each box gets an equal block of the refinement's points."""
    space = read_atlas_file(scan_file(tmp_path))
    ds = open_atlas(run_atlas(space, tmp_path / "atlas.nc"))
    boxes, cand = ds["boxes"].values, ds["candidates"].values
    survey = np.column_stack([cand, atlas_module.candidate_units(ds)])[cand[:, 0] == 0]
    assert 1 <= len(boxes) <= atlas_module.REFINE_SEEDS and len(survey) >= len(boxes)
    seeds = ds["seeds"].values
    chosen = [int(np.flatnonzero(survey[:, 1] == i)[0]) for i in seeds]
    for box, k in zip(boxes, chosen, strict=True):
        seed = survey[k]
        inside = (box[0] <= seed[2:] + 1e-12) & (seed[2:] <= box[1] + 1e-12)
        assert inside.all() and box[0, -1] == box[1, -1] == seed[-1]
        assert np.all(box[1] - box[0] <= 2 * atlas_module.REFINE_HALF_WIDTH + 1e-12)
    members = ds["candidate_members"].values[cand[:, 0] == 0]
    pairing = (members == PHASES.index("paired")).sum(axis=1)
    if len(survey) > len(boxes):  # no candidate left out pairs under more members than one chosen
        assert pairing[chosen].min() >= np.delete(pairing, chosen).max()
    unit = atlas_points(space, 1, boxes)
    which = np.arange(len(unit)) * len(boxes) // len(unit)
    assert np.all((unit >= boxes[which, 0] - 1e-12) & (unit <= boxes[which, 1] + 1e-12))
    # the survey is reproducible from the seed and differs for another seed
    assert np.array_equal(atlas_points(space, 0), atlas_points(space, 0))
    other = read_atlas_file(scan_file(tmp_path, seed=6))
    assert not np.array_equal(atlas_points(space, 0), atlas_points(other, 0))


def test_an_interrupted_atlas_resumes_without_recomputing(tmp_path, small_chunks, monkeypatch):
    """Kill the run after three chunks; resuming computes only the other three, and the store equals an uninterrupted
    run's."""
    space = read_atlas_file(scan_file(tmp_path))
    whole = open_atlas(run_atlas(space, tmp_path / "whole.nc"))

    class Killed(Exception):
        pass

    def kill_after_three(done, total):
        if done == 3:
            raise Killed

    path = tmp_path / "atlas.nc"
    with pytest.raises(Killed):
        run_atlas(space, path, progress=kill_after_three)
    partial = open_atlas(path)
    assert partial["done_0"].values.sum() == 3 and not atlas_summary(partial).complete
    with pytest.raises(AtlasError, match="exists"):
        run_atlas(space, path)
    calls = count_chunks(monkeypatch)
    run_atlas(space, path, resume=True)
    assert calls == [2**5] * 3  # one survey chunk and two refinement chunks, nothing recomputed
    done = open_atlas(path)
    for name in ("phase_0", "certainty_0", "spin_gap_0", "phase_1", "paired_members_1", "boxes", "candidates"):
        assert np.array_equal(done[name].values, whole[name].values), name
    with pytest.raises(AtlasError, match="another scan file"):
        run_atlas(read_atlas_file(scan_file(tmp_path, seed=6)), path, resume=True)


def test_a_damaged_store_is_refused_and_repaired_by_resume(tmp_path, small_chunks, monkeypatch):
    path = run_atlas(read_atlas_file(scan_file(tmp_path)), tmp_path / "atlas.nc")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        ds = ds.load()
    phase = ds["phase_0"].values.copy()
    phase[40] = (phase[40] + 1) % len(PHASES)  # in chunk 1
    ds["phase_0"] = ("point_0", phase)
    ds.to_netcdf(tmp_path / "damaged.nc", engine="h5netcdf")
    with pytest.raises(AtlasError, match="chunk 1 of stage 0 does not match its checksum"):
        open_atlas(tmp_path / "damaged.nc")
    # resuming computes the damaged chunk again (and only it) and restores the store
    calls = count_chunks(monkeypatch)
    run_atlas(read_atlas_file(scan_file(tmp_path)), tmp_path / "damaged.nc", resume=True)
    assert calls == [2**5]
    repaired, original = open_atlas(tmp_path / "damaged.nc"), open_atlas(path)
    for name in ("phase_0", "candidates", "candidate_members", "phase_1"):
        assert np.array_equal(np.sort(repaired[name].values, axis=0), np.sort(original[name].values, axis=0)), name
    # a damaged candidate index is refused too, and resuming computes everything again
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        ds = ds.load()
    cand = ds["candidates"].values.copy()
    cand[0, 1] += 1
    ds["candidates"] = (("candidate", "column"), cand)
    ds.to_netcdf(tmp_path / "index.nc", engine="h5netcdf")
    with pytest.raises(AtlasError, match="candidates or refinement boxes do not match"):
        open_atlas(tmp_path / "index.nc")
    calls.clear()
    run_atlas(read_atlas_file(scan_file(tmp_path)), tmp_path / "index.nc", resume=True)
    assert len(calls) == 6 and np.array_equal(open_atlas(tmp_path / "index.nc")["candidates"].values,
                                               original["candidates"].values)
    (tmp_path / "not.nc").write_text("not a store")
    with pytest.raises(AtlasError, match="cannot read"):
        open_atlas(tmp_path / "not.nc")


def test_cli_summary_reads_the_store_alone(tmp_path, capsys, monkeypatch):
    """``atlas run`` then ``atlas summary --json --plot`` with the engine made to fail: the summary comes from the
    store; bad scan files are one-line errors."""
    store = tmp_path / "atlas.nc"
    with pytest.raises(SystemExit) as info:
        main(["atlas", "run", str(scan_file(tmp_path)), "--out", str(store)])
    out, err = capsys.readouterr()
    assert info.value.code in (0, None), err
    assert "survey" in out and "complete" in out

    from pairing1d.engine import ensemble_batch as engine_ensemble

    def broken(*args, **kwargs):
        raise RuntimeError("the summary must not compute")

    monkeypatch.setattr(engine_ensemble, "run_ensemble", broken)
    figure = tmp_path / "atlas.png"
    with pytest.raises(SystemExit) as info:
        main(["atlas", "summary", str(store), "--json", "--plot", str(figure)])
    out, err = capsys.readouterr()
    assert info.value.code in (0, None), err
    data = json.loads(out)
    assert data["complete"] and data["survey_points"] == 2**7 and set(data["largest"]) == set(CERTAINTIES)
    assert figure.stat().st_size > 10_000

    bad = tmp_path / "bad.toml"
    bad.write_text(SCAN.format(seed=5).replace("Kc0 = [0.3, 1.0]", "Kc0 = [1.0, 0.3]"))
    for argv, words in ((["atlas", "run", str(bad), "--out", str(tmp_path / "x.nc")], "bounds.Kc0"),
                        (["atlas", "summary", str(bad)], "cannot read the atlas store"),
                        (["atlas", "run", str(scan_file(tmp_path)), "--out", str(store)], "--resume")):
        with pytest.raises(SystemExit) as info:
            main(argv)
        out, err = capsys.readouterr()
        assert info.value.code == 2 and err.count("\n") == 1 and words in err, (argv, err)


def test_the_committed_atlas_is_complete_and_verified():
    """docs/data/atlas.nc (docs/atlas.md) is a complete store that passes its checksums and says what the docs quote:
    no robust paired verdict in the survey."""
    store = Path(__file__).resolve().parents[1] / "docs" / "data" / "atlas.nc"
    summary = atlas_summary(open_atlas(store))
    assert summary.complete and summary.survey_points == 2**19
    assert summary.volume["paired_robust"] == 0.0
    # and why: at nearly every paired verdict the threshold-0.5 member of the reported flow does not pair
    assert summary.dissent["consistent, j01, mean velocity, y_strong=0.5"].get("paired", 0.0) < 0.1
    # the refinement's largest robust gap: the scipy path gives the same verdict, certainty and gap
    best = summary.largest["robust"]
    fields = {k: v for k, v in best["device"].items() if k != "agree"}
    result = phase_of(Model(**fields))
    assert result.phase == "paired" and result.certainty == "robust"
    assert result.spin_gap == pytest.approx(best["spin_gap"], rel=1e-3)
    assert math.isclose(sum(summary.volume["phases"].values()), 1.0, rel_tol=1e-9)
