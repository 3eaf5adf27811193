"""The numbers a partnership uses to judge a split as a whole."""

from __future__ import annotations

import math
from collections.abc import Iterable

from allocator.engine.result import Metrics, ScenarioResult

# Plain Python on purpose: the desktop app computes comparisons on its GUI thread, and
# importing NumPy there costs more than these sums ever will (1,000 values: well
# under a millisecond).


def gini(values: Iterable[float]) -> float:
    """Gini coefficient: 0 when everyone gets the same, towards 1 when one gets all."""
    v = sorted(float(x) for x in values)
    n = len(v)
    total = math.fsum(v)
    if n == 0 or total <= 0:
        return 0.0
    ranked = math.fsum(rank * x for rank, x in enumerate(v, start=1))
    return (2 * ranked) / (n * total) - (n + 1) / n


def compute(result: ScenarioResult) -> Metrics:
    """Attainment range, Gini and ratio of funding per unit of need, group shares.

    Funding per unit of need is each partner's total grant over its need score, so a
    split that follows need exactly has a Gini of 0 and a ratio of 1.
    """
    inc = [p for p in result.partners if p.included]
    if not inc:
        return Metrics()
    att = [p.attainment for p in inc]
    per_need = [p.total / p.need if p.need > 0 else 0.0 for p in inc]
    distributable = sum(result.distributable)
    budget = sum(result.budget)
    bf = sum(p.total for p in inc if p.by_and_for)
    lead = sum(p.received for p in inc if p.lead)
    lo = min(per_need)
    return Metrics(
        min_attainment=float(min(att)),
        max_attainment=float(max(att)),
        gini=gini(per_need),
        need_ratio=float(max(per_need) / lo) if lo > 0 else float("inf"),
        by_and_for_share=bf / distributable if distributable else 0.0,
        lead_share=lead / budget if budget else 0.0,
    )
