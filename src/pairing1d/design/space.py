r"""A design space: what an experiment may vary, within which bounds, and what the fridge fixes.

A design space (a TOML file, :func:`read_design_space`; ``examples/design_space.toml``) names

* ``[fridge]``: ``base_temperature_K`` (every device is judged there: a gap must survive it) and ``max_field_T``
  (the largest field the magnet gives; a ``field_T`` bound may not exceed it);
* ``[primary] materials``: the primary wire's materials, by name from the sourced table
  :data:`pairing1d.design.materials.MATERIALS` (effective mass, :math:`|g|`, dielectric constant);
* ``[secondary] kinds``: ``"nanotube"`` (its curvature gap from its diameter,
  :func:`pairing1d.design.materials.nanotube_delta0_meV`, unless given) and/or ``"mott_ladder"``;
* ``[bounds]``: ``[low, high]`` of every continuous input that varies, by the dotted names of a device file's
  ``[uncertain]`` table (``"geometry.separation_nm"``: each name carries its unit), plus ``field_T`` and
  ``gate_window_fraction``, the position :math:`f` of the secondary's chemical potential in its window at the
  device's field (:meth:`pairing1d.devices.device.Nanotube.window`, :meth:`pairing1d.devices.device.MottLadder.window`),
  :math:`\mu = \mu_{\rm lo} + f(\mu_{\rm hi} - \mu_{\rm lo})`, i.e. the gate voltage
  :math:`V_g = V_0 + \mu/(a_{\rm sec}e)`, and ``geometry.spacer_nm``, the gap between the wires' surfaces (the
  separation is then :math:`r + D/2 +` spacer, :math:`r` the primary's radius, :math:`D` the tube's diameter, 0 for
  a ladder; a space gives the spacer or the separation, not both); ``log_scale`` lists the bounds sampled uniformly
  in the logarithm;
* ``[fixed]``: inputs held at one value (the impurity, the lever arm, ``y_scale``, ...); an input named nowhere keeps
  the default of :class:`pairing1d.devices.device.Device` and its parts;
* ``[uncertain]``: factors ``[low, high]`` on a design's own value of an input, written into each best device's
  ``[uncertain]`` table for its sensitivity band (a material's measured :math:`|g|` range is added by itself);
* ``[sources]``: for **every** bound, fixed value and fridge number, where it comes from, or the word ``assumed``
  with a reason (``"assumed: ..."``); a missing or bare entry is refused;
* ``[search]``: ``survey_devices`` (the space-filling stage), ``refine_seeds`` and ``refine_evaluations`` (the local
  refinement), ``seed``, ``objective`` (:data:`OBJECTIVES`), ``accept`` (the weakest certainty that counts:
  ``robust`` or ``leaning``) and ``top`` (how many devices the answer ranks).

A point of the space is a row of the unit cube (:attr:`DesignSpace.coordinates`): the continuous bounds in sorted
order, then the material and the secondary kind when there is more than one (a coordinate :math:`u` picks entry
:math:`\lfloor un\rfloor` of :math:`n`). :meth:`DesignSpace.device_at` turns a row into a
:class:`pairing1d.devices.device.Device` at the base temperature and the row's field, and its gate voltage.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..devices.device import UNCERTAIN_INPUTS, Device, Geometry, MottLadder, Nanotube, PrimaryWire
from ..support.errors import ModelError
from .materials import MATERIALS, NANOTUBE_SOURCES, nanotube_delta0_meV, surface_epsilon

__all__ = ["DesignError", "DesignSpace", "read_design_space", "design_space_from_dict", "OBJECTIVES", "ACCEPT",
           "MAX_SURVEY", "MAX_REFINE_SEEDS", "MAX_REFINE_EVALUATIONS", "MAX_TOP", "GATE", "FORMAT", "DISTINCT",
           "distinct"]

DISTINCT = 0.1
"""Two seeds (or two ranked designs) differ by at least this much in some continuous unit-cube coordinate."""

OBJECTIVES = {
    "spin_gap": ("paired", "spin gap", "K"),
    "trion_scale": ("trion", "trion scale", "K"),
    "contrast": ("paired", "conductance contrast paired - decoupled at the base temperature", "e2/h"),
}
"""Objective -> (the phase it needs, what it is, its unit)."""
ACCEPT = ("robust", "leaning")
"""The certainties a search may accept (the weakest named counts, and every stronger one)."""
MAX_SURVEY = 1 << 21
"""The largest space-filling stage (about 2 million devices: a few minutes of the engine on two cores)."""
MAX_REFINE_SEEDS = 64
"""The most refinement seeds a search may ask for."""
MAX_REFINE_EVALUATIONS = 5000
"""The most Nelder-Mead evaluations per seed (about two and a half minutes of single-device evaluations)."""
MAX_TOP = 50
"""The most ranked designs (each gets a gate map, a device file and, with figures, a sensitivity study)."""
GATE = "gate_window_fraction"
"""The coordinate that places the gate in the secondary's window (module docstring)."""
FORMAT = 1
"""The version of the space's meaning (part of its fingerprint)."""

SPACER = "geometry.spacer_nm"
"""The coordinate that places the wires' surfaces this far apart: separation = primary radius + secondary radius +
spacer (module docstring)."""

_EXTRA = (GATE, SPACER, "field_T")
_NOT_BOUNDED = {"impurity"}  # one impurity per search: the conductance of a whole batch uses it
_TOP_FIXED = {"impurity", "y_scale", "alpha0_nm", "chi", "gate_reference_V"}
_KNOWN = {"name", "description", "fridge", "search", "primary", "secondary", "bounds", "log_scale", "fixed",
          "uncertain", "sources"}
_KINDS = {"nanotube": Nanotube, "mott_ladder": MottLadder}


class DesignError(ModelError):
    """A design space or design store that cannot be used as asked: one line."""


@dataclass(frozen=True)
class DesignSpace:
    """A parsed design space (module docstring). ``bounds``: name -> (low, high); ``log_scale``: names sampled in
    the logarithm; ``fixed``: name -> value; ``uncertain``: name -> (factor low, factor high); ``sources``: name ->
    text; ``search``: the search's settings."""

    name: str
    base_temperature_K: float
    max_field_T: float
    materials: tuple[str, ...]
    kinds: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    log_scale: tuple[str, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    uncertain: dict[str, tuple[float, float]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    survey_devices: int = 4096
    refine_seeds: int = 4
    refine_evaluations: int = 150
    seed: int = 0
    objective: str = "spin_gap"
    accept: str = "leaning"
    top: int = 5
    description: str = ""

    @property
    def continuous(self) -> tuple[str, ...]:
        """The continuous coordinates, in the order of the unit cube's first dimensions."""
        return tuple(sorted(self.bounds))

    @property
    def coordinates(self) -> tuple[str, ...]:
        """Every dimension of the unit cube: :attr:`continuous`, then ``primary.material`` and ``secondary.kind``
        when there is a choice."""
        extra = (("primary.material",) if len(self.materials) > 1 else ()) + (
            ("secondary.kind",) if len(self.kinds) > 1 else ())
        return self.continuous + extra

    @property
    def target(self) -> str:
        """The phase the objective needs."""
        return OBJECTIVES[self.objective][0]

    def fingerprint(self) -> str:
        """A hash of everything that decides the search's devices and verdicts (not its name, sources or
        presentation)."""
        payload = {k: getattr(self, k) for k in ("base_temperature_K", "max_field_T", "materials", "kinds", "bounds",
                                                 "log_scale", "fixed", "survey_devices", "refine_seeds",
                                                 "refine_evaluations", "seed", "objective", "accept")}
        payload["format"] = FORMAT
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    # --- points ------------------------------------------------------------------------------------------------

    def scale(self, unit: np.ndarray) -> dict[str, np.ndarray]:
        """The physical values of unit-cube rows ``unit[N, d]``: every continuous coordinate (uniform, or uniform in
        the logarithm), ``primary.material`` and ``secondary.kind`` as index arrays."""
        unit = np.atleast_2d(np.asarray(unit, dtype=float))
        out: dict[str, np.ndarray] = {}
        for j, name in enumerate(self.continuous):
            lo, hi = self.bounds[name]
            u = unit[:, j]
            out[name] = np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if name in self.log_scale \
                else lo + u * (hi - lo)
        j = len(self.continuous)
        for name, choices in (("primary.material", self.materials), ("secondary.kind", self.kinds)):
            if len(choices) > 1:
                out[name] = np.minimum((unit[:, j] * len(choices)).astype(int), len(choices) - 1)
                j += 1
            else:
                out[name] = np.zeros(len(unit), dtype=int)
        return out

    def inputs_at(self, row: np.ndarray) -> dict[str, Any]:
        """The dotted inputs of one unit-cube row (its coordinates, the fixed values, the material's and the
        nanotube's derived numbers), before they are a Device."""
        values = {k: v[0] for k, v in self.scale(np.asarray(row)[None, :]).items()}
        material = MATERIALS[self.materials[int(values.pop("primary.material"))]]
        kind = self.kinds[int(values.pop("secondary.kind"))]
        inputs: dict[str, Any] = {"primary.effective_mass": material.effective_mass,
                                  "primary.g_factor": material.g_factor, "primary.material": material.name,
                                  "geometry.epsilon_r": surface_epsilon(material.epsilon_bulk)}
        inputs |= {k: float(v) for k, v in self.fixed.items()} | {k: float(v) for k, v in values.items()}
        if kind == "nanotube" and "secondary.delta0_meV" not in self.fixed and "secondary.delta0_meV" not in values:
            inputs["secondary.delta0_meV"] = nanotube_delta0_meV(inputs.get("secondary.diameter_nm",
                                                                            Nanotube.diameter_nm))
        inputs["secondary.kind"] = kind
        return inputs

    def device_at(self, row: np.ndarray, name: str = "design") -> tuple[Device, float]:
        """The :class:`~pairing1d.devices.device.Device` of one unit-cube row (at the base temperature and the row's
        field) and its gate voltage (V). A ModelError says why a row is no device (a field that opens no window)."""
        inputs = self.inputs_at(row)
        kind = inputs.pop("secondary.kind")
        fraction = inputs.pop(GATE, 0.5)
        spacer = inputs.pop(SPACER, None)
        if spacer is not None:  # centre to centre: the wire's radius, the tube's radius (a ladder: 0), the spacer
            tube = inputs.get("secondary.diameter_nm", Nanotube.diameter_nm) if kind == "nanotube" else 0.0
            radius = inputs.get("primary.radius_nm", PrimaryWire.radius_nm)
            inputs["geometry.separation_nm"] = radius + tube / 2 + spacer
        parts: dict[str, dict[str, Any]] = {"primary": {}, "secondary": {}, "geometry": {}}
        top: dict[str, Any] = {}
        sec_fields = {f.name for f in dataclasses.fields(_KINDS[kind])}
        for key, value in inputs.items():
            head, _, tail = key.partition(".")
            if not tail:
                top[key] = value
            elif head != "secondary" or tail in sec_fields:
                parts[head][tail] = value
        device = Device(primary=PrimaryWire(**parts["primary"]), secondary=_KINDS[kind](**parts["secondary"]),
                        geometry=Geometry(**parts["geometry"]), name=name,
                        temperature_K=self.base_temperature_K, **top)
        sec = device.secondary
        lo, hi = sec.window(device.field_T)
        mu = lo + fraction * (hi - lo)
        gate = sec.gate_offset_V + mu * 1e-3 / sec.lever_arm
        return device, float(gate)

    def device_sources(self, device: Device) -> dict[str, str]:
        """Where a design's every number comes from: the material table, the nanotube's formulas, the space's own
        sources for its bounds and fixed values (with the chosen value's range)."""
        out: dict[str, str] = {}
        material = MATERIALS.get(device.primary.material)
        if material is not None:
            out |= dict(material.sources)
        if isinstance(device.secondary, Nanotube):
            out |= dict(NANOTUBE_SOURCES)
        for name, (lo, hi) in self.bounds.items():
            out[name] = f"design search in [{lo:g}, {hi:g}]: {self.sources[name]}"
        for name in self.fixed:
            out[name] = self.sources[name]
        if SPACER in self.bounds or SPACER in self.fixed:
            out["geometry.separation_nm"] = ("centre to centre: the primary's radius + the tube's radius + the spacer "
                                             f"(geometry.spacer_nm: {self.sources[SPACER]})")
        for name in ("fridge.base_temperature_K", "fridge.max_field_T"):
            out[name] = self.sources[name]
        return out

    def device_uncertain(self, device: Device) -> tuple[tuple[str, float, float], ...]:
        """The written device's ``[uncertain]`` ranges: the space's factors times the device's values, and the
        material's measured :math:`|g|` range."""
        flat = _flatten(device.to_dict())
        out = []
        for name, (f_lo, f_hi) in self.uncertain.items():
            value = flat.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                out.append((name, float(value * f_lo), float(value * f_hi)))
        material = MATERIALS.get(device.primary.material)
        if material is not None and "primary.g_factor" not in self.uncertain and material.g_range[1] > 0:
            out.append(("primary.g_factor", float(material.g_range[0]), float(material.g_range[1])))
        return tuple(out)


def _flatten(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("primary", "secondary", "geometry") and isinstance(value, dict):
            out |= {f"{key}.{k}": v for k, v in value.items()}
        else:
            out[key] = value
    return out


def _pair(where: str, value: Any) -> tuple[float, float]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
            or not value[0] <= value[1]):
        raise DesignError(f"{where} = {value!r} must be [low, high] with finite low <= high")
    return float(value[0]), float(value[1])


def _integer(where: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DesignError(f"{where} = {value!r} is outside the allowed range [{low}, {high}] (an integer)")
    return value


def _choices(where: str, value: Any, allowed) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or any(v not in allowed for v in value) or len(set(value)) < len(
            value):
        raise DesignError(f"{where} = {value!r} must be a list of distinct names among {sorted(allowed)}")
    return tuple(value)


def _source_ok(text: Any) -> bool:
    """A source is a non-empty citation, or ``assumed`` followed by a reason of a few words."""
    if not isinstance(text, str) or len(text.strip()) < 3:
        return False
    head = text.strip().lower()
    return not head.startswith("assumed") or len(head.removeprefix("assumed").strip(" :-—,")) >= 10


def design_space_from_dict(raw: dict[str, Any], source: str = "design space") -> DesignSpace:
    """A :class:`DesignSpace` from the tables of a design-space file, every entry checked (one-line
    :class:`DesignError`)."""
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise DesignError(f"{source}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KNOWN))})")
    tables = {}
    for key in ("fridge", "search", "primary", "secondary", "bounds", "fixed", "uncertain", "sources"):
        table = raw.get(key, {})
        if not isinstance(table, dict):
            raise DesignError(f"{source}: [{key}] must be a table")
        tables[key] = table
    fridge = tables["fridge"]
    bad = sorted(set(fridge) - {"base_temperature_K", "max_field_T"})
    if bad or len(fridge) != 2:
        raise DesignError(f"{source}: [fridge] needs exactly base_temperature_K and max_field_T (got "
                          f"{sorted(fridge)})")
    base_T = fridge["base_temperature_K"]
    max_B = fridge["max_field_T"]
    for name, value, hi in (("base_temperature_K", base_T, 300.0), ("max_field_T", max_B, 100.0)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= hi:
            raise DesignError(f"{source}: fridge.{name} = {value!r} is outside the allowed range (0, {hi:g}]")
    materials = _choices(f"{source}: primary.materials", tables["primary"].get("materials"), MATERIALS)
    if set(tables["primary"]) - {"materials"}:
        raise DesignError(f"{source}: [primary] takes only materials (the wire's other inputs go in [bounds] or "
                          "[fixed])")
    kinds = _choices(f"{source}: secondary.kinds", tables["secondary"].get("kinds"), _KINDS)
    if set(tables["secondary"]) - {"kinds"}:
        raise DesignError(f"{source}: [secondary] takes only kinds (its inputs go in [bounds] or [fixed])")
    allowed = (set(UNCERTAIN_INPUTS) | set(_EXTRA)) - _NOT_BOUNDED
    bounds = {}
    for name, value in tables["bounds"].items():
        if name not in allowed:
            raise DesignError(f"{source}: bounds.{name} is not an input a design may vary (known: "
                              f"{', '.join(sorted(allowed))})")
        bounds[name] = _pair(f"{source}: bounds.{name}", value)
    if SPACER in bounds and ("geometry.separation_nm" in bounds or "geometry.separation_nm" in tables["fixed"]):
        raise DesignError(f"{source}: give geometry.spacer_nm or geometry.separation_nm, not both (the spacer sets "
                          "the separation)")
    if not bounds:
        raise DesignError(f"{source}: [bounds] is empty: name at least one input to vary")
    field_range = bounds.get("field_T", (None, None))
    if field_range[1] is not None and not (0 <= field_range[0] and field_range[1] <= max_B):
        raise DesignError(f"{source}: bounds.field_T = {list(field_range)} is outside the fridge's range "
                          f"[0, {max_B:g}] T (fridge.max_field_T)")
    log_scale = raw.get("log_scale", [])
    if not isinstance(log_scale, list) or any(n not in bounds or bounds[n][0] <= 0 for n in log_scale):
        raise DesignError(f"{source}: log_scale = {log_scale!r} must list bounds whose low end is positive")
    fixed = {}
    for name, value in tables["fixed"].items():
        fixable = set(UNCERTAIN_INPUTS) | _TOP_FIXED | {"field_T", SPACER}
        if name not in fixable:
            raise DesignError(f"{source}: fixed.{name} is not a device input (known: {', '.join(sorted(fixable))})")
        if name in bounds:
            raise DesignError(f"{source}: {name} is both bounded and fixed")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise DesignError(f"{source}: fixed.{name} = {value!r} is not a finite number")
        fixed[name] = float(value)
    if "field_T" not in bounds and "field_T" not in fixed:
        raise DesignError(f"{source}: give field_T in [bounds] or [fixed] (the field that makes the secondary "
                          "spinless; at most fridge.max_field_T)")
    if "field_T" in fixed and not 0 <= fixed["field_T"] <= max_B:
        raise DesignError(f"{source}: fixed.field_T = {fixed['field_T']:g} is outside the fridge's range "
                          f"[0, {max_B:g}] T")
    uncertain = {}
    for name, value in tables["uncertain"].items():
        if name not in UNCERTAIN_INPUTS:
            raise DesignError(f"{source}: uncertain.{name} is not an input a device file may give a range")
        lo, hi = _pair(f"{source}: uncertain.{name}", value)
        if lo <= 0:
            raise DesignError(f"{source}: uncertain.{name} = {value!r}: the factors must be positive")
        uncertain[name] = (lo, hi)
    sources = {str(k): v for k, v in tables["sources"].items()}
    needed = list(bounds) + list(fixed) + ["fridge.base_temperature_K", "fridge.max_field_T"]
    for name in needed:
        if not _source_ok(sources.get(name)):
            raise DesignError(f"{source}: sources.{name} is missing or empty: give its source, or \"assumed: "
                              "<reason>\"")
    search = dict(tables["search"])
    known_search = {"survey_devices", "refine_seeds", "refine_evaluations", "seed", "objective", "accept", "top"}
    if set(search) - known_search:
        raise DesignError(f"{source}: unknown search key(s) {sorted(set(search) - known_search)} (known: "
                          f"{sorted(known_search)})")
    settings = {
        "survey_devices": _integer(f"{source}: search.survey_devices", search.get("survey_devices", 4096), 1,
                                   MAX_SURVEY),
        "refine_seeds": _integer(f"{source}: search.refine_seeds", search.get("refine_seeds", 4), 0,
                                 MAX_REFINE_SEEDS),
        "refine_evaluations": _integer(f"{source}: search.refine_evaluations", search.get("refine_evaluations", 150),
                                       0, MAX_REFINE_EVALUATIONS),
        "seed": _integer(f"{source}: search.seed", search.get("seed", 0), 0, 2**32 - 1),
        "top": _integer(f"{source}: search.top", search.get("top", 5), 1, MAX_TOP),
    }
    objective = search.get("objective", "spin_gap")
    if objective not in OBJECTIVES:
        raise DesignError(f"{source}: search.objective = {objective!r} is outside the allowed values "
                          f"{{{', '.join(map(repr, OBJECTIVES))}}}")
    accept = search.get("accept", "leaning")
    if accept not in ACCEPT:
        raise DesignError(f"{source}: search.accept = {accept!r} is outside the allowed values "
                          f"{{{', '.join(map(repr, ACCEPT))}}}")
    space = DesignSpace(name=str(raw.get("name", "design space")), description=str(raw.get("description", "")),
                        base_temperature_K=float(base_T), max_field_T=float(max_B), materials=materials, kinds=kinds,
                        bounds=bounds, log_scale=tuple(log_scale), fixed=fixed, uncertain=uncertain, sources=sources,
                        objective=objective, accept=accept, **settings)
    _check_corners(space, source)
    return space


def _check_corners(space: DesignSpace, source: str) -> None:
    """Every corner of the box (for every material and kind) must be a valid device: a bound outside a device
    input's own domain is refused now, by name, rather than as thousands of "outside" rows later."""
    d = len(space.coordinates)
    n_cont = len(space.continuous)
    choices = max(len(space.materials), len(space.kinds))
    for corner in (0.0, 1.0 - 1e-12):
        for extra in range(choices):
            row = np.full(d, corner)
            row[n_cont:] = (extra + 0.5) / choices
            try:
                space.device_at(row)
            except ModelError as exc:
                raise DesignError(f"{source}: a corner of the space is no device: {exc}") from None


def read_design_space(path: str | Path) -> DesignSpace:
    """The :class:`DesignSpace` of a design-space file (TOML; module docstring)."""
    from ..support.toml_io import read_toml

    return design_space_from_dict(read_toml(path, "design space", DesignError), source=str(path))


def distinct(space: DesignSpace, unit: np.ndarray, chosen: list[np.ndarray]) -> bool:
    """Whether the design at ``unit`` (unit-cube coordinates) is of another material or secondary kind than every
    design in ``chosen``, or at least :data:`DISTINCT` from it in some continuous coordinate (how seeds and ranked
    designs are kept apart)."""
    cont = len(space.continuous)
    for other in chosen:
        same_kind = np.array_equal(space.scale(unit[None])["primary.material"], space.scale(other[None])[
            "primary.material"]) and np.array_equal(space.scale(unit[None])["secondary.kind"],
                                                    space.scale(other[None])["secondary.kind"])
        if same_kind and np.max(np.abs(unit[:cont] - other[:cont])) < DISTINCT:
            return False
    return True
