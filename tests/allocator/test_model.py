import copy

import pytest

from allocator.domain.model import ValidationError, project_from_dict, project_to_dict


def problems_of(data):
    with pytest.raises(ValidationError) as err:
        project_from_dict(data)
    return err.value.problems


def test_sample_round_trips(sample_dict, sample_project):
    again = project_from_dict(project_to_dict(sample_project))
    assert again == sample_project
    assert sample_project.budgets() == [1200000, 1224000, 1248480]


@pytest.mark.parametrize(
    "edit, path, words",
    [
        (
            lambda d: d["partners"][2].update(capacity=-5),
            "partners[2].capacity",
            "must be greater than 0, got -5",
        ),
        (
            lambda d: d["partners"][1].update(capacity="lots"),
            "partners[1].capacity",
            "must be a number, got text 'lots'",
        ),
        (
            lambda d: d["partners"][0].update(multiple_disadvantage=None),
            "partners[0].multiple_disadvantage",
            "never read as no need",
        ),
        (
            lambda d: d["partners"][0].pop("back_office_capacity"),
            "partners[0].back_office_capacity",
            "is blank",
        ),
        (
            lambda d: d["partners"][3].update(multiple_disadvantage=1.5),
            "partners[3].multiple_disadvantage",
            "must be at most 1, got 1.5",
        ),
        (
            lambda d: d["partners"][3].update(floor=10**9),
            "partners[3].floor",
            "must not be above the capacity",
        ),
        (
            lambda d: d["partners"][4].update(id=d["partners"][1]["id"]),
            "partners[4].id",
            "duplicates the id of partners[1]",
        ),
        (
            lambda d: d["scenarios"][0].update(excluded=["nobody"]),
            "scenarios[0].excluded[0]",
            "no partner has the id 'nobody'",
        ),
        (
            lambda d: d["scenarios"][1].update(management_fee=0.4),
            "scenarios[1].management_fee",
            "must be at most 0.25",
        ),
        (
            lambda d: d["scenarios"][1].update(rule="fastest"),
            "scenarios[1].rule",
            "must be one of leximin, closest",
        ),
        (
            lambda d: d["scenarios"][1].update(spread_limit=0.5),
            "scenarios[1].spread_limit",
            "must be at least 1",
        ),
        (
            lambda d: d["partners"][1].update(lead=True),
            "partners[1].lead",
            "needs exactly one lead",
        ),
        (
            lambda d: d["partners"][1].update(by_and_for="yes"),
            "partners[1].by_and_for",
            "must be true or false",
        ),
        (lambda d: d["budget"].update(first_year=0), "budget.first_year", "greater than 0"),
        (lambda d: d["years"].update(count=11), "years.count", "at most 10"),
        (
            lambda d: d["partners"][0].update(colour="red"),
            "partners[0].colour",
            "not a partner field",
        ),
        (
            lambda d: d.update(budget={"per_year": [1, 2]}),
            "budget.per_year",
            "one amount per year (3)",
        ),
    ],
)
def test_bad_values_name_the_field(sample_dict, edit, path, words):
    data = copy.deepcopy(sample_dict)
    edit(data)
    probs = problems_of(data)
    assert any(p == path and words in m for p, m in probs), probs


def test_reach_basis_needs_reach(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["partners"][2]["reach"] = None
    data["scenarios"][0]["basis"] = "reach"
    probs = problems_of(data)
    assert any(p == "partners[2].reach" and "blank" in m for p, m in probs)


def test_every_problem_is_reported_at_once(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["partners"][0]["capacity"] = 0
    data["partners"][5]["reach"] = -1
    paths = [p for p, _ in problems_of(data)]
    assert "partners[0].capacity" in paths and "partners[5].reach" in paths


def test_scenario_defaults(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["scenarios"] = [{"name": "Plain"}]
    s = project_from_dict(data).scenarios[0]
    assert (
        s.basis,
        s.rule,
        s.management_fee,
        s.weights.multiple_disadvantage,
        s.weights.back_office_gap,
        s.back_office_rate.base,
        s.back_office_rate.uplift,
    ) == ("capacity", "leximin", 0.0, 1.0, 0.5, 0.10, 0.15)


def test_blank_scores_are_filled_from_needs_answers(sample_dict):
    from allocator.domain import needs

    data = copy.deepcopy(sample_dict)
    p = data["partners"][1]
    p["multiple_disadvantage"] = None
    p.pop("back_office_capacity")
    answers = {q.id: q.options[-1].id for q in needs.QUESTIONS}
    p["needs_answers"] = answers
    project = project_from_dict(data)
    got = project.partners[1]
    expected = needs.score(answers)
    assert got.multiple_disadvantage == expected.multiple_disadvantage
    assert got.back_office_capacity == expected.back_office_capacity
    assert got.needs_answers == answers
    # typed scores are kept as typed
    data["partners"][2]["needs_answers"] = answers
    assert project_from_dict(data).partners[2].multiple_disadvantage == 0.8


def test_unknown_needs_answer_names_the_field(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["partners"][2]["needs_answers"] = {"cs_racism": "lots"}
    probs = problems_of(data)
    assert any(p == "partners[2].needs_answers.cs_racism" and "'lots'" in m for p, m in probs)
