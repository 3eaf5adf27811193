"""Print the README's table of every field, made from the field description.

    .venv/bin/python scripts/fields_table.py

The README holds this output between its "fields table" markers; a test checks that
they are the same, so the table never drifts from ``allocator.domain.fields.FIELDS``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also from a bare checkout
    from allocator.report.render import fields_markdown

    print(fields_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
