"""Copy and paste as a spreadsheet does it: tab-separated text in and out of FairShare.

One writer for every table the app copies (partners, results, comparison), so a block
pasted into Excel or LibreOffice reads the same from wherever it came:

- lines end in ``\\r\\n``, the way Excel itself puts a block on the clipboard, with a
  line break after the last row too;
- a number is written plainly (``120000``, ``0.35``), never grouped or rounded for show,
  so a spreadsheet reads it as a number; a mark is ``yes`` or ``no``, as FairShare's
  own tables and workbook write it and read it back;
- text a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``@``, or a
  ``-`` that is not a number), or that starts with a tab, a carriage return or an
  apostrophe, is written behind an apostrophe: a spreadsheet shows what follows as
  text, and :func:`parse_block` takes the apostrophe off again;
- a cell holding a tab, a line break or a quote is quoted, quotes doubled.

Reading a pasted block applies it as edits through ``edits.set_field``, the same rules
as a typed cell; what cannot be used is listed per cell, never raised. A header row
is recognised by :func:`allocator.formats.tables.match_header`, the partner import's
own matcher, so a block copied from the import template pastes by its headers.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from allocator.domain import edits, fields
from allocator.domain.model import Partner, Project
from allocator.domain.paths import FieldPath
from allocator.errors import ValidationError

#: What one cell of a copied row may hold: display text, a number, a mark, or nothing.
Cell = str | int | float | bool | None

#: Text a spreadsheet would run as a formula, or would not keep as typed.
_GUARDED_START = ("=", "+", "-", "@", "\t", "\r", "'")
_GUARD = "'"
_QUOTE_WHEN = ("\t", "\n", "\r", '"')
LINE_END = "\r\n"
#: Most refused cells a paste's report lists by name; the rest are counted.
MAX_LISTED = 8


# ----------------------------------------------------------------------------------
# Writing: one rule for every table
# ----------------------------------------------------------------------------------


def plain_number(value: float) -> str:
    """A number as a spreadsheet reads it: ``120000``, ``0.35``; no grouping, no exponent."""
    if not math.isfinite(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def guard_text(text: str) -> str:
    """Text behind an apostrophe when a spreadsheet would otherwise not keep it as typed."""
    if text.startswith(_GUARDED_START) and not (text.startswith("-") and _is_number(text)):
        return _GUARD + text
    return text


def tsv_cell(value: Cell) -> str:
    """One cell of tab-separated text: plain numbers, yes/no, guarded and quoted text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return plain_number(value)
    text = guard_text(str(value))
    if any(ch in text for ch in _QUOTE_WHEN):
        text = '"' + text.replace('"', '""') + '"'
    return text


def tsv(rows: Iterable[Sequence[Cell]]) -> str:
    """Rows as tab-separated lines, each ending ``\\r\\n`` (what Excel itself copies)."""
    return "".join("\t".join(tsv_cell(c) for c in row) + LINE_END for row in rows)


# ----------------------------------------------------------------------------------
# Reading a pasted block
# ----------------------------------------------------------------------------------


def unguard_text(text: str) -> str:
    """Take off the apostrophe :func:`guard_text` (or a person) put before a cell's text."""
    return text[1:] if text.startswith(_GUARD) else text


def parse_block(text: str) -> list[list[str]]:
    """Tab-separated text as Excel and LibreOffice put it on the clipboard, as rows.

    Lines may end in ``\\r\\n``, ``\\n`` or ``\\r``; quoted cells may hold tabs, line
    breaks and doubled quotes; the trailing line break and blank rows at the end are
    dropped; a cell's leading apostrophe (a spreadsheet's "this is text") is taken off.
    """
    if not text:
        return []
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith(("\n", "\r")):
        text = text[:-1]
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"')
        rows = [row or [""] for row in reader]
    except csv.Error:  # a stray quote: read the lines as they stand
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        rows = [line.split("\t") for line in lines]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return [[unguard_text(cell) for cell in row] for row in rows]


# ----------------------------------------------------------------------------------
# Copying partners
# ----------------------------------------------------------------------------------


def partner_field(partner: Partner, spec: fields.FieldSpec) -> Cell:
    """One partner's value of a field the partners table shows, as the table holds it."""
    value = FieldPath((spec.key,)).get(partner)
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def partner_value(project: Project, row: int, spec: fields.FieldSpec) -> Cell:
    """The value of one partner's field, by the partner's row in the project."""
    return partner_field(project.partners[row], spec)


def partner_cell(spec: fields.FieldSpec, value: Cell, percent: bool = False) -> Cell:
    """What a copy puts in a cell: the value itself, or a score as ``35%`` when so shown."""
    if spec.kind == "score" and percent and isinstance(value, int | float):
        return f"{plain_number(float(value) * 100)}%"
    return value


def partner_rows(
    project: Project,
    cells: Iterable[tuple[int, int]],
    columns: Sequence[fields.FieldSpec] = fields.PARTNER_COLUMNS,
    *,
    percent: bool = False,
    headers: bool = False,
) -> list[list[Cell]]:
    """The rectangle around ``cells`` (row, column) as rows; cells not chosen are blank."""
    chosen = set(cells)
    if not chosen:
        return []
    rows = sorted({r for r, _ in chosen})
    cols = sorted({c for _, c in chosen})
    out: list[list[Cell]] = []
    if headers:
        out.append([columns[c].label for c in cols])
    for r in rows:
        out.append(
            [
                partner_cell(columns[c], partner_value(project, r, columns[c]), percent)
                if (r, c) in chosen
                else None
                for c in cols
            ]
        )
    return out


# ----------------------------------------------------------------------------------
# Pasting partners
# ----------------------------------------------------------------------------------


@dataclass
class Refusal:
    """One pasted cell that was not used: where, in words, and why."""

    row: int  # the row number as the table shows it (1-based)
    partner: str
    column: str  # the column's label; blank when the whole row was refused
    text: str
    message: str

    def words(self) -> str:
        return f"row {self.row} ({self.partner}), {self.column}: {self.message}"


@dataclass
class PasteOutcome:
    """What a paste (or a clear) would do to a project; ``project`` is the result."""

    project: Project
    cells: int = 0  # cells that were set (changed or not)
    added: int = 0  # partners added at the end
    rows: tuple[int, int] = (-1, -1)  # the rows pasted into (first, last)
    columns: tuple[int, int] = (-1, -1)
    refused: list[Refusal] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    beyond: int = 0  # cells to the right of the last column, left out
    header: bool = False

    def report(self, done: str = "pasted") -> str:
        """What was not used, by row and column in words ("" when all was), for a message
        that does not stop the work; ``done`` says what happened to the cells used."""
        lines = self._refusal_lines()
        if self.unknown_headers:
            names = ", ".join(f"“{h}”" for h in self.unknown_headers)
            lines.append(f"Columns not recognised, left out: {names}.")
        if self.beyond:
            lines.append(
                _count(
                    self.beyond,
                    "cell beyond the last column was",
                    "cells beyond the last column were",
                )
                + " left out."
            )
        if lines and self.cells:
            lines.insert(0, f"{_count(self.cells, 'cell', 'cells')} {done}.")
        return "\n".join(lines)

    def _refusal_lines(self) -> list[str]:
        refused = self.refused
        if not refused:
            return []
        lines = [
            "1 cell could not be used and was left as it was:"
            if len(refused) == 1
            else f"{len(refused)} cells could not be used and were left as they were:"
        ]
        for r in refused[:MAX_LISTED]:
            where = f"Row {r.row} ({r.partner}), {r.column}" if r.column else f"Row {r.row}"
            lines.append(f"• {where}: {r.message}")
        if len(refused) > MAX_LISTED:
            lines.append(f"… and {len(refused) - MAX_LISTED} more.")
        return lines


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many}"


#: A header cell naming a field the table does not show (the ID): matched, not pasted.
NOT_SHOWN = -1


def _header_matcher() -> Callable[[str], str | None]:
    # the partner import's matcher; its module loads openpyxl, so only when pasting
    from allocator.formats.tables import match_header

    return match_header


def header_columns(
    row: Sequence[str], columns: Sequence[fields.FieldSpec]
) -> list[int | None] | None:
    """The column each cell of a header row names, or None when the row is not a header.

    A cell naming a field the table does not show maps to :data:`NOT_SHOWN`; one naming
    nothing known maps to None. A row is a header when at least half its filled cells
    name a field.
    """
    match = _header_matcher()
    by_key = {spec.key: c for c, spec in enumerate(columns)}
    mapped: list[int | None] = []
    matched = nonblank = 0
    for cell in row:
        if not cell.strip():
            mapped.append(None)
            continue
        nonblank += 1
        key = match(cell)
        if key is None:
            mapped.append(None)
            continue
        matched += 1
        mapped.append(by_key.get(key, NOT_SHOWN))
    if matched == 0 or matched * 2 < nonblank:
        return None
    return mapped


def _problem_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.problems:
        return exc.problems[0].message
    return str(exc) or "cannot be used here"


def _set_cell(
    project: Project, partner: Partner, spec: fields.FieldSpec, text: str
) -> tuple[Partner, str | None]:
    """One cell through the core's ``set_field``, on this partner alone (fast at any size)."""
    alone = replace(project, partners=(partner,))
    try:
        changed = edits.set_field(alone, f"partners[0].{spec.key}", text)
    except (ValidationError, KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
        return partner, _problem_message(exc)
    return changed.partners[0], None


#: Where each pasted row goes, and its (column, text) pairs.
_Plan = list[tuple[int, list[tuple[int, str]]]]


def _column_mapping(
    outcome: PasteOutcome,
    rows: list[list[str]],
    start_column: int,
    columns: Sequence[fields.FieldSpec],
) -> tuple[list[int | None], list[list[str]]]:
    """The table column of each block column, and the rows left to paste."""
    header = header_columns(rows[0], columns) if len(rows) > 1 else None
    if header is not None:
        outcome.header = True
        outcome.unknown_headers = [
            cell.strip()
            for cell, c in zip(rows[0], header, strict=False)
            if cell.strip() and c is None
        ]
        return [c if c is not None and c >= 0 else None for c in header], rows[1:]
    width = max(len(r) for r in rows)
    ncols = len(columns)
    mapping = [start_column + j if start_column + j < ncols else None for j in range(width)]
    outcome.beyond = sum(
        1 for r in rows for j, cell in enumerate(r) if mapping[j] is None and cell.strip()
    )
    return mapping, rows


def _plan(
    rows: list[list[str]],
    mapping: list[int | None],
    start_row: int,
    count: int,
    targets: Sequence[tuple[int, int]] | None,
) -> _Plan:
    if targets and len(rows) == 1 and len(rows[0]) == 1:
        return [(row, [(col, rows[0][0])]) for row, col in targets]
    plan: _Plan = []
    target = min(max(0, start_row), count)  # below the table: the next new row
    for cells in rows:
        pairs = [(c, cell) for c, cell in zip(mapping, cells, strict=False) if c is not None]
        if target >= count and not any(text.strip() for _, text in pairs):
            continue  # a blank line below the table adds nothing
        plan.append((target, pairs))
        target += 1
    return plan


def paste_block(
    project: Project,
    block: Sequence[Sequence[str]],
    start_row: int,
    start_column: int,
    columns: Sequence[fields.FieldSpec] = fields.PARTNER_COLUMNS,
    targets: Sequence[tuple[int, int]] | None = None,
) -> PasteOutcome:
    """The project after pasting ``block`` at (start_row, start_column), and what was refused.

    A first row that names the columns maps the block's columns by header (and is not
    pasted). Rows past the last partner become new partners; blank rows there are
    skipped. ``targets``: paste a single copied value into each of these cells.
    Never raises for what a clipboard may hold.
    """
    outcome = PasteOutcome(project=project)
    rows = [list(r) for r in block]
    if not rows:
        return outcome
    mapping, rows = _column_mapping(outcome, rows, start_column, columns)
    partners = list(project.partners)
    plan = _plan(rows, mapping, start_row, len(partners), targets)
    work = project
    touched: list[tuple[int, int]] = []
    for row, pairs in plan:
        if row >= len(partners):
            try:
                work = edits.add_partner(replace(work, partners=tuple(partners)))
            except ValidationError as exc:
                outcome.refused.append(Refusal(row + 1, "", "", "", _problem_message(exc)))
                break
            partners = list(work.partners)
            outcome.added += 1
        new_row = row >= len(project.partners)
        for col, text in pairs:
            spec = columns[col]
            if new_row and not text.strip():
                continue  # a new partner keeps its defaults where the block is blank
            partners[row], problem = _set_cell(work, partners[row], spec, text)
            if problem is None:
                outcome.cells += 1
                touched.append((row, col))
            else:
                outcome.refused.append(
                    Refusal(row + 1, partners[row].name, spec.label, text, problem)
                )
    outcome.project = replace(work, partners=tuple(partners))
    if touched:
        outcome.rows = (min(r for r, _ in touched), max(r for r, _ in touched))
        outcome.columns = (min(c for _, c in touched), max(c for _, c in touched))
    return outcome


def clear_cells(
    project: Project,
    cells: Sequence[tuple[int, int]],
    columns: Sequence[fields.FieldSpec] = fields.PARTNER_COLUMNS,
) -> PasteOutcome:
    """Blank the given cells (Delete on cells, as in a spreadsheet); refused ones listed."""
    outcome = PasteOutcome(project=project)
    partners = list(project.partners)
    for row, col in cells:
        if row >= len(partners):
            continue
        spec = columns[col]
        partners[row], problem = _set_cell(project, partners[row], spec, "")
        if problem is None:
            outcome.cells += 1
        else:
            outcome.refused.append(Refusal(row + 1, partners[row].name, spec.label, "", problem))
    outcome.project = replace(project, partners=tuple(partners))
    return outcome
