"""Start-up of the command line: ``pairing1d --version``, ``pairing1d --help`` and ``pairing1d flow --help``, each
run REPEATS times in a fresh process; prints the best and median wall time and the CPU time of the best run, beside
the machine (benchmarks/machine.py). Goal (issue 30): under 0.5 s for ``--version`` and ``flow --help``; the
commands import what they need when they run, not at start-up.

Run: .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

from machine import describe

REPEATS = 7
COMMANDS = (["--version"], ["--help"], ["flow", "--help"])
GOAL = 0.5


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU of the child) of one run of ``pairing1d ARGV``."""
    exe = os.path.join(os.path.dirname(sys.executable), "pairing1d")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([exe, *argv], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    print(f"machine: {describe()}")
    timed(["--version"])  # the first run fills the file cache
    print(f"{'command':24} {'best (s)':>9} {'median (s)':>11} {'CPU (s)':>8}  goal {GOAL} s")
    for argv in COMMANDS:
        runs = [timed(argv) for _ in range(REPEATS)]
        best = min(runs)
        median = statistics.median(w for w, _ in runs)
        print(f"{'pairing1d ' + ' '.join(argv):24} {best[0]:9.2f} {median:11.2f} {best[1]:8.2f}")


if __name__ == "__main__":
    main()
