r"""Transport signatures of the three phases: Appendix D, Table I and the impurity scales of Sec. II C 2.

Three chiral channels (primary up, primary down, secondary), non-interacting leads. Deep in a phase some
combinations :math:`n` of the fields are pinned; each pinned combination is perfectly reflected and the rest
propagates freely (Eq. D1-D5), so the transmission matrix is

.. math::
    T = 1 - \sum_{n\ \rm pinned} n\,n^T ,

with the pinned vectors orthonormalized. With primary reservoirs at bias :math:`V` and 0 and a grounded
secondary, the two-terminal conductance of the primary wire and the cross conductance into the secondary are
(Eq. D6)

.. math::
    G = (1,1,0)\,T\,(1,1,0)^T\ \frac{e^2}{h}, \qquad G_\times = (0,0,1)\,T\,(1,1,0)^T\ \frac{e^2}{h} .

A *floating* secondary (no leads) carries no current: its two ends take the potential difference
:math:`\Delta V_s` that cancels its current, which gives
:math:`G_{\rm float} = G - G_\times^2 / T_{33}` (and :math:`G` when :math:`T_{33} = 0`). In the trion phase this
vanishes: absolute drag.

Pinned combinations: decoupled none; paired :math:`n_s = (1,-1,0)/\sqrt2`; trion :math:`n_s` and
:math:`n_g = (1,1,2)/\sqrt6` (Appendix D). Table I: :math:`G = 2, 2, 4/3\ e^2/h`, :math:`G_\times = -2/3\ e^2/h` in
the trion phase.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from ..support.errors import ModelError

__all__ = [
    "PINNED", "transmission_matrix", "Conductances", "conductances", "Signatures", "signatures",
    "table_one", "impurity_scales", "impurity_dimension", "impurity_crossover", "impurity_dimension_of_model",
    "PAPER_PHASES", "running_impurity", "linear_conductance", "cross_conductance", "tunnelling_exponent",
    "WEAK_IMPURITY_LIMIT",
]

N_S = np.array([1.0, -1.0, 0.0]) / np.sqrt(2.0)  # spin sector, pinned by the spin gap
N_G = np.array([1.0, 1.0, 2.0]) / np.sqrt(6.0)  # phi_g of Eq. (19), pinned in the trion phase
N_F = np.array([1.0, 1.0, -1.0]) / np.sqrt(3.0)  # phi_f, the free trion mode

PINNED: dict[str, tuple[np.ndarray, ...]] = {"decoupled": (), "paired": (N_S,), "trion": (N_S, N_G),
                                             "triplet": (N_S,)}
"""Pinned field combinations deep in each phase (Appendix D). The triplet / SDW_z spin gap pins phi_s as the
paired phase does (at sqrt2 phi_s = pi/2 instead of 0): the same row of Table I."""

PAPER_PHASES = ("decoupled", "paired", "trion")
"""The three columns of the paper's Table I."""

PRIMARY = np.array([1.0, 1.0, 0.0])
SECONDARY = np.array([0.0, 0.0, 1.0])


def transmission_matrix(pinned) -> np.ndarray:
    r""":math:`T = 1 - \sum n n^T` over the pinned vectors (any number, any norm; orthonormalized here)."""
    vectors = np.atleast_2d(np.asarray(pinned, dtype=float)) if len(pinned) else np.zeros((0, 3))
    if vectors.shape[1:] != (3,) or not np.all(np.isfinite(vectors)):
        raise ModelError(f"pinned vectors of shape {vectors.shape} are outside the allowed shape (k, 3) of finite "
                         "numbers (three channels: up, down, secondary; Eq. (D1))")
    if vectors.shape[0] == 0:
        return np.eye(3)
    q, r = np.linalg.qr(vectors.T)
    rank = int(np.sum(np.abs(np.diag(r)) > 1e-12 * max(1.0, np.abs(r).max())))
    if rank < vectors.shape[0]:
        raise ModelError(f"pinned vectors are linearly dependent (rank {rank} < {vectors.shape[0]}); "
                         "each pinned combination must be independent (Eq. (D4))")
    basis = q[:, :rank]
    return np.eye(3) - basis @ basis.T


@dataclass(frozen=True)
class Conductances:
    """Two-terminal conductance of the primary wire and cross conductance into the secondary, in e^2/h."""

    grounded: float
    cross: float
    floating: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def conductances(T: np.ndarray) -> Conductances:
    """G (grounded secondary), G_x (current in the secondary per bias), G (floating secondary), from T (Eq. D6)."""
    grounded = float(PRIMARY @ T @ PRIMARY)
    cross = float(SECONDARY @ T @ PRIMARY)
    t33 = float(SECONDARY @ T @ SECONDARY)
    floating = grounded if abs(t33) < 1e-14 else grounded - float(PRIMARY @ T @ SECONDARY) * cross / t33
    # clear round-off (e.g. -9e-16 for the exact 0 of absolute drag); conductances here are simple fractions
    grounded, cross, floating = (round(x, 12) + 0.0 for x in (grounded, cross, floating))
    return Conductances(grounded=grounded, cross=cross, floating=floating)


Phase = Literal["decoupled", "paired", "trion", "triplet"]
TUNNELING = {"decoupled": "power-law", "paired": "gap", "trion": "gap", "triplet": "gap"}


@dataclass(frozen=True)
class Signatures:
    """Table I row of a phase: single-electron tunnelling and conductances (e^2/h)."""

    phase: str
    tunneling: str
    conductance: float
    cross_conductance: float
    floating_conductance: float

    def to_dict(self) -> dict[str, float | str]:
        out = asdict(self)
        for key in ("conductance", "cross_conductance", "floating_conductance"):
            out[key + "_fraction"] = str(Fraction(out[key]).limit_denominator(12))
        return out


def signatures(phase: Phase) -> Signatures:
    """Table I (and the cross and floating conductances of Appendix D) for a phase."""
    if phase not in PINNED:
        raise ModelError(f"phase = {phase!r} is outside the allowed values {{{', '.join(map(repr, PINNED))}}} "
                         "(Table I)")
    g = conductances(transmission_matrix(PINNED[phase]))
    return Signatures(phase=phase, tunneling=TUNNELING[phase], conductance=g.grounded, cross_conductance=g.cross,
                      floating_conductance=g.floating)


def device_signatures(phase: Phase, vertex_charge: float = 2.0) -> Signatures:
    """The Table I row of a device: :func:`signatures` of its phase, refused (ModelError) for the trion phase of a
    vertex-charge-1 secondary (Mott ladder). Appendix D pins (1, 1, 2)/sqrt6 and treats the secondary as one
    lead-contacted channel; neither holds for the relative charge of a Mott ladder, so that row is not derived."""
    if phase == "undetermined":
        raise ModelError("this device's phase is undetermined (the strong-coupling step cannot decide between the "
                         "phases: `pairing1d flow --json` says why), so no Table I row applies")
    if phase == "trion" and vertex_charge != 2:
        raise ModelError("this device is trion with vertex charge 1 (Mott ladder): Table I's trion row assumes the "
                         "spinless-wire secondary (vertex charge 2) of Appendix D and is not derived here")
    return signatures(phase)


def table_one() -> str:
    """Table I of the paper as Markdown, generated from the transmission matrices."""
    rows = [signatures(p) for p in PAPER_PHASES]

    def frac(x: float) -> str:
        return str(Fraction(x).limit_denominator(12))

    lines = [
        "| | " + " | ".join(r.phase.capitalize() for r in rows) + " |",
        "| --- | " + " | ".join("---" for _ in rows) + " |",
        "| Single-electron tunneling | " + " | ".join(r.tunneling for r in rows) + " |",
        "| Two-terminal conductance [e^2/h] | " + " | ".join(frac(r.conductance) for r in rows) + " |",
        "| Cross conductance, grounded secondary [e^2/h] | " + " | ".join(frac(r.cross_conductance) for r in rows)
        + " |",
        "| Conductance, floating secondary [e^2/h] | " + " | ".join(frac(r.floating_conductance) for r in rows)
        + " |",
    ]
    return "\n".join(lines)


def impurity_dimension(phase: Phase, Kc: float, Kf: float | None = None, p: float = 2.0) -> float:
    r"""Scaling dimension of single-impurity backscattering in a phase (Sec. II C 2, Sec. II C 3):
    :math:`(K_c + 1)/2` decoupled (:math:`2k_F` backscattering with :math:`K_s = 1`), :math:`K_c/2` paired or
    triplet (spin field pinned), and that of the composite's density wave in the trion phase (:math:`K_f/3` at
    ``p = 2``). ``Kc`` is the exponent of :math:`\langle\Delta\phi_c^2\rangle = K_c\ln x`: the bare
    :math:`K_c^0` as in the paper, or, coupled to the secondary, :math:`(C_\phi)_{11}` of the Gaussian theory
    (:func:`impurity_dimension_of_model`)."""
    if phase not in TUNNELING:
        raise ModelError(f"phase = {phase!r} is outside the allowed values {{{', '.join(map(repr, TUNNELING))}}}")
    if phase == "trion":
        from .trion import trion_dimensions

        if Kf is None or not (np.isfinite(Kf) and Kf > 0):
            raise ModelError(f"Kf = {Kf!r} is outside the allowed range (0, inf) (the trion phase's impurity "
                             "dimension, Sec. II C 3)")
        return float(trion_dimensions(Kf, p)["impurity"])
    if not (np.isfinite(Kc) and Kc > 0):
        raise ModelError(f"Kc = {Kc!r} is outside the allowed range (0, inf) (charge Luttinger parameter)")
    return (Kc + 1.0) / 2.0 if phase == "decoupled" else Kc / 2.0


def impurity_dimension_of_model(phase: Phase, model) -> float:
    r"""The impurity dimension of :func:`impurity_dimension` for a device, with the exponents of its exact bare
    Gaussian theory: the charge part of :math:`\cos\sqrt2\phi_s\cos\sqrt2\phi_c` is
    :math:`(C_\phi)_{11}/2`, the same operator whose dimension decides the CDW of Eq. (18)
    (:attr:`pairing1d.theory.model.Model.dimensions`, ``cdw``), and :math:`K_f` is the exact trion mode."""
    from .gaussian import trion_mode

    kc_eff = float(model.gaussian.C_phi[0, 0])
    kf = float(trion_mode(model.Kc0, model.K0, model.u_ratio, model.upsilon, model.upsilon_theta_eff,
                          model.vertex_charge)[0])
    return impurity_dimension(phase, kc_eff, kf, model.vertex_charge)


def impurity_crossover(g_imp: float, dimension: float) -> float:
    r"""Energy (units of :math:`\Lambda`) at which an impurity of bare strength ``g_imp`` (units of
    :math:`\Lambda`) and scaling dimension :math:`d` becomes strong: :math:`(g_{\rm imp}/\Lambda)^{1/(1-d)}` if
    relevant (:math:`d < 1`), 0 if not (it never cuts the wire)."""
    if not (0 < g_imp < 1) or not np.isfinite(g_imp):
        raise ModelError(f"g_imp = {g_imp!r} is outside the allowed range (0, 1) (impurity strength / Lambda, "
                         "Sec. II C 2)")
    return float(g_imp ** (1.0 / (1.0 - dimension))) if dimension < 1 else 0.0


def impurity_scales(g_imp: float, Kc: float) -> tuple[float, float]:
    r"""Crossover scales of a single impurity (Sec. II C 2), in units of the bandwidth:
    :math:`E_{LL} = (g_{\rm imp}/\Lambda)^{2/(1-K_c)}` (decoupled) and
    :math:`E_{sG} = (g_{\rm imp}/\Lambda)^{2/(2-K_c)}` (paired). ``g_imp`` in units of Lambda, in (0, 1)."""
    if not (0 < Kc < 1):
        raise ModelError(f"Kc = {Kc!r} is outside the allowed range (0, 1) (E_LL needs repulsion, Sec. II C 2)")
    return tuple(impurity_crossover(g_imp, impurity_dimension(ph, Kc)) for ph in ("decoupled", "paired"))


# --- the linear conductance at temperature T with a weak impurity -------------------------------------------------

WEAK_IMPURITY_LIMIT = 0.25
r"""Largest :math:`g(\ell_T)^2` (the relative conductance correction) still called a weak impurity: beyond it the
lowest-order result is not quoted (the impurity is on its way to cutting the wire)."""


def running_impurity(g_imp, l, l_gap, d_above, d_below):
    r"""Strength of a single impurity at RG time :math:`\ell` (Sec. II C 2), integrated from its dimension,
    :math:`d\ln g/d\ell = 1 - d(\ell)`, with :math:`d = d_{\rm above}` until the phase's gap opens at
    :math:`\ell_{\rm gap}` and :math:`d_{\rm below}` after it:

    .. math::
        g(\ell) = g_{\rm imp}\exp\big[(1-d_{\rm above})\min(\ell,\ell_{\rm gap})
                  + (1-d_{\rm below})\max(\ell-\ell_{\rm gap}, 0)\big].

    Numbers or arrays (broadcast); ``l_gap = inf`` means no gap (decoupled), ``l <= 0`` gives the bare
    ``g_imp``."""
    l = np.maximum(np.asarray(l, dtype=float), 0.0)
    l_gap = np.asarray(l_gap, dtype=float)
    above = np.minimum(l, l_gap)
    with np.errstate(invalid="ignore"):  # l = l_gap = inf (T = 0, no gap): nothing below the gap
        below = np.where(l > l_gap, l - l_gap, 0.0)
    with np.errstate(invalid="ignore", over="ignore"):  # 0 * inf of a marginal impurity at T = 0 counts as 0
        exponent = np.nan_to_num((1.0 - np.asarray(d_above)) * above, nan=0.0) + np.nan_to_num(
            (1.0 - np.asarray(d_below)) * below, nan=0.0)
        return np.asarray(g_imp, dtype=float) * np.exp(exponent)


def linear_conductance(T_over_Lambda, *, phase, trion_scale, l_gap, d_above, d_below, g_imp):
    r"""Linear two-terminal conductance (e²/h) of the primary wire at temperature :math:`T` with one weak
    impurity, and whether that result is within the weak-impurity range.

    Clean: Table I, :math:`G_0 = 4/3` in the trion phase below its scale :math:`\Lambda e^{-\bar{\bar\ell}}`, else 2
    (paired and decoupled alike). The impurity, run to :math:`\ell_T = \ln(\Lambda/T)` by :func:`running_impurity`,
    lowers it by its lowest order, :math:`G = G_0[1 - g(\ell_T)^2]`: since :math:`g_{\rm imp}` is defined at the
    bandwidth, the unknown O(1) prefactor of the correction is absorbed into it (fit it once, at one temperature).
    A spin gap changes the impurity's dimension from :math:`(K_c+1)/2` to :math:`K_c/2`
    (:func:`impurity_dimension`), so below :math:`\Delta_s` the correction grows as :math:`T^{K_c-2}` instead of
    :math:`T^{K_c-1}`: the kink that tells paired from decoupled in :math:`G(T)`. ``reliable`` is False where
    :math:`g(\ell_T)^2 >` :data:`WEAK_IMPURITY_LIMIT`; there ``G`` is NaN (not quoted).

    Arrays broadcast: ``phase`` holds codes of :data:`pairing1d.theory.phases.PHASES`, ``trion_scale`` is in units of
    :math:`\Lambda` (0: none), ``l_gap`` is the RG time of the gap (inf: none).
    """
    from .phases import PHASES

    t = np.asarray(T_over_Lambda, dtype=float)
    trion = np.asarray(phase) == PHASES.index("trion")
    clean = np.where(trion & (t < np.asarray(trion_scale)), 4.0 / 3.0, 2.0)
    with np.errstate(divide="ignore"):
        l_T = np.where(t > 0, -np.log(np.where(t > 0, t, 1.0)), np.inf)
    g = running_impurity(g_imp, l_T, l_gap, d_above, d_below)
    with np.errstate(over="ignore"):  # g = inf (a relevant impurity at T -> 0) squares to inf: not reliable
        g2 = np.where(np.asarray(g_imp) == 0, 0.0, g * g)
    reliable = g2 <= WEAK_IMPURITY_LIMIT
    G = np.where(reliable, clean * (1.0 - np.where(reliable, g2, 0.0)), np.nan)
    return G, reliable


def cross_conductance(phase, T_over_Lambda, trion_scale):
    r"""Cross conductance (e²/h) into a grounded secondary, Appendix D: :math:`-2/3` in the trion phase below its
    scale, 0 otherwise. Arrays broadcast."""
    from .phases import PHASES

    trion = (np.asarray(phase) == PHASES.index("trion")) & (np.asarray(T_over_Lambda) < np.asarray(trion_scale))
    return np.where(trion, signatures("trion").cross_conductance, 0.0)


def tunnelling_exponent(C_phi_cc, C_theta_cc, Ks=1.0):
    r"""Bulk tunnelling density-of-states exponent of the primary wire, :math:`\rho(\omega)\propto\omega^\alpha`,
    from the exact Gaussian theory: the electron :math:`e^{i(\phi_c-\theta_c+\phi_s-\theta_s)/\sqrt2}` has dimension
    :math:`\Delta = [(C_\phi+C_\theta)_{cc} + K_s + 1/K_s]/8`, so :math:`\alpha = 2\Delta - 1`; decoupled and
    :math:`K_s = 1` this is the familiar :math:`(K_c + 1/K_c - 2)/4`. Below a spin gap single-electron tunnelling is
    gapped (Table I) and the exponent describes the regime above the gap."""
    return (np.asarray(C_phi_cc) + np.asarray(C_theta_cc) + Ks + 1.0 / Ks) / 4.0 - 1.0
