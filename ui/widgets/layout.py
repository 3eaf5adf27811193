"""Small layout pieces the app's views share."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

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
