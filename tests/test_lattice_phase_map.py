"""The study's phase map: central charge against the chains-alone reference, the spin-gap witness, the RG under every
flow and scheme, the agreement fractions, and `lattice report` on a store.

The store here is synthetic: its entanglement profiles are exact free-fermion ones (Peschel) so that a known number
of gapless modes is present, its spin gaps closed forms. That tests the bookkeeping and the verdict rule (a
consistency check, not evidence); the evidence is the committed study of docs/lattice.md.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from pairing1d.cli import app
from pairing1d.lattice import LatticeParams, Sector, SectorResult
from pairing1d.lattice.entanglement import free_fermion_profile
from pairing1d.lattice.phase_map import COMBOS, decay_exponent, study_map, wilson_interval
from pairing1d.lattice.scan import ScanConfig, plan
from pairing1d.lattice.store import RunStore

BASE = {"t": 1.0, "U": 1.0, "t_s": 1.0, "V_s": 1.5, "V_s2": 0.5}
SIZES = [16, 32]
# W -> (gapless modes of the coupled ground state, spin gap open?, secondary gap open?)
MODES = {1.0: ("charge spin secondary", False, False), 2.0: ("charge secondary", True, False),
         3.0: ("secondary", True, True), 1.5: ("charge secondary", False, False)}


def profile(L: int, modes: str, sector: Sector) -> dict[str, list[float]]:
    S, hub, sec = np.zeros(L - 1), np.zeros(L - 1), np.zeros(L - 1)
    for mode, N in (("charge", sector.N_up), ("spin", sector.N_dn)):
        if mode in modes.split():
            s, tau = free_fermion_profile(L, N)
            S, hub = S + s, hub + tau
    if "secondary" in modes.split():
        s, sec = free_fermion_profile(L, sector.N_sec)
        S = S + s
    return {"entropy": S.tolist(), "hopping_hubbard": hub.tolist(), "hopping_secondary": sec.tolist()}


def power_law(L: int, eta: float, period: int = 1) -> list[list[float]]:
    i = np.arange(L)
    r = np.abs(i[:, None] - i[None, :]).astype(float)
    C = np.where(r > 0, np.maximum(r, 1.0) ** -eta, 1.0) * np.cos(2 * np.pi * r / period)
    return C.tolist()


def fake_result(params: LatticeParams, sector: Sector, config: ScanConfig) -> SectorResult:
    L, W = params.L, params.W
    alone_hub, alone_sec = config.ns == 0, config.n == 0
    base = Sector(round(config.n * L / 2), round(config.n * L / 2), round(config.ns * L))
    spin_flip = sector.N_up - sector.N_dn == 2
    secondary_charge = sector.N_sec != base.N_sec
    if alone_hub or alone_sec:
        modes, spin_gapped, secondary_gapped = ("charge spin" if alone_hub else "secondary"), False, False
    else:
        modes, spin_gapped, secondary_gapped = MODES[W]
    energy = 0.0
    if spin_flip:
        energy = (0.5 if spin_gapped else 0.0) + 1.0 / L
    elif secondary_charge:
        energy = (0.5 if secondary_gapped else 0.0) + 1.0 / L
    if sector == base.shifted(1, 1, -1) and not (alone_hub or alone_sec) and W == 3.0:
        energy = -0.3 - 1.0 / L  # a bound trion: E_trion = -0.3 - 1/L - (0.5 + 1/L) -> -0.8 at 1/L = 0
    observables = profile(L, modes, base) if sector == base else {}
    if sector == base and not (alone_hub or alone_sec):
        observables |= {"pair": power_law(L, 0.5), "nn": power_law(L, 1.5, period=4)}
    return SectorResult(params, sector, "dmrg", energy, {"max_truncation_error": 1e-7}, observables, wall_time=2.0)


def write_study(path, Ws=(1.0, 2.0, 3.0, 1.5)) -> list[ScanConfig]:
    configs = [
        ScanConfig.from_dict({"name": "map", "sizes": SIZES, "n": 0.5, "ns": "3/4",
                              "quantities": ["spin_gap", "secondary_gap"], "couplings": BASE | {"W": list(Ws)}}),
        ScanConfig.from_dict({"name": "hubbard alone", "sizes": SIZES, "n": 0.5, "ns": 0, "shifts": [[-1, -1, 0]],
                              "quantities": ["spin_gap", "pair_binding"], "couplings": BASE | {"W": 0.0}}),
        ScanConfig.from_dict({"name": "secondary alone", "sizes": SIZES, "n": 0, "ns": 0.75,
                              "quantities": ["secondary_gap"], "couplings": BASE | {"U": 0.0, "W": 0.0}}),
    ]
    with RunStore(path) as store:
        for config in configs:
            store.put_config(config.name, config.to_dict())
            for task in plan(config):
                store.put(task.key, fake_result(task.params, task.sector, config), task.options)
    return configs


def test_verdicts_need_the_gaps_and_the_central_charge_to_agree(tmp_path):
    write_study(tmp_path / "study.sqlite")
    study = study_map(tmp_path / "study.sqlite")
    by_W = {p.couplings["W"]: p for p in study.points}
    assert set(by_W) == {1.0, 1.5, 2.0, 3.0}
    drops = {W: p.reference.c - p.central_charge.c for W, p in by_W.items()}
    assert drops[1.0] == pytest.approx(0.0, abs=1e-9)  # the same profile as the chains alone
    assert drops[2.0] == pytest.approx(1.0, abs=0.1) and drops[3.0] == pytest.approx(2.0, abs=0.15)
    assert [by_W[W].verdict for W in (1.0, 2.0, 3.0)] == ["decoupled", "paired", "trion"]
    assert by_W[2.0].spin_gap_open and not by_W[1.0].spin_gap_open
    assert by_W[3.0].secondary_gap_open and not by_W[2.0].secondary_gap_open
    assert [by_W[W].gap_phase for W in (1.0, 1.5, 2.0, 3.0)] == ["decoupled", "decoupled", "paired", "trion"]
    # the gaps say decoupled, the central charge dropped by one: no verdict, and the reason says why
    assert by_W[1.5].verdict is None and "(decoupled) but c_ref - c = 0.97" in by_W[1.5].reason
    assert by_W[1.5].c_phase == "paired"
    # the spin-gap reference is the Hubbard chain alone
    assert by_W[1.0].spin_gap_reference == {16: pytest.approx(1 / 16), 32: pytest.approx(1 / 32)}
    # every flow and scheme has a verdict at every point, from the stored runs' couplings
    for p in study.points:
        assert set(p.rg) == {f"{f}/{s}" for f, s in COMBOS}
        assert all(v["phase"] in ("decoupled", "paired", "trion", "triplet") for v in p.rg.values())
    # the order of the paired point: pair correlations decay slower than the CDW crests -> SC
    order = by_W[2.0].order
    assert order["eta_pair"][0] == pytest.approx(0.5, abs=0.01) and order["eta_cdw"][0] == pytest.approx(1.5, abs=0.01)
    assert order["dominant"] == "SC"
    runs = sum(len(plan(c)) for c in write_study(tmp_path / "again.sqlite"))
    assert study.cost_core_hours == pytest.approx(2.0 * runs / 3600.0)
    # the chains alone carry no density correlations here: no calibrated bridge, and nothing pretends otherwise
    assert study.calibrations == {} and all(p.rg_calibrated == {} for p in study.points)


def test_agreement_counts_only_decided_points(tmp_path):
    write_study(tmp_path / "study.sqlite")
    study = study_map(tmp_path / "study.sqlite")
    decided = [p for p in study.points if p.verdict is not None]
    agreement = study.agreement()
    for (flow, scheme), (label, a) in zip(COMBOS, agreement.items(), strict=True):
        assert label == f"{flow}/{scheme}"
        assert a["decided"] == len(decided) == 3
        assert a["agree"] == sum(p.rg[label]["phase"] == p.verdict for p in decided)
        low, high = a["interval"]
        assert low <= a["fraction"] <= high


def test_wilson_interval_and_decay_exponent():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(1 - high) and 0.3 < low < 0.5
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0) and wilson_interval(10, 10)[0] > 0.85
    eta, sigma = decay_exponent(power_law(40, 1.25))
    assert eta == pytest.approx(1.25, abs=1e-9) and sigma < 1e-9
    assert decay_exponent(np.eye(4)) is None


def test_report_cli_prints_the_map_and_draws_it(tmp_path):
    write_study(tmp_path / "study.sqlite")
    runner = CliRunner()
    result = runner.invoke(app, ["lattice", "report", str(tmp_path / "study.sqlite"), "--plot",
                                 str(tmp_path / "map.png")])
    assert result.exit_code == 0, result.output
    assert "Lattice phase map" in result.output and "Agreement" in result.output
    assert "undecided U=1 W=1.5" in result.output
    assert (tmp_path / "map.png").stat().st_size > 10_000
    assert (tmp_path / "map_calibrated.png").stat().st_size > 10_000
    result = runner.invoke(app, ["lattice", "report", str(tmp_path / "study.sqlite"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    verdicts = {p["couplings"]["W"]: p["verdict"] for p in data["study"]["points"]}
    assert verdicts == {1.0: "decoupled", 1.5: None, 2.0: "paired", 3.0: "trion"}
    assert set(data["study"]["agreement"]) == {f"{f}/{s}" for f, s in COMBOS}
    assert math.isfinite(data["study"]["cost_core_hours"])


def test_committed_study_reports_without_recomputing(monkeypatch):
    """`lattice report` on the committed store (docs/data/pairing_map.sqlite) reads runs only: every solver is
    replaced by one that fails, and the report still holds every point with its reference, within the budget of
    the scan file."""
    from pathlib import Path

    import pairing1d.lattice.dmrg as dmrg
    import pairing1d.lattice.solve as solve
    from pairing1d.lattice.scan import read_scan_file

    def refuse(*args, **kwargs):
        raise AssertionError("the report computed a run")

    monkeypatch.setattr(solve, "solve_sector", refuse)
    monkeypatch.setattr(dmrg, "ground_state_dmrg", refuse)
    docs = Path(__file__).parent.parent / "docs" / "data"
    result = CliRunner().invoke(app, ["lattice", "report", str(docs / "pairing_map.sqlite"), "--json"])
    assert result.exit_code == 0, result.output
    study = json.loads(result.output)["study"]
    assert study is not None and len(study["points"]) >= 6
    assert all(p["reference_central_charge"] is not None for p in study["points"])
    assert study["cost_core_hours"] <= read_scan_file(docs / "pairing_map.toml").budget_core_hours
    for p in study["points"]:  # a verdict is only ever the gaps' phase, confirmed by the central charge
        assert p["verdict"] in (None, p["gap_phase"])
    assert set(study["calibrations"]) >= {"hubbard U=0 n=0.5", "hubbard U=1 n=0.5"}


def test_bindings_per_length_and_extrapolated(tmp_path):
    """E_trion = E(N+2, Nsec-1) + E(N) - E(N+2) - E(Nsec-1) of the synthetic energies, per L and linear in 1/L: -0.8
    where a trion binds (W = 3), 0 where nothing does; E_pair of the chains alone is the reference."""
    path = tmp_path / "study.sqlite"
    write_study(path, Ws=(1.0, 3.0))
    with RunStore(path) as store:
        config = ScanConfig.from_dict({"name": "bindings", "sizes": SIZES, "n": 0.5, "ns": "3/4",
                                       "quantities": ["pair_binding", "trion_binding"],
                                       "couplings": BASE | {"W": [1.0, 3.0]}})
        store.put_config(config.name, config.to_dict())
        for task in plan(config):
            store.put(task.key, fake_result(task.params, task.sector, config), task.options)
    by_W = {p.couplings["W"]: p for p in study_map(path).points}
    bound, free = by_W[3.0], by_W[1.0]
    assert bound.bindings["trion_binding"] == pytest.approx({L: -0.8 - 2.0 / L for L in SIZES})
    assert bound.bindings_extrapolated["trion_binding"][0] == pytest.approx(-0.8)
    assert free.bindings["trion_binding"] == pytest.approx({L: 0.0 for L in SIZES})
    assert set(free.bindings["pair_binding_reference"]) == set(SIZES)
    assert "bindings_extrapolated" in bound.to_dict()


def test_report_on_a_store_with_nothing_to_report_says_what_is_missing(tmp_path, capsys):
    """An empty store, or one whose only point misses a run, exits 2 with one line naming what is missing."""
    from pairing1d.cli import main

    empty = tmp_path / "empty.sqlite"
    with RunStore(empty):
        pass
    partial = tmp_path / "partial.sqlite"
    configs = write_study(partial, Ws=(1.0,))
    tasks = plan(configs[0])
    with RunStore(partial) as store:  # the coupled chains keep one run of their plan: no point is complete
        store._db.executemany("DELETE FROM runs WHERE key = ?", [(t.key,) for t in tasks[1:]])
        store._db.commit()
    for path, words in ((empty, "holds no scan"), (partial, f"scan 'map' has 1 of {len(tasks)} runs")):
        with pytest.raises(SystemExit) as info:
            main(["lattice", "report", str(path)])
        err = capsys.readouterr().err
        assert info.value.code == 2 and "nothing to report" in err and words in err, err
        assert len(err.strip().splitlines()) == 1
