"""``pairing1d lattice ...``: the microscopic lattice model by ED and DMRG, next to the RG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import __version__
from ..lattice.params import COUPLING_NAMES
from ..support.toml_io import read_toml
from . import _format as fmt
from ._app import ComputationFailed, InputError, app, stdout
from .options import JsonOpt, print_json

lattice_app = typer.Typer(help="Lattice model (Hubbard chain + spinless chain) by ED and DMRG, against the RG.",
                          no_args_is_help=True)
app.add_typer(lattice_app, name="lattice")

# one definition of each lattice flag; the commands choose their own defaults
UOpt = Annotated[float, typer.Option("--U", help="Hubbard on-site repulsion / t")]
VOpt = Annotated[float, typer.Option("--V", help="Hubbard nearest-neighbour repulsion / t")]
TsOpt = Annotated[float, typer.Option("--t-s", help="Secondary hopping / t")]
VsOpt = Annotated[float, typer.Option("--V-s", help="Secondary nearest-neighbour repulsion / t")]
Vs2Opt = Annotated[float, typer.Option("--V-s2", help="Secondary next-nearest-neighbour repulsion / t")]
WOpt = Annotated[float, typer.Option("--W", help="On-site inter-chain repulsion / t")]
W1Opt = Annotated[float, typer.Option("--W1", help="Nearest-neighbour inter-chain repulsion / t")]
MethodOpt = Annotated[str, typer.Option("--method", help="ed | dmrg")]
ChiOpt = Annotated[int, typer.Option("--chi", help="DMRG bond dimension")]


def _solver_options(method: str, chi: int) -> dict[str, Any]:
    return {"chi_max": chi} if method == "dmrg" else {}


def _table(title: str, columns) -> Table:
    """A table whose cells wrap, at spaces or inside a word, and are never cut (80 columns, docs/outputs.md)."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col, justify="right", overflow="fold")
    return table


def _comparison_table(title: str, comparisons, quantities, label) -> Table:
    """RG phase and gap next to the lattice's extrapolated quantities, one row per point (``label(point)``)."""
    table = _table(title, ("point", "RG phase", "RG spin gap", *(q.replace("_", " ") for q in quantities),
                           "lattice"))
    for r in comparisons:
        table.add_row(label(r), r.rg_phase, fmt.scale(r.rg_spin_gap, 2),
                      *(f"{r.evidence[q].value:.3g} ± {r.evidence[q].error:.2g}" if q in r.evidence
                        else fmt.NOT_COMPUTED for q in quantities), r.lattice_verdict)
    return table


def _fmt(value: float | None, digits: str = ".3f") -> str:
    return fmt.NOT_COMPUTED if value is None else format(value, digits)


def _no_gap(verdict: str | None) -> str | None:
    """The gap-ratio rule's "decoupled" as what it establishes: no gap above about 0.2 t (docs/lattice.md Sec. 8)."""
    return "gap<0.2t" if verdict == "decoupled" else verdict


def _print_study(study) -> None:
    """The study's tables: lattice evidence and verdict per point, agreement per (flow, scheme), calibrations."""
    from ..lattice.phase_map import COMBOS

    L = max(p.L for p in study.points)
    points = sorted(study.points, key=lambda p: (p.couplings.get("U", 1.0), p.mismatch, p.couplings.get("W", 0)))
    key = ("U", "W", "ns", "m")

    def keys(p) -> tuple[str, ...]:
        return (f"{p.couplings.get('U', 1.0):g}", f"{p.couplings.get('W', 0.0):g}", f"{p.ns:.4g}",
                f"{round(p.mismatch * p.L):d}")

    # three tables of one row per point, so that each fits 80 columns
    verdicts = _table("Lattice phase map (DMRG; m = secondary holes minus electron pairs): the verdicts of the "
                      "gaps, of the lattice (gaps and central charge) and of the RG ((!): not controlled)",
                      (*key, "gaps say", "lattice", "consistent/cic", "paper/printed"))
    charges = _table(f"Central charge c on L = {L} against the chains alone (c_ref)", (*key, "c", "c_ref", "c_ref − c"))
    gaps = _table("Gaps per L (energies in t) against the chains alone (ref); r = gap scaling ratio against the "
                  "chains alone: open > 1.35, closed < 1.2 (correlation lengths below 6.2 and above 9.2 cells at L = "
                  "12, 24): 'gap<0.2t' (no gap above about 0.2t) is the lattice's 'decoupled', a verdict on these "
                  "lengths only",
                  (*key, "Δs per L", "Δs ref", "r_s", "Δsec per L", "Δsec ref", "r_sec"))
    for p in points:
        c, ref = p.central_charge, p.reference
        drop = None if c is None or ref is None else ref.c - c.c
        rg = []
        for label in ("consistent/cic", "paper/printed"):
            r = p.rg.get(label, {})
            rg.append(fmt.NOT_COMPUTED if r.get("phase") is None
                      else r["phase"] + ("" if r.get("controlled") else " (!)"))
        verdicts.add_row(*keys(p), _no_gap(p.gap_phase) or "undecided", _no_gap(p.verdict) or "undecided", *rg)
        charges.add_row(*keys(p), fmt.NOT_COMPUTED if c is None else f"{c.c:.2f} ± {c.error:.2f}",
                        fmt.NOT_COMPUTED if ref is None else f"{ref.c:.2f} ± {ref.error:.2f}", _fmt(drop, ".2f"))
        gaps.add_row(*keys(p), " ".join(f"{v:.3f}" for _, v in sorted(p.spin_gap.items())) or fmt.NOT_COMPUTED,
                     " ".join(f"{v:.3f}" for _, v in sorted(p.spin_gap_reference.items())) or fmt.NOT_COMPUTED,
                     _fmt(p.spin_gap_ratio, ".2f"),
                     " ".join(f"{v:.3f}" for _, v in sorted(p.secondary_gap.items())) or fmt.NOT_COMPUTED,
                     " ".join(f"{v:.3f}" for _, v in sorted(p.secondary_gap_reference.items())) or fmt.NOT_COMPUTED,
                     _fmt(p.secondary_gap_ratio, ".2f"))
    for table in (verdicts, charges, gaps):
        stdout.print(table)
    undecided = [p for p in study.points if p.verdict is None]
    for p in undecided:
        stdout.print(f"  undecided U={p.couplings.get('U', 1.0):g} W={p.couplings.get('W', 0.0):g} "
                     f"ns={p.ns:.4g}: {p.reason}")
    with_bindings = [p for p in study.points if p.bindings.get("pair_binding") or p.bindings.get("trion_binding")]
    if with_bindings:
        t = _table("Bindings (DMRG; t): E_pair = E(N+2) + E(N) - 2E(N+1), E_trion = E(N+2, Nsec-1) + E(N) - "
                   "E(N+2) - E(Nsec-1), per L and extrapolated linearly in 1/L (error: the whole finite-size "
                   "correction of the longest L); the chains alone: E_pair of the Hubbard chain, E_trion = 0",
                   ("U", "W", "ns", "m", "E_pair per L", "alone per L", "E_pair (∞)", "alone (∞)", "E_trion per L",
                    "E_trion (∞)"))
        for p in sorted(with_bindings, key=lambda p: (p.couplings.get("U", 1.0), p.mismatch, p.couplings.get("W", 0))):
            b, ext = p.bindings, p.bindings_extrapolated
            per_L = lambda d: " ".join(f"{v:+.3f}" for _, v in sorted(d.items())) or "—"  # noqa: E731
            ext_s = lambda e: "—" if e is None else f"{e[0]:+.3f} ± {e[1]:.3f}"  # noqa: E731
            t.add_row(f"{p.couplings.get('U', 1.0):g}", f"{p.couplings.get('W', 0.0):g}", f"{p.ns:.4g}",
                      f"{round(p.mismatch * p.L):d}", per_L(b.get("pair_binding", {})),
                      per_L(b.get("pair_binding_reference", {})), ext_s(ext.get("pair_binding")),
                      ext_s(ext.get("pair_binding_reference")), per_L(b.get("trion_binding", {})),
                      ext_s(ext.get("trion_binding")))
        stdout.print(t)
    for calibrated in (False, True):
        agreement = study.agreement(calibrated=calibrated)
        title = ("Agreement with the lattice per flow/scheme (" +
                 ("lattice-calibrated bridge" if calibrated else "first-order bridge") + "; 68 % Wilson interval)")
        t = _table(title, ("flow/scheme", "agree / decided", "fraction", "interval", "resolvable: agree / n",
                           "fraction"))
        for flow, scheme in COMBOS:
            a = agreement[f"{flow}/{scheme}"]
            t.add_row(f"{flow}/{scheme}", f"{a['agree']} / {a['decided']}", _fmt(a["fraction"], ".2f"),
                      f"[{a['interval'][0]:.2f}, {a['interval'][1]:.2f}]",
                      f"{a['agree_resolvable']} / {a['resolvable']}", _fmt(a["fraction_resolvable"], ".2f"))
        stdout.print(t)
    if study.calibrations:
        t = _table("Each chain alone (DMRG, extrapolated in 1/L): the lattice-calibrated bridge",
                   ("chain", "K", "velocity / t", "sizes"))
        for label, cal in study.calibrations.items():
            t.add_row(label, f"{cal['K']:.3f} ± {cal['K_error']:.3f}",
                      f"{cal['velocity']:.3f} ± {cal['velocity_error']:.3f}", ", ".join(map(str, cal["sizes"])))
        stdout.print(t)
    paired = [p for p in study.points if p.verdict == "paired" and p.order.get("dominant")]
    for p in paired:
        o = p.order
        stdout.print(f"  paired U={p.couplings.get('U', 1.0):g} W={p.couplings.get('W', 0.0):g} ns={p.ns:.4g}: "
                     f"eta_pair = {o['eta_pair'][0]:.2f} ± {o['eta_pair'][1]:.2f}, eta_CDW = {o['eta_cdw'][0]:.2f} ± "
                     f"{o['eta_cdw'][1]:.2f} -> {o['dominant']} (RG: {p.rg['consistent/cic'].get('dominant_order')})")
    stdout.print(f"solver time of every stored run: {study.cost_core_hours:.2f} core-hours (the scan file's budget "
                 "counts the runs of its plan: 'lattice scan' prints it)")


def _runs_per_scan(store: Path) -> dict[str, tuple[int, int, int]]:
    """Per scan recorded in the store: its stored runs, the runs of its plan, and its number of lengths."""
    from ..lattice.scan import ScanConfig, plan
    from ..lattice.store import RunStore

    with RunStore(store, mode="r") as runs:
        configs = runs.configs()
        keys = runs.keys()
    out = {}
    for name, raw in configs.items():
        config = ScanConfig.from_dict(raw, source=f"scan {name!r} in {store}")
        tasks = plan(config)
        out[name] = (sum(task.key in keys for task in tasks), len(tasks), len(config.sizes))
    return out


def _what_is_missing(store: Path, counts: dict[str, tuple[int, int, int]] | None = None) -> str:
    """What a store lacks before `lattice report` can say anything: per scan, its stored runs out of its plan."""
    counts = _runs_per_scan(store) if counts is None else counts
    if not counts:
        return "it holds no scan (run 'pairing1d lattice scan FILE --store' first)"
    parts = [f"scan {name!r} has {done} of {total} runs"
             + (" (one length: nothing to extrapolate)" if sizes < 2 else "")
             for name, (done, total, sizes) in counts.items()]
    return "; ".join(parts) + "; a point is reported once all its runs at two or more lengths are stored, a study's " \
        "once the chains alone are too"


def _shown(v: Any) -> str:
    """A solver's convergence datum as text: numbers to 4 digits, flags yes/no, nothing as "—"."""
    if isinstance(v, bool):
        return fmt.yes_no(v)
    if isinstance(v, float):
        return fmt.value(v)
    return fmt.NOT_COMPUTED if v is None else str(v)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"--sizes {text!r} is not a comma-separated list of integers (e.g. 8,12,16)") from None
    if len(sizes) < 2 or min(sizes) < 2:
        raise InputError(f"--sizes {text!r} needs at least two lengths >= 2")
    return sizes


def _points_file(path: Path) -> list[dict[str, Any]]:
    """Points of a TOML file: ``[[point]]`` tables with the couplings, ``n`` and ``ns``."""
    data = read_toml(path, "points file", InputError)
    points = data.get("point")
    if not isinstance(points, list) or not points:
        raise InputError(f"points file {str(path)!r} has no [[point]] tables")
    for i, p in enumerate(points, 1):
        if not isinstance(p, dict):
            raise InputError(f"points file {str(path)!r}: 'point' must be an array of tables ([[point]])")
        unknown = set(p) - set(COUPLING_NAMES) - {"n", "ns"}
        if unknown or "n" not in p or "ns" not in p:
            raise InputError(f"points file {str(path)!r}: a point needs n and ns and may set "
                             f"{', '.join(COUPLING_NAMES)}"
                             + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else ""))
        for name, value in p.items():  # TOML has strings, arrays, dates: only a real number is a coupling
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"points file {str(path)!r}, point {i}: {name} = {value!r} is not a number")
    return points


@lattice_app.command("compare")
def compare(
    U: UOpt = 2.0, V: VOpt = 0.0, t_s: TsOpt = 1.0, V_s: VsOpt = 1.5, V_s2: Vs2Opt = 0.5, W: WOpt = 1.0,
    W1: W1Opt = 0.0,
    n: Annotated[float, typer.Option("--n", help="Electrons per site (primary)")] = 0.5,
    ns: Annotated[float, typer.Option("--ns", help="Fermions per site (secondary); 1 - n/2 = hole-like "
                                                  "commensurate")] = 0.75,
    sizes: Annotated[str, typer.Option("--sizes", help="Chain lengths for the 1/L extrapolation")] = "8,12",
    points: Annotated[Path | None, typer.Option("--points", help="TOML file of \\[\\[point]] tables instead")] = None,
    method: MethodOpt = "dmrg", chi: ChiOpt = 128,
    json_out: JsonOpt = False,
) -> None:
    """For each lattice point: the RG's phase (weak-coupling map) next to the lattice's extrapolated spin gap,
    pair binding energy, secondary gap and trion binding energy, with error bars."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..lattice.compare import QUANTITIES, compare_point

    L_values = _sizes(sizes)
    pts = _points_file(points) if points is not None else [
        {"U": U, "V": V, "t_s": t_s, "V_s": V_s, "V_s2": V_s2, "W": W, "W1": W1, "n": n, "ns": ns}
    ]
    options = _solver_options(method, chi)
    results = []
    n_runs = len(pts) * len(L_values) * 7  # ground, spin, N+1, N+2, N_sec +- 1, (N+2, N_sec-1)
    console = Console(stderr=True)  # the bar, on a terminal only: stdout carries the table or the JSON
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} sectors"),
                  TimeElapsedColumn(), console=console, disable=not console.is_terminal, transient=True) as bar:
        task = bar.add_task(f"lattice ({method})", total=n_runs)
        for p in pts:
            couplings = {k: float(v) for k, v in p.items() if k in COUPLING_NAMES}
            results.append(compare_point(couplings, float(p["n"]), float(p["ns"]), L_values, method,
                                         on_result=lambda _r: bar.advance(task), **options))
    if json_out:
        print_json({"points": [r.to_dict() for r in results], "method": method, "version": __version__}, indent=1)
        return
    stdout.print(_comparison_table(
        f"RG vs lattice ({method}, L = {', '.join(map(str, L_values))}; energies in t)", results, QUANTITIES,
        lambda r: " ".join(f"{k}={v:g}" for k, v in r.couplings.items() if v) + f" n={r.n:g} ns={r.ns:g}"))


@lattice_app.command("solve")
def solve(
    L: Annotated[int, typer.Option("--L", help="Unit cells (chain length)")] = 8,
    N_up: Annotated[int, typer.Option("--N-up", help="Spin-up electrons")] = 2,
    N_dn: Annotated[int, typer.Option("--N-dn", help="Spin-down electrons")] = 2,
    N_sec: Annotated[int, typer.Option("--N-sec", help="Secondary fermions")] = 6,
    U: UOpt = 2.0, V: VOpt = 0.0, t_s: TsOpt = 1.0, V_s: VsOpt = 0.0, V_s2: Vs2Opt = 0.0, W: WOpt = 0.0,
    W1: W1Opt = 0.0, method: MethodOpt = "dmrg", chi: ChiOpt = 128,
    json_out: JsonOpt = False,
) -> None:
    """Ground-state energy of one sector, with the solver's convergence data and (DMRG) the central charge."""
    from ..lattice import LatticeParams, Sector
    from ..lattice.entanglement import central_charge_of, phase_from_central_charge
    from ..lattice.solve import solve_sector

    params = LatticeParams(L=L, U=U, V=V, t_s=t_s, V_s=V_s, V_s2=V_s2, W=W, W1=W1)
    result = solve_sector(params, Sector(N_up, N_dn, N_sec), method, **_solver_options(method, chi))
    fit = central_charge_of(result.observables)
    if json_out:
        extra = {} if fit is None else {"central_charge": fit.to_dict() | {"phase": phase_from_central_charge(fit)}}
        print_json(result.to_dict() | extra | {"version": __version__})
        return
    stdout.print(f"E = {result.energy:.12g}  ({method}, {result.wall_time:.2f} s)")
    stdout.print(" ".join(f"{k}={_shown(v)}" for k, v in result.convergence.items()), highlight=False)
    if fit is not None:
        phase = phase_from_central_charge(fit)
        stdout.print(f"central charge c = {fit.c:.3f} ± {fit.error:.3f} (entanglement, L = {L}; "
                     f"{'undecided' if phase is None else phase}: decoupled 3, paired 2, trion 1; "
                     "the estimate runs below c on short chains)")


@lattice_app.command("scan")
def scan(
    config: Annotated[Path, typer.Argument(help="Scan description (TOML; see pairing1d.lattice.scan)")],
    store: Annotated[Path, typer.Option("--store", help="SQLite file the runs are written to (resumable)")],
    workers: Annotated[int, typer.Option("--workers", help="Local Dask worker processes (0: run in this process)")]
    = 0,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of a running Dask scheduler")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Run every missing (point, size, sector) of a scan, each a Dask task, writing each run to the store as it ends.
    Re-running computes only what is missing; an interrupted scan loses at most the runs in flight. Exit code 1
    (after the summary, with one line: how many failed and the first error) when any run failed."""
    from ..lattice.scan import read_scan_file, run_scan

    if workers < 0:
        raise InputError(f"--workers {workers} is outside the allowed range [0, inf)")
    scans = read_scan_file(config)
    # run_scan starts a local cluster (workers that ignore Ctrl-C, pairing1d.support.dask_cluster) only when runs
    # are missing
    summary = run_scan(scans, store, workers=workers or None, scheduler=scheduler, progress=not json_out)
    if json_out:
        print_json(summary.to_dict() | {"store": str(store), "version": __version__})
    else:
        stdout.print(f"{summary.total} runs: {summary.already_done} already stored, {summary.computed} computed, "
                     f"{summary.failed} failed, in {summary.wall_time:.1f} s -> {store}")
        budget = "no budget" if summary.budget_core_hours is None else f"budget {summary.budget_core_hours:g}"
        stdout.print(f"solver time of the stored runs: {summary.cost_core_hours:.2f} core-hours ({budget})")
        if summary.budget_reached:
            stdout.print("[yellow]budget reached: runs were left unsubmitted; raise budget_core_hours to go on[/]")
    if summary.failed:  # the study is incomplete: a script (make, a batch job) must see it
        tried = summary.computed + summary.failed
        first = " ".join(str(summary.first_error).split())
        first = first if len(first) <= 300 else first[:300] + "..."
        raise ComputationFailed(f"{summary.failed} of {tried} runs failed"
                                + (" (all of them)" if summary.failed == tried else "")
                                + f", the first with {first}; their errors are in the store's 'failures' table, and "
                                "running the same command again retries them")


@lattice_app.command("report")
def report(
    store: Annotated[Path, typer.Argument(help="SQLite store written by 'pairing1d lattice scan'")],
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw gap vs coupling and the 1/L fits (PNG/PDF)")]
    = None,
    json_out: JsonOpt = False,
) -> None:
    """The RG's phase next to the lattice's for every point of the scans in a store: extrapolated gaps per scan
    and, for a study (coupled chains and each chain alone), the phase map from the gaps' finite-size scaling and the
    central charge, with the agreement of every RG flow and scheme; for a spin-stiffness study (coupled scans that
    measured <SzSz>), kappa(L), v_s/K_s, the controls and the verdict of the rule per point, with the RG's
    prediction under every flow. Reads the store only; recomputes nothing."""
    from ..lattice.phase_map import plot_study_map, study_map
    from ..lattice.report import comparisons_from_store, plot_report

    if _is_stiffness_store(store):
        _stiffness_report(store, plot, json_out)
        return
    scans = comparisons_from_store(store)
    study = study_map(store)  # no points unless the store holds the chains alone: a plain scan has its gaps only
    counts = _runs_per_scan(store)
    if not study.points and not any(comps for _, comps in scans):
        raise InputError(f"{store}: nothing to report: {_what_is_missing(store, counts)}")
    if json_out:
        print_json({"scans": [{"config": c.to_dict(), "points": [p.to_dict() for p in comps]} for c, comps in scans],
                    "study": study.to_dict() if study.points else None,
                    "runs": {name: {"stored": done, "planned": total} for name, (done, total, _) in counts.items()},
                    "version": __version__}, indent=1)
    if study.points:
        if not json_out:
            _print_study(study)
        if plot is not None:
            for calibrated, target in ((False, plot), (True, plot.with_name(f"{plot.stem}_calibrated{plot.suffix}"))):
                try:
                    plot_study_map(study, target, calibrated=calibrated)
                except (OSError, ValueError) as exc:
                    raise InputError(f"cannot write plot {str(target)!r}: {exc}") from None
                if not json_out:
                    stdout.print(f"phase map written to {target}")
        if not scans:
            return
    for i, (config, comps) in enumerate(scans):
        if not json_out:
            swept = [k for k, v in config.couplings.items() if len(v) > 1]
            if comps:  # no empty table: the line below says what is missing
                stdout.print(_comparison_table(
                    f"{config.name}: RG vs lattice ({config.method}, L = {', '.join(map(str, config.sizes))}; "
                    "energies in t)", comps, config.quantities,
                    lambda r, swept=swept: " ".join(f"{k}={r.couplings[k]:g}" for k in swept)))
            reported = {tuple(r.couplings.get(k) for k in swept) for r in comps}
            left = [p for p in config.points() if tuple(p.get(k) for k in swept) not in reported]
            if left:
                done, total, _ = counts.get(config.name, (0, 0, 0))
                stdout.print(f"[yellow]{config.name}: {len(left)} of {len(left) + len(comps)} points not reported, "
                             f"their runs are missing ({done} of {total} runs stored): "
                             + ", ".join(" ".join(f"{k}={p[k]:g}" for k in swept) or "the point" for p in left)
                             + "[/]", highlight=False)
        if plot is not None and comps:
            if study.points:  # the phase map has the given name; the per-scan gap plots get their own
                target = plot.with_name(f"{plot.stem}_gaps_{i}{plot.suffix}")
            else:
                target = plot if len(scans) == 1 else plot.with_name(f"{plot.stem}_{i}{plot.suffix}")
            try:
                plot_report(config, comps, target)
            except (OSError, ValueError) as exc:
                raise InputError(f"cannot write plot {str(target)!r}: {exc}") from None
            if not json_out:
                stdout.print(f"plot written to {target}")


def _is_stiffness_store(store: Path) -> bool:
    """Whether ``store`` holds a spin-stiffness study (its errors are left to the ordinary report's reading)."""
    from ..lattice.params import LatticeError
    from ..lattice.stiffness_study import is_stiffness_study
    from ..lattice.store import RunStore

    if not store.is_file():
        return False
    try:
        with RunStore(store, mode="r") as runs:
            return is_stiffness_study(runs.configs())
    except (LatticeError, OSError):
        return False


def _pm(value: float | None, error: float | None, digits: int = 4) -> str:
    if value is None:
        return fmt.NOT_COMPUTED
    return f"{value:.{digits}f}" + ("" if error is None else f" ± {error:.1g}")


def _stiffness_report(store: Path, plot: Path | None, json_out: bool) -> None:
    """``lattice report`` of a spin-stiffness study (:mod:`pairing1d.lattice.stiffness_study`): the store read back."""
    from ..lattice.stiffness_plot import plot_stiffness_study
    from ..lattice.stiffness_study import stiffness_study

    study = stiffness_study(store)
    if not study.points and not study.controls:
        raise InputError(f"{store}: nothing to report yet: no chain has its ground state and reference at any length")
    if json_out:
        print_json(study.to_dict() | {"version": __version__}, indent=1)
    else:
        _print_stiffness(study)
    if plot is not None:
        try:
            plot_stiffness_study(study, plot)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot write plot {str(plot)!r}: {exc}") from None
        if not json_out:
            stdout.print(f"figure written to {plot}")


def _print_stiffness(study) -> None:
    for chain in study.chains:
        t = _table(f"{chain.label} ({chain.kind}; reference: {chain.reference}): kappa = S_s(q1)/S_s^ref(q1), "
                   "K_s proxy = 4 pi S_s(q1)/q1, v_s/K_s = (L+1) gap/pi, rho = gap/gap_ref; errors: the two-chi "
                   "change", ("L", "chi", "kappa", "K_s proxy", "gap / t", "v_s/K_s", "rho", "variance"))
        for L, r in sorted(chain.readings.items()):
            runs = chain.runs.get(L, {}).get("S=0", {})
            top = runs.get(max(runs)) if runs else None
            t.add_row(str(L), ",".join(map(str, r.S_s.chis)), _pm(r.kappa, r.kappa_error), f"{r.ks_proxy:.4f}",
                      _pm(None if r.gap is None else r.gap.value, None if r.gap is None else r.gap.error),
                      _fmt(r.vs_over_Ks, ".4f"), _pm(r.ratio, r.ratio_error),
                      fmt.NOT_COMPUTED if top is None or top.energy_variance is None else f"{top.energy_variance:.0e}")
        stdout.print(t)
        extrapolated = {L: chain.variance_gap(L) for L in sorted(chain.readings)}
        if any(g is not None for g in extrapolated.values()):
            stdout.print("  gap from each sector's energy extrapolated linearly in its variance (two largest chi): "
                         + ", ".join(f"L={L} {g:.4f}" for L, g in extrapolated.items() if g is not None),
                         highlight=False)
    t = _table("Verdict of the rule (three longest lengths: paired if kappa < 1 falls by > 3 sigma while the gap "
               "ratio rises; decoupled if kappa -> 1 with a flat ratio) and the gap fit Delta^2 = Delta_inf^2 + "
               "A^2 Delta_ref^2 (quoted only above 3 sigma); Bethe ansatz: the attractive chain's gap (L = inf)",
               ("chain", "verdict", "vs free chain", "gap fit / t", "Bethe ansatz"))
    for chain in study.chains:
        g = chain.gap_fit
        gap = (fmt.NOT_COMPUTED if g is None else f"{g.gap:.4f} ± {g.gap_error:.1g}" if g.resolved
               else f"< {g.upper_bound:.3g}")
        if g is not None and g.resolved and not study.quotable(chain):
            gap += " (not quotable)"
        exact = _fmt(chain.exact_gap, ".4g")
        if chain.exact_gap and g is not None and g.resolved:  # the controls calibrate the fit
            exact += f" (fit {g.gap / chain.exact_gap:.2g}x)"
        t.add_row(chain.label, chain.verdict.label,
                  fmt.NOT_COMPUTED if chain.verdict_abs is None else chain.verdict_abs.label, gap, exact)
    stdout.print(t)
    floor = study.gap_floor
    if floor is not None:
        stdout.print(f"  the fit finds a gap of up to {floor:.3g} t (3 sigma) in a gapless repulsive control: a fitted "
                     "gap is quoted only above it", highlight=False)
    for chain in study.chains:
        stdout.print(f"  {chain.label}: {chain.verdict.reason}", highlight=False)
    for label, by_L in study.calibration.items():
        if not by_L:
            continue
        t = _table(f"{label}: the attractive chain with the same kappa (U_eff, interpolated between the controls) and "
                   "its spin gap (Bethe ansatz, L = inf; range: U_eff +- its error)",
                   ("L", "kappa", "U_eff / t", "gap / t", "range"))
        for L, e in by_L.items():
            rng = e.get("gap_range")
            t.add_row(L, f"{e['kappa']:.4f}", _pm(e["U_eff"], e["U_eff_error"], 3) if e["U_eff"] is not None
                      else e.get("note", fmt.NOT_COMPUTED), _fmt(e["gap"], ".2g"),
                      fmt.NOT_COMPUTED if not rng else f"{rng[0]:.2g} - {rng[1]:.2g}")
        stdout.print(t)
    def where(v: dict, name: str, low: float, top: float) -> str:
        if v.get(name) is not None:
            return f"{v[name]:.3f}"
        side = v.get(f"{name}_side")
        return {"below": f"> {top:g}", "above": f"< {low:g}"}.get(side, fmt.NOT_COMPUTED)

    for family, entry in study.critical_U.items():
        low, top = min(entry["U"]), max(entry["U"])
        t = _table(f"Lattice U_c at {family}: where kappa = 1 in U (points at U = "
                   f"{', '.join(f'{u:g}' for u in entry['U'])}; '> {top:g}': kappa < 1 at every U)",
                   ("L", "U_c from kappa", "from kappa vs free chain"))
        for L, v in entry["by_length"].items():
            t.add_row(L, where(v, "kappa", low, top), where(v, "kappa_abs", low, top))
        stdout.print(t)
    for label, by_convention in study.rg.items():
        if label == "U_c":
            continue
        every = sorted({int(L) for rows in by_convention.values() for r in rows.values() for L in r.get("ys", {})})
        lengths = every[-3:]  # the rule's lengths (the table shows the longest)
        t = _table(f"RG at {label} (bridge, y0 of the paper; (!) not controlled): y_s(ln L) at the longest L = "
                   f"{lengths[-1] if lengths else ''}, κ_RG = (1 + y_s/2)/(1 + y_s^ref/2) there, the verdict "
                   "ensemble's certainty and agreement (--json: every length)",
                   ("flow/scheme", "phase", "gap / t", "y_s", "κ_RG", "certainty", "agree"))
        for column in t.columns[:2]:  # the labels stay whole; the numbers' columns wrap
            column.no_wrap = True
        for combo, r in by_convention.get("paper", {}).items():
            if r.get("phase") is None:
                t.add_row(combo, fmt.NOT_COMPUTED, r.get("error", ""), *("" for _ in range(len(lengths[-1:]) + 3)))
                continue
            cert = r.get("certainty") or fmt.NOT_COMPUTED
            agree = fmt.NOT_COMPUTED if r.get("agreement") is None else f"{r['agreement']:.2f}"
            t.add_row(combo, r["phase"] + ("" if r["controlled"] else " (!)"), fmt.scale(r["spin_gap"], 2),
                      *(_fmt(r["ys"].get(str(L)), ".3f") for L in lengths[-1:]),
                      _fmt(r["kappa"].get(str(lengths[-1])) if lengths else None, ".3f"), cert, agree)
        stdout.print(t)
        for combo, r in by_convention.get("paper", {}).items():  # each row is computed itself; say if they differ
            flow = combo.split("/")[0]
            others = {s: v for s, v in (r.get("verdict_by_scheme") or {}).items()
                      if by_convention["paper"].get(f"{flow}/{s}", {}).get("phase") not in (None, v)}
            if others:
                stdout.print(f"  {combo}: its verdict_by_scheme differs from the rows: {others}", highlight=False)
        derived = by_convention.get("derived", {})
        stdout.print("  with y0 = 2 sqrt2 W(2kF)/(pi (vF + vs)) (derived from standard bosonization, a device's "
                     "default): " + "; ".join(f"{c} {r.get('phase') or fmt.NOT_COMPUTED}" for c, r in derived.items()),
                     highlight=False)
    for family, by_convention in study.rg.get("U_c", {}).items():
        t = _table(f"RG U_c at {family}: where the verdict turns from a spin gap (paired, trion) to decoupled",
                   ("flow/scheme", "U_c, y0 of the paper", "U_c, derived y0"))
        for combo in by_convention.get("paper", {}):
            cells = []
            for convention in ("paper", "derived"):
                e = by_convention.get(convention, {}).get(combo, {})
                cells.append(_fmt(e.get("U_c"), ".3f") if e.get("U_c") is not None
                             else f"none ({e.get('at_0')} to U = {e.get('U_max', 0):g})")
            t.add_row(combo, *cells)
        stdout.print(t)
    flags = [(c.label, f) for c in study.chains for f in c.flags]
    for label, flag in flags:
        stdout.print(f"  [yellow]flag[/] {label}: {flag}", highlight=False)
    spent = {name: h for name, h in study.cost_by_scan.items() if h > 0}
    waiting = len(study.cost_by_scan) - len(spent)
    stdout.print(f"solver time of every stored run: {study.cost_core_hours:.2f} core-hours; per scan: "
                 + ", ".join(f"{name} {h:.2f}" for name, h in spent.items())
                 + (f"; {waiting} scan(s) without a stored run yet" if waiting else ""), highlight=False)
