"""Reading the TOML files users give (parameter files, scan descriptions, lattice points) with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

MAX_BYTES = 16 * 2**20
"""Largest TOML input read (16 MiB): parameter, scan and point files are a few kB; a bigger file is a mistake."""


def read_toml(path: str | Path, what: str, error: type[Exception]) -> dict[str, Any]:
    """The table of the TOML file at ``path``; an unreadable or malformed file raises ``error`` with one line that
    names ``what`` the file was meant to be."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise error(f"{what} {str(path)!r} is {path.stat().st_size:,} bytes; a TOML input file is at most "
                        f"{MAX_BYTES:,}")
        text = path.read_bytes().decode("utf-8")  # TOML is UTF-8 by definition, whatever the locale says
    except OSError as exc:
        raise error(f"cannot read {what} {str(path)!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                    f"{exc.start}); TOML files are UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not valid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise error(f"{what} {str(path)!r} nests arrays or tables too deeply to be a parameter file") from None
