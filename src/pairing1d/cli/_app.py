"""The Typer application, its console and the error policy shared by every ``pairing1d`` command.

Every exception of every command ends in one line on stderr, ``pairing1d: error: ...``, never a traceback
(docs/outputs.md): exit code 2 for what the user gave (a parameter out of the model's domain, a malformed flag or
file, a missing extra), 1 for a failure of the machine (a full disk, an unreachable scheduler, memory) or of the
program itself (an internal error, to be reported), 130 for Ctrl-C. A value echoed in the line is shortened to
:data:`~pairing1d.support.errors.MAX_WORD` characters. ``pairing1d --debug COMMAND`` or ``PAIRING1D_DEBUG=1`` prints the
traceback above the line.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .. import __version__
from ..support.errors import ModelError, shorten

app = typer.Typer(
    name="pairing1d",
    help="Electron pairing from repulsion in 1D (Shavit & Oreg, PRR 2, 043283): RG flows, phases, signatures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
stdout = Console()

try:  # typer >= 0.2x vendors click and raises its own exception classes
    from typer import TyperException as _CommandLineError
except ImportError:  # pragma: no cover - older typer on top of click
    from click import ClickException as _CommandLineError


BAD_INPUT = 2
"""Exit code of a user error: a parameter outside the model's domain, a malformed flag or file, a missing extra."""
ENVIRONMENT = 1
"""Exit code of a failure of the machine rather than of the input (a full disk, a file that cannot be written, an
unreachable scheduler, memory), of part of the computation (failed lattice runs), or of the program (a bug)."""
INTERRUPTED = 130
"""Exit code of a command stopped by Ctrl-C (SIGINT), as shells report a process killed by it (128 + 2)."""
DEBUG_VARIABLE = "PAIRING1D_DEBUG"
"""Environment variable that, set to anything but ``""`` or ``0``, makes errors print their traceback."""


PATH_ERRNOS = frozenset({errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EINVAL})
"""OSError codes that say the path the user gave cannot name a file (a file where a folder should be, a name too
long): bad input, exit code 2; every other OSError (no space, no permission, a read-only disk) is the machine's."""


class InputError(ValueError):
    """A user error outside the model's own validation (a parameter file, a flag combination)."""


class ComputationFailed(RuntimeError):
    """A command did its work but part of it failed (a lattice scan with failed runs): exit code 1, after the
    command's own output, with this one line."""


@app.command()
def examples(
    copy: Annotated[Path | None, typer.Option("--copy", help="Write the files into this folder, keeping the "
                                              "repository's layout (examples/, docs/data/)")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist")] = False,
) -> None:
    """List the files the README's commands use (shipped with the package), or copy them with --copy DIR so that
    those commands run in DIR after a pip install."""
    from ..support.packaged import copy_packaged, packaged_files

    if copy is None:
        for rel in packaged_files():
            stdout.print(rel)
        return
    try:
        written = copy_packaged(copy, overwrite=force)
    except OSError as exc:
        raise InputError(f"cannot write into {str(copy)!r}: {exc}") from None
    for path in written:
        stdout.print(f"wrote {path}")


_debug = False


def _set_debug(value: bool) -> None:
    global _debug
    _debug = _debug or value


def _debugging() -> bool:
    return _debug or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _print_version(value: bool) -> None:
    if value:  # eager: runs while the arguments are parsed, before a command is looked for
        print(__version__)
        raise typer.Exit()


@app.callback()
def _main_options(
    show_version: bool = typer.Option(False, "--version", help="Print the package version and exit.",
                                      is_eager=True, callback=_print_version),
    debug: bool = typer.Option(False, "--debug", help="On an error, print the full traceback above the one-line "
                               f"message (also: {DEBUG_VARIABLE}=1).", is_eager=True, callback=_set_debug),
) -> None:
    """Electron pairing from repulsion in 1D (Shavit & Oreg, PRR 2, 043283): RG flows, phases, signatures."""


@app.command()
def version() -> None:
    """Print the package version."""
    stdout.print(__version__)


@app.command()
def cite() -> None:
    """Print BibTeX for the paper pairing1d implements and for this version of the software."""
    from ..support.citation import bibtex

    print(bibtex())


EXTRAS = {"xarray": "sweep", "h5netcdf": "sweep", "h5py": "sweep", "zarr": "sweep", "dask": "sweep",
          "distributed": "sweep", "numba": "engine", "tenpy": "lattice", "panel": "explorer", "bokeh": "explorer"}
"""Which extra of ``pip install 'pairing1d[EXTRA]'`` brings each optional package (pyproject.toml)."""


class MissingExtras(ModuleNotFoundError):
    """Raised by :func:`require`: its message already names every missing package and its extra."""


def require(*packages: str) -> None:
    """Refuse a command up front, in one line, when optional packages it needs are missing, naming every extra that
    brings them (a command that needs two extras used to compute for half a minute and then name the second)."""
    from importlib.util import find_spec

    missing = [name for name in packages if find_spec(name) is None]
    if missing:
        extras = ",".join(dict.fromkeys(EXTRAS[name] for name in missing))
        raise MissingExtras(
            f"this command needs the optional package{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))}: pip install 'pairing1d[{extras}]' (or 'pairing1d[all]')",
            name=missing[0])


def _missing_extra(exc: ModuleNotFoundError) -> str:
    """One line naming the optional package a command needs and the extra that installs it."""
    if isinstance(exc, MissingExtras):
        return str(exc)
    name = (exc.name or "").split(".")[0]
    extra = EXTRAS.get(name)
    if extra is None:
        return f"a package this command needs is not installed: {exc}"
    return (f"this command needs the optional package {name!r}: pip install 'pairing1d[{extra}]' "
            "(or 'pairing1d[all]')")


def _os_error(exc: OSError) -> str:
    """One line for an OSError: its own message when it is one of ours, else what failed and on which file."""
    if type(exc).__module__.startswith("pairing1d"):
        return str(exc)
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return f"{exc.strerror or exc}{where}"


def _error(message: str, code: int) -> None:
    """One line on stderr (no Rich wrapping; the traceback first only with --debug), then exit."""
    if _debugging() and sys.exc_info()[0] is not None:
        import traceback

        traceback.print_exc()
    print(f"pairing1d: error: {shorten(message)}", file=sys.stderr)
    sys.exit(code)


class _Interrupt:
    """The SIGINT handler of a command: a KeyboardInterrupt, as usual, after which warnings are no longer shown
    (what unwinds after a Ctrl-C, e.g. a solver's options warning from ``__del__``, has nothing to tell the user).
    It replaces ``warnings.showwarning`` rather than adding a filter, because a library's own
    ``warnings.catch_warnings()`` block being unwound would drop the filter."""

    def __init__(self) -> None:
        self.interrupted = False
        self.show = warnings.showwarning

    def showwarning(self, *args, **kwargs) -> None:
        if not self.interrupted:
            self.show(*args, **kwargs)

    def __call__(self, signum, frame) -> None:
        self.interrupted = True
        raise KeyboardInterrupt


def _quiet_background_tasks() -> None:
    """Keep asyncio's "Task exception was never retrieved" reports (a traceback each) off stderr. Zarr writes through
    asyncio tasks on a loop of its own: when one fails on a full disk, the writes it started beside it may fail too,
    after the command has reported the failure in its one line, and asyncio printed each at exit (seen once in about
    fifty runs of a store created on a nearly full disk). Nothing else in this program runs asyncio tasks; a library
    user's own logging is untouched (the command line only)."""
    import logging

    logging.getLogger("asyncio").addHandler(logging.NullHandler())  # and so not logging's last-resort stderr


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the Typer app and turn every user error into one line on stderr and exit code 2, and Ctrl-C
    into one line and exit code 130."""
    # the commands write figures to files and never show them: the Agg backend, unless the user chose one
    os.environ.setdefault("MPLBACKEND", "Agg")
    _quiet_background_tasks()
    handler = _Interrupt()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, handler)
    try:
        with warnings.catch_warnings():  # showwarning is restored when main() returns (called in-process)
            warnings.showwarning = handler.showwarning
            _run(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _interrupted() -> None:
    gc.collect()  # objects dropped by the interruption warn from __del__ now, silenced, not after the line below
    _error("interrupted", INTERRUPTED)


def _run(argv: list[str] | None) -> None:
    global _debug
    _debug = False  # main() may run several commands in one process (tests)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="pairing1d", standalone_mode=False)
    except (ModelError, InputError) as exc:
        _error(str(exc), BAD_INPUT)
    except ModuleNotFoundError as exc:  # an optional dependency (an extra) is not installed
        _error(_missing_extra(exc), BAD_INPUT)
    except ComputationFailed as exc:
        _error(str(exc), ENVIRONMENT)
    except OSError as exc:  # the machine (a full disk, no permission), or a path that cannot name a file
        _error(_os_error(exc), BAD_INPUT if exc.errno in PATH_ERRNOS else ENVIRONMENT)
    except MemoryError:
        _error("out of memory: give fewer points (a smaller grid or resolution), or a chunked store "
               "(phase-diagram --out FILE.zarr)", ENVIRONMENT)
    except _CommandLineError as exc:  # malformed flags and values: click's usage errors, exit code 2
        message = exc.format_message()
        if not message:  # `pairing1d` alone: the help was printed, nothing to add
            sys.exit(getattr(exc, "exit_code", BAD_INPUT))
        _error(message, getattr(exc, "exit_code", BAD_INPUT))
    except (typer.Abort, KeyboardInterrupt):
        _interrupted()
    except Exception as exc:  # noqa: BLE001 - the policy: anything else is a bug of ours, still one line
        _error(f"internal error, please report it with the output of 'pairing1d --debug ...': "
               f"{type(exc).__name__}: {exc}", ENVIRONMENT)
    if code == INTERRUPTED:  # typer >= 0.2x turns a KeyboardInterrupt into a silent Exit(130): say it in one line
        _interrupted()
    sys.exit(code if isinstance(code, int) else 0)
