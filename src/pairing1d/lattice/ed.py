r"""Exact diagonalization of the lattice model in one symmetry sector (numpy + scipy.sparse), independent of TeNPy.

The Hamiltonian is that of :mod:`pairing1d.lattice.params`, on :math:`L` unit cells with open boundaries:

.. math::
    H = &-t\sum_{j,\sigma}\big(c^\dagger_{j\sigma}c_{j+1,\sigma} + {\rm h.c.}\big)
        + U\sum_j n_{j\uparrow}n_{j\downarrow} + V\sum_j n_jn_{j+1} \\
        &-t_s\sum_j\big(f^\dagger_jf_{j+1} + {\rm h.c.}\big) + V_s\sum_j m_jm_{j+1} + V_{s2}\sum_j m_jm_{j+2} \\
        &+ W\sum_j n_jm_j + W_1\sum_j\big(n_jm_{j+1} + m_jn_{j+1}\big).

Basis. :math:`N_\uparrow, N_\downarrow, N_{\rm sec}` are conserved, so the Fock basis of a
:class:`~pairing1d.lattice.params.Sector` is the product of the bases of the three species (spin up, spin down,
spinless); each is the ascending list of the :math:`L`-bit occupation patterns with the species' number of set bits
(bit :math:`j` set: site :math:`j` occupied), and the product state :math:`(i_\uparrow, i_\downarrow, i_s)` has the
index :math:`(i_\uparrow D_\downarrow + i_\downarrow) D_s + i_s`.

Jordan-Wigner ordering (the order of the creation operators in a basis state): all up modes :math:`0..L-1`, then
all down modes :math:`0..L-1`, then all spinless modes :math:`0..L-1`. A hop :math:`a^\dagger_{j+1}a_j` of one
species picks up :math:`(-1)` to the number of occupied modes before :math:`j` (from :math:`a_j`) times
:math:`(-1)` to the number before :math:`j+1` once :math:`j` is emptied (from :math:`a^\dagger_{j+1}`): the same
modes (the earlier species and sites :math:`< j` of its own), so every nearest-neighbour hopping matrix element is
:math:`-t` (:math:`-t_s`) with sign :math:`+1`; no hop in :math:`H` skips over a mode of its own species. Hence

.. math::
    H = T_\uparrow\otimes 1\otimes 1 + 1\otimes T_\downarrow\otimes 1 + 1\otimes 1\otimes T_s + {\rm diag},

with the one-species hopping matrices :math:`T` on the small one-species bases and the diagonal (every interaction
is density-density) computed by bit operations on pairs of species' patterns, then broadcast to the sector.
Patterns are 64-bit integers, so ED needs :math:`L \le 62` (``MAX_L``); no array of size :math:`2^L` is made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import comb, prod
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["DENSE_LIMIT", "MAX_L", "MAX_LANCZOS_STATES", "RESIDUAL_TOLERANCE", "check_problem", "SectorBasis",
           "species_basis", "sector_basis", "sector_dimension", "hamiltonian", "ground_state_ed"]

DENSE_LIMIT = 400
"""Sectors up to this dimension are diagonalized densely (numpy.linalg.eigh), larger ones by Lanczos (eigsh)."""

MAX_L = 62
"""Largest chain for ED: occupation patterns are int64 bit patterns."""

MAX_LANCZOS_STATES = 100
"""Most eigenpairs asked of Lanczos (sectors above ``DENSE_LIMIT``); dense sectors give up to all of them."""


def _check_L(L: Any) -> int:
    if isinstance(L, bool) or not isinstance(L, int | np.integer) or not 2 <= L <= MAX_L:
        raise LatticeError(f"L = {L!r} is outside the allowed range of integers [2, {MAX_L}] (exact diagonalization "
                           "uses 64-bit occupation patterns)")
    return int(L)


def _check_sector(L: int, sector: Any) -> Sector:
    if not isinstance(sector, Sector):
        raise LatticeError(f"sector = {sector!r} is not a Sector(N_up, N_dn, N_sec)")
    return sector.check(L)


def species_basis(L: int, N: int) -> np.ndarray:
    """All ``L``-bit patterns with ``N`` set bits, ascending (bit ``j`` set: site ``j`` occupied), as int64.

    Built site by site (patterns on ``l`` sites with ``n`` bits are those on ``l - 1`` sites with ``n`` bits, then
    those with ``n - 1`` bits and bit ``l - 1`` set, which keeps them ascending), in time and memory of order
    ``L * comb(L, N)``; nothing of size ``2**L``.
    """
    L = _check_L(L)
    if isinstance(N, bool) or not isinstance(N, int | np.integer) or not 0 <= N <= L:
        raise LatticeError(f"N = {N!r} is outside the allowed range [0, L = {L}] (particle number)")
    level = {0: np.zeros(1, dtype=np.int64)}  # l = 0 sites: the empty pattern
    for site in range(L):  # add site `site`; keep only counts that can still reach N
        low, high = max(0, N - (L - site - 1)), min(site + 1, N)
        new = {}
        for n in range(low, high + 1):
            parts = [level[n]] if n in level else []
            if n - 1 in level:
                parts.append(level[n - 1] | np.int64(1 << site))
            new[n] = np.concatenate(parts)
        level = new
    return level[N]


def sector_dimension(L: int, sector: Sector) -> int:
    """:math:`\\binom{L}{N_\\uparrow}\\binom{L}{N_\\downarrow}\\binom{L}{N_{\\rm sec}}` (no basis is built)."""
    _check_sector(L, sector)
    return comb(L, sector.N_up) * comb(L, sector.N_dn) * comb(L, sector.N_sec)


@dataclass(frozen=True, eq=False)
class SectorBasis:
    """The Fock basis of one sector: per species the ascending int64 bit patterns (``up``, ``dn``, ``sec``).

    State ``i`` is ``(up[a], dn[b], sec[c])`` with ``i = (a * len(dn) + b) * len(sec) + c``
    (:meth:`patterns`); :meth:`index` is the inverse, vectorized (binary search per species).
    """

    L: int
    sector: Sector
    up: np.ndarray
    dn: np.ndarray
    sec: np.ndarray

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.up), len(self.dn), len(self.sec)

    @property
    def dimension(self) -> int:
        return prod(self.shape)

    def __len__(self) -> int:
        return self.dimension

    @staticmethod
    def _lookup(basis: np.ndarray, patterns: np.ndarray) -> np.ndarray:
        pos = np.minimum(np.searchsorted(basis, patterns), len(basis) - 1)
        return np.where(basis[pos] == patterns, pos, -1)

    def index(self, up: Any, dn: Any, sec: Any) -> np.ndarray:
        """Sector index of the product states with these patterns (broadcast together); -1 where one of them is
        not in its species' basis (wrong particle number or bits beyond ``L``)."""
        up, dn, sec = np.broadcast_arrays(*(np.asarray(x, dtype=np.int64) for x in (up, dn, sec)))
        a, b, c = self._lookup(self.up, up), self._lookup(self.dn, dn), self._lookup(self.sec, sec)
        d_dn, d_sec = len(self.dn), len(self.sec)
        return np.where((a >= 0) & (b >= 0) & (c >= 0), (a * d_dn + b) * d_sec + c, -1)

    def patterns(self, i: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (up, dn, sec) patterns of sector index (indices) ``i``."""
        a, b, c = np.unravel_index(np.asarray(i), self.shape)
        return self.up[a], self.dn[b], self.sec[c]

    def occupations(self, species: str) -> np.ndarray:
        """``(len(basis of species), L)`` array of 0/1 occupations of ``species`` in ``("up", "dn", "sec")``."""
        return ((getattr(self, species)[:, None] >> np.arange(self.L)) & 1).astype(np.float64)


def sector_basis(L: int, sector: Sector) -> SectorBasis:
    """The Fock basis of ``sector`` on ``L`` unit cells (:class:`SectorBasis`)."""
    L = _check_L(L)
    _check_sector(L, sector)
    return SectorBasis(L, sector, *(species_basis(L, n) for n in (sector.N_up, sector.N_dn, sector.N_sec)))


def _hopping(L: int, basis: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COO entries of :math:`-t\\sum_j (a^\\dagger_{j+1}a_j + {\\rm h.c.})` on one species' basis; every Jordan-
    Wigner sign is +1 (module docstring)."""
    rows, cols = [], []
    for j in range(L - 1):
        movable = ((basis >> j) & 1 == 1) & ((basis >> (j + 1)) & 1 == 0)  # j occupied, j + 1 empty
        src = np.nonzero(movable)[0]
        dst = np.searchsorted(basis, basis[src] ^ np.int64(0b11 << j))
        rows += [dst, src]
        cols += [src, dst]
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    return r, c, np.full(len(r), -t)


def _pc(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(np.float64)


def _diagonal(params: LatticeParams, basis: SectorBasis) -> np.ndarray:
    """The interaction energy of every basis state, shape ``basis.shape``: each term involves at most two species,
    so it is computed on the pairs and broadcast."""
    p = params
    u, d, s = basis.up, basis.dn, basis.sec
    uu, dd = u[:, None], d[None, :]
    ud = (p.U * _pc(uu & dd)
          + p.V * (_pc(uu & (uu >> 1)) + _pc(dd & (dd >> 1)) + _pc(uu & (dd >> 1)) + _pc(dd & (uu >> 1))))

    def with_sec(x: np.ndarray) -> np.ndarray:  # W n m + W1 (n_j m_{j+1} + m_j n_{j+1}) for one spin species
        xx, ss = x[:, None], s[None, :]
        return p.W * _pc(xx & ss) + p.W1 * (_pc(xx & (ss >> 1)) + _pc(ss & (xx >> 1)))

    ss = p.V_s * _pc(s & (s >> 1)) + p.V_s2 * _pc(s & (s >> 2))
    return ud[:, :, None] + with_sec(u)[:, None, :] + with_sec(d)[None, :, :] + ss[None, None, :]


def hamiltonian(params: LatticeParams, sector: Sector) -> sp.csr_matrix:
    """:math:`H` of ``params`` in ``sector`` as a real symmetric CSR matrix in the basis of :func:`sector_basis`.

    Parameters
    ----------
    params : LatticeParams
        Couplings and ``L``.
    sector : Sector
        Particle numbers; checked against ``L``.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(D, D)`` float64, ``D = sector_dimension(L, sector)``, sorted indices, no explicit duplicates.
    """
    if not isinstance(params, LatticeParams):
        raise LatticeError(f"params = {params!r} is not a LatticeParams")
    basis = sector_basis(params.L, sector)
    L, (n_up, n_dn, n_sec), D = params.L, basis.shape, basis.dimension
    parts_r, parts_c, parts_v = [np.arange(D)], [np.arange(D)], [_diagonal(params, basis).ravel()]
    # lift one species' entries (r, c) to the product basis: the other two indices are unchanged
    for (r, c, v), outer, inner in (
        (_hopping(L, basis.up, params.t), 1, n_dn * n_sec),
        (_hopping(L, basis.dn, params.t), n_up, n_sec),
        (_hopping(L, basis.sec, params.t_s), n_up * n_dn, 1),
    ):
        if len(r) == 0:
            continue
        n_species = D // (outer * inner)
        o = (np.arange(outer) * n_species * inner)[:, None, None]
        k = np.arange(inner)[None, None, :]
        parts_r.append((o + r[None, :, None] * inner + k).ravel())
        parts_c.append((o + c[None, :, None] * inner + k).ravel())
        parts_v.append(np.broadcast_to(v[None, :, None], (outer, len(v), inner)).ravel())
    H = sp.csr_matrix((np.concatenate(parts_v), (np.concatenate(parts_r), np.concatenate(parts_c))), shape=(D, D))
    H.sum_duplicates()
    return H


RESIDUAL_TOLERANCE = 1e-6
"""Largest accepted :math:`\\lVert H\\psi - E\\psi\\rVert / \\max(1, |E|)` of an ED eigenpair."""


def check_problem(L: Any, sector: Any, n_states: Any = 1, measure: Any = True, max_dimension: Any = 3_000_000,
                  correlations: Any = False) -> int:
    """The checks of :func:`ground_state_ed`'s arguments without building anything (a scan runs them on every size
    before its first run): one-line LatticeError for a bad value, else the sector's dimension."""
    _check_L(L)
    _check_sector(L, sector)
    if isinstance(max_dimension, bool) or not isinstance(max_dimension, int) or max_dimension < 1:
        raise LatticeError(f"max_dimension = {max_dimension!r} is outside the allowed range of integers >= 1")
    for name, value in (("measure", measure), ("correlations", correlations)):
        if not isinstance(value, bool):
            raise LatticeError(f"{name} = {value!r} is not a bool (true or false)")
    D = sector_dimension(L, sector)
    if D > max_dimension:
        raise LatticeError(f"sector dimension {D:.3g} at L = {L} is outside the allowed range [1, max_dimension = "
                           f"{max_dimension}] (exact diagonalization; use DMRG for this size)")
    top = D if D <= DENSE_LIMIT else MAX_LANCZOS_STATES
    if isinstance(n_states, bool) or not isinstance(n_states, int) or not 1 <= n_states <= top:
        raise LatticeError(f"n_states = {n_states!r} is outside the allowed range [1, {top}] (sector dimension {D})")
    return D


def ground_state_ed(params: LatticeParams, sector: Sector, n_states: int = 1, measure: bool = True,
                    max_dimension: int = 3_000_000, correlations: bool = False) -> SectorResult:
    """Lowest eigenpair(s) of :func:`hamiltonian` in ``sector``.

    Parameters
    ----------
    params : LatticeParams
        Couplings and ``L`` (at most ``MAX_L``).
    sector : Sector
        Particle numbers.
    n_states : int
        Number of lowest eigenvalues: ``[1, D]`` for dense sectors (``D <= DENSE_LIMIT``), else
        ``[1, MAX_LANCZOS_STATES]``.
    measure : bool
        Whether to measure the site densities of the ground state.
    max_dimension : int
        Largest sector dimension accepted; beyond it a LatticeError (memory: roughly
        ``D * (12 + 12 * L)`` bytes for :math:`H`).
    correlations : bool
        Whether to measure the connected :math:`\\langle S^z_iS^z_j\\rangle_c` of the Hubbard chain
        (``SzSz``, as :func:`~pairing1d.lattice.observables.mps_correlations` names it; diagonal in the Fock basis).

    Returns
    -------
    SectorResult
        ``method="ed"``, ``energy`` the lowest eigenvalue; ``convergence = {dimension, residual, n_states}`` with
        ``residual`` the largest :math:`\\lVert H\\psi - E\\psi\\rVert` over the returned eigenpairs;
        ``observables``: if ``measure``, site densities ``n_up``, ``n_dn``, ``m`` and ``double_occupancy``
        :math:`\\langle n_{j\\uparrow}n_{j\\downarrow}\\rangle` of the ground state (lists; for a degenerate
        ground state, of one vector of the multiplet); for ``n_states > 1`` (measured or not) the lowest
        ``energies``.

    Notes
    -----
    Dense ``numpy.linalg.eigh`` up to ``DENSE_LIMIT``, else ``scipy.sparse.linalg.eigsh(which="SA", tol=1e-13)``
    from a fixed pseudo-random start vector (reproducible; not orthogonal to any symmetry sector).
    """
    start = time.perf_counter()
    if not isinstance(params, LatticeParams):
        raise LatticeError(f"params = {params!r} is not a LatticeParams")
    D = check_problem(params.L, sector, n_states=n_states, measure=measure, max_dimension=max_dimension,
                      correlations=correlations)
    H = hamiltonian(params, sector)
    if D <= DENSE_LIMIT:
        values, vectors = np.linalg.eigh(H.toarray())
        values, vectors = values[:n_states], vectors[:, :n_states]
    else:
        v0 = np.random.default_rng(12345).standard_normal(D)
        values, vectors = eigsh(H, k=n_states, which="SA", tol=1e-13, v0=v0, ncv=min(D, max(20, 2 * n_states + 1)))
        order = np.argsort(values)
        values, vectors = values[order], vectors[:, order]
    residual = float(np.linalg.norm(H @ vectors - vectors * values, axis=0).max())
    # Eigensolvers are accurate relative to the largest matrix element: with couplings many orders above the hopping
    # the lowest eigenvalue can be off by far more than the hopping itself. Such a result is refused, not returned.
    if not residual <= RESIDUAL_TOLERANCE * max(1.0, abs(float(values[0]))):
        raise LatticeError(f"exact diagonalization did not converge: residual |H psi - E psi| = {residual:.3g} "
                           f"exceeds {RESIDUAL_TOLERANCE:g} x max(1, |E|) (couplings too far apart in scale?)")
    psi, energy = vectors[:, 0], float(values[0])
    observables: dict[str, Any] = {}
    if measure:
        basis = sector_basis(params.L, sector)
        prob = (psi**2).reshape(basis.shape)
        occ_up, occ_dn, occ_sec = (basis.occupations(s) for s in ("up", "dn", "sec"))
        observables = {
            "n_up": (prob.sum(axis=(1, 2)) @ occ_up).tolist(),
            "n_dn": (prob.sum(axis=(0, 2)) @ occ_dn).tolist(),
            "m": (prob.sum(axis=(0, 1)) @ occ_sec).tolist(),
            "double_occupancy": np.einsum("ab,aj,bj->j", prob.sum(axis=2), occ_up, occ_dn).tolist(),
        }
    if correlations:
        basis = sector_basis(params.L, sector)
        P = (psi**2).reshape(basis.shape).sum(axis=2)  # probabilities of the (up, dn) patterns
        u, d = basis.occupations("up"), basis.occupations("dn")
        pu, pd = P.sum(axis=1), P.sum(axis=0)
        # 4 <Sz_i Sz_j> = <nu_i nu_j> + <nd_i nd_j> - <nu_i nd_j> - <nd_i nu_j>
        cross = u.T @ P @ d
        full = (u.T * pu) @ u + (d.T * pd) @ d - cross - cross.T
        mean = pu @ u - pd @ d
        observables["SzSz"] = ((full - np.outer(mean, mean)) / 4.0).tolist()
    if n_states > 1:
        observables["energies"] = [float(v) for v in values]
    return SectorResult(params=params, sector=sector, method="ed", energy=energy,
                        convergence={"dimension": D, "residual": residual, "n_states": n_states},
                        observables=observables, wall_time=time.perf_counter() - start)
