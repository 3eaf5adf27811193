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
from dataclasses import dataclass, field, replace

import numpy as np

from allocator.domain.edits import set_field, validate
from allocator.domain.fields import spec_for
from allocator.domain.model import Budget, Project
from allocator.domain.paths import FieldPath, describe_path
from allocator.domain.text import money
from allocator.engine.explain import feasibility_checks, share_words
from allocator.engine.instances import YearInstance, year_instances
from allocator.engine.program import HIGHS_LOCK, INF, YearProgram
from allocator.engine.program import _make_highs as make_highs
from allocator.engine.result import Relaxation
from allocator.errors import Cancelled, Problem, SolverError, ValidationError

ShouldCancel = Callable[[], bool] | None

__all__ = [
    "apply_relaxation",
    "apply_relaxations",
    "budget_alternative",
    "budget_range",
    "describe_change",
    "pending",
    "relaxations",
    "suggest",
    "Suggestions",
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


def _current(project: Project, relaxation: Relaxation) -> float | None:
    """The value the suggestion's field holds now (its partner found by id), or None
    when the partner is gone."""
    fp = FieldPath.parse(relaxation.field)
    if relaxation.partner_id is not None and fp.parts[:1] == ("partners",):
        try:
            i = project.partner_index(relaxation.partner_id)
        except KeyError:
            return None
        fp = FieldPath((fp.parts[0], i, *fp.parts[2:]))
    return fp.get(project)


def pending(project: Project, relaxations: Iterable[Relaxation]) -> tuple[Relaxation, ...]:
    """The items of a list of suggestions not yet made in ``project``, as listed.

    The list is worked out once for the scenario as it stood: after some of its items
    are applied, the rest are still what makes it solve (each is a target of its own),
    while a fresh solve would share the remaining cut anew. The app shows these.
    """
    return tuple(
        r for r in relaxations if (now := _current(project, r)) is not None and now == r.from_value
    )


def apply_relaxations(project: Project, relaxations: Iterable[Relaxation]) -> Project:
    """The project with all the suggested changes made (the app's "apply all")."""
    for r in relaxations:
        project = apply_relaxation(project, r)
    return project


# ----------------------------------------------------------------------------------
# The suggested changes
# ----------------------------------------------------------------------------------

# The rules in the order a scenario lists them, with the field each one is.
RULE_WORDS = {
    "ring_fence": "ring-fence",
    "needs_floor": "needs floor",
    "spread_limit": "spread limit",
    "lead_cap": "lead cap",
    "core_share": "core share",
}
_SHARE_STEP = 0.001  # a share is suggested to a tenth of a percentage point
_RATIO_STEP = 0.1  # a spread limit to a tenth
_TIGHTEN = 6  # how many times the rounded figures are moved one step further


@dataclass(frozen=True)
class Suggestions:
    """What :func:`suggest` finds for a scenario that cannot be met.

    ``relaxations`` change only what the scenario does not keep and together make it
    solve; each is an absolute target, independent of the others, so applying them
    one at a time leaves the rest as listed. ``blocking`` is set instead when no such
    change helps: the kept rules that stand in the way, each with the value at which
    it would solve (``explanation`` says so); nothing in it is a suggestion.
    """

    relaxations: tuple[Relaxation, ...] = ()
    blocking: tuple[Relaxation, ...] = ()


Solves = Callable[[Project], bool]


@dataclass
class _Free:
    """Which figures one search may move."""

    floors: bool = True
    fee: bool = True
    rules: frozenset[str] = frozenset()


@dataclass
class _Found:
    """One search's unrounded answer: each moved figure's new value by field path."""

    lower: dict[str, float] = field(default_factory=dict)
    raise_: dict[str, float] = field(default_factory=dict)


class _LP:
    """A small linear program stated by columns and rows, solved cold by HiGHS."""

    def __init__(self) -> None:
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.cost: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def col(self, lo: float = 0.0, hi: float = INF, cost: float = 0.0) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        self.cost.append(cost)
        return len(self.lo) - 1

    def row(self, coefs: dict[int, float], lo: float = -INF, hi: float = INF) -> None:
        self.rows.append((coefs, lo, hi))

    def solve(self) -> np.ndarray | None:
        import highspy

        starts = [0]
        index: list[int] = []
        value: list[float] = []
        for coefs, _lo, _hi in self.rows:
            index += list(coefs)
            value += list(coefs.values())
            starts.append(len(index))
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.rows)
        lp.col_cost_ = np.array(self.cost)
        lp.col_lower_ = np.array(self.lo)
        lp.col_upper_ = np.array(self.hi)
        lp.row_lower_ = np.array([r[1] for r in self.rows])
        lp.row_upper_ = np.array([r[2] for r in self.rows])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=float)
        # HiGHS instances are made, run and freed one at a time (see program.py)
        with HIGHS_LOCK:
            h = make_highs()
            h.setOptionValue("presolve", "on")  # solved cold, once
            h.passModel(lp)
            h.run()
            status = h.getModelStatus()
            x = np.array(h.getSolution().col_value)
            del h
        if status == highspy.HighsModelStatus.kOptimal:
            return x
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return None
        raise SolverError(f"HiGHS stopped without an answer ({h_status_words(status)})")


def h_status_words(status: object) -> str:
    return str(status).rsplit(".", 1)[-1]


class _Search:
    """The smallest changes to the free figures that make every year feasible.

    All years in one program, in currency divided by the largest budget. First the
    smallest largest change, each as a share of the figure it changes (every floor,
    the fee and each released rule; so where nothing else binds every floor is cut by
    the same share); then, keeping that, the smallest total in currency. A released
    spread limit is priced apart (it is a ratio): its slack is kept smallest first.
    Limits that scale with the budget are stated at today's fee, which only errs on
    the safe side when the fee falls.
    """

    def __init__(self, project: Project, j: int, insts: list[YearInstance], free: _Free):
        self.j = j
        self.scen = scen = project.scenarios[j]
        self.insts = insts
        self.scale = max(max(inst.budget for inst in insts), 1)
        self.free = free
        lp = self.lp = _LP()
        self.t = lp.col()
        self.floors = insts[0].floor / self.scale
        self.cut = [
            lp.col(0.0, float(f) if free.floors else 0.0) if f > 0 else None for f in self.floors
        ]
        fee_on = scen.management_fee > 0 and any(inst.fee > 0 for inst in insts)
        self.g = lp.col(0.0, scen.management_fee if free.fee and fee_on else 0.0)
        rel = free.rules
        self.r = lp.col(0.0, scen.ring_fence if "ring_fence" in rel else 0.0)
        self.a = lp.col(0.0, scen.needs_floor if "needs_floor" in rel else 0.0)
        lam = scen.lead_cap
        self.ell = lp.col(0.0, 1.0 - lam if lam is not None and "lead_cap" in rel else 0.0)
        for c, f in zip(self.cut, self.floors, strict=True):
            if c is not None:
                lp.row({c: 1.0, self.t: -float(f)}, hi=0.0)
        refs = (self.g, scen.management_fee), (self.r, scen.ring_fence), (self.a, scen.needs_floor)
        for col, ref in (*refs, (self.ell, lam or 0.0)):
            if ref > 0:
                lp.row({col: 1.0, self.t: -ref}, hi=0.0)
        self.total: dict[int, float] = {c: float(len(insts)) for c in self.cut if c is not None}
        self.spread: list[tuple[int, int, int]] = []  # (L, U, slack) per year
        for inst in insts:
            self._year(inst)

    def _weigh(self, col: int, amount: float) -> None:
        self.total[col] = self.total.get(col, 0.0) + amount

    def _year(self, inst: YearInstance) -> None:
        lp, scen, g = self.lp, self.scen, self.g
        rho, alpha, lam, k = scen.ring_fence, scen.needs_floor, scen.lead_cap, scen.spread_limit
        n = len(inst.ids)
        B, D0 = inst.budget / self.scale, inst.D / self.scale
        Bg = B if inst.fee > 0 else 0.0
        share = inst.tau / inst.D if inst.D > 0 else np.zeros(n)
        self._weigh(g, B)
        self._weigh(self.r, D0)
        self._weigh(self.ell, D0)
        xs = [lp.col(0.0, float(inst.cap[i]) / self.scale) for i in range(n)]
        lp.row({**{x: 1.0 for x in xs}, g: -Bg}, D0, D0)
        for i, x in enumerate(xs):
            c = self.cut[i]
            if c is not None:
                lp.row({x: 1.0, c: 1.0}, lo=float(self.floors[i]))
            if alpha > 0:
                tau0 = float(share[i]) * D0
                self._weigh(self.a, tau0)
                row = {x: 1.0, g: -alpha * float(share[i]) * Bg, self.a: tau0}
                lp.row(row, lo=alpha * tau0)
            if inst.lead[i] and lam is not None:
                lp.row({x: 1.0, g: -lam * Bg, self.ell: -D0}, hi=lam * D0)
        if rho > 0:  # with no by-and-for partner at all, only the ring-fence can move
            coefs = {xs[i]: 1.0 for i in range(n) if inst.bf[i]}
            lp.row({**coefs, g: -rho * Bg, self.r: D0}, lo=rho * D0)
        if k is not None:
            low, high = lp.col(), lp.col()
            s = lp.col(0.0, INF if "spread_limit" in self.free.rules else 0.0)
            nu = inst.spread_dir
            for i, x in enumerate(xs):
                lp.row({x: 1.0, low: -float(nu[i])}, lo=0.0)
                lp.row({x: 1.0, high: -float(nu[i])}, hi=0.0)
            lp.row({high: 1.0, low: -k, s: -1.0}, hi=0.0)
            self.spread.append((low, high, s))

    def solve(self) -> _Found | None:
        lp = self.lp
        lp.cost[self.t] = 1.0
        for _low, _high, s in self.spread:
            lp.cost[s] = 1.0
        first = lp.solve()
        if first is None:
            return None
        # keep the first stage's answer; now the smallest total change in currency
        lp.hi[self.t] = float(first[self.t]) * (1 + 1e-6) + 1e-9
        if self.spread:
            got = sum(float(first[s]) for _low, _high, s in self.spread)
            lp.row({s: 1.0 for _low, _high, s in self.spread}, hi=got * (1 + 1e-6) + 1e-9)
        lp.cost = [0.0] * len(lp.cost)
        for col, w in self.total.items():
            lp.cost[col] = w
        second = lp.solve()
        return self._answer(first if second is None else second)

    def _answer(self, x: np.ndarray) -> _Found:
        scen, j = self.scen, self.j
        found = _Found()
        for i, c in enumerate(self.cut):
            if c is not None and x[c] * self.scale > 1e-6:
                new = float((self.floors[i] - x[c]) * self.scale)
                found.lower[f"partners[{self.insts[0].index[i]}].floor"] = new
        lowered = (
            (self.g, "management_fee", scen.management_fee),
            (self.r, "ring_fence", scen.ring_fence),
            (self.a, "needs_floor", scen.needs_floor),
        )
        for col, name, old in lowered:
            if x[col] > 1e-9:
                found.lower[f"scenarios[{j}].{name}"] = old - float(x[col])
        if scen.lead_cap is not None and x[self.ell] > 1e-9:
            found.raise_[f"scenarios[{j}].lead_cap"] = scen.lead_cap + float(x[self.ell])
        k = scen.spread_limit
        if k is not None and any(x[s] > 1e-9 for _low, _high, s in self.spread):
            need = max(
                (x[high] / x[low] if x[low] > 1e-12 else k + x[s] * 1e6)
                for low, high, s in self.spread
            )
            found.raise_[f"scenarios[{j}].spread_limit"] = max(float(need), k)
        return found


def _money_step(change: float) -> int:
    """How people write a change of this size: to 10, 100 or 1,000."""
    if change < 1_000:
        return 10
    if change < 10_000:
        return 100
    return 1_000


def _rounded(
    project: Project, found: _Found, extra: int, fee_back: bool = False
) -> list[Relaxation]:
    """Each figure as people write it, rounded in the direction that keeps the change
    sufficient (never a change under 10 units), moved ``extra`` steps further.

    ``fee_back``: the management fee rounded back towards today's instead (a smaller
    cut), the floors taking up the difference. A lower fee is not always looser: it
    leaves more to share out, which raises the needs floors, and where one of them meets
    a capacity the fee found is the lowest that solves, so a cut past it fails.
    """
    out = []
    for f, v in found.lower.items():
        old = float(FieldPath.parse(f).get(project))
        if f.endswith(".floor"):
            step = _money_step(old - v)
            new: float = math.floor((v + 1e-6) / step) * step - extra * step
            new = min(new, math.floor((old - 10) / 10) * 10)
        elif fee_back and f.endswith(".management_fee"):
            new = math.ceil((v - 1e-9) / _SHARE_STEP) * _SHARE_STEP
            new = round(min(new, old - _SHARE_STEP), 6)
        else:
            new = math.floor((v + 1e-9) / _SHARE_STEP) * _SHARE_STEP - extra * _SHARE_STEP
            new = round(min(new, old - _SHARE_STEP), 6)
        new = max(0.0, float(new))
        if new < old:
            out.append(_relaxation(project, f, old, new))
    for f, v in found.raise_.items():
        old = float(FieldPath.parse(f).get(project))
        new = 0.0
        if f.endswith(".spread_limit"):
            new = math.ceil((v - 1e-9) / _RATIO_STEP) * _RATIO_STEP + extra * _RATIO_STEP
            new = round(max(new, old + _RATIO_STEP), 6)
        else:
            new = math.ceil((v - 1e-9) / _SHARE_STEP) * _SHARE_STEP + extra * _SHARE_STEP
            new = round(min(1.0, max(new, old + _SHARE_STEP)), 6)
        if new > old:
            out.append(_relaxation(project, f, old, float(new)))
    return out


def _solves_after(project: Project, j: int, edits: list[Relaxation], solves: Solves) -> bool:
    try:
        changed = apply_relaxations(project, edits)
    except ValidationError:
        return False
    return not validate(changed) and solves(changed)


def _fix(
    project: Project,
    j: int,
    free: _Free,
    solves: Solves,
    should_cancel: ShouldCancel,
) -> list[Relaxation] | None:
    """Rounded changes to the free figures that make scenario ``j`` solve, or None."""
    _poll(should_cancel)
    insts = year_instances(project, project.scenarios[j])
    if not insts:
        return None
    found = _Search(project, j, insts, free).solve()
    if found is None:
        return None
    for fee_back in (False, True):
        if fee_back and not any(f.endswith(".management_fee") for f in found.lower):
            break
        for extra in range(_TIGHTEN):
            _poll(should_cancel)
            edits = _rounded(project, found, extra, fee_back)
            if edits and _solves_after(project, j, edits, solves):
                return edits
    return None


def _active(project: Project, j: int, rule: str) -> bool:
    s = project.scenarios[j]
    return {
        "ring_fence": s.ring_fence > 0,
        "needs_floor": s.needs_floor > 0,
        "spread_limit": s.spread_limit is not None,
        "lead_cap": s.lead_cap is not None,
        "core_share": False,  # the core share is never suggested as an edit
    }[rule]


def _in_the_way(project: Project, edits: list[Relaxation], alone: bool) -> Relaxation:
    """A kept rule's change, said as what stands in the way, not as a suggestion:
    "the 25% ring-fence stands in the way: at 9.1% it would solve"."""
    r = edits[0]
    fp = FieldPath.parse(r.field)
    rule = RULE_WORDS.get(str(fp.parts[-1]), spec_for(fp).words)
    old = _value_words(fp, r.from_value, project.currency)
    new = _value_words(fp, r.to_value, project.currency)
    named = f"the {rule} of {old}" if spec_for(fp).kind == "ratio" else f"the {old} {rule}"
    rest = "" if alone else ", with changes to floors or the fee"
    words = f"{named} stands in the way: at {new}{rest} it would solve"
    return replace(r, explanation=words, words=words)


def _blocking(
    project: Project, j: int, kept: tuple[str, ...], solves: Solves, should_cancel: ShouldCancel
) -> tuple[Relaxation, ...]:
    """The kept rules that stand in the way: one released alone as things stand, else
    one released with floors and fee, else all of them together."""
    rules = [rule for rule in kept if _active(project, j, rule)]
    for floors_too in (False, True):
        for rule in rules:
            free = _Free(floors=floors_too, fee=floors_too, rules=frozenset({rule}))
            got = _fix(project, j, free, solves, should_cancel)
            mine = [e for e in got or () if e.field.endswith(f".{rule}")]
            if mine:
                return (_in_the_way(project, mine, not floors_too),)
    got = _fix(project, j, _Free(rules=frozenset(rules)), solves, should_cancel) or []
    return tuple(
        _in_the_way(project, [e], False)
        for e in got
        if e.field.startswith("scenarios[") and e.field.rsplit(".", 1)[-1] in rules
    )


def default_solves(j: int) -> Solves:
    """Whether scenario ``j`` of a project can be met: the plain checks, which are
    exactly the conditions for a split to exist."""
    return lambda p: _solves_as_it_stands(p, j)


def suggest(
    project: Project,
    j: int,
    solver: str = "highs",
    should_cancel: ShouldCancel = None,
    solves: Solves | None = None,
) -> Suggestions:
    """The changes that make scenario ``j`` solve, worked out once, from what the
    scenario does not keep (floors, the management fee, rules released from ``keep``;
    never capacities or the grant); or, when none helps, the kept rules in the way.

    ``solves`` says whether a changed project solves (default: the plain checks); the
    engine passes a full solve, so the rounded figures are checked as reported.
    """
    solves = solves or default_solves(j)
    kept = tuple(project.scenarios[j].keep)
    released = frozenset(r for r in RULE_WORDS if r not in kept)
    got = _fix(project, j, _Free(rules=released), solves, should_cancel)
    if got:
        return Suggestions(relaxations=tuple(got))
    return Suggestions(blocking=_blocking(project, j, kept, solves, should_cancel))


def relaxations(
    project: Project,
    j: int,
    solver: str = "highs",
    should_cancel: ShouldCancel = None,
    solves: Solves | None = None,
) -> list[Relaxation]:
    """The suggested changes of :func:`suggest`, as a list."""
    return list(suggest(project, j, solver, should_cancel, solves).relaxations)


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
    current = project.budgets()
    if budget.per_year is not None:
        new = [min(max(b, lo), hi) for b, (lo, hi) in zip(current, ranges, strict=True)]
        edits = tuple(
            _relaxation(project, f"budget.per_year[{y}]", float(current[y]), float(v))
            for y, v in enumerate(new)
            if v != current[y]
        )
    else:
        assert budget.first_year is not None  # a project that solves has its grant
        first = float(budget.first_year)
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


def grant_words(
    project: Project, budget_edits: Iterable[Relaxation]
) -> tuple[tuple[int, ...], str]:
    """The grant that would suffice as things stand, per year, and in words: "a grant
    of £760,870 a year, £39,130 a year less than today, would make it solve as it
    stands". ``((), "")`` when there are no budget edits."""
    edits = tuple(budget_edits)
    if not edits:
        return (), ""
    try:
        new = apply_relaxations(project, edits).budgets()
    except ValidationError:
        return (), ""
    today = project.budgets()
    cur = project.currency
    diffs = [n - t for n, t in zip(new, today, strict=True)]
    tail = "would make it solve as it stands"
    uplift = project.budget.annual_uplift
    if project.budget.per_year is None and uplift and len(new) > 1:
        d = diffs[0]
        rising = f"{'rising' if uplift > 0 else 'falling'} {share_words(abs(uplift))} a year"
        return tuple(new), (
            f"a grant of {money(new[0], cur)} in the first year, {rising} as now "
            f"({money(abs(d), cur)} {'more' if d > 0 else 'less'} than today in the first "
            f"year), {tail}"
        )
    if len(set(new)) == 1 and len(set(diffs)) == 1:
        d = diffs[0]
        each = " a year" if len(new) > 1 else ""
        side = "more" if d > 0 else "less"
        return tuple(new), (
            f"a grant of {money(new[0], cur)}{each}, {money(abs(d), cur)}{each} {side} than "
            f"today, {tail}"
        )
    years = project.years
    listed = [f"{money(v, cur)} in {y}" for v, y in zip(new, years, strict=True)]
    shown = ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else listed[0]
    per = "; ".join(
        f"{money(abs(d), cur)} {'more' if d > 0 else 'less'} in {y}"
        for d, y in zip(diffs, years, strict=True)
        if d
    )
    return tuple(new), f"a grant of {shown} ({per} than today) {tail}"


def zero_grants(per_year: Iterable[Iterable[int]], names: Iterable[str]) -> tuple[str, ...]:
    """Names of partners with a year of nothing, in the order given."""
    return tuple(n for n, py in zip(names, per_year, strict=True) if any(v == 0 for v in py))
