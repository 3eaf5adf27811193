"""Results are immutable, say how the solve ended and which project they belong to."""

import copy
import dataclasses
import json
import pickle

import pytest
from hypothesis import HealthCheck, given, settings

from allocator.domain import edits
from allocator.domain.edits import project_fingerprint
from allocator.domain.model import project_from_dict
from allocator.engine.instances import zero_fair_shares
from allocator.engine.result import Binding, PartnerResult, Status
from allocator.engine.solve import Engine, solve
from allocator.errors import Problem

from .strategies import projects


def test_results_cannot_be_changed(sample_project):
    r = solve(sample_project)[2]
    p = r.partners[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.status = Status.ERROR
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.per_year = (0, 0, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.metrics.gini = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.binding[0].shadow_price = 1.0
    for value in (r.partners, r.binding, r.relaxations, r.checks, r.fee, r.budget, r.years):
        assert isinstance(value, tuple)
    for value in (p.per_year, p.fair_share, p.limited_by_per_year, p.size_proportional):
        assert isinstance(value, tuple)
    with pytest.raises(TypeError):
        p.lines["delivery"] = (0, 0, 0)
    with pytest.raises(TypeError):
        p.lines.update(delivery=(0, 0, 0))
    assert all(isinstance(v, tuple) for v in p.lines.values())
    assert dict(p.lines)["delivery"] == p.lines["delivery"]
    # a copy through pickle (as a queue between threads may make) is equal
    assert pickle.loads(pickle.dumps(r)) == r
    assert copy.deepcopy(r) == r


def test_partners_are_the_dataclass_built_the_ordinary_way(sample_project):
    """The engine builds partners' results and bare bindings without the dataclasses'
    own __init__ (for speed): every field is there, and each equals, hashes, copies and
    pickles like one built the ordinary way."""
    for detail in ("full", "figures"):
        for r in Engine().solve(sample_project, detail=detail):
            for p in r.partners:
                fields = {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}
                ordinary = PartnerResult(**fields)
                assert p == ordinary and hash(p) == hash(ordinary)
                assert vars(p) == vars(ordinary)
                assert pickle.loads(pickle.dumps(p)) == ordinary
                assert copy.deepcopy(p) == ordinary
                with pytest.raises(dataclasses.FrozenInstanceError):
                    p.total_units = 0
            for b in r.binding:
                fields = {f.name: getattr(b, f.name) for f in dataclasses.fields(b)}
                ordinary = Binding(**fields)
                assert b == ordinary and hash(b) == hash(ordinary) and vars(b) == vars(ordinary)
                assert pickle.loads(pickle.dumps(b)) == ordinary


def test_status_is_a_string_enum(sample_project):
    r = solve(sample_project)[0]
    assert r.status is Status.OPTIMAL and r.status == "optimal" and str(r.status) == "optimal"
    assert [s.value for s in Status] == ["optimal", "infeasible", "error", "cancelled", "invalid"]
    assert r.to_json()["status"] == "optimal"


def test_each_result_carries_the_fingerprint_of_its_project(sample_project):
    fp = project_fingerprint(sample_project)
    assert {r.fingerprint for r in solve(sample_project)} == {fp}
    edited = edits.set_field(sample_project, "partners[2].floor", "45000")
    again = solve(edited)
    assert {r.fingerprint for r in again} == {project_fingerprint(edited)} != {fp}
    assert all(r.to_json()["fingerprint"] == r.fingerprint for r in again)


def test_a_blank_score_gives_invalid_results_not_an_exception(sample_project):
    blank = edits.set_field(sample_project, "partners[1].multiple_disadvantage", "")
    results = Engine().solve(blank)
    assert [r.status for r in results] == [Status.INVALID] * len(blank.scenarios)
    for r in results:
        assert not r.partners and not r.binding and not r.relaxations
        assert r.metrics.min_attainment == 0 and not r.ok
        assert Problem("partners[1].multiple_disadvantage", r.problems[0].message) in r.problems
        assert "blank" in r.message
        assert r.fingerprint == project_fingerprint(blank)
        json.dumps(r.to_json(), allow_nan=False)
        assert r.to_json()["problems"][0]["path"] == "partners[1].multiple_disadvantage"


def test_a_problem_in_one_scenario_leaves_the_others_solving(sample_project):
    # a fee with no lead in that scenario: only that scenario cannot be solved
    j = 2
    lead = next(p.id for p in sample_project.partners if p.lead)
    broken = edits.set_field(sample_project, f"scenarios[{j}].excluded", lead)
    results = Engine().solve(broken)
    assert results[j].status is Status.INVALID
    assert all(str(p.path).startswith(f"scenarios[{j}]") for p in results[j].problems)
    assert all(r.ok for k, r in enumerate(results) if k != j)


def test_a_project_with_no_grant_yet_is_invalid(sample_project):
    blank = edits.set_field(sample_project, "budget.first_year", "")
    results = Engine().solve(blank)
    assert {r.status for r in results} == {Status.INVALID}
    assert all(r.budget == () for r in results)


def test_a_partner_with_no_need_stops_the_solve_naming_it(sample_dict):
    sample_dict["partners"][4]["reach"] = 0
    sample_dict["scenarios"][3]["core_share"] = 0.0
    project = project_from_dict(sample_dict)
    j = 3  # the reach-basis scenario
    r = solve(project)[j]
    assert r.status is Status.INVALID
    assert [p.path for p in r.problems] == ["partners[4].reach"]
    # the engine's own check, whatever validation already says: a fair share of 0
    [problem] = zero_fair_shares(project, project.scenarios[j])
    assert problem.path == "partners[4].reach" and "Rainbow Refuge Line" in problem.message
    assert zero_fair_shares(project, project.scenarios[0]) == []
    with_core = project.with_scenario(j, core_share=0.3)
    assert zero_fair_shares(with_core, with_core.scenarios[j]) == []


def test_json_is_safe_when_someone_gets_nothing(sample_dict):
    """need_ratio is unbounded when a partner taking part gets nothing: null in JSON."""
    sample_dict["scenarios"][2]["ring_fence"] = 1.0
    sample_dict["scenarios"][2]["management_fee"] = 0.0
    sample_dict["budget"]["first_year"] = 400000
    project = project_from_dict(sample_dict)
    r = solve(project, [sample_dict["scenarios"][2]["name"]])[0]
    assert r.ok, r.message
    assert any(p.total == 0 for p in r.partners if p.included)
    assert r.metrics.need_ratio == float("inf")
    doc = r.to_json()
    assert doc["metrics"]["need_ratio"] is None
    json.dumps(doc, allow_nan=False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_every_result_is_json_safe_by_itself(data):
    for r in solve(project_from_dict(data)):
        text = json.dumps(r.to_json(), allow_nan=False)
        back = json.loads(text)
        for key in ("name", "status", "message", "budget", "partners", "metrics", "binding"):
            assert key in back
        assert "relaxations" in back and "budget_alternative" in back


def test_a_caller_may_hand_over_its_own_checks(sample_project):
    """The app validates every edit already; the engine then takes its word."""
    fp = project_fingerprint(sample_project)
    given = [Problem("partners[0].capacity", "is blank: enter the most it can absorb")]
    results = Engine().solve(sample_project, fingerprint=fp, problems=given)
    assert {r.status for r in results} == {Status.INVALID}
    assert all(r.problems == tuple(given) and r.fingerprint == fp for r in results)
    assert all(r.ok for r in Engine().solve(sample_project, fingerprint=fp, problems=[]))


def test_validation_is_remembered_by_fingerprint(sample_project, monkeypatch):
    from allocator.engine import solve as solve_module

    calls = []
    real = solve_module.validate
    monkeypatch.setattr(solve_module, "validate", lambda p: calls.append(1) or real(p))
    engine = Engine()
    edited = edits.set_field(sample_project, "partners[2].floor", "45000")
    for project in (sample_project, edited, sample_project, edited):
        engine.solve(project)
    assert len(calls) == 2  # undo and redo meet projects already checked
