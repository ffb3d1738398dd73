"""What machine a benchmark ran on: the CPU model, its SIMD width in doubles (the lane kernel's ratio depends on it),
the cores and the load. Every benchmark prints it beside its ratios, since the machines differ between sessions."""

from __future__ import annotations

import os


def cpu_flags() -> tuple[str, set[str]]:
    """The CPU model name and its feature flags, from /proc/cpuinfo (empty where there is none)."""
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown":
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return model, flags


def vector_width_doubles(flags: set[str]) -> int:
    """Doubles per SIMD register the CPU offers: 8 with AVX-512, 4 with AVX/AVX2, 2 with SSE2, else 1."""
    if "avx512f" in flags:
        return 8
    if "avx2" in flags or "avx" in flags:
        return 4
    if "sse2" in flags:
        return 2
    return 1


def describe() -> dict:
    """The machine, for a benchmark's output."""
    model, flags = cpu_flags()
    return {"cpu_model": model, "vector_width_doubles": vector_width_doubles(flags), "fma": "fma" in flags,
            "cores": os.cpu_count(), "load_average_1min": os.getloadavg()[0]}
