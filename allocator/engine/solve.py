"""Solve a project's scenarios: the split, its rounding, checks and explanations.

``solve(project)`` is the one call the command line, the workbook and the desktop
app make. An :class:`Engine` keeps each year's program between calls, so a re-solve
after one edited figure changes bounds in place and starts warm.

One Engine belongs to one thread: it holds solver objects that must not be used from
two threads at once. Engines share nothing, so two threads may each own one and
solve at the same time (the desktop app's worker owns one while the main thread
saves). Nothing process-wide is touched while solving.

``Engine.solve`` never raises for bad input: a project that
:func:`allocator.domain.edits.validate` refuses gives results with status INVALID
and the problems; ``should_cancel`` is polled between years, between leximin rounds
and throughout the search for suggested changes, and a cancelled solve gives results
with status CANCELLED (the engine stays ready for the next solve).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from allocator.domain.edits import project_fingerprint, validate
from allocator.domain.model import Project, Scenario
from allocator.domain.paths import describe_path
from allocator.engine import explain, metrics, relax
from allocator.engine.fairness import leximin_split, size_proportional
from allocator.engine.instances import (
    YearInstance,
    check_scores,
    included_partners,
    year_instances,
    zero_fair_shares,
)
from allocator.engine.program import INF, Round, YearProgram, YearSplit, highs_available
from allocator.engine.result import (
    EXCLUDED,
    LEAD_CAP,
    NEEDS_FLOOR,
    Lines,
    Relaxation,
    ScenarioResult,
    Status,
    partner_result,
)
from allocator.engine.rounding import largest_remainder, shift_for_group
from allocator.errors import Cancelled, Problem, SolverError, ValidationError

__all__ = [
    "Cancelled",
    "Engine",
    "ScenarioResult",
    "Status",
    "check_scores",
    "included_partners",
    "leximin_guided",
    "leximin_rounds",
    "round_split",
    "solve",
    "year_instances",
]

TOL = 1e-7  # share of the distributable budget treated as "at a limit"
DETAILS = ("full", "figures")
ShouldCancel = Callable[[], bool] | None


def _poll(should_cancel: ShouldCancel) -> None:
    if should_cancel is not None and should_cancel():
        raise Cancelled()


# ----------------------------------------------------------------------------------
# Leximin: closed form checked by the program, and the plain rounds
# ----------------------------------------------------------------------------------


def _fix(prog: YearProgram, which: np.ndarray, values_scaled: np.ndarray) -> None:
    cols = np.nonzero(which)[0]
    if len(cols) == 0:
        return
    prog.set_col_bounds(cols, values_scaled[cols], values_scaled[cols])
    lay = prog.layout
    prog.set_row_bounds(lay.level + cols, np.full(len(cols), -INF), np.full(len(cols), INF))


def leximin_guided(
    prog: YearProgram, x: np.ndarray, should_cancel: Callable[[], bool] | None = None
) -> list[Round] | None:
    """Re-derive each water level of the closed-form split with the program.

    One program per distinct level (usually one to three): partners below the level
    are fixed, the program maximises the smallest attainment of the rest. If it
    agrees with the closed form the split is confirmed and the rounds carry the
    duals behind the explanations; if not, None (the caller falls back to the plain
    rounds).
    """
    inst = prog.inst
    D = inst.D
    a = x / inst.tau
    # The water levels (values of partners strictly between their limits) are checked,
    # and so is the lowest value of any partner below its upper limit: a split that
    # left someone at a floor the rules would lift fails that first check. Partners at
    # their upper limit cannot rise, so they are fixed without a round of their own.
    movable = x < inst.hi - TOL * D
    free = movable & (x > inst.lo + TOL * D)
    candidates = np.sort(a[free])
    if movable.any():
        candidates = np.sort(np.append(candidates, a[movable].min()))
    levels: list[float] = []
    for v in candidates:
        if not levels or v > levels[-1] * (1 + 1e-9) + 1e-12:
            levels.append(float(v))
    prog.reset_partner_bounds()
    rounds: list[Round] = []
    scaled = x / D
    fixed = np.zeros(len(x), dtype=bool)
    try:
        for v in levels:
            if should_cancel is not None and should_cancel():
                raise Cancelled()
            below = (a < v * (1 - 1e-9)) & ~fixed
            _fix(prog, below, scaled)
            fixed |= below
            sol = prog.solve()
            if sol.status != "optimal":
                return None
            t = sol.x[prog.layout.t]
            if abs(t - v) > 1e-6 * max(1.0, abs(v)):
                return None
            rounds.append(Round(level=v, free=~fixed, solution=sol))
    finally:
        prog.reset_partner_bounds()
    return rounds


def leximin_rounds(
    prog: YearProgram, should_cancel: Callable[[], bool] | None = None
) -> tuple[np.ndarray, list[Round]] | None:
    """The textbook leximin: maximise the smallest attainment, fix who cannot rise, repeat.

    A level row with a non-zero dual is tight in every optimum (complementary
    slackness), so those partners are fixed at the level; at least one row has one.
    Returns (split in currency, rounds), or None when the first round finds the rules
    cannot be met; a later round without an optimum raises SolverError.
    """
    inst = prog.inst
    lay = prog.layout
    n = lay.n
    tau = inst.tau / inst.D
    prog.reset_partner_bounds()
    fixed = np.zeros(n, dtype=bool)
    values = np.zeros(n)
    rounds: list[Round] = []
    try:
        while not fixed.all():
            if should_cancel is not None and should_cancel():
                raise Cancelled()
            sol = prog.solve()
            if sol.status != "optimal":
                if rounds:
                    # Fixing partners at a level the previous round reached cannot make
                    # the program infeasible: this is the solver's failure, not the rules'.
                    raise SolverError(
                        f"{inst.year}: leximin round {len(rounds) + 1} found no split "
                        "although the round before did"
                    )
                return None
            t = sol.x[lay.t]
            duals = np.abs(sol.row_dual[lay.level : lay.level + n])
            newly = (~fixed) & (duals > 1e-9)
            if not newly.any():
                slack = np.where(fixed, INF, sol.x[:n] - t * tau)
                newly = np.zeros(n, dtype=bool)
                newly[int(np.argmin(slack))] = True
            rounds.append(Round(level=float(t), free=~fixed, solution=sol))
            lo, hi = inst.lo / inst.D, inst.hi / inst.D
            values[newly] = np.clip(t * tau[newly], lo[newly], hi[newly])
            _fix(prog, newly, values)
            fixed |= newly
    finally:
        prog.reset_partner_bounds()
    return values * inst.D, rounds


# ----------------------------------------------------------------------------------
# The engine
# ----------------------------------------------------------------------------------


def _scenario_of(path: str) -> int | None:
    """The scenario a problem's path belongs to ("scenarios[2].ring_fence" -> 2)."""
    if path.startswith("scenarios["):
        head = path[len("scenarios[") :].split("]", 1)[0]
        if head.isdigit():
            return int(head)
    return None


class Engine:
    """Keeps each scenario-year's program so the next solve starts warm.

    One Engine belongs to one thread (see the module notes). ``method``: "fast"
    (closed form confirmed by one program per level, the default) or "rounds" (the
    plain leximin rounds; the reference the tests compare against). ``solver``:
    "highs" (in process) or "cbc" (through PuLP); HiGHS falls back to CBC if it fails.

    The programs kept are those of scenarios (by name) and years the last project
    solved still has; ``forget`` drops more.
    """

    def __init__(self, solver: str | None = None, method: str = "fast"):
        if method not in ("fast", "rounds"):
            raise ValueError(f"unknown method {method!r}: use 'fast' or 'rounds'")
        self.solver = solver or ("highs" if highs_available() else "cbc")
        self.method = method
        self._programs: dict[tuple[str, int, str], YearProgram] = {}
        # validation by the project's fingerprint: undo, redo and a sweep that comes
        # back to a value meet the same project again
        self._checked: OrderedDict[str, list[Problem]] = OrderedDict()
        # whole-unit fair shares and size-proportional splits by their inputs (_units)
        self._unit_cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
        # the partners' figures of the last solve (year_instances' cache)
        self._inst_cache: dict = {}

    def _problems(self, project: Project, fingerprint: str) -> list[Problem]:
        """``validate(project)``, remembered for the last few projects by fingerprint."""
        found = self._checked.get(fingerprint)
        if found is None:
            found = validate(project)
            self._checked[fingerprint] = found
            while len(self._checked) > 8:
                self._checked.popitem(last=False)
        else:
            self._checked.move_to_end(fingerprint)
        return found

    # -- the programs kept between solves ------------------------------------------
    def program(
        self, key_scenario: str, y: int, inst: YearInstance, mode: str = "leximin"
    ) -> YearProgram:
        """The kept program for this scenario-year, updated in place, or a new one."""
        key = (key_scenario, y, mode)
        prog = self._programs.get(key)
        if prog is not None and prog.solver == self.solver and prog.update(inst):
            return prog
        prog = YearProgram(inst, "leximin", self.solver)
        self._programs[key] = prog
        return prog

    def forget(self, scenario_names: Iterable[str]) -> None:
        """Drop the programs kept for these scenarios."""
        gone = set(scenario_names)
        for key in [k for k in self._programs if k[0] in gone]:
            del self._programs[key]

    def _keep_only(self, project: Project) -> None:
        """Bound the kept programs by what the project has: its scenarios and years."""
        names = {s.name for s in project.scenarios}
        for key in list(self._programs):
            if key[0] not in names or key[1] >= project.year_count:
                del self._programs[key]

    # -- solving ---------------------------------------------------------------------
    def solve(
        self,
        project: Project,
        scenarios: Iterable[str] | None = None,
        should_cancel: ShouldCancel = None,
        *,
        fingerprint: str | None = None,
        problems: Sequence[Problem] | None = None,
        detail: str = "full",
    ) -> list[ScenarioResult]:
        """One result per scenario (or per named scenario, in project order).

        Never raises for bad project data (see the module notes); a scenario name the
        project does not have raises ValidationError naming it. A caller that already
        has ``project_fingerprint(project)`` and ``validate(project)`` for this very
        project (the desktop app does, for every edit) may pass them so they are not
        worked out twice.

        ``detail="figures"`` is for many solves whose figures are wanted, not their
        explanations (a sensitivity sweep): the same grants, statuses, limits
        (``limited_by``), binding rules and measures as a full solve, but partners'
        reasons are blank, bindings carry no shadow price or words, an unmet scenario
        gets no suggested changes or alternative grant, and where the closed form is
        exact no program confirms it: budget, floors, caps and ring-fence, and a spread
        limit the split keeps (without a core share it keeps the limit whenever any
        split does: docs/spread-band.md). A year whose split breaks the spread limit
        is settled by the programs, as in a full solve.
        """
        if detail not in DETAILS:
            raise ValueError(f"unknown detail {detail!r}: use 'full' or 'figures'")
        wanted = None if scenarios is None else list(scenarios)
        if wanted is not None:
            for name in wanted:
                project.scenario(name)  # raises a ValidationError naming the scenario
        self._keep_only(project)
        if fingerprint is None:
            fingerprint = project_fingerprint(project)
        if problems is None:
            problems = self._problems(project, fingerprint)
        out: list[ScenarioResult] = []
        todo = [j for j, s in enumerate(project.scenarios) if wanted is None or s.name in wanted]
        for k, j in enumerate(todo):
            try:
                out.append(
                    self._solve_scenario(
                        project, j, should_cancel, fingerprint, problems, detail=detail
                    )
                )
            except Cancelled:
                out += [self._cancelled(project, i, fingerprint) for i in todo[k:]]
                break
        return out

    def solve_scenario(
        self, project: Project, j: int, should_cancel: ShouldCancel = None
    ) -> ScenarioResult:
        """Scenario ``j`` alone (by position)."""
        fingerprint = project_fingerprint(project)
        try:
            return self._solve_scenario(
                project, j, should_cancel, fingerprint, self._problems(project, fingerprint)
            )
        except Cancelled:
            return self._cancelled(project, j, fingerprint)

    def _base(
        self,
        project: Project,
        j: int,
        fingerprint: str,
        status: Status,
        fee: tuple[int, ...] | None = None,
    ) -> ScenarioResult:
        try:
            budget = tuple(project.budgets())
        except ValidationError:  # a blank budget figure: no amounts to show
            budget = ()
        return ScenarioResult(
            name=project.scenarios[j].name,
            index=j,
            status=status,
            message="",
            currency=project.currency,
            years=tuple(project.years),
            budget=budget,
            fee=(0,) * len(budget) if fee is None else fee,
            fingerprint=fingerprint,
            solver=self.solver,
        )

    def _cancelled(self, project: Project, j: int, fingerprint: str) -> ScenarioResult:
        return replace(
            self._base(project, j, fingerprint, Status.CANCELLED),
            message="The solve was stopped before this scenario was finished.",
        )

    def _solve_scenario(
        self,
        project: Project,
        j: int,
        should_cancel: ShouldCancel,
        fingerprint: str,
        problems: Sequence[Problem],
        explain_unmet: bool = True,
        detail: str = "full",
    ) -> ScenarioResult:
        scenario = project.scenarios[j]
        figures = detail == "figures"
        explain_unmet = explain_unmet and not figures
        mine = tuple(p for p in problems if _scenario_of(str(p.path)) in (None, j))
        if not mine:
            # no blank scores (validation would have said): the partners' figures can be
            # read, and are kept for the year instances
            mine = tuple(zero_fair_shares(project, scenario, self._inst_cache))
        if mine:
            words = "; ".join(f"{describe_path(project, p.path)}: {p.message}" for p in mine[:3])
            more = f" (and {len(mine) - 3} more)" if len(mine) > 3 else ""
            return replace(
                self._base(project, j, fingerprint, Status.INVALID),
                message=f"This scenario cannot be solved until the inputs are complete: "
                f"{words}{more}.",
                problems=mine,
            )
        insts = year_instances(project, scenario, self._inst_cache)
        base = self._base(
            project, j, fingerprint, Status.OPTIMAL, fee=tuple(inst.fee for inst in insts)
        )
        findings: list[explain.Finding] = []
        for inst in insts:
            # the spread band's check costs a little more; it runs only when needed
            findings += explain.feasibility_findings(project, scenario, inst, spread=False)
        if findings:
            checks = explain.said_once(findings)
            return self._infeasible(project, j, insts, base, checks, should_cancel, explain_unmet)
        try:
            years = self._solve_years(scenario, insts, should_cancel, figures)
            splits = [s for s in years if s is not None]
            if len(splits) < len(years):
                return self._infeasible(project, j, insts, base, [], should_cancel, explain_unmet)
        except SolverError as exc:
            if self.solver == "highs":
                fallback = Engine(solver="cbc", method=self.method)
                res = fallback._solve_scenario(
                    project, j, should_cancel, fingerprint, problems, explain_unmet, detail
                )
                return replace(res, solver=f"cbc (HiGHS failed: {exc})")
            return replace(base, status=Status.ERROR, message=f"The solver could not finish: {exc}")
        return self._fill(project, scenario, base, splits, figures)

    def _solve_years(
        self,
        scenario: Scenario,
        insts: list[YearInstance],
        should_cancel: ShouldCancel,
        figures: bool = False,
    ) -> list[YearSplit | None]:
        """Each year is its own program, solved one after another.

        Solving two years on two threads was measured slower here (0.56 s against
        0.44 s for 1,000 partners over 5 years): HiGHS's in-process entry point holds
        the interpreter lock while it solves.
        """
        out: list[YearSplit | None] = []
        for y, inst in enumerate(insts):
            _poll(should_cancel)
            out.append(self._solve_year(scenario, y, inst, should_cancel, figures))
        return out

    def _solve_year(
        self,
        scenario: Scenario,
        y: int,
        inst: YearInstance,
        should_cancel: ShouldCancel,
        figures: bool = False,
    ) -> YearSplit | None:
        if figures and self.method == "fast":
            # The closed form is the leximin split itself (water-filling; with a spread
            # limit, whenever it keeps the limit: docs/spread-band.md), and the
            # feasibility checks have passed. The programs would only confirm it and
            # price the constraints. Where it is not known exactly (None: a spread limit
            # it breaks), the programs settle the year as in a full solve.
            x = closed_form(inst)
            if x is not None:
                return YearSplit(inst, x, [])
        prog = self.program(scenario.name, y, inst)
        if self.method == "fast":
            x = closed_form(inst)
            if x is not None:
                rounds = leximin_guided(prog, x, should_cancel)
                if rounds is not None:
                    return YearSplit(inst, x, rounds, row_names=prog.layout.row_names)
        got = leximin_rounds(prog, should_cancel)
        if got is None:
            return None
        return YearSplit(inst, got[0], got[1], row_names=prog.layout.row_names)

    # -- results -------------------------------------------------------------------
    def _units(self, which: str, inst: YearInstance) -> np.ndarray:
        """``fair_share_units(inst)`` ("fair") or ``size_proportional_units(inst)``
        ("size"), remembered for the last few distinct inputs: a sweep of a rule meets
        the same fair shares and budgets step after step."""
        key: tuple[str, bytes, int] | tuple[str, bytes, int, int]
        if which == "fair":
            key = (which, inst.tau.tobytes(), inst.budget, inst.fee)
        else:
            key = (which, inst.cap.tobytes(), inst.budget)
        got = self._unit_cache.get(key)
        if got is None:
            got = fair_share_units(inst) if which == "fair" else size_proportional_units(inst)
            got.setflags(write=False)
            self._unit_cache[key] = got
            while len(self._unit_cache) > 64:
                self._unit_cache.popitem(last=False)
        else:
            self._unit_cache.move_to_end(key)
        return got

    def _fill(
        self,
        project: Project,
        scenario: Scenario,
        base: ScenarioResult,
        splits: list[YearSplit],
        figures: bool = False,
    ) -> ScenarioResult:
        """Whole units, lines, reasons, bindings and measures: the finished result.

        ``figures``: no reasons, and bindings without prices or words (see ``solve``).
        """
        n_years = len(splits)
        n = len(project.partners)
        violations: list[str] = []
        binding = []
        rounded: list[np.ndarray] = []  # per year: whole units of the partners taking part
        reasons_of: list[list[str]] = []  # per year: their limiting reasons
        for split in splits:
            inst = split.inst
            try:
                ints = round_split(split.x, inst)
            except ValueError:
                return replace(
                    base,
                    status=Status.ERROR,
                    message=(
                        f"{inst.year}: the limits leave no way to split the budget in "
                        "whole currency units; widen a floor or capacity by a unit."
                    ),
                )
            violations += check_rounded(ints, inst, project)
            rounded.append(ints)
            if figures:
                reasons, bound = explain.figures_limits(inst, split)
            else:
                reasons = explain.limiting_reasons(inst, split)
                bound = explain.binding_constraints(project, inst, split)
            reasons_of.append(reasons)
            binding += bound
        # The same partners take part in every year: their figures as (partner x year)
        # tables, all years at once, then spread over every partner of the project.
        index = splits[0].inst.index if splits else []
        taking = len(index)

        def table(columns: list[np.ndarray], dtype: type) -> np.ndarray:
            # one column per year (np.array then a transposed view: np.column_stack's
            # figures for less)
            return np.array(columns, dtype=dtype).T if columns else np.zeros((taking, 0), dtype)

        ints = table(rounded, np.int64)
        tau = table([sp.inst.tau for sp in splits], float)
        gap = np.array([1.0 - (project.partners[i].back_office_capacity or 0.0) for i in index])
        rate = scenario.back_office_rate.base + scenario.back_office_rate.uplift * gap
        col = rate[:, None]
        fees = np.array([sp.inst.fee for sp in splits], dtype=np.int64)
        lead_rows = np.array([project.partners[i].lead for i in index], dtype=bool)
        parts = (
            ints,
            tau,
            table([self._units("fair", sp.inst) for sp in splits], np.int64),
            table([self._units("size", sp.inst) for sp in splits], np.int64),
            np.floor(ints * col / (1 + col) + 0.5).astype(np.int64),
            np.floor(ints * scenario.unrestricted_share + 0.5).astype(np.int64),
            np.where(lead_rows[:, None], fees[None, :], 0).astype(np.int64),
        )
        if taking == n and splits:  # everyone takes part (positions in order)
            per_year, fair, fair_units, size, back_office, unrestricted, management = parts
            need_of, rate_of = splits[0].inst.need, rate
        else:
            at = np.asarray(index, dtype=np.int64)
            full = []
            for part in parts:
                whole = np.zeros((n, n_years), dtype=part.dtype)
                whole[at] = part
                full.append(whole)
            per_year, fair, fair_units, size, back_office, unrestricted, management = full
            need_of, rate_of = np.zeros(n), np.zeros(n)
            if splits:
                need_of[at] = splits[0].inst.need
                rate_of[at] = rate
        excluded = (EXCLUDED,) * n_years
        limited = [excluded] * n
        for i, row in zip(index, zip(*reasons_of, strict=True), strict=True):
            limited[i] = row
        included = set(index)
        # attainment as shown: the whole-unit grant over the whole-unit fair share
        with np.errstate(divide="ignore", invalid="ignore"):
            att = np.where(fair_units > 0, per_year / np.where(fair_units > 0, fair_units, 1), 0.0)
        delivery = per_year - back_office
        # one tuple per partner and table (map and tuple over plain lists: a sweep builds
        # these for every partner at every step)
        rows = [
            list(map(tuple, a.tolist()))
            for a in (per_year, fair, fair_units, size, att, delivery, back_office, management)
        ]
        py_r, fs_r, fu_r, sp_r, at_r, de_r, bo_r, ma_r = rows
        un_r = list(map(tuple, unrestricted.tolist()))
        needs, rates = need_of.tolist(), rate_of.tolist()
        distributable = base.distributable
        partners = []
        for i, p in enumerate(project.partners):
            pr = partner_result(
                id=p.id,
                name=p.name,
                index=i,
                lead=p.lead,
                by_and_for=p.by_and_for,
                included=i in included,
                need=needs[i],
                per_year=py_r[i],
                fair_share=fs_r[i],
                attainment_per_year=at_r[i],
                limited_by_per_year=limited[i],
                lines=Lines(
                    delivery=de_r[i],
                    back_office=bo_r[i],
                    management=ma_r[i],
                    unrestricted=un_r[i],
                ),
                back_office_rate=rates[i],
                size_proportional=sp_r[i],
                reason="",
                fair_share_units=fu_r[i],
            )
            if not figures:
                # the reason reads the finished figures; set once, before anyone sees it
                object.__setattr__(
                    pr,
                    "reason",
                    explain.partner_reason(
                        project, scenario, pr, base.years, distributable, len(included)
                    ),
                )
            partners.append(pr)
        result = replace(
            base,
            partners=tuple(partners),
            binding=tuple(binding),
            method=explain.method_words(scenario, self.method),
        )
        m = metrics.compute(result)
        if violations:
            return replace(
                result,
                metrics=m,
                status=Status.ERROR,
                message="The rounded split breaks a rule: " + "; ".join(violations),
            )
        # the result is new and nobody has seen it yet: its measures and message are set
        # in place (a sweep makes one at every step)
        object.__setattr__(result, "metrics", m)
        object.__setattr__(
            result, "message", explain.summary_message(project, result.partners, base.budget, m)
        )
        return result

    def _infeasible(
        self,
        project: Project,
        j: int,
        insts: list[YearInstance],
        base: ScenarioResult,
        checks: list[str],
        should_cancel: ShouldCancel,
        explain_unmet: bool = True,
    ) -> ScenarioResult:
        """Why the scenario cannot be met, and what would make it solve."""
        scenario = project.scenarios[j]
        if not checks:
            # a finding that holds in several years is said once, with its years
            findings: list[explain.Finding] = []
            for inst in insts:
                findings += explain.feasibility_findings(project, scenario, inst)
            checks = explain.said_once(findings)
        result = replace(base, status=Status.INFEASIBLE, checks=tuple(checks))
        head = "The rules of this scenario cannot all be met." if not checks else checks[0]
        if not explain_unmet:
            return replace(result, message=head)
        _poll(should_cancel)
        notes: list[str] = []
        blocking: tuple[Relaxation, ...] = ()
        try:
            got = relax.suggest(
                project, j, self.solver, should_cancel, lambda p: self._solves(p, j, should_cancel)
            )
            found, blocking = got.relaxations, got.blocking
        except SolverError as exc:  # pragma: no cover - solver library failure
            found = ()
            notes.append(f"No suggestions could be computed: {exc}")
        try:
            alternative, budget_edits = relax.budget_alternative(
                project, j, insts, self.solver, should_cancel
            )
        except SolverError as exc:  # pragma: no cover - solver library failure
            alternative, budget_edits = None, ()
            notes.append(f"No alternative grant could be computed: {exc}")
        after = self._after(project, j, found, should_cancel) if found else None
        per_year, budget_words = relax.grant_words(project, budget_edits)
        tail = (
            " Suggested changes that together would make it solve: "
            + "; ".join(r.explanation for r in found)
            + "."
            if found
            else ""
        )
        if blocking:
            tail += (
                " No change to floors or the fee helps: "
                + "; ".join(r.explanation for r in blocking)
                + "."
            )
        if budget_words:
            tail += f" Or, {budget_words}."
        return replace(
            result,
            checks=tuple(checks) + tuple(notes),
            relaxations=found,
            blocking=blocking,
            budget_alternative=alternative,
            budget_edits=budget_edits,
            budget_alternative_per_year=per_year,
            budget_words=budget_words,
            after_relaxations_zero=after.zero if after else (),
            after_relaxations_min_attainment=after.min_attainment if after else None,
            after_relaxations_by_and_for_share=after.by_and_for_share if after else None,
            message=head + tail,
        )

    def _shadow(
        self, project: Project, j: int, should_cancel: ShouldCancel
    ) -> ScenarioResult | None:
        """Scenario ``j`` of a changed project solved for figures, or None if it does
        not solve (the suggestions' own programs are kept apart from the scenario's)."""
        problems = validate(project)
        shadow = Engine(solver=self.solver, method=self.method)
        res = shadow._solve_scenario(project, j, should_cancel, "", problems, explain_unmet=False)
        return res if res.status == Status.OPTIMAL else None

    def _solves(self, project: Project, j: int, should_cancel: ShouldCancel) -> bool:
        return self._shadow(project, j, should_cancel) is not None

    def _after(
        self, project: Project, j: int, found: tuple, should_cancel: ShouldCancel
    ) -> _After | None:
        """The split once the suggested changes are made: who would get nothing in
        some year, its smallest attainment and the by-and-for share."""
        try:
            fixed = relax.apply_relaxations(project, found)
        except ValidationError:
            return None
        res = self._shadow(fixed, j, should_cancel)
        if res is None:
            return None
        zero = relax.zero_grants(
            (p.per_year for p in res.partners if p.included),
            (p.name for p in res.partners if p.included),
        )
        return _After(zero, res.metrics.min_attainment, res.metrics.by_and_for_share)


@dataclass(frozen=True)
class _After:
    zero: tuple[str, ...]
    min_attainment: float
    by_and_for_share: float


def closed_form(inst: YearInstance) -> np.ndarray | None:
    """The leximin split without a program, or None where it is not known exactly.

    The split without the spread limit (water-filling, with the ring-fence's two
    levels) is the leximin split of budget, floors, caps and ring-fence. With a spread
    limit it is returned when it keeps the limit, and it is then the leximin split
    with the limit too (the split of a larger set of rules that keeps the extra one).
    When fair shares follow need alone (no core share) that is exact in both
    directions: the split without the limit has both the highest smallest and the
    lowest largest attainment any split has, so if it breaks the limit every split
    does, and the year cannot be met (docs/spread-band.md). With a core share the limit
    bounds funding per unit of need rather than attainment; None then leaves the year
    to the program's rounds.
    """
    x = leximin_split(inst.tau, inst.lo, inst.hi, inst.bf, inst.ring, inst.D, None)
    if inst.k is None:
        return x
    per_need = x / inst.spread_dir
    if per_need.max() <= inst.k * per_need.min() * (1 + 1e-9):
        return x
    return None


def fair_share_units(inst: YearInstance) -> np.ndarray:
    """Fair shares in whole units, summing to the distributable budget.

    Rounded by the largest remainder with the same rule as the size-proportional
    reference, so that where the fair shares are that split (capacity basis, no
    weights, no core share, no fee) the two agree to the unit.
    """
    return largest_remainder(inst.tau, int(inst.budget - inst.fee))


def size_proportional_units(inst: YearInstance) -> np.ndarray:
    """The size-proportional split of the year's whole grant ``B_y`` (fee included), in
    whole units: proportional to capacity, no one above its capacity, rounded by the
    largest remainder. Compared with what each partner receives, its fee included."""
    ref = size_proportional(inst.cap, float(inst.budget))
    total = int(round(min(inst.budget, inst.cap.sum())))
    return largest_remainder(ref, total, np.zeros_like(ref), inst.cap)


def round_split(x: np.ndarray, inst: YearInstance) -> np.ndarray:
    """Whole units that sum exactly to the distributable budget and keep every limit."""
    D = int(inst.budget - inst.fee)
    # Ties between equal remainders go to the lower attainment; attainments equal to
    # nine digits count as equal, so floating-point noise never decides a unit.
    att = np.round(x / np.where(inst.tau > 0, inst.tau, 1.0), 9)
    if inst.ring > 0 and inst.bf.any() and not inst.bf.all():
        grouped = _round_ring_fenced(x, inst, D, att)
        if grouped is not None:
            return grouped
    ints = _round_within(x, D, inst.lo, inst.hi, inst.lo_kind, inst.hi_kind, att)
    if inst.ring > 0:
        ints = shift_for_group(ints, x, inst.bf, inst.ring, inst.lo, inst.hi)
    return ints


def _round_within(
    x: np.ndarray,
    total: int,
    lo: np.ndarray,
    hi: np.ndarray,
    lo_kind: Sequence[str],
    hi_kind: Sequence[str],
    att: np.ndarray,
) -> np.ndarray:
    """Largest remainder within the limits; a needs floor or lead cap is a share, so it
    can fall inside one unit of another limit: round those the other way (by less than
    one unit) rather than fail. Raises ValueError when even that leaves no split."""
    try:
        return largest_remainder(x, total, lo, hi, priority=att)
    except ValueError:
        lo = np.where([k == NEEDS_FLOOR for k in lo_kind], np.floor(lo + 1e-6), lo)
        hi = np.where([k == LEAD_CAP for k in hi_kind], np.ceil(hi - 1e-6), hi)
        return largest_remainder(x, total, lo, hi, priority=att)


def _round_ring_fenced(
    x: np.ndarray, inst: YearInstance, total: int, att: np.ndarray
) -> np.ndarray | None:
    """The ring-fenced group rounded as a whole first, then each side within itself
    (MODEL.md, "Rounding"), so that rounding every partner on its own never leaves the
    by-and-for partners a unit short while a needs floor elsewhere takes that unit.

    The group's total is its own figure rounded, raised to the ring-fence's whole units;
    one unit less is tried only while it still keeps the ring-fence within one unit.
    None when no group total gives a split within the limits (the caller then rounds
    partner by partner).
    """
    bf = inst.bf
    rest = ~bf
    want = math.ceil(inst.ring - 1e-6)
    first = max(want, int(np.floor(float(x[bf].sum()) + 0.5)))
    candidates = [first, first + 1]
    if first - 1 > inst.ring - 1 + 1e-6:
        candidates.insert(1, first - 1)
    lo_kind = np.asarray(inst.lo_kind, dtype=object)
    hi_kind = np.asarray(inst.hi_kind, dtype=object)
    for g in candidates:
        if g < 0 or g > total:
            continue
        try:
            inside = _round_within(
                x[bf], g, inst.lo[bf], inst.hi[bf], lo_kind[bf], hi_kind[bf], att[bf]
            )
            outside = _round_within(
                x[rest],
                total - g,
                inst.lo[rest],
                inst.hi[rest],
                lo_kind[rest],
                hi_kind[rest],
                att[rest],
            )
        except ValueError:
            continue
        ints = np.zeros(len(x), dtype=np.int64)
        ints[bf] = inside
        ints[rest] = outside
        return ints
    return None


def check_rounded(ints: np.ndarray, inst: YearInstance, project: Project) -> list[str]:
    """Every rule, re-checked on the whole-unit figures that are reported."""
    out = []
    year = inst.year
    if int(ints.sum()) + inst.fee != inst.budget:
        out.append(f"{year}: the figures add up to {int(ints.sum()) + inst.fee}, not {inst.budget}")
    # capacities and floors are kept exactly; share-based limits to within one unit (a
    # figure within the exact limits keeps the looser ones too, so only those outside
    # are looked at one by one)
    outside = (ints > inst.hi + 1e-6) | (ints < inst.lo - 1e-6)
    for k in np.nonzero(outside)[0].tolist():
        name = project.partners[inst.index[k]].name
        up = 1.0 - 1e-6 if inst.hi_kind[k] == LEAD_CAP else 1e-6
        down = 1.0 - 1e-6 if inst.lo_kind[k] == NEEDS_FLOOR else 1e-6
        if ints[k] > inst.hi[k] + up:
            out.append(f"{year}: {name} is above its {inst.hi_kind[k]}")
        if ints[k] < inst.lo[k] - down:
            out.append(f"{year}: {name} is below its {inst.lo_kind[k]}")
    # A ring-fence is a share of the budget, so it may land a fraction of a unit short
    # when the lead cap or capacities leave no whole unit to move (never a whole unit).
    if inst.ring > 0 and ints[inst.bf].sum() <= inst.ring - 1 + 1e-6:
        out.append(f"{year}: by-and-for partners are below the ring-fence")
    if inst.k is not None and len(ints) > 1:
        # one whole unit of rounding either way is allowed
        hi_att = (ints - 1) / inst.need
        lo_att = (ints + 1) / inst.need
        if hi_att.max() > inst.k * lo_att.min() * (1 + 1e-9):
            out.append(f"{year}: the spread limit is broken")
    return out


def solve(
    project: Project,
    scenarios: Iterable[str] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    solver: str | None = None,
    method: str = "fast",
) -> list[ScenarioResult]:
    """Solve every scenario (or the named ones) of ``project``."""
    return Engine(solver=solver, method=method).solve(project, scenarios, should_cancel)
