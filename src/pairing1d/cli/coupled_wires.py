"""``pairing1d coupled-wires``: Josephson coupling vs pi-CDW between two paired wires (Sec. III B)."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from . import _format as fmt
from ._app import app, stdout
from .options import JsonOpt, print_json


def _when(coupling: str, l: float | None, lmax: float) -> str:
    """When a coupling reaches strong coupling (1): its RG time, or "not reached" (docs/outputs.md)."""
    if l is None:
        return f"{coupling} = 1: not reached (never before lmax = {lmax:g})"
    return f"{coupling} = 1 at l = {l:.3g}"


@app.command("coupled-wires")
def coupled_wires_command(
    Kc_minus: Annotated[float, typer.Option("--Kc-minus", help="Relative charge Luttinger parameter Kc-")] = 0.8,
    t_perp: Annotated[float, typer.Option("--t-perp", help="Inter-wire hopping / bandwidth")] = 0.01,
    spin_gap: Annotated[float, typer.Option("--spin-gap", help="Spin gap Delta_s / bandwidth")] = 0.05,
    U_perp: Annotated[float, typer.Option("--U-perp", help="Inter-wire repulsion / bandwidth")] = 0.01,
    delta_alpha0: Annotated[float, typer.Option("--delta-alpha0", help="Density mismatch x alpha0 (0: none)")] = 0.0,
    lmax: Annotated[float, typer.Option("--lmax", help="Infrared end of the flow")] = 20.0,
    Ks: Annotated[
        float, typer.Option("--Ks", help="Spin Luttinger parameter above the spin gap (1: SU(2)); the pi-CDW's "
                            "dimension there is Kc- + Ks")
    ] = 1.0,
    json_out: JsonOpt = False,
) -> None:
    """Will two spin-gapped wires become a 2D superconductor or a pi-CDW? (Eq. 23-25)

    Above the spin gap (l < l_s = ln(1/Delta_s)) only the pi-CDW flows, with dimension Kc- + Ks.
    From l_s on, the pair hopping J starts at (t_perp/Delta_s)^2 with dimension 1/Kc-; the pi-CDW has Kc-.
    """
    from ..theory.coupled_wires import coupled_wires, scaling_dimensions

    result = coupled_wires(Kc_minus, t_perp, spin_gap, U_perp, delta_alpha0, lmax, Ks=Ks)
    out = result.to_dict() | {"dimensions": scaling_dimensions(Kc_minus, Ks)}
    if json_out:
        print_json(out)
        return
    stdout.print(f"verdict: [bold]{result.verdict}[/]  (Josephson relevant: {fmt.yes_no(result.josephson_relevant)}, "
                 f"Kc- = {Kc_minus:g} {'>' if Kc_minus > 0.5 else '<='} 1/2)")
    stdout.print(f"spin gap opens at l_s = ln(1/Delta_s) = {result.l_s:.3g}")
    stdout.print(f"Josephson: J(l_s) = (t/Delta_s)^2 = {result.J_at_l_s:.3g} (t^2/Delta_s = {result.J0:.3g})")
    stdout.print(f"           {_when('J', result.l_josephson, lmax)}")
    parts = [f"U0 = {result.U0:.3g}"]
    if result.U_at_l_s is not None:
        parts.append(f"U(l_s) = {result.U_at_l_s:.3g}")
    elif result.l_delta >= result.l_s:
        parts.append("strong coupling by l_s")
    if math.isfinite(result.l_delta):
        parts.append(f"dephased from l_delta = {result.l_delta:.3g}{' < l_s' if result.l_delta < result.l_s else ''}")
    else:
        parts.append("no dephasing")
    stdout.print(f"pi-CDW:    {', '.join(parts)}")
    stdout.print(f"           {_when('U', result.l_pi_cdw, lmax)}")
