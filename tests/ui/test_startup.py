"""What ``fairshare PROJECT`` loads before its first frame is on screen.

The launch is the real command in a child process (Qt offscreen, settings of its own),
stopped as soon as the main window's first paint is done. What the first frame must not
wait for: the solver and NumPy (they load on the worker thread after it), the results
code, and classes whose enum types PySide would build for nothing (``QStyle`` has 566
enum values; it waits for the first warning sign).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, os, sys
import allocator.cli
import ui.app
from PySide6.QtCore import QEvent, QObject, QTimer

made = ui.app.create_main_window

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            QTimer.singleShot(0, report)
        return False

def report():
    import PySide6.QtWidgets as widgets
    print(json.dumps({
        "title": window.windowTitle(),
        "modules": sorted(sys.modules),
        "widget_types": sorted(k for k, v in vars(widgets).items() if isinstance(v, type)),
    }), flush=True)
    os._exit(0)

def build_and_watch(path=None):
    global window, watch
    window = made(path)
    watch = FirstPaint()
    watch.done = False
    window.installEventFilter(watch)
    return window

ui.app.create_main_window = build_and_watch
allocator.cli.main([sys.argv[1]])
print("the event loop ended before the first frame", file=sys.stderr)
sys.exit(3)
"""


def _first_frame(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    sample = ROOT / "resources" / "sample.fairshare"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(sample)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_first_frame_waits_for_no_solver_results_code_or_style_enums(tmp_path):
    seen = _first_frame(tmp_path)
    assert "FairShare" in seen["title"]
    modules = set(seen["modules"])
    # the window itself is built
    assert {
        "ui.main_window",
        "ui.views.partners",
        "ui.views.results",
        "ui.charts.results",
    } <= modules
    # the solver, NumPy and the results code come after the first frame
    for later in (
        "numpy",
        "highspy",
        "pulp",
        "allocator.engine.solve",
        "allocator.engine.result",
        "ui.views.compare",
        "ui.views.sweep",
        "hashlib",
        "difflib",
    ):
        assert later not in modules, f"{later} was loaded before the first frame"
    # PySide builds a class's Python type, with all its enums, on first use
    for unused in ("QStyle", "QWizard", "QMdiArea", "QCalendarWidget"):
        assert unused not in seen["widget_types"], f"{unused} was built before the first frame"
