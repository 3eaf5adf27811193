"""The needs assessment: questionnaire data, scoring, checking answers, explanations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.domain import needs
from allocator.domain.model import ValidationError
from allocator.domain.needs import (
    BACK_OFFICE_CAPACITY,
    MULTIPLE_DISADVANTAGE,
    QUESTIONS,
    explain_scoring,
    question,
    questions_for,
    score,
    total_weight,
    validate_answers,
)

MD_IDS = [q.id for q in questions_for(MULTIPLE_DISADVANTAGE)]
BO_IDS = [q.id for q in questions_for(BACK_OFFICE_CAPACITY)]


def highest(qid: str) -> str:
    return max(question(qid).options, key=lambda o: o.score).id


def lowest(qid: str) -> str:
    return min(question(qid).options, key=lambda o: o.score).id


# ---- the questionnaire as data -----------------------------------------------------


def test_every_question_has_distinct_options_scored_in_0_to_1():
    for q in QUESTIONS:
        assert len(q.options) >= 2, q.id
        ids = [o.id for o in q.options]
        assert len(set(ids)) == len(ids), q.id
        assert len({o.label for o in q.options}) == len(ids), q.id
        for o in q.options:
            assert 0.0 <= o.score <= 1.0, (q.id, o.id)
            assert o.id and o.label


def test_options_run_from_0_to_1_in_equal_steps_lowest_first():
    # explain_scoring promises this, and the app lists answers in this order.
    for q in QUESTIONS:
        scores = [o.score for o in q.options]
        assert scores[0] == 0.0 and scores[-1] == 1.0, q.id
        step = 1.0 / (len(scores) - 1)
        for i, s in enumerate(scores):
            assert math.isclose(s, i * step), (q.id, scores)


def test_question_ids_are_unique_and_each_section_feeds_its_score():
    ids = [q.id for q in QUESTIONS]
    assert len(set(ids)) == len(ids)
    prefix = {needs.COMMUNITIES: "cs_", needs.ORGANISATION: "org_", needs.BACK_OFFICE: "bo_"}
    feeds = {
        needs.COMMUNITIES: MULTIPLE_DISADVANTAGE,
        needs.ORGANISATION: MULTIPLE_DISADVANTAGE,
        needs.BACK_OFFICE: BACK_OFFICE_CAPACITY,
    }
    for q in QUESTIONS:
        assert q.section in needs.SECTIONS
        assert q.id.startswith(prefix[q.section]), q.id
        assert q.feeds == feeds[q.section], q.id
        assert q.weight > 0, q.id
        assert q.text.strip() and q.help.strip() and q.topic.strip(), q.id


def test_the_questionnaire_covers_what_the_guidance_asks():
    ids = {q.id for q in QUESTIONS}
    assert {
        "cs_racism", "cs_disability", "cs_lgbtq", "cs_immigration", "cs_language",
        "cs_poverty", "cs_faith", "cs_intersecting",
        "org_by_and_for", "org_income_per_person", "org_tenders", "org_funder_reach",
        "bo_finance", "bo_hr", "bo_it", "bo_governance", "bo_fundraising",
        "bo_reserves", "bo_arrears",
    } <= ids  # fmt: skip


def test_share_questions_use_the_documented_answers():
    q = question("cs_racism")
    assert [o.id for o in q.options] == ["none", "quarter", "half", "three_quarters", "most"]
    assert q.option("three_quarters").label == "Half to three quarters"


def test_question_lookup_names_known_ids_when_missing():
    assert question("bo_finance").section == needs.BACK_OFFICE
    with pytest.raises(KeyError, match="cs_racism"):
        question("nope")


def test_weights_sum_to_the_documented_totals():
    assert total_weight(MULTIPLE_DISADVANTAGE) == pytest.approx(14.0)
    assert total_weight(BACK_OFFICE_CAPACITY) == pytest.approx(7.0)
    assert question("cs_intersecting").weight == 2.0
    assert question("org_by_and_for").weight == 2.0
    assert len(MD_IDS) + len(BO_IDS) == len(QUESTIONS)


# ---- scoring ---------------------------------------------------------------------------


def test_most_disadvantaged_answers_give_1_and_best_back_office_gives_1():
    answers = {qid: highest(qid) for qid in MD_IDS + BO_IDS}
    s = score(answers)
    assert s.multiple_disadvantage == 1.0
    assert s.back_office_capacity == 1.0
    assert s.complete and s.missing == []


def test_least_disadvantaged_and_least_resourced_answers_give_0():
    s = score({qid: lowest(qid) for qid in MD_IDS + BO_IDS})
    assert s.multiple_disadvantage == 0.0
    assert s.back_office_capacity == 0.0


def test_no_answers_give_no_scores_never_zero():
    s = score({})
    assert s.multiple_disadvantage is None
    assert s.back_office_capacity is None
    assert s.complete is False
    assert s.missing == [q.id for q in QUESTIONS]
    assert len(s.lines) == len(QUESTIONS)
    assert all(line.answer is None and line.contribution is None for line in s.lines)


def test_one_group_blank_leaves_only_that_score_empty():
    s = score({"bo_finance": "dedicated"})
    assert s.back_office_capacity == 1.0
    assert s.multiple_disadvantage is None
    s = score({"cs_racism": "none"})
    assert s.multiple_disadvantage == 0.0
    assert s.back_office_capacity is None


def test_empty_text_answer_counts_as_blank():
    s = score({"cs_racism": "", "bo_finance": "part_time"})
    assert s.multiple_disadvantage is None
    assert "cs_racism" in s.missing


def test_partial_answers_score_from_what_was_answered_and_list_the_rest():
    answers = {"cs_racism": "three_quarters", "org_by_and_for": "yes", "bo_reserves": "1_to_3"}
    s = score(answers)
    # (0.75 x 1 + 1 x 2) / (1 + 2)
    assert s.multiple_disadvantage == 0.917
    assert s.back_office_capacity == 0.25
    assert not s.complete
    assert set(s.missing) == {q.id for q in QUESTIONS} - set(answers)
    assert s.missing == [q.id for q in QUESTIONS if q.id not in answers]  # questionnaire order
    assert "cs_racism" not in s.missing_in(MULTIPLE_DISADVANTAGE)
    assert "cs_poverty" in s.missing_in(MULTIPLE_DISADVANTAGE)
    assert "cs_poverty" not in s.missing_in(BACK_OFFICE_CAPACITY)


def test_weighted_mean_by_hand():
    answers = {
        "cs_racism": "half",  # 0.5 x 1
        "cs_intersecting": "three",  # 0.75 x 2
        "org_tenders": "often",  # 1.0 x 1
        "bo_finance": "none",  # 0 x 1
        "bo_it": "well",  # 1 x 1
        "bo_reserves": "6_to_12",  # 0.75 x 1
    }
    s = score(answers)
    assert s.multiple_disadvantage == round((0.5 + 1.5 + 1.0) / 4, 3)
    assert s.back_office_capacity == round(1.75 / 3, 3)


def test_lines_carry_answer_score_weight_and_contributions_that_add_up():
    answers = {
        "cs_racism": "half",
        "cs_intersecting": "three",
        "org_tenders": "often",
        "bo_finance": "none",
        "bo_it": "well",
        "bo_reserves": "6_to_12",
    }
    s = score(answers)
    assert [line.question_id for line in s.lines] == [q.id for q in QUESTIONS]
    for group in (MULTIPLE_DISADVANTAGE, BACK_OFFICE_CAPACITY):
        total = sum(line.contribution or 0.0 for line in s.lines if line.feeds == group)
        assert total == pytest.approx(s.group_score(group), abs=5e-4)
    line = next(line for line in s.lines if line.question_id == "cs_intersecting")
    assert line.section == needs.COMMUNITIES
    assert line.text == question("cs_intersecting").text
    assert line.answer == "Three" and line.answer_id == "three"
    assert line.option_score == 0.75 and line.weight == 2.0
    assert line.contribution == pytest.approx(1.5 / 4)


def test_lines_render_in_plain_words():
    s = score({"cs_racism": "three_quarters", "bo_finance": "dedicated"})
    text = s.to_text()
    assert "Communities served — racism: 'Half to three quarters' scores 0.75 x weight 1.0" in text
    assert "Back-office capacity — finance staff: 'At least one dedicated finance post'" in text
    assert "Communities served — poverty: not answered" in text
    assert "Multiple disadvantage: 0.750, from 1 of 12 questions; not answered:" in text
    blank = score({}).to_text()
    assert "no answers, so no score yet" in blank
    assert "0.000" not in blank


def test_score_rejects_unknown_ids_rather_than_treating_them_as_blank():
    with pytest.raises(ValidationError) as err:
        score({"cs_racism": "lots"}, path="partners[0].needs_answers")
    assert err.value.problems[0][0] == "partners[0].needs_answers.cs_racism"


# ---- checking answers ------------------------------------------------------------------


def test_unknown_answer_names_field_and_allowed_answers():
    problems = validate_answers({"cs_racism": "lots"}, "partners[2].needs_answers")
    assert problems == [
        (
            "partners[2].needs_answers.cs_racism",
            "'lots' is not an answer to this question; "
            "allowed: none, quarter, half, three_quarters, most",
        )
    ]


def test_unknown_question_names_field_and_suggests_a_close_id():
    problems = validate_answers({"cs_racsim": "half"}, "partners[1].needs_answers")
    assert len(problems) == 1
    path, message = problems[0]
    assert path == "partners[1].needs_answers.cs_racsim"
    assert "is not a needs question" in message and "cs_racism" in message


def test_wrong_types_are_reported_with_paths():
    assert validate_answers(["cs_racism"], "partners[0].needs_answers") == [
        ("partners[0].needs_answers", "must map question ids to answer ids (text)")
    ]
    problems = validate_answers({"bo_it": 3}, "p.needs_answers")
    assert problems[0][0] == "p.needs_answers.bo_it"
    assert "poorly, adequately, well" in problems[0][1]


def test_good_answers_have_no_problems():
    answers = {q.id: q.options[0].id for q in QUESTIONS}
    assert validate_answers(answers, "partners[0].needs_answers") == []
    assert validate_answers({}, "x") == []


# ---- explanation -----------------------------------------------------------------------


def test_explanation_is_several_paragraphs_and_matches_the_data():
    text = explain_scoring()
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 4
    assert "weighted average" in text
    assert "never counted as 0" in text
    assert f"total weight of {total_weight(MULTIPLE_DISADVANTAGE):g}" in text
    assert f"total weight of {total_weight(BACK_OFFICE_CAPACITY):g}" in text
    assert "= 0.917" in text  # the worked example agrees with score()


# ---- properties ------------------------------------------------------------------------


@st.composite
def answer_sets(draw):
    answers = {}
    for q in QUESTIONS:
        choice = draw(st.one_of(st.none(), st.sampled_from([o.id for o in q.options])))
        if choice is not None:
            answers[q.id] = choice
    return answers


@given(answer_sets())
def test_scores_lie_in_0_to_1_and_are_none_only_when_a_group_is_blank(answers):
    s = score(answers)
    for group, ids in ((MULTIPLE_DISADVANTAGE, MD_IDS), (BACK_OFFICE_CAPACITY, BO_IDS)):
        value = s.group_score(group)
        if any(qid in answers for qid in ids):
            assert value is not None and 0.0 <= value <= 1.0
        else:
            assert value is None
    assert s.complete == (len(answers) == len(QUESTIONS))
    assert set(s.missing) == {q.id for q in QUESTIONS} - set(answers)


@given(answer_sets(), st.data())
def test_a_higher_scoring_answer_never_lowers_its_score(answers, data):
    if not answers:
        return
    qid = data.draw(st.sampled_from(sorted(answers)))
    q = question(qid)
    current = q.option(answers[qid]).score
    better = [o.id for o in q.options if o.score > current]
    if not better:
        return
    changed = dict(answers, **{qid: data.draw(st.sampled_from(better))})
    before, after = score(answers), score(changed)
    assert after.group_score(q.feeds) >= before.group_score(q.feeds)
    other = BACK_OFFICE_CAPACITY if q.feeds == MULTIPLE_DISADVANTAGE else MULTIPLE_DISADVANTAGE
    assert after.group_score(other) == before.group_score(other)


# -- what applying the answers sets -------------------------------------------------


def test_score_changes_set_both_scores_from_the_answers_by_default():
    answers = {"cs_racism": "most", "bo_finance": "part_time"}
    given = score(answers)
    md, bo = needs.score_changes(
        answers,
        {MULTIPLE_DISADVANTAGE: 0.4, BACK_OFFICE_CAPACITY: None},
        {MULTIPLE_DISADVANTAGE: True, BACK_OFFICE_CAPACITY: True},
    )
    assert (md.before, md.after, md.typed) == (0.4, given.multiple_disadvantage, True)
    assert md.changes and md.differs
    assert md.text() == (
        f"Multiple disadvantage: 0.400 (typed in) becomes {given.multiple_disadvantage:.3f} "
        "from these answers"
    )
    assert (bo.before, bo.after) == (None, given.back_office_capacity)
    assert bo.text().startswith("Back-office capacity: blank becomes 0.500")


def test_score_changes_keep_typed_scores_when_asked_and_when_unanswered():
    answers = {"cs_racism": "most"}
    current = {MULTIPLE_DISADVANTAGE: 0.4, BACK_OFFICE_CAPACITY: 0.3}
    typed = {MULTIPLE_DISADVANTAGE: True, BACK_OFFICE_CAPACITY: True}
    md, bo = needs.score_changes(answers, current, typed, keep_typed=True)
    assert md.after == 0.4 and not md.changes and md.differs
    assert "stays 0.400 (typed in); these answers would give" in md.text()
    # no back-office answer: a typed score is never blanked
    for keep in (True, False):
        _, bo = needs.score_changes(answers, current, typed, keep_typed=keep)
        assert bo.after == 0.3 and not bo.changes and not bo.differs
        assert (
            bo.text()
            == "Back-office capacity: stays 0.300 (typed in): these answers give no score for it"
        )


def test_score_changes_a_score_from_the_answers_follows_them_even_to_blank():
    current = {MULTIPLE_DISADVANTAGE: 0.75, BACK_OFFICE_CAPACITY: None}
    typed = {MULTIPLE_DISADVANTAGE: False, BACK_OFFICE_CAPACITY: True}
    md, bo = needs.score_changes({}, current, typed, keep_typed=True)
    assert md.after is None and md.changes
    assert "becomes blank" in md.text()
    assert bo.after is None and bo.text().startswith("Back-office capacity: stays blank")
