"""Partners answer for themselves: the window's actions to send the needs questionnaires
and to read the returned ones (also what a dropped questionnaire opens).

The dialogs load when first opened (they bring openpyxl and the hashing the
questionnaires use, which the first frame must not wait for).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow

from ui.state.document import Document
from ui.widgets.actions import make_action
from ui.window.files import FileHandler

if TYPE_CHECKING:
    from ui.dialogs.answers_dialog import AnswersDialog
    from ui.dialogs.questionnaires_dialog import QuestionnairesDialog


def _tr(text: str) -> str:
    return QCoreApplication.translate("Answers", text)


class AnswersController(QObject):
    """Owns ``sendQuestionnairesAction`` and ``readAnswersAction`` and their dialogs."""

    def __init__(self, window: QMainWindow, document: Document, files: FileHandler) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.files = files
        self.dialogs: list[QDialog] = []
        self.sendQuestionnairesAction = make_action(
            window, "sendQuestionnairesAction", _tr("Send needs &questionnaires…"),
            self.send_questionnaires, None, "",
            _tr("Write each partner a workbook of the needs questions to fill in"),
        )  # fmt: skip
        self.readAnswersAction = make_action(
            window, "readAnswersAction", _tr("&Read returned questionnaires…"),
            self.read_answers, None, "",
            _tr("Preview the answers partners sent back, then apply them"),
        )  # fmt: skip

    def _open(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_a, d=dialog: self._forget(d))
        dialog.open()

    def _forget(self, dialog: QDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)

    def send_questionnaires(self) -> QuestionnairesDialog:
        """Open the dialog to pick partners and a folder (never blocks)."""
        from ui.dialogs.questionnaires_dialog import QuestionnairesDialog

        folder = os.path.join(self.files.folder(), _tr("Needs questionnaires"))
        dialog = QuestionnairesDialog(self.document, folder, parent=self.window)
        self._open(dialog)
        return dialog

    def read_answers(self, paths: Sequence[str] | None = None) -> AnswersDialog | None:
        """Preview returned questionnaires (asked for when not given); None if none."""
        if not paths:
            paths, _ = QFileDialog.getOpenFileNames(
                self.window,
                _tr("Read returned questionnaires"),
                self.files.folder(),
                _tr("Questionnaires (*.xlsx);;All files (*)"),
            )
            if not paths:
                return None
        self.files.remember_folder(paths[0])
        from ui.dialogs.answers_dialog import AnswersDialog

        dialog = AnswersDialog(self.document, list(paths), parent=self.window)
        self._open(dialog)
        return dialog

    def shutdown(self) -> None:
        """Join a questionnaire writing thread before the window goes."""
        from ui.dialogs.questionnaires_dialog import QuestionnairesDialog

        for dialog in list(self.dialogs):
            if isinstance(dialog, QuestionnairesDialog):
                dialog.wait()
