"""``pairing1d figures`` at a coarse resolution, and the figures' data against independent code paths.

The figures are drawn from engine sweeps; here their numbers are recomputed with the scipy single-flow solver,
closed forms and the nanotube's own band crossing, and the statements module is checked against exact results.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from pairing1d import Model, phase_of, solve_flow
from pairing1d.cli import main
from pairing1d.paper.claims import CLAIMS
from pairing1d.paper.setups import FIG3, FIG3_DOT, FIG4, FIG5

xr = pytest.importorskip("xarray")

RESOLUTION = 12


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture(scope="module")
def figures_dir(tmp_path_factory) -> Path:
    """One coarse ``pairing1d figures`` run (the defaults: consistent flow, cic scheme) shared by the tests of this
    module."""
    out = tmp_path_factory.mktemp("figures")
    with pytest.raises(SystemExit) as exit_info:
        main(["figures", "--out", str(out), "--resolution", str(RESOLUTION), "--json"])
    assert exit_info.value.code == 0
    return out


def test_every_file_is_written(figures_dir: Path):
    for name in ("fig3", "fig4", "fig5", "fig8"):
        for suffix, magic in ((".png", b"\x89PNG"), (".pdf", b"%PDF")):
            path = figures_dir / f"{name}{suffix}"
            assert path.read_bytes()[:4] == magic, path
        ds = xr.open_dataset(figures_dir / f"{name}.nc", engine="h5netcdf")
        assert ds.attrs["figure"] == f"Fig. {name[3:]}"
        assert ds.attrs["pairing1d_version"]
    assert (figures_dir / "table1.md").exists()
    assert json.loads((figures_dir / "statements.json").read_text())
    table = [line for line in (figures_dir / "statements.md").read_text().splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(CLAIMS)  # header, rule, one row per statement


def test_fig3_map_is_capped_l_bar_with_the_closed_form_at_y0_zero(figures_dir: Path):
    ds = xr.open_dataset(figures_dir / "fig3.nc", engine="h5netcdf")
    lmax = ds.attrs["lmax"]
    np.testing.assert_array_equal(ds["l_bar_capped"], np.minimum(ds["l_bar"], lmax))
    assert ds.attrs["Kc0"] == FIG3["Kc0"] and ds.attrs["K0"] == FIG3["K0"] and ds.attrs["chi"] == FIG3["chi"]
    # with y0 = 0 on the SU(2) line ys(l) = ys0/(1 + ys0 l): l_bar = (1 - |ys0|)/|ys0| for ys0 < 0, none for > 0
    column = ds["l_bar_capped"].sel(y0=0.0).isel(lstar=0)
    for ys0, value in zip(column["ys0"].values, column.values, strict=True):
        expected = (1 - abs(ys0)) / abs(ys0) if ys0 < 0 else math.inf
        assert value == pytest.approx(min(expected, lmax), rel=1e-6)


def test_fig3_red_dot_flow_is_the_scipy_flow(figures_dir: Path):
    ds = xr.open_dataset(figures_dir / "fig3.nc", engine="h5netcdf")
    for lstar in ds["lstar"].values:
        flow = solve_flow(Model(**FIG3, **FIG3_DOT, lstar=float(lstar)))
        ys = ds["ys_flow"].sel(lstar=lstar).values
        inside = ds["l"].values <= flow.l_end
        np.testing.assert_allclose(ys[inside], flow.at(ds["l"].values[inside])["ys"], rtol=1e-9)
        assert np.all(np.isnan(ys[~inside]))


def test_fig4_phases_agree_with_the_scipy_path(figures_dir: Path):
    ds = xr.open_dataset(figures_dir / "fig4.nc", engine="h5netcdf")
    rng = np.random.default_rng(5)
    for _ in range(25):
        point = {dim: ds[dim].values[rng.integers(ds.sizes[dim])] for dim in ("K0", "exp_neg_lstar", "y0")}
        lstar = -math.log(point["exp_neg_lstar"]) if point["exp_neg_lstar"] > 0 else math.inf
        expected = phase_of(Model(**FIG4, K0=float(point["K0"]), y0=float(point["y0"]), lstar=lstar))
        assert int(ds["phase"].sel(point)) == expected.code, point


def test_fig5_crossovers_are_exp_of_the_event_scales(figures_dir: Path):
    ds = xr.open_dataset(figures_dir / "fig5.nc", engine="h5netcdf")
    for i in (0, ds.sizes["lstar"] // 2, ds.sizes["lstar"] - 1):
        lstar = float(ds["lstar"][i])
        r = phase_of(Model(**FIG5, lstar=lstar, scheme=ds.attrs["scheme"], flow=ds.attrs["flow"]))
        # the cic scheme's flowing mismatch already holds the cutoff: no c1 factor there (phases.py)
        c1 = (lambda l: 1.0) if r.model.scheme == "cic" else r.model.cutoff1
        trion = math.exp(-r.l_bbar) * c1(r.l_bbar) if r.phase == "trion" else 0.0  # the trion phase's gap only
        # the spin sector's scale: the gap of the paired phase, the trion scale of the trion phase (no gap is read
        # off the flow continued past the trion's hand-over)
        pair = math.exp(-r.l_bar) if r.phase == "paired" and r.hand_over is None else trion
        assert float(ds["spin_gap"][i]) == pytest.approx(pair, rel=1e-4, abs=1e-300)
        assert float(ds["trion_scale"][i]) == pytest.approx(trion, rel=1e-4, abs=1e-300)


def test_fig8_has_one_band_at_the_fermi_level_at_the_crossing_momentum(figures_dir: Path):
    from pairing1d.devices.cnt import FIG8, crossing

    ds = xr.open_dataset(figures_dir / "fig8.nc", engine="h5netcdf")
    energy = ds["energy"].values
    changes = np.nonzero(np.any(np.diff(np.sign(energy), axis=1) != 0, axis=1))[0]
    assert changes.size == 1  # the caption: a single spin- and valley-polarized band at the Fermi level
    band = energy[changes[0]]
    k = ds["k"].values
    roots = k[:-1][np.diff(np.sign(band)) != 0]
    expected = crossing(FIG8, ds.attrs["mu_meV"])
    assert expected.single_band and expected.hole_like
    k_fermi = expected.k_fermi * 1e-9  # the dataset's momenta are in 1/nm
    assert ds["k"].attrs["units"] == "nm-1" and ds.attrs["k_fermi_per_nm"] == pytest.approx(k_fermi)
    assert np.abs(roots).max() == pytest.approx(k_fermi, rel=2 * (k[1] - k[0]) / k_fermi)


def test_table_one_has_the_published_conductances(figures_dir: Path):
    text = (figures_dir / "table1.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| Two-terminal"))
    assert [c.strip() for c in row.split("|")[2:5]] == ["2", "2", "4/3"]


@pytest.mark.parametrize(("argv", "name"), [
    (["--scheme", "nope"], "scheme"), (["--resolution", "2"], "resolution"), (["--resolution", "x"], "resolution"),
])
def test_bad_input_is_one_line(tmp_path: Path, argv: list[str], name: str, capsys):
    code, _out, err = run(["figures", "--out", str(tmp_path / "f"), *argv], capsys)
    assert code == 2
    assert err.count("\n") == 1 and name in err and "Traceback" not in err


def test_output_folder_that_is_a_file_is_one_line(tmp_path: Path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    code, _out, err = run(["figures", "--out", str(target), "--resolution", "4"], capsys)
    assert code == 2 and err.count("\n") == 1 and "output folder" in err


def test_eq18_at_equal_velocities_is_kc0_above_one():
    """With u = uc, Kc~ + Q^2 K~ = Kc0/sqrt(1-v^2) and 1/Kc~ = 1/(Kc0 sqrt(1-v^2)): SC iff Kc0 > 1 (bare)."""
    rng = np.random.default_rng(2)
    for _ in range(200):
        m = Model(Kc0=rng.uniform(0.3, 1.6), K0=rng.uniform(0.1, 1.5), upsilon=rng.uniform(-0.95, 0.95))
        margin = m.Kc_tilde0 + m.Q**2 * m.K_tilde0 - 1 / m.Kc_tilde0
        assert margin == pytest.approx((m.Kc0 - 1 / m.Kc0) / math.sqrt(1 - m.upsilon**2), abs=1e-12)


# --------------------------------------------------------------------------------------------- the statements
# Each statement is checked against an independent computation where that is cheap, at the smallest grid that
# still shows the behaviour (most claims take a resolution ``n``).

COMBOS = [(flow, scheme) for flow in ("consistent", "paper") for scheme in ("cic", "printed", "frozen")]


def _finite_json(numbers) -> None:
    """``numbers`` serializes to strict JSON (no inf, no NaN, only plain types)."""
    text = json.dumps(numbers, allow_nan=False)
    assert json.loads(text) == numbers


def test_statements_file_has_every_claim_with_finite_numbers(figures_dir: Path):
    from pairing1d.paper.claims_common import Claim

    rows = json.loads((figures_dir / "statements.json").read_text(),
                      parse_constant=lambda name: pytest.fail(f"{name} in statements.json"))
    assert len({r["key"] for r in rows}) == len(rows)
    assert len(rows) == len(CLAIMS)
    assert set(rows[0]) == set(Claim.__dataclass_fields__)
    for row in rows:
        assert row["flow"] == "consistent" and row["scheme"] == "cic"
        assert row["holds"] in (True, False, None)
        _finite_json(row["numbers"])
    md = (figures_dir / "statements.md").read_text()
    assert "verdict (consistent flow, cic)" in md


def test_fig4_planes_are_cached_per_flow_and_paper_refuses_upsilon_theta():
    from pairing1d.paper.claims_common import _fig4_plane
    from pairing1d.support.errors import ModelError

    a = _fig4_plane("cic", 0.4, "consistent", 4)
    assert _fig4_plane("cic", 0.4, flow="consistent", n=4) is a
    b = _fig4_plane("cic", 0.4, "paper", 4)
    assert b is not a and b.attrs["flow"] == "paper" and a.attrs["flow"] == "consistent"
    assert _fig4_plane("cic", 0.4, "consistent", 4, upsilon_theta=0.0).attrs["upsilon_theta"] == 0.0
    with pytest.raises(ModelError, match="upsilon_theta"):
        _fig4_plane("cic", 0.4, "paper", 4, upsilon_theta=0.0)


@pytest.mark.parametrize(("flow", "scheme"), COMBOS)
def test_exact_statements_hold_under_every_flow_and_scheme(flow: str, scheme: str):
    from pairing1d.paper.claims_figures import conductances, iso_gap_lines
    from pairing1d.paper.claims_model import secondary_gapped_in_trion
    from pairing1d.paper.claims_platforms import floating_secondary_drag
    from pairing1d.paper.setups import fig3_data

    fig3 = fig3_data(scheme, 16, n_l=11, flow=flow)
    for claim in (iso_gap_lines(scheme, fig3, flow=flow), conductances(scheme, flow),
                  floating_secondary_drag(scheme, flow), secondary_gapped_in_trion(scheme, flow)):
        assert claim.holds is True and claim.flow == flow and claim.scheme == scheme, claim.key
        _finite_json(claim.numbers)


def test_fig3_data_of_another_flow_is_refused():
    from pairing1d.paper.claims_figures import cutoff_moves_boundary
    from pairing1d.paper.setups import fig3_data
    from pairing1d.support.errors import ModelError

    with pytest.raises(ModelError, match="Fig. 3"):
        cutoff_moves_boundary("printed", fig3_data("printed", 4, n_l=3, flow="consistent"), flow="paper")


def test_red_dot_numbers_are_the_scipy_flow():
    from pairing1d.paper.claims_figures import red_dot_flow

    claim = red_dot_flow("printed", flow="paper")
    flow = solve_flow(Model(**FIG3, **FIG3_DOT, lstar=3.0, scheme="printed", flow="paper"))
    assert claim.numbers["3"]["ys_at_lmax"] == pytest.approx(flow.ys[-1], abs=1e-4)
    assert claim.numbers["3"]["l_bar"] == flow.l_bar
    _finite_json(claim.numbers)


def test_particle_like_is_hole_like_at_minus_q():
    """Sec. II B: y2 at Q flows exactly as y1 at -Q (Eq. 16c, d exchange under Q -> -Q)."""
    from pairing1d.paper.claims_figures import hole_like_favoured

    claim = hole_like_favoured("printed", flow="paper")
    assert claim.numbers["q_mirror_exact"] is True
    assert claim.numbers["gapped_hole_like"] > claim.numbers["gapped_particle_like"]


def test_theta_pi_opens_a_triplet_gap_instead_of_pairs():
    """Sec. II B 4: at theta = pi ys runs to +1; the flow reports a triplet / SDW_z spin gap, not 'decoupled'."""
    from pairing1d.paper.claims_figures import phase_hinders_pairing

    claim = phase_hinders_pairing("printed", flow="paper", n=12)
    same, opposite = claim.numbers["theta_0"], claim.numbers["theta_pi"]
    assert same["paired"] > 0 and opposite["paired"] < same["paired"] and claim.holds is True
    assert opposite["triplet"] > 0 and same["triplet"] == 0
    assert claim.numbers["ys_runaway_share"]["theta_pi"] > claim.numbers["ys_runaway_share"]["theta_0"]
    # one point of the theta = pi plane, by the scipy path
    r = phase_of(Model(**FIG4, K0=0.4, y0=0.3, lstar=-math.log(0.6), theta=math.pi, scheme="printed", flow="paper"))
    assert r.phase == "triplet" and r.spin_gap_type == "triplet" and r.dominant_order in ("SDW", "TS")
    # no singlet pairing at theta = 0 (cic scheme): the hindrance cannot be measured, the verdict says so
    cic = phase_hinders_pairing("cic", n=12)
    assert cic.numbers["theta_0"]["paired"] > 0 or cic.holds is None
    _finite_json(claim.numbers)


def test_sc_at_equal_velocities_off_line13_follows_the_closed_form():
    """Off the line (13), upsilon_theta = 0 at u = uc: bare SC beats CDW iff upsilon^2 > 1 - Kc^4."""
    from pairing1d.paper.claims_figures import sc_narrow
    from pairing1d.theory.gaussian import gaussian_theory

    for kc, ups in ((0.95, 0.5), (0.95, 0.4), (0.9, 0.6), (0.8, 0.5), (0.99, 0.2)):
        dims = gaussian_theory(kc, 0.55, 1.0, ups, 0.0).dimensions()
        assert (dims["sc"] < dims["cdw"]) == (ups**2 > 1 - kc**4), (kc, ups)
        line = gaussian_theory(kc, 0.55, 1.0, ups, -ups).dimensions()
        assert line["sc"] > line["cdw"]  # on the line at u = uc: never (Kc0 < 1)
    consistent = sc_narrow("frozen", n=4)
    assert consistent.numbers["closed_form_u_eq_uc_upsilon_theta_0"]["all_agree"] is True
    assert set(consistent.numbers["off_line_upsilon_theta_0"]) == {"1", "0.5"}
    paper = sc_narrow("frozen", flow="paper", n=4)
    assert paper.numbers["off_line_upsilon_theta_0"] is None and "not defined off the line" in paper.finding
    _finite_json(consistent.numbers)
    _finite_json(paper.numbers)


def test_gross_mismatch_against_single_points():
    from pairing1d.paper.claims_model import gross_mismatch_decoupled

    cic = gross_mismatch_decoupled("cic", n=4)
    printed = gross_mismatch_decoupled("printed", flow="paper", n=4)
    point = {**FIG5, "y0": 0.3, "lstar": -1.0, "lmax": 60.0}
    assert phase_of(Model(**point, scheme="cic")).phase == "decoupled"
    grown = phase_of(Model(**point, scheme="printed", flow="paper"))
    assert cic.holds is (cic.numbers["not_decoupled_by_lmax"]["60"]["share"] == 0)
    assert grown.phase != "decoupled" and not grown.controlled  # the printed cutoff never stops y1
    assert printed.holds is False and printed.numbers["not_decoupled_by_lmax"]["60"]["share"] > 0
    _finite_json(printed.numbers)


def test_gapped_secondary_against_single_points():
    from pairing1d.paper.claims_model import gapped_secondary_none

    for scheme, flow in (("cic", "consistent"), ("printed", "paper"), ("frozen", "consistent")):
        claim = gapped_secondary_none(scheme, flow, n=4)
        counts = claim.numbers["not_decoupled_by_lmass"]["0"]
        phases = [phase_of(Model(**FIG4, K0=K0, y0=y, lstar=math.inf, lmass=0.0, scheme=scheme, flow=flow)).phase
                  for K0 in (0.4, 0.55, 0.7) for y in np.linspace(0.0, 0.3, 4)]
        fig4_nontrivial = sum(p != "decoupled" for p in phases)
        assert (counts["share"] == 0) is claim.holds
        assert fig4_nontrivial <= counts["share"] * counts["points"] + 1e-9
        if fig4_nontrivial:
            assert claim.holds is False
        _finite_json(claim.numbers)


def test_y2_negligible_against_model_by_model_batch():
    from pairing1d.engine.batch import run_batch
    from pairing1d.paper.claims_model import y2_negligible
    from pairing1d.paper.setups import FIG4_K0

    n = 6
    claim = y2_negligible("printed", flow="paper", n=n)
    x, y = np.linspace(0.0, 0.6, n), np.linspace(0.0, 0.3, n)
    for K0 in FIG4_K0:
        grid = [(a, b) for a in x for b in y]
        lstar = [-math.log(a) if a > 0 else math.inf for a, _ in grid]
        kw = {**FIG4, "K0": K0, "scheme": "printed", "flow": "paper"}
        ref = run_batch([Model(**kw, y0=b, lstar=l) for (_, b), l in zip(grid, lstar, strict=True)]).phase
        with_y2 = run_batch([Model(**kw, y0=b, y2=b, lstar=l) for (_, b), l in zip(grid, lstar, strict=True)]).phase
        assert claim.numbers["by_K0"][f"{K0:g}"]["changed_share"] == pytest.approx(np.mean(ref != with_y2), abs=1e-4)
    assert claim.holds is (claim.numbers["max_changed_share"] < 0.01)
    dropped = y2_negligible("cic", n=4)
    assert dropped.numbers["y2_dropped_at_start"] is True and dropped.numbers["max_changed_share"] == 0


def test_off_line13_is_not_defined_for_the_paper_flow_and_flips_the_bare_order():
    from pairing1d.paper.claims_model import off_line13_quantitative

    paper = off_line13_quantitative("frozen", flow="paper", n=4)
    assert paper.holds is None and paper.numbers == {"defined": False}
    claim = off_line13_quantitative("frozen", n=8)
    bare = claim.numbers["bare_order_kc095_ups05"]
    assert bare["density"]["sc_wins"] is (0.5**2 > 1 - 0.95**4) is True
    assert bare["line13"]["sc_wins"] is False
    assert claim.holds is not (claim.numbers["dominant_order_changes"] or claim.numbers["phase_set_changes"])
    _finite_json(claim.numbers)


def test_cross_terms_compares_the_two_flows_whatever_the_flow_argument():
    from pairing1d.engine.sweep import sweep
    from pairing1d.paper.claims_model import cross_terms_harmless

    a = cross_terms_harmless("frozen", "consistent", n=6)
    b = cross_terms_harmless("frozen", "paper", n=6)
    assert a.numbers == b.numbers and a.holds == b.holds
    axes = {"exp_neg_lstar": np.linspace(0.0, 0.6, 6), "y0": np.linspace(0.0, 0.3, 6)}
    phases = [sweep(Model(**FIG4, K0=0.55, scheme="frozen", flow=f), **axes)["phase"].values
              for f in ("consistent", "paper")]
    assert a.numbers["by_K0"]["0.55"]["changed_share"] == pytest.approx(np.mean(phases[0] != phases[1]), abs=1e-4)


def test_trion_boundary_and_the_pokrovsky_talapov_estimate():
    """At the last trion point of each row the hand-over's running mismatch lies below the locking threshold
    delta_c = (2 sqrt2/pi) sqrt(y u_bar b^T M^-1 b), recomputed here from the recorded state; in cic that is the trion
    rule, so the locking test agrees with the RG on both sides of every boundary."""
    from pairing1d.paper.claims_model import cic_transition_at_lstar
    from pairing1d.theory.phases import REPORTED

    claim = cic_transition_at_lstar("cic", n=12, n_pt=2)
    rows = [(K0, r) for K0, v in claim.numbers["by_K0"].items() for r in v["pokrovsky_talapov"]]
    assert rows
    for K0, r in rows:
        model = Model(**FIG4, K0=float(K0), y0=r["y0"], lstar=r["lstar_last_trion"])
        result = phase_of(model)
        snap = result.flow.handovers[REPORTED]
        g = model.gaussian
        T = np.array([[1.0, -model.Q], [0.0, 1.0]])
        G = np.array([[snap["g11"], snap["g12"]], [snap["g12"], snap["g22"]]])
        M = T.T @ g.M @ T + (G - np.linalg.inv(g.C_rotated))  # u = uc: u_bar = 1
        b = np.array([math.sqrt(2.0), 2.0 - math.sqrt(2.0) * model.Q])
        delta_c = 2 * math.sqrt(2) / math.pi * math.sqrt(model.y_strong * float(b @ np.linalg.solve(M, b)))
        assert r["critical_mismatch_at_last_trion"] == pytest.approx(delta_c, abs=2e-3)  # y0, l* rounded to 1e-4
        assert r["mismatch_at_last_trion"] == pytest.approx(snap["delta1"], abs=2e-3) and snap["delta1"] < delta_c
        assert r["rg_phase_at_last_trion"] == "trion" and r["lstar_last_trion"] > r["lstar_first_not_trion"]
    assert claim.numbers["pt_agrees_both_sides"] == claim.numbers["pt_rows"] == len(rows)
    worst = claim.numbers["max_abs_l_bbar_minus_lstar"]
    assert claim.holds is (worst < claim.numbers["tolerance"])
    _finite_json(claim.numbers)


def test_tuning_protocol_exit_phase_along_the_top_row():
    from pairing1d.paper.claims_common import _trion_block_end
    from pairing1d.paper.claims_model import tuning_protocol

    assert _trion_block_end(np.array([2, 2, 1, 0])) == 1
    assert _trion_block_end(np.array([0, 0])) is None and _trion_block_end(np.array([2, 2])) == 1
    n = 8
    claim = tuning_protocol("printed", flow="paper", n=n)
    # the top row (y0 = 0.3) at K0 = 0.4 by the scipy path: trion from exp(-l*) = 0, then the exit phase
    phases = [phase_of(Model(**FIG4, K0=0.4, y0=0.3, lstar=-math.log(x) if x > 0 else math.inf, scheme="printed",
                             flow="paper")).phase for x in np.linspace(0.0, 0.6, n)]
    exit_phase = phases[phases.index(next(p for p in phases if p != "trion"))]
    row = claim.numbers["by_K0"]["0.4"]
    assert exit_phase == "paired" and row["y0_above_which_always_paired"] is not None
    assert row["exit_phases"]["paired"] >= 1
    _finite_json(claim.numbers)


def test_tunnelling_operators_carry_theta_g_or_theta_s():
    """Redo the charge-vector algebra of Eq. (19) with explicit basis vectors."""
    from pairing1d.paper.claims_model import secondary_gapped_in_trion

    claim = secondary_gapped_in_trion("cic")
    s2, s3, s6 = math.sqrt(2), math.sqrt(3), math.sqrt(6)
    # theta_g = (sqrt2 theta_c + p theta)/N with theta_c = (theta_up + theta_dn)/sqrt2 and N = sqrt(2 + p^2), and
    # theta_s = (theta_up - theta_dn)/sqrt2, as unit vectors on (theta_up, theta_dn, theta)
    for p, theta_g in ((2.0, np.array([1 / s6, 1 / s6, 2 / s6])), (1.0, np.array([1 / s3, 1 / s3, 1 / s3]))):
        theta_s = np.array([1 / s2, -1 / s2, 0.0])
        secondary = np.array([0.0, 0.0, 1.0])  # e^{i theta} of the secondary fermion e^{i(theta - phi)}
        up = np.array([1.0, 0.0, 0.0])  # e^{i theta_up} of the primary electron
        rows = claim.numbers["by_vertex_charge"][f"p={p:g}"]
        got_sec = rows["secondary fermion e^{i(theta - phi)}"]["theta_s_g_f"]
        got_up = rows["primary electron e^{i(theta_up - phi_up)}"]["theta_s_g_f"]
        assert got_sec[:2] == pytest.approx([secondary @ theta_s, secondary @ theta_g], abs=1e-6)
        assert got_up[:2] == pytest.approx([up @ theta_s, up @ theta_g], abs=1e-6)
        assert abs(secondary @ theta_g) > 0.3 and abs(up @ theta_s) > 0.3
    assert claim.holds is True and claim.numbers["composite_only_theta_f"] is True


def test_ladder_vertex_dimension_is_the_gaussian_one():
    from pairing1d.paper.claims_platforms import ladder_more_relevant
    from pairing1d.theory.gaussian import gaussian_theory

    claim = ladder_more_relevant("cic", n=8)
    for K0, row in claim.numbers["by_K0"].items():
        g = gaussian_theory(FIG4["Kc0"], float(K0), 1.0, FIG4["upsilon"], -FIG4["upsilon"])
        ks = 1 + FIG4["ys0"] / 2
        for p in (1.0, 2.0):
            a = np.array([math.sqrt(2.0), p])
            assert row["y1_dimension"][f"p={p:g}"] == pytest.approx(ks / 2 + a @ g.C_phi @ a / 4, abs=1e-4)
    ok = all(r["y1_dimension"]["p=1"] < r["y1_dimension"]["p=2"]
             and r["not_decoupled_share"]["p=1"] > r["not_decoupled_share"]["p=2"]
             for r in claim.numbers["by_K0"].values())
    assert claim.holds is ok


def test_back_gate_ranges_are_the_cutoffs_of_the_ladder():
    """l* = ln 1/|0.05 -+ sgn(mu) sqrt(mu^2 - gap^2)/2| beyond the gap, l_m = ln 1/(gap - |mu|) inside it."""
    from pairing1d.paper.claims_platforms import back_gate_controls

    claim = back_gate_controls("frozen", n=61)
    mu = np.linspace(-0.3, 0.3, 61)
    gap = 0.05
    outside = np.abs(mu) >= gap
    q = np.sqrt(np.where(outside, mu**2 - gap**2, 0.0))
    lstar = np.where(outside, -np.log(np.abs(0.05 - np.sign(mu) * q / 2)), -math.log(0.05))
    inside = ~outside
    lmass = -np.log(gap - np.abs(mu[inside]))
    assert claim.numbers["lstar_range"] == pytest.approx([lstar.min(), lstar.max()], abs=2e-3)
    assert claim.numbers["lmass_range"][0] == pytest.approx(lmass.min(), abs=2e-3)
    assert claim.holds is (len(claim.numbers["phases_present"]) >= 2)


def test_coupled_wire_counterexample_by_hand():
    """Kc- = 0.9 < 1, U_perp = 0.002: the Josephson coupling, started at l_s from (t/Delta)^2, wins."""
    from pairing1d.paper.claims_platforms import coupled_wire_rules

    claim = coupled_wire_rules("cic", n=25)
    l_s = math.log(1 / 0.05)
    l_j = l_s + math.log((0.05 / 0.01) ** 2) / (2 - 1 / 0.9)
    log_u = math.log(0.002) + (2 - 0.9 - 1.0) * l_s
    l_pi = l_s - log_u / (2 - 0.9)
    assert l_j < l_pi
    c = claim.numbers["counterexample"]
    assert c["verdict"] == "superconductor"
    assert c["l_josephson"] == pytest.approx(l_j, rel=1e-9) and c["l_pi_cdw"] == pytest.approx(l_pi, rel=1e-9)
    assert claim.numbers["josephson_relevant_iff_half"] is True and claim.numbers["pi_cdw_more_relevant_iff_1"] is True
    assert claim.holds is True
    _finite_json(claim.numbers)


def test_single_band_window_holds_the_fig8_point():
    from pairing1d.devices.cnt import FIG8, crossing
    from pairing1d.paper.claims_platforms import single_band_windows

    claim = single_band_windows("cic", n_mu=321, n_phi=31)
    found = crossing(FIG8, -3.0)
    assert found.single_band and found.hole_like
    # at Delta_Phi = 0.5 meV the four gaps are 5.5, 3.5, 2.5, 4.5 meV: one hole band for -3.5 <= mu < -2.5
    hole = [w for w in claim.numbers["windows_at_fig8_flux"] if w["hole_like"]]
    assert len(hole) == 1 and hole[0]["mu_from"] == pytest.approx(-3.5, abs=0.06)
    assert hole[0]["mu_to"] == pytest.approx(-2.5, abs=0.06)
    assert claim.numbers["fig8_point_in_hole_window"] is True and claim.holds is True
    assert claim.numbers["single_band_share_no_flux"] == 0 and claim.numbers["single_band_share_no_spin_orbit"] == 0


def test_floating_secondary_conductance_by_hand():
    """G_float = G - G_x^2/T_33 with T = 1 - n_s n_s^T - n_g n_g^T (trion): 0; 2 where only n_s or nothing is
    pinned."""
    from pairing1d.paper.claims_platforms import floating_secondary_drag

    n_s, n_g = np.array([1, -1, 0]) / math.sqrt(2), np.array([1, 1, 2]) / math.sqrt(6)
    expected = {}
    for name, pinned in (("decoupled", []), ("paired", [n_s]), ("trion", [n_s, n_g]), ("triplet", [n_s])):
        T = np.eye(3) - sum((np.outer(v, v) for v in pinned), np.zeros((3, 3)))
        primary, secondary = np.array([1, 1, 0]), np.array([0, 0, 1])
        g, gx, t33 = primary @ T @ primary, secondary @ T @ primary, secondary @ T @ secondary
        expected[name] = g - gx**2 / t33 if abs(t33) > 1e-12 else g
    claim = floating_secondary_drag("printed", "paper")
    assert claim.numbers["floating_conductance"] == pytest.approx(expected, abs=1e-12)
    assert claim.holds is True


def test_every_claim_takes_scheme_and_flow_and_returns_strict_json():
    """The cheap claims under the paper flow (the expensive ones are covered by the statements file above)."""
    import inspect

    from pairing1d.paper.claims import NEEDS_FIG3, evaluate

    for claim in CLAIMS:
        params = list(inspect.signature(claim).parameters)
        assert params[0] == "scheme" and "flow" in params, claim.__name__
        assert inspect.signature(claim).parameters["flow"].default == "consistent"
        if claim in NEEDS_FIG3:
            assert params[1] == "fig3"
    assert list(inspect.signature(evaluate).parameters) == ["scheme", "fig3", "progress", "flow"]


# ------------------------------------------------------------------------------------- figures without traps

def _capture_figure(monkeypatch):
    """Replace the package's save_figure by one that keeps the figure for inspection (and writes nothing)."""
    import pairing1d.plotting as plotting

    kept = []

    def keep(fig, path):
        kept.append(fig)
        return Path(path)

    monkeypatch.setattr(plotting, "save_figure", keep)
    return kept


def test_fig8_draws_the_datasets_momenta_with_every_band_and_the_fermi_points(monkeypatch, tmp_path):
    """Fig. 8's axis spans the dataset's momenta (1/nm; a unit slip once drew 1e-11 of it), holds all eight band
    edges, and marks the Fermi points at +-k_F of the single crossing band."""
    from pairing1d.devices.cnt import FIG8, crossing
    from pairing1d.paper.figures import draw_fig8, fig8_data

    ds = fig8_data(n_k=101)
    kept = _capture_figure(monkeypatch)
    draw_fig8(ds, tmp_path / "fig8.png")
    ax = kept[0].axes[0]
    assert ax.get_xlim() == pytest.approx((float(ds["k"].min()), float(ds["k"].max())))
    edges = ds["energy"].values[:, ds.sizes["k"] // 2]
    low, high = ax.get_ylim()
    assert low < edges.min() and edges.max() < high and len(edges) == 8
    dots = [line.get_xdata()[0] for line in ax.lines if line.get_marker() == "o"]
    k_fermi = crossing(FIG8, ds.attrs["mu_meV"]).k_fermi * 1e-9
    assert sorted(dots) == pytest.approx([-k_fermi, k_fermi], rel=1e-3)


def test_fig5_draws_each_crossover_only_where_it_is_a_phase_boundary(monkeypatch, tmp_path):
    """Under the paper's flow Fig. 5 has a paired and a trion region: T_pair is drawn over the paired l* only,
    T_trion over the trion l* only (inside the trion region e^-l_bar separates nothing)."""
    from pairing1d.paper.figures import draw_fig5, fig5_data
    from pairing1d.theory.phases import PHASES

    ds = fig5_data("printed", 24, flow="paper")
    phase = ds["phase"].values
    assert {PHASES.index("paired"), PHASES.index("trion")} <= set(phase.tolist())
    kept = _capture_figure(monkeypatch)
    draw_fig5(ds, tmp_path / "fig5.png")
    lines = {line.get_label(): np.asarray(line.get_ydata(), float) for line in kept[0].axes[0].lines}
    pair = next(v for k, v in lines.items() if "rm pair" in k)
    trion = next(v for k, v in lines.items() if "rm trion" in k)
    np.testing.assert_array_equal(np.isfinite(pair), phase == PHASES.index("paired"))
    np.testing.assert_array_equal(np.isfinite(trion), phase == PHASES.index("trion"))


def test_fig3_red_dot_says_where_ys_reaches_minus_one_past_lmax():
    """With the paper's flow at l* = 3 the red dot's ys is still at -0.69 at lmax = 20 and reaches -1 only just
    after: the dataset records that l_bar (the panel's text says it lies past lmax), equal to the flow solved on."""
    from pairing1d.paper.setups import FIG3_DOT_LMAX_FACTOR, fig3_data

    ds = fig3_data("printed", 4, n_l=21, flow="paper")
    lmax = ds.attrs["lmax"]
    for lstar in ds["lstar"].values:
        longer = solve_flow(Model(**FIG3, **FIG3_DOT, lstar=float(lstar), flow="paper", scheme="printed",
                                  lmax=FIG3_DOT_LMAX_FACTOR * lmax))
        recorded = float(ds["red_dot_l_bar"].sel(lstar=lstar))
        assert recorded == (pytest.approx(longer.l_bar) if longer.l_bar is not None else math.inf)
    assert lmax < float(ds["red_dot_l_bar"].sel(lstar=3.0)) < 1.1 * lmax


def test_the_gate_map_figure_uses_the_one_palette():
    """The phase colours of the gate-map figure are plotting.PHASE_COLOURS (it once had its own paired green)."""
    from matplotlib.colors import to_hex

    from pairing1d.devices import device_plots
    from pairing1d.plotting import PHASE_COLOURS

    cmap, _ = device_plots._cmap()
    from pairing1d.devices.gate_map import PHASE_LABELS

    for i, code in enumerate(sorted(PHASE_LABELS)):
        assert to_hex(cmap(i)) == PHASE_COLOURS[PHASE_LABELS[code]]


def test_statements_about_the_paired_phase_need_points_the_ensemble_supports():
    """Under Eq. (16) as printed the Fig. 4 planes are mostly paired, but every paired point is undetermined under the
    verdict ensemble (the scipy path says so at the top row's exit point): the statements that the paired phase lies
    between trion and decoupled, grows with small K and ends the tuning protocol cannot be decided there."""
    from pairing1d.paper.claims_figures import paired_in_between, small_K_enlarges
    from pairing1d.paper.claims_model import tuning_protocol

    n = 8
    x = np.linspace(0.0, 0.6, n)
    results = [phase_of(Model(**FIG4, K0=0.4, y0=0.3, lstar=-math.log(v) if v > 0 else math.inf, scheme="printed",
                              flow="paper")) for v in x]
    paired = [r for r in results if r.phase == "paired"]
    assert paired and all(r.certainty == "undetermined" for r in paired)
    for statement in (paired_in_between, small_K_enlarges, tuning_protocol):
        claim = statement("printed", flow="paper", n=n)
        assert claim.holds is None, (statement.__name__, claim.finding)
        assert "robust 0, leaning 0" in claim.finding or "0 are robust or leaning" in claim.finding
