"""Rounding the ring-fenced group as a whole first (MODEL.md, "Rounding").

Rounded partner by partner, needs floors a fraction above a whole unit took the units
the by-and-for partners needed, and the rounded split fell a unit short of the
ring-fence although a whole-unit split kept every rule.
"""

import math

import pytest

from allocator.domain.model import project_from_dict
from allocator.engine.solve import solve


def four_partners(grant: int, needs_floor: float, lead_floor: int) -> dict:
    partners = [
        {
            "id": f"p{i}",
            "name": f"Partner {i}",
            "lead": i == 0,
            "by_and_for": i == 3,
            "capacity": 5000,
            "floor": lead_floor if i == 0 else 0,
            "reach": 1,
            "multiple_disadvantage": 0.0,
            "back_office_capacity": 0.0,
        }
        for i in range(4)
    ]
    return {
        "format": "fairshare-project",
        "version": 1,
        "name": "Four equal partners",
        "currency": "GBP",
        "years": {"start": 2027, "count": 1},
        "budget": {"first_year": grant, "annual_uplift": 0.0},
        "partners": partners,
        "scenarios": [
            {
                "name": "Ring-fenced",
                "basis": "equal",
                "weights": {"multiple_disadvantage": 0.0, "back_office_gap": 0.0},
                "management_fee": 0.0,
                "ring_fence": 0.2,
                "needs_floor": needs_floor,
            }
        ],
    }


@pytest.mark.parametrize(
    ("grant", "needs_floor", "lead_floor"),
    [(9091, 0.5, 5000), (2057, 0.226, 1413), (12500, 0.8, 5000)],
)
def test_ring_fenced_group_is_rounded_whole_first(grant, needs_floor, lead_floor):
    project = project_from_dict(four_partners(grant, needs_floor, lead_floor))
    result = solve(project)[0]
    assert result.ok, result.message
    by_and_for = next(p for p in result.partners if p.by_and_for)
    assert by_and_for.per_year[0] >= math.ceil(0.2 * grant - 1e-9)
    assert sum(p.per_year[0] for p in result.partners) == grant
    # every needs floor kept to within one unit
    fair = grant / 4
    for p in result.partners:
        assert p.per_year[0] > needs_floor * fair - 1
