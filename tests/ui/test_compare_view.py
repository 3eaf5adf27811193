"""The compare view: figures equal the core's comparison, baselines, copy, choosing for the bid."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from allocator.report.baseline import MEASURES, SIZE_PROPORTIONAL, compare_to_baseline
from ui.models.compare import (
    COL_AMOUNT,
    COL_BASELINE,
    COL_CHANGE,
    COL_NAME,
    ROW_MEASURE,
    ROW_PARTNER,
    ROW_TOTAL,
    SHOW_AMOUNTS,
    SHOW_BOTH,
    SHOW_CHANGES,
    RelativeRole,
)
from ui.views.compare import CompareView

U = Qt.ItemDataRole.UserRole
NEEDS = "Needs-weighted"
FEE = "Needs-weighted, 30% ring-fence, 10% fee"
BIGGER = "Bigger slice (size-proportional)"


@pytest.fixture
def solved(document, wait_solved):
    wait_solved(document)
    assert all(document.result_is_current(s.name) for s in document.project.scenarios)
    return document


@pytest.fixture
def view(solved, qtbot):
    v = CompareView(solved)
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    return v


def partner_rows(model) -> dict[str, int]:
    return {
        model.row_key(r): r for r in range(model.rowCount()) if model.row_kind(r) == ROW_PARTNER
    }


def measure_rows(model) -> dict[str, int]:
    return {
        model.row_key(r): r for r in range(model.rowCount()) if model.row_kind(r) == ROW_MEASURE
    }


def assert_matches(model, expected) -> None:
    """Every partner and measure figure in the table equals the core's comparison."""
    rows = partner_rows(model)
    measures = measure_rows(model)
    assert set(rows) == {p.id for p in expected.partners}
    for s in expected.scenarios:
        amount, change = model.columns_of(s.name)
        for pc in s.partners:
            r = rows[pc.id]
            assert model.index(r, amount).data(U) == pc.received
            assert model.index(r, change).data(U) == pc.change
            rel = model.index(r, change).data(RelativeRole)
            if pc.relative_change is None:
                assert rel is None
            else:
                assert rel == pytest.approx(pc.relative_change)
        for key, _label in MEASURES:
            r = measures[key]
            assert model.index(r, amount).data(U) == pytest.approx(s.measures.get(key))
            assert model.index(r, change).data(U) == pytest.approx(s.measure_changes.get(key))


def test_table_figures_equal_compare_to_baseline(view, solved, qtmodeltester):
    qtmodeltester.check(view.model)
    expected = compare_to_baseline(solved.project, solved.results())
    assert view.chosen_names() == [s.name for s in solved.project.scenarios]
    assert view.baseline == SIZE_PROPORTIONAL
    assert_matches(view.model, expected)
    # the size-proportional baseline has a column of its own, with the core's figures
    assert view.model.column_kind(1) == COL_BASELINE
    rows = partner_rows(view.model)
    for i, p in enumerate(expected.partners):
        assert view.model.index(rows[p.id], 1).data(U) == expected.baseline_received[i]
    # totals: what the partners receive adds up to the budget in every scenario
    total = next(r for r in range(view.model.rowCount()) if view.model.row_kind(r) == ROW_TOTAL)
    for s in expected.scenarios:
        amount, change = view.model.columns_of(s.name)
        assert view.model.index(total, amount).data(U) == s.budget


def test_gains_and_losses_by_sign_and_arrow_not_colour_alone(view):
    model = view.model
    _amount, change = model.columns_of(NEEDS)
    rows = partner_rows(model)
    gain = model.index(rows["amani"], change)
    loss = model.index(rows["northgate"], change)
    assert gain.data(U) > 0 and loss.data(U) < 0
    assert gain.data().startswith("▲ +£") and gain.data().endswith("%)")
    assert loss.data().startswith("▼ −£")
    assert gain.data(Qt.ItemDataRole.ForegroundRole) != loss.data(Qt.ItemDataRole.ForegroundRole)
    gini = model.index(measure_rows(model)["gini"], change)
    assert gini.data().startswith("▼ −")


def test_changing_the_baseline_updates_the_changes(view, solved, qtbot):
    with qtbot.waitSignal(view.refreshed):
        view.set_baseline(NEEDS)
    assert view.baseline == NEEDS
    expected = compare_to_baseline(solved.project, solved.results(), NEEDS)
    assert_matches(view.model, expected)
    # the baseline is one of the columns: against itself nothing changes
    _amount, change = view.model.columns_of(NEEDS)
    for r in partner_rows(view.model).values():
        assert view.model.index(r, change).data(U) == 0
    assert view.model.column_kind(1) != COL_BASELINE
    assert NEEDS in view.chart.values() and BIGGER in view.chart.values()


def test_an_unticked_baseline_gets_its_own_column_without_solving_here(
    view, solved, qtbot, monkeypatch
):
    from allocator.engine import solve as solve_module

    def refuse(*args, **kwargs):
        raise AssertionError("the compare view solved on the GUI thread")

    monkeypatch.setattr(solve_module.Engine, "solve", refuse)
    view.set_checked(NEEDS, False)
    view.set_baseline(NEEDS)
    assert NEEDS not in view.chosen_names()
    model = view.model
    assert model.column_kind(1) == COL_BASELINE
    assert "Needs-weighted" in model.header_text(1)
    with pytest.raises(KeyError):
        model.columns_of(NEEDS)
    results = [solved.result(n) for n in view.chosen_names()] + [solved.result(NEEDS)]
    expected = compare_to_baseline(solved.project, results, NEEDS)
    expected_shown = [s for s in expected.scenarios if s.name != NEEDS]
    rows = partner_rows(model)
    base = expected.scenario(NEEDS)
    for pc in base.partners:
        assert model.index(rows[pc.id], 1).data(U) == pc.received
    for s in expected_shown:
        _amount, change = model.columns_of(s.name)
        for pc in s.partners:
            assert model.index(rows[pc.id], change).data(U) == pc.change
    # the settings that differ are those of the ticked scenarios only
    assert view.differences.names == view.chosen_names()


def test_unticking_scenarios_follows_in_table_chart_and_settings(view, qtbot, qtmodeltester):
    view.set_checked(BIGGER, False)
    view.set_checked("Core grant 30% plus need, spread limit 3", False)
    assert view.chosen_names() == [NEEDS, FEE]
    assert [view.model.column_scenario(c) for c in range(2, view.model.columnCount())] == [
        NEEDS,
        NEEDS,
        FEE,
        FEE,
    ]
    assert set(view.chart.values()) == {NEEDS, FEE, view.model.header_text(1)}
    qtmodeltester.check(view.differences)
    paths = [d.path for d in view.differences.rows]
    assert paths == ["management_fee", "ring_fence"]
    shown = [
        view.differences.index(r, 1).data() + " / " + view.differences.index(r, 2).data()
        for r in range(view.differences.rowCount())
    ]
    assert shown == ["0% / 10%", "0% / 30%"]
    view.set_checked(FEE, False)
    assert not view.differences_table.isVisibleTo(view)
    assert "two or more" in view.differences_empty.text()


def test_copy_gives_tab_separated_text_with_a_header(view, solved):
    view.copy()
    text = QGuiApplication.clipboard().text()
    assert text == view.copy_text()
    lines = text.split("\r\n")
    assert lines[-1] == ""
    table = [line.split("\t") for line in lines[:-1]]
    header = table[0]
    assert header[0] == "Partner"
    assert header[2:5] == [BIGGER, f"{BIGGER}: change", f"{BIGGER}: change (%)"]
    assert all(len(row) == len(header) for row in table)
    expected = compare_to_baseline(solved.project, solved.results())
    by_name = {row[0]: row for row in table[1:]}
    col = header.index(NEEDS)
    amani = expected.scenario(NEEDS).partner("amani")
    row = by_name["Amani Collective"]
    # numbers as plain digits: whole units, no symbol, no thousands separator
    assert row[col] == str(amani.received)
    assert row[col + 1] == str(amani.change)
    assert float(row[col + 2]) == pytest.approx(amani.relative_change * 100, abs=1e-5)
    assert float(by_name["Gini"][col]) == pytest.approx(
        expected.scenario(NEEDS).measures.gini, abs=1e-6
    )
    assert by_name["Total"][col] == str(expected.scenario(NEEDS).budget)


def test_copied_text_never_carries_a_formula(view, solved, wait_solved):
    assert solved.set_field("partners[1].name", '=HYPERLINK("x")') is None
    wait_solved(solved)
    view.refresh()
    rows = view.copy_text().split("\r\n")
    names = [row.split("\t")[0] for row in rows]
    assert '"\'=HYPERLINK(""x"")"' in names  # behind an apostrophe, quoted for its quotes
    assert not any(name.startswith("=") for name in names)


def test_use_for_the_bid_is_one_undo_step(view, solved, qtbot):
    assert solved.project.chosen == FEE
    view.select_scenario(FEE)
    assert not view.bid_button.isEnabled()  # already the one for the bid
    view.select_scenario(NEEDS)
    assert view.bid_button.isEnabled()
    before = solved.undo_stack.count()
    view.bid_button.click()
    assert solved.project.chosen == NEEDS
    assert solved.undo_stack.count() == before + 1
    amount, _change = view.model.columns_of(NEEDS)
    assert "(bid)" in view.model.headerData(amount, Qt.Orientation.Horizontal)
    solved.undo_stack.undo()
    assert solved.project.chosen == FEE
    view.refresh()
    assert "(bid)" not in view.model.headerData(amount, Qt.Orientation.Horizontal)


def test_out_of_date_results_are_greyed_then_refreshed(view, solved, wait_solved, qtbot):
    model = view.model
    amount, _change = model.columns_of(NEEDS)
    grey = QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    # a floor above the capacity: the inputs have a problem, the last figures stay, greyed
    assert solved.set_field("partners[1].floor", 500000) is None
    wait_solved(solved)
    qtbot.waitUntil(lambda: NEEDS in model.stale)
    first = partner_rows(model)["riverside"]
    assert model.index(first, amount).data(U) is not None
    assert model.index(first, amount).data(Qt.ItemDataRole.ForegroundRole) == grey
    assert "before the last change" in view.note.text()
    solved.undo_stack.undo()
    wait_solved(solved)
    qtbot.waitUntil(lambda: not model.stale)
    assert model.index(first, amount).data(Qt.ItemDataRole.ForegroundRole) != grey
    assert_matches(model, compare_to_baseline(solved.project, solved.results()))


def test_a_scenario_that_cannot_be_met_is_carried_with_its_status(view, solved, wait_solved, qtbot):
    assert solved.set_field("scenarios[1].ring_fence", 0.9) is None
    wait_solved(solved)
    qtbot.waitUntil(lambda: view.comparison.scenario(NEEDS).status == "infeasible")
    amount, change = view.model.columns_of(NEEDS)
    assert view.model.index(0, amount).data() == "Cannot be met"
    assert view.model.index(0, change).data(U) is None
    assert "'Needs-weighted': Cannot be met." in view.note.text()
    assert NEEDS not in view.chart.values()


def test_names_and_a_new_project_follow_the_document(view, solved, wait_solved, qtbot):
    assert view.findChild(type(view.table), "compareTable") is view.table
    assert view.model.headerData(0, Qt.Orientation.Horizontal) == "Partner"
    assert view.model.index(0, 0).data() == "Riverside Women's Network"
    assert view.model.column_kind(0) == COL_NAME
    from allocator.domain import edits

    solved.reset(edits.new_project(first_year_budget=300000))
    wait_solved(solved)
    qtbot.waitUntil(lambda: view.chosen_names() == ["Needs-weighted"])
    assert view.baseline == SIZE_PROPORTIONAL
    assert view.baseline_combo.count() == 2


def test_a_hidden_view_waits_until_shown(view, solved, qtbot):
    view.hide()
    view.set_baseline(NEEDS)
    assert view.comparison.baseline == SIZE_PROPORTIONAL  # nobody is looking: not yet
    with qtbot.waitSignal(view.refreshed):
        view.show()
    assert view.comparison.baseline == NEEDS
    assert_matches(view.model, compare_to_baseline(solved.project, solved.results(), NEEDS))


def test_showing_changes_only_keeps_every_figure_and_fits_the_width(
    view, solved, qtbot, qtmodeltester
):
    from ui.state import settings

    expected = compare_to_baseline(solved.project, solved.results())
    model = view.model
    both_width = view.table.horizontalHeader().length()
    copied = model.copy_rows()
    view.select_scenario(FEE)

    view.set_show(SHOW_CHANGES)
    qtmodeltester.check(model)
    assert settings.get(settings.COMPARE_SHOW) == SHOW_CHANGES
    kinds = [model.column_kind(c) for c in range(model.columnCount())]
    assert COL_AMOUNT not in kinds and kinds.count(COL_CHANGE) == len(expected.scenarios)
    assert view.selected_scenario() == FEE  # the person's place is kept
    # with no amount beside it, a change column is headed by its scenario's name
    heading = model.headerData(model.columns_of(NEEDS)[1], Qt.Orientation.Horizontal)
    assert heading.replace("\n", " ") == NEEDS
    rows = partner_rows(model)
    for s in expected.scenarios:
        amount, change = model.columns_of(s.name)
        assert amount == -1
        for pc in s.partners:
            assert model.index(rows[pc.id], change).data(U) == pc.change
    # fewer columns: four scenarios side by side no longer need a wide window
    assert view.table.horizontalHeader().length() < both_width * 0.75
    # the chart and the copied table still carry the amounts
    needs = next(s for s in expected.scenarios if s.name == NEEDS)
    received = {p.id: p.received for p in needs.partners}
    assert view.chart.values()[NEEDS] == pytest.approx([received[p.id] for p in expected.partners])
    assert model.copy_rows() == copied

    view.set_show(SHOW_AMOUNTS)
    kinds = [model.column_kind(c) for c in range(model.columnCount())]
    assert COL_CHANGE not in kinds
    for s in expected.scenarios:
        amount, change = model.columns_of(s.name)
        assert change == -1
        for pc in s.partners:
            assert model.index(rows[pc.id], amount).data(U) == pc.received

    view.set_show(SHOW_BOTH)
    assert_matches(model, expected)
