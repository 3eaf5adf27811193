"""The README's command-line sections say what the command does, and stay true."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from allocator.cli import COMMANDS
from allocator.report.render import fields_markdown

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
START = "<!-- fields table:"
END = "<!-- end of fields table -->"


def readme_fields_table() -> str:
    start = README.index(START)
    body = README[README.index("\n", start) + 1 : README.index(END, start)]
    return body.strip("\n")


def test_the_readme_fields_table_is_the_scripts_output():
    """Made by scripts/fields_table.py from the field description; never edited by hand."""
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fields_table.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip("\n") == fields_markdown()
    assert readme_fields_table() == fields_markdown(), (
        "the README's table of fields differs from the field description: replace it "
        "with the output of `python scripts/fields_table.py`"
    )


def test_the_readme_lists_every_command():
    for name in COMMANDS:
        assert f"`fairshare {name}" in README, name
