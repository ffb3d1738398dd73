"""Resumable lattice scans: every (point, size, sector) a task, on Dask, written to a :class:`RunStore` as it ends.

A scan is described by a TOML file::

    method = "dmrg"                 # or "ed"
    sizes = [8, 12, 16]             # chain lengths (unit cells)
    n = 0.5                         # electrons per site
    ns = 0.75                       # secondary fermions per site
    quantities = ["spin_gap", "pair_binding", "secondary_gap"]   # which sectors each point needs

    [couplings]                     # scalars are fixed, lists are swept (Cartesian product)
    U = 1.0
    V_s = 1.5
    V_s2 = 0.5
    W = [0.0, 1.0, 2.0, 3.0]

    [options]                       # passed to the solver (e.g. chi_max for DMRG)
    chi_max = 160

The sectors of a point are those :func:`.observables.gap_sectors` names for the base filling
:func:`.compare.base_sector` (which must be exact for every size). Re-running the same file on the same store
computes only the runs whose key is missing; the client process is the only writer, and it writes each result the
moment its future completes, so an interrupted scan (Ctrl-C, SIGKILL, a lost node) loses only the runs in flight.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .._toml import read_toml
from .compare import base_sector
from .observables import GAP_SHIFTS, gap_sectors
from .params import LatticeError, LatticeParams, Sector, SectorResult
from .solve import METHODS, solve_sector
from .store import RunStore, run_key

__all__ = ["ScanConfig", "Task", "plan", "ScanSummary", "run_scan", "COUPLING_NAMES"]

COUPLING_NAMES = ("t", "U", "V", "t_s", "V_s", "V_s2", "W", "W1")
_KEYS = {"method", "sizes", "n", "ns", "quantities", "couplings", "options", "name"}


@dataclass(frozen=True)
class ScanConfig:
    """A scan: swept couplings, sizes, fillings, quantities, method and solver options (module docstring)."""

    couplings: dict[str, list[float]]
    sizes: list[int]
    n: float
    ns: float
    quantities: list[str] = field(default_factory=lambda: ["spin_gap", "pair_binding", "secondary_gap"])
    method: str = "dmrg"
    options: dict[str, Any] = field(default_factory=dict)
    name: str = "scan"

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str = "config") -> ScanConfig:
        unknown = set(raw) - _KEYS
        if unknown:
            raise LatticeError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} "
                               f"(known: {', '.join(sorted(_KEYS))})")
        for key in ("sizes", "n", "ns", "couplings"):
            if key not in raw:
                raise LatticeError(f"{source}: missing key {key!r}")
        couplings = {}
        for name, value in raw["couplings"].items():
            if name not in COUPLING_NAMES:
                raise LatticeError(f"{source}: unknown coupling {name!r} (known: {', '.join(COUPLING_NAMES)})")
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                                     for v in values):
                raise LatticeError(f"{source}: coupling {name} = {value!r} is not a finite number or list of them")
            couplings[name] = [float(v) for v in values]
        sizes = raw["sizes"]
        if not (isinstance(sizes, list) and sizes and all(isinstance(L, int) and L >= 2 for L in sizes)):
            raise LatticeError(f"{source}: sizes = {sizes!r} must be a list of integers >= 2")
        method = raw.get("method", "dmrg")
        if method not in METHODS:
            raise LatticeError(f"{source}: method = {method!r} is outside the allowed values {METHODS}")
        quantities = raw.get("quantities", ["spin_gap", "pair_binding", "secondary_gap"])
        bad = [q for q in quantities if q not in GAP_SHIFTS]
        if bad:
            raise LatticeError(f"{source}: unknown quantities {bad} (known: {', '.join(GAP_SHIFTS)})")
        config = cls(couplings=couplings, sizes=sorted(set(sizes)), n=float(raw["n"]), ns=float(raw["ns"]),
                     quantities=list(quantities), method=method, options=dict(raw.get("options", {})),
                     name=str(raw.get("name", "scan")))
        for L in config.sizes:
            base_sector(L, config.n, config.ns)  # refuses fillings that do not fit a size
        return config

    @classmethod
    def from_toml(cls, path: str | Path) -> ScanConfig:
        return cls.from_dict(read_toml(path, "scan file", LatticeError), source=str(path))

    def points(self) -> list[dict[str, float]]:
        """Every combination of the swept couplings."""
        names = list(self.couplings)
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*self.couplings.values())]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Task:
    params: LatticeParams
    sector: Sector
    method: str
    options: dict[str, Any]

    @property
    def key(self) -> str:
        return run_key(self.params, self.sector, self.method, self.options)


def plan(config: ScanConfig) -> list[Task]:
    """Every run of the scan, without duplicates (points x sizes x the sectors the quantities need)."""
    tasks, seen = [], set()
    for point in config.points():
        for L in config.sizes:
            params = LatticeParams(L=L, **point)
            for sector in gap_sectors(base_sector(L, config.n, config.ns), ["ground", *config.quantities]):
                if not all(0 <= k <= L for k in (sector.N_up, sector.N_dn, sector.N_sec)):
                    continue
                task = Task(params, sector, config.method, dict(config.options))
                if task.key not in seen:
                    seen.add(task.key)
                    tasks.append(task)
    return tasks


@dataclass(frozen=True)
class ScanSummary:
    total: int
    already_done: int
    computed: int
    failed: int
    wall_time: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _run_task(solver: Callable[..., SectorResult], task: Task) -> SectorResult:
    return solver(task.params, task.sector, task.method, **task.options)


def run_scan(
    config: ScanConfig, store_path: str | Path, workers: int | None = None, scheduler: str | None = None,
    solver: Callable[..., SectorResult] = solve_sector, progress: bool = True,
    on_result: Callable[[SectorResult], None] | None = None,
) -> ScanSummary:
    """Compute every missing run of ``config`` into the store at ``store_path``.

    ``scheduler`` (an address) uses that Dask cluster; ``workers = N > 0`` starts a local one with N single-threaded
    worker processes; otherwise the runs go one after the other in this process (no Dask: for tests and small
    scans). ``solver`` must be a top-level (picklable) function for process workers.
    """
    start = time.perf_counter()
    tasks = plan(config)
    with RunStore(store_path) as store:
        store.put_config(config.name, config.to_dict())
        done = store.keys()
        todo = [t for t in tasks if t.key not in done]
        computed = failed = 0

        def record(task: Task, result: SectorResult | None, error: BaseException | None) -> None:
            nonlocal computed, failed
            if error is None:
                store.put(task.key, result, task.options)
                computed += 1
                if on_result is not None:
                    on_result(result)
            else:
                store.put_failure(task.key, task.params, task.sector, task.method, task.options,
                                  " ".join(f"{type(error).__name__}: {error}".split()))
                failed += 1

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=not progress, transient=False) as bar:
            bar_task = bar.add_task(f"{config.name}: {len(tasks) - len(todo)} of {len(tasks)} runs already stored",
                                    total=len(todo))
            if scheduler is None and not workers:
                for task in todo:
                    try:
                        result, error = _run_task(solver, task), None
                    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, the scan goes on
                        result, error = None, exc
                    record(task, result, error)
                    bar.advance(bar_task)
            else:
                from dask.distributed import Client, LocalCluster, as_completed

                cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                              processes=True, dashboard_address=None)
                try:
                    with Client(scheduler or cluster) as client:
                        futures = {client.submit(_run_task, solver, t, pure=False): t for t in todo}
                        for future in as_completed(futures):
                            task = futures[future]
                            error = future.exception()
                            record(task, None if error else future.result(), error)
                            bar.advance(bar_task)
                finally:
                    if cluster is not None:
                        cluster.close()
    return ScanSummary(total=len(tasks), already_done=len(tasks) - len(todo), computed=computed, failed=failed,
                       wall_time=time.perf_counter() - start)
