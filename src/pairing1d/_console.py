"""The ``pairing1d`` console script: Ctrl-C is one line and exit code 130 from the first instant.

Loading the command line takes about a second (numpy, scipy, Typer); a Ctrl-C in that second would otherwise end
in a KeyboardInterrupt traceback. :func:`run` installs a handler first, then loads and runs
:func:`pairing1d.cli.main`, which installs its own for the command.
"""

from __future__ import annotations

import signal
import sys


def _interrupted_while_loading(signum, frame) -> None:
    print("pairing1d: error: interrupted", file=sys.stderr)
    raise SystemExit(130)


def run() -> None:
    """Entry point of the ``pairing1d`` script."""
    signal.signal(signal.SIGINT, _interrupted_while_loading)
    from .cli import main

    main()
