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
that raised; cleared when the run later succeeds) and ``scans`` (the configuration of each scan, by name).
"""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

from .. import __version__
from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["run_key", "RunStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY, L INTEGER, N_up INTEGER, N_dn INTEGER, N_sec INTEGER, method TEXT,
    params TEXT, options TEXT, energy REAL, convergence TEXT, observables TEXT,
    wall_time REAL, version TEXT, created REAL, host TEXT
);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY, params TEXT, sector TEXT, method TEXT, options TEXT, error TEXT, created REAL
);
CREATE TABLE IF NOT EXISTS scans (name TEXT PRIMARY KEY, config TEXT, created REAL);
"""
_RUN_COLUMNS = ("key", "L", "N_up", "N_dn", "N_sec", "method", "params", "options", "energy", "convergence",
                "observables", "wall_time", "version", "created", "host")


def run_key(params: LatticeParams, sector: Sector, method: str, options: dict[str, Any]) -> str:
    """Stable identity of a run: SHA-256 of the canonical JSON (sorted keys, no spaces) of everything that
    determines its result: all couplings and ``L`` (floats, so ``W = 1`` and ``W = 1.0`` are one run), the sector,
    the method and the solver options. The package version is not part of it: a new version reuses old runs."""
    blob = json.dumps({"params": params.to_dict(), "sector": sector.to_dict(), "method": method,
                       "options": options}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class RunStore:
    """The runs of one or more scans in a SQLite file (created if missing); a file that is not SQLite, or SQLite
    with a ``runs`` table of another layout, raises a one-line :class:`~pairing1d.lattice.params.LatticeError`.

    Meant for one writer process at a time (module docstring); use it as a context manager or call :meth:`close`.
    """

    run_key = staticmethod(run_key)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._db = None
        try:
            self._db = sqlite3.connect(self.path, timeout=60.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(runs)"))
        except sqlite3.DatabaseError as exc:
            self.close()
            raise LatticeError(f"store {str(self.path)!r} is not a usable SQLite database ({exc})") from None
        if columns != _RUN_COLUMNS:
            self.close()
            raise LatticeError(f"store {str(self.path)!r} has a 'runs' table that is not a pairing1d run store "
                               f"(columns {', '.join(columns)})")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def has(self, key: str) -> bool:
        """Whether the run ``key`` finished and is stored (failed runs are not)."""
        return self._db.execute("SELECT 1 FROM runs WHERE key = ?", (key,)).fetchone() is not None

    def keys(self) -> set[str]:
        """The keys of every stored run (one query: what a scan checks its plan against)."""
        return {k for (k,) in self._db.execute("SELECT key FROM runs")}

    def put(self, key: str, result: SectorResult, options: dict[str, Any]) -> None:
        """Write one finished run and commit at once (nothing finished is lost to a later crash). A key already
        stored keeps its first row (``INSERT OR IGNORE``): a run is never overwritten, so a resumed scan cannot
        change what an interrupted one wrote. A failure recorded earlier for the key is deleted."""
        s = result.sector
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (key, result.params.L, s.N_up, s.N_dn, s.N_sec, result.method,
                 json.dumps(result.params.to_dict(), sort_keys=True), json.dumps(options, sort_keys=True),
                 result.energy, json.dumps(result.convergence), json.dumps(result.observables), result.wall_time,
                 __version__, time.time(), socket.gethostname()),
            )
            self._db.execute("DELETE FROM failures WHERE key = ?", (key,))

    def put_failure(self, key: str, params: LatticeParams, sector: Sector, method: str, options: dict[str, Any],
                    error: str) -> None:
        """Record that run ``key`` raised ``error`` (one line), replacing an earlier failure of the same key; the run
        stays missing from ``runs``, so the next scan tries it again."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO failures VALUES (?,?,?,?,?,?,?)",
                             (key, json.dumps(params.to_dict()), json.dumps(sector.to_dict()), method,
                              json.dumps(options), error, time.time()))

    def put_config(self, name: str, config: dict[str, Any]) -> None:
        """Remember the configuration of scan ``name`` (what ``lattice report`` reads back)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO scans VALUES (?,?,?)", (name, json.dumps(config), time.time()))

    def configs(self) -> dict[str, dict[str, Any]]:
        """Every scan configuration recorded, by name."""
        return {name: json.loads(c) for name, c in self._db.execute("SELECT name, config FROM scans")}

    def get(self, key: str) -> SectorResult | None:
        """The stored run ``key`` as a :class:`~pairing1d.lattice.params.SectorResult`, or None."""
        row = self._db.execute("SELECT params, N_up, N_dn, N_sec, method, energy, convergence, observables, "
                               "wall_time FROM runs WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        params, nu, nd, ns, method, energy, conv, obs, wall = row
        return SectorResult(LatticeParams(**json.loads(params)), Sector(nu, nd, ns), method, energy,
                            json.loads(conv), json.loads(obs), wall)

    def energy(self, params: LatticeParams, sector: Sector, method: str, options: dict[str, Any]) -> float | None:
        """The stored ground-state energy of that run, or None if it is not (yet) in the store."""
        row = self._db.execute("SELECT energy FROM runs WHERE key = ?",
                               (run_key(params, sector, method, options),)).fetchone()
        return None if row is None else row[0]

    def index(self) -> list[dict[str, Any]]:
        """Every stored run without its observables: key, params (dict), sector, method, options, wall time."""
        cursor = self._db.execute("SELECT key, params, N_up, N_dn, N_sec, method, options, wall_time FROM runs")
        return [{"key": k, "params": json.loads(p), "sector": Sector(nu, nd, ns), "method": m,
                 "options": json.loads(o), "wall_time": w} for k, p, nu, nd, ns, m, o, w in cursor]

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

    def failures(self) -> list[dict[str, Any]]:
        """Every recorded failure: key, params and sector (dicts), method, the one-line error."""
        cursor = self._db.execute("SELECT key, params, sector, method, error FROM failures")
        return [{"key": k, "params": json.loads(p), "sector": json.loads(s), "method": m, "error": e}
                for k, p, s, m, e in cursor]
