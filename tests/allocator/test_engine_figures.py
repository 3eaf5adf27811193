"""Figures-only solves (what a sweep asks for) give the very figures of a full solve."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.domain.edits import set_field
from allocator.domain.model import project_from_dict
from allocator.engine.solve import Engine, Status
from allocator.report.sweep import sweep

from .strategies import projects

NEEDS = "Needs-weighted"
RING = "Needs-weighted, 30% ring-fence, 10% fee"


def _figures(result) -> tuple:
    """Everything a sweep step keeps: status, grants, lines, limits, binding rules, measures."""
    partners = tuple(
        (p.id, p.included, p.per_year, p.limited_by_per_year, tuple(p.lines.values()))
        for p in result.partners
    )
    binding = tuple((b.constraint, b.partner, b.year) for b in result.binding)
    return (result.status, result.fee, partners, binding, result.metrics, result.budget)


def _both(project):
    full = Engine().solve(project)
    figures = Engine().solve(project, detail="figures")
    return full, figures


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(core_share=True), st.booleans())
def test_figures_equal_a_full_solve_on_random_consortia(data, spread):
    if not spread:
        data["scenarios"][0].pop("spread_limit", None)
    project = project_from_dict(data)
    full, figures = _both(project)
    for a, b in zip(full, figures, strict=True):
        assert _figures(a) == _figures(b)
        if a.status is Status.OPTIMAL:
            assert b.message == a.message
            assert all(not p.reason for p in b.partners)
            assert all(x.shadow_price == 0 and not x.explanation for x in b.binding)
        if a.status is Status.INFEASIBLE:
            assert b.checks == a.checks[: len(b.checks)]
            assert not b.relaxations and b.budget_alternative is None


def test_figures_skip_the_programs_without_a_spread_limit(sample_project, monkeypatch):
    from allocator.engine import program

    project = set_field(sample_project, "scenarios[0].spread_limit", "")
    calls = []
    real = program.YearProgram.solve
    monkeypatch.setattr(program.YearProgram, "solve", lambda self: calls.append(1) or real(self))
    [r] = Engine().solve(project, [NEEDS], detail="figures")
    assert r.ok and calls == []
    Engine().solve(project, [NEEDS])
    assert calls  # a full solve confirms the split with the programs


@pytest.mark.parametrize(
    ("scenario", "param", "start", "stop"),
    [(RING, "ring_fence", 0.0, 0.9), (NEEDS, "budget.first_year", 100_000, 3_000_000)],
)
def test_the_sample_sweep_equals_full_solves(sample_project, scenario, param, start, stop):
    sw = sweep(sample_project, scenario, param, start, stop, 12)
    path = sw.path
    assert {s.status for s in sw.steps} >= {"optimal"}
    for step in sw.steps:
        [full] = Engine().solve(set_field(sample_project, path, step.value), [scenario])
        [fig] = Engine().solve(
            set_field(sample_project, path, step.value), [scenario], detail="figures"
        )
        assert _figures(fig) == _figures(full)
        assert step.status == str(full.status.value)
        if full.ok:
            assert step.grants == tuple(p.total for p in full.partners)


def test_an_unknown_detail_is_refused(sample_project):
    with pytest.raises(ValueError, match="figures"):
        Engine().solve(sample_project, detail="words")
