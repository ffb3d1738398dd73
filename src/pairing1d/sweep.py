"""Phase diagrams: grids of devices -> labelled ``xarray.Dataset``; chunked, resumable, optionally on Dask.

``sweep(model, lstar=..., y0=...)`` integrates every point of the grid spanned by the given axes (any
:class:`~pairing1d.model.Model` field, plus ``exp_neg_lstar`` = exp(-lstar), the abscissa of Fig. 4) with the
batched engine, and returns a Dataset with one dimension per axis, in the order given:

* ``phase``: int8, CF flags: 0 decoupled, 1 paired, 2 trion, 3 triplet;
* ``controlled``: int8, CF flags: 1 if the verdict stays inside the perturbative range (0: it rests on a coupling
  beyond y_strong outside the trion rule);
* ``l_bar``: RG time where ys = -1 (inf: not reached before lmax);
* ``l_bbar``: RG time where ``|y1| = y_strong`` (inf: never);
* ``l_runaway``: RG time where ys = +1, the triplet / SDW_z spin gap (inf: never);
* ``spin_gap``: exp(-min(l_bar, l_runaway)) in units of the bandwidth (0: no spin gap above exp(-lmax));
* ``trion_scale``: exp(-l_bbar) c1(l_bbar) (exp(-l_bbar) in the cic scheme) in the trion phase, 0 elsewhere;
* ``dominant_order``: int8, CF flags: 0 none, 1 CDW, 2 SC, 3 SDW, 4 TS.

Attributes hold every fixed parameter, the cutoff scheme and the package version.

``sweep_to_store`` does the same chunk by chunk into a Zarr store, each chunk written (and marked done) as
soon as it is computed, in-process or as Dask tasks; with ``resume=True`` only chunks not marked done are
computed, so an interrupted sweep loses at most the chunks in flight.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .model import Model, ModelError
from .phases import PHASES

__all__ = [
    "sweep", "sweep_to_store", "open_sweep", "Grid", "SweepReport", "AXIS_ALIASES", "RESULT_VARIABLES",
    "axis_field_values",
]

AXIS_ALIASES = {"exp_neg_lstar": "lstar"}
"""Axes that are not Model fields, and the field each one sets (exp_neg_lstar = exp(-lstar), Fig. 4)."""

RESULT_VARIABLES = ("phase", "controlled", "l_bar", "l_bbar", "l_runaway", "spin_gap", "trion_scale",
                    "dominant_order")
"""The variables every sweep dataset holds per device (module docstring)."""
ORDERS = ("none", "CDW", "SC", "SDW", "TS")

_VARIABLE_ATTRS = {
    "phase": {"long_name": "phase", "flag_values": np.arange(len(PHASES), dtype=np.int8),
              "flag_meanings": " ".join(PHASES)},
    "controlled": {"long_name": "verdict inside the perturbative range", "flag_values": np.array([0, 1], np.int8),
                   "flag_meanings": "uncontrolled controlled"},
    "l_bar": {"long_name": "RG time where ys reaches -1 (inf: not before lmax)", "units": "1"},
    "l_bbar": {"long_name": "RG time where |y1| reaches y_strong (inf: never)", "units": "1"},
    "l_runaway": {"long_name": "RG time where ys reaches +1, triplet / SDW_z spin gap (inf: never)", "units": "1"},
    "spin_gap": {"long_name": "spin gap exp(-l_gap), either kind (0: none above exp(-lmax))",
                 "units": "bandwidth Lambda"},
    "trion_scale": {"long_name": "trion scale exp(-l_bbar) c1(l_bbar) (0: not a trion)", "units": "bandwidth Lambda"},
    "dominant_order": {"long_name": "dominant order (spin-gapped phases: the exponents of the density wave and of "
                       "the pairs; trion phase: Kf vs 3)",
                       "flag_values": np.arange(len(ORDERS), dtype=np.int8), "flag_meanings": " ".join(ORDERS)},
}


def axis_field_values(name: str, values: np.ndarray) -> np.ndarray:
    """Values of the Model field set by axis ``name`` (exp_neg_lstar -> lstar = -ln; 0 -> inf, commensurate)."""
    if name == "exp_neg_lstar":
        if np.any(values < 0):
            raise ModelError(f"exp_neg_lstar = {float(values.min())!r} is outside the allowed range [0, inf) "
                             "(exp(-lstar), Eq. (15))")
        with np.errstate(divide="ignore"):
            return -np.log(values)  # 0 -> lstar = inf: commensurate
    return values


@dataclass(frozen=True)
class Grid:
    """A validated grid: the base model, the axes (name -> 1-D values) in order, and its shape."""

    model: Model
    axes: dict[str, np.ndarray]
    shape: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        fields = set(Model.field_names())
        if not self.axes:
            raise ModelError("a sweep needs at least one axis (a Model field or exp_neg_lstar)")
        for name, values in self.axes.items():
            target = AXIS_ALIASES.get(name, name)
            if target not in fields:
                raise ModelError(f"unknown axis {name!r} (allowed: {', '.join(sorted(fields | set(AXIS_ALIASES)))})")
            if values.ndim != 1 or values.size < 1:
                raise ModelError(f"axis {name!r} needs at least one value")
        targets = [AXIS_ALIASES.get(n, n) for n in self.axes]
        if len(set(targets)) != len(targets):
            raise ModelError(f"axes {list(self.axes)} set the same parameter twice")
        object.__setattr__(self, "shape", tuple(v.size for v in self.axes.values()))
        self._validate()

    def _validate(self) -> None:
        """Each axis value on its own, then every corner of the grid: Model's own checks, applied exactly.

        All constraints between parameters (|u_ratio*upsilon| < 1, |y0| < y_strong, lmax vs temperature) are
        monotone in each |parameter|, so a grid is valid iff its values and its corners are.
        """
        corners = []
        for name in self.axes:
            target, converted = AXIS_ALIASES.get(name, name), self.field_axis(name)
            for value in converted.tolist():
                self.model.replace(**{target: value})
            if converted.dtype.kind == "f":
                order = np.argsort(np.abs(converted), kind="stable")
                ends = {int(np.argmin(converted)), int(np.argmax(converted)), int(order[0]), int(order[-1])}
                corners.append([(target, converted[i].item()) for i in sorted(ends)])
            else:
                corners.append([(target, v) for v in converted.tolist()])
        for combo in itertools.product(*corners):
            self.model.replace(**dict(combo))

    def field_axis(self, name: str) -> np.ndarray:
        return axis_field_values(name, self.axes[name])

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def fields(self, rows: slice = slice(None)) -> dict[str, np.ndarray]:
        """Flattened arrays of every packed Model field over the grid, restricted to ``rows`` of the first axis."""
        from .flow_equations import PACKED_FIELDS

        names = list(self.axes)
        first = np.arange(self.shape[0])[rows]
        sub_shape = (first.size, *self.shape[1:])
        base = self.model
        out: dict[str, np.ndarray] = {}
        swept = {AXIS_ALIASES.get(n, n): (i, self.field_axis(n)) for i, n in enumerate(names)}
        for name in PACKED_FIELDS:
            if name in swept:
                dim, values = swept[name]
                if dim == 0:
                    values = values[rows]
                shape = [1] * len(sub_shape)
                shape[dim] = values.size
                out[name] = np.broadcast_to(values.reshape(shape), sub_shape).ravel()
            else:
                out[name] = np.full(int(np.prod(sub_shape)), getattr(base, name))
        if "temperature" in swept:  # the temperature sets lmax = ln(Lambda/T)
            dim, values = swept["temperature"]
            if dim == 0:
                values = values[rows]
            shape = [1] * len(sub_shape)
            shape[dim] = values.size
            out["lmax"] = np.broadcast_to(-np.log(values.astype(float)).reshape(shape), sub_shape).ravel()
        return out

    def fingerprint(self, rtol: float, atol: float, n_chunks: int) -> str:
        """A hash of everything that determines the store's content: axes, fixed parameters, tolerances."""
        import hashlib
        import json

        payload = {
            "axes": {name: values.tolist() for name, values in self.axes.items()},
            "attrs": self.attrs(), "rtol": rtol, "atol": atol, "n_chunks": n_chunks,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def attrs(self) -> dict[str, Any]:
        """Fixed parameters, scheme and version as NetCDF/Zarr-safe attributes (inf and None as strings)."""
        from . import __version__

        swept = {AXIS_ALIASES.get(n, n) for n in self.axes}
        if "temperature" in swept:
            swept.add("lmax")
        if "lmax" in swept:
            swept.add("temperature")
        # derived from a swept parameter: not fixed
        if swept & {"upsilon", "u_ratio", "Kc0", "K0", "upsilon_theta", "flow"}:
            swept |= {"Q", "Kc_tilde0", "K_tilde0", "upsilon_theta_eff"}
        if swept & {"su2", "theta", "y0", "y2"}:
            swept.add("su2_enforced")
        attrs: dict[str, Any] = {}
        for name, value in self.model.to_dict().items():
            if name in swept:
                continue
            if isinstance(value, bool):
                value = int(value)
            elif value is None or (isinstance(value, float) and not math.isfinite(value)):
                value = str(value).lower()
            attrs[name] = value
        attrs.update(
            swept_axes=" ".join(self.axes), pairing1d_version=__version__,
            title="pairing1d phase diagram (Shavit & Oreg, PRR 2, 043283, Eq. 16)",
            conventions="phase and dominant_order are CF flag variables; inf marks an RG event not reached",
        )
        return attrs


def _compute_rows(grid: Grid, rows: slice, rtol: float, atol: float) -> dict[str, np.ndarray]:
    """Results of rows ``rows`` of the first axis, as arrays shaped like that block of the grid."""
    from .engine import run_fields

    result = run_fields(grid.fields(rows), rtol, atol)
    shape = (len(range(*rows.indices(grid.shape[0]))), *grid.shape[1:])
    return {name: np.asarray(getattr(result, name)).reshape(shape) for name in RESULT_VARIABLES}


def _dataset(grid: Grid, data: Mapping[str, np.ndarray]):
    import xarray as xr

    dims = list(grid.axes)
    coords: dict[str, Any] = {name: (name, values) for name, values in grid.axes.items()}
    if "exp_neg_lstar" in grid.axes:
        coords["lstar"] = ("exp_neg_lstar", grid.field_axis("exp_neg_lstar"))
    variables = {name: (dims, data[name], dict(_VARIABLE_ATTRS[name])) for name in RESULT_VARIABLES}
    return xr.Dataset(variables, coords=coords, attrs=grid.attrs())


def _as_axes(axes: Mapping[str, Iterable]) -> dict[str, np.ndarray]:
    out = {}
    for name, values in axes.items():
        array = np.atleast_1d(np.asarray(values))
        if array.dtype.kind in "iu":
            array = array.astype(float)
        out[name] = array
    return out


def sweep(
    model: Model, *, client: Any = None, chunk_points: int = 65536, rtol: float | None = None,
    atol: float | None = None, progress: Callable[[int, int], None] | None = None, **axes: Iterable,
):
    """Phase diagram of ``model`` over the grid of ``axes`` (name -> values): an ``xarray.Dataset``.

    Chunks of about ``chunk_points`` points run in-process or, with a ``dask.distributed.Client``, as Dask
    tasks; ``progress(done, total)`` is called after each chunk.
    """
    from .engine import DEFAULT_ATOL, DEFAULT_RTOL

    grid = Grid(model, _as_axes(axes))
    rtol, atol = rtol or DEFAULT_RTOL, atol or DEFAULT_ATOL
    blocks = _row_blocks(grid, chunk_points)
    data = {name: np.empty(grid.shape, dtype=_dtype(name)) for name in RESULT_VARIABLES}

    def write(i: int, block: Mapping[str, np.ndarray]) -> None:
        for name in RESULT_VARIABLES:
            data[name][blocks[i]] = block[name]

    _run_chunks(grid, blocks, list(range(len(blocks))), write, client, rtol, atol, progress, 0)
    ds = _dataset(grid, data)
    ds.attrs.update(rtol=rtol, atol=atol)
    return ds


def _dtype(name: str):
    return np.int8 if name in ("phase", "dominant_order", "controlled") else np.float64


def _run_chunks(
    grid: Grid, blocks: list[slice], todo: list[int], write: Callable[[int, Mapping[str, np.ndarray]], None],
    client: Any, rtol: float, atol: float, progress: Callable[[int, int], None] | None, already: int,
) -> None:
    """Compute the chunks ``todo`` (in-process, or as Dask tasks on ``client``) and ``write`` each as it ends."""
    finished = already
    if progress is not None:
        progress(finished, len(blocks))
    if client is None:
        for i in todo:
            write(i, _compute_rows(grid, blocks[i], rtol, atol))
            finished += 1
            if progress is not None:
                progress(finished, len(blocks))
        return
    from dask.distributed import as_completed

    [grid_future] = client.scatter([grid], broadcast=True)
    futures = {client.submit(_compute_rows, grid_future, blocks[i], rtol, atol, pure=False): i for i in todo}
    for future in as_completed(futures):
        write(futures[future], future.result())
        finished += 1
        if progress is not None:
            progress(finished, len(blocks))


def _row_blocks(grid: Grid, chunk_points: int) -> list[slice]:
    row_points = int(np.prod(grid.shape[1:])) if len(grid.shape) > 1 else 1
    rows_per_chunk = max(1, chunk_points // row_points)
    return [slice(i, min(i + rows_per_chunk, grid.shape[0])) for i in range(0, grid.shape[0], rows_per_chunk)]


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep_to_store` did: the store, and which chunks it computed and which it found done."""

    store: Path
    n_chunks: int
    computed: list[int]
    skipped: list[int]


def sweep_to_store(
    model: Model, store: str | Path, *, resume: bool = False, client: Any = None, chunk_points: int = 4096,
    rtol: float | None = None, atol: float | None = None, progress: Callable[[int, int], None] | None = None,
    **axes: Iterable,
) -> SweepReport:
    """Compute the sweep chunk by chunk into the Zarr store ``store``, writing each chunk as it finishes.

    A chunk is a block of rows of the first axis. ``client`` (a ``dask.distributed.Client``) runs the chunks
    as Dask tasks; without it they run in-process. Each finished chunk is written, then marked done in the
    store's ``chunk_done`` variable, so ``resume=True`` on an interrupted store computes only what is missing
    (the grid and parameters must be the same: they are checked). Without ``resume`` an existing store is an
    error rather than silently overwritten.
    """
    import zarr

    from .engine import DEFAULT_ATOL, DEFAULT_RTOL

    grid = Grid(model, _as_axes(axes))
    rtol, atol = rtol or DEFAULT_RTOL, atol or DEFAULT_ATOL
    store = Path(store)
    blocks = _row_blocks(grid, chunk_points)
    rows_per_chunk = blocks[0].stop - blocks[0].start
    if store.exists():
        if not resume:
            raise ModelError(f"store {str(store)!r} exists; pass resume=True (--resume) to complete it")
        _check_same_sweep(store, grid, rtol, atol, len(blocks))
    else:
        _create_store(store, grid, rtol, atol, rows_per_chunk, len(blocks))
    group = zarr.open_group(str(store), mode="r+")
    done = group["chunk_done"][:]
    todo = [i for i in range(len(blocks)) if not done[i]]
    skipped = [i for i in range(len(blocks)) if done[i]]

    def write(i: int, data: Mapping[str, np.ndarray]) -> None:
        rows = blocks[i]
        for name in RESULT_VARIABLES:
            group[name][rows] = data[name]
        group["chunk_done"][i] = 1  # only after the data: a kill in between recomputes the chunk

    _run_chunks(grid, blocks, todo, write, client, rtol, atol, progress, len(skipped))
    return SweepReport(store=store, n_chunks=len(blocks), computed=todo, skipped=skipped)


def _create_store(store: Path, grid: Grid, rtol: float, atol: float, rows_per_chunk: int, n_chunks: int) -> None:
    import xarray as xr

    empty = {name: np.zeros(grid.shape, dtype=_dtype(name)) for name in RESULT_VARIABLES}
    ds = _dataset(grid, empty)
    ds["chunk_done"] = xr.DataArray(np.zeros(n_chunks, dtype=np.int8), dims="chunk",
                                    attrs={"long_name": "1 where the chunk's results are written"})
    ds.attrs.update(rtol=rtol, atol=atol, rows_per_chunk=rows_per_chunk,
                    sweep_fingerprint=grid.fingerprint(rtol, atol, n_chunks))
    encoding = {name: {"chunks": (rows_per_chunk, *grid.shape[1:])} for name in RESULT_VARIABLES}
    encoding["chunk_done"] = {"chunks": (1,)}  # one object per flag: concurrent-safe, kill-safe
    for name in RESULT_VARIABLES:
        encoding[name]["fill_value"] = None
    ds.to_zarr(str(store), mode="w-", encoding=encoding, consolidated=False)


def _check_same_sweep(store: Path, grid: Grid, rtol: float, atol: float, n_chunks: int) -> None:
    import xarray as xr

    try:
        old = xr.open_zarr(str(store), consolidated=False)
    except Exception as exc:  # noqa: BLE001 - any failure to read means it is not our store
        raise ModelError(f"store {str(store)!r} is not a pairing1d sweep store ({exc})") from None
    same = old.attrs.get("sweep_fingerprint") == grid.fingerprint(rtol, atol, n_chunks)
    if not same:
        raise ModelError(f"store {str(store)!r} holds a different sweep (axes, parameters or chunking differ); "
                         "use a new store")


def open_sweep(store: str | Path, *, allow_incomplete: bool = False):
    """The Dataset of a finished sweep store (``chunk_done`` dropped); an error if chunks are missing."""
    import xarray as xr

    ds = xr.open_zarr(str(store), consolidated=False)
    missing = int((ds["chunk_done"] == 0).sum())
    if missing and not allow_incomplete:
        raise ModelError(f"store {str(store)!r} is incomplete: {missing} of {ds.sizes['chunk']} chunks missing "
                         "(run the same sweep again with --resume)")
    return ds.drop_vars("chunk_done").load()


class _LocalClient:
    """A Dask client on a fresh local cluster of ``workers`` single-threaded processes, closed on exit."""

    def __init__(self, workers: int):
        from dask.distributed import Client, LocalCluster

        self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    dashboard_address=None, host="127.0.0.1")
        self.client = Client(self.cluster)

    def close(self) -> None:
        """Close the client, then the cluster. Workers still heartbeating while the scheduler goes away make
        ``distributed`` log CommClosedError tracebacks that mean nothing once the work is stored: its loggers are
        quietened for the shutdown only."""
        import logging

        loggers = [logging.getLogger(name) for name in ("distributed", "distributed.core", "distributed.worker",
                                                          "distributed.nanny", "distributed.scheduler")]
        levels = [lg.level for lg in loggers]
        for lg in loggers:
            lg.setLevel(logging.CRITICAL)
        try:
            self.client.close()
            self.cluster.close()
        finally:
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)


def dask_client(workers: int | None = None, scheduler: str | None = None):
    """A context manager yielding a ``dask.distributed.Client``: on a new local cluster of ``workers``
    processes, or connected to a running ``scheduler`` address; ``None`` for neither (in-process)."""
    import contextlib

    @contextlib.contextmanager
    def manager():
        if workers is not None and scheduler is not None:
            raise ModelError("give --workers or --scheduler, not both")
        if scheduler is not None:
            from dask.distributed import Client

            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ModelError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
            try:
                yield client
            finally:
                client.close()
        elif workers is not None:
            if workers < 1:
                raise ModelError(f"workers = {workers} is outside the allowed range [1, inf) (Dask workers)")
            local = _LocalClient(workers)
            try:
                yield local.client
            finally:
                local.close()
        else:
            yield None

    return manager()
