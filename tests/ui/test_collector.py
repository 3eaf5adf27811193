"""Cycles holding Qt objects are freed on the GUI thread, never on a worker thread."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject

from ui.state import collector


class Cyclic(QObject):
    """A QObject kept alive only by a reference cycle; notes the thread that frees it."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        super().__init__()
        self.me = self

    def __del__(self) -> None:
        Cyclic.freed_on.append(threading.current_thread().name)


def allocate_on_a_worker() -> None:
    def work() -> None:
        junk = []
        for i in range(200_000):
            junk.append([i])  # enough allocation to pass every collection threshold

    t = threading.Thread(target=work, name="worker")
    t.start()
    t.join()


def test_the_collector_is_installed_once_and_owns_collection(qapp):
    guard = collector.install()
    assert guard is not None and collector.install() is guard
    assert guard.parent() is qapp
    assert not gc.isenabled()


def test_a_cycle_with_a_qobject_is_freed_on_the_gui_thread(qtbot):
    guard = collector.install()
    Cyclic.freed_on.clear()
    for _ in range(5):
        Cyclic()
    allocate_on_a_worker()
    assert Cyclic.freed_on == []  # the worker's allocations did not collect them
    before = guard.collections
    # as Python itself would, the collector looks once enough new objects are alive (far
    # more than the threshold: objects freed meanwhile count down as well)
    alive = [[i] for i in range(guard.threshold[0] * 30)]
    qtbot.waitUntil(lambda: len(Cyclic.freed_on) == 5, timeout=5000)
    del alive
    assert set(Cyclic.freed_on) == {threading.main_thread().name}
    assert guard.collections > before


def test_collection_keeps_python_thresholds(qtbot):
    guard = collector.install()
    assert guard.threshold == gc.get_threshold()
    guard.check()  # whatever was pending
    before = guard.collections
    guard.check()
    assert guard.collections == before  # nothing new: nothing collected
    alive = [[i] for i in range(guard.threshold[0] * 30)]
    qtbot.waitUntil(lambda: guard.collections > before, timeout=5000)  # from the timer
    assert gc.get_count()[0] <= guard.threshold[0]
    del alive


def test_without_the_collector_a_worker_would_free_them(qtbot):
    """The fault the collector exists for: automatic collection on a worker thread."""
    guard = collector.install()
    guard.pause()
    gc.enable()
    try:
        Cyclic.freed_on.clear()
        for _ in range(5):
            Cyclic()
        allocate_on_a_worker()
        assert Cyclic.freed_on and set(Cyclic.freed_on) == {"worker"}
    finally:
        gc.disable()
        guard.resume()


def test_every_worker_puts_collection_on_the_gui_thread(qapp):
    from PySide6.QtCore import QCoreApplication, QEvent

    from ui.state.workers import SolveWorker, TaskWorker

    for make in (lambda: SolveWorker(lambda: None), lambda: TaskWorker(lambda progress: None)):
        old = collector.installed()
        if old is not None:
            old.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        assert collector.installed() is None and gc.isenabled()
        worker = make()
        assert collector.installed() is not None
        assert not gc.isenabled()
        if isinstance(worker, SolveWorker):
            worker.stop()


def test_off_the_gui_thread_install_changes_nothing():
    seen = []
    t = threading.Thread(target=lambda: seen.append(collector.install()))
    t.start()
    t.join()
    assert seen == [collector.installed()]
