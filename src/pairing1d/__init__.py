"""pairing1d: electron pairing from repulsion in one dimension (Shavit & Oreg, PRR 2, 043283 (2020)).

A spinful primary wire capacitively coupled to a strongly correlated spinless secondary system: its bare
parameters (:class:`Model`), its RG flow (:func:`solve_flow`, Eq. 16) and its fate (:func:`phase_of`).
"""

from importlib.metadata import PackageNotFoundError, version

from .model import Model, ModelError, lstar_from_momenta, mass_cutoff
from .phases import PHASES, PhaseResult, classify, phase_of
from .rg import FlowResult, solve_flow

try:
    __version__ = version("pairing1d")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installation
    __version__ = "0+unknown"

__all__ = [
    "Model", "ModelError", "lstar_from_momenta", "mass_cutoff", "FlowResult", "solve_flow",
    "PHASES", "PhaseResult", "classify", "phase_of", "__version__",
]
