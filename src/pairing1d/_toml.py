"""Reading the TOML files users give (parameter files, scan descriptions, lattice points) with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: str | Path, what: str, error: type[Exception]) -> dict[str, Any]:
    """The table of the TOML file at ``path``; an unreadable or malformed file raises ``error`` with one line that
    names ``what`` the file was meant to be."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text())
    except OSError as exc:
        raise error(f"cannot read {what} {str(path)!r}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not valid TOML: {exc}") from None
