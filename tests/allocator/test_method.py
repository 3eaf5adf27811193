"""How FairShare decides, in plain words: one text for the workbook, the command line and Help."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from allocator.domain.model import Budget, Partner, Project, Scenario, Weights
from allocator.domain.needs import explain_scoring
from allocator.engine.solve import solve
from allocator.errors import ValidationError
from allocator.formats.files import load_project
from allocator.report.method import TITLE, method_text, share_text, size_shaped

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"
BIGGER_SLICE = Scenario(name="Bigger slice", weights=Weights(0.0, 0.0))


@pytest.fixture(scope="module")
def sample() -> Project:
    return load_project(SAMPLE)


def text_of(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{h}\n{p}" for h, p in pairs)


def headings(pairs: list[tuple[str, str]]) -> list[str]:
    return [h for h, _ in pairs if h]


def test_general_text_covers_the_whole_method(sample: Project) -> None:
    pairs = method_text(sample)
    assert pairs[0][0] == TITLE == "How FairShare decides"
    assert all(isinstance(h, str) and isinstance(p, str) and p for h, p in pairs)
    found = headings(pairs)
    for heading in (
        "What goes in",
        "Need",
        "Fair share: core grant plus formula",
        "Attainment",
        "The rule: raise the worst-off first",
        "The rules",
        "Management fee",
        "Ring-fence",
        "Needs floor",
        "Spread limit",
        "Lead cap",
        "Left out",
        "Full cost recovery",
        "Rounding",
        "The comparison: the size-proportional split (the bigger slice)",
        "Measures of the split",
        "How the needs questions become scores",
    ):
        assert heading in found, heading
    text = text_of(pairs)
    assert "n = base × (1 + w_d × d + w_b × (1 − b))" in text
    assert "D × (κ ÷ N + (1 − κ) × n ÷ the total need" in text
    assert "leximin" in text
    assert "largest remainder" in text
    assert "never read as no need" in text
    assert "£1,200,000 in 2027, £1,224,000 in 2028, £1,248,480 in 2029" in text


def test_the_needs_scoring_is_the_questionnaire_text_itself(sample: Project) -> None:
    pairs = method_text(sample)
    start = headings(pairs).index("How the needs questions become scores")
    first = [h for h, _ in pairs].index("How the needs questions become scores")
    scoring = [p for _, p in pairs[first:]]
    assert scoring == explain_scoring().split("\n\n")
    assert all(h == "" for h, _ in pairs[first + 1 :])  # continuation paragraphs
    assert start == len(headings(pairs)) - 1


def test_a_scenario_gives_its_own_values_and_the_rules_it_leaves_out(sample: Project) -> None:
    chosen = sample.chosen_scenario
    assert chosen is not None and chosen.ring_fence == 0.3 and chosen.management_fee == 0.1
    pairs = method_text(sample, chosen.name)
    text = text_of(pairs)
    assert "w_d = 1 and w_b = 0.5" in text
    assert "at least 30% of the distributable budget" in text
    assert "keeps 10% of each year's budget" in text
    assert "the core share is 0: fair shares follow need alone" in text
    found = headings(pairs)
    assert "Spread limit" not in found and "Needs floor" not in found
    unused = dict(pairs)["Not used in this scenario"]
    assert unused == "Needs floor, spread limit and lead cap."
    assert method_text(sample, chosen) == pairs


def test_core_share_and_left_out_partners_in_words(sample: Project) -> None:
    scenario = Scenario(name="Core", core_share=0.25, excluded=("northgate",))
    text = text_of(method_text(sample, scenario))
    assert "the core share is 25%: 25% of D is shared equally and 75% by need" in text
    assert "Left out of this scenario, with no grant: Northgate Housing Trust." in text
    assert "northgate" not in text  # names, never ids or field paths
    assert not re.search(r"\w\[\d*\]", text)


def test_unknown_scenario_is_refused(sample: Project) -> None:
    with pytest.raises(ValidationError):
        method_text(sample, "No such scenario")


def test_help_without_a_project() -> None:
    text = text_of(method_text(None))
    assert "The grant for each year." in text
    assert "names the one that goes into the bid" in text


@pytest.mark.parametrize(
    ("value", "text"), [(0.3, "30%"), (0.075, "7.5%"), (0.1234, "12.34%"), (0.0, "0%"), (1, "100%")]
)
def test_shares_read_as_they_were_entered(value: float, text: str) -> None:
    assert share_text(value) == text


def test_why_the_bigger_slice_scenario_differs_from_the_comparison(sample: Project) -> None:
    assert size_shaped(BIGGER_SLICE)
    text = text_of(method_text(sample, BIGGER_SLICE))
    # the sample's smallest partner has a floor above its share by capacity
    assert "where Deaf Women's Voice is lifted to its floor" in text
    with_fee = dataclasses.replace(BIGGER_SLICE, management_fee=0.05)
    assert "its management fee of 5% comes off before the fair shares" in text_of(
        method_text(sample, with_fee)
    )
    plain = dataclasses.replace(sample, partners=tuple(
        dataclasses.replace(p, floor=0.0) for p in sample.partners))  # fmt: skip
    assert "so its grants are that split" in text_of(method_text(plain, BIGGER_SLICE))


def test_the_comparison_is_the_one_the_results_carry() -> None:
    # One definition: where the method says a scenario's grants are the size-proportional
    # split (capacity basis, no weights, no rule that moves money), the engine agrees.
    partners = tuple(
        Partner(
            id=f"p{i}",
            name=f"Partner {i}",
            capacity=c,
            multiple_disadvantage=0.5,
            back_office_capacity=0.5,
            lead=i == 0,
        )
        for i, c in enumerate((400000.0, 150000.0, 90000.0, 61000.0))
    )
    project = Project(
        name="Plain",
        currency="GBP",
        start_year=2027,
        year_count=2,
        budget=Budget(first_year=500001.0, annual_uplift=0.03),
        partners=partners,
        scenarios=(BIGGER_SLICE,),
    )
    assert "so its grants are that split" in text_of(method_text(project, BIGGER_SLICE))
    (result,) = solve(project)
    assert result.ok
    for p in result.partners:
        assert list(p.per_year) == list(p.size_proportional), p.name
        assert p.vs_size_proportional == 0
