"""``pairing1d about``: the versions, the machine and numba's cache (:func:`pairing1d.engine.installation.about`)."""

from __future__ import annotations

from ._app import app, stdout
from .options import JsonOpt, print_json


@app.command()
def about(json_out: JsonOpt = False) -> None:
    """Print the versions of pairing1d and its dependencies, Python, the platform, the CPU and its SIMD width,
    numba's threads and whether the lane kernel is compiled for this installation (for a bug report; every dataset
    the package writes carries the short version of this in its attribute 'provenance')."""
    from ..engine.installation import about as environment

    info = environment()
    if json_out:
        print_json(info, indent=2)
        return
    stdout.print(f"[bold]pairing1d {info['pairing1d']}[/] on Python {info['python']}, {info['platform']}")
    cpu = info["cpu"]
    stdout.print(f"CPU: {cpu['model']}, {cpu['cores']} cores, SIMD {cpu['simd_doubles'] or '?'} doubles")
    numba = info["numba"]
    if numba is None:
        stdout.print("numba: not installed (the engine extra); the scipy path works without it")
    else:
        state = "compiled for this installation" if numba["lane_kernel_compiled_here"] else \
            "not compiled yet (the next map compiles it, about a minute)"
        stdout.print(f"numba: {numba['threads']} threads; lane kernel {state}; cache {numba['cache_dir']}")
    stdout.print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v is not None))
    missing = [k for k, v in info["versions"].items() if v is None]
    if missing:
        stdout.print("not installed: " + ", ".join(missing))
