"""A banner above a view: one line saying what a person should know, and what to do.

A view keeps one :class:`Banner` and says things through it: "Solving…" (info), "Fix 1
problem to update the split" (warning), "The split could not be worked out" (error),
"Row 2 (Amani Collective), Capacity: must be at least 0" (a refused edit, which the
person may close). Each kind shows its own sign, never colour alone; action buttons are
made once, named for the automation contract, and shown only with the messages that
offer them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)


class BannerKind(StrEnum):
    """How much a message matters: its sign and its ``kind`` property (for style sheets)."""

    INFO = "info"  # work under way, nothing to do: no sign
    WARNING = "warning"  # the figures are not the current ones, or cannot be met
    ERROR = "error"  # something failed


def kind_icon(kind: BannerKind) -> QIcon:
    """The style's sign for a kind (none for info)."""
    if kind is BannerKind.INFO:
        return QIcon()
    # QStyle is imported here, when a banner first shows a sign: PySide builds the
    # Python types of its ~600 enum values on import, which would hold up the first frame
    from PySide6.QtWidgets import QStyle

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return QIcon()
    pixmap = (
        QStyle.StandardPixmap.SP_MessageBoxCritical
        if kind is BannerKind.ERROR
        else QStyle.StandardPixmap.SP_MessageBoxWarning
    )
    return app.style().standardIcon(pixmap)


def close_icon() -> QIcon:
    """The style's close sign (imported late, as for :func:`kind_icon`)."""
    from PySide6.QtWidgets import QStyle

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return QIcon()
    return app.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton)


class Banner(QFrame):
    """One message with its sign and the buttons it offers; hidden until it says something.

    ``name`` is the banner's object name; its text is ``{name}Text``. Buttons are added
    with :meth:`add_action` and pressing one emits :attr:`actionTriggered` with its key;
    :meth:`add_close` lets a person close the banner.
    """

    actionTriggered = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._kind = BannerKind.INFO
        self._actions: dict[str, QPushButton] = {}
        self._close: QToolButton | None = None
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 3, 3, 3)
        self.icon = QLabel(self)  # the sign is drawn when first needed (say)
        self.label = QLabel(self)
        self.label.setObjectName(f"{name}Text")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self._layout.addWidget(self.label, 1)
        self.hide()

    def add_action(self, key: str, text: str, object_name: str) -> QPushButton:
        """A button the banner can offer; shown only with messages that name ``key``."""
        button = QPushButton(text, self)
        button.setObjectName(object_name)
        button.clicked.connect(lambda: self.actionTriggered.emit(key))
        button.hide()
        self._actions[key] = button
        self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return button

    def add_close(self, object_name: str) -> QToolButton:
        """A close button, shown with every message: it hides the banner."""
        button = self._close = QToolButton(self)
        button.setObjectName(object_name)
        button.setAutoRaise(True)
        button.setToolTip(self.tr("Close this message"))
        button.setAccessibleName(self.tr("Close this message"))
        button.clicked.connect(self.hide)
        self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return button

    def action(self, key: str) -> QPushButton:
        """The button added for ``key``."""
        return self._actions[key]

    def say(
        self, text: str, kind: BannerKind = BannerKind.WARNING, actions: Iterable[str] = ()
    ) -> None:
        """Show ``text`` with the sign of ``kind`` and the buttons named in ``actions``."""
        offered = set(actions)
        unknown = offered - self._actions.keys()
        if unknown:
            raise KeyError(f"no banner action {sorted(unknown)[0]!r}")
        if kind is not BannerKind.INFO and (kind is not self._kind or self.icon.pixmap().isNull()):
            self.icon.setPixmap(kind_icon(kind).pixmap(16, 16))
        self._kind = kind
        self.setProperty("kind", str(kind))
        self.icon.setVisible(kind is not BannerKind.INFO)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        for key, button in self._actions.items():
            button.setVisible(key in offered)
        if self._close is not None and self._close.icon().isNull():
            self._close.setIcon(close_icon())
        self.show()

    @property
    def kind(self) -> BannerKind:
        return self._kind

    def text(self) -> str:
        """What the banner says; "" while it is hidden."""
        return self.label.text() if not self.isHidden() else ""
