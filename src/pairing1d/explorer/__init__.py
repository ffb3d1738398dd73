"""The interactive explorer (issue 7): a Panel page with the phase map over two chosen parameters (the four phases,
uncontrolled verdicts hatched), the flow of a clicked device with its control and its verdict under every cutoff
scheme, a carbon-nanotube gate and downloads (PNG, NetCDF, TOML).

``pairing1d explore`` serves it on 127.0.0.1; in Jupyter, ``pn.extension()`` then ``build_app()``. The page's
logic is in :mod:`.compute` (map, point, nanotube), :mod:`.render` (pixels, curves) and :mod:`.export`
(downloads), all free of view code; :mod:`.app` lays the page out.
"""

from .app import Explorer, build_app
from .server import serve

__all__ = ["Explorer", "build_app", "serve"]
