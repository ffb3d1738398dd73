"""Exact diagonalization: closed forms, an independent Jordan-Wigner construction, symmetries, and DMRG."""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pytest

from pairing1d.lattice import LatticeError, LatticeParams, Sector
from pairing1d.lattice.dmrg import ground_state_dmrg
from pairing1d.lattice.ed import ground_state_ed, hamiltonian, sector_dimension

FULL = LatticeParams(L=3, t=1.0, U=3.0, V=0.7, t_s=0.8, V_s=1.1, V_s2=0.4, W=1.3, W1=0.5)


def brute_force_energy(p: LatticeParams, sector: Sector) -> float:
    """Second path: all 3L modes as Jordan-Wigner matrices (np.kron) in the site-interleaved order
    (up_j, dn_j, f_j for j = 0..L-1), the full Fock space, then the sector's block."""
    L, n_modes = p.L, 3 * p.L
    a = np.array([[0.0, 1.0], [0.0, 0.0]])  # annihilates |1>
    Z, I2 = np.diag([1.0, -1.0]), np.eye(2)
    ops = [reduce(np.kron, [Z] * k + [a] + [I2] * (n_modes - k - 1)) for k in range(n_modes)]
    up, dn, f = (lambda j: ops[3 * j]), (lambda j: ops[3 * j + 1]), (lambda j: ops[3 * j + 2])
    num = lambda c: c.T @ c  # noqa: E731
    H = np.zeros((2**n_modes, 2**n_modes))
    for j in range(L - 1):
        for c in (up, dn):
            H -= p.t * (c(j + 1).T @ c(j) + c(j).T @ c(j + 1))
        H -= p.t_s * (f(j + 1).T @ f(j) + f(j).T @ f(j + 1))
        n_j, n_k = num(up(j)) + num(dn(j)), num(up(j + 1)) + num(dn(j + 1))
        H += p.V * n_j @ n_k + p.V_s * num(f(j)) @ num(f(j + 1))
        H += p.W1 * (n_j @ num(f(j + 1)) + num(f(j)) @ n_k)
    for j in range(L - 2):
        H += p.V_s2 * num(f(j)) @ num(f(j + 2))
    for j in range(L):
        H += p.U * num(up(j)) @ num(dn(j)) + p.W * (num(up(j)) + num(dn(j))) @ num(f(j))
    counts = [np.diag(sum(num(c(j)) for j in range(L))) for c in (up, dn, f)]
    keep = np.nonzero((counts[0] == sector.N_up) & (counts[1] == sector.N_dn) & (counts[2] == sector.N_sec))[0]
    return float(np.linalg.eigvalsh(H[np.ix_(keep, keep)])[0])


@pytest.mark.parametrize("sector", [Sector(1, 1, 1), Sector(2, 1, 2), Sector(1, 0, 3), Sector(2, 2, 1)])
def test_against_independent_jordan_wigner(sector):
    assert ground_state_ed(FULL, sector).energy == pytest.approx(brute_force_energy(FULL, sector), abs=1e-10)


def test_closed_forms():
    assert ground_state_ed(LatticeParams(L=2, U=4.0), Sector(1, 1, 0)).energy == pytest.approx(
        (4 - math.sqrt(16 + 16)) / 2, abs=1e-12)
    L = 7
    eps = np.sort(-2 * np.cos(np.pi * np.arange(1, L + 1) / (L + 1)))
    r = ground_state_ed(LatticeParams(L=L, U=0.0, t_s=0.5), Sector(3, 2, 4))
    assert r.energy == pytest.approx(eps[:3].sum() + eps[:2].sum() + 0.5 * eps[:4].sum(), abs=1e-10)
    assert sum(r.observables["n_up"]) == pytest.approx(3) and sum(r.observables["m"]) == pytest.approx(4)
    assert r.convergence["residual"] < 1e-8
    # a full secondary chain is inert: its only effect is W N + (L-1) V_s + (L-2) V_s2
    p = LatticeParams(L=6, U=2.0, V_s=0.9, V_s2=0.3, W=0.7)
    shift = 0.7 * 4 + 5 * 0.9 + 4 * 0.3
    assert ground_state_ed(p, Sector(2, 2, 6)).energy == pytest.approx(
        ground_state_ed(p.__class__(L=6, U=2.0), Sector(2, 2, 0)).energy + shift, abs=1e-10)


def test_symmetries():
    p = LatticeParams(L=5, U=2.0, V=0.5, V_s=1.0, W=0.8, W1=0.3)
    assert ground_state_ed(p, Sector(3, 1, 2)).energy == pytest.approx(ground_state_ed(p, Sector(1, 3, 2)).energy)
    H = hamiltonian(p, Sector(2, 2, 2))
    assert abs(H - H.T).max() < 1e-14 and H.shape[0] == sector_dimension(5, Sector(2, 2, 2)) == 1000
    # SU(2): the S^z = 1 ground state is an S >= 1 multiplet, present in the S^z = 0 spectrum
    hub = LatticeParams(L=4, U=3.0)
    e1 = ground_state_ed(hub, Sector(2, 0, 0)).energy
    e0 = ground_state_ed(hub, Sector(1, 1, 0), n_states=6).observables["energies"]
    assert min(abs(np.array(e0) - e1)) < 1e-10


@pytest.mark.parametrize("sector", [Sector(2, 2, 3), Sector(3, 2, 2), Sector(1, 1, 5)])
def test_dmrg_equals_ed(sector):
    """The TeNPy model and the Fock-basis ED are independent constructions of H: equal to 1e-8 at L = 6."""
    p = LatticeParams(L=6, U=3.0, V=0.7, t_s=0.8, V_s=1.1, V_s2=0.4, W=1.3, W1=0.5)
    ed = ground_state_ed(p, sector)
    dmrg = ground_state_dmrg(p, sector, chi_max=256)
    assert dmrg.energy == pytest.approx(ed.energy, abs=1e-8)
    np.testing.assert_allclose(dmrg.observables["m"], ed.observables["m"], atol=1e-6)
    np.testing.assert_allclose(dmrg.observables["double_occupancy"], ed.observables["double_occupancy"], atol=1e-6)


def test_bad_input():
    for bad in (lambda: ground_state_ed(LatticeParams(L=4), Sector(5, 0, 0)),
                lambda: ground_state_ed(LatticeParams(L=12), Sector(6, 6, 6), max_dimension=1000),
                lambda: LatticeParams(L=1), lambda: LatticeParams(L=4, U=math.nan)):
        with pytest.raises(LatticeError) as info:
            bad()
        assert "\n" not in str(info.value)
