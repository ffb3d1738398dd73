"""The interactive explorer (issue 7): a Panel page in two tabs. *Phase map*: the phase map over two chosen
parameters (the four phases, uncontrolled verdicts hatched), the flow of a clicked device with its control and its
verdict under every cutoff scheme, a carbon-nanotube gate and downloads (PNG, NetCDF, TOML). *Device*: a shipped
device in the lab's units (mK, T, nm, electrons per µm) over gate voltage, its gate map as ``pairing1d device``
draws it and a one-line summary.

``pairing1d explore`` serves it on 127.0.0.1; in Jupyter, ``pn.extension()`` then ``build_app()``. The page's
logic is in :mod:`.params` (controls as data), :mod:`.compute` (map, point, nanotube, gate map and its summary),
:mod:`.render` (pixels, curves, the gate map figure) and :mod:`.export` (downloads), all free of view code;
:mod:`.app` lays the page out, :mod:`.device_tab` the Device tab.
"""

from .app import Explorer, build_app
from .server import serve

__all__ = ["Explorer", "build_app", "serve"]
