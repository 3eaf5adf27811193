"""Small layout pieces the app's views share."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QScrollArea, QSplitter, QWidget

from ui.state import settings


def splitter(
    name: str,
    orientation: Qt.Orientation,
    widgets: Sequence[QWidget | None],
    *,
    stretch: Sequence[int] = (),
    sizes: Sequence[int] = (),
    parent: QWidget | None = None,
) -> QSplitter:
    """A named splitter whose panes never collapse to nothing, holding ``widgets`` (a
    None is left out), with optional stretch factors and starting sizes."""
    out = QSplitter(orientation, parent)
    out.setObjectName(name)
    out.setChildrenCollapsible(False)
    for w in widgets:
        if w is not None:
            out.addWidget(w)
    for i, factor in enumerate(stretch):
        out.setStretchFactor(i, factor)
    if sizes:
        out.setSizes(list(sizes))
    return out


class SplitterSizes:
    """Splitters that remember their sizes in the settings, by object name, each with
    the sizes it starts at before the person moves it."""

    def __init__(self, splitters: Sequence[QSplitter], defaults: dict[str, list[int]]) -> None:
        self.splitters = [s for s in splitters if s.objectName() in defaults]
        self.defaults = defaults

    def restore(self) -> None:
        """The sizes last saved, or the defaults where none fit."""
        for s in self.splitters:
            sizes = settings.splitter_sizes(s.objectName())
            if len(sizes) != s.count() or not any(sizes):
                sizes = self.defaults[s.objectName()][: s.count()]
            s.setSizes(sizes)

    def save(self) -> None:
        for s in self.splitters:
            settings.set_splitter_sizes(s.objectName(), s.sizes())

    def reset(self) -> None:
        """Every splitter back where it started."""
        for s in self.splitters:
            s.setSizes(self.defaults[s.objectName()][: s.count()])


def scrolling(widget: QWidget, name: str) -> QScrollArea:
    """``widget`` in a frameless scroll area called ``name``: on a small screen the part
    gets its own scroll bars instead of pushing the window past the screen's edge."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class FlowLayout(QLayout):
    """Items left to right, wrapping onto a new row where the width runs out (Qt's flow
    layout example): a row of measures stays whole on a narrow window."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 12) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        m = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in self._items) + self._gap * max(
            len(self._items) - 1, 0
        )
        height = max((i.sizeHint().height() for i in self._items), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        m = self.contentsMargins()
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (only measure unless ``move``); the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row = area.x(), area.y(), 0
        for item in self._items:
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, row = area.x(), y + row + self._gap // 3, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            row = max(row, hint.height())
        return y + row - rect.y() + m.bottom()
