"""What the explorer computes, free of any view code: the phase map over two axes, the device at a clicked point, the
nanotube gate -> l* conversion, and the Device tab's gate map of a device in the lab's units
(:func:`~pairing1d.explorer.compute.compute_device`, through :func:`pairing1d.devices.gate_map.gate_map`) with its
one-line summary.

The map goes through :func:`pairing1d.engine.sweep.sweep` (the batched engine) at a looser tolerance than the sweep
default, :data:`~pairing1d.explorer.compute.EXPLORER_RTOL`: at 1e-7 a 128 x 128 map of the default flow and scheme
takes about 0.22-0.33 s instead of 0.31-0.44 s on two cores and, on the Fig. 4 grids, not one pixel changes phase or
control flag and the spin gap of a paired pixel moves by < 4e-6 in log10 (see ``benchmarks/explorer_redraw.py``).
A clicked point is solved again by the scipy path (:func:`~pairing1d.theory.phases.phase_of`), which gives the full
trajectory.

What every page of a server computes alike is shared between the pages, bounded and read-only: the maps
(:data:`MAP_CACHE`) and the solved devices (:data:`POINT_CACHE`). Every visitor's first page shows the same map and
the same device (the controls the server was started with), so only the first visitor pays for them.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..devices.cnt import CNT, BandCrossing, crossing
from ..devices.device import Device
from ..devices.gate_map import OUTSIDE, PHASE_LABELS, gate_map, gate_runs
from ..engine.sweep import AXIS_ALIASES, axis_field_values
from ..support.errors import ModelError
from ..theory.model import Model
from ..theory.phases import PHASES, PhaseResult, phase_of
from ..theory.transport import Signatures, device_signatures

__all__ = [
    "EXPLORER_RTOL", "EXPLORER_ATOL", "MAX_POINTS", "AXIS_NAMES", "DEFAULT_RANGES", "Axis", "compute_map",
    "field_value", "model_at", "axis_value", "snap", "Point", "solve_point", "CntDevice", "cnt_device",
    "marker_position", "warm_up", "MAX_GATE_POINTS", "DEFAULT_GATE_POINTS", "GateAxis", "default_gate_axis",
    "DeviceMap", "compute_device", "phase_windows", "MapCache", "MAP_CACHE", "POINT_CACHE", "map_key",
]

EXPLORER_RTOL = 1e-7
"""Relative tolerance of the batched engine for the explorer's map (looser than the sweep default; module docstring)."""
EXPLORER_ATOL = 1e-10
"""Absolute tolerance of the batched engine for the explorer's map."""
MAX_POINTS = 512
"""Largest number of points per axis the page accepts (a 512 x 512 map takes about 2 s)."""

DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "exp_neg_lstar": (0.0, 0.6), "lstar": (0.0, 8.0), "y0": (0.0, 0.3), "ys0": (-0.3, 0.3), "K0": (0.1, 1.0),
    "Kc0": (0.3, 1.5), "upsilon": (-0.5, 0.5), "u_ratio": (0.2, 2.0), "chi": (0.2, 3.0), "y2": (0.0, 0.3),
    "lstar2": (-2.0, 6.0), "theta": (0.0, 3.14), "lmass": (0.5, 10.0), "lmax": (2.0, 30.0),
    "temperature": (1e-6, 0.1), "y_strong": (0.3, 2.0), "upsilon_theta": (-0.5, 0.5),
}
"""The range an axis gets when it is chosen; every continuous Model field and exp_neg_lstar (Fig. 4). An axis over
``upsilon_theta`` leaves the line of Eq. (13), so with ``flow = 'paper'`` the Model refuses it (the page shows the
one-line error)."""

AXIS_NAMES: tuple[str, ...] = tuple(DEFAULT_RANGES)
"""Names a map axis may take (su2, scheme, flow and vertex_charge are discrete: they have their own controls)."""


@dataclass(frozen=True)
class Axis:
    """One axis of the map: ``n`` evenly spaced values of ``name`` from ``start`` to ``stop``."""

    name: str
    start: float
    stop: float
    n: int = 128

    def __post_init__(self) -> None:
        if self.name not in AXIS_NAMES:
            raise ModelError(f"axis {self.name!r} is outside the allowed names ({', '.join(AXIS_NAMES)})")
        for label, value in (("start", self.start), ("stop", self.stop)):
            if value is None or not isinstance(value, int | float) or not math.isfinite(value):
                raise ModelError(f"axis {self.name} {label} = {value!r} is not a finite number")
        if not self.start < self.stop:
            raise ModelError(f"axis {self.name}: start {self.start:g} is not below stop {self.stop:g}")
        if not isinstance(self.n, int) or not 2 <= self.n <= MAX_POINTS:
            raise ModelError(f"axis {self.name}: points = {self.n!r} is outside the allowed range [2, {MAX_POINTS}]")

    def values(self) -> np.ndarray:
        return np.linspace(self.start, self.stop, self.n)

    @property
    def target(self) -> str:
        """The Model field this axis sets (exp_neg_lstar sets lstar)."""
        return AXIS_ALIASES.get(self.name, self.name)


def _nbytes(value: Any) -> int:
    return int(value.nbytes)


class MapCache:
    """The last maps computed, shared by every page of the process and bounded both in count (``max_entries``) and
    in memory (``max_bytes``, the sum of ``sizeof`` of the values kept: by default the Datasets' ``nbytes``): least
    recently used first out. Every visitor's first page shows the same map (the model and axes the server was
    started with), and a slider moved back to a value shows a map seen before; neither is computed again.
    Thread-safe; a value larger than ``max_bytes`` is not kept. The values are shared: nobody may change them."""

    def __init__(self, max_entries: int = 32, max_bytes: int = 64 * 2**20, sizeof: Callable[[Any], int] = _nbytes):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._sizeof = sizeof
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """Bytes held (the sum of ``sizeof`` of the values kept)."""
        return self._bytes

    def get(self, key: tuple):
        with self._lock:
            ds = self._entries.get(key)
            if ds is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return ds

    def put(self, key: tuple, ds) -> None:
        size = self._sizeof(ds)
        with self._lock:
            if key in self._entries or size > self.max_bytes:
                return
            self._entries[key] = ds
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, old = self._entries.popitem(last=False)
                self._bytes -= self._sizeof(old)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


MAP_CACHE = MapCache()
"""The maps of :func:`compute_map`, shared by the pages of this process (bounded: :class:`MapCache`)."""


def map_key(model: Model, x: Axis, y: Axis, rtol: float = EXPLORER_RTOL, atol: float = EXPLORER_ATOL) -> tuple:
    """The key of a map in :data:`MAP_CACHE` (and of anything drawn from it alone, e.g. its colours)."""
    return (model, x, y, float(rtol), float(atol))


def compute_map(model: Model, x: Axis, y: Axis, rtol: float = EXPLORER_RTOL, atol: float = EXPLORER_ATOL):
    """The phase map of ``model`` over ``x`` (columns) and ``y`` (rows): the Dataset of
    :func:`pairing1d.engine.sweep.sweep` with dimensions ``(y, x)``; a ModelError names the first value out of the
    model's domain. A map computed before comes from :data:`MAP_CACHE` (a shallow copy: its own attrs, the arrays
    shared and not to be written to)."""
    from ..engine.sweep import sweep

    if x.target == y.target:
        raise ModelError(f"axes {x.name} and {y.name} set the same parameter {x.target}")
    key = map_key(model, x, y, rtol, atol)
    ds = MAP_CACHE.get(key)
    if ds is None:
        ds = sweep(model, rtol=rtol, atol=atol, **{y.name: y.values(), x.name: x.values()})
        for var in ds.variables.values():  # shared by every page that asks for this map: read-only
            if isinstance(var.data, np.ndarray):
                var.data.flags.writeable = False
        MAP_CACHE.put(key, ds)
    return ds.copy(deep=False)


def field_value(name: str, value: float) -> tuple[str, float]:
    """(Model field, value) set by axis ``name`` at ``value``: exp_neg_lstar = e^{-l*} -> lstar."""
    [converted] = axis_field_values(name, np.array([float(value)]))  # the sweep's own conversion and check
    return AXIS_ALIASES.get(name, name), float(converted)


def model_at(model: Model, coords: dict[str, float]) -> Model:
    """``model`` with the axis values ``coords`` (axis name -> value) applied."""
    return model.replace(**dict(field_value(name, value) for name, value in coords.items()))


def axis_value(model: Model, axis: Axis) -> float:
    """Where ``model`` sits along ``axis``, clipped to the axis (exp_neg_lstar = e^{-l*})."""
    value = getattr(model, axis.target)
    if axis.name == "exp_neg_lstar":
        value = math.exp(-value)
    if value is None or not math.isfinite(value):
        value = (axis.start + axis.stop) / 2
    return snap(value, axis)


def snap(value: float, axis: Axis) -> float:
    """A clicked coordinate clipped to the axis and rounded to 1/1000 of its span (3 significant digits of
    the span), so that the coordinates the page prints are the ones it solves."""
    value = min(max(float(value), axis.start), axis.stop)
    decimals = max(0, 3 - math.floor(math.log10(axis.stop - axis.start)))
    return round(value, decimals) + 0.0


@dataclass(frozen=True)
class Point:
    """A solved device: the axis coordinates it was picked at, its full flow and phase, and its Table I row
    (None where Table I is not derived: the trion row of a Mott-ladder secondary)."""

    coords: dict[str, float]
    result: PhaseResult
    table_row: Signatures | None = field(default=None)

    @property
    def model(self) -> Model:
        return self.result.model

    def describe(self) -> str:
        """One line naming the point, e.g. ``exp_neg_lstar = 0.3, y0 = 0.15``."""
        return ", ".join(f"{name} = {value:.6g}" for name, value in self.coords.items())


POINT_CACHE = MapCache(max_entries=64, sizeof=lambda point: 0)
"""The devices solved by :func:`solve_point`, shared by the pages of this process: every new page starts with the
same device (and the same nanotube device), solved once (a scipy flow and two more for the verdict under the other
schemes: 25-50 ms). Bounded in count only: a solved device holds its flow, about 20 kB."""


def solve_point(model: Model, coords: dict[str, float]) -> Point:
    """Solve the device at ``coords`` with the scipy path and attach its Table I row. A device solved before comes
    from :data:`POINT_CACHE`: the same Point, which nobody may change."""
    key = (model, tuple(coords.items()))
    point = POINT_CACHE.get(key)
    if point is not None:
        return point
    result = phase_of(model_at(model, coords))
    try:
        row = device_signatures(result.phase, result.model.vertex_charge)
    except ModelError:  # the trion row of a Mott ladder is not derived: the page says so instead
        row = None
    point = Point(coords=dict(coords), result=result, table_row=row)
    POINT_CACHE.put(key, point)
    return point


@dataclass(frozen=True)
class CntDevice:
    """A nanotube secondary at gate ``mu`` (meV): its band crossing, and l* (None unless a single band crosses)."""

    crossing: BandCrossing
    lstar: float | None
    lstar2: float | None

    @property
    def exp_neg_lstar(self) -> float | None:
        return None if self.lstar is None else math.exp(-self.lstar)

    def describe(self) -> str:
        c = self.crossing
        if not c.single_band:
            return (f"mu = {c.mu:g} meV: {c.bands_crossing} bands cross the Fermi level, not a single one: "
                    "the model needs one spin- and valley-polarized band (Appendix A)")
        kind = "hole-like" if c.hole_like else "particle-like"
        return (f"mu = {c.mu:g} meV: one {kind} band (sigma = {c.sigma:+d}, nu = {c.nu:+d}), "
                f"k_F = {c.k_fermi * 1e-9:.4g} 1/nm; l* = {self.lstar:.4g}, exp(-l*) = {self.exp_neg_lstar:.4g}")


def cnt_device(mu: float, kF_primary: float, alpha0: float, **cnt: Any) -> CntDevice:
    """Gate ``mu`` (meV) -> l* as ``pairing1d cnt --mu MU --kF-primary KF --alpha0 A`` computes it, with the
    primary's ``kF_primary`` in 1/nm and the cutoff ``alpha0`` in nm as there: :func:`pairing1d.devices.cnt.crossing`
    then
    Eq. (15). ``cnt`` holds the :class:`~pairing1d.devices.cnt.CNT` parameters (vF in m/s, gaps in meV)."""
    c = crossing(CNT(**cnt), float(mu))
    if not c.single_band:
        return CntDevice(crossing=c, lstar=None, lstar2=None)
    lstar, lstar2 = c.lstar(kF_primary * 1e9, alpha0 * 1e-9)  # cnt.py works in 1/m and m
    return CntDevice(crossing=c, lstar=lstar, lstar2=lstar2)


def marker_position(device: CntDevice, model: Model, x: Axis, y: Axis) -> tuple[float, float] | None:
    """Where the nanotube device sits on the map: the axis along l* (or exp_neg_lstar) at the device's value,
    the other axis at the current device's value; None when no single band crosses or no axis is along l*."""
    if device.lstar is None:
        return None
    along = {"lstar": device.lstar, "exp_neg_lstar": device.exp_neg_lstar}

    def coordinate(axis: Axis) -> float | None:
        if axis.name in along:
            return along[axis.name]
        value = getattr(model, axis.target)
        return float(value) if value is not None else None

    if x.name not in along and y.name not in along:
        return None
    cx, cy = coordinate(x), coordinate(y)
    if cx is None or cy is None or not (math.isfinite(cx) and math.isfinite(cy)):
        return None
    return cx, cy


# --- the Device tab -------------------------------------------------------------------------------------------------

MAX_GATE_POINTS = 801
"""Largest number of gate voltages the Device tab accepts (801 points take about 0.3-0.5 s on two cores)."""

DEFAULT_GATE_POINTS = 241
"""Gate voltages of the default window, as ``pairing1d device``."""


@dataclass(frozen=True)
class GateAxis:
    """``n`` evenly spaced gate voltages from ``start`` to ``stop`` (V)."""

    start: float
    stop: float
    n: int = DEFAULT_GATE_POINTS

    def __post_init__(self) -> None:
        for label, value in (("start", self.start), ("stop", self.stop)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ModelError(f"gate {label} = {value!r} is not a finite number (V)")
            if not -1e4 <= value <= 1e4:
                raise ModelError(f"gate {label} = {value:g} V is outside the allowed range [-10000, 10000] V")
        if not self.start < self.stop:
            raise ModelError(f"gate start {self.start:g} V is not below gate stop {self.stop:g} V")
        if isinstance(self.n, bool) or not isinstance(self.n, int) or not 2 <= self.n <= MAX_GATE_POINTS:
            raise ModelError(f"gate points = {self.n!r} is outside the allowed range [2, {MAX_GATE_POINTS}]")

    def values(self) -> np.ndarray:
        return np.linspace(self.start, self.stop, self.n)


def default_gate_axis(device: Device, n: int = DEFAULT_GATE_POINTS) -> GateAxis:
    """The gate window ``pairing1d device`` scans when no ``--gate`` is given
    (:meth:`~pairing1d.devices.device.Device.gate_window`), its ends rounded to 6 significant figures so that the boxes
    show
    what is scanned; a ModelError says why there is none."""
    start, stop = device.gate_window()
    return GateAxis(float(f"{start:.6g}"), float(f"{stop:.6g}"), n)


def phase_windows(gate: np.ndarray, codes: np.ndarray, code: int) -> list[tuple[float, float]]:
    """The contiguous runs of ``code`` along the gate axis, as (first, last) gate voltage."""
    return [(lo, hi) for c, lo, hi, _, _ in gate_runs(gate, np.asarray(codes)) if c == code]


def _span(values: np.ndarray, digits: int = 3) -> str | None:
    """``a`` or ``a to b`` over the finite entries of ``values`` (None when there is none); rounding noise below
    1e-12 shows as 0."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return None
    lo, hi = (0.0 if abs(v) < 1e-12 else v for v in (float(finite.min()), float(finite.max())))
    if math.isclose(lo, hi, rel_tol=1e-6, abs_tol=0.0):
        return f"{lo:.{digits}g}"
    return f"{lo:.{digits}g} to {hi:.{digits}g}"


@dataclass(frozen=True)
class DeviceMap:
    """A device's gate map (:func:`pairing1d.devices.gate_map.gate_map`) over ``gate``, with what the tab says of it."""

    device: Device
    gate: GateAxis
    ds: Any

    @property
    def counts(self) -> dict[str, int]:
        """Points per phase at the temperature (``outside`` included)."""
        phase = self.ds["phase"].values
        return {name: int((phase == code).sum()) for code, name in PHASE_LABELS.items()}

    @property
    def outside(self) -> int:
        """Points where the theory does not apply (phase ``outside``)."""
        return int((self.ds["phase_T0"].values == OUTSIDE).sum())

    @property
    def uncontrolled(self) -> int:
        """Points inside the theory with a phase whose verdict is not controlled (an undetermined point claims no
        phase: :attr:`undetermined`)."""
        ds = self.ds
        return int(((ds["controlled"].values == 0) & (ds["phase_T0"].values != OUTSIDE)
                    & (ds["phase_T0"].values != PHASES.index("undetermined"))).sum())

    @property
    def undetermined(self) -> int:
        """Points whose verdict at the temperature is not supported by the verdict ensemble (certainty
        undetermined; an undetermined phase included)."""
        ds = self.ds
        return int(((ds["certainty"].values == 2) & (ds["phase"].values != OUTSIDE)).sum())

    def windows(self, phase: str) -> list[tuple[float, float]]:
        """Gate windows (first, last V) of ``phase`` at the temperature."""
        code = {name: c for c, name in PHASE_LABELS.items()}[phase]
        return phase_windows(self.ds["gate_V"].values, self.ds["phase"].values, code)

    def _windows_text(self, phase: str) -> str:
        runs = self.windows(phase)
        if not runs:
            return "none"
        shown = [f"{a:.6g} V" if a == b else f"{a:.6g} to {b:.6g} V" for a, b in runs[:3]]
        more = f" and {len(runs) - 3} more" if len(runs) > 3 else ""
        return ", ".join(shown) + more

    def summary(self) -> str:
        """One line: the bandwidth in K, the gate windows of the paired and trion phases (and triplet, when there
        is one) at the temperature, the largest spin gap in K with its gate voltage, and how many points are
        outside the theory or not controlled."""
        ds = self.ds
        lam = _span(ds["Lambda_K"].values)
        T, B = ds.attrs["temperature_K"], ds.attrs["field_T"]
        parts = [f"bandwidth Λ = {lam} K" if lam else "bandwidth Λ: none (the theory applies at no gate voltage)"]
        phases = ["paired", "trion"] + (["triplet"] if self.counts["triplet"] else [])
        temperature = f"{T * 1e3:.4g} mK" if T < 1 else f"{T:.4g} K"
        parts.append(f"at T = {temperature}, B = {B:g} T: "
                     + "; ".join(f"{p} {self._windows_text(p)}" for p in phases))
        gap = ds["spin_gap_K"].values
        if np.any(gap > 0):
            i = int(np.argmax(gap))
            parts.append(f"largest spin gap {gap[i]:.3g} K (T = 0, at {ds['gate_V'].values[i]:.6g} V)")
        else:
            parts.append("largest spin gap: none")
        n = int(ds["phase"].size)
        parts.append(f"outside the theory {self.outside} of {n} points, not controlled {self.uncontrolled}, "
                     f"undetermined {self.undetermined}")
        return " · ".join(parts)

    def details(self) -> str:
        """One line of the bosonized inputs over the window, lengths in nm and momenta in 1/nm."""
        ds = self.ds
        items = [("primary k_F", "kF_per_nm", " 1/nm"), ("secondary k", "k_secondary_per_nm", " 1/nm"),
                 ("α0", "alpha0_nm", " nm"), ("Kc", "Kc", ""), ("K", "K", ""), ("y⁰", "y0", ""),
                 ("υ", "upsilon", ""), ("l*", "lstar", "")]
        shown = []
        for label, key, unit in items:
            values = ds[key].values
            if key == "lstar":
                values = np.where(np.isinf(values), np.nan, values)  # inf: commensurate, said in the figure
            span = _span(values)
            if span is not None:
                shown.append(f"{label} {span}{unit}")
        return "inside the theory: " + ", ".join(shown) if shown else "the theory applies at no gate voltage"


def compute_device(device: Device, gate: GateAxis) -> DeviceMap:
    """The gate map of ``device`` over ``gate`` at the device's own field and temperature."""
    return DeviceMap(device=device, gate=gate, ds=gate_map(device, gate.values()))


_WARM = False


def warm_up() -> None:
    """Load (or compile) the engine's numba kernel once per process, so that the first map is fast."""
    global _WARM
    if not _WARM:
        compute_map(Model(), Axis("exp_neg_lstar", 0.0, 0.6, 4), Axis("y0", 0.0, 0.3, 4))
        _WARM = True
