"""Scenarios side by side, against a baseline: who gains, who loses, and by how much.

A partnership agrees a split by comparing options. This view puts the scenarios a
person ticks next to each other: what each partner receives in each, the change
against the baseline (the size-proportional split of the same budget, or any
scenario) in money and in percent, the measures of each split as a whole, a grouped
bar chart and the settings that differ. Every figure comes from the core's
``side_by_side`` over the document's latest results; the view never solves.
While a result is out of date its column stays, greyed, until the new one comes.

The table models live in ``ui.models.compare``, the chart in ``ui.charts.compare``;
the words for figures and changes in ``ui.models.compare_text`` (offered here too).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from allocator.domain import edits
from allocator.engine.result import ScenarioResult
from allocator.formats.clipboard import tsv
from allocator.report.baseline import SIZE_PROPORTIONAL, Comparison
from allocator.report.compare import SideBySide, side_by_side
from ui.charts.base import ChartLegend
from ui.charts.compare import CompareChart
from ui.models.compare import (
    COL_CHANGE,
    COL_NAME,
    ROW_SECTION,
    SHOW_AMOUNTS,
    SHOW_BOTH,
    SHOW_CHANGES,
    SHOW_MODES,
    CompareModel,
    DifferencesModel,
)
from ui.models.compare_text import (
    STATUS_WORDS,
    arrow,
    measure_change_text,
    measure_text,
    money_change_text,
    signed_pct,
)
from ui.state import settings
from ui.state.document import Document
from ui.widgets.layout import splitter

__all__ = [
    "STATUS_WORDS",
    "CompareView",
    "arrow",
    "measure_change_text",
    "measure_text",
    "money_change_text",
    "signed_pct",
]


def _tr(text: str) -> str:
    return QCoreApplication.translate("CompareView", text)


class ScenarioPicker(QToolButton):
    """The scenarios to compare, ticked in a drop-down list; the button says how many.

    The ticks live in a drop-down so the table keeps the height: the columns themselves
    show which scenarios are compared. A scenario unticked stays unticked while it
    exists; a new scenario comes ticked.
    """

    #: A scenario was ticked or unticked by a person.
    ticked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unticked: set[str] = set()
        self.setObjectName("compareScenarios")
        self.setAccessibleName(self.tr("Scenarios to compare"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.menu_ = QMenu(self)
        self.list = QListWidget(self.menu_)
        self.list.setObjectName("compareScenarioList")
        self.list.setAccessibleName(self.tr("Scenarios to compare"))
        self.list.setToolTip(self.tr("Tick the scenarios to put side by side"))
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.itemChanged.connect(self._on_ticked)
        list_action = QWidgetAction(self.menu_)
        list_action.setDefaultWidget(self.list)
        self.menu_.addAction(list_action)
        self.menu_.aboutToShow.connect(self._fit_list)
        self.setMenu(self.menu_)

    def names(self) -> list[str]:
        """Every scenario listed, in project order."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def chosen_names(self) -> list[str]:
        """The ticked scenarios, in project order."""
        return [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, name: str, checked: bool) -> None:
        """Tick or untick one scenario (as a person would)."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(name)

    def tick_all(self) -> None:
        """Forget what was unticked (a different project)."""
        self._unticked.clear()

    def set_names(self, names: list[str]) -> None:
        """List ``names``, ticked unless a person unticked them before."""
        self._unticked &= set(names)
        self.list.blockSignals(True)
        self.list.clear()
        for name in names:
            item = QListWidgetItem(name, self.list)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            state = Qt.CheckState.Unchecked if name in self._unticked else Qt.CheckState.Checked
            item.setCheckState(state)
        self.list.blockSignals(False)
        self._fit_list()
        self._show_ticked()

    def _fit_list(self) -> None:
        """The drop-down list just big enough for every scenario's tick and name."""
        ls = self.list
        rows = max(1, ls.count())
        row = ls.sizeHintForRow(0) if ls.count() else self.fontMetrics().height() + 4
        width = max(ls.sizeHintForColumn(0), 200) + 12
        ls.setFixedSize(width, min(rows, 15) * row + 6)

    def _show_ticked(self) -> None:
        names = self.chosen_names()
        self.setText(
            self.tr("{n} of {total} scenarios").format(n=len(names), total=self.list.count())
        )
        self.setToolTip(
            self.tr("Tick the scenarios to put side by side. Now: {names}").format(
                names="; ".join(names) or self.tr("none")
            )
        )

    def _on_ticked(self, item: QListWidgetItem) -> None:
        self._show_ticked()
        name = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._unticked.discard(name)
        else:
            self._unticked.add(name)
        self.ticked.emit()


class CompareView(QWidget):
    """The Compare tab: tick scenarios, pick the baseline, read gains and losses."""

    #: Emitted after each refresh (tests and the main window may listen).
    refreshed = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("compareView")
        self.setAccessibleName(self.tr("Compare scenarios"))
        self._baseline: str = SIZE_PROPORTIONAL
        self.comparison: Comparison | None = None
        self._dirty = True

        self.scenario_button = ScenarioPicker(self)
        self.scenario_button.ticked.connect(self.refresh)
        self.scenario_menu = self.scenario_button.menu_
        self.scenario_list = self.scenario_button.list
        choosers = self._build_choosers()
        self._build_table()
        self._build_lower()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(choosers)
        layout.addWidget(self.splitter, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        document.resultsChanged.connect(self._soon)
        document.solvingChanged.connect(lambda _busy: self._soon())
        document.projectChanged.connect(lambda _old, _new: self._rebuild_choices())
        document.projectReset.connect(self._on_reset)
        self._rebuild_choices()
        self.refresh()

    # -- building ----------------------------------------------------------------------
    def _build_choosers(self) -> QHBoxLayout:
        """The row above the table: which scenarios, against what, what to show, actions."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for text, widget in (
            (self.tr("&Compare:"), self.scenario_button),
            (self.tr("&Against:"), self._build_baseline_combo()),
            (self.tr("S&how:"), self._build_show_combo()),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            if row.count():
                row.addSpacing(8)
            row.addWidget(label)
            row.addWidget(widget)
        self.note = QLabel(self)
        self.note.setObjectName("compareNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.note, 1)
        self.copy_button = QPushButton(self.tr("Copy table"), self)
        self.copy_button.setObjectName("copyCompareButton")
        self.copy_button.setToolTip(
            self.tr("Copy the whole comparison as a table Excel pastes, figures as plain numbers")
        )
        self.copy_button.clicked.connect(self.copy)
        self.bid_button = QPushButton(self.tr("Use this one for the bid"), self)
        self.bid_button.setObjectName("useForBidButton")
        self.bid_button.setToolTip(
            self.tr("Choose the scenario of the selected column for the bid (undoable)")
        )
        self.bid_button.clicked.connect(self.use_for_bid)
        row.addWidget(self.copy_button)
        row.addWidget(self.bid_button)
        return row

    def _build_baseline_combo(self) -> QComboBox:
        self.baseline_combo = QComboBox(self)
        self.baseline_combo.setObjectName("compareBaseline")
        self.baseline_combo.setAccessibleName(self.tr("Baseline"))
        self.baseline_combo.setToolTip(
            self.tr(
                "The split the changes are measured against: the size-proportional split "
                "of the same budget (what each partner would get by size alone), or a scenario"
            )
        )
        self.baseline_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.baseline_combo.currentIndexChanged.connect(self._on_baseline)
        return self.baseline_combo

    def _build_show_combo(self) -> QComboBox:
        self.show_combo = QComboBox(self)
        self.show_combo.setObjectName("compareShow")
        self.show_combo.setAccessibleName(self.tr("Show"))
        self.show_combo.setToolTip(
            self.tr(
                "What each scenario's columns show: what each partner receives and its change "
                "against the baseline, or only one of them (fewer columns to scroll through)"
            )
        )
        for mode, text in (
            (SHOW_BOTH, self.tr("Amounts and changes")),
            (SHOW_AMOUNTS, self.tr("Amounts")),
            (SHOW_CHANGES, self.tr("Changes")),
        ):
            self.show_combo.addItem(text, mode)
        self.show_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return self.show_combo

    def _build_table(self) -> None:
        self.model = CompareModel(self)
        shown = settings.get(settings.COMPARE_SHOW)
        self.model.show = shown if shown in SHOW_MODES else SHOW_BOTH
        self.show_combo.setCurrentIndex(max(0, self.show_combo.findData(self.model.show)))
        self.show_combo.currentIndexChanged.connect(self._on_show)
        self.table = QTableView(self)
        self.table.setObjectName("compareTable")
        self.table.setAccessibleName(self.tr("Comparison"))
        self.table.setAccessibleDescription(
            self.tr(
                "Partners down, scenarios across: what each partner receives and its change "
                "against the baseline; then the measures of each split"
            )
        )
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        header.setHighlightSections(False)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._after_reset)

        self.copy_action = QAction(self.tr("Copy table"), self)
        self.copy_action.setObjectName("copyCompareAction")
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy)
        self.bid_action = QAction(self.tr("Use this one for the bid"), self)
        self.bid_action.setObjectName("useForBidAction")
        self.bid_action.triggered.connect(self.use_for_bid)
        self.table.addAction(self.copy_action)
        self.table.addAction(self.bid_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _build_lower(self) -> None:
        """The chart (with its legend) beside the settings that differ, under the table."""
        self.chart = CompareChart(self)
        self.chart_legend = ChartLegend(self.chart, self)
        chart_box = QWidget(self)
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.setSpacing(0)
        chart_layout.addWidget(self.chart, 1)
        chart_layout.addWidget(self.chart_legend)
        self.lower_splitter = splitter(
            "compareLowerSplitter",
            Qt.Orientation.Horizontal,
            [chart_box, self._build_differences()],
            stretch=(3, 2),
            sizes=(600, 480),
            parent=self,
        )
        self.splitter = splitter(
            "compareSplitter",
            Qt.Orientation.Vertical,
            [self.table, self.lower_splitter],
            stretch=(3, 2),
            sizes=(650, 350),
            parent=self,
        )

    def _build_differences(self) -> QWidget:
        self.differences = DifferencesModel(self)
        self.differences_table = QTableView(self)
        self.differences_table.setObjectName("compareDifferences")
        self.differences_table.setAccessibleName(self.tr("Settings that differ"))
        self.differences_table.setModel(self.differences)
        self.differences_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.differences_table.verticalHeader().hide()
        self.differences_table.setWordWrap(False)
        self.differences_table.setTabKeyNavigation(False)
        self.differences_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        )
        self.differences_title = QLabel(self.tr("Settings that differ"), self)
        font = self.differences_title.font()
        font.setBold(True)
        self.differences_title.setFont(font)
        self.differences_empty = QLabel(self)
        self.differences_empty.setWordWrap(True)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.differences_title)
        side_layout.addWidget(self.differences_table, 1)
        side_layout.addWidget(self.differences_empty)
        return side

    # -- what the person picks ---------------------------------------------------------
    def set_show(self, show: str) -> None:
        """Show amounts and changes, amounts only or changes only (and remember it)."""
        self.show_combo.setCurrentIndex(max(0, self.show_combo.findData(show)))

    def _on_show(self, _index: int) -> None:
        show = self.show_combo.currentData()
        if show not in SHOW_MODES:
            return
        current = self.selected_scenario()
        self.model.set_show(show)
        settings.set(settings.COMPARE_SHOW, show)
        if current is not None:
            self.select_scenario(current)

    def chosen_names(self) -> list[str]:
        """The ticked scenarios, in project order."""
        return self.scenario_button.chosen_names()

    def set_checked(self, name: str, checked: bool) -> None:
        """Tick or untick one scenario (as a person would)."""
        self.scenario_button.set_checked(name, checked)

    @property
    def baseline(self) -> str:
        """The baseline: a scenario's name, or ``SIZE_PROPORTIONAL``."""
        return self._baseline

    def set_baseline(self, name: str | None) -> None:
        """Pick the baseline by scenario name (None or SIZE_PROPORTIONAL: size-proportional)."""
        key = name or SIZE_PROPORTIONAL
        i = self.baseline_combo.findData(key)
        if i < 0:
            raise KeyError(name)
        self.baseline_combo.setCurrentIndex(i)

    def _rebuild_choices(self) -> None:
        names = [s.name for s in self.document.project.scenarios]
        same = self.scenario_button.names() == names
        if same and self.baseline_combo.count() == len(names) + 1:
            self._soon()  # the same scenarios: only their figures may have changed
            return
        self.scenario_button.set_names(names)

        self.baseline_combo.blockSignals(True)
        self.baseline_combo.clear()
        self.baseline_combo.addItem(
            self.tr("Size-proportional split (bigger slice)"), SIZE_PROPORTIONAL
        )
        for name in names:
            self.baseline_combo.addItem(name, name)
        if self._baseline != SIZE_PROPORTIONAL and self._baseline not in names:
            self._baseline = SIZE_PROPORTIONAL
        self.baseline_combo.setCurrentIndex(max(0, self.baseline_combo.findData(self._baseline)))
        self.baseline_combo.blockSignals(False)
        self._soon()

    def _on_baseline(self, index: int) -> None:
        data = self.baseline_combo.itemData(index)
        self._baseline = data or SIZE_PROPORTIONAL
        self.refresh()

    def _on_reset(self) -> None:
        self.scenario_button.tick_all()
        self._baseline = SIZE_PROPORTIONAL
        self._rebuild_choices()
        self.refresh()

    def _soon(self) -> None:
        self._timer.start()

    # -- the comparison ----------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self, force: bool = False) -> None:
        """Compare the ticked scenarios' latest results against the baseline (no solving).

        While the tab is hidden the work waits until it is shown: at a thousand partners
        a comparison takes a noticeable moment, and nobody is looking.
        """
        self._timer.stop()
        if not force and not self.isVisible() and self.comparison is not None:
            self._dirty = True
            return
        self._dirty = False
        names = self.chosen_names()
        results, stale, pending = self._latest(names)
        shown: SideBySide | None = None
        if names:
            doc = self.document
            # never let the core solve a missing baseline here, on the GUI thread
            base = None if self._baseline == SIZE_PROPORTIONAL else doc.result(self._baseline)
            shown = side_by_side(doc.project, results, self._baseline, base)
            self._baseline = shown.baseline  # a baseline that has gone: size alone
        self.comparison = shown.comparison if shown is not None else None
        self.model.set_comparison(shown, names, stale=stale, pending=pending, chosen=self._chosen())
        self._span_section()
        self.chart.show_comparison(self.model)
        self.chart.set_stale(bool(stale) and len(stale) == len(results))
        self._show_differences(self.comparison, [r.name for r in results])
        self._say(names, stale, pending, shown is not None and shown.baseline_pending)
        self._update_buttons()
        self.refreshed.emit()

    def _latest(self, names: list[str]) -> tuple[list[ScenarioResult], set[str], set[str]]:
        """The ticked scenarios' latest results, those out of date, those not in yet.

        Old figures are greyed once a solve takes a while, or when none is on its way (a
        problem blocks it): a quick re-solve never makes the table flicker.
        """
        doc = self.document
        grey_old = doc.is_solving or not doc.solve_pending
        results: list[ScenarioResult] = []
        stale: set[str] = set()
        pending: set[str] = set()
        for name in names:
            r = doc.result(name)
            if r is None:
                pending.add(name)
                continue
            results.append(r)
            if not doc.result_is_current(name) and grey_old:
                stale.add(name)
        return results, stale, pending

    def _chosen(self) -> str | None:
        """The scenario that goes into the bid."""
        chosen = self.document.project.chosen_scenario
        return chosen.name if chosen is not None else None

    def _span_section(self) -> None:
        self.table.clearSpans()
        row = self.model.section_row()
        if row >= 0 and self.model.columnCount() > 1:
            self.table.setSpan(row, 0, 1, self.model.columnCount())

    def _show_differences(self, comparison: Comparison | None, names: list[str]) -> None:
        differences = comparison.parameters if comparison is not None else ()
        self.differences.set_differences(names if differences else [], differences)
        if len(names) < 2:
            self.differences_empty.setText(self.tr("Tick two or more scenarios to compare."))
        elif not differences:
            self.differences_empty.setText(self.tr("The ticked scenarios have the same settings."))
        self.differences_empty.setVisible(not differences)
        self.differences_table.setVisible(bool(differences))
        self.differences_table.resizeColumnsToContents()

    def _say(
        self, names: list[str], stale: set[str], pending: set[str], base_pending: bool
    ) -> None:
        """One line beside the baseline saying what is not current or cannot be met."""
        parts = []
        c = self.comparison
        if not names:
            parts.append(self.tr("Tick the scenarios to compare."))
        if c is not None:
            for s in c.scenarios:
                if not s.ok:
                    word = self.tr(STATUS_WORDS.get(s.status, s.status))
                    parts.append(self.tr("'{name}': {status}.").format(name=s.name, status=word))
        if base_pending:
            parts.append(
                self.tr("Waiting for the baseline '{name}' to be worked out.").format(
                    name=self._baseline
                )
            )
        if stale:
            parts.append(self.tr("Greyed figures are from before the last change."))
        if pending:
            parts.append(self.tr("Working out the split…"))
        if c is not None and c.baseline_is_scenario and c.baseline_status not in ("optimal", ""):
            parts.append(
                self.tr(
                    "The baseline '{name}' cannot be met, so there are no changes to show."
                ).format(name=c.baseline)
            )
        text = " ".join(parts)
        self.note.setText(text)
        self.note.setToolTip(text)

    def _after_reset(self) -> None:
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        names = [self.model.row_label(r) for r in range(self.model.rowCount())]
        for c in range(self.model.columnCount()):
            kind = self.model.column_kind(c)
            if kind == COL_NAME:
                longest = max(
                    (
                        metrics.horizontalAdvance(n)
                        for r, n in enumerate(names)
                        if self.model.row_kind(r) != ROW_SECTION
                    ),
                    default=0,
                )
                width = min(max(longest + 16, metrics.horizontalAdvance("M" * 8)), 260)
            elif kind == COL_CHANGE:
                width = metrics.horizontalAdvance("▲ +£000,000 (+00.0%)") + 14
            else:
                width = metrics.horizontalAdvance("£0,000,000") + 16
            lines = str(self.model.header_text(c, wrap=True)).split("\n")
            label = max((metrics.horizontalAdvance(x) for x in lines), default=0) + 14
            header.resizeSection(c, max(width, label))

    # -- actions -----------------------------------------------------------------------
    def selected_scenario(self) -> str | None:
        """The scenario of the current cell's column (None on the name or baseline column)."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.column_scenario(index.column())

    def select_scenario(self, name: str) -> None:
        """Make a cell of ``name``'s column current (as a click on it would)."""
        self.table.setCurrentIndex(self.model.index(0, self.model.first_column_of(name)))

    def _update_buttons(self) -> None:
        name = self.selected_scenario()
        chosen = self._chosen()
        ok = name is not None and name != chosen
        self.bid_button.setEnabled(ok)
        self.bid_action.setEnabled(ok)
        if name is None:
            tip = self.tr("Click a figure in a scenario's column first")
        elif name == chosen:
            tip = self.tr("'{name}' already goes into the bid").format(name=name)
        else:
            tip = self.tr("Choose '{name}' for the bid (undoable)").format(name=name)
        self.bid_button.setToolTip(tip)
        has = self.model.rowCount() > 0
        self.copy_button.setEnabled(has)
        self.copy_action.setEnabled(has)

    def use_for_bid(self) -> str | None:
        """Choose the selected column's scenario for the bid: one undoable step."""
        name = self.selected_scenario()
        if name is None:
            return None
        why = self.document.edit_with(
            lambda p: edits.set_chosen(p, name),
            self.tr("Use '{name}' for the bid").format(name=name),
        )
        if why:
            self.note.setText(why)
        self.refresh()
        return why

    def copy_text(self) -> str:
        """The whole comparison as tab-separated text with a header."""
        return tsv(self.model.copy_rows())

    def copy(self) -> None:
        text = self.copy_text()
        if text:
            QGuiApplication.clipboard().setText(text)
