"""Sensitivity sweeps: how a scenario's split moves as one setting moves.

"What does a 30% ring-fence do to everyone?" and "how high can the fee go before the
smallest partner drops below its floor?" are answered by solving the same scenario
at a run of values of one setting. ``sweep`` does that with one Engine reused from
step to step, so each step only changes bounds in the programs it already holds and
starts warm. Each step is exactly the split a person would get by setting that value
and solving (``set_field`` then ``Engine.solve``), which the tests check.

The setting is named by a field path: relative to the scenario for its own settings
(``ring_fence``, ``weights.back_office_gap``), or a project field (``budget.first_year``,
``partners[2].floor``). The sweep marks where a rule starts or stops holding the split
and where the scenario stops (or starts) being possible, for the charts' markers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from allocator.domain.edits import add_scenario, set_field
from allocator.domain.fields import FieldSpec, spec_for
from allocator.domain.model import Project
from allocator.domain.paths import FieldPath, describe_path
from allocator.domain.text import money, pct
from allocator.engine.result import (
    BUDGET,
    CAPACITY,
    EXCLUDED,
    FLOOR,
    LEAD_CAP,
    LEVEL,
    NEEDS_FLOOR,
    RING_FENCE,
    SPREAD,
    ScenarioResult,
)
from allocator.errors import Cancelled, Problem, ValidationError
from allocator.report.baseline import (
    MEASURES,
    Measures,
    PartnerInfo,
    finite,
    resolve_scenario_name,
    status_text,
)
from allocator.report.words import status_text as status_words

if TYPE_CHECKING:
    from allocator.engine.solve import Engine

SWEEP_PARAMS: tuple[str, ...] = (
    "ring_fence",
    "core_share",
    "weights.multiple_disadvantage",
    "weights.back_office_gap",
    "management_fee",
    "needs_floor",
    "spread_limit",
    "lead_cap",
    "budget.first_year",
)
"""The settings a sweep is usually run over (the app offers these). ``sweep`` also takes
any other number field: a scenario setting by its relative path, or a project or
partner field by its full path (``budget.per_year[1]``, ``partners[2].floor``)."""

MAX_STEPS = 1000

RULES: tuple[str, ...] = (CAPACITY, FLOOR, NEEDS_FLOOR, RING_FENCE, SPREAD, LEAD_CAP)
"""The rules a step can find binding, in the order they are listed."""

_NOT_RULES = {LEVEL, EXCLUDED, BUDGET}

RULE_WORDS = {
    CAPACITY: "a partner's capacity",
    FLOOR: "a floor",
    NEEDS_FLOOR: "the needs floor",
    RING_FENCE: "the ring-fence",
    SPREAD: "the spread limit",
    LEAD_CAP: "the lead cap",
}
"""Each rule in words, for the marks on the split as a whole."""

_PARTNER_RULE_WORDS = {
    CAPACITY: "its capacity",
    FLOOR: "its floor",
    NEEDS_FLOOR: "the needs floor",
    RING_FENCE: "the ring-fence",
    SPREAD: "the spread limit",
    LEAD_CAP: "the lead cap",
}


# ----------------------------------------------------------------------------------
# What a sweep returns
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepStep:
    """One value of the swept setting and the split it gives.

    ``grants`` is each partner's total grant over all years (fee excluded), in the
    project's partner order, and ``limited_by`` what holds each partner (its
    ``limited_by`` reasons); both are None/() when the scenario did not solve at this
    value. ``rules`` are the rules that bind anywhere in the split.
    """

    index: int
    value: float
    shown: str
    status: str
    message: str
    fee: int | None
    grants: tuple[int, ...] | None
    measures: Measures | None
    limited_by: tuple[tuple[str, ...], ...]
    rules: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "value": finite(self.value),
            "shown": self.shown,
            "status": self.status,
            "message": self.message,
            "fee": self.fee,
            "grants": None if self.grants is None else list(self.grants),
            "measures": None if self.measures is None else self.measures.to_json(),
            "limited_by": [list(r) for r in self.limited_by],
            "rules": list(self.rules),
        }


@dataclass(frozen=True)
class SweepEvent:
    """A point on the curve worth marking: at ``step`` something changed from the step before.

    ``kind`` is "starts" or "stops" (``rule`` starts or stops binding; for the
    scenario as a whole when ``partner`` is None, else for that partner, by its
    index in the project) or "status" (the scenario stops or starts being possible:
    ``status`` is the new status).
    """

    step: int
    value: float
    kind: str
    rule: str | None
    partner: int | None
    status: str
    words: str

    def to_json(self) -> dict:
        return {
            "step": self.step,
            "value": finite(self.value),
            "kind": self.kind,
            "rule": self.rule,
            "partner": self.partner,
            "status": self.status,
            "words": self.words,
        }


@dataclass(frozen=True)
class Sweep:
    """A scenario solved at ``count`` values of one setting, ``start`` to ``stop``.

    ``param`` is the setting as asked for (``ring_fence``); ``path`` the full field path
    it was set at when swept (``scenarios[2].ring_fence``); ``scope`` "scenario" or
    "project". ``steps`` holds the steps solved: all of ``values`` unless
    ``cancelled``.
    """

    project: str
    currency: str
    scenario: str
    param: str
    path: str
    scope: str
    label: str
    words: str
    kind: str
    start: float
    stop: float
    count: int
    values: tuple[float, ...]
    partners: tuple[PartnerInfo, ...]
    included: tuple[bool, ...]
    steps: tuple[SweepStep, ...]
    events: tuple[SweepEvent, ...]
    cancelled: bool
    seconds: float

    @property
    def complete(self) -> bool:
        return not self.cancelled and len(self.steps) == self.count

    def to_json(self) -> dict:
        """Plain data for ``--json`` and the app: JSON-safe (no inf, no nan)."""
        return {
            "project": self.project,
            "currency": self.currency,
            "scenario": self.scenario,
            "param": self.param,
            "path": self.path,
            "scope": self.scope,
            "label": self.label,
            "start": self.start,
            "stop": self.stop,
            "count": self.count,
            "values": list(self.values),
            "cancelled": self.cancelled,
            "complete": self.complete,
            "seconds": round(self.seconds, 6),
            "measures": [{"key": k, "label": label} for k, label in MEASURES],
            "partners": [
                {**p.to_json(), "included": inc}
                for p, inc in zip(self.partners, self.included, strict=True)
            ],
            "steps": [s.to_json() for s in self.steps],
            "events": [e.to_json() for e in self.events],
        }

    def to_csv_rows(self) -> list[list[Any]]:
        """A header and one row per step: value, status, the measures, each partner's grant.

        The last column lists the rules that bind. Numbers stay numbers (shares as
        fractions, 0.3 for 30%); a blank (None) where a step has no figures.
        """
        unit = {"share": " (share)", "rate": " (share)", "money": f" ({self.currency})"}
        header: list[Any] = [
            self.label + unit.get(self.kind, ""),
            "Status",
            *[label for _, label in MEASURES],
            *[p.name for p in self.partners],
            "Rules that bind",
        ]
        rows: list[list[Any]] = [header]
        for s in self.steps:
            measures = [
                None if s.measures is None else finite(s.measures.get(k)) for k, _ in MEASURES
            ]
            grants = list(s.grants) if s.grants is not None else [None] * len(self.partners)
            rows.append([s.value, s.status, *measures, *grants, ", ".join(s.rules)])
        return rows


# ----------------------------------------------------------------------------------
# The sweep
# ----------------------------------------------------------------------------------


def resolve_param(
    project: Project, scenario_index: int, param: str
) -> tuple[FieldPath, str, FieldSpec]:
    """The full path, scope ("scenario" or "project") and description of a swept setting.

    Raises ValidationError (path "param") when it is not a number field that can be
    swept, listing the usual ones.
    """
    text = str(param).strip()
    usual = ", ".join(SWEEP_PARAMS)
    try:
        rel = FieldPath.parse(text)
    except ValidationError:
        raise ValidationError(
            [Problem("param", f"{text!r} is not a setting; sweep one of {usual}")]
        ) from None
    if rel.parts and rel.parts[0] == "scenarios":
        raise ValidationError(
            [
                Problem(
                    "param",
                    f"name the scenario's setting without the scenario ({text!r}): such as "
                    "ring_fence or weights.back_office_gap",
                )
            ]
        )
    full, scope = FieldPath(("scenarios", scenario_index, *rel.parts)), "scenario"
    try:
        spec = spec_for(full)
    except KeyError:
        full, scope = rel, "project"
        try:
            spec = spec_for(full)
        except KeyError:
            raise ValidationError(
                [Problem("param", f"FairShare has no setting {text!r}; sweep one of {usual}")]
            ) from None
    if not spec.is_number or spec.whole:
        why = "it is a whole number" if spec.is_number else "it is not a figure"
        raise ValidationError(
            [
                Problem(
                    "param",
                    f"{text!r} ({spec.label}) cannot be swept: {why}; sweep one of {usual}",
                )
            ]
        )
    if full.pattern == "budget.first_year" and project.budget.per_year is not None:
        raise ValidationError(
            [
                Problem(
                    "param",
                    "the grant is given year by year: sweep one year's grant, such as "
                    "budget.per_year[0]",
                )
            ]
        )
    return full, scope, spec


def is_share(spec: FieldSpec) -> bool:
    """A share or rate: stored as a fraction, shown in percent."""
    return spec.kind in ("share", "rate")


def param_choices(project: Project) -> list[tuple[str, str]]:
    """The settings offered to sweep, as (param for ``sweep``, label).

    The budget is the first year's grant, or one entry per year when the grant is
    given year by year.
    """
    out: list[tuple[str, str]] = []
    for param in SWEEP_PARAMS:
        if param != "budget.first_year":
            out.append((param, spec_for(f"scenarios[].{param}").label))
        elif project.budget.per_year is None:
            out.append((param, "Budget: grant in the first year"))
        else:
            for k, year in enumerate(project.years):
                out.append((f"budget.per_year[{k}]", f"Budget: grant for {year}"))
    return out


@dataclass(frozen=True)
class SweptSetting:
    """A setting to sweep as :func:`resolve_param` reads it, with its value now."""

    path: FieldPath
    scope: str
    spec: FieldSpec
    current: object
    currency: str

    @property
    def shown(self) -> str:
        """The value now as people read it ("" when blank)."""
        if not isinstance(self.current, (int, float)) or isinstance(self.current, bool):
            return ""
        return show_value(self.spec, float(self.current), self.currency)

    def default_range(self) -> tuple[float, float]:
        """From and to for a new sweep (see :func:`default_range`)."""
        return default_range(self.spec, self.current)


def swept_setting(project: Project, scenario: str, param: str) -> SweptSetting:
    """The setting ``param`` of ``scenario`` (or of the project) and its current value.

    Raises ValidationError as :func:`resolve_param` does, and for an unknown scenario.
    """
    names = [s.name for s in project.scenarios]
    j = names.index(resolve_scenario_name(names, scenario, "scenario"))
    path, scope, spec = resolve_param(project, j, param)
    return SweptSetting(path, scope, spec, path.get(project), project.currency)


def default_range(spec: FieldSpec, current: object) -> tuple[float, float]:
    """From and to for a new sweep: the field's bounds where it has them, around the
    current value where it does not; the current value always inside."""
    v = float(current) if isinstance(current, (int, float)) else None
    lo = spec.minimum
    hi = spec.maximum
    if spec.kind == "money":
        base = v if v else 1_000_000.0
        start, stop = base * 0.5, base * 1.5
    elif is_share(spec) and lo is not None and hi is not None:
        start, stop = max(lo, 0.0), hi
    elif spec.kind == "ratio":
        start = lo if lo is not None else 0.0
        stop = max(2.0 * (v or 0.0), start + (4.0 if start >= 1 else 2.0))
        if hi is not None:
            stop = min(stop, hi)
    else:
        start = lo if lo is not None else 0.0
        stop = hi if hi is not None else max(1.0, 2.0 * (v or 1.0))
    if v is not None:
        start, stop = min(start, v), max(stop, v)
    if spec.exclusive_min and lo is not None and start <= lo:
        start = lo + (1.0 if spec.kind == "money" else 0.01)
    return float(start), float(stop)


def sweep_basis(project: Project, scenario: str) -> tuple[object, ...] | None:
    """What a sweep's figures depend on: everything but the other scenarios and the name.

    Adding a scenario (as "Make this a scenario" does) leaves a sweep current; a change
    to a partner, the budget, the years or the swept scenario makes it out of date.
    None when there is no such scenario.
    """
    found = next((s for s in project.scenarios if s.name == scenario), None)
    if found is None:
        return None
    return (
        project.currency,
        project.start_year,
        project.year_count,
        project.budget,
        project.partners,
        found,
    )


def step_values(start: float, stop: float, steps: int) -> tuple[float, ...]:
    """``steps`` evenly spaced values from ``start`` to ``stop``, both included."""
    for name, v in (("from", start), ("to", stop)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValidationError([Problem(name, f"must be an ordinary number, got {v!r}")])
    if isinstance(steps, bool) or not isinstance(steps, int) or not 2 <= steps <= MAX_STEPS:
        raise ValidationError(
            [Problem("steps", f"must be a whole number from 2 to {MAX_STEPS}, got {steps!r}")]
        )
    out = []
    for k in range(steps):
        v = start + (stop - start) * k / (steps - 1)
        out.append(round(v, 12) if abs(v) < 1e6 else v)
    out[-1] = float(stop)
    return tuple(float(v) for v in out)


def show_value(spec: FieldSpec, value: float, currency: str) -> str:
    """A swept value as people read it: "30.0%", "£1,200,000", "1.5"."""
    if spec.kind in ("share", "rate"):
        return pct(value, 1)
    if spec.kind == "money":
        return money(value, currency)
    return f"{value:.4g}"


def sweep(
    project: Project,
    scenario: str,
    param: str,
    start: float,
    stop: float,
    steps: int,
    engine: Engine | None = None,
    should_cancel: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Solve ``scenario`` at ``steps`` values of ``param`` from ``start`` to ``stop``.

    Each step sets the value with ``set_field`` (so out-of-range values are refused
    up front, with the field's own message) and solves with one ``engine`` reused
    across steps, starting warm. ``progress(done, total)`` is called before the first
    step and after each one. ``should_cancel`` is polled before each step and inside
    the engine; when it says stop, the steps solved so far come back with
    ``cancelled`` set. Scenario names match exactly or, when only one fits,
    ignoring case.
    """
    began = time.perf_counter()
    names = [s.name for s in project.scenarios]
    name = resolve_scenario_name(names, scenario, "scenario")
    j = names.index(name)
    path, scope, spec = resolve_param(project, j, param)
    # a project field in words names its place: "Amani Collective's floor"
    words = (spec.words or spec.label) if scope == "scenario" else describe_path(project, path)
    values = step_values(start, stop, steps)
    set_field(project, path, values[0])  # refuses an out-of-range value before any solve
    set_field(project, path, values[-1])
    if engine is None:
        # imported here: the app's Sweep tab loads this module on the GUI thread, and
        # the engine (NumPy, HiGHS) belongs to the worker that runs the sweep
        from allocator.engine.solve import Engine

        engine = Engine()
    s = project.scenarios[j]
    partners = tuple(PartnerInfo(p.id, p.name, p.lead, p.by_and_for) for p in project.partners)
    included = tuple(p.id not in s.excluded for p in project.partners)

    done: list[SweepStep] = []
    cancelled = False
    if progress is not None:
        progress(0, len(values))
    for k, value in enumerate(values):
        if should_cancel is not None and should_cancel():
            cancelled = True
            break
        changed = set_field(project, path, value)
        shown = show_value(spec, value, project.currency)
        try:
            # the figures only: no reasons, prices or suggested changes per step
            result = engine.solve(changed, [name], should_cancel, detail="figures")[0]
        except Cancelled:
            cancelled = True
            break
        except ValidationError as exc:
            done.append(_failed_step(k, value, shown, "invalid", str(exc)))
        else:
            if status_text(result.status) == "cancelled":
                cancelled = True
                break
            done.append(_step(k, value, shown, result, len(partners)))
        if progress is not None:
            progress(k + 1, len(values))

    return Sweep(
        project=project.name,
        currency=project.currency,
        scenario=name,
        param=str(param).strip(),
        path=str(path),
        scope=scope,
        label=spec.label,
        words=words,
        kind=spec.kind,
        start=values[0],
        stop=values[-1],
        count=len(values),
        values=values,
        partners=partners,
        included=included,
        steps=tuple(done),
        events=tuple(_events(done, partners, words)),
        cancelled=cancelled,
        seconds=time.perf_counter() - began,
    )


def _failed_step(k: int, value: float, shown: str, status: str, message: str) -> SweepStep:
    return SweepStep(k, value, shown, status, message, None, None, None, (), ())


def _step(k: int, value: float, shown: str, result: ScenarioResult, n: int) -> SweepStep:
    status = status_text(result.status)
    if status != "optimal":
        return _failed_step(k, value, shown, status, result.message)
    by_index = {p.index: p for p in result.partners}
    grants = tuple(int(by_index[i].total) if i in by_index else 0 for i in range(n))
    limited = tuple(tuple(by_index[i].limited_by) if i in by_index else () for i in range(n))
    found = {r for reasons in limited for r in reasons}
    found |= {b.constraint for b in result.binding}
    rules = tuple(r for r in RULES if r in found)
    return SweepStep(
        index=k,
        value=value,
        shown=shown,
        status=status,
        message=result.message,
        fee=int(sum(result.fee)),
        grants=grants,
        measures=Measures.from_metrics(result.metrics),
        limited_by=limited,
        rules=rules,
    )


def _events(
    steps: list[SweepStep], partners: tuple[PartnerInfo, ...], words: str
) -> list[SweepEvent]:
    out: list[SweepEvent] = []
    met = False
    for prev, cur in zip(steps, steps[1:], strict=False):
        met = met or prev.ok
        out += _changes(prev, cur, partners, f"At {words} {cur.shown}", met)
    return out


def _changes(
    prev: SweepStep,
    cur: SweepStep,
    partners: tuple[PartnerInfo, ...],
    at: str,
    met_before: bool = False,
) -> list[SweepEvent]:
    """What changed from one step to the next, as events at ``cur``."""

    def event(kind: str, rule: str | None, partner: int | None, text: str) -> SweepEvent:
        return SweepEvent(cur.index, cur.value, kind, rule, partner, cur.status, text)

    if cur.status != prev.status:
        if cur.ok:
            again = " again" if met_before else ""
            text = f"{at}, the scenario becomes possible{again}"
        elif prev.ok:
            why = status_words(cur.status)
            why = "" if cur.status == "infeasible" else f" (it {why})"
            text = f"{at}, the scenario stops being possible{why}"
        else:
            now = status_words(cur.status)
            text = f"{at}, the scenario still does not solve: it {now}"
        return [event("status", None, None, text)]
    if not cur.ok:
        return []
    out = []
    for rule in RULES:
        binds_before, binds_now = rule in prev.rules, rule in cur.rules
        what = RULE_WORDS[rule]
        if binds_now and not binds_before:
            out.append(event("starts", rule, None, f"{at}, {what} starts to bind"))
        elif binds_before and not binds_now:
            out.append(event("stops", rule, None, f"{at}, {what} stops binding"))
    for i, p in enumerate(partners):
        if prev.limited_by[i] == cur.limited_by[i]:
            continue  # nothing changed for this partner (most partners at most steps)
        before = set(prev.limited_by[i]) - _NOT_RULES
        after = set(cur.limited_by[i]) - _NOT_RULES
        for rule in RULES:
            what = _PARTNER_RULE_WORDS[rule]
            if rule in after and rule not in before:
                out.append(event("starts", rule, i, f"{at}, {p.name} is held by {what}"))
            elif rule in before and rule not in after:
                out.append(event("stops", rule, i, f"{at}, {p.name} is no longer held by {what}"))
    return out


# ----------------------------------------------------------------------------------
# From a step back to the project
# ----------------------------------------------------------------------------------


def _pick(sweep_: Sweep, step: int | SweepStep) -> SweepStep:
    if isinstance(step, SweepStep):
        return step
    for s in sweep_.steps:
        if s.index == step:
            return s
    raise ValidationError([Problem("step", f"the sweep has no step {step}")])


def _scenario_index(project: Project, name: str) -> int:
    for j, s in enumerate(project.scenarios):
        if s.name == name:
            return j
    names = ", ".join(repr(s.name) for s in project.scenarios)
    raise ValidationError(
        [Problem("scenario", f"no scenario called {name!r} any more; there are: {names}")]
    )


def _current_path(project: Project, sweep_: Sweep) -> str:
    if sweep_.scope != "scenario":
        return sweep_.path
    j = _scenario_index(project, sweep_.scenario)
    return f"scenarios[{j}].{sweep_.param}"


def step_scenario_name(sweep_: Sweep, step: int | SweepStep) -> str:
    """The name a step's scenario is given: "Needs-weighted, ring-fence 30.0%"."""
    return f"{sweep_.scenario}, {sweep_.words} {_pick(sweep_, step).shown}"


def make_scenario(project: Project, sweep_: Sweep, step: int | SweepStep) -> Project:
    """The project with a new scenario: the swept one with that step's value.

    Named like "Needs-weighted, ring-fence 30.0%" (made unique by ``add_scenario``) and
    added at the end; one edit the app can undo. A project-wide setting such as the
    budget is not a scenario's: use :func:`apply_step` for those.
    """
    chosen = _pick(sweep_, step)
    if sweep_.scope != "scenario":
        raise ValidationError(
            [
                Problem(
                    sweep_.path,
                    f"the {sweep_.words} belongs to the project, not to a scenario: set it on "
                    "the project instead",
                )
            ]
        )
    j = _scenario_index(project, sweep_.scenario)
    changed = set_field(project, _current_path(project, sweep_), chosen.value)
    new = replace(changed.scenarios[j], name=step_scenario_name(sweep_, chosen))
    return add_scenario(project, new)


def apply_step(project: Project, sweep_: Sweep, step: int | SweepStep) -> Project:
    """The project with the swept setting set to that step's value (any scope)."""
    chosen = _pick(sweep_, step)
    return set_field(project, _current_path(project, sweep_), chosen.value)
