"""The sweep's table of steps: one row per value solved.

The figures are the core's ``Sweep.to_csv_rows`` exactly (what the CSV export writes);
the model only puts them into words.
"""

from __future__ import annotations

import textwrap

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from allocator.domain.text import money
from allocator.report.sweep import Sweep, SweepStep
from ui.models.common import MEASURE_ROWS
from ui.models.compare_text import STATUS_WORDS, measure_text

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the default parent: the table itself

#: A cell of the core's rows: a number, words, or None (blank).
Cell = int | float | str | None

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def _tr(text: str) -> str:
    return QCoreApplication.translate("SweepView", text)


class SweepModel(QAbstractTableModel):
    """One row per step solved: the value, whether it could be met, the measures, each
    partner's grant (over all years, fee excluded) and the rules that bind.

    ``UserRole`` gives the figures exactly as the core's ``Sweep.to_csv_rows`` has them.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sweep: Sweep | None = None
        self._rows: list[list[Cell]] = []
        self._header: list[Cell] = []

    def set_sweep(self, sw: Sweep | None) -> None:
        self.beginResetModel()
        self.sweep = sw
        rows = sw.to_csv_rows() if sw is not None else []
        self._header = rows[0] if rows else []
        self._rows = rows[1:]
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._header)

    def _column(self, c: int) -> tuple[str, str | int | None]:
        """What a column holds: ("value"|"status"|"measure"|"partner"|"rules", key), the
        key a measure's key or a partner's index."""
        n_measures = len(MEASURE_ROWS)
        if c == 0:
            return "value", None
        if c == 1:
            return "status", None
        if c < 2 + n_measures:
            return "measure", MEASURE_ROWS[c - 2][0]
        if c == len(self._header) - 1:
            return "rules", None
        return "partner", c - 2 - n_measures

    def step(self, row: int) -> SweepStep | None:
        return self.sweep.steps[row] if self.sweep is not None else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.sweep is None:
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._rows) and 0 <= c < len(self._header)):
            return None
        value = self._rows[r][c]
        kind, _key = self._column(c)
        step = self.sweep.steps[r]
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(step, c, value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if kind in ("status", "rules") else _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return (step.message or None) if kind == "status" and not step.ok else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if not step.ok and kind not in ("value", "status"):
                return QApplication.palette().brush(
                    QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
                )
            return None
        if role == Qt.ItemDataRole.FontRole and kind == "status" and not step.ok:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _display(self, step: SweepStep, c: int, value: Cell) -> str:
        kind, key = self._column(c)
        if kind == "value":
            return step.shown
        if kind == "status":
            return _tr(STATUS_WORDS.get(step.status, step.status))
        if kind == "rules":
            return str(value or "")
        if value is None or isinstance(value, str):
            return "–"
        if kind == "measure" and isinstance(key, str):
            return measure_text(key, float(value))
        currency = self.sweep.currency if self.sweep is not None else "GBP"
        return money(value, currency)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self._header) or self.sweep is None:
            return None
        kind, key = self._column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return "\n".join(textwrap.wrap(self.header_label(section), 14))
        if role == Qt.ItemDataRole.ToolTipRole:
            if kind == "measure":
                return _tr(next(t for k, _l, _h, t in MEASURE_ROWS if k == key))
            if kind == "partner" and isinstance(key, int):
                return _tr("{partner}: grant over all years (the fee not included)").format(
                    partner=self.sweep.partners[key].name
                )
        return None

    def header_label(self, section: int) -> str:
        """A column's heading on one line."""
        kind, key = self._column(section)
        if self.sweep is None:
            return ""
        if kind == "value":
            return QCoreApplication.translate("fields", self.sweep.label)
        if kind == "status":
            return _tr("Can it be met?")
        if kind == "measure":
            return _tr(next(label for k, label, _h, _t in MEASURE_ROWS if k == key))
        if kind == "rules":
            return _tr("Rules that bind")
        return self.sweep.partners[int(key or 0)].name
