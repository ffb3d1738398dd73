"""``pairing1d flow``: one device, its RG flow, its phase, gaps, dominant order and whether to trust them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import __version__
from ..support.files import check_output_path
from . import _format as fmt
from ._app import InputError, app, require, stdout
from .options import JsonOpt, model_from_flags, model_options, plot_option, print_json


@app.command()
@model_options
def flow(
    json_out: JsonOpt = False, model_flags: dict | None = None,
    plot: Annotated[Path | None, plot_option("Draw the flow to this PNG/PDF/SVG file")] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Write the solved flow, its whole trajectory and "
                                              "dense output, to this NetCDF file (pairing1d.load_flow reads it)")]
    = None,
) -> None:
    """Integrate the RG flow of one device and report its phase, gaps, dominant order and control.

    The default is the controlled flow (--flow consistent) with the commensurate-incommensurate cutoff
    (--scheme cic), which hands a vertex that reaches y_strong over to the locked theory (trion, or the spin
    sector's fate, or undetermined); --flow paper --scheme printed is Eq. (16) exactly as the paper prints it.
    Every verdict comes with its certainty: the phase under the verdict ensemble (18 members: every regulator,
    strong-coupling threshold, velocity convention and truncation the second-order theory leaves open) is robust
    (all agree), leaning (two thirds) or undetermined. The verdict under every scheme is reported too, and a verdict
    that rests on a coupling beyond y_strong is marked "not controlled".
    """
    from ..theory.phases import phase_of

    model = model_from_flags(model_flags)
    if save is not None:
        if save.suffix.lower() != ".nc":
            raise InputError(f"--save {str(save)!r}: the file must end in .nc")
        require("xarray", "h5netcdf")
        check_output_path(save)
    result = phase_of(model)
    if save is not None:
        from ..theory.flow_io import save_flow

        save_flow(result.flow, save)
    if plot is not None:
        from ..plotting import plot_flow

        plot_flow(result, plot)
    if json_out:
        out = result.to_dict() | {"parameters": model.to_dict(), "version": __version__}
        if plot is not None:
            out["plot"] = str(plot)
        if save is not None:
            out["saved"] = str(save)
        print_json(out, indent=2)
        return
    _print_summary(result, plot)
    if save is not None:
        stdout.print(f"flow written to [bold]{save}[/]")


def _print_summary(result, plot: Path | None) -> None:
    m = result.model
    colour = {"decoupled": "white", "paired": "green", "trion": "magenta", "triplet": "yellow",
              "undetermined": "red"}[result.phase]
    trust = "controlled" if result.controlled else "[bold red]NOT controlled[/]"
    sure = {"robust": "green", "leaning": "yellow", "undetermined": "red"}[result.certainty]
    table = Table(title=f"pairing1d flow — phase: [bold {colour}]{result.phase}[/], [bold {sure}]{result.certainty}"
                        f"[/] ({result.agreement:.0%} of the ensemble; {trust})", show_header=False)
    table.add_column("quantity", style="cyan")
    table.add_column("value", justify="right")
    table.add_column("meaning", style="dim")
    rows = [
        ("l_bar", fmt.rg_time(result.l_bar), "ys = -1: singlet pairs"),
        ("l_runaway", fmt.rg_time(result.flow.l_runaway), "ys = +1: triplet / SDW_z"),
        ("l_bbar", fmt.rg_time(result.l_bbar), "|y1| = y_strong"),
        ("spin_gap / Lambda", fmt.scale(result.spin_gap),
         "the trion scale" if result.phase == "trion" else f"exp(-l_gap) {result.spin_gap_type or ''}"),
        ("trion_scale / Lambda", fmt.scale(result.trion_scale),
         "exp(-l_bbar)" + ("" if m.scheme == "cic" else " c1") + "; trion only"),
        ("dominant_order", fmt.name(result.dominant_order), "at the spin gap; Kf vs 3"),
    ]
    if result.flow.l_drop1 is not None:
        rows.append(("l_drop1", fmt.rg_time(result.flow.l_drop1), "cic: y1 dropped"))
    step = result.hand_over
    if step is not None:
        rows.append(("hand-over", f"l = {step['l']:.4g}, delta = {step['mismatch']:.3g}",
                     f"|y1| = {step['y']:g}; locks iff delta < {step['critical_mismatch']:.3g}"))
        rows.append(("strong-coupling step", "locked: trion" if step["locked"] else
                     f"slides: {step['dropped']} / {step['continued']}", "vertex dropped / flow continued"))
    if result.chi_cdw_exponent is not None:
        rows += [
            ("chi exponents", f"{result.chi_cdw_exponent:.4g}, {result.chi_sc_exponent:.4g}", "density wave, pairs"),
        ]
    if result.Kf is not None:
        rows.append(("Kf (Eq. 20)", f"{result.Kf:.4g} ({result.Kf_eq20:.4g})", "exact (paper's)"))
    dims = result.dimensions
    rows += [
        ("dimensions y1, y2", f"{dims['y1']:.4g}, {dims['y2']:.4g}", "bare; relevant < 2"),
        ("dimensions CDW, SC", f"{dims['cdw']:.4g}, {dims['sc']:.4g}", "bare, spin gapped"),
        ("Q; Kc~0, K~0", f"{m.Q:.4g}; {m.Kc_tilde0:.4g}, {m.K_tilde0:.4g}", "rotation, Sec. II B"),
        ("l*, lmax", f"{fmt.cutoff(m.lstar_eff)}, {m.lmax:.4g}", f"{m.flow} flow, {m.scheme}"),
    ]
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    stdout.print("verdict by scheme: " + ", ".join(f"{k} [bold]{v}[/]" for k, v in result.verdict_by_scheme.items()))
    counts: dict[str, int] = {}
    for phase in result.ensemble.values():
        counts[phase] = counts.get(phase, 0) + 1
    stdout.print(f"verdict ensemble ({len(result.ensemble)} members): "
                 + ", ".join(f"{p} [bold]{n}[/]" for p, n in sorted(counts.items(), key=lambda kv: -kv[1]))
                 + ("" if result.certainty == "robust" else " (--json lists every member)"))
    stdout.print(
        f"[dim]Kc0={m.Kc0:g} K0={m.K0:g} ys0={m.ys0:g} y0={m.y0:g} y2={m.y2:g} upsilon={m.upsilon:g} "
        f"upsilon_theta={m.upsilon_theta_eff:g}{' (line 13)' if m.upsilon_theta is None else ''} u/uc={m.u_ratio:g} "
        f"l*={fmt.cutoff(m.lstar)} l*2={fmt.cutoff(m.lstar2)} chi={m.chi:g} theta={m.theta:g}"
        + ("" if m.lmass == math.inf else f" l_m={m.lmass:.4g}") + "[/]"
    )
    for note in result.notes:
        stdout.print(f"[yellow]note:[/] {note}")
    if plot is not None:
        stdout.print(f"flow plot written to [bold]{plot}[/]")
