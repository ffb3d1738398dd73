"""Session set-up shared by the tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _lane_kernel_compiled():
    """Compile the lane kernel (the default kernel, :mod:`pairing1d.engine.lanes`) or load it from numba's disk cache
    once, before any test: a test that runs the command line or the explorer in a subprocess with a time limit would
    otherwise pay the first compilation (about a minute on a fresh machine) inside that limit."""
    from pairing1d.engine.lanes import _compile

    _compile()
