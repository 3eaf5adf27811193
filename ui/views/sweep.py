"""Sensitivity sweeps: how a scenario's split moves as one setting moves.

"How high can the fee go before the smallest partner drops below its floor?" A person
picks a scenario and a setting, a range and a number of steps; the core's ``sweep``
solves the scenario at each value in a worker thread with its own engine (the GUI
thread only starts it, shows progress and may cancel it). The result is the trade-off
curve: the measures and each partner's grant against the setting, with the points
where a rule starts or stops binding or the scenario stops being possible marked,
those points in words, and a table of the steps that exports to CSV. Any step can
become a scenario of its own (or, for the budget, be applied to the project), as one
undoable edit. An edit to the project while a sweep shows marks it out of date; it is
never cleared behind a person's back.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from allocator.domain.model import Project
from allocator.errors import SaveError, ValidationError
from allocator.formats.csvfile import write_csv
from allocator.report.sweep import (
    MAX_STEPS,
    Sweep,
    SweepStep,
    apply_step,
    make_scenario,
    param_choices,
    step_scenario_name,
    sweep,
    sweep_basis,
    swept_setting,
)
from ui.charts.base import ChartLegend, LegendEntry, legend_html
from ui.charts.sweep import SweepChart
from ui.models.common import MEASURE_ROWS
from ui.models.sweep import SweepModel
from ui.state.document import Document
from ui.state.workers import TaskWorker
from ui.widgets.layout import splitter
from ui.widgets.spinbox import UnitSpinBox

if TYPE_CHECKING:  # the engine loads with the first sweep, in its worker
    from allocator.engine.solve import Engine

#: The most steps the app offers (the core takes more from the command line).
APP_MAX_STEPS = min(101, MAX_STEPS)
DEFAULT_STEPS = 13

#: What the measures chart can show: a name and the measures drawn on one scale.
MEASURE_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "shares",
        "Attainment and shares",
        ("min_attainment", "max_attainment", "by_and_for_share", "lead_share"),
    ),
    ("gini", "Gini", ("gini",)),
    ("need_ratio", "Need ratio", ("need_ratio",)),
)

#: What a sweep's figures depend on (see ``sweep_basis``).
Basis = tuple[object, ...] | None


class SweepRequest(QWidget):
    """What to sweep: the scenario, the setting, from, to and how many steps; and Run.

    The range offered for a setting comes from the core (its bounds and its value now).
    """

    #: The request changed (the Run button may follow).
    changed = Signal()

    def _choice(self, name: str, words: str, letters: int) -> QComboBox:
        """A named drop-down of the request row, as wide as ``letters`` characters."""
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(words)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(letters)
        combo.currentIndexChanged.connect(self._on_request_changed)
        return combo

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.scenario_combo = self._choice("sweepScenario", self.tr("Scenario to sweep"), 18)
        self.param_combo = self._choice("sweepParameter", self.tr("Setting to vary"), 20)
        self.from_spin = UnitSpinBox(self)
        self.from_spin.setObjectName("sweepFrom")
        self.from_spin.setAccessibleName(self.tr("From"))
        self.to_spin = UnitSpinBox(self)
        self.to_spin.setObjectName("sweepTo")
        self.to_spin.setAccessibleName(self.tr("To"))
        for spin in (self.from_spin, self.to_spin):
            spin.valueChanged.connect(lambda _v: self.changed.emit())
        self.steps_spin = QSpinBox(self)
        self.steps_spin.setObjectName("sweepSteps")
        self.steps_spin.setAccessibleName(self.tr("Steps"))
        self.steps_spin.setRange(2, APP_MAX_STEPS)
        self.steps_spin.setValue(DEFAULT_STEPS)
        self.steps_spin.setToolTip(self.tr("How many values to solve, both ends included"))
        self.run_button = QPushButton(self.tr("Run"), self)
        self.run_button.setObjectName("runSweepButton")
        self.run_button.setDefault(True)
        self.run_button.setToolTip(self.tr("Solve the scenario at each step"))

        request = QHBoxLayout(self)
        request.setContentsMargins(0, 0, 0, 0)
        for text, widget in (
            (self.tr("&Scenario:"), self.scenario_combo),
            (self.tr("S&etting:"), self.param_combo),
            (self.tr("&From:"), self.from_spin),
            (self.tr("&To:"), self.to_spin),
            (self.tr("Ste&ps:"), self.steps_spin),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            request.addWidget(label)
            request.addWidget(widget)
        request.addWidget(self.run_button)
        request.addStretch(1)

    @property
    def scenario(self) -> str:
        return self.scenario_combo.currentData() or ""

    @property
    def param(self) -> str:
        return self.param_combo.currentData() or ""

    def set_request(
        self,
        scenario: str | None = None,
        param: str | None = None,
        start: float | None = None,
        stop: float | None = None,
        steps: int | None = None,
    ) -> None:
        """Fill in the request as a person would (values in the core's units)."""
        if scenario is not None:
            i = self.scenario_combo.findData(scenario)
            if i < 0:
                raise KeyError(scenario)
            self.scenario_combo.setCurrentIndex(i)
        if param is not None:
            i = self.param_combo.findData(param)
            if i < 0:
                raise KeyError(param)
            self.param_combo.setCurrentIndex(i)
        if start is not None:
            self.from_spin.set_model_value(start)
        if stop is not None:
            self.to_spin.set_model_value(stop)
        if steps is not None:
            self.steps_spin.setValue(steps)

    def request(self) -> tuple[str, str, float, float, int]:
        """(scenario, param, from, to, steps) as the core's ``sweep`` takes them."""
        return (
            self.scenario,
            self.param,
            self.from_spin.model_value(),
            self.to_spin.model_value(),
            self.steps_spin.value(),
        )

    def fill_choices(self, scenario: str | None = None) -> None:
        """The scenario and setting lists from the project, keeping what was picked.

        The range typed in stays unless the scenario or setting picked has to change
        (it was removed), so adding a scenario never resets what a person typed.
        """
        project = self.document.project
        before = (self.scenario, self.param)
        keep_scenario = scenario or self.scenario
        names = [s.name for s in project.scenarios]
        choices = [
            (param, QCoreApplication.translate("fields", label))
            for param, label in param_choices(project)
        ]
        old_choices = [
            (self.param_combo.itemData(i), self.param_combo.itemText(i))
            for i in range(self.param_combo.count())
        ]
        old_names = [self.scenario_combo.itemData(i) for i in range(self.scenario_combo.count())]
        self.scenario_combo.blockSignals(True)
        self.param_combo.blockSignals(True)
        try:
            if names != old_names:
                self.scenario_combo.clear()
                for name in names:
                    self.scenario_combo.addItem(name, name)
            i = self.scenario_combo.findData(keep_scenario)
            if i < 0:
                i = max(0, self.scenario_combo.findData(self.document.current_scenario))
            self.scenario_combo.setCurrentIndex(i)
            if choices != old_choices:
                self.param_combo.clear()
                for param, label in choices:
                    self.param_combo.addItem(label, param)
                self.param_combo.setCurrentIndex(max(0, self.param_combo.findData(before[1])))
        finally:
            self.scenario_combo.blockSignals(False)
            self.param_combo.blockSignals(False)
        if (self.scenario, self.param) != before or self.from_spin.spec is None:
            self.set_defaults()

    def set_defaults(self) -> None:
        """Units and range for the setting picked, from its bounds and current value."""
        project = self.document.project
        if not self.scenario or not self.param:
            return
        try:
            setting = swept_setting(project, self.scenario, self.param)
        except ValidationError:  # not a setting of this project (any more): nothing to set
            return
        start, stop = setting.default_range()
        for spin, value in ((self.from_spin, start), (self.to_spin, stop)):
            spin.blockSignals(True)
            spin.configure(setting.spec, project.currency)
            spin.set_model_value(value)
            spin.blockSignals(False)
        tip = self.tr("{help} Now: {value}.").format(
            help=setting.spec.help, value=setting.shown or self.tr("blank")
        )
        self.param_combo.setToolTip(tip.strip())
        self.changed.emit()

    def _on_request_changed(self, _index: int) -> None:
        self.set_defaults()

    def follow(self, name: str) -> None:
        """Pick scenario ``name`` (as the window's current scenario changes)."""
        i = self.scenario_combo.findData(name)
        if i >= 0 and i != self.scenario_combo.currentIndex():
            self.scenario_combo.setCurrentIndex(i)

    def set_running(self, running: bool) -> None:
        """Nothing of the request can change while a sweep runs."""
        for w in (
            self.scenario_combo,
            self.param_combo,
            self.from_spin,
            self.to_spin,
            self.steps_spin,
            self.run_button,
        ):
            w.setEnabled(not running)

    def ready(self) -> bool:
        """A scenario, a setting and a range that is not a single value."""
        return bool(self.scenario and self.param) and (
            self.from_spin.value() != self.to_spin.value()
        )


class SweepCharts(QWidget):
    """The measures chart (with its choice of measures) beside the grants chart."""

    #: The marks drawn changed (their key follows).
    marksChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sweep: Sweep | None = None
        self.measure_combo = QComboBox(self)
        self.measure_combo.setObjectName("sweepMeasureGroup")
        self.measure_combo.setAccessibleName(self.tr("Measures to draw"))
        self.measure_combo.setToolTip(self.tr("Which measures the chart draws"))
        for key, label, _keys in MEASURE_GROUPS:
            self.measure_combo.addItem(self.tr(label), key)
        self.measure_combo.currentIndexChanged.connect(lambda _i: self.draw(self.sweep))
        self.measures_chart = SweepChart("sweepMeasuresChart", self)
        self.measures_chart.setAccessibleName(self.tr("Measures against the setting"))
        self.grants_chart = SweepChart("sweepGrantsChart", self)
        self.grants_chart.setAccessibleName(self.tr("Each partner's grant against the setting"))
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(2)
        left_layout.addWidget(self.measures_chart, 1)
        self.measures_legend = ChartLegend(self.measures_chart, left)
        under = QHBoxLayout()
        under.setContentsMargins(0, 0, 0, 0)
        under.addWidget(self.measure_combo, 0, Qt.AlignmentFlag.AlignTop)
        under.addWidget(self.measures_legend, 1)
        left_layout.addLayout(under)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(2)
        right_layout.addWidget(self.grants_chart, 1)
        self.grants_legend = ChartLegend(self.grants_chart, right)
        right_layout.addWidget(self.grants_legend)
        self.splitter = splitter(
            "sweepChartsSplitter",
            Qt.Orientation.Horizontal,
            [left, right],
            sizes=(500, 500),
            parent=self,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        for chart in (self.measures_chart, self.grants_chart):
            chart.legendChanged.connect(self.marksChanged)

    def draw(self, sw: Sweep | None) -> None:
        """Draw ``sw`` (or say what to do when there is nothing to draw)."""
        self.sweep = sw
        if sw is None or not sw.steps:
            title = self.tr("Pick a setting and a range, then Run")
            if sw is not None:
                title = self.tr("No steps were worked out")
            self.measures_chart.show_lines(title, [], [], x_kind="", y_kind="", currency="GBP")
            self.grants_chart.show_lines(
                self.tr("Each partner's grant"), [], [], x_kind="", y_kind="", currency="GBP"
            )
            return
        steps = sw.steps
        xs = [s.value for s in steps]
        unmet = [k for k, s in enumerate(steps) if not s.ok]
        position = {s.index: k for k, s in enumerate(steps)}
        status_marks = [position[e.step] for e in sw.events if e.kind == "status"]

        group = self.measure_combo.currentData() or MEASURE_GROUPS[0][0]
        _key, group_label, keys = next(g for g in MEASURE_GROUPS if g[0] == group)
        labels = {k: label for k, label, _h, _t in MEASURE_ROWS}
        lines = [
            (self.tr(labels[k]), [None if s.measures is None else s.measures.get(k) for s in steps])
            for k in keys
        ]
        y_kind = "pct" if group == "shares" else ("gini" if group == "gini" else "ratio")
        marks = [
            (position[e.step], None)
            for e in sw.events
            if e.kind in ("starts", "stops") and e.partner is None
        ]
        self.measures_chart.show_lines(
            self.tr("{what} against {setting}").format(what=self.tr(group_label), setting=sw.words),
            xs,
            lines,
            x_kind=sw.kind,
            y_kind=y_kind,
            currency=sw.currency,
            marks=marks,
            unmet=unmet,
            status_marks=status_marks,
        )

        shown = [i for i, inc in enumerate(sw.included) if inc]
        line_of = {i: n for n, i in enumerate(shown)}
        grant_lines = [
            (
                sw.partners[i].name,
                [None if s.grants is None else float(s.grants[i]) for s in steps],
            )
            for i in shown
        ]
        grant_marks = [
            (position[e.step], line_of[e.partner])
            for e in sw.events
            if e.kind in ("starts", "stops") and e.partner in line_of
        ]
        self.grants_chart.show_lines(
            self.tr("Each partner's grant (all years) against {setting}").format(setting=sw.words),
            xs,
            grant_lines,
            x_kind=sw.kind,
            y_kind="money",
            currency=sw.currency,
            marks=grant_marks,
            unmet=unmet,
            status_marks=status_marks,
        )

    def mark_entries(self) -> list[LegendEntry]:
        """What the marks on both charts mean, each once."""
        seen: dict[str, LegendEntry] = {}
        for chart in (self.measures_chart, self.grants_chart):
            for entry in chart.mark_entries():
                seen.setdefault(entry[2], entry)
        return list(seen.values())

    def set_stale(self, stale: bool) -> None:
        self.measures_chart.set_stale(stale)
        self.grants_chart.set_stale(stale)


class SweepRunner(QObject):
    """Runs one sweep at a time in a worker thread with an engine of its own.

    The GUI thread only starts it, hears its progress (steps done, steps in all) and
    may cancel it; the sweep stops within the step it is solving. The runner owns its
    worker until the worker's thread has ended: its owner calls :meth:`shutdown` before
    it goes.
    """

    progressed = Signal(int, int)  # steps done, steps in all
    finished = Signal(object)  # the Sweep, complete or cancelled
    failed = Signal(str)

    def __init__(
        self, engine_factory: Callable[[], Engine] | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._engine_factory = engine_factory
        self._worker: TaskWorker | None = None
        self._cancel = threading.Event()
        self._cancel_asked_at: float | None = None
        self.last_cancel_seconds: float | None = None

    def is_running(self) -> bool:
        return self._worker is not None

    def cancelling(self) -> bool:
        return self._cancel.is_set()

    def start(
        self, project: Project, scenario: str, param: str, start: float, stop: float, steps: int
    ) -> None:
        factory = self._engine_factory
        cancel = threading.Event()
        self._cancel = cancel

        def work(report: Callable[[int, int], None]) -> Sweep:
            if factory is not None:
                engine = factory()
            else:
                from allocator.engine.solve import Engine

                engine = Engine()  # its own engine: an engine belongs to one thread
            return sweep(
                project,
                scenario,
                param,
                start,
                stop,
                steps,
                engine=engine,
                should_cancel=cancel.is_set,
                progress=report,
            )

        worker = TaskWorker(work)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        self._cancel_asked_at = None
        self.last_cancel_seconds = None
        worker.start()

    def cancel(self) -> bool:
        """Ask the running sweep to stop; False when none runs."""
        if self._worker is None:
            return False
        self._cancel.set()
        self._cancel_asked_at = time.perf_counter()
        return True

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Stop a running sweep and wait for its thread; False when none ran."""
        worker = self._worker
        if worker is None:
            return False
        self._cancel.set()
        worker.wait(timeout_ms)
        self._end_worker()
        return True

    def _end_worker(self) -> None:
        worker = self._worker
        self._worker = None
        if worker is not None:
            worker.wait(10000)
            worker.deleteLater()

    def _on_progress(self, done: int, total: int) -> None:
        if self._worker is not None:
            self.progressed.emit(done, total)

    def _on_finished(self, result: Sweep) -> None:
        if self._cancel_asked_at is not None:
            self.last_cancel_seconds = time.perf_counter() - self._cancel_asked_at
        self._end_worker()
        self.finished.emit(result)

    def _on_failed(self, message: str, _exc: object) -> None:
        self._end_worker()
        self.failed.emit(message)


class SweepView(QWidget):
    """The Sweep tab: one setting over a range, solved step by step in a worker thread."""

    sweepStarted = Signal()
    sweepFinished = Signal(object)  # the Sweep, complete or cancelled
    sweepFailed = Signal(str)
    progressed = Signal(int, int)  # steps done, steps in all

    def __init__(
        self,
        document: Document,
        parent: QWidget | None = None,
        *,
        engine_factory: Callable[[], Engine] | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("sweepView")
        self.setAccessibleName(self.tr("Sweep"))
        self.sweep: Sweep | None = None
        self.out_of_date = False
        self._basis: Basis = None
        self.runner = SweepRunner(engine_factory, self)
        self.runner.progressed.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self._running_basis: Basis = None
        self._step_words = self.tr("Step {done} of {total}")
        self.last_cancel_seconds: float | None = None

        self.request_row = SweepRequest(document, self)
        self.request_row.changed.connect(self._update_buttons)
        self.request_row.run_button.clicked.connect(self.run)
        self.scenario_combo = self.request_row.scenario_combo
        self.param_combo = self.request_row.param_combo
        self.from_spin = self.request_row.from_spin
        self.to_spin = self.request_row.to_spin
        self.steps_spin = self.request_row.steps_spin
        self.run_button = self.request_row.run_button
        self._build_progress()
        self._build_banner()
        self.charts = SweepCharts(self)
        self.measure_combo = self.charts.measure_combo
        self.measures_chart = self.charts.measures_chart
        self.grants_chart = self.charts.grants_chart
        self.measures_legend = self.charts.measures_legend
        self.grants_legend = self.charts.grants_legend
        self.lower_splitter = splitter(
            "sweepLowerSplitter",
            Qt.Orientation.Horizontal,
            [self._build_steps(), self._build_events()],
            stretch=(3, 1),
            sizes=(750, 250),
            parent=self,
        )
        self.splitter = splitter(
            "sweepSplitter",
            Qt.Orientation.Vertical,
            [self.charts, self.lower_splitter],
            stretch=(3, 2),
            sizes=(620, 380),
            parent=self,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.request_row)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        document.projectChanged.connect(self._on_project_changed)
        document.projectReset.connect(self._on_reset)
        document.currentScenarioChanged.connect(self._follow_current)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.request_row.fill_choices(self.document.current_scenario)
        self._show_idle()
        self._draw()

    # -- building ----------------------------------------------------------------------
    def _build_progress(self) -> None:
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancelSweepButton")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("sweepProgress")
        self.progress.setAccessibleName(self.tr("Sweep progress"))
        self.progress.setRange(0, DEFAULT_STEPS)
        self.progress.setTextVisible(True)
        self.progress_row = QWidget(self)
        running = QHBoxLayout(self.progress_row)
        running.setContentsMargins(0, 0, 0, 0)
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)

    def _build_banner(self) -> None:
        self.banner = QFrame(self)
        self.banner.setObjectName("sweepBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(6, 3, 3, 3)
        self.banner_label = QLabel(self.banner)
        self.banner_label.setObjectName("sweepBannerText")
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_button = QPushButton(self.tr("Run again"), self.banner)
        self.banner_button.setObjectName("sweepRunAgain")
        self.banner_button.clicked.connect(self.run_again)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.banner_button, 0, Qt.AlignmentFlag.AlignTop)
        self.banner.hide()

    def _build_steps(self) -> QWidget:
        """The table of steps, with Make this a scenario and Export under it."""
        self.model = SweepModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("sweepTable")
        self.table.setAccessibleName(self.tr("Steps of the sweep"))
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.make_button = QPushButton(self.tr("Make this a scenario"), self)
        self.make_button.setObjectName("makeScenarioButton")
        self.make_button.clicked.connect(self.make_scenario)
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.setObjectName("exportSweepButton")
        self.export_button.setToolTip(self.tr("Save the table of steps as a CSV file"))
        self.export_button.clicked.connect(self.export_csv)
        self.status = QLabel(self)
        self.status.setObjectName("sweepStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        steps_box = QWidget(self)
        steps_layout = QVBoxLayout(steps_box)
        steps_layout.setContentsMargins(0, 0, 0, 0)
        steps_layout.setSpacing(2)
        steps_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.make_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.status, 1)
        steps_layout.addLayout(buttons)
        return steps_box

    def _build_events(self) -> QWidget:
        """Where the split changes character, in words, with the key to the marks."""
        self.events = QListWidget(self)
        self.events.setObjectName("sweepEvents")
        self.events.setAccessibleName(self.tr("Where the split changes character"))
        self.events.setWordWrap(True)
        self.events.currentItemChanged.connect(self._on_event)
        events_box = QWidget(self)
        events_layout = QVBoxLayout(events_box)
        events_layout.setContentsMargins(0, 0, 0, 0)
        events_layout.setSpacing(2)
        events_title = QLabel(self.tr("Where it changes"), events_box)
        font = events_title.font()
        font.setBold(True)
        events_title.setFont(font)
        events_layout.addWidget(events_title)
        self.marks_key = QLabel(events_box)
        self.marks_key.setObjectName("sweepMarksKey")
        self.marks_key.setWordWrap(True)
        self.marks_key.setTextFormat(Qt.TextFormat.RichText)
        self.marks_key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        small = self.marks_key.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.marks_key.setFont(small)
        events_layout.addWidget(self.marks_key)
        events_layout.addWidget(self.events, 1)
        self.charts.marksChanged.connect(self._show_marks_key)
        return events_box

    # -- the request -------------------------------------------------------------------
    @property
    def scenario(self) -> str:
        return self.request_row.scenario

    @property
    def param(self) -> str:
        return self.request_row.param

    def set_request(
        self,
        scenario: str | None = None,
        param: str | None = None,
        start: float | None = None,
        stop: float | None = None,
        steps: int | None = None,
    ) -> None:
        """Fill in the request as a person would (values in the core's units)."""
        self.request_row.set_request(scenario, param, start, stop, steps)

    def request(self) -> tuple[str, str, float, float, int]:
        """(scenario, param, from, to, steps) as the core's ``sweep`` takes them."""
        return self.request_row.request()

    def _follow_current(self, name: str) -> None:
        if not self.is_running() and self.sweep is None:
            self.request_row.follow(name)

    # -- running -----------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.runner.is_running()

    def run(self) -> bool:
        """Start the sweep in a worker thread; False when the request is not runnable."""
        if self.is_running():
            return False
        scenario, param, start, stop, steps = self.request()
        if not scenario or not param or start == stop:
            return False
        project = self.document.project
        self._running_basis = sweep_basis(project, scenario)
        self.progress.setRange(0, steps)
        self.progress.setValue(0)
        self.progress.setFormat(self._step_words.format(done=0, total=steps))
        self.status.setText("")
        self.runner.start(project, scenario, param, start, stop, steps)
        self._show_running(True)
        self.sweepStarted.emit()
        return True

    def run_again(self) -> None:
        """Run the sweep on show again on the project as it is now."""
        if self.sweep is not None:
            i = self.scenario_combo.findData(self.sweep.scenario)
            if i >= 0:
                self.scenario_combo.setCurrentIndex(i)
        self.run()

    def cancel(self) -> None:
        """Ask the running sweep to stop; it stops within the step it is solving."""
        if not self.runner.cancel():
            return
        self.cancel_button.setEnabled(False)
        self.progress.setFormat(self.tr("Stopping…"))

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Stop a running sweep and wait for its thread (the window calls this on close)."""
        if self.runner.shutdown(timeout_ms):
            self._show_running(False)

    def _on_progress(self, done: int, total: int) -> None:
        """Steps done of steps in all, as the sweep counts them."""
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if not self.runner.cancelling():
            self.progress.setFormat(self._step_words.format(done=done, total=total))
        self.progressed.emit(done, total)

    def _on_finished(self, result: Sweep) -> None:
        self.last_cancel_seconds = self.runner.last_cancel_seconds
        self._show_running(False)
        self.show_sweep(result, self._running_basis)
        self.sweepFinished.emit(result)

    def _on_failed(self, message: str) -> None:
        self._show_running(False)
        self._say(self.tr("The sweep could not be run: {why}").format(why=message), again=False)
        self.sweepFailed.emit(message)

    # -- showing -----------------------------------------------------------------------
    def show_sweep(self, sw: Sweep, basis: Basis = None) -> None:
        """Show a finished (or cancelled) sweep: table, charts, events, banner.

        ``basis`` is what the project was when the sweep ran (``sweep_basis``; the
        project now when None): a sweep of another project is shown out of date.
        """
        self.sweep = sw
        now = sweep_basis(self.document.project, sw.scenario)
        self._basis = basis if basis is not None else now
        self.out_of_date = self._basis != now
        self.model.set_sweep(sw)
        self._fit_columns()
        self.events.clear()
        for e in sw.events:
            item = QListWidgetItem(e.words, self.events)
            item.setData(Qt.ItemDataRole.UserRole, e.step)
            item.setToolTip(e.words)
        if not sw.events and sw.steps:
            item = QListWidgetItem(
                self.tr("No rule starts or stops binding over this range."), self.events
            )
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        self._draw()
        self._update_banner()
        self._update_buttons()
        if self.model.rowCount():
            self.table.selectRow(0)

    def _update_banner(self) -> None:
        sw = self.sweep
        if sw is None:
            self.banner.hide()
            return
        parts = []
        again = False
        if sw.cancelled:
            parts.append(
                self.tr(
                    "Cancelled after {done} of {total} steps: the steps worked out so far."
                ).format(done=len(sw.steps), total=sw.count)
            )
            again = True
        if self.out_of_date:
            parts.append(
                self.tr(
                    "Out of date: the project has changed since this sweep ran. The figures "
                    "are for the project as it was."
                )
            )
            again = True
        unmet = [s for s in sw.steps if not s.ok]
        if unmet and not parts:
            parts.append(
                self.tr("'{name}' cannot be met at {n} of {total} steps (shaded).").format(
                    name=sw.scenario, n=len(unmet), total=len(sw.steps)
                )
            )
        if parts:
            self._say(" ".join(parts), again=again)
        else:
            self.banner.hide()
        self.charts.set_stale(self.out_of_date)

    def _say(self, text: str, again: bool) -> None:
        self.banner_label.setText(text)
        self.banner.setAccessibleDescription(text)
        self.banner_button.setVisible(again)
        self.banner.show()

    def _draw(self) -> None:
        self.charts.draw(self.sweep)

    def mark_words(self) -> list[str]:
        """What the marks on the charts mean, each once."""
        return [words for _g, _c, words in self.charts.mark_entries()]

    def _show_marks_key(self) -> None:
        entries = self.charts.mark_entries()
        self.marks_key.setText(legend_html(entries))
        self.marks_key.setAccessibleDescription("; ".join(self.mark_words()))
        self.marks_key.setVisible(bool(entries))

    def _fit_columns(self) -> None:
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        for c in range(self.model.columnCount()):
            lines = str(self.model.headerData(c, Qt.Orientation.Horizontal) or "").split("\n")
            texts = [str(self.model.index(r, c).data() or "") for r in range(self.model.rowCount())]
            widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
            label = max((metrics.horizontalAdvance(x) for x in lines), default=0)
            width = min(max(widest, label) + 18, 260)
            header.resizeSection(c, width)

    def _show_running(self, running: bool) -> None:
        self.request_row.set_running(running)
        self.cancel_button.setEnabled(running)
        self.progress_row.setVisible(running)
        self.banner_button.setEnabled(not running)
        self._update_buttons()

    def _show_idle(self) -> None:
        self._show_running(False)

    # -- following the project ---------------------------------------------------------
    def _on_project_changed(self, _old: Project, new: Project) -> None:
        self.request_row.fill_choices()
        if self.sweep is not None and not self.out_of_date:
            if self._basis != sweep_basis(new, self.sweep.scenario):
                self.out_of_date = True
                self._update_banner()
        self._update_buttons()

    def _on_reset(self) -> None:
        """A different project: nothing of the old sweep applies to it."""
        self.shutdown()
        self.sweep = None
        self.out_of_date = False
        self.model.set_sweep(None)
        self.events.clear()
        self.banner.hide()
        self.status.setText("")
        self.request_row.fill_choices(self.document.current_scenario)
        self.request_row.set_defaults()
        self._draw()

    def _on_event(
        self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None
    ) -> None:
        if item is None or self.sweep is None:
            return
        step = item.data(Qt.ItemDataRole.UserRole)
        for row, s in enumerate(self.sweep.steps):
            if s.index == step:
                self.table.selectRow(row)
                return

    # -- from a step back to the project -----------------------------------------------
    def selected_step(self) -> SweepStep | None:
        index = self.table.currentIndex()
        if self.sweep is None or not index.isValid():
            return None
        return self.sweep.steps[index.row()]

    def _update_buttons(self, *_args: object) -> None:
        sw = self.sweep
        step = self.selected_step()
        running = self.is_running()
        project_scope = sw is not None and sw.scope != "scenario"
        self.make_button.setText(
            self.tr("Apply to the project") if project_scope else self.tr("Make this a scenario")
        )
        self.make_button.setEnabled(step is not None and not running)
        if step is not None and sw is not None:
            if project_scope:
                tip = self.tr("Set {what} to {value} in the project (undoable)").format(
                    what=sw.words, value=step.shown
                )
            else:
                tip = self.tr("Add the scenario '{name}' (undoable)").format(
                    name=step_scenario_name(sw, step)
                )
        else:
            tip = self.tr("Pick a step in the table first")
        self.make_button.setToolTip(tip)
        self.export_button.setEnabled(sw is not None and bool(sw.steps) and not running)
        self.run_button.setEnabled(self.request_row.ready() and not running)

    def make_scenario(self) -> str | None:
        """The selected step as a new scenario (or, for the budget, set in the project):
        one undoable edit. Returns why it was refused, or None."""
        sw, step = self.sweep, self.selected_step()
        if sw is None or step is None:
            return None
        if sw.scope != "scenario":
            why = self.document.edit_with(
                lambda p: apply_step(p, sw, step),
                self.tr("Set {what} to {value}").format(what=sw.words, value=step.shown),
            )
            done = self.tr("Set {what} to {value}.").format(what=sw.words, value=step.shown)
        else:
            name = step_scenario_name(sw, step)
            why = self.document.edit_with(
                lambda p: make_scenario(p, sw, step),
                self.tr("Make scenario '{name}'").format(name=name),
            )
            done = self.tr("Added a scenario for {value}; Undo takes it away.").format(
                value=step.shown
            )
        self.status.setText(why or done)
        return why

    def export_csv(self) -> str | None:
        """Ask where, then write the table of steps as CSV in one step; the path or None."""
        sw = self.sweep
        if sw is None or not sw.steps:
            return None
        folder = (
            str(Path(self.document.path).parent)
            if self.document.path
            else QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        )
        stem = re.sub(r'[\\/:*?"<>|]+', "-", f"{sw.project} - {sw.words} sweep").strip(" .")
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the sweep"),
            str(Path(folder) / f"{stem}.csv"),
            self.tr("CSV files (*.csv);;All files (*)"),
        )
        if not path:
            return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".csv")
        try:
            write_csv(sw.to_csv_rows(), target)
        except (SaveError, OSError) as exc:
            QMessageBox.warning(
                self,
                self.tr("Export the sweep"),
                self.tr("The sweep could not be saved: {why}").format(why=str(exc)),
            )
            return None
        self.status.setText(self.tr("Saved {file}.").format(file=target.name))
        return str(target)
