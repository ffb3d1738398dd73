r"""The spin-stiffness study read back from its store: every chain's :math:`\kappa(L)` and gap ratio, the rule's
verdict, the controls that calibrate it, and the RG's prediction for the same point (``pairing1d lattice report``).

A *stiffness study* is a store whose coupled scans (both fillings non-zero) measured :math:`\langle S^z_iS^z_j\rangle`
(``options.correlations`` naming ``"SzSz"``), next to scans of the Hubbard chain alone (the spinless chain empty,
:math:`W = W_1 = 0`). The store's runs are grouped into *chains*:

* **points**: the coupled chains at each set of couplings; reference: the Hubbard chain alone at the same
  :math:`t, U, V` and filling (the exact free chain of :func:`.spin_stiffness.free_chain` when :math:`U = V = 0`).
  For :math:`U \ne 0` the point is also read against the free chain, :math:`\kappa_{\rm abs} = S_s/S_s^{\rm free}`:
  the sign of :math:`y_s` itself, where :math:`\kappa` compares it with the chain alone's (which is positive and
  shrinks as :math:`1/\ln L` for :math:`U > 0`);
* **controls**: the Hubbard chains alone with :math:`U \ne 0`, against the free chain: attractive (:math:`U < 0`, a
  spin gap: the rule must say paired) and repulsive (it must not);
* **checks**: the free chain alone by DMRG against the exact one (:math:`\kappa = 1`; its deviation is DMRG's own).

Each run's bond dimension is a ladder (:class:`.spin_stiffness.Ladder`); the convergence of every run is recorded
(energy variance, truncation, sweeps) and flagged when the energy does not fall with :math:`\chi` (a run stuck in a
metastable state), when a run stopped at the sweep limit, or when the error of :math:`\kappa` exceeds
:math:`|\kappa - 1|`, the quantity it decides. The controls calibrate :math:`\kappa(L)` into an effective attraction
:math:`U_{\rm eff}` (the attractive chain with the same :math:`\kappa` at that length) and a gap estimate (that chain's
fitted gap). The RG side, per flow and scheme, is :mod:`.bridge` followed by :func:`pairing1d.theory.phases.phase_of`,
with :math:`y_s(\ell = \ln L)` and the RG's :math:`U_c` (:mod:`.stiffness_rg`). Nothing is recomputed: a report is the
store read back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .bethe import U_MIN, attractive_hubbard
from .compare import base_sector
from .params import LatticeError, LatticeParams
from .scan import ScanConfig, plan
from .spin_stiffness import (
    N_SIGMA,
    FreeChain,
    GapFit,
    Ladder,
    Reading,
    SpinVerdict,
    free_chain,
    gap_fit,
    ladder,
    reading,
    spin_structure_factor,
    spin_verdict,
)
from .store import RunStore

__all__ = ["RunInfo", "Chain", "StiffnessStudy", "is_stiffness_study", "stiffness_study", "calibrate",
           "lattice_critical_U", "positive_control_resolution"]

SPIN_SHIFT = (1, -1, 0)
"""The S^z = 1 sector relative to the base."""
STUCK_TOLERANCE = 1e-8
"""An energy that rises by more than this (in t) from one bond dimension to a larger one flags a stuck run."""


def is_stiffness_study(configs: dict[str, dict[str, Any]]) -> bool:
    """Whether the scans recorded in a store make a stiffness study (module docstring)."""
    for raw in configs.values():
        corr = raw.get("options", {}).get("correlations")
        if (float(raw.get("n", 0)) > 0 and float(raw.get("ns", 0)) > 0 and isinstance(corr, list)
                and "SzSz" in corr):
            return True
    return False


@dataclass(frozen=True)
class RunInfo:
    """The convergence data of one stored run and what the study reads from it."""

    chi: int
    energy: float
    energy_variance: float | None
    truncation: float
    energy_change: float
    sweeps: int
    wall_time: float
    S_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Chain:
    """One chain of the study (module docstring): its readings per length, the rule's verdict, its gap fit, the
    flags raised by its runs and their solver time."""

    kind: str
    couplings: dict[str, float]
    n: float
    ns: float
    reference: str
    readings: dict[int, Reading]
    verdict: SpinVerdict
    gap_fit: GapFit | None
    runs: dict[int, dict[str, dict[int, RunInfo]]]
    flags: list[str]
    cost_seconds: float
    readings_abs: dict[int, Reading] = field(default_factory=dict)
    verdict_abs: SpinVerdict | None = None
    exact_gap: float | None = None
    """The Bethe-ansatz spin gap of an attractive control in the thermodynamic limit (:mod:`.bethe`)."""

    @property
    def U(self) -> float:
        return self.couplings.get("U", 0.0)

    @property
    def label(self) -> str:
        extra = "".join(f" {k}={v:g}" for k, v in self.couplings.items() if k in ("W", "W1", "V") and v)
        where = "coupled" if self.kind == "point" else "alone"
        return f"{where} U={self.U:g}{extra}"

    def variance_gap(self, L: int) -> float | None:
        """The gap from the energies extrapolated linearly in the energy variance (a second witness of the
        two-chi value): E(sigma^2) over the two largest chi of each sector."""
        ends = []
        for sector in ("S=0", "S=1"):
            runs = sorted(self.runs.get(L, {}).get(sector, {}).values(), key=lambda r: r.chi)[-2:]
            if len(runs) < 2 or any(r.energy_variance is None for r in runs):
                return None
            (v1, e1), (v2, e2) = ((r.energy_variance, r.energy) for r in runs)
            ends.append(e2 if v1 == v2 else e2 - v2 * (e1 - e2) / (v1 - v2))
        return ends[1] - ends[0]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind, "couplings": self.couplings, "n": self.n, "ns": self.ns,
                "reference": self.reference, "readings": {str(L): r.to_dict() for L, r in self.readings.items()},
                "verdict": self.verdict.to_dict(),
                "readings_abs": {str(L): r.to_dict() for L, r in self.readings_abs.items()},
                "verdict_abs": None if self.verdict_abs is None else self.verdict_abs.to_dict(),
                "gap_fit": None if self.gap_fit is None else self.gap_fit.to_dict(),
                "variance_gaps": {str(L): self.variance_gap(L) for L in sorted(self.runs)},
                "runs": {str(L): {s: {str(c): r.to_dict() for c, r in by.items()} for s, by in d.items()}
                         for L, d in self.runs.items()},
                "flags": list(self.flags), "cost_seconds": self.cost_seconds, "exact_gap": self.exact_gap}


@dataclass(frozen=True)
class StiffnessStudy:
    """The study (module docstring): points, controls and checks; per point the controls' calibration
    (:func:`calibrate`) and the RG's prediction; the lattice's :math:`U_c` (:func:`lattice_critical_U`); the
    solver time of every stored run, in total and per scan."""

    points: list[Chain]
    controls: list[Chain]
    checks: list[Chain]
    calibration: dict[str, Any]
    rg: dict[str, Any]
    critical_U: dict[str, Any]
    cost_core_hours: float
    cost_by_scan: dict[str, float]

    @property
    def gap_floor(self) -> float | None:
        """The largest gap the fit finds, at 3 sigma, in a gapless (repulsive, :math:`U > 0`) control: the
        marginally irrelevant coupling's logarithms bend :math:`\\Delta(L)^2` against :math:`\\Delta_{\\rm ref}^2`,
        and the fit reads that as a gap. A fitted gap is quoted only above it (:meth:`quotable`)."""
        false = [c.gap_fit.gap + N_SIGMA * c.gap_fit.gap_error for c in self.controls
                 if c.U > 0 and c.gap_fit is not None and c.gap_fit.resolved]
        return max(false) if false else None

    def quotable(self, chain: Chain) -> bool:
        """Whether a chain's fitted gap may be quoted: resolved at 3 sigma and, minus 3 sigma, above
        :attr:`gap_floor`."""
        g, floor = chain.gap_fit, self.gap_floor
        return g is not None and g.resolved and (floor is None or g.gap - N_SIGMA * g.gap_error > floor)

    @property
    def chains(self) -> list[Chain]:
        return [*self.points, *self.controls, *self.checks]

    def to_dict(self) -> dict[str, Any]:
        quotable = {c.label: self.quotable(c) for c in self.chains}
        return {"points": [c.to_dict() for c in self.points], "controls": [c.to_dict() for c in self.controls],
                "checks": [c.to_dict() for c in self.checks], "gap_floor": self.gap_floor, "gap_quotable": quotable,
                "calibration": self.calibration, "rg": self.rg,
                "critical_U": self.critical_U, "cost_core_hours": self.cost_core_hours,
                "cost_by_scan": self.cost_by_scan}


def _key(couplings: dict[str, float]) -> tuple:
    """Every coupling (defaults filled in, floats), without the length."""
    return tuple(sorted((k, v) for k, v in LatticeParams(L=2, **couplings).to_dict().items() if k != "L"))


def _collect(store: RunStore, configs: list[ScanConfig]) -> tuple[dict, dict[str, float], float]:
    """Runs grouped as {(kind, couplings key, n, ns): {L: {"S=0"/"S=1": {chi: SectorResult}}}}, the solver time per
    scan, and in total."""
    groups: dict[tuple, dict[int, dict[str, dict[int, Any]]]] = {}
    by_scan: dict[str, float] = {}
    for config in configs:
        coupled = config.n > 0 and config.ns > 0
        alone = config.n > 0 and config.ns == 0
        spent = 0.0
        for task in plan(config):
            result = store.get(task.key)
            if result is None:
                continue
            spent += result.wall_time or 0.0
            p = task.params.to_dict()
            if not (coupled or (alone and p["W"] == 0 and p["W1"] == 0)):
                continue
            L = task.params.L
            base = base_sector(L, config.n, config.ns)
            tag = "S=0" if task.sector == base else "S=1" if task.sector == base.shifted(*SPIN_SHIFT) else None
            chi = config.options.get("chi_max")
            if tag is None or not isinstance(chi, int):
                continue
            couplings = {k: v for k, v in p.items() if k != "L"}
            key = ("point" if coupled else "alone", _key(couplings), config.n, config.ns)
            groups.setdefault(key, {}).setdefault(L, {}).setdefault(tag, {})[chi] = result
        by_scan[config.name] = spent / 3600.0
    total = math.fsum(row["wall_time"] or 0.0 for row in store.index()) / 3600.0
    return groups, by_scan, total


def _info(result) -> RunInfo:
    c, obs = result.convergence, result.observables
    return RunInfo(chi=int(c.get("chi_max", 0)), energy=float(result.energy),
                   energy_variance=c.get("energy_variance"), truncation=float(c.get("max_truncation_error", 0.0)),
                   energy_change=float(c.get("energy_change", math.nan)), sweeps=int(c.get("sweeps", 0)),
                   wall_time=float(result.wall_time or 0.0),
                   S_s=spin_structure_factor(obs["SzSz"]) if "SzSz" in obs else None)


def _ladders(by_L: dict[int, dict[str, dict[int, Any]]]) -> tuple[dict, dict, dict, list[str], float]:
    """Per length: the S_s ladder (ground state) and the gap ladder (chi where both sectors exist), the run infos,
    the flags raised, and the solver time."""
    S, gaps, infos, flags, cost = {}, {}, {}, [], 0.0
    for L, sectors in sorted(by_L.items()):
        infos[L] = {tag: {chi: _info(r) for chi, r in runs.items()} for tag, runs in sectors.items()}
        cost += sum(i.wall_time for d in infos[L].values() for i in d.values())
        for tag, runs in infos[L].items():
            chis = sorted(runs)
            for lo, hi in zip(chis, chis[1:], strict=False):
                if runs[hi].energy > runs[lo].energy + STUCK_TOLERANCE:
                    flags.append(f"L={L} {tag}: the energy rises from chi={lo} to chi={hi} by "
                                 f"{runs[hi].energy - runs[lo].energy:.1e} t (a stuck run)")
            for chi in chis:
                if runs[chi].sweeps > 40:  # the solver's default limit is 40 (+1 for the initial energy)
                    flags.append(f"L={L} {tag} chi={chi}: stopped at the sweep limit (last change "
                                 f"{runs[chi].energy_change:.1e} t)")
        ground = infos[L].get("S=0", {})
        S_by_chi = {chi: i.S_s for chi, i in ground.items() if i.S_s is not None}
        if S_by_chi:
            S[L] = ladder(S_by_chi)
        spin = infos[L].get("S=1", {})
        common = {chi: spin[chi].energy - ground[chi].energy for chi in set(spin) & set(ground)}
        if common:
            gaps[L] = ladder(common)
    return S, gaps, infos, flags, cost


def _free(L: int, n: float, t: float) -> FreeChain:
    base = base_sector(L, n, 0.0)
    return free_chain(L, base.N_up, base.N_dn, t)


def _readings(S: dict[int, Ladder], gaps: dict[int, Ladder], reference) -> dict[int, Reading]:
    """Readings at every length where the chain and its reference are known; ``reference(L)`` returns
    (S_ref, S_ref_error, gap_ref, gap_ref_error) or None."""
    out = {}
    for L in sorted(S):
        ref = reference(L)
        if ref is None:
            continue
        S_ref, S_err, g_ref, g_err = ref
        out[L] = reading(L, S[L], S_ref, S_err, gaps.get(L), g_ref, g_err)
    return out


def _flag_errors(readings: dict[int, Reading], flags: list[str]) -> None:
    for L, r in sorted(readings.items()):
        if r.kappa_error is not None and r.kappa_error > abs(r.kappa - 1.0):
            flags.append(f"L={L}: the error of kappa ({r.kappa_error:.1e}) exceeds |kappa - 1| = "
                         f"{abs(r.kappa - 1.0):.1e}, the quantity it decides")
        if r.gap is not None and r.gap.error is not None and r.gap.error > 0.1 * abs(r.gap.value):
            flags.append(f"L={L}: the gap's two-chi change ({r.gap.error:.1e}) exceeds 10 % of the gap")


def stiffness_study(store_path: str | Path, rg: bool = True) -> StiffnessStudy:
    """Read a stiffness study (module docstring) from its store, read-only; ``rg`` adds the RG's prediction per point
    (:mod:`.stiffness_rg`). A store that is no stiffness study is a one-line LatticeError."""
    path = Path(store_path)
    if not path.exists():
        raise LatticeError(f"store {str(path)!r} does not exist")
    with RunStore(path, mode="r") as store:
        raw = store.configs()
        if not is_stiffness_study(raw):
            raise LatticeError(f"store {str(path)!r} is no spin-stiffness study (no coupled scan measured SzSz)")
        configs = [ScanConfig.from_dict(c, source=f"scan {name!r} in {path}") for name, c in raw.items()]
        groups, by_scan, total = _collect(store, configs)
    alone: dict[tuple, tuple[dict, dict]] = {}
    parsed = {}
    for (kind, key, n, ns), by_L in groups.items():
        S, gaps, infos, flags, cost = _ladders(by_L)
        parsed[(kind, key, n, ns)] = (S, gaps, infos, flags, cost)
        if kind == "alone":
            c = dict(key)
            alone[(c["t"], c["U"], c["V"], n)] = (S, gaps)
    points, controls, checks = [], [], []
    for (kind, key, n, ns), (S, gaps, infos, flags, cost) in sorted(parsed.items(), key=lambda kv: (kv[0][0],
                                                                                                      kv[0][1])):
        couplings = dict(key)
        t = couplings["t"]

        def free_ref(L, n=n, t=t):
            f = _free(L, n, t)
            return f.S_s, 0.0, f.spin_gap, 0.0

        free_couplings = couplings["U"] == 0 and couplings["V"] == 0
        flags = list(flags)
        if kind == "alone":
            readings = _readings(S, gaps, free_ref)
            _flag_errors(readings, flags)
            exact = None
            if couplings["U"] <= -U_MIN * t and couplings["V"] == 0 and 0 < n < 1:
                exact = attractive_hubbard(couplings["U"] / t, n).spin_gap * t
            chain = Chain(kind="check" if free_couplings else "control", couplings=couplings, n=n, ns=ns,
                          reference="free chain (exact)", readings=readings, verdict=spin_verdict(readings),
                          gap_fit=gap_fit(readings), runs=infos, flags=flags, cost_seconds=cost, exact_gap=exact)
            (checks if free_couplings else controls).append(chain)
            continue
        readings_abs = _readings(S, gaps, free_ref)
        if free_couplings:
            readings, reference = readings_abs, "free chain (exact)"
        else:
            ref_S, ref_gaps = alone.get((t, couplings["U"], couplings["V"], n), ({}, {}))

            def chain_ref(L, ref_S=ref_S, ref_gaps=ref_gaps):
                if L not in ref_S:
                    return None
                g = ref_gaps.get(L)
                return (ref_S[L].value, ref_S[L].error, None if g is None else g.value, None if g is None else g.error)

            readings = _readings(S, gaps, chain_ref)
            reference = f"Hubbard chain alone U={couplings['U']:g} (DMRG)"
        _flag_errors(readings, flags)
        points.append(Chain(kind="point", couplings=couplings, n=n, ns=ns, reference=reference, readings=readings,
                            verdict=spin_verdict(readings), gap_fit=gap_fit(readings), runs=infos, flags=flags,
                            cost_seconds=cost, readings_abs={} if free_couplings else readings_abs,
                            verdict_abs=None if free_couplings else spin_verdict(readings_abs)))
    points.sort(key=lambda c: (c.U, sorted(c.couplings.items())))
    controls.sort(key=lambda c: c.U)
    # the amended rule (spin_verdict's resolution): "decoupled" only where the error could have shown a point paired
    # like the weakest attractive control at that length
    resolution = positive_control_resolution(controls)
    points = [_with_resolution(c, resolution) for c in points]
    controls = [_with_resolution(c, resolution) if c.U > 0 else c for c in controls]
    checks = [_with_resolution(c, resolution) for c in checks]
    calibration = {p.label: calibrate(p, controls) for p in points}
    prediction: dict[str, Any] = {}
    if rg:
        from .stiffness_rg import rg_critical_U, rg_prediction

        for p in points:
            prediction[p.label] = rg_prediction(p.couplings, p.n, p.ns, sorted(p.readings) or sorted(p.runs))
        families = {}
        for p in points:
            families.setdefault((tuple(sorted((k, v) for k, v in p.couplings.items() if k != "U")), p.n, p.ns), p)
        prediction["U_c"] = {_family_label(dict(rest), n, ns): rg_critical_U(dict(rest), n, ns, max(p.runs))
                             for (rest, n, ns), p in families.items()}
    return StiffnessStudy(points=points, controls=controls, checks=checks, calibration=calibration, rg=prediction,
                          critical_U=lattice_critical_U(points), cost_core_hours=total, cost_by_scan=by_scan)


def positive_control_resolution(controls: list[Chain]) -> dict[int, float]:
    r"""Per length, :math:`1 - \kappa` of the weakest attractive control (the smallest, :math:`U < 0`) measured
    there: how far below 1 a paired point's :math:`\kappa` may lie and still be a pairing the study calibrates."""
    out: dict[int, float] = {}
    for c in controls:
        if c.U >= 0:
            continue
        for L, r in c.readings.items():
            out[L] = min(out.get(L, math.inf), 1.0 - r.kappa)
    return out


def _with_resolution(chain: Chain, resolution: dict[int, float]) -> Chain:
    """``chain`` with its verdicts given again under the amended rule (:func:`.spin_stiffness.spin_verdict`)."""
    return replace(chain, verdict=spin_verdict(chain.readings, resolution=resolution),
                   verdict_abs=None if chain.verdict_abs is None
                   else spin_verdict(chain.readings_abs, resolution=resolution))


def _interpolate_root(xs: list[float], ys: list[float], target: float) -> float | None:
    """The x where the piecewise-linear y(x) (xs ascending) first crosses ``target``; None if it does not."""
    for (x0, y0), (x1, y1) in zip(zip(xs, ys, strict=True), list(zip(xs, ys, strict=True))[1:], strict=False):
        if (y0 - target) * (y1 - target) <= 0 and y0 != y1:
            return x0 + (target - y0) * (x1 - x0) / (y1 - y0)
    return None


def calibrate(point: Chain, controls: list[Chain]) -> dict[str, Any]:
    r"""The attractive control with the point's :math:`\kappa` at each length: :math:`U_{\rm eff}(L)` by linear
    interpolation of :math:`\kappa(L; U)` between the controls (and :math:`\kappa = 1` at :math:`U = 0`, exact), with
    the error from :math:`\kappa`'s; and the spin gap of the attractive chain at :math:`U_{\rm eff}` in the
    thermodynamic limit, by the Bethe ansatz (:mod:`.bethe`; None where :math:`U_{\rm eff}` is not attractive), with
    the gaps at :math:`U_{\rm eff} \pm` its error. Uses the point's :math:`\kappa` against the free chain
    (:math:`\kappa_{\rm abs}`) when it has one."""
    attractive = [c for c in controls if c.U < 0 and c.couplings.get("V", 0.0) == 0 and abs(c.n - point.n) < 1e-12]
    readings = point.readings_abs or point.readings
    out: dict[str, Any] = {}
    for L, r in sorted(readings.items()):
        known = sorted([(c.U, c.readings[L].kappa) for c in attractive if L in c.readings] + [(0.0, 1.0)])
        if len(known) < 2:
            continue
        Us, ks = [u for u, _ in known], [k for _, k in known]
        U_eff = _interpolate_root(Us, ks, r.kappa)
        entry: dict[str, Any] = {"kappa": r.kappa, "U_eff": U_eff, "U_eff_error": None, "gap": None,
                                 "controls": {f"{u:g}": k for u, k in known}}
        if U_eff is None:
            entry["note"] = ("kappa above every control's (no attraction)" if r.kappa > max(ks)
                             else "kappa below every control's (beyond the strongest)")
        else:
            lo = _interpolate_root(Us, ks, r.kappa - (r.kappa_error or 0.0))
            hi = _interpolate_root(Us, ks, r.kappa + (r.kappa_error or 0.0))
            spread = [abs(x - U_eff) for x in (lo, hi) if x is not None]
            entry["U_eff_error"] = max(spread) if spread else None
            t = point.couplings.get("t", 1.0)
            err = entry["U_eff_error"] or 0.0
            if 0 < point.n < 1 and U_eff <= -U_MIN * t:
                entry["gap"] = attractive_hubbard(U_eff / t, point.n).spin_gap * t
                entry["gap_range"] = [attractive_hubbard(min(U_eff + err, -U_MIN * t) / t, point.n).spin_gap * t,
                                      attractive_hubbard((U_eff - err) / t, point.n).spin_gap * t]
            elif 0 < point.n < 1 and U_eff < 0:
                entry["note"] = f"|U_eff| < {U_MIN:g} t: a Bethe-ansatz gap below 1e-6 t"
        out[str(L)] = entry
    return out


def _family_label(rest: dict[str, float], n: float, ns: float) -> str:
    """The couplings other than U that define a family of points, and the fillings, as text."""
    return " ".join(f"{k}={v:g}" for k, v in sorted(rest.items()) if k in ("W", "W1", "V") and v) + \
        f" n={n:g} ns={ns:.4g}"


def lattice_critical_U(points: list[Chain]) -> dict[str, Any]:
    r"""Where :math:`\kappa = 1` sits in :math:`U` at each length, for the points that differ only in :math:`U`:
    linear interpolation between the two values of :math:`U` that bracket it (also for :math:`\kappa_{\rm abs}`,
    the sign of :math:`y_s` itself); where no two points bracket it, None and ``"<name>_side"`` says on which side
    of 1 every point lies (``"below"``: :math:`U_c` above the largest :math:`U` computed)."""
    out: dict[str, Any] = {}
    families: dict[tuple, list[Chain]] = {}
    for p in points:
        rest = tuple(sorted((k, v) for k, v in p.couplings.items() if k != "U"))
        families.setdefault((rest, p.n, p.ns), []).append(p)
    for (rest, n, ns), members in families.items():
        members = sorted(members, key=lambda c: c.U)
        if len(members) < 2:
            continue
        label = _family_label(dict(rest), n, ns)
        rows = {}
        lengths = sorted(set.intersection(*(set(m.readings) for m in members)))
        for L in lengths:
            row = {}
            for name, get in (("kappa", lambda m, L=L: m.readings[L].kappa),
                              ("kappa_abs", lambda m, L=L: (m.readings_abs or m.readings)[L].kappa)):
                try:
                    values = [get(m) for m in members]
                except KeyError:
                    row[name] = None
                    continue
                row[name] = _interpolate_root([m.U for m in members], values, 1.0)
                if row[name] is None:
                    row[f"{name}_side"] = "below" if max(values) < 1 else "above" if min(values) > 1 else None
            rows[str(L)] = row
        out[label] = {"U": [m.U for m in members], "by_length": rows}
    return out
