"""The explorer's parameter controls, described as data: one :class:`Control` per :class:`~pairing1d.model.Model`
field (label, slider range, help), and the conversion between widget values and a Model.

No Panel here: the view builds its widgets from :data:`CONTROLS`, and the tests check that every Model field has
one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from ..model import SCHEMES, Model

__all__ = ["Control", "CONTROLS", "CONTROL_GROUPS", "model_from_values", "values_of"]

Kind = Literal["slider", "optional", "bool", "select"]


@dataclass(frozen=True)
class Control:
    """How the page shows one Model field.

    ``slider``: an editable slider (the typed value may leave the slider's range; the Model decides whether it
    is allowed); ``optional``: a number input that may stay empty (``None``: no temperature, no mass);
    ``bool``: a checkbox; ``select``: a choice among ``options`` (label -> value).
    """

    name: str
    label: str
    help: str
    kind: Kind = "slider"
    start: float = 0.0
    end: float = 1.0
    step: float = 0.01
    options: tuple[tuple[str, Any], ...] = ()


CONTROLS: tuple[Control, ...] = (
    Control("Kc0", "Kc0: primary charge Luttinger parameter", "Kc < 1: repulsive primary wire (Eq. 9)", start=0.1,
            end=2.0),
    Control("K0", "K0: secondary Luttinger parameter", "small K0: strongly correlated secondary (Eq. 11)",
            start=0.05, end=2.0),
    Control("ys0", "ys0: bare spin fugacity", "ys > 0: repulsive; ys -> -1 is a spin gap (Eq. 16a)", start=-0.95,
            end=0.95),
    Control("y0", "y0: bare inter-wire backscattering y1", "g1/(pi u), drives ys down (Eq. 16c)", start=0.0,
            end=0.5, step=0.005),
    Control("y2", "y2: bare particle-like backscattering", "0 in the paper's figures (Eq. 16d)", start=0.0, end=0.5,
            step=0.005),
    Control("upsilon", "upsilon: forward inter-wire coupling", "|upsilon| < 1 (Eq. 14)", start=-0.95, end=0.95),
    Control("u_ratio", "u/uc: velocity ratio", "secondary over primary charge velocity (Eq. 14a)", start=0.1,
            end=3.0, step=0.05),
    Control("lstar", "l*: incommensurability cutoff of y1", "ln(1/((kF + k) alpha0)), Eq. (15)", start=0.0,
            end=10.0, step=0.05),
    Control("lstar2", "l*2: cutoff of y2", "ln(1/((kF - k) alpha0)), Eq. (15)", start=-3.0, end=10.0, step=0.05),
    Control("chi", "chi: width of the cutoff c(l)", "c(l) = [1 - tanh((l - l*)/chi)]/2", start=0.1, end=5.0,
            step=0.05),
    Control("lmax", "lmax: infrared end of the flow", "ln(Lambda/T) at temperature T", start=1.0, end=40.0,
            step=0.5),
    Control("temperature", "T/Lambda (empty: T = 0, use lmax)", "sets lmax = ln(Lambda/T)", kind="optional"),
    Control("lmass", "l_m: mass cutoff (empty: no mass)", "ln(Lambda_sec/|m - mu|), Eq. (B1)", kind="optional"),
    Control("y_strong", "y_strong: |y1| taken as strong coupling", "defines the trion scale l_bbar", start=0.1,
            end=3.0, step=0.05),
    Control("theta", "theta: relative phase of g_up, g_down", "multiplies the y^2 terms by cos(theta)", start=0.0,
            end=round(math.pi, 2), step=0.01),
    Control("su2", "SU(2) line Ks = 1 + ys/2", "otherwise Ks flows by Eq. (16b)", kind="bool"),
    Control("scheme", "cutoff scheme", "printed: Eq. (16) as printed; frozen: dy1/dl also times c1",
            kind="select", options=tuple((s, s) for s in SCHEMES)),
    Control("vertex_charge", "secondary vertex charge p", "2: spinless wire (Eq. 12); 1: Mott ladder (Eq. 22)",
            kind="select", options=(("2 (spinless wire)", 2.0), ("1 (Mott ladder)", 1.0))),
)
"""One control per Model field, in the order the page shows them."""

CONTROL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Wires", ("Kc0", "K0", "ys0", "u_ratio", "su2")),
    ("Inter-wire coupling", ("y0", "y2", "upsilon", "theta", "vertex_charge")),
    ("Cutoffs", ("lstar", "lstar2", "chi", "lmass", "lmax", "temperature", "y_strong", "scheme")),
)
"""How the controls are grouped on the page (every control in exactly one group)."""


def model_from_values(values: dict[str, Any]) -> Model:
    """The Model of the page's widget values (name -> value); raises :class:`~pairing1d.model.ModelError`.

    An empty ``lmass`` means no mass (inf); a given ``temperature`` sets lmax, so the lmax slider is then
    ignored (the Model refuses both when they disagree, which a page could not resolve).
    """
    kwargs = dict(values)
    if kwargs.get("lmass") is None:
        kwargs["lmass"] = math.inf
    if kwargs.get("temperature") is not None:
        kwargs["lmax"] = None
    else:
        kwargs["temperature"] = None
    return Model(**kwargs)


def values_of(model: Model) -> dict[str, Any]:
    """Widget values showing ``model`` (the inverse of :func:`model_from_values`)."""
    out = {name: getattr(model, name) for name in Model.field_names()}
    if math.isinf(out["lmass"]):
        out["lmass"] = None
    return out
