"""The app's icons: line drawings in ``resources/icons`` painted in the palette's text colour.

The SVGs draw with ``currentColor``; each icon is painted at the size and device pixel
ratio asked for, in the colour of the current palette, so icons stay sharp on high-DPI
screens and readable in dark mode without a second set of files.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

NAMES = (
    "new",
    "open",
    "save",
    "undo",
    "redo",
    "import",
    "export",
    "add-partner",
    "remove-partner",
    "duplicate",
    "move-up",
    "move-down",
    "copy",
    "paste",
    "needs",
    "project",
    "help",
    "app",
)


@cache
def _svg(name: str) -> str:
    return resources.files("resources").joinpath("icons", f"{name}.svg").read_text("utf-8")


class _SvgIconEngine(QIconEngine):
    """Paints one SVG in the palette colour that fits the icon's mode, at any size."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._renderers: dict[str, QSvgRenderer] = {}

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        palette = QGuiApplication.palette()
        group = (
            QPalette.ColorGroup.Disabled
            if mode == QIcon.Mode.Disabled
            else QPalette.ColorGroup.Active
        )
        role = (
            QPalette.ColorRole.HighlightedText
            if mode == QIcon.Mode.Selected
            else QPalette.ColorRole.WindowText
        )
        colour = palette.color(group, role).name()
        renderer = self._renderers.get(colour)
        if renderer is None:
            text = _svg(self._name).replace("currentColor", colour)
            renderer = QSvgRenderer(QByteArray(text.encode("utf-8")))
            self._renderers[colour] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._renderer(mode).render(painter, rect)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pm = QPixmap(size)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pm

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pm = self.pixmap(
            QSize(round(size.width() * scale), round(size.height() * scale)), mode, state
        )
        pm.setDevicePixelRatio(scale)
        return pm

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._name)

    def key(self) -> str:
        return "fairshare-svg"


def icon(name: str) -> QIcon:
    """The icon called ``name`` (one of NAMES); an empty icon if the file is missing."""
    try:
        _svg(name)
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return QIcon()
    return QIcon(_SvgIconEngine(name))


def app_icon() -> QIcon:
    """The window icon: the app's mark in its own colours, at the usual sizes."""
    try:
        data = QByteArray(_svg("app").encode("utf-8"))
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return QIcon()
    renderer = QSvgRenderer(data)
    result = QIcon()
    for side in (16, 24, 32, 48, 64, 128, 256):
        pm = QPixmap(side, side)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pm)
    return result
