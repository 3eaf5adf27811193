"""The command line's text for a scenario that cannot be met: which way the grant moves."""

from __future__ import annotations

from allocator.domain.model import project_from_dict
from allocator.engine.solve import Status, solve
from allocator.report.render import render_results

NAME = "Needs-weighted, 30% ring-fence, 10% fee"


def _grant_line(text: str) -> str:
    (line,) = [ln for ln in text.splitlines() if " a grant of " in ln]
    return line


def test_a_grant_too_large_for_the_partners_says_lower(sample_dict):
    sample_dict["budget"] = {"per_year": [5_000_000, 1_200_000, 3_000_000]}
    project = project_from_dict(sample_dict)
    [r] = solve(project, [NAME])
    assert r.status is Status.INFEASIBLE and r.budget_alternative < sum(r.budget)
    line = _grant_line(render_results(project, [r]))
    assert "more" not in line
    # year by year, each saying which way it moves against today's grant
    assert "less in 2027" in line and "less in 2029" in line and "than today" in line


def test_a_grant_too_small_for_the_floors_says_raise(sample_dict):
    sample_dict["budget"] = {"first_year": 150_000, "annual_uplift": 0.0}
    sample_dict["partners"][1]["floor"] = 60_000
    project = project_from_dict(sample_dict)
    [r] = solve(project, ["Needs-weighted"])
    assert r.status is Status.INFEASIBLE
    assert r.budget_alternative is not None and r.budget_alternative > sum(r.budget)
    line = _grant_line(render_results(project, [r]))
    assert line == (
        "Or, instead, a grant of £200,000 a year, £50,000 a year more than today, "
        "would make it solve as it stands."
    )
