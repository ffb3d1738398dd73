"""The page's words: the introduction, the axis titles, the map's caption and status line and the clicked device's
table (:func:`~pairing1d.explorer.text.legend_html`, :func:`~pairing1d.explorer.text.status_markdown`,
:func:`~pairing1d.explorer.text.point_markdown`), free of widgets so that they can be read and tested alone."""

from __future__ import annotations

import numpy as np

from ..plotting import PHASE_COLOURS
from ..theory.ensemble import CERTAINTIES
from ..theory.model import SCHEMES
from ..theory.phases import PHASES
from ..theory.trion import sc_threshold
from .compute import Point
from .render import paired_palette

__all__ = ["AXIS_TITLES", "PHASE_WORDS", "ORDER_WORDS", "INTRO", "legend_html", "point_markdown", "status_markdown",
           "device_scales"]

AXIS_TITLES = {
    "exp_neg_lstar": "exp(−l*) ∝ (kF + k)·α0   (density mismatch, Eq. 15)", "lstar": "l*  (Eq. 15)",
    "y0": "bare inter-wire backscattering y⁰", "ys0": "bare spin fugacity ys⁰", "K0": "secondary Luttinger K⁰",
    "Kc0": "primary charge Luttinger Kc⁰", "upsilon": "forward coupling υ (Eq. 14)", "u_ratio": "velocity ratio u/uc",
    "chi": "cutoff width χ", "y2": "bare y₂⁰", "lstar2": "l*₂ (Eq. 15)", "theta": "relative phase θ",
    "lmass": "mass cutoff l_m (Eq. B1)", "lmax": "lmax = ln(Λ/T)", "temperature": "T/Λ", "y_strong": "y_strong",
    "upsilon_theta": "forward coupling υθ (V_θ; line of Eq. 13: −(u/uc)υ)",
}
"""Axis titles of the map, in words a reader of the abstract can follow."""

PHASE_WORDS = {
    "decoupled": "decoupled: the primary wire stays a gapless Luttinger liquid",
    "paired": "paired: a spin gap opens, electrons bind into pairs (from repulsion only)",
    "trion": "trion: an electron pair binds a carrier of the secondary wire",
    "triplet": "triplet: a spin gap of S_z = 0 triplet / SDW_z type opens (ys runs to +1, e.g. θ = π)",
    "undetermined": "undetermined: |y1| reached strong coupling without locking, and whether the spin gap survives "
                    "depends on the vertex beyond the perturbative range",
}

ORDER_WORDS = {
    "CDW": "CDW of pairs", "SC": "singlet SC (pairs)", "SDW": "SDW_z (spin-density wave)",
    "TS": "triplet SC (S_z = 0 pairs)",
}
"""The dominant orders in words, in the spin-gapped phases (in the trion phase: of the trion composite)."""

INTRO = """\
## pairing1d explorer: electron pairing from repulsion (Shavit & Oreg, PRR 2, 043283)
A repulsive spinful wire (the **primary**) sits next to a strongly correlated spinless wire (the **secondary**);
they interact only through their charge densities. Each pixel of the map is one such device, and its fate comes
from the renormalization-group flow of Eq. (16): **decoupled** (grey), **paired** (coloured by the spin gap:
electron pairs from repulsion), **trion** (purple: a pair binds a carrier of the secondary) or **triplet** (orange:
a spin gap of S_z = 0 triplet / SDW_z type, e.g. at θ = π). Every verdict comes with its certainty: the phase under
18 defensible variants of the second-order theory (regulator, strong-coupling threshold, velocity convention,
truncation); where they disagree the pixel is **undetermined** (dark grey), where only two thirds agree it is
**dotted**. **Hatched** pixels are verdicts that are not controlled: they rest on a coupling beyond y_strong (the
printed cutoff scheme lets y1 grow past l*).
Open a group of controls on the left, move a slider or type a value; **click the map** to see that device's flow and
its verdict under every cutoff scheme on the right. The folded sections are built when first opened.
"""

_HATCH_CSS = ("background:repeating-linear-gradient(135deg,#686868 0 2px,#e8e8e8 2px 7px);padding:0 8px;"
              "border:1px solid #999")


_PAIRED_HEX = ["#{:02x}{:02x}{:02x}".format(*c) for c in paired_palette()]
"""The paired phase's colour map (:func:`pairing1d.plotting.paired_colormap`) as Bokeh hex colours."""
_PAIRED_BAR = ("background:linear-gradient(90deg," + ",".join(_PAIRED_HEX[::32] + [_PAIRED_HEX[-1]])
               + ");padding:0 40px;border:1px solid #999")


def legend_html(flow: str, scheme: str, paired_range: tuple[float, float] | None = None) -> str:
    """The map's caption: the colours of the four phases, the hatching, the boundaries and markers, and which flow
    and cutoff scheme drew the map. ``paired_range``, the log10 of the smallest and largest spin gap of the map's
    paired pixels, puts numbers on the paired colour bar (the map's colour bar: light green at the smallest gap,
    dark at the largest)."""
    if paired_range is None:
        paired = (f"<span style='{_PAIRED_BAR}'>&nbsp;</span> paired (colour bar: log10 spin gap Δs/Λ; none on "
                  "this map) &nbsp; ")
    else:
        lo, hi = paired_range
        paired = (f"paired, colour bar log10 spin gap Δs/Λ: {lo:.3g} <span style='{_PAIRED_BAR}'>&nbsp;</span> "
                  f"{hi:.3g} &nbsp; ")
    return (
        f"<span style='background:{PHASE_COLOURS['decoupled']};padding:0 8px;border:1px solid #999'>&nbsp;</span> "
        "decoupled &nbsp; " + paired +
        f"<span style='background:{PHASE_COLOURS['trion']};padding:0 8px'>&nbsp;</span> trion &nbsp; "
        f"<span style='background:{PHASE_COLOURS['triplet']};padding:0 8px'>&nbsp;</span> triplet / SDW_z spin gap "
        f"&nbsp; <span style='background:{PHASE_COLOURS['undetermined']};padding:0 8px'>&nbsp;</span> undetermined "
        "(the verdict ensemble or the strong-coupling step cannot decide) &nbsp; dotted: leaning (2/3 of the "
        f"ensemble) &nbsp; <span style=\"{_HATCH_CSS}\">&nbsp;</span> hatched: not controlled &nbsp; "
        "black lines: phase boundaries &nbsp; ✕ clicked device &nbsp; ★ nanotube device"
        f"<br>flow <b>{flow}</b>, cutoff scheme <b>{scheme}</b>"
    )


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def device_scales(result) -> str:
    """A device's scales in words: its spin gap and order, its trion scale, or why it has none."""
    trust = "" if result.controlled else " (not controlled: it rests on a coupling beyond y_strong)"
    if result.phase == "paired":
        return f": spin gap Δs = {_fmt(result.spin_gap)} Λ, {result.dominant_order} dominates{trust}"
    if result.phase == "triplet":
        return (f": triplet / SDW_z spin gap Δs = {_fmt(result.spin_gap)} Λ, {result.dominant_order} "
                f"dominates{trust}")
    if result.phase == "trion":
        return f": trion scale {_fmt(result.trion_scale)} Λ, {result.dominant_order} dominates"
    if result.phase == "undetermined":
        return ": the strong-coupling step cannot decide (no phase is claimed)"
    return f": no gap{trust}"


def _spin_gap_row(r) -> str:
    if r.spin_gap is None:
        return "none"
    if r.spin_gap_type == "triplet":
        return f"{_fmt(r.spin_gap)}, triplet / SDW_z (ys = +1 at l = {_fmt(r.flow.l_runaway, 4)})"
    return f"{_fmt(r.spin_gap)}, singlet (l̄ = {_fmt(r.l_bar, 4)})"


def _verdicts_row(r) -> str:
    """The phase under every cutoff scheme, the page's own in bold."""
    verdicts = r.verdict_by_scheme
    return ", ".join(f"**{s}: {verdicts[s]}**" if s == r.model.scheme else f"{s}: {verdicts[s]}" for s in SCHEMES)


def _trion_row(r) -> str:
    if r.phase == "trion":
        return f"{_fmt(r.trion_scale)} (l̄̄ = {_fmt(r.l_bbar, 4)})"
    if r.l_bbar is not None:  # |y1| got strong only after l*: the mismatch had already cut it off
        return f"none: |y1| reached y_strong at l̄̄ = {_fmt(r.l_bbar, 4)}, after l* = {_fmt(r.model.lstar_eff, 4)}"
    return "none"


def point_markdown(point: Point) -> str:
    """The flow panel's text: where the device is, its phase in words, whether the verdict is controlled, the
    verdict under every cutoff scheme, its scales and order, the notes and its Table I row."""
    r, m = point.result, point.model
    control = "controlled" if r.controlled else f"**not controlled**: {r.uncontrolled_reason}"
    if r.phase == "trion":
        order = f"{r.dominant_order} of the trion composite (K_f vs {sc_threshold(m.vertex_charge):g})"
    elif r.dominant_order:
        order = f"{r.dominant_order} — {ORDER_WORDS[r.dominant_order]}"
    else:
        order = "none (gapless)"
    counts: dict[str, int] = {}
    for phase in r.ensemble.values():
        counts[phase] = counts.get(phase, 0) + 1
    members = ", ".join(f"{p} {n}" for p, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    rows = [
        ("phase", f"**{r.phase}** — {PHASE_WORDS[r.phase].split(': ', 1)[1]}"),
        ("certainty", f"**{r.certainty}**: {100 * r.agreement:.0f} % of the {len(r.ensemble)} members of the verdict "
                      f"ensemble agree ({members})"),
        ("control", control),
        ("verdict by scheme", _verdicts_row(r)),
        ("spin gap Δs/Λ", _spin_gap_row(r)),
        ("trion scale/Λ", _trion_row(r)),
        ("dominant order", order),
    ]
    if r.phase == "paired":
        rows.append(("χ exponents", f"CDW {r.chi_cdw_exponent:.3g}, SC {r.chi_sc_exponent:.3g} (Eq. 18)"))
    elif r.phase == "triplet":
        rows.append(("χ exponents", f"SDW_z {r.chi_cdw_exponent:.3g}, triplet SC {r.chi_sc_exponent:.3g}"))
    elif r.phase == "trion":
        rows.append(("K_f", f"{r.Kf:.4g} (Eq. 20: {r.Kf_eq20:.4g}); SC iff K_f > {sc_threshold(m.vertex_charge):g}"))
    line13 = " (line of Eq. 13)" if m.upsilon_theta is None else ""
    rows.append(("l* (effective), Q, υθ", f"{m.lstar_eff:.4g}, {m.Q:.3g}, {m.upsilon_theta_eff:.3g}{line13}"))
    rows.append(("flow, scheme", f"{m.flow}, {m.scheme}"))
    for note in r.notes:
        if note != r.uncontrolled_reason:  # already in the control row
            rows.append(("note", note))
    sig = point.table_row
    if sig is None:
        rows.append(("Table I", "not derived for a trion with vertex charge 1 (Mott ladder)"))
    else:
        s = sig.to_dict()
        rows.append(("Table I row", f"tunnelling: {s['tunneling']}; G = {s['conductance_fraction']} e²/h; "
                                    f"cross G = {s['cross_conductance_fraction']} e²/h; "
                                    f"G (floating secondary) = {s['floating_conductance_fraction']} e²/h"))
    table = "\n".join(f"| {k} | {v.replace('|', chr(92) + '|')} |" for k, v in rows)  # |y1| must not split a cell
    return f"### Device at {point.describe()}\n\n| | |\n|---|---|\n{table}\n"



def status_markdown(ds, model, seconds: float) -> str:
    """The line under the map: its size, the time it took, the share of each phase, of each certainty and of the
    verdicts that are not controlled, and the flow, scheme and tolerance that drew it."""
    reported = ds["phase"].values  # the shares of the verdicts as computed (the map draws the unsupported grey)
    ny, nx = reported.shape
    shares = " · ".join(f"{name} {100 * np.mean(reported == code):.0f} %" for code, name in enumerate(PHASES))
    sure = " · ".join(f"{c} {100 * np.mean(ds['certainty'].values == k):.0f} %" for k, c in enumerate(CERTAINTIES))
    loose = (ds["controlled"].values == 0) & (reported != PHASES.index("undetermined"))
    return (f"**{ny} × {nx} map** in {1e3 * seconds:.0f} ms — {shares} — certainty: {sure} — "
            f"not controlled {100 * np.mean(loose):.0f} % "
            f"(flow {model.flow}, scheme {model.scheme}, tolerance {ds.attrs['rtol']:g})")
