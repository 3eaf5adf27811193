"""Project settings, the needs assessment and the import preview dialogs."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from allocator.domain import fields, needs
from ui.dialogs.import_dialog import FIRST_FIELD, ImportDialog
from ui.dialogs.needs_dialog import NeedsDialog
from ui.dialogs.project_dialog import ProjectDialog

HEADER = (
    "ID,Name,Lead partner,By and for,Capacity (per year),Floor (per year),"
    "People served (per year),Multiple disadvantage (0-1),Back-office capacity (0-1),Notes\n"
)


# -- project settings ------------------------------------------------------------------


def test_project_dialog_shows_the_project(document, qtbot):
    dialog = ProjectDialog(document)
    qtbot.addWidget(dialog)
    project = document.project
    assert dialog.nameEdit.text() == project.name
    assert dialog.currencyCombo.currentText() == project.currency
    assert dialog.startSpin.value() == project.start_year
    assert dialog.countSpin.value() == project.year_count
    assert dialog.upliftRadio.isChecked()
    assert dialog.upliftSpin.text() == "2.0%"
    assert dialog.firstYearSpin.text() == "£1,200,000"
    # the table shows what the rule gives each year, with thousands separators
    assert [dialog.yearsTable.item(k, 0).text() for k in range(3)] == [
        "1,200,000",
        "1,224,000",
        "1,248,480",
    ]
    assert dialog.totalLabel.text().endswith("£3,672,480")


def test_project_dialog_edits_are_one_undo_step(document, qtbot):
    before = document.project
    steps = document.undo_stack.count()
    dialog = ProjectDialog(document)
    qtbot.addWidget(dialog)
    dialog.nameEdit.setText("Westmarsh Partnership 2028-32")
    dialog.currencyCombo.setCurrentText("EUR")
    dialog.startSpin.setValue(2028)
    dialog.countSpin.setValue(4)
    dialog.firstYearSpin.setValue(1_500_000)
    dialog.upliftSpin.setValue(3.5)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    after = document.project
    assert document.undo_stack.count() == steps + 1
    assert after.name == "Westmarsh Partnership 2028-32"
    assert after.currency == "EUR"
    assert (after.start_year, after.year_count) == (2028, 4)
    assert after.budget.first_year == 1_500_000
    assert after.budget.annual_uplift == pytest.approx(0.035)
    assert after.partners == before.partners
    document.undo_stack.undo()
    assert document.project == before


def test_project_dialog_per_year_budget(document, qtbot):
    dialog = ProjectDialog(document)
    qtbot.addWidget(dialog)
    dialog.perYearRadio.setChecked(True)
    dialog.countSpin.setValue(4)
    assert dialog.yearsTable.rowCount() == 4
    assert dialog.yearsTable.verticalHeaderItem(3).text() == "2030"
    for k, text in enumerate(["1,000,000", "£1.1m", "1200k", "1300000"]):
        dialog.yearsTable.setItem(k, 0, QTableWidgetItem(text))
    dialog.accept()
    assert document.project.year_count == 4
    assert document.project.budget.per_year == (1_000_000, 1_100_000, 1_200_000, 1_300_000)
    assert document.undo_stack.count() == 1


def test_project_dialog_refuses_bad_values_and_changes_nothing(document, qtbot):
    before = document.project
    dialog = ProjectDialog(document)
    qtbot.addWidget(dialog)
    dialog.currencyCombo.setCurrentText("G1")
    dialog.perYearRadio.setChecked(True)
    dialog.yearsTable.setItem(1, 0, QTableWidgetItem("lots"))
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert document.project == before
    assert document.undo_stack.count() == 0
    text = dialog.errors.text()
    assert not dialog.errors.isHidden()
    assert "currency" in text.lower()
    assert "2028" in text  # the year whose grant cannot be read, in words


# -- needs assessment --------------------------------------------------------------------


def test_needs_dialog_previews_scores_answer_by_answer(document, qtbot):
    dialog = NeedsDialog(document, 2)
    qtbot.addWidget(dialog)
    assert "Sahara Sisters Project" in dialog.windowTitle()
    assert len(dialog.combos) == len(needs.QUESTIONS)
    dialog.set_answer("cs_racism", "three_quarters")
    dialog.set_answer("org_by_and_for", "yes")
    dialog.set_answer("bo_finance", "part_time")
    expected = needs.score(
        {"cs_racism": "three_quarters", "org_by_and_for": "yes", "bo_finance": "part_time"}
    )
    md = dialog.scoreLabels["multiple_disadvantage"].text()
    assert md == expected.summary("multiple_disadvantage")
    assert f"{expected.multiple_disadvantage:.3f}" in md
    assert "0.500" in dialog.scoreLabels["back_office_capacity"].text()
    group = dialog.linesTree.topLevelItem(0)
    racism = next(
        group.child(i) for i in range(group.childCount()) if "Racism" in group.child(i).text(0)
    )
    assert racism.text(2) == "0.75 × 1"
    line = next(x for x in expected.lines if x.question_id == "cs_racism")
    assert racism.text(3) == f"+{line.contribution:.3f}"
    assert document.undo_stack.count() == 0  # previewing changes nothing


def test_needs_dialog_ok_sets_both_scores_from_the_answers_as_one_step(document, qtbot):
    before = document.project
    old = before.partners[1]
    dialog = NeedsDialog(document, 1)
    qtbot.addWidget(dialog)
    # the sample's scores were typed in; with no answers OK leaves them, and says so
    assert "stays" in dialog.changeLabels["multiple_disadvantage"].text()
    assert dialog.keepTypedCheck.isHidden()
    answers = {"cs_racism": "most", "cs_intersecting": "three", "bo_finance": "none"}
    for q, a in answers.items():
        dialog.set_answer(q, a)
    expected = needs.score(answers)
    md = dialog.changeLabels["multiple_disadvantage"].text()
    assert f"{old.multiple_disadvantage:.3f} (typed in) becomes" in md
    assert f"{expected.multiple_disadvantage:.3f}" in md
    bo = dialog.changeLabels["back_office_capacity"].text()
    assert f"{old.back_office_capacity:.3f} (typed in) becomes" in bo
    assert not dialog.keepTypedCheck.isHidden() and not dialog.keepTypedCheck.isChecked()
    assert document.undo_stack.count() == 0  # previewing changes nothing
    dialog.accept()
    partner = document.project.partners[1]
    assert partner.needs_answers == answers
    assert partner.multiple_disadvantage == pytest.approx(expected.multiple_disadvantage)
    assert partner.back_office_capacity == pytest.approx(expected.back_office_capacity)
    assert partner.source("multiple_disadvantage") == "questionnaire"
    assert partner.source("back_office_capacity") == "questionnaire"
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.project == before


def test_needs_dialog_can_keep_the_typed_scores(document, qtbot):
    before = document.project
    old = before.partners[1]
    dialog = NeedsDialog(document, 1)
    qtbot.addWidget(dialog)
    dialog.set_answer("cs_racism", "most")
    dialog.keepTypedCheck.setChecked(True)
    assert "stays" in dialog.changeLabels["multiple_disadvantage"].text()
    dialog.applyButton.click()
    partner = document.project.partners[1]
    assert partner.needs_answers == {"cs_racism": "most"}  # the answers are saved
    assert partner.multiple_disadvantage == old.multiple_disadvantage
    assert partner.source("multiple_disadvantage") == "typed"
    assert document.undo_stack.count() == 1
    # the box unticked, Apply hands the score to the answers: one more step
    dialog.keepTypedCheck.setChecked(False)
    dialog.applyButton.click()
    assert document.project.partners[1].source("multiple_disadvantage") == "questionnaire"
    assert "stays" in dialog.changeLabels["multiple_disadvantage"].text()
    assert dialog.keepTypedCheck.isHidden()  # nothing typed differs any more
    assert document.undo_stack.count() == 2


def test_needs_dialog_ok_applies_and_cancel_does_not(document, qtbot):
    dialog = NeedsDialog(document, 0)
    qtbot.addWidget(dialog)
    dialog.set_answer("bo_hr", "dedicated")
    dialog.reject()
    assert document.project.partners[0].needs_answers == {}
    dialog = NeedsDialog(document, 0)
    qtbot.addWidget(dialog)
    dialog.set_answer("bo_hr", "dedicated")
    dialog.accept()
    assert document.project.partners[0].needs_answers == {"bo_hr": "dedicated"}
    assert document.undo_stack.count() == 1
    dialog = NeedsDialog(document, 0)
    qtbot.addWidget(dialog)
    dialog.accept()  # nothing to change: no empty step
    assert document.undo_stack.count() == 1


# -- import preview ----------------------------------------------------------------------


def test_import_preview_with_a_bad_row_shows_where_and_changes_nothing(document, qtbot, tmp_path):
    table = tmp_path / "partners.csv"
    table.write_text(
        HEADER
        + ",Harbourside Women's Centre,no,no,300000,0,2500,0.4,0.85,Fictional\n"
        + ",Kinara Sisters Collective,no,yes,ninety thousand,30000,450,0.85,0.3,Fictional\n",
        encoding="utf-8",
    )
    before = document.project
    dialog = ImportDialog(document, str(table))
    qtbot.addWidget(dialog)
    assert not dialog.okButton.isEnabled()
    rows = dialog.problem_rows()
    assert rows, "the bad cell must be listed"
    row, column, message = rows[0]
    assert row == "3"
    assert column.startswith("Capacity")
    assert "ninety thousand" in message or "amount" in message
    assert document.project == before
    dialog.accept()  # refused: nothing can be added
    assert document.project == before
    assert document.undo_stack.count() == 0


def _column(key):
    return FIRST_FIELD + [s.key for s in fields.PARTNER_COLUMNS].index(key)


def test_import_preview_then_accept_adds_partners_in_one_step(document, qtbot, tmp_path):
    table = tmp_path / "partners.csv"
    table.write_text(
        HEADER
        + ",Harbourside Women's Centre,no,no,300000,0,2500,0.4,0.85,Fictional\n"
        + ",Kinara Sisters Collective,no,yes,90000,30000,450,0.85,0.3,Fictional\n",
        encoding="utf-8",
    )
    before = document.project
    dialog = ImportDialog(document, str(table))
    qtbot.addWidget(dialog)
    assert dialog.okButton.isEnabled()
    assert dialog.okButton.text() == "Add 2 partners"
    assert dialog.partnersTable.rowCount() == 2
    names = [dialog.partnersTable.item(r, _column("name")).text() for r in range(2)]
    assert names == ["Harbourside Women's Centre", "Kinara Sisters Collective"]
    assert dialog.partnersTable.item(0, _column("capacity")).text() == "300,000"
    assert dialog.row_actions() == [(2, "add"), (3, "add")]
    assert document.project == before  # nothing yet
    dialog.accept()
    assert [p.name for p in document.project.partners][-2:] == names
    assert len(document.project.partners) == len(before.partners) + 2
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.project == before


def test_problems_name_the_field_in_words(sample_project):
    from ui.dialogs import problem_lines

    name = sample_project.partners[1].name
    lines = problem_lines(sample_project, [("partners[1].floor", "must be above 0"), ("", "odd")])
    assert lines == [f"{name}'s floor: must be above 0", "Odd"]


# -- a blank grant (a new project) ------------------------------------------------------


@pytest.fixture
def blank_document(qtbot):
    from allocator.domain import edits
    from ui.state.document import Document

    doc = Document(edits.new_project(name="New partnership", start_year=2027))
    yield doc
    doc.shutdown()
    doc.deleteLater()


def test_project_dialog_opens_on_a_blank_grant_and_asks_for_it(blank_document, qtbot):
    doc = blank_document
    dialog = ProjectDialog(doc)
    qtbot.addWidget(dialog)
    assert dialog.firstYearSpin.value() == 0
    assert dialog.firstYearSpin.text() == "not set yet"
    assert [dialog.yearsTable.item(k, 0).text() for k in range(3)] == ["", "", ""]
    dialog.nameEdit.setText("Southbank Partnership")
    dialog.accept()  # the grant is still blank: OK says so and changes nothing
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "grant" in dialog.errors.text()
    assert doc.undo_stack.count() == 0
    dialog.firstYearSpin.setValue(400_000)
    assert [dialog.yearsTable.item(k, 0).text() for k in range(3)] == ["400,000"] * 3
    dialog.accept()
    assert doc.undo_stack.count() == 1
    assert doc.project.name == "Southbank Partnership"
    assert doc.project.budgets() == [400_000] * 3


def test_project_dialog_per_year_figures_on_a_blank_grant(blank_document, qtbot):
    doc = blank_document
    dialog = ProjectDialog(doc)
    qtbot.addWidget(dialog)
    dialog.perYearRadio.setChecked(True)
    for k, text in enumerate(("300,000", "310k", "£320,000")):
        dialog.yearsTable.setItem(k, 0, QTableWidgetItem(text))
    dialog.accept()
    assert doc.project.budgets() == [300_000, 310_000, 320_000]


def test_the_start_may_leave_the_grant_for_later(blank_document, qtbot):
    from ui.dialogs.start_dialog import StartDialog

    doc = blank_document
    dialog = StartDialog(doc)
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "startDialog"
    dialog.nameEdit.setText("Riverside Partnership")
    dialog.countSpin.setValue(4)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Start the partnership"
    assert doc.project.name == "Riverside Partnership" and doc.project.year_count == 4
    assert doc.project.budget.first_year is None
