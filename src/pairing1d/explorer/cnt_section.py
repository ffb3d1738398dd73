"""The nanotube section of the Phase map tab (Appendix A): a gate sets the nanotube's chemical potential, which with
the primary wire's k_F and the cutoff α0 gives l* (Eq. 15), as ``pairing1d cnt`` does. The device is computed from
the starting values with every page (it places the ★ on the map); the section's widgets, its text and the device's
phase only when the section is first shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import panel as pn

from . import compute
from ._widgets import WithAlert, _guarded, _label, _primary
from .text import device_scales

if TYPE_CHECKING:
    from .app import Explorer

__all__ = ["CntSection", "CNT_DEFAULTS"]

CNT_DEFAULTS: dict[str, float] = {"mu": -3.0, "kF_primary": 0.0033, "alpha0": 100.0, "vF": 8e5, "delta0": 4.0,
                                  "delta_so": 1.0, "delta_phi": 0.5}
"""The section's starting values: gate μ (meV), the primary's k_F (1/nm), α0 (nm) and the bands of Fig. 8 (vF in
m/s, gaps in meV). The ★ is placed from these until the section is first shown."""


class CntSection(WithAlert):
    """The nanotube gate of one page: ``widgets`` (None until
    :meth:`~pairing1d.explorer.cnt_section.CntSection.build`), ``device`` (the
    :class:`~pairing1d.explorer.compute.CntDevice` of the current values) and the page it marks and sets. A bad value
    shows in the page's alert."""

    def __init__(self, page: Explorer):
        self.page = page
        self.alert = page.alert
        self.widgets: dict[str, Any] | None = None
        self.device: compute.CntDevice | None = None

    def build(self) -> list:
        """The section's widgets, from the starting values, and its text for the current device."""
        v = CNT_DEFAULTS
        self.widgets = w = {
            "mu": pn.widgets.EditableFloatSlider(**_label("gate: nanotube chemical potential μ (meV)"), start=-8.0,
                                                 end=8.0, step=0.02, value=v["mu"], sizing_mode="stretch_width"),
            "kF_primary": pn.widgets.FloatInput(**_label("primary wire kF (1/nm)"), value=v["kF_primary"],
                                                step=0.0001, sizing_mode="stretch_width"),
            "alpha0": pn.widgets.FloatInput(**_label("short-distance cutoff α0 (nm)"), value=v["alpha0"], step=5.0,
                                            sizing_mode="stretch_width"),
        }
        for name, label in (("vF", "vF (m/s)"), ("delta0", "Δ0 (meV)"), ("delta_so", "Δso (meV)"),
                            ("delta_phi", "ΔΦ (meV)")):
            w[name] = pn.widgets.FloatInput(**_label(label), value=v[name], sizing_mode="stretch_width")
        for widget in w.values():
            widget.param.watch(self._on_value, "value")
        self.text = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.apply_button = pn.widgets.Button(**_label("Use this l* for the device"), **_primary())
        self.apply_button.on_click(self._apply)
        self.update()
        return [w["mu"], pn.Row(w["kF_primary"], w["alpha0"]), self.text, self.apply_button,
                pn.Card(w["vF"], w["delta0"], w["delta_so"], w["delta_phi"], title="nanotube (Fig. 8)",
                        collapsed=True, sizing_mode="stretch_width")]

    @_guarded
    def _on_value(self, *_events) -> None:
        self.update()

    def update(self) -> None:
        """Gate -> l* (Eq. 15 with the nanotube's k_F), the star on the map, and (once the section is built) the
        device's text and phase (this l*, the other parameters from the page's controls)."""
        values = dict(CNT_DEFAULTS) if self.widgets is None else {n: x.value for n, x in self.widgets.items()}
        if any(v is None for v in values.values()):
            raise ValueError("every nanotube input needs a number")
        device = compute.cnt_device(values.pop("mu"), values.pop("kF_primary"), values.pop("alpha0"), **values)
        self.device = device
        page = self.page
        where = compute.marker_position(device, page.model, *page.axes)
        page.map_view.set_mark("cnt", where)
        if self.widgets is None:  # the section was never shown: no text to write, no device to solve
            return
        text = device.describe()
        self.apply_button.disabled = device.lstar is None
        if device.lstar is not None:
            fate = compute.solve_point(page.model, {"lstar": device.lstar}).result
            text += (f"\n\n**The nanotube device** (this l*, the other parameters from the sliders): "
                     f"**{fate.phase}**" + device_scales(fate))
            if where is None:
                text += "\n\n(l* is not a map axis: the star is not drawn; *Use this l\\** sets the l* slider.)"
        self.text.object = text

    @_guarded
    def _apply(self, *_events) -> None:
        """*Use this l\\* for the device*: set the page's l* and l*2 to the nanotube's, then redraw once."""
        device = self.device
        if device is None or device.lstar is None:
            raise ValueError("the gate does not leave a single nanotube band: there is no l* to use")
        self.page.set_controls({"lstar": device.lstar, "lstar2": device.lstar2})
