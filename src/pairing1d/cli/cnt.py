"""``pairing1d cnt``: the carbon-nanotube secondary of Appendix A (Fig. 8), its single-band windows and l*."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import InputError, app, stdout
from .options import JsonOpt, print_json, write_plot


@app.command("cnt")
def cnt_command(
    mu: Annotated[float, typer.Option("--mu", help="Chemical potential, meV (Fig. 8: -3)")] = -3.0,
    vF: Annotated[float, typer.Option("--vF", help="Fermi velocity, m/s (Fig. 8: 8e5)")] = 8e5,
    delta0: Annotated[float, typer.Option("--delta0", help="Curvature gap Delta_0, meV (Fig. 8: 4)")] = 4.0,
    delta_so: Annotated[float, typer.Option("--delta-so", help="Spin-orbit Delta_so, meV (Fig. 8: 1)")] = 1.0,
    delta_phi: Annotated[float, typer.Option("--delta-phi", help="Flux Delta_Phi, meV (Fig. 8: 0.5)")] = 0.5,
    kF_primary: Annotated[float | None, typer.Option("--kF-primary", help="Primary Fermi momentum, 1/m")] = None,
    alpha0: Annotated[float | None, typer.Option("--alpha0", help="Short-distance cutoff, m (for l*)")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw Fig. 8 and the window map to this file")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Bands of a nanotube (Eq. A2) at the Fermi level: how many cross, hole- or particle-like, k_F, and l*."""
    from ..cnt import CNT, crossing

    cnt = CNT(vF=vF, delta0=delta0, delta_so=delta_so, delta_phi=delta_phi)
    result = crossing(cnt, mu)
    out = result.to_dict() | {"gaps_meV": {f"sigma={s:+d},nu={v:+d}": m for (s, v), m in cnt.gaps().items()}}
    if (kF_primary is None) != (alpha0 is None):
        raise InputError("--kF-primary and --alpha0 go together (Eq. (15) needs both)")
    if kF_primary is not None:
        out["lstar"], out["lstar2"] = result.lstar(kF_primary, alpha0)
    if plot is not None:
        from ..plotting import plot_cnt

        out["plot"] = write_plot(plot, lambda: plot_cnt(cnt, mu, plot))
    if json_out:
        print_json(out)
        return
    if result.single_band:
        kind = "hole-like" if result.hole_like else "particle-like"
        stdout.print(f"mu = {mu:g} meV: one {kind} band (sigma={result.sigma:+d}, nu={result.nu:+d}) crosses the "
                     f"Fermi level at k_F = {result.k_fermi:.4g} 1/m")
    else:
        stdout.print(f"mu = {mu:g} meV: {result.bands_crossing} bands cross the Fermi level (not a single band)")
    if "lstar" in out:
        stdout.print(f"l* = {out['lstar']:.4g}, l*2 = {out['lstar2']:.4g} (Eq. 15)")
    if plot is not None:
        stdout.print(f"plot written to [bold]{plot}[/]")
