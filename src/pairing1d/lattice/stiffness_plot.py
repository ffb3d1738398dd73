r"""The figure of the spin-stiffness study: :math:`\kappa(L)` of every point with the controls beside it, and the gap
ratio :math:`\Delta_s/\Delta_{\rm ref}` (``pairing1d lattice report STORE --plot FIG``)."""

from __future__ import annotations

from pathlib import Path

from .params import LatticeError
from .stiffness_study import StiffnessStudy

__all__ = ["plot_stiffness_study"]


def _series(ax, chain, attr: str, style: str, colour, label: str, absolute: bool = False) -> None:
    readings = chain.readings_abs if absolute and chain.readings_abs else chain.readings
    rows = [r for L, r in sorted(readings.items()) if getattr(r, attr) is not None]
    if not rows:
        return
    ax.errorbar([r.L for r in rows], [getattr(r, attr) for r in rows],
                yerr=[getattr(r, attr + "_error") or 0.0 for r in rows], fmt=style, color=colour, capsize=3,
                ms=4, lw=1.2, label=label)


def plot_stiffness_study(study: StiffnessStudy, path: str | Path) -> Path:
    r"""Left: :math:`\kappa(L)` of the coupled points (solid; open symbols: against the free chain where the reference
    is a chain alone), the attractive and repulsive controls alone against the free chain (dashed), the free chain's
    DMRG check (grey) and the RG's :math:`\kappa_{\rm RG}(L)` of the default flow (dotted); right: the gap ratio.
    The rule reads the three longest lengths. PNG or PDF by suffix."""
    import matplotlib.pyplot as plt

    from ..plotting import STYLE, save_figure

    if not study.points and not study.controls:
        raise LatticeError("the study holds no chain with its reference at any length yet")
    path = Path(path)
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(10.0, 5.6), layout="constrained")
        cmap = plt.get_cmap("viridis")
        for i, p in enumerate(study.points):
            colour = cmap(0.15 + 0.7 * i / max(1, len(study.points) - 1))
            tag = f"{p.label}: {p.verdict.label}"
            for ax, attr in ((left, "kappa"), (right, "ratio")):
                _series(ax, p, attr, "o-", colour, tag)
                if p.readings_abs:
                    _series(ax, p, attr, "o:", colour, f"{p.label} vs free chain", absolute=True)
            rg = study.rg.get(p.label, {}).get("paper", {}).get("consistent/cic", {})
            kap = {int(L): k for L, k in (rg.get("kappa") or {}).items() if k is not None}
            if kap:
                left.plot(sorted(kap), [kap[L] for L in sorted(kap)], ":", color=colour, lw=1.0,
                          label=f"RG consistent/cic, U={p.U:g}")
        reds = plt.get_cmap("autumn")
        for j, c in enumerate(study.controls):
            colour = "tab:blue" if c.U > 0 else reds(0.8 * j / max(1, len(study.controls) - 1))
            for ax, attr in ((left, "kappa"), (right, "ratio")):
                _series(ax, c, attr, "s--", colour, f"control: {c.label}: {c.verdict.label}")
        for c in study.checks:
            for ax, attr in ((left, "kappa"), (right, "ratio")):
                _series(ax, c, attr, "x-", "0.5", f"check: {c.label} (DMRG vs exact)")
        for ax in (left, right):
            ax.axhline(1.0, color="k", lw=0.7)
            ax.set_xlabel("L (cells)")
        left.set_ylabel(r"$\kappa(L) = S_s(q_1)/S_s^{\rm ref}(q_1)$")
        right.set_ylabel(r"$\Delta_s(L)/\Delta_{\rm ref}(L)$")
        for ax in (left, right):  # below the axes: the curves stay visible
            ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=2, frameon=False)
        p0 = study.points[0] if study.points else study.controls[0]
        fixed = ", ".join(f"{k}={v:g}" for k, v in sorted(p0.couplings.items()) if k not in ("U", "t") and v)
        fig.suptitle(f"Spin stiffness: {fixed}, n={p0.n:g}, ns={p0.ns:.4g}; controls: Hubbard chains alone "
                     "(DMRG, largest chi; error bars: two-chi change)", fontsize=8)
        save_figure(fig, path)
    return path
