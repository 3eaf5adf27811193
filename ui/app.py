"""Starting the desktop app: ``fairshare`` and ``fairshare PATH`` end up in :func:`run`.

:func:`create_main_window` builds the window inside an application that is already
running, without starting the event loop and without any modal dialog, so tests and
scripts drive the same window people use.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from allocator.domain.model import Project
from allocator.errors import ValidationError
from ui.main_window import MainWindow
from ui.single_instance import SingleInstance, hand_over, server_name
from ui.state import collector, settings
from ui.state.document import Document
from ui.window.files import (
    file_problems_in_words,
    is_packaged_sample,
    load_with_notes,
    problems_as_bullets,
    sample_project,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("App", text)


def _name_application(force: bool = False) -> None:
    """Application and organisation names decide where settings live.

    ``run`` sets them (``force``); inside an application someone else made (tests,
    scripts) only names that are missing are filled in.
    """
    from allocator import __version__

    if force or not QCoreApplication.organizationName():
        QCoreApplication.setOrganizationName(settings.ORGANISATION)
        QCoreApplication.setOrganizationDomain("fairshare.invalid")
    name = QCoreApplication.applicationName()
    if force or not name or name.startswith("python"):
        QCoreApplication.setApplicationName(settings.APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setApplicationDisplayName("FairShare")
    QGuiApplication.setDesktopFileName("fairshare")


def _starting_project(path: str | None) -> tuple[Project, str | None, str]:
    """The project to open, its path (None for the sample) and any problem to show later."""
    if not path:
        last = settings.get(settings.LAST_PROJECT)
        if last and os.path.isfile(last):
            try:
                return load_with_notes(last)[0], last, ""
            except (ValidationError, OSError):
                pass  # the last project went bad or away: fall back to the sample quietly
        return sample_project(), None, ""
    path = os.path.abspath(os.fspath(path))
    try:
        project, _notes = load_with_notes(path)
    except (ValidationError, OSError) as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else []
        lines = file_problems_in_words(path, problems) if problems else [str(exc)]
        problem = _tr("FairShare cannot open “{file}”; the sample project is open instead.")
        problem = problem.format(file=Path(path).name) + "\n\n" + problems_as_bullets(lines)
        return sample_project(), None, problem
    if is_packaged_sample(path):
        return project, None, ""
    settings.add_recent_file(path)
    return project, path, ""


def create_main_window(path: str | os.PathLike[str] | None = None) -> MainWindow:
    """Build the main window on ``path`` (None: the last project, or the sample at first start).

    Needs a running QApplication; starts no event loop and opens no modal dialog. A
    file that cannot be opened leaves the sample open and its problems in
    ``window.startup_problem`` (shown by :func:`run` once the window is up).
    """
    if QApplication.instance() is None:
        raise RuntimeError("create_main_window needs a QApplication; create one first")
    _name_application()
    collector.install()  # before the solve worker exists: cycles are freed on this thread

    project, real_path, problem = _starting_project(os.fspath(path) if path else None)
    document = Document(project, real_path)
    window = MainWindow(document)
    document.setParent(window)
    window.startup_problem = problem
    if problem:
        window.statusBar().showMessage(problem.splitlines()[0], 15000)
    return window


def _configure_application(argv: list[str]) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication([sys.argv[0] if sys.argv else "fairshare", *argv])
    if not isinstance(app, QApplication):
        raise RuntimeError("FairShare runs in a QApplication, not a QCoreApplication")
    _name_application(force=True)
    from ui.widgets.icons import app_icon

    app.setWindowIcon(app_icon())
    return app


def _path_argument(argv: list[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def run(argv: list[str] | None = None) -> int:
    """Open the app (on PATH if given) and run until its window closes; the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print("usage: fairshare [PROJECT.fairshare]\nOpens the FairShare desktop app.")
        return 0
    app = _configure_application(argv)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in a terminal ends the app
    instance = SingleInstance(server_name(), app)
    if hand_over(_path_argument(argv) or "", instance.name):
        return 0  # FairShare already runs for this person: it opens the project
    instance.listen()
    window = create_main_window(_path_argument(argv))
    instance.serve(window, window.files.open_file)
    window.show()
    if os.environ.get("FAIRSHARE_SMOKE_TEST"):  # the bundle test: close after the first frame
        QTimer.singleShot(0, lambda: (window.repaint(), window.close()))
        return int(app.exec())

    def after_start() -> None:
        if window.startup_problem:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(window, _tr("Cannot open project"), window.startup_problem)
        window.files.offer_recovery()

    QTimer.singleShot(0, after_start)
    return int(app.exec())


def main(argv: list[str] | None = None) -> int:
    """Same as :func:`run` (kept for ``python -m ui.app``)."""
    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
