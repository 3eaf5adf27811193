"""The comparison's table models: the scenarios side by side, and the settings that differ.

Every figure comes from the core's :class:`~allocator.report.compare.SideBySide` (what
each partner receives, its change, the totals, the measures); the models only read
them and put them into words.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from allocator.domain.text import money
from allocator.report.baseline import (
    Comparison,
    ParameterDifference,
    PartnerChange,
    PartnerInfo,
    ScenarioComparison,
    finite,
)
from allocator.report.compare import SideBySide
from allocator.report.words import with_fee_text
from ui.charts.base import is_dark
from ui.models.common import MEASURE_ROWS
from ui.models.compare_text import (
    STATUS_WORDS,
    measure_change_text,
    measure_text,
    money_change_text,
)

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the default parent: the table itself

#: A gain and a loss (always with a sign and an arrow as well).
GAIN_COLOUR = ("#005A8C", "#7CC8F2")
LOSS_COLOUR = ("#B04A00", "#FFA060")

#: What each scenario's columns show: the amount and its change, or one of them only
#: (with many scenarios the changes alone fit the window without scrolling sideways).
SHOW_BOTH = "both"
SHOW_AMOUNTS = "amounts"
SHOW_CHANGES = "changes"
SHOW_MODES = (SHOW_BOTH, SHOW_AMOUNTS, SHOW_CHANGES)

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

#: A row: its kind and what it is about (the partner and its place, or a measure's key).
Row = tuple[str, tuple[int, PartnerInfo] | str | None]
#: A column: its kind, its scenario (None for the name and baseline) and its group.
Column = tuple[str, str | None, int]
#: What a cell holds: money in whole units, a measure or a change, or a label.
Figure = int | float | str | None


def _tr(text: str) -> str:
    return QCoreApplication.translate("CompareView", text)


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class CompareModel(QAbstractTableModel):
    """Partners (then a total, then the measures) down; scenarios across, two columns each.

    Each scenario has the amount column (what the partner receives: its grant and, for
    the lead, the management fee, over all years) and the change against the baseline
    in money and percent. A baseline that is not itself one of the columns gets a column
    of its own first. ``UserRole`` gives the figure behind a cell; ``RelativeRole`` a
    change cell's relative change.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shown: SideBySide | None = None
        self.names: list[str] = []
        self.stale: set[str] = set()
        self.pending: set[str] = set()
        self.chosen: str | None = None
        self.currency = "GBP"
        self._rows: list[Row] = []
        self._cols: list[Column] = []
        self.show = SHOW_BOTH

    @property
    def comparison(self) -> Comparison | None:
        return self.shown.comparison if self.shown is not None else None

    @property
    def baseline_pending(self) -> bool:
        """The baseline scenario is still being worked out: the changes wait for it."""
        return self.shown is not None and self.shown.baseline_pending

    def set_show(self, show: str) -> None:
        """Show amounts and changes (``SHOW_BOTH``), or only one of them per scenario."""
        if show not in SHOW_MODES:
            raise ValueError(f"show must be one of {', '.join(SHOW_MODES)}, not {show!r}")
        if show == self.show:
            return
        self.show = show
        self.set_comparison(
            self.shown, self.names, stale=self.stale, pending=self.pending, chosen=self.chosen
        )

    # -- filling -----------------------------------------------------------------------
    def set_comparison(
        self,
        shown: SideBySide | None,
        names: Sequence[str],
        *,
        stale: set[str] | None = None,
        pending: set[str] | None = None,
        chosen: str | None = None,
    ) -> None:
        """Show ``shown`` for the scenarios ``names`` (in order); in place when the
        shape is the same, so the selection stays."""
        self.shown = shown
        self.names = list(names)
        self.stale = set(stale or ())
        self.pending = set(pending or ())
        self.chosen = chosen
        c = self.comparison
        self.currency = c.currency if c is not None else self.currency
        rows, cols = self._shape(c)
        same = cols == self._cols and [self._row_id(r) for r in rows] == [
            self._row_id(r) for r in self._rows
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

    def _shape(self, c: Comparison | None) -> tuple[list[Row], list[Column]]:
        if c is None:
            return [], []
        rows: list[Row] = [(ROW_PARTNER, (i, p)) for i, p in enumerate(c.partners)]
        rows.append((ROW_TOTAL, None))
        rows.append((ROW_SECTION, None))
        rows += [(ROW_MEASURE, key) for key, *_ in MEASURE_ROWS]
        cols: list[Column] = [(COL_NAME, None, -1)]
        if self.show_baseline_column:
            cols.append((COL_BASELINE, c.baseline, -1))
        for g, name in enumerate(self.names):
            if self.show != SHOW_CHANGES:
                cols.append((COL_AMOUNT, name, g))
            if self.show != SHOW_AMOUNTS:
                cols.append((COL_CHANGE, name, g))
        return rows, cols

    @staticmethod
    def _row_id(row: Row) -> tuple[str, str | None]:
        kind, what = row
        if isinstance(what, tuple):
            return kind, what[1].id
        return kind, what

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

    def row_key(self, row: int) -> str | None:
        """The partner's id, or the measure's key, of a row (None for total and section)."""
        _kind, what = self._rows[row]
        if isinstance(what, tuple):
            return what[1].id
        return what

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
    def _scenario(self, name: str | None) -> ScenarioComparison | None:
        return self.shown.scenario(name) if self.shown is not None and name else None

    def _partner(self, s: ScenarioComparison, row: int) -> PartnerChange | None:
        what = self._rows[row][1]
        if not isinstance(what, tuple) or not 0 <= what[0] < len(s.partners):
            return None
        return s.partners[what[0]]

    def value(self, row: int, column: int) -> Figure:
        """The figure behind a cell: whole currency units, a measure, a change, or None."""
        ckind, name, _g = self._cols[column]
        return self.figure(row, ckind, name)

    def figure(self, row: int, ckind: str, name: str | None) -> Figure:
        """The figure of row ``row`` for scenario ``name`` as a column of kind ``ckind``
        would show it, whether or not that column is shown."""
        kind, what = self._rows[row]
        if self.shown is None:
            return None
        if ckind == COL_NAME:
            return self.row_label(row)
        if kind == ROW_SECTION:
            return None
        if ckind == COL_BASELINE:
            return self._baseline_value(row)
        s = self._scenario(name)
        if s is None or not s.ok:
            return None
        amount = ckind == COL_AMOUNT
        if kind == ROW_PARTNER:
            pc = self._partner(s, row)
            if pc is None:
                return None
            return pc.received if amount else pc.change
        if kind == ROW_TOTAL:
            total = self.shown.total(s.name)
            if total is None:
                return None
            return total.received if amount else total.change
        if kind == ROW_MEASURE and isinstance(what, str):
            if amount:
                return None if s.measures is None else finite(s.measures.get(what))
            return None if s.measure_changes is None else s.measure_changes.get(what)
        return None

    def relative(self, row: int, column: int) -> float | None:
        ckind, name, _g = self._cols[column]
        if ckind != COL_CHANGE:
            return None
        return self.relative_change(row, name)

    def relative_change(self, row: int, name: str | None) -> float | None:
        """The change of row ``row`` for scenario ``name`` relative to the baseline."""
        kind = self._rows[row][0]
        s = self._scenario(name)
        if s is None or not s.ok or self.shown is None:
            return None
        if kind == ROW_PARTNER:
            pc = self._partner(s, row)
            return None if pc is None else pc.relative_change
        if kind == ROW_TOTAL:
            total = self.shown.total(s.name)
            return None if total is None else total.relative_change
        return None

    def _baseline_value(self, row: int) -> Figure:
        kind, what = self._rows[row]
        shown = self.shown
        if shown is None or shown.baseline_pending:
            return None
        if isinstance(what, tuple):
            return shown.baseline_received(what[0])
        if kind == ROW_TOTAL:
            return shown.baseline_total
        if kind == ROW_MEASURE and isinstance(what, str) and shown.baseline_measures is not None:
            return finite(shown.baseline_measures.get(what))
        return None

    def row_label(self, row: int) -> str:
        """The words heading a row: the partner's name, "Total", a measure's label."""
        kind, what = self._rows[row]
        if isinstance(what, tuple):
            return what[1].name
        if kind == ROW_TOTAL:
            return _tr("Total")
        if kind == ROW_SECTION:
            return _tr("Measures of the split as a whole")
        label = next(lab for k, lab, _h, _t in MEASURE_ROWS if k == what)
        return _tr(label)

    # -- words -------------------------------------------------------------------------
    def _display(self, row: int, column: int) -> str:
        kind, what = self._rows[row]
        ckind, name, _g = self._cols[column]
        if ckind == COL_NAME:
            return self.row_label(row)
        if kind == ROW_SECTION:
            return ""
        if ckind == COL_CHANGE:
            return self._change_display(row, column)
        if ckind == COL_AMOUNT:
            s = self._scenario(name)
            if s is None:
                return _tr("Solving…") if name in self.pending else "–"
            if not s.ok:
                return _tr(STATUS_WORDS.get(s.status, s.status)) if row == 0 else ""
        value = self.value(row, column)
        if value is None:
            if kind == ROW_PARTNER and ckind == COL_AMOUNT:
                return _tr("not in the result")
            return "–"
        if kind == ROW_MEASURE and isinstance(what, str):
            return measure_text(what, float(value))
        return money(float(value), self.currency)

    def _change_display(self, row: int, column: int) -> str:
        kind, what = self._rows[row]
        s = self._scenario(self._cols[column][1])
        if s is None or not s.ok:
            return ""
        if self.baseline_pending:
            return "…"
        value = self.value(row, column)
        if kind == ROW_MEASURE and isinstance(what, str):
            return measure_change_text(what, None if value is None else float(value))
        change = None if value is None else int(value)
        return money_change_text(change, self.relative(row, column), self.currency)

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
        if ckind not in (COL_AMOUNT, COL_CHANGE):
            return ""
        s = self._scenario(name)
        if s is not None and not s.ok:
            return s.message
        if name in self.stale:
            return _tr("Out of date: the new figures are on their way or blocked by a problem.")
        pc = self._partner(s, row) if s is not None else None
        if pc is not None and not pc.included:
            return _tr("{partner} is left out of this scenario.").format(partner=pc.name)
        if pc is not None and ckind == COL_CHANGE and pc.baseline is not None:
            return _tr("{received} against {baseline} in the baseline").format(
                received=with_fee_text(pc.received, pc.fee, self.currency),
                baseline=money(pc.baseline, self.currency),
            )
        if pc is not None and ckind == COL_AMOUNT and pc.fee:
            return with_fee_text(pc.received, pc.fee, self.currency)
        if kind == ROW_MEASURE and ckind == COL_CHANGE:
            return _tr("pts: percentage points")
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._cols)):
            return None
        kind = self._rows[row][0]
        ckind, _name, group = self._cols[column]
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
            return _bold() if kind in (ROW_TOTAL, ROW_SECTION) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            if kind == ROW_SECTION:
                return QApplication.palette().brush(QPalette.ColorRole.Button)
            if group >= 0 and group % 2 == 1:
                return QApplication.palette().brush(QPalette.ColorRole.AlternateBase)
        return None

    def _foreground(self, row: int, column: int) -> QBrush | None:
        kind = self._rows[row][0]
        ckind, name, _g = self._cols[column]
        palette = QApplication.palette()
        grey = palette.brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if name is not None and (name in self.stale or name in self.pending):
            return grey
        s = self._scenario(name)
        if kind == ROW_PARTNER and s is not None and ckind in (COL_AMOUNT, COL_CHANGE):
            pc = self._partner(s, row)
            if pc is not None and not pc.included:
                return grey
        if ckind == COL_CHANGE and kind == ROW_PARTNER and not self.baseline_pending:
            value = self.value(row, column)
            if isinstance(value, (int, float)) and value:
                light, night = GAIN_COLOUR if value > 0 else LOSS_COLOUR
                return QBrush(QColor(night if is_dark(palette) else light))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
                return str(section + 1)
            return None
        if not 0 <= section < len(self._cols):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header_text(section, wrap=True)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tip(section)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignLeft
            if self._cols[section][0] != COL_NAME:
                side = Qt.AlignmentFlag.AlignRight
            return int(side | Qt.AlignmentFlag.AlignBottom)
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
        base = c.baseline_words if c is not None else ""
        if ckind == COL_BASELINE:
            return _tr("What each partner receives in the baseline: {what}").format(what=base)
        if ckind == COL_CHANGE:
            tip = _tr("'{name}' against {base}: ▲ more, ▼ less, in money and in percent").format(
                name=name, base=base
            )
            if self.show == SHOW_CHANGES:
                tip += self._header_notes(name)
            return tip
        if ckind == COL_AMOUNT:
            tip = _tr("{name}: what each partner receives over all years (the lead's fee included)")
            return tip.format(name=name) + self._header_notes(name)
        return ""

    def _header_notes(self, name: str | None) -> str:
        notes = ""
        if name == self.chosen:
            notes += "\n" + _tr("This scenario goes into the bid.")
        if name in self.stale:
            notes += "\n" + _tr("Out of date: the new figures are on their way.")
        return notes

    # -- copying -----------------------------------------------------------------------
    def copy_rows(self) -> list[list[Figure]]:
        """The table for a spreadsheet: a header, then one row per table row.

        Each scenario gives three columns (amount, change, change in percent) so every
        cell is one plain number: money in whole units, changes in percent as numbers
        (5.2 for +5.2%), measures as fractions (0.299 for 29.9%), as in the workbook.
        """
        if self.comparison is None:
            return []
        header: list[Figure] = [_tr("Partner")]
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
            line: list[Figure] = [self.row_label(r)]
            if self.show_baseline_column:
                line.append(self._baseline_value(r))
            for name in self.names:
                line += self._copy_cells(r, name)
            rows.append(line)
        return rows

    def _copy_cells(self, row: int, name: str) -> list[Figure]:
        s = self._scenario(name)
        if s is None:
            return [_tr("Solving…") if name in self.pending else None, None, None]
        if not s.ok:
            return [_tr(STATUS_WORDS.get(s.status, s.status)) if row == 0 else None, None, None]
        if self.baseline_pending:
            return [self.figure(row, COL_AMOUNT, name), None, None]
        rel = self.relative_change(row, name)
        change = self.figure(row, COL_CHANGE, name)
        return [self.figure(row, COL_AMOUNT, name), change, None if rel is None else rel * 100]


class DifferencesModel(QAbstractTableModel):
    """The settings that differ between the compared scenarios: one row each."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.rows: list[ParameterDifference] = []

    def set_differences(
        self, names: Sequence[str], differences: Sequence[ParameterDifference]
    ) -> None:
        self.beginResetModel()
        self.names = list(names)
        self.rows = list(differences)
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() or not self.names else 1 + len(self.names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
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
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return _tr("Setting")
        if 1 <= section <= len(self.names):
            return "\n".join(textwrap.wrap(self.names[section - 1], 14))
        return None
