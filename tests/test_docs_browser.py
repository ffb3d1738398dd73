"""Every page of the documentation site (but viewcode's source listings), opened in headless Chromium (Debian's,
driven by Playwright as the explorer's browser test does), shows its maths typeset: once MathJax has finished, no
text outside MathJax's output holds raw TeX (``\\frac``, ``\\rm``, ``\\ell``, ``$``, ``\\(``, ...), and MathJax
reports no TeX error. ``make docs -W`` cannot see this: a ``$`` that MyST does not pair as the author meant (a ``$$``
display on the line after a sentence, which MyST reads as inline dollars; a ``$`` in prose) builds without a warning
and shows the TeX as text and the prose after it as italic maths; physics.html had 67 such text nodes. The site is
the one ``tests/test_docs.py`` builds (one build per session); a loopback server in a thread serves it."""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from _browser import chromium

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'")

from test_docs import built_site  # noqa: E402  (the same module object as the one pytest collects)

CHROMIUM = chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium found (make test installs Debian's chromium)")

# raw TeX in a text node: a control word (\frac, \rm, \ell, \lvert, ...), a dollar sign, or the \( \) \[ \] that
# Sphinx puts around the maths MathJax has not typeset. Text inside MathJax's output, code (inline or blocks:
# `$PAIRING1D_MATHJAX`, a shell prompt) and scripts is not prose and is left out.
RAW_TEX = re.compile(r"\\[A-Za-z]+|\\[()[\]]|\$")
_SKIPPED = "mjx-container, mjx-assistive-mml, script, style, noscript, template, textarea, pre, code, kbd, samp"
_TEXT_NODES = """(skipped) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest(skipped) && node.data.trim()) texts.push(node.data);
  }
  return texts;
}"""
# MathJax loads (deferred) on the pages that have maths; its startup promise settles once the page is typeset
_TYPESET = """async () => {
  if (!document.querySelector('script[src*="mathjax"]')) return "no maths";
  for (let i = 0; i < 600 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return "MathJax did not load";
  await MathJax.startup.promise;
  return "typeset";
}"""
# TeX MathJax could not read (an undefined macro, unbalanced braces): shown in red, with the message as a title
_TEX_ERRORS = """() => Array.from(document.querySelectorAll("mjx-merror"),
  (e) => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 120))"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serving(root: Path):
    """``root`` served on a free loopback port by a thread; its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def raw_tex(texts: list[str]) -> list[str]:
    """The text nodes (shortened, whitespace folded) that hold raw TeX."""
    return [" ".join(t.split())[:100] for t in texts if RAW_TEX.search(t)]


def test_raw_tex_finder():
    texts = ["the flow of \\frac{1}{2}", "with $K", "K = 1 and \\rm", "plain prose, 2 < 3 (a) [b]", "\\ell", "\\(K\\)",
             "\\[x\\]"]
    assert raw_tex(texts) == [t for t in texts if not t.startswith("plain")]


@pytest.fixture(scope="module")
def walked(tmp_path_factory) -> dict[str, dict]:
    """Every page of the site opened once in Chromium, after MathJax has typeset it: for each page (path relative to
    the site), whether MathJax ran (``state``), the text nodes with raw TeX (``raw``) and MathJax's TeX errors
    (``errors``). The pages of ``_modules`` are left out: they are the package's source, highlighted (viewcode), all
    of it inside ``<pre>``, which the walk skips; opening them (about 60, a quarter of the time) would check nothing.
    About 30 s on a busy machine."""
    from playwright.sync_api import sync_playwright

    site = built_site(tmp_path_factory)
    every = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    names = [name for name in every if not name.startswith("_modules/")]
    assert "physics.html" in names and len(names) > 20, names
    pages: dict[str, dict] = {}
    with serving(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            for name in names:
                page.goto(url + name, wait_until="load")
                pages[name] = {"state": page.evaluate(_TYPESET),
                               "raw": raw_tex(page.evaluate(_TEXT_NODES, _SKIPPED)),
                               "errors": page.evaluate(_TEX_ERRORS)}
        finally:
            browser.close()
    return pages


def test_every_page_shows_its_maths_typeset(walked):
    assert walked["physics.html"]["state"] == "typeset", walked["physics.html"]["state"]
    not_loaded = {name: page["state"] for name, page in walked.items() if page["state"] not in ("typeset", "no maths")}
    assert not not_loaded, f"MathJax did not typeset: {not_loaded}"
    found = {name: page["raw"] for name, page in walked.items() if page["raw"]}
    report = "; ".join(f"{name}: {len(raw)} text nodes, e.g. {raw[:3]}" for name, raw in found.items())
    assert not found, f"raw TeX outside the typeset maths on {len(found)} pages: {report}"


def test_mathjax_reads_every_formula(walked):
    """No formula of any page makes MathJax fail (a docstring's stray control character, a macro MathJax lacks)."""
    errors = {name: page["errors"] for name, page in walked.items() if page["errors"]}
    assert not errors, f"TeX MathJax could not read: {errors}"
