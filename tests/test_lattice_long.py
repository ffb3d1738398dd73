"""Longer-chain versions of the lattice checks (`make test-long`): minutes each on two cores."""

from __future__ import annotations

import numpy as np
import pytest
from test_lattice_dmrg import lieb_wu_energy, spin_gaps  # tests/ is on sys.path (rootdir, no package)

from pairing1d.lattice import LatticeParams, Sector
from pairing1d.lattice.bridge import xxz_luttinger_parameter
from pairing1d.lattice.dmrg import ground_state_dmrg
from pairing1d.lattice.observables import extrapolate, luttinger_parameter

pytestmark = pytest.mark.long


@pytest.mark.parametrize("U", [2.0, 8.0])
def test_lieb_wu_long(U):
    """E(L) = e L + b + c/L + d/L^2 through L = 12..24 (chi 256): e within 1e-4 of Lieb-Wu."""
    L = np.array([12, 16, 20, 24])
    E = [ground_state_dmrg(LatticeParams(L=int(n), U=U), Sector(int(n) // 2, int(n) // 2, 0), chi_max=256,
                           measure=False).energy for n in L]
    e = np.linalg.lstsq(np.vstack([L, np.ones(4), 1.0 / L, 1.0 / L**2]).T, E, rcond=None)[0][0]
    assert e == pytest.approx(lieb_wu_energy(U), abs=1e-4)


@pytest.mark.parametrize("delta", [-0.5, 0.5, 0.8])
def test_tv_luttinger_long(delta):
    """K of the half-filled t-V chain from L = 16, 24, 32 against the Bethe ansatz within 2 %."""
    K = {}
    for L in (16, 24, 32):
        r = ground_state_dmrg(LatticeParams(L=L, U=0.0, V_s=2 * delta), Sector(0, 0, L // 2), chi_max=96,
                              correlations=True)
        K[L] = luttinger_parameter(np.array(r.observables["mm"]))
    value, _ = extrapolate(list(K), list(K.values()))
    assert value == pytest.approx(xxz_luttinger_parameter(delta), rel=0.02)


def test_spin_gap_scaling_long():
    """Repulsive Hubbard at quarter filling: L * gap stays within 15 % from L = 8 to 16 (gap ~ 1/L, up to the
    logarithmic corrections of the marginal ys); attractive: the gap extrapolates to > 1 t."""
    rep = spin_gaps(4.0, sizes=(8, 12, 16))
    products = [L * g for L, g in rep.items()]
    assert max(products) / min(products) < 1.15
    att = spin_gaps(-4.0, sizes=(8, 12, 16))
    assert extrapolate(list(att), list(att.values()))[0] > 1.0


@pytest.mark.parametrize("name, params, sector, c, tolerance", [
    ("free spinless chain", LatticeParams(L=64, U=0.0), Sector(0, 0, 27), 1, 0.03),
    ("free spinful chain", LatticeParams(L=24, U=0.0), Sector(10, 10, 0), 2, 0.2),
    ("attractive Hubbard chain (spin gap)", LatticeParams(L=24, U=-4.0), Sector(10, 10, 0), 1, 0.15),
    ("repulsive Hubbard chain", LatticeParams(L=24, U=4.0), Sector(10, 10, 0), 2, 0.45),
    ("decoupled chains, W = 0", LatticeParams(L=24, U=4.0), Sector(10, 10, 10), 3, 0.6),
])
def test_central_charge_long(name, params, sector, c, tolerance):
    """The central charge of the known limits on L = 24 (64 for one species) at chi 400: the estimator's
    finite-size bias is -7 % of c at L = 24 for free fermions; the repulsive Hubbard chain adds the marginal
    spin coupling's logarithmic corrections."""
    from pairing1d.lattice.entanglement import central_charge

    obs = ground_state_dmrg(params, sector, chi_max=400, max_E_err=1e-8).observables
    fit = central_charge(obs["entropy"], {"hubbard": obs["hopping_hubbard"], "secondary": obs["hopping_secondary"]})
    print(name, fit.c, fit.error, fit.by_window)
    assert abs(fit.c - c) < tolerance, (name, fit)
