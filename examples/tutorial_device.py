#!/usr/bin/env python
r"""From a device's physical parameters to its phase, its gaps, its signatures and where to tune it.

A walk-through of ``pairing1d`` for a new user, meant to be read top to bottom and run as

    python examples/tutorial_device.py [--out DIR]        # default DIR: tutorial-output/

The device is the one of Shavit & Oreg, *Electron pairing induced by repulsive interactions in tunable
one-dimensional platforms*, Phys. Rev. Research 2, 043283 (2020) (equation, figure and table numbers below are
the paper's): a spinful semiconductor wire (the *primary* wire) runs next to a gated carbon nanotube (the
*secondary* system). The nanotube is tuned, by an axial magnetic flux and a gate, so that a single spin- and
valley-polarized band crosses its Fermi level (Appendix A, Fig. 8): it is then a spinless, strongly interacting
Luttinger liquid. The two wires only repel each other, through their charge densities (Eq. 6).

The script goes through four steps and prints what it finds:

1. physical inputs -> the bosonized model: the nanotube's Fermi momentum at the gate voltage, the
   incommensurability cutoff l* (Eq. 15), the couplings y0, upsilon, Q (Eq. 6, 13, 14);
2. the device's fate under the controlled RG (the package's default; the paper's Eq. (16) beside it): decoupled,
   paired or trion; its gaps in kelvin; CDW or SC (Eq. 18); whether the verdict is under control;
3. its experimental signatures: Table I (tunnelling, two-terminal and cross conductance, Appendix D) and the
   crossover scale of a single impurity (Sec. II C 2);
4. where to tune it: a phase map over (e^{-l*}, y0) at three temperatures (Fig. 4), and a scan of the nanotube's
   gate voltage that gives the gate windows of the paired and trion phases at zero and at finite temperature
   (Fig. 5).

It writes, into the output folder: ``cnt_bands.png`` (Fig. 8 for this nanotube), ``flow.png`` (the device's RG
flow), ``phase_map.png`` (Fig. 4 around the device), ``gate_scan.png`` (the gate voltage scan, Fig. 5 in kelvin)
and ``summary.json`` (every number printed below). Edit :class:`DeviceInputs` to study another device.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pairing1d import PHASES, Model, PhaseResult, phase_of
from pairing1d.cnt import CNT, HBAR_MEV_S, crossing
from pairing1d.engine import run_batch
from pairing1d.model import upsilon_from_coupling
from pairing1d.plotting import STYLE, plot_cnt, plot_flow, plot_phase_map, save_figure
from pairing1d.sweep import sweep
from pairing1d.transport import impurity_crossover, impurity_dimension, impurity_scales, signatures, table_one
from pairing1d.trion import trion_sector_of_model, trion_verdict

K_B_MEV_PER_K = 8.617333262e-2
"""Boltzmann constant in meV/K (CODATA 2018): energies in units of the bandwidth are quoted in kelvin."""

PHASE_COLOURS = {"decoupled": "#e8e8e8", "paired": "#9ccc65", "trion": "#b39ddb", "triplet": "#ffcc80"}


# =====================================================================================================================
# 0. The device, as an experimentalist would describe it
# =====================================================================================================================


@dataclass(frozen=True)
class DeviceInputs:
    """Physical parameters of the device: SI units, energies in meV. Every number of the tutorial follows from these.

    The nanotube is the one of the Fig. 8 caption. The primary wire is a low-density semiconductor wire (an
    InAs-like wire with about two electrons per micron); its Fermi momentum is close to the nanotube's, which is
    what makes the backscattering coupling y of Eq. (12) survive the RG (Eq. 15). The Luttinger parameters are
    inputs: the primary wire is weakly repulsive (Kc < 1, ys0 > 0), the nanotube strongly so (K = 0.3), which is
    what the mechanism needs (Sec. II B 2).
    """

    # the nanotube, Eq. (A1)-(A2): Fermi velocity (m/s), curvature gap, spin-orbit and flux energies (meV)
    cnt_vF: float = 8.0e5
    cnt_delta0: float = 4.0
    cnt_delta_so: float = 1.0
    cnt_delta_phi: float = 0.5
    mu_gate: float = -3.05  # the nanotube's chemical potential, set by its gate (meV)
    # the primary wire
    kF_primary: float = 3.0e6  # Fermi momentum, 1/m
    alpha0: float = 1.0 / 3.0e6  # short-distance cutoff alpha0 ~ 1/kF (Eq. 15), m
    v_spin: float = 3.0e5  # spin velocity, m/s: it sets the bandwidth Lambda ~ v_s/alpha0 (Sec. II B 1)
    uc: float = 3.3e5  # charge velocity, m/s
    Kc: float = 0.9  # charge Luttinger parameter (Eq. 9)
    ys0: float = 0.1  # spin fugacity g_s/(pi u_s) > 0: repulsion (Eq. 10)
    # the nanotube as a Luttinger liquid (Eq. 11)
    u_sec: float = 4.0e5  # charge velocity, m/s
    K_sec: float = 0.3  # Luttinger parameter
    # the capacitive coupling of Eq. (6), short-ranged: V in meV nm (an energy times a length)
    V: float = 200.0
    # RG: width of the smooth incommensurability cutoff (after Eq. 16f; the value of Fig. 4)
    chi: float = 1.5
    # signatures: a single impurity of strength g_imp (units of Lambda) in the primary wire (Sec. II C 2)
    g_imp: float = 0.1
    # temperatures at which to ask whether the gap is visible (K), and the experiment's base temperature
    temperatures: tuple[float, ...] = (1.0, 0.3, 0.1, 0.03, 0.01)
    T_base: float = 0.03
    cnt: CNT = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cnt", CNT(self.cnt_vF, self.cnt_delta0, self.cnt_delta_so, self.cnt_delta_phi))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("cnt")
        return out

    @property
    def V_over_hbar(self) -> float:
        """The coupling V/hbar in m/s: with hbar = 1, Eq. (6)'s V is a velocity, like u and uc."""
        return self.V * 1e-9 / HBAR_MEV_S

    @property
    def bandwidth_meV(self) -> float:
        """The bandwidth Lambda = hbar v_s / alpha0 (Sec. II B 1: Delta_s ~ Lambda e^{-l_bar}, Lambda ~ v_s/alpha0)."""
        return HBAR_MEV_S * self.v_spin / self.alpha0

    @property
    def bandwidth_K(self) -> float:
        return self.bandwidth_meV / K_B_MEV_PER_K


def device_model(d: DeviceInputs, mu: float | None = None, **changes: Any) -> Model:
    """The :class:`pairing1d.Model` of the device at gate voltage ``mu`` (meV; default: the device's).

    The gate enters only through the nanotube's Fermi momentum, hence through the cutoffs l*_1, l*_2 of Eq. (15);
    everything else comes from Eq. (6) via :meth:`Model.from_density_coupling`.
    """
    band = crossing(d.cnt, d.mu_gate if mu is None else mu)
    if not band.single_band:
        raise SystemExit(f"mu = {band.mu:g} meV leaves {band.bands_crossing} nanotube bands at the Fermi level; "
                         "the secondary must be a single (spinless) band: choose mu in a single-band window")
    return Model.from_density_coupling(
        d.V_over_hbar, u=d.u_sec, uc=d.uc, Kc=d.Kc, K=d.K_sec,
        kF=d.kF_primary, k=band.k_secondary, alpha0=d.alpha0, ys0=d.ys0, chi=d.chi, **changes,
    )


def in_kelvin(d: DeviceInputs, energy: float | None) -> float | None:
    """An energy in units of the bandwidth, in kelvin (None stays None: no gap)."""
    return None if energy is None else energy * d.bandwidth_K


def energy_str(d: DeviceInputs, energy: float) -> str:
    """An energy in units of Lambda, also in mK (or 'none' / 'never in practice' when zero or absurdly small)."""
    if energy == 0:
        return "none (irrelevant)"
    if energy < 1e-6:
        return f"{energy:.2g} Lambda (never in practice)"
    return f"{energy:.3g} Lambda = {energy * d.bandwidth_K * 1e3:.3g} mK"


def heading(text: str) -> None:
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}")


def fmt_window(windows: list[list[float]]) -> str:
    return ", ".join(f"[{lo:+.3f}, {hi:+.3f}]" for lo, hi in windows) or "none"


# =====================================================================================================================
# 1. From physical inputs to the bosonized model
# =====================================================================================================================


def step1_model(d: DeviceInputs, out: Path) -> tuple[Model, dict[str, Any]]:
    """The nanotube's band at the gate voltage, l* of Eq. (15), and the couplings of Eq. (6), (13), (14)."""
    heading("1. From physical inputs to the model")
    # --- The nanotube (Appendix A). Spin-orbit coupling and an axial flux split the four spin-valley bands of the
    # nanotube by m = |nu Delta_0 + sigma Delta_so + Delta_Phi| (Eq. A2). A gate voltage mu between the two smallest
    # gaps leaves exactly one spin- and valley-polarized band at the Fermi level: a spinless wire. For mu < 0 the
    # band is hole-like, so its Fermi momentum enters Eq. (12) as k = -k_F,sec: g1 carries the momentum
    # k_+ = kF + k, which is small when the two densities match. That is the case the paper studies (Sec. II B).
    band = crossing(d.cnt, d.mu_gate)
    gaps = d.cnt.gaps()
    print("nanotube band gaps m_(sigma,nu) [meV]: "
          + ", ".join(f"({s:+d},{v:+d}) {m:.2f}" for (s, v), m in sorted(gaps.items(), key=lambda kv: kv[1])))
    if not band.single_band:
        raise SystemExit(f"at mu = {d.mu_gate} meV {band.bands_crossing} bands cross: not a spinless secondary")
    kind = "hole-like" if band.hole_like else "particle-like"
    print(f"gate mu = {d.mu_gate:+.3f} meV: one {kind} band (sigma={band.sigma:+d}, nu={band.nu:+d}) crosses, "
          f"k_F,sec = {band.k_fermi * 1e-6:.4f} /um (Fig. 8, Eq. A2)")
    cnt_png = plot_cnt(d.cnt, d.mu_gate, out / "cnt_bands.png")

    # --- Eq. (15): the mismatch of the Fermi momenta, seen at the RG time l* = ln[1/((kF + k) alpha0)]. Below the
    # energy Lambda e^{-l*} the g1 cosine oscillates and stops acting; the closer the densities, the larger l*.
    lstar1, lstar2 = band.lstar(d.kF_primary, d.alpha0)
    mismatch = d.kF_primary + band.k_secondary
    print(f"primary k_F = {d.kF_primary * 1e-6:.4f} /um, alpha0 = {d.alpha0 * 1e9:.1f} nm: "
          f"(kF + k) alpha0 = {mismatch * d.alpha0:+.4f}")
    print(f"  -> l*_1 = {lstar1:.4f} (e^-l* = {math.exp(-lstar1):.4f}),  l*_2 = {lstar2:.4f}  (Eq. 15)")

    # --- Eq. (6): a short-range density-density repulsion V gives the forward coupling V_phi = sqrt2 V and the
    # backscattering g1 = g2 = V/2, i.e. y0 = V/(pi (uc + u)). The forward part is removed by the rotation of
    # Sec. II B (line Eq. 13), which leaves the dimensionless upsilon (Eq. 14, with the sqrt(Kc K) definition of
    # docs/physics.md Sec. 4), the mixing Q, and the rotated Luttinger parameters Kc~, K~ (Eq. 14a,b).
    model = device_model(d)
    upsilon = upsilon_from_coupling(math.sqrt(2.0) * d.V_over_hbar, d.u_sec, d.uc, d.Kc, d.K_sec)
    print(f"coupling V = {d.V:g} meV nm = hbar x {d.V_over_hbar:.4g} m/s; uc = {d.uc:.3g} m/s, u = {d.u_sec:.3g} m/s")
    print(f"  -> y0 = y2 = {model.y0:.4f},  upsilon = {model.upsilon:.4f} (upsilon_from_coupling: {upsilon:.4f}),  "
          f"Q = {model.Q:.4f}")
    print(f"  -> Kc~0 = {model.Kc_tilde0:.4f},  K~0 = {model.K_tilde0:.4f}  (Eq. 14a,b); u/uc = {model.u_ratio:.4f}")
    print(f"bandwidth Lambda = hbar v_s/alpha0 = {d.bandwidth_meV:.4f} meV = {d.bandwidth_K:.3f} K "
          "(the unit of every energy below)")
    info = {
        "secondary": band.to_dict() | {"k_secondary": band.k_secondary, "gaps_meV": {f"{s:+d},{v:+d}": m
                                                                                  for (s, v), m in gaps.items()}},
        "lstar": lstar1, "lstar2": lstar2, "exp_neg_lstar": math.exp(-lstar1),
        "model": model.to_dict(), "upsilon_from_coupling": upsilon,
        "bandwidth_meV": d.bandwidth_meV, "bandwidth_K": d.bandwidth_K, "files": [cnt_png.name],
    }
    return model, info


# =====================================================================================================================
# 2. The device's phase, its gaps and its dominant order
# =====================================================================================================================


def step2_phase(d: DeviceInputs, model: Model, out: Path) -> tuple[dict[str, Any], PhaseResult]:
    """Run the RG, classify (Fig. 4 caption), quote the gaps in kelvin, compare with the paper's Eq. (16)."""
    heading("2. Phase, gaps and dominant order (controlled flow; Fig. 4 caption, Eq. 18)")
    # --- The RG is a race. The backscattering y is relevant because the nanotube is strongly interacting (small
    # K~) and Q lowers its dimension (Eq. 16c); its square drives the spin fugacity ys down (Eq. 16a).
    # If ys reaches -1 (at l_bar) the spin sector is gapped: electrons pair, Delta_s = Lambda e^{-l_bar}.
    # If y reaches strong coupling (at l_bbar) before the mismatch cuts it off, a pair binds a nanotube hole: the
    # trion phase. The default flow ('consistent', scheme 'cic') lets each vertex's mismatch flow
    # (commensurate-incommensurate RG) and drops the vertex once the mismatch is seen, so no verdict rests on a
    # coupling beyond strong coupling; docs/physics.md derives it.
    result = phase_of(model)
    r = result.to_dict()
    trust = "controlled" if result.controlled else "NOT controlled: " + result.uncontrolled_reason
    print(f"phase: {result.phase.upper()}   (l* = {model.lstar_eff:.3f}, l_bar = {_num(result.l_bar)}, "
          f"l_bbar = {_num(result.l_bbar)}, flow '{model.flow}', scheme '{model.scheme}'; {trust})")
    gap_K, trion_K = in_kelvin(d, result.spin_gap), in_kelvin(d, result.trion_scale)
    if result.spin_gap is not None:
        print(f"spin gap ({result.spin_gap_type}) Delta_s = Lambda e^-l_gap = {result.spin_gap:.4g} Lambda = "
              f"{result.spin_gap * d.bandwidth_meV * 1e3:.4g} ueV = {gap_K * 1e3:.4g} mK")
    if result.trion_scale is not None:
        note = "" if result.phase == "trion" else " (y became strong only after the cutoff: no trion phase)"
        print(f"trion scale Lambda e^-l_bbar = {result.trion_scale:.4g} Lambda = {trion_K * 1e3:.4g} mK" + note)
    # --- Which order wins (Sec. II C 2). With the spin gapped (Ks -> 0), the CDW of pairs e^{i sqrt2 phi_c} and the
    # pair operator e^{i sqrt2 theta_c} compete; on the line of Eq. (13) their exponents are Kc~ + Q^2 K~ - 2 and
    # 1/Kc~ - 2 (Eq. 18). This device's coupling is a pure density coupling (V_theta = 0, off that line): the
    # exponents come from the exact Gaussian theory. In the trion phase SC needs Kf > 3 (Eq. 20, 21).
    if result.phase in ("paired", "triplet"):
        print(f"dominant order: {result.dominant_order}  (exponents: density wave ~ w^{result.chi_cdw_exponent:.3f}, "
              f"pairs ~ w^{result.chi_sc_exponent:.3f}; the more negative wins)")
    elif result.phase == "trion":
        print(f"dominant order: {result.dominant_order}  (trion liquid with Kf = {result.Kf:.4f}, Eq. (20) gives "
              f"{result.Kf_eq20:.4f}; SC needs Kf > 3)")
    else:
        print("dominant order: none (gapless spinful Luttinger liquid)")
    flow_png = plot_flow(result, out / "flow.png")

    # --- What the paper's own equations say. Eq. (16) as printed, on the line of Eq. (13), with the tanh cutoff
    # that multiplies only the y^2 feedback ('printed'): y keeps growing after l*, and a "paired" verdict may rest
    # on |y| >> 1 (then it is marked not controlled).
    paper = phase_of(model.replace(flow="paper", scheme="printed", upsilon_theta=None))
    agree = "the same" if paper.phase == result.phase else "NOT the same"
    print(f"the paper's Eq. (16) ('printed', line 13): {paper.phase} (l_bar = {_num(paper.l_bar)}, "
          f"{'controlled' if paper.controlled else 'not controlled'}) - {agree}; every scheme of the default flow: "
          + ", ".join(f"{k} {v}" for k, v in result.verdict_by_scheme.items()))
    return {
        "phase": r, "spin_gap_K": gap_K, "trion_scale_K": trion_K,
        "paper_eq16": {"phase": paper.phase, "l_bar": paper.l_bar, "l_bbar": paper.l_bbar,
                       "controlled": paper.controlled},
        "files": [flow_png.name],
    }, result


def _num(x: float | None) -> str:
    return "not reached" if x is None else f"{x:.3f}"


# =====================================================================================================================
# 3. Experimental signatures
# =====================================================================================================================


def step3_signatures(d: DeviceInputs, model: Model, result: PhaseResult) -> dict[str, Any]:
    """Table I for this phase (Appendix D), the trion liquid's parameters, and a single impurity (Sec. II C 2)."""
    heading("3. Experimental signatures (Table I, Appendix D, Sec. II C 2-3)")
    # --- Transport. Deep in a phase every pinned field combination is perfectly reflected (Eq. D1-D5): in the paired
    # phase only the spin mode is pinned, and the charge still carries G = 2 e^2/h; in the trion phase the pinned
    # combination phi_g also mixes in the nanotube's charge, leaving the fractional G = 4/3 e^2/h with a
    # counter-flowing -2/3 e^2/h in the grounded nanotube. Single-electron tunnelling sees the spin gap.
    print(table_one())
    sig = signatures(result.phase)
    print(f"this device ({result.phase}): tunnelling {sig.tunneling}; G = {sig.to_dict()['conductance_fraction']} "
          f"e^2/h; G_x = {sig.to_dict()['cross_conductance_fraction']} e^2/h (nanotube grounded); "
          f"G = {sig.to_dict()['floating_conductance_fraction']} e^2/h (nanotube floating)")


    # --- The trion liquid (Appendix C): if the device is tuned into the trion phase, one mode phi_f stays gapless
    # with Luttinger parameter Kf (Eq. 20); Kf < 3 means trion CDW, and impurities then pin it (dimension Kf/3 < 1).
    kf, uf = trion_sector_of_model(model)
    verdict = trion_verdict(kf)
    print(f"trion liquid if tuned there: Kf = {kf:.4f} (Eq. 20), uf = {uf:.4f} uc; trion {verdict['dominant_order']}, "
          f"impurities {'irrelevant' if verdict['impurities_irrelevant'] else 'relevant'}")

    # --- A single impurity of strength g_imp (Sec. II C 2). Its backscattering has dimension (Kc+1)/2 in the
    # decoupled phase, Kc/2 in the paired phase (the spin field is pinned), Kf/3 in the trion phase; it cuts the wire
    # below E = g_imp^{1/(1-d)} Lambda. The paired phase's larger scale E_sG is why a dirty wire conducts less once
    # paired, most visibly for E_LL < T < E_sG. The bare Kc is used, as in `pairing1d signatures --g-imp`.
    e_ll, e_sg = impurity_scales(d.g_imp, d.Kc)
    dims = {ph: impurity_dimension(ph, d.Kc, kf) for ph in PHASES}
    scales = {ph: impurity_crossover(d.g_imp, dim) for ph, dim in dims.items()}
    print(f"impurity g_imp = {d.g_imp:g} Lambda, crossover scale below which it cuts the wire (Sec. II C 2):")
    for ph in PHASES:
        extra = {"decoupled": " = E_LL", "paired": " = E_sG"}.get(ph, "")
        print(f"  {ph:9s}: dimension {dims[ph]:.3f}, scale{extra} {energy_str(d, scales[ph])}")
    print(f"  E_LL = {e_ll:.3g}, E_sG = {e_sg:.3g} Lambda (impurity_scales): a dirty wire conducts less once paired, "
          f"most visibly for E_LL < T < E_sG")
    return {
        "signatures": sig.to_dict(), "trion_liquid": {"Kf": kf, "uf_over_uc": uf, **verdict},
        "impurity": {"g_imp": d.g_imp, "E_LL": e_ll, "E_sG": e_sg, "dimension": dims, "crossover": scales,
                     "crossover_K": {ph: in_kelvin(d, s) for ph, s in scales.items()}},
    }


# =====================================================================================================================
# 4. Where to tune it
# =====================================================================================================================


def step4_temperature(d: DeviceInputs, model: Model) -> list[dict[str, Any]]:
    """Finite temperature: the flow stops at lmax = ln(Lambda/T); a gap below T is never reached."""
    heading("4a. Is the gap visible? Finite temperature: l_max = ln(Lambda/T)")
    # At temperature T the RG runs only to l_max = ln(Lambda/T): a spin gap Lambda e^{-l_bar} below T is not seen,
    # and the device looks decoupled (Fig. 5). `Model(temperature=T/Lambda)` does this.
    rows = []
    for T in d.temperatures:
        at_T = phase_of(model.replace(temperature=T / d.bandwidth_K))
        rows.append({"T_K": T, "T_over_Lambda": T / d.bandwidth_K, "lmax": at_T.model.lmax, "phase": at_T.phase,
                     "gap_visible": at_T.phase != "decoupled"})
        print(f"T = {T * 1e3:7.1f} mK  (T/Lambda = {T / d.bandwidth_K:.3e}, l_max = {at_T.model.lmax:5.2f}): "
              f"{at_T.phase}")
    return rows


def step4_phase_map(d: DeviceInputs, model: Model, out: Path) -> dict[str, Any]:
    """Fig. 4 around the device: phases over (e^{-l*}, y0) at T ~ 0 and at T/Lambda = 0.005, 0.05."""
    heading("4b. Phase map around the device (Fig. 4): gate e^-l* x coupling y0, three temperatures")
    # The abscissa e^{-l*} = (kF + k) alpha0 is what the gate moves (0: commensurate densities); y0 is set by the
    # distance between the wires. sweep() varies Model fields one at a time, so upsilon, y2 and l*_2 stay at the
    # device's values along y0, whereas a real change of V would move y0, y2 and upsilon together.
    temps = [1e-9, 0.005, 0.05]  # T/Lambda: ~0 (l_max = 20.7), and two round values that read well in the titles
    t0 = time.perf_counter()
    ds = sweep(model, exp_neg_lstar=np.linspace(0.0, 0.6, 64), y0=np.linspace(0.0, 0.3, 64), temperature=temps)
    elapsed = time.perf_counter() - t0
    x_dev, y_dev = math.exp(-model.lstar), model.y0
    png = plot_phase_map(ds, out / "phase_map.png", x="exp_neg_lstar", y="y0", z="temperature",
                         title="around the device", marks={"device": (x_dev, y_dev)})
    print(f"{ds.sizes['exp_neg_lstar'] * ds.sizes['y0'] * ds.sizes['temperature']} devices in {elapsed:.2f} s; "
          f"panels at T/Lambda = {', '.join(f'{t:.3g}' for t in temps)} "
          f"(T = {', '.join(f'{t * d.bandwidth_K * 1e3:.3g}' for t in temps)} mK)")
    print(f"the device sits at e^-l* = {x_dev:.4f}, y0 = {y_dev:.4f}:")
    fractions = {}
    for i, t in enumerate(temps):
        panel = ds.isel(temperature=i)
        near = panel.sel(exp_neg_lstar=x_dev, y0=y_dev, method="nearest")
        codes = panel["phase"].values
        fractions[f"{t:.6g}"] = {p: float(np.mean(codes == c)) for c, p in enumerate(PHASES)}
        print(f"  T/Lambda = {t:.3g}: nearest grid point {PHASES[int(near['phase'])]}; map "
              + ", ".join(f"{p} {100 * f:.0f}%" for p, f in fractions[f"{t:.6g}"].items()))
    return {"device_point": {"exp_neg_lstar": x_dev, "y0": y_dev}, "temperatures_over_Lambda": temps,
            "phase_fractions": fractions, "files": [png.name]}


def windows(mu: np.ndarray, codes: np.ndarray, code: int) -> list[list[float]]:
    """Contiguous runs of ``codes == code`` along the gate axis, as [first mu, last mu] of each run."""
    runs, start = [], None
    for i, hit in enumerate(codes == code):
        if hit and start is None:
            start = i
        if start is not None and (not hit or i == len(codes) - 1):
            stop = i if hit else i - 1
            runs.append([float(mu[start]), float(mu[stop])])
            start = None
    return runs


def step4_gate_scan(d: DeviceInputs, out: Path) -> dict[str, Any]:
    """Scan the nanotube's gate across its single-band window: l*(mu), the phase, and the gaps at finite T."""
    heading("4c. Gate scan: mu -> k_F,sec -> l* -> phase (Fig. 5 in kelvin)")
    # The window of gate voltages where one hole-like band crosses: between minus the two smallest band gaps.
    m1, m2 = sorted(d.cnt.gaps().values())[:2]
    mu = np.linspace(-m2, -m1, 201)[1:-1]  # open window: at its ends a second band, or none, crosses
    models = [device_model(d, float(m)) for m in mu]
    t0 = time.perf_counter()
    zero_T = run_batch(models)  # the batched engine: the same flow as phase_of, many devices at once
    paper = run_batch([m.replace(flow="paper", scheme="printed", upsilon_theta=None) for m in models])
    # Finite temperature: the same devices with l_max = ln(Lambda/T) on a log grid of T, from 1 mK to Lambda/2.
    T_K = np.geomspace(1e-3, 0.5 * d.bandwidth_K, 81)
    grid = run_batch([m.replace(temperature=t / d.bandwidth_K) for t in T_K for m in models])
    elapsed = time.perf_counter() - t0
    phase_T = grid.phase.reshape(T_K.size, mu.size)
    base = run_batch([m.replace(temperature=d.T_base / d.bandwidth_K) for m in models])
    print(f"single-band window {-m2:+.2f} < mu < {-m1:+.2f} meV, {mu.size} gate values, "
          f"{mu.size * (T_K.size + 3)} flows in {elapsed:.2f} s")

    lstar = np.array([m.lstar for m in models])
    found: dict[str, Any] = {"mu": [float(m) for m in (mu[0], mu[-1])], "n_gate": int(mu.size)}
    for label, batch in (("T0", zero_T), ("T0_paper", paper), ("T_base", base)):
        found[label] = {p: windows(mu, batch.phase, c) for c, p in enumerate(PHASES)}
    found["T0_paper"]["uncontrolled"] = windows(mu, (~paper.controlled).astype(int), 1)
    print("gate windows, mu in meV (first and last gate value of each run):")
    for label, text in (("T0", "T = 0, controlled flow"), ("T0_paper", "T = 0, paper's Eq. (16)"),
                        ("T_base", f"T = {d.T_base * 1e3:g} mK, controlled")):
        print(f"  {text:26s} paired {fmt_window(found[label]['paired'])}; trion {fmt_window(found[label]['trion'])}")

    # Advice: the largest spin gap in the paired window, and the commensurate point (largest l*) for the trion.
    best: dict[str, Any] = {}
    for phase, scale in (("paired", "spin_gap"), ("trion", "trion_scale")):
        inside = zero_T.phase == PHASES.index(phase)
        if not inside.any():
            continue
        values = getattr(zero_T, scale)
        i = int(np.argmax(np.where(inside, values, -1.0)))
        best[phase] = {"mu": float(mu[i]), scale: float(values[i]), f"{scale}_K": float(values[i] * d.bandwidth_K)}
        mK = values[i] * d.bandwidth_K * 1e3
        if phase == "paired":
            print(f"largest spin gap in the paired phase: mu = {mu[i]:+.3f} meV, Delta_s = {mK:.3g} mK "
                  "(at the edge of the trion window, as in Fig. 4)")
        else:
            print(f"largest trion scale: mu = {mu[i]:+.3f} meV, {mK:.3g} mK (l* = {lstar[i]:.2f}); "
                  "there G drops to 4/3 e^2/h")
    # The paper's recipe (end of Sec. II C 3): tune into the trion phase (G = 4/3), then detune just until G
    # returns to 2 e^2/h: the device is then paired with the largest gap.
    print("what to do in the lab:")
    print(f"  1. sweep the gate through {fmt_window(found['T0']['trion'])} meV and look for the G = 4/3 e^2/h plateau "
          f"(trion phase; the paper's Eq. (16): {fmt_window(found['T0_paper']['trion'])} meV)")
    if found["T_base"]["paired"]:
        print(f"  2. detune until G returns to 2 e^2/h: the paired phase, with a tunnelling gap, at {d.T_base * 1e3:g} "
              f"mK visible in {fmt_window(found['T_base']['paired'])} meV (controlled flow)")
    else:
        print(f"  2. detuning until G returns to 2 e^2/h gives no controlled paired phase for this device at "
              f"{d.T_base * 1e3:g} mK: the controlled flow finds it decoupled outside the trion window (stronger "
              "coupling y0 or a weaker intra-wire repulsion ys0 would be needed; see the phase map)")
    print(f"  3. the paper's Eq. (16) calls {fmt_window(found['T0_paper']['paired'])} meV paired, of which "
          f"{fmt_window(found['T0_paper']['uncontrolled'])} meV rests on |y| > y_strong (not controlled)")
    png = plot_gate_scan(d, mu, lstar, zero_T, paper, T_K, phase_T, out / "gate_scan.png")
    found["best"] = best
    found["files"] = [png.name]
    return found


def plot_gate_scan(d, mu, lstar, zero_T, paper, T_K, phase_T, path: Path) -> Path:
    """Three panels sharing the gate axis: phase strips under the controlled flow and the paper's Eq. (16), the RG
    times, and the finite-T map."""
    import matplotlib.pyplot as plt  # pairing1d.plotting has chosen the file-only Agg backend
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    cmap = ListedColormap([PHASE_COLOURS[p] for p in PHASES])
    finite = lambda v: np.where(np.isfinite(v), v, np.nan)  # noqa: E731
    with plt.rc_context(STYLE):
        fig, (ax_s, ax_l, ax_t) = plt.subplots(3, 1, sharex=True, figsize=(6.4, 7.4), layout="constrained",
                                               height_ratios=(0.5, 1.6, 2.6))
        # (a) the phase at T = 0: controlled flow, and the paper's Eq. (16) with its uncontrolled part hatched
        ax_s.pcolormesh(mu, [0, 1], np.vstack([paper.phase, zero_T.phase]).astype(float), cmap=cmap, vmin=-0.5,
                        vmax=len(PHASES) - 0.5, shading="nearest", rasterized=True)
        if np.any(~paper.controlled):
            ax_s.contourf(mu, [-0.5, 0.5], np.vstack([~paper.controlled, ~paper.controlled]).astype(float),
                          levels=[0.5, 1.5], colors="none", hatches=["////"])
        ax_s.set_yticks([0, 1], ["Eq. (16)", "controlled"])
        ax_s.set_ylabel("flow", fontsize=9)
        ax_s.set_title(r"(a) phase at $T = 0$", fontsize=10, loc="left")
        ax_s.tick_params(axis="y", length=0)
        # (b) the RG times: the race between l_bbar, l_bar and the cutoff l*
        ax_l.plot(mu, finite(lstar), "k-", lw=1.8, label=r"$\ell^*_1$ (Eq. 15)")
        ax_l.plot(mu, finite(zero_T.l_bar), color="C3", lw=1.8, label=r"$\bar\ell$: $y_s=-1$")
        ax_l.plot(mu, finite(zero_T.l_bbar), color="C0", lw=1.8, ls="--", label=r"$\bar{\bar\ell}$: $|y|=1$")
        ax_l.set_ylim(0, 12)
        ax_l.set_ylabel(r"RG time $\ell$")
        ax_l.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
        ax_l.set_title("(b) RG times (controlled flow)", fontsize=10, loc="left")
        # (c) the finite-temperature phase (Fig. 5): the flow stops at l_max = ln(Lambda/T)
        ax_t.pcolormesh(mu, T_K * 1e3, phase_T.astype(float), cmap=cmap, vmin=-0.5, vmax=len(PHASES) - 0.5,
                        shading="nearest", rasterized=True)
        ax_t.plot(mu, np.where(zero_T.spin_gap > 0, zero_T.spin_gap * d.bandwidth_K * 1e3, np.nan), color="C3",
                  lw=1.6, label=r"spin gap $\Lambda e^{-\bar\ell}$")
        trion = zero_T.phase == PHASES.index("trion")
        ax_t.plot(mu, np.where(trion, zero_T.trion_scale * d.bandwidth_K * 1e3, np.nan), color="C0", lw=1.6,
                  ls="--", label=r"trion scale $\Lambda e^{-\bar{\bar\ell}}$")
        ax_t.axhline(d.T_base * 1e3, color="k", lw=0.8, ls=":")
        ax_t.text(mu[0], d.T_base * 1e3 * 1.15, f" base temperature {d.T_base * 1e3:g} mK", fontsize=8)
        ax_t.set_yscale("log")
        ax_t.set_ylim(T_K[0] * 1e3, T_K[-1] * 1e3)
        ax_t.set_ylabel(r"temperature $T$, energy scale (mK)")
        ax_t.set_xlabel(r"nanotube gate: chemical potential $\mu$ (meV)")
        ax_t.set_title(f"(c) phase at temperature $T$ (controlled flow; $\\Lambda$ = {d.bandwidth_K:.2f} K)",
                       fontsize=10, loc="left")
        gap_dev = zero_T.spin_gap[np.argmin(np.abs(mu - d.mu_gate))] * d.bandwidth_K * 1e3
        ax_t.plot([d.mu_gate], [gap_dev], marker="*", ms=13, color="w", mec="k", zorder=5, ls="none",
                  label=f"device, $\\mu$ = {d.mu_gate:g} meV")
        handles, _ = ax_t.get_legend_handles_labels()
        handles += [Patch(color=PHASE_COLOURS[p], label=p) for p in PHASES]
        handles.append(Patch(facecolor="none", edgecolor="k", hatch="////", label="Eq. (16): not controlled"))
        fig.legend(handles=handles, loc="outside lower center", fontsize=8, ncols=4, frameon=False)
        for ax in (ax_s, ax_l, ax_t):
            ax.axvline(d.mu_gate, color="k", lw=0.8, ls="--")
        fig.suptitle(f"nanotube $\\Delta_0$={d.cnt_delta0:g}, $\\Delta_{{so}}$={d.cnt_delta_so:g}, "
                     f"$\\Delta_\\Phi$={d.cnt_delta_phi:g} meV; $K$={d.K_sec:g}, $K_c$={d.Kc:g}, $y_s^0$={d.ys0:g}, "
                     f"V={d.V:g} meV nm", fontsize=9)
        return save_figure(fig, path)


# =====================================================================================================================
# Putting it together
# =====================================================================================================================


def json_ready(obj: Any) -> Any:
    """numpy scalars -> Python, non-finite floats -> None (JSON has no inf: a gap never reached is null)."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the tutorial, write the figures and ``summary.json`` to ``--out``, return the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("tutorial-output"), help="output folder (created)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    d = DeviceInputs()

    model, s1 = step1_model(d, out)
    s2, result = step2_phase(d, model, out)
    s3 = step3_signatures(d, model, result)
    temps = step4_temperature(d, model)
    s4 = step4_phase_map(d, model, out)
    s5 = step4_gate_scan(d, out)

    summary = {
        "inputs": d.to_dict(), **{k: v for k, v in s1.items() if k != "files"},
        **{k: v for k, v in s2.items() if k != "files"}, **s3, "temperatures": temps,
        "phase_map": {k: v for k, v in s4.items() if k != "files"},
        "gate_scan": {k: v for k, v in s5.items() if k != "files"},
        "files": s1["files"] + s2["files"] + s4["files"] + s5["files"] + ["summary.json"],
        "runtime_s": time.perf_counter() - start,
    }
    (out / "summary.json").write_text(json.dumps(json_ready(summary), indent=1, allow_nan=False) + "\n")
    heading("Done")
    print(f"wrote {', '.join(summary['files'])} to {out}/ in {summary['runtime_s']:.1f} s")
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
