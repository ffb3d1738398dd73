#!/usr/bin/env python
r"""From a device in the lab's units to its phase, its gaps in kelvin, its gate map and how sure the verdict is.

A walk-through of ``pairing1d`` for a new user, meant to be read top to bottom and run as

    python examples/tutorial_device.py [--out DIR]        # default DIR: tutorial-output/

The device is the one of Shavit & Oreg, *Electron pairing induced by repulsive interactions in tunable
one-dimensional platforms*, Phys. Rev. Research 2, 043283 (2020) (equation, figure and table numbers below are
the paper's): a spinful semiconductor wire (the *primary* wire) runs next to a gated carbon nanotube (the
*secondary*). A field along the nanotube and its gate leave a single spin- and valley-polarized band at its Fermi
level (Appendix A, Fig. 8): a spinless, strongly interacting Luttinger liquid. The two wires only repel each other,
through the Coulomb interaction of their charge densities (Eq. 6), screened by a metallic gate.

Everything physical is in :mod:`pairing1d.devices.device`: a :class:`~pairing1d.devices.device.Device` holds the inputs
in meV, nm,
m/s, tesla, kelvin and volts (shipped presets, or a TOML device file), and ``Device.point(gate_V)`` translates one
gate voltage into every intermediate quantity and the dimensionless :class:`~pairing1d.Model` of the RG. The
constants (hbar, k_B, mu_B, e^2/4 pi eps0) come from :mod:`scipy.constants` through :mod:`pairing1d.devices.units`; this
script types none. Lengths are in nm, momenta in 1/nm.

The six steps:

1. a device from the preset ``paper-idealized`` (the paper's regime), what each input means, and the
   :class:`~pairing1d.devices.device.DevicePoint` at one gate voltage in the nanotube's single-band window: mu, k_F, k,
   the Luttinger parameters, y0, upsilon, l*, Lambda, and how each comes from the inputs;
2. its phase at that gate under the package's default (controlled) flow, the gaps in kelvin, whether the verdict is
   controlled, and the paper's Eq. (16) as printed beside it;
3. its gate map (:func:`pairing1d.devices.gate_map.gate_map`): the gate windows of each phase, the conductance G(T) at a
   trion gate and at a decoupled gate (:func:`~pairing1d.devices.gate_map.conductance_curves`), and the figure;
4. how sure the verdict is: the probability of each phase over the device's uncertain inputs
   (:func:`~pairing1d.devices.gate_map.sensitivity`);
5. the same for a real-material preset (``cnt-gaas``), and why it does not pair, measured by switching off one
   suspect at a time (the primary's Zeeman energy, its intra-wire backscattering ys0, the mismatch l*);
6. writing one's own device file.

It writes, into the output folder: ``gate_map.png`` (step 3), ``gate_map_sensitivity.png`` (step 4),
``cnt-gaas_gate_map.png`` (step 5), ``my_device.toml`` (step 6) and ``summary.json`` (every number printed, strict
JSON: ``null`` for a scale never reached).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import constants as sc
from scipy.optimize import brentq

from pairing1d import PHASES, phase_of
from pairing1d.devices.cnt import crossing
from pairing1d.devices.device import Device, preset, preset_text, read_device
from pairing1d.devices.device_plots import plot_gate_map
from pairing1d.devices.gate_map import (
    OUTSIDE,
    PHASE_LABELS,
    REGIMES,
    conductance_curves,
    gate_map,
    sensitivity,
    to_json,
)
from pairing1d.devices.units import COULOMB_MEV_NM, HBAR_MEV_S, NM, kelvin
from pairing1d.engine.batch import run_batch
from pairing1d.support.errors import ModelError

PRESET = "paper-idealized"
REAL_PRESETS = ("cnt-gaas", "cnt-inas")  # the first is studied in full in step 5, both are diagnosed
SAMPLES = 16  # sensitivity samples (Latin hypercube): enough to read the probabilities to about 10 %
GATE_POINTS = 241  # gate voltages of a map
GATE_STEP_V = 1e-4  # the resolution of the gate in step 1 (0.1 mV, a DAC step): a choice, not a constant
PAPER = {"flow": "paper", "scheme": "printed", "upsilon_theta": None}  # Eq. (16) as printed, on the line of Eq. (13)
CODE = {name: code for code, name in PHASE_LABELS.items()}

INPUT_MEANING = {
    "primary.material": "a label",
    "primary.effective_mass": "band mass m*/m_e of the parabolic band (unused when vF_m_s is given)",
    "primary.radius_nm": "wire radius: the transverse size that regularizes its own Coulomb potential",
    "primary.density_per_um": "electrons per micron (both spins) at gate_reference_V: k_F = pi n / 2",
    "primary.g_factor": "|g|: the primary's Zeeman energy |g| mu_B B, which can close a spin gap",
    "primary.lever_arm": "how the scanned gate moves the primary's chemical potential (0: its density is fixed)",
    "primary.vF_m_s": "a measured Fermi velocity (a linear band) instead of the parabolic band",
    "primary.Kc": "a measured charge Luttinger parameter (else from the Coulomb potential, g-ology)",
    "primary.ys0": "a measured spin backscattering y_s^0 = g_1perp / (pi hbar v_F) (else V(2k_F)/(pi hbar v_F))",
    "secondary.vF_m_s": "the nanotube's Dirac velocity (Eq. A1)",
    "secondary.delta0_meV": "curvature gap Delta_0 (Eq. A1)",
    "secondary.delta_so_meV": "spin-orbit energy Delta_so (Eq. A1)",
    "secondary.delta_phi_meV": "flux term Delta_Phi at zero field (the field adds mu_orb B)",
    "secondary.diameter_nm": "diameter D: orbital moment mu_orb = e D v_F / 4, and the tube's Coulomb radius D/2",
    "secondary.g_factor": "spin g-factor of the nanotube's Zeeman energy",
    "secondary.lever_arm": "meV of nanotube chemical potential per mV of gate: mu = a e (V_g - V_0)",
    "secondary.gate_offset_V": "V_0, the gate voltage at which mu = 0 (mid-gap)",
    "secondary.K": "a measured Luttinger parameter (else from the Coulomb potential)",
    "geometry.separation_nm": "centre-to-centre distance of the wires: the inter-wire Coulomb coupling",
    "geometry.gate_distance_nm": "height above the metallic gate that screens the Coulomb interaction",
    "geometry.epsilon_r": "relative permittivity around the wires",
    "field_T": "field along the wires (T): Delta_Phi and the Zeeman energies",
    "temperature_K": "the experiment's temperature: the RG stops at l_max = ln(Lambda / k_B T)",
    "impurity": "strength g_imp/Lambda of one weak impurity in the primary (conductance)",
    "alpha0_nm": "short-distance cutoff (None: max(1/k_F, separation))",
    "chi": "width of the tanh cutoff of the paper's schemes",
    "gate_reference_V": "the gate voltage at which the primary has density_per_um",
}


# =====================================================================================================================
# Small helpers
# =====================================================================================================================


def heading(text: str) -> None:
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}")


def num(x: float | None, fmt: str = ".4g") -> str:
    return "not reached" if x is None else format(x, fmt)


def in_K(device_point, energy: float | None) -> float | None:
    """An energy in units of the bandwidth (a flow's scale), in kelvin via Lambda (None stays None: no gap)."""
    return None if energy is None else energy * device_point.Lambda_K


def gate_of_mu(device: Device, mu_meV: float) -> float:
    """The gate voltage (V) at which the nanotube's chemical potential is ``mu_meV``: the inverse of
    mu = a e (V_g - V_0), with the lever arm a in meV per mV."""
    return device.secondary.gate_offset_V + mu_meV / device.secondary.lever_arm * sc.milli


def gate_axis(device: Device, extra: float | None = None) -> np.ndarray:
    """GATE_POINTS gate voltages over the nanotube's hole-like single-band window, with a quarter of its width on
    each side (as ``pairing1d device`` does), plus one chosen gate voltage so that it lies on the grid."""
    m = sorted(device.secondary.bands(device.field_T).gaps().values())
    lo, hi = -m[1] - 0.25 * (m[1] - m[0]), -m[0] + 0.25 * (m[1] - m[0])
    gates = np.array([gate_of_mu(device, mu) for mu in np.linspace(lo, hi, GATE_POINTS)])
    return gates if extra is None else np.union1d(gates, [extra])


def windows(gate: np.ndarray, mask: np.ndarray) -> list[list[float]]:
    """Contiguous runs of ``mask`` along the gate axis, as [first gate, last gate] of each run (V)."""
    runs, start = [], None
    for i, hit in enumerate(mask):
        if hit and start is None:
            start = i
        if start is not None and (not hit or i == len(mask) - 1):
            runs.append([float(gate[start]), float(gate[i if hit else i - 1])])
            start = None
    return runs


def fmt_windows(runs: list[list[float]]) -> str:
    return ", ".join(f"[{lo * 1e3:+.2f}, {hi * 1e3:+.2f}]" for lo, hi in runs) + " mV" if runs else "none"


def json_ready(obj: Any) -> Any:
    """numpy scalars -> Python, non-finite floats -> None (strict JSON: a scale never reached is null)."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_ready(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def phase_windows(ds, variable: str) -> dict[str, list[list[float]]]:
    """Gate windows of each phase (and of ``outside``) of a gate map's ``phase`` or ``phase_T0``."""
    gate, codes = ds["gate_V"].values, ds[variable].values
    return {name: windows(gate, codes == code) for code, name in PHASE_LABELS.items()}


# =====================================================================================================================
# 1. A device from a preset, and one gate voltage
# =====================================================================================================================


def step1_device() -> tuple[Device, float, Any, dict[str, Any]]:
    heading(f"1. The device '{PRESET}' and what its inputs mean")
    device = preset(PRESET)
    print(f"{device.name}\n")
    inputs = device.to_dict()
    rows = [(f"{part}.{key}", value) for part in ("primary", "secondary", "geometry")
            for key, value in inputs[part].items() if key != "kind"]
    rows += [(key, inputs[key]) for key in ("field_T", "temperature_K", "impurity", "alpha0_nm", "chi",
                                            "gate_reference_V")]
    for key, value in rows:
        print(f"  {key:26s} = {value!s:10s} {INPUT_MEANING.get(key, '')}")
    print("where the numbers come from (Device.sources):")
    for key, text in device.sources:
        print(f"  {key}: {text}")

    # --- Which gate? The nanotube's hole-like band crosses alone between minus its two smallest gaps (Eq. A2, with
    # the flux and Zeeman energies of the field). Inside that window its Fermi momentum k grows from 0; where it
    # equals the primary's k_F the backscattering vertex conserves momentum, the mismatch cutoff l* of Eq. (15)
    # diverges, and y can grow unimpeded. We stand at that commensurate gate, rounded to a gate step of 0.1 mV.
    single = [g for g in gate_axis(device) if device.point(g).regime == "single band"]

    def mismatch(g: float) -> float:  # k_F + k in 1/nm (k < 0 for the hole-like band)
        point = device.point(g)
        return point.kF_per_nm + point.k_secondary_per_nm

    if mismatch(single[0]) * mismatch(single[-1]) < 0:
        match = brentq(mismatch, single[0], single[-1], xtol=1e-12)
    else:  # no commensurate gate in the window: the gate of the smallest mismatch
        match = min(single, key=lambda g: abs(mismatch(g)))
    gate = round(match / GATE_STEP_V) * GATE_STEP_V
    p = device.point(gate)
    print(f"\nsingle-band window: gates {single[0] * 1e3:+.2f} .. {single[-1] * 1e3:+.2f} mV; the nanotube's |k| "
          f"equals the primary's k_F at {match * 1e3:+.4f} mV; we take gate_V = {gate * 1e3:+.1f} mV")

    # --- The DevicePoint: every intermediate quantity, in physical units, and how it follows from the inputs.
    sec = device.secondary
    bands = sec.bands(p.field_T)
    band = crossing(bands, p.mu_meV)
    print(f"\nDevice.point({gate:+.4f} V), B = {p.field_T:g} T, T = {p.temperature_K * 1e3:g} mK: regime "
          f"'{p.regime}'")
    print(f"  mu  = a e (V_g - V_0) = {sec.lever_arm:g} meV/mV x {(gate - sec.gate_offset_V) / sc.milli:+.2f} mV "
          f"= {p.mu_meV:+.4f} meV")
    print(f"  nanotube in the field: Delta_Phi = mu_orb B = {bands.delta_phi:.4f} meV (mu_orb = e D v_F / 4 = "
          f"{sec.orbital_moment_meV_per_T:.4f} meV/T), Zeeman E_Z = g mu_B B = {bands.zeeman:.4f} meV; gaps m = "
          + ", ".join(f"{m:.3f}" for m in sorted(bands.gaps().values())) + " meV")
    print(f"  one {'hole' if band.hole_like else 'particle'}-like band (sigma={band.sigma:+d}, nu={band.nu:+d}) "
          f"crosses: hbar v_F |k| = sqrt(mu_sigma^2 - m^2) (Eq. A2) -> k = {p.k_secondary_per_nm:+.6f} 1/nm "
          "(signed: negative for a hole-like band, Eq. 7); band velocity "
          f"v = {p.v_secondary_m_s:.4g} m/s")
    n_per_nm = device.primary.density_per_um * sc.nano / sc.micro
    print(f"  k_F = pi n / 2 = pi x {n_per_nm:g} 1/nm / 2 = {p.kF_per_nm:.6f} 1/nm (primary, both spins); "
          f"v_F = {p.vF_m_s:.4g} m/s")
    print(f"  Luttinger parameters: primary Kc = {p.Kc:.4g} (u_c = v_F/Kc = {p.uc_m_s:.4g} m/s), ys0 = {p.ys0:.4g} "
          f"(u_s = v_F sqrt(1 - ys0^2/4) = {p.us_m_s:.4g} m/s); nanotube K = {p.K:.4g} (u = v/K = {p.u_m_s:.4g} m/s)")
    print(f"  alpha0 = max(1/k_F, separation) = {p.alpha0_nm:.4g} nm;  Lambda = hbar u_s / alpha0 = "
          f"{HBAR_MEV_S * p.us_m_s / (p.alpha0_nm * NM):.4g} meV = {p.Lambda_K:.4g} K (the unit of every energy "
          "of the flow)")
    geo = device.geometry
    far = math.hypot(geo.separation_nm, 2 * geo.gate_distance_nm)
    v0 = COULOMB_MEV_NM / geo.epsilon_r * math.log(far**2 / geo.separation_nm**2)
    print(f"  inter-wire Coulomb (gated): V12(0) = e^2/(4 pi eps0 eps_r) ln[(d^2 + 4h^2)/d^2] = {v0:.4g} meV nm "
          f"(DevicePoint: {p.V_inter_meV_nm:.4g}); V12(k_F + |k|) = {p.V_inter_back_meV_nm:.4g} meV nm")
    ups = math.sqrt(p.Kc * p.K) * math.sqrt(2) * p.V_inter_meV_nm * NM / (math.pi * HBAR_MEV_S
                                                                            * math.sqrt(p.uc_m_s * p.u_m_s))
    # the 2k_F densities of both wires give g1 = 2 V12, and Eq. (16) is exact for y = g1 / (sqrt2 pi hbar u_bar)
    y0 = 2 * p.V_inter_back_meV_nm * NM / (math.sqrt(2) * math.pi * HBAR_MEV_S * (p.uc_m_s + p.u_m_s) / 2)
    print(f"  upsilon = sqrt(Kc K) sqrt2 V12(0) / (pi hbar sqrt(u_c u)) = {ups:.4g}  (DevicePoint: {p.upsilon:.4g})")
    print(f"  y0 = 2 sqrt2 V12(k_F + |k|) / (pi hbar (u_c + u)) = {y0:.4g}  (DevicePoint: {p.y0:.4g}; the paper's "
          f"normalization, y_normalization = 'paper', is 2.83 times smaller)")
    lstar = -math.log(abs(p.kF_per_nm + p.k_secondary_per_nm) * p.alpha0_nm)
    print(f"  l* = -ln(|k_F + k| alpha0) = {lstar:.4g} (Eq. 15; DevicePoint: {p.lstar:.4g}), l*_2 = -ln(|k_F - k| "
          f"alpha0) = {p.lstar2:.4g}")
    print(f"  k_B T / Lambda = {p.T_over_Lambda:.4g}: at {p.temperature_K * 1e3:g} mK the flow stops at l_max = "
          f"ln(Lambda / k_B T) = {-math.log(p.T_over_Lambda):.3f}")
    info = {"preset": PRESET, "inputs": inputs, "gate_V": gate, "commensurate_gate_V": match,
            "single_band_V": [single[0], single[-1]], "point": p.to_dict(),
            "band": {"sigma": band.sigma, "nu": band.nu, "hole_like": band.hole_like,
                     "delta_phi_meV": bands.delta_phi, "zeeman_meV": bands.zeeman}}
    return device, gate, p, info


# =====================================================================================================================
# 2. Its phase at that gate
# =====================================================================================================================


def step2_phase(p) -> dict[str, Any]:
    heading("2. Its phase at that gate: the default (controlled) flow, and the paper's Eq. (16) beside it")
    # --- The RG is a race (Sec. II B). The inter-wire backscattering y is relevant because the nanotube is
    # strongly interacting; its square drives the primary's spin fugacity ys down (Eq. 16a). If |y| reaches strong
    # coupling (l_bbar) before the mismatch is felt (l*), the flow hands over to the locked theory: if the vertex
    # locks (Pokrovsky-Talapov), a pair binds a nanotube hole: trion, whose trion scale Lambda e^{-l_bbar} is the
    # scale of the whole spin and trion sector. Else if ys reaches -1 (l_bar) the spin sector is gapped: paired.
    # Energies are Lambda e^{-l}, in kelvin through Lambda. How sure the verdict is: its verdict ensemble, the same
    # device under 18 defensible variants of the second-order theory (regulator, velocities, truncation, and the
    # strong-coupling threshold 0.5, 1, 2): robust if all agree, leaning if two thirds do.
    result = phase_of(p.ground)
    at_T = phase_of(p.model)
    trust = "controlled" if result.controlled else f"NOT controlled ({result.uncontrolled_reason})"
    gap_K, trion_K = in_K(p, result.spin_gap), in_K(p, result.trion_scale)
    print(f"T = 0: {result.phase.upper()}  ({trust}; flow '{p.ground.flow}', scheme '{p.ground.scheme}')")
    counts: dict[str, int] = {}
    for phase in result.ensemble.values():
        counts[phase] = counts.get(phase, 0) + 1
    print(f"  certainty: {result.certainty} ({result.agreement:.0%} of the {len(result.ensemble)} members of the "
          "verdict ensemble agree: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ")")
    print(f"  l* = {p.lstar:.3f}, l_bbar (|y| = 1) = {num(result.l_bbar, '.3f')}, "
          f"l_bar (ys = -1) = {num(result.l_bar, '.3f')}")
    if trion_K is not None:
        print(f"  trion scale Lambda e^-l_bbar = {result.trion_scale:.4g} Lambda = {trion_K:.4g} K")
    if gap_K is not None and result.phase == "trion":
        print(f"  spin gap = the trion scale (in the trion phase the spin sector's scale is the trion's; l_bar, "
              f"where the flow continued past strong coupling reaches ys = -1, is no gap): {gap_K:.4g} K")
    elif gap_K is not None:
        print(f"  spin gap ({result.spin_gap_type}) Lambda e^-l_bar = {result.spin_gap:.4g} Lambda = {gap_K:.4g} K")
    print("  every cutoff scheme of the default flow: "
          + ", ".join(f"{k} {v}" for k, v in result.verdict_by_scheme.items()))
    if result.phase == "trion":
        print(f"  dominant order: {result.dominant_order} (trion liquid Kf = {result.Kf:.3f}; SC needs Kf > 3, "
              "Eq. 20-21)")
    elif result.phase in ("paired", "triplet"):
        print(f"  dominant order: {result.dominant_order} (Eq. 18)")
    print(f"at T = {p.temperature_K * 1e3:g} mK (Device.point(...).model, l_max = {at_T.model.lmax:.3f}): "
          f"{at_T.phase}")
    zeeman_K = kelvin(p.zeeman_primary_meV)
    print(f"the primary's Zeeman energy |g| mu_B B = {zeeman_K:.4g} K "
          + ("(g = 0 here: the paper ignores it)" if zeeman_K == 0 else
             "(above the gap it closes it; gate_map applies that)"))

    # --- What the paper's own equations say: Eq. (16) as printed. It lives on the line of Eq. (13), where
    # V_theta = -(u/uc) upsilon fixes the current-current coupling so that one rotation removes all forward
    # scattering; Eq. (14a) then needs (u/uc) upsilon < 1. Our device is a pure density coupling (V_theta = 0,
    # off that line); when the line does not exist for it, the package says so instead of answering.
    paper: dict[str, Any]
    try:
        pr = phase_of(p.ground.replace(**PAPER))
        paper = {"applies": True, "phase": pr.phase, "controlled": pr.controlled, "l_bar": pr.l_bar,
                 "l_bbar": pr.l_bbar, "spin_gap_K": in_K(p, pr.spin_gap), "trion_scale_K": in_K(p, pr.trion_scale)}
        same = "the same verdict" if pr.phase == result.phase else "a DIFFERENT verdict"
        print(f"the paper's Eq. (16) (flow 'paper', scheme 'printed', line 13): {pr.phase} "
              f"({'controlled' if pr.controlled else 'not controlled'}; spin gap {num(paper['spin_gap_K'])} K): "
              f"{same}")
    except ModelError as exc:
        paper = {"applies": False, "reason": str(exc)}
        print(f"the paper's Eq. (16) (flow 'paper', scheme 'printed', line 13) does not apply at this gate: u/uc = "
              f"{p.ground.u_ratio:.3f} (the nanotube's u = v/K is fast) and upsilon = {p.upsilon:.3f} give "
              f"(u/uc) upsilon = {p.ground.u_ratio * p.upsilon:.3f} >= 1:\n  ModelError: {exc}")
    return {"T0": result.to_dict(), "at_T": {"phase": at_T.phase, "certainty": at_T.certainty,
                                             "lmax": at_T.model.lmax},
            "spin_gap_K": gap_K, "trion_scale_K": trion_K, "zeeman_primary_K": zeeman_K, "paper_eq16": paper}


# =====================================================================================================================
# 3. The gate map
# =====================================================================================================================


def describe_map(ds) -> dict[str, Any]:
    """Print the gate windows of a map (T = 0 and at the temperature) with their scales; return them."""
    gate = ds["gate_V"].values
    T = ds.attrs["temperature_K"]
    single = ds["regime"].values == REGIMES.index("single band")
    found: dict[str, Any] = {"single_band_V": windows(gate, single), "T0": phase_windows(ds, "phase_T0"),
                             "at_T": phase_windows(ds, "phase")}
    found["gapped_V"] = windows(gate, ds["regime"].values == REGIMES.index("gapped"))
    print(f"{gate.size} gate voltages; single band at {fmt_windows(found['single_band_V'])}, gate in the nanotube's "
          f"gap (a massive secondary, mass cutoff of Appendix B) at {fmt_windows(found['gapped_V'])}; Lambda = "
          f"{np.nanmax(ds['Lambda_K'].values):.3g} K; T = {T * 1e3:g} mK")
    for label, var in (("T = 0", "phase_T0"), (f"T = {T * 1e3:g} mK", "phase")):
        print(f"  {label}:")
        for code, name in PHASE_LABELS.items():
            runs = found["T0" if var == "phase_T0" else "at_T"][name]
            if not runs:
                continue
            sel = ds[var].values == code
            gap, tri = ds["spin_gap_K"].values[sel], ds["trion_scale_K"].values[sel]
            G = ds["G_e2h"].values[sel]
            ok = ds["controlled"].values[sel]
            bits = []
            if gap.max() > 0:
                bits.append(f"spin gap up to {gap.max():.3g} K")
            if tri.max() > 0 and name == "trion":
                bits.append(f"trion scale up to {tri.max():.3g} K")
            if np.any(np.isfinite(G)):
                lo, hi = f"{np.nanmin(G):.3g}", f"{np.nanmax(G):.3g}"
                bits.append(f"G = {lo if lo == hi else lo + '..' + hi} e^2/h")
            if np.any(~np.isfinite(G)) and code != OUTSIDE:
                bits.append(f"G not quoted at {int(np.sum(~np.isfinite(G)))} gates (impurity strong)")
            if code != OUTSIDE:
                bits.append("controlled" if np.all(ok == 1) else f"{int(np.sum(ok == 0))} gates not controlled")
            print(f"    {name:9s} {fmt_windows(runs)}" + (f": {'; '.join(bits)}" if bits else ""))
    # one reason of each kind: each regime where the theory does not apply, and a gap closed by the Zeeman energy
    reasons: dict[str, str] = {}
    for regime, closed, reason in zip(ds["regime"].values, ds["zeeman_closed"].values, ds["reason"].values,
                                      strict=True):
        if reason:
            reasons.setdefault("Zeeman" if closed else REGIMES[int(regime)], reason)
    if reasons:
        print("  why (one example of each reason):")
        for kind, reason in reasons.items():
            print(f"    - {kind}: {reason}")
    found["reasons"] = reasons
    found["zeeman_closed_gates"] = int(ds["zeeman_closed"].values.sum())
    return found


def step3_gate_map(device: Device, gate1: float, out: Path) -> tuple[Any, Any, dict[str, Any]]:
    heading("3. The gate map: phase, gaps in kelvin and conductance over the gate (gate_map, conductance_curves)")
    # --- gate_map runs every gate voltage through Device.point and the batched engine, with the default flow; it
    # gives the phase at T = 0 and at the device's temperature, the gaps in K, and the conductance of the primary
    # with its weak impurity (Table I: 2 e^2/h decoupled or paired, 4/3 e^2/h in the trion phase, lowered by the
    # impurity as it grows under the RG).
    gates = gate_axis(device, gate1)
    t0 = time.perf_counter()
    ds = gate_map(device, gates)
    elapsed = time.perf_counter() - t0
    print(f"(gate_map: {gates.size} gates in {elapsed:.2f} s)")
    found = describe_map(ds)

    # --- The paper's Eq. (16) over the same single-band gates, where its line (13) exists.
    single = gates[ds["regime"].values == REGIMES.index("single band")]
    paper_models, paper_gates = [], []
    for g in single:
        try:
            paper_models.append(device.point(float(g)).ground.replace(**PAPER))
            paper_gates.append(float(g))
        except ModelError:
            pass
    paper: dict[str, Any] = {"gates_applicable": len(paper_gates), "gates_single_band": int(single.size)}
    if paper_models:
        batch = run_batch(paper_models)
        pg = np.array(paper_gates)
        paper["applies_V"] = windows(gates, np.isin(gates, pg))
        paper["windows"] = {name: windows(pg, batch.phase == c) for c, name in enumerate(PHASES)}
        paper["uncontrolled_V"] = windows(pg, ~batch.controlled.astype(bool))
    print(f"the paper's Eq. (16) on line (13) can be evaluated at {paper['gates_applicable']} of the "
          f"{paper['gates_single_band']} single-band gates ({fmt_windows(paper.get('applies_V', []))}; elsewhere "
          "(u/uc) upsilon >= 1)")
    if paper_models:
        print("  there: " + "; ".join(f"{name} {fmt_windows(runs)}" for name, runs in paper["windows"].items()
                                      if runs) + f"; not controlled at {fmt_windows(paper['uncontrolled_V'])}")

    # --- G(T) at a trion gate (the gate of step 1 if it is one, else the largest trion scale) and a decoupled gate
    # (the middle of the widest decoupled window), from a tenth of the base temperature to the bandwidth.
    phase0 = ds["phase_T0"].values
    chosen: dict[str, float] = {}
    trion = np.flatnonzero(phase0 == CODE["trion"])
    if trion.size:
        best = gates[trion[np.argmax(ds["trion_scale_K"].values[trion])]]
        chosen["trion"] = gate1 if phase0[np.searchsorted(gates, gate1)] == CODE["trion"] else float(best)
    dec = [w for w in found["T0"]["decoupled"]]
    if dec:
        lo, hi = max(dec, key=lambda w: w[1] - w[0])
        chosen["decoupled"] = float(gates[np.argmin(np.abs(gates - (lo + hi) / 2))])
    Lambda_K = float(np.nanmax(ds["Lambda_K"].values))
    temps = np.geomspace(device.temperature_K / 10, Lambda_K, 41)
    curves = conductance_curves(device, list(chosen.values()), temps)
    curve_info = {}
    for name, g in chosen.items():
        c = curves.sel(gate_V=g)
        G = c["G_e2h"].values
        gap = float(c["spin_gap_K"].values[0])
        tri = float(c["trion_scale_K"].values[0])
        curve_info[name] = {"gate_V": g, "temperature_K": temps, "G_e2h": G, "G_cross_e2h": c["G_cross_e2h"].values,
                            "spin_gap_K": gap, "trion_scale_K": tri}
        quoted = np.isfinite(G)
        span = (f"G from {G[quoted][-1]:.3g} e^2/h at {temps[quoted][-1]:.3g} K to {G[quoted][0]:.3g} e^2/h at "
                f"{temps[quoted][0]:.3g} K" if quoted.any() else "G never quoted")
        stop = "" if quoted.all() else f" (below {temps[quoted][0]:.3g} K the impurity is strong: not quoted)"
        print(f"G(T) at the {name} gate {g * 1e3:+.2f} mV (spin gap {gap:.3g} K, trion scale {tri:.3g} K): "
              f"{span}{stop}")
    png = plot_gate_map(ds, out / "gate_map.png", curves=curves, title=device.name)

    # --- Reading it in the lab (Sec. II C 3): sweep the gate, find where G drops towards 4/3 e^2/h and a
    # cross conductance -2/3 e^2/h appears in the grounded nanotube (the trion window), at temperatures below the
    # trion scale; outside it this device stays decoupled under the controlled flow.
    print("reading it: " + (f"the trion window {fmt_windows(found['T0']['trion'])} shows G < 2 e^2/h and a cross "
                            "conductance into the grounded nanotube below its trion scale"
                            if found["T0"]["trion"] else "no trion window")
          + (f"; paired at {fmt_windows(found['T0']['paired'])}" if found["T0"]["paired"] else
             "; no paired window under the controlled flow"))
    summary = {**found, "paper_eq16": paper, "curves": curve_info, "map": to_json(ds), "files": [png.name]}
    return ds, curves, summary


# =====================================================================================================================
# 4. How sure is the verdict?
# =====================================================================================================================


def report_sensitivity(sens, gate1: float | None) -> dict[str, Any]:
    prob = sens["phase_probability"]
    gate = sens["gate_V"].values
    out: dict[str, Any] = {"samples": int(sens.sizes["sample"]), "members": int(sens.sizes["member"]),
                           "uncertain": json.loads(sens.attrs["uncertain"]), "max_probability": {}, "likely_V": {}}
    for label in prob["phase_label"].values:
        values = prob.sel(phase_label=label).values
        out["max_probability"][str(label)] = float(values.max())
        out["likely_V"][str(label)] = windows(gate, values >= 0.5)
        if values.max() > 0:
            print(f"  {label:9s}: probability up to {values.max():.0%}; at least 50 % at "
                  f"{fmt_windows(out['likely_V'][str(label)])}")
    never = [k for k, v in out["max_probability"].items() if v == 0]
    if never:
        print(f"  in no sample, at no gate: {', '.join(never)}")
    if gate1 is not None:
        at = prob.sel(gate_V=gate1)
        out["at_gate"] = {str(k): float(v) for k, v in zip(at["phase_label"].values, at.values, strict=True)}
        q = sens["spin_gap_K_quantile"].sel(gate_V=gate1)
        out["spin_gap_K_quantiles_at_gate"] = {f"{k:g}": float(v) for k, v in zip(q["quantile"].values, q.values,
                                                                                  strict=True)}
        print(f"  at the gate of step 1 ({gate1 * 1e3:+.1f} mV): "
              + ", ".join(f"{k} {v:.0%}" for k, v in out["at_gate"].items() if v > 0)
              + "; spin gap over the samples (5/50/95 %): "
              + " / ".join(f"{out['spin_gap_K_quantiles_at_gate'][k]:.3g}" for k in ("0.05", "0.5", "0.95")) + " K")
    return out


def step4_sensitivity(device: Device, ds, curves, gate1: float, out: Path) -> dict[str, Any]:
    heading(f"4. How sure is it? {SAMPLES} samples of the uncertain inputs (sensitivity, Latin hypercube)")
    # The preset gives a range to each input that is not known well ([uncertain] in its file); sensitivity draws
    # SAMPLES devices from a Latin hypercube over those ranges and maps each over the same gates.
    for name, lo, hi in device.uncertain:
        print(f"  {name} in [{lo:g}, {hi:g}]")
    t0 = time.perf_counter()
    sens = sensitivity(device, ds["gate_V"].values, samples=SAMPLES, seed=0)
    # each sample's verdict comes with its own verdict ensemble (18 defensible variants of the second-order theory):
    # the probability counts every (sample, member) pair, the inputs' uncertainty and the theory's together
    print(f"({SAMPLES} gate maps in {time.perf_counter() - t0:.2f} s) probability of each phase at "
          f"T = {ds.attrs['temperature_K'] * 1e3:g} mK, over the samples and each one's "
          f"{sens.sizes['member']} members of the verdict ensemble:")
    found = report_sensitivity(sens, gate1)
    png = plot_gate_map(ds, out / "gate_map_sensitivity.png", sensitivity=sens, curves=curves,
                        title=f"{device.name}: {SAMPLES} samples")
    found["files"] = [png.name]
    return found


# =====================================================================================================================
# 5. A real material, and why it does not pair
# =====================================================================================================================


def needed_lstar(model) -> float | None:
    """The smallest mismatch cutoff l* at which this Model is no longer decoupled at T = 0 (bisection on l*; None
    when even l* = inf leaves it decoupled): what the gate must reach for the flow to win the race."""
    def gapped(lstar: float) -> bool:
        return phase_of(model.replace(lstar=lstar)).phase != "decoupled"

    if not gapped(math.inf):
        return None
    lo, hi = 0.0, 40.0
    if gapped(lo):
        return lo
    while hi - lo > 1e-3:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if gapped(mid) else (mid, hi)
    return hi


def diagnose(device: Device, ideal_ys0: float) -> list[dict[str, Any]]:
    """Switch off one suspect at a time and map the device again: the primary's Zeeman energy (g = 0), its
    intra-wire backscattering (ys0 of the paper's regime), both."""
    variants = [("as built", {}), ("no Zeeman on the primary (g = 0)", {"primary.g_factor": 0.0}),
                (f"weak intra-wire backscattering (ys0 = {ideal_ys0:g})", {"primary.ys0": ideal_ys0}),
                ("both", {"primary.g_factor": 0.0, "primary.ys0": ideal_ys0})]
    gates = gate_axis(device)
    rows = []
    for label, change in variants:
        ds = gate_map(device.with_inputs(change), gates)
        single = ds["regime"].values == REGIMES.index("single band")
        phase0, phase = ds["phase_T0"].values[single], ds["phase"].values[single]
        lstar = ds["lstar"].values[single]
        i = int(np.flatnonzero(single)[np.nanargmax(lstar)])
        point = device.with_inputs(change).point(float(gates[i]))
        raw = phase_of(point.ground)  # the flow alone, before the Zeeman energy is compared with the gap
        rows.append({
            "variant": label, "change": change,
            "counts_T0": {n: int(np.sum(phase0 == c)) for c, n in PHASE_LABELS.items()},
            "counts_at_T": {n: int(np.sum(phase == c)) for c, n in PHASE_LABELS.items()},
            "single_band_gates": int(single.sum()),
            "zeeman_closed_gates": int(ds["zeeman_closed"].values[single].sum()),
            "ys0": float(np.nanmax(ds["ys0"].values)), "zeeman_primary_K": float(np.nanmax(
                ds["zeeman_primary_K"].values)),
            "lstar_max": float(np.nanmax(lstar)), "best_gate_V": float(gates[i]),
            "flow_at_best_gate": {"phase": raw.phase, "spin_gap_K": in_K(point, raw.spin_gap),
                                  "trion_scale_K": in_K(point, raw.trion_scale), "l_bbar": raw.l_bbar,
                                  "l_bar": raw.l_bar, "controlled": raw.controlled},
            "lstar_needed": needed_lstar(point.ground),
            "spin_gap_K_max": float(ds["spin_gap_K"].values[single].max()),
            "trion_scale_K_max": float(np.max(np.where(phase0 == CODE["trion"], ds["trion_scale_K"].values[single],
                                                       0.0))),
            "gapped_gates_T0": int(np.sum(np.isin(phase0, [CODE["paired"], CODE["trion"], CODE["triplet"]]))),
        })
    return rows


def explain(rows: list[dict[str, Any]]) -> list[str]:
    """Sentences read off the diagnosis (no verdict is assumed: each follows from a measured number)."""
    built, no_zeeman, weak_ys, both = rows
    lines = []
    f = built["flow_at_best_gate"]
    gap = f["spin_gap_K"] if f["spin_gap_K"] is not None else f["trion_scale_K"]
    need = built["lstar_needed"]
    if need is None:
        lines.append(f"mismatch: not the cause; even at l* = inf the flow leaves the primary decoupled (ys0 = "
                     f"{built['ys0']:.3g})")
    elif built["lstar_max"] >= need:
        lines.append(f"mismatch l*: not the cause; the map's gates reach l* = {built['lstar_max']:.3g}, the flow "
                     f"needs {need:.3g}")
    else:
        lines.append(f"mismatch l*: a cause; the map's gates reach at most l* = {built['lstar_max']:.3g}, the flow "
                     f"needs {need:.3g}")
    if built["gapped_gates_T0"]:
        lines.append(f"as built it is gapped at {built['gapped_gates_T0']} gates")
    elif f["phase"] != "decoupled" and gap is not None:
        lines.append(f"Zeeman energy: the cause; at the best gate the flow finds {f['phase']} with a gap of "
                     f"{gap:.3g} K, but the primary's Zeeman energy {built['zeeman_primary_K']:.3g} K is above it and "
                     f"closes it ({built['zeeman_closed_gates']} gates closed)")
    if no_zeeman["gapped_gates_T0"] and not built["gapped_gates_T0"]:
        lines.append(f"without the Zeeman energy (g = 0) it is gapped at {no_zeeman['gapped_gates_T0']} gates "
                     f"(spin gap up to {no_zeeman['spin_gap_K_max']:.3g} K, trion scale up to "
                     f"{no_zeeman['trion_scale_K_max']:.3g} K)")
    lines.append(f"intra-wire ys0 = {built['ys0']:.3g}: lowering it to {weak_ys['ys0']:.3g} "
                 + (f"makes the gap at the best gate {weak_ys['flow_at_best_gate']['spin_gap_K'] or 0:.3g} K (from "
                    f"{built['flow_at_best_gate']['spin_gap_K'] or 0:.3g} K)")
                 + (f", still below the Zeeman energy {weak_ys['zeeman_primary_K']:.3g} K: alone it does not help"
                    if not weak_ys["gapped_gates_T0"] else
                    f", and the device is gapped at {weak_ys['gapped_gates_T0']} gates"))
    if both["gapped_gates_T0"]:
        lines.append(f"with both changed: gapped at {both['gapped_gates_T0']} gates, spin gap up to "
                     f"{both['spin_gap_K_max']:.3g} K")
    return lines


def step5_real(ideal: Device, out: Path) -> dict[str, Any]:
    name = REAL_PRESETS[0]
    heading(f"5. A real material: the preset '{name}', and why it does not pair")
    device = preset(name)
    prim, sec, geo = device.primary, device.secondary, device.geometry
    print(f"{device.name}: {prim.material} wire, m* = {prim.effective_mass:g} m_e, |g| = {prim.g_factor:g}, "
          f"n = {prim.density_per_um:g}/um, radius {prim.radius_nm:g} nm; nanotube Delta_0 = {sec.delta0_meV:g} meV, "
          f"D = {sec.diameter_nm:g} nm; {geo.separation_nm:g} nm apart, {geo.gate_distance_nm:g} nm above the gate, "
          f"eps_r = {geo.epsilon_r:g}; B = {device.field_T:g} T, T = {device.temperature_K * 1e3:g} mK")
    given = {"primary Kc": prim.Kc, "primary ys0": prim.ys0, "primary v_F": prim.vF_m_s, "nanotube K": sec.K}
    print("from the gated Coulomb potential and the band (g-ology), not given: "
          + ", ".join(k for k, v in given.items() if v is None)
          + "".join(f"; given: {k} = {v:g}" for k, v in given.items() if v is not None))
    ds = gate_map(device, gate_axis(device))
    found = describe_map(ds)
    single = ds["regime"].values == REGIMES.index("single band")
    i = int(np.flatnonzero(single)[np.nanargmax(ds["lstar"].values[single])])
    gate = float(ds["gate_V"].values[i])
    p = device.point(gate)
    print(f"at the gate of the largest l* ({gate * 1e3:+.2f} mV): k_F = {p.kF_per_nm:.5f} 1/nm, k = "
          f"{p.k_secondary_per_nm:+.5f} 1/nm, v_F = {p.vF_m_s:.3g} m/s, Kc = {p.Kc:.3g}, ys0 = {p.ys0:.3g} "
          f"(the paper's regime: {ideal.primary.ys0:g}), K = {p.K:.3g}, y0 = {p.y0:.3g}, upsilon = {p.upsilon:.3g}, "
          f"l* = {p.lstar:.3g}, alpha0 = {p.alpha0_nm:.3g} nm, Lambda = {p.Lambda_K:.3g} K, Zeeman |g| mu_B B = "
          f"{kelvin(p.zeeman_primary_meV):.3g} K")
    t0 = time.perf_counter()
    sens = sensitivity(device, ds["gate_V"].values, samples=SAMPLES, seed=0)
    print(f"sensitivity ({SAMPLES} samples in {time.perf_counter() - t0:.2f} s):")
    found_sens = report_sensitivity(sens, None)
    png = plot_gate_map(ds, out / f"{name}_gate_map.png", sensitivity=sens, title=device.name)

    # --- Why? Switch off one suspect at a time and map again (Device.with_inputs): the primary's Zeeman energy,
    # which closes a spin gap smaller than it; the intra-wire backscattering ys0 (large in a dilute wire: slow
    # electrons, V(2k_F)/(pi hbar v_F)), which the flow must overcome; and the mismatch l*, compared with the
    # smallest l* at which the flow of the best gate is no longer decoupled.
    diagnosis = {}
    for real in REAL_PRESETS:
        rows = diagnose(preset(real), ideal.primary.ys0)
        diagnosis[real] = {"rows": rows, "explanation": explain(rows)}
        print(f"\n{real}: T = 0 phases at the gates of the single-band window ({rows[0]['single_band_gates']} as "
              "built), after switching off one suspect at a time")
        print(f"  {'variant':48s} {'decoupled':>9s} {'trion':>6s} {'paired':>6s} {'closed':>6s} {'ys0':>6s} "
              f"{'E_Z (K)':>8s} {'max l*':>7s} {'l* need':>7s} {'gap (K)':>8s} {'trion (K)':>9s}")
        for row in rows:
            c, f = row["counts_T0"], row["flow_at_best_gate"]
            print(f"  {row['variant']:48s} {c['decoupled']:9d} {c['trion']:6d} {c['paired']:6d} "
                  f"{row['zeeman_closed_gates']:6d} {row['ys0']:6.3f} {row['zeeman_primary_K']:8.3g} "
                  f"{row['lstar_max']:7.3g} {num(row['lstar_needed'], '7.3g'):>7s} "
                  f"{num(f['spin_gap_K'], '8.3g'):>8s} {num(f['trion_scale_K'], '9.3g'):>9s}")
        print("  (closed: gates where the primary's Zeeman energy exceeds the gap; gap and trion: the flow alone at "
              "the gate of the largest l*, before that comparison)")
        for line in diagnosis[real]["explanation"]:
            print(f"  - {line}")
    return {"preset": name, "inputs": device.to_dict(), "gate_V": gate, "point": p.to_dict(), **found,
            "sensitivity": found_sens, "diagnosis": diagnosis, "files": [png.name]}


# =====================================================================================================================
# 6. One's own device file
# =====================================================================================================================


def step6_own_file(device: Device, gate1: float, out: Path) -> dict[str, Any]:
    heading("6. Your own device: start from a preset's file, edit it, read it back")
    text = preset_text(PRESET)
    print(f"preset_text({PRESET!r}) (also: pairing1d device --preset {PRESET} --show):\n")
    print(text)
    # An edit: bring the wires together, to the low end of the separation's uncertain range.
    closer = dict((n, lo) for n, lo, _ in device.uncertain)["geometry.separation_nm"]
    edited = re.sub(r"(?m)^separation_nm\s*=\s*[^#\n]*?(\s*#.*)?$", f"separation_nm = {closer:g}", text)
    edited = re.sub(r'(?m)^name\s*=.*$', 'name = "my device: the paper\'s regime, wires closer"', edited)
    path = out / "my_device.toml"
    path.write_text(edited)
    mine = read_device(path)
    before, after = device.point(gate1), mine.point(gate1)
    r0, r1 = phase_of(before.ground), phase_of(after.ground)
    print(f"wrote {path.name} with separation_nm = {closer:g} (was {device.geometry.separation_nm:g}); "
          f"read_device -> '{mine.name}', separation {mine.geometry.separation_nm:g} nm")
    print(f"at {gate1 * 1e3:+.1f} mV: V12(0) {before.V_inter_meV_nm:.4g} -> {after.V_inter_meV_nm:.4g} meV nm, "
          f"upsilon {before.upsilon:.4g} -> {after.upsilon:.4g}, y0 {before.y0:.4g} -> {after.y0:.4g}; "
          f"phase {r0.phase} -> {r1.phase}, trion scale {num(in_K(before, r0.trion_scale), '.3g')} -> "
          f"{num(in_K(after, r1.trion_scale), '.3g')} K")
    print(f"run it: pairing1d device {path}")
    # A mistake in a file is refused with a one-line message that names it.
    bad = out / "my_device_typo.toml"
    bad.write_text(edited.replace("epsilon_r", "epsilon"))
    try:
        read_device(bad)
        refusal = None
    except ModelError as exc:
        refusal = str(exc)
        print(f"a typo (epsilon for epsilon_r) is refused: {refusal}")
    finally:
        bad.unlink()
    return {"file": path.name, "separation_nm": [device.geometry.separation_nm, mine.geometry.separation_nm],
            "before": {"V_inter_meV_nm": before.V_inter_meV_nm, "upsilon": before.upsilon, "y0": before.y0,
                       "phase": r0.phase},
            "after": {"V_inter_meV_nm": after.V_inter_meV_nm, "upsilon": after.upsilon, "y0": after.y0,
                      "phase": r1.phase},
            "typo_refused": refusal, "files": [path.name]}


# =====================================================================================================================
# Putting it together
# =====================================================================================================================


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the tutorial, write the figures, the device file and ``summary.json`` to ``--out``; return the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("tutorial-output"), help="output folder (created)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()

    device, gate1, point, s1 = step1_device()
    s2 = step2_phase(point)
    ds, curves, s3 = step3_gate_map(device, gate1, out)
    s4 = step4_sensitivity(device, ds, curves, gate1, out)
    s5 = step5_real(device, out)
    s6 = step6_own_file(device, gate1, out)

    files = s3["files"] + s4["files"] + s5["files"] + s6["files"] + ["summary.json"]
    summary = {"device": s1, "phase": s2, "gate_map": s3, "sensitivity": s4, "real_device": s5, "own_file": s6,
               "files": files, "runtime_s": time.perf_counter() - start}
    for part in (s3, s4, s5, s6):
        part.pop("files")
    (out / "summary.json").write_text(json.dumps(json_ready(summary), indent=1, allow_nan=False) + "\n")
    heading("Done")
    print(f"wrote {', '.join(files)} to {out}/ in {summary['runtime_s']:.1f} s")
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
