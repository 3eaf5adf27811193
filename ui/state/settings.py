"""Every setting the app keeps between runs, in one place, with its type and default.

The rest of the app reads and writes settings only through this module, so a key is
spelt once and a wrong type read from disk falls back to the default instead of
breaking start-up. Tests switch ``QStandardPaths`` to test mode and use a throwaway
organisation name, so they never touch a person's real settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "FairShare"
APPLICATION = "FairShare"
MAX_RECENT = 10


@dataclass(frozen=True)
class Key:
    """One setting: its key in QSettings, the Python type it holds and its default."""

    name: str
    type: type
    default: Any
    help: str


WINDOW_GEOMETRY = Key("window/geometry", QByteArray, QByteArray(), "main window size and place")
WINDOW_STATE = Key("window/state", QByteArray, QByteArray(), "toolbars and docks")
SPLITTERS = Key("window/splitters", dict, {}, "splitter name -> sizes (list of int)")
RECENT_FILES = Key("files/recent", list, [], "project files opened lately, newest first")
LAST_FOLDER = Key("files/last_folder", str, "", "the folder the file dialogs open in")
LAST_PROJECT = Key("files/last_project", str, "", "the project open when the app last closed")
FIRST_START_DONE = Key("app/first_start_done", bool, False, "the sample has been shown once")
AUTOSAVE_SECONDS = Key("app/autosave_seconds", int, 60, "how often a recovery copy is written")
RESULTS_TAB = Key("window/results_tab", int, 0, "the tab shown under the partners")
SCORES_AS_PERCENTAGES = Key(
    "view/scores_as_percentages", bool, False, "needs scores shown as 35% rather than 0.35"
)
SHOW_BUDGET_LINES = Key(
    "view/show_budget_lines", bool, False, "the results show each partner's budget lines"
)
COMPARE_SHOW = Key(
    "view/compare_show", str, "both", "the comparison shows amounts, changes or both"
)

ALL_KEYS: tuple[Key, ...] = (
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    SPLITTERS,
    RECENT_FILES,
    LAST_FOLDER,
    LAST_PROJECT,
    FIRST_START_DONE,
    AUTOSAVE_SECONDS,
    RESULTS_TAB,
    SCORES_AS_PERCENTAGES,
    SHOW_BUDGET_LINES,
    COMPARE_SHOW,
)


def store() -> QSettings:
    """The settings store for the running application (organisation and name set in app)."""
    return QSettings()


def _coerce(key: Key, raw: Any) -> Any:
    """A value read back from disk in the key's type, or the default when it cannot be."""
    if raw is None:
        return _copy(key.default)
    try:
        if key.type is bool:
            if isinstance(raw, str):
                return raw.strip().lower() in ("true", "1", "yes")
            return bool(raw)
        if key.type is int:
            return int(raw)
        if key.type is str:
            return str(raw)
        if key.type is list:
            if isinstance(raw, str):
                return [raw] if raw else []
            return [str(x) for x in raw]
        if key.type is dict:
            return dict(raw) if isinstance(raw, dict) else _copy(key.default)
        if key.type is QByteArray:
            return raw if isinstance(raw, QByteArray) else QByteArray(raw)
    except (TypeError, ValueError):
        return _copy(key.default)
    return raw


def get(key: Key) -> Any:
    """The stored value of ``key`` in its type, or its default."""
    s = store()
    if not s.contains(key.name):
        return _copy(key.default)
    return _coerce(key, s.value(key.name))


def _copy(value: Any) -> Any:
    """Defaults are shared; hand out copies of the mutable ones."""
    if isinstance(value, (list, dict)):
        return type(value)(value)
    if isinstance(value, QByteArray):
        return QByteArray(value)
    return value


def set(key: Key, value: Any) -> None:
    """Store ``value`` under ``key``."""
    store().setValue(key.name, value)


def recent_files() -> list[str]:
    return list(get(RECENT_FILES))


def add_recent_file(path: str) -> list[str]:
    """Put ``path`` first in the recent files (once), keeping at most MAX_RECENT."""
    files = [f for f in recent_files() if f != path]
    files.insert(0, path)
    files = files[:MAX_RECENT]
    set(RECENT_FILES, files)
    return files


def remove_recent_file(path: str) -> list[str]:
    files = [f for f in recent_files() if f != path]
    set(RECENT_FILES, files)
    return files


def splitter_sizes(name: str) -> list[int]:
    sizes = get(SPLITTERS).get(name)
    try:
        return [int(x) for x in sizes] if sizes else []
    except (TypeError, ValueError):
        return []


def set_splitter_sizes(name: str, sizes: list[int]) -> None:
    all_sizes = dict(get(SPLITTERS))
    all_sizes[name] = [int(x) for x in sizes]
    set(SPLITTERS, all_sizes)


def clear() -> None:
    """Forget every setting (used by tests and by a reset)."""
    store().clear()
