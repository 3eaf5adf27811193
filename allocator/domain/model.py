"""The domain as plain data: Project, Partner, Scenario, and their validation.

Validation is hand-written rather than delegated to a schema library so that every
message reads exactly as a consortium lead needs it (``partners[2].capacity: must be
greater than 0, got -5``) and the field paths match the project file one-to-one, which
the infeasibility suggestions and the desktop app rely on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from allocator.errors import ValidationError

FORMAT = "fairshare-project"
VERSION = 1

BASES = ("equal", "capacity", "reach")
RULES = ("leximin", "closest")
MAX_PARTNERS = 5000
MAX_YEARS = 10
MAX_SCENARIOS = 100
MAX_TEXT = 2000


@dataclass(frozen=True)
class Weights:
    multiple_disadvantage: float = 1.0
    back_office_gap: float = 0.5


@dataclass(frozen=True)
class BackOfficeRate:
    base: float = 0.10
    uplift: float = 0.15


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    capacity: float
    multiple_disadvantage: float | None
    back_office_capacity: float | None
    floor: float = 0.0
    reach: float | None = None
    by_and_for: bool = False
    lead: bool = False
    notes: str = ""
    needs_answers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    basis: str = "capacity"
    weights: Weights = Weights()
    core_share: float = 0.0
    rule: str = "leximin"
    management_fee: float = 0.0
    ring_fence: float = 0.0
    needs_floor: float = 0.0
    spread_limit: float | None = None
    lead_cap: float | None = None
    back_office_rate: BackOfficeRate = BackOfficeRate()
    unrestricted_share: float = 0.0
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Budget:
    """Either ``first_year`` with ``annual_uplift``, or ``per_year`` figures."""

    first_year: float | None = None
    annual_uplift: float = 0.0
    per_year: tuple[float, ...] | None = None

    def amounts(self, count: int) -> list[int]:
        """Whole-currency budget per year: every split must add up to exactly these."""
        if self.per_year is not None:
            return [int(round_half_up(b)) for b in self.per_year[:count]]
        assert self.first_year is not None
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

    def scenario(self, name: str) -> Scenario:
        for s in self.scenarios:
            if s.name == name:
                return s
        names = ", ".join(s.name for s in self.scenarios)
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


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def number(
        self,
        obj: dict,
        key: str,
        path: str,
        *,
        default: Any = ...,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_min: bool = False,
        allow_none: bool = False,
        missing_message: str | None = None,
    ) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in obj:
            if default is ...:
                self.fail(full, missing_message or "is required: enter a number")
                return None
            return default
        v = obj[key]
        if v is None:
            if allow_none:
                return None
            if default is not ... and missing_message is None:
                return default
            self.fail(full, missing_message or "is required: enter a number")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(full, f"must be a number, got {_show(v)}")
            return None
        try:
            fv = float(v)
        except OverflowError:
            self.fail(full, f"is far too large, got a number with {len(str(abs(v)))} digits")
            return None
        if not math.isfinite(fv):
            self.fail(full, f"must be a finite number, got {v}")
            return None
        if minimum is not None:
            if exclusive_min and v <= minimum:
                self.fail(full, f"must be greater than {_fmt(minimum)}, got {_fmt(v)}")
                return None
            if not exclusive_min and v < minimum:
                self.fail(full, f"must be at least {_fmt(minimum)}, got {_fmt(v)}")
                return None
        if maximum is not None and v > maximum:
            self.fail(full, f"must be at most {_fmt(maximum)}, got {_fmt(v)}")
            return None
        return v

    def text(self, obj: dict, key: str, path: str, *, default: Any = ..., nonempty=False) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in obj or obj[key] is None:
            if default is ...:
                self.fail(full, "is required: enter some text")
                return None
            return default
        v = obj[key]
        if not isinstance(v, str):
            self.fail(full, f"must be text, got {_show(v)}")
            return None
        if len(v) > MAX_TEXT:
            self.fail(full, f"is too long ({len(v)} characters; at most {MAX_TEXT})")
            return None
        if nonempty and not v.strip():
            self.fail(full, "must not be blank")
            return None
        return v

    def boolean(self, obj: dict, key: str, path: str, default: bool = False) -> bool:
        full = f"{path}.{key}" if path else key
        v = obj.get(key, default)
        if v is None:
            return default
        if not isinstance(v, bool):
            self.fail(full, f"must be true or false, got {_show(v)}")
            return default
        return v

    def obj(self, value: Any, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object ({{...}}), got {_show(value)}")
            return None
        return value


def _fmt(v: float) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v}"


def _show(v: Any) -> str:
    if isinstance(v, str):
        s = v if len(v) <= 40 else v[:37] + "..."
        return f"text {s!r}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "nothing"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return repr(v)


_PARTNER_KEYS = {
    "id",
    "name",
    "lead",
    "by_and_for",
    "capacity",
    "floor",
    "reach",
    "multiple_disadvantage",
    "back_office_capacity",
    "notes",
    "needs_answers",
}
_SCENARIO_KEYS = {
    "name",
    "basis",
    "weights",
    "core_share",
    "rule",
    "management_fee",
    "ring_fence",
    "needs_floor",
    "spread_limit",
    "lead_cap",
    "back_office_rate",
    "unrestricted_share",
    "excluded",
}


def _read_partner(r: _Reader, raw: Any, path: str) -> Partner | None:
    d = r.obj(raw, path)
    if d is None:
        return None
    before = len(r.problems)
    for key in d:
        if key not in _PARTNER_KEYS:
            r.fail(f"{path}.{key}", "is not a partner field FairShare knows")
    pid = r.text(d, "id", path, nonempty=True)
    name = r.text(d, "name", path, nonempty=True)
    capacity = r.number(d, "capacity", path, minimum=0, exclusive_min=True)
    floor = r.number(d, "floor", path, default=0.0, minimum=0)
    reach = r.number(d, "reach", path, default=None, minimum=0, allow_none=True)
    answers = d.get("needs_answers")
    answers = {} if answers is None else answers
    scored = _scores_from_answers(r, answers, f"{path}.needs_answers")
    blank = "is blank: answer the needs questions or enter a score from 0 to 1 (a blank is never read as no need)"
    md = bo = None
    for key in ("multiple_disadvantage", "back_office_capacity"):
        if d.get(key) is None and scored.get(key) is not None:
            value = scored[key]  # filled in from the needs assessment answers
        else:
            value = r.number(d, key, path, minimum=0, maximum=1, missing_message=blank)
        if key == "multiple_disadvantage":
            md = value
        else:
            bo = value
    if capacity is not None and floor is not None and floor > capacity:
        r.fail(
            f"{path}.floor", f"must not be above the capacity ({_fmt(capacity)}), got {_fmt(floor)}"
        )
    if not isinstance(answers, dict):
        answers = {}
    notes = r.text(d, "notes", path, default="")
    lead = r.boolean(d, "lead", path)
    bf = r.boolean(d, "by_and_for", path)
    if len(r.problems) > before:
        return None
    return Partner(
        id=pid,
        name=name,
        capacity=float(capacity),
        floor=float(floor),
        reach=None if reach is None else float(reach),
        multiple_disadvantage=float(md),
        back_office_capacity=float(bo),
        by_and_for=bf,
        lead=lead,
        notes=notes,
        needs_answers=dict(answers),
    )


def _scores_from_answers(r: _Reader, answers: Any, path: str) -> dict[str, float | None]:
    """The needs assessment's scores, when the answers are given (problems reported)."""
    from allocator.domain import needs

    problems = needs.validate_answers(answers, path)
    if problems:
        r.problems.extend(problems)
        return {}
    if not answers:
        return {}
    result = needs.score(answers, path)
    return {
        "multiple_disadvantage": result.multiple_disadvantage,
        "back_office_capacity": result.back_office_capacity,
    }


def _read_scenario(r: _Reader, raw: Any, path: str, ids: set[str]) -> Scenario | None:
    d = r.obj(raw, path)
    if d is None:
        return None
    before = len(r.problems)
    for key in d:
        if key not in _SCENARIO_KEYS:
            r.fail(f"{path}.{key}", "is not a scenario setting FairShare knows")
    name = r.text(d, "name", path, nonempty=True)
    basis = r.text(d, "basis", path, default="capacity")
    if basis is not None and basis not in BASES:
        r.fail(f"{path}.basis", f"must be one of {', '.join(BASES)}, got {basis!r}")
    rule = r.text(d, "rule", path, default="leximin")
    if rule is not None and rule not in RULES:
        r.fail(f"{path}.rule", f"must be one of {', '.join(RULES)}, got {rule!r}")
    weights = Weights()
    if "weights" in d and d["weights"] is not None:
        w = r.obj(d["weights"], f"{path}.weights")
        if w is not None:
            for key in w:
                if key not in ("multiple_disadvantage", "back_office_gap"):
                    r.fail(f"{path}.weights.{key}", "is not a weight FairShare knows")
            wd = r.number(
                w, "multiple_disadvantage", f"{path}.weights", default=1.0, minimum=0, maximum=10
            )
            wb = r.number(
                w, "back_office_gap", f"{path}.weights", default=0.5, minimum=0, maximum=10
            )
            if wd is not None and wb is not None:
                weights = Weights(float(wd), float(wb))
    rate = BackOfficeRate()
    if "back_office_rate" in d and d["back_office_rate"] is not None:
        w = r.obj(d["back_office_rate"], f"{path}.back_office_rate")
        if w is not None:
            for key in w:
                if key not in ("base", "uplift"):
                    r.fail(
                        f"{path}.back_office_rate.{key}", "is not a rate setting FairShare knows"
                    )
            base = r.number(
                w, "base", f"{path}.back_office_rate", default=0.10, minimum=0, maximum=1
            )
            up = r.number(
                w, "uplift", f"{path}.back_office_rate", default=0.15, minimum=0, maximum=1
            )
            if base is not None and up is not None:
                rate = BackOfficeRate(float(base), float(up))
    core = r.number(d, "core_share", path, default=0.0, minimum=0, maximum=1)
    fee = r.number(d, "management_fee", path, default=0.0, minimum=0, maximum=0.25)
    ring = r.number(d, "ring_fence", path, default=0.0, minimum=0, maximum=1)
    alpha = r.number(d, "needs_floor", path, default=0.0, minimum=0, maximum=1)
    k = r.number(d, "spread_limit", path, default=None, minimum=1, allow_none=True)
    lam = r.number(d, "lead_cap", path, default=None, minimum=0, maximum=1, allow_none=True)
    u = r.number(d, "unrestricted_share", path, default=0.0, minimum=0, maximum=1)
    excluded_raw = d.get("excluded")
    excluded_raw = [] if excluded_raw is None else excluded_raw
    excluded: list[str] = []
    if not isinstance(excluded_raw, list):
        r.fail(f"{path}.excluded", f"must be a list of partner ids, got {_show(excluded_raw)}")
    else:
        for j, e in enumerate(excluded_raw):
            if not isinstance(e, str):
                r.fail(f"{path}.excluded[{j}]", f"must be a partner id, got {_show(e)}")
            elif e not in ids:
                r.fail(f"{path}.excluded[{j}]", f"no partner has the id {e!r}")
            else:
                excluded.append(e)
    if len(r.problems) > before:
        return None
    return Scenario(
        name=name,
        basis=basis,
        weights=weights,
        core_share=float(core),
        rule=rule,
        management_fee=float(fee),
        ring_fence=float(ring),
        needs_floor=float(alpha),
        spread_limit=None if k is None else float(k),
        lead_cap=None if lam is None else float(lam),
        back_office_rate=rate,
        unrestricted_share=float(u),
        excluded=tuple(excluded),
    )


def project_from_dict(data: Any) -> Project:
    """Build a Project from parsed JSON (current version), or raise ValidationError."""
    r = _Reader()
    d = r.obj(data, "project")
    if d is None:
        raise ValidationError(r.problems)
    name = r.text(d, "name", "", nonempty=True)
    currency = r.text(d, "currency", "", default="GBP")
    if currency is not None and not (
        len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()
    ):
        r.fail("currency", f"must be a three-letter code such as GBP or EUR, got {currency!r}")
    start = count = None
    yrs = r.obj(d.get("years"), "years") if "years" in d else None
    if "years" not in d:
        r.fail("years", 'is required: {"start": 2027, "count": 3}')
    if yrs is not None:
        start = r.number(yrs, "start", "years", minimum=1900, maximum=2200)
        count = r.number(yrs, "count", "years", minimum=1, maximum=MAX_YEARS)
        for key, v in (("start", start), ("count", count)):
            if v is not None and not float(v).is_integer():
                r.fail(f"years.{key}", f"must be a whole number, got {_fmt(v)}")
    budget = None
    if "budget" not in d:
        r.fail(
            "budget",
            'is required: {"first_year": ..., "annual_uplift": ...} or {"per_year": [...]}',
        )
    else:
        b = r.obj(d["budget"], "budget")
        if b is not None:
            budget = _read_budget(r, b, None if count is None else int(count))
    partners_raw = d.get("partners", [])
    partners: list[Partner] = []
    if not isinstance(partners_raw, list):
        r.fail("partners", f"must be a list, got {_show(partners_raw)}")
        partners_raw = []
    if len(partners_raw) > MAX_PARTNERS:
        r.fail("partners", f"has {len(partners_raw)} partners; at most {MAX_PARTNERS}")
        partners_raw = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(partners_raw):
        p = _read_partner(r, raw, f"partners[{i}]")
        if p is None:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                seen.setdefault(raw["id"], i)
            continue
        if p.id in seen:
            r.fail(
                f"partners[{i}].id",
                f"duplicates the id of partners[{seen[p.id]}] ({p.id!r}); each partner needs its own id",
            )
            continue
        seen[p.id] = i
        partners.append(p)
    ids = set(seen)
    scen_raw = d.get("scenarios", [])
    scenarios: list[Scenario] = []
    if not isinstance(scen_raw, list):
        r.fail("scenarios", f"must be a list, got {_show(scen_raw)}")
        scen_raw = []
    if len(scen_raw) > MAX_SCENARIOS:
        r.fail("scenarios", f"has {len(scen_raw)} scenarios; at most {MAX_SCENARIOS}")
        scen_raw = []
    names: dict[str, int] = {}
    for j, raw in enumerate(scen_raw):
        s = _read_scenario(r, raw, f"scenarios[{j}]", ids)
        if s is None:
            continue
        if s.name in names:
            r.fail(
                f"scenarios[{j}].name",
                f"duplicates the name of scenarios[{names[s.name]}] ({s.name!r})",
            )
            continue
        names[s.name] = j
        scenarios.append(s)
    for key in d:
        if key not in {
            "format",
            "version",
            "name",
            "currency",
            "years",
            "budget",
            "partners",
            "scenarios",
            "chosen",
        }:
            r.fail(key, "is not a project field FairShare knows")
    chosen = r.text(d, "chosen", "", default=None)
    if chosen is not None and scenarios and chosen not in names:
        r.fail("chosen", f"no scenario is called {chosen!r}")
    if r.problems:
        raise ValidationError(r.problems)
    project = Project(
        name=name,
        currency=currency,
        start_year=int(start),
        year_count=int(count),
        budget=budget,
        partners=tuple(partners),
        scenarios=tuple(scenarios),
        chosen=chosen,
    )
    problems = check_project(project)
    if problems:
        raise ValidationError(problems)
    return project


def _read_budget(r: _Reader, b: dict, count: int | None) -> Budget | None:
    for key in b:
        if key not in ("first_year", "annual_uplift", "per_year"):
            r.fail(f"budget.{key}", "is not a budget field FairShare knows")
    if "per_year" in b and b["per_year"] is not None:
        if "first_year" in b:
            r.fail("budget", "give either first_year (with annual_uplift) or per_year, not both")
            return None
        py = b["per_year"]
        if not isinstance(py, list):
            r.fail("budget.per_year", f"must be a list of amounts, got {_show(py)}")
            return None
        vals = []
        for i, v in enumerate(py):
            x = r.number({"v": v}, "v", "", minimum=0, exclusive_min=True)
            if x is None:
                r.problems[-1] = (f"budget.per_year[{i}]", r.problems[-1][1])
            else:
                vals.append(float(x))
        if count is not None and len(py) != count:
            r.fail("budget.per_year", f"must have one amount per year ({count}), got {len(py)}")
        if len(vals) != len(py):
            return None
        return Budget(per_year=tuple(vals))
    first = r.number(b, "first_year", "budget", minimum=0, exclusive_min=True)
    g = r.number(b, "annual_uplift", "budget", default=0.0, minimum=-0.5, maximum=1.0)
    if first is None or g is None:
        return None
    return Budget(first_year=float(first), annual_uplift=float(g))


def check_project(project: Project) -> list[tuple[str, str]]:
    """Cross-field rules that hold for a whole project (also used after in-app edits)."""
    problems: list[tuple[str, str]] = []
    leads = [i for i, p in enumerate(project.partners) if p.lead]
    for j, s in enumerate(project.scenarios):
        included = [i for i, p in enumerate(project.partners) if p.id not in s.excluded]
        inc_leads = [i for i in leads if i in included]
        if s.management_fee > 0 or s.lead_cap is not None:
            what = "a management fee" if s.management_fee > 0 else "a lead cap"
            if len(inc_leads) == 0:
                problems.append(
                    (
                        f"scenarios[{j}].management_fee"
                        if s.management_fee > 0
                        else f"scenarios[{j}].lead_cap",
                        f"{what} needs exactly one partner marked as lead; none is",
                    )
                )
            elif len(inc_leads) > 1:
                names = " and ".join(project.partners[i].name for i in inc_leads)
                problems.append(
                    (
                        f"partners[{inc_leads[1]}].lead",
                        f"{what} (scenario {s.name!r}) needs exactly one lead; {names} are both marked as lead",
                    )
                )
        if s.basis == "reach":
            for i in included:
                p = project.partners[i]
                if p.reach is None or p.reach <= 0:
                    problems.append(
                        (
                            f"partners[{i}].reach",
                            f"scenario {s.name!r} shares by reach, so people served must be greater than 0"
                            + (" (it is blank)" if p.reach is None else f", got {_fmt(p.reach)}"),
                        )
                    )
        if not included and project.partners:
            problems.append(
                (
                    f"scenarios[{j}].excluded",
                    "leaves out every partner; at least one must take part",
                )
            )
    return problems


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
    if p.needs_answers:
        d["needs_answers"] = dict(p.needs_answers)
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
        "rule": s.rule,
        "management_fee": s.management_fee,
        "ring_fence": s.ring_fence,
        "needs_floor": s.needs_floor,
        "spread_limit": s.spread_limit,
        "lead_cap": s.lead_cap,
        "back_office_rate": {"base": s.back_office_rate.base, "uplift": s.back_office_rate.uplift},
        "unrestricted_share": s.unrestricted_share,
        "excluded": list(s.excluded),
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
    return out


def _num(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v
