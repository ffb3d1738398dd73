"""What this installation runs, for a person (``pairing1d.about()``, ``pairing1d about``, a bug report): the
versions and the machine (:mod:`pairing1d.support.environment`) and the compiled kernels' numba cache (its folder,
and whether the lane kernel is compiled there for this installation). Importing this module is cheap; the engine's
kernels are imported only inside :func:`about`.
"""

from __future__ import annotations

import platform
import sys
from typing import Any

from ..support.environment import DEPENDENCIES, _version, cpu

__all__ = ["about"]


def about() -> dict[str, Any]:
    """Everything a bug report needs: the versions (:data:`pairing1d.support.environment.DEPENDENCIES`), Python and the
    platform, the CPU and its
    SIMD width, numba's threads, and the compiled kernels' cache (its folder, and whether the lane kernel is
    compiled there for this installation: if not, the next map compiles it, about a minute)."""
    from .. import __version__

    out: dict[str, Any] = {
        "pairing1d": __version__, "python": sys.version.split()[0], "platform": platform.platform(),
        "versions": {name: _version(name) for name in DEPENDENCIES}, "cpu": cpu(),
    }
    try:
        import numba

        from . import batch as engine
        from . import lanes as engine_lanes

        out["numba"] = {"threads": numba.get_num_threads(), "cache_dir": engine._dir,
                        "lane_kernel_compiled_here": engine_lanes._in_cache()}
    except ImportError:  # the engine extra is not installed: the scipy path works without it
        out["numba"] = None
    return out
