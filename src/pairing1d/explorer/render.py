"""Pixels and curves for the page, from computed results (no Panel, no Bokeh): the phase map as an RGBA image
in the colours of :func:`pairing1d.plotting.plot_phase_map` (uncontrolled verdicts hatched), region labels, the
flow curves of a point, and the Device tab's gate map as PNG bytes (the figure of ``pairing1d device``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..plotting import PHASE_COLOURS
from ..theory.phases import PHASES

__all__ = ["MapImage", "render_map", "flow_curves", "paired_palette", "hatch_stripes", "BOUNDARY_COLOUR",
           "HATCH_PERIOD", "HATCH_DARKEN", "DOT_PERIOD", "uncontrolled_from", "gate_map_png", "GATE_MAP_DPI"]

BOUNDARY_COLOUR = (0, 0, 0)
"""Phase boundaries are black, as the contour lines of the matplotlib map."""


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def paired_palette(n: int = 256) -> np.ndarray:
    """(n, 3) uint8 :func:`pairing1d.plotting.paired_colormap`, the colour map of the paired phase's spin gap in
    every figure (light green: smallest gap)."""
    from ..plotting import paired_colormap

    return (paired_colormap()(np.linspace(0.0, 1.0, n))[:, :3] * 255).round().astype(np.uint8)


_PAIRED = paired_palette()


HATCH_PERIOD = 4
"""Uncontrolled pixels are hatched with diagonal stripes: pixel (row i, column j) is on a stripe when
``(i + j) % HATCH_PERIOD == 0``."""

DOT_PERIOD = 3
"""A verdict that is only leaning (two thirds of the verdict ensemble) is dotted: pixel (i, j) is darkened when both
``i`` and ``j`` are multiples of ``DOT_PERIOD`` (as the matplotlib map's ``....`` hatch)."""

HATCH_DARKEN = 0.45
"""A light pixel on a stripe is darkened to this fraction of its colour; a dark one (the paired map's dark green
end) is moved the same way towards white, so that the stripes show on every colour."""


@dataclass(frozen=True)
class MapImage:
    """The map as Bokeh's ``image_rgba`` wants it: ``rgba`` (ny, nx) uint32, row 0 at the bottom; the log10 range of
    the spin gap that the paired colour map spans; the phase counts; a label position per phase that covers more
    than 2 % of the map (the median of its pixels, as in the matplotlib figure); ``hatched``, the (ny, nx) mask of
    the verdicts that are not controlled (drawn with diagonal stripes), and their number."""

    rgba: np.ndarray
    log_gap_range: tuple[float, float]
    counts: dict[str, int]
    labels: dict[str, tuple[float, float]]
    hatched: np.ndarray
    uncontrolled: int


def hatch_stripes(shape: tuple[int, int]) -> np.ndarray:
    """The (ny, nx) mask of the pixels on a hatch stripe, ``(i + j) % HATCH_PERIOD == 0``."""
    i, j = np.indices(shape)
    return (i + j) % HATCH_PERIOD == 0


def render_map(phase: np.ndarray, spin_gap: np.ndarray, xs: np.ndarray, ys: np.ndarray,
               controlled: np.ndarray | None = None, certainty: np.ndarray | None = None) -> MapImage:
    """Colour a map given as (ny, nx) arrays over the axis values ``xs``, ``ys``.

    Decoupled, trion, triplet and undetermined in the flat colours of ``plotting.PHASE_COLOURS``; paired by log10
    of the spin gap on :func:`pairing1d.plotting.paired_colormap` between the smallest and largest gap of this map
    (as ``plot_phase_map``). As there, a verdict the verdict ensemble does not support (``certainty == 2``) is drawn
    undetermined, and a leaning one (``certainty == 1``) dotted (:data:`DOT_PERIOD`); diagonal stripes over the
    pixels whose verdict is not controlled (``controlled == 0``; ``None``: all controlled); black pixels where the
    drawn phase changes to the right or above (the boundary lines, drawn over the stripes)."""
    from ..plotting import certain_phase

    phase = certain_phase(np.asarray(phase), certainty)
    rgb = np.empty((*phase.shape, 3), dtype=np.uint8)
    for code, name in enumerate(PHASES):
        if name != "paired":
            rgb[phase == code] = _hex_rgb(PHASE_COLOURS[name])
    paired = phase == PHASES.index("paired")
    lo, hi = -8.0, 0.0
    if paired.any():
        with np.errstate(divide="ignore"):
            log_gap = np.log10(np.where(paired, spin_gap, 1.0))
        lo, hi = float(log_gap[paired].min()), float(log_gap[paired].max())
        scale = (log_gap[paired] - lo) / (hi - lo) if hi > lo else np.full(int(paired.sum()), 0.5)
        rgb[paired] = _PAIRED[np.clip((scale * 255).round().astype(int), 0, 255)]
    undetermined = phase == PHASES.index("undetermined")
    hatched = np.zeros(phase.shape, dtype=bool) if controlled is None else (np.asarray(controlled) == 0) & ~undetermined
    stripe = hatched & hatch_stripes(phase.shape)
    if certainty is not None:  # leaning verdicts: a dot every DOT_PERIOD pixels in both directions
        i, j = np.indices(phase.shape)
        stripe |= (np.asarray(certainty) == 1) & ~undetermined & (i % DOT_PERIOD == 0) & (j % DOT_PERIOD == 0)
    if stripe.any():
        colour = rgb[stripe].astype(float)
        light = colour @ np.array([0.299, 0.587, 0.114]) > 110.0  # perceived brightness, 0..255
        colour[light] *= HATCH_DARKEN
        colour[~light] = 255.0 - (255.0 - colour[~light]) * HATCH_DARKEN
        rgb[stripe] = colour.round().astype(np.uint8)
    edge = np.zeros(phase.shape, dtype=bool)
    edge[:, :-1] |= phase[:, :-1] != phase[:, 1:]
    edge[:-1, :] |= phase[:-1, :] != phase[1:, :]
    rgb[edge] = BOUNDARY_COLOUR
    rgba = np.empty(phase.shape, dtype=np.uint32)
    view = rgba.view(np.uint8).reshape(*phase.shape, 4)  # little-endian RGBA bytes, what Bokeh reads
    view[..., :3] = rgb
    view[..., 3] = 255
    counts = {name: int((phase == code).sum()) for code, name in enumerate(PHASES)}
    labels = {}
    for code, name in enumerate(PHASES):
        mask = phase == code
        if mask.sum() > 0.02 * mask.size:
            rows, cols = np.nonzero(mask)
            labels[name] = (float(np.median(xs[cols])), float(np.median(ys[rows])))
    return MapImage(rgba=rgba, log_gap_range=(lo, hi), counts=counts, labels=labels, hatched=hatched,
                    uncontrolled=int(hatched.sum()))


def flow_curves(result, n_points: int = 400) -> dict[str, np.ndarray]:
    """Dense flow of a solved point for the flow panel: l, ys, log10|y1|, log10|y2| (NaN where 0), Ks, K~, Kc~."""
    flow = result.flow
    l = np.linspace(0.0, flow.l_end, n_points)
    c = flow.at(l)
    out = {"l": l, "ys": np.asarray(c["ys"]), "Ks": np.asarray(c["Ks"]), "K_tilde": np.asarray(c["K_tilde"]),
           "Kc_tilde": np.asarray(c["Kc_tilde"])}
    for key in ("y1", "y2"):
        values = np.abs(np.asarray(c[key], dtype=float))
        with np.errstate(divide="ignore"):
            out[f"log_{key}"] = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)
    return out


def uncontrolled_from(result) -> float | None:
    """RG time from which the flow of a solved point rests on a coupling beyond ``y_strong`` (the first of
    :math:`|y_1|` or :math:`|y_2|` reaching it), or None when the verdict is controlled."""
    if result.controlled:
        return None
    strong = [v for v in (result.flow.l_bbar, result.flow.l_bbar2) if v is not None]
    return min(strong) if strong else None


GATE_MAP_DPI = 100
"""Resolution of the gate map shown in the Device tab (about 700 px wide; the download has the files' 200 dpi)."""


def gate_map_png(ds, title: str | None = None, dpi: int = GATE_MAP_DPI) -> bytes:
    """The gate map figure of :func:`pairing1d.devices.device_plots.plot_gate_map` (phase strip, gaps in kelvin,
    conductance in e²/h against the gate voltage) as PNG bytes, in memory: no file is written. The figure's constrained
    layout already fits it, so the page skips the files' tight bounding box (one drawing pass instead of two)."""
    import io

    import matplotlib.pyplot as plt

    from ..devices.device_plots import gate_map_figure
    from ..plotting import STYLE

    with plt.rc_context(STYLE | {"savefig.bbox": "standard"}):
        fig = gate_map_figure(ds, title=title)
        try:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi)
        finally:
            plt.close(fig)
    return buffer.getvalue()
