"""``pairing1d cnt``: the carbon-nanotube secondary of Appendix A (Fig. 8), its single-band windows and l*."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import InputError, app, stdout
from .options import JsonOpt, plot_option, print_json


@app.command("cnt")
def cnt_command(
    mu: Annotated[float, typer.Option("--mu", help="Chemical potential, meV (Fig. 8: -3)")] = -3.0,
    vF: Annotated[float, typer.Option("--vF", help="Fermi velocity, m/s (Fig. 8: 8e5)")] = 8e5,
    delta0: Annotated[float, typer.Option("--delta0", help="Curvature gap Delta_0, meV (Fig. 8: 4)")] = 4.0,
    delta_so: Annotated[float, typer.Option("--delta-so", help="Spin-orbit Delta_so, meV (Fig. 8: 1)")] = 1.0,
    delta_phi: Annotated[float, typer.Option("--delta-phi", help="Flux Delta_Phi, meV (Fig. 8: 0.5)")] = 0.5,
    kF_primary: Annotated[float | None, typer.Option("--kF-primary", help="Primary Fermi momentum, 1/nm")] = None,
    alpha0: Annotated[float | None, typer.Option("--alpha0", help="Short-distance cutoff, nm (for l*)")] = None,
    plot: Annotated[Path | None, plot_option("Draw Fig. 8 and the window map to this PNG/PDF/SVG file")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Bands of a nanotube (Eq. A2) at the Fermi level: how many cross, hole- or particle-like, k_F, and l*."""
    from ..devices.cnt import CNT, crossing

    cnt = CNT(vF=vF, delta0=delta0, delta_so=delta_so, delta_phi=delta_phi)
    result = crossing(cnt, mu)
    out = result.to_dict() | {"gaps_meV": {f"sigma={s:+d},nu={v:+d}": m for (s, v), m in cnt.gaps().items()}}
    k_fermi = out.pop("k_fermi")  # lengths in nm and momenta in 1/nm on every user-facing surface
    out["k_fermi_per_nm"] = None if k_fermi is None else k_fermi * 1e-9
    out["velocity_m_s"] = out.pop("velocity")
    out["edge_distance_meV"] = out.pop("edge_distance")
    if (kF_primary is None) != (alpha0 is None):
        raise InputError("--kF-primary and --alpha0 go together (Eq. (15) needs both)")
    if kF_primary is not None:
        out["lstar"], out["lstar2"] = result.lstar(kF_primary * 1e9, alpha0 * 1e-9)
    if plot is not None:
        from ..devices.device_plots import plot_cnt

        out["plot"] = str(plot_cnt(cnt, mu, plot))
    if json_out:
        print_json(out)
        return
    if result.single_band:
        kind = "hole-like" if result.hole_like else "particle-like"
        stdout.print(f"mu = {mu:g} meV: one {kind} band (sigma={result.sigma:+d}, nu={result.nu:+d}) crosses the "
                     f"Fermi level at k_F = {result.k_fermi * 1e-9:.4g} 1/nm")
    else:
        stdout.print(result.reason)
    if "lstar" in out:
        stdout.print(f"l* = {out['lstar']:.4g}, l*2 = {out['lstar2']:.4g} (Eq. 15)")
    if plot is not None:
        stdout.print(f"plot written to [bold]{plot}[/]")
