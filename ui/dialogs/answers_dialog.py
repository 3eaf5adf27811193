"""Returned needs questionnaires: what they would change, partner by partner, and Apply.

:func:`allocator.formats.answers.read_answers` reads the workbooks (a quarter of a
second for seven, so here, on the GUI thread) and says what each partner's return
would change: its answers and what each adds to its scores, the two scores before
and after, the facts it corrected, and every problem at its file, sheet, row and
question. Nothing changes until Apply, which applies every partner's return as one
undoable step; a problem that refuses a return keeps Apply disabled.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import needs
from allocator.domain.model import Project
from allocator.formats.answers import (
    AnswersPreview,
    PartnerAnswers,
    ReturnProblem,
    apply_answers,
    read_answers,
)
from ui.dialogs import error_label, show_problems
from ui.models.common import warning_icon
from ui.state.document import Document
from ui.widgets.breakdown import breakdown_tree, fill_breakdown_tree


def _score(value: float | None) -> str:
    return "blank" if value is None else f"{value:.3f}"


def _table(parent: QWidget, name: str, heads: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(heads), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(heads)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    for col in range(len(heads) - 1):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(heads) - 1, QHeaderView.ResizeMode.Stretch)
    # wrapped text needs its row heights worked out again at the columns' real widths
    header.sectionResized.connect(lambda *_args: table.resizeRowsToContents())
    return table


def _captioned(caption: str, widget: QTableWidget | QTreeWidget) -> QVBoxLayout:
    """A bold caption over a table; a small table as high as its rows."""
    box = QVBoxLayout()
    label = QLabel(caption)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setBuddy(widget)
    box.addWidget(label)
    box.addWidget(widget, 1)
    if isinstance(widget, QTableWidget):
        rows = widget.verticalHeader().length()
        widget.setMaximumHeight(
            max(rows, 22 * 2) + widget.horizontalHeader().sizeHint().height() + 6
        )
        box.addStretch(0)
    return box


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    table.resizeRowsToContents()


class AnswersDialog(QDialog):
    """Preview returned questionnaires; Apply applies them all as one undo step."""

    def __init__(
        self,
        document: Document,
        paths: Sequence[str | os.PathLike[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("answersDialog")
        self.setWindowTitle(self.tr("Returned needs questionnaires"))
        self.document = document
        self.paths = [str(p) for p in paths]
        self.resize(1100, 720)

        self.summary = QLabel(self)
        self.summary.setObjectName("answersSummary")
        self.summary.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("answersTabs")
        self.tabs.setDocumentMode(True)
        self.errors = error_label(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.applyButton: QPushButton = self.buttons.addButton(
            self.tr("&Apply the answers"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.applyButton.setObjectName("applyAnswersButton")
        self.applyButton.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)
        self._read_from: Project = document.project
        self.preview = read_answers(self._read_from, self.paths)
        self._show(self.preview)

    # -- showing ---------------------------------------------------------------------
    def _show(self, preview: AnswersPreview) -> None:
        old = [self.tabs.widget(k) for k in range(self.tabs.count())]
        self.tabs.clear()
        for page in old:
            if page is not None:
                page.deleteLater()
        self.partnerPages: dict[str, QWidget] = {}
        for item in preview.partners:
            page = self._partner_page(item)
            self.partnerPages[item.partner_id] = page
            self.tabs.addTab(page, item.partner_name)
        self.problemsTable = self._problems_page(preview.problems)
        refusals = len(preview.refusals)
        label = self.tr("Problems ({n})").format(n=len(preview.problems))
        index = self.tabs.addTab(self.problemsTable, label)
        if refusals:
            self.tabs.setTabIcon(index, warning_icon())
            self.tabs.setCurrentIndex(index)
        self.summary.setText(self._summary_text(preview))
        self.applyButton.setEnabled(preview.ok and bool(preview.partners))
        self.applyButton.setToolTip(
            self.tr("Fix the problems that refuse a return, then read the files again")
            if refusals
            else self.tr("Store these answers and the scores they give, as one undoable step")
        )

    def _summary_text(self, preview: AnswersPreview) -> str:
        names = ", ".join(item.partner_name for item in preview.partners)
        read = self.tr("{n} file(s) read.").format(n=len(self.paths))
        if preview.partners:
            read += " " + self.tr("Answers from {names}.").format(names=names)
        refusals = len(preview.refusals)
        if refusals:
            read += " " + self.tr(
                "{n} problem(s) refuse these returns: nothing can be applied until they are "
                "fixed (see Problems)."
            ).format(n=refusals)
        elif preview.partners:
            read += " " + self.tr(
                "Nothing changes until you apply them; Undo takes them back in one step."
            )
        return read

    def _partner_page(self, item: PartnerAnswers) -> QWidget:
        """The partner's scores before and after, its corrected facts, and its answers."""
        page = QWidget(self.tabs)
        page.setObjectName(f"answers_{item.partner_id}")
        layout = QVBoxLayout(page)
        heading = QLabel(self.tr("From {file}").format(file=Path(item.file).name), page)
        heading.setToolTip(item.file)
        layout.addWidget(heading)
        scores = _table(page, "answersScores", [self.tr("Score"), self.tr("Now"), self.tr("After")])
        rows = []
        for key in needs.GROUPS:
            before, after = item.before.get(key), item.after.get(key)
            same = self.tr(" (unchanged)") if before == after else ""
            rows.append([needs.GROUP_NAMES[key].capitalize(), _score(before), _score(after) + same])
        _fill(scores, rows)
        facts = _table(
            page, "answersFacts", [self.tr("Fact"), self.tr("On record"), self.tr("Corrected to")]
        )
        fact_rows = [[c.label, c.old_text or self.tr("blank"), c.new_text or self.tr("blank")]
                     for c in item.facts]  # fmt: skip
        _fill(facts, fact_rows or [[self.tr("All"), self.tr("confirmed as on record"), ""]])
        top = QHBoxLayout()
        top.addLayout(_captioned(self.tr("The two scores"), scores), 1)
        top.addLayout(_captioned(self.tr("Facts the partner corrected"), facts), 1)
        layout.addLayout(top)
        tree = breakdown_tree(page, "answersLines")
        fill_breakdown_tree(tree, item.breakdown)
        layout.addLayout(
            _captioned(self.tr("The answers, and what each adds to its score"), tree), 1
        )
        return page

    def _problems_page(self, problems: Sequence[ReturnProblem]) -> QTableWidget:
        heads = [self.tr("Kind"), self.tr("File"), self.tr("Sheet"), self.tr("Row"),
                 self.tr("Question"), self.tr("Problem")]  # fmt: skip
        table = _table(self.tabs, "answersProblems", heads)
        ordered = sorted(problems, key=lambda p: not p.refuses)  # refusals first
        rows = [
            [
                self.tr("Refused") if p.refuses else self.tr("Note"),
                Path(p.file).name,
                p.sheet,
                "" if p.row is None else str(p.row),
                p.question,
                p.message,
            ]
            for p in ordered
        ]
        _fill(table, rows)
        for r, p in enumerate(ordered):
            cell = table.item(r, 0)
            if p.refuses and cell is not None:
                cell.setIcon(warning_icon())
        return table

    def problem_rows(self) -> list[list[str]]:
        """The problems table as shown: kind, file, sheet, row, question, problem."""
        t = self.problemsTable
        return [
            [
                (cell.text() if (cell := t.item(r, c)) is not None else "")
                for c in range(t.columnCount())
            ]
            for r in range(t.rowCount())
        ]

    # -- applying --------------------------------------------------------------------
    def accept(self) -> None:
        """Apply every partner's return as one undo step, then close."""
        if self.apply():
            super().accept()

    def apply(self) -> bool:
        if self.document.project is not self._read_from:
            # the project changed while the dialog was open: read again against it
            self._read_from = self.document.project
            self.preview = read_answers(self._read_from, self.paths)
            self._show(self.preview)
        preview = self.preview
        if not preview.ok or not preview.partners:
            return False
        names = ", ".join(item.partner_name for item in preview.partners)
        refused = self.document.edit_with(
            lambda p: apply_answers(p, preview),
            self.tr("Apply the returned answers of {names}").format(names=names),
        )
        if refused:
            show_problems(self.errors, [refused])
            return False
        return True
