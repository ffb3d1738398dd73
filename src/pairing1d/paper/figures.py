r"""The paper's figures and Table I, regenerated from the package: labelled data (xarray) and journal-style plots.

Each figure is a pair of functions: ``figN_data(scheme, resolution, flow)`` returns an ``xarray.Dataset`` with
every parameter in its attributes, and ``draw_figN(ds, path)`` draws it (PNG or PDF by suffix). :func:`reproduce`
writes all of them, with their NetCDF data and Table I as Markdown, into one folder. The default is the package's
controlled flow (``flow='consistent'``, ``scheme='cic'``); ``flow='paper', scheme='printed'`` integrates Eq. (16)
exactly as printed, which is what the paper's figures show.

* **Fig. 3** :math:`\min(\bar\ell, \ell_{\max})` over the bare :math:`(y^0, y_s^0)` plane at :math:`\ell^* = 2, 3`,
  and the flow of :math:`y_s` for the red dot :math:`y_s^0 = 0.15, y^0 = 0.12` (:math:`K_c^0 = 0.85, K^0 = 0.6,
  \upsilon = 0.15, \chi = 1`, SU(2) line).
* **Fig. 4** the zero-temperature phase diagram over :math:`(e^{-\ell^*}, y^0)` for three :math:`K^0`
  (:math:`y_s^0 = 0.1, K_c^0 = 0.9, \upsilon = 0.12, \chi = 1.5`). The caption does not give the :math:`K^0`;
  we use :data:`~pairing1d.paper.setups.FIG4_K0` = 0.4, 0.55, 0.7 (docs/reproduction.md says why).
* **Fig. 5** the finite-temperature crossovers against :math:`\ell^*`: :math:`T_{\rm pair} = e^{-\bar\ell}`
  and :math:`T_{\rm trion} = e^{-\bar{\bar\ell}} c_1(\bar{\bar\ell})` in units of the bandwidth
  (:math:`y_s^0 = y^0 = 0.1, K_c^0 = 0.85, K^0 = 0.4, \upsilon = 0.1, \chi = 1.5`).
* **Fig. 8** the nanotube bands of Eq. (A2) at the caption's parameters (:data:`pairing1d.devices.cnt.FIG8`,
  :math:`\mu = -3` meV).
* **Table I** from the transmission matrices of :mod:`pairing1d.theory.transport`.

Axis ranges the paper does not print (the :math:`y_s^0` and :math:`y^0` ranges of Fig. 3, the
:math:`e^{-\ell^*}` and :math:`y^0` ranges of Fig. 4, the :math:`\ell^*` range of Fig. 5) are constants of
:mod:`pairing1d.paper.setups`, with the figures' parameters and Fig. 3's data, which the paper's statements
(:mod:`pairing1d.paper.claims`) use too; this module imports them from there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..theory.model import Model
from .setups import (  # noqa: F401 - the figures' set-ups, also read as figures.<name>
    FIG3,
    FIG3_DOT,
    FIG3_DOT_LMAX_FACTOR,
    FIG3_LSTAR,
    FIG3_RANGES,
    FIG4,
    FIG4_K0,
    FIG4_RANGES,
    FIG5,
    FIG5_LSTAR,
    FIG8_MU,
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    _axis,
    _check,
    fig3_data,
)

__all__ = [
    "FIG3", "FIG3_LSTAR", "FIG3_DOT", "FIG4", "FIG4_K0", "FIG5", "FIG8_MU", "fig3_data", "fig4_data", "fig5_data",
    "fig8_data", "draw_fig3", "draw_fig4", "draw_fig5", "draw_fig8", "reproduce", "Reproduction",
    "MIN_RESOLUTION",
]

def draw_fig3(ds, path: str | Path) -> Path:
    """Fig. 3: (a), (c) min(l_bar, lmax) over (y0, ys0), the gapped/gapless boundary l_bar = lmax in black,
    iso-gap lines in white, the red dot; (b), (d) the red dot's ys(l) with l* dashed."""
    import matplotlib.pyplot as plt

    from ..plotting import STYLE, label_effects, save_figure, smooth_boundary

    lmax = float(ds.attrs["lmax"])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(7.4, 6.4), layout="constrained",
                                 gridspec_kw={"width_ratios": (1.25, 1)})
        for row, lstar in enumerate(ds["lstar"].values):
            ax_map, ax_flow = axes[row]
            panel = ds.sel(lstar=lstar).transpose("ys0", "y0", ...)
            x, y, z = panel["y0"].values, panel["ys0"].values, panel["l_bar_capped"].values
            mesh = ax_map.pcolormesh(x, y, z, cmap="viridis", vmin=0.0, vmax=lmax, shading="nearest",
                                     rasterized=True)
            if np.any(z < lmax) and np.any(z >= lmax):
                smooth_boundary(ax_map, x, y, z < lmax, linewidths=1.6)
            iso = [v for v in (5.0, 10.0, 15.0) if z.min() < v < lmax]
            if iso:
                lines = ax_map.contour(x, y, z, levels=iso, colors="w", linewidths=0.7, linestyles="--")
                ax_map.clabel(lines, fmt=lambda v: rf"$\bar\ell$={v:g}", fontsize=7)
            _mark_trust(ax_map, x, y, panel)
            ax_map.plot([ds.attrs["red_dot_y0"]], [ds.attrs["red_dot_ys0"]], "o", color="red", mec="k", ms=7)
            ax_map.axhline(0.0, color="0.85", lw=0.6)
            ax_map.set_xlabel(r"bare $y^0$")
            ax_map.set_ylabel(r"bare $y_s^0$")
            ax_map.set_title(f"({'ac'[row]}) $\\ell^*$ = {lstar:g}", loc="left")
            bar = fig.colorbar(mesh, ax=ax_map, pad=0.02)
            bar.set_label(r"$\min(\bar\ell, \ell_{\max})$")

            l, ys = ds["l"].values, ds["ys_flow"].sel(lstar=lstar).values
            ax_flow.plot(l, ys, color="C3", lw=2, label=r"$y_s$")
            ax_flow.axvline(lstar, color="k", ls="--", lw=1.0, label=r"$\ell^*$")
            ax_flow.axhline(0.0, color="0.6", lw=0.6)
            ax_flow.axhline(-1.0, color="C3", lw=0.8, ls=":")
            l_bar = float(ds["red_dot_l_bar"].sel(lstar=lstar)) if "red_dot_l_bar" in ds else math.inf
            if l_bar <= lmax:
                verdict = rf"$\bar\ell$ = {l_bar:.2f} < $\ell_{{\max}}$: spin gap $e^{{-\bar\ell}}$"
            elif np.isfinite(l_bar):
                verdict = (rf"$y_s(\ell_{{\max}})$ = {ys[-1]:+.2f}; $\bar\ell$ = {l_bar:.2f} > $\ell_{{\max}}$:"
                           "\n" rf"gap below $e^{{-\ell_{{\max}}}}$, gapless at this $\ell_{{\max}}$")
            else:
                verdict = (rf"$y_s(\ell_{{\max}})$ = {ys[-1]:+.2f}; no $\bar\ell$ up to "
                           rf"{FIG3_DOT_LMAX_FACTOR:g}$\ell_{{\max}}$: gapless")
            # lower right: above the ys = -1 line, below where the flows of Fig. 3 run, clear of the tick labels
            ax_flow.text(0.97, 0.1, verdict, transform=ax_flow.transAxes, ha="right", va="bottom", fontsize=7.5,
                         path_effects=label_effects())
            ax_flow.set_xlim(0.0, lmax)
            ax_flow.set_ylim(-1.05, max(0.3, float(np.nanmax(ys)) + 0.05))
            ax_flow.set_xlabel(r"RG time $\ell$")
            ax_flow.set_ylabel(r"$y_s$ of the red dot")
            ax_flow.set_title(f"({'bd'[row]}) $y_s^0$={ds.attrs['red_dot_ys0']:g}, $y^0$={ds.attrs['red_dot_y0']:g}",
                              loc="left")
            ax_flow.legend(loc="upper right", frameon=False)
        _trust_legend(fig, ds)
        a = ds.attrs
        fig.suptitle(f"Fig. 3: $K_c^0$={a['Kc0']:g}, $K^0$={a['K0']:g}, $\\upsilon$={a['upsilon']:g}, "
                     f"$\\chi$={a['chi']:g}, SU(2) line, $\\ell_{{\\max}}$={lmax:g} "
                     f"({a['flow']} flow, {a['scheme']} cutoff)",
                     fontsize=10)
        return save_figure(fig, path)


UNCONTROLLED_COLOUR = "#b2182b"
"""Colour of the ``////`` hatch of an uncontrolled verdict: a verdict can be both unsupported by the ensemble and
uncontrolled, and black ``////`` vanishes inside the black ``xxxx`` of the first."""


def _mark_trust(ax, x, y, panel) -> None:
    """Hatch, on a map of ``panel`` (dims (y, x)), the verdicts the verdict ensemble does not support (``xxxx``) and
    those that rest on a coupling outside the perturbative range (``////``): every figure that shows a verdict says
    how far to trust it."""
    from ..plotting import UNCERTAIN_HATCH

    for hatch, colour, mask in (
            (UNCERTAIN_HATCH, "k", panel["certainty"].values == 2 if "certainty" in panel else None),
            ("////", UNCONTROLLED_COLOUR, panel["controlled"].values == 0 if "controlled" in panel else None)):
        if mask is not None and np.any(mask) and len(x) > 1 and len(y) > 1:
            marks = ax.contourf(x, y, mask.astype(float), levels=[0.5, 1.5], colors="none", hatches=[hatch])
            marks.set_edgecolor(colour)  # the hatch takes the edge colour
            marks.set_linewidth(0)


def _trust_legend(fig, ds) -> None:
    """The legend of :func:`_mark_trust`'s hatches that a figure of ``ds`` shows (none when everything is robust and
    controlled)."""
    from matplotlib.patches import Patch

    from ..plotting import UNCERTAIN_HATCH

    handles = []
    if "certainty" in ds and np.any(ds["certainty"].values == 2):
        handles.append(Patch(facecolor="none", edgecolor="k", hatch=UNCERTAIN_HATCH,
                             label="verdict not supported by the ensemble (undetermined)"))
    if "controlled" in ds and np.any(ds["controlled"].values == 0):
        handles.append(Patch(facecolor="none", edgecolor=UNCONTROLLED_COLOUR, hatch="////",
                             label="verdict not controlled"))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, fontsize=8)


# --------------------------------------------------------------------------------------------------- Fig. 4

def fig4_data(scheme: str = "cic", resolution: int = 128, K0: tuple[float, ...] = FIG4_K0,
              flow: str = "consistent"):
    """Fig. 4: the phase (and scales, order) on the (K0, exp_neg_lstar, y0) grid at the caption's parameters."""
    from ..engine.sweep import sweep

    _check(scheme, resolution, flow)
    ds = sweep(Model(**FIG4, scheme=scheme, flow=flow), K0=list(K0),
               exp_neg_lstar=_axis(FIG4_RANGES["exp_neg_lstar"], resolution), y0=_axis(FIG4_RANGES["y0"], resolution))
    ds.attrs.update(figure="Fig. 4")
    return ds


def draw_fig4(ds, path: str | Path) -> Path:
    """Fig. 4: one phase map per K0 (the paired phase coloured by its spin gap), black boundaries, every verdict with
    its certainty; under the paper's own flow or a tanh scheme (a reproduction) the phase it reproduces is kept and
    cross-hatched where the verdict ensemble does not support it."""
    from ..plotting import plot_phase_map

    reproduction = ds.attrs.get("flow") == "paper" or ds.attrs.get("scheme") != "cic"
    return plot_phase_map(ds, path, "exp_neg_lstar", "y0", "K0", title="Fig. 4", keep_phase=reproduction)


# --------------------------------------------------------------------------------------------------- Fig. 5

def fig5_data(scheme: str = "cic", resolution: int = 128, flow: str = "consistent"):
    """Fig. 5: l_bar, l_bbar, the T = 0 phase and the crossover temperatures ``spin_gap`` = exp(-l_bar) and
    ``trion_scale`` = exp(-l_bbar) c1(l_bbar) (the caption's boundaries) along ``2 * resolution`` values of lstar."""
    from ..engine.sweep import sweep

    _check(scheme, resolution, flow)
    ds = sweep(Model(**FIG5, scheme=scheme, flow=flow), lstar=_axis(FIG5_LSTAR, 2 * resolution))
    ds.attrs.update(figure="Fig. 5")
    return ds


def draw_fig5(ds, path: str | Path) -> Path:
    r"""Fig. 5: temperature against l*, with the Luttinger-liquid, paired and trion regions.

    At temperature T the flow is stopped at ln(Lambda/T): the primary is paired below
    :math:`T_{\rm pair} = e^{-\bar\ell}` where the zero-temperature phase is paired, and trion below
    :math:`T_{\rm trion} = e^{-\bar{\bar\ell}}c_1(\bar{\bar\ell})` where it is trion. Each line is drawn only where it
    is a phase boundary: inside the trion region the spin gap :math:`e^{-\bar\ell}` lies below
    :math:`T_{\rm trion}` and separates nothing.
    """
    import matplotlib.pyplot as plt

    from ..plotting import PHASE_COLOURS, STYLE, label_effects, save_figure
    from ..theory.phases import PHASES

    lstar = ds["lstar"].values
    lmax = float(ds.attrs["lmax"])
    t_floor = np.exp(-lmax)
    phase = ds["phase"].values
    is_paired, is_trion = phase == PHASES.index("paired"), phase == PHASES.index("trion")
    t_pair = np.where(is_paired & (ds["spin_gap"].values > 0), ds["spin_gap"].values, np.nan)
    t_trion = np.where(is_trion & (ds["trion_scale"].values > 0), ds["trion_scale"].values, np.nan)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5.4, 4.0), layout="constrained")
        ax.set_facecolor("white")
        if np.any(is_paired):
            ax.fill_between(lstar, t_floor, np.nan_to_num(t_pair, nan=t_floor), color=PHASE_COLOURS["paired"],
                            alpha=0.6, lw=0, label="paired (spin gap)")
            ax.plot(lstar, t_pair, color="#1b7837", lw=2, label=r"$T_{\rm pair}=e^{-\bar\ell}$")
        if np.any(is_trion):
            ax.fill_between(lstar, t_floor, np.nan_to_num(t_trion, nan=t_floor), color=PHASE_COLOURS["trion"],
                            lw=0, label="trion")
            cic = ds.attrs.get("scheme") == "cic"  # the flowing mismatch already holds the cutoff: no c1 factor
            formula = r"e^{-\bar{\bar\ell}}" if cic else r"e^{-\bar{\bar\ell}}c_1(\bar{\bar\ell})"
            ax.plot(lstar, t_trion, color="#5e35b1", lw=2, label=rf"$T_{{\rm trion}}={formula}$")
        ax.set_yscale("log")
        ax.set_ylim(t_floor, 1.0)
        ax.set_xlim(lstar[0], lstar[-1])
        # every verdict with its trust: an undetermined phase is a grey band, a verdict the ensemble does not support
        # or one outside the perturbative range is hatched over its whole column
        edges = np.concatenate([[lstar[0]], 0.5 * (lstar[1:] + lstar[:-1]), [lstar[-1]]])
        marks = {"undetermined": phase == PHASES.index("undetermined")}
        if "certainty" in ds:
            marks["not supported by the ensemble"] = (ds["certainty"].values == 2) & ~marks["undetermined"]
            marks["leaning (2/3 of the ensemble)"] = ds["certainty"].values == 1
        if "controlled" in ds:
            marks["not controlled"] = (ds["controlled"].values == 0) & ~marks["undetermined"]
        styles = {"undetermined": {"color": PHASE_COLOURS["undetermined"], "lw": 0},
                  "not supported by the ensemble": {"facecolor": "none", "hatch": "xxxx", "edgecolor": "0.3", "lw": 0},
                  "leaning (2/3 of the ensemble)": {"facecolor": "none", "hatch": "....", "edgecolor": "0.3", "lw": 0},
                  "not controlled": {"facecolor": "none", "hatch": "////", "edgecolor": UNCONTROLLED_COLOUR, "lw": 0}}
        for label, mask in marks.items():
            for n, i in enumerate(np.flatnonzero(mask)):
                ax.axvspan(edges[i], edges[i + 1], label=label if n == 0 else None, **styles[label])
        ax.text(0.03, 0.95, "Luttinger liquid", transform=ax.transAxes, va="top", fontsize=10, weight="bold",
                path_effects=label_effects())
        ax.set_xlabel(r"incommensurability cutoff $\ell^* = \ln[1/((k_F+k)\alpha_0)]$")
        ax.set_ylabel(r"temperature $T/\Lambda$")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
        a = ds.attrs
        ax.set_title(f"Fig. 5: $y_s^0$={a['ys0']:g}, $y^0$={a['y0']:g}, $K_c^0$={a['Kc0']:g}, $K^0$={a['K0']:g}, "
                     f"$\\upsilon$={a['upsilon']:g}, $\\chi$={a['chi']:g} ({a['flow']}, {a['scheme']})", fontsize=9)
        return save_figure(fig, path)


# --------------------------------------------------------------------------------------------------- Fig. 8

def fig8_data(mu: float = FIG8_MU, n_k: int = 801, k_max: float = 2e7):
    """Fig. 8: the eight bands of Eq. (A2) (meV) on ``n_k`` momenta up to ``k_max`` (1/m, as
    :mod:`pairing1d.devices.cnt`
    works in SI) at the caption's nanotube; the dataset's momenta are in 1/nm, the package's unit on every surface."""
    import xarray as xr

    from .. import __version__
    from ..devices.cnt import FIG8, bands, crossing

    k = np.linspace(-k_max, k_max, n_k)
    spectrum = bands(FIG8, mu, k)
    keys = list(spectrum)
    found = crossing(FIG8, mu)
    return xr.Dataset(
        {"energy": (("band", "k"), np.array([spectrum[b] for b in keys]),
                    {"long_name": "E_{sigma nu} - mu, Eq. (A2)", "units": "meV"})},
        coords={"k": ("k", k * 1e-9, {"units": "nm-1", "long_name": "momentum along the tube"}),
                "sigma": ("band", [b[0] for b in keys]), "nu": ("band", [b[1] for b in keys]),
                "branch": ("band", [b[2] for b in keys])},
        attrs={"figure": "Fig. 8", "pairing1d_version": __version__, "mu_meV": mu, "vF_m_per_s": FIG8.vF,
               "delta0_meV": FIG8.delta0,
               "delta_so_meV": FIG8.delta_so, "delta_phi_meV": FIG8.delta_phi,
               "bands_crossing": found.bands_crossing,
               "k_fermi_per_nm": found.k_fermi * 1e-9 if found.k_fermi is not None else "none"},
    )


def draw_fig8(ds, path: str | Path) -> Path:
    """Fig. 8: the nanotube spectrum at the caption's parameters (spin by colour, valley by line style)."""
    import matplotlib.pyplot as plt

    from ..devices.cnt import CNT
    from ..devices.device_plots import draw_cnt_bands
    from ..plotting import STYLE, save_figure

    a = ds.attrs
    cnt = CNT(vF=a["vF_m_per_s"], delta0=a["delta0_meV"], delta_so=a["delta_so_meV"], delta_phi=a["delta_phi_meV"])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(4.6, 3.8), layout="constrained")
        draw_cnt_bands(ax, cnt, a["mu_meV"], float(np.max(ds["k"])) * 1e9)  # the dataset's 1/nm, the bands' 1/m
        return save_figure(fig, path)


# ------------------------------------------------------------------------------------------------ all of them

@dataclass(frozen=True)
class Reproduction:
    """What :func:`reproduce` wrote: the folder, the scheme, the resolution and every file by figure."""

    out: Path
    scheme: str
    resolution: int
    flow: str = "consistent"
    files: dict[str, list[Path]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "scheme": self.scheme, "flow": self.flow, "resolution": self.resolution,
                "files": {k: [str(p) for p in v] for k, v in self.files.items()}, "seconds": self.seconds}


FIGURES = ("fig3", "fig4", "fig5", "fig8", "table1", "statements")
"""What :func:`reproduce` writes, in order."""


def reproduce(
    out: str | Path, scheme: str = "cic", resolution: int = 128,
    progress: Callable[[str, int, int], None] | None = None, flow: str = "consistent",
) -> Reproduction:
    """Write Fig. 3, 4, 5, 8 (PNG, PDF and NetCDF each), Table I (Markdown) and the paper's statements measured
    under ``scheme`` (``statements.md``, ``statements.json``; :mod:`pairing1d.paper.claims`) into ``out``.

    Each figure's files are written as soon as it is computed, so an interrupted run keeps what it finished;
    ``progress(name, done, total)`` is called before each figure and once at the end.
    """
    import time

    from ..engine.sweep import save_netcdf
    from ..support.files import make_folder, write_text
    from ..theory.transport import table_one

    _check(scheme, resolution, flow)
    out = make_folder(out)  # before any computation: a folder that cannot be made fails in a second, not minutes
    makers = {
        "fig3": (lambda: fig3_data(scheme, resolution, flow=flow), draw_fig3),
        "fig4": (lambda: fig4_data(scheme, resolution, flow=flow), draw_fig4),
        "fig5": (lambda: fig5_data(scheme, resolution, flow=flow), draw_fig5),
        "fig8": (fig8_data, draw_fig8),
    }
    result = Reproduction(out=out, scheme=scheme, resolution=resolution, flow=flow)
    computed: dict[str, Any] = {}
    for i, name in enumerate(FIGURES):
        if progress is not None:
            progress(name, i, len(FIGURES))
        started = time.perf_counter()
        # every file goes through write_atomically (folder created, a complete file renamed into place): a full
        # disk is one WriteError line and leaves the files of an earlier run as they were
        if name == "table1":
            result.files[name] = [write_text(out / "table1.md",
                                             "Table I (generated by pairing1d.theory.transport.table_one)"
                                             "\n\n" + table_one() + "\n")]
        elif name == "statements":
            result.files[name] = _write_statements(out, scheme, computed.get("fig3"), flow)
        else:
            compute, draw = makers[name]
            ds = computed[name] = compute()
            data = save_netcdf(ds, out / f"{name}.nc")
            result.files[name] = [draw(ds, out / f"{name}.png"), draw(ds, out / f"{name}.pdf"), data]
        result.seconds[name] = time.perf_counter() - started
    if progress is not None:
        progress("done", len(FIGURES), len(FIGURES))
    return result


def _write_statements(out: Path, scheme: str, fig3=None, flow: str = "consistent") -> list[Path]:
    """The paper's statements measured under ``scheme`` and ``flow`` (:mod:`pairing1d.paper.claims`), as Markdown and
    JSON."""
    import json

    from .. import __version__
    from ..support.files import write_text
    from .claims import claims_markdown, evaluate

    claims = evaluate(scheme, fig3, flow=flow)
    md = write_text(out / "statements.md", f"Statements of the paper under the `{flow}` flow and the `{scheme}` "
                    f"cutoff scheme (pairing1d {__version__})\n\n" + claims_markdown(claims) + "\n")
    js = write_text(out / "statements.json", json.dumps([c.to_dict() for c in claims], indent=1, default=str) + "\n")
    return [md, js]
