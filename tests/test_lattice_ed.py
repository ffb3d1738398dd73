"""Exact diagonalization of the lattice model: closed forms, independent Jordan-Wigner constructions, symmetries."""

from __future__ import annotations

import math
from functools import reduce
from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp

from pairing1d.lattice.ed import (
    DENSE_LIMIT,
    ground_state_ed,
    hamiltonian,
    sector_basis,
    sector_dimension,
    species_basis,
)
from pairing1d.lattice.params import LatticeError, LatticeParams, Sector

FULL = dict(t=1.0, U=3.0, V=0.7, t_s=0.8, V_s=1.1, V_s2=0.4, W=1.3, W1=0.5)  # every coupling nonzero


def jordan_wigner(n_modes: int, dense: bool = False) -> list:
    """Annihilators of n_modes fermion modes in the full Fock space: Z x ... x Z x a x 1 x ... x 1."""
    kron = np.kron if dense else (lambda x, y: sp.kron(x, y, format="csr"))
    a = np.array([[0.0, 1.0], [0.0, 0.0]])  # annihilates |1> (second basis state)
    Z, I2 = np.diag([1.0, -1.0]), np.eye(2)
    return [reduce(kron, [Z] * k + [a] + [I2] * (n_modes - k - 1)) for k in range(n_modes)]


def brute_force_spectrum(p: LatticeParams, sector: Sector) -> np.ndarray:
    """Second path: all 3L modes in the site-interleaved Jordan-Wigner order (up_j, dn_j, f_j for j = 0..L-1, not
    the order of ed.py) as sparse kron products, H term by term from params.py's formula, the full Fock space,
    then the block of the sector (particle numbers read off the number operators) and all its eigenvalues."""
    L = p.L
    ops = jordan_wigner(3 * L)
    up, dn, f = (lambda j: ops[3 * j]), (lambda j: ops[3 * j + 1]), (lambda j: ops[3 * j + 2])
    num = lambda c: c.T @ c  # noqa: E731
    dim = 2 ** (3 * L)
    H = sp.csr_matrix((dim, dim))
    for j in range(L - 1):
        for c in (up, dn):
            H -= p.t * (c(j).T @ c(j + 1) + c(j + 1).T @ c(j))
        H -= p.t_s * (f(j).T @ f(j + 1) + f(j + 1).T @ f(j))
        n_j, n_k = num(up(j)) + num(dn(j)), num(up(j + 1)) + num(dn(j + 1))
        H += p.V * n_j @ n_k + p.V_s * num(f(j)) @ num(f(j + 1)) + p.W1 * (n_j @ num(f(j + 1)) + num(f(j)) @ n_k)
    for j in range(L - 2):
        H += p.V_s2 * num(f(j)) @ num(f(j + 2))
    for j in range(L):
        H += p.U * num(up(j)) @ num(dn(j)) + p.W * (num(up(j)) + num(dn(j))) @ num(f(j))
    counts = [sum(num(c(j)) for j in range(L)).diagonal() for c in (up, dn, f)]
    keep = np.nonzero((counts[0] == sector.N_up) & (counts[1] == sector.N_dn) & (counts[2] == sector.N_sec))[0]
    assert len(keep) == sector_dimension(L, sector)
    return np.linalg.eigvalsh(H[keep][:, keep].toarray())


def spectrum(p: LatticeParams, sector: Sector) -> np.ndarray:
    return np.linalg.eigvalsh(hamiltonian(p, sector).toarray())


def open_chain_levels(L: int, t: float) -> np.ndarray:
    return np.sort(-2 * t * np.cos(np.pi * np.arange(1, L + 1) / (L + 1)))


# --- independent constructions -------------------------------------------------------------------------------


@pytest.mark.parametrize("sector", [Sector(0, 0, 0), Sector(1, 1, 1), Sector(2, 2, 2), Sector(2, 1, 3),
                                    Sector(3, 2, 1), Sector(4, 3, 2), Sector(4, 4, 4), Sector(0, 1, 4)])
def test_full_model_against_brute_force_jordan_wigner(sector):
    """L = 4, every coupling nonzero: the whole spectrum of the sector equals that of the kron construction."""
    p = LatticeParams(L=4, **FULL)
    exact = brute_force_spectrum(p, sector)
    np.testing.assert_allclose(spectrum(p, sector), exact, rtol=0, atol=1e-10)
    assert ground_state_ed(p, sector).energy == pytest.approx(exact[0], abs=1e-10)


def test_spinless_chain_against_single_particle_and_jordan_wigner():
    """V_s = 0: the many-body spectrum is made of sums of single-particle levels (numpy eigvalsh of the hopping
    matrix); V_s, V_s2 != 0: the whole spectrum of each N_sec equals that of a dense np.kron Jordan-Wigner
    construction of the L = 4 spinless chain."""
    L, t_s = 8, 0.8
    hop = -t_s * (np.eye(L, k=1) + np.eye(L, k=-1))
    eps = np.linalg.eigvalsh(hop)
    free = LatticeParams(L=L, t_s=t_s, U=5.0, V=2.0, W=3.0, W1=1.0)  # no electrons: U, V, W, W1 do nothing
    for n in range(L + 1):
        assert ground_state_ed(free, Sector(0, 0, n)).energy == pytest.approx(eps[:n].sum(), abs=1e-10)
    energies = ground_state_ed(free, Sector(0, 0, 3), n_states=6).observables["energies"]
    slater = np.sort([eps[list(k)].sum() for k in combinations(range(L), 3)])  # every Slater determinant
    np.testing.assert_allclose(energies, slater[:6], atol=1e-10)

    L = 4
    p = LatticeParams(L=L, t_s=0.8, V_s=1.7, V_s2=-0.6, U=9.0, W=2.0)
    f = jordan_wigner(L, dense=True)
    m = [c.T @ c for c in f]
    H = sum(-p.t_s * (f[j].T @ f[j + 1] + f[j + 1].T @ f[j]) + p.V_s * m[j] @ m[j + 1] for j in range(L - 1))
    H = H + sum(p.V_s2 * m[j] @ m[j + 2] for j in range(L - 2))
    N = sum(m).diagonal()
    for n in range(L + 1):
        keep = np.nonzero(N == n)[0]
        np.testing.assert_allclose(spectrum(p, Sector(0, 0, n)), np.linalg.eigvalsh(H[np.ix_(keep, keep)]),
                                   atol=1e-12)


# --- closed forms --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("L, t, t_s, sector", [(5, 1.0, 0.5, Sector(1, 2, 1)),  # dense, D = 250
                                               (8, 1.3, 0.7, Sector(3, 2, 4))])  # Lanczos, D = 109760
def test_free_fermions(L, t, t_s, sector):
    """U = V = W = W1 = V_s = V_s2 = 0: E = sum of the lowest eps_k = -2t cos(pi k/(L+1)) per species; the
    densities are sum_k |phi_k(j)|^2 with phi_k(j) = sqrt(2/(L+1)) sin(pi k (j+1)/(L+1))."""
    p = LatticeParams(L=L, t=t, U=0.0, t_s=t_s)
    r = ground_state_ed(p, sector)
    e, es = open_chain_levels(L, t), open_chain_levels(L, t_s)
    assert r.energy == pytest.approx(e[:sector.N_up].sum() + e[:sector.N_dn].sum() + es[:sector.N_sec].sum(),
                                     abs=1e-10)
    assert (r.convergence["dimension"] > DENSE_LIMIT) == (L == 8) and r.convergence["residual"] < 1e-8
    phi2 = 2 / (L + 1) * np.sin(np.pi * np.outer(np.arange(1, L + 1), np.arange(1, L + 1)) / (L + 1)) ** 2
    for key, n in (("n_up", sector.N_up), ("n_dn", sector.N_dn), ("m", sector.N_sec)):
        np.testing.assert_allclose(r.observables[key], phi2[:n].sum(axis=0), atol=1e-8)
    np.testing.assert_allclose(r.observables["double_occupancy"],  # uncorrelated spins
                               np.array(r.observables["n_up"]) * np.array(r.observables["n_dn"]), atol=1e-8)


@pytest.mark.parametrize("U, t", [(4.0, 1.0), (0.0, 1.0), (-3.0, 0.7), (10.0, 1.2)])
def test_two_site_hubbard(U, t):
    """L = 2, one up and one down electron: E = (U - sqrt(U^2 + 16 t^2))/2 and (Hellmann-Feynman) the double
    occupancy per site is dE/dU / 2 = (1 - U/sqrt(U^2 + 16 t^2))/4."""
    r = ground_state_ed(LatticeParams(L=2, t=t, U=U), Sector(1, 1, 0))
    root = math.sqrt(U**2 + 16 * t**2)
    assert r.energy == pytest.approx((U - root) / 2, abs=1e-12)
    np.testing.assert_allclose(r.observables["double_occupancy"], [(1 - U / root) / 4] * 2, atol=1e-10)
    np.testing.assert_allclose(r.observables["n_up"], [0.5, 0.5], atol=1e-12)
    assert r.convergence == {"dimension": 4, "residual": pytest.approx(0, abs=1e-12), "n_states": 1}


@pytest.mark.parametrize("V, U", [(0.0, 0.0), (0.6, 2.5)])
def test_full_secondary_chain_is_an_exact_shift(V, U):
    """W1 = 0 and N_sec = L: the spinless chain is frozen (no hop possible), so E = E(N_sec = 0) + W (N_up + N_dn)
    + (L-1) V_s + (L-2) V_s2, whatever t_s; and with N_sec = 0 nothing of the secondary chain matters."""
    L, sector = 6, Sector(2, 3, 6)
    p = LatticeParams(L=L, U=U, V=V, t_s=0.9, V_s=0.9, V_s2=0.3, W=0.7)
    bare = ground_state_ed(LatticeParams(L=L, U=U, V=V), Sector(2, 3, 0)).energy
    assert ground_state_ed(p, sector).energy == pytest.approx(bare + 0.7 * 5 + 5 * 0.9 + 4 * 0.3, abs=1e-10)
    assert ground_state_ed(LatticeParams(L=L, **{**FULL, "U": U, "V": V}), Sector(2, 3, 0)).energy == (
        pytest.approx(bare, abs=1e-10))
    if U == V == 0:
        e = open_chain_levels(L, 1.0)
        assert bare == pytest.approx(e[:2].sum() + e[:3].sum(), abs=1e-10)


# --- symmetries ----------------------------------------------------------------------------------------------


def test_spin_flip_and_su2():
    """E(N_up, N_dn, N_sec) = E(N_dn, N_up, N_sec); the secondary chain couples only to n_j, so H is SU(2)
    invariant: every level with S^z = 1 is also a level with S^z = 0, the S^z = 1 ground state (an S >= 1 multiplet)
    appears among the S^z = 0 levels (Lanczos, n_states > 1), and the even-L Hubbard ground state is a singlet."""
    p = LatticeParams(L=5, **FULL)
    assert ground_state_ed(p, Sector(3, 1, 2)).energy == pytest.approx(ground_state_ed(p, Sector(1, 3, 2)).energy,
                                                                        abs=1e-10)
    np.testing.assert_allclose(spectrum(p, Sector(1, 2, 2)), spectrum(p, Sector(2, 1, 2)), atol=1e-10)

    q = LatticeParams(L=4, **FULL)
    sz0, sz1 = spectrum(q, Sector(2, 1, 2)), spectrum(q, Sector(3, 0, 2))
    assert max(np.abs(sz0[:, None] - sz1[None, :]).min(axis=0)) < 1e-10

    hub = LatticeParams(L=6, U=3.0)
    e1 = ground_state_ed(hub, Sector(4, 2, 0)).energy  # D = 225: dense
    r0 = ground_state_ed(hub, Sector(3, 3, 0), n_states=8)  # D = 400: dense
    hub8 = LatticeParams(L=8, U=3.0, V=0.5)
    e1_8 = ground_state_ed(hub8, Sector(3, 1, 0)).energy
    r0_8 = ground_state_ed(hub8, Sector(2, 2, 0), n_states=12)  # D = 784: Lanczos
    assert r0_8.convergence["dimension"] > DENSE_LIMIT and r0_8.convergence["residual"] < 1e-8
    for e, r in ((e1, r0), (e1_8, r0_8)):
        levels = np.array(r.observables["energies"])
        assert np.all(np.diff(levels) >= -1e-12) and r.energy == levels[0]
        assert np.abs(levels - e).min() < 1e-9
    assert ground_state_ed(hub, Sector(3, 3, 0)).energy < ground_state_ed(hub, Sector(4, 2, 0)).energy - 0.05


def test_hamiltonian_and_basis():
    """Real symmetric CSR of the sector's dimension; the basis has the right patterns and its index inverts it;
    the Lanczos ground state has a small residual and equals dense diagonalization."""
    p = LatticeParams(L=5, **FULL)
    sector = Sector(2, 2, 2)
    H = hamiltonian(p, sector)
    assert sp.isspmatrix_csr(H) and H.dtype == np.float64 and H.shape == (1000, 1000)
    assert sector_dimension(5, sector) == 1000 and abs(H - H.T).max() == 0
    r = ground_state_ed(p, sector, n_states=3)
    assert r.method == "ed" and r.convergence["residual"] < 1e-8 and r.convergence["dimension"] == 1000
    np.testing.assert_allclose(r.observables["energies"], np.linalg.eigvalsh(H.toarray())[:3], atol=1e-10)
    assert sum(r.observables["n_up"]) == pytest.approx(2) and sum(r.observables["m"]) == pytest.approx(2)
    assert r.wall_time > 0 and "energies" in ground_state_ed(p, sector, n_states=2, measure=False).observables

    basis = sector_basis(5, Sector(2, 1, 5))
    assert basis.shape == (10, 5, 1) and len(basis) == 50
    assert list(species_basis(4, 2)) == [0b0011, 0b0101, 0b0110, 0b1001, 0b1010, 0b1100]
    assert np.all(np.bitwise_count(basis.up) == 2) and np.all(np.diff(basis.up) > 0)
    i = np.arange(len(basis))
    np.testing.assert_array_equal(basis.index(*basis.patterns(i)), i)
    assert basis.index(0b111, 0b1, 0b11111) == -1 and basis.index(0b11, 0b100000, 0b11111) == -1
    assert len(species_basis(60, 2)) == math.comb(60, 2)  # no 2**L array
    empty = ground_state_ed(p, Sector(0, 0, 0))
    assert empty.energy == 0 and empty.convergence["dimension"] == 1 and empty.observables["m"] == [0.0] * 5


def test_bad_input():
    p = LatticeParams(L=4)
    for bad in (lambda: ground_state_ed(p, Sector(5, 0, 0)), lambda: ground_state_ed(p, Sector(0, -1, 0)),
                lambda: ground_state_ed(p, Sector(1.0, 0, 0)), lambda: hamiltonian(p, Sector(True, 0, 0)),
                lambda: ground_state_ed(p, (1, 1, 0)), lambda: hamiltonian({"L": 4}, Sector(1, 1, 0)),
                lambda: ground_state_ed(LatticeParams(L=12), Sector(6, 6, 6), max_dimension=1000),
                lambda: ground_state_ed(p, Sector(1, 1, 0), n_states=0),
                lambda: ground_state_ed(p, Sector(1, 1, 0), n_states=17),
                lambda: ground_state_ed(LatticeParams(L=8), Sector(2, 2, 0), n_states=101),
                lambda: ground_state_ed(p, Sector(1, 1, 0), n_states=True),
                lambda: ground_state_ed(p, Sector(1, 1, 0), measure="yes"),
                lambda: ground_state_ed(p, Sector(1, 1, 0), max_dimension=0),
                lambda: ground_state_ed(LatticeParams(L=70), Sector(1, 0, 0)),
                lambda: species_basis(4, 5), lambda: sector_basis(1, Sector(0, 0, 0)),
                lambda: LatticeParams(L=1), lambda: LatticeParams(L=4, U=math.nan)):
        with pytest.raises(LatticeError) as info:
            bad()
        assert "\n" not in str(info.value) and str(info.value)


def test_extreme_couplings_give_the_limit_or_a_one_line_error(monkeypatch, capsys):
    """U = 1e15 t used to return a wrong energy (-5.05 where U -> inf gives -4.4721, two hard-core electrons and two
    spinless fermions on four sites): the
    couplings are bounded, the largest allowed U reaches the limit, and an eigenpair whose residual says it is wrong
    is refused."""
    from pairing1d.cli import main
    from pairing1d.lattice import ed

    limit = 2 * (-2 * math.cos(math.pi / 5) - 2 * math.cos(2 * math.pi / 5))  # two hard-core electrons + 2 spinless
    r = ground_state_ed(LatticeParams(L=4, U=1e6), Sector(1, 1, 2))
    # second order in t/U (virtual double occupancy) lowers it by about t^2/U: 2e-6 here
    assert limit - 1e-5 < r.energy < limit
    for U in ("1e15", "1e308"):
        with pytest.raises(SystemExit) as info:
            main(["lattice", "solve", "--L", "4", "--N-up", "1", "--N-dn", "1", "--N-sec", "2", "--method", "ed",
                  "--U", U, "--json"])
        err = capsys.readouterr().err.strip()
        assert info.value.code == 2 and "U = " in err and "allowed range" in err and "\n" not in err
    monkeypatch.setattr(ed, "RESIDUAL_TOLERANCE", 1e-300)  # every real eigensolver's residual exceeds it
    with pytest.raises(LatticeError, match="did not converge"):
        ground_state_ed(LatticeParams(L=4, U=1.0), Sector(1, 1, 2))
