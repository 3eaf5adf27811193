"""The README's command-line sections say what the command does, and stay true."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from allocator.cli import COMMANDS
from allocator.report.render import fields_markdown

from .test_cli import run

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


def test_the_readme_workflow_runs_as_written(tmp_path):
    """Each line of "Setting up a partnership without touching JSON", run in a folder
    holding a partners.xlsx, succeeds; the project then solves."""
    import openpyxl

    section = README[README.index("### Setting up a partnership without touching JSON") :]
    block = section[section.index("```") + 3 :]
    block = block[: block.index("```")]
    lines = [line for line in block.strip().splitlines() if line.startswith("fairshare ")]
    assert [shlex.split(line)[1] for line in lines][:3] == ["new", "import-partners", "set"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "Name",
            "Lead partner",
            "By and for",
            "Capacity",
            "Floor",
            "Multiple disadvantage",
            "Back-office capacity",
        ]
    )
    ws.append(["Eastbridge Women's Network", "yes", "no", 500000, 0, 0.3, 0.9])
    ws.append(["Amani Collective", "no", "yes", 250000, 40000, 0.8, 0.3])
    ws.append(["Sahara Sisters Project", "no", "yes", 200000, 30000, 0.75, 0.35])
    ws.append(["Northgate Housing Trust", "no", "no", 400000, 0, 0.35, 0.8])
    wb.save(tmp_path / "partners.xlsx")
    for line in lines:
        r = run(*shlex.split(line)[1:], cwd=tmp_path)
        assert r.returncode == 0, (line, r.stderr)
        assert "Traceback" not in r.stderr
    assert (tmp_path / "budget.xlsx").exists()
