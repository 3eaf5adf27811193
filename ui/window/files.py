"""Project files for the main window: new, open, save, save as, recent files, drag and
drop, the unsaved-changes prompt, and the recovery copy written aside now and then.

The plain functions at the top (the sample, loading with notes, a refused file's
problems in words) serve the app's start as well; :class:`FileHandler` is the window's.
"""

from __future__ import annotations

import functools
import json
import os
import zipfile
from importlib import resources
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QMimeData,
    QObject,
    QStandardPaths,
)
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from allocator.domain.model import Project
from allocator.domain.paths import describe_file_path
from allocator.errors import Problem, SaveError, ValidationError
from ui.state import settings
from ui.state.document import Document
from ui.state.recovery import LeftBehind, RecoveryStore, when_words
from ui.widgets.actions import discarding

SAMPLE_NAME = "sample.fairshare"
PROJECT_SUFFIX = ".fairshare"
TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_PROBLEMS_SHOWN = 20


def _tr(text: str) -> str:
    return QCoreApplication.translate("Files", text)


def sample_project() -> Project:
    """The sample partnership shipped with FairShare (read through importlib.resources)."""
    from allocator.formats.files import loads_project

    data = resources.files("resources").joinpath(SAMPLE_NAME).read_bytes()
    return loads_project(data)


@functools.cache
def _shipped_sample() -> Project:
    return sample_project()  # projects are immutable: one read serves every check


def is_shipped_sample(project: Project) -> bool:
    """True when ``project`` is the sample partnership shipped with FairShare, unchanged."""
    return project.name == _shipped_sample().name and project == _shipped_sample()


def is_packaged_sample(path: str | os.PathLike[str]) -> bool:
    """True for the sample file shipped inside FairShare (opened as an untitled copy,
    so that Save never overwrites it)."""
    sample = resources.files("resources").joinpath(SAMPLE_NAME)
    try:
        return os.path.samefile(os.fspath(path), str(sample))
    except OSError:
        return False  # either file is missing: not the sample


def load_with_notes(path: str | os.PathLike[str]) -> tuple[Project, list[str]]:
    """Load a project file and the notes about anything migrated from an older version."""
    from allocator.formats.files import load_project_with_notes

    project, notes = load_project_with_notes(path)
    return project, list(notes)


def file_problems_in_words(path: str, problems: list[Problem]) -> list[str]:
    """Each problem with its field named for people ("Amani Collective, Capacity (per
    year) (partners[1].capacity): ..."), names taken from the file where it has them."""
    raw: object = None
    try:
        if os.path.getsize(path) < 20_000_000:
            raw = json.loads(Path(path).read_text("utf-8-sig"))
    except (OSError, ValueError):
        raw = None  # unreadable or not JSON: the paths alone name the fields
    lines = []
    for problem in problems:
        where = describe_file_path(problem.path, raw)
        lines.append(f"{where}: {problem.message}" if where else problem.message)
    return lines


def problems_as_bullets(lines: list[str]) -> str:
    """The first problems as a bulleted list, and how many more there are."""
    text = "\n".join(f"• {line}" for line in lines[:MAX_PROBLEMS_SHOWN])
    if len(lines) > MAX_PROBLEMS_SHOWN:
        text += "\n" + _tr("…and {n} more").format(n=len(lines) - MAX_PROBLEMS_SHOWN)
    return text


def safe_file_name(name: str) -> str:
    """``name`` with the characters file systems refuse replaced by "-"."""
    bad = '<>:"/\\|?*\n\r\t'
    cleaned = "".join("-" if c in bad else c for c in name).strip(" .")
    return cleaned or _tr("FairShare project")


def dropped_file(mime: QMimeData | None) -> str | None:
    """The first local project file or partner table in a drag, if any."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            local = url.toLocalFile()
            if local.lower().endswith((PROJECT_SUFFIX, *TABLE_SUFFIXES)):
                return local
    return None


def is_questionnaire(path: str) -> bool:
    """True for a FairShare needs questionnaire (a workbook with its identifying sheet);
    any other .xlsx is a partner table. Reads only the workbook's list of sheets."""
    from allocator.formats.questionnaire import ID_SHEET  # openpyxl: not before the first frame

    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > 1_000_000:
                return False  # not a questionnaire's: the import says what is wrong with it
            listing = z.read(info).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False  # unreadable: the partner import reports why
    return f'name="{ID_SHEET}"' in listing


def dropped_questionnaires(mime: QMimeData | None) -> list[str]:
    """The local needs questionnaires in a drag (several may be dropped at once)."""
    if mime is None or not mime.hasUrls():
        return []
    local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
    return [p for p in local if p.lower().endswith(".xlsx") and is_questionnaire(p)]


class FileHandler(QObject):
    """The window's files: its document's path, the recent list, the recovery copy.

    Messages go to the window's status bar; questions and refusals are message boxes
    on the window.
    """

    def __init__(self, window: QMainWindow, document: Document) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.recovery = RecoveryStore()

    def _say(self, text: str, ms: int = 5000) -> None:
        self.window.statusBar().showMessage(text, ms)

    # -- folders -----------------------------------------------------------------------
    def folder(self) -> str:
        """Where file dialogs start: the last folder used, else the project's, else
        the person's documents."""
        folder = settings.get(settings.LAST_FOLDER)
        if folder and os.path.isdir(folder):
            return folder
        if self.document.path:
            return str(Path(self.document.path).parent)
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    @staticmethod
    def remember_folder(path: str) -> None:
        settings.set(settings.LAST_FOLDER, str(Path(path).parent))

    # -- unsaved changes ---------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to go on."""
        if not self.document.is_modified():
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window,
            _tr("Unsaved changes"),
            _tr("Save the changes to “{name}” before closing it?").format(
                name=self.document.project.name
            ),
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    # -- new and open ------------------------------------------------------------------
    def new_project(self) -> bool:
        """A blank project (after the unsaved-changes prompt); False if not started."""
        if not self.maybe_save():
            return False
        from allocator.domain import edits

        self.document.reset(edits.new_project(name=_tr("New partnership")), None)
        self.recovery.clear()
        self._say(_tr("New project: add partners and a budget"))
        return True

    def open_file(self, path: str | None = None) -> bool:
        """Open a project (asking for the file when ``path`` is None); False if not opened."""
        if not self.maybe_save():
            return False
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self.window,
                _tr("Open project"),
                self.folder(),
                _tr("FairShare projects (*.fairshare);;All files (*)"),
            )
            if not path:
                return False
        return self.load(path)

    def load(self, path: str) -> bool:
        """Read ``path`` into the window, or show why not and keep the current project."""
        path = os.path.abspath(os.fspath(path))
        try:
            project, notes = load_with_notes(path)
        except ValidationError as exc:
            self._show_file_problems(path, exc.problems)
            return False
        except OSError as exc:
            self._show_file_problems(path, [Problem("", str(exc))])
            return False
        if is_packaged_sample(path):
            # the shipped sample opens as an untitled copy: Save never overwrites it
            self.document.reset(project, None)
        else:
            self.document.reset(project, path)
            settings.add_recent_file(path)
            settings.set(settings.LAST_PROJECT, path)
            self.remember_folder(path)
        self.recovery.clear()
        shown = _tr("Opened {file}").format(file=Path(path).name)
        if notes:
            shown += " · " + " ".join(notes)
        self._say(shown, 8000)
        return True

    def _show_file_problems(self, path: str, problems: list[Problem]) -> None:
        if not os.path.exists(path):
            settings.remove_recent_file(path)
        text = _tr("FairShare cannot open “{file}”. The project you have open is unchanged.")
        detail = problems_as_bullets(file_problems_in_words(path, problems))
        QMessageBox.warning(
            self.window,
            _tr("Cannot open project"),
            f"{text.format(file=Path(path).name)}\n\n{detail}",
        )

    # -- save --------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.document.path:
            return self.save_as()
        return self.write(self.document.path)

    def save_as(self) -> bool:
        suggested = self.document.path or os.path.join(
            self.folder(), safe_file_name(self.document.project.name) + PROJECT_SUFFIX
        )
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            _tr("Save project as"),
            suggested,
            _tr("FairShare projects (*.fairshare)"),
        )
        if not path:
            return False
        if not path.lower().endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return self.write(path)

    def write(self, path: str) -> bool:
        """Save atomically to ``path``; on failure say why and keep everything as it was."""
        from allocator.formats.files import save_project

        try:
            save_project(self.document.project, path)
        except SaveError as exc:
            QMessageBox.critical(
                self.window,
                _tr("Cannot save project"),
                _tr("The project was not saved; nothing you entered is lost.\n\n{reason}").format(
                    reason=str(exc)
                ),
            )
            return False
        self.document.mark_saved(path)
        self.recovery.clear()
        settings.add_recent_file(os.path.abspath(path))
        settings.set(settings.LAST_PROJECT, os.path.abspath(path))
        self.remember_folder(path)
        self._say(_tr("Saved {file}").format(file=Path(path).name))
        return True

    # -- recent files --------------------------------------------------------
    def fill_recent_menu(self, menu: QMenu) -> None:
        """The recent projects, newest first, then "Clear list"."""
        menu.clear()
        files = settings.recent_files()
        for i, f in enumerate(files, start=1):
            label = f"&{i} {Path(f).name}" if i < 10 else Path(f).name
            action = menu.addAction(label)
            action.setToolTip(f)
            action.setStatusTip(f)
            action.setData(f)
            action.triggered.connect(discarding(self.open_file, f))
        if not files:
            empty = menu.addAction(_tr("No recent projects"))
            empty.setEnabled(False)
        else:
            menu.addSeparator()
            clear = menu.addAction(_tr("Clear list"))
            clear.triggered.connect(discarding(settings.set, settings.RECENT_FILES, []))

    # -- the recovery copy -------------------------------------------------------------
    def autosave(self) -> bool:
        """Write a recovery copy when there are unsaved changes; True if one was written."""
        if not self.document.is_modified():
            self.recovery.clear()
            return False
        try:
            self.recovery.write(self.document.project, self.document.path)
        except (OSError, SaveError) as exc:
            self._say(
                _tr("Could not write the recovery copy: {reason}").format(reason=str(exc)), 8000
            )
            return False
        return True

    def left_behind(self) -> list[LeftBehind]:
        """Recovery copies whose window is gone (a crash), newest first."""
        return self.recovery.left_behind()

    def offer_recovery(self) -> bool:
        """After a crash: offer the unsaved changes that were left behind. True if recovered."""
        left = self.recovery.left_behind()
        if not left:
            return False
        newest = left[0]
        recovered = False
        if self._ask_to_recover(newest):
            recovered = self._recover(newest)
        self.recovery.discard(left)  # offered once: recovered or declined, the copies go
        return recovered

    def _ask_to_recover(self, copy: LeftBehind) -> bool:
        when_text = when_words(copy.saved)
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window,
            _tr("Recover unsaved changes?"),
            _tr(
                "FairShare did not close properly last time. Unsaved changes to “{name}” "
                "were kept{when}.\n\nRecover them?"
            ).format(
                name=copy.name or _tr("a project"),
                when=_tr(" on {time}").format(time=when_text) if when_text else "",
            ),
            buttons.Yes | buttons.Discard,
            buttons.Yes,
        )
        return answer == buttons.Yes  # anything else (Discard, Escape) lets the copy go

    def _recover(self, copy: LeftBehind) -> bool:
        from allocator.formats.files import load_project

        try:
            project = load_project(copy.file)
        except (ValidationError, OSError) as exc:
            QMessageBox.warning(
                self.window,
                _tr("Cannot recover"),
                _tr("The recovery copy cannot be read:\n\n{reason}").format(reason=str(exc)),
            )
            return False
        original = None
        if copy.path and os.path.exists(copy.path):
            try:
                original = load_project(copy.path)
            except (ValidationError, OSError):
                original = None  # the saved file went bad: recover as an untitled copy
        if original is not None:
            # the saved file, then the changes as one step: undo shows what was saved
            self.document.reset(original, copy.path)
            self.document.edit(project, _tr("Recover unsaved changes"))
        else:
            self.document.reset(project, None)
            self.document.undo_stack.resetClean()
        self._say(_tr("Unsaved changes recovered"), 8000)
        return True
