"""Starting a partnership of one's own: File > New with its short start, and the banner
that says the sample is a sample (with a button that does New)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from ui.state.document import Document
from ui.widgets.banner import Banner, BannerKind
from ui.window.files import FileHandler, is_shipped_sample


def _tr(text: str) -> str:
    return QCoreApplication.translate("Start", text)


class StartController(QObject):
    """New and its start dialog; the sample banner above the partners."""

    def __init__(self, window: QMainWindow, document: Document, files: FileHandler) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.files = files
        self.banner = Banner("sampleBanner")
        self.banner.setAccessibleName(_tr("Sample partnership"))
        self.banner.add_action("start", _tr("Start your own partnership"), "startOwnButton")
        self.banner.actionTriggered.connect(lambda _key: self.new_project())
        self._sample = False
        document.projectReset.connect(self._follow)
        document.pathChanged.connect(self._follow_path)
        self._follow()

    def is_sample(self) -> bool:
        """True while the open project is the untitled copy of the shipped sample."""
        return self._sample

    def with_banner(self, view: QWidget) -> QWidget:
        """``view`` under the sample banner, in one widget for the window's layout."""
        box = QWidget()
        box.setObjectName("partnersArea")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.banner)
        layout.addWidget(view, 1)
        return box

    def _follow(self) -> None:
        self._sample = self.document.path is None and is_shipped_sample(self.document.project)
        self._show_banner()

    def _follow_path(self, path: str) -> None:
        if path:  # saved under a name of its own: no longer the sample
            self._sample = False
            self._show_banner()

    def _show_banner(self) -> None:
        if self._sample:
            self.banner.say(
                _tr(
                    "This is a sample partnership of fictional organisations, to try "
                    "FairShare on. Your changes stay in this copy."
                ),
                BannerKind.INFO,
                ["start"],
            )
        else:
            self.banner.hide()

    def new_project(self) -> bool:
        """A blank project (after the unsaved-changes prompt), then the short start
        over it; skipping the start leaves the blank project. False if not started."""
        if not self.files.new_project():
            return False
        from ui.dialogs.start_dialog import StartDialog  # a dialog: loaded when opened

        dialog = StartDialog(self.document, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return True
