"""The partners view: actions, keys, copy and paste, the editors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLabel, QToolButton

from allocator.formats.clipboard import parse_block
from ui.views.partners import PartnersView
from ui.widgets.delegates import FieldLineEdit, ScoreSpinBox

D = Qt.ItemDataRole


@pytest.fixture
def view(document, qtbot):
    v = PartnersView(document)
    qtbot.addWidget(v)
    v.resize(1000, 400)
    v.show()
    qtbot.waitExposed(v)
    return v


def col(view, key):
    return view.model.column_of(key)


def select(view, cells):
    sm = view.table.selectionModel()
    sm.clearSelection()
    first = view.model.index(*cells[0])
    sm.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
    for r, c in cells:
        sm.select(view.model.index(r, c), QItemSelectionModel.SelectionFlag.Select)


def select_rows(view, first, last):
    view.select_rows(first, last)


def editor_of(view, kind):
    editors = [e for e in view.table.findChildren(kind) if e.isVisible()]
    assert len(editors) == 1, editors
    return editors[0]


def names(document):
    return [p.name for p in document.project.partners]


def test_table_and_actions_are_named_and_have_shortcuts(view):
    assert view.findChild(QAbstractItemView, "partnersTable") is view.table
    assert view.table.accessibleName()
    expected = {
        "add_action": "Ctrl+Return",
        "remove_action": "Del",
        "move_up_action": "Ctrl+Shift+Up",
        "move_down_action": "Ctrl+Shift+Down",
        "copy_action": "Ctrl+C",
        "paste_action": "Ctrl+V",
    }
    for name, key in expected.items():
        action = getattr(view, name)
        assert action.shortcut().toString() == key, name
        assert not action.icon().isNull() or name in ("copy_action", "paste_action")
    assert view.duplicate_action.text() == "Duplicate"
    assert view.assess_action.text().startswith("Assess needs")
    menu = view.context_menu()
    assert view.assess_action in menu.actions() and view.paste_action in menu.actions()
    menu.deleteLater()


def test_add_partner_inserts_after_the_selection_as_one_step(view, document, qtbot):
    select_rows(view, 1, 1)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(document.project.partners) == 8
    assert document.project.partners[2].name.startswith("New partner")
    assert view.table.currentIndex().row() == 2
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert len(document.project.partners) == 7


def test_delete_removes_selected_rows_and_clears_selected_cells(view, document, qtbot):
    before = names(document)
    select_rows(view, 1, 2)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert names(document) == [before[0], *before[3:]]
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert names(document) == before
    # Delete on cells (not whole rows) blanks them, as a spreadsheet does
    select(view, [(1, col(view, "reach")), (1, col(view, "notes"))])
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert names(document) == before
    assert document.project.partners[1].reach is None
    assert document.project.partners[1].notes == ""


def test_duplicate_and_move(view, document, qtbot):
    before = names(document)
    select_rows(view, 1, 1)
    view.duplicate_action.trigger()
    assert names(document)[2] == f"{before[1]} (copy)"
    document.undo_stack.undo()
    select_rows(view, 2, 3)
    view.table.setFocus()
    qtbot.keyClick(
        view.table,
        Qt.Key.Key_Up,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert names(document) == [before[0], before[2], before[3], before[1], *before[4:]]
    assert document.undo_stack.count() == 1  # a two-row move is one step
    assert view.selected_rows() == [1, 2]  # the selection follows the rows
    view.move_down_action.trigger()
    assert names(document) == before
    select_rows(view, 6, 6)
    assert not view.move_down_action.isEnabled()


def test_copy_gives_tab_separated_plain_numbers(view, document):
    c0, c1 = col(view, "name"), col(view, "multiple_disadvantage")
    cells = [(r, c) for r in (1, 2) for c in range(c0, c1 + 1)]
    select(view, cells)
    text = view.copy_text()
    lines = text.splitlines()
    assert lines[0].split("\t") == [
        "Amani Collective",
        "no",
        "yes",
        "180000",
        "60000",
        "900",
        "0.85",
    ]
    assert len(lines) == 2
    view.copy()
    assert QGuiApplication.clipboard().text() == text
    assert view.copy_text(with_headers=True).splitlines()[0].startswith("Name\tLead\tBy and for")
    view.percent_action.setChecked(True)
    assert view.copy_text().splitlines()[0].endswith("\t85%")


def test_paste_a_block_at_the_current_cell_is_one_step(view, document):
    select(view, [(1, col(view, "capacity"))])
    outcome = view.paste_text("£200,000\t70k\r\n150000\t55,000\r\n")
    assert not outcome.refused
    project = document.project
    assert (project.partners[1].capacity, project.partners[1].floor) == (200000, 70000)
    assert (project.partners[2].capacity, project.partners[2].floor) == (150000, 55000)
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.project.partners[1].capacity == 180000


def test_paste_with_a_header_row_maps_columns_and_adds_rows(view, document):
    text = (
        "Organisation\tMultiple disadvantage (0-1)\tCapacity (per year)\tBy and for\tID\n"
        "Kinara Sisters Collective\t85%\t£90,000\tyes\tkin\n"
        "Harbourside Women's Centre\t0.4\t300000\tno\t\n"
    )
    select(view, [(6, 0)])
    outcome = view.paste_text(text)
    assert outcome.header and not outcome.refused and not outcome.unknown_headers
    partners = document.project.partners
    assert len(partners) == 8
    assert partners[6].name == "Kinara Sisters Collective"
    assert partners[6].multiple_disadvantage == pytest.approx(0.85)
    assert partners[6].capacity == 90000 and partners[6].by_and_for
    added = partners[7]
    assert added.name == "Harbourside Women's Centre" and added.capacity == 300000
    assert added.back_office_capacity is None  # not pasted: blank, never a number
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert len(document.project.partners) == 7


def test_paste_applies_what_it_can_and_lists_the_rest(view, document):
    select(view, [(0, col(view, "capacity"))])
    text = "lots\t0\n95000\t-5\n"
    outcome = view.paste_text(text)
    assert [(r.row, r.column) for r in outcome.refused] == [
        (1, "Capacity (per year)"),
        (2, "Floor (per year)"),
    ]
    project = document.project
    assert project.partners[0].capacity == 900000  # refused: unchanged
    assert project.partners[0].floor == 0
    assert project.partners[1].capacity == 95000
    message = view.message.text()
    assert "Row 1 (Riverside Women's Network), Capacity (per year)" in message
    assert "Row 2 (Amani Collective), Floor (per year)" in message
    assert document.undo_stack.count() == 1


def test_one_value_pastes_into_every_selected_cell(view, document):
    c = col(view, "back_office_capacity")
    select(view, [(0, c), (2, c), (4, c)])
    view.paste_text("50%\n")
    values = [p.back_office_capacity for p in document.project.partners]
    assert values[0] == values[2] == values[4] == pytest.approx(0.5)
    assert values[1] == pytest.approx(0.3)
    assert document.undo_stack.count() == 1
    # one cell that happens to read like a header is still a value
    select(view, [(3, col(view, "name"))])
    view.paste_text("Notes\n")
    assert document.project.partners[3].name == "Notes"


def test_copy_then_paste_below_gives_the_same_partners(view, document):
    select_rows(view, 0, 6)
    text = view.copy_text()
    select(view, [(6, 0)])
    view.table.setCurrentIndex(view.model.index(6, 0))
    # paste below the last row: every copied row becomes a new partner
    view.table.selectionModel().clearSelection()
    view.table.setCurrentIndex(view.model.index(-1, -1))
    outcome = view.paste_text(text)
    assert not outcome.refused and outcome.added == 7
    partners = document.project.partners
    fields = ("name", "lead", "by_and_for", "capacity", "floor", "reach", "notes")
    for a, b in zip(partners[:7], partners[7:], strict=True):
        for f in fields:
            assert getattr(a, f) == getattr(b, f)
        assert a.multiple_disadvantage == pytest.approx(b.multiple_disadvantage)


def test_text_that_looks_like_a_formula_is_copied_safely(view, document):
    document.set_field("partners[1].name", '=HYPERLINK("x")')
    select(view, [(1, 0)])
    text = view.copy_text()
    assert text.startswith("\"'=HYPERLINK")  # a spreadsheet shows it as text, never runs it
    assert parse_block(text) == [['=HYPERLINK("x")']]
    select(view, [(2, 0)])
    view.paste_text(text)
    assert document.project.partners[2].name == '=HYPERLINK("x")'


def test_money_editor_takes_typed_amounts(view, document, qtbot):
    index = view.model.index(1, col(view, "capacity"))
    view.table.setCurrentIndex(index)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    editor = editor_of(view, FieldLineEdit)
    assert editor.text() == "180,000"
    editor.setText("£1.5k")
    assert editor.problem is None
    editor.setText("lots")
    assert editor.problem and editor.warns.action.isVisible()
    editor.setText("£120k")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.table.findChildren(FieldLineEdit))
    assert document.project.partners[1].capacity == 120000
    assert document.undo_stack.count() == 1


def test_score_editor_steps_and_never_fills_a_blank(view, document, qtbot):
    document.set_field("partners[2].multiple_disadvantage", "")
    steps = document.undo_stack.count()
    index = view.model.index(2, col(view, "multiple_disadvantage"))
    view.table.setCurrentIndex(index)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    editor = editor_of(view, ScoreSpinBox)
    assert editor.text() == ""
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # closing a blank editor sets nothing
    qtbot.waitUntil(lambda: not view.table.findChildren(ScoreSpinBox))
    assert document.project.partners[2].multiple_disadvantage is None
    assert document.undo_stack.count() == steps
    index = view.model.index(1, col(view, "multiple_disadvantage"))
    view.table.setCurrentIndex(index)
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    editor = editor_of(view, ScoreSpinBox)
    assert editor.text() == "0.85"
    editor.stepBy(1)
    assert editor.text() == "0.9"
    editor.stepBy(5)
    assert editor.text() == "1"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.table.findChildren(ScoreSpinBox))
    assert document.project.partners[1].multiple_disadvantage == 1.0


def test_assess_needs_names_the_current_partner(view, qtbot):
    view.table.setCurrentIndex(view.model.index(3, 0))
    with qtbot.waitSignal(view.assessNeedsRequested) as blocker:
        view.assess_action.trigger()
    assert blocker.args == [3]


def test_selection_follows_the_document_both_ways(view, document):
    view.table.setCurrentIndex(view.model.index(4, 2))
    assert document.selected_partner == 4
    document.set_selected_partner(2)
    assert view.table.currentIndex().row() == 2
    assert view.select_path("partners[5].floor")
    assert view.table.currentIndex() == view.model.index(5, col(view, "floor"))
    assert not view.select_path("scenarios[0].ring_fence")


def test_a_refused_edit_is_shown_without_a_dialog(view, document, no_dialogs):
    view.model.setData(view.model.index(1, col(view, "capacity")), "-5")
    assert view.message.isVisible()
    assert "Amani Collective" in view.message.text()
    assert "Capacity (per year)" in view.message.text()


def test_a_refusal_shows_in_the_banner_until_closed(view, qtbot):
    view.model.setData(view.model.index(1, col(view, "capacity")), "-5")
    bar = view.findChild(QFrame, "messageBar")
    assert bar is view.message and bar.kind == "warning"
    assert view.findChild(QLabel, "messageText").text() == view.message.text() != ""
    close = view.findChild(QToolButton, "messageClose")
    assert close.isVisible() and close.accessibleName() == "Close this message"
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert view.message.isHidden() and view.message.text() == ""
