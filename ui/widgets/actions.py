"""One way to make an action: a name scripts find it by, words, a shortcut, an icon, a tip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QToolButton, QWidget

from ui.widgets.icons import icon

Shortcut = QKeySequence | QKeySequence.StandardKey | str


def discarding(fn: Callable[..., Any], *args: Any) -> Callable[..., None]:
    """A slot that calls ``fn(*args)`` and returns nothing.

    Signals ignore what a slot returns, and PySide mishandles a returned bool's
    reference count; slots made here therefore never return a value.
    """

    def slot(*_signal_args: Any) -> None:
        fn(*args)

    return slot


def make_action(
    owner: QWidget,
    name: str,
    text: str,
    slot: Callable[[], Any] | None = None,
    shortcut: Shortcut | None = None,
    icon_name: str = "",
    tip: str = "",
) -> QAction:
    """An action on ``owner`` (its shortcut works wherever the focus is in ``owner``).

    ``name`` is the object name scripts and screen readers find it by; a standard key
    with no binding on this platform leaves the action without a shortcut.
    """
    action = QAction(text, owner)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon_name:
        action.setIcon(icon(icon_name))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if slot is not None:
        action.triggered.connect(discarding(slot))
    owner.addAction(action)
    return action


def add_menu(bar: QMenuBar, title: str, name: str, *groups: Sequence[QAction | QMenu]) -> QMenu:
    """A named menu on ``bar`` holding ``groups`` of actions (and submenus), a
    separator between one group and the next."""
    menu = bar.addMenu(title)
    menu.setObjectName(name)
    for n, group in enumerate(groups):
        if n and group:
            menu.addSeparator()
        for item in group:
            if isinstance(item, QMenu):
                menu.addMenu(item)
            else:
                menu.addAction(item)
    return menu


def add_shortcuts(action: QAction, *keys: str) -> None:
    """More shortcuts for ``action``, after those it has."""
    have = list(action.shortcuts())
    have += [QKeySequence(k) for k in keys if QKeySequence(k) not in have]
    action.setShortcuts(have)


def icons_only(toolbar: QToolBar, *actions: QAction) -> None:
    """Show ``actions`` on ``toolbar`` by their icons alone (their words in the tooltip)."""
    for action in actions:
        button = toolbar.widgetForAction(action)
        if isinstance(button, QToolButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
