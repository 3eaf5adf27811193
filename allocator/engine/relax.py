"""Suggested changes for a scenario that cannot be met, and applying them.

Two kinds of answer, both computed from the same year instances as the solve:

- :func:`relaxations`: the smallest edits to partners' limits and the scenario's
  rules that together make the scenario solve. An elastic version of each year's
  program gives every limit a slack priced in currency and minimises their total,
  then shares the cut evenly among equally cheap ones.
- :func:`budget_alternative`: instead, the grant that would make the scenario solve
  as it stands. In each year the distributable budget is a variable of the same
  program; the least and the most it can be are two small programs, and the grant
  follows from the fee. Not part of the suggested edits: an alternative to them.

Every suggestion is a :class:`Relaxation` naming a field path, and, for a partner's
field, the partner's id, so :func:`apply_relaxation` applies it through
:func:`allocator.domain.edits.set_field` (one undoable edit) even after partners were
reordered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import cast

from allocator.domain.edits import set_field, validate
from allocator.domain.fields import spec_for
from allocator.domain.model import Budget, Project
from allocator.domain.paths import FieldPath, describe_path
from allocator.domain.text import money
from allocator.engine.explain import feasibility_checks, share_words
from allocator.engine.instances import YearInstance, year_instances
from allocator.engine.program import INF, YearProgram
from allocator.engine.result import Relaxation
from allocator.errors import Cancelled, Problem, ValidationError

ShouldCancel = Callable[[], bool] | None

__all__ = [
    "apply_relaxation",
    "apply_relaxations",
    "budget_alternative",
    "budget_range",
    "describe_change",
    "relaxations",
]


def _poll(should_cancel: ShouldCancel) -> None:
    if should_cancel is not None and should_cancel():
        raise Cancelled()


# ----------------------------------------------------------------------------------
# Words
# ----------------------------------------------------------------------------------


def _value_words(path: FieldPath, value: float, currency: str) -> str:
    spec = spec_for(path)
    if spec.kind == "money":
        return money(value, currency)
    if spec.kind in ("share", "rate"):
        return share_words(value)
    return f"{value:g}"


def describe_change(project: Project, path: FieldPath | str, old: float, new: float) -> str:
    """ "Amani Collective's floor from £60,000 to £42,000": the place in words, whole units."""
    fp = FieldPath.parse(path)
    if fp.parts[:1] == ("scenarios",):
        # within one scenario's result the scenario goes without saying
        where = f"the {spec_for(fp).words}"
    else:
        where = describe_path(project, fp)
    cur = project.currency
    return f"{where} from {_value_words(fp, old, cur)} to {_value_words(fp, new, cur)}"


def _relaxation(project: Project, path: str, old: float, new: float) -> Relaxation:
    fp = FieldPath.parse(path)
    words = describe_change(project, fp, old, new)
    verb = "raise" if new > old else "lower"
    pid = pindex = None
    if fp.parts[:1] == ("partners",):
        pindex = int(fp.parts[1])
        pid = project.partners[pindex].id
    return Relaxation(
        field=str(fp),
        from_value=float(old),
        to_value=float(new),
        explanation=f"{verb} {words}",
        partner_id=pid,
        partner_index=pindex,
        words=words,
    )


# ----------------------------------------------------------------------------------
# Applying
# ----------------------------------------------------------------------------------


def apply_relaxation(project: Project, relaxation: Relaxation) -> Project:
    """The project with one suggested change made: one edit, through ``set_field``.

    A partner's change follows the partner by id, wherever it now sits; a partner no
    longer in the project is refused with a ValidationError naming the field.
    """
    fp = FieldPath.parse(relaxation.field)
    if relaxation.partner_id is not None and fp.parts[:1] == ("partners",):
        try:
            i = project.partner_index(relaxation.partner_id)
        except KeyError:
            raise ValidationError(
                [
                    Problem(
                        relaxation.field,
                        f"the partner this change is for ({relaxation.partner_id}) is no "
                        "longer in the project",
                    )
                ]
            ) from None
        fp = FieldPath((fp.parts[0], i, *fp.parts[2:]))
    return set_field(project, fp, relaxation.to_value)


def apply_relaxations(project: Project, relaxations: Iterable[Relaxation]) -> Project:
    """The project with all the suggested changes made (the app's "apply all")."""
    for r in relaxations:
        project = apply_relaxation(project, r)
    return project


# ----------------------------------------------------------------------------------
# The smallest relaxations
# ----------------------------------------------------------------------------------


def relaxations(
    project: Project, j: int, solver: str = "highs", should_cancel: ShouldCancel = None
) -> list[Relaxation]:
    """Edits to the project that, applied together, make scenario ``j`` solve.

    An elastic version of each year's program gives every limit a slack, priced in
    currency, and minimises their total; the slacks become edits to the project's own
    fields (a partner's floor or capacity is one figure for all years, so it moves by
    the largest slack any year needs). The edits are then applied and checked, and
    the search repeats from the edited project while a check still fails.
    """
    edits: dict[str, Relaxation] = {}
    current = project
    for _attempt in range(4):
        _poll(should_cancel)
        scenario = current.scenarios[j]
        insts = year_instances(current, scenario)
        round_edits = _elastic_edits(current, j, insts, solver, should_cancel)
        if not round_edits:
            break
        for r in round_edits:
            first = edits.get(r.field)
            old = r.from_value if first is None else first.from_value
            edits[r.field] = _relaxation(project, r.field, old, r.to_value)
        try:
            current = apply_relaxations(project, edits.values())
        except ValidationError:
            break
        if validate(current):
            break
        sc = current.scenarios[j]
        if not any(feasibility_checks(current, sc, inst) for inst in year_instances(current, sc)):
            break
    return list(edits.values())


def _elastic_edits(
    project: Project,
    j: int,
    insts: list[YearInstance],
    solver: str,
    should_cancel: ShouldCancel = None,
) -> list[Relaxation]:
    scen = project.scenarios[j]
    lower: dict[str, float] = {}
    raise_: dict[str, float] = {}
    # On the capacity basis a partner's capacity is also its size in the need formula:
    # raising it raises its fair share too, so it rarely cures a needs floor or spread
    # problem. There, capacity is the last thing to move.
    capacity_cost = 1000.0 if scen.basis == "capacity" else 1.0
    for inst in insts:
        _poll(should_cancel)
        prog = YearProgram(inst, "elastic", solver, capacity_cost=capacity_cost)
        sol = prog.solve()
        if sol.status != "optimal":
            continue
        _poll(should_cancel)
        sol = prog.even_out(sol)
        D = inst.D
        for col, (kind, k) in prog.elastic.items():
            s = float(sol.x[col])
            if s <= 1e-9:
                continue
            partner = None if k is None else inst.index[k]  # for a partner's own limit
            if kind == "floor":
                f = f"partners[{partner}].floor"
                lower[f] = min(lower.get(f, INF), float(inst.floor[k] - s * D))
            elif kind == "capacity":
                f = f"partners[{partner}].capacity"
                raise_[f] = max(raise_.get(f, -INF), float(inst.cap[k] + s * D))
            elif kind == "needs_floor":
                f = f"scenarios[{j}].needs_floor"
                tau_s = inst.tau[k] / D
                lower[f] = min(lower.get(f, INF), float((inst.alpha * tau_s - s) / tau_s))
            elif kind == "lead_cap":
                f = f"scenarios[{j}].lead_cap"
                assert inst.lam is not None, "a lead cap is relaxed only when there is one"
                raise_[f] = max(raise_.get(f, -INF), inst.lam + s)
            elif kind == "ring_fence":
                f = f"scenarios[{j}].ring_fence"
                lower[f] = min(lower.get(f, INF), inst.rho - s)
            elif kind == "spread":
                f = f"scenarios[{j}].spread_limit"
                assert inst.k is not None, "a spread limit is relaxed only when there is one"
                L = sol.x[prog.layout.L]
                U = sol.x[prog.layout.U]
                need_k = U / L if L > 1e-12 else inst.k + s * 1e6
                raise_[f] = max(raise_.get(f, -INF), need_k)
    out = []
    for f, v in lower.items():
        old = float(FieldPath.parse(f).get(project))
        if f.endswith(".floor"):
            new = max(0.0, float(math.floor(v + 1e-3)))  # whole units, never more than needed
        else:
            new = max(0.0, math.floor(v * 10000 - 1e-6) / 10000)
        if new < old:
            out.append(_relaxation(project, f, old, new))
    for f, v in raise_.items():
        old = float(FieldPath.parse(f).get(project))
        if f.endswith(".capacity"):
            new = float(math.ceil(v - 1e-3))
        elif f.endswith(".spread_limit"):
            new = math.ceil(v * 100 + 1e-6) / 100
        else:
            new = min(1.0, math.ceil(v * 10000 + 1e-6) / 10000)
        if new > old:
            out.append(_relaxation(project, f, old, new))
    return out


# ----------------------------------------------------------------------------------
# The grant that would make it solve as it stands
# ----------------------------------------------------------------------------------


def budget_range(inst: YearInstance, solver: str = "highs") -> tuple[float, float] | None:
    """The least and the most distributable budget this year's rules can take, or None.

    Everything but the budget stays as it is; limits that are shares of the budget
    (needs floor, lead cap, ring-fence) move with it. Two small programs: the same
    year with the budget as a variable, minimised and then maximised.
    """
    prog = YearProgram(inst, "budget", solver)
    col = prog.layout.D
    least = prog.solve()
    if least.status != "optimal":
        return None
    prog.set_cost(col, -1.0)
    most = prog.solve()
    if most.status != "optimal":
        return None
    scale = inst.D
    return float(least.x[col]) * scale, float(most.x[col]) * scale


def _distributable(budget: int, fee_share: float) -> int:
    return budget - int(math.floor(fee_share * budget + 0.5))


def _grant_range(d_lo: int, d_hi: int, fee_share: float) -> tuple[int, int] | None:
    """Whole grants whose distributable part (after the rounded fee) is in [d_lo, d_hi]."""
    lo = max(1, int(math.floor(d_lo / (1 - fee_share))) - 2)
    while _distributable(lo, fee_share) < d_lo:
        lo += 1
    while lo > 1 and _distributable(lo - 1, fee_share) >= d_lo:
        lo -= 1
    hi = int(math.floor(d_hi / (1 - fee_share))) + 2
    while hi >= 1 and _distributable(hi, fee_share) > d_hi:
        hi -= 1
    return (lo, hi) if lo <= hi else None


def _solves_as_it_stands(project: Project, j: int) -> bool:
    scenario = project.scenarios[j]
    return not any(
        feasibility_checks(project, scenario, inst) for inst in year_instances(project, scenario)
    )


def budget_alternative(
    project: Project,
    j: int,
    insts: list[YearInstance],
    solver: str = "highs",
    should_cancel: ShouldCancel = None,
) -> tuple[int | None, tuple[Relaxation, ...]]:
    """The total grant over all years that would make scenario ``j`` solve as it stands,
    and the edits to the budget that set it (None and no edits when no grant would).

    A first-year budget with an uplift moves as one figure (the nearest whole
    first-year grant that suits every year); per-year budgets move year by year, each
    to the nearest grant that suits it.
    """
    fee_share = project.scenarios[j].management_fee
    ranges: list[tuple[int, int]] = []
    for inst in insts:
        _poll(should_cancel)
        got = budget_range(inst, solver)
        if got is None:
            return None, ()
        d_lo, d_hi = math.ceil(got[0] - 1e-6), math.floor(got[1] + 1e-6)
        share = fee_share if inst.lead.any() else 0.0
        grants = _grant_range(max(d_lo, 0), d_hi, share)
        if grants is None:
            return None, ()
        ranges.append(grants)
    budget = project.budget
    current = project.budgets()  # refuses a blank figure: none is blank from here on
    if budget.per_year is not None:
        given = cast(tuple[float, ...], budget.per_year)
        new = [min(max(b, lo), hi) for b, (lo, hi) in zip(current, ranges, strict=True)]
        edits = tuple(
            _relaxation(project, f"budget.per_year[{y}]", float(given[y]), float(v))
            for y, v in enumerate(new)
            if v != current[y]
        )
    else:
        first = float(cast(float, budget.first_year))
        growth = [(1 + budget.annual_uplift) ** y for y in range(project.year_count)]
        low = max((lo - 0.5) / g for (lo, _), g in zip(ranges, growth, strict=True))
        high = min((hi + 0.5) / g for (_, hi), g in zip(ranges, growth, strict=True))
        if first < low:
            candidates = [float(math.ceil(low + 1e-9)) + k for k in range(3)]
        elif first >= high:
            candidates = [float(math.ceil(high - 1e-9) - 1) - k for k in range(3)]
        else:
            return None, ()  # the grant is not what stops it
        edits = ()
        for cand in candidates:
            amounts = Budget(first_year=cand, annual_uplift=budget.annual_uplift).amounts(
                project.year_count
            )
            if cand > 0 and all(lo <= b <= hi for b, (lo, hi) in zip(amounts, ranges, strict=True)):
                edits = (_relaxation(project, "budget.first_year", first, cand),)
                new = amounts
                break
    if not edits:
        return None, ()
    _poll(should_cancel)
    try:
        changed = apply_relaxations(project, edits)
    except ValidationError:
        return None, ()
    if not _solves_as_it_stands(changed, j):
        return None, ()
    return int(sum(changed.budgets())), edits


def zero_grants(per_year: Iterable[Iterable[int]], names: Iterable[str]) -> tuple[str, ...]:
    """Names of partners with a year of nothing, in the order given."""
    return tuple(n for n, py in zip(names, per_year, strict=True) if any(v == 0 for v in py))
