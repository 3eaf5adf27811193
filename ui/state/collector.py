"""Python's cycle collector, run on the GUI thread only.

Python frees objects caught in reference cycles whenever the collector runs, and it runs
on whichever thread happens to be allocating at that moment. With solving in a worker
thread, that is often the worker: a widget, dialog or model kept alive only by a cycle
(a lambda slot that refers back to its owner is enough) would then be destroyed on the
worker thread, which Qt does not allow and which can crash the app later, on the GUI
thread, far from the cause (seen here: a segmentation fault in the event loop while the
worker was writing explanations).

:func:`install` switches off the automatic collector and runs the same generational
collection from a timer on the GUI thread instead, with Python's own thresholds, so
cycles are still freed, promptly, and always on the thread that owns the widgets.
Objects without cycles are freed by reference counting as before, on any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

INTERVAL_MS = 250  # often enough that garbage never piles up between two looks

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects cycles from a GUI-thread timer, generation by generation."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("guiThreadCollector")
        self.threshold = gc.get_threshold()
        self.collections = 0  # how many times a generation was collected (for tests)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        self.destroyed.connect(_restore_automatic)

    def check(self) -> None:
        """Collect the generations whose counts passed Python's thresholds."""
        count0, count1, count2 = gc.get_count()
        if count0 <= self.threshold[0]:
            return
        generation = 0
        if count1 > self.threshold[1]:
            generation = 2 if count2 > self.threshold[2] else 1
        gc.collect(generation)
        self.collections += 1

    def pause(self) -> None:
        """Stop looking until :meth:`resume` (tests that show what happens without it)."""
        self._timer.stop()

    def resume(self) -> None:
        self._timer.start()

    def collect_now(self) -> int:
        """A full collection, now (on this thread)."""
        self.collections += 1
        return gc.collect()


def _restore_automatic(*_args: object) -> None:
    global _installed
    _installed = None
    gc.enable()


def install() -> GuiThreadCollector | None:
    """Run cycle collection on the GUI thread from now on (once per application).

    Call it on the GUI thread before any worker thread starts (the workers do, as they
    are made); without a running Qt application, or off the GUI thread, it installs
    nothing and returns what is installed already (or None).
    """
    global _installed
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() != app.thread():
        return _installed
    if _installed is None:
        _installed = GuiThreadCollector(app)
    return _installed


def installed() -> GuiThreadCollector | None:
    return _installed
