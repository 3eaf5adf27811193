"""The split of the scenario on show: the table, a banner saying how current it is, the measures.

The view computes nothing: every figure comes from the document's result. Results
never blank out while a new solve runs; they stay, greyed, under a banner that says
why they are old (a problem to fix, a solve under way, a scenario that cannot be met).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from allocator.domain.text import pct
from ui.models.common import MEASURE_ROWS, warning_icon
from ui.models.results import ResultsModel

#: The measures shown under the table: all but the largest attainment.
MEASURES = tuple(m for m in MEASURE_ROWS if m[0] != "max_attainment")


def _status(result: Any) -> str:
    status = getattr(result, "status", "")
    return str(getattr(status, "value", status))


class Banner(QFrame):
    """One line above the table saying why the figures are not the current split."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 3, 3)
        self.icon = QLabel(self)  # the warning sign is drawn when first needed (say)
        self.label = QLabel(self)
        self.label.setObjectName("resultsBannerText")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.button = QPushButton(self.tr("Show the problem"), self)
        self.button.setObjectName("resultsBannerShow")
        self.button.clicked.connect(self.clicked)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def say(self, text: str, *, warning: bool = True, button: str = "") -> None:
        if warning and self.icon.pixmap().isNull():
            self.icon.setPixmap(warning_icon().pixmap(16, 16))
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.icon.setVisible(warning)
        self.button.setVisible(bool(button))
        if button:
            self.button.setText(button)
        self.show()

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""


class ResultsView(QWidget):
    """The split of the document's current scenario, per partner and year, with totals."""

    showProblem = Signal(str)

    def __init__(self, document: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("resultsView")
        self.model = ResultsModel(document, self)

        self.title = QLabel(self)
        self.title.setObjectName("resultsTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.lines_box = QCheckBox(self.tr("Show budget lines"), self)
        self.lines_box.setObjectName("showBudgetLines")
        self.lines_box.setToolTip(
            self.tr("Add columns for delivery, back-office, the management fee and unrestricted")
        )
        self.lines_box.toggled.connect(self._set_lines)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.lines_box)

        self.banner = Banner(self)
        self.banner.clicked.connect(self._show_first_problem)

        self.table = QTableView(self)
        self.table.setObjectName("resultsTable")
        self.table.setAccessibleName(self.tr("Results"))
        self.table.setAccessibleDescription(
            self.tr("Each partner's grant per year and in total, its fair share and what limits it")
        )
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.model.modelReset.connect(self._fit_columns)

        self.copy_action = QAction(self.tr("Copy"), self)
        self.copy_action.setObjectName("copyResultsAction")
        self.copy_action.setToolTip(
            self.tr("Copy the selected rows, with the headers, as a block a spreadsheet can paste")
        )
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy)
        self.table.addAction(self.copy_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.measures = QWidget(self)
        self.measures.setObjectName("measures")
        row = QHBoxLayout(self.measures)
        row.setContentsMargins(2, 2, 2, 2)
        row.setSpacing(18)
        self.measure_labels: dict[str, QLabel] = {}
        for key, label, _how, tip in MEASURES:
            widget = QLabel(self.measures)
            widget.setObjectName(f"measure_{key}")
            widget.setToolTip(self.tr(tip))
            widget.setAccessibleName(self.tr(label))
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.measure_labels[key] = widget
            row.addWidget(widget)
        row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.measures)

        document.resultsChanged.connect(self.refresh)
        document.problemsChanged.connect(self.refresh)
        document.solvingChanged.connect(self.refresh)
        document.currentScenarioChanged.connect(self.refresh)
        document.projectReset.connect(self.refresh)
        if hasattr(document, "selectedPartnerChanged"):
            document.selectedPartnerChanged.connect(self._follow_selected_partner)
        self._restore_lines()
        self.refresh()
        self._fit_columns()
        self._follow_selected_partner(getattr(document, "selected_partner", -1))
        self.model.modelReset.connect(
            lambda: self._follow_selected_partner(getattr(document, "selected_partner", -1))
        )

    # -- following the document --------------------------------------------------------
    def state(self) -> str:
        """current, solving, invalid, infeasible, failed or none: what the banner says."""
        doc = self.document
        result = doc.result()
        current = doc.result_is_current()
        if current and result is not None and _status(result) not in ("optimal", ""):
            return "infeasible" if _status(result) == "infeasible" else "failed"
        if current:
            return "current"
        word = doc.result_state() if hasattr(doc, "result_state") else ""
        if word == "invalid" or (not word and doc.problems):
            return "invalid"
        if word == "failed":
            return "failed"
        if word == "none" and result is None:
            return "none"
        return "solving"

    def refresh(self, *args: Any) -> None:
        """Take the document's result and say how current it is."""
        doc = self.document
        self.model.refresh()
        state = self.state()
        busy = bool(getattr(doc, "is_solving", False))
        stale = (
            state in ("invalid", "failed")
            or (state == "solving" and busy)
            or self.model.showing_older
        )
        self.model.set_stale(stale and self.model.result is not None)
        self._say(state, busy)
        self._show_title()
        self._show_measures()

    def _say(self, state: str, busy: bool) -> None:
        doc = self.document
        result = doc.result()
        if state == "invalid":
            problems = _problems(doc)
            n = len(problems)
            text = (
                self.tr("Fix 1 problem to update the split.")
                if n == 1
                else self.tr("Fix %n problems to update the split.", "", n)
                if n
                else self.tr("Fix the inputs to update the split.")
            )
            if result is not None:
                text += " " + self.tr("The figures below are from before the last change.")
            self.banner.say(text, button=self.tr("Show the problem") if n else "")
        elif state == "infeasible":
            message = getattr(result, "message", "") or ""
            text = self.tr("This scenario cannot be met: {why}").format(why=message).strip()
            alternative = getattr(result, "budget_alternative", None)
            if alternative:
                from allocator.domain.text import money

                text += " " + self.tr("A grant of {amount} would make it work as it is.").format(
                    amount=money(alternative, getattr(result, "currency", "GBP"))
                )
            if self.model.showing_older:
                text += " " + self.tr("The figures below are the last split that could be met.")
            self.banner.say(text)
        elif state == "failed":
            why = getattr(doc, "solve_error", None) or getattr(result, "message", "") or ""
            self.banner.say(self.tr("The split could not be worked out: {why}").format(why=why))
        elif state == "solving" and (busy or result is None):
            self.banner.say(self.tr("Solving…"), warning=False)
        elif state == "none":
            self.banner.say(self.tr("Solving…"), warning=False)
        else:
            self.banner.hide()

    def _show_title(self) -> None:
        doc = self.document
        name = doc.current_scenario
        chosen = getattr(doc.project.chosen_scenario, "name", None)
        if not name:
            self.title.setText(self.tr("Results"))
        elif name == chosen:
            self.title.setText(self.tr("Results: {name} (chosen for the bid)").format(name=name))
        else:
            self.title.setText(self.tr("Results: {name}").format(name=name))

    def _show_measures(self) -> None:
        result = self.model.result
        metrics = getattr(result, "metrics", None) if result is not None else None
        shown = metrics is not None and bool(getattr(result, "partners", ()))
        for key, label, how, _tip in MEASURES:
            widget = self.measure_labels[key]
            value = getattr(metrics, key, None) if shown else None
            if value is None:
                text = "–"
            elif how == "pct":
                text = pct(value, 1)
            elif how == "gini":
                text = f"{value:.3f}"
            else:
                text = f"{value:.2f}"
            widget.setText(f"{self.tr(label)}  <b>{text}</b>")
            widget.setEnabled(not self.model.stale)

    def _show_first_problem(self) -> None:
        problems = _problems(self.document)
        if problems:
            path = getattr(problems[0], "path", None)
            if path is None:
                path = problems[0][0]
            self.showProblem.emit(str(path))

    # -- selection ---------------------------------------------------------------------
    def _on_current_row(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid():
            return
        index = self.model.partner_index(current.row())
        if index >= 0 and hasattr(self.document, "set_selected_partner"):
            self.document.set_selected_partner(index)

    def _follow_selected_partner(self, index: int) -> None:
        row = self.model.row_of_partner(index)
        current = self.table.currentIndex()
        if row < 0 or (current.isValid() and current.row() == row):
            return
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    # -- copy --------------------------------------------------------------------------
    def copy_text(self) -> str:
        """The selected rows (all rows when none is) with the headers, tab-separated.

        Money goes out as plain whole numbers and attainment as a fraction, so a
        spreadsheet reads every figure as a number.
        """
        model = self.model
        rows = sorted({i.row() for i in self.table.selectionModel().selectedIndexes()})
        if not rows:
            rows = list(range(model.rowCount()))
        if not rows:
            return ""
        lines = [[model.column(c).label for c in range(model.columnCount())]]
        for r in rows:
            line = []
            for c in range(model.columnCount()):
                column = model.column(c)
                value = model.index(r, c).data(Qt.ItemDataRole.UserRole)
                if column.key == "attainment" and value is not None:
                    line.append(f"{value:.4f}")
                elif column.money and isinstance(value, int):
                    line.append(str(value))
                else:
                    line.append(str(model.index(r, c).data() or ""))
            lines.append(line)
        return "".join("\t".join(_tsv(cell) for cell in line) + "\n" for line in lines)

    def copy(self) -> None:
        text = self.copy_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    # -- options -----------------------------------------------------------------------
    def _set_lines(self, on: bool) -> None:
        self.model.set_show_lines(on)
        key = _settings_key("SHOW_BUDGET_LINES")
        if key is not None:
            from ui.state import settings

            settings.set(key, bool(on))

    def _restore_lines(self) -> None:
        key = _settings_key("SHOW_BUDGET_LINES")
        if key is not None:
            from ui.state import settings

            self.lines_box.setChecked(bool(settings.get(key)))

    def _fit_columns(self) -> None:
        """Columns wide enough for their figures and their whole header, never clipped."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        # the header's own size for each section (the style's margins and sort arrow
        # included), widened for its text in bold, as it is when a row is selected (the
        # sections of selected columns are highlighted)
        plain = QFontMetrics(header.font())
        bold_font = QFont(header.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        for c in range(self.model.columnCount()):
            label = str(self.model.headerData(c, Qt.Orientation.Horizontal) or "")
            widen = max(
                (bold.horizontalAdvance(t) - plain.horizontalAdvance(t) for t in label.split("\n")),
                default=0,
            )
            header_needs = header.sectionSizeHint(c) + widen + 8
            key = self.model.column(c).key
            if key == "name":
                names = [
                    str(self.model.index(r, c).data() or "") for r in range(self.model.rowCount())
                ]
                longest = max((metrics.horizontalAdvance(n) for n in names), default=0)
                width = min(max(longest + 16, metrics.horizontalAdvance("M" * 10)), 280)
            elif key == "limited_by":
                width = metrics.horizontalAdvance("common level, capacity")
            elif key == "vs":
                width = metrics.horizontalAdvance("▲ +£000,000") + 24
            elif key == "attainment":
                width = metrics.horizontalAdvance("100.0%") + 28
            else:
                width = metrics.horizontalAdvance("£0,000,000") + 20
            header.resizeSection(c, max(width, header_needs))


def _tsv(text: str) -> str:
    """A cell for tab-separated text: never a formula, quoted when it holds tabs or breaks."""
    if text.startswith(("=", "+", "@")) or (text.startswith("-") and not _number(text)):
        text = "'" + text
    if any(ch in text for ch in '\t\n"'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _problems(doc: Any) -> list[Any]:
    if hasattr(doc, "scenario_problems"):
        return list(doc.scenario_problems())
    return list(doc.problems)


def _settings_key(name: str) -> Any:
    try:
        from ui.state import settings
    except ImportError:
        return None
    return getattr(settings, name, None)
