"""Fixtures for the desktop app's tests.

Settings never touch a real person's: ``QStandardPaths`` runs in test mode and the
organisation name is a throwaway one, cleared before every test. Every fixture that
starts a worker thread stops it, and the session checks that no window and no worker
thread is left behind. A modal dialog (one that waits for a person: ``exec``, the
message box helpers, the file and input dialogs' getters) fails the test that opens it
instead of hanging the suite, unless the test stands in for it itself.
"""

from __future__ import annotations

import os
import shutil
import uuid
import weakref
from collections.abc import Callable
from functools import partial
from importlib import resources
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # a desktop-sized virtual screen (the default is 800x800, smaller than the window)
    from ui.offscreen import desktop_platform

    os.environ["QT_QPA_PLATFORM"] = desktop_platform(f"test-{os.getpid()}")

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import (
    QApplication,
    QColorDialog,
    QDialog,
    QFileDialog,
    QFontDialog,
    QInputDialog,
    QMessageBox,
)

TEST_ORGANISATION = f"FairShareTest-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session", autouse=True)
def _test_settings(qapp):
    """Test-mode standard paths and a temporary organisation, for the whole session."""
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName(TEST_ORGANISATION)
    QCoreApplication.setOrganizationDomain("test.invalid")
    QCoreApplication.setApplicationName("FairShare")
    yield
    from ui.state import settings

    settings.clear()
    data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if TEST_ORGANISATION in data:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _gui_thread_collector(qapp):
    """Cycles collected on the GUI thread while the app's tests run, as in the app;
    automatic collection back on afterwards for whatever runs next."""
    from ui.state import collector

    collector.install()
    yield
    guard = collector.installed()  # a test may have put a new one in place
    if guard is not None:
        guard.deleteLater()
        QCoreApplication.sendPostedEvents(None, 0)  # deferred delete: restores gc


@pytest.fixture(autouse=True)
def fresh_settings(_test_settings):
    """Every test starts with empty settings and no recovery files."""
    from ui.state import settings

    settings.clear()
    data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if TEST_ORGANISATION in data:
        shutil.rmtree(data, ignore_errors=True)
    yield settings
    settings.clear()


def running_workers(documents: list[weakref.ref]) -> list[tuple[str, Callable[[], None]]]:
    """What still runs in a worker thread, asked of the objects that own the workers:
    every main window (its solve, export and sweep), every sweep view on its own and
    every other document; each with how to stop it."""
    from ui.main_window import MainWindow, main_windows
    from ui.views.sweep import SweepView

    out: list[tuple[str, Callable[[], None]]] = []
    windows = main_windows()
    for w in windows:
        if w.running_workers():
            out.append((f"{w.running_workers()} of a main window", partial(_stop_window, w)))
    in_windows = {id(w.document) for w in windows}
    for ref in documents:
        doc = ref()
        if doc is not None and id(doc) not in in_windows and doc.worker_running():
            out.append(("a document's solve", doc.shutdown))
    for widget in QApplication.allWidgets():
        if (
            isinstance(widget, SweepView)
            and not isinstance(widget.window(), MainWindow)
            and widget.is_running()
        ):
            out.append(("a sweep", widget.shutdown))
    return out


def _stop_window(window) -> None:
    window.export.shutdown()
    if window.sweepView is not None:
        window.sweepView.shutdown()
    window.document.shutdown()


@pytest.fixture(autouse=True)
def no_leaks(qapp, monkeypatch):
    """No worker thread and no top-level window may outlive a test. The documents the
    test makes are noted as they are made, to ask each of them afterwards."""
    from ui.state.document import Document

    documents: list[weakref.ref] = []
    make = Document.__init__

    def noting(self, *args, **kwargs):
        make(self, *args, **kwargs)
        documents.append(weakref.ref(self))

    monkeypatch.setattr(Document, "__init__", noting)
    before = {id(w) for w in QApplication.topLevelWidgets()}
    yield
    QCoreApplication.processEvents()
    alive = running_workers(documents)
    for _what, stop in alive:  # stop them so one failure does not cascade
        stop()
    assert not alive, f"worker threads left running: {[what for what, _ in alive]}"
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if id(w) not in before and w.isVisible() and w.isWindow()
    ]
    for w in leaked:
        w.close()
    assert not leaked, f"windows left open: {[w.objectName() or type(w).__name__ for w in leaked]}"


@pytest.fixture
def sample_path(tmp_path) -> Path:
    """A writable copy of the sample project."""
    target = tmp_path / "sample.fairshare"
    target.write_bytes(resources.files("resources").joinpath("sample.fairshare").read_bytes())
    return target


@pytest.fixture
def document(sample_project, qtbot):
    """A Document on the sample project; its solve worker is stopped afterwards."""
    from ui.state.document import Document

    doc = Document(sample_project)
    yield doc
    doc.shutdown()
    doc.deleteLater()


@pytest.fixture
def wait_solved(qtbot):
    """Call with a Document: waits until the current project's results are back."""

    def wait(doc, timeout: int = 30000) -> None:
        qtbot.waitUntil(lambda: not doc.solve_pending, timeout=timeout)

    return wait


class ModalDialogOpened(AssertionError):
    """Code under test opened a dialog that waits for a person, which the test did not
    stand in for (``monkeypatch.setattr(QMessageBox, "question", ...)`` and the like)."""


# Every dialog that blocks until a person answers: ``exec`` (the dialog is the first
# argument) and the static helpers (the parent is, then the title). A popup menu's
# ``exec`` cannot be stood in for this way (PySide6 resolves a method that is both
# static and not past the class attribute): no test opens one.
MODAL_METHODS = (
    (QDialog, "exec"),
    (QDialog, "exec_"),
    (QMessageBox, "exec"),
)
MODAL_HELPERS = (
    (QMessageBox, ("question", "warning", "information", "critical", "about", "aboutQt")),
    (
        QFileDialog,
        (
            "getOpenFileName",
            "getOpenFileNames",
            "getSaveFileName",
            "getExistingDirectory",
            "getOpenFileUrl",
            "getOpenFileUrls",
            "getSaveFileUrl",
            "getExistingDirectoryUrl",
        ),
    ),
    (QInputDialog, ("getText", "getMultiLineText", "getInt", "getDouble", "getItem")),
    (QColorDialog, ("getColor",)),
    (QFontDialog, ("getFont",)),
)


def _describe(owner: type, name: str, args: tuple) -> str:
    words = [str(a) for a in args if isinstance(a, str)]
    first = args[0] if args else None
    if isinstance(first, QMessageBox):
        words = [first.windowTitle(), first.text()]
    elif isinstance(first, QDialog):
        words = [type(first).__name__, first.objectName() or first.windowTitle()]
    said = " / ".join(w for w in words if w)
    return (
        f"a modal dialog opened in a test: {owner.__name__}.{name}({said}). It would wait "
        "for a person forever; the test must monkeypatch it (or the code must not open it)."
    )


@pytest.fixture(autouse=True)
def modal_dialog_guard(monkeypatch):
    """Every modal dialog fails the test loudly instead of hanging the suite.

    A test that expects a dialog monkeypatches the same name itself, which replaces
    this guard for that test. The refusal raises where the dialog opens and, in case
    the code under test caught that, fails the test again when it ends.
    """
    opened: list[str] = []

    def refusal(owner: type, name: str):
        def refuse(*args, **kwargs):
            message = _describe(owner, name, args)
            opened.append(message)
            raise ModalDialogOpened(message)

        return refuse

    for owner, name in MODAL_METHODS:
        monkeypatch.setattr(owner, name, refusal(owner, name))
    for owner, names in MODAL_HELPERS:
        for name in names:
            monkeypatch.setattr(owner, name, staticmethod(refusal(owner, name)))
    yield opened
    if opened:
        pytest.fail("\n".join(opened), pytrace=False)


@pytest.fixture
def no_dialogs(modal_dialog_guard):
    """Says in a test's signature that it must open no modal dialog (every UI test is
    held to that already by ``modal_dialog_guard``)."""
    return modal_dialog_guard


@pytest.fixture
def window(sample_path, qtbot, monkeypatch):
    """The main window (create_main_window) on a temporary copy of the sample project."""
    from ui.app import create_main_window

    w = create_main_window(str(sample_path))
    w.show()
    qtbot.waitExposed(w)
    yield w
    # closing must not ask anything: drop unsaved changes the test left behind
    if w.document is not None:
        w.document.undo_stack.setClean()
        w.close()
        w.document.shutdown()
    w.deleteLater()
    qtbot.wait(1)
