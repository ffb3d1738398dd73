"""One error policy for every command (issue 17, point 4), and the hangs, losses and tracebacks a hostile tester
found, each as a regression test.

The policy (docs/outputs.md): every failure is one line on stderr, ``pairing1d: error: ...``, never a traceback;
exit code 2 for what the user gave, 1 for the machine (disk, network, memory) or an internal error, 130 for Ctrl-C;
a huge bad value is shortened; ``--debug`` or ``PAIRING1D_DEBUG=1`` adds the traceback.
"""

from __future__ import annotations

import errno
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pairing1d import Model, ModelError, phase_of
from pairing1d.cli import main

HERE = Path(__file__).resolve().parent
EXE = Path(sys.executable).with_name("pairing1d")


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    return info.value.code, out, err


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("pairing1d: error: ") and "Traceback" not in err


def fuzz(tmp_path: Path, seed: int, n: int, timeout: float) -> list[dict]:
    """Run ``n`` seeded bad command lines (tests/cli_fuzz.py) in one subprocess bounded by ``timeout`` seconds: a hang
    fails the test instead of the suite."""
    proc = subprocess.run([sys.executable, str(HERE / "cli_fuzz.py"), str(seed), str(n)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout, env=os.environ | {"MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines()]


def check_policy(rows: list[dict]) -> None:
    problems = []
    for r in rows:
        if r["code"] == 0:
            if r["stderr_bytes"] and "Traceback" in r["stderr"]:
                problems.append(r)
            continue
        if r["code"] != 2 or not one_line(r["stderr"]) or r["stderr_bytes"] > 1000 or "internal error" in r["stderr"]:
            problems.append(r)
    assert not problems, "\n".join(f"{p['code']} {p['argv']}: {p['stderr'][:300]!r}" for p in problems[:10])
    assert max(r["seconds"] for r in rows) < 60  # no case comes near a hang


def test_fuzzed_bad_command_lines_follow_the_policy(tmp_path):
    """150 seeded cases over every fast command and every option it has, values from the classic bad inputs (NaN,
    infinities, 1e308, megabytes of digits, empty words, directories, non-UTF-8 and 5000-deep TOML files): each
    ends with exit code 0 or 2, and a refusal is one line of at most 1000 bytes that is not an internal error."""
    rows = fuzz(tmp_path, seed=17, n=150, timeout=420)
    assert len(rows) == 150
    check_policy(rows)
    refused = sum(r["code"] == 2 for r in rows)
    assert refused > 100  # the generator does produce bad input, mostly


@pytest.mark.long
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_many_more_fuzzed_command_lines(tmp_path, seed):
    check_policy(fuzz(tmp_path, seed=1000 + seed, n=1500, timeout=1800))


BAD_VALUES = [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 0.0, -0.0, -1.0, 1e30, 2**63, -(2**63), True,
              "0.5", "", None, [0.5], {"a": 1}, 1 + 2j, np.float32(0.5), np.int64(3), np.array([0.5]), "x" * 100_000]


def test_model_fuzz_raises_only_one_line_model_errors():
    """2000 Models with one to three fields set to random bad (and some valid) values: each is built or refused with
    a ModelError of one line, at most 600 characters (a 100,000-character value is shortened); no other exception
    type, no NaN accepted."""
    rng = random.Random(5)
    names = Model.field_names()
    accepted = 0
    for _ in range(2000):
        fields = {name: rng.choice(BAD_VALUES) for name in rng.sample(names, rng.randint(1, 3))}
        try:
            model = Model(**fields)
        except ModelError as exc:
            text = str(exc)
            assert "\n" not in text and len(text) <= 600, (fields.keys(), text[:200])
            continue
        accepted += 1
        for name in names:
            value = getattr(model, name)
            assert not (isinstance(value, float) and math.isnan(value)), (fields, name)
    assert 0 < accepted < 2000


# ------------------------------------------------------------------------------------- the issue's hangs, exactly

@pytest.mark.parametrize("argv, code", [
    (["--Kc0", "1e200", "--u-ratio", "1e200", "--upsilon", "0"], 2),
    (["--y-strong", "1e300", "--y0", "1e200"], 2),
    (["--chi", "0.1", "--lmax", "1000"], 0),
    (["--temperature", "1e-300"], 0),
    (["--Kc0", "1e25"], 2),
    (["--upsilon", "0.9999999999999999"], 0),
    (["--Kc0", "1e308"], 2),
    (["--y-strong", "1e-300", "--y0", "1e-301"], 2),
    (["--lmax", "1e30"], 2),
])
def test_the_issues_hanging_inputs_end_at_once(argv, code):
    """Each of these hung or crashed (issue 17): the real console script ends within 60 s with the expected exit
    code, and a refusal is one line."""
    proc = subprocess.run([str(EXE), "flow", "--json", *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == code, proc.stderr
    if code:
        assert one_line(proc.stderr)
    else:
        data = json.loads(proc.stdout)
        assert data["phase"] in ("decoupled", "paired", "trion", "triplet")


def test_no_trion_at_zero_rg_time_from_a_tiny_threshold(capsys):
    """--y-strong 1e-300 --y0 1e-301 was reported as a trion at l_bbar = 0; y_strong has a floor now (1e-6)."""
    code, _, err = run(["flow", "--y-strong", "1e-300", "--y0", "1e-301"], capsys)
    assert code == 2 and one_line(err) and "y_strong" in err


@pytest.mark.parametrize("kw", [dict(rtol=math.nan), dict(rtol=math.inf), dict(rtol=1e-30), dict(atol=-1.0)])
def test_sweep_tolerances_are_validated(kw):
    from pairing1d.engine.sweep import sweep

    with pytest.raises(ModelError, match="tol"):
        sweep(Model(), y0=[0.1, 0.2], **kw)


# ---------------------------------------------------------------------------------- files: reading and writing

def test_unreadable_input_files_are_one_line(tmp_path, capsys):
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b"K0 = 0.5\n# caf\xe9\n")
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    for path, words in ((latin1, "not UTF-8 text (byte 0xe9"), (deep, "nests arrays or tables too deeply"),
                        (folder, "Is a directory"), (tmp_path / "missing.toml", "No such file")):
        code, _, err = run(["flow", "--params", str(path)], capsys)
        assert code == 2 and one_line(err) and words in err, err


def test_non_utf8_scan_and_points_files_are_one_line(tmp_path, capsys):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b"name = 'caf\xe9'\n")
    for argv in (["lattice", "scan", str(bad), "--store", str(tmp_path / "s.sqlite")],
                 ["lattice", "compare", "--points", str(bad), "--method", "ed"]):
        code, _, err = run(argv, capsys)
        assert code == 2 and one_line(err) and "is not UTF-8 text (byte 0xe9" in err, err
    assert not (tmp_path / "s.sqlite").exists()


def test_a_string_in_a_points_file_is_one_line(tmp_path, capsys):
    points = tmp_path / "points.toml"
    points.write_text('[[point]]\nU = "two"\nn = 0.5\nns = 0.75\n')
    code, _, err = run(["lattice", "compare", "--points", str(points), "--method", "ed", "--sizes", "4,6"], capsys)
    assert code == 2 and one_line(err) and "U = 'two' is not a number" in err


def test_a_huge_bad_value_is_shortened(capsys):
    code, _, err = run(["flow", "--scheme", "x" * 10_000_000], capsys)
    assert code == 2 and one_line(err) and len(err) < 400 and "characters]" in err


def test_the_ladders_k_minus_is_named_as_given(capsys):
    code, _, err = run(["ladder", "--K-minus", "0"], capsys)
    assert code == 2 and one_line(err) and err.startswith("pairing1d: error: K_minus = 0.0")


def test_a_parameter_on_two_axes_is_named(tmp_path, capsys):
    code, _, err = run(["phase-diagram", "--x", "y0=0:0.3:3", "--y", "y0=0:0.2:3", "--out", str(tmp_path / "a.nc")],
                       capsys)
    assert code == 2 and one_line(err) and "y0 is swept on two axes (--x and --y)" in err


@pytest.mark.parametrize("plot", ["results", "map.txt", "folder"])
def test_a_plot_name_without_a_figure_suffix_is_refused_before_any_work(tmp_path, capsys, plot):
    (tmp_path / "folder").mkdir()
    out = tmp_path / "a.nc"
    code, _, err = run(["phase-diagram", "--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3", "--out", str(out),
                        "--plot", str(tmp_path / plot)], capsys)
    assert code == 2 and one_line(err) and "must end in .png, .pdf, .svg" in err
    assert not out.exists()  # refused while the flags were read


def test_an_existing_directory_named_like_a_file_is_bad_input(tmp_path, capsys, monkeypatch):
    """Refused before the sweep (which could take minutes), for phase-diagram's .nc and device's --netcdf."""
    import pairing1d.engine.sweep

    def no_sweep(*args, **kwargs):
        raise AssertionError("the sweep ran before the output name was checked")

    monkeypatch.setattr(pairing1d.engine.sweep, "sweep", no_sweep)
    (tmp_path / "keep.nc").mkdir()
    code, _, err = run(["phase-diagram", "--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3",
                        "--out", str(tmp_path / "keep.nc")], capsys)
    assert code == 2 and one_line(err) and "is a directory" in err
    (tmp_path / "notes.txt").write_text("")
    code, _, err = run(["phase-diagram", "--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3",
                        "--out", str(tmp_path / "notes.txt" / "map.nc")], capsys)
    assert code == 2 and one_line(err) and "is a file, not a folder" in err
    code, _, err = run(["device", "--preset", "paper-idealized", "--no-plot", "--netcdf", str(tmp_path / "keep.nc")],
                       capsys)
    assert code == 2 and one_line(err) and "--netcdf" in err and "is a directory" in err


def test_one_rule_for_missing_folders_every_output_creates_them(tmp_path, capsys):
    """.nc, .zarr, --plot, figures --out and a lattice --store in folders that do not exist yet: all are made."""
    axes = ["--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3"]
    assert run(["phase-diagram", *axes, "--out", str(tmp_path / "a/b/map.nc"),
                "--plot", str(tmp_path / "c/d/map.png")], capsys)[0] == 0
    assert run(["phase-diagram", *axes, "--out", str(tmp_path / "e/f/map.zarr")], capsys)[0] == 0
    assert (tmp_path / "a/b/map.nc").is_file() and (tmp_path / "c/d/map.png").is_file()
    assert (tmp_path / "e/f/map.zarr").is_dir()
    from pairing1d.lattice.store import RunStore

    with RunStore(tmp_path / "g/h/runs.sqlite"):
        pass
    assert (tmp_path / "g/h/runs.sqlite").is_file()
    from pairing1d.support.files import make_folder

    assert make_folder(tmp_path / "i/j").is_dir()


def test_a_path_through_a_file_is_bad_input(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("")
    code, _, err = run(["flow", "--plot", str(tmp_path / "notes.txt/flow.png")], capsys)
    assert code == 2 and one_line(err) and "is a file, not a folder" in err


def test_figures_refuses_a_huge_resolution_at_once(tmp_path, capsys):
    code, _, err = run(["figures", "--resolution", "1000000", "--out", str(tmp_path / "f")], capsys)
    assert code == 2 and one_line(err) and "[4, 2048]" in err
    assert not (tmp_path / "f").exists()


def test_figures_on_a_full_disk_is_one_line_and_keeps_the_old_files(tmp_path, capsys, monkeypatch):
    """Every file of `figures` goes through write_atomically: a full disk while writing Table I leaves the earlier
    table1.md as it was, no temporary file, exit code 1 and one line naming the file."""
    from pairing1d.support import files as _files

    out = tmp_path / "figs"
    out.mkdir()
    (out / "table1.md").write_text("the old table\n")
    real = _files.write_atomically

    def full(path, write):
        def failing(tmp):
            Path(tmp).write_text("half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, failing)

    monkeypatch.setattr(_files, "write_atomically", full)
    monkeypatch.setattr("pairing1d.paper.figures.FIGURES", ("table1",))
    code, _, err = run(["figures", "--out", str(out)], capsys)
    assert code == 1 and one_line(err) and "No space left on device" in err and "table1.md" in err
    assert (out / "table1.md").read_text() == "the old table\n"
    assert sorted(p.name for p in out.iterdir()) == ["table1.md"]


def test_a_write_error_names_the_final_file_not_the_temporary_one(tmp_path):
    from pairing1d.support.errors import WriteError
    from pairing1d.support.files import write_atomically

    def h5py_like(tmp):
        raise OSError(errno.ENOSPC, f"Unable to synchronously create file (unable to open file: name = '{tmp}', "
                      "errno = 28, error message = 'No space left on device')")

    with pytest.raises(WriteError) as info:
        write_atomically(tmp_path / "x.nc", h5py_like)
    assert str(info.value) == (f"cannot write {str(tmp_path / 'x.nc')!r}: No space left on device; the old file, if "
                               "any, is unchanged")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------- the policy's own branches

def test_a_malformed_scheduler_address_is_bad_input(tmp_path, capsys):
    code, _, err = run(["phase-diagram", "--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3",
                        "--out", str(tmp_path / "a.nc"), "--scheduler", "not a url"], capsys)
    assert code == 2 and one_line(err) and "is not a Dask scheduler address" in err


def test_an_unreachable_scheduler_is_the_networks_failure():
    from pairing1d.support.dask_cluster import remote_client
    from pairing1d.support.errors import SchedulerUnreachable

    with pytest.raises(SchedulerUnreachable, match="cannot reach the Dask scheduler") as info:
        with remote_client("tcp://127.0.0.1:9", timeout=1.0):
            pass
    assert isinstance(info.value, OSError)  # exit code 1 at the command line


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(capsys, monkeypatch):
    import pairing1d.theory.phases

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(pairing1d.theory.phases, "phase_of", broken)
    code, _, err = run(["flow"], capsys)
    assert code == 1 and one_line(err) and "internal error" in err and "RuntimeError: a bug" in err
    code, _, err = run(["--debug", "flow"], capsys)
    assert code == 1 and "Traceback" in err and err.rstrip().splitlines()[-1].startswith("pairing1d: error:")
    monkeypatch.setenv("PAIRING1D_DEBUG", "1")
    code, _, err = run(["flow"], capsys)
    assert code == 1 and "Traceback" in err
    monkeypatch.setenv("PAIRING1D_DEBUG", "0")
    code, _, err = run(["flow"], capsys)
    assert code == 1 and one_line(err)


def test_out_of_memory_is_the_machines_failure(capsys, monkeypatch):
    import pairing1d.theory.phases

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pairing1d.theory.phases, "phase_of", exhausted)
    code, _, err = run(["flow"], capsys)
    assert code == 1 and one_line(err) and "out of memory" in err


# --- issue 30: the last bad inputs ------------------------------------------------------------------------------


def test_tolerances_and_models_are_checked_by_every_entry_point():
    """NaN, negative, boolean or out-of-range tolerances and a missing model are one-line ModelErrors in the scipy
    path, the engine and sweeps alike (phase_of(Model(), rtol=nan) used to run for 87 s)."""
    from pairing1d.devices.device import Device
    from pairing1d.engine.batch import run_batch
    from pairing1d.engine.sweep import sweep
    from pairing1d.theory.rg import solve_flow

    bad = [lambda: phase_of(Model(), rtol=float("nan")), lambda: solve_flow(Model(), atol=-1.0),
           lambda: phase_of(Model(), rtol=True), lambda: run_batch([Model()], rtol=float("nan")),
           lambda: run_batch([Model()], atol=1.0), lambda: sweep(Model(), y0=[0.1], rtol=-1e-8),
           lambda: phase_of(None), lambda: run_batch([None]), lambda: sweep(None, y0=[0.1]),
           lambda: Device(primary=None), lambda: Device(geometry="20 nm")]
    for call in bad:
        with pytest.raises(ModelError) as info:
            call()
        assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_phase_diagram_checks_its_plot_and_its_size_before_it_writes(tmp_path, capsys, monkeypatch):
    """Seven --z panels are refused before keep.nc is touched; a grid of 3e8 points is refused from the axis
    specifications, before its values are built; an existing output is refused up front unless --overwrite (or
    --resume for a store)."""
    import numpy as np

    import pairing1d.cli.phase_diagram as pd

    keep = tmp_path / "keep.nc"
    keep.write_bytes(b"an earlier result")
    code, _, err = run(["phase-diagram", "--x", "y0=0:0.3:4", "--y", "K0=0.3:0.6:3", "--z", "Kc0=0.5:0.9:7",
                        "--out", str(keep), "--overwrite", "--plot", str(tmp_path / "p.png")], capsys)
    assert code == 2 and one_line(err) and "at most 6 panels" in err and keep.read_bytes() == b"an earlier result"

    built = []
    real = np.linspace

    def counting(start, stop, n, *args, **kwargs):
        built.append(n)
        return real(start, stop, n, *args, **kwargs)

    monkeypatch.setattr(pd.np, "linspace", counting)
    code, _, err = run(["phase-diagram", "--x", "y0=0:0.3:100000000", "--y", "K0=0.3:0.6:3", "--out",
                        str(tmp_path / "b.nc")], capsys)
    assert code == 2 and one_line(err) and "300,000,000 points" in err and built == []
    monkeypatch.undo()

    axes = ["--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3"]
    code, _, err = run(["phase-diagram", *axes, "--out", str(keep)], capsys)
    assert code == 2 and one_line(err) and "exists; give --overwrite" in err
    assert keep.read_bytes() == b"an earlier result"
    assert run(["phase-diagram", *axes, "--out", str(keep), "--overwrite"], capsys)[0] == 0
    store = tmp_path / "s.zarr"
    assert run(["phase-diagram", *axes, "--out", str(store)], capsys)[0] == 0
    code, _, err = run(["phase-diagram", *axes, "--out", str(store)], capsys)
    assert code == 2 and one_line(err) and "--resume to complete it" in err and "resume=True" not in err
    assert run(["phase-diagram", *axes, "--out", str(store), "--overwrite"], capsys)[0] == 0
    assert run(["phase-diagram", *axes, "--out", str(store), "--resume"], capsys)[0] == 0
    code, _, err = run(["phase-diagram", *axes, "--out", str(store), "--resume", "--overwrite"], capsys)
    assert code == 2 and one_line(err)


def test_a_store_that_lost_an_arrays_metadata_is_called_damaged(tmp_path, capsys):
    """Deleting one array's zarr.json used to be reported as 'not a pairing1d sweep store', after a Zarr warning."""
    axes = ["--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3"]
    store = tmp_path / "s.zarr"
    assert run(["phase-diagram", *axes, "--out", str(store)], capsys)[0] == 0
    (store / "spin_gap" / "zarr.json").unlink()
    code, _, err = run(["phase-diagram", *axes, "--out", str(store), "--resume"], capsys)
    assert code == 2 and one_line(err) and "is damaged" in err and "'spin_gap'" in err
