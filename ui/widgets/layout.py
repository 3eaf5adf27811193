"""Small layout pieces the app's views share."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget


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
