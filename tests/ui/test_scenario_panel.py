"""The scenario list and the scenario settings editor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from allocator.domain import fields
from allocator.domain.paths import FieldPath
from ui.views.scenarios import SLIDER_KEYS, ChosenRole, NameRole, ScenarioPanel, scenario_suffix


@pytest.fixture
def panel(document, qtbot):
    w = ScenarioPanel(document)
    qtbot.addWidget(w)
    w.resize(400, 900)
    return w


def names(doc) -> list[str]:
    return [s.name for s in doc.project.scenarios]


def shown(panel) -> list[str]:
    model = panel.scenarioList.model()
    return [model.index(r).data(Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())]


def value(doc, path: str):
    return FieldPath.parse(path).get(doc.project)


def test_list_shows_every_scenario_and_marks_the_bid(panel, document):
    assert panel.scenarioList.objectName() == "scenarioList"
    model = panel.scenarioList.model()
    assert [model.index(r).data(NameRole) for r in range(model.rowCount())] == names(document)
    chosen = document.project.chosen_scenario.name
    row = names(document).index(chosen)
    index = model.index(row)
    assert index.data(Qt.ItemDataRole.DisplayRole) == f"{chosen} (bid)"
    assert index.data(Qt.ItemDataRole.FontRole).bold()
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert index.data(ChosenRole) is True
    others = [shown(panel)[r] for r in range(model.rowCount()) if r != row]
    assert not any(t.endswith("(bid)") for t in others)


def test_current_item_follows_the_document_both_ways(panel, document):
    model = panel.scenarioList.model()
    panel.scenarioList.setCurrentIndex(model.index(2))
    assert document.current_scenario == names(document)[2]
    document.set_current_scenario(names(document)[3])
    assert panel.scenarioList.currentIndex().row() == 3
    assert panel.field_path("ring_fence") == "scenarios[3].ring_fence"


def test_add_scenario_is_one_undo_step(panel, document):
    before = names(document)
    steps = document.undo_stack.count()
    panel.addScenarioAction.trigger()
    assert len(names(document)) == len(before) + 1
    assert document.undo_stack.count() == steps + 1
    new = names(document)[-1]
    assert document.current_scenario == new
    assert panel.scenarioList.currentIndex().row() == len(before)
    document.undo_stack.undo()
    assert names(document) == before
    assert len(shown(panel)) == len(before)
    document.undo_stack.redo()
    assert names(document)[-1] == new


def test_duplicate_scenario_is_one_undo_step(panel, document):
    document.set_current_scenario(names(document)[2])
    original = document.project.scenarios[2]
    panel.duplicateScenarioAction.trigger()
    copy = document.project.scenarios[3]
    assert copy.name == f"{original.name} (copy)"
    assert copy.ring_fence == original.ring_fence
    assert document.current_scenario == copy.name
    document.undo_stack.undo()
    assert original.name + " (copy)" not in names(document)


def test_rename_through_the_list_editor(panel, document, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    document.set_current_scenario(names(document)[1])
    old = names(document)[1]
    panel.renameScenarioAction.trigger()
    editor = panel.scenarioList.findChild(QLineEdit)
    assert editor is not None and editor.text() == old
    editor.selectAll()
    qtbot.keyClicks(editor, "Needs first")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: names(document)[1] == "Needs first")  # the list commits queued
    assert document.current_scenario == "Needs first"
    assert shown(panel)[1].startswith("Needs first")
    document.undo_stack.undo()
    assert names(document)[1] == old


def test_a_refused_rename_changes_nothing_and_says_why(panel, document):
    steps = document.undo_stack.count()
    model = panel.scenarioList.model()
    taken = names(document)[0]
    assert not model.setData(model.index(1), taken, Qt.ItemDataRole.EditRole)
    assert document.undo_stack.count() == steps
    assert names(document)[1] != taken
    assert not panel.message.isHidden()
    assert "already called" in panel.message.text()


def test_remove_scenario_is_undoable(panel, document):
    before = names(document)
    document.set_current_scenario(before[1])
    panel.removeScenarioAction.trigger()
    assert names(document) == [before[0], *before[2:]]
    assert document.current_scenario in names(document)
    document.undo_stack.undo()
    assert names(document) == before


def test_the_last_scenario_cannot_be_removed(panel, document):
    while len(names(document)) > 1:
        panel.removeScenarioAction.trigger()
    assert len(names(document)) == 1
    assert not panel.removeScenarioAction.isEnabled()


def test_use_for_the_bid_moves_the_mark_and_undoes(panel, document):
    first = document.project.chosen_scenario.name
    row = next(r for r, n in enumerate(names(document)) if n != first)
    target = names(document)[row]
    document.set_current_scenario(target)
    assert panel.chooseScenarioAction.isEnabled()
    panel.chooseScenarioAction.trigger()
    dialog = panel.findChild(QDialog, "choiceDialog")  # the reason goes on record
    dialog.reasonEdit.setText("The partnership chose it")
    dialog.accept()
    assert document.project.chosen == target
    assert shown(panel)[row] == f"{target} (bid)"
    assert shown(panel).count(f"{first} (bid)") == 0
    assert not panel.chooseScenarioAction.isEnabled()
    document.undo_stack.undo()
    assert document.project.chosen_scenario.name == first
    assert shown(panel)[row] == target
    assert f"{first} (bid)" in shown(panel)


def _new_value(spec, old):
    """A valid value different from ``old`` for a scenario field."""
    if spec.kind == "choice":
        return next(c for c in spec.choices if c != old)
    if spec.kind == "ids":
        return None  # handled by the left-out test
    if old is None:
        return 3.0 if spec.key == "spread_limit" else 0.4
    hi = spec.maximum if spec.maximum is not None else 10.0
    return round(min(hi, old + 0.05) if old + 0.05 <= hi else old - 0.05, 4)


@pytest.mark.parametrize("spec", fields.SCENARIO_FIELDS, ids=lambda s: s.pattern)
def test_every_setting_writes_its_own_field(panel, document, spec):
    document.set_current_scenario(names(document)[2])
    suffix = scenario_suffix(spec)
    path = f"scenarios[2].{suffix}"
    editor = panel.editors[suffix]
    old = value(document, path)
    untouched = {
        s.pattern: value(document, f"scenarios[2].{scenario_suffix(s)}")
        for s in fields.SCENARIO_FIELDS
        if s is not spec
    }
    if spec.kind == "ids":
        item = editor.item(1)
        item.setCheckState(Qt.CheckState.Checked)
        expected = (document.project.partners[1].id,)
    elif spec.kind == "choice":
        expected = _new_value(spec, old)
        editor.setCurrentIndex(editor.findData(expected))
    else:
        expected = _new_value(spec, old)
        if editor.none_box is not None and old is None:
            editor.none_box.setChecked(False)
        shown_value = expected * 100 if editor.percent else expected
        editor.spin.setValue(shown_value)
    if spec.is_number:
        assert value(document, path) == pytest.approx(expected)
    else:
        assert value(document, path) == expected
    assert document.undo_stack.count() == 1
    for s in fields.SCENARIO_FIELDS:
        if s is not spec:
            assert value(document, f"scenarios[2].{scenario_suffix(s)}") == untouched[s.pattern]
    # the other scenarios are untouched too
    assert document.project.scenarios[1] == document.undo_stack.command(0).before.scenarios[1]


def test_shares_show_percent_with_one_decimal(panel, document):
    for spec in fields.SCENARIO_FIELDS:
        editor = panel.editors[scenario_suffix(spec)]
        if spec.kind in ("share", "rate"):
            assert editor.spin.decimals() == 1
            assert editor.spin.suffix() == "%"
    document.set_current_scenario(names(document)[2])
    assert panel.editors["ring_fence"].spin.text() == "30.0%"
    assert panel.editors["management_fee"].spin.text() == "10.0%"


def test_a_slider_drag_is_one_undo_step_and_results_follow(panel, document, wait_solved):
    document.set_current_scenario(names(document)[2])
    slider = panel.editors["ring_fence"].slider
    steps = document.undo_stack.count()
    start = slider.value()
    seen = []
    document.projectChanged.connect(lambda _o, new: seen.append(new.scenarios[2].ring_fence))
    slider.setSliderDown(True)
    positions = range(start + 5, start + 150, 5)  # 30.5% -> 44.5% in 0.5% steps
    for position in positions:
        slider.setValue(position)
    slider.setSliderDown(False)
    assert document.undo_stack.count() == steps + 1
    assert document.project.scenarios[2].ring_fence == pytest.approx(0.445)
    assert len(seen) == len(positions)  # every move reached the document while dragging
    assert panel.editors["ring_fence"].spin.value() == pytest.approx(44.5)
    document.undo_stack.undo()
    assert document.project.scenarios[2].ring_fence == pytest.approx(0.3)
    wait_solved(document)


def test_editors_follow_undo_and_the_scenario_shown(panel, document):
    document.set_current_scenario(names(document)[2])
    editor = panel.editors["management_fee"]
    editor.spin.setValue(12.5)
    assert document.project.scenarios[2].management_fee == pytest.approx(0.125)
    assert editor.slider.value() == 125
    document.undo_stack.undo()
    assert editor.spin.value() == pytest.approx(10.0)
    assert editor.slider.value() == 100
    document.set_current_scenario(names(document)[0])
    assert editor.spin.value() == pytest.approx(0.0)
    assert panel.editors["weights.multiple_disadvantage"].spin.value() == 0.0
    document.set_current_scenario(names(document)[1])
    assert panel.editors["weights.multiple_disadvantage"].spin.value() == 1.0
    assert panel.editors["unrestricted_share"].spin.text() == "20.0%"


def test_showing_a_value_never_writes_it_back(panel, document):
    steps = document.undo_stack.count()
    for name in names(document):
        document.set_current_scenario(name)
    panel.refresh()
    assert document.undo_stack.count() == steps


def test_partners_left_out(panel, document):
    document.set_current_scenario(names(document)[1])
    left_out = panel.editors["excluded"]
    partners = document.project.partners
    assert [left_out.item(r).text() for r in range(left_out.count())] == [p.name for p in partners]
    left_out.item(3).setCheckState(Qt.CheckState.Checked)
    left_out.item(5).setCheckState(Qt.CheckState.Checked)
    assert document.project.scenarios[1].excluded == (partners[3].id, partners[5].id)
    left_out.item(3).setCheckState(Qt.CheckState.Unchecked)
    assert document.project.scenarios[1].excluded == (partners[5].id,)
    assert document.project.scenarios[0].excluded == ()
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert document.project.scenarios[1].excluded == ()
    assert left_out.checked_ids() == ()


def test_no_limit_box_stores_none(panel, document):
    document.set_current_scenario(names(document)[1])
    cap = panel.editors["lead_cap"]
    assert document.project.scenarios[1].lead_cap is None
    assert cap.none_box.isChecked() and not cap.spin.isEnabled()
    cap.none_box.setChecked(False)
    assert document.project.scenarios[1].lead_cap == pytest.approx(0.5)
    cap.spin.setValue(40.0)
    assert document.project.scenarios[1].lead_cap == pytest.approx(0.4)
    cap.none_box.setChecked(True)
    assert document.project.scenarios[1].lead_cap is None
    spread = panel.editors["spread_limit"]
    spread.none_box.setChecked(False)
    assert document.project.scenarios[1].spread_limit == pytest.approx(2.0)


def test_bounds_and_tooltips_come_from_the_field_description(panel):
    for spec in fields.SCENARIO_FIELDS:
        editor = panel.editors[scenario_suffix(spec)]
        for w in editor.focus_widgets():
            assert spec.help.split(".")[0] in w.toolTip()
        if spec.is_number and spec.maximum is not None:
            scale = 100 if spec.kind in ("share", "rate") else 1
            assert editor.spin.maximum() == pytest.approx(spec.maximum * scale)
            assert editor.spin.minimum() == pytest.approx((spec.minimum or 0) * scale)
    assert set(SLIDER_KEYS) <= {k for k, e in panel.editors.items() if getattr(e, "slider", None)}


def test_every_control_is_named_and_tab_goes_top_to_bottom(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    chain = panel._tab_chain
    assert chain[0] is panel.scenarioList
    for w in chain:
        assert w.accessibleName(), f"{type(w).__name__} has no accessible name"
    visible = [
        w for w in chain if w.isVisibleTo(panel) and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
    w: QWidget = visible[0]
    w.setFocus()
    QApplication.processEvents()
    order = [w]
    for _ in range(len(visible) - 1):
        w = w.nextInFocusChain()
        while w not in visible:
            w = w.nextInFocusChain()
        order.append(w)
    assert order == visible


def test_each_rule_has_a_kept_box_that_says_so_in_plain_words(panel, document):
    from ui.views.scenarios import keep_box_name

    assert set(panel.keepBoxes) == set(fields.RULES)
    for rule in fields.RULES:
        box = panel.findChild(QWidget, keep_box_name(rule))
        assert box is panel.keepBoxes[rule]
        assert box.text() == "Kept" and box.isChecked()
        assert "Suggested changes never loosen a rule you keep" in box.toolTip()
        assert "kept when suggesting changes" in box.accessibleName()
        assert box in panel._tab_chain


def test_each_kept_toggle_is_one_undo_step_and_round_trips_through_a_file(
    panel, document, tmp_path
):
    from allocator.formats.files import load_project, save_project

    j = panel.scenario_index()
    steps = document.undo_stack.count()
    panel.keepBoxes["ring_fence"].click()
    panel.keepBoxes["lead_cap"].click()
    # two toggles of one field are two steps, never merged into one
    assert document.undo_stack.count() == steps + 2
    kept = document.project.scenarios[j].keep
    assert kept == ("needs_floor", "spread_limit", "core_share")
    assert not panel.keepBoxes["ring_fence"].isChecked()
    # saved and opened again, the scenario keeps the same rules
    path = tmp_path / "kept.fairshare"
    save_project(document.project, path)
    document.mark_saved(str(path))
    assert load_project(path).scenarios[j].keep == kept
    assert not document.is_modified()
    document.undo_stack.undo()
    assert panel.keepBoxes["lead_cap"].isChecked()
    assert not panel.keepBoxes["ring_fence"].isChecked()
    assert document.is_modified()
    document.undo_stack.undo()
    assert document.project.scenarios[j].keep == fields.KEEP_DEFAULT
    assert all(box.isChecked() for box in panel.keepBoxes.values())
    document.undo_stack.redo()
    assert document.project.scenarios[j].keep == (
        "needs_floor",
        "spread_limit",
        "lead_cap",
        "core_share",
    )


def test_kept_boxes_follow_the_scenario_shown(panel, document, qtbot):
    j = panel.scenario_index()
    other = (j + 1) % len(document.project.scenarios)
    path = f"scenarios[{other}].keep"
    assert document.set_field(path, "needs_floor") is None
    document.set_current_scenario(document.project.scenarios[other].name)
    shown = {rule for rule, box in panel.keepBoxes.items() if box.isChecked()}
    assert shown == {"needs_floor"}
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    assert panel.select_path(f"scenarios[{other}].keep")
    first = panel.keepBoxes[next(r for r in panel.keepBoxes)]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
