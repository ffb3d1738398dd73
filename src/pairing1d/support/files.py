"""Writing files so that a reader never sees half of one: a temporary name in the same folder, then a rename.

The one rule of the package for output paths: a missing folder is created; an existing file is replaced only once the
new one is complete; a failure (a full disk, no permission, a directory in the way) leaves the old file as it was, no
temporary file behind, and raises a one-line :class:`~pairing1d.support.errors.WriteError` naming the file; a directory
where the file should be is a :class:`~pairing1d.support.errors.ModelError` (the input, not the machine).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .errors import ModelError, WriteError


def _reason(exc: BaseException, tmp: Path, path: Path) -> str:
    """What went wrong, in one line, naming the final file rather than the temporary one. h5py puts a paragraph in
    ``strerror`` ("Unable to synchronously create file (unable to open file: ..., errno = 28, ...)"): the errno's
    own words say it better."""
    errno = getattr(exc, "errno", None)
    text = getattr(exc, "strerror", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if errno and ("errno =" in text or len(text) > 200):
        text = os.strerror(errno)
    return " ".join(text.replace(str(tmp), str(path)).replace(tmp.name, path.name).split())


FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
"""Figure formats the package writes, chosen by the file's suffix."""


def check_figure_path(path: str | Path) -> Path:
    """``path`` if its suffix names a figure format of :data:`FIGURE_SUFFIXES`, else a one-line
    :class:`~pairing1d.support.errors.ModelError` (``--plot results`` would otherwise draw, then fail or guess a
    format)."""
    path = Path(path)
    if path.suffix.lower() not in FIGURE_SUFFIXES:
        raise ModelError(f"figure file {str(path)!r} must end in {', '.join(FIGURE_SUFFIXES)} (the format is taken "
                         "from the suffix)")
    return check_output_path(path)


def check_output_path(path: str | Path) -> Path:
    """``path`` if it can name an output file, else a one-line :class:`~pairing1d.support.errors.ModelError`: an
    existing directory, or a path through a file (``notes.txt/map.nc``). What :func:`write_atomically` checks first; a
    command calls it before it computes, so that a long sweep is not thrown away for a name."""
    path = Path(path)
    if path.is_dir():  # what the user named, not the machine: a bad input (exit code 2 at the command line)
        raise ModelError(f"cannot write {str(path)!r}: it is a directory; give a file name")
    _refuse_file_in_the_way(path, "file")
    return path


def _refuse_file_in_the_way(path: Path, what: str) -> None:
    """A ModelError if the nearest existing ancestor of ``path`` is a file (``--plot notes.txt/map.png``): the path the
    user gave cannot name a file, and mkdir would only say "File exists"."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ModelError(f"cannot write {what} {str(path)!r}: {str(parent)!r} is a file, not a folder")
            return


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path`` (same suffix, so format detection by suffix works) and
    rename it onto ``path``; the folder is created (module docstring). An OSError leaves ``path`` as it was and no
    temporary file behind, and is raised as a one-line :class:`~pairing1d.support.errors.WriteError` (``path`` an
    existing directory, or a path through a file: a :class:`~pairing1d.support.errors.ModelError`); other exceptions (a
    bad argument of ``write``) pass through unchanged, with the same guarantees."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    try:
        check_output_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(exc.errno, f"cannot write {str(path)!r}: {_reason(exc, tmp, path)}; "
                         "the old file, if any, is unchanged") from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # the folder itself could not be made or read: there is no temporary file
    return path


def write_text(path: str | Path, text: str) -> Path:
    """:func:`write_atomically` for a UTF-8 text file (tables, Markdown, JSON, TOML)."""
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def make_folder(path: str | Path) -> Path:
    """Create the folder ``path`` (and its parents) for outputs, before any work is done: a failure is a one-line
    :class:`~pairing1d.support.errors.WriteError`, a file in the way a :class:`~pairing1d.support.errors.ModelError`."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ModelError(f"output folder {str(path)!r} is a file; give a folder")
    _refuse_file_in_the_way(path, "the folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(exc.errno, f"cannot create the folder {str(path)!r}: {exc.strerror or exc}") from None
    return path


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (hex), read in blocks of 1 MiB."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_netcdf(path: str | Path, error: type[Exception], what: str):
    """The NetCDF file at ``path`` as an :class:`xarray.Dataset`, loaded into memory and closed (a store rewritten
    by rename must not stay open), or ``error`` with one line: "cannot read the ``what`` 'path': why" (the first
    line of the reader's message, at most 200 characters)."""
    import xarray as xr

    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return ds.load()
    except (OSError, ValueError) as exc:
        why = " ".join((str(exc).splitlines() or [type(exc).__name__])[0].split())[:200]
        raise error(f"cannot read the {what} {str(path)!r}: {why}") from None
