"""How fast a sensitivity sweep runs, warm, against solving every step afresh.

    python bench/bench_sweep.py [--quick] [--runs N] [--profile]

Prints figures; writes nothing. These are measurements, not tests: nothing here fails
on a slow figure.

Parts (instances from ``bench/instances.py``: reach basis, fee 0.08, lead cap 0.3,
ring-fence 0.3, needs floor 0.5, spread limit 3, floors, budget ~60% of capacity):

A. 30 partners x 3 years, a 50-step sweep of the management fee (0 to 25%, every step
   solves) and of the ring-fence (0 to 50%, the last steps cannot be met):
   - warm: ``sweep()`` with one Engine that has already solved the scenario (what the
     app's worker holds), median of several runs;
   - new engine: ``sweep()`` with a new Engine (a program is built on the first step
     that needs one: with figures only, none does while the rules can be met);
   - fresh: 50 separate solves, each ``set_field`` then a new ``Engine().solve``.
   Then where the warm sweep's time goes, by timing the engine's own stages in place
   (wrappers around its functions for the run; the engine is not changed), with how
   many times each ran per sweep.
B. 1,000 partners x 3 years: seconds per warm step, how fast Cancel returns when it
   is pressed at a random moment of a sweep running in a worker thread, and the
   longest pause the main thread sees meanwhile (the app's responsiveness: HiGHS
   holds the interpreter lock while it solves).
C. ``--profile``: cProfile of one warm 50-step sweep at 30 x 3, top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import os
import platform
import pstats
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from instances import parsed  # noqa: E402

from allocator.domain.edits import set_field  # noqa: E402
from allocator.engine import program as engine_program  # noqa: E402
from allocator.engine import solve as engine_solve  # noqa: E402
from allocator.engine.solve import Engine  # noqa: E402
from allocator.report.sweep import resolve_param, step_values, sweep  # noqa: E402

TARGET_S = 0.100  # 50 steps at 30 partners x 3 years, warm


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _fresh_solves(project, scenario: str, param: str, values) -> None:
    j = [s.name for s in project.scenarios].index(scenario)
    path, _, _ = resolve_param(project, j, param)
    for v in values:
        Engine().solve(set_field(project, path, v), [scenario])


# ----------------------------------------------------------------------------------
# Where the time goes: the engine's stages, timed in place
# ----------------------------------------------------------------------------------

_STAGES = (
    # (label, module, attribute): a function or method the engine calls per step
    ("set_field (the sweep's edit)", "sweep_module", "set_field"),
    ("validate the whole project", engine_solve, "validate"),
    ("project fingerprint", engine_solve, "project_fingerprint"),
    ("year instances (fair shares, limits)", engine_solve, "year_instances"),
    ("feasibility checks", "explain", "feasibility_checks"),
    ("closed-form split (leximin_split)", engine_solve, "leximin_split"),
    ("program update in place (Engine.program)", Engine, "program"),
    ("HiGHS solves (YearProgram.solve)", engine_program.YearProgram, "solve"),
    ("leximin rounds around HiGHS (leximin_guided)", engine_solve, "leximin_guided"),
    ("results: rounding, explanations, metrics (Engine._fill)", Engine, "_fill"),
    ("infeasible: checks and suggested changes (Engine._infeasible)", Engine, "_infeasible"),
)


def stage_breakdown(
    project, scenario: str, param: str, start: float, stop: float, runs: int, steps: int = 50
):
    """Seconds and calls per stage of a warm sweep (nested stages overlap their parents)."""
    import allocator.engine.explain as explain_module
    import allocator.report.sweep as sweep_module

    owners = {"sweep_module": sweep_module, "explain": explain_module}
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    patched = []
    for label, owner, name in _STAGES:
        owner = owners.get(owner, owner) if isinstance(owner, str) else owner
        original = getattr(owner, name, None)
        if original is None:
            continue  # the engine has changed shape; time what is there

        def wrap(fn, label=label):
            @functools.wraps(fn)
            def inner(*args, **kwargs):
                t = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    totals[label] = totals.get(label, 0.0) + time.perf_counter() - t
                    counts[label] = counts.get(label, 0) + 1

            return inner

        setattr(owner, name, wrap(original))
        patched.append((owner, name, original))
    try:
        engine = Engine()
        sweep(project, scenario, param, start, stop, steps, engine=engine)
        totals.clear()
        counts.clear()
        t = time.perf_counter()
        for _ in range(runs):
            sweep(project, scenario, param, start, stop, steps, engine=engine)
        whole = (time.perf_counter() - t) / runs
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)
    return whole, {k: (v / runs, counts[k] / runs) for k, v in totals.items()}


# ----------------------------------------------------------------------------------
# Parts
# ----------------------------------------------------------------------------------


def part_a(runs: int) -> None:
    project = parsed(30, 3)
    name = project.scenarios[0].name
    print(f"\n## A. 50-step sweeps at 30 partners x 3 years ({name!r})\n")
    print(f"Target: 50 steps in {_ms(TARGET_S)} or less, warm. Medians of {runs} runs.\n")
    header = (
        "| sweep | steps solved | warm | per step | new engine | 50 fresh solves | fresh/warm |"
    )
    print(header)
    print("|" + "---|" * 7)
    cases = [("management_fee", 0.0, 0.25), ("ring_fence", 0.0, 0.5)]
    for param, start, stop in cases:
        engine = Engine()
        first = sweep(project, name, param, start, stop, 50, engine=engine)
        ok = sum(s.ok for s in first.steps)
        values = step_values(start, stop, 50)
        timed = {
            "warm": functools.partial(sweep, project, name, param, start, stop, 50, engine=engine),
            "new engine": functools.partial(sweep, project, name, param, start, stop, 50),
            "fresh": functools.partial(_fresh_solves, project, name, param, values),
        }
        # the three alternate, so that spells of machine noise fall on all of them
        samples: dict[str, list[float]] = {k: [] for k in timed}
        for r in range(runs):
            for key, fn in timed.items():
                if key == "warm" or r < max(3, runs // 2):
                    samples[key] += _timed(fn, 1)
        warm, cold, fresh = (statistics.median(samples[k]) for k in timed)
        label = f"{param} {start:g} to {stop:g}"
        print(
            f"| {label} | {ok}/50 optimal | {_ms(warm)} | {_ms(warm / 50)} | {_ms(cold)} | "
            f"{_ms(fresh)} | {fresh / warm:.2f}x |"
        )
    for param, start, stop in cases:
        whole, stages = stage_breakdown(project, name, param, start, stop, max(3, runs // 2))
        print(f"\nWhere a warm 50-step {param} sweep spends its {_ms(whole)} (per sweep):\n")
        _print_stages(whole, stages)


class _FullDetailEngine(Engine):
    """An Engine that ignores ``detail="figures"``: what every sweep step cost before."""

    def solve(self, *args, **kwargs):
        kwargs["detail"] = "full"
        return super().solve(*args, **kwargs)


def part_a_detail(runs: int) -> None:
    """The sweep's figures-only solves against full detail, with and without a spread
    limit. Figures only, the closed form is exact with or without one (with one, while
    the limit can be met: docs/spread-band.md) and no program runs."""
    base = parsed(30, 3)
    name = base.scenarios[0].name
    no_spread = set_field(base, "scenarios[0].spread_limit", "")
    print("\nFigures-only steps (what sweep() asks for) against full detail, warm, medians:\n")
    print("| project | sweep | full detail | figures only | speed-up |")
    print("|---|---|---|---|---|")
    for label, project in (("all rules on", base), ("no spread limit", no_spread)):
        for param, start, stop in (("management_fee", 0.0, 0.25), ("ring_fence", 0.0, 0.5)):
            got = {}
            for key, engine in (("full", _FullDetailEngine()), ("figures", Engine())):
                sweep(project, name, param, start, stop, 50, engine=engine)
                run = functools.partial(sweep, project, name, param, start, stop, 50, engine=engine)
                got[key] = statistics.median(_timed(run, runs))
            print(
                f"| {label} | {param} | {_ms(got['full'])} | {_ms(got['figures'])} | "
                f"{got['full'] / got['figures']:.1f}x |"
            )


def _print_stages(whole: float, stages: dict[str, tuple[float, float]]) -> None:
    print("| stage | time | share | calls |")
    print("|---|---|---|---|")
    for label, _, _ in _STAGES:
        if label in stages:
            seconds, calls = stages[label]
            print(f"| {label} | {_ms(seconds)} | {seconds / whole:.0%} | {calls:,.0f} |")
    missing = [label for label, _, _ in _STAGES if label not in stages]
    if missing:
        print("\nNot run in this sweep: " + "; ".join(missing) + ".")
    print(
        "\n(Nested stages overlap: HiGHS solves run inside the leximin rounds; the "
        "timing wrappers add a little to each stage.)"
    )


def _responsiveness(work: Callable[[threading.Event], object], cancel_after: float):
    """Run ``work`` in a thread; press Cancel after ``cancel_after`` s.

    Returns (seconds from Cancel to the thread's return, longest main-thread pause, result).
    """
    cancel = threading.Event()
    box: dict[str, object] = {}

    def run() -> None:
        box["result"] = work(cancel)
        box["ended"] = time.perf_counter()

    thread = threading.Thread(target=run)
    began = time.perf_counter()
    thread.start()
    longest, last, pressed = 0.0, began, None
    while thread.is_alive():
        time.sleep(0.005)  # the app's event loop, in miniature
        now = time.perf_counter()
        longest = max(longest, now - last - 0.005)
        last = now
        if pressed is None and now - began >= cancel_after:
            pressed = now
            cancel.set()
    thread.join()
    if pressed is None:
        return None, longest, box.get("result")
    return float(box["ended"]) - pressed, longest, box.get("result")


def part_b(quick: bool) -> None:
    n, years = 1000, 3
    project = parsed(n, years)
    name = project.scenarios[0].name
    print(f"\n## B. {n:,} partners x {years} years\n")
    engine = Engine()
    steps = 4 if quick else 8
    sweep(project, name, "management_fee", 0.05, 0.12, 2, engine=engine)  # warm it
    gc.collect()
    sw = sweep(project, name, "management_fee", 0.05, 0.12, steps, engine=engine)
    per_step = sw.seconds / len(sw.steps)
    print(
        f"- warm sweep of the management fee, 5% to 12% in {steps} steps: {_ms(sw.seconds)}, "
        f"{_ms(per_step)} per step ({sum(s.ok for s in sw.steps)}/{steps} optimal)"
    )
    rng = random.Random(8)
    latencies, pauses, partial = [], [], []
    for _ in range(3 if quick else 6):
        at = rng.uniform(0.5, 3.5) * per_step

        def work(cancel: threading.Event):
            return sweep(
                project,
                name,
                "management_fee",
                0.05,
                0.12,
                50,
                engine=engine,
                should_cancel=cancel.is_set,
            )

        latency, pause, result = _responsiveness(work, at)
        if latency is not None:
            latencies.append(latency)
            partial.append(len(result.steps))
        pauses.append(pause)
    if latencies:
        print(
            f"- Cancel pressed at random moments ({len(latencies)} runs): the sweep returned "
            f"{_ms(statistics.median(latencies))} later (median), {_ms(max(latencies))} at "
            f"worst; partial sweeps of {min(partial)} to {max(partial)} steps, marked cancelled"
        )
    print(
        f"- longest pause of the main thread while a sweep ran in a worker: "
        f"{_ms(max(pauses))} (median of the runs' longest: {_ms(statistics.median(pauses))})"
    )
    whole, stages = stage_breakdown(project, name, "management_fee", 0.05, 0.12, 1, steps=4)
    print(f"\nWhere a warm 4-step sweep at {n:,} x {years} spends its {_ms(whole)}:\n")
    _print_stages(whole, stages)


def part_c() -> None:
    project = parsed(30, 3)
    name = project.scenarios[0].name
    engine = Engine()
    sweep(project, name, "management_fee", 0.0, 0.25, 50, engine=engine)
    prof = cProfile.Profile()
    prof.enable()
    sweep(project, name, "management_fee", 0.0, 0.25, 50, engine=engine)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    print("\n## C. cProfile of a warm 50-step sweep at 30 x 3 (own time)\n")
    print(out.getvalue())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs and steps")
    ap.add_argument("--runs", type=int, default=None, help="timed runs per figure in part A")
    ap.add_argument("--profile", action="store_true", help="add a cProfile listing (part C)")
    args = ap.parse_args(argv)
    runs = args.runs or (3 if args.quick else 7)
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    print("# Sweep benchmarks")
    print(
        f"\nPython {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} logical CPUs; load average at the start: "
        + ", ".join(f"{v:.2f}" for v in load)
    )
    part_a(runs)
    part_a_detail(runs)
    part_b(args.quick)
    if args.profile:
        part_c()


if __name__ == "__main__":
    main()
