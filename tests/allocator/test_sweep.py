"""Sensitivity sweeps: each step is the split a fresh solve gives at that value."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from importlib import resources

import pytest

from allocator.domain.edits import set_field
from allocator.domain.fields import FieldSpec
from allocator.engine.metrics import gini
from allocator.engine.solve import Engine
from allocator.errors import ValidationError
from allocator.formats.files import loads_project
from allocator.report.sweep import (
    MAX_STEPS,
    SWEEP_PARAMS,
    apply_step,
    default_range,
    is_share,
    make_scenario,
    param_choices,
    step_scenario_name,
    sweep,
    sweep_basis,
    swept_setting,
)

NEEDS = "Needs-weighted"
FEE = "Needs-weighted, 30% ring-fence, 10% fee"


def _index(project, name: str) -> int:
    return [s.name for s in project.scenarios].index(name)


def _fresh(project, path: str, value: float, name: str):
    """What a person gets by setting the value and solving with a new engine."""
    return Engine().solve(set_field(project, path, value), [name])[0]


def _assert_step_is_fresh_solve(step, fresh) -> None:
    assert step.status == str(getattr(fresh.status, "value", fresh.status))
    if step.status != "optimal":
        assert step.grants is None and step.measures is None
        return
    by_index = {p.index: p for p in fresh.partners}
    assert step.grants == tuple(by_index[i].total for i in range(len(step.grants)))
    assert step.limited_by == tuple(
        tuple(by_index[i].limited_by) for i in range(len(step.limited_by))
    )
    assert step.fee == sum(fresh.fee)
    for key in ("min_attainment", "max_attainment", "gini", "by_and_for_share", "lead_share"):
        assert step.measures.get(key) == pytest.approx(getattr(fresh.metrics, key), rel=1e-12)


@pytest.fixture(scope="module")
def ring_sweep():
    """The needs-weighted scenario of the sample, ring-fence 0% to 60% in 13 steps."""
    text = resources.files("resources").joinpath("sample.fairshare").read_text("utf-8")
    project = loads_project(text)
    return project, sweep(project, NEEDS, "ring_fence", 0.0, 0.6, 13)


def test_ring_fence_steps_equal_fresh_solves(ring_sweep):
    project, sw = ring_sweep
    j = _index(project, NEEDS)
    assert sw.complete and not sw.cancelled
    assert len(sw.steps) == 13
    assert [s.value for s in sw.steps] == pytest.approx([k * 0.05 for k in range(13)])
    assert sw.path == f"scenarios[{j}].ring_fence"
    for step in sw.steps:
        _assert_step_is_fresh_solve(step, _fresh(project, sw.path, step.value, NEEDS))


def test_management_fee_steps_equal_fresh_solves(sample_project):
    sw = sweep(sample_project, FEE, "management_fee", 0.0, 0.25, 11)
    j = _index(sample_project, FEE)
    assert sw.complete
    fees = []
    for step in sw.steps:
        _assert_step_is_fresh_solve(
            step, _fresh(sample_project, f"scenarios[{j}].management_fee", step.value, FEE)
        )
        fees.append(step.fee)
    assert fees == sorted(fees) and fees[0] == 0 < fees[-1]


def test_budget_and_weight_steps_equal_fresh_solves(sample_project):
    j = _index(sample_project, NEEDS)
    budget = sweep(sample_project, NEEDS, "budget.first_year", 900_000, 1_500_000, 4)
    assert budget.scope == "project" and budget.path == "budget.first_year"
    for step in budget.steps:
        _assert_step_is_fresh_solve(
            step, _fresh(sample_project, "budget.first_year", step.value, NEEDS)
        )
    weight = sweep(sample_project, NEEDS, "weights.back_office_gap", 0.0, 2.0, 5)
    for step in weight.steps:
        _assert_step_is_fresh_solve(
            step,
            _fresh(sample_project, f"scenarios[{j}].weights.back_office_gap", step.value, NEEDS),
        )


def test_raising_the_ring_fence_never_lowers_the_by_and_for_share(ring_sweep):
    project, sw = ring_sweep
    shares = [s.measures.by_and_for_share for s in sw.steps if s.ok]
    distributable = sum(project.budgets())
    assert len(shares) >= 8
    for a, b in zip(shares, shares[1:], strict=False):
        assert b >= a - 1 / distributable  # one currency unit of rounding at most
    for s in sw.steps:
        if s.ok:
            assert s.measures.by_and_for_share >= s.value - 1 / distributable


def test_raising_core_share_moves_the_split_towards_equal(sample_project):
    sw = sweep(sample_project, NEEDS, "core_share", 0.0, 1.0, 6)
    assert all(s.ok for s in sw.steps)
    ginis = [gini(list(s.grants)) for s in sw.steps]
    biggest = [max(s.grants) for s in sw.steps]
    smallest = [min(s.grants) for s in sw.steps]
    for k in range(1, len(sw.steps)):
        assert ginis[k] <= ginis[k - 1] + 1e-9
        assert biggest[k] <= biggest[k - 1] + 3
        assert smallest[k] >= smallest[k - 1] - 3
    assert ginis[-1] < ginis[0]


def test_infeasible_steps_are_marked(ring_sweep):
    _, sw = ring_sweep
    statuses = [s.status for s in sw.steps]
    assert statuses[0] == "optimal" and statuses[-1] == "infeasible"
    first_bad = statuses.index("infeasible")
    assert all(s == "infeasible" for s in statuses[first_bad:])
    bad = sw.steps[first_bad]
    assert bad.grants is None and bad.measures is None and bad.limited_by == ()
    assert bad.message
    status_events = [e for e in sw.events if e.kind == "status"]
    assert [(e.step, e.status) for e in status_events] == [(first_bad, "infeasible")]
    assert "stops being possible" in status_events[0].words
    assert bad.shown in status_events[0].words


def test_rules_starting_to_bind_are_marked(ring_sweep):
    _, sw = ring_sweep
    binds = [k for k, s in enumerate(sw.steps) if "ring-fence" in s.rules]
    assert binds, "the ring-fence binds somewhere on the way to infeasible"
    starts = [e for e in sw.events if e.kind == "starts" and e.rule == "ring-fence"]
    whole = [e for e in starts if e.partner is None]
    assert [e.step for e in whole] == [binds[0]]
    assert "ring-fence" in whole[0].words and sw.steps[binds[0]].shown in whole[0].words
    # every partner-level mark agrees with the steps either side of it
    for e in sw.events:
        if e.partner is None or e.kind == "status":
            continue
        before = sw.steps[e.step - 1].limited_by[e.partner]
        after = sw.steps[e.step].limited_by[e.partner]
        assert (e.rule in after) == (e.kind == "starts")
        assert (e.rule in before) == (e.kind == "stops")


def test_progress_is_reported_step_by_step(sample_project):
    seen = []
    sweep(
        sample_project, NEEDS, "needs_floor", 0.0, 1.0, 5, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(k, 5) for k in range(6)]


def test_cancel_between_steps_returns_the_partial_sweep(sample_project):
    stop = {"now": False}

    def progress(done: int, total: int) -> None:
        stop["now"] = done >= 4

    sw = sweep(
        sample_project,
        NEEDS,
        "ring_fence",
        0.0,
        0.6,
        13,
        should_cancel=lambda: stop["now"],
        progress=progress,
    )
    assert sw.cancelled and not sw.complete
    assert len(sw.steps) == 4 and sw.count == 13
    assert json.loads(json.dumps(sw.to_json(), allow_nan=False))["cancelled"] is True
    full = sweep(sample_project, NEEDS, "ring_fence", 0.0, 0.6, 13)
    assert [s.grants for s in sw.steps] == [s.grants for s in full.steps[:4]]


def test_cancel_inside_a_step_stops_within_that_step(sample_project):
    # Armed once the first step is done: the sweep's own check before the second step
    # says go on, so the stop comes from inside the engine's solve of that step.
    state = {"armed": False, "calls": 0}

    def progress(done: int, total: int) -> None:
        state["armed"] = done >= 1

    def should_cancel() -> bool:
        if not state["armed"]:
            return False
        state["calls"] += 1
        return state["calls"] >= 2

    sw = sweep(
        sample_project,
        FEE,
        "ring_fence",
        0.0,
        0.4,
        20,
        should_cancel=should_cancel,
        progress=progress,
    )
    assert sw.cancelled and not sw.complete
    assert [s.index for s in sw.steps] == [0]
    assert state["calls"] == 2


def test_json_and_csv_are_safe_and_complete(ring_sweep):
    project, sw = ring_sweep
    data = json.loads(json.dumps(sw.to_json(), allow_nan=False))
    assert data["scenario"] == NEEDS and data["param"] == "ring_fence"
    assert len(data["steps"]) == 13 and len(data["partners"]) == len(project.partners)
    assert {"min_attainment", "gini", "by_and_for_share"} <= set(data["steps"][0]["measures"])
    assert data["steps"][-1]["grants"] is None
    rows = sw.to_csv_rows()
    assert len(rows) == 14
    assert rows[0][0].startswith("Ring-fence") and rows[0][1] == "Status"
    assert all(len(r) == len(rows[0]) for r in rows)
    for p in project.partners:
        assert p.name in rows[0]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    back = list(csv.reader(io.StringIO(out.getvalue())))
    assert float(back[7][0]) == pytest.approx(0.3)
    first_grant = rows[0].index(project.partners[0].name)
    assert int(back[1][first_grant]) == sw.steps[0].grants[0]


def test_make_scenario_copies_the_swept_scenario_with_that_value(ring_sweep):
    project, sw = ring_sweep
    step = sw.steps[6]
    assert step_scenario_name(sw, step) == "Needs-weighted, ring-fence 30.0%"
    made = make_scenario(project, sw, 6)
    assert len(made.scenarios) == len(project.scenarios) + 1
    new = made.scenarios[-1]
    old = project.scenario(NEEDS)
    assert new.name == "Needs-weighted, ring-fence 30.0%"
    assert new.ring_fence == pytest.approx(0.3)
    assert new.weights == old.weights and new.unrestricted_share == old.unrestricted_share
    assert project.scenarios == made.scenarios[:-1]  # nothing else changed
    result = Engine().solve(made, [new.name])[0]
    assert tuple(p.total for p in result.partners) == step.grants
    again = make_scenario(made, sw, 6)
    assert again.scenarios[-1].name != new.name
    assert len({s.name for s in again.scenarios}) == len(again.scenarios)


def test_project_settings_are_applied_not_made_scenarios(sample_project):
    sw = sweep(sample_project, NEEDS, "budget.first_year", 1_000_000, 1_400_000, 3)
    with pytest.raises(ValidationError):
        make_scenario(sample_project, sw, 1)
    applied = apply_step(sample_project, sw, 2)
    assert applied.budget.first_year == 1_400_000
    assert applied.scenarios == sample_project.scenarios


def test_scenario_names_match_ignoring_case(sample_project):
    sw = sweep(sample_project, "needs-WEIGHTED", "ring_fence", 0.0, 0.1, 2)
    assert sw.scenario == NEEDS


@pytest.mark.parametrize(
    ("scenario", "param", "start", "stop", "steps", "words"),
    [
        ("Nobody", "ring_fence", 0.0, 0.5, 3, "'Needs-weighted'"),
        (NEEDS, "ring_fences", 0.0, 0.5, 3, "ring_fence"),
        (NEEDS, "basis", 0.0, 0.5, 3, "cannot be swept"),
        (NEEDS, "ring_fence", 0.0, 1.5, 3, "at most"),
        (NEEDS, "management_fee", 0.0, 0.3, 3, "at most"),
        (NEEDS, "ring_fence", 0.0, 0.5, 1, "steps"),
        (NEEDS, "ring_fence", 0.0, 0.5, MAX_STEPS + 1, "steps"),
        (NEEDS, "ring_fence", float("nan"), 0.5, 3, "ordinary number"),
        (NEEDS, "years.count", 1, 3, 3, "cannot be swept"),
    ],
)
def test_bad_requests_are_refused_before_any_solve(
    sample_project, scenario, param, start, stop, steps, words
):
    with pytest.raises(ValidationError) as err:
        sweep(sample_project, scenario, param, start, stop, steps)
    assert words in str(err.value) or words in str(err.value.problems)


def test_the_settings_offered_are_the_usual_ones_and_each_can_be_swept(sample_project):

    choices = param_choices(sample_project)
    assert [p for p, _label in choices] == list(SWEEP_PARAMS)
    assert dict(choices)["budget.first_year"] == "Budget: grant in the first year"
    for param, _label in choices:
        setting = swept_setting(sample_project, NEEDS, param)
        start, stop = setting.default_range()
        assert start < stop
        if setting.current is not None:
            assert start <= setting.current <= stop


def test_a_grant_given_year_by_year_is_offered_one_year_at_a_time(sample_project):

    years = list(sample_project.years)
    budget = replace(sample_project.budget, per_year=tuple(1_000_000.0 for _ in years))
    project = replace(sample_project, budget=budget)
    budget = [c for c in param_choices(project) if c[0].startswith("budget.")]
    assert budget == [
        (f"budget.per_year[{k}]", f"Budget: grant for {year}") for k, year in enumerate(years)
    ]
    setting = swept_setting(project, NEEDS, "budget.per_year[1]")
    assert setting.scope == "project" and setting.current == 1_000_000
    assert setting.default_range() == (500_000.0, 1_500_000.0)
    with pytest.raises(ValidationError):
        swept_setting(project, NEEDS, "budget.first_year")


def test_a_swept_setting_reads_its_scope_value_and_words(sample_project):

    ring = swept_setting(sample_project, NEEDS.lower(), "ring_fence")
    j = _index(sample_project, NEEDS)
    assert str(ring.path) == f"scenarios[{j}].ring_fence" and ring.scope == "scenario"
    assert is_share(ring.spec) and ring.default_range() == (0.0, 1.0)
    assert ring.shown == f"{ring.current * 100:.1f}%"
    budget = swept_setting(sample_project, NEEDS, "budget.first_year")
    assert budget.scope == "project" and budget.shown.startswith("£")
    with pytest.raises(ValidationError):
        swept_setting(sample_project, NEEDS, "no_such_setting")
    with pytest.raises(ValidationError):
        swept_setting(sample_project, "No such scenario", "ring_fence")


def test_default_ranges_keep_the_current_value_inside_and_respect_bounds():

    money = FieldSpec("x", "x", "money", "X", "", minimum=0.0, exclusive_min=True)
    assert default_range(money, 200_000) == (100_000.0, 300_000.0)
    assert default_range(money, None) == (500_000.0, 1_500_000.0)
    ratio = FieldSpec("x", "x", "ratio", "X", "", minimum=1.0, maximum=4.0)
    assert default_range(ratio, 1.5) == (1.0, 4.0)
    share = FieldSpec("x", "x", "share", "X", "", minimum=0.0, maximum=0.5)
    assert default_range(share, 0.3) == (0.0, 0.5)
    weight = FieldSpec("x", "x", "number", "X", "", minimum=0.0, exclusive_min=True)
    assert default_range(weight, 3.0) == (0.01, 6.0)


def test_the_basis_ignores_other_scenarios_but_not_the_swept_one(sample_project):

    basis = sweep_basis(sample_project, NEEDS)
    assert basis is not None and sweep_basis(sample_project, "No such scenario") is None
    others = [s for s in sample_project.scenarios if s.name != NEEDS]
    renamed = set_field(
        sample_project, f"scenarios[{_index(sample_project, others[0].name)}].name", "Other"
    )
    assert sweep_basis(renamed, NEEDS) == basis
    j = _index(sample_project, NEEDS)
    changed = set_field(sample_project, f"scenarios[{j}].ring_fence", 0.2)
    assert sweep_basis(changed, NEEDS) != basis
