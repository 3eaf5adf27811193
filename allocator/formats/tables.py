"""Partner tables: read a CSV or Excel table of partners into a project, write the template.

A consortium lead usually already has the partners in a spreadsheet, so FairShare reads
one laid out like the template in ``resources/`` (or the Inputs sheet of a workbook it
wrote) instead of asking for every figure to be typed again.

The files come from other organisations, so they are treated as untrusted: an Excel
file is checked before it is opened (a real zip, modest uncompressed size, no absurd
compression ratio, no XML document type declarations), parsed with ``defusedxml``, read
without evaluating anything, and every bad cell is reported by its row and column
header, in words (``row 4, column Capacity: must be a number greater than 0, got
'lots'``), never by a field path.

Numbers may be written as ``1200``, ``1,200``, ``£1,200``, ``1200.50`` or ``12%``
(read as 0.12). In a semicolon-separated CSV file (the way Excel saves CSV where the
comma is the decimal mark) a comma is read as the decimal mark and a dot as the
thousands separator: ``1.200,50`` is 1200.5 and ``1.200`` is 1200. In a
comma-separated file an amount with a thousands comma must be in quotes
(``"£90,000"``); unquoted it splits into two cells, and such a row is refused rather
than read with its values under the wrong headers.

A blank needs score stays blank: the project then reports it before solving, and it
is never read as 0 (no need).

:func:`preview_import` says what an import would do without changing anything (the
app's import preview); :func:`import_partners` applies it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from allocator.domain.edits import new_project, validate
from allocator.domain.fields import (
    PARTNER_COLUMNS,
    FieldSpec,
    format_value,
    parse_value,
    spec_for,
)
from allocator.domain.model import (
    MAX_PARTNERS,
    MAX_TEXT,
    TYPED,
    Partner,
    Project,
    partner_to_dict,
    project_from_dict,
    project_to_dict,
)
from allocator.domain.paths import describe_path
from allocator.domain.text import CURRENCY_SYMBOLS
from allocator.errors import Problem, TableError, ValidationError

# openpyxl parses XML with defusedxml only when it is installed; an Excel file from
# someone else must never be parsed without it (entity expansion bombs).
XLSX_SAFE = bool(openpyxl.DEFUSEDXML)

MAX_FILE_BYTES = 50 * 1024 * 1024  # a partner table is a few kilobytes
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200  # deflate on ordinary sheet XML stays far below this
MAX_MEMBERS = 10_000
MAX_COLUMNS = 60
MAX_ROWS = 20_000
MAX_PROBLEMS = 50
HEADER_SCAN_ROWS = 20
MAX_MERGE_ROWS = 1000


@dataclass(frozen=True)
class Column:
    """One template column: the field it fills, its header, and how it is explained."""

    field: str
    label: str
    kind: str  # text, bool, number, score
    about: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "ID",
        "text",
        "A short reference that stays the same when the name changes. Leave it blank and "
        "FairShare makes one from the name.",
        ("partner id", "ref", "reference", "code", "short name"),
    ),
    Column(
        "name",
        "Name",
        "text",
        "The partner organisation's name, as it should appear in the budget workbook. Required.",
        (
            "organisation",
            "organization",
            "partner",
            "partner name",
            "organisation name",
            "organization name",
            "partner organisation",
            "org",
        ),
    ),
    Column(
        "lead",
        "Lead partner",
        "bool",
        "yes for the organisation that leads the partnership (the one that may keep a "
        "management fee), no or blank for the others.",
        ("lead", "is lead", "consortium lead", "lead organisation"),
    ),
    Column(
        "by_and_for",
        "By and for",
        "bool",
        "yes when the organisation is led by and for the community it serves, no or blank "
        "otherwise.",
        ("by and for organisation", "by and for led", "led by and for"),
    ),
    Column(
        "capacity",
        "Capacity (per year)",
        "number",
        "The most the partner can absorb and deliver in one year, in the project's "
        "currency. Required, greater than 0. £120,000 and 120000 are both fine.",
        ("capacity", "max grant", "maximum grant", "capacity per year", "max", "maximum"),
    ),
    Column(
        "floor",
        "Floor (per year)",
        "number",
        "The smallest grant a year that keeps the partner's part of the work viable. "
        "Blank means 0. Must not be above the capacity.",
        ("floor", "minimum grant", "min grant", "minimum viable grant", "minimum"),
    ),
    Column(
        "reach",
        "People served (per year)",
        "number",
        "How many people the partner supports in a year. Needed only when a scenario "
        "shares by reach; blank otherwise.",
        ("reach", "people served", "people supported", "beneficiaries", "clients"),
    ),
    Column(
        "multiple_disadvantage",
        "Multiple disadvantage (0-1)",
        "score",
        "How much intersecting disadvantage the communities the partner serves face, from "
        "0 (little) to 1 (severe, several forms at once). 0.85 and 85% are both fine. "
        "Leave it blank if you do not know yet: it stays blank (never read as no need) "
        "until you enter it or answer the needs questions in FairShare.",
        ("multiple disadvantage", "intersecting disadvantage", "disadvantage"),
    ),
    Column(
        "back_office_capacity",
        "Back-office capacity (0-1)",
        "score",
        "The partner's finance, HR, IT, governance and fundraising capacity, from 0 (none) "
        "to 1 (fully resourced). A blank stays blank until you enter it or answer the needs "
        "questions in FairShare.",
        ("back office capacity", "back office", "backoffice capacity", "core capacity"),
    ),
    Column(
        "notes",
        "Notes",
        "text",
        "Anything the partnership should know; it is copied into the workbook.",
        ("note", "comments", "comment", "description"),
    ),
)
_BY_FIELD = {c.field: c for c in COLUMNS}
REQUIRED = ("name", "capacity", "multiple_disadvantage", "back_office_capacity")

EXAMPLE_ROWS: tuple[dict[str, Any], ...] = (
    {
        "id": "",
        "name": "Harbourside Women's Centre",
        "lead": "yes",
        "by_and_for": "no",
        "capacity": 300000,
        "floor": 0,
        "reach": 2500,
        "multiple_disadvantage": 0.4,
        "back_office_capacity": 0.85,
        "notes": "Fictional example: generic centre, helpline and coordination.",
    },
    {
        "id": "",
        "name": "Kinara Sisters Collective",
        "lead": "no",
        "by_and_for": "yes",
        "capacity": 90000,
        "floor": 30000,
        "reach": 450,
        "multiple_disadvantage": 0.85,
        "back_office_capacity": 0.3,
        "notes": "Fictional example: by and for minoritised women; casework and peer support.",
    },
)

_CURRENCY_SYMBOLS = {symbol: code for code, symbol in CURRENCY_SYMBOLS.items()}
_CODES = tuple(CURRENCY_SYMBOLS)
_NUMBER_CORE = re.compile(r"\d[\d.,]*")
_DOT_GROUPS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")
_WANT_KIND = {
    "money": "an amount such as 120000",
    "count": "a number of people such as 900",
    "score": "a score from 0 to 1",
}


def _point_decimal(text: str) -> str:
    """A number written with a decimal comma, with a decimal point: '1.200,50' -> '1200.50'."""
    m = _NUMBER_CORE.search(text)
    if m is None:
        return text
    core = m.group()
    if _DOT_GROUPS.match(core):
        core = core.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.match(core):
        core = core.replace(",", ".")
    return text[: m.start()] + core + text[m.end() :]


# ----------------------------------------------------------------------------------
# Header matching
# ----------------------------------------------------------------------------------


def _norm_header(text: str) -> str:
    """Lower case, units in brackets dropped, punctuation as spaces: 'Capacity (£)' -> 'capacity'."""
    s = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text.lower())
    s = s.replace("_", " ").replace("-", " ")
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(s.split())


def _header_lookup() -> dict[str, str]:
    """Every way of naming a column: the template's words and aliases, then the words the
    app's partners table shows for each field (so a block copied from it reads back)."""
    out: dict[str, str] = {}
    for c in COLUMNS:
        for name in (c.field, c.label, *c.aliases):
            out[_norm_header(name)] = c.field
    for spec in PARTNER_COLUMNS:
        for name in (spec.key, spec.label, spec.short):
            if name:
                out.setdefault(_norm_header(name), spec.key)
    return out


_HEADERS = _header_lookup()


def match_header(text: Any) -> str | None:
    """The field a header cell names, or None: 'Organisation' -> 'name'.

    The one header matcher: the partner import and a paste into the partners table
    (``allocator.formats.clipboard``) both read headers through it.
    """
    if not isinstance(text, str):
        return None
    return _HEADERS.get(_norm_header(text))


# ----------------------------------------------------------------------------------
# Cell values
# ----------------------------------------------------------------------------------


class _Bad(Exception):
    """A cell that cannot be read; the message completes "row 4, column Capacity: ..."."""


@dataclass
class _Cell:
    value: Any  # str, int, float, bool, datetime or None
    kind: str = "v"  # v value, e error value, f formula without a saved result


def _shown(value: Any) -> str:
    if isinstance(value, str):
        s = value if len(value) <= 40 else value[:37] + "..."
        return repr(s)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return f"a date ({value})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return repr(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str, *, multiline: bool = False) -> tuple[str, int]:
    """Text with control characters removed, and how many were removed.

    Names keep to one line (tabs and line breaks become spaces); notes keep line breaks.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = re.sub(r"[\t\n]+", " ", text)
    cleaned, count = _CONTROL.subn("", text)
    return cleaned, count


@dataclass
class _Parse:
    decimal_comma: bool = False
    symbols: set[str] = field(default_factory=set)

    def number(self, cell: _Cell, spec: FieldSpec) -> float | None:
        """A number from a cell, None when blank; raises _Bad saying what was wanted.

        Text goes through the same reading as a value typed in the app or given to
        ``fairshare set`` (:func:`allocator.domain.fields.parse_value`), after a decimal
        comma in a semicolon-separated file is turned into a decimal point.
        """
        v = cell.value
        want = _WANT_KIND.get(spec.kind, "a number")
        if cell.kind == "e":
            raise _Bad(f"holds the error {v}; enter {want}")
        if v is None:
            return None
        if isinstance(v, bool) or isinstance(v, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
            raise _Bad(f"must be {want}, got {_shown(v)}")
        original = v
        if not isinstance(v, (int, float)):
            original = str(v).strip()
            if not original:
                return None
            self._note_currency(original)
            v = _point_decimal(original) if self.decimal_comma else original
        try:
            return parse_value(spec, v)
        except ValidationError as e:
            message = e.problems[0].message
            if v != original:  # quote the cell as it is written, not as it was read
                message = message.replace(repr(v), repr(original))
            raise _Bad(message) from None

    def _note_currency(self, text: str) -> None:
        for sym, code in _CURRENCY_SYMBOLS.items():
            if sym in text:
                self.symbols.add(code)
        upper = text.upper()
        for code in _CODES:
            if upper.startswith(code) or upper.endswith(code):
                self.symbols.add(code)

    @staticmethod
    def boolean(cell: _Cell, spec: FieldSpec) -> bool:
        v = cell.value
        if cell.kind == "e":
            raise _Bad(f"holds the error {v}; enter yes or no")
        if v is None:
            return False
        if isinstance(v, str):
            v = v.strip()
        try:
            return bool(parse_value(spec, v))
        except ValidationError as e:
            raise _Bad(e.problems[0].message) from None

    @staticmethod
    def text(cell: _Cell) -> str:
        v = cell.value
        if cell.kind == "e":
            raise _Bad(f"holds the error {v}; enter some text")
        if v is None:
            return ""
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, (_dt.datetime, _dt.date)):
            return v.isoformat()
        return str(v)


# ----------------------------------------------------------------------------------
# Reading a file into a grid of cells
# ----------------------------------------------------------------------------------


@dataclass
class _Grid:
    rows: list[tuple[int, list[_Cell]]]  # (spreadsheet row number, cells from column A)
    decimal_comma: bool = False
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)
    delimiter: str | None = None  # a CSV file's separator; None for Excel


def _fail(message: str) -> TableError:
    """A table that cannot be read at all (the file is set by whoever reads it)."""
    return TableError([("", message)])


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _fail(f"{path}: no such file") from None
    except OSError as e:
        raise _fail(f"{path}: cannot be read ({e.strerror or e})") from None
    if path.is_dir():
        raise _fail(f"{path} is a folder, not a table")
    if size > MAX_FILE_BYTES:
        raise _fail(
            f"{path.name} is {size // (1024 * 1024)} MB; a partner table should be far smaller "
            f"(at most {MAX_FILE_BYTES // (1024 * 1024)} MB)"
        )
    try:
        return path.read_bytes()
    except OSError as e:
        raise _fail(f"{path}: cannot be read ({e.strerror or e})") from None


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


_DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    """The separator that makes a header row out of one of the top lines.

    Title lines above the header ("Partners for the 2027 bid", with or without a
    comma in it) must not decide: each separator splits the top lines, and the one
    under which some line names the most template columns wins. When none does, the
    most common separator on the first line that has one.
    """
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip(" \t,;"):
            lines.append(line)
        if len(lines) >= HEADER_SCAN_ROWS:
            break
    best, best_score = None, 1
    for d in _DELIMITERS:
        try:
            records = list(csv.reader(lines, delimiter=d))
        except csv.Error:
            continue
        score = max((_header_score(r[:MAX_COLUMNS]) for r in records), default=0)
        if score > best_score:
            best, best_score = d, score
    if best is not None:
        return best
    for line in lines:
        counts = {d: 0 for d in _DELIMITERS}
        quoted = False
        for ch in line:
            if ch == '"':
                quoted = not quoted
            elif not quoted and ch in counts:
                counts[ch] += 1
        top = max(counts, key=lambda d: counts[d])
        if counts[top]:
            return top
    return ","


def _read_csv(path: Path, data: bytes) -> _Grid:
    if data[:4] == b"PK\x03\x04":
        raise _fail(f"{path.name} looks like an Excel workbook, not a CSV file; save it as .xlsx")
    text, encoding = _decode(data)
    delim = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[tuple[int, list[_Cell]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            cells = [_Cell(v) for v in record[:MAX_COLUMNS]]
            if _is_blank(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _fail(f"{path.name} has more than {MAX_ROWS} rows; split it up")
            rows.append((number, cells))
    except csv.Error as e:
        raise _fail(f"{path.name} is not a readable CSV file ({e})") from None
    grid = _Grid(rows, decimal_comma=delim == ";", delimiter=delim)
    if encoding == "Windows-1252":
        grid.warnings.append(
            f"{path.name} is not UTF-8; it was read as Windows-1252 (Western European). "
            "Check that accented letters in names came through."
        )
    return grid


def check_xlsx_archive(data: bytes, name: str) -> None:
    """Refuse what is not a plausible workbook before any XML parser sees it.

    Zip bombs (a small file that inflates to gigabytes) and XML entity bombs are refused
    here from the zip directory and the first bytes of each XML part, so a hostile file
    costs neither time nor memory.
    """
    invalid = f"{name} is not a valid workbook"
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _fail(f"{invalid} (it is not an Excel .xlsx file; if it is CSV, rename it .csv)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _fail(f"{invalid} (it holds {len(infos)} parts)")
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                    raise _fail(
                        f"{name} was refused: part {info.filename!r} would inflate "
                        f"{ratio:.0f} times, which no real workbook does (a zip bomb?)"
                    )
            if total > MAX_UNCOMPRESSED:
                raise _fail(
                    f"{name} was refused: it would inflate to {total // (1024 * 1024)} MB, "
                    f"more than the {MAX_UNCOMPRESSED // (1024 * 1024)} MB FairShare reads"
                )
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise _fail(f"{invalid} (it is a zip file but not an Excel workbook)")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")) and info.file_size:
                    with zf.open(info) as member:
                        head = member.read(64 * 1024)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _fail(
                            f"{name} was refused: part {info.filename!r} declares XML entities, "
                            "which real workbooks never do (an entity bomb?)"
                        )
    except TableError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise _fail(f"{invalid} ({e})") from None


def _is_entity_refusal(error: BaseException | None) -> bool:
    """Whether defusedxml refused the XML, anywhere in the chain of causes."""
    seen = 0
    while error is not None and seen < 10:
        if "Entit" in type(error).__name__ or "DTD" in type(error).__name__:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _load(data: bytes, name: str, data_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as e:  # an untrusted file may fail in any parser layer
        if _is_entity_refusal(e):
            raise _fail(f"{name} was refused: it declares XML entities (an entity bomb?)") from None
        raise _fail(f"{name} is not a valid workbook ({type(e).__name__}: {e})") from None


def _pick_sheet(wb: Any) -> Any:
    """The sheet holding the partners: 'Partners', else 'Inputs', else the first with a header."""
    sheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        return None
    order = [ws for ws in sheets if ws.title.lower() == "partners"]
    order += [ws for ws in sheets if ws.title.lower() == "inputs"]
    order += [ws for ws in sheets if ws not in order]
    for ws in order:
        ws.reset_dimensions()
        seen = 0
        for row in ws.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            if _header_score(row) >= 3:
                return ws
            seen += 1
            if seen >= HEADER_SCAN_ROWS:
                break
    return order[0]


def _header_score(values: Any) -> int:
    fields = {match_header(v) for v in values}
    fields.discard(None)
    return len(fields) + (1 if "name" in fields else 0)


def _merged_ranges(data: bytes, ws: Any) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of merged ranges; read-only sheets do not keep them."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    path = getattr(ws, "_worksheet_path", None)
    if not path:
        return []
    tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"
    out: list[tuple[int, int, int, int]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(path) as src:
        for _, el in iterparse(src):
            if el.tag == tag and el.get("ref"):
                try:
                    c1, r1, c2, r2 = range_boundaries(el.get("ref"))
                except (ValueError, TypeError):
                    continue
                out.append((r1, c1, min(r2, r1 + MAX_MERGE_ROWS), min(c2, MAX_COLUMNS)))
            el.clear()
    return out


def _read_xlsx(path: Path, data: bytes) -> _Grid:
    name = path.name
    if not XLSX_SAFE:
        raise _fail(
            f"{name} was not read: reading Excel files safely needs the defusedxml package; "
            "install it (pip install defusedxml), or save the table as CSV"
        )
    check_xlsx_archive(data, name)
    wb = _load(data, name, data_only=True)
    raw_wb = _load(data, name, data_only=False)
    try:
        ws, rows, merges = _sheet_cells(data, wb, raw_wb, name)
    except TableError:
        raise
    except Exception as e:  # an untrusted file may fail in any parser layer
        if _is_entity_refusal(e):
            raise _fail(f"{name} was refused: it declares XML entities (an entity bomb?)") from None
        raise _fail(f"{name} is not a valid workbook ({type(e).__name__}: {e})") from None
    finally:
        wb.close()
        raw_wb.close()
    grid = _Grid(rows, sheet=ws.title)
    _fill_merges(grid, merges)
    if len(wb.worksheets) > 1 and ws.title.lower() != "partners":
        grid.warnings.append(f"read the partners from the sheet {ws.title!r}")
    return grid


def _sheet_cells(
    data: bytes, wb: Any, raw_wb: Any, name: str
) -> tuple[Any, list[tuple[int, list[_Cell]]], list[tuple[int, int, int, int]]]:
    """The partner sheet, its non-blank rows, and its merged ranges.

    The workbook is read twice: once for the values Excel saved, once for the raw
    cells, so that a formula with no saved result is reported instead of read as blank.
    """
    ws = _pick_sheet(wb)
    if ws is None:
        raise _fail(f"{name} has no worksheet")
    raw_ws = raw_wb[ws.title]
    ws.reset_dimensions()
    raw_ws.reset_dimensions()
    rows: list[tuple[int, list[_Cell]]] = []
    pairs = zip(
        ws.iter_rows(max_col=MAX_COLUMNS), raw_ws.iter_rows(max_col=MAX_COLUMNS), strict=False
    )
    kept = 0
    for number, (row, raw) in enumerate(pairs, start=1):
        cells: list[_Cell] = []
        for cell, raw_cell in zip(row, raw, strict=False):
            v = getattr(cell, "value", None)
            if v is None and getattr(raw_cell, "data_type", None) == "f":
                cells.append(_Cell(getattr(raw_cell, "value", None), "f"))
            elif getattr(cell, "data_type", None) == "e":
                cells.append(_Cell(v, "e"))
            else:
                cells.append(_Cell(v))
        if _is_blank(cells):
            continue
        kept += 1
        if kept > MAX_ROWS:
            raise _fail(f"{name} has more than {MAX_ROWS} rows; split it up")
        rows.append((number, cells))
    return ws, rows, _merged_ranges(data, ws)


def _fill_merges(grid: _Grid, merges: list[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged range the value of its top-left cell, as Excel shows it."""
    if not merges:
        return
    by_row = {number: cells for number, cells in grid.rows}
    for r1, c1, r2, c2 in merges:
        top = by_row.get(r1)
        if top is None or c1 > len(top):
            continue
        source = top[c1 - 1]
        if source.value is None:
            continue
        kind = "merged" if source.kind == "v" else source.kind
        for r in range(r1, r2 + 1):
            cells = by_row.setdefault(r, [])
            for c in range(c1, c2 + 1):
                if (r, c) == (r1, c1):
                    continue
                while len(cells) < c:
                    cells.append(_Cell(None))
                cells[c - 1] = _Cell(source.value, kind)
    grid.rows = sorted(by_row.items())


def _read_grid(path: str | os.PathLike[str]) -> _Grid:
    """Every non-blank row of the file's partner table; TableError naming the file if unreadable."""
    try:
        return _grid_of(Path(path))
    except TableError as e:
        e.file = e.file or str(path)
        raise


def _grid_of(p: Path) -> _Grid:
    data = _read_bytes(p)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, data)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(p, data)
    if suffix == ".xls":
        raise _fail(f"{p.name} is an old-style .xls workbook; save it as .xlsx or .csv")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(p, data)
    return _read_csv(p, data)


# ----------------------------------------------------------------------------------
# From grid to partner rows
# ----------------------------------------------------------------------------------


def place(row: int | None = None, column: str | None = None) -> str:
    """A place in a table in words: "row 4, column Capacity", "row 4", or "" for the whole."""
    parts = []
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(f"column {column}")
    return ", ".join(parts)


@dataclass(frozen=True)
class CellProblem:
    """One thing that stops a table being imported, at its row and column when it has one.

    ``row`` is the row number the spreadsheet program shows, ``column`` the header as it
    is written in the file, so a person can go straight to the cell.
    """

    message: str
    row: int | None = None
    column: str | None = None

    @property
    def place(self) -> str:
        return place(self.row, self.column)

    @property
    def problem(self) -> Problem:
        return Problem(self.place, self.message)


def table_error(problems: Sequence[CellProblem], file: str = "") -> TableError:
    """The error for a table refused for these problems (at most MAX_PROBLEMS of them)."""
    return TableError([p.problem for p in _capped(list(problems))], file=file)


@dataclass
class PartnerTable:
    """Rows read from a table, with what is needed to name a cell in a message."""

    rows: list[dict[str, Any]]  # project-file partner fields present in the table
    row_numbers: list[int]  # spreadsheet row of each entry in ``rows``
    labels: dict[str, str]  # field -> the header as written in the file
    warnings: list[str]
    currency: str | None = None  # when every money cell used the same symbol
    sheet: str | None = None
    blanks: list[frozenset[str]] = field(default_factory=list)  # blank cells of each row

    def where(self, index: int, fld: str) -> str:
        """The place of a row's cell in words: "row 4, column Capacity"."""
        return place(self.row_numbers[index], self.label(fld))

    def label(self, fld: str) -> str:
        return self.labels.get(fld) or _BY_FIELD[fld].label

    def blank_score_warnings(self, rows: set[int] | None = None) -> list[str]:
        """A warning per score left blank on some of the rows (all of them by default)."""
        out = []
        for fld in _SCORES:
            blank_rows = [
                number
                for number, blanks in zip(self.row_numbers, self.blanks, strict=True)
                if fld in blanks and (rows is None or number in rows)
            ]
            if blank_rows:
                out.append(
                    f"{self.label(fld)} is blank on {_rows_in_words(blank_rows)}: the score "
                    "stays blank (a blank is never read as no need); enter it or answer the "
                    "needs questions before solving"
                )
        return out


def _is_blank(cells: list[_Cell]) -> bool:
    return all(_blank(c) for c in cells)


def _blank(cell: _Cell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def _last_filled(cells: list[_Cell]) -> int:
    """Index of the last non-blank cell, -1 when there is none."""
    for j in range(len(cells) - 1, -1, -1):
        if not _blank(cells[j]):
            return j
    return -1


@dataclass
class _Header:
    index: int  # into grid.rows
    row: int  # spreadsheet row number
    columns: dict[int, str]  # cell index -> field
    labels: dict[str, str]  # field -> header as written
    last: int  # index of the last non-blank header cell


def _find_header(grid: _Grid) -> tuple[_Header | None, list[str], list[CellProblem]]:
    """The header row, warnings, and problems that stop the table being read.

    The header is the first of the top rows that names the Name column and one more,
    else the top row naming the most columns; title lines above it are skipped. The
    table may start in any column: it runs from the header's first filled cell to the
    cell before its first blank one.
    """
    best, best_score = None, 1
    for i, (_, cells) in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        score = _header_score([c.value for c in cells])
        if score >= 3:
            best = i
            break
        if score > best_score:
            best, best_score = i, score
    expected = ", ".join(_BY_FIELD[f].label for f in REQUIRED)
    if best is None:
        return (
            None,
            [],
            [
                CellProblem(
                    f"no header row found: the table needs a row of column names such as "
                    f"{expected} (see the template)"
                )
            ],
        )
    row_no, cells = grid.rows[best]
    start = next((j for j, c in enumerate(cells) if not _blank(c)), 0)
    end = len(cells)
    for j in range(start, len(cells)):
        if _blank(cells[j]):
            end = j
            break
    columns: dict[int, str] = {}
    labels: dict[str, str] = {}
    warnings: list[str] = []
    problems: list[CellProblem] = []
    for j in range(start, end):
        cell = cells[j]
        label = " ".join(_Parse.text(cell).split())
        fld = match_header(label)
        if fld is None:
            warnings.append(f"column {label} is not one FairShare reads; it was ignored")
            continue
        if fld in labels:
            if cell.kind != "merged":
                problems.append(
                    CellProblem(
                        f"repeats the column {labels[fld]}; keep only one of them", row_no, label
                    )
                )
            continue
        columns[j] = fld
        labels[fld] = label
    later = [
        " ".join(_Parse.text(c).split())
        for c in cells[end:]
        if match_header(c.value) not in (None, *labels)
    ]
    if later:
        warnings.append(
            "the table ends at the first blank header cell; these columns after it were not "
            "read: " + ", ".join(later)
        )
    for f in REQUIRED:
        if f not in labels:
            problems.append(
                CellProblem(
                    f"the table has no {_BY_FIELD[f].label} column (the header row is row {row_no})"
                )
            )
    header = _Header(best, row_no, columns, labels, _last_filled(cells))
    return header, warnings, problems


# An amount with a thousands comma in a comma-separated file, split into two cells:
# "£90,000" unquoted reads as "£90" then "000".
_SPLIT_HEAD = re.compile(r"^\s*\(?-?\s*(?:[£€$]|GBP|EUR|USD)?\s*-?\d{1,3}\s*$", re.IGNORECASE)
_SPLIT_TAIL = re.compile(r"^\d{3}(?:\.\d+)?\s*(?:[£€$%)]|GBP|EUR|USD)?\s*$", re.IGNORECASE)
_HAS_SYMBOL = re.compile(r"[£€$]|GBP|EUR|USD", re.IGNORECASE)
_SPLIT_FIX = (
    "in a comma-separated file an amount written with a thousands comma, such as £90,000, "
    'splits into two cells unless it is in quotes: write it as "£90,000" (in quotes) or '
    "90000, or save the table as .xlsx"
)


def _split_amount(
    cells: list[_Cell], columns: dict[int, str], strict: bool
) -> tuple[int, str, str] | None:
    """Where an amount looks split at its thousands comma: (cell index, head, tail).

    ``strict`` (the row has as many cells as the header) asks for more evidence: a
    currency sign on the first part, a tail starting with 0 (no one writes a number
    as "000"), or a tail in a column that cannot hold a three-digit number.
    """
    for j, fld in columns.items():
        if _BY_FIELD[fld].kind != "number" or j + 1 >= len(cells):
            continue
        head, tail = cells[j].value, cells[j + 1].value
        if not (isinstance(head, str) and isinstance(tail, str)):
            continue
        if not (_SPLIT_HEAD.match(head) and _SPLIT_TAIL.match(tail.strip())):
            continue
        next_kind = _BY_FIELD[columns[j + 1]].kind if j + 1 in columns else "none"
        if (
            not strict
            or _HAS_SYMBOL.search(head)
            or tail.strip().startswith("0")
            or next_kind in ("score", "bool", "none")
        ):
            return j, head.strip(), tail.strip()
    return None


def _row_shape(grid: _Grid, header: _Header, row_no: int, cells: list[_Cell]) -> CellProblem | None:
    """A problem when a CSV row's cells cannot all sit under the right headers.

    A row with more cells than the header has had a separator inside a value, so every
    value after it sits under the wrong header: the row is refused rather than read
    shifted. (In an Excel file cells cannot shift; values right of the table are only
    reported.)
    """
    extra = _last_filled(cells) > header.last
    if grid.delimiter is None:
        return None
    comma = grid.delimiter == ","
    split = _split_amount(cells, header.columns, strict=not extra) if comma else None
    if split is not None:
        j, head, tail = split
        label = header.labels[header.columns[j]]
        what = f"reads '{head}' and then '{tail}' in the next cell"
        if extra:
            what += (
                f", and the row has {_last_filled(cells) + 1} cells where the header row "
                f"(row {header.row}) has {header.last + 1}"
            )
        return CellProblem(f"{what}: {_SPLIT_FIX}", row_no, label)
    if extra:
        name = {",": "comma", ";": "semicolon", "\t": "tab"}[grid.delimiter]
        fix = (
            _SPLIT_FIX
            if comma
            else f"a {name} inside a value splits it in two unless the value is in quotes; "
            "put such values in quotes, or save the table as .xlsx"
        )
        return CellProblem(
            f"has {_last_filled(cells) + 1} cells but the header row (row {header.row}) has "
            f"{header.last + 1} columns, so its values would sit under the wrong headers; {fix}",
            row_no,
        )
    return None


def _table_from_grid(
    grid: _Grid, source: str, repeats: bool = True
) -> tuple[PartnerTable | None, list[CellProblem]]:
    """The partner rows under the header, and every problem found (up to MAX_PROBLEMS).

    Every row is read, so one round lists every bad cell and (unless ``repeats`` is
    False) every row that repeats an earlier one; the table is None only when there is
    no usable header row.
    """
    header, warnings, problems = _find_header(grid)
    warnings = list(grid.warnings) + warnings
    if header is None or problems:
        return None, problems
    columns, labels = header.columns, header.labels
    parse = _Parse(decimal_comma=grid.decimal_comma)
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    blanks: list[frozenset[str]] = []
    cleaned = 0
    stray: list[int] = []
    letters = {fld: get_column_letter(j + 1) for j, fld in columns.items()}
    for row_no, cells in grid.rows[header.index + 1 :]:
        picked = {fld: (cells[j] if j < len(cells) else _Cell(None)) for j, fld in columns.items()}
        extra = _last_filled(cells) > header.last
        if _is_blank(list(picked.values())) and not (extra and grid.delimiter is not None):
            if extra:
                stray.append(row_no)  # a note beside an Excel table, on a row of its own
            continue
        if len(rows) >= MAX_PARTNERS:
            problems.append(CellProblem(f"{source} has more than {MAX_PARTNERS} partners"))
            break
        shape = _row_shape(grid, header, row_no, cells)
        if shape is not None:
            problems.append(shape)
            continue
        if extra:
            stray.append(row_no)  # beside an Excel table: not read, and said
        out: dict[str, Any] = {}
        blanks.append(frozenset(fld for fld, cell in picked.items() if _blank(cell)))
        for fld, cell in picked.items():
            label = labels[fld]
            if cell.kind == "f":
                problems.append(
                    CellProblem(
                        f"cell {letters[fld]}{row_no} holds a formula ({_shown(cell.value)}) "
                        "with no saved result; open the file in Excel or LibreOffice, save it, "
                        "and import again (or paste the values)",
                        row_no,
                        label,
                    )
                )
                continue
            try:
                value = _convert(parse, _BY_FIELD[fld], cell)
            except _Bad as e:
                problems.append(CellProblem(str(e), row_no, label))
                continue
            if isinstance(value, str):
                value, n = clean_text(value, multiline=fld == "notes")
                value = value if fld == "notes" else value.strip()
                cleaned += n
                if len(value) > MAX_TEXT:
                    problems.append(
                        CellProblem(
                            f"is too long ({len(value)} characters; at most {MAX_TEXT})",
                            row_no,
                            label,
                        )
                    )
                    continue
            out[fld] = value
        _check_row(out, labels, row_no, problems)
        rows.append(out)
        numbers.append(row_no)
        if len(problems) >= MAX_PROBLEMS:
            break
    if cleaned:
        warnings.append(f"removed {cleaned} control character(s) from text cells")
    if stray:
        warnings.append(
            f"{_rows_in_words(stray)} of the sheet {'has' if len(stray) == 1 else 'have'} values "
            "right of the table's last column; they were not read"
        )
    if repeats:
        problems = _in_order(problems + _repeated_rows(rows, numbers, labels), labels)
    if not rows and not problems:
        problems.append(CellProblem(f"{source} has a header row but no partner rows under it"))
    currency = next(iter(parse.symbols)) if len(parse.symbols) == 1 else None
    table = PartnerTable(rows, numbers, labels, warnings, currency, grid.sheet, blanks)
    return table, problems


def _in_order(problems: list[CellProblem], labels: dict[str, str]) -> list[CellProblem]:
    """Problems row by row, and left to right along a row, as a person fixes them."""
    column = {label: j for j, label in enumerate(labels.values())}
    return sorted(problems, key=lambda p: (p.row or 0, column.get(p.column or "", -1)))


def name_key(name: str) -> str:
    """How two partner names are compared: ignoring case and spaces."""
    return "".join(name.casefold().split())


def _repeated_rows(
    rows: list[dict[str, Any]], numbers: list[int], labels: dict[str, str]
) -> list[CellProblem]:
    """Rows whose id or name (ignoring case and spaces) is also on an earlier row."""
    problems: list[CellProblem] = []
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row, number in zip(rows, numbers, strict=True):
        pid = str(row.get("id") or "").strip()
        if pid:
            if pid.lower() in seen_ids:
                earlier = seen_ids[pid.lower()]
                message = f"{pid!r} is also the id on row {earlier}"
                problems.append(CellProblem(message, number, labels.get("id", "ID")))
            seen_ids.setdefault(pid.lower(), number)
        name = row.get("name")
        if not name:
            continue
        key = name_key(name)
        if key in seen_names:
            message = f"{name!r} is also on row {seen_names[key]}"
            problems.append(CellProblem(message, number, labels["name"]))
        seen_names.setdefault(key, number)
    return problems


def _rows_in_words(rows: Sequence[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
    return f"rows {shown}"


def _capped(problems: list[CellProblem]) -> list[CellProblem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [
        CellProblem(f"... and more problems; fix these first ({MAX_PROBLEMS} shown)")
    ]


def _convert(parse: _Parse, col: Column, cell: _Cell) -> Any:
    """A cell's value for its column; a blank score stays None (never read as no need)."""
    if col.kind == "bool":
        return parse.boolean(cell, _spec(col.field))
    if col.kind == "text":
        return parse.text(cell)
    f = col.field
    x = parse.number(cell, _spec(f))
    if x is None:
        if f == "capacity":
            raise _Bad("is blank: enter the most the partner can absorb in a year (greater than 0)")
        return 0.0 if f == "floor" else None
    return x


def _spec(fld: str) -> FieldSpec:
    return spec_for(f"partners[].{fld}")


def _check_row(
    out: dict[str, Any], labels: dict[str, str], row_no: int, problems: list[CellProblem]
) -> None:
    if "name" in out and not out["name"]:
        problems.append(CellProblem("is blank: enter the name", row_no, labels["name"]))
    cap, flo = out.get("capacity"), out.get("floor")
    if isinstance(cap, float) and isinstance(flo, float) and flo > cap:
        problems.append(
            CellProblem(
                f"must not be above the capacity ({cap:,.0f}), got {flo:,.0f}",
                row_no,
                labels["floor"],
            )
        )


def read_partner_table(path: str | os.PathLike[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Partner rows from a CSV or Excel table laid out like the template, and warnings.

    Each row is a dict of project-file partner fields (only the columns the table has;
    ``id`` may be blank). Raises TableError naming row and column on a bad cell.
    """
    table = read_table(path)
    return table.rows, table.warnings + table.blank_score_warnings()


def read_table(path: str | os.PathLike[str]) -> PartnerTable:
    """Like read_partner_table, keeping row numbers and headers for later messages.

    Its ``warnings`` leave out blank scores: ``blank_score_warnings`` says those.
    """
    grid = _read_grid(path)
    table, problems = _table_from_grid(grid, Path(path).name)
    if table is None or problems:
        raise table_error(problems, str(path))
    return table


# ----------------------------------------------------------------------------------
# Into a project
# ----------------------------------------------------------------------------------


def make_id(name: str, taken: set[str]) -> str:
    """A readable id from a name ('Amani Collective' -> 'amani-collective'), unique in taken.

    ``taken`` holds lower-cased ids.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.replace("'", "")
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    base = base or "partner"
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _starting_project(name: str, currency: str) -> tuple[Project, list[str]]:
    """A new project to hold imported partners; its grant is left blank for the person."""
    project = new_project(name=name, currency=currency)
    years = f"{project.year_count} years from {project.start_year}"
    warnings = [
        f"new project {name!r}: enter the grant (the budget) before solving; it has "
        f"{years} and one needs-weighted scenario to start with"
    ]
    return project, warnings


UPDATE = "update"
ADD = "add"
SKIP = "skip"
ACTIONS = (UPDATE, ADD, SKIP)  # what an imported row does, as the app offers it


@dataclass(frozen=True)
class FieldChange:
    """One field of a partner already in the project that an imported row changes."""

    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        """The field in the template's words: "Capacity (per year)"."""
        return _BY_FIELD[self.field].label

    def shown(self, value: Any, currency: str = "GBP") -> str:
        """A value as the partners table shows it; "blank" for none."""
        text = format_value(_spec(self.field), value, currency)
        return text if text != "" else "blank"

    def text(self, currency: str = "GBP") -> str:
        """The change in words: "Capacity (per year) from 90,000 to 95,000"."""
        old, new = self.shown(self.old, currency), self.shown(self.new, currency)
        return f"{self.label} from {old} to {new}"


@dataclass(frozen=True)
class RowPlan:
    """What one row of the table does: update a partner already there, add one, or skip.

    ``match`` is the partner in the project with the same name (ignoring case and
    spaces); ``partner`` the partner as it would be after the import (None when the row
    is skipped or the table has problems); ``changes`` each field an update changes.
    """

    row: int
    name: str
    action: str
    match: Partner | None = None
    partner: Partner | None = None
    changes: tuple[FieldChange, ...] = ()

    @property
    def actions(self) -> tuple[str, ...]:
        """The choices this row offers: update only for a partner already there."""
        return ACTIONS if self.match is not None else (ADD, SKIP)

    @property
    def outcome(self) -> str:
        """ "added", "updated", "unchanged" (an update that changes nothing) or "skipped"."""
        if self.action == SKIP:
            return "skipped"
        if self.action == ADD:
            return "added"
        return "updated" if self.changes else "unchanged"


@dataclass(frozen=True)
class ImportPreview:
    """What importing a table would do, worked out without changing anything.

    The app shows it before the import (what each row would add, update or skip, or
    every problem by row and column); :func:`import_partners` applies it.
    """

    file: str
    partners: tuple[Partner, ...] = ()  # the partners that would be added, in table order
    rows: tuple[int, ...] = ()  # the table row each of them comes from
    problems: tuple[CellProblem, ...] = ()  # why the table cannot be imported as it is
    warnings: tuple[str, ...] = ()  # worth knowing, but the import can go ahead
    project: Project | None = None  # the project after the import; None with problems
    sheet: str | None = None  # the worksheet read, for Excel files
    plan: tuple[RowPlan, ...] = ()  # every row read, in table order, with what it does

    @property
    def ok(self) -> bool:
        return not self.problems and self.project is not None

    def with_outcome(self, outcome: str) -> tuple[RowPlan, ...]:
        """The rows that would be "added", "updated", "unchanged" or "skipped"."""
        return tuple(r for r in self.plan if r.outcome == outcome)

    def error(self) -> TableError:
        """The error that refuses this import (call only when there are problems)."""
        return table_error(self.problems, self.file)


def preview_import(
    path: str | os.PathLike[str],
    existing: Project | None,
    project_name: str | None = None,
    *,
    choices: Mapping[int, str] | None = None,
    on_match: str = UPDATE,
) -> ImportPreview:
    """What importing the partners in a table into ``existing`` (None: a new project) does.

    A row whose name (ignoring case and spaces) is already a partner's updates that
    partner (``on_match``: UPDATE, or SKIP to leave it alone); any other row is added.
    ``choices`` (table row number -> UPDATE, ADD or SKIP) overrides that row by row.
    In an update, the table's filled cells replace the partner's values; blank cells
    and missing columns leave them as they are.

    Never raises for what is in the file: an unreadable file, bad cells, rows that
    repeat another, ids already taken and the project's own rules all come back as
    problems, in one list, each at its row and column where it has one (a skipped row
    is not read, so its problems are not listed). ``existing`` is never changed.
    """
    file = str(path)
    try:
        grid = _read_grid(path)
    except TableError as e:
        return ImportPreview(file, problems=tuple(CellProblem(m) for _, m in e.problems))
    table, problems = _table_from_grid(grid, Path(path).name, repeats=False)
    if table is None:
        return ImportPreview(
            file, problems=tuple(_capped(problems)), warnings=tuple(grid.warnings), sheet=grid.sheet
        )
    plan = _plan(table, existing, choices or {}, on_match)
    added = {r.row for r in plan if r.action == ADD}
    warnings = list(table.warnings) + table.blank_score_warnings(added)
    skipped = {r.row for r in plan if r.action == SKIP}
    problems = [p for p in problems if p.row not in skipped]
    kept = [(row, r.row) for row, r in zip(table.rows, plan, strict=True) if r.row not in skipped]
    problems += _repeated_rows([r for r, _ in kept], [n for _, n in kept], table.labels)
    problems = _in_order(problems + _id_conflicts(table, plan, existing), table.labels)
    if problems:
        return ImportPreview(
            file,
            problems=tuple(_capped(problems)),
            warnings=tuple(warnings),
            sheet=table.sheet,
            plan=tuple(plan),
        )
    if existing is None:
        name = project_name or Path(path).stem.replace("_", " ").strip() or "New partnership"
        base, more = _starting_project(name[:MAX_TEXT], table.currency or "GBP")
        warnings += more
    else:
        base = existing
    return _applied(file, table, plan, base, warnings)


def _applied(
    file: str, table: PartnerTable, plan: list[RowPlan], base: Project, warnings: list[str]
) -> ImportPreview:
    """The preview of a table with no problems: the project with the plan carried out."""
    data = project_to_dict(base)
    where: dict[int, int] = {}  # project partner index -> table row
    changes: dict[int, tuple[FieldChange, ...]] = {}
    new_ids = _new_ids(table, plan, base)
    for k, step in enumerate(plan):
        if step.action == UPDATE and step.match is not None:
            i = base.partners.index(step.match)
            data["partners"][i], changes[k] = _updated(step.match, table, k)
            where[i] = step.row
        elif step.action == ADD:
            where[len(data["partners"])] = step.row
            data["partners"].append(_new_partner_dict(table.rows[k], new_ids[k]))
    try:
        project = project_from_dict(data)
    except ValidationError as e:
        found = [_in_table_words(p, m, table, where, base) for p, m in e.problems]
        return ImportPreview(
            file,
            problems=tuple(_capped(found)),
            warnings=tuple(warnings),
            sheet=table.sheet,
            plan=tuple(plan),
        )
    warnings += _new_problems(project, base, table, where)
    at = {row: project.partners[i] for i, row in where.items()}
    done = tuple(
        replace(step, partner=at.get(step.row), changes=changes.get(k, ()))
        for k, step in enumerate(plan)
    )
    added = [step for step in done if step.action == ADD and step.partner is not None]
    return ImportPreview(
        file,
        partners=tuple(step.partner for step in added if step.partner is not None),
        rows=tuple(step.row for step in added),
        warnings=tuple(warnings),
        project=project,
        sheet=table.sheet,
        plan=done,
    )


def import_partners(
    path: str | os.PathLike[str],
    project: Project | None,
    project_name: str | None = None,
    *,
    choices: Mapping[int, str] | None = None,
    on_match: str = UPDATE,
) -> tuple[Project, list[str]]:
    """Import the partners in a table into a project (a new one when ``project`` is None).

    Rows naming a partner already in the project update it (or are skipped with
    ``on_match=SKIP``); the others are added; see :func:`preview_import`. Returns the
    new project and warnings; the given project is never changed (it is immutable), so
    on any error the caller still holds what it had. Raises TableError naming row and
    column for every bad cell, repeated row and id already taken, all at once.
    ``project_name`` names a new project.
    """
    preview = preview_import(path, project, project_name, choices=choices, on_match=on_match)
    if preview.problems or preview.project is None:
        raise preview.error()
    return preview.project, list(preview.warnings)


def _plan(
    table: PartnerTable, existing: Project | None, choices: Mapping[int, str], on_match: str
) -> list[RowPlan]:
    """Each row's match in the project by name, and what it does (chosen or by default)."""
    if on_match not in (UPDATE, SKIP):
        raise ValueError(f"on_match must be {UPDATE!r} or {SKIP!r}, got {on_match!r}")
    names: dict[str, Partner] = {}
    for p in existing.partners if existing is not None else ():
        names.setdefault(name_key(p.name), p)
    plan: list[RowPlan] = []
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        name = str(row.get("name") or "")
        match = names.get(name_key(name)) if name else None
        action = choices.get(number) or (on_match if match is not None else ADD)
        if action not in ACTIONS:
            raise ValueError(f"row {number}: {action!r} is not one of {', '.join(ACTIONS)}")
        if action == UPDATE and match is None:
            action = ADD
        plan.append(RowPlan(number, name, action, match))
    return plan


def _id_conflicts(
    table: PartnerTable, plan: list[RowPlan], existing: Project | None
) -> list[CellProblem]:
    """Ids in the table that would clash with the project's partners."""
    partners = existing.partners if existing is not None else ()
    ids = {p.id.lower(): p for p in partners}
    problems: list[CellProblem] = []
    for row, step in zip(table.rows, plan, strict=True):
        pid = str(row.get("id") or "").strip()
        if not pid or step.action == SKIP:
            continue
        label = table.label("id")
        if step.action == UPDATE and step.match is not None:
            if pid.lower() != step.match.id.lower():
                message = (
                    f"{pid!r} is not the id of {step.match.name!r} in the project, which is "
                    f"{step.match.id!r}; write that id or leave the cell blank"
                )
                problems.append(CellProblem(message, step.row, label))
        elif pid.lower() in ids:
            other = ids[pid.lower()]
            message = f"{pid!r} is already the id of {other.name!r} in the project"
            problems.append(CellProblem(message, step.row, label))
    return problems


_PARTNER_KEYS = (
    "id",
    "name",
    "lead",
    "by_and_for",
    "capacity",
    "floor",
    "reach",
    "multiple_disadvantage",
    "back_office_capacity",
    "notes",
)
_SCORES = ("multiple_disadvantage", "back_office_capacity")


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return bool(old == new) and isinstance(old, bool) == isinstance(new, bool)
    return bool(old == new)


def _updated(
    partner: Partner, table: PartnerTable, k: int
) -> tuple[dict[str, Any], tuple[FieldChange, ...]]:
    """A partner with a row's filled cells, as a project-file dict, and what changed.

    The name keeps the project's spelling (the row matched it ignoring case and
    spaces). A score the table changes counts as typed from then on.
    """
    row, blanks = table.rows[k], table.blanks[k] if k < len(table.blanks) else frozenset()
    d = partner_to_dict(partner)
    sources = dict(partner.score_source)
    found: list[FieldChange] = []
    for fld in _PARTNER_KEYS[2:]:  # not the id, nor the name the row was matched by
        if fld not in row or fld in blanks:
            continue
        old, new = d.get(fld), row[fld]
        if _same(old, new):
            continue
        found.append(FieldChange(fld, old, new))
        d[fld] = new
        if fld in _SCORES:
            sources[fld] = TYPED
    d["score_source"] = sources
    return d, tuple(found)


def _new_ids(table: PartnerTable, plan: list[RowPlan], existing: Project) -> dict[int, str]:
    """The id of each added row (made from the name when blank), by row index."""
    taken = {p.id.lower() for p in existing.partners}
    taken |= {str(r.get("id") or "").strip().lower() for r in table.rows} - {""}
    out: dict[int, str] = {}
    for k, (row, step) in enumerate(zip(table.rows, plan, strict=True)):
        if step.action != ADD:
            continue
        pid = str(row.get("id") or "").strip()
        if not pid:
            pid = make_id(row["name"], taken)
            taken.add(pid.lower())
        out[k] = pid
    return out


def _new_partner_dict(row: dict[str, Any], pid: str) -> dict[str, Any]:
    """A row as a project-file partner, with its id."""
    d = dict(row)
    d["id"] = pid
    d.setdefault("floor", 0.0)
    d.setdefault("notes", "")
    d.setdefault("lead", False)
    d.setdefault("by_and_for", False)
    return {k: d.get(k) for k in _PARTNER_KEYS}


_PARTNER_PATH = re.compile(r"^partners\[(\d+)\](?:\.(\w+))?")


def _in_table_words(
    path: str, message: str, table: PartnerTable, where: Mapping[int, int], project: Project
) -> CellProblem:
    """A problem the project's rules found, at the table's row and column where it is one.

    ``partners[7].reach`` for an imported row becomes row 4, column People served
    (``where`` maps a partner's place in the project to its table row); a problem
    elsewhere in the project is named in words ("Amani Collective's floor",
    "scenario 'Base': management fee"), never by its field path.
    """
    m = _PARTNER_PATH.match(path)
    if m:
        index, fld = int(m.group(1)), m.group(2)
        if index in where:
            row = where[index]
            if fld in _BY_FIELD:
                return CellProblem(message, row, table.label(fld))
            return CellProblem(message, row)
    return CellProblem(f"{describe_path(project, path)}: {message}" if path else message)


def _new_problems(
    project: Project, before: Project, table: PartnerTable, where: Mapping[int, int]
) -> list[str]:
    """What would stop a solve after the import that did not before, in the table's words.

    The import goes ahead (a person may fill a project in any order), but says so. Blank
    scores are already reported, row by row, by the reading of the table.
    """
    old = {(p.path, p.message) for p in validate(before)}
    out: list[str] = []
    for path, message in validate(project):
        if (path, message) in old:
            continue
        m = _PARTNER_PATH.match(path)
        if m and m.group(2) in _SCORES and int(m.group(1)) in where:
            continue
        found = _in_table_words(path, message, table, where, project)
        out.append(f"{found.place}: {found.message}" if found.place else found.message)
    return out


# ----------------------------------------------------------------------------------
# The template
# ----------------------------------------------------------------------------------


def template_rows() -> list[list[Any]]:
    """Header and example rows of the template, in column order."""
    header = [c.label for c in COLUMNS]
    return [header] + [[row[c.field] for c in COLUMNS] for row in EXAMPLE_ROWS]


def partner_row(p: Partner) -> list[Any]:
    """A partner as a template row, the way the template and the Inputs sheet write it."""
    d = partner_to_dict(p)
    out: list[Any] = []
    for c in COLUMNS:
        v = d.get(c.field)
        if c.kind == "bool":
            v = "yes" if v else "no"
        out.append(v)
    return out


def write_template_csv(path: str | os.PathLike[str]) -> None:
    """The template as UTF-8 CSV (with a BOM so Excel shows £ and accents correctly)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in template_rows():
        writer.writerow(["" if v is None else v for v in row])
    Path(path).write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def write_template(path: str | os.PathLike[str]) -> None:
    """The Excel template: a Partners sheet with two fictional examples, and the column guide."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Partners"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    rows = template_rows()
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
            if r == 1:
                cell.font = bold
                cell.fill = fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif COLUMNS[c - 1].field in ("capacity", "floor"):
                cell.number_format = "#,##0"
            elif COLUMNS[c - 1].field == "reach":
                cell.number_format = "#,##0"
            elif COLUMNS[c - 1].kind == "score":
                cell.number_format = "0.00"
    widths = {"id": 14, "name": 34, "notes": 60}
    for c, col in enumerate(COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(c)
        ws.column_dimensions[letter].width = widths.get(col.field, 16)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    score = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    score.error = "Enter a score from 0 to 1, for example 0.6"
    score.showErrorMessage = True
    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    money.error = "Enter an amount (0 or more)"
    money.showErrorMessage = True
    for dv in (yes_no, score, money):
        ws.add_data_validation(dv)
    for c, col in enumerate(COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(c)
        ref = f"{letter}2:{letter}{MAX_PARTNERS + 1}"
        if col.kind == "bool":
            yes_no.add(ref)
        elif col.kind == "score":
            score.add(ref)
        elif col.kind == "number":
            money.add(ref)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    about = wb.create_sheet("About the columns")
    about.append(["Column", "What to enter"])
    for cell in about[1]:
        cell.font = bold
        cell.fill = fill
    for col in COLUMNS:
        about.append([col.label, col.about])
    about.append([])
    notes = [
        "One row per partner organisation, under the header row. Blank rows are skipped.",
        "Keep the header names; FairShare also understands common alternatives such as "
        "Organisation for Name, Max grant for Capacity and People served for reach.",
        "Money is per year, in the project's currency. Scores run from 0 to 1; 85% is read "
        "as 0.85.",
        'In a CSV file, put amounts written with a comma in quotes ("£90,000"), or write '
        "them without it (90000): unquoted, the comma splits the amount into two cells.",
        "Yes/no columns accept yes, no, y, n, true, false, 1, 0 and x; blank means no.",
        "Enter values, not formulas that have never been calculated: save the file in Excel "
        "before importing.",
        "The two example rows are fictional: replace them with your partners.",
    ]
    for line in notes:
        about.append(["", line])
    about.column_dimensions["A"].width = 30
    about.column_dimensions["B"].width = 100
    for row in about.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    Path(path).write_bytes(buf.getvalue())
