"""The partners table model: the project's partners, every edit sent back through
``document.set_field`` (one undo command each)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QIcon

from allocator.domain import fields
from allocator.domain.model import Partner, Project
from allocator.domain.text import currency_symbol, money, pct
from allocator.errors import ValidationError
from allocator.formats.clipboard import Cell, partner_field
from ui.models.common import (
    ALIGN_CENTRE,
    ALIGN_LEFT,
    ALIGN_RIGHT,
    PROBLEM_ROLES,
    VALUE_ROLES,
    WORD_WRAP,
    Index,
    blocks,
    bounds_words,
    locate_partner_path,
    longest_increasing,
    partner_path,
    problem_tint,
    warning_icon,
)
from ui.state.document import Document


class PartnersModel(QAbstractTableModel):
    """One row per partner in project order, one column per partner field.

    ``EditRole`` gives the stored value (``None`` for a blank); ``setData`` takes a
    number or text as a person types it ("£120,000", "35%", "yes"). A refused value
    changes nothing, returns False and is announced by ``editRefused``.
    """

    editRefused = Signal(int, int, str)  # row, column, the message in words
    scoresAsPercentagesChanged = Signal(bool)

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._columns: tuple[fields.FieldSpec, ...] = tuple(fields.PARTNER_COLUMNS)
        self._column_of = {spec.key: c for c, spec in enumerate(self._columns)}
        self._project = document.project
        self._rows: list[Partner] = list(self._project.partners)
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
    def document(self) -> Document:
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

    def partner(self, row: int) -> Partner:
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
    ) -> object:
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
                return (ALIGN_RIGHT if spec.is_number else ALIGN_LEFT) | WORD_WRAP
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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._columns)):
            return None
        spec = self._columns[column]
        value = partner_field(self._rows[row], spec)
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
                return ALIGN_RIGHT
            return ALIGN_CENTRE if spec.kind == "bool" else ALIGN_LEFT
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

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
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
        current = partner_field(self._rows[index.row()], spec)
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

    def _on_project_changed(self, old: Project, new: Project) -> None:
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

    def _sync_rows(self, new_rows: list[Partner]) -> None:
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
        for first, last in reversed(blocks(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        # 2. rows that moved: those on a longest increasing run stay put
        had = {p.id for p in self._rows}
        target = [pid for pid in new_ids if pid in had]
        current = [p.id for p in self._rows]
        position = {pid: i for i, pid in enumerate(target)}
        staying = set(longest_increasing([position[pid] for pid in current]))
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
        for first, last in blocks(new_at):
            self.beginInsertRows(QModelIndex(), first, last)
            self._rows[first:first] = new_rows[first : last + 1]
            self.endInsertRows()
        # 4. what changed inside the rows that stayed
        before = self._rows
        self._rows = new_rows
        self._emit_changed_cells(before, new_rows)

    def _sync_by_position(self, new_rows: list[Partner]) -> None:
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

    def _emit_changed_cells(self, before: Sequence[Partner], after: Sequence[Partner]) -> None:
        """dataChanged for exactly the cells whose value differs, a run per row."""
        for row, (a, b) in enumerate(zip(before, after, strict=True)):
            if a is b or a == b:
                continue
            changed = [
                c
                for c, spec in enumerate(self._columns)
                if partner_field(a, spec) != partner_field(b, spec)
                or (spec.kind == "score" and _source(a, spec.key) != _source(b, spec.key))
            ]
            for first, last in blocks(changed):
                self.dataChanged.emit(self.index(row, first), self.index(row, last), VALUE_ROLES)

    def _emit_columns(self, which: Callable[[fields.FieldSpec], bool], roles: list[int]) -> None:
        if not self._rows:
            return
        for c, spec in enumerate(self._columns):
            if which(spec):
                self.dataChanged.emit(self.index(0, c), self.index(len(self._rows) - 1, c), roles)

    # -- helpers -----------------------------------------------------------------------
    def _problem_map(self) -> dict[tuple[int, int], list[str]]:
        out: dict[tuple[int, int], list[str]] = {}
        for problem in self._document.problems:
            path, message = problem.path, problem.message
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

    def _display(self, spec: fields.FieldSpec, value: Cell) -> str:
        if value is None or spec.kind == "bool":
            return ""
        kind = spec.kind
        if kind == "money":
            return money(float(value), self._project.currency)
        if kind == "count":
            v = float(value)
            return f"{int(v):,}" if v.is_integer() else f"{v:,.2f}"
        if kind == "score":
            return pct(float(value), 0) if self._percent else f"{float(value):.2f}"
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

    def _cell_tip(self, row: int, spec: fields.FieldSpec, value: Cell) -> str | None:
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


def _source(partner: Partner, key: str) -> str | None:
    """Where a needs score came from ("typed" / "questionnaire"), when the core says."""
    return partner.score_source.get(key)


def _check_state(value: object) -> Qt.CheckState:
    if isinstance(value, Qt.CheckState):
        return value
    if isinstance(value, (int, float, str)):
        try:
            return Qt.CheckState(int(value))
        except ValueError:
            pass
    return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
