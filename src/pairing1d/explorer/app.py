"""The explorer page (Panel + Bokeh), in two tabs. *Phase map*: controls for every model parameter, the phase map
over two axes, the flow of a clicked device, the nanotube gate and the downloads. *Device*: a device in the lab's
units over gate voltage (:mod:`.device_tab`).

Only layout and event wiring live here; what is computed comes from :mod:`.compute`, :mod:`.render` and :mod:`.export`,
the words from :mod:`.text`, the figures from :mod:`.map_view` and :mod:`.flow_view`, the nanotube gate from
:mod:`.cnt_section`. A page load builds as little as it can, since a server answers the loads of many visitors one after
the other and a page's cost is mostly its count of Bokeh models: the map (the page's one figure until the flow is
shown), its status line and caption, the device's text and one group of buttons, one per section; the groups of
controls, the map's axes, the nanotube gate, the downloads and the flow figure are built when their button first shows
them (:mod:`.sections`; the flow also at the first click of the map), the Device tab when it is first shown. The first
map, its colours and its device are computed once per process and shared, read-only, by every page. Every callback goes
through ``_widgets._guarded``: a bad value (a :class:`~pairing1d.support.errors.ModelError` or any ``ValueError``)
becomes one line in its tab's alert, never a traceback, and the session keeps working.

In Jupyter::

    import panel as pn
    pn.extension()
    from pairing1d.explorer import build_app
    build_app()            # or build_app(Model(K0=0.4))
"""

from __future__ import annotations

import functools
import io
import math
import time
import weakref
from typing import Any

import panel as pn

from ..devices.device import PRESETS
from ..support.errors import ModelError
from ..theory.model import Model
from . import compute
from ._widgets import _LABEL, WithAlert, _guarded, _label, log
from .cnt_section import CntSection
from .compute import AXIS_NAMES, DEFAULT_RANGES, Axis, Point
from .device_tab import DEFAULT_PRESET, DeviceTab
from .export import map_netcdf, map_png, params_toml
from .flow_view import FlowView
from .map_view import MapView, rendered
from .params import CONTROL_GROUPS, CONTROLS, model_from_values, values_of
from .sections import SECTION_LABELS, SECTION_TITLES, LazyControls, Section, group_title
from .text import INTRO, legend_html, point_markdown, status_markdown

__all__ = ["Explorer", "build_app", "live_pages", "release_with_session", "TAB_TITLES"]

TAB_TITLES = ("Phase map", "Device")
"""The page's tabs, in order."""

_LIVE: weakref.WeakSet[Explorer] = weakref.WeakSet()
"""Every page not yet garbage-collected (weak references: this registry keeps none of them alive)."""

_CONTROL_LABELS = {c.name: c.label for c in CONTROLS}


def live_pages() -> int:
    """How many explorer pages are still in memory (call ``gc.collect()`` first for an exact count): a served page
    is released when its session is destroyed, so that on a server this falls back once closed tabs are discarded."""
    return len(_LIVE)


def _release_js_callbacks(view) -> int:
    """Drop the entries of ``view``'s objects from Panel's class-wide registry of JS callbacks and links
    (``panel.links.Callback.registry``); returns how many. The registry is a WeakKeyDictionary whose *values* hold
    strong references back to their key: an editable slider's text box is the key of a callback whose ``args``
    hold the slider, whose watchers hold the composite widget, which holds the text box (and, through the page's
    own watchers, the whole page, its figures and its map). Such an entry is never collected, so without this every
    page ever served stayed in memory (about 4 MB a load). The entries are only needed to render the objects into
    a new document; a page whose session is gone never is."""
    from panel.links import Callback

    mine = {id(obj) for obj in view.select()}
    mine_in_registry = [source for source in list(Callback.registry.keys()) if id(source) in mine]
    for source in mine_in_registry:  # Link (jslink) shares this registry
        Callback.registry.pop(source, None)
    return len(mine_in_registry)


class Explorer(WithAlert):
    """One page: its widgets, figures and the current map, device and clicked point (the Phase map tab), and the
    Device tab (``device_tab``, built and computed when it is first shown).

    A load builds the map (``map_view``), its status line and caption, the device's text and one group of buttons
    (``show``), one for every section (``sections``); a section is built when its button first shows it, or when
    the page needs one of its widgets: ``controls["K0"]``, ``axis_widgets`` and ``cnt.widgets`` build theirs,
    hidden. The flow figure (``flow_view``, None until built) is also built at the first click of the map. The
    first map, its colours and the first device come from caches shared by every page of the process
    (:data:`~pairing1d.explorer.compute.MAP_CACHE`, :data:`~pairing1d.explorer.map_view.RENDER_CACHE`,
    :data:`~pairing1d.explorer.compute.POINT_CACHE`); they are read-only, so each page changes only its own state."""

    def __init__(self, model: Model | None = None, x: Axis | None = None, y: Axis | None = None,
                 device_preset: str = DEFAULT_PRESET):
        model = model if model is not None else Model()
        x = x or Axis("exp_neg_lstar", *DEFAULT_RANGES["exp_neg_lstar"], 128)
        y = y or Axis("y0", *DEFAULT_RANGES["y0"], 128)
        if device_preset not in PRESETS:  # said now, not when the Device tab is first shown
            raise ModelError(f"preset {device_preset!r} is outside the known presets {{{', '.join(PRESETS)}}}")
        self.model: Model = model
        self.axes: tuple[Axis, Axis] = (x, y)
        self.ds = None
        self.point: Point | None = None
        self.timings: dict[str, float] = {}
        self._hold = False  # set while several widgets change together: one refresh at the end
        self.released = False
        self._swept: set[str] = set()
        self._device_preset = device_preset
        self._device_tab: DeviceTab | None = None
        self._axis_widgets: dict[str, dict[str, Any]] | None = None
        self.flow_view: FlowView | None = None
        _LIVE.add(self)

        self._pending = self._start_values(model)  # the values of the controls not built yet
        self.sections: dict[str, Section] = {}  # filled by _layout
        self.controls = LazyControls(self.sections)
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width",
                                   margin=(0, 10), css_classes=["explorer-alert"])
        self.map_view = MapView(x, y, self.on_tap)
        self.map_status = pn.pane.Markdown("", margin=(0, 10), css_classes=["map-status"])
        self.legend = pn.pane.HTML(legend_html(model.flow, model.scheme), margin=(0, 10), css_classes=["map-legend"])
        self.point_text = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["point-summary"])
        self.cnt = CntSection(self)
        self.view = self._layout()
        compute.warm_up()
        self.refresh_map()  # also places the nanotube device
        if self.point is None:  # start with the sliders' own device, so that no panel is empty
            x, y = self.axes
            self._guarded_select({x.name: compute.axis_value(model, x), y.name: compute.axis_value(model, y)})

    # --- sections -----------------------------------------------------------------------------------------

    def _sections(self, left, middle, right) -> dict[str, Section]:
        """Every section of the Phase map tab, in the order of their buttons, each with the column it goes to."""
        place = self._place_section
        sections = [Section(f"group-{i}", title, group_title(title, names), left,
                            functools.partial(self._build_group, names), place)
                    for i, (title, names) in enumerate(CONTROL_GROUPS)]
        sections += [Section(key, SECTION_LABELS[key], SECTION_TITLES[key], area, build, place)
                     for key, area, build in (("axes", middle, self._build_axes), ("cnt", middle, self.cnt.build),
                                              ("downloads", middle, self._build_downloads),
                                              ("flow", right, self._build_flow))]
        return {section.key: section for section in sections}

    def _place_section(self, section: Section) -> None:
        """Put a section just built in its column, in the order of the buttons whatever the order they were built:
        after the column's first object (the button group, the map's caption or the device's text) and the
        sections of the column built before it that come before it."""
        built = [s.view for s in self.sections.values() if s.built and s.area is section.area and s.view is not None]
        section.area.insert(len(section.area) - len(built) + 1 + built.index(section.view), section.view)

    @_guarded
    def _on_show(self, event) -> None:
        """The section buttons: build and show the sections pressed, hide the others."""
        for key, section in self.sections.items():
            if key in event.new:
                section.show()
            elif section.built:
                section.show(False)

    def open_section(self, key: str) -> None:
        """Show section ``key`` (building it if needed), as its button does."""
        if key not in self.show.value:
            self.show.value = [*self.show.value, key]

    # --- controls -----------------------------------------------------------------------------------------

    @staticmethod
    def _start_values(model: Model) -> dict[str, Any]:
        """The controls' values for ``model``, as the widgets will hold them (a slider cannot hold an infinite
        value, e.g. lstar = inf from the command line: it starts at its end, and so does the page's map)."""
        values = values_of(model)
        for c in CONTROLS:
            if c.kind == "slider" and not math.isfinite(values[c.name]):
                values[c.name] = c.end
        return values

    def _build_group(self, names: tuple[str, ...]) -> list:
        """The widgets of one group of controls, from the page's current values (and greyed out where a map axis
        sets them)."""
        by_name = {c.name: c for c in CONTROLS}
        for name in names:
            c, value = by_name[name], self._pending[name]
            if c.kind == "slider":
                w = pn.widgets.EditableFloatSlider(
                    **_label(c.label), start=min(c.start, value), end=max(c.end, value), step=c.step, value=value,
                    sizing_mode="stretch_width", format="0.[0000]",
                )
                w.param.watch(self._on_control, "value_throttled")
            elif c.kind == "optional":
                w = pn.widgets.FloatInput(**_label(c.label), value=value, placeholder=c.placeholder, description=c.help,
                                          sizing_mode="stretch_width")
                w.param.watch(self._on_control, "value")
            elif c.kind == "bool":
                w = pn.widgets.Checkbox(**_label(c.label), value=value)
                w.param.watch(self._on_control, "value")
            else:
                w = pn.widgets.Select(**_label(c.label), options=dict(c.options), value=value, description=c.help,
                                      sizing_mode="stretch_width")
                w.param.watch(self._on_control, "value")
            w.css_classes = [f"control-{c.name}"]  # a stable handle for the browser test and for styling
            self.controls.widgets[name] = w
            self._grey_out(name, w)
        return [self.controls.widgets[name] for name in names]

    def _values(self) -> dict[str, Any]:
        built = self.controls.widgets
        return {c.name: built[c.name].value if c.name in built else self._pending[c.name] for c in CONTROLS}

    def set_controls(self, values: dict[str, float]) -> None:
        """Set several controls (a slider widened to hold its value, a control not built yet recorded for when it
        is), then redraw once."""
        self._hold = True
        try:
            for name, value in values.items():
                w = self.controls.widgets.get(name)
                if w is None:
                    self._pending[name] = value
                    continue
                w.end = max(w.end, value)
                w.start = min(w.start, value)
                w.value = value
        finally:
            self._hold = False
        self.refresh_map()

    def _mark_swept(self, x: Axis, y: Axis) -> None:
        """Grey out the controls the map axes override, so that nobody moves a slider that does nothing (the
        controls built later are greyed out when they are built)."""
        swept = {x.target, y.target}
        if swept & {"lmax", "temperature"}:
            swept |= {"lmax", "temperature"}
        self._swept = swept
        for name, w in self.controls.widgets.items():
            self._grey_out(name, w)

    def _grey_out(self, name: str, w) -> None:
        w.disabled = name in self._swept
        setattr(w, _LABEL, _CONTROL_LABELS[name] + (" (set by the map axis)" if w.disabled else ""))

    @_guarded
    def _on_control(self, *_events) -> None:
        if not self._hold:
            self.refresh_map()

    # --- axes ---------------------------------------------------------------------------------------------

    @property
    def axis_widgets(self) -> dict[str, dict[str, Any]]:
        """The axis controls (``x``/``y`` -> ``name``, ``start``, ``stop``, ``n``), built on first use."""
        self.sections["axes"].ensure()
        return self._axis_widgets

    def _build_axes(self) -> list:
        out = {}
        for key, axis in zip(("x", "y"), self.axes, strict=True):
            w = {
                "name": pn.widgets.Select(**_label(f"{key} axis"), options=list(AXIS_NAMES), value=axis.name,
                                          width=140),
                "start": pn.widgets.FloatInput(**_label("from"), value=axis.start, width=90),
                "stop": pn.widgets.FloatInput(**_label("to"), value=axis.stop, width=90),
                "n": pn.widgets.IntInput(**_label("points"), value=axis.n, width=80),
            }
            w["name"].param.watch(functools.partial(self._on_axis_name, key), "value")
            for part in ("start", "stop", "n"):
                w[part].param.watch(self._on_control, "value")
            out[key] = w
        self._axis_widgets = out
        return [pn.Row(out[k]["name"], out[k]["start"], out[k]["stop"], out[k]["n"]) for k in ("x", "y")]

    def _read_axes(self) -> tuple[Axis, Axis]:
        if self._axis_widgets is None:  # nobody opened the axes: they are the map's
            return self.axes
        return tuple(Axis(w["name"].value, w["start"].value, w["stop"].value, w["n"].value)  # type: ignore[return-value]
                     for w in (self._axis_widgets["x"], self._axis_widgets["y"]))

    @_guarded
    def _on_axis_name(self, key: str, event) -> None:
        """A new axis parameter: give it its default range, then draw once."""
        w = self.axis_widgets[key]
        self._hold = True
        try:
            w["start"].value, w["stop"].value = DEFAULT_RANGES[event.new]
        finally:
            self._hold = False
        self.refresh_map()

    # --- the map ------------------------------------------------------------------------------------------

    @_guarded
    def refresh_map(self) -> None:
        """Recompute and redraw the map from the widgets (and the clicked point, the nanotube marker)."""
        model = model_from_values(self._values())
        x, y = self._read_axes()
        started = time.perf_counter()
        ds = compute.compute_map(model, x, y)
        computed = time.perf_counter()
        image = rendered(compute.map_key(model, x, y), ds, x, y)
        self.map_view.draw(image, x, y, model.flow, model.scheme)
        drawn = time.perf_counter()
        self.timings = {"compute": computed - started, "render": drawn - computed}
        if (x.name, y.name) != (self.axes[0].name, self.axes[1].name):
            self.point = None  # the old click has no place on new axes
        self.model, self.axes, self.ds = model, (x, y), ds
        self.map_status.object = status_markdown(ds, model, drawn - started)
        self.legend.object = legend_html(model.flow, model.scheme,
                                         image.log_gap_range if image.counts["paired"] else None)
        self._mark_swept(x, y)
        self.clear_error()
        if self.point is not None:
            self.select_point(self.point.coords)  # same place, new device: keep the flow panel true to the map
        else:
            self._show_point(None)
        self.cnt.update()

    # --- a clicked point ----------------------------------------------------------------------------------

    def _build_flow(self) -> list:
        """The flow figure, drawn for the current device."""
        self.flow_view = FlowView()
        self.flow_view.draw(self.point)
        return [pn.pane.Bokeh(self.flow_view.figure)]

    @_guarded
    def on_tap(self, event) -> None:
        if event.x is None or event.y is None:
            return
        x, y = self.axes
        self.select_point({x.name: compute.snap(event.x, x), y.name: compute.snap(event.y, y)})
        if not self.sections["flow"].built:  # the first click asks for a flow: build and show the figure (later
            self.open_section("flow")  # clicks leave it as the visitor left it)

    @_guarded
    def _guarded_select(self, coords: dict[str, float]) -> None:
        self.select_point(coords)

    def select_point(self, coords: dict[str, float]) -> None:
        """Solve the device at ``coords`` (axis name -> value) and show it; errors go to the caller's guard."""
        point = compute.solve_point(self.model, coords)
        self.point = point
        self._show_point(point)

    def _show_point(self, point: Point | None) -> None:
        if point is None:
            self.map_view.set_mark("click", None)
            self.point_text.object = "### No device selected\nClick the map to solve a device and see its flow."
        else:
            (_, xv), (_, yv) = point.coords.items()
            self.map_view.set_mark("click", (xv, yv))
            self.point_text.object = point_markdown(point)
        if self.flow_view is not None:
            self.flow_view.draw(point)

    # --- downloads ----------------------------------------------------------------------------------------

    def _build_downloads(self) -> list:
        self.downloads = [
            pn.widgets.FileDownload(callback=self._png, filename="pairing1d_map.png", label="Map as PNG",
                                    width=150),
            pn.widgets.FileDownload(callback=self._netcdf, filename="pairing1d_map.nc", label="Map as NetCDF",
                                    width=150),
            pn.widgets.FileDownload(callback=self._toml, filename="pairing1d_device.toml",
                                    label="Device as TOML", width=150,
                                    description="the clicked device, or the sliders' device if none is clicked"),
        ]
        return [pn.Row(*self.downloads)]

    def _png(self) -> io.BytesIO:
        x, y = self.axes
        return io.BytesIO(map_png(self.ds, x.name, y.name))

    def _netcdf(self) -> io.BytesIO:
        return io.BytesIO(map_netcdf(self.ds))

    def current_toml(self) -> str:
        """The Device-as-TOML download: the clicked device, or the sliders' device if none is clicked."""
        if self.point is not None:
            return params_toml(self.point.model, f"clicked at {self.point.describe()}")
        return params_toml(self.model)

    def _toml(self) -> io.BytesIO:
        return io.BytesIO(self.current_toml().encode())

    # --- the Device tab -----------------------------------------------------------------------------------

    @property
    def device_tab(self) -> DeviceTab:
        """The Device tab, built on first use (its gate map is computed when the tab is first shown)."""
        if self._device_tab is None:
            self._device_tab = DeviceTab(self._device_preset)
            self._device_holder.objects = [self._device_tab.view]
        return self._device_tab

    @_guarded
    def _on_tab(self, event) -> None:
        if TAB_TITLES[event.new] == "Device":
            self.device_tab.ensure_drawn()  # guarded itself: the gate map's errors show in the Device tab's alert

    # --- layout -------------------------------------------------------------------------------------------

    def _layout(self):
        left = pn.Column(width=360, scroll=True, height=900)
        middle = pn.Column(pn.pane.Bokeh(self.map_view.figure), self.map_status, self.legend, width=620)
        right = pn.Column(self.point_text, width=500)
        self.sections.update(self._sections(left, middle, right))
        # one widget for every section's button: a page load sends it and nothing of the sections themselves
        self.show = pn.widgets.CheckButtonGroup(
            options={section.label: key for key, section in self.sections.items()}, value=[],
            orientation="vertical", sizing_mode="stretch_width", css_classes=["section-buttons"])
        self.show.param.watch(self._on_show, "value")
        left.append(self.show)
        phase_map = pn.Column(pn.pane.Markdown(INTRO, sizing_mode="stretch_width"), self.alert,
                              pn.Row(left, middle, right), sizing_mode="stretch_width")
        self._device_holder = pn.Column(sizing_mode="stretch_width")
        # dynamic: a tab's models reach the browser when it is first shown, not with every page load
        self.tabs = pn.Tabs((TAB_TITLES[0], phase_map), (TAB_TITLES[1], self._device_holder),
                            sizing_mode="stretch_width", dynamic=True)
        self.tabs.param.watch(self._on_tab, "active")
        return self.tabs

    # --- lifetime -----------------------------------------------------------------------------------------

    def release(self) -> None:
        """Let the page go once its session is destroyed (the tab was closed): drop its entries from Panel's
        registry of JS callbacks, which would otherwise keep it in memory for ever (``_release_js_callbacks``),
        and the data it holds (map, clicked device, gate map), so that these are freed even while something else
        still points at the page. Called once per page; the page is not used afterwards."""
        if self.released:
            return
        self.released = True
        _release_js_callbacks(self.view)
        self.ds = self.point = self.cnt.device = None
        if self._device_tab is not None:
            self._device_tab.result = None


def build_app(model: Model | None = None, x: Axis | None = None, y: Axis | None = None,
              device_preset: str = DEFAULT_PRESET):
    """The explorer page for ``model`` (default :class:`~pairing1d.theory.model.Model()`) and, in its Device tab, the
    preset ``device_preset``: a Panel object; display it in Jupyter (after ``pn.extension()``) or serve it
    (``pairing1d explore``, :func:`~pairing1d.explorer.server.serve`). Served, the page is released when its
    session is destroyed (:meth:`~pairing1d.explorer.app.Explorer.release`)."""
    page = Explorer(model, x, y, device_preset)
    release_with_session(page)
    return page.view


def release_with_session(page: Explorer) -> bool:
    """Release ``page`` when the server session being built is destroyed; False outside a server session (Jupyter,
    a script), where the page lives as long as its view."""
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        return False
    ref = weakref.ref(page)  # the document's callback must not be what keeps the page alive

    def on_session_destroyed(session_context) -> None:
        alive = ref()
        try:
            if alive is not None:
                alive.release()
        except Exception:  # noqa: BLE001 - never in the way of the server's own clean-up
            log.exception("releasing an explorer page failed")

    doc.on_session_destroyed(on_session_destroyed)
    return True
