"""pairing1d: electron pairing from repulsion in one dimension (Shavit & Oreg, PRR 2, 043283 (2020)).

A spinful primary wire capacitively coupled to a strongly correlated spinless secondary system: its bare parameters
(:class:`~pairing1d.theory.model.Model`), its RG flow (:func:`~pairing1d.theory.rg.solve_flow`, Eq. 16) and its fate
(:func:`~pairing1d.theory.phases.phase_of`).

The names below are imported on first use (PEP 562): ``import pairing1d`` itself costs milliseconds, so that the
command line can install its Ctrl-C handler before numpy and scipy load (:mod:`pairing1d._console`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Model": "theory.model", "ModelError": "support.errors", "lstar_from_momenta": "theory.model",
    "mass_cutoff": "theory.model",
    "FlowResult": "theory.rg", "solve_flow": "theory.rg",
    "PHASES": "theory.phases", "PhaseResult": "theory.phases", "classify": "theory.phases", "phase_of": "theory.phases",
    "about": "engine.installation", "save_flow": "theory.flow_io", "load_flow": "theory.flow_io",
}

__all__ = [*_EXPORTS, "__version__"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from .engine.installation import about  # noqa: F401
    from .support.errors import ModelError  # noqa: F401
    from .theory.flow_io import load_flow, save_flow  # noqa: F401
    from .theory.model import Model, lstar_from_momenta, mass_cutoff  # noqa: F401
    from .theory.phases import PHASES, PhaseResult, classify, phase_of  # noqa: F401
    from .theory.rg import FlowResult, solve_flow  # noqa: F401


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pairing1d")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installation
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name in _EXPORTS or name == "__version__":
        import importlib

        value = _version() if name == "__version__" else getattr(
            importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # the next look-up is an ordinary attribute
        return value
    raise AttributeError(f"module 'pairing1d' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, "__version__"})
