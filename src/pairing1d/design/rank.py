r"""The answer of a design search: its ranked designs, their gate windows, and what limits each.

:func:`rank` orders every evaluated design of a store (survey and refinement): the feasible ones by their value
(largest first), then, when fewer than ``top`` are feasible, the infeasible ones by merit
(:mod:`pairing1d.design.evaluation`), skipping a design closer than :data:`pairing1d.design.space.DISTINCT` (in every
continuous unit-cube coordinate) to a better one of the same material and kind. :func:`gate_window` maps the
design's device over its gate window (:func:`pairing1d.devices.gate_map.gate_map`, :data:`WINDOW_GATES` values plus the
design's own gate) and returns the contiguous gate range around the design's gate where the device stays feasible,
by the one definition :func:`pairing1d.design.evaluation.feasible_mask`. :func:`design_summary` reads everything it says
from the store.

**What limits a design** (:func:`limits_of`): the constraint that decides it
(:data:`pairing1d.design.evaluation.LIMITS`), its margins — the primary's Zeeman energy :math:`E_Z = |g|\mu_BB` and
:math:`k_BT_b` against the gap the flow found, the members that agree — and every continuous coordinate at the edge of
its bound (within 2 % of its range): a bound the optimum presses against is a limit of the space, not of the physics.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from .evaluation import LIMITS, RESULTS, feasible_mask
from .space import OBJECTIVES, DesignSpace, distinct
from .store import CHUNK

__all__ = ["rank", "gate_window", "store_ranking", "design_summary", "limits_of", "stored_space", "WINDOW_GATES",
           "EDGE"]

WINDOW_GATES = 161
"""Gate values of the map that finds a design's gate window."""
EDGE = 0.02
"""A coordinate within this fraction of its range from a bound is at the bound."""


def _all_rows(data: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Every evaluated row: stage (0 survey, 1 refinement), index, unit row, results."""
    n = len(data["survey_unit"])
    done = np.repeat(data["survey_done"].astype(bool), CHUNK)[:n]
    survey = np.flatnonzero(done)
    refine = np.arange(len(data["refine_unit"]))
    stage = np.concatenate([np.zeros(survey.size, np.int8), np.ones(refine.size, np.int8)])
    index = np.concatenate([survey, refine])
    unit = np.concatenate([data["survey_unit"][survey], data["refine_unit"]])
    results = {name: np.concatenate([data[f"survey_{name}"][survey], data[f"refine_{name}"]]) for name in RESULTS}
    return stage, index, unit, results


def rank(space: DesignSpace, data: dict[str, Any]) -> list[tuple[int, int]]:
    """The ``top`` designs as (stage, index) pairs (module docstring)."""

    stage, index, unit, res = _all_rows(data)
    feasible = res["feasible"].astype(bool)
    order = np.lexsort((-res["merit"], -np.where(feasible, res["value"], -np.inf), ~feasible))
    chosen: list[np.ndarray] = []
    out: list[tuple[int, int]] = []
    for i in order:
        if len(out) == space.top:
            break
        if res["limit"][i] == 1:  # outside the theory: nothing to rank
            continue
        if distinct(space, unit[i], chosen):
            chosen.append(unit[i])
            out.append((int(stage[i]), int(index[i])))
    return out


def gate_window(space: DesignSpace, row: np.ndarray) -> tuple[float, float]:
    """The gate range (V) around the design's gate where its device stays feasible (module docstring); NaN, NaN
    when the design's own gate is not feasible."""
    from ..devices.gate_map import gate_map

    device, gate = space.device_at(row)
    gates = np.unique(np.append(np.linspace(*device.gate_window(), WINDOW_GATES), gate))
    ds = gate_map(device, gates)
    # the contrast needs no gap of its own here: a gate counts when its verdict is feasible
    value = {"spin_gap": ds["spin_gap_K"].values, "trion_scale": ds["trion_scale_K"].values}.get(
        space.objective, np.ones(gates.size))
    ok = feasible_mask(space, ds["phase"].values, ds["certainty"].values, ds["controlled"].values, value)
    k = int(np.searchsorted(gates, gate))
    if not ok[k]:
        return math.nan, math.nan
    lo = k
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    hi = k
    while hi < len(gates) - 1 and ok[hi + 1]:
        hi += 1
    return float(gates[lo]), float(gates[hi])


def store_ranking(space: DesignSpace, data: dict[str, Any]) -> None:
    """Rank the store's designs and put them, with their gate windows, in the store (checksummed)."""
    from .store import ranked_checksum

    ranked = rank(space, data)
    windows = []
    for stage, index in ranked:
        row = data["survey_unit" if stage == 0 else "refine_unit"][index]
        windows.append(gate_window(space, row))
    data["ranked_stage"] = np.array([s for s, _ in ranked], np.int8)
    data["ranked_index"] = np.array([i for _, i in ranked], np.int64)
    data["ranked_window"] = np.array(windows, dtype=float).reshape(len(ranked), 2)
    data["meta"]["ranked_checksum"] = ranked_checksum(data)


def limits_of(space: DesignSpace, row: np.ndarray, res: dict[str, Any]) -> list[str]:
    """What limits one design (module docstring): sentences, the deciding constraint first."""
    out = [LIMITS[int(res["limit"])]]
    gap = res["spin_gap_flow_K"]
    if np.isfinite(gap) and gap > 0:
        zeeman = res["zeeman_primary_K"]
        out.append(f"E_Z/gap = {zeeman / gap:.2g}, k_B T_b/gap = {space.base_temperature_K / gap:.2g}")
    if int(res["limit"]) != 1:
        out.append(f"{int(res['target_members'])} of 18 members {space.target}")
    import dataclasses

    from .space import _KINDS

    kind = _KINDS[space.inputs_at(row)["secondary.kind"]]
    used = {f"secondary.{f.name}" for f in dataclasses.fields(kind)}
    for j, name in enumerate(space.continuous):
        if name.startswith("secondary.") and name not in used:  # a coordinate of the other kind of secondary
            continue
        lo, hi = space.bounds[name]
        if row[j] <= EDGE and lo < hi:
            out.append(f"{name} at its low bound {lo:g}")
        elif row[j] >= 1 - EDGE and lo < hi:
            out.append(f"{name} at its high bound {hi:g}")
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def design_summary(ds) -> dict[str, Any]:
    """What a design store says (:func:`pairing1d.design.store.open_design`, verified), from the store alone: the
    evaluations, the share of the survey held back by each limit, the ranked designs with their devices, gate
    windows, values and limits."""
    from ..theory.ensemble import CERTAINTIES
    from ..theory.phases import PHASES
    from .store import load_data, verify

    data = load_data(ds)
    problems = verify(data, repair=False)
    if problems:
        from .space import DesignError

        raise DesignError(f"the design store is damaged ({problems[0]}); run the search again with --resume to "
                          "recompute it")
    space = stored_space(ds)
    stage, index, unit, res = _all_rows(data)
    n_done = int(np.sum(stage == 0))
    survey = stage == 0
    shares = {LIMITS[c]: float(np.mean(res["limit"][survey] == c)) for c in range(len(LIMITS))
              if survey.any() and np.any(res["limit"][survey] == c)}
    ranked = []
    for r, (s, i) in enumerate(zip(data["ranked_stage"], data["ranked_index"], strict=True)):
        row = data["survey_unit" if s == 0 else "refine_unit"][i]
        one = {name: data[f"{'survey' if s == 0 else 'refine'}_{name}"][i] for name in RESULTS}
        device, gate = space.device_at(row, name=f"{space.name}: design {r + 1}")
        inputs = {k: _clean(v) for k, v in space.inputs_at(row).items()}
        ranked.append({
            "rank": r + 1, "stage": "survey" if s == 0 else "refinement", "index": int(i),
            "feasible": bool(one["feasible"]), "value": _clean(one["value"]), "gate_V": _clean(gate),
            "gate_window_V": [_clean(v) for v in data["ranked_window"][r]],
            "phase": "outside" if one["phase"] < 0 else PHASES[int(one["phase"])],
            "certainty": CERTAINTIES[int(one["certainty"])], "agreement": _clean(float(one["agreement"])),
            **{k: _clean(one[k]) for k in ("spin_gap_K", "trion_scale_K", "spin_gap_flow_K", "zeeman_primary_K",
                                           "G_e2h", "contrast_e2h", "Lambda_K", "Kc", "K", "ys0", "y0", "upsilon",
                                           "lstar", "u_ratio")},
            "limits": limits_of(space, row, one), "inputs": inputs, "device": device.to_dict(),
        })
    feasible = res["feasible"].astype(bool)
    best = float(res["value"][feasible].max()) if feasible.any() else None
    return {
        "space": space.name, "objective": space.objective, "objective_unit": OBJECTIVES[space.objective][2],
        "target_phase": space.target, "accept": space.accept,
        "base_temperature_K": space.base_temperature_K, "survey_devices": len(data["survey_unit"]),
        "survey_evaluated": n_done, "refine_evaluated": int(len(data["refine_unit"])),
        "feasible": {"survey": int(feasible[survey].sum()), "refinement": int(feasible[~survey].sum())},
        "best_value": best, "limit_shares": shares, "ranked": ranked,
        "complete": bool(data["survey_done"].all() and len(data["ranked_index"]) > 0),
        "seconds": float(data["meta"]["seconds"]),
    }


def stored_space(ds) -> DesignSpace:
    """The :class:`~pairing1d.design.space.DesignSpace` a design store was computed from (its ``space`` attribute)."""
    raw = json.loads(ds.attrs["space"])
    return DesignSpace(**{k: tuple(v) if k in ("materials", "kinds", "log_scale") else v for k, v in raw.items()}
                       | {"bounds": {k: tuple(v) for k, v in raw["bounds"].items()},
                          "uncertain": {k: tuple(v) for k, v in raw["uncertain"].items()}})
