"""Publication-style plots of pairing1d results (matplotlib, Agg; PNG or PDF by the file's suffix)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: the CLI and the tests run without a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .phases import PhaseResult  # noqa: E402

__all__ = ["plot_flow", "STYLE"]

STYLE = {
    "font.size": 10, "axes.labelsize": 11, "axes.titlesize": 11, "legend.fontsize": 9,
    "xtick.direction": "in", "ytick.direction": "in", "xtick.top": True, "ytick.right": True,
    "savefig.dpi": 200, "savefig.bbox": "tight",
}


def plot_flow(result: PhaseResult, path: str | Path, n_points: int = 800) -> Path:
    r"""Draw the flow of :math:`y_s, y_1, y_2` (top) and :math:`K_s, \tilde K, \tilde K_c` (bottom) against
    :math:`\ell`, with :math:`\ell^*`, :math:`\bar\ell` and :math:`\bar{\bar\ell}` marked; write it to ``path``.
    """
    flow, m = result.flow, result.model
    l = np.linspace(0.0, flow.l_end, n_points)
    c = flow.at(l)
    path = Path(path)
    with plt.rc_context(STYLE):
        fig, (ax_s, ax_y, ax_k) = plt.subplots(
            3, 1, sharex=True, figsize=(6.0, 7.0), height_ratios=(2, 2, 2), layout="constrained"
        )
        ax_s.plot(l, c["ys"], color="C3", lw=2, label=r"$y_s$")
        ax_s.axhline(-1.0, color="C3", lw=0.8, ls=":")
        ax_s.axhline(0.0, color="0.6", lw=0.6)
        ax_s.set_ylabel(r"spin fugacity $y_s$")
        # |y_i| on a log axis: in the printed scheme y1 grows by orders of magnitude after l*
        for key, colour, label in (("y1", "C0", r"$|y_1|$"), ("y2", "C2", r"$|y_2|$")):
            values = np.abs(c[key])
            if np.any(values > 0):
                ax_y.plot(l, np.where(values > 0, values, np.nan), color=colour, lw=2, label=label)
        ax_y.axhline(m.y_strong, color="C0", lw=0.8, ls=":", label=r"$y_{\rm strong}$")
        ax_y.set_yscale("log")
        ax_y.set_ylabel("inter-wire fugacity")
        ax_k.plot(l, c["Ks"], color="C3", lw=2, label=r"$K_s$")
        ax_k.plot(l, c["K_tilde"], color="C0", lw=2, label=r"$\tilde K$")
        ax_k.plot(l, c["Kc_tilde"], color="C1", lw=2, label=r"$\tilde K_c$")
        ax_k.set_ylabel("Luttinger parameter")
        ax_k.set_xlabel(r"RG time $\ell = \ln(\alpha/\alpha_0)$")
        marks = [(m.lstar_eff, "--", "0.3", r"$\ell^*$"), (result.l_bar, "-", "C3", r"$\bar\ell$"),
                 (result.l_bbar, ":", "C0", r"$\bar{\bar\ell}$")]
        for ax in (ax_s, ax_y, ax_k):
            for value, ls, color, label in marks:
                if value is not None and np.isfinite(value) and value <= flow.l_end:
                    ax.axvline(value, ls=ls, color=color, lw=1.2, label=label if ax is ax_s else None)
            ax.legend(ncol=4, loc="best", frameon=False)
        ax_k.set_xlim(0.0, 1.02 * flow.l_end)  # keep a mark at l_end (l_bar) off the frame
        order = f", {result.dominant_order}" if result.dominant_order else ""
        ax_s.set_title(
            f"{result.phase}{order} — $K_c^0$={m.Kc0:g}, $K^0$={m.K0:g}, $y_s^0$={m.ys0:g}, $y^0$={m.y0:g}, "
            f"$\\upsilon$={m.upsilon:g}, $\\ell^*$={m.lstar:g}, $\\chi$={m.chi:g} ({m.scheme})",
            fontsize=9,
        )
        fig.align_ylabels()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
        plt.close(fig)
    return path
