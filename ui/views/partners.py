"""The partners table: type, paste and rearrange partners the way one does in Excel.

Every change goes to the document as one undo step: a typed cell through
``document.set_field``; a paste, a removal, a duplicate or a move as one compound
edit through ``document.edit``. Nothing asks "are you sure?": undo is the safety
net. Copy and paste are worked out in the core (``allocator.formats.clipboard``):
pasted cells are read by the same rules as a typed cell, and the ones that cannot be
used are listed, by row and column in words, in a message above the table that does
not stop the person working.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QFontMetrics, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QMenu,
    QSizePolicy,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import edits
from allocator.domain.model import Project
from allocator.formats import clipboard
from allocator.formats.clipboard import PasteOutcome
from ui.models.partners import PartnersModel
from ui.state import settings
from ui.state.document import Document
from ui.views.partners_empty import EmptyPartnersPanel
from ui.widgets.banner import Banner, BannerKind
from ui.widgets.delegates import PartnerDelegate
from ui.widgets.icons import icon

#: A shortcut as an action takes it.
Shortcut = QKeySequence | QKeySequence.StandardKey | str


class PartnersTable(QTableView):
    """The table itself: Delete clears a cell selection; on whole rows it removes them."""

    clearRequested = Signal()

    def __init__(self, model: PartnersModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.partners_model = model
        self.setObjectName("partnersTable")
        self.setAccessibleName(self.tr("Partners"))
        self.setAccessibleDescription(
            self.tr("One row per partner. Type to edit a cell; F2 edits it too.")
        )
        self.setModel(model)
        self.setItemDelegate(PartnerDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(True)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)

    def fit_columns(self) -> None:
        """Widths that show the sample's figures whole; the notes take the rest."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        for c, spec in enumerate(self.partners_model.columns):
            if spec.key == "name":
                width = metrics.horizontalAdvance("Clearwater Advocacy Service") + 16
            elif spec.kind == "bool":
                width = metrics.horizontalAdvance(spec.label) + 16
            elif spec.kind == "money":
                # room for the warning mark beside a figure that has a problem
                width = metrics.horizontalAdvance("£0,000,000") + 12 + 8
            elif spec.kind in ("score", "count"):
                width = metrics.horizontalAdvance("00,000") + 28
            else:
                width = metrics.horizontalAdvance("M" * 14)
            label = two_line_width(header.fontMetrics(), spec.label) + 14
            header.resizeSection(c, max(width, label))
        # room for two lines of header text: the labels are the fields' own words
        header.setMinimumHeight(metrics.height() * 2 + 8)

    def event(self, e: QEvent) -> bool:
        if (
            e.type() == QEvent.Type.ShortcutOverride
            and isinstance(e, QKeyEvent)
            and e.matches(QKeySequence.StandardKey.Delete)
            and self.state() != QAbstractItemView.State.EditingState
            and not self._whole_rows()
        ):
            e.accept()  # the key comes to keyPressEvent instead of "Remove partner"
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.matches(QKeySequence.StandardKey.Delete) and not self._whole_rows():
            self.clearRequested.emit()
            e.accept()
            return
        super().keyPressEvent(e)

    def _whole_rows(self) -> bool:
        model = self.selectionModel()
        return model is not None and bool(model.selectedRows())


class PartnersView(QWidget):
    """The partners, their editors and the actions on them.

    The actions are attributes so the main window can put them in its menus and
    toolbar; their shortcuts work while the focus is in this view.
    """

    assessNeedsRequested = Signal(int)
    messageShown = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("partnersView")
        self.model = PartnersModel(document, self)
        self.table = PartnersTable(self.model, self)
        self.message = Banner("messageBar", self)  # what was refused, until closed
        self.message.label.setObjectName("messageText")
        self.message.add_close("messageClose")
        self._make_row_actions()
        self._make_clipboard_actions()
        self.toolbar = self._build_toolbar()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.emptyState = EmptyPartnersPanel(self.add_action, self.paste_action, self)
        layout.addWidget(self.emptyState, 1)

        self._connect()
        self._restore_percent()
        self.table.fit_columns()
        self._follow_selected_partner(document.selected_partner)
        self._update_actions()

    def _build_toolbar(self) -> QToolBar:
        self._percent_box = QCheckBox(self.tr("Scores as percentages"), self)
        self._percent_box.setObjectName("scoresAsPercentages")
        self._percent_box.setToolTip(
            self.tr("Show the 0-1 needs scores as percentages (0.35 as 35%)")
        )
        self._percent_box.toggled.connect(self.percent_action.setChecked)
        self.percent_action.toggled.connect(self._percent_box.setChecked)

        bar = QToolBar(self.tr("Partners"), self)
        bar.setObjectName("partnersToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setIconSize(bar.iconSize() * 0.75)
        for action in (self.add_action, self.remove_action, self.duplicate_action):
            bar.addAction(action)
        bar.addSeparator()
        for action in (self.move_up_action, self.move_down_action):
            bar.addAction(action)
            button = bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        bar.addSeparator()
        bar.addAction(self.assess_action)
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(self._percent_box)
        return bar

    def _connect(self) -> None:
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.clearRequested.connect(self.clear_selected_cells)
        self.model.editRefused.connect(self._on_refused)
        for signal in (
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.rowsMoved,
            self.model.modelReset,
        ):
            signal.connect(self._update_actions)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._update_actions)
        selection.currentRowChanged.connect(self._on_current_row)
        selection.currentChanged.connect(self._update_actions)
        self.document.selectedPartnerChanged.connect(self._follow_selected_partner)

    # -- actions -----------------------------------------------------------------------
    def _action(
        self,
        text: str,
        tip: str,
        slot: Callable[[], object],
        shortcuts: Sequence[Shortcut] = (),
        icon_name: str = "",
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if icon_name:
            action.setIcon(icon(icon_name))
        keys = [QKeySequence(k) for k in shortcuts]
        if keys:
            action.setShortcuts(keys)
            action.setToolTip(f"{tip} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})")
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_row_actions(self) -> None:
        """Add, remove, duplicate, move and assess: what acts on whole partners."""
        self.add_action = self._action(
            self.tr("Add partner"),
            self.tr("Add a partner after the selected one"),
            self.add_partner,
            ["Ctrl+Return", "Ctrl+Enter"],
            "add-partner",
            "addPartnerAction",
        )
        self.remove_action = self._action(
            self.tr("Remove"),
            self.tr("Remove the selected partners (undo brings them back)"),
            self.remove_partners,
            [QKeySequence.StandardKey.Delete],
            "remove-partner",
            "removePartnerAction",
        )
        self.duplicate_action = self._action(
            self.tr("Duplicate"),
            self.tr("Add a copy of each selected partner after it"),
            self.duplicate_partners,
            ["Ctrl+D"],
            "duplicate",
            "duplicatePartnerAction",
        )
        self.move_up_action = self._action(
            self.tr("Move up"),
            self.tr("Move the selected partners up"),
            lambda: self.move_partners(-1),
            ["Ctrl+Shift+Up"],
            "move-up",
            "movePartnerUpAction",
        )
        self.move_down_action = self._action(
            self.tr("Move down"),
            self.tr("Move the selected partners down"),
            lambda: self.move_partners(1),
            ["Ctrl+Shift+Down"],
            "move-down",
            "movePartnerDownAction",
        )
        self.assess_action = self._action(
            self.tr("Assess needs…"),
            self.tr("Answer the needs questions with the selected partner"),
            self._assess,
            [],
            "needs",
            "assessNeedsAction",
        )

    def _make_clipboard_actions(self) -> None:
        """Copy, copy with headers, paste, and how scores are shown (and so copied)."""
        self.copy_action = self._action(
            self.tr("Copy"),
            self.tr("Copy the selected cells as a block a spreadsheet can paste"),
            self.copy,
            [QKeySequence.StandardKey.Copy],
            "copy",
            "copyPartnersAction",
        )
        self.copy_headers_action = self._action(
            self.tr("Copy with headers"),
            self.tr("Copy the selected cells with the column headers above them"),
            lambda: self.copy(with_headers=True),
            ["Ctrl+Shift+C"],
            "",
            "copyPartnersWithHeadersAction",
        )
        self.paste_action = self._action(
            self.tr("Paste"),
            self.tr(
                "Paste a block copied from Excel or LibreOffice at the current cell, "
                "adding partners as needed"
            ),
            self.paste,
            [QKeySequence.StandardKey.Paste],
            "paste",
            "pastePartnersAction",
        )
        self.percent_action = QAction(self.tr("Scores as percentages"), self)
        self.percent_action.setObjectName("scoresAsPercentagesAction")
        self.percent_action.setCheckable(True)
        self.percent_action.toggled.connect(self._set_percent)
        self.addAction(self.percent_action)

    def _update_actions(self, *_: object) -> None:
        rows = self.selected_rows()
        count = self.model.rowCount()
        # no partners yet: the table shrinks to its headers and the next steps show
        self.emptyState.setVisible(count == 0)
        table = self.table
        header = table.horizontalHeader().minimumHeight() + 2 * table.frameWidth()
        header += table.horizontalScrollBar().sizeHint().height()
        table.setMaximumHeight(header if count == 0 else 16777215)
        has = bool(rows)
        self.remove_action.setEnabled(has)
        self.duplicate_action.setEnabled(has)
        self.move_up_action.setEnabled(has and rows[0] > 0)
        self.move_down_action.setEnabled(has and rows[-1] < count - 1)
        self.copy_action.setEnabled(bool(self.table.selectionModel().selectedIndexes()))
        self.copy_headers_action.setEnabled(self.copy_action.isEnabled())
        self.assess_action.setEnabled(self.current_row() >= 0)
        n = len(rows)
        self.remove_action.setText(
            self.tr("Remove partner") if n <= 1 else self.tr("Remove %n partners", "", n)
        )

    # -- selection ---------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        """Rows with any selected cell (the current cell's row when nothing is selected)."""
        selection = self.table.selectionModel()
        rows = sorted({i.row() for i in selection.selectedIndexes()})
        if not rows and selection.currentIndex().isValid():
            rows = [selection.currentIndex().row()]
        return rows

    def selected_cells(self) -> list[tuple[int, int]]:
        """The selected cells as (row, column), in order."""
        return sorted(
            {(i.row(), i.column()) for i in self.table.selectionModel().selectedIndexes()}
        )

    def current_row(self) -> int:
        index = self.table.currentIndex()
        if index.isValid():
            return index.row()
        rows = self.selected_rows()
        return rows[0] if rows else -1

    def select_rows(self, first: int, last: int, column: int = 0) -> None:
        """Select whole rows and make the first one current."""
        if self.model.rowCount() == 0:
            return
        last = min(last, self.model.rowCount() - 1)
        first = max(0, min(first, last))
        self._select(first, last, 0, self.model.columnCount() - 1, column, rows=True)

    def _select(
        self, first: int, last: int, left: int, right: int, column: int, rows: bool = False
    ) -> None:
        model = self.model
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        if rows:
            flags |= QItemSelectionModel.SelectionFlag.Rows
        sm = self.table.selectionModel()
        sm.setCurrentIndex(model.index(first, column), QItemSelectionModel.SelectionFlag.NoUpdate)
        sm.select(QItemSelection(model.index(first, left), model.index(last, right)), flags)
        self.table.scrollTo(model.index(first, column))

    def select_path(self, path: str) -> bool:
        """Show the cell a field path points at (a problem's place); False if none."""
        index = self.model.index_for_path(path)
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _on_current_row(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self.document.set_selected_partner(current.row())

    def _follow_selected_partner(self, index: int) -> None:
        current = self.table.currentIndex()
        if index < 0 or index >= self.model.rowCount():
            return
        if current.isValid() and current.row() == index:
            return
        column = current.column() if current.isValid() else 0
        self.table.selectionModel().setCurrentIndex(
            self.model.index(index, column),
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )
        self.table.scrollTo(self.model.index(index, column))

    # -- edits -------------------------------------------------------------------------
    def add_partner(self) -> None:
        """A new partner after the selection (at the end when nothing is selected)."""
        rows = self.selected_rows()
        at = rows[-1] + 1 if rows else self.model.rowCount()
        refusal = self.document.edit_with(
            lambda p: edits.add_partner(p, None, at), self.tr("Add partner")
        )
        if refusal:
            self.show_message(self.tr("No partner added: {why}").format(why=refusal))
            return
        self.message.hide()
        self.table.selectionModel().clearSelection()
        index = self.model.index(at, self.model.column_of("name"))
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _rows_text(self, one: str, many: str, rows: Sequence[int]) -> str:
        """An undo step's words: ``one`` with the partner's name, or ``many``."""
        return one.format(name=self.model.partner(rows[0]).name) if len(rows) == 1 else many

    def remove_partners(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        text = self._rows_text(
            self.tr("Remove {name}"), self.tr("Remove %n partners", "", len(rows)), rows
        )
        refusal = self.document.edit_with(lambda p: edits.remove_partners(p, rows), text)
        if refusal:
            self.show_message(self.tr("Nothing removed: {why}").format(why=refusal))
            return
        count = self.model.rowCount()
        if count:
            self.select_rows(min(rows[0], count - 1), min(rows[0], count - 1))

    def duplicate_partners(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return

        def run(project: Project) -> Project:
            for row in reversed(rows):
                project = edits.duplicate_partner(project, row)
            return project

        text = self._rows_text(
            self.tr("Duplicate {name}"), self.tr("Duplicate %n partners", "", len(rows)), rows
        )
        refusal = self.document.edit_with(run, text)
        if refusal:
            self.show_message(self.tr("Nothing duplicated: {why}").format(why=refusal))
            return
        last = rows[-1] + len(rows)
        self.select_rows(last, last)

    def move_partners(self, step: int) -> None:
        """Move the selected rows one place up (-1) or down (+1), as one undo step."""
        rows = self.selected_rows()
        count = self.model.rowCount()
        if not rows or (step < 0 and rows[0] == 0) or (step > 0 and rows[-1] >= count - 1):
            return
        column = max(0, self.table.currentIndex().column())

        def run(project: Project) -> Project:
            order = rows if step < 0 else list(reversed(rows))
            for row in order:
                project = edits.move_partner(project, row, row + step)
            return project

        text = self.tr("Move up") if step < 0 else self.tr("Move down")
        refusal = self.document.edit_with(run, text)
        if refusal:
            self.show_message(refusal)
            return
        moved = [r + step for r in rows]
        if moved == list(range(moved[0], moved[-1] + 1)):
            self.select_rows(moved[0], moved[-1], column)

    def clear_selected_cells(self) -> None:
        """Delete on cells: blank them, as a spreadsheet does (one undo step)."""
        cells = self.selected_cells()
        if not cells:
            return
        outcome = clipboard.clear_cells(self.document.project, cells, self.model.columns)
        self.document.edit(
            outcome.project,
            self.tr("Clear a cell")
            if len(cells) == 1
            else self.tr("Clear %n cells", "", len(cells)),
        )
        self._report(outcome, "cleared")

    # -- copy and paste ----------------------------------------------------------------
    def copy_text(self, with_headers: bool = False) -> str:
        """The selected cells as tab-separated lines: numbers plain, so Excel reads them."""
        cells = self.selected_cells()
        current = self.table.currentIndex()
        if not cells and current.isValid():
            cells = [(current.row(), current.column())]
        rows = clipboard.partner_rows(
            self.document.project,
            cells,
            self.model.columns,
            percent=self.model.scores_as_percentages,
            headers=with_headers,
        )
        return clipboard.tsv(rows)

    def copy(self, with_headers: bool = False) -> None:
        text = self.copy_text(with_headers)
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> PasteOutcome | None:
        """Paste a tab-separated block at the current cell as one undo step."""
        block = clipboard.parse_block(text)
        if not block:
            return None
        current = self.table.currentIndex()
        row = current.row() if current.isValid() else self.model.rowCount()
        column = current.column() if current.isValid() else 0
        selected = self.selected_cells()
        targets = selected if len(selected) > 1 else None
        outcome = clipboard.paste_block(
            self.document.project, block, row, column, self.model.columns, targets
        )
        if outcome.cells or outcome.added:
            self.document.edit(outcome.project, self._paste_words(outcome))
        self._report(outcome, "pasted")
        if outcome.rows[0] >= 0:
            (first_row, last_row), (first_col, last_col) = outcome.rows, outcome.columns
            self._select(first_row, last_row, first_col, last_col, first_col)
        return outcome

    def _paste_words(self, outcome: PasteOutcome) -> str:
        if outcome.added:
            return self.tr("Paste partners: %n added", "", outcome.added)
        return (
            self.tr("Paste a cell")
            if outcome.cells == 1
            else self.tr("Paste %n cells", "", outcome.cells)
        )

    def _report(self, outcome: PasteOutcome, done: str) -> None:
        """Say what was not used, by row and column in words; hide the bar when all was."""
        text = outcome.report(done)
        if text:
            self.show_message(text)
        else:
            self.message.hide()

    def show_message(self, text: str) -> None:
        self.message.say(text, BannerKind.WARNING)
        self.messageShown.emit(text)

    def _on_refused(self, row: int, column: int, message: str) -> None:
        spec = self.model.spec(column)
        name = self.model.partner(row).name if row < self.model.rowCount() else ""
        self.show_message(
            self.tr("Not changed: {partner}, {column} {why}").format(
                partner=name, column=spec.label, why=message
            )
        )

    # -- the rest ----------------------------------------------------------------------
    def _assess(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.assessNeedsRequested.emit(row)

    def _set_percent(self, on: bool) -> None:
        self.model.set_scores_as_percentages(on)
        settings.set(settings.SCORES_AS_PERCENTAGES, bool(on))

    def _restore_percent(self) -> None:
        self.percent_action.setChecked(bool(settings.get(settings.SCORES_AS_PERCENTAGES)))

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def context_menu(self) -> QMenu:
        """The right-click menu: the same actions as the toolbar and the Partner menu."""
        menu = QMenu(self)
        menu.setObjectName("partnersContextMenu")
        for action in (self.add_action, self.duplicate_action, self.remove_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.move_up_action)
        menu.addAction(self.move_down_action)
        menu.addSeparator()
        menu.addAction(self.copy_action)
        menu.addAction(self.copy_headers_action)
        menu.addAction(self.paste_action)
        menu.addSeparator()
        menu.addAction(self.assess_action)
        menu.addAction(self.percent_action)
        return menu


def two_line_width(metrics: QFontMetrics, text: str) -> int:
    """The narrowest width that shows ``text`` on at most two lines, broken between words.

    A unit in brackets goes on the second line whole: "Capacity" over "(per year)".
    """
    if " (" in text:
        head, _, unit = text.partition(" (")
        return max(metrics.horizontalAdvance(head), metrics.horizontalAdvance(f"({unit}"))
    words = text.split()
    best = metrics.horizontalAdvance(text)
    for cut in range(1, len(words)):
        first = metrics.horizontalAdvance(" ".join(words[:cut]))
        second = metrics.horizontalAdvance(" ".join(words[cut:]))
        best = min(best, max(first, second))
    return best
