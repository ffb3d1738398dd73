r"""A microscopic lattice model of the paper's setup, solved by exact diagonalization and DMRG.

A Hubbard chain (the primary wire) and a chain of spinless fermions with longer-range repulsion (the
secondary), coupled by density-density repulsion only; see :class:`~pairing1d.lattice.params.LatticeParams` for
the Hamiltonian. ``ed`` diagonalizes it by symmetry sector with scipy.sparse, ``dmrg`` builds the same
Hamiltonian as a TeNPy ``CouplingMPOModel`` and runs finite DMRG; the two are independent code paths.
"""

from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["LatticeError", "LatticeParams", "Sector", "SectorResult"]
