"""Publication-style plots of pairing1d results (matplotlib; PNG or PDF by the file's suffix).

Importing this module leaves matplotlib's backend alone (a notebook keeps its inline figures); the command line
chooses the file-only Agg backend itself (``pairing1d.cli.main``), and every figure written here is closed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from .theory.phases import PhaseResult

__all__ = ["MAX_PANELS", "save_figure", "plot_flow", "plot_phase_map", "plot_back_gate",
           "STYLE",
           "PHASE_COLOURS", "PAIRED_GAP_RANGE", "paired_colormap", "label_effects", "smooth_boundary"]

STYLE = {
    "font.size": 10, "axes.labelsize": 11, "axes.titlesize": 11, "legend.fontsize": 9,
    "xtick.direction": "in", "ytick.direction": "in", "xtick.top": True, "ytick.right": True,
    "savefig.dpi": 200, "savefig.bbox": "tight",
    "pdf.fonttype": 42, "ps.fonttype": 42,  # TrueType in PDF/PS: editable text, accepted by journals (not Type 3)
}
"""The publication style of every figure (matplotlib rcParams, applied with ``plt.rc_context``)."""


def save_figure(fig, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (PNG, PDF or SVG by suffix: :func:`~pairing1d.support.files.check_figure_path`) by
    :func:`~pairing1d.support.files.write_atomically` (the folder created, an old file replaced only by a complete one),
    and free it."""
    from .support.files import check_figure_path, write_atomically

    try:
        path = check_figure_path(path)
        return write_atomically(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip(".").lower()))
    finally:
        plt.close(fig)


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
                 (flow.l_runaway, "-", "C1", r"$\ell_{\rm triplet}$"), (result.l_bbar, ":", "C0", r"$\bar{\bar\ell}$"),
                 (flow.l_drop1, "-.", "0.5", r"$y_1$ dropped")]
        if result.hand_over is not None:  # the hand-over to the locked theory (strong-coupling step)
            marks.append((result.hand_over["l"], "-", "C4", "hand-over"))
        strong = [x for x in (flow.l_bbar, flow.l_bbar2) if x is not None and x <= flow.l_end]
        if strong:
            # from where |y1| or |y2| passes y_strong the weak-coupling flow is outside its range: shade it on every
            # panel, red when the verdict rests on it, grey when y_s decides (the paired phase after l*)
            colour, text = (("C3", "|y| > y_strong: verdict NOT controlled") if not result.controlled
                            else ("0.5", "|y| > y_strong: flow outside its range (y_s decides)"))
            for ax in (ax_s, ax_y, ax_k):
                ax.axvspan(min(strong), flow.l_end, color=colour, alpha=0.12, lw=0)
            ax_y.text(0.98, 0.04, text, transform=ax_y.transAxes, ha="right", color=colour, fontsize=8,
                      path_effects=label_effects())
            top = 100.0 * m.y_strong  # beyond it the numbers mean nothing: the axis stops, the curve runs off
            if ax_y.get_ylim()[1] > top:
                ax_y.set_ylim(top=top)
                ax_y.text(0.98, 0.96, f"axis cut at {top:g} (curve runs off)", transform=ax_y.transAxes,
                          ha="right", va="top", fontsize=7, color="0.3")
        for ax in (ax_s, ax_y, ax_k):
            for value, ls, color, label in marks:
                if value is not None and np.isfinite(value) and value <= flow.l_end:
                    ax.axvline(value, ls=ls, color=color, lw=1.2, label=label if ax is ax_s else None)
            ax.legend(ncol=4, loc="best", frameon=False)
        ax_k.set_xlim(0.0, 1.02 * flow.l_end)  # keep a mark at l_end (l_bar) off the frame
        order = f", {result.dominant_order}" if result.dominant_order else ""
        trust = "" if result.controlled else ", NOT controlled"
        sure = f" ({result.certainty}, {result.agreement:.0%} of the ensemble)"
        ax_s.set_title(
            f"{result.phase}{order}{trust}{sure}\n$K_c^0$={m.Kc0:g}, $K^0$={m.K0:g}, $y_s^0$={m.ys0:g}, "
            f"$y^0$={m.y0:g}, $\\upsilon$={m.upsilon:g}, $\\ell^*$={m.lstar:g}, $\\chi$={m.chi:g} "
            f"({m.flow}, {m.scheme})",
            fontsize=9,
        )
        fig.align_ylabels()
        save_figure(fig, path)
    return path


_AXIS_LABELS = {
    "exp_neg_lstar": r"$e^{-\ell^*} \propto (k_F + k)\alpha_0$", "lstar": r"$\ell^*$", "y0": r"bare $y^0$",
    "ys0": r"bare $y_s^0$", "Kc0": r"$K_c^0$", "K0": r"$K^0$", "upsilon": r"$\upsilon$", "chi": r"$\chi$",
    "temperature": r"$T/\Lambda$", "lmax": r"$\ell_{\max}$", "theta": r"$\theta_{\uparrow\downarrow}$",
    "u_ratio": r"$u/u_c$", "lmass": r"$\ell_m$", "y2": r"bare $y_2^0$",
}
PHASE_COLOURS = {"decoupled": "#e0e0e0", "paired": "#4bb062", "trion": "#b39ddb", "triplet": "#ffcc80",
                 "undetermined": "#7f7f7f", "outside": "#ffffff", "undecided": "#ffffff"}
"""The one colour of each phase in every figure, CLI plot, report and the explorer: decoupled light grey, paired
green, trion lavender, triplet orange, ``undetermined`` dark grey (the strong-coupling step or the verdict ensemble
cannot decide: no phase is claimed there); ``outside`` (the theory does not apply: a gate map) and ``undecided`` (a
lattice point the lattice does not decide) are left white. Where a map shows the paired phase's spin gap it uses
:func:`paired_colormap`, whose middle is this green."""

LEANING_HATCH = "...."
"""The hatch over a verdict that is only ``leaning`` (at least two thirds of the verdict ensemble agree)."""
UNCERTAIN_HATCH = "xxxx"
"""The hatch over a verdict the verdict ensemble does not support, where a figure keeps the phase it reproduces
(the paper's own flow) instead of drawing it undetermined."""


def certain_phase(phase: np.ndarray, certainty: np.ndarray | None) -> np.ndarray:
    """The phase codes a map draws: the reported phase where the verdict ensemble supports it (robust or leaning),
    :data:`pairing1d.theory.phases.PHASES`' ``undetermined`` where it does not (certainty ``undetermined``)."""
    from .theory.phases import PHASES

    if certainty is None:
        return phase
    return np.where(np.asarray(certainty) == 2, PHASES.index("undetermined"), phase)

PAIRED_GAP_RANGE = (0.3, 1.0)
"""The part of matplotlib's ``Greens`` that spans the paired phase's log10 spin gap (light: small gap)."""


def paired_colormap():
    """The colour map of the paired phase's spin gap (log10, smallest gap lightest): ``Greens`` restricted to
    :data:`PAIRED_GAP_RANGE`, so that a paired region is green in every figure, with or without its gap."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    lo, hi = PAIRED_GAP_RANGE
    return ListedColormap(colormaps["Greens"](np.linspace(lo, hi, 256)), name="paired_gap")


def label_effects():
    """Path effects that keep a black label readable on any phase colour: a white halo."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.5, foreground="white")]


def smooth_boundary(ax, xs, ys, inside, **line) -> None:
    """Draw the boundary of the region ``inside`` ((ny, nx) bool over the axis values ``xs``, ``ys``) as a smooth
    line: the 0.5 contour of the indicator after a Gaussian blur of one grid step. On a binary indicator marching
    squares alone gives a staircase of half-pixel steps; the blur interpolates the edge between the pixels on each
    side, so the line lies within a grid step of the pixel boundary and has no steps."""
    from scipy.ndimage import gaussian_filter

    field = gaussian_filter(inside.astype(float), sigma=1.0, mode="nearest")
    ax.contour(xs, ys, field, levels=[0.5], **({"colors": "k", "linewidths": 1.2} | line))


def axis_label(name: str) -> str:
    return _AXIS_LABELS.get(name, name)


def plot_phase_map(
    ds, path: str | Path, x: str, y: str, z: str | None = None, *, title: str | None = None,
    marks: dict[str, tuple[float, float]] | None = None, keep_phase: bool = False,
) -> Path:
    """Phase map of a sweep Dataset in the look of Fig. 4: the paired phase coloured by log10 of the spin gap
    (colour bar), the trion and decoupled phases in flat colours, black phase boundaries, region labels.

    Every verdict is drawn with its certainty (:mod:`pairing1d.theory.ensemble`): robust in its phase's colour, leaning
    (two thirds of the ensemble agree) dotted (:data:`LEANING_HATCH`), and one the ensemble does not support as
    ``undetermined`` (dark grey), as is a phase the strong-coupling step cannot decide. ``keep_phase=True`` (the
    paper's own flow, reproduced as printed) keeps the reported phase's colour there and cross-hatches it instead
    (:data:`UNCERTAIN_HATCH`); verdicts that rest on a coupling outside the perturbative range are hatched ``////``.
    One panel per value of ``z`` (at most 6). ``title`` goes before the fixed parameters at the top; ``marks``
    (label -> (x, y)) are drawn as white stars on every panel, e.g. a device."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    panels = [ds] if z is None else [ds.isel({z: i}) for i in range(ds.sizes[z])]
    if len(panels) > MAX_PANELS:
        raise ValueError(f"{len(panels)} panels along {z!r}: at most {MAX_PANELS} can be drawn")
    path = Path(path)
    has_certainty = "certainty" in ds

    def drawn(panel):
        phase = panel["phase"].values
        if not has_certainty or keep_phase:
            return phase
        return certain_phase(phase, panel["certainty"].values)

    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels) + 1.2, 3.6), squeeze=False,
                                 sharey=True, layout="constrained")
        shown = drawn(ds)
        paired_gaps = ds["spin_gap"].values[(shown == 1) & (ds["spin_gap"].values > 0)]
        vmin, vmax = ((float(np.log10(paired_gaps.min())), float(np.log10(paired_gaps.max())))
                      if paired_gaps.size else (-8.0, 0.0))
        image = None
        uncontrolled = leaning = uncertain = False
        for ax, panel in zip(axes[0], panels, strict=True):
            panel = panel.transpose(y, x)
            xs, ys = panel[x].values, panel[y].values
            phase = drawn(panel)
            flat = np.where(phase == 1, np.nan, phase.astype(float))
            ax.pcolormesh(xs, ys, flat, cmap=ListedColormap([PHASE_COLOURS[name] for name in PHASES_FOR_LABELS]),
                          vmin=-0.5, vmax=len(PHASES_FOR_LABELS) - 0.5, shading="nearest", rasterized=True)
            with np.errstate(divide="ignore"):
                log_gap = np.where(phase == 1, np.log10(panel["spin_gap"].values), np.nan)
            image = ax.pcolormesh(xs, ys, log_gap, cmap=paired_colormap(), vmin=vmin, vmax=vmax, shading="nearest",
                                  rasterized=True)
            if len(xs) > 2 and len(ys) > 2:
                # one smooth contour per phase indicator: a trion|decoupled edge is drawn once (contouring the
                # codes 0, 1, 2 at 0.5 and 1.5 would draw it twice, a quarter pixel apart)
                for code in (1, 2, 3, 4):
                    if np.any(phase == code) and np.any(phase != code):
                        smooth_boundary(ax, xs, ys, phase == code)
                overlays = []
                if has_certainty:
                    certainty = panel["certainty"].values
                    overlays.append((LEANING_HATCH, (certainty == 1) & (phase != 4)))
                    if keep_phase:
                        overlays.append((UNCERTAIN_HATCH, (certainty == 2) & (panel["phase"].values != 4)))
                if "controlled" in panel:  # the verdicts that rest on a coupling beyond y_strong
                    overlays.append(("////", (panel["controlled"].values == 0) & (phase != 4)))
                for hatch, mask in overlays:
                    if np.any(mask):
                        ax.contourf(xs, ys, mask.astype(float), levels=[0.5, 1.5], colors="none", hatches=[hatch])
                        leaning |= hatch == LEANING_HATCH
                        uncertain |= hatch == UNCERTAIN_HATCH
                        uncontrolled |= hatch == "////"
            for label, (mx, my) in (marks or {}).items():
                ax.plot([mx], [my], marker="*", color="w", mec="k", ms=13, ls="none")
                ax.annotate(label, (mx, my), xytext=(6, 6), textcoords="offset points", fontsize=8,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "w", "ec": "none", "alpha": 0.8})
            for code, name in enumerate(PHASES_FOR_LABELS):
                mask = phase == code
                if mask.sum() > 0.12 * mask.size:  # narrow regions: the legend names them
                    jj, ii = np.nonzero(mask)
                    ax.text(np.median(xs[ii]), np.median(ys[jj]), name, ha="center", va="center", fontsize=10,
                            weight="bold", color="k", path_effects=label_effects())
            ax.set_xlabel(axis_label(x))
            if z is not None:
                ax.set_title(f"{axis_label(z)} = {float(panel[z]):g}")
        axes[0][0].set_ylabel(axis_label(y))
        present = set(np.unique(shown).tolist())  # no legend entry (and no gap scale) for an absent phase
        handles = [Patch(color=PHASE_COLOURS["decoupled"], label="decoupled")]
        if 1 in present:
            handles.append(Patch(color=PHASE_COLOURS["paired"], label="paired (shade: spin gap)"))
        if 2 in present:
            handles.append(Patch(color=PHASE_COLOURS["trion"], label="trion"))
        if 3 in present:
            handles.append(Patch(color=PHASE_COLOURS["triplet"], label="triplet / SDW$_z$ spin gap"))
        if 4 in present:
            handles.append(Patch(color=PHASE_COLOURS["undetermined"], label="undetermined"))
        if leaning:
            handles.append(Patch(facecolor="none", edgecolor="k", hatch=LEANING_HATCH,
                                 label="leaning (≥ 2/3 of the ensemble)"))
        if uncertain:
            handles.append(Patch(facecolor="none", edgecolor="k", hatch=UNCERTAIN_HATCH,
                                 label="not supported by the ensemble"))
        if uncontrolled:
            handles.append(Patch(facecolor="none", edgecolor="k", hatch="////", label="not controlled"))
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), frameon=False)
        if image is not None and 1 in present:
            bar = fig.colorbar(image, ax=axes[0].tolist(), shrink=0.9)
            bar.set_label(r"$\log_{10}(\Delta_s/\Lambda)$ (paired phase)")
        a = ds.attrs
        symbols = {"Kc0": r"$K_c^0$", "K0": r"$K^0$", "ys0": r"$y_s^0$", "y0": r"$y^0$", "upsilon": r"$\upsilon$",
                   "chi": r"$\chi$", "lstar": r"$\ell^*$"}
        fixed = ", ".join(f"{symbols[k]}={a[k]:.4g}" for k in symbols if k in a and isinstance(a[k], int | float))
        how = f"{a.get('flow', 'flow swept')}, {a.get('scheme', 'scheme swept')}"
        fig.suptitle(f"{title + ': ' if title else ''}{fixed} ({how})", fontsize=9)
        save_figure(fig, path)
    return path


MAX_PANELS = 6
"""Most panels (values of the third axis) a phase map draws side by side."""

PHASES_FOR_LABELS = ("decoupled", "paired", "trion", "triplet", "undetermined")


def plot_back_gate(ds, path: str | Path) -> Path:
    """The ladder device along a back-gate sweep (:func:`pairing1d.devices.ladder_scan.back_gate_scan`): the cutoffs
    :math:`\\ell^*_1` and :math:`\\ell_m` against :math:`\\mu^*` (top) over the phase as coloured bands (dotted where
    only two thirds of the verdict ensemble agree, cross-hatched where it does not support the phase), and the
    spin-sector scale and trion scale (bottom, log scale); the soliton threshold :math:`|\\mu^*| = \\Delta` is
    dotted."""
    path = Path(path)
    mu = ds["mu_star"].values
    with plt.rc_context(STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(4.8, 5.2), sharex=True, layout="constrained")
        edges = np.concatenate([[mu[0]], 0.5 * (mu[1:] + mu[:-1]), [mu[-1]]]) if mu.size > 1 else np.array(
            [mu[0] - 0.5, mu[0] + 0.5])
        for code, name in enumerate(PHASES_FOR_LABELS):
            where = np.nonzero(ds["phase"].values == code)[0]
            for i in where:
                top.axvspan(edges[i], edges[i + 1], color=PHASE_COLOURS[name], alpha=0.6, lw=0,
                            label=name if i == where[0] else None)
        if "certainty" in ds:  # the certainty of each verdict, as on every phase map
            certainty, phase = ds["certainty"].values, ds["phase"].values
            for code, hatch, label in ((1, LEANING_HATCH, "leaning"), (2, UNCERTAIN_HATCH, "not supported")):
                where = np.nonzero((certainty == code) & (phase != PHASES_FOR_LABELS.index("undetermined")))[0]
                for i in where:
                    top.axvspan(edges[i], edges[i + 1], facecolor="none", edgecolor="0.3", hatch=hatch, lw=0,
                                label=label if i == where[0] else None)
        finite = lambda v: np.where(np.isfinite(v), v, np.nan)  # noqa: E731
        top.plot(mu, finite(ds["lstar"].values), "k-", label=r"$\ell^*_1$")
        top.plot(mu, finite(ds["lmass"].values), "k--", label=r"$\ell_m$ (Eq. B1)")
        top.set_ylabel("RG time")
        # l_m diverges at the soliton threshold |mu*| = gap: keep the l*_1 structure readable
        top.set_ylim(0, min(np.nanmax(finite(np.concatenate([ds["lstar"].values, ds["lmass"].values]))),
                            3 * np.nanmax(finite(ds["lstar"].values))) * 1.1)
        top.legend(loc="upper right", ncols=2, fontsize=8)
        for ax in (top, bottom):
            for sign in (-1, 1):
                ax.axvline(sign * ds.attrs["gap"], color="0.4", lw=0.8, ls=":")
        with np.errstate(divide="ignore"):
            bottom.semilogy(mu, np.where(ds["spin_gap"] > 0, ds["spin_gap"], np.nan), "o-", ms=3,
                            label="spin gap (trion: its trion scale)")
            bottom.semilogy(mu, np.where(ds["trion_scale"] > 0, ds["trion_scale"], np.nan), "s-", ms=3,
                            label=r"trion scale")
        bottom.set_xlabel(r"back gate $\mu^*/\Lambda_{\rm sec}$")
        bottom.set_ylabel(r"energy / $\Lambda$")
        bottom.legend(fontsize=8)
        a = ds.attrs
        fig.suptitle(f"Mott-ladder secondary: K-={a['K_minus']:g}, gap={a['gap']:g}, "
                     f"mismatch={a['mismatch1']:g}", fontsize=9)
        save_figure(fig, path)
    return path
