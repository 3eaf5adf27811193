"""Random consortia for property tests: budgets, capacities, floors, rules, all bases."""

from hypothesis import strategies as st


@st.composite
def projects(
    draw, *, spread=True, needs_floor=True, lead_cap=True, max_partners=7, max_years=2, rule=None
):
    n = draw(st.integers(2, max_partners))
    years = draw(st.integers(1, max_years))
    basis = draw(st.sampled_from(["equal", "capacity", "reach"]))
    partners = []
    lead = draw(st.integers(0, n - 1))
    for i in range(n):
        cap = draw(st.integers(5_000, 400_000))
        floor = draw(st.one_of(st.just(0), st.integers(0, cap)))
        partners.append(
            {
                "id": f"p{i}",
                "name": f"Partner {i}",
                "lead": i == lead,
                "by_and_for": draw(st.booleans()),
                "capacity": cap,
                "floor": min(floor, cap // 2),
                "reach": draw(st.integers(1, 9000)),
                "multiple_disadvantage": draw(st.floats(0, 1).map(lambda v: round(v, 3))),
                "back_office_capacity": draw(st.floats(0, 1).map(lambda v: round(v, 3))),
            }
        )
    total_cap = sum(p["capacity"] for p in partners)
    first = draw(st.integers(max(1000, total_cap // 10), total_cap + total_cap // 3))
    scenario = {
        "name": "Random",
        "basis": basis,
        "weights": {
            "multiple_disadvantage": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])),
            "back_office_gap": draw(st.sampled_from([0.0, 0.5, 1.0])),
        },
        "rule": rule or draw(st.sampled_from(["leximin", "closest"])),
        "management_fee": draw(st.sampled_from([0.0, 0.05, 0.1, 0.15])),
        "ring_fence": draw(st.sampled_from([0.0, 0.0, 0.2, 0.3, 0.5])),
    }
    if needs_floor:
        scenario["needs_floor"] = draw(st.sampled_from([0.0, 0.0, 0.5, 0.8]))
    if spread:
        scenario["spread_limit"] = draw(st.sampled_from([None, None, 1.5, 2.0, 4.0]))
    if lead_cap:
        scenario["lead_cap"] = draw(st.sampled_from([None, None, 0.2, 0.5]))
    return {
        "format": "fairshare-project",
        "version": 1,
        "name": "Random consortium",
        "currency": "GBP",
        "years": {"start": 2027, "count": years},
        "budget": {"first_year": first, "annual_uplift": draw(st.sampled_from([0.0, 0.02, 0.05]))},
        "partners": partners,
        "scenarios": [scenario],
    }
