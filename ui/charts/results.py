"""The results chart: each partner's grant beside its fair share and beside what a
size-proportional split of the same budget would give it.

The chart only shows figures from the document's result; it computes nothing. It is
updated in place while the shape of the result stays the same (the same partners),
so dragging a slider moves bars instead of rebuilding the chart, and it follows the
system palette, dark mode included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QCategoryAxis, QHorizontalBarSeries
from PySide6.QtCore import QCoreApplication, QMargins, Qt
from PySide6.QtGui import QColor, QCursor, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QToolTip, QWidget

from allocator.domain.text import money
from ui.charts.base import (
    ThemedChartView,
    fit_category_labels,
    is_dark,
    money_ticks,
    nice_step,
    set_money_ticks,
    theme_chart,
)
from ui.state.document import Document

if TYPE_CHECKING:  # the results code loads after the first frame
    from allocator.engine.result import PartnerResult, ScenarioResult

__all__ = [
    "COLOURS",
    "FAIR_SHARE",
    "FEE",
    "GRANT",
    "MANY_PARTNERS",
    "SHOWN_WHEN_MANY",
    "SIZE_PROPORTIONAL",
    "ResultsChart",
    "chart_figures",
    "fit_category_labels",
    "is_dark",
    "nice_step",
    "shown_partners",
    "theme_chart",
]

#: The bar sets, in the order they appear beside each partner.
GRANT = "grant"
FEE = "fee"
FAIR_SHARE = "fair_share"
SIZE_PROPORTIONAL = "size_proportional"

#: How transparent the chart is while its figures are out of date.
STALE_OPACITY = 0.4

#: Above this many partners the bars would be slivers: the chart shows the largest
#: grants only (SHOWN_WHEN_MANY of them) and says what the others share.
MANY_PARTNERS = 60
SHOWN_WHEN_MANY = 40

#: Partner names take at most this share of the chart's width, and never less than
#: MIN_NAME_PIXELS; beyond it they end in "…" (whole in the tooltip and the table).
NAME_SHARE = 0.38
MIN_NAME_PIXELS = 70
#: The least room between two money ticks' labels.
TICK_GAP = 18


def unique(labels: list[str]) -> list[str]:
    """``labels`` made distinct (a category axis keeps one of each): a repeat, as two
    long names cut to the same words can be, gets invisible zero-width spaces."""
    seen: set[str] = set()
    out = []
    for label in labels:
        while label in seen:
            label += "\u200b"
        seen.add(label)
        out.append(label)
    return out


#: Colours that stay apart for common colour blindness (Okabe-Ito), light and dark.
COLOURS = {
    GRANT: ("#0072B2", "#56B4E9"),
    FEE: ("#CC79A7", "#CC79A7"),
    FAIR_SHARE: ("#E69F00", "#E69F00"),
    SIZE_PROPORTIONAL: ("#7F7F7F", "#BBBBBB"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ResultsChart", text)


def shown_partners(result: ScenarioResult) -> tuple[list[PartnerResult], int, float]:
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
    result: ScenarioResult, partners: Sequence[PartnerResult] | None = None
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
        if not p.included:
            name = _tr("{name} (left out)").format(name=name)
        labels.append(name)
        figures[GRANT].append(float(p.total))
        figures[FEE].append(float(sum(p.lines.get("management", ()) or ())))
        figures[FAIR_SHARE].append(float(p.fair_share_total))
        figures[SIZE_PROPORTIONAL].append(float(sum(p.size_proportional)))
    if not any(figures[FEE]):
        del figures[FEE]
    return labels, figures


class ResultsChart(ThemedChartView):
    """Grouped bars per partner: grant, fair share, size-proportional split (all years)."""

    SET_NAMES = {
        GRANT: "Grant",
        FEE: "Management fee",
        FAIR_SHARE: "Fair share",
        SIZE_PROPORTIONAL: "Size-proportional split",
    }
    BOLD_TITLE = False
    STALE_OPACITY = STALE_OPACITY

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        self._sets: dict[str, QBarSet] = {}
        super().__init__(parent)
        self.setObjectName("resultsChart")
        self.setAccessibleName(self.tr("Chart of grant against fair share"))
        self.setAccessibleDescription(
            self.tr(
                "For each partner: its grant over all years, its fair share, and what a "
                "size-proportional split of the same budget would give it."
            )
        )
        self.setMinimumHeight(160)
        self.document = document
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.legend().setShowToolTips(True)  # a name cut short is whole in its tooltip
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self._series: QHorizontalBarSeries | None = None
        self._labels: list[str] = []
        self._currency = "GBP"
        self._top = 0.0
        self._value_axis: QCategoryAxis | None = None
        self.message = ""
        self.rebuilds = 0  # how often the bars were built afresh (in place otherwise)
        self._shown: ScenarioResult | None = None  # the result whose figures the bars show
        self._stale = False
        self.left_out = 0  # partners not drawn because there are too many to read
        # figures change only with results; a solve starting or ending only greys the chart
        document.resultsChanged.connect(self.refresh)
        document.solvingChanged.connect(self._on_solving)
        document.projectReset.connect(self.refresh)
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

    # -- updating ------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the current scenario's result (in place when the partners are the same).

        Only what differs is touched: a chart lays itself out again for a title set
        even to the same words, and repaints for any change of a bar or its opacity.
        """
        result = self.document.result()
        if result is not None and result is self._shown and not self.message:
            self._set_stale(self._out_of_date())  # the same figures: at most greyed
            return
        self._shown = None
        if result is None:
            self._show_message(self._waiting_words())
            return
        if not result.ok or not result.partners:
            self._show_message(
                self.tr("'{name}' cannot be met: see the suggested changes under Problems.").format(
                    name=result.name
                )
            )
            self._set_stale(self._out_of_date())
            return
        self._shown = result
        self._show_result(result)
        self._set_stale(self._out_of_date())

    def _waiting_words(self) -> str:
        """Why there are no bars: problems, a failed solve, a solve on its way, no scenario."""
        state = self.document.result_state()
        if state == "invalid" or self.document.problems:
            return self.tr("No split to show yet: fix the problems listed under Problems.")
        if state == "failed":
            return self.tr("The split could not be worked out: see Problems.")
        if self.document.current_scenario:
            return self.tr("Working out the split…")
        return self.tr("No scenario: add one to see a split.")

    def _show_result(self, result: ScenarioResult) -> None:
        shown, left_out, left_out_total = shown_partners(result)
        labels, figures = chart_figures(result, shown)
        self._currency = result.currency or self.document.project.currency
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
        if self.chart_.title() != title:
            self.chart_.setTitle(title)

    def _out_of_date(self) -> bool:
        """Grey the bars when they are not the current split and no new one is about to
        replace them: a problem blocks the solve, or it has run long enough to say so
        (a quick re-solve never makes the chart flicker)."""
        doc = self.document
        if doc.result_is_current():
            return False
        if doc.is_solving:
            return True
        return not doc.solve_pending

    def _on_solving(self, _busy: bool) -> None:
        """Grey the bars while a solve runs; the figures themselves wait for the results."""
        if self._series is not None:
            self._set_stale(self._out_of_date())

    def _set_stale(self, stale: bool) -> None:
        if stale == self._stale and self.is_stale() == stale:
            return
        self._stale = stale
        self.set_stale(stale)
        if stale:
            self.setToolTip(
                self.tr("Out of date: the new split is on its way or blocked by a problem.")
            )
        else:
            self.setToolTip("")

    def clear_chart(self) -> None:
        """No bars, no partner names, no money ticks (the base hides and empties the axes
        before they go, so nothing of the last project is drawn)."""
        super().clear_chart()
        self._series = None
        self._sets = {}
        self._labels = []
        self._value_axis = None

    def _show_message(self, text: str) -> None:
        if self.message == text and self._series is None:
            self._set_stale(False)
            return
        self.clear_chart()
        self.message = text
        self.chart_.setTitle(text)
        self.chart_.legend().hide()
        self._set_stale(False)

    def _build(self, labels: list[str], figures: dict[str, list[float]]) -> None:
        self.clear_chart()
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
        self.chart_.addSeries(series)
        axis = QBarCategoryAxis()
        axis.append(list(reversed(labels)))
        self.chart_.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis)
        values_axis = QCategoryAxis()
        values_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        self.chart_.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values_axis)
        self._series = series
        self._labels = list(labels)
        self._value_axis = values_axis
        self.chart_.legend().show()
        self.chart_.legend().setReverseMarkers(True)  # grant first, as in each group
        self.set_categories(axis, len(labels))
        self.colour_series()
        self.colour_axes()

    def _set_value_axis(self, figures: dict[str, list[float]]) -> None:
        """Short money ticks from zero ("£500k", "£1.5m"), as many as fit the width."""
        self._top = max((max(v) for v in figures.values() if v), default=0.0)
        self.fit_axes()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_axes()

    def fit_axes(self) -> None:
        """Labels that never overlap at this width: partner names cut at the end to at
        most NAME_SHARE of the chart (whole in the tooltips and the table), and as many
        money ticks as fit under the bars side by side."""
        axis, names = self._value_axis, self.category_axis
        if axis is None or names is None:
            return
        width = self.width()
        font = names.labelsFont()
        metrics = QFontMetrics(font)
        room = max(MIN_NAME_PIXELS, int(width * NAME_SHARE))
        wanted = unique(
            [metrics.elidedText(n, Qt.TextElideMode.ElideRight, room) for n in self._labels]
        )[::-1]  # the axis holds the partners bottom up
        if names.categories() != wanted:
            names.clear()
            names.append(wanted)
        longest = max((metrics.horizontalAdvance(n) for n in wanted), default=0)
        values = QFontMetrics(axis.labelsFont())
        plot = max(width - longest - 40, 1)
        ticks = 5
        while True:
            _s, end, labels = money_ticks(
                0.0, self._top, self._currency, compact=True, ticks=ticks, label_start=False
            )
            widest = max((values.horizontalAdvance(t) for t, _v in labels), default=0)
            if ticks == 1 or len(labels) * (widest + TICK_GAP) <= plot:
                break
            ticks -= 1
        if set_money_ticks(
            axis, 0.0, self._top, self._currency, compact=True, ticks=ticks, label_start=False
        ):
            self.leave_room_for(labels[-1][0] if labels else "")

    def value_labels(self) -> list[tuple[str, float]]:
        """The money ticks under the bars: their words and values (for tests)."""
        axis = self._value_axis
        if axis is None:
            return []
        return [(t, axis.endValue(t)) for t in axis.categoriesLabels()]

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
    def colour_series(self) -> None:
        for key, bar_set in self._sets.items():
            light, dark = COLOURS[key]
            colour = QColor(dark if self.dark else light)
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour)
