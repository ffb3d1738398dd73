r"""The set-ups of the paper's figures: their parameters, the axis ranges the paper does not print, the resolution
limits, and the data of Fig. 3, which both the figures (:mod:`pairing1d.paper.figures`) and the paper's statements
(:mod:`pairing1d.paper.claims`) use. Neither of those imports the other for them: they import this module.

* **Fig. 3** (:data:`FIG3`, :data:`FIG3_LSTAR`, :data:`FIG3_DOT`, :data:`FIG3_RANGES`): :math:`K_c^0 = 0.85, K^0 =
  0.6, \upsilon = 0.15, \chi = 1`, SU(2) line, at :math:`\ell^* = 2, 3`; the red dot :math:`y_s^0 = 0.15, y^0 =
  0.12`.
* **Fig. 4** (:data:`FIG4`, :data:`~pairing1d.paper.setups.FIG4_K0`, :data:`~pairing1d.paper.setups.FIG4_RANGES`):
  :math:`y_s^0 = 0.1, K_c^0 = 0.9, \upsilon = 0.12, \chi = 1.5`; the caption does not give the :math:`K^0`, we use 0.4,
  0.55, 0.7 (docs/reproduction.md says why).
* **Fig. 5** (:data:`FIG5`, :data:`~pairing1d.paper.setups.FIG5_LSTAR`): :math:`y_s^0 = y^0 = 0.1, K_c^0 = 0.85, K^0 =
  0.4, \upsilon = 0.1, \chi = 1.5`.
* **Fig. 8** (:data:`FIG8_MU`): the nanotube of :data:`pairing1d.devices.cnt.FIG8` at :math:`\mu = -3` meV.
"""

from __future__ import annotations

import numpy as np

from ..support.errors import ModelError
from ..theory.model import FLOWS, SCHEMES, Model

__all__ = ["FIG3", "FIG3_LSTAR", "FIG3_DOT", "FIG3_RANGES", "FIG4", "FIG4_K0", "FIG4_RANGES", "FIG5", "FIG5_LSTAR",
           "FIG8_MU", "MIN_RESOLUTION", "MAX_RESOLUTION", "fig3_data"]

FIG3 = {"Kc0": 0.85, "K0": 0.6, "upsilon": 0.15, "chi": 1.0, "su2": True}
"""Fixed parameters of Fig. 3 (caption)."""
FIG3_LSTAR = (2.0, 3.0)
"""The incommensurability cutoffs of Fig. 3 (a)-(b) and (c)-(d)."""
FIG3_DOT = {"ys0": 0.15, "y0": 0.12}
"""The red dot of Fig. 3 (a), (c), whose flow panels (b), (d) show."""
FIG3_DOT_LMAX_FACTOR = 3.0
"""The red dot's flow is also continued to this multiple of lmax, to say where ys reaches -1 when it does so only
past lmax (the dot sits near the l_bar = lmax boundary in some settings: then its gap is below exp(-lmax))."""
FIG3_RANGES = {"y0": (0.0, 0.3), "ys0": (-0.2, 0.3)}
"""Bare-coupling ranges of the Fig. 3 maps (not printed in the paper; ys0 < 0 is included for the caption's
remark on iso-gap lines ending at y0 = 0 on a negative ys0)."""

FIG4 = {"ys0": 0.1, "Kc0": 0.9, "upsilon": 0.12, "chi": 1.5}
"""Fixed parameters of Fig. 4 (caption)."""
FIG4_K0 = (0.4, 0.55, 0.7)
"""The three K0 of Fig. 4 (a)-(c): the caption leaves them out; chosen in docs/reproduction.md."""
FIG4_RANGES = {"exp_neg_lstar": (0.0, 0.6), "y0": (0.0, 0.3)}
"""The ranges of the Fig. 4 maps, :math:`e^{-\\ell^*}` and :math:`y^0` (not printed in the paper)."""

FIG5 = {"ys0": 0.1, "y0": 0.1, "Kc0": 0.85, "K0": 0.4, "upsilon": 0.1, "chi": 1.5}
"""Fixed parameters of Fig. 5 (caption)."""
FIG5_LSTAR = (0.0, 8.0)
"""The range of :math:`\\ell^*` in Fig. 5 (not printed in the paper)."""

FIG8_MU = -3.0
"""Chemical potential of Fig. 8, meV."""

MIN_RESOLUTION = 4
"""Fewest grid points per axis that still draw a map (contours need a few)."""
MAX_RESOLUTION = 2048
"""Most grid points per axis: Fig. 3 is then 3 x 2048^2 = 12.6 million flows, about 0.6 GB in memory and a few
minutes on two cores (the default, 128, takes seconds); a million per axis would need terabytes."""


def _check(scheme: str, resolution: int, flow: str = "consistent") -> None:
    if scheme not in SCHEMES:
        raise ModelError(f"scheme = {scheme!r} is not one of {', '.join(SCHEMES)} (docs/physics.md Sec. 3)")
    if flow not in FLOWS:
        raise ModelError(f"flow = {flow!r} is not one of {', '.join(FLOWS)} (docs/physics.md Sec. 3)")
    if (isinstance(resolution, bool) or not isinstance(resolution, int)
            or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION):
        raise ModelError(f"resolution = {resolution!r} is outside the allowed range [{MIN_RESOLUTION}, "
                         f"{MAX_RESOLUTION}] (grid points per axis)")


def _axis(bounds: tuple[float, float], n: int) -> np.ndarray:
    return np.linspace(bounds[0], bounds[1], n)


# --------------------------------------------------------------------------------------------------- Fig. 3

def fig3_data(scheme: str = "cic", resolution: int = 128, n_l: int = 401, flow: str = "consistent"):
    """Fig. 3: ``l_bar_capped`` = min(l_bar, lmax) on the (lstar, ys0, y0) grid, the phase, and the red dot's
    flow ``ys_flow`` (and ``y1_flow``) on ``n_l`` RG times, NaN past the end of its flow (ys = -1 reached)."""

    from ..engine.sweep import sweep
    from ..theory.rg import solve_flow

    _check(scheme, resolution, flow)
    base = Model(**FIG3, scheme=scheme, flow=flow)
    ds = sweep(base, lstar=list(FIG3_LSTAR), ys0=_axis(FIG3_RANGES["ys0"], resolution),
               y0=_axis(FIG3_RANGES["y0"], resolution))
    ds["l_bar_capped"] = np.minimum(ds["l_bar"], base.lmax)
    ds["l_bar_capped"].attrs = {"long_name": "min(l_bar, lmax) (Fig. 3 a, c)", "units": "1"}
    l = np.linspace(0.0, base.lmax, n_l)
    ys, y1, ends, bars = [], [], [], []
    for lstar in FIG3_LSTAR:
        dot = solve_flow(base.replace(lstar=lstar, **FIG3_DOT))
        c = dot.at(np.minimum(l, dot.l_end))
        beyond = l > dot.l_end
        ys.append(np.where(beyond, np.nan, c["ys"]))
        y1.append(np.where(beyond, np.nan, c["y1"]))
        ends.append(dot.l_end)
        # the same flow continued past lmax: where ys would reach -1 (panels b, d say whether that is past lmax)
        longer = dot if dot.l_bar is not None else solve_flow(
            base.replace(lstar=lstar, lmax=FIG3_DOT_LMAX_FACTOR * base.lmax, **FIG3_DOT))
        bars.append(longer.l_bar if longer.l_bar is not None else np.inf)
    ds = ds.assign_coords(l=("l", l, {"long_name": "RG time l = ln(alpha/alpha0)"}))
    ds["ys_flow"] = (("lstar", "l"), np.array(ys), {
        "long_name": "ys along the flow of the red dot (NaN: after the flow stopped at ys = -1)"})
    ds["y1_flow"] = (("lstar", "l"), np.array(y1), {"long_name": "y1 along the flow of the red dot"})
    ds["flow_end"] = (("lstar",), np.array(ends), {"long_name": "RG time where the red dot's flow stopped"})
    ds["red_dot_l_bar"] = (("lstar",), np.array(bars), {
        "long_name": f"l_bar of the red dot, its flow continued to {FIG3_DOT_LMAX_FACTOR:g} lmax (inf: not reached)"})
    ds.attrs.update(figure="Fig. 3", red_dot_ys0=FIG3_DOT["ys0"], red_dot_y0=FIG3_DOT["y0"])
    return ds
