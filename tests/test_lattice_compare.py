"""RG next to the lattice: the sectors, gap formulas, extrapolation and verdict of `lattice compare`."""

from __future__ import annotations

import json

import pytest

from pairing1d.cli import main
from pairing1d.lattice import LatticeError, LatticeParams, Sector, SectorResult
from pairing1d.lattice.compare import base_sector, compare_point
from pairing1d.lattice.observables import gap_sectors, gaps_from_energies

GAP, BIND = 0.3, -0.2


def fake_solver(params: LatticeParams, sector: Sector, method: str, **options) -> SectorResult:
    """Energies with known gaps: spin gap GAP + 1/L, pair binding BIND + 2/L, secondary gap 1 (exactly), so the
    extrapolations must return GAP, BIND and 1."""
    L = params.L
    n = sector.N_up + sector.N_dn
    e = -1.0 * n + 0.5 * sector.N_sec**2 + (GAP + 1.0 / L) * abs(sector.N_up - sector.N_dn) / 2
    e += (BIND + 2.0 / L) * 0.5 * (n % 2 == 0) * (n > 2 * (L // 4))  # binding of the second added electron
    return SectorResult(params, sector, method, e)


def test_base_sector():
    assert base_sector(8, 0.5, 0.75) == Sector(2, 2, 6)
    with pytest.raises(LatticeError, match="does not fit"):
        base_sector(6, 0.5, 0.75)


def test_gap_formulas_on_known_energies():
    base = Sector(2, 2, 6)
    E = {s: fake_solver(LatticeParams(L=8), s, "x").energy for s in gap_sectors(base, ["spin_gap", "secondary_gap"])}
    gaps = gaps_from_energies(base, E.get)
    assert gaps["spin_gap"] == pytest.approx(GAP + 1 / 8) and gaps["secondary_gap"] == pytest.approx(1.0)
    assert gaps["pair_binding"] is None  # its sectors were not computed


def test_compare_point_extrapolates_and_judges():
    seen = []
    c = compare_point({"U": 1.0, "V_s": 1.5, "V_s2": 0.5, "W": 1.0}, 0.5, 0.75, [8, 12, 16], solver=fake_solver,
                      on_result=seen.append)
    assert c.evidence["spin_gap"].value == pytest.approx(GAP, abs=1e-9)
    assert c.evidence["secondary_gap"].value == pytest.approx(1.0)
    # E(N+2) + E(N) - 2E(N+1) = BIND/2 - GAP at every size (the 1/L parts cancel)
    assert c.evidence["pair_binding"].value == pytest.approx(BIND / 2 - GAP)
    assert c.lattice_verdict == "spin gap + bound pairs"
    assert len(seen) == 3 * 7  # ground, spin, N+1, N+2, N_sec +1, N_sec -1, (N+2, N_sec-1) per size
    assert c.rg_phase in ("decoupled", "paired", "trion") and c.bosonized["model"]["vertex_charge"] == 2.0
    with pytest.raises(LatticeError):
        compare_point({"U": 1.0}, 0.5, 0.75, [8], solver=fake_solver)


def test_compare_cli_runs_ed(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["lattice", "compare", "--json", "--sizes", "4,6", "--n", "1", "--ns", "0.5", "--method", "ed", "--U", "1",
              "--W", "0.5"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    point = json.loads(out)["points"][0]
    assert set(point["evidence"]) == {"spin_gap", "pair_binding", "secondary_gap", "trion_binding"}
    assert point["evidence"]["spin_gap"]["sizes"] == [4, 6]
