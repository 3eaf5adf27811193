"""The explanation of the selected partner, and the problems with their suggestions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from allocator.domain import edits
from allocator.domain.text import money, pct, signed_money
from allocator.engine.explain import need_words
from allocator.report.words import limit_text, money_change_text
from ui.views.explain import ExplanationView, ProblemsView


@pytest.fixture
def explanation(document, qtbot, wait_solved):
    wait_solved(document)
    w = ExplanationView(document)
    qtbot.addWidget(w)
    return w


@pytest.fixture
def problems(document, qtbot):
    w = ProblemsView(document)
    qtbot.addWidget(w)
    w.resize(420, 500)
    return w


def impossible(project):
    """Floors that add up to more than the budget: no split can meet them."""
    for i, floor in ((0, 800_000), (5, 600_000)):
        project = edits.set_field(project, f"partners[{i}].floor", floor)
    return project


def test_explanation_of_the_selected_partner_names_its_figures(explanation, document):
    document.set_current_scenario(document.project.scenarios[2].name)
    document.set_selected_partner(1)
    result = document.result()
    pr = next(p for p in result.partners if p.index == 1)
    text = explanation.toPlainText()
    assert explanation.objectName() == "explanationView"
    assert f"Why {pr.name} gets {money(pr.total)}" in text
    for year, amount in zip(result.years, pr.per_year, strict=True):
        assert str(year) in text and money(amount) in text
    assert money(pr.fair_share_total) in text
    assert pct(pr.attainment) in text
    assert signed_money(pr.vs_size_proportional) in text
    assert "Its need is its capacity of £180,000 ×" in text
    # need, what limits it and the change are said in the engine's and the table's words
    scenario = document.project.scenario(result.name)
    assert f"Its {need_words(document.project, scenario, 1)}." in text
    for reason in set(pr.limited_by_per_year):
        assert limit_text(reason) in text
    assert money_change_text(pr.vs_size_proportional, None, result.currency) in text
    assert pr.reason in text
    # the rules that hold every partner, with their shadow prices in words
    shared = [b.explanation for b in result.binding if b.partner is None]
    assert shared and shared[0] in text
    assert "Multiple disadvantage: 0.850, typed in" in text


def test_the_lead_s_explanation_shows_the_table_s_figures_and_its_fee(explanation, document):
    """Each year's fair share is the table's whole units, the total their sum, each
    attainment worked out from the figures beside it; the fee-inclusive figure says so."""
    document.set_current_scenario(document.project.scenarios[2].name)
    document.set_selected_partner(0)
    result = document.result()
    lead = next(p for p in result.partners if p.index == 0)
    assert lead.lead and lead.fee_total
    text = explanation.toPlainText()
    for k, (grant, fair) in enumerate(zip(lead.per_year, lead.fair_share_whole, strict=True)):
        assert money(fair) in text
        assert pct(lead.attainment_per_year[k]) == pct(grant / fair)
    assert sum(lead.fair_share_whole) == lead.fair_share_total
    assert money(lead.fair_share_total) in text
    said = f"{money(lead.received)} incl. {money(lead.fee_total)} fee"
    assert f"With its fee it receives {said}" in text


def test_explanation_follows_the_selection(explanation, document):
    document.set_selected_partner(0)
    first = explanation.toPlainText()
    document.set_selected_partner(3)
    name = document.project.partners[3].name
    assert name in explanation.toPlainText()
    assert explanation.toPlainText() != first


def test_explanation_shows_the_needs_answers(explanation, document, wait_solved):
    answers = {"cs_racism": "most", "bo_finance": "none"}
    document.edit_with(lambda p: edits.set_needs_answers(p, 2, answers), "answers")
    wait_solved(document)
    document.set_selected_partner(2)
    text = explanation.toPlainText()
    assert "Needs questions: Multiple disadvantage: 1.000, from 1 of 12 questions" in text


def test_problems_are_listed_in_words_and_a_click_goes_to_the_field(problems, document, qtbot):
    assert problems.objectName() == "problemsView"
    assert problems.problem_lines() == []
    document.set_field("partners[1].capacity", "")
    lines = problems.problem_lines()
    assert len(lines) == 1
    assert lines[0].startswith("Amani Collective's capacity: is blank")
    assert "Fix 1 problem" in problems.summary.text()
    item = problems.problemsList.item(0)
    with qtbot.waitSignal(problems.showProblem) as signal:
        rect = problems.problemsList.visualItemRect(item)
        qtbot.mouseClick(
            problems.problemsList.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert signal.args == ["partners[1].capacity"]
    document.undo_stack.undo()
    assert problems.problem_lines() == []


def test_an_impossible_scenario_shows_arithmetic_and_suggestions(problems, document, wait_solved):
    document.edit(impossible(document.project), "impossible floors")
    wait_solved(document)
    result = document.result()
    assert result.status == "infeasible"
    assert not problems.infeasibleBox.isHidden()
    assert result.checks[0] in problems.arithmetic.text()
    assert len(problems.applyButtons) == len(result.relaxations) > 0
    assert problems.applyAllSuggestionsAction.objectName() == "applyAllSuggestionsAction"
    assert problems.applyAllSuggestionsAction.isEnabled()


def test_apply_one_suggestion_is_one_undo_step(problems, document, wait_solved):
    document.edit(impossible(document.project), "impossible floors")
    wait_solved(document)
    steps = document.undo_stack.count()
    first = problems.suggestions()[0]
    problems.applyButtons[0].click()
    assert document.undo_stack.count() == steps + 1
    from allocator.domain.paths import FieldPath

    assert FieldPath.parse(first.field).get(document.project) == pytest.approx(first.to_value)
    document.undo_stack.undo()
    assert FieldPath.parse(first.field).get(document.project) == pytest.approx(first.from_value)


def test_apply_all_makes_the_scenario_solve_in_one_undo_step(problems, document, wait_solved):
    document.edit(impossible(document.project), "impossible floors")
    wait_solved(document)
    steps = document.undo_stack.count()
    problems.applyAllSuggestionsAction.trigger()
    assert document.undo_stack.count() == steps + 1
    wait_solved(document)
    assert document.result().ok
    assert problems.infeasibleBox.isHidden()
    assert not problems.applyAllSuggestionsAction.isEnabled()
    document.undo_stack.undo()
    wait_solved(document)
    assert document.result().status == "infeasible"
    assert not problems.infeasibleBox.isHidden()


def test_the_explanation_waits_for_the_reasons_and_is_laid_out_once(
    sample_project, qtbot, wait_solved
):
    from tests.ui.engines import TwoPassEngine
    from ui.state.document import Document

    engine = TwoPassEngine()
    doc = Document(sample_project, engine_factory=lambda: engine)
    try:
        wait_solved(doc)
        view = ExplanationView(doc)
        qtbot.addWidget(view)
        doc.set_selected_partner(1)
        before, sets = view.toPlainText(), view.html_sets
        engine.full_gate.clear()
        assert doc.set_field("partners[1].capacity", "150000") is None
        qtbot.waitUntil(doc.result_is_current)  # the figures are on screen
        # the text is not laid out again for figures without their reasons
        assert view.toPlainText() == before and view.html_sets == sets
        assert "out of date" not in view.toPlainText()
        qtbot.waitUntil(lambda: not view.viewport().isEnabled(), timeout=2000)  # slow: greyed
        engine.full_gate.set()
        wait_solved(doc)
        assert view.html_sets == sets + 1 and view.viewport().isEnabled()
        pr = next(p for p in doc.result().partners if p.index == 1)
        assert f"Why {pr.name} gets {money(pr.total)}" in view.toPlainText()
        assert pr.reason and pr.reason in view.toPlainText()
    finally:
        engine.full_gate.set()
        doc.shutdown()


def test_problems_are_filled_again_only_when_they_change(problems, document, wait_solved):
    wait_solved(document)
    fills = []
    clear = problems.problemsList.clear
    problems.problemsList.clear = lambda: (fills.append(1), clear())
    for value in ("150000", "160000"):
        assert document.set_field("partners[1].capacity", value) is None
        wait_solved(document)
    assert fills == []  # no problems before or after: the list was left alone
    assert document.set_field("partners[1].capacity", "") is None  # blank: a problem
    assert len(fills) == 1 and problems.problem_lines()
    document.undo_stack.undo()
    assert len(fills) == 2 and not problems.problem_lines()
