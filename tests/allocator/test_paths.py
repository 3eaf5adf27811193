"""Field paths: the text form round-trips, values are found, and people read words."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.domain.fields import FIELDS
from allocator.domain.model import project_from_dict
from allocator.domain.paths import FieldPath, describe_path
from allocator.errors import ValidationError


@pytest.mark.parametrize(
    "text, parts, pattern",
    [
        ("partners[2].capacity", ("partners", 2, "capacity"), "partners[].capacity"),
        (
            "scenarios[0].weights.back_office_gap",
            ("scenarios", 0, "weights", "back_office_gap"),
            "scenarios[].weights.back_office_gap",
        ),
        ("budget.per_year[1]", ("budget", "per_year", 1), "budget.per_year[]"),
        ("years.count", ("years", "count"), "years.count"),
        ("name", ("name",), "name"),
        ("chosen", ("chosen",), "chosen"),
        ("scenarios[1].excluded[0]", ("scenarios", 1, "excluded", 0), "scenarios[].excluded[]"),
        ("", (), ""),
    ],
)
def test_parse_format_and_pattern(text, parts, pattern):
    path = FieldPath.parse(text)
    assert path.parts == parts
    assert str(path) == text
    assert path.pattern == pattern
    assert FieldPath.parse(path) is path


@pytest.mark.parametrize("text", ["partners[x].floor", "partners..floor", "2.capacity", "a b"])
def test_bad_paths_are_refused_naming_the_text(text):
    with pytest.raises(ValidationError) as e:
        FieldPath.parse(text)
    assert e.value.problems[0].path == text
    assert "is not a field path" in e.value.problems[0].message


@given(st.sampled_from(FIELDS), st.lists(st.integers(0, 99), min_size=2, max_size=2))
def test_every_field_path_round_trips(spec, indices):
    text = spec.pattern
    for i in indices:
        text = text.replace("[]", f"[{i}]", 1)
    path = FieldPath.parse(text)
    assert str(path) == text
    assert FieldPath.parse(str(path)) == path
    assert path.pattern == spec.pattern


def test_get_reads_the_project(sample_project):
    p = sample_project
    assert FieldPath.parse("partners[1].floor").get(p) == 60000
    assert FieldPath.parse("partners[1]").get(p).name == "Amani Collective"
    assert FieldPath.parse("scenarios[2].ring_fence").get(p) == 0.3
    assert FieldPath.parse("scenarios[0].weights.back_office_gap").get(p) == 0.0
    assert FieldPath.parse("years.start").get(p) == 2027
    assert FieldPath.parse("years.count").get(p) == 3
    assert FieldPath.parse("budget.first_year").get(p) == 1200000
    assert FieldPath.parse("chosen").get(p) == p.chosen
    assert FieldPath.parse("").get(p) is p
    assert (FieldPath.parse("partners[1]") / "capacity").get(p) == 180000
    with pytest.raises(LookupError):
        FieldPath.parse("partners[99].floor").get(p)
    with pytest.raises(LookupError):
        FieldPath.parse("partners[1].colour").get(p)


@pytest.mark.parametrize(
    "path, words",
    [
        ("partners[1].floor", "Amani Collective's floor"),
        ("partners[1].capacity", "Amani Collective's capacity"),
        (
            "partners[6].multiple_disadvantage",
            "Clearwater Advocacy Service's multiple disadvantage score",
        ),
        ("partners[3].reach", "Deaf Women's Voice's people served"),
        ("partners[1]", "Amani Collective"),
        ("partners[1].needs_answers.cs_racism", "Amani Collective's answer on racism"),
        ("partners[12].floor", "partner 13's floor"),
        ("budget.per_year[1]", "the budget for 2028"),
        ("budget.first_year", "the grant in the first year"),
        ("years.count", "the number of years"),
        ("scenarios[1].ring_fence", "scenario 'Needs-weighted': ring-fence"),
        (
            "scenarios[0].weights.back_office_gap",
            "scenario 'Bigger slice (size-proportional)': weight of the back-office gap",
        ),
        ("scenarios[1].excluded", "scenario 'Needs-weighted': partners left out"),
        ("chosen", "the chosen scenario"),
        ("partners", "the partners"),
        ("", "the project"),
    ],
)
def test_paths_in_words(sample_project, path, words):
    assert describe_path(sample_project, path) == words
    assert describe_path(sample_project, FieldPath.parse(path)) == words


def test_names_ending_in_s_take_a_plain_apostrophe(sample_project):
    project = sample_project.with_partner(0, name="Women's Aid Partners")
    assert describe_path(project, "partners[0].floor") == "Women's Aid Partners' floor"


SAMPLE = project_from_dict(
    json.loads(resources.files("resources").joinpath("sample.fairshare").read_text("utf-8"))
)


@given(st.sampled_from(FIELDS), st.integers(0, 3))
def test_no_known_path_is_ever_shown_as_code(spec, i):
    text = spec.pattern.replace("[]", f"[{i}]")
    words = describe_path(SAMPLE, text)
    assert "[" not in words and "_" not in words, (text, words)
