"""The explorer inside Jupyter (issue 7): a notebook cell that builds the page renders it, with no error output.

A real kernel (ipykernel, run by nbclient) executes the two cells a user would type; the page's cell must come
back as Panel's rendered output (HTML plus the HoloViews exec bundle that the notebook's Bokeh runtime mounts).
"""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def test_build_app_renders_in_a_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import panel as pn\npn.extension()"),
        nbformat.v4.new_code_cell("from pairing1d import Model\nfrom pairing1d.explorer import build_app\n"
                                  "build_app(Model(K0=0.4))"),
    ]
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3").execute()  # raises on any cell error
    outputs = nb.cells[1].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    [result] = [o for o in outputs if o.output_type == "execute_result"]
    assert "text/html" in result.data
    assert "application/vnd.holoviews_exec.v0+json" in result.data  # Panel's notebook rendering of a live app
