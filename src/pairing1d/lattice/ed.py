r"""Exact diagonalization of the lattice model in one symmetry sector (scipy.sparse), independent of TeNPy.

The Hamiltonian is that of :mod:`pairing1d.lattice.params`. The Fock basis of a sector is the product of the
bases of the three species (spin up, spin down, spinless), each a set of :math:`L`-bit occupation patterns with a
fixed number of set bits. The Jordan-Wigner order puts all up modes first, then all down modes, then all
spinless modes, each species in site order. A nearest-neighbour hop :math:`c^\dagger_{j+1}c_j` then passes no
occupied mode of its own species, and the modes of the other species it passes are passed by both operators, so
every hopping matrix element is :math:`-t` (or :math:`-t_s`) with sign :math:`+1`. Hence

.. math::
    H = T_\uparrow\otimes 1\otimes 1 + 1\otimes T_\downarrow\otimes 1 + 1\otimes 1\otimes T_s + D,

with the one-species hopping matrices :math:`T` on their small bases (``scipy.sparse.kron``) and the diagonal
:math:`D` (every interaction term is a density-density term) computed by bit operations on the three patterns.
"""

from __future__ import annotations

import time
from math import comb
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["species_basis", "sector_dimension", "hamiltonian", "ground_state_ed", "DENSE_LIMIT"]

DENSE_LIMIT = 400
"""Sectors up to this dimension are diagonalized densely (numpy.linalg.eigh), larger ones by Lanczos (eigsh)."""


def species_basis(L: int, N: int) -> np.ndarray:
    """All L-bit patterns with N set bits, ascending (bit j = site j occupied)."""
    patterns = np.arange(1 << L, dtype=np.int64)
    return patterns[np.bitwise_count(patterns) == N]


def sector_dimension(L: int, sector: Sector) -> int:
    return comb(L, sector.N_up) * comb(L, sector.N_dn) * comb(L, sector.N_sec)


def _hopping(L: int, basis: np.ndarray, t: float) -> sp.csr_matrix:
    """-t sum_j (a^dag_{j+1} a_j + h.c.) on one species' basis (all signs +1, module docstring)."""
    index = np.full(1 << L, -1, dtype=np.int64)
    index[basis] = np.arange(len(basis))
    rows, cols = [], []
    for j in range(L - 1):
        movable = ((basis >> j) & 1 == 1) & ((basis >> (j + 1)) & 1 == 0)  # j occupied, j+1 empty
        src = np.nonzero(movable)[0]
        dst = index[basis[src] ^ (0b11 << j)]
        rows += [dst, src]
        cols += [src, dst]
    n = len(basis)
    if not rows:
        return sp.csr_matrix((n, n))
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.full(len(r), -t), (r, c)), shape=(n, n))


def _pc(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(np.float64)


def hamiltonian(params: LatticeParams, sector: Sector) -> sp.csr_matrix:
    """:math:`H` of ``params`` in ``sector`` as a real symmetric CSR matrix, in the product basis
    (index ``(i_up * D_dn + i_dn) * D_sec + i_sec``)."""
    p, L = params, params.L
    sector.check(L)
    up, dn, sec = (species_basis(L, n) for n in (sector.N_up, sector.N_dn, sector.N_sec))
    u, d, s = up[:, None, None], dn[None, :, None], sec[None, None, :]
    diag = (
        p.U * _pc(u & d)
        + p.V * (_pc(u & (u >> 1)) + _pc(d & (d >> 1)) + _pc(u & (d >> 1)) + _pc(d & (u >> 1)))
        + p.V_s * _pc(s & (s >> 1)) + p.V_s2 * _pc(s & (s >> 2))
        + p.W * (_pc(u & s) + _pc(d & s))
        + p.W1 * (_pc(u & (s >> 1)) + _pc(s & (u >> 1)) + _pc(d & (s >> 1)) + _pc(s & (d >> 1)))
    )
    I_up, I_dn, I_s = (sp.identity(len(b), format="csr") for b in (up, dn, sec))
    H = (sp.kron(sp.kron(_hopping(L, up, p.t), I_dn), I_s)
         + sp.kron(sp.kron(I_up, _hopping(L, dn, p.t)), I_s)
         + sp.kron(sp.kron(I_up, I_dn), _hopping(L, sec, p.t_s)))
    return (H + sp.diags(np.broadcast_to(diag, (len(up), len(dn), len(sec))).ravel())).tocsr()


def ground_state_ed(params: LatticeParams, sector: Sector, n_states: int = 1, measure: bool = True,
                    max_dimension: int = 3_000_000) -> SectorResult:
    """Lowest eigenpair(s) of :func:`hamiltonian`; ``convergence = {dimension, residual, n_states}`` with the
    residual :math:`\\lVert H\\psi - E\\psi\\rVert`; ``observables``: site densities ``n_up, n_dn, m``,
    ``double_occupancy`` and, for ``n_states > 1``, the lowest ``energies``."""
    start = time.perf_counter()
    sector.check(params.L)
    D = sector_dimension(params.L, sector)
    if D > max_dimension:
        raise LatticeError(f"sector dimension {D} is outside the allowed range [1, {max_dimension}] (exact "
                           "diagonalization; use DMRG for this size)")
    if not (isinstance(n_states, int) and 1 <= n_states <= D):
        raise LatticeError(f"n_states = {n_states!r} is outside the allowed range [1, {D}]")
    H = hamiltonian(params, sector)
    if D <= DENSE_LIMIT:
        values, vectors = np.linalg.eigh(H.toarray())
        values, vectors = values[:n_states], vectors[:, :n_states]
    else:
        values, vectors = eigsh(H, k=max(n_states, 1), which="SA", tol=1e-13, ncv=max(20, 2 * n_states + 1))
        order = np.argsort(values)
        values, vectors = values[order], vectors[:, order]
    psi, energy = vectors[:, 0], float(values[0])
    residual = float(np.linalg.norm(H @ psi - energy * psi))
    observables: dict[str, Any] = {}
    if measure:
        L = params.L
        up, dn, sec = (species_basis(L, n) for n in (sector.N_up, sector.N_dn, sector.N_sec))
        prob = (psi**2).reshape(len(up), len(dn), len(sec))
        p_up, p_dn, p_sec = prob.sum(axis=(1, 2)), prob.sum(axis=(0, 2)), prob.sum(axis=(0, 1))
        p_ud = prob.sum(axis=2)
        bits = lambda b: ((b[:, None] >> np.arange(L)) & 1).astype(float)  # noqa: E731
        observables = {
            "n_up": (p_up @ bits(up)).tolist(), "n_dn": (p_dn @ bits(dn)).tolist(), "m": (p_sec @ bits(sec)).tolist(),
            "double_occupancy": np.einsum("ab,aj,bj->j", p_ud, bits(up), bits(dn)).tolist(),
        }
        if n_states > 1:
            observables["energies"] = [float(v) for v in values]
    return SectorResult(params=params, sector=sector, method="ed", energy=energy,
                        convergence={"dimension": D, "residual": residual, "n_states": n_states},
                        observables=observables, wall_time=time.perf_counter() - start)
