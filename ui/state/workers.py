"""Work that runs off the GUI thread: solving, and writing the budget workbook.

A :class:`SolveWorker` lives in its own ``QThread`` and owns one ``Engine`` (an engine
belongs to one thread and keeps its programs warm between solves). The GUI thread only
calls :meth:`SolveWorker.request`, which never waits: it records the newest project and
cancels the solve in progress through the engine's ``should_cancel`` callback. Workers
only emit signals; they never touch a widget. The object that starts a worker owns it
and answers whether it still runs (``Document.worker_running``, the export's
``is_running``, the sweep runner's ``is_running``); nothing keeps a list of them all.

A request may ask for the figures alone (``detail="figures"``: the grants, limits and
measures, without the words and prices that explain them), which the engine works out
several times faster; the document asks for those first, shows them, then asks for
the full results.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

from allocator.domain.edits import project_fingerprint
from allocator.domain.model import Project
from allocator.errors import Cancelled, Problem, ValidationError
from ui.state import collector

if TYPE_CHECKING:  # the engine loads numpy: never before the first frame
    from allocator.engine.result import ScenarioResult


class Solver(Protocol):
    """What a worker needs of an engine: ``allocator.engine.solve.Engine.solve``."""

    def solve(
        self,
        project: Project,
        scenarios: Iterable[str] | None = None,
        should_cancel: Callable[[], bool] | None = None,
        *,
        problems: Sequence[Problem] | None = None,
        detail: str = "full",
    ) -> list[ScenarioResult]: ...


def fingerprint(project: Project) -> str:
    """The project's fingerprint from the core; a stable hash of its saved form."""
    return project_fingerprint(project)


class SolveWorker(QObject):
    """Solves the newest requested project in a worker thread, dropping older requests.

    Signals (always delivered in the thread that owns the receiver, normally the GUI):
    ``started(fingerprint)`` when a solve begins, ``finished(fingerprint, results)``
    with the list of ScenarioResult (statuses "invalid" and "cancelled" included as
    the engine reports them), ``failed(fingerprint, message)`` when the project is
    refused or the engine breaks, and ``cancelled(fingerprint)`` when a newer request
    overtook the solve. ``timing(fingerprint, ms)`` comes just before ``finished`` or
    ``figures``.

    A request with ``detail="figures"`` ends in ``figures(fingerprint, results)``
    instead of ``finished``: the same figures, without their explanations.
    """

    started = Signal(str)
    figures = Signal(str, object)
    finished = Signal(str, object)
    failed = Signal(str, str)
    cancelled = Signal(str)
    timing = Signal(str, float)
    _wake = Signal()

    def __init__(self, engine_factory: Callable[[], Solver] | None = None) -> None:
        super().__init__()
        collector.install()  # cycles are freed on the GUI thread, never on this worker
        self._engine_factory = engine_factory
        self._engine: Solver | None = None
        self._lock = threading.Lock()
        self._pending: _Request | None = None
        self._generation = 0  # bumped by every request; a solve of an older one stops
        self._stopping = False
        self._thread = QThread()
        self._thread.setObjectName("FairShare solve worker")
        self.moveToThread(self._thread)
        self._wake.connect(self._run)
        self._thread.start()

    # -- GUI thread ------------------------------------------------------------------
    def request(
        self,
        project: Project,
        fp: str | None = None,
        *,
        detail: str = "full",
        scenarios: list[str] | None = None,
        problems: Sequence[Problem] | None = None,
    ) -> str:
        """Ask for ``project`` to be solved; returns its fingerprint. Never waits.

        ``detail="figures"`` asks for the figures without their explanations (ending in
        ``figures``), ``scenarios`` for some scenarios only (by name), and ``problems``
        passes ``validate(project)`` when the caller has it already.
        """
        if fp is None:
            fp = fingerprint(project)
        with self._lock:
            if self._stopping:
                return fp
            self._generation += 1
            self._pending = _Request(
                project,
                fp,
                self._generation,
                detail,
                None if scenarios is None else list(scenarios),
                None if problems is None else list(problems),
            )
        self._wake.emit()
        return fp

    def cancel(self) -> None:
        """Drop any waiting request and stop the running solve at its next check."""
        with self._lock:
            self._generation += 1
            self._pending = None

    def stop(self, timeout_ms: int = 10000) -> None:
        """Cancel everything and end the thread; safe to call twice."""
        with self._lock:
            self._stopping = True
            self._generation += 1
            self._pending = None
        try:
            if self._thread.isRunning():
                self._thread.quit()
                self._thread.wait(timeout_ms)
        except RuntimeError:
            pass  # the thread object is already gone: nothing left to stop

    def is_running(self) -> bool:
        try:
            return self._thread.isRunning()
        except RuntimeError:
            return False

    @property
    def thread_object(self) -> QThread:
        return self._thread

    # -- worker thread ---------------------------------------------------------------
    def _cancel_check(self, generation: int) -> Callable[[], bool]:
        def should_cancel() -> bool:
            return self._generation != generation

        return should_cancel

    @Slot()
    def _run(self) -> None:
        with self._lock:
            job = self._pending
            self._pending = None
        if job is None:
            return  # an earlier wake-up already took it
        fp = job.fp
        should_cancel = self._cancel_check(job.generation)
        if should_cancel():
            self.cancelled.emit(fp)
            return
        self.started.emit(fp)
        t0 = time.perf_counter()
        try:
            if self._engine is None:
                self._engine = self._make_engine()
            results = self._engine.solve(
                job.project,
                job.scenarios,
                should_cancel,
                problems=job.problems,
                detail=job.detail,
            )
        except Cancelled:
            self.cancelled.emit(fp)
            return
        except ValidationError as exc:
            self.failed.emit(fp, str(exc))
            return
        except Exception as exc:  # the engine broke: report it, keep the app alive
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.failed.emit(fp, detail)
            return
        if should_cancel() or any(r.status == "cancelled" for r in results):
            self.cancelled.emit(fp)
            return
        self.timing.emit(fp, (time.perf_counter() - t0) * 1000.0)
        if job.detail == "figures":
            self.figures.emit(fp, list(results))
        else:
            self.finished.emit(fp, list(results))

    def _make_engine(self) -> Solver:
        if self._engine_factory is not None:
            return self._engine_factory()
        from allocator.engine.solve import Engine

        return Engine()


@dataclass(frozen=True)
class _Request:
    """The newest project asked for, waiting for the worker thread."""

    project: Project
    fp: str
    generation: int
    detail: str
    scenarios: list[str] | None
    problems: list[Problem] | None


class TaskWorker(QObject):
    """Runs one function in its own thread (for example writing the workbook).

    The function receives a ``progress(done, total)`` callable; the worker emits
    ``progress(done, total)``, then ``finished(object)`` with its return value or
    ``failed(str, object)`` with a message and the exception. The thread ends by
    itself when the function returns; ``wait()`` joins it. The object that starts a
    task owns its worker: it keeps it until it has joined the thread.
    """

    progress = Signal(int, int)  # done, total (in the task's own steps)
    finished = Signal(object)
    failed = Signal(str, object)
    _go = Signal()

    def __init__(self, fn: Callable[[Callable[[int, int], None]], object]) -> None:
        super().__init__()
        collector.install()  # cycles are freed on the GUI thread, never on this worker
        self._fn = fn
        self._thread = QThread()
        self._thread.setObjectName("FairShare task worker")
        self.moveToThread(self._thread)
        self._go.connect(self._run)

    def start(self) -> None:
        self._thread.start()
        self._go.emit()

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self._thread.wait(timeout_ms)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    @Slot()
    def _run(self) -> None:
        try:
            value = self._fn(self._report)
        except Exception as exc:  # the task's failure is the owner's to tell, not ours
            self.failed.emit(str(exc) or type(exc).__name__, exc)
        else:
            self.finished.emit(value)
        finally:
            self._thread.quit()

    def _report(self, done: int, total: int) -> None:
        self.progress.emit(int(done), int(total))
