"""Appendix D and Table I: conductances from the pinned modes, and the impurity scales of Sec. II C 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pairing1d import ModelError
from pairing1d.cli import main
from pairing1d.theory.transport import (
    PINNED,
    conductances,
    impurity_scales,
    signatures,
    table_one,
    transmission_matrix,
)


def test_table_one_numbers():
    """G = 2, 2, 4/3 e^2/h; cross conductance -2/3 e^2/h in the trion phase (Appendix D); tunnelling column."""
    d, p, t = (signatures(x) for x in ("decoupled", "paired", "trion"))
    assert d.conductance == p.conductance == 2.0
    assert t.conductance == pytest.approx(4 / 3, abs=1e-12) and t.cross_conductance == pytest.approx(-2 / 3, abs=1e-12)
    assert d.cross_conductance == p.cross_conductance == 0.0
    assert (d.tunneling, p.tunneling, t.tunneling) == ("power-law", "gap", "gap")


def test_floating_secondary_is_absolute_drag_in_the_trion_phase():
    """No current can leave a floating secondary; in the trion phase the primary current then vanishes."""
    assert signatures("trion").floating_conductance == 0.0
    assert signatures("paired").floating_conductance == 2.0


def test_t_is_the_projector_on_the_free_modes():
    """T = 1 - sum n n^T is symmetric and idempotent; in the trion phase it is n_f n_f^T (Eq. D4-D5)."""
    for pinned in PINNED.values():
        T = transmission_matrix(pinned)
        np.testing.assert_allclose(T, T.T, atol=1e-14)
        np.testing.assert_allclose(T @ T, T, atol=1e-14)
    n_f = np.array([1, 1, -1]) / np.sqrt(3)
    np.testing.assert_allclose(transmission_matrix(PINNED["trion"]), np.outer(n_f, n_f), atol=1e-14)


def test_any_pinned_vectors_are_orthonormalized():
    """Unnormalized, non-orthogonal vectors spanning the same space give the same T."""
    T = transmission_matrix([[2, -2, 0], [1, 0, 1]])  # spans n_s and n_g: (1,0,1) = ((1,-1,0) + (1,1,2)) / 2
    np.testing.assert_allclose(T, transmission_matrix(PINNED["trion"]), atol=1e-14)
    # pinning the secondary alone leaves the primary free: G = 2
    assert conductances(transmission_matrix([[0, 0, 1]])).grounded == 2.0
    # pinning the total primary charge: no two-terminal conductance
    assert conductances(transmission_matrix([[1, 1, 0]])).grounded == 0.0


@pytest.mark.parametrize("bad", [[[1, -1, 0], [2, -2, 0]], [[1, 2]], [[np.nan, 0, 0]]])
def test_bad_pinned_vectors(bad):
    with pytest.raises(ModelError):
        transmission_matrix(bad)


def test_impurity_scales():
    """E_LL = (g/L)^(2/(1-Kc)) < E_sG = (g/L)^(2/(2-Kc)) for g < L: the paired phase conducts less."""
    e_ll, e_sg = impurity_scales(0.1, 0.6)
    assert e_ll == pytest.approx(0.1**5) and e_sg == pytest.approx(0.1 ** (2 / 1.4))
    assert e_sg > e_ll
    for bad in [(0.0, 0.5), (1.5, 0.5), (0.1, 1.0), (0.1, 0.0)]:
        with pytest.raises(ModelError):
            impurity_scales(*bad)


def test_table_markdown():
    text = table_one()
    assert "| Two-terminal conductance [e^2/h] | 2 | 2 | 4/3 |" in text and "-2/3" in text


def test_cli_signatures_json(capsys):
    with pytest.raises(SystemExit) as info:
        main(["signatures", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert info.value.code == 0 and set(data) == {"decoupled", "paired", "trion", "triplet"}
    assert data["trion"]["conductance"] == pytest.approx(4 / 3) and data["trion"]["tunneling"] == "gap"
    assert data["triplet"]["conductance"] == 2 and data["triplet"]["tunneling"] == "gap"  # phi_s pinned as paired
    with pytest.raises(SystemExit):
        main(["signatures", "--K0", "0.3", "--lstar", "4", "--json"])  # a device: its own row
    assert set(json.loads(capsys.readouterr().out)) == {"trion"}
    with pytest.raises(SystemExit) as info:
        main(["signatures", "--phase", "superconducting"])
    assert info.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


def test_impurity_in_every_phase():
    """The general crossover g^(1/(1-d)) reproduces E_LL, E_sG; in the trion phase d = Kf/3 (composite CDW): a
    scale g^(3/(3-Kf)) below the free-trion point, none (irrelevant impurity) above it."""
    from pairing1d.theory.transport import impurity_crossover, impurity_dimension

    assert impurity_crossover(0.1, impurity_dimension("decoupled", 0.6)) == pytest.approx(impurity_scales(0.1, 0.6)[0])
    assert impurity_dimension("trion", 0.6, Kf=2.4) == pytest.approx(0.8)
    assert impurity_crossover(0.1, impurity_dimension("trion", 0.6, Kf=2.4)) == pytest.approx(0.1 ** (3 / 0.6))
    assert impurity_crossover(0.1, impurity_dimension("trion", 0.6, Kf=3.5)) == 0.0
    assert impurity_dimension("trion", 0.6, Kf=4.5, p=1.0) == pytest.approx(0.75)  # Kf/6 for the ladder boson
    with pytest.raises(ModelError):
        impurity_dimension("trion", 0.6)
    with pytest.raises(ModelError):
        impurity_dimension("solid", 0.6)


def test_signatures_cli_with_impurity(capsys):
    import json

    from pairing1d.cli import main
    from pairing1d.theory.transport import impurity_crossover

    with pytest.raises(SystemExit):
        main(["signatures", "--json", "--g-imp", "0.1"])  # every row, for the default device (Kc0 = 0.9)
    rows = json.loads(capsys.readouterr().out)
    assert set(rows) == {"decoupled", "paired", "trion", "triplet"}
    # the impurity's charge exponent is the device's, from the Gaussian theory (the CDW operator's), not bare Kc0
    from pairing1d import Model

    kc_eff = 2 * Model().dimensions["cdw"]
    assert kc_eff != pytest.approx(0.9)
    assert rows["decoupled"]["impurity_scale"] == pytest.approx(impurity_scales(0.1, kc_eff)[0])
    assert rows["paired"]["impurity_scale"] == pytest.approx(impurity_scales(0.1, kc_eff)[1])
    assert rows["triplet"]["impurity_scale"] == rows["paired"]["impurity_scale"]
    trion = rows["trion"]
    assert trion["impurity_scale"] == pytest.approx(impurity_crossover(0.1, trion["impurity_dimension"]))
