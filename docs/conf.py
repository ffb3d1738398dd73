"""Sphinx configuration of the pairing1d documentation (``make docs`` builds it into docs/_build/html).

Why Sphinx: the package's docstrings are reST with ``:math:`` roles (autodoc renders them as they are), the pages
are Markdown with ``$...$`` maths (MyST's dollarmath; a ``$$`` display after a blank line), and Furo gives search
and a readable layout. MathJax comes with the site (copied from ``sphinx-mathjax-offline``, in the docs extra): the
maths renders without network."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import sphinx.ext.autosummary as _autosummary

from pairing1d import __version__

project = "pairing1d"
author = "the pairing1d developers"
copyright = "2026, the pairing1d developers"
version = release = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
# dollarmath with MyST's defaults ($...$ inline, $$...$$ display; a label after $$ allowed, spaces inside $ allowed: one
# formula of physics.md, "$\lvert y_1\rvert = $ `y_strong`", needs it). A $$ display is one only where a block may
# start, i.e. after a blank line: one written on the line after a sentence is read as inline dollars, which shifts
# every later $ of the paragraph (TeX shown as text, prose set as maths) without a warning, so each $$ of the pages
# has a blank line before it; tests/test_docs_browser.py opens every page and fails on raw TeX left in the text.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "data", "figures"]  # figures/ holds generated outputs, shown from the pages
autosummary_generate = True
# each object documented where it is defined (pairing1d re-exports Model, phase_of, ...; one target each); no
# "show-inheritance" key: any value of it, False included, would turn the "Bases: object" lines on
autodoc_default_options = {"members": True, "undoc-members": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_numpy_docstring = True
html_theme = "furo"
html_title = f"pairing1d {__version__}"
suppress_warnings = ["myst.xref_missing"]

# autosummary's one-line summary of a module or function ends at the first ". " that does not end one of its few
# known abbreviations ("et al.", "e.g.", "i.e."), so "The trion phase (Sec. II C 3 and Appendix C): ..." showed as
# "The trion phase (Sec." in the API reference (about a hundred summaries were cut at "Sec.", "Eq." or "Fig.").
# The docstrings cite the paper's sections, equations and figures so, never at the end of a sentence;
# tests/test_docs.py checks that no summary ends at one.
_ABBREVIATIONS = ("Sec.", "Secs.", "Eq.", "Eqs.", "Fig.", "Figs.", "Ref.", "Refs.", "App.", "cf.", "vs.")
_autosummary.WELL_KNOWN_ABBREVIATIONS = tuple(dict.fromkeys((*_autosummary.WELL_KNOWN_ABBREVIATIONS, *_ABBREVIATIONS)))


def _local_mathjax() -> Path | None:
    """A MathJax 3 distribution on this machine (a folder with ``tex-chtml-full.js`` and its CHTML fonts), or None:
    ``$PAIRING1D_MATHJAX`` (e.g. ``node_modules/mathjax/es5`` of ``npm install mathjax@3``), else the one the PyPI
    package ``sphinx-mathjax-offline`` ships (MathJax 3.2.2, in the docs extra; used only as a source of files)."""
    found = importlib.util.find_spec("sphinx-mathjax-offline")
    candidates = [Path(os.environ["PAIRING1D_MATHJAX"])] if os.environ.get("PAIRING1D_MATHJAX") else []
    if found is not None and found.submodule_search_locations:
        candidates.append(Path(next(iter(found.submodule_search_locations))) / "static" / "mathjax")
    return next((c for c in candidates if (c / "tex-chtml-full.js").is_file()
                 and (c / "output" / "chtml" / "fonts" / "woff-v2").is_dir()), None)


# MathJax: a local copy when there is one, so that the maths renders without network (1.7 MB: the full TeX
# component, every TeX extension in it so nothing is loaded later, and its fonts, copied into _static/mathjax);
# else Sphinx's default, MathJax 3 from a CDN (the maths then shows as raw TeX offline)
LOCAL_MATHJAX = _local_mathjax()
if LOCAL_MATHJAX is not None:
    mathjax_path = "mathjax/tex-chtml-full.js"  # relative: under the site's _static


def _copy_mathjax(app, exception) -> None:
    if exception is None and LOCAL_MATHJAX is not None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "mathjax"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(LOCAL_MATHJAX / "tex-chtml-full.js", target)
        shutil.copytree(LOCAL_MATHJAX / "output" / "chtml" / "fonts" / "woff-v2",
                        target / "output" / "chtml" / "fonts" / "woff-v2", dirs_exist_ok=True)

# References into other packages are not resolvable offline (no intersphinx inventories on a machine without
# network), so they are accepted as text (the patterns below); every internal reference must resolve: `make docs`
# (warnings as errors) fails on one that does not.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|pathlib|collections|typing|xarray|xr|scipy|tenpy|panel|pn|matplotlib|dask|distributed"
               r"|zarr|numba|bokeh|sqlite3|concurrent|dataclasses|importlib|enum|abc|builtins|os|io|rich|typer|subprocess)"
               r"(\..*)?"),
    (r"py:class", r"(optional|array_like|callable|iterable|sequence|mapping|path-like|file-like|default .*)"),
    (r"py:class", r"Path"),  # pathlib.Path as autodoc writes it for a class's ``str | Path`` argument
]


def _no_inline_attribute_type(app, what, name, obj, options, lines):
    """Napoleon reads the first line of an attribute's, a constant's or a property's docstring as ``type:
    description``, so "Phase codes of gate maps: 0 decoupled, ..." rendered "Phase codes of gate maps" as its Type
    (and nitpicky looked each word up as a class). The package writes no such inline types (annotations give them),
    so each ``:type:`` field napoleon appended (one per pass, numpy then google) goes back into the first sentence.
    Runs after napoleon (priority 500)."""
    if what not in ("attribute", "data", "property"):
        return
    while len(lines) >= 2 and lines[-1].startswith(":type: ") and not lines[-2].strip():
        kind = lines.pop()[len(":type: "):]
        lines.pop()
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is None:
            lines.append(kind)
        else:
            lines[first] = f"{kind}: {lines[first]}"


def setup(app):
    app.connect("autodoc-process-docstring", _no_inline_attribute_type, priority=600)
    app.connect("build-finished", _copy_mathjax)
