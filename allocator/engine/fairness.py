"""Need and the closed-form splits (water-filling) the engine builds on.

Working in attainment (grant / fair share) turns every rule into something simple:
floors, needs floors, capacities and the lead cap are a box per partner, the budget
is one sum, the ring-fence one sum over by-and-for partners, and, when fair shares
follow need alone (no core share), the spread limit says the highest attainment is at
most ``k`` times the lowest (funding per unit of need is then attainment times a
constant). That makes the leximin split computable exactly:

1. Water-fill the budget: every partner gets ``clamp(t * fair share, low, high)`` for
   the one level ``t`` that spends the budget exactly.
2. If that leaves by-and-for partners below the ring-fence, they share exactly the
   ring-fence (or more when the others cannot absorb the rest) at their own level and
   the others share what is left at theirs.
3. A spread limit changes nothing: that split has both the highest smallest and the
   lowest largest attainment of any split, so it keeps the limit whenever any split
   does, and then it is the leximin split with the limit too; when it breaks the
   limit, no split keeps it (the proof: docs/spread-band.md). ``leximin_split`` with
   ``k`` builds the same split another way, from the spread band (the highest smallest
   attainment ``m`` any split allows, every attainment in ``[m, k m]``), which the
   explanations use to say why a limit cannot be met.

The engine checks this against the linear program (``solve.leximin_rounds``) on
random instances in the tests; in a full solve the program re-derives the levels
from it and supplies the shadow prices. With a core share and a spread limit the
band is one of funding per unit of need, not of attainment; there the engine uses
the split without the spread limit when it keeps the limit, and the program's
rounds otherwise.
"""

from __future__ import annotations

import numpy as np

from allocator.domain.model import Partner, Scenario

INF = float("inf")


def need(partner: Partner, scenario: Scenario) -> float:
    """``n_p = base_p (1 + w_d d_p + w_b (1 - b_p))``."""
    base: float | None
    if scenario.basis == "equal":
        base = 1.0
    elif scenario.basis == "capacity":
        base = partner.capacity
    else:
        base = partner.reach or 0.0
    w = scenario.weights
    d = partner.multiple_disadvantage
    b = partner.back_office_capacity
    if base is None:
        raise ValueError(f"{partner.name}: capacity is blank")
    if d is None or b is None:
        raise ValueError(f"{partner.name}: needs scores are blank")
    return base * (1.0 + w.multiple_disadvantage * d + w.back_office_gap * (1.0 - b))


def _clamp(v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``np.clip(v, lo, hi)``, the same figures without its per-call overhead (the
    closed form calls it thousands of times in a sweep)."""
    return np.minimum(np.maximum(v, lo), hi)


def _g(t: float, tau: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    return float(_clamp(t * tau, lo, hi).sum())


def level_for(
    tau: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: float, largest: bool = False
) -> float:
    """The level ``t`` at which ``sum clamp(t tau, lo, hi)`` reaches ``target``.

    Exact on the piecewise-linear curve (breakpoints, then one linear step). With
    ``largest`` it returns the largest such ``t`` (used for the spread band's lower
    edge), otherwise the smallest. Returns ``inf`` when even everyone at ``hi`` stays
    at or below ``target`` and ``largest`` is asked, ``-inf`` when ``sum lo`` already
    exceeds it.
    """
    if len(tau) == 0:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        bps = np.concatenate([lo / tau, hi / tau])
    # sorted, duplicates kept: the first breakpoint where the curve reaches the target
    # is the same (a repeated value cannot be the first), and sorting costs less
    bps = np.sort(bps[np.isfinite(bps)])
    if len(bps) == 0:
        return 0.0
    low_sum = float(lo.sum())
    if low_sum > target * (1 + 1e-12) + 1e-9:
        return -INF
    # g(bps[i]) is increasing in i; find the first i with g > target (largest) or >= (smallest).
    if len(bps) * len(tau) <= _TABLE_MAX:
        # small enough to evaluate the curve at every breakpoint in one step
        return _level_at(
            bps, _clamp(bps[:, None] * tau[None, :], lo, hi).sum(axis=1), target, largest
        )
    lo_i, hi_i = 0, len(bps)
    while lo_i < hi_i:
        mid = (lo_i + hi_i) // 2
        v = _g(bps[mid], tau, lo, hi)
        if (v > target) if largest else (v >= target):
            hi_i = mid
        else:
            lo_i = mid + 1
    i = lo_i
    if i == len(bps):
        if largest:
            return INF if _g(bps[-1], tau, lo, hi) <= target else float(bps[-1])
        return float(bps[-1])
    if i == 0:
        return float(bps[0])
    a, b = float(bps[i - 1]), float(bps[i])
    ga, gb = _g(a, tau, lo, hi), _g(b, tau, lo, hi)
    if gb == ga:
        return b if largest else a
    return a + (target - ga) * (b - a) / (gb - ga)


_TABLE_MAX = 200_000  # most cells of a table of the curve (breakpoints x partners)


def _level_at(bps: np.ndarray, g: np.ndarray, target: float, largest: bool) -> float:
    """``level_for`` from the curve's values ``g`` at the sorted breakpoints ``bps``.

    Each value is a row sum like ``_g``'s (the same products, summed along one
    contiguous row), so the level is the one ``_g`` evaluated point by point gives.
    """
    over = g > target if largest else g >= target
    i = int(np.argmax(over)) if over.any() else len(bps)
    if i == len(bps):
        if largest:
            return INF if float(g[-1]) <= target else float(bps[-1])
        return float(bps[-1])
    if i == 0:
        return float(bps[0])
    a, b = float(bps[i - 1]), float(bps[i])
    ga, gb = float(g[i - 1]), float(g[i])
    if gb == ga:
        return b if largest else a
    return a + (target - ga) * (b - a) / (gb - ga)


def waterfill(tau: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> np.ndarray:
    """Progressive filling: raise everyone's attainment together, each stopping at its cap."""
    if len(tau) == 0:
        return np.zeros(0)
    t = level_for(tau, lo, hi, total)
    if not np.isfinite(t):
        t = 0.0 if t < 0 else float(np.max(hi / tau))
    return _clamp(t * tau, lo, hi)


def spread_band(tau, lo, hi, bf, ring, total, k) -> float:
    """The highest smallest attainment ``m`` a split can have under spread limit ``k``.

    Each condition for a band ``[m, k m]`` is monotone in ``m``; the ones that
    tighten as ``m`` grows are the budget (everyone at least ``m``), the others'
    share when by-and-for partners need the ring-fence, and each capacity.
    """
    # "no upper limit" as a finite figure no single partner can reach within the budget,
    # so the curve keeps rising past every floor and the search sees it cross
    big = 2.0 * total + 1.0
    m = float(np.min(hi / tau))
    m = min(m, level_for(tau, lo, np.full_like(hi, big), total, largest=True))
    if ring > 0 and (~bf).any():
        nb = ~bf
        m = min(
            m, level_for(tau[nb], lo[nb], np.full(int(nb.sum()), big), total - ring, largest=True)
        )
    return m


def leximin_split(
    tau: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    bf: np.ndarray,
    ring: float,
    total: float,
    k: float | None,
) -> np.ndarray:
    """The unique leximin split of ``total`` (see the module notes). Assumes feasibility."""
    lo2, hi2 = lo, hi
    if k is not None:
        m = spread_band(tau, lo, hi, bf, ring, total, k)
        lo2 = np.maximum(lo, m * tau)
        hi2 = np.minimum(hi, k * m * tau)
        lo2 = np.minimum(lo2, hi2)
    table = _curve_table(tau, lo2, hi2)
    x = _fill_part(table, tau, lo2, hi2, None, total)
    if ring > 0 and bf.any() and x[bf].sum() < ring * (1 - 1e-12):
        nb = ~bf
        s = max(ring, total - float(hi2[nb].sum()))
        x = np.empty_like(tau)
        x[bf] = _fill_part(table, tau, lo2, hi2, bf, s)
        x[nb] = _fill_part(table, tau, lo2, hi2, nb, total - s)
    return x


def _curve_table(
    tau: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The sorted breakpoints of ``clamp(t tau, lo, hi)`` and every partner's value at
    each of them, or None when there are none or the table would be too big.

    One table serves the water-filling of all the partners and of any group of them
    (the ring-fence's two): between two neighbouring breakpoints every partner's value,
    and so any group's sum, is linear in ``t``.
    """
    n = len(tau)
    if n == 0:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        bps = np.concatenate([lo / tau, hi / tau])
    bps = np.sort(bps[np.isfinite(bps)])
    if len(bps) == 0 or len(bps) * n > _TABLE_MAX:
        return None
    return bps, _clamp(bps[:, None] * tau[None, :], lo, hi)


def _fill_part(
    table: tuple[np.ndarray, np.ndarray] | None,
    tau: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    part: np.ndarray | None,
    total: float,
) -> np.ndarray:
    """``waterfill`` of the partners in ``part`` (all when None), read off ``table``.

    For all the partners these are exactly ``waterfill``'s figures (the same curve at
    the same breakpoints). For a group, the breakpoints are everyone's, a finer grid
    than the group's own: the level is the same point of the same linear piece, and
    where the group's curve is flat any level on the flat gives the same figures.
    """
    if part is not None:
        tau, lo, hi = tau[part], lo[part], hi[part]
    if table is None or len(tau) == 0:
        return waterfill(tau, lo, hi, total)
    bps, values = table
    if float(lo.sum()) > total * (1 + 1e-12) + 1e-9:
        t = 0.0  # the group's floors alone exceed the amount: everyone at its floor
    else:
        g = (values if part is None else values[:, part]).sum(axis=1)
        t = _level_at(bps, g, total, False)  # finite: one of the (finite) breakpoints or between
    return _clamp(t * tau, lo, hi)


def size_proportional(capacities: np.ndarray, total: float) -> np.ndarray:
    """The "bigger slice" split: proportional to capacity, no one above its capacity.

    When the total fits within the capacities nobody is capped and it is exactly
    ``total * (c / sum c)``, computed as the fair shares are (the same figures, to the
    last bit, as a scenario on the capacity basis without weights or core share), so
    both round alike. Beyond that, water-filling by capacity.
    """
    if len(capacities) == 0:
        return np.zeros(0)
    whole = float(capacities.sum())
    if total <= whole:
        return total * (capacities / whole)
    return waterfill(capacities, np.zeros_like(capacities), capacities, total)
