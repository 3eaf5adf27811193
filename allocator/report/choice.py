"""Recording the partnership's choice of scenario, and reading the record back.

A partnership must be able to show its funder which split it chose, when and why, and
whether what it shows now is still that split. :func:`record_choice` solves the chosen
scenario and adds a dated entry to the project's ``decisions`` with each partner's
total, the measures and a fingerprint of the scenario's settings and the partners'
figures; :func:`decision_history` lists the entries newest first and marks those whose
scenario has changed since (its fingerprint differs now). The plain data and its
reading live in :mod:`allocator.domain.decisions`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from dataclasses import dataclass, replace
from typing import Any

from allocator.domain.decisions import MAX_REASON, Decision, decision_to_dict, read_decisions
from allocator.domain.model import Project, partner_to_dict, scenario_to_dict
from allocator.domain.text import date_words as _written_date
from allocator.engine.solve import solve
from allocator.errors import Problem, ValidationError
from allocator.report.words import measure_values

__all__ = [
    "CHANGED",
    "GONE",
    "HistoryEntry",
    "choice_words",
    "date_words",
    "decision_history",
    "record_choice",
    "scenario_fingerprint",
]

CHANGED = "settings changed after this choice"
GONE = "the scenario is no longer in the project"

# What decides a split: a partner's name or notes, or a scenario's name, do not.
_PARTNER_FIGURES = (
    "id",
    "lead",
    "by_and_for",
    "capacity",
    "floor",
    "reach",
    "multiple_disadvantage",
    "back_office_capacity",
)


def scenario_fingerprint(project: Project, scenario_name: str) -> str:
    """A short hash of what decides this scenario's split: its settings, the grant, the
    years and the partners' figures. Equal inputs, equal fingerprint."""
    s = project.scenario(scenario_name)
    settings = scenario_to_dict(s)
    settings.pop("name")
    settings.pop("keep", None)  # which rules suggestions keep does not change the split
    data = {
        "scenario": settings,
        "currency": project.currency,
        "years": [project.start_year, project.year_count],
        "budget": project.budget.per_year or [project.budget.first_year],
        "uplift": project.budget.annual_uplift,
        "partners": [
            {k: v for k, v in partner_to_dict(p).items() if k in _PARTNER_FIGURES}
            for p in project.partners
        ],
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def record_choice(
    project: Project,
    scenario_name: str,
    reason: str,
    agreed_by: str = "",
    today: _dt.date | None = None,
) -> Project:
    """The project with ``scenario_name`` chosen and the choice added to its history.

    Solves the scenario to record each partner's total and the measures; refuses
    (``ValidationError``) a blank reason, an unknown scenario, or one that does not
    solve, since a choice on record must carry the figures the partnership agreed.
    """
    scenario = project.scenario(scenario_name)
    reason = reason.strip()
    agreed_by = agreed_by.strip()
    if not reason:
        raise ValidationError(
            [Problem("reason", "give the reason the partnership chose this scenario")]
        )
    (result,) = solve(project, [scenario.name])
    if not result.ok:
        raise ValidationError(
            [
                Problem(
                    "scenario",
                    f"{scenario.name!r} has no split to record ({result.status}); "
                    "solve it first, then record the choice",
                )
            ]
        )
    measures: dict[str, float | None] = {
        key: (None if math.isinf(v) else round(v, 6))
        for key, v in measure_values(result.metrics).items()
    }
    day = today or _dt.date.today()
    entry = Decision(
        date=day.isoformat(),
        scenario=scenario.name,
        fingerprint=scenario_fingerprint(project, scenario.name),
        reason=reason[:MAX_REASON],
        agreed_by=agreed_by[:MAX_REASON],
        figures={p.id: p.received for p in result.partners},
        measures=measures,
    )
    problems: list[Problem] = []
    read_decisions([decision_to_dict(entry)], lambda p, m: problems.append(Problem(p, m)))
    if problems:
        raise ValidationError(problems)
    return replace(project, chosen=scenario.name, decisions=(*project.decisions, entry))


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded choice as it stands now: ``changed`` when its scenario's settings or
    the partners' figures differ from when it was chosen (or the scenario is gone)."""

    decision: Decision
    changed: bool
    note: str  # CHANGED, GONE or ""
    latest: bool  # the newest entry

    def to_json(self) -> dict[str, Any]:
        out = decision_to_dict(self.decision)
        out["changed_since"] = self.changed
        out["note"] = self.note
        return out


def decision_history(project: Project) -> list[HistoryEntry]:
    """Every recorded choice, newest first, each marked if its scenario changed since."""
    names = {s.name for s in project.scenarios}
    now: dict[str, str] = {}
    out: list[HistoryEntry] = []
    count = len(project.decisions)
    for k, d in enumerate(reversed(project.decisions)):
        if d.scenario not in names:
            changed, note = True, GONE
        else:
            if d.scenario not in now:
                now[d.scenario] = scenario_fingerprint(project, d.scenario)
            changed = now[d.scenario] != d.fingerprint
            note = CHANGED if changed else ""
        out.append(HistoryEntry(d, changed, note, latest=k == 0 and count > 0))
    return out


def date_words(iso: str) -> str:
    """ "2026-12-03" as people write it: "3 December 2026"."""
    return _written_date(_dt.date.fromisoformat(iso))


def choice_words(project: Project, scenario_name: str) -> str:
    """What the record says of this scenario, for the workbook's Summary: "Chosen on 3
    December 2026 by the partnership board: <reason>", or that it never was."""
    for entry in decision_history(project):
        d = entry.decision
        if d.scenario != scenario_name:
            continue
        who = f" by {d.agreed_by}" if d.agreed_by else ""
        text = f"Chosen on {date_words(d.date)}{who}: {d.reason}"
        if entry.changed:
            text += f" ({CHANGED}: these figures are not the ones chosen)"
        return text
    return "This scenario was never recorded as chosen: no date, reason or agreement is on record."
