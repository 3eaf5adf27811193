"""Synthetic FairShare projects for the benchmarks, with every rule switched on.

``make_project(n, years)`` returns a plain dict that
``allocator.domain.model.project_from_dict`` accepts (and that can be written as a
``.fairshare`` file). The same ``(n, years, seed)`` always gives the same partners.

What is switched on, per the model: a lead with a 0.08 management fee and a lead cap
of 0.3; about 40% by-and-for partners with a 0.3 ring-fence; floors on about a third
of the partners; a needs floor of 0.5; a spread limit of 3.0; weights 1.0 / 0.5 on
the reach basis (fair shares follow people served, capacities follow each partner's
cost per person, so they differ); a first-year budget of about 60% of total capacity
with a 2% annual uplift, which leaves the partners that serve many people cheaply at
their capacity.

Run ``python bench/instances.py`` to check feasibility with the engine and to see
which limits hold the partners in each instance.
"""

from __future__ import annotations

import numpy as np

BUDGET_SHARE = 0.60  # first-year budget as a share of total capacity
UPLIFT = 0.02


def make_project(n: int, years: int, seed: int = 2027) -> dict:
    """A feasible consortium of ``n`` partners over ``years`` years (see the module notes)."""
    if n < 2:
        raise ValueError("at least two partners (a lead and one other)")
    rng = np.random.RandomState([seed, n, years])
    fee, weights = 0.08, (1.0, 0.5)
    # Fair shares follow the people served (reach basis); capacities follow each
    # partner's own cost per person, so some partners reach their capacity well below
    # the common level while others could absorb far more.
    reach = np.round(np.clip(400 * rng.lognormal(0.0, 0.8, n), 40, 8_000))
    md = np.round(rng.uniform(0.05, 0.95, n), 2)
    bo = np.round(rng.uniform(0.15, 0.95, n), 2)
    bf = rng.uniform(size=n) < 0.4
    reach[0] = float(np.round(np.quantile(reach, 0.9) * 1.5))  # the lead: large,
    md[0], bo[0], bf[0] = 0.3, 0.9, False  # well resourced, not by-and-for
    if not bf[1:].any():
        bf[1] = True
    need = reach * (1 + weights[0] * md + weights[1] * (1 - bo))
    # Capacity in units of the first-year fair share ("room"): from 0.8 (capped below
    # its fair share) to 4. By-and-for partners are leaner, so more of them are
    # capped. The need-weighted mean room is set so that the first-year budget is
    # BUDGET_SHARE of total capacity: sum tau = D = (1 - fee) B and B = share * sum c.
    room = np.clip(1.6 * rng.lognormal(0.0, 0.45, n), 0.8, 4.0)
    room[bf] = np.clip(room[bf] * 0.75, 0.8, 4.0)
    target = 1.0 / ((1 - fee) * BUDGET_SHARE)
    for _ in range(50):  # rescale the part above the minimum until the mean fits
        mean = float((room * need).sum() / need.sum())
        if abs(mean - target) < 1e-9:
            break
        room = np.clip(0.8 + (room - 0.8) * (target - 0.8) / (mean - 0.8), 0.8, 4.0)
    per_need = 60_000 / float(np.mean(need))  # scale: an average fair share near 60k
    cap = np.round(room * need * per_need, -2)
    # Floors on about a third of the others, 0.9 to 1.6 times the first-year fair
    # share and never above capacity: the higher ones bind, and with a spread limit
    # of 3 they stay compatible with the partners capped at 0.8.
    has_floor = (rng.uniform(size=n) < 0.33) & (room > 1.0)
    has_floor[0] = False
    floor_room = np.minimum(rng.uniform(0.9, 1.6, n), room * 0.9)
    floor = np.where(has_floor, np.round(floor_room * need * per_need, -2), 0.0)
    first_year = float(np.round(cap.sum() * BUDGET_SHARE, -3))
    partners = []
    for i in range(n):
        partners.append(
            {
                "id": f"p{i:04d}",
                "name": f"Partner {i + 1}" + (" (lead)" if i == 0 else ""),
                "lead": i == 0,
                "by_and_for": bool(bf[i]),
                "capacity": int(cap[i]),
                "floor": int(floor[i]),
                "reach": int(max(reach[i], 1)),
                "multiple_disadvantage": float(md[i]),
                "back_office_capacity": float(bo[i]),
                "notes": "",
            }
        )
    scenario = {
        "name": "All rules on",
        "basis": "reach",
        "weights": {"multiple_disadvantage": weights[0], "back_office_gap": weights[1]},
        "management_fee": fee,
        "ring_fence": 0.3,
        "needs_floor": 0.5,
        "spread_limit": 3.0,
        "lead_cap": 0.3,
        "back_office_rate": {"base": 0.10, "uplift": 0.15},
        "unrestricted_share": 0.1,
        "excluded": [],
    }
    return {
        "format": "fairshare-project",
        "version": 1,
        "name": f"Synthetic consortium, {n} partners, {years} years",
        "currency": "GBP",
        "years": {"start": 2027, "count": years},
        "budget": {"first_year": first_year, "annual_uplift": UPLIFT},
        "partners": partners,
        "scenarios": [scenario],
    }


def parsed(n: int, years: int, seed: int = 2027):
    from allocator.domain.model import project_from_dict

    return project_from_dict(make_project(n, years, seed))


def limits_summary(result) -> dict[str, int]:
    """How many partner-years each limit holds (the engine's own reading)."""
    counts: dict[str, int] = {}
    for p in result.partners:
        for r in p.limited_by_per_year:
            counts[r] = counts.get(r, 0) + 1
    return dict(sorted(counts.items()))


def check(n: int, years: int, seed: int = 2027) -> tuple[str, dict[str, int]]:
    from allocator.engine.solve import solve

    res = solve(parsed(n, years, seed))[0]
    return str(res.status), limits_summary(res) if res.ok else {}


if __name__ == "__main__":
    for n in (6, 30, 200, 1000):
        for y in (1, 3, 5):
            status, counts = check(n, y)
            print(f"N={n:5d} Y={y}  {status:10s} {counts}")
