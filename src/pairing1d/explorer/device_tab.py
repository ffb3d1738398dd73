"""The explorer's Device tab (Panel): a shipped device (:data:`pairing1d.devices.device.PRESETS`), its physical inputs
in the lab's units, a gate-voltage range, and its gate map as ``pairing1d device`` draws it, with a one-line summary.

Only layout and event wiring live here; the inputs are described in :mod:`pairing1d.explorer.params`
(:data:`~pairing1d.explorer.params.DEVICE_CONTROLS`), the gate map and its summary come from :mod:`.compute`
(:func:`~pairing1d.explorer.compute.compute_device`) and the figure from :mod:`.render`
(:func:`~pairing1d.explorer.render.gate_map_png`). Every callback goes through ``_widgets._guarded``: a bad value
becomes one line in this tab's own alert, the last valid figure stays, and the tab keeps working.
"""

from __future__ import annotations

import io

import panel as pn

from ..devices.device import PRESETS, Device, preset
from ..support.errors import ModelError
from . import compute
from ._widgets import WithAlert, _guarded, _label, _primary
from .compute import MAX_GATE_POINTS, DeviceMap, GateAxis, default_gate_axis
from .export import map_netcdf
from .params import DEVICE_CONTROLS, device_from_values, device_values
from .render import gate_map_png

__all__ = ["DeviceTab", "DEFAULT_PRESET", "DEVICE_INTRO"]

DEFAULT_PRESET = "paper-idealized" if "paper-idealized" in PRESETS else PRESETS[0]
"""The preset the tab starts with: the paper's regime (a trion window inside the nanotube's single band)."""

DEVICE_INTRO = """\
## A device in the lab's units
Pick a shipped device and change its inputs on the left: the tab runs it over gate voltage exactly as
`pairing1d device --preset NAME` does (the package's default flow and cutoff scheme) and draws **(a)** the phase at
the temperature and at T = 0 (white: the theory does not apply there, e.g. several nanotube bands at the Fermi
level; hatched: not controlled), **(b)** the spin gap and trion scale in kelvin beside the temperature and the
bandwidth, **(c)** the linear conductance of the primary wire in e²/h with the weak impurity. Lengths are in nm,
momenta in 1/nm, the temperature in mK. The other inputs (band masses, lever arms, the nanotube's bands) are the
preset's: `pairing1d device --preset NAME --show` prints them.
"""

FIGURE_WIDTH = 720


class DeviceTab(WithAlert):
    """The Device tab: its widgets, the current device and gate map (``result``), and its own alert. The first gate
    map is computed by :meth:`ensure_drawn` (when the tab is first shown), not when the page is built."""

    def __init__(self, preset_name: str = DEFAULT_PRESET):
        if preset_name not in PRESETS:
            raise ModelError(f"preset {preset_name!r} is outside the known presets {{{', '.join(PRESETS)}}}")
        self.base: Device = preset(preset_name)
        self.result: DeviceMap | None = None
        self.drawn = False
        self._hold = False  # set while several widgets change together: one refresh at the end

        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, sizing_mode="stretch_width",
                                   margin=(0, 10), css_classes=["device-alert"])
        self.preset_select = pn.widgets.Select(**_label("preset"), options=list(PRESETS), value=preset_name,
                                               sizing_mode="stretch_width", css_classes=["device-preset"])
        self.preset_select.param.watch(self._on_preset, "value")
        self.preset_name = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["device-name"])
        self.reset_button = pn.widgets.Button(**_label("Reset to the preset"), sizing_mode="stretch_width",
                                              description="the preset's inputs and default gate window again")
        self.reset_button.on_click(self._on_reset)
        values = device_values(self.base)
        self.inputs = {}
        for c in DEVICE_CONTROLS:
            w = pn.widgets.FloatInput(**_label(c.label), value=values[c.name], step=c.step, description=c.help,
                                      sizing_mode="stretch_width", css_classes=[f"device-{c.name}"])
            w.param.watch(self._on_input, "value")
            self.inputs[c.name] = w
        gate, note = self._default_window(self.base)
        self.gate_widgets = {
            "start": pn.widgets.FloatInput(**_label("gate from (V)"), value=gate.start, width=105,
                                           css_classes=["device-gate-start"]),
            "stop": pn.widgets.FloatInput(**_label("to (V)"), value=gate.stop, width=105,
                                          css_classes=["device-gate-stop"]),
            "n": pn.widgets.IntInput(**_label(f"points (≤ {MAX_GATE_POINTS})"), value=gate.n, width=105,
                                     css_classes=["device-gate-n"]),
        }
        for w in self.gate_widgets.values():
            w.param.watch(self._on_input, "value")
        self.window_button = pn.widgets.Button(
            **_label("Single-band window ± 25 % (at this field)"), **_primary(), sizing_mode="stretch_width",
            description="the nanotube's single-band hole window at the field in the box, widened by 25 % of its width "
                        "on each side, as pairing1d device scans without --gate")
        self.window_button.on_click(self._on_window)
        self.summary = pn.pane.Markdown("Computing the gate map …", sizing_mode="stretch_width",
                                        css_classes=["device-summary"])
        self.details = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["device-details"])
        self.figure = pn.pane.PNG(None, width=FIGURE_WIDTH, css_classes=["device-figure"])
        self.downloads = [
            pn.widgets.FileDownload(callback=self._png, filename="pairing1d_gate_map.png", label="Gate map as PNG",
                                    width=170, disabled=True),
            pn.widgets.FileDownload(callback=self._netcdf, filename="pairing1d_gate_map.nc",
                                    label="Gate map as NetCDF", width=170, disabled=True),
        ]  # enabled once there is a gate map
        self._show_preset(note)
        self.view = self._layout()

    # --- values -------------------------------------------------------------------------------------------------

    @staticmethod
    def _default_window(device: Device) -> tuple[GateAxis, str | None]:
        """The preset's default gate window, or (when its field leaves none) ±50 mV around the secondary's mid-gap
        voltage and the sentence saying why."""
        try:
            return default_gate_axis(device), None
        except ModelError as exc:
            offset = device.secondary.gate_offset_V
            return GateAxis(offset - 0.05, offset + 0.05), str(exc)

    def device(self) -> Device:
        """The preset with the boxes' inputs (a ModelError names a bad one)."""
        return device_from_values(self.base, {name: w.value for name, w in self.inputs.items()})

    def gate(self) -> GateAxis:
        """The gate axis of the boxes (a ModelError names a bad value)."""
        w = self.gate_widgets
        return GateAxis(w["start"].value, w["stop"].value, w["n"].value)

    def _set(self, widgets: dict, values: dict) -> None:
        self._hold = True
        try:
            for name, value in values.items():
                widgets[name].value = value
        finally:
            self._hold = False

    def _show_preset(self, note: str | None = None) -> None:
        text = f"**{self.base.name}**"
        if note:
            text += f"\n\n{note}"
        self.preset_name.object = text

    # --- callbacks ----------------------------------------------------------------------------------------------

    @_guarded
    def _on_preset(self, event) -> None:
        """A new preset: its inputs and its default gate window in the boxes, then one redraw."""
        self.base = preset(event.new)
        self._reset()

    @_guarded
    def _on_reset(self, *_events) -> None:
        self._reset()

    def _reset(self) -> None:
        gate, note = self._default_window(self.base)
        self._set(self.inputs, device_values(self.base))
        self._set(self.gate_widgets, {"start": gate.start, "stop": gate.stop, "n": gate.n})
        self._show_preset(note)
        self.redraw()

    @_guarded
    def _on_input(self, *_events) -> None:
        if not self._hold:
            self.redraw()

    @_guarded
    def _on_window(self, *_events) -> None:
        """The single-band window of the device in the boxes (at their field), with the boxes' number of points."""
        n = self.gate_widgets["n"].value
        n = n if isinstance(n, int) and 2 <= n <= MAX_GATE_POINTS else compute.DEFAULT_GATE_POINTS
        gate = default_gate_axis(self.device(), n)
        self._set(self.gate_widgets, {"start": gate.start, "stop": gate.stop, "n": gate.n})
        self.redraw()

    @_guarded
    def ensure_drawn(self) -> None:
        """Compute the first gate map (the tab is shown), once."""
        if not self.drawn:
            self.redraw()

    @_guarded
    def refresh(self) -> None:
        """Recompute and redraw from the boxes; a bad value leaves the last figure and says why in one line."""
        self.redraw()

    def redraw(self) -> None:
        """Recompute and redraw from the boxes; errors go to the caller's guard."""
        device, gate = self.device(), self.gate()
        result = compute.compute_device(device, gate)
        png = gate_map_png(result.ds, title=device.name)
        self.result = result
        self.figure.object = png
        self.summary.object = result.summary()
        self.details.object = result.details()
        self.drawn = True
        for w in self.downloads:
            w.disabled = False
        self.clear_error()

    # --- downloads ----------------------------------------------------------------------------------------------

    def _png(self) -> io.BytesIO:
        return io.BytesIO(gate_map_png(self.result.ds, title=self.result.device.name, dpi=200))

    def _netcdf(self) -> io.BytesIO:
        return io.BytesIO(map_netcdf(self.result.ds))

    # --- layout -------------------------------------------------------------------------------------------------

    def _layout(self):
        g = self.gate_widgets
        controls = pn.Column(
            self.preset_select, self.preset_name, self.reset_button,
            pn.Card(*self.inputs.values(), title="Physical inputs", sizing_mode="stretch_width"),
            pn.Card(pn.Row(g["start"], g["stop"], g["n"]), self.window_button, title="Gate voltage",
                    sizing_mode="stretch_width"),
            pn.Row(*self.downloads),
            width=380,
        )
        right = pn.Column(self.summary, self.details, self.figure, width=FIGURE_WIDTH + 40)
        return pn.Column(pn.pane.Markdown(DEVICE_INTRO, sizing_mode="stretch_width"), self.alert,
                         pn.Row(controls, right), sizing_mode="stretch_width")
