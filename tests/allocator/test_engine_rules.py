"""One rule (leximin), the core share, the labels, and the size-proportional reference."""

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.domain.model import project_from_dict
from allocator.engine.instances import year_instances
from allocator.engine.result import LEVEL, Status
from allocator.engine.solve import Engine, solve

from .strategies import projects
from .test_engine import assert_invariants

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def with_core_share(data: dict, kappa: float) -> dict:
    data = copy.deepcopy(data)
    data["scenarios"][0]["core_share"] = kappa
    return data


@SETTINGS
@given(projects(), st.sampled_from([0.0, 0.0, 0.25, 0.5, 1.0]))
def test_every_partner_labelled_level_sits_at_the_common_level(data, kappa):
    """In each year, all partners no rule holds have the same attainment (to a unit)."""
    project = project_from_dict(with_core_share(data, kappa))
    result = solve(project)[0]
    if not result.ok:
        assert result.status is Status.INFEASIBLE
        return
    assert_invariants(project, result)
    for y, inst in enumerate(year_instances(project, project.scenarios[0])):
        at_level = [
            (result.partners[i].per_year[y], inst.tau[k])
            for k, i in enumerate(inst.index)
            if result.partners[i].limited_by_per_year[y] == LEVEL
        ]
        if len(at_level) < 2:
            continue
        # each whole-unit figure is within one unit of its exact value
        low = max((v - 1) / tau for v, tau in at_level)
        high = min((v + 1) / tau for v, tau in at_level)
        assert low <= high * (1 + 1e-9), (y, at_level, result.partners)


@SETTINGS
@given(projects(), st.sampled_from([0.2, 0.5, 1.0]))
def test_fast_and_plain_rounds_agree_with_a_core_share(data, kappa):
    """With a core share the spread limit bounds funding per unit of need, not attainment."""
    project = project_from_dict(with_core_share(data, kappa))
    fast = Engine(method="fast").solve(project)[0]
    plain = Engine(method="rounds").solve(project)[0]
    assert fast.status == plain.status
    if not fast.ok:
        return
    assert_invariants(project, fast)
    for a, b in zip(fast.partners, plain.partners, strict=True):
        assert max(abs(u - v) for u, v in zip(a.per_year, b.per_year, strict=True)) <= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(needs_floor=False, spread=False))
def test_core_share_one_gives_every_partner_the_same_fair_share(data):
    project = project_from_dict(with_core_share(data, 1.0))
    result = solve(project)[0]
    assert result.status in (Status.OPTIMAL, Status.INFEASIBLE)
    for inst in year_instances(project, project.scenarios[0]):
        assert np.allclose(inst.tau, inst.D / len(inst.tau), rtol=0, atol=1e-9)
    if result.ok:
        shares = {p.fair_share for p in result.partners if p.included}
        assert len(shares) == 1
        units = [p.fair_share_units for p in result.partners if p.included]
        for y in range(len(result.years)):
            column = [u[y] for u in units]
            assert max(column) - min(column) <= 1  # whole units of one equal share


def test_core_share_tau_formula(sample_project):
    """tau = D (kappa / N + (1 - kappa) n / sum n), as MODEL.md states."""
    j = 3
    s = sample_project.scenarios[j]
    assert s.core_share == pytest.approx(0.3)
    for inst in year_instances(sample_project, s):
        n = inst.need
        expected = inst.D * (0.3 / len(n) + 0.7 * n / n.sum())
        assert np.allclose(inst.tau, expected, rtol=1e-12)


@SETTINGS
@given(projects())
def test_a_file_with_the_closest_rule_solves_exactly_as_leximin(data):
    old = copy.deepcopy(data)
    old["scenarios"][0]["rule"] = "closest"
    new = copy.deepcopy(data)
    new["scenarios"][0].pop("rule", None)
    a, b = solve(project_from_dict(old))[0], solve(project_from_dict(new))[0]
    assert a.to_json() == b.to_json()


def test_the_closest_rule_is_gone_from_the_engine(sample_dict):
    """The sample's scenarios, one of them once "closest", all explain the one rule."""
    sample_dict["scenarios"][1]["rule"] = "closest"
    project = project_from_dict(sample_dict)
    for r in solve(project):
        assert "leximin" in r.method and "closest" not in r.method.lower()
        assert r.to_json()["rule"] == "leximin"
        for p in r.partners:
            assert "as close to its fair share" not in p.reason


def test_core_share_is_in_the_explanations(sample_project):
    r = solve(sample_project, ["Core grant 30% plus need, spread limit 3"])[0]
    assert "equal core part" in r.method and "30%" in r.method
    for p in r.partners:
        assert "equal core part" in p.reason and "by need" in p.reason
    plain = solve(sample_project, ["Needs-weighted"])[0]
    assert "core part" not in plain.method
    assert all("core part" not in p.reason for p in plain.partners)


# -- the size-proportional reference ------------------------------------------------------


@st.composite
def size_shaped(draw):
    """A scenario that IS the size-proportional split: capacity basis, no weights, no
    core share, no fee, no floors or other rules."""
    n = draw(st.integers(2, 9))
    caps = [draw(st.integers(1_000, 500_000)) for _ in range(n)]
    if draw(st.booleans()):
        caps[1] = caps[0]  # equal capacities tie on their remainders
    total = sum(caps)
    partners = [
        {
            "id": f"p{i}",
            "name": f"Partner {i}",
            "capacity": c,
            "multiple_disadvantage": 0.5,
            "back_office_capacity": 0.5,
        }
        for i, c in enumerate(caps)
    ]
    return {
        "format": "fairshare-project",
        "version": 1,
        "name": "Sizes",
        "currency": "GBP",
        "years": {"start": 2027, "count": draw(st.integers(1, 3))},
        "budget": {
            "first_year": draw(st.integers(1_000, total * 9 // 10)),
            "annual_uplift": draw(st.sampled_from([0.0, 0.02, 0.05])),
        },
        "partners": partners,
        "scenarios": [
            {
                "name": "Bigger slice",
                "basis": "capacity",
                "weights": {"multiple_disadvantage": 0, "back_office_gap": 0},
            }
        ],
    }


@SETTINGS
@given(size_shaped())
def test_a_scenario_that_is_the_size_proportional_split_shows_no_change(data):
    project = project_from_dict(data)
    r = solve(project)[0]
    assert r.ok, r.message
    for p in r.partners:
        assert p.fair_share_units == p.size_proportional
        assert p.per_year == p.size_proportional
        assert p.vs_size_proportional == 0


def test_the_sample_bigger_slice_fair_shares_equal_the_reference(sample_project):
    """The defect a new user met: fair share and size-proportional split one unit apart."""
    r = solve(sample_project, ["Bigger slice (size-proportional)"])[0]
    for p in r.partners:
        assert p.fair_share_units == p.size_proportional
        for y, exact in enumerate(p.fair_share):
            assert abs(p.fair_share_units[y] - exact) < 1
    for y, d in enumerate(r.distributable):
        assert sum(p.fair_share_units[y] for p in r.partners) == d


def test_the_reference_counts_the_fee_as_the_leads(sample_project):
    """The reference shares the whole grant B_y; the lead's change counts its fee."""
    r = solve(sample_project, ["Needs-weighted, 30% ring-fence, 10% fee"])[0]
    for y, b in enumerate(r.budget):
        assert sum(p.size_proportional[y] for p in r.partners) == b
    lead = next(p for p in r.partners if p.lead)
    assert lead.vs_size_proportional == lead.total + sum(r.fee) - sum(lead.size_proportional)


# -- rounding ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=30),
    st.integers(-3, 3),
    st.booleans(),
)
def test_largest_remainder_keeps_the_sum_and_the_limits(values, shift, capped):
    from allocator.engine.rounding import largest_remainder

    x = np.array(values)
    total = max(0, int(round(x.sum())) + shift)
    hi = np.ceil(x) + (0 if capped else 5)
    if hi.sum() < total:
        return
    ints = largest_remainder(x, total, np.zeros_like(x), hi, priority=x / (x.max() + 1))
    assert ints.sum() == total
    assert (ints >= 0).all() and (ints <= hi).all()
    if shift == 0 and not capped:
        assert np.abs(ints - x).max() < 1 + 1e-9
