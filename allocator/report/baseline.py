"""Scenarios against a baseline: who gains and who loses, in money and in percent.

A partnership judges a split by what it changes. The baseline is either one of the
project's scenarios or, by default, the size-proportional split of the same budget
(the "bigger slice": capacity basis, no needs weights, only budget and capacities).
The size-proportional figures are the ones every result already carries
(``PartnerResult.size_proportional``), and a change against them is exactly the
result's ``vs_size_proportional``: what the partner receives (its grant plus, for the
lead, the management fee) minus its size-proportional share. One definition, shown
everywhere the same.

``compare_to_baseline(project, results, baseline)`` gives a :class:`Comparison`: per
scenario per partner what it receives and the change; per scenario the measures and
their change; and the settings that differ between the scenarios. The command line,
the workbook's Scenarios sheet and the app's compare view all read it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from allocator.domain.fields import (
    SCENARIO_FIELDS,
    SCENARIO_KEEP,
    FieldSpec,
    format_value,
    spec_for,
)
from allocator.domain.model import Project
from allocator.domain.paths import FieldPath
from allocator.engine import metrics as engine_metrics
from allocator.engine.result import Metrics, ScenarioResult
from allocator.errors import Problem, ValidationError
from allocator.report import words

SIZE_PROPORTIONAL = "size-proportional"
"""The default baseline's name: the size-proportional split of the same budget."""

SIZE_PROPORTIONAL_WORDS = "the size-proportional split of the same budget"

MEASURES: tuple[tuple[str, str], ...] = tuple((m.key, m.name) for m in words.MEASURES)
"""The measures of a split as a whole, (key, name), in the order they are shown: the
names are :data:`allocator.report.words.MEASURES`'s."""


def status_text(status: str) -> str:
    """A status as its plain value, "optimal" (``Status`` is a ``str`` enum); the words
    for it are :func:`allocator.report.words.status_text`."""
    return str(status)


def finite(value: float | None) -> float | None:
    """``value``, or None where it is not an ordinary number (JSON has no inf or nan)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


@dataclass(frozen=True)
class Measures:
    """The measures of one split as a whole (see ``MEASURES``).

    ``need_ratio`` is infinite when some partner taking part gets nothing; in JSON and
    in changes that reads as None (not a number anyone can compare).
    """

    min_attainment: float | None
    max_attainment: float | None
    gini: float | None
    need_ratio: float | None
    by_and_for_share: float | None
    lead_share: float | None

    @classmethod
    def from_metrics(cls, m: Metrics) -> Measures:
        return cls(**words.measure_values(m))

    def get(self, key: str) -> float | None:
        return getattr(self, key)

    def minus(self, other: Measures) -> Measures:
        """The change from ``other`` to this; None where either is not a number."""
        out = {}
        for f in fields(self):
            a, b = finite(getattr(self, f.name)), finite(getattr(other, f.name))
            out[f.name] = None if a is None or b is None else a - b
        return Measures(**out)

    def to_json(self) -> dict[str, float | None]:
        return {f.name: finite(getattr(self, f.name)) for f in fields(self)}


# ----------------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------------


def resolve_scenario_name(
    names: Sequence[str], wanted: str, what: str = "scenario", extra: Sequence[str] = ()
) -> str:
    """The scenario name meant by ``wanted``: exactly, or ignoring case when only one fits.

    Raises ValidationError (path ``what``) quoting every name there is, so a person
    can copy the one they meant. ``extra`` are further names accepted (such as
    ``size-proportional``), listed in the message too.
    """
    if wanted in names:
        return wanted
    key = " ".join(str(wanted).split()).casefold()
    close = [n for n in names if " ".join(n.split()).casefold() == key]
    if len(close) == 1:
        return close[0]
    quoted = ", ".join(repr(n) for n in names) or "none"
    if extra:
        quoted += "; or " + ", ".join(repr(n) for n in extra)
    if len(close) > 1:
        both = " and ".join(repr(n) for n in close)
        message = f"{wanted!r} could mean {both}; give the name exactly as written"
    else:
        message = f"no scenario called {wanted!r}; there are: {quoted}"
    raise ValidationError([Problem(what, message)])


# ----------------------------------------------------------------------------------
# The comparison
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerInfo:
    id: str
    name: str
    lead: bool
    by_and_for: bool

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "lead": self.lead, "by_and_for": self.by_and_for}


@dataclass(frozen=True)
class PartnerChange:
    """One partner in one scenario, against the baseline.

    ``received`` is the grant plus, for the lead, the management fee (all years).
    ``change`` is ``received - baseline`` in currency; ``relative_change`` is that as a
    fraction of the baseline (0.052 reads +5.2%), None when the baseline is 0 or
    unknown. A partner left out of the scenario receives 0.
    """

    id: str
    name: str
    index: int
    included: bool
    grant: int
    received: int
    baseline: int | None
    change: int | None
    relative_change: float | None
    fee: int = 0  # the lead's management fee, part of ``received``
    fair_share: int = 0  # whole units: the sum of the whole-unit years
    attainment: float | None = None  # grant / fair share, as shown; None when left out

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "included": self.included,
            "grant": self.grant,
            "fee": self.fee,
            "received": self.received,
            "fair_share": self.fair_share,
            "attainment": finite(self.attainment),
            "baseline": self.baseline,
            "change": self.change,
            "relative_change": finite(self.relative_change),
        }


@dataclass(frozen=True)
class ScenarioComparison:
    """One scenario against the baseline; a scenario that did not solve has no figures.

    ``partners`` follows the project's partner order. ``baseline_measures`` are the
    baseline's measures read with this scenario's needs (for a named baseline, that
    scenario's own); ``measure_changes`` is ``measures - baseline_measures``.
    """

    name: str
    index: int
    status: str
    message: str
    budget: int
    fee: int
    partners: tuple[PartnerChange, ...] = ()
    measures: Measures | None = None
    baseline_measures: Measures | None = None
    measure_changes: Measures | None = None

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    def partner(self, pid: str) -> PartnerChange:
        for p in self.partners:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "budget": self.budget,
            "fee": self.fee,
            "partners": [p.to_json() for p in self.partners],
            "measures": None if self.measures is None else self.measures.to_json(),
            "baseline_measures": (
                None if self.baseline_measures is None else self.baseline_measures.to_json()
            ),
            "measure_changes": (
                None if self.measure_changes is None else self.measure_changes.to_json()
            ),
        }


@dataclass(frozen=True)
class ParameterDifference:
    """A setting that is not the same in every compared scenario.

    ``path`` is relative to a scenario (``ring_fence``, ``weights.back_office_gap``);
    ``values`` and ``shown`` (as the app shows it: "30%") follow the scenarios.
    """

    path: str
    label: str
    values: tuple[Any, ...]
    shown: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "label": self.label,
            "values": [_json_value(v) for v in self.values],
            "shown": list(self.shown),
        }


@dataclass(frozen=True)
class Comparison:
    """Every compared scenario against one baseline.

    ``baseline`` is a scenario's name or ``SIZE_PROPORTIONAL`` (``baseline_kind`` says
    which: "scenario" or "size-proportional"). ``baseline_received``
    holds, per partner, what the baseline gives it: the named scenario's figures, or
    the size-proportional split read from the first solved scenario that leaves nobody
    out (None where none did). Each scenario's own ``PartnerChange.baseline`` is the
    figure its change is measured from.
    """

    project: str
    currency: str
    years: tuple[int, ...]
    baseline: str
    baseline_kind: str
    baseline_status: str
    baseline_received: tuple[int, ...] | None
    partners: tuple[PartnerInfo, ...]
    scenarios: tuple[ScenarioComparison, ...]
    parameters: tuple[ParameterDifference, ...]

    @property
    def baseline_is_scenario(self) -> bool:
        return self.baseline_kind == "scenario"

    @property
    def baseline_words(self) -> str:
        """The baseline in words: "scenario 'Needs-weighted'" or the size-proportional split."""
        if not self.baseline_is_scenario:
            return SIZE_PROPORTIONAL_WORDS
        return f"scenario {self.baseline!r}"

    def scenario(self, name: str) -> ScenarioComparison:
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_json(self) -> dict:
        """Plain data for ``--json`` and the app: JSON-safe (no inf, no nan)."""
        return {
            "project": self.project,
            "currency": self.currency,
            "years": list(self.years),
            "baseline": {
                "name": self.baseline,
                "kind": self.baseline_kind,
                "status": self.baseline_status,
                "words": self.baseline_words,
                "received": (
                    None if self.baseline_received is None else list(self.baseline_received)
                ),
            },
            "measures": [{"key": k, "label": label} for k, label in MEASURES],
            "partners": [p.to_json() for p in self.partners],
            "scenarios": [s.to_json() for s in self.scenarios],
            "parameters": [d.to_json() for d in self.parameters],
        }

    def table_rows(self) -> list[list[Any]]:
        """The comparison as a plain table (header first) for a sheet or the clipboard.

        Per partner: what it receives in each scenario and the change against the
        baseline; then one row per measure. Cells are numbers, text or None (blank).
        """
        header: list[Any] = ["Partner"]
        for s in self.scenarios:
            header += [s.name, f"{s.name}: change", f"{s.name}: change (%)"]
        rows: list[list[Any]] = [header]
        for i, p in enumerate(self.partners):
            row: list[Any] = [p.name]
            for s in self.scenarios:
                if not s.ok:
                    row += [s.status, None, None]
                    continue
                pc = s.partners[i]
                rel = None if pc.relative_change is None else pc.relative_change * 100
                row += [pc.received, pc.change, rel]
            rows.append(row)
        for key, label in MEASURES:
            row = [label]
            for s in self.scenarios:
                if s.measures is None:
                    row += [None, None, None]
                    continue
                change = None if s.measure_changes is None else s.measure_changes.get(key)
                row += [finite(s.measures.get(key)), change, None]
            rows.append(row)
        return rows


def compare_to_baseline(
    project: Project,
    results: Iterable[ScenarioResult] | None = None,
    baseline: str | None = None,
) -> Comparison:
    """Every result against ``baseline`` (a scenario name, or None / ``size-proportional``).

    ``results`` are the scenarios to compare, in the order shown (None: solve every
    scenario). A named baseline not among them is solved on its own. Names match
    exactly or, when only one fits, ignoring case; an unknown name raises
    ValidationError quoting the names there are. A scenario that did not solve is
    carried with its status and message and no figures.
    """
    if results is None:
        from allocator.engine.solve import Engine

        results = Engine().solve(project)
    results = list(results)
    base_name = resolve_baseline([s.name for s in project.scenarios], baseline)
    base_result: ScenarioResult | None = None
    if base_name != SIZE_PROPORTIONAL:
        base_result = next((r for r in results if r.name == base_name), None)
        if base_result is None:
            from allocator.engine.solve import Engine

            base_result = Engine().solve(project, [base_name])[0]

    base_ok = base_result is not None and base_result.status == "optimal"
    base_by_id: dict[str, int] = {}
    base_measures: Measures | None = None
    if base_result is not None and base_ok:
        base_by_id = {p.id: p.received for p in base_result.partners}
        base_measures = Measures.from_metrics(base_result.metrics)

    scenarios = []
    for r in results:
        status = str(r.status)
        bare = ScenarioComparison(
            name=r.name,
            index=r.index,
            status=status,
            message=r.message,
            budget=int(sum(r.budget)),
            fee=int(sum(r.fee)),
        )
        if status != "optimal":
            scenarios.append(bare)
            continue
        rows = []
        for pr in r.partners:
            base: int | None
            if base_result is None:
                base = int(sum(pr.size_proportional))
                change: int | None = int(pr.vs_size_proportional)
            elif base_ok and pr.id in base_by_id:
                base = int(base_by_id[pr.id])
                change = int(pr.received) - base
            else:
                base = change = None
            rows.append(
                PartnerChange(
                    id=pr.id,
                    name=pr.name,
                    index=pr.index,
                    included=pr.included,
                    grant=int(pr.total),
                    received=int(pr.received),
                    baseline=base,
                    change=change,
                    relative_change=(change / base if change is not None and base else None),
                    fee=int(pr.fee_total),
                    fair_share=int(pr.fair_share_total),
                    attainment=float(pr.attainment) if pr.included else None,
                )
            )
        measures = Measures.from_metrics(r.metrics)
        reference = size_proportional_measures(r) if base_result is None else base_measures
        scenarios.append(
            replace(
                bare,
                partners=tuple(rows),
                measures=measures,
                baseline_measures=reference,
                measure_changes=None if reference is None else measures.minus(reference),
            )
        )

    return Comparison(
        project=project.name,
        currency=project.currency,
        years=tuple(project.years),
        baseline=base_name,
        baseline_kind=SIZE_PROPORTIONAL if base_result is None else "scenario",
        baseline_status="optimal" if base_result is None else str(base_result.status),
        baseline_received=_baseline_received(project, results, base_result, base_ok),
        partners=tuple(PartnerInfo(p.id, p.name, p.lead, p.by_and_for) for p in project.partners),
        scenarios=tuple(scenarios),
        parameters=parameter_differences(project, [r.name for r in results]),
    )


def resolve_baseline(names: Sequence[str], baseline: str | None) -> str:
    """The baseline meant by ``baseline``: a scenario's exact name, or ``SIZE_PROPORTIONAL``.

    None and "size-proportional" (any capitals or spacing) mean the size-proportional
    split, unless a scenario is called that. Raises ValidationError (path "baseline")
    quoting every name there is, so that a bad name can be caught before any solve.
    """
    if baseline is None or _means_size_proportional(names, baseline):
        return SIZE_PROPORTIONAL
    return resolve_scenario_name(names, baseline, "baseline", extra=(SIZE_PROPORTIONAL,))


def _means_size_proportional(names: Sequence[str], baseline: str) -> bool:
    """The size-proportional keyword, unless a scenario is called that (then it wins)."""
    key = " ".join(baseline.replace("-", " ").split()).casefold()
    if key not in ("size proportional", "size proportional split"):
        return False
    return not any(" ".join(n.split()).casefold() == baseline.strip().casefold() for n in names)


def _baseline_received(
    project: Project,
    results: list[ScenarioResult],
    base_result: ScenarioResult | None,
    base_ok: bool,
) -> tuple[int, ...] | None:
    if base_result is not None:
        if not base_ok:
            return None
        by_id = {p.id: int(p.received) for p in base_result.partners}
        return tuple(by_id.get(p.id, 0) for p in project.partners)
    for r in results:
        if r.status == "optimal" and all(p.included for p in r.partners):
            by_id = {p.id: int(sum(p.size_proportional)) for p in r.partners}
            return tuple(by_id.get(p.id, 0) for p in project.partners)
    return None


def size_proportional_measures(result: ScenarioResult) -> Measures:
    """The measures of the size-proportional split, read with this scenario's needs.

    The size-proportional split shares the whole budget with no fee, so each partner's
    fair share is read on the whole budget too (fair shares scale with the amount
    shared out). The measures then come from the engine's own ``metrics.compute``:
    one definition of each measure.
    """
    budget = list(result.budget)
    distributable = [b - f for b, f in zip(result.budget, result.fee, strict=True)]
    scale = [b / d if d else 1.0 for b, d in zip(budget, distributable, strict=True)]
    partners = []
    for p in result.partners:
        lines = dict(p.lines)
        lines["management"] = type(p.lines["management"])(0 for _ in budget)
        partners.append(
            replace(
                p,
                per_year=type(p.per_year)(int(v) for v in p.size_proportional),
                fair_share=type(p.fair_share)(
                    f * s for f, s in zip(p.fair_share, scale, strict=True)
                ),
                # read on the whole budget: each year's shares rounded again from there
                fair_share_units=(),
                lines=type(p.lines)(lines),
            )
        )
    reference = replace(
        result,
        partners=type(result.partners)(partners),
        fee=type(result.fee)(0 for _ in budget),
    )
    return Measures.from_metrics(engine_metrics.compute(reference))


# ----------------------------------------------------------------------------------
# Settings that differ
# ----------------------------------------------------------------------------------


def scenario_setting_path(spec: FieldSpec) -> str:
    """A scenario field's path relative to a scenario: ``weights.back_office_gap``."""
    return spec.pattern.removeprefix("scenarios[].")


def parameter_differences(
    project: Project, names: Sequence[str]
) -> tuple[ParameterDifference, ...]:
    """The scenario settings that are not the same in all of ``names``, in field order."""
    index = {s.name: j for j, s in enumerate(project.scenarios)}
    js = [index[n] for n in names if n in index]
    if len(js) < 2:
        return ()
    partner_names = {p.id: p.name for p in project.partners}
    out = []
    # the rules suggested changes keep come last: they shape no split, only suggestions
    for spec in (*SCENARIO_FIELDS, SCENARIO_KEEP):
        rel = scenario_setting_path(spec)
        values = tuple(FieldPath.parse(f"scenarios[{j}].{rel}").get(project) for j in js)
        if all(v == values[0] for v in values[1:]):
            continue
        if spec.kind == "ids":
            shown = tuple(
                ", ".join(partner_names.get(pid, pid) for pid in v) or "none" for v in values
            )
        elif spec.kind == "rules":
            shown = tuple(_rules_words(v) for v in values)
        else:
            shown = tuple(format_value(spec, v, project.currency) or "none" for v in values)
        out.append(ParameterDifference(rel, spec.label, values, shown))
    return tuple(out)


def _rules_words(rules: Sequence[str]) -> str:
    """The rules a scenario keeps, in words: "ring-fence, needs floor"; "none"."""
    return ", ".join(spec_for(f"scenarios[0].{rule}").words for rule in rules) or "none"


def _json_value(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_json_value(e) for e in v]
    if isinstance(v, float):
        return finite(v)
    return v
