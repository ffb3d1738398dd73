"""One contract for every output (docs/outputs.md): what a command prints for "not reached" and "none", JSON
without NaN, tables that fit 80 columns without cutting a cell, Ctrl-C as exit code 130 and one line."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pairing1d.cli import main
from pairing1d.cli._app import stdout

DATA = Path(__file__).parent.parent / "docs" / "data"
RAW = re.compile(r"\b(None|nan|NaN|inf|True|False)\b")
"""Python's words for a missing or boolean value, which a user must never read raw."""


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    return info.value.code, out, err


@pytest.fixture
def width80(monkeypatch):
    """The commands' console 80 columns wide, as in a terminal of that width."""
    monkeypatch.setattr(stdout, "_width", 80)


@pytest.mark.parametrize("argv, shown", [
    (["flow"], ["l_bar", "not reached", "spin_gap / Lambda", "none", "dominant_order"]),  # decoupled
    (["flow", "--params", str(DATA.parent.parent / "examples" / "fig3_red_dot.toml"), "--lstar", "inf",
      "--lmass", "5"], ["trion", "l*=∞", "l_m=5"]),  # infinite cutoff: a symbol, not "inf"
    (["ladder"], ["l_bar = not reached", "l*_2 = -0.6931"]),
    (["coupled-wires", "--Kc-minus", "0.4", "--delta-alpha0", "0.01"], ["J = 1: not reached", "relevant: no"]),
])
def test_text_says_not_reached_and_none(argv, shown, capsys):
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert not RAW.search(out), RAW.search(out)
    for words in shown:
        assert words in out, words


def test_scan_json_has_null_scales_and_every_phase_name(capsys):
    """The ladder's back-gate scan: a scale that does not exist is null (0 in the Dataset), not 0.0."""
    code, out, err = run(["ladder", "--scan-mu=-0.3:0.3:3", "--json"], capsys)
    assert code == 0, err
    rows = json.loads(out)["scan"]
    decoupled = [r for r in rows if r["phase"] == "decoupled"]
    assert decoupled and all(r["spin_gap"] is None and r["trion_scale"] is None and r["dominant_order"] is None
                             for r in decoupled)
    assert all(isinstance(r["controlled"], bool) for r in rows)


def test_json_nan_is_null_and_an_infinite_cutoff_a_string():
    from pairing1d.cli.options import json_safe

    assert json_safe({"a": math.nan, "b": [math.inf, -math.inf], "c": np.int64(3), "d": np.float64(0.5)}) == \
        {"a": None, "b": ["inf", "-inf"], "c": 3, "d": 0.5}


def test_phase_diagram_counts_every_phase(tmp_path, capsys):
    """theta = pi: triplet points are counted (the summary used to know three phases only)."""
    code, out, err = run(["phase-diagram", "--x", "exp_neg_lstar=0:0.6:6", "--y", "y0=0:0.3:6", "--K0", "0.6",
                          "--ys0", "0", "--theta", "3.14159", "--out", str(tmp_path / "t.nc"), "--json"], capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert set(summary["phase_counts"]) == {"decoupled", "paired", "trion", "triplet", "undetermined"}
    assert set(summary["certainty_counts"]) == {"robust", "leaning", "undetermined"}
    assert sum(summary["certainty_counts"].values()) == 36
    assert summary["phase_counts"]["triplet"] > 0 and sum(summary["phase_counts"].values()) == 36
    assert 0 <= summary["uncontrolled_points"] <= 36


@pytest.mark.parametrize("study", [True, False])
def test_lattice_tables_fit_80_columns_without_cutting(study, tmp_path, capsys, width80):
    """`lattice report` of a study (its table had 17 columns, cut to "c…" at 80) and of a plain scan (the table of
    `lattice compare`, whose headers were cut): every cell whole, wrapped if need be."""
    if study:
        from test_lattice_phase_map import write_study  # a synthetic study store: the committed one takes 8 s

        store = tmp_path / "study.sqlite"
        write_study(store)
    else:
        store = DATA / "w_scan.sqlite"
    code, out, err = run(["lattice", "report", str(store)], capsys)
    assert code == 0, err
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    if study:  # the verdicts' table: one point per row, every verdict whole
        assert "consistent/cic" in out and "paper/printed" in out and "undecided" in out
        assert re.search(r"│ 1 │ +2 │ 0\.75 │ 0 │ +paired │ +paired │", out), out
    else:
        assert all(f"W={w}" in out for w in range(4)) and "gapless" in out


def test_lattice_report_names_the_points_a_partial_store_lacks(tmp_path, capsys):
    import shutil
    import sqlite3

    store = tmp_path / "part.sqlite"
    shutil.copy(DATA / "w_scan.sqlite", store)
    with sqlite3.connect(store) as db:  # W = 3 loses its two shorter chains: it cannot be extrapolated
        db.execute("DELETE FROM runs WHERE json_extract(params, '$.W') = 3.0 AND L IN (8, 12)")
    code, out, err = run(["lattice", "report", str(store)], capsys)
    assert code == 0, err
    assert "1 of 4 points not reported, their runs are missing (70 of 84 runs stored): W=3" in " ".join(out.split())


def test_ctrl_c_exits_130_with_one_line(tmp_path):
    """SIGINT to a command that is computing (a large phase diagram): exit code 130 and exactly one line on stderr
    (typer turns a KeyboardInterrupt into a silent exit code 130; the line used to be missing)."""
    script = ("import sys\nfrom pairing1d.cli import main\nprint('ready', flush=True)\nmain(sys.argv[1:])\n")
    argv = ["phase-diagram", "--x", "exp_neg_lstar=0:0.6:1000", "--y", "y0=0:0.3:1000", "--out",
            str(tmp_path / "big.nc")]
    proc = subprocess.Popen([sys.executable, "-c", script, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        assert proc.stdout.readline() == "ready\n"  # imported: main() installs its handler at once
        time.sleep(1.5)  # computing by now (a million points take far longer)
        assert proc.poll() is None, "the phase diagram ended before it was interrupted"
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and err == "pairing1d: error: interrupted\n", err


def test_interrupted_command_shows_no_warning(capsys):
    """After a Ctrl-C, what unwinds (a solver's options warning from __del__) is not shown."""
    import warnings

    from pairing1d.cli._app import _Interrupt

    shown = []
    handler = _Interrupt()
    handler.show = lambda message, *args, **kwargs: shown.append(str(message))
    handler.showwarning(UserWarning("before"), UserWarning, "x.py", 1)
    with pytest.raises(KeyboardInterrupt):
        handler(signal.SIGINT, None)
    handler.showwarning(UserWarning("after"), UserWarning, "x.py", 2)
    assert shown == ["before"]
    code, _, _ = run(["version"], capsys)  # main() puts warnings.showwarning back when it returns
    assert code == 0 and warnings.showwarning is not None and "_Interrupt" not in repr(warnings.showwarning)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the signal mask in /proc (Linux)")
def test_local_dask_workers_do_not_receive_ctrl_c():
    """The workers of `--workers N` start with SIGINT blocked, so a terminal's Ctrl-C (sent to the whole process
    group) reaches only the command, which then stops the cluster quietly. Regression: multiprocessing's resource
    tracker, started by the cluster, unblocked SIGINT in the thread that starts the workers."""
    from pairing1d.support.dask_cluster import local_client

    def blocked(pid: int) -> bool:
        mask = re.search(r"^SigBlk:\s*([0-9a-f]+)$", Path(f"/proc/{pid}/status").read_text(), re.M).group(1)
        return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))

    with local_client(1) as client:
        pids = list(client.run(os.getpid).values())
        assert pids and all(blocked(pid) for pid in pids)
    assert not blocked(os.getpid())  # this process still receives it


def test_importing_the_package_loads_nothing_heavy_so_ctrl_c_is_caught_from_the_start():
    """``import pairing1d`` loads neither numpy nor scipy (PEP 562): the console script installs its Ctrl-C handler
    (pairing1d._console) before the second of imports, so a Ctrl-C while the command loads is one line, not a
    KeyboardInterrupt traceback. The names are still there on first use."""
    probe = ("import sys, pairing1d; heavy = [m for m in ('numpy', 'scipy', 'typer') if m in sys.modules]; "
             "print(heavy, pairing1d.Model.__name__, pairing1d.__version__ != '')")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60).stdout
    assert out.split() == ["[]", "Model", "True"]
    script = "import sys; sys.argv = ['pairing1d', 'flow']; from pairing1d._console import run; run()"
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(0.35)  # the interpreter is up (about 0.05 s), the command line is still loading (about 1 s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip().splitlines() == ["pairing1d: error: interrupted"]


def test_a_command_missing_two_extras_names_both_before_it_computes(tmp_path, capsys, monkeypatch):
    """With only the engine installed, 'figures' used to make its folder, compute for half a minute and then name
    the second extra; now it names every missing one in one line and touches nothing."""
    from importlib import util

    from pairing1d.cli import main

    real = util.find_spec
    monkeypatch.setattr(util, "find_spec", lambda name, *a: None if name in ("xarray", "h5netcdf") else real(name, *a))
    out = tmp_path / "figs"
    with pytest.raises(SystemExit) as exit_info:
        main(["figures", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and not out.exists()
    assert "'xarray', 'h5netcdf'" in err[0] and "pip install 'pairing1d[sweep]'" in err[0]


def test_a_rejected_netcdf_run_leaves_the_old_file(tmp_path, capsys):
    """'phase-diagram --out keep.nc --overwrite' with a bad axis used to delete keep.nc before it validated the
    axes."""
    from pairing1d.cli import main

    keep = tmp_path / "keep.nc"
    keep.write_bytes(b"an earlier result")
    with pytest.raises(SystemExit) as exit_info:
        main(["phase-diagram", "--x", "y0=0:2:4", "--y", "lstar=1:3:4", "--out", str(keep), "--overwrite"])
    assert exit_info.value.code == 2 and keep.read_bytes() == b"an earlier result"
    assert "y0" in capsys.readouterr().err
