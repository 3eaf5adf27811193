"""The budget workbook: the split as an Excel file that still works as a spreadsheet.

The workbook goes into the bid and to every partner, so it has to read like a budget
(years across, totals that are live formulas, money in the project's currency), explain
itself (fair share, attainment, the limiting reason and the method in words), and be
safe to open: a partner called ``=HYPERLINK(...)`` is stored as text, never as a
formula.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import allocator
from allocator.domain.model import Project, Scenario, ValidationError
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
from allocator.formats.atomic import current_umask, sync_folder
from allocator.formats.tables import COLUMNS, clean_text, partner_row

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
MAX_TITLE = 31
_TITLE_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_RESERVED_TITLES = ("history",)  # Excel keeps this sheet name for itself
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


class WorkbookError(ValidationError):
    """The workbook could not be written; the target is left as it was."""

    def __init__(self, message: str):
        super().__init__([("OUT", message)])


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
    align: str | None = None
    valign: str | None = None
    indent: int = 0
    quote_prefix: bool = False


@dataclass
class Chart:
    """A clustered bar chart of columns on its own sheet (1-based rows and columns)."""

    title: str
    categories: tuple[int, int, int]  # column, first row, last row
    series: list[tuple[str, int, int, int]]  # name, column, first row, last row
    anchor: tuple[int, int]  # row, column of the top-left corner
    horizontal: bool
    axis_title: str
    number_format: str
    width_cm: float = 24.0
    height_cm: float = 10.0


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


def money_words(amount: float, code: str) -> str:
    """An amount as it reads in a sentence: £1,200,000 or 1,200,000 CHF."""
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(code)
    text = f"{amount:,.0f}"
    if text.startswith("-"):
        return f"-{symbol}{text[1:]}" if symbol else f"{text} {code}"
    return f"{symbol}{text}" if symbol else f"{text} {code}"


def _styles(currency: str) -> dict[str, Style]:
    money = currency_format(currency)
    head = dict(bold=True, fill="DDE7F0", wrap=True, bottom_border=True, valign="bottom")
    top = dict(valign="top")  # rows grown for wrapped text read from the top
    return {
        "title": Style(bold=True, size=14, quote_prefix=True),
        "subtitle": Style(italic=True, color="555555", wrap=True, **top, quote_prefix=True),
        "header": Style(**head, quote_prefix=True),
        "header_num": Style(**head, align="right", quote_prefix=True),
        "reason_header": Style(**head, indent=1, quote_prefix=True),
        "header_year": Style(number_format="0", align="right", **head),
        "text": Style(**top, quote_prefix=True),
        "text_right": Style(align="right", wrap=True, **top, quote_prefix=True),
        "wrap": Style(wrap=True, **top, quote_prefix=True),
        "reason": Style(wrap=True, indent=1, **top, quote_prefix=True),
        "label": Style(bold=True, wrap=True, **top, quote_prefix=True),
        "label_total": Style(bold=True, top_border=True, **top, quote_prefix=True),
        "memo": Style(italic=True, color="555555", wrap=True, **top, quote_prefix=True),
        "memo_right": Style(italic=True, color="555555", align="right", **top, quote_prefix=True),
        "bad": Style(bold=True, color="9C0006", wrap=True, **top, quote_prefix=True),
        "money": Style(number_format=money, **top),
        "money_total": Style(number_format=money, bold=True, top_border=True, **top),
        "money_memo": Style(number_format=money, italic=True, color="555555", **top),
        "percent": Style(number_format="0.0%", **top),
        "percent_total": Style(number_format="0.0%", bold=True, top_border=True, **top),
        "count": Style(number_format="#,##0", **top),
        "decimal": Style(number_format="#,##0.000", **top),
        "score": Style(number_format="0.00", **top),
        "plain": Style(**top),
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
            self.text(row, col, "n/a" if math.isnan(v) else "unbounded", "memo")
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
    return {
        "optimal": "solved",
        "infeasible": "cannot be met",
        "error": "failed",
        "cancelled": "stopped",
    }.get(result.status, result.status)


def _limit_words(p: PartnerResult, years: list[int]) -> str:
    reasons = p.limited_by_per_year
    if not reasons:
        return ""
    if all(r == reasons[0] for r in reasons):
        return REASON_WORDS.get(reasons[0], reasons[0])
    return "; ".join(f"{y}: {REASON_WORDS.get(r, r)}" for y, r in zip(years, reasons, strict=False))


def _project_partner(project: Project, p: PartnerResult) -> Any:
    if 0 <= p.index < len(project.partners) and project.partners[p.index].id == p.id:
        return project.partners[p.index]
    for q in project.partners:
        if q.id == p.id:
            return q
    return None


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
        _not_solved(sh, result, 5)
        sh.layout.tab_color = "C00000"
        return sh.finish()

    c_bf, c_y0 = 2, 3
    c_tot = c_y0 + ny
    c_share, c_fs, c_att, c_sp, c_chg, c_why = range(c_tot + 1, c_tot + 7)
    sh.text(3, 2, result.message or _status_words(result), "wrap")
    sh.merge(3, 2, c_why)
    head = 5
    sh.text(head, 1, "Partner", "header")
    sh.text(head, c_bf, "By and for", "header")
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
    lead_name = ""
    for k, p in enumerate(partners):
        r = first + k
        sh.text(r, 1, p.name, "wrap")
        sh.text(r, c_bf, "yes" if p.by_and_for else "no")
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
        sh.num(r, c_fs, p.fair_share_total)
        sh.formula(
            r, c_att, f"=IF({_ref(r, c_fs)}>0,{_ref(r, c_tot)}/{_ref(r, c_fs)},0)", "percent"
        )
        sh.num(r, c_sp, sum(p.size_proportional))
        if p.lead and sum(p.lines.get("management", [])) > 0:
            lead_name = p.name
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
    sh.merge(fee_row, 1, c_bf)
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
    sh.merge(bf_row, 1, c_bf)
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
    sh.merge(budget_row, 1, c_bf)
    for i, b in enumerate(result.budget):
        sh.num(budget_row, c_y0 + i, b)
    sh.formula(budget_row, c_tot, f"=SUM({_ref(budget_row, c_y0)}:{_ref(budget_row, c_tot - 1)})")
    sh.text(check_row, 1, "Check: total minus budget (0 when it adds up)", "memo")
    sh.merge(check_row, 1, c_bf)
    for c in range(c_y0, c_tot + 1):
        sh.formula(check_row, c, f"={_ref(total_row, c)}-{_ref(budget_row, c)}", "money_memo")

    row = check_row + 2
    measures_head = row
    sh.text(row, 1, "Measures of the split", "header")
    sh.text(row, 2, "", "header")
    m = result.metrics
    for label, value, style in (
        ("Smallest attainment", m.min_attainment, "percent"),
        ("Largest attainment", m.max_attainment, "percent"),
        ("Gini coefficient of funding per unit of need (0 = equal)", m.gini, "decimal"),
        ("Largest ÷ smallest funding per unit of need", m.need_ratio, "score"),
        ("By-and-for partners' share of the distributable budget", m.by_and_for_share, "percent"),
        ("Lead's share of the budget, fee included", m.lead_share, "percent"),
    ):
        row += 1
        sh.text(row, 1, label, "wrap")
        sh.num(row, 2, value, style)

    sh.width(1, min(45, max(30, max((len(p.name) for p in partners), default=0) + 2)))
    # money columns as wide as the largest figure (the total budget) in bold, and a little
    money = max(12, len(money_words(sum(result.budget), project.currency)) + 2)
    for c in (*range(c_y0, c_tot + 1), c_fs, c_sp, c_chg):
        sh.width(c, money)
    for c, w in ((c_bf, 9), (c_share, 10), (c_att, 12), (c_sp, max(money, 13)), (c_why, 42)):
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
    sh.keep_together([(1, check_row), (measures_head, row)])
    return sh.layout


def _not_solved(sh: _Sheet, result: ScenarioResult, row: int) -> int:
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
            sh.text(row, 1, rel.field, "wrap")
            sh.num(row, 2, rel.from_value, "decimal")
            sh.num(row, 3, rel.to_value, "decimal")
            sh.text(row, 4, rel.explanation, "reason")
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


def _partner_sheet(
    project: Project, result: ScenarioResult, p: PartnerResult, title: str, warnings: list[str]
) -> SheetLayout:
    """The MoU budget breakdown of one partner, with its fair share and the reason in words."""
    sh = _Sheet(title, warnings)
    years = result.years
    ny = len(years)
    c_tot = 2 + ny
    info = _project_partner(project, p)
    sh.text(1, 1, p.name, "title")
    sh.text(2, 1, "Scenario", "label")
    sh.text(2, 2, result.name)
    sh.text(3, 1, "Role", "label")
    sh.text(3, 2, _roles(p))
    sh.width(1, 48)
    money = max(14, len(money_words(sum(result.budget), project.currency)) + 2)
    for c in range(2, c_tot + 1):
        sh.width(c, money)
    if not p.included:
        sh.text(5, 1, "Left out of this scenario: no grant.", "bad")
        if info is not None and info.notes:
            sh.text(7, 1, "Notes", "label")
            sh.text(7, 2, info.notes, "wrap")
            sh.merge(7, 2, c_tot)
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
    r_del, r_bo, r_grant = head + 1, head + 2, head + 3
    line(r_del, "Delivery", p.lines.get("delivery", [0] * ny))
    line(
        r_bo, f"Back-office (full cost recovery at {rate:.1%} of delivery)", p.lines["back_office"]
    )
    summed(r_grant, "Grant total (delivery + back-office)", (r_del, r_bo))
    row = r_grant
    management = p.lines.get("management", [0] * ny)
    if p.lead:
        line(row + 1, "Management fee (coordinating the partnership)", management)
        summed(row + 2, "Total received (grant + management fee)", (r_grant, row + 1))
        row += 2
    for i, y in enumerate(years):
        if p.lines["delivery"][i] + p.lines["back_office"][i] != p.per_year[i]:
            warnings.append(
                f"{p.name}: delivery and back-office lines do not add up to the grant in {y}"
            )
    row += 2
    line(
        row,
        "of which unrestricted (memo: part of the grant, not extra money)",
        p.lines.get("unrestricted", [0] * ny),
        "money_memo",
    )
    row += 2
    r_fs = row
    line(r_fs, "Fair share", p.fair_share)
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
        sh.merge(row, 2, c_tot)
        row += 2
    sh.text(row, 1, "Need score (n)")
    sh.num(row, 2, p.need, "decimal" if abs(p.need) < 1000 else "count")
    sh.text(row + 1, 1, "Back-office rate")
    sh.num(row + 1, 2, rate, "percent")
    sh.layout.freeze = (head + 1, 2)
    sh.layout.print_title_rows = (head, head)
    return sh.finish()


def _scenarios(project: Project, results: list[ScenarioResult], warnings: list[str]) -> SheetLayout:
    """Every scenario side by side: totals, change against size-proportional, measures."""
    sh = _Sheet("Scenarios", warnings)
    years = project.years
    sh.text(1, 1, "Scenarios side by side", "title")
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else f"{years[0]}"
    sh.text(
        2,
        1,
        f"Grant to each partner over {span}; the management fee on its own line. "
        "Change is against the size-proportional split of the same budget.",
        "subtitle",
    )
    sh.merge(2, 1, 1 + max(1, len(results)))
    head = 4
    ids: list[str] = []
    names: dict[str, str] = {}
    for res in results:
        for p in res.partners:
            if p.id not in names:
                ids.append(p.id)
                names[p.id] = p.name
    sh.text(head, 1, "Partner", "header")
    for j, res in enumerate(results):
        sh.text(head, 2 + j, res.name, "header_num")
    sh.text(head + 1, 1, "Status", "label")
    any_bad = any(not r.ok for r in results)
    for j, res in enumerate(results):
        sh.text(head + 1, 2 + j, _status_words(res), "text_right" if res.ok else "bad")
        if not res.ok and res.message:
            sh.text(head + 2, 2 + j, res.message, "wrap")
    if any_bad:
        sh.text(head + 2, 1, "Why it has no split", "label")
    first = head + (3 if any_bad else 2)
    last = first + len(ids) - 1
    fee_row, total_row = last + 1, last + 2
    for k, pid in enumerate(ids):
        sh.text(first + k, 1, names[pid], "wrap")
    sh.text(fee_row, 1, "Management fee")
    sh.text(total_row, 1, "Total", "label_total")
    for j, res in enumerate(results):
        c = 2 + j
        if not res.ok:
            continue
        by_id = {p.id: p for p in res.partners}
        for k, pid in enumerate(ids):
            p = by_id.get(pid)
            if p is None or not p.included:
                sh.text(first + k, c, "left out", "memo_right")
            else:
                sh.num(first + k, c, p.total)
        sh.num(fee_row, c, sum(res.fee))
        sh.formula(total_row, c, f"=SUM({_ref(first, c)}:{_ref(fee_row, c)})", "money_total")

    row = total_row + 2
    sh.text(row, 1, "Change against the size-proportional split (fee included)", "header")
    for j, res in enumerate(results):
        sh.text(row, 2 + j, res.name, "header_num")
    c_first = row + 1
    for k, pid in enumerate(ids):
        sh.text(c_first + k, 1, names[pid], "wrap")
    for j, res in enumerate(results):
        if not res.ok:
            continue
        by_id = {p.id: p for p in res.partners}
        for k, pid in enumerate(ids):
            p = by_id.get(pid)
            if p is not None:
                sh.num(c_first + k, 2 + j, p.vs_size_proportional)
    row = c_first + len(ids) + 1
    measures_head = row
    sh.text(row, 1, "Measures", "header")
    for j, res in enumerate(results):
        sh.text(row, 2 + j, res.name, "header_num")
    measures = (
        ("Smallest attainment", "min_attainment", "percent"),
        ("Largest attainment", "max_attainment", "percent"),
        ("Gini coefficient of funding per unit of need (0 = equal)", "gini", "decimal"),
        ("Largest ÷ smallest funding per unit of need", "need_ratio", "score"),
        ("By-and-for partners' share of the distributable budget", "by_and_for_share", "percent"),
        ("Lead's share of the budget, fee included", "lead_share", "percent"),
    )
    for label, attr, style in measures:
        row += 1
        sh.text(row, 1, label, "wrap")
        for j, res in enumerate(results):
            if res.ok:
                sh.num(row, 2 + j, getattr(res.metrics, attr), style)
    sh.width(1, min(45, max(34, max((len(n) for n in names.values()), default=0) + 2)))
    for j in range(len(results)):
        sh.width(2 + j, 17)
    sh.layout.freeze = (head + 1, 2)
    sh.layout.print_title_rows = (head, head)  # the scenario names head every table
    series = [(res.name, 2 + j, first, last) for j, res in enumerate(results) if res.ok]
    blocks = [(1, total_row), (c_first - 1, c_first + len(ids) - 1), (measures_head, row)]
    if series and ids:
        # under the tables, clear of them, starting a page of its own when it would straddle
        blocks.append((row + 2, row + 3))
        sh.layout.charts.append(
            Chart(
                title="Grant per partner in each scenario",
                categories=(1, first, last),
                series=series,
                anchor=(row + 3, 1),
                horizontal=True,
                axis_title=project.currency,
                number_format=currency_format(project.currency),
                width_cm=24,
                height_cm=min(page_cm(sh.layout), max(9.0, 0.45 * len(ids) * len(series) + 4)),
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
    rows: list[tuple[str, Any, str]] = [
        ("Name", project.name, "text"),
        ("Currency", project.currency, "text"),
        ("First year", project.start_year, "plain"),
        ("Number of years", project.year_count, "plain"),
    ]
    b = project.budget
    if b.per_year is None:
        rows += [
            ("Budget in the first year", b.first_year, "money"),
            ("Annual uplift", b.annual_uplift, "percent"),
        ]
    for y, amount in zip(project.years, project.budgets(), strict=True):
        rows.append((f"Budget {y}", amount, "money"))
    r = 1
    for label, value, style in rows:
        r += 1
        sh.text(r, c0, label)
        if isinstance(value, str):
            sh.text(r, c0 + 1, value, "wrap")
            sh.merge(r, c0 + 1, last)
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
            value = getter(s)
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


_SETTINGS: tuple[tuple[str, Any, str], ...] = (
    ("Fair share scales with (basis)", lambda s: s.basis, "text"),
    ("Weight of multiple disadvantage (w_d)", lambda s: s.weights.multiple_disadvantage, "score"),
    ("Weight of back-office gap (w_b)", lambda s: s.weights.back_office_gap, "score"),
    ("Rule", lambda s: s.rule, "text"),
    ("Management fee (share of budget)", lambda s: s.management_fee, "percent"),
    ("By-and-for ring-fence", lambda s: s.ring_fence, "percent"),
    ("Needs floor (share of fair share)", lambda s: s.needs_floor, "percent"),
    ("Spread limit (ratio)", lambda s: s.spread_limit, "score"),
    ("Lead cap (share of distributable budget)", lambda s: s.lead_cap, "percent"),
    ("Back-office rate: base", lambda s: s.back_office_rate.base, "percent"),
    ("Back-office rate: uplift", lambda s: s.back_office_rate.uplift, "percent"),
    ("Unrestricted share", lambda s: s.unrestricted_share, "percent"),
    ("Left out (partner ids)", lambda s: ", ".join(s.excluded) or "nobody", "text"),
)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _num_words(x: float) -> str:
    return f"{x:g}"


def method_lines(project: Project, s: Scenario, result: ScenarioResult) -> list[tuple[str, str]]:
    """The rules of a scenario in plain words, as (topic, sentence) pairs."""
    cur = project.currency
    budgets = ", ".join(
        f"{money_words(b, cur)} in {y}" for y, b in zip(result.years, result.budget, strict=False)
    )
    base = {
        "capacity": "its capacity (the most it can absorb in a year)",
        "reach": "the number of people it serves a year",
        "equal": "1 for every partner (equal shares before need)",
    }[s.basis]
    w_d, w_b = s.weights.multiple_disadvantage, s.weights.back_office_gap
    out: list[tuple[str, str]] = [
        ("Budget", f"The grant is {budgets}."),
        (
            "Need",
            f"Each partner's need is n = base × (1 + w_d × d + w_b × (1 − b)), where base is "
            f"{base}, d is its multiple-disadvantage score (0 to 1), b its back-office capacity "
            f"score (0 to 1, 1 = fully resourced), w_d = {_num_words(w_d)} and "
            f"w_b = {_num_words(w_b)}. A blank score is never read as no need.",
        ),
        (
            "Fair share",
            "A partner's fair share of a year is the distributable budget (the budget less any "
            "management fee) × its need ÷ the sum of the needs of every partner taking part.",
        ),
        (
            "Attainment",
            "Attainment is a partner's grant ÷ its fair share: 100% means it gets exactly its "
            "fair share.",
        ),
    ]
    rules = [
        ("Budget rule", "Every year's distributable budget is shared out exactly."),
        ("Capacity", "No partner gets more in a year than its capacity."),
        ("Floor", "No partner gets less in a year than its floor, its minimum viable grant."),
    ]
    if s.management_fee > 0:
        rules.append(
            (
                "Management fee",
                f"The lead keeps {_pct(s.management_fee)} of each year's budget for coordinating "
                "the partnership, on top of its grant.",
            )
        )
    if s.ring_fence > 0:
        rules.append(
            (
                "Ring-fence",
                f"By-and-for partners together get at least {_pct(s.ring_fence)} of the "
                "distributable budget each year.",
            )
        )
    if s.needs_floor > 0:
        rules.append(
            (
                "Needs floor",
                f"Every partner gets at least {_pct(s.needs_floor)} of its fair share each year.",
            )
        )
    if s.spread_limit is not None:
        rules.append(
            (
                "Spread limit",
                f"Funding per unit of need differs by at most {_num_words(s.spread_limit)} times "
                "between any two partners.",
            )
        )
    if s.lead_cap is not None:
        rules.append(
            (
                "Lead cap",
                f"The lead takes at most {_pct(s.lead_cap)} of the distributable budget, before "
                "its fee.",
            )
        )
    if s.excluded:
        rules.append(("Left out", "Left out of this scenario: " + ", ".join(s.excluded) + "."))
    out += rules
    if s.rule == "leximin":
        out.append(
            (
                "Rule",
                "Leximin: raise the worst-off first. The split makes the smallest attainment as "
                "high as the rules allow, then the next smallest, and so on.",
            )
        )
    else:
        out.append(
            (
                "Rule",
                "Closest: the split keeps the total distance from fair shares, each measured as a "
                "share of that partner's fair share, as small as the rules allow.",
            )
        )
    rate = s.back_office_rate
    out += [
        (
            "Full cost recovery",
            f"Back-office rate o = {_num_words(rate.base)} + {_num_words(rate.uplift)} × (1 − b); "
            "the back-office line is grant × o ÷ (1 + o), the rest of the grant is delivery.",
        ),
        (
            "Unrestricted",
            f"{_pct(s.unrestricted_share)} of each grant is marked unrestricted: part of the "
            "grant the partner may spend on whatever it needs most, not extra money.",
        ),
        (
            "Rounding",
            "Figures are whole currency units, rounded by the largest remainder method so that "
            "every year still adds up exactly to the budget and no cap or floor is broken.",
        ),
        (
            "Size-proportional split",
            "The comparison split: the same budget shared in proportion to capacity alone, "
            "within capacities (the 'bigger slice' default).",
        ),
        (
            "Measures",
            "Gini coefficient of funding per unit of need: 0 when every partner gets the same "
            "per unit of need, towards 1 when one partner gets it all. Need ratio: the largest "
            "funding per unit of need ÷ the smallest.",
        ),
    ]
    return out


def _method(
    project: Project, result: ScenarioResult, warnings: list[str], today: _dt.date
) -> SheetLayout:
    """The rules in plain words, what binds, and which FairShare made the file."""
    sh = _Sheet("Method", warnings)
    sh.width(1, 34)
    sh.width(2, 92)
    sh.text(1, 1, "How the split was worked out", "title")
    sh.text(2, 1, "Scenario", "label")
    sh.text(2, 2, result.name)
    row = 4
    try:
        scenario = project.scenarios[result.index]
        if scenario.name != result.name:
            raise IndexError
    except IndexError:
        scenario = project.scenario(result.name)
    sh.text(row, 1, "Topic", "header")
    sh.text(row, 2, "In plain words", "header")
    for topic, sentence in method_lines(project, scenario, result):
        row += 1
        sh.text(row, 1, topic, "label")
        sh.text(row, 2, sentence, "wrap")
    blocks = [(1, row)]
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
            sh.text(row, 1, rel.field, "wrap")
            sh.text(row, 2, rel.explanation, "wrap")
    blocks.append((start, row))
    if result.method:
        row += 2
        start = row
        sh.text(row, 1, "As FairShare puts it", "header")
        sh.text(row, 2, "", "header")
        for part in result.method.split("\n"):
            if part.strip():
                row += 1
                sh.text(row, 2, part.strip(), "wrap")
        blocks.append((start, row))
    row += 2
    sh.text(row, 1, "Made with", "label")
    solver = f" (solver: {result.solver})" if result.solver else ""
    sh.text(row, 2, f"FairShare {allocator.__version__} on {today.isoformat()}{solver}")
    sh.layout.print_title_rows = None
    sh.finish()
    sh.keep_together(blocks)
    return sh.layout


def layout_workbook(
    project: Project,
    results: Sequence[ScenarioResult],
    scenario: str | None = None,
    today: _dt.date | None = None,
) -> WorkbookLayout:
    """Everything the workbook holds, as plain data, for one chosen scenario (default: first)."""
    results = list(results)
    if not results:
        raise ValidationError([("scenario", "there is no solved scenario to export")])
    if scenario is None:
        chosen = results[0]
    else:
        matches = [r for r in results if r.name == scenario]
        if not matches:
            names = ", ".join(repr(r.name) for r in results)
            raise ValidationError(
                [("scenario", f"no scenario called {scenario!r}; there are: {names}")]
            )
        chosen = matches[0]
    warnings: list[str] = []
    if not chosen.ok:
        warnings.append(
            f"scenario {chosen.name!r} has no split ({chosen.status}); the workbook shows why "
            "instead of budget figures"
        )
    used = {"summary", "scenarios", "inputs", "method"}
    sheets = [_summary(project, chosen, warnings)]
    if chosen.ok:
        for p in chosen.partners:
            title = sheet_title(p.name, used)
            sheets.append(_partner_sheet(project, chosen, p, title, warnings))
    sheets.append(_scenarios(project, results, warnings))
    sheets.append(_inputs(project, warnings))
    sheets.append(_method(project, chosen, warnings, today or _dt.date.today()))
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
            top=thin if st.top_border else Side(), bottom=thin if st.bottom_border else Side()
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


def _openpyxl_chart(ws: Any, chart: Chart) -> Any:
    from openpyxl.chart import BarChart, Reference, Series
    from openpyxl.chart.data_source import AxDataSource, StrRef

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
    wb.properties.creator = f"FairShare {allocator.__version__}"
    if fast:
        return _save_fast(wb, prepared)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(
    project: Project,
    results: Sequence[ScenarioResult],
    scenario: str | None = None,
) -> tuple[bytes, list[str]]:
    """The workbook file's bytes and the warnings met while laying it out."""
    layout = layout_workbook(project, results, scenario)
    return _render_openpyxl(layout), layout.warnings


def workbook_bytes(
    project: Project,
    results: Sequence[ScenarioResult],
    scenario: str | None = None,
) -> bytes:
    """The budget workbook as bytes (for the desktop app to save, or a web response)."""
    return render(project, results, scenario)[0]


# ----------------------------------------------------------------------------------
# Writing the file atomically
# ----------------------------------------------------------------------------------


def _lock_files(target: Path) -> list[Path]:
    """Lock files Excel (~$name) and LibreOffice (.~lock.name#) keep beside an open file."""
    return [
        target.with_name("~$" + target.name),
        target.with_name(f".~lock.{target.name}#"),
    ]


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
        raise WorkbookError(f"cannot write {shown}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise WorkbookError(f"cannot write {shown}: {folder} is not a folder")
    if target.is_dir():
        raise WorkbookError(f"cannot write {shown}: it is a folder")
    if target.exists():
        if not os.access(target, os.W_OK) or not target.stat().st_mode & stat.S_IWUSR:
            raise WorkbookError(f"cannot write {shown}: the file is read-only")
        for lock in _lock_files(target):
            if lock.exists():
                raise WorkbookError(
                    f"cannot write {shown}: it is open in a spreadsheet program (the lock file "
                    f"{lock.name} is beside it); close it and try again, or delete the lock file "
                    "if nothing has it open"
                )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise WorkbookError(
            f"cannot write {shown}: no permission to create files in {folder} ({e.strerror})"
        ) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        mode = 0o666 & ~current_umask()
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
            raise WorkbookError(
                f"cannot write {shown}: it is open in another program or read-only; close it "
                "and try again"
            ) from None
        raise WorkbookError(f"cannot write {shown}: {e.strerror or e}") from None
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
) -> list[str]:
    """Write the budget workbook for ``scenario`` (default: the first) and return warnings.

    Nothing is written unless the whole workbook was built; an existing file at
    ``path`` is replaced in one step or left untouched (WorkbookError).
    """
    data, warnings = render(project, results, scenario)
    if Path(path).suffix.lower() != ".xlsx":
        warnings.append(f"{Path(path).name} does not end in .xlsx; Excel may refuse to open it")
    write_bytes_atomically(data, path)
    return warnings
