"""Editing a project: one validated path for every change, and validate() in full."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from allocator.domain import edits as E
from allocator.domain import needs
from allocator.domain.model import Budget, Partner, Scenario
from allocator.errors import Problem, ValidationError
from allocator.formats.files import dumps_project, loads_project


def refusal(fn, *args) -> Problem:
    with pytest.raises(ValidationError) as e:
        fn(*args)
    return e.value.problems[0]


def paths(problems) -> list[str]:
    return [p.path for p in problems]


def reopen(project):
    return loads_project(dumps_project(project))


# ----------------------------------------------------------------------------------
# set_field
# ----------------------------------------------------------------------------------


def test_values_as_people_type_them(sample_project):
    p = E.set_field(sample_project, "partners[1].capacity", "£120,000")
    p = E.set_field(p, "scenarios[1].ring_fence", "35%")
    p = E.set_field(p, "partners[2].by_and_for", "no")
    p = E.set_field(p, "budget.first_year", "1.3m")
    p = E.set_field(p, "scenarios[0].basis", "Reach")
    assert p.partners[1].capacity == 120000
    assert p.scenarios[1].ring_fence == 0.35
    assert p.partners[2].by_and_for is False
    assert p.budget.first_year == 1300000
    assert p.scenarios[0].basis == "reach"
    assert E.validate(p) == []


def test_set_field_never_changes_the_project_it_was_given(sample_project):
    before = dumps_project(sample_project)
    E.set_field(sample_project, "partners[0].floor", "10k")
    assert dumps_project(sample_project) == before


def test_refused_values_name_the_field_and_change_nothing(sample_project):
    problem = refusal(E.set_field, sample_project, "partners[2].capacity", "-5")
    assert problem == Problem("partners[2].capacity", "must be greater than 0, got -5")
    problem = refusal(E.set_field, sample_project, "scenarios[1].management_fee", "40%")
    assert problem.message.startswith("must be at most 0.25 (25%)")
    problem = refusal(E.set_field, sample_project, "partners[9].floor", "1")
    assert problem == Problem("partners[9].floor", "there is no partner 10 (there are 7)")
    problem = refusal(E.set_field, sample_project, "budget.per_year[3]", "1")
    assert problem.message == "there is no year 4: the grant runs 3 years"


def test_unknown_fields_get_a_suggestion(sample_project):
    problem = refusal(E.set_field, sample_project, "partners[1].capacty", "1")
    assert problem == Problem(
        "partners[1].capacty", "is not a field you can set; did you mean partners[1].capacity?"
    )
    problem = refusal(E.set_field, sample_project, "partners[1].id", "new-id")
    assert problem.message.startswith("is not a field you can set")
    problem = refusal(E.set_field, sample_project, "partners[x]", "1")
    assert "is not a field path" in problem.message


@pytest.mark.parametrize(
    "path, value, problem_path, words",
    [
        ("partners[1].floor", "£500,000", "partners[1].floor", "must not be above the capacity"),
        ("partners[1].lead", "yes", "partners[1].lead", "needs exactly one lead"),
        ("partners[0].lead", "no", "scenarios[2].management_fee", "needs exactly one partner"),
        ("partners[2].multiple_disadvantage", "", "partners[2].multiple_disadvantage", "blank"),
        ("partners[2].capacity", "", "partners[2].capacity", "is blank"),
        ("scenarios[0].basis", "reach", None, None),
        ("budget.first_year", "", "budget.first_year", "is blank"),
    ],
)
def test_cross_field_states_are_allowed_and_reported(
    sample_project, path, value, problem_path, words
):
    p = E.set_field(sample_project, path, value)
    assert reopen(p) == p
    problems = E.validate(p)
    if problem_path is None:
        assert problems == []
    else:
        assert any(q.path == problem_path and words in q.message for q in problems), problems


def test_reach_must_be_given_where_the_basis_is_reach(sample_project):
    p = E.set_field(sample_project, "scenarios[3].basis", "capacity")
    p = E.set_field(p, "partners[4].reach", "")
    assert E.validate(p) == []
    p = E.set_field(p, "scenarios[0].basis", "reach")
    (problem,) = E.validate(p)
    assert problem.path == "partners[4].reach"
    assert problem.message.startswith("scenario 'Bigger slice (size-proportional)' shares by reach")
    p = E.set_field(p, "scenarios[0].excluded", "Rainbow Refuge Line")
    assert E.validate(p) == []  # a partner left out needs no reach


def test_excluded_partners_by_id_or_name(sample_project):
    p = E.set_field(sample_project, "scenarios[1].excluded", "amani, Northgate Housing Trust")
    assert p.scenarios[1].excluded == ("amani", "northgate")
    problem = refusal(E.set_field, sample_project, "scenarios[1].excluded", ["nobody"])
    assert problem == Problem("scenarios[1].excluded", "no partner has the id or name 'nobody'")
    everyone = [q.id for q in sample_project.partners]
    p = E.set_field(sample_project, "scenarios[1].excluded", everyone)
    assert "leaves out every partner" in E.validate(p)[0].message


def test_years_and_per_year_budgets_stay_in_step(sample_project):
    p = E.set_field(sample_project, "budget.per_year[1]", "1,250,000")
    assert p.budget.per_year == (1200000, 1250000, 1248480)
    assert p.budget.first_year is None
    longer = E.set_field(p, "years.count", 5)
    assert longer.budget.per_year == (1200000, 1250000, 1248480, None, None)
    assert paths(E.validate(longer)) == ["budget.per_year[3]", "budget.per_year[4]"]
    assert reopen(longer) == longer
    shorter = E.set_field(longer, "years.count", "2")
    assert shorter.budget.per_year == (1200000, 1250000)
    back = E.set_field(p, "budget.first_year", "£1m")
    assert back.budget == Budget(first_year=1000000, annual_uplift=0.0)


def test_chosen_and_scenario_names_through_set_field(sample_project):
    p = E.set_field(sample_project, "chosen", "needs-weighted")
    assert p.chosen == "Needs-weighted"
    assert E.set_field(p, "chosen", "").chosen is None
    p = E.set_field(p, "scenarios[1].name", "Needs first")
    assert p.chosen == "Needs first"


# ----------------------------------------------------------------------------------
# validate
# ----------------------------------------------------------------------------------


def test_sample_is_valid(sample_project):
    assert E.validate(sample_project) == []


def test_validate_reports_every_problem_with_its_path(sample_project):
    p = sample_project
    partners = list(p.partners)
    partners[4] = replace(partners[4], id=partners[1].id)  # a careless caller
    partners[5] = replace(partners[5], capacity=-1.0, back_office_capacity=None)
    scenarios = list(p.scenarios)
    scenarios[3] = replace(scenarios[3], name=scenarios[0].name, excluded=("nobody",))
    p = replace(p, partners=tuple(partners), scenarios=tuple(scenarios), chosen="Gone")
    problems = E.validate(p)
    got = paths(problems)
    for expected in (
        "partners[4].id",
        "partners[5].capacity",
        "partners[5].back_office_capacity",
        "scenarios[3].name",
        "scenarios[3].excluded[0]",
        "chosen",
    ):
        assert expected in got, problems
    assert len(got) == len(set(got))


def test_an_empty_project_says_what_is_missing():
    p = E.new_project()
    assert E.validate(p) == [
        Problem("budget.first_year", "is blank: enter the partnership's grant for the first year"),
        Problem("partners", "there are no partners yet: add at least one"),
    ]
    p = E.remove_scenario(p, 0)
    assert "scenarios" in paths(E.validate(p))


def test_blank_scores_are_never_read_as_no_need(sample_project):
    p = E.set_field(sample_project, "partners[3].multiple_disadvantage", None)
    (problem,) = E.validate(p)
    assert problem.path == "partners[3].multiple_disadvantage"
    assert "never read as no need" in problem.message


# ----------------------------------------------------------------------------------
# Partners
# ----------------------------------------------------------------------------------


def test_a_new_partner_is_blank_where_only_a_person_knows(sample_project):
    p = E.add_partner(sample_project)
    new = p.partners[-1]
    assert (new.capacity, new.multiple_disadvantage, new.back_office_capacity) == (None, None, None)
    assert new.name == "New partner 1" and new.id == "partner-1"
    assert paths(E.validate(p)) == [
        "partners[7].capacity",
        "partners[7].multiple_disadvantage",
        "partners[7].back_office_capacity",
        "partners[7].reach",  # a scenario of the sample shares by reach
    ]
    assert reopen(p) == p
    again = E.add_partner(p, index=0)
    assert again.partners[0].id == "partner-2" and again.partners[0].name == "New partner 2"


def test_add_partner_gives_a_taken_id_a_fresh_one_and_checks_values(sample_project):
    taken = replace(sample_project.partners[1], name="Another")
    p = E.add_partner(sample_project, taken)
    assert p.partners[-1].id == "partner-1"
    bad = Partner(id="x", name="X", capacity=-3, multiple_disadvantage=0.5, back_office_capacity=2)
    problems = pytest.raises(ValidationError, E.add_partner, sample_project, bad).value.problems
    assert paths(problems) == ["partners[7].capacity", "partners[7].back_office_capacity"]


def test_removing_partners_removes_them_from_every_left_out_list(sample_project):
    p = E.set_field(sample_project, "scenarios[0].excluded", "amani, sahara")
    p = E.set_field(p, "scenarios[2].excluded", "sahara")
    p = E.remove_partners(p, [2, 5])
    assert [q.id for q in p.partners] == [
        "riverside",
        "amani",
        "deafvoice",
        "rainbow",
        "clearwater",
    ]
    assert p.scenarios[0].excluded == ("amani",)
    assert p.scenarios[2].excluded == ()
    assert E.validate(p) == []
    assert refusal(E.remove_partners, p, [9]).message == "there is no partner 10"


def test_duplicate_partner(sample_project):
    p = E.duplicate_partner(sample_project, 0)
    copy = p.partners[1]
    assert copy.name == "Riverside Women's Network (copy)"
    assert copy.id not in {q.id for q in sample_project.partners}
    assert copy.lead is False and copy.capacity == sample_project.partners[0].capacity
    assert E.validate(p) == []
    p = E.duplicate_partner(p, 0)
    assert p.partners[1].name == "Riverside Women's Network (copy) 2"


def test_move_partner(sample_project):
    p = E.move_partner(sample_project, 0, 6)
    assert [q.id for q in p.partners][-1] == "riverside"
    assert E.move_partner(p, 6, 0) == sample_project
    assert refusal(E.move_partner, sample_project, 0, 7).path == "partners"


# ----------------------------------------------------------------------------------
# Needs answers and where scores come from
# ----------------------------------------------------------------------------------

ALL_MOST = {q.id: q.options[-1].id for q in needs.QUESTIONS}


def test_answers_fill_blank_scores_and_then_lead_them(sample_project):
    p = E.add_partner(sample_project)
    i = len(p.partners) - 1
    p = E.set_needs_answers(p, i, {"cs_racism": "most", "bo_finance": "none"})
    new = p.partners[i]
    assert (new.multiple_disadvantage, new.back_office_capacity) == (1.0, 0.0)
    assert new.score_source == {
        "multiple_disadvantage": "questionnaire",
        "back_office_capacity": "questionnaire",
    }
    # The answers change after a save and reload too.
    p = reopen(p)
    p = E.set_needs_answers(p, i, {"cs_racism": "half", "bo_finance": "dedicated"})
    assert (p.partners[i].multiple_disadvantage, p.partners[i].back_office_capacity) == (0.5, 1.0)
    p = reopen(p)
    assert p.partners[i].score_source["multiple_disadvantage"] == "questionnaire"
    # Clearing the answers leaves a blank, which validate asks for, never a 0.
    p = E.set_needs_answers(p, i, {"cs_racism": "half"})
    assert p.partners[i].back_office_capacity is None
    assert f"partners[{i}].back_office_capacity" in paths(E.validate(p))
    assert reopen(p) == p


def test_a_typed_score_stays_typed_until_handed_back(sample_project):
    p = E.set_needs_answers(sample_project, 1, ALL_MOST)
    assert p.partners[1].multiple_disadvantage == 0.85  # typed in the sample
    assert p.partners[1].score_source["multiple_disadvantage"] == "typed"
    p = E.use_questionnaire_score(p, 1, "multiple_disadvantage")
    assert p.partners[1].multiple_disadvantage == 1.0
    assert reopen(p) == p
    p = E.set_field(p, "partners[1].multiple_disadvantage", "0.7")
    assert p.partners[1].score_source["multiple_disadvantage"] == "typed"
    p = E.set_needs_answers(reopen(p), 1, {"cs_racism": "none"})
    assert p.partners[1].multiple_disadvantage == 0.7


def test_one_answer_through_set_field(sample_project):
    p = E.set_field(sample_project, "partners[2].needs_answers.cs_racism", "most")
    assert p.partners[2].needs_answers == {"cs_racism": "most"}
    p = E.set_field(p, "partners[2].needs_answers.cs_racism", "")
    assert p.partners[2].needs_answers == {}
    problem = refusal(E.set_field, p, "partners[2].needs_answers.cs_racism", "lots")
    assert problem.path == "partners[2].needs_answers.cs_racism"
    problem = refusal(E.set_field, p, "partners[2].needs_answers.cs_racsim", "")
    assert "did you mean cs_racism" in problem.message


def test_bad_answers_are_refused_by_name(sample_project):
    problem = refusal(E.set_needs_answers, sample_project, 2, {"cs_racism": "lots"})
    assert problem.path == "partners[2].needs_answers.cs_racism"
    with pytest.raises(ValidationError):
        E.use_questionnaire_score(sample_project, 2, "need")


# ----------------------------------------------------------------------------------
# Scenarios and the chosen one
# ----------------------------------------------------------------------------------


def test_add_and_duplicate_scenarios_get_unique_names(sample_project):
    p = E.add_scenario(sample_project)
    p = E.add_scenario(p)
    assert [s.name for s in p.scenarios[-2:]] == ["New scenario", "New scenario 2"]
    p = E.add_scenario(p, Scenario(name="Needs-weighted", ring_fence=0.2))
    assert p.scenarios[-1].name == "Needs-weighted 2"
    p = E.duplicate_scenario(p, 1)
    assert p.scenarios[2].name == "Needs-weighted (copy)"
    problem = refusal(E.add_scenario, sample_project, Scenario(name="X", excluded=("nobody",)))
    assert problem.path == "scenarios[4].excluded[0]"
    assert E.validate(p) == []


def test_chosen_follows_renames_moves_and_removals(sample_project):
    chosen = sample_project.chosen
    j = [s.name for s in sample_project.scenarios].index(chosen)
    p = E.rename_scenario(sample_project, j, "The bid")
    assert p.chosen == "The bid" and p.chosen_scenario.ring_fence == 0.3
    p = E.move_scenario(p, j, 0)
    assert p.chosen == "The bid" and p.scenarios[0].name == "The bid"
    p = E.remove_scenario(p, 0)
    assert p.chosen == p.scenarios[0].name
    assert E.validate(p) == []


def test_moving_keeps_an_implicit_choice(sample_project):
    p = replace(sample_project, chosen=None)
    first = p.scenarios[0].name
    p = E.move_scenario(p, 0, 2)
    assert p.chosen_scenario.name == first


def test_rename_refuses_a_taken_or_blank_name(sample_project):
    problem = refusal(E.rename_scenario, sample_project, 0, "Needs-weighted")
    assert problem == Problem(
        "scenarios[0].name",
        "another scenario is already called 'Needs-weighted'; names must differ",
    )
    assert refusal(E.rename_scenario, sample_project, 0, "  ").message == "must not be blank"


def test_set_chosen(sample_project):
    assert E.set_chosen(sample_project, "Needs-weighted").chosen == "Needs-weighted"
    problem = refusal(E.set_chosen, sample_project, "Nope")
    assert problem.path == "chosen" and "'Needs-weighted'" in problem.message


# ----------------------------------------------------------------------------------
# New projects and fingerprints
# ----------------------------------------------------------------------------------


def test_new_project_reads_typed_values():
    p = E.new_project("Harbour Partnership", "eur", "2028", "4", "€1.2m")
    assert (p.name, p.currency, p.start_year, p.year_count) == (
        "Harbour Partnership",
        "EUR",
        2028,
        4,
    )
    assert p.budget == Budget(first_year=1200000, annual_uplift=0.0)
    assert [s.name for s in p.scenarios] == ["Needs-weighted"] and p.chosen == "Needs-weighted"
    assert E.new_project().start_year == dt.date.today().year + 1
    with pytest.raises(ValidationError):
        E.new_project(years=12)


def test_fingerprint_follows_the_saved_form(sample_project):
    a = E.project_fingerprint(sample_project)
    assert a == E.project_fingerprint(reopen(sample_project))
    assert len(a) == 64
    changed = E.set_field(sample_project, "partners[0].notes", "changed")
    assert E.project_fingerprint(changed) != a
    assert (
        E.project_fingerprint(
            E.set_field(changed, "partners[0].notes", sample_project.partners[0].notes)
        )
        == a
    )


# ----------------------------------------------------------------------------------
# validate's quick checks against reading the project
# ----------------------------------------------------------------------------------

_ODD_VALUES = [
    None,
    -1,
    -1.0,
    0,
    0.0,
    0.5,
    1,
    1.5,
    11.0,
    2**60,
    -(2**60),
    10**400,
    1e308,
    float("nan"),
    float("inf"),
    -float("inf"),
    True,
    False,
    "",
    "  ",
    "x",
    "GBP",
    "gbp",
    "Amani\ud800",
    "É" * 3,
    "a" * 100_000,
    ("riverside",),
    ("nobody",),
    [],
    {},
    object(),
]


def _reading_problems(project) -> list[Problem]:
    from allocator.domain.model import _blanks_not_allowed, project_to_dict, read_project

    try:
        read_project(project_to_dict(project))
    except ValidationError as e:
        return e.problems + _blanks_not_allowed(project)
    return _blanks_not_allowed(project)


def test_quick_checks_give_exactly_what_reading_gives(sample_project):
    """strict_problems checks values in place and reads the project only when in
    doubt: for every field and many odd values, the problems are the reader's own."""
    from allocator.domain.fields import FIELDS
    from allocator.domain.model import _reader_accepts, strict_problems
    from tests.allocator.test_domain_roundtrip import _raw_set

    assert _reader_accepts(sample_project)
    tried = accepted = 0
    for spec in FIELDS:
        for value in _ODD_VALUES:
            for i in (0, 2):
                project = _raw_set(sample_project, spec.pattern, i, value)
                try:
                    expected = _reading_problems(project)
                except Exception:  # cannot even be written out; validate must still say so
                    assert E.validate(project)
                    continue
                tried += 1
                accepted += _reader_accepts(project)
                assert strict_problems(project) == expected, (spec.pattern, value)
    assert tried > 500 and accepted > 100  # both the quick path and the reading ran


def test_quick_checks_catch_duplicates_and_unknown_ids(sample_project):
    from allocator.domain.model import _reader_accepts, strict_problems

    first = sample_project.partners[0]
    twin = replace(sample_project, partners=(*sample_project.partners, replace(first, name="Twin")))
    assert not _reader_accepts(twin)
    assert paths(strict_problems(twin)) == [f"partners[{len(sample_project.partners)}].id"]
    stray = sample_project.with_scenario(0, excluded=("nobody",))
    assert paths(strict_problems(stray)) == ["scenarios[0].excluded[0]"]
    again = replace(
        sample_project, scenarios=(*sample_project.scenarios, sample_project.scenarios[0])
    )
    assert f"scenarios[{len(sample_project.scenarios)}].name" in paths(strict_problems(again))
    bad_answers = sample_project.with_partner(1, needs_answers={"no-such-question": "yes"})
    assert not _reader_accepts(bad_answers)
    assert paths(strict_problems(bad_answers))[0].startswith("partners[1].needs_answers")


def test_fingerprint_is_the_hash_of_the_saved_form(sample_project):
    import hashlib
    import json

    from allocator.domain.model import project_to_dict

    p = E.set_field(sample_project, "partners[1].name", 'Quote " and "partners":[] inside')
    text = json.dumps(
        project_to_dict(p), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=repr
    )
    assert E.project_fingerprint(p) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert E.project_fingerprint(p) == E.project_fingerprint(p)
