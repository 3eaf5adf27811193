"""The suggested changes of a scenario that cannot be met, in the problems pane: they
keep the rules the scenario keeps, stay as first listed while they are applied one by
one, say what they would do to the split, and a kept rule in the way is said as
information with no Apply button."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

from allocator.domain import edits, fields
from allocator.domain.paths import FieldPath
from allocator.report.words import measure_text
from ui.views.explain import ProblemsView
from ui.views.scenarios import ScenarioPanel, keep_box_name

RING = 2  # "Needs-weighted, 30% ring-fence, 10% fee": floors and the fee move


def _plain(html: str) -> str:
    text = QTextDocument()
    text.setHtml(html)
    return " ".join(text.toPlainText().split())


@pytest.fixture
def problems(document, qtbot):
    w = ProblemsView(document)
    qtbot.addWidget(w)
    w.resize(640, 700)
    return w


def _squeeze(document, wait_solved):
    """The sample with a first-year grant of £150,000: the floors add up to more."""
    document.edit(edits.set_field(document.project, "budget.first_year", 150000), "squeeze")
    document.set_current_scenario(document.project.scenarios[RING].name)
    wait_solved(document)
    assert document.result().status == "infeasible"


def _ring_fence_in_the_way(document, wait_solved):
    """A 60% ring-fence: more than the by-and-for partners can absorb; only the kept
    ring-fence would help."""
    path = f"scenarios[{RING}].ring_fence"
    document.edit(edits.set_field(document.project, path, 0.6), "ring-fence")
    document.set_current_scenario(document.project.scenarios[RING].name)
    wait_solved(document)
    assert document.result().status == "infeasible"


def test_no_suggestion_loosens_a_kept_rule(problems, document, wait_solved):
    _squeeze(document, wait_solved)
    assert document.project.scenarios[RING].keep == fields.KEEP_DEFAULT
    shown = problems.suggestions()
    assert shown and len(problems.applyButtons) == len(shown)
    for r in shown:
        assert r.field.rsplit(".", 1)[-1] in ("floor", "management_fee"), r


def test_items_applied_one_by_one_leave_the_rest_as_listed(problems, document, wait_solved):
    _squeeze(document, wait_solved)
    listed = problems.suggestions()
    after = problems.afterChanges.text()
    assert len(listed) > 2
    for k in range(len(listed)):
        assert problems.suggestions() == listed[k:]
        assert problems.afterChanges.text() == after  # all of them still lead there
        problems.applyButtons[0].click()
        wait_solved(document)
        if k < len(listed) - 1:
            # a fresh solve would share the remaining cut out anew: the list stays
            assert document.result().status == "infeasible"
            assert f"still to make ({len(listed) - k - 1} of {len(listed)}" in (
                problems.arithmetic.text()
            )
    # the last one makes it solve
    assert document.result().ok
    assert problems.infeasibleBox.isHidden()
    # undo takes the person back to the list, as listed
    document.undo_stack.undo()
    wait_solved(document)
    assert problems.suggestions() == listed[-1:]


def test_any_other_edit_works_the_list_out_anew(problems, document, wait_solved):
    _squeeze(document, wait_solved)
    listed = problems.suggestions()
    problems.applyButtons[0].click()
    wait_solved(document)
    assert problems.suggestions() == listed[1:]
    assert document.set_field("budget.first_year", "140000") is None
    wait_solved(document)
    result = document.result()
    assert result.status == "infeasible"
    assert problems.suggestions() == list(result.relaxations)
    assert problems.suggestions() != listed[1:]


def test_apply_all_applies_the_rest_as_one_undo_step(problems, document, wait_solved):
    _squeeze(document, wait_solved)
    listed = problems.suggestions()
    problems.applyButtons[0].click()
    wait_solved(document)
    steps = document.undo_stack.count()
    problems.applyAllSuggestionsAction.trigger()
    assert document.undo_stack.count() == steps + 1
    for r in listed:
        assert FieldPath.parse(r.field).get(document.project) == r.to_value
    wait_solved(document)
    assert document.result().ok
    # the split is the one the after-changes line spoke of
    first = document.suggestions_result()
    metrics = document.result().metrics
    assert metrics.min_attainment == pytest.approx(first.after_relaxations_min_attainment)
    assert metrics.by_and_for_share == pytest.approx(first.after_relaxations_by_and_for_share)
    document.undo_stack.undo()
    wait_solved(document)
    assert problems.suggestions() == listed[1:]


def test_what_the_changes_would_do_and_the_grant_per_year(problems, document, wait_solved):
    _squeeze(document, wait_solved)
    first = document.suggestions_result()
    least = measure_text("min_attainment", first.after_relaxations_min_attainment)
    share = measure_text("by_and_for_share", first.after_relaxations_by_and_for_share)
    assert problems.afterChanges.text() == (
        f"After these changes: smallest attainment {least}, by-and-for share {share}."
    )
    assert not problems.afterChanges.isHidden()
    # the grant that would suffice: per year and against today's, never a bare total
    words = document.result().budget_words
    assert words.startswith("a grant of £222,222 in the first year, rising 2% a year")
    assert problems.alternative.text() == f"Or, with nothing changed: {words}."
    assert "more than today" in problems.alternative.text()
    assert "over all years" not in problems.alternative.text()


def test_a_partner_s_floor_says_it_changes_in_every_scenario(problems, document, wait_solved):
    _squeeze(document, wait_solved)
    floors = [r for r in problems.suggestions() if r.partner_id is not None]
    fee = [r for r in problems.suggestions() if r.partner_id is None]
    assert floors and fee
    labels = problems.suggestionsHost.findChildren(QLabel)
    text = " ".join(_plain(label.text()) for label in labels)
    assert "Amani Collective's floor is the partner's own: it changes in every scenario." in text
    fee_label = [_plain(x.text()) for x in labels if "management fee" in x.text()]
    assert fee_label and "every scenario" not in fee_label[0]


def test_a_kept_rule_in_the_way_is_information_with_no_apply(problems, document, wait_solved):
    _ring_fence_in_the_way(document, wait_solved)
    result = document.result()
    assert result.relaxations == () and result.blocking
    assert problems.applyButtons == []
    assert not problems.applyAllSuggestionsAction.isEnabled()
    assert problems.applyAllButton.isHidden()
    label = problems.findChild(QLabel, "keptRuleInTheWay0")
    assert label.text().startswith("The 60% ring-fence stands in the way: at ")
    assert label.text().endswith(
        "it would solve. It is kept, so FairShare does not suggest loosening it; untick "
        "Kept beside it to let it be suggested."
    )
    assert "A rule the partnership keeps stands in the way" in problems.arithmetic.text()
    [show] = problems.keptRuleButtons
    assert show.text() == "Show the ring-fence"
    got: list[str] = []
    problems.showProblem.connect(got.append)
    show.click()
    assert got == [f"scenarios[{RING}].ring_fence"]


def test_unticking_kept_lets_the_rule_be_suggested(problems, document, wait_solved, qtbot):
    _ring_fence_in_the_way(document, wait_solved)
    panel = ScenarioPanel(document)
    qtbot.addWidget(panel)
    box = panel.findChild(type(panel.keepBoxes["ring_fence"]), keep_box_name("ring_fence"))
    assert box.isChecked()
    steps = document.undo_stack.count()
    box.click()
    assert document.undo_stack.count() == steps + 1
    assert "ring_fence" not in document.project.scenarios[RING].keep
    wait_solved(document)
    fields_shown = [r.field for r in problems.suggestions()]
    assert f"scenarios[{RING}].ring_fence" in fields_shown
    assert problems.keptRuleButtons == []
    problems.applyAllSuggestionsAction.trigger()
    wait_solved(document)
    assert document.result().ok


def test_the_kept_rule_button_selects_the_setting(window, qtbot, wait_solved):
    document = window.document
    _ring_fence_in_the_way(document, wait_solved)
    document.set_current_scenario(document.project.scenarios[0].name)
    document.set_current_scenario(document.project.scenarios[RING].name)
    wait_solved(document)
    qtbot.waitUntil(lambda: bool(window.problemsView.keptRuleButtons))
    window.problemsView.keptRuleButtons[0].click()
    editor = window.scenarioPanel.editors["ring_fence"]
    qtbot.waitUntil(lambda: editor.spin.hasFocus() or window.focusWidget() is editor.spin)
    assert window.scenarioPanel.keepBoxes["ring_fence"].isChecked()
