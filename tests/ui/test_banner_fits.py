"""The results banner's words read whole on small screens: a long message (a scenario
that cannot be met, with its suggested changes) wraps to at most MAX_LINES lines, cut
at a word with "…" and a "Show all" toggle, and no line is ever cut through."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QTableView, QToolButton

from tests.ui.test_screens import LAPTOP, OLD_SCREEN, _resize, whole_rows
from ui.widgets.banner import MAX_LINES, Banner, BannerKind

LONG = (
    "This scenario cannot be met: 2027: Floors add up to £200,000 but the distributable "
    "budget is £135,000. Suggested changes that together would make it solve: lower "
    "Amani Collective's floor from £60,000 to £41,000; lower Sahara Sisters Project's "
    "floor from £50,000 to £34,000; lower Deaf Women's Voice's floor from £50,000 to "
    "£34,000; lower Rainbow Refuge Line's floor from £40,000 to £27,000; lower the "
    "management fee from 10% to 6.9%. Or, a grant of £222,222 in the first year would "
    "make it solve as it stands."
)


def lines(label: QLabel) -> int:
    """How many lines the label's words take at its width."""
    line = label.fontMetrics().lineSpacing()
    return round(label.heightForWidth(label.width()) / line)


def assert_reads_whole(banner: Banner) -> None:
    """Every line the label shows is whole, and either the message is all there or the
    rest is one click away ("Show all") and in the tooltip."""
    label, more = banner.label, banner.more
    shown = banner.words.height() >= label.heightForWidth(label.width())
    scrolls = banner.words.verticalScrollBar().isVisible()
    assert shown or scrolls, "lines cut through with no scroll bar"
    if label.text() == banner.text():
        return
    assert more.isVisible() and more.text() == "Show all"
    assert label.text().endswith("…") and banner.text().startswith(label.text()[:-1])
    assert label.toolTip() == banner.text()
    assert lines(label) <= MAX_LINES


@pytest.fixture
def cannot_be_met(window, wait_solved):
    doc = window.document
    wait_solved(doc)
    assert doc.set_field("budget.first_year", 150000) is None
    wait_solved(doc)
    return window


@pytest.mark.parametrize("size", [OLD_SCREEN, LAPTOP], ids=["1024x768", "1280x720"])
def test_a_long_warning_reads_whole_on_a_small_screen(cannot_be_met, qtbot, size: QSize):
    window = cannot_be_met
    _resize(window, size, qtbot)
    banner = window.findChild(Banner, "resultsBanner")
    label = window.findChild(QLabel, "resultsBannerText")
    assert banner.isVisible() and label is banner.label
    assert "cannot be met" in banner.text()
    qtbot.waitUntil(lambda: banner.words.height() >= label.heightForWidth(label.width()))
    assert_reads_whole(banner)
    more = window.findChild(QToolButton, "resultsBannerMore")
    if more.isVisible():  # the rest, one click away
        more.click()
        assert label.text() == banner.text() and more.text() == "Show less"
        qtbot.wait(50)  # the layouts settle on posted events
        assert_reads_whole(banner)
        more.click()
        assert label.text().endswith("…")


def test_a_split_that_can_be_met_keeps_six_rows_under_no_banner(window, wait_solved, qtbot):
    wait_solved(window.document)
    _resize(window, LAPTOP, qtbot)
    banner = window.findChild(Banner, "resultsBanner")
    assert banner.isHidden()
    assert whole_rows(window.findChild(QTableView, "resultsTable")) >= 6


def test_a_long_message_is_cut_at_a_word_and_shown_whole_on_demand(qtbot):
    banner = Banner("someBanner")
    qtbot.addWidget(banner)
    banner.resize(420, 200)
    banner.say("Solving…", BannerKind.INFO)
    banner.show()
    qtbot.waitExposed(banner)
    assert banner.label.text() == "Solving…" and banner.more.isHidden()
    assert banner.label.toolTip() == ""
    banner.say(LONG)
    assert banner.text() == LONG  # whole, however much shows
    assert banner.more.isVisible() and banner.label.text().endswith("…")
    assert banner.label.toolTip() == LONG
    qtbot.waitUntil(lambda: lines(banner.label) <= MAX_LINES)
    banner.more.click()
    assert banner.label.text() == LONG and banner.more.isChecked()
    # a new message starts short again
    banner.say(LONG + " Again.")
    assert not banner.more.isChecked() and banner.label.text().endswith("…")
    # wide enough for the whole message: no toggle
    banner.resize(3000, 200)
    qtbot.waitUntil(lambda: banner.more.isHidden())
    assert banner.label.text() == LONG + " Again."


def test_a_message_is_plain_text(qtbot):
    banner = Banner("someBanner")
    qtbot.addWidget(banner)
    banner.say("<b>Amani</b> & Co")
    assert banner.label.text() == "<b>Amani</b> & Co" and banner.text() == "<b>Amani</b> & Co"
    assert banner.label.textFormat().name == "PlainText"
