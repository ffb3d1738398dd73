"""``pairing1d atlas``: the atlas of pairing from repulsion (:mod:`pairing1d.paper.atlas`): compute or complete it from
its
scan file, and print what a store says without recomputing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ._app import app, require, stdout
from .options import JsonOpt, plot_option, print_json

atlas_app = typer.Typer(help="The atlas of pairing from repulsion: the volume of robust, leaning and undetermined "
                             "paired verdicts over the model's space, and the largest robust spin gap.",
                        no_args_is_help=True)
app.add_typer(atlas_app, name="atlas")

StoreArg = Annotated[Path, typer.Argument(help="The atlas store (NetCDF), e.g. docs/data/atlas.nc of a clone")]


@atlas_app.command("run")
def run(
    scan: Annotated[Path, typer.Argument(help="The scan file (TOML), e.g. docs/data/atlas.toml")],
    out: Annotated[Path, typer.Option("--out", help="The store to write (NetCDF), written after every chunk")],
    resume: Annotated[bool, typer.Option("--resume", help="Complete an interrupted store (its done chunks are "
                                                          "verified and kept)")] = False,
) -> None:
    """Compute the atlas of SCAN into --out: the survey, then the refinement around its paired candidates, every
    device with its verdict ensemble; an interrupted run loses at most the chunk in flight (--resume completes it)."""
    require("numba", "xarray", "h5netcdf")
    from ..paper.atlas import atlas_summary, open_atlas, read_atlas_file, run_atlas
    from ..support.files import check_output_path

    space = read_atlas_file(scan)
    check_output_path(out)
    console = Console(stderr=True)
    with Progress(TextColumn("atlas"), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        run_atlas(space, out, resume=resume, progress=progress)
    _print(atlas_summary(open_atlas(out)), out)


@atlas_app.command("summary")
def summary(
    store: StoreArg,
    json_out: JsonOpt = False,
    plot: Annotated[Path | None, plot_option("Draw the atlas (the paired verdicts, which parameters make them, what "
                                             "each member says, their gaps)")]
    = None,
) -> None:
    """Print what the atlas store says, from the store alone (every chunk verified against its checksum): the volume
    of the space where the paired phase is robust, leaning or undetermined, and the largest spin gap of each with the
    device that has it."""
    require("xarray", "h5netcdf")
    from ..paper.atlas import atlas_summary, open_atlas
    from ..paper.atlas_plot import plot_atlas

    ds = open_atlas(store)
    result = atlas_summary(ds)
    if plot is not None:
        plot_atlas(ds, plot)
    if json_out:
        print_json(result.to_dict() | {"store": str(store), "plot": str(plot) if plot else None})
        return
    _print(result, store)
    if plot is not None:
        stdout.print(f"figure written to [bold]{plot}[/]")


def _print(result, store: Path) -> None:
    from rich.table import Table

    v = result.volume
    state = "complete" if result.complete else "[yellow]incomplete (run it again with --resume)[/]"
    stdout.print(f"[bold]atlas[/] {store}: {result.survey_points} survey + {result.refine_points} refinement devices, "
                 f"{state}, {result.seconds / 60:.1f} min of computing")
    if v.get("paired_anywhere") is None:
        return
    stdout.print("share of the space (survey) where the reported phase is paired: "
                 + ", ".join(f"{c} {100 * v[f'paired_{c}']:.4g} %" for c in ("robust", "leaning", "undetermined"))
                 + f"; where at least one member of the ensemble pairs: {100 * v['paired_anywhere']:.4g} %")
    stdout.print("phases (survey): " + ", ".join(f"{p} {100 * f:.3g} %" for p, f in v["phases"].items()))
    r = result.refined
    stdout.print(f"refinement: paired robust {r['paired_robust']}, leaning {r['paired_leaning']}, undetermined "
                 f"{r['paired_undetermined']}; a paired member at {r['paired_anywhere']} devices")
    table = Table(title="the largest spin gap of the paired verdicts, by certainty (units of the bandwidth)")
    for col in ("certainty", "spin gap", "members agreeing", "device"):
        table.add_column(col, overflow="fold")
    for name, best in result.largest.items():
        device = best["device"]
        text = "—" if device is None else ", ".join(
            f"{k}={val:.3g}" if isinstance(val, float) else f"{k}={val}" for k, val in device.items()
            if k in ("Kc0", "K0", "ys0", "y0", "lstar", "upsilon", "upsilon_theta", "u_ratio", "vertex_charge"))
        gap = "none" if best["spin_gap"] is None else f"{best['spin_gap']:.3g}"
        agree = "—" if device is None else f"{device['agree']} of 18"
        table.add_row(name, gap, agree, text)
    stdout.print(table)
    if any(result.dissent.values()):
        dissent = Table(title="what each member of the ensemble says where the reported phase is paired")
        dissent.add_column("member")
        dissent.add_column("pairs", justify="right")
        dissent.add_column("otherwise")
        for member, shares in result.dissent.items():
            others = ", ".join(f"{p} {100 * f:.0f} %" for p, f in sorted(shares.items(), key=lambda kv: -kv[1])
                               if p != "paired" and f >= 0.005)
            dissent.add_row(member, f"{100 * shares.get('paired', 0.0):.0f} %", others or "—")
        stdout.print(dissent)
