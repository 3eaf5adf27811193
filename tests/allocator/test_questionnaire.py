"""Needs questionnaires out to partners and their answers back.

A questionnaire filled in by a script with openpyxl (as a partner's Excel would save
it), and the same after LibreOffice saves it, reads back to the same answers and scores
as entering them straight into the project. Every refused return leaves the project
file byte for byte as it was, with the file, row and question named.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from allocator.cli import main
from allocator.domain import needs
from allocator.domain.edits import set_needs_answers, use_questionnaire_score
from allocator.domain.model import SCORE_KEYS, Project
from allocator.formats import questionnaire as qn
from allocator.formats.answers import apply_answers, read_answers
from allocator.formats.files import load_project

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def project() -> Project:
    return load_project(SAMPLE)


def write_one(project: Project, folder: Path, pid: str) -> Path:
    (f,) = qn.write_questionnaires(project, folder, [pid])
    return f.path


def fill(
    path: Path,
    answers: dict[str, str],
    facts: dict[str, object] | None = None,
    out: Path | None = None,
) -> Path:
    """Answer as a partner would: the answer's words in each answer cell."""
    wb = openpyxl.load_workbook(path)
    ws = wb[qn.QUESTIONS]
    for k, q in enumerate(needs.QUESTIONS):
        cell = ws.cell(qn.FIRST_QUESTION_ROW + k, qn.ANSWER_COL)
        cell.value = q.option(answers[q.id]).label if answers.get(q.id) else None
    facts_ws = wb[qn.FACTS]
    for key, value in (facts or {}).items():
        facts_ws.cell(qn.FIRST_FACT_ROW + qn.FACT_FIELDS.index(key), qn.FACT_COL).value = value
    target = out or path
    wb.save(target)
    return target


def direct(project: Project, pid: str, answers: dict[str, str]) -> Project:
    """The same answers entered straight into the project."""
    i = project.partner_index(pid)
    p = set_needs_answers(project, i, answers)
    scored = needs.score(answers)
    for key in SCORE_KEYS:
        if scored.group_score(key) is not None:
            p = use_questionnaire_score(p, i, key)
    return p


def every_answer(k: int) -> dict[str, str]:
    """The k-th answer of every question (its last where it has fewer)."""
    return {q.id: q.options[min(k, len(q.options) - 1)].id for q in needs.QUESTIONS}


# ----------------------------------------------------------------------------------
# The workbook sent out
# ----------------------------------------------------------------------------------


def test_the_questionnaire_is_laid_out_and_protected(project, tmp_path):
    path = write_one(project, tmp_path, "amani")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [qn.ABOUT, qn.FACTS, qn.QUESTIONS, qn.ID_SHEET]
    assert wb[qn.ID_SHEET].sheet_state == "hidden"
    assert wb.security is not None and wb.security.lockStructure
    about = "\n".join(str(c.value) for c in wb[qn.ABOUT]["A"] if c.value)
    assert "weighted average" in about and "Who sees your answers" in about
    assert "not security" in about
    ws = wb[qn.QUESTIONS]
    for sheet in (wb[qn.ABOUT], wb[qn.FACTS], ws):
        assert sheet.protection.sheet and not sheet.protection.password
        assert sheet.page_setup.orientation == "portrait"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    # only the answer cells are unlocked, each with its own list of answers
    unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
    rows = range(qn.FIRST_QUESTION_ROW, qn.FIRST_QUESTION_ROW + len(needs.QUESTIONS))
    assert unlocked == {f"C{r}" for r in rows}
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert len(lists) == len(needs.QUESTIONS) and all(
        dv.startswith("'FairShare'!") for dv in lists.values()
    )
    hidden = wb[qn.ID_SHEET]
    labels = [hidden.cell(2 + j, qn.LIST_COL).value for j in range(5)]
    assert labels == [o.label for o in needs.QUESTIONS[0].options]
    assert hidden.cell(qn.ID_ROWS["partner"], 2).value == "amani"
    assert hidden.cell(qn.ID_ROWS["project"], 2).value == qn.project_key(project)
    facts = wb[qn.FACTS]
    assert {c.coordinate for row in facts.iter_rows() for c in row if not c.protection.locked} == {
        f"C{qn.FIRST_FACT_ROW + k}" for k in range(len(qn.FACT_FIELDS))
    }
    assert not path.read_bytes().count(b"vbaProject")


def test_a_name_like_a_formula_is_written_as_text(project, tmp_path):
    from allocator.domain.edits import set_field

    odd = set_field(project, "partners[1].name", '=HYPERLINK("http://x","y")')
    path = write_one(odd, tmp_path, "amani")
    wb = openpyxl.load_workbook(path)
    value = wb[qn.FACTS].cell(qn.FIRST_FACT_ROW, 2)
    assert value.data_type == "s" and value.value.startswith("=HYPERLINK")


def test_answers_on_record_are_filled_in(project, tmp_path):
    answers = every_answer(1)
    p = direct(project, "amani", answers)
    wb = openpyxl.load_workbook(write_one(p, tmp_path, "amani"))
    first = needs.QUESTIONS[0]
    assert (
        wb[qn.QUESTIONS].cell(qn.FIRST_QUESTION_ROW, qn.ANSWER_COL).value
        == first.option(answers[first.id]).label
    )


def test_score_breakdown_adds_up_to_each_score():
    answers = every_answer(2) | {"cs_racism": "", "bo_hr": ""}
    answers = {k: v for k, v in answers.items() if v}
    result = needs.score(answers)
    for b in needs.score_breakdown(answers):
        assert b.score == result.group_score(b.group)
        total = sum(line.contribution or 0.0 for line in b.lines)
        assert round(total, 3) == b.score
        assert b.answered == sum(1 for q in needs.questions_for(b.group) if q.id in answers)
        assert "not answered" in b.to_text()


# ----------------------------------------------------------------------------------
# Answers back
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("k", range(5))
def test_every_answer_of_every_question_round_trips(project, tmp_path, k):
    answers = every_answer(k)
    path = fill(write_one(project, tmp_path, "sahara"), answers)
    preview = read_answers(project, [path])
    assert preview.ok and not preview.problems
    (item,) = preview.partners
    assert item.answers == answers
    applied = apply_answers(project, preview)
    expected = direct(project, "sahara", answers)
    assert applied == expected
    i = project.partner_index("sahara")
    assert item.after == {key: getattr(expected.partners[i], key) for key in SCORE_KEYS}
    assert item.before == {key: getattr(project.partners[i], key) for key in SCORE_KEYS}


def test_corrected_facts_are_previewed_and_applied(project, tmp_path):
    path = fill(
        write_one(project, tmp_path, "amani"),
        every_answer(0),
        {"capacity": 250000, "by_and_for": "No", "name": "Amani Women's Collective"},
    )
    preview = read_answers(project, [path])
    (item,) = preview.partners
    changes = {c.key: (c.old, c.new) for c in item.facts}
    i = project.partner_index("amani")
    assert changes["capacity"] == (project.partners[i].capacity, 250000)
    assert changes["by_and_for"] == (True, False)
    applied = apply_answers(project, preview).partners[i]
    assert (applied.capacity, applied.by_and_for, applied.name) == (
        250000,
        False,
        "Amani Women's Collective",
    )


def test_blank_questions_are_listed_but_do_not_refuse(project, tmp_path):
    answers = {"cs_racism": "most", "bo_finance": "none"}
    path = fill(write_one(project, tmp_path, "amani"), answers)
    preview = read_answers(project, [path])
    assert preview.ok
    blank = [p for p in preview.problems if "not answered" in p.message]
    assert len(blank) == len(needs.QUESTIONS) - 2
    assert all(p.sheet == qn.QUESTIONS and p.row and p.question for p in blank)


def _refused(project_file: Path, files: list[Path], capsys) -> str:
    before = project_file.read_bytes()
    assert main(["read-answers", str(project_file), *map(str, files)]) == 2
    assert project_file.read_bytes() == before
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "p.fairshare"
    path.write_bytes(SAMPLE.read_bytes())
    return path


def test_an_answer_not_among_the_choices_is_refused(project, project_file, tmp_path, capsys):
    path = fill(write_one(project, tmp_path, "amani"), every_answer(0))
    wb = openpyxl.load_workbook(path)
    wb[qn.QUESTIONS].cell(qn.FIRST_QUESTION_ROW + 1, qn.ANSWER_COL).value = "Quite a lot"
    wb.save(path)
    text = _refused(project_file, [path], capsys)
    row = qn.FIRST_QUESTION_ROW + 1
    assert f"{path.name}, sheet 'Questions', row {row}, question 'disability'" in text
    assert "'Quite a lot' is not one of the answers" in text


def test_a_formula_in_an_answer_cell_is_refused(project, project_file, tmp_path, capsys):
    path = fill(write_one(project, tmp_path, "amani"), every_answer(0))
    wb = openpyxl.load_workbook(path)
    wb[qn.QUESTIONS].cell(qn.FIRST_QUESTION_ROW, qn.ANSWER_COL).value = '=HYPERLINK("http://x","y")'
    wb.save(path)
    text = _refused(project_file, [path], capsys)
    assert f"row {qn.FIRST_QUESTION_ROW}, question 'racism': the answer is a formula" in text


def test_another_partners_or_projects_workbook_is_refused(project, project_file, tmp_path, capsys):
    path = fill(write_one(project, tmp_path, "amani"), every_answer(0))
    wb = openpyxl.load_workbook(path)
    wb[qn.ID_SHEET].cell(qn.ID_ROWS["partner"], 2).value = "someone-else"
    wb.save(path)
    text = _refused(project_file, [path], capsys)
    assert "partner this project does not have" in text and path.name in text

    wb[qn.ID_SHEET].cell(qn.ID_ROWS["partner"], 2).value = "amani"
    wb[qn.ID_SHEET].cell(qn.ID_ROWS["project"], 2).value = "0123456789abcdef"
    wb.save(path)
    assert "another project" in _refused(project_file, [path], capsys)

    wb[qn.ID_SHEET].cell(qn.ID_ROWS["project"], 2).value = qn.project_key(project)
    wb[qn.ID_SHEET].cell(qn.ID_ROWS["version"], 2).value = "0"
    wb.save(path)
    assert "questionnaire version 0" in _refused(project_file, [path], capsys)


def test_a_changed_layout_is_refused(project, project_file, tmp_path, capsys):
    path = fill(write_one(project, tmp_path, "amani"), every_answer(0))
    wb = openpyxl.load_workbook(path)
    wb[qn.QUESTIONS].delete_rows(qn.FIRST_QUESTION_ROW + 3)
    wb.save(path)
    text = _refused(project_file, [path], capsys)
    assert "the layout was changed" in text and f"row {qn.FIRST_QUESTION_ROW + 3}" in text


def test_not_a_workbook_is_refused(project_file, tmp_path, capsys):
    bad = tmp_path / "answers.xlsx"
    bad.write_text("not a workbook")
    assert "not a valid workbook" in _refused(project_file, [bad], capsys)


def test_two_returns_from_one_partner_use_the_newer(project, tmp_path):
    blank = write_one(project, tmp_path, "amani")
    old = fill(blank, every_answer(0), out=tmp_path / "old.xlsx")
    new = fill(blank, every_answer(4), out=tmp_path / "new.xlsx")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_800_000_000, 1_800_000_000))
    preview = read_answers(project, [new, old])
    (item,) = preview.partners
    assert item.answers == every_answer(4) and item.file == str(new)
    (note,) = [p for p in preview.problems if "more than one" in p.message]
    assert not note.refuses and note.file == str(old) and "new.xlsx" in note.message


def test_dry_run_changes_nothing_and_a_real_run_saves(project, project_file, tmp_path, capsys):
    answers = every_answer(3)
    path = fill(write_one(project, tmp_path, "rainbow"), answers)
    before = project_file.read_bytes()
    assert main(["read-answers", str(project_file), str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert project_file.read_bytes() == before
    assert "Rainbow Refuge Line" in out and "score:" in out and "Dry run" in out
    assert main(["read-answers", str(project_file), str(path)]) == 0
    saved = load_project(project_file)
    assert saved.partners[saved.partner_index("rainbow")].needs_answers == answers


def test_questionnaires_command_writes_one_per_partner(project_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["questionnaires", str(project_file), str(out), "--partner", "Amani Collective"]) == 0
    )
    assert [p.name for p in out.iterdir()] == ["Needs questionnaire - Amani Collective.xlsx"]
    assert main(["questionnaires", str(project_file), str(out)]) == 0
    assert len(list(out.iterdir())) == len(load_project(project_file).partners)


# ----------------------------------------------------------------------------------
# Through LibreOffice
# ----------------------------------------------------------------------------------


def _converted(path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "converted"
    out.mkdir(exist_ok=True)
    assert SOFFICE is not None
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    result = out / path.name
    assert result.exists(), done.stderr + done.stdout
    return result


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
def test_a_return_saved_by_libreoffice_reads_back_the_same(project, tmp_path):
    answers = every_answer(2) | {"cs_faith": "most", "bo_arrears": "no"}
    filled = fill(write_one(project, tmp_path, "deafvoice"), answers, {"reach": 250})
    saved = _converted(filled, tmp_path)
    wb = openpyxl.load_workbook(saved)
    assert wb[qn.ID_SHEET].sheet_state == "hidden"
    assert wb[qn.QUESTIONS].protection.sheet
    assert len(wb[qn.QUESTIONS].data_validations.dataValidation) >= 1
    preview = read_answers(project, [saved])
    assert preview.ok, [p.text() for p in preview.problems]
    (item,) = preview.partners
    assert item.answers == answers
    assert [c.key for c in item.facts] == ["reach"]
    assert apply_answers(project, preview) == apply_answers(
        project, read_answers(project, [filled])
    )
