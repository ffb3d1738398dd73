"""``pairing1d coupled-wires``: Josephson coupling vs pi-CDW between two paired wires (Sec. III B)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import app, stdout
from .options import JsonOpt, print_json


@app.command("coupled-wires")
def coupled_wires_command(
    Kc_minus: Annotated[float, typer.Option("--Kc-minus", help="Relative charge Luttinger parameter Kc-")] = 0.8,
    t_perp: Annotated[float, typer.Option("--t-perp", help="Inter-wire hopping / bandwidth")] = 0.01,
    spin_gap: Annotated[float, typer.Option("--spin-gap", help="Spin gap Delta_s / bandwidth")] = 0.05,
    U_perp: Annotated[float, typer.Option("--U-perp", help="Inter-wire repulsion / bandwidth")] = 0.01,
    delta_alpha0: Annotated[float, typer.Option("--delta-alpha0", help="Density mismatch x alpha0 (0: none)")] = 0.0,
    lmax: Annotated[float, typer.Option("--lmax", help="Infrared end of the flow")] = 20.0,
    json_out: JsonOpt = False,
) -> None:
    """Will two spin-gapped wires become a 2D superconductor or a pi-CDW? (Eq. 23-25)"""
    from ..coupled_wires import coupled_wires, scaling_dimensions

    result = coupled_wires(Kc_minus, t_perp, spin_gap, U_perp, delta_alpha0, lmax)
    out = result.to_dict() | {"dimensions": scaling_dimensions(Kc_minus)}
    if json_out:
        print_json(out)
        return
    stdout.print(f"verdict: [bold]{result.verdict}[/]  (Josephson relevant: {result.josephson_relevant}, "
                 f"Kc- = {Kc_minus:g} {'>' if Kc_minus > 0.5 else '<='} 1/2)")
    stdout.print(f"J0 = t^2/Delta_s = {result.J0:.3g} reaches 1 at l = {result.l_josephson}; "
                 f"U0 = {result.U0:.3g} at l = {result.l_pi_cdw} (dephased after l_delta = {result.l_delta:.3g})")
