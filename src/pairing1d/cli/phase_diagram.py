"""``pairing1d phase-diagram``: a grid of devices through the batched engine, to NetCDF or Zarr, with a plot."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..support.files import check_output_path
from ..theory.model import Model
from ._app import InputError, app, require, stdout
from .options import JsonOpt, model_from_flags, model_options, plot_option, print_json

AxisOpt = Annotated[str | None, typer.Option(help="Axis NAME=START:STOP:N (linspace) or NAME=V1,V2,...")]


def axis_size(spec: str) -> int:
    """How many values the axis ``spec`` of :func:`parse_axis` holds, read without building them (0 for a
    malformed spec, which :func:`parse_axis` then refuses with its own message)."""
    rest = spec.partition("=")[2]
    if ":" in rest:
        parts = rest.split(":")
        try:
            return max(int(parts[2]), 0) if len(parts) == 3 else 0
        except ValueError:
            return 0
    return len([v for v in rest.split(",") if v.strip()])


def parse_axis(spec: str) -> tuple[str, np.ndarray]:
    """``NAME=START:STOP:N`` (N evenly spaced values, START <= STOP) or ``NAME=V1,V2,...`` -> (name, values)."""
    name, sep, rest = spec.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name or not rest:
        raise InputError(f"axis {spec!r} is not NAME=START:STOP:N or NAME=V1,V2,...")
    from ..engine.sweep import AXIS_ALIASES

    known = set(Model.field_names()) | set(AXIS_ALIASES)
    if name not in known:
        raise InputError(f"axis {spec!r}: unknown parameter {name!r} (known: {', '.join(sorted(known))})")
    if ":" in rest:
        parts = rest.split(":")
        if len(parts) != 3:
            raise InputError(f"axis {spec!r} is not NAME=START:STOP:N")
        try:
            start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise InputError(f"axis {spec!r}: START and STOP must be numbers and N an integer") from None
        if n < 1:
            raise InputError(f"axis {spec!r}: N = {n} is outside the allowed range [1, inf)")
        if not (np.isfinite(start) and np.isfinite(stop)):
            raise InputError(f"axis {spec!r}: START and STOP must be finite")
        if stop < start:
            raise InputError(f"axis {spec!r}: reversed range (STOP {stop:g} < START {start:g})")
        if n > 1 and stop == start:
            raise InputError(f"axis {spec!r}: N = {n} points on an empty range")
        return name, np.linspace(start, stop, n)
    values = [v.strip() for v in rest.split(",") if v.strip()]
    if name in ("scheme",):
        return name, np.array(values)
    if name == "su2":
        truth = {"true": True, "false": False, "1": True, "0": False}
        if any(v.lower() not in truth for v in values):
            raise InputError(f"axis {spec!r}: su2 takes true/false")
        return name, np.array([truth[v.lower()] for v in values])
    try:
        return name, np.array([float(v) for v in values])
    except ValueError:
        raise InputError(f"axis {spec!r}: values must be numbers") from None


def _remove_store(path: Path) -> None:
    """Delete the Zarr store ``path`` (``--overwrite``): a folder that is a pairing1d store, nothing else."""
    import shutil

    if not path.is_dir() or not ((path / "zarr.json").exists() or (path / ".zgroup").exists()):
        raise InputError(f"--out {str(path)!r} is not a Zarr store; --overwrite deletes only stores")
    shutil.rmtree(path)


class _Bar:
    """A Rich progress bar on stderr, drawn only on a terminal (stdout may carry JSON)."""

    def __init__(self, label: str):
        console = Console(stderr=True)
        self.progress = Progress(
            TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"), TimeElapsedColumn(),
            TimeRemainingColumn(), console=console, transient=True, disable=not console.is_terminal,
        )
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("sweep", total=total)
        self.progress.update(self.task, completed=done)


def _load_libraries(suffix: str) -> None:
    """What every run pays once, whatever its size, done before the sweep's clock starts: importing xarray and the
    writer's libraries (Zarr and Dask's arrays, or h5netcdf), about 1.4 s; their first use, which sets them up
    (Zarr's event loop and codecs, xarray's backends, HDF5), about 0.15 s, here on a two-element dataset in memory;
    loading the compiled kernel from numba's cache (0.3-0.8 s; about a minute the first time after an install), and
    one device through the engine, which loads the rest.
    The JSON summary reports it as ``setup_seconds``, apart from the sweep's ``seconds``."""
    import numpy as np
    import xarray as xr

    if suffix == ".zarr":
        import dask.array as da  # the empty store is written from lazy Dask zeros
        import zarr

        tiny = xr.Dataset({"x": ("i", da.zeros(2, chunks=1))})
        store = zarr.storage.MemoryStore()
        tiny.to_zarr(store, mode="w-", consolidated=False, compute=False)
        zarr.open_group(store, mode="r+")["x"][:] = np.ones(2)
    else:
        xr.Dataset({"x": ("i", np.zeros(2))}).to_netcdf(engine="h5netcdf")
    from ..engine.batch import load_kernel, run_batch
    from ..theory.model import Model

    load_kernel()
    run_batch([Model()])  # the first use of the packing and classification (numba's cache, numpy), about 0.2 s


def _summary_data(ds, store: Path | None) -> tuple[dict[str, np.ndarray], dict]:
    """The int8 variables the summary counts, and the attributes: from the store through Zarr itself when there is
    one (through a lazy Dataset, Dask's first computation imports dask.distributed, half a second), else from
    ``ds``."""
    if store is None:
        return ({name: ds[name].values for name in ("phase", "certainty", "controlled", "status") if name in ds},
                dict(ds.attrs))
    import zarr

    group = zarr.open_group(str(store), mode="r")
    return ({name: group[name][...] for name in ("phase", "certainty", "controlled", "status") if name in group},
            dict(group.attrs))


@app.command("phase-diagram")
@model_options
def phase_diagram(
    x: Annotated[str, typer.Option("--x", help="Horizontal axis NAME=START:STOP:N (e.g. exp_neg_lstar=0:0.6:256)")],
    y: Annotated[str, typer.Option("--y", help="Vertical axis NAME=START:STOP:N (e.g. y0=0:0.3:256)")],
    out: Annotated[Path, typer.Option("--out", help="Output: FILE.nc (NetCDF) or FILE.zarr (chunked, resumable)")],
    z: Annotated[str | None, typer.Option("--z", help="Third axis (one plot panel per value, at most 6)")] = None,
    json_out: JsonOpt = False, model_flags: dict | None = None,
    plot: Annotated[Path | None, plot_option("Draw the phase map to this PNG/PDF/SVG file")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Start a local Dask cluster of N workers")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Use the Dask scheduler at ADDRESS")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Complete an interrupted Zarr store")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing --out (a NetCDF file is replaced "
                                                                "only by a complete new one; a Zarr store is deleted "
                                                                "when the sweep starts)")] = False,
    chunk_points: Annotated[int | None, typer.Option("--chunk-points", help="Points per chunk (task); default: "
                                                     "the grid in 16 chunks of 16384 to 65536 points")] = None,
) -> None:
    """Sweep two or three parameters through the RG (controlled flow by default): the phase map of Fig. 4 and its data.

    The time reported (seconds, with --json) is the sweep's, its writing included; setup_seconds is what loading the
    libraries and the compiled kernel took before it (the text says it when it is 2 s or more: a first compilation),
    wall_seconds both."""
    from ..engine.sweep import check_grid_size, dask_client, open_sweep, sweep_to_netcdf, sweep_to_store

    model = model_from_flags(model_flags)
    specs = [(flag, spec) for flag, spec in (("--x", x), ("--y", y), ("--z", z)) if spec is not None]
    suffix = out.suffix.lower()
    # the grid's size from the specifications, before a hundred million values are built
    check_grid_size(tuple(axis_size(spec) for _, spec in specs), store=suffix == ".zarr", chunk_points=chunk_points)
    parsed = [(flag, *parse_axis(spec)) for flag, spec in specs]
    axes: dict = {}
    for flag, name, values in parsed:
        if name in axes:
            first = next(f for f, n, _ in parsed if n == name)
            raise InputError(f"{name} is swept on two axes ({first} and {flag}); give each axis its own parameter")
        axes[name] = values
    names = list(axes)
    if suffix not in (".nc", ".zarr"):
        raise InputError(f"--out {str(out)!r}: the file must end in .nc or .zarr")
    if chunk_points is not None and chunk_points < 1:
        raise InputError(f"--chunk-points {chunk_points} is outside the allowed range [1, inf)")
    if resume and suffix != ".zarr":
        raise InputError("--resume needs a .zarr store (a NetCDF file is written only at the end)")
    if resume and overwrite:
        raise InputError("--resume completes an existing store and --overwrite replaces it: give one of them")
    # one rule for both formats, before anything is loaded: an existing output is kept unless asked otherwise
    if out.exists() and not (resume or overwrite) and not (suffix == ".nc" and out.is_dir()):
        what = "store" if suffix == ".zarr" else "file"
        raise InputError(f"--out {str(out)!r}: the {what} exists; give --overwrite to replace it"
                         + (", or --resume to complete it" if suffix == ".zarr" else "") + ", or another path")
    if suffix == ".nc":
        check_output_path(out)  # before the sweep, not after it
    if plot is not None:  # everything the plot needs is checked before the sweep writes anything
        from ..plotting import MAX_PANELS

        check_output_path(plot)
        if z is not None and len(axes[names[2]]) > MAX_PANELS:
            raise InputError(f"--z {z}: {len(axes[names[2]])} values, but a plot draws at most {MAX_PANELS} panels "
                             "(fewer values, or no --plot)")
    require("numba", "xarray", *(("zarr",) if suffix == ".zarr" else ("h5netcdf",)),
            *(("distributed",) if workers is not None or scheduler is not None else ()))
    setup_started = time.perf_counter()
    _load_libraries(suffix)
    started = time.perf_counter()
    report = None
    with dask_client(workers, scheduler) as client, _Bar("phase diagram") as bar:
        if suffix == ".zarr":
            if overwrite and out.exists():
                _remove_store(out)
            report = sweep_to_store(model, out, resume=resume, client=client, chunk_points=chunk_points,
                                    progress=bar, **axes)
            ds = None  # the summary reads three int8 variables and the attributes through Zarr
        else:
            # encoded while the chunks are computed; an existing file is replaced only by a complete new one
            ds = sweep_to_netcdf(model, out, client=client, chunk_points=chunk_points, progress=bar, **axes)
    elapsed = time.perf_counter() - started
    if plot is not None:
        from ..plotting import plot_phase_map

        if ds is None:
            # every chunk was verified just now (computed and checksummed here, or checked by the resume): read it
            # lazily, without a second verification (1 s for 1024^2)
            ds = open_sweep(out, verify=False, load=False)
        plot_phase_map(ds, plot, names[0], names[1], names[2] if len(names) > 2 else None)
    flags, attrs = _summary_data(ds, out if report is not None else None)
    shape = {n: len(axes[n]) for n in names}
    from ..theory.ensemble import CERTAINTIES
    from ..theory.phases import PHASES

    counts = dict(zip(PHASES, np.bincount(flags["phase"].ravel(), minlength=len(PHASES)).tolist(), strict=True))
    sure = dict(zip(CERTAINTIES, np.bincount(flags["certainty"].ravel(), minlength=len(CERTAINTIES)).tolist(),
                    strict=True)) if "certainty" in flags else {}
    uncontrolled = int(np.sum(flags["controlled"] == 0))
    failed = int(np.sum(flags["status"] != 0)) if "status" in flags else 0
    summary = {
        "out": str(out), "shape": shape, "points": int(flags["phase"].size),
        "phase_counts": counts, "certainty_counts": sure, "uncontrolled_points": uncontrolled,
        "failed_flows": failed, "seconds": elapsed,
        "setup_seconds": started - setup_started, "wall_seconds": time.perf_counter() - setup_started,
        "scheme": attrs.get("scheme", "swept"), "plot": str(plot) if plot else None,
    }
    if report is not None:
        summary.update(chunks=report.n_chunks, computed_chunks=report.computed, skipped_chunks=report.skipped,
                       corrupt_chunks=report.corrupt, stale_lock=report.stale_lock)
    if json_out:
        print_json(summary)
        return
    stdout.print(
        f"[bold]{summary['points']}[/] points over {' x '.join(f'{n}[{shape[n]}]' for n in names)} "
        f"in {elapsed:.2f} s" + (f" (and {summary['setup_seconds']:.1f} s before it, loading the libraries and the "
                                f"compiled kernel)" if summary["setup_seconds"] >= 2.0 else "")
        + ": " + ", ".join(f"{p} {n}" for p, n in counts.items()
                                            if n or p not in ("triplet", "undetermined"))
        + f"; not controlled {uncontrolled}" + (f"; failed flows {failed} (variable 'status')" if failed else "")
    )
    if sure:
        stdout.print("certainty under the verdict ensemble: " + ", ".join(f"{c} {n}" for c, n in sure.items()))
    stdout.print(f"data written to [bold]{out}[/]" + (f", plot to [bold]{plot}[/]" if plot else ""))
    if report is not None and report.skipped:
        stdout.print(f"resumed: {len(report.skipped)} chunks were already done, {len(report.computed)} computed")
    if report is not None and report.corrupt:
        stdout.print(f"{report.recomputed_corrupt} chunks failed verification and were recomputed")
    if report is not None and report.stale_lock:
        stdout.print(f"note: {report.stale_lock}")

