"""The figure of the atlas of pairing from repulsion (:mod:`pairing1d.paper.atlas`), drawn from its store alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .atlas import PARAMETERS, atlas_points, candidate_table, space_of

__all__ = ["plot_atlas"]

CERTAINTY_COLOURS = {"robust": "#1b7837", "leaning": "#5aae61", "undetermined": "#7f7f7f"}
LABELS = {"Kc0": r"$K_c^0$", "K0": r"$K^0$", "ys0": r"$y_s^0$", "y0": r"$y^0$", "exp_neg_lstar": r"$e^{-\ell^*}$",
          "upsilon": r"$\upsilon$", "upsilon_theta": r"$\upsilon_\theta$", "u_ratio": r"$u/u_c$",
          "vertex_charge": r"$p$"}


def plot_atlas(ds, path: str | Path) -> Path:
    r"""The atlas in four panels: (a) the paired verdicts of survey and refinement over :math:`(y^0, y_s^0)`, by
    certainty; (b) how much likelier a survey point of each parameter's bin is to be reported paired than an average
    point (the parameter's unit-cube coordinate in ten bins: 1 means the parameter does not matter); (c) at the
    paired verdicts, the share of each member of the verdict ensemble that pairs (the members that do not are why no
    verdict is robust); (d) the histogram of :math:`\log_{10}\Delta_s/\Lambda` of the paired verdicts by
    certainty. Every number comes from the store: the survey's points are its Sobol sequence (the scan file's
    seed), the refinement's its candidates."""
    import matplotlib.pyplot as plt

    from ..plotting import STYLE, save_figure
    from ..theory.ensemble import CERTAINTIES
    from ..theory.phases import PHASES

    paired = PHASES.index("paired")
    table = candidate_table(ds)
    is_paired = table["phase"] == paired
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(10.0, 7.6), layout="constrained")
        (ax, bx), (cx, dx) = axes

        for c, name in reversed(list(enumerate(CERTAINTIES))):
            sel = is_paired & (table["certainty"] == c)
            ax.scatter(table["y0"][sel], table["ys0"][sel], s=6 if name == "robust" else 2, lw=0,
                       alpha=1.0 if name == "robust" else 0.4, c=CERTAINTY_COLOURS[name],
                       label=f"paired, {name} ({int(sel.sum())})", rasterized=True)
        ax.set_yscale("log")
        ax.set_xlabel(r"$y^0$")
        ax.set_ylabel(r"$y_s^0$")
        ax.set_title("(a) the paired verdicts (survey + refinement)", loc="left", fontsize=9)
        ax.legend(fontsize=7, loc="lower right", frameon=True, markerscale=3)

        space = space_of(ds)
        unit = atlas_points(space, 0)
        done = np.repeat(ds["done_0"].values.astype(bool), len(unit) // len(ds["done_0"]))
        survey_paired = (ds["phase_0"].values == paired)[done]
        unit = unit[done]
        mean = survey_paired.mean() if survey_paired.size else 0.0
        edges = np.linspace(0, 1, 11)
        centres = 0.5 * (edges[1:] + edges[:-1])
        for j, name in enumerate(PARAMETERS):
            if name == "vertex_charge":
                continue
            which = np.clip(np.digitize(unit[:, j], edges) - 1, 0, 9)
            share = np.array([survey_paired[which == b].mean() if np.any(which == b) else np.nan for b in range(10)])
            bx.plot(centres, share / mean if mean > 0 else share, marker="o", ms=3, label=LABELS[name])
        bx.axhline(1.0, color="k", lw=0.6, ls=":")
        bx.set_xlabel("the parameter's place in its range (0: low end, 1: high end)")
        bx.set_ylabel("paired share / average paired share")
        bx.set_ylim(bottom=0)
        bx.set_title(f"(b) which parameters make pairing (survey, average {100 * mean:.2g} %)", loc="left",
                     fontsize=9)
        bx.legend(fontsize=7, ncol=2, loc="upper right")

        members = table["members"][is_paired]
        names = ds["member"].values.tolist()
        shares = {p: (members == k).mean(axis=0) if len(members) else np.zeros(len(names))
                  for k, p in enumerate(PHASES)}
        left = np.zeros(len(names))
        colours = {"paired": "#1b7837", "trion": "#e08214", "decoupled": "#9ecae1", "triplet": "#8073ac",
                   "undetermined": "#7f7f7f"}
        ypos = np.arange(len(names))
        for p in PHASES:
            if shares[p].any():
                cx.barh(ypos, shares[p], left=left, color=colours.get(p, "k"), label=p, height=0.8)
                left = left + shares[p]
        cx.set_yticks(ypos, [n.replace(" velocity", "").replace("consistent, ", "") for n in names], fontsize=6)
        cx.invert_yaxis()
        cx.set_xlim(0, 1)
        cx.set_xlabel("share of the paired verdicts")
        cx.set_title("(c) what each member says where the verdict is paired", loc="left", fontsize=9)
        cx.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=5, frameon=False)

        bins = np.linspace(-12, 0, 49)
        for c, name in enumerate(CERTAINTIES):
            sel = is_paired & (table["certainty"] == c) & (table["spin_gap"] > 0)
            if sel.any():
                dx.hist(np.log10(table["spin_gap"][sel].astype(float)), bins=bins, color=CERTAINTY_COLOURS[name],
                        histtype="step", lw=1.6, label=name)
        dx.set_xlabel(r"$\log_{10}(\Delta_s/\Lambda)$ of the paired verdicts")
        dx.set_ylabel("points")
        dx.set_yscale("log")
        dx.set_title("(d) their spin gaps, by certainty", loc="left", fontsize=9)
        if dx.get_legend_handles_labels()[0]:
            dx.legend(fontsize=7)
        fig.suptitle(f"atlas of pairing from repulsion: {ds.sizes['point_0']} + {ds.sizes['point_1']} devices "
                     r"($K_c^0 < 1$, $y_s^0 > 0$), each with its 18-member verdict ensemble",
                     fontsize=9)
        return save_figure(fig, path)

