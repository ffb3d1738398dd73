"""The lattice model by DMRG (TeNPy) against exact results: closed forms, Lieb-Wu, Bethe ansatz, spin gaps.

The sizes here keep `make test` short; `make test-long` repeats the checks on longer chains.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import expit, j0, j1

from pairing1d.lattice import LatticeError, LatticeParams, Sector
from pairing1d.lattice.bridge import bosonize, xxz_luttinger_parameter
from pairing1d.lattice.dmrg import ground_state_dmrg, initial_labels
from pairing1d.lattice.observables import extrapolate, gaps_from_energies, luttinger_parameter, structure_factor


def lieb_wu_energy(U: float, t: float = 1.0) -> float:
    """Ground-state energy per site of the half-filled Hubbard chain (Lieb & Wu 1968):
    e = -4t int_0^inf J0(w) J1(w) / (w (1 + exp(w U / 2t))) dw."""
    # for U >= t the Fermi factor has killed the integrand long before w = 200 (expit(-100) ~ 1e-44)
    return -4 * t * quad(lambda w: j0(w) * j1(w) / w * expit(-w * U / (2 * t)), 0, 200.0, limit=2000)[0]


def test_lieb_wu_reference():
    assert lieb_wu_energy(40.0) == pytest.approx(-4 * math.log(2) / 40.0, rel=0.01)  # Heisenberg limit -4 t^2 ln2 / U
    assert lieb_wu_energy(4.0) == pytest.approx(-0.573729, abs=1e-6)


def test_initial_state_has_the_sector():
    labels = initial_labels(5, Sector(2, 3, 4))
    hub, sec = labels[::2], labels[1::2]
    assert sum(lab in ("up", "full") for lab in hub) == 2 and sum(lab in ("down", "full") for lab in hub) == 3
    assert sec.count("full") == 4


def test_two_site_hubbard_and_free_fermions():
    r = ground_state_dmrg(LatticeParams(L=2, U=4.0), Sector(1, 1, 0), chi_max=16)
    assert r.energy == pytest.approx((4 - math.sqrt(16 + 16)) / 2, abs=1e-10)
    eps = np.sort(-2 * np.cos(np.pi * np.arange(1, 7) / 7))  # open chain of 6 sites
    r = ground_state_dmrg(LatticeParams(L=6, U=0.0), Sector(2, 1, 3), chi_max=64)
    assert r.energy == pytest.approx(eps[:2].sum() + eps[0] + eps[:3].sum(), abs=1e-9)
    assert r.convergence["energy_change"] < 1e-8 and r.convergence["sweeps"] >= 4
    assert sum(r.observables["n_up"]) == pytest.approx(2) and sum(r.observables["m"]) == pytest.approx(3)


@pytest.mark.long  # 66 s: the suite's time budget (make test-long runs it; DMRG = ED and the t-V check stay)
def test_half_filled_hubbard_against_lieb_wu():
    """E(L) = e L + b + c/L through L = 8, 12, 16 (open chains): e within 3e-4 of Lieb-Wu at U = 4t."""
    L = np.array([8, 12, 16])
    E = [ground_state_dmrg(LatticeParams(L=int(n), U=4.0), Sector(int(n) // 2, int(n) // 2, 0), chi_max=128,
                           measure=False).energy for n in L]
    e, _, _ = np.linalg.solve(np.vstack([L, np.ones(3), 1.0 / L]).T, E)
    assert e == pytest.approx(lieb_wu_energy(4.0), abs=3e-4)


def test_tv_chain_luttinger_parameter_against_bethe_ansatz():
    """Half-filled t-V chain at Delta = V/2t = 1/2: K = pi/(2(pi - arccos Delta)) = 3/4, from the structure factor at
    L = 16, 24 extrapolated in 1/L, within 3 %."""
    K = {}
    for L in (16, 24):
        r = ground_state_dmrg(LatticeParams(L=L, U=0.0, V_s=1.0), Sector(0, 0, L // 2), chi_max=64,
                              correlations=True)
        K[L] = luttinger_parameter(np.array(r.observables["mm"]))
    value, _ = extrapolate(list(K), list(K.values()))
    assert xxz_luttinger_parameter(0.5) == pytest.approx(0.75)
    assert value == pytest.approx(0.75, rel=0.03)
    assert K[16] > K[24] > value  # approached from above, as for free fermions (1 + 0.97/L)


def spin_gaps(U: float, sizes=(8, 12)) -> dict[int, float]:
    out = {}
    for L in sizes:
        base = Sector(L // 4, L // 4, 0)  # quarter filling
        E = {s: ground_state_dmrg(LatticeParams(L=L, U=U), s, chi_max=128, measure=False).energy
             for s in (base, base.shifted(1, -1, 0))}
        out[L] = gaps_from_energies(base, E.get)["spin_gap"]
    return out


@pytest.mark.long  # 65 s: the suite's time budget (the attractive chain's c = 1 stays in make test)
def test_attractive_hubbard_has_a_spin_gap_and_repulsive_not():
    """U = -4t: the spin gap stays open (> 1 t extrapolated); U = +4t: it closes as 1/L (L * gap roughly constant,
    the gap shrinking by about the ratio of the sizes)."""
    attractive, repulsive = spin_gaps(-4.0), spin_gaps(4.0)
    assert extrapolate(list(attractive), list(attractive.values()))[0] > 1.0
    assert repulsive[12] / repulsive[8] == pytest.approx(8 / 12, rel=0.1)
    assert abs(extrapolate(list(repulsive), list(repulsive.values()))[0]) < 0.05


def test_structure_factor_of_free_fermions():
    """Exact free-fermion correlations of an open chain: K = 1 + O(1/L), extrapolating to 1."""
    K = {}
    for L in (32, 64, 128):
        h = -np.eye(L, k=1) - np.eye(L, k=-1)
        _, v = np.linalg.eigh(h)
        P = v[:, : L // 2] @ v[:, : L // 2].T
        C = -P * P + np.diag(np.diag(P))
        K[L] = luttinger_parameter(C)
        assert luttinger_parameter(2 * C, spinful=True) == pytest.approx(K[L])  # two species: S doubles, K_c = K
    assert K[32] == pytest.approx(1.0306, abs=1e-3)
    value, error = extrapolate(list(K), list(K.values()))
    assert value == pytest.approx(1.0, abs=2e-3) and error < 5e-3
    with pytest.raises(LatticeError):
        structure_factor(np.zeros((3, 4)))


def test_extrapolation():
    L = [8, 12, 16, 24]
    exact = [2.0 + 3.0 / n for n in L]
    assert extrapolate(L, exact) == pytest.approx((2.0, 0.0), abs=1e-12)
    quad2 = [2.0 + 3.0 / n + 5.0 / n**2 for n in L]
    value, error = extrapolate(L, quad2)
    assert abs(value - 2.0) <= error * (1 + 1e-9)  # the next order (exact here) sets the uncertainty
    assert extrapolate(L, quad2, order=2)[0] == pytest.approx(2.0, abs=1e-10)
    with pytest.raises(LatticeError):
        extrapolate([8], [1.0])


def test_bridge():
    """Weak-coupling map: free limit, first-order Hubbard K_c, Bethe-ansatz K, commensurability and the Model."""
    free = bosonize(LatticeParams(L=8, U=0.0), 0.5, 0.25)
    assert free.Kc == pytest.approx(1.0) and free.K == pytest.approx(1.0) and free.ys0 == 0.0
    weak = bosonize(LatticeParams(L=8, U=0.01), 0.5, 0.25)
    assert 1 - weak.Kc == pytest.approx(0.01 / (2 * math.pi * weak.vF), rel=0.01)
    assert weak.ys0 == pytest.approx(0.01 / (math.pi * weak.vF))
    heis = bosonize(LatticeParams(L=8, V_s=2.0), 0.5, 0.5)
    assert heis.K == pytest.approx(0.5) and heis.K_source.startswith("Bethe")
    # pairs = secondary holes (n/2 = 1 - ns): y1 commensurate; pairs = secondary particles: y2 commensurate
    hole = bosonize(LatticeParams(L=8, W=0.5), 0.5, 0.75)
    assert hole.lstar1 == math.inf and hole.model.lstar == math.inf
    assert bosonize(LatticeParams(L=8, W=0.5), 0.5, 0.25).lstar2 == math.inf
    assert hole.model.y0 == pytest.approx(0.5 / (math.pi * (hole.vF + hole.vs)))
    with pytest.raises(LatticeError):
        bosonize(LatticeParams(L=8), 2.5, 0.5)


@pytest.mark.parametrize("sector", [Sector(2, 2, 3), Sector(3, 2, 2), Sector(1, 1, 5)])
def test_dmrg_equals_ed(sector):
    """The TeNPy model and the Fock-basis ED are independent constructions of H: equal to 1e-8 at L = 6, every
    coupling on."""
    from pairing1d.lattice.ed import ground_state_ed

    p = LatticeParams(L=6, U=3.0, V=0.7, t_s=0.8, V_s=1.1, V_s2=0.4, W=1.3, W1=0.5)
    ed = ground_state_ed(p, sector)
    dmrg = ground_state_dmrg(p, sector, chi_max=256)
    assert dmrg.energy == pytest.approx(ed.energy, abs=1e-8)
    np.testing.assert_allclose(dmrg.observables["m"], ed.observables["m"], atol=1e-6)
    np.testing.assert_allclose(dmrg.observables["double_occupancy"], ed.observables["double_occupancy"], atol=1e-6)
