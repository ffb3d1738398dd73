r"""A sweep's grid: the axes over a base :class:`~pairing1d.theory.model.Model` (:class:`~pairing1d.engine.grid.Grid`),
the variables every sweep holds per device (:data:`~pairing1d.engine.grid.RESULT_VARIABLES`, their attributes and
dtypes), the chunking, and the limits checked before anything is computed (points, chunks, the memory available:
:func:`~pairing1d.engine.grid.check_grid_size`). Part of the sweep (:mod:`pairing1d.engine.sweep`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..support.environment import provenance_json
from ..support.errors import ModelError
from ..theory.ensemble import CERTAINTIES
from ..theory.model import Model, check_model, check_tolerances
from ..theory.phases import PHASES

__all__ = [
    "Grid", "AXIS_ALIASES", "RESULT_VARIABLES", "axis_field_values", "MAX_SWEEP_POINTS", "MAX_STORE_POINTS",
    "MAX_STORE_CHUNKS", "RESULT_BYTES_PER_POINT", "WORK_BYTES_PER_POINT", "default_chunk_points", "check_grid_size",
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
    "certainty": {"long_name": "certainty of the phase under the verdict ensemble (pairing1d.theory.ensemble)",
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
    "status": {"long_name": "how the flow ended (pairing1d.theory.flow_equations.FAILURES): at its end, or failed",
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
        from ..theory.flow_equations import PACKED_FIELDS

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

        payload = {
            "axes": {name: values.tolist() for name, values in self.axes.items()},
            "attrs": self.attrs(), "rtol": rtol, "atol": atol, "n_chunks": n_chunks,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def attrs(self) -> dict[str, Any]:
        """Fixed parameters, scheme and version as NetCDF/Zarr-safe attributes (inf and None as strings)."""
        from .. import __version__

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
"""Most points an in-memory :func:`~pairing1d.engine.sweep.sweep` accepts (4.3 GB of results);
larger grids go to :func:`~pairing1d.engine.store.sweep_to_store`."""
MAX_STORE_POINTS = 10**10
"""Most points a store accepts (430 GB of results before compression)."""
MAX_STORE_CHUNKS = 10**6
"""Most chunks a store accepts (each is about ten objects on disk); more points per chunk make fewer."""


_VERIFY_BATCH_POINTS = 1 << 20
"""Points read at once when verifying consecutive chunks (about 45 MB of results)."""


def _as_axes(axes: Mapping[str, Iterable]) -> dict[str, np.ndarray]:
    out = {}
    for name, values in axes.items():
        array = np.atleast_1d(np.asarray(values))
        if array.dtype.kind in "iu":
            array = array.astype(float)
        out[name] = array
    return out


def _tolerances(rtol: Any, atol: Any) -> tuple[float, float]:
    """``rtol``, ``atol`` (None: the engine's defaults) checked by :func:`pairing1d.theory.model.check_tolerances`."""
    from .batch import DEFAULT_ATOL, DEFAULT_RTOL

    return check_tolerances(DEFAULT_RTOL if rtol is None else rtol, DEFAULT_ATOL if atol is None else atol)


def _clip(text: str, limit: int = 60) -> str:
    """``text`` on one line (whitespace runs made one space), shortened to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any, limit: int = 60) -> str:
    return _clip(repr(value), limit)


AUTO_CHUNKS = 16
"""Chunks a sweep is cut into when ``chunk_points`` is not given
(:func:`~pairing1d.engine.grid.default_chunk_points`)."""
AUTO_CHUNK_RANGE = (16384, 65536)
"""Smallest and largest chunk, in points, that :func:`~pairing1d.engine.grid.default_chunk_points` chooses."""


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
