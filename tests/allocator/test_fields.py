"""The field descriptions, values as people type them, and money and percentages in words."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.domain import text
from allocator.domain.fields import (
    FIELDS,
    PARTNER_COLUMNS,
    PROJECT_FIELDS,
    SCENARIO_FIELDS,
    format_value,
    parse_value,
    spec_for,
)
from allocator.domain.paths import FieldPath
from allocator.errors import ValidationError


def refused(pattern: str, value) -> str:
    with pytest.raises(ValidationError) as e:
        parse_value(spec_for(pattern), value, pattern)
    (problem,) = e.value.problems
    assert problem.path == pattern
    return problem.message


# ----------------------------------------------------------------------------------
# The descriptions
# ----------------------------------------------------------------------------------


def test_column_and_form_orders():
    assert [s.key for s in PARTNER_COLUMNS] == [
        "name",
        "lead",
        "by_and_for",
        "capacity",
        "floor",
        "reach",
        "multiple_disadvantage",
        "back_office_capacity",
        "notes",
    ]
    assert [s.pattern.removeprefix("scenarios[].") for s in SCENARIO_FIELDS] == [
        "basis",
        "weights.multiple_disadvantage",
        "weights.back_office_gap",
        "core_share",
        "management_fee",
        "ring_fence",
        "needs_floor",
        "spread_limit",
        "lead_cap",
        "back_office_rate.base",
        "back_office_rate.uplift",
        "unrestricted_share",
        "excluded",
    ]
    assert [s.pattern for s in PROJECT_FIELDS] == [
        "name",
        "currency",
        "years.start",
        "years.count",
        "budget.first_year",
        "budget.annual_uplift",
        "budget.per_year[]",
    ]


def test_every_field_has_words_for_people():
    patterns = [s.pattern for s in FIELDS]
    assert len(patterns) == len(set(patterns))
    for spec in FIELDS:
        assert spec.label and spec.help and spec.words, spec.pattern
        assert spec.help.endswith("."), spec.pattern
        assert spec.kind in {
            "text",
            "money",
            "count",
            "year",
            "score",
            "share",
            "ratio",
            "bool",
            "choice",
            "ids",
            "rate",
            "rules",
        }


def test_capacity_header_and_bounds():
    spec = spec_for("partners[3].capacity")
    assert spec.label == "Capacity (per year)"
    assert (spec.minimum, spec.exclusive_min, spec.unit) == (0, True, "currency")
    assert spec_for(FieldPath.parse("scenarios[0].management_fee")).maximum == 0.25
    assert spec_for("scenarios[].management_fee").bounds_text == "from 0% to 25%"
    assert spec_for("years.count").bounds_text == "from 1 to 10"


def test_unknown_field_is_a_key_error():
    with pytest.raises(KeyError, match="partners\\[1\\].colour"):
        spec_for("partners[1].colour")


# ----------------------------------------------------------------------------------
# Values as people type them
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("£120,000", 120000.0),
        ("120k", 120000.0),
        ("£1.2m", 1200000.0),
        (" 7 500 ", 7500.0),
        ("GBP 90,000", 90000.0),
        ("90000 EUR", 90000.0),
        (120000, 120000.0),
        (1.5e5, 150000.0),
    ],
)
def test_money_as_typed(typed, expected):
    value = parse_value(spec_for("partners[].capacity"), typed)
    assert value == expected and isinstance(value, float)


def test_money_refusals_say_what_is_allowed():
    assert refused("partners[].capacity", "lots") == (
        "must be an amount such as 120000, 120,000, £120k or 1.2m, got 'lots'"
    )
    assert refused("partners[].capacity", "-5") == "must be greater than 0, got -5"
    assert refused("partners[].capacity", "(1,000)") == "must be greater than 0, got -1000"
    assert refused("partners[].floor", "\u22123") == "must be at least 0, got -3"
    assert refused("partners[].floor", "35%").endswith("not a percentage, got '35%'")
    assert refused("partners[].capacity", True).startswith("must be an amount")
    assert refused("partners[].capacity", math.nan) == "must be an ordinary number, got nan"
    assert refused("partners[].capacity", math.inf) == "must be an ordinary number, got inf"


@pytest.mark.parametrize("typed", ["35%", "0.35", 0.35, " 35 % "])
def test_shares_as_typed(typed):
    assert parse_value(spec_for("scenarios[].ring_fence"), typed) == 0.35


def test_share_above_its_maximum_suggests_the_percentage():
    assert refused("scenarios[].ring_fence", "35") == (
        "must be at most 1 (100%), got 35 (to mean 35%, enter 35% or 0.35)"
    )
    assert refused("scenarios[].management_fee", 0.4) == "must be at most 0.25 (25%), got 0.4"


def test_score_hints_never_suggest_a_hundredth_of_a_score():
    message = refused("partners[].multiple_disadvantage", "1.2")
    assert message == "must be at most 1, got 1.2; scores run from 0 to 1"
    assert "0.012" not in message
    assert refused("partners[].back_office_capacity", 12).endswith(
        "; scores run from 0 to 1 (to mean 12%, enter 0.12)"
    )
    assert parse_value(spec_for("partners[].multiple_disadvantage"), "35%") == 0.35


def test_blanks():
    assert parse_value(spec_for("partners[].reach"), "") is None
    assert parse_value(spec_for("partners[].multiple_disadvantage"), "  ") is None
    assert parse_value(spec_for("scenarios[].spread_limit"), None) is None
    assert parse_value(spec_for("partners[].notes"), None) == ""
    assert parse_value(spec_for("scenarios[].excluded"), "") == ()
    assert refused("scenarios[].core_share", "").startswith("cannot be blank: enter a share")
    assert refused("scenarios[].basis", "") == (
        "cannot be blank: enter one of equal, capacity, reach"
    )
    assert refused("partners[].name", "   ") == "must not be blank"


@pytest.mark.parametrize(
    "typed, expected",
    [("yes", True), ("No", False), ("x", True), ("", False), (True, True), (0, False), ("✓", True)],
)
def test_marks(typed, expected):
    assert parse_value(spec_for("partners[].lead"), typed) is expected


def test_marks_refuse_anything_else():
    assert refused("partners[].by_and_for", "maybe") == "must be yes or no, got text 'maybe'"
    assert refused("partners[].by_and_for", 2) == "must be yes or no, got 2"


def test_choices_text_and_ids():
    assert parse_value(spec_for("scenarios[].basis"), " Reach ") == "reach"
    assert refused("scenarios[].basis", "size") == (
        "must be one of equal, capacity, reach, got 'size'"
    )
    assert parse_value(spec_for("currency"), "eur") == "EUR"
    assert parse_value(spec_for("currency"), "£") == "GBP"
    assert refused("currency", "pounds") == (
        "must be a three-letter code such as GBP or EUR, got 'POUNDS'"
    )
    assert parse_value(spec_for("partners[].name"), "  Amani \t Collective ") == "Amani Collective"
    assert parse_value(spec_for("partners[].notes"), "line one\nline two") == "line one\nline two"
    assert refused("partners[].name", "x" * 2001).startswith("is too long (2001 characters")
    assert refused("partners[].name", "bad \ud800 text").startswith("holds a broken character")
    assert parse_value(spec_for("scenarios[].excluded"), "amani; sahara, amani") == (
        "amani",
        "sahara",
    )


def test_whole_numbers():
    assert parse_value(spec_for("years.start"), "2027") == 2027
    assert parse_value(spec_for("years.count"), 3.0) == 3
    assert refused("years.count", "3.5") == "must be a whole number, got 3.5"
    assert refused("years.count", 11) == "must be at most 10, got 11"
    assert parse_value(spec_for("partners[].reach"), "5,200") == 5200.0


@pytest.mark.parametrize(
    "pattern, value, shown",
    [
        ("partners[].capacity", 120000.0, "120,000"),
        ("partners[].capacity", 1234.5, "1,234.5"),
        ("scenarios[].ring_fence", 0.35, "35%"),
        ("scenarios[].ring_fence", 0.125, "12.5%"),
        ("budget.annual_uplift", -0.02, "-2%"),
        ("partners[].multiple_disadvantage", 0.35, "0.35"),
        ("scenarios[].spread_limit", 2.0, "2"),
        ("partners[].lead", True, "yes"),
        ("partners[].reach", None, ""),
        ("years.start", 2027, "2027"),
        ("scenarios[].excluded", ("amani", "sahara"), "amani, sahara"),
    ],
)
def test_values_shown_for_editing(pattern, value, shown):
    spec = spec_for(pattern)
    assert format_value(spec, value) == shown
    assert parse_value(spec, shown) == (value if value is not None else None)


@given(st.sampled_from([s for s in FIELDS if s.is_number]), st.data())
def test_what_is_shown_reads_back_as_the_value(spec, data):
    lo = spec.minimum if spec.minimum is not None else 0.0
    hi = spec.maximum if spec.maximum is not None else 1e9
    if spec.whole:
        value = data.draw(st.integers(int(lo), int(hi)))
    else:
        value = data.draw(
            st.floats(lo, hi, exclude_min=spec.exclusive_min).map(lambda v: round(v, 6))
        )
        if spec.exclusive_min and value <= lo:
            return
    again = parse_value(spec, format_value(spec, value))
    assert again == pytest.approx(value, rel=1e-9, abs=1e-9)


# ----------------------------------------------------------------------------------
# Money and percentages in words
# ----------------------------------------------------------------------------------


def test_money():
    assert text.money(120000) == "£120,000"
    assert text.money(1234.5) == "£1,235"
    assert text.money(-1200, "GBP") == "\u2212£1,200"
    assert text.money(-0.4) == "£0"
    assert text.money(2500000, "EUR") == "€2,500,000"
    assert text.money(900, "CHF") == "900 CHF"


def test_signed_money():
    assert text.signed_money(1200) == "+£1,200"
    assert text.signed_money(-1200) == "\u2212£1,200"
    assert text.signed_money(0.3) == "£0"


def test_percentages():
    assert text.pct(0.299) == "29.9%"
    assert text.pct(0.2999) == "30.0%"
    assert text.pct(0.3, 0) == "30%"
    assert text.pct(-0.05) == "\u22125.0%"
    assert text.pct(-0.0001) == "0.0%"


def test_currency_symbols():
    assert text.currency_symbol("GBP") == "£"
    assert text.currency_symbol("usd") == "$"
    assert text.currency_symbol("CHF") == "CHF"
    assert set(text.CURRENCY_SYMBOLS) == {"GBP", "EUR", "USD"}


def test_no_figure_for_what_is_not_a_number():
    with pytest.raises(ValueError):
        text.money(math.nan)
    with pytest.raises(ValueError):
        text.pct(math.inf)


@pytest.mark.parametrize("typed", ["_", "-", "+", "()", "(", "%", "£", "k", "-k", "\u2212", " "])
def test_a_sign_or_symbol_alone_is_refused_in_words_for_every_number_field(typed):
    """A lone sign once crashed the parser (it looked at the first character of nothing)."""
    from allocator.domain.fields import FIELDS, parse_value
    from allocator.errors import ValidationError

    for spec in FIELDS:
        if spec.kind not in ("money", "count", "year", "score", "share", "ratio", "rate"):
            continue
        try:
            value = parse_value(spec, typed, spec.pattern)
        except ValidationError as exc:
            assert exc.problems[0].message
        else:
            assert value is None and spec.optional, (spec.pattern, typed)
