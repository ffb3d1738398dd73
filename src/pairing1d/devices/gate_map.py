r"""Gate maps of a device in physical units: phase, gaps in kelvin and the conductance to expect, with their spread.

:func:`gate_map` runs a :class:`~pairing1d.devices.device.Device` over gate voltage (and optionally field and
temperature) through the batched engine (the package's default flow, so every verdict carries its ``controlled`` flag)
and returns an :class:`xarray.Dataset` in physical units with CF attributes. Per point it holds

* ``phase``: the verdict at the temperature (the flow stops at :math:`\ell_{\max} = \ln(\Lambda/k_BT)`), and
  ``phase_T0`` at zero temperature; codes of :data:`PHASE_LABELS` (``outside``: the theory does not apply there,
  ``reason`` says why; ``undetermined``: the strong-coupling step cannot decide);
* ``certainty`` and ``agreement``: how many members of the verdict ensemble (:mod:`pairing1d.theory.ensemble`) give
  ``phase``, and ``ensemble_phase`` (dimension ``member``) the phase under each member at the temperature (a member's
  own zero-temperature verdict, decoupled where its scale lies below the temperature or under the primary's Zeeman
  energy);
* ``spin_gap_K`` and ``trion_scale_K``: the zero-temperature scales :math:`\Lambda e^{-\bar\ell}/k_B` and
  :math:`\Lambda e^{-\bar{\bar\ell}}/k_B` (0: not reached), so that one reads how large a gap is and, from
  ``phase``, whether it is seen at the temperature (in the trion phase the spin sector's scale is the trion scale);
* ``zeeman_closed``: the primary's Zeeman energy :math:`|g|\mu_BB` exceeds the spin gap, which closes it
  (the commensurate-incommensurate transition of the spin sector): the device is then decoupled, and
  ``spin_gap_flow_K`` keeps the gap the flow found (what a primary of smaller g-factor would show);
* ``G_e2h``: the linear conductance at the temperature with the device's weak impurity
  (:func:`pairing1d.theory.transport.linear_conductance`; NaN with ``G_reliable = 0`` beyond the weak-impurity range),
  ``G_cross_e2h`` the cross conductance, ``tunnelling_exponent`` the bulk DOS exponent above any gap;
* the bosonized parameters on the way (:math:`\mu`, :math:`k_F`, :math:`k`, :math:`K_c`, :math:`K`, :math:`y_s^0`,
  :math:`y^0`, :math:`\upsilon`, :math:`\ell^*`, :math:`\ell_m`, :math:`\Lambda`, :math:`\alpha_0`).

:func:`sensitivity` samples the device's uncertain inputs (Latin hypercube or Sobol, :mod:`scipy.stats.qmc`) and
returns the probability of each phase (over the samples *and* the members of each sample's verdict ensemble: the
parameters' and the theory's uncertainty together) and quantiles of the spin gap per gate voltage.
:func:`conductance_curves` gives :math:`G(T)` at chosen gate voltages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import __version__
from ..engine.batch import run_batch
from ..engine.ensemble_batch import run_ensemble
from ..support.environment import provenance_json
from ..support.errors import ModelError
from ..theory.ensemble import CERTAINTIES, MEMBERS, certainty_of, member_name
from ..theory.flow_equations import fields_of
from ..theory.model import Model
from ..theory.phases import PHASES
from ..theory.transport import cross_conductance, impurity_dimension, linear_conductance, tunnelling_exponent
from .device import Device, DevicePoint
from .units import K_B_MEV_PER_K

__all__ = ["PHASE_LABELS", "OUTSIDE", "REGIMES", "MAX_POINTS", "gate_map", "conductance_curves", "sensitivity",
           "to_json", "parse_range", "QUANTILES", "gate_runs", "evaluate_points"]

OUTSIDE = -1
"""Phase code of a point where the theory does not apply (the ``reason`` variable says why)."""

PHASE_LABELS = {OUTSIDE: "outside", **dict(enumerate(PHASES))}
"""Phase codes of gate maps: those of :data:`pairing1d.theory.phases.PHASES` and -1 for ``outside``."""

REGIMES = ("single band", "gapped", "multiband", "depleted", "above bandwidth", "outside", "soliton liquid")
"""Regimes of :class:`~pairing1d.devices.device.DevicePoint`, by code."""

MAX_POINTS = 2_000_000
"""The most device points one gate map or sensitivity study computes (a few minutes on one core)."""

QUANTILES = (0.05, 0.16, 0.5, 0.84, 0.95)
"""Quantiles of the spin gap reported by :func:`sensitivity` (median, 68 % and 90 % bands)."""

_PER_POINT = ("mu_meV", "kF_per_nm", "k_secondary_per_nm", "Kc", "K", "ys0", "y0", "upsilon", "lstar", "lmass",
              "alpha0_nm", "Lambda_K")
_UNITS = {
    "gate_V": ("gate voltage", "V"), "field_T": ("magnetic field along the wires", "T"),
    "temperature_K": ("temperature", "K"), "mu_meV": ("nanotube chemical potential", "meV"),
    "kF_per_nm": ("primary Fermi momentum", "nm-1"), "k_secondary_per_nm": ("secondary Fermi momentum (signed)",
                                                                            "nm-1"),
    "Kc": ("primary charge Luttinger parameter", "1"), "K": ("secondary Luttinger parameter", "1"),
    "ys0": ("bare spin fugacity", "1"), "y0": ("bare inter-wire backscattering fugacity", "1"),
    "upsilon": ("forward coupling", "1"), "lstar": ("incommensurability cutoff l*", "1"),
    "lmass": ("mass cutoff l_m, Eq. (B1)", "1"), "alpha0_nm": ("short-distance cutoff", "nm"),
    "Lambda_K": ("bandwidth", "K"), "spin_gap_K": ("spin gap at T = 0", "K"),
    "trion_scale_K": ("trion scale at T = 0", "K"),
    "spin_gap_flow_K": ("spin gap of the T = 0 flow before the primary's Zeeman energy is compared with it", "K"),
    "G_e2h": ("linear conductance of the primary wire", "e2 h-1"),
    "G_cross_e2h": ("cross conductance into a grounded secondary", "e2 h-1"),
    "zeeman_primary_K": ("Zeeman energy of the primary", "K"),
    "tunnelling_exponent": ("bulk tunnelling DOS exponent of the primary", "1"),
}


def parse_range(text: str, what: str, unit: str) -> np.ndarray:
    """``"A:B:N"`` (N evenly spaced values from A to B) or a single number, as a 1D array; one-line errors."""
    parts = str(text).split(":")
    try:
        if len(parts) == 1:
            values = np.array([float(parts[0])])
        elif len(parts) == 3:
            n = int(parts[2])
            if not 1 <= n <= 100_000:
                raise ModelError(f"{what} = {text!r}: the number of points {n} is outside the allowed range "
                                 "[1, 100000]")
            values = np.linspace(float(parts[0]), float(parts[1]), n)
        else:
            raise ValueError
    except ValueError:
        raise ModelError(f"{what} = {text!r} is not a number or a range START:STOP:N ({unit})") from None
    if not np.all(np.isfinite(values)):
        raise ModelError(f"{what} = {text!r} is not finite ({unit})")
    return values


def evaluate_points(device: Device, points: Sequence[DevicePoint]) -> dict[str, np.ndarray]:
    """Flows and observables of device points (a flat list, of one device or of many: the design search evaluates
    thousands of devices in one batch): the arrays of the module docstring, the batched engine with every point's
    verdict ensemble, the primary's Zeeman closure and the conductance at each point's temperature."""
    n = len(points)
    out: dict[str, np.ndarray] = {
        "phase": np.full(n, OUTSIDE, np.int8), "phase_T0": np.full(n, OUTSIDE, np.int8),
        "controlled": np.zeros(n, np.int8), "spin_gap_K": np.zeros(n), "trion_scale_K": np.zeros(n),
        "zeeman_closed": np.zeros(n, np.int8), "spin_gap_flow_K": np.zeros(n),
        "G_e2h": np.full(n, np.nan), "G_reliable": np.zeros(n, np.int8),
        "G_cross_e2h": np.full(n, np.nan), "tunnelling_exponent": np.full(n, np.nan),
        "zeeman_primary_K": np.full(n, np.nan),
        "regime": np.array([REGIMES.index(p.regime) for p in points], np.int8),
        "certainty": np.full(n, CERTAINTIES.index("undetermined"), np.int8), "agreement": np.zeros(n, np.float32),
        "ensemble_phase": np.full((n, len(MEMBERS)), OUTSIDE, np.int8),
    }
    for name in _PER_POINT:
        out[name] = np.array([np.nan if getattr(p, name) is None else getattr(p, name) for p in points], float)
    out["reason"] = np.array([p.reason or "" for p in points], dtype=object)
    valid = [i for i, p in enumerate(points) if p.ground is not None]
    if not valid:
        return out
    idx = np.array(valid)
    grounds = [points[i].ground for i in valid]
    verdicts = run_ensemble(fields_of(grounds))
    zero = verdicts.reported
    tau = np.array([points[i].T_over_Lambda for i in valid])
    hot = tau >= 1
    warm = [points[i].model for i in valid if 0 < points[i].T_over_Lambda < 1]
    phase_T = zero.phase.copy()
    if warm:
        at_T = run_batch(warm)
        phase_T[(tau > 0) & ~hot] = at_T.phase
    phase_T[hot] = PHASES.index("decoupled")  # k_B T above the bandwidth: nothing flows

    Lambda_K = out["Lambda_K"][idx]
    zeeman_K = np.array([points[i].zeeman_primary_meV for i in valid]) / K_B_MEV_PER_K
    gap_K = zero.spin_gap * Lambda_K
    trion_K = zero.trion_scale * Lambda_K
    gapped = zero.phase != PHASES.index("decoupled")
    # a Zeeman energy above the gap of a spin-gapped phase closes it (the spin sector turns incommensurate)
    gap_for_field = np.where(gap_K > 0, gap_K, trion_K)
    closed = gapped & (zeeman_K > 0) & (zeeman_K >= gap_for_field)
    phase0 = np.where(closed, PHASES.index("decoupled"), zero.phase)
    phase_T = np.where(closed, PHASES.index("decoupled"), phase_T)
    # each member of the ensemble: its own verdict, decoupled where its spin sector's scale lies below the temperature
    # or below the primary's Zeeman energy; at k_B T >= Lambda nothing flows
    members = verdicts.members
    scale_K = verdicts.member_scale * Lambda_K[:, None]
    member_gapped = np.isin(members, [PHASES.index(p) for p in ("paired", "trion", "triplet")])
    lost = member_gapped & ((scale_K <= zeeman_K[:, None]) & (zeeman_K[:, None] > 0)
                            | (verdicts.member_scale <= tau[:, None]))
    members_T = np.where(lost | hot[:, None], PHASES.index("decoupled"), members).astype(np.int8)
    agreement, certainty = certainty_of(phase_T, members_T)

    # conductance at the temperature: the impurity's dimension above and below the phase's gap
    theories = [g.gaussian for g in grounds]  # a property that solves the 2x2 theory: once per point
    kc_eff = np.array([th.C_phi[0, 0] for th in theories])
    kt_eff = np.array([th.C_theta[0, 0] for th in theories])
    d_above = np.array([impurity_dimension("decoupled", k) for k in kc_eff])
    d_below = d_above.copy()
    l_gap = np.full(len(valid), np.inf)
    for j, code in enumerate(phase0):
        name = PHASES[code]
        if name in ("paired", "triplet"):  # the quoted gap (after a hand-over: with the vertex dropped there)
            d_below[j] = impurity_dimension(name, kc_eff[j])
            l_gap[j] = -math.log(zero.spin_gap[j])
        elif name == "trion":
            d_below[j] = impurity_dimension("trion", kc_eff[j], float(zero.Kf[j]), grounds[j].vertex_charge)
            l_gap[j] = -math.log(zero.trion_scale[j])
    G, reliable = linear_conductance(tau, phase=phase0, trion_scale=zero.trion_scale, l_gap=l_gap, d_above=d_above,
                                     d_below=d_below, g_imp=device.impurity)
    # no phase at the temperature, no Table I row: no conductance is quoted (a T = 0 verdict that is undetermined
    # below the temperature leaves the conductance of the decoupled wire above it: l_gap = inf, d_below = d_above)
    unknown = phase_T == PHASES.index("undetermined")
    G = np.where(unknown, np.nan, G)
    reliable = np.where(unknown, 0, reliable)
    out["phase"][idx] = phase_T
    out["phase_T0"][idx] = phase0
    out["controlled"][idx] = zero.controlled
    out["spin_gap_K"][idx] = np.where(closed, 0.0, gap_K)
    out["spin_gap_flow_K"][idx] = gap_K
    out["trion_scale_K"][idx] = np.where(closed, 0.0, trion_K)  # a closed trion is no trion (the reason says)
    out["zeeman_closed"][idx] = closed
    out["G_e2h"][idx] = G
    out["G_reliable"][idx] = reliable
    out["G_cross_e2h"][idx] = np.where(unknown, np.nan, cross_conductance(phase0, tau, zero.trion_scale))
    out["tunnelling_exponent"][idx] = tunnelling_exponent(kc_eff, kt_eff)
    out["zeeman_primary_K"][idx] = zeeman_K
    out["certainty"][idx] = certainty
    out["agreement"][idx] = agreement
    out["ensemble_phase"][idx] = members_T
    for j, i in enumerate(valid):
        if closed[j]:
            out["reason"][i] = (f"the primary's Zeeman energy {zeeman_K[j]:.3g} K exceeds the gap "
                                f"{gap_for_field[j]:.3g} K: the spin gap closes")
    return out


def gate_runs(gate, codes) -> list[tuple[int, float, float, int, int]]:
    """Contiguous runs of equal code along a gate axis: (code, first V, last V, first index, last index)."""
    out, start = [], 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            out.append((int(codes[start]), float(gate[start]), float(gate[i - 1]), start, i - 1))
            start = i
    return out


def _axis(values, what: str, unit: str, low: float, high: float, allow_zero: bool = True) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ModelError(f"{what} must be a non-empty 1D list of finite numbers ({unit})")
    if np.any(arr < low) or np.any(arr > high) or (not allow_zero and np.any(arr == 0)):
        raise ModelError(f"{what} = {arr.min():g}..{arr.max():g} is outside the allowed range [{low:g}, {high:g}] "
                         f"{unit}")
    return arr


def gate_map(device: Device, gate_V, *, field_T=None, temperature_K=None):
    """The device over gate voltage (V), and over field (T) and temperature (K) when those are given as lists;
    a scalar (or None: the device's own) is kept as an attribute. Returns an :class:`xarray.Dataset` with dimensions
    among (``temperature_K``, ``field_T``, ``gate_V``) and the variables of the module docstring."""
    import xarray as xr

    gates = _axis(gate_V, "gate_V", "V", -1e4, 1e4)
    axes: dict[str, np.ndarray] = {}
    fixed: dict[str, float] = {}
    for name, value, default, low, high in (("temperature_K", temperature_K, device.temperature_K, 0.0, 1e5),
                                            ("field_T", field_T, device.field_T, -100.0, 100.0)):
        arr = _axis(default if value is None else value, name, name.split("_")[-1], low, high)
        if np.ndim(value) == 0 or arr.size == 1:
            fixed[name] = float(arr[0])
        else:
            axes[name] = arr
    axes["gate_V"] = gates
    shape = tuple(a.size for a in axes.values())
    grid = np.meshgrid(*axes.values(), indexing="ij")
    coords = {name: g.ravel() for name, g in zip(axes, grid, strict=True)}
    count = int(np.prod(shape))
    if count > MAX_POINTS:
        raise ModelError(f"a gate map of {count} points is outside the allowed size (at most {MAX_POINTS})")
    points = [device.point(coords["gate_V"][i],
                           field_T=coords["field_T"][i] if "field_T" in coords else fixed["field_T"],
                           temperature_K=coords["temperature_K"][i] if "temperature_K" in coords
                           else fixed["temperature_K"]) for i in range(count)]
    data = evaluate_points(device, points)
    dims = tuple(axes)
    ds = xr.Dataset({name: ((*dims, "member") if values.ndim == 2 else dims, values.reshape(shape + values.shape[1:]))
                     for name, values in data.items()},
                    coords={**{name: (name, values) for name, values in axes.items()},
                            "member": ("member", [member_name(m, Model().y_strong) for m in MEMBERS])})
    _annotate(ds, device, fixed)
    return ds


def _annotate(ds, device: Device, fixed: dict[str, float]) -> None:
    """CF attributes: units and long names, flag meanings of the coded variables, the device and the flow."""
    for name, (long_name, unit) in _UNITS.items():
        if name in ds.variables:
            ds[name].attrs.update(long_name=long_name, units=unit)
    for name in ("phase", "phase_T0"):
        ds[name].attrs.update(flag_values=np.array(sorted(PHASE_LABELS), np.int8),
                              flag_meanings=" ".join(PHASE_LABELS[k] for k in sorted(PHASE_LABELS)),
                              long_name="phase at the temperature" if name == "phase" else "phase at T = 0")
    ds["regime"].attrs.update(flag_values=np.arange(len(REGIMES), dtype=np.int8),
                              flag_meanings=" ".join(r.replace(" ", "_") for r in REGIMES),
                              long_name="regime of the device point")
    for name, meaning in (("controlled", "the verdict stays inside the perturbative range"),
                          ("zeeman_closed", "the primary's Zeeman energy closes the spin gap"),
                          ("G_reliable", "the impurity is weak at this temperature (G is quoted)")):
        ds[name].attrs.update(flag_values=np.array([0, 1], np.int8), flag_meanings="no yes", long_name=meaning)
    ds["reason"].attrs["long_name"] = "why the theory does not apply, or what closed the gap"
    ds["certainty"].attrs.update(flag_values=np.arange(len(CERTAINTIES), dtype=np.int8),
                                 flag_meanings=" ".join(CERTAINTIES),
                                 long_name="certainty of phase under the verdict ensemble (pairing1d.theory.ensemble)")
    ds["agreement"].attrs.update(long_name="fraction of the verdict ensemble's members that give phase", units="1")
    ds["ensemble_phase"].attrs.update(flag_values=np.array(sorted(PHASE_LABELS), np.int8),
                                      flag_meanings=" ".join(PHASE_LABELS[k] for k in sorted(PHASE_LABELS)),
                                      long_name="phase at the temperature under each member of the verdict ensemble")
    defaults = Model()  # every device point runs the package's default flow and scheme
    ds.attrs.update(
        Conventions="CF-1.10", title=f"gate map of {device.name}", source=f"pairing1d {__version__}",
        provenance=provenance_json(),
        device=json.dumps(device.to_dict()), impurity=device.impurity, flow=defaults.flow, scheme=defaults.scheme,
        **fixed,
    )


def conductance_curves(device: Device, gate_V: Sequence[float], temperature_K: Sequence[float], *,
                       field_T: float | None = None):
    """:math:`G(T)` (e²/h) of the primary wire at a few gate voltages over a list of temperatures (K): a gate map
    with both axes (:func:`gate_map`)."""
    return gate_map(device, gate_V, field_T=field_T, temperature_K=np.asarray(temperature_K, dtype=float))


def sensitivity(device: Device, gate_V, *, samples: int = 64, method: str = "lhs", seed: int = 0,
                field_T: float | None = None, temperature_K: float | None = None, progress=None):
    """The spread of the verdict over the device's uncertain inputs (``Device.uncertain``): ``samples`` devices from
    a Latin hypercube (``method="lhs"``) or a scrambled Sobol sequence (``"sobol"``) of :mod:`scipy.stats.qmc`,
    uniform in each range, each run over ``gate_V``. Returns an :class:`xarray.Dataset` with the per-sample maps
    (dimensions ``sample``, ``gate_V``), ``phase_probability`` (``phase``, ``gate_V``; ``outside`` included) and
    ``spin_gap_K_quantile`` (``quantile``, ``gate_V``, over all samples: a decoupled sample counts as gap 0).
    ``progress``, if given, is called with the number of samples done after each one. At most
    :data:`MAX_POINTS` device points in all (samples times gate values)."""
    import xarray as xr
    from scipy.stats import qmc

    if not device.uncertain:
        raise ModelError("the device has no [uncertain] ranges: give each uncertain input a range "
                         "(e.g. \"geometry.epsilon_r\" = [3, 6]) to sample")
    if isinstance(samples, bool) or not isinstance(samples, int) or not 2 <= samples <= 4096:
        raise ModelError(f"samples = {samples!r} is outside the allowed range [2, 4096]")
    if method not in ("lhs", "sobol"):
        raise ModelError(f"method = {method!r} is outside the allowed values {{'lhs', 'sobol'}}")
    names = [u[0] for u in device.uncertain]
    low = np.array([u[1] for u in device.uncertain], float)
    high = np.array([u[2] for u in device.uncertain], float)
    sampler = (qmc.LatinHypercube(d=len(names), seed=seed) if method == "lhs"
               else qmc.Sobol(d=len(names), scramble=True, seed=seed))
    unit = sampler.random(samples)
    values = qmc.scale(unit, low, high)
    gates = _axis(gate_V, "gate_V", "V", -1e4, 1e4)
    if samples * gates.size > MAX_POINTS:
        raise ModelError(f"a sensitivity study of {samples} samples x {gates.size} gate values is outside the allowed "
                         f"size (at most {MAX_POINTS} device points)")
    maps = []
    for row in values:
        variant = device.with_inputs({n: float(v) for n, v in zip(names, row, strict=True)})
        maps.append(gate_map(variant, gates, field_T=field_T, temperature_K=temperature_K))
        if progress is not None:
            progress(len(maps))
    ds = xr.concat(maps, dim="sample", data_vars="all", coords="minimal", compat="override",
                   combine_attrs="override")
    ds = ds.assign_coords(sample=np.arange(samples))
    for j, name in enumerate(names):
        ds[f"input_{name}"] = ("sample", values[:, j])
        ds[f"input_{name}"].attrs["long_name"] = f"sampled {name}"
    codes = sorted(PHASE_LABELS)
    # parameters and theory together: every sample's every ensemble member counts once
    prob = np.stack([(ds["ensemble_phase"] == c).mean(("sample", "member")).values for c in codes])
    ds["phase_probability"] = (("phase_label", "gate_V"), prob)
    ds = ds.assign_coords(phase_label=[PHASE_LABELS[c] for c in codes])
    ds["phase_probability"].attrs.update(
        long_name="fraction of (sample, verdict-ensemble member) pairs in each phase at the temperature: the "
                  "parameters' and the theory's uncertainty together", units="1")
    reported = np.stack([(ds["phase"] == c).mean("sample").values for c in codes])
    ds["phase_probability_reported"] = (("phase_label", "gate_V"), reported)
    ds["phase_probability_reported"].attrs.update(
        long_name="fraction of samples whose reported phase is each phase (the parameters' uncertainty alone)",
        units="1")
    ds["spin_gap_K_quantile"] = (("quantile", "gate_V"), np.quantile(ds["spin_gap_K"].values, QUANTILES, axis=0))
    ds = ds.assign_coords(quantile=list(QUANTILES))
    ds["spin_gap_K_quantile"].attrs.update(long_name="quantiles of the spin gap over the samples", units="K")
    ds.attrs.update(sensitivity_method=method, sensitivity_samples=samples, sensitivity_seed=seed,
                    uncertain=json.dumps({n: [float(lo), float(hi)] for n, lo, hi in device.uncertain}))
    return ds


def _listed(values: np.ndarray, missing: Any = None) -> list:
    """A JSON-ready nested list: NaN and non-finite -> ``missing``."""
    arr = np.asarray(values)
    if arr.dtype == object:
        return arr.tolist()
    flat = [missing if (isinstance(v, float) and not math.isfinite(v)) else v for v in arr.ravel().tolist()]
    return np.array(flat, dtype=object).reshape(arr.shape).tolist()


def to_json(ds) -> dict[str, Any]:
    """One JSON-ready object of a gate map: equal-shape lists ``gate_V``, ``phase`` (names), ``phase_T0``,
    ``controlled``, ``spin_gap_K`` and ``trion_scale_K`` (null when not reached), ``G_e2h`` (null beyond the
    weak-impurity range), ``reason``, the bosonized parameters, plus ``Lambda_K`` (one number when it does not
    depend on the gate), ``temperature_K``, ``field_T`` and the device's parameters."""
    names = np.vectorize(lambda c: PHASE_LABELS[int(c)], otypes=[object])
    out: dict[str, Any] = {"dims": list(ds["phase"].dims)}
    for axis in ("temperature_K", "field_T", "gate_V"):
        out[axis] = ds[axis].values.tolist() if axis in ds.dims else ds.attrs.get(axis)
    out["phase"] = names(ds["phase"].values).tolist()
    out["phase_T0"] = names(ds["phase_T0"].values).tolist()
    out["controlled"] = np.where(ds["phase_T0"].values == OUTSIDE, None,
                                 ds["controlled"].values.astype(bool)).tolist()
    outside = ds["phase"].values == OUTSIDE
    out["certainty"] = np.where(outside, None, np.array(CERTAINTIES, dtype=object)[ds["certainty"].values]).tolist()
    out["agreement"] = _listed(np.where(outside, np.nan, ds["agreement"].values.astype(float)))
    for key in ("spin_gap_K", "trion_scale_K"):
        vals = ds[key].values
        out[key] = _listed(np.where(vals > 0, vals, np.nan))
    out["G_e2h"] = _listed(ds["G_e2h"].values)
    out["G_cross_e2h"] = _listed(ds["G_cross_e2h"].values)
    out["zeeman_closed"] = ds["zeeman_closed"].values.astype(bool).tolist()
    out["reason"] = [r or None for r in ds["reason"].values.ravel().tolist()]
    if ds["reason"].ndim > 1:
        out["reason"] = np.array(out["reason"], dtype=object).reshape(ds["reason"].shape).tolist()
    lam = ds["Lambda_K"].values
    finite = lam[np.isfinite(lam)]
    if finite.size and np.allclose(finite, finite[0], rtol=1e-9, atol=0):
        out["Lambda_K"] = float(finite[0])
    else:
        out["Lambda_K"] = _listed(lam)
    for key in _PER_POINT:
        if key != "Lambda_K":
            out[key] = _listed(ds[key].values)
    out["impurity"] = ds.attrs.get("impurity")
    out["flow"], out["scheme"] = ds.attrs.get("flow"), ds.attrs.get("scheme")
    out["device"] = json.loads(ds.attrs["device"])
    if "phase_probability" in ds:
        out["phase_probability"] = {str(p): _listed(ds["phase_probability"].sel(phase_label=p).values)
                                    for p in ds["phase_label"].values}
        out["spin_gap_K_quantile"] = {f"{q:g}": _listed(ds["spin_gap_K_quantile"].sel(quantile=q).values)
                                      for q in ds["quantile"].values}
    return out
