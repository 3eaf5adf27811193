"""Import partners: what each row of a table would do (add a partner, update one already
in the project field by field, or be skipped), and every problem by row and column, before
anything changes. Accepting applies it all as one undoable step."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import fields
from allocator.formats.clipboard import partner_field
from allocator.formats.tables import (
    ADD,
    SKIP,
    UPDATE,
    CellProblem,
    ImportPreview,
    RowPlan,
    preview_import,
)
from ui.dialogs import error_label, show_problems
from ui.state.document import Document

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
FIRST_FIELD = 3  # Row, Import as, Changes, then a column per partner field


class ImportDialog(QDialog):
    """Preview of importing the partners in a CSV or Excel table into the open project."""

    def __init__(self, document: Document, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.document = document
        self.path = str(path)
        self.choices: dict[int, str] = {}  # table row -> UPDATE, ADD or SKIP, where chosen
        self.setWindowTitle(self.tr("Import partners from {file}").format(file=Path(path).name))
        room = self.screen().availableGeometry()
        self.resize(min(1200, room.width() - 80), min(620, room.height() - 80))

        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)

        self.partnersTable = QTableWidget(self)
        self.partnersTable.setObjectName("importPartners")
        self.partnersTable.setAccessibleName(self.tr("What each row of the table would do"))
        self.partnersTable.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.partnersTable.setAlternatingRowColors(True)
        self.partnersTable.setWordWrap(False)

        self.problemsTable = QTableWidget(0, 3, self)
        self.problemsTable.setObjectName("importProblems")
        self.problemsTable.setAccessibleName(self.tr("Problems in the table, by row and column"))
        self.problemsTable.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Column"), self.tr("Problem")]
        )
        self.problemsTable.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.problemsTable.verticalHeader().hide()
        header = self.problemsTable.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.problemsTable.setWordWrap(True)
        header.sectionResized.connect(lambda *_: self.problemsTable.resizeRowsToContents())

        self.warnings = QLabel(self)
        self.warnings.setObjectName("importWarnings")
        self.warnings.setWordWrap(True)
        self.errors = error_label(self)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.okButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.partnersTitle = QLabel(self.tr("What each row would do"), self)
        self.problemsTitle = QLabel(self.tr("What stops the import"), self)
        for label in (self.partnersTitle, self.problemsTitle):
            font = label.font()
            font.setBold(True)
            label.setFont(font)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.partnersTitle)
        layout.addWidget(self.partnersTable, 2)
        layout.addWidget(self.problemsTitle)
        layout.addWidget(self.problemsTable, 1)
        layout.addWidget(self.warnings)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)
        self.preview: ImportPreview | None = None
        self.refresh()

    # -- the preview -----------------------------------------------------------------
    def _preview_now(self) -> ImportPreview:
        return preview_import(self.path, self.document.project, choices=self.choices)

    def refresh(self) -> None:
        """Work out the preview against the project as it is now, and show it."""
        self.preview = self._preview_now()
        self._show_preview(self.preview)

    def set_choice(self, row: int, action: str) -> None:
        """Choose what a table row does (UPDATE, ADD or SKIP), as the row's box does."""
        self.choices[row] = action
        self.refresh()

    def row_actions(self) -> list[tuple[int, str]]:
        """(table row, action) of every row shown, in table order."""
        return [(r.row, r.action) for r in self.preview.plan] if self.preview else []

    def _changes_project(self, preview: ImportPreview) -> bool:
        return preview.ok and preview.project != self.document.project

    def _show_preview(self, preview: ImportPreview) -> None:
        added = len(preview.with_outcome("added"))
        updated = len(preview.with_outcome("updated"))
        self.okButton.setEnabled(self._changes_project(preview))
        self.okButton.setText(self._ok_text(added, updated) if preview.ok else self.tr("Import"))
        self.summary.setText(self._summary(preview, added, updated))
        self._fill_rows(preview)
        self._fill_problems(preview.problems)
        warnings = list(preview.warnings)
        self.warnings.setText(
            "<b>"
            + escape(self.tr("Worth knowing:"))
            + "</b><br>"
            + "<br>".join(escape(w) for w in warnings)
        )
        self.warnings.setVisible(bool(warnings))

    def _ok_text(self, added: int, updated: int) -> str:
        if added and updated:
            return self.tr("Add {a} and update {u}").format(a=added, u=updated)
        if updated:
            return (
                self.tr("Update 1 partner")
                if updated == 1
                else self.tr("Update {n} partners").format(n=updated)
            )
        if added == 1:
            return self.tr("Add 1 partner")
        if added:
            return self.tr("Add {n} partners").format(n=added)
        return self.tr("Import")

    def _summary(self, preview: ImportPreview, added: int, updated: int) -> str:
        name = Path(self.path).name
        problems = len(preview.problems)
        if problems:
            what = (
                self.tr("the problem below")
                if problems == 1
                else self.tr("the {n} problems below").format(n=problems)
            )
            return self.tr(
                "Nothing can be imported from {file} yet: fix {what} in the table and "
                "import it again, or skip the rows they are on. The project is unchanged."
            ).format(file=name, what=what)
        if not preview.plan:
            return self.tr("{file} holds no partners to import.").format(file=name)
        parts = [
            self.tr("{n} to add").format(n=added),
            self.tr("{n} to update").format(n=updated),
        ]
        same = len(preview.with_outcome("unchanged"))
        if same:
            parts.append(self.tr("{n} already as in the table").format(n=same))
        skipped = len(preview.with_outcome("skipped"))
        if skipped:
            parts.append(self.tr("{n} skipped").format(n=skipped))
        text = self.tr("From {file}: {parts}.").format(file=name, parts=", ".join(parts))
        if preview.with_outcome("updated") or preview.with_outcome("unchanged"):
            text += " " + self.tr(
                "Rows naming a partner already in the project update it: changed values show "
                "as old → new, and blank cells leave a value as it is. Choose Add as new or "
                "Skip for a row to do otherwise."
            )
        if not self._changes_project(preview):
            text += " " + self.tr("Nothing would change.")
        return text

    # -- the rows --------------------------------------------------------------------
    def _fill_rows(self, preview: ImportPreview) -> None:
        """A row per table row: its choice, what it changes, and the partner's fields."""
        columns = fields.PARTNER_COLUMNS
        table = self.partnersTable
        table.clear()
        table.setColumnCount(len(columns) + FIRST_FIELD)
        table.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Import as"), self.tr("Changes")]
            + [self.tr(spec.short or spec.label) for spec in columns]
        )
        table.setRowCount(len(preview.plan))
        for r, step in enumerate(preview.plan):
            row_item = QTableWidgetItem(str(step.row))
            row_item.setTextAlignment(RIGHT)
            table.setItem(r, 0, row_item)
            table.setCellWidget(r, 1, self._choice_box(step))
            bad = step.row in {p.row for p in preview.problems}
            word = self.tr("see problems") if bad else self._changes_word(step)
            table.setItem(r, 2, QTableWidgetItem(word if preview.ok or bad else ""))
            self._fill_fields(
                r,
                step,
                muted=step.action == SKIP
                or (preview.ok and not step.changes and step.outcome == "unchanged"),
            )
        table.verticalHeader().hide()
        table.resizeColumnsToContents()
        notes_col = table.columnCount() - 1
        if table.columnWidth(notes_col) > 260:
            table.setColumnWidth(notes_col, 260)
        table.setVisible(bool(preview.plan))
        self.partnersTitle.setVisible(bool(preview.plan))

    def _choice_box(self, step: RowPlan) -> QComboBox:
        words = {
            UPDATE: self.tr("Update"),
            ADD: self.tr("Add as new") if step.match is not None else self.tr("Add"),
            SKIP: self.tr("Skip"),
        }
        box = QComboBox(self.partnersTable)
        box.setObjectName(f"importChoice_{step.row}")
        box.setAccessibleName(self.tr("Import row {row} as").format(row=step.row))
        for action in step.actions:
            box.addItem(words[action], action)
        box.setCurrentIndex(max(0, box.findData(step.action)))
        if step.match is not None:
            box.setToolTip(self.tr("{name} is already in the project").format(name=step.match.name))
        box.currentIndexChanged.connect(
            lambda _i, b=box, row=step.row: self.set_choice(row, str(b.currentData()))
        )
        return box

    def _changes_word(self, step: RowPlan) -> str:
        if step.outcome == "updated":
            n = len(step.changes)
            return self.tr("1 field") if n == 1 else self.tr("{n} fields").format(n=n)
        return {
            "added": self.tr("new partner"),
            "unchanged": self.tr("none"),
            "skipped": self.tr("skipped"),
        }[step.outcome]

    def _fill_fields(self, r: int, step: RowPlan, muted: bool) -> None:
        """The partner's fields; a changed one as old → new, in bold, the old in its tip."""
        currency = self.document.project.currency
        changed = {c.field: c for c in step.changes}
        shown = step.partner if step.partner is not None else step.match
        grey = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for c, spec in enumerate(fields.PARTNER_COLUMNS, start=FIRST_FIELD):
            if shown is None:
                text = step.name if spec.key == "name" else ""
            else:
                value = partner_field(shown, spec)
                text = fields.format_value(spec, value, currency)
                if spec.kind == "bool":
                    text = self.tr("yes") if value else ""
            item = QTableWidgetItem(text)
            change = changed.get(spec.key)
            if change is not None:
                old, new = change.shown(change.old, currency), change.shown(change.new, currency)
                item.setText(f"{old} → {new}")
                item.setToolTip(self.tr("Now {old}; the table has {new}").format(old=old, new=new))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            else:
                item.setToolTip(text)
            if spec.is_number:
                item.setTextAlignment(RIGHT)
            if muted:
                item.setForeground(grey)
            self.partnersTable.setItem(r, c, item)

    def _fill_problems(self, problems: Sequence[CellProblem]) -> None:
        self.problemsTable.setRowCount(len(problems))
        for r, problem in enumerate(problems):
            row = "" if problem.row is None else str(problem.row)
            cells = (row, problem.column or "", problem.message)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 0:
                    item.setTextAlignment(RIGHT)
                self.problemsTable.setItem(r, c, item)
        self.problemsTable.resizeRowsToContents()
        self.problemsTable.setVisible(bool(problems))
        self.problemsTitle.setVisible(bool(problems))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.problemsTable.resizeRowsToContents()

    def problem_rows(self) -> list[tuple[str, str, str]]:
        """(row, column, message) of every problem shown."""

        def text(r: int, c: int) -> str:
            item = self.problemsTable.item(r, c)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1), text(r, 2)) for r in range(self.problemsTable.rowCount())]

    # -- applying --------------------------------------------------------------------
    def accept(self) -> None:
        """Import as one undo step (worked out again against the project as it is now)."""
        preview = self._preview_now()
        if not self._changes_project(preview) or preview.project is None:
            self.preview = preview
            self._show_preview(preview)
            show_problems(self.errors, [self.tr("Nothing can be imported: see above.")])
            return
        added = len(preview.with_outcome("added"))
        updated = len(preview.with_outcome("updated"))
        name = Path(self.path).name
        if updated:
            text = self.tr("Import from {file}: add {a}, update {u}").format(
                file=name, a=added, u=updated
            )
        elif added == 1:
            text = self.tr("Import 1 partner from {file}").format(file=name)
        else:
            text = self.tr("Import {n} partners from {file}").format(n=added, file=name)
        self.document.edit(preview.project, text)
        super().accept()
