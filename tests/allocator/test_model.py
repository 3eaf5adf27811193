import copy

import pytest

from allocator.domain.model import (
    ValidationError,
    check_project,
    project_from_dict,
    project_to_dict,
    read_project,
    strict_problems,
)


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
            lambda d: d["partners"][3].update(multiple_disadvantage=1.5),
            "partners[3].multiple_disadvantage",
            "must be at most 1, got 1.5",
        ),
        (
            lambda d: d["partners"][4].update(id=d["partners"][1]["id"]),
            "partners[4].id",
            "'amani' is already the id of Amani Collective (partner 2)",
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
            "must be leximin",
        ),
        (
            lambda d: d["scenarios"][1].update(spread_limit=0.5),
            "scenarios[1].spread_limit",
            "must be at least 1",
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


@pytest.mark.parametrize(
    "edit, path, words",
    [
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
        (lambda d: d["partners"][2].update(capacity=None), "partners[2].capacity", "is blank"),
        (
            lambda d: d["partners"][3].update(floor=10**9),
            "partners[3].floor",
            "must not be above the capacity",
        ),
        (
            lambda d: d["partners"][1].update(lead=True),
            "partners[1].lead",
            "needs exactly one lead",
        ),
        (
            lambda d: d["partners"][0].update(lead=False),
            "scenarios[3].management_fee",
            "needs exactly one partner marked as lead",
        ),
        (
            lambda d: (
                d["partners"][2].update(reach=None),
                d["scenarios"][0].update(basis="reach"),
            ),
            "partners[2].reach",
            "(it is blank)",
        ),
        (
            lambda d: d["scenarios"][1].update(excluded=[p["id"] for p in d["partners"]]),
            "scenarios[1].excluded",
            "leaves out every partner",
        ),
        (lambda d: d.update(partners=[]), "partners", "no partners"),
        (lambda d: d.update(scenarios=[], chosen=None), "scenarios", "no scenarios"),
        (lambda d: d["budget"].update(first_year=None), "budget.first_year", "is blank"),
    ],
)
def test_states_a_person_passes_through_load_and_are_reported(sample_dict, edit, path, words):
    """Cross-field states load as they are (nothing typed is lost) and stop a solve."""
    data = copy.deepcopy(sample_dict)
    edit(data)
    project = project_from_dict(data)
    assert project_from_dict(project_to_dict(project)) == project
    problems = check_project(project)
    assert any(p == path and words in m for p, m in problems), problems
    assert strict_problems(project) == []


def test_sample_has_no_problems(sample_project):
    assert check_project(sample_project) == []
    assert strict_problems(sample_project) == []


def test_values_from_the_field_descriptions_bound_the_reader(sample_dict):
    from allocator.domain.fields import spec_for

    data = copy.deepcopy(sample_dict)
    data["scenarios"][0]["core_share"] = spec_for("scenarios[].core_share").maximum + 0.5
    data["budget"]["annual_uplift"] = spec_for("budget.annual_uplift").minimum - 0.1
    paths = [p for p, _ in problems_of(data)]
    assert paths == ["budget.annual_uplift", "scenarios[0].core_share"]


def test_nan_in_data_names_the_field(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["partners"][4]["reach"] = float("nan")
    data["scenarios"][1]["weights"]["back_office_gap"] = float("inf")
    probs = problems_of(data)
    assert [p for p, _ in probs] == [
        "partners[4].reach",
        "scenarios[1].weights.back_office_gap",
    ]
    assert all("ordinary number" in m for _, m in probs)


def test_every_problem_is_reported_at_once(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["partners"][0]["capacity"] = 0
    data["partners"][5]["reach"] = -1
    paths = [p for p, _ in problems_of(data)]
    assert "partners[0].capacity" in paths and "partners[5].reach" in paths


def test_scenario_defaults(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["scenarios"] = [{"name": "Plain"}]
    data["chosen"] = "Plain"
    s = project_from_dict(data).scenarios[0]
    assert (
        s.basis,
        s.core_share,
        s.management_fee,
        s.weights.multiple_disadvantage,
        s.weights.back_office_gap,
        s.back_office_rate.base,
        s.back_office_rate.uplift,
    ) == ("capacity", 0.0, 0.0, 1.0, 0.5, 0.10, 0.15)


@pytest.mark.parametrize("rule, noted", [("closest", True), ("leximin", False), (None, False)])
def test_retired_rule_is_read_as_leximin_with_a_note(sample_dict, rule, noted):
    data = copy.deepcopy(sample_dict)
    data["scenarios"][2]["rule"] = rule
    project, notes = read_project(data)
    assert not hasattr(project.scenarios[2], "rule")
    assert "rule" not in project_to_dict(project)["scenarios"][2]
    assert project_from_dict(project_to_dict(project)) == project
    if noted:
        assert len(notes) == 1
        assert repr(data["scenarios"][2]["name"]) in notes[0]
        assert "closest" in notes[0] and "leximin" in notes[0]
    else:
        assert notes == []


def test_chosen_must_name_a_scenario(sample_dict):
    data = copy.deepcopy(sample_dict)
    data["chosen"] = "Nothing like it"
    assert problems_of(data) == [("chosen", "no scenario is called 'Nothing like it'")]
    del data["chosen"]
    project = project_from_dict(data)
    assert project.chosen is None
    assert project.chosen_scenario == project.scenarios[0]


def test_sample_chooses_a_needs_weighted_scenario(sample_project):
    chosen = sample_project.chosen_scenario
    assert chosen is not None and chosen is not sample_project.scenarios[0]
    assert chosen.weights.multiple_disadvantage > 0 and chosen.weights.back_office_gap > 0
    assert any(s.core_share > 0 for s in sample_project.scenarios)
    assert (len(sample_project.partners), len(sample_project.scenarios)) == (7, 4)


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


def test_blank_scores_filled_by_answers_come_from_the_questionnaire(sample_dict):
    from allocator.domain import needs

    data = copy.deepcopy(sample_dict)
    answers = {q.id: q.options[-1].id for q in needs.QUESTIONS}
    data["partners"][1].update(multiple_disadvantage=None, needs_answers=answers)
    data["partners"][2]["needs_answers"] = answers
    project = project_from_dict(data)
    assert project.partners[1].score_source == {
        "multiple_disadvantage": "questionnaire",
        "back_office_capacity": "typed",
    }
    assert project.partners[2].score_source == {
        "multiple_disadvantage": "typed",
        "back_office_capacity": "typed",
    }


def test_score_source_in_the_file_wins_over_the_number(sample_dict):
    """A questionnaire score follows the answers, whatever figure the file holds."""
    from allocator.domain import needs

    data = copy.deepcopy(sample_dict)
    answers = {"cs_racism": "most", "bo_finance": "none"}
    data["partners"][3].update(
        needs_answers=answers,
        multiple_disadvantage=0.2,
        score_source={"multiple_disadvantage": "questionnaire"},
    )
    p = project_from_dict(data).partners[3]
    assert p.multiple_disadvantage == needs.score(answers).multiple_disadvantage == 1.0
    assert p.back_office_capacity == 0.25  # typed, as in the file
    written = project_to_dict(project_from_dict(data))["partners"][3]
    assert written["score_source"] == {
        "multiple_disadvantage": "questionnaire",
        "back_office_capacity": "typed",
    }
    assert written["multiple_disadvantage"] == 1.0


@pytest.mark.parametrize(
    "source, path, words",
    [
        ({"multiple_disadvantage": "guessed"}, "score_source.multiple_disadvantage", "one of"),
        ({"need": "typed"}, "score_source.need", "not a needs score"),
        ("typed", "score_source", "must be an object"),
    ],
)
def test_bad_score_source_names_the_field(sample_dict, source, path, words):
    data = copy.deepcopy(sample_dict)
    data["partners"][0]["score_source"] = source
    probs = problems_of(data)
    assert any(p == f"partners[0].{path}" and words in m for p, m in probs), probs


def test_score_source_is_left_out_of_the_file_when_it_follows_the_rule(sample_project):
    assert all("score_source" not in p for p in project_to_dict(sample_project)["partners"])
