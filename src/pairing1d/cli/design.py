"""``pairing1d design``: which device to build. A design search over a design space (:mod:`pairing1d.design.search`)
into a resumable store, its ranked answer, and the best devices written as device files with their gate maps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import InputError, app, require, stdout
from .options import JsonOpt, print_json

MEASURABLE_K = 0.01
"""The gap the answer calls measurable (10 mK: a dilution fridge's reach)."""


@app.command("design")
def design_command(
    space_file: Annotated[Path | None, typer.Argument(help="The design space (TOML), e.g. "
                                                           "examples/design_space.toml")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="The search's store (NetCDF; default: SPACE's name "
                                               "with .nc, here). Without SPACE: print what this store says")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted search in --store (what is "
                                                          "stored is verified and reused, not recomputed)")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write the ranked designs here: design_NN.toml (read by "
                                             "`pairing1d device`) and design_NN_gate_map.png")] = None,
    samples: Annotated[int, typer.Option("--samples", help="Sensitivity samples of each written gate map's band "
                                         "(0: none)", min=0, max=256)] = 16,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write the device files only")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Evaluate the space-filling stage on a local Dask "
                                         "cluster of this many processes (0: in this process)", min=0,
                                         max=64)] = 0,
    couplings_plot: Annotated[Path | None, typer.Option("--couplings-plot", help="Draw the designs' K0, ys0 and y0 "
                                                        "against the atlas's robust paired corner (needs --atlas)")
                              ] = None,
    atlas: Annotated[Path | None, typer.Option("--atlas", help="An atlas store (e.g. docs/data/atlas.nc) for "
                                               "--couplings-plot")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Search a design space for the devices with the largest robust pairing gap (or trion scale, or conductance
    contrast) at the fridge's base temperature: a space-filling stage through the batched engine with every
    device's verdict ensemble, a bounded Nelder-Mead refinement of the best few, a ranked table (--json: a list under
    "ranked") and, with --out, the best devices as device files with their gate maps."""
    require("numba", "xarray", "h5netcdf")
    from ..design.rank import design_summary
    from ..design.search import run_design
    from ..design.space import read_design_space
    from ..design.store import open_design
    from ..support.files import check_output_path

    report = None
    if (couplings_plot is None) != (atlas is None):
        raise InputError("--couplings-plot and --atlas go together (the figure sets the designs beside the atlas)")
    if couplings_plot is not None:
        check_output_path(couplings_plot)
        if not atlas.is_file():
            raise InputError(f"--atlas {str(atlas)!r} is not a file (an atlas store: pairing1d atlas run)")
    if space_file is None:
        if store is None:
            raise InputError("give a design space (TOML) to search, or --store STORE to print what a store says")
        if resume:
            raise InputError("--resume continues a search: give its design space too")
    else:
        space = read_design_space(space_file)
        store = store if store is not None else Path(space_file.stem + ".nc")
        check_output_path(store)
        if out is not None and out.exists() and not out.is_dir():
            raise InputError(f"--out {str(out)!r} is a file; give a folder")
        report = _run(run_design, space, store, resume, workers)
    ds = open_design(store)
    summary = design_summary(ds)
    if space_file is None:
        from ..design.rank import stored_space

        space = stored_space(ds)
    written = None
    if out is not None:
        written = _write(summary, space, out, samples, not no_figures)
    result = summary | {"store": str(store), "written": written}
    if report is not None:
        result["search"] = {"chunks_computed": report.chunks_computed, "chunks_reused": report.chunks_reused,
                            "evaluations_computed": report.evaluations_computed,
                            "evaluations_reused": report.evaluations_reused, "repaired": report.repaired,
                            "seconds": report.seconds}
    if couplings_plot is not None:
        from ..design.plot import plot_couplings_against_atlas
        from ..paper.atlas import open_atlas

        try:
            plot_couplings_against_atlas(ds, open_atlas(atlas), couplings_plot)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot write --couplings-plot {str(couplings_plot)!r}: {exc}") from None
        result["couplings_plot"] = str(couplings_plot)
    if json_out:
        print_json(result)
        return
    _print(result)
    if couplings_plot is not None:
        stdout.print(f"figure written to {couplings_plot}")


def _bar():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)  # the bar on a terminal only: stdout carries the table or the JSON
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)


def _run(run_design, space, store, resume, workers):
    with _bar() as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return run_design(space, store, resume=resume, progress=progress, workers=workers)


def _write(summary, space, out, samples, figures):
    from ..design.output import write_designs

    with _bar() as bar:
        task = bar.add_task("writing designs", total=len(summary["ranked"]))
        return write_designs(summary, space, out, samples=samples, figures=figures,
                             progress=lambda done, total: bar.update(task, completed=done))


def _device_text(entry) -> str:
    i = entry["inputs"]
    sec = (f"D {i['secondary.diameter_nm']:.3g} nm tube" if i["secondary.kind"] == "nanotube" else
           f"ladder gap {i.get('secondary.gap_meV', float('nan')):.3g} meV, K- {i.get('secondary.K_minus', 0):.2g}")
    d = entry["device"]
    return (f"{i['primary.material']} n {d['primary']['density_per_um']:.3g}/um r {d['primary']['radius_nm']:.3g} "
            f"nm; {sec}; d {d['geometry']['separation_nm']:.3g} nm, gate {d['geometry']['gate_distance_nm']:.3g} nm, "
            f"eps {d['geometry']['epsilon_r']:.3g}; B {d['field_T']:.3g} T")


def _print(result) -> None:
    from rich.table import Table

    state = "complete" if result["complete"] else "[yellow]incomplete (run it again with --resume)[/]"
    stdout.print(f"[bold]{result['space']}[/] ({result['store']}): {result['survey_evaluated']} space-filling + "
                 f"{result['refine_evaluated']} refinement designs, {state}, {result['seconds']:.3g} s of computing")
    unit = result["objective_unit"]
    stdout.print(f"objective {result['objective']} ({unit}), needs the {result['target_phase']} phase at "
                 f"{result['base_temperature_K'] * 1e3:.3g} mK, certainty {result['accept']} or better; feasible: "
                 f"{result['feasible']['survey']} of the space-filling designs, {result['feasible']['refinement']} "
                 "of the refinement's", highlight=False)
    stdout.print("what holds the space-filling designs back: " + ", ".join(
        f"{name} {100 * share:.3g} %" for name, share in sorted(result["limit_shares"].items(), key=lambda kv: -kv[1])),
        highlight=False)
    table = Table(title="ranked designs (gap and trion scale at T = 0, phase at the base temperature)")
    for col in ("#", "device", "gate (V)\nwindow", f"value\n({unit})", "spin gap\n(K)", "phase,\ncertainty",
                "what limits it"):
        table.add_column(col, overflow="fold")
    for e in result["ranked"]:
        w = e["gate_window_V"]
        window = "—" if w[0] is None else f"{w[0]:+.4g}\n{w[1]:+.4g}"
        value = f"{e['value']:.3g}" if e["feasible"] else "[dim]not feasible[/]"
        table.add_row(str(e["rank"]), _device_text(e), f"{e['gate_V']:+.5g}\n{window}", value,
                      f"{e['spin_gap_K']:.3g}" if e["spin_gap_K"] else "0", f"{e['phase']}, {e['certainty']}",
                      "; ".join(e["limits"]))
    stdout.print(table)
    best = result["best_value"]
    if best is None:
        stdout.print(f"[bold]No design of this space is feasible[/]: none has a {result['target_phase']} phase at the "
                     f"base temperature with a {result['accept']} or better verdict. The table ranks the closest.",
                     highlight=False)
    elif unit == "K":
        verdict = "measurable" if best >= MEASURABLE_K else "below the 10 mK a measurement needs"
        stdout.print(f"[bold]largest feasible {result['objective']}: {best:.3g} K[/] ({verdict})", highlight=False)
    else:
        stdout.print(f"[bold]largest feasible {result['objective']}: {best:.3g} {unit}[/]", highlight=False)
    for w in result.get("written") or []:
        stdout.print(f"wrote {w['toml']}" + (f" and {w['figure']}" if "figure" in w else ""), highlight=False)
