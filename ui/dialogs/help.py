"""Help: how FairShare decides (the same method text as the workbook), the keyboard
shortcuts of every action, and the versions of what it runs on."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from allocator.domain.model import Project, Scenario
from ui.state.document import Document


def _tr(text: str) -> str:
    return QCoreApplication.translate("Help", text)


def versions() -> dict[str, str]:
    """The versions About shows: FairShare, Qt, PySide6, the HiGHS solver and PuLP.

    Each is read from the module itself, not from installed-package metadata, which a
    bundled app does not carry.
    """
    import highspy
    import pulp
    import PySide6
    from PySide6.QtCore import qVersion

    import allocator

    highs = ".".join(
        str(n)
        for n in (
            highspy.HIGHS_VERSION_MAJOR,
            highspy.HIGHS_VERSION_MINOR,
            highspy.HIGHS_VERSION_PATCH,
        )
    )
    return {
        "FairShare": allocator.__version__,
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "HiGHS (highspy)": highs,
        "PuLP": pulp.__version__,
    }


def about_text() -> str:
    """About FairShare, as rich text for a message box."""
    v = versions()
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>&nbsp;&nbsp;{escape(value)}</td></tr>"
        for name, value in v.items()
    )
    return (
        f"<h3>FairShare {escape(v['FairShare'])}</h3>"
        + "<p>"
        + escape(
            _tr(
                "Fair, explained budget splits for partnerships of voluntary organisations "
                "bidding together for a grant."
            )
        )
        + "</p>"
        + f"<p><b>{escape(_tr('Versions'))}</b></p><table>{rows}</table>"
        + "<p>"
        + escape(
            _tr(
                "The split is solved by HiGHS, inside FairShare; PuLP with its CBC solver "
                "is the fallback where HiGHS is not available."
            )
        )
        + "</p>"
    )


def method_html(project: Project | None, scenario: Scenario | str | None = None) -> str:
    """``method_text`` as rich text: a heading and its paragraphs for each part."""
    from allocator.report.method import method_text

    parts: list[str] = []
    for k, (heading, paragraph) in enumerate(method_text(project, scenario)):
        tag = "h2" if k == 0 and heading.lower().startswith("how fairshare decides") else "h3"
        if heading:
            parts.append(f"<{tag}>{escape(heading)}</{tag}>")
        for chunk in str(paragraph).split("\n\n"):
            if chunk.strip():
                parts.append("<p>" + escape(chunk.strip()).replace("\n", "<br>") + "</p>")
    return "".join(parts)


class MethodDialog(QDialog):
    """ "How FairShare decides", for the open project and the scenario the results show;
    it follows the document while it is open (an edit, New, Open, another scenario)."""

    def __init__(
        self, document: Document, scenario: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("methodDialog")
        self.setWindowTitle(self.tr("How FairShare decides"))
        self.resize(720, 640)
        self.document = document
        self._scenario = scenario  # None: the one the results show
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("methodText")
        self.browser.setAccessibleName(self.tr("How FairShare decides"))
        self.browser.setOpenExternalLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.refresh()
        for signal in (
            document.projectChanged,
            document.projectReset,
            document.currentScenarioChanged,
        ):
            signal.connect(self.refresh)

    def refresh(self, *_args: object) -> None:
        """Say it again for the project as it is now."""
        project = self.document.project
        name = self._scenario if self._scenario is not None else self.document.current_scenario
        chosen = None
        for s in project.scenarios:
            if s.name == name:
                chosen = s
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(method_html(project, chosen))
        self.browser.verticalScrollBar().setValue(scroll)

    def text(self) -> str:
        return self.browser.toPlainText()


#: The property an action whose text changes keeps its steady name in (for the list).
STEADY_NAME = "steadyName"


def on_a_pc_keyboard(keys: QKeySequence) -> bool:
    """True when every key of ``keys`` is on an ordinary PC keyboard: letters, digits,
    punctuation, Escape to F12, arrows and the like; not the Undo, Copy or F14 keys some
    platforms also bind, which a person cannot press."""
    if keys.isEmpty():
        return False
    for n in range(keys.count()):
        # PySide6 has QKeySequence.__getitem__ (Qt's operator[]); its stubs leave it out
        key = keys[n].key().value  # type: ignore[index]
        if not (0x20 <= key <= 0xFF or Qt.Key.Key_Escape.value <= key <= Qt.Key.Key_F12.value):
            return False
    return True


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what it does, keys) for every action with a shortcut a person can press, in the
    order given, each key named as this platform names it."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for action in actions:
        keys = [k for k in action.shortcuts() if on_a_pc_keyboard(k)]
        if not keys:
            continue
        # an action whose words change (Undo says what it undoes) names itself steadily
        name = str(action.property(STEADY_NAME) or action.text())
        name = name.replace("&&", "\x00").replace("&", "").replace("\x00", "&")
        name = name.rstrip(".").rstrip("…").strip()
        text = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        if (name, text) in seen:
            continue
        seen.add((name, text))
        rows.append((name, text))
    return rows


class ShortcutsDialog(QDialog):
    """Every action's keyboard shortcut, read from the actions themselves."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.resize(480, 560)
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Keys")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for r, (name, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(keys)
            item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, 1, item)
        note = QLabel(
            self.tr(
                "In any table: Tab and the arrow keys move, F2 or typing edits a cell, "
                "Escape cancels an edit. Every control can be reached with Tab."
            ),
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str]]:
        return [
            (_text(self.table.item(r, 0)), _text(self.table.item(r, 1)))
            for r in range(self.table.rowCount())
        ]


def _text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""


def window_actions(window: QWidget) -> list[QAction]:
    """Every action of a main window: menu by menu in menu order, then any others."""
    out: list[QAction] = []

    def walk(actions: Iterable[QAction]) -> None:
        for action in actions:
            menu = action.menu()  # typed as QObject in QtGui: a QMenu in a widget window
            if isinstance(menu, QMenu):
                walk(menu.actions())
            elif not action.isSeparator() and action not in out:
                out.append(action)

    if isinstance(window, QMainWindow):
        walk(window.menuBar().actions())
    for action in window.findChildren(QAction):
        if action not in out and not action.isSeparator() and action.menu() is None:
            out.append(action)
    return out


def show_method(window: Any) -> QDialog:
    """Open "How FairShare decides" beside the window (not blocking)."""
    dialog = MethodDialog(window.document, parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog


def show_shortcuts(window: QWidget) -> QDialog:
    """Open the list of the window's keyboard shortcuts (not blocking)."""
    dialog = ShortcutsDialog(window_actions(window), parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog


def show_about(window: QWidget) -> QMessageBox:
    """Open About FairShare (not blocking)."""
    box = QMessageBox(window)
    box.setObjectName("aboutBox")
    box.setWindowTitle(_tr("About FairShare"))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    box.setIcon(QMessageBox.Icon.Information)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
