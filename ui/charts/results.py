"""The results chart: each partner's grant beside its fair share and beside what a
size-proportional split of the same budget would give it.

The chart only shows figures from the document's result; it computes nothing. It is
updated in place while the shape of the result stays the same (the same partners),
so dragging a slider moves bars instead of rebuilding the chart, and it follows the
system palette, dark mode included.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
)
from PySide6.QtCore import QCoreApplication, QEvent, QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from allocator.domain.text import money

#: The bar sets, in the order they appear beside each partner.
GRANT = "grant"
FEE = "fee"
FAIR_SHARE = "fair_share"
SIZE_PROPORTIONAL = "size_proportional"

#: How transparent the chart is while its figures are out of date.
STALE_OPACITY = 0.4

#: The smallest partner-name font, in pixels, before names give way to "...".
MIN_LABEL_PIXELS = 8

#: Above this many partners the bars would be slivers: the chart shows the largest
#: grants only (SHOWN_WHEN_MANY of them) and says what the others share.
MANY_PARTNERS = 60
SHOWN_WHEN_MANY = 40

#: Colours that stay apart for common colour blindness (Okabe-Ito), light and dark.
COLOURS = {
    GRANT: ("#0072B2", "#56B4E9"),
    FEE: ("#CC79A7", "#CC79A7"),
    FAIR_SHARE: ("#E69F00", "#E69F00"),
    SIZE_PROPORTIONAL: ("#7F7F7F", "#BBBBBB"),
}


def is_dark(palette: QPalette | None = None) -> bool:
    """True for a dark palette (the window colour is dark)."""
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def theme_chart(view: QChartView, chart: QChart, bold_title: bool = False) -> bool:
    """Light or dark chart to match the view's palette: theme, background, title and
    legend text. Returns True for a dark palette; the caller colours its series and axes."""
    palette = view.palette()
    dark = is_dark(palette)
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
    base = palette.base()
    chart.setBackgroundBrush(base)
    view.setBackgroundBrush(base)
    chart.setBackgroundRoundness(0)
    text = palette.color(QPalette.ColorRole.Text)
    title = QFont(view.font())
    title.setBold(bold_title)
    chart.setTitleFont(title)
    chart.setTitleBrush(palette.text())
    chart.legend().setLabelColor(text)
    chart.legend().setFont(view.font())
    return dark


def _tr(text: str) -> str:
    return QCoreApplication.translate("ResultsChart", text)


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if top <= 0 or not math.isfinite(top):
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def shown_partners(result: Any) -> tuple[list[Any], int, float]:
    """The partners the chart shows, how many it leaves out and what those get in all.

    Up to MANY_PARTNERS partners are all shown, in project order. Beyond that the bars
    would be too thin to read or hover, so the chart shows the SHOWN_WHEN_MANY largest
    grants, largest first, and names the rest in its title instead.
    """
    partners = list(result.partners)
    if len(partners) <= MANY_PARTNERS:
        return partners, 0, 0.0
    ranked = sorted(partners, key=lambda p: -float(p.total))
    shown, rest = ranked[:SHOWN_WHEN_MANY], ranked[SHOWN_WHEN_MANY:]
    return shown, len(rest), float(sum(float(p.total) for p in rest))


def chart_figures(
    result: Any, partners: list[Any] | None = None
) -> tuple[list[str], dict[str, list[float]]]:
    """The partner labels and, per bar set, each partner's figure over all years.

    Grant is the grant without the fee; the fee (the lead's) is its own set, shown only
    when the scenario has one, so the lead's bar compares like with like against both
    its fair share and the size-proportional split (which shares the whole budget).
    ``partners`` limits the chart to some of the result's partners (all by default).
    """
    labels: list[str] = []
    figures: dict[str, list[float]] = {GRANT: [], FEE: [], FAIR_SHARE: [], SIZE_PROPORTIONAL: []}
    for p in result.partners if partners is None else partners:
        name = p.name
        if not getattr(p, "included", True):
            name = _tr("{name} (left out)").format(name=name)
        labels.append(name)
        figures[GRANT].append(float(p.total))
        figures[FEE].append(float(sum(p.lines.get("management", ()) or ())))
        figures[FAIR_SHARE].append(float(p.fair_share_total))
        figures[SIZE_PROPORTIONAL].append(float(sum(p.size_proportional)))
    if not any(figures[FEE]):
        del figures[FEE]
    return labels, figures


def fit_category_labels(axis: Any, chart: QChart, count: int, font: QFont) -> None:
    """Partner names on ``axis`` in a font small enough that neighbouring names (``count``
    of them down the plot area) never overlap."""
    if not count:
        return
    per_row = chart.plotArea().height() / count
    font = QFont(font)
    if QFontMetrics(font).height() > per_row - 1:
        font.setPixelSize(max(MIN_LABEL_PIXELS, int(per_row) - 2))
    if axis.labelsFont() != font:
        axis.setLabelsFont(font)


class ResultsChart(QChartView):
    """Grouped bars per partner: grant, fair share, size-proportional split (all years)."""

    SET_NAMES = {
        GRANT: "Grant",
        FEE: "Management fee",
        FAIR_SHARE: "Fair share",
        SIZE_PROPORTIONAL: "Size-proportional split",
    }

    def __init__(self, document: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsChart")
        self.setAccessibleName(self.tr("Chart of grant against fair share"))
        self.setAccessibleDescription(
            self.tr(
                "For each partner: its grant over all years, its fair share, and what a "
                "size-proportional split of the same budget would give it."
            )
        )
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.document = document
        self._chart = QChart()
        self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self._chart.setMargins(QMargins(4, 4, 4, 4))
        self._chart.plotAreaChanged.connect(self._fit_labels)
        self.setChart(self._chart)
        self._series: QHorizontalBarSeries | None = None
        self._sets: dict[str, QBarSet] = {}
        self._labels: list[str] = []
        self._currency = "GBP"
        self._category_axis: QBarCategoryAxis | None = None
        self._value_axis: QCategoryAxis | None = None
        self._dark = False
        self.message = ""
        self.rebuilds = 0  # how often the bars were built afresh (in place otherwise)
        self._shown: Any = None  # the result whose figures the bars show
        self._stale = False
        self._apply_theme()
        # figures change only with results; a solve starting or ending only greys the chart
        document.resultsChanged.connect(self.refresh)
        document.solvingChanged.connect(self._on_solving)
        document.projectReset.connect(self.refresh)
        self.left_out = 0  # partners not drawn because there are too many to read
        self.refresh()

    # -- what tests and the main window read ---------------------------------------
    def categories(self) -> list[str]:
        """The partner labels, in project order (top to bottom)."""
        return list(self._labels)

    def values(self) -> dict[str, list[float]]:
        """The figures each bar set shows, by set key (grant, fee, fair_share, ...)."""
        return {
            key: [bar_set.at(i) for i in reversed(range(bar_set.count()))]
            for key, bar_set in self._sets.items()
        }

    def is_stale(self) -> bool:
        return self._chart.opacity() < 1.0

    # -- updating ------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the current scenario's result (in place when the partners are the same).

        Only what differs is touched: a chart lays itself out again for a title set
        even to the same words, and repaints for any change of a bar or its opacity.
        """
        result = self.document.result()
        name = self.document.current_scenario
        if result is not None and result is self._shown and not self.message:
            self._set_stale(self._out_of_date())  # the same figures: at most greyed
            return
        self._shown = None
        if result is None:
            state = getattr(self.document, "result_state", lambda: "none")()
            if state == "invalid" or self.document.problems:
                text = self.tr("No split to show yet: fix the problems listed under Problems.")
            elif state == "failed":
                text = self.tr("The split could not be worked out: see Problems.")
            elif name:
                text = self.tr("Working out the split…")
            else:
                text = self.tr("No scenario: add one to see a split.")
            self._show_message(text)
            return
        if not getattr(result, "ok", False) or not result.partners:
            self._show_message(
                self.tr("'{name}' cannot be met: see the suggested changes under Problems.").format(
                    name=result.name
                )
            )
            self._set_stale(self._out_of_date())
            return
        self._shown = result
        shown, left_out, left_out_total = shown_partners(result)
        labels, figures = chart_figures(result, shown)
        self._currency = getattr(result, "currency", "") or self.document.project.currency
        if self._series is None or labels != self._labels or list(figures) != list(self._sets):
            self._build(labels, figures)
        else:
            # same partners: refill each changed set in one go (one relayout per set,
            # not one per bar); the sets hold the partners bottom up
            for key, values in figures.items():
                bar_set = self._sets[key]
                wanted = values[::-1]
                if [bar_set.at(i) for i in range(bar_set.count())] != wanted:
                    bar_set.remove(0, bar_set.count())
                    bar_set.append(wanted)
        self._set_value_axis(figures)
        self.message = ""
        self.left_out = left_out
        title = self.tr("Over all years: {name}").format(name=result.name)
        if left_out:
            title = self.tr(
                "{title}: the {shown} largest grants of {count:,} partners; "
                "the other {others:,} get {amount} between them"
            ).format(
                title=title,
                shown=len(shown),
                count=len(shown) + left_out,
                others=left_out,
                amount=money(left_out_total, self._currency),
            )
        if self._chart.title() != title:
            self._chart.setTitle(title)
        self._set_stale(self._out_of_date())

    def _out_of_date(self) -> bool:
        """Grey the bars when they are not the current split and no new one is about to
        replace them: a problem blocks the solve, or it has run long enough to say so
        (a quick re-solve never makes the chart flicker)."""
        doc = self.document
        if doc.result_is_current():
            return False
        if getattr(doc, "is_solving", False):
            return True
        return not getattr(doc, "solve_pending", False)

    def _on_solving(self, busy: bool) -> None:
        """Grey the bars while a solve runs; the figures themselves wait for the results."""
        if self._series is not None:
            self._set_stale(self._out_of_date())

    def _set_stale(self, stale: bool) -> None:
        if stale == self._stale and self._chart.opacity() == (STALE_OPACITY if stale else 1.0):
            return
        self._stale = stale
        self._chart.setOpacity(STALE_OPACITY if stale else 1.0)
        if stale:
            self.setToolTip(
                self.tr("Out of date: the new split is on its way or blocked by a problem.")
            )
        else:
            self.setToolTip("")

    def _clear(self) -> None:
        self._chart.removeAllSeries()
        for axis in self._chart.axes():
            self._chart.removeAxis(axis)
        self._series = None
        self._sets = {}
        self._labels = []
        self._category_axis = None
        self._value_axis = None

    def _show_message(self, text: str) -> None:
        if self.message == text and self._series is None:
            self._set_stale(False)
            return
        self._clear()
        self.message = text
        self._chart.setTitle(text)
        self._chart.legend().hide()
        self._set_stale(False)

    def _build(self, labels: list[str], figures: dict[str, list[float]]) -> None:
        self._clear()
        self.rebuilds += 1
        series = QHorizontalBarSeries()
        series.setBarWidth(0.8)
        # Qt draws the first category and the first set at the bottom: feed both in
        # reverse so the first partner is at the top and grant leads each group.
        for key, values in figures.items():
            bar_set = QBarSet(self.tr(self.SET_NAMES[key]))
            bar_set.append(list(reversed(values)))
            bar_set.hovered.connect(lambda status, index, k=key: self._on_hovered(status, index, k))
            self._sets[key] = bar_set
        for bar_set in reversed(list(self._sets.values())):
            series.append(bar_set)
        self._chart.addSeries(series)
        axis = QBarCategoryAxis()
        axis.append(list(reversed(labels)))
        axis.setTruncateLabels(False)  # Qt cuts whole names to "..." well before they touch
        self._chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis)
        values_axis = QCategoryAxis()
        values_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        self._chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values_axis)
        self._series = series
        self._labels = list(labels)
        self._category_axis = axis
        self._value_axis = values_axis
        self._chart.legend().show()
        self._chart.legend().setReverseMarkers(True)  # grant first, as in each group
        self._colour_sets()
        self._colour_axes()

    def _set_value_axis(self, figures: dict[str, list[float]]) -> None:
        """Money ticks from zero with thousands separators ("£500,000")."""
        axis = self._value_axis
        if axis is None:
            return
        top = max((max(v) for v in figures.values() if v), default=0.0)
        step = nice_step(top)
        end = step * max(1, math.ceil(top / step - 1e-9))
        if axis.max() == end and len(axis.categoriesLabels()) == round(end / step):
            return
        for label in axis.categoriesLabels():
            axis.remove(label)
        axis.setStartValue(0)
        k = 1
        while k * step <= end + step / 2:
            axis.append(money(k * step, self._currency), k * step)
            k += 1
        axis.setRange(0, end)
        axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        # room for half of the last label, which is centred on the right edge
        last = money(end, self._currency)
        half = self.fontMetrics().horizontalAdvance(last) // 2 + 6
        self._chart.setMargins(QMargins(4, 4, half, 4))

    def _on_hovered(self, status: bool, index: int, key: str) -> None:
        if not status or not 0 <= index < len(self._labels):
            QToolTip.hideText()
            return
        value = self._sets[key].at(index)
        index = len(self._labels) - 1 - index  # the sets hold the partners bottom up
        QToolTip.showText(
            QCursor.pos(),
            self.tr("{partner}\n{what}: {amount}").format(
                partner=self._labels[index],
                what=self.tr(self.SET_NAMES[key]),
                amount=money(value, self._currency),
            ),
            self,
        )

    # -- palette -------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_theme()
        super().changeEvent(event)

    def _apply_theme(self) -> None:
        """Light or dark chart to match the window (the palette's window lightness)."""
        self._dark = theme_chart(self, self._chart)
        self._colour_sets()
        self._colour_axes()

    @property
    def dark(self) -> bool:
        """True when the chart is drawn for a dark palette."""
        return self._dark

    def _colour_sets(self) -> None:
        for key, bar_set in self._sets.items():
            light, dark = COLOURS[key]
            colour = QColor(dark if self._dark else light)
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour)

    def _fit_labels(self, _area: Any = None) -> None:
        axis = getattr(self, "_category_axis", None)  # none before the first results
        if axis is not None:
            fit_category_labels(axis, self._chart, len(self._labels), self.font())

    def _colour_axes(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        grid = palette.color(QPalette.ColorRole.Mid)
        for axis in self._chart.axes():
            axis.setLabelsBrush(QBrush(text))
            if axis is not self._category_axis:
                axis.setLabelsFont(self.font())
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)
        self._fit_labels()
