"""The domain as plain data: Project, Partner, Scenario, and reading and writing them.

Reading is hand-written rather than delegated to a schema library so that every
message reads exactly as a consortium lead needs it (``partners[2].capacity: must be
greater than 0, got -5``) and the field paths match the project file one-to-one, which
the suggested changes and the desktop app rely on. Bounds and messages come from the
field descriptions in :mod:`allocator.domain.fields`, the one place they live.

The reader refuses what cannot be a project (a wrong type, a value out of range, an
unknown partner in ``excluded``, a duplicate id). It loads states that a person passes
through while filling a project in (a blank capacity or score, a floor above the
capacity, no lead yet where a fee is set): :func:`check_project` reports those, so
nothing typed is lost between saving and opening again.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from allocator.domain import needs
from allocator.domain.decisions import Decision, decision_to_dict, read_decisions
from allocator.domain.fields import (
    BASES,
    CHOSEN,
    KEEP_DEFAULT,
    MAX_TEXT,
    PARTNER_COLUMNS,
    PROJECT_FIELDS,
    SCENARIO_FIELDS,
    SCENARIO_KEEP,
    SCENARIO_NAME,
    SCORE_SOURCES,
    FieldSpec,
    check_rules,
    check_value,
    show,
)
from allocator.errors import Problem, ValidationError

__all__ = [
    "BASES",
    "FORMAT",
    "MAX_PARTNERS",
    "MAX_SCENARIOS",
    "MAX_TEXT",
    "MAX_YEARS",
    "SCORE_KEYS",
    "VERSION",
    "BackOfficeRate",
    "Budget",
    "Partner",
    "Project",
    "Scenario",
    "ValidationError",
    "Weights",
    "check_project",
    "partner_to_dict",
    "project_from_dict",
    "project_to_dict",
    "read_project",
    "round_half_up",
    "scenario_to_dict",
    "strict_problems",
]

FORMAT = "fairshare-project"
VERSION = 1

MAX_PARTNERS = 5000
MAX_YEARS = 10
MAX_SCENARIOS = 100

SCORE_KEYS = (needs.MULTIPLE_DISADVANTAGE, needs.BACK_OFFICE_CAPACITY)
"""The two needs scores; each is either typed or filled by the needs questions."""

TYPED = "typed"
QUESTIONNAIRE = "questionnaire"


@dataclass(frozen=True)
class Weights:
    multiple_disadvantage: float = 1.0
    back_office_gap: float = 0.5


@dataclass(frozen=True)
class BackOfficeRate:
    base: float = 0.10
    uplift: float = 0.15


def _typed_sources() -> dict[str, str]:
    return dict.fromkeys(SCORE_KEYS, TYPED)


@dataclass(frozen=True)
class Partner:
    """One partner organisation.

    ``capacity`` and the two scores may be blank (``None``) while a person fills the
    project in; a solve refuses them (``check_project``), never reading a blank as 0.
    ``score_source`` says, for each score, whether it was ``"typed"`` or comes from the
    needs questions (``"questionnaire"``); a questionnaire score follows the answers.
    """

    id: str
    name: str
    capacity: float | None
    multiple_disadvantage: float | None
    back_office_capacity: float | None
    floor: float = 0.0
    reach: float | None = None
    by_and_for: bool = False
    lead: bool = False
    notes: str = ""
    needs_answers: dict[str, str] = field(default_factory=dict)
    score_source: dict[str, str] = field(default_factory=_typed_sources)

    def __post_init__(self) -> None:
        # Always both keys, so that equal partners compare equal however they were made.
        given = self.score_source if isinstance(self.score_source, Mapping) else {}
        object.__setattr__(self, "score_source", {key: given.get(key, TYPED) for key in SCORE_KEYS})

        if isinstance(self.needs_answers, Mapping) and not isinstance(self.needs_answers, dict):
            object.__setattr__(self, "needs_answers", dict(self.needs_answers))

    def source(self, key: str) -> str:
        """Where a score comes from: "typed" or "questionnaire"."""
        return self.score_source[key]


@dataclass(frozen=True)
class Scenario:
    name: str
    basis: str = "capacity"
    weights: Weights = Weights()
    core_share: float = 0.0
    management_fee: float = 0.0
    ring_fence: float = 0.0
    needs_floor: float = 0.0
    spread_limit: float | None = None
    lead_cap: float | None = None
    back_office_rate: BackOfficeRate = BackOfficeRate()
    unrestricted_share: float = 0.0
    excluded: tuple[str, ...] = ()
    # the rules suggested changes never loosen (MODEL.md "Suggested changes keep the
    # partnership's rules"); () lets every rule be suggested
    keep: tuple[str, ...] = KEEP_DEFAULT

    def __post_init__(self) -> None:
        if isinstance(self.excluded, list):
            object.__setattr__(self, "excluded", tuple(self.excluded))
        if isinstance(self.keep, list):
            object.__setattr__(self, "keep", tuple(self.keep))


@dataclass(frozen=True)
class Budget:
    """Either ``first_year`` with ``annual_uplift``, or ``per_year`` figures.

    A figure may be blank (``None``) while a project is being filled in; ``amounts``
    then refuses, naming it.
    """

    first_year: float | None = None
    annual_uplift: float = 0.0
    per_year: tuple[float | None, ...] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.per_year, list):
            object.__setattr__(self, "per_year", tuple(self.per_year))

    def amounts(self, count: int) -> list[int]:
        """Whole-currency budget per year: every split must add up to exactly these."""
        if self.per_year is not None:
            blank = [i for i, b in enumerate(self.per_year[:count]) if b is None]
            if blank:
                raise ValidationError([Problem(f"budget.per_year[{i}]", "is blank") for i in blank])
            return [int(round_half_up(b)) for b in self.per_year[:count]]  # type: ignore[arg-type]
        if self.first_year is None:
            raise ValidationError([Problem("budget.first_year", "is blank")])
        return [
            int(round_half_up(self.first_year * (1 + self.annual_uplift) ** y))
            for y in range(count)
        ]


@dataclass(frozen=True)
class Project:
    name: str
    currency: str
    start_year: int
    year_count: int
    budget: Budget
    partners: tuple[Partner, ...]
    scenarios: tuple[Scenario, ...]
    chosen: str | None = None  # the scenario that goes into the bid; None: the first
    decisions: tuple[Decision, ...] = ()  # each recorded choice, oldest first

    @property
    def chosen_scenario(self) -> Scenario | None:
        """The scenario that goes into the bid (the export's default)."""
        for s in self.scenarios:
            if s.name == self.chosen:
                return s
        return self.scenarios[0] if self.scenarios else None

    @property
    def years(self) -> list[int]:
        return [self.start_year + i for i in range(self.year_count)]

    def budgets(self) -> list[int]:
        return self.budget.amounts(self.year_count)

    def partner_index(self, pid: str) -> int:
        for i, p in enumerate(self.partners):
            if p.id == pid:
                return i
        raise KeyError(pid)

    def scenario_index(self, name: str) -> int:
        for j, s in enumerate(self.scenarios):
            if s.name == name:
                return j
        raise KeyError(name)

    def scenario(self, name: str) -> Scenario:
        for s in self.scenarios:
            if s.name == name:
                return s
        names = ", ".join(repr(s.name) for s in self.scenarios)
        raise ValidationError([("scenario", f"no scenario called {name!r}; there are: {names}")])

    def with_partner(self, index: int, **changes: Any) -> Project:
        partners = list(self.partners)
        partners[index] = replace(partners[index], **changes)
        return replace(self, partners=tuple(partners))

    def with_scenario(self, index: int, **changes: Any) -> Project:
        scenarios = list(self.scenarios)
        scenarios[index] = replace(scenarios[index], **changes)
        return replace(self, scenarios=tuple(scenarios))


def round_half_up(x: float) -> float:
    return math.floor(x + 0.5)


# ----------------------------------------------------------------------------------
# Reading plain data (already parsed JSON) into the domain, with field paths.
# ----------------------------------------------------------------------------------

_SPECS = {spec.pattern: spec for spec in (*PROJECT_FIELDS, CHOSEN, *PARTNER_COLUMNS)}
_SPECS.update({spec.pattern: spec for spec in (SCENARIO_NAME, *SCENARIO_FIELDS, SCENARIO_KEEP)})
_ID = FieldSpec("partners[].id", "id", "text", "Id", "The partner's id in the file.", words="id")

_PARTNER_KEYS = {spec.key for spec in PARTNER_COLUMNS} | {"id", "needs_answers", "score_source"}
_SCENARIO_KEYS = {"name", "basis", "weights", "core_share", "management_fee", "ring_fence"}
_SCENARIO_KEYS |= {"needs_floor", "spread_limit", "lead_cap", "back_office_rate"}
_SCENARIO_KEYS |= {"unrestricted_share", "excluded", "rule", "keep"}
_PROJECT_KEYS = {"format", "version", "name", "currency", "years", "budget", "partners"}
_PROJECT_KEYS |= {"scenarios", "chosen", "decisions"}
_OLD_RULES = ("leximin", "closest")


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def value(self, obj: Mapping, key: str, path: str, spec: FieldSpec) -> Any:
        """The checked value of ``obj[key]`` (a missing key or null takes the default)."""
        return self.item(obj.get(key), f"{path}.{key}" if path else key, spec)

    def item(self, v: Any, full: str, spec: FieldSpec) -> Any:
        """A value checked against its description; None (and a problem) if refused."""
        if v is None:
            if spec.default is not None:
                return spec.default
            if spec.optional:
                return "" if spec.kind == "text" else None
            self.fail(full, check_value(spec, None) or "is required")
            return None
        problem = check_value(spec, v)
        if problem:
            self.fail(full, problem)
            return None
        if spec.is_number:
            return int(v) if spec.whole else float(v)
        return v

    def obj(self, value: Any, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object ({{...}}), got {show(value)}")
            return None
        return value

    def unknown_keys(self, d: Mapping, known: set[str], path: str, what: str) -> None:
        for key in d:
            if key not in known:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"is not {what} FairShare knows")


def _read_partner(r: _Reader, raw: Any, path: str) -> Partner | None:
    d = r.obj(raw, path)
    if d is None:
        return None
    before = len(r.problems)
    r.unknown_keys(d, _PARTNER_KEYS, path, "a partner field")
    values = {"id": r.value(d, "id", path, _ID)}
    for spec in PARTNER_COLUMNS:
        values[spec.key] = r.value(d, spec.key, path, spec)
    answers = d.get("needs_answers")
    answers = {} if answers is None else answers
    problems = needs.validate_answers(answers, f"{path}.needs_answers")
    for where, message in problems:
        r.fail(where, message)
    sources = _read_sources(r, d, path, answers if not problems else {})
    if len(r.problems) > before:
        return None
    scored = _scores(answers)
    for key in SCORE_KEYS:
        if sources[key] == QUESTIONNAIRE:
            values[key] = scored.get(key)  # the answers decide a questionnaire score
    return Partner(**values, needs_answers=dict(answers), score_source=sources)


def _scores(answers: Mapping[str, str]) -> dict[str, float | None]:
    """The needs questions' two scores for these answers (none without answers)."""
    if not answers:
        return {}
    result = needs.score(answers)
    return {key: result.group_score(key) for key in SCORE_KEYS}


def _default_sources(d: Mapping, answers: Mapping[str, str]) -> dict[str, str]:
    """Where the scores come from when a file does not say: a blank score that the
    answers can fill comes from the questionnaire, any other score was typed."""
    scored = _scores(answers) if answers else {}
    return {
        key: QUESTIONNAIRE if d.get(key) is None and scored.get(key) is not None else TYPED
        for key in SCORE_KEYS
    }


def _read_sources(r: _Reader, d: Mapping, path: str, answers: Mapping) -> dict[str, str]:
    raw = d.get("score_source")
    sources = _default_sources(d, answers)
    if raw is None:
        return sources
    where = f"{path}.score_source"
    if not isinstance(raw, dict):
        r.fail(where, f"must be an object ({{...}}), got {show(raw)}")
        return sources
    for key, value in raw.items():
        if key not in SCORE_KEYS:
            r.fail(f"{where}.{key}", f"is not a needs score; known: {', '.join(SCORE_KEYS)}")
        elif value not in SCORE_SOURCES:
            r.fail(
                f"{where}.{key}",
                f"must be one of {', '.join(SCORE_SOURCES)}, got {show(value)}",
            )
        else:
            sources[key] = value
    return sources


def _read_group(
    r: _Reader, d: Mapping, key: str, path: str, prefix: str, what: str
) -> dict[str, Any] | None:
    """A nested setting such as ``weights``: each value checked by its own description."""
    specs = [s for s in SCENARIO_FIELDS if s.pattern.startswith(f"scenarios[].{prefix}.")]
    out = {s.key: s.default for s in specs}
    raw = d.get(key)
    if raw is None:
        return out
    where = f"{path}.{key}"
    w = r.obj(raw, where)
    if w is None:
        return None
    r.unknown_keys(w, {s.key for s in specs}, where, what)
    ok = True
    for s in specs:
        v = r.value(w, s.key, where, s)
        ok = ok and v is not None
        out[s.key] = v
    return out if ok else None


def _read_rules(r: _Reader, raw: Any, where: str, spec: FieldSpec) -> tuple[str, ...] | None:
    """A list of rule names (``keep``); missing or null takes the default."""
    if raw is None:
        return tuple(spec.default)
    k, problem = check_rules(spec, raw)
    if problem:
        r.fail(where if k is None else f"{where}[{k}]", problem)
        return None
    return tuple(dict.fromkeys(raw))


def _read_scenario(
    r: _Reader, raw: Any, path: str, ids: set[str], old_rules: list[str]
) -> Scenario | None:
    d = r.obj(raw, path)
    if d is None:
        return None
    before = len(r.problems)
    r.unknown_keys(d, _SCENARIO_KEYS, path, "a scenario setting")
    name = r.value(d, "name", path, SCENARIO_NAME)
    rule = d.get("rule")
    if rule is not None and rule not in _OLD_RULES:
        r.fail(
            f"{path}.rule",
            f"must be leximin (the only rule; older files may say closest), got {show(rule)}",
        )
    weights = _read_group(r, d, "weights", path, "weights", "a weight")
    rate = _read_group(r, d, "back_office_rate", path, "back_office_rate", "a rate setting")
    values: dict[str, Any] = {}
    for spec in SCENARIO_FIELDS:
        if "." in spec.pattern.removeprefix("scenarios[].") or spec.kind == "ids":
            continue
        values[spec.key] = r.value(d, spec.key, path, spec)
    values["keep"] = _read_rules(r, d.get("keep"), f"{path}.keep", SCENARIO_KEEP)
    excluded_raw = d.get("excluded")
    excluded_raw = [] if excluded_raw is None else excluded_raw
    excluded: list[str] = []
    if not isinstance(excluded_raw, list):
        r.fail(f"{path}.excluded", f"must be a list of partner ids, got {show(excluded_raw)}")
    else:
        for k, e in enumerate(excluded_raw):
            if not isinstance(e, str):
                r.fail(f"{path}.excluded[{k}]", f"must be a partner id, got {show(e)}")
            elif e not in ids:
                r.fail(f"{path}.excluded[{k}]", f"no partner has the id {e!r}")
            else:
                excluded.append(e)
    if len(r.problems) > before or weights is None or rate is None:
        return None
    if rule == "closest":
        old_rules.append(name)
    return Scenario(
        name=name,
        weights=Weights(**weights),
        back_office_rate=BackOfficeRate(**rate),
        excluded=tuple(excluded),
        **values,
    )


def read_project(data: Any) -> tuple[Project, list[str]]:
    """Build a Project from parsed JSON (current version) with notes for the person.

    Notes say what was read differently from what the file says (a retired rule);
    raises ValidationError listing every problem the file has, each with its path.
    """
    if not isinstance(data, dict):
        raise ValidationError(
            [Problem("", f"a project must be an object ({{...}}), got {show(data)}")]
        )
    r = _Reader()
    d = data
    r.unknown_keys(d, _PROJECT_KEYS, "", "a project field")
    name = r.value(d, "name", "", _SPECS["name"])
    currency = r.value(d, "currency", "", _SPECS["currency"])
    start = count = None
    if "years" not in d:
        r.fail("years", 'is required: {"start": 2027, "count": 3}')
    else:
        yrs = r.obj(d["years"], "years")
        if yrs is not None:
            r.unknown_keys(yrs, {"start", "count"}, "years", "a years field")
            start = r.value(yrs, "start", "years", _SPECS["years.start"])
            if "count" not in yrs or yrs["count"] is None:
                r.fail("years.count", "is required: enter a number")
            else:
                count = r.value(yrs, "count", "years", _SPECS["years.count"])
    budget = None
    if "budget" not in d:
        r.fail(
            "budget",
            'is required: {"first_year": ..., "annual_uplift": ...} or {"per_year": [...]}',
        )
    else:
        b = r.obj(d["budget"], "budget")
        if b is not None:
            budget = _read_budget(r, b, count)
    partners = _read_partners(r, d.get("partners", []))
    ids = {p.id for p in partners if p is not None}
    ids |= _raw_ids(d.get("partners"))
    scenarios, old_rules = _read_scenarios(r, d.get("scenarios", []), ids)
    chosen = r.value(d, "chosen", "", _SPECS["chosen"]) if "chosen" in d else None
    if chosen is not None:
        raw_names = _raw_names(d.get("scenarios"))
        if chosen not in raw_names:
            r.fail("chosen", f"no scenario is called {chosen!r}")
    decisions = read_decisions(d.get("decisions"), r.fail)
    if r.problems:
        raise ValidationError(r.problems)
    # a missing or unreadable year or budget was a problem above
    assert start is not None and count is not None and budget is not None
    project = Project(
        name=name,
        currency=currency,
        start_year=start,
        year_count=count,
        budget=budget,
        partners=tuple(partners),
        scenarios=tuple(scenarios),
        chosen=chosen,
        decisions=decisions,
    )
    notes = [
        f"Scenario {n!r} used the closest rule, which FairShare no longer has: it is read "
        "with the leximin rule. (The closest rule always put any surplus on the partner "
        "with the largest fair share.) Save the project to keep this."
        for n in old_rules
    ]
    return project, notes


def project_from_dict(data: Any) -> Project:
    """Build a Project from parsed JSON (current version), or raise ValidationError."""
    return read_project(data)[0]


def _raw_ids(raw: Any) -> set[str]:
    if not isinstance(raw, list):
        return set()
    return {p["id"] for p in raw if isinstance(p, dict) and isinstance(p.get("id"), str)}


def _raw_names(raw: Any) -> set[str]:
    if not isinstance(raw, list):
        return set()
    return {s["name"] for s in raw if isinstance(s, dict) and isinstance(s.get("name"), str)}


def _read_partners(r: _Reader, raw: Any) -> list[Partner]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        r.fail("partners", f"must be a list, got {show(raw)}")
        return []
    if len(raw) > MAX_PARTNERS:
        r.fail("partners", f"has {len(raw)} partners; at most {MAX_PARTNERS}")
        return []
    partners: list[Partner] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        p = _read_partner(r, item, f"partners[{i}]")
        pid = item.get("id") if isinstance(item, dict) else None
        if isinstance(pid, str):
            if pid in seen:
                first = raw[seen[pid]].get("name")
                who = (
                    f"{first} (partner {seen[pid] + 1})"
                    if isinstance(first, str)
                    else (f"partner {seen[pid] + 1}")
                )
                r.fail(
                    f"partners[{i}].id",
                    f"{pid!r} is already the id of {who}; each partner needs its own id",
                )
                continue
            seen[pid] = i
        if p is not None:
            partners.append(p)
    return partners


def _read_scenarios(r: _Reader, raw: Any, ids: set[str]) -> tuple[list[Scenario], list[str]]:
    old_rules: list[str] = []
    if raw is None:
        return [], old_rules
    if not isinstance(raw, list):
        r.fail("scenarios", f"must be a list, got {show(raw)}")
        return [], old_rules
    if len(raw) > MAX_SCENARIOS:
        r.fail("scenarios", f"has {len(raw)} scenarios; at most {MAX_SCENARIOS}")
        return [], old_rules
    scenarios: list[Scenario] = []
    names: dict[str, int] = {}
    for j, item in enumerate(raw):
        s = _read_scenario(r, item, f"scenarios[{j}]", ids, old_rules)
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str):
            if name in names:
                r.fail(
                    f"scenarios[{j}].name",
                    f"{name!r} is already the name of scenario {names[name] + 1}; "
                    "each scenario needs its own name",
                )
                continue
            names[name] = j
        if s is not None:
            scenarios.append(s)
    return scenarios, old_rules


def _read_budget(r: _Reader, b: dict, count: int | None) -> Budget | None:
    r.unknown_keys(b, {"first_year", "annual_uplift", "per_year"}, "budget", "a budget field")
    if "per_year" in b and b["per_year"] is not None:
        if b.get("first_year") is not None:
            r.fail("budget", "give either first_year (with annual_uplift) or per_year, not both")
            return None
        py = b["per_year"]
        if not isinstance(py, list):
            r.fail("budget.per_year", f"must be a list of amounts, got {show(py)}")
            return None
        spec = _SPECS["budget.per_year[]"]
        before = len(r.problems)
        values = [r.item(v, f"budget.per_year[{i}]", spec) for i, v in enumerate(py)]
        if count is not None and len(py) != count:
            r.fail("budget.per_year", f"must have one amount per year ({count}), got {len(py)}")
        if len(r.problems) > before:
            return None
        return Budget(per_year=tuple(values))
    first = r.value(b, "first_year", "budget", _SPECS["budget.first_year"])
    uplift = r.value(b, "annual_uplift", "budget", _SPECS["budget.annual_uplift"])
    if uplift is None or (first is None and b.get("first_year") is not None):
        return None
    return Budget(first_year=first, annual_uplift=uplift)


# ----------------------------------------------------------------------------------
# Checking a whole project
# ----------------------------------------------------------------------------------


def strict_problems(project: Project) -> list[Problem]:
    """What the file reader would refuse in this project: exactly, by reading it.

    Saving refuses these (nothing is written that could not be opened again); the
    desktop app never produces them, because ``set_field`` refuses the same values.
    Reading a large project takes tens of milliseconds, too long for every edit, so
    the values are first checked in place against the same field descriptions; only
    a project that check doubts is read, so the problems always are the reader's own.
    """
    if _reader_accepts(project):
        return _blanks_not_allowed(project)
    try:
        read_project(project_to_dict(project))
    except ValidationError as e:
        return e.problems + _blanks_not_allowed(project)
    return _blanks_not_allowed(project)


# -- the same checks as the reader, made in place ---------------------------------

_Accepts = Any  # Callable[[Any], bool]; True only when the reader surely takes the value


def _acceptor(spec: FieldSpec) -> _Accepts:
    """A quick test of one stored value: True only if the reader would take it.

    Mirrors ``_Reader.item``: a blank takes the default or is allowed when optional;
    anything else passes ``check_value``. Plain numbers are compared with the bounds
    directly (the common case, and the costly one at a thousand partners); anything
    unusual goes through ``check_value`` itself.
    """
    blank_ok = spec.default is not None or spec.optional
    if spec.is_number:
        lo, hi, exclusive, whole = spec.minimum, spec.maximum, spec.exclusive_min, spec.whole

        def number(v: Any) -> bool:
            if v is None:
                return blank_ok
            t = type(v)
            if t is float:
                if not math.isfinite(v) or (whole and not v.is_integer()):
                    return False
            elif t is not int or not -(2**53) <= v <= 2**53:
                return check_value(spec, v) is None
            if lo is not None and (v <= lo if exclusive else v < lo):
                return False
            return hi is None or v <= hi

        return number
    if spec.kind == "bool":
        return lambda v: blank_ok if v is None else type(v) is bool
    if spec.kind == "text" and spec.pattern != "currency":
        optional = spec.optional

        def text(v: Any) -> bool:
            if v is None:
                return blank_ok
            if type(v) is str and len(v) <= MAX_TEXT and v.isascii():
                return optional or not v.isspace() and v != ""
            return check_value(spec, v) is None

        return text
    return lambda v: blank_ok if v is None else check_value(spec, v) is None


_PARTNER_ACCEPTS = tuple((spec.key, _acceptor(spec)) for spec in (_ID, *PARTNER_COLUMNS))
_SCENARIO_ACCEPTS = tuple(
    (tuple(spec.pattern.removeprefix("scenarios[].").split(".")), _acceptor(spec))
    for spec in (SCENARIO_NAME, *SCENARIO_FIELDS, SCENARIO_KEEP)
    if spec.kind != "ids"
)


def _reader_accepts(project: Project) -> bool:
    """True only if reading ``project_to_dict(project)`` surely finds no problem.

    The same checks as ``read_project`` on the values as ``project_to_dict`` writes
    them, without building the dictionaries. False means "read it to be sure": it
    never decides a message, so the problems and their paths stay the reader's.
    """
    try:
        return _accepts_project(project)
    except Exception:  # an odd value the quick checks cannot judge: let the reader say
        return False


def _accepts_project(project: Project) -> bool:
    spec_ok = _PROJECT_ACCEPTS
    if not (
        spec_ok["name"](project.name)
        and spec_ok["currency"](project.currency)
        and spec_ok["years.start"](project.start_year)
        and project.year_count is not None
        and spec_ok["years.count"](project.year_count)
    ):
        return False
    b = project.budget
    if not isinstance(b, Budget):
        return False
    if b.per_year is not None:
        per_year = b.per_year
        if not isinstance(per_year, (tuple, list)) or len(per_year) != project.year_count:
            return False
        if not all(map(spec_ok["budget.per_year[]"], per_year)):
            return False
    elif not (
        spec_ok["budget.first_year"](b.first_year)
        and spec_ok["budget.annual_uplift"](b.annual_uplift)
    ):
        return False
    partners = project.partners
    if len(partners) > MAX_PARTNERS:
        return False
    ids: set[str] = set()
    for p in partners:
        if type(p) is not Partner or not _facts(p)[0] or p.id in ids:
            return False
        ids.add(p.id)
    scenarios = project.scenarios
    if len(scenarios) > MAX_SCENARIOS:
        return False
    names: set[str] = set()
    for s in scenarios:
        if type(s) is not Scenario:
            return False
        for parts, ok in _SCENARIO_ACCEPTS:
            owner: Any = s
            for attr in parts:
                owner = getattr(owner, attr)
            if not ok(owner):
                return False
        if s.name in names:
            return False
        names.add(s.name)
        if not isinstance(s.excluded, (tuple, list)):
            return False
        for e in s.excluded:
            if type(e) is not str or e not in ids:
                return False
    chosen = project.chosen
    return chosen is None or (spec_ok["chosen"](chosen) and chosen in names)


_PROJECT_ACCEPTS = {pattern: _acceptor(spec) for pattern, spec in _SPECS.items()}


def _partner_accepted(p: Partner) -> bool:
    """The reader's checks of one partner on its own (its id's uniqueness aside)."""
    for key, ok in _PARTNER_ACCEPTS:
        if not ok(getattr(p, key)):
            return False
    answers = p.needs_answers
    if answers and needs.validate_answers(answers):
        return False
    sources = p.score_source
    if type(sources) is not dict or len(sources) != len(SCORE_KEYS):
        return False
    return all(sources.get(key) in SCORE_SOURCES for key in SCORE_KEYS)


def _partner_checks(p: Partner) -> tuple[tuple[str, str], ...]:
    """``check_project``'s problems of one partner on its own: (field, message) pairs."""
    out = [(spec.key, spec.blank_problem) for spec in _NEEDED if getattr(p, spec.key) is None]
    if _number(p.capacity) and _number(p.floor) and 0 < p.capacity < p.floor:
        out.append(
            (
                "floor",
                f"must not be above the capacity ({_amount(p.capacity)}), got {_amount(p.floor)}",
            )
        )
    return tuple(out)


_NEEDED = tuple(spec for spec in PARTNER_COLUMNS if spec.blank_problem)


def by_identity(cache: dict[int, tuple[Any, Any]], obj: Any, compute: Any) -> Any:
    """``compute(obj)``, kept in ``cache`` while ``obj`` lives, keyed by its identity.

    For immutable domain objects (Project, Partner): an edit makes new objects only
    for what it changes, so what was worked out for the others stays good. Keyed by
    identity because they hold dicts and so have no hash; an entry goes with its
    object. Objects must not be changed in place (nothing in FairShare does).
    """
    key = id(obj)
    entry = cache.get(key)
    if entry is not None and entry[0]() is obj:
        return entry[1]
    value = compute(obj)
    try:
        ref = weakref.ref(obj, functools.partial(_forget, cache, key))
    except TypeError:  # pragma: no cover - the domain's dataclasses take weak references
        return value
    cache[key] = (ref, value)
    return value


def _forget(cache: dict[int, tuple[Any, Any]], key: int, ref: Any) -> None:
    entry = cache.get(key)
    if entry is not None and entry[0] is ref:
        cache.pop(key, None)


_FACTS: dict[int, tuple[Any, Any]] = {}


def _facts(p: Partner) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """(the reader takes it, ``check_project``'s problems of it) for one partner."""
    return by_identity(_FACTS, p, lambda q: (_partner_accepted(q), _partner_checks(q)))


def _blank_refusals(specs: tuple[FieldSpec, ...]) -> tuple[tuple[FieldSpec, str], ...]:
    """The fields among ``specs`` that may not be stored blank, with the message."""
    return tuple((s, m) for s in specs if (m := check_value(s, None)))


_PARTNER_BLANKS = _blank_refusals((_ID, *PARTNER_COLUMNS))
_SCENARIO_BLANKS = tuple(
    (tuple(spec.pattern.removeprefix("scenarios[].").split(".")), message)
    for spec, message in _blank_refusals((SCENARIO_NAME, *SCENARIO_FIELDS))
)


def _blanks_not_allowed(project: Project) -> list[Problem]:
    """Blanks where the file has none: the reader would read a default for them (a
    floor of 0 nobody entered), so they are refused before they are written."""
    found: list[Problem] = []

    def check(spec: FieldSpec, value: Any, path: str) -> None:
        if value is None:
            problem = check_value(spec, None)
            if problem:
                found.append(Problem(path, problem))

    for spec in PROJECT_FIELDS:
        if "[]" in spec.pattern:
            continue
        owner: Any = project
        key = spec.key
        if spec.pattern.startswith("years."):
            key = {"start": "start_year", "count": "year_count"}[key]
        elif spec.pattern.startswith("budget."):
            owner = project.budget
            if project.budget.per_year is not None:
                continue
        check(spec, getattr(owner, key), spec.pattern)
    for i, p in enumerate(project.partners):
        for spec, message in _PARTNER_BLANKS:
            if getattr(p, spec.key) is None:
                found.append(Problem(f"partners[{i}].{spec.key}", message))
    for j, s in enumerate(project.scenarios):
        for parts, message in _SCENARIO_BLANKS:
            owner = s
            for attr in parts:
                owner = getattr(owner, attr)
            if owner is None:
                found.append(Problem(f"scenarios[{j}].{'.'.join(parts)}", message))
    return found


def check_project(project: Project) -> list[Problem]:
    """What stops a solve although the file reader accepts it, each with its path.

    Blanks that a solve needs, a floor above the capacity, a missing or second lead
    where a fee or lead cap is set, missing reach under the reach basis, and a project
    with no partners, no scenarios, or a scenario that leaves every partner out.
    """
    problems: list[Problem] = []
    add = problems.append
    budget = project.budget
    if budget.per_year is not None:
        if budget.first_year is not None:
            add(
                Problem("budget", "give either a first-year figure with an uplift, or one per year")
            )
        spec = _SPECS["budget.per_year[]"]
        for i, v in enumerate(budget.per_year):
            if v is None:
                add(Problem(f"budget.per_year[{i}]", spec.blank_problem))
    elif budget.first_year is None:
        add(Problem("budget.first_year", _SPECS["budget.first_year"].blank_problem))
    if not project.partners:
        add(Problem("partners", "there are no partners yet: add at least one"))
    for i, p in enumerate(project.partners):
        for key, message in _facts(p)[1] if type(p) is Partner else _partner_checks(p):
            add(Problem(f"partners[{i}].{key}", message))
    if not project.scenarios:
        add(Problem("scenarios", "there are no scenarios yet: add at least one"))
    leads = [i for i, p in enumerate(project.partners) if p.lead is True]
    for j, s in enumerate(project.scenarios):
        problems.extend(_scenario_problems(project, j, s, leads))
    return problems


def _number(v: object) -> TypeGuard[float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _scenario_problems(project: Project, j: int, s: Scenario, leads: list[int]) -> list[Problem]:
    problems: list[Problem] = []
    excluded = set(s.excluded) if isinstance(s.excluded, (tuple, list)) else set()
    included = [i for i, p in enumerate(project.partners) if p.id not in excluded]
    if not included and project.partners:
        problems.append(
            Problem(
                f"scenarios[{j}].excluded", "leaves out every partner; at least one must take part"
            )
        )
    inc_leads = [i for i in leads if i in included]
    fee = _number(s.management_fee) and s.management_fee > 0
    if (fee or s.lead_cap is not None) and included:
        what = "a management fee" if fee else "a lead cap"
        where = f"scenarios[{j}].management_fee" if fee else f"scenarios[{j}].lead_cap"
        if not inc_leads:
            problems.append(
                Problem(
                    where,
                    f"{what} needs exactly one partner marked as lead; none taking part is",
                )
            )
        elif len(inc_leads) > 1:
            names = " and ".join(project.partners[i].name for i in inc_leads)
            for i in inc_leads[1:]:
                problems.append(
                    Problem(
                        f"partners[{i}].lead",
                        f"{what} (scenario {s.name!r}) needs exactly one lead; "
                        f"{names} are all marked as lead",
                    )
                )
    if s.basis == "reach":
        for i in included:
            p = project.partners[i]
            if p.reach is None or (_number(p.reach) and p.reach <= 0):
                problems.append(
                    Problem(
                        f"partners[{i}].reach",
                        f"scenario {s.name!r} shares by reach, so people served must be "
                        "greater than 0"
                        + (" (it is blank)" if p.reach is None else f", got {_fmt(p.reach)}"),
                    )
                )
    return problems


def _amount(v: float) -> str:
    """An amount as people read it: 180,000 (pence only when there are some)."""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _fmt(v: float) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        v = int(v)
    return f"{v}"


# ----------------------------------------------------------------------------------
# Writing the domain back to plain data.
# ----------------------------------------------------------------------------------


def partner_to_dict(p: Partner) -> dict:
    d = {
        "id": p.id,
        "name": p.name,
        "lead": p.lead,
        "by_and_for": p.by_and_for,
        "capacity": _num(p.capacity),
        "floor": _num(p.floor),
        "reach": _num(p.reach),
        "multiple_disadvantage": p.multiple_disadvantage,
        "back_office_capacity": p.back_office_capacity,
        "notes": p.notes,
    }
    answers = p.needs_answers
    if answers:
        d["needs_answers"] = dict(answers) if isinstance(answers, Mapping) else answers
    sources = dict(p.score_source)
    valid = isinstance(answers, Mapping) and not needs.validate_answers(answers)
    if not valid or sources != _default_sources(d, answers):
        d["score_source"] = sources
    return d


def scenario_to_dict(s: Scenario) -> dict:
    return {
        "name": s.name,
        "basis": s.basis,
        "weights": {
            "multiple_disadvantage": s.weights.multiple_disadvantage,
            "back_office_gap": s.weights.back_office_gap,
        },
        "core_share": s.core_share,
        "management_fee": s.management_fee,
        "ring_fence": s.ring_fence,
        "needs_floor": s.needs_floor,
        "spread_limit": s.spread_limit,
        "lead_cap": s.lead_cap,
        "back_office_rate": {"base": s.back_office_rate.base, "uplift": s.back_office_rate.uplift},
        "unrestricted_share": s.unrestricted_share,
        "excluded": list(s.excluded) if isinstance(s.excluded, (tuple, list)) else s.excluded,
        "keep": list(s.keep) if isinstance(s.keep, (tuple, list)) else s.keep,
    }


def project_to_dict(project: Project) -> dict:
    b = project.budget
    budget = (
        {"per_year": [_num(v) for v in b.per_year]}
        if b.per_year is not None
        else {"first_year": _num(b.first_year), "annual_uplift": b.annual_uplift}
    )
    out = {
        "format": FORMAT,
        "version": VERSION,
        "name": project.name,
        "currency": project.currency,
        "years": {"start": project.start_year, "count": project.year_count},
        "budget": budget,
        "partners": [partner_to_dict(p) for p in project.partners],
        "scenarios": [scenario_to_dict(s) for s in project.scenarios],
    }
    if project.chosen is not None:
        out["chosen"] = project.chosen
    if project.decisions:
        out["decisions"] = [decision_to_dict(d) for d in project.decisions]
    return out


def _num(v: Any) -> Any:
    """Whole amounts as integers in the file (120000, not 120000.0); anything else as is."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v
