"""Recovery copies: unsaved changes written aside now and then, offered back after a crash.

Each window has its own recovery id; its copy is ``<id>.fairshare`` beside ``<id>.json``
(the original path, the project's name, when it was written) and ``<id>.lock``, held
while the window lives. A copy whose lock nobody holds was left behind by a window that
did not close properly. No widgets here: the window asks the person and shows words.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, QLockFile, QStandardPaths, Qt

from allocator.domain.model import Project
from allocator.domain.text import date_words

PROJECT_SUFFIX = ".fairshare"


@dataclass(frozen=True)
class LeftBehind:
    """A recovery copy whose window is gone."""

    id: str
    file: Path  # the recovery copy itself
    path: str  # the project's own file ("" for a project never saved)
    name: str  # the project's name
    saved: str  # when it was written, ISO 8601 ("" if not known)
    time: float  # the same as seconds since the epoch, for sorting


def when_words(saved: str) -> str:
    """When a copy was written, for people: "6 December 2026 at 14:05" ("" if unknown).

    Written out, never in a short numeric form that reads differently from one country
    to the next.
    """
    try:
        when = datetime.fromisoformat(saved.strip())
    except ValueError:
        return ""
    if when.tzinfo is not None:
        when = when.astimezone()  # the person's own clock
    return f"{date_words(when.date())} at {when:%H:%M}"


def recovery_dir() -> Path:
    """Where recovery copies live (the app's data folder; a test folder in tests)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


class RecoveryStore:
    """The recovery copy of one window's project, and those other windows left behind."""

    def __init__(self, recovery_id: str | None = None) -> None:
        self.id = recovery_id or os.urandom(16).hex()
        self._lock: QLockFile | None = None

    def files(self, rid: str | None = None) -> tuple[Path, Path, Path]:
        """The copy, its notes and its lock file for ``rid`` (this store's by default)."""
        rid = rid or self.id
        d = recovery_dir()
        return d / f"{rid}{PROJECT_SUFFIX}", d / f"{rid}.json", d / f"{rid}.lock"

    def write(self, project: Project, path: str | None) -> None:
        """Write the recovery copy of ``project`` (whose own file is ``path``).

        Raises OSError or SaveError when it cannot be written.
        """
        from allocator.formats.files import save_project

        project_file, meta_file, lock_file = self.files()
        project_file.parent.mkdir(parents=True, exist_ok=True)
        if self._lock is None:
            lock = QLockFile(str(lock_file))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):
                self._lock = lock
        save_project(project, project_file)
        meta = {
            "path": path or "",
            "name": project.name,
            "saved": QDateTime.currentDateTime().toString(Qt.DateFormat.ISODate),
            "time": time.time(),
        }
        meta_file.write_text(json.dumps(meta), "utf-8")

    def clear(self) -> None:
        """Remove this window's copy (saved, discarded or closed) and free its lock."""
        project_file, meta_file, lock_file = self.files()
        for f in (project_file, meta_file):
            _remove_quietly(f)
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
            _remove_quietly(lock_file)  # unlock removes it; a lock that went stale may not

    def left_behind(self) -> list[LeftBehind]:
        """Recovery copies whose window is gone (a crash), newest first."""
        d = recovery_dir()
        if not d.is_dir():
            return []
        found = []
        for meta_file in d.glob("*.json"):
            rid = meta_file.stem
            if rid == self.id:
                continue
            project_file, _meta, lock_file = self.files(rid)
            lock = QLockFile(str(lock_file))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                continue  # another FairShare window still owns it
            lock.unlock()
            if not project_file.exists():
                _remove_quietly(meta_file)
                continue
            found.append(_left_behind(rid, project_file, meta_file))
        found.sort(key=lambda m: m.time, reverse=True)
        return found

    def discard(self, copies: list[LeftBehind]) -> None:
        """Remove copies that were offered (recovered or declined: offered once)."""
        for copy in copies:
            for f in self.files(copy.id):
                _remove_quietly(f)


def _left_behind(rid: str, project_file: Path, meta_file: Path) -> LeftBehind:
    try:
        meta = json.loads(meta_file.read_text("utf-8"))
    except (OSError, ValueError):
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    try:
        when = float(meta.get("time", 0) or 0)
    except (TypeError, ValueError):
        when = 0.0
    return LeftBehind(
        id=rid,
        file=project_file,
        path=str(meta.get("path") or ""),
        name=str(meta.get("name") or ""),
        saved=str(meta.get("saved") or ""),
        time=when,
    )


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # gone already, or not ours to remove: nothing to recover from it either
