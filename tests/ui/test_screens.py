"""The window fits the screens people have: a 1280x720 laptop at 150% (1280x680 left
for the window under its title bar and above the taskbar), 1366x768, 1024x768.

The offscreen desktop screen (``ui.offscreen.desktop_platform``, set up by conftest)
is 1920x1200, so the window can be resized to each of these sizes.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QWidget,
)

from ui.charts.results import NAME_SHARE

#: Window sizes for the screens: what is left under a title bar and above a taskbar.
LAPTOP = QSize(1280, 680)  # 1280x720
SMALL_LAPTOP = QSize(1366, 728)  # 1366x768
OLD_SCREEN = QSize(1024, 740)  # 1024x768


def _resize(window, size: QSize, qtbot) -> None:
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size, timeout=3000)
    qtbot.wait(50)  # the layouts settle on posted events


def whole_rows(table: QTableView) -> int:
    """How many rows the table shows whole, without scrolling."""
    height = table.viewport().height()
    return sum(
        1
        for r in range(table.model().rowCount())
        if 0 <= table.rowViewportPosition(r)
        and table.rowViewportPosition(r) + table.rowHeight(r) <= height
    )


def test_the_smallest_window_fits_the_small_screens(window):
    least = window.minimumSizeHint()
    for screen in (LAPTOP, OLD_SCREEN):
        assert least.width() <= screen.width() and least.height() <= screen.height(), least


@pytest.mark.parametrize("size", [LAPTOP, SMALL_LAPTOP], ids=["1280x720", "1366x768"])
def test_a_laptop_screen_shows_six_rows_of_each_table(window, wait_solved, qtbot, size):
    wait_solved(window.document)
    _resize(window, size, qtbot)
    partners = window.findChild(QTableView, "partnersTable")
    results = window.findChild(QTableView, "resultsTable")
    assert partners.isVisible() and results.isVisible()
    assert whole_rows(partners) >= 6
    assert whole_rows(results) >= 6


@pytest.mark.parametrize("size", [LAPTOP, SMALL_LAPTOP], ids=["1280x720", "1366x768"])
def test_every_result_column_reads_whole_on_a_laptop(window, wait_solved, qtbot, size):
    wait_solved(window.document)
    _resize(window, size, qtbot)
    table = window.findChild(QTableView, "resultsTable")
    header = table.horizontalHeader()
    bold = QFont(header.font())
    bold.setBold(True)  # a selected row makes the headers bold
    metrics = QFontMetrics(bold)
    model = table.model()
    for c in range(model.columnCount()):
        words = str(model.headerData(c, Qt.Orientation.Horizontal))
        assert metrics.horizontalAdvance(words) + 8 <= header.sectionSize(c), words
        assert header.sectionSizeHint(c) <= header.sectionSize(c) + 1, words
        tip = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        assert tip, words
    # every column on screen at once, the partner names included
    assert header.length() <= table.viewport().width()
    for r in range(model.rowCount()):
        figure = str(model.index(r, 1).data() or "")
        assert QFontMetrics(table.font()).horizontalAdvance(figure) <= header.sectionSize(1)


def test_a_long_partner_name_ends_in_an_ellipsis_and_is_whole_in_its_tooltip(
    window, wait_solved, qtbot
):
    doc = window.document
    long_name = "Outside-the-Ring Survivors' Housing Association of Greater London"
    assert doc.set_field("partners[5].name", long_name) is None
    wait_solved(doc)
    _resize(window, LAPTOP, qtbot)
    table = window.findChild(QTableView, "resultsTable")
    assert table.textElideMode() == Qt.TextElideMode.ElideRight
    index = table.model().index(5, 0)
    assert table.horizontalHeader().sectionSize(0) < QFontMetrics(table.font()).horizontalAdvance(
        long_name
    )
    assert long_name in index.data(Qt.ItemDataRole.ToolTipRole)
    partners = window.findChild(QTableView, "partnersTable")
    assert partners.textElideMode() == Qt.TextElideMode.ElideRight


@pytest.mark.parametrize("size", [LAPTOP, SMALL_LAPTOP], ids=["1280x720", "1366x768"])
def test_chart_labels_do_not_overlap_on_a_laptop(window, wait_solved, qtbot, size):
    wait_solved(window.document)
    _resize(window, size, qtbot)
    chart = window.resultsChart
    tabs = window.resultsTabs
    tabs.setCurrentWidget(chart)  # on a short screen the chart has a tab of its own
    qtbot.waitUntil(chart.isVisible)
    chart.fit_axes()
    labels = chart.value_labels()
    assert len(labels) >= 2
    axis = next(a for a in chart.chart().axes() if hasattr(a, "categoriesLabels"))
    metrics = QFontMetrics(axis.labelsFont())
    plot = chart.chart().plotArea()
    span = axis.max() - axis.min()
    edges = []
    for words, value in labels:
        centre = plot.left() + plot.width() * (value - axis.min()) / span
        half = metrics.horizontalAdvance(words) / 2
        edges.append((centre - half, centre + half))
    assert all(a[1] <= b[0] for a, b in zip(edges, edges[1:], strict=False)), labels
    names = QFontMetrics(chart.category_axis.labelsFont())
    assert all(
        names.horizontalAdvance(n) <= chart.width() * NAME_SHARE + 1
        for n in chart.category_axis.categories()
    )


def test_a_scenario_that_cannot_be_met_shows_its_first_suggestion_on_a_laptop(
    window, wait_solved, qtbot
):
    doc = window.document
    wait_solved(doc)
    _resize(window, LAPTOP, qtbot)
    assert doc.set_field("budget.first_year", "150000") is None
    wait_solved(doc)
    problems = window.problemsView
    assert problems.needs_room()
    qtbot.wait(50)
    applies = [
        b for b in problems.findChildren(QPushButton) if b.text().replace("&", "") == "Apply"
    ]
    assert applies
    first = min(applies, key=lambda b: b.mapTo(problems, b.rect().topLeft()).y())
    assert first.isVisible()
    shown = first.visibleRegion().boundingRect()
    assert shown == first.rect()  # whole, without scrolling


def _squeezed(window: QWidget) -> list[str]:
    """Widgets laid out smaller than they need, outside any scroll area."""
    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.isWindow():
            continue
        parent, scrolled = w.parentWidget(), False
        while parent is not None and parent is not window:
            if isinstance(parent, QAbstractScrollArea):
                scrolled = True
                break
            parent = parent.parentWidget()
        if scrolled:
            continue
        policy = w.sizePolicy()
        least = w.minimumSizeHint()
        if (
            policy.horizontalPolicy() != QSizePolicy.Policy.Ignored
            and w.width() + 1 < least.width()
            and not isinstance(w, QSplitter)
        ):
            out.append(f"{type(w).__name__} {w.objectName()}: {w.width()} < {least.width()}")
    return out


def test_an_old_screen_cuts_nothing_off(window, wait_solved, qtbot):
    wait_solved(window.document)
    qtbot.waitUntil(lambda: window.resultsTabs.count() >= 4 or window.compareView is not None)
    _resize(window, OLD_SCREEN, qtbot)
    assert window.size() == OLD_SCREEN  # the window is not held wider than the screen
    assert not _squeezed(window)
    for name in ("partnersTable", "resultsTable", "explanationView", "problemsView"):
        part = window.findChild(QWidget, name)
        assert isinstance(part, QAbstractScrollArea) or part.findChild(QAbstractScrollArea)
    # Compare and Sweep scroll inside their tabs rather than widening the window
    assert window.compareView.parentWidget().parentWidget().objectName() == "compareScroll"
    assert window.sweepView.parentWidget().parentWidget().objectName() == "sweepScroll"


def test_the_scenario_panel_folds_away_and_stays_folded(sample_path, qtbot, window):
    action = window.toggleScenarioPanelAction
    assert action in window.viewMenu.actions()
    assert action.shortcut() == QKeySequence("Ctrl+B")
    assert action.isChecked() and window.scenarioPanel.width() > 0
    splitter = window.findChild(QSplitter, "mainSplitter")
    before = window.findChild(QTableView, "resultsTable").width()
    action.trigger()
    assert not action.isChecked() and splitter.sizes()[0] == 0
    qtbot.waitUntil(lambda: window.findChild(QTableView, "resultsTable").width() > before)
    window.close()

    from ui.app import create_main_window

    again = create_main_window(str(sample_path))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    try:
        assert again.findChild(QSplitter, "mainSplitter").sizes()[0] == 0
        assert not again.toggleScenarioPanelAction.isChecked()
        again.toggleScenarioPanelAction.trigger()
        assert again.findChild(QSplitter, "mainSplitter").sizes()[0] > 0
        assert again.toggleScenarioPanelAction.isChecked()
    finally:
        again.document.undo_stack.setClean()
        again.close()
        again.document.shutdown()


def test_a_short_screen_gives_the_chart_a_tab_of_its_own(window, wait_solved, qtbot):
    wait_solved(window.document)
    tabs = window.resultsTabs
    _resize(window, LAPTOP, qtbot)
    assert tabs.indexOf(window.resultsChart) == 1
    assert tabs.tabText(1) == "Chart"
    reasons = window.findChild(QSplitter, "reasonsSplitter")
    assert reasons.orientation() == Qt.Orientation.Horizontal  # reasons beside problems
    _resize(window, QSize(1600, 1000), qtbot)
    assert tabs.indexOf(window.resultsChart) == -1
    assert window.findChild(QSplitter, "detailSplitter").indexOf(window.resultsChart) == 0
    assert reasons.orientation() == Qt.Orientation.Vertical
