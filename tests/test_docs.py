"""The documentation site builds with warnings as errors, every public module and name has its page, the tutorial
shows the script's code and the gallery every image it names, and no link, image or script between the site's pages
is broken (what `make docs` builds; one build, about 40 s, shared by every check and by tests/test_docs_browser.py)."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

import pairing1d

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")
pytest.importorskip("furo")

ROOT = Path(__file__).parent.parent


LAYERS = ("pairing1d.support", "pairing1d.theory", "pairing1d.engine", "pairing1d.devices", "pairing1d.paper",
          "pairing1d.design")
"""The layers' sub-packages (docs/architecture.md): each of their modules has its page, as every top-level module
had before the package was layered; lattice/ and explorer/ are documented recursively from their packages."""


def public_modules() -> list[str]:
    top = [m.name for m in pkgutil.iter_modules(pairing1d.__path__, "pairing1d.")
           if not m.name.split(".")[-1].startswith("_") and m.name != "pairing1d.cli"]
    layered = [m.name for layer in LAYERS for m in pkgutil.iter_modules(importlib.import_module(layer).__path__,
                                                                         f"{layer}.")
               if not m.name.split(".")[-1].startswith("_")]
    return sorted(top + layered)


def defined_here(module) -> set[str]:
    """Names a module defines at its top level (functions, classes, assignments), not those it imports."""
    import ast

    tree = ast.parse(Path(module.__file__).read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


_BUILDS: dict[str, tuple[Path, subprocess.CompletedProcess]] = {}


def built_site(tmp_path_factory) -> Path:
    """The site's HTML, built once per test session: tests/test_docs_browser.py opens the same build."""
    if "html" not in _BUILDS:
        out = tmp_path_factory.mktemp("docs") / "html"
        _BUILDS["html"] = out, subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
             "-d", str(out.parent / "doctrees"), str(ROOT / "docs"), str(out)],
            capture_output=True, text=True, cwd=ROOT)
    out, result = _BUILDS["html"]
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory)


def test_every_public_module_is_in_the_api_reference():
    listed = set(re.findall(r"^   (pairing1d\.[\w.]+)$", (ROOT / "docs" / "api.md").read_text(), re.M))
    assert listed == set(public_modules())


def test_every_public_name_has_its_entry(site):
    missing = []
    for name in public_modules():
        module = importlib.import_module(name)
        page = site / "_autosummary" / f"{name}.html"
        assert page.exists(), name
        html = page.read_text()
        for attr in sorted(set(getattr(module, "__all__", ())) & defined_here(module)):
            if f'id="{name}.{attr}"' not in html:
                missing.append(f"{name}.{attr}")
    assert not missing, missing


def test_tutorial_and_gallery_are_pages_of_the_site(site):
    index = (site / "index.html").read_text()
    for name in ("tutorial", "gallery"):
        assert (site / f"{name}.html").exists(), name
        assert f'href="{name}.html"' in index, f"{name} is not in the table of contents"
    tutorial = (site / "tutorial.html").read_text()
    script = (ROOT / "examples" / "tutorial_device.py").read_text()
    steps = re.findall(r"^def (step\d_\w+)\(", script, re.M)
    assert len(steps) == 6, steps
    for name in [*steps, "main"]:  # the page includes each step of the script, read from the script itself
        assert re.search(rf'<span class="nf">{name}</span>', tutorial), name


def test_every_image_of_the_gallery_is_in_the_site(site):
    source = (ROOT / "docs" / "gallery.md").read_text()
    named = re.findall(r"^```\{figure\} (\S+)$", source, re.M) + re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", source)
    assert named, "no figure found in gallery.md"
    missing = [path for path in named if not (ROOT / "docs" / path).is_file()]
    assert not missing, f"named in gallery.md but not in docs/: {missing}"
    shown = re.findall(r'<img [^>]*src="([^"]+)"', (site / "gallery.html").read_text())
    assert len(shown) == len(named)
    built = {hashlib.sha256((site / src).read_bytes()).hexdigest() for src in shown if (site / src).is_file()}
    absent = [path for path in named if hashlib.sha256((ROOT / "docs" / path).read_bytes()).hexdigest() not in built]
    assert not absent, f"not copied into the site: {absent}"


def test_no_link_image_or_script_between_pages_is_broken(site):
    broken = []
    for page in site.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            url = urlparse(href)
            if url.scheme or href.startswith(("#", "mailto:")):
                continue
            target = (page.parent / urldefrag(url.path).url).resolve()
            if url.path and not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert not broken, broken[:20]


def test_no_summary_of_the_api_reference_is_cut_at_an_abbreviation(site):
    """autosummary ends a summary at the first ". " it does not know as an abbreviation: "The trion phase (Sec." was
    the summary of pairing1d.theory.trion until docs/conf.py named "Sec.", "Eq.", "Fig." ... as abbreviations."""
    import html

    cut = []
    for page in [site / "api.html", *sorted((site / "_autosummary").glob("*.html"))]:
        for table in re.findall(r'<table class="autosummary.*?</table>', page.read_text(), re.S):
            for name, summary in re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", table, re.S):
                text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", summary)).split())
                if re.search(r"\b(Sec|Secs|Eq|Eqs|Fig|Figs|Ref|Refs|App|cf|vs)\.$", text):
                    cut.append(f"{page.name}: {re.sub(r'<[^>]+>', '', name).strip()}: ...{text[-60:]}")
    assert not cut, f"{len(cut)} summaries cut at an abbreviation: {cut[:10]}"
