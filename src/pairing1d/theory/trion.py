r"""The trion phase (Sec. II C 3 and Appendix C): the gapless sector left when :math:`\phi_s` and
:math:`\phi_g = (\phi_c + \sqrt2\phi)/\sqrt3` are pinned.

The remaining mode :math:`\phi_f = (\sqrt2\phi_c - \phi)/\sqrt3` is a Luttinger liquid, Eq. (20), with

.. math::
    K_f = \sqrt{\frac{2u_cK_c + uK - \sqrt8\,V_\theta/\pi}{2u_c/K_c + u/K - \sqrt8\,V_\phi/\pi}}, \qquad
    u_f = \frac13\sqrt{\Big[\frac{2u_c}{K_c} + \frac{u}{K} - \frac{\sqrt8 V_\phi}{\pi}\Big]
                        \Big[2u_cK_c + uK - \frac{\sqrt8 V_\theta}{\pi}\Big]}   \quad (C2b).

(Eq. C2b as printed lacks the "+" between :math:`2u_c/K_c` and :math:`u/K`; the form above is what the
change of basis of Eq. (19) gives.) :math:`K_f = 3` is the free-trion point: trion CDW dominates for
:math:`K_f < 3`, trion pairing (SC) for :math:`K_f > 3`, where impurities are also irrelevant.

For a secondary vertex of charge :math:`p` (``Model.vertex_charge``; :math:`p = 1` for the Mott ladder of Sec.
III A) the pinned and free combinations are :math:`\phi_g = (\sqrt2\phi_c + p\phi)/N`,
:math:`\phi_f = (p\phi_c - \sqrt2\phi)/N`, :math:`N = \sqrt{2+p^2}` (:math:`p = 2` is Eq. 19), and

.. math::
    K_f^2 = \frac{p^2u_cK_c + 2uK - 2\sqrt2\,p\,V_\theta/\pi}{p^2u_c/K_c + 2u/K - 2\sqrt2\,p\,V_\phi/\pi}.

The gapless composite is a singlet pair bound to :math:`2/p` secondary quanta (a trion at :math:`p = 2`, a
boson made of a pair and two relative-charge quanta at :math:`p = 1`); see :func:`trion_dimensions`.
"""

from __future__ import annotations

import math

import numpy as np

from ..support.errors import ModelError
from .model import VERTEX_CHARGES, Model

__all__ = [
    "trion_sector", "trion_sector_dimensionless", "trion_sector_of_model", "locked_sector",
    "locked_sector_of_model", "trion_dimensions",
    "trion_verdict", "sc_threshold", "FREE_TRION_KF",
]

FREE_TRION_KF = 3.0
"""Kf of free (non-interacting) trions: Eq. (21) compared with spinless fermions."""

SQRT2 = math.sqrt(2.0)


def _check_p(p) -> None:
    if not np.all(np.isin(p, VERTEX_CHARGES)):
        raise ModelError(f"vertex_charge = {p!r} is outside the allowed values {{1, 2}} (trion-phase composite)")


def _stiffnesses(uc, Kc, u, K, V_phi, V_theta, p):
    """(phi, theta) stiffnesses of phi_f times 2 pi N^2, and of phi_g, from the change of basis."""
    f_phi = p * p * uc / Kc + 2 * u / K - 2 * SQRT2 * p * V_phi / math.pi
    f_theta = p * p * uc * Kc + 2 * u * K - 2 * SQRT2 * p * V_theta / math.pi
    g_phi = 2 * uc / Kc + p * p * u / K + 2 * SQRT2 * p * V_phi / math.pi
    g_theta = 2 * uc * Kc + p * p * u * K + 2 * SQRT2 * p * V_theta / math.pi
    return f_phi, f_theta, g_phi, g_theta


def trion_sector(uc, Kc, u, K, V_phi, V_theta, p=2.0):
    r"""Luttinger parameter and velocity :math:`(K_f, u_f)` of the gapless mode, Eq. (20) and (C2b).

    Velocities and the forward couplings :math:`V_\phi, V_\theta` in the same units (:math:`\hbar = 1`);
    :math:`V_\theta` is general (Eq. 13 is not assumed). Numbers or numpy arrays. ``p`` is the secondary vertex
    charge (module docstring); :math:`u_f = \sqrt{[\phi][\theta]}/(2+p^2)` with the two brackets of
    :math:`K_f^2`, which at :math:`p = 2` is Eq. (C2b) corrected.
    """
    _check_p(p)
    f_phi, f_theta, _, _ = _stiffnesses(uc, Kc, u, K, V_phi, V_theta, p)
    if np.any(f_phi <= 0) or np.any(f_theta <= 0):
        raise ModelError(
            f"trion-mode stiffnesses ({np.min(f_phi):.4g}, {np.min(f_theta):.4g}) are outside "
            "(0, inf) (Eq. (20) needs a stable phi_f sector)"
        )
    return np.sqrt(f_theta / f_phi), np.sqrt(f_phi * f_theta) / (2.0 + p * p)


def trion_sector_dimensionless(Kc0, K0, upsilon, u_ratio, p=2.0):
    r"""(Kf, uf/uc) on the line of Eq. (13) from the bare Kc0, K0, upsilon, u/uc (numbers or arrays).

    In units :math:`u_c = 1`: :math:`u = u/u_c`, :math:`V_\phi = \pi\upsilon\sqrt{u/(K_cK)}` (definition of
    :math:`\upsilon`), :math:`V_\theta = -V_\phi u K_c K` (Eq. 13). Both stiffnesses are positive whenever
    :math:`|\upsilon| < 1` and :math:`|u\upsilon/u_c| < 1` (AM-GM), i.e. everywhere in the model's domain.
    """
    V_phi, V_theta = _line13_couplings(Kc0, K0, upsilon, u_ratio)
    return trion_sector(1.0, Kc0, u_ratio, K0, V_phi, V_theta, p)


def _line13_couplings(Kc0, K0, upsilon, u_ratio):
    """(V_phi, V_theta) in units u_c = 1 from the definition of upsilon and Eq. (13)."""
    V_phi = math.pi * upsilon * np.sqrt(u_ratio / (Kc0 * K0))
    return V_phi, -V_phi * u_ratio * Kc0 * K0


def _model_couplings(model: Model) -> tuple[float, float]:
    """(V_phi, V_theta) of a Model in units u_c = 1, with its own upsilon_theta (line 13 when unset)."""
    r, Kc, K = model.u_ratio, model.Kc0, model.K0
    return math.pi * model.upsilon * math.sqrt(r / (Kc * K)), math.pi * model.upsilon_theta_eff * math.sqrt(r * Kc * K)


def trion_sector_of_model(model: Model) -> tuple[float, float]:
    """(Kf, uf/uc) of Eq. (20) and (C2b) for a :class:`~pairing1d.theory.model.Model` (its own :math:`V_\\theta`; line
    13 when unset).

    This is the paper's value, which drops the :math:`\\theta_g`-:math:`\\theta_f` coupling; the exact one is
    :func:`pairing1d.theory.gaussian.trion_mode` (``PhaseResult.Kf``)."""
    kf, uf = trion_sector(1.0, model.Kc0, model.u_ratio, model.K0, *_model_couplings(model), model.vertex_charge)
    return float(kf), float(uf)


def locked_sector_of_model(model: Model) -> dict[str, float]:
    """:func:`locked_sector` of a :class:`~pairing1d.theory.model.Model` (units :math:`u_c = 1`; its own
    :math:`V_\\theta`)."""
    out = locked_sector(1.0, model.Kc0, model.u_ratio, model.K0, *_model_couplings(model), model.vertex_charge)
    return {k: float(v) for k, v in out.items()}


def locked_sector(uc, Kc, u, K, V_phi, V_theta, p=2.0) -> dict[str, float]:
    r"""All coefficients of the locked Hamiltonian, Eq. (C1)-(C2), from the bosonized parameters.

    Returns ``Kf, uf`` (Eq. 20, C2b), ``Kf_exact, uf_exact`` (the Schur complement that keeps the
    :math:`\theta_g`-:math:`\theta_f` coupling, :func:`pairing1d.theory.gaussian.trion_mode`), ``Kg, ug`` (C2a, C2c),
    ``V_cross``, ``V_cross_theta`` (C2d, C2e); at
    :math:`p = 2`:

    .. math::
        K_g = \sqrt{\frac{u_cK_c + 2uK + \sqrt8V_\theta/\pi}{u_c/K_c + 2u/K + \sqrt8V_\phi/\pi}},\quad
        V_\times = \tfrac13\big[\sqrt2\pi(u_c/K_c - u/K) + V_\phi\big],\quad
        V'_\times = \tfrac13\big[\sqrt2\pi(u_cK_c - uK) + V_\theta\big].

    For general ``p``: :math:`V_\times = [\sqrt2 p\pi(u_c/K_c - u/K) + (p^2-2)V_\phi]/(2+p^2)`, likewise
    :math:`V'_\times`, and the :math:`\phi_g` brackets :math:`2u_c/K_c + p^2u/K + 2\sqrt2pV_\phi/\pi` (and
    :math:`\theta`).
    """
    kf, uf = trion_sector(uc, Kc, u, K, V_phi, V_theta, p)
    _, _, g_phi, g_theta = _stiffnesses(uc, Kc, u, K, V_phi, V_theta, p)
    if np.any(g_phi <= 0) or np.any(g_theta <= 0):
        raise ModelError(f"phi_g stiffnesses ({np.min(g_phi):.4g}, {np.min(g_theta):.4g}) are outside (0, inf) "
                         "(Eq. (C2a) needs a stable phi_g sector)")
    n2 = 2.0 + p * p
    from .gaussian import trion_mode  # the exact Kf: theta_g integrated out (Schur complement)

    upsilon = np.sqrt(Kc * K) * V_phi / (math.pi * np.sqrt(uc * u))
    upsilon_theta = V_theta / (math.pi * np.sqrt(uc * u * Kc * K))
    kf_exact, uf_exact, _ = trion_mode(Kc, K, u / uc, upsilon, upsilon_theta, p)
    return {
        "Kf": kf, "uf": uf, "Kf_exact": kf_exact, "uf_exact": uf_exact * uc,
        "Kg": np.sqrt(g_theta / g_phi), "ug": np.sqrt(g_phi * g_theta) / n2,
        "V_cross": (SQRT2 * p * math.pi * (uc / Kc - u / K) + (p * p - 2) * V_phi) / n2,
        "V_cross_theta": (SQRT2 * p * math.pi * (uc * Kc - u * K) + (p * p - 2) * V_theta) / n2,
    }


def _composite(p):
    """(N^2/p^2, fermionic): the composite is one pair and 2/p secondary quanta, a fermion iff 2/p is odd."""
    _check_p(p)
    return (2.0 + p * p) / (p * p), np.rint(2.0 / p) % 2 == 1


def trion_dimensions(Kf, p=2.0) -> dict[str, float]:
    r"""Scaling dimensions in the trion phase, from Eq. (21) and Appendix C.

    At :math:`p = 2`: trion operator :math:`e^{i\sqrt3\theta_f}\cos(\phi_f/\sqrt3 - k_Fx)`:
    :math:`K_f/12 + 3/(4K_f)` (1/2, a free fermion, at :math:`K_f = 3`); trion CDW :math:`\cos(2\phi_f/\sqrt3)`:
    :math:`K_f/3`; trion pairing :math:`e^{2i\sqrt3\theta_f}`: :math:`3/K_f`; every impurity backscattering term is
    :math:`\propto \cos(2\phi_f/\sqrt3)`, dimension :math:`K_f/3`, irrelevant (> 1) for :math:`K_f > 3`.

    General ``p`` (:math:`r = N^2/p^2 = (2+p^2)/p^2`): the composite (a pair, :math:`e^{i\sqrt2\theta_c}`, and
    :math:`2/p` secondary quanta, :math:`e^{-i(2/p)\theta}`) commutes with the pinned :math:`\phi_g` and is
    :math:`e^{i(\sqrt2N/p)\theta_f}`: dimension :math:`r/(2K_f)`, plus :math:`K_f/(8r)` from the
    :math:`\cos(\ldots\phi_f - k_Fx)` factor of a fermion; its density wave, the primary CDW
    :math:`e^{i\sqrt2\phi_c} \to e^{i(\sqrt2p/N)\phi_f}`: :math:`K_f/(2r)`; SC: the composite itself if it is a
    boson (:math:`r/(2K_f)`), a pair of them if it is a fermion (:math:`2r/K_f`). At :math:`p = 1` (boson,
    :math:`r = 3`): :math:`3/(2K_f)`, :math:`K_f/6`.
    """
    r, fermionic = _composite(p)
    operator = r / (2 * Kf) + (Kf / (8 * r) if fermionic else 0.0)
    cdw = Kf / (2 * r)
    sc = 2 * r / Kf if fermionic else r / (2 * Kf)
    return {"trion_operator": operator, "trion_cdw": cdw, "trion_sc": sc, "impurity": cdw}


def sc_threshold(p=2.0):
    """Kf above which the composite's SC beats its CDW: 2 N^2/p^2 for a fermion, N^2/p^2 for a boson (3 for
    p = 2 and for p = 1). Numbers or arrays."""
    r, fermionic = _composite(p)
    return np.where(fermionic, 2 * r, r) if np.ndim(p) else float(2 * r if fermionic else r)


def trion_verdict(Kf: float, p: float = 2.0) -> dict[str, object]:
    """Dominant order in the trion phase (SC if Kf > :func:`sc_threshold`, else CDW) and whether impurity
    backscattering, of the dimension of the composite CDW, is irrelevant (> 1: Kf > 3 at p = 2, > 6 at p = 1)."""
    dims = trion_dimensions(Kf, p)
    return {"Kf": float(Kf), "dominant_order": "SC" if Kf > sc_threshold(p) else "CDW",
            "impurities_irrelevant": bool(dims["impurity"] > 1.0)}
