"""Render FairShare's main screens to PNG for the README, in light and dark.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--theme light|dark]

Runs offscreen (no display needed) on the sample project, with settings in Qt's test
mode. Each theme runs in its own process, because the palette is chosen before the
first window is built, as it is when the app starts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1440, 900
#: A 1080p laptop at 150% scaling: a 1280x720 screen (the window as it is drawn there).
LAPTOP = (1280, 720)


def dark_palette():
    """A dark palette for platforms whose theme cannot switch (offscreen, bare X11)."""
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    # the base (tables, fields) a step lighter than the window, so that Fusion's check
    # box frames, drawn a shade darker than the window, stand out against it
    base, window, text = QColor(50, 52, 56), QColor(40, 42, 45), QColor(223, 225, 229)
    disabled = QColor(125, 128, 133)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor(56, 58, 62),
        QPalette.ColorRole.ToolTipBase: QColor(60, 63, 65),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor(54, 57, 61),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 120, 120),
        QPalette.ColorRole.Light: QColor(80, 83, 88),
        QPalette.ColorRole.Midlight: QColor(66, 69, 73),
        QPalette.ColorRole.Mid: QColor(48, 50, 54),
        QPalette.ColorRole.Dark: QColor(22, 23, 25),
        QPalette.ColorRole.Shadow: QColor(0, 0, 0),
        QPalette.ColorRole.Highlight: QColor(53, 116, 240),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(110, 160, 255),
        QPalette.ColorRole.LinkVisited: QColor(170, 140, 255),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def _settle(app, seconds: float = 0.3) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(theme: str, out: Path) -> list[Path]:
    """Every screen for one theme; returns the files written."""
    from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QDialog

    app = QApplication.instance() or QApplication([sys.argv[0]])
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("FairShareScreenshots")
    QCoreApplication.setApplicationName("FairShare")
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
    app.setPalette(dark_palette() if theme == "dark" else app.style().standardPalette())
    from ui.app import create_main_window
    from ui.state import settings

    settings.clear()
    written: list[Path] = []

    def save(widget, name: str) -> None:
        path = out / f"{name}-{theme}.png"
        widget.grab().save(str(path))
        written.append(path)

    window = create_main_window(str(ROOT / "resources" / "sample.fairshare"))
    window.resize(WIDTH, HEIGHT)
    window.show()
    doc = window.document
    doc.wait_for_solve(60000)
    _settle(app)
    # show one partner's reasons: a by-and-for partner reads best
    doc.set_selected_partner(1)
    _settle(app)
    save(window, "main")
    laptop = f"{LAPTOP[0]}x{LAPTOP[1]}"
    window.resize(*LAPTOP)
    _settle(app)
    save(window, f"main-{laptop}")
    window.resultsTabs.setCurrentWidget(window.resultsChart)  # its own tab on a laptop
    _settle(app)
    save(window, f"chart-{laptop}")
    window.resultsTabs.setCurrentIndex(0)

    # an impossible scenario: the budget below the floors, with the suggested changes
    doc.set_field("budget.first_year", "150000")
    doc.wait_for_solve(60000)
    _settle(app)
    save(window, f"cannot-be-met-{laptop}")
    window.resize(WIDTH, HEIGHT)
    _settle(app)
    save(window, "cannot-be-met")
    doc.undo_stack.undo()

    # an invalid input: the last results stay, greyed, under the banner
    doc.wait_for_solve(60000)
    doc.set_field("partners[1].floor", "250000")
    doc.wait_for_solve(60000)
    _settle(app)
    save(window, "fix-a-problem")
    doc.undo_stack.undo()
    doc.wait_for_solve(60000)
    _settle(app)

    def dialog_shot(open_it, name: str) -> None:
        before = set(window.findChildren(QDialog))
        open_it()
        _settle(app, 0.4)
        new = [d for d in window.findChildren(QDialog) if d not in before and d.isVisible()]
        for d in new:
            save(d, name)
            d.close()
        _settle(app, 0.1)

    dialog_shot(window.show_project_dialog, "project-dialog")
    dialog_shot(lambda: window.show_needs_dialog(1), "needs-dialog")
    template = str(ROOT / "resources" / "partners_template.csv")
    dialog_shot(lambda: window.import_partners(template), "import-dialog")
    dialog_shot(window.show_method, "how-fairshare-decides")
    dialog_shot(window.show_shortcuts, "keyboard-shortcuts")
    dialog_shot(window.show_about, "about")
    doc.undo_stack.setClean()
    window.close()
    settings.clear()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--theme", choices=["light", "dark"], help="one theme, in this process")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.theme:
        for path in shoot(args.theme, out):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        return 0
    from ui.offscreen import desktop_platform

    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = desktop_platform("screenshots")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    for theme in ("light", "dark"):
        done = subprocess.run(
            [sys.executable, __file__, "--theme", theme, "--out", str(out)], env=env, timeout=600
        )
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
