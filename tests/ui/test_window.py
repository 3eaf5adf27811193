"""The main window: the automation contract, title, status bar, layout memory, keyboard."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QSplitter, QTableView, QWidget

from ui.app import create_main_window
from ui.main_window import MainWindow
from ui.window.files import file_problems_in_words

CONTRACT_WIDGETS = {
    "partnersTable": QTableView,
    "scenarioList": QWidget,
    "resultsTable": QTableView,
    "explanationView": QWidget,
    "problemsView": QWidget,
    "resultsChart": QWidget,
}


def test_create_main_window_keeps_the_contract(window):
    assert isinstance(window, MainWindow)
    for name, kind in CONTRACT_WIDGETS.items():
        found = window.findChild(kind, name)
        assert found is not None, f"{name} is missing"
        assert found.isVisible(), f"{name} is not shown"
    from PySide6.QtCharts import QChartView

    assert isinstance(window.findChild(QWidget, "resultsChart"), QChartView)
    for name in ("importPartnersAction", "exportWorkbookAction"):
        assert window.findChild(QAction, name) is not None


def test_standard_shortcuts_are_on_the_file_and_edit_actions(window):
    SK = QKeySequence.StandardKey
    expected = {
        "newAction": SK.New,
        "openAction": SK.Open,
        "saveAction": SK.Save,
        "undoAction": SK.Undo,
        "redoAction": SK.Redo,
        "quitAction": SK.Quit,
    }
    for name, key in expected.items():
        action = window.findChild(QAction, name)
        assert action is not None, name
        standard = QKeySequence.keyBindings(key)
        if standard:
            assert any(s in action.shortcuts() for s in standard), name
    save_as = window.findChild(QAction, "saveAsAction")
    assert not save_as.shortcut().isEmpty()


def test_title_and_modified_mark_follow_the_undo_stack(window):
    name = window.document.project.name
    assert window.windowTitle() == f"{name}[*] - FairShare"
    assert not window.isWindowModified()
    window.document.set_field("partners[1].capacity", "190000")
    assert window.isWindowModified()
    window.document.set_field("name", "Westgate Partnership")
    assert window.windowTitle() == "Westgate Partnership[*] - FairShare"
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()
    assert window.windowTitle() == f"{name}[*] - FairShare"


def test_create_main_window_opens_no_modal_dialog(sample_path, qtbot, no_dialogs):
    w = create_main_window(str(sample_path))
    qtbot.addWidget(w)
    assert QApplication.activeModalWidget() is None
    w.document.shutdown()


def test_first_start_opens_the_sample_then_the_last_project(sample_path, qtbot, fresh_settings):
    from allocator.formats.files import load_project

    w = create_main_window()
    qtbot.addWidget(w)
    assert w.document.path is None  # the sample opens as an untitled copy
    assert w.document.project.name == load_project(sample_path).name
    w.document.shutdown()
    fresh_settings.set(fresh_settings.LAST_PROJECT, str(sample_path))
    w2 = create_main_window()
    qtbot.addWidget(w2)
    assert w2.document.path == str(sample_path)
    w2.document.shutdown()


def test_a_bad_path_at_start_opens_the_sample_and_keeps_the_reason(tmp_path, qtbot):
    bad = tmp_path / "broken.fairshare"
    bad.write_text("{ not json", "utf-8")
    w = create_main_window(str(bad))
    qtbot.addWidget(w)
    assert w.document.path is None
    assert "broken.fairshare" in w.startup_problem
    w.document.shutdown()


def test_status_bar_tells_the_solve_state(window, wait_solved):
    wait_solved(window.document)
    text = window.findChild(QWidget, "solveStatus").text()
    assert text.startswith("Solved in ")
    assert "7 partners" in text and "3 years" in text and "no problems" in text
    window.document.set_field("partners[1].floor", "999999")
    wait_solved(window.document)
    text = window.findChild(QWidget, "solveStatus").text()
    assert text.startswith("Fix 1 problem to update the split")
    assert "1 problem" in text


def test_busy_indicator_shows_while_a_slow_solve_runs(window, qtbot):
    indicator = window.findChild(QWidget, "busyIndicator")
    assert not indicator.isVisible()
    window.document.solvingChanged.emit(True)
    assert indicator.isVisible()
    window.document.solvingChanged.emit(False)
    assert not indicator.isVisible()


def test_splitter_sizes_are_remembered(sample_path, qtbot):
    w = create_main_window(str(sample_path))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    splitter = w.findChild(QSplitter, "centreSplitter")
    total = sum(splitter.sizes())
    splitter.setSizes([total // 4, total - total // 4])
    wanted = splitter.sizes()
    w.close()
    w2 = create_main_window(str(sample_path))
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitExposed(w2)
    assert w2.findChild(QSplitter, "centreSplitter").sizes() == wanted
    w2.close()


def test_geometry_is_saved_on_close(window, fresh_settings):
    window.close()
    saved = fresh_settings.get(fresh_settings.WINDOW_GEOMETRY)
    assert isinstance(saved, QByteArray) and not saved.isEmpty()


def test_ctrl_enter_adds_a_partner_from_anywhere(window, qtbot):
    before = len(window.document.project.partners)
    window.findChild(QWidget, "scenarioList").setFocus()
    qtbot.keyClick(
        window.findChild(QWidget, "scenarioList"),
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier,
    )
    assert len(window.document.project.partners) == before + 1
    window.document.undo_stack.undo()
    assert len(window.document.project.partners) == before


def test_menus_hold_the_parts_actions(window):
    menus = {m.objectName(): m for m in window.menuBar().findChildren(type(window.recentMenu))}
    names = lambda menu: {a.objectName() for a in menu.actions()}  # noqa: E731
    assert {"newAction", "openAction", "saveAction", "saveAsAction", "quitAction"} <= names(
        menus["fileMenu"]
    )
    assert {"importPartnersAction", "exportWorkbookAction", "projectSettingsAction"} <= names(
        menus["fileMenu"]
    )
    assert {"undoAction", "redoAction"} <= names(menus["editMenu"])
    assert "addPartnerAction" in names(menus["partnerMenu"])
    assert "addScenarioAction" in names(menus["scenarioMenu"])
    assert "applyAllSuggestionsAction" in names(menus["scenarioMenu"])
    assert {"methodAction", "shortcutsAction", "aboutAction"} <= names(menus["helpMenu"])


def test_go_to_shortcuts_move_the_focus(window, qtbot):
    window.activateWindow()
    window.focusResultsAction.trigger()
    assert window.findChild(QWidget, "resultsTable").hasFocus()
    window.focusPartnersAction.trigger()
    assert window.findChild(QWidget, "partnersTable").hasFocus()


def test_tab_reaches_the_main_parts(window, qtbot):
    """Tab from the scenario list eventually lands in every table (keyboard-only use)."""
    window.activateWindow()
    start = window.findChild(QWidget, "scenarioList")
    start.setFocus()
    reached = set()
    w = start
    for _ in range(5000):
        w = w.nextInFocusChain()
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            reached.add(w.objectName())
        if w is start:
            break
    assert {"partnersTable", "resultsTable", "scenarioList"} <= reached


def test_budget_line_shows_the_budget_in_the_project_currency(window):
    line = window.findChild(QWidget, "budgetLine")
    assert "2027: £1,200,000" in line.text() and "2029: £1,248,480" in line.text()
    window.document.set_field("currency", "EUR")
    assert "€1,200,000" in line.text()


def test_close_with_nothing_changed_asks_nothing(window, no_dialogs):
    assert window.close()
    assert not window.isVisible()


def test_file_problems_name_the_field_in_words(tmp_path):
    from allocator.errors import Problem

    raw = {"partners": [{"name": "Amani Collective"}, {"name": "Sahara Sisters Project"}]}
    bad = tmp_path / "bad.fairshare"
    bad.write_text(json.dumps(raw), "utf-8")
    first, second = file_problems_in_words(
        str(bad),
        [Problem("partners[1].capacity", "must be more than 0"), Problem("partners[4].floor", "x")],
    )
    assert first.startswith("Sahara Sisters Project, Capacity")
    assert first.endswith("(partners[1].capacity): must be more than 0")
    assert second.startswith("partner 5")


def _shown(window, name):
    from PySide6.QtWidgets import QDialog

    found = [d for d in window.findChildren(QDialog) if d.objectName() == name and d.isVisible()]
    return found[0] if found else None


def test_import_partners_previews_then_adds_in_one_step(window, qtbot, monkeypatch):
    from importlib import resources

    from PySide6.QtWidgets import QFileDialog

    template = str(resources.files("resources").joinpath("partners_template.csv"))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (template, ""))
    )
    before = window.document.project
    window.importPartnersAction.trigger()
    dialog = _shown(window, "importDialog")
    assert dialog is not None
    assert window.document.project is before  # a preview changes nothing
    dialog.accept()
    assert len(window.document.project.partners) == len(before.partners) + 2
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert window.document.project == before


def test_budget_line_click_opens_the_project_dialog(window, qtbot):
    window.budgetLine.click()
    dialog = _shown(window, "projectDialog")
    assert dialog is not None
    dialog.reject()


def test_assess_needs_opens_the_needs_dialog_for_that_partner(window):
    window.partnersView.assessNeedsRequested.emit(1)
    from PySide6.QtWidgets import QDialog

    dialogs = [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert len(dialogs) == 1
    assert "Amani Collective" in dialogs[0].windowTitle()
    dialogs[0].reject()


def test_help_menu_opens_method_shortcuts_and_about(window):
    from PySide6.QtWidgets import QDialog

    for action in (window.methodAction, window.shortcutsAction, window.aboutAction):
        action.trigger()
    shown = [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert len(shown) == 3
    for d in shown:
        d.close()


def test_the_shipped_sample_opens_as_an_untitled_copy(qtbot):
    from importlib import resources

    sample = str(resources.files("resources").joinpath("sample.fairshare"))
    w = create_main_window(sample)
    qtbot.addWidget(w)
    assert w.document.path is None
    w.document.shutdown()


# -- scripted use through the automation contract only ---------------------------------


def _column(model, words):
    for c in range(model.columnCount()):
        text = " ".join(str(model.headerData(c, Qt.Orientation.Horizontal)).split())
        if text == words or text.startswith(words):
            return c
    raise AssertionError(f"no column {words!r}")


def _table_figures(window):
    """Per partner, the whole-unit grant per year, read from resultsTable's UserRole."""
    doc = window.document
    model = window.findChild(QTableView, "resultsTable").model()
    years = [str(y) for y in doc.project.years]
    cols = [_column(model, y) for y in years]
    return [
        [model.index(r, c).data(Qt.ItemDataRole.UserRole) for c in cols]
        for r in range(len(doc.project.partners))
    ]


def _cli_figures(path, scenario):
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "allocator.cli",
            "solve",
            str(path),
            "--json",
            "--scenario",
            scenario,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    data = json.loads(done.stdout)
    (result,) = data["scenarios"]
    return [list(p["per_year"]) for p in result["partners"]]


def test_scripted_edit_matches_the_command_line_and_undo_restores(window, wait_solved, tmp_path):
    doc = window.document
    wait_solved(doc)
    before = _table_figures(window)
    title = window.windowTitle()
    partners = window.findChild(QTableView, "partnersTable").model()
    capacity = _column(partners, "Capacity")
    assert partners.setData(partners.index(1, capacity), "150,000", Qt.ItemDataRole.EditRole)
    assert window.isWindowModified()
    wait_solved(doc)
    after = _table_figures(window)
    assert after != before
    saved = tmp_path / "edited.fairshare"
    assert window.files.write(str(saved))
    assert after == _cli_figures(saved, doc.current_scenario)
    doc.undo_stack.undo()
    wait_solved(doc)
    assert _table_figures(window) == before
    assert window.isWindowModified()  # saved after the edit: undoing it is a change
    doc.undo_stack.redo()
    assert not window.isWindowModified()
    assert window.windowTitle() == title


def test_apply_all_suggestions_makes_an_impossible_project_solve(window, wait_solved):
    from PySide6.QtGui import QAction

    doc = window.document
    wait_solved(doc)
    assert doc.set_field("budget.first_year", "150000") is None
    wait_solved(doc)
    assert not doc.result().ok
    action = window.findChild(QAction, "applyAllSuggestionsAction")
    assert action is not None and action.isEnabled()
    action.trigger()
    wait_solved(doc)
    assert doc.result().ok
    assert doc.result_is_current()
    assert all(v is not None for row in _table_figures(window) for v in row)


def test_closing_the_window_ends_its_worker_thread(sample_path, qtbot, wait_solved):
    w = create_main_window(str(sample_path))
    w.show()
    wait_solved(w.document)
    assert w.running_workers() == ["solve"]
    assert w.close()
    assert w.running_workers() == []
    w.deleteLater()


def test_the_problems_pane_takes_the_room_while_it_has_something_to_show(window, wait_solved):
    doc = window.document
    splitter = window.findChild(QSplitter, "reasonsSplitter")
    problems = window.findChild(QWidget, "problemsView")
    wait_solved(doc)
    assert not problems.needs_room()
    explanation, below = splitter.sizes()
    assert explanation > below  # all is well: the reasons get the room

    assert doc.set_field("budget.first_year", "150000") is None  # cannot be met now
    wait_solved(doc)
    assert problems.needs_room()
    explanation, below = splitter.sizes()
    assert below > explanation  # the arithmetic and the suggested changes get it

    doc.undo_stack.undo()
    wait_solved(doc)
    assert not problems.needs_room()
    explanation, below = splitter.sizes()
    assert explanation > below

    # once the person moves the divider, their choice stays
    splitter.splitterMoved.emit(60, 1)
    splitter.setSizes([120, 120])
    chosen = splitter.sizes()
    assert doc.set_field("budget.first_year", "150000") is None
    wait_solved(doc)
    assert problems.needs_room()
    # the pane itself may grow for the suggested changes; the person's divider keeps its place
    share = splitter.sizes()[0] / sum(splitter.sizes())
    assert share == pytest.approx(chosen[0] / sum(chosen), abs=0.02)
    window.reset_layout()  # and Reset layout hands it back
    explanation, below = splitter.sizes()
    assert below > explanation


def test_an_empty_project_shows_what_to_do_next(window, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

    assert window.files.new_project()
    panel = window.findChild(QWidget, "partnersEmptyState")
    assert panel.isVisible()
    buttons = {b.objectName(): b.text() for b in panel.findChildren(QPushButton)}
    assert buttons == {
        "emptyAddPartner": "Add partner",
        "emptyPastePartners": "Paste from a spreadsheet",
        "emptyImportPartners": "Import partners…",
    }
    how = panel.findChild(QLabel, "partnersEmptyPasteHow").text()
    assert "Copy the rows in Excel" in how and "Ctrl+V" in how
    asked = []
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        staticmethod(lambda *a, **k: asked.append(a[1]) or ("", "")),
    )
    panel.findChild(QPushButton, "emptyImportPartners").click()
    assert asked == ["Import partners"]
    QApplication.clipboard().setText(
        "Name\tCapacity (per year)\tMultiple disadvantage (0-1)\tBack-office capacity (0-1)\n"
        "Amani Collective\t180,000\t0.85\t0.3\n"
    )
    panel.findChild(QPushButton, "emptyPastePartners").click()
    (amani,) = window.document.project.partners
    assert (amani.name, amani.capacity, amani.back_office_capacity) == (
        "Amani Collective",
        180_000,
        0.3,
    )
    assert not panel.isVisible()
    window.document.undo_stack.undo()
    assert panel.isVisible()
