"""``pairing1d ladder`` and ``pairing1d little``: a Mott-ladder secondary and Little's limit (Sec. III A)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from .. import __version__
from ..theory.ladder import SET_BY_LADDER
from . import _format as fmt
from ._app import InputError, app, require, stdout
from .options import JsonOpt, LmaxOpt, TempOpt, model_options, model_values, plot_option, print_json

KMinusOpt = Annotated[float, typer.Option("--K-minus", help="Luttinger parameter K_rho- of the relative charge")]
GapOpt = Annotated[float, typer.Option("--gap", help="Relative-charge gap Delta / Lambda_sec, in (0, 1)")]
MuOpt = Annotated[float, typer.Option("--mu-star", help="Back-gate potential difference mu* / Lambda_sec")]
Mis1Opt = Annotated[float, typer.Option("--mismatch", help="(kF + k1) alpha0 at mu* = 0: sets l*_1 (Eq. 15)")]
Mis2Opt = Annotated[float, typer.Option("--mismatch2", help="(kF - k1) alpha0 at mu* = 0: sets l*_2")]
ScanOpt = Annotated[
    str | None, typer.Option("--scan-mu", help="Sweep mu* instead: 'MIN:MAX:N' (e.g. -0.3:0.3:61)")
]
PlotOpt = Annotated[Path | None, plot_option("With --scan-mu: draw the sweep to this PNG/PDF/SVG file")]


def _scan_values(text: str) -> np.ndarray:
    try:
        lo, hi, n = text.split(":")
        lo, hi, n = float(lo), float(hi), int(n)
    except ValueError:
        raise InputError(f"--scan-mu {text!r} is not of the form MIN:MAX:N (e.g. -0.3:0.3:61)") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or n < 1 or n > 100_000:
        raise InputError(f"--scan-mu {text!r}: MIN, MAX must be finite and N in [1, 100000]")
    return np.linspace(lo, hi, n)


@app.command()
@model_options(exclude=SET_BY_LADDER)
def ladder(
    K_minus: KMinusOpt = 0.9, gap: GapOpt = 0.05, mu_star: MuOpt = 0.0, mismatch: Mis1Opt = 0.05,
    mismatch2: Mis2Opt = 2.0, scan_mu: ScanOpt = None, plot: PlotOpt = None, json_out: JsonOpt = False,
    model_flags: dict | None = None,
) -> None:
    """A primary wire next to a half-filled Hubbard ladder (Eq. 22): vertex charge 1, K0 = K_rho-, and the
    cutoffs l*, l_m set by the gap and the back gate mu* (energies in units of Lambda_sec = u_-/alpha0)."""
    from ..devices.ladder_scan import back_gate_scan
    from ..theory.ladder import ladder_cutoffs, ladder_model
    from ..theory.phases import phase_of

    flags = dict(model_flags)
    fields = model_values(flags.pop("params"), **flags)
    if plot is not None and scan_mu is None:
        raise InputError("--plot needs --scan-mu (a single device: use 'pairing1d flow --vertex-charge 1 --plot')")
    if scan_mu is not None:
        require("xarray")
        ds = back_gate_scan(_scan_values(scan_mu), K_minus, gap, mismatch, mismatch2, **fields)
        if plot is not None:
            from ..plotting import plot_back_gate

            plot_back_gate(ds, plot)
        from ..engine.batch import ORDERS
        from ..theory.phases import PHASES

        def scale(x) -> float | None:  # an energy scale that does not exist (0 in the Dataset) is null
            return float(x) if x > 0 else None

        rows = [{"mu_star": float(m), "lstar": float(ds.lstar[i]), "lmass": float(ds.lmass[i]),
                 "phase": PHASES[int(ds.phase[i])], "controlled": bool(ds.controlled[i]),
                 "spin_gap": scale(ds.spin_gap[i]), "trion_scale": scale(ds.trion_scale[i]),
                 "dominant_order": None if int(ds.dominant_order[i]) == 0 else ORDERS[int(ds.dominant_order[i])]}
                for i, m in enumerate(ds.mu_star.values)]
        if json_out:
            print_json({"scan": rows, "version": __version__} | ({"plot": str(plot)} if plot else {}))
            return
        from rich.table import Table

        table = Table(title=f"Mott-ladder secondary along the back gate (gap {gap:g}, K- {K_minus:g}; scales in "
                      "units of Lambda_sec; order: the dominant order)")
        for col in ("mu*", "l*_1", "l_m", "phase", "spin gap", "trion scale", "order", "controlled"):
            table.add_column(col, justify="right", overflow="fold")
        for r in rows:
            table.add_row(f"{r['mu_star']:.4g}", fmt.cutoff(r["lstar"], 3), fmt.cutoff(r["lmass"], 3), r["phase"],
                          fmt.scale(r["spin_gap"], 3), fmt.scale(r["trion_scale"], 3), fmt.name(r["dominant_order"]),
                          fmt.yes_no(r["controlled"]))
        stdout.print(table)
        if plot is not None:
            stdout.print(f"plot written to {plot}")
        return
    cut = ladder_cutoffs(gap, mu_star, mismatch, mismatch2)
    result = phase_of(ladder_model(K_minus, gap, mu_star, mismatch, mismatch2, **fields))
    if json_out:
        out = {"cutoffs": cut.to_dict()} | result.to_dict() | {"parameters": result.model.to_dict(),
                                                              "version": __version__}
        print_json(out)
        return
    stdout.print(f"ladder secondary ({cut.regime}; soliton q_F alpha0 = {cut.soliton_kF:.3g}): "
                 f"l*_1 = {fmt.cutoff(cut.lstar)}, l*_2 = {fmt.cutoff(cut.lstar2)}, l_m = {fmt.cutoff(cut.lmass)}")
    stdout.print(f"phase: [bold]{result.phase}[/] ({'controlled' if result.controlled else 'NOT controlled'})  "
                 f"l_bar = {fmt.rg_time(result.l_bar, 4)}, l_bbar = {fmt.rg_time(result.l_bbar, 4)}, "
                 f"spin_gap = {fmt.scale(result.spin_gap, 3)}, trion_scale = {fmt.scale(result.trion_scale, 3)} "
                 f"(units of Lambda_sec), dominant_order: {fmt.name(result.dominant_order)}")


@app.command()
def little(
    U: Annotated[float, typer.Option("--U", help="On-site repulsion of the primary wire")] = 0.05,
    V: Annotated[float, typer.Option("--V", help="Electron-polarizer coupling")] = 0.4,
    E_tilde: Annotated[float, typer.Option("--E-tilde", help="Polarizer excitation energy (> 0)")] = 1.0,
    vF: Annotated[float, typer.Option("--vF", help="Fermi velocity (same energy unit, hbar = a = 1)")] = 0.5,
    lmax: LmaxOpt = None, temperature: TempOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Little's limit (v_sec -> 0): the attraction a local polarizer induces, U_eff = U + E2 + E0 - 2 E1
    (~ U - 2 V^2/E~), and whether the primary wire pairs (a spin gap, U_eff < 0)."""
    from ..theory.ladder import little_limit

    ir = {k: v for k, v in dict(lmax=lmax, temperature=temperature).items() if v is not None}
    r = little_limit(U, V, E_tilde, vF, **ir)
    if json_out:
        print_json(r.to_dict() | {"version": __version__})
        return
    stdout.print(f"U_eff = {r.U_eff:.5g}  (second order U - 2V^2/E~ = {r.U_eff_second_order:.5g})")
    stdout.print(f"ys0 = U_eff/(pi vF) = {r.ys0:.4g}, Kc0 = {r.Kc0:.4g}: "
                 + (f"pairs, spin gap exp(-(1-|ys0|)/|ys0|) = {r.spin_gap:.3g} Lambda" if r.pairs else "no pairing"))
    stdout.print(f"RG phase at lmax = {r.phase.model.lmax:.4g}: [bold]{r.phase.phase}[/]"
                 + (f", dominant order {r.phase.dominant_order}" if r.phase.dominant_order else ""))
