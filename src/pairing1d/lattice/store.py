"""A SQLite store of lattice runs: one row per (parameters, sector, method, solver options), written as it completes.

WAL journal and one transaction per row: a run is either entirely in the store or not at all, and a process killed
at any moment (SIGKILL included) loses only the runs it had not finished (``synchronous=NORMAL`` keeps every
committed transaction across a crash of the process; only a power cut may lose the last few). The key of a run is
the SHA-256 of its canonical JSON, so re-running a scan finds what is already there and computes only the rest.
Only the process that owns the store writes to it (a scan's client; Dask workers only compute and send results
back), so there is never a write race and SQLite's one-writer locking is never contended; readers (a report, a test
watching a live scan) may open the file at any time, WAL lets them read while the writer writes.

Tables: ``runs`` (one row per finished run: key, ``L``, ``N_up``, ``N_dn``, ``N_sec``, ``method``, and as JSON
``params``, ``options``, ``convergence``, ``observables``; ``energy``, ``wall_time`` of the solver, package
``version``, ``created`` (Unix time of the write), ``host``), ``failures`` (the last one-line error of each run
that raised; cleared when the run later succeeds), ``scans`` (the configuration of each scan, by name) and ``meta``
(``format``, and one ``writer ...`` row per store open for writing).

**What the file guarantees.** A store is marked as one in its header: ``PRAGMA application_id`` is
``APPLICATION_ID`` and ``PRAGMA user_version`` the schema version ``SCHEMA_VERSION``. Any other SQLite file
is refused in one line, by readers and writers alike: a writer never adds its tables to another program's database
(an empty SQLite file, without any table, is adopted), and a file of a newer schema is refused as written by a newer
pairing1d. Stores of the previous version (the three tables, no marker) are read as they are and marked by
the next writer. Readers (``mode="r"``: ``lattice report``, :func:`.phase_map.study_map`) open the file read-only
and change nothing in it or next to it: without a ``-wal`` file they read it as immutable (no ``-wal``/``-shm``
created), with one through SQLite's read-only mode (which needs ``-shm`` to exist or the folder to be writable).

**A lost write-ahead log is detected.** A writer records itself in ``meta`` (pid, host, time) and checkpoints that
row into the main file at once; closing cleanly deletes the row and checkpoints every run into the main file
(``wal_checkpoint(TRUNCATE)``), so a cleanly closed store is whole without its ``-wal``. A SIGKILLed writer leaves
its row, ``-wal`` and ``-shm``: the runs it committed are in ``-wal`` and readers and the next writer see them
all. A writer's row in the main file with no ``-wal`` next to it means the log that held the runs written since it
opened was lost (a copy of the ``.sqlite`` alone, a deleted ``-wal``): readers refuse in one line instead of
reporting fewer runs; the next writer (re-running the scan) accepts the loss, notes it in ``meta`` and recomputes
what is missing. Limits: a store of the previous version has no row to check; another tool that opens the store
after its log was lost (the ``sqlite3`` shell) creates an empty ``-wal`` that hides the loss; a reader that opened
a store without ``-wal`` reads it as immutable, so a writer starting during that read may make it fail (read
again); and a writer's row reaches the main file only once no reader holds an older snapshot (it is retried after
every commit).

**Errors.** A file that is not a usable store raises a one-line :class:`~pairing1d.lattice.params.LatticeError`;
an SQLite error while writing (a full disk, a read-only file or folder) a one-line :class:`StoreWriteError` and one
while reading a :class:`StoreReadError`, both :class:`OSError` (the CLI's exit code 1: the machine, not the input).
Every committed run stays in the store.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from ..support.errors import WriteError
from ..support.files import make_folder
from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["run_key", "RunStore", "StoreWriteError", "StoreReadError", "APPLICATION_ID", "SCHEMA_VERSION"]

APPLICATION_ID = 0x7031_6C73
"""``PRAGMA application_id`` of a run store ("p1ls": pairing1d lattice store), bytes 68-71 of the file."""
SCHEMA_VERSION = 1
"""``PRAGMA user_version`` of the stores this version writes; a larger one is refused (a newer pairing1d)."""
FORMAT = "pairing1d lattice run store"
"""The ``format`` row of the ``meta`` table."""

_RUN_COLUMNS = ("key", "L", "N_up", "N_dn", "N_sec", "method", "params", "options", "energy", "convergence",
                "observables", "wall_time", "version", "created", "host")
_COLUMNS = {"runs": _RUN_COLUMNS,
            "failures": ("key", "params", "sector", "method", "options", "error", "created"),
            "scans": ("name", "config", "created")}
"""The tables of a store of the previous version (no marker), which this one reads and adopts."""
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY, L INTEGER, N_up INTEGER, N_dn INTEGER, N_sec INTEGER, method TEXT,
    params TEXT, options TEXT, energy REAL, convergence TEXT, observables TEXT,
    wall_time REAL, version TEXT, created REAL, host TEXT)""",
    """CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY, params TEXT, sector TEXT, method TEXT, options TEXT, error TEXT, created REAL)""",
    "CREATE TABLE IF NOT EXISTS scans (name TEXT PRIMARY KEY, config TEXT, created REAL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
)
_WRITER = "writer "
"""Prefix of the ``meta`` key of a writer's row: ``writer <host> <pid> <token>``."""


class StoreWriteError(WriteError):
    """Writing the run store failed in the environment (a full disk, a read-only file or folder): ``str()`` is one
    line naming the file and what to do; ``errno`` is the nearest OS one (``errno.ENOSPC`` for a full disk)."""


class StoreReadError(WriteError):
    """Reading the run store failed in the environment (an I/O error, a ``-wal`` that cannot be read): one line.
    (A :class:`~pairing1d.support.errors.WriteError` by inheritance only: the same one-line OSError.)"""


def run_key(params: LatticeParams, sector: Sector, method: str, options: dict[str, Any]) -> str:
    """Stable identity of a run: SHA-256 of the canonical JSON (sorted keys, no spaces) of everything that
    determines its result: all couplings and ``L`` (floats, so ``W = 1`` and ``W = 1.0`` are one run), the sector,
    the method and the solver options. The package version is not part of it: a new version reuses old runs."""
    blob = json.dumps({"params": params.to_dict(), "sector": sector.to_dict(), "method": method,
                       "options": options}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _errno(exc: sqlite3.Error) -> int:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL"):
        return errno.ENOSPC
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH", "SQLITE_CANTOPEN")):
        return errno.EACCES
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return errno.EBUSY
    return errno.EIO


def _alive(host: str, pid: int) -> bool:
    """Whether a writer recorded as ``pid`` on ``host`` may still run. WAL needs shared memory, so every writer of a
    store runs on the host that reads it: a row of another host is stale."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _guard(write: bool):
    """Turn the SQLite errors of a method into one-line errors naming the file (:meth:`RunStore._error`)."""
    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            if self._db is None:
                raise LatticeError(f"store {str(self.path)!r} is closed")
            if write and self.readonly:
                raise LatticeError(f"store {str(self.path)!r} was opened read-only (mode='r')")
            try:
                return method(self, *args, **kwargs)
            except sqlite3.DatabaseError as exc:
                raise self._error(exc, write) from None
        return guarded
    return decorate


class RunStore:
    """The runs of one or more scans in a SQLite file (module docstring: what it guarantees).

    ``mode="w"`` (the default; a scan's client) creates the file if missing, adopts an empty SQLite file or a store
    of the previous version, and writes; ``mode="r"`` (a report) opens an existing store read-only and never creates
    or changes anything. A missing file (for ``"r"``), a file that is not SQLite, SQLite that is not a pairing1d
    lattice run store, a store of a newer schema, or (``"r"``) a store whose write-ahead log is missing raise a
    one-line :class:`~pairing1d.lattice.params.LatticeError`; an environment failure a :class:`StoreWriteError` or
    :class:`StoreReadError`.

    Meant for one writer process at a time (module docstring); use it as a context manager or call :meth:`close`,
    which for a writer checkpoints every run into the main file and marks the store cleanly closed.
    """

    run_key = staticmethod(run_key)

    def __init__(self, path: str | Path, mode: str = "w"):
        if mode not in ("r", "w"):
            raise ValueError(f"mode must be 'r' or 'w', not {mode!r}")
        self.path = Path(path)
        self.readonly = mode == "r"
        self._db: sqlite3.Connection | None = None
        self._writer: str | None = None  # this writer's meta key
        self._flushed = True  # whether this writer's row is in the main file (checkpointed)
        self.wal = self.path.with_name(self.path.name + "-wal")
        if self.path.is_dir():
            raise LatticeError(f"store {str(self.path)!r} is a folder, not a SQLite file")
        try:
            if self.readonly:
                self._open_reader()
            else:
                self._open_writer()
        except BaseException:
            self._abandon()
            raise

    # -- opening ---------------------------------------------------------------------------------------------------

    def _open_reader(self) -> None:
        if not self.path.exists():
            raise LatticeError(f"store {str(self.path)!r} does not exist")
        wal_present = self.wal.exists()
        # no -wal: nothing to replay, read the file as immutable (SQLite creates no -wal/-shm next to it)
        uri = self.path.resolve().as_uri() + ("?mode=ro" if wal_present else "?mode=ro&immutable=1")
        try:
            self._db = sqlite3.connect(uri, uri=True, timeout=60.0)
            kind = self._inspect()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, write=False) from None
        if kind == "empty":
            raise LatticeError(f"store {str(self.path)!r} is an empty SQLite file, not a pairing1d lattice run "
                               "store (yet): run 'pairing1d lattice scan FILE --store' first")
        if kind == "store" and not wal_present:
            writers = self._writers()
            if writers:
                host, pid, opened = writers[0]
                raise LatticeError(
                    f"store {str(self.path)!r}: its write-ahead log {self.wal.name!r} is missing although a writer "
                    f"(pid {pid} on {host}, opened {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(opened))}) "
                    "did not close the store: the runs it wrote may be lost; copy the store with its -wal file, or "
                    "run its scan again ('pairing1d lattice scan FILE --store ...') to accept the loss and "
                    "recompute what is missing")

    def _open_writer(self) -> None:
        # the package's rule for outputs (pairing1d.support.files): a missing folder is made
        make_folder(self.path.parent)
        wal_missing = not self.wal.exists()  # before connecting: a connection creates it
        try:
            self._db = sqlite3.connect(self.path, timeout=60.0)
            kind = self._inspect()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, write=True) from None
        try:
            db = self._db
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreWriteError(errno.EIO, f"cannot write the run store {str(self.path)!r}: SQLite cannot put "
                                      f"it in WAL mode (journal mode {mode!r}; a network filesystem?)",
                                      str(self.path))
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                db.execute(statement)
            if kind != "store":  # a new file, an empty one or a store of the previous version: mark it
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
            # a live writer always has a -wal: without one every recorded writer is gone (and its log lost)
            stale = [(key, host, pid, opened) for key, (host, pid, opened) in self._writer_rows().items()
                     if wal_missing or not _alive(host, pid)]
            if stale and wal_missing:
                lost = {"host": stale[0][1], "pid": stale[0][2], "opened": stale[0][3], "accepted": time.time(),
                        "runs": db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]}
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           (f"lost_log {time.time():.6f}", json.dumps(lost)))
            db.executemany("DELETE FROM meta WHERE key = ?", [(key,) for key, *_ in stale])
            host = socket.gethostname()
            self._writer = f"{_WRITER}{host} {os.getpid()} {secrets.token_hex(4)}"
            db.execute("INSERT INTO meta VALUES (?, ?)", (self._writer, json.dumps(
                {"host": host, "pid": os.getpid(), "opened": time.time(), "version": __version__})))
            db.commit()
            self._flushed = self._checkpoint("FULL")  # the writer's row into the main file (module docstring)
        except sqlite3.DatabaseError as exc:
            self._writer = None  # nothing of it was committed
            raise self._error(exc, write=True) from None

    def _inspect(self) -> str:
        """What the file holds: ``"store"`` (marked), ``"legacy"`` (the previous version's tables, no marker) or
        ``"empty"`` (no table, no marker); anything else raises a one-line LatticeError."""
        db, where = self._db, repr(str(self.path))
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                 if not n.startswith("sqlite_")]
        columns = {n: tuple(row[1] for row in db.execute(f'PRAGMA table_info("{n}")')) for n in names
                   if n in _COLUMNS or n == "meta"}
        if app_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise LatticeError(f"store {where} was written by a newer pairing1d (schema version {version}; "
                                   f"{__version__} reads up to {SCHEMA_VERSION}): upgrade pairing1d to read it")
            wanted = dict(_COLUMNS, meta=("key", "value"))
            bad = [n for n, cols in wanted.items() if columns.get(n) != cols]
            if version < 1 or bad:
                raise LatticeError(f"store {where} is marked as a pairing1d lattice run store but is damaged "
                                   f"(schema version {version}; table{'s' if len(bad) > 1 else ''} "
                                   f"{', '.join(bad) or 'none'} missing or of another layout)")
            return "store"
        if app_id == 0 and not names:
            return "empty"
        if app_id == 0 and set(names) == set(_COLUMNS) and all(columns[n] == c for n, c in _COLUMNS.items()):
            return "legacy"
        described = (f"application_id {app_id:#x}" if app_id else
                     f"tables {', '.join(names)}" if names else "no tables")
        if "runs" in columns and columns["runs"] != _RUN_COLUMNS:
            described += f"; its 'runs' table has the columns {', '.join(columns['runs'])}"
        raise LatticeError(f"store {where} is not a pairing1d lattice run store ({described}); give a new file "
                           "name or a store written by 'pairing1d lattice scan'")

    def _writer_rows(self) -> dict[str, tuple[str, int, float]]:
        out = {}
        for key, value in self._db.execute("SELECT key, value FROM meta WHERE key LIKE ?", (_WRITER + "%",)):
            try:
                data = json.loads(value)
                out[key] = (str(data["host"]), int(data["pid"]), float(data["opened"]))
            except (ValueError, KeyError, TypeError):
                out[key] = ("?", -1, 0.0)
        return out

    def _writers(self) -> list[tuple[str, int, float]]:
        """The writers recorded in the store (host, pid, opened): a store is open for writing, or a writer died."""
        return sorted(self._writer_rows().values(), key=lambda w: w[2])

    def _checkpoint(self, mode: str) -> bool:
        """``PRAGMA wal_checkpoint(mode)``; whether every frame of the log is now in the main file."""
        busy, log, done = self._db.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        return busy == 0 and log == done

    def _error(self, exc: sqlite3.DatabaseError, write: bool) -> Exception:
        """One line naming the file for an SQLite error: a file that is not SQLite or is damaged is the input's
        (LatticeError); anything else, when writing, the environment's (:class:`StoreWriteError`), or when reading
        (:class:`StoreReadError`)."""
        name = getattr(exc, "sqlite_errorname", "") or ""
        where, message = repr(str(self.path)), _one_line(exc)
        if name.startswith("SQLITE_NOTADB"):
            return LatticeError(f"store {where} is not a usable SQLite database ({message})")
        if name.startswith("SQLITE_CORRUPT") and not (write and self._writer):
            return LatticeError(f"store {where} is damaged ({message})")
        if write:
            code = _errno(exc)
            hint = ("free disk space and run the scan again" if code == errno.ENOSPC else
                    f"check that the file and its folder are writable (SQLite writes {self.path.name}-wal and "
                    f"{self.path.name}-shm next to it)" if code == errno.EACCES else
                    "another process holds the store's lock" if code == errno.EBUSY else "run the scan again")
            if self._writer:
                hint += "; every run stored so far is kept"
            return StoreWriteError(code, f"cannot write the run store {where}: {message} ({hint})", str(self.path))
        hint = (f"; reading it needs {self.wal.name!r} and {self.path.name}-shm, or a writable folder"
                if self.wal.exists() else "")
        return StoreReadError(_errno(exc), f"cannot read the run store {where}: {message}{hint}", str(self.path))

    # -- closing ---------------------------------------------------------------------------------------------------

    def _abandon(self) -> None:
        """Close the connection without the clean close (an open that failed)."""
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()

    def close(self) -> None:
        """Close the store. A writer deletes its row from ``meta`` and checkpoints the log into the main file, so that
        the file is whole without its ``-wal`` (module docstring); a failure raises :class:`StoreWriteError` after
        the connection is closed (every committed run is still in the store)."""
        db = self._db
        if db is None:
            return
        try:
            if self._writer is not None and not self.readonly:
                try:
                    with db:
                        db.execute("DELETE FROM meta WHERE key = ?", (self._writer,))
                    self._writer = None
                    self._checkpoint("TRUNCATE")
                except sqlite3.DatabaseError as exc:
                    raise self._error(exc, write=True) from None
        finally:
            self._db = None
            with contextlib.suppress(sqlite3.Error):
                db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        with contextlib.suppress(Exception):  # the error in flight is the one to tell
            self.close()
        self._abandon()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    # -- runs ------------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db
        if not self._flushed:  # the writer's row is not in the main file yet (a reader held the log at open)
            self._flushed = self._checkpoint("PASSIVE")

    @_guard(write=False)
    def has(self, key: str) -> bool:
        """Whether the run ``key`` finished and is stored (failed runs are not)."""
        return self._db.execute("SELECT 1 FROM runs WHERE key = ?", (key,)).fetchone() is not None

    @_guard(write=False)
    def keys(self) -> set[str]:
        """The keys of every stored run (one query: what a scan checks its plan against)."""
        return {k for (k,) in self._db.execute("SELECT key FROM runs")}

    @_guard(write=True)
    def put(self, key: str, result: SectorResult, options: dict[str, Any]) -> None:
        """Write one finished run and commit at once (nothing finished is lost to a later crash). A key already
        stored keeps its first row (``INSERT OR IGNORE``): a run is never overwritten, so a resumed scan cannot
        change what an interrupted one wrote. A failure recorded earlier for the key is deleted."""
        s = result.sector
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (key, result.params.L, s.N_up, s.N_dn, s.N_sec, result.method,
                 json.dumps(result.params.to_dict(), sort_keys=True), json.dumps(options, sort_keys=True),
                 result.energy, json.dumps(result.convergence), json.dumps(result.observables), result.wall_time,
                 __version__, time.time(), socket.gethostname()),
            )
            db.execute("DELETE FROM failures WHERE key = ?", (key,))

    @_guard(write=True)
    def put_failure(self, key: str, params: LatticeParams, sector: Sector, method: str, options: dict[str, Any],
                    error: str) -> None:
        """Record that run ``key`` raised ``error`` (one line), replacing an earlier failure of the same key; the run
        stays missing from ``runs``, so the next scan tries it again."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO failures VALUES (?,?,?,?,?,?,?)",
                       (key, json.dumps(params.to_dict()), json.dumps(sector.to_dict()), method,
                        json.dumps(options), error, time.time()))

    @_guard(write=True)
    def put_config(self, name: str, config: dict[str, Any]) -> None:
        """Remember the configuration of scan ``name`` (what ``lattice report`` reads back)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO scans VALUES (?,?,?)", (name, json.dumps(config), time.time()))

    @_guard(write=False)
    def configs(self) -> dict[str, dict[str, Any]]:
        """Every scan configuration recorded, by name."""
        return {name: json.loads(c) for name, c in self._db.execute("SELECT name, config FROM scans")}

    @_guard(write=False)
    def get(self, key: str) -> SectorResult | None:
        """The stored run ``key`` as a :class:`~pairing1d.lattice.params.SectorResult`, or None."""
        row = self._db.execute("SELECT params, N_up, N_dn, N_sec, method, energy, convergence, observables, "
                               "wall_time FROM runs WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        params, nu, nd, ns, method, energy, conv, obs, wall = row
        return SectorResult(LatticeParams(**json.loads(params)), Sector(nu, nd, ns), method, energy,
                            json.loads(conv), json.loads(obs), wall)

    @_guard(write=False)
    def energy(self, params: LatticeParams, sector: Sector, method: str, options: dict[str, Any]) -> float | None:
        """The stored ground-state energy of that run, or None if it is not (yet) in the store."""
        row = self._db.execute("SELECT energy FROM runs WHERE key = ?",
                               (run_key(params, sector, method, options),)).fetchone()
        return None if row is None else row[0]

    @_guard(write=False)
    def index(self) -> list[dict[str, Any]]:
        """Every stored run without its observables: key, params (dict), sector, method, options, wall time, and the
        SHA-256 of the state file the run saved (``state_sha256``, from its convergence data; None if it saved none)."""
        cursor = self._db.execute("SELECT key, params, N_up, N_dn, N_sec, method, options, wall_time, convergence "
                                  "FROM runs")
        return [{"key": k, "params": json.loads(p), "sector": Sector(nu, nd, ns), "method": m,
                 "options": json.loads(o), "wall_time": w, "state_sha256": json.loads(c or "{}").get("state_sha256")}
                for k, p, nu, nd, ns, m, o, w, c in cursor]

    @_guard(write=False)
    def rows(self) -> list[dict[str, Any]]:
        """Every run as a dict (parameters, sector, energy, convergence, timing, version)."""
        cursor = self._db.execute("SELECT * FROM runs ORDER BY created")
        names = [d[0] for d in cursor.description]
        out = []
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            for k in ("params", "options", "convergence", "observables"):
                row[k] = json.loads(row[k])
            out.append(row)
        return out

    @_guard(write=False)
    def failures(self) -> list[dict[str, Any]]:
        """Every recorded failure: key, params and sector (dicts), method, the one-line error."""
        cursor = self._db.execute("SELECT key, params, sector, method, error FROM failures")
        return [{"key": k, "params": json.loads(p), "sector": json.loads(s), "method": m, "error": e}
                for k, p, s, m, e in cursor]
