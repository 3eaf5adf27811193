"""The linear program for one year, stated once with stable names, solved warm.

Every constraint lives inside one year, so each year is its own small program.
A :class:`YearProgram` builds the matrix once from arrays, hands it to HiGHS in
process, and later changes only bounds and coefficients in place: a leximin round,
or a re-solve after one edited figure, is a warm start rather than a rebuild.
When HiGHS is unavailable or fails, the same program is stated with PuLP and
solved by CBC (slower: rebuilt each time, but the same names and the same answer).

Money is scaled by the year's distributable budget ``D`` (so ``x`` is a share of it)
to keep every figure near 1, where solver tolerances mean what they say.

Names (stable, built from partner ids, never from names):
columns ``x[<id>]``, ``t`` (the leximin level), ``L``/``U`` (spread band), ``D`` (the
distributable budget, in the budget program only); rows ``budget``, ``ring_fence``,
``spread_low[<id>]``, ``spread_high[<id>]``, ``spread``, ``level[<id>]``.
Bounds on ``x`` carry the floor / needs floor and the capacity / lead cap.

Nothing here touches process-wide state: each program owns its HiGHS object, silenced
through HiGHS's own options before it can print, so one engine per thread is safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from allocator.engine.instances import YearInstance
from allocator.errors import SolverError

#: HiGHS keeps one task scheduler for the whole process, and destroying any instance
#: resets it; creating, running and freeing instances therefore take turns across
#: threads (each engine still belongs to one thread; this only keeps two engines on
#: two threads, such as the app's solver and a sweep, from tripping each other).
HIGHS_LOCK = threading.RLock()

__all__ = [
    "INF",
    "LPSolution",
    "Round",
    "YearInstance",
    "YearProgram",
    "YearSplit",
    "highs_available",
]

INF = float("inf")


@dataclass
class LPSolution:
    status: str  # "optimal" or "infeasible"
    x: np.ndarray  # column values
    row_dual: np.ndarray
    col_dual: np.ndarray
    objective: float


@dataclass
class Round:
    """One leximin round: the level reached and the duals that explain it."""

    level: float
    free: np.ndarray  # partners not yet fixed when the round ran
    solution: LPSolution


@dataclass
class YearSplit:
    """One year's continuous split and the program rounds that confirm and explain it."""

    inst: YearInstance
    x: np.ndarray  # continuous, currency
    rounds: list[Round]
    row_names: list[str] = field(default_factory=list)  # the program's rows, for duals


@dataclass
class _Layout:
    n: int
    col_names: list[str] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    t: int = -1
    L: int = -1
    U: int = -1
    D: int = -1
    ring_row: int = -1
    spread_low: int = -1  # first spread_low row
    spread_high: int = -1
    spread_row: int = -1
    level: int = -1  # first level row


MODES = ("leximin", "elastic", "budget")


class YearProgram:
    """One year's program, built once.

    ``mode``: "leximin" (maximise the smallest attainment; re-solved warm round after
    round), "elastic" (every limit gets a priced slack: the smallest relaxations) or
    "budget" (the distributable budget is a variable: the least and the most that
    the rules of the year can take, everything else as it stands).
    """

    def __init__(
        self, inst: YearInstance, mode: str, solver: str = "highs", capacity_cost: float = 1.0
    ):
        if mode not in MODES:
            raise ValueError(f"unknown program mode {mode!r}")
        self.inst = inst
        self.mode = mode
        self.solver = solver
        self.capacity_cost = capacity_cost  # elastic only: price of raising a capacity
        self._build()
        self._highs = None
        if solver == "highs":
            with HIGHS_LOCK:
                self._highs = _make_highs()
                if mode != "leximin":
                    # solved cold once or twice: presolve pays for itself there
                    self._highs.setOptionValue("presolve", "on")
                self._pass()

    def __del__(self) -> None:
        # HiGHS resets a scheduler shared by every instance in the process when one is
        # destroyed, which crashes a solve running meanwhile on another thread; so an
        # instance is freed only while no other one is being made or run.
        highs = getattr(self, "_highs", None)
        if highs is not None:
            with HIGHS_LOCK:
                self._highs = None
                del highs

    # -- the matrix ---------------------------------------------------------------
    # Rows are kept in compressed form (``starts``, ``index``, ``value``: row r holds
    # columns ``index[starts[r]:starts[r + 1]]``), which is what HiGHS takes.

    @property
    def rows(self) -> tuple[list[list[int]], list[list[float]]]:
        """The rows as lists of (columns, coefficients), one pair of lists per row."""
        st, ix, va = self.starts, self.index, self.value
        idx = [ix[st[r] : st[r + 1]].tolist() for r in range(len(st) - 1)]
        val = [va[st[r] : st[r + 1]].tolist() for r in range(len(st) - 1)]
        return idx, val

    def _set_rows(self, a_idx: list[list[int]], a_val: list[list[float]]) -> None:
        starts = np.zeros(len(a_idx) + 1, dtype=np.int32)
        starts[1:] = np.cumsum([len(r) for r in a_idx])
        self.starts = starts
        self.index = np.fromiter((j for r in a_idx for j in r), dtype=np.int32, count=starts[-1])
        self.value = np.fromiter((v for r in a_val for v in r), dtype=float, count=starts[-1])

    def _build(self) -> None:
        """The elastic and budget programs (solved cold, once or twice each)."""
        if self.mode == "leximin":
            self._build_leximin()
            return
        inst, mode = self.inst, self.mode
        n = len(inst.ids)
        D = inst.D
        tau = inst.tau / D
        lay = _Layout(n=n)
        cols_lo: list[float] = []
        cols_hi: list[float] = []
        cost: list[float] = []
        names = lay.col_names
        for i, pid in enumerate(inst.ids):
            names.append(f"x[{pid}]")
            if mode == "elastic":
                cols_lo.append(0.0)
                cols_hi.append(INF)
            else:
                # the limits that scale with the budget become rows below
                cols_lo.append(inst.floor[i] / D)
                cols_hi.append(inst.cap[i] / D)
            cost.append(0.0)
        if mode == "budget":
            lay.D = len(names)
            names.append("D")
            cols_lo.append(0.0)
            cols_hi.append(INF)
            cost.append(1.0)  # least budget first; ``budget_range`` flips it for the most
        if inst.k is not None:
            lay.L = len(names)
            names.append("L")
            cols_lo.append(0.0)
            cols_hi.append(INF)
            cost.append(0.0)
            lay.U = len(names)
            names.append("U")
            cols_lo.append(0.0)
            cols_hi.append(INF)
            cost.append(0.0)
        # Elastic columns: one slack per relaxable limit, all in shares of D.
        self.elastic: dict[int, tuple[str, int | None]] = {}
        if mode == "elastic":

            def slack(kind: str, i: int | None) -> int:
                j = len(names)
                names.append(f"relax_{kind}" + (f"[{inst.ids[i]}]" if i is not None else ""))
                cols_lo.append(0.0)
                cols_hi.append(INF)
                cost.append(self.capacity_cost if kind == "capacity" else 1.0)
                self.elastic[j] = (kind, i)
                return j

        rows_lo: list[float] = []
        rows_hi: list[float] = []
        a_idx: list[list[int]] = []
        a_val: list[list[float]] = []
        rnames = lay.row_names

        def row(name: str, idx: list[int], val: list[float], lo: float, hi: float) -> int:
            rnames.append(name)
            a_idx.append(idx)
            a_val.append(val)
            rows_lo.append(lo)
            rows_hi.append(hi)
            return len(rnames) - 1

        if mode == "budget":
            row("budget", [*range(n), lay.D], [1.0] * n + [-1.0], 0.0, 0.0)
        else:
            row("budget", list(range(n)), [1.0] * n, 1.0, 1.0)
        if inst.ring > 0:
            bf = [i for i in range(n) if inst.bf[i]]
            idx, val = list(bf), [1.0] * len(bf)
            if mode == "elastic":
                idx.append(slack("ring_fence", None))
                val.append(1.0)
            if mode == "budget":
                lay.ring_row = row("ring_fence", [*idx, lay.D], [*val, -inst.rho], 0.0, INF)
            else:
                lay.ring_row = row("ring_fence", idx, val, inst.ring / D, INF)
        if inst.k is not None:
            # funding per unit of need within [L, U]: x / (need share), which is
            # attainment when fair shares follow need alone (no core share)
            nu = inst.spread_dir
            lay.spread_low = len(rnames)
            for i, pid in enumerate(inst.ids):
                row(f"spread_low[{pid}]", [i, lay.L], [1.0, -nu[i]], 0.0, INF)
            lay.spread_high = len(rnames)
            for i, pid in enumerate(inst.ids):
                row(f"spread_high[{pid}]", [i, lay.U], [1.0, -nu[i]], -INF, 0.0)
            idx, val = [lay.U, lay.L], [1.0, -inst.k]
            if mode == "elastic":
                idx.append(slack("spread", None))
                val.append(-1.0)
            lay.spread_row = row("spread", idx, val, -INF, 0.0)
        if mode == "budget":
            for i, pid in enumerate(inst.ids):
                if inst.alpha > 0:
                    row(f"needs_floor[{pid}]", [i, lay.D], [1.0, -inst.alpha * tau[i]], 0.0, INF)
                if inst.lead[i] and inst.lam is not None:
                    row(f"lead_cap[{pid}]", [i, lay.D], [1.0, -inst.lam], -INF, 0.0)
        if mode == "elastic":
            # Lower limits (floor, needs floor) and upper limits (capacity, lead cap),
            # each with its own slack so the suggestion names the limit to move.
            for i, pid in enumerate(inst.ids):
                if inst.floor[i] > 0:
                    row(f"floor[{pid}]", [i, slack("floor", i)], [1.0, 1.0], inst.floor[i] / D, INF)
                if inst.alpha > 0:
                    row(
                        f"needs_floor[{pid}]",
                        [i, slack("needs_floor", i)],
                        [1.0, 1.0],
                        inst.alpha * tau[i],
                        INF,
                    )
                row(
                    f"capacity[{pid}]",
                    [i, slack("capacity", i)],
                    [1.0, -1.0],
                    -INF,
                    inst.cap[i] / D,
                )
                if inst.lead[i] and inst.lam is not None:
                    row(f"lead_cap[{pid}]", [i, slack("lead_cap", i)], [1.0, -1.0], -INF, inst.lam)
        self.layout = lay
        self.col_lo = np.array(cols_lo)
        self.col_hi = np.array(cols_hi)
        self.cost = np.array(cost)
        self.row_lo = np.array(rows_lo)
        self.row_hi = np.array(rows_hi)
        self._set_rows(a_idx, a_val)

    def _build_leximin(self, same_partners: bool = False) -> None:
        """The leximin program from arrays: the program re-solved round after round.

        Rows, in order: ``budget``; ``ring_fence`` (when set); ``spread_low[<id>]``,
        ``spread_high[<id>]``, ``spread`` (when set); ``level[<id>]``. Columns: ``x``,
        ``t``, then ``L`` and ``U`` (when a spread limit is set). ``same_partners``: the
        partners and the rules switched on are those of the last build (an update), so
        the names are kept.
        """
        inst = self.inst
        n = len(inst.ids)
        D = inst.D
        tau = inst.tau / D
        ids = inst.ids
        old = self.layout if same_partners else None
        lay = _Layout(n=n)
        lay.col_names = old.col_names if old else [f"x[{pid}]" for pid in ids] + ["t"]
        lay.t = n
        col_lo = [inst.lo / D, [-INF]]
        col_hi = [inst.hi / D, [INF]]
        cost = [np.zeros(n), [-1.0]]
        spread = inst.k  # the spread limit, when one is set
        if spread is not None:
            lay.L, lay.U = n + 1, n + 2
            if not old:
                lay.col_names += ["L", "U"]
            col_lo.append([0.0, 0.0])
            col_hi.append([INF, INF])
            cost.append([0.0, 0.0])
        x = np.arange(n, dtype=np.int32)
        names = ["budget"]
        lengths = [np.array([n])]
        index = [x]
        value = [np.ones(n)]
        row_lo: list[np.ndarray | list[float]] = [[1.0]]
        row_hi: list[np.ndarray | list[float]] = [[1.0]]
        if inst.ring > 0:
            bf = x[inst.bf]
            lay.ring_row = len(names)
            names.append("ring_fence")
            lengths.append(np.array([len(bf)]))
            index.append(bf)
            value.append(np.ones(len(bf)))
            row_lo.append([inst.ring / D])
            row_hi.append([INF])
        if spread is not None:
            # funding per unit of need within [L, U]: x / (need share), which is
            # attainment when fair shares follow need alone (no core share)
            nu = inst.spread_dir
            two = np.full(n, 2)
            for first, band, lo_, hi_, kind in (
                ("spread_low", lay.L, 0.0, INF, "low"),
                ("spread_high", lay.U, -INF, 0.0, "high"),
            ):
                if kind == "low":
                    lay.spread_low = len(names)
                else:
                    lay.spread_high = len(names)
                if not old:
                    names += [f"{first}[{pid}]" for pid in ids]
                else:
                    names += old.row_names[len(names) : len(names) + n]
                lengths.append(two)
                index.append(np.column_stack([x, np.full(n, band, dtype=np.int32)]).ravel())
                value.append(np.column_stack([np.ones(n), -nu]).ravel())
                row_lo.append(np.full(n, lo_))
                row_hi.append(np.full(n, hi_))
            lay.spread_row = len(names)
            names.append("spread")
            lengths.append(np.array([2]))
            index.append(np.array([lay.U, lay.L], dtype=np.int32))
            value.append(np.array([1.0, -spread]))
            row_lo.append([-INF])
            row_hi.append([0.0])
        lay.level = len(names)
        names += old.row_names[len(names) :] if old else [f"level[{pid}]" for pid in ids]
        lengths.append(np.full(n, 2))
        index.append(np.column_stack([x, np.full(n, lay.t, dtype=np.int32)]).ravel())
        value.append(np.column_stack([np.ones(n), -tau]).ravel())
        row_lo.append(np.zeros(n))
        row_hi.append(np.full(n, INF))
        lay.row_names = names
        self.layout = lay
        self.elastic = {}
        self.col_lo = np.concatenate([np.asarray(c, dtype=float) for c in col_lo])
        self.col_hi = np.concatenate([np.asarray(c, dtype=float) for c in col_hi])
        self.cost = np.concatenate([np.asarray(c, dtype=float) for c in cost])
        self.row_lo = np.concatenate([np.asarray(r, dtype=float) for r in row_lo])
        self.row_hi = np.concatenate([np.asarray(r, dtype=float) for r in row_hi])
        starts = np.zeros(len(names) + 1, dtype=np.int32)
        np.cumsum(np.concatenate(lengths), out=starts[1:])
        self.starts = starts
        self.index = np.concatenate(index).astype(np.int32)
        self.value = np.concatenate(value).astype(float)

    def _pass(self) -> None:
        import highspy

        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lo)
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.col_lo
        lp.col_upper_ = self.col_hi
        lp.row_lower_ = self.row_lo
        lp.row_upper_ = self.row_hi
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = self.starts
        lp.a_matrix_.index_ = self.index
        lp.a_matrix_.value_ = self.value
        assert self._highs is not None, "only a HiGHS program is passed to HiGHS"
        self._highs.passModel(lp)

    # -- changes in place ------------------------------------------------------------
    def set_col_bounds(self, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        self.col_lo[cols] = lo
        self.col_hi[cols] = hi
        if self._highs is not None and len(cols):
            self._highs.changeColsBounds(
                len(cols),
                np.asarray(cols, dtype=np.int32),
                np.asarray(lo, float),
                np.asarray(hi, float),
            )

    def set_row_bounds(self, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        self.row_lo[rows] = lo
        self.row_hi[rows] = hi
        if self._highs is not None and len(rows):
            self._highs.changeRowsBounds(
                len(rows),
                np.asarray(rows, dtype=np.int32),
                np.asarray(lo, float),
                np.asarray(hi, float),
            )

    def reset_partner_bounds(self) -> None:
        """Back to the instance's own limits (undo any fixing done by leximin rounds)."""
        n = self.layout.n
        cols = np.arange(n)
        self.set_col_bounds(cols, self.inst.lo / self.inst.D, self.inst.hi / self.inst.D)
        if self.layout.level >= 0:
            self.set_row_bounds(
                np.arange(self.layout.level, self.layout.level + n), np.zeros(n), np.full(n, INF)
            )

    def update(self, inst: YearInstance) -> bool:
        """Take new figures for the same partners and the same active rules, in place.

        Bounds and changed coefficients go to HiGHS without rebuilding its model, so
        the next solve starts warm. Returns False when the structure differs (other
        partners, or a rule switched on or off) and a new program is needed.
        """
        old = self.inst
        same = (
            old.ids == inst.ids
            and (old.ring > 0) == (inst.ring > 0)
            and (old.k is None) == (inst.k is None)
            and self.mode == "leximin"
            and np.array_equal(old.bf, inst.bf)
        )
        if not same:
            return False
        old_value = self.value
        self.inst = inst
        self._build_leximin(same_partners=True)
        if self._highs is None:
            return True
        h = self._highs
        ncol, nrow = len(self.cost), len(self.row_lo)
        h.changeColsBounds(ncol, np.arange(ncol, dtype=np.int32), self.col_lo, self.col_hi)
        h.changeRowsBounds(nrow, np.arange(nrow, dtype=np.int32), self.row_lo, self.row_hi)
        # the same rows and columns: only changed coefficients go to HiGHS
        changed = np.nonzero(self.value != old_value)[0]
        if len(changed):
            row_of = np.repeat(np.arange(nrow), np.diff(self.starts))
            for pos in changed.tolist():
                h.changeCoeff(int(row_of[pos]), int(self.index[pos]), float(self.value[pos]))
        return True

    def even_out(self, first: LPSolution) -> LPSolution:
        """Second stage of the elastic program, so a suggestion shares the pain.

        Many sets of relaxations cost the same total (cutting one floor to nothing, or
        every floor by a quarter); among those cheapest ones, take the one whose largest
        cut, as a share of the limit it cuts, is smallest.
        """
        assert self.mode == "elastic"
        inst = self.inst
        D = inst.D
        old_cost = self.cost.copy()
        total = float(old_cost @ first.x)
        z = len(old_cost)
        self.layout.col_names.append("relax_share")
        self.col_lo = np.append(self.col_lo, 0.0)
        self.col_hi = np.append(self.col_hi, INF)
        self.cost = np.zeros(z + 1)
        self.cost[z] = 1.0
        a_idx, a_val = self.rows
        cols = [j for j in range(z) if old_cost[j] != 0]
        a_idx.append(cols)
        a_val.append([float(old_cost[j]) for j in cols])
        self.row_lo = np.append(self.row_lo, -INF)
        self.row_hi = np.append(self.row_hi, total * (1 + 1e-7) + 1e-12)
        self.layout.row_names.append("relax_total")
        for j, (kind, i) in self.elastic.items():
            if kind == "floor":
                ref = inst.floor[i] / D
            elif kind == "capacity":
                ref = inst.cap[i] / D
            elif kind == "needs_floor":
                ref = inst.alpha * inst.tau[i] / D
            else:
                continue
            a_idx.append([j, z])
            a_val.append([1.0, -float(ref)])
            self.row_lo = np.append(self.row_lo, -INF)
            self.row_hi = np.append(self.row_hi, 0.0)
            self.layout.row_names.append(f"relax_share[{self.layout.col_names[j]}]")
        self._set_rows(a_idx, a_val)
        if self._highs is not None:
            self._pass()
        second = self.solve()
        return second if second.status == "optimal" else first

    def set_cost(self, col: int, value: float) -> None:
        """Change one column's objective coefficient in place."""
        self.cost[col] = value
        if self._highs is not None:
            self._highs.changeColCost(int(col), float(value))

    # -- solving ---------------------------------------------------------------------
    def solve(self) -> LPSolution:
        if self._highs is not None:
            try:
                return self._solve_highs()
            except SolverError:
                raise
            except Exception as exc:  # pragma: no cover - solver library failure
                raise SolverError(f"HiGHS failed: {exc}") from exc
        return self._solve_cbc()

    def _solve_highs(self) -> LPSolution:
        with HIGHS_LOCK:
            return self._solve_highs_locked()

    def _solve_highs_locked(self) -> LPSolution:
        import highspy

        h = self._highs
        assert h is not None, "only a HiGHS program is solved by HiGHS"
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # A warm start can stop without an answer ("Unknown") where a cold start
            # does not, and a warm "infeasible" deserves the same second look before it
            # is believed: forget the basis and solve again from scratch.
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        # These programs are bounded (every grant is capped), so "unbounded or
        # infeasible" can only mean infeasible.
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            m = len(self.row_lo)
            return LPSolution(
                "infeasible",
                np.zeros(len(self.cost)),
                np.zeros(m),
                np.zeros(len(self.cost)),
                float("nan"),
            )
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(
                "HiGHS stopped without an optimum, even from a cold start "
                f"({h.modelStatusToString(status)})"
            )
        sol = h.getSolution()
        return LPSolution(
            "optimal",
            np.array(sol.col_value),
            np.array(sol.row_dual),
            np.array(sol.col_dual),
            h.getInfo().objective_function_value,
        )

    def _solve_cbc(self) -> LPSolution:
        import pulp

        prob = pulp.LpProblem("fairshare_year", pulp.LpMinimize)
        names = self.layout.col_names
        xs = []
        for j, nm in enumerate(names):
            lo = None if self.col_lo[j] == -INF else float(self.col_lo[j])
            hi = None if self.col_hi[j] == INF else float(self.col_hi[j])
            xs.append(prob.add_variable(_safe(nm), lo, hi))
        prob += pulp.lpSum(float(c) * xs[j] for j, c in enumerate(self.cost) if c)
        a_idx, a_val = self.rows
        cons: list[pulp.LpConstraint | None] = []
        for r, nm in enumerate(self.layout.row_names):
            expr = pulp.lpSum(v * xs[j] for j, v in zip(a_idx[r], a_val[r], strict=True))
            lo, hi = self.row_lo[r], self.row_hi[r]
            if lo == hi:
                c = expr == float(lo)
            elif lo > -INF and hi < INF:
                prob += expr <= float(hi), _safe(nm) + "_hi"
                c = expr >= float(lo)
            elif lo > -INF:
                c = expr >= float(lo)
            elif hi < INF:
                c = expr <= float(hi)
            else:
                cons.append(None)
                continue
            prob += c, _safe(nm)
            cons.append(c)
        status = prob.solve(_cbc())
        if pulp.LpStatus[status] == "Infeasible":
            return LPSolution(
                "infeasible",
                np.zeros(len(names)),
                np.zeros(len(cons)),
                np.zeros(len(names)),
                float("nan"),
            )
        if pulp.LpStatus[status] != "Optimal":
            raise SolverError(f"CBC stopped without an optimum ({pulp.LpStatus[status]})")
        x = np.array([v.varValue or 0.0 for v in xs])
        rd = np.array([0.0 if c is None or c.pi is None else c.pi for c in cons])
        cd = np.array([v.dj or 0.0 for v in xs])
        return LPSolution("optimal", x, rd, cd, float(pulp.value(prob.objective) or 0.0))


_CBC_LOCK = threading.Lock()
_CBC_SOLVER = None


def _cbc():
    """CBC on PATH when there is one, else the copy PuLP ships (its older interface).

    Chosen once per process, under a lock: making PuLP's shipped CBC command warns
    that it is deprecated, and silencing that changes the process's warning filters,
    which must not happen while another thread solves.
    """
    global _CBC_SOLVER

    with _CBC_LOCK:
        if _CBC_SOLVER is None:
            import warnings

            import pulp

            solver = pulp.COIN_CMD(msg=False)
            if not solver.available():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    solver = pulp.PULP_CBC_CMD(msg=False)
            _CBC_SOLVER = solver
        return _CBC_SOLVER


def _safe(name: str) -> str:
    return name.replace("[", "_").replace("]", "").replace("-", "_").replace(" ", "_")


def _highs_class():
    """HiGHS without highspy's Python callback layer, when available: these programs
    need no callbacks, and the layer re-enters Python during every solve, which keeps
    two years from solving at once."""
    import highspy

    core = getattr(getattr(highspy, "_core", None), "_Highs", None)
    return core if core is not None else highspy.Highs


def _make_highs():
    """A silent HiGHS of its own. It prints nothing once ``output_flag`` is off, which is
    set before it is given a model, so no file descriptor is ever redirected."""
    h = _highs_class()()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    # The leximin programs are re-solved warm round after round; presolve costs more
    # than it saves there (measured: 35 ms instead of 64 ms for 1,000 partners).
    h.setOptionValue("presolve", "off")
    return h


def highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except Exception:  # pragma: no cover - depends on the platform
        return False
    return True
