"""The lattice run store's guarantees (issue 17): readers open read-only and never create or change anything, a
file without the store's marker is refused, a lost write-ahead log is an error rather than an empty report, a scan
whose runs fail exits 1, and an SQLite error while writing is one line with exit code 1.

Every store here is written with :func:`test_lattice_scan.fake_solver` (closed-form energies), so the whole file
runs in a few seconds; the committed stores of ``docs/data`` are read to check they are left as they are.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_lattice_scan import N_RUNS, RAW, failing_solver, fake_solver

import pairing1d.lattice.scan as scan_module
import pairing1d.lattice.store as store_module
from pairing1d.lattice import LatticeError
from pairing1d.lattice.phase_map import study_map
from pairing1d.lattice.scan import ScanConfig, plan, run_scan
from pairing1d.lattice.store import APPLICATION_ID, FORMAT, SCHEMA_VERSION, RunStore, StoreWriteError

TESTS = Path(__file__).parent
DATA = TESTS.parent / "docs" / "data"
SCAN_TOML = """name = "t"
method = "ed"
sizes = [4, 8]
n = 0.5
ns = 0.75
[couplings]
U = 1.0
V_s = 1.5
W = [0.0, 1.0, 2.0]
[options]
max_dimension = 100000
"""


def cli(argv, capsys) -> tuple[int, str, str]:
    from pairing1d.cli import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pairing1d: error: "), err
    return lines[0]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of ``folder``: bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def header(path: Path) -> tuple[int, int]:
    """(application_id, user_version) from the file's header, without SQLite."""
    head = path.read_bytes()[:100]
    return int.from_bytes(head[68:72], "big"), int.from_bytes(head[60:64], "big")


def write_runs(store: RunStore, config: ScanConfig) -> None:
    store.put_config(config.name, config.to_dict())
    for task in plan(config):
        store.put(task.key, fake_solver(task.params, task.sector, task.method, **task.options), task.options)


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path, capsys):
    """Another program's database (rollback journal) and one with a 'runs' table of another layout: readers and
    writers refuse them in one line naming the file, and nothing is added, switched to WAL or created next to them
    (the report used to add three tables and switch the file to WAL)."""
    from pairing1d.cli.lattice import _runs_per_scan

    foreign, other = tmp_path / "app.db", tmp_path / "runs.db"
    for path, table in ((foreign, "people (name TEXT)"), (other, "runs (id INTEGER)")):
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute(f"CREATE TABLE {table}")
            db.commit()
    before = snapshot(tmp_path)
    for path in (foreign, other):
        for mode in ("r", "w"):
            with pytest.raises(LatticeError, match="is not a pairing1d lattice run store") as info:
                RunStore(path, mode=mode)
            assert str(path) in str(info.value) and "\n" not in str(info.value)
        for read in (study_map, _runs_per_scan):
            with pytest.raises(LatticeError, match="is not a pairing1d lattice run store"):
                read(path)
        code, out, err = cli(["lattice", "report", path], capsys)
        assert code == 2 and out == "" and "is not a pairing1d lattice run store" in one_line(err)
        code, out, err = cli(["lattice", "scan", tmp_path / "none.toml", "--store", path], capsys)
        assert code == 2  # the scan file is missing: refused before the store is opened
    (tmp_path / "s.toml").write_text(SCAN_TOML)
    code, out, err = cli(["lattice", "scan", tmp_path / "s.toml", "--store", foreign], capsys)
    assert code == 2 and str(foreign) in one_line(err) and "not a pairing1d lattice run store" in err
    (tmp_path / "s.toml").unlink()
    assert snapshot(tmp_path) == before
    with contextlib.closing(sqlite3.connect(f"file:{foreign}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [n for (n,) in db.execute("SELECT name FROM sqlite_master")] == ["people"]


def test_the_marker_an_empty_file_and_a_newer_schema(tmp_path):
    """A new store carries application_id, user_version and a 'format' row; an empty file is adopted by a writer
    and refused by a reader; a newer schema is refused by both; a reader cannot write."""
    new = tmp_path / "new.sqlite"
    with RunStore(new):
        pass
    assert header(new) == (APPLICATION_ID, SCHEMA_VERSION)
    with contextlib.closing(sqlite3.connect(f"file:{new}?mode=ro", uri=True)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()[0] == FORMAT
        assert db.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'writer %'").fetchone()[0] == 0  # closed
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(LatticeError, match="is an empty SQLite file, not a pairing1d lattice run store"):
        RunStore(empty, mode="r")
    assert empty.read_bytes() == b""
    with RunStore(empty) as store:
        store.put_config("x", {"a": 1})
    assert header(empty) == (APPLICATION_ID, SCHEMA_VERSION)
    with RunStore(empty, mode="r") as store:
        assert store.configs() == {"x": {"a": 1}}
        with pytest.raises(LatticeError, match="read-only"):
            store.put_config("y", {})
    with contextlib.closing(sqlite3.connect(new)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.commit()
    for mode in ("r", "w"):
        with pytest.raises(LatticeError, match="written by a newer pairing1d") as info:
            RunStore(new, mode=mode)
        assert str(new) in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(LatticeError, match=f"store {str(tmp_path / 'gone.sqlite')!r} does not exist"):
        RunStore(tmp_path / "gone.sqlite", mode="r")
    assert not (tmp_path / "gone.sqlite").exists()
    with RunStore(tmp_path / "no folder" / "s.sqlite"):  # outputs: a missing folder is made (pairing1d.support.files)
        pass
    assert (tmp_path / "no folder" / "s.sqlite").is_file()


def test_a_path_that_needs_uri_quoting(tmp_path):
    path = tmp_path / "a folder" / "runs 100% #1?.sqlite"
    path.parent.mkdir()
    config = ScanConfig.from_dict(RAW)
    with RunStore(path) as store:
        write_runs(store, config)
    with RunStore(path, mode="r") as store:
        assert len(store.keys()) == N_RUNS
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.parametrize("name", ["w_scan.sqlite", "pairing_map.sqlite"])
def test_the_committed_stores_are_read_as_they_are(name, capsys):
    """The stores of docs/data (written before the marker) are read, and `lattice report` and the phase map's
    reading leave every byte and modification time of docs/data as it was, creating no -wal or -shm."""
    path = DATA / name
    assert header(path) == (0, 0)  # the previous version's store
    before = snapshot(DATA)
    if name == "w_scan.sqlite":
        code, out, err = cli(["lattice", "report", path, "--json"], capsys)
        assert code == 0, err
        assert len(json.loads(out)["scans"][0]["points"]) == 4
    else:
        assert len(study_map(path).points) >= 6
    assert snapshot(DATA) == before


def test_a_store_of_the_previous_version_is_marked_by_its_next_writer(tmp_path):
    copy = tmp_path / "w.sqlite"
    shutil.copy(DATA / "w_scan.sqlite", copy)
    with RunStore(copy, mode="r") as store:
        keys = store.keys()
    assert header(copy) == (0, 0)
    with RunStore(copy) as store:
        assert store.keys() == keys
    assert header(copy) == (APPLICATION_ID, SCHEMA_VERSION)
    with RunStore(copy, mode="r") as store:
        assert store.keys() == keys and len(keys) == 84


def test_a_report_while_a_writer_holds_the_store(tmp_path, capsys):
    """A store written by a scan reports, with nothing created next to it; while another connection holds it open
    for writing (its -wal and -shm exist) the report reads its latest runs too."""
    path = tmp_path / "s.sqlite"
    run_scan(ScanConfig.from_dict(RAW), path, solver=fake_solver, progress=False)
    assert sorted(os.listdir(tmp_path)) == ["s.sqlite"]  # closed cleanly: every run in the main file
    before = snapshot(tmp_path)
    code, out, err = cli(["lattice", "report", path, "--json"], capsys)
    assert code == 0, err
    assert [len(s["points"]) for s in json.loads(out)["scans"]] == [3]
    assert snapshot(tmp_path) == before
    wider = ScanConfig.from_dict(RAW | {"name": "wider", "couplings": {"U": 1.0, "V_s": 1.5, "W": [0.5, 1.5]}})
    with RunStore(path) as writer:
        write_runs(writer, wider)
        assert (tmp_path / "s.sqlite-wal").exists()
        code, out, err = cli(["lattice", "report", path, "--json"], capsys)
        assert code == 0, err
        assert {s["config"]["name"]: len(s["points"]) for s in json.loads(out)["scans"]} == {"t": 3, "wider": 2}
    assert sorted(os.listdir(tmp_path)) == ["s.sqlite"]


def test_a_lost_write_ahead_log_is_an_error_not_an_empty_report(tmp_path, capsys):
    """The .sqlite copied alone while a writer holds it (its runs are all in -wal): readers refuse in one line; a
    scan on the copy accepts the loss, notes it and recomputes; the original is whole once its writer closed."""
    path, copy = tmp_path / "s.sqlite", tmp_path / "copy" / "s.sqlite"
    config = ScanConfig.from_dict(RAW)
    copy.parent.mkdir()
    with RunStore(path) as writer:
        write_runs(writer, config)
        shutil.copy(path, copy)
    for read in (lambda p: RunStore(p, mode="r"), study_map):
        with pytest.raises(LatticeError, match="write-ahead log 's.sqlite-wal' is missing") as info:
            read(copy)
        assert str(copy) in str(info.value) and "\n" not in str(info.value)
    code, out, err = cli(["lattice", "report", copy], capsys)
    assert code == 2 and out == "" and "runs it wrote may be lost" in one_line(err)
    assert os.listdir(copy.parent) == ["s.sqlite"]  # the reader created no empty -wal that would hide the loss
    summary = run_scan(config, copy, solver=fake_solver, progress=False)  # accepts the loss
    assert (summary.already_done, summary.computed) == (0, N_RUNS)
    with RunStore(copy, mode="r") as store:
        assert len(store.keys()) == N_RUNS
        assert [json.loads(v)["runs"] for (v,) in store._db.execute(
            "SELECT value FROM meta WHERE key LIKE 'lost_log %'")] == [0]
    with RunStore(path, mode="r") as store:
        assert len(store.keys()) == N_RUNS


def test_a_cleanly_closed_store_is_whole_without_its_log(tmp_path):
    """A reader holding the store open keeps SQLite from checkpointing at the writer's close; the writer's own
    checkpoint puts every run into the main file, so the .sqlite alone is a whole store."""
    path, copy = tmp_path / "s.sqlite", tmp_path / "copy" / "s.sqlite"
    copy.parent.mkdir()
    first = RunStore(path)
    with RunStore(path, mode="r") as reader:  # -wal exists: SQLite's read-only mode, a connection to the log
        first.close()
        with RunStore(path) as writer:
            write_runs(writer, ScanConfig.from_dict(RAW))
        assert (tmp_path / "s.sqlite-wal").exists()  # kept by the reader's connection
        shutil.copy(path, copy)
        assert len(reader.keys()) == N_RUNS
    with RunStore(copy, mode="r") as store:
        assert len(store.keys()) == N_RUNS and store._writers() == []


def test_what_a_sigkilled_writer_leaves(tmp_path):
    """Measured: a writer killed by SIGKILL leaves -wal (every committed run) and -shm, and its row in the main
    file; readers and the resumed scan see every run; without its -wal the store is refused, and a resumed scan
    recomputes what the log held."""
    path = tmp_path / "k.sqlite"
    script = ("import os, signal\nfrom test_lattice_scan import RAW\nfrom test_lattice_store import write_runs\n"
              "from pairing1d.lattice.scan import ScanConfig\nfrom pairing1d.lattice.store import RunStore\n"
              f"store = RunStore({str(path)!r})\nwrite_runs(store, ScanConfig.from_dict(RAW))\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert sorted(os.listdir(tmp_path)) == ["k.sqlite", "k.sqlite-shm", "k.sqlite-wal"]
    assert (tmp_path / "k.sqlite-wal").stat().st_size > 0
    with RunStore(path, mode="r") as store:
        assert len(store.keys()) == N_RUNS and len(store._writers()) == 1
    kept = tmp_path / "kept"
    kept.mkdir()
    for name in os.listdir(tmp_path):
        if name.startswith("k.sqlite"):
            shutil.copy(tmp_path / name, kept / name)
    # the normal resume: nothing recomputed, the store closed cleanly
    summary = run_scan(ScanConfig.from_dict(RAW), path, solver=fake_solver, progress=False)
    assert (summary.already_done, summary.computed) == (N_RUNS, 0)
    assert sorted(os.listdir(tmp_path)) == ["k.sqlite", "kept"]
    with RunStore(path, mode="r") as store:
        assert store._writers() == []
    # the same kill, with its log lost
    (kept / "k.sqlite-wal").unlink()
    with pytest.raises(LatticeError, match="write-ahead log 'k.sqlite-wal' is missing.*pid \\d+ on "):
        RunStore(kept / "k.sqlite", mode="r")
    summary = run_scan(ScanConfig.from_dict(RAW), kept / "k.sqlite", solver=fake_solver, progress=False)
    assert (summary.already_done, summary.computed) == (0, N_RUNS)


def always_failing(params, sector, method, **options):
    raise RuntimeError(f"no convergence at L = {params.L}\nsecond line")


def test_a_scan_whose_runs_fail_exits_1(tmp_path, capsys, monkeypatch):
    """All runs failing, some failing (text and --json): the summary, then one line with the count and the first
    error, exit code 1; the rerun retries the failed runs and exits 0."""
    toml, path = tmp_path / "s.toml", tmp_path / "s.sqlite"
    toml.write_text(SCAN_TOML)
    argv = ["lattice", "scan", toml, "--store", path]
    monkeypatch.setattr(scan_module, "solve_sector", always_failing)
    code, out, err = cli(argv, capsys)
    assert code == 1 and f"0 computed, {N_RUNS} failed" in out
    assert (f"{N_RUNS} of {N_RUNS} runs failed (all of them), the first with RuntimeError: no convergence at L = 8 "
            "second line;") in one_line(err) and "running the same command again retries them" in err
    monkeypatch.setattr(scan_module, "solve_sector", failing_solver)
    code, out, err = cli([*argv, "--json"], capsys)
    assert code == 1 and json.loads(out)["failed"] == 6
    assert f"6 of {N_RUNS} runs failed, the first with RuntimeError: no convergence second line" in one_line(err)
    monkeypatch.setattr(scan_module, "solve_sector", fake_solver)
    code, out, err = cli(argv, capsys)
    assert code == 0 and err == "" and f"{N_RUNS - 6} already stored, 6 computed, 0 failed" in out


def test_a_full_disk_during_a_scan_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    """SQLite's "database or disk is full" (a real SQLITE_FULL: max_page_count caps the file) in the middle of a
    scan: one line naming the store, exit code 1, every run written before kept; the rerun completes it."""
    open_writer = RunStore._open_writer

    def small_disk(self):
        open_writer(self)
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {pages + 1}")

    (tmp_path / "s.toml").write_text(SCAN_TOML)
    path = tmp_path / "s.sqlite"
    monkeypatch.setattr(scan_module, "solve_sector", fake_solver)
    monkeypatch.setattr(RunStore, "_open_writer", small_disk)
    with RunStore(tmp_path / "direct.sqlite") as store, pytest.raises(StoreWriteError) as info:
        write_runs(store, ScanConfig.from_dict(RAW))
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert str(info.value).startswith(f"cannot write the run store {str(tmp_path / 'direct.sqlite')!r}: database "
                                      "or disk is full (free disk space")
    code, out, err = cli(["lattice", "scan", tmp_path / "s.toml", "--store", path], capsys)
    assert code == 1 and str(path) in one_line(err) and "database or disk is full" in err
    with RunStore(path, mode="r") as store:
        stored = len(store.keys())
    assert 0 < stored < N_RUNS
    monkeypatch.setattr(RunStore, "_open_writer", open_writer)
    code, out, err = cli(["lattice", "scan", tmp_path / "s.toml", "--store", path], capsys)
    assert code == 0 and f"{stored} already stored, {N_RUNS - stored} computed" in out


def test_an_unwritable_store_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    """Real SQLite errors of a file that cannot be written (the connection opened read-only, as for a file or
    folder without write permission): "attempt to write a readonly database" on a store, "unable to open database
    file" on a new one; one line naming the file, exit code 1."""
    (tmp_path / "s.toml").write_text(SCAN_TOML)
    path = tmp_path / "s.sqlite"
    with RunStore(path) as store:
        store.put_config("x", {})
    connect = sqlite3.connect

    def read_only(target, *args, **kwargs):
        if kwargs.pop("uri", False):
            return connect(target, *args, uri=True, **kwargs)
        return connect(Path(target).resolve().as_uri() + "?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(store_module.sqlite3, "connect", read_only)
    for target, words in ((path, "attempt to write a readonly database"),
                          (tmp_path / "new.sqlite", "unable to open database file")):
        code, out, err = cli(["lattice", "scan", tmp_path / "s.toml", "--store", target], capsys)
        line = one_line(err)
        assert code == 1 and f"cannot write the run store {str(target)!r}: {words}" in line
        assert "check that the file and its folder are writable" in line


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_store_in_a_read_only_folder(tmp_path, capsys):
    (tmp_path / "s.toml").write_text(SCAN_TOML)
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, out, err = cli(["lattice", "scan", tmp_path / "s.toml", "--store", folder / "s.sqlite"], capsys)
    finally:
        folder.chmod(0o755)
    assert code == 1 and str(folder / "s.sqlite") in one_line(err)
