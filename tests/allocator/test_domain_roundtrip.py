"""The invariants between editing, validating and the project file, tested with hypothesis.

Whatever a person does through the editing functions, in any order and with any typed
value: the file reader never refuses the result, saving then opening gives the same
project back, and ``validate`` finds every problem the reader would refuse.
"""

from __future__ import annotations

import math
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.domain import edits as E
from allocator.domain import needs
from allocator.domain.fields import FIELDS
from allocator.domain.model import (
    Project,
    check_project,
    project_from_dict,
    project_to_dict,
    strict_problems,
)
from allocator.formats.files import dumps_project, loads_project
from tests.allocator.strategies import apply_edit, edits, typed_values

SLOW = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def starting_projects(sample):
    return st.sampled_from([sample, E.new_project(), E.add_partner(E.new_project())])


def check_invariants(project: Project) -> None:
    # Nothing an edit produces is refused by the reader ...
    assert strict_problems(project) == []
    # ... and saving then opening gives the same project back, print and all.
    text = dumps_project(project)
    again = loads_project(text)
    assert again == project
    assert dumps_project(again) == text
    assert E.project_fingerprint(again) == E.project_fingerprint(project)
    # Scores from the questionnaire follow the answers.
    for p in project.partners:
        scored = needs.score(p.needs_answers) if p.needs_answers else None
        for key in ("multiple_disadvantage", "back_office_capacity"):
            if p.score_source[key] == "questionnaire":
                assert getattr(p, key) == (scored.group_score(key) if scored else None)
    # References stay whole: excluded partners exist, the chosen scenario exists.
    ids = {p.id for p in project.partners}
    assert len(ids) == len(project.partners)
    assert all(set(s.excluded) <= ids for s in project.scenarios)
    assert project.chosen is None or project.chosen in [s.name for s in project.scenarios]
    # validate reports everything the reader refuses, and only then may a solve begin.
    problems = E.validate(project)
    assert {p.path for p in check_project(project)} <= {p.path for p in problems}


@SLOW
@given(data=st.data(), steps=st.lists(edits(), min_size=1, max_size=25))
def test_every_edit_sequence_saves_and_opens_unchanged(sample_project, data, steps):
    project = data.draw(starting_projects(sample_project))
    for step in steps:
        before = project
        project, refused = apply_edit(project, step)
        if refused:
            assert project is before  # a refused edit changes nothing
        check_invariants(project)


@SLOW
@given(data=st.data(), steps=st.lists(edits(), min_size=1, max_size=10))
def test_edits_never_change_the_project_they_were_given(sample_project, data, steps):
    project = data.draw(starting_projects(sample_project))
    for step in steps:
        snapshot = project_to_dict(project)
        after, _ = apply_edit(project, step)
        assert project_to_dict(project) == snapshot
        project = after


def _raw_set(project: Project, pattern: str, i: int, value):
    """Put a value in place without any check, as a careless caller could."""
    parts = pattern.split(".")
    if parts[0] == "partners[]":
        if not project.partners:
            return project
        return project.with_partner(i % len(project.partners), **{parts[1]: value})
    if parts[0] == "scenarios[]":
        if not project.scenarios:
            return project
        j = i % len(project.scenarios)
        s = project.scenarios[j]
        if len(parts) == 3:
            group = getattr(s, parts[1])
            return project.with_scenario(j, **{parts[1]: replace(group, **{parts[2]: value})})
        return project.with_scenario(j, **{parts[1]: value})
    if pattern == "years.start":
        return replace(project, start_year=value)
    if pattern == "years.count":
        return replace(project, year_count=value)
    if pattern.startswith("budget."):
        key = parts[1].removesuffix("[]")
        if key == "per_year":
            return replace(
                project, budget=replace(project.budget, per_year=(value,), first_year=None)
            )
        return replace(project, budget=replace(project.budget, **{key: value}))
    return replace(project, **{pattern: value})


def _raw_values():
    return st.one_of(
        typed_values(),
        st.sampled_from([-1.0, 0.0, 0.5, 1.5, 11.0, 0.3, 1e9, math.nan, math.inf]),
        st.lists(st.sampled_from(["riverside", "nobody", "amani"]), max_size=2).map(tuple),
    )


@SLOW
@given(
    data=st.data(),
    changes=st.lists(
        st.tuples(st.sampled_from([f.pattern for f in FIELDS]), st.integers(0, 7), _raw_values()),
        min_size=1,
        max_size=4,
    ),
)
def test_validate_finds_every_problem_the_reader_refuses(sample_project, data, changes):
    """Values put in place without set_field: whatever the reader would refuse,
    validate reports at the same path; when validate is content, so is the reader."""
    project = data.draw(starting_projects(sample_project))
    for pattern, i, value in changes:
        project = _raw_set(project, pattern, i, value)
    problems = E.validate(project)
    paths = {p.path for p in problems}
    try:
        refused = strict_problems(project)
    except Exception:  # a value so wrong that it cannot even be written out
        assert problems, "validate found nothing in a project that cannot be written"
        return
    assert {p.path for p in refused} <= paths
    if not problems:
        assert project_from_dict(project_to_dict(project)) == project


@SLOW
@given(steps=st.lists(edits(), min_size=1, max_size=15))
def test_a_project_validate_accepts_can_be_saved_and_reopened(sample_project, steps):
    project = sample_project
    for step in steps:
        project, _ = apply_edit(project, step)
    if not E.validate(project):
        assert loads_project(dumps_project(project)) == project
        assert project.budgets()  # a solve can read every figure
