"""How fast the engine is, against one raw HiGHS program and the textbook PuLP loop.

    python bench/bench_engine.py [--quick] [--no-textbook] [--textbook-limit SECONDS]
                                 [--output PATH]
    python bench/bench_engine.py --resolve [--quick]   # part C and validate() alone

Prints figures and writes them as markdown: a full run to ``bench/RESULTS.md`` (the
committed figures; rewritten after each part so a long run leaves partial figures),
a ``--quick`` smoke run to ``out/bench-quick.md`` (``out/`` is ignored by git), so a
quick run never replaces the committed figures. ``--output`` writes elsewhere.
These are measurements, not tests: nothing here fails on a slow figure.

Parts:

A. For N partners and Y years, on the synthetic instances of ``bench/instances.py``
   (every rule on):
   - engine: ``allocator.engine.solve.solve(project)`` in process, project already parsed
     (a fresh Engine each call, so every program is built cold; includes rounding,
     explanations and metrics);
   - raw LP: ``bench/raw_highs_lp.solve_raw`` on the same data: fair shares and
     limits derived with numpy, ONE program over all partner-years built as a CSR
     matrix, ``passModel``, solved by HiGHS (leximin: the max-min program, i.e. the
     first leximin round). A floor for any solver-based
     tool, not a full answer: it has no later leximin rounds, no rounding, no
     explanations;
   - textbook: PuLP + CBC (``PULP_CBC_CMD(msg=False)``), the whole problem (all
     partner-years) rebuilt and solved every leximin round: maximise ``t``, fix the
     partner-years whose level constraint has a non-zero ``.pi`` at ``t tau``, repeat
     until all are fixed.
B. Whole processes at N=1000, Y=5: ``python -m allocator.cli solve FILE --json`` to
   /dev/null against ``python bench/raw_highs_lp.py FILE``.
C. Re-solve after one edit at N=30, Y=3 leximin: one Engine, one partner's capacity
   alternating between two values, against a fresh Engine per solve; with a profile.

Each figure is the median of several runs (the count is shown); every ratio comes
from figures measured in the same run of this script.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import gc
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import pulp  # noqa: E402
from instances import limits_summary, make_project  # noqa: E402
from raw_highs_lp import solve_raw  # noqa: E402

from allocator.domain.model import Project, project_from_dict  # noqa: E402
from allocator.engine.solve import Engine, solve  # noqa: E402

PY = sys.executable
RESULTS = HERE / "RESULTS.md"
QUICK_RESULTS = ROOT / "out" / "bench-quick.md"


# ----------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------


def _cpu() -> float:
    """CPU seconds of this process and its finished children (CBC runs as a child)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


class Timing:
    def __init__(self, wall: list[float], cpu: list[float]):
        self.wall, self.cpu = wall, cpu

    @property
    def ms(self) -> float:
        return statistics.median(self.wall) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000

    @property
    def runs(self) -> int:
        return len(self.wall)

    @property
    def spread(self) -> str:
        """10th to 90th percentile of the wall times, ms."""
        p10, p90 = np.percentile(self.wall, [10, 90]) * 1000
        return f"{p10:.1f}-{p90:.1f}"


def measure(fn, runs: int, warmup: int = 1) -> Timing:
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        gc.collect()
        c0, t0 = _cpu(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(_cpu() - c0)
    return Timing(wall, cpu)


def measure_pair(fn_a, fn_b, runs: int, warmup: int = 1) -> tuple[Timing, Timing]:
    """Like ``measure`` for two functions, alternating them run by run, so that a spell
    of machine noise (this host has some) falls on both sides of a ratio."""
    for _ in range(warmup):
        fn_a()
        fn_b()
    out = ([], [], [], [])
    for _ in range(runs):
        for k, fn in ((0, fn_a), (2, fn_b)):
            gc.collect()
            c0, t0 = _cpu(), time.perf_counter()
            fn()
            out[k].append(time.perf_counter() - t0)
            out[k + 1].append(_cpu() - c0)
    return Timing(out[0], out[1]), Timing(out[2], out[3])


def log(msg: str) -> None:
    print(msg, flush=True)


# ----------------------------------------------------------------------------------
# The textbook: PuLP + CBC, the whole problem rebuilt every round
# ----------------------------------------------------------------------------------


class TextbookStopped(Exception):
    pass


def _textbook_problem(arr: dict, fixed: np.ndarray, held: np.ndarray):
    """The whole instance (all partner-years) as one PuLP problem.

    The variables are attainments ``a = x / tau`` (grant over fair share), the natural
    unit of the rule and one in which the solver's tolerances mean the same for a
    small partner as for a large one. Rows: budget, ring-fence, spread band (on
    funding per unit of need) and the level rows ``a >= t``.
    """
    n, k, bf = arr["n"], arr["k"], arr["bf"]
    prob = pulp.LpProblem("fairshare_leximin", pulp.LpMaximize)
    t = pulp.LpVariable("t")
    av: list[pulp.LpVariable] = []
    levels: dict[int, str] = {}
    for y, yr in enumerate(arr["years"]):
        D = yr["D"]
        tau = yr["tau"] / D  # fair shares as shares of D
        per_need = yr["tau"] / yr["nu"]  # attainment -> funding per unit of need
        a_lo, a_hi = yr["lo"] / yr["tau"], yr["hi"] / yr["tau"]
        ay = []
        for i in range(n):
            j = y * n + i
            low = held[j] if fixed[j] else a_lo[i]  # see textbook()
            ay.append(pulp.LpVariable(f"a_{y}_{i}", lowBound=low, upBound=a_hi[i]))
        av += ay
        prob += pulp.lpSum(tau[i] * ay[i] for i in range(n)) == 1.0, f"budget_{y}"
        if yr["ring"] > 0:
            prob += (
                pulp.lpSum(tau[i] * ay[i] for i in range(n) if bf[i]) >= yr["ring"] / D,
                f"ring_fence_{y}",
            )
        if k is not None:
            L = pulp.LpVariable(f"L_{y}", lowBound=0)
            U = pulp.LpVariable(f"U_{y}", lowBound=0)
            for i in range(n):
                prob += per_need[i] * ay[i] - L >= 0, f"spread_low_{y}_{i}"
                prob += per_need[i] * ay[i] - U <= 0, f"spread_high_{y}_{i}"
            prob += U - k * L <= 0, f"spread_{y}"
        for i in range(n):
            j = y * n + i
            if not fixed[j]:
                prob += ay[i] - t >= 0, f"level_{y}_{i}"
                levels[j] = f"level_{y}_{i}"
    prob += t
    return prob, t, av, levels


def textbook(arr: dict, limit: float = float("inf"), round_limit: float = 60.0) -> dict:
    """Run the textbook method; returns the split (currency), rounds and round times.

    Raises TextbookStopped when one round takes longer than ``round_limit`` seconds or
    the whole loop longer than ``limit`` (the message says how far it got).
    """
    n, Y = arr["n"], len(arr["years"])
    NY = n * Y
    tau = np.concatenate([yr["tau"] for yr in arr["years"]])  # currency
    a_lo = np.concatenate([yr["lo"] / yr["tau"] for yr in arr["years"]])
    a_hi = np.concatenate([yr["hi"] / yr["tau"] for yr in arr["years"]])
    cbc = pulp.PULP_CBC_CMD(msg=False)
    start = time.perf_counter()
    fixed = np.zeros(NY, dtype=bool)
    held = np.zeros(NY)
    round_s = []
    while not fixed.all():
        r0 = time.perf_counter()
        prob, t, av, levels = _textbook_problem(arr, fixed, held)
        status = prob.solve(cbc)
        round_s.append(time.perf_counter() - r0)
        if pulp.LpStatus[status] != "Optimal":
            raise TextbookStopped(
                f"CBC returned {pulp.LpStatus[status]} in round {len(round_s)} "
                f"after {time.perf_counter() - start:.0f} s"
            )
        tv = t.varValue
        if tv is None:
            raise TextbookStopped(f"CBC gave no value for t in round {len(round_s)}")
        a = np.array([v.varValue or 0.0 for v in av])
        newly = np.zeros(NY, dtype=bool)
        for j, name in levels.items():
            pi = prob.constraints[name].pi
            if pi is not None and abs(pi) > 1e-9:
                newly[j] = True
        if not newly.any():  # degenerate duals: fix the tightest one
            slack = np.where(fixed, np.inf, a - tv)
            newly[int(np.argmin(slack))] = True
        # A partner-year whose level row has a non-zero dual sits at t in every
        # optimum; later rounds hold it there with the lower bound a >= t (any later
        # optimum is also optimal for this round, so it cannot rise above t either).
        # Equality would be the same in exact arithmetic, but CBC reports t with 8
        # significant digits and within its tolerances, and in the last rounds (the
        # rest at their floors) the budget row has no slack, so a t a hair too high
        # makes the next program infeasible. Hence the bound, one part in 10^7 below
        # t; the split is the last program's solution.
        held[newly] = np.clip(tv * (1 - 1e-7), a_lo[newly], a_hi[newly])
        fixed |= newly
        elapsed = time.perf_counter() - start
        if round_s[-1] > round_limit:
            raise TextbookStopped(f"one round took {round_s[-1]:.0f} s (> {round_limit:.0f} s)")
        if elapsed > limit and not fixed.all():
            raise TextbookStopped(
                f"stopped after {elapsed:.0f} s: {len(round_s)} rounds done, "
                f"{int((~fixed).sum())} of {NY} partner-years not yet fixed "
                f"(mean round {statistics.mean(round_s):.2f} s)"
            )
        if len(round_s) % 100 == 0:
            log(
                f"      textbook: {len(round_s)} rounds, {int(fixed.sum())}/{NY} fixed, "
                f"{elapsed:.0f} s"
            )
    return {"x": a * tau, "rounds": len(round_s), "round_s": round_s}


# ----------------------------------------------------------------------------------
# Part A: the grid
# ----------------------------------------------------------------------------------


def engine_ints(result) -> np.ndarray:
    """The engine's whole-unit split as partner-years in year-major order."""
    return np.array([p.per_year for p in result.partners], dtype=float).T.ravel()


def runs_for(n: int, years: int, quick: bool) -> int:
    if quick:
        return 5
    return 9 if n * years <= 1000 else 5


def solve_counting(project) -> tuple[object, int, float]:
    """One engine solve, untimed by the medians: its result, the number of programs it
    solved (``YearProgram.solve`` calls, CBC fallback included) and its wall seconds."""
    import allocator.engine.program as program

    original = program.YearProgram.solve
    count = [0]

    def counting(self):
        count[0] += 1
        return original(self)

    program.YearProgram.solve = counting
    try:
        t0 = time.perf_counter()
        res = solve(project)[0]
        wall = time.perf_counter() - t0
    finally:
        program.YearProgram.solve = original
    return res, count[0], wall


def bench_case(n: int, years: int, quick: bool) -> dict:
    rule = "leximin"
    data = make_project(n, years)
    project = project_from_dict(data)
    res, programs, first = solve_counting(project)  # also the warm-up
    if res.status != "optimal":
        raise SystemExit(f"instance {rule} N={n} Y={years} is {res.status}: {res.message}")
    raw = solve_raw(data)
    if raw["status"] != "optimal":
        raise SystemExit(f"raw program {rule} N={n} Y={years}: {raw['status']}")
    runs = runs_for(n, years, quick)
    # Engine and raw runs alternate; a very slow engine case gets 3 runs (see "runs").
    eng, rawt = measure_pair(
        lambda: solve(project), lambda: solve_raw(data), 3 if first > 30 else runs
    )
    # Agreement: the raw program's optimum against the engine's split.
    ints = engine_ints(res)
    arr = raw["arrays"]
    tau = np.concatenate([yr["tau"] for yr in arr["years"]])
    check = f"min attainment: raw {-raw['objective']:.6f}, engine {float((ints / tau).min()):.6f}"
    return {
        "rule": rule,
        "n": n,
        "years": years,
        "engine": eng,
        "raw": rawt,
        "limits": limits_summary(res),
        "check": check,
        "rows": raw["rows"],
        "cols": raw["cols"],
        "arrays": arr,
        "ints": ints,
        "textbook": None,
        "programs": programs,
        "solver": res.solver,
    }


def bench_textbook(case: dict, limit: float, round_limit: float) -> None:
    arr = case["arrays"]
    wall, cpu, info = [], [], None
    try:
        while True:
            gc.collect()
            c0, t0 = _cpu(), time.perf_counter()
            out = textbook(arr, limit=limit, round_limit=round_limit)
            wall.append(time.perf_counter() - t0)
            cpu.append(_cpu() - c0)
            info = out
            # At least 5 runs; 3 when one run takes over 10 s; 1 when over 60 s.
            want = 5 if wall[0] < 10 else (3 if wall[0] < 60 else 1)
            if len(wall) >= want:
                break
    except TextbookStopped as exc:
        case["textbook"] = {"stopped": str(exc)}
        return
    diff = float(np.abs(info["x"] - case["ints"]).max())
    case["textbook"] = {
        "timing": Timing(wall, cpu),
        "rounds": info["rounds"],
        "mean_round_ms": 1000 * statistics.mean(info["round_s"]),
        "max_diff": diff,
    }


# ----------------------------------------------------------------------------------
# Part B: whole processes
# ----------------------------------------------------------------------------------


def run_process(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure_process(cmd: list[str], runs: int) -> Timing:
    run_process(cmd)  # warm the file cache
    wall, cpu = [], []
    for _ in range(runs):
        w, c = run_process(cmd)
        wall.append(w)
        cpu.append(c)
    return Timing(wall, cpu)


def bench_processes(n: int, years: int, runs: int) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for rule in ("leximin",):
            path = os.path.join(tmp, f"synthetic_{n}x{years}.fairshare")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(make_project(n, years), f)
            # Alternate the two commands so that a change in machine load hits both.
            eng_cmd = [PY, "-m", "allocator.cli", "solve", path, "--json"]
            raw_cmd = [PY, str(HERE / "raw_highs_lp.py"), path]
            first, _ = run_process(eng_cmd)
            run_process(raw_cmd)
            ew, ec, rw, rc = [], [], [], []
            for _ in range(runs if first < 60 else 3):  # 3 when one engine process > 60 s
                w, c = run_process(eng_cmd)
                ew.append(w)
                ec.append(c)
                w, c = run_process(raw_cmd)
                rw.append(w)
                rc.append(c)
            out.append({"rule": rule, "engine": Timing(ew, ec), "raw": Timing(rw, rc)})
            log(
                f"  processes {rule} N={n} Y={years}: engine {out[-1]['engine'].ms:.0f} ms, "
                f"raw {out[-1]['raw'].ms:.0f} ms"
            )
    imports = measure_process([PY, "-c", "import numpy, highspy"], runs)
    out.append(
        {
            "rule": "python -c 'import numpy, highspy' (start-up floor)",
            "engine": imports,
            "raw": None,
        }
    )
    return out


# ----------------------------------------------------------------------------------
# Part C: re-solve after one edit
# ----------------------------------------------------------------------------------


def _grouped_profile(
    prof: cProfile.Profile, calls: int
) -> tuple[list[tuple[str, float]], list[str]]:
    """Own time per area (ms per solve) and the top functions by own time."""
    st = pstats.Stats(prof)
    groups: dict[str, float] = {}
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in st.stats.items():
        if "highspy" in func or "highspy" in file:
            g = "HiGHS (run, model changes, solution)"
        elif file.endswith("program.py"):
            g = "allocator/program.py (build, update)"
        elif "allocator" in file:
            g = "allocator/" + Path(file).name
        elif "numpy" in file or "numpy" in func:
            g = "numpy"
        else:
            g = "Python built-ins and other"
        groups[g] = groups.get(g, 0.0) + tt
        short = f"{Path(file).name}:{line}({func})" if file != "~" else func
        rows.append((tt, ct, nc, short))
    rows.sort(reverse=True)
    top = [
        f"{tt / calls * 1000:8.3f} ms own, {ct / calls * 1000:8.3f} ms cum, "
        f"{nc / calls:8.1f} calls  {name}"
        for tt, ct, nc, name in rows[:15]
    ]
    ordered = sorted(((g, v / calls * 1000) for g, v in groups.items()), key=lambda kv: -kv[1])
    return ordered, top


def _cumulative(
    prof: cProfile.Profile, calls: int, names: dict[str, str]
) -> list[tuple[str, float]]:
    st = pstats.Stats(prof)
    out = []
    for label, func in names.items():
        total = sum(
            ct
            for (file, _line, fn), (_cc, _nc, _tt, ct, _c) in st.stats.items()
            if f"{Path(file).stem}.{fn}" == func
        )
        out.append((label, total / calls * 1000))
    return out


STAGES = {
    "inputs checked (validate)": "edits.validate",
    "project fingerprint": "edits.project_fingerprint",
    "year instances (fair shares, limits)": "instances.year_instances",
    "feasibility checks": "explain.feasibility_checks",
    "program lookup / update in place": "solve.program",
    "closed-form split": "fairness.leximin_split",
    "program confirmation (HiGHS, per level)": "solve.leximin_guided",
    "results: rounding, explanations, metrics": "solve._fill",
}


# Stage name -> (module or class, attribute) of the engine function that does it. The
# engine's own calls go through these attributes, so wrapping them times the real path.
def _stage_targets() -> dict[str, tuple[object, str]]:
    from allocator.engine import explain
    from allocator.engine import solve as solve_module

    return {
        "inputs checked (validate)": (solve_module, "validate"),
        "project fingerprint": (solve_module, "project_fingerprint"),
        "year instances (fair shares, limits)": (solve_module, "year_instances"),
        "feasibility checks": (explain, "feasibility_checks"),
        "program lookup / update in place": (Engine, "program"),
        "closed-form split": (solve_module, "leximin_split"),
        "program confirmation (HiGHS, per level)": (solve_module, "leximin_guided"),
        "results: rounding, explanations, metrics": (Engine, "_fill"),
    }


def stage_breakdown(engine: Engine, variants: list, runs: int) -> list[tuple[str, float]]:
    """Median ms per stage of a warm re-solve, timed without a profiler.

    The engine functions behind each stage are wrapped with a clock (about a
    microsecond per call) while ``engine.solve`` runs as usual; "everything else" is
    the rest of ``engine.solve``.
    """
    targets = _stage_targets()
    spent = dict.fromkeys(targets, 0.0)
    originals = {}
    clock = time.perf_counter

    def wrap(label, fn):
        def timed(*args, **kwargs):
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += clock() - t0

        return timed

    for label, (owner, attr) in targets.items():
        originals[label] = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
        setattr(owner, attr, wrap(label, getattr(owner, attr)))
    times: dict[str, list[float]] = {k: [] for k in [*targets, "everything else", "total"]}
    try:
        for r in range(runs):
            for k in spent:
                spent[k] = 0.0
            gc.collect()
            t0 = clock()
            engine.solve(variants[r % 2])
            total = clock() - t0
            for k, v in spent.items():
                times[k].append(v)
            times["everything else"].append(total - sum(spent.values()))
            times["total"].append(total)
    finally:
        for label, (owner, attr) in targets.items():
            setattr(owner, attr, originals[label])
    return [(k, statistics.median(v) * 1000) for k, v in times.items()]


def edit_variants(n: int, years: int) -> tuple[Project, int, list[Project]]:
    """The instance, the partner edited and the project with its capacity as it is and
    raised by a quarter: a partner its capacity holds (so the edit moves the split)."""
    project = project_from_dict(make_project(n, years))
    base = solve(project)[0]
    idx = next((i for i, p in enumerate(base.partners) if "capacity" in p.limited_by), 1)
    cap = project.partners[idx].capacity
    variants = [
        project.with_partner(idx, capacity=cap),
        project.with_partner(idx, capacity=float(round(cap * 1.25))),
    ]
    for v in variants:
        assert solve(v)[0].status == "optimal"
    return project, idx, variants


def alternating(fn) -> Callable[[], object]:
    """``fn`` called on the two variants in turn, so every call is a re-solve after an edit."""
    state = {"k": 0}

    def call() -> object:
        state["k"] ^= 1
        return fn(state["k"])

    return call


def resolve_figures(runs: int) -> None:
    """``--resolve``: part C's re-solve at 30 x 3 alone, full (warm and fresh) and figures
    only (the app's first pass after an edit, and each step of a sweep), then
    ``validate`` after one edit at 1,000 partners x 5 years against reading the same
    project through the file reader. Prints; writes nothing."""
    from allocator.domain.edits import validate
    from allocator.domain.model import project_to_dict

    _, _, variants = edit_variants(30, 3)
    full, figures = Engine(), Engine()
    full.solve(variants[0])
    figures.solve(variants[0], detail="figures")
    warm = alternating(lambda k: full.solve(variants[k]))
    cold = alternating(lambda k: Engine().solve(variants[k]))
    w, c = measure_pair(warm, cold, runs, warmup=2)
    f = measure(alternating(lambda k: figures.solve(variants[k], detail="figures")), runs, 2)
    print(f"Re-solve after one edited capacity, leximin N=30 Y=3 (median of {runs}):")
    print(f"  full, same Engine (warm):  {w.ms:6.2f} ms  ({w.spread})")
    print(f"  figures only, warm:        {f.ms:6.2f} ms  ({f.spread})")
    print(f"  full, fresh Engine:        {c.ms:6.2f} ms  ({c.spread})")
    _, _, big = edit_variants(1000, 5)
    checked = measure(alternating(lambda k: validate(big[k])), runs, 2)
    dicts = [project_to_dict(v) for v in big]
    reread = measure(alternating(lambda k: project_from_dict(dicts[k])), max(5, runs // 4), 1)
    print(f"validate() after one edit, N=1000 Y=5 (median of {checked.runs}):")
    print(f"  validate:                  {checked.ms:6.2f} ms  ({checked.spread})")
    print(f"  through the file reader:   {reread.ms:6.2f} ms  ({reread.spread})")


def bench_resolve(n: int, years: int, runs: int) -> dict:
    project, idx, variants = edit_variants(n, years)
    cap = project.partners[idx].capacity
    engine = Engine()
    engine.solve(variants[0])
    state = {"warm": 0, "cold": 0}

    def warm():
        state["warm"] ^= 1
        return engine.solve(variants[state["warm"]])

    def cold():
        state["cold"] ^= 1
        return Engine().solve(variants[state["cold"]])

    # The warm and cold answers must be the same split.
    for v in variants:
        a, b = engine.solve(v)[0], Engine().solve(v)[0]
        assert [p.per_year for p in a.partners] == [p.per_year for p in b.partners]
    w, c = measure_pair(warm, cold, runs, warmup=2)
    # Where a warm re-solve spends its time.
    calls = 200
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        warm()
    prof.disable()
    groups, top = _grouped_profile(prof, calls)
    stages = _cumulative(prof, calls, STAGES)
    try:
        plain = stage_breakdown(engine, variants, runs)
    except Exception as exc:  # the breakdown follows engine internals; they may move
        plain = [(f"breakdown unavailable ({type(exc).__name__}: {exc})", float("nan"))]
    return {
        "plain_stages": plain,
        "n": n,
        "years": years,
        "partner": project.partners[idx].name,
        "capacities": (cap, float(round(cap * 1.25))),
        "warm": w,
        "cold": c,
        "groups": groups,
        "top": top,
        "stages": stages,
        "profile_calls": calls,
    }


def profile_solve(n: int, years: int, rule: str = "leximin") -> dict:
    project = project_from_dict(make_project(n, years))
    t0 = time.perf_counter()
    solve(project)
    calls = 3 if time.perf_counter() - t0 < 10 else 1
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        solve(project)
    prof.disable()
    groups, top = _grouped_profile(prof, calls)
    return {
        "n": n,
        "years": years,
        "rule": rule,
        "groups": groups,
        "top": top,
        "calls": calls,
        "stages": _cumulative(prof, calls, STAGES),
    }


# ----------------------------------------------------------------------------------
# Reporting
# ----------------------------------------------------------------------------------


def _f(ms: float) -> str:
    return f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"


def table_rows(cases: list[dict]) -> tuple[list[str], list[list[str]]]:
    head = [
        "case",
        "engine ms",
        "raw LP ms",
        "engine/raw",
        "textbook ms",
        "textbook/engine",
        "runs e/r/t",
        "CPU ms e/r",
        "engine programs",
        "textbook rounds",
        "textbook vs engine (max |diff|)",
    ]
    rows = []
    for c in cases:
        e, r, tb = c["engine"], c["raw"], c["textbook"]
        if tb is None:
            tms, ratio, truns, rounds, diff = "not run", "", "-", "", ""
        elif "stopped" in tb:
            tms, ratio, truns, rounds, diff = "stopped", "", "-", "", tb["stopped"]
        else:
            t = tb["timing"]
            tms, ratio, truns = _f(t.ms), f"{t.ms / e.ms:,.0f}x", str(t.runs)
            rounds = str(tb["rounds"])
            diff = f"{tb['max_diff']:.2f} currency units"
        mark = "" if c["solver"] == "highs" else " (CBC fallback)"
        rows.append(
            [
                f"{c['rule']} N={c['n']} Y={c['years']}",
                _f(e.ms) + mark,
                _f(r.ms),
                f"{e.ms / r.ms:.2f}",
                tms,
                ratio,
                f"{e.runs}/{r.runs}/{truns}",
                f"{_f(e.cpu_ms)}/{_f(r.cpu_ms)}",
                str(c["programs"]),
                rounds,
                diff,
            ]
        )
    return head, rows


def text_table(head: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)
    ]
    lines = [
        "  ".join(h.ljust(widths[i]) for i, h in enumerate(head)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(r[i].ljust(widths[i]) for i in range(len(head))) for r in rows]
    return "\n".join(lines)


def md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def engine_version() -> str:
    """The code these figures belong to: commit, uncommitted changes, source hash."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted((ROOT / "allocator").rglob("*.py")):
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "allocator"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
    except OSError:
        head, dirty = "unknown", []
    changes = f"uncommitted changes in {', '.join(dirty)}" if dirty else "no uncommitted changes"
    return f"commit {head or 'unknown'}, {changes}; allocator/**/*.py sha256 {h.hexdigest()[:12]}"


def environment() -> str:
    import highspy

    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    hv = getattr(highspy, "__version__", None)
    if hv is None:
        from importlib.metadata import version

        hv = version("highspy")
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()}; "
        f"highspy {hv}; PuLP {pulp.__version__} (bundled CBC); numpy {np.__version__}; "
        f"load average at the end of the run: {load}"
    )


def write_results(state: dict, final: bool) -> None:
    out = ["# Engine benchmarks", ""]
    out.append(
        f"Written by `python bench/bench_engine.py{' --quick' if state['quick'] else ''}` "
        f"on {state['started']}{'' if final else ' (PARTIAL: the run has not finished)'}."
    )
    out.append(f"Machine: {environment()}.")
    out.append("")
    out.append(f"Engine code measured: {state['version']} (read when the run started).")
    after = state.get("version_after")
    if after is not None:
        # Parts A (engine and raw columns), B and C are the ones that run the engine;
        # the textbook part only reuses the engine's split from part A for its check.
        # In-process figures use the code imported at the start; part B starts new
        # processes, which read the code on disk.
        out.append(
            "The engine code did not change while parts A, B and C ran."
            if after == state["version"]
            else "WARNING: the engine code changed while parts A, B and C ran; after "
            f"part C: {after}. Part B's processes may have run newer code than part A."
        )
    out.append("")
    out.append(
        "Figures are wall-clock medians; `runs` is the number of timed runs "
        "behind each median (engine / raw LP / textbook). Every ratio comes from "
        "figures measured in the same run; engine and raw LP runs alternate (as do "
        "warm and cold re-solves, and the two processes in part B) so that spells "
        "of machine noise fall on both sides. Instances: `bench/instances.py` "
        "(reach basis, lead with fee 0.08 and lead cap 0.3, ~40% by-and-for with "
        "ring-fence 0.3, floors, needs floor 0.5, spread limit 3, budget ~60% of "
        "total capacity, 2% uplift)."
    )
    out.append("")
    out.append(
        "- **engine**: `allocator.engine.solve.solve(project)` in process, project parsed, "
        "fresh Engine (cold programs); includes rounding, explanations, metrics."
    )
    out.append(
        "- **raw LP**: one HiGHS program over all partner-years built from numpy "
        "arrays (CSR, `passModel`): leximin = the max-min program (first leximin "
        "round only). Includes deriving fair shares "
        "and limits from the dict."
    )
    out.append(
        "- **textbook**: PuLP + CBC; leximin rebuilds and re-solves the whole "
        "problem (all partner-years in one model) every round, fixing partner-years "
        "whose level row has a non-zero dual, until all are fixed. "
        "`textbook rounds` = programs solved. `max |diff|` compares the "
        "textbook's continuous split with the engine's whole-unit split."
    )
    out.append("")
    if state["cases"]:
        head, rows = table_rows(state["cases"])
        out += [
            "## A. Engine vs one raw HiGHS program vs the textbook loop",
            "",
            md_table(head, rows),
            "",
        ]
        out.append(
            "Sanity checks (the raw program's optimum against the engine's split; the "
            "engine's figures are whole currency units):"
        )
        out.append("")
        for c in state["cases"]:
            out.append(
                f"- {c['rule']} N={c['n']} Y={c['years']}: engine solver: {c['solver']}; "
                f"{c['check']}; raw program "
                f"{c['rows']} rows x {c['cols']} columns; limits (partner-years): "
                f"{c['limits']}"
            )
        out.append("")
    if state.get("processes"):
        p = state["processes"]
        out += [
            f"## B. Whole processes, N={p['n']}, Y={p['years']} (median of "
            f"{p['rows'][0]['engine'].runs} each, run alternately)",
            "",
        ]
        head = [
            "rule",
            "engine process ms (CPU ms)",
            "raw LP process ms (CPU ms)",
            "engine/raw wall",
            "engine/raw CPU",
        ]
        rows = []
        for r in p["rows"]:
            e, raw = r["engine"], r["raw"]
            if raw is None:
                rows.append([r["rule"], f"{e.ms:,.0f} ({e.cpu_ms:,.0f})", "", "", ""])
            else:
                rows.append(
                    [
                        r["rule"],
                        f"{e.ms:,.0f} ({e.cpu_ms:,.0f})",
                        f"{raw.ms:,.0f} ({raw.cpu_ms:,.0f})",
                        f"{e.ms / raw.ms:.2f}",
                        f"{e.cpu_ms / raw.cpu_ms:.2f}",
                    ]
                )
        out += [md_table(head, rows), ""]
        out.append(
            "Engine: `python -m allocator.cli solve FILE --json > /dev/null`; raw: "
            "`python bench/raw_highs_lp.py FILE` (reads the same file with `json`, one "
            "max-min program). CPU = user + system time of the process."
        )
        out.append("")
    if state.get("resolve"):
        r = state["resolve"]
        out += [f"## C. Re-solve after one edit, leximin N={r['n']}, Y={r['years']}", ""]
        out.append(
            f"{r['partner']}'s capacity alternates between {r['capacities'][0]:,.0f} and "
            f"{r['capacities'][1]:,.0f}; `engine.solve(project)` is timed "
            f"(median of {r['warm'].runs})."
        )
        out.append("")
        out += md_table(
            ["", "median ms", "10th-90th percentile ms", "CPU ms"],
            [
                [
                    "same Engine (warm)",
                    f"{r['warm'].ms:.2f}",
                    r["warm"].spread,
                    f"{r['warm'].cpu_ms:.2f}",
                ],
                [
                    "fresh Engine (cold)",
                    f"{r['cold'].ms:.2f}",
                    r["cold"].spread,
                    f"{r['cold'].cpu_ms:.2f}",
                ],
                ["cold / warm", f"{r['cold'].ms / r['warm'].ms:.2f}", "", ""],
            ],
        ).splitlines() + [""]
        out.append(
            "Where a warm re-solve spends its time, median ms per stage without a "
            "profiler (the engine functions behind each stage wrapped with a clock "
            "while `engine.solve` runs) "
            f"and, in brackets, cumulative ms under cProfile over {r['profile_calls']} "
            "re-solves (profiling inflates Python-heavy parts):"
        )
        out.append("")
        prof = dict(r["stages"])
        out += [
            f"- {label}: {ms:.2f} ms" + (f" ({prof[label]:.2f})" if label in prof else "")
            for label, ms in r["plain_stages"]
        ]
        out.append("")
        out.append("Own time by area:")
        out.append("")
        out += [f"- {g}: {ms:.2f} ms" for g, ms in r["groups"]]
        out += ["", "Top functions by own time:", "", "```", *r["top"], "```", ""]
    if state.get("profile"):
        pr = state["profile"]
        out += [
            f"## Profile of one cold solve, {pr['rule']} N={pr['n']}, Y={pr['years']}",
            "",
            f"cProfile over {pr['calls']} solve(s), ms per solve, cumulative per stage:",
            "",
        ]
        out += [f"- {label}: {ms:.1f} ms" for label, ms in pr["stages"]]
        out += ["", "Own time by area:", ""]
        out += [f"- {g}: {ms:.1f} ms" for g, ms in pr["groups"]]
        out += ["", "```", *pr["top"], "```", ""]
    if state.get("goals"):
        out += ["## Goals", ""] + [f"- {g}" for g in state["goals"]] + [""]
    path: Path = state["output"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


def goals(state: dict) -> list[str]:
    out = []
    big = next(
        (
            c
            for c in state["cases"]
            if c["rule"] == "leximin" and c["n"] == 1000 and c["years"] == 5
        ),
        None,
    )
    p = state.get("processes")
    if p and p["n"] == 1000 and p["years"] == 5:
        r = p["rows"][0]
        ratio = r["engine"].ms / r["raw"].ms
        out.append(
            f"Leximin N=1000, Y=5, whole processes: engine/raw = {ratio:.2f} wall "
            f"({r['engine'].cpu_ms / r['raw'].cpu_ms:.2f} CPU); goal <= 2: "
            f"{'met' if ratio <= 2 else 'NOT met'}."
        )
    if big is not None:
        tb = big["textbook"]
        if tb and "timing" in tb:
            sp = tb["timing"].ms / big["engine"].ms
            out.append(
                f"Leximin N=1000, Y=5: textbook/engine = {sp:,.0f}x; goal >= 5x: "
                f"{'met' if sp >= 5 else 'NOT met'}."
            )
        elif tb and "stopped" in tb:
            out.append(
                f"Leximin N=1000, Y=5: textbook stopped ({tb['stopped']}); it was "
                "already far slower than the engine, see the table."
            )
    r = state.get("resolve")
    if r:
        out.append(
            f"Re-solve leximin N={r['n']}, Y={r['years']} with the same Engine: "
            f"{r['warm'].ms:.2f} ms wall ({r['warm'].cpu_ms:.2f} ms CPU); goal <= 10 ms: "
            f"{'met' if r['warm'].ms <= 10 else 'NOT met'}."
        )
    return out


# ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help=f"small sizes only, a smoke run (written to {QUICK_RESULTS.relative_to(ROOT)})",
    )
    ap.add_argument(
        "--output",
        metavar="PATH",
        help=f"where to write the markdown (default: {RESULTS.relative_to(ROOT)}, or "
        f"{QUICK_RESULTS.relative_to(ROOT)} with --quick)",
    )
    ap.add_argument("--no-textbook", action="store_true", help="skip the PuLP + CBC loop")
    ap.add_argument(
        "--resolve",
        action="store_true",
        help="only the re-solve after one edit (full and figures only) and validate() "
        "at 1,000 partners; prints, writes nothing",
    )
    ap.add_argument(
        "--textbook-limit",
        type=float,
        default=4 * 3600,
        help="stop one textbook run after this many seconds (default 4 h)",
    )
    args = ap.parse_args(argv)
    if args.resolve:
        resolve_figures(25 if args.quick else 101)
        return 0
    quick = args.quick
    sizes = (6, 30, 200) if quick else (6, 30, 200, 1000)
    year_counts = (1, 3) if quick else (1, 3, 5)
    output = Path(args.output) if args.output else (QUICK_RESULTS if quick else RESULTS)
    state = {
        "output": output,
        "quick": quick,
        "cases": [],
        "started": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "version": engine_version(),
    }
    log(f"engine code: {state['version']}")

    log("A. engine vs raw HiGHS program")
    for n in sizes:
        for y in year_counts:
            c = bench_case(n, y, quick)
            state["cases"].append(c)
            log(
                f"  N={n:5d} Y={y}: engine {_f(c['engine'].ms)} ms, raw "
                f"{_f(c['raw'].ms)} ms ({c['engine'].ms / c['raw'].ms:.2f}x); {c['check']}"
            )
    write_results(state, final=False)

    pn, py_ = (200, 3) if quick else (1000, 5)
    log(f"B. whole processes N={pn} Y={py_}")
    state["processes"] = {"n": pn, "years": py_, "runs": 5, "rows": bench_processes(pn, py_, 5)}
    write_results(state, final=False)

    log("C. re-solve after one edit, N=30 Y=3")
    state["resolve"] = bench_resolve(30, 3, 25 if quick else 101)
    r = state["resolve"]
    log(
        f"  warm {r['warm'].ms:.2f} ms (CPU {r['warm'].cpu_ms:.2f}), cold {r['cold'].ms:.2f} ms "
        f"(CPU {r['cold'].cpu_ms:.2f})"
    )
    for label, ms in r["plain_stages"]:
        log(f"    {label}: {ms:.2f} ms")
    state["profile"] = profile_solve(pn, py_, "leximin")
    state["version_after"] = engine_version()
    write_results(state, final=False)

    if not args.no_textbook:
        log("A'. textbook PuLP + CBC loop")
        for c in sorted(state["cases"], key=lambda c: (c["n"] * c["years"], c["rule"])):
            if quick and c["n"] > 30:
                continue
            log(f"  textbook {c['rule']} N={c['n']} Y={c['years']} ...")
            bench_textbook(c, args.textbook_limit, 60.0)
            tb = c["textbook"]
            if "stopped" in tb:
                log(f"    stopped: {tb['stopped']}")
            else:
                log(
                    f"    {_f(tb['timing'].ms)} ms (median of {tb['timing'].runs}), "
                    f"{tb['rounds']} rounds, {tb['timing'].ms / c['engine'].ms:,.0f}x the "
                    f"engine; max |diff| {tb['max_diff']:.2f}"
                )
            write_results(state, final=False)

    state["goals"] = goals(state)
    write_results(state, final=True)
    head, rows = table_rows(state["cases"])
    print()
    print(text_table(head, rows))
    print()
    if state.get("processes"):
        for r in state["processes"]["rows"]:
            if r["raw"] is not None:
                print(
                    f"whole process {r['rule']} N={pn} Y={py_}: engine {r['engine'].ms:,.0f} ms, "
                    f"raw {r['raw'].ms:,.0f} ms, ratio {r['engine'].ms / r['raw'].ms:.2f} "
                    f"(CPU {r['engine'].cpu_ms / r['raw'].cpu_ms:.2f})"
                )
            else:
                print(f"{r['rule']}: {r['engine'].ms:,.0f} ms")
    rs = state["resolve"]
    print(
        f"re-solve N=30 Y=3: warm {rs['warm'].ms:.2f} ms (CPU {rs['warm'].cpu_ms:.2f}), "
        f"cold {rs['cold'].ms:.2f} ms (CPU {rs['cold'].cpu_ms:.2f})"
    )
    for g in state["goals"]:
        print("goal:", g)
    print(f"wrote {state['output']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
