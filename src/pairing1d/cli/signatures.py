"""``pairing1d signatures``: Table I (tunnelling, two-terminal and cross conductance) for a phase or a device."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ._app import app, stdout
from .options import JsonOpt, model_from_flags, model_options, print_json


@app.command("signatures")
@model_options
def signatures_command(
    phase: Annotated[
        str | None, typer.Option("--phase", help="decoupled | paired | trion | triplet (default: all)")
    ] = None,
    g_imp: Annotated[
        float | None, typer.Option("--g-imp", help="Impurity strength / Lambda: add its crossover scale per phase")
    ] = None,
    json_out: JsonOpt = False, model_flags: dict | None = None,
) -> None:
    """Experimental signatures (Table I, Appendix D): for a phase, for a device given by model flags, or all."""
    from ..theory.phases import phase_of
    from ..theory.transport import PINNED, device_signatures, signatures

    device = None
    if phase is not None:
        phases = [phase]
    elif any(v is not None for v in model_flags.values()):
        device = phase_of(model_from_flags(model_flags))
        phases = [device.phase]
        device_signatures(device.phase, device.model.vertex_charge)  # refuses the Mott-ladder trion row
    else:
        phases = list(PINNED)  # every phase with a Table I row
    rows = {p: signatures(p).to_dict() for p in phases}  # signatures() refuses an unknown phase
    if g_imp is not None:
        from ..theory.transport import impurity_crossover, impurity_dimension_of_model

        model = device.model if device is not None else model_from_flags(model_flags)
        for p in phases:
            d = impurity_dimension_of_model(p, model)
            rows[p] |= {"impurity_dimension": d, "impurity_scale": impurity_crossover(g_imp, d)}
    if json_out:
        print_json(rows)
        return
    title = "Table I" + (f" — this device is {device.phase}" if device is not None else "")
    table = Table(title=title)
    table.add_column("")
    for p in phases:
        table.add_column(p, justify="center")
    table.add_row("single-electron tunneling", *(rows[p]["tunneling"] for p in phases))
    table.add_row("G, secondary grounded (e²/h)", *(rows[p]["conductance_fraction"] for p in phases))
    table.add_row("cross conductance (e²/h)", *(rows[p]["cross_conductance_fraction"] for p in phases))
    table.add_row("G, secondary floating (e²/h)", *(rows[p]["floating_conductance_fraction"] for p in phases))
    if g_imp is not None:
        table.add_row("impurity dimension (bare, exact)", *(f"{rows[p]['impurity_dimension']:.3g}" for p in phases))
        table.add_row(f"impurity scale / Lambda (g = {g_imp:g})",
                      *(f"{rows[p]['impurity_scale']:.3g}" if rows[p]["impurity_scale"] else "irrelevant"
                        for p in phases))
    stdout.print(table)
