r"""A microscopic lattice model of the paper's setup, solved by exact diagonalization and DMRG.

A Hubbard chain (the primary wire) and a chain of spinless fermions with longer-range repulsion (the
secondary), coupled by density-density repulsion only; see :class:`~pairing1d.lattice.params.LatticeParams` for
the Hamiltonian. ``ed`` diagonalizes it by symmetry sector with scipy.sparse, ``dmrg`` builds the same
Hamiltonian as a TeNPy ``CouplingMPOModel`` and runs finite DMRG; the two are independent code paths.

A layer beside :mod:`pairing1d.devices` and :mod:`pairing1d.paper`: it may import :mod:`pairing1d.engine`,
:mod:`pairing1d.theory`, :mod:`pairing1d.plotting` and :mod:`pairing1d.support`, not those two or the applications
(``tests/test_architecture.py``).
"""

from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["LatticeError", "LatticeParams", "Sector", "SectorResult"]
