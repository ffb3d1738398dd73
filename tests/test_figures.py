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
from pairing1d.claims import CLAIMS
from pairing1d.cli import main
from pairing1d.figures import FIG3, FIG3_DOT, FIG4, FIG5

xr = pytest.importorskip("xarray")

RESOLUTION = 12


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture(scope="module")
def figures_dir(tmp_path_factory) -> Path:
    """One coarse ``pairing1d figures`` run (printed scheme) shared by the tests of this module."""
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
        r = phase_of(Model(**FIG5, lstar=lstar))
        pair = math.exp(-r.l_bar) if r.l_bar is not None else 0.0
        trion = math.exp(-r.l_bbar) * r.model.cutoff1(r.l_bbar) if r.l_bbar is not None else 0.0
        assert float(ds["spin_gap"][i]) == pytest.approx(pair, rel=1e-4, abs=1e-300)
        assert float(ds["trion_scale"][i]) == pytest.approx(trion, rel=1e-4, abs=1e-300)


def test_fig8_has_one_band_at_the_fermi_level_at_the_crossing_momentum(figures_dir: Path):
    from pairing1d.cnt import FIG8, crossing

    ds = xr.open_dataset(figures_dir / "fig8.nc", engine="h5netcdf")
    energy = ds["energy"].values
    changes = np.nonzero(np.any(np.diff(np.sign(energy), axis=1) != 0, axis=1))[0]
    assert changes.size == 1  # the caption: a single spin- and valley-polarized band at the Fermi level
    band = energy[changes[0]]
    k = ds["k"].values
    roots = k[:-1][np.diff(np.sign(band)) != 0]
    expected = crossing(FIG8, ds.attrs["mu_meV"])
    assert expected.single_band and expected.hole_like
    assert np.abs(roots).max() == pytest.approx(expected.k_fermi, rel=2 * (k[1] - k[0]) / expected.k_fermi)


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


def test_statements_that_are_exact_hold_in_both_schemes():
    from pairing1d.claims import conductances, iso_gap_lines, red_dot_flow

    for scheme in ("printed", "frozen"):
        assert iso_gap_lines(scheme).holds is True
        assert conductances(scheme).holds is True
    # the red dot's numbers are those of the scipy flow
    claim = red_dot_flow("printed")
    flow = solve_flow(Model(**FIG3, **FIG3_DOT, lstar=3.0))
    assert claim.numbers["3"]["ys_at_lmax"] == pytest.approx(flow.ys[-1], abs=1e-4)
    assert claim.numbers["3"]["l_bar"] == flow.l_bar


def test_particle_like_is_hole_like_at_minus_q():
    """Sec. II B: y2 at Q flows exactly as y1 at -Q (Eq. 16c, d exchange under Q -> -Q)."""
    from pairing1d.claims import hole_like_favoured

    claim = hole_like_favoured("printed")
    assert claim.numbers["q_mirror_exact"] is True
    assert claim.numbers["gapped_hole_like"] > claim.numbers["gapped_particle_like"]
