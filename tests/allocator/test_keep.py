"""Suggested changes keep the partnership's rules: only floors, the fee and released
rules move; figures as people write them; one list, applied in any number of steps;
the kept rule in the way; the grant per year; ``keep`` in files and edits."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings

from allocator.domain import edits
from allocator.domain.fields import KEEP_DEFAULT, RULES
from allocator.domain.model import Scenario, project_from_dict, project_to_dict
from allocator.domain.paths import FieldPath
from allocator.engine.relax import apply_relaxation, apply_relaxations, pending
from allocator.engine.result import Status
from allocator.engine.solve import solve
from allocator.errors import ValidationError
from allocator.formats.files import dumps_project, loads_project

from .strategies import projects

NAME = "Needs-weighted"
RING = "Needs-weighted, 30% ring-fence, 10% fee"
RULE_FIELDS = {f".{r}" for r in RULES}


def _raise_floors(data: dict) -> dict:
    """Floors at three-quarters of each capacity: above the grant more often than not."""
    data = copy.deepcopy(data)
    for p in data["partners"]:
        p["floor"] = p["capacity"] * 3 // 4
    return data


def _field_name(field: str) -> str:
    return field.rsplit(".", 1)[-1]


def _check_round(x) -> None:
    """Every figure as people write it: money to 10s at least, never a change under 10."""
    if x.field.endswith(".floor"):
        assert x.to_value % 10 == 0, x
        assert x.from_value - x.to_value >= 10, x
    else:
        assert round(x.to_value * 1000, 6) == round(x.to_value * 1000), x


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(core_share=True))
def test_suggestions_keep_the_rules_and_solve_in_any_number_of_steps(data):
    project = project_from_dict(_raise_floors(data))
    result = solve(project)[0]
    if result.ok:
        return
    assert result.status is Status.INFEASIBLE
    for x in result.relaxations:
        # never a kept rule, a capacity or the grant
        assert _field_name(x.field) in ("floor", "management_fee"), x
        assert x.to_value < x.from_value
        _check_round(x)
    assert not (result.relaxations and result.blocking)
    for b in result.blocking:
        assert _field_name(b.field) in KEEP_DEFAULT and "stands in the way" in b.explanation
    if not result.relaxations:
        return
    # one at a time: the rest of the list stays as listed, the last one makes it solve
    step = project
    for k, x in enumerate(result.relaxations):
        for rest in result.relaxations[k:]:
            assert FieldPath.parse(rest.field).get(step) == rest.from_value
        assert pending(step, result.relaxations) == result.relaxations[k:]
        step = apply_relaxation(step, x)
    assert pending(step, result.relaxations) == ()
    assert step == apply_relaxations(project, result.relaxations)
    again = solve(step)[0]
    assert again.ok, (result.relaxations, again.message)
    assert again.metrics.min_attainment == pytest.approx(result.after_relaxations_min_attainment)
    assert again.metrics.by_and_for_share == pytest.approx(
        result.after_relaxations_by_and_for_share
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_with_nothing_kept_rules_may_be_loosened_and_a_fix_is_found(data):
    data = _raise_floors(data)
    data["scenarios"][0]["keep"] = []
    project = project_from_dict(data)
    result = solve(project)[0]
    if result.ok:
        return
    budgets = project.budgets()
    fee = project.scenarios[0].management_fee
    caps = sum(p.capacity for p in project.partners)
    if any(caps < b * (1 - fee) for b in budgets):
        return  # the partners cannot absorb the grant: only the grant helps, never an edit
    assert result.relaxations, result.message
    assert result.blocking == ()
    for x in result.relaxations:
        assert "capacity" not in x.field and not x.field.startswith("budget")
        _check_round(x)
    assert solve(apply_relaxations(project, result.relaxations))[0].ok


def test_floors_above_the_grant_are_cut_by_the_same_share(sample_dict):
    sample_dict["budget"]["first_year"] = 150000
    project = project_from_dict(sample_dict)
    r = solve(project, [NAME])[0]
    cuts = {x.partner_index: x.to_value / x.from_value for x in r.relaxations}
    floored = {i for i, p in enumerate(project.partners) if p.floor > 0}
    assert set(cuts) == floored
    # the same share, give or take the rounding to the nearest 1,000
    assert max(cuts.values()) - min(cuts.values()) < 0.03
    assert all(x.to_value % 1000 == 0 for x in r.relaxations)
    assert solve(apply_relaxations(project, r.relaxations), [NAME])[0].ok


def test_the_fee_is_cut_by_the_same_share_as_the_floors(sample_dict):
    sample_dict["budget"]["first_year"] = 150000
    project = project_from_dict(sample_dict)
    r = solve(project, [RING])[0]
    fields = [x.field for x in r.relaxations]
    assert "scenarios[2].management_fee" in fields
    assert not any(f.endswith((".ring_fence", ".capacity")) for f in fields)
    fee = next(x for x in r.relaxations if x.field.endswith("management_fee"))
    assert fee.words.startswith("the management fee from 10% to ")
    assert solve(apply_relaxations(project, r.relaxations), [RING])[0].ok


def test_the_kept_rule_in_the_way(sample_dict):
    sample_dict["scenarios"][2]["ring_fence"] = 0.6
    project = project_from_dict(sample_dict)
    r = solve(project, [RING])[0]
    assert r.status is Status.INFEASIBLE and r.relaxations == ()
    [kept] = r.blocking
    assert kept.field == "scenarios[2].ring_fence" and kept.to_value < 0.6
    assert kept.explanation.startswith("the 60% ring-fence stands in the way: at ")
    assert kept.explanation.endswith("it would solve")
    assert kept.explanation in r.message
    doc = r.to_json()
    assert doc["kept_rule_in_the_way"] == [kept.to_json()]
    assert doc["relaxations"] == []
    # what it says is so: loosened to that value, as things stand, it solves
    loosened = edits.set_field(project, "scenarios[2].ring_fence", kept.to_value)
    assert solve(loosened, [RING])[0].ok


def test_the_grant_per_year_said_as_more_than_today(sample_dict):
    sample_dict["budget"] = {"per_year": [150000, 150000, 150000]}
    project = project_from_dict(sample_dict)
    r = solve(project, [NAME])[0]
    assert r.budget_alternative_per_year == (200000, 200000, 200000)
    assert r.budget_alternative == 600000
    assert r.budget_words == (
        "a grant of £200,000 a year, £50,000 a year more than today, "
        "would make it solve as it stands"
    )
    doc = r.to_json()
    assert doc["budget_alternative_per_year"] == [200000, 200000, 200000]
    assert doc["budget_alternative"] == 600000
    assert r.budget_words in r.message


def test_the_grant_per_year_said_as_less_than_today(sample_dict):
    sample_dict["budget"] = {"per_year": [5_000_000, 5_000_000, 5_000_000]}
    project = project_from_dict(sample_dict)
    r = solve(project, [NAME])[0]
    assert r.status is Status.INFEASIBLE
    [b] = set(r.budget_alternative_per_year)
    assert b < 5_000_000
    assert "a year less than today" in r.budget_words
    assert r.relaxations == ()  # capacities are facts: never suggested


def test_a_first_year_grant_with_an_uplift_is_said_for_the_first_year(sample_dict):
    sample_dict["budget"]["first_year"] = 150000
    r = solve(project_from_dict(sample_dict), [NAME])[0]
    assert r.budget_words.startswith("a grant of £200,000 in the first year, rising 2% a year")
    assert "£50,000 more than today in the first year" in r.budget_words


def test_keep_round_trips_in_files_and_defaults_when_missing(sample_dict):
    assert "keep" not in sample_dict["scenarios"][0]
    project = project_from_dict(sample_dict)
    assert all(s.keep == KEEP_DEFAULT for s in project.scenarios)
    assert Scenario("x").keep == KEEP_DEFAULT
    changed = edits.set_field(project, "scenarios[0].keep", "ring_fence, needs floor")
    changed = edits.set_field(changed, "scenarios[1].keep", "")
    assert changed.scenarios[0].keep == ("ring_fence", "needs_floor")
    assert changed.scenarios[1].keep == ()
    again = loads_project(dumps_project(changed))
    assert again == changed
    assert json.loads(dumps_project(changed))["scenarios"][1]["keep"] == []


def test_an_unknown_rule_is_refused_naming_the_field(sample_dict):
    sample_dict["scenarios"][0]["keep"] = ["ring_fence", "floors"]
    with pytest.raises(ValidationError) as err:
        project_from_dict(sample_dict)
    [problem] = err.value.problems
    assert str(problem.path) == "scenarios[0].keep[1]"
    assert problem.message.startswith("must be one of ring_fence, needs_floor, ")
    del sample_dict["scenarios"][0]["keep"]
    project = project_from_dict(sample_dict)
    with pytest.raises(ValidationError, match=r"must be one of ring_fence"):
        edits.set_field(project, "scenarios[0].keep", "ring_fence, floors")
    assert project_to_dict(project)["scenarios"][0]["keep"] == list(KEEP_DEFAULT)


#: Floors at three-quarters of capacity over a reach-basis scenario whose fee, cut to
#: the least that solves, meets Partner 4's needs floor at its capacity: a fee rounded
#: further down then fails, so the fee is rounded back and the floors take the rest.
FEE_AT_THE_EDGE = {
    "format": "fairshare-project",
    "version": 1,
    "name": "Random consortium",
    "currency": "GBP",
    "years": {"start": 2027, "count": 1},
    "budget": {"first_year": 35668, "annual_uplift": 0.0},
    "partners": [
        {
            "id": "p0",
            "name": "Partner 0",
            "lead": True,
            "by_and_for": False,
            "capacity": 5000,
            "floor": 0,
            "reach": 713,
            "multiple_disadvantage": 0.0,
            "back_office_capacity": 0.0,
        },
        {
            "id": "p1",
            "name": "Partner 1",
            "lead": False,
            "by_and_for": False,
            "capacity": 10155,
            "floor": 0,
            "reach": 1825,
            "multiple_disadvantage": 0.0,
            "back_office_capacity": 0.0,
        },
        {
            "id": "p2",
            "name": "Partner 2",
            "lead": False,
            "by_and_for": False,
            "capacity": 5000,
            "floor": 0,
            "reach": 1333,
            "multiple_disadvantage": 0.0,
            "back_office_capacity": 0.0,
        },
        {
            "id": "p3",
            "name": "Partner 3",
            "lead": False,
            "by_and_for": True,
            "capacity": 12872,
            "floor": 0,
            "reach": 1407,
            "multiple_disadvantage": 0.875,
            "back_office_capacity": 0.0,
        },
        {
            "id": "p4",
            "name": "Partner 4",
            "lead": False,
            "by_and_for": False,
            "capacity": 13358,
            "floor": 0,
            "reach": 2872,
            "multiple_disadvantage": 1.0,
            "back_office_capacity": 0.0,
        },
    ],
    "scenarios": [
        {
            "name": "Random",
            "basis": "reach",
            "weights": {"multiple_disadvantage": 2.0, "back_office_gap": 0.0},
            "management_fee": 0.15,
            "ring_fence": 0.3,
            "needs_floor": 0.8,
            "spread_limit": 2.0,
            "lead_cap": None,
        }
    ],
}


@pytest.mark.parametrize("keep", [None, []])
def test_a_fee_cut_at_its_edge_is_rounded_back_and_the_floors_take_the_rest(keep):
    data = _raise_floors(FEE_AT_THE_EDGE)
    if keep is not None:
        data["scenarios"][0]["keep"] = keep
    project = project_from_dict(data)
    result = solve(project)[0]
    assert result.relaxations, result.message
    for x in result.relaxations:
        _check_round(x)
    assert solve(apply_relaxations(project, result.relaxations))[0].ok
