"""Copy and paste as plain data: one writer, one reader, pastes applied as edits (no Qt)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.domain import fields
from allocator.formats.clipboard import (
    NOT_SHOWN,
    clear_cells,
    header_columns,
    parse_block,
    partner_rows,
    paste_block,
    tsv,
    tsv_cell,
)
from allocator.formats.tables import match_header

COLUMNS = fields.PARTNER_COLUMNS


def column(key: str) -> int:
    return [spec.key for spec in COLUMNS].index(key)


def test_the_core_module_loads_no_qt():
    code = "import sys, allocator.formats.clipboard; print('PySide6' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


# -- writing ------------------------------------------------------------------------


def test_one_rule_for_line_ends_numbers_and_marks():
    text = tsv([["Amani", 180000, 0.85, True, False, None], [1e-12, -0.0, 2.0]])
    assert text == "Amani\t180000\t0.85\tyes\tno\t\r\n0\t0\t2\r\n"
    assert tsv_cell(float("nan")) == ""
    assert tsv_cell(12345678.125) == "12345678.125"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 20", "'+44 20"),
        ("@home", "'@home"),
        ("- a note", "'- a note"),
        ("'quoted", "''quoted"),
        ("-5", "-5"),  # a negative figure as shown stays a number
        ("-£5,000", "'-£5,000"),
        ('say "hi"', '"say ""hi"""'),
        ("two\nlines", '"two\nlines"'),
        ("=a\tb", '"\'=a\tb"'),
    ],
)
def test_text_a_spreadsheet_would_run_or_split_is_guarded_and_quoted(text, written):
    assert tsv_cell(text) == written
    assert parse_block(tsv([[text]])) == [[text]]


# -- reading ------------------------------------------------------------------------


def test_excel_blocks_read_with_any_line_end_and_the_trailing_break_dropped():
    assert parse_block("a\tb\r\nc\td\r\n") == [["a", "b"], ["c", "d"]]
    assert parse_block("a\rb\r") == [["a"], ["b"]]
    assert parse_block('"x\ty\r\nz"\tq\n') == [["x\ty\r\nz", "q"]]
    assert parse_block("a\n\nb\n\t\n\n") == [["a"], [""], ["b"]]
    assert parse_block("") == []


cells = st.text(alphabet=st.sampled_from(list("ab1-=+@'\"\t\r\n ,.%£\x00")), max_size=8)
blocks = st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=6).filter(
    lambda rows: any(c.strip() for c in rows[-1])
)


@settings(max_examples=300, deadline=None)
@given(blocks)
def test_what_is_written_reads_back_as_the_same_cells(rows):
    assert parse_block(tsv(rows)) == rows


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(-(10**12), 10**12), st.booleans()), min_size=1))
def test_numbers_and_marks_read_back_through_the_fields(values):
    (row,) = parse_block(tsv([values]))
    for value, text in zip(values, row, strict=True):
        spec = fields.spec_for(
            "partners[].lead" if isinstance(value, bool) else "budget.first_year"
        )
        if isinstance(value, bool):
            assert fields.parse_value(spec, text) is value
        else:
            assert int(text) == value


# -- headers ------------------------------------------------------------------------


def test_one_header_matcher_for_the_import_and_the_table():
    for spec in COLUMNS:
        for words in (spec.key, spec.label, spec.short):
            assert match_header(words) == spec.key
    row = ["Organisation", "People", "ID", "Favourite colour", ""]
    assert header_columns(row, COLUMNS) == [column("name"), column("reach"), NOT_SHOWN, None, None]
    assert header_columns(["Amani", "180000", "Name"], COLUMNS) is None


# -- pasting and clearing -----------------------------------------------------------


def test_a_paste_sets_cells_adds_rows_and_lists_what_it_refused(sample_project):
    project = sample_project
    count = len(project.partners)
    block = parse_block("lots\t0\r\n95000\t-5\r\n")
    outcome = paste_block(project, block, 0, column("capacity"))
    assert [(r.row, r.column) for r in outcome.refused] == [
        (1, "Capacity (per year)"),
        (2, "Floor (per year)"),
    ]
    assert outcome.project.partners[0].capacity == project.partners[0].capacity
    assert outcome.project.partners[1].capacity == 95000
    assert outcome.cells == 2 and outcome.added == 0
    block = parse_block("Name\tCapacity\tShoe size\nNew one\t£90,000\t9\n")
    outcome = paste_block(project, block, count, 0)
    assert outcome.header and outcome.added == 1 and outcome.unknown_headers == ["Shoe size"]
    added = outcome.project.partners[count]
    assert (added.name, added.capacity) == ("New one", 90000)
    assert project.partners == sample_project.partners  # the project itself is untouched


def test_one_value_fills_every_target_and_a_block_beyond_the_columns_is_counted(
    sample_project,
):
    c = column("back_office_capacity")
    outcome = paste_block(sample_project, [["50%"]], 0, c, targets=[(0, c), (2, c)])
    assert [outcome.project.partners[i].back_office_capacity for i in (0, 2)] == [0.5, 0.5]
    outcome = paste_block(sample_project, [["x", "y", "z"]], 0, len(COLUMNS) - 1)
    assert outcome.beyond == 2


def test_copied_partners_paste_back_as_the_same_partners(sample_project):
    n = len(sample_project.partners)
    everything = [(r, c) for r in range(n) for c in range(len(COLUMNS))]
    text = tsv(partner_rows(sample_project, everything, headers=True))
    outcome = paste_block(sample_project, parse_block(text), n, 0)
    assert not outcome.refused and outcome.added == n
    for a, b in zip(outcome.project.partners[:n], outcome.project.partners[n:], strict=True):
        for spec in COLUMNS:
            assert getattr(a, spec.key) == pytest.approx(getattr(b, spec.key))


def test_scores_copy_as_percentages_when_shown_so(sample_project):
    c = column("multiple_disadvantage")
    (row,) = partner_rows(sample_project, [(1, c)], percent=True)
    assert row == [f"{sample_project.partners[1].multiple_disadvantage * 100:g}%"]


def test_clearing_blanks_what_may_be_blank_and_refuses_the_rest(sample_project):
    cells = [(0, column("notes")), (0, column("name"))]
    outcome = clear_cells(sample_project, cells)
    assert outcome.project.partners[0].notes == ""
    assert outcome.cells == 1 and [r.column for r in outcome.refused] == ["Name"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.text(alphabet=st.sampled_from(list("ab1,.%£-\t\n\r\"' x=")), max_size=80),
    st.integers(0, 9),
    st.integers(0, 9),
)
def test_pasting_anything_never_raises(sample_project, text, row, column):
    outcome = paste_block(sample_project, parse_block(text), row, column)
    assert len(outcome.project.partners) >= len(sample_project.partners)


def test_the_report_names_each_refused_cell_and_counts_the_rest(sample_project):
    block = [["lots"]] * 10
    outcome = paste_block(sample_project, block, 0, column("capacity"))
    report = outcome.report("pasted")
    assert report.startswith("10 cells could not be used")
    assert f"• Row 1 ({sample_project.partners[0].name}), Capacity (per year): " in report
    assert report.endswith("… and 2 more.")
    assert paste_block(sample_project, [["90000"]], 0, column("capacity")).report() == ""
