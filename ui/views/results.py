"""The split of the scenario on show: the table, a banner saying how current it is, the measures.

The view computes nothing: every figure comes from the document's result. Results
never blank out while a new solve runs; they stay, greyed, under a banner that says
why they are old (a problem to fix, a solve under way, a scenario that cannot be met).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from allocator.errors import Problem
from allocator.formats.clipboard import Cell, tsv
from allocator.report.words import LIMIT_TEXT, measure_text, measure_values
from ui.models.common import MEASURE_ROWS
from ui.models.results import ResultsModel
from ui.state import settings
from ui.widgets.banner import Banner, BannerKind
from ui.widgets.layout import FlowLayout

if TYPE_CHECKING:
    from ui.state.document import Document

#: The measures shown under the table: all but the largest attainment.
MEASURES = tuple(m for m in MEASURE_ROWS if m[0] != "max_attainment")

#: The banner's button that selects the first problem's field.
SHOW_PROBLEM = "show"


class ResultsTable(QTableView):
    """The results table; says when its size changed, once the change has settled (a
    scroll bar that comes or goes with it included)."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self.resized.emit)


class ResultsView(QWidget):
    """The split of the document's current scenario, per partner and year, with totals."""

    showProblem = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("resultsView")
        self.model = ResultsModel(document, self)

        self.banner = Banner("resultsBanner", self)
        self.banner.add_action(SHOW_PROBLEM, self.tr("Show the problem"), "resultsBannerShow")
        self.banner.actionTriggered.connect(self._on_banner_action)
        self.table = self._make_table()
        self.table.resized.connect(self._fit_name_column)  # names take the room figures leave
        self.measures = self._make_measures()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(self._make_top())
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.measures)

        document.resultsChanged.connect(self.refresh)
        document.problemsChanged.connect(self.refresh)
        document.solvingChanged.connect(self.refresh)
        document.currentScenarioChanged.connect(self.refresh)
        document.projectReset.connect(self.refresh)
        document.selectedPartnerChanged.connect(self._follow_selected_partner)
        self._restore_lines()
        self.refresh()
        self._fit_columns()
        self._follow_selected_partner(document.selected_partner)
        self.model.modelReset.connect(
            lambda: self._follow_selected_partner(document.selected_partner)
        )

    def _make_top(self) -> QHBoxLayout:
        """The title and the budget lines switch."""
        self.title = QLabel(self)
        self.title.setObjectName("resultsTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        # a long scenario name gives way on a narrow window: the whole title is its tooltip
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(0)
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
        return top

    def _make_table(self) -> ResultsTable:
        """The table of the split, with its copy action."""
        table = ResultsTable(self)
        table.setObjectName("resultsTable")
        table.setAccessibleName(self.tr("Results"))
        table.setAccessibleDescription(
            self.tr("Each partner's grant per year and in total, its fair share and what limits it")
        )
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)  # names cut at the end, not the start
        table.setTabKeyNavigation(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.model.modelReset.connect(self._fit_columns)

        self.copy_action = QAction(self.tr("Copy"), self)
        self.copy_action.setObjectName("copyResultsAction")
        self.copy_action.setToolTip(
            self.tr("Copy the selected rows, with the headers, as a block a spreadsheet can paste")
        )
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy)
        table.addAction(self.copy_action)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return table

    def _make_measures(self) -> QWidget:
        """The measures of the split in one row under the table."""
        measures = QWidget(self)
        measures.setObjectName("measures")
        # one row where it fits, wrapping onto a second on a narrow window
        row = FlowLayout(measures, spacing=18)
        row.setContentsMargins(2, 2, 2, 2)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        measures.setSizePolicy(policy)
        self.measure_labels: dict[str, QLabel] = {}
        for key, label, _how, tip in MEASURES:
            widget = QLabel(measures)
            widget.setObjectName(f"measure_{key}")
            widget.setToolTip(self.tr(tip))
            widget.setAccessibleName(self.tr(label))
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.measure_labels[key] = widget
            row.addWidget(widget)
        return measures

    # -- following the document --------------------------------------------------------
    def state(self) -> str:
        """current, solving, invalid, infeasible, failed or none: what the banner says."""
        doc = self.document
        result = doc.result()
        current = doc.result_is_current()
        if current and result is not None and result.status != "optimal":
            return "infeasible" if result.status == "infeasible" else "failed"
        if current:
            return "current"
        word = doc.result_state()
        if word == "invalid":
            return "invalid"
        if word == "failed":
            return "failed"
        if word == "none" and result is None:
            return "none"
        return "solving"

    def refresh(self, *args: object) -> None:
        """Take the document's result and say how current it is."""
        self.model.refresh()
        state = self.state()
        busy = self.document.is_solving
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
            n = len(doc.scenario_problems())
            text = (
                self.tr("Fix 1 problem to update the split.")
                if n == 1
                else self.tr("Fix %n problems to update the split.", "", n)
                if n
                else self.tr("Fix the inputs to update the split.")
            )
            if result is not None:
                text += " " + self.tr("The figures below are from before the last change.")
            self.banner.say(text, BannerKind.WARNING, [SHOW_PROBLEM] if n else [])
        elif state == "infeasible" and result is not None:
            text = self.tr("This scenario cannot be met: {why}").format(why=result.message).strip()
            # the message already says the grant that would suffice, per year
            if self.model.showing_older:
                text += " " + self.tr("The figures below are the last split that could be met.")
            self.banner.say(text, BannerKind.WARNING)
        elif state == "failed":
            why = doc.solve_error or (result.message if result is not None else "")
            self.banner.say(
                self.tr("The split could not be worked out: {why}").format(why=why),
                BannerKind.ERROR,
            )
        elif (state == "solving" and (busy or result is None)) or state == "none":
            self.banner.say(self.tr("Solving…"), BannerKind.INFO)
        else:
            self.banner.hide()

    def _show_title(self) -> None:
        doc = self.document
        name = doc.current_scenario
        chosen_scenario = doc.project.chosen_scenario
        chosen = chosen_scenario.name if chosen_scenario is not None else None
        if not name:
            self.title.setText(self.tr("Results"))
        elif name == chosen:
            self.title.setText(self.tr("Results: {name} (chosen for the bid)").format(name=name))
        else:
            self.title.setText(self.tr("Results: {name}").format(name=name))
        self.title.setToolTip(self.title.text())

    def _show_measures(self) -> None:
        result = self.model.result
        values = measure_values(result.metrics) if result is not None and result.partners else {}
        for key, label, _how, _tip in MEASURES:
            widget = self.measure_labels[key]
            text = measure_text(key, values.get(key), result.currency if result else "GBP")
            widget.setText(f"{self.tr(label)}  <b>{text}</b>")
            widget.setEnabled(not self.model.stale)

    def _on_banner_action(self, key: str) -> None:
        if key == SHOW_PROBLEM:
            self._show_first_problem()

    def _show_first_problem(self) -> None:
        problems: list[Problem] = self.document.scenario_problems()
        if problems:
            self.showProblem.emit(problems[0].path)

    # -- selection ---------------------------------------------------------------------
    def _on_current_row(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid():
            return
        index = self.model.partner_index(current.row())
        if index >= 0:
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
        spreadsheet reads every figure as a number; the one clipboard writer does the rest.
        """
        model = self.model
        rows = sorted({i.row() for i in self.table.selectionModel().selectedIndexes()})
        if not rows:
            rows = list(range(model.rowCount()))
        if not rows:
            return ""
        lines: list[list[Cell]] = [[model.column(c).label for c in range(model.columnCount())]]
        for r in rows:
            line: list[Cell] = []
            for c in range(model.columnCount()):
                column = model.column(c)
                value = model.index(r, c).data(Qt.ItemDataRole.UserRole)
                if column.key == "attainment" and isinstance(value, float):
                    line.append(value)
                elif column.money and isinstance(value, int):
                    line.append(value)
                else:
                    line.append(str(model.index(r, c).data() or ""))
            lines.append(line)
        return tsv(lines)

    def copy(self) -> None:
        text = self.copy_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    # -- options -----------------------------------------------------------------------
    def _set_lines(self, on: bool) -> None:
        self.model.set_show_lines(on)
        settings.set(settings.SHOW_BUDGET_LINES, bool(on))

    def _restore_lines(self) -> None:
        self.lines_box.setChecked(bool(settings.get(settings.SHOW_BUDGET_LINES)))

    def _fit_columns(self) -> None:
        """Columns wide enough for their figures and their whole header, never clipped;
        the partner names take the room left, down to a width that still reads."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        for c in range(self.model.columnCount()):
            key = self.model.column(c).key
            if key == "name":
                continue  # _fit_name_column, once the others are set
            if key == "limited_by":
                texts = [
                    str(self.model.index(r, c).data() or "") for r in range(self.model.rowCount())
                ]
                width = (
                    max(
                        [metrics.horizontalAdvance(LIMIT_TEXT["level"])]
                        + [metrics.horizontalAdvance(t) for t in texts]
                    )
                    + 12
                )
            elif key == "vs":
                width = metrics.horizontalAdvance("▲ +£000,000") + 14
            elif key == "attainment":
                width = metrics.horizontalAdvance("100.0%") + 16
            else:
                width = metrics.horizontalAdvance("£0,000,000") + 14
            header.resizeSection(c, max(width, self.header_width(c)))
        self._fit_name_column()

    def header_width(self, column: int) -> int:
        """What a section needs to show its header text whole, in bold as it is when a
        row is selected (the sections of selected columns are highlighted)."""
        header = self.table.horizontalHeader()
        plain = QFontMetrics(header.font())
        bold_font = QFont(header.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        label = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
        widen = max(
            (bold.horizontalAdvance(t) - plain.horizontalAdvance(t) for t in label.split("\n")),
            default=0,
        )
        return header.sectionSizeHint(column) + widen + 8

    def _fit_name_column(self) -> None:
        """The names as wide as the longest, or as the room left beside the figures
        (never under about twelve letters: a name cut short ends in "…", whole in its
        tooltip)."""
        keys = self.model.column_keys()
        if "name" not in keys:
            return
        c = keys.index("name")
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        names = [str(self.model.index(r, c).data() or "") for r in range(self.model.rowCount())]
        longest = max((metrics.horizontalAdvance(n) for n in names), default=0) + 16
        others = sum(header.sectionSize(k) for k in range(len(keys)) if k != c)
        # the viewport's width, asked without fetching the viewport itself (whose Python
        # type PySide would look up among every widget class before the first frame)
        bar = self.table.verticalScrollBar()
        width = self.table.maximumViewportSize().width()
        room = width - (bar.sizeHint().width() if bar.isVisible() else 0) - others
        floor = max(metrics.horizontalAdvance("M" * 9), self.header_width(c))
        width = max(floor, min(longest, max(room, 0), 320))
        if header.sectionSize(c) != width:
            header.resizeSection(c, width)
