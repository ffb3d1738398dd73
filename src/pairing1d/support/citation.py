"""How to cite pairing1d and the paper it implements: one record of each, printed as BibTeX by ``pairing1d cite``.

``CITATION.cff`` at the repository's root holds the same records for GitHub and reference managers; a test keeps
the two in agreement.
"""

from __future__ import annotations

from .. import __version__

__all__ = ["PAPER", "SOFTWARE", "bibtex"]

PAPER = {
    "key": "Shavit2020",
    "type": "article",
    "authors": ("Gal Shavit", "Yuval Oreg"),
    "title": "Electron pairing induced by repulsive interactions in tunable one-dimensional platforms",
    "journal": "Physical Review Research",
    "volume": "2",
    "pages": "043283",
    "year": "2020",
    "doi": "10.1103/PhysRevResearch.2.043283",
}
"""Shavit & Oreg, Phys. Rev. Research 2, 043283 (2020): the physics the package implements."""

SOFTWARE = {
    "key": "pairing1d",
    "type": "software",
    "authors": ("the pairing1d developers",),
    "title": "pairing1d: electron pairing from repulsion in one dimension, the RG of Shavit and Oreg as a tool",
    "version": __version__,
    "year": "2026",
    "license": "MIT",
}
"""The package itself (cite the version you used)."""


def _entry(record: dict) -> str:
    # a corporate author ("the ... developers") is braced so that BibTeX does not split it into first and last names;
    # the title is braced so that its capitals are kept
    authors = " and ".join("{" + a + "}" if a.startswith("the ") else a for a in record["authors"])
    fields = {"author": authors, "title": "{" + record["title"] + "}"}
    fields |= {name: record[name] for name in ("journal", "volume", "pages", "year", "doi", "version", "license")
               if name in record}
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return f"@{record['type']}{{{record['key']},\n{body}\n}}"


def bibtex() -> str:
    """BibTeX of the paper and of the software (this version)."""
    return _entry(PAPER) + "\n\n" + _entry(SOFTWARE)
