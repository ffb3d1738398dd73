r"""The best designs as files: device TOML files that ``pairing1d device`` reads back, and their gate maps.

:func:`device_toml` writes a :class:`~pairing1d.devices.device.Device` in the layout of the shipped presets
(:func:`pairing1d.devices.device.read_device` reads it back to an equal device: floats are written with ``repr``, which
round-trips exactly), with a header that says which design it is, its gate and its value, and the command that
recomputes it. :func:`write_designs` writes, for every ranked design of a store, ``design_NN.toml`` and
``design_NN_gate_map.png``: the gate map over the device's window with the sensitivity band of its ``[uncertain]``
inputs (:func:`pairing1d.devices.gate_map.sensitivity`). Every file is written atomically
(:mod:`pairing1d.support.files`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..devices.device import Device, device_from_dict

__all__ = ["device_toml", "write_designs", "toml_value", "GATES"]

GATES = 121
"""Gate values of a written design's gate map (its window and edges)."""


def toml_value(value: Any) -> str:
    """One TOML value: a string (JSON's escapes are TOML's), a bool, an int, a float (``repr``: exact; ``inf`` and
    ``nan`` as TOML spells them) or a list of these."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML value for {type(value).__name__}")


def _key(name: str) -> str:
    return name if name.replace("_", "").isalnum() else json.dumps(name)


def device_toml(device: Device, header: str = "") -> str:
    """The device file of ``device`` (module docstring); ``header`` becomes its leading comment lines."""
    raw = device.to_dict()
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for key, value in raw.items():
        if not isinstance(value, dict) and value is not None:
            lines.append(f"{_key(key)} = {toml_value(value)}")
    for table in ("primary", "secondary", "geometry", "uncertain", "sources"):
        entries = raw.get(table) or {}
        if not entries:
            continue
        lines += ["", f"[{table}]"]
        lines += [f"{_key(k)} = {toml_value(v)}" for k, v in entries.items() if v is not None]
    text = "\n".join(lines) + "\n"
    import tomllib

    if device_from_dict(tomllib.loads(text)) != device:  # the file must be the device, to the last bit
        raise AssertionError("the written device file does not read back to the same device")
    return text


def write_designs(summary: dict[str, Any], space, out: str | Path, *, samples: int = 16, figures: bool = True,
                  progress=None) -> list[dict[str, Any]]:
    """Write every ranked design of a :func:`pairing1d.design.rank.design_summary` into the folder ``out``:
    ``design_NN.toml`` and (``figures``) ``design_NN_gate_map.png`` with a ``samples``-sample sensitivity band.
    Returns one record per design (its files)."""
    from ..support.files import make_folder, write_text

    folder = make_folder(out)
    written = []
    for entry in summary["ranked"]:
        r = entry["rank"]
        device = device_from_dict(entry["device"])
        device = device_from_dict(device.to_dict() | {
            "uncertain": {n: [lo, hi] for n, lo, hi in space.device_uncertain(device)},
            "sources": space.device_sources(device) | dict(device.sources)})
        unit = summary["objective_unit"]
        value = entry["value"]
        window = entry["gate_window_V"]
        header = "\n".join([
            f"design {r} of the search over {summary['space']!r} (pairing1d design; docs/design.md)",
            f"objective {summary['objective']}: {value:.4g} {unit}" + ("" if entry["feasible"] else
                                                                     " (not feasible: " + entry["limits"][0] + ")"),
            f"at gate {entry['gate_V']!r} V: phase {entry['phase']} ({entry['certainty']}), spin gap "
            f"{entry['spin_gap_K']:.4g} K, trion scale {entry['trion_scale_K']:.4g} K, "
            f"Lambda {entry['Lambda_K']:.4g} K",
            "gate window " + ("none" if window[0] is None else f"{window[0]:.6g} to {window[1]:.6g} V"),
            "what limits it: " + "; ".join(entry["limits"]),
            f"recompute: pairing1d device THIS_FILE --gate {entry['gate_V']!r} --json",
        ])
        path = write_text(folder / f"design_{r:02d}.toml", device_toml(device, header))
        record = {"rank": r, "toml": str(path)}
        if figures:
            record["figure"] = str(_figure(device, entry, folder / f"design_{r:02d}_gate_map.png", samples))
        written.append(record)
        if progress is not None:
            progress(len(written), len(summary["ranked"]))
    return written


def _figure(device: Device, entry: dict[str, Any], path: Path, samples: int) -> Path:
    from ..devices.device_plots import plot_gate_map
    from ..devices.gate_map import gate_map, sensitivity

    gates = np.unique(np.append(np.linspace(*device.gate_window(), GATES), entry["gate_V"]))
    ds = gate_map(device, gates)
    sens = sensitivity(device, gates, samples=samples) if device.uncertain and samples >= 2 else None
    title = f"design {entry['rank']}: {device.primary.material} wire, " + (
        f"D = {device.secondary.diameter_nm:.3g} nm nanotube" if hasattr(device.secondary, "diameter_nm")
        else "Mott ladder") + f", B = {device.field_T:.3g} T"
    return plot_gate_map(ds, path, sensitivity=sens, title=title)
