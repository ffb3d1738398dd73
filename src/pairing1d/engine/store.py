r"""Sweeps into chunked, resumable Zarr stores (:func:`~pairing1d.engine.store.sweep_to_store`,
:func:`~pairing1d.engine.store.open_sweep`), each chunk checked by its checksum
(:func:`~pairing1d.engine.store.chunk_checksum`); the writer's lock is :mod:`pairing1d.engine.store_lock`. Part of the
sweep (:mod:`pairing1d.engine.sweep`).

Store format (attribute ``pairing1d_store_format`` = 2) ------------------------------------------------------- A Zarr
group (written through xarray) with the variables of a sweep (:mod:`pairing1d.engine.sweep`), chunked in blocks of
``rows_per_chunk`` (an attribute) rows of the first axis, chunk ``i`` holding rows ``[i * rows_per_chunk, (i + 1) *
rows_per_chunk)``, the attributes of a sweep plus ``rtol``, ``atol`` and ``sweep_fingerprint`` (a SHA-256 of the axes,
the fixed parameters, the tolerances and the chunk count), and the completion record of each chunk:

* ``chunk_done[i]`` (int8): 1 once chunk ``i`` is written;
* ``chunk_checksum[i]`` (uint64): the checksum of chunk ``i`` as written: the 8-byte BLAKE2b digest, read as a
  little-endian integer, of, for each variable in :data:`~pairing1d.engine.grid.RESULT_VARIABLES` order, its name, its
  block's shape and its values in C order as little-endian numbers of the store's dtype
  (:func:`~pairing1d.engine.store.chunk_checksum`).

Both are arrays of one-element chunks, one object per chunk. A chunk is written data first, then its checksum, then its
flag, so that a writer killed at any moment leaves every chunk either marked done with a matching checksum or not marked
done. ``resume=True`` reads back every chunk marked done (the store is read once, in batches of consecutive chunks:
I/O-bound, far cheaper than computing it), recomputes those whose values no longer match their checksum or cannot be
read or decoded (a deleted, overwritten or damaged chunk object), and says how many
(:attr:`SweepReport.recomputed_corrupt`); :func:`~pairing1d.engine.store.open_sweep` does the same check and refuses a
damaged store in one line rather than returning its NaNs or wrong values.

Creation is atomic: the store is made complete (metadata, coordinates, empty completion records and the
creator's lock) under the name ``.NAME.creating-HOST-PID-NONCE`` in the same folder and then renamed to ``NAME``,
so that a kill at any moment leaves either no store or a resumable one; a leftover temporary of a creator that
is no longer running on this host is removed by the next creation of the same store.

The writer's lock is the file ``chunk_done/lock.json`` (inside the completion records' folder, where Zarr never looks,
so that a plain ``xarray.open_zarr`` sees nothing foreign): JSON with the holder's ``pid``, ``host``, ``started`` (UTC,
ISO 8601), a random ``nonce`` and the ``program``. It is created exclusively (a hard link of a complete file) and
removed by its holder when the sweep ends, finished or not. A second writer is refused with a one-line
:class:`~pairing1d.support.errors.StoreLockedError` naming the holder; a lock whose holder is not running on this host
is stale, taken over and reported (:attr:`SweepReport.stale_lock`); a lock from another host cannot be checked and is
refused (delete the file by hand if that writer is gone). The lock is advisory: it keeps two ``pairing1d`` writers from
computing the same chunks; readers (:func:`~pairing1d.engine.store.open_sweep`) ignore it. Two writers taking over the
same stale lock at the same instant are told apart by re-reading the lock they moved aside; a pid reused by an unrelated
process makes a stale lock look live (the message says which file to delete).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..support.errors import StoreError, StoreWriteError, WriteError
from ..theory.model import Model
from .grid import (
    _DTYPES,
    _VERIFY_BATCH_POINTS,
    RESULT_BYTES_PER_POINT,
    RESULT_VARIABLES,
    Grid,
    _as_axes,
    _available_memory,
    _check_store_size,
    _chunk_points,
    _clip,
    _shape_of,
    _size,
    _tolerances,
)
from .pipeline import (
    _dataset,
    _row_blocks,
    _run_chunks,
)
from .store_lock import (
    LOCK_FILE,
    _hostname,
    _pid_alive,
    _StoreLock,
)

__all__ = ["sweep_to_store", "open_sweep", "chunk_checksum", "SweepReport", "STORE_FORMAT"]

STORE_FORMAT = 2
"""Version of the store layout (module docstring); 1, without checksums, was written before pairing1d recorded it."""


def chunk_checksum(values: Mapping[str, np.ndarray]) -> int:
    """The checksum of one chunk's results (module docstring, "Store format"): an integer in [0, 2**64).

    Equal for equal values whatever their dtype in memory (they are first cast to the store's dtype: ``controlled``
    as int8), so the checksum of what the engine returned equals that of what is read back from the store."""
    digest = hashlib.blake2b(digest_size=8)
    for name in RESULT_VARIABLES:
        array = np.ascontiguousarray(values[name], dtype=_DTYPES[name].newbyteorder("<"))
        digest.update(name.encode())
        digest.update(repr(tuple(array.shape)).encode())
        digest.update(array.tobytes())
    return int.from_bytes(digest.digest(), "little")


@dataclass(frozen=True)
class SweepReport:
    """What :func:`~pairing1d.engine.store.sweep_to_store` did: the store, and which chunks it computed and which it
    found done.

    ``computed``: the chunks computed by this call (those not done, and the damaged ones); ``skipped``: the chunks
    found done and verified against their checksums; ``corrupt``: the chunks marked done (or with an unreadable
    completion record) whose data failed verification and were recomputed (also in ``computed``);
    ``stale_lock``: a note when the lock of a writer no longer running was taken over, else None.
    """

    store: Path
    n_chunks: int
    computed: list[int]
    skipped: list[int]
    corrupt: list[int] = field(default_factory=list)
    stale_lock: str | None = None

    @property
    def recomputed_corrupt(self) -> int:
        """How many chunks failed verification and were recomputed."""
        return len(self.corrupt)

    def to_dict(self) -> dict[str, Any]:
        return {"store": str(self.store), "n_chunks": self.n_chunks, "computed": list(self.computed),
                "skipped": list(self.skipped), "corrupt": list(self.corrupt),
                "recomputed_corrupt": self.recomputed_corrupt, "stale_lock": self.stale_lock}


@contextlib.contextmanager
def _disk_errors(path: Path, hint: str) -> Iterator[None]:
    """Turn an OSError (full disk, permission, ...) into a one-line StoreWriteError naming ``path``, plus ``hint``."""
    try:
        yield
    except WriteError:
        raise
    except OSError as exc:
        reason = exc.strerror or _first_line(exc)
        raise StoreWriteError(exc.errno, f"cannot write {str(path)!r}: {reason}; {hint}") from None


def sweep_to_store(
    model: Model, store: str | Path, *, resume: bool = False, client: Any = None, chunk_points: int | None = None,
    rtol: float | None = None, atol: float | None = None, progress: Callable[[int, int], None] | None = None,
    **axes: Iterable,
) -> SweepReport:
    """Compute the sweep chunk by chunk into the Zarr store ``store``, writing each chunk as it finishes.

    A chunk is a block of rows of the first axis, of about ``chunk_points`` points (None: the store's own chunking when
    resuming, else :func:`~pairing1d.engine.grid.default_chunk_points`). ``client`` (a ``dask.distributed.Client``) runs
    the chunks as Dask tasks; without it they run in-process. The store's format, its completion records, checksums and
    lock are described in the module docstring. Guaranteed:

    * nothing is computed or written before the grid, the tolerances and the size are validated (one-line
      ModelError);
    * a new store appears only complete (created under a temporary name, then renamed), holding this writer's lock;
    * without ``resume`` an existing store is an error rather than silently overwritten; with ``resume=True`` the
      store must hold the same sweep (grid, parameters, tolerances, chunking: checked), every chunk marked done is
      read back and checked against its checksum, and only the chunks not done or failing that check are computed
      (:class:`SweepReport` says which);
    * a store locked by a running writer is refused (:class:`~pairing1d.support.errors.StoreLockedError`, one line
      naming it); a stale lock is taken over and reported; the lock is released when this call ends, whether it succeeds
      or not;
    * a failing write (a full disk: ``errno.ENOSPC``) raises :class:`~pairing1d.support.errors.StoreWriteError` (an
      OSError, one line), and leaves the chunks already done intact and the store resumable.
    """
    import zarr

    rtol, atol = _tolerances(rtol, atol)
    arrays = _as_axes(axes)
    store = Path(store)
    if chunk_points is None and resume:  # resuming: the chunking the store was made with, whatever made it
        chunk_points = _stored_chunk_points(store, _shape_of(arrays))
    chunk_points = _chunk_points(chunk_points, _shape_of(arrays))
    _check_store_size(_shape_of(arrays), chunk_points)
    grid = Grid(model, arrays)
    blocks = _row_blocks(grid, chunk_points)
    rows_per_chunk = blocks[0].stop - blocks[0].start
    resume_hint = "free some space (or fix the permission) and run the same sweep again with --resume"
    lock = None
    if not store.exists():
        lock = _create_store(store, grid, rtol, atol, rows_per_chunk, len(blocks))
    fresh = lock is not None
    if not fresh:  # it existed (or another creator won the race)
        if not resume:
            raise StoreError(f"store {str(store)!r} exists; pass resume=True (--resume) to complete it")
        _check_same_sweep(store, grid, rtol, atol, len(blocks))
        with _disk_errors(store, resume_hint):
            lock = _StoreLock.acquire(store)
    try:
        group = zarr.open_group(str(store), mode="r+")
        if fresh:
            done, corrupt = np.zeros(len(blocks), dtype=bool), []
        else:
            done, corrupt = _verified_done(group, blocks)
            with _disk_errors(store, resume_hint):
                for i in corrupt:  # not done any more: a stop before the recomputation leaves it to the next resume
                    group["chunk_done"][i] = 0
        todo = [i for i in range(len(blocks)) if not done[i]]
        skipped = [i for i in range(len(blocks)) if done[i]]
        with _disk_errors(store, resume_hint):
            # opened once: group[name] reads and parses the array's metadata each time (9 ms per chunk)
            arrays = {name: group[name] for name in (*RESULT_VARIABLES, "chunk_checksum", "chunk_done")}

        def write(i: int, data: Mapping[str, np.ndarray]) -> None:
            rows = blocks[i]
            with _disk_errors(store, resume_hint + " (the chunks written so far are kept)"):
                for name in RESULT_VARIABLES:
                    arrays[name][rows] = data[name]
                # only after the data, the checksum, then the flag: a kill in between recomputes the chunk
                arrays["chunk_checksum"][i] = np.uint64(chunk_checksum(data))
                arrays["chunk_done"][i] = 1

        _run_chunks(grid, blocks, todo, write, client, rtol, atol, progress, len(skipped))
    finally:
        lock.release()
    return SweepReport(store=store, n_chunks=len(blocks), computed=todo, skipped=skipped, corrupt=corrupt,
                       stale_lock=lock.stale_note)


def _stored_chunk_points(store: Path, shape: tuple[int, ...]) -> int | None:
    """Points per chunk of an existing store (its ``rows_per_chunk`` attribute times the points of a row), or None
    when there is no usable store there (the checks that follow say why in one line)."""
    try:
        rows = int(_store_attrs(store).get("rows_per_chunk", 0))
    except (StoreError, TypeError, ValueError):
        return None
    return rows * int(np.prod(shape[1:])) if rows > 0 else None


def _creating_prefix(store: Path) -> str:
    return f".{store.name}.creating-"


def _remove_dead_creations(store: Path) -> None:
    """Remove temporaries ``.NAME.creating-HOST-PID-NONCE`` of this store left by a creator killed on this host."""
    prefix, host = _creating_prefix(store), _hostname()
    with contextlib.suppress(OSError):
        for entry in store.parent.iterdir():
            if not entry.name.startswith(prefix):
                continue
            parts = entry.name[len(prefix):].rsplit("-", 2)
            if len(parts) == 3 and parts[0] == host and parts[1].isdigit() and not _pid_alive(int(parts[1])):
                shutil.rmtree(entry, ignore_errors=True)


def _create_store(store: Path, grid: Grid, rtol: float, atol: float, rows_per_chunk: int,
                  n_chunks: int) -> _StoreLock | None:
    """Create the empty store, with this writer's lock inside, atomically (module docstring): the lock, or None if
    another creator renamed its store into place first. Writes metadata and coordinates only, in memory and time
    independent of the number of points and chunks: the results and completion records are lazy Dask zeros, never
    computed, so that their chunks start as fill values (NaN for floats, 0 for flags and records)."""
    import dask.array as da
    import xarray as xr

    hint = "no store was created"
    with _disk_errors(store, hint):
        store.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_creations(store)
    tmp = store.with_name(f"{_creating_prefix(store)}{_hostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    try:
        with _disk_errors(store, hint):
            chunks = (rows_per_chunk, *grid.shape[1:])
            # one Dask chunk per variable: a graph of eight tasks, never computed (compute=False)
            empty = {name: da.zeros(grid.shape, chunks=grid.shape, dtype=_DTYPES[name]) for name in RESULT_VARIABLES}
            ds = _dataset(grid, empty)
            # the completion records too: their objects are written only when a chunk is done (0 = not done)
            ds["chunk_done"] = xr.DataArray(da.zeros(n_chunks, chunks=n_chunks, dtype=np.int8), dims="chunk",
                                            attrs={"long_name": "1 where the chunk's results are written"})
            ds["chunk_checksum"] = xr.DataArray(
                da.zeros(n_chunks, chunks=n_chunks, dtype=np.uint64), dims="chunk",
                attrs={"long_name":
                       "checksum of the chunk's results as written (pairing1d.engine.store.chunk_checksum)"})
            ds.attrs.update(rtol=rtol, atol=atol, rows_per_chunk=rows_per_chunk, pairing1d_store_format=STORE_FORMAT,
                            sweep_fingerprint=grid.fingerprint(rtol, atol, n_chunks))
            encoding: dict[str, dict[str, Any]] = {name: {"chunks": chunks, "fill_value": None}
                                                   for name in RESULT_VARIABLES}
            # one object per completion record: concurrent-safe, kill-safe
            encoding["chunk_done"] = {"chunks": (1,)}
            encoding["chunk_checksum"] = {"chunks": (1,)}
            ds.to_zarr(str(tmp), mode="w-", encoding=encoding, consolidated=False, compute=False)
            lock = _StoreLock.create(tmp / LOCK_FILE)
            assert lock is not None  # a folder of our own
            try:
                os.rename(tmp, store)
            except OSError:
                if not store.exists():
                    raise
                return None  # another creator was first: its store is the one to use
            lock.path = store / LOCK_FILE
            return lock
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _check_same_sweep(store: Path, grid: Grid, rtol: float, atol: float, n_chunks: int) -> None:
    """The existing ``store`` is a pairing1d sweep store of this format holding this very sweep: StoreError if not."""
    attrs = _store_attrs(store)
    if attrs.get("pairing1d_store_format") != STORE_FORMAT:
        raise StoreError(f"store {str(store)!r} was written by another version of pairing1d (store format "
                         f"{attrs.get('pairing1d_store_format', 1)}, this one writes {STORE_FORMAT}) and cannot be "
                         "verified or completed; read it with open_sweep, or compute into a new store")
    if attrs.get("sweep_fingerprint") != grid.fingerprint(rtol, atol, n_chunks):
        raise StoreError(f"store {str(store)!r} holds a different sweep (axes, parameters or chunking differ); "
                         "use a new store")


def _store_attrs(store: Path) -> dict[str, Any]:
    """The attributes of a pairing1d sweep store (it has completion records): StoreError if it is not one."""
    import warnings

    import zarr

    try:
        with warnings.catch_warnings():  # zarr warns about a folder it does not recognize: said below, in one line
            warnings.simplefilter("ignore")
            group = zarr.open_group(str(store), mode="r")
            attrs = dict(group.attrs)
            members = set(group.array_keys())
    except Exception as exc:  # noqa: BLE001 - any failure to read means it is not a store we can use
        raise StoreError(f"store {str(store)!r} is not a pairing1d sweep store ({_first_line(exc)})") from None
    if "chunk_done" not in members or "sweep_fingerprint" not in attrs:
        raise StoreError(f"store {str(store)!r} is not a pairing1d sweep store (no completion records); "
                         "use a new store")
    lost = sorted(set(RESULT_VARIABLES) - members)
    if lost:  # a pairing1d store whose arrays lost their metadata: damaged, not foreign
        raise StoreError(f"store {str(store)!r} is damaged: its array(s) {', '.join(map(repr, lost))} cannot be "
                         "read (their zarr.json is missing or broken); delete the store and compute it again, or "
                         "use a new store")
    return attrs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return _clip(text.splitlines()[0] if text else type(exc).__name__, 200)


def _records(group: Any, n_chunks: int) -> tuple[np.ndarray, np.ndarray | None, list[int]]:
    """(done flags, checksums or None for a store without them, chunks whose records cannot be read); an
    unreadable record counts as not done."""
    unreadable: set[int] = set()
    out = []
    for name in ("chunk_done", "chunk_checksum"):
        if name not in group.array_keys():
            out.append(None)
            continue
        array = group[name]
        try:
            values = array[:]
        except Exception:  # noqa: BLE001 - a damaged record object: read them one by one
            values = np.zeros(n_chunks, dtype=array.dtype)
            for i in range(n_chunks):
                try:
                    values[i] = array[i]
                except Exception:  # noqa: BLE001 - any failure to decode means it cannot be trusted
                    unreadable.add(i)
        out.append(np.asarray(values))
    done = out[0] != 0
    done[sorted(unreadable)] = False
    return done, out[1], sorted(unreadable)


def _failing_chunks(read: Callable[[slice], Mapping[str, np.ndarray]], blocks: list[slice], candidates: list[int],
                    checksums: np.ndarray | None, row_points: int) -> list[int]:
    """The chunks among ``candidates`` whose values, ``read(rows)``, cannot be read or fail their checksum (without
    checksums, a store of format 1: hold a NaN, i.e. a missing chunk object). Consecutive chunks are read in batches
    of about _VERIFY_BATCH_POINTS points; a batch that cannot be read is read again chunk by chunk."""
    bad: list[int] = []

    def check(i: int, values: Mapping[str, np.ndarray]) -> bool:
        if checksums is not None:
            return chunk_checksum(values) == int(checksums[i])
        return not any(np.isnan(values[n]).any() for n in RESULT_VARIABLES if _DTYPES[n].kind == "f")

    def read_or_none(rows: slice) -> Mapping[str, np.ndarray] | None:
        try:
            return read(rows)
        except Exception:  # noqa: BLE001 - any failure to read or decode means the chunk cannot be trusted
            return None

    batches: list[list[int]] = []
    for i in candidates:
        rows = blocks[i].stop - blocks[i].start
        if batches and batches[-1][-1] == i - 1 and batches[-1][-1] - batches[-1][0] < max(
                1, _VERIFY_BATCH_POINTS // max(rows * row_points, 1)):
            batches[-1].append(i)
        else:
            batches.append([i])
    for batch in batches:
        start = blocks[batch[0]].start
        values = read_or_none(slice(start, blocks[batch[-1]].stop))
        for i in batch:
            if values is None:
                chunk = read_or_none(blocks[i])
            else:
                rows = slice(blocks[i].start - start, blocks[i].stop - start)
                chunk = {name: values[name][rows] for name in RESULT_VARIABLES}
            if chunk is None or not check(i, chunk):
                bad.append(i)
    return bad


def _verified_done(group: Any, blocks: list[slice]) -> tuple[np.ndarray, list[int]]:
    """(chunks done and verified, chunks damaged: marked done but failing verification, or unreadable records)."""
    done, checksums, unreadable = _records(group, len(blocks))
    row_points = math.prod(group[RESULT_VARIABLES[0]].shape[1:])
    bad = _failing_chunks(lambda rows: {name: group[name][rows] for name in RESULT_VARIABLES}, blocks,
                          [i for i in range(len(blocks)) if done[i]], checksums, row_points)
    done[bad] = False
    return done, sorted(set(bad) | set(unreadable))


def open_sweep(store: str | Path, *, allow_incomplete: bool = False, verify: bool = True, load: bool = True):
    """The Dataset of a finished sweep store (the completion records dropped).

    Guaranteed: a missing store, a folder that is not a sweep store, an incomplete store (unless ``allow_incomplete``:
    its chunks not done then hold NaN for floats and 0 for flags) and, with ``verify`` (the default), a damaged one
    raise a one-line :class:`~pairing1d.support.errors.StoreError` (a ModelError), never a traceback. Verifying reads
    every chunk marked done and checks it against its checksum (stores of format 1, without checksums: checks that no
    float value is NaN, which catches a missing chunk object but not a wrong one), so a deleted, overwritten or
    undecodable chunk is reported, not returned as NaN or wrong values. ``load`` (the default) reads the data into
    memory, refused in one line if it does not fit; ``load=False`` returns a lazy (Dask-backed) Dataset, verified chunk
    by chunk with bounded memory.
    """
    import xarray as xr
    import zarr

    store = Path(store)
    name = str(store)
    if not store.exists():
        raise StoreError(f"store {name!r} does not exist")
    attrs = _store_attrs(store)
    try:
        group = zarr.open_group(name, mode="r")
        ds = xr.open_zarr(name, consolidated=False)
    except Exception as exc:  # noqa: BLE001 - damaged metadata
        raise StoreError(f"store {name!r} cannot be read ({_first_line(exc)})") from None
    rows_per_chunk = int(attrs.get("rows_per_chunk", 0)) or None
    n_chunks = int(ds.sizes["chunk"])
    done, checksums, unreadable = _records(group, n_chunks)
    damaged_hint = "run the same sweep again with --resume (resume=True) to recompute them"
    if unreadable:
        raise StoreError(f"store {name!r} is damaged: the completion records of {len(unreadable)} of {n_chunks} "
                         f"chunks cannot be read; {damaged_hint}")
    missing = int((~done).sum())
    if missing and not allow_incomplete:
        raise StoreError(f"store {name!r} is incomplete: {missing} of {n_chunks} chunks missing "
                         "(run the same sweep again with --resume)")
    shape = tuple(int(s) for s in group[RESULT_VARIABLES[0]].shape)
    if load:
        available = _available_memory()
        need = math.prod(shape) * RESULT_BYTES_PER_POINT
        if available is not None and need > available:
            raise StoreError(f"store {name!r} holds {math.prod(shape):,} points, about {_size(need)} in memory, more "
                             f"than the {_size(available)} available; open it with open_sweep(..., load=False)")
    ds = ds.drop_vars([v for v in ("chunk_done", "chunk_checksum") if v in ds.variables])
    loaded, failure = None, None
    if load:
        try:
            loaded = ds.load()
        except Exception as exc:  # noqa: BLE001 - undecodable data: located by the verification below
            failure = exc
    if verify or (load and loaded is None):
        if rows_per_chunk is None:
            rows_per_chunk = -(-shape[0] // max(n_chunks, 1))
        blocks = [slice(i * rows_per_chunk, min((i + 1) * rows_per_chunk, shape[0])) for i in range(n_chunks)]
        if loaded is not None:
            def read(rows: slice) -> dict[str, np.ndarray]:
                return {v: loaded[v].values[rows] for v in RESULT_VARIABLES}
        else:
            def read(rows: slice) -> dict[str, np.ndarray]:
                return {v: group[v][rows] for v in RESULT_VARIABLES}
        bad = _failing_chunks(read, blocks, [i for i in range(n_chunks) if done[i]], checksums,
                              math.prod(shape[1:]))
        if bad:
            listed = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
            raise StoreError(f"store {name!r} is damaged: {len(bad)} of {n_chunks} chunks fail verification (chunks "
                             f"{listed}); {damaged_hint}")
    if load and loaded is None:
        raise StoreError(f"store {name!r} cannot be read ({_first_line(failure or RuntimeError())})")
    return loaded if load else ds
