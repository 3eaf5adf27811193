"""Which answers gave which part of a needs score, shown the same way everywhere.

Partners agree their scores by checking them answer by answer, so the needs dialog,
the returned-answers preview and the explanation all show the core's
:func:`allocator.domain.needs.score_breakdown` as "Question / Answer / Adds": a tree
where there is room for one, rich text in the explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from allocator.domain import needs


def _tr(text: str) -> str:
    return QCoreApplication.translate("Breakdown", text)


def _topic(line: needs.ScoreLine) -> str:
    return line.topic[:1].upper() + line.topic[1:]


def _score(value: float | None) -> str:
    return _tr("no score yet") if value is None else f"{value:.3f}"


def breakdown_tree(parent: QWidget, name: str = "needsLines") -> QTreeWidget:
    """An empty tree with the columns Question / Answer / Score × weight / Adds."""
    tree = QTreeWidget(parent)
    tree.setObjectName(name)
    tree.setAccessibleName(_tr("How each answer counts"))
    tree.setHeaderLabels([_tr("Question"), _tr("Answer"), _tr("Score × weight"), _tr("Adds")])
    tree.setRootIsDecorated(True)
    tree.setAlternatingRowColors(True)
    tree.setTextElideMode(Qt.TextElideMode.ElideRight)
    tree.setUniformRowHeights(True)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    for col in (2, 3):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    return tree


def fill_breakdown_tree(tree: QTreeWidget, breakdowns: Sequence[needs.Breakdown]) -> None:
    """One group per score (the score it adds up to), a row per question under it."""
    tree.clear()
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for b in breakdowns:
        group = QTreeWidgetItem(tree)
        group.setText(0, b.name.capitalize())
        group.setText(3, "" if b.score is None else f"= {b.score:.3f}")
        font = group.font(0)
        font.setBold(True)
        for col in range(4):
            group.setFont(col, font)
        group.setTextAlignment(3, right)
        for line in b.lines:
            item = QTreeWidgetItem(group)
            item.setText(0, _topic(line))
            item.setToolTip(0, line.text)
            if line.answer is None or line.contribution is None:
                item.setText(1, _tr("not answered"))
                item.setText(2, _tr("left out"))
                item.setToolTip(1, _tr("Left out of the score, not counted as 0"))
            else:
                item.setText(1, line.answer)
                item.setToolTip(1, line.answer)
                item.setText(2, f"{line.option_score or 0.0:.2f} × {line.weight:g}")
                item.setText(3, f"+{line.contribution:.3f}")
            for col in (2, 3):
                item.setTextAlignment(col, right)
        group.setExpanded(True)


def breakdown_html(breakdowns: Sequence[needs.Breakdown]) -> str:
    """The same as rich text: a small table "Question / Answer / Adds" per score."""
    out: list[str] = []
    head = (
        f"<tr><th align='left'>&nbsp;{escape(_tr('Question'))}&nbsp;</th>"
        f"<th align='left'>&nbsp;{escape(_tr('Answer'))}&nbsp;</th>"
        f"<th align='right'>&nbsp;{escape(_tr('Adds'))}&nbsp;</th></tr>"
    )
    for b in breakdowns:
        if not b.answered:
            continue
        title = _tr("{name}: {score}").format(name=b.name.capitalize(), score=_score(b.score))
        rows = [head]
        for line in b.lines:
            if line.answer is None or line.contribution is None:
                answer, adds = _tr("not answered"), _tr("left out")
            else:
                answer, adds = line.answer, f"+{line.contribution:.3f}"
            rows.append(
                f"<tr><td>&nbsp;{escape(_topic(line))}&nbsp;</td>"
                f"<td>&nbsp;{escape(answer)}&nbsp;</td>"
                f"<td align='right'>&nbsp;{escape(adds)}&nbsp;</td></tr>"
            )
        out.append(
            f"<p><b>{escape(title)}</b></p>"
            "<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"
        )
    return "".join(out)
