"""The workbook's Decisions sheet and the Summary's line on the choice.

A funder reads from the workbook which split the partnership chose, when, by whom and
why, and whether the figures in front of them are still the ones chosen. The sheet is
written through the workbook's own sheet writer (passed in, so this module does not
import the workbook, which calls it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from allocator.domain.model import Project
from allocator.report.choice import choice_words, date_words, decision_history
from allocator.report.words import MEASURE_KEYS, Shown, measure, measure_name

__all__ = ["SheetWriter", "decisions_sheets", "summary_choice"]

TITLE = "Decisions"


class SheetWriter(Protocol):
    """The part of the workbook's sheet writer this module uses."""

    def text(self, row: int, col: int, value: Any, style: str = "text") -> None: ...
    def num(self, row: int, col: int, value: float | None, style: str = "money") -> None: ...
    def width(self, col: int, width: float) -> None: ...
    def merge(self, row: int, first: int, last: int) -> None: ...
    def finish(self) -> Any: ...


def summary_choice(sh: SheetWriter, project: Project, scenario: str, row: int, last: int) -> None:
    """The Summary's "Choice" line: when, by whom and why this scenario was chosen."""
    sh.text(row, 1, "Choice", "label")
    sh.text(row, 2, choice_words(project, scenario), "wrap")
    sh.merge(row, 2, last)


def decisions_sheets(project: Project, new_sheet: Callable[[str], SheetWriter]) -> list[Any]:
    """The Decisions sheet (in a list), or none when no choice was ever recorded."""
    history = decision_history(project)
    if not history:
        return []
    sh = new_sheet(TITLE)
    sh.text(1, 1, f"{project.name}: the choices on record", "title")
    sh.text(
        2,
        1,
        "Each time the partnership chose the scenario for the bid, FairShare recorded the "
        "date, who agreed it, the reason, each partner's total and the measures of the "
        "split, newest first. 'Changed since' means the scenario's settings or the "
        "partners' figures are no longer those that were chosen.",
        "wrap",
    )
    sh.merge(2, 1, 6)
    head = 4
    for col, label in enumerate(
        ("Date", "Scenario", "Agreed by", "Reason", "Changed since", "Fingerprint"), start=1
    ):
        sh.text(head, col, label, "header")
    for k, entry in enumerate(history):
        d = entry.decision
        r = head + 1 + k
        sh.text(r, 1, date_words(d.date))
        sh.text(r, 2, d.scenario, "wrap")
        sh.text(r, 3, d.agreed_by or "not said", "wrap")
        sh.text(r, 4, d.reason, "wrap")
        sh.text(
            r,
            5,
            entry.note.capitalize() if entry.changed else "No",
            "bad" if entry.changed else "text",
        )
        sh.text(r, 6, d.fingerprint, "memo")
    for col, w in ((1, 18), (2, 26), (3, 22), (4, 50), (5, 24), (6, 18)):
        sh.width(col, w)
    _figures(sh, project, history, head + len(history) + 3)
    return [sh.finish()]


def _figures(sh: SheetWriter, project: Project, history: list[Any], top: int) -> None:
    """Each partner's total and the measures at each choice, one column per choice."""
    sh.text(
        top,
        1,
        "What each partner receives over all years, and the measures, at each choice",
        "label",
    )
    sh.merge(top, 1, 6)
    head = top + 1
    sh.text(head, 1, "Partner", "header")
    for k, entry in enumerate(history):
        d = entry.decision
        sh.text(head, 2 + k, f"{date_words(d.date)}: {d.scenario}", "header_num")
    names = {p.id: p.name for p in project.partners}
    ids: list[str] = []
    for entry in history:
        ids += [pid for pid in entry.decision.figures if pid not in ids]
    row = head + 1
    for pid in ids:
        sh.text(row, 1, names.get(pid, f"{pid} (no longer a partner)"), "wrap")
        for k, entry in enumerate(history):
            sh.num(row, 2 + k, entry.decision.figures.get(pid))
        row += 1
    row += 1
    for key in MEASURE_KEYS:
        sh.text(row, 1, measure_name(key), "wrap")
        style = "percent" if measure(key).shown == Shown.FRACTION else "decimal"
        for k, entry in enumerate(history):
            value = entry.decision.measures.get(key)
            if key in entry.decision.measures and value is None:
                sh.text(row, 2 + k, "unbounded", "memo_right")
            else:
                sh.num(row, 2 + k, value, style)
        row += 1
