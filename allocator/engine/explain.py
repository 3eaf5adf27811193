"""Why each figure is what it is, in words a finance officer can repeat.

Limiting reasons per partner-year, binding constraints with their shadow prices as
sentences, the plain arithmetic checks for a scenario that cannot be met, and the
smallest edits to the project that would make it solve.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from allocator.domain.model import Project, Scenario, check_project
from allocator.engine.fairness import level_for, spread_band
from allocator.engine.program import INF, YearInstance, YearProgram
from allocator.engine.result import (
    BUDGET,
    CAPACITY,
    FLOOR,
    LEVEL,
    REASON_WORDS,
    RING_FENCE,
    SPREAD,
    Binding,
    PartnerResult,
    Relaxation,
    ScenarioResult,
)

if TYPE_CHECKING:
    from allocator.engine.solve import YearSplit

TOL = 1e-7
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(value: float, currency: str = "GBP") -> str:
    """£1,234 (whole units; negative as -£1,234)."""
    v = int(math.floor(value + 0.5)) if value >= 0 else -int(math.floor(-value + 0.5))
    sym = SYMBOLS.get(currency)
    body = f"{abs(v):,}"
    text = f"{sym}{body}" if sym else f"{body} {currency}"
    return f"-{text}" if v < 0 else text


def pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%"


# ----------------------------------------------------------------------------------
# Before solving: can these rules be met at all?
# ----------------------------------------------------------------------------------


def feasibility_checks(
    project: Project, scenario: Scenario, inst: YearInstance, spread: bool = True
) -> list[str]:
    """Plain arithmetic that shows a scenario cannot be met, one sentence per finding.

    Together these are exactly the conditions for a split to exist (boxes, budget,
    ring-fence and the spread band), so when none fires the program is feasible.
    """
    cur = project.currency
    y = inst.year
    D = inst.D
    names = [project.partners[i].name for i in inst.index]
    out: list[str] = []
    for k in range(len(names)):
        if inst.lo[k] > inst.hi[k] + 1e-6:
            out.append(
                f"{y}: {names[k]}'s {inst.lo_kind[k]} ({money(inst.lo[k], cur)}) is above its "
                f"{inst.hi_kind[k]} ({money(inst.hi[k], cur)})."
            )
    lo_sum, hi_sum = inst.lo.sum(), inst.hi.sum()
    if lo_sum > D + 1e-6:
        what = "Floors" if all(kd == FLOOR for kd in inst.lo_kind) else "Floors and needs floors"
        out.append(
            f"{y}: {what} add up to {money(lo_sum, cur)} but the distributable budget "
            f"is {money(D, cur)}."
        )
    if hi_sum < D - 1e-6:
        what = (
            "Capacities"
            if all(kd == CAPACITY for kd in inst.hi_kind)
            else "Capacities (with the lead cap)"
        )
        out.append(
            f"{y}: {what} add up to {money(hi_sum, cur)} but the distributable budget "
            f"is {money(D, cur)}: the partners cannot absorb it all."
        )
    if inst.ring > 0:
        if not inst.bf.any():
            out.append(
                f"{y}: a ring-fence of {pct(inst.rho, 0)} is set but no by-and-for partner "
                "takes part in this scenario."
            )
        else:
            bf_hi = inst.hi[inst.bf].sum()
            if bf_hi < inst.ring - 1e-6:
                out.append(
                    f"{y}: the ring-fence asks for {money(inst.ring, cur)} for by-and-for "
                    f"partners, but their capacities add up to {money(bf_hi, cur)}."
                )
            nb_lo = inst.lo[~inst.bf].sum()
            if nb_lo > D - inst.ring + 1e-6:
                out.append(
                    f"{y}: the other partners' floors ({money(nb_lo, cur)}) leave "
                    f"{money(D - nb_lo, cur)} for by-and-for partners, less than the "
                    f"ring-fence of {money(inst.ring, cur)}."
                )
    if spread and inst.k is not None and not out:
        out += _spread_checks(inst, names, cur)
    return out


def _spread_checks(inst: YearInstance, names: list[str], cur: str) -> list[str]:
    k, tau, lo, hi = inst.k, inst.tau, inst.lo, inst.hi
    m_hi = spread_band(tau, lo, hi, inst.bf, inst.ring, inst.D, k)
    m_lo = float(np.max(lo / (k * tau)))
    m_lo = max(m_lo, level_for(k * tau, np.zeros_like(hi), hi, inst.D))
    if inst.ring > 0:
        b = inst.bf
        m_lo = max(m_lo, level_for(k * tau[b], np.zeros(int(b.sum())), hi[b], inst.ring))
    if m_lo <= m_hi * (1 + 1e-9) + 1e-12:
        return []
    top = int(np.argmax(lo / tau))
    bottom = int(np.argmin(hi / tau))
    if lo[top] / tau[top] > k * hi[bottom] / tau[bottom]:
        return [
            f"{inst.year}: the spread limit of {k:g} cannot be met: {names[top]}'s "
            f"{inst.lo_kind[top]} gives it at least {lo[top] / tau[top]:.2f} times its fair "
            f"share, while {names[bottom]}'s {inst.hi_kind[bottom]} holds it to "
            f"{hi[bottom] / tau[bottom]:.2f} times its fair share."
        ]
    return [
        f"{inst.year}: the spread limit of {k:g} cannot be met together with the "
        "capacities, floors and ring-fence: some partner would have to get more than "
        f"{k:g} times the funding per unit of need of another."
    ]


# ----------------------------------------------------------------------------------
# After solving: what limits each partner, and which rules bind
# ----------------------------------------------------------------------------------


def _ring_binds(inst: YearInstance, x: np.ndarray) -> bool:
    return inst.ring > 0 and x[inst.bf].sum() <= inst.ring + TOL * inst.D * max(1, len(x))


def _spread_binds(inst: YearInstance, x: np.ndarray) -> bool:
    if inst.k is None or len(x) < 2:
        return False
    a = x / inst.tau
    return a.max() >= inst.k * a.min() * (1 - 1e-7)


def limiting_reasons(inst: YearInstance, split: YearSplit) -> list[str]:
    x = split.x
    D = inst.D
    a = x / inst.tau
    ring = _ring_binds(inst, x)
    spread = _spread_binds(inst, x)
    nb_level = a[~inst.bf].min() if (~inst.bf).any() else -INF
    out = []
    for k in range(len(x)):
        if x[k] >= inst.hi[k] - TOL * D:
            out.append(inst.hi_kind[k])
        elif inst.lo[k] > 0 and x[k] <= inst.lo[k] + TOL * D:
            out.append(inst.lo_kind[k])
        elif spread and a[k] >= inst.k * a.min() * (1 - 1e-7):
            out.append(SPREAD)
        elif ring and inst.bf[k] and a[k] > nb_level * (1 + 1e-7):
            out.append(RING_FENCE)
        else:
            out.append(LEVEL)
    return out


def _dual_for(split: YearSplit, kind: str, k: int | None = None) -> float:
    """The first non-zero dual of a constraint across the rounds, per currency unit."""
    inst = split.inst
    sols = [(r.free, r.solution) for r in split.rounds]
    if split.closest is not None:
        sols = [(np.ones(len(inst.ids), dtype=bool), split.closest)]
    for free, sol in sols:
        if kind == "col":
            if not free[k]:
                continue
            v = abs(sol.col_dual[k])
        else:
            v = abs(sol.row_dual[kind])
        if v > 1e-9:
            return v
    return 0.0


def binding_constraints(project: Project, inst: YearInstance, split: YearSplit) -> list[Binding]:
    cur = project.currency
    x = split.x
    D = inst.D
    y = inst.year
    closest = split.closest is not None

    def effect(whom: str) -> str:
        if closest:
            return "would bring the split closer to fair shares (total distance) by"
        return f"would raise {whom} by"

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
                f"; each extra {money(1000, cur)} {effect('the lowest attainment level')} "
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
            if price == 0 and not closest:
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
                    f"{money(1000, cur)} of {limit} {effect('its attainment')} "
                    f"{per_thousand(price)}.",
                )
            )
        elif inst.lo[k] > 0 and x[k] <= inst.lo[k] + TOL * D:
            price = _dual_for(split, "col", k) / D
            kind = inst.lo_kind[k]
            what = (
                "floor"
                if kind == FLOOR
                else f"needs floor ({pct(inst.alpha, 0)} of its fair share)"
            )
            out.append(
                Binding(
                    kind,
                    pid,
                    y,
                    price,
                    f"{y}: {name} is held at its {what} of {money(inst.lo[k], cur)}"
                    + (
                        f"; each {money(1000, cur)} less "
                        f"{effect('the level of the partners at the common level')} "
                        f"{per_thousand(price)}."
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
                f"{pct(inst.rho, 0)} ({money(inst.ring, cur)})"
                + (
                    f"; each {money(1000, cur)} less ring-fence "
                    f"{effect('the level of the other partners')} {per_thousand(price)}."
                    if price > 0
                    else "."
                ),
            )
        )
    if _spread_binds(inst, x):
        r = _row_index(split, "spread")
        a = x / inst.tau
        price = (_dual_for(split, r) * a.min()) if r is not None else 0.0
        out.append(
            Binding(
                SPREAD,
                None,
                y,
                price,
                f"{y}: the spread limit binds: the best-funded partner gets {inst.k:g} times the "
                "funding per unit of need of the least-funded"
                + (
                    f"; raising the limit by 0.1 {effect('the lowest attainment level')} "
                    f"{price * 0.1 * 100:.2f} percentage points."
                    if price > 0
                    else "."
                ),
            )
        )
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
        base, short = f"its capacity of {money(p.capacity, project.currency)}", "its capacity"
    elif scenario.basis == "reach":
        base, short = f"the {p.reach:,.0f} people it serves a year", "its reach"
    else:
        base, short = "an equal base of 1", "the equal base"
    return (
        f"need is {base} × (1 + {w.multiple_disadvantage:g} × {d:g} multiple disadvantage + "
        f"{w.back_office_gap:g} × {gap:.2f} back-office gap) = {factor:.3f} × {short}"
    )


def partner_reason(
    project: Project, scenario: Scenario, pr: PartnerResult, result: ScenarioResult
) -> str:
    cur = project.currency
    if not pr.included:
        return f"{pr.name} is left out of this scenario."
    years = result.years
    parts = [
        f"{pr.name} receives {money(pr.total, cur)} over {len(years)} "
        f"year{'s' if len(years) != 1 else ''}"
    ]
    if pr.lead and sum(pr.lines["management"]):
        parts[0] += f", plus {money(sum(pr.lines['management']), cur)} management fee as lead"
    parts[0] += "."
    parts.append(
        f"Its {need_words(project, scenario, pr.index)}, so its fair share is "
        f"{money(pr.fair_share_total, cur)} and it gets {pct(pr.attainment)} of it."
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
        words = REASON_WORDS.get(reason, reason)
        if reason == LEVEL and scenario.rule == "closest":
            words = "it gets as close to its fair share as the rules allow"
        parts.append(f"{when} {words}.")
    diff = pr.vs_size_proportional
    what = "With the fee that is" if pr.lead and sum(pr.lines["management"]) else "That is"
    if diff > 0:
        parts.append(f"{what} {money(diff, cur)} more than under a size-proportional split.")
    elif diff < 0:
        parts.append(f"{what} {money(-diff, cur)} less than under a size-proportional split.")
    else:
        parts.append(f"{what} the same as under a size-proportional split.")
    return " ".join(parts)


def method_words(scenario: Scenario, method: str = "fast") -> str:
    s = scenario
    lines = [
        f"Need: each partner's base ({s.basis}) × (1 + {s.weights.multiple_disadvantage:g} × "
        f"multiple disadvantage + {s.weights.back_office_gap:g} × back-office gap), where the "
        "back-office gap is 1 minus its back-office capacity score.",
        "Fair share: the distributable budget (after the management fee) divided in proportion "
        "to need.",
    ]
    if s.rule == "leximin":
        lines.append(
            "Rule: raise the worst-off first (leximin). The partner furthest below its "
            "fair share is raised as far as the rules allow, then the next, until the "
            "budget is spent; nobody can be given more without taking from someone "
            "who has less, relative to fair share."
        )
    else:
        lines.append(
            "Rule: closest to fair shares. The split that keeps the total distance "
            "from fair shares (each measured as a share of that partner's fair "
            "share) as small as the rules allow."
        )
    rules = [
        "every year's budget is shared out exactly",
        "no partner gets more than its capacity",
        "no partner gets less than its floor",
    ]
    if s.management_fee > 0:
        rules.append(f"the lead keeps a management fee of {pct(s.management_fee, 1)} of the budget")
    if s.ring_fence > 0:
        rules.append(
            f"by-and-for partners together get at least {pct(s.ring_fence, 0)} of the "
            "distributable budget (ring-fence)"
        )
    if s.needs_floor > 0:
        rules.append(
            f"every partner gets at least {pct(s.needs_floor, 0)} of its fair share (needs floor)"
        )
    if s.spread_limit is not None:
        rules.append(
            f"funding per unit of need differs by at most {s.spread_limit:g} times "
            "between any two partners (spread limit)"
        )
    if s.lead_cap is not None:
        rules.append(
            f"the lead takes at most {pct(s.lead_cap, 0)} of the distributable budget "
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
            f"Unrestricted: {pct(s.unrestricted_share, 0)} of each grant is marked "
            "unrestricted (part of the grant, not extra money)."
        )
    lines.append(
        "Rounding: whole currency units by the largest remainder method; every year "
        "adds up exactly and no cap or floor is broken."
    )
    return "\n".join(lines)


def summary_message(project: Project, scenario: Scenario, result: ScenarioResult) -> str:
    m = result.metrics
    cur = project.currency
    total = sum(result.budget)
    text = (
        f"Solved: {money(total, cur)} shared between "
        f"{sum(1 for p in result.partners if p.included)} partners; every partner gets at "
        f"least {pct(m.min_attainment)} of its fair share (at most "
        f"{pct(m.max_attainment)})"
    )
    if any(p.by_and_for and p.included for p in result.partners):
        text += (
            f"; by-and-for partners get {pct(m.by_and_for_share, 0)} of the distributable budget"
        )
    return text + "."


# ----------------------------------------------------------------------------------
# Relaxations: the smallest edits that make an infeasible scenario solve
# ----------------------------------------------------------------------------------


def relaxations(project: Project, j: int, solver: str = "highs") -> list[Relaxation]:
    """Edits to the project that, applied together, make scenario ``j`` solve.

    An elastic version of each year's program gives every limit a slack, priced in
    currency, and minimises their total; the slacks become edits to the project's own
    fields (a partner's floor or capacity is one figure for all years, so it moves by
    the largest slack any year needs). The edits are then applied and checked.
    """
    from allocator.engine.solve import year_instances

    edits: dict[str, Relaxation] = {}
    current = project
    for _attempt in range(4):
        scenario = current.scenarios[j]
        insts = year_instances(current, scenario)
        round_edits = _elastic_edits(current, j, insts, solver)
        if not round_edits:
            break
        for r in round_edits:
            if r.field in edits:
                edits[r.field].to_value = r.to_value
                edits[r.field].explanation = _edit_words(
                    project, r.field, edits[r.field].from_value, r.to_value
                )
            else:
                edits[r.field] = r
        current = apply_relaxations(project, list(edits.values()))
        if check_project(current):
            break
        sc = current.scenarios[j]
        if not any(feasibility_checks(current, sc, inst) for inst in year_instances(current, sc)):
            break
    return list(edits.values())


def _elastic_edits(
    project: Project, j: int, insts: list[YearInstance], solver: str
) -> list[Relaxation]:
    scen = project.scenarios[j]
    lower: dict[str, float] = {}
    raise_: dict[str, float] = {}
    # On the capacity basis a partner's capacity is also its size in the need formula:
    # raising it raises its fair share too, so it rarely cures a needs floor or spread
    # problem. There, capacity is the last thing to move.
    capacity_cost = 1000.0 if scen.basis == "capacity" else 1.0
    for inst in insts:
        prog = YearProgram(inst, "elastic", solver, capacity_cost=capacity_cost)
        sol = prog.solve()
        if sol.status != "optimal":
            continue
        sol = prog.even_out(sol)
        D = inst.D
        for col, (kind, k) in prog.elastic.items():
            s = float(sol.x[col])
            if s <= 1e-9:
                continue
            if kind == "floor":
                i = inst.index[k]
                f = f"partners[{i}].floor"
                lower[f] = min(lower.get(f, INF), inst.floor[k] - s * D)
            elif kind == "capacity":
                i = inst.index[k]
                f = f"partners[{i}].capacity"
                raise_[f] = max(raise_.get(f, -INF), inst.cap[k] + s * D)
            elif kind == "needs_floor":
                f = f"scenarios[{j}].needs_floor"
                tau_s = inst.tau[k] / D
                lower[f] = min(lower.get(f, INF), (inst.alpha * tau_s - s) / tau_s)
            elif kind == "lead_cap":
                f = f"scenarios[{j}].lead_cap"
                raise_[f] = max(raise_.get(f, -INF), inst.lam + s)
            elif kind == "ring_fence":
                f = f"scenarios[{j}].ring_fence"
                lower[f] = min(lower.get(f, INF), inst.rho - s)
            elif kind == "spread":
                f = f"scenarios[{j}].spread_limit"
                L = sol.x[prog.layout.L]
                U = sol.x[prog.layout.U]
                need_k = U / L if L > 1e-12 else inst.k + s * 1e6
                raise_[f] = max(raise_.get(f, -INF), need_k)
    out = []
    for f, v in lower.items():
        old = _get(project, f)
        if f.endswith(".floor"):
            new = max(0.0, float(math.floor(v + 1e-3)))  # whole units, never more than needed
        else:
            new = max(0.0, math.floor(v * 10000 - 1e-6) / 10000)
        if new < old:
            out.append(Relaxation(f, old, new, _edit_words(project, f, old, new)))
    for f, v in raise_.items():
        old = _get(project, f)
        if f.endswith(".capacity"):
            new = float(math.ceil(v - 1e-3))
        elif f.endswith(".spread_limit"):
            new = math.ceil(v * 100 + 1e-6) / 100
        else:
            new = min(1.0, math.ceil(v * 10000 + 1e-6) / 10000)
        if new > old:
            out.append(Relaxation(f, old, new, _edit_words(project, f, old, new)))
    return out


def _get(project: Project, path: str) -> float:
    head, key = path.rsplit(".", 1)
    kind, idx = head.split("[")
    obj = (project.partners if kind == "partners" else project.scenarios)[int(idx.rstrip("]"))]
    return float(getattr(obj, key))


def _edit_words(project: Project, path: str, old: float, new: float) -> str:
    head, key = path.rsplit(".", 1)
    kind, idx = head.split("[")
    i = int(idx.rstrip("]"))
    cur = project.currency
    verb = "raise" if new > old else "lower"
    if kind == "partners":
        name = project.partners[i].name
        return f"{verb} {name}'s {key} from {money(old, cur)} to {money(new, cur)}"
    label = {
        "needs_floor": "needs floor",
        "lead_cap": "lead cap",
        "ring_fence": "ring-fence",
        "spread_limit": "spread limit",
    }[key]
    if key == "spread_limit":
        return f"{verb} the {label} from {old:g} to {new:g}"
    return f"{verb} the {label} from {pct(old, 2)} to {pct(new, 2)}"


def apply_relaxations(project: Project, edits: list[Relaxation]) -> Project:
    """The project with the suggested edits made (the app's "apply suggestions")."""
    for r in edits:
        head, key = r.field.rsplit(".", 1)
        kind, idx = head.split("[")
        i = int(idx.rstrip("]"))
        if kind == "partners":
            project = project.with_partner(i, **{key: float(r.to_value)})
        else:
            project = project.with_scenario(i, **{key: float(r.to_value)})
    return project
