"""A partnership of one's own, from File > New, as a new user goes: the short start,
five partners typed in, the project settings changed, saved, opened again, and the
split the window shows is the command line's for the same file."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from allocator import cli
from ui.app import create_main_window

PARTNERS = [
    # name, capacity, multiple disadvantage, back-office capacity
    ("Hollybank Women's Aid", "420,000", "0.40", "0.85"),
    ("Imani Sisters", "150000", "0.85", "0.30"),
    ("Signing Voices", "£90k", "0.90", "0.25"),
    ("Pride Helpline North", "120,000", "0.70", "0.40"),
    ("Kanlungan Migrant Support", "80,000", "0.95", "0.20"),
]


def _shown(window: QWidget, name: str) -> QDialog:
    found = [d for d in window.findChildren(QDialog, name) if d.isVisible()]
    assert len(found) == 1, f"{name}: {len(found)} shown"
    return found[0]


def _column(model, words: str) -> int:
    for c in range(model.columnCount()):
        text = " ".join(str(model.headerData(c, Qt.Orientation.Horizontal)).split())
        if text.startswith(words):
            return c
    raise AssertionError(f"no column {words!r}")


def _table_figures(window) -> list[list[int]]:
    doc = window.document
    model = window.findChild(QTableView, "resultsTable").model()
    cols = [_column(model, str(y)) for y in doc.project.years]
    return [
        [model.index(r, c).data(Qt.ItemDataRole.UserRole) for c in cols]
        for r in range(len(doc.project.partners))
    ]


@pytest.fixture
def fresh_window(qtbot, fresh_settings):
    """The window as at first start (the sample), closed without questions afterwards."""
    w = create_main_window()
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.document.undo_stack.setClean()
    w.close()
    w.document.shutdown()
    w.deleteLater()
    qtbot.wait(1)


def test_a_partnership_of_ones_own_from_new(
    fresh_window, qtbot, wait_solved, monkeypatch, tmp_path, capsys
):
    window = fresh_window
    doc = window.document
    assert window.start.is_sample()

    # File > New: a blank project is open at once, and the short start shows over it
    window.newAction.trigger()
    assert doc.project.partners == () and doc.project.budget.first_year is None
    start = _shown(window, "startDialog")
    assert start.windowModality() == Qt.WindowModality.WindowModal
    assert not window.start.is_sample()
    start.findChild(QLineEdit, "startProjectName").setText("Northside Survivors Partnership")
    start.findChild(QSpinBox, "startProjectStartYear").setValue(2027)
    start.findChild(QSpinBox, "startProjectYearCount").setValue(3)
    start.findChild(QDoubleSpinBox, "startBudgetFirstYear").setValue(600_000)
    start.findChild(QDoubleSpinBox, "startBudgetUplift").setValue(2.0)
    start.accept()
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Start the partnership"
    assert window.windowTitle() == "Northside Survivors Partnership[*] - FairShare"
    assert doc.project.budgets() == [600_000, 612_000, 624_240]

    # no partners yet: the next steps show, until the first partner exists
    empty = window.partnersView.emptyState
    assert empty.isVisible()
    table = window.findChild(QTableView, "partnersTable")
    model = table.model()
    add = window.findChild(QPushButton, "emptyAddPartner")
    add.click()
    assert not empty.isVisible()
    for _ in PARTNERS[1:]:
        window.addPartnerAction.trigger()
    assert [p.name for p in doc.project.partners] == [f"New partner {n}" for n in range(1, 6)]
    columns = [
        _column(model, w)
        for w in ("Name", "Capacity", "Multiple disadvantage", "Back-office capacity")
    ]
    for row, values in enumerate(PARTNERS):
        for column, value in zip(columns, values, strict=True):
            assert model.setData(model.index(row, column), value, Qt.ItemDataRole.EditRole)
    assert [p.name for p in doc.project.partners] == [p[0] for p in PARTNERS]
    assert doc.project.partners[2].capacity == 90_000
    wait_solved(doc)
    assert doc.problems == []
    assert doc.result_is_current() and doc.result().ok

    # project settings through projectDialog: one undo step
    steps = doc.undo_stack.count()
    window.projectSettingsAction.trigger()
    dialog = _shown(window, "projectDialog")
    dialog.findChild(QLineEdit, "projectName").setText("Northside Partnership 2027-30")
    dialog.findChild(QDoubleSpinBox, "budgetFirstYear").setValue(650_000)
    dialog.accept()
    assert doc.undo_stack.count() == steps + 1
    assert doc.project.name == "Northside Partnership 2027-30"
    assert doc.project.budgets()[0] == 650_000
    wait_solved(doc)
    shown = _table_figures(window)
    assert [sum(year) for year in zip(*shown, strict=True)] == doc.project.budgets()

    # save, open again, and the split is the command line's for the saved file
    saved = tmp_path / "northside.fairshare"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved), ""))
    )
    window.saveAction.trigger()
    assert saved.exists() and not window.isWindowModified()
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(saved), ""))
    )
    window.openAction.trigger()
    assert doc.path == str(saved) and doc.undo_stack.count() == 0
    wait_solved(doc)
    reopened = _table_figures(window)
    assert reopened == shown

    capsys.readouterr()
    assert cli.main(["solve", str(saved), "--json", "--scenario", doc.current_scenario]) == 0
    (result,) = json.loads(capsys.readouterr().out)["scenarios"]
    assert [list(p["per_year"]) for p in result["partners"]] == reopened


def test_skipping_the_start_leaves_a_blank_project(fresh_window):
    window = fresh_window
    window.newAction.trigger()
    start = _shown(window, "startDialog")
    start.reject()
    doc = window.document
    assert doc.project.partners == () and doc.undo_stack.count() == 0
    assert not window.isWindowModified()


def test_project_settings_open_on_a_blank_grant_from_every_place(fresh_window, qtbot):
    """The menu action (and Ctrl+,), the budget line's Change..., a problem's Show."""
    window = fresh_window
    window.newAction.trigger()
    _shown(window, "startDialog").reject()
    assert window.projectSettingsAction.shortcut().toString() == "Ctrl+,"
    opens = (
        window.projectSettingsAction.trigger,
        window.budgetLine.click,
        lambda: window.problemsView.showProblem.emit("budget.first_year"),
        lambda: window.resultsView.showProblem.emit("budget.first_year"),
    )
    for n, open_it in enumerate(opens):
        open_it()
        dialog = _shown(window, "projectDialog")
        grant = dialog.findChild(QDoubleSpinBox, "budgetFirstYear")
        assert grant.value() == 0
        if n >= 2:  # a problem's Show goes to the field it names
            assert dialog.focusWidget() is grant
        dialog.reject()


def test_the_sample_says_it_is_a_sample_and_its_button_starts_anew(fresh_window):
    window = fresh_window
    banner = window.findChild(QWidget, "sampleBanner")
    assert banner.isVisible()
    assert "This is a sample partnership" in banner.text()
    window.findChild(QPushButton, "startOwnButton").click()
    _shown(window, "startDialog").reject()
    assert not banner.isVisible()
    assert window.document.project.partners == ()


def test_the_sample_saved_under_a_name_is_no_longer_called_one(fresh_window, tmp_path):
    window = fresh_window
    assert window.files.write(str(tmp_path / "mine.fairshare"))
    assert not window.findChild(QWidget, "sampleBanner").isVisible()


def test_scripted_new_leaves_a_blank_project_open(window):
    """A project of one's own opened from a file is no sample; newAction in scripts."""
    assert not window.findChild(QWidget, "sampleBanner").isVisible()
    window.newAction.trigger()
    assert window.document.project.partners == ()
    assert window.document.path is None
    _shown(window, "startDialog").reject()
    assert window.document.project.partners == ()


def test_scripted_use_through_the_contract_from_new(fresh_window, qtbot, wait_solved, tmp_path):
    """As a script drives the window by the contract's names alone, looking every part up
    from the window: New, then Project settings gives the blank project its grant,
    partners go in through the partners table, and the split is fairshare solve's."""
    window = fresh_window
    doc = window.document
    window.findChild(QAction, "newAction").trigger()
    window.findChild(QAction, "projectSettingsAction").trigger()
    dialog = window.findChild(QDialog, "projectDialog")
    assert dialog is not None and dialog.isVisible()
    assert not [d for d in window.findChildren(QDialog, "startDialog") if d.isVisible()]
    window.findChild(QLineEdit, "projectName").setText("Scripted partnership")
    window.findChild(QSpinBox, "projectYearCount").setValue(2)
    window.findChild(QDoubleSpinBox, "budgetFirstYear").setValue(400_000)
    buttons = dialog.findChild(QDialogButtonBox)
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert doc.project.name == "Scripted partnership"
    assert doc.project.budgets()[0] == 400_000 and doc.project.year_count == 2
    model = window.findChild(QTableView, "partnersTable").model()
    for row, values in enumerate(PARTNERS[:3]):
        window.findChild(QAction, "addPartnerAction").trigger()
        columns = [
            _column(model, w)
            for w in ("Name", "Capacity", "Multiple disadvantage", "Back-office capacity")
        ]
        for column, value in zip(columns, values, strict=True):
            assert model.setData(model.index(row, column), value, Qt.ItemDataRole.EditRole)
    wait_solved(doc)
    assert doc.result_is_current() and doc.result().ok
    shown = _table_figures(window)
    saved = tmp_path / "scripted.fairshare"
    assert window.files.write(str(saved))
    from allocator.engine.solve import solve
    from allocator.formats.files import load_project

    again = {r.name: r for r in solve(load_project(str(saved)))}[doc.current_scenario]
    assert [list(p.per_year) for p in again.partners] == shown
