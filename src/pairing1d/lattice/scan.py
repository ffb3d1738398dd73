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

Keys: ``couplings`` (required; names of :class:`.params.LatticeParams` except ``L``, missing ones keep their
defaults), ``sizes`` (required, integers >= 2), ``n`` and ``ns`` (required), ``method`` (default ``"dmrg"``),
``quantities`` (default spin gap, pair binding, secondary gap; keys of :data:`.observables.GAP_SHIFTS`), ``shifts``
(optional extra sector offsets ``[[dN_up, dN_dn, dN_sec], ...]``), ``options`` (default none), ``name`` (default
``"scan"``, the key of the configuration in the store). Anything else, or a bad value, is a one-line
:class:`LatticeError`.

Fillings are not rounded: the base sector of size ``L`` is :func:`.compare.base_sector` (``N_up = N_dn = n L / 2``,
``N_sec = ns L``), and a size for which these are not integers is refused, because gaps extrapolated in ``1/L`` are
only meaningful at one filling. The sectors of a point are the base shifted by the offsets its quantities need
(:func:`.observables.gap_sectors`; the defaults give ``(0,0,0), (1,-1,0), (1,0,0), (1,1,0), (0,0,1), (0,0,-1)``),
then by the extra ``shifts``; sectors outside ``[0, L]`` are dropped. One run = one point x one size x one sector.

Re-running the same file on the same store computes only the runs whose key is missing (failed runs included: they
are tried again); the client process is the only writer, and it writes each result the moment its future
completes, so an interrupted scan (Ctrl-C, SIGKILL, a lost node) loses only the runs in flight.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .._toml import read_toml
from .compare import base_sector
from .observables import GAP_SHIFTS, gap_sectors
from .params import COUPLING_NAMES, LatticeError, LatticeParams, Sector, SectorResult
from .solve import METHODS, solve_sector
from .store import RunStore, run_key

__all__ = ["ScanConfig", "Task", "plan", "missing", "ScanSummary", "run_scan", "COUPLING_NAMES"]

_KEYS = {"method", "sizes", "n", "ns", "quantities", "shifts", "couplings", "options", "name"}


@dataclass(frozen=True)
class ScanConfig:
    """A scan: swept couplings, sizes, fillings, quantities (and extra sector shifts), method and solver options
    (module docstring for the TOML keys and their meaning)."""

    couplings: dict[str, list[float]]
    sizes: list[int]
    n: float
    ns: float
    quantities: list[str] = field(default_factory=lambda: ["spin_gap", "pair_binding", "secondary_gap"])
    method: str = "dmrg"
    options: dict[str, Any] = field(default_factory=dict)
    name: str = "scan"
    shifts: list[tuple[int, int, int]] = field(default_factory=list)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str = "config") -> ScanConfig:
        """Validate a parsed TOML table (or a stored ``to_dict()``); every problem is a one-line LatticeError that
        starts with ``source``."""
        unknown = set(raw) - _KEYS
        if unknown:
            raise LatticeError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} "
                               f"(known: {', '.join(sorted(_KEYS))})")
        for key in ("sizes", "n", "ns", "couplings"):
            if key not in raw:
                raise LatticeError(f"{source}: missing key {key!r}")
        couplings = {}
        if not isinstance(raw["couplings"], dict) or not raw["couplings"]:
            raise LatticeError(f"{source}: couplings = {raw['couplings']!r} must be a table of at least one coupling")
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
        for key in ("n", "ns"):
            if isinstance(raw[key], bool) or not isinstance(raw[key], int | float) or not 0 <= raw[key] <= 2:
                raise LatticeError(f"{source}: {key} = {raw[key]!r} is not a filling (particles per site)")
        method = raw.get("method", "dmrg")
        if method not in METHODS:
            raise LatticeError(f"{source}: method = {method!r} is outside the allowed values {METHODS}")
        quantities = raw.get("quantities", ["spin_gap", "pair_binding", "secondary_gap"])
        if not isinstance(quantities, list):
            raise LatticeError(f"{source}: quantities = {quantities!r} must be a list of names")
        bad = [q for q in quantities if q not in GAP_SHIFTS]
        if bad:
            raise LatticeError(f"{source}: unknown quantities {bad} (known: {', '.join(GAP_SHIFTS)})")
        shifts = raw.get("shifts", [])
        if not (isinstance(shifts, list) and all(
                isinstance(d, list | tuple) and len(d) == 3 and all(isinstance(k, int) and not isinstance(k, bool)
                                                                    for k in d) for d in shifts)):
            raise LatticeError(f"{source}: shifts = {shifts!r} must be a list of [dN_up, dN_dn, dN_sec] integer "
                               "triples")
        options = raw.get("options", {})
        if not isinstance(options, dict):
            raise LatticeError(f"{source}: options = {options!r} must be a table (solver keyword arguments)")
        config = cls(couplings=couplings, sizes=sorted(set(sizes)), n=float(raw["n"]), ns=float(raw["ns"]),
                     quantities=list(quantities), method=method, options=dict(options),
                     name=str(raw.get("name", "scan")), shifts=[tuple(d) for d in shifts])
        for L in config.sizes:
            base_sector(L, config.n, config.ns)  # refuses fillings that do not fit a size
        return config

    @classmethod
    def from_toml(cls, path: str | Path) -> ScanConfig:
        """Read and validate a scan file (module docstring); unreadable or malformed TOML is a one-line error."""
        return cls.from_dict(read_toml(path, "scan file", LatticeError), source=str(path))

    def points(self) -> list[dict[str, float]]:
        """Every combination of the swept couplings."""
        names = list(self.couplings)
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*self.couplings.values())]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data that :meth:`from_dict` accepts back (what the store keeps under ``name``)."""
        return asdict(self)

    def sectors(self, L: int) -> list[Sector]:
        """The distinct sectors of one point at size ``L`` (module docstring), base first, those outside [0, L]
        dropped."""
        base = base_sector(L, self.n, self.ns)
        sectors = gap_sectors(base, ["ground", *self.quantities], L)
        return sectors + [s for s in dict.fromkeys(base.shifted(*d) for d in self.shifts)
                          if s not in sectors and s.fits(L)]


class Task(NamedTuple):
    """One run: what the solver is called with (``solver(params, sector, method, **options)``). A tuple, so
    ``params, sector, method, options = task`` works; :attr:`key` is its identity in the store."""

    params: LatticeParams
    sector: Sector
    method: str
    options: dict[str, Any]

    @property
    def key(self) -> str:
        return run_key(self.params, self.sector, self.method, self.options)


def plan(config: ScanConfig) -> list[Task]:
    """Every run of the scan, without duplicates: points (Cartesian product of the swept couplings) x sizes x the
    sectors of :meth:`ScanConfig.sectors`, in that nesting order."""
    tasks, seen = [], set()
    for point in config.points():
        for L in config.sizes:
            params = LatticeParams(L=L, **point)
            for sector in config.sectors(L):
                task = Task(params, sector, config.method, dict(config.options))
                if task.key not in seen:
                    seen.add(task.key)
                    tasks.append(task)
    return tasks


def missing(tasks: Iterable[Task], store: RunStore) -> list[Task]:
    """The tasks of a plan whose run is not in ``store`` (never finished, or failed), in plan order."""
    done = store.keys()
    return [t for t in tasks if t.key not in done]


@dataclass(frozen=True)
class ScanSummary:
    """What one :func:`run_scan` call did: runs in the plan, found in the store, computed now, failed now, and its
    wall time in seconds. ``already_done + computed + failed == total`` unless interrupted."""

    total: int
    already_done: int
    computed: int
    failed: int
    wall_time: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _run_task(solver: Callable[..., SectorResult], task: Task) -> SectorResult:
    """What a worker executes: only the computation; the result goes back to the client, which stores it."""
    return solver(task.params, task.sector, task.method, **task.options)


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


@contextlib.contextmanager
def _dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client connected to ``scheduler``, or on a new local cluster of ``workers`` single-threaded worker
    processes (closed on exit). The local scheduler listens on 127.0.0.1 only, and its HTTP server (no dashboard)
    on a free port, so that two scans on one machine do not fight over port 8787."""
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise LatticeError(f"cannot reach the Dask scheduler at {scheduler!r} ({_one_line(exc)})") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:
        with Client(cluster) as client:
            yield client


def run_scan(
    config: ScanConfig, store_path: str | Path, workers: int | None = None, scheduler: str | None = None,
    solver: Callable[..., SectorResult] | None = None, progress: bool = True,
    on_result: Callable[[SectorResult], None] | None = None,
) -> ScanSummary:
    """Compute every run of ``config`` that the store at ``store_path`` lacks, writing each one as it finishes.

    Where the runs go: ``scheduler`` (an address, e.g. ``"tcp://10.0.0.1:8786"``) uses that Dask cluster;
    ``workers = N > 0`` starts a local one with N single-threaded worker processes (the solvers are single-threaded
    numerics; set ``OMP_NUM_THREADS=1``); ``workers`` 0 or None without a scheduler runs them one after the other in
    this process, without Dask (for tests and small scans). Giving both is an error. Each run is one Dask task;
    results are collected with ``as_completed`` and written by this process, the store's only writer, one committed
    row each (see :mod:`.store`): workers never touch the file, so a scan over many machines needs no shared
    filesystem locking, and a kill of anything loses only the runs not yet written. A run that raises (or whose
    worker dies) is recorded in the store's ``failures`` table with a one-line error and the scan goes on.

    ``solver`` (default :func:`.solve.solve_sector`) is called as ``solver(params, sector, method, **options)`` and
    must return a :class:`SectorResult`; for worker processes it must be picklable (a top-level function).
    ``progress`` shows a Rich progress bar; ``on_result`` is called in this process with each stored result.
    """
    start = time.perf_counter()
    solver = solve_sector if solver is None else solver
    if workers is not None and workers < 0:
        raise LatticeError(f"workers = {workers} is outside the allowed range [0, inf) (Dask worker processes)")
    if workers and scheduler is not None:
        raise LatticeError("give workers or a scheduler address, not both")
    tasks = plan(config)
    with RunStore(store_path) as store:
        store.put_config(config.name, config.to_dict())
        todo = missing(tasks, store)
        computed = failed = 0

        def record(task: Task, result: SectorResult | None, error: BaseException | None) -> None:
            nonlocal computed, failed
            if error is None:
                store.put(task.key, result, task.options)
                computed += 1
                if on_result is not None:
                    on_result(result)
            else:
                store.put_failure(task.key, task.params, task.sector, task.method, task.options, _one_line(error))
                failed += 1

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=not progress, transient=False) as bar:
            bar_task = bar.add_task(f"{config.name}: {len(tasks) - len(todo)} of {len(tasks)} runs already stored",
                                    total=len(todo))
            if todo and scheduler is None and not workers:
                for task in todo:
                    try:
                        result, error = _run_task(solver, task), None
                    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, the scan goes on
                        result, error = None, exc
                    record(task, result, error)
                    bar.advance(bar_task)
            elif todo:  # no cluster is started when there is nothing to compute
                from dask.distributed import as_completed

                with _dask_client(workers, scheduler) as client:
                    futures = {client.submit(_run_task, solver, t, pure=False): t for t in todo}
                    for future in as_completed(futures):
                        task = futures.pop(future)  # dropping the future lets the worker free the result
                        error = future.exception()
                        record(task, None if error is not None else future.result(), error)
                        bar.advance(bar_task)
    return ScanSummary(total=len(tasks), already_done=len(tasks) - len(todo), computed=computed, failed=failed,
                       wall_time=time.perf_counter() - start)
