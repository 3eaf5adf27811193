"""The solve worker: newest request wins, cancellation, failures; the task worker."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject

from allocator.errors import Cancelled, ValidationError
from ui.state.workers import SolveWorker, TaskWorker, fingerprint


class Catcher(QObject):
    """Receives a worker's signal on the GUI thread, through a queued connection, as the
    app's own receivers do.

    ``qtbot.waitSignal`` is not used on these signals: its receiver is not a QObject, so
    it is called on the worker's thread, where it stops the blocker's timer from the
    wrong thread and can leave the wait without a timeout (seen here as a hang; pytest-qt
    issue 586 describes the race).
    """

    def __init__(self, signal) -> None:
        super().__init__()
        self.args: list | None = None
        self.thread_seen: threading.Thread | None = None
        signal.connect(self.catch)

    def catch(self, *args) -> None:
        if self.args is None:
            self.args = list(args)
            self.thread_seen = threading.current_thread()


@contextmanager
def caught(qtbot, signal, timeout: int = 5000):
    """Like ``qtbot.waitSignal``, for a signal emitted on a worker thread."""
    catcher = Catcher(signal)
    yield catcher
    qtbot.waitUntil(lambda: catcher.args is not None, timeout=timeout)
    assert catcher.thread_seen is threading.main_thread()


class SlowEngine:
    def __init__(self, delay=0.3, fail=None):
        self.delay = delay
        self.fail = fail
        self.started: list[str] = []
        self.cancelled: list[str] = []
        self.thread = None

    def solve(self, project, scenarios=None, should_cancel=None, **options):
        self.thread = threading.current_thread()
        self.started.append(project.name)
        if self.fail is not None:
            raise self.fail
        end = time.monotonic() + self.delay
        while time.monotonic() < end:
            if should_cancel():
                self.cancelled.append(project.name)
                raise Cancelled()
            time.sleep(0.002)
        return [SimpleNamespace(name="s", status="optimal", tag=project.name)]


@pytest.fixture
def worker():
    made = []

    def make(engine):
        w = SolveWorker(lambda: engine)
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop()


def test_newer_request_cancels_the_running_one(worker, qtbot, sample_project):
    from dataclasses import replace

    engine = SlowEngine(delay=0.5)
    w = worker(engine)
    finished, cancelled = [], []
    w.finished.connect(lambda fp, res: finished.append((fp, res)))
    w.cancelled.connect(cancelled.append)
    first = replace(sample_project, name="First")
    second = replace(sample_project, name="Second")
    fp1 = w.request(first)
    qtbot.waitUntil(lambda: engine.started == ["First"], timeout=5000)
    fp2 = w.request(second)
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    assert [fp for fp, _ in finished] == [fp2]
    assert finished[0][1][0].tag == "Second"
    assert fp1 in cancelled
    assert engine.cancelled == ["First"]
    assert engine.thread is not threading.current_thread()


def test_only_the_newest_waiting_request_is_solved(worker, qtbot, sample_project):
    from dataclasses import replace

    gate = threading.Event()

    class GatedEngine(SlowEngine):
        """The first solve holds until the test opens the gate, however busy the machine."""

        def solve(self, project, scenarios=None, should_cancel=None, **options):
            if not self.started:
                self.started.append(project.name)
                gate.wait(5)
                if should_cancel():
                    self.cancelled.append(project.name)
                    raise Cancelled()
                return [SimpleNamespace(name="s", status="optimal", tag=project.name)]
            return super().solve(project, scenarios, should_cancel, **options)

    engine = GatedEngine(delay=0.05)
    w = worker(engine)
    finished = []
    w.finished.connect(lambda fp, res: finished.append(res[0].tag))
    w.request(replace(sample_project, name="P0"))
    qtbot.waitUntil(lambda: engine.started == ["P0"], timeout=5000)
    for i in range(1, 6):
        w.request(replace(sample_project, name=f"P{i}"))
    gate.set()
    qtbot.waitUntil(lambda: "P5" in finished, timeout=5000)
    qtbot.wait(50)
    assert finished == ["P5"]
    assert engine.started == ["P0", "P5"]  # P1..P4 were waiting and never solved
    assert engine.cancelled == ["P0"]


def test_a_refused_project_is_reported_as_failed(worker, qtbot, sample_project):
    w = worker(SlowEngine(fail=ValidationError([("partners[0].capacity", "must be more than 0")])))
    with caught(qtbot, w.failed) as blocker:
        fp = w.request(sample_project)
    assert blocker.args[0] == fp
    assert "must be more than 0" in blocker.args[1]


def test_an_engine_crash_is_reported_not_raised(worker, qtbot, sample_project):
    engine = SlowEngine(delay=0.0, fail=RuntimeError("solver fell over"))
    w = worker(engine)
    with caught(qtbot, w.failed) as blocker:
        w.request(sample_project)
    assert "solver fell over" in blocker.args[1]
    # and the worker still works afterwards, with the same engine
    engine.fail = None
    with caught(qtbot, w.finished):
        w.request(sample_project)


def test_cancelled_status_from_the_new_engine_is_not_finished(worker, qtbot, sample_project):
    class StatusEngine:
        def solve(self, project, scenarios=None, should_cancel=None, **options):
            return [SimpleNamespace(name="s", status="cancelled")]

    w = worker(StatusEngine())
    finished = []
    w.finished.connect(lambda *a: finished.append(a))
    with caught(qtbot, w.cancelled):
        w.request(sample_project)
    assert finished == []


def test_stop_ends_the_thread_and_later_requests_do_nothing(worker, qtbot, sample_project):
    w = worker(SlowEngine(delay=0.0))
    with caught(qtbot, w.finished):
        w.request(sample_project)
    w.stop()
    assert not w.is_running()
    w.stop()  # twice is fine
    w.request(sample_project)
    qtbot.wait(50)
    assert not w.is_running()


def test_fingerprint_is_stable_and_changes_with_the_project(sample_project):
    from dataclasses import replace

    assert fingerprint(sample_project) == fingerprint(replace(sample_project))
    assert fingerprint(sample_project) != fingerprint(replace(sample_project, name="Other"))


def test_task_worker_reports_progress_and_result(qtbot):
    seen = []

    def job(progress):
        assert threading.current_thread() is not threading.main_thread()
        progress(1, 2)
        progress(2, 2)
        return 42

    t = TaskWorker(job)
    t.progress.connect(lambda done, total: seen.append((done, total)))
    with caught(qtbot, t.finished) as blocker:
        t.start()
    assert blocker.args == [42]
    assert seen == [(1, 2), (2, 2)]
    assert t.wait()
    assert not t.is_running()


def test_task_worker_reports_failure(qtbot):
    def job(progress):
        raise OSError("disk full")

    t = TaskWorker(job)
    with caught(qtbot, t.failed) as blocker:
        t.start()
    assert blocker.args[0] == "disk full"
    assert t.wait()


def test_figures_alone_end_in_figures_and_the_full_solve_in_finished(worker, qtbot, sample_project):
    from allocator.domain.edits import validate
    from tests.ui.engines import TwoPassEngine

    engine = TwoPassEngine()
    w = worker(engine)
    finished = []
    w.finished.connect(lambda *a: finished.append(a))
    name = sample_project.scenarios[1].name
    with caught(qtbot, w.figures) as figures:
        fp = w.request(sample_project, detail="figures", scenarios=[name])
    assert figures.args[0] == fp
    assert [r.name for r in figures.args[1]] == [name]
    assert not any(p.reason for p in figures.args[1][0].partners)
    assert finished == []
    with caught(qtbot, w.finished) as full:
        w.request(sample_project, fp, problems=validate(sample_project))
    assert [r.name for r in full.args[1]] == [s.name for s in sample_project.scenarios]
    assert any(p.reason for p in full.args[1][1].partners)
    assert engine.calls == [("figures", [name]), ("full", None)]
