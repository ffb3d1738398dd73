"""What a user of an installed package relies on: the version flag, the citation, the license and the typing marker."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from pairing1d import __version__
from pairing1d.citation import PAPER, SOFTWARE, bibtex
from pairing1d.cli import main

ROOT = Path(__file__).parent.parent


def run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_version_flag_and_command(capsys):
    assert run(["--version"], capsys)[:2] == (0, __version__ + "\n")
    code, out, _ = run(["version"], capsys)
    assert code == 0 and out.strip() == __version__


def test_cite_prints_bibtex_of_the_paper_and_this_version(capsys):
    code, out, _ = run(["cite"], capsys)
    assert code == 0 and out.strip() == bibtex()
    entries = re.findall(r"@(\w+)\{(\w+),", out)
    assert entries == [("article", "Shavit2020"), ("software", "pairing1d")]
    assert "doi = {10.1103/PhysRevResearch.2.043283}" in out and f"version = {{{__version__}}}" in out
    assert out.count("{") == out.count("}")  # balanced braces: BibTeX parses it
    assert "author = {{the pairing1d developers}}" in out  # a corporate author is not split into names


def test_citation_cff_agrees_with_the_package():
    cff = (ROOT / "CITATION.cff").read_text()
    assert f'doi: "{PAPER["doi"]}"' in cff and f'start: "{PAPER["pages"]}"' in cff
    assert re.search(r"^version: (\S+)$", cff, re.M).group(1) == __version__.split("+")[0]
    assert SOFTWARE["license"] in cff and PAPER["title"] in cff


def test_license_text_and_typing_marker():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert resources.files("pairing1d").joinpath("py.typed").is_file()
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")


@pytest.mark.parametrize("module, argv, extra", [
    ("xarray", ["device", "--preset", "paper-idealized", "--gate", "0", "--json"], "sweep"),
    ("tenpy", ["lattice", "solve", "--L", "4", "--N-sec", "2", "--method", "dmrg"], "lattice"),
])
def test_a_missing_extra_is_named_in_one_line(monkeypatch, capsys, module, argv, extra):
    import sys

    for name in list(sys.modules):  # as if the extra had never been installed
        if name == module or name.startswith(module + "."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, module, None)
    code, _, err = run(argv, capsys)
    assert code == 2 and f"pip install 'pairing1d[{extra}]'" in err and len(err.strip().splitlines()) == 1


def test_importing_the_plots_keeps_the_users_backend(tmp_path):
    """`import pairing1d.plotting` must not switch a notebook or a script to Agg; the CLI picks Agg itself."""
    import subprocess
    import sys

    code = ("import matplotlib; matplotlib.use('svg'); import pairing1d.plotting, pairing1d.device_plots; "
            "import matplotlib.pyplot as plt; print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "svg"
    png = tmp_path / "fig8.png"
    cli = subprocess.run([sys.executable, "-c", "from pairing1d.cli import main; main()", "cnt", "--plot", str(png)],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert cli.returncode == 0, cli.stderr
    assert png.stat().st_size > 10_000


def test_the_files_the_readme_uses_are_shipped_and_copied(tmp_path, capsys):
    """The shipped copies are the repository's files (links, one source), and `pairing1d examples --copy` writes
    them in the repository's layout so that the README's commands run there."""
    from pairing1d.packaged import packaged_files

    files = packaged_files()
    assert set(files) >= {"examples/fig3_red_dot.toml", "docs/data/w_scan.toml", "docs/data/pairing_map.toml"}
    for rel, text in files.items():
        assert (ROOT / rel).read_text() == text
    code, out, _ = run(["examples", "--copy", str(tmp_path)], capsys)
    assert code == 0 and all((tmp_path / rel).read_text() == text for rel, text in files.items())
    code, _, err = run(["examples", "--copy", str(tmp_path)], capsys)  # never overwritten unless asked
    assert code == 2 and "--force" in err
    assert run(["examples", "--copy", str(tmp_path), "--force"], capsys)[0] == 0
