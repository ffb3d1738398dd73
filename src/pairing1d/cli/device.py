"""``pairing1d device``: a device in volts, tesla and kelvin, its gate map, the conductance to expect and its spread."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from . import _format as fmt
from ._app import InputError, app, require, stdout
from .options import JsonOpt, output_path, plot_option, print_json


@app.command("device")
def device_command(
    device_file: Annotated[Path | None, typer.Argument(help="Device file (TOML; see --show with a preset)")] = None,
    preset: Annotated[str | None, typer.Option("--preset", help="A shipped device instead of a file "
                                               "(--list-presets)")] = None,
    list_presets: Annotated[bool, typer.Option("--list-presets", help="Name the shipped devices and exit")] = False,
    show: Annotated[bool, typer.Option("--show", help="Print the device file (of --preset) and exit")] = False,
    gate: Annotated[str | None, typer.Option(
        "--gate", help="Gate voltages V1:V2:N or one value, in V (default: the nanotube's single-band hole window, "
        "or twice a ladder's gap, and its edges: 241 values)")] = None,
    field: Annotated[str | None, typer.Option("--field", help="Field along the wires, B or B1:B2:N, in T "
                                              "(default: the device's)")] = None,
    temperature: Annotated[str | None, typer.Option("--temperature", help="Temperature T or T1:T2:N, in K "
                                                    "(default: the device's)")] = None,
    impurity: Annotated[float | None, typer.Option("--impurity", help="Weak impurity strength g_imp/Lambda in "
                                                   "[0, 1) (default: the device's)")] = None,
    sensitivity: Annotated[int, typer.Option("--sensitivity", help="Sample the ranges of the device file's "
                                             "'uncertain' table this many times (0: off)")] = 0,
    method: Annotated[str, typer.Option("--method", help="Sampling: lhs (Latin hypercube) | sobol")] = "lhs",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sampler")] = 0,
    plot: Annotated[Path | None, plot_option("Figure file (PNG/PDF/SVG); default DEVICE_gate_map.png unless "
                                             "--json")] = None,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Do not draw")] = False,
    netcdf: Annotated[Path | None, typer.Option("--netcdf", callback=output_path,
                                                help="Also write the gate map (xarray, CF units) to "
                                                "this netCDF file")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Phase, spin gap and trion scale in kelvin and the linear conductance in e^2/h of a device over gate voltage
    (and field or temperature), from its physical description, through the default (controlled) flow."""
    from ..devices.device import PRESETS, preset_text, read_device
    from ..devices.device import preset as load_preset

    if list_presets:
        if json_out:
            print_json({"presets": list(PRESETS)})
            return
        for name in PRESETS:
            stdout.print(f"[bold]{name}[/]: {load_preset(name).name}")
        return
    if (device_file is None) == (preset is None):
        raise InputError("give a device file or --preset NAME (one of them; --list-presets names the presets)")
    if show:
        if preset is None:
            raise InputError("--show prints a preset's file: give --preset NAME")
        print(preset_text(preset), end="")
        return
    device = load_preset(preset) if preset is not None else read_device(device_file)
    # the gate map needs the batched engine (numba) and xarray: imported only now, so that listing and showing the
    # presets work without them
    require("numba", "xarray")
    from ..devices.gate_map import conductance_curves, gate_map, parse_range, to_json
    from ..devices.gate_map import sensitivity as run_sensitivity

    if impurity is not None:
        device = device.with_inputs({"impurity": impurity})
    stem = preset if preset is not None else device_file.stem

    if gate is None:
        gates = np.linspace(*device.gate_window(), 241)
    else:
        gates = parse_range(gate, "--gate", "V")
    fields = None if field is None else parse_range(field, "--field", "T")
    temps = None if temperature is None else parse_range(temperature, "--temperature", "K")
    if temps is not None and np.any(temps < 0):
        raise InputError(f"--temperature = {temperature!r} is outside the allowed range [0, inf) K")
    if fields is not None and temps is not None and fields.size > 1 and temps.size > 1:
        raise InputError("sweep either --field or --temperature (a range), not both")
    single = lambda a: None if a is None else (float(a[0]) if a.size == 1 else a)  # noqa: E731
    ds = gate_map(device, gates, field_T=single(fields), temperature_K=single(temps))

    sens = None
    if sensitivity:
        if ds["phase"].ndim != 1:
            raise InputError("--sensitivity needs a map over the gate alone (a single --field and --temperature)")
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True)  # the bar, on a terminal only: stdout carries the summary or the JSON
        with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task(f"sampling {sensitivity} devices", total=sensitivity)
            sens = run_sensitivity(device, gates, samples=sensitivity, method=method, seed=seed,
                                   field_T=single(fields), temperature_K=single(temps),
                                   progress=lambda done: bar.update(task, completed=done))
    curves = None
    if ds["phase"].ndim == 1:
        curves = _conductance_curves(ds, device, conductance_curves, single(fields))

    out = to_json(ds)
    if sens is not None:
        summary = to_json(sens)
        out["phase_probability"] = summary["phase_probability"]
        out["spin_gap_K_quantile"] = summary["spin_gap_K_quantile"]
        out["sensitivity"] = {"samples": sensitivity, "method": method, "seed": seed,
                              "uncertain": {n: [lo, hi] for n, lo, hi in device.uncertain}}
    if netcdf is not None:
        from ..engine.sweep import save_netcdf

        save_netcdf(ds, netcdf)
        out["netcdf"] = str(netcdf)
    if plot is None and not json_out and not no_plot:
        plot = Path(f"{stem}_gate_map.png")
    if plot is not None and not no_plot:
        from ..devices.device_plots import plot_gate_map

        out["plot"] = str(plot_gate_map(ds, plot, sensitivity=sens, curves=curves, title=device.name))
    if json_out:
        print_json(out)
        return
    _print_summary(ds, device, out, sens)


def _conductance_curves(ds, device, conductance_curves, field):
    """G(T) at up to three representative gate voltages: the largest spin gap, the largest trion scale, and a
    decoupled point (when present)."""
    from ..devices.gate_map import PHASE_LABELS

    gates = ds["gate_V"].values
    phase0 = ds["phase_T0"].values
    chosen = []
    for name, key in (("paired", "spin_gap_K"), ("trion", "trion_scale_K"), ("decoupled", None)):
        code = [c for c, p in PHASE_LABELS.items() if p == name][0]
        inside = np.flatnonzero(phase0 == code)
        if inside.size:
            i = inside[np.argmax(ds[key].values[inside])] if key else inside[inside.size // 2]
            chosen.append(float(gates[i]))
    if not chosen:
        return None
    lam = ds["Lambda_K"].values
    top = float(np.nanmax(lam)) if np.any(np.isfinite(lam)) else 10.0
    temps = np.geomspace(1e-3, top, 61)
    return conductance_curves(device, chosen, temps, field_T=field)


def _certainties(ds, window: slice) -> str:
    """The certainty of a gate window's verdicts under the verdict ensemble: one word when it is the same at every
    gate, else how many gates have each ("undete" for undetermined)."""
    from ..theory.ensemble import CERTAINTIES

    codes = ds["certainty"].values[window]
    if np.all(codes == codes[0]):
        return CERTAINTIES[int(codes[0])]
    return "\n".join(f"{CERTAINTIES[c][:6]} {int(np.sum(codes == c))}" for c in range(len(CERTAINTIES))
                     if np.any(codes == c))


def _window_note(ds, window: slice, reasons: list[str]) -> str:
    """The footnote of a gate window: for gaps closed by the primary's Zeeman energy, the largest such gap and its
    gate (not the first gate's, which may be the smallest); otherwise the window's first reason."""
    closed = ds["zeeman_closed"].values[window] == 1
    if not closed.any():
        return reasons[0]
    gap = np.where(closed, ds["spin_gap_flow_K"].values[window], -np.inf)
    k = int(np.argmax(gap))
    gate, zeeman = ds["gate_V"].values[window][k], ds["zeeman_primary_K"].values[window][k]
    return (f"the primary's Zeeman energy ({zeeman:.3g} K) exceeds the spin gap at {int(closed.sum())} of these "
            f"gate values and closes it; the largest such gap is {gap[k]:.3g} K, at {gate:+.5g} V")


def _print_summary(ds, device, out, sens) -> None:
    from rich.table import Table

    from ..devices.gate_map import OUTSIDE, PHASE_LABELS, gate_runs

    T, B = ds.attrs.get("temperature_K"), ds.attrs.get("field_T")
    lam = out["Lambda_K"]
    lam_text = f"{lam:.3g} K" if isinstance(lam, float) else "varies with the gate"
    stdout.print(f"[bold]{device.name}[/]: bandwidth Lambda = {lam_text}"
                 + (f", T = {T * 1e3:.3g} mK" if T is not None else "") + (f", B = {B:g} T" if B is not None else "")
                 + f", flow {ds.attrs['flow']}/{ds.attrs['scheme']}")
    if ds["phase"].ndim != 1:
        counts = {PHASE_LABELS[c]: int(np.sum(ds["phase"].values == c)) for c in sorted(PHASE_LABELS)}
        stdout.print("points per phase: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    else:
        gate = ds["gate_V"].values
        table = Table(title="gate windows (phase at the temperature; spin gap and trion scale at T = 0, the largest "
                            "in the window)")
        for col in ("gate (V)\nfrom, to", "phase", "certainty", "spin gap (K)", "trion scale (K)", "G (e^2/h)",
                    "controlled"):
            table.add_column(col, overflow="fold")
        notes: list[str] = []
        unquoted = False
        for code, lo, hi, i, j in gate_runs(gate, ds["phase"].values):
            sl = slice(i, j + 1)
            gap = float(ds["spin_gap_K"].values[sl].max())
            tri = float(ds["trion_scale_K"].values[sl].max())
            G = ds["G_e2h"].values[sl]
            quoted = np.isfinite(G)
            if code == OUTSIDE:
                Gs = fmt.NOT_COMPUTED
            elif not quoted.any():  # beyond the weak-impurity range G is not quoted
                Gs = "not quoted"
            else:
                Gs = " to ".join(sorted({f"{np.nanmin(G):.3g}", f"{np.nanmax(G):.3g}"}, key=float))
                if not quoted.all():
                    Gs += f" ({(~quoted).sum()} of {quoted.size} not quoted)"
            unquoted = unquoted or (code != OUTSIDE and not quoted.all())
            ok = ds["controlled"].values[sl]
            reasons = [r for r in ds["reason"].values[sl] if r]
            mark = ""
            if reasons:
                notes.append(_window_note(ds, sl, reasons))
                mark = f" [{len(notes)}]"
            control = fmt.NOT_COMPUTED if code == OUTSIDE else ("yes" if np.all(ok == 1) else
                                                                "no" if not np.any(ok == 1) else "partly")
            scales = ((fmt.NOT_COMPUTED,) * 2 if code == OUTSIDE else
                      (fmt.scale(gap, 3), fmt.scale(tri, 3)))  # outside the theory: no verdict, no scale
            sure = fmt.NOT_COMPUTED if code == OUTSIDE else _certainties(ds, sl)
            table.add_row(f"{lo:+.5g}\n{hi:+.5g}", PHASE_LABELS[code] + mark, sure, *scales, Gs, control)
        stdout.print(table)
        inside = (ds["phase"].values != OUTSIDE) & ~np.isnan(ds["lstar"].values)
        if inside.any():  # where the secondary's k meets the primary's k_F: the gate the mechanism wants
            k = int(np.argmax(np.where(inside, ds["lstar"].values, -np.inf)))
            stdout.print(f"commensurate gate (the largest l*, {fmt.cutoff(float(ds['lstar'].values[k]))}): "
                         f"{gate[k]:+.5g} V", highlight=False)
        for k, note in enumerate(notes, 1):
            stdout.print(f"[{k}] {note}", highlight=False)
        if unquoted:
            stdout.print("G not quoted: the impurity is strong there (beyond the weak-impurity range)")
        if sens is not None:
            prob = sens["phase_probability"]
            inputs = ", ".join(n for n, _, _ in device.uncertain)
            stdout.print(f"sensitivity over {sens.sizes['sample']} samples of {inputs}, each with its "
                         f"{sens.sizes['member']}-member verdict ensemble (the probability counts both):")
            for label in prob["phase_label"].values:
                p = prob.sel(phase_label=label).values
                if p.max() == 0:
                    continue
                runs = [f"{lo:+.5g} to {hi:+.5g}" for code, lo, hi, _, _ in gate_runs(gate, p >= 0.5) if code]
                where = f"likely (P >= 50 %) at {', '.join(runs)} V" if runs else "nowhere likely"
                stdout.print(f"  {label}: {where}, P up to {p.max():.0%}")
            q = sens["spin_gap_K_quantile"]
            med, hi95 = float(q.sel(quantile=0.5).max()), float(q.sel(quantile=0.95).max())
            stdout.print(f"spin gap over the samples: median up to {med:.3g} K, 95th percentile up to {hi95:.3g} K")
    if "plot" in out:
        stdout.print(f"figure written to [bold]{out['plot']}[/]")
    if "netcdf" in out:
        stdout.print(f"gate map written to [bold]{out['netcdf']}[/]")
    if np.all(ds["phase"].values == OUTSIDE):
        stdout.print("[yellow]the theory applies at no point of this map (see the reasons above)[/]")
