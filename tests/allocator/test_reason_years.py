"""A reason that holds in several years is said once, with its years and its figures."""

import pytest

from allocator.domain.model import project_from_dict
from allocator.engine.explain import Figure, Finding, said_once, year_words
from allocator.engine.result import Status
from allocator.engine.solve import solve
from allocator.formats.workbook import write_workbook

FEE = "Needs-weighted, 30% ring-fence, 10% fee"
NAME = "Needs-weighted"


def _unmet(data: dict, name: str = NAME):
    r = solve(project_from_dict(data), [name])[0]
    assert r.status is Status.INFEASIBLE, r.message
    return r


def test_the_squeezed_sample_says_its_reason_once_for_every_year(sample_dict):
    sample_dict["budget"]["first_year"] = 150000
    r = _unmet(sample_dict, FEE)
    reason = (
        "2027-2029: floors add up to £200,000 but the distributable budget is £135,000 to £140,454."
    )
    assert r.checks[0] == reason
    assert [c for c in r.checks if "floors add up" in c] == [reason]
    assert r.message.startswith(reason + " Suggested changes")
    assert "2028" not in r.message


def test_only_the_years_that_fail_are_named(sample_dict):
    # floors add up to £200,000; the grant rises 2% a year past it in 2029
    sample_dict["budget"]["first_year"] = 196000
    r = _unmet(sample_dict)
    assert r.checks[0] == (
        "2027-2028: floors add up to £200,000 but the distributable budget is £196,000 to £199,920."
    )
    assert "2029" not in r.checks[0]


def test_years_apart_are_listed(sample_dict):
    sample_dict["budget"] = {"per_year": [150000, 250000, 160000]}
    r = _unmet(sample_dict)
    assert r.checks[0] == (
        "2027, 2029: floors add up to £200,000 but the distributable budget is "
        "£150,000 to £160,000."
    )


def test_a_figure_the_same_in_every_year_is_given_once(sample_dict):
    sample_dict["budget"] = {"first_year": 150000, "annual_uplift": 0}
    r = _unmet(sample_dict)
    assert r.checks[0] == (
        "2027-2029: floors add up to £200,000 but the distributable budget is £150,000."
    )


def test_a_single_year_project_reads_as_before(sample_dict):
    sample_dict["budget"]["first_year"] = 150000
    sample_dict["years"]["count"] = 1
    r = _unmet(sample_dict)
    assert r.checks[0] == (
        "2027: floors add up to £200,000 but the distributable budget is £150,000."
    )


def test_the_workbook_lists_the_reason_once(sample_dict, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    sample_dict["budget"]["first_year"] = 150000
    project = project_from_dict(sample_dict)
    results = solve(project, [NAME])
    path = tmp_path / "budget.xlsx"
    write_workbook(project, results, path, scenario=NAME)
    cells = [
        str(c.value)
        for ws in openpyxl.load_workbook(path).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    said = [c for c in cells if "floors add up to £200,000" in c]
    assert said and all("2027-2029: floors add up to £200,000" in c for c in said)
    assert not any("2028: " in c for c in cells)


@pytest.mark.parametrize(
    ("years", "words"),
    [
        ([2027], "2027"),
        ([2027, 2028, 2029], "2027-2029"),
        ([2027, 2029], "2027, 2029"),
        ([2027, 2028, 2030, 2032, 2033], "2027-2028, 2030, 2032-2033"),
        ([2029, 2027, 2028], "2027-2029"),
    ],
)
def test_year_words(years, words):
    assert year_words(years) == words


def test_findings_differing_in_words_stay_apart():
    cap = "Amani Collective's floor ({0}) is above its capacity ({1})."
    other = "Sahara Sisters Project's floor ({0}) is above its capacity ({1})."
    findings = [
        Finding(2027, cap, (Figure(60000, "£60,000"), Figure(50000, "£50,000"))),
        Finding(2028, other, (Figure(55000, "£55,000"), Figure(50000, "£50,000"))),
        Finding(2029, cap, (Figure(62000, "£62,000"), Figure(50000, "£50,000"))),
    ]
    assert said_once(findings) == [
        "2027, 2029: Amani Collective's floor (£60,000 to £62,000) is above its capacity "
        "(£50,000).",
        "2028: Sahara Sisters Project's floor (£55,000) is above its capacity (£50,000).",
    ]
    assert [f.sentence() for f in findings[:1]] == [
        "2027: Amani Collective's floor (£60,000) is above its capacity (£50,000)."
    ]
