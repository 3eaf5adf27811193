"""The scenarios: a list to pick, add, copy, rename, remove and choose one for the bid,
and an editor for every setting of the scenario picked.

The editor is built from the core's field description (``fields.SCENARIO_FIELDS``), so
every label, tooltip and bound comes from the one place that also checks the values.
Beside each of the partnership's rules a Kept box says whether suggested changes for a
scenario that cannot be met may loosen it (``keep``; one undo step per toggle).
Every change goes through :meth:`Document.set_field` as it happens, so the split
follows a slider while it is dragged; the document merges consecutive edits of one
field into one undo step. Editors are refreshed from the document with their signals
blocked, so showing a value never writes it back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QSignalBlocker,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import edits, fields
from allocator.domain.fields import FieldSpec
from allocator.domain.model import Project
from allocator.domain.paths import FieldPath
from ui.state.document import Document

if TYPE_CHECKING:
    from ui.dialogs.choice_dialog import ChoiceDialog

#: The settings that get a slider beside their spin box: the main equity knobs.
SLIDER_KEYS = (
    "weights.multiple_disadvantage",
    "weights.back_office_gap",
    "core_share",
    "management_fee",
    "ring_fence",
    "needs_floor",
)

#: Where an optional setting starts when its "no limit" box is cleared.
OPTIONAL_START = {"spread_limit": 2.0, "lead_cap": 0.5}

#: Width of every number box, so they line up in one column.
SPIN_WIDTH = 92

#: Upper end of a spin box for a field the description leaves open above.
OPEN_MAXIMUM = 100.0

NameRole = Qt.ItemDataRole.UserRole + 1
ChosenRole = Qt.ItemDataRole.UserRole + 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScenarioPanel", text)


def field_text(text: str) -> str:
    """A label or help line from the field description, through the translator."""
    return QCoreApplication.translate("FieldSpec", text) if text else ""


def scenario_suffix(spec: FieldSpec) -> str:
    """``scenarios[].weights.back_office_gap`` -> ``weights.back_office_gap``."""
    return spec.pattern.split("].", 1)[1]


def tooltip_for(spec: FieldSpec) -> str:
    """The field's help line, and its allowed range when it has one."""
    text = field_text(spec.help)
    bounds = spec.bounds_text
    if bounds:
        text += "\n" + _tr("Allowed: {bounds}.").format(bounds=bounds)
    return text


def bid_icon(size: int = 32, blank: bool = False) -> QIcon:
    """A gold star: marks the scenario chosen for the bid (beside the word, not instead).

    ``blank`` gives an empty icon of the same size, so every name starts at one place.
    """
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    if blank:
        return QIcon(pixmap)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    from math import cos, pi, sin

    centre = size / 2
    for k in range(10):
        radius = size * (0.46 if k % 2 == 0 else 0.2)
        angle = -pi / 2 + k * pi / 5
        point = QPointF(centre + radius * cos(angle), centre + radius * sin(angle))
        if k == 0:
            path.moveTo(point)
        else:
            path.lineTo(point)
    path.closeSubpath()
    painter.fillPath(path, QColor("#e0a800"))
    painter.setPen(QColor("#5c4300"))
    painter.drawPath(path)
    painter.end()
    return QIcon(pixmap)


class ScenarioListModel(QAbstractListModel):
    """The project's scenarios, in order; the chosen one reads "Name (bid)" in bold.

    Editing a name (F2 or a double click) renames the scenario through the document,
    as one undo step.
    """

    renameRefused = Signal(str)

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._names: list[str] = []
        self._chosen: str | None = None
        self._icons: tuple[QIcon, QIcon] | None = None
        self._read()
        document.projectChanged.connect(self._on_project_changed)
        document.projectReset.connect(self._on_reset)

    def _read(self) -> None:
        project = self.document.project
        self._names = [s.name for s in project.scenarios]
        chosen = project.chosen_scenario
        self._chosen = chosen.name if chosen is not None else None

    def _on_reset(self) -> None:
        self.beginResetModel()
        self._read()
        self.endResetModel()

    def _on_project_changed(self, old: Project, new: Project) -> None:
        names = [s.name for s in new.scenarios]
        chosen = new.chosen_scenario
        chosen_name = chosen.name if chosen is not None else None
        if names == self._names and chosen_name == self._chosen:
            return
        if len(names) != len(self._names):
            self._on_reset()
            return
        self._names, self._chosen = names, chosen_name
        if names:
            self.dataChanged.emit(self.index(0), self.index(len(names) - 1))

    def names(self) -> list[str]:
        return list(self._names)

    def row_of(self, name: str) -> int:
        return self._names.index(name) if name in self._names else -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._names):
            return None
        name = self._names[index.row()]
        chosen = name == self._chosen
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _tr("{name} (bid)").format(name=name) if chosen else name
        if role == Qt.ItemDataRole.EditRole or role == NameRole:
            return name
        if role == ChosenRole:
            return chosen
        if role == Qt.ItemDataRole.FontRole and chosen:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole:
            if self._icons is None:
                self._icons = (bid_icon(), bid_icon(blank=True))
            return self._icons[0] if chosen else self._icons[1]
        if role == Qt.ItemDataRole.ToolTipRole:
            if chosen:
                return _tr("{name}: the scenario chosen for the bid.").format(name=name)
            return _tr("{name}: double-click or press F2 to rename.").format(name=name)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: object, role: int = 0
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        name = " ".join(str(value).split())
        row = index.row()
        if name == self._names[row]:
            return False
        refused = self.document.edit_with(
            lambda p: edits.rename_scenario(p, row, name),
            _tr("Rename scenario to '{name}'").format(name=name),
        )
        if refused:
            self.renameRefused.emit(refused)
            return False
        return True


class _NumberEditor(QWidget):
    """A spin box, with a slider beside it for the main knobs, and for optional fields a
    "no limit" box; shares are shown in percent with one decimal.

    Emits ``edited`` with the value to store (a fraction for shares, None for no limit).
    """

    edited = Signal(object)

    def __init__(self, spec: FieldSpec, slider: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.percent = spec.kind in ("share", "rate")
        self.scale = 1000 if self.percent else 20  # slider steps: 0.1% or 0.05
        label = field_text(spec.label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.none_box: QCheckBox | None = None
        if spec.optional:
            text = _tr("No cap") if spec.key == "lead_cap" else _tr("No limit")
            self.none_box = QCheckBox(text, self)
            self.none_box.setAccessibleName(_tr("{label}: {text}").format(label=label, text=text))
            self.none_box.setToolTip(tooltip_for(spec))
            self.none_box.toggled.connect(self._on_none_toggled)
            layout.addWidget(self.none_box)

        self.slider: QSlider | None = None
        if slider:
            self.slider = QSlider(Qt.Orientation.Horizontal, self)
            self.slider.setRange(self._to_slider(self._low()), self._to_slider(self._high()))
            self.slider.setSingleStep(1 if self.percent else 1)
            self.slider.setPageStep(50 if self.percent else 10)
            self.slider.setAccessibleName(_tr("{label} slider").format(label=label))
            self.slider.setToolTip(tooltip_for(spec))
            self.slider.setMinimumWidth(90)
            self.slider.valueChanged.connect(self._on_slider)
            layout.addWidget(self.slider, 1)

        self.spin = QDoubleSpinBox(self)
        self.spin.setKeyboardTracking(False)
        if self.percent:
            self.spin.setDecimals(1)
            self.spin.setSuffix("%")
            self.spin.setSingleStep(0.5)
            self.spin.setRange(self._low() * 100, self._high() * 100)
        else:
            self.spin.setDecimals(2)
            self.spin.setSingleStep(0.05 if slider else 0.1)
            self.spin.setRange(self._low(), self._high())
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.setAccessibleName(label)
        self.spin.setToolTip(tooltip_for(spec))
        self.spin.setFixedWidth(SPIN_WIDTH)
        self.spin.valueChanged.connect(self._on_spin)
        if not slider:
            layout.addStretch(1)
        layout.addWidget(self.spin)

    def _low(self) -> float:
        return float(self.spec.minimum) if self.spec.minimum is not None else 0.0

    def _high(self) -> float:
        return float(self.spec.maximum) if self.spec.maximum is not None else OPEN_MAXIMUM

    def _to_slider(self, value: float) -> int:
        return round(value * self.scale)

    def _spin_to_value(self) -> float:
        v = self.spin.value()
        return round(v / 100, 6) if self.percent else round(v, 6)

    def focus_widgets(self) -> list[QWidget]:
        """This editor's controls in Tab order."""
        out: list[QWidget] = []
        if self.none_box is not None:
            out.append(self.none_box)
        if self.slider is not None:
            out.append(self.slider)
        out.append(self.spin)
        return out

    def show_value(self, value: float | None) -> None:
        """Show a stored value without writing it back."""
        blockers = [QSignalBlocker(w) for w in self.focus_widgets()]
        is_none = value is None
        if self.none_box is not None:
            self.none_box.setChecked(is_none)
        number = float(OPTIONAL_START.get(self.spec.key, self._low()) if value is None else value)
        self.spin.setValue(number * 100 if self.percent else number)
        if self.slider is not None:
            self.slider.setValue(self._to_slider(number))
        self.spin.setEnabled(not is_none)
        if self.slider is not None:
            self.slider.setEnabled(not is_none)
        del blockers

    def _on_slider(self, position: int) -> None:
        value = position / self.scale
        with QSignalBlocker(self.spin):
            self.spin.setValue(value * 100 if self.percent else value)
        self.edited.emit(round(value, 6))

    def _on_spin(self, _shown: float) -> None:
        value = self._spin_to_value()
        if self.slider is not None:
            with QSignalBlocker(self.slider):
                self.slider.setValue(self._to_slider(value))
        self.edited.emit(value)

    def _on_none_toggled(self, checked: bool) -> None:
        self.spin.setEnabled(not checked)
        if self.slider is not None:
            self.slider.setEnabled(not checked)
        self.edited.emit(None if checked else self._spin_to_value())


class _ChoiceEditor(QComboBox):
    """A combo box of a choice field's values, each explained in words."""

    edited = Signal(object)

    WORDS = {
        "equal": "Equal: the same for every partner",
        "capacity": "Capacity: what each partner can absorb",
        "reach": "Reach: the people each partner serves",
    }

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        for choice in spec.choices:
            self.addItem(_tr(self.WORDS.get(choice, choice)), choice)
        self.setAccessibleName(field_text(spec.label))
        self.setToolTip(tooltip_for(spec))
        self.currentIndexChanged.connect(lambda _i: self.edited.emit(self.currentData()))

    def focus_widgets(self) -> list[QWidget]:
        return [self]

    def show_value(self, value: str | None) -> None:
        with QSignalBlocker(self):
            self.setCurrentIndex(max(0, self.findData(value)))


class _PartnersLeftOut(QListWidget):
    """Every partner, checked when it is left out of the scenario."""

    edited = Signal(object)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setAccessibleName(field_text(spec.label))
        self.setToolTip(tooltip_for(spec))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.itemChanged.connect(self._on_item_changed)
        self._partners: list[tuple[str, str]] = []
        self._shown: tuple[str, ...] | None = None  # the value the boxes show now

    def focus_widgets(self) -> list[QWidget]:
        return [self]

    def set_partners(self, partners: list[tuple[str, str]]) -> None:
        """(id, name) of every partner, in project order."""
        if partners == self._partners:
            return
        self._partners = list(partners)
        self._shown = None
        with QSignalBlocker(self):
            self.clear()
            for pid, name in partners:
                item = QListWidgetItem(name or pid, self)
                item.setData(Qt.ItemDataRole.UserRole, pid)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsUserCheckable
                    | Qt.ItemFlag.ItemIsSelectable
                )
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(name)
        rows = max(3, min(len(partners), 10))
        row_height = self.sizeHintForRow(0)
        if row_height <= 0:
            row_height = self.fontMetrics().height() + 4
        self.setFixedHeight(row_height * rows + 2 * self.frameWidth() + 4)

    def show_value(self, value: Sequence[str] | None) -> None:
        if tuple(value or ()) == self._shown and self._shown == self.checked_ids():
            return  # nothing to redraw (a slider drag refreshes on every move)
        self._shown = tuple(value or ())
        left_out = set(value or ())
        with QSignalBlocker(self):
            for row in range(self.count()):
                item = self.item(row)
                pid = item.data(Qt.ItemDataRole.UserRole)
                state = Qt.CheckState.Checked if pid in left_out else Qt.CheckState.Unchecked
                item.setCheckState(state)
                item.setToolTip(
                    _tr("{name} is left out of this scenario.").format(name=item.text())
                    if pid in left_out
                    else _tr("{name} takes part in this scenario.").format(name=item.text())
                )

    def checked_ids(self) -> tuple[str, ...]:
        return tuple(
            self.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        )

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        self.edited.emit(self.checked_ids())


class _TextEditor(QLineEdit):
    """Any other field: typed as text, parsed by the core when it is written."""

    edited = Signal(object)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setAccessibleName(field_text(spec.label))
        self.setToolTip(tooltip_for(spec))
        self.editingFinished.connect(lambda: self.edited.emit(self.text()))

    def focus_widgets(self) -> list[QWidget]:
        return [self]

    def show_value(self, value: object) -> None:
        with QSignalBlocker(self):
            self.setText(fields.format_value(self.spec, value))


#: An editor of one scenario setting: each shows a value and emits ``edited`` with a new one.
SettingEditor = _NumberEditor | _ChoiceEditor | _PartnersLeftOut | _TextEditor


def keep_box_name(rule: str) -> str:
    """The object name of a rule's Kept box: ``ring_fence`` -> ``keepRingFence``."""
    return "keep" + "".join(word.title() for word in rule.split("_"))


class _KeepBox(QCheckBox):
    """Beside one of the partnership's rules: ticked while suggested changes for a
    scenario that cannot be met must keep the rule (``scenarios[].keep``)."""

    def __init__(self, rule: str, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(_tr("Kept"), parent)
        self.rule = rule
        self.setObjectName(keep_box_name(rule))
        words = field_text(spec.words)
        self.setAccessibleName(
            _tr("{label}: kept when suggesting changes").format(label=field_text(spec.label))
        )
        self.setToolTip(
            _tr(
                "Kept when suggesting changes. Suggested changes never loosen a rule you "
                "keep: untick to let FairShare suggest loosening the {rule} when the "
                "scenario cannot be met."
            ).format(rule=words)
        )

    def show_value(self, keep: Sequence[str]) -> None:
        with QSignalBlocker(self):
            self.setChecked(self.rule in keep)


class ScenarioPanel(QWidget):
    """The scenario list with its actions, and the settings of the scenario picked."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioPanel")
        self.document = document
        self._following = False

        self.model = ScenarioListModel(document, self)
        self.model.renameRefused.connect(self._show_message)
        self.scenarioList = self._build_list()
        self._make_actions()
        self.scenarioList.addActions(self.actions_for_menu())
        buttons = self._build_buttons()

        self.settingsTitle = QLabel(self)
        self.settingsTitle.setObjectName("scenarioSettingsTitle")
        title_font = self.settingsTitle.font()
        title_font.setBold(True)
        self.settingsTitle.setFont(title_font)
        self.settingsTitle.setWordWrap(True)

        self.editors: dict[str, SettingEditor] = {}
        self.keepBoxes: dict[str, _KeepBox] = {}  # by rule: "Kept when suggesting changes"
        scroll = self._build_form()

        self.message = QLabel(self)
        self.message.setObjectName("scenarioMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Scenario message"))
        self.message.hide()

        list_title = QLabel(self.tr("Scenarios"), self)
        list_title.setFont(title_font)
        list_title.setBuddy(self.scenarioList)

        layout = QVBoxLayout(self)
        layout.addWidget(list_title)
        layout.addWidget(self.scenarioList, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addWidget(self.settingsTitle)
        layout.addWidget(scroll, 3)
        self._set_tab_order()

        document.projectChanged.connect(lambda _old, _new: self.refresh())
        document.projectReset.connect(self.refresh)
        document.currentScenarioChanged.connect(lambda _name: self.refresh())
        self.refresh()

    # -- building ----------------------------------------------------------------------
    def _build_list(self) -> QListView:
        view = QListView(self)
        view.setObjectName("scenarioList")
        view.setAccessibleName(self.tr("Scenarios"))
        view.setToolTip(self.tr("The scenario picked here is the one the results show."))
        view.setModel(self.model)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        view.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        view.setWordWrap(True)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setIconSize(QSize(16, 16))
        view.setSpacing(1)
        view.selectionModel().currentChanged.connect(self._on_current_row)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return view

    def _build_buttons(self) -> QHBoxLayout:
        """A text button per scenario action; "Use for the bid" at the far end."""
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self._buttons: list[QToolButton] = []
        for action in self.actions_for_menu():
            if action is self.chooseScenarioAction:
                buttons.addStretch(1)
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAccessibleName(action.text().replace("&", "").rstrip("."))
            buttons.addWidget(button)
            self._buttons.append(button)
        return buttons

    def _build_form(self) -> QScrollArea:
        """An editor per scenario setting, built from the core's field descriptions."""
        form_host = QWidget(self)
        self.form = QFormLayout(form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        for spec in fields.SCENARIO_FIELDS:
            editor = self._make_editor(spec, form_host)
            suffix = scenario_suffix(spec)
            self.editors[suffix] = editor
            editor.edited.connect(lambda value, s=suffix: self._write(s, value))
            label = QLabel(field_text(spec.label), form_host)
            label.setToolTip(tooltip_for(spec))
            label.setWordWrap(True)
            label.setBuddy(editor.focus_widgets()[-1])
            if spec.kind == "ids":
                self.form.addRow(label)
                self.form.addRow(editor)
            elif suffix in fields.RULES or isinstance(editor, _NumberEditor):
                self.form.addRow(label, self._with_keep_box(suffix, spec, editor, form_host))
            else:
                self.form.addRow(label, editor)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form_host)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    def _with_keep_box(
        self, rule: str, spec: FieldSpec, editor: SettingEditor, parent: QWidget
    ) -> QWidget:
        """A rule's editor with its Kept box at the end of the row; any other number's
        with the same room left empty, so the number boxes line up."""
        row = QWidget(parent)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editor, 1)
        if rule in fields.RULES:
            box = _KeepBox(rule, spec, parent)
            box.toggled.connect(lambda checked, r=rule: self._write_keep(r, checked))
            self.keepBoxes[rule] = box
            layout.addWidget(box)
        else:
            width = _KeepBox(rule, spec).sizeHint().width()  # measured, never shown
            layout.addSpacing(width + layout.spacing())
        return row

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.scenarioList, *self._buttons]
        for spec in fields.SCENARIO_FIELDS:
            suffix = scenario_suffix(spec)
            chain.extend(self.editors[suffix].focus_widgets())
            if suffix in self.keepBoxes:
                chain.append(self.keepBoxes[suffix])
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self._tab_chain = chain

    # -- building ----------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text: str, name: str, tip: str, slot: Callable[[], object]) -> QAction:
            a = QAction(text, self)
            a.setObjectName(name)
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            return a

        self.addScenarioAction = action(
            self.tr("&Add"),
            "addScenarioAction",
            self.tr("Add a scenario with the default settings"),
            self.add_scenario,
        )
        self.duplicateScenarioAction = action(
            self.tr("&Copy"),
            "duplicateScenarioAction",
            self.tr("Copy the picked scenario, to try a change beside it"),
            self.duplicate_scenario,
        )
        self.renameScenarioAction = action(
            self.tr("Re&name"),
            "renameScenarioAction",
            self.tr("Rename the picked scenario (F2)"),
            self.rename_scenario,
        )
        self.renameScenarioAction.setShortcut(QKeySequence("F2"))
        self.renameScenarioAction.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.removeScenarioAction = action(
            self.tr("&Remove"),
            "removeScenarioAction",
            self.tr("Remove the picked scenario (Undo brings it back)"),
            self.remove_scenario,
        )
        self.removeScenarioAction.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.removeScenarioAction.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.chooseScenarioAction = action(
            self.tr("Use for the &bid"),
            "chooseScenarioAction",
            self.tr("Choose the picked scenario for the bid: the workbook shows it"),
            self.choose_scenario,
        )

    def _make_editor(self, spec: FieldSpec, parent: QWidget) -> SettingEditor:
        suffix = scenario_suffix(spec)
        if spec.kind == "choice":
            return _ChoiceEditor(spec, parent)
        if spec.kind == "ids":
            return _PartnersLeftOut(spec, parent)
        if spec.is_number:
            return _NumberEditor(spec, suffix in SLIDER_KEYS, parent)
        return _TextEditor(spec, parent)

    # -- the scenario shown ------------------------------------------------------------
    def scenario_index(self) -> int:
        """Position of the scenario the results show, -1 when there is none."""
        names = [s.name for s in self.document.project.scenarios]
        name = self.document.current_scenario
        return names.index(name) if name in names else -1

    def field_path(self, suffix: str) -> str:
        """The full path of a setting of the scenario shown: ``scenarios[1].ring_fence``."""
        return f"scenarios[{self.scenario_index()}].{suffix}"

    def select_path(self, path: str) -> bool:
        """Show the setting a field path names (a problem's place); False if it is not here.

        ``scenarios[2].weights.back_office_gap`` selects the third scenario and puts the
        keyboard in that setting's editor, so a person lands where the fix is typed.
        """
        head, sep, suffix = str(path).partition("].")
        if not sep or not head.startswith("scenarios["):
            return False
        try:
            j = int(head[len("scenarios[") :])
        except ValueError:
            return False
        scenarios = self.document.project.scenarios
        if not 0 <= j < len(scenarios):
            return False
        if self.document.current_scenario != scenarios[j].name:
            self.document.set_current_scenario(scenarios[j].name)
        self.refresh()
        if suffix.partition("[")[0] == "keep" and self.keepBoxes:
            # the rules kept: the first Kept box
            next(iter(self.keepBoxes.values())).setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        editor = self.editors.get(suffix)
        if editor is None:
            # a part of a setting (one weight of a list, say): its editor is the nearest one
            matches = [k for k in self.editors if suffix.startswith(k)]
            editor = self.editors[max(matches, key=len)] if matches else None
        if editor is None:
            self.scenarioList.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        # the number box where the editor has one (a ticked "No limit" disables it)
        target: QWidget
        if isinstance(editor, _NumberEditor) and editor.spin.isEnabled():
            target = editor.spin
        else:
            enabled = [w for w in editor.focus_widgets() if w.isEnabled()]
            target = enabled[0] if enabled else editor
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def refresh(self) -> None:
        """Show the document's state: list selection, actions and every setting."""
        project = self.document.project
        row = self.model.row_of(self.document.current_scenario)
        self._following = True
        try:
            current = self.scenarioList.currentIndex()
            if current.row() != row:
                if row >= 0:
                    self.scenarioList.setCurrentIndex(self.model.index(row))
                else:
                    self.scenarioList.clearSelection()
        finally:
            self._following = False

        j = self.scenario_index()
        has = j >= 0
        count = len(project.scenarios)
        chosen = project.chosen_scenario
        is_chosen = has and chosen is not None and chosen.name == project.scenarios[j].name
        self.duplicateScenarioAction.setEnabled(has)
        self.renameScenarioAction.setEnabled(has)
        self.removeScenarioAction.setEnabled(has and count > 1)
        self.chooseScenarioAction.setEnabled(has and not is_chosen)
        if has:
            name = project.scenarios[j].name
            title = self.tr("Settings of '{name}'").format(name=name)
            if is_chosen:
                title += " " + self.tr("(chosen for the bid)")
        else:
            title = self.tr("No scenario: add one to see a split")
        self.settingsTitle.setText(title)

        left_out = self.editors.get("excluded")
        if isinstance(left_out, _PartnersLeftOut):
            left_out.set_partners([(p.id, p.name) for p in project.partners])
        for suffix, editor in self.editors.items():
            editor.setEnabled(has)
            if not has:
                continue
            try:
                value = FieldPath.parse(self.field_path(suffix)).get(project)
            except (LookupError, AttributeError):
                continue
            editor.show_value(value)
        keep = project.scenarios[j].keep if has else ()
        for box in self.keepBoxes.values():
            box.setEnabled(has)
            box.show_value(keep)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._following or not current.isValid():
            return
        name = current.data(NameRole)
        if name:
            self.document.set_current_scenario(name)

    # -- edits -------------------------------------------------------------------------
    def _write(self, suffix: str, value: object) -> None:
        if self.scenario_index() < 0:
            return
        refused = self.document.set_field(self.field_path(suffix), value)
        if refused:
            self._show_message(refused)
            self.refresh()
        else:
            self.message.hide()

    def _write_keep(self, rule: str, kept: bool) -> None:
        """Keep a rule out of suggested changes, or let them loosen it: one undo step
        each (a toggle never merges with the next one)."""
        j = self.scenario_index()
        if j < 0:
            return
        scenario = self.document.project.scenarios[j]
        keep = tuple(
            r for r in fields.RULES if (r == rule and kept) or (r != rule and r in scenario.keep)
        )
        words = field_text(fields.spec_for(self.field_path(rule)).words)
        text = (
            self.tr("Keep the {rule} of '{name}' in suggested changes")
            if kept
            else self.tr("Let suggested changes loosen the {rule} of '{name}'")
        ).format(rule=words, name=scenario.name)
        path = self.field_path("keep")
        refused = self.document.edit_with(lambda p: edits.set_field(p, path, keep), text)
        if refused:
            self._show_message(refused)
            self.refresh()
        else:
            self.message.hide()

    def _show_message(self, text: str) -> None:
        self.message.setText(self.tr("Not changed: {why}").format(why=text))
        self.message.show()

    def _edit(self, fn: Callable[[Project], Project], text: str, then: str | None = None) -> bool:
        refused = self.document.edit_with(fn, text)
        if refused:
            self._show_message(refused)
            return False
        self.message.hide()
        if then is not None:
            self.document.set_current_scenario(then)
        return True

    def add_scenario(self) -> None:
        before = {s.name for s in self.document.project.scenarios}
        if self._edit(lambda p: edits.add_scenario(p), self.tr("Add scenario")):
            self._show_new(before)

    def duplicate_scenario(self) -> None:
        j = self.scenario_index()
        if j < 0:
            return
        before = {s.name for s in self.document.project.scenarios}
        name = self.document.project.scenarios[j].name
        if self._edit(
            lambda p: edits.duplicate_scenario(p, j),
            self.tr("Copy scenario '{name}'").format(name=name),
        ):
            self._show_new(before)

    def _show_new(self, before: set[str]) -> None:
        for s in self.document.project.scenarios:
            if s.name not in before:
                self.document.set_current_scenario(s.name)
                break
        self.scenarioList.setFocus()

    def rename_scenario(self) -> None:
        """Edit the picked scenario's name in place (the list's editor)."""
        row = self.scenario_index()
        if row < 0:
            return
        index = self.model.index(row)
        self.scenarioList.setCurrentIndex(index)
        self.scenarioList.setFocus()
        self.scenarioList.edit(index)

    def remove_scenario(self) -> None:
        j = self.scenario_index()
        if j < 0 or len(self.document.project.scenarios) < 2:
            return
        name = self.document.project.scenarios[j].name
        self._edit(
            lambda p: edits.remove_scenario(p, j),
            self.tr("Remove scenario '{name}'").format(name=name),
        )

    def choose_scenario(self) -> ChoiceDialog | None:
        """Ask the reason and who agreed; OK there records the choice (one undo step)."""
        j = self.scenario_index()
        if j < 0:
            return None
        from ui.dialogs.choice_dialog import ChoiceDialog  # the record's solve: when asked

        dialog = ChoiceDialog(self.document, self.document.project.scenarios[j].name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def actions_for_menu(self) -> list[QAction]:
        """The scenario actions, for the main window's Scenario menu."""
        return [
            self.addScenarioAction,
            self.duplicateScenarioAction,
            self.renameScenarioAction,
            self.removeScenarioAction,
            self.chooseScenarioAction,
        ]
