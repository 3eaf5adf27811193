"""Import partners: what a table would add, and every problem by row and column, before
anything changes. Accepting adds the partners as one undoable step."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
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
from allocator.formats.tables import CellProblem, ImportPreview, preview_import
from ui.dialogs import error_label, show_problems
from ui.state.document import Document

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ImportDialog(QDialog):
    """Preview of adding the partners in a CSV or Excel table to the open project."""

    def __init__(self, document: Document, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.document = document
        self.path = str(path)
        self.setWindowTitle(self.tr("Import partners from {file}").format(file=Path(path).name))
        self.resize(900, 520)

        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)

        self.partnersTable = QTableWidget(self)
        self.partnersTable.setObjectName("importPartners")
        self.partnersTable.setAccessibleName(self.tr("Partners that would be added"))
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

        self.partnersTitle = QLabel(self.tr("Partners that would be added"), self)
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

    def refresh(self) -> None:
        """Work out the preview against the project as it is now, and show it."""
        self.preview = preview_import(self.path, self.document.project)
        self._show_preview(self.preview)

    def _show_preview(self, preview: ImportPreview) -> None:
        partners = list(preview.partners)
        can_add = preview.ok and bool(partners)
        self.okButton.setEnabled(can_add)
        if len(partners) == 1:
            self.okButton.setText(self.tr("Add 1 partner"))
        elif partners:
            self.okButton.setText(self.tr("Add {n} partners").format(n=len(partners)))
        else:
            self.okButton.setText(self.tr("Add partners"))
        self.summary.setText(self._summary(len(partners), len(preview.problems), can_add))
        self._fill_partners(preview)
        self._fill_problems(preview.problems)
        warnings = list(preview.warnings)
        self.warnings.setText(
            "<b>"
            + escape(self.tr("Worth knowing:"))
            + "</b><br>"
            + "<br>".join(escape(w) for w in warnings)
        )
        self.warnings.setVisible(bool(warnings))

    def _summary(self, partners: int, problems: int, can_add: bool) -> str:
        name = Path(self.path).name
        if can_add:
            if partners == 1:
                return self.tr("1 partner from {file} would be added.").format(file=name)
            return self.tr(
                "{n} partners from {file} would be added after the {m} already in the project."
            ).format(n=partners, file=name, m=len(self.document.project.partners))
        if problems == 1:
            return self.tr(
                "Nothing can be added from {file} yet: fix the problem below in the table "
                "and import it again. The project is unchanged."
            ).format(file=name)
        if problems:
            return self.tr(
                "Nothing can be added from {file} yet: fix the {n} problems below in the "
                "table and import it again. The project is unchanged."
            ).format(file=name, n=problems)
        return self.tr("{file} holds no partners to add.").format(file=name)

    def _fill_partners(self, preview: ImportPreview) -> None:
        """A row per partner that would be added, with the table row it comes from."""
        columns = fields.PARTNER_COLUMNS
        table = self.partnersTable
        table.clear()
        table.setColumnCount(len(columns) + 1)
        table.setHorizontalHeaderLabels(
            [self.tr("Row")] + [self.tr(spec.short or spec.label) for spec in columns]
        )
        table.setRowCount(len(preview.partners))
        rows = preview.rows
        currency = self.document.project.currency
        for r, partner in enumerate(preview.partners):
            row_item = QTableWidgetItem(str(rows[r]) if r < len(rows) else "")
            row_item.setTextAlignment(RIGHT)
            table.setItem(r, 0, row_item)
            for c, spec in enumerate(columns, start=1):
                value = partner_field(partner, spec)
                text = fields.format_value(spec, value, currency)
                if spec.kind == "bool":
                    text = self.tr("yes") if value else ""
                item = QTableWidgetItem(text)
                if spec.is_number:
                    item.setTextAlignment(RIGHT)
                item.setToolTip(text)
                table.setItem(r, c, item)
        table.verticalHeader().hide()
        table.resizeColumnsToContents()
        notes_col = len(columns)
        if table.columnWidth(notes_col) > 260:
            table.setColumnWidth(notes_col, 260)
        table.setVisible(bool(preview.partners))
        self.partnersTitle.setVisible(bool(preview.partners))

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

    def accept(self) -> None:
        """Add the partners as one undo step (checked again against the project now)."""
        preview = preview_import(self.path, self.document.project)
        if not preview.ok or preview.project is None or not preview.partners:
            self.preview = preview
            self.refresh()
            show_problems(self.errors, [self.tr("Nothing can be added: see the problems above.")])
            return
        n = len(preview.partners)
        self.document.edit(
            preview.project,
            self.tr("Import {n} partners from {file}").format(n=n, file=Path(self.path).name)
            if n != 1
            else self.tr("Import 1 partner from {file}").format(file=Path(self.path).name),
        )
        super().accept()
