"""The comparison chart: what each partner receives in each scenario, beside the baseline.

It draws the compare table's own figures (the model reads them from the core's
comparison), so chart and table always agree.
"""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QHorizontalBarSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QCursor
from PySide6.QtWidgets import QToolTip, QWidget

from allocator.domain.text import money
from ui.charts.base import (
    BASELINE_COLOUR,
    LegendEntry,
    ThemedChartView,
    money_axis,
    series_colour,
)
from ui.models.compare import COL_AMOUNT, ROW_PARTNER, CompareModel


class CompareChart(ThemedChartView):
    """Grouped bars: what each partner receives in each scenario, beside the baseline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        # set, colour index (-1: the baseline), out of date
        self._sets: list[tuple[QBarSet, int, bool]] = []
        self._labels: list[str] = []
        self._currency = "GBP"
        super().__init__(parent)
        self.setObjectName("compareChart")
        self.setAccessibleName(self.tr("Chart of each partner's grant per scenario"))
        self.setMinimumHeight(130)

    def categories(self) -> list[str]:
        return list(self._labels)

    def values(self) -> dict[str, list[float]]:
        """The figures of each bar set, by its legend label, partners top to bottom."""
        return {
            s.label(): [s.at(i) for i in reversed(range(s.count()))] for s, _k, _st in self._sets
        }

    def show_comparison(self, model: CompareModel) -> None:
        """Rebuild the bars from the table's figures (the chart reads the same numbers)."""
        self.clear_chart()
        self._sets = []
        c = model.comparison
        rows = [r for r in range(model.rowCount()) if model.row_kind(r) == ROW_PARTNER]
        self._labels = [model.row_label(r) for r in rows]
        if c is None or not rows:
            self.chart_.setTitle(self.tr("Nothing to compare yet"))
            self.legendChanged.emit()
            return
        self._currency = c.currency
        self._sets = self._bar_sets(model, rows)
        top = max((s.at(i) for s, _k, _st in self._sets for i in range(s.count())), default=0.0)
        series = QHorizontalBarSeries()
        series.setBarWidth(0.85)
        # Qt draws the first category and set at the bottom: feed both reversed, so the
        # first partner is at the top and the baseline leads each group.
        for bar_set, _k, _stale in reversed(self._sets):
            series.append(bar_set)
        self.chart_.addSeries(series)
        axis = QBarCategoryAxis()
        axis.append(list(reversed(self._labels)))
        self.chart_.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis)
        values = money_axis(0, max(top, 0.0), c.currency)
        self.leave_room_for(money(values.max(), c.currency))
        self.chart_.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        self.chart_.setTitle(self.tr("What each partner receives, all years"))
        self.set_categories(axis, len(self._labels))
        self.colour_axes()
        self.colour_series()
        self.legendChanged.emit()

    def _bar_sets(self, model: CompareModel, rows: list[int]) -> list[tuple[QBarSet, int, bool]]:
        """The baseline's bars (when it has a column and its figures) then each scenario's."""
        c = model.comparison
        sets: list[tuple[QBarSet, int, bool]] = []
        if c is None:
            return sets
        if model.show_baseline_column and c.baseline_received is not None:
            if not model.baseline_pending:
                figures = [_number(model.value(r, 1)) for r in rows]
                sets.append((self._bar_set(model.header_text(1), figures), -1, False))
        for k, name in enumerate(model.names):
            s = next((x for x in c.scenarios if x.name == name), None)
            if s is None or not s.ok:
                continue
            figures = [_number(model.figure(r, COL_AMOUNT, name)) for r in rows]
            stale = name in model.stale
            label = name + (self.tr(" (out of date)") if stale else "")
            sets.append((self._bar_set(label, figures), k, stale))
        return sets

    def legend_entries(self) -> list[LegendEntry]:
        return [("■", self._colour(k), s.label()) for s, k, _stale in self._sets]

    def _colour(self, k: int) -> QColor:
        if k < 0:
            return QColor(BASELINE_COLOUR[1 if self.dark else 0])
        return series_colour(k, self.dark)

    def _bar_set(self, label: str, figures: list[float]) -> QBarSet:
        bar_set = QBarSet(label)
        bar_set.append([float(v) for v in reversed(figures)])
        bar_set.hovered.connect(lambda on, i, b=bar_set: self._hovered(on, i, b))
        return bar_set

    def colour_series(self) -> None:
        for bar_set, k, stale in self._sets:
            colour = self._colour(k)
            if stale:
                colour.setAlpha(90)
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour)

    def _hovered(self, on: bool, index: int, bar_set: QBarSet) -> None:
        if not on or not 0 <= index < len(self._labels):
            QToolTip.hideText()
            return
        partner = self._labels[len(self._labels) - 1 - index]
        QToolTip.showText(
            QCursor.pos(),
            self.tr("{partner}\n{what}: {amount}").format(
                partner=partner,
                what=bar_set.label(),
                amount=money(bar_set.at(index), self._currency),
            ),
            self,
        )


def _number(value: int | float | str | None) -> float:
    """A bar's length: the figure, or nothing where there is none."""
    return float(value) if isinstance(value, (int, float)) else 0.0
