"""``pairing1d trion``: the gapless mode of the trion phase (Eq. 19-21, Appendix C) and its verdict."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .. import __version__
from ._app import InputError, app, stdout
from .options import JsonOpt, model_from_flags, model_options, print_json


@app.command()
@model_options
def trion(
    uc: Annotated[float | None, typer.Option("--uc", help="Explicit mode: primary charge velocity")] = None,
    Kc: Annotated[float | None, typer.Option("--Kc", help="Explicit mode: primary charge Luttinger parameter")] = None,
    u: Annotated[float | None, typer.Option("--u", help="Explicit mode: secondary velocity")] = None,
    K: Annotated[float | None, typer.Option("--K", help="Explicit mode: secondary Luttinger parameter")] = None,
    V_phi: Annotated[float | None, typer.Option("--V-phi", help="Explicit mode: forward coupling V_phi")] = None,
    V_theta: Annotated[
        float | None, typer.Option("--V-theta", help="Explicit mode: V_theta (any value; Eq. 13 not assumed)")
    ] = None,
    json_out: JsonOpt = False, model_flags: dict | None = None,
) -> None:
    """Kf, uf, Kg, ug, V_x, V'_x of the locked sector (Eq. 20, C2), the exact Kf (theta_g integrated out), the
    trion-phase dimensions (Eq. 21, with the exact Kf) and the verdict (SC if Kf > 3; impurities irrelevant if their
    dimension > 1).

    Two modes: explicit bosonized parameters (--Kc and --K required; --uc, --u default 1, --V-phi, --V-theta
    default 0, the same velocity unit), or the model flags (--upsilon-theta, or Eq. 13 when unset; velocities in
    units of uc)."""
    from ..theory.trion import locked_sector, locked_sector_of_model, trion_dimensions, trion_verdict

    explicit = {"uc": uc, "Kc": Kc, "u": u, "K": K, "V_phi": V_phi, "V_theta": V_theta}
    model = model_from_flags(model_flags)
    p = model.vertex_charge
    if any(v is not None for v in explicit.values()):
        if Kc is None or K is None:
            raise InputError("explicit mode needs both --Kc and --K (or give model flags such as --Kc0, --K0)")
        defaults = {"uc": 1.0, "u": 1.0, "V_phi": 0.0, "V_theta": 0.0}
        given = defaults | {k: v for k, v in explicit.items() if v is not None}
        for name in ("uc", "u", "Kc", "K"):
            if not given[name] > 0:
                raise InputError(f"--{name.replace('_', '-')} = {given[name]!r} is outside the allowed range (0, inf)")
        source = "explicit"
        sector = locked_sector(given["uc"], given["Kc"], given["u"], given["K"], given["V_phi"], given["V_theta"], p)
    else:
        source = "model (" + ("Eq. 13" if model.upsilon_theta is None else "its upsilon_theta") + ", uc = 1)"
        sector = locked_sector_of_model(model)
    sector = {k: float(v) for k, v in sector.items()}
    dims = {k: float(v) for k, v in trion_dimensions(sector["Kf_exact"], p).items()}
    verdict = trion_verdict(sector["Kf_exact"], p)
    if json_out:
        print_json({"source": source, "vertex_charge": p, "sector": sector, "dimensions": dims} | verdict
                   | {"version": __version__})
        return
    table = Table(title=f"trion phase ({source}, vertex charge {p:g})", show_header=False)
    table.add_column("quantity", style="cyan")
    table.add_column("value", justify="right")
    for name, value in sector.items():
        table.add_row(name, f"{value:.5g}")
    for name, value in dims.items():
        table.add_row(f"dimension: {name}", f"{value:.4g}")
    table.add_row("dominant order", verdict["dominant_order"])
    table.add_row("impurities irrelevant", "yes" if verdict["impurities_irrelevant"] else "no")
    stdout.print(table)
