"""Work that runs off the GUI thread: solving, and writing the budget workbook.

A :class:`SolveWorker` lives in its own ``QThread`` and owns one ``Engine`` (an engine
belongs to one thread and keeps its programs warm between solves). The GUI thread only
calls :meth:`SolveWorker.request`, which never waits: it records the newest project and
cancels the solve in progress through the engine's ``should_cancel`` callback. Workers
only emit signals; they never touch a widget.

A request may ask for the figures alone (``detail="figures"``: the grants, limits and
measures, without the words and prices that explain them), which the engine works out
several times faster; the document asks for those first, shows them, then asks for
the full results.
"""

from __future__ import annotations

import inspect
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from allocator.errors import Cancelled, ValidationError
from ui.state import collector

_LIVE: weakref.WeakSet[QObject] = weakref.WeakSet()


def running_workers() -> list[QObject]:
    """Workers whose thread is still running (the window's teardown and tests check it)."""
    return [w for w in list(_LIVE) if w.is_running()]


def fingerprint(project: Any) -> str:
    """The project's fingerprint from the core; a stable hash of its saved form."""
    try:
        from allocator.domain.edits import project_fingerprint
    except ImportError:  # older core: hash the saved form here
        import hashlib
        import json

        from allocator.domain.model import project_to_dict

        text = json.dumps(project_to_dict(project), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
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
    instead of ``finished``: the same figures, without their explanations. An engine
    that cannot leave the explanations out solves in full and ends in ``finished``.
    """

    started = Signal(str)
    figures = Signal(str, object)
    finished = Signal(str, object)
    failed = Signal(str, str)
    cancelled = Signal(str)
    timing = Signal(str, float)
    _wake = Signal()

    def __init__(self, engine_factory: Callable[[], Any] | None = None) -> None:
        super().__init__()
        collector.install()  # cycles are freed on the GUI thread, never on this worker
        self._engine_factory = engine_factory
        self._engine: Any = None
        self._lock = threading.Lock()
        self._pending: tuple[Any, str, int, dict[str, Any]] | None = None
        self._accepts: tuple[Any, frozenset[str]] = (None, frozenset())  # engine, its options
        self._generation = 0  # bumped by every request; a solve of an older one stops
        self._stopping = False
        self._thread = QThread()
        self._thread.setObjectName("FairShare solve worker")
        self.moveToThread(self._thread)
        self._wake.connect(self._run)
        self._thread.start()
        _LIVE.add(self)

    # -- GUI thread ------------------------------------------------------------------
    def request(
        self,
        project: Any,
        fp: str | None = None,
        *,
        detail: str = "full",
        scenarios: list[str] | None = None,
        problems: list[Any] | None = None,
    ) -> str:
        """Ask for ``project`` to be solved; returns its fingerprint. Never waits.

        ``detail="figures"`` asks for the figures without their explanations (ending in
        ``figures``), ``scenarios`` for some scenarios only (by name), and ``problems``
        passes ``validate(project)`` when the caller has it already.
        """
        if fp is None:
            fp = fingerprint(project)
        options: dict[str, Any] = {"detail": detail}
        if scenarios is not None:
            options["scenarios"] = list(scenarios)
        if problems is not None:
            options["problems"] = list(problems)
        with self._lock:
            if self._stopping:
                return fp
            self._generation += 1
            self._pending = (project, fp, self._generation, options)
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
        project, fp, generation, options = job
        should_cancel = self._cancel_check(generation)
        if should_cancel():
            self.cancelled.emit(fp)
            return
        self.started.emit(fp)
        t0 = time.perf_counter()
        try:
            if self._engine is None:
                self._engine = self._make_engine()
            if self._accepts[0] is not self._engine:
                self._accepts = (self._engine, _optional_arguments(self._engine.solve))
            accepts = self._accepts[1]
            figures_only = options["detail"] == "figures" and "detail" in accepts
            scenarios = options.get("scenarios")
            extra: dict[str, Any] = {}
            if figures_only:
                extra["detail"] = "figures"
            elif options["detail"] == "figures":
                scenarios = None  # solved in full instead: every scenario, once
            if "problems" in options and "problems" in accepts:
                extra["problems"] = options["problems"]
            results = self._engine.solve(project, scenarios, should_cancel, **extra)
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
        if should_cancel() or any(_status(r) == "cancelled" for r in results):
            self.cancelled.emit(fp)
            return
        self.timing.emit(fp, (time.perf_counter() - t0) * 1000.0)
        if figures_only:
            self.figures.emit(fp, list(results))
        else:
            self.finished.emit(fp, list(results))

    def _make_engine(self) -> Any:
        if self._engine_factory is not None:
            return self._engine_factory()
        from allocator.engine.solve import Engine

        return Engine()


def _optional_arguments(solve: Callable[..., Any]) -> frozenset[str]:
    """The keyword options of the engine's ``solve`` this worker may pass (an older or a
    test engine takes fewer)."""
    wanted = ("detail", "problems")
    try:
        params = inspect.signature(solve).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return frozenset(wanted)
    return frozenset(p.name for p in params if p.name in wanted)


def _status(result: Any) -> str:
    """A result's status as plain text (the engine's Status is a str enum)."""
    status = getattr(result, "status", "")
    return str(getattr(status, "value", status))


class TaskWorker(QObject):
    """Runs one function in its own thread (for example writing the workbook).

    The function receives a ``progress(percent, text)`` callable; the worker emits
    ``progress(int, str)``, then ``finished(object)`` with its return value or
    ``failed(str, object)`` with a message and the exception. The thread ends by
    itself when the function returns; ``wait()`` joins it.
    """

    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str, object)
    _go = Signal()

    def __init__(self, fn: Callable[[Callable[[int, str], None]], Any]) -> None:
        super().__init__()
        collector.install()  # cycles are freed on the GUI thread, never on this worker
        self._fn = fn
        self._thread = QThread()
        self._thread.setObjectName("FairShare task worker")
        self.moveToThread(self._thread)
        self._go.connect(self._run)
        _LIVE.add(self)

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
            value = self._fn(lambda pct, text="": self.progress.emit(int(pct), str(text)))
        except Exception as exc:
            self.failed.emit(str(exc) or type(exc).__name__, exc)
        else:
            self.finished.emit(value)
        finally:
            self._thread.quit()
