"""The app's dialogs: project settings, the needs assessment and the import preview.

Each dialog takes the :class:`~ui.state.document.Document` and changes the project only when
accepted (or applied), as one undoable edit. None of them blocks when built: the main
window shows them with ``open()`` or ``show()``, tests set their widgets and call
``accept()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from allocator.domain.model import Project
from allocator.domain.paths import describe_path


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dialogs", text)


def error_label(parent: QWidget) -> QLabel:
    """A label for what stops a dialog's OK, hidden until there is something to say."""
    label = QLabel(parent)
    label.setObjectName("dialogErrors")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(_tr("What needs fixing"))
    label.hide()
    return label


def show_problems(label: QLabel, lines: list[str]) -> None:
    """Show problem lines in an error label (hidden when there are none)."""
    if not lines:
        label.clear()
        label.hide()
        return
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    label.setText(f"<b>{escape(_tr('Please fix:'))}</b><ul style='margin:0'>{items}</ul>")
    label.show()


def problem_lines(project: Project, problems: Iterable[tuple[str, str]]) -> list[str]:
    """Problems (path, message) as sentences that name the field in words."""
    out = []
    for path, message in problems:
        where = describe_path(project, path) if path else ""
        text = f"{where}: {message}" if where else str(message)
        out.append(text[:1].upper() + text[1:])
    return out
