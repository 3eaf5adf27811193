"""The desktop app's parts stay one-way, no module imports in a circle, and none grows
past the size limits.

Read from the source with ``ast`` like ``tests/allocator/test_layers.py`` (whose
helpers these are), so an import inside a function counts as much as one at the top.
The roles: ``state`` (what the app knows and does) below ``models`` (thin Qt models)
below ``views``, ``charts``, ``widgets`` and ``dialogs``; ``main_window`` composes
them, and only ``app`` builds the main window. That allocator never imports Qt or the
app is checked in ``tests/allocator/test_layers.py``.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from tests.allocator.test_layers import ROOT, Import, graph, modules, strongly_connected

UI = ROOT / "ui"
MAIN_WINDOW = "ui.main_window"
APP = "ui.app"

# What each role must never import, by module name prefix.
NEVER = {
    "ui.state": ("ui.views", "ui.charts", "ui.dialogs", "ui.widgets", MAIN_WINDOW, APP),
    "ui.models": ("ui.views", "ui.dialogs", MAIN_WINDOW, APP),
}

CLASS_LIMIT = 600  # lines, hard limits (aim for about 500 and 80)
FUNCTION_LIMIT = 100


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@functools.cache
def ui_imports() -> dict[str, list[tuple[str, Import]]]:
    return graph(UI)


def ui_graph(for_types: bool = True) -> dict[str, set[str]]:
    """Each ``ui`` module and the ``ui`` modules it imports (itself left out); without
    those imported only for type checking when ``for_types`` is false."""
    g = ui_imports()
    out = {}
    for name, edges in g.items():
        typing_only = set() if for_types else type_checking_lines(graph_path(name))
        out[name] = {
            t
            for t, imp in edges
            if t in g and t != name and name != "ui" and imp.line not in typing_only
        }
    return out


def graph_path(name: str) -> Path:
    return modules(UI)[name]


def type_checking_lines(path: Path) -> set[int]:
    """Lines of the imports made under ``if TYPE_CHECKING:`` (never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for child in ast.walk(inner):
                    if isinstance(child, ast.Import | ast.ImportFrom):
                        lines.add(child.lineno)
    return lines


def _edges(name: str) -> list[tuple[str, int]]:
    return [(t, imp.line) for t, imp in ui_imports()[name] if t.startswith("ui")]


def test_the_walk_sees_the_app():
    """Guards the other tests against passing because they read nothing."""
    g = ui_graph()
    assert {APP, MAIN_WINDOW, "ui.state.document", "ui.models.partners"} <= set(g)
    assert MAIN_WINDOW in g[APP]
    assert "ui.state.document" in g[MAIN_WINDOW]


def test_type_checking_imports_are_told_apart(tmp_path):
    source = tmp_path / "names.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nimport a\nif TYPE_CHECKING:\n"
        "    from b import c\n    import d\nimport e\n"
    )
    assert type_checking_lines(source) == {4, 5}


def test_the_undo_commands_do_not_name_the_document():
    """The document makes the commands; they know it only by what they call on it."""
    assert "ui.state.commands" in ui_graph()["ui.state.document"]
    assert "ui.state.document" not in ui_graph()["ui.state.commands"]


def test_no_import_circles_in_the_app():
    """Imports made only for type checking count too: a circle is one even for mypy."""
    g = ui_graph()
    circles = [group for group in strongly_connected(g) if len(group) > 1]
    selfish = [name for name, edges in ui_imports().items() if any(t == name for t, _ in edges)]
    assert not circles, f"ui modules importing each other in a circle: {circles}"
    assert not selfish, f"ui modules importing themselves: {selfish}"


def test_the_main_window_does_not_import_the_app():
    g = ui_graph()
    circles = [group for group in strongly_connected(g) if len(group) > 1]
    assert APP not in g[MAIN_WINDOW], f"{MAIN_WINDOW} imports {APP}"
    assert not circles, f"ui modules importing each other in a circle: {circles}"


@pytest.mark.parametrize("role", sorted(NEVER))
def test_lower_roles_never_import_higher_ones(role):
    wrong = [
        f"{name} (line {line}) imports {target}"
        for name in ui_graph()
        if _within(name, role)
        for target, line in _edges(name)
        if any(_within(target, above) for above in NEVER[role])
    ]
    assert not wrong, "\n".join(wrong)


def test_only_the_app_builds_the_main_window():
    wrong = [
        f"{name} (line {line}) imports {MAIN_WINDOW}"
        for name in ui_graph()
        if name not in (APP, MAIN_WINDOW)
        for target, line in _edges(name)
        if target == MAIN_WINDOW
    ]
    assert not wrong, "\n".join(wrong)


def oversized(
    path: Path, class_limit: int = CLASS_LIMIT, function_limit: int = FUNCTION_LIMIT
) -> list[str]:
    """Classes and functions (methods and nested ones included) longer than the limits,
    counted from the ``def`` or ``class`` line to the last line of the body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            limit, kind = class_limit, "class"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            limit, kind = function_limit, "function"
        else:
            continue
        assert node.end_lineno is not None
        lines = node.end_lineno - node.lineno + 1
        if lines > limit:
            out.append(f"{where}:{node.lineno} {kind} {node.name}: {lines} lines (limit {limit})")
    return out


def test_oversized_finds_long_classes_and_functions(tmp_path):
    source = tmp_path / "big.py"
    body = "\n".join(f"        x{i} = {i}" for i in range(5))
    source.write_text(
        f"class Big:\n    def long(self):\n{body}\n\n    def short(self):\n        pass\n"
    )
    assert oversized(source, class_limit=10, function_limit=6) == []
    assert oversized(source, class_limit=9, function_limit=5) == [
        "big.py:1 class Big: 10 lines (limit 9)",
        "big.py:2 function long: 6 lines (limit 5)",
    ]


def test_no_class_or_function_in_the_app_is_too_long():
    wrong = [line for path in sorted(UI.rglob("*.py")) for line in oversized(path)]
    assert not wrong, "\n".join(wrong)
