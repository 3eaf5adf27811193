"""The needs questionnaire as a workbook each partner fills in and sends back.

A needs assessment is only accepted by partners if they answered it themselves and can
see how their answers became their scores. So the lead sends each partner a workbook:
a first sheet saying what it is for, how the answers are scored (in the needs module's
own words) and who sees them; the partner's facts to confirm or correct; every needs
question with its answers in a dropdown and the score of each answer beside it.

Only the answer and correction cells are unlocked; the sheets are protected without a
password, to keep the layout FairShare reads back (not for security). A hidden sheet
holds what identifies the workbook (the project, the partner and the questionnaire
version), so a returned workbook is matched to its partner without guessing. No
macros; text is written as text, never as a formula. :mod:`allocator.formats.answers`
reads returned workbooks.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from allocator.domain import needs
from allocator.domain.fields import format_value, spec_for
from allocator.domain.model import Partner, Project
from allocator.formats.tables import clean_text
from allocator.formats.workbook import write_bytes_atomically

__all__ = [
    "ABOUT",
    "FACTS",
    "FACT_FIELDS",
    "FIRST_FACT_ROW",
    "FIRST_QUESTION_ROW",
    "FORMAT",
    "ID_SHEET",
    "QUESTIONS",
    "VERSION",
    "YES_NO",
    "QuestionnaireFile",
    "project_key",
    "questionnaire_bytes",
    "questionnaire_name",
    "write_questionnaires",
]

FORMAT = "fairshare-questionnaire"
VERSION = 1
"""The questionnaire's layout and questions; a returned workbook of another version is refused."""

ABOUT = "About"
FACTS = "Your organisation"
QUESTIONS = "Questions"
ID_SHEET = "FairShare"

FIRST_FACT_ROW = 5
FIRST_QUESTION_ROW = 5
ANSWER_COL = 3  # C on the Questions sheet
ID_COL = 5  # E: the question id, so a moved row is noticed
FACT_COL = 3  # C on the facts sheet: the correction
FACT_KEY_COL = 5  # E: the field's key

FACT_FIELDS = ("name", "capacity", "floor", "reach", "by_and_for")
"""The partner's facts asked to confirm or correct, in sheet order."""

YES_NO = ("Yes", "No")

# Identity rows of the hidden sheet: (row, label). Values sit in column B.
ID_ROWS = {
    "format": 1,
    "version": 2,
    "project": 3,
    "project_name": 4,
    "partner": 5,
    "partner_name": 6,
    "written": 7,
}
LIST_COL = 4  # D: the first answer list on the hidden sheet (one column per question)

_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
_FONT = "Calibri"
_WHITE_BOLD = Font(name=_FONT, bold=True, color="FFFFFF")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


def project_key(project: Project) -> str:
    """An identifier of the project for its questionnaires: a hash of its name and its
    partners' ids, so that a workbook sent for another project is recognised."""
    text = project.name + "\n" + "\n".join(sorted(p.id for p in project.partners))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def questionnaire_name(partner: Partner) -> str:
    """A file name for a partner's questionnaire: "Needs questionnaire - Amani Collective.xlsx"."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", partner.name).strip(" .") or partner.id
    return f"Needs questionnaire - {safe[:80]}.xlsx"


def _text(ws: Worksheet, row: int, col: int, value: Any, **style: Any) -> Any:
    """Write text as text: a value starting with '=' never becomes a formula."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    text, _ = clean_text(str(value), multiline=True)
    cell.value = text
    if cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True
    for key, v in style.items():
        setattr(cell, key, v)
    return cell


def _height(*cells: tuple[str, float, float]) -> float:
    """A row height (points) that shows every cell's wrapped text: (text, width, font size)."""
    tallest = 15.0
    for text, width, size in cells:
        per_line = max(1, int(width * 11 / size * 1.15))
        lines = sum(-(-max(len(part), 1) // per_line) for part in text.split("\n"))
        tallest = max(tallest, lines * size * 1.35 + 4)
    return min(409.0, tallest)


def _print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if title_rows:
        ws.print_title_rows = title_rows


def _protect(ws: Worksheet) -> None:
    """Protect the layout (no password): only the unlocked cells take typing."""
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _about(ws: Worksheet, project: Project, partner: Partner) -> None:
    ws.column_dimensions["A"].width = 75
    _text(
        ws,
        1,
        1,
        f"Needs questionnaire for {partner.name}",
        font=Font(name=_FONT, bold=True, size=14),
    )
    _text(ws, 2, 1, project.name, font=Font(name=_FONT, italic=True))
    paragraphs: list[tuple[str, str]] = [
        (
            "What it is for",
            f"The partnership {project.name} splits its grant by need, not by size. Your "
            "answers give your organisation two needs scores, which the partnership uses "
            "in working out your fair share. Please answer them yourselves: the point is "
            "that the scores rest on your own account of your organisation and the people "
            "you support, and that you can see how your answers became your scores.",
        ),
        (
            "How to fill it in",
            f"On the sheet '{FACTS}', check the facts the partnership holds about you and "
            "type a correction only where one is wrong. On the sheet "
            f"'{QUESTIONS}', choose an answer to each question from the list in the yellow "
            "cell; the guidance beside it says what to count and the score each answer "
            "gives. Answers already on record for you are filled in: check each one. If you "
            "do not know an answer, leave it blank rather than guess. Then save the file "
            "and send it back to the lead.",
        ),
    ]
    paragraphs += [("How your answers are used", p) for p in needs.explain_scoring().split("\n\n")]
    paragraphs += [
        (
            "Who sees your answers",
            "The lead keeps your answers and the scores they give in the partnership's "
            "FairShare project. The partners see each other's scores and how they were "
            "worked out, and the budget workbook the partnership hands to the funder shows "
            "the scores. Do not write the names or details of anyone you support here.",
        ),
        (
            "Why the sheets are protected",
            "The sheets are protected without a password only to keep the layout, so that "
            "FairShare can read your answers back: it is not security. Please do not add, "
            "remove or move rows or sheets.",
        ),
    ]
    row = 4
    last_heading = ""
    for heading, text in paragraphs:
        if heading != last_heading:
            _text(ws, row, 1, heading, font=Font(name=_FONT, bold=True, size=12))
            row += 1
            last_heading = heading
        _text(ws, row, 1, text, alignment=_WRAP)
        ws.row_dimensions[row].height = _height((text, 75, 11))
        row += 2
    _print_setup(ws)
    _protect(ws)


def _fact_value(project: Project, partner: Partner, key: str) -> str:
    value = getattr(partner, key)
    if key == "by_and_for":
        return YES_NO[0] if value else YES_NO[1]
    if value is None:
        return "(blank)"
    spec = spec_for(f"partners[0].{key}")
    shown = format_value(spec, value, project.currency)
    return f"{shown} {project.currency}" if spec.kind == "money" else shown


def _facts(ws: Worksheet, project: Project, partner: Partner, lists: dict[str, str]) -> None:
    for letter, width in (("A", 24), ("B", 20), ("C", 24), ("D", 36), ("E", 9)):
        ws.column_dimensions[letter].width = width
    _text(
        ws,
        1,
        1,
        f"{partner.name}: the facts the partnership holds",
        font=Font(name=_FONT, bold=True, size=14),
    )
    _text(
        ws,
        2,
        1,
        "Check each fact. Where one is wrong, type the right value in the yellow cell; "
        "leave it blank where the fact is right.",
        alignment=_WRAP,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    ws.row_dimensions[2].height = 30
    head = FIRST_FACT_ROW - 1
    ws.row_dimensions[head].height = 30
    for col, label in enumerate(
        ("Fact", "On record", "Your correction (blank if right)", "What it means", "Id"),
        start=1,
    ):
        _text(ws, head, col, label, font=_WHITE_BOLD, fill=_HEADER_FILL, alignment=_WRAP)
    numbers = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="A number",
        error="Type an amount or a number, 0 or more, without a currency sign.",
    )
    yes_no = DataValidation(
        type="list", formula1=lists["yes_no"], allow_blank=True, showErrorMessage=True
    )
    yes_no.error = "Choose Yes or No from the list."
    ws.add_data_validation(numbers)
    ws.add_data_validation(yes_no)
    for k, key in enumerate(FACT_FIELDS):
        r = FIRST_FACT_ROW + k
        spec = spec_for(f"partners[0].{key}")
        _text(ws, r, 1, spec.label, font=Font(name=_FONT, bold=True), alignment=_WRAP)
        _text(ws, r, 2, _fact_value(project, partner, key), alignment=_WRAP)
        cell = ws.cell(row=r, column=FACT_COL)
        cell.protection = _UNLOCKED
        cell.fill = _ANSWER_FILL
        _text(ws, r, 4, spec.help, alignment=_WRAP, font=Font(name=_FONT, size=9))
        _text(
            ws, r, FACT_KEY_COL, key, font=Font(name=_FONT, size=7, color="808080"), alignment=_WRAP
        )
        ws.row_dimensions[r].height = _height((spec.label, 24, 11), (spec.help, 36, 9))
        if key == "by_and_for":
            yes_no.add(cell.coordinate)
        elif key != "name":
            numbers.add(cell.coordinate)
    ws.freeze_panes = ws.cell(row=FIRST_FACT_ROW, column=1)
    _print_setup(ws, f"{head}:{head}")
    _protect(ws)


def _guidance(q: needs.Question) -> str:
    scores = "; ".join(f"'{o.label}' scores {o.score:g}" for o in q.options)
    feeds = needs.GROUP_NAMES[q.feeds]
    return f"{q.help}\nCounts towards {feeds} with weight {q.weight:g}. {scores}."


def _questions(ws: Worksheet, partner: Partner, lists: dict[str, str]) -> None:
    for letter, width in (("A", 4), ("B", 38), ("C", 28), ("D", 42), ("E", 9)):
        ws.column_dimensions[letter].width = width
    _text(
        ws, 1, 1, f"{partner.name}: the needs questions", font=Font(name=_FONT, bold=True, size=14)
    )
    _text(
        ws,
        2,
        1,
        "Choose an answer from the list in each yellow cell (click the cell, then the "
        "arrow). Leave a question blank if you do not know: a blank is left out of your "
        "score, never counted as no need.",
        alignment=_WRAP,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    ws.row_dimensions[2].height = 30
    head = FIRST_QUESTION_ROW - 1
    ws.row_dimensions[head].height = 30
    for col, label in enumerate(
        (
            "No.",
            "Question",
            "Your answer",
            "Guidance, and the score of each answer",
            "Id",
        ),
        start=1,
    ):
        _text(ws, head, col, label, font=_WHITE_BOLD, fill=_HEADER_FILL, alignment=_WRAP)
    answers = partner.needs_answers
    for k, q in enumerate(needs.QUESTIONS):
        r = FIRST_QUESTION_ROW + k
        ws.cell(row=r, column=1, value=k + 1).alignment = Alignment(
            horizontal="left", vertical="top"
        )
        _text(ws, r, 2, f"{q.section}:\n{q.text}", alignment=_WRAP)
        cell = ws.cell(row=r, column=ANSWER_COL)
        given = answers.get(q.id)
        if given:
            _text(ws, r, ANSWER_COL, q.option(given).label)
        cell.protection = _UNLOCKED
        cell.fill = _ANSWER_FILL
        cell.alignment = _WRAP
        dv = DataValidation(
            type="list", formula1=lists[q.id], allow_blank=True, showErrorMessage=True
        )
        dv.errorTitle = "Choose from the list"
        dv.error = "Choose one of the answers in the list, or leave the cell blank."
        dv.promptTitle = q.topic[:32]
        dv.prompt = "Choose from the list, or leave blank if you do not know."
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(cell.coordinate)
        guidance = _guidance(q)
        _text(ws, r, 4, guidance, alignment=_WRAP, font=Font(name=_FONT, size=9))
        _text(ws, r, ID_COL, q.id, font=Font(name=_FONT, size=7, color="808080"), alignment=_WRAP)
        ws.row_dimensions[r].height = _height(
            (f"{q.section}:\n{q.text}", 38, 11), (guidance, 42, 9), (q.id, 9, 7)
        )
    ws.freeze_panes = ws.cell(row=FIRST_QUESTION_ROW, column=1)
    _print_setup(ws, f"{head}:{head}")
    _protect(ws)


def _identity(ws: Worksheet, project: Project, partner: Partner, today: _dt.date) -> dict[str, str]:
    """The hidden sheet: what identifies the workbook, and the answer lists."""
    values = {
        "format": FORMAT,
        "version": str(VERSION),
        "project": project_key(project),
        "project_name": project.name,
        "partner": partner.id,
        "partner_name": partner.name,
        "written": today.isoformat(),
    }
    for key, row in ID_ROWS.items():
        _text(ws, row, 1, key)
        _text(ws, row, 2, values[key])
    lists: dict[str, str] = {}
    columns = [(q.id, [o.label for o in q.options]) for q in needs.QUESTIONS]
    columns.append(("yes_no", list(YES_NO)))
    for k, (key, labels) in enumerate(columns):
        col = LIST_COL + k
        _text(ws, 1, col, key)
        for j, label in enumerate(labels):
            _text(ws, 2 + j, col, label)
        letter = openpyxl.utils.get_column_letter(col)
        lists[key] = f"'{ID_SHEET}'!${letter}$2:${letter}${1 + len(labels)}"
    ws.sheet_state = "hidden"
    _protect(ws)
    return lists


def questionnaire_bytes(project: Project, partner: Partner, today: _dt.date | None = None) -> bytes:
    """One partner's questionnaire workbook (.xlsx) as bytes."""
    wb = openpyxl.Workbook()
    about = wb.active
    assert about is not None
    about.title = ABOUT
    facts = wb.create_sheet(FACTS)
    questions = wb.create_sheet(QUESTIONS)
    hidden = wb.create_sheet(ID_SHEET)
    lists = _identity(hidden, project, partner, today or _dt.date.today())
    _about(about, project, partner)
    _facts(facts, project, partner, lists)
    _questions(questions, partner, lists)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = f"Needs questionnaire for {clean_text(partner.name)[0]}"
    wb.properties.creator = "FairShare"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class QuestionnaireFile:
    """One questionnaire written: whose, and where."""

    partner_id: str
    partner_name: str
    path: Path


def write_questionnaires(
    project: Project,
    folder: str | os.PathLike[str],
    partner_ids: list[str] | None = None,
    today: _dt.date | None = None,
) -> list[QuestionnaireFile]:
    """Write one questionnaire per partner (or per partner in ``partner_ids``) into
    ``folder`` (created if absent), each atomically; the files written."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    wanted = set(partner_ids) if partner_ids is not None else None
    written: list[QuestionnaireFile] = []
    used: set[str] = set()
    for p in project.partners:
        if wanted is not None and p.id not in wanted:
            continue
        name = questionnaire_name(p)
        if name.lower() in used:
            name = name.removesuffix(".xlsx") + f" ({p.id}).xlsx"
        used.add(name.lower())
        path = target / name
        write_bytes_atomically(questionnaire_bytes(project, p, today), path)
        written.append(QuestionnaireFile(p.id, p.name, path))
    return written
