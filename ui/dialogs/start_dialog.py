"""The start of a new project: its name, years, grant and currency, in one short step.

The blank project is already open when this shows (File > New made it); OK fills it
in as one undo step and Skip leaves it blank. It is the project settings dialog with
words for a start, and a grant that may be left for later.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QDialogButtonBox, QLabel, QWidget

from ui.dialogs.project_dialog import ProjectDialog
from ui.state.document import Document


class StartDialog(ProjectDialog):
    """Name, years (first year and how many), the grant and the currency of a new project."""

    grant_required = False

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(document, parent)
        self.setObjectName("startDialog")
        self.setWindowTitle(self.tr("Start a partnership"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = QLabel(
            self.tr(
                "Name the partnership and give its years and grant. Everything here can "
                "be changed later in Project settings; Skip starts with a blank project."
            ),
            self,
        )
        intro.setObjectName("startIntro")
        intro.setWordWrap(True)
        layout = self.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, intro)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Start"))
        skip = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        skip.setText(self.tr("Skip"))
        skip.setObjectName("startSkip")
        skip.setToolTip(self.tr("Start with a blank project and fill it in later"))
        # The fields are the settings form's, named apart from it: a script that looks
        # for the project settings' fields (projectName, budgetFirstYear, ...) from the
        # window never finds these instead.
        for child in self.findChildren(QWidget):
            name = child.objectName()
            if name.startswith(("project", "budget")) and name != "projectDialog":
                child.setObjectName("start" + name[:1].upper() + name[1:])
        self.nameEdit.selectAll()
        self.nameEdit.setFocus(Qt.FocusReason.OtherFocusReason)

    def undo_text(self) -> str:
        return self.tr("Start the partnership")
