"""The flow figure of the clicked device: three panels over the RG time (y_s; ``log10 |y1|`` and ``log10 |y2|``
with y_strong; the Luttinger parameters), with l*, l̄, the triplet runaway and l̄̄ marked and the part of the flow
that is not controlled shaded. A page builds it when its flow is first shown (:mod:`.app`)."""

from __future__ import annotations

import math

from bokeh.layouts import column as bokeh_column
from bokeh.models import BoxAnnotation, ColumnDataSource, Label
from bokeh.plotting import figure

from .compute import Point
from .render import flow_curves, uncontrolled_from

__all__ = ["FlowView"]

_MARKS = (("lstar", "dashed", "#555555", "l*"), ("l_bar", "solid", "#d62728", "l̄ (ys = −1)"),
          ("l_runaway", "solid", "#ff7f0e", "ys = +1 (triplet)"),
          ("l_bbar", "dotted", "#1f77b4", "l̄̄ (|y1| = y_strong)"))
"""The RG times marked on every panel: name, dash, colour and legend label."""


class FlowView:
    """The three panels (``figure``, a Bokeh column) and their sources: ``source`` (the curves), ``marks`` (one
    source per marked RG time) and ``boxes`` (the shading of the flow that is not controlled, one per panel)."""

    def __init__(self):
        self.source = ColumnDataSource({k: [] for k in ("l", "ys", "log_y1", "log_y2", "Ks", "K_tilde", "Kc_tilde")})
        self.marks = {name: ColumnDataSource({"x": []}) for name, *_ in _MARKS}
        self.y_strong = ColumnDataSource({"y": []})
        common = {"width": 470, "tools": "", "toolbar_location": None}
        top = figure(height=190, title="RG flow of the clicked device", y_axis_label="spin fugacity ys", **common)
        # log10 on a linear axis: Bokeh's log axis labels crowd when |y1| spans less than a decade or many
        mid = figure(height=170, y_axis_label="log10 |y1|, log10 |y2|", x_range=top.x_range, **common)
        bottom = figure(height=200, x_axis_label="RG time l = ln(α/α0)", y_axis_label="Luttinger parameters",
                        x_range=top.x_range, **common)
        top.line("l", "ys", source=self.source, color="#d62728", line_width=2, legend_label="ys")
        top.hspan(y=[-1.0, 1.0], line_color="#d62728", line_dash="dotted")
        mid.line("l", "log_y1", source=self.source, color="#1f77b4", line_width=2, legend_label="|y1|")
        mid.line("l", "log_y2", source=self.source, color="#2ca02c", line_width=2, legend_label="|y2|")
        mid.hspan(y="y", source=self.y_strong, line_color="#1f77b4", line_dash="dotted", legend_label="y_strong")
        for key, colour, label in (("Ks", "#d62728", "Ks"), ("K_tilde", "#1f77b4", "K~"),
                                   ("Kc_tilde", "#ff7f0e", "Kc~")):
            bottom.line("l", key, source=self.source, color=colour, line_width=2, legend_label=label)
        # the part of the flow that rests on a coupling beyond y_strong: shaded on every panel
        self.boxes = [BoxAnnotation(left=0.0, fill_color="#d62728", fill_alpha=0.1, line_alpha=0, visible=False)
                      for _ in range(3)]
        self.boxes_label = Label(x=0.0, y=0.0, x_units="data", y_units="screen", text="not controlled →",
                                 text_color="#d62728", text_font_size="10px", visible=False)
        mid.add_layout(self.boxes_label)
        for fig, box in zip((top, mid, bottom), self.boxes, strict=True):
            fig.add_layout(box)
        for fig in (top, mid, bottom):
            for name, dash, colour, label in _MARKS:
                kwargs = {"legend_label": label} if fig is top else {}
                fig.vspan(x="x", source=self.marks[name], line_dash=dash, line_color=colour, line_width=1.5, **kwargs)
            legend = fig.legend[0]
            legend.update(orientation="horizontal", label_text_font_size="10px", padding=2, spacing=8, margin=0,
                          border_line_alpha=0, glyph_width=16)
            fig.add_layout(legend, "above")  # above the curves, never over them
        self.figure = bokeh_column(top, mid, bottom)

    def draw(self, point: Point | None) -> None:
        """Show the flow of ``point``; None empties the panels."""
        if point is None:
            self.source.data = {k: [] for k in self.source.data}
            for source in self.marks.values():
                source.data = {"x": []}
            self._shade(None)
            return
        r, m = point.result, point.model
        self.source.data = {k: v.tolist() for k, v in flow_curves(r).items()}
        end = r.flow.l_end
        for name, value in (("lstar", m.lstar_eff), ("l_bar", r.l_bar), ("l_runaway", r.flow.l_runaway),
                            ("l_bbar", r.l_bbar)):
            show = value is not None and math.isfinite(value) and value <= end
            self.marks[name].data = {"x": [value] if show else []}
        self._shade(uncontrolled_from(r))
        self.y_strong.data = {"y": [math.log10(m.y_strong)]}

    def _shade(self, start: float | None) -> None:
        """Shade the flow from ``start`` on (where it rests on |y| beyond y_strong); None hides the shading."""
        for box in self.boxes:
            box.update(left=start if start is not None else 0.0, visible=start is not None)
        self.boxes_label.update(x=start if start is not None else 0.0, y=6, visible=start is not None)
