"""The exported workbook opened and recalculated by a real spreadsheet program.

openpyxl writes formulas without results; LibreOffice recalculates them on load.
Converting the sample workbook with LibreOffice and reading the result back checks
that every formula works (no error values) and adds up to the figures of the solve,
and that the Scenarios sheet's changes recalculate to the figures of
`fairshare compare --baseline NAME --json`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from allocator.domain.text import pct
from allocator.engine.solve import solve
from allocator.formats.files import load_project
from allocator.formats.workbook import ERROR_CODES, MEASURES, write_workbook
from allocator.report.baseline import compare_to_baseline
from allocator.report.render import json_safe
from allocator.report.sweep import sweep

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not on PATH; recalculation not checked"
)


def recalculated(path: Path, tmp_path: Path, *more: Path) -> Path | list[Path]:
    """Convert with a fresh LibreOffice profile, so a running instance cannot interfere.

    Several files are converted in one run (LibreOffice starts once); then a list.
    """
    out = tmp_path / "converted"
    out.mkdir()
    profile = (tmp_path / "profile").as_uri()
    assert SOFFICE is not None
    paths = [path, *more]
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
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120 * len(paths),
        env={**os.environ, "HOME": str(tmp_path)},
    )
    converted = [out / p.name for p in paths]
    for c in converted:
        assert c.exists(), f"LibreOffice did not convert {c.name}: {done.stdout}{done.stderr}"
    return converted if more else converted[0]


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
            assert p.received in values["Scenarios"]
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


def test_recalculated_changes_are_the_compare_command_s(tmp_path: Path) -> None:
    """The change cells are formulas; recalculated, they are the JSON's changes."""
    project = load_project(SAMPLE)
    results = solve(project)
    swept = sweep(project, results[2].name, "ring_fence", 0, 0.9, 7)
    baselines = [None, "Needs-weighted"]
    paths = []
    for k, baseline in enumerate(baselines):
        paths.append(tmp_path / f"baseline{k}.xlsx")
        write_workbook(project, results, paths[-1], baseline=baseline, sweep=swept)
    converted = recalculated(paths[0], tmp_path, *paths[1:])

    for baseline, path in zip(baselines, converted, strict=True):
        data = json_safe(compare_to_baseline(project, results, baseline).to_json())
        wb = openpyxl.load_workbook(path, data_only=True)
        ws = wb["Scenarios"]
        rows: dict[str, int] = {}
        for cell in ws["A"]:
            if isinstance(cell.value, str):
                rows.setdefault(cell.value, cell.row)
        first = rows[data["partners"][0]["name"]]
        change = rows["Change against the baseline (fee included)"] + 1
        percent = rows["Change against the baseline (%)"] + 1
        measures = (
            rows["Change in the measures against the baseline (shares in percentage points)"] + 1
        )
        for j, s in enumerate(data["scenarios"]):
            col = 3 + j
            assert ws.cell(4, col).value == s["name"]
            for k, p in enumerate(s["partners"]):
                assert ws.cell(first + k, col).value == p["received"]
                assert ws.cell(change + k, col).value == p["change"], (baseline, s["name"], k)
                got = ws.cell(percent + k, col).value
                if p["relative_change"] is None:
                    assert got in (None, "")
                else:
                    assert got == pytest.approx(p["relative_change"], rel=1e-9)
            # the changes add up to nothing: money moves between partners
            assert ws.cell(change + len(s["partners"]), col).value == 0
            for i, (_, key, _) in enumerate(MEASURES):
                want = s["measure_changes"][key]
                assert ws.cell(measures + i, col).value == pytest.approx(want, abs=1e-9), key
        for sheet in ("Scenarios", "Sweep"):
            for row in wb[sheet].iter_rows():
                for cell in row:
                    assert cell.data_type != "e" and cell.value not in ERROR_CODES, (
                        sheet,
                        cell.coordinate,
                    )


def test_recalculated_totals_and_attainment_are_the_figures_shown(tmp_path: Path) -> None:
    """Recalculated, each partner's total is the sum of its years, its fair share the sum
    of its whole-unit years, and its attainment reads as the solve's."""
    project = load_project(SAMPLE)
    results = solve(project)
    chosen = next(r for r in results if r.ok and any(r.fee))
    path = tmp_path / "figures.xlsx"
    write_workbook(project, results, path, scenario=chosen.name)
    wb = openpyxl.load_workbook(recalculated(path, tmp_path), data_only=True)
    ws = wb["Summary"]
    columns = {c.value: c.column for c in ws[5] if c.value is not None}
    c_y0, c_tot = columns[chosen.years[0]], columns["Total"]
    c_fs, c_att = columns["Fair share"], columns["Attainment (total ÷ fair share)"]
    for k, p in enumerate(chosen.partners):
        row = 6 + k
        years = [ws.cell(row, c_y0 + i).value for i in range(len(chosen.years))]
        assert ws.cell(row, c_tot).value == sum(years) == p.total
        assert ws.cell(row, c_fs).value == p.fair_share_total
        assert pct(ws.cell(row, c_att).value) == pct(p.attainment)
        own = wb.worksheets[1 + k]
        r_fs = next(c.row for c in own["A"] if c.value == "Fair share")
        shown = [own.cell(r_fs, 2 + i).value for i in range(len(chosen.years))]
        assert shown == list(p.fair_share_whole)
        assert own.cell(r_fs, 2 + len(shown)).value == sum(shown) == p.fair_share_total
