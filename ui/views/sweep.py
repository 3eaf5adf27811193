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

import math
import re
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QAreaSeries, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
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
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from allocator.domain.fields import FieldSpec, spec_for
from allocator.domain.paths import FieldPath
from allocator.domain.text import currency_symbol, money, pct
from allocator.errors import SaveError, ValidationError
from allocator.report.sweep import (
    MAX_STEPS,
    SWEEP_PARAMS,
    Sweep,
    apply_step,
    make_scenario,
    step_scenario_name,
    sweep,
)
from ui.charts.base import (
    ChartLegend,
    ThemedChartView,
    legend_html,
    money_axis,
    nice_step,
    series_colour,
)
from ui.models.common import MEASURE_ROWS
from ui.models.compare_text import STATUS_WORDS, measure_text
from ui.state.workers import TaskWorker
from ui.widgets.layout import splitter

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the default parent: the table itself

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

#: Line styles cycled with the colours, so lines differ by more than colour.
PEN_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)

#: Workers kept alive until their thread has ended, even if their view goes first.
_KEEP: set[TaskWorker] = set()


def _tr(text: str) -> str:
    return QCoreApplication.translate("SweepView", text)


def is_share(spec: FieldSpec) -> bool:
    return spec.kind in ("share", "rate")


def param_choices(project: Any) -> list[tuple[str, str]]:
    """The settings the app offers to sweep, as (param for ``sweep``, label).

    The budget is the first year's grant, or one entry per year when the grant is
    given year by year.
    """
    out: list[tuple[str, str]] = []
    for param in SWEEP_PARAMS:
        if param == "budget.first_year":
            if project.budget.per_year is None:
                out.append((param, _tr("Budget: grant in the first year")))
            else:
                for k, year in enumerate(project.years):
                    out.append(
                        (f"budget.per_year[{k}]", _tr("Budget: grant for {year}").format(year=year))
                    )
            continue
        spec = spec_for(f"scenarios[].{param}")
        out.append((param, QCoreApplication.translate("fields", spec.label)))
    return out


def param_spec(project: Any, scenario: str, param: str) -> tuple[FieldSpec, Any, str]:
    """The field description of a swept setting, its current value and its scope."""
    names = [s.name for s in project.scenarios]
    if not param.startswith(("budget.", "partners[", "years.")) and scenario in names:
        path = f"scenarios[{names.index(scenario)}].{param}"
        return spec_for(path), FieldPath.parse(path).get(project), "scenario"
    return spec_for(param), FieldPath.parse(param).get(project), "project"


def default_range(spec: FieldSpec, current: Any) -> tuple[float, float]:
    """From and to for a new sweep: the field's bounds where it has them, around the
    current value where it does not; the current value always inside."""
    v = float(current) if isinstance(current, (int, float)) else None
    lo = spec.minimum
    hi = spec.maximum
    if spec.kind == "money":
        base = v if v else 1_000_000.0
        start, stop = base * 0.5, base * 1.5
    elif is_share(spec) and lo is not None and hi is not None:
        start, stop = max(lo, 0.0), hi
    elif spec.kind == "ratio":
        start = lo if lo is not None else 0.0
        stop = max(2.0 * (v or 0.0), start + (4.0 if start >= 1 else 2.0))
        if hi is not None:
            stop = min(stop, hi)
    else:
        start = lo if lo is not None else 0.0
        stop = hi if hi is not None else max(1.0, 2.0 * (v or 1.0))
    if v is not None:
        start, stop = min(start, v), max(stop, v)
    if spec.exclusive_min and lo is not None and start <= lo:
        start = lo + (1.0 if spec.kind == "money" else 0.01)
    return float(start), float(stop)


class UnitSpinBox(QDoubleSpinBox):
    """A number in the field's own units: percentages for shares, money in whole units."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec: FieldSpec | None = None
        self.setKeyboardTracking(False)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setAccelerated(True)

    def configure(self, spec: FieldSpec, currency: str) -> None:
        self.spec = spec
        lo = spec.minimum if spec.minimum is not None else 0.0
        hi = spec.maximum
        self.setPrefix("")
        self.setSuffix("")
        self.setGroupSeparatorShown(False)
        if is_share(spec):
            self.setDecimals(1)
            self.setSuffix("%")
            self.setRange(lo * 100, (hi if hi is not None else 1.0) * 100)
            self.setSingleStep(5.0)
        elif spec.kind == "money":
            self.setDecimals(0)
            symbol = currency_symbol(currency)
            if len(symbol) == 1:
                self.setPrefix(symbol)
            else:
                self.setSuffix(f" {symbol}")
            self.setGroupSeparatorShown(True)
            self.setRange(max(lo, 1.0 if spec.exclusive_min else lo), 1e12)
            self.setSingleStep(10_000)
        else:
            self.setDecimals(2)
            self.setRange(lo, hi if hi is not None else 100.0)
            self.setSingleStep(0.25 if (hi or 10) <= 10 else 1.0)

    def model_value(self) -> float:
        """The value in the core's units (a fraction for a share)."""
        v = self.value()
        if self.spec is not None and is_share(self.spec):
            return round(v / 100.0, 6)
        return float(v)

    def set_model_value(self, value: float) -> None:
        if self.spec is not None and is_share(self.spec):
            self.setValue(value * 100.0)
        else:
            self.setValue(value)


# ----------------------------------------------------------------------------------
# The table of steps
# ----------------------------------------------------------------------------------


class SweepModel(QAbstractTableModel):
    """One row per step solved: the value, whether it could be met, the measures, each
    partner's grant (over all years, fee excluded) and the rules that bind.

    ``UserRole`` gives the figures exactly as the core's ``Sweep.to_csv_rows`` has them.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.sweep: Sweep | None = None
        self._rows: list[list[Any]] = []
        self._header: list[Any] = []

    def set_sweep(self, sw: Sweep | None) -> None:
        self.beginResetModel()
        self.sweep = sw
        rows = sw.to_csv_rows() if sw is not None else []
        self._header = rows[0] if rows else []
        self._rows = rows[1:]
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._header)

    def _column(self, c: int) -> tuple[str, Any]:
        """What a column holds: ("value"|"status"|"measure"|"partner"|"rules", key)."""
        n_measures = len(MEASURE_ROWS)
        if c == 0:
            return "value", None
        if c == 1:
            return "status", None
        if c < 2 + n_measures:
            return "measure", MEASURE_ROWS[c - 2][0]
        if c == len(self._header) - 1:
            return "rules", None
        return "partner", c - 2 - n_measures

    def step(self, row: int) -> Any:
        return self.sweep.steps[row] if self.sweep is not None else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.sweep is None:
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._rows) and 0 <= c < len(self._header)):
            return None
        value = self._rows[r][c]
        kind, key = self._column(c)
        step = self.sweep.steps[r]
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if kind == "value":
                return step.shown
            if kind == "status":
                return _tr(STATUS_WORDS.get(step.status, step.status))
            if kind == "rules":
                return value
            if value is None:
                return "–"
            if kind == "measure":
                return measure_text(key, value)
            return money(value, self.sweep.currency)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind in ("status", "rules"):
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if kind == "status" and not step.ok:
                return step.message or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if not step.ok and kind not in ("value", "status"):
                return QApplication.palette().brush(
                    QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
                )
            return None
        if role == Qt.ItemDataRole.FontRole and kind == "status" and not step.ok:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self._header) or self.sweep is None:
            return None
        kind, key = self._column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return "\n".join(textwrap.wrap(self.header_label(section), 14))
        if role == Qt.ItemDataRole.ToolTipRole:
            if kind == "measure":
                return _tr(next(t for k, _l, _h, t in MEASURE_ROWS if k == key))
            if kind == "partner":
                return _tr("{partner}: grant over all years (the fee not included)").format(
                    partner=self.sweep.partners[key].name
                )
        return None

    def header_label(self, section: int) -> str:
        """A column's heading on one line."""
        kind, key = self._column(section)
        if self.sweep is None:
            return ""
        if kind == "value":
            return QCoreApplication.translate("fields", self.sweep.label)
        if kind == "status":
            return _tr("Can it be met?")
        if kind == "measure":
            return _tr(next(label for k, label, _h, _t in MEASURE_ROWS if k == key))
        if kind == "rules":
            return _tr("Rules that bind")
        return self.sweep.partners[key].name


# ----------------------------------------------------------------------------------
# The charts
# ----------------------------------------------------------------------------------


class SweepChart(ThemedChartView):
    """Lines against the swept setting, with rule changes marked and the steps that
    cannot be met shaded."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        self._lines: list[tuple[QLineSeries, int]] = []
        self._markers: list[QScatterSeries] = []
        self._areas: list[QAreaSeries] = []
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumHeight(120)
        self.line_labels: list[str] = []
        self.marker_points: list[tuple[float, float]] = []
        self.status_points: list[float] = []

    def show_lines(
        self,
        title: str,
        xs: Sequence[float],
        lines: Sequence[tuple[str, Sequence[float | None]]],
        *,
        x_kind: str,
        y_kind: str,
        currency: str,
        marks: Sequence[tuple[int, int | None]] = (),
        unmet: Sequence[int] = (),
        status_marks: Sequence[int] = (),
    ) -> None:
        """Draw ``lines`` (label, a y or None per x). ``marks`` are (step, line or None
        for every line) points to ring; ``unmet`` the steps that could not be met."""
        self.clear_chart()
        self._lines, self._markers, self._areas = [], [], []
        self._bounds: list[QLineSeries] = []
        self.line_labels = [label for label, _ys in lines]
        self.marker_points, self.status_points = [], []
        self.chart_.setTitle(title)
        if not xs:
            self.legendChanged.emit()
            return
        sx = 100.0 if x_kind in ("share", "rate") else 1.0
        sy = 100.0 if y_kind == "pct" else 1.0
        px = [x * sx for x in xs]
        ys_all = [y * sy for _l, ys in lines for y in ys if y is not None and math.isfinite(y)]
        y_lo = min(ys_all, default=0.0)
        y_hi = max(ys_all, default=1.0)
        if y_kind in ("pct", "money", "gini"):
            y_lo = min(0.0, y_lo)
        if y_kind == "ratio":
            y_lo = min(1.0, y_lo)
        if y_hi <= y_lo:
            y_hi = y_lo + (1.0 if y_kind != "money" else 1000.0)

        x_axis = self._axis(min(px), max(px), x_kind, currency, x=True)
        y_axis = self._axis(y_lo, y_hi, y_kind, currency, x=False)
        if isinstance(y_axis, QValueAxis):
            y_lo, y_hi = y_axis.min(), y_axis.max()
        else:
            y_lo, y_hi = y_axis.min(), y_axis.max()
        self.chart_.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        # shade the steps that cannot be met, half a step either side
        half = (px[1] - px[0]) / 2 if len(px) > 1 else 0.5
        runs: list[tuple[int, int]] = []
        for k in unmet:
            if runs and runs[-1][1] == k - 1:
                runs[-1] = (runs[-1][0], k)
            else:
                runs.append((k, k))
        for a, b in runs:
            upper, lower = QLineSeries(), QLineSeries()
            left, right = max(px[0], px[a] - half), min(px[-1], px[b] + half)
            upper.append([QPointF(left, y_hi), QPointF(right, y_hi)])
            lower.append([QPointF(left, y_lo), QPointF(right, y_lo)])
            area = QAreaSeries(upper, lower)
            self._bounds += [upper, lower]  # the area only borrows its edges: keep them
            area.setName(self.tr("Cannot be met"))
            self._add(area, x_axis, y_axis)
            self._areas.append(area)

        for k, (label, ys) in enumerate(lines):
            segments: list[list[QPointF]] = [[]]
            for x, y in zip(px, ys, strict=True):
                if y is None or not math.isfinite(y):
                    if segments[-1]:
                        segments.append([])
                    continue
                segments[-1].append(QPointF(x, y * sy))
            for points in segments:
                if not points:
                    continue
                series = QLineSeries()
                series.setName(label)
                series.append(points)
                series.setPointsVisible(len(px) <= 40)
                series.hovered.connect(
                    lambda point, on, lab=label: self._hovered(point, on, lab, x_kind, y_kind)
                )
                self._add(series, x_axis, y_axis)
                self._lines.append((series, k))

        if marks:
            scatter = QScatterSeries()
            scatter.setName(self.tr("A rule starts or stops binding"))
            scatter.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
            scatter.setMarkerSize(13)
            for step, line in marks:
                which = range(len(lines)) if line is None else [line]
                for k in which:
                    y = lines[k][1][step]
                    if y is not None and math.isfinite(y):
                        scatter.append(px[step], y * sy)
                        self.marker_points.append((xs[step], y))
            if scatter.count():
                self._add(scatter, x_axis, y_axis)
                self._markers.append(scatter)
        if status_marks:
            scatter = QScatterSeries()
            scatter.setName(self.tr("Stops or starts being possible"))
            scatter.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeTriangle)
            scatter.setMarkerSize(14)
            for step in status_marks:
                scatter.append(px[step], y_lo)
                self.status_points.append(xs[step])
            self._add(scatter, x_axis, y_axis)
            self._markers.append(scatter)
        self.colour_axes()
        self.colour_series()
        self.legendChanged.emit()

    def legend_entries(self) -> list[tuple[str, QColor, str]]:
        out: list[tuple[str, QColor, str]] = []
        seen: set[int] = set()
        for _series, k in getattr(self, "_lines", []):
            if k not in seen:
                seen.add(k)
                glyph = "━━" if k < 8 else "┅┅"
                out.append((glyph, series_colour(k, self.dark), self.line_labels[k]))
        return out

    def mark_entries(self) -> list[tuple[str, QColor, str]]:
        """The marks drawn on the lines (listed once, beside the events they mark)."""
        out: list[tuple[str, QColor, str]] = []
        text = self.palette().color(QPalette.ColorRole.Text)
        for scatter in getattr(self, "_markers", []):
            triangle = scatter.markerShape() == QScatterSeries.MarkerShape.MarkerShapeTriangle
            out.append(("△" if triangle else "○", text, scatter.name()))
        if getattr(self, "_areas", []):
            shade = self.palette().color(QPalette.ColorRole.Mid)
            out.append(("▇", shade, self.tr("Cannot be met")))
        return out

    def _add(self, series: Any, x_axis: Any, y_axis: Any) -> None:
        self.chart_.addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    def _axis(self, lo: float, hi: float, kind: str, currency: str, x: bool) -> Any:
        if kind == "money":
            return money_axis(lo, hi, currency, compact=True, ticks=4)
        axis = QValueAxis()
        axis.setRange(lo, hi if hi > lo else lo + 1)
        if kind in ("pct", "share", "rate"):
            axis.setLabelFormat("%.0f%%")
        elif kind == "gini":
            axis.setLabelFormat("%.3f")
        else:
            axis.setLabelFormat("%.2f" if (hi - lo) < 5 else "%.1f")
        if x:
            # the exact range swept, with ticks on round values inside it
            span = hi - lo if hi > lo else 1.0
            axis.setTickType(QValueAxis.TickType.TicksDynamic)
            axis.setTickAnchor(0.0)
            axis.setTickInterval(nice_step(span, 5))
            if kind in ("pct", "share", "rate") and axis.tickInterval() < 1:
                axis.setLabelFormat("%.1f%%")
        else:
            axis.applyNiceNumbers()
        return axis

    def colour_series(self) -> None:
        palette = self.palette()
        for series, k in getattr(self, "_lines", []):
            pen = QPen(series_colour(k, self.dark))
            pen.setWidthF(2.0)
            pen.setStyle(PEN_STYLES[(k // 8) % len(PEN_STYLES)] if k >= 8 else PEN_STYLES[0])
            series.setPen(pen)
        text = palette.color(QPalette.ColorRole.Text)
        for scatter in getattr(self, "_markers", []):
            scatter.setColor(QColor(0, 0, 0, 0))
            scatter.setBorderColor(text)
            pen = QPen(text)
            pen.setWidthF(2.0)
            scatter.setPen(pen)
        for area in getattr(self, "_areas", []):
            shade = palette.color(QPalette.ColorRole.Text)
            shade.setAlpha(38)
            area.setBrush(QBrush(shade))
            area.setPen(QPen(Qt.PenStyle.NoPen))
            area.setColor(shade)

    def _hovered(self, point: QPointF, on: bool, label: str, x_kind: str, y_kind: str) -> None:
        if not on:
            QToolTip.hideText()
            return
        x = f"{point.x():.1f}%" if x_kind in ("share", "rate") else f"{point.x():,.2f}"
        if y_kind == "pct":
            y = f"{point.y():.1f}%"
        elif y_kind == "money":
            y = money(point.y(), getattr(self, "_currency", "GBP"))
        else:
            y = f"{point.y():.3f}"
        QToolTip.showText(QCursor.pos(), f"{label}\n{x}: {y}", self)


# ----------------------------------------------------------------------------------
# The view
# ----------------------------------------------------------------------------------


class SweepView(QWidget):
    """The Sweep tab: one setting over a range, solved step by step in a worker thread."""

    sweepStarted = Signal()
    sweepFinished = Signal(object)  # the Sweep, complete or cancelled
    sweepFailed = Signal(str)
    progressed = Signal(int, int)  # steps done, steps in all

    def __init__(
        self,
        document: Any,
        parent: QWidget | None = None,
        *,
        engine_factory: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("sweepView")
        self.setAccessibleName(self.tr("Sweep"))
        self._engine_factory = engine_factory
        self.sweep: Sweep | None = None
        self.out_of_date = False
        self._basis: Any = None
        self._worker: TaskWorker | None = None
        self._cancel = threading.Event()
        self._running_basis: Any = None
        self._total = 0
        self._cancel_asked_at: float | None = None
        self.last_cancel_seconds: float | None = None

        # -- the request ---------------------------------------------------------------
        self.scenario_combo = QComboBox(self)
        self.scenario_combo.setObjectName("sweepScenario")
        self.scenario_combo.setAccessibleName(self.tr("Scenario to sweep"))
        self.scenario_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.scenario_combo.setMinimumContentsLength(18)
        self.scenario_combo.currentIndexChanged.connect(self._on_request_changed)
        self.param_combo = QComboBox(self)
        self.param_combo.setObjectName("sweepParameter")
        self.param_combo.setAccessibleName(self.tr("Setting to vary"))
        self.param_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.param_combo.setMinimumContentsLength(20)
        self.param_combo.currentIndexChanged.connect(self._on_request_changed)
        self.from_spin = UnitSpinBox(self)
        self.from_spin.setObjectName("sweepFrom")
        self.from_spin.setAccessibleName(self.tr("From"))
        self.to_spin = UnitSpinBox(self)
        self.to_spin.setObjectName("sweepTo")
        self.to_spin.setAccessibleName(self.tr("To"))
        self.steps_spin = QSpinBox(self)
        self.steps_spin.setObjectName("sweepSteps")
        self.steps_spin.setAccessibleName(self.tr("Steps"))
        self.steps_spin.setRange(2, APP_MAX_STEPS)
        self.steps_spin.setValue(DEFAULT_STEPS)
        self.steps_spin.setToolTip(self.tr("How many values to solve, both ends included"))
        for spin in (self.from_spin, self.to_spin):
            spin.valueChanged.connect(self._update_buttons)
        self.run_button = QPushButton(self.tr("Run"), self)
        self.run_button.setObjectName("runSweepButton")
        self.run_button.setDefault(True)
        self.run_button.setToolTip(self.tr("Solve the scenario at each step"))
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancelSweepButton")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("sweepProgress")
        self.progress.setAccessibleName(self.tr("Sweep progress"))
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)

        request = QHBoxLayout()
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
        self.progress_row = QWidget(self)
        running = QHBoxLayout(self.progress_row)
        running.setContentsMargins(0, 0, 0, 0)
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)

        # -- the banner ----------------------------------------------------------------
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

        # -- the charts ----------------------------------------------------------------
        self.measure_combo = QComboBox(self)
        self.measure_combo.setObjectName("sweepMeasureGroup")
        self.measure_combo.setAccessibleName(self.tr("Measures to draw"))
        self.measure_combo.setToolTip(self.tr("Which measures the chart draws"))
        for key, label, _keys in MEASURE_GROUPS:
            self.measure_combo.addItem(self.tr(label), key)
        self.measure_combo.currentIndexChanged.connect(lambda _i: self._draw())
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
        self.charts = splitter(
            "sweepChartsSplitter",
            Qt.Orientation.Horizontal,
            [left, right],
            sizes=(500, 500),
            parent=self,
        )

        # -- the steps and the events --------------------------------------------------
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
        for chart in (self.measures_chart, self.grants_chart):
            chart.legendChanged.connect(self._show_marks_key)

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
        self.lower = splitter(
            "sweepLowerSplitter",
            Qt.Orientation.Horizontal,
            [steps_box, events_box],
            stretch=(3, 1),
            sizes=(750, 250),
            parent=self,
        )
        self.splitter = splitter(
            "sweepSplitter",
            Qt.Orientation.Vertical,
            [self.charts, self.lower],
            stretch=(3, 2),
            sizes=(620, 380),
            parent=self,
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(request)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        document.projectChanged.connect(self._on_project_changed)
        document.projectReset.connect(self._on_reset)
        document.currentScenarioChanged.connect(self._follow_current)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._fill_choices(self.document.current_scenario)
        self._show_idle()
        self._draw()

    # -- the request -------------------------------------------------------------------
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

    def _fill_choices(self, scenario: str | None = None) -> None:
        """The scenario and setting lists from the project, keeping what was picked.

        The range typed in stays unless the scenario or setting picked has to change
        (it was removed), so adding a scenario never resets what a person typed.
        """
        project = self.document.project
        before = (self.scenario, self.param)
        keep_scenario = scenario or self.scenario
        names = [s.name for s in project.scenarios]
        choices = param_choices(project)
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
            self._set_defaults()

    def _set_defaults(self) -> None:
        """Units and range for the setting picked, from its bounds and current value."""
        project = self.document.project
        if not self.scenario or not self.param:
            return
        try:
            spec, current, _scope = param_spec(project, self.scenario, self.param)
        except (KeyError, LookupError, ValidationError):
            return
        start, stop = default_range(spec, current)
        for spin, value in ((self.from_spin, start), (self.to_spin, stop)):
            spin.blockSignals(True)
            spin.configure(spec, project.currency)
            spin.set_model_value(value)
            spin.blockSignals(False)
        now = "" if current is None else self._shown(spec, current)
        tip = self.tr("{help} Now: {value}.").format(help=spec.help, value=now or self.tr("blank"))
        self.param_combo.setToolTip(tip.strip())
        self._update_buttons()

    def _shown(self, spec: FieldSpec, value: Any) -> str:
        if is_share(spec):
            return pct(value, 1)
        if spec.kind == "money":
            return money(value, self.document.project.currency)
        return f"{value:.4g}"

    def _on_request_changed(self, _index: int) -> None:
        self._set_defaults()

    def _follow_current(self, name: str) -> None:
        if self.is_running() or self.sweep is not None:
            return
        i = self.scenario_combo.findData(name)
        if i >= 0 and i != self.scenario_combo.currentIndex():
            self.scenario_combo.setCurrentIndex(i)

    # -- running -----------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._worker is not None

    def run(self) -> bool:
        """Start the sweep in a worker thread; False when the request is not runnable."""
        if self.is_running():
            return False
        scenario, param, start, stop, steps = self.request()
        if not scenario or not param or start == stop:
            return False
        project = self.document.project
        factory = self._engine_factory
        cancel = threading.Event()
        self._cancel = cancel
        step_words = self.tr("Step {done} of {total}")

        def work(report: Callable[[int, str], None]) -> Sweep:
            if factory is not None:
                engine = factory()
            else:
                from allocator.engine.solve import Engine

                engine = Engine()  # its own engine: an engine belongs to one thread

            def progress(done: int, total: int) -> None:
                report(round(100 * done / total) if total else 0, f"{done}/{total}")

            return sweep(
                project,
                scenario,
                param,
                start,
                stop,
                steps,
                engine=engine,
                should_cancel=cancel.is_set,
                progress=progress,
            )

        worker = TaskWorker(work)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        _KEEP.add(worker)
        self._running_basis = _basis(project, scenario)
        self._total = steps
        self._step_words = step_words
        self._cancel_asked_at = None
        self.progress.setValue(0)
        self.progress.setFormat(step_words.format(done=0, total=steps))
        self.status.setText("")
        self._show_running(True)
        worker.start()
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
        if self._worker is None:
            return
        self._cancel.set()
        self._cancel_asked_at = time.perf_counter()
        self.cancel_button.setEnabled(False)
        self.progress.setFormat(self.tr("Stopping…"))

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Stop a running sweep and wait for its thread (the window calls this on close)."""
        worker = self._worker
        if worker is None:
            return
        self._cancel.set()
        worker.wait(timeout_ms)
        self._end_worker()

    def _end_worker(self) -> None:
        worker = self._worker
        self._worker = None
        if worker is not None:
            worker.wait(10000)
            _KEEP.discard(worker)
            worker.deleteLater()
        self._show_running(False)

    def _on_progress(self, percent: int, text: str) -> None:
        if self._worker is None:
            return
        done, _, total = text.partition("/")
        try:
            d, t = int(done), int(total)
        except ValueError:
            return
        self.progress.setValue(percent)
        if not self._cancel.is_set():
            self.progress.setFormat(self._step_words.format(done=d, total=t))
        self.progressed.emit(d, t)

    def _on_finished(self, result: Any) -> None:
        if self._cancel_asked_at is not None:
            self.last_cancel_seconds = time.perf_counter() - self._cancel_asked_at
        self._end_worker()
        self.show_sweep(result, self._running_basis)
        self.sweepFinished.emit(result)

    def _on_failed(self, message: str, _exc: Any) -> None:
        self._end_worker()
        self._say(self.tr("The sweep could not be run: {why}").format(why=message), again=False)
        self.sweepFailed.emit(message)

    # -- showing -----------------------------------------------------------------------
    def show_sweep(self, sw: Sweep, basis: Any = None) -> None:
        """Show a finished (or cancelled) sweep: table, charts, events, banner."""
        self.sweep = sw
        self._basis = basis if basis is not None else _basis(self.document.project, sw.scenario)
        self.out_of_date = self._basis != _basis(self.document.project, sw.scenario)
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
        stale = self.out_of_date
        self.measures_chart.set_stale(stale)
        self.grants_chart.set_stale(stale)

    def _say(self, text: str, again: bool) -> None:
        self.banner_label.setText(text)
        self.banner.setAccessibleDescription(text)
        self.banner_button.setVisible(again)
        self.banner.show()

    def _draw(self) -> None:
        sw = self.sweep
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
        self.grants_chart._currency = sw.currency
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

    def mark_words(self) -> list[str]:
        """What the marks on the charts mean, each once."""
        return [words for _g, _c, words in self._mark_entries()]

    def _mark_entries(self) -> list[tuple[str, QColor, str]]:
        seen: dict[str, tuple[str, QColor, str]] = {}
        for chart in (self.measures_chart, self.grants_chart):
            for entry in chart.mark_entries():
                seen.setdefault(entry[2], entry)
        return list(seen.values())

    def _show_marks_key(self) -> None:
        entries = self._mark_entries()
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
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress_row.setVisible(running)
        for w in (self.scenario_combo, self.param_combo, self.from_spin, self.to_spin):
            w.setEnabled(not running)
        self.steps_spin.setEnabled(not running)
        self.banner_button.setEnabled(not running)
        self._update_buttons()

    def _show_idle(self) -> None:
        self._show_running(False)

    # -- following the project ---------------------------------------------------------
    def _on_project_changed(self, _old: Any, new: Any) -> None:
        self._fill_choices()
        if self.sweep is not None and not self.out_of_date:
            if self._basis != _basis(new, self.sweep.scenario):
                self.out_of_date = True
                self._update_banner()
        self._update_buttons()

    def _on_reset(self) -> None:
        """A different project: nothing of the old sweep applies to it."""
        if self._worker is not None:
            self._cancel.set()
            self._worker.wait(10000)
            self._end_worker()
        self.sweep = None
        self.out_of_date = False
        self.model.set_sweep(None)
        self.events.clear()
        self.banner.hide()
        self.status.setText("")
        self._fill_choices(self.document.current_scenario)
        self._set_defaults()
        self._draw()

    def _on_event(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is None or self.sweep is None:
            return
        step = item.data(Qt.ItemDataRole.UserRole)
        for row, s in enumerate(self.sweep.steps):
            if s.index == step:
                self.table.selectRow(row)
                return

    # -- from a step back to the project -----------------------------------------------
    def selected_step(self) -> Any:
        index = self.table.currentIndex()
        if self.sweep is None or not index.isValid():
            return None
        return self.sweep.steps[index.row()]

    def _update_buttons(self, *_args: Any) -> None:
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
        ready = bool(self.scenario and self.param) and (
            self.from_spin.value() != self.to_spin.value()
        )
        self.run_button.setEnabled(ready and not running)

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
            if getattr(self.document, "path", None)
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
        from allocator.formats.csvfile import write_csv

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


def _basis(project: Any, scenario: str) -> Any:
    """What a sweep's figures depend on: everything but the other scenarios and the name.

    Adding a scenario (as "Make this a scenario" does) leaves a sweep current; a change
    to a partner, the budget, the years or the swept scenario makes it out of date.
    """
    found = next((s for s in project.scenarios if s.name == scenario), None)
    if found is None:
        return None
    return (
        project.currency,
        project.start_year,
        project.year_count,
        project.budget,
        project.partners,
        found,
    )
