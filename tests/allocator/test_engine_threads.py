"""An engine a worker thread can own: threads, cancellation, its cache, no global state."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from allocator.domain import edits
from allocator.domain.model import project_from_dict
from allocator.engine import relax
from allocator.engine.result import Status
from allocator.engine.solve import Engine


def figures(results):
    """Everything a solve decides, in plain values, to compare two solves exactly."""
    return [
        (
            str(r.status),
            r.message,
            [(p.per_year, p.limited_by_per_year, p.reason) for p in r.partners],
            [(b.constraint, b.partner, b.year, round(b.shadow_price, 12)) for b in r.binding],
            [(x.field, x.to_value) for x in r.relaxations],
            r.budget_alternative,
            r.after_relaxations_zero,
        )
        for r in results
    ]


def variants(sample_dict):
    """Feasible and infeasible versions of the sample, each solved in full."""
    out = [project_from_dict(sample_dict)]
    for cap, ring in ((95000, 0.35), (60000, 0.2), (120000, 0.4)):
        p = out[0].with_partner(3, capacity=float(cap)).with_scenario(2, ring_fence=ring)
        out.append(p)
    squeezed = dict(sample_dict, budget={"first_year": 150000, "annual_uplift": 0.02})
    out.append(project_from_dict(squeezed))
    out.append(project_from_dict(larger(sample_dict)))
    return out


def larger(sample_dict, n=80):
    """A bigger consortium with every rule on, so that solves on two threads overlap."""
    rng = np.random.default_rng(7)
    partners = []
    for i in range(n):
        cap = int(rng.integers(20, 400)) * 1000
        partners.append(
            {
                "id": f"p{i}",
                "name": f"Partner {i + 1}",
                "lead": i == 0,
                "by_and_for": bool(rng.random() < 0.4) and i > 0,
                "capacity": cap,
                "floor": int(cap * rng.choice([0, 0, 0.3])),
                "reach": int(rng.integers(50, 5000)),
                "multiple_disadvantage": round(float(rng.random()), 2),
                "back_office_capacity": round(float(rng.random()), 2),
            }
        )
    total = sum(p["capacity"] for p in partners)
    scenario = {
        "name": "All rules",
        "basis": "capacity",
        "core_share": 0.1,
        "management_fee": 0.08,
        "ring_fence": 0.3,
        "needs_floor": 0.3,
        "spread_limit": 3.0,
        "lead_cap": 0.3,
    }
    data = dict(sample_dict, partners=partners, scenarios=[scenario], chosen=None)
    data["budget"] = {"first_year": round(total * 0.6), "annual_uplift": 0.02}
    return data


def test_two_engines_on_two_threads_match_one_after_the_other(sample_dict):
    projects = variants(sample_dict)
    rounds = 3
    sequential = Engine()
    expected = [figures(sequential.solve(p)) for p in projects]

    got: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(k: int) -> None:
        try:
            engine = Engine()  # each thread owns its engine
            start.wait()
            out = []
            for _ in range(rounds):
                order = projects if k == 0 else list(reversed(projects))
                solved = {id(p): figures(engine.solve(p)) for p in order}
                out.append([solved[id(p)] for p in projects])
            got[k] = out
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    for k in range(2):
        for each in got[k]:
            assert each == expected


class CancelAfter:
    """A should_cancel that turns true at its ``n``-th call (counting from 1)."""

    def __init__(self, n: float):
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls >= self.n


def test_cancel_part_way_then_the_same_engine_solves(sample_project):
    total = CancelAfter(float("inf"))
    reference = figures(Engine().solve(sample_project, should_cancel=total))
    assert total.calls > 5  # polled between years and rounds
    engine = Engine()
    for n in range(1, total.calls + 1):
        results = engine.solve(sample_project, should_cancel=CancelAfter(n))
        statuses = [r.status for r in results]
        assert Status.CANCELLED in statuses
        k = statuses.index(Status.CANCELLED)
        # every scenario from the cancelled one on says so, with no figures
        assert statuses[k:] == [Status.CANCELLED] * (len(statuses) - k)
        assert all(not r.partners and not r.relaxations for r in results[k:])
        # finished scenarios before it are whole
        assert all(r.status is Status.OPTIMAL for r in results[:k])
        assert figures(engine.solve(sample_project)) == reference


def test_cancel_during_the_search_for_suggestions(sample_dict, monkeypatch):
    sample_dict["budget"]["first_year"] = 150000  # floors add up to more
    project = project_from_dict(sample_dict)
    name = "Needs-weighted"
    inside = {"relaxations": 0, "budget": 0}
    real_relax, real_budget = relax.suggest, relax.budget_alternative

    def counted(real, key):
        def run(*args, **kwargs):
            inside[key] += 1
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(relax, "suggest", counted(real_relax, "relaxations"))
    monkeypatch.setattr(relax, "budget_alternative", counted(real_budget, "budget"))

    total = CancelAfter(float("inf"))
    reference = Engine().solve(project, [name], should_cancel=total)[0]
    assert reference.status is Status.INFEASIBLE and reference.relaxations
    # find the poll at which the search for relaxations starts
    first_inside = None
    for n in range(1, total.calls + 1):
        inside["relaxations"] = 0
        probe = CancelAfter(n)
        Engine().solve(project, [name], should_cancel=probe)
        if inside["relaxations"]:
            first_inside = n
            break
    assert first_inside is not None and first_inside < total.calls
    engine = Engine()
    for n in range(first_inside, total.calls + 1):
        inside["relaxations"] = inside["budget"] = 0
        r = engine.solve(project, [name], should_cancel=CancelAfter(n))[0]
        assert r.status is Status.CANCELLED, n
        assert not r.relaxations and r.budget_alternative is None
        again = engine.solve(project, [name])[0]
        assert figures([again]) == figures([reference])


def test_the_cache_is_bounded_by_the_scenarios_there_are(sample_project):
    engine = Engine()
    engine.solve(sample_project)
    names = {s.name for s in sample_project.scenarios}
    assert {k[0] for k in engine._programs} == names
    fewer = edits.remove_scenario(sample_project, 1)
    engine.solve(fewer)
    assert {k[0] for k in engine._programs} == names - {sample_project.scenarios[1].name}
    renamed = edits.rename_scenario(fewer, 0, "Size only")
    engine.solve(renamed)
    assert "Size only" in {k[0] for k in engine._programs}
    assert sample_project.scenarios[0].name not in {k[0] for k in engine._programs}
    shorter = edits.set_field(renamed, "years.count", 2)
    engine.solve(shorter)
    assert max(k[1] for k in engine._programs) == 1
    engine.forget(["Size only"])
    assert "Size only" not in {k[0] for k in engine._programs}


def test_solving_touches_no_process_wide_state(sample_dict, monkeypatch):
    """No file descriptor swapped, no umask read or set, no warning filters changed."""
    import warnings

    def refuse(*_args, **_kwargs):
        raise AssertionError("process-wide state touched while solving")

    sample_dict["budget"]["first_year"] = 150000
    infeasible = project_from_dict(sample_dict)
    filters_before = list(warnings.filters)
    with monkeypatch.context() as m:  # undone before the test runner restores its capture
        for name in ("dup", "dup2", "umask"):
            m.setattr(os, name, refuse)
        for solver in ("highs", "cbc"):
            results = Engine(solver=solver).solve(infeasible, ["Needs-weighted"])
            assert results[0].status is Status.INFEASIBLE and results[0].relaxations
            assert Engine(solver=solver).solve(infeasible, ["Bigger slice (size-proportional)"])
    assert warnings.filters == filters_before


def test_the_solver_prints_nothing(tmp_path):
    """The solver's banner never reaches standard output (it would spoil --json)."""
    code = (
        "import json\n"
        "from allocator.formats.files import load_project\n"
        "from allocator.engine.solve import solve\n"
        "from importlib import resources\n"
        "p = load_project(str(resources.files('resources') / 'sample.fairshare'))\n"
        "for r in solve(p):\n"
        "    assert r.ok\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("method", ["fast", "rounds"])
def test_an_engine_refuses_an_unknown_scenario_by_name(sample_project, method):
    from allocator.errors import ValidationError

    with pytest.raises(ValidationError, match="no scenario called"):
        Engine(method=method).solve(sample_project, ["Nothing like it"])


def test_engines_made_and_dropped_on_one_thread_while_another_solves(sample_dict):
    """HiGHS resets a scheduler shared by the whole process when an instance is freed:
    engines dropped on one thread (the app's main thread after a reset) must never
    crash a solve running on another (its worker). Run in a child process so that a
    crash fails this test instead of the whole run."""
    code = (
        "import json, sys, threading\n"
        "from allocator.domain.model import project_from_dict\n"
        "from allocator.engine.solve import Engine\n"
        "p = project_from_dict(json.loads(sys.stdin.read()))\n"
        "stop = threading.Event()\n"
        "def worker():\n"
        "    e = Engine()\n"
        "    while not stop.is_set():\n"
        "        e.solve(p)\n"
        "        e = Engine()\n"
        "t = threading.Thread(target=worker)\n"
        "t.start()\n"
        "for _ in range(40):\n"
        "    Engine().solve(p)\n"
        "stop.set()\n"
        "t.join()\n"
        "print('ok')\n"
    )
    import json

    r = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(sample_dict),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
