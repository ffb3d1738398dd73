"""A SQLite store of lattice runs: one row per (parameters, sector, method, solver options), written as it completes.

WAL journal and one transaction per row: a run is either entirely in the store or not at all, and a process killed
at any moment (SIGKILL included) loses only the runs it had not finished. The key of a run is the SHA-256 of its
canonical JSON, so re-running a scan finds what is already there and computes only the rest. Only the process
that owns the store writes to it (a scan's client; Dask workers only compute), so there is never a write race.
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


def run_key(params: LatticeParams, sector: Sector, method: str, options: dict[str, Any]) -> str:
    """Stable identity of a run: SHA-256 of the canonical JSON of everything that determines its result."""
    blob = json.dumps({"params": params.to_dict(), "sector": sector.to_dict(), "method": method,
                       "options": options}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class RunStore:
    """The runs of one or more scans in a SQLite file (created if missing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=60.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise LatticeError(f"store {str(self.path)!r} is not a usable SQLite database ({exc})") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def has(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM runs WHERE key = ?", (key,)).fetchone() is not None

    def keys(self) -> set[str]:
        return {k for (k,) in self._db.execute("SELECT key FROM runs")}

    def put(self, key: str, result: SectorResult, options: dict[str, Any]) -> None:
        """Write one finished run and commit at once (nothing finished is lost to a later crash)."""
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
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO failures VALUES (?,?,?,?,?,?,?)",
                             (key, json.dumps(params.to_dict()), json.dumps(sector.to_dict()), method,
                              json.dumps(options), error, time.time()))

    def put_config(self, name: str, config: dict[str, Any]) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO scans VALUES (?,?,?)", (name, json.dumps(config), time.time()))

    def configs(self) -> dict[str, dict[str, Any]]:
        return {name: json.loads(c) for name, c in self._db.execute("SELECT name, config FROM scans")}

    def get(self, key: str) -> SectorResult | None:
        row = self._db.execute("SELECT params, N_up, N_dn, N_sec, method, energy, convergence, observables, "
                               "wall_time FROM runs WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        params, nu, nd, ns, method, energy, conv, obs, wall = row
        return SectorResult(LatticeParams(**json.loads(params)), Sector(nu, nd, ns), method, energy,
                            json.loads(conv), json.loads(obs), wall)

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
        cursor = self._db.execute("SELECT key, params, sector, method, error FROM failures")
        return [{"key": k, "params": json.loads(p), "sector": json.loads(s), "method": m, "error": e}
                for k, p, s, m, e in cursor]
