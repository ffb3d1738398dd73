"""The explorer page (Panel + Bokeh), in two tabs. *Phase map*: controls for every model parameter, the phase map
over two axes, the flow of a clicked device, the nanotube gate and the downloads. *Device*: a device in the lab's
units over gate voltage (:mod:`.device_tab`).

Only layout and event wiring live here; what is computed comes from :mod:`.compute`, :mod:`.render` and
:mod:`.export`. Every callback goes through ``_widgets._guarded``: a bad value (a
:class:`~pairing1d.model.ModelError` or any ``ValueError``) becomes one line in its tab's alert, never a traceback,
and the session keeps working.

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

import numpy as np
import panel as pn
from bokeh.events import Tap
from bokeh.layouts import column as bokeh_column
from bokeh.models import BoxAnnotation, ColorBar, ColumnDataSource, Label, LinearColorMapper, Range1d
from bokeh.plotting import figure

from ..ensemble import CERTAINTIES
from ..model import SCHEMES, Model
from ..phases import PHASES
from ..plotting import PHASE_COLOURS
from ..trion import sc_threshold
from . import compute
from ._widgets import _LABEL, WithAlert, _guarded, _label, _primary, log
from .compute import AXIS_NAMES, DEFAULT_RANGES, Axis, Point
from .device_tab import DEFAULT_PRESET, DeviceTab
from .export import map_netcdf, map_png, params_toml
from .params import CONTROL_GROUPS, CONTROLS, model_from_values, values_of
from .render import flow_curves, paired_palette, render_map, uncontrolled_from

__all__ = ["Explorer", "build_app", "live_pages", "AXIS_TITLES", "TAB_TITLES"]

TAB_TITLES = ("Phase map", "Device")
"""The page's tabs, in order."""

AXIS_TITLES = {
    "exp_neg_lstar": "exp(−l*) ∝ (kF + k)·α0   (density mismatch, Eq. 15)", "lstar": "l*  (Eq. 15)",
    "y0": "bare inter-wire backscattering y⁰", "ys0": "bare spin fugacity ys⁰", "K0": "secondary Luttinger K⁰",
    "Kc0": "primary charge Luttinger Kc⁰", "upsilon": "forward coupling υ (Eq. 14)", "u_ratio": "velocity ratio u/uc",
    "chi": "cutoff width χ", "y2": "bare y₂⁰", "lstar2": "l*₂ (Eq. 15)", "theta": "relative phase θ",
    "lmass": "mass cutoff l_m (Eq. B1)", "lmax": "lmax = ln(Λ/T)", "temperature": "T/Λ", "y_strong": "y_strong",
    "upsilon_theta": "forward coupling υθ (V_θ; line of Eq. 13: −(u/uc)υ)",
}
"""Axis titles of the map, in words a reader of the abstract can follow."""

PHASE_WORDS = {
    "decoupled": "decoupled: the primary wire stays a gapless Luttinger liquid",
    "paired": "paired: a spin gap opens, electrons bind into pairs (from repulsion only)",
    "trion": "trion: an electron pair binds a carrier of the secondary wire",
    "triplet": "triplet: a spin gap of S_z = 0 triplet / SDW_z type opens (ys runs to +1, e.g. θ = π)",
    "undetermined": "undetermined: |y1| reached strong coupling without locking, and whether the spin gap survives "
                    "depends on the vertex beyond the perturbative range",
}

ORDER_WORDS = {
    "CDW": "CDW of pairs", "SC": "singlet SC (pairs)", "SDW": "SDW_z (spin-density wave)",
    "TS": "triplet SC (S_z = 0 pairs)",
}
"""The dominant orders in words, in the spin-gapped phases (in the trion phase: of the trion composite)."""

INTRO = """\
## pairing1d explorer: electron pairing from repulsion (Shavit & Oreg, PRR 2, 043283)
A repulsive spinful wire (the **primary**) sits next to a strongly correlated spinless wire (the **secondary**);
they interact only through their charge densities. Each pixel of the map is one such device, and its fate comes
from the renormalization-group flow of Eq. (16): **decoupled** (grey), **paired** (coloured by the spin gap:
electron pairs from repulsion), **trion** (purple: a pair binds a carrier of the secondary) or **triplet** (orange:
a spin gap of S_z = 0 triplet / SDW_z type, e.g. at θ = π). Every verdict comes with its certainty: the phase under
18 defensible variants of the second-order theory (regulator, strong-coupling threshold, velocity convention,
truncation); where they disagree the pixel is **undetermined** (dark grey), where only two thirds agree it is
**dotted**. **Hatched** pixels are verdicts that are not controlled: they rest on a coupling beyond y_strong (the
printed cutoff scheme lets y1 grow past l*).
Move a slider or type a value on the left; **click the map** to see that device's flow and its verdict under every
cutoff scheme on the right.
"""

_HATCH_CSS = ("background:repeating-linear-gradient(135deg,#686868 0 2px,#e8e8e8 2px 7px);padding:0 8px;"
              "border:1px solid #999")


_PAIRED_HEX = ["#{:02x}{:02x}{:02x}".format(*c) for c in paired_palette()]
"""The paired phase's colour map (:func:`pairing1d.plotting.paired_colormap`) as Bokeh hex colours."""
_PAIRED_ENDS = (_PAIRED_HEX[0], _PAIRED_HEX[-1])


def legend_html(flow: str, scheme: str) -> str:
    """The map's caption: the colours of the four phases, the hatching, the boundaries and markers, and which flow
    and cutoff scheme drew the map."""
    return (
        f"<span style='background:{PHASE_COLOURS['decoupled']};padding:0 8px;border:1px solid #999'>&nbsp;</span> "
        "decoupled &nbsp; "
        f"<span style='background:linear-gradient(90deg,{_PAIRED_ENDS[0]},{PHASE_COLOURS['paired']},{_PAIRED_ENDS[1]});"
        "padding:0 16px'>&nbsp;</span> "
        "paired (colour bar: log10 spin gap Δs/Λ) &nbsp; "
        f"<span style='background:{PHASE_COLOURS['trion']};padding:0 8px'>&nbsp;</span> trion &nbsp; "
        f"<span style='background:{PHASE_COLOURS['triplet']};padding:0 8px'>&nbsp;</span> triplet / SDW_z spin gap "
        f"&nbsp; <span style='background:{PHASE_COLOURS['undetermined']};padding:0 8px'>&nbsp;</span> undetermined "
        "(the verdict ensemble or the strong-coupling step cannot decide) &nbsp; dotted: leaning (2/3 of the "
        f"ensemble) &nbsp; <span style=\"{_HATCH_CSS}\">&nbsp;</span> hatched: not controlled &nbsp; "
        "black lines: phase boundaries &nbsp; ✕ clicked device &nbsp; ★ nanotube device"
        f"<br>flow <b>{flow}</b>, cutoff scheme <b>{scheme}</b>"
    )

MAP_SIZE = (560, 460)

_LIVE: weakref.WeakSet[Explorer] = weakref.WeakSet()
"""Every page not yet garbage-collected (weak references: this registry keeps none of them alive)."""


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
    Device tab (``device_tab``, computed when it is first shown)."""

    def __init__(self, model: Model | None = None, x: Axis | None = None, y: Axis | None = None,
                 device_preset: str = DEFAULT_PRESET):
        model = model if model is not None else Model()
        x = x or Axis("exp_neg_lstar", *DEFAULT_RANGES["exp_neg_lstar"], 128)
        y = y or Axis("y0", *DEFAULT_RANGES["y0"], 128)
        self.model: Model = model
        self.axes: tuple[Axis, Axis] = (x, y)
        self.ds = None
        self.point: Point | None = None
        self.timings: dict[str, float] = {}
        self._hold = False  # set while several widgets change together: one refresh at the end
        self.released = False
        _LIVE.add(self)

        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width",
                                   margin=(0, 10), css_classes=["explorer-alert"])
        self.controls = self._build_controls(model)
        self.axis_widgets = self._build_axis_widgets(x, y)
        self._build_map()
        self._build_flow()
        self._build_cnt()
        self._build_downloads()
        self.device_tab = DeviceTab(device_preset)
        self.view = self._layout()
        compute.warm_up()
        self.refresh_map()  # also places the nanotube device
        if self.point is None:  # start with the flow of the sliders' own device, so that no panel is empty
            x, y = self.axes
            self._guarded_select({x.name: compute.axis_value(model, x), y.name: compute.axis_value(model, y)})

    # --- widgets ------------------------------------------------------------------------------------------

    def _build_controls(self, model: Model) -> dict[str, Any]:
        values = values_of(model)
        widgets: dict[str, Any] = {}
        for c in CONTROLS:
            value = values[c.name]
            if c.kind == "slider":
                if not math.isfinite(value):  # e.g. lstar = inf from the command line: a slider cannot hold it
                    value = c.end
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
            widgets[c.name] = w
        return widgets

    def _build_axis_widgets(self, x: Axis, y: Axis) -> dict[str, dict[str, Any]]:
        out = {}
        for key, axis in (("x", x), ("y", y)):
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
        return out

    def _values(self) -> dict[str, Any]:
        return {name: w.value for name, w in self.controls.items()}

    def _read_axes(self) -> tuple[Axis, Axis]:
        return tuple(Axis(w["name"].value, w["start"].value, w["stop"].value, w["n"].value)  # type: ignore[return-value]
                     for w in (self.axis_widgets["x"], self.axis_widgets["y"]))

    # --- the map ------------------------------------------------------------------------------------------

    def _build_map(self) -> None:
        x, y = self.axes
        self.map_source = ColumnDataSource({"image": [], "x": [], "y": [], "dw": [], "dh": []})
        self.label_source = ColumnDataSource({"x": [], "y": [], "text": [], "colour": []})
        self.click_source = ColumnDataSource({"x": [], "y": []})
        self.cnt_source = ColumnDataSource({"x": [], "y": []})
        fig = figure(name="phase-map", width=MAP_SIZE[0], height=MAP_SIZE[1], tools="tap,box_zoom,reset",
                     toolbar_location="above", x_range=Range1d(x.start, x.stop), y_range=Range1d(y.start, y.stop),
                     title="Phase map (click a point)")
        fig.image_rgba(image="image", x="x", y="y", dw="dw", dh="dh", source=self.map_source)
        fig.text(x="x", y="y", text="text", text_color="colour", source=self.label_source, text_align="center",
                 text_baseline="middle", text_font_style="bold", text_font_size="13px")
        fig.scatter(x="x", y="y", source=self.click_source, marker="x", size=16, line_width=3, color="#d62728")
        fig.scatter(x="x", y="y", source=self.cnt_source, marker="star", size=22, fill_color="white",
                    line_color="black", line_width=1.5)
        self.colour_mapper = LinearColorMapper(palette=_PAIRED_HEX, low=-8.0, high=0.0)
        fig.add_layout(ColorBar(color_mapper=self.colour_mapper, title="log10(Δs/Λ), paired", width=12), "right")
        fig.on_event(Tap, self.on_tap)
        self.map_figure = fig
        self.map_status = pn.pane.Markdown("", margin=(0, 10), css_classes=["map-status"])
        self.legend = pn.pane.HTML(legend_html(self.model.flow, self.model.scheme), margin=(0, 10),
                                   css_classes=["map-legend"])

    @_guarded
    def _on_control(self, *_events) -> None:
        if not self._hold:
            self.refresh_map()

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

    @_guarded
    def refresh_map(self) -> None:
        """Recompute and redraw the map from the widgets (and the clicked point, the nanotube marker)."""
        model = model_from_values(self._values())
        x, y = self._read_axes()
        started = time.perf_counter()
        ds = compute.compute_map(model, x, y)
        computed = time.perf_counter()
        xs, ys = x.values(), y.values()
        image = render_map(ds["phase"].values, ds["spin_gap"].values, xs, ys, ds["controlled"].values,
                           ds["certainty"].values)
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.map_source.data = {"image": [image.rgba], "x": [x.start - dx / 2], "y": [y.start - dy / 2],
                                "dw": [x.stop - x.start + dx], "dh": [y.stop - y.start + dy]}
        labels = list(image.labels.items())
        self.label_source.data = {"x": [p[0] for _, p in labels], "y": [p[1] for _, p in labels],
                                  "text": [n for n, _ in labels],
                                  "colour": ["white" if n == "paired" else "black" for n, _ in labels]}
        self.colour_mapper.update(low=image.log_gap_range[0], high=image.log_gap_range[1])
        fig = self.map_figure
        fig.x_range.update(start=x.start, end=x.stop)
        fig.y_range.update(start=y.start, end=y.stop)
        fig.xaxis.axis_label, fig.yaxis.axis_label = AXIS_TITLES[x.name], AXIS_TITLES[y.name]
        drawn = time.perf_counter()
        self.timings = {"compute": computed - started, "render": drawn - computed}
        if (x.name, y.name) != (self.axes[0].name, self.axes[1].name):
            self.point = None  # the old click has no place on new axes
        self.model, self.axes, self.ds = model, (x, y), ds
        reported = ds["phase"].values  # the shares of the verdicts as computed (the map draws the unsupported grey)
        shares = " · ".join(f"{name} {100 * np.mean(reported == code):.0f} %" for code, name in enumerate(PHASES))
        sure = " · ".join(f"{c} {100 * np.mean(ds['certainty'].values == k):.0f} %"
                          for k, c in enumerate(CERTAINTIES))
        self.map_status.object = (
            f"**{y.n} × {x.n} map** in {1e3 * (drawn - started):.0f} ms — {shares} — certainty: {sure} — "
            "not controlled "
            f"{100 * np.mean((ds['controlled'].values == 0) & (reported != PHASES.index('undetermined'))):.0f} % "
            f"(flow {model.flow}, scheme {model.scheme}, tolerance "
            f"{ds.attrs['rtol']:g})"
        )
        self.legend.object = legend_html(model.flow, model.scheme)
        fig.title.text = f"Phase map, flow {model.flow}, scheme {model.scheme} (click a point)"
        self._mark_swept(x, y)
        self.clear_error()
        if self.point is not None:
            self.select_point(self.point.coords)  # same place, new device: keep the flow panel true to the map
        else:
            self._show_point(None)
        self.update_cnt()

    def _mark_swept(self, x: Axis, y: Axis) -> None:
        """Grey out the controls the map axes override, so that nobody moves a slider that does nothing."""
        swept = {x.target, y.target}
        if swept & {"lmax", "temperature"}:
            swept |= {"lmax", "temperature"}
        labels = {c.name: c.label for c in CONTROLS}
        for name, w in self.controls.items():
            w.disabled = name in swept
            setattr(w, _LABEL, labels[name] + (" (set by the map axis)" if w.disabled else ""))

    # --- a clicked point ----------------------------------------------------------------------------------

    def _build_flow(self) -> None:
        self.flow_source = ColumnDataSource({k: [] for k in ("l", "ys", "log_y1", "log_y2", "Ks", "K_tilde",
                                                             "Kc_tilde")})
        self.mark_sources = {name: ColumnDataSource({"x": []}) for name in ("lstar", "l_bar", "l_runaway", "l_bbar")}
        self.y_strong_source = ColumnDataSource({"y": []})
        common = {"width": 470, "tools": "", "toolbar_location": None}
        top = figure(height=190, title="RG flow of the clicked device", y_axis_label="spin fugacity ys", **common)
        # log10 on a linear axis: Bokeh's log axis labels crowd when |y1| spans less than a decade or many
        mid = figure(height=170, y_axis_label="log10 |y1|, log10 |y2|", x_range=top.x_range, **common)
        bottom = figure(height=200, x_axis_label="RG time l = ln(α/α0)", y_axis_label="Luttinger parameters",
                        x_range=top.x_range, **common)
        top.line("l", "ys", source=self.flow_source, color="#d62728", line_width=2, legend_label="ys")
        top.hspan(y=[-1.0, 1.0], line_color="#d62728", line_dash="dotted")
        mid.line("l", "log_y1", source=self.flow_source, color="#1f77b4", line_width=2, legend_label="|y1|")
        mid.line("l", "log_y2", source=self.flow_source, color="#2ca02c", line_width=2, legend_label="|y2|")
        mid.hspan(y="y", source=self.y_strong_source, line_color="#1f77b4", line_dash="dotted",
                  legend_label="y_strong")
        for key, colour, label in (("Ks", "#d62728", "Ks"), ("K_tilde", "#1f77b4", "K~"),
                                   ("Kc_tilde", "#ff7f0e", "Kc~")):
            bottom.line("l", key, source=self.flow_source, color=colour, line_width=2, legend_label=label)
        marks = (("lstar", "dashed", "#555555", "l*"), ("l_bar", "solid", "#d62728", "l̄ (ys = −1)"),
                 ("l_runaway", "solid", "#ff7f0e", "ys = +1 (triplet)"),
                 ("l_bbar", "dotted", "#1f77b4", "l̄̄ (|y1| = y_strong)"))
        # the part of the flow that rests on a coupling beyond y_strong: shaded on every panel
        self.uncontrolled_boxes = [BoxAnnotation(left=0.0, fill_color="#d62728", fill_alpha=0.1, line_alpha=0,
                                                 visible=False) for _ in range(3)]
        self.uncontrolled_label = Label(x=0.0, y=0.0, x_units="data", y_units="screen", text="not controlled →",
                                        text_color="#d62728", text_font_size="10px", visible=False)
        mid.add_layout(self.uncontrolled_label)
        for fig, box in zip((top, mid, bottom), self.uncontrolled_boxes, strict=True):
            fig.add_layout(box)
        for fig in (top, mid, bottom):
            for name, dash, colour, label in marks:
                kwargs = {"legend_label": label} if fig is top else {}
                fig.vspan(x="x", source=self.mark_sources[name], line_dash=dash, line_color=colour, line_width=1.5,
                          **kwargs)
            legend = fig.legend[0]
            legend.update(orientation="horizontal", label_text_font_size="10px", padding=2, spacing=8, margin=0,
                          border_line_alpha=0, glyph_width=16)
            fig.add_layout(legend, "above")  # above the curves, never over them
        self.flow_figure = bokeh_column(top, mid, bottom)
        self.point_text = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["point-summary"])

    @_guarded
    def on_tap(self, event) -> None:
        if event.x is None or event.y is None:
            return
        x, y = self.axes
        self.select_point({x.name: compute.snap(event.x, x), y.name: compute.snap(event.y, y)})

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
            self.flow_source.data = {k: [] for k in self.flow_source.data}
            for source in self.mark_sources.values():
                source.data = {"x": []}
            self._show_uncontrolled(None)
            self.click_source.data = {"x": [], "y": []}
            self.point_text.object = "### No device selected\nClick the map to solve a device and see its flow."
            return
        r, m = point.result, point.model
        self.flow_source.data = {k: v.tolist() for k, v in flow_curves(r).items()}
        end = r.flow.l_end
        for name, value in (("lstar", m.lstar_eff), ("l_bar", r.l_bar), ("l_runaway", r.flow.l_runaway),
                            ("l_bbar", r.l_bbar)):
            show = value is not None and math.isfinite(value) and value <= end
            self.mark_sources[name].data = {"x": [value] if show else []}
        self._show_uncontrolled(uncontrolled_from(r))
        self.y_strong_source.data = {"y": [math.log10(m.y_strong)]}
        (xn, xv), (yn, yv) = point.coords.items()
        self.click_source.data = {"x": [xv], "y": [yv]}
        self.point_text.object = point_markdown(point)

    def _show_uncontrolled(self, start: float | None) -> None:
        """Shade the flow from ``start`` on (where it rests on |y| beyond y_strong); None hides the shading."""
        for box in self.uncontrolled_boxes:
            box.update(left=start if start is not None else 0.0, visible=start is not None)
        self.uncontrolled_label.update(x=start if start is not None else 0.0, y=6, visible=start is not None)

    # --- the nanotube -------------------------------------------------------------------------------------

    def _build_cnt(self) -> None:
        self.cnt_widgets = {
            "mu": pn.widgets.EditableFloatSlider(**_label("gate: nanotube chemical potential μ (meV)"), start=-8.0,
                                                 end=8.0, step=0.02, value=-3.0, sizing_mode="stretch_width"),
            "kF_primary": pn.widgets.FloatInput(**_label("primary wire kF (1/nm)"), value=0.0033, step=0.0001,
                                                sizing_mode="stretch_width"),
            "alpha0": pn.widgets.FloatInput(**_label("short-distance cutoff α0 (nm)"), value=100.0, step=5.0,
                                            sizing_mode="stretch_width"),
            "vF": pn.widgets.FloatInput(**_label("vF (m/s)"), value=8e5, sizing_mode="stretch_width"),
            "delta0": pn.widgets.FloatInput(**_label("Δ0 (meV)"), value=4.0, sizing_mode="stretch_width"),
            "delta_so": pn.widgets.FloatInput(**_label("Δso (meV)"), value=1.0, sizing_mode="stretch_width"),
            "delta_phi": pn.widgets.FloatInput(**_label("ΔΦ (meV)"), value=0.5, sizing_mode="stretch_width"),
        }
        for w in self.cnt_widgets.values():
            w.param.watch(self._on_cnt, "value")
        self.cnt_text = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.cnt_apply = pn.widgets.Button(**_label("Use this l* for the device"), **_primary())
        self.cnt_apply.on_click(self._apply_cnt)
        self.cnt_device = None

    @_guarded
    def _on_cnt(self, *_events) -> None:
        self.update_cnt()

    def update_cnt(self) -> None:
        """Gate -> l* (Eq. 15 with the nanotube's k_F), the star on the map, and this device's phase."""
        w = {name: widget.value for name, widget in self.cnt_widgets.items()}
        if any(v is None for v in w.values()):
            raise ValueError("every nanotube input needs a number")
        device = compute.cnt_device(w.pop("mu"), w.pop("kF_primary"), w.pop("alpha0"), **w)  # 1/nm and nm
        self.cnt_device = device
        text = device.describe()
        where = compute.marker_position(device, self.model, *self.axes)
        self.cnt_source.data = {"x": [where[0]] if where else [], "y": [where[1]] if where else []}
        self.cnt_apply.disabled = device.lstar is None
        if device.lstar is not None:
            fate = compute.solve_point(self.model, {"lstar": device.lstar}).result
            text += (f"\n\n**The nanotube device** (this l*, the other parameters from the sliders): "
                     f"**{fate.phase}**" + _scales(fate))
            if where is None:
                text += "\n\n(l* is not a map axis: the star is not drawn; *Use this l\\** sets the l* slider.)"
        self.cnt_text.object = text

    @_guarded
    def _apply_cnt(self, *_events) -> None:
        device = self.cnt_device
        if device is None or device.lstar is None:
            raise ValueError("the gate does not leave a single nanotube band: there is no l* to use")
        self._hold = True
        try:
            for name, value in (("lstar", device.lstar), ("lstar2", device.lstar2)):
                w = self.controls[name]
                w.end = max(w.end, value)
                w.start = min(w.start, value)
                w.value = value
        finally:
            self._hold = False
        self.refresh_map()

    # --- downloads ----------------------------------------------------------------------------------------

    def _build_downloads(self) -> None:
        self.downloads = [
            pn.widgets.FileDownload(callback=self._png, filename="pairing1d_map.png", label="Map as PNG",
                                    width=150),
            pn.widgets.FileDownload(callback=self._netcdf, filename="pairing1d_map.nc", label="Map as NetCDF",
                                    width=150),
            pn.widgets.FileDownload(callback=self._toml, filename="pairing1d_device.toml",
                                    label="Device as TOML", width=150,
                                    description="the clicked device, or the sliders' device if none is clicked"),
        ]

    def _png(self) -> io.BytesIO:
        x, y = self.axes
        return io.BytesIO(map_png(self.ds, x.name, y.name))

    def _netcdf(self) -> io.BytesIO:
        return io.BytesIO(map_netcdf(self.ds))

    def current_toml(self) -> str:
        if self.point is not None:
            return params_toml(self.point.model, f"clicked at {self.point.describe()}")
        return params_toml(self.model)

    def _toml(self) -> io.BytesIO:
        return io.BytesIO(self.current_toml().encode())

    # --- layout -------------------------------------------------------------------------------------------

    def _layout(self):
        groups = []
        for title, names in CONTROL_GROUPS:
            groups.append(pn.Card(*(self.controls[n] for n in names), title=title, sizing_mode="stretch_width"))
        cnt = self.cnt_widgets
        cnt_card = pn.Card(
            cnt["mu"], pn.Row(cnt["kF_primary"], cnt["alpha0"]), self.cnt_text, self.cnt_apply,
            pn.Card(cnt["vF"], cnt["delta0"], cnt["delta_so"], cnt["delta_phi"], title="nanotube (Fig. 8)",
                    collapsed=True, sizing_mode="stretch_width"),
            title="Carbon-nanotube secondary: gate → l* (Appendix A)", sizing_mode="stretch_width",
        )
        left = pn.Column(*groups, width=360, scroll=True, height=900)
        ax = self.axis_widgets
        axis_rows = pn.Column(*(pn.Row(ax[k]["name"], ax[k]["start"], ax[k]["stop"], ax[k]["n"]) for k in ("x", "y")))
        middle = pn.Column(axis_rows, pn.pane.Bokeh(self.map_figure), self.map_status,
                           self.legend, pn.Row(*self.downloads), cnt_card, width=620)
        right = pn.Column(self.point_text, pn.pane.Bokeh(self.flow_figure), width=500)
        phase_map = pn.Column(pn.pane.Markdown(INTRO, sizing_mode="stretch_width"), self.alert,
                              pn.Row(left, middle, right), sizing_mode="stretch_width")
        # dynamic: the Device tab's widgets reach the browser when it is first shown, not with every page load
        self.tabs = pn.Tabs((TAB_TITLES[0], phase_map), (TAB_TITLES[1], self.device_tab.view),
                            sizing_mode="stretch_width", dynamic=True)
        self.tabs.param.watch(self._on_tab, "active")
        return self.tabs

    def _on_tab(self, event) -> None:
        if TAB_TITLES[event.new] == "Device":
            self.device_tab.ensure_drawn()  # guarded: an error shows in the Device tab's alert

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
        self.ds = self.point = self.cnt_device = None
        self.device_tab.result = None


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _scales(result) -> str:
    trust = "" if result.controlled else " (not controlled: it rests on a coupling beyond y_strong)"
    if result.phase == "paired":
        return f": spin gap Δs = {_fmt(result.spin_gap)} Λ, {result.dominant_order} dominates{trust}"
    if result.phase == "triplet":
        return (f": triplet / SDW_z spin gap Δs = {_fmt(result.spin_gap)} Λ, {result.dominant_order} "
                f"dominates{trust}")
    if result.phase == "trion":
        return f": trion scale {_fmt(result.trion_scale)} Λ, {result.dominant_order} dominates"
    if result.phase == "undetermined":
        return ": the strong-coupling step cannot decide (no phase is claimed)"
    return f": no gap{trust}"


def _spin_gap_row(r) -> str:
    if r.spin_gap is None:
        return "none"
    if r.spin_gap_type == "triplet":
        return f"{_fmt(r.spin_gap)}, triplet / SDW_z (ys = +1 at l = {_fmt(r.flow.l_runaway, 4)})"
    return f"{_fmt(r.spin_gap)}, singlet (l̄ = {_fmt(r.l_bar, 4)})"


def _verdicts_row(r) -> str:
    """The phase under every cutoff scheme, the page's own in bold."""
    verdicts = r.verdict_by_scheme
    return ", ".join(f"**{s}: {verdicts[s]}**" if s == r.model.scheme else f"{s}: {verdicts[s]}" for s in SCHEMES)


def _trion_row(r) -> str:
    if r.phase == "trion":
        return f"{_fmt(r.trion_scale)} (l̄̄ = {_fmt(r.l_bbar, 4)})"
    if r.l_bbar is not None:  # |y1| got strong only after l*: the mismatch had already cut it off
        return f"none: |y1| reached y_strong at l̄̄ = {_fmt(r.l_bbar, 4)}, after l* = {_fmt(r.model.lstar_eff, 4)}"
    return "none"


def point_markdown(point: Point) -> str:
    """The flow panel's text: where the device is, its phase in words, whether the verdict is controlled, the
    verdict under every cutoff scheme, its scales and order, the notes and its Table I row."""
    r, m = point.result, point.model
    control = "controlled" if r.controlled else f"**not controlled**: {r.uncontrolled_reason}"
    if r.phase == "trion":
        order = f"{r.dominant_order} of the trion composite (K_f vs {sc_threshold(m.vertex_charge):g})"
    elif r.dominant_order:
        order = f"{r.dominant_order} — {ORDER_WORDS[r.dominant_order]}"
    else:
        order = "none (gapless)"
    counts: dict[str, int] = {}
    for phase in r.ensemble.values():
        counts[phase] = counts.get(phase, 0) + 1
    members = ", ".join(f"{p} {n}" for p, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    rows = [
        ("phase", f"**{r.phase}** — {PHASE_WORDS[r.phase].split(': ', 1)[1]}"),
        ("certainty", f"**{r.certainty}**: {100 * r.agreement:.0f} % of the {len(r.ensemble)} members of the verdict "
                      f"ensemble agree ({members})"),
        ("control", control),
        ("verdict by scheme", _verdicts_row(r)),
        ("spin gap Δs/Λ", _spin_gap_row(r)),
        ("trion scale/Λ", _trion_row(r)),
        ("dominant order", order),
    ]
    if r.phase == "paired":
        rows.append(("χ exponents", f"CDW {r.chi_cdw_exponent:.3g}, SC {r.chi_sc_exponent:.3g} (Eq. 18)"))
    elif r.phase == "triplet":
        rows.append(("χ exponents", f"SDW_z {r.chi_cdw_exponent:.3g}, triplet SC {r.chi_sc_exponent:.3g}"))
    elif r.phase == "trion":
        rows.append(("K_f", f"{r.Kf:.4g} (Eq. 20: {r.Kf_eq20:.4g}); SC iff K_f > {sc_threshold(m.vertex_charge):g}"))
    line13 = " (line of Eq. 13)" if m.upsilon_theta is None else ""
    rows.append(("l* (effective), Q, υθ", f"{m.lstar_eff:.4g}, {m.Q:.3g}, {m.upsilon_theta_eff:.3g}{line13}"))
    rows.append(("flow, scheme", f"{m.flow}, {m.scheme}"))
    for note in r.notes:
        if note != r.uncontrolled_reason:  # already in the control row
            rows.append(("note", note))
    sig = point.table_row
    if sig is None:
        rows.append(("Table I", "not derived for a trion with vertex charge 1 (Mott ladder)"))
    else:
        s = sig.to_dict()
        rows.append(("Table I row", f"tunnelling: {s['tunneling']}; G = {s['conductance_fraction']} e²/h; "
                                    f"cross G = {s['cross_conductance_fraction']} e²/h; "
                                    f"G (floating secondary) = {s['floating_conductance_fraction']} e²/h"))
    table = "\n".join(f"| {k} | {v.replace('|', chr(92) + '|')} |" for k, v in rows)  # |y1| must not split a cell
    return f"### Device at {point.describe()}\n\n| | |\n|---|---|\n{table}\n"


def build_app(model: Model | None = None, x: Axis | None = None, y: Axis | None = None,
              device_preset: str = DEFAULT_PRESET):
    """The explorer page for ``model`` (default :class:`~pairing1d.model.Model()`) and, in its Device tab, the
    preset ``device_preset``: a Panel object; display it in Jupyter (after ``pn.extension()``) or serve it
    (``pairing1d explore``, :func:`~pairing1d.explorer.server.serve`). Served, the page is released when its
    session is destroyed (:meth:`Explorer.release`)."""
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
