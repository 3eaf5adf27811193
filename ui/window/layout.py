"""How the main window shares its room: splitter sizes that fit the screen, remembered.

A short screen (a 1280x720 laptop at 150%) gets the partners and the results six rows
each before the chart and the reasons take the rest; a scenario that cannot be met
gives its suggested changes the room instead (the results then are old figures, the
chart has none); the scenario panel folds away to give the tables its width. Each
splitter follows these rules until the person moves it, and its sizes are remembered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractScrollArea, QSplitter, QTableView, QTabWidget, QWidget

from ui.state import settings
from ui.widgets.layout import SplitterSizes

if TYPE_CHECKING:
    from ui.views.explain import ProblemsView

#: Splitters by object name, with the sizes they start at before the person moves them.
DEFAULT_SPLITTER_SIZES: dict[str, list[int]] = {
    "mainSplitter": [330, 1070],
    "centreSplitter": [280, 600],
    "resultsSplitter": [335, 235],
    "detailSplitter": [500, 560],
    "reasonsSplitter": [195, 55],
}

#: Below this window height the chart leaves the space under the results for a tab of
#: its own beside them, and the reasons and the problems sit side by side.
COMPACT_HEIGHT = 800

#: The whole rows the partners and the results show before the chart gets room.
ROWS_SHOWN = 6
#: The rows the results keep (and on a short screen the partners too) while the
#: suggested changes of a scenario that cannot be met take the room.
ROWS_WHILE_UNMET = 2


def rows_height(part: QWidget, table: QAbstractScrollArea, rows: int, row: int) -> int:
    """The height ``part`` needs for ``rows`` whole rows of ``table`` (in it) of height
    ``row``: what it takes now, less its table's viewport, plus the rows (and room for
    a horizontal scroll bar, should the columns come to need one)."""
    # the viewport's height, asked without fetching the viewport itself (whose Python
    # type PySide would look up among every widget class before the first frame)
    viewport = table.maximumViewportSize().height()
    return (
        part.height() - viewport + rows * row + table.horizontalScrollBar().sizeHint().height() + 1
    )


class WindowLayout(QObject):
    """The window's splitters: sizes that fit, the folding scenario panel, memory."""

    def __init__(
        self,
        splitters: dict[str, QSplitter],
        partners: tuple[QWidget, QTableView],
        results: tuple[QWidget, QTableView],
        problems: ProblemsView,
        panel_action: QAction,
        chart: tuple[QWidget, QTabWidget],
    ) -> None:
        super().__init__(splitters["mainSplitter"])
        self.splitters = splitters
        self.partners, self.results = partners, results
        self.problems = problems
        self.chart, self.tabs = chart
        self.compact = False
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit)
        self.panel_action = panel_action
        self.panel_width = DEFAULT_SPLITTER_SIZES["mainSplitter"][0]
        self.follow = {name: True for name in splitters}  # until the person moves one
        for name, s in splitters.items():
            s.splitterMoved.connect(lambda *_a, n=name: self._moved(n))
        main = splitters["mainSplitter"]
        main.setCollapsible(0, True)  # the scenario panel folds away
        splitters["detailSplitter"].setCollapsible(0, True)  # the chart, while it has none
        panel_action.triggered.connect(self.show_panel)
        problems.roomChanged.connect(self.fit)
        for _part, table in (partners, results):  # rows come and go: fit them again
            model = table.model()
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
                signal.connect(self._refit_soon)
        self.memory = SplitterSizes(list(splitters.values()), DEFAULT_SPLITTER_SIZES)

    # -- memory --------------------------------------------------------------------
    def restore(self) -> None:
        """The sizes last saved; where there are none, sizes that fit the window."""
        self.memory.restore()
        for name in self.splitters:
            self.follow[name] = not settings.splitter_sizes(name)
        self.follow["mainSplitter"] = False
        self.fit()
        self._refit.start()  # again once the panes have taken their sizes
        self._panel_moved()

    def save(self) -> None:
        self.memory.save()

    def reset(self) -> None:
        """Every splitter back where it started, fitted to the window."""
        self.memory.reset()
        self.follow = {name: True for name in self.splitters}
        self.follow["mainSplitter"] = False
        self.fit()
        self._panel_moved()

    def window_resized(self, height: int) -> None:
        """Compact below COMPACT_HEIGHT; the splitters the person left alone fitted again."""
        self.set_compact(height < COMPACT_HEIGHT)
        self.fit()
        # and again once the panes have their new sizes (a banner may wrap, a scroll
        # bar come or go): measured then, the rows come out whole
        if not self._refit.isActive():
            self._refit.start()

    def set_compact(self, compact: bool) -> None:
        """The chart in a tab of its own beside the results (``compact``), or under them
        beside the reasons; the reasons beside the problems, or over them."""
        if compact == self.compact:
            return
        self.compact = compact
        detail, reasons = self.splitters["detailSplitter"], self.splitters["reasonsSplitter"]
        current = self.tabs.currentWidget()
        if compact:
            self.tabs.insertTab(1, self.chart, self.tr("Chart"))
            reasons.setOrientation(Qt.Orientation.Horizontal)
        else:
            self.tabs.removeTab(self.tabs.indexOf(self.chart))
            detail.insertWidget(0, self.chart)
            detail.setCollapsible(0, True)
            reasons.setOrientation(Qt.Orientation.Vertical)
            self.chart.show()
        if current is not None and self.tabs.indexOf(current) >= 0:
            self.tabs.setCurrentWidget(current)
        else:
            self.tabs.setCurrentIndex(0)  # the chart was on show: the results now hold it

    def _refit_soon(self, *_args: object) -> None:
        if not self._refit.isActive():
            self._refit.start()

    def _moved(self, name: str) -> None:
        self.follow[name] = False  # the person's choice from now on
        if name == "mainSplitter":
            self._panel_moved()

    # -- fitting -------------------------------------------------------------------
    def fit(self, *_args: object) -> None:
        """Share the room by the rules above, in each splitter the person left alone."""
        unmet = self.problems.needs_room()
        if self.follow["centreSplitter"]:
            part, table = self.partners
            rows = ROWS_WHILE_UNMET if unmet and self.compact else ROWS_SHOWN
            self._share(
                "centreSplitter", rows_height(part, table, rows, _row(table)), _all(*self.partners)
            )
        if self.follow["resultsSplitter"]:
            part, table = self.results
            rows = ROWS_WHILE_UNMET if unmet else ROWS_SHOWN
            self._share(
                "resultsSplitter", rows_height(part, table, rows, _row(table)), _all(*self.results)
            )
        if self.follow["detailSplitter"]:
            # the chart has nothing to draw for a scenario that cannot be met: the
            # reasons and the suggested changes get the whole width
            s = self.splitters["detailSplitter"]
            total = sum(s.sizes())
            if s.count() < 2:
                total = 0  # the chart is in a tab of its own
            a, b = DEFAULT_SPLITTER_SIZES["detailSplitter"]
            chart = 0 if unmet else a * total // (a + b)
            if total:
                s.setSizes([chart, total - chart])
        if self.follow["reasonsSplitter"]:
            self._fit_reasons()

    def _share(self, name: str, first: int, whole: int) -> None:
        """Give the first pane ``first`` pixels (on a tall screen its usual share, but
        no more than the ``whole`` table needs), at most what leaves the second its
        smallest; the second the rest."""
        s = self.splitters[name]
        total = sum(s.sizes())
        if total <= 0:
            return
        if not self.compact and not self.problems.needs_room():
            a, b = DEFAULT_SPLITTER_SIZES[name]
            first = max(first, min(a * total // (a + b), whole))  # a tall screen
        second = s.widget(1)
        least = second.minimumSizeHint().height() if second is not None else 0
        first = max(min(first, total - least), 0)
        s.setSizes([first, total - first])

    def _fit_reasons(self) -> None:
        """Most of the reasons pane for the problems while they have something to show."""
        s = self.splitters["reasonsSplitter"]
        total = sum(s.sizes())
        if total <= 0:
            return
        view = self.problems
        if self.compact:
            below = total * 2 // 3 if view.needs_room() else total * 2 // 5  # side by side
        elif view.needs_room():
            below = int(total * 0.7)
        else:
            below = max(view.compact_height(), view.minimumSizeHint().height())
        s.setSizes([max(total - below, 0), below])

    # -- the scenario panel --------------------------------------------------------
    def panel_shown(self) -> bool:
        return self.splitters["mainSplitter"].sizes()[0] > 0

    def show_panel(self, shown: bool) -> None:
        """Fold the scenario panel away (``shown`` False) or open it again."""
        main = self.splitters["mainSplitter"]
        sizes = main.sizes()
        total = sum(sizes)
        if shown and sizes[0] == 0:
            panel = main.widget(0)
            least = panel.minimumSizeHint().width() if panel is not None else 0
            width = max(least, self.panel_width)
            main.setSizes([width, max(total - width, 0)])
        elif not shown and sizes[0] > 0:
            self.panel_width = sizes[0]
            main.setSizes([0, total])
        self._panel_moved()

    def _panel_moved(self) -> None:
        shown = self.panel_shown()
        if self.panel_action.isChecked() != shown:
            self.panel_action.setChecked(shown)


def _all(part: QWidget, table: QTableView) -> int:
    """The height ``part`` needs to show every row of its table."""
    return rows_height(part, table, max(ROWS_SHOWN, table.model().rowCount()), _row(table))


def _row(table: QTableView) -> int:
    return table.verticalHeader().defaultSectionSize()
