"""Suggested changes: by id and path, in words, one at a time; the grant; who gets nothing."""

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings

from allocator.domain import edits
from allocator.domain.model import project_from_dict
from allocator.engine.relax import apply_relaxation, apply_relaxations, describe_change
from allocator.engine.result import Relaxation, Status
from allocator.engine.solve import solve
from allocator.errors import ValidationError

from .strategies import projects
from .test_engine import assert_invariants

NAME = "Needs-weighted"
MONEY = r"£\d{1,3}(,\d{3})*"  # whole units, thousands separators, never decimals


@pytest.fixture
def squeezed(sample_dict):
    """The sample with a grant below the floors: floors add up to £200,000."""
    sample_dict["budget"]["first_year"] = 150000
    return project_from_dict(sample_dict)


def test_relaxations_name_the_partner_by_id_index_and_path(squeezed):
    r = solve(squeezed, [NAME])[0]
    assert r.status is Status.INFEASIBLE
    assert r.relaxations
    for x in r.relaxations:
        i = x.partner_index
        assert x.field == f"partners[{i}].floor"
        assert x.partner_id == squeezed.partners[i].id
        name = squeezed.partners[i].name
        assert re.fullmatch(rf"{re.escape(name)}'s floor from {MONEY} to {MONEY}", x.words)
        assert x.explanation == f"lower {x.words}"
        assert x.to_value == int(x.to_value) and x.to_value < x.from_value
        assert "partners[" not in x.words
        doc = x.to_json()
        assert doc["field"] == x.field and doc["partner_id"] == x.partner_id


def test_amani_in_words(squeezed):
    words = describe_change(squeezed, "partners[1].floor", 60000.0, 42000.4)
    assert words == "Amani Collective's floor from £60,000 to £42,000"
    assert describe_change(squeezed, "scenarios[2].ring_fence", 0.3, 0.2743) == (
        "the ring-fence from 30% to 27.43%"
    )


def test_relaxations_apply_one_at_a_time_as_edits(squeezed):
    r = solve(squeezed, [NAME])[0]
    one_by_one = squeezed
    for x in r.relaxations:
        before = one_by_one
        one_by_one = apply_relaxation(one_by_one, x)
        assert one_by_one is not before
        assert before.partners[x.partner_index].floor == x.from_value  # never mutated
        assert one_by_one.partners[x.partner_index].floor == x.to_value
    assert one_by_one == apply_relaxations(squeezed, r.relaxations)
    assert solve(one_by_one, [NAME])[0].ok


def test_a_relaxation_follows_its_partner_after_a_reorder(squeezed):
    r = solve(squeezed, [NAME])[0]
    x = r.relaxations[0]
    moved = edits.move_partner(squeezed, x.partner_index, 0)
    applied = apply_relaxation(moved, x)
    assert applied.partners[0].id == x.partner_id
    assert applied.partners[0].floor == x.to_value
    gone = edits.remove_partners(squeezed, [x.partner_index])
    with pytest.raises(ValidationError, match="no longer in the project"):
        apply_relaxation(gone, x)


def test_a_relaxation_goes_through_set_field(squeezed):
    bad = Relaxation("partners[1].floor", 60000.0, -5.0, "lower it", "amani", 1, "")
    with pytest.raises(ValidationError):
        apply_relaxation(squeezed, bad)


def test_the_grant_that_would_make_it_solve_as_it_stands(squeezed):
    r = solve(squeezed, [NAME])[0]
    [edit] = r.budget_edits
    assert edit.field == "budget.first_year" and edit.to_value == 200000
    assert edit.words == "the grant in the first year from £150,000 to £200,000"
    assert r.budget_alternative == sum(
        project_from_dict(
            {**_as_dict(squeezed), "budget": {"first_year": 200000, "annual_uplift": 0.02}}
        ).budgets()
    )
    fixed = apply_relaxations(squeezed, r.budget_edits)
    assert solve(fixed, [NAME])[0].ok
    # the least such grant: a unit less does not solve
    less = edits.set_field(squeezed, "budget.first_year", edit.to_value - 1)
    assert solve(less, [NAME])[0].status is Status.INFEASIBLE
    # an alternative, not one of the suggested changes
    assert all(x.field != "budget.first_year" for x in r.relaxations)


def _as_dict(project):
    from allocator.domain.model import project_to_dict

    return project_to_dict(project)


def test_a_grant_too_large_for_the_partners_is_lowered_year_by_year(sample_dict):
    sample_dict["budget"] = {"per_year": [5_000_000, 1_200_000, 3_000_000]}
    project = project_from_dict(sample_dict)
    name = "Needs-weighted, 30% ring-fence, 10% fee"
    r = solve(project, [name])[0]
    assert r.status is Status.INFEASIBLE
    fields = [x.field for x in r.budget_edits]
    assert fields == ["budget.per_year[0]", "budget.per_year[2]"]  # 2028 can stay
    assert all(x.to_value < x.from_value for x in r.budget_edits)
    assert all(x.explanation.startswith("lower the budget for 20") for x in r.budget_edits)
    fixed = apply_relaxations(project, r.budget_edits)
    assert solve(fixed, [name])[0].ok
    assert r.budget_alternative == sum(fixed.budgets())
    # the most the partners can take: a unit more in 2027 does not solve
    more = edits.set_field(fixed, "budget.per_year[0]", r.budget_edits[0].to_value + 1)
    assert solve(more, [name])[0].status is Status.INFEASIBLE


def test_no_grant_helps_when_a_floor_is_above_a_capacity(sample_dict):
    sample_dict["scenarios"][1]["needs_floor"] = 1.0
    sample_dict["partners"][3]["capacity"] = 51000
    sample_dict["scenarios"][1]["basis"] = "equal"  # fair shares far above 51,000
    project = project_from_dict(sample_dict)
    r = solve(project, [NAME])[0]
    assert r.status is Status.INFEASIBLE
    assert r.budget_alternative is None and r.budget_edits == ()
    # the needs floor is kept: it is named as what stands in the way, not suggested
    assert r.relaxations == ()
    [kept] = r.blocking
    assert kept.field == "scenarios[1].needs_floor" and kept.to_value < 1.0
    assert kept.explanation.startswith("the 100% needs floor stands in the way: at ")
    released = edits.set_field(project, "scenarios[1].keep", "")
    r = solve(released, [NAME])[0]
    assert [x.field for x in r.relaxations] == ["scenarios[1].needs_floor"]
    assert solve(apply_relaxations(released, r.relaxations), [NAME])[0].ok


def test_who_gets_nothing_after_the_suggested_changes(squeezed):
    """The result says who would get nothing once the floors are cut to fit the grant,
    and its smallest attainment and by-and-for share then, before anything is applied."""
    squeezed = edits.set_field(squeezed, "budget.first_year", 147000)
    r = solve(squeezed, [NAME])[0]
    fixed = solve(apply_relaxations(squeezed, r.relaxations), [NAME])[0]
    zero = tuple(p.name for p in fixed.partners if any(v == 0 for v in p.per_year))
    assert r.after_relaxations_zero == zero
    assert r.after_relaxations_min_attainment == fixed.metrics.min_attainment
    assert r.after_relaxations_by_and_for_share == fixed.metrics.by_and_for_share
    assert r.to_json()["after_relaxations"] == {
        "min_attainment": fixed.metrics.min_attainment,
        "by_and_for_share": fixed.metrics.by_and_for_share,
    }


def test_nobody_gets_nothing_after_a_gentle_change(sample_dict):
    sample_dict["scenarios"][2]["ring_fence"] = 0.6
    project = project_from_dict(sample_dict)
    r = solve(project, ["Needs-weighted, 30% ring-fence, 10% fee"])[0]
    assert r.status is Status.INFEASIBLE
    assert r.relaxations == () and [x.field for x in r.blocking] == ["scenarios[2].ring_fence"]
    project = edits.set_field(project, "scenarios[2].keep", "needs_floor")
    r = solve(project, ["Needs-weighted, 30% ring-fence, 10% fee"])[0]
    assert [x.field for x in r.relaxations] == ["scenarios[2].ring_fence"]
    assert r.relaxations[0].words.startswith("the ring-fence from 60% to ")
    assert r.after_relaxations_zero == ()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_suggestions_and_the_grant_each_make_it_solve(data):
    data = copy.deepcopy(data)
    data["partners"][0]["floor"] = data["partners"][0]["capacity"]
    project = project_from_dict(data)
    result = solve(project)[0]
    if result.ok:
        return
    assert result.status is Status.INFEASIBLE
    # capacities and the grant are never suggested, nor are kept rules: where only
    # those would help there are no suggestions, and the message says what would
    assert result.relaxations or result.blocking or result.checks, result.message
    for x in result.relaxations:
        assert re.search(r"\d\.\d{3}", x.words) is None  # never three decimals
    if result.budget_alternative is not None:
        granted = apply_relaxations(project, result.budget_edits)
        assert solve(granted)[0].ok
        assert sum(granted.budgets()) == result.budget_alternative
    if not result.relaxations:
        return
    fixed = apply_relaxations(project, result.relaxations)
    again = solve(fixed)[0]
    assert again.ok, (result.relaxations, again.message)
    assert_invariants(fixed, again)
    zero = tuple(p.name for p in again.partners if p.included and 0 in p.per_year)
    assert result.after_relaxations_zero == zero
