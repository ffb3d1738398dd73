"""The interactive explorer: a Panel page in two tabs. *Phase map*: the phase map over two chosen
parameters (the four phases, uncontrolled verdicts hatched), the flow of a clicked device with its control and its
verdict under every cutoff scheme, a carbon-nanotube gate and downloads (PNG, NetCDF, TOML). *Device*: a shipped
device in the lab's units (mK, T, nm, electrons per µm) over gate voltage, its gate map as ``pairing1d device``
draws it and a one-line summary.

``pairing1d explore`` serves it on 127.0.0.1; in Jupyter, ``pn.extension()`` then ``build_app()``. The page's
logic is in :mod:`.params` (controls as data), :mod:`.compute` (map, point, nanotube, gate map and its summary),
:mod:`.render` (pixels, curves, the gate map figure), :mod:`.export` (downloads) and :mod:`.text` (the page's
words), all free of view code; :mod:`.app` lays the page out and wires it, with the map and flow figures of
:mod:`.map_view` and :mod:`.flow_view`, the sections built when first shown (:mod:`.sections`) and the nanotube gate
(:mod:`.cnt_section`); :mod:`.device_tab` is the Device tab and :mod:`.server` serves the page.

An application, the top layer: it may import any layer of the package; nothing but the CLI imports it.
"""

from .app import Explorer, build_app
from .server import serve

__all__ = ["Explorer", "build_app", "serve"]
