"""Appendix C: the locked Hamiltonian in the (phi_g, phi_f) basis of Eq. (19), checked by matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pairing1d import Model, ModelError
from pairing1d.theory.trion import (
    FREE_TRION_KF,
    locked_sector,
    sc_threshold,
    trion_dimensions,
    trion_sector_of_model,
    trion_verdict,
)

BASIS = np.array([[1, math.sqrt(2)], [math.sqrt(2), -1]]) / math.sqrt(3)  # rows: phi_g, phi_f from (phi_c, phi)


def basis(p: float) -> np.ndarray:
    """Rows: the pinned combination of cos(sqrt2 phi_c + p phi) and the orthogonal free one, normalized."""
    b = np.array([[math.sqrt(2), p], [p, -math.sqrt(2)]])
    return b / np.linalg.norm(b[0])


def test_p2_basis_is_eq19():
    np.testing.assert_allclose(basis(2.0), BASIS, rtol=1e-15)


@pytest.mark.parametrize("p", [2.0, 1.0])
@pytest.mark.parametrize(
    "uc, Kc, u, K, V_phi, V_theta", [(1.0, 0.8, 0.7, 0.4, 0.5, -0.2), (1.3, 0.6, 0.4, 0.3, 0.2, 0.1)]
)
def test_locked_sector_is_the_change_of_basis(uc, Kc, u, K, V_phi, V_theta, p):
    phi = np.array([[uc / Kc, V_phi / np.pi], [V_phi / np.pi, u / K]])  # units of 1/(2 pi)
    theta = np.array([[uc * Kc, V_theta / np.pi], [V_theta / np.pi, u * K]])
    b = basis(p)
    phi_new, theta_new = b @ phi @ b.T, b @ theta @ b.T
    c = locked_sector(uc, Kc, u, K, V_phi, V_theta, p)
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


@pytest.mark.parametrize("kf", [0.7, 2.0, 3.0, 5.5])
def test_p2_dimensions_are_the_papers_closed_forms(kf):
    """Eq. (21) and Sec. II C 3: trion operator Kf/12 + 3/(4 Kf), trion CDW Kf/3, trion pairing 3/Kf."""
    d = trion_dimensions(kf, 2.0)
    assert d["trion_operator"] == pytest.approx(kf / 12 + 3 / (4 * kf))
    assert d["trion_cdw"] == pytest.approx(kf / 3) and d["trion_sc"] == pytest.approx(3 / kf)


@pytest.mark.parametrize("p", [2.0, 1.0])
@pytest.mark.parametrize("kf", [0.8, 3.0, 4.5])
def test_composite_from_charge_vectors(p, kf):
    """Independent path: the composite (one pair e^{i sqrt2 theta_c}, 2/p secondary quanta e^{-i(2/p) theta}) must
    commute with the pinned phi_g (charge vector orthogonal to it); projected on phi_f its theta_f charge c gives
    the dimension c^2/(4 Kf); the primary CDW e^{i sqrt2 phi_c} projected on phi_f has phi_f charge d, dimension
    d^2 Kf/4."""
    g, f = basis(p)
    composite = np.array([math.sqrt(2), -2 / p])
    assert g @ composite == pytest.approx(0, abs=1e-15)
    c = f @ composite
    d = math.sqrt(2) * f[0]
    dims = trion_dimensions(kf, p)
    fermion = round(2 / p) % 2 == 1
    # a fermion carries the extra cos(phi_f / c' - kF x) factor that makes its dimension 1/2 at the free point
    assert dims["trion_operator"] == pytest.approx(c * c / (4 * kf) + (d * d * kf / 16 if fermion else 0))
    assert dims["trion_cdw"] == pytest.approx(d * d * kf / 4)
    assert dims["trion_sc"] == pytest.approx((2 * c) ** 2 / (4 * kf) if fermion else c * c / (4 * kf))
    # SC wins exactly above the threshold, for both p
    assert (dims["trion_sc"] < dims["trion_cdw"]) == (kf > sc_threshold(p))


def test_p1_is_a_boson_of_a_pair_and_two_quanta():
    """p = 1 (Mott ladder): the composite is a boson, dimension 3/(2 Kf); CDW Kf/6; SC wins above Kf = 3, impurities
    (dimension Kf/6) are irrelevant only above Kf = 6."""
    d = trion_dimensions(2.0, 1.0)
    assert d["trion_operator"] == pytest.approx(3 / 4) and d["trion_cdw"] == pytest.approx(1 / 3)
    assert sc_threshold(1.0) == 3.0 and sc_threshold(2.0) == 3.0
    assert trion_verdict(4.0, 1.0) == {"Kf": 4.0, "dominant_order": "SC", "impurities_irrelevant": False}
    assert trion_verdict(6.5, 1.0)["impurities_irrelevant"]
    np.testing.assert_array_equal(sc_threshold(np.array([1.0, 2.0])), [3.0, 3.0])


def test_p1_kf_differs_and_reduces_to_p2_formula():
    """Kf of the same device depends on p (the pinned combination differs); p = 2 is the Model default."""
    m = Model(K0=0.4, Kc0=0.8, upsilon=0.2)
    assert trion_sector_of_model(m) == trion_sector_of_model(Model(K0=0.4, Kc0=0.8, upsilon=0.2, vertex_charge=2))
    assert trion_sector_of_model(Model(K0=0.4, Kc0=0.8, upsilon=0.2, vertex_charge=1))[0] != trion_sector_of_model(m)[0]
    with pytest.raises(ModelError, match="vertex_charge"):
        trion_dimensions(1.0, 3.0)


def run(argv, capsys):
    from pairing1d.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_trion_cli_both_modes(capsys):
    """Explicit mode is locked_sector of the flags; model mode is the Model's sector on the line of Eq. (13); the
    dimensions and the verdict use the exact Kf (theta_g integrated out), Eq. (20)'s value is reported beside it."""
    import json

    code, out, err = run(["trion", "--json", "--Kc", "0.8", "--K", "0.4", "--u", "0.7", "--V-phi", "0.5",
                          "--V-theta", "-0.2"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["sector"]["Kf"] == pytest.approx(locked_sector(1.0, 0.8, 0.7, 0.4, 0.5, -0.2)["Kf"])
    assert data["dimensions"]["trion_cdw"] == pytest.approx(data["sector"]["Kf_exact"] / 3)
    assert data["sector"]["Kf_exact"] < data["sector"]["Kf"]
    code, out, err = run(["trion", "--json", "--K0", "0.3", "--vertex-charge", "1"], capsys)
    data = json.loads(out)
    assert data["sector"]["Kf"] == pytest.approx(trion_sector_of_model(Model(K0=0.3, vertex_charge=1))[0])
    assert data["Kf"] == pytest.approx(data["sector"]["Kf_exact"])
    for argv in (["trion", "--Kc", "0.8"], ["trion", "--Kc", "0.8", "--K", "-1"], ["trion", "--K0", "-1"]):
        code, out, err = run(argv, capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1
