"""The Chromium the browser tests drive (tests/test_docs_browser.py, tests/test_explorer_browser.py): ``make test``
installs Debian's package; ``PAIRING1D_CHROMIUM`` names another."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def chromium() -> str | None:
    """The path of a Chromium executable, or None when there is none."""
    for candidate in (os.environ.get("PAIRING1D_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None
