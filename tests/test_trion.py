"""Appendix C: the locked Hamiltonian in the (phi_g, phi_f) basis of Eq. (19), checked by matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pairing1d.trion import FREE_TRION_KF, locked_sector, trion_dimensions, trion_verdict

BASIS = np.array([[1, math.sqrt(2)], [math.sqrt(2), -1]]) / math.sqrt(3)  # rows: phi_g, phi_f from (phi_c, phi)


@pytest.mark.parametrize(
    "uc, Kc, u, K, V_phi, V_theta", [(1.0, 0.8, 0.7, 0.4, 0.5, -0.2), (1.3, 0.6, 0.4, 0.3, 0.2, 0.1)]
)
def test_locked_sector_is_the_change_of_basis(uc, Kc, u, K, V_phi, V_theta):
    phi = np.array([[uc / Kc, V_phi / np.pi], [V_phi / np.pi, u / K]])  # units of 1/(2 pi)
    theta = np.array([[uc * Kc, V_theta / np.pi], [V_theta / np.pi, u * K]])
    phi_new, theta_new = BASIS @ phi @ BASIS.T, BASIS @ theta @ BASIS.T
    c = locked_sector(uc, Kc, u, K, V_phi, V_theta)
    assert c["Kg"] == pytest.approx(math.sqrt(theta_new[0, 0] / phi_new[0, 0]))
    assert c["ug"] == pytest.approx(math.sqrt(theta_new[0, 0] * phi_new[0, 0]))
    assert c["Kf"] == pytest.approx(math.sqrt(theta_new[1, 1] / phi_new[1, 1]))
    # H_x = V_x/pi^2 dphi_g dphi_f is (2 V_x / pi) in units of 1/(2 pi) on the off-diagonal pair
    assert c["V_cross"] == pytest.approx(phi_new[0, 1] * np.pi)
    assert c["V_cross_theta"] == pytest.approx(theta_new[0, 1] * np.pi)


def test_free_trion_point():
    """At Kf = 3 the trion operator of Eq. (21) has the dimension 1/2 of a free fermion and the trion CDW and
    SC dimensions are equal; SC wins and impurities become irrelevant above it."""
    d = trion_dimensions(FREE_TRION_KF)
    assert d["trion_operator"] == pytest.approx(0.5) and d["trion_cdw"] == pytest.approx(d["trion_sc"])
    assert d["impurity"] == pytest.approx(1.0)
    assert trion_verdict(3.5) == {"Kf": 3.5, "dominant_order": "SC", "impurities_irrelevant": True}
    assert trion_verdict(2.0)["dominant_order"] == "CDW"
    for kf in (0.5, 2.0, 4.0):
        d = trion_dimensions(kf)
        assert (d["trion_sc"] < d["trion_cdw"]) == (kf > 3)
