"""Cell editors that fit each partner field, checked by the core's own parsing rules.

A money cell takes "£120,000", "120k" or "1.2m"; a score takes "0.35" or "35%" and
steps by 0.05 with the arrow keys; a count takes "5,200". Every editor checks what
is typed with ``fields.parse_value`` (the same rules ``set_field`` applies), shows a
warning mark with the reason while the text cannot be used, and never turns a blank
into a number nobody entered.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from allocator.domain import fields
from allocator.errors import ValidationError
from ui.models.common import warning_icon
from ui.models.partners import PartnersModel

Index = QModelIndex | QPersistentModelIndex

SCORE_STEP = 0.05


def problem_with(spec: fields.FieldSpec, text: str) -> str | None:
    """Why ``text`` cannot be stored in this field, in words; None when it can."""
    try:
        fields.parse_value(spec, text)
    except ValidationError as exc:
        return exc.problems[0].message if exc.problems else str(exc)
    return None


class FieldValidator(QValidator):
    """Accepts what the core accepts; anything else is "not yet" so typing is never blocked."""

    def __init__(self, spec: fields.FieldSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if problem_with(self.spec, text) is None:
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class _Warns:
    """A trailing warning mark on a line edit, shown with its reason while input is refused.

    The line edit is looked up each time (``get_edit``): a spin box's inner line edit
    may be handed out under a new Python wrapper, and an old one must not be kept.
    """

    def __init__(self, get_edit: Callable[[], QLineEdit], spec: fields.FieldSpec) -> None:
        self.get_edit = get_edit
        self.spec = spec
        edit = get_edit()
        self.action = QAction(warning_icon(), "", edit)
        self.action.setVisible(False)
        edit.addAction(self.action, QLineEdit.ActionPosition.TrailingPosition)
        edit.textChanged.connect(self.check)

    def check(self, text: str) -> None:
        problem = problem_with(self.spec, text)
        self.action.setVisible(problem is not None)
        self.action.setToolTip(problem or "")
        self.action.setText(problem or "")
        edit = self.get_edit()
        edit.setToolTip(problem or self.spec.help)
        edit.setAccessibleDescription(problem or "")


class FieldLineEdit(QLineEdit):
    """A line editor for money, counts and text, checked as the person types."""

    def __init__(self, spec: fields.FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setFrame(False)
        if spec.kind != "text":
            self.setValidator(FieldValidator(spec, self))
            self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setAccessibleName(spec.label)
        self.warns = _Warns(lambda: self, spec)

    @property
    def problem(self) -> str | None:
        return problem_with(self.spec, self.text())


class ScoreSpinBox(QAbstractSpinBox):
    """A 0..1 score: typed as 0.35 or 35%, stepped by 0.05, and allowed to stay blank.

    A QDoubleSpinBox would show 0.00 for a blank score and commit it unasked; this one
    keeps the text as typed and only ever commits what the person entered.
    """

    def __init__(
        self, spec: fields.FieldSpec, percent: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.percent = percent
        self.setFrame(False)
        self.setAccelerated(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setAccessibleName(spec.label)
        self.warns = _Warns(self.lineEdit, spec)

    # the value ------------------------------------------------------------------------
    def value(self) -> float | None:
        """The score typed so far, or None when blank or not (yet) a score."""
        try:
            return fields.parse_value(self.spec, self.text())
        except ValidationError:
            return None

    def set_value(self, value: float | None) -> None:
        self.lineEdit().setText(self.format(value))

    def format(self, value: float | None) -> str:
        if value is None:
            return ""
        if self.percent:
            text = f"{value * 100:.4f}".rstrip("0").rstrip(".")
            return f"{text}%"
        return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"

    @property
    def problem(self) -> str | None:
        return problem_with(self.spec, self.text())

    # QAbstractSpinBox -----------------------------------------------------------------
    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if problem_with(self.spec, text) is None:
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        return text

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        v = self.value()
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if v is None or v < 1:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if v is None or v > 0:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def stepBy(self, steps: int) -> None:
        v = self.value()
        if v is None:
            # a blank starts from the middle on the first step, never from "no need"
            self.set_value(0.5)
            self.lineEdit().selectAll()
            return
        new = round(round(v / SCORE_STEP) * SCORE_STEP + steps * SCORE_STEP, 10)
        self.set_value(min(1.0, max(0.0, new)))
        self.lineEdit().selectAll()


class PartnerDelegate(QStyledItemDelegate):
    """Chooses the editor from the column's field description; check boxes need none."""

    @staticmethod
    def _model(index: Index) -> PartnersModel | None:
        model = index.model()
        return model if isinstance(model, PartnersModel) else None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model = self._model(index)
        if model is None or model.spec(index.column()).kind == "bool":
            return super().createEditor(parent, option, index)
        spec = model.spec(index.column())
        editor: QWidget
        if spec.kind == "score":
            editor = ScoreSpinBox(spec, model.scores_as_percentages, parent)
        else:
            editor = FieldLineEdit(spec, parent)
        editor.setObjectName(f"{spec.key}Editor")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        model = self._model(index)
        if model is None or not isinstance(editor, ScoreSpinBox | FieldLineEdit):
            super().setEditorData(editor, index)
            return
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, ScoreSpinBox):
            editor.set_value(value)
            editor.warns.check(editor.text())
            editor.lineEdit().selectAll()
        else:
            spec = model.spec(index.column())
            editor.setText(fields.format_value(spec, value, model.currency))
            editor.warns.check(editor.text())
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        partners = self._model(index)
        if partners is None or not isinstance(editor, ScoreSpinBox | FieldLineEdit):
            super().setModelData(editor, model, index)
            return
        text = editor.text()
        current = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, ScoreSpinBox):
            shown = editor.format(current)
        else:
            spec = partners.spec(index.column())
            shown = fields.format_value(spec, current, partners.currency)
        if text == shown:
            return  # opened and closed without a change: no undo step
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        editor.setGeometry(option.rect)
