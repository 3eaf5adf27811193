"""The choice on record: which scenario the partnership chose for the bid, when and why.

A funder asks a partnership which split it chose, when, and why. Each time the
partnership chooses a scenario, a :class:`Decision` is added to the project's
``decisions`` (oldest first): the date, the scenario, a fingerprint of its settings and
the partners' figures at the time, each partner's total, the measures of the split, the
reason and who agreed it. The history is only ever added to.

This module holds the plain data and its reading and writing (a file's entries are
never trusted: a bad entry is refused naming its field, ``decisions[1].date: ...``).
Working out a fingerprint or a new entry needs the project and a solve, so that lives
in :mod:`allocator.report.choice`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_DECISIONS",
    "MAX_REASON",
    "Decision",
    "decision_to_dict",
    "read_decisions",
]

MAX_DECISIONS = 1000
"""More entries than any partnership records; a file with more is refused."""

MAX_REASON = 2000
"""The longest reason or name of who agreed, in characters."""

_KEYS = ("date", "scenario", "fingerprint", "reason", "agreed_by", "figures", "measures")


@dataclass(frozen=True)
class Decision:
    """One recorded choice of the scenario for the bid.

    ``figures`` is each partner's total over all years (partner id -> whole currency),
    ``measures`` the split's measures by key (``None`` where unbounded), as at the time.
    """

    date: str  # ISO date: "2026-12-03"
    scenario: str
    fingerprint: str
    reason: str
    agreed_by: str = ""
    figures: dict[str, int] = field(default_factory=dict)
    measures: dict[str, float | None] = field(default_factory=dict)

    @property
    def day(self) -> _dt.date:
        return _dt.date.fromisoformat(self.date)


def decision_to_dict(d: Decision) -> dict[str, Any]:
    """One entry as the project file holds it."""
    return {
        "date": d.date,
        "scenario": d.scenario,
        "fingerprint": d.fingerprint,
        "reason": d.reason,
        "agreed_by": d.agreed_by,
        "figures": dict(d.figures),
        "measures": dict(d.measures),
    }


def _text(value: Any, where: str, fail: Callable[[str, str], None], required: bool) -> str | None:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        fail(where, "must be text")
        return None
    if required and not value.strip():
        fail(where, "must not be blank")
        return None
    if len(value) > MAX_REASON:
        fail(where, f"is too long ({len(value)} characters; at most {MAX_REASON})")
        return None
    return value


def _date(value: Any, where: str, fail: Callable[[str, str], None]) -> str | None:
    if not isinstance(value, str):
        fail(where, 'must be a date written as "2026-12-03"')
        return None
    try:
        day = _dt.date.fromisoformat(value)
    except ValueError:
        fail(where, f'must be a date written as "2026-12-03", got {value!r}')
        return None
    return day.isoformat()


def _figures(value: Any, where: str, fail: Callable[[str, str], None]) -> dict[str, int] | None:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        fail(where, "must map partner ids to each partner's total")
        return None
    out: dict[str, int] = {}
    for pid, total in value.items():
        ok = isinstance(total, (int, float)) and not isinstance(total, bool)
        if not ok or not math.isfinite(total) or total < 0 or float(total) != int(total):
            fail(f"{where}.{pid}", "must be a whole amount, 0 or more")
            return None
        out[str(pid)] = int(total)
    return out


def _measures(
    value: Any, where: str, fail: Callable[[str, str], None]
) -> dict[str, float | None] | None:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        fail(where, "must map measure names to figures")
        return None
    out: dict[str, float | None] = {}
    for key, figure in value.items():
        if figure is None:
            out[str(key)] = None
            continue
        ok = isinstance(figure, (int, float)) and not isinstance(figure, bool)
        if not ok or not math.isfinite(figure):
            fail(f"{where}.{key}", "must be a number (or null where it is unbounded)")
            return None
        out[str(key)] = float(figure)
    return out


def read_decisions(raw: Any, fail: Callable[[str, str], None]) -> tuple[Decision, ...]:
    """The entries of a file's ``decisions`` list; each problem goes to ``fail(path, message)``.

    A missing list (``None``) is no history. Entries with a problem are left out (the
    caller refuses the file when ``fail`` was called).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        fail("decisions", "must be a list of recorded choices")
        return ()
    if len(raw) > MAX_DECISIONS:
        fail("decisions", f"has {len(raw)} entries; at most {MAX_DECISIONS}")
        return ()
    out: list[Decision] = []
    for k, item in enumerate(raw):
        path = f"decisions[{k}]"
        entry = _read_one(item, path, fail)
        if entry is not None:
            out.append(entry)
    return tuple(out)


def _read_one(item: Any, path: str, fail: Callable[[str, str], None]) -> Decision | None:
    if not isinstance(item, Mapping):
        fail(path, "must be an object ({...}) with a date, scenario and reason")
        return None
    problems: list[tuple[str, str]] = []

    def note(where: str, message: str) -> None:
        problems.append((where, message))

    for key in item:
        if key not in _KEYS:
            note(f"{path}.{key}", "is not a field of a recorded choice FairShare knows")
    date = _date(item.get("date"), f"{path}.date", note)
    scenario = _text(item.get("scenario"), f"{path}.scenario", note, required=True)
    fingerprint = _text(item.get("fingerprint"), f"{path}.fingerprint", note, required=False)
    reason = _text(item.get("reason"), f"{path}.reason", note, required=True)
    agreed_by = _text(item.get("agreed_by"), f"{path}.agreed_by", note, required=False)
    figures = _figures(item.get("figures"), f"{path}.figures", note)
    measures = _measures(item.get("measures"), f"{path}.measures", note)
    for where, message in problems:
        fail(where, message)
    if problems:
        return None
    assert date is not None and scenario is not None and reason is not None
    assert figures is not None and measures is not None
    return Decision(
        date=date,
        scenario=scenario,
        fingerprint=fingerprint or "",
        reason=reason,
        agreed_by=agreed_by or "",
        figures=figures,
        measures=measures,
    )
