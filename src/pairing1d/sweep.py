"""Phase diagrams: grids of devices -> labelled ``xarray.Dataset``; chunked, resumable, optionally on Dask.

``sweep(model, lstar=..., y0=...)`` integrates every point of the grid spanned by the given axes (any
:class:`~pairing1d.model.Model` field, plus ``exp_neg_lstar`` = exp(-lstar), the abscissa of Fig. 4) with the
batched engine, and returns a Dataset with one dimension per axis, in the order given:

* ``phase``: int8, CF flags: 0 decoupled, 1 paired, 2 trion, 3 triplet, 4 undetermined (the strong-coupling step
  cannot decide);
* ``certainty``: int8, CF flags: 0 robust, 1 leaning, 2 undetermined: how many members of the verdict ensemble
  (:mod:`pairing1d.ensemble`: every defensible regulator, strong-coupling threshold, velocity convention and
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
  (:data:`pairing1d.flow_equations.FAILURES`; the verdict is then not controlled unless a trion).

Attributes hold every fixed parameter, the cutoff scheme and the package version.

``sweep_to_store`` does the same chunk by chunk into a Zarr store, each chunk written (and marked done) as
soon as it is computed, in-process or as Dask tasks; with ``resume=True`` only chunks not marked done (or whose
data fail their checksum) are computed, so an interrupted sweep loses at most the chunks in flight.

In-process, the chunks go through a pipeline of three threads: the next chunk is packed while this one's flows are
integrated (the kernel runs without the GIL) and the last one is classified and written, so that a 1024^2 store
takes little more than its kernel (``make bench``); an interruption lets the write in progress finish first.

Limits (one-line :class:`~pairing1d.model.ModelError` before anything is computed): ``rtol`` in [1e-14, 0.1] and
``atol`` in [1e-300, 0.1]; an in-memory ``sweep`` holds at most :data:`MAX_SWEEP_POINTS` points and no more than
the memory available (:data:`RESULT_BYTES_PER_POINT` per point of results plus
:data:`WORK_BYTES_PER_POINT` per point of a chunk, for the chunks in flight); a store
holds at most :data:`MAX_STORE_POINTS` points in at most :data:`MAX_STORE_CHUNKS` chunks, and one chunk (whole rows
of the first axis) must fit in the memory available.

Store format (attribute ``pairing1d_store_format`` = 2)
-------------------------------------------------------
A Zarr group (written through xarray) with the variables above, chunked in blocks of ``rows_per_chunk`` (an
attribute) rows of the first axis, chunk ``i`` holding rows ``[i * rows_per_chunk, (i + 1) * rows_per_chunk)``,
the attributes of a sweep plus ``rtol``, ``atol`` and ``sweep_fingerprint`` (a SHA-256 of the axes, the fixed
parameters, the tolerances and the chunk count), and the completion record of each chunk:

* ``chunk_done[i]`` (int8): 1 once chunk ``i`` is written;
* ``chunk_checksum[i]`` (uint64): the checksum of chunk ``i`` as written: the 8-byte BLAKE2b digest, read as a
  little-endian integer, of, for each variable in :data:`RESULT_VARIABLES` order, its name, its block's shape and
  its values in C order as little-endian numbers of the store's dtype (:func:`chunk_checksum`).

Both are arrays of one-element chunks, one object per chunk. A chunk is written data first, then its checksum,
then its flag, so that a writer killed at any moment leaves every chunk either marked done with a matching
checksum or not marked done. ``resume=True`` reads back every chunk marked done (the store is read once, in
batches of consecutive chunks: I/O-bound, far cheaper than computing it), recomputes those whose values
no longer match their checksum or cannot be read or decoded (a deleted, overwritten or damaged chunk object), and
says how many (:attr:`SweepReport.recomputed_corrupt`); :func:`open_sweep` does the same check and refuses a
damaged store in one line rather than returning its NaNs or wrong values.

Creation is atomic: the store is made complete (metadata, coordinates, empty completion records and the
creator's lock) under the name ``.NAME.creating-HOST-PID-NONCE`` in the same folder and then renamed to ``NAME``,
so that a kill at any moment leaves either no store or a resumable one; a leftover temporary of a creator that
is no longer running on this host is removed by the next creation of the same store.

The writer's lock is the file ``chunk_done/lock.json`` (inside the completion records' folder, where Zarr never
looks, so that a plain ``xarray.open_zarr`` sees nothing foreign): JSON with the holder's ``pid``, ``host``,
``started`` (UTC, ISO 8601), a random ``nonce`` and the ``program``. It is created exclusively (a hard link of a
complete file) and removed by its holder when the sweep ends, finished or not. A second writer is refused with a
one-line :class:`StoreLockedError` naming the holder; a lock whose holder is not running on this host is stale,
taken over and reported (:attr:`SweepReport.stale_lock`); a lock from another host cannot be checked and is
refused (delete the file by hand if that writer is gone). The lock is advisory: it keeps two ``pairing1d``
writers from computing the same chunks; readers (:func:`open_sweep`) ignore it. Two writers taking over the same
stale lock at the same instant are told apart by re-reading the lock they moved aside; a pid reused by an unrelated
process makes a stale lock look live (the message says which file to delete).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import json
import math
import numbers
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .ensemble import CERTAINTIES
from .environment import provenance_json
from .files import WriteError
from .model import Model, ModelError, check_model, check_tolerances
from .phases import PHASES

__all__ = [
    "sweep", "sweep_to_store", "sweep_to_netcdf", "open_sweep", "save_netcdf", "chunk_checksum", "Grid", "SweepReport",
    "StoreError", "StoreLockedError", "StoreWriteError", "AXIS_ALIASES", "RESULT_VARIABLES", "axis_field_values",
    "MAX_SWEEP_POINTS", "MAX_STORE_POINTS", "MAX_STORE_CHUNKS", "check_grid_size",
]
AXIS_ALIASES = {"exp_neg_lstar": "lstar"}
"""Axes that are not Model fields, and the field each one sets (exp_neg_lstar = exp(-lstar), Fig. 4)."""

RESULT_VARIABLES = ("phase", "certainty", "agreement", "controlled", "l_bar", "l_bbar", "l_runaway", "spin_gap",
                    "trion_scale", "dominant_order", "status")
"""The variables every sweep dataset holds per device (module docstring)."""
ORDERS = ("none", "CDW", "SC", "SDW", "TS")

_VARIABLE_ATTRS = {
    "phase": {"long_name": "phase", "flag_values": np.arange(len(PHASES), dtype=np.int8),
              "flag_meanings": " ".join(PHASES)},
    "certainty": {"long_name": "certainty of the phase under the verdict ensemble (pairing1d.ensemble)",
                  "flag_values": np.arange(len(CERTAINTIES), dtype=np.int8), "flag_meanings": " ".join(CERTAINTIES)},
    "agreement": {"long_name": "fraction of the verdict ensemble's members that give the phase", "units": "1"},
    "controlled": {"long_name": "verdict inside the perturbative range", "flag_values": np.array([0, 1], np.int8),
                   "flag_meanings": "uncontrolled controlled"},
    "l_bar": {"long_name": "RG time where ys reaches -1 (inf: not reached)", "units": "1"},
    "l_bbar": {"long_name": "RG time where |y1| reaches y_strong (inf: not reached)", "units": "1"},
    "l_runaway": {"long_name": "RG time where ys reaches +1, triplet / SDW_z spin gap (inf: not reached)",
                  "units": "1"},
    "spin_gap": {"long_name": "scale of the spin sector: the spin gap (either kind), the trion scale in the trion "
                 "phase (0: none above exp(-lmax))", "units": "bandwidth Lambda"},
    "trion_scale": {"long_name": "trion scale exp(-l_bbar) c1(l_bbar) (0: not a trion)", "units": "bandwidth Lambda"},
    "dominant_order": {"long_name": "dominant order (spin-gapped phases: the exponents of the density wave and of "
                       "the pairs; trion phase: Kf vs 3)",
                       "flag_values": np.arange(len(ORDERS), dtype=np.int8), "flag_meanings": " ".join(ORDERS)},
    "status": {"long_name": "how the flow ended (pairing1d.flow_equations.FAILURES): at its end, or failed",
               "flag_values": np.arange(4, dtype=np.int8),
               "flag_meanings": "ok failed_step_budget failed_coupling_at_wall failed_non_finite"},
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
        check_model(self.model, "a sweep")
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

        Every constraint on one parameter is an interval (its allowed range, in the value or in its modulus), and
        every constraint between parameters (|u_ratio*upsilon| < 1, |y0| < y_strong, lmax vs temperature) is
        monotone in each |parameter|; so a real axis is valid iff its extremes (of the value and of the modulus; a
        NaN is an extreme of both) are, and the grid iff its corners are. A discrete axis (a scheme, a flow) is
        checked value by value. Checking every value of a 70,000-value axis through Model took 4-9 s.
        """
        corners = []
        for name in self.axes:
            target, converted = AXIS_ALIASES.get(name, name), self.field_axis(name)
            if converted.dtype.kind == "f":
                order = np.argsort(np.abs(converted), kind="stable")
                ends = {int(np.argmin(converted)), int(np.argmax(converted)), int(order[0]), int(order[-1])}
                if np.isnan(converted).any():
                    ends.add(int(np.flatnonzero(np.isnan(converted))[0]))
                values = [converted[i].item() for i in sorted(ends)]
            else:
                values = list(dict.fromkeys(converted.tolist()))
            for value in values:
                self.model.replace(**{target: value})
            corners.append([(target, v) for v in values])
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
            elif name == "upsilon_theta" and base.upsilon_theta is None:  # unset: NaN, as fields_of writes it
                out[name] = np.full(int(np.prod(sub_shape)), np.nan)  # (an object array of None took 3 ms to read)
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
            swept_axes=" ".join(self.axes), pairing1d_version=__version__, provenance=provenance_json(),
            title="pairing1d phase diagram (Shavit & Oreg, PRR 2, 043283, Eq. 16)",
            conventions=("phase, controlled, dominant_order and status are CF flag variables; inf: an RG event not "
                         "reached; 0: an energy scale that does not exist; NaN: not computed"),
        )
        return attrs



_DTYPES = {name: np.dtype(np.int8 if name in ("phase", "certainty", "dominant_order", "controlled", "status")
                          else np.float32 if name == "agreement" else np.float64)
           for name in RESULT_VARIABLES}

RESULT_BYTES_PER_POINT = sum(_DTYPES[name].itemsize for name in RESULT_VARIABLES)
"""Bytes of results per grid point (49 for the eleven variables)."""
WORK_BYTES_PER_POINT = 24000
"""Peak working memory per point of a chunk, with the in-process pipeline's chunks in flight (two packed ahead, one
integrated, up to two classified and written), every point with its verdict ensemble. Measured with tracemalloc on
the Fig. 4 grid (four flows per device): 15.5-15.9 kB, 4.5 kB for one chunk's ensemble alone; a device off u = u_c
has six or seven flows, hence the margin."""
MAX_SWEEP_POINTS = 10**8
"""Most points an in-memory :func:`sweep` accepts (4.3 GB of results); larger grids go to :func:`sweep_to_store`."""
MAX_STORE_POINTS = 10**10
"""Most points a store accepts (430 GB of results before compression)."""
MAX_STORE_CHUNKS = 10**6
"""Most chunks a store accepts (each is about ten objects on disk); more points per chunk make fewer."""
STORE_FORMAT = 2
"""Version of the store layout (module docstring); 1, without checksums, was written before pairing1d recorded it."""
_VERIFY_BATCH_POINTS = 1 << 20
"""Points read at once when verifying consecutive chunks (about 45 MB of results)."""
LOCK_FILE = "chunk_done/lock.json"
"""The writer's lock, relative to the store (module docstring)."""


class StoreError(ModelError):
    """A sweep store cannot be used as asked (not a sweep store, another sweep, incomplete, damaged): one line."""


class StoreLockedError(StoreError):
    """Another writer holds the store's lock: the message names it (pid, host, start) and says what to do."""


class StoreWriteError(WriteError):
    """Writing a sweep's output failed in the environment (a full disk, no permission): ``str()`` is one line naming
    the file and what to do; ``errno`` is the original one (``errno.ENOSPC`` for a full disk)."""


def _prepare_rows(grid: Grid, rows: slice) -> tuple[Any, np.ndarray]:
    """The packed rows of rows ``rows`` of the first axis, with every ensemble flow of each device
    (:func:`pairing1d.engine_ensemble.pack_ensemble`), and their trion modes' K_f: all a chunk needs before its flows
    are integrated."""
    from .engine import trion_luttinger
    from .engine_ensemble import pack_ensemble

    values = grid.fields(rows)
    return pack_ensemble(values), trion_luttinger(values)


def _finish_rows(grid: Grid, rows: slice, prepared: tuple[Any, np.ndarray],
                 integrated: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Results of rows ``rows`` of the first axis from their integrated flows, as arrays shaped like that block."""
    from .engine_ensemble import classify_ensemble

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
    (:func:`pairing1d.engine_ensemble.run_ensemble`, in the three steps that an in-process sweep overlaps)."""
    from .engine import integrate_batch

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


def _as_axes(axes: Mapping[str, Iterable]) -> dict[str, np.ndarray]:
    out = {}
    for name, values in axes.items():
        array = np.atleast_1d(np.asarray(values))
        if array.dtype.kind in "iu":
            array = array.astype(float)
        out[name] = array
    return out


def _tolerances(rtol: Any, atol: Any) -> tuple[float, float]:
    """``rtol``, ``atol`` (None: the engine's defaults) checked by :func:`pairing1d.model.check_tolerances`."""
    from .engine import DEFAULT_ATOL, DEFAULT_RTOL

    return check_tolerances(DEFAULT_RTOL if rtol is None else rtol, DEFAULT_ATOL if atol is None else atol)


def _clip(text: str, limit: int = 60) -> str:
    """``text`` on one line (whitespace runs made one space), shortened to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any, limit: int = 60) -> str:
    return _clip(repr(value), limit)


AUTO_CHUNKS = 16
"""Chunks a sweep is cut into when ``chunk_points`` is not given (:func:`default_chunk_points`)."""
AUTO_CHUNK_RANGE = (16384, 65536)
"""Smallest and largest chunk, in points, that :func:`default_chunk_points` chooses."""


def default_chunk_points(shape: tuple[int, ...]) -> int:
    """Points per chunk when none are given: the grid in :data:`AUTO_CHUNKS` chunks, each between 16384 and 65536
    points. Measured on the 1024^2 Fig. 4 grid (two cores): a store of 4096-point chunks took 29 s where the kernel
    needs 10.5, because each chunk costs about 30 ms of Zarr calls (eleven variables, a checksum and a flag, each a
    round trip through Zarr's event loop) and the kernel only 40 ms; 65536-point chunks take 14 s. With the lane
    kernel a chunk's flows take 10 ms per 4096 points, and the 256^2 grid in memory took 0.22 s in 16 chunks of
    4096, 0.18 s in 4 of 16384 and 0.16 s in one (paper's flow): each chunk ends by draining its lanes, hence the
    floor of 16384. Sixteen chunks still keep a progress bar moving and a few Dask workers busy, and a kill loses at
    most a sixteenth. It depends on the grid's shape alone, so that a resumed sweep finds the chunking it was
    created with (a store made with another chunking is resumed with its own)."""
    points = int(np.prod(shape)) if shape else 1
    low, high = AUTO_CHUNK_RANGE
    return int(min(high, max(low, -(-points // AUTO_CHUNKS))))


def _chunk_points(chunk_points: Any, shape: tuple[int, ...]) -> int:
    if chunk_points is None:
        return default_chunk_points(shape)
    if isinstance(chunk_points, bool) or not isinstance(chunk_points, numbers.Integral) or chunk_points < 1:
        raise ModelError(f"chunk_points = {_short(chunk_points)} is outside the allowed range [1, inf) "
                         "(points per chunk, a whole number)")
    return int(chunk_points)


def _available_memory() -> int | None:
    """Bytes of memory available to a new allocation (MemAvailable on Linux, free pages elsewhere; None: unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _size(n_bytes: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{int(n_bytes)} B"


def _shape_of(axes: Mapping[str, np.ndarray]) -> tuple[int, ...]:
    return tuple(int(values.size) for values in axes.values())


def _check_sweep_size(shape: tuple[int, ...], chunk_points: int, copies: int = 1) -> None:
    """Refuse (ModelError, one line) an in-memory grid above MAX_SWEEP_POINTS or the memory available (its results
    held ``copies`` times)."""
    points = math.prod(shape)
    need = copies * points * RESULT_BYTES_PER_POINT + min(points, chunk_points) * WORK_BYTES_PER_POINT
    available = _available_memory()
    if points > MAX_SWEEP_POINTS:
        why = f"more than the {MAX_SWEEP_POINTS:,} points an in-memory sweep accepts"
    elif available is not None and need > available:
        why = f"more than the {_size(available)} available"
    else:
        return
    raise ModelError(f"a grid of {points:,} points needs about {_size(need)} in memory ({why}); use fewer points, "
                     "or a chunked store (sweep_to_store, phase-diagram --out FILE.zarr)")


def _chunking(shape: tuple[int, ...], chunk_points: int) -> tuple[int, int]:
    """(rows of the first axis per chunk, number of chunks): chunks of about ``chunk_points`` whole rows."""
    row_points = math.prod(shape[1:])
    rows_per_chunk = max(1, chunk_points // max(row_points, 1))
    return rows_per_chunk, -(-shape[0] // rows_per_chunk)


def _check_store_size(shape: tuple[int, ...], chunk_points: int) -> None:
    """Refuse (ModelError, one line) a store above MAX_STORE_POINTS or MAX_STORE_CHUNKS, or one whose chunk (whole
    rows of the first axis), coordinates and completion records do not fit in the memory available."""
    if not shape or 0 in shape:
        return  # no axis, or an empty one: the Grid says so
    points = math.prod(shape)
    rows_per_chunk, n_chunks = _chunking(shape, chunk_points)
    if points > MAX_STORE_POINTS:
        raise ModelError(f"a store of {points:,} points is more than the {MAX_STORE_POINTS:,} allowed (about "
                         f"{_size(points * RESULT_BYTES_PER_POINT)} of results); use fewer points")
    if n_chunks > MAX_STORE_CHUNKS:
        raise ModelError(f"a store of {n_chunks:,} chunks is more than the {MAX_STORE_CHUNKS:,} allowed; use more "
                         "points per chunk (chunk_points, --chunk-points)")
    chunk = rows_per_chunk * math.prod(shape[1:])
    # the chunk in flight, its results, the chunks read back to be verified, the coordinates (also as JSON in the
    # fingerprint) and the completion records with their row slices
    verified = max(chunk, min(points, _VERIFY_BATCH_POINTS))
    need = (chunk * (WORK_BYTES_PER_POINT + RESULT_BYTES_PER_POINT) + verified * RESULT_BYTES_PER_POINT
            + 64 * sum(shape) + 128 * n_chunks)
    available = _available_memory()
    if available is not None and need > available:
        raise ModelError(f"one chunk of {chunk:,} points (whole rows of the first axis) needs about {_size(need)} in "
                         f"memory, more than the {_size(available)} available; put the longest axis first or use "
                         "fewer points")


def check_grid_size(shape: tuple[int, ...], *, store: bool, chunk_points: int | None = None) -> None:
    """Refuse (ModelError, one line) a grid of ``shape`` that an in-memory sweep (``store=False``) or a store
    (``store=True``) would refuse, from the shape alone: a caller that builds the axes' values from a specification
    (``START:STOP:N``) checks here first, before building a hundred million values."""
    if not shape or 0 in shape:
        return
    chunk_points = _chunk_points(chunk_points, shape)
    if store:
        _check_store_size(shape, chunk_points)
    else:
        _check_sweep_size(shape, chunk_points)


def sweep(
    model: Model, *, client: Any = None, chunk_points: int | None = None, rtol: float | None = None,
    atol: float | None = None, progress: Callable[[int, int], None] | bool | None = None, **axes: Iterable,
):
    """Phase diagram of ``model`` over the grid of ``axes`` (name -> values): an ``xarray.Dataset``.

    Chunks of about ``chunk_points`` points (None: :func:`default_chunk_points`) run in-process or, with a
    ``dask.distributed.Client``, as Dask tasks; ``progress(done, total)`` is called after each chunk
    (``progress=True``: a Rich progress bar on stderr). ``rtol`` /
    ``atol`` (None: the engine's defaults) must lie in :data:`pairing1d.model.RTOL_RANGE` /
    :data:`pairing1d.model.ATOL_RANGE`, and the grid must
    fit in memory (at most :data:`MAX_SWEEP_POINTS` points): otherwise a one-line ModelError is raised before
    anything is computed.
    """
    return _sweep(model, client, chunk_points, rtol, atol, progress, axes)


def _sweep(model: Model, client: Any, chunk_points: int | None, rtol: float | None, atol: float | None,
           progress: Callable[[int, int], None] | None, axes: Mapping[str, Iterable],
           also: Callable[[Grid, slice, Mapping[str, np.ndarray], float, float], None] | None = None):
    """:func:`sweep`; with ``also``, each chunk's results also go to ``also(grid, rows, results, rtol, atol)`` on
    the writer thread (its results are then held twice: the memory check counts them so)."""
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
        from .engine import integrate_batch

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
    """What :func:`sweep_to_store` did: the store, and which chunks it computed and which it found done.

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

    A chunk is a block of rows of the first axis, of about ``chunk_points`` points (None: the store's own chunking
    when resuming, else :func:`default_chunk_points`). ``client`` (a ``dask.distributed.Client``) runs the chunks
    as Dask tasks; without it they run in-process. The store's format, its completion records, checksums and lock
    are described in the module docstring. Guaranteed:

    * nothing is computed or written before the grid, the tolerances and the size are validated (one-line
      ModelError);
    * a new store appears only complete (created under a temporary name, then renamed), holding this writer's lock;
    * without ``resume`` an existing store is an error rather than silently overwritten; with ``resume=True`` the
      store must hold the same sweep (grid, parameters, tolerances, chunking: checked), every chunk marked done is
      read back and checked against its checksum, and only the chunks not done or failing that check are computed
      (:class:`SweepReport` says which);
    * a store locked by a running writer is refused (:class:`StoreLockedError`, one line naming it); a stale lock
      is taken over and reported; the lock is released when this call ends, whether it succeeds or not;
    * a failing write (a full disk: ``errno.ENOSPC``) raises :class:`StoreWriteError` (an OSError, one line), and
      leaves the chunks already done intact and the store resumable.
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


def _hostname() -> str:
    return socket.gethostname()


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (a zombie, dead but not yet reaped, counts as not running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@dataclass
class _StoreLock:
    """This process's hold on a store's lock file (module docstring): ``release()`` removes it if still ours."""

    path: Path
    nonce: str
    stale_note: str | None = None

    @staticmethod
    def record(nonce: str) -> dict[str, Any]:
        from datetime import UTC, datetime

        from . import __version__

        return {"pid": os.getpid(), "host": _hostname(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"), "nonce": nonce,
                "program": f"pairing1d {__version__}"}

    @classmethod
    def create(cls, path: Path) -> _StoreLock | None:
        """Create the lock file at ``path``, exclusively and complete: the lock, or None if a lock file exists."""
        nonce = uuid.uuid4().hex
        tmp = path.with_name(f"{path.name}.{nonce}.tmp")
        tmp.write_text(json.dumps(cls.record(nonce)))
        try:
            try:
                os.link(tmp, path)  # atomic and exclusive: readers never see a half-written lock
            except FileExistsError:
                return None
            except OSError as exc:  # a file system without hard links: an exclusive create, then the content
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                try:
                    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                except FileExistsError:
                    return None
                with os.fdopen(fd, "w") as f:
                    f.write(tmp.read_text())
        finally:
            tmp.unlink(missing_ok=True)
        return cls(path, nonce)

    @classmethod
    def acquire(cls, store: Path) -> _StoreLock:
        """The lock of the existing ``store``: created, or taken over from a holder no longer running on this host;
        StoreLockedError if a live (or uncheckable) holder has it."""
        path = store / LOCK_FILE
        stale_note = None
        for _ in range(8):
            lock = cls.create(path)
            if lock is not None:
                lock.stale_note = stale_note
                return lock
            try:
                raw = path.read_bytes()
            except FileNotFoundError:  # released in between: try again
                continue
            holder = _parse_lock(raw)
            if holder is None:
                raise StoreLockedError(f"store {str(store)!r} has an unreadable lock file {str(path)!r}; if no "
                                       "pairing1d is writing this store, delete that file and run again")
            who = f"pid {holder['pid']} on host {_clip(holder['host'])!r}"
            if isinstance(holder.get("started"), str):
                who += f", started {_clip(holder['started'], 40)}"
            if isinstance(holder.get("program"), str):
                who += f" ({_clip(holder['program'], 40)})"
            if holder["host"] != _hostname():
                raise StoreLockedError(f"store {str(store)!r} is locked by {who}, on another host: if that writer is "
                                       f"gone, delete {str(path)!r} and run again")
            if _pid_alive(holder["pid"]):
                raise StoreLockedError(f"store {str(store)!r} is being written by {who}; wait for it to finish (if "
                                       f"that process is not a pairing1d writer any more, delete {str(path)!r})")
            # stale: move it aside, and make sure what was moved is the lock judged stale, not a new one
            aside = path.with_name(f"{path.name}.stale-{uuid.uuid4().hex}")
            try:
                os.rename(path, aside)
            except FileNotFoundError:
                continue
            if aside.read_bytes() != raw:  # a new writer's lock: put it back
                with contextlib.suppress(FileExistsError):
                    os.link(aside, path)
                aside.unlink(missing_ok=True)
                continue
            aside.unlink(missing_ok=True)
            stale_note = f"took over the stale lock of {who}, which is no longer running"
        raise StoreLockedError(f"store {str(store)!r}: could not take its lock {str(path)!r} (other writers keep "
                               "taking it); run again when they are done")

    def release(self) -> None:
        """Remove the lock file if it still holds this lock (never another writer's)."""
        with contextlib.suppress(OSError, ValueError):
            holder = _parse_lock(self.path.read_bytes())
            if holder is not None and holder.get("nonce") == self.nonce:
                self.path.unlink()


def _parse_lock(raw: bytes) -> dict[str, Any] | None:
    """The holder recorded in a lock file, or None if it is not a valid lock record."""
    try:
        holder = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if (not isinstance(holder, dict) or not isinstance(holder.get("host"), str)
            or isinstance(holder.get("pid"), bool) or not isinstance(holder.get("pid"), int) or holder["pid"] < 1):
        return None
    return holder


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
                attrs={"long_name": "checksum of the chunk's results as written (pairing1d.sweep.chunk_checksum)"})
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

    Guaranteed: a missing store, a folder that is not a sweep store, an incomplete store (unless
    ``allow_incomplete``: its chunks not done then hold NaN for floats and 0 for flags) and, with ``verify``
    (the default), a damaged one raise a one-line :class:`StoreError` (a ModelError), never a traceback. Verifying
    reads every chunk marked done and checks it against its checksum (stores of format 1, without checksums: checks
    that no float value is NaN, which catches a missing chunk object but not a wrong one), so a deleted, overwritten
    or undecodable chunk is reported, not returned as NaN or wrong values. ``load`` (the default) reads the data into
    memory, refused in one line if it does not fit; ``load=False`` returns a lazy (Dask-backed) Dataset, verified
    chunk by chunk with bounded memory.
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


NETCDF_IN_MEMORY = 2 * 2**30
"""Datasets up to this many bytes are encoded to NetCDF in memory and then written as plain bytes (see
:func:`save_netcdf`); larger ones are written by HDF5 directly, after a check of the free space."""


def save_netcdf(ds: Any, path: str | Path) -> Path:
    """Write the Dataset ``ds`` to the NetCDF file ``path`` (h5netcdf), atomically.

    Guaranteed: ``path`` holds either its old content (or nothing) or the complete new file, never a part of it; the
    new file is written under a temporary name in the same folder (created if missing) and renamed into place; no
    temporary file is left behind. An existing directory at ``path`` is a one-line ModelError; a failing write (a
    full disk, no permission) is a one-line :class:`~pairing1d.files.WriteError` (an OSError, ``errno`` kept) and
    leaves the old file intact.

    Why in memory first: when the disk fills while HDF5 itself writes, h5py reports the failure from its
    deallocators, a screen of "Exception ignored" tracebacks, and the process then dies of a segmentation fault
    (exit code 139, measured on a full tmpfs), leaving its temporary file. Encoding to bytes (``to_netcdf()`` without
    a path) and writing them with Python keeps a full disk an ordinary OSError. A dataset above
    :data:`NETCDF_IN_MEMORY` is written directly, after checking that the folder has room for it."""
    import shutil

    from .files import make_folder, write_atomically

    path = Path(path)
    if ds.nbytes <= NETCDF_IN_MEMORY:
        with _local_write_lock():
            image = ds.to_netcdf(engine="h5netcdf")  # bytes of the whole file (a memoryview)
        return write_atomically(path, lambda tmp: tmp.write_bytes(image))
    free = shutil.disk_usage(make_folder(path.parent)).free
    if free < 1.1 * ds.nbytes:
        raise WriteError(errno.ENOSPC, f"cannot write {str(path)!r}: about {ds.nbytes / 1e9:.1f} GB needed, "
                         f"{free / 1e9:.1f} GB free; the old file, if any, is unchanged")

    def write(tmp: Path) -> None:
        with _local_write_lock():
            ds.to_netcdf(tmp, engine="h5netcdf")

    return write_atomically(path, write)


def _local_write_lock():
    """A context in which xarray takes a lock of this process for its HDF5 write. With a Dask distributed client as
    the default scheduler (a search or sweep on workers writes its store between chunks), xarray asks the cluster
    for a named lock instead, and for a write to memory the "name" is a BytesIO the scheduler does not know: the write
    fails (Semaphore or Lock ... not known). The data written here are in memory already, never Dask arrays."""
    import contextlib

    try:
        import dask
    except ImportError:  # pragma: no cover - dask is a dependency; without it xarray locks locally anyway
        return contextlib.nullcontext()
    return dask.config.set(scheduler="synchronous")


def sweep_to_netcdf(
    model: Model, path: str | Path, *, client: Any = None, chunk_points: int | None = None, rtol: float | None = None,
    atol: float | None = None, progress: Callable[[int, int], None] | None = None, **axes: Iterable,
):
    """:func:`sweep` then :func:`save_netcdf` to ``path``, with the same guarantees and the same file, but the file
    is encoded while the chunks are computed: the empty file is encoded in memory at the first chunk's write, and
    each chunk's results are written into it, on the writer thread while the next chunks' flows are integrated, so
    that only its writing to disk follows the last chunk (0.04-0.07 s for 1024^2 instead of 0.25-0.45 s of encoding
    and writing). Returns the Dataset. A dataset above :data:`NETCDF_IN_MEMORY` goes through :func:`sweep` and
    :func:`save_netcdf` one after the other."""
    import io

    from .files import write_atomically

    path = Path(path)
    if math.prod(_shape_of(_as_axes(axes))) * RESULT_BYTES_PER_POINT > NETCDF_IN_MEMORY:
        ds = sweep(model, client=client, chunk_points=chunk_points, rtol=rtol, atol=atol, progress=progress, **axes)
        save_netcdf(ds, path)
        return ds
    image: dict[str, Any] = {}

    def into_file(grid: Grid, rows: slice, block: Mapping[str, np.ndarray], rtol: float, atol: float) -> None:
        if "file" not in image:
            import h5py

            # the file save_netcdf would write, its variables' values still to come (zeros until then)
            empty = _dataset(grid, {name: np.zeros(grid.shape, dtype=_DTYPES[name]) for name in RESULT_VARIABLES})
            empty.attrs.update(rtol=rtol, atol=atol)
            image["buffer"] = io.BytesIO(empty.to_netcdf(engine="h5netcdf"))
            image["file"] = h5py.File(image["buffer"], "r+")
        for name in RESULT_VARIABLES:  # into the file's (contiguous, uncompressed) HDF5 datasets
            image["file"][name][rows] = block[name]

    try:
        ds = _sweep(model, client, chunk_points, rtol, atol, progress, axes, also=into_file)
    finally:
        if "file" in image:
            image["file"].close()
    write_atomically(path, lambda tmp: tmp.write_bytes(image["buffer"].getbuffer()))
    return ds


def dask_client(workers: int | None = None, scheduler: str | None = None):
    """A context manager yielding a ``dask.distributed.Client``: on a new local cluster of ``workers``
    processes, or connected to a running ``scheduler`` address; ``None`` for neither (in-process)."""
    import contextlib

    @contextlib.contextmanager
    def manager():
        if workers is not None and scheduler is not None:
            raise ModelError("give --workers or --scheduler, not both")
        if scheduler is not None:
            from ._dask import remote_client

            with remote_client(scheduler) as client:
                yield client
        elif workers is not None:
            if workers < 1:
                raise ModelError(f"workers = {workers} is outside the allowed range [1, inf) (Dask workers)")
            from ._dask import local_client

            with local_client(workers) as client:
                yield client
        else:
            yield None

    return manager()
