"""Thin Qt table models over the document's plain data: the partners and the split.

Neither model holds a figure of its own. ``PartnersModel`` shows ``document.project``'s
partners with the columns, labels, bounds and help of ``fields.PARTNER_COLUMNS`` and
sends every edit back through ``document.set_field`` (one undo command each).
``ResultsModel`` shows ``document.result()`` for the current scenario.

Both keep a snapshot of what they show and move it to the document's new state in
steps (``beginRemoveRows`` ... ``dataChanged``), so views, selections and proxies stay
consistent and a one-cell edit repaints one cell instead of resetting the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from allocator.domain import fields
from allocator.domain.text import currency_symbol, money, pct, signed_money
from allocator.errors import Problem, ValidationError

Index = QModelIndex | QPersistentModelIndex

_PARTNER_PATH = re.compile(r"^partners\[(\d+)\](?:\.([A-Za-z_][A-Za-z0-9_]*))?")

#: Roles that depend on the problems of a cell (icon, tint, tooltip).
PROBLEM_ROLES = [
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleDescriptionRole,
]
VALUE_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.EditRole,
    Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleDescriptionRole,
    Qt.ItemDataRole.FontRole,
]

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_WRAP = int(Qt.TextFlag.TextWordWrap)


def warning_icon() -> QIcon:
    """The style's warning sign: the mark that a cell needs attention (never colour alone)."""
    # QStyle is imported here, when a warning is first drawn: PySide builds the Python
    # types of its ~600 enum values on import, which would hold up the first frame
    from PySide6.QtWidgets import QStyle

    app = QApplication.instance()
    style = app.style() if isinstance(app, QApplication) else None
    if style is None:
        return QIcon()
    return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


def problem_tint() -> QColor:
    """A translucent amber that reads on light and dark palettes alike."""
    return QColor(255, 170, 0, 70)


def partner_path(row: int, key: str) -> str:
    """The field path of one partner cell: ``partners[2].capacity``."""
    return f"partners[{row}].{key}"


def locate_partner_path(path: str) -> tuple[int, str | None] | None:
    """(row, field key) for a path into a partner, or None for any other path."""
    m = _PARTNER_PATH.match(str(path))
    if m is None:
        return None
    return int(m.group(1)), m.group(2)


def bounds_words(spec: fields.FieldSpec, currency: str) -> str:
    """The allowed values in words, money in the project's currency."""
    if spec.kind == "money":
        lo, hi = spec.minimum, spec.maximum
        if lo is not None and hi is None:
            amount = money(lo, currency)
            return f"above {amount}" if spec.exclusive_min else f"at least {amount}"
    return spec.bounds_text


#: The measures of a split as a whole, in the app's words (results and compare views):
#: key, label, how the figure reads ("pct", "gini" or "ratio"), what it means.
MEASURE_ROWS: tuple[tuple[str, str, str, str], ...] = (
    (
        "min_attainment",
        "Smallest attainment",
        "pct",
        "The lowest grant as a share of its fair share, over all partners taking part",
    ),
    (
        "max_attainment",
        "Largest attainment",
        "pct",
        "The highest grant as a share of its fair share, over all partners taking part",
    ),
    (
        "gini",
        "Gini",
        "gini",
        "How unevenly funding per unit of need is spread: 0 is perfectly even",
    ),
    (
        "need_ratio",
        "Need ratio",
        "ratio",
        "Largest over smallest funding per unit of need: 1.00 means everyone is funded "
        "alike for their need",
    ),
    (
        "by_and_for_share",
        "By-and-for share",
        "pct",
        "The share of the grant that goes to by-and-for partners",
    ),
    (
        "lead_share",
        "Lead share (fee included)",
        "pct",
        "The share of the whole grant the lead receives, its management fee included",
    ),
)


class PartnersModel(QAbstractTableModel):
    """One row per partner in project order, one column per partner field.

    ``EditRole`` gives the stored value (``None`` for a blank); ``setData`` takes a
    number or text as a person types it ("£120,000", "35%", "yes"). A refused value
    changes nothing, returns False and is announced by ``editRefused``.
    """

    editRefused = Signal(int, int, str)  # row, column, the message in words
    scoresAsPercentagesChanged = Signal(bool)

    def __init__(self, document: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self._document = document
        self._columns: tuple[fields.FieldSpec, ...] = tuple(fields.PARTNER_COLUMNS)
        self._column_of = {spec.key: c for c, spec in enumerate(self._columns)}
        self._project = document.project
        self._rows: list[Any] = list(self._project.partners)
        self._percent = False
        self._problems: dict[tuple[int, int], list[str]] = {}
        self._icon: QIcon | None = None
        self._problems = self._problem_map()
        self.last_refusal: tuple[str, str] | None = None
        document.projectChanged.connect(self._on_project_changed)
        document.projectReset.connect(self._on_project_reset)
        document.problemsChanged.connect(self._on_problems_changed)

    # -- what the columns are ----------------------------------------------------------
    @property
    def document(self) -> Any:
        return self._document

    @property
    def columns(self) -> tuple[fields.FieldSpec, ...]:
        return self._columns

    def spec(self, column: int) -> fields.FieldSpec:
        return self._columns[column]

    def column_of(self, key: str) -> int:
        """The column showing a partner field (``"capacity"``); -1 if none does."""
        return self._column_of.get(key, -1)

    def path(self, index: Index) -> str:
        """The field path a cell edits: ``partners[2].capacity``."""
        return partner_path(index.row(), self._columns[index.column()].key)

    def index_for_path(self, path: str) -> QModelIndex:
        """The cell a field path points at (the name cell for a whole partner)."""
        where = locate_partner_path(path)
        if where is None:
            return QModelIndex()
        row, key = where
        column = self._column_of.get(key or "", 0)
        if column < 0 or row >= len(self._rows):
            return QModelIndex()
        return self.index(row, column)

    def partner(self, row: int) -> Any:
        return self._rows[row]

    @property
    def currency(self) -> str:
        return self._project.currency

    # -- the view option ---------------------------------------------------------------
    @property
    def scores_as_percentages(self) -> bool:
        return self._percent

    def set_scores_as_percentages(self, on: bool) -> None:
        """Show 0..1 scores as 35% instead of 0.35 (the stored value does not change)."""
        on = bool(on)
        if on == self._percent:
            return
        self._percent = on
        for c, spec in enumerate(self._columns):
            if spec.kind == "score" and self._rows:
                self.dataChanged.emit(
                    self.index(0, c),
                    self.index(len(self._rows) - 1, c),
                    [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole],
                )
        self.scoresAsPercentagesChanged.emit(on)

    # -- Qt's model interface ----------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._columns[index.column()].kind == "bool":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            spec = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr(spec.label)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._header_tip(spec)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                # long labels ("Back-office capacity (0-1)") wrap onto two lines
                return (_RIGHT if spec.is_number else _LEFT) | _WRAP
            return None
        if not 0 <= section < len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            if any(r == section for r, _ in self._problems):
                return self._warning()
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            count = sum(len(m) for (r, _), m in self._problems.items() if r == section)
            if count:
                return (
                    self.tr("1 problem in this row")
                    if count == 1
                    else self.tr("%n problems in this row", "", count)
                )
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._columns)):
            return None
        spec = self._columns[column]
        value = getattr(self._rows[row], spec.key, None)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(spec, value)
        if role == Qt.ItemDataRole.EditRole:
            return None if spec.kind == "bool" else value
        if role == Qt.ItemDataRole.CheckStateRole:
            if spec.kind != "bool":
                return None
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if spec.is_number:
                return _RIGHT
            return _CENTRE if spec.kind == "bool" else _LEFT
        if role == Qt.ItemDataRole.DecorationRole:
            return self._warning() if (row, column) in self._problems else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(problem_tint()) if (row, column) in self._problems else None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return self._cell_tip(row, spec, value)
        if role == Qt.ItemDataRole.FontRole:
            if spec.kind == "score" and self._score_source(row, spec.key) == "questionnaire":
                font = QFont()
                font.setItalic(True)
                return font
            return None
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Send a typed value to the document: True when it was taken (or unchanged)."""
        if not index.isValid() or index.row() >= len(self._rows):
            return False
        spec = self._columns[index.column()]
        if role == Qt.ItemDataRole.CheckStateRole:
            if spec.kind != "bool":
                return False
            value = _check_state(value) == Qt.CheckState.Checked
        elif role != Qt.ItemDataRole.EditRole:
            return False
        path = self.path(index)
        current = getattr(self._rows[index.row()], spec.key, None)
        try:
            if fields.parse_value(spec, value, path) == current:
                self.last_refusal = None
                return True  # nothing to change: no undo step for an unchanged cell
        except (ValidationError, TypeError, ValueError, OverflowError):
            pass  # the document refuses it below, with the same message
        refusal = self._document.set_field(path, value)
        if refusal:
            self.last_refusal = (path, str(refusal))
            self.editRefused.emit(index.row(), index.column(), str(refusal))
            return False
        self.last_refusal = None
        return True

    # -- following the document --------------------------------------------------------
    def _on_project_reset(self) -> None:
        self.beginResetModel()
        self._project = self._document.project
        self._rows = list(self._project.partners)
        self._problems = self._problem_map()
        self.endResetModel()

    def _on_project_changed(self, old: Any, new: Any) -> None:
        del old  # the snapshot is what the views were told about; compare with that
        before = self._project
        self._sync_rows(list(new.partners))
        self._project = new
        if new.currency != before.currency:
            self._emit_columns(lambda spec: spec.kind == "money", [Qt.ItemDataRole.DisplayRole])
        self._on_problems_changed()

    def _on_problems_changed(self) -> None:
        new = self._problem_map()
        old = self._problems
        if new == old:
            return
        self._problems = new
        cells = {key for key in set(old) | set(new) if old.get(key) != new.get(key)}
        rows = sorted({r for r, _ in cells})
        for row, column in sorted(cells):
            index = self.index(row, column)
            self.dataChanged.emit(index, index, PROBLEM_ROLES)
        if rows:
            self.headerDataChanged.emit(Qt.Orientation.Vertical, rows[0], rows[-1])

    def _sync_rows(self, new_rows: list[Any]) -> None:
        """Move the snapshot to ``new_rows`` telling the views each step on the way."""
        old_rows = self._rows
        old_ids = [p.id for p in old_rows]
        new_ids = [p.id for p in new_rows]
        if old_ids == new_ids:
            self._rows = new_rows
            self._emit_changed_cells(old_rows, new_rows)
            return
        if len(set(old_ids)) != len(old_ids) or len(set(new_ids)) != len(new_ids):
            self._sync_by_position(new_rows)
            return
        keep = set(new_ids)
        # 1. rows that went away, last block first
        gone = [i for i, pid in enumerate(old_ids) if pid not in keep]
        for first, last in reversed(_blocks(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        # 2. rows that moved: those on a longest increasing run stay put
        had = {p.id for p in self._rows}
        target = [pid for pid in new_ids if pid in had]
        current = [p.id for p in self._rows]
        position = {pid: i for i, pid in enumerate(target)}
        staying = set(_longest_increasing([position[pid] for pid in current]))
        placed = {target[i] for i in staying}
        for k, pid in enumerate(target):
            if pid in placed:
                continue
            source = current.index(pid)
            to = 0 if k == 0 else current.index(target[k - 1]) + 1
            if to > source:
                to -= 1
            self._move_row(source, to)
            current.insert(to, current.pop(source))
            placed.add(pid)
        # 3. rows that are new, in runs
        new_at = [k for k, pid in enumerate(new_ids) if pid not in had]
        for first, last in _blocks(new_at):
            self.beginInsertRows(QModelIndex(), first, last)
            self._rows[first:first] = new_rows[first : last + 1]
            self.endInsertRows()
        # 4. what changed inside the rows that stayed
        before = self._rows
        self._rows = new_rows
        self._emit_changed_cells(before, new_rows)

    def _sync_by_position(self, new_rows: list[Any]) -> None:
        """Ids that repeat cannot be followed: grow or shrink at the end, then compare."""
        n_old, n_new = len(self._rows), len(new_rows)
        if n_new < n_old:
            self.beginRemoveRows(QModelIndex(), n_new, n_old - 1)
            del self._rows[n_new:]
            self.endRemoveRows()
        elif n_new > n_old:
            self.beginInsertRows(QModelIndex(), n_old, n_new - 1)
            self._rows.extend(new_rows[n_old:])
            self.endInsertRows()
        before = self._rows
        self._rows = new_rows
        self._emit_changed_cells(before, new_rows)

    def _move_row(self, source: int, to: int) -> None:
        """Move one row so that it ends up at ``to``."""
        if source == to:
            return
        destination = to + 1 if to > source else to
        if not self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), destination):
            return
        self._rows.insert(to, self._rows.pop(source))
        self.endMoveRows()

    def _emit_changed_cells(self, before: Sequence[Any], after: Sequence[Any]) -> None:
        """dataChanged for exactly the cells whose value differs, a run per row."""
        for row, (a, b) in enumerate(zip(before, after, strict=True)):
            if a is b or a == b:
                continue
            changed = [
                c
                for c, spec in enumerate(self._columns)
                if getattr(a, spec.key, None) != getattr(b, spec.key, None)
                or (spec.kind == "score" and _source(a, spec.key) != _source(b, spec.key))
            ]
            for first, last in _blocks(changed):
                self.dataChanged.emit(self.index(row, first), self.index(row, last), VALUE_ROLES)

    def _emit_columns(self, which: Any, roles: list[int]) -> None:
        if not self._rows:
            return
        for c, spec in enumerate(self._columns):
            if which(spec):
                self.dataChanged.emit(self.index(0, c), self.index(len(self._rows) - 1, c), roles)

    # -- helpers -----------------------------------------------------------------------
    def _problem_map(self) -> dict[tuple[int, int], list[str]]:
        out: dict[tuple[int, int], list[str]] = {}
        for problem in self._document.problems:
            path, message = _problem_parts(problem)
            where = locate_partner_path(path)
            if where is None:
                continue
            row, key = where
            if row >= len(self._rows):
                continue
            column = self._column_of.get(key or "", 0)
            out.setdefault((row, column), []).append(message)
        return out

    def problems_at(self, row: int, column: int) -> list[str]:
        """The messages of the problems a cell has (empty when it is fine)."""
        return list(self._problems.get((row, column), ()))

    def problem_cells(self) -> list[tuple[int, int]]:
        return sorted(self._problems)

    def _warning(self) -> QIcon:
        if self._icon is None:
            self._icon = warning_icon()
        return self._icon

    def _display(self, spec: fields.FieldSpec, value: Any) -> Any:
        if value is None or spec.kind == "bool":
            return ""
        kind = spec.kind
        if kind == "money":
            return money(value, self._project.currency)
        if kind == "count":
            v = float(value)
            return f"{int(v):,}" if v.is_integer() else f"{v:,.2f}"
        if kind == "score":
            return pct(value, 0) if self._percent else f"{float(value):.2f}"
        if kind == "text":
            text = str(value)
            line = text.split("\n", 1)[0]
            return line + " …" if len(line) < len(text) else line
        return fields.format_value(spec, value, self._project.currency)

    def _header_tip(self, spec: fields.FieldSpec) -> str:
        parts = [self.tr(spec.help)]
        bounds = bounds_words(spec, self._project.currency)
        if bounds:
            parts.append(self.tr("Allowed: {bounds}.").format(bounds=bounds))
        if spec.kind == "money":
            parts.append(
                self.tr("In {currency}; 120,000, £120k and 1.2m are all fine.").format(
                    currency=currency_symbol(self._project.currency) or self._project.currency
                )
            )
        if spec.kind == "score":
            parts.append(self.tr("0.35 and 35% are both fine."))
        if spec.kind == "bool":
            parts.append(self.tr("Space ticks or clears it; yes, no and x paste in."))
        return "\n".join(parts)

    def _cell_tip(self, row: int, spec: fields.FieldSpec, value: Any) -> str | None:
        messages = self._problems.get((row, self._column_of[spec.key]))
        lines: list[str] = []
        if messages:
            label = self.tr(spec.label)
            lines.extend(f"{label}: {m}" for m in messages)
        if spec.kind == "score" and value is not None:
            source = self._score_source(row, spec.key)
            if source == "questionnaire":
                lines.append(self.tr("From the needs assessment answers."))
            elif source == "typed":
                lines.append(self.tr("Typed in by hand."))
        if spec.kind == "text" and spec.key == "notes" and value and not messages:
            lines.append(str(value))
        return "\n".join(lines) if lines else None

    def _score_source(self, row: int, key: str) -> str | None:
        return _source(self._rows[row], key)


def _source(partner: Any, key: str) -> str | None:
    """Where a needs score came from ("typed" / "questionnaire"), when the core says."""
    sources = getattr(partner, "score_source", None)
    if not sources:
        return None
    try:
        return sources.get(key)
    except AttributeError:
        return None


def _check_state(value: Any) -> Qt.CheckState:
    if isinstance(value, Qt.CheckState):
        return value
    try:
        return Qt.CheckState(int(value))
    except (TypeError, ValueError):
        return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked


def _problem_parts(problem: Any) -> tuple[str, str]:
    if isinstance(problem, Problem):
        return problem.path, problem.message
    try:
        path, message = problem
    except (TypeError, ValueError):
        return "", str(problem)
    return str(path), str(message)


def _blocks(indices: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted indices as runs of consecutive ones: [1,2,3,7] -> [(1,3),(7,7)]."""
    out: list[tuple[int, int]] = []
    for i in sorted(indices):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _stack(runs: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Runs of changed cells (row, first column, last column), in row order, as boxes
    (top, bottom, first, last): a run joins the box above it when it spans the same
    columns in the next row."""
    open_boxes: dict[tuple[int, int], list[int]] = {}  # (first, last) -> [top, bottom]
    out: list[list[int]] = []
    for row, first, last in runs:
        box = open_boxes.get((first, last))
        if box is not None and box[1] == row - 1:
            box[1] = row
            continue
        box = [row, row, first, last]
        open_boxes[(first, last)] = box
        out.append(box)
    return [(top, bottom, first, last) for top, bottom, first, last in out]


def _longest_increasing(values: Sequence[int]) -> list[int]:
    """The values on one longest strictly increasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    tails_at: list[int] = []
    parent = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tails_at.append(i)
        else:
            tails[k] = v
            tails_at[k] = i
        parent[i] = tails_at[k - 1] if k else -1
    out: list[int] = []
    i = tails_at[-1] if tails_at else -1
    while i >= 0:
        out.append(values[i])
        i = parent[i]
    return out[::-1]


# ======================================================================================
# Results
# ======================================================================================

#: What limits a partner, in a few words for a table cell.
LIMIT_WORDS = {
    "budget": "budget",
    "capacity": "capacity",
    "floor": "floor",
    "needs floor": "needs floor",
    "ring-fence": "ring-fence",
    "spread": "spread limit",
    "lead cap": "lead cap",
    "level": "common level",
    "excluded": "left out",
}

LINES = ("delivery", "back_office", "management", "unrestricted")


@dataclass(frozen=True)
class ResultColumn:
    """One column of the results table: what it shows and how."""

    key: str  # "name", "year", "total", "fair_share", "attainment", "limited_by", "vs", line
    label: str
    tip: str
    year: int = -1  # position among the years for "year" columns
    money: bool = True


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

    def __init__(self, document: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self._document = document
        self._show_lines = False
        self._stale = False
        self._result: Any = None
        self._rows: list[tuple[str, Any]] = []
        self._columns: list[ResultColumn] = []
        self._text: list[tuple[Any, ...] | None] = []  # each row's cells, as shown
        self._values: list[tuple[Any, ...] | None] = []  # the figures behind them
        self._alignment: list[int] = []
        self._bold: QFont | None = None
        self._take(document.result())

    # -- options -----------------------------------------------------------------------
    @property
    def document(self) -> Any:
        return self._document

    @property
    def result(self) -> Any:
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
            and getattr(self._result, "name", None) == getattr(result, "name", None)
        ):
            return
        if self._shape(result) == self._shape(self._result):
            self._update_in_place(result)
            return
        self.beginResetModel()
        self._take(result)
        self.endResetModel()

    def _shape(self, result: Any) -> tuple:
        if result is None or not _partners(result):
            return ()
        return (
            tuple(p.id for p in _partners(result)),
            _has_fee(result),
            len(result.years),
            tuple(result.years),
            getattr(result, "currency", ""),
            self._show_lines,
        )

    def _update_in_place(self, result: Any) -> None:
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
            if kind == ROW_PARTNER and a.included != b.included:
                changed = every  # "left out" reads differently whatever the figures
            else:
                old, new = before[r], self._row_values(r)
                changed = [c for c, (x, y) in enumerate(zip(old, new, strict=True)) if x != y]
            runs += [(r, first, last) for first, last in _blocks(changed)]
            if kind == ROW_PARTNER and (
                a.reason != b.reason or a.limited_by_per_year != b.limited_by_per_year
            ):
                tips.append(r)
        boxes = _stack(runs)  # the same columns changed in neighbouring rows: one box
        tip_rows = _blocks(tips)
        if len(boxes) + len(tip_rows) > MAX_CHANGE_RUNS:
            rows = [r for r, _, _ in runs] + tips
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))
            return
        for top, bottom, first, end in boxes:
            self.dataChanged.emit(self.index(top, first), self.index(bottom, end))
        for top, bottom in tip_rows:
            self.dataChanged.emit(self.index(top, 0), self.index(bottom, last), [_TOOLTIP])

    def _rows_of(self, result: Any) -> list[tuple[str, Any]]:
        partners = _partners(result) if result is not None else []
        if not partners:
            return []
        rows: list[tuple[str, Any]] = [
            (ROW_PARTNER, p) for p in sorted(partners, key=lambda p: p.index)
        ]
        if _has_fee(result):
            rows.append((ROW_FEE, None))
        rows.append((ROW_TOTAL, None))
        return rows

    def _row_values(self, row: int) -> tuple[Any, ...]:
        """The figures behind the row's cells (UserRole), worked out once per result."""
        values = self._values[row]
        if values is None:
            kind, partner = self._rows[row]
            values = self._values[row] = self._values_of(kind, partner)
        return values

    def _row_text(self, row: int) -> tuple[Any, ...]:
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

    def _take(self, result: Any) -> None:
        self._result = result
        self._rows = self._rows_of(result)
        self._text = [None] * len(self._rows)
        self._values = [None] * len(self._rows)
        self._columns = []
        self._alignment = []
        if not self._rows:
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
            ),
        ]
        if self._show_lines:
            cols += [
                ResultColumn(
                    "delivery", self.tr("Delivery"), self.tr("Direct delivery costs, all years")
                ),
                ResultColumn(
                    "back_office",
                    self.tr("Back-office"),
                    self.tr("Full cost recovery: the back-office line, all years"),
                ),
                ResultColumn(
                    "management",
                    self.tr("Management fee"),
                    self.tr("The lead's fee for coordinating the partnership, all years"),
                ),
                ResultColumn(
                    "unrestricted",
                    self.tr("Unrestricted"),
                    self.tr("Part of the grant the partner may spend as it needs, all years"),
                ),
            ]
        self._columns = cols
        self._alignment = [_LEFT if c.key in ("name", "limited_by") else _RIGHT for c in cols]

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
        kind, p = self._rows[row]
        return p.index if kind == ROW_PARTNER else -1

    def row_of_partner(self, index: int) -> int:
        for row, (kind, p) in enumerate(self._rows):
            if kind == ROW_PARTNER and p.index == index:
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
            return col.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (_LEFT if col.key in ("name", "limited_by") else _RIGHT) | _WRAP
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
            kind, partner = self._rows[row]
            if self._stale or (kind == ROW_PARTNER and not partner.included and column > 0):
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
    def _values_of(self, kind: str, partner: Any) -> tuple[Any, ...]:
        """The figures behind a row's cells: whole units for money, a fraction for
        attainment (None where a cell has no figure)."""
        r = self._result
        cols = self._columns
        if kind == ROW_PARTNER:
            p = partner
            figures: dict[str, Any] = {
                "name": p.name,
                "total": int(p.total),
                "fair_share": _fair_share(p),
                "attainment": float(p.attainment) if p.included else None,
                "limited_by": list(p.limited_by),
                "vs": int(p.vs_size_proportional),
            }
            if self._show_lines:
                for key in LINES:
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
            for key in LINES:
                figures[key] = int(sum(sum(p.lines.get(key, ()) or ()) for p in parts))
        return tuple(int(r.budget[c.year]) if c.key == "year" else figures.get(c.key) for c in cols)

    def _display(self, kind: str, partner: Any, col: ResultColumn, value: Any) -> Any:
        """A cell as shown, from the figure behind it (``value``)."""
        key = col.key
        currency = self._result.currency
        if kind == ROW_PARTNER and not partner.included and key != "name":
            if key in ("total", "limited_by"):
                return self.tr("left out")
            if key == "vs":
                return _arrow(int(partner.vs_size_proportional), currency)
            return "–"
        if value is None:
            return ""
        if key == "name":
            return value
        if key == "attainment":
            return pct(value, 1)
        if key == "limited_by":
            return ", ".join(self.tr(LIMIT_WORDS.get(v, v)) for v in value)
        if key == "vs":
            return _arrow(value, currency)
        return money(value, currency)

    def _tip(self, kind: str, partner: Any, col: ResultColumn) -> str | None:
        if kind == ROW_TOTAL:
            if col.key in ("year", "total"):
                return self.tr("The partnership's whole grant: partners plus the management fee")
            return None
        if kind == ROW_FEE:
            lead = next((p for p in _partners(self._result) if p.lead and p.included), None)
            who = lead.name if lead is not None else self.tr("the lead")
            return self.tr("{lead} keeps this for coordinating the partnership").format(lead=who)
        if col.key in ("name", "limited_by") and getattr(partner, "reason", ""):
            return partner.reason
        if col.key == "year":
            reasons = getattr(partner, "limited_by_per_year", ())
            if col.year < len(reasons):
                words = LIMIT_WORDS.get(reasons[col.year], reasons[col.year])
                return self.tr("Limited by {what} in {year}").format(
                    what=self.tr(words), year=self._result.years[col.year]
                )
        return None

    def _fee_label(self) -> str:
        return self.tr("Management fee")


def _partners(result: Any) -> list[Any]:
    return list(getattr(result, "partners", ()) or ())


def _fair_share(partner: Any) -> int:
    """The fair share in whole units: the engine's rounded figures when it gives them."""
    units = getattr(partner, "fair_share_units", ())
    if units:
        return int(sum(units))
    return int(round(partner.fair_share_total))


def _has_fee(result: Any) -> bool:
    return any(int(f) for f in (getattr(result, "fee", ()) or ()))


def _arrow(value: int, currency: str) -> str:
    """A change by sign and arrow, never by colour alone: "▲ +£1,200", "▼ −£1,200"."""
    if value > 0:
        return f"▲ {signed_money(value, currency)}"
    if value < 0:
        return f"▼ {signed_money(value, currency)}"
    return money(0, currency)
