r"""One evaluation of many designs: each unit-cube row of a :class:`~pairing1d.design.space.DesignSpace` becomes a
device at its gate (:meth:`~pairing1d.design.space.DesignSpace.device_at`,
:meth:`pairing1d.devices.device.Device.point`), and all of them go through the gate map's evaluation in one batch (the
batched engine with the verdict ensemble, the primary's Zeeman closure and the conductance at the base temperature:
:mod:`pairing1d.devices.gate_map`).

**Objective and validity.** A design is *feasible* when its phase at the base temperature :math:`T_b` is the
objective's phase (:data:`pairing1d.design.space.OBJECTIVES`), its verdict is controlled and its certainty at
:math:`T_b` is the space's ``accept`` or better. Both conditions of the issue follow: the theory's couplings stay
in range (a point outside the theory has no phase) and the primary's Zeeman energy lies below the gap (the gate
map turns a gap with :math:`E_Z = |g|\mu_BB \ge \Delta` decoupled, each member of the ensemble by its own scale).
Its value is

* ``spin_gap``: :math:`\Delta_s = \Lambda e^{-\bar\ell}` (K, the zero-temperature gap of the paired verdict);
* ``trion_scale``: :math:`\Lambda e^{-\bar{\bar\ell}}` (K);
* ``contrast``: :math:`G_{\rm dec}(T_b) - G(T_b)` (e²/h), the conductance the spin gap takes away with the weak
  impurity: :math:`G = 2[1-g(\ell_T)^2]` with the impurity run with dimension :math:`(K_c+1)/2` above the gap and
  :math:`K_c/2` below it (:func:`pairing1d.theory.transport.linear_conductance`), :math:`G_{\rm dec}` the same wire with
  no gap (:math:`(K_c+1)/2` all the way).

An infeasible design has value 0. The search ranks by the **merit**, :math:`\log_{10}` value when feasible, and
otherwise

.. math::
    -30 + 10f + 5\,\mathrm{clip}\big(1 + \tfrac13\log_{10}[\Delta_{\rm flow}/\max(E_Z, k_BT_b)], 0, 1\big),

:math:`f` the fraction of the ensemble's members that give the objective's phase at :math:`T_b` and
:math:`\Delta_{\rm flow}` the spin sector's scale the flow found before the Zeeman energy and the temperature were
compared with it (0: none): a heuristic for the local refinement only, which climbs towards agreement and towards a
gap above the field's and the fridge's scales where nothing is feasible yet; feasibility itself is never
approximated. ``limit`` says what keeps a design from counting (:data:`LIMITS`).
"""

from __future__ import annotations

import math

import numpy as np

from ..devices.device import DevicePoint
from ..support.errors import ModelError
from ..theory.ensemble import CERTAINTIES
from ..theory.phases import PHASES
from .space import ACCEPT, DesignSpace

__all__ = ["RESULTS", "LIMITS", "evaluate", "merit_of", "feasible_mask", "INFEASIBLE_MERIT"]

LIMITS = ("feasible", "outside the theory", "the primary's Zeeman energy closes the gap",
          "the gap lies below the base temperature", "the ensemble does not agree enough",
          *(f"the verdict is {p}" for p in PHASES))
"""What keeps a design from counting, by code: 0 nothing; 1 no theory there (no window, a coupling out of range,
an empty wire); 2 :math:`E_Z \\ge \\Delta`; 3 gapped at :math:`T = 0` but not at :math:`T_b`; 4 the right phase at
a certainty below ``accept`` (or not controlled); 5+ the verdict at :math:`T_b` is another phase."""

INFEASIBLE_MERIT = -30.0
"""The merit of an infeasible design before its members' share is added (module docstring)."""

RESULTS = {
    "phase": np.int8, "phase_T0": np.int8, "certainty": np.int8, "agreement": np.float32,
    "target_members": np.int8, "controlled": np.int8, "regime": np.int8, "limit": np.int8, "feasible": np.int8,
    "value": np.float64, "merit": np.float64, "spin_gap_K": np.float64, "trion_scale_K": np.float64,
    "spin_gap_flow_K": np.float64, "zeeman_primary_K": np.float64, "G_e2h": np.float64,
    "contrast_e2h": np.float64, "Lambda_K": np.float64, "gate_V": np.float64, "Kc": np.float64, "K": np.float64,
    "ys0": np.float64, "y0": np.float64, "upsilon": np.float64, "lstar": np.float64, "u_ratio": np.float64,
}
"""The per-design results :func:`evaluate` returns and a design store keeps, with their dtypes."""


def _outside(space: DesignSpace, reason: str) -> DevicePoint:
    return DevicePoint(gate_V=math.nan, field_T=math.nan, temperature_K=space.base_temperature_K, mu_meV=math.nan,
                       regime="outside", reason=reason)


def _points(space: DesignSpace, unit: np.ndarray) -> tuple[list[DevicePoint], list]:
    points, devices = [], []
    for row in unit:
        try:
            device, gate = space.device_at(row)
            point = device.point(gate)
        except ModelError as exc:  # a row that is no device (no window at its field): outside, with the reason
            device, point = None, _outside(space, str(exc))
        devices.append(device)
        points.append(point)
    return points, devices


def _decoupled_conductance(points: list[DevicePoint], impurity: float, rows: np.ndarray) -> np.ndarray:
    """:math:`G_{\\rm dec}(T_b)` of the wires ``rows``: their conductance with no gap (module docstring)."""
    from ..theory.transport import impurity_dimension, linear_conductance

    out = np.full(len(points), np.nan)
    for i in rows:
        p = points[i]
        d = impurity_dimension("decoupled", float(p.ground.gaussian.C_phi[0, 0]))
        G, ok = linear_conductance(p.T_over_Lambda, phase=PHASES.index("decoupled"), trion_scale=0.0,
                                   l_gap=math.inf, d_above=d, d_below=d, g_imp=impurity)
        out[i] = float(G) if bool(ok) else np.nan
    return out


def merit_of(feasible: np.ndarray, value: np.ndarray, target_members: np.ndarray, members: int,
             gap_flow_K: np.ndarray, floor_K: np.ndarray) -> np.ndarray:
    """The search's merit (module docstring): :math:`\\log_{10}` value where feasible, else
    :data:`INFEASIBLE_MERIT` plus 10 times the share of members in the objective's phase plus up to 5 for the flow's
    gap against ``floor_K`` (the larger of the Zeeman energy and :math:`k_BT_b`)."""
    ok = feasible & (value > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        good = np.log10(np.where(ok, value, 1.0))
        ratio = np.where((gap_flow_K > 0) & (floor_K > 0), gap_flow_K / np.where(floor_K > 0, floor_K, 1.0), 0.0)
        near = np.clip(1.0 + np.log10(np.where(ratio > 0, ratio, 1e-300)) / 3.0, 0.0, 1.0)
    return np.where(ok, good, INFEASIBLE_MERIT + 10.0 * target_members / members + 5.0 * near)


def feasible_mask(space: DesignSpace, phase, certainty, controlled, value) -> np.ndarray:
    """The one definition of a feasible design (module docstring): the objective's phase at the base temperature,
    controlled, at the space's ``accept`` certainty or better, with a finite positive value."""
    value = np.asarray(value, dtype=float)
    return ((np.asarray(phase) == PHASES.index(space.target)) & (np.asarray(controlled) == 1)
            & (np.asarray(certainty) <= CERTAINTIES.index(space.accept)) & np.isfinite(value) & (value > 0))


def evaluate(space: DesignSpace, unit: np.ndarray) -> dict[str, np.ndarray]:
    """The results (:data:`RESULTS`) of the designs ``unit[N, d]`` (unit-cube rows of ``space``): one batch of the
    gate map's evaluation, the objective, the merit and the limit of each."""
    from ..devices.gate_map import OUTSIDE, evaluate_points

    unit = np.atleast_2d(np.asarray(unit, dtype=float))
    points, devices = _points(space, unit)
    reference = next((d for d in devices if d is not None), None)
    n = len(points)
    if reference is None:
        data = {"phase": np.full(n, OUTSIDE, np.int8), "phase_T0": np.full(n, OUTSIDE, np.int8),
                "regime": np.full(n, 5, np.int8)}
    else:
        data = evaluate_points(reference, points)  # the impurity is the space's one (never a bound)
    target = PHASES.index(space.target)
    phase = data["phase"]
    phase0 = data["phase_T0"]
    out: dict[str, np.ndarray] = {}
    for name in ("spin_gap_K", "trion_scale_K", "spin_gap_flow_K", "zeeman_primary_K", "G_e2h", "Lambda_K", "Kc",
                 "K", "ys0", "y0", "upsilon", "lstar"):
        out[name] = np.asarray(data.get(name, np.full(n, np.nan)), dtype=float)
    out["u_ratio"] = np.array([np.nan if p.u_m_s is None or p.uc_m_s is None else p.u_m_s / p.uc_m_s for p in points])
    out["gate_V"] = np.array([p.gate_V for p in points], dtype=float)
    members = data.get("ensemble_phase", np.full((n, 18), OUTSIDE, np.int8))
    out["target_members"] = (members == target).sum(axis=1).astype(np.int8)
    certainty = np.asarray(data.get("certainty", np.full(n, len(CERTAINTIES) - 1)), dtype=np.int8)
    controlled = np.asarray(data.get("controlled", np.zeros(n)), dtype=np.int8)
    closed = np.asarray(data.get("zeeman_closed", np.zeros(n)), dtype=bool)
    right = phase == target
    if space.objective == "spin_gap":
        value = out["spin_gap_K"]
    elif space.objective == "trion_scale":
        value = out["trion_scale_K"]
    else:
        value = np.full(n, np.nan)
    contrast = np.full(n, np.nan)
    gapped = np.flatnonzero(right)
    if gapped.size and reference is not None:
        contrast[gapped] = (_decoupled_conductance(points, reference.impurity, gapped) - out["G_e2h"])[gapped]
    out["contrast_e2h"] = contrast
    if space.objective == "contrast":
        value = contrast
    feasible = feasible_mask(space, phase, certainty, controlled, value)
    value = np.where(feasible, value, 0.0)
    limit = np.select(
        [feasible, phase0 == OUTSIDE, closed, (phase0 == target) & ~right, right],
        [0, 1, 2, 3, 4], default=5 + np.clip(phase, 0, None))
    out |= {"phase": phase.astype(np.int8), "phase_T0": phase0.astype(np.int8), "certainty": certainty,
            "agreement": np.asarray(data.get("agreement", np.zeros(n)), dtype=np.float32),
            "controlled": controlled, "regime": np.asarray(data["regime"], dtype=np.int8),
            "limit": limit.astype(np.int8), "feasible": feasible.astype(np.int8), "value": value,
            "merit": merit_of(feasible, value, out["target_members"], members.shape[1],
                              np.nan_to_num(out["spin_gap_flow_K"]),
                              np.fmax(np.nan_to_num(out["zeeman_primary_K"]), space.base_temperature_K))}
    return {name: np.asarray(out[name], dtype=dtype) for name, dtype in RESULTS.items()}


assert ACCEPT == CERTAINTIES[:2]  # accept names a certainty by its code: the weakest accepted
