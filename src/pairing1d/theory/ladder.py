r"""A half-filled two-leg Hubbard ladder as the secondary system, and Little's limit (Sec. III A, Appendix B).

**The ladder.** In the D-Mott (rung-singlet) phase every sector of the ladder is gapped. The one the primary
wire feels most is the relative charge :math:`\phi_{\rho-} = (\phi_{\rho,1} - \phi_{\rho,2})/\sqrt2`, the
charge moved from leg 2 to leg 1 (:math:`n_1 - n_2 = -\tfrac{2}{\pi}\partial_x\phi_{\rho-}`; one electron moved
across a rung is a :math:`\pi`-kink of :math:`\phi_{\rho-}`). With the total charge :math:`\phi_{\rho+}` pinned,
:math:`\sqrt2\phi_{\rho,1} = \phi_{\rho+} + \phi_{\rho-} \to \phi_{\rho-}` + const, and Eq. (22) becomes

.. math::
    H_{\rm int} = \frac{V}{\sqrt2\pi^2}\partial_x\phi_c\partial_x\phi_{\rho-}
      + \frac{2\tilde g_1}{\pi^2a^2}\cos\sqrt2\phi_s\cos\big(\sqrt2\phi_c + \phi_{\rho-} - 2(k_F+k_1)x\big)
      + \frac{2\tilde g_2}{\pi^2a^2}\cos\sqrt2\phi_s\cos\big(\sqrt2\phi_c - \phi_{\rho-} - 2(k_F-k_1)x\big),

Eq. (12) with the secondary field entering with charge :math:`p = 1` instead of 2 (``Model.vertex_charge = 1``,
whose flow is derived in ``docs/physics.md``, Sec. 7 and 12), the secondary Luttinger parameter
:math:`K^0 = K_{\rho-}` and the forward coupling :math:`V_\phi = V/\sqrt2` (:func:`ladder_upsilon`).

**The back gate.** A potential difference :math:`\mu^*` between the legs, :math:`-\frac{\mu^*}{\pi}
\partial_x\phi_{\rho-}` (up to normalization), acts on the sector of gap :math:`\Delta` (both in units of
:math:`\Lambda_{\rm sec} = u_-/\alpha_0`):

* :math:`|\mu^*| < \Delta`: no soliton is present; the vertex is cut off by the mass, Eq. (B1) with
  :math:`m_{\rm sec} = \Delta`, :math:`\mu_{\rm sec} = |\mu^*|`: :math:`\ell_m = \ln[1/(\Delta - |\mu^*|)]`;
  the commensurability cutoffs are those of the bare mismatches, :math:`\ell^*_{1,2} = \ln(1/|\delta_{1,2}|)`,
  :math:`\delta_{1,2} = (k_F \pm k_1)\alpha_0`.
* :math:`|\mu^*| \ge \Delta`: solitons (refermionized, dispersion :math:`\sqrt{\Delta^2 + (u_-q)^2}`) fill up to
  :math:`q_F\alpha_0 = \sqrt{\mu^{*2} - \Delta^2}`, density :math:`q_F/\pi`; the sector is gapless (no mass
  cutoff) and each :math:`\pi`-kink shifts the phase of :math:`e^{\pm i\phi_{\rho-}}` so that the mismatches
  become :math:`\delta_{1,2} \mp \mathrm{sgn}(\mu^*)\,q_F\alpha_0/2`.

The gate therefore sets :math:`\ell^*` (and the mass cutoff), as Sec. III A states. Near the threshold
:math:`|\mu^*| = \Delta` the dilute solitons are nearly free, which in this normalization means
:math:`K_{\rho-} \to 1` (commensurate-incommensurate transition, commensurability 1); we keep the given
:math:`K_{\rho-}` and leave that choice to the user (``docs/physics.md``, Sec. 7).

**Little's limit** (:func:`little_limit`): localized (:math:`v_{\rm sec}\to 0`) gapped secondaries are Little's
polarizers. A polarizer of excitation energy :math:`\tilde E`, coupled to the local electron number :math:`n`
by :math:`Vn(|g\rangle\langle e| + {\rm h.c.})`, lowers the energy of :math:`n` electrons by
:math:`E_n = \tilde E/2 - \sqrt{\tilde E^2/4 + n^2V^2}`; the induced pair interaction is
:math:`U_{\rm eff} = U + E_2 + E_0 - 2E_1 \simeq U - 2V^2/\tilde E`. In the RG of Eq. (16) the limit
:math:`v_{\rm sec}\to 0` sends :math:`\ell_m = \ln(\Lambda_{\rm sec}/\Delta) \to -\infty`: the vertex is cut
off at once and only this static (second-order) shift of the primary backscattering survives,
:math:`y_s^0 = U_{\rm eff}/(\pi v_F)`; pairing (a spin gap) needs :math:`U_{\rm eff} < 0`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..support.errors import ModelError
from .model import POSITIVE_RANGES, Model, _finite, mass_cutoff, upsilon_from_coupling

if TYPE_CHECKING:
    from .phases import PhaseResult

__all__ = [
    "LadderCutoffs", "ladder_cutoffs", "ladder_model", "ladder_upsilon",
    "polarizer_energy", "LittleResult", "little_limit",
]

SET_BY_LADDER = ("K0", "lstar", "lstar2", "lmass", "vertex_charge")
"""Model fields that :func:`ladder_model` sets from the ladder (K_minus, gap, back gate) and refuses as input."""

LADDER_VERTEX_CHARGE = 1.0
"""Charge of phi_rho- in the vertex cos(sqrt2 phi_c + phi_rho-) of Eq. (22)."""


def ladder_upsilon(V: float, u_minus: float, uc: float, Kc: float, K_minus: float) -> float:
    r"""Dimensionless forward coupling :math:`\upsilon` of the ladder: the :math:`\frac{V}{\pi^2}\partial\phi_c
    \partial\phi_{\rho,1}` of Eq. (22) is :math:`V_\phi = V/\sqrt2` on :math:`\phi_{\rho-}`, then
    :math:`\upsilon = \sqrt{K_cK_{\rho-}}\,V_\phi/(\pi\sqrt{u_cu_-})`
    (:func:`pairing1d.theory.model.upsilon_from_coupling`)."""
    return upsilon_from_coupling(V / math.sqrt(2.0), u_minus, uc, Kc, K_minus)


@dataclass(frozen=True)
class LadderCutoffs:
    """RG cutoffs set by the gap and the back gate (module docstring).

    ``regime`` is ``"gapped"`` (:math:`|\\mu^*| < \\Delta`) or ``"soliton liquid"``; ``soliton_kF`` is
    :math:`q_F\\alpha_0` (0 when gapped); ``mismatch1, mismatch2`` the effective :math:`\\delta_{1,2}`.
    """

    lstar: float
    lstar2: float
    lmass: float
    soliton_kF: float
    mismatch1: float
    mismatch2: float
    regime: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _log_inverse(x: float) -> float:
    return math.inf if x == 0 else -math.log(abs(x))


def ladder_cutoffs(gap: float, mu_star: float, mismatch1: float, mismatch2: float = 2.0) -> LadderCutoffs:
    r"""Cutoffs :math:`\ell^*_{1,2}, \ell_m` of the ladder from the relative-charge gap :math:`\Delta`, the back gate
    :math:`\mu^*` (both in units of :math:`\Lambda_{\rm sec}`) and the bare mismatches
    :math:`\delta_{1,2} = (k_F \pm k_1)\alpha_0` (signed).

    .. math::
        |\mu^*| < \Delta:\ \ell_m = \ln\frac{1}{\Delta - |\mu^*|},\ \ell^*_i = \ln\frac{1}{|\delta_i|};\qquad
        |\mu^*| \ge \Delta:\ \ell_m = \infty,\ \ell^*_{1,2} = \ln\frac{1}{|\delta_{1,2} \mp
        \mathrm{sgn}(\mu^*)\sqrt{\mu^{*2}-\Delta^2}/2|}.
    """
    gap = _finite("gap", gap, "relative-charge gap Delta / Lambda_sec, Sec. III A")
    mu_star = _finite("mu_star", mu_star, "back-gate potential difference / Lambda_sec, Sec. III A")
    mismatch1 = _finite("mismatch1", mismatch1, "(kF + k1) alpha0, Eq. (15)")
    mismatch2 = _finite("mismatch2", mismatch2, "(kF - k1) alpha0, Eq. (15)")
    if not 0 < gap < 1:
        raise ModelError(f"gap = {gap!r} is outside the allowed range (0, 1) (relative-charge gap in units of the "
                         "secondary bandwidth Lambda_sec = u_-/alpha0, Sec. III A)")
    if abs(mu_star) >= 1:
        raise ModelError(f"mu_star = {mu_star!r} is outside the allowed range (-1, 1) (back-gate potential in units "
                         "of Lambda_sec, Sec. III A)")
    if abs(mu_star) < gap:
        return LadderCutoffs(
            lstar=_log_inverse(mismatch1), lstar2=_log_inverse(mismatch2),
            lmass=mass_cutoff(gap, abs(mu_star), 1.0), soliton_kF=0.0,
            mismatch1=mismatch1, mismatch2=mismatch2, regime="gapped",
        )
    q = math.sqrt(mu_star**2 - gap**2)
    shift = math.copysign(q / 2.0, mu_star)
    d1, d2 = mismatch1 - shift, mismatch2 + shift
    return LadderCutoffs(
        lstar=_log_inverse(d1), lstar2=_log_inverse(d2), lmass=math.inf, soliton_kF=q,
        mismatch1=d1, mismatch2=d2, regime="soliton liquid",
    )


def ladder_model(
    K_minus: float = 0.9, gap: float = 0.05, mu_star: float = 0.0, mismatch1: float = 0.05, mismatch2: float = 2.0,
    **model_fields: Any,
) -> Model:
    """The :class:`~pairing1d.theory.model.Model` of a primary wire next to a Mott ladder: ``vertex_charge = 1``,
    ``K0 = K_minus`` and the cutoffs of :func:`ladder_cutoffs`; every other field (``Kc0, ys0, y0, upsilon, ...``)
    is passed through. ``lstar``, ``lstar2``, ``lmass``, ``K0`` and ``vertex_charge`` are set here and refused in
    ``model_fields``."""
    clash = sorted(set(model_fields) & set(SET_BY_LADDER))
    if clash:
        raise ModelError(f"{', '.join(clash)} of a ladder device are set by K_minus, the gap and the back gate "
                         "(give K_minus, gap, mu_star, mismatch1, mismatch2 instead)")
    K_minus = _finite("K_minus", K_minus, "Luttinger parameter K_rho- of the ladder's relative charge")
    low, high = POSITIVE_RANGES["K0"]  # it is the vertex's K0: the same range, under the name the user gave
    if not low <= K_minus <= high:
        raise ModelError(f"K_minus = {K_minus!r} is outside the allowed range [{low:g}, {high:g}] (Luttinger "
                         "parameter K_rho- of the ladder's relative charge, the K0 of the vertex)")
    cut = ladder_cutoffs(gap, mu_star, mismatch1, mismatch2)
    return Model(K0=K_minus, vertex_charge=LADDER_VERTEX_CHARGE, lstar=cut.lstar, lstar2=cut.lstar2,
                 lmass=cut.lmass, **model_fields)


# --- Little's limit ------------------------------------------------------------------------------------------------


def polarizer_energy(n, V, E_tilde):
    r"""Ground-state energy of one polarizer (levels 0 and :math:`\tilde E`) next to :math:`n` electrons, coupled by
    :math:`Vn(|g\rangle\langle e| + {\rm h.c.})`: the lower eigenvalue of :math:`\begin{pmatrix}0 & nV\\ nV &
    \tilde E\end{pmatrix}`, :math:`E_n = \tilde E/2 - \sqrt{\tilde E^2/4 + n^2V^2}`. Numbers or arrays."""
    return E_tilde / 2.0 - np.hypot(E_tilde / 2.0, n * V)  # hypot: no overflow of the squares


@dataclass(frozen=True)
class LittleResult:
    """Little's limit of a device: the induced interaction and the phase of the primary wire it leads to.

    ``U_eff`` is exact for one polarizer per site (:math:`U + E_2 + E_0 - 2E_1`), ``U_eff_second_order`` is
    :math:`U - 2V^2/\\tilde E`; ``ys0`` and ``Kc0`` the weak-coupling bosonized parameters of the primary wire
    with that on-site interaction; ``phase`` the RG verdict (:class:`~pairing1d.theory.phases.PhaseResult`).
    """

    U: float
    V: float
    E_tilde: float
    vF: float
    U_eff: float
    U_eff_second_order: float
    ys0: float
    Kc0: float
    spin_gap: float
    phase: PhaseResult

    @property
    def pairs(self) -> bool:
        """Whether the induced attraction beats the bare repulsion (:math:`U_{\\rm eff} < 0`, a spin gap)."""
        return self.U_eff < 0

    def to_dict(self) -> dict[str, Any]:
        names = ("U", "V", "E_tilde", "vF", "U_eff", "U_eff_second_order", "ys0", "Kc0", "spin_gap")
        return {k: getattr(self, k) for k in names} | {
            "pairs": self.pairs, "phase": self.phase.phase, "dominant_order": self.phase.dominant_order,
            "lmax": self.phase.model.lmax,
        }


def little_limit(U: float, V: float, E_tilde: float, vF: float = 1.0, **model_fields: Any) -> LittleResult:
    r"""Little's model as the :math:`v_{\rm sec}\to 0` limit of the ladder (module docstring).

    ``U`` is the on-site repulsion of the primary wire, ``V`` the electron-polarizer coupling, ``E_tilde`` the
    polarizer excitation energy and ``vF`` the Fermi velocity, all in one energy unit (:math:`\hbar = a = 1`).
    The primary wire is then a Hubbard chain with :math:`U_{\rm eff}`; to first order in it

    .. math::
        y_s^0 = \frac{U_{\rm eff}}{\pi v_F}, \qquad K_c^0 = \Big(1 + \frac{U_{\rm eff}}{\pi v_F}\Big)^{-1/2},

    and the flow of Eq. (16) runs with no inter-wire vertex (``y0 = 0``, ``upsilon = 0``): a spin gap
    :math:`e^{-\bar\ell}` opens iff :math:`U_{\rm eff} < 0`. Other :class:`~pairing1d.theory.model.Model` fields
    (``lmax``, ``temperature``, ``su2``, ...) can be passed through.
    """
    U = _finite("U", U, "on-site repulsion of the primary wire, Sec. III A")
    V = _finite("V", V, "electron-polarizer coupling, Sec. III A")
    E_tilde = _finite("E_tilde", E_tilde, "polarizer excitation energy, Sec. III A")
    vF = _finite("vF", vF, "Fermi velocity of the primary wire")
    if E_tilde <= 0:
        raise ModelError(f"E_tilde = {E_tilde!r} is outside the allowed range (0, inf) (polarizer excitation energy)")
    if vF <= 0:
        raise ModelError(f"vF = {vF!r} is outside the allowed range (0, inf) (Fermi velocity)")
    from .phases import phase_of

    e0, e1, e2 = (float(polarizer_energy(n, V, E_tilde)) for n in (0, 1, 2))
    U_eff = U + e2 + e0 - 2.0 * e1
    g = U_eff / (math.pi * vF)
    if not math.isfinite(g):
        raise ModelError(f"U_eff/(pi vF) overflows for U = {U!r}, V = {V!r}, E_tilde = {E_tilde!r}, vF = {vF!r}: give "
                         "the energies in a unit where they are of order one")
    if not -1 < g < 1:
        raise ModelError(f"U_eff/(pi vF) = {g:.4g} is outside the allowed range (-1, 1) (weak-coupling bosonization "
                         "of the primary Hubbard chain; reduce |U_eff| or raise vF)")
    clash = sorted(set(model_fields) & {"ys0", "Kc0", "y0", "y2", "upsilon"})
    if clash:
        raise ModelError(f"{', '.join(clash)} are set by Little's limit (U, V, E_tilde, vF)")
    Kc0 = (1.0 + g) ** -0.5
    model = Model(ys0=g, Kc0=Kc0, y0=0.0, y2=0.0, upsilon=0.0, **model_fields)
    spin_gap = math.exp(-(1.0 - abs(g)) / abs(g)) if g < 0 else 0.0
    return LittleResult(U=U, V=V, E_tilde=E_tilde, vF=vF, U_eff=U_eff, U_eff_second_order=U - 2 * V * V / E_tilde,
                        ys0=g, Kc0=Kc0, spin_gap=spin_gap, phase=phase_of(model))
