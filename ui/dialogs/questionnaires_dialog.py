"""Send the needs questionnaires: pick the partners and a folder, write one workbook each.

Partners answer the needs questions themselves in a workbook of their own
(:func:`allocator.formats.questionnaire.write_questionnaires`). Writing takes some 60 ms
a partner (half a second for the sample, about two for thirty partners), so it runs in
a worker thread while the dialog stays open; the dialog then says where the files are,
with a button that opens the folder. Nothing in the project changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from allocator.formats.questionnaire import QuestionnaireFile, write_questionnaires
from ui.dialogs import error_label, show_problems
from ui.state.document import Document
from ui.state.workers import TaskWorker


def _tr(text: str) -> str:
    return QCoreApplication.translate("QuestionnairesDialog", text)


def choose_folder(parent: QWidget, start: str) -> str:
    """Ask for the folder to write into ("" when the person cancels); tests stand in."""
    return QFileDialog.getExistingDirectory(parent, _tr("Write the questionnaires into"), start)


def open_folder(folder: str) -> bool:
    """Show the folder in the desktop's file manager; tests stand in."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


class QuestionnairesDialog(QDialog):
    """Pick partners (all ticked) and a folder; write a questionnaire for each."""

    def __init__(
        self,
        document: Document,
        folder: str,
        parent: QWidget | None = None,
        ask_folder: Callable[[QWidget, str], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("questionnairesDialog")
        self.setWindowTitle(self.tr("Send needs questionnaires"))
        self.document = document
        self.written: list[QuestionnaireFile] = []
        self._ask_folder = ask_folder or choose_folder
        self._worker: TaskWorker | None = None
        self.resize(640, 520)

        intro = QLabel(
            self.tr(
                "Each partner gets a workbook of its own to fill in: the facts the "
                "partnership holds about it, to confirm or correct, and the needs "
                "questions with the score of each answer. Send each partner its file; "
                "read the returned files with File > Read returned questionnaires."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.partnerList = QListWidget(self)
        self.partnerList.setObjectName("questionnairePartners")
        self.partnerList.setAccessibleName(self.tr("Partners to send a questionnaire to"))
        for p in document.project.partners:
            item = QListWidgetItem(p.name, self.partnerList)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.partnerList.itemChanged.connect(self._update_buttons)

        self.folderEdit = QLineEdit(folder, self)
        self.folderEdit.setObjectName("questionnaireFolder")
        self.folderEdit.setAccessibleName(self.tr("Folder"))
        self.folderEdit.textChanged.connect(self._update_buttons)
        browse = QPushButton(self.tr("&Choose…"), self)
        browse.setObjectName("chooseQuestionnaireFolder")
        browse.clicked.connect(self.choose)
        folder_row = QHBoxLayout()
        folder_label = QLabel(self.tr("&Folder:"), self)
        folder_label.setBuddy(self.folderEdit)
        folder_row.addWidget(folder_label)
        folder_row.addWidget(self.folderEdit, 1)
        folder_row.addWidget(browse)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.doneLabel = QLabel(self)
        self.doneLabel.setObjectName("questionnairesWritten")
        self.doneLabel.setWordWrap(True)
        self.doneLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.doneLabel.hide()
        self.errors = error_label(self)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.writeButton = self.buttons.addButton(
            self.tr("&Write questionnaires"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.writeButton.setObjectName("writeQuestionnairesButton")
        self.writeButton.setDefault(True)
        self.writeButton.clicked.connect(self.write)
        self.openFolderButton = self.buttons.addButton(
            self.tr("&Open the folder"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.openFolderButton.setObjectName("openQuestionnaireFolder")
        self.openFolderButton.clicked.connect(self.open_folder)
        self.openFolderButton.hide()
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(self.tr("Partners:"), self))
        layout.addWidget(self.partnerList, 1)
        layout.addLayout(folder_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.doneLabel)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------
    def ticked(self) -> list[str]:
        """The ids of the partners ticked, in project order."""
        items = [self.partnerList.item(k) for k in range(self.partnerList.count())]
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_ticked(self, partner_id: str, ticked: bool) -> None:
        for k in range(self.partnerList.count()):
            item = self.partnerList.item(k)
            if item.data(Qt.ItemDataRole.UserRole) == partner_id:
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def folder(self) -> str:
        return self.folderEdit.text().strip()

    def is_running(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def _update_buttons(self, *_args: object) -> None:
        self.writeButton.setEnabled(bool(self.ticked() and self.folder()) and not self.is_running())

    # -- acting ----------------------------------------------------------------------
    def choose(self) -> None:
        chosen = self._ask_folder(self, self.folder())
        if chosen:
            self.folderEdit.setText(chosen)

    def write(self) -> bool:
        """Write the ticked partners' questionnaires in a worker; False if not started."""
        folder, ids = self.folder(), self.ticked()
        if not folder or not ids or self.is_running():
            return False
        if os.path.exists(folder) and not os.path.isdir(folder):
            refusal = self.tr("{folder} is a file, not a folder").format(folder=folder)
            show_problems(self.errors, [refusal])
            return False
        show_problems(self.errors, [])
        project = self.document.project
        worker = TaskWorker(lambda _progress: write_questionnaires(project, folder, ids))
        worker.finished.connect(self._on_written)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        self.progress.show()
        self.doneLabel.hide()
        self._update_buttons()
        worker.start()
        return True

    def _ended(self) -> None:
        if self._worker is not None:
            self._worker.wait()
            self._worker = None
        self.progress.hide()
        self._update_buttons()

    def _on_written(self, written: list[QuestionnaireFile]) -> None:
        self._ended()
        self.written = list(written)
        folder = str(Path(self.folder()).resolve())
        names = ", ".join(f.partner_name for f in written)
        self.doneLabel.setText(
            self.tr("Wrote {n} questionnaire(s) into {folder}: {names}.").format(
                n=len(written), folder=folder, names=names
            )
        )
        self.doneLabel.show()
        self.openFolderButton.show()

    def _on_failed(self, message: str, _exc: object) -> None:
        self._ended()
        show_problems(
            self.errors, [self.tr("The questionnaires were not written: {why}").format(why=message)]
        )

    def open_folder(self) -> None:
        open_folder(str(Path(self.folder()).resolve()))

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Join the writing thread (for closing, and for scripts)."""
        return self._worker is None or self._worker.wait(timeout_ms)

    def done(self, result: int) -> None:
        self.wait()  # never leave the thread behind the dialog
        self._ended()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.wait()
        super().closeEvent(event)
