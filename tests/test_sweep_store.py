"""Zarr sweep stores that are verified, created atomically, locked and robust to a full disk (issue 17, point 3)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from pairing1d import Model, ModelError
from pairing1d.engine import grid as grid_module
from pairing1d.engine import netcdf as netcdf_module
from pairing1d.engine import store as store_module
from pairing1d.engine.grid import RESULT_VARIABLES
from pairing1d.engine.netcdf import save_netcdf
from pairing1d.engine.store import open_sweep, sweep_to_store
from pairing1d.engine.store_lock import LOCK_FILE
from pairing1d.engine.sweep import sweep
from pairing1d.support.errors import StoreError, StoreLockedError, StoreWriteError, WriteError

BASE = Model(K0=0.45, scheme="frozen")
AXES = dict(exp_neg_lstar=np.linspace(0.0, 0.6, 24), y0=np.linspace(0.0, 0.3, 17))
CHUNK = 85  # 5 rows of 17 points: chunks 0-3 of 5 rows, chunk 4 (the edge) of 4
N_CHUNKS = 5


@pytest.fixture(scope="module")
def reference():
    return sweep(BASE, **AXES)


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("clean") / "s.zarr"
    report = sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)
    assert report.n_chunks == N_CHUNKS and report.corrupt == [] and report.stale_lock is None
    return store


@pytest.fixture
def store(clean_store, tmp_path):
    copy = tmp_path / "s.zarr"
    shutil.copytree(clean_store, copy)
    return copy


def assert_equal(ds, reference):
    for name in RESULT_VARIABLES:
        np.testing.assert_array_equal(ds[name].values, reference[name].values, err_msg=name)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text, text
    return text


def dead_pid() -> int:
    """The pid of a process that has ended and been reaped (so it is not running on this host)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def write_lock(store: Path, **holder) -> Path:
    record = {"pid": os.getpid(), "host": socket.gethostname(), "started": "2026-01-01T00:00:00+00:00",
              "nonce": "someone-else", "program": "pairing1d test"}
    record.update(holder)
    path = store / LOCK_FILE
    path.write_text(json.dumps(record))
    return path


# --- verified chunks --------------------------------------------------------------------------------------------


def _delete(store: Path) -> None:
    (store / "l_bar" / "c" / "2" / "0").unlink()  # read back as NaN before: accepted by --resume


def _copy_over(store: Path) -> None:
    src, dst = store / "l_bar" / "c" / "0" / "0", store / "l_bar" / "c" / "2" / "0"
    assert src.read_bytes() != dst.read_bytes()
    shutil.copyfile(src, dst)  # wrong values, well-formed: accepted by --resume before


def _garble_edge(store: Path) -> None:
    (store / "spin_gap" / "c" / "4" / "0").write_bytes(b"not a zstd frame")  # a 129-line traceback before


def _garble_records(store: Path) -> None:
    (store / "chunk_done" / "c" / "1").write_bytes(b"\x00garbage")
    (store / "chunk_checksum" / "c" / "3").write_bytes(b"\x00garbage")


@pytest.mark.parametrize("damage, corrupt", [
    (_delete, [2]), (_copy_over, [2]), (_garble_edge, [4]), (_garble_records, [1, 3]),
])
def test_resume_recomputes_damaged_chunks(store: Path, reference, damage, corrupt):
    """A deleted, overwritten or undecodable chunk object, or a damaged completion record: open_sweep refuses the
    store in one line, --resume finds exactly the damaged chunks, recomputes them, says how many, and the store then
    equals a clean run."""
    damage(store)
    for load in (True, False):
        with pytest.raises(StoreError, match="damaged") as info:
            open_sweep(store, load=load)
        assert "--resume" in one_line(info.value)
    report = sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    assert report.corrupt == corrupt and report.recomputed_corrupt == len(corrupt)
    assert report.computed == corrupt and report.skipped == [i for i in range(N_CHUNKS) if i not in corrupt]
    assert report.to_dict()["recomputed_corrupt"] == len(corrupt)
    assert_equal(open_sweep(store), reference)
    again = sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    assert again.computed == [] and again.corrupt == []


def test_open_sweep_lazy_and_memory_cap(store: Path, reference, monkeypatch):
    """load=False returns a verified lazy Dataset; a store too large for memory is refused in one line."""
    lazy = open_sweep(store, load=False)
    assert lazy["l_bar"].chunks is not None and "chunk_done" not in lazy and "chunk_checksum" not in lazy
    assert_equal(lazy.load(), reference)
    monkeypatch.setattr(store_module, "_available_memory", lambda: 1000)
    with pytest.raises(StoreError, match="load=False") as info:
        open_sweep(store)
    one_line(info.value)
    assert_equal(open_sweep(store, load=False), reference)


def test_open_sweep_errors_are_one_line(tmp_path: Path, store: Path):
    with pytest.raises(StoreError, match="does not exist"):
        open_sweep(tmp_path / "nothing.zarr")
    (tmp_path / "empty.zarr").mkdir()
    with pytest.raises(StoreError, match="not a pairing1d sweep store") as info:
        open_sweep(tmp_path / "empty.zarr")
    one_line(info.value)
    with pytest.raises(StoreError, match="not a pairing1d sweep store"):
        sweep_to_store(BASE, tmp_path / "empty.zarr", resume=True, chunk_points=CHUNK, **AXES)
    (store / "chunk_done" / "c" / "0").unlink()  # as if chunk 0 had never been marked done
    with pytest.raises(StoreError, match="incomplete: 1 of 5"):
        open_sweep(store)
    assert open_sweep(store, allow_incomplete=True)["phase"].shape == (24, 17)


def test_store_of_the_old_format(store: Path, reference):
    """A store written before checksums (format 1) is read with the NaN check, and refused by --resume."""
    shutil.rmtree(store / "chunk_checksum")
    meta = json.loads((store / "zarr.json").read_text())
    del meta["attributes"]["pairing1d_store_format"]
    (store / "zarr.json").write_text(json.dumps(meta))
    assert_equal(open_sweep(store), reference)
    with pytest.raises(StoreError, match="another version of pairing1d"):
        sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    _delete(store)
    with pytest.raises(StoreError, match="damaged: 1 of 5"):
        open_sweep(store)


# --- atomic creation ----------------------------------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".creating-" in p.name)


@pytest.mark.parametrize("crash_in", ["to_zarr", "lock", "rename"])
def test_a_crash_during_creation_leaves_no_store(tmp_path: Path, reference, monkeypatch, crash_in):
    """A failure at any step of the creation leaves no store and no temporary; the next run creates it."""
    store = tmp_path / "s.zarr"
    if crash_in == "to_zarr":
        real = xr.Dataset.to_zarr

        def crash(self, *args, **kwargs):
            real(self, *args, **kwargs)  # the metadata is on disk, then the process "dies"
            raise RuntimeError("simulated crash")

        monkeypatch.setattr(xr.Dataset, "to_zarr", crash)
    elif crash_in == "lock":
        monkeypatch.setattr(store_module._StoreLock, "create", classmethod(lambda cls, path: 1 / 0))
    else:
        real_rename = os.rename

        def rename(src, dst, *args, **kwargs):
            if ".creating-" in str(src):
                raise RuntimeError("simulated crash")
            return real_rename(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "rename", rename)
    with pytest.raises((RuntimeError, ZeroDivisionError)):
        sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)
    assert not store.exists() and _leftovers(tmp_path) == []
    monkeypatch.undo()
    report = sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)
    assert report.computed == list(range(N_CHUNKS))
    assert_equal(open_sweep(store), reference)


def test_a_killed_creators_temporary_is_removed(tmp_path: Path):
    """The temporary of a creator that no longer runs is removed by the next creation; a live one is left alone."""
    host = socket.gethostname()
    dead = tmp_path / f".s.zarr.creating-{host}-{dead_pid()}-0123456789ab"
    live = tmp_path / f".s.zarr.creating-{host}-{os.getpid()}-ba9876543210"
    for folder in (dead, live):
        (folder / "l_bar").mkdir(parents=True)
    sweep_to_store(BASE, tmp_path / "s.zarr", y0=[0.1, 0.2])
    assert not dead.exists() and live.exists()


@pytest.mark.long
def test_sigkill_during_creation_leaves_no_store_or_a_resumable_one(tmp_path: Path, reference):
    """A real process killed while it creates the store (the temporary is watched for): no store, or a resumable
    one; the next run succeeds either way and removes the killed creator's temporary."""
    store = tmp_path / "s.zarr"
    script = textwrap.dedent(f"""
        import numpy as np
        from pairing1d import Model
        from pairing1d.engine.sweep import sweep_to_store
        sweep_to_store(Model(K0=0.45, scheme="frozen"), {str(store)!r}, chunk_points={CHUNK},
                       exp_neg_lstar=np.linspace(0.0, 0.6, 24), y0=np.linspace(0.0, 0.3, 17))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if _leftovers(tmp_path) or store.exists():
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    if store.exists():  # killed after the rename: a resumable store
        report = sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
        assert report.stale_lock is not None
    else:  # killed before: the creator's temporary, and nothing under the store's name
        assert len(_leftovers(tmp_path)) == 1
        sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)
    assert _leftovers(tmp_path) == []
    assert_equal(open_sweep(store), reference)


def test_creating_a_store_does_not_hold_the_grid_in_memory(tmp_path: Path, monkeypatch):
    """The empty store is created lazily: far less memory than the 43 MB a whole 1000 x 1000 grid would take."""
    import tracemalloc

    monkeypatch.setattr(store_module, "_run_chunks", lambda *a, **k: None)
    axes = dict(exp_neg_lstar=np.linspace(0.0, 0.6, 1000), y0=np.linspace(0.0, 0.3, 1000))
    tracemalloc.start()
    try:
        sweep_to_store(BASE, tmp_path / "big.zarr", chunk_points=10_000, **axes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10e6, peak
    with pytest.raises(StoreError, match="incomplete: 100 of 100"):
        open_sweep(tmp_path / "big.zarr")


# --- the writer's lock --------------------------------------------------------------------------------------------


def test_a_second_writer_is_refused_while_the_first_runs(tmp_path: Path, reference):
    """While a sweep writes, its lock names it; a second writer (here from inside the first one's progress
    callback: same pid, another lock) is refused in one line and computes nothing; the lock is gone at the end."""
    store = tmp_path / "s.zarr"
    seen = []

    def progress(done: int, total: int) -> None:
        if done == 2 and not seen:
            holder = json.loads((store / LOCK_FILE).read_text())
            assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
            with pytest.raises(StoreLockedError, match=f"pid {os.getpid()} on host") as info:
                sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
            seen.append(one_line(info.value))

    sweep_to_store(BASE, store, chunk_points=CHUNK, progress=progress, **AXES)
    assert seen and "being written by" in seen[0]
    assert not (store / LOCK_FILE).exists()
    assert_equal(open_sweep(store), reference)


def test_a_live_lock_refuses_and_is_kept(store: Path):
    path = write_lock(store)  # this test's own pid, another nonce: a live holder
    with pytest.raises(StoreLockedError, match=f"being written by pid {os.getpid()}") as info:
        sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    assert str(path) in one_line(info.value)
    assert json.loads(path.read_text())["nonce"] == "someone-else"


@pytest.mark.parametrize("holder, word", [
    (dict(host="another-host.example"), "on another host"),
    (dict(pid="12"), "unreadable lock file"),
])
def test_an_uncheckable_lock_refuses(store: Path, holder, word):
    write_lock(store, **holder)
    with pytest.raises(StoreLockedError, match=word) as info:
        sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    one_line(info.value)


def test_a_stale_lock_is_taken_over_with_a_note(store: Path, reference):
    pid = dead_pid()
    write_lock(store, pid=pid)
    (store / "l_bar" / "c" / "1" / "0").unlink()
    report = sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    assert report.stale_lock is not None and f"pid {pid}" in report.stale_lock and "no longer running" in (
        report.stale_lock)
    assert report.corrupt == [1] and not (store / LOCK_FILE).exists()
    assert_equal(open_sweep(store), reference)


# --- a full disk ----------------------------------------------------------------------------------------------------


def _full_disk_at(monkeypatch, when) -> None:
    """Make Zarr's local writes fail with ENOSPC for the keys where ``when(key)`` holds."""
    from zarr.storage import LocalStore

    real = LocalStore.set

    async def set_(self, key, value, *args, **kwargs):
        if when(key):
            raise OSError(errno.ENOSPC, "No space left on device")
        return await real(self, key, value, *args, **kwargs)

    monkeypatch.setattr(LocalStore, "set", set_)


def test_a_full_disk_while_writing_chunks(tmp_path: Path, reference, monkeypatch):
    """ENOSPC in the middle of chunk 2: one line (an OSError with errno ENOSPC), the lock released, chunks 0-1 kept;
    --resume then completes the store, equal to a clean run."""
    store = tmp_path / "s.zarr"
    _full_disk_at(monkeypatch, lambda key: key == "l_bar/c/2/0")
    with pytest.raises(StoreWriteError) as info:
        sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert "No space left on device" in one_line(info.value) and "--resume" in str(info.value)
    assert not (store / LOCK_FILE).exists()
    assert open_sweep(store, allow_incomplete=True) is not None  # partial, but readable
    monkeypatch.undo()
    report = sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    assert report.skipped == [0, 1] and report.computed == [2, 3, 4]
    assert_equal(open_sweep(store), reference)


def test_a_full_disk_while_creating(tmp_path: Path, monkeypatch):
    _full_disk_at(monkeypatch, lambda key: True)
    with pytest.raises(StoreWriteError, match="no store was created") as info:
        sweep_to_store(BASE, tmp_path / "s.zarr", chunk_points=CHUNK, **AXES)
    assert info.value.errno == errno.ENOSPC and one_line(info.value)
    assert list(tmp_path.iterdir()) == []


def test_save_netcdf_is_atomic(tmp_path: Path, reference, monkeypatch):
    """The new file replaces the old one only when complete; a full disk leaves the old one intact, no temporary
    behind, and says so in one line; a directory in the way is a one-line ModelError."""
    out = tmp_path / "keep.nc"
    out.write_bytes(b"the old result")
    save_netcdf(reference, out)
    assert_equal(xr.open_dataset(out, engine="h5netcdf").load(), reference)
    old = out.read_bytes()

    real_write_bytes = Path.write_bytes

    def full_after_half(self, data):  # the in-memory path: the encoded file's bytes meet a full disk
        real_write_bytes(self, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def full(self, path, *args, **kwargs):  # the direct path (datasets above NETCDF_IN_MEMORY): HDF5 meets it
        Path(path).write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    for patch in ((Path, "write_bytes", full_after_half), (xr.Dataset, "to_netcdf", full)):
        with monkeypatch.context() as m:
            m.setattr(*patch)
            if patch[2] is full:
                m.setattr(netcdf_module, "NETCDF_IN_MEMORY", 0)
                m.setattr("shutil.disk_usage", lambda path: shutil._ntuple_diskusage(1 << 40, 0, 1 << 40))
            with pytest.raises(WriteError, match="unchanged") as info:
                save_netcdf(reference, out)
        assert info.value.errno == errno.ENOSPC and one_line(info.value)
        assert out.read_bytes() == old and sorted(p.name for p in tmp_path.iterdir()) == ["keep.nc"]
    (tmp_path / "dir.nc").mkdir()
    with pytest.raises(ModelError, match="is a directory"):
        save_netcdf(reference, tmp_path / "dir.nc")


# --- limits ---------------------------------------------------------------------------------------------------------


def test_store_size_caps(tmp_path: Path, monkeypatch):
    """Stores are capped by points, by chunks and by what one chunk needs in memory, before anything is done."""
    monkeypatch.setattr(store_module, "Grid", lambda *a, **k: pytest.fail("validated before the size check"))
    store = tmp_path / "s.zarr"
    with pytest.raises(ModelError, match="10,000,000,000 allowed") as info:
        sweep_to_store(BASE, store, K0=np.linspace(0.3, 0.6, 100_001), y0=np.linspace(0.0, 0.3, 100_000))
    one_line(info.value)
    with pytest.raises(ModelError, match="--chunk-points"):
        sweep_to_store(BASE, store, chunk_points=1, y0=np.linspace(0.0, 0.3, 1_000_001))
    monkeypatch.setattr(grid_module, "_available_memory", lambda: 10**6)
    with pytest.raises(ModelError, match="put the longest axis first"):
        sweep_to_store(BASE, store, chunk_points=1, K0=[0.3, 0.6], y0=np.linspace(0.0, 0.3, 1000))
    with pytest.raises(ModelError, match="rtol"):
        sweep_to_store(BASE, store, rtol=float("nan"), y0=[0.1])
    assert not store.exists()


def test_the_command_line_on_a_damaged_and_a_locked_store(store: Path, reference, capsys):
    """Through `pairing1d phase-diagram`: a locked store is one line and exit 2; a damaged store is recomputed by
    --resume (the command's JSON lists the chunk as computed) and ends equal to a clean run."""
    from pairing1d.cli import main

    argv = ["phase-diagram", "--x", "exp_neg_lstar=0:0.6:24", "--y", "y0=0:0.3:17", "--K0", "0.45", "--scheme",
            "frozen", "--out", str(store), "--chunk-points", str(CHUNK), "--resume", "--json"]
    lock = write_lock(store)
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1 and "being written by" in err
    lock.unlink()
    _garble_edge(store)
    with pytest.raises(SystemExit) as info:
        main(argv)
    captured = capsys.readouterr()
    assert info.value.code == 0, captured.err
    assert json.loads(captured.out)["computed_chunks"] == [4]
    assert_equal(open_sweep(store), reference)


def test_the_default_chunking_depends_on_the_grid_alone_and_a_resume_finds_the_stores(tmp_path: Path, reference):
    """Sixteen chunks of 16384 to 65536 points (4096-point chunks made a 1024^2 store take 29 s for a 10.5 s kernel:
    each chunk costs ~30 ms of Zarr calls); a resume without chunk_points uses the store's own chunking, whatever
    made it, instead of refusing it as another sweep."""
    from pairing1d.engine.grid import default_chunk_points

    assert default_chunk_points((1024, 1024)) == 65536 and default_chunk_points((512, 512)) == 16384
    assert default_chunk_points((256, 256)) == 16384 and default_chunk_points((7,)) == 16384
    assert default_chunk_points((4096, 4096)) == 65536
    store = tmp_path / "s.zarr"
    sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)  # not the default chunking
    report = sweep_to_store(BASE, store, resume=True, **AXES)
    assert report.computed == [] and len(report.skipped) == report.n_chunks > 1
    stored = open_sweep(store)
    for name in RESULT_VARIABLES:
        np.testing.assert_array_equal(stored[name].values, reference[name].values)


# --- the in-process pipeline (chunks k+1, k+2 packed, chunk k integrated, chunks k-2, k-1 classified and written) --


def _count_integrations(monkeypatch, stop_at: int | None = None) -> list[int]:
    """Patch the engine's integrate_batch to count its calls (one per chunk) and, at call ``stop_at``, to raise a
    KeyboardInterrupt as a Ctrl-C in the middle of the sweep would."""
    import pairing1d.engine.batch as engine

    real, calls = engine.integrate_batch, []

    def counted(*args, **kwargs):
        calls.append(len(calls))
        if stop_at is not None and len(calls) - 1 == stop_at:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "integrate_batch", counted)
    return calls


def test_an_interruption_keeps_every_chunk_integrated_before_it(tmp_path: Path, reference, monkeypatch):
    """Ctrl-C while chunk 3 is integrated: chunks 1 and 2, integrated before and waiting for or being written on the
    writer thread when the interruption comes, are finished and marked done with 0 (nothing computed is lost); 3 and
    4 are not done, and a resume computes only them, equal to a clean run."""
    store = tmp_path / "s.zarr"
    _count_integrations(monkeypatch, stop_at=3)
    with pytest.raises(KeyboardInterrupt):
        sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)
    assert not (store / LOCK_FILE).exists()
    monkeypatch.undo()
    report = sweep_to_store(BASE, store, resume=True, chunk_points=CHUNK, **AXES)
    assert report.skipped == [0, 1, 2] and report.computed == [3, 4] and report.corrupt == []
    assert_equal(open_sweep(store), reference)


def test_a_failed_write_stops_the_sweep_two_chunks_later(tmp_path: Path, monkeypatch):
    """A full disk at chunk 1's write: the sweep stops when that write's failure is collected, after integrating
    chunks 2 and 3 (two writes may wait while the flows go on) and before integrating chunk 4; the chunks in flight
    are bounded, so the work lost to a failure is bounded too."""
    store = tmp_path / "s.zarr"
    _full_disk_at(monkeypatch, lambda key: key == "l_bar/c/1/0")
    calls = _count_integrations(monkeypatch)
    with pytest.raises(StoreWriteError):
        sweep_to_store(BASE, store, chunk_points=CHUNK, **AXES)
    assert calls == [0, 1, 2, 3]
