"""The central charge from entanglement: the estimator on exact free-fermion profiles (Peschel), the DMRG profile
against them, and the known limits of the coupled chains (c = 1, 2, 3, 1) on lengths that run in the suite."""

from __future__ import annotations

import numpy as np
import pytest

from pairing1d.lattice.entanglement import (
    CentralChargeFit,
    central_charge,
    chord_log,
    free_fermion_profile,
    phase_from_central_charge,
)
from pairing1d.lattice.params import LatticeError, LatticeParams, Sector


def test_peschel_profile_limits():
    """The exact profile: S = 0 for an empty or full chain, one fermion on two sites is a Bell pair (ln 2), the
    profile is symmetric under x -> L - x, and the half-filled bond hopping in the bulk tends to 2/pi per direction."""
    assert np.allclose(free_fermion_profile(10, 0)[0], 0) and np.allclose(free_fermion_profile(10, 10)[0], 0)
    assert free_fermion_profile(2, 1)[0][0] == pytest.approx(np.log(2), abs=1e-12)
    S, tau = free_fermion_profile(40, 17)
    np.testing.assert_allclose(S, S[::-1], atol=1e-10)
    _, tau = free_fermion_profile(400, 200)
    assert tau[199] == pytest.approx(2 / np.pi, abs=5e-3)


@pytest.mark.parametrize("L, tolerance", [(24, 0.08), (32, 0.05), (64, 0.02), (128, 0.01)])
def test_estimator_on_exact_free_fermions(L, tolerance):
    """On the exact profiles of free fermions (c = 1) at four fillings: c within the stated tolerance, approached
    from below, and the error bar covers the distance to 1 (the estimator does not claim more than it has)."""
    for N in (L // 4, L // 3, L // 2 - 2, L // 2):
        S, tau = free_fermion_profile(L, N)
        fit = central_charge(S, {"tau": tau})
        assert abs(fit.c - 1) < tolerance, (L, N, fit)
        assert fit.c < 1.005 and abs(fit.c - 1) <= fit.error + 0.01, (L, N, fit)
        # two independent species (spinful free fermions) double the entropy and c; the estimate scales with it
        assert central_charge(2 * S, {"tau": tau}).c == pytest.approx(2 * fit.c, rel=1e-9)


def test_friedel_regression_is_needed():
    """Without the Friedel term the windows scatter by 0.3-1 at L = 24; with it by less than 0.08."""
    for N in (6, 8, 10, 12):
        S, tau = free_fermion_profile(24, N)
        plain, friedel = central_charge(S), central_charge(S, {"tau": tau})
        spread = [max(f.by_window.values()) - min(f.by_window.values()) for f in (plain, friedel)]
        assert spread[0] > 0.2 and spread[1] < 0.08, (N, spread)


def test_chord_is_that_of_L_plus_one():
    """A profile made exactly of (c/6) ln chord(L + 1) + const + Friedel returns c to 1e-10 in every window."""
    L, c = 30, 2.0
    _, tau = free_fermion_profile(L, 11)
    S = c / 6 * chord_log(L) + 0.7 + 0.3 * (tau - tau.mean())
    fit = central_charge(S, {"tau": tau})
    assert fit.c == pytest.approx(c, abs=1e-10) and fit.error < 1e-8 and fit.s0 == pytest.approx(0.7, abs=1e-9)
    assert fit.friedel["tau"] == pytest.approx(0.3, abs=1e-9) and fit.residual < 1e-10


def test_phase_from_central_charge():
    def fit(c, error):
        return CentralChargeFit(c=c, error=error, by_window={1: c}, s0=0.0)

    assert phase_from_central_charge(fit(2.8, 0.15)) == "decoupled"
    assert phase_from_central_charge(fit(1.86, 0.13)) == "paired"
    assert phase_from_central_charge(fit(0.93, 0.06)) == "trion"
    assert phase_from_central_charge(fit(0.05, 0.02)) == "gapped"
    assert phase_from_central_charge(fit(2.5, 0.05)) is None  # half-way decides nothing
    assert phase_from_central_charge(fit(2.0, 0.6)) is None  # an error bar that reaches half-way neither
    # the decoupled chains at L = 24 measure 2.47 +- 0.20: undecided alone, decoupled against their own W = 0 fit
    assert phase_from_central_charge(fit(2.47, 0.2)) is None
    reference = fit(2.47, 0.2)
    assert phase_from_central_charge(fit(2.40, 0.2), reference=reference) == "decoupled"
    assert phase_from_central_charge(fit(1.55, 0.15), reference=reference) == "paired"
    assert phase_from_central_charge(fit(0.60, 0.1), reference=reference) == "trion"
    assert phase_from_central_charge(fit(1.97, 0.1), reference=reference) is None  # half a mode: undecided


def test_bad_profiles_are_refused_in_one_line():
    with pytest.raises(LatticeError, match="too short"):
        central_charge([0.1, 0.2, 0.3])
    with pytest.raises(LatticeError, match="NaN"):
        central_charge([0.1, np.nan, 0.3, 0.3, 0.2, 0.1])
    with pytest.raises(LatticeError, match="Friedel regressor 'h'"):
        central_charge(np.ones(9), {"h": np.ones(8)})
    with pytest.raises(LatticeError, match="free-fermion"):
        free_fermion_profile(10, 11)


def _dmrg(params: LatticeParams, sector: Sector, **options):
    from pairing1d.lattice.dmrg import ground_state_dmrg

    return ground_state_dmrg(params, sector, **options).observables


@pytest.mark.parametrize("N_up, N_dn, N_sec", [(3, 0, 4), (0, 5, 0)])
def test_dmrg_profile_equals_peschel(N_up, N_dn, N_sec):
    """DMRG of free fermions (U = W = 0) against the exact profile: S is the sum of the independent species, and
    the hopping across each cut that of each chain (the cut indexing on both legs, the Jordan-Wigner strings
    through the site in between). Two species at most: with three the Schmidt spectrum needs chi > 256 already
    at L = 10 (truncation 2e-7)."""
    L = 10
    obs = _dmrg(LatticeParams(L=L, U=0.0), Sector(N_up, N_dn, N_sec), chi_max=128)
    (S_up, tau_up), (S_dn, tau_dn), (S_s, tau_s) = (free_fermion_profile(L, n) for n in (N_up, N_dn, N_sec))
    np.testing.assert_allclose(obs["entropy"], S_up + S_dn + S_s, atol=1e-7)
    np.testing.assert_allclose(obs["hopping_hubbard"], tau_up + tau_dn, atol=1e-8)
    np.testing.assert_allclose(obs["hopping_secondary"], tau_s, atol=1e-8)


def _central_charge(params: LatticeParams, sector: Sector, **options):
    obs = _dmrg(params, sector, **options)
    return central_charge(obs["entropy"], {"hubbard": obs["hopping_hubbard"], "secondary": obs["hopping_secondary"]})


@pytest.mark.parametrize("name, params, sector, c, tolerance", [
    # (the estimator approaches c from below: 0.93 c at L = 24 and 0.855 c at L = 16 for free fermions)
    ("free spinless chain", LatticeParams(L=24, U=0.0), Sector(0, 0, 10), 1, 0.1),
    # c = 2 of two free species (50 s): in make test-long; their sum rule stays (decoupled chains, Peschel profile)
    pytest.param("free spinful chain", LatticeParams(L=16, U=0.0), Sector(6, 6, 0), 2, 0.35, marks=pytest.mark.long),
    ("attractive Hubbard chain (spin gap)", LatticeParams(L=16, U=-4.0), Sector(6, 6, 0), 1, 0.15),
])
def test_known_limits(name, params, sector, c, tolerance):
    fit = _central_charge(params, sector, chi_max=128, max_E_err=1e-8)
    assert abs(fit.c - c) < tolerance, (name, fit)


def test_decoupled_chains_are_the_sum_of_the_chains_alone():
    """At W = W1 = 0 the ground state is a product: the ladder's profile is the Hubbard chain's plus the spinless
    chain's, each computed alone (the other leg empty). Checked on a ladder short enough for DMRG of all three
    species (L = 6, interacting chains), then used for c = 3 at L = 24, which the ladder itself cannot reach in the
    suite (L = 16 at chi 256 gave 2.25 +- 0.56). The study's reference is built this way (lattice/phase_map.py)."""
    params = LatticeParams(L=6, U=1.0, V_s=1.5, V_s2=0.5, W=0.0)
    ladder = _dmrg(params, Sector(2, 1, 4), chi_max=128)
    hubbard, secondary = _dmrg(params, Sector(2, 1, 0), chi_max=64), _dmrg(params, Sector(0, 0, 4), chi_max=64)
    np.testing.assert_allclose(ladder["entropy"], np.add(hubbard["entropy"], secondary["entropy"]), atol=1e-6)
    np.testing.assert_allclose(ladder["hopping_hubbard"], hubbard["hopping_hubbard"], atol=1e-6)
    np.testing.assert_allclose(ladder["hopping_secondary"], secondary["hopping_secondary"], atol=1e-6)
    # so c of the decoupled free chains at L = 24 is read from the sum of the exact single-chain profiles (DMRG of a
    # free chain is Peschel's profile, test_dmrg_profile_equals_peschel): c = 3 within the estimator's bias there
    # (0.93 c) and its quoted error
    L = 24
    (S_up, tau_up), (S_dn, tau_dn), (S_s, tau_s) = (free_fermion_profile(L, N) for N in (6, 6, 17))
    fit = central_charge(S_up + S_dn + S_s, {"hubbard": tau_up + tau_dn, "secondary": tau_s})
    assert abs(fit.c - 3) < 0.3 and abs(fit.c - 3) < fit.error + 0.01, fit


def test_solve_cli_reports_the_central_charge(capsys):
    """`pairing1d lattice solve` (DMRG) prints the central charge with its phase; --json carries it. A free spinless
    chain of 16 cells: c = 0.855 (the exact profile's value at this length), the phase named trion (one mode)."""
    import json

    from pairing1d.cli import main

    argv = ["lattice", "solve", "--N-up", "0", "--N-dn", "0", "--U", "0", "--chi", "64"]
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--L", "16", "--N-sec", "6", "--json"])
    assert exit_info.value.code == 0
    fit = json.loads(capsys.readouterr().out)["central_charge"]
    S, tau = free_fermion_profile(16, 6)
    exact = central_charge(S, {"secondary": tau})
    assert fit["c"] == pytest.approx(exact.c, abs=1e-6) and fit["phase"] == "trion"
    assert set(fit["by_window"]) == {"1", "2", "3", "4"}
    with pytest.raises(SystemExit):
        main([*argv, "--L", "8", "--N-sec", "3"])
    assert "central charge c = " in capsys.readouterr().out
