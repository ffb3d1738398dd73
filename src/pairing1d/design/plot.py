r"""Where a design space's devices land in the model's couplings, against the atlas's robust paired corner.

The atlas (:mod:`pairing1d.paper.atlas`) finds the paired phase robust only in a corner of the dimensionless model: a
weakly interacting secondary (:math:`K^0 \gtrsim 0.8`), a weak bare spin coupling :math:`y_s^0` and a strong bare
inter-wire vertex :math:`y^0 \approx 0.2-0.5`. A device fixes all three from one Coulomb interaction
(:mod:`pairing1d.devices.coulomb`, :meth:`pairing1d.devices.device.Device.bosonize`), so the question the design
search answers (:mod:`pairing1d.design.search`) has a picture: the designs' :math:`(K^0, y^0)` and :math:`(y_s^0, y^0)`
beside the atlas's robust paired devices. Drawn from the two stores alone (``pairing1d design --store S --atlas A
--couplings-plot FIG``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_couplings_against_atlas"]


def _design_points(design) -> dict[str, np.ndarray]:
    """The survey's and the refinement's designs inside the theory: their couplings and reported phase."""
    from ..devices.gate_map import OUTSIDE

    out: dict[str, list[np.ndarray]] = {"K": [], "ys0": [], "y0": [], "phase": []}
    for stage in ("survey", "refine"):
        if f"{stage}_phase" not in design:
            continue
        phase = design[f"{stage}_phase"].values
        inside = (phase != OUTSIDE) & np.isfinite(design[f"{stage}_y0"].values)
        for name in ("K", "ys0", "y0"):
            out[name].append(design[f"{stage}_{name}"].values[inside])
        out["phase"].append(phase[inside])
    return {k: np.concatenate(v) if v else np.zeros(0) for k, v in out.items()}


def plot_couplings_against_atlas(design, atlas, path: str | Path) -> Path:
    r"""Two panels, :math:`y^0` against :math:`K^0` and against :math:`y_s^0`: the designs inside the theory as a
    density (grey, logarithmic counts) with their trion and paired verdicts on top, and the atlas's robust paired
    devices (its candidates whose reported phase is paired with a robust certainty). ``design`` and ``atlas`` are
    opened stores (:func:`pairing1d.design.store.open_design`, :func:`pairing1d.paper.atlas.open_atlas`). PNG or PDF by
    suffix."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    from ..paper.atlas import candidate_table
    from ..plotting import PHASE_COLOURS, STYLE, save_figure
    from ..theory.ensemble import CERTAINTIES
    from ..theory.phases import PHASES

    points = _design_points(design)
    table = candidate_table(atlas)
    robust = (table["phase"] == PHASES.index("paired")) & (table["certainty"] == CERTAINTIES.index("robust"))
    corner = {"K": table["K0"][robust], "ys0": table["ys0"][robust], "y0": table["y0"][robust]}
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.4), layout="constrained", sharey=True)
        for ax, x, label in ((axes[0], "K", r"secondary's $K^0$"), (axes[1], "ys0", r"bare spin coupling $y_s^0$")):
            if len(points["y0"]):
                counts = ax.hexbin(points[x], points["y0"], gridsize=40, cmap="Greys", norm=LogNorm(), mincnt=1,
                                   linewidths=0)
            for name, marker in (("trion", "."), ("paired", "o")):
                sel = points["phase"] == PHASES.index(name)
                if np.any(sel):
                    ax.scatter(points[x][sel], points["y0"][sel], s=6 if name == "trion" else 14, marker=marker,
                               color=PHASE_COLOURS[name], label=f"design: {name} ({int(sel.sum())})", zorder=3)
            if len(corner["y0"]):
                ax.scatter(corner[x], corner["y0"], s=10, marker="x", color="#d62728", lw=0.8, zorder=4,
                           label=f"atlas: robust paired ({len(corner['y0'])})")
            ax.set_xlabel(label)
        axes[0].set_ylabel(r"bare inter-wire vertex $y^0$")
        if len(points["y0"]):
            fig.colorbar(counts, ax=axes, label="designs inside the theory per cell", shrink=0.85)
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            axes[0].legend(handles, labels, fontsize=7, loc="upper left", frameon=True)
        fig.suptitle(f"{design.attrs.get('title', 'design search')}: {len(points['y0'])} designs inside the theory "
                     "against the atlas's robust paired corner", fontsize=9)
        save_figure(fig, path)
    plt.close(fig)
    return Path(path)
