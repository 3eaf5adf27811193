"""The results table and view: figures equal the engine's, totals equal the budget, banners."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from allocator.domain.text import money, pct
from allocator.engine.solve import solve
from allocator.report.render import results_json
from ui.models.results import ResultsModel
from ui.state.document import Document
from ui.views.results import ResultsView

D = Qt.ItemDataRole
FEE = "Needs-weighted, 30% ring-fence, 10% fee"
NO_FEE = "Bigger slice (size-proportional)"


@pytest.fixture
def solved(document, wait_solved):
    wait_solved(document)
    assert document.result_is_current()
    return document


@pytest.fixture
def view(solved, qtbot):
    v = ResultsView(solved)
    qtbot.addWidget(v)
    v.resize(1000, 380)
    v.show()
    return v


def columns(model):
    return model.column_keys()


def money_column(model, key, year=-1):
    for c in range(model.columnCount()):
        column = model.column(c)
        if column.key == key and (year < 0 or column.year == year):
            return c
    raise KeyError(key)


def row_kinds(model):
    return [model.row_kind(r) for r in range(model.rowCount())]


class Recorder:
    def __init__(self, model):
        self.resets = 0
        self.changes = 0
        model.modelReset.connect(self._reset)
        model.dataChanged.connect(self._changed)

    def _reset(self):
        self.resets += 1

    def _changed(self, *args):
        self.changes += 1


def test_results_model_passes_the_model_tester(solved, qtmodeltester):
    model = ResultsModel(solved)
    qtmodeltester.check(model, force_py=True)
    model.set_show_lines(True)
    qtmodeltester.check(model, force_py=True)


def test_money_cells_are_the_engines_whole_units_and_add_up_to_the_budget(solved):
    model = ResultsModel(solved)
    result = solved.result()
    assert result.name == FEE and any(result.fee)
    assert row_kinds(model) == ["partner"] * 7 + ["fee", "total"]
    years = len(result.years)
    for row, p in enumerate(sorted(result.partners, key=lambda p: p.index)):
        assert model.data(model.index(row, 0)) == p.name
        for y in range(years):
            index = model.index(row, money_column(model, "year", y))
            assert model.data(index, D.UserRole) == p.per_year[y]
            assert isinstance(model.data(index, D.UserRole), int)
            assert model.data(index) == money(p.per_year[y], "GBP")
        assert model.data(model.index(row, money_column(model, "total")), D.UserRole) == p.total
        vs = model.data(model.index(row, money_column(model, "vs")))
        assert vs.startswith("▲" if p.vs_size_proportional > 0 else "▼")
    for y in range(years):
        c = money_column(model, "year", y)
        column_sum = sum(model.data(model.index(r, c), D.UserRole) for r in range(8))
        total = model.data(model.index(8, c), D.UserRole)
        assert column_sum == total == result.budget[y]  # partners plus fee is the budget
    assert model.data(model.index(8, money_column(model, "total")), D.UserRole) == sum(
        result.budget
    )


def test_no_fee_row_without_a_fee(solved, wait_solved):
    solved.set_current_scenario(NO_FEE)
    wait_solved(solved)
    model = ResultsModel(solved)
    assert row_kinds(model) == ["partner"] * 7 + ["total"]
    c = money_column(model, "year", 0)
    assert (
        sum(model.data(model.index(r, c), D.UserRole) for r in range(7))
        == (solved.result().budget[0])
    )


def test_budget_lines_add_columns_that_sum_to_the_grant(solved):
    model = ResultsModel(solved)
    assert "delivery" not in columns(model)
    model.set_show_lines(True)
    assert columns(model)[-4:] == ["delivery", "back_office", "management", "unrestricted"]
    result = solved.result()
    for row, p in enumerate(sorted(result.partners, key=lambda p: p.index)):
        delivery = model.data(model.index(row, money_column(model, "delivery")), D.UserRole)
        back = model.data(model.index(row, money_column(model, "back_office")), D.UserRole)
        assert delivery + back == p.total
    fee_total = model.data(model.index(8, money_column(model, "management")), D.UserRole)
    assert fee_total == sum(result.fee)


def test_a_new_solve_updates_the_table_in_place(view, solved, wait_solved):
    rec = Recorder(view.model)
    assert solved.set_field("partners[1].capacity", "150000") is None
    wait_solved(solved)
    assert solved.result_is_current()
    assert rec.resets == 0 and rec.changes >= 1
    model = view.model
    result = solved.result()
    amani = next(p for p in result.partners if p.index == 1)
    c = money_column(model, "total")
    assert model.data(model.index(1, c), D.UserRole) == amani.total
    assert not model.stale and view.banner.isHidden()


def test_invalid_inputs_grey_the_last_split_under_a_banner(view, solved, qtbot, wait_solved):
    before = view.model.data(view.model.index(1, 1), D.UserRole)
    assert solved.set_field("partners[1].capacity", "") is None
    qtbot.waitUntil(lambda: view.model.stale)
    assert view.banner.text().startswith("Fix 1 problem to update the split")
    assert view.model.data(view.model.index(1, 1), D.UserRole) == before  # kept, not blank
    assert view.model.data(view.model.index(1, 1), D.ForegroundRole) is not None
    with qtbot.waitSignal(view.showProblem) as blocker:
        view.banner.action("show").click()
    assert blocker.args == ["partners[1].capacity"]
    solved.undo_stack.undo()
    wait_solved(solved)
    qtbot.waitUntil(lambda: not view.model.stale)
    assert view.banner.isHidden()
    assert view.model.data(view.model.index(1, 1), D.ForegroundRole) is None


def test_a_scenario_that_cannot_be_met_says_so(view, solved, qtbot, wait_solved):
    assert solved.set_field("budget.first_year", "100000") is None
    wait_solved(solved)
    qtbot.waitUntil(lambda: "cannot be met" in view.banner.text())
    assert view.banner.text().startswith("This scenario cannot be met")
    assert "£" in view.banner.text()  # the plain arithmetic, in the project's money
    # the last split that could be met stays, greyed, and says so
    assert view.model.rowCount() == 9 and view.model.stale
    assert "last split that could be met" in view.banner.text()
    solved.undo_stack.undo()
    wait_solved(solved)
    qtbot.waitUntil(lambda: view.banner.isHidden())
    assert not view.model.stale and not view.model.showing_older


def test_a_long_solve_shows_solving_and_greys(sample_project, qtbot, wait_solved):
    from tests.ui.engines import GatedEngine

    engine = GatedEngine()
    doc = Document(sample_project, engine_factory=lambda: engine)
    try:
        wait_solved(doc)
        view = ResultsView(doc)
        qtbot.addWidget(view)
        assert view.banner.isHidden() and not view.model.stale
        engine.gate.clear()  # the next solve waits until the test lets it go
        doc.set_field("partners[2].floor", "40000")
        assert not view.model.stale  # a quick solve never flickers
        qtbot.waitUntil(lambda: view.banner.text() == "Solving…", timeout=5000)
        assert view.model.stale
        engine.gate.set()
        wait_solved(doc)
        qtbot.waitUntil(lambda: view.banner.isHidden())
        assert not view.model.stale
    finally:
        engine.gate.set()
        doc.shutdown()


def test_left_out_partners_say_so(view, solved, wait_solved):
    scenario = [s.name for s in solved.project.scenarios].index(FEE)
    assert solved.set_field(f"scenarios[{scenario}].excluded", "deafvoice") is None
    wait_solved(solved)
    model = view.model
    row = model.row_of_partner(3)
    assert model.data(model.index(row, money_column(model, "total"))) == "left out"
    assert model.data(model.index(row, money_column(model, "total")), D.UserRole) == 0


def test_selection_follows_the_document_both_ways(view, solved):
    view.table.setCurrentIndex(view.model.index(3, 0))
    assert solved.selected_partner == 3
    solved.set_selected_partner(5)
    assert view.table.currentIndex().row() == 5
    view.table.setCurrentIndex(view.model.index(8, 0))  # the total row is no partner
    assert solved.selected_partner == 5


def test_measures_at_a_glance(view, solved):
    metrics = solved.result().metrics
    text = view.measure_labels["min_attainment"].text()
    assert "Smallest attainment" in text and f"{metrics.min_attainment * 100:.1f}%" in text
    assert f"{metrics.gini:.3f}" in view.measure_labels["gini"].text()
    assert "Lead share" in view.measure_labels["lead_share"].text()
    assert view.findChild(type(view.table), "resultsTable") is view.table
    assert "chosen for the bid" in view.title.text()


def test_copy_gives_the_figures_as_plain_numbers(view, solved):
    result = solved.result()
    view.table.selectRow(1)
    text = view.copy_text()
    assert text.endswith("\r\n") and text.count("\r\n") == 2  # Excel's own line ends
    lines = [line.split("\t") for line in text.split("\r\n")[:-1]]
    assert lines[0][:2] == ["Partner", str(result.years[0])]
    amani = next(p for p in result.partners if p.index == 1)
    assert lines[1][0] == amani.name
    assert lines[1][1:4] == [str(v) for v in amani.per_year]
    attainment = lines[0].index(
        view.model.column(view.model.column_keys().index("attainment")).label
    )
    assert float(lines[1][attainment]) == pytest.approx(amani.attainment)
    assert len(lines) == 2


def test_copy_never_carries_a_formula(view, solved, wait_solved):
    assert solved.set_field("partners[1].name", "=SUM(A1:A9)") is None
    wait_solved(solved)
    view.table.selectRow(1)
    row = view.copy_text().split("\r\n")[1].split("\t")
    assert row[0] == "'=SUM(A1:A9)"  # a spreadsheet shows it as text


def _cells(model, role=D.DisplayRole):
    return {
        (r, c): model.data(model.index(r, c), role)
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    }


class Announced:
    """The cells a model said had changed, by what changed: text or tooltips only."""

    def __init__(self, model):
        self.text: set[tuple[int, int]] = set()
        self.tips: set[tuple[int, int]] = set()
        self.resets = 0
        model.dataChanged.connect(self._changed)
        model.modelReset.connect(self._reset)

    def _reset(self):
        self.resets += 1

    def _changed(self, top_left, bottom_right, roles=()):
        cells = {
            (r, c)
            for r in range(top_left.row(), bottom_right.row() + 1)
            for c in range(top_left.column(), bottom_right.column() + 1)
        }
        roles = [D(r) if isinstance(r, int) else r for r in roles]
        if not roles:
            self.text |= cells
        elif roles == [D.ToolTipRole]:
            self.tips |= cells


def test_a_new_result_tells_the_views_exactly_which_cells_changed(view, solved, wait_solved):
    model = view.model
    said = Announced(model)
    before = _cells(model)
    assert solved.set_field("partners[1].capacity", "150000") is None
    wait_solved(solved)
    after = _cells(model)
    changed = {cell for cell in before if before[cell] != after[cell]}
    assert changed  # the edit moved some figures
    assert said.resets == 0
    assert said.text == changed  # every changed cell, and only those
    assert model.rowCount() == len(before) // model.columnCount()


def test_the_reasons_reach_the_tooltips_once_they_come(sample_project, qtbot, wait_solved):
    from tests.ui.engines import TwoPassEngine

    engine = TwoPassEngine()
    doc = Document(sample_project, engine_factory=lambda: engine)
    try:
        wait_solved(doc)
        model = ResultsModel(doc)
        engine.full_gate.clear()
        assert doc.set_field("partners[1].capacity", "150000") is None
        qtbot.waitUntil(doc.result_is_current)
        model.refresh()
        said = Announced(model)
        figures = _cells(model)
        tips = _cells(model, D.ToolTipRole)
        name = model.data(model.index(1, 0))
        assert tips[(1, 0)] == name  # the reasons are not in yet: the whole name only
        engine.full_gate.set()
        wait_solved(doc)
        model.refresh()
        assert _cells(model) == figures and said.text == set()  # the same figures
        reason = next(p.reason for p in doc.result().partners if p.index == 1)
        assert reason and model.data(model.index(1, 0), D.ToolTipRole) == f"{name}\n{reason}"
        assert (1, 0) in said.tips and said.resets == 0
    finally:
        engine.full_gate.set()
        doc.shutdown()


def test_measure_names_are_the_same_in_the_app_the_command_line_and_the_workbook(
    view, solved, qtbot
):
    """Each measure has one name: under the results table, in the compare table, in
    what ``fairshare compare`` prints (text and JSON) and in the exported workbook."""
    import io

    import openpyxl

    from allocator.formats.workbook import workbook_bytes
    from allocator.report.baseline import compare_to_baseline
    from allocator.report.compare import render_comparison
    from allocator.report.words import MEASURES, measure_name
    from ui.models.compare import ROW_MEASURE
    from ui.views.compare import CompareView

    names = [m.name for m in MEASURES]
    # the results view: every measure it shows, by its name
    for key, label in view.measure_labels.items():
        assert label.accessibleName() == measure_name(key)
        assert label.text().startswith(measure_name(key))
    # the compare view's rows
    compare = CompareView(solved)
    qtbot.addWidget(compare)
    model = compare.model
    rows = [r for r in range(model.rowCount()) if model.row_kind(r) == ROW_MEASURE]
    assert [model.index(r, 0).data() for r in rows] == names
    # the command line's comparison, as text and as JSON
    project, results = solved.project, solved.results()
    comparison = compare_to_baseline(project, results)
    text = render_comparison(project, comparison, results).splitlines()
    for name in names:
        assert any(line.startswith(name + "  ") for line in text), name
    assert [m["label"] for m in comparison.to_json()["measures"]] == names
    # the workbook: the Summary's and the Scenarios sheet's measures
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results)))
    for sheet in ("Summary", "Scenarios"):
        column_a = [c.value for c in book[sheet]["A"]]
        at = column_a.index(names[0])
        assert column_a[at : at + len(names)] == names, sheet


def test_the_banner_says_each_kind_with_only_the_buttons_it_offers(qtbot):
    from ui.widgets.banner import Banner, BannerKind

    banner = Banner("someBanner")
    qtbot.addWidget(banner)
    pressed: list[str] = []
    banner.actionTriggered.connect(pressed.append)
    retry = banner.add_action("retry", "Run again", "someBannerRetry")
    assert banner.isHidden() and banner.text() == ""
    banner.say("Solving…", BannerKind.INFO)
    assert banner.text() == "Solving…" and banner.kind is BannerKind.INFO
    assert retry.isHidden() and banner.icon.isHidden()
    banner.say("It failed.", BannerKind.ERROR, ["retry"])
    assert not retry.isHidden() and not banner.icon.isHidden()
    assert banner.findChild(type(retry), "someBannerRetry") is retry
    assert banner.label.objectName() == "someBannerText"
    retry.click()
    assert pressed == ["retry"]
    with pytest.raises(KeyError):
        banner.say("No such button.", BannerKind.WARNING, ["nothing"])


def test_the_results_banner_keeps_its_names(view):
    assert view.banner.objectName() == "resultsBanner"
    assert view.banner.label.objectName() == "resultsBannerText"
    assert view.banner.action("show").objectName() == "resultsBannerShow"


def test_each_partner_s_figures_are_the_command_line_s(solved, wait_solved):
    """Total, fair share and attainment in the table are the figures of `solve --json`:
    totals the sum of the whole-unit years, attainment from the figures shown."""
    # what `fairshare solve --json` prints for the same project
    data = results_json(solved.project, solve(solved.project))
    for scenario in data["scenarios"]:
        if scenario["status"] != "optimal":
            continue
        solved.set_current_scenario(scenario["name"])
        wait_solved(solved)
        model = ResultsModel(solved)
        c_tot, c_fs = money_column(model, "total"), money_column(model, "fair_share")
        c_att = money_column(model, "attainment")
        for row, p in enumerate(scenario["partners"]):
            assert model.data(model.index(row, 0)) == p["name"]
            total = model.data(model.index(row, c_tot), D.UserRole)
            fair = model.data(model.index(row, c_fs), D.UserRole)
            assert (total, fair) == (p["total"], p["fair_share_total"])
            assert fair == sum(p["fair_share"])
            assert model.data(model.index(row, c_att)) == pct(total / fair)
            assert model.data(model.index(row, c_att)) == pct(p["attainment"])
        fs_total = model.data(model.index(model.rowCount() - 1, c_fs), D.UserRole)
        assert fs_total == sum(p["fair_share_total"] for p in scenario["partners"])


def test_the_lead_s_fee_is_said_beside_its_grant(solved):
    model = ResultsModel(solved)
    result = solved.result()
    row, lead = next((k, p) for k, p in enumerate(result.partners) if p.lead)
    said = f"{money(lead.received, 'GBP')} incl. {money(lead.fee_total, 'GBP')} fee"
    for key in ("total", "vs"):
        tip = model.data(model.index(row, money_column(model, key)), D.ToolTipRole)
        assert said in tip
