"""What the partners and results models share: problem marks, alignments, paths."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication

from allocator.domain import fields
from allocator.domain.text import money
from allocator.report.words import MEASURES

Index = QModelIndex | QPersistentModelIndex

PARTNER_PATH_RE = re.compile(r"^partners\[(\d+)\](?:\.([A-Za-z_][A-Za-z0-9_]*))?")

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

ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
ALIGN_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
WORD_WRAP = int(Qt.TextFlag.TextWordWrap)


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
    m = PARTNER_PATH_RE.match(str(path))
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


#: The measures of a split as a whole (results, compare and sweep views): key, name, how
#: the figure reads (a :class:`allocator.report.words.Shown`) and what it means; the
#: words are :data:`allocator.report.words.MEASURES`'s, the same as the command line's
#: and the workbook's.
MEASURE_ROWS: tuple[tuple[str, str, str, str], ...] = tuple(
    (m.key, m.name, m.shown, m.tip) for m in MEASURES
)


def blocks(indices: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted indices as runs of consecutive ones: [1,2,3,7] -> [(1,3),(7,7)]."""
    out: list[tuple[int, int]] = []
    for i in sorted(indices):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def stack_runs(runs: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
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


def longest_increasing(values: Sequence[int]) -> list[int]:
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
