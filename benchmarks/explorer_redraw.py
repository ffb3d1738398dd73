"""Redraw time of the explorer's 128 x 128 phase map after a parameter change (issue 7's goal: 300 ms).

What is timed is what the server does between a slider's new value and the patch it sends to the browser:
``Explorer.refresh_map`` = build the Model, run the engine on the grid (:func:`pairing1d.explorer.compute.compute_map`),
colour it (:func:`pairing1d.explorer.render.render_map`) and update the Bokeh sources, with the flow of the clicked
device solved again (scipy, with its verdict under the other two cutoff schemes: two more flows). The page is built
without a server: the websocket transfer of the 64 kB image and the browser's repaint are not included. Each scheme
(``cic``, the default, then the paper's ``printed`` and ``frozen``), with the default flow (``consistent``): K0
alternates between two values and the map cache is emptied, so that every redraw is a real recomputation; the
median of several. The last column
is the share of the map's verdicts that are not controlled (hatched in the page); the last line gives the machine's
load average, since other processes on the two cores slow every number down. The two last-but-one columns time the
map's integration alone with each kernel (``engine.KERNELS``: the SIMD lanes, the explorer's, and the scalar
kernel), alternately, at the explorer's tolerances. Run:
``.venv/bin/python benchmarks/explorer_redraw.py``.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
from machine import describe

from pairing1d import Model
from pairing1d.engine.batch import DEFAULT_KERNEL, integrate_batch, pack_fields
from pairing1d.engine.grid import Grid
from pairing1d.engine.kernel_parts import DEFAULT_ATOL, DEFAULT_RTOL
from pairing1d.engine.sweep import sweep
from pairing1d.explorer.app import Explorer
from pairing1d.explorer.compute import (
    DEFAULT_RANGES,
    EXPLORER_ATOL,
    EXPLORER_RTOL,
    MAP_CACHE,
    POINT_CACHE,
    Axis,
    compute_map,
)
from pairing1d.explorer.map_view import RENDER_CACHE
from pairing1d.theory.model import SCHEMES

GOAL = 0.300
REPEATS = 9
N = 128


def main() -> None:
    load_before = os.getloadavg()[0]
    x = Axis("exp_neg_lstar", *DEFAULT_RANGES["exp_neg_lstar"], N)
    y = Axis("y0", *DEFAULT_RANGES["y0"], N)
    print(f"machine: {describe()}")
    print(f"explorer redraw, {N} x {N} map (exp_neg_lstar x y0, Fig. 4), median of {REPEATS}, goal {GOAL * 1e3:.0f} ms")
    print(f"{'scheme':8} {'redraw':>8} {'engine':>8} {'colour':>8} {'redraw/goal':>12} {'engine at sweep tol':>20} "
          f"{'lanes':>8} {'scalar':>8} {'not controlled':>15}")
    for scheme in SCHEMES:
        page = Explorer(Model(K0=0.5, scheme=scheme), x, y)
        page.on_tap(type("Tap", (), {"x": 0.3, "y": 0.15})())  # a clicked device is re-solved on every redraw
        redraw, engine, colour = [], [], []
        for i in range(REPEATS):
            page.controls["K0"].value = 0.45 if i % 2 else 0.5
            for cache in (MAP_CACHE, RENDER_CACHE, POINT_CACHE):  # a new map, colouring and device: none seen before
                cache.clear()
            started = time.perf_counter()
            page.refresh_map()
            redraw.append(time.perf_counter() - started)
            engine.append(page.timings["compute"])
            colour.append(page.timings["render"])
            assert not page.alert.visible, page.alert.object
        model = Model(K0=0.5, scheme=scheme)
        strict = []
        for _ in range(3):
            started = time.perf_counter()
            ref = sweep(model, y0=y.values(), exp_neg_lstar=x.values())
            strict.append(time.perf_counter() - started)
        ds = compute_map(model, x, y)
        params = pack_fields(Grid(model, {y.name: y.values(), x.name: x.values()}).fields())
        kernels = {"lanes": [], "scalar": []}
        for _ in range(3):
            for kernel, times in kernels.items():
                started = time.perf_counter()
                integrate_batch(params, EXPLORER_RTOL, EXPLORER_ATOL, kernel=kernel)
                times.append(time.perf_counter() - started)
        same = all(np.array_equal(ref[name].values, ds[name].values) for name in ("phase", "controlled"))
        med = statistics.median(redraw)
        columns = (f"{med * 1e3:6.0f} ms", f"{statistics.median(engine) * 1e3:5.0f} ms",
                   f"{statistics.median(colour) * 1e3:5.1f} ms", f"{med / GOAL:11.2f}x",
                   f"{statistics.median(strict) * 1e3:14.0f} ms",
                   *(f"{statistics.median(kernels[k]) * 1e3:5.0f} ms" for k in ("lanes", "scalar")),
                   f"{100 * float((ds['controlled'] == 0).mean()):13.0f} %")
        print(f"{scheme:8} " + " ".join(columns) + ("" if same else "  (phases or control differ!)"))
    print(f"the explorer's kernel: {DEFAULT_KERNEL}")
    print(f"engine tolerance in the explorer: rtol {EXPLORER_RTOL:g}, atol {EXPLORER_ATOL:g} "
          f"(sweep default {DEFAULT_RTOL:g}, {DEFAULT_ATOL:g}; a differing phase or control flag is flagged above)")
    print(f"load average before and after: {load_before:.2f}, {os.getloadavg()[0]:.2f} "
          "(other processes on the two cores slow every column down)")


if __name__ == "__main__":
    main()
