"""What machine a benchmark ran on: the CPU model, its SIMD width in doubles (the lane kernel's ratio depends on it),
the cores and the load. Every benchmark prints it beside its ratios, since the machines differ between sessions."""

from __future__ import annotations

import os

from pairing1d.support.environment import cpu


def describe() -> dict:
    """The machine, for a benchmark's output (:func:`pairing1d.support.environment.cpu` and the load average)."""
    info = cpu()
    return {"cpu_model": info["model"], "vector_width_doubles": info["simd_doubles"], "fma": info["fma"],
            "cores": info["cores"], "load_average_1min": os.getloadavg()[0]}
