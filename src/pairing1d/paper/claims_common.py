r"""What every statement of the paper is measured with: :class:`~pairing1d.paper.claims_common.Claim` (the statement,
what the package finds and whether it bears the statement out), the Fig. 4 planes several statements read (computed once
per process), and the small counts they share. Part of :mod:`pairing1d.paper.claims`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..support.errors import ModelError
from ..theory.model import FLOWS, SCHEMES, Model
from ..theory.phases import PHASES

__all__ = ["Claim"]


DECOUPLED, PAIRED, TRION, TRIPLET, UNDETERMINED = (PHASES.index(p) for p in PHASES)
CDW, SC = 1, 2  # dominant_order codes in sweeps (0 none, 1 CDW, 2 SC, 3 SDW, 4 TS)
_RANK = np.array([0, 1, 2, 1, -1])  # decoupled < paired = triplet (a spin gap) < trion; undetermined: no rank


@dataclass(frozen=True)
class Claim:
    """One statement of the paper and what the package finds under ``scheme`` and ``flow``.

    ``holds`` is True, False, or None where the measurement cannot decide (then ``finding`` says why); ``numbers``
    is JSON-ready (finite floats, None for "not reached").
    """

    key: str
    statement: str
    source: str
    scheme: str
    flow: str
    holds: bool | None
    finding: str
    numbers: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clean(value: Any) -> Any:
    """JSON-ready copy: numpy scalars and arrays to Python, inf and NaN to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def _claim(key: str, statement: str, source: str, scheme: str, flow: str, holds: Any, finding: str,
           numbers: dict[str, Any]) -> Claim:
    return Claim(key, statement, source, scheme, flow, None if holds is None else bool(holds), finding,
                 _clean(numbers))


def _check(scheme: str, flow: str) -> None:
    if scheme not in SCHEMES:
        raise ModelError(f"scheme = {scheme!r} is outside the allowed values {{{', '.join(SCHEMES)}}}")
    if flow not in FLOWS:
        raise ModelError(f"flow = {flow!r} is outside the allowed values {{{', '.join(FLOWS)}}}")


def _fig4_plane(scheme: str, K0: float, flow: str = "consistent", n: int = 64, **changes: Any):
    """A Fig. 4 plane at K0 (and ``changes`` of the caption's parameters), computed once per process and per
    (scheme, flow, K0, n, changes): several statements read the same planes. The Dataset is shared between callers:
    read it, do not modify it. The ``paper`` flow refuses ``upsilon_theta`` (it is defined on the line of Eq. 13)."""
    _check(scheme, flow)
    if flow == "paper" and changes.get("upsilon_theta") is not None:
        raise ModelError("upsilon_theta is not defined for flow = 'paper' (Eq. (16) holds on the line of Eq. (13))")
    return _plane(scheme, flow, float(K0), int(n), tuple(sorted(changes.items())))


@functools.lru_cache(maxsize=128)
def _plane(scheme: str, flow: str, K0: float, n: int, changes: tuple[tuple[str, Any], ...]):
    from ..engine.sweep import sweep
    from .setups import FIG4, FIG4_RANGES

    model = Model(**(FIG4 | {"K0": K0} | dict(changes)), scheme=scheme, flow=flow)
    return sweep(model, exp_neg_lstar=np.linspace(*FIG4_RANGES["exp_neg_lstar"], n),
                 y0=np.linspace(*FIG4_RANGES["y0"], n))


def _rows(ds):
    """(phase, controlled) of a Fig. 4 plane as arrays of rows of constant y0, and the y0 and exp(-l*) axes."""
    ds = ds.transpose("y0", "exp_neg_lstar")
    return ds["phase"].values, ds["controlled"].values, ds["y0"].values, ds["exp_neg_lstar"].values


def _fractions(phase: np.ndarray) -> dict[str, float]:
    return {name: round(float(np.mean(phase == code)), 4) for code, name in enumerate(PHASES)}


def _uncontrolled(ds, mask: np.ndarray) -> float | None:
    """Share of the points in ``mask`` whose verdict is not controlled (None if ``mask`` is empty)."""
    mask = np.asarray(mask, dtype=bool)
    return round(float(np.mean(ds["controlled"].values[mask] == 0)), 4) if mask.any() else None


def _paired_certainty(planes) -> np.ndarray:
    """The paired points of sweep planes by certainty: counts of robust, leaning, undetermined. A statement that the
    paired phase does something holds only where some of its points are robust or leaning; where all are
    undetermined the verdict ensemble supports none of them and the statement cannot be decided."""
    sure = np.zeros(3, dtype=int)
    for ds in planes:
        sure += np.bincount(ds["certainty"].values[ds["phase"].values == PAIRED].astype(int).ravel(), minlength=3)
    return sure


def _sure_text(sure: np.ndarray) -> str:
    return (f"; its {int(sure.sum())} paired points are robust {sure[0]}, leaning {sure[1]}, undetermined {sure[2]} "
            "under the verdict ensemble" if sure.sum() else "")


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _trion_block_end(row: np.ndarray) -> int | None:
    """Index of the last point of the first block of trion points along a row (None: no trion in the row)."""
    trion = np.nonzero(row == TRION)[0]
    if trion.size == 0:
        return None
    start = int(trion[0])
    after = np.nonzero(row[start:] != TRION)[0]
    return row.size - 1 if after.size == 0 else start + int(after[0]) - 1
