"""Help: how FairShare decides, the keyboard shortcuts, and About."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QKeySequence

import allocator
from allocator.report.method import method_text
from ui.dialogs.help import MethodDialog, ShortcutsDialog, about_text, versions


def test_method_dialog_shows_the_method_text_for_the_scenario_shown(document, qtbot):
    name = document.project.scenarios[2].name
    document.set_current_scenario(name)
    dialog = MethodDialog(document)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "How FairShare decides"
    shown = dialog.text()
    parts = method_text(document.project, document.project.scenarios[2])
    for heading, paragraph in parts:
        if heading:
            assert heading in shown
        first_sentence = paragraph.split(". ")[0].strip()
        assert first_sentence.split("\n")[0] in shown
    html = dialog.browser.toHtml()
    assert "<h2" in html or "font-size:x-large" in html or "font-size:xx-large" in html


def test_about_names_every_version():
    text = about_text()
    v = versions()
    assert v["FairShare"] == allocator.__version__
    assert v["Qt"] == qVersion()
    assert v["PySide6"] == PySide6.__version__
    from importlib.metadata import version

    assert v["HiGHS (highspy)"] == version("highspy")
    assert v["PuLP"] == version("PuLP")
    for value in v.values():
        assert value in text
    assert "HiGHS" in text and "PuLP" in text and "Qt" in text


def test_shortcuts_dialog_lists_every_action_with_a_shortcut(qtbot):
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    qtbot.addWidget(owner)
    save = QAction("&Save", owner)
    save.setShortcut(QKeySequence.StandardKey.Save)
    add = QAction("Add &partner", owner)
    add.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    plain = QAction("Export workbook...", owner)  # no shortcut: not listed
    dialog = ShortcutsDialog([save, add, plain])
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert rows[0] == (
        "Save",
        QKeySequence(QKeySequence.StandardKey.Save).toString(
            QKeySequence.SequenceFormat.NativeText
        ),
    )
    assert rows[1][0] == "Add partner"
    native = QKeySequence.SequenceFormat.NativeText
    assert rows[1][1] == ", ".join(k.toString(native) for k in add.shortcuts())
    assert len(rows) == 2


def test_help_opens_beside_a_window_without_blocking(document, qtbot):
    from PySide6.QtWidgets import QMainWindow

    from ui.dialogs.help import show_about, show_method, show_shortcuts, window_actions

    window = QMainWindow()
    qtbot.addWidget(window)
    window.document = document
    file_menu = window.menuBar().addMenu("&File")
    new = file_menu.addAction("&New")
    new.setShortcut(QKeySequence.StandardKey.New)
    file_menu.addSeparator()
    quit_ = file_menu.addAction("&Quit")
    quit_.setShortcut(QKeySequence("Ctrl+Q"))
    edit_menu = window.menuBar().addMenu("&Edit")
    undo = edit_menu.addAction("&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    assert window_actions(window)[:3] == [new, quit_, undo]

    shortcuts = show_shortcuts(window)
    assert [name for name, _keys in shortcuts.rows()] == ["New", "Quit", "Undo"]
    method = show_method(window)
    assert method.isVisible() and "How FairShare decides" in method.text()
    about = show_about(window)
    assert about.isVisible() and allocator.__version__ in about.text()
    for dialog in (shortcuts, method, about):
        dialog.close()


def test_an_open_method_dialog_follows_new_to_the_current_project(window, qtbot, monkeypatch):
    """After New the method text names no figure of the sample's any more."""
    window.methodAction.trigger()
    (dialog,) = [d for d in window.findChildren(MethodDialog) if d.isVisible()]
    assert "1,200,000" in dialog.text()
    assert window.files.new_project()
    text = dialog.text()
    assert "1,200,000" not in text and "1,224,000" not in text and "£" not in text
    assert "not entered yet" in text
    assert window.document.set_field("budget.first_year", "500000") is None
    assert "500,000" in dialog.text()
    dialog.close()


def test_the_shortcuts_list_names_only_keys_a_pc_keyboard_has():
    from PySide6.QtCore import Qt

    from ui.dialogs.help import on_a_pc_keyboard, shortcut_rows

    assert on_a_pc_keyboard(QKeySequence("Ctrl+Z"))
    assert on_a_pc_keyboard(QKeySequence("Alt+Backspace"))
    assert on_a_pc_keyboard(QKeySequence("F12"))
    assert not on_a_pc_keyboard(QKeySequence("F14"))
    assert not on_a_pc_keyboard(QKeySequence(Qt.Key.Key_Undo))
    assert not on_a_pc_keyboard(QKeySequence(Qt.Key.Key_Copy))
    undo = QAction("&Undo Change capacity of Amani Collective")
    undo.setProperty("steadyName", "Undo")
    undo.setShortcuts([QKeySequence("Ctrl+Z"), QKeySequence(Qt.Key.Key_Undo), QKeySequence("F14")])
    assert shortcut_rows([undo]) == [("Undo", "Ctrl+Z")]


def test_the_windows_shortcuts_list_has_no_key_a_person_cannot_press(window):
    from ui.dialogs.help import shortcut_rows, window_actions

    rows = dict(shortcut_rows(window_actions(window)))
    keys = ", ".join(rows.values())
    assert "F14" not in keys and "Undo" not in keys.split(", ")
    assert "Ctrl+Z" in rows["Undo"]
    assert "Ctrl+Y" in rows["Redo"] and "Ctrl+Shift+Z" in rows["Redo"]
