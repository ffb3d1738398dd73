"""Lattice scans: the plan, the SQLite store, resuming, Dask workers, failures, and a SIGKILL in the middle.

Most tests use :func:`fake_solver`, a top-level (so picklable, importable by Dask workers and subprocesses) stand-in
whose energy is a closed form of the couplings and sector, so stored values can be checked exactly and the scan
machinery is tested apart from ED and DMRG; it can sleep and log one line per call ($PAIRING1D_SLEEP,
$PAIRING1D_CALL_LOG) so calls can be counted. One test runs the package's own solver on Dask workers, one the CLI.
"""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pairing1d.lattice import LatticeError, LatticeParams, Sector, SectorResult
from pairing1d.lattice.scan import ScanConfig, ScanFile, missing, plan, read_scan_file, run_scan
from pairing1d.lattice.solve import solve_sector
from pairing1d.lattice.store import RunStore, run_key

RAW = {"name": "t", "method": "ed", "sizes": [4, 8], "n": 0.5, "ns": 0.75,
       "couplings": {"U": 1.0, "V_s": 1.5, "W": [0.0, 1.0, 2.0]}, "options": {"max_dimension": 100000}}
N_RUNS = 3 * 2 * 6  # points x sizes x the default sectors (0,0,0) (1,-1,0) (1,0,0) (1,1,0) (0,0,1) (0,0,-1)
TESTS = Path(__file__).parent


def fake_energy(params: LatticeParams, sector: Sector) -> float:
    return (-params.t * params.L + params.U * sector.N_up * sector.N_dn / params.L + params.W * sector.N_sec
            + 0.01 * params.V_s * (sector.N_up - sector.N_dn) ** 2)


def fake_solver(params, sector, method, **options):
    """Closed-form energy; logs the call's key first (so a call killed mid-way is counted), then sleeps."""
    if "PAIRING1D_CALL_LOG" in os.environ:
        with open(os.environ["PAIRING1D_CALL_LOG"], "a") as log:
            log.write(run_key(params, sector, method, options) + "\n")
    time.sleep(float(os.environ.get("PAIRING1D_SLEEP", "0")))
    return SectorResult(params, sector, method, fake_energy(params, sector), {"fake": True}, {"options": options},
                        wall_time=0.001 * sector.N_sec)


def failing_solver(params, sector, method, **options):
    """Raises (with a two-line message) for the N_sec + 1 sectors, else :func:`fake_solver`."""
    if sector.N_sec > params.L * 0.75:
        raise RuntimeError("no convergence\nsecond line")
    return fake_solver(params, sector, method, **options)


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_plan_toml_and_config_errors(tmp_path):
    config = ScanConfig.from_dict(RAW)
    tasks = plan(config)
    assert len(tasks) == N_RUNS and len({t.key for t in tasks}) == N_RUNS
    params, sector, method, options = tasks[0]  # a task is a (params, sector, method, options) tuple
    assert (params.L, params.U, params.W, sector, method, options) == (4, 1.0, 0.0, Sector(1, 1, 3), "ed",
                                                                        {"max_dimension": 100000})
    assert {t.sector for t in tasks if t.params.L == 8} == {Sector(2, 2, 6), Sector(3, 1, 6), Sector(3, 2, 6),
                                                            Sector(3, 3, 6), Sector(2, 2, 7), Sector(2, 2, 5)}
    # extra shifts add sectors; those already planned, or outside [0, L] (N_sec + 2 = 5 at L = 4), are dropped
    extra = plan(ScanConfig.from_dict(RAW | {"shifts": [[0, 0, 2], [0, 0, 1], [-1, -1, 0]]}))
    assert len(extra) == N_RUNS + 3 * (1 + 2)  # (-1,-1,0) at both sizes, (0,0,2) at L = 8 only
    (tmp_path / "s.toml").write_text('name = "s"\nmethod = "dmrg"\nsizes = [8, 4, 8]\nn = 0.5\nns = 0.25\n'
                                     'quantities = ["spin_gap"]\nshifts = [[0, 0, 1]]\n[couplings]\nU = [1, 2]\n'
                                     'W = 0.5\nV_s2 = [0.0, 0.5, 1.0]\n[options]\nchi_max = 64\n')
    config = ScanConfig.from_toml(tmp_path / "s.toml")
    assert config.sizes == [4, 8] and config.couplings == {"U": [1.0, 2.0], "W": [0.5], "V_s2": [0.0, 0.5, 1.0]}
    assert len(plan(config)) == 2 * 3 * 2 * 3 and ScanConfig.from_dict(config.to_dict()) == config
    assert plan(config)[0].options == {"chi_max": 64}
    for bad in ({"sizes": [6]}, {"sizes": []}, {"sizes": [1]}, {"method": "qmc"}, {"couplings": {"X": 1.0}},
                {"couplings": {"L": 8}}, {"couplings": {}}, {"extra": 1}, {"quantities": ["gap"]},
                {"couplings": {"U": [1.0, float("nan")]}}, {"couplings": {"U": []}}, {"n": "half"},
                {"shifts": [[1, 0]]}, {"shifts": [[1, 0, 0.5]]}, {"options": 3}):
        with pytest.raises(LatticeError) as info:
            ScanConfig.from_dict(RAW | bad)
        assert "\n" not in str(info.value)
    with pytest.raises(LatticeError, match="missing key 'n'"):
        ScanConfig.from_dict({k: v for k, v in RAW.items() if k != "n"})
    with pytest.raises(LatticeError, match="L = 6 does not fit"):  # fillings are exact, never rounded
        ScanConfig.from_dict(RAW | {"sizes": [4, 6]})
    (tmp_path / "bad.toml").write_text("sizes = [")
    with pytest.raises(LatticeError, match="not valid TOML"):
        ScanConfig.from_toml(tmp_path / "bad.toml")


def test_store(tmp_path):
    p, s = LatticeParams(L=4, W=1.0), Sector(1, 1, 3)
    key = run_key(p, s, "ed", {})
    assert key == RunStore.run_key(LatticeParams(L=4, W=1), s, "ed", {}) != run_key(p, s, "ed",
                                                                                 {"max_dimension": 100000})
    with RunStore(tmp_path / "s.sqlite") as store:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert not store.has(key) and store.energy(p, s, "ed", {}) is None and store.get(key) is None
        store.put_failure(key, p, s, "ed", {}, "RuntimeError: x")
        assert store.failures()[0]["error"] == "RuntimeError: x" and not store.has(key)
        store.put(key, fake_solver(p, s, "ed"), {})
        store.put(key, SectorResult(p, s, "ed", 99.0), {})  # a stored run is never overwritten
        assert store.has(key) and store.keys() == {key} and store.failures() == []
        assert store.energy(p, s, "ed", {}) == fake_energy(p, s) == store.get(key).energy
        (row,) = store.rows()
        assert (row["L"], row["N_up"], row["N_dn"], row["N_sec"], row["method"]) == (4, 1, 1, 3, "ed")
        assert row["params"] == p.to_dict() and row["convergence"] == {"fake": True}
        assert row["wall_time"] == pytest.approx(0.003)
        assert row["version"] and row["host"] and abs(row["created"] - time.time()) < 60
    (tmp_path / "x.sqlite").write_text("not a database at all" * 100)
    with pytest.raises(LatticeError, match="not a usable SQLite") as info:
        RunStore(tmp_path / "x.sqlite")
    assert "\n" not in str(info.value)
    with sqlite3.connect(tmp_path / "other.sqlite") as db:
        db.execute("CREATE TABLE runs (id INTEGER)")
    with pytest.raises(LatticeError, match="not a pairing1d lattice run store"):
        RunStore(tmp_path / "other.sqlite")


def test_scan_writes_every_run_once_and_resumes(tmp_path, monkeypatch):
    log, store_path = tmp_path / "calls.log", tmp_path / "a.sqlite"
    monkeypatch.setenv("PAIRING1D_CALL_LOG", str(log))
    config = ScanConfig.from_dict(RAW)
    seen = []
    first = run_scan(config, store_path, solver=fake_solver, progress=False, on_result=seen.append)
    assert (first.total, first.already_done, first.computed, first.failed) == (N_RUNS, 0, N_RUNS, 0)
    assert len(seen) == N_RUNS and sorted(calls(log)) == sorted(t.key for t in plan(config))
    with RunStore(store_path) as store:
        rows = store.rows()
        assert missing(plan(config), store) == [] and store.configs() == {"t": config.to_dict()}
    assert len(rows) == N_RUNS and {r["key"] for r in rows} == {t.key for t in plan(config)}
    for r in rows:
        assert r["energy"] == fake_energy(LatticeParams(**r["params"]), Sector(r["N_up"], r["N_dn"], r["N_sec"]))
        assert r["options"] == {"max_dimension": 100000} and r["observables"] == {"options": {"max_dimension": 100000}}
    again = run_scan(config, store_path, solver=fake_solver, progress=True)  # the bar must not break anything
    assert (again.total, again.already_done, again.computed, again.failed) == (N_RUNS, N_RUNS, 0, 0)
    assert len(calls(log)) == N_RUNS
    # a wider scan on the same store computes only the new point
    wider = ScanConfig.from_dict(RAW | {"couplings": {"U": 1.0, "V_s": 1.5, "W": [0.0, 1.0, 2.0, 3.0]}})
    more = run_scan(wider, store_path, solver=fake_solver, progress=False)
    assert (more.already_done, more.computed) == (N_RUNS, 12) and len(calls(log)) == N_RUNS + 12
    with RunStore(store_path) as store:
        assert [r for r in store.rows() if r["key"] in {x["key"] for x in rows}] == rows


@pytest.mark.parametrize("workers", [None, 1])
def test_failures_are_recorded_and_the_scan_goes_on(tmp_path, workers):
    store_path = tmp_path / "f.sqlite"
    config = ScanConfig.from_dict(RAW)
    summary = run_scan(config, store_path, workers=workers, solver=failing_solver, progress=False)
    assert (summary.computed, summary.failed) == (N_RUNS - 6, 6)  # N_sec + 1: 3 points x 2 sizes
    with RunStore(store_path) as store:
        errors = store.failures()
        assert len(store.keys()) == N_RUNS - 6
    assert len(errors) == 6 and all(e["error"] == "RuntimeError: no convergence second line" for e in errors)
    assert all(e["sector"]["N_sec"] > 0.75 * e["params"]["L"] for e in errors)
    retry = run_scan(config, store_path, solver=fake_solver, progress=False)  # failed runs are tried again
    assert (retry.already_done, retry.computed, retry.failed) == (N_RUNS - 6, 6, 0)
    with RunStore(store_path) as store:
        assert store.failures() == [] and len(store.keys()) == N_RUNS


def test_dask_workers_run_the_package_solver(tmp_path):
    """The default solver (ED) pickled to two worker processes gives the energies it gives in this process."""
    raw = RAW | {"sizes": [4], "options": {}, "couplings": {"U": 1.0, "V_s": 1.5, "W": [0.0, 2.0]}}
    summary = run_scan(ScanConfig.from_dict(raw), tmp_path / "d.sqlite", workers=2, progress=False)
    assert (summary.total, summary.computed, summary.failed) == (12, 12, 0)
    with RunStore(tmp_path / "d.sqlite") as store:
        rows = store.rows()
    for r in rows:
        here = solve_sector(LatticeParams(**r["params"]), Sector(r["N_up"], r["N_dn"], r["N_sec"]), "ed")
        assert r["energy"] == pytest.approx(here.energy, abs=1e-10) and r["convergence"]["residual"] < 1e-8
    for bad in ({"workers": -1}, {"workers": 2, "scheduler": "tcp://127.0.0.1:1"}):
        with pytest.raises(LatticeError):
            run_scan(ScanConfig.from_dict(raw), tmp_path / "e.sqlite", progress=False, **bad)


def _live_members(pgid: int) -> list[int]:
    """Processes of group ``pgid`` that are not zombies (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def test_sigkill_loses_only_the_runs_in_flight(tmp_path, monkeypatch):
    """Kill -9 a scan on two Dask workers in the middle (client, scheduler and workers: the whole process group),
    resume it in this process: every run ends up stored once, the rows written before the kill are untouched
    (nothing recomputed), and the solver ran once per run plus once per run in flight at the kill."""
    workers, store_path, log = 2, tmp_path / "k.sqlite", tmp_path / "calls.log"
    env = os.environ | {"PAIRING1D_CALL_LOG": str(log), "PAIRING1D_SLEEP": "0.25", "OMP_NUM_THREADS": "1",
                        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    script = ("from test_lattice_scan import RAW, fake_solver\n"
              "from pairing1d.lattice.scan import ScanConfig, run_scan\n"
              f"run_scan(ScanConfig.from_dict(RAW), {str(store_path)!r}, workers={workers}, solver=fake_solver, "
              "progress=False)")
    with open(tmp_path / "stderr.txt", "w") as stderr:  # a file, not a pipe that could fill and block the scan
        proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=stderr)
    deadline, n = time.time() + 45, 0
    while time.time() < deadline and proc.poll() is None:
        if store_path.exists():
            try:  # a reader, as `lattice report` is; in the scan's first instant the file is not a store yet
                with RunStore(store_path, mode="r") as store:
                    n = len(store.keys())
            except LatticeError:
                n = 0
            if n >= 6:
                break
        time.sleep(0.05)
    assert proc.poll() is None, f"the scan ended before it was killed: {(tmp_path / 'stderr.txt').read_text()[-2000:]}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while _live_members(proc.pid) and time.time() < deadline:
        time.sleep(0.05)
    assert _live_members(proc.pid) == [], "Dask workers survived the kill of their process group"
    with RunStore(store_path, mode="r") as store:  # a reader sees every run the killed writer committed
        before = {r["key"]: r for r in store.rows()}
    calls_before = calls(log)
    in_flight = len(calls_before) - len(before)
    print(f"killed with {len(before)} runs stored, {in_flight} in flight")
    assert 6 <= len(before) < N_RUNS, "the scan was not interrupted in the middle"
    assert set(before) <= set(calls_before) and 0 <= in_flight <= 2 * workers
    monkeypatch.setenv("PAIRING1D_CALL_LOG", str(log))
    monkeypatch.setenv("PAIRING1D_SLEEP", "0")
    summary = run_scan(ScanConfig.from_dict(RAW), store_path, solver=fake_solver, progress=False)
    assert (summary.already_done, summary.computed, summary.failed) == (len(before), N_RUNS - len(before), 0)
    with RunStore(store_path) as store:
        rows = store.rows()
    assert len(rows) == N_RUNS and len({r["key"] for r in rows}) == N_RUNS
    assert all(r == before[r["key"]] for r in rows if r["key"] in before)  # same created, wall_time, energy, host
    assert all(math.isclose(r["energy"], fake_energy(LatticeParams(**r["params"]),
                                                     Sector(r["N_up"], r["N_dn"], r["N_sec"]))) for r in rows)
    after = calls(log)
    assert not set(before) & set(after[len(calls_before):])  # nothing stored before the kill was computed again
    assert len(after) == N_RUNS + in_flight


def test_scan_and_report_cli(tmp_path, capsys):
    from pairing1d.cli import main

    (tmp_path / "s.toml").write_text(
        'name = "cli"\nmethod = "ed"\nsizes = [4, 8]\nn = 0.5\nns = 0.75\n[couplings]\nU = 1.0\nW = [0.0, 1.5]\n')
    for argv in (["lattice", "scan", str(tmp_path / "s.toml"), "--store", str(tmp_path / "s.sqlite"), "--json"],
                 ["lattice", "report", str(tmp_path / "s.sqlite"), "--plot", str(tmp_path / "r.png")]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
    out = capsys.readouterr().out
    assert '"computed": 24' in out and "W=1.5" in out and (tmp_path / "r.png").stat().st_size > 10_000
    with pytest.raises(SystemExit) as info:
        main(["lattice", "report", str(tmp_path / "missing.sqlite")])
    assert info.value.code == 2 and "does not exist" in capsys.readouterr().err


STUDY = """
budget_core_hours = 5.0
method = "ed"
n = 0.5
[couplings]
U = 1.0
V_s = 1.5
[[scan]]
name = "long"
ns = ["3/4", "1/2"]
sizes = [4, 8]
quantities = { 4 = ["spin_gap", "secondary_gap"], 8 = ["spin_gap"] }
couplings = { W = [1.0, 2.0] }
[[scan]]
name = "alone"
ns = 0
sizes = [4]
couplings = { W = 0.0 }
"""


def test_study_file_fractions_per_size_quantities_and_errors(tmp_path):
    (tmp_path / "study.toml").write_text(STUDY)
    study = read_scan_file(tmp_path / "study.toml")
    assert study.budget_core_hours == 5.0 and study.warm_start is False
    assert [c.name for c in study.scans] == ["long n=0.5 ns=3/4", "long n=0.5 ns=1/2", "alone"]
    long = study.scans[0]
    assert long.ns == 0.75 and long.couplings == {"U": [1.0], "V_s": [1.5], "W": [1.0, 2.0]}  # tables merge
    assert ScanConfig.from_dict(long.to_dict()) == long  # what the store keeps reads back
    assert long.quantities_at(8) == ["spin_gap"] and long.quantities_at(4) == ["spin_gap", "secondary_gap"]
    by_size = {L: {t.sector for t in plan(long) if t.params.L == L and t.params.W == 1.0} for L in (4, 8)}
    assert by_size[8] == {Sector(2, 2, 6), Sector(3, 1, 6)}
    assert by_size[4] == {Sector(1, 1, 3), Sector(2, 0, 3), Sector(1, 1, 4), Sector(1, 1, 2)}
    alone = study.scans[2]
    assert (alone.n, alone.ns, alone.couplings["W"]) == (0.5, 0.0, [0.0])
    with pytest.raises(LatticeError, match="holds 3 scans"):
        ScanConfig.from_toml(tmp_path / "study.toml")
    for bad, match in (("budget_core_hours = -1\n", "budget_core_hours"), ("warm_start = 2\n", "warm_start"),
                       ('ns = "3/0"\n', "fraction"), ("scan = 3\n", "array of tables")):
        ns = "" if bad.startswith("ns") else "ns = 0.75\n"
        (tmp_path / "bad.toml").write_text(bad + ns + "sizes = [4]\nn = 0.5\n[couplings]\nW = 1.0\n")
        with pytest.raises(LatticeError, match=match) as info:
            read_scan_file(tmp_path / "bad.toml")
        assert "\n" not in str(info.value)
    with pytest.raises(LatticeError, match="not in sizes"):
        ScanConfig.from_dict(RAW | {"quantities": {"12": ["spin_gap"]}})


def test_budget_stops_submitting_and_the_next_call_goes_on(tmp_path):
    config = ScanConfig.from_dict(RAW)
    per_run = 0.001 * 7  # fake_solver's wall time grows with N_sec; about this much at L = 8
    summary = run_scan(config, tmp_path / "b.sqlite", solver=fake_solver, progress=False,
                       budget_core_hours=5 * per_run / 3600)
    assert summary.budget_reached and 0 < summary.computed < N_RUNS
    assert summary.cost_core_hours * 3600 >= 5 * per_run - 0.01
    # runs go largest chain first: everything computed so far is at L = 8
    with RunStore(tmp_path / "b.sqlite") as store:
        assert {row["params"]["L"] for row in store.index()} == {8}
    summary = run_scan(config, tmp_path / "b.sqlite", solver=fake_solver, progress=False)
    assert not summary.budget_reached and summary.computed + summary.already_done == N_RUNS


def test_warm_start_from_the_nearest_finished_point(tmp_path):
    """DMRG runs save their state; the next point of the same size and sector starts from the nearest one and
    converges to the same energy as a cold start."""
    from pairing1d.lattice.dmrg import ground_state_dmrg

    config = ScanConfig.from_dict({"name": "w", "sizes": [4], "n": "1/2", "ns": "1/2", "quantities": [],
                                   "couplings": {"U": 1.0, "W": [0.5, 0.6]}, "options": {"chi_max": 32}})
    study = ScanFile([config], warm_start=True)
    summary = run_scan(study, tmp_path / "w.sqlite", progress=False)
    assert summary.computed == 2
    with RunStore(tmp_path / "w.sqlite") as store:
        rows = sorted(store.rows(), key=lambda r: r["params"]["W"])
    assert [r["convergence"]["warm_start"] for r in rows] == [False, True]
    states = sorted(p.name for p in (tmp_path / "w.sqlite.states").iterdir())
    assert states == sorted(f"{r['key']}.h5" for r in rows)
    cold = ground_state_dmrg(LatticeParams(L=4, U=1.0, W=0.6), Sector(1, 1, 2), chi_max=32)
    assert rows[1]["energy"] == pytest.approx(cold.energy, abs=1e-6)


def test_warm_start_refuses_a_state_file_that_is_not_the_one_recorded(tmp_path, monkeypatch):
    """A state file replaced after its run (here: one byte appended, still valid HDF5 to h5py) is never opened by
    TeNPy's loader, which imports the modules a file names: the next run starts cold."""
    from tenpy.tools import hdf5_io

    first = ScanConfig.from_dict({"name": "w", "sizes": [4], "n": "1/2", "ns": "1/2", "quantities": [],
                                  "couplings": {"U": 1.0, "W": 0.5}, "options": {"chi_max": 16}})
    run_scan(ScanFile([first], warm_start=True), tmp_path / "w.sqlite", progress=False)
    with RunStore(tmp_path / "w.sqlite") as store:
        (row,) = store.rows()
    state = tmp_path / "w.sqlite.states" / f"{row['key']}.h5"
    assert len(row["convergence"]["state_sha256"]) == 64
    with open(state, "ab") as f:
        f.write(b"\0")
    loaded = []
    real = hdf5_io.load_from_hdf5
    monkeypatch.setattr(hdf5_io, "load_from_hdf5", lambda *a, **k: loaded.append(a) or real(*a, **k))
    second = ScanConfig.from_dict(first.to_dict() | {"couplings": {"U": 1.0, "W": 0.6}})
    summary = run_scan(ScanFile([second], warm_start=True), tmp_path / "w.sqlite", progress=False)
    assert summary.computed == 1 and loaded == []
    with RunStore(tmp_path / "w.sqlite") as store:
        new = [r for r in store.rows() if r["params"]["W"] == 0.6]
    assert [r["convergence"]["warm_start"] for r in new] == [False]


@pytest.mark.parametrize("method, options, sizes, match", [
    ("ed", "bogus = 3", "[4]", "unknown ed option"),
    ("ed", "max_dimension = 1e12", "[4]", "max_dimension"),
    ("ed", "", "[4000, 8000]", "L = 4000 is outside"),
    ("ed", "max_dimension = 10", "[8]", "sector dimension"),
    ("dmrg", "chi = 64", "[8]", "unknown dmrg option"),
    ("dmrg", "save_to = 'x.h5'", "[8]", "unknown dmrg option"),
    ("dmrg", "chi_max = 1e12", "[8]", "chi_max"),
    ("dmrg", "max_sweeps = 0", "[8]", "max_sweeps"),
    ("dmrg", "correlations = ['SzSz', 'spin']", "[8]", "correlations"),
])
def test_scan_file_refused_before_any_run(tmp_path, method, options, sizes, match):
    """Options, sizes and sectors the solver would refuse are refused when the file is read, in one line, and the
    store is never created (they used to fail every run, or with Python's 4300-digit limit)."""
    from pairing1d.cli import main

    (tmp_path / "s.toml").write_text(f'method = "{method}"\nsizes = {sizes}\nn = 0.5\nns = 0.5\n'
                                     f"[couplings]\nU = 1.0\n[options]\n{options}\n")
    with pytest.raises(LatticeError, match=match) as info:
        read_scan_file(tmp_path / "s.toml")
    assert "\n" not in str(info.value)
    with pytest.raises(SystemExit) as exit_info:
        main(["lattice", "scan", str(tmp_path / "s.toml"), "--store", str(tmp_path / "s.sqlite")])
    assert exit_info.value.code == 2 and not (tmp_path / "s.sqlite").exists()


def test_option_checks_cover_every_solver_argument():
    """The functions that check a scan's options name exactly the solvers' keyword arguments (but the warm-start
    files a scan sets itself), so that nothing a solver takes is refused and nothing it refuses is let through."""
    import inspect

    from pairing1d.lattice.dmrg import ground_state_dmrg
    from pairing1d.lattice.ed import ground_state_ed
    from pairing1d.lattice.solve import MANAGED_OPTIONS, option_names

    for method, solver in (("ed", ground_state_ed), ("dmrg", ground_state_dmrg)):
        taken = [n for n in list(inspect.signature(solver).parameters)[2:] if n not in MANAGED_OPTIONS]
        assert sorted(option_names(method)) == sorted(taken)
