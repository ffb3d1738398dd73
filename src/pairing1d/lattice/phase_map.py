r"""The lattice's phase map of a study next to the RG's, under every flow and cutoff scheme (``lattice report``).

A *study* is a store holding scans of the coupled chains (both fillings non-zero) and of each chain alone (the other
filling zero, :math:`W = W_1 = 0`; :mod:`.calibration`). For every point of the coupled scans:

**Lattice verdict.** Two witnesses must agree.

* *The gaps.* The spin gap and the secondary's charge gap on the coupled chains at two lengths
  :math:`L_1 < L_2`, each divided by the same gap of the decoupled reference (the chains alone: gapless, so its
  gaps carry exactly the open chain's level spacing and band curvature), give the scaling ratio
  :math:`r = [\Delta(L_2)/\Delta_{\rm ref}(L_2)]/[\Delta(L_1)/\Delta_{\rm ref}(L_1)]`. A gapless mode with
  renormalized velocity and Luttinger parameter has :math:`r = 1` up to logarithms; a gap :math:`\Delta_\infty`
  with correlation length :math:`\xi = v/\Delta_\infty` has, for a relativistic particle in a box,
  :math:`\Delta(L)^2 = \Delta_\infty^2 + (\pi v/L)^2`, so
  :math:`r = [1 + (L_2/\pi\xi)^2]^{1/2}/[1 + (L_1/\pi\xi)^2]^{1/2}` and :math:`r \to 2` for
  :math:`\xi \ll L_1` when :math:`L_2 = 2L_1`. The gap is *open* for :math:`r > 1.35` (:math:`\xi < 6.2` cells at
  :math:`L_1 = 12`, :math:`L_2 = 24`: a gap above about :math:`0.2t` for :math:`v \approx 1.4t`), *closed* for
  :math:`r < 1.2` (gapless, or :math:`\xi > 9.2` cells: no gap above about :math:`0.15t` on these lengths), and
  unresolved in between. "Decoupled" here therefore means no gap above about :math:`0.2t`: the attractive Hubbard
  chain alone, with a real spin gap (:math:`0.02t` at :math:`U = -t`, Bethe ansatz), reads closed
  (:mod:`.spin_stiffness` decides the sign of the marginal spin coupling instead). Neither open: decoupled; the spin
  gap only: paired; both: trion; the secondary's alone: none of the paper's phases. The :math:`1/L`
  extrapolations are reported beside them, not used: with two lengths their uncertainty is the whole finite-size
  correction, which left the commensurate trion's 1.4 t secondary gap "not significant".
* *The central charge* of the ground state on the longest chain (:mod:`.entanglement`), read against the decoupled
  reference at the same length and fillings, which is *exact* from the chains alone: at :math:`W = W_1 = 0` the
  ground state is a product, so the entanglement entropies at a cut add, and so do the energies. The drop
  :math:`c_{\rm ref} - c` (uncertainty :math:`\sigma`, the two in quadrature) must be consistent with the number
  :math:`k` of gapped modes: below :math:`1/2 + \sigma` for decoupled, in :math:`[1/2 - \sigma, 3/2 + \sigma]`
  for paired, above :math:`1/2 - \sigma` for trion. Only a lower bound for the trion: a gapped mode whose
  correlation length is a fifth of the chain still adds to :math:`c` (the trion at :math:`U = t`, :math:`W = 2t`,
  commensurate, drops by 1.1, not 2), so on these lengths :math:`c` cannot tell the trion from the paired phase;
  the secondary gap does. The integer reading of the drop alone
  (:func:`.entanglement.phase_from_central_charge`) is reported beside it as ``c_phase``.

Anything else is *undecided*, with the reason.

**RG verdict** per point and per (flow, scheme): :func:`.bridge.bosonize` (first-order bridge, and the
lattice-calibrated one when the chains alone were measured) followed by :func:`pairing1d.theory.phases.phase_of`;
``flow = "paper"`` needs the line (13), onto which the lattice's pure density coupling is moved as the paper does.
A predicted spin gap :math:`v_Fe^{-\bar\ell}` smaller than the reference's finite-size spin gap at the longest
length cannot show on that chain: where the lattice says decoupled, such a point is *unresolvable* for that
scheme; so is a gapped verdict with no scale at all (in the trion phase the scale is the trion scale
:math:`v_Fe^{-\bar{\bar\ell}}`, compared in the same way).

**Agreement** per (flow, scheme): the fraction of decided points whose RG phase is the lattice's, with the 68 %
Wilson interval of a binomial fraction; beside it the fraction over the points the lattice can resolve for that
scheme.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..support.errors import ModelError
from ..theory.model import FLOWS, SCHEMES
from ..theory.phases import phase_of
from .bridge import bosonize
from .calibration import ChainParameters, gaps_of_runs, hubbard_alone, secondary_alone
from .compare import base_sector
from .entanglement import CentralChargeFit, central_charge, central_charge_of, phase_from_central_charge
from .observables import extrapolate
from .params import LatticeError, LatticeParams, Sector, SectorResult
from .scan import ScanConfig
from .store import RunStore, run_key

__all__ = ["COMBOS", "MapPoint", "StudyMap", "study_map", "wilson_interval", "decay_exponent", "plot_study_map"]

COMBOS: tuple[tuple[str, str], ...] = tuple((flow, scheme) for flow in FLOWS for scheme in SCHEMES)
"""Every (flow, scheme) the RG has; the package default first."""

HUBBARD_COUPLINGS = ("t", "U", "V")
SECONDARY_COUPLINGS = ("t_s", "V_s", "V_s2")


def wilson_interval(agree: int, total: int, z: float = 1.0) -> tuple[float, float]:
    r"""Wilson score interval of a binomial fraction ``agree/total`` (``z = 1``: 68 %); (0, 1) when total is 0."""
    if total == 0:
        return 0.0, 1.0
    p = agree / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def decay_exponent(C: Sequence[Sequence[float]], period: int = 1, r_min: int = 2) -> tuple[float, float] | None:
    r"""Power-law exponent :math:`\eta` of :math:`|C(r)| \sim r^{-\eta}` from a correlation matrix of an open
    chain: pairs :math:`(i, j)` placed symmetrically about the centre (least boundary effect), distances
    :math:`r \ge` ``r_min`` that are multiples of ``period`` (the oscillation period, so that an oscillating
    correlation is sampled at its crests), least squares of :math:`\ln|C|` on :math:`\ln r`. Returns
    :math:`(\eta, \sigma_\eta)` or None with fewer than three usable distances."""
    C = np.asarray(C, dtype=float)
    L = C.shape[0]
    rs, values = [], []
    for r in range(r_min, L - 1):
        if r % period:
            continue
        i = (L - 1 - r) // 2
        value = abs(C[i, i + r])
        if value > 1e-14:
            rs.append(r)
            values.append(value)
    if len(rs) < 3:
        return None
    x, y = np.log(rs), np.log(values)
    A = np.column_stack([x, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    residual = y - A @ coef
    sigma = math.sqrt(float(residual @ residual) / max(1, len(x) - 2) * float(np.linalg.inv(A.T @ A)[0, 0]))
    return -float(coef[0]), sigma


@dataclass(frozen=True)
class MapPoint:
    """One point of the study: couplings, fillings, lattice evidence, lattice verdict and the RG's verdicts."""

    couplings: dict[str, float]
    n: float
    ns: float
    L: int
    central_charge: CentralChargeFit | None
    reference: CentralChargeFit | None
    c_phase: str | None
    spin_gap: dict[int, float]
    spin_gap_reference: dict[int, float]
    spin_gap_extrapolated: tuple[float, float] | None
    secondary_gap: dict[int, float]
    secondary_gap_extrapolated: tuple[float, float] | None
    gap_phase: str | None
    secondary_gap_reference: dict[int, float]
    spin_gap_ratio: float | None
    secondary_gap_ratio: float | None
    gaps_small: dict[str, float | None]
    verdict: str | None
    reason: str
    rg: dict[str, dict[str, Any]]
    rg_calibrated: dict[str, dict[str, Any]]
    cost_seconds: float
    max_truncation_error: float
    order: dict[str, Any] = field(default_factory=dict)
    bindings: dict[str, dict[int, float]] = field(default_factory=dict)
    """Pair and trion binding energies per length (``"pair_binding"``, ``"trion_binding"``) and the pair binding of
    the Hubbard chain alone (``"pair_binding_reference"``; the trion binding of decoupled chains is 0 exactly, since
    their energies add)."""

    @property
    def bindings_extrapolated(self) -> dict[str, tuple[float, float] | None]:
        """Each binding extrapolated linearly in 1/L (:func:`~pairing1d.lattice.observables.extrapolate`; with two
        lengths its error is the whole finite-size correction of the longer one)."""
        return {k: _extrapolated(v) for k, v in self.bindings.items()}

    @property
    def spin_gap_open(self) -> bool | None:
        return _open(self.spin_gap_ratio)

    @property
    def secondary_gap_open(self) -> bool | None:
        return _open(self.secondary_gap_ratio)

    @property
    def mismatch(self) -> float:
        r"""Secondary holes minus electron pairs per cell, :math:`1 - n_s - n/2` (0 at the hole-like commensurate
        point; times :math:`L` the number of unlocked holes, whose density sets :math:`\ell^*_1`)."""
        return 1.0 - self.ns - self.n / 2.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "couplings": self.couplings, "n": self.n, "ns": self.ns, "L": self.L, "mismatch": self.mismatch,
            "central_charge": None if self.central_charge is None else self.central_charge.to_dict(),
            "reference_central_charge": None if self.reference is None else self.reference.to_dict(),
            "c_phase": self.c_phase, "spin_gap": {str(k): v for k, v in self.spin_gap.items()},
            "spin_gap_reference": {str(k): v for k, v in self.spin_gap_reference.items()},
            "spin_gap_extrapolated": self.spin_gap_extrapolated, "spin_gap_open": self.spin_gap_open,
            "secondary_gap": {str(k): v for k, v in self.secondary_gap.items()},
            "secondary_gap_extrapolated": self.secondary_gap_extrapolated,
            "secondary_gap_open": self.secondary_gap_open, "gap_phase": self.gap_phase,
            "secondary_gap_reference": {str(k): v for k, v in self.secondary_gap_reference.items()},
            "spin_gap_ratio": self.spin_gap_ratio, "secondary_gap_ratio": self.secondary_gap_ratio,
            "gaps_small": self.gaps_small, "verdict": self.verdict, "reason": self.reason, "rg": self.rg,
            "rg_calibrated": self.rg_calibrated, "cost_seconds": self.cost_seconds,
            "max_truncation_error": self.max_truncation_error, "order": self.order,
            "bindings": {k: {str(L): v for L, v in d.items()} for k, d in self.bindings.items()},
            "bindings_extrapolated": self.bindings_extrapolated,
        }


@dataclass(frozen=True)
class StudyMap:
    """Every point of a study, the chains-alone calibrations, the agreement per (flow, scheme) and the cost."""

    points: list[MapPoint]
    calibrations: dict[str, dict[str, Any]]
    cost_core_hours: float

    def agreement(self, calibrated: bool = False) -> dict[str, dict[str, Any]]:
        """Per ``"flow/scheme"``: decided points, agreeing ones, the fraction and its 68 % Wilson interval, and the
        same over the points the lattice can resolve for that scheme (module docstring)."""
        out = {}
        for flow, scheme in COMBOS:
            label = f"{flow}/{scheme}"
            rows = [(p.verdict, (p.rg_calibrated if calibrated else p.rg).get(label)) for p in self.points
                    if p.verdict is not None]
            rows = [(v, rg) for v, rg in rows if rg is not None and rg.get("phase") is not None]
            agree = sum(v == rg["phase"] for v, rg in rows)
            # a gap the RG predicts below the chain's level spacing cannot show: a lattice "decoupled" there is no
            # disagreement (a gap the lattice does see is resolved, whatever the RG's scale)
            resolvable = [(v, rg) for v, rg in rows if rg.get("resolvable", True) or v != "decoupled"]
            agree_r = sum(v == rg["phase"] for v, rg in resolvable)
            out[label] = {
                "decided": len(rows), "agree": agree, "fraction": agree / len(rows) if rows else None,
                "interval": wilson_interval(agree, len(rows)),
                "resolvable": len(resolvable), "agree_resolvable": agree_r,
                "fraction_resolvable": agree_r / len(resolvable) if resolvable else None,
                "interval_resolvable": wilson_interval(agree_r, len(resolvable)),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"points": [p.to_dict() for p in self.points], "calibrations": self.calibrations,
                "agreement": self.agreement(), "agreement_calibrated": self.agreement(calibrated=True),
                "cost_core_hours": self.cost_core_hours}


def _rg_verdicts(params: LatticeParams, n: float, ns: float, calibration, reference_gap: float | None
                 ) -> dict[str, dict[str, Any]]:
    out = {}
    for flow, scheme in COMBOS:
        label = f"{flow}/{scheme}"
        try:
            bos = bosonize(params, n, ns, calibration=calibration, flow=flow, scheme=scheme,
                           line13=(flow == "paper"))
            result = phase_of(bos.model)
        except ModelError as exc:  # LatticeError is one: a point outside the bridge's or the flow's range
            out[label] = {"phase": None, "error": " ".join(str(exc).split())}
            continue
        gap = None if result.spin_gap is None else result.spin_gap * bos.vF
        # the scale a gapped verdict predicts: the spin gap, or in the trion phase the trion scale; a gapped verdict
        # without any scale cannot be resolved (it used to count as resolvable)
        scale = gap if gap is not None else (None if result.trion_scale is None else result.trion_scale * bos.vF)
        resolvable = result.phase == "decoupled" or (
            scale is not None and (reference_gap is None or scale >= reference_gap))
        out[label] = {"phase": result.phase, "controlled": result.controlled, "spin_gap": gap,
                      "resolvable": resolvable, "dominant_order": result.dominant_order}
    return out


class _Runs:
    """Look runs up in a store by (scan options, params, sector)."""

    def __init__(self, store: RunStore):
        self.store = store

    def get(self, config: ScanConfig, params: LatticeParams, sector: Sector) -> SectorResult | None:
        return self.store.get(run_key(params, sector, config.method, config.options))

    def best(self, configs: Sequence[ScanConfig], params: LatticeParams, sector: Sector) -> SectorResult | None:
        """The run of ``sector`` in any of ``configs`` (the one that measured the most, e.g. with correlations)."""
        found = [r for r in (self.get(c, params, sector) for c in configs) if r is not None]
        return max(found, key=lambda r: len(r.observables), default=None)


def _reference_couplings(couplings: dict[str, float], alone: list[ScanConfig], keep: Sequence[str], filling: str,
                         value: float) -> dict[str, float] | None:
    """The couplings of the chains-alone point that matches ``couplings`` on the chain's own couplings ``keep``
    (and the filling), or None."""
    mine = LatticeParams(L=2, **couplings).to_dict()
    for config in alone:
        if abs(getattr(config, filling) - value) > 1e-12:
            continue
        for point in config.points():
            full = LatticeParams(L=2, **point).to_dict()
            if all(abs(full[k] - mine[k]) < 1e-12 for k in keep) and full["W"] == 0 and full["W1"] == 0:
                return point
    return None


def study_map(store_path: str | Path, margin: float = 0.5) -> StudyMap:
    """Read a study's store back (module docstring); points whose longest-chain ground state is missing are left
    out, and a store without runs of both chains alone is no study (no points). Recomputes nothing: every number
    comes from stored runs."""
    path = Path(store_path)
    if not path.exists():
        raise LatticeError(f"store {str(path)!r} does not exist")
    with RunStore(path, mode="r") as store:
        configs = [ScanConfig.from_dict(raw, source=f"scan {name!r} in {path}")
                   for name, raw in store.configs().items()]
        runs = _Runs(store)
        coupled = [c for c in configs if c.n > 0 and c.ns > 0]
        hub_alone = [c for c in configs if c.ns == 0 and c.n > 0]
        sec_alone = [c for c in configs if c.n == 0 and c.ns > 0]
        lookup_hub, lookup_sec = partial(runs.best, hub_alone), partial(runs.best, sec_alone)
        # group the coupled scans' (size, config) by point
        groups: dict[tuple, dict[int, list[ScanConfig]]] = {}
        if not (hub_alone and sec_alone):
            coupled = []  # without both chains alone there is no reference: not a study
        for config in coupled:
            for point in config.points():
                key = (tuple(sorted(point.items())), config.n, config.ns)
                for L in config.sizes:
                    groups.setdefault(key, {}).setdefault(L, []).append(config)
        calibrations: dict[str, dict[str, Any]] = {}
        points = []
        for (items, n, ns), by_size in groups.items():
            couplings = dict(items)
            L = max(by_size)
            base = base_sector(L, n, ns)
            ground = runs.best(by_size[L], LatticeParams(L=L, **couplings), base)
            if ground is None:
                continue
            points.append(_point(runs, couplings, n, ns, by_size, ground, hub_alone, sec_alone, lookup_hub,
                                 lookup_sec, calibrations, margin))
        cost = math.fsum(row["wall_time"] or 0.0 for row in store.index()) / 3600.0
    return StudyMap(points=points, calibrations=calibrations, cost_core_hours=cost)


def _calibration(calibrations, couplings, n, ns, hub_alone, sec_alone, lookup_hub, lookup_sec):
    """(Hubbard, secondary) ChainParameters for this point, cached by label in ``calibrations``; None if missing."""
    hub_point = _reference_couplings(couplings, hub_alone, HUBBARD_COUPLINGS, "n", n)
    sec_point = _reference_couplings(couplings, sec_alone, SECONDARY_COUPLINGS, "ns", ns)
    if hub_point is None or sec_point is None:
        return None, hub_point, sec_point
    labels = (f"hubbard U={couplings.get('U', 1.0):g} n={n:g}", f"secondary ns={ns:g}")
    try:
        if labels[0] not in calibrations:
            sizes = sorted({L for c in hub_alone for L in c.sizes})
            calibrations[labels[0]] = hubbard_alone(lookup_hub, hub_point, n, sizes).to_dict()
        if labels[1] not in calibrations:
            sizes = sorted({L for c in sec_alone for L in c.sizes})
            calibrations[labels[1]] = secondary_alone(lookup_sec, sec_point, ns, sizes).to_dict()
    except LatticeError:
        return None, hub_point, sec_point
    return (ChainParameters(**calibrations[labels[0]]), ChainParameters(**calibrations[labels[1]])), hub_point, \
        sec_point


def _point(runs, couplings, n, ns, by_size, ground, hub_alone, sec_alone, lookup_hub, lookup_sec, calibrations,
           margin) -> MapPoint:
    L = ground.params.L
    fit = central_charge_of(ground.observables)
    calibration, hub_point, sec_point = _calibration(calibrations, couplings, n, ns, hub_alone, sec_alone,
                                                     lookup_hub, lookup_sec)
    # the decoupled reference: entropies and hoppings of the chains alone add (exact at W = W1 = 0)
    reference = None
    spin_ref: dict[int, float] = {}
    secondary_ref: dict[int, float] = {}
    bindings: dict[str, dict[int, float]] = {"pair_binding": {}, "trion_binding": {}, "pair_binding_reference": {}}
    if hub_point is not None and sec_point is not None:
        hub = lookup_hub(LatticeParams(L=L, **hub_point), base_sector(L, n, 0.0))
        sec = lookup_sec(LatticeParams(L=L, **sec_point), base_sector(L, 0.0, ns))
        if hub is not None and sec is not None and "entropy" in hub.observables and "entropy" in sec.observables:
            S = np.add(hub.observables["entropy"], sec.observables["entropy"])
            reference = central_charge(S, {"hubbard": hub.observables["hopping_hubbard"],
                                           "secondary": sec.observables["hopping_secondary"]})
        for size in sorted(by_size):
            hub_gaps = gaps_of_runs(lookup_hub, LatticeParams(L=size, **hub_point), base_sector(size, n, 0.0))
            sec_gaps = gaps_of_runs(lookup_sec, LatticeParams(L=size, **sec_point), base_sector(size, 0.0, ns))
            if hub_gaps["spin_gap"] is not None:
                spin_ref[size] = hub_gaps["spin_gap"]
            if hub_gaps["pair_binding"] is not None:
                bindings["pair_binding_reference"][size] = hub_gaps["pair_binding"]
            if sec_gaps["secondary_gap"] is not None:
                secondary_ref[size] = sec_gaps["secondary_gap"]
    c_phase = None if fit is None else phase_from_central_charge(fit, margin=margin, reference=reference)
    # the coupled chains' gaps at each length
    spin: dict[int, float] = {}
    secondary: dict[int, float] = {}
    gaps_small: dict[str, float | None] = {}
    cost, trunc = 0.0, 0.0
    for size, configs in sorted(by_size.items()):
        params = LatticeParams(L=size, **couplings)
        base = base_sector(size, n, ns)
        found: dict[Sector, SectorResult] = {}
        for sector in dict.fromkeys(s for config in configs for s in config.sectors(size)):
            result = runs.best(configs, params, sector)
            if result is not None:
                found[sector] = result
                cost += result.wall_time or 0.0
                trunc = max(trunc, float(result.convergence.get("max_truncation_error", 0.0)))
        gaps = gaps_of_runs(lambda _, s, found=found: found.get(s), params, base)
        if gaps["spin_gap"] is not None:
            spin[size] = gaps["spin_gap"]
        if gaps["secondary_gap"] is not None:
            secondary[size] = gaps["secondary_gap"]
        for name in ("pair_binding", "trion_binding"):
            if gaps[name] is not None:
                bindings[name][size] = gaps[name]
        if size == min(by_size):
            gaps_small = {"L": size} | {k: v for k, v in gaps.items()}
    spin_ext, sec_ext = _extrapolated(spin), _extrapolated(secondary)
    spin_ratio, sec_ratio = _scaling_ratio(spin, spin_ref), _scaling_ratio(secondary, secondary_ref)
    spin_open, sec_open = _open(spin_ratio), _open(sec_ratio)
    gap_phase = _gap_phase(spin_open, sec_open)
    verdict, reason = _verdict(fit, reference, gap_phase, spin_open, sec_open, spin_ratio, sec_ratio)
    ref_gap = spin_ref.get(L)
    rg = _rg_verdicts(LatticeParams(L=L, **couplings), n, ns, None, ref_gap)
    rg_cal = {} if calibration is None else _rg_verdicts(LatticeParams(L=L, **couplings), n, ns, calibration,
                                                         ref_gap)
    return MapPoint(couplings=couplings, n=n, ns=ns, L=L, central_charge=fit, reference=reference, c_phase=c_phase,
                    spin_gap=spin, spin_gap_reference=spin_ref, spin_gap_extrapolated=spin_ext,
                    secondary_gap=secondary, secondary_gap_extrapolated=sec_ext, gap_phase=gap_phase,
                    secondary_gap_reference=secondary_ref, spin_gap_ratio=spin_ratio, secondary_gap_ratio=sec_ratio,
                    gaps_small=gaps_small, verdict=verdict, reason=reason, rg=rg, rg_calibrated=rg_cal,
                    cost_seconds=cost, max_truncation_error=trunc, order=_order(ground), bindings=bindings)


def _extrapolated(by_size: dict[int, float]) -> tuple[float, float] | None:
    return extrapolate(sorted(by_size), [by_size[k] for k in sorted(by_size)]) if len(by_size) >= 2 else None


# a gap is open when its reference-normalized scaling ratio exceeds R_OPEN and closed below R_CLOSED (docstring)
R_OPEN, R_CLOSED = 1.35, 1.2


def _scaling_ratio(gap: dict[int, float], reference: dict[int, float]) -> float | None:
    """r = [Delta(L2)/Delta_ref(L2)] / [Delta(L1)/Delta_ref(L1)] for the shortest and longest lengths known on both
    (module docstring); None with fewer than two, or a reference gap that is not positive."""
    sizes = sorted(set(gap) & set(reference))
    if len(sizes) < 2 or reference[sizes[0]] <= 0 or reference[sizes[-1]] <= 0 or gap[sizes[0]] <= 0:
        return None
    return (gap[sizes[-1]] / reference[sizes[-1]]) / (gap[sizes[0]] / reference[sizes[0]])


def _open(ratio: float | None) -> bool | None:
    """True above R_OPEN, False below R_CLOSED, None in between (not resolved on these lengths) or unknown."""
    if ratio is None or R_CLOSED <= ratio <= R_OPEN:
        return None
    return ratio > R_OPEN


def _gap_phase(spin_open: bool | None, secondary_open: bool | None) -> str | None:
    """The phase the two gaps point to (module docstring); None if one is unknown or only the secondary's opens."""
    if spin_open is None or secondary_open is None:
        return None
    return {(False, False): "decoupled", (True, False): "paired", (True, True): "trion"}.get(
        (spin_open, secondary_open))


# c_ref - c must lie in these bounds (each widened by its uncertainty) for the gaps' phase to stand
_DROP_BOUNDS = {"decoupled": (-math.inf, 0.5), "paired": (0.5, 1.5), "trion": (0.5, math.inf)}


def _verdict(fit, reference, gap_phase, spin_open, secondary_open, spin_ratio, secondary_ratio
             ) -> tuple[str | None, str]:
    """The lattice phase when the gaps and the central charge agree (module docstring), else None and why."""
    if fit is None:
        return None, "no entanglement profile"
    if reference is None:
        return None, "no decoupled reference (chains alone missing)"
    if spin_ratio is None or secondary_ratio is None:
        return None, "the spin and secondary gaps are not both known at two lengths with their references"
    words = (f"spin gap {_word(spin_open)} (r = {spin_ratio:.2f}), secondary gap {_word(secondary_open)} "
             f"(r = {secondary_ratio:.2f})")
    if spin_open is None or secondary_open is None:
        return None, f"{words}: not resolved on these lengths"
    if gap_phase is None:
        return None, f"{words}: none of the paper's phases"
    drop, sigma = reference.c - fit.c, math.hypot(fit.error, reference.error)
    low, high = _DROP_BOUNDS[gap_phase]
    if not low - sigma <= drop <= high + sigma:
        return None, f"{words} ({gap_phase}) but c_ref - c = {drop:.2f} +- {sigma:.2f}"
    return gap_phase, f"{words}; c_ref - c = {drop:.2f} +- {sigma:.2f}"


def _word(is_open: bool | None) -> str:
    return {True: "open", False: "closed", None: "unresolved"}[is_open]


def _order(ground: SectorResult) -> dict[str, Any]:
    """Decay exponents of the on-site singlet pair correlation and of the density correlation at its 2k_F crests
    (period 1/(n/2) cells) on the longest chain; Eq. (18)'s comparison: the smaller exponent dominates."""
    obs = ground.observables
    if "pair" not in obs or "nn" not in obs:
        return {}
    L = ground.params.L
    n = (ground.sector.N_up + ground.sector.N_dn) / L
    period = round(2.0 / n) if n > 0 else 1
    pair = decay_exponent(obs["pair"])
    cdw = decay_exponent(obs["nn"], period=period if abs(2.0 / n - period) < 1e-9 else 1)
    out: dict[str, Any] = {"eta_pair": pair, "eta_cdw": cdw, "cdw_period": period}
    if pair is not None and cdw is not None:
        out["dominant"] = "SC" if pair[0] < cdw[0] else "CDW"
    return out


def plot_study_map(study: StudyMap, path: str | Path, calibrated: bool = False) -> Path:
    """One row per value of the couplings other than W; columns: the lattice (colour = verdict, text = c_ref - c
    and its error), then the RG under every (flow, scheme). Axes: W and the mismatch m = L(1 - n_s - n/2) in
    particles on the longest chain. A red cross marks an RG verdict that is not controlled, a black ring an RG
    verdict that disagrees with a decided lattice point; the lattice's undecided points are white."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from ..plotting import PHASE_COLOURS, STYLE, save_figure

    colour = lambda phase: PHASE_COLOURS.get(phase or "undecided", "white")  # noqa: E731  (None: undecided)
    points = study.points
    if not points:
        raise LatticeError("the study holds no point with its ground state on the longest chain yet")
    others = sorted({tuple((k, v) for k, v in sorted(p.couplings.items()) if k != "W") for p in points})
    varying = [k for k in dict(others[0]) if len({dict(o)[k] for o in others}) > 1]
    path = Path(path)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(others), 1 + len(COMBOS), figsize=(2.0 * (1 + len(COMBOS)), 2.3 * len(others)),
                                 squeeze=False, layout="constrained", sharex=True, sharey=True)
        for row, other in enumerate(others):
            mine = [p for p in points if tuple((k, v) for k, v in sorted(p.couplings.items()) if k != "W") == other]
            label = ", ".join(f"{k}={dict(other)[k]:g}" for k in varying) or "all points"
            for col in range(1 + len(COMBOS)):
                ax = axes[row, col]
                for p in mine:
                    x, y = p.couplings.get("W", 0.0), p.mismatch * p.L
                    if col == 0:
                        ax.scatter(x, y, s=260, marker="s", color=colour(p.verdict),
                                   edgecolor="k", lw=0.6)
                        if p.central_charge is not None and p.reference is not None:
                            drop = p.reference.c - p.central_charge.c
                            err = math.hypot(p.central_charge.error, p.reference.error)
                            ax.annotate(f"{drop:.1f}\n±{err:.1f}", (x, y), ha="center", va="center", fontsize=5.5)
                        continue
                    flow, scheme = COMBOS[col - 1]
                    rg = (p.rg_calibrated if calibrated else p.rg).get(f"{flow}/{scheme}", {})
                    phase = rg.get("phase")
                    ax.scatter(x, y, s=260, marker="s", color=colour(phase), edgecolor="k",
                               lw=0.6)
                    if phase is not None and not rg.get("controlled", True):
                        ax.scatter(x, y, s=60, marker="x", color="red", lw=1.2)
                    if p.verdict is not None and phase is not None and phase != p.verdict:
                        ax.scatter(x, y, s=420, marker="o", facecolor="none", edgecolor="k", lw=1.0)
                title = "lattice (c_ref − c)" if col == 0 else "{}/{}".format(*COMBOS[col - 1])
                if row == 0:
                    ax.set_title(title, fontsize=7)
                if col == 0:
                    ax.set_ylabel(f"{label}\nmismatch m (particles)", fontsize=7)
                if row == len(others) - 1:
                    ax.set_xlabel("W / t", fontsize=7)
                ax.margins(0.25)
                ax.tick_params(labelsize=6)
        handles = [Patch(facecolor=colour(k), edgecolor="k", label=k)
                   for k in ("decoupled", "paired", "trion", "triplet", "undecided")]
        fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=7)
        bridge = "lattice-calibrated bridge" if calibrated else "first-order bridge"
        fig.suptitle(f"Phase map: lattice (DMRG, L = {max(p.L for p in points)}) and RG ({bridge}); "
                     "× not controlled, ○ disagrees", fontsize=8)
        save_figure(fig, path)
    return path
