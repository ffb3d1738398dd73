"""How the commands print a result's values: one convention for every table and line (docs/outputs.md).

An RG time that was not reached is printed "not reached", an energy scale that does not exist "none", an infinite
cutoff "∞" (l* = ∞: commensurate; l_m = ∞: no mass), and a value that was not computed or does not apply (a point
outside the theory, a quantity the run did not measure) "—". A user never reads the raw "None", "nan" or "inf".
"""

from __future__ import annotations

import math

NOT_REACHED = "not reached"
"""An RG event that did not happen before the flow's end (None in Python, null in JSON, inf in sweeps)."""
NO_SCALE = "none"
"""An energy scale (a gap) that does not exist (None in Python, null in JSON, 0 in sweeps)."""
NOT_COMPUTED = "—"
"""A value that was not computed or does not apply (NaN in sweeps, null in JSON)."""
INFINITE = "∞"
"""An infinite cutoff (the string "inf" in JSON)."""


def _number(value) -> float | None:
    return None if value is None else float(value)


def rg_time(value: float | None, digits: int = 6) -> str:
    """An RG time: "not reached" for None or inf, "—" for NaN."""
    x = _number(value)
    if x is None or x == math.inf:
        return NOT_REACHED
    return NOT_COMPUTED if math.isnan(x) else f"{x:.{digits}g}"


def scale(value: float | None, digits: int = 4, unit: str = "") -> str:
    """An energy scale: "none" for None or 0, "—" for NaN; ``unit`` is appended to a number."""
    x = _number(value)
    if x is None or x == 0:
        return NO_SCALE
    return NOT_COMPUTED if math.isnan(x) else f"{x:.{digits}g}{unit}"


def cutoff(value: float | None, digits: int = 4) -> str:
    """A cutoff RG time: "∞" for inf (commensurate, no mass), "—" for None or NaN."""
    x = _number(value)
    if x is None or math.isnan(x):
        return NOT_COMPUTED
    return INFINITE if x == math.inf else f"{x:.{digits}g}"


def value(x: float | None, digits: int = 4) -> str:
    """Any other number: "—" where it was not computed or does not apply (None, NaN), ±∞ spelled out."""
    x = _number(x)
    if x is None or math.isnan(x):
        return NOT_COMPUTED
    if math.isinf(x):
        return INFINITE if x > 0 else "-" + INFINITE
    return f"{x:.{digits}g}"


def name(label: str | None) -> str:
    """A name that may be absent (a dominant order, a verdict): "none" for None or ""."""
    return label if label else NO_SCALE


def yes_no(flag: bool | None) -> str:
    """A flag: yes, no, or "—" where it does not apply."""
    return NOT_COMPUTED if flag is None else ("yes" if flag else "no")
