"""The package's layers (docs/architecture.md), kept true: the import graph of ``src/pairing1d`` read with ``ast``
(imports inside functions included, ``if TYPE_CHECKING:`` imports left out), its direction, its absence of cycles,
and the size of its modules."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import pairing1d

ROOT = Path(pairing1d.__file__).resolve().parent
MAX_LINES = 600
REASON = "Over 600 lines because"

# layer -> the layers its modules may import (besides their own layer); the root package ``pairing1d`` is its lazy
# facade (PEP 562) and is imported from below only for ``__version__``, read from the installed metadata
LAYERS = {
    "support": set(),
    "theory": {"support"},
    "engine": {"theory", "support"},
    "plotting": {"theory", "support"},
    "devices": {"engine", "theory", "plotting", "support"},
    "lattice": {"engine", "theory", "plotting", "support"},
    # the paper's nanotube figure (Fig. 8) and its statements use the nanotube bands of devices/cnt.py
    "paper": {"devices", "engine", "theory", "plotting", "support"},
    # the design search: devices in lab units, ranked against the paper's atlas of the model space
    "design": {"devices", "paper", "engine", "theory", "plotting", "support"},
    "cli": None,  # the applications may import anything
    "explorer": None,
    "_console": None,  # the ``pairing1d`` entry point: Ctrl-C handler, then the CLI
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that module ``name`` imports (the root package for ``from pairing1d import
    __version__``)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "pairing1d":
                        found.add(_existing(alias.name))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.split(".")[0] != "pairing1d":
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in MODULES else _existing(target))
            visit(child)

    visit(ast.parse(path.read_text()))
    found.discard(name)
    return found


def _existing(dotted: str) -> str:
    while dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None  # None: the root facade


def test_every_module_is_in_a_layer():
    assert {_layer(name) for name in MODULES} - {None} <= set(LAYERS)


def test_the_root_package_is_imported_only_for_its_version():
    for name, path in MODULES.items():
        if name == "pairing1d":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (
                    (node.level and node.module is None and _layer(name) and node.level == len(name.split("."))
                     - (path.name != "__init__.py")) or (not node.level and node.module == "pairing1d")):
                assert [a.name for a in node.names] == ["__version__"], name


def test_no_two_modules_import_each_other():
    pairs = sorted((a, b) for a, targets in GRAPH.items() for b in targets if a < b and a in GRAPH.get(b, ()))
    assert pairs == []


def test_no_cycle_at_all():
    graph = {a: {b for b in targets if b != "pairing1d"} for a, targets in GRAPH.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node, [node])
    assert cycles == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_imports_point_down(layer):
    allowed = LAYERS[layer]
    if allowed is None:
        return
    wrong = sorted(
        f"{a} -> {b}" for a, targets in GRAPH.items() if _layer(a) == layer
        for b in targets if b != "pairing1d" and _layer(b) not in allowed | {layer})
    assert wrong == []


def test_theory_knows_nothing_of_the_layers_above():
    above = {"engine", "devices", "paper", "cli", "explorer", "lattice", "plotting"}
    assert sorted(f"{a} -> {b}" for a, t in GRAPH.items() if _layer(a) == "theory" for b in t
                  if _layer(b) in above) == []


def test_no_module_over_600_lines_without_a_reason():
    long = []
    for name, path in MODULES.items():
        text = path.read_text()
        if text.count("\n") <= MAX_LINES:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if not re.search(rf"(^|\n|\. ){REASON} \S", "\n".join(doc.splitlines()[:60])):
            long.append(f"{name}: {text.count(chr(10))} lines")
    assert long == []


def test_every_subpackage_says_what_it_holds_and_may_import():
    for layer in ("support", "theory", "engine", "devices", "paper", "lattice", "cli", "explorer"):
        doc = ast.get_docstring(ast.parse((ROOT / layer / "__init__.py").read_text())) or ""
        assert "import" in doc, layer


def _documented_names() -> set[str]:
    docs = ROOT.parents[1] / "docs" / "api.md"
    names = set()
    for source in (ROOT.parents[1] / "README.md", docs):
        if source.exists():
            names |= set(re.findall(r"\bpairing1d(?:\.[A-Za-z_][A-Za-z0-9_]*)+", source.read_text()))
    return names


@pytest.mark.parametrize("name", sorted(pairing1d.__all__))
def test_public_names_import(name):
    assert getattr(pairing1d, name) is not None


@pytest.mark.parametrize("dotted", sorted(_documented_names()))
def test_documented_paths_import(dotted):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return
    pytest.fail(dotted)
