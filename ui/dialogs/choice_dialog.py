"""Choose a scenario for the bid, on record: the reason, and who agreed it.

A funder asks which split the partnership chose, when and why. OK records the choice
with :func:`allocator.report.choice.record_choice` (it solves the scenario to keep each
partner's total, a few milliseconds) as one undoable step: the scenario becomes the one
chosen for the bid and a dated entry joins the project's decisions.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from allocator.domain.decisions import MAX_REASON
from allocator.report.choice import date_words, record_choice
from ui.dialogs import error_label, show_problems
from ui.state.document import Document


def _tr(text: str) -> str:
    return QCoreApplication.translate("ChoiceDialog", text)


def today() -> _dt.date:
    """The date a choice is recorded on (a function, so that tests may stand in)."""
    return _dt.date.today()


class ChoiceDialog(QDialog):
    """Record ``scenario`` as chosen for the bid, with a reason (required) and who agreed."""

    def __init__(self, document: Document, scenario: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("choiceDialog")
        self.setWindowTitle(self.tr("Use '{name}' for the bid").format(name=scenario))
        self.document = document
        self.scenario = scenario
        self.setMinimumWidth(520)

        intro = QLabel(
            self.tr(
                "Record '{name}' as the scenario the partnership chose for the bid, dated "
                "{date}. The record keeps each partner's total as it is now, so the "
                "history can show later whether the settings changed after this choice."
            ).format(name=scenario, date=date_words(today().isoformat())),
            self,
        )
        intro.setWordWrap(True)
        self.reasonEdit = QLineEdit(self)
        self.reasonEdit.setObjectName("choiceReason")
        self.reasonEdit.setMaxLength(MAX_REASON)
        self.reasonEdit.setPlaceholderText(self.tr("Why the partnership chose it (required)"))
        self.reasonEdit.setAccessibleName(self.tr("Reason"))
        self.agreedByEdit = QLineEdit(self)
        self.agreedByEdit.setObjectName("choiceAgreedBy")
        self.agreedByEdit.setMaxLength(MAX_REASON)
        self.agreedByEdit.setPlaceholderText(self.tr("For example: the partnership board"))
        self.agreedByEdit.setAccessibleName(self.tr("Who agreed"))
        form = QFormLayout()
        form.addRow(self.tr("&Reason:"), self.reasonEdit)
        form.addRow(self.tr("&Who agreed:"), self.agreedByEdit)

        self.errors = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.okButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.okButton.setText(self.tr("&Record the choice"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reasonEdit.textChanged.connect(self._update_ok)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._update_ok()

    def _update_ok(self, *_args: object) -> None:
        self.okButton.setEnabled(bool(self.reasonEdit.text().strip()))

    def record(self) -> bool:
        """Record the choice as one undo step; False (and why, shown) when refused."""
        reason, who, day = self.reasonEdit.text(), self.agreedByEdit.text(), today()
        name = self.scenario
        refused = self.document.edit_with(
            lambda p: record_choice(p, name, reason, who, day),
            self.tr("Choose '{name}' for the bid").format(name=name),
        )
        if refused:
            show_problems(self.errors, [refused])
            return False
        return True

    def accept(self) -> None:
        if self.record():
            super().accept()
