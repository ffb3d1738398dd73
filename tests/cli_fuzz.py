"""Drive the ``pairing1d`` command line with random bad values (a seeded generator), one process for many commands.

Run as ``python tests/cli_fuzz.py SEED N``: prints one JSON line per case, ``{"argv", "code", "stderr", "seconds"}``.
The commands run in this process through :func:`pairing1d.cli.main`, as the console script runs them; the test that
starts this script in a subprocess bounds its time, so a hang is a failure rather than a stuck suite. Outputs go to
the working directory (the test gives a temporary one).

The generator reads every command's options from the Typer application itself (names and types), so a new flag is
fuzzed without editing this file; the values are the classic bad inputs of each type (NaN, infinities, huge and
tiny numbers, signs, words, empty strings, megabytes of digits, paths to directories, missing, non-UTF-8 and deeply
nested files) mixed with valid ones, so that combinations of flags are reached too.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys
import time
from pathlib import Path

FAST_COMMANDS = ("flow", "trion", "signatures", "ladder", "little", "coupled-wires", "cnt", "device",
                 "phase-diagram", "figures")
"""Commands fuzzed: every one whose valid run takes seconds at most with the values below (``figures`` only with
values it refuses: its valid run is the paper's four figures, a minute)."""

SKIP_OPTIONS = {"--help", "--version", "--debug", "--workers", "--scheduler", "--list-presets", "--show", "--json",
                "--sensitivity"}
"""Options left alone: help and version (exit at once), Dask (a cluster per case would take minutes), presets'
listing, and sampling (a valid large count is legitimately long; its bounds have their own test)."""

LONG_NUMBER = "9" * 1_000_000
BAD_FLOATS = ["nan", "-nan", "inf", "-inf", "1e308", "-1e308", "1e-320", "0", "-0", "-1", "1e30", "-1e30", "abc", "",
              " ", "1,5", "0x10", "1e", "--", LONG_NUMBER, "0.5", "2", "1e-7", "-0.3", "0.999999999999999999"]
BAD_INTS = ["-1", "0", "1", "abc", "1.5", "", "1e3", "99999999999999999999", "-99999999999999999999"]
BAD_STRINGS = ["", " ", "x" * 200_000, "cic", "printed", "frozen", "consistent", "paper", "None", "-1", "0:1:0",
               "1:0:5", "a=b", "y0=0:0.3:4", "y0=nan:1:3", "lstar=1,2,x", "exp_neg_lstar=-1:0:3", "Kc0=0:1:99999999",
               "\u00e9\u00e8", "0:1:3", "-0.3:0.3:5", "V1:V2:N", "0.1", "nan", "inf:1:2", "hole", "1:2:3:4"]


def bad_paths(root: Path) -> list[str]:
    """Paths to inputs that are not what they should be (created once in ``root``)."""
    (root / "a_folder.toml").mkdir(exist_ok=True)
    (root / "latin1.toml").write_bytes(b"K0 = 0.5\n# caf\xe9\n")
    (root / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    (root / "binary.toml").write_bytes(bytes(range(256)) * 4)
    (root / "empty.toml").write_text("")
    (root / "wrong_types.toml").write_text('K0 = "half"\nys0 = [1, 2]\n[point]\nU = "x"\n')
    (root / "unknown.toml").write_text("nonsense = 1\n")
    (root / "ok.toml").write_text("K0 = 0.5\n")
    names = ["a_folder.toml", "latin1.toml", "deep.toml", "binary.toml", "empty.toml", "wrong_types.toml",
             "unknown.toml", "ok.toml", "missing.toml", "/dev/null", "", "out.png", "out.pdf", "out",
             "a_folder.toml/x.png", "ok.toml/x.png", "sub/dir/out.png", "x" * 5000 + ".png", "out.nc", "out.txt"]
    return [str(root / n) if n and not n.startswith("/") else n for n in names]


def _annotation(param) -> type:
    """The Python type a Typer parameter was declared with (``float | None`` -> float)."""
    annotation = param.type_descriptor.annotation
    for kind in (bool, int, float, Path, str):
        if annotation is kind or kind in getattr(annotation, "__args__", ()):
            return kind
    return str


def options_of(command) -> list:
    """The command's options (not its arguments), without :data:`SKIP_OPTIONS`."""
    return [p for p in command.params if type(p).__name__ == "TyperOption" and not set(p.opts) & SKIP_OPTIONS]


def value_for(param, rng: random.Random, paths: list[str]) -> str | None:
    """A (usually bad) value for ``param``; None for a flag without a value."""
    kind = _annotation(param)
    if kind is bool or getattr(param, "is_flag", False):
        return None
    if kind is float:
        return rng.choice(BAD_FLOATS)
    if kind is int:
        return rng.choice(BAD_INTS)
    if kind is Path:
        return rng.choice(paths)
    return rng.choice(BAD_STRINGS)


def cases(seed: int, n: int, root: Path) -> list[list[str]]:
    """``n`` argument lists: a command, its required options (often valid), one to three random options."""
    from typer.main import get_command

    from pairing1d.cli import app

    group = get_command(app)
    paths = bad_paths(root)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        name = rng.choice(FAST_COMMANDS)
        command = group.commands[name]
        argv = [name]
        if name == "phase-diagram":  # small valid axes unless fuzzed below; the output is always named
            argv += ["--x", "y0=0:0.3:3", "--y", "exp_neg_lstar=0:0.6:3", "--out", rng.choice(["pd.nc", "pd.zarr"])]
        if name == "figures":
            argv += ["--resolution", rng.choice(["0", "3", "-5", "1000000", "abc", "2049", "1e3"])]
        if name == "device" and rng.random() < 0.8:
            argv += ["--preset", rng.choice(["cnt_hole_window", "nonexistent", ""])]
        if name == "device":  # a short gate sweep: the default's 241 gates x flows is slower than a fuzz case needs
            argv += ["--gate", rng.choice(["0.1:0.2:3", "0.15", "nan:1:3", "1:0:2", "0:1:0"]), "--no-plot"]
        for param in rng.sample(options_of(command), k=min(len(options_of(command)), rng.randint(1, 3))):
            value = value_for(param, rng, paths)
            flag = param.secondary_opts[0] if param.secondary_opts and rng.random() < 0.5 else param.opts[0]
            argv += [flag] if value is None else [flag, value]
        positional = [p for p in command.params if type(p).__name__ == "TyperArgument"]
        if positional and rng.random() < 0.5:
            argv.append(rng.choice(paths))
        out.append(argv)
    return out


def run_one(argv: list[str]) -> tuple[int, str]:
    from pairing1d.cli import main

    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, err.getvalue()


def main() -> None:
    seed, n = int(sys.argv[1]), int(sys.argv[2])
    for argv in cases(seed, n, Path.cwd()):
        start = time.perf_counter()
        code, err = run_one(argv)
        shown = [a if len(a) < 300 else f"<{len(a)} characters>" for a in argv]
        print(json.dumps({"argv": shown, "code": code, "stderr": err[-2000:],
                          "stderr_bytes": len(err), "seconds": time.perf_counter() - start}), flush=True)


if __name__ == "__main__":
    main()
