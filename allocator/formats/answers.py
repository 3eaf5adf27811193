"""Reading returned needs questionnaires back into a project.

The workbooks come back from other organisations, so they get the partner import's
defences (:func:`allocator.formats.tables.check_xlsx_archive`: a size limit, no zip or
entity bombs; openpyxl parses with defusedxml; nothing is evaluated, and a formula in
an answer cell is kept as text and refused). :func:`read_answers` says what the
returns would change, partner by partner, with every problem at its file, sheet, row
and question; :func:`apply_answers` makes the change only when nothing refuses it.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from allocator.domain import needs
from allocator.domain.edits import set_field, set_needs_answers, use_questionnaire_score
from allocator.domain.fields import format_value, parse_value, spec_for
from allocator.domain.model import SCORE_KEYS, Partner, Project
from allocator.errors import TableError, ValidationError
from allocator.formats import questionnaire as qn
from allocator.formats.tables import XLSX_SAFE, check_xlsx_archive, clean_text

__all__ = [
    "MAX_QUESTIONNAIRE_BYTES",
    "AnswersPreview",
    "FactChange",
    "PartnerAnswers",
    "ReturnProblem",
    "apply_answers",
    "read_answers",
]

MAX_QUESTIONNAIRE_BYTES = 5 * 1024 * 1024
"""A filled-in questionnaire is some 20 kB; anything far larger is refused unread."""


@dataclass(frozen=True)
class ReturnProblem:
    """One thing wrong with a returned workbook, where it is, and whether it refuses.

    ``refuses`` problems stop the answers being applied; the others are said so the
    lead can follow them up (a question left blank, the older of two returns).
    """

    file: str
    message: str
    sheet: str = ""
    row: int | None = None
    question: str = ""
    refuses: bool = True

    def text(self) -> str:
        place = [Path(self.file).name]
        if self.sheet:
            place.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.question:
            place.append(f"question {self.question!r}")
        return ", ".join(place) + ": " + self.message


@dataclass(frozen=True)
class FactChange:
    """A fact the partner corrected: its words, and the value before and after."""

    key: str
    label: str
    old: Any
    new: Any
    old_text: str
    new_text: str


@dataclass(frozen=True)
class PartnerAnswers:
    """What one partner's return would change."""

    partner_id: str
    partner_name: str
    file: str
    answers: dict[str, str]  # question id -> answer id (blank questions left out)
    facts: tuple[FactChange, ...]
    before: dict[str, float | None]  # the two scores now
    after: dict[str, float | None]  # the two scores once applied
    breakdown: tuple[needs.Breakdown, ...]


@dataclass(frozen=True)
class AnswersPreview:
    """Every return read: each partner's change and every problem found."""

    partners: tuple[PartnerAnswers, ...] = ()
    problems: tuple[ReturnProblem, ...] = ()

    @property
    def refusals(self) -> tuple[ReturnProblem, ...]:
        return tuple(p for p in self.problems if p.refuses)

    @property
    def ok(self) -> bool:
        return not self.refusals


class _Refused(Exception):
    """A workbook that cannot be read at all; the problem says why."""

    def __init__(self, problem: ReturnProblem):
        super().__init__(problem.message)
        self.problem = problem


def _load(path: Path) -> Any:
    """The workbook, with formulas as written (nothing evaluated), after the checks."""
    file = str(path)
    name = path.name

    def refuse(message: str) -> _Refused:
        return _Refused(ReturnProblem(file, message))

    if not XLSX_SAFE:
        raise refuse("not read: reading Excel files safely needs the defusedxml package")
    try:
        size = path.stat().st_size
        if size > MAX_QUESTIONNAIRE_BYTES:
            raise refuse(f"is {size // 1024} kB, far larger than any questionnaire; not read")
        data = path.read_bytes()
    except OSError as e:
        raise refuse(f"cannot be read ({e.strerror or e})") from None
    try:
        check_xlsx_archive(data, name)
    except TableError as e:
        raise refuse("; ".join(m for _, m in e.problems)) from None
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as e:  # an untrusted file may fail in any parser layer
        raise refuse(f"is not a valid workbook ({type(e).__name__}: {e})") from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value))[0].strip()


def _identity(wb: Any, file: str, project: Project) -> tuple[Partner, str]:
    """The partner this return is from, checked against the project and the version."""
    if qn.ID_SHEET not in wb.sheetnames:
        raise _Refused(
            ReturnProblem(
                file,
                "is not a FairShare needs questionnaire (its hidden identifying sheet is "
                "missing); send the partner a fresh one with `fairshare questionnaires`",
            )
        )
    ws = wb[qn.ID_SHEET]
    values = {key: _cell_text(ws.cell(row=row, column=2).value) for key, row in qn.ID_ROWS.items()}

    def refuse(message: str, row: str) -> _Refused:
        return _Refused(ReturnProblem(file, message, qn.ID_SHEET, qn.ID_ROWS[row]))

    if values["format"] != qn.FORMAT:
        raise refuse("is not a FairShare needs questionnaire", "format")
    if values["version"] != str(qn.VERSION):
        raise refuse(
            f"is questionnaire version {values['version'] or '(none)'}; this FairShare reads "
            f"version {qn.VERSION}: send the partner a fresh questionnaire",
            "version",
        )
    if values["project"] != qn.project_key(project):
        raise refuse(
            f"was written for another project ({values['project_name'] or 'unnamed'!r}, or this "
            "one before its name or partners changed); it is not read into this one",
            "project",
        )
    for p in project.partners:
        if p.id == values["partner"]:
            return p, values["written"]
    raise refuse(
        f"is from a partner this project does not have (id {values['partner']!r}, "
        f"{values['partner_name']!r})",
        "partner",
    )


def _answer_of(q: needs.Question, text: str) -> str | None:
    """The answer id for what is in the cell (its words or its id), None if none fits."""
    folded = text.casefold()
    for o in q.options:
        if o.label.casefold() == folded or o.id.casefold() == folded:
            return o.id
    return None


def _read_questions(
    wb: Any, file: str, partner: Partner
) -> tuple[dict[str, str], list[ReturnProblem]]:
    problems: list[ReturnProblem] = []
    if qn.QUESTIONS not in wb.sheetnames:
        return {}, [ReturnProblem(file, f"the sheet {qn.QUESTIONS!r} is missing", qn.QUESTIONS)]
    ws = wb[qn.QUESTIONS]
    answers: dict[str, str] = {}
    for k, q in enumerate(needs.QUESTIONS):
        row = qn.FIRST_QUESTION_ROW + k
        found = _cell_text(ws.cell(row=row, column=qn.ID_COL).value)
        if found != q.id:
            problems.append(
                ReturnProblem(
                    file,
                    f"the layout was changed: this row should hold the question on {q.topic} "
                    f"({q.id}) but holds {found or 'nothing'!r}; rows were added, removed or "
                    "moved, so no answer on this sheet can be trusted",
                    qn.QUESTIONS,
                    row,
                    q.topic,
                )
            )
            break
        cell = ws.cell(row=row, column=qn.ANSWER_COL)
        where = (file, qn.QUESTIONS, row, q.topic)
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
            shown = clean_text(str(cell.value))[0][:60]
            problems.append(
                ReturnProblem(
                    where[0],
                    f"the answer is a formula ({shown!r}), kept as text and not used: choose "
                    "an answer from the list",
                    *where[1:],
                )
            )
            continue
        text = _cell_text(cell.value)
        if not text:
            problems.append(
                ReturnProblem(
                    where[0],
                    "not answered: left out of the score (never counted as 0)",
                    *where[1:],
                    refuses=False,
                )
            )
            continue
        answer = _answer_of(q, text)
        if answer is None:
            allowed = "; ".join(f"'{o.label}'" for o in q.options)
            problems.append(
                ReturnProblem(
                    where[0],
                    f"{text[:80]!r} is not one of the answers; choose one of: {allowed}",
                    *where[1:],
                )
            )
            continue
        answers[q.id] = answer
    return answers, problems


def _read_facts(
    wb: Any, file: str, project: Project, partner: Partner
) -> tuple[list[FactChange], list[ReturnProblem]]:
    if qn.FACTS not in wb.sheetnames:
        return [], [ReturnProblem(file, f"the sheet {qn.FACTS!r} is missing", qn.FACTS)]
    ws = wb[qn.FACTS]
    changes: list[FactChange] = []
    problems: list[ReturnProblem] = []
    for k, key in enumerate(qn.FACT_FIELDS):
        row = qn.FIRST_FACT_ROW + k
        spec = spec_for(f"partners[0].{key}")
        found = _cell_text(ws.cell(row=row, column=qn.FACT_KEY_COL).value)
        if found != key:
            problems.append(
                ReturnProblem(
                    file,
                    f"the layout was changed: this row should hold {spec.label} but holds "
                    f"{found or 'nothing'!r}",
                    qn.FACTS,
                    row,
                    spec.label,
                )
            )
            break
        cell = ws.cell(row=row, column=qn.FACT_COL)
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
            problems.append(
                ReturnProblem(
                    file,
                    "the correction is a formula, kept as text and not used: type the value",
                    qn.FACTS,
                    row,
                    spec.label,
                )
            )
            continue
        raw = cell.value
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            value = parse_value(spec, raw.strip() if isinstance(raw, str) else raw)
        except ValidationError as e:
            message = e.problems[0].message if e.problems else "is not a value this field takes"
            problems.append(ReturnProblem(file, message, qn.FACTS, row, spec.label))
            continue
        old = getattr(partner, key)
        if value == old:
            continue
        changes.append(
            FactChange(
                key,
                spec.label,
                old,
                value,
                format_value(spec, old, project.currency),
                format_value(spec, value, project.currency),
            )
        )
    return changes, problems


def _apply_one(
    project: Project, index: int, answers: dict[str, str], facts: Iterable[FactChange]
) -> Project:
    """The partner's answers and corrections applied; the answers decide its scores."""
    for change in facts:
        project = set_field(project, f"partners[{index}].{change.key}", change.new)
    project = set_needs_answers(project, index, answers)
    scored = needs.score(answers) if answers else None
    for key in SCORE_KEYS:
        if scored is not None and scored.group_score(key) is not None:
            project = use_questionnaire_score(project, index, key)
    return project


def _scores(p: Partner) -> dict[str, float | None]:
    return {key: getattr(p, key) for key in SCORE_KEYS}


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _newest_first(paths: Sequence[Path]) -> list[Path]:
    return sorted(paths, key=_modified, reverse=True)


def read_answers(project: Project, paths: Sequence[str | os.PathLike[str]]) -> AnswersPreview:
    """What the returned questionnaires would change, and every problem with them.

    Never raises for what is in a file: an unreadable workbook, another project's or
    partner's, a changed layout, an answer not among the choices or a formula are all
    problems (refusing), and so is a partner's answer set that the project would refuse.
    When one partner returned more than one workbook, the newest (by modification time)
    is used and the others are named.
    """
    problems: list[ReturnProblem] = []
    by_partner: dict[str, list[tuple[Path, Any, Partner]]] = {}
    for raw in paths:
        path = Path(raw)
        try:
            wb = _load(path)
            partner, _written = _identity(wb, str(path), project)
        except _Refused as e:
            problems.append(e.problem)
            continue
        by_partner.setdefault(partner.id, []).append((path, wb, partner))
    out: list[PartnerAnswers] = []
    for pid, returns in by_partner.items():
        returns.sort(key=lambda item: _modified(item[0]), reverse=True)
        path, wb, partner = returns[0]
        for older, _, _ in returns[1:]:
            when = _dt.datetime.fromtimestamp(_modified(older)).strftime("%d %b %Y %H:%M")
            problems.append(
                ReturnProblem(
                    str(older),
                    f"{partner.name} returned more than one questionnaire: this one (saved "
                    f"{when}) is not used; the newer {path.name} is",
                    refuses=False,
                )
            )
        answers, found = _read_questions(wb, str(path), partner)
        facts, fact_problems = _read_facts(wb, str(path), project, partner)
        found += fact_problems
        problems += found
        if any(p.refuses for p in found):
            continue
        index = project.partner_index(pid)
        try:
            applied = _apply_one(project, index, answers, facts)
        except ValidationError as e:
            problems += [ReturnProblem(str(path), f"{p.path}: {p.message}") for p in e.problems]
            continue
        out.append(
            PartnerAnswers(
                partner_id=pid,
                partner_name=partner.name,
                file=str(path),
                answers=answers,
                facts=tuple(facts),
                before=_scores(partner),
                after=_scores(applied.partners[index]),
                breakdown=needs.score_breakdown(answers),
            )
        )
    return AnswersPreview(tuple(out), tuple(problems))


def apply_answers(project: Project, preview: AnswersPreview) -> Project:
    """The project with every partner's returned answers and corrections applied.

    Refuses (``ValidationError``, nothing applied) while the preview has a refusing
    problem. The returned answers replace the partner's answers on record, and the
    scores they give replace typed scores: the partner answered for itself.
    """
    if not preview.ok:
        raise ValidationError([("", p.text()) for p in preview.refusals])
    for item in preview.partners:
        index = project.partner_index(item.partner_id)
        project = _apply_one(project, index, item.answers, item.facts)
    return project
