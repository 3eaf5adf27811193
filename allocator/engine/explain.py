"""Why each figure is what it is, in words a finance officer can repeat.

This module only turns numbers into words: limiting reasons per partner-year, binding
constraints with their shadow prices as sentences, the plain arithmetic checks for a
scenario that cannot be met, and the sentences about partners and scenarios. The
numbers come from :mod:`allocator.engine.instances` (fair shares, limits) and the
solve; the suggested changes are found by :mod:`allocator.engine.relax`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from allocator.domain.model import Project, Scenario
from allocator.domain.text import money, pct
from allocator.engine.fairness import level_for, spread_band
from allocator.engine.instances import YearInstance
from allocator.engine.program import INF, YearSplit
from allocator.engine.result import (
    BUDGET,
    CAPACITY,
    FLOOR,
    LEVEL,
    REASON_WORDS,
    RING_FENCE,
    SPREAD,
    Binding,
    Metrics,
    PartnerResult,
    bare_binding,
)

TOL = 1e-7


def share_words(value: float) -> str:
    """A share as a person would type it: 30% stays "30%", 7.5% "7.5%", 27.43% "27.43%"."""
    v = value * 100
    for digits in (0, 1):
        if abs(round(v, digits) - v) < 1e-9:
            return pct(value, digits)
    return pct(value, 2)


# ----------------------------------------------------------------------------------
# Before solving: can these rules be met at all?
# ----------------------------------------------------------------------------------


class Figure(NamedTuple):
    """One figure of a finding: its value, to order by, and how it reads."""

    value: float
    text: str


@dataclass(frozen=True)
class Finding:
    """One arithmetic finding of one year: its words with ``{0}``, ``{1}``... where its
    figures go, so the same finding in several years can be said once
    (:func:`said_once`)."""

    year: int
    words: str
    figures: tuple[Figure, ...] = ()

    def sentence(self) -> str:
        """The finding as one year's sentence: "2027: floors add up to ..."."""
        return f"{self.year}: " + self.words.format(*(f.text for f in self.figures))


def _money(value: float, cur: str) -> Figure:
    return Figure(float(value), money(value, cur))


def year_words(years: Sequence[int]) -> str:
    """Years as a person writes them: runs of consecutive years as a range ("2027-2029"),
    the others listed ("2027, 2029")."""
    ordered = sorted(set(years))
    runs: list[list[int]] = []
    for y in ordered:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


def _figure_range(figures: Sequence[Figure]) -> str:
    """One figure across years: given once when it reads the same in every year, else
    the lowest to the highest ("£135,000 to £140,454")."""
    texts = {f.text for f in figures}
    if len(texts) == 1:
        return figures[0].text
    low = min(figures, key=lambda f: f.value)
    high = max(figures, key=lambda f: f.value)
    if low.text == high.text:  # pragma: no cover - equal values read alike
        return low.text
    return f"{low.text} to {high.text}"


def said_once(findings: Sequence[Finding]) -> list[str]:
    """The findings of every year as sentences, a finding that holds in several years
    said once with its years and the range of its figures ("2027-2029: floors add up to
    £200,000 but the distributable budget is £135,000 to £140,454."), in the order each
    is first found. A finding of one year alone reads as that year's sentence."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.words, []).append(f)
    out: list[str] = []
    for words, same in groups.items():
        columns = zip(*(f.figures for f in same), strict=True)
        figures = [_figure_range(c) for c in columns]
        out.append(f"{year_words([f.year for f in same])}: " + words.format(*figures))
    return out


def feasibility_checks(
    project: Project, scenario: Scenario, inst: YearInstance, spread: bool = True
) -> list[str]:
    """Plain arithmetic that shows a scenario cannot be met in one year, one sentence
    per finding (:func:`feasibility_findings` in words)."""
    return [f.sentence() for f in feasibility_findings(project, scenario, inst, spread)]


def feasibility_findings(
    project: Project, scenario: Scenario, inst: YearInstance, spread: bool = True
) -> list[Finding]:
    """Plain arithmetic that shows a scenario cannot be met, one finding each.

    Together these are exactly the conditions for a split to exist (boxes, budget,
    ring-fence and the spread band), so when none fires the program is feasible.
    """
    cur = project.currency
    y = inst.year
    D = inst.D
    out: list[Finding] = []
    for k in np.nonzero(inst.lo > inst.hi + 1e-6)[0].tolist():
        name = _braced(project.partners[inst.index[k]].name)
        out.append(
            Finding(
                y,
                f"{name}'s {inst.lo_kind[k]} ({{0}}) is above its {inst.hi_kind[k]} ({{1}}).",
                (_money(inst.lo[k], cur), _money(inst.hi[k], cur)),
            )
        )
    lo_sum, hi_sum = inst.lo.sum(), inst.hi.sum()
    if lo_sum > D + 1e-6:
        what = "floors" if all(kd == FLOOR for kd in inst.lo_kind) else "floors and needs floors"
        out.append(
            Finding(
                y,
                f"{what} add up to {{0}} but the distributable budget is {{1}}.",
                (_money(lo_sum, cur), _money(D, cur)),
            )
        )
    if hi_sum < D - 1e-6:
        what = (
            "capacities"
            if all(kd == CAPACITY for kd in inst.hi_kind)
            else "capacities (with the lead cap)"
        )
        out.append(
            Finding(
                y,
                f"{what} add up to {{0}} but the distributable budget is {{1}}: the partners "
                "cannot absorb it all.",
                (_money(hi_sum, cur), _money(D, cur)),
            )
        )
    if inst.ring > 0:
        out += _ring_findings(inst, cur)
    if spread and inst.k is not None and not out:
        names = [project.partners[i].name for i in inst.index]
        out += _spread_checks(inst, inst.k, names)
    return out


def _braced(text: str) -> str:
    """Text put into a finding's words as it is (braces doubled for ``str.format``)."""
    return text.replace("{", "{{").replace("}", "}}")


def _ring_findings(inst: YearInstance, cur: str) -> list[Finding]:
    y = inst.year
    if not inst.bf.any():
        return [
            Finding(
                y,
                f"a ring-fence of {share_words(inst.rho)} is set but no by-and-for partner "
                "takes part in this scenario.",
            )
        ]
    out: list[Finding] = []
    bf_hi = inst.hi[inst.bf].sum()
    if bf_hi < inst.ring - 1e-6:
        out.append(
            Finding(
                y,
                "the ring-fence asks for {0} for by-and-for partners, but their capacities "
                "add up to {1}.",
                (_money(inst.ring, cur), _money(bf_hi, cur)),
            )
        )
    nb_lo = inst.lo[~inst.bf].sum()
    if nb_lo > inst.D - inst.ring + 1e-6:
        out.append(
            Finding(
                y,
                "the other partners' floors ({0}) leave {1} for by-and-for partners, less "
                "than the ring-fence of {2}.",
                (_money(nb_lo, cur), _money(inst.D - nb_lo, cur), _money(inst.ring, cur)),
            )
        )
    return out


def _spread_checks(inst: YearInstance, k: float, names: list[str]) -> list[Finding]:
    # The spread limit ``k`` bounds funding per unit of need: work along need (scaled
    # like fair shares, which it equals when there is no core share).
    lo, hi = inst.lo, inst.hi
    d = inst.spread_dir * inst.D
    m_hi = spread_band(d, lo, hi, inst.bf, inst.ring, inst.D, k)
    m_lo = float(np.max(lo / (k * d)))
    m_lo = max(m_lo, level_for(k * d, np.zeros_like(hi), hi, inst.D))
    if inst.ring > 0:
        b = inst.bf
        m_lo = max(m_lo, level_for(k * d[b], np.zeros(int(b.sum())), hi[b], inst.ring))
    if m_lo <= m_hi * (1 + 1e-9) + 1e-12:
        return []
    top = int(np.argmax(lo / d))
    bottom = int(np.argmin(hi / d))
    ratio = float((lo[top] / d[top]) / (hi[bottom] / d[bottom]))
    if ratio > k:
        high, low = _braced(names[top]), _braced(names[bottom])
        return [
            Finding(
                inst.year,
                f"the spread limit of {k:g} cannot be met: {high}'s {inst.lo_kind[top]} "
                f"gives it {{0}} times the funding per unit of need that {low}'s "
                f"{inst.hi_kind[bottom]} allows {low}.",
                (Figure(ratio, f"{ratio:.2f}"),),
            )
        ]
    return [
        Finding(
            inst.year,
            f"the spread limit of {k:g} cannot be met together with the capacities, floors "
            f"and ring-fence: some partner would have to get more than {k:g} times the "
            "funding per unit of need of another.",
        )
    ]


# ----------------------------------------------------------------------------------
# After solving: what limits each partner, and which rules bind
# ----------------------------------------------------------------------------------


def _ring_binds(inst: YearInstance, x: np.ndarray) -> bool:
    return inst.ring > 0 and x[inst.bf].sum() <= inst.ring + TOL * inst.D * max(1, len(x))


def _per_need(inst: YearInstance, x: np.ndarray) -> np.ndarray:
    """Funding per unit of need, scaled like attainment (equal to it without a core share)."""
    return x / (inst.spread_dir * inst.D)


def _spread_binds(inst: YearInstance, x: np.ndarray) -> bool:
    if inst.k is None or len(x) < 2:
        return False
    v = _per_need(inst, x)
    return v.max() >= inst.k * v.min() * (1 - 1e-7)


class _Marks:
    """Where a year's split sits against its rules: what the limiting reasons and the
    binding constraints both read, worked out once."""

    __slots__ = ("at_hi", "at_lo", "ring", "spread")

    def __init__(self, inst: YearInstance, x: np.ndarray):
        D = inst.D
        self.at_hi = x >= inst.hi - TOL * D
        self.at_lo = (inst.lo > 0) & (x <= inst.lo + TOL * D)  # may be at its upper limit too
        self.ring = _ring_binds(inst, x)
        self.spread = _spread_binds(inst, x)


def figures_limits(inst: YearInstance, split: YearSplit) -> tuple[list[str], list[Binding]]:
    """``limiting_reasons`` and ``binding_constraints(..., words=False)`` together (what a
    figures-only solve needs), sharing the work."""
    marks = _Marks(inst, split.x)
    return limiting_reasons(inst, split, marks), _binding_kinds(inst, split.x, marks)


def limiting_reasons(
    inst: YearInstance, split: YearSplit, marks: _Marks | None = None
) -> list[str]:
    """What holds each partner where it is in one year, one word each.

    A partner no rule holds sits at the common level (``level``). With a binding
    ring-fence there are two levels: by-and-for partners lifted above the others'
    level are held by the ring-fence. With a binding spread limit, partners at the top
    of the band of funding per unit of need are held down by it, and (with a core
    share, where that band is not one of attainment) partners kept above the common
    level by the bottom of the band are held up by it. So every partner labelled
    ``level`` in a year has the same attainment.
    """
    x = split.x
    n = len(x)
    a = x / inst.tau
    if marks is None:
        marks = _Marks(inst, x)
    at_hi = marks.at_hi
    at_lo = marks.at_lo & ~at_hi
    free = ~(at_hi | at_lo)
    spread_top = spread_bottom = None
    if marks.spread:
        v = _per_need(inst, x)
        spread_top = free & (v >= inst.k * v.min() * (1 - 1e-7))
        spread_bottom = free & ~spread_top & (v <= v.min() * (1 + 1e-7))
        core = free & ~spread_top
    else:
        core = free
    lifted = None
    if marks.ring:
        others = ~inst.bf & core
        if others.any():
            nb_level = a[others].min()
        elif (~inst.bf).any():
            nb_level = a[~inst.bf].min()
        else:
            nb_level = -INF
        lifted = inst.bf & core & (a > nb_level * (1 + 1e-7))
    held = spread_top
    if spread_bottom is not None and spread_bottom.any():
        level = core if lifted is None else core & ~lifted
        if level.any():
            # the common level is the lowest attainment no rule holds; partners kept
            # above it by the bottom of the band are held up by the spread limit
            held_up = spread_bottom & (a > a[level].min() * (1 + 1e-7))
            if lifted is not None:
                held_up &= ~lifted
            held = spread_top | held_up
    # plain lists: indexing them one partner at a time costs less than NumPy's
    at_hi_l, at_lo_l = at_hi.tolist(), at_lo.tolist()
    held_l = held.tolist() if held is not None else [False] * n
    lifted_l = lifted.tolist() if lifted is not None else [False] * n
    hi_kind, lo_kind = inst.hi_kind, inst.lo_kind
    out = []
    for k in range(n):
        if at_hi_l[k]:
            out.append(hi_kind[k])
        elif at_lo_l[k]:
            out.append(lo_kind[k])
        elif held_l[k]:
            out.append(SPREAD)
        elif lifted_l[k]:
            out.append(RING_FENCE)
        else:
            out.append(LEVEL)
    return out


def _dual_for(split: YearSplit, kind: str | int, k: int | None = None) -> float:
    """The first non-zero dual of a constraint across the rounds, per currency unit."""
    for r in split.rounds:
        sol = r.solution
        if kind == "col":
            if not r.free[k]:
                continue
            v = abs(sol.col_dual[k])
        else:
            v = abs(sol.row_dual[kind])
        if v > 1e-9:
            return float(v)
    return 0.0


def binding_constraints(
    project: Project, inst: YearInstance, split: YearSplit, words: bool = True
) -> list[Binding]:
    """The constraints that hold the split, each with its shadow price in words.

    ``words=False``: which constraints bind, and nothing more (no price, no words):
    what a sweep needs from each of its many steps.
    """
    if not words:
        return _binding_kinds(inst, split.x)
    cur = project.currency
    x = split.x
    D = inst.D
    y = inst.year
    out: list[Binding] = []

    def per_thousand(price: float) -> str:
        return f"{price * 1000 * 100:.2f} percentage points"

    budget_price = _dual_for(split, 0) / D
    out.append(
        Binding(
            BUDGET,
            None,
            y,
            budget_price,
            f"{y}: the whole distributable budget of {money(D, cur)} is shared out"
            + (
                f"; each extra {money(1000, cur)} would raise the lowest attainment level by "
                f"{per_thousand(budget_price)}."
                if budget_price > 0
                else "."
            ),
        )
    )
    for k, i in enumerate(inst.index):
        name = project.partners[i].name
        pid = inst.ids[k]
        if x[k] >= inst.hi[k] - TOL * D:
            price = _dual_for(split, "col", k) / D
            if price == 0:
                price = 1.0 / inst.tau[k]  # its own attainment rises with its own limit
            kind = inst.hi_kind[k]
            limit = "capacity" if kind == CAPACITY else "lead cap"
            out.append(
                Binding(
                    kind,
                    pid,
                    y,
                    price,
                    f"{y}: {name} is at its {limit} of {money(inst.hi[k], cur)}; each extra "
                    f"{money(1000, cur)} of {limit} would raise its attainment by "
                    f"{per_thousand(price)}.",
                )
            )
        elif inst.lo[k] > 0 and x[k] <= inst.lo[k] + TOL * D:
            price = _dual_for(split, "col", k) / D
            kind = inst.lo_kind[k]
            what = (
                "floor"
                if kind == FLOOR
                else f"needs floor ({share_words(inst.alpha)} of its fair share)"
            )
            out.append(
                Binding(
                    kind,
                    pid,
                    y,
                    price,
                    f"{y}: {name} is held at its {what} of {money(inst.lo[k], cur)}"
                    + (
                        f"; each {money(1000, cur)} less would raise the level of the "
                        f"partners at the common level by {per_thousand(price)}."
                        if price > 0
                        else ", above the level the rule alone would give it."
                    ),
                )
            )
    if _ring_binds(inst, x):
        prog_rows = _row_index(split, "ring_fence")
        price = _dual_for(split, prog_rows) / D if prog_rows is not None else 0.0
        out.append(
            Binding(
                RING_FENCE,
                None,
                y,
                price,
                f"{y}: the ring-fence binds: by-and-for partners get exactly their "
                f"{share_words(inst.rho)} ({money(inst.ring, cur)})"
                + (
                    f"; each {money(1000, cur)} less ring-fence would raise the level of the "
                    f"other partners by {per_thousand(price)}."
                    if price > 0
                    else "."
                ),
            )
        )
    if _spread_binds(inst, x):
        r = _row_index(split, "spread")
        price = (_dual_for(split, r) * _per_need(inst, x).min()) if r is not None else 0.0
        out.append(
            Binding(
                SPREAD,
                None,
                y,
                price,
                f"{y}: the spread limit binds: the best-funded partner gets {inst.k:g} times the "
                "funding per unit of need of the least-funded"
                + (
                    "; raising the limit by 0.1 would raise the lowest attainment level by "
                    f"{price * 0.1 * 100:.2f} percentage points."
                    if price > 0
                    else "."
                ),
            )
        )
    return out


def _binding_kinds(inst: YearInstance, x: np.ndarray, marks: _Marks | None = None) -> list[Binding]:
    """``binding_constraints`` without prices or words: the same constraints, in order."""
    if marks is None:
        marks = _Marks(inst, x)
    y = inst.year
    out = [bare_binding(BUDGET, None, y)]
    at_hi = marks.at_hi
    hi_l = at_hi.tolist()
    for k in np.nonzero(at_hi | marks.at_lo)[0].tolist():
        kind = inst.hi_kind[k] if hi_l[k] else inst.lo_kind[k]
        out.append(bare_binding(kind, inst.ids[k], y))
    if marks.ring:
        out.append(bare_binding(RING_FENCE, None, y))
    if marks.spread:
        out.append(bare_binding(SPREAD, None, y))
    return out


def _row_index(split: YearSplit, name: str) -> int | None:
    names = split.row_names
    return names.index(name) if name in names else None


# ----------------------------------------------------------------------------------
# Sentences for partners and scenarios
# ----------------------------------------------------------------------------------


def need_words(project: Project, scenario: Scenario, index: int) -> str:
    """``need is its capacity of £180,000 × (1 + 1 × 0.85 ... ) = 2.200 × its capacity``."""
    p = project.partners[index]
    w = scenario.weights
    d = p.multiple_disadvantage or 0.0
    gap = 1 - (p.back_office_capacity or 0.0)
    factor = 1 + w.multiple_disadvantage * d + w.back_office_gap * gap
    if scenario.basis == "capacity":
        base, short = (
            f"its capacity of {money(p.capacity or 0.0, project.currency)}",
            ("its capacity"),
        )
    elif scenario.basis == "reach":
        base, short = f"the {p.reach or 0:,.0f} people it serves a year", "its reach"
    else:
        base, short = "an equal base of 1", "the equal base"
    return (
        f"need is {base} × (1 + {w.multiple_disadvantage:g} × {d:g} multiple disadvantage + "
        f"{w.back_office_gap:g} × {gap:.2f} back-office gap) = {factor:.3f} × {short}"
    )


def fair_share_words(
    scenario: Scenario, pr: PartnerResult, distributable: Sequence[int], n_included: int, cur: str
) -> str:
    """``its fair share is £300,000`` and, with a core share, how much of it is the core."""
    total = money(pr.fair_share_total, cur)
    kappa = scenario.core_share
    if kappa <= 0 or n_included == 0:
        return f"its fair share is {total}"
    # the two parts as shown add up to the total shown
    core = int(math.floor(kappa * sum(distributable) / n_included + 0.5))
    if kappa >= 1:
        return (
            f"its fair share is {total}, the same as every partner's: the whole budget "
            "is shared equally as core grants"
        )
    return (
        f"its fair share is {total}: an equal core part of {money(core, cur)} "
        f"({share_words(kappa)} of the budget shared equally between the {n_included} "
        f"partners) plus {money(max(pr.fair_share_total - core, 0), cur)} by need"
    )


def partner_reason(
    project: Project,
    scenario: Scenario,
    pr: PartnerResult,
    years: Sequence[int],
    distributable: Sequence[int],
    n_included: int,
) -> str:
    """Why a partner gets what it gets, in a few sentences."""
    cur = project.currency
    if not pr.included:
        return f"{pr.name} is left out of this scenario."
    fee = sum(pr.lines["management"])
    parts = [
        f"{pr.name} receives {money(pr.total, cur)} over {len(years)} "
        f"year{'s' if len(years) != 1 else ''}"
    ]
    if pr.lead and fee:
        parts[0] += f", plus {money(fee, cur)} management fee as lead"
    parts[0] += "."
    parts.append(
        f"Its {need_words(project, scenario, pr.index)}, so "
        f"{fair_share_words(scenario, pr, distributable, n_included, cur)}, "
        f"and it gets {pct(pr.attainment)} of it."
    )
    groups: list[tuple[str, list[int]]] = []
    for y, r in zip(years, pr.limited_by_per_year, strict=True):
        if groups and groups[-1][0] == r:
            groups[-1][1].append(y)
        else:
            groups.append((r, [y]))
    for reason, ys in groups:
        when = (
            f"In {ys[0]}"
            if len(ys) == 1
            else ("In every year" if len(ys) == len(years) else f"In {ys[0]}–{ys[-1]}")
        )
        parts.append(f"{when} {REASON_WORDS.get(reason, reason)}.")
    diff = pr.vs_size_proportional
    what = "That is"
    if pr.lead and fee:
        got = f"{money(pr.received, cur)} incl. {money(fee, cur)} fee"
        what = f"With the fee it receives {got}: that is"
    if diff > 0:
        parts.append(f"{what} {money(diff, cur)} more than under a size-proportional split.")
    elif diff < 0:
        parts.append(f"{what} {money(-diff, cur)} less than under a size-proportional split.")
    else:
        parts.append(f"{what} the same as under a size-proportional split.")
    return " ".join(parts)


def method_words(scenario: Scenario, method: str = "fast") -> str:
    """How this scenario's split was computed, line by line (for the Method sheet)."""
    s = scenario
    lines = [
        f"Need: each partner's base ({s.basis}) × (1 + {s.weights.multiple_disadvantage:g} × "
        f"multiple disadvantage + {s.weights.back_office_gap:g} × back-office gap), where the "
        "back-office gap is 1 minus its back-office capacity score.",
    ]
    if s.core_share >= 1:
        lines.append(
            "Fair share: the distributable budget (after the management fee) shared equally "
            "between the partners taking part (a core share of 100%); need does not count."
        )
    elif s.core_share > 0:
        lines.append(
            f"Fair share: an equal core part, {share_words(s.core_share)} of the distributable "
            "budget (after the management fee) split equally between the partners taking "
            f"part, plus the other {share_words(1 - s.core_share)} divided in proportion to "
            "need."
        )
    else:
        lines.append(
            "Fair share: the distributable budget (after the management fee) divided in "
            "proportion to need."
        )
    lines.append(
        "Rule: raise the worst-off first (leximin). The partner furthest below its "
        "fair share is raised as far as the rules allow, then the next, until the "
        "budget is spent; nobody can be given more without taking from someone "
        "who has less, relative to fair share."
        + (
            " Computed by the textbook rounds of linear programs."
            if method == "rounds"
            else " Computed in closed form and confirmed, level by level, by linear programs."
        )
    )
    rules = [
        "every year's budget is shared out exactly",
        "no partner gets more than its capacity",
        "no partner gets less than its floor",
    ]
    if s.management_fee > 0:
        rules.append(
            f"the lead keeps a management fee of {share_words(s.management_fee)} of the budget"
        )
    if s.ring_fence > 0:
        rules.append(
            f"by-and-for partners together get at least {share_words(s.ring_fence)} of the "
            "distributable budget (ring-fence)"
        )
    if s.needs_floor > 0:
        rules.append(
            f"every partner gets at least {share_words(s.needs_floor)} of its fair share "
            "(needs floor)"
        )
    if s.spread_limit is not None:
        rules.append(
            f"funding per unit of need differs by at most {s.spread_limit:g} times "
            "between any two partners (spread limit)"
        )
    if s.lead_cap is not None:
        rules.append(
            f"the lead takes at most {share_words(s.lead_cap)} of the distributable budget "
            "before its fee (lead cap)"
        )
    lines.append("Rules: " + "; ".join(rules) + ".")
    lines.append(
        f"Full cost recovery: back-office rate = {s.back_office_rate.base:g} + "
        f"{s.back_office_rate.uplift:g} × back-office gap; the back-office line is "
        "grant × rate / (1 + rate), the rest is delivery."
    )
    if s.unrestricted_share > 0:
        lines.append(
            f"Unrestricted: {share_words(s.unrestricted_share)} of each grant is marked "
            "unrestricted (part of the grant, not extra money)."
        )
    lines.append(
        "Rounding: whole currency units by the largest remainder method; every year "
        "adds up exactly and no cap or floor is broken."
    )
    lines.append(
        "Size-proportional split (the comparison): each year's whole grant, the fee "
        "included, shared in proportion to capacity with no one above its capacity, and "
        "rounded the same way; where fair shares are that split they are rounded alike, so "
        "a scenario that is the size-proportional split shows no change."
    )
    return "\n".join(lines)


def summary_message(
    project: Project, partners: Sequence[PartnerResult], budget: Sequence[int], metrics: Metrics
) -> str:
    """One sentence for a solved scenario: the total, the attainment range, by-and-for."""
    m = metrics
    cur = project.currency
    text = (
        f"Solved: {money(sum(budget), cur)} shared between "
        f"{sum(1 for p in partners if p.included)} partners; every partner gets at "
        f"least {pct(m.min_attainment)} of its fair share (at most "
        f"{pct(m.max_attainment)})"
    )
    if any(p.by_and_for and p.included for p in partners):
        text += f"; by-and-for partners get {pct(m.by_and_for_share)} of the distributable budget"
    return text + "."
