"""``pairing1d flow``: one device, its RG flow (Eq. 16), its phase, gaps and dominant order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import __version__
from ._app import InputError, app, stdout
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
    json_safe,
)


def _fmt(value: float | None, digits: int = 6) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


@app.command()
def flow(
    Kc0: Kc0Opt = None, K0: K0Opt = None, ys0: Ys0Opt = None, y0: Y0Opt = None, y2: Y2Opt = None,
    upsilon: UpsOpt = None, u_ratio: URatioOpt = None, lstar: LstarOpt = None, lstar2: Lstar2Opt = None,
    chi: ChiOpt = None, lmax: LmaxOpt = None, temperature: TempOpt = None, lmass: LmassOpt = None,
    y_strong: YStrongOpt = None, su2: Su2Opt = None, scheme: SchemeOpt = None, theta: ThetaOpt = None,
    params: ParamsOpt = None, json_out: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw the flow to this PNG or PDF file")] = None,
) -> None:
    """Integrate the RG flow of Eq. (16) for one device and report its phase, gaps and dominant order."""
    from ..phases import phase_of

    model = build_model(
        params, Kc0=Kc0, K0=K0, ys0=ys0, y0=y0, y2=y2, upsilon=upsilon, u_ratio=u_ratio, lstar=lstar,
        lstar2=lstar2, chi=chi, lmax=lmax, temperature=temperature, lmass=lmass, y_strong=y_strong, su2=su2,
        scheme=scheme, theta=theta,
    )
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
        print(json.dumps(json_safe(out), allow_nan=False, indent=2))
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
