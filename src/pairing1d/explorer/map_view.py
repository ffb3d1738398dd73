"""The phase map's Bokeh figure, kept light: it is on every page, and a page's cost in a load is mostly its count of
Bokeh models (each is built, serialized, sent and held once per page). Also the cache of coloured maps that every
page of a server shares (:data:`RENDER_CACHE`)."""

from __future__ import annotations

from collections.abc import Callable

from bokeh.events import Tap
from bokeh.models import (
    AllLabels,
    BasicTicker,
    BasicTickFormatter,
    BoxZoomTool,
    CDSView,
    ColumnDataSource,
    ImageRGBA,
    LabelSet,
    LinearAxis,
    Plot,
    Range1d,
    ResetTool,
    Scatter,
    Selection,
    Title,
    UnionRenderers,
)

from .compute import Axis, MapCache
from .render import MapImage, render_map
from .text import AXIS_TITLES

__all__ = ["MapView", "MAP_SIZE", "RENDER_CACHE", "rendered"]

MAP_SIZE = (560, 460)
"""The map's width and height in pixels."""

RENDER_CACHE = MapCache(max_entries=16, max_bytes=64 * 2**20,
                        sizeof=lambda image: int(image.rgba.nbytes + image.hatched.nbytes))
"""The coloured maps (:func:`~pairing1d.explorer.render.render_map`) of the maps in
:data:`~pairing1d.explorer.compute.MAP_CACHE`, shared by the pages of this process like the maps themselves: every
visitor's first page shows the same image, coloured once. Read-only."""


def rendered(key: tuple, ds, x: Axis, y: Axis) -> MapImage:
    """The coloured map of ``ds`` (computed under ``key``, its key in the map cache:
    :func:`~pairing1d.explorer.compute.map_key`), from :data:`RENDER_CACHE` when another page coloured it before."""
    image = RENDER_CACHE.get(key)
    if image is None:
        image = render_map(ds["phase"].values, ds["spin_gap"].values, x.values(), y.values(),
                           ds["controlled"].values, ds["certainty"].values)
        for array in (image.rgba, image.hatched):  # shared by every page that shows this map: read-only
            array.flags.writeable = False
        RENDER_CACHE.put(key, image)
    return image


_MARK_STYLE = {"click": ("x", 16, "#d62728", "#d62728", 3.0), "cnt": ("star", 22, "white", "black", 1.5)}
"""marker, size, fill, line colour and width of the clicked device's ✕ and the nanotube device's ★."""


class MapView:
    """The map of one page: a bare Bokeh Plot with the coloured image, the region names and the two markers.

    It has only what shows: no grid (the image covers it), a box zoom and a reset (a click on the canvas is a Tap
    event without a tap tool), no selection or muted copies of the glyphs, the region names as one LabelSet, and the
    paired colour bar in the caption (:func:`~pairing1d.explorer.text.legend_html`). Nothing is ever selected, so
    the three sources share one Selection and selection policy, the two renderers one view and the two axes one
    ticker, formatter and label policy: about 30 models instead of the 59 of ``bokeh.plotting.figure`` with its
    defaults and a colour bar. ``on_tap`` is called with the Tap event of a click."""

    def __init__(self, x: Axis, y: Axis, on_tap: Callable):
        shared = {"selected": Selection(), "selection_policy": UnionRenderers()}
        self.source = ColumnDataSource({"image": [], "x": [], "y": [], "dw": [], "dh": []}, **shared)
        self.labels = ColumnDataSource({"x": [], "y": [], "text": [], "colour": []}, **shared)
        # the clicked device (✕) and the nanotube device (★) share one renderer
        self.markers = ColumnDataSource({k: [] for k in ("x", "y", "marker", "size", "fill", "line", "width")},
                                        **shared)
        self._marks: dict[str, tuple[float, float] | None] = {"click": None, "cnt": None}
        fig = Plot(name="phase-map", width=MAP_SIZE[0], height=MAP_SIZE[1], toolbar_location="above",
                   x_range=Range1d(x.start, x.stop), y_range=Range1d(y.start, y.stop),
                   title=Title(text="Phase map (click a point)"))
        fig.add_tools(BoxZoomTool(), ResetTool())
        ticks = {"ticker": BasicTicker(), "formatter": BasicTickFormatter(), "major_label_policy": AllLabels()}
        fig.add_layout(LinearAxis(**ticks), "below")
        fig.add_layout(LinearAxis(**ticks), "left")
        view = CDSView()
        fig.add_glyph(self.source, ImageRGBA(image="image", x="x", y="y", dw="dw", dh="dh"), view=view)
        fig.add_glyph(self.markers, Scatter(x="x", y="y", marker="marker", size="size", fill_color="fill",
                                            line_color="line", line_width="width"), view=view)
        fig.add_layout(LabelSet(x="x", y="y", text="text", text_color="colour", source=self.labels,
                                text_align="center", text_baseline="middle", text_font_style="bold",
                                text_font_size="13px"))
        fig.on_event(Tap, on_tap)
        self.figure = fig

    def draw(self, image: MapImage, x: Axis, y: Axis, flow: str, scheme: str) -> None:
        """Show ``image`` (the map over ``x`` and ``y``, drawn by ``flow`` and ``scheme``), its region names, its
        ranges and axis titles."""
        xs, ys = x.values(), y.values()
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]  # each pixel centred on its device
        self.source.data = {"image": [image.rgba], "x": [x.start - dx / 2], "y": [y.start - dy / 2],
                            "dw": [x.stop - x.start + dx], "dh": [y.stop - y.start + dy]}
        labels = list(image.labels.items())
        self.labels.data = {"x": [p[0] for _, p in labels], "y": [p[1] for _, p in labels],
                            "text": [n for n, _ in labels],
                            "colour": ["white" if n == "paired" else "black" for n, _ in labels]}
        fig = self.figure
        fig.x_range.update(start=x.start, end=x.stop)
        fig.y_range.update(start=y.start, end=y.stop)
        fig.xaxis.axis_label, fig.yaxis.axis_label = AXIS_TITLES[x.name], AXIS_TITLES[y.name]
        fig.title.text = f"Phase map, flow {flow}, scheme {scheme} (click a point)"

    def set_mark(self, kind: str, where: tuple[float, float] | None) -> None:
        """Place the clicked device's ✕ (``click``) or the nanotube device's ★ (``cnt``); None removes it."""
        self._marks[kind] = where
        data: dict[str, list] = {k: [] for k in self.markers.data}
        for name, at in self._marks.items():
            if at is None:
                continue
            for key, value in zip(("x", "y", "marker", "size", "fill", "line", "width"), (*at, *_MARK_STYLE[name]),
                                  strict=True):
                data[key].append(value)
        self.markers.data = data
