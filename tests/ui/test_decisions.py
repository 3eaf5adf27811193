"""The choice on record: "Use for the bid" asks the reason and who agreed, records the
choice as one undo step, and the Decisions tab lists the history newest first, marking
a choice whose scenario changed since; the record survives save and reopen."""

from __future__ import annotations

import datetime as _dt

import pytest
import shiboken6

from allocator.report.choice import CHANGED
from ui.dialogs import choice_dialog
from ui.dialogs.choice_dialog import ChoiceDialog


@pytest.fixture
def on_a_day(monkeypatch):
    day = _dt.date(2026, 12, 3)
    monkeypatch.setattr(choice_dialog, "today", lambda: day)
    return day


@pytest.fixture
def decisions(window):
    window.build_more_tabs()
    assert window.decisionsView is not None
    return window.decisionsView


def _pick_unchosen(window) -> str:
    doc = window.document
    name = next(s.name for s in doc.project.scenarios if s.name != doc.project.chosen)
    doc.set_current_scenario(name)
    return name


def _choose(window, reason: str, who: str = "") -> ChoiceDialog:
    dialog = window.scenarioPanel.choose_scenario()
    assert isinstance(dialog, ChoiceDialog) and dialog.isVisible() and dialog.isModal()
    dialog.reasonEdit.setText(reason)
    dialog.agreedByEdit.setText(who)
    dialog.accept()
    return dialog


def test_use_for_the_bid_asks_the_reason_and_records_it_as_one_step(window, on_a_day):
    doc = window.document
    name = _pick_unchosen(window)
    window.scenarioPanel.chooseScenarioAction.trigger()
    dialog = window.scenarioPanel.findChild(ChoiceDialog, "choiceDialog")
    assert dialog is not None and dialog.isVisible()
    assert not dialog.okButton.isEnabled()  # the reason is required
    dialog.reasonEdit.setText("   ")
    assert not dialog.okButton.isEnabled()
    dialog.reasonEdit.setText("Meets the ring-fence and keeps every partner above 90%")
    dialog.agreedByEdit.setText("the partnership board")
    assert dialog.okButton.isEnabled()
    depth = doc.undo_stack.count()
    dialog.accept()
    assert doc.undo_stack.count() == depth + 1
    assert doc.undo_stack.undoText() == f"Choose '{name}' for the bid"
    assert doc.project.chosen == name
    (entry,) = doc.project.decisions
    assert entry.date == on_a_day.isoformat() and entry.scenario == name
    assert entry.agreed_by == "the partnership board"
    assert set(entry.figures) == {p.id for p in doc.project.partners}
    doc.undo_stack.undo()
    assert doc.project.decisions == ()
    assert doc.project.chosen != name


def test_cancel_records_nothing(window):
    _pick_unchosen(window)
    dialog = window.scenarioPanel.choose_scenario()
    dialog.reasonEdit.setText("A reason")
    before = window.document.project
    dialog.reject()
    assert window.document.project is before


def test_history_lists_newest_first_and_marks_a_changed_scenario(
    window, decisions, on_a_day, wait_solved
):
    doc = window.document
    first = _pick_unchosen(window)
    _choose(window, "First look")
    second = next(s.name for s in doc.project.scenarios if s.name != first)
    doc.set_current_scenario(second)
    _choose(window, "Agreed at the board", "the partnership board")
    table = decisions.table
    assert table.topLevelItemCount() == 2
    top = table.topLevelItem(0)
    assert [top.text(c) for c in range(4)] == [
        "3 December 2026",
        second,
        "the partnership board",
        "Agreed at the board",
    ]
    assert top.text(4) == ""
    assert "Each partner's total when chosen" in top.toolTip(0)
    assert doc.project.partners[0].name in decisions.detail.toPlainText()
    # a setting of the first choice's scenario changes: its entry is marked
    j = [s.name for s in doc.project.scenarios].index(first)
    assert doc.set_field(f"scenarios[{j}].management_fee", 0.07) is None
    changed = table.topLevelItem(1)
    assert changed.text(1) == first and changed.text(4) == CHANGED
    assert table.topLevelItem(0).text(4) == ""
    table.setCurrentItem(changed)
    assert CHANGED.capitalize() in decisions.detail.toPlainText()


def test_the_chosen_scenario_can_be_recorded_from_the_history(window, decisions, on_a_day):
    doc = window.document
    chosen = doc.project.chosen
    assert decisions.recordButton.isEnabled()  # the sample's choice has no record yet
    decisions.recordButton.click()
    dialog = decisions.choiceDialog
    assert dialog.scenario == chosen
    dialog.reasonEdit.setText("The board agreed it")
    dialog.accept()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert [e.scenario for e in doc.project.decisions] == [chosen]
    assert not decisions.recordButton.isEnabled()


def test_decisions_survive_save_and_reopen(window, tmp_path, on_a_day):
    doc = window.document
    name = _pick_unchosen(window)
    _choose(window, "Fairest for the by-and-for partners", "all seven partners")
    target = tmp_path / "chosen.fairshare"
    assert window.files.write(str(target))
    recorded = doc.project.decisions
    assert window.files.load(str(target))
    assert window.document.project.decisions == recorded
    assert window.document.project.chosen == name
