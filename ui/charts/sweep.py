"""The sweep's charts: lines against the swept setting, with the points where a rule
starts or stops binding marked and the steps that cannot be met shaded."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAbstractSeries,
    QAreaSeries,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from allocator.domain.text import money
from ui.charts.base import LegendEntry, ThemedChartView, money_axis, nice_step, series_colour

#: Line styles cycled with the colours, so lines differ by more than colour.
PEN_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)

#: A line: its label and a y (or None where there is none) per x.
Line = tuple[str, Sequence[float | None]]


@dataclass(frozen=True)
class Plot:
    """Where the lines are drawn: the x of each step in the axis' units, the y scale and
    the y range, and the axes."""

    px: list[float]
    sy: float
    y_lo: float
    y_hi: float
    x_axis: QValueAxis
    y_axis: QValueAxis


class SweepChart(ThemedChartView):
    """Lines against the swept setting, with rule changes marked and the steps that
    cannot be met shaded."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        self._lines: list[tuple[QLineSeries, int]] = []
        self._markers: list[QScatterSeries] = []
        self._areas: list[QAreaSeries] = []
        self._bounds: list[QLineSeries] = []  # an area only borrows its edges: keep them
        self._currency = "GBP"
        self.line_labels: list[str] = []
        self.marker_points: list[tuple[float, float]] = []
        self.status_points: list[float] = []
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumHeight(120)

    def show_lines(
        self,
        title: str,
        xs: Sequence[float],
        lines: Sequence[Line],
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
        self._lines, self._markers, self._areas, self._bounds = [], [], [], []
        self.line_labels = [label for label, _ys in lines]
        self.marker_points, self.status_points = [], []
        self._currency = currency
        self.chart_.setTitle(title)
        if xs:
            plot = self._plot(xs, lines, x_kind, y_kind, currency)
            self._shade(plot, unmet)
            for k, (label, ys) in enumerate(lines):
                self._draw_line(plot, k, label, ys, x_kind, y_kind)
            self._ring(plot, xs, lines, marks)
            self._mark_status(plot, xs, status_marks)
            self.colour_axes()
            self.colour_series()
        self.legendChanged.emit()

    def _plot(
        self, xs: Sequence[float], lines: Sequence[Line], x_kind: str, y_kind: str, currency: str
    ) -> Plot:
        """The axes for these lines: shares in percent, money in money, the y range
        from zero for shares, money and the Gini, from one for a need ratio."""
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
        self.chart_.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        # the y axis rounds its range outwards: shade and marks go to its ends
        return Plot(px, sy, y_axis.min(), y_axis.max(), x_axis, y_axis)

    def _shade(self, plot: Plot, unmet: Sequence[int]) -> None:
        """Shade the steps that cannot be met, half a step either side."""
        px = plot.px
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
            upper.append([QPointF(left, plot.y_hi), QPointF(right, plot.y_hi)])
            lower.append([QPointF(left, plot.y_lo), QPointF(right, plot.y_lo)])
            area = QAreaSeries(upper, lower)
            self._bounds += [upper, lower]
            area.setName(self.tr("Cannot be met"))
            self._add(area, plot)
            self._areas.append(area)

    def _draw_line(
        self,
        plot: Plot,
        k: int,
        label: str,
        ys: Sequence[float | None],
        x_kind: str,
        y_kind: str,
    ) -> None:
        """One line, broken where it has no figure (a step that cannot be met)."""
        segments: list[list[QPointF]] = [[]]
        for x, y in zip(plot.px, ys, strict=True):
            if y is None or not math.isfinite(y):
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append(QPointF(x, y * plot.sy))
        for points in segments:
            if not points:
                continue
            series = QLineSeries()
            series.setName(label)
            series.append(points)
            series.setPointsVisible(len(plot.px) <= 40)
            series.hovered.connect(
                lambda point, on, lab=label: self._hovered(point, on, lab, x_kind, y_kind)
            )
            self._add(series, plot)
            self._lines.append((series, k))

    def _ring(
        self,
        plot: Plot,
        xs: Sequence[float],
        lines: Sequence[Line],
        marks: Sequence[tuple[int, int | None]],
    ) -> None:
        """Ring the points where a rule starts or stops binding."""
        if not marks:
            return
        scatter = QScatterSeries()
        scatter.setName(self.tr("A rule starts or stops binding"))
        scatter.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
        scatter.setMarkerSize(13)
        for step, line in marks:
            which = range(len(lines)) if line is None else [line]
            for k in which:
                y = lines[k][1][step]
                if y is not None and math.isfinite(y):
                    scatter.append(plot.px[step], y * plot.sy)
                    self.marker_points.append((xs[step], y))
        if scatter.count():
            self._add(scatter, plot)
            self._markers.append(scatter)

    def _mark_status(self, plot: Plot, xs: Sequence[float], status_marks: Sequence[int]) -> None:
        """A triangle on the x axis where the scenario stops or starts being possible."""
        if not status_marks:
            return
        scatter = QScatterSeries()
        scatter.setName(self.tr("Stops or starts being possible"))
        scatter.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeTriangle)
        scatter.setMarkerSize(14)
        for step in status_marks:
            scatter.append(plot.px[step], plot.y_lo)
            self.status_points.append(xs[step])
        self._add(scatter, plot)
        self._markers.append(scatter)

    def legend_entries(self) -> list[LegendEntry]:
        out: list[LegendEntry] = []
        seen: set[int] = set()
        for _series, k in self._lines:
            if k not in seen:
                seen.add(k)
                glyph = "━━" if k < 8 else "┅┅"
                out.append((glyph, series_colour(k, self.dark), self.line_labels[k]))
        return out

    def mark_entries(self) -> list[LegendEntry]:
        """The marks drawn on the lines (listed once, beside the events they mark)."""
        out: list[LegendEntry] = []
        text = self.palette().color(QPalette.ColorRole.Text)
        for scatter in self._markers:
            triangle = scatter.markerShape() == QScatterSeries.MarkerShape.MarkerShapeTriangle
            out.append(("△" if triangle else "○", text, scatter.name()))
        if self._areas:
            shade = self.palette().color(QPalette.ColorRole.Mid)
            out.append(("▇", shade, self.tr("Cannot be met")))
        return out

    def _add(self, series: QAbstractSeries, plot: Plot) -> None:
        self.chart_.addSeries(series)
        series.attachAxis(plot.x_axis)
        series.attachAxis(plot.y_axis)

    def _axis(self, lo: float, hi: float, kind: str, currency: str, x: bool) -> QValueAxis:
        """A value axis, or money on a category axis (itself a value axis)."""
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
        for series, k in self._lines:
            pen = QPen(series_colour(k, self.dark))
            pen.setWidthF(2.0)
            pen.setStyle(PEN_STYLES[(k // 8) % len(PEN_STYLES)] if k >= 8 else PEN_STYLES[0])
            series.setPen(pen)
        text = palette.color(QPalette.ColorRole.Text)
        for scatter in self._markers:
            scatter.setColor(QColor(0, 0, 0, 0))
            scatter.setBorderColor(text)
            pen = QPen(text)
            pen.setWidthF(2.0)
            scatter.setPen(pen)
        for area in self._areas:
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
            y = money(point.y(), self._currency)
        else:
            y = f"{point.y():.3f}"
        QToolTip.showText(QCursor.pos(), f"{label}\n{x}: {y}", self)
