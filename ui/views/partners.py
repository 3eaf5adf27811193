"""The partners table: type, paste and rearrange partners the way one does in Excel.

Every change goes to the document as one undo step: a typed cell through
``document.set_field``; a paste, a removal, a duplicate or a move as one compound
edit through ``document.edit``. Nothing asks "are you sure?": undo is the safety
net. Pasted cells are read by the same rules as a typed cell (``edits.set_field``);
the ones that cannot be used are listed, by row and column in words, in a message
above the table that does not stop the person working.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSizePolicy,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import edits, fields
from allocator.errors import ValidationError
from ui.models.common import warning_icon
from ui.models.partners import PartnersModel
from ui.widgets.delegates import PartnerDelegate

#: Text that would start a formula in a spreadsheet; copied out behind an apostrophe.
_FORMULA_START = ("=", "+", "-", "@")
#: Most refused cells listed by name in the message; the rest are counted.
MAX_LISTED = 8


# ----------------------------------------------------------------------------------
# Copy and paste as plain data (no Qt): tab-separated text in and out
# ----------------------------------------------------------------------------------


def parse_block(text: str) -> list[list[str]]:
    """Tab-separated text as Excel and LibreOffice put it on the clipboard, as rows.

    Quoted cells may hold tabs and line breaks; the trailing line break is dropped.
    """
    if not text:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    import csv  # only when pasting: off the start-up path

    try:
        rows = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"', strict=False))
    except csv.Error:
        rows = [line.split("\t") for line in text.split("\n")]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return rows


def clipboard_cell(spec: fields.FieldSpec, value: Any, percent: bool = False) -> str:
    """One value as a spreadsheet reads it back as a number: 120000, 0.35 (or 35%), yes."""
    if value is None:
        return ""
    kind = spec.kind
    if kind == "bool":
        return "yes" if value else "no"
    if spec.is_number:
        v = float(value)
        if kind == "score" and percent:
            return f"{_plain(v * 100)}%"
        return _plain(v)
    return text_cell(str(value))


def text_cell(text: str) -> str:
    """Text as a spreadsheet pastes it: never a formula, quoted when it holds tabs or breaks."""
    if text.startswith(_FORMULA_START):
        text = "'" + text  # a spreadsheet shows it as text instead of running it
    if any(ch in text for ch in '\t\n"'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _plain(v: float) -> str:
    if v.is_integer():
        return str(int(v))
    return f"{v:.10f}".rstrip("0").rstrip(".")


def block_text(rows: Sequence[Sequence[str]]) -> str:
    """Rows of cells as tab-separated lines (with a final line break, as Excel writes)."""
    return "".join("\t".join(row) + "\n" for row in rows)


@dataclass
class Refusal:
    """One pasted cell that was not used: where, in words, and why."""

    row: int  # the row number as the table shows it (1-based)
    partner: str
    column: str
    text: str
    message: str

    def words(self) -> str:
        return f"row {self.row} ({self.partner}), {self.column}: {self.message}"


@dataclass
class PasteOutcome:
    """What a paste would do to a project; ``project`` is the result."""

    project: Any
    cells: int = 0  # cells that were set (changed or not)
    added: int = 0  # partners added at the end
    rows: tuple[int, int] = (-1, -1)  # the rows pasted into (first, last)
    columns: tuple[int, int] = (-1, -1)
    refused: list[Refusal] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    beyond: int = 0  # cells to the right of the last column, left out
    header: bool = False


def header_columns(
    row: Sequence[str], columns: Sequence[fields.FieldSpec]
) -> list[int | None] | None:
    """The column each cell of a header row names, or None when the row is not a header."""
    by_words: dict[str, int] = {}
    for c, spec in enumerate(columns):
        for words in (spec.key, spec.label, spec.short):
            if words:
                by_words[_norm(words)] = c
    by_key = {spec.key: c for c, spec in enumerate(columns)}
    match = _table_header_matcher()
    mapped: list[int | None] = []
    matched = nonblank = 0
    for cell in row:
        if not cell.strip():
            mapped.append(None)
            continue
        nonblank += 1
        c = by_words.get(_norm(cell))
        if c is None and match is not None:
            key = match(cell)
            c = by_key.get(key) if key else None
            if c is None and key:
                matched += 1  # a known table column the partners table does not show (ID)
                mapped.append(-1)
                continue
        if c is not None:
            matched += 1
        mapped.append(c)
    if nonblank == 0 or matched * 2 < nonblank or matched == 0:
        return None
    return mapped


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def _table_header_matcher() -> Callable[[str], str | None] | None:
    try:
        from allocator.formats.tables import match_header
    except ImportError:
        return None
    return match_header


def _cell_text(text: str, spec: fields.FieldSpec) -> str:
    """Undo what a copy did to protect a spreadsheet: a leading apostrophe before = + - @."""
    if spec.kind == "text" and len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def paste_block(
    project: Any,
    block: Sequence[Sequence[str]],
    start_row: int,
    start_column: int,
    columns: Sequence[fields.FieldSpec] = fields.PARTNER_COLUMNS,
    targets: Sequence[tuple[int, int]] | None = None,
) -> PasteOutcome:
    """The project after pasting ``block`` at (start_row, start_column), and what was refused.

    A first row that names the columns maps the block's columns by header (and is not
    pasted). Rows past the last partner become new partners; blank rows there are
    skipped. ``targets``: paste a single copied value into each of these cells.
    Never raises for what a clipboard may hold.
    """
    outcome = PasteOutcome(project=project)
    rows = [list(r) for r in block]
    if not rows:
        return outcome
    ncols = len(columns)
    mapping: list[int | None]
    header = header_columns(rows[0], columns) if len(rows) > 1 else None
    if header is not None:
        outcome.header = True
        outcome.unknown_headers = [
            cell.strip()
            for cell, c in zip(rows[0], header, strict=False)
            if cell.strip() and c is None
        ]
        mapping = [c if c is not None and c >= 0 else None for c in header]
        rows = rows[1:]
    else:
        width = max(len(r) for r in rows)
        mapping = [start_column + j if start_column + j < ncols else None for j in range(width)]
        outcome.beyond = sum(
            1 for r in rows for j, cell in enumerate(r) if mapping[j] is None and cell.strip()
        )
    partners = list(project.partners)
    work = project
    if targets and len(rows) == 1 and len(rows[0]) == 1:
        plan = [(row, [(col, rows[0][0])]) for row, col in targets]
    else:
        plan = []
        target = min(max(0, start_row), len(partners))  # below the table: the next new row
        for cells in rows:
            pairs = [
                (mapping[j], cell)
                for j, cell in enumerate(cells)
                if j < len(mapping) and mapping[j] is not None
            ]
            if target >= len(partners) and not any(text.strip() for _, text in pairs):
                continue  # a blank line below the table adds nothing
            plan.append((target, pairs))
            target += 1
    touched_rows: list[int] = []
    touched_cols: list[int] = []
    for row, pairs in plan:
        if row >= len(partners):
            try:
                work = replace(work, partners=tuple(partners))
                work = edits.add_partner(work)
            except (ValidationError, KeyError, TypeError, ValueError) as exc:
                outcome.refused.append(
                    Refusal(row + 1, "", "", "", _message(exc) or "no more partners can be added")
                )
                break
            partners = list(work.partners)
            outcome.added += 1
            new_row = True
        else:
            new_row = row >= len(project.partners)
        for col, raw in pairs:
            spec = columns[col]
            text = _cell_text(raw, spec)
            if new_row and not text.strip():
                continue  # a new partner keeps its defaults where the block is blank
            partners[row], problem = _set_cell(work, partners, row, spec, text)
            if problem is None:
                outcome.cells += 1
                touched_rows.append(row)
                touched_cols.append(col)
            else:
                outcome.refused.append(
                    Refusal(row + 1, partners[row].name, spec.label, text, problem)
                )
    outcome.project = replace(work, partners=tuple(partners))
    if touched_rows:
        outcome.rows = (min(touched_rows), max(touched_rows))
        outcome.columns = (min(touched_cols), max(touched_cols))
    return outcome


def _set_cell(
    project: Any, partners: list[Any], row: int, spec: fields.FieldSpec, text: str
) -> tuple[Any, str | None]:
    """One cell through the core's ``set_field``, on this partner alone (fast at any size)."""
    alone = replace(project, partners=(partners[row],))
    try:
        changed = edits.set_field(alone, f"partners[0].{spec.key}", text)
    except ValidationError as exc:
        return partners[row], _message(exc)
    except (KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
        return partners[row], str(exc) or "cannot be used here"
    return changed.partners[0], None


def _message(exc: Exception) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return problems[0].message
    return str(exc)


def clear_cells(
    project: Any, cells: Sequence[tuple[int, int]], columns: Sequence[fields.FieldSpec]
) -> PasteOutcome:
    """Blank the given cells (Delete on cells, as in a spreadsheet); refused ones listed."""
    outcome = PasteOutcome(project=project)
    partners = list(project.partners)
    for row, col in cells:
        if row >= len(partners):
            continue
        spec = columns[col]
        partners[row], problem = _set_cell(project, partners, row, spec, "")
        if problem is None:
            outcome.cells += 1
        else:
            outcome.refused.append(Refusal(row + 1, partners[row].name, spec.label, "", problem))
    outcome.project = replace(project, partners=tuple(partners))
    return outcome


# ----------------------------------------------------------------------------------
# Widgets
# ----------------------------------------------------------------------------------


def _icon(name: str, theme: str, fallback: str | None) -> QIcon:
    """The app's own icon if it has one, else the desktop theme's, else the style's
    (``fallback`` names one of ``QStyle.StandardPixmap``)."""
    try:
        from ui.widgets import icons

        if name in getattr(icons, "NAMES", ()):
            found = icons.icon(name)
            if not found.isNull():
                return found
    except ImportError:
        pass
    found = QIcon.fromTheme(theme)
    if not found.isNull() or fallback is None:
        return found
    from PySide6.QtWidgets import QStyle  # only now: see ui.models.warning_icon

    return QApplication.style().standardIcon(getattr(QStyle.StandardPixmap, fallback))


class MessageBar(QFrame):
    """A message that does not stop the work: a warning mark, words, and a close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        self._icon = QLabel(self)  # the marks are drawn when a message first shows
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setObjectName("messageText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = self.close_button = QToolButton(self)
        close.setObjectName("messageClose")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Close this message"))
        close.setAccessibleName(self.tr("Close this message"))
        close.clicked.connect(self.hide)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str) -> None:
        if self._icon.pixmap().isNull():
            from PySide6.QtWidgets import QStyle  # see ui.models.warning_icon

            self._icon.setPixmap(warning_icon().pixmap(16, 16))
            close = self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton)
            self.close_button.setIcon(close)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class PartnersTable(QTableView):
    """The table itself: Delete clears a cell selection; on whole rows it removes them."""

    clearRequested = Signal()

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

    def __init__(self, document: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("partnersView")
        self.model = PartnersModel(document, self)
        self.table = PartnersTable(self)
        self.table.setObjectName("partnersTable")
        self.table.setAccessibleName(self.tr("Partners"))
        self.table.setAccessibleDescription(
            self.tr("One row per partner. Type to edit a cell; F2 edits it too.")
        )
        self.table.setModel(self.model)
        self.table.setItemDelegate(PartnerDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.clearRequested.connect(self.clear_selected_cells)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)

        self.message = MessageBar(self)
        self._make_actions()
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
        self.toolbar = bar

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        self.model.editRefused.connect(self._on_refused)
        self.model.rowsInserted.connect(self._update_actions)
        self.model.rowsRemoved.connect(self._update_actions)
        self.model.rowsMoved.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._update_actions)
        selection.currentRowChanged.connect(self._on_current_row)
        selection.currentChanged.connect(self._update_actions)
        if hasattr(document, "selectedPartnerChanged"):
            document.selectedPartnerChanged.connect(self._follow_selected_partner)
        self._restore_percent()
        self._fit_columns()
        self._follow_selected_partner(getattr(document, "selected_partner", -1))
        self._update_actions()

    # -- actions -----------------------------------------------------------------------
    def _action(
        self,
        text: str,
        tip: str,
        slot: Callable[[], Any],
        shortcuts: Sequence[QKeySequence | QKeySequence.StandardKey | str] = (),
        icon: QIcon | None = None,
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if icon is not None:
            action.setIcon(icon)
        keys = [QKeySequence(k) for k in shortcuts]
        if keys:
            action.setShortcuts(keys)
            action.setToolTip(f"{tip} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})")
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.add_action = self._action(
            self.tr("Add partner"),
            self.tr("Add a partner after the selected one"),
            self.add_partner,
            ["Ctrl+Return", "Ctrl+Enter"],
            _icon("add-partner", "list-add", "SP_FileDialogNewFolder"),
            "addPartnerAction",
        )
        self.remove_action = self._action(
            self.tr("Remove"),
            self.tr("Remove the selected partners (undo brings them back)"),
            self.remove_partners,
            [QKeySequence.StandardKey.Delete],
            _icon("remove-partner", "list-remove", "SP_TrashIcon"),
            "removePartnerAction",
        )
        self.duplicate_action = self._action(
            self.tr("Duplicate"),
            self.tr("Add a copy of each selected partner after it"),
            self.duplicate_partners,
            ["Ctrl+D"],
            _icon("duplicate", "edit-copy", "SP_FileDialogDetailedView"),
            "duplicatePartnerAction",
        )
        self.move_up_action = self._action(
            self.tr("Move up"),
            self.tr("Move the selected partners up"),
            lambda: self.move_partners(-1),
            ["Ctrl+Shift+Up"],
            _icon("move-up", "go-up", "SP_ArrowUp"),
            "movePartnerUpAction",
        )
        self.move_down_action = self._action(
            self.tr("Move down"),
            self.tr("Move the selected partners down"),
            lambda: self.move_partners(1),
            ["Ctrl+Shift+Down"],
            _icon("move-down", "go-down", "SP_ArrowDown"),
            "movePartnerDownAction",
        )
        self.copy_action = self._action(
            self.tr("Copy"),
            self.tr("Copy the selected cells as a block a spreadsheet can paste"),
            self.copy,
            [QKeySequence.StandardKey.Copy],
            _icon("copy", "edit-copy", None),
            "copyPartnersAction",
        )
        self.copy_headers_action = self._action(
            self.tr("Copy with headers"),
            self.tr("Copy the selected cells with the column headers above them"),
            lambda: self.copy(with_headers=True),
            ["Ctrl+Shift+C"],
            None,
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
            _icon("paste", "edit-paste", None),
            "pastePartnersAction",
        )
        self.assess_action = self._action(
            self.tr("Assess needs…"),
            self.tr("Answer the needs questions with the selected partner"),
            self._assess,
            [],
            _icon("needs", "document-properties", "SP_FileDialogInfoView"),
            "assessNeedsAction",
        )
        self.percent_action = QAction(self.tr("Scores as percentages"), self)
        self.percent_action.setObjectName("scoresAsPercentagesAction")
        self.percent_action.setCheckable(True)
        self.percent_action.toggled.connect(self._set_percent)
        self.addAction(self.percent_action)

    def _update_actions(self, *args: Any) -> None:
        rows = self.selected_rows()
        count = self.model.rowCount()
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

    def current_row(self) -> int:
        index = self.table.currentIndex()
        if index.isValid():
            return index.row()
        rows = self.selected_rows()
        return rows[0] if rows else -1

    def select_rows(self, first: int, last: int, column: int = 0) -> None:
        """Select whole rows and make the first one current."""
        model = self.model
        if model.rowCount() == 0:
            return
        last = min(last, model.rowCount() - 1)
        first = max(0, min(first, last))
        selection = QItemSelection(
            model.index(first, 0), model.index(last, model.columnCount() - 1)
        )
        sm = self.table.selectionModel()
        sm.setCurrentIndex(model.index(first, column), QItemSelectionModel.SelectionFlag.NoUpdate)
        sm.select(
            selection,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
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
        if current.isValid() and hasattr(self.document, "set_selected_partner"):
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

    def remove_partners(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        text = (
            self.tr("Remove {name}").format(name=self.model.partner(rows[0]).name)
            if len(rows) == 1
            else self.tr("Remove %n partners", "", len(rows))
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

        def run(project: Any) -> Any:
            for row in reversed(rows):
                project = edits.duplicate_partner(project, row)
            return project

        text = (
            self.tr("Duplicate {name}").format(name=self.model.partner(rows[0]).name)
            if len(rows) == 1
            else self.tr("Duplicate %n partners", "", len(rows))
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

        def run(project: Any) -> Any:
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
        indexes = self.table.selectionModel().selectedIndexes()
        cells = sorted({(i.row(), i.column()) for i in indexes})
        if not cells:
            return
        outcome = clear_cells(self.document.project, cells, self.model.columns)
        self.document.edit(
            outcome.project,
            self.tr("Clear a cell")
            if len(cells) == 1
            else self.tr("Clear %n cells", "", len(cells)),
        )
        self._report(outcome, self.tr("cleared"))

    # -- copy and paste ----------------------------------------------------------------
    def copy_text(self, with_headers: bool = False) -> str:
        """The selected cells as tab-separated lines: numbers plain, so Excel reads them."""
        indexes = self.table.selectionModel().selectedIndexes()
        if not indexes:
            current = self.table.currentIndex()
            indexes = [current] if current.isValid() else []
        if not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        chosen = {(i.row(), i.column()) for i in indexes}
        percent = self.model.scores_as_percentages
        out: list[list[str]] = []
        if with_headers:
            out.append([text_cell(self.model.spec(c).label) for c in cols])
        for r in rows:
            partner = self.model.partner(r)
            line = []
            for c in cols:
                spec = self.model.spec(c)
                value = getattr(partner, spec.key, None) if (r, c) in chosen else None
                line.append(clipboard_cell(spec, value, percent))
            out.append(line)
        return block_text(out)

    def copy(self, with_headers: bool = False) -> None:
        text = self.copy_text(with_headers)
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> PasteOutcome | None:
        """Paste a tab-separated block at the current cell as one undo step."""
        block = parse_block(text)
        if not block:
            return None
        current = self.table.currentIndex()
        row = current.row() if current.isValid() else self.model.rowCount()
        column = current.column() if current.isValid() else 0
        selected = sorted(
            {(i.row(), i.column()) for i in self.table.selectionModel().selectedIndexes()}
        )
        targets = selected if len(selected) > 1 else None
        outcome = paste_block(
            self.document.project, block, row, column, self.model.columns, targets
        )
        if outcome.cells or outcome.added:
            self.document.edit(outcome.project, self._paste_words(outcome))
        self._report(outcome, self.tr("pasted"))
        if outcome.rows[0] >= 0:
            first_row, last_row = outcome.rows
            first_col, last_col = outcome.columns
            selection = QItemSelection(
                self.model.index(first_row, first_col), self.model.index(last_row, last_col)
            )
            sm = self.table.selectionModel()
            sm.setCurrentIndex(
                self.model.index(first_row, first_col), QItemSelectionModel.SelectionFlag.NoUpdate
            )
            sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
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
        lines: list[str] = []
        refused = outcome.refused
        if refused:
            lines.append(
                self.tr("1 cell could not be used and was left as it was:")
                if len(refused) == 1
                else self.tr(
                    "%n cells could not be used and were left as they were:", "", len(refused)
                )
            )
            for r in refused[:MAX_LISTED]:
                if r.column:
                    lines.append(
                        self.tr("• Row {row} ({partner}), {column}: {why}").format(
                            row=r.row, partner=r.partner, column=r.column, why=r.message
                        )
                    )
                else:
                    lines.append(self.tr("• Row {row}: {why}").format(row=r.row, why=r.message))
            if len(refused) > MAX_LISTED:
                lines.append(self.tr("… and %n more.", "", len(refused) - MAX_LISTED))
        if outcome.unknown_headers:
            lines.append(
                self.tr("Columns not recognised, left out: {names}.").format(
                    names=", ".join(f"“{h}”" for h in outcome.unknown_headers)
                )
            )
        if outcome.beyond:
            lines.append(
                self.tr("1 cell beyond the last column was left out.")
                if outcome.beyond == 1
                else self.tr("%n cells beyond the last column were left out.", "", outcome.beyond)
            )
        if lines:
            if outcome.cells:
                lines.insert(
                    0,
                    (
                        self.tr("1 cell {done}.")
                        if outcome.cells == 1
                        else self.tr("%n cells {done}.", "", outcome.cells)
                    ).format(done=done),
                )
            self.show_message("\n".join(lines))
        else:
            self.message.hide()

    def show_message(self, text: str) -> None:
        self.message.show_message(text)
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
        key = _settings_key("SCORES_AS_PERCENTAGES")
        if key is not None:
            from ui.state import settings

            settings.set(key, bool(on))

    def _restore_percent(self) -> None:
        key = _settings_key("SCORES_AS_PERCENTAGES")
        if key is not None:
            from ui.state import settings

            self.percent_action.setChecked(bool(settings.get(key)))

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

    def _fit_columns(self) -> None:
        """Widths that show the sample's figures whole; the notes take the rest."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        for c, spec in enumerate(self.model.columns):
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


def two_line_width(metrics: Any, text: str) -> int:
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


def _settings_key(name: str) -> Any:
    try:
        from ui.state import settings
    except ImportError:
        return None
    return getattr(settings, name, None)
