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

from .model import Model, ModelError

__all__ = ["trion_sector", "trion_sector_of_model", "FREE_TRION_KF"]

FREE_TRION_KF = 3.0
"""Kf of free (non-interacting) trions: Eq. (21) compared with spinless fermions."""

SQRT8 = math.sqrt(8.0)


def trion_sector(uc: float, Kc: float, u: float, K: float, V_phi: float, V_theta: float) -> tuple[float, float]:
    r"""Luttinger parameter and velocity :math:`(K_f, u_f)` of the trion mode, Eq. (20) and (C2b).

    Velocities and the forward couplings :math:`V_\phi, V_\theta` in the same units (:math:`\hbar = 1`);
    :math:`V_\theta` is general (Eq. 13 is not assumed).
    """
    phi_stiffness = 2 * uc / Kc + u / K - SQRT8 * V_phi / math.pi
    theta_stiffness = 2 * uc * Kc + u * K - SQRT8 * V_theta / math.pi
    if phi_stiffness <= 0 or theta_stiffness <= 0:
        raise ModelError(
            f"trion-mode stiffnesses ({phi_stiffness:.4g}, {theta_stiffness:.4g}) are outside (0, inf) "
            "(Eq. (20) needs a stable phi_f sector)"
        )
    return math.sqrt(theta_stiffness / phi_stiffness), math.sqrt(phi_stiffness * theta_stiffness) / 3.0


def trion_sector_of_model(model: Model) -> tuple[float, float]:
    r"""(Kf, uf/uc) for a :class:`Model` on the line of Eq. (13), from its bare Kc0, K0, upsilon, u/uc.

    In units :math:`u_c = 1`: :math:`u = u/u_c`, :math:`V_\phi = \pi\upsilon\sqrt{u/(K_cK)}` (definition of
    :math:`\upsilon`), :math:`V_\theta = -V_\phi u K_c K` (Eq. 13).
    """
    Kc, K, u = model.Kc0, model.K0, model.u_ratio
    V_phi = math.pi * model.upsilon * math.sqrt(u / (Kc * K))
    return trion_sector(1.0, Kc, u, K, V_phi, -V_phi * u * Kc * K)
