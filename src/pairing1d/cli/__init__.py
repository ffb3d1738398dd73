"""The ``pairing1d`` command line (Typer + Rich): one module per command, each mirroring a Python function.

``main`` is the console entry point; ``app`` the Typer application the command modules register on.
"""

from ._app import app, main

# command modules register themselves on `app` when imported
from . import about, atlas, cnt, coupled_wires, design, device, explore, figures, flow, ladder, lattice, phase_diagram, signatures, trion  # noqa: E402, F401, E501  isort: skip

__all__ = ["app", "main"]
