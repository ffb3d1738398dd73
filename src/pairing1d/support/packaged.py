"""The files the README's commands use (an example parameter file, the lattice studies' scan files), shipped inside
the package so that a ``pip install`` has them too.

In the repository they live where the documentation points (``examples/``, ``docs/data/``); ``src/pairing1d/data/``
holds links to them, which the wheel turns into copies. :func:`copy_packaged` (``pairing1d examples --copy DIR``)
writes them into a folder with the same layout, so that the README's commands run there unchanged.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ModelError
from .files import write_text

__all__ = ["packaged_files", "copy_packaged"]


def packaged_files() -> dict[str, str]:
    """Relative path (as in the repository) -> text, for every shipped file."""
    root = resources.files("pairing1d") / "data"
    out: dict[str, str] = {}

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, rel + "/")
            elif child.name.endswith(".toml"):
                out[rel] = child.read_text()

    walk(root, "")
    return out


def copy_packaged(dest: str | Path, overwrite: bool = False) -> list[Path]:
    """Write every shipped file under ``dest`` (created), keeping the repository's layout; an existing file is
    left alone unless ``overwrite`` (a ModelError names it). Returns the paths written."""
    dest = Path(dest)
    files = packaged_files()
    clash = [rel for rel in files if (dest / rel).exists() and not overwrite]
    if clash:
        raise ModelError(f"{', '.join(str(dest / rel) for rel in clash)} already exist(s); give --force to "
                         "overwrite")
    written = []
    for rel, text in files.items():
        written.append(write_text(dest / rel, text))
    return written
