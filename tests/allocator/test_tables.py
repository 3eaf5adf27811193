"""Importing partner tables: the template, the forms people type, and hostile files."""

from __future__ import annotations

import io
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from allocator.domain.model import (
    Budget,
    Partner,
    Project,
    Scenario,
    ValidationError,
    project_from_dict,
    project_to_dict,
)
from allocator.errors import TableError
from allocator.formats import tables
from allocator.formats.tables import import_partners, read_partner_table

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
HEADER = "Name,Capacity,Multiple disadvantage,Back-office capacity"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [f"{p}: {m}" if p else m for p, m in excinfo.value.problems]


def existing_project(**scenario: object) -> Project:
    return Project(
        name="Existing",
        currency="GBP",
        start_year=2027,
        year_count=2,
        budget=Budget(first_year=500000),
        partners=(
            Partner(
                id="amani",
                name="Amani Collective",
                capacity=180000,
                multiple_disadvantage=0.85,
                back_office_capacity=0.3,
                reach=900,
            ),
        ),
        scenarios=(Scenario(name="Base", **scenario),),
    )


# ---------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["partners_template.csv", "partners_template.xlsx"])
def test_template_imports_into_a_new_project_that_validates(name: str) -> None:
    project, warnings = import_partners(RESOURCES / name, None, project_name="Test bid")
    assert project.name == "Test bid"
    assert [p.name for p in project.partners] == [r["name"] for r in tables.EXAMPLE_ROWS]
    lead, small = project.partners
    assert lead.lead and not lead.by_and_for and lead.capacity == 300000
    assert small.by_and_for and small.floor == 30000 and small.multiple_disadvantage == 0.85
    assert small.reach == 450 and small.back_office_capacity == 0.3
    assert lead.id == "harbourside-womens-centre" and small.id == "kinara-sisters-collective"
    # the project survives a save/load cycle: every rule of the model holds
    assert project_from_dict(project_to_dict(project)) == project
    assert project.budget.first_year is None  # the grant is for the person to enter
    assert any("enter the grant" in w for w in warnings)


def test_template_files_match_what_write_template_produces(tmp_path: Path) -> None:
    tables.write_template(tmp_path / "t.xlsx")
    tables.write_template_csv(tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == (RESOURCES / "partners_template.csv").read_bytes()
    fresh = openpyxl.load_workbook(tmp_path / "t.xlsx")
    committed = openpyxl.load_workbook(RESOURCES / "partners_template.xlsx")
    assert fresh.sheetnames == committed.sheetnames == ["Partners", "About the columns"]
    rows = lambda wb: [list(r) for r in wb["Partners"].iter_rows(values_only=True)]  # noqa: E731
    assert rows(fresh) == rows(committed)
    about = [r[0] for r in committed["About the columns"].iter_rows(min_row=2, values_only=True)]
    assert all(c.label in about for c in tables.COLUMNS)


def test_csv_and_xlsx_templates_hold_the_same_rows() -> None:
    csv_rows, _ = read_partner_table(RESOURCES / "partners_template.csv")
    xlsx_rows, _ = read_partner_table(RESOURCES / "partners_template.xlsx")
    assert csv_rows == xlsx_rows
    assert len(csv_rows) == 2


# ---------------------------------------------------------------------------------
# Headers, encodings and number forms
# ---------------------------------------------------------------------------------


def test_aliases_and_header_case(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "ORGANISATION,Max grant,People served,BY AND FOR,Lead partner,"
        "Multiple disadvantage (0-1),Back office,Capacity (£ per year) notes\n"
        "Amani Collective,180000,900,yes,no,0.85,0.3,ignored\n",
    )
    rows, warnings = read_partner_table(path)
    assert rows == [
        {
            "name": "Amani Collective",
            "capacity": 180000.0,
            "reach": 900.0,
            "by_and_for": True,
            "lead": False,
            "multiple_disadvantage": 0.85,
            "back_office_capacity": 0.3,
        }
    ]
    assert any("Capacity (£ per year) notes" in w and "ignored" in w for w in warnings)


def test_capacity_alias_with_currency_in_brackets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "Partner name,Capacity (£ per year),Multiple disadvantage,Back-office capacity\n"
        "A,1000,0.5,0.5\n",
    )
    rows, _ = read_partner_table(path)
    assert rows[0]["capacity"] == 1000


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\nCafé Voix,£1,0.5,0.5\n".encode())
    rows, _ = read_partner_table(path)
    assert rows[0]["name"] == "Café Voix"


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f'{HEADER}\nCafé Voix,"£1,200",0.5,0.5\n', "cp1252")
    rows, warnings = read_partner_table(path)
    assert rows[0]["name"] == "Café Voix"
    assert rows[0]["capacity"] == 1200
    assert any("Windows-1252" in w for w in warnings)


def test_semicolons_with_decimal_commas(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "Name;Capacity;Floor;Multiple disadvantage;Back-office capacity\n"
        "Deux;1.200,50;1.000;0,8;30%\n"
        "Trois;€90.000;0;0,25;0,5\n",
    )
    rows, _ = read_partner_table(path)
    assert rows[0]["capacity"] == 1200.5
    assert rows[0]["floor"] == 1000
    assert rows[0]["multiple_disadvantage"] == 0.8
    assert rows[0]["back_office_capacity"] == pytest.approx(0.3)
    assert rows[1]["capacity"] == 90000


def test_tab_separated(tmp_path: Path) -> None:
    path = write(tmp_path, "p.tsv", HEADER.replace(",", "\t") + "\nA\t1200\t0.5\t0.5\n")
    rows, _ = read_partner_table(path)
    assert rows[0]["capacity"] == 1200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"£1,200"', 1200),
        ("1200.50", 1200.5),
        ("£ 120 000", 120000),
        ('"1,200,000"', 1200000),
        ("GBP 5000", 5000),
        ("5000 EUR", 5000),
        ("$75", 75),
    ],
)
def test_money_forms(tmp_path: Path, text: str, expected: float) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER}\nA,{text},0.5,0.5\n")
    rows, _ = read_partner_table(path)
    assert rows[0]["capacity"] == expected


def test_percent_scores(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER}\nA,100,12%,85 %\n")
    rows, _ = read_partner_table(path)
    assert rows[0]["multiple_disadvantage"] == pytest.approx(0.12)
    assert rows[0]["back_office_capacity"] == pytest.approx(0.85)


def test_currency_of_a_new_project_follows_the_symbols(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER}\nA,€100,0.5,0.5\nB,€200,0.5,0.5\n")
    project, _ = import_partners(path, None)
    assert project.currency == "EUR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), ("", False),
     ("no", False), ("n", False), ("False", False), ("0", False)],
)  # fmt: skip
def test_booleans(tmp_path: Path, text: str, expected: bool) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER},By and for\nA,100,0.5,0.5,{text}\n")
    rows, _ = read_partner_table(path)
    assert rows[0]["by_and_for"] is expected


def test_blank_rows_and_a_title_line_are_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        f"Our partners 2027,,,\n,,,\n{HEADER}\n\nA,100,0.5,0.5\n,,,\n \nB,200,0.5,0.5\n",
    )
    rows, _ = read_partner_table(path)
    assert [r["name"] for r in rows] == ["A", "B"]


def test_formula_like_names_stay_text(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f'{HEADER}\n"=HYPERLINK(""http://x"",""y"")",100,0.5,0.5\n')
    rows, _ = read_partner_table(path)
    assert rows[0]["name"] == '=HYPERLINK("http://x","y")'


def test_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER},Notes\nA\x07mani,100,0.5,0.5,line one\x00\n")
    rows, warnings = read_partner_table(path)
    assert rows[0]["name"] == "Amani"
    assert rows[0]["notes"] == "line one"
    assert any("control character" in w for w in warnings)


# ---------------------------------------------------------------------------------
# Messages that name row and column
# ---------------------------------------------------------------------------------


def test_bad_cell_names_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "Name,Capacity,Multiple disadvantage,Back-office capacity\n"
        "A,100,0.5,0.5\nB,200,0.5,0.5\nC,lots,0.5,0.5\n",
    )
    with pytest.raises(ValidationError) as e:
        read_partner_table(path)
    assert problems(e) == [
        "row 4, column Capacity: must be an amount such as 120000, 120,000, £120k or 1.2m, "
        "got 'lots'"
    ]


def test_every_bad_cell_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "Name,Capacity,Floor,Multiple disadvantage,Back-office capacity,Lead\n"
        "A,0,0,85,0.5,maybe\n"
        ",100,200,,0.5,no\n",
    )
    with pytest.raises(ValidationError) as e:
        read_partner_table(path)
    got = problems(e)
    assert "row 2, column Capacity: must be greater than 0, got 0" in got
    assert any(
        m.startswith("row 2, column Multiple disadvantage: must be at most 1, got 85")
        and "enter 0.85" in m
        for m in got
    )
    assert "row 2, column Lead: must be yes or no, got text 'maybe'" in got
    assert not any("column Multiple disadvantage: is blank" in m for m in got)  # stays blank
    assert "row 3, column Name: is blank: enter the name" in got
    assert any(m.startswith("row 3, column Floor: must not be above the capacity") for m in got)


def test_missing_columns_and_missing_header(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "Name,Capacity\nA,100\n")
    with pytest.raises(ValidationError) as e:
        read_partner_table(path)
    text = str(e.value)
    assert "no Multiple disadvantage (0-1) column" in text
    assert "no Back-office capacity (0-1) column" in text

    path = write(tmp_path, "q.csv", "foo,bar\n1,2\n")
    with pytest.raises(ValidationError, match="no header row found"):
        read_partner_table(path)


def test_header_without_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", HEADER + "\n")
    with pytest.raises(ValidationError, match="no partner rows"):
        read_partner_table(path)


def test_every_problem_in_one_round_repeated_rows_with_bad_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "ID,Name,Capacity,Multiple disadvantage,Back-office capacity\n"
        "AMANI,Someone else,100,0.5,0.5\n"
        ",amani collective,lots,0.5,0.5\n"
        "x1,New One,100,0.5,0.5\n"
        "x1,newone ,100,1.5,0.5\n",
    )
    project = existing_project()
    with pytest.raises(ValidationError) as e:
        import_partners(path, project)
    got = problems(e)
    # bad cells, repeated rows and ids already taken, together and in row order
    assert [m.split(":")[0] for m in got] == [
        "row 2, column ID",
        "row 3, column Capacity",
        "row 5, column ID",
        "row 5, column Name",
        "row 5, column Multiple disadvantage",
    ]
    assert got[0].startswith("row 2, column ID: 'AMANI' is already the id of 'Amani Collective'")
    assert "row 5, column ID: 'x1' is also the id on row 4" in got
    assert "row 5, column Name: 'newone' is also on row 4" in got  # case and spaces ignored
    preview = tables.preview_import(path, project)
    assert not preview.ok and preview.project is None
    assert [(r.row, r.action) for r in preview.plan] == [
        (2, "add"),
        (3, "update"),
        (4, "add"),
        (5, "add"),
    ]


def test_a_partner_already_in_the_project_is_updated_field_by_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        f"{HEADER},People served,Notes\n"
        "  AMANI collective ,200000,0.85,,,Renewed\n"
        "New One,100,0.5,0.5,10,\n",
    )
    project = existing_project()
    before = project_to_dict(project)
    preview = tables.preview_import(path, project)
    assert project_to_dict(project) == before  # nothing changes until applied
    assert preview.ok
    update, add = preview.plan
    assert (update.action, update.outcome, update.match) == (
        "update",
        "updated",
        project.partners[0],
    )
    changed = {c.field: (c.old, c.new) for c in update.changes}
    assert changed == {"capacity": (180000, 200000.0), "notes": ("", "Renewed")}
    # the name was matched ignoring case and spaces: the project's spelling stays
    assert preview.project.partners[0].name == "Amani Collective"
    # a blank score on an updated row keeps the project's: nothing to warn about
    assert not any("blank on row 2" in w for w in preview.warnings)
    # blank cells keep what the project has: the back-office score and the reach
    amani = preview.project.partners[0]
    assert amani.id == "amani" and amani.back_office_capacity == 0.3 and amani.reach == 900
    assert amani == update.partner
    assert (add.outcome, add.partner) == ("added", preview.project.partners[1])
    assert preview.partners == (add.partner,) and preview.rows == (3,)
    capacity = next(c for c in update.changes if c.field == "capacity")
    assert capacity.text() == "Capacity (per year) from 180,000 to 200,000"
    assert [r.row for r in preview.with_outcome("updated")] == [2]
    assert import_partners(path, project) == (preview.project, list(preview.warnings))


def test_an_update_of_a_score_makes_it_typed(tmp_path: Path) -> None:
    from allocator.domain.edits import set_needs_answers, use_questionnaire_score

    project = existing_project()
    project = set_needs_answers(project, 0, {"cs_racism": "most"})
    project = use_questionnaire_score(project, 0, "multiple_disadvantage")
    assert project.partners[0].source("multiple_disadvantage") == "questionnaire"
    path = write(tmp_path, "p.csv", f"{HEADER}\nAmani Collective,180000,0.5,0.3\n")
    updated, _ = import_partners(path, project)
    amani = updated.partners[0]
    assert amani.multiple_disadvantage == 0.5
    assert amani.source("multiple_disadvantage") == "typed"
    assert amani.needs_answers == {"cs_racism": "most"}  # the answers are kept


def test_rows_can_be_skipped_or_added_as_new_instead(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER}\nAmani Collective,lots,0.5,0.5\nTwo,90,0.4,0.6\n")
    project = existing_project()
    # the bad cell is on a row that is skipped: it is not read, so not a problem
    skipped = tables.preview_import(path, project, on_match=tables.SKIP)
    assert skipped.ok
    assert [(r.row, r.outcome) for r in skipped.plan] == [(2, "skipped"), (3, "added")]
    assert skipped.project is not None
    assert skipped.project.partners[0] == project.partners[0]
    assert [p.name for p in skipped.project.partners] == ["Amani Collective", "Two"]
    # the same choice row by row; and a matched row added as a new partner
    path.write_text(f"{HEADER}\nAmani Collective,100,0.5,0.5\nTwo,90,0.4,0.6\n")
    chosen = tables.preview_import(path, project, choices={2: tables.ADD, 3: tables.SKIP})
    assert chosen.ok and chosen.project is not None
    assert [p.id for p in chosen.project.partners] == ["amani", "amani-collective"]
    assert chosen.plan[0].actions == tables.ACTIONS and chosen.plan[1].actions == ("add", "skip")
    # importing the same table again changes nothing
    once, _ = import_partners(path, project)
    again = tables.preview_import(path, once)
    assert [r.outcome for r in again.plan] == ["unchanged", "unchanged"]
    assert again.project == once


def test_an_id_that_is_not_the_matched_partners_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"ID,{HEADER}\nother,Amani Collective,100,0.5,0.5\n")
    preview = tables.preview_import(path, existing_project())
    assert [(p.row, p.column) for p in preview.problems] == [(2, "ID")]
    assert "which is 'amani'" in preview.problems[0].message
    path.write_text(f"ID,{HEADER}\nAMANI,Amani Collective,100,0.5,0.5\n")
    assert tables.preview_import(path, existing_project()).ok


def test_import_into_an_existing_project_adds_partners_with_unique_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        f"{HEADER},People served\nAmani,100,0.5,0.5,10\nAmani!,100,0.5,0.5,20\n",
    )
    project = existing_project()
    before = project_to_dict(project)
    updated, warnings = import_partners(path, project)
    assert project_to_dict(project) == before  # the original is untouched
    assert [p.id for p in updated.partners] == ["amani", "amani-2", "amani-3"]
    assert updated.partners[0] == project.partners[0]
    assert updated.scenarios == project.scenarios
    assert not any("added" in w for w in warnings)  # a count is not a warning


def test_project_rules_are_reported_on_the_imported_row(tmp_path: Path) -> None:
    # a state a person passes through while filling a project in: imported, and said
    path = write(tmp_path, "p.csv", f"{HEADER},People served\nNew,100,0.5,0.5,\n")
    project = existing_project(basis="reach")
    updated, warnings = import_partners(path, project)
    assert updated.partners[1].reach is None
    assert any(
        w.startswith("row 2, column People served: scenario 'Base' shares by reach")
        for w in warnings
    )


# ---------------------------------------------------------------------------------
# Excel files
# ---------------------------------------------------------------------------------


def xlsx(tmp_path: Path, rows: list[list[object]], name: str = "p.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Partners"
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_xlsx_numbers_text_and_booleans(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            ["ID", "Name", "Lead partner", "By and for", "Capacity", "Multiple disadvantage",
             "Back-office capacity", "Notes"],
            [101, "A", True, "yes", 120000, 0.5, "40%", None],
            [None, None, None, None, None, None, None, None],
            ["b", "B", False, 1, "£90,000", 1, 0, "two\nlines"],
        ],
    )  # fmt: skip
    rows, _ = read_partner_table(path)
    assert rows[0]["id"] == "101" and rows[0]["lead"] is True and rows[0]["by_and_for"] is True
    assert rows[0]["back_office_capacity"] == pytest.approx(0.4)
    assert rows[1]["capacity"] == 90000 and rows[1]["by_and_for"] is True
    assert rows[1]["notes"] == "two\nlines"


def test_xlsx_dates_and_error_values_are_bad_cells(tmp_path: Path) -> None:
    import datetime

    path = xlsx(
        tmp_path,
        [[*HEADER.split(",")], ["A", datetime.datetime(2027, 1, 1), 0.5, 0.5]],
    )
    with pytest.raises(ValidationError, match=r"row 2, column Capacity: must be an amount"):
        read_partner_table(path)


def test_merged_cells_are_filled_from_their_top_left(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Partners for the 2027 bid"
    ws.merge_cells("A1:E1")
    ws.append([*HEADER.split(","), "By and for"])
    ws.append(["A", 100, 0.5, 0.5, "yes"])
    ws.append(["B", 200, 0.5, 0.5, None])
    ws.merge_cells("E3:E4")
    path = tmp_path / "m.xlsx"
    wb.save(path)
    rows, _ = read_partner_table(path)
    assert [r["by_and_for"] for r in rows] == [True, True]


def test_formula_without_saved_result_is_reported(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [HEADER.split(","), ["A", "=1000*2", 0.5, 0.5]])
    with pytest.raises(ValidationError) as e:
        read_partner_table(path)
    ((where, message),) = e.value.problems
    assert where == "row 2, column Capacity"
    assert message.startswith("cell B2 holds a formula ('=1000*2') with no saved result")


def test_formula_with_saved_result_uses_the_result(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [HEADER.split(","), ["A", "=1000*2", 0.5, 0.5]])
    data = rezip(path, "xl/worksheets/sheet1.xml", lambda x: re.sub(
        rb"<f>1000\*2</f>(<v\s*/>|<v></v>)?", b"<f>1000*2</f><v>2000</v>", x))  # fmt: skip
    path.write_bytes(data)
    rows, _ = read_partner_table(path)
    assert rows[0]["capacity"] == 2000


def test_the_partners_sheet_is_found_among_others(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active["A1"] = "Read me"
    other = wb.create_sheet("Our list")
    other.append(HEADER.split(","))
    other.append(["A", 100, 0.5, 0.5])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    rows, warnings = read_partner_table(path)
    assert rows[0]["name"] == "A"
    assert any("Our list" in w for w in warnings)


def test_defusedxml_is_in_use() -> None:
    assert openpyxl.DEFUSEDXML is True
    assert tables.XLSX_SAFE is True


def test_xlsx_refused_without_defusedxml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "XLSX_SAFE", False)
    with pytest.raises(ValidationError, match="defusedxml"):
        read_partner_table(RESOURCES / "partners_template.xlsx")


# ---------------------------------------------------------------------------------
# Hostile and broken files
# ---------------------------------------------------------------------------------


def rezip(path: Path, member: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data = change(data)
            dst.writestr(info.filename, data)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>"""


def with_bomb_strings(tmp_path: Path, strings: bytes) -> Path:
    base = xlsx(tmp_path, [HEADER.split(","), ["A", 100, 0.5, 0.5]], "base.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            dst.writestr(info.filename, data)
        dst.writestr("xl/sharedStrings.xml", strings)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(out.getvalue())
    return path


def test_entity_bomb_in_shared_strings_is_refused(tmp_path: Path) -> None:
    path = with_bomb_strings(tmp_path, BILLION_LAUGHS)
    start = time.perf_counter()
    with pytest.raises(ValidationError, match="refused.*entit"):
        read_partner_table(path)
    assert time.perf_counter() - start < 5


def test_entity_bomb_beyond_the_quick_scan_is_refused_by_defusedxml(tmp_path: Path) -> None:
    padded = BILLION_LAUGHS.replace(
        b"<!DOCTYPE", b"<!--" + b" " * (100 * 1024) + b"-->\n<!DOCTYPE", 1
    )
    path = with_bomb_strings(tmp_path, padded)
    with pytest.raises(ValidationError, match="refused.*entit"):
        read_partner_table(path)


def handmade_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already-deflated members: (name, raw deflate data, crc32, size)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        offset = out.tell()
        fname = name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data),
                              size, len(fname), 0))  # fmt: skip
        out.write(fname)
        out.write(data)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc,
                                   len(data), size, len(fname), 0, 0, 0, 0, 0, offset) + fname)  # fmt: skip
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))  # fmt: skip
    return out.getvalue()


def deflated(text: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(text) + c.flush(), zlib.crc32(text), len(text)


def bomb_member(total: int) -> tuple[bytes, int, int]:
    """Deflate data for ``total`` bytes of repetitive sheet XML, built without inflating it.

    One 1 MB chunk is compressed with a full flush (which resets the compressor), so the
    same compressed block can be repeated; the CRC is computed over the repetitions.
    """
    chunk = b"<row><c><v>0</v></c></row>" * (1024 * 1024 // 26)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    count = total // len(chunk)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    return block * count + end, crc, len(chunk) * count


def test_zip_bomb_is_refused_quickly_with_little_memory(tmp_path: Path) -> None:
    types = b'<?xml version="1.0"?><Types xmlns="x"></Types>'
    members = [
        ("[Content_Types].xml", *deflated(types)),
        ("xl/workbook.xml", *deflated(b"<workbook/>")),
        ("xl/worksheets/sheet1.xml", *bomb_member(400 * 1024 * 1024)),
    ]
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(handmade_zip(members))
    assert path.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(path) as zf:  # the archive itself is well formed
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size >= 400 * 1024 * 1024 - 2**20
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValidationError, match="refused"):
            read_partner_table(path)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5.0  # the promise is a refusal within 5 s; it takes well under 1 s
    assert peak < 20 * 1024 * 1024


def test_absurd_compression_ratio_is_refused_below_the_size_limit(tmp_path: Path) -> None:
    members = [
        ("[Content_Types].xml", *deflated(b"<Types/>")),
        ("xl/worksheets/sheet1.xml", *bomb_member(30 * 1024 * 1024)),
    ]
    path = tmp_path / "ratio.xlsx"
    path.write_bytes(handmade_zip(members))
    with pytest.raises(ValidationError, match="inflate .* times"):
        read_partner_table(path)


def test_csv_renamed_xlsx_is_not_a_valid_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "p.xlsx", f"{HEADER}\nA,100,0.5,0.5\n")
    with pytest.raises(ValidationError, match="not a valid workbook"):
        read_partner_table(path)


def test_truncated_xlsx_is_not_a_valid_workbook(tmp_path: Path) -> None:
    data = (RESOURCES / "partners_template.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValidationError, match="not a valid workbook"):
        read_partner_table(path)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError, match="not a valid workbook"):
        read_partner_table(path)


def test_broken_sheet_xml_is_not_a_valid_workbook(tmp_path: Path) -> None:
    base = xlsx(tmp_path, [HEADER.split(","), ["A", 100, 0.5, 0.5]])
    path = tmp_path / "broken.xlsx"
    path.write_bytes(rezip(base, "xl/worksheets/sheet1.xml", lambda x: x[: len(x) // 2]))
    with pytest.raises(ValidationError, match="not a valid workbook"):
        read_partner_table(path)


def test_missing_file_and_old_xls(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        read_partner_table(tmp_path / "nope.csv")
    path = write(tmp_path, "old.xls", "whatever")
    with pytest.raises(ValidationError, match=r"\.xls"):
        read_partner_table(path)


# ---------------------------------------------------------------------------------
# Tables as people send them: split amounts, title lines, blank scores, previews
# ---------------------------------------------------------------------------------


def test_unquoted_thousands_comma_is_refused_not_read_as_90(tmp_path: Path) -> None:
    # "£90,000" without quotes splits into "£90" and "000": once read as capacity 90 and
    # multiple disadvantage 0, a blank need through the back door.
    path = write(tmp_path, "p.csv", f"{HEADER}\nAmani Collective,£90,000,0.85,0.3\n")
    preview = tables.preview_import(path, None)
    assert preview.project is None and preview.partners == ()
    ((problem,),) = [preview.problems]
    assert (problem.row, problem.column) == (2, "Capacity")
    assert "'£90' and then '000'" in problem.message
    assert '"£90,000"' in problem.message and ".xlsx" in problem.message
    with pytest.raises(TableError) as e:
        import_partners(path, None)
    assert e.value.file == str(path)
    assert problems(e)[0].startswith("row 2, column Capacity: reads '£90'")


def test_a_row_with_more_cells_than_the_header_is_refused_naming_the_row(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        # trailing blank cells are fine
        f"{HEADER}\nA,100,0.5,0.5\nB,120,0.5,0.5,0.7\nC,100,0.5,0.5,,,\nD,120,500,0.5,0.5\n",
    )
    with pytest.raises(TableError) as e:
        read_partner_table(path)
    shifted, split = problems(e)
    assert shifted.startswith("row 3: has 5 cells but the header row (row 1) has 4 columns")
    assert "in quotes" in shifted and ".xlsx" in shifted
    assert split.startswith("row 5, column Capacity: reads '120' and then '500' in the next cell")


def test_a_split_amount_is_caught_when_the_row_has_as_many_cells_as_the_header(
    tmp_path: Path,
) -> None:
    # with a Floor column the split row has exactly as many cells as the header: the
    # values shift silently unless the split itself is recognised
    path = write(
        tmp_path,
        "p.csv",
        "Name,Capacity,Floor,Multiple disadvantage,Back-office capacity\n"
        "Deaf Women's Voice,£90,000,0.9,0.25\n"
        "Rainbow Refuge Line,110,000,0.75,0.4\n"
        "Sahara Sisters Project,150000,50000,0.8,0.35\n",
    )
    with pytest.raises(TableError) as e:
        read_partner_table(path)
    got = problems(e)
    assert [m.split(":")[0] for m in got] == ["row 2, column Capacity", "row 3, column Capacity"]


def test_the_error_for_a_shifted_row_names_the_column_that_is_wrong(tmp_path: Path) -> None:
    # the shifted row once reported "column Multiple disadvantage: must be a score from
    # 0 to 1, got '30000'", pointing at a cell that was right
    path = write(
        tmp_path,
        "p.csv",
        "Name,Capacity,Floor,Multiple disadvantage,Back-office capacity\n"
        "Amani Collective,£90,000,30000,0.85,0.3\n",
    )
    with pytest.raises(TableError) as e:
        read_partner_table(path)
    (got,) = problems(e)
    assert got.startswith("row 2, column Capacity: reads '£90' and then '000'")
    assert "Multiple disadvantage" not in got


def test_semicolons_with_a_title_line_above_the_header(tmp_path: Path) -> None:
    for title in ("Partners for the 2027 bid", "Partners, 2027 bid", "Partners; 2027"):
        path = write(
            tmp_path,
            "p.csv",
            f"{title}\n\nName;Capacity;Multiple disadvantage;Back-office capacity\n"
            "Amani Collective;€90.000;0,85;0,3\nSahara;1.200,50;0,8;35%\n",
        )
        rows, _ = read_partner_table(path)
        assert [r["capacity"] for r in rows] == [90000, 1200.5], title
        assert rows[0]["multiple_disadvantage"] == 0.85
        assert rows[1]["back_office_capacity"] == pytest.approx(0.35)


def test_a_table_that_starts_right_of_column_a(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"], ws["E3"], ws["F3"] = HEADER.split(",")
    ws["C4"], ws["D4"], ws["E4"], ws["F4"] = "A", 100, 0.5, 0.5
    ws["C5"], ws["D5"], ws["E5"], ws["F5"] = "B", "lots", 0.5, 0.5
    ws["H5"] = "a note beside the table"
    path = tmp_path / "c.xlsx"
    wb.save(path)
    with pytest.raises(TableError) as e:
        read_partner_table(path)
    (got,) = problems(e)
    assert got.startswith("row 5, column Capacity: must be an amount") and got.endswith("'lots'")
    ws["D5"] = 200
    wb.save(path)
    rows, warnings = read_partner_table(path)
    assert [r["capacity"] for r in rows] == [100, 200]
    assert any("row 5" in w and "right of the table" in w for w in warnings)
    csv_path = write(tmp_path, "c.csv", f",{HEADER}\n,A,100,0.5,0.5\n")
    assert read_partner_table(csv_path)[0][0]["name"] == "A"


def test_blank_scores_stay_blank_never_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER}\nA,100,,0.5\nB,200,0.4,\nC,300,0.5,0.5\n")
    rows, warnings = read_partner_table(path)
    assert rows[0]["multiple_disadvantage"] is None
    assert rows[1]["back_office_capacity"] is None
    assert any(w.startswith("Multiple disadvantage is blank on row 2") for w in warnings)
    assert any(w.startswith("Back-office capacity is blank on row 3") for w in warnings)
    project, _ = import_partners(path, None)
    a, b, c = project.partners
    assert a.multiple_disadvantage is None and b.back_office_capacity is None
    assert c.multiple_disadvantage == 0.5


def test_preview_changes_nothing_and_lists_what_would_be_added(tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.csv", f"Our partners\n{HEADER}\nNew One,100,0.5,0.5\nTwo,90,0.4,0.6\n"
    )
    project = existing_project()
    before = project_to_dict(project)
    preview = tables.preview_import(path, project)
    assert project_to_dict(project) == before
    assert preview.ok and preview.problems == ()
    assert [p.name for p in preview.partners] == ["New One", "Two"]
    assert [p.id for p in preview.partners] == ["new-one", "two"]
    assert preview.rows == (3, 4)
    assert preview.project is not None
    assert preview.project.partners == project.partners + preview.partners
    assert import_partners(path, project) == (preview.project, list(preview.warnings))


def test_preview_reports_problems_by_row_and_column_without_raising(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER},Lead\nA,lots,0.5,0.5,no\nB,100,1.5,0.5,perhaps\n")
    preview = tables.preview_import(path, None)
    assert not preview.ok and preview.partners == ()
    assert [(p.row, p.column) for p in preview.problems] == [
        (2, "Capacity"),
        (3, "Multiple disadvantage"),
        (3, "Lead"),
    ]
    missing = tables.preview_import(tmp_path / "nope.csv", None)
    assert [(p.row, p.column) for p in missing.problems] == [(None, None)]
    assert "no such file" in missing.problems[0].message


def test_project_rules_never_name_a_field_path(tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.csv", f"{HEADER},Lead partner\nNew,100,0.5,0.5,yes\nOther,90,0.5,0.5,yes\n"
    )
    project = existing_project(management_fee=0.1, basis="reach")
    preview = tables.preview_import(path, project)
    assert preview.ok
    said = [w for w in preview.warnings if "reach" in w or "lead" in w]
    assert len(said) == 3  # people served on both rows, and the second lead
    for w in said:
        assert not re.search(r"partners\[|scenarios\[|\w\.\w", w), w
    # a column the table lacks is named as the template names it
    assert any(w.startswith("row 2, column People served (per year): ") for w in said)
    assert any(w.startswith("row 3, column Lead partner: a management fee") for w in said)


def test_a_score_of_1_2_is_not_read_as_a_percentage(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", f"{HEADER}\nA,100,1.2,85\n")
    with pytest.raises(TableError) as e:
        read_partner_table(path)
    first, second = problems(e)
    assert "0.012" not in first and first.endswith("got 1.2; scores run from 0 to 1")
    assert second.endswith("(to mean 85%, enter 0.85)")


def test_headers_read_in_the_template_words_and_the_partners_table_words():
    assert tables.match_header("Organisation") == "name"
    assert tables.match_header("Capacity (£)") == "capacity"
    assert tables.match_header("People") == "reach"  # the partners table's short word
    assert tables.match_header("Back office") == "back_office_capacity"
    assert tables.match_header("Shoe size") is None
    assert tables.match_header(12) is None
