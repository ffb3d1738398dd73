"""``pairing1d flow``: one device, its RG flow (Eq. 16), its phase, gaps and dominant order."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import __version__
from ._app import InputError, app, stdout
from .options import JsonOpt, model_from_flags, model_options, print_json


def _fmt(value: float | None, digits: int = 6) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


@app.command()
@model_options
def flow(
    json_out: JsonOpt = False, model_flags: dict | None = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw the flow to this PNG or PDF file")] = None,
) -> None:
    """Integrate the RG flow of Eq. (16) for one device and report its phase, gaps and dominant order."""
    from ..phases import phase_of

    model = model_from_flags(model_flags)
    result = phase_of(model)
    if plot is not None:
        from ..plotting import plot_flow

        try:
            plot_flow(result, plot)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot write plot {str(plot)!r}: {exc}") from None
    if json_out:
        out = result.to_dict() | {"parameters": model.to_dict(), "version": __version__}
        if plot is not None:
            out["plot"] = str(plot)
        print_json(out, indent=2)
        return
    _print_summary(result, plot)


def _print_summary(result, plot: Path | None) -> None:
    m = result.model
    colour = {"decoupled": "white", "paired": "green", "trion": "magenta"}[result.phase]
    table = Table(title=f"pairing1d flow — phase: [bold {colour}]{result.phase}[/]", show_header=False)
    table.add_column("quantity", style="cyan")
    table.add_column("value", justify="right")
    table.add_column("meaning", style="dim")
    rows = [
        ("l_bar", _fmt(result.l_bar), "ys = -1 (spin sector at strong coupling)"),
        ("l_bbar", _fmt(result.l_bbar), "|y1| = y_strong (inter-wire locking)"),
        ("spin gap / Lambda", _fmt(result.spin_gap, 4), "exp(-l_bar)"),
        ("trion scale / Lambda", _fmt(result.trion_scale, 4), "exp(-l_bbar) c1(l_bbar)"),
        ("dominant order", result.dominant_order or "—", "Eq. (18) (paired) or Kf vs 3 (trion)"),
    ]
    if result.phase == "paired":
        rows += [
            ("chi_CDW exponent", _fmt(result.chi_cdw_exponent, 4), "Kc~ + Q^2 K~ - 2 at l_bar"),
            ("chi_SC exponent", _fmt(result.chi_sc_exponent, 4), "1/Kc~ - 2 at l_bar"),
        ]
    if result.Kf is not None:
        rows.append(("Kf", _fmt(result.Kf, 4), "trion Luttinger parameter, Eq. (20)"))
    rows += [
        ("Q", _fmt(m.Q, 4), "rotation parameter, Sec. II B"),
        ("Kc~0, K~0", f"{m.Kc_tilde0:.4g}, {m.K_tilde0:.4g}", "Eq. (14a,b)"),
        ("l* (effective), lmax", f"{m.lstar_eff:g}, {m.lmax:.4g}", f"scheme: {m.scheme}, su2: {m.su2}"),
    ]
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    stdout.print(
        f"[dim]Kc0={m.Kc0:g} K0={m.K0:g} ys0={m.ys0:g} y0={m.y0:g} y2={m.y2:g} upsilon={m.upsilon:g} "
        f"u/uc={m.u_ratio:g} l*={m.lstar:g} l*2={m.lstar2:.4g} chi={m.chi:g} theta={m.theta:g}[/]"
    )
    if plot is not None:
        stdout.print(f"flow plot written to [bold]{plot}[/]")
