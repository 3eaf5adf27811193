"""What to do next when a project has no partners yet: add one, paste a block copied
from a spreadsheet, or import a partner table. Shown in the partners table's place
until the first partner exists."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyPartnersPanel(QFrame):
    """Three ways to put the first partners in; ``importRequested`` asks the window to
    import a partner table (a file dialog is the window's)."""

    importRequested = Signal()

    def __init__(self, add: QAction, paste: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("partnersEmptyState")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Ctrl+V works with the focus here
        self.setAccessibleName(self.tr("No partners yet"))
        title = QLabel(self.tr("No partners yet"), self)
        title.setObjectName("partnersEmptyTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        say = QLabel(
            self.tr(
                "Add the partnership's organisations: one at a time, as a block pasted "
                "from a spreadsheet, or from a partner table file."
            ),
            self,
        )
        say.setWordWrap(True)

        self.addButton = self._button(self.tr("Add partner"), "emptyAddPartner", add.trigger)
        self.pasteButton = self._button(
            self.tr("Paste from a spreadsheet"), "emptyPastePartners", paste.trigger
        )
        self.importButton = self._button(
            self.tr("Import partners…"), "emptyImportPartners", self.importRequested.emit
        )
        self.addButton.setDefault(True)
        paste_how = QLabel(
            self.tr(
                "Copy the rows in Excel, then press Ctrl+V here. Copy the header row with "
                "them and each column goes where its header says."
            ),
            self,
        )
        paste_how.setObjectName("partnersEmptyPasteHow")
        paste_how.setWordWrap(True)
        paste_how.setEnabled(False)  # drawn as a quieter hint

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for b in (self.addButton, self.pasteButton, self.importButton):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(say)
        layout.addLayout(buttons)
        layout.addWidget(paste_how)
        layout.addStretch(1)

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda *_: slot())
        return button
