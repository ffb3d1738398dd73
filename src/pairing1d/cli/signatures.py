"""``pairing1d signatures``: Table I (tunnelling, two-terminal and cross conductance) for a phase or a device."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ._app import app, stdout
from .options import (
    ChiOpt,
    JsonOpt,
    K0Opt,
    Kc0Opt,
    LmassOpt,
    LmaxOpt,
    Lstar2Opt,
    LstarOpt,
    ParamsOpt,
    SchemeOpt,
    Su2Opt,
    TempOpt,
    ThetaOpt,
    UpsOpt,
    URatioOpt,
    Y0Opt,
    Y2Opt,
    Ys0Opt,
    YStrongOpt,
    build_model,
)


@app.command("signatures")
def signatures_command(
    phase: Annotated[str | None, typer.Option("--phase", help="decoupled | paired | trion (default: all)")] = None,
    Kc0: Kc0Opt = None, K0: K0Opt = None, ys0: Ys0Opt = None, y0: Y0Opt = None, y2: Y2Opt = None,
    upsilon: UpsOpt = None, u_ratio: URatioOpt = None, lstar: LstarOpt = None, lstar2: Lstar2Opt = None,
    chi: ChiOpt = None, lmax: LmaxOpt = None, temperature: TempOpt = None, lmass: LmassOpt = None,
    y_strong: YStrongOpt = None, su2: Su2Opt = None, scheme: SchemeOpt = None, theta: ThetaOpt = None,
    params: ParamsOpt = None, json_out: JsonOpt = False,
) -> None:
    """Experimental signatures (Table I, Appendix D): for a phase, for a device given by model flags, or all."""
    from ..phases import PHASES, phase_of
    from ..transport import signatures

    flags = dict(Kc0=Kc0, K0=K0, ys0=ys0, y0=y0, y2=y2, upsilon=upsilon, u_ratio=u_ratio, lstar=lstar,
                 lstar2=lstar2, chi=chi, lmax=lmax, temperature=temperature, lmass=lmass, y_strong=y_strong,
                 su2=su2, scheme=scheme, theta=theta)
    device = None
    if phase is not None:
        phases = [phase]
    elif params is not None or any(v is not None for v in flags.values()):
        device = phase_of(build_model(params, **flags))
        phases = [device.phase]
    else:
        phases = list(PHASES)
    rows = {p: signatures(p).to_dict() for p in phases}  # signatures() refuses an unknown phase
    if json_out:
        print(json.dumps(rows))
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
    stdout.print(table)
