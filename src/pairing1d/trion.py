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
"""

from __future__ import annotations

import math

import numpy as np

from .model import Model, ModelError

__all__ = [
    "trion_sector", "trion_sector_dimensionless", "trion_sector_of_model", "locked_sector", "trion_dimensions",
    "trion_verdict", "FREE_TRION_KF",
]

FREE_TRION_KF = 3.0
"""Kf of free (non-interacting) trions: Eq. (21) compared with spinless fermions."""

SQRT8 = math.sqrt(8.0)


def trion_sector(uc, Kc, u, K, V_phi, V_theta):
    r"""Luttinger parameter and velocity :math:`(K_f, u_f)` of the trion mode, Eq. (20) and (C2b).

    Velocities and the forward couplings :math:`V_\phi, V_\theta` in the same units (:math:`\hbar = 1`);
    :math:`V_\theta` is general (Eq. 13 is not assumed). Numbers or numpy arrays.
    """
    phi_stiffness = 2 * uc / Kc + u / K - SQRT8 * V_phi / math.pi
    theta_stiffness = 2 * uc * Kc + u * K - SQRT8 * V_theta / math.pi
    if np.any(phi_stiffness <= 0) or np.any(theta_stiffness <= 0):
        raise ModelError(
            f"trion-mode stiffnesses ({np.min(phi_stiffness):.4g}, {np.min(theta_stiffness):.4g}) are outside "
            "(0, inf) (Eq. (20) needs a stable phi_f sector)"
        )
    return np.sqrt(theta_stiffness / phi_stiffness), np.sqrt(phi_stiffness * theta_stiffness) / 3.0


def trion_sector_dimensionless(Kc0, K0, upsilon, u_ratio):
    r"""(Kf, uf/uc) on the line of Eq. (13) from the bare Kc0, K0, upsilon, u/uc (numbers or arrays).

    In units :math:`u_c = 1`: :math:`u = u/u_c`, :math:`V_\phi = \pi\upsilon\sqrt{u/(K_cK)}` (definition of
    :math:`\upsilon`), :math:`V_\theta = -V_\phi u K_c K` (Eq. 13). Both stiffnesses are positive whenever
    :math:`|\upsilon| < 1` and :math:`|u\upsilon/u_c| < 1` (AM-GM), i.e. everywhere in the model's domain.
    """
    V_phi = math.pi * upsilon * np.sqrt(u_ratio / (Kc0 * K0))
    return trion_sector(1.0, Kc0, u_ratio, K0, V_phi, -V_phi * u_ratio * Kc0 * K0)


def trion_sector_of_model(model: Model) -> tuple[float, float]:
    """(Kf, uf/uc) of a :class:`Model` (:func:`trion_sector_dimensionless` of its bare parameters)."""
    kf, uf = trion_sector_dimensionless(model.Kc0, model.K0, model.upsilon, model.u_ratio)
    return float(kf), float(uf)


def locked_sector(uc, Kc, u, K, V_phi, V_theta) -> dict[str, float]:
    r"""All coefficients of the locked Hamiltonian, Eq. (C1)-(C2), from the bosonized parameters.

    Returns ``Kf, uf`` (Eq. 20, C2b), ``Kg, ug`` (C2a, C2c), ``V_cross``, ``V_cross_theta`` (C2d, C2e):

    .. math::
        K_g = \sqrt{\frac{u_cK_c + 2uK + \sqrt8V_\theta/\pi}{u_c/K_c + 2u/K + \sqrt8V_\phi/\pi}},\quad
        V_\times = \tfrac13\big[\sqrt2\pi(u_c/K_c - u/K) + V_\phi\big],\quad
        V'_\times = \tfrac13\big[\sqrt2\pi(u_cK_c - uK) + V_\theta\big].
    """
    kf, uf = trion_sector(uc, Kc, u, K, V_phi, V_theta)
    g_phi = uc / Kc + 2 * u / K + SQRT8 * V_phi / math.pi
    g_theta = uc * Kc + 2 * u * K + SQRT8 * V_theta / math.pi
    if np.any(g_phi <= 0) or np.any(g_theta <= 0):
        raise ModelError(f"phi_g stiffnesses ({np.min(g_phi):.4g}, {np.min(g_theta):.4g}) are outside (0, inf) "
                         "(Eq. (C2a) needs a stable phi_g sector)")
    return {
        "Kf": kf, "uf": uf, "Kg": np.sqrt(g_theta / g_phi), "ug": np.sqrt(g_phi * g_theta) / 3.0,
        "V_cross": (math.sqrt(2) * math.pi * (uc / Kc - u / K) + V_phi) / 3.0,
        "V_cross_theta": (math.sqrt(2) * math.pi * (uc * Kc - u * K) + V_theta) / 3.0,
    }


def trion_dimensions(Kf) -> dict[str, float]:
    r"""Scaling dimensions in the trion phase, from Eq. (21) and Appendix C.

    trion operator :math:`e^{i\sqrt3\theta_f}\cos(\phi_f/\sqrt3 - k_Fx)`: :math:`K_f/12 + 3/(4K_f)` (1/2, a free
    fermion, at :math:`K_f = 3`); trion CDW :math:`\cos(2\phi_f/\sqrt3)`: :math:`K_f/3`; trion pairing
    :math:`e^{2i\sqrt3\theta_f}`: :math:`3/K_f`; every impurity backscattering term is :math:`\propto
    \cos(2\phi_f/\sqrt3)`, dimension :math:`K_f/3`, irrelevant (> 1) for :math:`K_f > 3`.
    """
    return {"trion_operator": Kf / 12 + 3 / (4 * Kf), "trion_cdw": Kf / 3, "trion_sc": 3 / Kf,
            "impurity": Kf / 3}


def trion_verdict(Kf: float) -> dict[str, object]:
    """Dominant trion order (SC if Kf > 3, else CDW) and whether impurities are irrelevant (Kf > 3)."""
    return {"Kf": float(Kf), "dominant_order": "SC" if Kf > FREE_TRION_KF else "CDW",
            "impurities_irrelevant": bool(Kf > FREE_TRION_KF)}
