"""Tables written as CSV for spreadsheets: atomic, UTF-8 with a byte-order mark, and
text that a spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import csv
import io
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from allocator.errors import SaveError
from allocator.formats.atomic import new_file_mode, sync_folder

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell as written: blank for None, and text that a spreadsheet would read as a
    formula (a partner called "=HYPERLINK(...)") kept as text with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Sequence[Sequence[Any]], target: Path) -> None:
    """Write ``rows`` as CSV in one step: a temporary file beside the target, flushed and
    synced, then renamed over it, so a reader never sees half a table and an old file
    is left as it was when writing fails. UTF-8 with a byte-order mark, which Excel
    needs to read names and currency symbols correctly."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([csv_cell(c) for c in row] for row in rows)
    data = buffer.getvalue().encode("utf-8-sig")
    folder = target.parent if str(target.parent) else Path(".")
    tmp: str | None = None
    try:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = new_file_mode()
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False
        ) as f:
            tmp = f.name
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = None
        sync_folder(folder)
    except OSError as exc:
        reason = exc.strerror.lower() if exc.strerror else str(exc)
        raise SaveError(f"cannot write {target}: {reason}", str(target)) from None
    finally:
        if tmp is not None:
            try:
                os.remove(tmp)
            except OSError:
                pass
