r"""The lattice model as a TeNPy ``CouplingMPOModel``: a Hubbard chain capacitively coupled to spinless fermions.

.. math::
    H = &-t\sum_{j,\sigma}\big(c^\dagger_{j\sigma}c_{j+1,\sigma} + {\rm h.c.}\big)
        + U\sum_j n_{j\uparrow}n_{j\downarrow} + V\sum_j n_jn_{j+1} \\
        &-t_s\sum_j\big(f^\dagger_jf_{j+1} + {\rm h.c.}\big) + V_s\sum_j m_jm_{j+1} + V_{s2}\sum_j m_jm_{j+2} \\
        &+ W\sum_j n_jm_j + W_1\sum_j\big(n_jm_{j+1} + m_jn_{j+1}\big)

on a two-leg ``Ladder`` of :math:`L` rungs with open boundaries: leg 0 holds the Hubbard sites
(``SpinHalfFermionSite``), leg 1 the spinless sites (``FermionSite``). The charges of the two sites are made
independent (``set_common_charges(..., 'independent')``), so the MPS conserves :math:`N_\uparrow + N_\downarrow`,
:math:`2S^z` and :math:`N_{\rm sec}` separately. The same :math:`H` is built independently, in the Fock basis, by
:mod:`pairing1d.lattice.ed`.
"""

from __future__ import annotations

from tenpy.models.lattice import Ladder
from tenpy.models.model import CouplingMPOModel
from tenpy.networks.site import FermionSite, SpinHalfFermionSite, set_common_charges

from .params import LatticeParams

__all__ = ["CoupledChainsModel", "coupled_chains"]

HUBBARD, SPINLESS = 0, 1  # the two sites of a unit cell (legs of the ladder)


class CoupledChainsModel(CouplingMPOModel):
    r"""TeNPy model of :math:`H` (module docstring). Options: ``L`` and the couplings of
    :class:`~pairing1d.lattice.params.LatticeParams` (``t, U, V, t_s, V_s, V_s2, W, W1``)."""

    def init_sites(self, model_params):
        """The two sites of a unit cell: a Hubbard site (leg 0) and a spinless one (leg 1), charges independent."""
        hubbard = SpinHalfFermionSite(cons_N="N", cons_Sz="Sz")
        spinless = FermionSite(conserve="N")
        set_common_charges([hubbard, spinless], new_charges="independent")
        return [hubbard, spinless]

    def init_lattice(self, model_params):
        """The two-leg ``Ladder`` of ``L`` rungs (default 4), open boundaries, for a finite MPS."""
        L = model_params.get("L", 4)
        return Ladder(L, self.init_sites(model_params), bc="open", bc_MPS="finite")

    def init_terms(self, model_params):
        """The terms of :math:`H` (module docstring) with the couplings of ``model_params`` (absent: t = t_s = 1, 0)."""
        get = model_params.get
        t, U, V = get("t", 1.0), get("U", 0.0), get("V", 0.0)
        t_s, V_s, V_s2 = get("t_s", 1.0), get("V_s", 0.0), get("V_s2", 0.0)
        W, W1 = get("W", 0.0), get("W1", 0.0)
        # -t sum_sigma c^dag_{j sigma} c_{j+1 sigma} + h.c.; TeNPy inserts the Jordan-Wigner strings
        for spin in ("u", "d"):
            self.add_coupling(-t, HUBBARD, f"Cd{spin}", HUBBARD, f"C{spin}", [1], plus_hc=True)
        self.add_onsite(U, HUBBARD, "NuNd")
        self.add_coupling(V, HUBBARD, "Ntot", HUBBARD, "Ntot", [1])
        # spinless chain: hopping, nearest and next-nearest neighbour repulsion
        self.add_coupling(-t_s, SPINLESS, "Cd", SPINLESS, "C", [1], plus_hc=True)
        self.add_coupling(V_s, SPINLESS, "N", SPINLESS, "N", [1])
        self.add_coupling(V_s2, SPINLESS, "N", SPINLESS, "N", [2])
        # capacitive coupling: on the rung and to the nearest neighbours on the other leg (both directions)
        self.add_coupling(W, HUBBARD, "Ntot", SPINLESS, "N", [0])
        self.add_coupling(W1, HUBBARD, "Ntot", SPINLESS, "N", [1])
        self.add_coupling(W1, SPINLESS, "N", HUBBARD, "Ntot", [1])


def coupled_chains(params: LatticeParams) -> CoupledChainsModel:
    """The TeNPy model of ``params``."""
    return CoupledChainsModel(params.to_dict())
