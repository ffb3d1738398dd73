"""Phase diagrams: grids of devices -> labelled ``xarray.Dataset``; chunked, resumable, optionally on Dask.

``sweep(model, lstar=..., y0=...)`` integrates every point of the grid spanned by the given axes (any
:class:`~pairing1d.theory.model.Model` field, plus ``exp_neg_lstar`` = exp(-lstar), the abscissa of Fig. 4) with the
batched engine, and returns a Dataset with one dimension per axis, in the order given:

* ``phase``: int8, CF flags: 0 decoupled, 1 paired, 2 trion, 3 triplet, 4 undetermined (the strong-coupling step
  cannot decide);
* ``certainty``: int8, CF flags: 0 robust, 1 leaning, 2 undetermined: how many members of the verdict ensemble
  (:mod:`pairing1d.theory.ensemble`: every defensible regulator, strong-coupling threshold, velocity convention and
  truncation) give the reported phase;
* ``agreement``: float32, the fraction of the ensemble's members that give it;
* ``controlled``: int8, CF flags: 1 if the verdict stays inside the perturbative range (0: it rests on a coupling
  beyond y_strong outside the trion rule, or the strong-coupling step cannot decide);
* ``l_bar``: RG time where ys = -1 (inf: not reached before lmax);
* ``l_bbar``: RG time where ``|y1| = y_strong`` (inf: not reached);
* ``l_runaway``: RG time where ys = +1, the triplet / SDW_z spin gap (inf: not reached);
* ``spin_gap``: the spin sector's scale in units of the bandwidth: the gap of a paired or triplet verdict (after a
  hand-over, the one with the vertex dropped there), the trion scale in the trion phase (0: none above exp(-lmax));
* ``trion_scale``: exp(-l_bbar) c1(l_bbar) (exp(-l_bbar) in the cic scheme) in the trion phase, 0 elsewhere;
* ``dominant_order``: int8, CF flags: 0 none, 1 CDW, 2 SC, 3 SDW, 4 TS;
* ``status``: int8, CF flags: 0 the flow reached its end, else how it failed
  (:data:`pairing1d.theory.flow_equations.FAILURES`; the verdict is then not controlled unless a trion).

Attributes hold every fixed parameter, the cutoff scheme and the package version.

:func:`~pairing1d.engine.store.sweep_to_store` does the same chunk by chunk into a Zarr store, each chunk written (and
marked done) as soon as it is computed, in-process or as Dask tasks; with ``resume=True`` only chunks not marked done
(or whose data fail their checksum) are computed, so an interrupted sweep loses at most the chunks in flight.

Limits (one-line :class:`~pairing1d.support.errors.ModelError` before anything is computed): ``rtol`` in [1e-14, 0.1]
and ``atol`` in [1e-300, 0.1]; an in-memory ``sweep`` holds at most :data:`~pairing1d.engine.grid.MAX_SWEEP_POINTS`
points and no more than the memory available (:data:`~pairing1d.engine.grid.RESULT_BYTES_PER_POINT` per point of
results plus :data:`~pairing1d.engine.grid.WORK_BYTES_PER_POINT` per point of a chunk, for the chunks in flight); a
store holds at most :data:`~pairing1d.engine.grid.MAX_STORE_POINTS` points in at most
:data:`~pairing1d.engine.grid.MAX_STORE_CHUNKS` chunks, and one chunk (whole rows of the first axis) must fit in the
memory available.

The sweep is split into its ideas: the grid, its result variables and the size limits (:mod:`pairing1d.engine.grid`),
the in-process pipeline of chunks, or Dask tasks (:mod:`pairing1d.engine.pipeline`), the Zarr store with its checksums
(:mod:`pairing1d.engine.store`) and its writer's lock (:mod:`pairing1d.engine.store_lock`), and NetCDF files written
while the chunks are computed (:mod:`pairing1d.engine.netcdf`). This module holds :func:`~pairing1d.engine.sweep.sweep`
and :func:`dask_client`, and gives every public name of those modules (``from pairing1d.engine.sweep import ...``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from ..support.errors import ModelError, StoreError, StoreLockedError, StoreWriteError
from ..theory.model import Model
from .grid import (
    AXIS_ALIASES,
    MAX_STORE_CHUNKS,
    MAX_STORE_POINTS,
    MAX_SWEEP_POINTS,
    RESULT_VARIABLES,
    Grid,
    axis_field_values,
    check_grid_size,
)
from .netcdf import save_netcdf, sweep_to_netcdf
from .pipeline import _sweep
from .store import SweepReport, chunk_checksum, open_sweep, sweep_to_store

__all__ = [
    "sweep", "sweep_to_store", "sweep_to_netcdf", "open_sweep", "save_netcdf", "chunk_checksum", "Grid", "SweepReport",
    "StoreError", "StoreLockedError", "StoreWriteError", "AXIS_ALIASES", "RESULT_VARIABLES", "axis_field_values",
    "MAX_SWEEP_POINTS", "MAX_STORE_POINTS", "MAX_STORE_CHUNKS", "check_grid_size",
]


def sweep(
    model: Model, *, client: Any = None, chunk_points: int | None = None, rtol: float | None = None,
    atol: float | None = None, progress: Callable[[int, int], None] | bool | None = None, **axes: Iterable,
):
    """Phase diagram of ``model`` over the grid of ``axes`` (name -> values): an ``xarray.Dataset``.

    Chunks of about ``chunk_points`` points (None: :func:`~pairing1d.engine.grid.default_chunk_points`) run in-process
    or, with a ``dask.distributed.Client``, as Dask tasks; ``progress(done, total)`` is called after each chunk
    (``progress=True``: a Rich progress bar on stderr). ``rtol`` / ``atol`` (None: the engine's defaults) must lie in
    :data:`pairing1d.theory.model.RTOL_RANGE` / :data:`pairing1d.theory.model.ATOL_RANGE`, and the grid must fit in
    memory (at most :data:`~pairing1d.engine.grid.MAX_SWEEP_POINTS` points): otherwise a one-line ModelError is raised
    before anything is computed.
    """
    return _sweep(model, client, chunk_points, rtol, atol, progress, axes)


def dask_client(workers: int | None = None, scheduler: str | None = None):
    """A context manager yielding a ``dask.distributed.Client``: on a new local cluster of ``workers``
    processes, or connected to a running ``scheduler`` address; ``None`` for neither (in-process)."""

    @contextlib.contextmanager
    def manager():
        if workers is not None and scheduler is not None:
            raise ModelError("give --workers or --scheduler, not both")
        if scheduler is not None:
            from ..support.dask_cluster import remote_client

            with remote_client(scheduler) as client:
                yield client
        elif workers is not None:
            if workers < 1:
                raise ModelError(f"workers = {workers} is outside the allowed range [1, inf) (Dask workers)")
            from ..support.dask_cluster import local_client

            with local_client(workers) as client:
                yield client
        else:
            yield None

    return manager()
