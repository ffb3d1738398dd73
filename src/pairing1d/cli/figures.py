"""``pairing1d figures``: regenerate Fig. 3, 4, 5, 8 (PNG, PDF, NetCDF) and Table I (Markdown) into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ._app import app, require, stdout
from .options import JsonOpt, print_json


@app.command("figures")
def figures_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the figures (PNG, PDF), their NetCDF data, Table I and "
                                                           "statements.md")],
    scheme: Annotated[str, typer.Option("--scheme", help="Cutoff scheme: cic | printed | frozen (the paper's figures: "
                                                          "--flow paper --scheme printed)")] = "cic",
    flow: Annotated[str, typer.Option("--flow", help="Second-order flow: consistent | paper (Eq. 16 as printed)")] = (
        "consistent"),
    resolution: Annotated[int, typer.Option("--resolution", help="Grid points per axis of each map (Fig. 5: "
                                                                  "twice as many values of l*)")] = 128,
    json_out: JsonOpt = False,
) -> None:
    """Reproduce the paper's Fig. 3, 4, 5, 8 and Table I, and measure its statements under the flow and scheme
    (statements.md; docs/reproduction.md compares every flow and scheme). The default is the controlled flow;
    --flow paper --scheme printed is Eq. (16) as the paper prints it."""
    require("numba", "xarray", "h5netcdf")  # before the output folder is made
    from ..paper.figures import FIGURES, reproduce

    console = Console(stderr=True)
    with Progress(TextColumn("figures"), BarColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=len(FIGURES))

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, description=name)

        result = reproduce(out, scheme=scheme, resolution=resolution, progress=progress, flow=flow)
    if json_out:
        print_json(result.to_dict())
        return
    for name, files in result.files.items():
        stdout.print(f"[bold]{name}[/] ({result.seconds[name]:.1f} s): {', '.join(p.name for p in files)}")
    stdout.print(f"{flow} flow, {scheme} cutoff scheme, resolution {resolution}: written to [bold]{out}[/]")
