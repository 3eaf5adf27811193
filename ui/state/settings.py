"""Every setting the app keeps between runs, in one place, with its type and default.

The rest of the app reads and writes settings only through this module, so a key is
spelt once and a wrong type read from disk falls back to the default instead of
breaking start-up. Tests switch ``QStandardPaths`` to test mode and use a throwaway
organisation name, so they never touch a person's real settings.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

ORGANISATION = "FairShare"
APPLICATION = "FairShare"
MAX_RECENT = 10


@dataclass(frozen=True)
class Key(Generic[T_co]):
    """One setting: its key in QSettings, the Python type it holds and its default."""

    name: str
    type: type[T_co]
    default: T_co
    help: str


WINDOW_GEOMETRY = Key("window/geometry", QByteArray, QByteArray(), "main window size and place")
WINDOW_STATE = Key("window/state", QByteArray, QByteArray(), "toolbars and docks")
SPLITTERS: Key[dict[str, list[int]]] = Key(
    "window/splitters", dict, {}, "splitter name -> sizes (list of int)"
)
RECENT_FILES: Key[list[str]] = Key(
    "files/recent", list, [], "project files opened lately, newest first"
)
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

ALL_KEYS: tuple[Key[object], ...] = (
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


def _coerce(key: Key[object], raw: object) -> object:
    """A value read back from disk in the key's type (``get`` falls back to the default
    when it is not): QSettings may hand back text for a number or a mark."""
    try:
        if key.type is bool:
            if isinstance(raw, str):
                return raw.strip().lower() in ("true", "1", "yes")
            return bool(raw)
        if key.type is int and isinstance(raw, int | float | str):
            return int(raw)
        if key.type is str:
            return str(raw)
        if key.type is list:
            if isinstance(raw, str):
                return [raw] if raw else []
            return [str(x) for x in raw] if isinstance(raw, list | tuple) else None
        if key.type is dict:
            return dict(raw) if isinstance(raw, dict) else None
        if key.type is QByteArray and isinstance(raw, bytes | bytearray):
            return QByteArray(raw)
    except ValueError:
        return None
    return raw


def get(key: Key[T]) -> T:
    """The stored value of ``key`` in its type, or its default."""
    s = store()
    if not s.contains(key.name):
        return _copy(key.default)
    raw = s.value(key.name)
    value = None if raw is None else _coerce(key, raw)
    return value if isinstance(value, key.type) else _copy(key.default)


def _copy(value: T) -> T:
    """Defaults are shared; hand out copies of the mutable ones."""
    return copy.copy(value) if isinstance(value, (list, dict, QByteArray)) else value


def set(key: Key[T], value: T) -> None:
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
