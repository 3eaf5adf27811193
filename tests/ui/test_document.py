"""The Document: edits as undo steps, the modified flag, solving and stale results."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication

from ui.state.document import BUSY_AFTER_MS, STATE_CURRENT, STATE_INVALID, Document


def _figures(results) -> dict:
    return {
        r.name: (str(getattr(r.status, "value", r.status)), [tuple(p.per_year) for p in r.partners])
        for r in results
    }


def test_set_field_is_one_undo_step_and_undo_restores(document, sample_project):
    assert document.set_field("partners[1].capacity", "200,000") is None
    assert document.project.partners[1].capacity == 200000
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.project == sample_project
    document.undo_stack.redo()
    assert document.project.partners[1].capacity == 200000


def test_edits_of_one_field_merge_into_one_step(document, sample_project):
    for value in ("1", "12", "120", "120000"):
        assert document.set_field("partners[2].capacity", value) is None
    assert document.undo_stack.count() == 1
    assert document.project.partners[2].capacity == 120000
    document.undo_stack.undo()
    assert document.project == sample_project


def test_edits_of_different_fields_stay_separate(document):
    document.set_field("partners[2].capacity", "120000")
    document.set_field("partners[2].floor", "40000")
    document.set_field("partners[3].capacity", "95000")
    assert document.undo_stack.count() == 3
    document.undo_stack.undo()
    assert document.project.partners[3].capacity != 95000
    assert document.project.partners[2].floor == 40000


def test_refused_edit_changes_nothing_and_says_why(document, sample_project):
    changes = []
    document.projectChanged.connect(lambda old, new: changes.append(new))
    message = document.set_field("partners[1].capacity", "lots")
    assert isinstance(message, str) and message
    assert document.project == sample_project
    assert document.undo_stack.count() == 0
    assert changes == []


def test_setting_the_same_value_pushes_nothing(document, sample_project):
    capacity = sample_project.partners[0].capacity
    assert document.set_field("partners[0].capacity", capacity) is None
    assert document.undo_stack.count() == 0


def test_compound_edit_is_one_step(document, sample_project):
    from allocator.domain import edits

    assert document.edit_with(lambda p: edits.remove_partners(p, [0, 1]), "Remove two") is None
    assert len(document.project.partners) == len(sample_project.partners) - 2
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Remove two"
    document.undo_stack.undo()
    assert document.project == sample_project


def test_refused_compound_edit_returns_the_reason(document, sample_project):
    from allocator.errors import ValidationError

    def refuse(_p):
        raise ValidationError([("partners[0].name", "a name is needed")])

    assert document.edit_with(refuse, "Nothing") == "a name is needed"
    assert document.undo_stack.count() == 0


def test_modified_follows_the_undo_stack(document):
    seen = []
    document.modifiedChanged.connect(seen.append)
    assert not document.is_modified()
    document.set_field("name", "Westgate Partnership")
    assert document.is_modified()
    document.undo_stack.undo()
    assert not document.is_modified()
    document.undo_stack.redo()
    document.mark_saved("/tmp/somewhere.fairshare")
    assert not document.is_modified()
    assert document.path == "/tmp/somewhere.fairshare"
    assert seen == [True, False, True, False]


def test_project_changed_signal_carries_old_and_new(document, sample_project):
    got = []
    document.projectChanged.connect(lambda old, new: got.append((old, new)))
    document.set_field("partners[0].notes", "Coordinates the helpline")
    assert len(got) == 1
    assert got[0][0] == sample_project
    assert got[0][1].partners[0].notes == "Coordinates the helpline"


def test_solve_after_edit_equals_allocator(document, wait_solved):
    from allocator.engine.solve import solve

    wait_solved(document)
    document.set_field("partners[1].capacity", "210000")
    wait_solved(document)
    expected = _figures(solve(document.project))
    got = _figures(document.results())
    assert got == expected
    for s in document.project.scenarios:
        assert document.result_is_current(s.name)
    assert document.result_state() == STATE_CURRENT
    assert document.last_solve_ms is not None and document.last_solve_ms >= 0


def test_undo_brings_back_the_same_figures(document, wait_solved):
    wait_solved(document)
    before = _figures(document.results())
    document.set_field("budget.first_year", "900000")
    wait_solved(document)
    assert _figures(document.results()) != before
    document.undo_stack.undo()
    wait_solved(document)
    assert _figures(document.results()) == before


def test_a_result_for_an_older_project_is_never_current(sample_project, qtbot, wait_solved):
    from allocator.domain.edits import project_fingerprint
    from tests.ui.engines import GatedEngine

    engine = GatedEngine()
    engine.gate.clear()
    doc = Document(sample_project, engine_factory=lambda: engine)
    try:
        qtbot.waitUntil(engine.entered.is_set)  # the first solve is held
        for i in range(5):
            doc.set_field("name", f"Partnership {i}")
            QCoreApplication.sendPostedEvents()  # each edit's solve goes out
            assert not doc.result_is_current()
        engine.gate.set()
        wait_solved(doc)
        assert doc.result_is_current()
        assert doc.result().fingerprint == project_fingerprint(doc.project)
    finally:
        engine.gate.set()
        doc.shutdown()
    # the edits in between were overtaken, not solved one by one
    assert "Partnership 1" not in engine.names and "Partnership 3" not in engine.names


def test_results_grey_only_when_a_solve_is_slow(sample_project, qtbot, wait_solved):
    from tests.ui.engines import GatedEngine

    slow = GatedEngine()
    slow.gate.clear()
    doc = Document(sample_project, engine_factory=lambda: slow)
    seen = []
    doc.solvingChanged.connect(seen.append)
    try:
        qtbot.waitUntil(lambda: seen == [True])  # held past BUSY_AFTER_MS: greyed
        assert doc.is_solving
        slow.gate.set()
        wait_solved(doc)
        assert seen == [True, False]
    finally:
        slow.gate.set()
        doc.shutdown()
    fast = GatedEngine()
    doc2 = Document(sample_project, engine_factory=lambda: fast)
    seen2 = []
    doc2.solvingChanged.connect(seen2.append)
    try:
        wait_solved(doc2)
        qtbot.wait(BUSY_AFTER_MS + 50)  # after the solve: the grey never comes
        assert seen2 == []
    finally:
        doc2.shutdown()


def test_invalid_inputs_keep_the_last_valid_results_as_stale(document, wait_solved):
    wait_solved(document)
    before = document.result()
    assert before is not None
    capacity = document.project.partners[1].capacity
    assert document.set_field("partners[1].floor", str(int(capacity) + 1000)) is None
    assert document.problems, "floor above capacity must be reported"
    assert any("partners[1]" in p.path for p in document.problems)
    wait_solved(document)
    assert document.result() is before
    assert not document.result_is_current()
    assert document.result_state() == STATE_INVALID
    assert document.scenario_problems()
    document.undo_stack.undo()
    wait_solved(document)
    assert document.result_is_current()
    assert document.problems == []


def test_reset_clears_history_and_results(document, wait_solved):
    from allocator.domain import edits

    wait_solved(document)
    document.set_field("name", "Changed")
    resets = []
    document.projectReset.connect(lambda: resets.append(1))
    fresh = edits.new_project(name="Northfield Partnership")
    document.reset(fresh, "/tmp/northfield.fairshare")
    assert resets == [1]
    assert document.undo_stack.count() == 0
    assert not document.is_modified()
    assert document.project is fresh
    assert document.path == "/tmp/northfield.fairshare"
    assert document.result() is None or document.result_is_current()
    assert document.current_scenario == fresh.scenarios[0].name


def test_current_scenario_follows_a_rename(document, wait_solved):
    from allocator.domain import edits

    wait_solved(document)
    names = [s.name for s in document.project.scenarios]
    document.set_current_scenario(names[1])
    seen = []
    document.currentScenarioChanged.connect(seen.append)
    document.edit_with(lambda p: edits.rename_scenario(p, 1, "Renamed for the board"), "Rename")
    assert document.current_scenario == "Renamed for the board"
    assert seen == ["Renamed for the board"]
    assert document.result() is not None  # the old figures stay on show, marked stale
    assert document.result(names[1]) is None  # moved, with all it knew, to the new name
    wait_solved(document)
    assert document.result_is_current()


def test_unknown_scenario_is_not_selected(document):
    current = document.current_scenario
    document.set_current_scenario("No such scenario")
    assert document.current_scenario == current


def test_selected_partner(document):
    seen = []
    document.selectedPartnerChanged.connect(seen.append)
    document.set_selected_partner(3)
    document.set_selected_partner(3)
    assert document.selected_partner == 3
    assert seen == [3]


def test_suggested_changes_make_an_impossible_scenario_solve(document, wait_solved):
    wait_solved(document)
    # floors that add up to more than the budget: no split can meet them all
    assert document.set_field("budget.first_year", "150000") is None
    wait_solved(document)
    result = document.result()
    assert str(getattr(result.status, "value", result.status)) == "infeasible"
    assert result.relaxations
    steps = document.undo_stack.count()
    assert document.apply_all_relaxations() is None
    assert document.undo_stack.count() == steps + 1
    wait_solved(document)
    assert document.result().ok
    document.undo_stack.undo()
    wait_solved(document)
    assert not document.result().ok


def test_shutdown_stops_the_thread(sample_project, wait_solved):
    doc = Document(sample_project)
    wait_solved(doc)
    assert doc.worker_running()
    doc.shutdown()
    assert not doc.worker_running()
    doc.request_solve()  # after shutdown: quietly nothing
    assert not doc.solve_pending


def test_document_is_used_from_the_gui_thread_only(document, wait_solved):
    main = threading.current_thread()
    threads = []
    document.resultsChanged.connect(lambda: threads.append(threading.current_thread()))
    document.set_field("partners[0].capacity", "800000")
    wait_solved(document)
    assert threads and all(t is main for t in threads)


@pytest.mark.parametrize("path", ["partners[0].capacity", "scenarios[0].ring_fence"])
def test_undo_text_names_the_field_in_words(document, path):
    value = "700000" if "capacity" in path else "0.2"
    assert document.set_field(path, value) is None
    text = document.undo_stack.undoText()
    assert text and "[" not in text


# -- figures first, then their explanations ------------------------------------------


def _grants(result) -> list[tuple]:
    return [(p.id, p.per_year, p.included, p.limited_by_per_year) for p in result.partners]


@pytest.fixture
def two_pass(sample_project, wait_solved):
    """A Document whose engine holds the full solves at a gate the test opens."""
    from tests.ui.engines import TwoPassEngine

    engine = TwoPassEngine()
    doc = Document(sample_project, engine_factory=lambda: engine)
    wait_solved(doc)
    doc.engine = engine
    yield doc
    engine.full_gate.set()
    doc.shutdown()
    doc.deleteLater()


def test_the_figures_come_first_then_the_same_figures_with_their_reasons(
    two_pass, qtbot, wait_solved
):
    from allocator.domain.edits import project_fingerprint
    from allocator.engine.solve import solve

    doc, engine = two_pass, two_pass.engine
    engine.calls.clear()
    engine.full_gate.clear()
    assert doc.set_field("partners[1].capacity", "150000") is None
    qtbot.waitUntil(doc.result_is_current)
    figures = doc.result()
    assert not doc.result_is_explained()
    assert doc.solve_pending  # the reasons are on their way
    assert doc.result_state() == STATE_CURRENT
    assert figures.fingerprint == project_fingerprint(doc.project)
    assert not any(p.reason for p in figures.partners)
    # only the scenario on show is solved first; every scenario in full after it
    assert engine.calls[0] == ("figures", [doc.current_scenario])
    engine.full_gate.set()
    wait_solved(doc)
    assert doc.result_is_explained()
    assert [c[0] for c in engine.calls] == ["figures", "full"] and engine.calls[1][1] is None
    full = doc.result()
    assert full is not figures and all(p.reason for p in full.partners if p.included)
    assert _grants(full) == _grants(figures) and full.metrics == figures.metrics
    # and both are what allocator gives for the same project
    expected = {r.name: r for r in solve(doc.project)}
    assert _grants(full) == _grants(expected[full.name])
    for s in doc.project.scenarios:
        assert doc.result_is_explained(s.name)
        assert _grants(doc.result(s.name)) == _grants(expected[s.name])


def test_an_edit_while_the_reasons_are_worked_out_never_shows_the_old_ones(
    two_pass, qtbot, wait_solved
):
    from allocator.domain.edits import project_fingerprint

    doc, engine = two_pass, two_pass.engine
    engine.full_gate.clear()
    assert doc.set_field("partners[1].capacity", "150000") is None
    qtbot.waitUntil(doc.result_is_current)
    first = doc.result()
    qtbot.waitUntil(lambda: engine.calls[-1][0] == "full")  # held at the gate
    assert doc.set_field("partners[2].capacity", "160000") is None
    assert not doc.result_is_current() and not doc.result_is_explained()
    engine.full_gate.set()  # the old project's full results come back, and are dropped
    wait_solved(doc)
    assert doc.result_is_explained()
    result = doc.result()
    assert result is not first
    assert result.fingerprint == project_fingerprint(doc.project)


def test_a_scenario_that_cannot_be_met_waits_for_its_suggestions(two_pass, wait_solved):
    doc = two_pass
    seen = []
    doc.resultsChanged.connect(lambda: seen.append((doc.result(), doc.result_is_current())))
    assert doc.set_field("budget.first_year", "150000") is None
    wait_solved(doc)
    result = doc.result()
    assert str(result.status) == "infeasible" and result.relaxations
    # never current without its suggested changes
    assert all(r is result for r, current in seen if current)


def test_the_solve_of_an_edit_starts_before_the_events_already_waiting(document, wait_solved):
    """Edits coalesce until the event loop turns, and then the solve goes out first:
    before the repaints the edit asked for (a zero timer would wait for those)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    wait_solved(document)
    sent = []

    class Probe(QObject):
        def customEvent(self, event):
            sent.append(document.solving_version == document.version)

    probe = Probe()
    QCoreApplication.postEvent(probe, QEvent(QEvent.Type.User))  # already waiting
    assert document.set_field("partners[1].capacity", "150000") is None
    assert document.set_field("partners[2].capacity", "160000") is None
    assert document.solve_pending and document.solving_version != document.version  # coalescing
    QCoreApplication.sendPostedEvents()  # the next turn of the loop, before any timer
    assert sent == [True]
    wait_solved(document)
    assert document.result_is_explained()
