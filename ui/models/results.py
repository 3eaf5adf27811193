"""The results table model: ``document.result()`` for the current scenario, moved in
steps so that a one-cell change repaints one cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from allocator.domain.text import money, pct
from allocator.report.words import (
    LIMIT_TEXT,
    LINE_KEYS,
    NOT_SHOWN,
    limit_text,
    money_change_text,
    with_fee_text,
)
from allocator.report.words import LINES as LINE_WORDS
from ui.models.common import (
    ALIGN_LEFT,
    ALIGN_RIGHT,
    WORD_WRAP,
    Index,
    blocks,
    stack_runs,
)

if TYPE_CHECKING:  # named in signatures only: results code loads after the first frame
    from PySide6.QtCore import QObject

    from allocator.engine.result import PartnerResult, ScenarioResult
    from ui.state.document import Document

#: A row: what kind it is and, for a partner's row, its result.
Row = tuple[str, "PartnerResult | None"]
#: The figure behind a cell: a name, whole units, a fraction, what limits a partner.
Figure = str | int | float | list[str] | None

#: The old names of what limits a partner and of the budget lines: the words are
#: :mod:`allocator.report.words`'s.
LIMIT_WORDS = LIMIT_TEXT
LINES = LINE_KEYS


@dataclass(frozen=True)
class ResultColumn:
    """One column of the results table: what it shows and how."""

    key: str  # "name", "year", "total", "fair_share", "attainment", "limited_by", "vs", line
    label: str
    tip: str
    year: int = -1  # position among the years for "year" columns
    money: bool = True
    short: str = ""  # the header shown where the label is long; its tooltip names it whole

    @property
    def header(self) -> str:
        """The words in the table's header: the short form where there is one."""
        return self.short or self.label

    @property
    def header_tip(self) -> str:
        """The header's tooltip: the whole label (when the header is short) and the tip."""
        return f"{self.label}: {self.tip}" if self.short else self.tip


ROW_PARTNER = "partner"
ROW_FEE = "fee"
ROW_TOTAL = "total"

# Roles as plain numbers: ``data`` is called for every role of every cell painted, and
# comparing plain numbers is the cheapest test Python has.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_USER = Qt.ItemDataRole.UserRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_RESULT_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

#: Above this many rows or runs of changed cells one dataChanged covers them all (a
#: thousand partners would otherwise be compared and announced cell by cell).
MAX_CHANGE_RUNS = 64


class ResultsModel(QAbstractTableModel):
    """The split of the current scenario: partners in project order, then fee and total.

    ``Qt.UserRole`` on a money cell is the whole-unit integer. While the document's
    result is not current the figures stay and are shown greyed (``stale``).

    A new result of the same shape changes the table in place: ``dataChanged`` for the
    cells that read differently (and for tooltips whose words changed), never a reset.
    Each row's text is worked out once per result, when it is first painted.
    """

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._show_lines = False
        self._stale = False
        self._result: ScenarioResult | None = None
        self._rows: list[Row] = []
        self._columns: list[ResultColumn] = []
        self._text: list[tuple[str, ...] | None] = []  # each row's cells, as shown
        self._values: list[tuple[Figure, ...] | None] = []  # the figures behind them
        self._alignment: list[int] = []
        self._bold: QFont | None = None
        self._take(document.result())

    # -- options -----------------------------------------------------------------------
    @property
    def document(self) -> Document:
        return self._document

    @property
    def result(self) -> ScenarioResult | None:
        return self._result

    @property
    def show_lines(self) -> bool:
        return self._show_lines

    def set_show_lines(self, on: bool) -> None:
        """Add (or drop) the budget line columns: delivery, back-office, fee, unrestricted."""
        if bool(on) == self._show_lines:
            return
        self.beginResetModel()
        self._show_lines = bool(on)
        self._take(self._result)
        self.endResetModel()

    @property
    def stale(self) -> bool:
        return self._stale

    def set_stale(self, stale: bool) -> None:
        """Grey the figures (they belong to an earlier state of the project)."""
        if bool(stale) == self._stale:
            return
        self._stale = bool(stale)
        self._emit_all([Qt.ItemDataRole.ForegroundRole])

    # -- following the document --------------------------------------------------------
    @property
    def showing_older(self) -> bool:
        """True when the table keeps the last split that could be met (the new one has none)."""
        return self._result is not None and self._result is not self._document.result()

    def refresh(self) -> None:
        """Show the document's latest result: in place when the table keeps its shape.

        A result without figures (the scenario cannot be met, or the engine failed) for
        the scenario already on show keeps the last figures, to be shown greyed: a
        person dragging a setting past what can be met sees the table stay, not blink.
        """
        result = self._document.result()
        if result is self._result:
            return
        if (
            result is not None
            and not _partners(result)
            and self._result is not None
            and self._result.name == result.name
        ):
            return
        if result is not None and self._shape(result) == self._shape(self._result):
            self._update_in_place(result)
            return
        self.beginResetModel()
        self._take(result)
        self.endResetModel()

    def _shape(self, result: ScenarioResult | None) -> tuple:
        if result is None or not _partners(result):
            return ()
        return (
            tuple(p.id for p in _partners(result)),
            _has_fee(result),
            len(result.years),
            tuple(result.years),
            result.currency,
            self._show_lines,
        )

    def _update_in_place(self, result: ScenarioResult) -> None:
        """Take a result of the same shape, telling the views which cells changed.

        Rows whose partner figures are equal are skipped without reading them; the
        others are compared cell by cell by the figures behind them (the text follows
        from those and the currency, which is part of the shape), and by their
        tooltips' words.
        """
        old_rows = self._rows
        new_rows = self._rows_of(result)
        differ = [
            r
            for r, ((kind, a), (_, b)) in enumerate(zip(old_rows, new_rows, strict=True))
            if kind != ROW_PARTNER or a is not b and a != b
        ]
        last = len(self._columns) - 1
        if len(differ) > MAX_CHANGE_RUNS:
            # a large table where most rows moved: one signal for the rows that did,
            # without comparing them cell by cell (the views repaint what they show)
            self._take(result)
            self.dataChanged.emit(self.index(differ[0], 0), self.index(differ[-1], last))
            return
        before = {r: self._row_values(r) for r in differ}  # read with the old result
        self._take(result)
        runs: list[tuple[int, int, int]] = []
        tips: list[int] = []
        every = list(range(len(self._columns)))
        for r in differ:
            kind, a = old_rows[r]
            b = new_rows[r][1]
            if a is not None and b is not None and a.included != b.included:
                changed = every  # "left out" reads differently whatever the figures
            else:
                old, new = before[r], self._row_values(r)
                changed = [c for c, (x, y) in enumerate(zip(old, new, strict=True)) if x != y]
            runs += [(r, first, last) for first, last in blocks(changed)]
            if (
                a is not None
                and b is not None
                and (a.reason != b.reason or a.limited_by_per_year != b.limited_by_per_year)
            ):
                tips.append(r)
        boxes = stack_runs(runs)  # the same columns changed in neighbouring rows: one box
        tip_rows = blocks(tips)
        if len(boxes) + len(tip_rows) > MAX_CHANGE_RUNS:
            rows = [r for r, _, _ in runs] + tips
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))
            return
        for top, bottom, first, end in boxes:
            self.dataChanged.emit(self.index(top, first), self.index(bottom, end))
        for top, bottom in tip_rows:
            self.dataChanged.emit(self.index(top, 0), self.index(bottom, last), [_TOOLTIP])

    def _rows_of(self, result: ScenarioResult | None) -> list[Row]:
        if result is None or not _partners(result):
            return []
        partners = _partners(result)
        rows: list[Row] = [(ROW_PARTNER, p) for p in sorted(partners, key=lambda p: p.index)]
        if _has_fee(result):
            rows.append((ROW_FEE, None))
        rows.append((ROW_TOTAL, None))
        return rows

    def _row_values(self, row: int) -> tuple[Figure, ...]:
        """The figures behind the row's cells (UserRole), worked out once per result."""
        values = self._values[row]
        if values is None:
            kind, partner = self._rows[row]
            values = self._values[row] = self._values_of(kind, partner)
        return values

    def _row_text(self, row: int) -> tuple[str, ...]:
        """The row's cells as shown (DisplayRole), worked out once per result."""
        text = self._text[row]
        if text is None:
            kind, partner = self._rows[row]
            text = tuple(
                self._display(kind, partner, col, value)
                for col, value in zip(self._columns, self._row_values(row), strict=True)
            )
            self._text[row] = text
        return text

    def _take(self, result: ScenarioResult | None) -> None:
        self._result = result
        self._rows = self._rows_of(result)
        self._text = [None] * len(self._rows)
        self._values = [None] * len(self._rows)
        self._columns = []
        self._alignment = []
        if result is None or not self._rows:
            return
        cols = [ResultColumn("name", self.tr("Partner"), self.tr("The partner"), money=False)]
        for y, year in enumerate(result.years):
            cols.append(
                ResultColumn(
                    "year",
                    str(year),
                    self.tr("Grant for {year}, without the management fee").format(year=year),
                    year=y,
                )
            )
        cols += [
            ResultColumn("total", self.tr("Total"), self.tr("Grant over all years")),
            ResultColumn(
                "fair_share",
                self.tr("Fair share"),
                self.tr("What the partner's need asks for over all years"),
            ),
            ResultColumn(
                "attainment",
                self.tr("Attainment"),
                self.tr("Grant as a share of the fair share"),
                money=False,
            ),
            ResultColumn(
                "limited_by",
                self.tr("Limited by"),
                self.tr("What stops the partner getting more (or less)"),
                money=False,
            ),
            ResultColumn(
                "vs",
                self.tr("vs size-proportional"),
                self.tr(
                    "What the partner receives (fee included) minus what a split by size "
                    "alone would give it: ▲ more, ▼ less"
                ),
                short=self.tr("vs size-prop."),
            ),
        ]
        if self._show_lines:
            cols += [
                ResultColumn(line.key, self.tr(line.name), self.tr(line.tip)) for line in LINE_WORDS
            ]
        self._columns = cols
        self._alignment = [
            ALIGN_LEFT if c.key in ("name", "limited_by") else ALIGN_RIGHT for c in cols
        ]

    def _emit_all(self, roles: list[int] | None) -> None:
        if self._rows and self._columns:
            top_left = self.index(0, 0)
            bottom_right = self.index(len(self._rows) - 1, len(self._columns) - 1)
            if roles is None:
                self.dataChanged.emit(top_left, bottom_right)
            else:
                self.dataChanged.emit(top_left, bottom_right, roles)

    # -- Qt's model interface ----------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _RESULT_FLAGS

    def column(self, column: int) -> ResultColumn:
        return self._columns[column]

    def column_keys(self) -> list[str]:
        return [c.key for c in self._columns]

    def row_kind(self, row: int) -> str:
        return self._rows[row][0]

    def partner_index(self, row: int) -> int:
        """The partner's position in the project for a row, -1 for the fee and total rows."""
        if not 0 <= row < len(self._rows):
            return -1
        p = self._rows[row][1]
        return p.index if p is not None else -1

    def row_of_partner(self, index: int) -> int:
        for row, (_kind, p) in enumerate(self._rows):
            if p is not None and p.index == index:
                return row
        return -1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
                return str(section + 1) if self._rows[section][0] == ROW_PARTNER else ""
            return None
        if not 0 <= section < len(self._columns):
            return None
        col = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.header_tip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (ALIGN_LEFT if col.key in ("name", "limited_by") else ALIGN_RIGHT) | WORD_WRAP
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Called for every role of every cell painted: the common roles come first and
        # are answered from what was worked out once per result.
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._columns)):
            return None  # an invalid index has row and column -1
        if role == _DISPLAY:
            return self._row_text(row)[column]
        if role == _ALIGNMENT:
            return self._alignment[column]
        if role == _FONT:
            return self._bold_font() if self._rows[row][0] == ROW_TOTAL else None
        if role == _FOREGROUND:
            partner = self._rows[row][1]
            if self._stale or (partner is not None and not partner.included and column > 0):
                palette = QApplication.palette()
                return palette.brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        if role == _USER:
            return self._row_values(row)[column]
        if role == _TOOLTIP:
            kind, partner = self._rows[row]
            return self._tip(kind, partner, self._columns[column])
        return None

    def _bold_font(self) -> QFont:
        if self._bold is None:
            self._bold = QFont()
            self._bold.setBold(True)
        return QFont(self._bold)

    # -- the figures -------------------------------------------------------------------
    def _shown(self) -> ScenarioResult:
        """The result on show: rows (and so cells) exist only while there is one."""
        if self._result is None:
            raise LookupError("the results table shows no result")
        return self._result

    def _values_of(self, kind: str, partner: PartnerResult | None) -> tuple[Figure, ...]:
        """The figures behind a row's cells: whole units for money, a fraction for
        attainment (None where a cell has no figure)."""
        r = self._shown()
        cols = self._columns
        figures: dict[str, Figure]
        if partner is not None:
            p = partner
            figures = {
                "name": p.name,
                "total": int(p.total),
                "fair_share": _fair_share(p),
                "attainment": float(p.attainment) if p.included else None,
                "limited_by": list(p.limited_by),
                "vs": int(p.vs_size_proportional),
            }
            if self._show_lines:
                for key in LINE_KEYS:
                    figures[key] = int(sum(p.lines.get(key, ()) or ()))
            years = p.per_year
            return tuple(
                int(years[c.year]) if c.key == "year" else figures.get(c.key) for c in cols
            )
        if kind == ROW_FEE:
            fee = [int(f) for f in r.fee]
            figures = {"name": self._fee_label(), "total": sum(fee), "management": sum(fee)}
            return tuple(fee[c.year] if c.key == "year" else figures.get(c.key) for c in cols)
        # total row: everything the budget pays out, fee included, so it equals the budget
        parts = _partners(r)
        figures = {
            "name": self.tr("Total"),
            "total": int(sum(r.budget)),
            "fair_share": int(sum(_fair_share(p) for p in parts)),
        }
        if self._show_lines:
            for key in LINE_KEYS:
                figures[key] = int(sum(sum(p.lines.get(key, ()) or ()) for p in parts))
        return tuple(int(r.budget[c.year]) if c.key == "year" else figures.get(c.key) for c in cols)

    def _display(
        self, kind: str, partner: PartnerResult | None, col: ResultColumn, value: Figure
    ) -> str:
        """A cell as shown, from the figure behind it (``value``)."""
        key = col.key
        currency = self._shown().currency
        if partner is not None and not partner.included and key != "name":
            if key in ("total", "limited_by"):
                return self.tr(limit_text("excluded"))
            if key == "vs":
                return money_change_text(int(partner.vs_size_proportional), None, currency)
            return NOT_SHOWN
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            return ", ".join(self.tr(limit_text(v)) for v in value)
        if key == "attainment":
            return pct(value, 1)
        if key == "vs":
            return money_change_text(value, None, currency)
        return money(value, currency)

    def _tip(self, kind: str, partner: PartnerResult | None, col: ResultColumn) -> str | None:
        r = self._shown()
        if kind == ROW_TOTAL:
            if col.key in ("year", "total"):
                return self.tr("The partnership's whole grant: partners plus the management fee")
            return None
        if kind == ROW_FEE:
            lead = next((p for p in _partners(r) if p.lead and p.included), None)
            who = lead.name if lead is not None else self.tr("the lead")
            return self.tr("{lead} keeps this for coordinating the partnership").format(lead=who)
        if partner is None:
            return None
        fee = partner.fee_total
        if fee and partner.included and col.key in ("total", "vs"):
            # the lead's change counts its fee, its total does not: both say so
            received = with_fee_text(partner.received, fee, r.currency)
            if col.key == "total":
                return self.tr("The grant; with the management fee it receives {received}").format(
                    received=received
                )
            return self.tr(
                "What it receives, {received}, against the size-proportional split"
            ).format(received=received)
        if col.key == "name":
            # the name may be cut short in the table: the tooltip gives it whole
            return f"{partner.name}\n{partner.reason}" if partner.reason else partner.name
        if col.key == "limited_by" and partner.reason:
            return partner.reason
        if col.key == "year":
            reasons = partner.limited_by_per_year
            if col.year < len(reasons):
                return self.tr("Limited by {what} in {year}").format(
                    what=self.tr(limit_text(reasons[col.year])), year=r.years[col.year]
                )
        return None

    def _fee_label(self) -> str:
        return self.tr("Management fee")


def _partners(result: ScenarioResult) -> tuple[PartnerResult, ...]:
    return result.partners


def _fair_share(partner: PartnerResult) -> int:
    """The fair share in whole units: the sum of the whole-unit years."""
    return int(partner.fair_share_total)


def _has_fee(result: ScenarioResult) -> bool:
    return any(int(f) for f in result.fee)
