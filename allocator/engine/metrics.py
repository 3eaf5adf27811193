"""The numbers a partnership uses to judge a split as a whole."""

from __future__ import annotations

import numpy as np

from allocator.engine.result import Metrics, ScenarioResult


def gini(values: np.ndarray) -> float:
    """Gini coefficient: 0 when everyone gets the same, towards 1 when one gets all."""
    v = np.sort(np.asarray(values, dtype=float))
    n = len(v)
    if n == 0 or v.sum() <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * v).sum()) / (n * v.sum()) - (n + 1) / n)


def compute(result: ScenarioResult) -> Metrics:
    """Attainment range, Gini and ratio of funding per unit of need, group shares.

    Funding per unit of need is each partner's total grant over its need score, so a
    split that follows need exactly has a Gini of 0 and a ratio of 1.
    """
    inc = [p for p in result.partners if p.included]
    if not inc:
        return Metrics()
    att = np.array([p.attainment for p in inc])
    per_need = np.array([p.total / p.need if p.need > 0 else 0.0 for p in inc])
    distributable = sum(result.distributable)
    budget = sum(result.budget)
    bf = sum(p.total for p in inc if p.by_and_for)
    lead = sum(p.received for p in inc if p.lead)
    lo = per_need.min()
    return Metrics(
        min_attainment=float(att.min()),
        max_attainment=float(att.max()),
        gini=gini(per_need),
        need_ratio=float(per_need.max() / lo) if lo > 0 else float("inf"),
        by_and_for_share=bf / distributable if distributable else 0.0,
        lead_share=lead / budget if budget else 0.0,
    )
