"""Lattice scans: the plan, the SQLite store, resuming, Dask workers, failures, and a SIGKILL in the middle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pairing1d.lattice import LatticeError
from pairing1d.lattice.ed import ground_state_ed
from pairing1d.lattice.scan import ScanConfig, plan, run_scan
from pairing1d.lattice.store import RunStore

RAW = {"name": "t", "method": "ed", "sizes": [4, 8], "n": 0.5, "ns": 0.75,
       "quantities": ["spin_gap", "pair_binding", "secondary_gap"],
       "couplings": {"U": 1.0, "V_s": 1.5, "W": [0.0, 1.0, 2.0]}}
TESTS = Path(__file__).parent


def slow_solver(params, sector, method, **options):
    """ED, but slow and logged: one line per call in $PAIRING1D_CALL_LOG."""
    time.sleep(float(os.environ.get("PAIRING1D_SLEEP", "0")))
    with open(os.environ["PAIRING1D_CALL_LOG"], "a") as log:
        log.write(f"{params.W} {params.L} {sector}\n")
    return ground_state_ed(params, sector)


def failing_solver(params, sector, method, **options):
    if sector.N_sec > params.L * 0.75:
        raise RuntimeError("no convergence\nsecond line")
    return ground_state_ed(params, sector)


def test_plan_and_config_errors(tmp_path):
    config = ScanConfig.from_dict(RAW)
    # 3 points x 2 sizes x (ground, spin, N+1, N+2, N_sec+1, N_sec-1)
    assert len(plan(config)) == 3 * 2 * 6
    assert len({t.key for t in plan(config)}) == 36
    for bad in ({"sizes": [6]}, {"method": "qmc"}, {"couplings": {"X": 1.0}}, {"extra": 1},
                {"quantities": ["gap"]}, {"couplings": {"U": [1.0, float("nan")]}}):
        with pytest.raises(LatticeError) as info:
            ScanConfig.from_dict(RAW | bad)
        assert "\n" not in str(info.value)
    (tmp_path / "bad.toml").write_text("sizes = [")
    with pytest.raises(LatticeError, match="not valid TOML"):
        ScanConfig.from_toml(tmp_path / "bad.toml")
    (tmp_path / "x.sqlite").write_text("not a database at all" * 100)
    with pytest.raises(LatticeError, match="not a usable SQLite"):
        RunStore(tmp_path / "x.sqlite")


def test_scan_resume_and_dask(tmp_path, monkeypatch):
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PAIRING1D_CALL_LOG", str(log))
    config = ScanConfig.from_dict(RAW)
    first = run_scan(config, tmp_path / "a.sqlite", solver=slow_solver, progress=False)
    assert (first.total, first.computed, first.failed) == (36, 36, 0)
    again = run_scan(config, tmp_path / "a.sqlite", solver=slow_solver, progress=False)
    assert (again.already_done, again.computed) == (36, 0) and len(log.read_text().splitlines()) == 36
    with RunStore(tmp_path / "a.sqlite") as store:
        rows = store.rows()
        assert len(rows) == 36 and rows[0]["version"] and rows[0]["convergence"]["residual"] < 1e-8
        by_key = {r["key"]: r["energy"] for r in rows}
    # the same scan on two Dask worker processes (the package's own solver) gives the same energies
    dask = run_scan(config, tmp_path / "b.sqlite", workers=2, progress=False)
    assert dask.computed == 36
    with RunStore(tmp_path / "b.sqlite") as store:
        assert {r["key"]: r["energy"] for r in store.rows()} == pytest.approx(by_key, abs=1e-10)


def test_failures_are_recorded_and_the_scan_goes_on(tmp_path):
    summary = run_scan(ScanConfig.from_dict(RAW), tmp_path / "f.sqlite", solver=failing_solver, progress=False)
    assert summary.failed == 3 * 2 and summary.computed == 30
    with RunStore(tmp_path / "f.sqlite") as store:
        errors = store.failures()
    assert len(errors) == 6 and all(e["error"] == "RuntimeError: no convergence second line" for e in errors)


def test_sigkill_loses_only_the_run_in_flight(tmp_path):
    """Kill -9 a scan in the middle, resume it: every run ends up stored once, the rows written before the kill are
    untouched (nothing recomputed), and the solver ran at most once more than there are runs."""
    store_path, log = tmp_path / "k.sqlite", tmp_path / "calls.log"
    env = os.environ | {"PAIRING1D_CALL_LOG": str(log), "PAIRING1D_SLEEP": "0.15"}
    script = (f"import sys; sys.path.insert(0, {str(TESTS)!r}); from test_lattice_scan import RAW, slow_solver; "
              f"from pairing1d.lattice.scan import ScanConfig, run_scan; "
              f"run_scan(ScanConfig.from_dict(RAW), {str(store_path)!r}, solver=slow_solver, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if store_path.exists():
            with RunStore(store_path) as store:
                if len(store.keys()) >= 8:
                    break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with RunStore(store_path) as store:
        before = {r["key"]: r["created"] for r in store.rows()}
    assert 8 <= len(before) < 36, "the scan was not interrupted in the middle"
    os.environ["PAIRING1D_CALL_LOG"] = str(log)
    try:
        summary = run_scan(ScanConfig.from_dict(RAW), store_path, solver=slow_solver, progress=False)
    finally:
        del os.environ["PAIRING1D_CALL_LOG"]
    assert summary.already_done == len(before) and summary.computed == 36 - len(before)
    with RunStore(store_path) as store:
        rows = store.rows()
    assert len(rows) == 36 and len({r["key"] for r in rows}) == 36
    assert all(r["created"] == before[r["key"]] for r in rows if r["key"] in before)
    assert len(log.read_text().splitlines()) <= 36 + 1


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
