"""Every field a person can edit, described once as data.

The file reader checks ranges with these descriptions, ``validate`` reports with them,
``set_field`` parses what a person types with them, and the desktop app's column
headers, spin boxes and tooltips read the same labels, bounds and help. A bound or a
message therefore lives in exactly one place.

A field's ``pattern`` is its path with list indices blanked: ``partners[].capacity``,
``scenarios[].ring_fence``, ``budget.per_year[]``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from allocator.domain.text import CURRENCY_SYMBOLS
from allocator.errors import Problem, ValidationError

MAX_TEXT = 2000
"""Longest text accepted in any field, in characters."""

BASES = ("equal", "capacity", "reach")
RULES = ("ring_fence", "needs_floor", "spread_limit", "lead_cap", "core_share")
"""The partnership's rules a scenario may keep out of suggested changes (``keep``)."""
KEEP_DEFAULT: tuple[str, ...] = RULES
SCORE_SOURCES = ("typed", "questionnaire")


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: where it lives, what it holds, its bounds and its words.

    ``optional`` means a blank (``None``) may be stored. ``blank_problem`` is set for
    fields that may be blank while a person fills a project in, but that a solve
    needs: ``validate`` reports a blank one with that message, never reading it as 0.
    """

    pattern: str
    key: str
    kind: str
    label: str
    help: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_min: bool = False
    optional: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    short: str = ""
    words: str = ""
    """The field in a sentence, after a partner's or scenario's name: "floor"."""
    whole: bool = False
    """Whole numbers only (years, the number of years)."""
    blank_problem: str = ""

    @property
    def is_number(self) -> bool:
        return self.kind in _NUMBER_KINDS

    @property
    def bounds_text(self) -> str:
        """The allowed range in words, for help and for ``fairshare set --list``."""
        if self.kind in ("text", "bool", "ids"):
            return ""
        if self.kind == "rules":
            return "any of " + ", ".join(self.choices)
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        lo = self.minimum
        hi = self.maximum
        show = _show_share if self.kind in ("share", "rate") else _fmt
        if lo is not None and hi is not None:
            low = f"above {show(lo)}" if self.exclusive_min else f"from {show(lo)}"
            return f"{low} to {show(hi)}"
        if lo is not None:
            return f"above {show(lo)}" if self.exclusive_min else f"at least {show(lo)}"
        if hi is not None:
            return f"at most {show(hi)}"
        return ""


_NUMBER_KINDS = ("money", "count", "year", "score", "share", "ratio", "rate")

_SCORE_BLANK = (
    "is blank: answer the needs questions or enter a score from 0 to 1 "
    "(a blank is never read as no need)"
)


def _project(pattern: str, kind: str, label: str, help: str, words: str, **more: Any) -> FieldSpec:
    key = pattern.rsplit(".", 1)[-1].replace("[]", "")
    return FieldSpec(pattern, key, kind, label, help, words=words, **more)


PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    _project(
        "name",
        "text",
        "Project name",
        "The partnership's name for this bid, shown on every sheet of the workbook.",
        "the project name",
        short="Name",
    ),
    _project(
        "currency",
        "text",
        "Currency",
        "Three-letter currency code of every amount, such as GBP, EUR or USD.",
        "the currency",
        default="GBP",
    ),
    _project(
        "years.start",
        "year",
        "First year",
        "The calendar or financial year the grant starts, such as 2027.",
        "the first year",
        minimum=1900,
        maximum=2200,
        whole=True,
        short="Start",
    ),
    _project(
        "years.count",
        "count",
        "Number of years",
        "How many years the grant runs for, 1 to 10.",
        "the number of years",
        unit="years",
        minimum=1,
        maximum=10,
        whole=True,
        default=3,
        short="Years",
    ),
    _project(
        "budget.first_year",
        "money",
        "Grant in the first year",
        "The whole partnership's grant in the first year; later years grow by the annual uplift.",
        "the grant in the first year",
        unit="currency",
        minimum=0,
        exclusive_min=True,
        optional=True,
        short="First year",
        blank_problem="is blank: enter the partnership's grant for the first year",
    ),
    _project(
        "budget.annual_uplift",
        "rate",
        "Annual uplift",
        "How much the grant grows each year after the first, such as 2%; negative for "
        "a grant that shrinks.",
        "the annual uplift",
        unit="share",
        minimum=-0.5,
        maximum=1.0,
        default=0.0,
        short="Uplift",
    ),
    _project(
        "budget.per_year[]",
        "money",
        "Grant for the year",
        "The whole partnership's grant in this year, when each year's figure is given.",
        "the budget",
        unit="currency",
        minimum=0,
        exclusive_min=True,
        optional=True,
        short="Grant",
        blank_problem="is blank: enter the partnership's grant for this year",
    ),
)

CHOSEN = _project(
    "chosen",
    "choice",
    "Chosen scenario",
    "The scenario that goes into the bid: the workbook shows it unless told otherwise.",
    "the chosen scenario",
    optional=True,
    short="Chosen",
)


def _partner(key: str, kind: str, label: str, help: str, words: str, **more: Any) -> FieldSpec:
    return FieldSpec(f"partners[].{key}", key, kind, label, help, words=words, **more)


PARTNER_COLUMNS: tuple[FieldSpec, ...] = (
    _partner(
        "name",
        "text",
        "Name",
        "The partner organisation's name, as it should appear in the bid.",
        "name",
        short="Name",
    ),
    _partner(
        "lead",
        "bool",
        "Lead",
        "The consortium lead: it receives the management fee. Exactly one partner is the "
        "lead where a fee or a lead cap is set.",
        "lead mark",
        default=False,
        short="Lead",
    ),
    _partner(
        "by_and_for",
        "bool",
        "By and for",
        "Led by and for the community it serves; counts towards the ring-fence.",
        "by-and-for mark",
        default=False,
        short="By and for",
    ),
    _partner(
        "capacity",
        "money",
        "Capacity (per year)",
        "The most this partner can absorb and deliver in a year.",
        "capacity",
        unit="currency",
        minimum=0,
        exclusive_min=True,
        optional=True,
        short="Capacity",
        blank_problem="is blank: enter the most this partner can take in a year (above 0)",
    ),
    _partner(
        "floor",
        "money",
        "Floor (per year)",
        "The smallest grant a year that keeps this partner's work viable; 0 for none.",
        "floor",
        unit="currency",
        minimum=0,
        default=0.0,
        short="Floor",
    ),
    _partner(
        "reach",
        "count",
        "People served (per year)",
        "How many people it supports in a year; needed only where a scenario shares by reach.",
        "people served",
        unit="people",
        minimum=0,
        optional=True,
        short="People",
    ),
    _partner(
        "multiple_disadvantage",
        "score",
        "Multiple disadvantage (0-1)",
        "How much intersecting disadvantage the communities it serves face, and the "
        "organisation itself: 0 none, 1 the most. The needs questions can fill it.",
        "multiple disadvantage score",
        unit="score",
        minimum=0,
        maximum=1,
        optional=True,
        short="Disadvantage",
        blank_problem=_SCORE_BLANK,
    ),
    _partner(
        "back_office_capacity",
        "score",
        "Back-office capacity (0-1)",
        "Its finance, HR, IT, governance and fundraising capacity: 0 none, 1 fully "
        "resourced. The needs questions can fill it.",
        "back-office capacity score",
        unit="score",
        minimum=0,
        maximum=1,
        optional=True,
        short="Back office",
        blank_problem=_SCORE_BLANK,
    ),
    _partner(
        "notes",
        "text",
        "Notes",
        "Anything the partnership should remember about this partner.",
        "notes",
        optional=True,
        default="",
        short="Notes",
    ),
)


def _scenario(key: str, kind: str, label: str, help: str, words: str, **more: Any) -> FieldSpec:
    return FieldSpec(
        f"scenarios[].{key}", key.rsplit(".", 1)[-1], kind, label, help, words=words, **more
    )


SCENARIO_NAME = _scenario(
    "name",
    "text",
    "Scenario name",
    "A name that says what the scenario does, unique in the project.",
    "name",
    short="Name",
)

SCENARIO_FIELDS: tuple[FieldSpec, ...] = (
    _scenario(
        "basis",
        "choice",
        "Fair shares scale with",
        "What a fair share grows with before need is weighed in: equal (the same for "
        "everyone), capacity, or reach (people served).",
        "basis",
        choices=BASES,
        default="capacity",
        short="Basis",
    ),
    _scenario(
        "weights.multiple_disadvantage",
        "ratio",
        "Weight of multiple disadvantage",
        "How much a partner's multiple disadvantage score raises its need; 0 ignores it.",
        "weight of multiple disadvantage",
        minimum=0,
        maximum=10,
        default=1.0,
        short="Disadvantage weight",
    ),
    _scenario(
        "weights.back_office_gap",
        "ratio",
        "Weight of the back-office gap",
        "How much a lack of back-office capacity (1 minus the score) raises need; 0 ignores it.",
        "weight of the back-office gap",
        minimum=0,
        maximum=10,
        default=0.5,
        short="Back-office weight",
    ),
    _scenario(
        "core_share",
        "share",
        "Core share",
        "The share of the grant that makes up equal core fair shares; the rest follows "
        "need. 0% is purely by need, 100% equal shares.",
        "core share",
        unit="share",
        minimum=0,
        maximum=1,
        default=0.0,
        short="Core",
    ),
    _scenario(
        "management_fee",
        "share",
        "Management fee",
        "The lead's top-slice for coordinating the partnership, as a share of each "
        "year's grant (at most 25%).",
        "management fee",
        unit="share",
        minimum=0,
        maximum=0.25,
        default=0.0,
        short="Fee",
    ),
    _scenario(
        "ring_fence",
        "share",
        "Ring-fence for by-and-for partners",
        "The least share of the grant (after the fee) that goes to by-and-for partners.",
        "ring-fence",
        unit="share",
        minimum=0,
        maximum=1,
        default=0.0,
        short="Ring-fence",
    ),
    _scenario(
        "needs_floor",
        "share",
        "Needs floor",
        "Every partner gets at least this share of its fair share.",
        "needs floor",
        unit="share",
        minimum=0,
        maximum=1,
        default=0.0,
        short="Needs floor",
    ),
    _scenario(
        "spread_limit",
        "ratio",
        "Spread limit",
        "The most that funding per unit of need may differ between two partners, as a "
        "ratio such as 2; blank for no limit.",
        "spread limit",
        minimum=1,
        optional=True,
        short="Spread",
    ),
    _scenario(
        "lead_cap",
        "share",
        "Lead cap",
        "The most the lead may take of the grant (after its fee); blank for no cap.",
        "lead cap",
        unit="share",
        minimum=0,
        maximum=1,
        optional=True,
        short="Lead cap",
    ),
    _scenario(
        "back_office_rate.base",
        "share",
        "Back-office rate",
        "Full cost recovery: the back-office line every partner's budget carries, as a "
        "share of its delivery costs.",
        "back-office rate",
        unit="share",
        minimum=0,
        maximum=1,
        default=0.10,
        short="Back-office rate",
    ),
    _scenario(
        "back_office_rate.uplift",
        "share",
        "Back-office uplift",
        "Added to the back-office rate in proportion to a partner's back-office gap, "
        "so the least resourced get the most.",
        "back-office uplift",
        unit="share",
        minimum=0,
        maximum=1,
        default=0.15,
        short="Uplift",
    ),
    _scenario(
        "unrestricted_share",
        "share",
        "Unrestricted share",
        "The share of each grant marked unrestricted: a label on part of the grant, not "
        "extra money.",
        "unrestricted share",
        unit="share",
        minimum=0,
        maximum=1,
        default=0.0,
        short="Unrestricted",
    ),
    _scenario(
        "excluded",
        "ids",
        "Partners left out",
        "Partners that take no part in this scenario.",
        "partners left out",
        default=(),
        short="Left out",
    ),
)

# Kept apart from the settings that shape a split (SCENARIO_FIELDS, which the app's
# scenario form and the comparison of settings list): it says only what suggestions
# for a scenario that cannot be met may change.
SCENARIO_KEEP = _scenario(
    "keep",
    "rules",
    "Rules suggestions keep",
    "The partnership's rules that suggested changes never loosen when the scenario "
    "cannot be met; blank lets every rule be suggested. Floors and the management "
    "fee are always open to suggestions.",
    "rules kept",
    choices=RULES,
    default=KEEP_DEFAULT,
    short="Keep",
)

FIELDS: tuple[FieldSpec, ...] = (
    PROJECT_FIELDS
    + (CHOSEN,)
    + PARTNER_COLUMNS
    + (SCENARIO_NAME,)
    + SCENARIO_FIELDS
    + (SCENARIO_KEEP,)
)

_BY_PATTERN = {spec.pattern: spec for spec in FIELDS}
_INDEX = re.compile(r"\[\d+\]")


def pattern_of(path: Any) -> str:
    """A path's pattern, list indices blanked: ``partners[2].floor`` -> ``partners[].floor``."""
    return _INDEX.sub("[]", str(path))


def spec_for(path: Any) -> FieldSpec:
    """The description of the field at ``path`` (a FieldPath or its text); KeyError if none."""
    pattern = getattr(path, "pattern", None) or pattern_of(path)
    try:
        return _BY_PATTERN[pattern]
    except KeyError:
        raise KeyError(f"{str(path)!r} is not a field FairShare knows") from None


# ----------------------------------------------------------------------------------
# Checking a value against its description
# ----------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        v = int(v)
    return f"{v}"


def _show_share(v: float) -> str:
    return f"{_fmt(round(v * 100, 10))}%"


def show(v: Any) -> str:
    """A value as a message quotes it: text in quotes, numbers as given."""
    if isinstance(v, str):
        s = v if len(v) <= 40 else v[:37] + "..."
        return f"text {s!r}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "nothing"
    if isinstance(v, (list, tuple)):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return repr(v)


def _percent_hint(spec: FieldSpec, v: float) -> str:
    """For a score or share that looks like a percentage typed as a number (12 for 12%)."""
    looks_like_percent = 1 < v <= 100 and (v.is_integer() or (v >= 10 and v * 10 == int(v * 10)))
    if spec.kind == "score":
        text = "; scores run from 0 to 1"
        if looks_like_percent:
            text += f" (to mean {_fmt(v)}%, enter {_fmt(round(v / 100, 10))})"
        return text
    if spec.kind in ("share", "rate") and looks_like_percent:
        return f" (to mean {_fmt(v)}%, enter {_fmt(v)}% or {_fmt(round(v / 100, 10))})"
    return ""


def check_number(spec: FieldSpec, v: Any) -> str | None:
    """What is wrong with a number for this field, or None (None itself is not checked)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return f"must be a number, got {show(v)}"
    try:
        fv = float(v)
    except OverflowError:
        return f"is far too large, got a number with {len(str(abs(v)))} digits"
    if not math.isfinite(fv):
        return f"must be an ordinary number, got {fv}"
    if spec.whole and not fv.is_integer():
        return f"must be a whole number, got {_fmt(v)}"
    lo, hi = spec.minimum, spec.maximum
    percent = spec.kind in ("share", "rate")
    if lo is not None:
        if spec.exclusive_min and fv <= lo:
            return f"must be greater than {_fmt(lo)}, got {_fmt(v)}"
        if not spec.exclusive_min and fv < lo:
            shown = f" ({_show_share(lo)})" if percent and lo != 0 else ""
            return f"must be at least {_fmt(lo)}{shown}, got {_fmt(v)}"
    if hi is not None and fv > hi:
        shown = f" ({_show_share(hi)})" if percent else ""
        return f"must be at most {_fmt(hi)}{shown}, got {_fmt(v)}" + _percent_hint(spec, fv)
    return None


def check_value(spec: FieldSpec, v: Any) -> str | None:
    """What is wrong with a stored value for this field, or None if it may be stored.

    A blank where one is allowed passes: whether a solve needs it is ``validate``'s
    business (``blank_problem``). The reader, ``set_field`` and ``validate`` all use this.
    """
    if v is None:
        if spec.optional and spec.kind not in ("text", "bool", "ids", "rules"):
            return None
        if spec.kind == "text":
            return "is required: enter some text"
        return "is required: enter a number" if spec.is_number else "is required"
    if spec.is_number:
        return check_number(spec, v)
    if spec.kind == "bool":
        return None if isinstance(v, bool) else f"must be true or false, got {show(v)}"
    if spec.kind == "text":
        return _check_text(spec, v)
    if spec.kind == "choice":
        if not isinstance(v, str):
            return f"must be text, got {show(v)}"
        if spec.choices and v not in spec.choices:
            return f"must be one of {', '.join(spec.choices)}, got {v!r}"
        return None
    if spec.kind == "ids":
        if not isinstance(v, (list, tuple)) or not all(isinstance(e, str) for e in v):
            return f"must be a list of partner ids, got {show(v)}"
        return None
    if spec.kind == "rules":
        return check_rules(spec, v)[1]
    raise AssertionError(f"unknown kind {spec.kind!r}")


def check_rules(spec: FieldSpec, v: Any) -> tuple[int | None, str | None]:
    """What is wrong with a list of rule names, and at which item (None: the list)."""
    if not isinstance(v, (list, tuple)):
        return None, f"must be a list of rules ({', '.join(spec.choices)}), got {show(v)}"
    for k, e in enumerate(v):
        if not isinstance(e, str) or e not in spec.choices:
            return k, f"must be one of {', '.join(spec.choices)}, got {show(e)}"
    return None, None


def _check_text(spec: FieldSpec, v: Any) -> str | None:
    if not isinstance(v, str):
        return f"must be text, got {show(v)}"
    if len(v) > MAX_TEXT:
        return f"is too long ({len(v)} characters; at most {MAX_TEXT})"
    if not _encodable(v):
        return "holds a broken character (an unpaired surrogate)"
    if not spec.optional and not v.strip():
        return "must not be blank"
    if spec.pattern == "currency" and not _is_currency_code(v):
        return f"must be a three-letter code such as GBP or EUR, got {v!r}"
    return None


def _is_currency_code(v: str) -> bool:
    return len(v) == 3 and v.isascii() and v.isalpha() and v.isupper()


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ----------------------------------------------------------------------------------
# Values as people type them
# ----------------------------------------------------------------------------------

_TRUE = {"yes", "y", "true", "1", "x", "on", "\u2713", "\u2714"}
_FALSE = {"no", "n", "false", "0", "", "off", "-"}
_SYMBOL_CODES = {symbol: code for code, symbol in CURRENCY_SYMBOLS.items()}
_PLAIN = re.compile(r"^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_GROUPS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f_']+")
_MULTIPLIERS = (("bn", 1e9), ("mn", 1e6), ("m", 1e6), ("k", 1e3))
_WANT = {
    "money": "an amount such as 120000, 120,000, £120k or 1.2m",
    "count": "a number such as 900",
    "year": "a year such as 2027",
    "score": "a score from 0 to 1 such as 0.35",
    "share": "a share such as 35% or 0.35",
    "rate": "a share such as 2% or 0.02",
    "ratio": "a number such as 2",
}


def _refuse(path: str, message: str) -> ValidationError:
    return ValidationError([Problem(path, message)])


def parse_value(spec: FieldSpec, value: Any, path: str = "") -> Any:
    """A value as a person types it, checked against the field: what would be stored.

    Accepts "£120,000", "120k", "1.2m", "35%", "0.35", "yes"/"no"/"x", and "" for a
    blank where the field allows one. Python numbers and booleans pass through checked.
    Raises ValidationError([Problem(path, message)]) naming what is allowed.
    """
    path = path or spec.pattern
    if isinstance(value, str) and spec.kind not in ("text",):
        stripped = value.strip()
        if not stripped and spec.kind != "bool":
            value = None
    if value is None and spec.kind == "text":
        value = ""
    if value is None:
        if spec.kind in ("ids", "rules"):
            return ()
        if spec.kind == "bool":
            return False
        if not spec.optional:
            want = _WANT.get(spec.kind) or "one of " + ", ".join(spec.choices)
            raise _refuse(path, f"cannot be blank: enter {want}")
        return None
    if spec.is_number:
        number = _parse_number(spec, value, path)
        problem = check_number(spec, number)
        if problem:
            raise _refuse(path, problem)
        if spec.whole:
            return int(number)
        return float(number)
    if spec.kind == "bool":
        return _parse_bool(value, path)
    if spec.kind == "text":
        return _parse_text(spec, value, path)
    if spec.kind == "choice":
        return _parse_choice(spec, value, path)
    if spec.kind == "ids":
        return _parse_ids(value, path)
    if spec.kind == "rules":
        return _parse_rules(spec, value, path)
    raise AssertionError(f"unknown kind {spec.kind!r}")


def _parse_number(spec: FieldSpec, value: Any, path: str) -> float:
    want = _WANT[spec.kind]
    if isinstance(value, bool):
        raise _refuse(path, f"must be {want}, got {show(value)}")
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str):
        raise _refuse(path, f"must be {want}, got {show(value)}")
    s = _SPACES.sub("", value.strip()).replace("\u2212", "-").lower()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s[:1] and s[:1] in "+-":
        negative, s = negative ^ (s[0] == "-"), s[1:]
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    for symbol in _SYMBOL_CODES:
        if s.startswith(symbol):
            s = s[len(symbol) :]
        elif s.endswith(symbol):
            s = s[: -len(symbol)]
    for code in CURRENCY_SYMBOLS:
        code = code.lower()
        if s.startswith(code):
            s = s[3:]
        elif s.endswith(code):
            s = s[:-3]
    if s[:1] == "-" and not negative:
        negative, s = True, s[1:]
    multiplier = 1.0
    if spec.kind in ("money", "count") and not percent:
        for suffix, factor in _MULTIPLIERS:
            if s.endswith(suffix) and len(s) > len(suffix):
                s, multiplier = s[: -len(suffix)], factor
                break
    if spec.kind == "ratio" and s.endswith(("x", "\u00d7")):
        s = s[:-1]
    if _COMMA_GROUPS.match(s):
        s = s.replace(",", "")
    if not _PLAIN.match(s):
        raise _refuse(path, f"must be {want}, got {value.strip()!r}")
    if percent and spec.kind in ("money", "count", "year"):
        raise _refuse(path, f"must be {want}, not a percentage, got {value.strip()!r}")
    x = float(s) * multiplier
    if percent:
        x = x / 100
    x = -x if negative else x
    return round(x, 12) if math.isfinite(x) else x


def _parse_bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _refuse(path, f"must be yes or no, got {show(value)}")


def _parse_text(spec: FieldSpec, value: Any, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _refuse(path, f"must be text, got {show(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if spec.key != "notes":
        text = " ".join(text.split())  # one line: names and codes
    if spec.pattern == "currency":
        text = _SYMBOL_CODES.get(text, text).upper()
    problem = _check_text(spec, text)
    if problem:
        raise _refuse(path, problem)
    return text


def _parse_choice(spec: FieldSpec, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _refuse(path, f"must be one of {', '.join(spec.choices)}, got {show(value)}")
    text = value.strip()
    if not spec.choices:
        return text
    for choice in spec.choices:
        if text.lower() == choice.lower():
            return choice
    raise _refuse(path, f"must be one of {', '.join(spec.choices)}, got {text!r}")


def _parse_ids(value: Any, path: str) -> tuple[str, ...]:
    items: list[Any] | tuple[Any, ...]
    if isinstance(value, str):
        items = [part.strip() for part in re.split(r"[,;\n]", value)]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise _refuse(path, f"must be a list of partners, got {show(value)}")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise _refuse(path, f"must be a list of partners, got {show(item)} in it")
        if item and item not in out:
            out.append(item)
    return tuple(out)


def _parse_rules(spec: FieldSpec, value: Any, path: str) -> tuple[str, ...]:
    """Rule names as typed: "ring_fence, needs floor", "Ring-fence" or a list; "none"
    (or a blank) for no rule kept, "all" for every rule."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("none", "-", "[]"):
            return ()
        if text == "all":
            return tuple(spec.choices)
        items: Any = [part.strip() for part in re.split(r"[,;\n]", value)]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise _refuse(
            path, f"must be a list of rules ({', '.join(spec.choices)}), got {show(value)}"
        )
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise _refuse(path, f"must be one of {', '.join(spec.choices)}, got {show(item)}")
        name = re.sub(r"[\s-]+", "_", item.strip().lower())
        if not name:
            continue
        if name not in spec.choices:
            raise _refuse(path, f"must be one of {', '.join(spec.choices)}, got {item!r}")
        if name not in out:
            out.append(name)
    return tuple(out)


def format_value(spec: FieldSpec, value: Any, currency: str = "GBP") -> str:
    """A stored value as it is shown for editing; blank for None.

    Money "120,000" (no symbol: the column says the currency), shares "35%", scores
    "0.35", yes/no for marks. ``parse_value`` reads every result back to the same value.
    """
    if value is None:
        return ""
    kind = spec.kind
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "rules":
        return ", ".join(value) if value else "none"  # read back as no rule kept
    if kind == "ids":
        return ", ".join(value)
    if kind in ("text", "choice"):
        return str(value)
    v = float(value)
    if kind == "money" or kind == "count":
        if v.is_integer():
            return f"{int(v):,}"
        return f"{v:,.6f}".rstrip("0").rstrip(".")
    if kind == "year":
        return str(int(v))
    if kind in ("share", "rate"):
        return f"{_trim(v * 100)}%"
    return _trim(v)


def _trim(v: float) -> str:
    text = f"{v:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
