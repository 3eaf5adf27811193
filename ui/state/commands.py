"""Undo commands: every user edit is one QUndoCommand holding the project before and after.

Projects are immutable, so a command only swaps whole projects through
``document.set_project``; undo can never drift from redo. Consecutive edits of the same
field (typing in one cell, dragging one slider) merge into one step. The commands know
the document only as :class:`ProjectHolder`: the document makes them, never the other
way round.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from allocator.domain.fields import spec_for
from allocator.domain.model import Project
from allocator.domain.paths import FieldPath, describe_path
from allocator.errors import ValidationError

FIELD_EDIT_ID = 0x46530001  # "FS" + 1: QUndoCommand ids must be non-negative and unique


class ProjectHolder(Protocol):
    """What a command edits: something that swaps in a whole project (the document)."""

    def set_project(self, project: Project) -> None: ...


def _tr(text: str) -> str:
    return QCoreApplication.translate("Commands", text)


def change_text(project: Project, path: str) -> str:
    """An undo step's words for a change of one field, named as the field descriptions
    name it: "Change capacity of Amani Collective", "Rename Amani Collective",
    "Change ring-fence of scenario 'Needs-weighted'", "Change the grant in the first year".
    """
    try:
        fp = FieldPath.parse(path)
        words = spec_for(fp).words
    except (ValidationError, KeyError):
        return _tr("Change {field}").format(field=describe_path(project, path))
    parts = fp.parts
    if len(parts) >= 3 and parts[0] in ("partners", "scenarios") and isinstance(parts[1], int):
        owner = describe_path(project, FieldPath(parts[:2]))
        if parts[2:] == ("name",):
            return _tr("Rename {owner}").format(owner=owner)
        return _tr("Change {field} of {owner}").format(field=words, owner=owner)
    if parts[:2] == ("budget", "per_year"):
        return _tr("Change {field}").format(field=describe_path(project, fp))
    return _tr("Change {field}").format(field=words)


class ProjectEditCommand(QUndoCommand):
    """A compound edit (paste, import, apply all, add or remove a partner): one step."""

    def __init__(self, document: ProjectHolder, before: Project, after: Project, text: str) -> None:
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after

    def redo(self) -> None:
        self.document.set_project(self.after)

    def undo(self) -> None:
        self.document.set_project(self.before)


class FieldEditCommand(QUndoCommand):
    """One field's new value; merges with the next edit of the same path."""

    def __init__(
        self,
        document: ProjectHolder,
        path: str,
        old_project: Project,
        new_project: Project,
        text: str | None = None,
    ) -> None:
        super().__init__(text or change_text(old_project, path))
        self.document = document
        self.path = str(path)
        self.before = old_project
        self.after = new_project

    def id(self) -> int:
        return FIELD_EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, FieldEditCommand) or other.path != self.path:
            return False
        if other.document is not self.document:
            return False
        self.after = other.after
        if self.after is self.before or self.after == self.before:
            # typed back to what it was: the step does nothing any more
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self.document.set_project(self.after)

    def undo(self) -> None:
        self.document.set_project(self.before)
