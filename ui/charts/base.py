"""One themed chart base for the results, compare and sweep charts.

A chart here follows the window's palette (dark mode included) and is redrawn when it
changes; lists its series in a :class:`ChartLegend` under it (Qt's own legend cuts long
names to "..."), unless it shows Qt's legend itself; labels a money axis with thousands
separators; and fits partner names down a category axis so they never overlap.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from PySide6.QtCharts import QBarCategoryAxis, QCategoryAxis, QChart, QChartView
from PySide6.QtCore import QEvent, QMargins, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QWidget

from allocator.domain.text import MINUS, money

#: Series colours that stay apart for common colour blindness (Okabe-Ito), light and dark.
SERIES_COLOURS = (
    ("#0072B2", "#56B4E9"),
    ("#E69F00", "#E69F00"),
    ("#009E73", "#2BC59A"),
    ("#CC79A7", "#E19CC4"),
    ("#D55E00", "#E8602C"),
    ("#7B4FA0", "#C6A6E8"),
    ("#8A7A00", "#F0E442"),
    ("#5A5A5A", "#D0D0D0"),
)
BASELINE_COLOUR = ("#9A9A9A", "#7A7A7A")

#: How transparent figures are drawn while they are out of date.
STALE_OPACITY = 0.45

#: The smallest partner-name font, in pixels, before names give way to "...".
MIN_LABEL_PIXELS = 8

#: A legend entry: the mark drawn, its colour and the words beside it.
LegendEntry = tuple[str, QColor, str]


def is_dark(palette: QPalette | None = None) -> bool:
    """True for a dark palette (the window colour is dark)."""
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def series_colour(k: int, dark: bool) -> QColor:
    light, night = SERIES_COLOURS[k % len(SERIES_COLOURS)]
    return QColor(night if dark else light)


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


def fit_category_labels(axis: QBarCategoryAxis, chart: QChart, count: int, font: QFont) -> None:
    """Partner names on ``axis`` in a font small enough that neighbouring names (``count``
    of them down the plot area) never overlap."""
    if not count:
        return
    per_row = chart.plotArea().height() / count
    font = QFont(font)
    if QFontMetrics(font).height() > per_row - 3:
        # a pixel size's line is taller than the size itself: step down until it fits
        size = max(MIN_LABEL_PIXELS, int(per_row) - 2)
        font.setPixelSize(size)
        while size > MIN_LABEL_PIXELS and QFontMetrics(font).height() > per_row - 3:
            size -= 1
            font.setPixelSize(size)
    if axis.labelsFont() != font:
        axis.setLabelsFont(font)


# ----------------------------------------------------------------------------------
# Money on an axis
# ----------------------------------------------------------------------------------


def short_money(value: float, currency: str) -> str:
    """Money for a crowded axis: "£750k", "£1.25m" (full figures are in the table)."""
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            text = f"{abs(value) / size:.2f}".rstrip("0").rstrip(".")
            body = money(0, currency).replace("0", text + suffix, 1)
            return f"{MINUS}{body}" if value < 0 else body
    return money(value, currency)


def money_ticks(
    lo: float,
    hi: float,
    currency: str,
    *,
    compact: bool = False,
    ticks: int = 5,
    label_start: bool = True,
) -> tuple[float, float, list[tuple[str, float]]]:
    """The range (start, end) of a money axis over ``lo``..``hi`` on round steps, and
    its labels with their values. ``label_start`` False leaves the start unlabelled."""
    lo = min(lo, hi)
    step = nice_step(max(hi - lo, abs(hi) * 0.01, 1.0), ticks)
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step - 1e-9) * step
    if end <= start:
        end = start + step
    labels = []
    k = 0 if label_start else 1
    while start + k * step <= end + step / 2:
        v = start + k * step
        text = short_money(v, currency) if compact else money(v, currency)
        labels.append((text if k else text + " ", v))
        k += 1
    return start, end, labels


def set_money_ticks(
    axis: QCategoryAxis,
    lo: float,
    hi: float,
    currency: str,
    *,
    compact: bool = False,
    ticks: int = 5,
    label_start: bool = True,
) -> bool:
    """Label ``axis`` in money (see :func:`money_ticks`); False when it already was."""
    start, end, labels = money_ticks(
        lo, hi, currency, compact=compact, ticks=ticks, label_start=label_start
    )
    have = [(text, axis.endValue(text)) for text in axis.categoriesLabels()]
    if have == labels and axis.min() == start and axis.max() == end:
        return False
    for text in axis.categoriesLabels():
        axis.remove(text)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setStartValue(start)
    for text, value in labels:
        axis.append(text, value)
    axis.setRange(start, end)
    return True


def money_axis(
    lo: float, hi: float, currency: str, compact: bool = False, ticks: int = 5
) -> QCategoryAxis:
    """A value axis labelled in money with thousands separators ("£500,000"), or
    ``compact`` ("£500k") where labels sit side by side."""
    axis = QCategoryAxis()
    set_money_ticks(axis, lo, hi, currency, compact=compact, ticks=ticks)
    return axis


# ----------------------------------------------------------------------------------
# The base
# ----------------------------------------------------------------------------------


class ThemedChartView(QChartView):
    """A chart view drawn light or dark to match the window, redrawn when that changes.

    Qt's own legend is hidden: the series are listed in a :class:`ChartLegend` under
    the chart instead, which wraps. A chart with partner names down a category axis
    keeps it in ``category_axis``: the names are fitted to the plot's height.
    """

    legendChanged = Signal()

    #: The title in bold (the results chart's title is plain).
    BOLD_TITLE = True
    #: How transparent the chart is while its figures are out of date.
    STALE_OPACITY = STALE_OPACITY

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.category_axis: QBarCategoryAxis | None = None
        self.category_count = 0
        self.dark = False
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_ = QChart()
        self.chart_.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_.legend().hide()
        self.chart_.setMargins(QMargins(4, 4, 12, 4))
        self.chart_.plotAreaChanged.connect(self._on_plot_area)
        self.setChart(self.chart_)
        self.apply_theme()

    def legend_entries(self) -> list[LegendEntry]:
        """(glyph, colour, words) for each thing drawn, in the order to list them."""
        return []

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.apply_theme()
        super().changeEvent(event)

    def apply_theme(self) -> None:
        """Colours from the palette: background, text, grid; then the series' own."""
        self.dark = theme_chart(self, self.chart_, bold_title=self.BOLD_TITLE)
        self.colour_axes()
        self.colour_series()
        self.legendChanged.emit()

    def colour_axes(self) -> None:
        """Axis text and grid from the palette (partner names keep their fitted font)."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        grid = palette.color(QPalette.ColorRole.Mid)
        for axis in self.chart_.axes():
            axis.setLabelsBrush(QBrush(text))
            if axis is not self.category_axis:
                axis.setLabelsFont(self.font())
            axis.setTitleBrush(QBrush(text))
            axis.setTitleFont(self.font())
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)
        self.fit_labels()

    def colour_series(self) -> None:
        """Subclasses colour their series here (called after every theme change)."""

    def set_categories(self, axis: QBarCategoryAxis | None, count: int) -> None:
        """The category axis of partner names (``count`` of them) to keep fitted."""
        self.category_axis = axis
        self.category_count = count
        if axis is not None:
            axis.setTruncateLabels(False)  # Qt cuts whole names to "..." before they touch
        self.fit_labels()

    def fit_labels(self) -> None:
        if self.category_axis is not None:
            fit_category_labels(self.category_axis, self.chart_, self.category_count, self.font())

    def _on_plot_area(self, _area: QRectF) -> None:
        self.fit_labels()

    def leave_room_for(self, last_label: str) -> None:
        """Room on the right for half of the last bottom label, centred on the edge."""
        half = self.fontMetrics().horizontalAdvance(last_label) // 2 + 6
        margins = QMargins(4, 4, half, 4)
        if self.chart_.margins() != margins:
            self.chart_.setMargins(margins)

    def clear_chart(self) -> None:
        """No series and no axes. Each axis is hidden and, for names, emptied before it
        goes: Qt deletes a removed axis's drawings later, from the event loop, and until
        then they would still show the last figures."""
        self.chart_.removeAllSeries()
        for axis in self.chart_.axes():
            axis.hide()
            if isinstance(axis, QBarCategoryAxis):
                axis.clear()
            self.chart_.removeAxis(axis)
        self.category_axis = None
        self.category_count = 0

    def set_stale(self, stale: bool) -> None:
        opacity = self.STALE_OPACITY if stale else 1.0
        if self.chart_.opacity() != opacity:
            self.chart_.setOpacity(opacity)

    def is_stale(self) -> bool:
        return self.chart_.opacity() < 1.0


class ChartLegend(QLabel):
    """The chart's legend as wrapped text: a coloured mark and the series' name, each
    kept on one line, as many to a row as fit."""

    def __init__(self, chart: ThemedChartView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.setObjectName(f"{chart.objectName() or 'chart'}Legend")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setContentsMargins(6, 0, 6, 2)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        chart.legendChanged.connect(self.update_text)
        self.update_text()

    def entries(self) -> list[str]:
        """The words of each entry (for tests and screen readers)."""
        return [words for _g, _c, words in self.chart.legend_entries()]

    def update_text(self) -> None:
        entries = self.chart.legend_entries()
        self.setText(legend_html(entries))
        self.setAccessibleDescription("; ".join(self.entries()))
        self.setVisible(bool(entries))
        self._keep_rows()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._keep_rows()

    def _keep_rows(self) -> None:
        """Room for every wrapped row, so a short chart never draws over the legend.

        Measured on a text document of its own: QLabel's heightForWidth never goes
        below a minimum height once one is set, so it cannot be asked again.
        """
        margins = self.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        if width <= 0 or not self.text():
            return
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(self.font())
        doc.setHtml(self.text())
        doc.setTextWidth(width)
        height = math.ceil(doc.size().height()) + margins.top() + margins.bottom()
        if height != self.minimumHeight():
            self.setMinimumHeight(height)


def legend_html(entries: Sequence[LegendEntry]) -> str:
    """Legend entries as rich text: a coloured mark and its words, each kept on one line."""
    parts = []
    for glyph, colour, words in entries:
        # no break at an entry's own spaces or hyphens, only between entries
        name = html.escape(words).replace(" ", "&nbsp;").replace("-", "&#8209;")
        parts.append(
            f'<span style="color:{colour.name()}; font-weight:bold">{glyph}</span>&nbsp;{name}'
        )
    return " &nbsp; &nbsp; ".join(parts)
