r"""Parameters, symmetry sectors and results of the lattice model (the contract shared by ED, DMRG and scans).

Hamiltonian on :math:`L` unit cells, each a Hubbard site :math:`j` (operators :math:`c_{j\sigma}`,
:math:`n_j = n_{j\uparrow} + n_{j\downarrow}`) and a spinless site :math:`j` (operators :math:`f_j`,
:math:`m_j = f^\dagger_j f_j`), open boundary conditions:

.. math::
    H = &-t\sum_{j,\sigma}\big(c^\dagger_{j\sigma}c_{j+1,\sigma} + {\rm h.c.}\big)
        + U\sum_j n_{j\uparrow}n_{j\downarrow} + V\sum_j n_jn_{j+1} \\
        &-t_s\sum_j\big(f^\dagger_jf_{j+1} + {\rm h.c.}\big) + V_s\sum_j m_jm_{j+1} + V_{s2}\sum_j m_jm_{j+2} \\
        &+ W\sum_j n_jm_j + W_1\sum_j\big(n_jm_{j+1} + m_jn_{j+1}\big).

Sums over :math:`j` run over all bonds that fit in the open chain (:math:`j+1 < L`, :math:`j+2 < L`). There is
no chemical potential: :math:`N_\uparrow, N_\downarrow, N_{\rm sec}` are conserved and fixed by the
:class:`Sector`, and every energy is the ground-state energy of :math:`H` in that sector.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..support.errors import ModelError

__all__ = ["LatticeError", "LatticeParams", "COUPLING_NAMES", "MAX_COUPLING", "Sector", "SectorResult"]


class LatticeError(ModelError):
    """A lattice parameter or sector outside its domain; the message is one line (the CLI prints it as such)."""


MAX_COUPLING = 1e6
"""Largest :math:`|{\rm coupling}|` of :class:`LatticeParams`: eigensolvers are accurate relative to the largest
matrix element, so a coupling :math:`10^{15}` times the hopping leaves the hopping below rounding (exact
diagonalization returned a wrong energy without complaint)."""


@dataclass(frozen=True)
class LatticeParams:
    """Couplings and length of the lattice model (module docstring for :math:`H`); energies in any one unit.

    ``L`` unit cells (``2L`` sites: Hubbard, spinless, Hubbard, ...); ``t, U, V`` the Hubbard chain; ``t_s, V_s,
    V_s2`` the spinless chain; ``W`` the on-site and ``W1`` the nearest-neighbour inter-chain repulsion.
    """

    L: int
    t: float = 1.0
    U: float = 4.0
    V: float = 0.0
    t_s: float = 1.0
    V_s: float = 0.0
    V_s2: float = 0.0
    W: float = 0.0
    W1: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.L, bool) or not isinstance(self.L, int) or self.L < 2:
            raise LatticeError(f"L = {self.L!r} is outside the allowed range of integers >= 2 (unit cells)")
        for f in fields(self):
            if f.name == "L":
                continue
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise LatticeError(f"{f.name} = {value!r} is not a finite real number (lattice coupling)")
            if abs(value) > MAX_COUPLING:
                raise LatticeError(f"{f.name} = {value!r} is outside the allowed range [-{MAX_COUPLING:g}, "
                                   f"{MAX_COUPLING:g}] (lattice coupling in units of order the hopping: further "
                                   "apart in scale, the solvers lose the hopping to rounding)")
            object.__setattr__(self, f.name, float(value))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


COUPLING_NAMES = tuple(f.name for f in fields(LatticeParams) if f.name != "L")
"""The couplings of :class:`LatticeParams` (every field but ``L``), as scan files and the CLI name them."""


@dataclass(frozen=True)
class Sector:
    """Conserved numbers: spin-up and spin-down electrons of the Hubbard chain, fermions of the spinless chain."""

    N_up: int
    N_dn: int
    N_sec: int

    def fits(self, L: int) -> bool:
        """Whether every particle number lies in [0, L]."""
        return all(0 <= n <= L for n in (self.N_up, self.N_dn, self.N_sec))

    def check(self, L: int) -> Sector:
        """Return self if it fits on ``L`` unit cells, else raise a one-line LatticeError."""
        for name in ("N_up", "N_dn", "N_sec"):
            n = getattr(self, name)
            if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= L:
                raise LatticeError(f"{name} = {n!r} is outside the allowed range [0, L = {L}] (particle number)")
        return self

    @property
    def Sz(self) -> float:
        return 0.5 * (self.N_up - self.N_dn)

    def shifted(self, d_up: int = 0, d_dn: int = 0, d_sec: int = 0) -> Sector:
        return Sector(self.N_up + d_up, self.N_dn + d_dn, self.N_sec + d_sec)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class SectorResult:
    """Ground state of one sector: its energy, the method, and the convergence data that method produces.

    ``convergence`` holds, for DMRG, ``max_truncation_error``, ``energy_change`` (of the last sweep),
    ``max_bond_dimension``, ``sweeps``; for ED, ``dimension`` (of the sector) and ``residual``
    (:math:`\\lVert H\\psi - E\\psi\\rVert`). ``observables`` holds whatever was measured (arrays as lists).
    """

    params: LatticeParams
    sector: Sector
    method: str
    energy: float
    convergence: dict[str, Any] = field(default_factory=dict)
    observables: dict[str, Any] = field(default_factory=dict)
    wall_time: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"params": self.params.to_dict(), "sector": self.sector.to_dict(), "method": self.method,
                "energy": self.energy, "convergence": dict(self.convergence), "observables": dict(self.observables),
                "wall_time": self.wall_time}
