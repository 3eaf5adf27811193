"""The layers of ``allocator`` stay one-way, Qt stays out, and no module imports in a circle.

Read from the source with ``ast`` (nothing is imported), so an import hidden inside a
function, or only made for type checking, counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "allocator"

# Lowest first. A module may import its own layer and the layers below it.
LAYERS = (
    "allocator.errors",
    "allocator.domain",
    "allocator.engine",
    "allocator.report",
    "allocator.formats",
    ("allocator.cli", "allocator.desktop_entry"),  # the top layer: the command and its helpers
)
FACADE = "allocator"  # the package itself: what the app imports; above every layer
# Any module may read the package's version number: ``from allocator import __version__``
# (importing any module of the package runs the package first anyway).
VERSION = "allocator.__version__"

# The one way up out of the package: the command opens the desktop app when asked to,
# and only from inside the function that does so, never when the module is imported.
OPENS_THE_APP = {("allocator.cli", "ui.app")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of ``package`` (a folder under ROOT) by its dotted name."""
    return {module_name(p): p for p in sorted(package.rglob("*.py"))}


class Import:
    """One imported module, where it is imported and whether only inside a function."""

    def __init__(self, target: str, line: int, in_function: bool):
        self.target, self.line, self.in_function = target, line, in_function


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    """Every module ``name`` imports (resolving relative imports and submodules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    out.append(Import(alias.name, child.lineno, inside))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = name if is_package else name.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{base}" if base else package
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    # "from allocator.engine import explain" depends on the module explain
                    target = sub if sub in known or sub == VERSION else base
                    out.append(Import(target, child.lineno, inside))
            visit(child, inside)

    visit(tree, False)
    return out


def layer_of(module: str) -> int | None:
    """The layer's position in LAYERS; the facade is above them all; None: no layer."""
    if module == FACADE:
        return len(LAYERS)
    for rank, layer in enumerate(LAYERS):
        prefixes = layer if isinstance(layer, tuple) else (layer,)
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return rank
    return None


def graph(package: Path = PACKAGE) -> dict[str, list[tuple[str, Import]]]:
    """Every module of ``package`` with what it imports (also used for ``ui``)."""
    found = modules(package)
    known = set(found)
    return {
        name: [(imp.target, imp) for imp in imports_of(name, path, known)]
        for name, path in found.items()
    }


def test_the_walk_sees_the_package():
    """Guards the other tests against passing because they read nothing."""
    g = graph()
    assert {"allocator.cli", "allocator.errors", "allocator.domain.model"} <= set(g)
    targets = {t for edges in g.values() for t, _ in edges}
    assert "allocator.errors" in targets


def test_every_module_belongs_to_a_layer():
    homeless = [m for m in modules() if layer_of(m) is None]
    assert not homeless, f"modules outside every layer (add them to LAYERS): {homeless}"


def test_lower_layers_never_import_higher_ones():
    wrong = []
    for name, edges in graph().items():
        if name == FACADE:
            continue
        mine = layer_of(name)
        for target, imp in edges:
            if target == VERSION or not (target == FACADE or target.startswith(FACADE + ".")):
                continue
            theirs = layer_of(target)
            if mine is not None and theirs is not None and theirs > mine:
                wrong.append(
                    f"{name} (line {imp.line}) imports {target}: "
                    f"{LAYERS[mine]} is below {LAYERS[theirs] if theirs < len(LAYERS) else FACADE}"
                )
    assert not wrong, "\n".join(wrong)


def _is_qt_or_app(target: str) -> bool:
    top = target.split(".")[0]
    return top in ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "ui")


def test_nothing_in_allocator_imports_qt_or_the_app():
    wrong = []
    for name, edges in graph().items():
        for target, imp in edges:
            if not _is_qt_or_app(target):
                continue
            if (name, target) in OPENS_THE_APP and imp.in_function:
                continue
            wrong.append(f"{name} (line {imp.line}) imports {target}")
    assert not wrong, "\n".join(wrong)


def strongly_connected(g: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(g.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group))
    return groups


def test_strongly_connected_finds_circles():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    groups = sorted(strongly_connected(g))
    assert ["a", "b", "c"] in groups
    assert ["d"] in groups and ["f"] in groups


def test_no_import_circles():
    g = graph()
    internal = {
        name: {t for t, _ in edges if t in g and t != name and name != FACADE}
        for name, edges in g.items()
    }
    circles = [group for group in strongly_connected(internal) if len(group) > 1]
    selfish = [name for name, edges in g.items() if any(t == name for t, _ in edges)]
    assert not circles, f"modules importing each other in a circle: {circles}"
    assert not selfish, f"modules importing themselves: {selfish}"


@pytest.mark.parametrize(
    "source, target",
    [
        ("from allocator.formats.files import load_project", "allocator.formats.files"),
        ("def f():\n    from allocator.cli import main", "allocator.cli"),
        ("from ..formats import files", "allocator.formats.files"),
        ("from . import model", "allocator.domain.model"),
        ("import PySide6.QtCore", "PySide6.QtCore"),
        ("from allocator import __version__", "allocator.__version__"),
        ("import allocator", "allocator"),
    ],
)
def test_imports_are_read_wherever_they_are(tmp_path, source, target):
    fake = tmp_path / "needs.py"
    fake.write_text(source + "\n", encoding="utf-8")
    known = set(modules())
    found = [i.target for i in imports_of("allocator.domain.needs", fake, known)]
    assert found == [target]


def test_the_facade_imports_without_qt():
    """``import allocator`` works on its own, everything it names exists, and no Qt."""
    code = (
        "import sys\n"
        "import allocator\n"
        "missing = [n for n in getattr(allocator, '__all__', ()) if not hasattr(allocator, n)]\n"
        "assert not missing, missing\n"
        "assert allocator.__version__\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'ui'))\n"
        "assert not bad, bad\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
