"""The budget workbook: the split as an Excel file that still works as a spreadsheet.

The workbook goes into the bid and to every partner, so it has to read like a budget
(years across, totals that are live formulas, money in the project's currency), explain
itself (fair share, attainment, the limiting reason and the method in words), and be
safe to open: a partner called ``=HYPERLINK(...)`` is stored as text, never as a
formula.

The method in words comes from :mod:`allocator.report.method`, the one text the
command line and the app's Help show too; amounts and percentages in sentences go
through :mod:`allocator.domain.text`, so a heading and a measure read the same.

The content is laid out first as plain data (:func:`layout_workbook`), then written
with openpyxl. Keeping the layout separate lets the export benchmark write exactly
the same cells with another library and compare.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator import __version__
from allocator.domain.fields import spec_for
from allocator.domain.model import Partner, Project, Scenario
from allocator.domain.paths import describe_path
from allocator.domain.text import money, pct
from allocator.engine.result import (
    BUDGET,
    CAPACITY,
    EXCLUDED,
    FLOOR,
    LEAD_CAP,
    LEVEL,
    NEEDS_FLOOR,
    REASON_WORDS,
    RING_FENCE,
    SPREAD,
    PartnerResult,
    ScenarioResult,
)
from allocator.errors import ValidationError, WorkbookError
from allocator.formats.atomic import new_file_mode, sync_folder
from allocator.formats.decisions_sheet import decisions_sheets, summary_choice
from allocator.formats.tables import COLUMNS, clean_text, partner_row
from allocator.report.baseline import MEASURES as COMPARISON_MEASURES
from allocator.report.baseline import (
    Comparison,
    Measures,
    ParameterDifference,
    PartnerChange,
    ScenarioComparison,
    compare_to_baseline,
)
from allocator.report.method import method_text
from allocator.report.words import MEASURES as MEASURE_WORDS
from allocator.report.words import (
    NOT_SHOWN,
    UNBOUNDED,
    Measure,
    Shown,
    measure_values,
    status_text,
    with_fee_text,
)

if TYPE_CHECKING:  # only named in signatures: a workbook without a sweep needs no solver
    from allocator.report.sweep import Sweep

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
MAX_TITLE = 31
_TITLE_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_RESERVED_TITLES = ("history",)  # Excel keeps this sheet name for itself
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")

__all__ = [
    "ERROR_CODES",
    "FAST_PATH",
    "WorkbookError",
    "baseline_heading",
    "change_format",
    "currency_format",
    "layout_workbook",
    "render",
    "sheet_title",
    "workbook_bytes",
    "write_bytes_atomically",
    "write_workbook",
]


# ----------------------------------------------------------------------------------
# Layout: what goes where, independent of the library that writes it
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``text`` starts with '='."""

    text: str


@dataclass(frozen=True)
class Style:
    """A cell style; every text style carries quote_prefix so text is never read as a formula."""

    number_format: str = "General"
    bold: bool = False
    italic: bool = False
    size: float = 11
    color: str | None = None
    fill: str | None = None
    wrap: bool = False
    top_border: bool = False
    bottom_border: bool = False
    left_border: str | None = None  # its colour: white keeps wrapped headings apart
    align: str | None = None
    valign: str | None = None
    indent: int = 0
    quote_prefix: bool = False


@dataclass
class Chart:
    """A chart of columns on its own sheet (1-based rows and columns).

    ``kind`` "bar": a clustered bar chart with ``categories`` naming the bars.
    ``kind`` "scatter": lines through points, ``categories`` holding the numbers along
    the horizontal axis (titled ``x_title``, shown with ``x_number_format``).
    """

    title: str
    categories: tuple[int, int, int]  # column, first row, last row
    series: list[tuple[str, int, int, int]]  # name, column, first row, last row
    anchor: tuple[int, int]  # row, column of the top-left corner
    horizontal: bool
    axis_title: str
    number_format: str
    width_cm: float = 24.0
    height_cm: float = 10.0
    kind: str = "bar"
    x_title: str = ""
    x_number_format: str = "General"
    x_range: tuple[float, float] | None = None  # the horizontal axis from, to (scatter)


@dataclass
class SheetLayout:
    title: str
    cells: list[tuple[int, int, Any, str]] = field(default_factory=list)  # row, col, value, style
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    freeze: tuple[int, int] | None = None  # first unfrozen row, column
    print_title_rows: tuple[int, int] | None = None
    charts: list[Chart] = field(default_factory=list)
    tab_color: str | None = None
    fit_height: int = 0  # pages tall when printing fitted to one page wide (0: as many as needed)
    row_breaks: list[int] = field(default_factory=list)  # a page break after each of these rows
    print_areas: list[tuple[int, int, int, int]] = field(default_factory=list)  # each on new pages


@dataclass
class WorkbookLayout:
    title: str
    sheets: list[SheetLayout]
    styles: dict[str, Style]
    warnings: list[str]


def currency_format(code: str) -> str:
    """Excel number format for whole amounts in the project's currency."""
    known = {"GBP": "£#,##0", "EUR": "€#,##0", "USD": "$#,##0"}
    if code in known:
        return known[code]
    safe = re.sub(r"[^A-Za-z]", "", code)[:3] or "¤"  # the generic currency sign
    return f'#,##0 "{safe}"'


def change_format(code: str) -> str:
    """Excel number format for a change in money: "▲ +£1,200", "▼ -£1,200", "£0".

    Gains and losses read by their sign and arrow, never by colour alone.
    """
    base = currency_format(code)
    return f'"▲ "+{base};"▼ "-{base};{base}'


def _styles(currency: str) -> dict[str, Style]:
    money = currency_format(currency)
    change = change_format(currency)
    head = Style(
        bold=True,
        fill="DDE7F0",
        wrap=True,
        bottom_border=True,
        valign="bottom",
        left_border="FFFFFF",  # a gap between headings that wrap up to the column's edge
    )
    top = Style(valign="top")  # rows grown for wrapped text read from the top
    return {
        "title": Style(bold=True, size=14, quote_prefix=True),
        "subtitle": replace(top, italic=True, color="555555", wrap=True, quote_prefix=True),
        "header": replace(head, quote_prefix=True),
        "header_num": replace(head, align="right", quote_prefix=True),
        "reason_header": replace(head, indent=1, quote_prefix=True),
        "header_year": replace(head, number_format="0", align="right"),
        "text": replace(top, quote_prefix=True),
        "text_right": replace(top, align="right", wrap=True, quote_prefix=True),
        "wrap": replace(top, wrap=True, quote_prefix=True),
        "reason": replace(top, wrap=True, indent=1, quote_prefix=True),
        "label": replace(top, bold=True, wrap=True, quote_prefix=True),
        "label_total": replace(top, bold=True, top_border=True, quote_prefix=True),
        "memo": replace(top, italic=True, color="555555", wrap=True, quote_prefix=True),
        "memo_beside": replace(
            top, italic=True, color="555555", wrap=True, indent=1, quote_prefix=True
        ),
        "memo_right": replace(top, italic=True, color="555555", align="right", quote_prefix=True),
        "bad": replace(top, bold=True, color="9C0006", wrap=True, quote_prefix=True),
        "bad_beside": replace(top, bold=True, color="9C0006", indent=1, quote_prefix=True),
        "text_beside": replace(top, indent=1, quote_prefix=True),
        "money": replace(top, number_format=money),
        "money_total": replace(top, number_format=money, bold=True, top_border=True),
        "money_memo": replace(top, number_format=money, italic=True, color="555555"),
        # a partner left out of a scenario receives 0, shown as the words
        "money_left_out": replace(top, number_format=f'{money};-{money};"left out"'),
        "money_change": replace(top, number_format=change),
        "money_change_total": replace(top, number_format=change, bold=True, top_border=True),
        "percent_change": replace(top, number_format='"▲ "+0.0%;"▼ "-0.0%;0.0%'),
        "decimal_change": replace(top, number_format='"▲ "+0.000;"▼ "-0.000;0.000'),
        "score_change": replace(top, number_format='"▲ "+0.00;"▼ "-0.00;0.00'),
        "percent": replace(top, number_format="0.0%"),
        "percent_total": replace(top, number_format="0.0%", bold=True, top_border=True),
        "count": replace(top, number_format="#,##0"),
        "decimal": replace(top, number_format="#,##0.000"),
        "score": replace(top, number_format="0.00"),
        "plain": top,
    }


# How much text a column holds, for sizing rows of wrapped text. Widths are in Excel's
# units (characters of the default font); these ratios are on the safe side for Calibri
# and for the wider fonts LibreOffice substitutes when Calibri is missing.
_CHARS_PER_UNIT = {False: 1.2, True: 1.05}  # regular, bold
_LINE_PT = 15.0  # one line of 11-point text
_MAX_ROW_PT = 409.0  # Excel's tallest row
_DEFAULT_WIDTH = 8.43
_PRINT_WIDTH_PX = 1000  # A4 landscape inside 0.5-inch side margins, at 96 pixels an inch
_PRINT_HEIGHT_PT = 480.0  # and inside 0.75-inch top and bottom margins, in points
_WRAPPING = {name: st for name, st in _styles("GBP").items() if st.wrap}


def lines_needed(text: str, width: float, bold: bool = False, indent: int = 0) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` units wide.

    Lines break at spaces and after hyphens, as spreadsheet programs break them.
    """
    per_line = max(1, int((width - 0.5 - 2 * indent) * _CHARS_PER_UNIT[bold]))
    lines = 0
    for para in text.split("\n"):
        lines += 1
        used = 0
        for word in para.split():
            for k, piece in enumerate(_PIECES.findall(word)):
                n = len(piece) + (1 if k == 0 and used else 0)  # the space before a word
                if used and used + n <= per_line:
                    used += n
                    continue
                if used:
                    lines += 1
                used = len(piece)
                while used > per_line:
                    lines += 1
                    used -= per_line
    return lines


_PIECES = re.compile(r"[^-]*-|[^-]+")


def column_px(width: float) -> int:
    """A column's width on screen in pixels, as Excel draws it in Calibri 11."""
    return int(width * 7 + 5)


class _Sheet:
    """Collects one sheet's cells; every piece of text passes through :meth:`text`."""

    def __init__(self, title: str, warnings: list[str]):
        self.layout = SheetLayout(title)
        self.warnings = warnings
        self.removed = 0

    def text(self, row: int, col: int, value: Any, style: str = "text") -> None:
        if value is None:
            return
        s, n = clean_text(str(value), multiline=True)
        self.removed += n
        if len(s) > MAX_CELL_TEXT:
            s = s[: MAX_CELL_TEXT - 3] + "..."
            self.warnings.append(f"{self.layout.title}: a text was cut to Excel's cell limit")
        self.layout.cells.append((row, col, s, style))

    def num(self, row: int, col: int, value: float | None, style: str = "money") -> None:
        if value is None:
            return
        v = float(value)
        if not math.isfinite(v):
            self.text(row, col, NOT_SHOWN if math.isnan(v) else UNBOUNDED, "memo")
            return
        self.layout.cells.append((row, col, int(v) if v.is_integer() else v, style))

    def formula(self, row: int, col: int, text: str, style: str = "money") -> None:
        self.layout.cells.append((row, col, Formula(text), style))

    def width(self, col: int, width: float) -> None:
        self.layout.widths[col] = width

    def merge(self, row: int, first: int, last: int) -> None:
        """Merge one row's cells from column ``first`` to ``last`` (the text sits in the first)."""
        if last > first:
            self.layout.merges.append((row, first, row, last))

    def finish(self) -> SheetLayout:
        if self.removed:
            self.warnings.append(
                f"{self.layout.title}: removed {self.removed} control character(s) from text"
            )
        self._fit_rows()
        self._fit_print()
        return self.layout

    def _span(self, col: int, last: int) -> float:
        widths = self.layout.widths
        return sum(widths.get(c, _DEFAULT_WIDTH) for c in range(col, last + 1))

    def _fit_rows(self) -> None:
        """Make each row with wrapped text tall enough for its longest cell."""
        layout = self.layout
        spans = {(r1, c1): c2 for r1, c1, r2, c2 in layout.merges if r1 == r2}
        lines: dict[int, int] = {}
        for row, col, value, style in layout.cells:
            st = _WRAPPING.get(style)
            if st is None or not isinstance(value, str) or not value:
                continue
            width = self._span(col, spans.get((row, col), col))
            n = lines_needed(value, width, st.bold, st.indent)
            if n > lines.get(row, 1):
                lines[row] = n
        for row, n in lines.items():
            height = min(_MAX_ROW_PT, _LINE_PT * n + 3)
            layout.heights[row] = max(layout.heights.get(row, 0.0), height)

    def _fit_print(self) -> None:
        """Print one page tall when that shrinks the sheet only a little more than its width does."""
        layout = self.layout
        if not layout.cells or layout.print_areas or layout.row_breaks:
            return
        wide, tall = printed_size(layout)
        fitted = fitted_scale(wide)
        one_page = min(fitted, _PRINT_HEIGHT_PT / tall)
        if one_page >= 0.85 * fitted and one_page >= 0.6:
            layout.fit_height = 1

    def keep_together(self, blocks: Sequence[tuple[int, int]]) -> None:
        """Start a block of rows (first, last) on a new page when it would straddle one.

        Charts anchored in a block count towards its height. Call after finish(), once
        row heights are known; a block taller than a page is left to break where it falls.
        """
        layout = self.layout
        if layout.fit_height == 1:
            return  # it prints on one page
        page = _PRINT_HEIGHT_PT / fitted_scale(printed_size(layout)[0])
        heights = layout.heights

        def height(first: int, last: int) -> float:
            return sum(heights.get(r, _LINE_PT) for r in range(first, last + 1))

        titles = layout.print_title_rows
        page_top = 1
        for first, last in blocks:
            tall = height(first, last)
            for chart in layout.charts:
                if first <= chart.anchor[0] <= last:
                    below = height(first, chart.anchor[0] - 1) + chart.height_cm / 2.54 * 72
                    tall = max(tall, below)
            if titles and first <= titles[0] <= last and tall <= page:
                layout.print_title_rows = None  # its table fits a page: no header over the next
            used = height(page_top, first - 1)
            while used > page:  # the page broke on its own somewhere before
                used -= page
            if first > page_top and used + tall > page and tall <= page:
                layout.row_breaks.append(first - 1)
                page_top = first
            elif used + tall > page:
                page_top = first  # roughly: pages now fall inside the block
        if layout.row_breaks:
            layout.fit_height = 0


def fitted_scale(wide_px: float) -> float:
    """The print scale that fits ``wide_px`` across an A4 landscape page (at most 1)."""
    return min(1.0, _PRINT_WIDTH_PX / max(wide_px, 1.0))


def page_cm(layout: SheetLayout) -> float:
    """The height a chart may take and still print whole on one page, in centimetres."""
    widths = layout.widths
    wide = sum(column_px(widths.get(c, _DEFAULT_WIDTH)) for c in range(1, max(widths) + 1))
    return _PRINT_HEIGHT_PT / fitted_scale(wide) / 72 * 2.54 - 1.0


def printed_size(layout: SheetLayout) -> tuple[float, float]:
    """The sheet's used width in pixels and height in points, charts included."""
    widths, heights = layout.widths, layout.heights

    def left(col: int) -> float:
        return sum(column_px(widths.get(c, _DEFAULT_WIDTH)) for c in range(1, col))

    def top(row: int) -> float:
        return sum(heights.get(r, _LINE_PT) for r in range(1, row))

    last_row = max((r for r, _, _, _ in layout.cells), default=1)
    last_col = max((c for _, c, _, _ in layout.cells), default=1)
    wide, tall = left(last_col + 1), top(last_row + 1)
    for chart in layout.charts:
        row, col = chart.anchor
        wide = max(wide, left(col) + chart.width_cm / 2.54 * 96)
        tall = max(tall, top(row) + chart.height_cm / 2.54 * 72)
    return wide, tall


def col_letter(col: int) -> str:
    """Column letters for a 1-based index (1 -> A, 28 -> AB)."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _ref(row: int, col: int, absolute: bool = False) -> str:
    if absolute:
        return f"${col_letter(col)}${row}"
    return f"{col_letter(col)}{row}"


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet title for a name; ``used`` holds lower-cased titles taken.

    Excel allows at most 31 characters, none of []:*?/\\, no leading or trailing
    apostrophe, and compares titles ignoring case.
    """
    s, _ = clean_text(name)
    s = _TITLE_BAD.sub(" ", s)
    s = " ".join(s.split()).strip("'").strip() or "Partner"
    base = s[:MAX_TITLE].rstrip("'").rstrip() or "Partner"
    title, n = base, 2
    while title.lower() in used or title.lower() in _RESERVED_TITLES:
        suffix = f" ({n})"
        title = base[: MAX_TITLE - len(suffix)].rstrip("'").rstrip() + suffix
        n += 1
    used.add(title.lower())
    return title


# ----------------------------------------------------------------------------------
# The sheets
# ----------------------------------------------------------------------------------


def _status_words(result: ScenarioResult) -> str:
    return status_text(result.status)


def _line(p: PartnerResult, key: str, years: int) -> Sequence[int]:
    """One of a partner's budget lines per year (zeros when it has none)."""
    return tuple(p.lines.get(key, ())) or (0,) * years


def _fair_share(p: PartnerResult) -> Sequence[int]:
    """A partner's fair share per year in whole units, rounded as the engine rounds it.

    Shown in whole units, the fair shares add up to the distributable budget and equal
    the size-proportional split where a scenario is that split.
    """
    return p.fair_share_whole


def _limit_words(p: PartnerResult, years: Sequence[int]) -> str:
    reasons = p.limited_by_per_year
    if not reasons:
        return ""
    if all(r == reasons[0] for r in reasons):
        return REASON_WORDS.get(reasons[0], reasons[0])
    return "; ".join(f"{y}: {REASON_WORDS.get(r, r)}" for y, r in zip(years, reasons, strict=False))


def _project_partner(project: Project, p: PartnerResult) -> Partner | None:
    if 0 <= p.index < len(project.partners) and project.partners[p.index].id == p.id:
        return project.partners[p.index]
    for q in project.partners:
        if q.id == p.id:
            return q
    return None


def _scenario_of(project: Project, result: ScenarioResult) -> Scenario | None:
    """The scenario a result was solved for: by position, else by name."""
    if 0 <= result.index < len(project.scenarios):
        s = project.scenarios[result.index]
        if s.name == result.name:
            return s
    for s in project.scenarios:
        if s.name == result.name:
            return s
    return None


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


# The measures of a split, as the Summary and the Scenarios sheet show them: the label,
# the result's metric, and the cell style (percentages to one decimal, as text.pct writes).
def _measure_style(m: Measure) -> str:
    """The cell style that shows a measure as the app and the command line show it."""
    if m.shown is Shown.FRACTION:
        return "percent"
    if m.shown is Shown.MONEY:
        return "money"
    return "decimal" if m.digits == 3 else "score"


MEASURES: tuple[tuple[str, str, str], ...] = tuple(
    (m.name, m.key, _measure_style(m)) for m in MEASURE_WORDS
)


def _summary(project: Project, result: ScenarioResult, warnings: list[str]) -> SheetLayout:
    """Partners by year for the chosen scenario, with live totals and a chart."""
    sh = _Sheet("Summary", warnings)
    years = result.years
    ny = len(years)
    sh.text(1, 1, project.name, "title")
    sh.text(2, 1, "Scenario", "label")
    sh.text(2, 2, result.name)
    sh.text(3, 1, "Status", "label")
    if not result.ok:
        sh.text(3, 2, f"{_status_words(result)}: {result.message}", "bad")
        sh.merge(3, 2, 4)
        sh.width(1, 38)
        _not_solved(sh, project, result, 5)
        sh.layout.tab_color = "C00000"
        return sh.finish()

    c_bf, c_lead, c_y0 = 2, 3, 4
    c_tot = c_y0 + ny
    c_share, c_fs, c_att, c_sp, c_chg, c_why = range(c_tot + 1, c_tot + 7)
    sh.text(3, 2, result.message or _status_words(result), "wrap")
    sh.merge(3, 2, c_why)
    summary_choice(sh, project, result.name, 4, c_why)
    head = 5
    sh.text(head, 1, "Partner", "header")
    sh.text(head, c_bf, "By and for", "header")
    sh.text(head, c_lead, "Lead", "header")
    for i, y in enumerate(years):
        sh.num(head, c_y0 + i, y, "header_year")
    for c, label in (
        (c_tot, "Total"),
        (c_share, "Share of budget"),
        (c_fs, "Fair share"),
        (c_att, "Attainment (total ÷ fair share)"),
        (c_sp, "Size-proportional split"),
        (c_chg, "Change against it"),
    ):
        sh.text(head, c, label, "header_num")
    sh.text(head, c_why, "What limits it", "reason_header")

    first = head + 1
    partners = result.partners
    last = first + len(partners) - 1
    fee_row = last + 1
    total_row = fee_row + 1
    bf_row = total_row + 1
    budget_row = bf_row + 1
    check_row = budget_row + 1
    lead_name = lead_note = ""
    for k, p in enumerate(partners):
        r = first + k
        sh.text(r, 1, p.name, "wrap")
        sh.text(r, c_bf, _yes_no(p.by_and_for))
        sh.text(r, c_lead, _yes_no(p.lead), "label" if p.lead else "text")
        for i, v in enumerate(p.per_year):
            sh.num(r, c_y0 + i, v)
        sh.formula(r, c_tot, f"=SUM({_ref(r, c_y0)}:{_ref(r, c_tot - 1)})")
        sh.formula(
            r,
            c_share,
            f"=IF({_ref(total_row, c_tot, True)}>0,"
            f"{_ref(r, c_tot)}/{_ref(total_row, c_tot, True)},0)",
            "percent",
        )
        sh.num(r, c_fs, sum(_fair_share(p)))
        sh.formula(
            r, c_att, f"=IF({_ref(r, c_fs)}>0,{_ref(r, c_tot)}/{_ref(r, c_fs)},0)", "percent"
        )
        sh.num(r, c_sp, sum(p.size_proportional))
        if p.lead and sum(_line(p, "management", ny)) > 0:
            lead_name = p.name
            lead_note = (
                f"{p.name} receives {with_fee_text(p.received, p.fee_total, project.currency)}: "
                "its change against the size-proportional split counts the fee."
            )
            change = f"={_ref(r, c_tot)}+{_ref(fee_row, c_tot, True)}-{_ref(r, c_sp)}"
        else:
            change = f"={_ref(r, c_tot)}-{_ref(r, c_sp)}"
        sh.formula(r, c_chg, change)
        why = _limit_words(p, years) if p.included else REASON_WORDS["excluded"]
        sh.text(r, c_why, why, "reason")
    if lead_name:
        sh.text(fee_row, 1, f"Management fee (kept by the lead, {lead_name})", "wrap")
    else:
        sh.text(fee_row, 1, "Management fee (kept by the lead)", "wrap")
    sh.merge(fee_row, 1, c_lead)
    for i, v in enumerate(result.fee):
        sh.num(fee_row, c_y0 + i, v)
    sh.formula(fee_row, c_tot, f"=SUM({_ref(fee_row, c_y0)}:{_ref(fee_row, c_tot - 1)})")
    sh.formula(
        fee_row,
        c_share,
        f"=IF({_ref(total_row, c_tot, True)}>0,"
        f"{_ref(fee_row, c_tot)}/{_ref(total_row, c_tot, True)},0)",
        "percent",
    )
    sh.text(total_row, 1, "Total", "label_total")
    sh.text(total_row, c_bf, "", "label_total")
    sh.text(total_row, c_lead, "", "label_total")
    for c in range(c_y0, c_tot + 1):
        sh.formula(total_row, c, f"=SUM({_ref(first, c)}:{_ref(fee_row, c)})", "money_total")
    sh.formula(
        total_row,
        c_share,
        f"=IF({_ref(total_row, c_tot)}>0,{_ref(total_row, c_tot)}/{_ref(total_row, c_tot)},0)",
        "percent_total",
    )
    for c in (c_fs, c_sp, c_chg):
        sh.formula(total_row, c, f"=SUM({_ref(first, c)}:{_ref(last, c)})", "money_total")
    sh.text(total_row, c_att, "", "label_total")  # keeps the rule above the totals unbroken
    sh.text(bf_row, 1, "of which by-and-for partners", "memo")
    sh.merge(bf_row, 1, c_lead)
    bf_range = f"{_ref(first, c_bf, True)}:{_ref(last, c_bf, True)}"
    for c in range(c_y0, c_tot + 1):
        sh.formula(
            bf_row, c, f'=SUMIF({bf_range},"yes",{_ref(first, c)}:{_ref(last, c)})', "money_memo"
        )
    sh.formula(
        bf_row,
        c_share,
        f"=IF({_ref(total_row, c_tot, True)}>0,"
        f"{_ref(bf_row, c_tot)}/{_ref(total_row, c_tot, True)},0)",
        "percent",
    )
    sh.text(budget_row, 1, "Budget (the grant)")
    sh.merge(budget_row, 1, c_lead)
    for i, b in enumerate(result.budget):
        sh.num(budget_row, c_y0 + i, b)
    sh.formula(budget_row, c_tot, f"=SUM({_ref(budget_row, c_y0)}:{_ref(budget_row, c_tot - 1)})")
    sh.text(check_row, 1, "Check: total minus budget (0 when it adds up)", "memo")
    sh.merge(check_row, 1, c_lead)
    for c in range(c_y0, c_tot + 1):
        sh.formula(check_row, c, f"={_ref(total_row, c)}-{_ref(budget_row, c)}", "money_memo")
    if lead_note:
        sh.text(check_row + 1, 1, lead_note, "memo")

    row = check_row + 3
    measures_head = row
    sh.text(row, 1, "Measures of the split", "header")
    sh.text(row, 2, "", "header")
    sh.merge(row, 2, c_lead)
    values = measure_values(result.metrics)
    for label, attr, style in MEASURES:
        row += 1
        sh.text(row, 1, label, "wrap")
        sh.num(row, 2, values[attr], style)
        sh.merge(row, 2, c_lead)

    sh.width(1, min(45, max(30, max((len(p.name) for p in partners), default=0) + 2)))
    # money columns as wide as the largest figure (the total budget) in bold, and a little
    money_width = max(12, len(money(sum(result.budget), project.currency)) + 2)
    for c in (*range(c_y0, c_tot + 1), c_fs, c_sp, c_chg):
        sh.width(c, money_width)
    for c, w in (
        (c_bf, 9),
        (c_lead, 7),
        (c_share, 10),
        (c_att, 12),
        (c_sp, max(money_width, 13)),
        (c_why, 42),
    ):
        sh.width(c, w)
    sh.layout.freeze = (head + 1, 2)
    sh.layout.print_title_rows = (head, head)
    # the chart sits beside the measures, under the money columns, clear of both tables
    beside = c_y0 + 1
    room = sum(column_px(sh.layout.widths[c]) for c in range(beside, c_why + 1)) / 96 * 2.54
    sh.layout.charts.append(
        Chart(
            title="Grant against fair share, all years",
            categories=(1, first, last),
            series=[("Grant", c_tot, first, last), ("Fair share", c_fs, first, last)],
            anchor=(measures_head + 1, beside),  # a row down: no sliver on the page before
            horizontal=True,
            axis_title=project.currency,
            number_format=currency_format(project.currency),
            width_cm=max(16.0, min(24.0, room - 0.5)),
            height_cm=min(page_cm(sh.layout), max(8.0, 0.9 * len(partners) + 4)),
        )
    )
    sh.finish()
    sh.keep_together([(1, check_row + 1), (measures_head, row)])
    return sh.layout


def _value_style(path: str) -> str:
    """The cell style for a value of the field at ``path`` (money, share, score, ...)."""
    try:
        kind = spec_for(path).kind
    except (KeyError, ValueError, ValidationError):
        return "decimal"
    return {
        "money": "money",
        "count": "count",
        "share": "percent",
        "rate": "percent",
        "score": "score",
        "ratio": "score",
        "year": "plain",
    }.get(kind, "decimal")


def _not_solved(sh: _Sheet, project: Project, result: ScenarioResult, row: int) -> int:
    """Why there is no split and what would make one, in columns A to D."""
    sh.width(2, 14)
    sh.width(3, 14)
    sh.width(4, 60)
    sh.text(row, 1, f"This scenario has no split: it {_status_words(result)}.", "bad")
    sh.merge(row, 1, 4)
    row += 1
    if result.message:
        sh.text(row, 1, result.message, "wrap")
        sh.merge(row, 1, 4)
        row += 1
    problems = result.problems
    if problems:
        row += 1
        sh.text(row, 1, "To fix first", "header")
        sh.text(row, 2, "", "header")
        sh.merge(row, 2, 4)
        for path, message in problems:
            row += 1
            sh.text(row, 1, describe_path(project, path) if path else "The project", "wrap")
            sh.text(row, 2, message, "wrap")
            sh.merge(row, 2, 4)
        row += 1
    for check in result.checks:
        sh.text(row, 1, check, "wrap")
        sh.merge(row, 1, 4)
        row += 1
    if result.relaxations:
        row += 1
        sh.text(row, 1, "Changes that together would make it solve", "header")
        sh.text(row, 2, "From", "header_num")
        sh.text(row, 3, "To", "header_num")
        sh.text(row, 4, "Why", "reason_header")
        for rel in result.relaxations:
            row += 1
            style = _value_style(rel.field)
            sh.text(row, 1, describe_path(project, rel.field), "wrap")
            sh.num(row, 2, rel.from_value, style)
            sh.num(row, 3, rel.to_value, style)
            sh.text(row, 4, rel.explanation, "reason")
        zero = result.after_relaxations_zero
        if zero:
            row += 1
            sh.text(
                row, 1, "After these changes, nothing in a year for: " + ", ".join(zero), "wrap"
            )
            sh.merge(row, 1, 4)
    alternative = result.budget_alternative
    if alternative is not None:
        row += 2
        span = f"{result.years[0]}-{result.years[-1]}" if len(result.years) > 1 else "the year"
        sh.text(
            row,
            1,
            f"Or, instead of these changes: a total grant of {money(alternative, result.currency)} "
            f"over {span} would make this scenario solve as it stands.",
            "wrap",
        )
        sh.merge(row, 1, 4)
    return row


# A partner sheet's "What limits it" row names the reason per year in a word or two;
# the paragraph under it says it in full.
_REASON_SHORT = {
    BUDGET: "the budget",
    CAPACITY: "capacity",
    FLOOR: "its floor",
    NEEDS_FLOOR: "needs floor",
    RING_FENCE: "ring-fence",
    SPREAD: "spread limit",
    LEAD_CAP: "lead cap",
    LEVEL: "common level",
    EXCLUDED: "left out",
}


def _roles(p: PartnerResult) -> str:
    roles = []
    if p.lead:
        roles.append("lead partner")
    if p.by_and_for:
        roles.append("by-and-for organisation")
    return ", ".join(roles).capitalize() if roles else "Partner"


def _figure(x: float) -> str:
    """A need or a base in a sentence: whole above 100, else to three significant digits."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def need_words(
    project: Project, scenario: Scenario | None, result: ScenarioResult, p: PartnerResult
) -> str:
    """How a partner's need and fair share are worked out, with its own figures."""
    info = _project_partner(project, p)
    taking_part = [q for q in result.partners if q.included]
    total = sum(q.need for q in taking_part)
    share = p.need / total if total > 0 else 0.0
    text = ""
    if scenario is not None and info is not None:
        d, b = info.multiple_disadvantage, info.back_office_capacity
        w = scenario.weights
        base_words = {
            "capacity": ("its capacity", info.capacity),
            "reach": ("the people it serves a year", info.reach),
            "equal": ("1 for every partner", 1.0),
        }
        words, base = base_words.get(scenario.basis, ("its base", None))
        if d is not None and b is not None and base is not None:
            factor = 1 + w.multiple_disadvantage * d + w.back_office_gap * (1 - b)
            text = (
                f"n = {words}, {_figure(base)}, × (1 + {w.multiple_disadvantage:g} × {d:g} "
                f"+ {w.back_office_gap:g} × (1 − {b:g})) = {_figure(base)} × {factor:.4g}: "
                "its base × (1 + w_d × its multiple disadvantage score + w_b × its "
                "back-office gap), see Method. "
            )
    core = scenario.core_share if scenario is not None else 0.0
    everyone = f"the {len(taking_part)} partners taking part"
    if core > 0:
        text += (
            f"Its fair share of each year is the distributable budget × ({pct(core, 1)} ÷ "
            f"{len(taking_part)} + {pct(1 - core, 1)} × {_figure(p.need)} ÷ {_figure(total)}): "
            f"an equal core grant for each of {everyone}, and the rest in proportion to need "
            f"({_figure(total)} is the total need of {everyone})."
        )
    else:
        text += (
            f"Its fair share of each year is the distributable budget × {_figure(p.need)} ÷ "
            f"{_figure(total)}, the total need of {everyone}: {pct(share, 1)} of it."
        )
    return text


def _partner_sheet(
    project: Project, result: ScenarioResult, p: PartnerResult, title: str, warnings: list[str]
) -> SheetLayout:
    """The MoU budget breakdown of one partner, with its fair share and the reason in words."""
    sh = _Sheet(title, warnings)
    years = result.years
    ny = len(years)
    c_tot = 2 + ny
    # paragraphs run two columns past the figures when there is room on the page
    c_text = c_tot + 2 if ny <= 4 else c_tot
    info = _project_partner(project, p)
    sh.text(1, 1, p.name, "title")
    sh.text(2, 1, "Scenario", "label")
    sh.text(2, 2, result.name)
    sh.text(3, 1, "Role", "label")
    sh.text(3, 2, _roles(p))
    sh.width(1, 48)
    money_width = max(14, len(money(sum(result.budget), project.currency)) + 2)
    for c in range(2, c_text + 1):
        sh.width(c, money_width)
    if not p.included:
        sh.text(5, 1, "Left out of this scenario: no grant.", "bad")
        if info is not None and info.notes:
            sh.text(7, 1, "Notes", "label")
            sh.text(7, 2, info.notes, "wrap")
            sh.merge(7, 2, c_text)
        return sh.finish()

    head = 5
    sh.text(head, 1, "Budget line", "header")
    for i, y in enumerate(years):
        sh.num(head, 2 + i, y, "header_year")
    sh.text(head, c_tot, "Total", "header_num")

    def line(row: int, label: str, values: Sequence[float], style: str = "money") -> None:
        sh.text(row, 1, label, "memo" if style == "money_memo" else "wrap")
        for i, v in enumerate(values):
            sh.num(row, 2 + i, v, style)
        sh.formula(row, c_tot, f"=SUM({_ref(row, 2)}:{_ref(row, c_tot - 1)})", style)

    def summed(row: int, label: str, parts: Sequence[int]) -> None:
        sh.text(row, 1, label, "label_total")
        for c in range(2, c_tot + 1):
            sh.formula(row, c, "=" + "+".join(_ref(r, c) for r in parts), "money_total")

    rate = p.back_office_rate
    delivery, back_office = _line(p, "delivery", ny), _line(p, "back_office", ny)
    r_del, r_bo, r_grant = head + 1, head + 2, head + 3
    line(r_del, "Delivery", delivery)
    line(r_bo, f"Back-office (full cost recovery at {pct(rate, 1)} of delivery)", back_office)
    summed(r_grant, "Grant total (delivery + back-office)", (r_del, r_bo))
    row = r_grant
    if p.lead:
        line(row + 1, "Management fee (coordinating the partnership)", _line(p, "management", ny))
        summed(row + 2, "Total received (grant + management fee)", (r_grant, row + 1))
        row += 2
    for i, y in enumerate(years):
        if delivery[i] + back_office[i] != p.per_year[i]:
            warnings.append(
                f"{p.name}: delivery and back-office lines do not add up to the grant in {y}"
            )
    row += 2
    line(
        row,
        "of which unrestricted (memo: part of the grant, not extra money)",
        _line(p, "unrestricted", ny),
        "money_memo",
    )
    row += 2
    r_fs = row
    line(r_fs, "Fair share", _fair_share(p))
    r_att = r_fs + 1
    sh.text(r_att, 1, "Attainment (grant ÷ fair share)")
    for c in range(2, c_tot + 1):
        sh.formula(
            r_att,
            c,
            f"=IF({_ref(r_fs, c)}>0,{_ref(r_grant, c)}/{_ref(r_fs, c)},0)",
            "percent",
        )
    r_lim = r_att + 1
    sh.text(r_lim, 1, "What limits it")
    for i, reason in enumerate(p.limited_by_per_year):
        sh.text(r_lim, 2 + i, _REASON_SHORT.get(reason, reason), "text_right")
    r_sp = r_lim + 1
    line(r_sp, "Size-proportional split", p.size_proportional)
    r_chg = r_sp + 1
    sh.text(r_chg, 1, "Change against it" + (" (fee included)" if p.lead else ""))
    received = r_grant + (2 if p.lead else 0)
    for c in range(2, c_tot + 1):
        sh.formula(r_chg, c, f"={_ref(received, c)}-{_ref(r_sp, c)}")
    row = r_chg + 2
    for label, text in (
        ("Why", p.reason or _limit_words(p, years)),
        ("Notes", info.notes if info is not None else ""),
    ):
        if not text:
            continue
        sh.text(row, 1, label, "label")
        sh.text(row, 2, text, "wrap")
        sh.merge(row, 2, c_text)
        row += 2
    # the need and the rate with how each is worked out beside them, in the columns after
    scenario = _scenario_of(project, result)
    sh.text(row, 1, "Need (n): its fair share is in proportion to it", "label")
    sh.num(row, 2, p.need, "decimal" if abs(p.need) < 1000 else "count")
    sh.text(row, 3, need_words(project, scenario, result, p), "memo_beside")
    sh.merge(row, 3, c_text)
    row += 1
    sh.text(row, 1, "Back-office rate (full cost recovery)", "label")
    sh.num(row, 2, rate, "percent")
    if scenario is not None and info is not None and info.back_office_capacity is not None:
        r = scenario.back_office_rate
        sh.text(
            row,
            3,
            f"base rate {pct(r.base, 1)} + uplift {pct(r.uplift, 1)} × its back-office gap "
            f"(1 − {info.back_office_capacity:g}); the back-office line is the grant × rate ÷ "
            "(1 + rate), the rest is delivery.",
            "memo_beside",
        )
        sh.merge(row, 3, c_text)
    sh.layout.freeze = (head + 1, 2)
    sh.layout.print_title_rows = (head, head)
    return sh.finish()


# ----------------------------------------------------------------------------------
# The Scenarios sheet: every scenario against one baseline
# ----------------------------------------------------------------------------------

# The cell style of a measure's change: a share changes in percentage points.
_CHANGE_STYLE = {"percent": "percent_change", "decimal": "decimal_change", "score": "score_change"}


def baseline_heading(comparison: Comparison) -> str:
    """The baseline in words for a heading: "against the size-proportional split (bigger slice)"."""
    if comparison.baseline_is_scenario:
        return f"against the scenario {comparison.baseline!r}"
    return "against the size-proportional split (bigger slice)"


@dataclass
class _Columns:
    """The Scenarios sheet's columns: labels in A, the baseline in B, one column per scenario.

    Every table of the sheet (what partners receive, the changes, the measures, the
    settings) is laid out by :func:`_block` over these columns, so a further
    comparison is one more block.
    """

    scenarios: list[ScenarioComparison]
    base: int = 2
    first: int = 3

    def col(self, j: int) -> int:
        return self.first + j

    @property
    def last(self) -> int:
        return self.first + max(1, len(self.scenarios)) - 1


_CellSpec = tuple[Any, str] | None  # (a number, a text or a Formula; the style), or blank


def _put(sh: _Sheet, row: int, col: int, cell: _CellSpec) -> None:
    if cell is None:
        return
    value, style = cell
    if isinstance(value, Formula):
        sh.formula(row, col, value.text, style)
    elif isinstance(value, str):
        sh.text(row, col, value, style)
    else:
        sh.num(row, col, value, style)


def _block(
    sh: _Sheet,
    cols: _Columns,
    row: int,
    title: str,
    labels: Sequence[str],
    value: Callable[[int, ScenarioComparison, int], _CellSpec],
    base: Callable[[int], _CellSpec] | None = None,
    base_title: str = "",
    first: int | None = None,
    every: bool = False,
) -> int:
    """A table headed at ``row``: one row per label, one column per scenario; its last row.

    ``value(j, scenario, k)`` gives the cell of row ``k`` for scenario ``j``, asked only
    for scenarios with a split unless ``every``; ``base(k)`` the baseline column's.
    ``first`` is the first row under the heading (the next row unless given).
    """
    _header(sh, cols, row, title, base_title)
    first = row + 1 if first is None else first
    for k, label in enumerate(labels):
        r = first + k
        sh.text(r, 1, label, "wrap")
        if base is not None:
            _put(sh, r, cols.base, base(k))
        for j, s in enumerate(cols.scenarios):
            if s.ok or every:
                _put(sh, r, cols.col(j), value(j, s, k))
    return first + len(labels) - 1


def _sum_row(sh: _Sheet, cols: _Columns, row: int, first: int, style: str, base: bool) -> None:
    """A "Total" row summing the block above it, scenario by scenario."""
    sh.text(row, 1, "Total", "label_total")
    columns = [cols.base] if base else []
    columns += [cols.col(j) for j, s in enumerate(cols.scenarios) if s.ok]
    for c in range(cols.base, cols.last + 1):
        if c in columns:
            sh.formula(row, c, f"=SUM({_ref(first, c)}:{_ref(row - 1, c)})", style)
        else:
            sh.text(row, c, "", "label_total")  # keeps the rule above the total unbroken


def _mixed(row: int, col: int) -> str:
    """A reference fixed to its column: ``$B6`` (copied across, it still reads the baseline)."""
    return f"${col_letter(col)}{row}"


def _partner_change(s: ScenarioComparison, pid: str) -> PartnerChange | None:
    try:
        return s.partner(pid)
    except KeyError:
        return None


def _one_baseline(comparison: Comparison) -> bool:
    """Whether every scenario is measured from the same amounts, so one column shows them.

    The size-proportional split shares the grant between the partners taking part, so a
    scenario that leaves partners out has its own; then each scenario's is shown.
    """
    base = comparison.baseline_received
    if base is None:
        return False
    for s in comparison.scenarios:
        for i, p in enumerate(comparison.partners):
            pc = _partner_change(s, p.id) if s.ok else None
            if pc is not None and pc.baseline is not None and pc.baseline != base[i]:
                return False
    return True


def _one_baseline_measures(comparison: Comparison) -> Measures | None:
    """The baseline's measures when they are one set for every scenario, else None.

    A named scenario has one set; the size-proportional split's are read with each
    scenario's own needs, so they differ from scenario to scenario.
    """
    found = [s.baseline_measures for s in comparison.scenarios if s.ok]
    first = found[0] if found else None
    if first is None or any(m is None or m.to_json() != first.to_json() for m in found):
        return None
    return first


def _scenarios(
    project: Project, shown: str, comparison: Comparison, warnings: list[str]
) -> SheetLayout:
    """Every scenario against the baseline: amounts, changes in money and percent, measures."""
    sh = _Sheet("Scenarios", warnings)
    cmp = comparison
    cols = _Columns(list(cmp.scenarios))
    currency = cmp.currency
    years = cmp.years
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else f"{years[0]}"
    named = cmp.baseline_is_scenario
    base_ok = cmp.baseline_status == "optimal"
    sh.text(1, 1, f"Scenarios side by side, {baseline_heading(cmp)}", "title")
    if named:
        about = (
            f"The baseline is the scenario {cmp.baseline!r}: each change is what the partner "
            f"receives in a scenario minus what it receives in {cmp.baseline!r}."
        )
    else:
        about = (
            "The baseline is the size-proportional split of the same budget: each year's "
            "whole grant shared in proportion to capacity, ignoring needs and every rule "
            "(see Method). Each change is what the partner receives minus that amount, as "
            "on the Summary."
        )
    sh.text(
        2,
        1,
        f"What each partner receives over {span} (the lead's management fee included), and "
        f"the change against the baseline in money and in percent: ▲ gains, ▼ loses. {about} "
        f"The changes are formulas: scenario minus baseline. The other sheets show {shown!r}.",
        "subtitle",
    )
    sh.merge(2, 1, cols.last)

    head = 4
    base_title = f"Baseline: {cmp.baseline}" if named else "Baseline: size-proportional split"
    one_base = base_ok and _one_baseline(cmp)
    sh.text(head + 1, 1, "Status", "label")
    if named:
        status = status_text(cmp.baseline_status)
        sh.text(head + 1, cols.base, status, "text_right" if base_ok else "bad")
    any_bad = any(not s.ok for s in cmp.scenarios)
    for j, s in enumerate(cmp.scenarios):
        words = status_text(s.status)
        sh.text(head + 1, cols.col(j), words, "text_right" if s.ok else "bad")
        if not s.ok and s.message:
            sh.text(head + 2, cols.col(j), s.message, "wrap")
    if any_bad:
        sh.text(head + 2, 1, "Why it has no split", "label")

    partners = list(cmp.partners)
    names = [p.name for p in partners]
    # the lead's amounts hold its fee, beside partners' that hold none: the memo says so
    lead = next((p.name for p in partners if p.lead), "")
    nothing: _CellSpec = None

    def received(j: int, s: ScenarioComparison, k: int) -> _CellSpec:
        pc = _partner_change(s, partners[k].id)
        if pc is None:
            return nothing
        return pc.received, "money" if pc.included else "money_left_out"

    def base_amount(k: int) -> _CellSpec:
        if not one_base or cmp.baseline_received is None:
            return nothing
        return cmp.baseline_received[k], "money"

    # what each partner receives: the block's heading row is the sheet's header row
    first = head + (3 if any_bad else 2)
    last = _block(sh, cols, head, "Partner", names, received, base_amount, base_title, first)
    total_row = last + 1
    _sum_row(sh, cols, total_row, first, "money_total", one_base)
    fee_row = total_row + 1
    fee_words = f"of which the lead's management fee (in {lead}'s amount)" if lead else ""
    sh.text(fee_row, 1, fee_words or "of which the lead's management fee", "memo")
    for j, s in enumerate(cmp.scenarios):
        if s.ok:
            sh.num(fee_row, cols.col(j), s.fee, "money_memo")
    if named and one_base:
        base_fee = next((s.fee for s in cmp.scenarios if s.name == cmp.baseline), None)
        sh.num(fee_row, cols.base, base_fee, "money_memo")
    blocks = [(1, fee_row)]
    row = fee_row + 2

    # where each scenario has its own baseline, the amounts it is measured from
    base_row: dict[str, int] = {}  # scenario name -> the row of its first partner's baseline
    if base_ok and not one_base:
        block_head = row

        def own_base(j: int, s: ScenarioComparison, k: int) -> _CellSpec:
            pc = _partner_change(s, partners[k].id)
            return nothing if pc is None or pc.baseline is None else (pc.baseline, "money")

        what = (
            "The baseline for each scenario: the size-proportional split between the "
            "partners taking part"
            if not named
            else f"The baseline: what each partner receives in {cmp.baseline!r}"
        )
        end = _block(sh, cols, row, what, names, own_base)
        _sum_row(sh, cols, end + 1, row + 1, "money_total", False)
        base_row = {s.name: row + 1 for s in cmp.scenarios}
        blocks.append((block_head, end + 1))
        row = end + 3

    def base_ref(j: int, k: int) -> str:
        s = cmp.scenarios[j]
        if s.name in base_row:
            return _ref(base_row[s.name] + k, cols.col(j))
        return _mixed(first + k, cols.base)

    change_first = 0
    if base_ok:
        change_head = row

        def change(j: int, s: ScenarioComparison, k: int) -> _CellSpec:
            pc = _partner_change(s, partners[k].id)
            if pc is None or pc.change is None:
                return nothing
            return Formula(f"={_ref(first + k, cols.col(j))}-{base_ref(j, k)}"), "money_change"

        end = _block(sh, cols, row, "Change against the baseline (fee included)", names, change)
        change_first = row + 1
        _sum_row(sh, cols, end + 1, change_first, "money_change_total", False)
        blocks.append((change_head, end + 1))
        row = end + 3

        def percent(j: int, s: ScenarioComparison, k: int) -> _CellSpec:
            pc = _partner_change(s, partners[k].id)
            if pc is None or pc.change is None:
                return nothing
            base = base_ref(j, k)
            changed = _ref(change_first + k, cols.col(j))
            return Formula(f'=IF({base}<>0,{changed}/{base},"")'), "percent_change"

        percent_head = row
        end = _block(sh, cols, row, "Change against the baseline (%)", names, percent)
        blocks.append((percent_head, end))
        row = end + 2
    else:
        why = status_text(cmp.baseline_status)
        sh.text(
            row,
            1,
            f"The baseline {cmp.baseline!r} has no split (it {why}), so there are no changes "
            "to show: choose another baseline.",
            "bad",
        )
        sh.merge(row, 1, cols.last)
        row += 2

    # the measures of each split, the baseline's, and the change
    labels = [label for label, _, _ in MEASURES]
    one_measures = _one_baseline_measures(cmp)

    def measure_cell(measures: Measures | None, k: int) -> _CellSpec:
        _, attr, style = MEASURES[k]
        v = None if measures is None else measures.get(attr)
        return nothing if v is None else (v, style)

    def measure(j: int, s: ScenarioComparison, k: int) -> _CellSpec:
        return measure_cell(s.measures, k)

    def base_measure(k: int) -> _CellSpec:
        return measure_cell(one_measures, k)

    measures_head = row
    end = _block(
        sh,
        cols,
        row,
        "Measures of the split",
        labels,
        measure,
        base_measure if one_measures is not None else None,
        base_title if one_measures is not None else "",
    )
    measures_first = row + 1
    blocks.append((measures_head, end))
    row = end + 2
    base_measures_first = 0
    if one_measures is None and any(s.baseline_measures is not None for s in cmp.scenarios):

        def own_measure(j: int, s: ScenarioComparison, k: int) -> _CellSpec:
            return measure_cell(s.baseline_measures, k)

        block_head = row
        end = _block(
            sh,
            cols,
            row,
            "Measures of the size-proportional split, read with each scenario's needs",
            labels,
            own_measure,
        )
        base_measures_first = row + 1
        blocks.append((block_head, end))
        row = end + 2

    def measure_change(j: int, s: ScenarioComparison, k: int) -> _CellSpec:
        _, attr, style = MEASURES[k]
        change = None if s.measure_changes is None else s.measure_changes.get(attr)
        if change is None:
            return ("n/a", "memo_right") if s.measures is not None else nothing
        now = _ref(measures_first + k, cols.col(j))
        if base_measures_first:
            then = _ref(base_measures_first + k, cols.col(j))
        else:
            then = _mixed(measures_first + k, cols.base)
        return Formula(f"={now}-{then}"), _CHANGE_STYLE.get(style, "decimal_change")

    if any(s.measure_changes is not None for s in cmp.scenarios):
        block_head = row
        end = _block(
            sh,
            cols,
            row,
            "Change in the measures against the baseline (shares in percentage points)",
            labels,
            measure_change,
        )
        blocks.append((block_head, end))
        row = end + 2

    # the settings that differ between the scenarios
    if cmp.parameters:
        compared = [s.name for s in cmp.scenarios]
        at = compared.index(cmp.baseline) if named and cmp.baseline in compared else None

        def setting(d: ParameterDifference, j: int) -> _CellSpec:
            v = d.values[j]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return v, _value_style(f"scenarios[0].{d.path}")
            return d.shown[j], "text_right"

        block_head = row
        diffs = list(cmp.parameters)
        end = _block(
            sh,
            cols,
            row,
            "Settings that differ between the scenarios",
            [d.label for d in diffs],
            lambda j, s, k: setting(diffs[k], j),
            (lambda k: setting(diffs[k], at)) if at is not None else None,
            base_title if at is not None else "",
            every=True,  # a setting is shown even where its scenario has no split
        )
        blocks.append((block_head, end))
        row = end + 2

    longest = max((len(n) for n in names), default=0)
    sh.width(1, min(45, max(34, longest + 2)))
    # as wide as the largest figure (the budget) with a sign and an arrow, and a little
    budget = max((s.budget for s in cmp.scenarios), default=0)
    for c in range(cols.base, cols.last + 1):
        sh.width(c, max(16, len(money(budget, currency)) + 6))
    sh.layout.freeze = (head + 1, 2)
    sh.layout.print_title_rows = (head, head)  # the scenario names head every table
    series = []
    if one_base and not named:
        series.append(("Baseline: size-proportional split", cols.base, first, last))
    series += [(s.name, cols.col(j), first, last) for j, s in enumerate(cmp.scenarios) if s.ok]
    if series and partners:
        # under the tables, clear of them, starting a page of its own when it would straddle
        blocks.append((row, row + 1))
        sh.layout.charts.append(
            Chart(
                title="What each partner receives in each scenario",
                categories=(1, first, last),
                series=series,
                anchor=(row + 1, 1),
                horizontal=True,
                axis_title=currency,
                number_format=currency_format(currency),
                width_cm=24,
                height_cm=min(page_cm(sh.layout), max(9.0, 0.45 * len(partners) * len(series) + 4)),
            )
        )
    sh.finish()
    sh.keep_together(blocks)
    return sh.layout


def _header(sh: _Sheet, cols: _Columns, row: int, title: str, base_title: str) -> None:
    sh.text(row, 1, title, "header")
    sh.text(row, cols.base, base_title, "header_num")
    for j, s in enumerate(cols.scenarios):
        sh.text(row, cols.col(j), s.name, "header_num")


# ----------------------------------------------------------------------------------
# The Sweep sheet: one scenario at a run of values of one setting
# ----------------------------------------------------------------------------------

_SWEEP_VALUE_STYLE = {"share": "percent", "rate": "percent", "money": "money"}


def _sweep_sheet(sweep: Sweep, title: str, warnings: list[str]) -> SheetLayout:
    """One row per step, exactly the rows of the sweep's csv, and each partner's grant drawn
    against the swept value."""
    sh = _Sheet(title, warnings)
    rows = sweep.to_csv_rows()
    header, steps = rows[0], rows[1:]
    shown = {s.index: s.shown for s in sweep.steps}
    start = shown.get(0) or f"{sweep.start:g}"
    stop = shown.get(sweep.count - 1) or f"{sweep.stop:g}"
    sh.text(1, 1, f"Sweep: {sweep.words} from {start} to {stop}", "title")
    what = sweep.words
    if not what.startswith("the ") and "'s " not in what:
        what = "the " + what
    note = (
        f"The scenario {sweep.scenario!r} solved at {sweep.count} values of {what}; each row "
        "is the split you would get by setting that value and solving. Grants are each "
        "partner's total over all years, the management fee not included. A scenario that "
        "cannot be met at a value has no figures there."
    )
    if not sweep.complete:
        note += f" Stopped after {len(sweep.steps)} of {sweep.count} values."
    sh.text(2, 1, note, "subtitle")

    measure_styles = {attr: style for _, attr, style in MEASURES}
    keys = [key for key, _ in COMPARISON_MEASURES]
    c_status, c_measure = 2, 3
    c_partner = c_measure + len(keys)
    c_rules = c_partner + len(sweep.partners)
    sh.merge(2, 1, c_rules)
    head = 4
    for c, label in enumerate(header, start=1):
        style = "reason_header" if c in (c_status, c_rules) else "header_num"
        sh.text(head, c, label, style)
    value_style = _SWEEP_VALUE_STYLE.get(sweep.kind, "decimal")
    for k, cells in enumerate(steps):
        r = head + 1 + k
        for c, v in enumerate(cells, start=1):
            if c == 1:
                sh.num(r, c, v, value_style)
            elif c == c_status:
                sh.text(r, c, status_text(v), "text_beside" if v == "optimal" else "bad_beside")
            elif c < c_partner:
                sh.num(r, c, v, measure_styles.get(keys[c - c_measure], "decimal"))
            elif c < c_rules:
                sh.num(r, c, v)
            else:
                sh.text(r, c, v or None, "reason")
    last = head + len(steps)
    row = last + 2
    blocks = [(1, last)]
    if sweep.events:
        events_head = row
        sh.text(row, 1, "Where the split changes", "header")
        sh.merge(row, 1, c_rules)
        for e in sweep.events:
            row += 1
            sh.text(row, 1, e.words, "wrap")
            sh.merge(row, 1, c_rules)
        blocks.append((events_head, row))
        row += 2

    ok = [s for s in sweep.steps if s.ok and s.grants]
    largest = max((max(s.grants) for s in ok if s.grants), default=0)
    sh.width(1, 14)
    sh.width(c_status, 12)
    for c in range(c_measure, c_partner):
        sh.width(c, 11)
    for c in range(c_partner, c_rules):
        sh.width(c, max(12, len(money(largest, sweep.currency)) + 2))
    sh.width(c_rules, 24)
    sh.layout.freeze = (head + 1, 2)
    sh.layout.print_title_rows = (head, head)
    series = [
        (p.name, c_partner + i, head + 1, last)
        for i, p in enumerate(sweep.partners)
        if sweep.included[i]
    ]
    if ok and series and len(steps) >= 2:
        # as wide as the table, so it prints at the table's scale and reads as large
        wide = sum(column_px(sh.layout.widths[c]) for c in range(1, c_rules + 1)) / 96 * 2.54
        width = max(20.0, min(40.0, wide - 1.0))
        blocks.append((row, row + 1))
        sh.layout.charts.append(
            Chart(
                title=f"Each partner's grant against {sweep.words}",
                categories=(1, head + 1, last),
                series=series,
                anchor=(row + 1, 1),
                horizontal=False,
                axis_title=sweep.currency,
                number_format=currency_format(sweep.currency),
                kind="scatter",
                x_title=sweep.label,
                x_number_format=_styles(sweep.currency)[value_style].number_format,
                x_range=(sweep.start, sweep.stop),
                width_cm=width,
                height_cm=min(page_cm(sh.layout), width * 0.5),
            )
        )
    sh.finish()
    sh.keep_together(blocks)
    return sh.layout


def _inputs(project: Project, warnings: list[str]) -> SheetLayout:
    """Partners laid out exactly like the import template, then the project and scenario settings."""
    sh = _Sheet("Inputs", warnings)
    styles = {
        "capacity": "money",
        "floor": "money",
        "reach": "count",
        "multiple_disadvantage": "score",
        "back_office_capacity": "score",
    }
    for c, col in enumerate(COLUMNS, start=1):
        numeric = col.kind not in ("text", "bool")
        style = "header_num" if numeric else "header"
        sh.text(1, c, col.label, "reason_header" if col.field == "notes" else style)
    for r, p in enumerate(project.partners, start=2):
        for c, (col, value) in enumerate(zip(COLUMNS, partner_row(p), strict=True), start=1):
            if value is None or value == "":
                continue
            if col.field == "notes":
                sh.text(r, c, value, "reason")  # indented, clear of the figure before it
            elif col.kind in ("text", "bool"):
                sh.text(r, c, value, "wrap" if col.kind == "text" else "text")
            else:
                sh.num(r, c, value, styles.get(col.field, "plain"))
    widths = {"id": 12, "name": 28, "notes": 56, "lead": 9, "by_and_for": 9}
    for c, col in enumerate(COLUMNS, start=1):
        sh.width(c, widths.get(col.field, 14))
    sh.layout.freeze = (2, 1)

    c0 = len(COLUMNS) + 2  # one blank column ends the partner table
    sh.width(c0 - 1, 3)
    sh.width(c0, 34)
    last = c0 + max(1, len(project.scenarios))
    sh.text(1, c0, "Project", "header")
    for c in range(c0 + 1, last + 1):
        sh.text(1, c, "", "header")
    chosen = project.chosen_scenario
    rows: list[tuple[str, Any, str]] = [
        ("Name", project.name, "text"),
        ("Currency", project.currency, "text"),
        ("First year", project.start_year, "plain"),
        ("Number of years", project.year_count, "plain"),
        ("Scenario for the bid", chosen.name if chosen is not None else "none", "text"),
    ]
    b = project.budget
    if b.per_year is None:
        rows += [
            ("Budget in the first year", b.first_year, "money"),
            ("Annual uplift", b.annual_uplift, "percent"),
        ]
    budgets = project.budgets() if _budget_known(project) else []
    for y, amount in zip(project.years, budgets, strict=False):
        rows.append((f"Budget {y}", amount, "money"))
    r = 1
    for label, value, style in rows:
        r += 1
        sh.text(r, c0, label)
        if isinstance(value, str):
            sh.text(r, c0 + 1, value, "wrap")
            sh.merge(r, c0 + 1, last)
        elif value is None:
            sh.text(r, c0 + 1, "blank", "memo")
        else:
            sh.num(r, c0 + 1, value, style)
    r += 2
    sh.text(r, c0, "Scenario settings", "header")
    for j, s in enumerate(project.scenarios):
        sh.text(r, c0 + 1 + j, s.name, "header_num")
        sh.width(c0 + 1 + j, 17)
    sh.width(c0 + 1, 17)
    for label, getter, style in _SETTINGS:
        r += 1
        sh.text(r, c0, label, "wrap")
        for j, s in enumerate(project.scenarios):
            value = getter(project, s)
            if value is None:
                sh.text(r, c0 + 1 + j, "none", "memo_right")
            elif isinstance(value, str):
                sh.text(r, c0 + 1 + j, value, "text_right")
            else:
                sh.num(r, c0 + 1 + j, value, style)
    # printed as two parts, each starting a page: the partner table, then the settings
    sh.layout.print_areas = [
        (1, 1, 1 + len(project.partners), c0 - 2),
        (1, c0, r, last),
    ]
    return sh.finish()


def _budget_known(project: Project) -> bool:
    """Whether every year's grant is entered (a new project may leave it blank)."""
    b = project.budget
    if b.per_year is not None:
        return all(v is not None for v in b.per_year)
    return b.first_year is not None


def _left_out(project: Project, s: Scenario) -> str:
    names = {p.id: p.name for p in project.partners}
    return ", ".join(names.get(pid, pid) for pid in s.excluded) or "nobody"


_SETTINGS: tuple[tuple[str, Any, str], ...] = (
    ("Fair share scales with (basis)", lambda p, s: s.basis, "text"),
    (
        "Weight of multiple disadvantage (w_d)",
        lambda p, s: s.weights.multiple_disadvantage,
        "score",
    ),
    ("Weight of back-office gap (w_b)", lambda p, s: s.weights.back_office_gap, "score"),
    ("Core share (equal core grant; the rest by need)", lambda p, s: s.core_share, "percent"),
    ("Management fee (share of budget)", lambda p, s: s.management_fee, "percent"),
    ("By-and-for ring-fence", lambda p, s: s.ring_fence, "percent"),
    ("Needs floor (share of fair share)", lambda p, s: s.needs_floor, "percent"),
    ("Spread limit (ratio)", lambda p, s: s.spread_limit, "score"),
    ("Lead cap (share of distributable budget)", lambda p, s: s.lead_cap, "percent"),
    ("Back-office rate: base", lambda p, s: s.back_office_rate.base, "percent"),
    ("Back-office rate: uplift", lambda p, s: s.back_office_rate.uplift, "percent"),
    ("Unrestricted share", lambda p, s: s.unrestricted_share, "percent"),
    ("Left out", _left_out, "text"),
)


def baseline_words(comparison: Comparison) -> str:
    """What the Scenarios sheet's changes are measured from, for the Method sheet."""
    if comparison.baseline_is_scenario:
        return (
            f"The scenario {comparison.baseline!r}: each change on the Scenarios sheet is what "
            "a partner receives in a scenario (its grant, plus the management fee for the "
            f"lead) minus what it receives in {comparison.baseline!r}. The Summary and the "
            "partner sheets still compare with the size-proportional split described above."
        )
    return (
        "The size-proportional split described above (the bigger slice): each change on the "
        "Scenarios sheet is what a partner receives in a scenario (its grant, plus the "
        "management fee for the lead) minus its size-proportional amount, the same figure "
        "as the change on the Summary and the partner sheets."
    )


def _method(
    project: Project,
    result: ScenarioResult,
    warnings: list[str],
    today: _dt.date,
    comparison: Comparison | None = None,
) -> SheetLayout:
    """How FairShare decides (the one text of the method), what binds, and who made the file."""
    sh = _Sheet("Method", warnings)
    sh.width(1, 34)
    sh.width(2, 92)
    sh.text(1, 1, "Method: how the split was worked out", "title")
    sh.text(2, 1, "Scenario", "label")
    sh.text(2, 2, result.name)
    row = 4
    scenario = _scenario_of(project, result)
    sh.text(row, 1, "Topic", "header")
    sh.text(row, 2, "In plain words", "header")
    blocks: list[tuple[int, int]] = []
    start = row
    for heading, paragraph in method_text(project, scenario):
        row += 1
        if heading:
            blocks.append((start, row - 1))
            start = row
            sh.text(row, 1, heading, "label")
        sh.text(row, 2, paragraph, "wrap")
    if comparison is not None:
        blocks.append((start, row))
        row += 1
        start = row
        sh.text(row, 1, "The baseline on the Scenarios sheet", "label")
        sh.text(row, 2, baseline_words(comparison), "wrap")
    blocks.append((start, row))
    row += 2
    start = row
    if result.ok:
        sh.text(row, 1, "What holds the split where it is", "header")
        sh.text(row, 2, "", "header")
        if not result.binding:
            row += 1
            sh.text(row, 2, "Nothing but the budget itself.", "wrap")
        for b in result.binding:
            row += 1
            sh.text(row, 1, str(b.year), "text")
            sh.text(row, 2, b.explanation, "wrap")
    else:
        sh.text(row, 1, "Status", "header")
        sh.text(row, 2, "", "header")
        row += 1
        sh.text(row, 2, f"This scenario has no split: {result.message}", "wrap")
        for rel in result.relaxations:
            row += 1
            sh.text(row, 1, describe_path(project, rel.field), "wrap")
            sh.text(row, 2, rel.explanation, "wrap")
    blocks.append((start, row))
    row += 2
    sh.text(row, 1, "Made with", "label")
    solver = f" (solver: {result.solver})" if result.solver else ""
    sh.text(row, 2, f"FairShare {__version__} on {today.isoformat()}{solver}")
    sh.layout.print_title_rows = None
    sh.finish()
    sh.keep_together(blocks)
    return sh.layout


def _pick(results: list[ScenarioResult], project: Project, scenario: str | None) -> ScenarioResult:
    """The result the workbook shows: the named scenario, else the project's chosen one.

    A name matches exactly, or ignoring case when that picks out one scenario.
    """
    if not results:
        raise ValidationError([("scenario", "there is no solved scenario to export")])
    if scenario is None:
        chosen = project.chosen_scenario
        name = chosen.name if chosen is not None else None
        return next((r for r in results if r.name == name), results[0])
    exact = [r for r in results if r.name == scenario]
    if exact:
        return exact[0]
    folded = [r for r in results if r.name.casefold() == scenario.casefold()]
    if len(folded) == 1:
        return folded[0]
    names = ", ".join(repr(r.name) for r in results)
    raise ValidationError([("scenario", f"no scenario called {scenario!r}; there are: {names}")])


def layout_workbook(
    project: Project,
    results: Sequence[ScenarioResult],
    scenario: str | None = None,
    today: _dt.date | None = None,
    baseline: str | None = None,
    sweep: Sweep | None = None,
) -> WorkbookLayout:
    """Everything the workbook holds, as plain data, for one scenario.

    ``scenario`` None shows the project's chosen scenario (the one for the bid). The
    Scenarios sheet compares every result with ``baseline`` exactly as
    ``fairshare compare --baseline`` does (None: the size-proportional split); an
    unknown name raises ValidationError quoting the names there are. With ``sweep``
    a Sweep sheet holds its table and chart. The results are only read, never changed.
    """
    results = list(results)
    chosen = _pick(results, project, scenario)
    comparison = compare_to_baseline(project, results, baseline)
    warnings: list[str] = []
    if not chosen.ok:
        warnings.append(
            f"scenario {chosen.name!r} has no split ({_status_words(chosen)}); the workbook shows why "
            "instead of budget figures"
        )
    used = {"summary", "scenarios", "inputs", "method", "decisions"}
    if sweep is not None:
        used.add("sweep")
    sheets = [_summary(project, chosen, warnings)]
    if chosen.ok:
        for p in chosen.partners:
            title = sheet_title(p.name, used)
            sheets.append(_partner_sheet(project, chosen, p, title, warnings))
    sheets.append(_scenarios(project, chosen.name, comparison, warnings))
    if sweep is not None:
        sheets.append(_sweep_sheet(sweep, "Sweep", warnings))
    sheets += decisions_sheets(project, lambda title: _Sheet(title, warnings))
    sheets.append(_inputs(project, warnings))
    sheets.append(_method(project, chosen, warnings, today or _dt.date.today(), comparison))
    for sheet in sheets:
        sheet.cells.sort(key=lambda c: (c[0], c[1]))
    title, _ = clean_text(f"{project.name}: {chosen.name}")
    return WorkbookLayout(title, sheets, _styles(project.currency), warnings)


# ----------------------------------------------------------------------------------
# Writing with openpyxl
# ----------------------------------------------------------------------------------


def _style_arrays(wb: Any, styles: dict[str, Style]) -> dict[str, Any]:
    """One style record per style name, built once and copied onto cells (fast and small)."""
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    scratch = wb.worksheets[0]
    thin = Side(style="thin", color="7F7F7F")
    out = {}
    for name, st in styles.items():
        named = NamedStyle(name=f"FairShare {name}")
        named.font = Font(bold=st.bold, italic=st.italic, size=st.size, color=st.color)
        if st.fill:
            named.fill = PatternFill("solid", fgColor=st.fill)
        named.border = Border(
            top=thin if st.top_border else Side(),
            bottom=thin if st.bottom_border else Side(),
            left=Side(style="thin", color=st.left_border) if st.left_border else Side(),
        )
        named.alignment = Alignment(
            wrap_text=st.wrap or None,
            vertical=st.valign or ("top" if st.wrap else None),
            horizontal=st.align or ("left" if st.indent else None),
            indent=st.indent,
        )
        named.number_format = st.number_format
        wb.add_named_style(named)
        cell = Cell(scratch)
        cell.style = named.name
        if st.quote_prefix:
            cell.quotePrefix = True
        out[name] = cell._style
    return out


def _openpyxl_scatter(ws: Any, chart: Chart) -> Any:
    """Lines through the points of each series against the numbers in ``categories``."""
    from openpyxl.chart import Reference, ScatterChart, Series

    ch = ScatterChart()
    ch.title = chart.title
    ch.style = 2
    ch.scatterStyle = "lineMarker"
    ch.x_axis.title = chart.x_title
    ch.x_axis.number_format = chart.x_number_format
    ch.y_axis.title = chart.axis_title
    ch.y_axis.number_format = chart.number_format
    ch.x_axis.delete = False
    ch.y_axis.delete = False
    ch.y_axis.scaling.min = 0  # grants from zero, so a change reads at its true size
    ch.x_axis.majorGridlines = None
    if chart.x_range is not None and chart.x_range[0] != chart.x_range[1]:
        ch.x_axis.scaling.min, ch.x_axis.scaling.max = sorted(chart.x_range)
    col, r0, r1 = chart.categories
    xs = Reference(ws, min_col=col, min_row=r0, max_row=r1)
    for name, c, s0, s1 in chart.series:
        series = Series(Reference(ws, min_col=c, min_row=s0, max_row=s1), xs, title=name)
        series.smooth = False  # straight lines between the steps: nothing is made up between
        series.marker.symbol = "circle"
        series.marker.size = 5
        ch.series.append(series)
    ch.display_blanks = "gap"  # a step with no split is a gap, not a fall to zero
    ch.width = chart.width_cm
    ch.height = chart.height_cm
    ch.legend.position = "b"
    return ch


def _openpyxl_chart(ws: Any, chart: Chart) -> Any:
    from openpyxl.chart import BarChart, Reference, Series
    from openpyxl.chart.data_source import AxDataSource, StrRef

    if chart.kind == "scatter":
        return _openpyxl_scatter(ws, chart)

    ch = BarChart()
    ch.type = "bar" if chart.horizontal else "col"
    ch.grouping = "clustered"
    ch.title = chart.title
    ch.y_axis.title = chart.axis_title
    ch.y_axis.number_format = chart.number_format
    ch.x_axis.delete = False
    ch.y_axis.delete = False
    ch.y_axis.scaling.min = 0  # bars grow from zero
    if chart.horizontal:
        # first partner at the top, as in the table; the money axis then crosses the
        # partner axis at its last partner, which is at the bottom. (Crossing the partner
        # axis at the money axis's maximum instead would draw the bars from the right.)
        ch.x_axis.scaling.orientation = "maxMin"
        ch.y_axis.crosses = "max"
        ch.x_axis.axPos, ch.y_axis.axPos = "l", "b"
    else:
        ch.x_axis.axPos, ch.y_axis.axPos = "b", "l"
    col, r0, r1 = chart.categories
    names = str(Reference(ws, min_col=col, min_row=r0, max_row=r1))
    for name, c, s0, s1 in chart.series:
        series = Series(Reference(ws, min_col=c, min_row=s0, max_row=s1), title=name)
        series.cat = AxDataSource(strRef=StrRef(f=names))  # partner names are text
        ch.series.append(series)
    ch.width = chart.width_cm
    ch.height = chart.height_cm
    ch.legend.position = "b"
    return ch


def _fast_path_available() -> bool:
    """Whether sheet cells can be streamed as prepared XML (see _render_openpyxl).

    This relies on openpyxl writing through et_xmlfile (it does unless lxml is
    installed, and then openpyxl is fast anyway) and on two of its writer classes.
    """
    try:
        import openpyxl
        from et_xmlfile.xmlfile import _IncrementalFileWriter  # noqa: F401
        from openpyxl.worksheet._writer import WorksheetWriter
        from openpyxl.writer.excel import ExcelWriter
    except ImportError:
        return False
    return (
        not openpyxl.LXML
        and hasattr(ExcelWriter, "write_worksheet")
        and hasattr(WorksheetWriter, "write_rows")
        and hasattr(WorksheetWriter, "write_dimensions")
    )


FAST_PATH = _fast_path_available()


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_data_xml(sheet: SheetLayout, style_ids: dict[str, int]) -> str:
    """The <sheetData> content of a sheet: text as inline strings, never as formulas."""
    parts: list[str] = []
    heights = sheet.heights
    rows_with_cells = {r for r, _, _, _ in sheet.cells}
    pending_heights = sorted(set(heights) - rows_with_cells)
    current = 0

    def open_row(row: int) -> None:
        h = heights.get(row)
        parts.append(f'<row r="{row}" ht="{h}" customHeight="1">' if h else f'<row r="{row}">')

    for row, col, value, style in sheet.cells:
        if row != current:
            if current:
                parts.append("</row>")
            while pending_heights and pending_heights[0] < row:
                empty = pending_heights.pop(0)
                open_row(empty)
                parts.append("</row>")
            open_row(row)
            current = row
        ref = f"{col_letter(col)}{row}"
        sid = style_ids[style]
        if isinstance(value, Formula):
            parts.append(f'<c r="{ref}" s="{sid}"><f>{_xml_text(value.text[1:])}</f></c>')
        elif value == "":
            parts.append(f'<c r="{ref}" s="{sid}"/>')  # styled but blank, as openpyxl writes it
        elif isinstance(value, str):
            space = ' xml:space="preserve"' if value != value.strip() else ""
            parts.append(
                f'<c r="{ref}" s="{sid}" t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>'
            )
        else:
            parts.append(f'<c r="{ref}" s="{sid}" t="n"><v>{format(value, ".16g")}</v></c>')
    if current:
        parts.append("</row>")
    for empty in pending_heights:
        open_row(empty)
        parts.append("</row>")
    return "".join(parts)


def _dimension(sheet: SheetLayout) -> str:
    if not sheet.cells:
        return "A1"
    rows = [c[0] for c in sheet.cells]
    cols = [c[1] for c in sheet.cells]
    return f"{col_letter(min(cols))}{min(rows)}:{col_letter(max(cols))}{max(rows)}"


def _save_fast(wb: Any, sheets: dict[int, tuple[str, str]]) -> bytes:
    """Save with openpyxl, streaming each sheet's prepared cell XML and keeping it in memory.

    openpyxl's own path builds an element per cell and a temporary file per sheet; for
    a workbook of 200 partner sheets that is most of the time spent.
    """
    import zipfile as _zip

    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.writer.excel import ExcelWriter

    class SheetWriter(WorksheetWriter):
        def __init__(self, ws: Any, data: str, dimension: str):
            self._data = data
            self._dimension = dimension
            super().__init__(ws, out=io.BytesIO())

        def write_dimensions(self) -> None:
            self.xf.send(SheetDimension(self._dimension).to_tree())

        def write_rows(self) -> None:
            xf = self.xf.send(True)
            with xf.element("sheetData"):
                xf._file(self._data)
            self.xf.send(None)

    class MemoryWriter(ExcelWriter):
        def write_worksheet(self, ws: Any) -> None:
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            data, dimension = sheets[id(ws)]
            writer = SheetWriter(ws, data, dimension)
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.read())
            self.manifest.append(ws)

    buf = io.BytesIO()
    archive = _zip.ZipFile(buf, "w", _zip.ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = _dt.datetime.now(tz=_dt.UTC).replace(tzinfo=None)
    MemoryWriter(wb, archive).save()
    return buf.getvalue()


def _render_openpyxl(layout: WorkbookLayout, fast: bool | None = None) -> bytes:
    """Write the layout with openpyxl; ``fast`` streams cells as prepared XML (the default
    where available), otherwise every cell becomes an openpyxl Cell."""
    from copy import copy

    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.properties import PageSetupProperties

    fast = FAST_PATH if fast is None else fast
    wb = Workbook()
    first = wb.active
    first.title = layout.sheets[0].title
    arrays = _style_arrays(wb, layout.styles)
    style_ids = {name: wb._cell_styles.add(array) for name, array in arrays.items()}
    prepared: dict[int, tuple[str, str]] = {}
    for k, sheet in enumerate(layout.sheets):
        ws = first if k == 0 else wb.create_sheet(sheet.title)
        if fast:
            prepared[id(ws)] = (sheet_data_xml(sheet, style_ids), _dimension(sheet))
        else:
            cells = ws._cells
            for row, col, value, style in sheet.cells:
                cell = Cell(ws, row=row, column=col)
                if isinstance(value, Formula):
                    cell._value = value.text
                    cell.data_type = "f"
                elif isinstance(value, str):
                    # Set directly: the value setter would turn '=...' into a formula and
                    # '#N/A' into an error. Illegal characters were removed by _Sheet.text.
                    cell._value = value
                    cell.data_type = "s"
                else:
                    cell._value = value
                    cell.data_type = "n"
                cell._style = copy(arrays[style])
                cells[(row, col)] = cell
            for row, height in sheet.heights.items():
                ws.row_dimensions[row].height = height
        for col, width in sheet.widths.items():
            ws.column_dimensions[col_letter(col)].width = width
        for r1, c1, r2, c2 in sheet.merges:
            # the other cells of a range are empty, so no placeholder cells are needed
            ws.merged_cells.add(CellRange(min_row=r1, min_col=c1, max_row=r2, max_col=c2))
        if sheet.freeze:
            ws.freeze_panes = _ref(*sheet.freeze)
        if sheet.print_title_rows:
            ws.print_title_rows = f"{sheet.print_title_rows[0]}:{sheet.print_title_rows[1]}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_margins = PageMargins(
            left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3
        )
        ws.oddFooter.center.text = "&A, page &P of &N"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = sheet.fit_height
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        for r in sheet.row_breaks:
            ws.row_breaks.append(Break(id=r))
        if sheet.print_areas:
            ws.print_area = [
                f"{_ref(r1, c1)}:{_ref(r2, c2)}" for r1, c1, r2, c2 in sheet.print_areas
            ]
        if sheet.tab_color:
            ws.sheet_properties.tabColor = sheet.tab_color
        for chart in sheet.charts:
            ws.add_chart(_openpyxl_chart(ws, chart), _ref(*chart.anchor))
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True
    wb.properties.title = layout.title[:250]
    wb.properties.creator = f"FairShare {__version__}"
    if fast:
        return _save_fast(wb, prepared)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(
    project: Project,
    results: Sequence[ScenarioResult],
    scenario: str | None = None,
    baseline: str | None = None,
    sweep: Sweep | None = None,
) -> tuple[bytes, list[str]]:
    """The workbook file's bytes and the warnings met while laying it out."""
    layout = layout_workbook(project, results, scenario, baseline=baseline, sweep=sweep)
    return _render_openpyxl(layout), layout.warnings


def workbook_bytes(
    project: Project,
    results: Sequence[ScenarioResult],
    scenario: str | None = None,
    baseline: str | None = None,
    sweep: Sweep | None = None,
) -> bytes:
    """The budget workbook as bytes (for the desktop app to save, or a web response)."""
    return render(project, results, scenario, baseline, sweep)[0]


# ----------------------------------------------------------------------------------
# Writing the file atomically
# ----------------------------------------------------------------------------------


def _lock_files(target: Path) -> list[Path]:
    """Lock files Excel (~$name) and LibreOffice (.~lock.name#) keep beside an open file."""
    return [
        target.with_name("~$" + target.name),
        target.with_name(f".~lock.{target.name}#"),
    ]


def _refused(file: str, message: str) -> WorkbookError:
    """The workbook was not written: why, naming the file (what was there is kept)."""
    return WorkbookError(message, file=file)


def write_bytes_atomically(data: bytes, path: str | os.PathLike[str]) -> None:
    """Write ``data`` to ``path`` so that the file is either the old one or the whole new one.

    The bytes go to a temporary file in the same folder, are synced to disk, and then
    replace the target in one step. Raises WorkbookError when the target cannot be
    written (missing folder, read-only, open in Excel or LibreOffice).
    """
    target = Path(path)
    shown = str(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise _refused(shown, f"cannot write {shown}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise _refused(shown, f"cannot write {shown}: {folder} is not a folder")
    if target.is_dir():
        raise _refused(shown, f"cannot write {shown}: it is a folder")
    if target.exists():
        if not os.access(target, os.W_OK) or not target.stat().st_mode & stat.S_IWUSR:
            raise _refused(shown, f"cannot write {shown}: the file is read-only")
        for lock in _lock_files(target):
            if lock.exists():
                raise _refused(
                    shown,
                    f"cannot write {shown}: it is open in a spreadsheet program (the lock file "
                    f"{lock.name} is beside it); close it and try again, or delete the lock file "
                    "if nothing has it open",
                )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise _refused(
            shown, f"cannot write {shown}: no permission to create files in {folder} ({e.strerror})"
        ) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        mode = new_file_mode()
        if target.exists():
            mode = target.stat().st_mode & 0o777
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, PermissionError):
            raise _refused(
                shown,
                f"cannot write {shown}: it is open in another program or read-only; close it "
                "and try again",
            ) from None
        raise _refused(shown, f"cannot write {shown}: {e.strerror or e}") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    sync_folder(folder)


def write_workbook(
    project: Project,
    results: Sequence[ScenarioResult],
    path: str | os.PathLike[str],
    scenario: str | None = None,
    baseline: str | None = None,
    sweep: Sweep | None = None,
) -> list[str]:
    """Write the budget workbook for ``scenario`` and return warnings.

    ``scenario`` None writes the project's chosen scenario, the one for the bid; the
    Scenarios sheet still sets every scenario side by side against ``baseline`` (a
    scenario's name; None: the size-proportional split), the same comparison as
    ``fairshare compare``. ``sweep`` adds a Sweep sheet (the app's sweep export).
    Nothing is written unless the whole workbook was built; an existing file at
    ``path`` is replaced in one step or left untouched (WorkbookError).
    """
    data, warnings = render(project, results, scenario, baseline, sweep)
    if Path(path).suffix.lower() != ".xlsx":
        warnings.append(f"{Path(path).name} does not end in .xlsx; Excel may refuse to open it")
    write_bytes_atomically(data, path)
    return warnings
