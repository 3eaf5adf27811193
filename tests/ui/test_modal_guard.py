"""A modal dialog opened by mistake fails its test at once, and never hangs the suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from tests.ui.conftest import ModalDialogOpened

ROOT = Path(__file__).resolve().parents[2]

OPENERS = {
    "QDialog.exec": lambda: QDialog().exec(),
    "QDialog.exec_": lambda: QDialog().exec_(),
    "QMessageBox.exec": lambda: QMessageBox(QMessageBox.Icon.Warning, "Title", "Text").exec(),
    "QMessageBox.question": lambda: QMessageBox.question(None, "Title", "Sure?"),
    "QMessageBox.warning": lambda: QMessageBox.warning(None, "Title", "Careful"),
    "QMessageBox.information": lambda: QMessageBox.information(None, "Title", "Done"),
    "QMessageBox.critical": lambda: QMessageBox.critical(None, "Title", "Broken"),
    "QFileDialog.getOpenFileName": lambda: QFileDialog.getOpenFileName(None, "Open"),
    "QFileDialog.getSaveFileName": lambda: QFileDialog.getSaveFileName(None, "Save"),
    "QFileDialog.getExistingDirectory": lambda: QFileDialog.getExistingDirectory(None, "Dir"),
    "QInputDialog.getText": lambda: QInputDialog.getText(None, "Title", "Name"),
    "QInputDialog.getInt": lambda: QInputDialog.getInt(None, "Title", "Count"),
    "QInputDialog.getItem": lambda: QInputDialog.getItem(None, "Title", "Pick", ["a"]),
}


@pytest.mark.parametrize("name", sorted(OPENERS))
def test_a_modal_dialog_fails_the_test_naming_itself(name, modal_dialog_guard):
    with pytest.raises(ModalDialogOpened, match=name.replace(".", r"\.")) as raised:
        OPENERS[name]()
    assert "monkeypatch" in str(raised.value)
    assert modal_dialog_guard == [str(raised.value)]
    modal_dialog_guard.clear()  # expected here: the guard's own end-of-test check passes


def test_the_message_says_what_the_dialog_asked(modal_dialog_guard):
    with pytest.raises(ModalDialogOpened, match="Save changes / Unsaved work"):
        QMessageBox.question(None, "Save changes", "Unsaved work")
    modal_dialog_guard.clear()


def test_a_test_that_stands_in_for_a_dialog_gets_its_answer(monkeypatch, modal_dialog_guard):
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("x", "")))
    assert QMessageBox.question(None, "Title", "Sure?") == QMessageBox.StandardButton.Yes
    assert QFileDialog.getOpenFileName(None, "Open") == ("x", "")
    assert modal_dialog_guard == []


def test_a_caught_refusal_still_fails_the_test(pytester, monkeypatch):
    """Code that swallows the refusal does not hide the dialog: the test fails at its end."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("from tests.ui.conftest import modal_dialog_guard  # noqa: F401\n")
    pytester.makepyfile(
        """
        from PySide6.QtWidgets import QMessageBox

        def test_swallows():
            try:
                QMessageBox.warning(None, "Hidden", "Swallowed")
            except Exception:
                pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:warnings")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*QMessageBox.warning(*Hidden / Swallowed)*"])
