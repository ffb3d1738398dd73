"""Read a scan's store back: the RG-versus-lattice comparison of every point, and its figures.

The comparison is :func:`.compare.compare_point` with a solver that only looks runs up in the store, so a report
and a live ``lattice compare`` apply exactly the same gap formulas and extrapolations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .compare import Comparison, compare_point
from .params import LatticeError, LatticeParams, Sector, SectorResult
from .scan import ScanConfig
from .store import RunStore, run_key

__all__ = ["comparisons_from_store", "plot_report"]


def comparisons_from_store(store_path: str | Path) -> list[tuple[ScanConfig, list[Comparison]]]:
    """For every scan recorded in the store, the comparison of each of its points whose runs are all there. Scans
    that cannot be compared point by point are left out: a single length (nothing to extrapolate; a study's long
    chains, read by :mod:`.phase_map`) or a chain alone (a zero filling)."""
    path = Path(store_path)
    if not path.exists():
        raise LatticeError(f"store {str(path)!r} does not exist")
    out = []
    with RunStore(path, mode="r") as store:
        for name, raw in store.configs().items():
            config = ScanConfig.from_dict(raw, source=f"scan {name!r} in {path}")
            if len(config.sizes) < 2 or config.n == 0 or config.ns == 0:
                continue

            def lookup(params: LatticeParams, sector: Sector, method: str, **options: Any) -> SectorResult:
                result = store.get(run_key(params, sector, method, options))
                if result is None:
                    raise KeyError(sector)
                return result

            comparisons = []
            for point in config.points():
                try:
                    comparisons.append(compare_point(point, config.n, config.ns, config.sizes, config.method,
                                                     solver=lookup, quantities=config.quantities, **config.options))
                except KeyError:
                    continue  # not all of this point's runs are stored yet
            out.append((config, comparisons))
    return out


def plot_report(config: ScanConfig, comparisons: list[Comparison], path: str | Path) -> Path:
    """Left: each extrapolated quantity against the first swept coupling, with error bars and the per-size values;
    right: the 1/L extrapolations of the spin gap. PNG or PDF by suffix."""
    import matplotlib.pyplot as plt

    from ..plotting import STYLE, save_figure

    swept = [k for k, v in config.couplings.items() if len(v) > 1]
    x_name = swept[0] if swept else next(iter(config.couplings))
    comparisons = sorted(comparisons, key=lambda c: c.couplings[x_name])
    x = np.array([c.couplings[x_name] for c in comparisons])
    path = Path(path)
    colours = {"spin_gap": "C0", "pair_binding": "C3", "secondary_gap": "C2", "trion_binding": "C4"}
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
        for q in config.quantities:
            ev = [c.evidence.get(q) for c in comparisons]
            if not all(ev):
                continue
            left.errorbar(x, [e.value for e in ev], yerr=[e.error for e in ev], fmt="o-", capsize=3,
                          color=colours.get(q), label=f"{q.replace('_', ' ')} (L→∞)")
            for i in range(len(config.sizes)):  # the finite sizes, fainter for the smaller ones
                left.plot(x, [e.values[i] for e in ev], ":", color=colours.get(q),
                          alpha=0.3 + 0.5 * i / len(config.sizes), lw=1)
        rg = [np.nan if c.rg_spin_gap is None else c.rg_spin_gap for c in comparisons]
        left.plot(x, rg, "k--", label=r"RG spin gap $v_F e^{-\bar\ell}$")
        left.axhline(0, color="0.5", lw=0.7)
        left.set_xlabel(f"{x_name} / t")
        left.set_ylabel("energy / t")
        left.legend(fontsize=7)
        inv_L = 1.0 / np.array(config.sizes, dtype=float)
        grid = np.linspace(0, inv_L.max() * 1.05, 50)
        for c in comparisons:
            e = c.evidence.get("spin_gap")
            if e is None:
                continue
            line, = right.plot(inv_L, e.values, "o", label=f"{x_name}={c.couplings[x_name]:g}")
            coef = np.polyfit(inv_L, e.values, 1)
            right.plot(grid, np.polyval(coef, grid), "-", color=line.get_color(), lw=0.8)
            right.errorbar([0], [e.value], yerr=[e.error], fmt="s", color=line.get_color(), capsize=3)
        right.set_xlabel("1 / L")
        right.set_ylabel("spin gap / t")
        right.set_xlim(left=-0.01)
        right.legend(fontsize=7)
        fixed = ", ".join(f"{k}={v[0]:g}" for k, v in config.couplings.items() if len(v) == 1)
        fig.suptitle(f"{config.name}: {fixed}, n={config.n:g}, ns={config.ns:g}, {config.method} "
                     f"(L = {', '.join(map(str, config.sizes))})", fontsize=9)
        save_figure(fig, path)
    return path
