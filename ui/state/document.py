"""The open project: one immutable Project, its undo stack, its results, its problems.

Every view talks only to the :class:`Document`. An edit goes through the core's
validated edit functions, becomes one undo command, and replaces the whole project;
the document then tells the views (``projectChanged``), re-validates and asks its
:class:`~ui.state.workers.SolveWorker` for a solve. Results come back tagged with the
version of the project they were solved for: a result for anything but the
current project is dropped, so a stale split is never presented as current. While
inputs are invalid (or a solve runs) the last valid results stay available through
:meth:`Document.result`, and :meth:`Document.result_is_current` says they are old.

A solve comes back in two steps. First the figures of the scenario on show (the
engine's ``detail="figures"``: the same grants, limits and measures, several times
faster, without the words and prices that explain them); the views show them at once.
Then, once those are on screen and no newer edit came, the full results of every
scenario, which replace them with the same figures and add the explanations and
suggestions (:meth:`Document.result_is_explained`). A view that needs the words waits
for those. A scenario that cannot be met comes only in full, with its suggestions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QUndoStack

from allocator.domain import edits
from allocator.domain.model import Project
from allocator.domain.paths import describe_path
from allocator.errors import Problem, ValidationError
from ui.state.commands import FieldEditCommand, ProjectEditCommand
from ui.state.suggestions import ListedSuggestions, follow
from ui.state.workers import Solver, SolveWorker, fingerprint

if TYPE_CHECKING:  # the results code loads with the engine, after the first frame
    from allocator.engine.result import Relaxation, ScenarioResult

#: A solve that lasts longer than this greys the results (shorter ones never flicker).
BUSY_AFTER_MS = 150

#: The full results (the reasons, rules and suggestions) are asked for this long after
#: the figures came, unless another edit came first: while a slider is dragged, or
#: edits follow each other, only the figures are worked out, and the worker never
#: holds the interpreter while the window draws them or takes the next edit.
EXPLAIN_AFTER_MS = 30

#: The event a document posts to itself to start the solve of its latest edits.
_SOLVE_SOON = QEvent.Type(QEvent.registerEventType())

#: What :meth:`Document.result_state` may say about a scenario's results.
STATE_CURRENT = "current"  # the result belongs to the project as it is now
STATE_SOLVING = "solving"  # a solve for the current project is on its way
STATE_INVALID = "invalid"  # inputs have problems: the last valid result (if any) is old
STATE_FAILED = "failed"  # the engine could not finish: see solve_error
STATE_NONE = "none"  # nothing solved yet


def _tr(text: str) -> str:
    return QCoreApplication.translate("Document", text)


@dataclass
class ScenarioState:
    """What the document knows of one scenario's solving, kept under its name.

    ``result`` is the latest usable result (it may be for an older project: ``version``
    says which); ``explained`` is true once it carries its explanations (the full
    solve, not only the figures). ``status_now`` is the status reported for the project
    as it is now ("" until one is), and ``problems`` what stops it when that is
    "invalid". An edit forgets the last two; a rename moves the whole record.
    ``listed`` is the suggested changes as first worked out, kept while they are
    applied one by one (:mod:`ui.state.suggestions`).
    """

    result: ScenarioResult | None = None
    version: str = ""
    explained: bool = False
    status_now: str = ""
    problems: tuple[Problem, ...] = ()
    listed: ListedSuggestions | None = None

    def forget_status(self) -> None:
        self.status_now = ""
        self.problems = ()


class Document(QObject):
    """Owns the open project; the single place edits, undo, results and problems meet."""

    projectReset = Signal()
    projectChanged = Signal(object, object)
    resultsChanged = Signal()
    problemsChanged = Signal()
    solvingChanged = Signal(bool)
    currentScenarioChanged = Signal(str)
    pathChanged = Signal(str)
    selectedPartnerChanged = Signal(int)
    modifiedChanged = Signal(bool)

    def __init__(
        self,
        project: Project,
        path: str | None = None,
        parent: QObject | None = None,
        *,
        engine_factory: Callable[[], Solver] | None = None,
        autosolve: bool = True,
    ) -> None:
        """``engine_factory`` makes the engine the solve worker uses (the real one when
        None; tests give one they can watch or hold back)."""
        super().__init__(parent)
        self._project = project
        self.path: str | None = str(path) if path else None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._engine_factory = engine_factory
        self.autosolve = autosolve
        self._worker: SolveWorker | None = None
        self._versions = 0
        self._fp = self._new_version()
        self._real_fp: tuple[int, str] | None = None
        self._problems: list[Problem] | None = None
        self._scenarios: dict[str, ScenarioState] = {}  # by scenario name
        self.solve_error: str | None = None
        self.last_solve_ms: float | None = None
        self.last_explain_ms: float | None = None
        self._pending_fp: str | None = None
        self._figures_fp: str | None = None  # the version whose figures are shown
        self._busy = False
        self._current = _default_scenario(project)
        self._selected = 0 if project.partners else -1
        self._closed = False
        self._held = False

        # Edits coalesce until the event loop next turns: an event posted ahead of the
        # others, not a zero timer, which would wait for the repaint the edit asked for.
        self._solve_queued = False
        # the full results are asked for once the figures are on screen and the edits
        # have settled, so they never compete with either for the interpreter
        self._explain_timer = QTimer(self)
        self._explain_timer.setSingleShot(True)
        self._explain_timer.setInterval(EXPLAIN_AFTER_MS)
        self._explain_timer.timeout.connect(self._request_explanations)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        if autosolve:
            self.request_solve()

    # -- the project -------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self._project

    @property
    def fingerprint(self) -> str:
        """The core's fingerprint of the current project (a hash of its saved form)."""
        if self._real_fp is None or self._real_fp[0] != id(self._project):
            self._real_fp = (id(self._project), fingerprint(self._project))
        return self._real_fp[1]

    @property
    def version(self) -> str:
        """A token for the project as it is now; every change gives a new one.

        Solve requests and results carry it, so a result is shown as current only for
        the very project it was solved for. Cheaper than hashing the project on every
        keystroke, which at a thousand partners costs more than a frame.
        """
        return self._fp

    def _new_version(self) -> str:
        self._versions += 1
        return f"v{self._versions}"

    @property
    def problems(self) -> list[Problem]:
        """Everything that stops a solve, each with its field path (the core's validate)."""
        if self._problems is None:
            self._problems = _validate(self._project)
        return list(self._problems)

    def describe(self, path: str) -> str:
        """A field path in words ("Amani Collective's floor"), or the path if unknown."""
        return describe_path(self._project, path)

    # -- scenario and partner shown ----------------------------------------------------
    @property
    def current_scenario(self) -> str:
        return self._current

    def set_current_scenario(self, name: str) -> None:
        if name == self._current:
            return
        if name not in [s.name for s in self._project.scenarios]:
            return
        self._current = name
        self.currentScenarioChanged.emit(name)
        self.resultsChanged.emit()

    @property
    def selected_partner(self) -> int:
        """The partner whose reasons the explanation shows (-1: none)."""
        return self._selected

    def set_selected_partner(self, index: int) -> None:
        if index == self._selected:
            return
        self._selected = index
        self.selectedPartnerChanged.emit(index)

    # -- results -----------------------------------------------------------------------
    def _state(self, name: str | None) -> ScenarioState:
        """The scenario's record (a blank one, not kept, for a scenario not seen yet)."""
        return self._scenarios.get(name or self._current, ScenarioState())

    def result(self, name: str | None = None) -> ScenarioResult | None:
        """The latest usable result for the scenario (current if None); may be stale."""
        return self._state(name).result

    def result_is_current(self, name: str | None = None) -> bool:
        """True when the result belongs to the project exactly as it is now."""
        state = self._state(name)
        return state.result is not None and state.version == self._fp

    def result_is_explained(self, name: str | None = None) -> bool:
        """True when the result is current and carries its explanations (reasons, the
        rules that hold the split, suggested changes): the full solve is in, not only
        the figures."""
        return self.result_is_current(name) and self._state(name).explained

    def results(self) -> list[ScenarioResult]:
        """Every scenario's latest result, in project order (scenarios not solved skipped)."""
        found = (self._state(s.name).result for s in self._project.scenarios)
        return [r for r in found if r is not None]

    def result_state(self, name: str | None = None) -> str:
        """One word for the results banner: current, solving, invalid, failed or none."""
        name = name or self._current
        if self.result_is_current(name):
            return STATE_CURRENT
        status = self._state(name).status_now
        if status == "invalid" or (self._pending_fp is None and self.problems and not status):
            return STATE_INVALID
        if self._pending_fp is not None:
            return STATE_SOLVING
        if self.solve_error is not None:
            return STATE_FAILED
        return STATE_NONE

    def scenario_problems(self, name: str | None = None) -> list[Problem]:
        """The problems that stop this scenario (the engine's, else all of validate's)."""
        state = self._state(name)
        if state.status_now == "invalid":
            return list(state.problems)
        return self.problems

    @property
    def solve_pending(self) -> bool:
        """A solve of the current project has been asked for and has not come back
        in full (its figures may be in already)."""
        return self._pending_fp is not None or self._solve_queued or self._held

    @property
    def solving_version(self) -> str | None:
        """The :attr:`version` whose solve has gone to the worker and is not back in
        full (None when none is out)."""
        return self._pending_fp

    @property
    def is_solving(self) -> bool:
        """True while results are shown greyed (a solve has run longer than BUSY_AFTER_MS)."""
        return self._busy

    # -- edits -------------------------------------------------------------------------
    def set_field(self, path: object, value: object) -> str | None:
        """Set one field as a person typed it; None when done, else why it was refused."""
        path = str(path)
        try:
            new = edits.set_field(self._project, path, value)
        except ValidationError as exc:
            return _message(exc)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            return str(exc) or _tr("This value cannot be used here.")
        if new == self._project:
            return None
        self.undo_stack.push(FieldEditCommand(self, path, self._project, new))
        return None

    def edit(self, new_project: Project, text: str) -> None:
        """A compound edit (already computed by the core) as one undo step."""
        if new_project == self._project:
            return
        self.undo_stack.push(ProjectEditCommand(self, self._project, new_project, text))

    def edit_with(self, fn: Callable[[Project], Project], text: str) -> str | None:
        """Run a core edit function on the project; None when done, else why refused."""
        try:
            new = fn(self._project)
        except ValidationError as exc:
            return _message(exc)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            return str(exc) or _tr("This change cannot be made.")
        self.edit(new, text)
        return None

    def suggested_changes(self, name: str | None = None) -> tuple[Relaxation, ...]:
        """The scenario's suggested changes still to make, as first listed: after some
        are applied the rest stay as they were (a fresh solve would share the remaining
        cut out anew), until anything else is edited. Empty unless the current result
        is one that cannot be met."""
        state = self._state(name)
        result = state.result
        if state.listed is None or result is None or result.status != "infeasible":
            return ()
        if not self.result_is_current(name):
            return ()
        return state.listed.pending(self._project)

    def suggestions_result(self, name: str | None = None) -> ScenarioResult | None:
        """The result that first listed the scenario's suggested changes: its
        ``after_relaxations_*`` describe the split once all of them are made."""
        listed = self._state(name).listed
        return listed.result if listed is not None else None

    def apply_relaxation(self, r: Relaxation) -> str | None:
        """Apply one suggested change as one undo step."""
        words = r.words or r.explanation or str(r.field)
        return self.edit_with(
            lambda p: _apply_relaxations(p, [r]), _tr("Apply: {change}").format(change=words)
        )

    def apply_all_relaxations(self, name: str | None = None) -> str | None:
        """Apply the scenario's suggested changes still to make as one undo step."""
        relaxations = list(self.suggested_changes(name))
        if not relaxations:
            return None
        return self.edit_with(
            lambda p: _apply_relaxations(p, relaxations),
            _tr("Apply {n} suggested changes").format(n=len(relaxations)),
        )

    def set_project(self, project: Project) -> None:
        """Swap in ``project``, then re-check and re-solve.

        For the undo commands (their redo and undo): a view edits through
        :meth:`edit`, :meth:`edit_with` or :meth:`set_field`, so every change is a step.
        """
        old = self._project
        if project is old:
            return
        self._project = project
        self._fp = self._new_version()
        self._problems = None
        for state in self._scenarios.values():
            state.forget_status()
        self.solve_error = None
        self._follow_scenarios(old, project)
        if self._selected >= len(project.partners):
            self.set_selected_partner(len(project.partners) - 1)
        if self.autosolve:
            # asked for first, so the views below already know new results are coming
            # (the solve itself starts once they are done)
            self.request_solve()
        self.projectChanged.emit(old, project)
        self.problemsChanged.emit()
        self.resultsChanged.emit()  # the shown results just became stale

    def _follow_scenarios(self, old: Project, new: Project) -> None:
        names = [s.name for s in new.scenarios]
        if self._current in names:
            return
        old_names = [s.name for s in old.scenarios]
        target = None
        if len(old_names) == len(names) and self._current in old_names:
            # a rename: keep showing the same scenario under its new name, with its results
            target = names[old_names.index(self._current)]
            if self._current in self._scenarios:
                self._scenarios[target] = self._scenarios.pop(self._current)
        if target is None:
            target = _default_scenario(new)
        self._current = target
        self.currentScenarioChanged.emit(target)

    # -- files -------------------------------------------------------------------------
    def reset(self, project: Project, path: str | None = None) -> None:
        """A different project (New or Open): clears undo history and results."""
        self.undo_stack.clear()
        self._project = project
        self._fp = self._new_version()
        self._problems = None
        self._scenarios.clear()
        self.solve_error = None
        self.last_solve_ms = None
        self.last_explain_ms = None
        self._current = _default_scenario(project)
        self._selected = 0 if project.partners else -1
        self.path = str(path) if path else None
        self.undo_stack.setClean()
        self.projectReset.emit()
        self.pathChanged.emit(self.path or "")
        self.currentScenarioChanged.emit(self._current)
        self.selectedPartnerChanged.emit(self._selected)
        self.problemsChanged.emit()
        self.resultsChanged.emit()
        if self.autosolve:
            self.request_solve()

    def mark_saved(self, path: str) -> None:
        """The project was written to ``path``: it is now the clean state."""
        path = str(path)
        changed = path != self.path
        self.path = path
        self.undo_stack.setClean()
        if changed:
            self.pathChanged.emit(path)

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    # -- solving -----------------------------------------------------------------------
    def request_solve(self) -> None:
        """Ask for a solve soon; several edits in one turn of the event loop make one."""
        if self._closed:
            return
        if self._pending_fp is None and not self._solve_queued:
            self._busy_timer.start()
        if not self._solve_queued:
            self._solve_queued = True
            QCoreApplication.postEvent(
                self, QEvent(_SOLVE_SOON), Qt.EventPriority.HighEventPriority.value
            )

    def customEvent(self, event: QEvent) -> None:
        if event.type() == _SOLVE_SOON:
            if self._solve_queued:
                self.solve_now()
            return
        super().customEvent(event)

    def hold_first_solve(self, fallback_ms: int = 300) -> None:
        """Start the first solve only when :meth:`release_first_solve` is called (the
        window does once it has painted), or after ``fallback_ms`` at the latest.

        Loading the engine in the worker competes with the GUI thread for the
        interpreter; holding it back lets the window appear first.
        """
        if self._worker is not None or not self._solve_queued:
            return
        self._solve_queued = False
        self._busy_timer.stop()
        self._held = True
        QTimer.singleShot(fallback_ms, self, self.release_first_solve)

    def release_first_solve(self) -> None:
        """Let a held first solve start now."""
        if self._held and not self._closed:
            self._held = False
            self.request_solve()

    def solve_now(self) -> None:
        """Send the current project to the worker now (a newer one cancels an older one).

        The figures of the scenario on show come first; the full results follow once
        they are on screen (see the module notes).
        """
        if self._closed:
            return
        self._solve_queued = False
        self._explain_timer.stop()
        if self._worker is None:
            self._worker = SolveWorker(self._engine_factory)
            self._worker.figures.connect(self._on_figures)
            self._worker.finished.connect(self._on_finished)
            self._worker.failed.connect(self._on_failed)
            self._worker.timing.connect(self._on_timing)
            worker = self._worker
            # a document deleted without shutdown() must still end its thread
            self.destroyed.connect(lambda *_: worker.stop())
        if not self._busy_timer.isActive() and not self._busy:
            self._busy_timer.start()
        self._pending_fp = self._fp
        names = {s.name for s in self._project.scenarios}
        self._worker.request(
            self._project,
            self._fp,
            detail="figures",
            scenarios=[self._current] if self._current in names else None,
            problems=self._problems,
        )

    def _request_explanations(self) -> None:
        """The full results of the project whose figures are on screen (EXPLAIN_AFTER_MS
        after they came)."""
        if self._closed or self._worker is None or self._pending_fp != self._fp:
            return
        self._worker.request(self._project, self._fp, problems=self._problems)

    def _on_timing(self, fp: str, ms: float) -> None:
        if fp != self._fp:
            return
        if self._figures_fp == fp:
            self.last_explain_ms = ms  # the figures shown took last_solve_ms
        else:
            self.last_solve_ms = ms

    def _on_figures(self, fp: str, results: list[ScenarioResult]) -> None:
        """The figures of the scenario on show, before their explanations."""
        if fp != self._fp or self._closed:
            return  # solved for a project that is no longer open: never shown
        self._figures_fp = fp
        shown = False
        for r in results:
            if r.status != "optimal":
                continue  # an unmet or invalid scenario waits for its explanation
            state = self._scenarios.setdefault(r.name, ScenarioState())
            state.status_now = "optimal"
            state.result, state.version, state.explained = r, fp, False
            shown = True
        if self.result_is_current():
            self._end_busy()
        if shown:
            self._explain_timer.start()
            self.resultsChanged.emit()
        else:
            self._request_explanations()  # nothing to draw first: the full results now

    def _on_finished(self, fp: str, results: list[ScenarioResult]) -> None:
        if fp != self._fp or self._closed:
            return  # solved for a project that is no longer open: never shown
        self._pending_fp = None
        self.solve_error = None
        for r in results:
            status = r.status.value
            if status == "cancelled":
                continue
            state = self._scenarios.setdefault(r.name, ScenarioState())
            state.status_now = status
            if status == "invalid":
                state.problems = tuple(r.problems)
                continue
            state.result, state.version, state.explained = r, fp, True
            state.listed = follow(state.listed, r, self._project)
        names = {s.name for s in self._project.scenarios}
        for name in [n for n in self._scenarios if n not in names]:
            del self._scenarios[name]
        self._end_busy()
        self.resultsChanged.emit()

    def _on_failed(self, fp: str, message: str) -> None:
        if fp != self._fp or self._closed:
            return
        self._pending_fp = None
        if self.problems:
            # refused as it stands (a scenario name, a value): the same as "invalid"
            for s in self._project.scenarios:
                self._scenarios.setdefault(s.name, ScenarioState()).status_now = "invalid"
        else:
            self.solve_error = message
        self._end_busy()
        self.resultsChanged.emit()

    def _show_busy(self) -> None:
        if self.solve_pending and not self._busy and not self.result_is_current():
            self._busy = True
            self.solvingChanged.emit(True)

    def _end_busy(self) -> None:
        self._busy_timer.stop()
        if self._busy:
            self._busy = False
            self.solvingChanged.emit(False)

    def wait_for_solve(self, timeout_ms: int = 30000) -> bool:
        """Process events until the current project's solve is back (scripts and tests)."""
        from PySide6.QtCore import QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(timeout_ms)
        while self.solve_pending and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if self._worker is not None and self._pending_fp is not None:
                self._worker.thread_object.wait(1)
        return not self.solve_pending

    def shutdown(self) -> None:
        """Stop the solve worker and its thread (the window calls this when it closes)."""
        if self._closed:
            return
        self._closed = True
        self._solve_queued = False
        self._explain_timer.stop()
        self._busy_timer.stop()
        self._pending_fp = None
        self._held = False
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    # -- helpers -----------------------------------------------------------------------
    def worker_running(self) -> bool:
        """True while the solve worker's thread runs (until :meth:`shutdown`)."""
        return self._worker is not None and self._worker.is_running()


def _default_scenario(project: Project) -> str:
    chosen = project.chosen_scenario
    return chosen.name if chosen is not None else ""


def _validate(project: Project) -> list[Problem]:
    return list(edits.validate(project))


def _message(exc: ValidationError) -> str:
    if exc.problems:
        return exc.problems[0].message
    return str(exc)


def _apply_relaxations(project: Project, relaxations: list[Relaxation]) -> Project:
    from allocator.engine.relax import apply_relaxations  # the engine: not before needed

    return apply_relaxations(project, relaxations)
