"""The parts of a page that are not built with it. A page load builds the map, its captions, the device's text and
one button per section; a section's widgets are built the first time its button shows it, or when the page needs
one of them (e.g. the nanotube's button sets a slider of a group never opened). A page's cost under load is its
count of Bokeh models (built, sent and held once per page), and most visitors open a few sections."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import panel as pn

from .params import CONTROL_GROUPS, CONTROLS

__all__ = ["Section", "LazyControls", "GROUP_OF", "SECTION_LABELS", "SECTION_TITLES", "group_title"]

GROUP_OF = {name: f"group-{i}" for i, (_, names) in enumerate(CONTROL_GROUPS) for name in names}
"""The section (``group-0`` ...) of each control: one section per group of
:data:`~pairing1d.explorer.params.CONTROL_GROUPS`, in order."""

SECTION_LABELS = {"axes": "Map axes", "cnt": "Nanotube gate → l*", "downloads": "Downloads",
                  "flow": "RG flow of the device"}
"""The buttons' labels of the sections other than the control groups (whose buttons carry the group's title):
short, one line in the left column."""

SECTION_TITLES = {
    "axes": "Map axes", "downloads": "Downloads: map as PNG or NetCDF, device as TOML",
    "cnt": "Carbon-nanotube secondary: gate → l* (Appendix A)", "flow": "RG flow of the device",
}
"""The headings of the sections other than the control groups (those of the groups:
:func:`~pairing1d.explorer.sections.group_title`)."""

_SHORT = {"u_ratio": "u/uc", "su2": "SU(2)", "vertex_charge": "vertex charge"}


def group_title(title: str, names: tuple[str, ...]) -> str:
    """The heading of a group of controls: its title and the parameters it sets."""
    return f"{title}: {', '.join(_SHORT.get(n, n) for n in names)}"


class Section:
    """A part of the page built when first needed. ``build()`` returns its content (Panel objects, shown under
    ``title``); ``place(section)`` puts the built section in the page.
    :meth:`~pairing1d.explorer.sections.Section.ensure` builds it, still hidden;
    :meth:`~pairing1d.explorer.sections.Section.show` builds it if needed and shows or hides it. Once built it stays
    built."""

    def __init__(self, key: str, label: str, title: str, area: pn.Column, build: Callable[[], list],
                 place: Callable[[Section], None]):
        self.key, self.label, self.title = key, label, title  # label: on its button; title: over its content
        self.area = area  # the page's column that holds the section once it is built
        self._build, self._place = build, place
        self.view: pn.Column | None = None
        self.built = False

    def ensure(self) -> None:
        """Build the content now if it is not built yet (it stays hidden until shown)."""
        if not self.built:
            self.built = True  # first: a builder that asks for its own widgets must not build them twice
            header = pn.pane.HTML(f"<b>{self.title}</b>", margin=(10, 10, 0, 10))
            self.view = pn.Column(header, *self._build(), visible=False, sizing_mode="stretch_width",
                                  css_classes=[f"section-{self.key}"])
            self._place(self)

    def show(self, visible: bool = True) -> None:
        """Build the content if needed, and show or hide it."""
        self.ensure()
        self.view.visible = visible


class LazyControls(Mapping):
    """The model's controls by name (``page.controls["K0"]``): asking for one builds its group's section (hidden
    until its button shows it). ``widgets`` holds the controls built so far; the others' values are the page's own
    record of them, which is what their widgets start with."""

    def __init__(self, sections: Mapping[str, Section]):
        self._sections = sections
        self.widgets: dict[str, Any] = {}

    def __getitem__(self, name: str):
        if name not in self.widgets:
            if name not in GROUP_OF:
                raise KeyError(name)
            self._sections[GROUP_OF[name]].ensure()
        return self.widgets[name]

    def __iter__(self):
        return iter(c.name for c in CONTROLS)

    def __len__(self) -> int:
        return len(CONTROLS)
