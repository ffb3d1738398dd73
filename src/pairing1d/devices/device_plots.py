"""Figures of a device's gate map (:mod:`pairing1d.devices.gate_map`) in volts, kelvin and e²/h.

:func:`plot_gate_map` draws, over the gate voltage: the phase at the temperature and at T = 0, with the verdicts
that rest on a coupling past strong coupling hatched and the certainty of the verdict at the temperature (dotted
where only two thirds of the verdict ensemble agree, cross-hatched where it does not support the phase); the spin
gap and trion scale in kelvin beside the temperature and the primary's Zeeman energy; and the linear conductance.
With a sensitivity study it adds the phase probabilities and the 68 % / 90 % bands of the gap; with conductance
curves, G(T) at chosen gate voltages. A map over a second axis (field or temperature) is drawn as two colour maps.

:func:`plot_cnt` and :func:`draw_cnt_bands` draw a nanotube's bands (:mod:`pairing1d.devices.cnt`; ``pairing1d cnt
--plot``, the paper's Fig. 8).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..plotting import (
    LEANING_HATCH,
    PHASE_COLOURS,
    STYLE,
    UNCERTAIN_HATCH,
    label_effects,
    paired_colormap,
    save_figure,
)
from ..theory.phases import PHASES
from .gate_map import OUTSIDE, PHASE_LABELS

__all__ = ["plot_gate_map", "gate_map_figure", "plot_cnt", "draw_cnt_bands"]

UNDETERMINED = PHASES.index("undetermined")


def _cmap():
    from matplotlib.colors import BoundaryNorm, ListedColormap

    codes = sorted(PHASE_LABELS)
    cmap = ListedColormap([PHASE_COLOURS[PHASE_LABELS[c]] for c in codes])
    return cmap, BoundaryNorm(np.arange(codes[0] - 0.5, codes[-1] + 1.0), cmap.N)


def _legend_handles(present, marks=(), uncontrolled=True):
    """The phases drawn, and the marks drawn over them: ``marks`` (certainty hatches) and, if ``uncontrolled``, the
    hatch of the verdicts that are not controlled. Nothing that is not drawn is named."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=PHASE_COLOURS[PHASE_LABELS[c]], edgecolor="0.6", label=PHASE_LABELS[c])
               for c in sorted(present)]
    if uncontrolled:
        handles.append(Patch(facecolor="none", edgecolor="k", hatch="////", label="not controlled"))
    names = {LEANING_HATCH: "leaning (2/3 of the ensemble)", UNCERTAIN_HATCH: "not supported by the ensemble"}
    handles += [Patch(facecolor="none", edgecolor="k", hatch=h, label=names[h]) for h in marks]
    return handles


OUTSIDE_HATCH = "\\\\\\"
"""Fill of the sensitivity panel's ``outside`` band (points where the theory does not apply)."""


def _line(ax, x, y, **kwargs) -> None:
    """``ax.plot`` only when ``y`` has a finite value: a legend names only what is drawn."""
    if np.any(np.isfinite(y)):
        ax.plot(x, y, **kwargs)


def _broken_at_phase_changes(x: np.ndarray, y: np.ndarray, phase: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` with a gap (NaN) wherever the phase changes between neighbours: G(T) has one value per phase, and
    the crossover between them (at the phase's scale, marked apart) is not the vertical step a joined line draws."""
    order = np.argsort(x)
    x, y, phase = x[order], y[order], phase[order]
    cut = np.flatnonzero(phase[1:] != phase[:-1]) + 1
    return np.insert(x.astype(float), cut, np.nan), np.insert(y.astype(float), cut, np.nan)


def _certainty_masks(ds) -> list[tuple[str, np.ndarray]]:
    """(hatch, mask) of the verdicts at the temperature that are leaning, or that the verdict ensemble does not
    support (an undetermined certainty of a phase other than undetermined), inside the theory."""
    if "certainty" not in ds:
        return []
    cert, phase = ds["certainty"].values, ds["phase"].values
    inside = (phase != OUTSIDE) & (phase != UNDETERMINED)
    return [(h, m) for h, m in ((LEANING_HATCH, inside & (cert == 1)), (UNCERTAIN_HATCH, inside & (cert == 2)))
            if np.any(m)]


def plot_gate_map(ds, path: str | Path, *, sensitivity=None, curves=None, title: str | None = None) -> Path:
    """Draw a gate map (:func:`pairing1d.devices.gate_map.gate_map`) to ``path`` (PNG or PDF). ``sensitivity`` is a
    :func:`~pairing1d.devices.gate_map.sensitivity` dataset over the same gate axis (phase probabilities and gap bands);
    ``curves`` a :func:`~pairing1d.devices.gate_map.conductance_curves` dataset (G against T)."""
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        fig = gate_map_figure(ds, sensitivity=sensitivity, curves=curves, title=title)
        return save_figure(fig, path)


def gate_map_figure(ds, *, sensitivity=None, curves=None, title: str | None = None):
    """The figure of :func:`plot_gate_map` as an open matplotlib Figure, for a page that shows it without a file
    (the explorer's Device tab). Call it inside ``plt.rc_context(STYLE)``, as :func:`plot_gate_map` does, and save
    it there too (``savefig.*`` is read then); the caller closes it (``plt.close(fig)``)."""
    second = [d for d in ds["phase"].dims if d != "gate_V"]
    fig = _two_axes(ds, second[0]) if second else _one_axis(ds, sensitivity, curves)
    T, B = ds.attrs.get("temperature_K"), ds.attrs.get("field_T")
    bits = [f"T = {T * 1e3:.3g} mK" if T is not None else None, f"B = {B:g} T" if B is not None else None,
            f"impurity g = {ds.attrs.get('impurity', 0):g}",
            f"flow {ds.attrs.get('flow')}/{ds.attrs.get('scheme')}"]
    fig.suptitle((title or ds.attrs.get("title", "gate map")) + "\n" + ", ".join(b for b in bits if b), fontsize=10)
    return fig


def _phase_strip(ax, gate, rows, labels, uncontrolled_rows, marks=()):
    cmap, norm = _cmap()
    ax.pcolormesh(gate, np.arange(len(rows)), np.vstack(rows).astype(float), cmap=cmap, norm=norm,
                  shading="nearest", rasterized=True)
    for j, bad in enumerate(uncontrolled_rows):
        if bad is not None and np.any(bad):
            ax.contourf(gate, [j - 0.5, j + 0.5], np.vstack([bad, bad]).astype(float), levels=[0.5, 1.5],
                        colors="none", hatches=["////"])
    for hatch, mask in marks:  # the certainty of the verdict at the temperature (row 0)
        if len(gate) > 1:
            ax.contourf(gate, [-0.5, 0.5], np.vstack([mask, mask]).astype(float), levels=[0.5, 1.5],
                        colors="none", hatches=[hatch])
    ax.set_yticks(np.arange(len(rows)), labels)
    ax.tick_params(axis="y", length=0)


def _one_axis(ds, sensitivity, curves):
    import matplotlib.pyplot as plt

    gate = ds["gate_V"].values
    n_rows = 3 + (sensitivity is not None) + (curves is not None)
    heights = [0.55, 1.8, 1.1] + ([1.1] if sensitivity is not None else []) + ([1.8] if curves is not None else [])
    fig, axes = plt.subplots(n_rows, 1, figsize=(7.0, 1.5 + 1.45 * sum(heights)), layout="constrained",
                             height_ratios=heights)
    axes = list(axes)
    ax_phase, ax_gap, ax_G = axes[0], axes[1], axes[2]
    for ax in axes[1:3] + ([axes[3]] if sensitivity is not None else []):
        ax.sharex(ax_phase)
    phase, phase0 = ds["phase"].values, ds["phase_T0"].values
    uncontrolled = (ds["controlled"].values == 0) & (phase0 != OUTSIDE)
    marks = _certainty_masks(ds)
    _phase_strip(ax_phase, gate, [phase, phase0], ["at T", "T = 0"], [None, uncontrolled], marks)
    ax_phase.set_title("(a) phase", loc="left", fontsize=10)
    ax_phase.tick_params(labelbottom=False)

    # (b) the scales in kelvin against the temperature and the Zeeman energy of the primary
    gap, trion = ds["spin_gap_K"].values, ds["trion_scale_K"].values
    _line(ax_gap, gate, np.where(gap > 0, gap, np.nan), color="C3", lw=1.6, label=r"spin gap $\Delta_s$ ($T = 0$)")
    _line(ax_gap, gate, np.where((trion > 0) & (phase0 == 2), trion, np.nan), color="C0", lw=1.6, ls="--",
          label="trion scale")
    closed = ds["zeeman_closed"].values == 1
    if np.any(closed):
        flow_gap = ds["spin_gap_flow_K"].values
        _line(ax_gap, gate, np.where(closed & (flow_gap > 0), flow_gap, np.nan), color="C3", lw=1.0, ls=":",
              label="spin gap closed by the Zeeman energy")
        _line(ax_gap, gate, np.where(closed & (trion > 0), trion, np.nan), color="C0", lw=1.0, ls=":",
              label="trion scale closed by the Zeeman energy")
    if sensitivity is not None:
        q = sensitivity["spin_gap_K_quantile"]
        pos = lambda a: np.where(a > 0, a, np.nan)  # noqa: E731
        for (lo, hi), alpha, label in (((0.05, 0.95), 0.15, "90 % of samples"), ((0.16, 0.84), 0.3, "68 % of samples")):
            low, high = pos(q.sel(quantile=lo).values), pos(q.sel(quantile=hi).values)
            if np.any(np.isfinite(high)):  # a band with no gap in any sample is not drawn, nor named
                ax_gap.fill_between(gate, low, high, color="C3", alpha=alpha, lw=0, label=label)
    T = ds.attrs.get("temperature_K")
    if T:
        ax_gap.axhline(T, color="k", lw=0.8, ls=":", label=f"T = {T * 1e3:.3g} mK")
    zeeman = ds["zeeman_primary_K"].values
    if np.any(np.nan_to_num(zeeman) > 0):
        _line(ax_gap, gate, zeeman, color="C1", lw=1.0, ls="-.", label=r"Zeeman $|g|\mu_BB$ of the primary")
    lam = ds["Lambda_K"].values
    _line(ax_gap, gate, lam, color="0.5", lw=0.8, label=r"bandwidth $\Lambda$")
    ax_gap.set_yscale("log")
    finite = np.concatenate([a[np.isfinite(a) & (a > 0)] for a in (gap, trion, lam, np.atleast_1d(T or np.nan),
                                                                   ds["spin_gap_flow_K"].values)])
    if finite.size:
        ax_gap.set_ylim(max(finite.min() / 3, 1e-6), finite.max() * 3)
    ax_gap.set_ylabel("energy / $k_B$ (K)")
    ax_gap.legend(fontsize=7, ncols=2, frameon=False, loc="best")
    ax_gap.set_title("(b) gaps in kelvin", loc="left", fontsize=10)
    ax_gap.tick_params(labelbottom=False)

    # (c) the linear conductance at the temperature
    G = ds["G_e2h"].values
    unreliable = (ds["G_reliable"].values == 0) & (phase != OUTSIDE)
    # where the impurity is strong G is not quoted: left out of the curve, said in words, never drawn at 0
    ax_G.plot(gate, np.where(unreliable, np.nan, G), color="k", lw=1.4, label="G at T")
    if np.any(unreliable):
        ax_G.text(0.01, 0.06, f"G not quoted at {int(unreliable.sum())} gate values (the impurity is strong there)",
                  transform=ax_G.transAxes, fontsize=7, color="0.3")
    for level in (2.0, 4.0 / 3.0):
        ax_G.axhline(level, color="0.7", lw=0.6, ls="--")
    ax_G.set_ylim(0, 2.2)
    ax_G.set_ylabel(r"$G$ ($e^2/h$)")
    ax_G.legend(fontsize=7, frameon=False, loc="lower right")
    ax_G.set_title("(c) linear conductance of the primary wire", loc="left", fontsize=10)
    last = ax_G
    if sensitivity is not None:
        ax_p = axes[3]
        ax_G.tick_params(labelbottom=False)
        prob = sensitivity["phase_probability"]
        labels = [str(p) for p in prob["phase_label"].values]
        stack = [prob.sel(phase_label=p).values for p in prob["phase_label"].values]
        layers = ax_p.stackplot(gate, stack, colors=[PHASE_COLOURS[p] for p in labels], edgecolor="0.6", lw=0.3)
        for layer, label in zip(layers, labels, strict=True):
            if label == "outside":  # not a white gap that reads as the next phase: a hatched, named band
                layer.set_facecolor("white")
                layer.set_hatch(OUTSIDE_HATCH)
                layer.set_edgecolor("0.55")
        if "outside" in labels and np.any(prob.sel(phase_label="outside").values > 0):
            from matplotlib.patches import Patch

            ax_p.legend(handles=[Patch(facecolor="white", edgecolor="0.55", hatch=OUTSIDE_HATCH,
                                       label="outside the theory")], fontsize=7, loc="lower left", frameon=True)
        ax_p.set_ylim(0, 1)
        ax_p.set_ylabel("probability")
        ax_p.set_title(f"(d) phase over {sensitivity.sizes['sample']} samples of the uncertain inputs", loc="left",
                       fontsize=10)
        last = ax_p
    last.set_xlabel("gate voltage (V)")
    if curves is not None:
        ax_c = axes[-1]
        for j, v in enumerate(curves["gate_V"].values):
            c = curves.sel(gate_V=v)
            name = PHASE_LABELS[int(c["phase_T0"].values[0])]
            ax_c.plot(*_broken_at_phase_changes(c["temperature_K"].values, c["G_e2h"].values, c["phase"].values),
                      color=f"C{j}", lw=1.5, label=f"{v:.4g} V ({name})")
            gap_K = float(c["spin_gap_K"].values[0])
            if gap_K > 0:
                ax_c.axvline(gap_K, color=f"C{j}", lw=0.7, ls=":")
        ax_c.set_xscale("log")
        ax_c.set_ylim(0, 2.2)
        ax_c.set_xlabel("temperature (K)")
        ax_c.set_ylabel(r"$G$ ($e^2/h$)")
        gapped = bool(np.any(curves["spin_gap_K"].values > 0))  # the dotted marks exist only then
        ax_c.legend(fontsize=7, frameon=False, title="gate (phase at T = 0)" + ("; dotted: spin gap" if gapped else ""),
                    title_fontsize=7)
        letter = "e" if sensitivity is not None else "d"
        ax_c.set_title(f"({letter}) conductance against temperature", loc="left", fontsize=10)
    present = set(np.unique(np.concatenate([phase.ravel(), phase0.ravel()])).tolist())
    if sensitivity is not None:  # the phases panel (d) stacks are drawn too, and named
        codes = {label: code for code, label in PHASE_LABELS.items() if code != OUTSIDE}  # "outside": its own legend
        present |= {codes[p] for p in labels if p in codes and np.any(prob.sel(phase_label=p).values > 0)}
    fig.legend(handles=_legend_handles(present, [h for h, _ in marks], bool(np.any(uncontrolled))),
               loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    return fig


def _two_axes(ds, other):
    import matplotlib.pyplot as plt

    gate, y = ds["gate_V"].values, ds[other].values
    ds = ds.transpose(other, "gate_V", ...)  # the ensemble members, if any, last
    fig, (ax_p, ax_g) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained", sharey=True)
    cmap, norm = _cmap()
    ax_p.pcolormesh(gate, y, ds["phase"].values.astype(float), cmap=cmap, norm=norm, shading="nearest",
                    rasterized=True)
    bad = (ds["controlled"].values == 0) & (ds["phase"].values != OUTSIDE)
    if np.any(bad) and len(gate) > 1 and len(y) > 1:
        ax_p.contourf(gate, y, bad.astype(float), levels=[0.5, 1.5], colors="none", hatches=["////"])
    marks = _certainty_masks(ds) if len(gate) > 1 and len(y) > 1 else []
    for hatch, mask in marks:
        ax_p.contourf(gate, y, mask.astype(float), levels=[0.5, 1.5], colors="none", hatches=[hatch])
    ax_p.set_title("(a) phase at the temperature", loc="left", fontsize=10)
    gap = ds["spin_gap_K"].values
    with np.errstate(divide="ignore"):
        image = ax_g.pcolormesh(gate, y, np.where(gap > 0, np.log10(gap), np.nan), cmap=paired_colormap(),
                                shading="nearest", rasterized=True)
    if np.any(gap > 0):  # a colour bar for data that exist, not the empty default range
        bar = fig.colorbar(image, ax=ax_g)
        bar.set_label(r"$\log_{10}(\Delta_s / 1\,\mathrm{K})$ at $T = 0$")
    if not np.any(gap > 0):
        flow_gap = ds["spin_gap_flow_K"].values
        note = "no spin gap at any point"
        if np.any(flow_gap > 0):
            note += f"\n(the flow's gaps, up to {flow_gap.max():.3g} K,\nare closed by the Zeeman energy)"
        ax_g.text(0.5, 0.5, note, transform=ax_g.transAxes, ha="center", va="center", fontsize=9)
    ax_g.set_title("(b) spin gap", loc="left", fontsize=10)
    label = {"field_T": "magnetic field (T)", "temperature_K": "temperature (K)"}[other]
    ax_p.set_ylabel(label)
    if other == "temperature_K" and np.all(y > 0):
        ax_p.set_yscale("log")
    for ax in (ax_p, ax_g):
        ax.set_xlabel("gate voltage (V)")
    present = set(np.unique(ds["phase"].values).tolist())
    fig.legend(handles=_legend_handles(present, [h for h, _ in marks], bool(np.any(bad))),
               loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    return fig


def draw_cnt_bands(ax, cnt, mu: float, k_max: float = 2e7) -> None:
    """The eight bands of Eq. (A2) on ``ax`` (Fig. 8): spin sigma by colour, valley nu by line style, the Fermi
    level as a solid black line and each Fermi point as a black dot (with k_F written when one band crosses);
    momenta in 1/nm (the package's one unit of momentum), energies in meV; the energy axis holds every band's edge
    at k = 0. ``k_max`` in 1/m as :mod:`pairing1d.devices.cnt` works in SI."""
    import matplotlib.pyplot as plt

    from .cnt import bands, crossing

    k = np.linspace(-k_max, k_max, 801)
    spectrum = bands(cnt, mu, k)
    for (s, v, _b), energy in spectrum.items():
        ax.plot(k * 1e-9, energy, color="C3" if s == 1 else "C0", ls="-" if v == 1 else "--", lw=1.6)
        # the Fermi points, located by linear interpolation between the samples on each side of E = 0
        for i in np.nonzero(np.diff(np.sign(energy)) != 0)[0]:
            root = k[i] - energy[i] * (k[i + 1] - k[i]) / (energy[i + 1] - energy[i])
            ax.plot([root * 1e-9], [0.0], "o", color="k", ms=4.5, zorder=5)
    ax.axhline(0.0, color="k", lw=1.5)
    edges = np.array([energy[k.size // 2] for energy in spectrum.values()])
    reach = float(np.max(np.abs(edges))) + 2.0
    ax.set_ylim(-reach, reach)
    ax.set_xlim(k[0] * 1e-9, k[-1] * 1e-9)
    ax.xaxis.set_major_locator(plt.MaxNLocator(5, symmetric=True))  # momenta like 0.015 need room
    found = crossing(cnt, mu)
    if found.k_fermi is not None:
        ax.annotate(rf"$k_F$ = {found.k_fermi * 1e-9:.3g} nm$^{{-1}}$", (found.k_fermi * 1e-9, 0.0),
                    xytext=(8, 8), textcoords="offset points", fontsize=8, path_effects=label_effects())
    ax.set_xlabel(r"$k$ (1/nm)")
    ax.set_ylabel(r"$E_{\sigma\nu}$ (meV), Fermi level at 0")
    handles = [plt.Line2D([], [], color="C3", label=r"$\sigma=+1$"),
               plt.Line2D([], [], color="C0", label=r"$\sigma=-1$"),
               plt.Line2D([], [], color="0.3", ls="-", label=r"$\nu=+1$"),
               plt.Line2D([], [], color="0.3", ls="--", label=r"$\nu=-1$")]
    ax.legend(handles=handles, loc="center", bbox_to_anchor=(0.5, 0.66), ncol=2, frameon=False, fontsize=8)
    mantissa, exponent = f"{cnt.vF:.1e}".split("e")
    ax.set_title(f"$v_F$ = ${mantissa}\\times10^{{{int(exponent)}}}$ m/s; $\\Delta_0$={cnt.delta0:g}, "
                 f"$\\Delta_{{so}}$={cnt.delta_so:g}, $\\Delta_\\Phi$={cnt.delta_phi:g}, $\\mu$={mu:g} (meV)",
                 fontsize=8)


def plot_cnt(cnt, mu: float, path: str | Path, k_max: float = 2e7) -> Path:
    """Fig. 8: the eight bands of Eq. (A2) around the Fermi level (spin: colour, valley: line style), and the
    map of bands crossing the Fermi level over (mu, Delta_Phi) with the single-band windows marked."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from .cnt import CNT, single_band_map

    path = Path(path)
    with plt.rc_context(STYLE):
        fig, (ax_b, ax_m) = plt.subplots(1, 2, figsize=(9.2, 3.8), layout="constrained",
                                         gridspec_kw={"width_ratios": (1, 1.25)})
        draw_cnt_bands(ax_b, cnt, mu, k_max)
        mus = np.linspace(-8, 8, 401)
        dphis = np.linspace(0.0, 3.0, 241)
        counts = single_band_map(CNT(cnt.vF, cnt.delta0, cnt.delta_so, cnt.delta_phi), mus, dphis)
        levels = np.arange(-4.5, 5.5, 1.0)
        colours = ["#08306b", "#2171b5", "#6baed6", "#d62728", "#f0f0f0", "#ff7f0e", "#fdae6b", "#fdd0a2",
                   "#feedde"]
        mesh = ax_m.pcolormesh(mus, dphis, counts, cmap=ListedColormap(colours),
                               norm=BoundaryNorm(levels, len(colours)), shading="nearest", rasterized=True)
        ax_m.contour(mus, dphis, np.abs(counts) == 1, levels=[0.5], colors="k", linewidths=1.0)
        ax_m.plot([mu], [cnt.delta_phi], marker="*", color="w", mec="k", ms=12)
        bar = fig.colorbar(mesh, ax=ax_m, ticks=range(-4, 5))
        bar.set_label("bands at the Fermi level (− hole-like, + particle-like)")
        ax_m.set_xlabel(r"$\mu$ (meV)")
        ax_m.set_ylabel(r"$\Delta_\Phi$ (meV)")
        ax_m.set_title("single spin- and valley-polarized band: framed (±1)", fontsize=9)
        save_figure(fig, path)
    return path
