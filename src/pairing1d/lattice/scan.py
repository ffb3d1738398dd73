"""Resumable lattice scans: every (point, size, sector) a task, on Dask, written to a
:class:`~pairing1d.lattice.store.RunStore` as it ends.

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
:class:`~pairing1d.lattice.params.LatticeError`.

Fillings are not rounded: the base sector of size ``L`` is :func:`.compare.base_sector` (``N_up = N_dn = n L / 2``,
``N_sec = ns L``), and a size for which these are not integers is refused, because gaps extrapolated in ``1/L`` are
only meaningful at one filling. The sectors of a point are the base shifted by the offsets its quantities need
(:func:`.observables.gap_sectors`; the defaults give ``(0,0,0), (1,-1,0), (1,0,0), (1,1,0), (0,0,1), (0,0,-1)``),
then by the extra ``shifts``; sectors outside ``[0, L]`` are dropped. One run = one point x one size x one sector.

``quantities`` may also be a table from size to list (``quantities = {12 = ["spin_gap", "secondary_gap"], 24 =
["spin_gap"]}``): each size computes its own (an expensive long chain can keep to the ground state and the spin
gap). ``n`` and ``ns`` may be written as exact fractions, ``ns = "17/24"``.

**Study files.** A file may hold several scans as ``[[scan]]`` tables; the keys outside them are defaults that each
table extends (``couplings`` merge key by key), and ``n`` or ``ns`` given as lists are swept, one scan per filling
(named ``"<name> n=... ns=..."``). Two more top-level keys: ``budget_core_hours`` (the scan stops submitting runs
once the stored runs of its plan have cost that much solver time; the next call with a larger budget continues)
and ``warm_start`` (DMRG starts from the converged state of the nearest finished point of the same size and sector,
kept in ``<store>.states/``; off by default, see ``docs/lattice.md`` for when it hurts). Runs are submitted scan by
scan in the file's order, the longest chains of each first: put what matters most first.

Re-running the same file on the same store computes only the runs whose key is missing (failed runs included: they
are tried again); the client process is the only writer, and it writes each result the moment its future
completes, so an interrupted scan (Ctrl-C, SIGKILL, a lost node) loses only the runs in flight.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

from ..support.toml_io import read_toml
from .compare import base_sector
from .observables import GAP_SHIFTS, gap_sectors
from .params import COUPLING_NAMES, LatticeError, LatticeParams, Sector, SectorResult
from .solve import METHODS, check_run, solve_sector
from .store import RunStore, run_key

__all__ = ["ScanConfig", "ScanFile", "read_scan_file", "Task", "plan", "missing", "ScanSummary", "run_scan",
           "COUPLING_NAMES", "filling"]

_KEYS = {"method", "sizes", "n", "ns", "quantities", "size_quantities", "shifts", "couplings", "options", "name"}
_DEFAULT_QUANTITIES = ["spin_gap", "pair_binding", "secondary_gap"]


def filling(value: Any, name: str, source: str) -> float:
    """A filling (particles per site) from a number or an exact fraction ``"p/q"``; one-line error otherwise."""
    if isinstance(value, str):
        try:
            value = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise LatticeError(f"{source}: {name} = {value!r} is not a number or a fraction p/q") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 2:
        raise LatticeError(f"{source}: {name} = {value!r} is not a filling (particles per site)")
    return float(value)


def _quantity_list(value: Any, what: str, source: str) -> list[str]:
    if not isinstance(value, list):
        raise LatticeError(f"{source}: {what} = {value!r} must be a list of names")
    bad = [q for q in value if q not in GAP_SHIFTS]
    if bad:
        raise LatticeError(f"{source}: unknown quantities {bad} (known: {', '.join(GAP_SHIFTS)})")
    return list(value)


@dataclass(frozen=True)
class ScanConfig:
    """A scan: swept couplings, sizes, fillings, quantities (and extra sector shifts), method and solver options
    (module docstring for the TOML keys and their meaning)."""

    couplings: dict[str, list[float]]
    sizes: list[int]
    n: float
    ns: float
    quantities: list[str] = field(default_factory=lambda: list(_DEFAULT_QUANTITIES))
    method: str = "dmrg"
    options: dict[str, Any] = field(default_factory=dict)
    name: str = "scan"
    shifts: list[tuple[int, int, int]] = field(default_factory=list)
    size_quantities: dict[int, list[str]] = field(default_factory=dict)

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
        n, ns = filling(raw["n"], "n", source), filling(raw["ns"], "ns", source)
        method = raw.get("method", "dmrg")
        if method not in METHODS:
            raise LatticeError(f"{source}: method = {method!r} is outside the allowed values {METHODS}")
        quantities = raw.get("quantities", list(_DEFAULT_QUANTITIES))
        per_size = raw.get("size_quantities", {})
        if isinstance(quantities, dict):  # a table size -> list (module docstring)
            per_size, quantities = quantities, None
        if not isinstance(per_size, dict):
            raise LatticeError(f"{source}: size_quantities = {per_size!r} must be a table from size to list")
        size_quantities = {}
        for key, value in per_size.items():
            try:
                size = int(key)
            except (TypeError, ValueError):
                raise LatticeError(f"{source}: quantities key {key!r} is not a chain length") from None
            if size not in sizes:
                raise LatticeError(f"{source}: quantities are given for L = {size}, which is not in sizes {sizes}")
            size_quantities[size] = _quantity_list(value, f"quantities[{size}]", source)
        if quantities is None:
            quantities = list(dict.fromkeys(q for qs in size_quantities.values() for q in qs))
        quantities = _quantity_list(quantities, "quantities", source)
        shifts = raw.get("shifts", [])
        if not (isinstance(shifts, list) and all(
                isinstance(d, list | tuple) and len(d) == 3 and all(isinstance(k, int) and not isinstance(k, bool)
                                                                    for k in d) for d in shifts)):
            raise LatticeError(f"{source}: shifts = {shifts!r} must be a list of [dN_up, dN_dn, dN_sec] integer "
                               "triples")
        options = raw.get("options", {})
        if not isinstance(options, dict):
            raise LatticeError(f"{source}: options = {options!r} must be a table (solver keyword arguments)")
        config = cls(couplings=couplings, sizes=sorted(set(sizes)), n=n, ns=ns,
                     quantities=list(quantities), method=method, options=dict(options),
                     name=str(raw.get("name", "scan")), shifts=[tuple(d) for d in shifts],
                     size_quantities=size_quantities)
        for L in config.sizes:
            base_sector(L, config.n, config.ns)  # refuses fillings that do not fit a size
        return config

    def check_runs(self, source: str = "config") -> None:
        """Every run of the plan as the package's solvers would take it (:func:`.solve.check_run`: option names and
        values, sizes, sector dimensions), before any run starts: a scan file (:func:`read_scan_file`) and a scan
        with the package's solver (:func:`run_scan`) are checked; a stored configuration, which already ran, is
        read without it."""
        for L in self.sizes:
            for sector in self.sectors(L):
                try:
                    check_run(self.method, L, sector, self.options)
                except LatticeError as exc:
                    raise LatticeError(f"{source}: {exc}") from None

    @classmethod
    def from_toml(cls, path: str | Path) -> ScanConfig:
        """Read and validate a file of one scan (module docstring); unreadable or malformed TOML is a one-line
        error. A study file of several scans is read with :func:`read_scan_file`."""
        scans = read_scan_file(path).scans
        if len(scans) != 1:
            raise LatticeError(f"{path}: holds {len(scans)} scans; read it with read_scan_file")
        return scans[0]

    def points(self) -> list[dict[str, float]]:
        """Every combination of the swept couplings."""
        names = list(self.couplings)
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*self.couplings.values())]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data that :meth:`from_dict` accepts back (what the store keeps under ``name``)."""
        return asdict(self)

    def quantities_at(self, L: int) -> list[str]:
        """The quantities computed at size ``L`` (``size_quantities`` if it names ``L``, else ``quantities``)."""
        return self.size_quantities.get(L, self.quantities)

    def sectors(self, L: int) -> list[Sector]:
        """The distinct sectors of one point at size ``L`` (module docstring), base first, those outside [0, L]
        dropped."""
        base = base_sector(L, self.n, self.ns)
        sectors = gap_sectors(base, ["ground", *self.quantities_at(L)], L)
        return sectors + [s for s in dict.fromkeys(base.shifted(*d) for d in self.shifts)
                          if s not in sectors and s.fits(L)]


@dataclass(frozen=True)
class ScanFile:
    """What a scan file holds: its scans, the compute budget in core-hours (None: unlimited) and whether DMRG runs
    start warm (module docstring)."""

    scans: list[ScanConfig]
    budget_core_hours: float | None = None
    warm_start: bool = False


def read_scan_file(path: str | Path) -> ScanFile:
    """Read a scan or study file (module docstring): ``[[scan]]`` tables extend the top-level defaults, and
    lists of fillings become one scan per filling. Every problem is a one-line
    :class:`~pairing1d.lattice.params.LatticeError`."""
    raw = dict(read_toml(path, "scan file", LatticeError))
    source = str(path)
    budget, warm, tables = raw.pop("budget_core_hours", None), raw.pop("warm_start", False), raw.pop("scan", None)
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float)
                               or not math.isfinite(budget) or budget <= 0):
        raise LatticeError(f"{source}: budget_core_hours = {budget!r} is outside the allowed range (0, inf)")
    if not isinstance(warm, bool):
        raise LatticeError(f"{source}: warm_start = {warm!r} must be true or false")
    if tables is None:
        tables = [{}]
    if not (isinstance(tables, list) and tables and all(isinstance(t, dict) for t in tables)):
        raise LatticeError(f"{source}: scan must be an array of tables ([[scan]])")
    scans: list[ScanConfig] = []
    for i, table in enumerate(tables):
        merged = raw | table
        if isinstance(raw.get("couplings"), dict) and isinstance(table.get("couplings"), dict):
            merged["couplings"] = raw["couplings"] | table["couplings"]
        where = source if len(tables) == 1 else f"{source} [[scan]] {i + 1}"
        fills = {k: merged.get(k) if isinstance(merged.get(k), list) else [merged.get(k)] for k in ("n", "ns")}
        if any(not v for v in fills.values()):
            raise LatticeError(f"{where}: an empty list of fillings")
        swept = len(fills["n"]) > 1 or len(fills["ns"]) > 1
        for n, ns in itertools.product(fills["n"], fills["ns"]):
            one = dict(merged) | {"name": str(merged.get("name", "scan")) + (f" n={n} ns={ns}" if swept else "")}
            one |= {k: v for k, v in (("n", n), ("ns", ns)) if v is not None}
            scans.append(ScanConfig.from_dict(one, source=where))
            scans[-1].check_runs(where)
    names = [c.name for c in scans]
    if len(set(names)) != len(names):
        raise LatticeError(f"{source}: two scans share a name ({', '.join(sorted(names))}); name each [[scan]]")
    return ScanFile(scans=scans, budget_core_hours=None if budget is None else float(budget), warm_start=warm)


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
    wall time in seconds; the solver time of the plan's stored runs (``cost_core_hours``, after this call), the
    budget, and whether runs were left unsubmitted because it was reached. ``already_done + computed + failed ==
    total`` unless interrupted or stopped by the budget."""

    total: int
    already_done: int
    computed: int
    failed: int
    wall_time: float
    cost_core_hours: float = 0.0
    budget_core_hours: float | None = None
    budget_reached: bool = False
    first_error: str | None = None
    """The one-line error of the first run that failed in this call (None if none failed)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _run_task(solver: Callable[..., SectorResult], task: Task, warm: dict[str, str] | None = None) -> SectorResult:
    """What a worker executes: only the computation; the result goes back to the client, which stores it.
    ``warm`` (``initial_state``, ``save_to``) passes state files to a DMRG solver; they do not change the key."""
    return solver(task.params, task.sector, task.method, **task.options, **(warm or {}))


def _distance(a: dict[str, float], b: dict[str, float]) -> float:
    return math.fsum((a[k] - b[k]) ** 2 for k in a)


class _WarmStarts:
    """Where each DMRG run saves its state, and which saved state is the nearest finished point of the same size
    and sector (Euclidean distance in the couplings) when a run is submitted. Only a state file whose SHA-256 the
    store recorded with its run is ever offered, with that digest: :func:`.dmrg.load_state` checks it before
    TeNPy's loader (which imports the modules a file names) reads a byte."""

    def __init__(self, index: list[dict[str, Any]], store_path: Path):
        self.directory = store_path.with_name(store_path.name + ".states")
        self.finished: dict[tuple, list[tuple[dict[str, float], str, str]]] = {}
        for row in index:
            self.add(LatticeParams(**row["params"]), row["sector"], row["method"], row["key"], row.get("state_sha256"))

    def add(self, params: LatticeParams, sector: Sector, method: str, key: str, sha256: str | None) -> None:
        if sha256 and (self.directory / f"{key}.h5").is_file():
            self.finished.setdefault((params.L, sector, method), []).append((params.to_dict(), key, sha256))

    def files(self, task: Task) -> dict[str, str]:
        out = {"save_to": str(self.directory / f"{task.key}.h5")}
        near = self.finished.get((task.params.L, task.sector, task.method))
        if near:
            target = task.params.to_dict()
            _, key, sha256 = min(near, key=lambda item: _distance(target, item[0]))
            out |= {"initial_state": str(self.directory / f"{key}.h5"), "initial_state_sha256": sha256}
        return out


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


@contextlib.contextmanager
def _dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client connected to ``scheduler``, or on a new local cluster of ``workers`` single-threaded worker
    processes (closed on exit). The local scheduler listens on 127.0.0.1 only, and its HTTP server (no dashboard)
    on a free port, so that two scans on one machine do not fight over port 8787."""
    from ..support.dask_cluster import local_client, remote_client

    if scheduler is not None:
        with remote_client(scheduler) as client:
            yield client
        return
    with local_client(workers) as client:  # its workers ignore Ctrl-C, its shutdown is quiet
        yield client


def run_scan(
    config: ScanConfig | ScanFile | Sequence[ScanConfig], store_path: str | Path, workers: int | None = None,
    scheduler: str | None = None, solver: Callable[..., SectorResult] | None = None, progress: bool = True,
    on_result: Callable[[SectorResult], None] | None = None, budget_core_hours: float | None = None,
) -> ScanSummary:
    """Compute every run of ``config`` (one scan, several, or a :class:`ScanFile`) that the store at ``store_path``
    lacks, writing each one as it finishes.

    Where the runs go: ``scheduler`` (an address, e.g. ``"tcp://10.0.0.1:8786"``) uses that Dask cluster; ``workers = N
    > 0`` starts a local one with N single-threaded worker processes (the solvers are single-threaded numerics; set
    ``OMP_NUM_THREADS=1``); ``workers`` 0 or None without a scheduler runs them one after the other in this process,
    without Dask (for tests and small scans). Giving both is an error. Each run is one Dask task, submitted scan by
    scan, longest chain first, and at most two per worker at a time (so that a budget can stop the scan); results are
    collected with ``as_completed`` and written by this process, the store's only writer, one committed row each (see
    :mod:`pairing1d.lattice.store`): workers never touch the file, so a scan over many machines needs no shared
    filesystem locking, and a kill of anything loses only the runs not yet written. A run that raises (or whose worker
    dies) is recorded in the store's ``failures`` table with a one-line error and the scan goes on.

    ``budget_core_hours`` (default: the file's): no run is submitted once the solver time of the plan's stored runs
    reaches it. ``solver`` (default :func:`.solve.solve_sector`) is called as ``solver(params, sector, method,
    **options)`` and must return a :class:`~pairing1d.lattice.params.SectorResult`; for worker processes it must be
    picklable (a top-level function). ``progress`` shows a Rich progress bar; ``on_result`` is called in this process
    with each stored result.
    """
    start = time.perf_counter()
    solver = solve_sector if solver is None else solver
    if workers is not None and workers < 0:
        raise LatticeError(f"workers = {workers} is outside the allowed range [0, inf) (Dask worker processes)")
    if workers and scheduler is not None:
        raise LatticeError("give workers or a scheduler address, not both")
    if isinstance(config, ScanConfig):
        config = ScanFile([config])
    elif not isinstance(config, ScanFile):
        config = ScanFile(list(config))
    budget = config.budget_core_hours if budget_core_hours is None else budget_core_hours
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        raise LatticeError(f"budget_core_hours = {budget!r} is outside the allowed range (0, inf)")
    if solver is solve_sector:  # another solver (a test's) takes other options
        for scan in config.scans:
            scan.check_runs(f"scan {scan.name!r}")
    tasks, seen, priority = [], set(), {}
    for index, scan in enumerate(config.scans):
        for task in plan(scan):
            if task.key not in seen:
                seen.add(task.key)
                tasks.append(task)
                priority[task.key] = (index, -task.params.L)
    store_path = Path(store_path)
    with RunStore(store_path) as store:
        for scan in config.scans:
            store.put_config(scan.name, scan.to_dict())
        index = store.index()
        cost = {row["key"]: row["wall_time"] or 0.0 for row in index if row["key"] in seen}
        todo = sorted(missing(tasks, store), key=lambda t: priority[t.key])  # file order, longest chains first
        warm = _WarmStarts(index, store_path) if config.warm_start else None
        computed = failed = 0
        first_error: str | None = None

        def affordable() -> bool:
            return budget is None or math.fsum(cost.values()) < 3600.0 * budget

        def record(task: Task, result: SectorResult | None, error: BaseException | None) -> None:
            nonlocal computed, failed, first_error
            if error is None:
                store.put(task.key, result, task.options)
                cost[task.key] = result.wall_time or 0.0
                computed += 1
                if warm is not None:
                    warm.add(task.params, task.sector, task.method, task.key, result.convergence.get("state_sha256"))
                if on_result is not None:
                    on_result(result)
            else:
                message = _one_line(error)
                store.put_failure(task.key, task.params, task.sector, task.method, task.options, message)
                failed += 1
                first_error = message if first_error is None else first_error

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        label = config.scans[0].name if len(config.scans) == 1 else f"{len(config.scans)} scans"
        submitted = 0
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=not progress, transient=False) as bar:
            bar_task = bar.add_task(f"{label}: {len(tasks) - len(todo)} of {len(tasks)} runs already stored",
                                    total=len(todo))
            if todo and scheduler is None and not workers:
                for task in todo:
                    if not affordable():
                        break
                    submitted += 1
                    try:
                        result, error = _run_task(solver, task, warm.files(task) if warm else None), None
                    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, the scan goes on
                        result, error = None, exc
                    record(task, result, error)
                    bar.advance(bar_task)
            elif todo and affordable():  # no cluster is started when there is nothing to compute
                from dask.distributed import as_completed

                with _dask_client(workers, scheduler) as client:
                    queue = iter(todo)
                    in_flight = 2 * max(1, workers or len(client.scheduler_info().get("workers", {})) or 1)
                    futures: dict[Any, Task] = {}

                    def submit_next() -> Any:
                        nonlocal submitted
                        task = next(queue, None)
                        if task is None or not affordable():
                            return None
                        submitted += 1
                        future = client.submit(_run_task, solver, task, warm.files(task) if warm else None,
                                               pure=False)
                        futures[future] = task
                        return future

                    pending = as_completed([f for f in (submit_next() for _ in range(in_flight)) if f is not None])
                    for future in pending:
                        task = futures.pop(future)  # dropping the future lets the worker free the result
                        error = future.exception()
                        record(task, None if error is not None else future.result(), error)
                        bar.advance(bar_task)
                        new = submit_next()
                        if new is not None:
                            pending.add(new)
    spent = math.fsum(cost.values()) / 3600.0
    return ScanSummary(total=len(tasks), already_done=len(tasks) - len(todo), computed=computed, failed=failed,
                       wall_time=time.perf_counter() - start, cost_core_hours=spent, budget_core_hours=budget,
                       budget_reached=submitted < len(todo), first_error=first_error)
