"""When the solver stumbles: a warm start retried cold, a failed later round never 'infeasible'."""

import highspy
import numpy as np
import pytest

from allocator.engine import solve as solve_module
from allocator.engine.instances import year_instances
from allocator.engine.program import YearProgram
from allocator.engine.result import Status
from allocator.engine.solve import Engine, leximin_rounds
from allocator.errors import SolverError

UNKNOWN = highspy.HighsModelStatus.kUnknown


class Stumbling:
    """Wraps a HiGHS object: its first ``fail`` solves end "Unknown" (as a warm
    re-solve at 1,000 partners has been seen to); ``clearSolver`` is recorded."""

    def __init__(self, real, fail: int):
        self.real, self.fail, self.cleared, self.runs = real, fail, 0, 0

    def run(self):
        self.runs += 1
        return self.real.run()

    def getModelStatus(self):
        if self.runs <= self.fail:
            return UNKNOWN
        return self.real.getModelStatus()

    def clearSolver(self):
        self.cleared += 1
        return self.real.clearSolver()

    def __getattr__(self, name):
        return getattr(self.real, name)


def program(sample_project, j=2):
    inst = year_instances(sample_project, sample_project.scenarios[j])[0]
    return YearProgram(inst, "leximin", "highs")


def test_a_warm_solve_ending_unknown_is_retried_cold(sample_project):
    prog = program(sample_project)
    expected = prog.solve()
    prog._highs = Stumbling(prog._highs, fail=1)
    got = prog.solve()
    assert got.status == "optimal" and prog._highs.cleared == 1
    assert np.allclose(got.x, expected.x) and got.objective == pytest.approx(expected.objective)


def test_unknown_even_from_a_cold_start_is_a_solver_error(sample_project):
    prog = program(sample_project)
    prog._highs = Stumbling(prog._highs, fail=2)
    with pytest.raises(SolverError, match="cold start"):
        prog.solve()


def test_a_later_round_without_an_optimum_is_a_solver_error(sample_project, monkeypatch):
    prog = program(sample_project)
    real = YearProgram.solve
    calls = {"n": 0}

    def second_round_fails(self):
        calls["n"] += 1
        sol = real(self)
        if calls["n"] == 2:
            return type(sol)("infeasible", sol.x, sol.row_dual, sol.col_dual, float("nan"))
        return sol

    monkeypatch.setattr(YearProgram, "solve", second_round_fails)
    with pytest.raises(SolverError, match="round 2"):
        leximin_rounds(prog)
    # and the program is back to its own limits for the next solve
    monkeypatch.setattr(YearProgram, "solve", real)
    assert leximin_rounds(prog) is not None


def test_the_engine_never_reports_a_failed_round_as_infeasible(sample_project, monkeypatch):
    """HiGHS failing part-way: the engine falls back to CBC and says so."""
    real = YearProgram.solve

    def highs_fails_later(self):
        sol = real(self)
        if self.solver == "highs" and self.mode == "leximin" and getattr(self, "_seen", False):
            return type(sol)("infeasible", sol.x, sol.row_dual, sol.col_dual, float("nan"))
        self._seen = True
        return sol

    monkeypatch.setattr(YearProgram, "solve", highs_fails_later)
    name = sample_project.scenarios[2].name
    r = Engine(method="rounds").solve(sample_project, [name])[0]
    assert r.status is Status.OPTIMAL
    assert r.solver.startswith("cbc (HiGHS failed:")
    monkeypatch.setattr(YearProgram, "solve", real)
    assert [p.per_year for p in r.partners] == [
        p.per_year for p in Engine(method="rounds").solve(sample_project, [name])[0].partners
    ]


def test_both_solvers_failing_gives_an_error_result(sample_project, monkeypatch):
    def always_fails(self):
        raise SolverError("out of memory")

    monkeypatch.setattr(YearProgram, "solve", always_fails)
    r = Engine().solve(sample_project, [sample_project.scenarios[0].name])[0]
    assert r.status is Status.ERROR and "out of memory" in r.message
    assert not r.partners


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="fast"):
        Engine(method="closest")
    assert solve_module.Engine(method="rounds").method == "rounds"
