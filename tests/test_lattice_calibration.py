"""The lattice-calibrated bridge: Luttinger parameters and velocities of each chain alone.

Second witness: free fermions, whose open-chain levels -2t cos(pi k/(L+1)) and correlation matrix are closed forms
(K = 1, v = 2t sin k_F), fed through the same lookup interface the store uses; and one DMRG run with an empty
leg, which must be the chain alone exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pairing1d.lattice import LatticeError, LatticeParams, Sector, SectorResult
from pairing1d.lattice.bridge import bosonize
from pairing1d.lattice.calibration import ChainParameters, chain_parameters, hubbard_alone, secondary_alone


def free_levels(L: int) -> np.ndarray:
    return -2.0 * np.cos(np.pi * np.arange(1, L + 1) / (L + 1))


def free_density_correlations(L: int, N: int) -> np.ndarray:
    """<n_i n_j>_c of N free spinless fermions on an open chain (Wick: delta_ij C_ii - C_ij^2)."""
    i = np.arange(1, L + 1)
    phi = np.sqrt(2.0 / (L + 1)) * np.sin(np.pi * np.outer(i, np.arange(1, N + 1)) / (L + 1))
    C = phi @ phi.T
    return np.diag(np.diag(C)) - C * C


def free_lookup(params: LatticeParams, sector: Sector) -> SectorResult:
    """Free electrons and free spinless fermions (U = V = V_s = V_s2 = W = 0), each chain's energy a sum of
    levels, with the density correlations the calibration reads."""
    L = params.L
    eps = free_levels(L)
    energy = sum(float(eps[:N].sum()) for N in (sector.N_up, sector.N_dn, sector.N_sec))
    observables = {"nn": (free_density_correlations(L, sector.N_up)
                          + free_density_correlations(L, sector.N_dn)).tolist(),
                   "mm": free_density_correlations(L, sector.N_sec).tolist()}
    return SectorResult(params, sector, "exact", energy, {}, observables)


FREE = {"U": 0.0, "V_s": 0.0, "V_s2": 0.0, "W": 0.0}


@pytest.mark.parametrize("ns", [0.5, 2 / 3, 0.75])
def test_free_spinless_chain_gives_K_1_and_v_F(ns):
    chain = secondary_alone(free_lookup, FREE, ns, [24, 48, 96])
    assert chain.K == pytest.approx(1.0, abs=max(3 * chain.K_error, 0.01))
    v = 2.0 * math.sin(math.pi * ns)
    assert chain.velocity == pytest.approx(v, rel=0.01)
    assert abs(chain.velocity - v) <= max(3 * chain.velocity_error, 0.01)
    # each length alone is already within 1/L of the answer: the (L + 1) is right
    for L, vL in zip(chain.sizes, chain.velocity_by_size, strict=True):
        assert abs(vL - v) < 4.0 / L


def test_free_spinful_chain_gives_Kc_1_and_v_F():
    chain = hubbard_alone(free_lookup, FREE, 0.5, [24, 48, 96])
    assert chain.K == pytest.approx(1.0, abs=0.01)
    assert chain.velocity == pytest.approx(2.0 * math.sin(math.pi / 4), rel=0.01)


def test_calibrated_bridge_uses_the_measured_parameters():
    hub = ChainParameters("Hubbard", 0.8, 0.01, 1.2, 0.01, (12, 24), (0.8, 0.8), (1.2, 1.2))
    sec = ChainParameters("secondary", 0.6, 0.01, 1.1, 0.01, (12, 24), (0.6, 0.6), (1.1, 1.1))
    params = LatticeParams(L=24, U=1.0, V_s=1.5, V_s2=0.5, W=1.0)
    first = bosonize(params, 0.5, 2 / 3)
    calibrated = bosonize(params, 0.5, 2 / 3, calibration=(hub, sec))
    assert (calibrated.Kc, calibrated.K, calibrated.vF, calibrated.vs) == (0.8, 0.6, 1.2, 1.1)
    assert calibrated.K_source == "DMRG (chain alone)"
    assert calibrated.ys0 == pytest.approx(first.ys0 * first.vF / 1.2)
    assert calibrated.model.K0 == 0.6 and calibrated.model.Kc0 == 0.8
    assert calibrated.model.u_ratio == pytest.approx(1.1 / 1.2)
    bad = ChainParameters("secondary", -0.1, 0.0, 1.0, 0.0, (12, 24), (0.1, 0.1), (1.0, 1.0))
    with pytest.raises(LatticeError, match="not positive"):
        bosonize(params, 0.5, 2 / 3, calibration=(hub, bad))


def test_missing_lengths_are_a_clear_error():
    with pytest.raises(LatticeError, match="needs 2"):
        chain_parameters("test", [12, 24], lambda L: 1.0 if L == 12 else None, lambda L: 1.0)


def test_an_empty_leg_is_the_chain_alone():
    """DMRG of the coupled model with the spinless chain empty is the free spinful chain exactly, whatever W."""
    from pairing1d.lattice.dmrg import ground_state_dmrg

    L = 8
    params = LatticeParams(L=L, U=0.0, V_s=1.5, W=2.0)
    result = ground_state_dmrg(params, Sector(2, 2, 0), chi_max=32, measure=False)
    assert result.energy == pytest.approx(2 * free_levels(L)[:2].sum(), abs=1e-8)
    result = ground_state_dmrg(LatticeParams(L=L, V_s=0.0, W=3.0, U=4.0), Sector(0, 0, 3), chi_max=32,
                               measure=False)
    assert result.energy == pytest.approx(free_levels(L)[:3].sum(), abs=1e-8)
