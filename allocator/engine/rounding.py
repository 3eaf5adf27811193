"""Whole currency units without breaking a sum, a cap or a floor.

Largest remainder: everyone gets the whole part of their figure, then the units left
over go one each to the largest fractional parts. Ties go to the partner with the
lower attainment, so rounding never quietly favours the larger partner.
"""

from __future__ import annotations

import math

import numpy as np

EPS = 1e-6


def largest_remainder(
    x: np.ndarray,
    total: int,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    priority: np.ndarray | None = None,
) -> np.ndarray:
    """Round ``x`` to integers summing to ``total``, staying within ``[lo, hi]`` when given.

    ``priority``: lower values win ties (pass attainment). Raises ValueError when the
    bounds leave no whole-unit split (for example two floors of 0.6 each and a total of 1).
    """
    n = len(x)
    if n == 0:
        if total != 0:
            raise ValueError("nothing to round into")
        return np.zeros(0, dtype=np.int64)
    if lo is None and hi is None:
        # no limits but "at least nothing": the same figures with less work
        if total < 0:
            raise ValueError("the limits leave no whole-unit split")
        lo_i = hi_i = None
        base = np.maximum(np.floor(x + EPS).astype(np.int64), 0)
    else:
        lo_i = (
            np.zeros(n, dtype=np.int64)
            if lo is None
            else np.ceil(np.asarray(lo) - EPS).astype(np.int64)
        )
        if hi is None:
            # no upper limits: a huge stand-in per partner, never summed (it would overflow)
            hi_i = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
        else:
            hi_i = np.floor(np.asarray(hi) + EPS).astype(np.int64)
            if int(hi_i.sum()) < total:
                raise ValueError("the limits leave no whole-unit split")
        if int(lo_i.sum()) > total or (lo_i > hi_i).any():
            raise ValueError("the limits leave no whole-unit split")
        # np.clip's figures (lo_i <= hi_i here) without its overhead per call
        base = np.minimum(np.maximum(np.floor(x + EPS).astype(np.int64), lo_i), hi_i)
    left = int(total - base.sum())
    if left == 0:
        return base
    frac = x - base
    pr = np.zeros(n) if priority is None else np.asarray(priority, float)
    if left > 0:
        order = np.lexsort((np.arange(n), pr, -np.round(frac, 9)))
        while left > 0:
            # one unit each, in order, to those still below their upper limit
            room = order if hi_i is None else order[base[order] < hi_i[order]]
            if len(room) == 0:  # pragma: no cover - excluded by the check above
                raise ValueError("no room to place the remaining units")
            take = room[:left]
            base[take] += 1
            left -= len(take)
    else:
        if lo_i is None:
            lo_i = np.zeros(n, dtype=np.int64)
        order = np.lexsort((np.arange(n), -pr, np.round(frac, 9)))
        while left < 0:
            room = order[base[order] > lo_i[order]]
            if len(room) == 0:  # pragma: no cover
                raise ValueError("no room to remove the extra units")
            take = room[:-left]
            base[take] -= 1
            left += len(take)
    return base


def shift_for_group(
    ints: np.ndarray,
    x: np.ndarray,
    group: np.ndarray,
    need: float,
    lo: np.ndarray,
    hi: np.ndarray,
) -> np.ndarray:
    """Move single units into ``group`` until it holds at least ``ceil(need)``.

    Used for the ring-fence: rounding every partner on its own could leave the
    by-and-for total a unit short of the share they were promised.
    """
    want = math.ceil(need - EPS)
    if int(ints[group].sum()) >= want:
        return ints.copy()
    ints = ints.copy()
    lo_i = np.ceil(lo - EPS).astype(np.int64)
    hi_i = np.floor(hi + EPS).astype(np.int64)
    frac = x - ints
    while ints[group].sum() < want:
        takers = [i for i in np.nonzero(group)[0] if ints[i] < hi_i[i]]
        givers = [i for i in np.nonzero(~group)[0] if ints[i] > lo_i[i]]
        if not takers or not givers:
            break
        t = max(takers, key=lambda i: frac[i])
        g = min(givers, key=lambda i: frac[i])
        ints[t] += 1
        ints[g] -= 1
        frac[t] -= 1
        frac[g] += 1
    return ints
