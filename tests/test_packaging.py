"""What a user of an installed package relies on: the version flag, the citation, the license and the typing marker."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from pairing1d import __version__
from pairing1d.cli import main
from pairing1d.support.citation import PAPER, SOFTWARE, bibtex

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

    code = ("import matplotlib; matplotlib.use('svg'); import pairing1d.plotting, pairing1d.devices.device_plots; "
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
    from pairing1d.support.packaged import packaged_files

    files = packaged_files()
    assert set(files) >= {"examples/fig3_red_dot.toml", "docs/data/w_scan.toml", "docs/data/pairing_map.toml"}
    for rel, text in files.items():
        assert (ROOT / rel).read_text() == text
    code, out, _ = run(["examples", "--copy", str(tmp_path)], capsys)
    assert code == 0 and all((tmp_path / rel).read_text() == text for rel, text in files.items())
    code, _, err = run(["examples", "--copy", str(tmp_path)], capsys)  # never overwritten unless asked
    assert code == 2 and "--force" in err
    assert run(["examples", "--copy", str(tmp_path), "--force"], capsys)[0] == 0


def test_chromium_install_waits_for_the_package_managers_lock(tmp_path):
    """tools/install_chromium.sh retries while apt says another process holds its lock (saying so on stderr), gives
    up after its bounded number of tries, and stops at once on any other apt failure."""
    import os
    import stat
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "tools" / "install_chromium.sh"
    fake = tmp_path / "bin"
    fake.mkdir()
    counter = tmp_path / "calls"
    apt = fake / "apt-get"
    # a stand-in apt-get: locked for the first LOCKED calls of "update", then fine (or failing otherwise)
    apt.write_text(f"""#!/usr/bin/env bash
n=$(cat {counter} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {counter}
case "$*" in *update*) if [ "$n" -le "${{LOCKED:-0}}" ]; then
    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)" >&2; exit 100; fi;;
esac
[ -n "${{BROKEN:-}}" ] && {{ echo "E: Unable to locate package chromium" >&2; exit 100; }}
exit 0
""")
    apt.chmod(apt.stat().st_mode | stat.S_IEXEC)
    env = os.environ | {"PATH": f"{fake}:{os.environ['PATH']}", "INSTALL_CHROMIUM_SUDO": "",
                        "INSTALL_CHROMIUM_FORCE": "1", "INSTALL_CHROMIUM_WAIT": "0", "INSTALL_CHROMIUM_TRIES": "5"}

    def run(**extra):
        counter.unlink(missing_ok=True)
        return subprocess.run(["bash", str(script)], env=env | extra, capture_output=True, text=True, timeout=60)

    done = run(LOCKED="2")
    assert done.returncode == 0 and done.stderr.count("holds the package manager's lock") == 2
    stuck = run(LOCKED="99")
    assert stuck.returncode == 1 and stuck.stderr.count("waiting (attempt") == 5
    assert "install chromium by hand" in stuck.stderr
    broken = run(BROKEN="1")
    assert broken.returncode == 1 and "Unable to locate package" in broken.stderr and "waiting" not in broken.stderr


def test_the_wheels_description_has_no_relative_links():
    """The description the wheel carries (pyproject's readme, PYPI.md) links only absolute addresses: a relative link
    (docs/physics.md) is broken on PyPI and in a pip-installed package."""
    import re
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = tomllib.loads((root / "pyproject.toml").read_text())["project"]["readme"]
    text = (root / readme).read_text()
    targets = re.findall(r"\]\(([^)]+)\)", text) + re.findall(r"<([^>\s]+)>", text)
    assert targets and all(t.startswith(("https://", "http://", "#")) for t in targets), targets
