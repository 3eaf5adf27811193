"""The sweep view: runs in a worker, equals the headless sweep, cancels, turns a step into a
scenario, exports CSV, and marks itself out of date."""

from __future__ import annotations

import csv
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from allocator.engine.solve import Engine
from allocator.report.sweep import param_choices, sweep
from ui.views.sweep import SweepView

U = Qt.ItemDataRole.UserRole
NEEDS = "Needs-weighted"
FEE = "Needs-weighted, 30% ring-fence, 10% fee"


class RecordingEngine:
    """An Engine that notes the threads it solves in, optionally slowed down per solve."""

    def __init__(self, delay: float = 0.0) -> None:
        self.engine = Engine()
        self.delay = delay
        self.threads: set[int] = set()

    def solve(self, project, scenarios=None, should_cancel=None, **options):
        self.threads.add(threading.get_ident())
        if self.delay:
            time.sleep(self.delay)
        return self.engine.solve(project, scenarios, should_cancel, **options)


class Factory:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.made: list[RecordingEngine] = []
        self.made_in: set[int] = set()

    def __call__(self) -> RecordingEngine:
        self.made_in.add(threading.get_ident())
        engine = RecordingEngine(self.delay)
        self.made.append(engine)
        return engine


@pytest.fixture
def solved(document, wait_solved):
    wait_solved(document)
    return document


@pytest.fixture
def factory():
    return Factory()


@pytest.fixture
def view(solved, qtbot, factory):
    v = SweepView(solved, engine_factory=factory)
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    yield v
    v.shutdown()
    assert not v.is_running()


def run_to_end(view, qtbot, timeout: int = 60000):
    """Run the sweep and wait for it; a failure fails the test at once, with its reason."""
    outcome: list = []
    view.sweepFinished.connect(lambda sw: outcome.append(("finished", sw)))
    view.sweepFailed.connect(lambda why: outcome.append(("failed", why)))
    assert view.run()
    qtbot.waitUntil(lambda: bool(outcome), timeout=timeout)
    kind, value = outcome[0]
    assert kind == "finished", value
    return value


def table_rows(model) -> list[list]:
    return [
        [model.index(r, c).data(U) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def assert_rows_equal(shown: list[list], expected: list[list]) -> None:
    assert len(shown) == len(expected)
    for a, b in zip(shown, expected, strict=True):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            if isinstance(y, float):
                assert x == pytest.approx(y, rel=1e-9, abs=1e-12)
            else:
                assert x == y


def test_defaults_follow_the_current_scenario_and_the_fields_units(view, solved):
    assert view.objectName() == "sweepView"
    assert view.scenario == solved.current_scenario == FEE
    assert [view.param_combo.itemData(i) for i in range(view.param_combo.count())] == [
        p for p, _label in param_choices(solved.project)
    ]
    assert view.param == "ring_fence"
    assert view.steps_spin.value() == 13
    assert (view.steps_spin.minimum(), view.steps_spin.maximum()) == (2, 101)
    # shares in percent, from the field's bounds
    assert view.from_spin.suffix() == "%"
    assert (view.from_spin.value(), view.to_spin.value()) == (0.0, 100.0)
    view.set_request(param="management_fee")
    assert (view.from_spin.value(), view.to_spin.value()) == (0.0, 25.0)
    assert view.request() == (FEE, "management_fee", 0.0, 0.25, 13)
    # money in the project's currency, around the current grant
    view.set_request(param="budget.first_year")
    assert view.from_spin.prefix() == "£"
    assert view.from_spin.model_value() < 1_200_000 < view.to_spin.model_value()


def test_sweep_runs_in_the_worker_and_equals_the_headless_sweep(view, solved, qtbot, factory):
    view.set_request(scenario=NEEDS, param="ring_fence", start=0.0, stop=0.6, steps=13)
    assert view.request() == (NEEDS, "ring_fence", 0.0, 0.6, 13)
    steps: list[tuple[int, int]] = []
    view.progressed.connect(lambda done, total: steps.append((done, total)))
    result = run_to_end(view, qtbot)
    assert steps == [(k, 13) for k in range(14)]  # steps as numbers, in order, all told
    assert (view.progress.value(), view.progress.maximum()) == (13, 13)
    main = threading.get_ident()
    assert factory.made_in and main not in factory.made_in  # its own engine, made there
    assert factory.made[0].threads and main not in factory.made[0].threads
    expected = sweep(solved.project, NEEDS, "ring_fence", 0.0, 0.6, 13)
    assert result.complete and view.sweep is result
    assert_rows_equal(table_rows(view.model), expected.to_csv_rows()[1:])
    assert [view.events.item(i).text() for i in range(view.events.count())] == [
        e.words for e in expected.events
    ]
    assert view.model.index(0, 0).data() == "0.0%"
    assert view.model.index(12, 1).data() == "Cannot be met"


def test_charts_mark_rules_and_steps_that_cannot_be_met(view, qtbot, qtmodeltester):
    view.set_request(scenario=NEEDS, param="ring_fence", start=0.0, stop=0.6, steps=13)
    result = run_to_end(view, qtbot)
    qtmodeltester.check(view.model)
    binds = [e for e in result.events if e.kind == "starts" and e.partner is None]
    stops = [e for e in result.events if e.kind == "status"]
    assert binds and stops
    # the ring-fence starts to bind at 30%: rings on the measure lines there
    assert {x for x, _y in view.measures_chart.marker_points} == {binds[0].value}
    # each partner the ring-fence starts to hold is ringed on its own grant line
    held = [e for e in result.events if e.partner is not None and e.kind == "starts"]
    assert len(view.grants_chart.marker_points) == len(held)
    assert view.measures_chart.status_points == [stops[0].value]
    assert len(view.grants_chart.line_labels) == 7
    assert "Cannot be met" in view.mark_words()
    assert "A rule starts or stops binding" in view.mark_words()
    assert view.grants_legend.entries() == view.grants_chart.line_labels
    assert "cannot be met at 4 of 13 steps" in view.banner_label.text()
    view.measure_combo.setCurrentIndex(1)
    assert view.measures_chart.line_labels == ["Gini"]


def test_cancel_stops_the_sweep_and_shows_the_partial_result(solved, qtbot):
    slow = Factory(delay=0.05)
    view = SweepView(solved, engine_factory=slow)
    qtbot.addWidget(view)
    try:
        view.set_request(scenario=NEEDS, param="ring_fence", start=0.0, stop=0.6, steps=101)
        with qtbot.waitSignal(view.sweepFinished, timeout=30000) as blocker:
            view.run()
            assert view.is_running() and view.cancel_button.isEnabled()
            assert not view.run_button.isEnabled()
            qtbot.waitUntil(lambda: view.progress.value() >= 3, timeout=20000)
            view.cancel()
        result = blocker.args[0]
        assert result.cancelled and not result.complete
        assert 0 < len(result.steps) < 101
        assert view.last_cancel_seconds is not None and view.last_cancel_seconds < 1.0
        assert view.model.rowCount() == len(result.steps)
        assert not view.banner.isHidden()
        assert "Cancelled after" in view.banner_label.text()
        assert not view.is_running() and view.run_button.isEnabled()
    finally:
        view.shutdown()
    assert not view.is_running()


def test_closing_while_a_sweep_runs_leaves_no_thread(solved, qtbot):
    view = SweepView(solved, engine_factory=Factory(delay=0.05))
    qtbot.addWidget(view)
    view.set_request(scenario=NEEDS, param="management_fee", start=0.0, stop=0.25, steps=101)
    assert view.run()
    qtbot.waitUntil(lambda: view.progress.value() >= 1, timeout=20000)
    view.shutdown()
    assert not view.is_running()


def test_make_this_a_scenario_adds_one_with_one_undo_step(view, solved, qtbot):
    view.set_request(scenario=NEEDS, param="ring_fence", start=0.0, stop=0.6, steps=13)
    result = run_to_end(view, qtbot)
    view.table.selectRow(7)  # 35%
    step = view.selected_step()
    assert step.value == pytest.approx(0.35)
    assert view.make_button.text() == "Make this a scenario"
    before = (solved.undo_stack.count(), len(solved.project.scenarios))
    view.make_button.click()
    assert solved.undo_stack.count() == before[0] + 1
    assert len(solved.project.scenarios) == before[1] + 1
    made = solved.project.scenarios[-1]
    assert made.name == "Needs-weighted, ring-fence 35.0%"
    assert made.ring_fence == pytest.approx(0.35)
    assert "Undo" in view.status.text()
    # adding a scenario does not put the sweep out of date, nor reset the range typed in
    assert not view.out_of_date and view.sweep is result
    assert view.request() == (NEEDS, "ring_fence", 0.0, 0.6, 13)
    solved.undo_stack.undo()
    assert len(solved.project.scenarios) == before[1]


def test_a_budget_step_is_applied_to_the_project_instead(view, solved, qtbot):
    view.set_request(
        scenario=NEEDS, param="budget.first_year", start=1_000_000, stop=1_400_000, steps=5
    )
    run_to_end(view, qtbot)
    assert view.sweep.scope == "project"
    view.table.selectRow(1)
    assert view.make_button.text() == "Apply to the project"
    before = solved.undo_stack.count()
    view.make_button.click()
    assert solved.project.budget.first_year == 1_100_000
    assert solved.undo_stack.count() == before + 1
    assert len(solved.project.scenarios) == 4
    # that changed the budget the sweep was run on: out of date, still shown
    assert view.out_of_date and view.model.rowCount() == 5
    solved.undo_stack.undo()
    assert solved.project.budget.first_year == 1_200_000


def test_an_edit_marks_the_sweep_out_of_date_without_clearing_it(view, solved, qtbot):
    view.set_request(scenario=NEEDS, param="management_fee", start=0.0, stop=0.2, steps=5)
    result = run_to_end(view, qtbot)
    assert view.banner.isHidden()
    assert solved.set_field("partners[1].capacity", 200000) is None
    assert view.out_of_date
    assert not view.banner.isHidden() and "Out of date" in view.banner_label.text()
    assert view.sweep is result and view.model.rowCount() == 5
    assert view.measures_chart.is_stale()
    with qtbot.waitSignal(view.sweepFinished, timeout=60000):
        view.banner_button.click()  # Run again
    assert not view.out_of_date and view.banner.isHidden()
    # an edit to another scenario leaves it current
    assert solved.set_field("scenarios[0].ring_fence", 0.1) is None
    assert not view.out_of_date


def test_export_csv_writes_the_steps(view, solved, qtbot, tmp_path, monkeypatch):
    view.set_request(scenario=NEEDS, param="ring_fence", start=0.0, stop=0.6, steps=7)
    result = run_to_end(view, qtbot)
    target = tmp_path / "ring fence sweep"
    asked = {}

    def save_name(parent, caption, folder, filters):
        asked["folder"] = folder
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    written = view.export_csv()
    assert written == str(target.with_suffix(".csv"))
    assert asked["folder"].endswith(".csv")
    with open(written, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    expected = result.to_csv_rows()
    assert rows[0] == expected[0]
    assert len(rows) == len(expected) == 8
    assert float(rows[3][0]) == pytest.approx(0.2)
    assert rows[1][8] == str(expected[1][8])  # Riverside's grant, in whole units
    assert "Saved" in view.status.text()
    # a person who cancels the dialog writes nothing
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    assert view.export_csv() is None


def test_a_new_project_clears_the_sweep(view, solved, qtbot):
    view.set_request(scenario=NEEDS, param="core_share", start=0.0, stop=0.5, steps=3)
    run_to_end(view, qtbot)
    from allocator.domain import edits

    solved.reset(edits.new_project(first_year_budget=300000))
    assert view.sweep is None and view.model.rowCount() == 0
    assert view.scenario == "Needs-weighted"
    assert view.banner.isHidden()
