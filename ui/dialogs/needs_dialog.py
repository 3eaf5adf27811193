"""The needs assessment for one partner: the questions, and how the answers become scores.

The questions, answers and scoring all come from ``allocator.domain.needs``; the
dialog shows them and a live preview of the two scores, answer by answer, so the lead
and the partner can see and agree how the answers became the scores. OK (or Apply)
stores the answers and sets both scores from them as one undoable edit, and the dialog
says beforehand which scores that sets, from what to what. A person who would rather
keep scores typed into the partners table ticks one box to say so.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import edits, needs
from allocator.domain.model import TYPED, Partner, Project
from ui.dialogs import error_label, problem_lines, show_problems
from ui.state.document import Document
from ui.widgets.breakdown import breakdown_tree, fill_breakdown_tree


def _stored_score(partner: Partner, key: str) -> float | None:
    """The score the project holds now for one of the two needs groups."""
    if key == needs.MULTIPLE_DISADVANTAGE:
        return partner.multiple_disadvantage
    return partner.back_office_capacity


class NeedsDialog(QDialog):
    """Ask one partner the needs questions; preview and apply the two scores."""

    def __init__(
        self, document: Document, partner_index: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("needsDialog")
        self.document = document
        self.partner_index = partner_index
        partner = document.project.partners[partner_index]
        self.partner_id = partner.id
        self.setWindowTitle(self.tr("Needs assessment: {name}").format(name=partner.name))
        self.resize(1150, 720)

        self.combos: dict[str, QComboBox] = {}
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._build_questions(partner.name))
        splitter.addWidget(self._build_preview())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([500, 650])

        self.errors = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.applyButton = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.applyButton.clicked.connect(self.apply)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)

        self._show_answers(partner.needs_answers)
        document.projectChanged.connect(self._on_project_changed)

    # -- building ------------------------------------------------------------------
    def _build_questions(self, name: str) -> QScrollArea:
        """The questions, a box per section, each with its help and a choice of answers."""
        host = QWidget(self)
        layout = QVBoxLayout(host)
        intro = QLabel(
            self.tr(
                "Ask {name} each question. Leave a question blank rather than guess: a "
                "blank is left out of the score, never counted as no need."
            ).format(name=name),
            host,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for section in needs.SECTIONS:
            box = QGroupBox(self.tr(section), host)
            box_layout = QVBoxLayout(box)
            for q in needs.QUESTIONS:
                if q.section == section:
                    self._add_question(q, box, box_layout)
            layout.addWidget(box)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(host)
        return scroll

    def _add_question(self, q: needs.Question, box: QGroupBox, layout: QVBoxLayout) -> None:
        text = QLabel(self.tr(q.text), box)
        text.setWordWrap(True)
        font = text.font()
        font.setBold(True)
        text.setFont(font)
        help_label = QLabel(self.tr(q.help), box)
        help_label.setWordWrap(True)
        palette = help_label.palette()
        palette.setColor(
            QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
        )
        help_label.setPalette(palette)
        small = help_label.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.9))
        help_label.setFont(small)
        combo = QComboBox(box)
        combo.setObjectName(f"answer_{q.id}")
        combo.addItem(self.tr("Not answered"), "")
        for option in q.options:
            combo.addItem(
                self.tr("{label} (scores {score})").format(
                    label=self.tr(option.label), score=f"{option.score:g}"
                ),
                option.id,
            )
        combo.setAccessibleName(self.tr(q.text))
        combo.setToolTip(self.tr(q.help))
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(30)
        text.setBuddy(combo)
        combo.currentIndexChanged.connect(lambda _i: self._preview())
        layout.addWidget(text)
        layout.addWidget(help_label)
        layout.addWidget(combo)
        layout.addSpacing(6)
        self.combos[q.id] = combo

    def _build_preview(self) -> QWidget:
        """The two scores the answers give, what OK sets, and how each answer counts."""
        preview = QWidget(self)
        layout = QVBoxLayout(preview)
        layout.setContentsMargins(8, 0, 0, 0)
        title = QLabel(self.tr("The scores these answers give"), preview)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.scoreLabels: dict[str, QLabel] = {}
        for key in needs.GROUPS:
            label = QLabel(preview)
            label.setObjectName(f"score_{key}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
            self.scoreLabels[key] = label
        layout.addWidget(self._build_changes(preview))
        self.linesTree = breakdown_tree(preview)
        layout.addWidget(self.linesTree, 1)
        return preview

    def _build_changes(self, parent: QWidget) -> QGroupBox:
        """What OK sets, score by score, and the one choice to keep typed scores instead."""
        box = QGroupBox(self.tr("What OK sets"), parent)
        box.setObjectName("needsChanges")
        layout = QVBoxLayout(box)
        self.changeLabels: dict[str, QLabel] = {}
        for key in needs.GROUPS:
            label = QLabel(box)
            label.setObjectName(f"change_{key}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
            self.changeLabels[key] = label
        self.keepTypedCheck = QCheckBox(self.tr("Keep the scores typed in the partners table"), box)
        self.keepTypedCheck.setObjectName("keepTypedScores")
        self.keepTypedCheck.setToolTip(
            self.tr(
                "OK then stores the answers but leaves a score typed in the partners table as it is"
            )
        )
        self.keepTypedCheck.toggled.connect(lambda _on: self._preview())
        layout.addWidget(self.keepTypedCheck)
        return box

    # -- reading -------------------------------------------------------------------
    def partner(self) -> Partner | None:
        """The partner being assessed (followed by id if rows moved), None if removed."""
        partners = self.document.project.partners
        i = self.partner_index
        if 0 <= i < len(partners) and partners[i].id == self.partner_id:
            return partners[i]
        for k, p in enumerate(partners):
            if p.id == self.partner_id:
                self.partner_index = k
                return p
        return None

    def answers(self) -> dict[str, str]:
        """The answers chosen here: question id -> answer id, blanks left out."""
        return {
            qid: combo.currentData() for qid, combo in self.combos.items() if combo.currentData()
        }

    def set_answer(self, question_id: str, answer_id: str) -> None:
        """Choose an answer ("" for not answered), as a person would in the combo box."""
        combo = self.combos[question_id]
        combo.setCurrentIndex(max(0, combo.findData(answer_id)))

    def _show_answers(self, answers: dict[str, str]) -> None:
        for qid, combo in self.combos.items():
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(0, combo.findData(answers.get(qid, ""))))
        self._preview()

    # -- preview -------------------------------------------------------------------
    def _preview(self) -> None:
        scored = needs.score(self.answers())
        self.preview_score = scored
        for key in needs.GROUPS:
            self.scoreLabels[key].setText(scored.summary(key))
        self._show_changes()
        fill_breakdown_tree(self.linesTree, needs.score_breakdown(self.answers()))

    def score_changes(self, keep_typed: bool | None = None) -> tuple[needs.ScoreChange, ...]:
        """What OK sets, score by score (with the box as it is, unless told)."""
        partner = self.partner()
        if partner is None:
            return ()
        keep = self.keepTypedCheck.isChecked() if keep_typed is None else keep_typed
        current = {key: _stored_score(partner, key) for key in needs.GROUPS}
        typed = {key: partner.source(key) == TYPED for key in needs.GROUPS}
        return needs.score_changes(self.answers(), current, typed, keep)

    def _show_changes(self) -> None:
        """Each score before and after OK; the keep box only where typed scores differ."""
        changes = self.score_changes()
        differs = any(c.differs for c in self.score_changes(keep_typed=False))
        self.keepTypedCheck.setVisible(differs)
        for change in changes:
            label = self.changeLabels[change.group]
            label.setText(change.text())
            font = label.font()
            font.setBold(change.changes)
            label.setFont(font)

    # -- applying ------------------------------------------------------------------
    def apply(self) -> bool:
        """Store the answers and set the scores shown under "What OK sets", as one
        undoable edit; True when done (or when there was nothing to change)."""
        partner = self.partner()
        if partner is None:
            return False
        i = self.partner_index
        answers = self.answers()
        hand_over = [
            c.group
            for c in self.score_changes()
            if c.typed and c.from_answers is not None and c.after == c.from_answers
        ]

        def assess(project: Project) -> Project:
            project = edits.set_needs_answers(project, i, answers)
            for key in hand_over:
                project = edits.use_questionnaire_score(project, i, key)
            return project

        refused = self.document.edit_with(
            assess, self.tr("Needs assessment for {name}").format(name=partner.name)
        )
        return self._done(refused)

    def _done(self, refused: str | None) -> bool:
        if refused:
            show_problems(self.errors, [refused])
            return False
        show_problems(self.errors, [])
        self._preview()
        return True

    def accept(self) -> None:
        if self.partner() is not None and not self.apply():
            return
        super().accept()

    def _on_project_changed(self, _old: Project, _new: Project) -> None:
        if self.partner() is None:
            show_problems(
                self.errors,
                problem_lines(
                    self.document.project,
                    [("", self.tr("This partner is no longer in the project."))],
                ),
            )
            self.applyButton.setEnabled(False)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        self._preview()
