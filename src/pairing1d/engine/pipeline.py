r"""The chunks of a sweep computed: packed, integrated by the batched engine, classified with the verdict ensemble and
handed to a writer, in-process or as Dask tasks; and the in-memory sweep built on it. Part of the sweep
(:mod:`pairing1d.engine.sweep`).

In-process, the chunks go through a pipeline of three threads: the next chunk is packed while this one's flows are
integrated (the kernel runs without the GIL) and the last one is classified and written, so that a 1024^2 store
takes little more than its kernel (``make bench``); an interruption lets the write in progress finish first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..support.errors import ModelError
from ..theory.model import Model, check_model
from .grid import (
    _DTYPES,
    _VARIABLE_ATTRS,
    RESULT_VARIABLES,
    Grid,
    _as_axes,
    _check_sweep_size,
    _chunk_points,
    _chunking,
    _shape_of,
    _short,
    _tolerances,
)

__all__: list[str] = []  # internal: the sweeps of sweep, store and netcdf run their chunks here


def _prepare_rows(grid: Grid, rows: slice) -> tuple[Any, np.ndarray]:
    """The packed rows of rows ``rows`` of the first axis, with every ensemble flow of each device
    (:func:`pairing1d.engine.ensemble_batch.pack_ensemble`), and their trion modes' K_f: all a chunk needs before its
    flows
    are integrated."""
    from .batch import trion_luttinger
    from .ensemble_batch import pack_ensemble

    values = grid.fields(rows)
    return pack_ensemble(values), trion_luttinger(values)


def _finish_rows(grid: Grid, rows: slice, prepared: tuple[Any, np.ndarray],
                 integrated: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Results of rows ``rows`` of the first axis from their integrated flows, as arrays shaped like that block."""
    from .ensemble_batch import classify_ensemble

    packed, kf = prepared
    verdicts = classify_ensemble(packed, *integrated, kf)
    shape = (len(range(*rows.indices(grid.shape[0]))), *grid.shape[1:])
    out = {name: np.asarray(getattr(verdicts.reported, name)).reshape(shape) for name in RESULT_VARIABLES
           if name not in ("certainty", "agreement")}
    out["certainty"] = verdicts.certainty.reshape(shape)
    out["agreement"] = verdicts.agreement.astype(np.float32).reshape(shape)
    return out


def _compute_rows(grid: Grid, rows: slice, rtol: float, atol: float) -> dict[str, np.ndarray]:
    """Results of rows ``rows`` of the first axis, as arrays shaped like that block of the grid
    (:func:`pairing1d.engine.ensemble_batch.run_ensemble`, in the three steps that an in-process sweep overlaps)."""
    from .batch import integrate_batch

    prepared = _prepare_rows(grid, rows)
    return _finish_rows(grid, rows, prepared, integrate_batch(prepared[0].params, rtol, atol))


def _dataset(grid: Grid, data: Mapping[str, Any]):
    import xarray as xr

    dims = list(grid.axes)
    coords: dict[str, Any] = {name: (name, values) for name, values in grid.axes.items()}
    if "exp_neg_lstar" in grid.axes:
        coords["lstar"] = ("exp_neg_lstar", grid.field_axis("exp_neg_lstar"))
    variables = {name: (dims, data[name], dict(_VARIABLE_ATTRS[name])) for name in RESULT_VARIABLES}
    return xr.Dataset(variables, coords=coords, attrs=grid.attrs())


def _sweep(model: Model, client: Any, chunk_points: int | None, rtol: float | None, atol: float | None,
           progress: Callable[[int, int], None] | None, axes: Mapping[str, Iterable],
           also: Callable[[Grid, slice, Mapping[str, np.ndarray], float, float], None] | None = None):
    """:func:`~pairing1d.engine.sweep.sweep`; with ``also``, each chunk's results also go to ``also(grid, rows, results,
    rtol, atol)`` on the writer thread (its results are then held twice: the memory check counts them so)."""
    check_model(model, "sweep")
    rtol, atol = _tolerances(rtol, atol)
    arrays = _as_axes(axes)
    chunk_points = _chunk_points(chunk_points, _shape_of(arrays))
    _check_sweep_size(_shape_of(arrays), chunk_points, copies=1 if also is None else 2)
    grid = Grid(model, arrays)
    blocks = _row_blocks(grid, chunk_points)
    data = {name: np.empty(grid.shape, dtype=_DTYPES[name]) for name in RESULT_VARIABLES}

    def write(i: int, block: Mapping[str, np.ndarray]) -> None:
        for name in RESULT_VARIABLES:
            data[name][blocks[i]] = block[name]
        if also is not None:
            also(grid, blocks[i], block, rtol, atol)

    _run_chunks(grid, blocks, list(range(len(blocks))), write, client, rtol, atol, progress, 0)
    ds = _dataset(grid, data)
    ds.attrs.update(rtol=rtol, atol=atol)
    return ds


@contextlib.contextmanager
def _progress(progress: Any, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """The chunk callback of ``progress``: the callable itself, None, or (``progress=True``) the update of a Rich
    progress bar on stderr, shown while the block runs and removed after it."""
    if progress is None or progress is False:
        yield None
        return
    if progress is not True:
        if not callable(progress):
            raise ModelError(f"progress = {_short(progress)} is neither True, False, None nor a callable "
                             "progress(done, total)")
        yield progress
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _run_chunks(
    grid: Grid, blocks: list[slice], todo: list[int], write: Callable[[int, Mapping[str, np.ndarray]], None],
    client: Any, rtol: float, atol: float, progress: Any, already: int,
) -> None:
    """Compute the chunks ``todo`` (in-process, or as Dask tasks on ``client``) and ``write`` each as it ends; if
    ``write`` fails, the Dask tasks not yet finished are cancelled. ``progress``: see :func:`_progress`."""
    with _progress(progress, "sweep") as callback:
        _run_chunks_reporting(grid, blocks, todo, write, client, rtol, atol, callback, already)


def _run_chunks_reporting(
    grid: Grid, blocks: list[slice], todo: list[int], write: Callable[[int, Mapping[str, np.ndarray]], None],
    client: Any, rtol: float, atol: float, progress: Callable[[int, int], None] | None, already: int,
) -> None:
    finished = already
    if progress is not None:
        progress(finished, len(blocks))
    if client is None:
        from .batch import integrate_batch

        # the chunks in flight, each step on its own thread: the next chunks are packed while this one's flows are
        # integrated, and the ones before are classified and written meanwhile. The kernel runs without the GIL,
        # and Zarr's and HDF5's calls mostly wait (I/O, Zarr's event loop), so that packing, classifying and writing
        # a 1024^2 store (2.2 s of 16 chunks, one after another) fill the cores' idle moments instead of adding to
        # the kernel's time. Two writes may wait, so that a slow one (the first, which encodes a NetCDF file) does
        # not hold up the flows; at most five chunks' data are held. After a failed write nothing more is written,
        # and the sweep stops before the next chunk but one is handed over; an interruption first lets the writes
        # handed over finish (the executors' exit), so that no chunk whose flows were integrated before it is lost
        with ThreadPoolExecutor(1, "pairing1d-prepare") as preparer, ThreadPoolExecutor(1, "pairing1d-write") as writer:
            broken: list[BaseException] = []  # the failure of a write: the writes queued after it write nothing

            def finish_and_write(i: int, prepared: tuple, integrated: tuple) -> None:
                if broken:
                    raise broken[0]
                try:
                    write(i, _finish_rows(grid, blocks[i], prepared, integrated))
                except BaseException as exc:
                    broken.append(exc)
                    raise

            def collect(future) -> None:
                nonlocal finished
                future.result()  # a failed write raises here
                finished += 1
                if progress is not None:
                    progress(finished, len(blocks))

            # packed two chunks ahead: a write that holds the GIL for a while (encoding a NetCDF file) delays a
            # packing without holding up the flows
            upcoming = [preparer.submit(_prepare_rows, grid, blocks[i]) for i in todo[:2]]
            pending: list = []
            for k, i in enumerate(todo):
                prepared = upcoming.pop(0).result()
                if k + 2 < len(todo):
                    upcoming.append(preparer.submit(_prepare_rows, grid, blocks[todo[k + 2]]))
                integrated = integrate_batch(prepared[0].params, rtol, atol)
                if len(pending) == 2:
                    collect(pending.pop(0))
                pending.append(writer.submit(finish_and_write, i, prepared, integrated))
            for future in pending:
                collect(future)
        return
    from dask.distributed import as_completed

    [grid_future] = client.scatter([grid], broadcast=True)
    futures = {client.submit(_compute_rows, grid_future, blocks[i], rtol, atol, pure=False): i for i in todo}
    try:
        for future in as_completed(futures):
            write(futures[future], future.result())
            finished += 1
            if progress is not None:
                progress(finished, len(blocks))
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        raise


def _row_blocks(grid: Grid, chunk_points: int) -> list[slice]:
    rows_per_chunk, n_chunks = _chunking(grid.shape, chunk_points)
    return [slice(i * rows_per_chunk, min((i + 1) * rows_per_chunk, grid.shape[0])) for i in range(n_chunks)]
