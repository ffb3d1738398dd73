"""The ``pairing1d`` command line (Typer + Rich): one module per command, each mirroring a Python function.

``main`` is the console entry point; ``app`` the Typer application the command modules register on. An
application, the top layer: it may import any layer of the package, and nothing of the package imports it (but the
entry point :mod:`pairing1d._console`).
"""

from ._app import app, main

# command modules register themselves on `app` when imported
from . import about, atlas, cnt, coupled_wires, design, device, explore, figures, flow, ladder, lattice, phase_diagram, signatures, trion  # noqa: E402, F401, E501  isort: skip

__all__ = ["app", "main"]
