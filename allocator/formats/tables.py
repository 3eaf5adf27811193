"""Partner tables: read a CSV or Excel table of partners into a project, write the template.

A consortium lead usually already has the partners in a spreadsheet, so FairShare reads
one laid out like the template in ``resources/`` (or the Inputs sheet of a workbook it
wrote) instead of asking for every figure to be typed again.

The files come from other organisations, so they are treated as untrusted: an Excel
file is checked before it is opened (a real zip, modest uncompressed size, no absurd
compression ratio, no XML document type declarations), parsed with ``defusedxml``, read
without evaluating anything, and every bad cell is reported by its row and column
header (``row 4, column "Capacity": must be a number greater than 0, got 'lots'``).

Numbers may be written as ``1200``, ``1,200``, ``£1,200``, ``1200.50`` or ``12%``
(read as 0.12). In a semicolon-separated CSV file (the way Excel saves CSV where the
comma is the decimal mark) a comma is read as the decimal mark and a dot as the
thousands separator: ``1.200,50`` is 1200.5 and ``1.200`` is 1200.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from allocator.domain.model import (
    MAX_PARTNERS,
    MAX_TEXT,
    Budget,
    Partner,
    Project,
    Scenario,
    ValidationError,
    partner_to_dict,
    project_from_dict,
    project_to_dict,
)

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
        "Required: a blank is never read as no need.",
        ("multiple disadvantage", "intersecting disadvantage", "disadvantage"),
    ),
    Column(
        "back_office_capacity",
        "Back-office capacity (0-1)",
        "score",
        "The partner's finance, HR, IT, governance and fundraising capacity, from 0 (none) "
        "to 1 (fully resourced). Required.",
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

_TRUE = {"yes", "y", "true", "1", "x", "ja", "oui", "\u2713", "\u2714"}
_FALSE = {"no", "n", "false", "0", ""}
_CURRENCY_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD"}
_CODES = ("GBP", "EUR", "USD")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DOT_GROUPS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


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
    out: dict[str, str] = {}
    for c in COLUMNS:
        for name in (c.field, c.label, *c.aliases):
            out[_norm_header(name)] = c.field
    return out


_HEADERS = _header_lookup()


def match_header(text: Any) -> str | None:
    """The field a header cell names, or None: 'Organisation' -> 'name'."""
    if not isinstance(text, str):
        return None
    return _HEADERS.get(_norm_header(text))


# ----------------------------------------------------------------------------------
# Cell values
# ----------------------------------------------------------------------------------


class _Bad(Exception):
    """A cell that cannot be read; the message completes 'row R, column "C": ...'."""


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

    def number(self, cell: _Cell, want: str = "a number") -> float | None:
        """A number from a cell, None when blank; raises _Bad saying what was wanted."""
        v = cell.value
        if cell.kind == "e":
            raise _Bad(f"holds the error {v}; enter {want}")
        if v is None:
            return None
        if isinstance(v, bool):
            raise _Bad(f"must be {want}, got {_shown(v)}")
        if isinstance(v, (int, float)):
            if not math.isfinite(v):
                raise _Bad(f"must be a finite number, got {v}")
            return float(v)
        if isinstance(v, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
            raise _Bad(f"must be {want}, got {_shown(v)}")
        text = str(v).strip()
        if not text:
            return None
        return self._text_number(text, v, want)

    def _text_number(self, text: str, original: Any, want: str) -> float:
        s = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
        negative = False
        if s.startswith("(") and s.endswith(")"):
            negative, s = True, s[1:-1]
        percent = s.endswith("%")
        if percent:
            s = s[:-1]
        for sym, code in _CURRENCY_SYMBOLS.items():
            for form in (sym, "-" + sym):
                if s.startswith(form):
                    self.symbols.add(code)
                    s = ("-" if form.startswith("-") else "") + s[len(form) :]
            if s.endswith(sym):
                self.symbols.add(code)
                s = s[: -len(sym)]
        upper = s.upper()
        for code in _CODES:
            if upper.startswith(code) or upper.endswith(code):
                self.symbols.add(code)
                s = s[3:] if upper.startswith(code) else s[:-3]
                break
        if self.decimal_comma:
            if _DOT_GROUPS.match(s):
                s = s.replace(".", "").replace(",", ".")
            elif _DECIMAL_COMMA.match(s):
                s = s.replace(",", ".")
        elif _COMMA_GROUPS.match(s):
            s = s.replace(",", "")
        if not _PLAIN.match(s):
            raise _Bad(f"must be {want}, got {_shown(original)}")
        x = float(s)
        if percent:
            x /= 100
        return -x if negative else x

    @staticmethod
    def boolean(cell: _Cell) -> bool:
        v = cell.value
        if cell.kind == "e":
            raise _Bad(f"holds the error {v}; enter yes or no")
        if v is None:
            return False
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)) and v in (0, 1):
            return bool(v)
        text = str(v).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Bad(f"must be yes or no, got {_shown(v)}")

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


def _fail(message: str) -> ValidationError:
    return ValidationError([("", message)])


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


def _delimiter(text: str) -> str:
    """The separator used in the header line: comma, semicolon or tab, whichever is most common."""
    first = ""
    for line in text.splitlines():
        if line.strip(" \t,;"):
            first = line
            break
    counts = {d: 0 for d in (",", ";", "\t")}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


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
    grid = _Grid(rows, decimal_comma=delim == ";")
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
    except ValidationError:
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
    except ValidationError:
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
    p = Path(path)
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


@dataclass
class PartnerTable:
    """Rows read from a table, with what is needed to name a cell in a message."""

    rows: list[dict[str, Any]]  # project-file partner fields present in the table
    row_numbers: list[int]  # spreadsheet row of each entry in ``rows``
    labels: dict[str, str]  # field -> the header as written in the file
    warnings: list[str]
    currency: str | None = None  # when every money cell used the same symbol

    def where(self, index: int, fld: str) -> str:
        label = self.labels.get(fld) or _BY_FIELD[fld].label
        return f'row {self.row_numbers[index]}, column "{label}"'


def _is_blank(cells: list[_Cell]) -> bool:
    return all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells)


def _find_header(grid: _Grid) -> tuple[int, dict[int, str], dict[str, str], list[str]]:
    """Index into grid.rows of the header row, column -> field, field -> label, warnings.

    The header is the first of the top rows that names the Name column and one more,
    else the top row naming the most columns; title lines above it are skipped.
    """
    best, best_score = None, 1
    for i, (_, cells) in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        score = _header_score([c.value for c in cells])
        if score >= 3:
            best = i
            break
        if score > best_score:
            best, best_score = i, score
    expected = ", ".join(f'"{_BY_FIELD[f].label}"' for f in REQUIRED)
    if best is None:
        raise _fail(
            f"no header row found: the table needs a first row of column names such as {expected} "
            "(see the template)"
        )
    cells = grid.rows[best][1]
    columns: dict[int, str] = {}
    labels: dict[str, str] = {}
    warnings: list[str] = []
    problems: list[tuple[str, str]] = []
    row_no = grid.rows[best][0]
    end = len(cells)
    for j, cell in enumerate(cells):
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            end = j
            break
    for j, cell in enumerate(cells[:end]):
        label = _Parse.text(cell).strip()
        fld = match_header(label)
        if fld is None:
            warnings.append(f'column "{label}" is not one FairShare reads; it was ignored')
            continue
        if fld in labels:
            if cell.kind != "merged":
                problems.append(
                    (
                        f'row {row_no}, column "{label}"',
                        f'repeats the column "{labels[fld]}"; keep only one of them',
                    )
                )
            continue
        columns[j] = fld
        labels[fld] = label
    later = [
        _Parse.text(c).strip() for c in cells[end:] if match_header(c.value) not in (None, *labels)
    ]
    if later:
        warnings.append(
            "the table ends at the first blank header cell; these columns after it were not read: "
            + ", ".join(f'"{x}"' for x in later)
        )
    for f in REQUIRED:
        if f not in labels:
            problems.append(
                (
                    "",
                    f'the table has no "{_BY_FIELD[f].label}" column (the header row is row {row_no})',
                )
            )
    if problems:
        raise ValidationError(problems)
    return best, columns, labels, warnings


def _table_from_grid(grid: _Grid, source: str) -> PartnerTable:
    header, columns, labels, warnings = _find_header(grid)
    warnings = list(grid.warnings) + warnings
    parse = _Parse(decimal_comma=grid.decimal_comma)
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    problems: list[tuple[str, str]] = []
    cleaned = 0
    letters = {fld: get_column_letter(j + 1) for j, fld in columns.items()}
    for row_no, cells in grid.rows[header + 1 :]:
        picked = {fld: (cells[j] if j < len(cells) else _Cell(None)) for j, fld in columns.items()}
        if _is_blank(list(picked.values())):
            continue
        if len(rows) >= MAX_PARTNERS:
            raise _fail(f"{source} has more than {MAX_PARTNERS} partners")
        out: dict[str, Any] = {}
        for fld, cell in picked.items():
            where = f'row {row_no}, column "{labels[fld]}"'
            if cell.kind == "f":
                problems.append(
                    (
                        where,
                        f"cell {letters[fld]}{row_no} holds a formula ({_shown(cell.value)}) "
                        "with no saved result; open the "
                        "file in Excel or LibreOffice, save it, and import again (or paste the "
                        "values)",
                    )
                )
                continue
            try:
                value = _convert(parse, _BY_FIELD[fld], cell)
            except _Bad as e:
                problems.append((where, str(e)))
                continue
            if isinstance(value, str):
                value, n = clean_text(value, multiline=fld == "notes")
                value = value if fld == "notes" else value.strip()
                cleaned += n
                if len(value) > MAX_TEXT:
                    problems.append(
                        (where, f"is too long ({len(value)} characters; at most {MAX_TEXT})")
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
    if problems:
        raise ValidationError(_capped(problems))
    if not rows:
        raise _fail(f"{source} has a header row but no partner rows under it")
    currency = next(iter(parse.symbols)) if len(parse.symbols) == 1 else None
    return PartnerTable(rows, numbers, labels, warnings, currency)


def _capped(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [
        ("", f"... and more problems; fix these first ({MAX_PROBLEMS} shown)")
    ]


_WANT = {
    "capacity": "a number greater than 0",
    "floor": "a number, 0 or more",
    "reach": "a number of people, 0 or more",
}


def _convert(parse: _Parse, col: Column, cell: _Cell) -> Any:
    if col.kind == "bool":
        return parse.boolean(cell)
    if col.kind == "text":
        return parse.text(cell)
    f = col.field
    want = "a score from 0 to 1" if col.kind == "score" else _WANT[f]
    x = parse.number(cell, want)
    if x is None:
        if f == "capacity":
            raise _Bad("is blank: enter the most the partner can absorb in a year (greater than 0)")
        if col.kind == "score":
            raise _Bad("is blank: enter a score from 0 to 1 (a blank is never read as no need)")
        return 0.0 if f == "floor" else None
    if (f == "capacity" and x <= 0) or (f in ("floor", "reach") and x < 0):
        raise _Bad(f"must be {want}, got {_shown(cell.value)}")
    if col.kind == "score" and not 0 <= x <= 1:
        hint = f" (write {x / 100:g} or {x:g}%)" if 1 < x <= 100 else ""
        raise _Bad(f"must be {want}, got {_shown(cell.value)}{hint}")
    return x


def _check_row(
    out: dict[str, Any], labels: dict[str, str], row_no: int, problems: list[tuple[str, str]]
) -> None:
    if "name" in out and not out["name"]:
        problems.append((f'row {row_no}, column "{labels["name"]}"', "is blank: enter the name"))
    cap, flo = out.get("capacity"), out.get("floor")
    if isinstance(cap, float) and isinstance(flo, float) and flo > cap:
        problems.append(
            (
                f'row {row_no}, column "{labels["floor"]}"',
                f"must not be above the capacity ({cap:,.0f}), got {flo:,.0f}",
            )
        )


def read_partner_table(path: str | os.PathLike[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Partner rows from a CSV or Excel table laid out like the template, and warnings.

    Each row is a dict of project-file partner fields (only the columns the table has;
    ``id`` may be blank). Raises ValidationError naming row and column on a bad cell.
    """
    table = read_table(path)
    return table.rows, table.warnings


def read_table(path: str | os.PathLike[str]) -> PartnerTable:
    """Like read_partner_table, keeping row numbers and headers for later messages."""
    grid = _read_grid(path)
    return _table_from_grid(grid, Path(path).name)


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


def new_project(
    name: str, partners: list[Partner], currency: str = "GBP"
) -> tuple[Project, list[str]]:
    """A project to hold imported partners, with a starting budget the user must set."""
    start = _dt.date.today().year + 1
    total = float(max(1, round(sum(p.capacity for p in partners))))
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, "")
    project = Project(
        name=name,
        currency=currency,
        start_year=start,
        year_count=3,
        budget=Budget(first_year=total, annual_uplift=0.0),
        partners=tuple(partners),
        scenarios=(Scenario(name="Needs-weighted"),),
    )
    warnings = [
        f"new project {name!r}: the budget is set to the partners' combined capacity "
        f"({symbol}{total:,.0f} a year, {currency}) for 3 years from {start}, with one "
        "needs-weighted scenario, as a starting point; set the real grant and years before "
        "solving"
    ]
    return project, warnings


def import_partners(
    path: str | os.PathLike[str],
    project: Project | None,
    project_name: str | None = None,
) -> tuple[Project, list[str]]:
    """Add the partners in a table to a project (a new one when ``project`` is None).

    Returns the new project and warnings; the given project is never changed (it is
    immutable), so on any error the caller still holds what it had. Raises
    ValidationError naming row and column for bad cells, and for partners that are
    already in the project (same id, or same name ignoring case).
    """
    table = read_table(path)
    existing = project.partners if project is not None else ()
    ids = {p.id.lower(): p for p in existing}
    names = {p.name.strip().lower(): p for p in existing}
    problems: list[tuple[str, str]] = []
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        pid = str(row.get("id") or "").strip()
        name = row["name"]
        if pid:
            if pid.lower() in ids:
                other = ids[pid.lower()]
                problems.append(
                    (
                        table.where(i, "id"),
                        f"{pid!r} is already the id of {other.name!r} in the project",
                    )
                )
            elif pid.lower() in seen_ids:
                problems.append(
                    (
                        table.where(i, "id"),
                        f"{pid!r} is also the id on row {table.row_numbers[seen_ids[pid.lower()]]}",
                    )
                )
            seen_ids.setdefault(pid.lower(), i)
        key = name.lower()
        if key in names:
            problems.append(
                (
                    table.where(i, "name"),
                    f"{name!r} is already a partner in the project (id {names[key].id!r})",
                )
            )
        elif key in seen_names:
            problems.append(
                (
                    table.where(i, "name"),
                    f"{name!r} is also on row {table.row_numbers[seen_names[key]]}",
                )
            )
        seen_names.setdefault(key, i)
    if problems:
        raise ValidationError(_capped(problems))
    taken = set(ids) | set(seen_ids)
    new_dicts: list[dict[str, Any]] = []
    for row in table.rows:
        d = dict(row)
        pid = str(d.get("id") or "").strip()
        if not pid:
            pid = make_id(d["name"], taken)
            taken.add(pid.lower())
        d["id"] = pid
        d.setdefault("floor", 0.0)
        d.setdefault("reach", None)
        d.setdefault("notes", "")
        d.setdefault("lead", False)
        d.setdefault("by_and_for", False)
        new_dicts.append(d)
    warnings = list(table.warnings)
    if project is None:
        partners = [_partner_from_row(table, i, d) for i, d in enumerate(new_dicts)]
        name = project_name or Path(path).stem.replace("_", " ").strip() or "New partnership"
        base, more = new_project(name, partners, table.currency or "GBP")
        warnings += more
        data = project_to_dict(base)
        offset = 0
    else:
        if project_name:
            warnings.append("the project already exists; its name was kept")
        data = project_to_dict(project)
        offset = len(data["partners"])
        data["partners"] = data["partners"] + [_clean_dict(d) for d in new_dicts]
    try:
        result = project_from_dict(data)
    except ValidationError as e:
        raise ValidationError(_rename_paths(e.problems, table, offset)) from None
    added = len(table.rows)
    warnings.append(f"added {added} partner{'s' if added != 1 else ''}")
    return result, warnings


def _clean_dict(d: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "lead", "by_and_for", "capacity", "floor", "reach")
    keys += ("multiple_disadvantage", "back_office_capacity", "notes")
    return {k: d.get(k) for k in keys}


def _partner_from_row(table: PartnerTable, i: int, d: dict[str, Any]) -> Partner:
    return Partner(
        id=d["id"],
        name=d["name"],
        capacity=float(d["capacity"]),
        floor=float(d["floor"] or 0.0),
        reach=None if d.get("reach") is None else float(d["reach"]),
        multiple_disadvantage=float(d["multiple_disadvantage"]),
        back_office_capacity=float(d["back_office_capacity"]),
        by_and_for=bool(d["by_and_for"]),
        lead=bool(d["lead"]),
        notes=d.get("notes") or "",
    )


_PARTNER_PATH = re.compile(r"^partners\[(\d+)\](?:\.(\w+))?(.*)$")


def _rename_paths(
    problems: list[tuple[str, str]], table: PartnerTable, offset: int
) -> list[tuple[str, str]]:
    """Turn ``partners[7].reach`` into ``row 4, column "People served"`` for imported rows."""
    out = []
    for path, message in problems:
        m = _PARTNER_PATH.match(path)
        if m and int(m.group(1)) >= offset and m.group(2) in _BY_FIELD:
            index = int(m.group(1)) - offset
            if index < len(table.rows):
                out.append((table.where(index, m.group(2)), message))
                continue
        out.append((path, message))
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
