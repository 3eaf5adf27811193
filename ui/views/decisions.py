"""The choices on record: which scenario the partnership chose for the bid, when and why.

Lists :func:`allocator.report.choice.decision_history` newest first (date, scenario,
who agreed, reason) and marks an entry whose scenario changed after it was chosen; the
selected entry's partners' totals and measures, as recorded, are in the pane beside
it (and in each row's tooltip). "Record the choice…" records the scenario chosen for
the bid when it has no current entry (the sample project's, for one).
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from allocator.domain.decisions import Decision
from allocator.domain.model import Project
from allocator.domain.text import money
from allocator.report.choice import HistoryEntry, date_words, decision_history
from allocator.report.words import MEASURE_KEYS, measure_name, measure_text
from ui.models.common import warning_icon
from ui.state.document import Document

if TYPE_CHECKING:
    from ui.dialogs.choice_dialog import ChoiceDialog

COLUMNS = ("Date", "Scenario", "Agreed by", "Reason", "Since then")


def _partner_name(project: Project, partner_id: str) -> str:
    for p in project.partners:
        if p.id == partner_id:
            return p.name
    return partner_id


class DecisionsView(QWidget):
    """The history of choices, newest first, with the selected one's figures."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionsView")
        self.setAccessibleName(self.tr("Decisions"))
        self.document = document
        self.entries: list[HistoryEntry] = []
        self.choiceDialog: ChoiceDialog | None = None  # the last one opened here

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.recordButton = QPushButton(self.tr("&Record the choice…"), self)
        self.recordButton.setObjectName("recordChoiceButton")
        self.recordButton.clicked.connect(self.record_chosen)
        top = QHBoxLayout()
        top.addWidget(self.intro, 1)
        top.addWidget(self.recordButton, 0, Qt.AlignmentFlag.AlignTop)

        self.table = QTreeWidget(self)
        self.table.setObjectName("decisionsTable")
        self.table.setAccessibleName(self.tr("Choices on record, newest first"))
        self.table.setHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setUniformRowHeights(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col, width in ((1, 230), (2, 180), (4, 240)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.currentItemChanged.connect(self._show_detail)

        self.detail = QTextBrowser(self)
        self.detail.setObjectName("decisionDetail")
        self.detail.setAccessibleName(self.tr("The choice's figures as recorded"))
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        document.projectChanged.connect(self.refresh)
        document.projectReset.connect(self.refresh)
        self.refresh()

    # -- showing ---------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        project = self.document.project
        self.entries = decision_history(project)
        self.table.clear()
        for entry in self.entries:
            d = entry.decision
            item = QTreeWidgetItem(self.table)
            texts = (date_words(d.date), d.scenario, d.agreed_by, d.reason, entry.note)
            for col, text in enumerate(texts):
                item.setText(col, text)
            tip = self._totals_text(project, d)
            for col in range(len(COLUMNS)):
                item.setToolTip(col, tip)
            item.setToolTip(3, d.reason + "\n\n" + tip)
            if entry.changed:
                item.setIcon(4, warning_icon())
        first = self.table.topLevelItem(0)
        if first is not None:
            self.table.setCurrentItem(first)
        else:
            self.detail.setHtml(self._empty_html())
        self._update_intro(project)

    def _update_intro(self, project: Project) -> None:
        chosen = project.chosen_scenario
        current = chosen is not None and any(
            e.decision.scenario == chosen.name and not e.changed for e in self.entries
        )
        self.recordButton.setEnabled(chosen is not None and not current)
        if chosen is None:
            text = self.tr(
                "No scenario is chosen for the bid yet: pick one and use it for the bid."
            )
        elif current:
            text = self.tr(
                "'{name}' is chosen for the bid, and the record below says when and why."
            )
            text = text.format(name=chosen.name)
        else:
            text = self.tr(
                "'{name}' is chosen for the bid, but no current record says when or why: "
                "record the choice so the partnership can show its funder."
            ).format(name=chosen.name)
        self.intro.setText(text)

    def _empty_html(self) -> str:
        return "<p>" + escape(self.tr("No choice is on record yet.")) + "</p>"

    def _totals_text(self, project: Project, d: Decision) -> str:
        lines = [self.tr("Each partner's total when chosen:")]
        lines += [
            f"  {_partner_name(project, pid)}: {money(total, project.currency)}"
            for pid, total in d.figures.items()
        ]
        return "\n".join(lines)

    def _show_detail(self, current: QTreeWidgetItem | None, _previous: object = None) -> None:
        if current is None:
            return
        row = self.table.indexOfTopLevelItem(current)
        if not 0 <= row < len(self.entries):
            return
        self.detail.setHtml(self.detail_html(self.entries[row]))

    def detail_html(self, entry: HistoryEntry) -> str:
        """One entry in words: what, when, who, why, and its figures as recorded."""
        project = self.document.project
        d = entry.decision
        who = self.tr(" by {who}").format(who=d.agreed_by) if d.agreed_by else ""
        head = self.tr("'{name}' chosen on {date}{who}").format(
            name=d.scenario, date=date_words(d.date), who=who
        )
        out = [f"<p><b>{escape(head)}</b><br>{escape(d.reason)}</p>"]
        if entry.changed:
            after = self.tr("the figures below are the ones chosen, not today's.")
            out.append(f"<p><b>{escape(entry.note.capitalize())}</b>: {escape(after)}</p>")
        rows = "".join(
            f"<tr><td>&nbsp;{escape(_partner_name(project, pid))}&nbsp;</td>"
            f"<td align='right'>&nbsp;{escape(money(total, project.currency))}&nbsp;</td></tr>"
            for pid, total in d.figures.items()
        )
        totals = self.tr("Each partner's total when chosen")
        cur = project.currency
        measures = "".join(
            f"<tr><td>&nbsp;{escape(measure_name(key))}&nbsp;</td>"
            f"<td align='right'>&nbsp;{escape(measure_text(key, value, cur))}&nbsp;</td></tr>"
            for key in MEASURE_KEYS
            if key in d.measures
            # a measure recorded as None was unbounded
            for value in [math.inf if d.measures[key] is None else d.measures[key]]
        )
        out.append(
            "<table cellspacing='0' cellpadding='0'><tr>"
            f"<td valign='top'><b>{escape(totals)}</b><table cellpadding='1'>{rows}</table></td>"
            "<td width='40'></td>"
            f"<td valign='top'><b>{escape(self.tr('Measures of the split'))}</b>"
            f"<table cellpadding='1'>{measures}</table></td></tr></table>"
        )
        return "".join(out)

    # -- acting ----------------------------------------------------------------------
    def record_chosen(self) -> None:
        """Open the choice dialog for the scenario chosen for the bid."""
        chosen = self.document.project.chosen_scenario
        if chosen is None:
            return
        from ui.dialogs.choice_dialog import ChoiceDialog

        dialog = ChoiceDialog(self.document, chosen.name, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        self.choiceDialog = dialog
