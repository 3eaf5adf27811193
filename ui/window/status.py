"""The main window's status bar: how the split stands, and a busy sign while it is
worked out; and the words on the budget line above the results."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QPushButton, QSizePolicy

from allocator.domain.model import Project
from allocator.errors import ValidationError
from ui.state.document import (
    STATE_CURRENT,
    STATE_FAILED,
    STATE_INVALID,
    STATE_SOLVING,
    Document,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Status", text)


def budget_words(project: Project) -> str:
    """The budget line: each year's grant in the project's currency, or that none is set."""
    from allocator.domain.text import money

    try:
        amounts = project.budgets()
    except ValidationError:
        amounts = []  # a year's grant is blank
    if not amounts:
        return _tr("No budget set")
    years = " · ".join(
        _tr("{year}: {amount}").format(year=y, amount=money(a, project.currency))
        for y, a in zip(project.years, amounts, strict=False)
    )
    return _tr("Budget  {years}").format(years=years)


def _count(n: int, one: str, many: str) -> str:
    return _tr(one) if n == 1 else _tr(many).format(n=n)


class StatusLine(QObject):
    """The solve status and the busy indicator in the window's status bar."""

    def __init__(self, window: QMainWindow, document: Document) -> None:
        super().__init__(window)
        self.document = document
        bar = window.statusBar()
        bar.setObjectName("statusBar")
        self.label = QLabel()
        self.label.setObjectName("solveStatus")
        self.label.setAccessibleName(_tr("Solve status"))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setObjectName("busyIndicator")
        self.busy.setAccessibleName(_tr("Working out the split"))
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.hide()
        bar.addWidget(self.label, 1)
        for signal in (
            document.projectChanged,
            document.projectReset,
            document.resultsChanged,
            document.problemsChanged,
            document.currentScenarioChanged,
        ):
            signal.connect(self.update)
        document.solvingChanged.connect(self._on_solving)
        self.update()

    def _on_solving(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.update()

    def text(self) -> str:
        """The status bar's words for the current state of the split."""
        d = self.document
        p = d.project
        n_problems = len(d.problems)
        partners = _count(len(p.partners), "1 partner", "{n} partners")
        years = _count(p.year_count, "1 year", "{n} years")
        head = self._head(n_problems)
        parts = [head, partners, years]
        if n_problems:
            parts.append(_count(n_problems, "1 problem", "{n} problems"))
        elif d.result_state() == STATE_CURRENT and self._met():
            parts.append(_tr("no problems"))  # never beside "cannot be met"
        return " · ".join(parts)

    def _met(self) -> bool:
        """True when the shown scenario's current result is a split that keeps its rules."""
        result = self.document.result()
        return result is not None and result.status.value == "optimal"

    def _head(self, n_problems: int) -> str:
        d = self.document
        state = d.result_state()
        result = d.result()
        if state == STATE_CURRENT and result is not None:
            status = result.status.value
            if status == "infeasible":
                return _tr("“{name}” cannot be met as set").format(name=result.name)
            if status == "error":
                return _tr("The solver could not finish")
            if d.last_solve_ms is not None:
                return _tr("Solved in {ms} ms").format(ms=f"{d.last_solve_ms:,.0f}")
            return _tr("Solved")
        if state == STATE_SOLVING:
            return _tr("Working out the split…")
        if state == STATE_INVALID:
            return _count(
                max(n_problems, 1),
                "Fix 1 problem to update the split",
                "Fix {n} problems to update the split",
            )
        if state == STATE_FAILED:
            return _tr("The split could not be worked out")
        return _tr("Not solved yet")

    def update(self, *_args: object) -> None:
        self.label.setText(self.text())
        self.label.setToolTip(self.document.solve_error or "")


class BudgetLine(QPushButton):
    """The budget above the results, year by year; a click opens the project settings
    (the window connects ``clicked``)."""

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self.setObjectName("budgetLine")
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet("QPushButton#budgetLine { text-align: left; padding: 3px 6px; }")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setToolTip(_tr("Change the project's name, currency, years and budget"))
        document.projectChanged.connect(self.update_text)
        document.projectReset.connect(self.update_text)
        self.update_text()

    def update_text(self, *_args: object) -> None:
        text = budget_words(self.document.project)
        self.setText(text + "   " + _tr("Change…"))
        self.setAccessibleName(text)
