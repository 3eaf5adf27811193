"""The results chart: its bars are the result's figures, it follows edits in place,
greys while out of date, says so when there is nothing to show, and follows the palette;
and the one chart base it shares with the compare and sweep charts."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCharts import QHorizontalBarSeries
from PySide6.QtGui import QColor, QPalette

from allocator.engine.solve import Engine
from ui.charts.base import (
    ChartLegend,
    ThemedChartView,
    money_axis,
    money_ticks,
    nice_step,
    set_money_ticks,
)
from ui.charts.results import (
    FAIR_SHARE,
    FEE,
    GRANT,
    MIN_NAME_PIXELS,
    NAME_SHARE,
    SIZE_PROPORTIONAL,
    ResultsChart,
)


@pytest.fixture
def chart(document, qtbot, wait_solved):
    wait_solved(document)
    w = ResultsChart(document)
    qtbot.addWidget(w)
    w.resize(640, 420)
    return w


def test_bars_equal_the_result_figures(chart, document):
    result = document.result()
    assert result is not None and result.ok
    assert chart.objectName() == "resultsChart"
    assert chart.categories() == [p.name for p in result.partners]
    values = chart.values()
    assert values[GRANT] == [float(p.total) for p in result.partners]
    assert values[FAIR_SHARE] == pytest.approx([p.fair_share_total for p in result.partners])
    assert values[SIZE_PROPORTIONAL] == [float(sum(p.size_proportional)) for p in result.partners]
    fees = [float(sum(p.lines["management"])) for p in result.partners]
    if any(fees):
        assert values[FEE] == fees
    else:
        assert FEE not in values
    series = chart.chart().series()
    assert len(series) == 1 and isinstance(series[0], QHorizontalBarSeries)
    labels = [s.label() for s in series[0].barSets()]
    # drawn bottom up, so the legend reads grant first
    assert labels[-1] == "Grant" and "Fair share" in labels and "Size-proportional split" in labels
    assert chart.chart().legend().isVisible() and chart.chart().legend().reverseMarkers()


def test_value_axis_starts_at_zero_with_money_labels(chart, document):
    axes = chart.chart().axes()
    values_axis = next(a for a in axes if hasattr(a, "categoriesLabels"))
    assert values_axis.min() == 0
    top = max(max(v) for v in chart.values().values())
    assert values_axis.max() >= top
    labels = values_axis.categoriesLabels()
    assert labels and all(label.startswith("£") for label in labels)
    assert all(label.endswith(("k", "m")) for label in labels)  # short: "£500k", "£1.5m"


@pytest.mark.parametrize("width", [240, 360, 640, 1200])
def test_chart_labels_never_overlap(chart, qtbot, width):
    """Money ticks side by side and partner names cut at the end to fit any width."""
    from PySide6.QtGui import QFontMetrics

    chart.resize(width, 300)
    qtbot.waitUntil(lambda: chart.width() == width)
    chart.fit_axes()
    labels = chart.value_labels()
    assert labels
    axis = next(a for a in chart.chart().axes() if hasattr(a, "categoriesLabels"))
    metrics = QFontMetrics(axis.labelsFont())
    plot = chart.chart().plotArea()
    span = axis.max() - axis.min()
    centres = [plot.left() + plot.width() * (v - axis.min()) / span for _t, v in labels]
    halves = [metrics.horizontalAdvance(t) / 2 for t, _v in labels]
    for k in range(1, len(labels)):
        assert centres[k] - halves[k] >= centres[k - 1] + halves[k - 1], labels
    names = chart.category_axis.categories()
    room = max(MIN_NAME_PIXELS, int(width * NAME_SHARE))
    name_metrics = QFontMetrics(chart.category_axis.labelsFont())
    assert all(name_metrics.horizontalAdvance(n) <= room for n in names)
    assert len(set(names)) == len(chart.categories())
    cut = [n for n in names if n.rstrip("\u200b").endswith("…")]
    for n in cut:  # cut at the end: the start of a partner's name stays
        assert any(full.startswith(n.rstrip("\u200b")[:-1]) for full in chart.categories())


def test_an_edit_updates_the_bars_in_place(chart, document, wait_solved):
    document.set_current_scenario(document.project.scenarios[2].name)
    wait_solved(document)
    built = chart.rebuilds
    before = chart.values()[GRANT]
    j = 2
    assert document.set_field(f"scenarios[{j}].ring_fence", 0.45) is None
    assert not chart.is_stale()  # a quick re-solve never flickers (greyed if it is slow)
    wait_solved(document)
    assert not chart.is_stale()
    after = chart.values()[GRANT]
    assert after != before
    assert after == [float(p.total) for p in document.result().partners]
    assert chart.rebuilds == built  # same partners: bars moved, nothing rebuilt


def test_a_new_partner_rebuilds_the_bars(chart, document, wait_solved):
    from allocator.domain import edits

    built = chart.rebuilds
    document.edit_with(lambda p: edits.duplicate_partner(p, 1), "Copy partner")
    wait_solved(document)
    assert len(chart.categories()) == len(document.project.partners)
    assert chart.rebuilds == built + 1


def test_a_plain_message_when_there_is_nothing_to_show(document, qtbot, wait_solved):
    assert document.set_field("partners[1].capacity", "") is None  # blank: a problem
    wait_solved(document)
    w = ResultsChart(document)
    qtbot.addWidget(w)
    assert document.result() is None
    assert w.chart().series() == []
    assert "fix the problems" in w.message.lower()
    assert w.chart().title() == w.message


def drawn_below_title(chart) -> set[int]:
    """The colours drawn under the chart's title, inside its rounded background."""
    image = chart.grab().toImage()
    top = 3 * chart.fontMetrics().height() + 16
    return {
        image.pixel(x, y)
        for y in range(top, image.height() - 16, 3)
        for x in range(16, image.width() - 16, 3)
    }


def test_a_new_project_clears_the_last_partners_and_then_shows_its_own(
    chart, document, wait_solved
):
    """After File > New nothing of the last project is drawn, not even before Qt deletes
    the old axes; once the new project has a split, its own partners are down the axis."""
    from dataclasses import replace

    from allocator.domain import edits

    sample = document.project
    assert chart.categories() and len(drawn_below_title(chart)) > 1
    document.reset(edits.new_project(first_year_budget=300000))
    # at once, before the event loop runs: only the message and the background
    assert chart.categories() == [] and chart.values() == {}
    assert chart.category_axis is None and chart.chart().series() == []
    assert "no split to show yet" in chart.message.lower()
    assert len(drawn_below_title(chart)) == 1, "something is drawn under the message"
    renamed = replace(
        sample, partners=tuple(replace(p, name=f"New {p.name}") for p in sample.partners)
    )
    document.reset(renamed)
    wait_solved(document)
    assert chart.categories() == [p.name for p in document.result().partners]
    assert all(name.startswith("New ") for name in chart.categories())
    assert sorted(chart.category_axis.categories()) == sorted(chart.categories())
    assert chart.values()[GRANT] == [float(p.total) for p in document.result().partners]


def test_the_chart_follows_a_dark_palette(chart, qtbot):
    assert not chart.dark
    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#17181a"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
    ):
        dark.setColor(role, QColor(colour))
    chart.setPalette(dark)
    assert chart.dark
    assert chart.chart().theme() == chart.chart().ChartTheme.ChartThemeDark
    assert chart.chart().backgroundBrush().color() == QColor("#17181a")
    assert chart.values()[GRANT]  # the bars survive the theme change


def test_the_bars_grey_while_a_slow_solve_runs_and_while_a_problem_blocks_it(
    sample_project, qtbot, wait_solved
):
    from ui.state.document import Document

    gate = threading.Event()

    class GatedEngine(Engine):
        def solve(self, *args, **kwargs):
            gate.wait(10)
            return super().solve(*args, **kwargs)

    doc = Document(sample_project, engine_factory=GatedEngine)
    try:
        gate.set()
        wait_solved(doc)
        w = ResultsChart(doc)
        qtbot.addWidget(w)
        assert not w.is_stale()
        gate.clear()
        assert doc.set_field("partners[2].floor", "40000") is None
        assert not w.is_stale()
        qtbot.waitUntil(w.is_stale, timeout=2000)  # the solve has taken long enough to say
        gate.set()
        wait_solved(doc)
        assert not w.is_stale()
        assert w.values()[GRANT] == [float(p.total) for p in doc.result().partners]
        assert doc.set_field("partners[2].capacity", "") is None  # blank: a problem
        wait_solved(doc)
        assert w.is_stale()  # the last split stays, greyed, until the problem is fixed
    finally:
        gate.set()
        doc.shutdown()


def test_a_result_with_the_same_figures_touches_nothing(chart, document):
    """The full results after the figures (or any result that reads the same) neither
    rebuild nor refill the bars, nor set the title again (which lays the chart out)."""
    from dataclasses import replace

    titles = []
    chart.chart().setTitle = titles.append  # a spy: the chart sets its title through it
    built = chart.rebuilds
    values = chart.values()
    same = replace(document.result())  # a new object with equal figures
    document.result = lambda name=None: same  # what the chart reads, handed out anew
    document.resultsChanged.emit()
    assert chart.rebuilds == built and chart.values() == values
    assert titles == []


def test_the_results_compare_and_sweep_charts_share_one_base(chart, qtbot):
    from ui.charts.compare import CompareChart
    from ui.charts.sweep import SweepChart

    others = [CompareChart(), SweepChart("sweepTestChart")]
    for w in others:
        qtbot.addWidget(w)
    for w in (chart, *others):
        assert isinstance(w, ThemedChartView)
        assert w.chart() is w.chart_
        assert not w.is_stale()
        w.set_stale(True)
        assert w.is_stale()


def test_money_ticks_are_round_and_cover_the_range():
    start, end, labels = money_ticks(0, 1_234_567, "GBP")
    assert (start, end) == (0, 1_250_000)
    assert [v for _t, v in labels] == [k * 250_000 for k in range(6)]
    assert labels[1][0] == "£250,000"
    _s, _e, compact = money_ticks(0, 1_234_567, "GBP", compact=True, label_start=False)
    assert compact[0] == ("£250k", 250_000) and compact[-1] == ("£1.25m", 1_250_000)
    assert nice_step(0) == 1.0 and nice_step(100) == 20 and nice_step(130) == 50


def test_a_money_axis_is_relabelled_only_when_its_ticks_change():
    axis = money_axis(0, 1000, "GBP")
    assert axis.categoriesLabels()[-1] == "£1,000"
    assert not set_money_ticks(axis, 0, 1000, "GBP")  # the same ticks: untouched
    assert set_money_ticks(axis, 0, 5000, "GBP")
    assert axis.max() == 5000


def test_the_legend_lists_each_series_in_words(qtbot):
    class TwoLines(ThemedChartView):
        def legend_entries(self):
            return [("■", QColor("#0072B2"), "Needs-weighted"), ("■", QColor("#E69F00"), "A-B")]

    view = TwoLines()
    legend = ChartLegend(view)
    qtbot.addWidget(view)
    qtbot.addWidget(legend)
    assert legend.entries() == ["Needs-weighted", "A-B"]
    assert "Needs&nbsp;weighted" not in legend.text() and "Needs&#8209;weighted" in legend.text()
    assert legend.accessibleDescription() == "Needs-weighted; A-B"
