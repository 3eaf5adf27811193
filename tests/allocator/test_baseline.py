"""Scenarios against a baseline: the changes add up and mean one thing everywhere."""

from __future__ import annotations

import json

import pytest

from allocator.domain.edits import set_field
from allocator.engine.solve import Engine
from allocator.errors import ValidationError
from allocator.report.baseline import (
    MEASURES,
    SIZE_PROPORTIONAL,
    compare_to_baseline,
    parameter_differences,
    resolve_scenario_name,
)
from allocator.report.compare import scenario_total, side_by_side

NEEDS = "Needs-weighted"
BIGGER = "Bigger slice (size-proportional)"


@pytest.fixture
def results(sample_project):
    return Engine().solve(sample_project)


def test_a_scenario_against_itself_changes_nothing(sample_project, results):
    for r in results:
        cmp = compare_to_baseline(sample_project, results, r.name)
        assert cmp.baseline == r.name and cmp.baseline_is_scenario
        own = cmp.scenario(r.name)
        assert own.ok
        assert all(p.change == 0 for p in own.partners)
        assert all(p.relative_change in (0, None) for p in own.partners)
        assert all(p.baseline == p.received for p in own.partners)
        for key, _ in MEASURES:
            change = own.measure_changes.get(key)
            assert change is None or change == 0


def test_default_baseline_is_the_results_vs_size_proportional(sample_project, results):
    cmp = compare_to_baseline(sample_project, results)
    assert cmp.baseline == SIZE_PROPORTIONAL and not cmp.baseline_is_scenario
    assert compare_to_baseline(sample_project, results, "size-proportional") == cmp
    assert len(cmp.scenarios) == len(results)
    for r, s in zip(results, cmp.scenarios, strict=True):
        assert s.name == r.name and s.ok
        for pr, pc in zip(r.partners, s.partners, strict=True):
            assert pc.id == pr.id
            assert pc.received == pr.received == pr.total + sum(pr.lines["management"])
            assert pc.baseline == sum(pr.size_proportional)
            assert pc.change == pr.vs_size_proportional
            assert pc.relative_change == pytest.approx(pc.change / pc.baseline)
        # the size-proportional split shares the same whole budget, fee included
        assert sum(p.change for p in s.partners) == 0
    first = results[0]
    assert cmp.baseline_received == tuple(sum(p.size_proportional) for p in first.partners)


def test_changes_against_a_named_baseline_add_up(sample_project, results):
    cmp = compare_to_baseline(sample_project, results, NEEDS)
    base = next(r for r in results if r.name == NEEDS)
    for r, s in zip(results, cmp.scenarios, strict=True):
        for pr, pc, bp in zip(r.partners, s.partners, base.partners, strict=True):
            assert pc.baseline == bp.received
            assert pc.change == pr.received - bp.received
            assert pc.relative_change == pytest.approx((pr.received - bp.received) / bp.received)
        # every scenario shares the same budget, so gains and losses cancel out
        assert sum(p.change for p in s.partners) == 0
        for key, _ in MEASURES:
            got = s.measure_changes.get(key)
            want = getattr(r.metrics, key) - getattr(base.metrics, key)
            assert got == pytest.approx(want, abs=1e-12)


def test_baseline_names_match_ignoring_case_and_unknown_names_are_listed(sample_project, results):
    cmp = compare_to_baseline(sample_project, results, "  NEEDS-weighted ")
    assert cmp.baseline == NEEDS
    with pytest.raises(ValidationError) as err:
        compare_to_baseline(sample_project, results, "Needs weighted 2")
    text = str(err.value)
    assert err.value.problems[0].path == "baseline"
    for s in sample_project.scenarios:
        assert repr(s.name) in text
    assert repr(SIZE_PROPORTIONAL) in text


def test_ambiguous_names_are_refused():
    assert resolve_scenario_name(["Plan", "PLAN"], "PLAN") == "PLAN"
    with pytest.raises(ValidationError) as err:
        resolve_scenario_name(["Plan", "PLAN"], "plan")
    assert "'Plan' and 'PLAN'" in str(err.value)


def test_a_named_baseline_that_was_not_solved_is_solved_for_the_comparison(sample_project, results):
    others = [r for r in results if r.name != NEEDS]
    cmp = compare_to_baseline(sample_project, others, NEEDS)
    assert [s.name for s in cmp.scenarios] == [r.name for r in others]
    base = next(r for r in results if r.name == NEEDS)
    assert cmp.baseline_received == tuple(p.received for p in base.partners)
    whole = compare_to_baseline(sample_project, None, NEEDS)
    assert [s.name for s in whole.scenarios] == [s.name for s in sample_project.scenarios]


def test_infeasible_scenarios_are_carried_without_figures(sample_project):
    j = [s.name for s in sample_project.scenarios].index(NEEDS)
    project = set_field(sample_project, f"scenarios[{j}].ring_fence", 0.6)
    results = Engine().solve(project)
    cmp = compare_to_baseline(project, results)
    bad = cmp.scenario(NEEDS)
    assert bad.status == "infeasible" and not bad.ok
    assert bad.partners == () and bad.measures is None and bad.measure_changes is None
    assert bad.message
    assert all(s.ok for s in cmp.scenarios if s.name != NEEDS)
    data = json.loads(json.dumps(cmp.to_json(), allow_nan=False))
    assert any(s["status"] == "infeasible" and s["partners"] == [] for s in data["scenarios"])

    against_bad = compare_to_baseline(project, results, NEEDS)
    assert against_bad.baseline_status == "infeasible"
    assert against_bad.baseline_received is None
    for s in against_bad.scenarios:
        assert all(p.change is None and p.baseline is None for p in s.partners)
        assert s.measure_changes is None
    json.dumps(against_bad.to_json(), allow_nan=False)


def test_json_carries_every_scenario_partner_change_and_measure(sample_project, results):
    cmp = compare_to_baseline(sample_project, results, BIGGER)
    data = json.loads(json.dumps(cmp.to_json(), allow_nan=False))
    assert data["baseline"]["name"] == BIGGER and data["baseline"]["kind"] == "scenario"
    assert [s["name"] for s in data["scenarios"]] == [s.name for s in sample_project.scenarios]
    ids = [p.id for p in sample_project.partners]
    assert [p["id"] for p in data["partners"]] == ids
    for s in data["scenarios"]:
        assert [p["id"] for p in s["partners"]] == ids
        for p in s["partners"]:
            assert {"received", "baseline", "change", "relative_change"} <= set(p)
        for block in ("measures", "measure_changes"):
            assert {"min_attainment", "gini", "by_and_for_share"} <= set(s[block])


def test_json_is_safe_when_a_partner_gets_nothing(sample_project):
    # Leaving a partner out gives it nothing: its change has no percent, and the
    # measures stay numbers or null.
    j = [s.name for s in sample_project.scenarios].index(NEEDS)
    project = set_field(sample_project, f"scenarios[{j}].excluded", ("amani",))
    cmp = compare_to_baseline(project, baseline=BIGGER)
    amani = cmp.scenario(NEEDS).partner("amani")
    assert not amani.included and amani.received == 0
    assert amani.change == -amani.baseline and amani.relative_change == -1
    default = compare_to_baseline(project)
    left_out = default.scenario(NEEDS).partner("amani")
    assert left_out.baseline == 0 and left_out.change == 0 and left_out.relative_change is None
    json.dumps(default.to_json(), allow_nan=False)
    json.dumps(cmp.to_json(), allow_nan=False)


def test_settings_that_differ_are_listed(sample_project):
    names = [s.name for s in sample_project.scenarios]
    diffs = {d.path: d for d in parameter_differences(sample_project, names)}
    assert "ring_fence" in diffs and "management_fee" in diffs
    assert "weights.multiple_disadvantage" in diffs
    assert diffs["ring_fence"].label.startswith("Ring-fence")
    ring = [s.ring_fence for s in sample_project.scenarios]
    assert diffs["ring_fence"].values == tuple(ring)
    assert (
        diffs["ring_fence"].shown[names.index("Needs-weighted, 30% ring-fence, 10% fee")] == "30%"
    )
    # the same everywhere: not listed
    assert "back_office_rate.base" not in diffs and "excluded" not in diffs
    assert parameter_differences(sample_project, [NEEDS]) == ()
    # only what differs between the scenarios compared
    pair = {d.path for d in parameter_differences(sample_project, [BIGGER, NEEDS])}
    assert pair == {
        "weights.multiple_disadvantage",
        "weights.back_office_gap",
        "unrestricted_share",
    }


def test_size_proportional_measures_read_the_baseline_split(sample_project, results):
    cmp = compare_to_baseline(sample_project, results)
    budget = sum(sample_project.budgets())
    for r, s in zip(results, cmp.scenarios, strict=True):
        lead = next(p for p in r.partners if p.lead)
        bf = sum(sum(p.size_proportional) for p in r.partners if p.by_and_for)
        assert s.baseline_measures.lead_share == pytest.approx(sum(lead.size_proportional) / budget)
        assert s.baseline_measures.by_and_for_share == pytest.approx(bf / budget)
        assert s.measure_changes.gini == pytest.approx(s.measures.gini - s.baseline_measures.gini)


def test_table_rows_hold_every_partner_and_measure(sample_project, results):
    cmp = compare_to_baseline(sample_project, results, NEEDS)
    rows = cmp.table_rows()
    assert len(rows) == 1 + len(sample_project.partners) + len(MEASURES)
    assert all(len(r) == len(rows[0]) for r in rows)
    k = 1 + 3 * [r.name for r in results].index(NEEDS)
    assert all(row[k + 1] == 0 for row in rows[1 : 1 + len(sample_project.partners)])


def test_totals_add_up_each_partners_change(sample_project, results):
    for baseline in (None, results[0].name):
        cmp = compare_to_baseline(sample_project, results, baseline)
        for s in cmp.scenarios:
            t = scenario_total(s)
            assert t is not None
            assert t.received == sum(p.received for p in s.partners)
            assert t.change == sum(p.change for p in s.partners)
            assert t.baseline == sum(p.baseline for p in s.partners)
            assert t.relative_change == pytest.approx(t.change / t.baseline)


def test_side_by_side_lends_a_baseline_that_is_not_ticked(sample_project, results):
    ticked, base = results[1:3], results[0]
    shown = side_by_side(sample_project, ticked, base.name, base)
    assert [s.name for s in shown.comparison.scenarios] == [r.name for r in ticked]
    assert shown.baseline == base.name and not shown.baseline_pending
    full = compare_to_baseline(sample_project, [*ticked, base], base.name)
    assert shown.comparison.scenarios == full.scenarios[:2]
    assert shown.baseline_total == sum(p.received for p in base.partners)
    assert shown.baseline_measures == full.scenario(base.name).measures
    assert shown.total(ticked[0].name) == scenario_total(full.scenarios[0])
    assert shown.baseline_received(0) == full.baseline_received[0]


def test_side_by_side_waits_for_a_baseline_still_being_worked_out(sample_project, results):
    shown = side_by_side(sample_project, results[1:], results[0].name, None)
    assert shown.baseline_pending and shown.baseline == results[0].name
    assert shown.comparison.baseline_is_scenario
    assert shown.baseline_total is None and shown.baseline_received(0) is None


def test_side_by_side_falls_back_to_size_when_the_baseline_has_gone(sample_project, results):
    shown = side_by_side(sample_project, results, "Gone", results[0])
    assert shown.baseline == SIZE_PROPORTIONAL and not shown.baseline_pending
    sized = side_by_side(sample_project, results, SIZE_PROPORTIONAL)
    assert shown.comparison == sized.comparison
    assert sized.baseline_measures is None
    assert sized.baseline_total == sum(sized.comparison.baseline_received)


def test_the_rules_kept_are_compared_in_words(sample_project):
    from allocator.domain import edits

    project = edits.set_field(sample_project, "scenarios[1].keep", "ring_fence, core_share")
    names = [s.name for s in project.scenarios[:3]]
    diffs = {d.path: d for d in parameter_differences(project, names)}
    kept = diffs["keep"]
    assert kept.label == "Rules suggestions keep"
    assert kept.shown[1] == "ring-fence, core share"
    assert kept.shown[0] == "ring-fence, needs floor, spread limit, lead cap, core share"
    assert list(diffs)[-1] == "keep"  # after the settings that shape a split
    project = edits.set_field(project, "scenarios[1].keep", "")
    assert parameter_differences(project, names)[-1].shown[1] == "none"
