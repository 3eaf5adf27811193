"""The budget workbook: content, live formulas, safety of text, sheet titles, atomic writes."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

import allocator
from allocator import errors
from allocator.domain.model import (
    Budget,
    Partner,
    Project,
    Scenario,
    ValidationError,
    partner_to_dict,
)
from allocator.domain.text import money, pct
from allocator.engine.result import Status
from allocator.engine.solve import solve
from allocator.errors import SaveError
from allocator.formats import atomic
from allocator.formats import workbook as wbmod
from allocator.formats.files import load_project
from allocator.formats.tables import import_partners, read_partner_table
from allocator.formats.workbook import (
    WorkbookError,
    currency_format,
    sheet_title,
    workbook_bytes,
    write_workbook,
)
from allocator.report.baseline import compare_to_baseline
from allocator.report.sweep import sweep
from allocator.report.words import STATUS_TEXT, measure_name, status_text

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"
NASTY = [
    '=HYPERLINK("http://x","y")',
    "+SUM(1,1)",
    "-2+3",
    "@SUM(1)",
    "#N/A",
    "=1+1",
    "\tTabbed",
    "#DIV/0!",
]


@pytest.fixture(scope="module")
def sample() -> tuple[Project, list]:
    project = load_project(SAMPLE)
    return project, solve(project)


@pytest.fixture(scope="module")
def exported(sample, tmp_path_factory) -> tuple[Path, list[str]]:
    project, results = sample
    path = tmp_path_factory.mktemp("wb") / "sample.xlsx"
    chosen = "Needs-weighted, 30% ring-fence, 10% fee"
    warnings = write_workbook(project, results, path, scenario=chosen)
    return path, warnings


def partner(i: int, name: str, **kw: object) -> Partner:
    base = dict(
        id=f"p{i}",
        name=name,
        capacity=100000 + 10000 * i,
        floor=0,
        reach=100 + i,
        multiple_disadvantage=0.5,
        back_office_capacity=0.5,
    )
    base.update(kw)
    return Partner(**base)  # type: ignore[arg-type]


def small_project(names: list[str], scenarios: tuple[Scenario, ...] | None = None) -> Project:
    partners = tuple(
        partner(i, n, lead=i == 0, by_and_for=i % 2 == 1, notes=n) for i, n in enumerate(names)
    )
    return Project(
        name="Test partnership",
        currency="GBP",
        start_year=2027,
        year_count=2,
        budget=Budget(first_year=60000.0 * len(names), annual_uplift=0.02),
        partners=partners,
        scenarios=scenarios or (Scenario(name="Base", management_fee=0.05),),
    )


# ---------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------


def test_sheets_present(exported, sample) -> None:
    path, warnings = exported
    project, _ = sample
    wb = openpyxl.load_workbook(path)
    names = [p.name for p in project.partners]
    assert wb.sheetnames == ["Summary", *names, "Scenarios", "Inputs", "Method"]
    assert warnings == []


def test_summary_figures_and_live_totals(exported, sample) -> None:
    path, _ = exported
    project, results = sample
    result = results[2]
    ws = openpyxl.load_workbook(path)["Summary"]
    assert ws["B2"].value == result.name
    header = [c.value for c in ws[5]]
    assert header[:7] == ["Partner", "By and for", "Lead", 2027, 2028, 2029, "Total"]
    for k, p in enumerate(result.partners):
        row = 6 + k
        assert ws.cell(row, 1).value == p.name
        assert [ws.cell(row, 4 + i).value for i in range(3)] == list(p.per_year)
        assert ws.cell(row, 7).value == f"=SUM(D{row}:F{row})"
        assert ws.cell(row, 8).data_type == "f"  # share of budget
        # the fair share in whole units, as the engine rounds it
        assert ws.cell(row, 9).value == sum(p.fair_share_units)
        assert sum(p.fair_share_units) == pytest.approx(p.fair_share_total, abs=len(p.per_year))
        assert ws.cell(row, 10).data_type == "f"  # attainment
        assert ws.cell(row, 13).value  # the limiting reason in words
    fee_row = 6 + len(result.partners)
    assert "Management fee" in ws.cell(fee_row, 1).value
    assert [ws.cell(fee_row, 4 + i).value for i in range(3)] == list(result.fee)
    total = ws.cell(fee_row + 1, 4)
    assert total.value == f"=SUM(D6:D{fee_row})"
    assert ws.cell(fee_row + 2, 1).value == "of which by-and-for partners"
    assert ws.cell(fee_row + 2, 4).value.startswith("=SUMIF(")
    assert ws.freeze_panes == "B6"
    assert ws.cell(6, 4).number_format == "£#,##0"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.column_dimensions["A"].width >= 24


def test_partner_sheet_is_an_mou_budget(exported, sample) -> None:
    path, _ = exported
    project, results = sample
    result = results[2]
    wb = openpyxl.load_workbook(path)
    lead = next(p for p in result.partners if p.lead)
    ws = wb[lead.name]
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert labels[5] == "Delivery"
    assert labels[6].startswith("Back-office (full cost recovery")
    assert labels[7] == "Grant total (delivery + back-office)"
    assert ws["B8"].value == "=B6+B7" and ws["E8"].value == "=E6+E7"
    assert labels[8].startswith("Management fee")
    assert ws["B10"].value == "=B8+B9"
    assert [ws.cell(6, 2 + i).value for i in range(3)] == list(lead.lines["delivery"])
    unrestricted = labels.index("of which unrestricted (memo: part of the grant, not extra money)")
    assert [ws.cell(unrestricted + 1, 2 + i).value for i in range(3)] == list(
        lead.lines["unrestricted"]
    )
    assert "Fair share" in labels and "Why" in labels
    why = labels.index("Why") + 1
    assert ws.cell(why, 2).value == lead.reason
    other = next(p for p in result.partners if not p.lead)
    labels = [c.value for c in wb[other.name]["A"]]
    assert not any(isinstance(v, str) and v.startswith("Management fee") for v in labels)


def test_scenarios_side_by_side(exported, sample) -> None:
    path, _ = exported
    project, results = sample
    ws = openpyxl.load_workbook(path)["Scenarios"]
    assert ws["B4"].value == "Baseline: size-proportional split"
    assert [ws.cell(4, 3 + j).value for j in range(len(results))] == [r.name for r in results]
    n = len(project.partners)
    for j, res in enumerate(results):
        # what each partner receives: the grant, and the fee for the lead
        assert [ws.cell(6 + k, 3 + j).value for k in range(n)] == [p.received for p in res.partners]
        letter = ws.cell(6, 3 + j).column_letter
        assert ws.cell(6 + n, 3 + j).value == f"=SUM({letter}6:{letter}{5 + n})"
        assert ws.cell(6 + n + 1, 3 + j).value == sum(res.fee)
    assert [ws.cell(6 + k, 2).value for k in range(n)] == [
        sum(p.size_proportional) for p in results[0].partners
    ]
    values = [c.value for c in ws["A"]]
    change_row = values.index("Change against the baseline (fee included)") + 1
    assert ws.cell(change_row + 1, 3).value == "=C6-$B6"
    assert measure_name("gini") in values


def test_totals_are_formulas_and_recalculated_on_load(exported) -> None:
    path, _ = exported
    with zipfile.ZipFile(path) as zf:
        workbook_xml = zf.read("xl/workbook.xml").decode()
    assert re.search(r'<calcPr[^>]*fullCalcOnLoad="1"', workbook_xml)


def test_charts_present(exported) -> None:
    path, _ = exported
    with zipfile.ZipFile(path) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        summary_chart = zf.read(charts[0]).decode()
    assert "barChart>" in summary_chart and '<grouping val="clustered"' in summary_chart
    assert "<strRef><f>'Summary'!$A$6:$A$12</f></strRef>" in summary_chart
    wb = openpyxl.load_workbook(path)
    assert len(wb["Summary"]._charts) == 1
    assert len(wb["Scenarios"]._charts) == 1
    assert len(wb["Scenarios"]._charts[0].series) == 5  # the baseline and four scenarios


def test_bar_charts_grow_from_zero_on_the_left(exported) -> None:
    path, _ = exported
    with zipfile.ZipFile(path) as zf:
        names = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
        charts = [zf.read(n).decode() for n in names]
    for xml in charts:
        cat = re.search(r"<catAx>(.*?)</catAx>", xml, re.S).group(1)
        val = re.search(r"<valAx>(.*?)</valAx>", xml, re.S).group(1)
        assert '<orientation val="maxMin"' in cat  # partners top to bottom, as in the table
        assert "<crosses" not in cat  # crossing at the money maximum draws bars from the right
        assert '<crosses val="max"' in val  # the money axis along the bottom
        assert '<orientation val="minMax"' in val and '<min val="0"' in val


def test_charts_sit_clear_of_the_tables(exported, sample) -> None:
    path, _ = exported
    project, results = sample
    layout = wbmod.layout_workbook(project, results, results[2].name)
    for sheet in layout.sheets:
        for chart in sheet.charts:
            assert chart.width_cm >= 16 and chart.height_cm >= 8, sheet.title
    wb = openpyxl.load_workbook(path)
    for title in ("Summary", "Scenarios"):
        ws = wb[title]
        (chart,) = ws._charts
        marker = chart.anchor._from
        row, col = marker.row + 1, marker.col + 1
        taken = {(c.row, c.column) for r in ws.iter_rows() for c in r if c.value is not None}
        below = [(r, c) for r, c in taken if r >= row and c >= col]
        assert below == [], (title, below)


def test_wrapped_text_gets_rows_tall_enough(exported) -> None:
    path, _ = exported
    wb = openpyxl.load_workbook(path)
    ws = wb["Summary"]
    header = [c for c in ws[5] if c.value is not None]
    assert all(c.alignment.wrap_text and c.alignment.vertical == "bottom" for c in header)
    assert ws.row_dimensions[5].height >= 45  # "Attainment (total ÷ fair share)" takes 3 lines
    why = [c.value for c in ws[5]].index("What limits it") + 1
    assert ws.cell(6, why).alignment.wrap_text
    assert ws.column_dimensions[ws.cell(6, why).column_letter].width <= 60
    measures = [c.value for c in ws["A"]].index("Measures of the split") + 1
    gini = ws.cell(measures + 3, 1)
    assert gini.value == measure_name("gini") and gini.alignment.wrap_text
    method = wb["Method"]
    for row in method.iter_rows(min_row=5, min_col=2, max_col=2):
        cell = row[0]
        if isinstance(cell.value, str) and len(cell.value) > 150:
            assert (method.row_dimensions[cell.row].height or 0) >= 30, cell.value


def test_partner_sheet_names_what_limits_it_in_words(exported, sample) -> None:
    path, _ = exported
    _, results = sample
    lead = next(p for p in results[2].partners if p.lead)
    ws = openpyxl.load_workbook(path)[lead.name]
    labels = [c.value for c in ws["A"]]
    row = labels.index("What limits it") + 1
    words = [ws.cell(row, 2 + i).value for i in range(3)]
    assert words == [wbmod._REASON_SHORT[r] for r in lead.limited_by_per_year]


def test_print_setup(exported) -> None:
    path, _ = exported
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert "&P" in ws.oddFooter.center.text
    assert wb["Summary"].page_setup.fitToHeight in (0, 1)
    # the partner table and the settings beside it print as two parts
    assert str(wb["Inputs"].print_area).count("!") == 2
    # the scenarios chart starts a page of its own
    scenarios = wb["Scenarios"]
    (chart,) = scenarios._charts
    assert chart.anchor._from.row - 1 in [b.id for b in scenarios.row_breaks.brk]


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("", 10, 1),
        ("Total", 10, 1),
        ("Attainment (total ÷ fair share)", 12, 3),
        ("Size-proportional split", 13, 3),  # breaks after the hyphen
        ("one\ntwo", 40, 2),
        ("x" * 45, 10, 5),
    ],
)
def test_lines_needed(text: str, width: float, lines: int) -> None:
    assert wbmod.lines_needed(text, width, bold=True) == lines


def test_inputs_sheet_imports_back_unchanged(exported, sample) -> None:
    path, _ = exported
    project, _ = sample
    imported, _ = import_partners(path, None, project_name="Round trip")
    assert [partner_to_dict(p) for p in imported.partners] == [
        partner_to_dict(dataclasses.replace(p, needs_answers={})) for p in project.partners
    ]
    ws = openpyxl.load_workbook(path)["Inputs"]
    assert ws.freeze_panes == "A2"
    values = [c.value for c in ws["L"]]
    assert "Scenario settings" in values


def test_method_sheet_in_plain_words(exported, sample) -> None:
    path, _ = exported
    _, results = sample
    ws = openpyxl.load_workbook(path)["Method"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "n = base × (1 + w_d × d + w_b × (1 − b))" in text
    assert "w_d = 1 and w_b = 0.5" in text
    assert "at least 30% of the distributable budget" in text  # ring-fence
    assert "keeps 10% of each year's budget" in text  # management fee
    assert "leximin" in text
    assert "core grant plus formula" in text and "the core share is 0" in text
    for b in results[2].binding:
        assert b.explanation in text
    assert f"FairShare {allocator.__version__} on " in text


def test_default_scenario_is_the_chosen_one_and_unknown_is_refused(sample) -> None:
    project, results = sample
    chosen = project.chosen_scenario
    assert chosen is not None and chosen.name != results[0].name
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results)))
    assert wb["Summary"]["B2"].value == chosen.name
    other = dataclasses.replace(project, chosen=results[1].name)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(other, results)))
    assert wb["Summary"]["B2"].value == results[1].name
    # a name that differs only in case picks out one scenario
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, "NEEDS-WEIGHTED")))
    assert wb["Summary"]["B2"].value == "Needs-weighted"
    with pytest.raises(ValidationError) as e:
        workbook_bytes(project, results, scenario="Nope")
    assert e.value.problems[0][0] == "scenario"


@pytest.mark.parametrize(
    ("code", "fmt"),
    [("GBP", "£#,##0"), ("EUR", "€#,##0"), ("USD", "$#,##0"), ("CHF", '#,##0 "CHF"')],
)
def test_currency_formats(code: str, fmt: str) -> None:
    assert currency_format(code) == fmt
    project = dataclasses.replace(small_project(["A", "B"]), currency=code)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, solve(project))))
    assert wb["Summary"]["D6"].number_format == fmt
    assert wb["A"]["B6"].number_format == fmt


# ---------------------------------------------------------------------------------
# Safety
# ---------------------------------------------------------------------------------


def test_names_and_notes_are_stored_as_text(tmp_path: Path) -> None:
    project = small_project(NASTY, (Scenario(name="=1+1"), Scenario(name="@SUM(1)")))
    results = solve(project)
    path = tmp_path / "nasty.xlsx"
    write_workbook(project, results, path)
    wb = openpyxl.load_workbook(path)
    seen: dict[str, int] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in NASTY or cell.value in ("=1+1", "@SUM(1)"):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    assert cell.quotePrefix is True
                    seen[cell.value] = seen.get(cell.value, 0) + 1
                if cell.data_type == "f":
                    assert "HYPERLINK" not in cell.value and "@" not in cell.value
                assert cell.data_type != "e"
    for name in NASTY:
        assert seen.get(name, 0) >= 4, name  # summary, own sheet, scenarios, inputs
    with zipfile.ZipFile(path) as zf:
        for member in zf.namelist():
            if member.startswith("xl/worksheets/"):
                xml = zf.read(member).decode()
                assert "HYPERLINK" not in "".join(re.findall(r"<f>.*?</f>", xml))
    # and the partners import back exactly
    imported, _ = import_partners(path, None)
    assert [p.name for p in imported.partners] == [n.strip() for n in NASTY]


def test_control_characters_are_removed_with_a_warning() -> None:
    project = small_project(["Bell\x07 House", "Plain"])
    project = project.with_partner(1, notes="null\x00 note")
    layout = wbmod.layout_workbook(project, solve(project))
    assert any("control character" in w for w in layout.warnings)
    texts = [v for s in layout.sheets for (_, _, v, _) in s.cells if isinstance(v, str)]
    assert "Bell House" in texts and "null note" in texts
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", t) for t in texts)
    openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, solve(project))))


def test_non_finite_measures_do_not_break_the_file(sample) -> None:
    project, results = sample
    results = [dataclasses.replace(r) for r in results]
    results[0] = dataclasses.replace(
        results[0], metrics=dataclasses.replace(results[0].metrics, need_ratio=float("inf"))
    )
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, results[0].name)))
    values = [c.value for row in wb["Summary"].iter_rows() for c in row]
    assert "unbounded" in values


def test_sheet_titles_are_sanitised() -> None:
    used = {"summary", "scenarios", "inputs", "method"}
    assert sheet_title("a/b:c*d?e[f]g\\h", used) == "a b c d e f g h"
    long = sheet_title("The Very Long Name of a Partner Organisation Limited", used)
    assert len(long) == 31
    again = sheet_title("The Very Long Name of a Partner Organisation Limited", used)
    assert len(again) <= 31 and again.endswith("(2)") and again != long
    assert sheet_title("'quoted'", used) == "quoted"
    assert sheet_title("Amani", used) == "Amani"
    assert sheet_title("AMANI", used) == "AMANI (2)"
    assert sheet_title("Summary", used) == "Summary (2)"
    assert sheet_title("History", used) == "History (2)"
    assert sheet_title("", used) == "Partner"
    assert sheet_title("[]", used) == "Partner (2)"
    assert sheet_title("=1+1", used) == "=1+1"
    assert sheet_title("x" * 30 + "'", used) == "x" * 30
    assert sheet_title("Bell\x07 House", used) == "Bell House"


def test_sheet_titles_in_a_real_workbook() -> None:
    names = ["Amani", "amani", "A/B [North]", "'Quoted'", "x" * 40, "x" * 40 + "y"]
    project = small_project(names)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, solve(project))))
    titles = wb.sheetnames[1:-3]
    assert titles == ["Amani", "amani (2)", "A B North", "Quoted", "x" * 31, "x" * 27 + " (2)"]


def test_infeasible_scenarios_show_status_instead_of_figures(tmp_path: Path) -> None:
    names = ["Lead", "Small", "Other"]
    project = small_project(names, (Scenario(name="Fine"), Scenario(name="Impossible")))
    project = project.with_partner(1, floor=150000.0, capacity=200000.0)
    project = project.with_partner(2, floor=150000.0, capacity=200000.0)
    results = solve(project)
    assert results[0].ok is False or results[1].ok is False
    bad = next(r for r in results if not r.ok)
    path = tmp_path / "bad.xlsx"
    warnings = write_workbook(project, results, path, scenario=bad.name)
    assert any("has no split" in w for w in warnings)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Scenarios", "Inputs", "Method"]
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row if c.value is not None]
    assert any(isinstance(v, str) and "has no split" in v for v in summary)
    assert any(isinstance(v, str) and bad.message in v for v in summary)
    ws = wb["Scenarios"]
    col = 3 + results.index(bad)
    assert ws.cell(5, col).value == "cannot be met"
    assert ws.cell(6, col).value == bad.message
    figures = [ws.cell(r, col).value for r in range(7, ws.max_row + 1)]
    assert all(v is None or isinstance(v, str) for v in figures)


# ---------------------------------------------------------------------------------
# Writing the file
# ---------------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_replaces_an_existing_file(tmp_path: Path, sample) -> None:
    project, results = sample
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")
    write_workbook(project, results, path)
    assert zipfile.is_zipfile(path)
    assert leftovers(tmp_path) == []


def test_missing_folder_is_refused(tmp_path: Path, sample) -> None:
    project, results = sample
    target = tmp_path / "nope" / "out.xlsx"
    with pytest.raises(WorkbookError) as e:
        write_workbook(project, results, target)
    assert "does not exist" in str(e.value)
    assert str(e.value).startswith(f"cannot write {target}")  # no sentinel, no path prefix
    assert e.value.file == str(target)
    # a failure to save is an OSError (a SaveError), not bad input
    assert isinstance(e.value, SaveError) and isinstance(e.value, OSError)
    assert not isinstance(e.value, ValueError)
    assert WorkbookError is errors.WorkbookError


def test_read_only_target_is_refused_and_kept(tmp_path: Path, sample) -> None:
    project, results = sample
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    try:
        with pytest.raises(WorkbookError, match="read-only"):
            write_workbook(project, results, path)
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("lock", ["~$out.xlsx", ".~lock.out.xlsx#"])
def test_target_open_in_a_spreadsheet_is_refused(tmp_path: Path, sample, lock: str) -> None:
    project, results = sample
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")
    (tmp_path / lock).write_text("someone")
    with pytest.raises(WorkbookError, match="open in a spreadsheet"):
        write_workbook(project, results, path)
    assert path.read_bytes() == b"old"


def test_failure_while_replacing_leaves_the_old_file(
    tmp_path: Path,
    sample,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, results = sample
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")

    def locked(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(wbmod.os, "replace", locked)
    with pytest.raises(WorkbookError, match="open in another program"):
        write_workbook(project, results, path)
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_failure_while_building_writes_nothing(
    tmp_path: Path,
    sample,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, results = sample
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")

    def broken(layout: object) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(wbmod, "_render_openpyxl", broken)
    with pytest.raises(RuntimeError):
        write_workbook(project, results, path)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_target_that_is_a_folder(tmp_path: Path, sample) -> None:
    project, results = sample
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(WorkbookError, match="is a folder"):
        write_workbook(project, results, tmp_path / "dir.xlsx")


def test_workbook_reads_back_as_a_partner_table(exported) -> None:
    path, _ = exported
    rows, warnings = read_partner_table(path)
    assert len(rows) == 7
    assert any("Inputs" in w for w in warnings)


def cell_facts(wb: openpyxl.Workbook) -> dict:
    facts = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                cells[c.coordinate] = (
                    c.value,
                    c.data_type,
                    c.number_format,
                    c.quotePrefix,
                    c.font.b,
                    c.alignment.wrap_text,
                )
        facts[ws.title] = (
            cells,
            sorted(str(r) for r in ws.merged_cells.ranges),
            ws.freeze_panes,
            ws.dimensions,
            {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            {k: d.width for k, d in ws.column_dimensions.items() if d.width},
            len(ws._charts),
            ws.print_title_rows,
        )
    return facts


@pytest.mark.skipif(not wbmod.FAST_PATH, reason="openpyxl writes through lxml here")
def test_streamed_cells_match_openpyxl_cells() -> None:
    names = ["<b>Bold & Co</b>", " Padded ", "=1+1", "Line\nbreak", "Amani"]
    project = small_project(names)
    layout = wbmod.layout_workbook(project, solve(project))
    fast = openpyxl.load_workbook(io.BytesIO(wbmod._render_openpyxl(layout, fast=True)))
    standard = openpyxl.load_workbook(io.BytesIO(wbmod._render_openpyxl(layout, fast=False)))
    assert fast.sheetnames == standard.sheetnames
    assert cell_facts(fast) == cell_facts(standard)
    assert fast["Summary"]["A6"].value == "<b>Bold & Co</b>"
    assert fast["Summary"]["A7"].value == " Padded "


def test_left_out_partners_and_sheet_names_that_match_fixed_sheets(tmp_path: Path) -> None:
    names = ["Lead", "Partners", "Inputs", "Summary"]
    project = small_project(names, (Scenario(name="Without Partners", excluded=("p1",)),))
    path = tmp_path / "left.xlsx"
    write_workbook(project, solve(project), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Summary", "Lead", "Partners", "Inputs (2)", "Summary (2)", "Scenarios", "Inputs", "Method"
    ]  # fmt: skip
    assert wb["Partners"]["A5"].value == "Left out of this scenario: no grant."
    summary = wb["Summary"]
    assert summary["A7"].value == "Partners"
    why = [c.value for c in summary[5]].index("What limits it") + 1
    assert summary.cell(7, why).value == "it is left out of this scenario"
    left_out = wb["Scenarios"]["C7"]  # receives 0, shown as the words
    assert left_out.value == 0 and left_out.number_format.endswith(';"left out"')
    imported, _ = import_partners(path, None)
    assert [p.name for p in imported.partners] == names


# ---------------------------------------------------------------------------------
# What a new user ran into
# ---------------------------------------------------------------------------------


def summary_columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[5] if isinstance(c.value, str)}


def test_summary_marks_the_lead(exported, sample) -> None:
    path, _ = exported
    _, results = sample
    ws = openpyxl.load_workbook(path)["Summary"]
    lead_col = summary_columns(ws)["Lead"]
    marks = {ws.cell(6 + k, 1).value: ws.cell(6 + k, lead_col).value for k in range(7)}
    leads = [name for name, mark in marks.items() if mark == "yes"]
    assert leads == [p.name for p in results[2].partners if p.lead] == ["Riverside Women's Network"]
    assert set(marks.values()) == {"yes", "no"}


def test_need_is_explained_with_the_partners_own_figures(exported, sample) -> None:
    path, _ = exported
    project, results = sample
    amani = next(p for p in results[2].partners if p.id == "amani")
    ws = openpyxl.load_workbook(path)["Amani Collective"]
    labels = [str(c.value) for c in ws["A"]]
    row = next(i for i, v in enumerate(labels, start=1) if v.startswith("Need (n)"))
    assert ws.cell(row, 2).value == pytest.approx(amani.need)
    words = ws.cell(row, 3).value
    # capacity 180,000, d 0.85, b 0.3, weights 1 and 0.5: n = 180,000 × 2.2
    assert "n = its capacity, 180,000, × (1 + 1 × 0.85 + 0.5 × (1 − 0.3)) = 180,000 × 2.2" in words
    total = sum(p.need for p in results[2].partners if p.included)
    assert f"{amani.need:,.0f} ÷ {total:,.0f}, the total need of the 7 partners" in words
    assert ws.row_dimensions[row].height >= 45  # the explanation wraps and shows whole
    assert ws.page_setup.fitToHeight == 1  # and the sheet still prints on one page


def test_core_share_in_inputs_method_and_need(sample, tmp_path: Path) -> None:
    project, _ = sample
    project = project.with_scenario(1, core_share=0.25)
    results = solve(project)
    path = tmp_path / "core.xlsx"
    write_workbook(project, results, path, scenario=results[1].name)
    wb = openpyxl.load_workbook(path)
    inputs = wb["Inputs"]
    row = next(
        r for r in range(1, inputs.max_row + 1)
        if str(inputs.cell(r, 12).value).startswith("Core share")
    )  # fmt: skip
    shares = [inputs.cell(row, 13 + j).value for j in range(len(project.scenarios))]
    assert shares == [s.core_share for s in project.scenarios] and shares[1] == 0.25
    assert not any(
        inputs.cell(r, 12).value == "Rule" for r in range(1, inputs.max_row + 1)
    )  # retired
    method = "\n".join(str(c.value) for c in wb["Method"]["B"] if c.value)
    assert "the core share is 25%: 25% of D is shared equally and 75% by need" in method
    sheet = wb["Amani Collective"]
    memo = next(str(c.value) for c in sheet["C"] if "fair share of each year" in str(c.value))
    assert "(25.0% ÷ 7 + 75.0% × " in memo and "an equal core grant for each" in memo


def test_heading_percentages_are_the_measures(exported, sample) -> None:
    # the heading once said 30% where the measures said 29.9%
    path, _ = exported
    project, results = sample
    for result in results:
        if not result.ok:
            continue
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, result.name)))
        ws = wb["Summary"]
        heading = ws["B3"].value
        shown = {
            pct(getattr(result.metrics, attr))
            for _, attr, style in wbmod.MEASURES
            if style == "percent"
        }
        for figure in re.findall(r"\d+(?:\.\d+)?%", heading):
            assert figure in shown, (result.name, figure, heading)
        # and each percentage measure cell shows one decimal, as text.pct writes it
        labels = [c.value for c in ws["A"]]
        first = labels.index("Measures of the split") + 2
        for k, (_, _, style) in enumerate(wbmod.MEASURES):
            if style == "percent":
                assert ws.cell(first + k, 2).number_format == "0.0%"


def test_size_proportional_scenario_fair_shares_are_the_size_proportional_split(
    sample,
) -> None:
    # in the size-proportional scenario fair share and size-proportional split once
    # differed by one unit for a partner; the workbook shows the engine's figures
    project, results = sample
    bigger = results[0]
    assert bigger.name.startswith("Bigger slice")
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, bigger.name)))[
        "Summary"
    ]
    cols = summary_columns(ws)
    for k, p in enumerate(bigger.partners):
        fair = ws.cell(6 + k, cols["Fair share"]).value
        size = ws.cell(6 + k, cols["Size-proportional split"]).value
        assert size == sum(p.size_proportional)
        assert fair == size, p.name


def test_results_are_only_read_and_status_is_compared_by_value(sample) -> None:
    project, results = sample
    before = [json.dumps(r.to_json(), sort_keys=True, default=str) for r in results]
    wbmod.layout_workbook(project, results)
    assert [json.dumps(r.to_json(), sort_keys=True, default=str) for r in results] == before

    assert all(isinstance(r.status, Status) for r in results)
    as_text = [dataclasses.replace(r, status=Status(r.status).value) for r in results]
    for given in (results, as_text):  # the enum, or the same values as plain text
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, given)))
        statuses = [c.value for c in wb["Scenarios"][5]][2:]
        assert statuses == ["solved"] * len(results)


def test_suggested_changes_are_named_in_words(tmp_path: Path) -> None:
    project = small_project(["Lead", "Small", "Other"], (Scenario(name="Impossible"),))
    project = project.with_partner(1, floor=150000.0, capacity=200000.0)
    project = project.with_partner(2, floor=150000.0, capacity=200000.0)
    (result,) = solve(project)
    assert not result.ok and result.relaxations
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, [result])))
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    texts = [t for t in texts if isinstance(t, str)]
    assert not any(re.search(r"\w\[\d+\]", t) for t in texts), [
        t for t in texts if re.search(r"\w\[\d+\]", t)
    ]
    assert "Small's floor" in texts and "Other's floor" in texts
    summary = wb["Summary"]
    row = [c.value for c in summary["A"]].index("Small's floor") + 1
    assert summary.cell(row, 2).number_format == summary.cell(row, 3).number_format == "£#,##0"
    alternative = money(result.budget_alternative, "GBP")
    assert any(f"a total grant of {alternative} over 2027-2028" in t for t in texts)
    if result.after_relaxations_zero:
        assert any(t.startswith("After these changes, nothing in a year for: ") for t in texts)


def test_a_new_file_gets_the_permissions_of_the_umask_read_once(tmp_path: Path, sample) -> None:
    project, results = sample
    path = tmp_path / "new.xlsx"
    write_workbook(project, results, path)
    assert stat.S_IMODE(path.stat().st_mode) == atomic.new_file_mode()


# ---------------------------------------------------------------------------------
# The Scenarios sheet against a baseline, and the Sweep sheet
# ---------------------------------------------------------------------------------

_REF = r"\$?([A-Z]+)\$?(\d+)"


def _cell(ws, ref: tuple[str, str]):
    value = ws[f"{ref[0]}{ref[1]}"].value
    if isinstance(value, str) and value.startswith("="):
        return evaluate(ws, value)
    return value


def evaluate(ws, formula: str):
    """The value of one of the Scenarios sheet's formulas, worked out from the cells it reads.

    Only the three shapes the sheet writes are known; any other formula fails the test.
    """
    body = formula[1:]
    if m := re.fullmatch(rf"{_REF}-{_REF}", body):
        return _cell(ws, m.group(1, 2)) - _cell(ws, m.group(3, 4))
    if m := re.fullmatch(rf'IF\({_REF}<>0,{_REF}/{_REF},""\)', body):
        base = _cell(ws, m.group(1, 2))
        assert m.group(1, 2) == m.group(5, 6)
        return _cell(ws, m.group(3, 4)) / base if base != 0 else None
    if m := re.fullmatch(rf"SUM\({_REF}:{_REF}\)", body):
        (col, r0), (col2, r1) = m.group(1, 2), m.group(3, 4)
        assert col == col2
        values = [_cell(ws, (col, str(r))) for r in range(int(r0), int(r1) + 1)]
        return sum(v for v in values if isinstance(v, (int, float)))
    raise AssertionError(f"a formula the sheet should not hold: {formula}")


def rows_by_label(ws) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for cell in ws["A"]:
        if isinstance(cell.value, str):
            out.setdefault(cell.value, []).append(cell.row)
    return out


def compare_json(path: Path, baseline: str | None, capsys: pytest.CaptureFixture) -> dict:
    """What `fairshare compare --baseline NAME --json` prints."""
    from allocator import cli

    argv = ["compare", str(path), "--json"] + ([] if baseline is None else ["--baseline", baseline])
    capsys.readouterr()
    assert cli.main(argv) == 0
    return json.loads(capsys.readouterr().out)


def check_scenarios_sheet(ws, data: dict) -> None:
    """The Scenarios sheet holds the comparison ``data`` (the JSON of compare): every figure."""
    names = [s["name"] for s in data["scenarios"]]
    n = len(data["partners"])
    assert [ws.cell(4, 3 + j).value for j in range(len(names))] == names
    labels = rows_by_label(ws)
    first = labels[data["partners"][0]["name"]][0]
    change = labels["Change against the baseline (fee included)"][0] + 1
    percent = labels["Change against the baseline (%)"][0] + 1
    own_base = [
        r for label, rs in labels.items() if label.startswith("The baseline for") for r in rs
    ]
    for j, s in enumerate(data["scenarios"]):
        col = 3 + j
        letter = openpyxl.utils.get_column_letter(col)
        for k, p in enumerate(s["partners"]):
            assert ws.cell(first + k, 1).value == p["name"]
            assert ws.cell(first + k, col).value == p["received"], (s["name"], p["name"])
            formula = ws.cell(change + k, col).value
            if own_base:  # each scenario measured from its own baseline rows
                assert formula == f"={letter}{first + k}-{letter}{own_base[0] + 1 + k}"
            else:
                assert formula == f"={letter}{first + k}-$B{first + k}"
            assert evaluate(ws, formula) == p["change"]
            formula = ws.cell(percent + k, col).value
            assert f"{letter}{change + k}/" in formula
            if p["relative_change"] is None:
                assert evaluate(ws, formula) is None
            else:
                assert evaluate(ws, formula) == pytest.approx(p["relative_change"], rel=1e-12)
        assert ws.cell(first + n + 1, col).value == s["fee"]
        measures = labels["Measures of the split"][0] + 1
        changes = (
            labels["Change in the measures against the baseline (shares in percentage points)"][0]
            + 1
        )
        for i, (_, key, _) in enumerate(wbmod.MEASURES):
            assert ws.cell(measures + i, col).value == pytest.approx(s["measures"][key], rel=1e-12)
            formula = ws.cell(changes + i, col).value
            assert formula.startswith(f"={letter}{measures + i}-")
            got = evaluate(ws, formula)
            assert got == pytest.approx(s["measure_changes"][key], rel=1e-9, abs=1e-12), key
    if not own_base:
        assert [ws.cell(first + k, 2).value for k in range(n)] == data["baseline"]["received"]
    settings = labels["Settings that differ between the scenarios"][0] + 1
    for i, d in enumerate(data["parameters"]):
        assert ws.cell(settings + i, 1).value == d["label"]
        for j, (value, shown) in enumerate(zip(d["values"], d["shown"], strict=True)):
            cell = ws.cell(settings + i, 3 + j).value
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            assert cell == (value if numeric else shown), (d["path"], j)


@pytest.mark.parametrize(
    ("baseline", "heading", "column"),
    [
        (None, "against the size-proportional split (bigger slice)", "size-proportional split"),
        (
            "Size-proportional",
            "against the size-proportional split (bigger slice)",
            "size-proportional split",
        ),
        ("needs-weighted", "against the scenario 'Needs-weighted'", "Needs-weighted"),
        (
            "NEEDS-WEIGHTED, 30% ring-fence, 10% fee",
            "against the scenario 'Needs-weighted, 30% ring-fence, 10% fee'",
            "Needs-weighted, 30% ring-fence, 10% fee",
        ),
    ],
)
def test_scenarios_sheet_holds_the_compare_command_s_comparison(
    sample,
    capsys: pytest.CaptureFixture,
    baseline: str | None,
    heading: str,
    column: str,
) -> None:
    project, results = sample
    data = compare_json(SAMPLE, baseline, capsys)
    assert data == json.loads(json.dumps(compare_to_baseline(project, results, baseline).to_json()))
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, baseline=baseline)))
    ws = wb["Scenarios"]
    assert ws["A1"].value.endswith(heading)
    assert ws["B4"].value == f"Baseline: {column}"
    check_scenarios_sheet(ws, data)
    # the Method sheet states what the changes are measured from
    method = [c.value for c in wb["Method"]["A"]]
    row = method.index("The baseline on the Scenarios sheet") + 1
    words = wb["Method"].cell(row, 2).value
    if data["baseline"]["kind"] == "scenario":
        assert words.startswith(f"The scenario '{column}'")
    else:
        assert "size-proportional split described above" in words
        assert "The comparison: the size-proportional split (the bigger slice)" in method


def test_scenario_that_leaves_partners_out_has_its_own_baseline(capsys, tmp_path: Path) -> None:
    from allocator.formats.files import save_project

    project = small_project(
        ["Lead", "Small", "Other", "Fourth"],
        (Scenario(name="Everyone"), Scenario(name="Without Small", excluded=("p1",))),
    )
    results = solve(project)
    comparison = compare_to_baseline(project, results)
    assert comparison.scenarios[1].partners[0].baseline != comparison.baseline_received[0]
    path = tmp_path / "left.fairshare"
    save_project(project, path)
    data = compare_json(path, None, capsys)
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results)))["Scenarios"]
    labels = rows_by_label(ws)
    assert any(label.startswith("The baseline for each scenario") for label in labels)
    assert ws["B6"].value is None  # no one column can hold both scenarios' baselines
    left_out = ws.cell(7, 4)
    assert left_out.value == 0 and left_out.number_format.endswith('"left out"')
    check_scenarios_sheet(ws, data)


def test_a_baseline_that_cannot_be_met_shows_no_changes() -> None:
    names = ["Lead", "Small", "Other"]
    project = small_project(names, (Scenario(name="Fine"), Scenario(name="Impossible")))
    project = project.with_scenario(1, needs_floor=1.0, ring_fence=0.9)
    results = solve(project)
    assert results[0].ok and not results[1].ok
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, baseline="impossible")))
    ws = wb["Scenarios"]
    assert ws["A1"].value.endswith("against the scenario 'Impossible'")
    assert ws["B5"].value == "cannot be met"
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("has no split" in t and "no changes to show" in t for t in texts)
    assert not any(t.startswith("Change against") for t in texts)
    formulas = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert all(f.startswith("=SUM(") for f in formulas)
    assert ws["C7"].value == results[0].partners[0].received  # under the status rows


def test_an_unknown_baseline_is_refused_naming_the_scenarios(sample) -> None:
    project, results = sample
    with pytest.raises(ValidationError) as e:
        workbook_bytes(project, results, baseline="Nope")
    path, message = e.value.problems[0]
    assert path == "baseline"
    for s in project.scenarios:
        assert repr(s.name) in message
    assert "'size-proportional'" in message


def test_export_command_takes_a_baseline(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from allocator import cli

    out = tmp_path / "budget.xlsx"
    assert cli.main(["export", str(SAMPLE), str(out), "--baseline", "needs-weighted"]) == 0
    said = capsys.readouterr().out
    assert "compares every scenario against the scenario 'Needs-weighted'" in said
    ws = openpyxl.load_workbook(out)["Scenarios"]
    assert ws["A1"].value == "Scenarios side by side, against the scenario 'Needs-weighted'"
    assert ws["B4"].value == "Baseline: Needs-weighted"
    project = load_project(SAMPLE)
    check_scenarios_sheet(ws, compare_json(SAMPLE, "Needs-weighted", capsys))

    wrong = tmp_path / "wrong.xlsx"
    assert cli.main(["export", str(SAMPLE), str(wrong), "--baseline", "Nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fairshare: --baseline: no scenario called 'Nope'")
    for s in project.scenarios:
        assert f"'{s.name}'" in err
    assert "'size-proportional'" in err and "Traceback" not in err
    assert not wrong.exists()


def test_sweep_sheet_is_the_sweep_table_with_a_line_chart(sample) -> None:
    project, results = sample
    swept = sweep(project, "Needs-weighted, 30% ring-fence, 10% fee", "ring_fence", 0, 0.9, 7)
    assert any(not s.ok for s in swept.steps) and any(s.ok for s in swept.steps)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, sweep=swept)))
    assert wb.sheetnames[-4:] == ["Scenarios", "Sweep", "Inputs", "Method"]
    ws = wb["Sweep"]
    assert ws["A1"].value == "Sweep: ring-fence from 0.0% to 90.0%"
    expected = swept.to_csv_rows()
    width = len(expected[0])
    got = [[ws.cell(4 + i, 1 + c).value for c in range(width)] for i in range(len(expected))]
    for want, row in zip(expected, got, strict=True):
        for w, g in zip(want, row, strict=True):
            if w is None or w == "":
                assert g is None
            elif isinstance(w, float):
                assert g == pytest.approx(w, rel=1e-15)
            elif w in STATUS_TEXT:  # a status, in words
                assert g == status_text(w)
            else:
                assert g == w
    assert all(ws.cell(4 + len(expected), 1 + c).value is None for c in range(width))
    assert ws["A5"].number_format == "0.0%"  # a share reads as a percentage
    (chart,) = ws._charts
    assert type(chart).__name__ == "ScatterChart"
    assert [s.tx.v for s in chart.series] == [p.name for p in project.partners]
    last = 4 + len(swept.steps)
    for i, series in enumerate(chart.series):
        assert series.xVal.numRef.f == f"'Sweep'!$A$5:$A${last}"
        column = openpyxl.utils.get_column_letter(9 + i)
        assert series.yVal.numRef.f == f"'Sweep'!${column}$5:${column}${last}"
    assert chart.x_axis.scaling.min == 0 and chart.x_axis.scaling.max == 0.9
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    for event in swept.events:
        assert event.words in texts
    # without a sweep there is no Sweep sheet, and a partner may be called Sweep
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results)))
    assert "Sweep" not in wb.sheetnames


def test_text_is_never_a_formula_on_the_comparison_and_sweep_sheets() -> None:
    names = [*NASTY, "Sweep"]
    project = small_project(
        names, (Scenario(name="=1+1", management_fee=0.05), Scenario(name="@SUM(1)"))
    )
    results = solve(project)
    swept = sweep(project, "=1+1", "management_fee", 0, 0.2, 3)
    data = workbook_bytes(project, results, baseline="=1+1", sweep=swept)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert "Sweep (2)" in wb.sheetnames and "Sweep" in wb.sheetnames
    assert wb["Scenarios"]["B4"].value == "Baseline: =1+1"
    allowed = re.compile(r"=(\$?[A-Z]+\$?\d+[-/:,]?|SUM\(|IF\(|<>0,|\)|\+|\"\"|,)+")
    for title in ("Scenarios", "Sweep"):
        ws = wb[title]
        seen = set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in names or cell.value in ("=1+1", "@SUM(1)", "Baseline: =1+1"):
                    assert cell.data_type == "s" and cell.quotePrefix is True, cell.coordinate
                    seen.add(cell.value)
                if cell.data_type == "f":
                    assert allowed.fullmatch(cell.value), (title, cell.coordinate, cell.value)
        assert set(NASTY) <= seen, title
    # chart series names are plain values, never formulas
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member in zf.namelist():
            if member.startswith("xl/charts/"):
                xml = zf.read(member).decode()
                assert "HYPERLINK" not in "".join(re.findall(r"<c:f>.*?</c:f>", xml))
