"""What a result was computed with: the package's and its dependencies' versions, the machine, numba's cache.

:func:`pairing1d.engine.installation.about` is for a person (``pairing1d.about()``, ``pairing1d about``, a bug
report), built on :func:`cpu` and the versions here; :func:`provenance` is the
short record every dataset the package writes carries in its attribute ``provenance`` (a JSON string), so that a file
says which versions made it. Versions are read from the installed distributions' metadata, without importing them.
"""

from __future__ import annotations

import json
import os
import platform
from importlib import metadata
from typing import Any

__all__ = ["cpu", "provenance", "provenance_json", "DEPENDENCIES"]

DEPENDENCIES = ("numpy", "scipy", "numba", "llvmlite", "xarray", "h5netcdf", "zarr", "dask", "distributed",
                "matplotlib", "physics-tenpy", "panel", "bokeh", "typer", "rich")
"""The distributions whose versions :func:`pairing1d.engine.installation.about` reports (None: not installed)."""

_PROVENANCE = ("numpy", "scipy", "numba", "xarray")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def cpu() -> dict[str, Any]:
    """The CPU model, the doubles per SIMD register it offers (8 with AVX-512, 4 with AVX, 2 with SSE2; the lane
    kernel's speed depends on it), whether it has FMA, and the cores."""
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown":
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        model = platform.processor() or "unknown"
    width = 8 if "avx512f" in flags else 4 if flags & {"avx", "avx2"} else 2 if "sse2" in flags else None
    return {"model": model, "simd_doubles": width, "fma": "fma" in flags, "cores": os.cpu_count()}


def provenance() -> dict[str, str | None]:
    """The versions that decide a result's numbers: pairing1d, Python and the numerical libraries."""
    from .. import __version__

    return {"pairing1d": __version__, "python": platform.python_version(),
            **{name: _version(name) for name in _PROVENANCE}}


def provenance_json() -> str:
    """:func:`provenance` as the JSON string of a dataset's ``provenance`` attribute."""
    return json.dumps(provenance(), sort_keys=True)
