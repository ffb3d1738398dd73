"""The `pairing1d flow` command: its JSON contract, parameter files, plots and one-line errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from pairing1d import Model, phase_of
from pairing1d.cli import main

REQUIRED_KEYS = {
    "phase", "l_bar", "l_bbar", "spin_gap", "trion_scale", "dominant_order", "Q", "Kc_tilde0", "K_tilde0",
    "scheme", "flow", "controlled", "verdict_by_scheme", "dimensions",
}


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def run_json(argv: list[str], capsys) -> dict:
    code, out, err = run(["flow", "--json", *argv], capsys)
    assert code == 0, err
    return json.loads(out)


def test_spin_gap_closed_form_through_the_cli(capsys):
    """ys0 = -0.2, y = 0 on the SU(2) line: ys = ys0/(1+ys0 l) reaches -1 at l_bar = 4 (the issue's check)."""
    data = run_json(["--ys0", "-0.2", "--y0", "0"], capsys)
    assert data["phase"] == "paired"
    assert data["l_bar"] == pytest.approx(4.0, abs=1e-4)
    assert data["spin_gap"] == pytest.approx(math.exp(-4.0), rel=1e-4)
    assert data["l_bbar"] is None and data["trion_scale"] is None


@pytest.mark.parametrize(
    "argv, phase",
    [
        (["--ys0", "0.1", "--y0", "0.01"], "decoupled"),
        (["--ys0", "-0.2", "--y0", "0"], "paired"),
        (["--K0", "0.3", "--lstar", "4"], "trion"),
    ],
)
def test_json_contract_in_every_phase(argv, phase, capsys):
    """One JSON object with the documented keys and types, equal to what the Python API returns."""
    data = run_json(argv, capsys)
    assert REQUIRED_KEYS <= data.keys()
    assert data["phase"] == phase
    assert data["scheme"] == "cic" and data["flow"] == "consistent" and data["controlled"] is True
    assert set(data["verdict_by_scheme"]) == {"cic", "printed", "frozen"}
    assert data["verdict_by_scheme"]["cic"] == phase
    assert set(data["dimensions"]) == {"y1", "y2", "cdw", "sc"}
    if phase == "decoupled":
        assert data["dominant_order"] is None and data["spin_gap"] is None
    else:
        assert data["dominant_order"] in ("CDW", "SC")
    for key in ("l_bar", "l_bbar", "spin_gap", "trion_scale"):
        assert data[key] is None or (isinstance(data[key], float) and math.isfinite(data[key]))
    # the second path: the library itself, with the same parameters
    flags = dict(zip(argv[::2], argv[1::2], strict=True))
    model = Model(**{k.lstrip("-"): float(v) for k, v in flags.items()})
    api = phase_of(model).to_dict()
    for key in REQUIRED_KEYS:
        assert data[key] == api[key]


def test_defaults_are_those_of_fig4(capsys):
    """Defaults: ys0 = 0.1, Kc0 = 0.9, upsilon = 0.12, chi = 1.5 (Fig. 4) with K0 = 0.6, y0 = 0.1, l* = 2, lmax = 20."""
    params = run_json([], capsys)["parameters"]
    expected = dict(ys0=0.1, Kc0=0.9, upsilon=0.12, chi=1.5, K0=0.6, y0=0.1, lstar=2.0, lmax=20.0)
    assert {k: params[k] for k in expected} == expected
    assert params["scheme"] == "cic" and params["flow"] == "consistent" and params["su2"] is True
    assert params["upsilon_theta"] is None and params["upsilon_theta_eff"] == pytest.approx(-0.12)


def test_dimensions_off_line13_through_the_cli(capsys):
    """--upsilon-theta 0 (a pure density coupling) moves the bare dimensions off the line (13) to those of the exact
    Gaussian theory; --upsilon-theta 1 is refused in one line."""
    from pairing1d.theory.gaussian import gaussian_theory

    on = run_json([], capsys)["dimensions"]
    off = run_json(["--upsilon-theta", "0"], capsys)["dimensions"]
    expected = gaussian_theory(0.9, 0.6, 1.0, 0.12, 0.0).dimensions(Ks=1.05)
    assert off == pytest.approx(expected, rel=1e-12)
    assert off["sc"] != pytest.approx(on["sc"])
    line = gaussian_theory(0.9, 0.6, 1.0, 0.12, -0.12)
    assert on["cdw"] == pytest.approx((line.C_rotated[0, 0] + Model().Q ** 2 * line.C_rotated[1, 1]) / 2)
    code, out, err = run(["flow", "--upsilon-theta", "1"], capsys)
    assert code == 2 and "upsilon_theta" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["--lstar", "0"], ["--lstar", "inf", "--lmass", "0"]])
def test_gross_mismatch_and_gapped_secondary_through_the_cli(argv, capsys):
    """Fig. 5's parameters: a mismatch of the order of the cutoff, or a secondary gap as large as the bandwidth at
    commensurability, give decoupled under the default (Sec. II A, Appendix B)."""
    fig5 = ["--Kc0", "0.85", "--K0", "0.4", "--ys0", "0.1", "--y0", "0.1", "--upsilon", "0.1"]
    data = run_json([*fig5, *argv], capsys)
    assert data["phase"] == "decoupled" and data["controlled"] is True


def test_every_flag_reaches_the_model(capsys):
    argv = [
        "--Kc0", "0.8", "--K0", "0.5", "--ys0", "0.05", "--y0", "0.08", "--y2", "0.02", "--upsilon", "0.1",
        "--u-ratio", "1.2", "--lstar", "2.5", "--lstar2", "0.5", "--chi", "1.0", "--temperature", "0.001",
        "--lmass", "6", "--y-strong", "2", "--no-su2", "--scheme", "frozen", "--theta", "0.3",
    ]
    params = run_json(argv, capsys)["parameters"]
    assert params["Kc0"] == 0.8 and params["K0"] == 0.5 and params["ys0"] == 0.05 and params["y0"] == 0.08
    assert params["y2"] == 0.02 and params["upsilon"] == 0.1 and params["u_ratio"] == 1.2
    assert params["lstar"] == 2.5 and params["lstar2"] == 0.5 and params["chi"] == 1.0
    assert params["lmax"] == pytest.approx(math.log(1000.0)) and params["temperature"] == 0.001
    assert params["lmass"] == 6.0 and params["y_strong"] == 2.0 and params["su2"] is False
    assert params["scheme"] == "frozen" and params["theta"] == 0.3


def test_params_file_and_flag_precedence(tmp_path: Path, capsys):
    """A TOML file with the flag names gives the same result as the flags; a flag overrides the file."""
    toml = tmp_path / "device.toml"
    toml.write_text('Kc0 = 0.85\nK0 = 0.6\nupsilon = 0.15\nchi = 1.0\nys0 = -0.2\ny0 = 0.0\nu-ratio = 1.0\n'
                    'y_strong = 1.0\nscheme = "frozen"\n')
    from_file = run_json(["--params", str(toml)], capsys)
    from_flags = run_json(["--Kc0", "0.85", "--K0", "0.6", "--upsilon", "0.15", "--chi", "1.0", "--ys0", "-0.2",
                           "--y0", "0.0", "--scheme", "frozen"], capsys)
    assert from_file == from_flags
    overridden = run_json(["--params", str(toml), "--ys0", "-0.25"], capsys)
    assert overridden["parameters"]["ys0"] == -0.25
    assert overridden["l_bar"] == pytest.approx(0.75 / 0.25, abs=1e-4)  # closed form (1-|ys0|)/|ys0|


def test_temperature_in_file_overridden_by_lmax_flag(tmp_path: Path, capsys):
    toml = tmp_path / "t.toml"
    toml.write_text("temperature = 0.01\n")
    assert run_json(["--params", str(toml)], capsys)["lmax"] == pytest.approx(math.log(100.0))
    assert run_json(["--params", str(toml), "--lmax", "7"], capsys)["lmax"] == 7.0


@pytest.mark.parametrize("suffix", ["png", "pdf"])
def test_plot_is_written(tmp_path: Path, suffix: str, capsys):
    target = tmp_path / "sub" / f"flow.{suffix}"
    data = run_json(["--K0", "0.3", "--lstar", "4", "--plot", str(target)], capsys)
    assert data["plot"] == str(target)
    header = target.read_bytes()[:5]
    assert header == (b"\x89PNG\r" if suffix == "png" else b"%PDF-")
    assert target.stat().st_size > 10_000


def test_summary_is_readable(capsys):
    code, out, _ = run(["flow", "--ys0", "-0.2", "--y0", "0"], capsys)
    assert code == 0
    assert "paired" in out and "l_bar" in out and "CDW" in out


BAD_INPUTS = [
    (["--Kc0", "-1"], "Kc0"),
    (["--Kc0", "nan"], "Kc0"),
    (["--K0", "inf"], "K0"),
    (["--upsilon", "1"], "upsilon"),
    (["--u-ratio", "3", "--upsilon", "0.5"], "u_ratio*upsilon"),
    (["--ys0", "-1"], "ys0"),
    (["--y0", "1.5"], "y0"),
    (["--y0", "0.5", "--y-strong", "0.4"], "y0"),
    (["--scheme", "exact"], "scheme"),
    (["--chi", "0"], "chi"),
    (["--lmax", "-3"], "lmax"),
    (["--temperature", "1.5"], "temperature"),
    (["--lmax", "5", "--temperature", "0.1"], "temperature"),
    (["--lstar", "-inf"], "lstar"),
    (["--theta", "nan"], "theta"),
    (["--Kc0", "abc"], "--Kc0"),
    (["--no-such-flag", "1"], "--no-such-flag"),
    (["--params", "/nonexistent/device.toml"], "device.toml"),
]


@pytest.mark.parametrize("argv, name", BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_code_2(argv, name, capsys):
    code, out, err = run(["flow", *argv], capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pairing1d: error:") and name in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "content, name",
    [("Kc0 = [", "not valid TOML"), ("kc0 = 0.9", "unknown parameter"), ('Kc0 = "big"', "Kc0")],
)
def test_bad_params_file_is_one_line(tmp_path: Path, content: str, name: str, capsys):
    toml = tmp_path / "bad.toml"
    toml.write_text(content + "\n")
    code, _, err = run(["flow", "--params", str(toml)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and name in err


def test_unwritable_plot_is_one_line(tmp_path: Path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(["flow", "--plot", str(blocker / "flow.png")], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "cannot write" in err and "is a file, not a folder" in err


@pytest.mark.parametrize("argv", [["--help"], ["flow", "--help"], ["version", "--help"]])
def test_help(argv, capsys):
    code, out, _ = run(argv, capsys)
    assert code == 0 and "Usage" in out


def test_installed_console_script_refuses_cleanly():
    """The real executable, as a user runs it: exit code 2, one line on stderr, no traceback."""
    exe = Path(sys.executable).with_name("pairing1d")
    proc = subprocess.run([str(exe), "flow", "--upsilon", "1.2"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "upsilon" in proc.stderr and "Eq. (14b)" in proc.stderr
