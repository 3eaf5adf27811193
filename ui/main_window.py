"""The one FairShare window: inputs and results side by side, files, menus, status.

Left: the scenarios and their settings. Centre top: the partners. Centre bottom: the
results (table, chart, reasons, problems) under a budget line that opens the project
settings. Every edit re-solves in the document's worker; this window only shows state
(title, modified mark, status bar, busy indicator) and looks after files: open, save,
recent files, drag and drop, autosave to a recovery file, the unsaved-changes prompt,
import and export.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QDateTime,
    QLocale,
    QLockFile,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from allocator.errors import Problem, SaveError, ValidationError
from ui.state import settings
from ui.state.document import (
    STATE_CURRENT,
    STATE_FAILED,
    STATE_INVALID,
    STATE_SOLVING,
    Document,
)
from ui.state.workers import TaskWorker
from ui.widgets.icons import app_icon, icon
from ui.widgets.layout import splitter

PROJECT_SUFFIX = ".fairshare"
TABLE_SUFFIXES = (".csv", ".xlsx")

#: Splitters by object name, with the sizes they start at before the person moves them.
DEFAULT_SPLITTER_SIZES: dict[str, list[int]] = {
    "mainSplitter": [330, 1070],
    "centreSplitter": [280, 600],
    "resultsSplitter": [335, 235],
    "detailSplitter": [500, 560],
    "reasonsSplitter": [195, 55],
}


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


def _discarding(fn: Callable[..., Any], *args: Any) -> Callable[..., None]:
    """A slot that calls ``fn(*args)`` and returns nothing.

    Signals ignore what a slot returns, and PySide mishandles a returned bool's
    reference count; slots here therefore never return a value.
    """

    def slot(*_signal_args: Any) -> None:
        fn(*args)

    return slot


def _optional_class(module: str, name: str) -> type | None:
    """A widget class from another part of the app, or None while that part is absent."""
    try:
        mod = __import__(module, fromlist=[name])
    except ImportError as exc:
        if getattr(exc, "name", None) != module:
            traceback.print_exc()
        return None
    return getattr(mod, name, None)


class MainWindow(QMainWindow):
    """The main window over one :class:`~ui.state.document.Document`."""

    exportFinished = Signal(str)  # the workbook's path, once written
    exportFailed = Signal(str)  # why it could not be written

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.missing_parts: list[str] = []
        self.startup_problem: str = ""
        self._export_worker: TaskWorker | None = None
        self._recovery_id = os.urandom(16).hex()
        self._recovery_lock: QLockFile | None = None
        self._closing = False
        self._shown_once = False
        self._painted_once = False
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setAccessibleName(self.tr("FairShare"))
        self.setDocumentMode(True)

        self._build_actions()
        self._build_central()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._restore_layout()

        d = self.document
        d.undo_stack.cleanChanged.connect(self._update_title)
        d.projectChanged.connect(self._on_project_changed)
        d.projectReset.connect(self._on_project_reset)
        d.resultsChanged.connect(self._update_status)
        d.problemsChanged.connect(self._update_status)
        d.solvingChanged.connect(self._on_solving)
        d.currentScenarioChanged.connect(lambda _name: self._update_status())
        self._on_project_reset()

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setObjectName("autosaveTimer")
        self._autosave_timer.setInterval(
            max(5, int(settings.get(settings.AUTOSAVE_SECONDS))) * 1000
        )
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosave_timer.start()
        # the window paints first, then the engine loads and solves
        self.document.hold_first_solve()

    # ------------------------------------------------------------------ building
    def _action(
        self,
        name: str,
        text: str,
        slot: Callable[[], Any] | None = None,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str = "",
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if slot is not None:
            action.triggered.connect(_discarding(slot))
        self.addAction(action)  # shortcuts work wherever the focus is
        return action

    def _build_actions(self) -> None:
        S = QKeySequence.StandardKey
        self.newAction = self._action(
            "newAction",
            self.tr("&New"),
            self.new_project,
            S.New,
            "new",
            self.tr("Start a new partnership project"),
        )
        self.openAction = self._action(
            "openAction",
            self.tr("&Open…"),
            self.open_file,
            S.Open,
            "open",
            self.tr("Open a project file"),
        )
        self.saveAction = self._action(
            "saveAction", self.tr("&Save"), self.save, S.Save, "save", self.tr("Save the project")
        )
        self.saveAsAction = self._action(
            "saveAsAction",
            self.tr("Save &As…"),
            self.save_as,
            S.SaveAs if not QKeySequence(S.SaveAs).isEmpty() else "Ctrl+Shift+S",
            tip=self.tr("Save the project under a new name"),
        )
        self.projectSettingsAction = self._action(
            "projectSettingsAction",
            self.tr("&Project settings…"),
            self.show_project_dialog,
            "Ctrl+,",
            "project",
            self.tr("Name, currency, years and budget"),
        )
        self.importPartnersAction = self._action(
            "importPartnersAction",
            self.tr("&Import partners…"),
            self.import_partners,
            "Ctrl+I",
            "import",
            self.tr("Add partners from a spreadsheet (.xlsx or .csv)"),
        )
        self.exportWorkbookAction = self._action(
            "exportWorkbookAction",
            self.tr("&Export workbook…"),
            self.export_workbook,
            "Ctrl+E",
            "export",
            self.tr("Write the budget workbook for the chosen scenario"),
        )
        self.quitAction = self._action("quitAction", self.tr("&Quit"), self.close, S.Quit)
        self.quitAction.setMenuRole(QAction.MenuRole.QuitRole)
        if self.quitAction.shortcut().isEmpty():
            self.quitAction.setShortcut(QKeySequence("Ctrl+Q"))

        # fixed words on the actions (the toolbar keeps its width); what would be undone
        # or redone is in the tooltip and the status bar
        stack = self.document.undo_stack
        self.undoAction = self._action("undoAction", self.tr("&Undo"), stack.undo, S.Undo, "undo")
        self.undoAction.setShortcuts(QKeySequence.keyBindings(S.Undo))
        self.redoAction = self._action("redoAction", self.tr("&Redo"), stack.redo, S.Redo, "redo")
        self.redoAction.setShortcuts(QKeySequence.keyBindings(S.Redo))
        stack.canUndoChanged.connect(self.undoAction.setEnabled)
        stack.canRedoChanged.connect(self.redoAction.setEnabled)
        stack.undoTextChanged.connect(self._undo_tips)
        stack.redoTextChanged.connect(self._undo_tips)
        self._undo_tips()

        self.methodAction = self._action(
            "methodAction",
            self.tr("How FairShare &decides"),
            self.show_method,
            S.HelpContents,
            "help",
        )
        self.shortcutsAction = self._action(
            "shortcutsAction", self.tr("&Keyboard shortcuts"), self.show_shortcuts, "Ctrl+/"
        )
        self.aboutAction = self._action("aboutAction", self.tr("&About FairShare"), self.show_about)
        self.aboutAction.setMenuRole(QAction.MenuRole.AboutRole)

        self.focusPartnersAction = self._action(
            "focusPartnersAction",
            self.tr("Go to &partners"),
            lambda: self._focus("partnersTable"),
            "Ctrl+1",
        )
        self.focusScenariosAction = self._action(
            "focusScenariosAction",
            self.tr("Go to &scenarios"),
            lambda: self._focus("scenarioList"),
            "Ctrl+2",
        )
        self.focusResultsAction = self._action(
            "focusResultsAction",
            self.tr("Go to &results"),
            lambda: self._focus("resultsTable"),
            "Ctrl+3",
        )
        self.focusProblemsAction = self._action(
            "focusProblemsAction",
            self.tr("Go to pro&blems"),
            lambda: self._focus("problemsView"),
            "Ctrl+4",
        )
        self.resetLayoutAction = self._action(
            "resetLayoutAction", self.tr("Reset &layout"), self.reset_layout
        )

    def _undo_tips(self, *_args: Any) -> None:
        stack = self.document.undo_stack
        self.undoAction.setEnabled(stack.canUndo())
        self.redoAction.setEnabled(stack.canRedo())
        undo = self.tr("Undo: {change}").format(change=stack.undoText()) if stack.canUndo() else ""
        redo = self.tr("Redo: {change}").format(change=stack.redoText()) if stack.canRedo() else ""
        for action, tip, fallback in (
            (self.undoAction, undo, self.tr("Nothing to undo")),
            (self.redoAction, redo, self.tr("Nothing to redo")),
        ):
            action.setToolTip(tip or fallback)
            action.setStatusTip(tip or fallback)

    def _part(self, module: str, name: str, *args: Any) -> QWidget | None:
        """Build another owner's widget on the document; None (and noted) while absent."""
        cls = _optional_class(module, name)
        if cls is None:
            self.missing_parts.append(name)
            return None
        try:
            return cls(self.document, *args)
        except Exception:
            print(f"FairShare: the {name} could not be built:", file=sys.stderr)
            traceback.print_exc()
            self.missing_parts.append(name)
            return None

    def _build_central(self) -> None:
        self.scenarioPanel = self._part("ui.views.scenarios", "ScenarioPanel")
        self.partnersView = self._part("ui.views.partners", "PartnersView")
        self.resultsView = self._part("ui.views.results", "ResultsView")
        self.resultsChart = self._part("ui.charts.results", "ResultsChart")
        self.explanationView = self._part("ui.views.explain", "ExplanationView")
        self.problemsView = self._part("ui.views.explain", "ProblemsView")
        if self.partnersView is not None and hasattr(self.partnersView, "assessNeedsRequested"):
            self.partnersView.assessNeedsRequested.connect(self.show_needs_dialog)
        for view in (self.resultsView, self.problemsView):
            if view is not None and hasattr(view, "showProblem"):
                view.showProblem.connect(self.show_problem)

        # the budget line above the results: a click opens the project settings
        self.budgetLine = QPushButton()
        self.budgetLine.setObjectName("budgetLine")
        self.budgetLine.setFlat(True)
        self.budgetLine.setCursor(Qt.CursorShape.PointingHandCursor)
        self.budgetLine.setStyleSheet(
            "QPushButton#budgetLine { text-align: left; padding: 3px 6px; }"
        )
        self.budgetLine.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.budgetLine.clicked.connect(self.show_project_dialog)

        self.reasonsSplitter = splitter(
            "reasonsSplitter", Qt.Orientation.Vertical, [self.explanationView, self.problemsView]
        )
        # the problems pane takes most of the room while it has problems or suggested
        # changes to show, and little otherwise, until the person moves the divider
        self._reasons_follow = True
        self.reasonsSplitter.splitterMoved.connect(self._reasons_moved)
        if self.problemsView is not None:
            self.problemsView.roomChanged.connect(self._fit_reasons)
        self.detailSplitter = splitter(
            "detailSplitter",
            Qt.Orientation.Horizontal,
            [self.resultsChart, self.reasonsSplitter if self.reasonsSplitter.count() else None],
        )
        self.resultsSplitter = splitter(
            "resultsSplitter",
            Qt.Orientation.Vertical,
            [self.resultsView, self.detailSplitter if self.detailSplitter.count() else None],
        )
        results_page = QWidget()
        results_page.setObjectName("resultsPage")
        layout = QVBoxLayout(results_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.budgetLine, 1)
        layout.addLayout(top)
        layout.addWidget(self.resultsSplitter, 1)

        self.resultsTabs = QTabWidget()
        self.resultsTabs.setObjectName("resultsTabs")
        self.resultsTabs.setDocumentMode(True)
        self.resultsTabs.addTab(results_page, self.tr("Results"))
        self.resultsTabs.setAccessibleName(self.tr("Results"))
        # Compare and Sweep join once the window has painted (build_more_tabs): their
        # modules load the measures' numerical code, which would hold up the first paint
        self.compareView: QWidget | None = None
        self.sweepView: QWidget | None = None
        self._more_tabs_built = False

        self.centreSplitter = splitter(
            "centreSplitter", Qt.Orientation.Vertical, [self.partnersView, self.resultsTabs]
        )
        self.mainSplitter = splitter(
            "mainSplitter", Qt.Orientation.Horizontal, [self.scenarioPanel, self.centreSplitter]
        )
        self.mainSplitter.setStretchFactor(self.mainSplitter.count() - 1, 1)
        self.setCentralWidget(self.mainSplitter)

    def build_more_tabs(self) -> None:
        """Add the Compare and Sweep tabs beside Results (once), and show the tab that
        was open when the app last closed."""
        if self._more_tabs_built or self._closing:
            return
        self._more_tabs_built = True
        self.compareView = self._part("ui.views.compare", "CompareView")
        if self.compareView is not None:
            self.resultsTabs.addTab(self.compareView, self.tr("Compare"))
        self.sweepView = self._part("ui.views.sweep", "SweepView")
        if self.sweepView is not None:
            self.resultsTabs.addTab(self.sweepView, self.tr("Sweep"))
        tab = settings.get(settings.RESULTS_TAB)
        if 0 < tab < self.resultsTabs.count():
            self.resultsTabs.setCurrentIndex(tab)

    def _view_actions(self, view: QWidget | None) -> list[QAction]:
        """The actions another part offers for the menus (its own action list, in order)."""
        if view is None:
            return []
        for name in ("actions_for_menu", "menu_actions"):
            own = getattr(view, name, None)
            if callable(own):
                return [a for a in own() if a is not None]
        actions = [a for a in view.actions() if a.text() or a.isSeparator()]
        if actions:
            return actions
        return [a for a in view.findChildren(QAction) if a.text() and a.objectName()]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.setObjectName("fileMenu")
        file_menu.addAction(self.newAction)
        file_menu.addAction(self.openAction)
        self.recentMenu = QMenu(self.tr("Open &Recent"), self)
        self.recentMenu.setObjectName("recentFilesMenu")
        self.recentMenu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recentMenu)
        file_menu.addSeparator()
        file_menu.addAction(self.saveAction)
        file_menu.addAction(self.saveAsAction)
        file_menu.addSeparator()
        file_menu.addAction(self.projectSettingsAction)
        file_menu.addAction(self.importPartnersAction)
        file_menu.addAction(self.exportWorkbookAction)
        file_menu.addSeparator()
        file_menu.addAction(self.quitAction)

        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.setObjectName("editMenu")
        edit_menu.addAction(self.undoAction)
        edit_menu.addAction(self.redoAction)

        partner_menu = bar.addMenu(self.tr("&Partner"))
        partner_menu.setObjectName("partnerMenu")
        self.addPartnerAction: QAction | None = None
        clipboard = [
            a for a in self._view_actions(self.partnersView) if a.objectName() in CLIPBOARD_ACTIONS
        ]
        if clipboard:
            edit_menu.addSeparator()
            for a in clipboard:
                edit_menu.addAction(a)
        group = None
        for a in self._view_actions(self.partnersView):
            if a in clipboard:
                continue
            name = a.objectName()
            this_group = PARTNER_MENU_GROUPS.get(name, "other")
            if group is not None and this_group != group:
                partner_menu.addSeparator()
            group = this_group
            partner_menu.addAction(a)
            if name == "addPartnerAction":
                self.addPartnerAction = a
        if self.addPartnerAction is not None:
            keys = list(self.addPartnerAction.shortcuts())
            for key in (QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")):
                if key not in keys:
                    keys.append(key)
            self.addPartnerAction.setShortcuts(keys)
            self.addPartnerAction.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if self.addPartnerAction.icon().isNull():
                self.addPartnerAction.setIcon(icon("add-partner"))
        partner_menu.menuAction().setVisible(bool(partner_menu.actions()))

        scenario_menu = bar.addMenu(self.tr("&Scenario"))
        scenario_menu.setObjectName("scenarioMenu")
        for a in self._view_actions(self.scenarioPanel):
            scenario_menu.addAction(a)
        if self.problemsView is not None:
            apply_all = self.problemsView.findChild(QAction, "applyAllSuggestionsAction")
            if apply_all is not None:
                if scenario_menu.actions():
                    scenario_menu.addSeparator()
                scenario_menu.addAction(apply_all)
        scenario_menu.menuAction().setVisible(bool(scenario_menu.actions()))

        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.setObjectName("viewMenu")
        view_menu.addAction(self.focusPartnersAction)
        view_menu.addAction(self.focusScenariosAction)
        view_menu.addAction(self.focusResultsAction)
        view_menu.addAction(self.focusProblemsAction)
        view_menu.addSeparator()
        self.viewMenu = view_menu

        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.setObjectName("helpMenu")
        help_menu.addAction(self.methodAction)
        help_menu.addAction(self.shortcutsAction)
        help_menu.addSeparator()
        help_menu.addAction(self.aboutAction)

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("Main toolbar"))
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.newAction, self.openAction, self.saveAction):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.undoAction)
        tb.addAction(self.redoAction)
        tb.addSeparator()
        tb.addAction(self.importPartnersAction)
        tb.addAction(self.exportWorkbookAction)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.mainToolBar = tb
        toggle = tb.toggleViewAction()
        toggle.setText(self.tr("Show &toolbar"))
        self.viewMenu.addAction(toggle)
        self.viewMenu.addAction(self.resetLayoutAction)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.solveStatus = QLabel()
        self.solveStatus.setObjectName("solveStatus")
        self.solveStatus.setAccessibleName(self.tr("Solve status"))
        self.solveStatus.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busyIndicator = QProgressBar()
        self.busyIndicator.setObjectName("busyIndicator")
        self.busyIndicator.setAccessibleName(self.tr("Working out the split"))
        self.busyIndicator.setRange(0, 0)
        self.busyIndicator.setMaximumWidth(120)
        self.busyIndicator.setMaximumHeight(14)
        self.busyIndicator.setTextVisible(False)
        self.busyIndicator.hide()
        self.exportProgress = QProgressBar()
        self.exportProgress.setObjectName("exportProgress")
        self.exportProgress.setAccessibleName(self.tr("Writing the workbook"))
        self.exportProgress.setRange(0, 100)
        self.exportProgress.setMaximumWidth(220)
        self.exportProgress.setMaximumHeight(16)
        self.exportProgress.setFormat(self.tr("Workbook %p%"))
        self.exportProgress.hide()
        bar.addWidget(self.solveStatus, 1)
        bar.addPermanentWidget(self.exportProgress)
        bar.addPermanentWidget(self.busyIndicator)

    # ------------------------------------------------------------------ layout memory
    def _splitters(self) -> list[QSplitter]:
        # the window's own splitters by attribute: findChildren walks every widget
        return [
            s
            for s in (
                self.mainSplitter,
                self.centreSplitter,
                self.resultsSplitter,
                self.detailSplitter,
                self.reasonsSplitter,
            )
            if s.objectName() in DEFAULT_SPLITTER_SIZES
        ]

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
        self._restore_splitters()
        tab = settings.get(settings.RESULTS_TAB)
        if 0 <= tab < self.resultsTabs.count():
            self.resultsTabs.setCurrentIndex(tab)

    def _restore_splitters(self) -> None:
        for s in self._splitters():
            sizes = settings.splitter_sizes(s.objectName())
            if len(sizes) != s.count() or not any(sizes):
                sizes = DEFAULT_SPLITTER_SIZES[s.objectName()][: s.count()]
            s.setSizes(sizes)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._shown_once:
            # sizes only hold once the window has its real size: apply them again now
            self._shown_once = True
            self.layout().activate()
            self._restore_splitters()
            if not settings.splitter_sizes("reasonsSplitter"):
                self._fit_reasons()  # no sizes of the person's own: fit what is shown

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        if not self._painted_once:
            self._painted_once = True
            QTimer.singleShot(0, self.document.release_first_solve)
            QTimer.singleShot(0, self, self.build_more_tabs)

    def _save_layout(self) -> None:
        settings.set(settings.WINDOW_GEOMETRY, self.saveGeometry())
        for s in self._splitters():
            settings.set_splitter_sizes(s.objectName(), s.sizes())
        settings.set(settings.RESULTS_TAB, self.resultsTabs.currentIndex())

    def reset_layout(self) -> None:
        """Put every splitter back where it started."""
        for s in self._splitters():
            s.setSizes(DEFAULT_SPLITTER_SIZES[s.objectName()][: s.count()])
        self._reasons_follow = True
        self._fit_reasons()

    def _reasons_moved(self, *_args: Any) -> None:
        self._reasons_follow = False  # the person's choice from now on

    def _fit_reasons(self, *_args: Any) -> None:
        """Share the reasons pane between the explanation and the problems: most of it
        for the problems while they have something to show."""
        view = self.problemsView
        if not self._reasons_follow or view is None or self.reasonsSplitter.count() < 2:
            return
        total = sum(self.reasonsSplitter.sizes())
        if total <= 0:
            return
        if view.needs_room():
            below = int(total * 0.7)
        else:
            below = max(view.compact_height(), view.minimumSizeHint().height())
        self.reasonsSplitter.setSizes([max(total - below, 0), below])

    def _focus(self, name: str) -> None:
        w = self.findChild(QWidget, name)
        if w is not None:
            w.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------------ state shown
    def _update_title(self) -> None:
        name = self.document.project.name or self.tr("Untitled")
        self.setWindowTitle(self.tr("{name}[*] - FairShare").format(name=name.replace("[*]", "")))
        self.setWindowModified(self.document.is_modified())
        self.setWindowFilePath(self.document.path or "")

    def _on_project_changed(self, old: Any, new: Any) -> None:
        self._update_title()
        self._update_budget_line()
        self._update_status()

    def _on_project_reset(self) -> None:
        self._update_title()
        self._update_budget_line()
        self._update_status()

    def _update_budget_line(self) -> None:
        from allocator.domain.text import money

        p = self.document.project
        try:
            amounts = p.budgets()
        except Exception:
            amounts = []
        if amounts:
            years = " · ".join(
                self.tr("{year}: {amount}").format(year=y, amount=money(a, p.currency))
                for y, a in zip(p.years, amounts, strict=False)
            )
            text = self.tr("Budget  {years}").format(years=years)
        else:
            text = self.tr("No budget set")
        self.budgetLine.setText(text + "   " + self.tr("Change…"))
        self.budgetLine.setToolTip(self.tr("Change the project's name, currency, years and budget"))
        self.budgetLine.setAccessibleName(text)

    def _on_solving(self, busy: bool) -> None:
        self.busyIndicator.setVisible(busy)
        self._update_status()

    def status_text(self) -> str:
        """The status bar's words for the current state of the split."""
        d = self.document
        p = d.project
        n_partners, n_years = len(p.partners), p.year_count
        n_problems = len(d.problems)
        partners = (
            self.tr("1 partner")
            if n_partners == 1
            else self.tr("{n} partners").format(n=n_partners)
        )
        years = self.tr("1 year") if n_years == 1 else self.tr("{n} years").format(n=n_years)
        problems = (
            self.tr("no problems")
            if n_problems == 0
            else self.tr("1 problem")
            if n_problems == 1
            else self.tr("{n} problems").format(n=n_problems)
        )
        state = d.result_state()
        if state == STATE_CURRENT:
            result = d.result()
            ms = d.last_solve_ms
            status = str(getattr(result.status, "value", result.status))
            if status == "infeasible":
                head = self.tr("“{name}” cannot be met as set").format(name=result.name)
            elif status == "error":
                head = self.tr("The solver could not finish")
            elif ms is not None:
                head = self.tr("Solved in {ms} ms").format(ms=f"{ms:,.0f}")
            else:
                head = self.tr("Solved")
        elif state == STATE_SOLVING:
            head = self.tr("Working out the split…")
        elif state == STATE_INVALID:
            head = (
                self.tr("Fix 1 problem to update the split")
                if n_problems == 1
                else self.tr("Fix {n} problems to update the split").format(n=max(n_problems, 1))
            )
        elif state == STATE_FAILED:
            head = self.tr("The split could not be worked out")
        else:
            head = self.tr("Not solved yet")
        return " · ".join([head, partners, years, problems])

    def _update_status(self) -> None:
        text = self.status_text()
        self.solveStatus.setText(text)
        if self.document.solve_error:
            self.solveStatus.setToolTip(self.document.solve_error)
        else:
            self.solveStatus.setToolTip("")

    # ------------------------------------------------------------------ prompts
    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to go on."""
        if not self.document.is_modified():
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("Save the changes to “{name}” before closing it?").format(
                name=self.document.project.name
            ),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _folder(self) -> str:
        folder = settings.get(settings.LAST_FOLDER)
        if folder and os.path.isdir(folder):
            return folder
        if self.document.path:
            return str(Path(self.document.path).parent)
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    def _remember_folder(self, path: str) -> None:
        settings.set(settings.LAST_FOLDER, str(Path(path).parent))

    # ------------------------------------------------------------------ files
    def new_project(self) -> bool:
        if not self.maybe_save():
            return False
        from allocator.domain import edits

        self.document.reset(edits.new_project(name=self.tr("New partnership")), None)
        self._clear_recovery()
        self.statusBar().showMessage(self.tr("New project: add partners and a budget"), 5000)
        return True

    def open_file(self, path: str | None = None) -> bool:
        """Open a project (asking for the file when ``path`` is None); False if not opened."""
        if not self.maybe_save():
            return False
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Open project"),
                self._folder(),
                self.tr("FairShare projects (*.fairshare);;All files (*)"),
            )
            if not path:
                return False
        return self.load(path)

    def load(self, path: str) -> bool:
        """Read ``path`` into the window, or show why not and keep the current project."""
        path = os.path.abspath(os.fspath(path))
        try:
            project, notes = load_with_notes(path)
        except ValidationError as exc:
            self._show_file_problems(path, exc.problems)
            return False
        except OSError as exc:
            self._show_file_problems(path, [Problem("", str(exc))])
            return False
        from ui.app import is_packaged_sample

        if is_packaged_sample(path):
            # the shipped sample opens as an untitled copy: Save never overwrites it
            self.document.reset(project, None)
            self._clear_recovery()
        else:
            self.document.reset(project, path)
            self._clear_recovery()
            settings.add_recent_file(path)
            settings.set(settings.LAST_PROJECT, path)
            self._remember_folder(path)
        shown = self.tr("Opened {file}").format(file=Path(path).name)
        if notes:
            shown += " · " + " ".join(notes)
        self.statusBar().showMessage(shown, 8000)
        return True

    def _show_file_problems(self, path: str, problems: list[Problem]) -> None:
        lines = file_problems_in_words(path, problems)
        if not os.path.exists(path):
            settings.remove_recent_file(path)
        box_text = self.tr(
            "FairShare cannot open “{file}”. The project you have open is unchanged."
        ).format(file=Path(path).name)
        detail = "\n".join(f"• {line}" for line in lines[:20])
        if len(lines) > 20:
            detail += "\n" + self.tr("…and {n} more").format(n=len(lines) - 20)
        QMessageBox.warning(self, self.tr("Cannot open project"), f"{box_text}\n\n{detail}")

    def save(self) -> bool:
        if not self.document.path:
            return self.save_as()
        return self.write(self.document.path)

    def save_as(self) -> bool:
        suggested = self.document.path or os.path.join(
            self._folder(), _safe_file_name(self.document.project.name) + PROJECT_SUFFIX
        )
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save project as"), suggested, self.tr("FairShare projects (*.fairshare)")
        )
        if not path:
            return False
        if not path.lower().endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return self.write(path)

    def write(self, path: str) -> bool:
        """Save atomically to ``path``; on failure say why and keep everything as it was."""
        from allocator.formats.files import save_project

        try:
            save_project(self.document.project, path)
        except SaveError as exc:
            QMessageBox.critical(
                self,
                self.tr("Cannot save project"),
                self.tr(
                    "The project was not saved; nothing you entered is lost.\n\n{reason}"
                ).format(reason=str(exc)),
            )
            return False
        self.document.mark_saved(path)
        self._clear_recovery()
        settings.add_recent_file(os.path.abspath(path))
        settings.set(settings.LAST_PROJECT, os.path.abspath(path))
        self._remember_folder(path)
        self._update_title()
        self.statusBar().showMessage(self.tr("Saved {file}").format(file=Path(path).name), 5000)
        return True

    def _fill_recent_menu(self) -> None:
        menu = self.recentMenu
        menu.clear()
        files = settings.recent_files()
        for i, f in enumerate(files, start=1):
            label = f"&{i} {Path(f).name}" if i < 10 else Path(f).name
            action = menu.addAction(label)
            action.setToolTip(f)
            action.setStatusTip(f)
            action.setData(f)
            action.triggered.connect(_discarding(self.open_file, f))
        if not files:
            empty = menu.addAction(self.tr("No recent projects"))
            empty.setEnabled(False)
        else:
            menu.addSeparator()
            clear = menu.addAction(self.tr("Clear list"))
            clear.triggered.connect(lambda: settings.set(settings.RECENT_FILES, []))

    # drag and drop: a project file opens, a partner table is imported
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # open after the drop has finished, so a prompt never runs inside the drag
        if path.lower().endswith(TABLE_SUFFIXES):
            QTimer.singleShot(0, _discarding(self.import_partners, path))
        else:
            QTimer.singleShot(0, _discarding(self.open_file, path))

    # ------------------------------------------------------------------ autosave
    def recovery_dir(self) -> Path:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        return Path(base) / "recovery"

    def _recovery_files(self, rid: str | None = None) -> tuple[Path, Path, Path]:
        rid = rid or self._recovery_id
        d = self.recovery_dir()
        return d / f"{rid}{PROJECT_SUFFIX}", d / f"{rid}.json", d / f"{rid}.lock"

    def autosave(self) -> bool:
        """Write a recovery copy when there are unsaved changes; True if one was written."""
        from allocator.formats.files import save_project

        if not self.document.is_modified():
            self._clear_recovery()
            return False
        project_file, meta_file, lock_file = self._recovery_files()
        try:
            project_file.parent.mkdir(parents=True, exist_ok=True)
            if self._recovery_lock is None:
                lock = QLockFile(str(lock_file))
                lock.setStaleLockTime(0)
                if lock.tryLock(0):
                    self._recovery_lock = lock
            save_project(self.document.project, project_file)
            meta = {
                "path": self.document.path or "",
                "name": self.document.project.name,
                "saved": QDateTime.currentDateTime().toString(Qt.DateFormat.ISODate),
                "time": time.time(),
            }
            meta_file.write_text(json.dumps(meta), "utf-8")
        except (OSError, SaveError) as exc:
            self.statusBar().showMessage(
                self.tr("Could not write the recovery copy: {reason}").format(reason=str(exc)), 8000
            )
            return False
        return True

    def _clear_recovery(self) -> None:
        project_file, meta_file, _lock_file = self._recovery_files()
        for f in (project_file, meta_file):
            try:
                f.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass
        if self._recovery_lock is not None:
            self._recovery_lock.unlock()
            self._recovery_lock = None

    def left_behind(self) -> list[dict]:
        """Recovery copies whose window is gone (a crash), newest first."""
        d = self.recovery_dir()
        if not d.is_dir():
            return []
        found = []
        for meta_file in d.glob("*.json"):
            rid = meta_file.stem
            if rid == self._recovery_id:
                continue
            project_file, _meta, lock_file = self._recovery_files(rid)
            lock = QLockFile(str(lock_file))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                continue  # another FairShare window still owns it
            lock.unlock()
            try:
                meta = json.loads(meta_file.read_text("utf-8"))
            except (OSError, ValueError):
                meta = {}
            if not project_file.exists():
                _remove_quietly(meta_file)
                continue
            meta["id"] = rid
            meta["file"] = str(project_file)
            found.append(meta)
        found.sort(key=lambda m: float(m.get("time", 0) or 0), reverse=True)
        return found

    def offer_recovery(self) -> bool:
        """After a crash: offer the unsaved changes that were left behind. True if recovered."""
        from allocator.formats.files import load_project

        left = self.left_behind()
        if not left:
            return False
        newest = left[0]
        when = QDateTime.fromString(str(newest.get("saved", "")), Qt.DateFormat.ISODate)
        when_text = (
            QLocale().toString(when, QLocale.FormatType.ShortFormat) if when.isValid() else ""
        )
        answer = QMessageBox.question(
            self,
            self.tr("Recover unsaved changes?"),
            self.tr(
                "FairShare did not close properly last time. Unsaved changes to “{name}” "
                "were kept{when}.\n\nRecover them?"
            ).format(
                name=newest.get("name") or self.tr("a project"),
                when=self.tr(" at {time}").format(time=when_text) if when_text else "",
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        recovered = False
        if answer == QMessageBox.StandardButton.Yes:
            try:
                project = load_project(newest["file"])
            except (ValidationError, OSError) as exc:
                QMessageBox.warning(
                    self,
                    self.tr("Cannot recover"),
                    self.tr("The recovery copy cannot be read:\n\n{reason}").format(
                        reason=str(exc)
                    ),
                )
            else:
                original_path = newest.get("path") or None
                original = None
                if original_path and os.path.exists(original_path):
                    try:
                        original = load_project(original_path)
                    except (ValidationError, OSError):
                        original = None
                if original is not None:
                    self.document.reset(original, original_path)
                    self.document.edit(project, self.tr("Recover unsaved changes"))
                else:
                    self.document.reset(project, None)
                    self.document.undo_stack.resetClean()
                    self._update_title()
                recovered = True
                self.statusBar().showMessage(self.tr("Unsaved changes recovered"), 8000)
        for meta in left:  # offered once: recovered or declined, the copies go
            for f in self._recovery_files(meta["id"]):
                _remove_quietly(f)
        return recovered

    # ------------------------------------------------------------------ dialogs
    def _dialog(self, module: str, name: str, *args: Any) -> QWidget | None:
        cls = _optional_class(module, name)
        if cls is None:
            self.statusBar().showMessage(self.tr("This part of FairShare is not installed"), 5000)
            return None
        try:
            dialog = cls(self.document, *args, parent=self)
        except TypeError:
            dialog = cls(self.document, *args)
            dialog.setParent(self, dialog.windowFlags())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        return dialog

    def show_problem(self, path: str) -> None:
        """Take a person to the place a problem names: a partner's cell, a scenario's
        setting, or the project settings for anything about the project as a whole."""
        path = str(path or "")
        if not path:
            return
        if path.startswith("partners"):
            view = self.partnersView
            if view is not None and view.select_path(path):
                return
            if view is not None:
                view.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if path.startswith("scenarios"):
            panel = self.scenarioPanel
            if panel is not None and hasattr(panel, "select_path"):
                panel.select_path(path)
            return
        self.show_project_dialog()

    def show_project_dialog(self) -> None:
        dialog = self._dialog("ui.dialogs.project_dialog", "ProjectDialog")
        if dialog is not None:
            dialog.open()

    def show_needs_dialog(self, index: int) -> None:
        if not 0 <= index < len(self.document.project.partners):
            return
        dialog = self._dialog("ui.dialogs.needs_dialog", "NeedsDialog", index)
        if dialog is not None:
            dialog.open()

    def import_partners(self, path: str | None = None) -> None:
        """Choose a partner table, then preview it; nothing changes until the preview is accepted."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Import partners"),
                self._folder(),
                self.tr("Partner tables (*.xlsx *.csv);;All files (*)"),
            )
            if not path:
                return
        self._remember_folder(path)
        dialog = self._dialog("ui.dialogs.import_dialog", "ImportDialog", path)
        if dialog is not None:
            dialog.open()

    def _help(self, function: str) -> None:
        mod = _optional_class("ui.dialogs.help", function)
        if mod is None:
            self.statusBar().showMessage(self.tr("Help is not installed"), 5000)
            return
        mod(self)

    def show_method(self) -> None:
        self._help("show_method")

    def show_shortcuts(self) -> None:
        self._help("show_shortcuts")

    def show_about(self) -> None:
        self._help("show_about")

    # ------------------------------------------------------------------ export
    def export_scenario(self) -> str:
        """The scenario the workbook is for: the one chosen for the bid, else the one shown."""
        p = self.document.project
        names = [s.name for s in p.scenarios]
        if p.chosen in names:
            return p.chosen
        return self.document.current_scenario

    def export_workbook(self, path: str | None = None) -> bool:
        """Ask where, then write the workbook in a worker thread; False if not started."""
        if self._export_worker is not None and self._export_worker.is_running():
            self.statusBar().showMessage(self.tr("A workbook is already being written"), 5000)
            return False
        scenario = self.export_scenario()
        if not path:
            suggested = os.path.join(
                self._folder(),
                _safe_file_name(f"{self.document.project.name} - {scenario}") + ".xlsx",
            )
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export budget workbook"),
                suggested,
                self.tr("Excel workbooks (*.xlsx)"),
            )
            if not path:
                return False
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
        self._remember_folder(path)
        project = self.document.project
        # the workbook needs the reasons too: results whose figures alone are in do not do
        current = [r for r in self.document.results() if self.document.result_is_explained(r.name)]
        results = current if len(current) == len(project.scenarios) else None

        def job(progress: Callable[[int, str], None]) -> tuple[str, list[str]]:
            from allocator.engine.solve import Engine
            from allocator.formats.workbook import write_workbook

            nonlocal results
            if results is None:
                progress(10, "solving")
                results = Engine().solve(project)
            progress(50, "writing")
            warnings = write_workbook(project, results, path, scenario=scenario)
            progress(100, "done")
            return path, list(warnings or [])

        worker = TaskWorker(job)
        worker.progress.connect(self._on_export_progress)
        worker.finished.connect(self._on_export_done)
        worker.failed.connect(self._on_export_failed)
        self._export_worker = worker
        self.exportProgress.setValue(0)
        self.exportProgress.show()
        self.exportWorkbookAction.setEnabled(False)
        self.statusBar().showMessage(self.tr("Writing the workbook…"))
        worker.start()
        return True

    def _on_export_progress(self, pct: int, _text: str) -> None:
        self.exportProgress.setValue(pct)

    def _export_ended(self) -> None:
        self.exportProgress.hide()
        self.exportWorkbookAction.setEnabled(True)
        if self._export_worker is not None:
            self._export_worker.wait()
            self._export_worker = None

    def _on_export_done(self, value: Any) -> None:
        path, warnings = value
        self._export_ended()
        self.statusBar().showMessage(self.tr("Workbook written: {file}").format(file=path), 10000)
        self.exportFinished.emit(path)
        if not self._closing:
            self.offer_to_open(path, warnings)

    def _on_export_failed(self, message: str, _exc: Any) -> None:
        self._export_ended()
        self.statusBar().clearMessage()
        self.exportFailed.emit(message)
        if not self._closing:
            QMessageBox.critical(
                self,
                self.tr("Cannot write the workbook"),
                self.tr("The workbook was not written.\n\n{reason}").format(reason=message),
            )

    def offer_to_open(self, path: str, warnings: list[str] | None = None) -> str:
        """Offer to open the new workbook or its folder; returns "file", "folder" or ""."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Workbook written"))
        box.setText(self.tr("The budget workbook is ready:\n{file}").format(file=path))
        if warnings:
            box.setInformativeText("\n".join(warnings))
        open_file = box.addButton(self.tr("Open workbook"), QMessageBox.ButtonRole.AcceptRole)
        open_folder = box.addButton(self.tr("Show folder"), QMessageBox.ButtonRole.ActionRole)
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

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self._closing = True
        self._autosave_timer.stop()
        self._save_layout()
        settings.set(settings.LAST_PROJECT, self.document.path or "")
        if self._export_worker is not None:
            self._export_worker.wait()
        self._clear_recovery()
        sweep_view = getattr(self, "sweepView", None)
        if sweep_view is not None:
            sweep_view.shutdown()  # join a running sweep's thread before the engine goes
        self.document.shutdown()
        event.accept()


def load_with_notes(path: str) -> tuple[Any, list[str]]:
    """Load a project file and the notes about anything migrated from an older version."""
    from allocator.formats import files

    loader = getattr(files, "load_project_with_notes", None)
    if loader is not None:
        project, notes = loader(path)
        return project, list(notes)
    return files.load_project(path), []


def file_problems_in_words(path: str, problems: list[Problem]) -> list[str]:
    """Each problem with its field named for people ("Amani Collective: Capacity (per year)")."""
    raw: Any = None
    try:
        if os.path.getsize(path) < 20_000_000:
            raw = json.loads(Path(path).read_text("utf-8-sig"))
    except (OSError, ValueError):
        raw = None
    lines = []
    for problem in problems:
        where = field_in_words(problem.path, raw)
        message = problem.message
        if where:
            lines.append(f"{where}: {message}")
        else:
            lines.append(message)
    return lines


def field_in_words(path: str, raw: Any) -> str:
    """A field path from a file as people say it, using names from the file where it can."""
    if not path:
        return ""
    try:
        from allocator.domain.paths import FieldPath

        parts = FieldPath.parse(path).parts
    except Exception:
        parts = tuple(_split_path(path))
    label = _label_for(parts)
    if len(parts) >= 2 and parts[0] in ("partners", "scenarios") and isinstance(parts[1], int):
        i = parts[1]
        name = None
        if isinstance(raw, dict):
            items = raw.get(parts[0])
            if isinstance(items, list) and 0 <= i < len(items) and isinstance(items[i], dict):
                name = items[i].get("name")
        named = isinstance(name, str) and bool(name)
        if parts[0] == "partners":
            who = str(name) if named else _tr("partner {n}").format(n=i + 1)
        elif named:
            who = _tr("scenario “{name}”").format(name=name)
        else:
            who = _tr("scenario {n}").format(n=i + 1)
        if len(parts) == 2:
            return f"{who} ({path})"
        return f"{who}, {label or '.'.join(str(x) for x in parts[2:])} ({path})"
    return f"{label} ({path})" if label else path


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def _split_path(path: str) -> list[str | int]:
    out: list[str | int] = []
    for chunk in path.replace("]", "").split("."):
        for i, piece in enumerate(chunk.split("[")):
            if not piece:
                continue
            out.append(int(piece) if i > 0 and piece.isdigit() else piece)
    return out


def _label_for(parts: tuple | list) -> str:
    pattern = ""
    for part in parts:
        if isinstance(part, int):
            pattern += "[]"
        else:
            pattern += ("." if pattern else "") + part
    try:
        from allocator.domain.fields import spec_for

        return spec_for(pattern).label
    except Exception:
        return ""


def _safe_file_name(name: str) -> str:
    bad = '<>:"/\\|?*\n\r\t'
    cleaned = "".join("-" if c in bad else c for c in name).strip(" .")
    return cleaned or _tr("FairShare project")


def _dropped_file(mime: Any) -> str | None:
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            local = url.toLocalFile()
            if local.lower().endswith((PROJECT_SUFFIX, *TABLE_SUFFIXES)):
                return local
    return None


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def main_windows() -> list[MainWindow]:
    """The open FairShare windows (scripts and tests use it)."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
