"""Scenarios side by side, against a baseline: who gains, who loses, and by how much.

A partnership agrees a split by comparing options. This view puts the scenarios a
person ticks next to each other: what each partner receives in each, the change
against the baseline (the size-proportional split of the same budget, or any
scenario) in money and in percent, the measures of each split as a whole, a grouped
bar chart and the settings that differ. Every figure comes from the core's
``compare_to_baseline`` over the document's latest results; the view never solves.
While a result is out of date its column stays, greyed, until the new one comes.

The measure words and the themed chart base here are shared with the sweep view.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QMargins,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QCursor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
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
    QToolTip,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from allocator.domain.text import MINUS, money
from allocator.domain.text import signed_pct as text_signed_pct
from allocator.errors import ValidationError
from allocator.report import words as report_words
from allocator.report.baseline import (
    SIZE_PROPORTIONAL,
    Comparison,
    ScenarioComparison,
    compare_to_baseline,
    finite,
    parameter_differences,
)
from ui.charts.results import fit_category_labels, is_dark, nice_step, theme_chart
from ui.models.common import MEASURE_ROWS
from ui.state import settings
from ui.widgets.layout import splitter

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the default parent: the table itself


#: Status words, as a table cell starts them ("Cannot be met"): words.STATUS_TEXT's.
STATUS_WORDS = {status: report_words.status_title(status) for status in report_words.STATUS_TEXT}

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

#: A gain and a loss (always with a sign and an arrow as well).
GAIN_COLOUR = ("#005A8C", "#7CC8F2")
LOSS_COLOUR = ("#B04A00", "#FFA060")

#: What each scenario's columns show: the amount and its change, or one of them only
#: (with many scenarios the changes alone fit the window without scrolling sideways).
SHOW_BOTH = "both"
SHOW_AMOUNTS = "amounts"
SHOW_CHANGES = "changes"
SHOW_MODES = (SHOW_BOTH, SHOW_AMOUNTS, SHOW_CHANGES)

#: How transparent figures are drawn while they are out of date.
STALE_OPACITY = 0.45


def _tr(text: str) -> str:
    return QCoreApplication.translate("CompareView", text)


def series_colour(k: int, dark: bool) -> QColor:
    light, night = SERIES_COLOURS[k % len(SERIES_COLOURS)]
    return QColor(night if dark else light)


# The words for figures and changes are allocator.report.words's, the same as the
# command line's and the workbook's; these names stay for the code that calls them.


def measure_text(key: str, value: float | None) -> str:
    """A measure as people read it: "29.9%", a Gini of "0.013", "unbounded", "–"."""
    return report_words.measure_text(key, value)


def _signed(text: str, value: float) -> str:
    if text.strip("0.") == "":
        return text
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def arrow(text: str, value: float) -> str:
    """A change with its arrow, "▲ +£1,200" / "▼ −2.1 pts"; none when it shows as zero."""
    if not any(ch in "123456789" for ch in text):
        return text
    return f"{report_words.arrow_of(value)} {text}"


signed_pct = text_signed_pct


def measure_change_text(key: str, change: float | None) -> str:
    """A change of a measure: "▲ +8.1 pts", "▼ −0.013", "no change", "–"."""
    return report_words.measure_change_text(key, change)


def money_change_text(change: int | None, relative: float | None, currency: str) -> str:
    """A partner's change: "▲ +£107,925 (+39.7%)", "no change", "–"."""
    return report_words.money_change_text(change, relative, currency)


def tsv_cell(value: Any) -> str:
    """One cell of tab-separated text a spreadsheet pastes: numbers as plain digits,
    never a formula (text that starts like one gets an apostrophe), quoted when it
    holds a tab, a line break or a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    text = str(value)
    if text.startswith(("=", "+", "-", "@", "\t", "\r")):
        text = "'" + text
    if any(ch in text for ch in '\t\n\r"'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def tsv(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as tab-separated text with Windows line ends (what Excel itself copies)."""
    return "".join("\t".join(tsv_cell(c) for c in row) + "\r\n" for row in rows)


# ----------------------------------------------------------------------------------
# A chart that follows the palette
# ----------------------------------------------------------------------------------


class ThemedChartView(QChartView):
    """A chart view drawn light or dark to match the window, redrawn when that changes.

    Qt's own legend cuts long names to "..." in one row; these charts hide it and list
    their series in a :class:`ChartLegend` under the chart instead, which wraps.
    """

    legendChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_ = QChart()
        self.chart_.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_.legend().hide()
        self.chart_.setMargins(QMargins(4, 4, 12, 4))
        self.setChart(self.chart_)
        self.dark = False
        self.apply_theme()

    def legend_entries(self) -> list[tuple[str, QColor, str]]:
        """(glyph, colour, words) for each thing drawn, in the order to list them."""
        return []

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.apply_theme()
        super().changeEvent(event)

    def apply_theme(self) -> None:
        """Colours from the palette: background, text, grid; then the series' own."""
        self.dark = theme_chart(self, self.chart_, bold_title=True)
        self.colour_axes()
        self.colour_series()
        self.legendChanged.emit()

    def colour_axes(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        grid = palette.color(QPalette.ColorRole.Mid)
        for axis in self.chart_.axes():
            axis.setLabelsBrush(QBrush(text))
            axis.setLabelsFont(self.font())
            axis.setTitleBrush(QBrush(text))
            axis.setTitleFont(self.font())
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)

    def colour_series(self) -> None:
        """Subclasses colour their series here (called after every theme change)."""

    def clear_chart(self) -> None:
        self.chart_.removeAllSeries()
        for axis in self.chart_.axes():
            self.chart_.removeAxis(axis)

    def set_stale(self, stale: bool) -> None:
        self.chart_.setOpacity(STALE_OPACITY if stale else 1.0)

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

    def resizeEvent(self, event: Any) -> None:
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


def legend_html(entries: Sequence[tuple[str, QColor, str]]) -> str:
    """Legend entries as rich text: a coloured mark and its words, each kept on one line."""
    parts = []
    for glyph, colour, words in entries:
        # no break at an entry's own spaces or hyphens, only between entries
        name = html.escape(words).replace(" ", "&nbsp;").replace("-", "&#8209;")
        parts.append(
            f'<span style="color:{colour.name()}; font-weight:bold">{glyph}</span>&nbsp;{name}'
        )
    return " &nbsp; &nbsp; ".join(parts)


def short_money(value: float, currency: str) -> str:
    """Money for a crowded axis: "£750k", "£1.25m" (full figures are in the table)."""
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            text = f"{abs(value) / size:.2f}".rstrip("0").rstrip(".")
            body = money(0, currency).replace("0", text + suffix, 1)
            return f"{MINUS}{body}" if value < 0 else body
    return money(value, currency)


def money_axis(
    lo: float, hi: float, currency: str, compact: bool = False, ticks: int = 5
) -> QCategoryAxis:
    """A value axis labelled in money with thousands separators ("£500,000"), or
    ``compact`` ("£500k") where labels sit side by side."""
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    lo = min(lo, hi)
    step = nice_step(max(hi - lo, abs(hi) * 0.01, 1.0), ticks)
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step
    if end <= start:
        end = start + step
    axis.setStartValue(start)
    k = 0
    while start + k * step <= end + step / 2:
        v = start + k * step
        text = short_money(v, currency) if compact else money(v, currency)
        axis.append(text if k else text + " ", v)
        k += 1
    axis.setRange(start, end)
    return axis


# ----------------------------------------------------------------------------------
# The comparison table
# ----------------------------------------------------------------------------------

ROW_PARTNER = "partner"
ROW_TOTAL = "total"
ROW_SECTION = "section"
ROW_MEASURE = "measure"

COL_NAME = "name"
COL_BASELINE = "baseline"
COL_AMOUNT = "amount"
COL_CHANGE = "change"

#: The role that gives a change cell's relative change (a fraction); UserRole gives the
#: cell's figure (whole currency units, a measure, or a change).
RelativeRole = Qt.ItemDataRole.UserRole + 1

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class CompareModel(QAbstractTableModel):
    """Partners (then a total, then the measures) down; scenarios across, two columns each.

    Each scenario has the amount column (what the partner receives: its grant and, for
    the lead, the management fee, over all years) and the change against the baseline
    in money and percent. A baseline that is not itself one of the columns gets a column
    of its own first. ``UserRole`` gives the figure behind a cell; ``RelativeRole`` a
    change cell's relative change.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.names: list[str] = []
        self.stale: set[str] = set()
        self.pending: set[str] = set()
        self.baseline_pending = False
        self.chosen: str | None = None
        self.currency = "GBP"
        self._rows: list[tuple[str, Any]] = []
        self._cols: list[tuple[str, str | None, int]] = []
        self._by_name: dict[str, ScenarioComparison] = {}
        self._lookup: dict[str, dict[str, Any]] = {}
        self.show = SHOW_BOTH

    def set_show(self, show: str) -> None:
        """Show amounts and changes (``SHOW_BOTH``), or only one of them per scenario."""
        if show not in SHOW_MODES:
            raise ValueError(f"show must be one of {', '.join(SHOW_MODES)}, not {show!r}")
        if show == self.show:
            return
        self.show = show
        self.set_comparison(
            self.comparison,
            self.names,
            stale=self.stale,
            pending=self.pending,
            baseline_pending=self.baseline_pending,
            chosen=self.chosen,
        )

    # -- filling -----------------------------------------------------------------------
    def set_comparison(
        self,
        comparison: Comparison | None,
        names: Sequence[str],
        *,
        stale: set[str] | None = None,
        pending: set[str] | None = None,
        baseline_pending: bool = False,
        chosen: str | None = None,
    ) -> None:
        """Show ``comparison`` for the scenarios ``names`` (in order); in place when the
        shape is the same, so the selection stays."""
        self.comparison = comparison
        self.names = list(names)
        self.stale = set(stale or ())
        self.pending = set(pending or ())
        self.baseline_pending = baseline_pending
        self.chosen = chosen
        self.currency = comparison.currency if comparison is not None else self.currency
        self._by_name = {s.name: s for s in comparison.scenarios} if comparison else {}
        self._lookup = {
            s.name: {p.id: p for p in s.partners}
            for s in (comparison.scenarios if comparison else ())
        }
        rows: list[tuple[str, Any]] = []
        cols: list[tuple[str, str | None, int]] = []
        if comparison is not None:
            rows = [(ROW_PARTNER, p) for p in comparison.partners]
            rows.append((ROW_TOTAL, None))
            rows.append((ROW_SECTION, None))
            rows += [(ROW_MEASURE, key) for key, *_ in MEASURE_ROWS]
            cols = [(COL_NAME, None, -1)]
            if self.show_baseline_column:
                cols.append((COL_BASELINE, comparison.baseline, -1))
            for g, name in enumerate(self.names):
                if self.show != SHOW_CHANGES:
                    cols.append((COL_AMOUNT, name, g))
                if self.show != SHOW_AMOUNTS:
                    cols.append((COL_CHANGE, name, g))
        same = [r[0] for r in rows] == [r[0] for r in self._rows] and cols == self._cols
        same = same and [getattr(r[1], "id", r[1]) for r in rows] == [
            getattr(r[1], "id", r[1]) for r in self._rows
        ]
        if same:
            self._rows = rows
            if rows and cols:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(cols) - 1))
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(cols) - 1)
            return
        self.beginResetModel()
        self._rows = rows
        self._cols = cols
        self.endResetModel()

    @property
    def show_baseline_column(self) -> bool:
        c = self.comparison
        if c is None:
            return False
        return not c.baseline_is_scenario or c.baseline not in self.names

    # -- shape -------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._cols)

    def row_kind(self, row: int) -> str:
        return self._rows[row][0]

    def row_key(self, row: int) -> Any:
        """The partner's id, or the measure's key, of a row (None for total and section)."""
        kind, what = self._rows[row]
        if kind == ROW_PARTNER:
            return what.id
        return what if kind == ROW_MEASURE else None

    def column_kind(self, column: int) -> str:
        return self._cols[column][0]

    def column_scenario(self, column: int) -> str | None:
        """The scenario a column belongs to (None for the name and baseline columns)."""
        kind, name, _g = self._cols[column]
        return name if kind in (COL_AMOUNT, COL_CHANGE) else None

    def columns_of(self, name: str) -> tuple[int, int]:
        """The amount and change columns of scenario ``name`` (-1 for one not shown)."""
        amount = change = -1
        for c, (k, n, _g) in enumerate(self._cols):
            if n == name and k == COL_AMOUNT:
                amount = c
            elif n == name and k == COL_CHANGE:
                change = c
        if amount < 0 and change < 0:
            raise KeyError(name)
        return amount, change

    def first_column_of(self, name: str) -> int:
        """The first column that belongs to scenario ``name``."""
        amount, change = self.columns_of(name)
        return amount if amount >= 0 else change

    def section_row(self) -> int:
        return next((r for r, (k, _w) in enumerate(self._rows) if k == ROW_SECTION), -1)

    # -- figures -----------------------------------------------------------------------
    def _partner_change(self, name: str, pid: str) -> Any:
        return self._lookup.get(name, {}).get(pid)

    def value(self, row: int, column: int) -> Any:
        """The figure behind a cell: whole currency units, a measure, a change, or None."""
        ckind, name, _g = self._cols[column]
        return self.figure(row, ckind, name)

    def figure(self, row: int, ckind: str, name: str | None) -> Any:
        """The figure of row ``row`` for scenario ``name`` as a column of kind ``ckind``
        would show it, whether or not that column is shown."""
        kind, what = self._rows[row]
        c = self.comparison
        if c is None:
            return None
        if ckind == COL_NAME:
            return self._row_label(row)
        if kind == ROW_SECTION:
            return None
        if ckind == COL_BASELINE:
            return self._baseline_value(kind, what)
        s = self._by_name.get(name or "")
        if s is None or not s.ok:
            return None
        if kind == ROW_PARTNER:
            pc = self._partner_change(s.name, what.id)
            if pc is None:
                return None
            return pc.received if ckind == COL_AMOUNT else pc.change
        if kind == ROW_TOTAL:
            received = [p.received for p in s.partners]
            if ckind == COL_AMOUNT:
                return int(sum(received))
            base = [p.baseline for p in s.partners]
            if any(b is None for b in base):
                return None
            return int(sum(received) - sum(base))
        if kind == ROW_MEASURE:
            if ckind == COL_AMOUNT:
                return None if s.measures is None else finite(s.measures.get(what))
            changes = s.measure_changes
            return None if changes is None else changes.get(what)
        return None

    def relative(self, row: int, column: int) -> float | None:
        ckind, name, _g = self._cols[column]
        if ckind != COL_CHANGE:
            return None
        return self.relative_change(row, name)

    def relative_change(self, row: int, name: str | None) -> float | None:
        """The change of row ``row`` for scenario ``name`` relative to the baseline."""
        kind, what = self._rows[row]
        if kind not in (ROW_PARTNER, ROW_TOTAL):
            return None
        s = self._by_name.get(name or "")
        if s is None or not s.ok:
            return None
        if kind == ROW_PARTNER:
            pc = self._partner_change(s.name, what.id)
            return None if pc is None else pc.relative_change
        change = self.figure(row, COL_CHANGE, name)
        base = sum(p.baseline or 0 for p in s.partners)
        return None if change is None or not base else change / base

    def _baseline_value(self, kind: str, what: Any) -> Any:
        c = self.comparison
        if c is None or self.baseline_pending:
            return None
        received = c.baseline_received
        if kind == ROW_PARTNER:
            if received is None:
                return None
            i = next((k for k, p in enumerate(c.partners) if p.id == what.id), -1)
            return received[i] if 0 <= i < len(received) else None
        if kind == ROW_TOTAL:
            return None if received is None else int(sum(received))
        if kind == ROW_MEASURE and c.baseline_is_scenario:
            for s in c.scenarios:
                if s.baseline_measures is not None:
                    return finite(s.baseline_measures.get(what))
        return None

    def _row_label(self, row: int) -> str:
        kind, what = self._rows[row]
        if kind == ROW_PARTNER:
            return what.name
        if kind == ROW_TOTAL:
            return _tr("Total")
        if kind == ROW_SECTION:
            return _tr("Measures of the split as a whole")
        label = next(lab for k, lab, _h, _t in MEASURE_ROWS if k == what)
        return _tr(label)

    def _display(self, row: int, column: int) -> str:
        kind, what = self._rows[row]
        ckind, name, _g = self._cols[column]
        if ckind == COL_NAME:
            return self._row_label(row)
        if kind == ROW_SECTION:
            return ""
        if ckind == COL_AMOUNT or ckind == COL_BASELINE:
            if ckind == COL_AMOUNT:
                s = self._by_name.get(name or "")
                if s is None:
                    return _tr("Solving…") if name in self.pending else "–"
                if not s.ok:
                    return _tr(STATUS_WORDS.get(s.status, s.status)) if row == 0 else ""
            value = self.value(row, column)
            if value is None:
                if kind == ROW_PARTNER and ckind == COL_AMOUNT:
                    return _tr("not in the result")
                return "–"
            if kind == ROW_MEASURE:
                return measure_text(what, value)
            return money(value, self.currency)
        # a change column
        s = self._by_name.get(name or "")
        if s is None or not s.ok:
            return ""
        if self.baseline_pending:
            return "…"
        value = self.value(row, column)
        if kind == ROW_MEASURE:
            return measure_change_text(what, value)
        return money_change_text(value, self.relative(row, column), self.currency)

    def _tooltip(self, row: int, column: int) -> str:
        kind, what = self._rows[row]
        ckind, name, _g = self._cols[column]
        c = self.comparison
        if kind == ROW_MEASURE and ckind == COL_NAME:
            return _tr(next(t for k, _l, _h, t in MEASURE_ROWS if k == what))
        if kind == ROW_MEASURE and ckind == COL_BASELINE and not (c and c.baseline_is_scenario):
            return _tr(
                "The size-proportional split's measures depend on each scenario's needs: "
                "each change is measured against them."
            )
        if ckind in (COL_AMOUNT, COL_CHANGE):
            s = self._by_name.get(name or "")
            if s is not None and not s.ok:
                return s.message
            if name in self.stale:
                return _tr("Out of date: the new figures are on their way or blocked by a problem.")
            if kind == ROW_PARTNER and s is not None:
                pc = self._partner_change(s.name, what.id)
                if pc is not None and not pc.included:
                    return _tr("{partner} is left out of this scenario.").format(partner=pc.name)
                if pc is not None and ckind == COL_CHANGE and pc.baseline is not None:
                    return _tr("{received} against {baseline} in the baseline").format(
                        received=money(pc.received, self.currency),
                        baseline=money(pc.baseline, self.currency),
                    )
            if kind == ROW_MEASURE and ckind == COL_CHANGE:
                return _tr("pts: percentage points")
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._cols)):
            return None
        kind = self._rows[row][0]
        ckind, name, group = self._cols[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display(row, column)
            return text.replace("▲", _tr("up")).replace("▼", _tr("down"))
        if role == Qt.ItemDataRole.UserRole:
            return self.value(row, column)
        if role == RelativeRole:
            return self.relative(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if ckind == COL_NAME else _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column) or None
        if role == Qt.ItemDataRole.FontRole:
            if kind in (ROW_TOTAL, ROW_SECTION):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            if kind == ROW_SECTION:
                return QApplication.palette().brush(QPalette.ColorRole.Button)
            if group >= 0 and group % 2 == 1:
                return QApplication.palette().brush(QPalette.ColorRole.AlternateBase)
            return None
        return None

    def _foreground(self, row: int, column: int) -> Any:
        kind, what = self._rows[row]
        ckind, name, _g = self._cols[column]
        palette = QApplication.palette()
        grey = palette.brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if name is not None and (name in self.stale or name in self.pending):
            return grey
        s = self._by_name.get(name or "")
        if kind == ROW_PARTNER and s is not None and ckind in (COL_AMOUNT, COL_CHANGE):
            pc = self._partner_change(s.name, what.id)
            if pc is not None and not pc.included:
                return grey
        if ckind == COL_CHANGE and kind == ROW_PARTNER and not self.baseline_pending:
            value = self.value(row, column)
            if value:
                dark = is_dark(palette)
                light, night = GAIN_COLOUR if value > 0 else LOSS_COLOUR
                return QBrush(QColor(night if dark else light))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
                return str(section + 1)
            return None
        if not 0 <= section < len(self._cols):
            return None
        ckind, name, _g = self._cols[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header_text(section, wrap=True)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tip(section)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
                if (ckind == COL_NAME)
                else int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
            )
        return None

    def header_text(self, column: int, wrap: bool = False) -> str:
        """A column's heading; ``wrap`` breaks long scenario names over lines for the view."""
        ckind, name, _g = self._cols[column]
        c = self.comparison
        if ckind == COL_NAME:
            return _tr("Partner")
        if ckind == COL_BASELINE:
            if c is not None and c.baseline_is_scenario:
                what = _tr("Baseline: {name}").format(name=c.baseline)
            else:
                what = _tr("Baseline: size-proportional")
            return "\n".join(textwrap.wrap(what, 18)) if wrap else what
        if ckind == COL_CHANGE:
            if not wrap:
                return _tr("{name}: change").format(name=name)
            if self.show != SHOW_CHANGES:
                return _tr("Change")  # the scenario's name heads the amount beside it
        text = name or ""
        if name == self.chosen and wrap:
            text = _tr("★ {name} (bid)").format(name=text)
        if wrap:
            lines = textwrap.wrap(text, 18) or [text]
            if len(lines) > 3:
                lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), 18, placeholder="…")]
            text = "\n".join(lines)
        return text

    def _header_tip(self, column: int) -> str:
        ckind, name, _g = self._cols[column]
        c = self.comparison
        if ckind == COL_BASELINE:
            return _tr("What each partner receives in the baseline: {what}").format(
                what=c.baseline_words if c is not None else ""
            )
        if ckind == COL_CHANGE:
            base = c.baseline_words if c is not None else ""
            tip = _tr("'{name}' against {base}: ▲ more, ▼ less, in money and in percent").format(
                name=name, base=base
            )
            if self.show == SHOW_CHANGES and name == self.chosen:
                tip += "\n" + _tr("This scenario goes into the bid.")
            if self.show == SHOW_CHANGES and name in self.stale:
                tip += "\n" + _tr("Out of date: the new figures are on their way.")
            return tip
        if ckind == COL_AMOUNT:
            tip = _tr("{name}: what each partner receives over all years (the lead's fee included)")
            tip = tip.format(name=name)
            if name == self.chosen:
                tip += "\n" + _tr("This scenario goes into the bid.")
            if name in self.stale:
                tip += "\n" + _tr("Out of date: the new figures are on their way.")
            return tip
        return ""

    # -- copying -----------------------------------------------------------------------
    def copy_rows(self) -> list[list[Any]]:
        """The table for a spreadsheet: a header, then one row per table row.

        Each scenario gives three columns (amount, change, change in percent) so every
        cell is one plain number: money in whole units, changes in percent as numbers
        (5.2 for +5.2%), measures as fractions (0.299 for 29.9%), as in the workbook.
        """
        c = self.comparison
        if c is None:
            return []
        header: list[Any] = [_tr("Partner")]
        if self.show_baseline_column:
            header.append(self.header_text(1))
        for name in self.names:
            header += [
                name,
                _tr("{name}: change").format(name=name),
                _tr("{name}: change (%)").format(name=name),
            ]
        rows = [header]
        for r, (kind, _what) in enumerate(self._rows):
            if kind == ROW_SECTION:
                continue
            line: list[Any] = [self._row_label(r)]
            if self.show_baseline_column:
                line.append(self._baseline_value(kind, self._rows[r][1]))
            for name in self.names:
                s = self._by_name.get(name)
                if s is None:
                    line += [_tr("Solving…") if name in self.pending else None, None, None]
                    continue
                if not s.ok:
                    status = _tr(STATUS_WORDS.get(s.status, s.status))
                    line += [status if r == 0 else None, None, None]
                    continue
                change = None if self.baseline_pending else self.figure(r, COL_CHANGE, name)
                rel = None if self.baseline_pending else self.relative_change(r, name)
                line += [
                    self.figure(r, COL_AMOUNT, name),
                    change,
                    None if rel is None else rel * 100,
                ]
            rows.append(line)
        return rows


class DifferencesModel(QAbstractTableModel):
    """The settings that differ between the compared scenarios: one row each."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.rows: list[Any] = []

    def set_differences(self, names: Sequence[str], differences: Sequence[Any]) -> None:
        self.beginResetModel()
        self.names = list(names)
        self.rows = list(differences)
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() or not self.names else 1 + len(self.names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self.rows) and 0 <= c < self.columnCount()):
            return None
        d = self.rows[r]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return QCoreApplication.translate("fields", d.label) if c == 0 else d.shown[c - 1]
        if role == Qt.ItemDataRole.UserRole:
            return d.path if c == 0 else d.values[c - 1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if c == 0 else _RIGHT
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return _tr("Setting")
        if 1 <= section <= len(self.names):
            return "\n".join(textwrap.wrap(self.names[section - 1], 14))
        return None


# ----------------------------------------------------------------------------------
# The chart
# ----------------------------------------------------------------------------------


class CompareChart(ThemedChartView):
    """Grouped bars: what each partner receives in each scenario, beside the baseline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self._sets: list[tuple[QBarSet, int, bool]] = []  # set, colour index (-1 baseline), stale
        self._labels: list[str] = []
        self._category_axis: QBarCategoryAxis | None = None
        super().__init__(parent)
        self.chart_.plotAreaChanged.connect(self._fit_labels)
        self.setObjectName("compareChart")
        self.setAccessibleName(self.tr("Chart of each partner's grant per scenario"))
        self.setMinimumHeight(130)
        self._currency = "GBP"

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
        self._category_axis = None
        c = model.comparison
        partners = [
            (r, model.row_key(r))
            for r in range(model.rowCount())
            if model.row_kind(r) == ROW_PARTNER
        ]
        self._labels = [str(model.value(r, 0)) for r, _pid in partners]
        if c is None or not partners:
            self.chart_.setTitle(self.tr("Nothing to compare yet"))
            self.legendChanged.emit()
            return
        self._currency = c.currency
        series = QHorizontalBarSeries()
        series.setBarWidth(0.85)
        top = 0.0
        # Qt draws the first category and set at the bottom: feed both reversed, so the
        # first partner is at the top and the baseline leads each group.
        sets: list[tuple[QBarSet, int, bool]] = []
        if (
            model.show_baseline_column
            and c.baseline_received is not None
            and not model.baseline_pending
        ):
            figures = [model.value(r, 1) or 0 for r, _pid in partners]
            label = model.header_text(1)
            sets.append((self._bar_set(label, figures), -1, False))
            top = max([top, *figures])
        for k, name in enumerate(model.names):
            s = next((x for x in c.scenarios if x.name == name), None)
            if s is None or not s.ok:
                continue
            figures = [model.figure(r, COL_AMOUNT, name) or 0 for r, _pid in partners]
            stale = name in model.stale
            label = name + (self.tr(" (out of date)") if stale else "")
            sets.append((self._bar_set(label, figures), k, stale))
            top = max([top, *figures])
        for bar_set, _k, _stale in reversed(sets):
            series.append(bar_set)
        self._sets = sets
        self.chart_.addSeries(series)
        axis = QBarCategoryAxis()
        axis.append(list(reversed(self._labels)))
        self.chart_.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis)
        values = money_axis(0, top, c.currency)
        # room for half of the last label, which is centred on the right edge
        last = money(values.max(), c.currency)
        self.chart_.setMargins(QMargins(4, 4, self.fontMetrics().horizontalAdvance(last) // 2, 4))
        self.chart_.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        self._category_axis = axis
        axis.setTruncateLabels(False)
        self.chart_.setTitle(self.tr("What each partner receives, all years"))
        self.colour_axes()
        self.colour_series()
        self._fit_labels()
        self.legendChanged.emit()

    def legend_entries(self) -> list[tuple[str, QColor, str]]:
        return [
            (
                "■",
                QColor(BASELINE_COLOUR[1 if self.dark else 0])
                if k < 0
                else series_colour(k, self.dark),
                s.label(),
            )
            for s, k, _stale in getattr(self, "_sets", [])
        ]

    def _fit_labels(self, _area: Any = None) -> None:
        axis = getattr(self, "_category_axis", None)  # none before the first results
        if axis is not None:
            fit_category_labels(axis, self.chart_, len(self._labels), self.font())

    def colour_axes(self) -> None:
        super().colour_axes()
        self._fit_labels()

    def _bar_set(self, label: str, figures: list[float]) -> QBarSet:
        bar_set = QBarSet(label)
        bar_set.append([float(v) for v in reversed(figures)])
        bar_set.hovered.connect(lambda on, i, b=bar_set: self._hovered(on, i, b))
        return bar_set

    def colour_series(self) -> None:
        for bar_set, k, stale in getattr(self, "_sets", []):
            if k < 0:
                colour = QColor(BASELINE_COLOUR[1 if self.dark else 0])
            else:
                colour = series_colour(k, self.dark)
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


# ----------------------------------------------------------------------------------
# The view
# ----------------------------------------------------------------------------------


class CompareView(QWidget):
    """The Compare tab: tick scenarios, pick the baseline, read gains and losses."""

    #: Emitted after each refresh (tests and the main window may listen).
    refreshed = Signal()

    def __init__(self, document: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("compareView")
        self.setAccessibleName(self.tr("Compare scenarios"))
        self._unticked: set[str] = set()
        self._baseline: str = SIZE_PROPORTIONAL
        self.comparison: Comparison | None = None
        self._dirty = True

        # -- choosing ------------------------------------------------------------------
        # the ticks live in a drop-down so the table keeps the height: the columns
        # themselves show which scenarios are compared
        self.scenario_button = QToolButton(self)
        self.scenario_button.setObjectName("compareScenarios")
        self.scenario_button.setAccessibleName(self.tr("Scenarios to compare"))
        self.scenario_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.scenario_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.scenario_menu = QMenu(self.scenario_button)
        self.scenario_list = QListWidget(self.scenario_menu)
        self.scenario_list.setObjectName("compareScenarioList")
        self.scenario_list.setAccessibleName(self.tr("Scenarios to compare"))
        self.scenario_list.setToolTip(self.tr("Tick the scenarios to put side by side"))
        self.scenario_list.setFrameShape(QFrame.Shape.NoFrame)
        self.scenario_list.itemChanged.connect(self._on_ticked)
        list_action = QWidgetAction(self.scenario_menu)
        list_action.setDefaultWidget(self.scenario_list)
        self.scenario_menu.addAction(list_action)
        self.scenario_menu.aboutToShow.connect(self._fit_list)
        self.scenario_button.setMenu(self.scenario_menu)
        pick_label = QLabel(self.tr("&Compare:"), self)
        pick_label.setBuddy(self.scenario_button)

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
        base_label = QLabel(self.tr("&Against:"), self)
        base_label.setBuddy(self.baseline_combo)

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
        show_label = QLabel(self.tr("S&how:"), self)
        show_label.setBuddy(self.show_combo)

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

        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(pick_label)
        second.addWidget(self.scenario_button)
        second.addSpacing(8)
        second.addWidget(base_label)
        second.addWidget(self.baseline_combo)
        second.addSpacing(8)
        second.addWidget(show_label)
        second.addWidget(self.show_combo)
        self.note = QLabel(self)
        self.note.setObjectName("compareNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        second.addWidget(self.note, 1)
        second.addWidget(self.copy_button)
        second.addWidget(self.bid_button)

        # -- the table -----------------------------------------------------------------
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

        # -- chart and settings that differ ---------------------------------------------
        self.chart = CompareChart(self)
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

        self.chart_legend = ChartLegend(self.chart, self)
        chart_box = QWidget(self)
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.setSpacing(0)
        chart_layout.addWidget(self.chart, 1)
        chart_layout.addWidget(self.chart_legend)

        self.lower = splitter(
            "compareLowerSplitter",
            Qt.Orientation.Horizontal,
            [chart_box, side],
            stretch=(3, 2),
            sizes=(600, 480),
            parent=self,
        )
        self.splitter = splitter(
            "compareSplitter",
            Qt.Orientation.Vertical,
            [self.table, self.lower],
            stretch=(3, 2),
            sizes=(650, 350),
            parent=self,
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(second)
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
        out = []
        for i in range(self.scenario_list.count()):
            item = self.scenario_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_checked(self, name: str, checked: bool) -> None:
        """Tick or untick one scenario (as a person would)."""
        for i in range(self.scenario_list.count()):
            item = self.scenario_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(name)

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
        shown = [
            self.scenario_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.scenario_list.count())
        ]
        if names == shown and self.baseline_combo.count() == len(names) + 1:
            self._soon()  # the same scenarios: only their figures may have changed
            return
        self._unticked &= set(names)
        self.scenario_list.blockSignals(True)
        self.scenario_list.clear()
        for name in names:
            item = QListWidgetItem(name, self.scenario_list)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            state = Qt.CheckState.Unchecked if name in self._unticked else Qt.CheckState.Checked
            item.setCheckState(state)
        self.scenario_list.blockSignals(False)
        self._fit_list()
        self._show_ticked()

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

    def _fit_list(self) -> None:
        """The drop-down list just big enough for every scenario's tick and name."""
        ls = self.scenario_list
        rows = max(1, ls.count())
        row = ls.sizeHintForRow(0) if ls.count() else self.fontMetrics().height() + 4
        width = max(ls.sizeHintForColumn(0), 200) + 12
        ls.setFixedSize(width, min(rows, 15) * row + 6)

    def _show_ticked(self) -> None:
        names = self.chosen_names()
        total = self.scenario_list.count()
        self.scenario_button.setText(
            self.tr("{n} of {total} scenarios").format(n=len(names), total=total)
        )
        self.scenario_button.setToolTip(
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
        self.refresh()

    def _on_baseline(self, index: int) -> None:
        data = self.baseline_combo.itemData(index)
        self._baseline = data or SIZE_PROPORTIONAL
        self.refresh()

    def _on_reset(self) -> None:
        self._unticked.clear()
        self._baseline = SIZE_PROPORTIONAL
        self._rebuild_choices()
        self.refresh()

    def _soon(self) -> None:
        self._timer.start()

    # -- the comparison ----------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
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
        doc = self.document
        project = doc.project
        names = self.chosen_names()
        results, stale, pending = [], set(), set()
        # old figures are greyed once a solve takes a while, or when none is on its way
        # (a problem blocks it): a quick re-solve never makes the table flicker
        grey_old = bool(getattr(doc, "is_solving", False)) or not bool(
            getattr(doc, "solve_pending", False)
        )
        for name in names:
            r = doc.result(name)
            if r is None:
                pending.add(name)
                continue
            results.append(r)
            if not doc.result_is_current(name) and grey_old:
                stale.add(name)
        baseline = self._baseline
        # never let the core solve a missing baseline here, on the GUI thread
        base_result = None if baseline == SIZE_PROPORTIONAL else doc.result(baseline)
        base_pending = baseline != SIZE_PROPORTIONAL and base_result is None
        extra = base_result if base_result is not None and baseline not in names else None
        comparison: Comparison | None = None
        if names:
            use = results + ([extra] if extra is not None else [])
            against = None if base_pending else baseline
            try:
                comparison = compare_to_baseline(project, use, against)
            except ValidationError:  # the baseline has just gone: fall back to size alone
                self._baseline = SIZE_PROPORTIONAL
                comparison = compare_to_baseline(project, results, None)
                extra, base_pending = None, False
            if extra is not None:
                # the baseline was only lent for the figures: it is not a column
                comparison = replace(
                    comparison,
                    scenarios=tuple(s for s in comparison.scenarios if s.name != baseline),
                    parameters=parameter_differences(project, [r.name for r in results]),
                )
            if base_pending:
                comparison = replace(
                    comparison, baseline=baseline, baseline_kind="scenario", baseline_status=""
                )
        self.comparison = comparison
        chosen = getattr(project.chosen_scenario, "name", None)
        self.model.set_comparison(
            comparison,
            names,
            stale=stale,
            pending=pending,
            baseline_pending=base_pending,
            chosen=chosen,
        )
        self._span_section()
        self.chart.show_comparison(self.model)
        self.chart.set_stale(bool(stale) and len(stale) == len(results))
        self._show_differences(comparison, [r.name for r in results])
        self._say(names, stale, pending, base_pending)
        self._update_buttons()
        self.refreshed.emit()

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
        names = [str(self.model.value(r, 0)) for r in range(self.model.rowCount())]
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
        chosen = getattr(self.document.project.chosen_scenario, "name", None)
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
        from allocator.domain import edits

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
