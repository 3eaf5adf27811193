"""The exported workbook opened and recalculated by a real spreadsheet program.

openpyxl writes formulas without results; LibreOffice recalculates them on load.
Converting the sample workbook with LibreOffice and reading the result back checks
that every formula works (no error values) and adds up to the figures of the solve.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from allocator.engine.solve import solve
from allocator.formats.files import load_project
from allocator.formats.workbook import ERROR_CODES, write_workbook

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not on PATH; recalculation not checked"
)


def recalculated(path: Path, tmp_path: Path) -> Path:
    """Convert with a fresh LibreOffice profile, so a running instance cannot interfere."""
    out = tmp_path / "converted"
    out.mkdir()
    profile = (tmp_path / "profile").as_uri()
    assert SOFFICE is not None
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    converted = out / path.name
    assert converted.exists(), f"LibreOffice did not convert the file: {done.stdout}{done.stderr}"
    return converted


def test_libreoffice_recalculates_the_sample_without_errors(tmp_path: Path) -> None:
    project = load_project(SAMPLE)
    results = solve(project)
    chosen = results[2]
    path = tmp_path / "sample.xlsx"
    write_workbook(project, results, path, scenario=chosen.name)
    converted = recalculated(path, tmp_path)

    wb = openpyxl.load_workbook(converted, data_only=True)
    assert wb.sheetnames[0] == "Summary" and "Method" in wb.sheetnames
    values: dict[str, set] = {}
    for ws in wb.worksheets:
        found: set = set()
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "e", (ws.title, cell.coordinate, cell.value)
                assert cell.value not in ERROR_CODES, (ws.title, cell.coordinate)
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    found.add(round(cell.value, 6))
        values[ws.title] = found

    summary = values["Summary"]
    for budget in chosen.budget:
        assert budget in summary
    assert sum(chosen.budget) in summary
    for p in chosen.partners:
        assert p.total in summary, p.name
        own = values[wb.sheetnames[1 + chosen.partners.index(p)]]
        assert p.total in own, p.name
        if p.lead:
            assert p.received in own
    for j, res in enumerate(results):
        for p in res.partners:
            assert p.total in values["Scenarios"]
        assert sum(res.budget) in values["Scenarios"], j
    # the check row (total minus budget) recalculates to zero in every year
    ws = wb["Summary"]
    labels = [c.value for c in ws["A"]]
    columns = {c.value: c.column for c in ws[5] if c.value is not None}
    first_year = columns[chosen.years[0]]
    check = labels.index("Check: total minus budget (0 when it adds up)") + 1
    assert [ws.cell(check, first_year + i).value for i in range(len(chosen.budget) + 1)] == [0] * (
        len(chosen.budget) + 1
    )
    # attainment and change formulas agree with the solve
    attainment = columns["Attainment (total ÷ fair share)"]
    change = columns["Change against it"]
    for k, p in enumerate(chosen.partners):
        # grant ÷ fair share, the fair share in whole units as the sheet shows it
        shown = p.total / sum(p.fair_share_units)
        assert ws.cell(6 + k, attainment).value == pytest.approx(shown, rel=1e-9)
        assert shown == pytest.approx(p.attainment, abs=1e-4)
        assert ws.cell(6 + k, change).value == p.vs_size_proportional
