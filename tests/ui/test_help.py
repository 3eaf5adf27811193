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
