"""Partners answer for themselves: sending the questionnaires, previewing the returned
answers, applying them as one undo step, and dropping a returned file on the window."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QTableWidget, QTreeWidget

from allocator.domain import needs
from allocator.formats import questionnaire as qn
from ui.dialogs import questionnaires_dialog
from ui.dialogs.answers_dialog import AnswersDialog
from ui.dialogs.questionnaires_dialog import QuestionnairesDialog


def every_answer(k: int) -> dict[str, str]:
    """The k-th answer of every question (its last where it has fewer)."""
    return {q.id: q.options[min(k, len(q.options) - 1)].id for q in needs.QUESTIONS}


def fill(path: Path, answers: dict[str, str], facts: dict[str, object] | None = None) -> Path:
    """Answer as a partner would: the answer's words in each answer cell."""
    wb = openpyxl.load_workbook(path)
    ws = wb[qn.QUESTIONS]
    for k, q in enumerate(needs.QUESTIONS):
        cell = ws.cell(qn.FIRST_QUESTION_ROW + k, qn.ANSWER_COL)
        cell.value = q.option(answers[q.id]).label if answers.get(q.id) else None
    for key, value in (facts or {}).items():
        wb[qn.FACTS].cell(qn.FIRST_FACT_ROW + qn.FACT_FIELDS.index(key), qn.FACT_COL).value = value
    wb.save(path)
    return path


def returned(project, folder: Path, pid: str, answers: dict[str, str], **facts) -> Path:
    (f,) = qn.write_questionnaires(project, folder, [pid])
    return fill(f.path, answers, facts)


@pytest.fixture
def opened(qtbot):
    """Dialogs a test opened, closed afterwards."""
    dialogs = []
    yield dialogs
    for d in dialogs:
        if not shiboken6.isValid(d):
            continue  # accepted and deleted on close
        if isinstance(d, QuestionnairesDialog):
            d.wait()
        d.close()


# -- sending -------------------------------------------------------------------------


def test_send_writes_a_questionnaire_for_each_ticked_partner(
    window, tmp_path, qtbot, opened, monkeypatch
):
    folder = tmp_path / "out"
    monkeypatch.setattr(questionnaires_dialog, "choose_folder", lambda _parent, _start: str(folder))
    shown: list[str] = []
    monkeypatch.setattr(questionnaires_dialog, "open_folder", lambda f: shown.append(f) or True)
    window.sendQuestionnairesAction.trigger()
    dialog = window.findChild(QuestionnairesDialog, "questionnairesDialog")
    assert dialog is not None and dialog.isVisible() and dialog.isModal()
    opened.append(dialog)
    partners = window.document.project.partners
    assert dialog.ticked() == [p.id for p in partners]  # all ticked to start
    dialog.set_ticked(partners[0].id, False)
    dialog.findChild(QPushButton, "chooseQuestionnaireFolder").click()
    assert dialog.folder() == str(folder)
    assert dialog.write()
    qtbot.waitUntil(lambda: dialog.doneLabel.isVisible(), timeout=20000)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(qn.questionnaire_name(p) for p in partners[1:])
    assert str(folder.resolve()) in dialog.doneLabel.text()
    assert dialog.openFolderButton.isVisible()
    dialog.openFolderButton.click()
    assert shown == [str(folder.resolve())]
    assert not window.document.is_modified()  # sending changes nothing in the project


def test_send_needs_a_partner_and_a_folder(window, opened):
    dialog = window.answers.send_questionnaires()
    opened.append(dialog)
    for p in window.document.project.partners:
        dialog.set_ticked(p.id, False)
    assert not dialog.writeButton.isEnabled()
    dialog.set_ticked(window.document.project.partners[0].id, True)
    assert dialog.writeButton.isEnabled()
    dialog.folderEdit.setText("")
    assert not dialog.writeButton.isEnabled()
    assert not dialog.write()


# -- reading back --------------------------------------------------------------------


def test_read_back_previews_answers_and_scores_then_applies_as_one_step(
    window, tmp_path, opened, monkeypatch
):
    doc = window.document
    project = doc.project
    amani = project.partners[project.partner_index("amani")]
    paths = [
        returned(project, tmp_path, "amani", every_answer(2), capacity=999000),
        returned(project, tmp_path, project.partners[0].id, every_answer(0)),
    ]
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(p) for p in paths], ""))
    )
    window.readAnswersAction.trigger()
    dialog = window.findChild(AnswersDialog, "answersDialog")
    assert dialog is not None and dialog.isVisible()
    opened.append(dialog)
    assert {item.partner_id for item in dialog.preview.partners} == {
        "amani",
        project.partners[0].id,
    }
    page = dialog.partnerPages["amani"]
    scores = page.findChild(QTableWidget, "answersScores")
    texts = [[scores.item(r, c).text() for c in range(3)] for r in range(scores.rowCount())]
    item = next(i for i in dialog.preview.partners if i.partner_id == "amani")
    assert texts[0][0] == needs.GROUP_NAMES[needs.GROUPS[0]].capitalize()
    assert texts[0][2].startswith(f"{item.after[needs.GROUPS[0]]:.3f}")
    facts = page.findChild(QTableWidget, "answersFacts")
    assert facts.item(0, 0).text() == "Capacity (per year)"
    assert "999,000" in facts.item(0, 2).text()
    lines = page.findChild(QTreeWidget, "answersLines")
    assert lines.topLevelItemCount() == len(needs.GROUPS)
    first_q = needs.QUESTIONS[0]
    answers_shown = [
        lines.topLevelItem(g).child(k).text(1)
        for g in range(lines.topLevelItemCount())
        for k in range(lines.topLevelItem(g).childCount())
    ]
    assert first_q.option(every_answer(2)[first_q.id]).label in answers_shown
    # nothing changes until Apply
    assert doc.project.partners[project.partner_index("amani")] == amani
    assert dialog.applyButton.isEnabled()
    depth = doc.undo_stack.count()
    dialog.accept()
    assert doc.undo_stack.count() == depth + 1
    assert doc.undo_stack.undoText().startswith("Apply the returned answers of")
    after = doc.project.partners[doc.project.partner_index("amani")]
    assert after.needs_answers == every_answer(2)
    assert after.capacity == 999000
    doc.undo_stack.undo()
    assert doc.project.partners[doc.project.partner_index("amani")] == amani


def test_a_refused_file_disables_apply_and_names_file_row_and_question(window, tmp_path, opened):
    project = window.document.project
    path = returned(project, tmp_path, "amani", every_answer(1))
    wb = openpyxl.load_workbook(path)
    row = qn.FIRST_QUESTION_ROW + 2
    wb[qn.QUESTIONS].cell(row, qn.ANSWER_COL).value = "Quite a lot, really"
    wb.save(path)
    dialog = window.answers.read_answers([str(path)])
    opened.append(dialog)
    assert not dialog.applyButton.isEnabled()
    refused = [r for r in dialog.problem_rows() if r[0] == "Refused"]
    assert refused, dialog.problem_rows()
    kind, file, sheet, shown_row, question, message = refused[0]
    assert file == path.name and sheet == qn.QUESTIONS and shown_row == str(row)
    assert question == needs.QUESTIONS[2].topic
    assert "Quite a lot, really" in message
    assert dialog.tabs.currentWidget() is dialog.problemsTable
    depth = window.document.undo_stack.count()
    dialog.accept()  # refused: nothing applied, the dialog stays
    assert window.document.undo_stack.count() == depth
    assert dialog.isVisible()


# -- dropping ------------------------------------------------------------------------


def _drop(window, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    return event


def test_dropping_questionnaires_opens_their_preview(window, tmp_path, qtbot, opened):
    project = window.document.project
    paths = [
        returned(project, tmp_path, "amani", every_answer(1)),
        returned(project, tmp_path, project.partners[0].id, every_answer(2)),
    ]
    event = _drop(window, paths)
    assert event.isAccepted()
    qtbot.waitUntil(lambda: window.findChild(AnswersDialog, "answersDialog") is not None)
    dialog = window.findChild(AnswersDialog, "answersDialog")
    opened.append(dialog)
    assert sorted(dialog.paths) == sorted(str(p) for p in paths)
    assert len(dialog.preview.partners) == 2


def test_a_partner_table_dropped_is_still_imported(window, tmp_path, qtbot, monkeypatch):
    from ui.window.files import dropped_questionnaires, is_questionnaire

    table = tmp_path / "partners.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Name", "Capacity (per year)"])
    wb.save(table)
    assert not is_questionnaire(str(table))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(table))])
    assert dropped_questionnaires(mime) == []
    imported: list[str] = []
    monkeypatch.setattr(window, "import_partners", lambda path=None: imported.append(path))
    _drop(window, [table])
    qtbot.waitUntil(lambda: imported == [str(table)])
    assert window.findChild(AnswersDialog, "answersDialog") is None
    assert QApplication.activeModalWidget() is None


# -- scores people can check ---------------------------------------------------------


def test_the_explanation_shows_which_answer_gave_which_part(window, qtbot, wait_solved):
    from allocator.domain.edits import set_needs_answers

    doc = window.document
    i = doc.project.partner_index("amani")
    doc.edit(set_needs_answers(doc.project, i, every_answer(2)), "answers")
    doc.set_selected_partner(i)
    wait_solved(doc)
    text = window.explanationView.toPlainText()
    q = needs.QUESTIONS[0]
    assert "Question" in text and "Adds" in text
    assert q.option(every_answer(2)[q.id]).label in text
    line = needs.score_breakdown(every_answer(2))[0].lines[0]
    assert f"+{line.contribution:.3f}" in text
