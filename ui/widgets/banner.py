"""A banner above a view: one line saying what a person should know, and what to do.

A view keeps one :class:`Banner` and says things through it: "Solving…" (info), "Fix 1
problem to update the split" (warning), "The split could not be worked out" (error),
"Row 2 (Amani Collective), Capacity: must be at least 0" (a refused edit, which the
person may close). Each kind shows its own sign, never colour alone; action buttons are
made once, named for the automation contract, and shown only with the messages that
offer them.

A long message (a scenario that cannot be met, with its suggested changes) wraps to at
most MAX_LINES lines, cut at a word with "…"; a "Show all" button then shows the rest
(up to ALL_LINES lines, scrolling beyond them, for a small screen has no more room), and
the whole message is the label's tooltip. The banner asks its layout for the height its
lines need at its width, so no line is ever cut through.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QWidget,
)

#: The most lines a message takes before the rest waits behind "Show all".
MAX_LINES = 4
#: The most lines the whole message takes once shown; it scrolls beyond them.
ALL_LINES = 6
#: Pixels kept spare when cutting, so the cut words never wrap onto one more line.
CUT_SLACK = 6


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

    ``name`` is the banner's object name; its text is ``{name}Text`` (in ``{name}Words``,
    which scrolls only a long message shown whole on a small screen) and its "Show all"
    toggle ``{name}More``. Buttons are added with :meth:`add_action` and pressing one
    emits :attr:`actionTriggered` with its key; :meth:`add_close` lets a person close
    the banner.
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
        self._text = ""  # the whole message (the label may show it cut short)
        self._expanded = False
        # measures candidate texts at a width (never shown: a layout never holds it)
        self._measure = QLabel(self)
        self._measure.hide()
        for label in (self.label, self._measure):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)  # a partner's name is never markup
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # the words scroll only when the whole of a long message is more than a small
        # screen has room for; the area is as tall as the lines it shows otherwise
        self.words = QScrollArea(self)
        self.words.setObjectName(f"{name}Words")
        self.words.setFrameShape(QFrame.Shape.NoFrame)
        self.words.setWidgetResizable(True)
        self.words.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.words.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.words.setWidget(self.label)
        self.more = QToolButton(self)
        self.more.setObjectName(f"{name}More")
        self.more.setCheckable(True)
        self.more.setText(self.tr("Show all"))
        self.more.setToolTip(self.tr("Show the whole message"))
        self.more.setAccessibleName(self.tr("Show the whole message"))
        self.more.toggled.connect(self._set_expanded)
        self.more.hide()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self._layout.addWidget(self.words, 1)
        self._layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignTop)
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
        if text != self._text:
            self._text = text
            self.more.setChecked(False)  # a new message starts short
        self.setAccessibleDescription(text)
        for key, button in self._actions.items():
            button.setVisible(key in offered)
        self._fit_text()
        if self._close is not None and self._close.icon().isNull():
            self._close.setIcon(close_icon())
        self.show()

    @property
    def kind(self) -> BannerKind:
        return self._kind

    def text(self) -> str:
        """What the banner says, whole (however much of it shows); "" while it is hidden."""
        return self._text if not self.isHidden() else ""

    # -- fitting the words -------------------------------------------------------------
    def _height_of(self, text: str, width: int) -> int:
        self._measure.setText(text)
        return self._measure.heightForWidth(max(width, 1))

    def _set_expanded(self, on: bool) -> None:
        self._expanded = on
        self.more.setText(self.tr("Show less") if on else self.tr("Show all"))
        self._fit_text()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_text()

    def _room_for_words(self) -> int:
        """The width beside the sign and the buttons shown ("Show all" aside)."""
        margins = self._layout.contentsMargins()
        width = self.contentsRect().width() - margins.left() - margins.right()
        spacing = self._layout.spacing()
        for widget in (self.icon, *self._actions.values(), self._close):
            if widget is not None and not widget.isHidden():
                width -= widget.sizeHint().width() + spacing
        return max(width, 1)

    def _fit_text(self) -> None:
        """The whole message when it fits in MAX_LINES lines (or "Show all" is on);
        otherwise as many words as fit, ending in "…", with the toggle beside them.

        Widths come from the banner's own, so that what shows never depends on the
        order in which Qt lays the words and the toggle out."""
        text = self._text
        width = self._room_for_words()
        most = self._height_of("\n".join(["M"] * MAX_LINES), width)
        long = bool(text) and self._height_of(text, width) > most
        self.more.setVisible(long)
        if long:
            width -= self.more.sizeHint().width() + self._layout.spacing()
        shown = text
        if long and not self._expanded:
            shown = self._cut(text, width - CUT_SLACK, most)
        if self.label.text() != shown:
            self.label.setText(shown)
        self.label.setToolTip(text if long else "")
        height = self._height_of(shown, width)
        tallest = self._height_of("\n".join(["M"] * ALL_LINES), width)
        scrolls = self._expanded and height > tallest
        # a scroll bar only when it is needed: one left over would narrow the words
        # onto one more line than the area is tall
        Policy = Qt.ScrollBarPolicy
        policy = Policy.ScrollBarAlwaysOn if scrolls else Policy.ScrollBarAlwaysOff
        if self.words.verticalScrollBarPolicy() != policy:
            self.words.setVerticalScrollBarPolicy(policy)
        height = min(height, tallest) if scrolls else height
        if self.words.minimumHeight() != height or self.words.maximumHeight() != height:
            self.words.setFixedHeight(height)

    def _cut(self, text: str, width: int, most: int) -> str:
        """The most whole words of ``text``, then "…", that fit ``most`` pixels high."""
        words = text.split(" ")
        low, high = 1, len(words)  # one word always shows, however narrow
        while low < high:
            mid = (low + high + 1) // 2
            if self._height_of(" ".join(words[:mid]) + "…", width) <= most:
                low = mid
            else:
                high = mid - 1
        return " ".join(words[:low]).rstrip(" ,;:") + "…"
