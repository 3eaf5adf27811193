"""Finishing touches: problems lead to their field, remembered view choices, icons, tabs."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QDialog, QTableView

from ui.state import settings
from ui.widgets import icons


def test_results_problem_selects_the_partner_cell(window, qtbot):
    table = window.findChild(QTableView, "partnersTable")
    window.resultsView.showProblem.emit("partners[2].capacity")
    current = table.currentIndex()
    assert current.isValid() and current.row() == 2
    header = table.model().headerData(current.column(), table.horizontalHeader().orientation())
    assert "apacity" in str(header)


def test_problems_view_problem_selects_the_partner_cell(window, qtbot):
    table = window.findChild(QTableView, "partnersTable")
    window.problemsView.showProblem.emit("partners[1].floor")
    assert table.currentIndex().row() == 1


def test_scenario_problem_selects_the_scenario_and_its_setting(window, qtbot):
    project = window.document.project
    assert len(project.scenarios) > 1
    target = project.scenarios[1].name
    assert window.document.current_scenario != target
    window.problemsView.showProblem.emit("scenarios[1].ring_fence")
    assert window.document.current_scenario == target
    editor = window.scenarioPanel.editors["ring_fence"]
    qtbot.waitUntil(lambda: editor.isAncestorOf(QApplication.focusWidget()), timeout=2000)


def test_project_problem_opens_the_project_settings(window, qtbot, monkeypatch):
    opened: list[QDialog] = []
    monkeypatch.setattr(QDialog, "open", lambda self: opened.append(self))
    window.resultsView.showProblem.emit("budget.per_year[1]")
    assert len(opened) == 1 and type(opened[0]).__name__ == "ProjectDialog"
    opened[0].close()


def test_view_choices_have_settings_keys_that_are_remembered(window):
    assert settings.SCORES_AS_PERCENTAGES in settings.ALL_KEYS
    assert settings.SHOW_BUDGET_LINES in settings.ALL_KEYS
    assert settings.get(settings.SHOW_BUDGET_LINES) is False
    window.resultsView.lines_box.setChecked(True)
    assert settings.get(settings.SHOW_BUDGET_LINES) is True
    window.partnersView.percent_action.setChecked(True)
    assert settings.get(settings.SCORES_AS_PERCENTAGES) is True


def test_every_partner_action_has_the_apps_own_icon(window):
    for name in ("remove-partner", "duplicate", "move-up", "move-down", "copy", "paste", "needs"):
        assert name in icons.NAMES
        assert not icons.icon(name).pixmap(24, 24).isNull()


def test_compare_and_sweep_are_tabs_beside_the_results(window, qtbot):
    qtbot.waitUntil(lambda: window.resultsTabs.count() >= 3, timeout=5000)
    titles = [window.resultsTabs.tabText(i) for i in range(window.resultsTabs.count())]
    assert titles[0] == "Results"
    assert "Compare" in titles and "Sweep" in titles


def test_no_results_header_is_clipped(window, wait_solved):
    wait_solved(window.document)
    table = window.findChild(QTableView, "resultsTable")
    header = table.horizontalHeader()
    bold = QFont(header.font())
    bold.setBold(True)  # selected rows make every section's header bold
    metrics = QFontMetrics(bold)
    model = table.model()
    for c in range(model.columnCount()):
        label = str(model.headerData(c, header.orientation()))
        assert header.sectionSize(c) >= metrics.horizontalAdvance(label) + 8, label


def test_many_partners_chart_the_largest_grants_and_name_the_rest():
    from types import SimpleNamespace

    from ui.charts.results import SHOWN_WHEN_MANY, shown_partners

    partners = [SimpleNamespace(total=float(k)) for k in range(100)]
    shown, left_out, rest = shown_partners(SimpleNamespace(partners=partners))
    assert [p.total for p in shown] == [float(k) for k in range(99, 99 - SHOWN_WHEN_MANY, -1)]
    assert left_out == 100 - SHOWN_WHEN_MANY
    assert rest == sum(range(100 - SHOWN_WHEN_MANY))
    few = partners[:30]
    assert shown_partners(SimpleNamespace(partners=few)) == (few, 0, 0.0)


def test_an_edit_replaces_the_explanation_once(window, qtbot, wait_solved):
    doc = window.document
    wait_solved(doc)
    view = window.explanationView
    doc.set_selected_partner(1)
    before = view.html_sets
    capacity = doc.project.partners[1].capacity
    assert doc.set_field("partners[1].capacity", capacity + 1000) is None
    wait_solved(doc)
    qtbot.waitUntil(lambda: doc.result_is_current())
    assert view.html_sets == before + 1
    assert "out of date" not in view.toPlainText()


def test_the_tab_open_at_closing_is_open_again(window, sample_path, qtbot):
    from ui.app import create_main_window

    qtbot.waitUntil(lambda: window.resultsTabs.count() >= 3, timeout=5000)
    window.resultsTabs.setCurrentIndex(1)
    assert window.close()
    again = create_main_window(str(sample_path))
    again.show()
    try:
        qtbot.waitUntil(lambda: again.resultsTabs.count() >= 3, timeout=5000)
        assert again.resultsTabs.currentIndex() == 1
        assert again.resultsTabs.tabText(1) == "Compare"
    finally:
        again.close()
        again.deleteLater()


# -- the polish a new user met -----------------------------------------------------------


def test_ctrl_y_and_ctrl_shift_z_redo_on_every_platform(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence

    keys = window.redoAction.shortcuts()
    assert QKeySequence("Ctrl+Y") in keys and QKeySequence("Ctrl+Shift+Z") in keys
    others = [
        a.objectName()
        for a in window.findChildren(QAction)
        if a is not window.redoAction
        and {QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")} & set(a.shortcuts())
    ]
    assert others == []  # no other action makes either key ambiguous
    doc = window.document
    window.activateWindow()
    table = window.partnersView.table
    table.setFocus()
    before = doc.project
    assert doc.set_field("partners[1].capacity", "150000") is None
    for key, modifiers in (
        (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
    ):
        doc.undo_stack.undo()
        assert doc.project == before
        qtbot.keyClick(table, key, modifiers)
        assert doc.project.partners[1].capacity == 150000
    # a key without modifiers last: the app's modifier state is the last event's, and
    # Ctrl+Shift left "held" would make the next test's selectRow extend a selection
    qtbot.keyClick(table, Qt.Key.Key_Escape)


def test_the_edit_menu_says_what_undo_and_redo_would_do(window):
    doc = window.document
    assert doc.set_field("partners[1].capacity", "150000") is None
    assert window.undoAction.text().replace("&", "") == "Undo Change capacity of Amani Collective"
    assert window.undoAction.toolTip() == "Undo Change capacity of Amani Collective"
    doc.undo_stack.undo()
    assert window.redoAction.text().replace("&", "") == "Redo Change capacity of Amani Collective"
    assert window.undoAction.text() == "&Undo" and not window.undoAction.isEnabled()
    assert doc.set_field("partners[1].name", "Amani & Co") is None
    assert window.undoAction.text() == "&Undo Rename Amani Collective"
    assert doc.set_field("partners[1].floor", "1000") is None
    assert window.undoAction.text() == "&Undo Change floor of Amani && Co"
    assert doc.set_field("scenarios[0].ring_fence", "0.2") is None
    assert doc.undo_stack.undoText() == (
        f"Change ring-fence of scenario '{doc.project.scenarios[0].name}'"
    )
    assert doc.set_field("budget.first_year", "1300000") is None
    assert doc.undo_stack.undoText() == "Change the grant in the first year"


def test_the_status_bar_never_says_no_problems_beside_cannot_be_met(window, wait_solved):
    doc = window.document
    wait_solved(doc)
    assert window.status_text().endswith("no problems")
    assert doc.set_field("budget.first_year", "150000") is None
    wait_solved(doc)
    assert not doc.result().ok
    text = window.status_text()
    assert "cannot be met" in text and "no problems" not in text


def test_new_partners_take_the_first_free_number(window):
    from allocator.domain import edits

    assert window.files.new_project()
    for _ in range(3):
        window.addPartnerAction.trigger()
    doc = window.document
    assert [p.name for p in doc.project.partners] == [f"New partner {n}" for n in (1, 2, 3)]
    doc.edit(edits.remove_partners(doc.project, [0]), "Remove New partner 1")
    window.partnersView.table.clearSelection()
    window.partnersView.table.setCurrentIndex(window.partnersView.model.index(-1, -1))
    window.addPartnerAction.trigger()
    assert sorted(p.name for p in doc.project.partners) == [f"New partner {n}" for n in (1, 2, 3)]
