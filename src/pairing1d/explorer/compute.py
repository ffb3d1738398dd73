"""What the explorer computes, free of any view code: the phase map over two axes, the device at a clicked
point, and the nanotube gate -> l* conversion.

The map goes through :func:`pairing1d.sweep.sweep` (the batched engine) at a looser tolerance than the sweep
default, :data:`EXPLORER_RTOL`: at 1e-7 a 128 x 128 map of the default flow and scheme takes about 0.22-0.33 s
instead of 0.31-0.44 s on two cores and, on the Fig. 4 grids, not one pixel changes phase or control flag and the
spin gap of a paired pixel moves by < 4e-6 in log10 (see ``benchmarks/explorer_redraw.py``). A clicked point is
solved again by the scipy path (:func:`pairing1d.phase_of`), which gives the full trajectory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..cnt import CNT, BandCrossing, crossing
from ..model import Model, ModelError
from ..phases import PhaseResult, phase_of
from ..sweep import AXIS_ALIASES, axis_field_values
from ..transport import Signatures, device_signatures

__all__ = [
    "EXPLORER_RTOL", "EXPLORER_ATOL", "MAX_POINTS", "AXIS_NAMES", "DEFAULT_RANGES", "Axis", "compute_map",
    "field_value", "model_at", "axis_value", "snap", "Point", "solve_point", "CntDevice", "cnt_device",
    "marker_position", "warm_up",
]

EXPLORER_RTOL = 1e-7
EXPLORER_ATOL = 1e-10
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


def compute_map(model: Model, x: Axis, y: Axis, rtol: float = EXPLORER_RTOL, atol: float = EXPLORER_ATOL):
    """The phase map of ``model`` over ``x`` (columns) and ``y`` (rows): the Dataset of
    :func:`pairing1d.sweep.sweep` with dimensions ``(y, x)``; a ModelError names the first value out of the
    model's domain."""
    from ..sweep import sweep

    if x.target == y.target:
        raise ModelError(f"axes {x.name} and {y.name} set the same parameter {x.target}")
    return sweep(model, rtol=rtol, atol=atol, **{y.name: y.values(), x.name: x.values()})


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


def solve_point(model: Model, coords: dict[str, float]) -> Point:
    """Solve the device at ``coords`` with the scipy path and attach its Table I row."""
    result = phase_of(model_at(model, coords))
    try:
        row = device_signatures(result.phase, result.model.vertex_charge)
    except ModelError:  # the trion row of a Mott ladder is not derived: the page says so instead
        row = None
    return Point(coords=dict(coords), result=result, table_row=row)


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
                f"k_F = {c.k_fermi:.4g} 1/m; l* = {self.lstar:.4g}, exp(-l*) = {self.exp_neg_lstar:.4g}")


def cnt_device(mu: float, kF_primary: float, alpha0: float, **cnt: Any) -> CntDevice:
    """Gate ``mu`` (meV) -> l* as ``pairing1d cnt --mu MU --kF-primary KF --alpha0 A`` computes it:
    :func:`pairing1d.cnt.crossing` then Eq. (15). ``cnt`` holds the :class:`~pairing1d.cnt.CNT` parameters."""
    c = crossing(CNT(**cnt), float(mu))
    if not c.single_band:
        return CntDevice(crossing=c, lstar=None, lstar2=None)
    lstar, lstar2 = c.lstar(kF_primary, alpha0)
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


_WARM = False


def warm_up() -> None:
    """Load (or compile) the engine's numba kernel once per process, so that the first map is fast."""
    global _WARM
    if not _WARM:
        compute_map(Model(), Axis("exp_neg_lstar", 0.0, 0.6, 4), Axis("y0", 0.0, 0.3, 4))
        _WARM = True
