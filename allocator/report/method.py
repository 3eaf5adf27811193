"""How FairShare decides, in plain words: the one text of the method.

The workbook's Method sheet, ``fairshare method`` and the app's Help all show
:func:`method_text`, so the method reads the same wherever a partner meets it. It
follows the model exactly (need, fair share with its core share, the leximin rule,
every rule, rounding, the size-proportional comparison and the needs scoring); when
a scenario is given it says which rules that scenario sets, with their values.

The text is a list of (heading, paragraph) pairs. A heading of ``""`` continues the
topic above it with another paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence

from allocator.domain.model import Project, Scenario
from allocator.domain.needs import explain_scoring
from allocator.domain.text import money, pct

TITLE = "How FairShare decides"

SIZE_PROPORTIONAL = "size-proportional split"
"""What the comparison is called wherever it is shown ("the bigger slice")."""

BASE_WORDS = {
    "capacity": "its capacity (the most it can absorb and deliver in a year)",
    "reach": "the number of people it serves in a year",
    "equal": "1 for every partner (equal shares before need)",
}


def share_text(value: float) -> str:
    """A setting's share as a person entered it: 30% stays "30%", 7.5% stays "7.5%"."""
    for digits in (0, 1, 2):
        text = pct(value, digits)
        if abs(float(text.rstrip("%").replace("\u2212", "-")) - value * 100) < 1e-9:
            return text
    return pct(value, 2)


def _num(x: float) -> str:
    return f"{x:g}"


def _names(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def size_shaped(scenario: Scenario) -> bool:
    """Whether a scenario's fair shares are the size-proportional split (before any fee)."""
    w = scenario.weights
    return (
        scenario.basis == "capacity"
        and w.multiple_disadvantage == 0
        and w.back_office_gap == 0
        and scenario.core_share == 0
    )


def method_text(
    project: Project | None, scenario: Scenario | str | None = None
) -> list[tuple[str, str]]:
    """How FairShare decides, as (heading, paragraph) pairs.

    With ``scenario`` (a Scenario or its name in ``project``) the text gives that
    scenario's weights and the rules it sets, with their values; without one it
    describes every rule in general, for help pages. ``project`` supplies the grant
    and the partners' names where the text quotes them; it may be None.
    """
    if isinstance(scenario, str):
        if project is None:
            raise ValueError("a scenario named without a project")
        scenario = project.scenario(scenario)
    out: list[tuple[str, str]] = [
        (
            TITLE,
            "FairShare splits each year's grant between the partners in three steps. It "
            "works out each partner's need from its size and its two needs scores; it "
            "turns need into a fair share of the budget; and it finds the split that "
            "keeps every rule the partnership chose while raising the partner furthest "
            "below its fair share first. Every figure follows from the inputs by the steps "
            "below: nothing else goes in, and nothing is decided by hand.",
        ),
        ("What goes in", _inputs(project)),
        ("Need", _need(scenario)),
        ("Fair share: core grant plus formula", _fair_share(scenario)),
        (
            "Attainment",
            "A partner's attainment is its grant ÷ its fair share: 100% means it gets "
            "exactly its fair share, 90% that it gets nine tenths of it.",
        ),
        ("The rule: raise the worst-off first", _leximin()),
    ]
    out += _rules(project, scenario)
    out += [
        ("Full cost recovery", _cost_recovery(scenario)),
        ("Unrestricted funding", _unrestricted(scenario)),
        (
            "Rounding",
            "Grants are whole currency units. The exact split is rounded by the largest "
            "remainder method: every partner gets the whole part of its figure, then the "
            "units left over go one each to the largest fractions (a tie to the partner "
            "with the lower attainment). So every year still adds up exactly to the "
            "budget, no capacity, floor or other rule is broken by rounding, and rounding "
            "never quietly favours the larger partner.",
        ),
    ]
    out += _size_comparison(project, scenario)
    out.append(
        (
            "Measures of the split",
            "Smallest and largest attainment: the lowest and highest grant ÷ fair share "
            "of any partner. Gini coefficient of funding per unit of need: 0 when every "
            "partner gets the same for each unit of its need, towards 1 when one partner "
            "gets it all. Largest ÷ smallest funding per unit of need: how many times more "
            "one partner gets per unit of need than another (1 is even). By-and-for share: "
            "what by-and-for partners get together, as a share of the distributable budget. "
            "Lead's share: what the lead receives, its fee included, as a share of the "
            "whole grant.",
        )
    )
    scoring = [p for p in explain_scoring().split("\n\n") if p.strip()]
    for k, paragraph in enumerate(scoring):
        out.append(("How the needs questions become scores" if k == 0 else "", paragraph))
    return out


def _inputs(project: Project | None) -> str:
    text = ""
    if project is not None:
        budgets = project.budgets() if _budget_known(project) else []
        if budgets:
            each = ", ".join(
                f"{money(b, project.currency)} in {y}"
                for y, b in zip(project.years, budgets, strict=False)
            )
            text = f"The grant: {each}. "
        else:
            text = "The grant for each year (not entered yet). "
    else:
        text = "The grant for each year. "
    text += (
        "For each partner: its capacity (the most it can absorb and deliver in a year), "
        "its floor (the smallest grant a year that keeps its work viable), the people it "
        "serves in a year (needed only where a scenario shares by reach), whether it is "
        "led by and for the community it serves, whether it is the lead partner, and two "
        "needs scores from 0 to 1: multiple disadvantage (d), how much intersecting "
        "disadvantage the communities it serves face, and back-office capacity (b), its "
        "finance, HR, IT, governance and fundraising capacity (1 = fully resourced). The "
        "needs questions can fill the two scores. A blank score is never read as no need: "
        "FairShare asks for it before it splits the grant. Each scenario is a named set of "
        "choices (what fair shares scale with, the weights of the two scores, the core "
        "share and the rules below); a project holds several to compare"
    )
    chosen = project.chosen_scenario if project is not None else None
    if chosen is not None:
        text += f", and the one that goes into the bid is {chosen.name!r}."
    else:
        text += ", and names the one that goes into the bid."
    return text


def _budget_known(project: Project) -> bool:
    b = project.budget
    if b.per_year is not None:
        return all(v is not None for v in b.per_year)
    return b.first_year is not None


def _need(s: Scenario | None) -> str:
    text = (
        "Each partner's need is n = base × (1 + w_d × d + w_b × (1 − b)), where d is its "
        "multiple disadvantage score and 1 − b its back-office gap (1 minus its back-office "
        "capacity score), so more disadvantage and less back-office capacity both raise "
        "need. "
    )
    if s is None:
        text += (
            "The base is what fair shares scale with, chosen per scenario: the partner's "
            "capacity, the people it serves, or 1 for every partner (equal). The weights w_d "
            "and w_b say how much each score counts (each scenario sets its own; 1 and 0.5 "
            "to start with). With both weights 0 and the capacity basis, need is capacity "
            "alone: the size-proportional split."
        )
        return text
    w = s.weights
    text += (
        f"In this scenario the base is {BASE_WORDS[s.basis]}, "
        f"w_d = {_num(w.multiple_disadvantage)} and w_b = {_num(w.back_office_gap)}."
    )
    if w.multiple_disadvantage == 0 and w.back_office_gap == 0:
        text += " With both weights 0 the needs scores do not count: need is the base alone."
    return text


def _fair_share(s: Scenario | None) -> str:
    text = (
        "First any management fee comes off the top: the distributable budget D is the "
        "year's grant less the fee. A share κ of D, the core share, is split equally between "
        "the N partners taking part, as a core grant; the rest, (1 − κ) × D, is split in "
        "proportion to need, as a formula. A partner's fair share of a year is "
        "D × (κ ÷ N + (1 − κ) × n ÷ the total need of the partners taking part). With a "
        "core share of 0 fair shares follow need alone; with 1 every partner has the same "
        "fair share. Many funders split a grant this way: a core grant plus a formula."
    )
    if s is not None:
        if s.core_share > 0:
            text += (
                f" In this scenario the core share is {share_text(s.core_share)}: "
                f"{share_text(s.core_share)} of D is shared equally and "
                f"{share_text(1 - s.core_share)} by need."
            )
        else:
            text += " In this scenario the core share is 0: fair shares follow need alone."
    return text


def _leximin() -> str:
    return (
        "Of all the splits that keep every rule, FairShare takes the one in which the "
        "partner with the lowest attainment is as high as it can be; among those, the one "
        "in which the next lowest is as high as it can be; and so on (this is called "
        "leximin). So no partner can be given more, measured against its fair share, "
        "without taking from a partner that already has less against its own. Partners "
        "that no rule holds back end up at the same attainment, the common level; a partner "
        "held by a rule (at its capacity, its floor, the ring-fence, ...) sits away from "
        "it, and the results say which rule holds it. There is one rule for every scenario; "
        "scenarios differ by their basis, weights, core share and rules. Project files that "
        "name another rule are read with this one."
    )


def _rules(project: Project | None, s: Scenario | None) -> list[tuple[str, str]]:
    always = (
        "Every year's distributable budget is shared out exactly; no partner gets more in a "
        "year than its capacity, nor less than its floor (its minimum viable grant)."
    )
    if s is None:
        return [
            ("The rules", always + " Each scenario may also set the rules below."),
            (
                "Management fee",
                "The lead keeps this share of each year's grant for coordinating the "
                "partnership, on top of its own grant.",
            ),
            (
                "Ring-fence",
                "By-and-for partners together get at least this share of the distributable "
                "budget each year.",
            ),
            ("Needs floor", "Every partner gets at least this share of its fair share."),
            (
                "Spread limit",
                "Funding per unit of need differs by at most this many times between any "
                "two partners.",
            ),
            (
                "Lead cap",
                "The lead takes at most this share of the distributable budget, before its fee.",
            ),
            ("Left out", "Partners left out of a scenario get nothing in it and take no part."),
        ]
    rules: list[tuple[str, str]] = [("The rules", always)]
    unused: list[str] = []
    if s.management_fee > 0:
        rules.append(
            (
                "Management fee",
                f"The lead keeps {share_text(s.management_fee)} of each year's budget for "
                "coordinating the partnership, on top of its grant.",
            )
        )
    else:
        unused.append("management fee")
    if s.ring_fence > 0:
        rules.append(
            (
                "Ring-fence",
                f"By-and-for partners together get at least {share_text(s.ring_fence)} of "
                "the distributable budget each year.",
            )
        )
    else:
        unused.append("ring-fence")
    if s.needs_floor > 0:
        rules.append(
            (
                "Needs floor",
                f"Every partner gets at least {share_text(s.needs_floor)} of its fair share "
                "each year.",
            )
        )
    else:
        unused.append("needs floor")
    if s.spread_limit is not None:
        rules.append(
            (
                "Spread limit",
                f"Funding per unit of need differs by at most {_num(s.spread_limit)} times "
                "between any two partners.",
            )
        )
    else:
        unused.append("spread limit")
    if s.lead_cap is not None:
        rules.append(
            (
                "Lead cap",
                f"The lead takes at most {share_text(s.lead_cap)} of the distributable "
                "budget, before its fee.",
            )
        )
    else:
        unused.append("lead cap")
    if s.excluded:
        names = [_partner_name(project, pid) for pid in s.excluded]
        rules.append(("Left out", f"Left out of this scenario, with no grant: {_names(names)}."))
    if unused:
        rules.append(("Not used in this scenario", _names(unused).capitalize() + "."))
    return rules


def _partner_name(project: Project | None, pid: str) -> str:
    if project is not None:
        for p in project.partners:
            if p.id == pid:
                return p.name
    return pid


def _cost_recovery(s: Scenario | None) -> str:
    text = (
        "Each grant is split into a back-office line and delivery. The back-office rate is "
        "o = base rate + uplift × (1 − b), so a partner with less back-office capacity "
        "recovers more of its core costs; the back-office line is grant × o ÷ (1 + o) and "
        "the rest of the grant is delivery."
    )
    if s is not None:
        rate = s.back_office_rate
        text += (
            f" In this scenario the base rate is {share_text(rate.base)} and the uplift "
            f"{share_text(rate.uplift)}."
        )
    return text


def _unrestricted(s: Scenario | None) -> str:
    if s is None or s.unrestricted_share <= 0:
        return (
            "A scenario may mark a share of each grant as unrestricted: part of the grant "
            "the partner may spend on whatever it needs most, not extra money."
            + (" This scenario marks none." if s is not None else "")
        )
    return (
        f"{share_text(s.unrestricted_share)} of each grant is marked unrestricted: part of "
        "the grant the partner may spend on whatever it needs most, not extra money."
    )


def _size_comparison(project: Project | None, s: Scenario | None) -> list[tuple[str, str]]:
    out = [
        (
            "The comparison: the size-proportional split (the bigger slice)",
            "Every result is set against one comparison, the size-proportional split: each "
            "year's whole grant, the management fee included, shared in proportion to "
            "capacity between the partners taking part, with no one above its capacity, and "
            "rounded in the same way. It ignores needs, floors and every other rule: it is "
            "the split by size that partnerships often fall back on. A partner's change "
            "against it is what the partner receives (its grant, plus the fee for the lead) "
            "minus its size-proportional amount.",
        ),
        (
            "",
            "A scenario set up the same way (capacity basis, both weights 0, no core share) "
            "has fair shares equal to that split when it has no management fee, yet its "
            "grants can still differ from the comparison, because the scenario keeps its "
            "rules: a partner lifted to its floor takes that money from the others, a "
            "ring-fence or lead cap moves money between partners, and a management fee "
            "comes off the top before the fair shares are worked out while the comparison "
            "counts the fee as part of what the lead receives.",
        ),
    ]
    if s is not None and size_shaped(s):
        out.append(("", _why_this_scenario_differs(project, s)))
    return out


def _why_this_scenario_differs(project: Project | None, s: Scenario) -> str:
    reasons: list[str] = []
    if s.management_fee > 0:
        reasons.append(
            f"its management fee of {share_text(s.management_fee)} comes off before the fair "
            "shares are worked out, while the comparison shares the whole grant and counts "
            "the fee as the lead's"
        )
    lifted = _lifted_by_floor(project, s) if project is not None else []
    if lifted:
        who = _names(lifted)
        verb = "is" if len(lifted) == 1 else "are"
        reasons.append(
            f"{who} {verb} lifted to {'its floor' if len(lifted) == 1 else 'their floors'}, "
            "which the comparison ignores, and the others get a little less"
        )
    for active, words in (
        (s.ring_fence > 0, "the ring-fence"),
        (s.needs_floor > 0, "the needs floor"),
        (s.spread_limit is not None, "the spread limit"),
        (s.lead_cap is not None, "the lead cap"),
    ):
        if active:
            reasons.append(f"{words} may move money between partners")
    if not reasons:
        return (
            "This scenario is set up like the size-proportional split and sets no rule that "
            "moves money, so its grants are that split."
        )
    return (
        "This scenario is set up like the size-proportional split, so its fair shares are "
        "that split of the distributable budget. Its grants differ from the comparison "
        "where " + "; and ".join(reasons) + "."
    )


def _lifted_by_floor(project: Project, s: Scenario) -> list[str]:
    """Partners whose floor is above their share by capacity in some year."""
    if not _budget_known(project):
        return []
    taking_part = [
        (p, float(p.capacity))
        for p in project.partners
        if p.id not in s.excluded and isinstance(p.capacity, (int, float)) and p.capacity > 0
    ]
    total = sum(cap for _p, cap in taking_part)
    if total <= 0:
        return []
    lifted: list[str] = []
    for budget in project.budgets():
        distributable = budget * (1 - s.management_fee)
        for p, cap in taking_part:
            if p.floor > distributable * cap / total and p.name not in lifted:
                lifted.append(p.name)
    return lifted
