"""One name per idea: what is said about a result reads the same in every place.

The words come from ``allocator.report.words``; these tests hold the command line
(text and JSON), the exported workbook and the engine's own keys to them.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from allocator.engine.result import (
    BUDGET,
    CAPACITY,
    EXCLUDED,
    FLOOR,
    LEAD_CAP,
    LEVEL,
    LINE_KEYS,
    NEEDS_FLOOR,
    REASON_WORDS,
    RING_FENCE,
    SPREAD,
    Metrics,
    Status,
)
from allocator.report import words
from allocator.report.baseline import MEASURES as COMPARISON_MEASURES
from allocator.report.words import (
    LIMIT_TEXT,
    MEASURES,
    NO_CHANGE,
    NOT_SHOWN,
    STATUS_TEXT,
    UNBOUNDED,
    measure_change_text,
    measure_name,
    measure_text,
    money_change_text,
    status_text,
)

from .test_cli import SAMPLE, run

ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------------
# The words cover every key the engine gives
# ----------------------------------------------------------------------------------


def test_every_status_has_words():
    assert set(STATUS_TEXT) == {s.value for s in Status}
    for s in Status:
        assert status_text(s) == STATUS_TEXT[s.value]  # the enum reads as its value


def test_every_limiting_reason_has_words():
    reasons = {
        BUDGET,
        CAPACITY,
        FLOOR,
        RING_FENCE,
        NEEDS_FLOOR,
        SPREAD,
        LEAD_CAP,
        LEVEL,
        EXCLUDED,
    }
    assert set(LIMIT_TEXT) == reasons
    assert set(REASON_WORDS) <= set(LIMIT_TEXT)


def test_budget_lines_and_measures_are_the_engines():
    assert words.LINE_KEYS == LINE_KEYS
    assert words.MEASURE_KEYS == tuple(f.name for f in dataclasses.fields(Metrics))
    assert [key for key, _ in COMPARISON_MEASURES] == list(words.MEASURE_KEYS)


def test_the_words_load_without_the_engine():
    """The app's first frame reads its labels here: no solver, NumPy or results code."""
    code = (
        "import sys, allocator.report.words; "
        "print(sorted(m for m in sys.modules if m.startswith(('numpy', 'allocator.engine'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"


# ----------------------------------------------------------------------------------
# Figures and changes
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("min_attainment", 0.9961, "99.6%"),
        ("gini", 0.0131, "0.013"),
        ("need_ratio", 1.111, "1.11"),
        ("need_ratio", float("inf"), UNBOUNDED),
        ("by_and_for_share", None, NOT_SHOWN),
        ("lead_share", float("nan"), NOT_SHOWN),
    ],
)
def test_measure_text(key, value, text):
    assert measure_text(key, value) == text


@pytest.mark.parametrize(
    ("key", "change", "text"),
    [
        ("min_attainment", 0.078, "▲ +7.8 pts"),
        ("by_and_for_share", -0.021, "▼ −2.1 pts"),
        ("by_and_for_share", 0.0001, "▲ under 0.1 pts"),
        ("gini", -0.0131, "▼ −0.013"),
        ("need_ratio", 0.5, "▲ +0.50"),
        ("gini", 0.0, NO_CHANGE),
        ("need_ratio", None, NOT_SHOWN),
    ],
)
def test_measure_change_text(key, change, text):
    assert measure_change_text(key, change) == text


def test_money_change_text():
    assert money_change_text(1200, 0.052, "GBP") == "▲ +£1,200 (+5.2%)"
    assert money_change_text(-1200, None, "GBP") == "▼ −£1,200"
    assert money_change_text(-1200, float("inf"), "GBP") == "▼ −£1,200"
    assert money_change_text(0, 0.0, "GBP") == NO_CHANGE
    assert money_change_text(None, None, "GBP") == NOT_SHOWN


# ----------------------------------------------------------------------------------
# The same labels in the command line and the workbook
# ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compare_json() -> dict:
    r = run("compare", SAMPLE, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def compare_text() -> str:
    r = run("compare", SAMPLE)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("words") / "budget.xlsx"
    r = run("export", SAMPLE, str(out))
    assert r.returncode == 0, r.stderr
    return openpyxl.load_workbook(out)


def test_compare_json_labels_are_the_measure_names(compare_json):
    assert [(m["key"], m["label"]) for m in compare_json["measures"]] == [
        (m.key, m.name) for m in MEASURES
    ]


def test_compare_text_starts_a_row_with_each_measure_name(compare_text):
    lines = compare_text.splitlines()
    for m in MEASURES:
        assert any(line.startswith(m.name + "  ") for line in lines), m.name
    # the old words for the same measures are gone
    assert "Highest attainment" not in compare_text


def test_the_workbook_names_each_measure_as_the_command_line_does(workbook):
    names = [m.name for m in MEASURES]
    for sheet in ("Summary", "Scenarios"):
        column_a = [c.value for c in workbook[sheet]["A"]]
        at = column_a.index(names[0])
        assert column_a[at : at + len(names)] == names, sheet


def test_the_workbook_says_statuses_in_the_same_words(workbook):
    ws = workbook["Scenarios"]
    statuses = {c.value for row in ws.iter_rows(min_row=5, max_row=5, min_col=2) for c in row}
    assert status_text(Status.OPTIMAL) in statuses
    assert measure_name("gini") == "Gini"
