"""The one FairShare window: inputs and results side by side, menus, status.

Left: the scenarios and their settings. Centre top: the partners. Centre bottom: the
results (table, chart, reasons, problems) under a budget line that opens the project
settings. Every edit re-solves in the document's worker; this window composes the
views and shows state (title, modified mark, status bar, busy indicator). Files and
the recovery copy are its :class:`~ui.window.files.FileHandler`'s, the workbook its
:class:`~ui.window.export.ExportController`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.charts.results import ResultsChart
from ui.state import settings
from ui.state.document import (
    Document,
)
from ui.views.explain import ExplanationView, ProblemsView
from ui.views.partners import PartnersView
from ui.views.results import ResultsView
from ui.views.scenarios import ScenarioPanel
from ui.widgets.actions import (
    Shortcut,
    add_menu,
    add_shortcuts,
    discarding,
    icons_only,
    make_action,
)
from ui.widgets.icons import app_icon, icon
from ui.widgets.layout import scrolling, splitter
from ui.window.answers import AnswersController
from ui.window.export import ExportController
from ui.window.files import TABLE_SUFFIXES, FileHandler, dropped_file, dropped_questionnaires
from ui.window.layout import COMPACT_HEIGHT, WindowLayout
from ui.window.start import StartController
from ui.window.status import BudgetLine, StatusLine

if TYPE_CHECKING:  # loaded once the window has painted (build_more_tabs)
    from ui.views.compare import CompareView
    from ui.views.decisions import DecisionsView
    from ui.views.sweep import SweepView

#: The partners view's clipboard actions go in the Edit menu; the rest in the Partner menu.
CLIPBOARD_ACTIONS = ("copyPartnersAction", "copyPartnersWithHeadersAction", "pastePartnersAction")
PARTNER_MENU_GROUPS = {
    "addPartnerAction": "rows",
    "removePartnerAction": "rows",
    "duplicatePartnerAction": "rows",
    "movePartnerUpAction": "order",
    "movePartnerDownAction": "order",
    "assessNeedsAction": "needs",
    "scoresAsPercentagesAction": "needs",
}


class MainWindow(QMainWindow):
    """The main window over one :class:`~ui.state.document.Document`."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.startup_problem: str = ""
        self._closing = False
        self._shown_once = False
        self._painted_once = False
        self._more_tabs_built = False
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setAccessibleName(self.tr("FairShare"))
        self.setDocumentMode(True)

        self.files = FileHandler(self, document)
        self.export = ExportController(self, document, self.files)
        self.start = StartController(self, document, self.files)
        self.answers = AnswersController(self, document, self.files)
        self.sendQuestionnairesAction = self.answers.sendQuestionnairesAction
        self.readAnswersAction = self.answers.readAnswersAction

        self._build_actions()
        self._build_central()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._restore_layout()

        d = self.document
        d.undo_stack.cleanChanged.connect(self._update_title)
        d.pathChanged.connect(self._update_title)
        d.projectChanged.connect(self._update_title)
        d.projectReset.connect(self._update_title)
        self.export.runningChanged.connect(self._on_export_running)
        self._update_title()

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setObjectName("autosaveTimer")
        self._autosave_timer.setInterval(
            max(5, int(settings.get(settings.AUTOSAVE_SECONDS))) * 1000
        )
        self._autosave_timer.timeout.connect(self._autosave)
        self._autosave_timer.start()
        # the window paints first, then the engine loads and solves
        self.document.hold_first_solve()

    # ------------------------------------------------------------------ building
    def _build_actions(self) -> None:
        self._build_file_actions()
        self._build_edit_actions()
        self._build_help_and_view_actions()

    def _build_file_actions(self) -> None:
        S = QKeySequence.StandardKey
        f, tr = self.files, self.tr
        save_as = S.SaveAs if not QKeySequence(S.SaveAs).isEmpty() else "Ctrl+Shift+S"
        specs: list[tuple[str, str, Callable[[], object], Shortcut, str, str]] = [
            ("newAction", tr("&New"), self.start.new_project, S.New, "new",
             tr("Start a new partnership project")),
            ("openAction", tr("&Open…"), f.open_file, S.Open, "open", tr("Open a project file")),
            ("saveAction", tr("&Save"), f.save, S.Save, "save", tr("Save the project")),
            ("saveAsAction", tr("Save &As…"), f.save_as, save_as, "",
             tr("Save the project under a new name")),
            ("projectSettingsAction", tr("&Project settings…"), self.show_project_dialog,
             "Ctrl+,", "project", tr("Name, currency, years and budget")),
            ("importPartnersAction", tr("&Import partners…"), self.import_partners, "Ctrl+I",
             "import", tr("Add partners from a spreadsheet (.xlsx or .csv)")),
            ("exportWorkbookAction", tr("&Export workbook…"), self.export.export_workbook,
             "Ctrl+E", "export", tr("Write the budget workbook for the chosen scenario")),
        ]  # fmt: skip
        (
            self.newAction,
            self.openAction,
            self.saveAction,
            self.saveAsAction,
            self.projectSettingsAction,
            self.importPartnersAction,
            self.exportWorkbookAction,
        ) = [make_action(self, *spec) for spec in specs]
        self.quitAction = make_action(self, "quitAction", tr("&Quit"), self.close, S.Quit)
        self.quitAction.setMenuRole(QAction.MenuRole.QuitRole)
        if self.quitAction.shortcut().isEmpty():
            self.quitAction.setShortcut(QKeySequence("Ctrl+Q"))

    def _build_edit_actions(self) -> None:
        # the menu says what would be undone or redone ("Undo Change capacity of ...");
        # the toolbar shows their icons only, so it keeps its width
        S = QKeySequence.StandardKey
        stack = self.document.undo_stack
        self.undoAction = make_action(
            self, "undoAction", self.tr("&Undo"), stack.undo, S.Undo, "undo"
        )
        self.undoAction.setShortcuts(QKeySequence.keyBindings(S.Undo))
        self.redoAction = make_action(
            self, "redoAction", self.tr("&Redo"), stack.redo, S.Redo, "redo"
        )
        self.redoAction.setShortcuts(QKeySequence.keyBindings(S.Redo))
        add_shortcuts(self.redoAction, "Ctrl+Y", "Ctrl+Shift+Z")  # both, on every platform
        self.undoAction.setProperty("steadyName", self.tr("Undo"))  # help.STEADY_NAME
        self.redoAction.setProperty("steadyName", self.tr("Redo"))
        stack.canUndoChanged.connect(self.undoAction.setEnabled)
        stack.canRedoChanged.connect(self.redoAction.setEnabled)
        stack.undoTextChanged.connect(self._undo_tips)
        stack.redoTextChanged.connect(self._undo_tips)
        self._undo_tips()

    def _build_help_and_view_actions(self) -> None:
        tr = self.tr
        self.methodAction = make_action(
            self, "methodAction", tr("How FairShare &decides"), self.show_method,
            QKeySequence.StandardKey.HelpContents, "help",
        )  # fmt: skip
        self.shortcutsAction = make_action(
            self, "shortcutsAction", tr("&Keyboard shortcuts"), self.show_shortcuts, "Ctrl+/"
        )
        self.aboutAction = make_action(self, "aboutAction", tr("&About FairShare"), self.show_about)
        self.aboutAction.setMenuRole(QAction.MenuRole.AboutRole)
        goes = (
            ("focusPartnersAction", tr("Go to &partners"), "partnersTable", "Ctrl+1"),
            ("focusScenariosAction", tr("Go to &scenarios"), "scenarioList", "Ctrl+2"),
            ("focusResultsAction", tr("Go to &results"), "resultsTable", "Ctrl+3"),
            ("focusProblemsAction", tr("Go to pro&blems"), "problemsView", "Ctrl+4"),
        )
        self.focusActions = [
            make_action(self, name, text, discarding(self._focus, target), key)
            for name, text, target, key in goes
        ]
        self.focusPartnersAction, self.focusScenariosAction = self.focusActions[:2]
        self.focusResultsAction, self.focusProblemsAction = self.focusActions[2:]
        self.resetLayoutAction = make_action(
            self, "resetLayoutAction", tr("Reset &layout"), self.reset_layout
        )
        self.toggleScenarioPanelAction = make_action(
            self, "toggleScenarioPanelAction", tr("Show s&cenario panel"), None, "Ctrl+B", "",
            tr("Show or hide the scenarios and their settings, to give the tables room"),
        )  # fmt: skip
        self.toggleScenarioPanelAction.setCheckable(True)
        self.toggleScenarioPanelAction.setChecked(True)

    def _undo_tips(self, *_args: object) -> None:
        stack = self.document.undo_stack
        tr = self.tr
        for action, can, change, word, nothing in (
            (self.undoAction, stack.canUndo(), stack.undoText(), tr("&Undo"), tr("Nothing to undo")),
            (self.redoAction, stack.canRedo(), stack.redoText(), tr("&Redo"), tr("Nothing to redo")),
        ):  # fmt: skip
            action.setEnabled(can)
            # "&Undo Change capacity of Smith && Co": a name's "&" is no mnemonic
            action.setText(f"{word} {change.replace('&', '&&')}" if can and change else word)
            tip = f"{word.replace('&', '')} {change}" if can and change else nothing
            action.setToolTip(tip)
            action.setStatusTip(tip)

    def _build_central(self) -> None:
        d = self.document
        self.scenarioPanel = ScenarioPanel(d)
        self.partnersView = PartnersView(d)
        self.resultsView = ResultsView(d)
        self.resultsChart = ResultsChart(d)
        self.explanationView = ExplanationView(d)
        self.problemsView = ProblemsView(d)
        self.partnersView.assessNeedsRequested.connect(self.show_needs_dialog)
        self.resultsView.showProblem.connect(self.show_problem)
        self.problemsView.showProblem.connect(self.show_problem)

        self.reasonsSplitter = splitter(
            "reasonsSplitter", Qt.Orientation.Vertical, [self.explanationView, self.problemsView]
        )
        self.detailSplitter = splitter(
            "detailSplitter", Qt.Orientation.Horizontal, [self.resultsChart, self.reasonsSplitter]
        )
        self.resultsSplitter = splitter(
            "resultsSplitter", Qt.Orientation.Vertical, [self.resultsView, self.detailSplitter]
        )
        self.resultsTabs = QTabWidget()
        self.resultsTabs.setObjectName("resultsTabs")
        self.resultsTabs.setDocumentMode(True)
        self.resultsTabs.addTab(self._results_page(), self.tr("Results"))
        self.resultsTabs.setAccessibleName(self.tr("Results"))
        # Compare and Sweep join once the window has painted (build_more_tabs): their
        # modules load the measures' numerical code, which would hold up the first paint
        self.compareView: CompareView | None = None
        self.sweepView: SweepView | None = None
        self.decisionsView: DecisionsView | None = None

        self.partnersArea = self.start.with_banner(self.partnersView)
        self.partnersView.emptyState.importRequested.connect(discarding(self.import_partners))
        self.centreSplitter = splitter(
            "centreSplitter",
            Qt.Orientation.Vertical,
            [self.partnersArea, self.resultsTabs],
        )
        self.mainSplitter = splitter(
            "mainSplitter", Qt.Orientation.Horizontal, [self.scenarioPanel, self.centreSplitter]
        )
        self.mainSplitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.mainSplitter)

    def _results_page(self) -> QWidget:
        """The budget line over the results splitter."""
        self.budgetLine = BudgetLine(self.document)
        self.budgetLine.clicked.connect(discarding(self.show_project_dialog))
        page = QWidget()
        page.setObjectName("resultsPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.budgetLine, 1)
        layout.addLayout(top)
        layout.addWidget(self.resultsSplitter, 1)
        return page

    def build_more_tabs(self) -> None:
        """Add the Compare and Sweep tabs beside Results (once), and show the tab that
        was open when the app last closed."""
        if self._more_tabs_built or self._closing:
            return
        self._more_tabs_built = True
        from ui.views.compare import CompareView  # numerical code: after the first frame
        from ui.views.sweep import SweepView

        # each in a scroll area of its own: on a small screen the tab scrolls, not the window
        self.compareView = CompareView(self.document)
        self.resultsTabs.addTab(scrolling(self.compareView, "compareScroll"), self.tr("Compare"))
        self.sweepView = SweepView(self.document)
        self.resultsTabs.addTab(scrolling(self.sweepView, "sweepScroll"), self.tr("Sweep"))
        from ui.views.decisions import DecisionsView  # the record's fingerprints: hashlib

        self.decisionsView = DecisionsView(self.document)
        self.resultsTabs.addTab(
            scrolling(self.decisionsView, "decisionsScroll"), self.tr("Decisions")
        )
        tab = settings.get(settings.RESULTS_TAB)
        if 0 < tab < self.resultsTabs.count():
            self.resultsTabs.setCurrentIndex(tab)

    def _build_menus(self) -> None:
        bar, tr = self.menuBar(), self.tr
        self.recentMenu = QMenu(tr("Open &Recent"), self)
        self.recentMenu.setObjectName("recentFilesMenu")
        self.recentMenu.aboutToShow.connect(
            discarding(self.files.fill_recent_menu, self.recentMenu)
        )
        add_menu(
            bar, tr("&File"), "fileMenu",
            [self.newAction, self.openAction, self.recentMenu],
            [self.saveAction, self.saveAsAction],
            [self.projectSettingsAction, self.importPartnersAction, self.exportWorkbookAction],
            [self.sendQuestionnairesAction, self.readAnswersAction],
            [self.quitAction],
        )  # fmt: skip
        # the partners view's clipboard actions go in Edit, the rest in Partner, grouped
        offered = [a for a in self.partnersView.actions() if a.text() and not a.isSeparator()]
        clipboard = [a for a in offered if a.objectName() in CLIPBOARD_ACTIONS]
        add_menu(bar, tr("&Edit"), "editMenu", [self.undoAction, self.redoAction], clipboard)
        groups: dict[str, list[QAction]] = {}
        for a in offered:
            if a not in clipboard:
                groups.setdefault(PARTNER_MENU_GROUPS.get(a.objectName(), "other"), []).append(a)
        add_menu(bar, tr("&Partner"), "partnerMenu", *groups.values())
        add_menu(
            bar, tr("&Scenario"), "scenarioMenu",
            self.scenarioPanel.actions_for_menu(),
            [self.problemsView.applyAllSuggestionsAction],
        )  # fmt: skip
        self.viewMenu = add_menu(bar, tr("&View"), "viewMenu", self.focusActions)
        self.viewMenu.addSeparator()
        add_menu(
            bar, tr("&Help"), "helpMenu",
            [self.methodAction, self.shortcutsAction], [self.aboutAction],
        )  # fmt: skip
        adds = [a for a in offered if a.objectName() == "addPartnerAction"]
        self.addPartnerAction = adds[0] if adds else None
        if self.addPartnerAction is not None:
            add_shortcuts(self.addPartnerAction, "Ctrl+Return", "Ctrl+Enter")
            self.addPartnerAction.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if self.addPartnerAction.icon().isNull():
                self.addPartnerAction.setIcon(icon("add-partner"))

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("Main toolbar"))
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addActions([self.newAction, self.openAction, self.saveAction])
        tb.addSeparator()
        tb.addActions([self.undoAction, self.redoAction])
        icons_only(tb, self.undoAction, self.redoAction)  # their words change with every edit
        tb.addSeparator()
        tb.addActions([self.importPartnersAction, self.exportWorkbookAction])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.mainToolBar = tb
        toggle = tb.toggleViewAction()
        toggle.setText(self.tr("Show &toolbar"))
        self.viewMenu.addAction(toggle)
        self.viewMenu.addAction(self.toggleScenarioPanelAction)
        self.viewMenu.addAction(self.resetLayoutAction)

    def _build_status_bar(self) -> None:
        self.status = StatusLine(self, self.document)
        self.solveStatus = self.status.label
        self.busyIndicator = self.status.busy
        self.exportProgress = self.export.progress_bar
        self.statusBar().addPermanentWidget(self.exportProgress)
        self.statusBar().addPermanentWidget(self.busyIndicator)

    # ------------------------------------------------------------------ layout memory
    def _restore_layout(self) -> None:
        geometry = settings.get(settings.WINDOW_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry() if self.screen() else None
            width, height = 1400, 880
            if screen is not None and screen.width() > 0:
                width = min(width, int(screen.width() * 0.95))
                height = min(height, int(screen.height() * 0.9))
            self.resize(width, height)
        # the splitters share the room to fit the screen until the person moves them
        self.windowLayout = WindowLayout(
            {
                s.objectName(): s
                for s in (
                    self.mainSplitter,
                    self.centreSplitter,
                    self.resultsSplitter,
                    self.detailSplitter,
                    self.reasonsSplitter,
                )
            },
            (self.partnersArea, self.partnersView.table),
            (self.resultsView, self.resultsView.table),
            self.problemsView,
            self.toggleScenarioPanelAction,
            (self.resultsChart, self.resultsTabs),
        )
        self.windowLayout.memory.restore()
        tab = settings.get(settings.RESULTS_TAB)
        if 0 <= tab < self.resultsTabs.count():
            self.resultsTabs.setCurrentIndex(tab)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            # sizes only hold once the window has its real size: apply them again now
            self._shown_once = True
            layout = self.layout()
            if layout is not None:
                layout.activate()
            self.windowLayout.set_compact(self.height() < COMPACT_HEIGHT)
            self.windowLayout.restore()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._shown_once:
            self.windowLayout.window_resized(self.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted_once:
            self._painted_once = True
            QTimer.singleShot(0, self.document.release_first_solve)
            QTimer.singleShot(0, self, self.build_more_tabs)

    def _save_layout(self) -> None:
        settings.set(settings.WINDOW_GEOMETRY, self.saveGeometry())
        self.windowLayout.save()
        settings.set(settings.RESULTS_TAB, self.resultsTabs.currentIndex())

    def reset_layout(self) -> None:
        """Put every splitter back where it started, fitted to the window."""
        self.windowLayout.reset()

    def show_scenario_panel(self, shown: bool) -> None:
        """Fold the scenario panel away (``shown`` False) or open it again."""
        self.windowLayout.show_panel(shown)

    def _focus(self, name: str) -> None:
        w = self.findChild(QWidget, name)
        if w is not None:
            w.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------------ state shown
    def _update_title(self, *_args: object) -> None:
        name = self.document.project.name or self.tr("Untitled")
        self.setWindowTitle(self.tr("{name}[*] - FairShare").format(name=name.replace("[*]", "")))
        self.setWindowModified(self.document.is_modified())
        self.setWindowFilePath(self.document.path or "")

    def status_text(self) -> str:
        """The status bar's words for the current state of the split."""
        return self.status.text()

    # ------------------------------------------------------------------ dialogs
    def show_problem(self, path: str) -> None:
        """Take a person to the place a problem names: a partner's cell, a scenario's
        setting, or the project settings for anything about the project as a whole."""
        if not path:
            return
        if path.startswith("partners"):
            if not self.partnersView.select_path(path):
                self.partnersView.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if path.startswith("scenarios"):
            self.scenarioPanel.select_path(path)
            return
        self.show_project_dialog(path)

    def _open_dialog(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    def show_project_dialog(self, path: str = "") -> None:
        """Project settings, with the field ``path`` names (if any) ready to type in."""
        from ui.dialogs.project_dialog import ProjectDialog  # a dialog: loaded when opened

        for start in self.findChildren(QDialog, "startDialog"):
            start.reject()  # the settings take over from an open start (Skip)
        dialog = ProjectDialog(self.document, parent=self)
        self._open_dialog(dialog)
        dialog.focus_path(path)

    def show_needs_dialog(self, index: int) -> None:
        if not 0 <= index < len(self.document.project.partners):
            return
        from ui.dialogs.needs_dialog import NeedsDialog

        self._open_dialog(NeedsDialog(self.document, index, parent=self))

    def import_partners(self, path: str | None = None) -> None:
        """Choose a partner table, then preview it; nothing changes until the preview is accepted."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Import partners"),
                self.files.folder(),
                self.tr("Partner tables (*.xlsx *.csv);;All files (*)"),
            )
            if not path:
                return
        self.files.remember_folder(path)
        from ui.dialogs.import_dialog import ImportDialog

        self._open_dialog(ImportDialog(self.document, path, parent=self))

    def show_method(self) -> None:
        from ui.dialogs import help

        help.show_method(self)

    def show_shortcuts(self) -> None:
        from ui.dialogs import help

        help.show_shortcuts(self)

    def show_about(self) -> None:
        from ui.dialogs import help

        help.show_about(self)

    def _autosave(self) -> None:
        self.files.autosave()

    def _on_export_running(self, running: bool) -> None:
        self.exportWorkbookAction.setEnabled(not running)

    # drag and drop: a project file opens, a partner table is imported
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        answers = dropped_questionnaires(event.mimeData())
        if answers:  # returned needs questionnaires: their preview
            event.acceptProposedAction()
            QTimer.singleShot(0, self, discarding(self.answers.read_answers, answers))
            return
        path = dropped_file(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # open after the drop has finished, so a prompt never runs inside the drag
        if path.lower().endswith(TABLE_SUFFIXES):
            QTimer.singleShot(0, self, discarding(self.import_partners, path))
        else:
            QTimer.singleShot(0, self, discarding(self.files.open_file, path))

    # ------------------------------------------------------------------ closing
    def running_workers(self) -> list[str]:
        """What still runs in a worker thread of this window ("solve", "export", "sweep")."""
        running = []
        if self.document.worker_running():
            running.append("solve")
        if self.export.is_running():
            running.append("export")
        if self.sweepView is not None and self.sweepView.is_running():
            running.append("sweep")
        return running

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self._closing = True
        self._autosave_timer.stop()
        self._save_layout()
        settings.set(settings.LAST_PROJECT, self.document.path or "")
        self.export.shutdown()
        self.answers.shutdown()
        self.files.recovery.clear()
        if self.sweepView is not None:
            self.sweepView.shutdown()  # join a running sweep's thread before the engine goes
        self.document.shutdown()
        event.accept()


def main_windows() -> list[MainWindow]:
    """The open FairShare windows (scripts and tests use it)."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
