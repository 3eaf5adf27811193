"""The needs assessment: questions a consortium lead asks each partner, and their scoring.

The answers fill a partner's two needs scores, ``multiple_disadvantage`` (0..1, higher
means the communities it serves, and the organisation itself, face more intersecting
disadvantage) and ``back_office_capacity`` (0..1, 1 = fully resourced). The questionnaire
is plain data so that the app, the command line and the workbook's Method sheet all show
the same questions, answers, scores and weights, and partners can check how their answers
became their scores.

The rule is deliberately simple: each score is the weighted mean of the scores of the
answers given in its group. A blank question is left out of the mean and listed as
missing; a group with no answers at all has no score (``None``), never 0, because a blank
must never read as "no need".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from allocator.errors import ValidationError

MULTIPLE_DISADVANTAGE: Final = "multiple_disadvantage"
BACK_OFFICE_CAPACITY: Final = "back_office_capacity"
GROUPS = (MULTIPLE_DISADVANTAGE, BACK_OFFICE_CAPACITY)
GROUP_NAMES = {
    MULTIPLE_DISADVANTAGE: "multiple disadvantage",
    BACK_OFFICE_CAPACITY: "back-office capacity",
}

COMMUNITIES = "Communities served"
ORGANISATION = "How the organisation itself is disadvantaged"
BACK_OFFICE = "Back-office capacity"
SECTIONS = (COMMUNITIES, ORGANISATION, BACK_OFFICE)

Group = Literal["multiple_disadvantage", "back_office_capacity"]


@dataclass(frozen=True)
class Option:
    """One answer to a question, with the fixed score (0..1) it gives."""

    id: str
    label: str
    score: float


@dataclass(frozen=True)
class Question:
    """One question, read out to a partner.

    ``feeds`` names the score the answer counts towards; ``weight`` is how much it counts
    in that score's weighted mean. ``topic`` is the short name used in explanations
    ("Communities served — racism: ...").
    """

    id: str
    section: str
    text: str
    help: str
    options: tuple[Option, ...]
    feeds: Group
    weight: float
    topic: str

    def option(self, option_id: str) -> Option:
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(f"{option_id!r} is not an answer to {self.id}; allowed: {self.allowed()}")

    def allowed(self) -> str:
        return ", ".join(o.id for o in self.options)


# --------------------------------------------------------------------------------------
# The questionnaire.
# Disadvantage questions: a higher answer score means more disadvantage.
# Back-office questions: a higher answer score means better resourced.
# Options are listed from the lowest score to the highest, in equal steps.
# --------------------------------------------------------------------------------------

_SHARE = (
    Option("none", "None or almost none", 0.0),
    Option("quarter", "Under a quarter", 0.25),
    Option("half", "A quarter to a half", 0.5),
    Option("three_quarters", "Half to three quarters", 0.75),
    Option("most", "Most (three quarters or more)", 1.0),
)

_SHARE_HELP = (
    " A rough idea is enough: think of the people you supported over the last year."
    " If you really do not know, leave it blank rather than guess low."
)


def _share_question(qid: str, topic: str, who: str, help_text: str) -> Question:
    return Question(
        id=qid,
        section=COMMUNITIES,
        text=f"Roughly what share of the people you support {who}?",
        help=help_text + _SHARE_HELP,
        options=_SHARE,
        feeds=MULTIPLE_DISADVANTAGE,
        weight=1.0,
        topic=topic,
    )


QUESTIONS: tuple[Question, ...] = (
    # ---- Communities served -> multiple disadvantage --------------------------------
    _share_question(
        "cs_racism",
        "racism",
        "face racism",
        "Count racism from anyone: in the street, at work, in housing, from services or "
        "from the police, as well as abuse that is racist.",
    ),
    _share_question(
        "cs_disability",
        "disability",
        "are disabled or face barriers because of a disability or long-term condition",
        "Include physical and learning disabilities, sensory impairments, and long-term "
        "physical or mental health conditions that make services harder to reach.",
    ),
    _share_question(
        "cs_lgbtq",
        "homophobia or transphobia",
        "face homophobia, biphobia or transphobia",
        "Include people who are lesbian, gay, bisexual, trans or non-binary and meet "
        "hostility or barriers because of it, including from services.",
    ),
    _share_question(
        "cs_immigration",
        "insecure immigration status",
        "have insecure immigration status or no recourse to public funds",
        "Include people with no settled status, on a spousal or other dependent visa, "
        "seeking asylum, undocumented, or barred from benefits and housing help "
        "(no recourse to public funds).",
    ),
    _share_question(
        "cs_language",
        "language barriers",
        "face language barriers",
        "For example people who need an interpreter, or support in their first language, "
        "to use services or understand their rights.",
    ),
    _share_question(
        "cs_poverty",
        "poverty",
        "live in poverty",
        "For example people on a very low income, in problem debt, without safe or "
        "stable housing, or cut off from money by someone else.",
    ),
    _share_question(
        "cs_faith",
        "faith-related barriers",
        "face barriers or discrimination because of their faith or belief",
        "Include hostility because of religion or belief, and services that do not "
        "meet faith-related needs.",
    ),
    Question(
        id="cs_intersecting",
        section=COMMUNITIES,
        text=(
            "For a typical person you support, how many of these barriers come together "
            "at once: racism, disability, homophobia or transphobia, insecure immigration "
            "status, language, poverty, faith?"
        ),
        help=(
            "Think of the person you would describe as typical, not the hardest case. "
            "Barriers that come together make each other worse."
        ),
        options=(
            Option("none", "None", 0.0),
            Option("one", "One", 0.25),
            Option("two", "Two", 0.5),
            Option("three", "Three", 0.75),
            Option("four_plus", "Four or more", 1.0),
        ),
        feeds=MULTIPLE_DISADVANTAGE,
        weight=2.0,
        topic="barriers that intersect",
    ),
    # ---- How the organisation itself is disadvantaged -> multiple disadvantage ------
    Question(
        id="org_by_and_for",
        section=ORGANISATION,
        text="Is your organisation led by and for a minoritised community that it serves?",
        help=(
            "By and for means run by people from the community it serves, for that "
            "community: for example by and for Black and minoritised women, or by and for "
            "disabled women. Look at who sits on the board and in senior posts."
        ),
        options=(
            Option("no", "No", 0.0),
            Option("partly", "Partly: some of the board and leaders come from it", 0.5),
            Option("yes", "Yes: most of the board and senior staff come from it", 1.0),
        ),
        feeds=MULTIPLE_DISADVANTAGE,
        weight=2.0,
        topic="led by and for a minoritised community",
    ),
    Question(
        id="org_income_per_person",
        section=ORGANISATION,
        text=(
            "How does your income for each person you support compare with the "
            "partnership's average?"
        ),
        help=(
            "Divide last year's total income by the number of people supported in that "
            "year. The lead can work out the same figure for the whole partnership to "
            "compare against."
        ),
        options=(
            Option("much_more", "More than one and a half times the average", 0.0),
            Option("more", "Above average, up to one and a half times it", 0.25),
            Option("about", "About average (within a tenth either way)", 0.5),
            Option("less", "Below average, but at least two thirds of it", 0.75),
            Option("much_less", "Less than two thirds of the average", 1.0),
        ),
        feeds=MULTIPLE_DISADVANTAGE,
        weight=1.0,
        topic="income per person supported",
    ),
    Question(
        id="org_tenders",
        section=ORGANISATION,
        text=(
            "In the last three years, has your organisation been shut out of tenders or "
            "contracts it could have delivered, or lost work it held?"
        ),
        help=(
            "Shut out includes tenders too large for you to bid for alone, turnover or "
            "insurance rules you could not meet, and being offered only a subcontract."
        ),
        options=(
            Option("no", "No: we could bid for, and kept, the work we went for", 0.0),
            Option("sometimes", "Once or twice", 0.5),
            Option("often", "Repeatedly, or such tenders are usually out of our reach", 1.0),
        ),
        feeds=MULTIPLE_DISADVANTAGE,
        weight=1.0,
        topic="shut out of or losing tenders",
    ),
    Question(
        id="org_funder_reach",
        section=ORGANISATION,
        text=(
            "How well can your organisation reach the funders and commissioners who "
            "decide the money in your field?"
        ),
        help=(
            "Think of regular contact with funders, invitations to consultations and "
            "boards, and hearing about funding early enough to bid."
        ),
        options=(
            Option("well", "Well: regular contact and a seat where decisions are made", 0.0),
            Option("some", "Somewhat: we know a few, but are rarely consulted", 0.5),
            Option("little", "Little or not at all: we hear of funding late, if at all", 1.0),
        ),
        feeds=MULTIPLE_DISADVANTAGE,
        weight=1.0,
        topic="reach into funders and commissioners",
    ),
    # ---- Back-office capacity -> back-office capacity (higher = better resourced) --
    Question(
        id="bo_finance",
        section=BACK_OFFICE,
        text="Who looks after your organisation's finances?",
        help="Budgets, bookkeeping, payroll, grant claims and reports to funders.",
        options=(
            Option("none", "No paid finance staff: volunteers or the chief executive", 0.0),
            Option("part_time", "A part-time bookkeeper or a bought-in service", 0.5),
            Option("dedicated", "At least one dedicated finance post", 1.0),
        ),
        feeds=BACK_OFFICE_CAPACITY,
        weight=1.0,
        topic="finance staff",
    ),
    Question(
        id="bo_hr",
        section=BACK_OFFICE,
        text="Who handles HR: recruitment, contracts, staff policies and staff welfare?",
        help="Include bought-in HR services and trustees who give regular HR advice.",
        options=(
            Option("none", "No one in particular: managers fit it in", 0.0),
            Option("some", "Some help: part-time, bought in, or a trustee with HR skills", 0.5),
            Option("dedicated", "A dedicated HR post or a full HR service", 1.0),
        ),
        feeds=BACK_OFFICE_CAPACITY,
        weight=1.0,
        topic="HR support",
    ),
    Question(
        id="bo_it",
        section=BACK_OFFICE,
        text=(
            "How well do your IT and data systems meet your needs: computers, secure "
            "case records, and producing monitoring reports?"
        ),
        help=(
            "Poorly might mean old or shared laptops, case notes on paper or in "
            "spreadsheets, and reports that take days of hand counting."
        ),
        options=(
            Option("poorly", "Poorly", 0.0),
            Option("adequately", "Adequately, but stretched or reliant on one person", 0.5),
            Option("well", "Well: supported systems and a secure case-records database", 1.0),
        ),
        feeds=BACK_OFFICE_CAPACITY,
        weight=1.0,
        topic="IT and data systems",
    ),
    Question(
        id="bo_governance",
        section=BACK_OFFICE,
        text=(
            "Does your board of trustees have the time and skills to oversee the "
            "organisation, for example finance, law, safeguarding and strategy?"
        ),
        help="Think of how many trustees are active and which skills are missing.",
        options=(
            Option("no", "No: too few active trustees, or key skills missing", 0.0),
            Option("partly", "Partly: a few gaps or a stretched board", 0.5),
            Option("yes", "Yes", 1.0),
        ),
        feeds=BACK_OFFICE_CAPACITY,
        weight=1.0,
        topic="governance (trustee capacity)",
    ),
    Question(
        id="bo_fundraising",
        section=BACK_OFFICE,
        text="Does anyone in your organisation have time set aside for bringing in funding?",
        help="Writing bids, looking after funders and donors, and planning income.",
        options=(
            Option("none", "No: managers write bids when they can", 0.0),
            Option("some", "Part of someone's week, or bought-in bid writing", 0.5),
            Option("dedicated", "Yes: one or more dedicated fundraising posts", 1.0),
        ),
        feeds=BACK_OFFICE_CAPACITY,
        weight=1.0,
        topic="fundraising capacity",
    ),
    Question(
        id="bo_reserves",
        section=BACK_OFFICE,
        text=(
            "If all income stopped, how many months of running costs could your "
            "unrestricted reserves cover?"
        ),
        help="Use free reserves: money not tied to a particular project or building.",
        options=(
            Option("under_1", "Less than one month", 0.0),
            Option("1_to_3", "One to three months", 0.25),
            Option("3_to_6", "Three to six months", 0.5),
            Option("6_to_12", "Six to twelve months", 0.75),
            Option("12_plus", "Twelve months or more", 1.0),
        ),
        feeds=BACK_OFFICE_CAPACITY,
        weight=1.0,
        topic="months of reserves",
    ),
    Question(
        id="bo_arrears",
        section=BACK_OFFICE,
        text=(
            "If this grant were paid in arrears, after you have spent the money, could "
            "you carry the cost until the payment arrives?"
        ),
        help="Paid in arrears often means waiting a quarter or more after spending.",
        options=(
            Option("no", "No: we need payment in advance", 0.0),
            Option("month", "For about a month, with strain", 0.5),
            Option("quarter", "Yes: for a quarter or more without difficulty", 1.0),
        ),
        feeds=BACK_OFFICE_CAPACITY,
        weight=1.0,
        topic="carrying payment in arrears",
    ),
)

_BY_ID = {q.id: q for q in QUESTIONS}


def question(qid: str) -> Question:
    """The question with this id; ``KeyError`` naming the known ids if there is none."""
    try:
        return _BY_ID[qid]
    except KeyError:
        raise KeyError(f"{qid!r} is not a needs question; known: {', '.join(_BY_ID)}") from None


def questions_for(group: str) -> tuple[Question, ...]:
    """The questions that feed one score, in questionnaire order."""
    return tuple(q for q in QUESTIONS if q.feeds == group)


def total_weight(group: str) -> float:
    """The weight of a group's questions when all are answered."""
    return sum(q.weight for q in questions_for(group))


# --------------------------------------------------------------------------------------
# Checking answers.
# --------------------------------------------------------------------------------------


def validate_answers(answers: Any, path: str = "needs_answers") -> list[tuple[str, str]]:
    """Problems with a partner's answers as ``(field path, message)`` pairs, none if fine.

    An empty text answer counts as not answered, as a missing key does.
    """
    if not isinstance(answers, Mapping):
        return [(path, "must map question ids to answer ids (text)")]
    problems: list[tuple[str, str]] = []
    for key, value in answers.items():
        if not isinstance(key, str):
            problems.append((path, f"{key!r} is not a question id (question ids are text)"))
            continue
        where = f"{path}.{key}"
        q = _BY_ID.get(key)
        if q is None:
            import difflib  # only for an unknown question: off the start-up path

            close = difflib.get_close_matches(key, list(_BY_ID), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            problems.append((where, f"is not a needs question FairShare knows{hint}"))
            continue
        if not isinstance(value, str):
            problems.append((where, f"must be an answer id (text); allowed: {q.allowed()}"))
            continue
        if value == "":
            continue
        if all(o.id != value for o in q.options):
            problems.append(
                (where, f"{value!r} is not an answer to this question; allowed: {q.allowed()}")
            )
    return problems


# --------------------------------------------------------------------------------------
# Scoring.
# --------------------------------------------------------------------------------------


def _num(x: float, places: int) -> str:
    return f"{x:.{places}f}"


@dataclass(frozen=True)
class ScoreLine:
    """How one question counted: its answer, the answer's score, weight and contribution.

    ``contribution`` is ``weight x option score / total weight answered in the group``,
    so a group's contributions add up to its score. Blank questions have ``None`` in
    ``answer``, ``option_score`` and ``contribution``.
    """

    question_id: str
    section: str
    topic: str
    text: str
    feeds: str
    answer_id: str | None
    answer: str | None
    option_score: float | None
    weight: float
    contribution: float | None

    def to_text(self) -> str:
        head = f"{self.section} — {self.topic}: "
        if self.answer is None or self.option_score is None:
            return head + "not answered: left out of the score, not counted as 0"
        line = (
            f"{head}'{self.answer}' scores {_num(self.option_score, 2)}"
            f" x weight {_num(self.weight, 1)}"
        )
        if self.contribution is not None:
            line += f" (adds {_num(self.contribution, 3)} to {GROUP_NAMES[self.feeds]})"
        return line


@dataclass(frozen=True)
class NeedsScore:
    """The two scores from one partner's answers, and how each answer counted."""

    multiple_disadvantage: float | None
    back_office_capacity: float | None
    lines: list[ScoreLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def group_score(self, group: str) -> float | None:
        if group not in GROUPS:
            raise KeyError(f"{group!r} is not a needs score; known: {', '.join(GROUPS)}")
        return getattr(self, group)

    def missing_in(self, group: str) -> list[str]:
        return [qid for qid in self.missing if _BY_ID[qid].feeds == group]

    def summary(self, group: str) -> str:
        """One sentence per score: its value and how many questions it rests on."""
        name = GROUP_NAMES[group]
        qs = questions_for(group)
        value = self.group_score(group)
        gaps = self.missing_in(group)
        if value is None:
            return (
                f"{name.capitalize()}: no answers, so no score yet "
                "(a blank is never read as no need)"
            )
        answered = len(qs) - len(gaps)
        text = f"{name.capitalize()}: {_num(value, 3)}, from {answered} of {len(qs)} questions"
        if gaps:
            text += "; not answered: " + ", ".join(_BY_ID[g].topic for g in gaps)
        return text

    def to_text(self) -> str:
        """Every answer line, then one summary per score: for the CLI and the workbook."""
        out = [line.to_text() for line in self.lines]
        out.append("")
        out.extend(self.summary(g) for g in GROUPS)
        return "\n".join(out)


def score(answers: Mapping[str, str], path: str = "needs_answers") -> NeedsScore:
    """Score one partner's answers (question id -> answer id).

    Raises ``ValidationError`` (with field paths under ``path``) for an unknown question
    or answer, so a typing slip is never quietly scored as a blank.
    """
    problems = validate_answers(answers, path)
    if problems:
        raise ValidationError(problems)
    chosen: dict[str, Option] = {}
    for qid, aid in answers.items():
        if aid:
            chosen[qid] = _BY_ID[qid].option(aid)

    answered_weight = {g: 0.0 for g in GROUPS}
    weighted_sum = {g: 0.0 for g in GROUPS}
    for qid, opt in chosen.items():
        q = _BY_ID[qid]
        answered_weight[q.feeds] += q.weight
        weighted_sum[q.feeds] += q.weight * opt.score

    lines: list[ScoreLine] = []
    missing: list[str] = []
    for q in QUESTIONS:
        given = chosen.get(q.id)
        if given is None:
            missing.append(q.id)
        denom = answered_weight[q.feeds]
        lines.append(
            ScoreLine(
                question_id=q.id,
                section=q.section,
                topic=q.topic,
                text=q.text,
                feeds=q.feeds,
                answer_id=None if given is None else given.id,
                answer=None if given is None else given.label,
                option_score=None if given is None else given.score,
                weight=q.weight,
                contribution=None if given is None else q.weight * given.score / denom,
            )
        )

    def mean(group: str) -> float | None:
        if answered_weight[group] == 0:
            return None
        return round(weighted_sum[group] / answered_weight[group], 3)

    return NeedsScore(
        multiple_disadvantage=mean(MULTIPLE_DISADVANTAGE),
        back_office_capacity=mean(BACK_OFFICE_CAPACITY),
        lines=lines,
        missing=missing,
    )


@dataclass(frozen=True)
class Breakdown:
    """Which answers gave which part of one score, for partners to check.

    ``lines`` are the questions feeding this score in questionnaire order, each with the
    words of its answer and what it adds; their contributions add up to ``score``
    (before it is rounded). ``score`` is None when none of them was answered.
    """

    group: str
    name: str
    score: float | None
    lines: tuple[ScoreLine, ...]

    @property
    def answered(self) -> int:
        return sum(1 for line in self.lines if line.answer is not None)

    def to_text(self) -> str:
        out = [
            f"{self.name.capitalize()}: "
            + ("no score yet" if self.score is None else _num(self.score, 3))
        ]
        for line in self.lines:
            if line.answer is None or line.contribution is None:
                out.append(f"  {line.topic}: not answered (left out, not counted as 0)")
            else:
                out.append(
                    f"  {line.topic}: '{line.answer}' adds {_num(line.contribution, 3)}"
                    f" (answer score {_num(line.option_score or 0.0, 2)} x weight {line.weight:g}"
                    f" / {_num(sum(x.weight for x in self.lines if x.answer is not None), 1)})"
                )
        return "\n".join(out)


def score_breakdown(answers: Mapping[str, str]) -> tuple[Breakdown, ...]:
    """Each score with the part every answer gave it (one :class:`Breakdown` per score).

    The same figures as :func:`score`, grouped by score, so the app, the command line
    and the questionnaire workbook show partners how their answers became their scores.
    """
    result = score(answers)
    return tuple(
        Breakdown(
            group=g,
            name=GROUP_NAMES[g],
            score=result.group_score(g),
            lines=tuple(line for line in result.lines if line.feeds == g),
        )
        for g in GROUPS
    )


# --------------------------------------------------------------------------------------
# What applying the answers sets.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreChange:
    """What applying a partner's answers does to one of its two scores.

    ``before`` is the score now and ``typed`` whether a person typed it (rather than it
    coming from the answers); ``from_answers`` is what the answers give (None when none
    of the group's questions is answered); ``after`` is what applying sets.
    """

    group: str
    before: float | None
    typed: bool
    from_answers: float | None
    after: float | None

    @property
    def changes(self) -> bool:
        return self.before != self.after

    @property
    def differs(self) -> bool:
        """A typed score the answers would replace by a different figure."""
        return (
            self.typed
            and self.before is not None
            and self.from_answers is not None
            and self.from_answers != self.before
        )

    def text(self) -> str:
        """The change in words: "Multiple disadvantage: 0.400 (typed in) becomes 0.650"."""
        name = GROUP_NAMES[self.group].capitalize()
        now = "blank" if self.before is None else _num(self.before, 3)
        if self.before is not None:
            now += " (typed in)" if self.typed else " (from the answers)"
        if self.changes:
            if self.after is None:
                return f"{name}: {now} becomes blank: none of its questions is answered now"
            return f"{name}: {now} becomes {_num(self.after, 3)} from these answers"
        if self.before is None:
            return f"{name}: stays blank: answer one of its questions to give it a score"
        if self.from_answers is None:
            return f"{name}: stays {now}: these answers give no score for it"
        if self.from_answers != self.before:
            return f"{name}: stays {now}; these answers would give {_num(self.from_answers, 3)}"
        return f"{name}: stays {now}, the score these answers give"


def score_changes(
    answers: Mapping[str, str],
    current: Mapping[str, float | None],
    typed: Mapping[str, bool],
    keep_typed: bool = False,
) -> tuple[ScoreChange, ...]:
    """What applying ``answers`` sets, score by score, given each score now and whether
    it was typed in.

    The answers decide both scores, a typed one included, unless ``keep_typed``; a
    score with no answered question keeps a typed figure (and a score that followed
    the answers becomes blank: a blank is never read as no need).
    """
    scored = score({q: a for q, a in answers.items() if a})
    out = []
    for group in GROUPS:
        before, was_typed = current.get(group), bool(typed.get(group))
        given = scored.group_score(group)
        keep = was_typed and before is not None and (given is None or keep_typed)
        after = before if keep else given
        out.append(ScoreChange(group, before, was_typed, given, after))
    return tuple(out)


# --------------------------------------------------------------------------------------
# The method in words.
# --------------------------------------------------------------------------------------


def _weights_in_words(group: str) -> str:
    parts = []
    for section in SECTIONS:
        qs = [q for q in questions_for(group) if q.section == section]
        if not qs:
            continue
        heavier = [q for q in qs if q.weight != 1.0]
        text = f"{len(qs)} questions on {section[0].lower() + section[1:]}"
        if not heavier:
            text += ", weighing 1 each"
        else:
            notes = [f"{q.topic} weighs {q.weight:g}" for q in heavier]
            if len(heavier) < len(qs):
                notes.append(f"the other {len(qs) - len(heavier)} weigh 1 each")
            text += " (" + "; ".join(notes) + ")"
        parts.append(text)
    return " and ".join(parts)


def explain_scoring() -> str:
    """How answers become the two scores, in plain words (app and Method sheet)."""
    md_total = total_weight(MULTIPLE_DISADVANTAGE)
    bo_total = total_weight(BACK_OFFICE_CAPACITY)
    example = score({"cs_racism": "three_quarters", "org_by_and_for": "yes"})
    r = _BY_ID["cs_racism"].option("three_quarters")
    b = _BY_ID["org_by_and_for"].option("yes")
    wr = _BY_ID["cs_racism"].weight
    wb = _BY_ID["org_by_and_for"].weight
    shares = ", ".join(f"'{o.label}' scores {o.score:g}" for o in _SHARE)
    fin_bottom, fin_top = _BY_ID["bo_finance"].options[0], _BY_ID["bo_finance"].options[-1]
    paragraphs = [
        "The needs assessment turns a partner's answers into two scores from 0 to 1: "
        "multiple disadvantage (how much intersecting disadvantage the communities it "
        "serves face, and how the organisation itself is disadvantaged) and back-office "
        "capacity (its finance, HR, IT, governance and fundraising capacity, where 1 "
        "means fully resourced).",
        "Every answer has a fixed score from 0 to 1, shown beside it, and the answers to "
        "each question go up in equal steps. For the questions on the communities served "
        "and on the organisation, a higher score means more disadvantage: for example, "
        f"asked what share of the people a partner supports face a barrier, {shares}. "
        "For the back-office questions a higher score means better resourced: asked who "
        f"looks after the finances, '{fin_top.label}' scores {fin_top.score:g} and "
        f"'{fin_bottom.label}' scores {fin_bottom.score:g}.",
        "Each question also has a weight, which says how much it counts. The multiple "
        f"disadvantage score comes from {_weights_in_words(MULTIPLE_DISADVANTAGE)}: "
        f"a total weight of {md_total:g}. The back-office capacity score comes from "
        f"{_weights_in_words(BACK_OFFICE_CAPACITY)}: a total weight of {bo_total:g}. "
        "The barriers that intersect and being led by and for a minoritised community "
        "count double because intersecting disadvantage, and the organisations run by "
        "the communities who face it, are what the assessment is there to recognise.",
        "Each score is a weighted average: multiply each answer's score by its weight, "
        "add these up, and divide by the total weight of the questions that were "
        "answered. For example, a partner that answered only 'Half to three quarters' "
        f"to the racism question ({r.score:g}, weight {wr:g}) and 'Yes' to the "
        f"by-and-for question ({b.score:g}, weight {wb:g}) scores "
        f"({r.score:g} x {wr:g} + {b.score:g} x {wb:g}) / ({wr:g} + {wb:g}) "
        f"= {_num(example.multiple_disadvantage or 0.0, 3)} for multiple disadvantage, "
        "and has no back-office capacity score yet. Scores are rounded to three decimal "
        "places.",
        "A question left blank is left out of the average; it is never counted as 0, "
        "because a blank must not read as no need. When some questions in a score are "
        "blank, the score is worked out from the others and the blank ones are listed, "
        "so the partnership can decide whether to fill them in. When every question in "
        "a score is blank there is no score, and FairShare asks for the answers, or a "
        "score typed in, before it splits the grant. If you do not know an answer, "
        "leave it blank rather than guess.",
        "In the split, a higher multiple disadvantage score raises a partner's need, and "
        "so its fair share. A lower back-office capacity score raises it too, through "
        "the back-office gap (1 minus the score), and gives a higher full-cost-recovery "
        "rate for the back-office line of its budget. How much each score counts in the "
        "split is set by the weights of each scenario, not here.",
        "The answers are a rough picture agreed between the lead and each partner, not "
        "an audit. Every answer, its score, its weight and what it adds to each score "
        "are shown, so partners can see, question and agree how their answers became "
        "their scores.",
    ]
    return "\n\n".join(paragraphs)
