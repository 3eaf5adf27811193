"""Files in the window: save and open, prompts, bad files, drag and drop, recent files,
autosave and recovery after a crash, and the workbook export in a worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from allocator.formats.files import load_project
from tests.ui.conftest import TEST_ORGANISATION

SB = QMessageBox.StandardButton


class Answers:
    """Stands in for QMessageBox.question: gives the queued answers, records the texts."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, parent, title, text, *args, **kwargs):
        self.asked.append(text)
        return self.answers.pop(0)


@pytest.fixture
def messages(monkeypatch):
    """Every warning/critical box is recorded instead of shown."""
    shown: list[tuple[str, str]] = []

    def record(kind):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, text))
            return SB.Ok

        return box

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(record("warning")))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(record("critical")))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(record("information")))
    return shown


def _save_dialog(monkeypatch, path):
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )


def _open_dialog(monkeypatch, path):
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )


def test_save_as_then_open_round_trip(window, tmp_path, monkeypatch, fresh_settings):
    doc = window.document
    doc.set_field("partners[1].capacity", "195000")
    doc.set_field("name", "Westgate Partnership")
    target = tmp_path / "westgate"
    _save_dialog(monkeypatch, target)
    assert window.files.save_as()
    saved = tmp_path / "westgate.fairshare"
    assert saved.exists()
    assert doc.path == str(saved)
    assert not doc.is_modified() and not window.isWindowModified()
    assert load_project(saved) == doc.project
    assert fresh_settings.recent_files()[0] == str(saved)
    # open it again over a different project
    doc.set_field("partners[2].capacity", "99000")
    doc.undo_stack.setClean()
    assert window.files.open_file(str(saved))
    assert doc.project == load_project(saved)
    assert doc.undo_stack.count() == 0


def test_save_writes_to_the_open_path_without_asking(window, monkeypatch, sample_path):
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: pytest.fail("asked"))
    )
    window.document.set_field("partners[0].notes", "Runs the helpline")
    assert window.files.save()
    assert load_project(sample_path).partners[0].notes == "Runs the helpline"


def test_a_failed_save_says_why_and_keeps_everything(window, tmp_path, monkeypatch, messages):
    doc = window.document
    doc.set_field("partners[1].capacity", "195000")
    before_path = doc.path
    blocked = tmp_path / "no-such-folder" / "x.fairshare"
    assert not window.files.write(str(blocked))
    assert messages and messages[0][0] == "critical"
    assert "nothing you entered is lost" in messages[0][1]
    assert doc.is_modified() and doc.path == before_path
    assert doc.project.partners[1].capacity == 195000


def test_close_prompt_cancel_keeps_the_window(window, monkeypatch):
    window.document.set_field("partners[1].capacity", "195000")
    ask = Answers(SB.Cancel)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(ask))
    assert not window.close()
    assert window.isVisible() and window.document.is_modified()
    assert len(ask.asked) == 1 and window.document.project.name in ask.asked[0]


def test_close_prompt_discard_closes_without_saving(window, monkeypatch, sample_path):
    window.document.set_field("partners[1].capacity", "195000")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.Discard)))
    assert window.close()
    assert load_project(sample_path).partners[1].capacity == 180000


def test_close_prompt_save_saves_then_closes(window, monkeypatch, sample_path):
    window.document.set_field("partners[1].capacity", "195000")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.Save)))
    assert window.close()
    assert load_project(sample_path).partners[1].capacity == 195000


def test_new_asks_first_and_cancel_keeps_the_project(window, monkeypatch):
    doc = window.document
    doc.set_field("partners[1].capacity", "195000")
    project = doc.project
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.Cancel)))
    assert not window.files.new_project()
    assert doc.project is project
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.Discard)))
    assert window.files.new_project()
    assert doc.project is not project and doc.path is None and not doc.is_modified()


def test_open_asks_first_and_cancel_asks_for_no_file(window, monkeypatch):
    window.document.set_field("partners[1].capacity", "195000")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.Cancel)))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: pytest.fail("asked"))
    )
    assert not window.files.open_file()


def test_a_bad_file_shows_its_problems_and_keeps_the_project(
    window, tmp_path, sample_dict, messages
):
    doc = window.document
    doc.set_field("partners[1].capacity", "195000")
    project, path = doc.project, doc.path
    broken = dict(sample_dict)
    broken["partners"] = [dict(p) for p in sample_dict["partners"]]
    broken["partners"][2]["capacity"] = -5
    bad = tmp_path / "broken.fairshare"
    bad.write_text(json.dumps(broken), "utf-8")
    assert not window.files.load(str(bad))
    assert doc.project is project and doc.path == path and doc.is_modified()
    kind, text = messages[0]
    assert kind == "warning"
    assert "broken.fairshare" in text
    assert "Sahara Sisters Project" in text  # the field in words, not only partners[2]
    assert "apacity" in text


def test_a_missing_file_is_refused_and_dropped_from_recent(
    window, tmp_path, messages, fresh_settings
):
    gone = str(tmp_path / "gone.fairshare")
    fresh_settings.add_recent_file(gone)
    assert not window.files.load(gone)
    assert messages and "gone.fairshare" in messages[0][1]
    assert gone not in fresh_settings.recent_files()


def _drop(window, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    return event


def test_dropping_a_project_file_opens_it(window, tmp_path, qtbot, sample_dict):
    other = dict(sample_dict, name="Dropped Partnership")
    target = tmp_path / "dropped.fairshare"
    target.write_text(json.dumps(other), "utf-8")
    event = _drop(window, target)
    assert event.isAccepted()
    qtbot.waitUntil(lambda: window.document.path == str(target), timeout=3000)
    assert window.windowTitle().startswith("Dropped Partnership")


def test_only_project_files_and_partner_tables_are_accepted(window, tmp_path):
    from ui.window.files import dropped_file

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    assert dropped_file(mime) is None
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "partners.xlsx"))])
    assert dropped_file(mime).endswith("partners.xlsx")
    mime.setUrls([QUrl("https://example.org/a.fairshare")])
    assert dropped_file(mime) is None


def test_recent_files_menu_lists_and_opens(window, tmp_path, sample_dict, fresh_settings):
    paths = []
    for name in ("first", "second"):
        p = tmp_path / f"{name}.fairshare"
        p.write_text(json.dumps(dict(sample_dict, name=f"{name.title()} Partnership")), "utf-8")
        assert window.files.load(str(p))
        paths.append(str(p))
    assert fresh_settings.recent_files()[:2] == [paths[1], paths[0]]
    window.recentMenu.aboutToShow.emit()
    actions = [a for a in window.recentMenu.actions() if a.data()]
    assert [a.data() for a in actions[:2]] == [paths[1], paths[0]]
    actions[1].trigger()
    assert window.document.path == paths[0]
    assert fresh_settings.recent_files()[0] == paths[0]


def test_autosave_only_when_modified_and_cleared_on_save(window):
    project_file, meta_file, _ = window.files.recovery.files()
    assert not window.files.autosave()
    assert not project_file.exists()
    window.document.set_field("partners[1].capacity", "195000")
    assert window.files.autosave()
    assert load_project(project_file) == window.document.project
    assert json.loads(meta_file.read_text("utf-8"))["path"] == window.document.path
    assert window.files.save()
    assert not project_file.exists() and not meta_file.exists()


def test_autosave_runs_on_a_timer(window):
    timer = window.findChild(QTimer, "autosaveTimer")
    assert timer.isActive() and timer.interval() == 60_000


def test_a_live_window_recovery_copy_is_not_offered(window, sample_path, qtbot, no_dialogs):
    from ui.app import create_main_window

    window.document.set_field("partners[1].capacity", "195000")
    assert window.files.autosave()
    other = create_main_window(str(sample_path))
    qtbot.addWidget(other)
    assert other.files.left_behind() == []
    assert not other.files.offer_recovery()
    other.document.shutdown()


CRASH = textwrap.dedent(
    """
    import os, sys
    from PySide6.QtCore import QCoreApplication, QStandardPaths
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName(sys.argv[1])
    QCoreApplication.setApplicationName("FairShare")
    from ui.app import create_main_window
    w = create_main_window(sys.argv[2])
    assert w.document.set_field("partners[1].capacity", "195000") is None
    assert w.document.set_field("name", "Recovered Partnership") is None
    assert w.files.autosave()
    os._exit(3)  # a crash: no close, no clean-up
    """
)


def _crash_with_unsaved_changes(sample_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-c", CRASH, TEST_ORGANISATION, str(sample_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr


def test_recovery_after_a_crash(sample_path, qtbot, monkeypatch):
    from ui.app import create_main_window

    _crash_with_unsaved_changes(sample_path)
    w = create_main_window(str(sample_path))
    qtbot.addWidget(w)
    assert len(w.files.left_behind()) == 1
    ask = Answers(SB.Yes)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(ask))
    assert w.files.offer_recovery()
    assert "Recovered Partnership" in ask.asked[0]
    doc = w.document
    assert doc.project.name == "Recovered Partnership"
    assert doc.project.partners[1].capacity == 195000
    assert doc.path == str(sample_path) and doc.is_modified() and w.isWindowModified()
    doc.undo_stack.undo()  # the recovery is one undo step over the saved file
    assert doc.project == load_project(sample_path)
    assert w.files.left_behind() == []
    doc.undo_stack.setClean()
    w.close()


def test_declined_recovery_discards_the_copy(sample_path, qtbot, monkeypatch):
    from ui.app import create_main_window

    _crash_with_unsaved_changes(sample_path)
    w = create_main_window(str(sample_path))
    qtbot.addWidget(w)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.No)))
    assert not w.files.offer_recovery()
    assert w.document.project == load_project(sample_path)
    assert w.files.left_behind() == []
    w.close()


def test_export_writes_the_workbook_in_a_worker(window, tmp_path, monkeypatch, qtbot, wait_solved):
    import openpyxl

    wait_solved(window.document)
    target = tmp_path / "budget"
    _save_dialog(monkeypatch, target)
    offered = []
    monkeypatch.setattr(
        window.export, "offer_to_open", lambda path, warnings=None: offered.append(path)
    )
    progress = window.findChild(type(window.exportProgress), "exportProgress")
    with qtbot.waitSignal(window.export.finished, timeout=60000) as blocker:
        assert window.export.export_workbook()
        assert progress.isVisible()
        assert not window.exportWorkbookAction.isEnabled()
    path = blocker.args[0]
    assert path == str(tmp_path / "budget.xlsx") and os.path.exists(path)
    assert offered == [path]
    assert not progress.isVisible() and window.exportWorkbookAction.isEnabled()
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames
    book.close()


def test_export_failure_is_shown(window, tmp_path, monkeypatch, qtbot, messages):
    with qtbot.waitSignal(window.export.failed, timeout=60000):
        assert window.export.export_workbook(str(tmp_path / "missing-folder" / "budget.xlsx"))
    assert messages and messages[0][0] == "critical"
    assert window.exportWorkbookAction.isEnabled()


def test_after_export_the_file_or_folder_can_be_opened(window, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()))
    )

    def click(label):
        def exec_(box):
            for b in box.buttons():
                if b.text() == label:
                    b.click()
            return 0

        return exec_

    path = str(tmp_path / "budget.xlsx")
    monkeypatch.setattr(QMessageBox, "exec", click("Show folder"))
    assert window.export.offer_to_open(path) == "folder"
    monkeypatch.setattr(QMessageBox, "exec", click("Open workbook"))
    assert window.export.offer_to_open(path) == "file"
    assert opened == [str(tmp_path), path]


def test_export_is_for_the_scenario_chosen_for_the_bid(window):
    assert window.export.scenario() == window.document.project.chosen_scenario.name


# -- recovery copies: written out in words, and gone once they are not needed -------------


def test_recovery_dates_are_written_out_in_words():
    from ui.state.recovery import when_words

    assert when_words("2026-12-06T14:05:33") == "6 December 2026 at 14:05"
    assert when_words("2027-01-31T09:00:00") == "31 January 2027 at 09:00"
    assert when_words("") == "" and when_words("yesterday") == ""


def test_the_recovery_prompt_says_when_in_words(sample_path, qtbot, monkeypatch):
    from ui.app import create_main_window
    from ui.state.recovery import when_words

    _crash_with_unsaved_changes(sample_path)
    w = create_main_window(str(sample_path))
    qtbot.addWidget(w)
    (copy,) = w.files.left_behind()
    ask = Answers(SB.Discard)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(ask))
    assert not w.files.offer_recovery()
    assert f"were kept on {when_words(copy.saved)}." in ask.asked[0]
    assert " at " in when_words(copy.saved)
    w.close()


def _recovery_files():
    from ui.state.recovery import recovery_dir

    d = recovery_dir()
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def test_discard_in_the_recovery_prompt_removes_the_copies(sample_path, qtbot, monkeypatch):
    from ui.app import create_main_window

    _crash_with_unsaved_changes(sample_path)
    assert _recovery_files()
    w = create_main_window(str(sample_path))
    qtbot.addWidget(w)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.Discard)))
    assert not w.files.offer_recovery()
    assert w.document.project == load_project(sample_path)
    assert _recovery_files() == []
    w.close()


def test_a_clean_quit_leaves_no_recovery_copy(window, monkeypatch):
    window.document.set_field("partners[1].capacity", "195000")
    assert window.files.autosave()
    assert _recovery_files()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(Answers(SB.Discard)))
    assert window.close()
    assert _recovery_files() == []


def test_save_leaves_no_recovery_copy(window):
    window.document.set_field("partners[1].capacity", "195000")
    assert window.files.autosave()
    assert window.files.save()
    assert _recovery_files() == []
