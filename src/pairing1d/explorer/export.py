"""The explorer's downloads as bytes: the map as PNG (the matplotlib figure of ``pairing1d phase-diagram``) and
NetCDF (the sweep Dataset), and a device as TOML that ``pairing1d flow --params FILE`` reads."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from ..theory.model import Model

__all__ = ["params_toml", "map_png", "map_netcdf"]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    value = float(value)
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)  # shortest repr that reads back to the same float


def params_toml(model: Model, comment: str = "") -> str:
    """Every parameter of ``model`` as TOML with the flag names of ``pairing1d flow``. A temperature, when set,
    is written instead of lmax (the file would otherwise give both); an infinite cutoff is TOML's ``inf``."""
    lines = [f"# {line}" for line in comment.splitlines()] if comment else []
    lines.append("# pairing1d device; run: pairing1d flow --params THIS_FILE")
    for name in Model.field_names():
        value = getattr(model, name)
        if value is None or (name == "lmax" and model.temperature is not None):
            continue
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def map_png(ds, x: str, y: str) -> bytes:
    """The map drawn by :func:`pairing1d.plotting.plot_phase_map`, as PNG bytes."""
    from ..plotting import plot_phase_map

    with tempfile.TemporaryDirectory() as tmp:
        path = plot_phase_map(ds, Path(tmp) / "map.png", x, y)
        return path.read_bytes()


def map_netcdf(ds) -> bytes:
    """The map's Dataset as NetCDF-4 bytes (h5netcdf, as ``pairing1d phase-diagram --out FILE.nc``)."""
    return bytes(ds.to_netcdf(engine="h5netcdf"))  # without a path: the file's bytes
