"""Writing the budget workbook from the main window, in a worker thread.

The controller asks where, writes the workbook for the chosen scenario (solving first
when the explained results are not all in), shows its progress in the status bar and
offers to open what it wrote. It owns its one worker: :meth:`ExportController.wait`
joins it, and the window calls :meth:`ExportController.shutdown` when it closes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QProgressBar

from ui.state.document import Document
from ui.state.workers import TaskWorker
from ui.window.files import FileHandler, safe_file_name

if TYPE_CHECKING:
    from allocator.engine.result import ScenarioResult


def _tr(text: str) -> str:
    return QCoreApplication.translate("Export", text)


class ExportController(QObject):
    """The window's workbook export: one at a time, off the GUI thread."""

    finished = Signal(str)  # the workbook's path, once written
    failed = Signal(str)  # why it could not be written
    runningChanged = Signal(bool)

    def __init__(self, window: QMainWindow, document: Document, files: FileHandler) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.files = files
        self._worker: TaskWorker | None = None
        self._closing = False
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("exportProgress")
        self.progress_bar.setAccessibleName(_tr("Writing the workbook"))
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setMaximumHeight(16)
        self.progress_bar.setFormat(_tr("Workbook %p%"))
        self.progress_bar.hide()

    def scenario(self) -> str:
        """The scenario the workbook is for: the one chosen for the bid, else the one shown."""
        p = self.document.project
        if p.chosen in [s.name for s in p.scenarios]:
            return p.chosen
        return self.document.current_scenario

    def is_running(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def export_workbook(self, path: str | None = None) -> bool:
        """Ask where, then write the workbook in a worker thread; False if not started."""
        if self.is_running():
            self.window.statusBar().showMessage(_tr("A workbook is already being written"), 5000)
            return False
        scenario = self.scenario()
        path = path or self._ask_where(scenario)
        if not path:
            return False
        self.files.remember_folder(path)
        worker = TaskWorker(self._job(path, scenario))
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.runningChanged.emit(True)
        self.window.statusBar().showMessage(_tr("Writing the workbook…"))
        worker.start()
        return True

    def _ask_where(self, scenario: str) -> str:
        name = safe_file_name(f"{self.document.project.name} - {scenario}") + ".xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            _tr("Export budget workbook"),
            os.path.join(self.files.folder(), name),
            _tr("Excel workbooks (*.xlsx)"),
        )
        if path and not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return path

    def _job(
        self, path: str, scenario: str
    ) -> Callable[[Callable[[int, int], None]], tuple[str, list[str]]]:
        """The work for the worker thread, on the project as it is now."""
        project = self.document.project
        # the workbook needs the reasons too: results whose figures alone are in do not do
        explained = [
            r for r in self.document.results() if self.document.result_is_explained(r.name)
        ]
        ready: list[ScenarioResult] | None = (
            explained if len(explained) == len(project.scenarios) else None
        )

        def job(progress: Callable[[int, int], None]) -> tuple[str, list[str]]:
            from allocator.engine.solve import Engine
            from allocator.formats.workbook import write_workbook

            results = ready
            if results is None:
                progress(0, 2)
                results = Engine().solve(project)  # this thread's own engine
            progress(1, 2)
            warnings = write_workbook(project, results, path, scenario=scenario)
            progress(2, 2)
            return path, list(warnings or [])

        return job

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _ended(self) -> None:
        self.progress_bar.hide()
        if self._worker is not None:
            self._worker.wait()
            self._worker = None
        self.runningChanged.emit(False)

    def _on_done(self, value: tuple[str, list[str]]) -> None:
        path, warnings = value
        self._ended()
        self.window.statusBar().showMessage(
            _tr("Workbook written: {file}").format(file=path), 10000
        )
        self.finished.emit(path)
        if not self._closing:
            self.offer_to_open(path, warnings)

    def _on_failed(self, message: str, _exc: object) -> None:
        self._ended()
        self.window.statusBar().clearMessage()
        self.failed.emit(message)
        if not self._closing:
            QMessageBox.critical(
                self.window,
                _tr("Cannot write the workbook"),
                _tr("The workbook was not written.\n\n{reason}").format(reason=message),
            )

    def offer_to_open(self, path: str, warnings: list[str] | None = None) -> str:
        """Offer to open the new workbook or its folder; returns "file", "folder" or ""."""
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(_tr("Workbook written"))
        box.setText(_tr("The budget workbook is ready:\n{file}").format(file=path))
        if warnings:
            box.setInformativeText("\n".join(warnings))
        open_file = box.addButton(_tr("Open workbook"), QMessageBox.ButtonRole.AcceptRole)
        open_folder = box.addButton(_tr("Show folder"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(open_file)
        box.exec()
        clicked = box.clickedButton()
        if clicked is open_file:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))
            return "file"
        if clicked is open_folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))
            return "folder"
        return ""

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Join a running export's thread; True when none runs any more."""
        return self._worker is None or self._worker.wait(timeout_ms)

    def shutdown(self) -> None:
        """The window is closing: no more questions; let a running export finish."""
        self._closing = True
        self.wait()
