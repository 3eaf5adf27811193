"""One scenario-year as numbers: fair shares and each partner's limits.

Every rule of the model lives inside one year, so a scenario is solved as one
:class:`YearInstance` per year. Building them is pure arithmetic on the project; the
program, the closed form, the explanations and the suggested changes all read the
same instances, so they cannot disagree about a fair share or a limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from allocator.domain.model import Project, Scenario
from allocator.engine.fairness import need
from allocator.engine.result import CAPACITY, FLOOR, LEAD_CAP, NEEDS_FLOOR
from allocator.errors import Problem


@dataclass
class YearInstance:
    """One year of one scenario, in currency, ready for the program."""

    year: int
    budget: int  # B_y, whole currency
    fee: int  # management fee M_y, whole currency
    ids: list[str]  # included partners, in project order
    index: list[int]  # their positions in project.partners
    need: np.ndarray
    tau: np.ndarray  # fair shares
    lo: np.ndarray  # max(floor, needs floor * fair share)
    lo_kind: list[str]
    hi: np.ndarray  # min(capacity, lead cap)
    hi_kind: list[str]
    floor: np.ndarray
    cap: np.ndarray
    bf: np.ndarray  # bool: by-and-for
    lead: np.ndarray  # bool
    ring: float  # rho * D (currency)
    rho: float
    alpha: float
    lam: float | None
    k: float | None  # spread limit
    kappa: float = 0.0  # core share
    share: np.ndarray | None = None  # tau / D: fair shares as shares of D
    # need / total need: the direction of "funding per unit of need", which the spread
    # limit bounds (the same as ``share`` when there is no core share)
    by_need: np.ndarray | None = None

    @property
    def spread_dir(self) -> np.ndarray:
        if self.by_need is not None:
            return self.by_need
        total = float(self.need.sum())
        return self.need / total if total > 0 else self.need

    @property
    def D(self) -> float:
        return float(self.budget - self.fee)


def included_partners(project: Project, scenario: Scenario) -> list[int]:
    """Positions of the partners taking part in ``scenario``."""
    excluded = set(scenario.excluded)
    return [i for i, p in enumerate(project.partners) if p.id not in excluded]


def check_scores(project: Project, scenario: Scenario) -> list[Problem]:
    """Blank needs scores of partners taking part: an error, never read as "no need"."""
    problems = []
    for i in included_partners(project, scenario):
        p = project.partners[i]
        for key in ("multiple_disadvantage", "back_office_capacity"):
            if getattr(p, key) is None:
                problems.append(
                    Problem(
                        f"partners[{i}].{key}",
                        f"{p.name}: the score is blank; answer the needs questions or "
                        "enter a score from 0 to 1 (a blank is never read as no need)",
                    )
                )
    return problems


def fair_share_fractions(needs: np.ndarray, kappa: float) -> np.ndarray:
    """Each partner's fair share as a share of the distributable budget.

    ``kappa / N + (1 - kappa) n_p / sum n``: a core share ``kappa`` split equally, the
    rest in proportion to need. With ``kappa`` 0 this is exactly ``n_p / sum n`` (the
    same floating-point figures as the size-proportional reference when need is
    capacity), with ``kappa`` 1 exactly ``1 / N``.
    """
    n = len(needs)
    if n == 0:
        return np.zeros(0)
    total = float(needs.sum())
    by_need = needs / total if total > 0 else np.zeros_like(needs)
    if kappa == 0:
        return by_need
    if kappa == 1:
        return np.full(n, 1.0 / n)
    return kappa / n + (1 - kappa) * by_need


def zero_fair_shares(
    project: Project, scenario: Scenario, cache: dict | None = None
) -> list[Problem]:
    """Partners whose fair share would be 0 (no need and no core share): attainment,
    the measure every rule works in, means nothing for them, so a solve stops.

    ``cache``: as for ``year_instances`` (the scores must not be blank then).
    """
    if scenario.core_share > 0:
        return []
    if cache is not None and (_partner_figures(project, scenario, cache).needs > 0).all():
        return []
    out = []
    for i in included_partners(project, scenario):
        p = project.partners[i]
        if need(p, scenario) <= 0:
            what = "reach" if scenario.basis == "reach" else "capacity"
            out.append(
                Problem(
                    f"partners[{i}].{what}",
                    f"{p.name}'s fair share is 0 under the {scenario.basis} basis, so how "
                    f"well it is funded cannot be measured; enter its {what}, give the "
                    "scenario a core share, or leave it out of the scenario",
                )
            )
    return out


@dataclass(frozen=True)
class _PartnerFigures:
    """What the year instances read from the partners taking part, as arrays.

    Kept by an Engine between solves (``year_instances``'s ``cache``): a sweep of a
    scenario setting meets the very same partners at every step. Kept arrays are made
    read-only, because every year instance of every such solve shares them.
    """

    partners: tuple  # the project's partners they were read from (compared by identity)
    key: tuple  # what else they depend on: excluded partners, basis, weights
    idx: list[int]
    ids: list[str]
    needs: np.ndarray
    by_need: np.ndarray
    cap: np.ndarray
    floor: np.ndarray
    bf: np.ndarray
    lead: np.ndarray


def _partner_figures(project: Project, scenario: Scenario, cache: dict | None) -> _PartnerFigures:
    key = (scenario.excluded, scenario.basis, scenario.weights)
    if cache is not None:
        got = cache.get("partners")
        # Partners are immutable, so the same tuple of them has the same figures.
        if got is not None and got.partners is project.partners and got.key == key:
            return got
    idx = included_partners(project, scenario)
    partners = [project.partners[i] for i in idx]
    needs = np.array([need(p, scenario) for p in partners], dtype=float)
    arrays = (
        needs,
        fair_share_fractions(needs, 0.0),
        np.array([p.capacity for p in partners], dtype=float),
        np.array([p.floor for p in partners], dtype=float),
        np.array([p.by_and_for for p in partners], dtype=bool),
        np.array([p.lead for p in partners], dtype=bool),
    )
    got = _PartnerFigures(project.partners, key, idx, [p.id for p in partners], *arrays)
    if cache is not None:
        # every year instance of every solve while the partners stay the same shares them
        for a in arrays:
            a.setflags(write=False)
        cache["partners"] = got
    return got


def year_instances(
    project: Project, scenario: Scenario, cache: dict | None = None
) -> list[YearInstance]:
    """Fair shares and limits of every year of ``scenario`` (see MODEL.md).

    ``cache``: a dict the caller keeps between calls (an Engine does), in which the
    partners' own figures are remembered while the project's partners stay the same.
    """
    pf = _partner_figures(project, scenario, cache)
    idx, needs, by_need = pf.idx, pf.needs, pf.by_need
    cap, floor, bf, lead = pf.cap, pf.floor, pf.bf, pf.lead
    share = (
        by_need if scenario.core_share == 0 else fair_share_fractions(needs, scenario.core_share)
    )
    n = len(idx)
    out = []
    for year, budget in zip(project.years, project.budgets(), strict=True):
        fee = int(math.floor(scenario.management_fee * budget + 0.5)) if lead.any() else 0
        D = float(budget - fee)
        tau = D * share
        lo = floor.copy()
        lo_kind = [FLOOR] * n
        if scenario.needs_floor > 0:
            nf = scenario.needs_floor * tau
            above = nf > lo
            lo[above] = nf[above]
            for i in np.nonzero(above)[0].tolist():
                lo_kind[i] = NEEDS_FLOOR
        hi = cap.copy()
        hi_kind = [CAPACITY] * n
        if scenario.lead_cap is not None:
            for i in np.nonzero(lead)[0].tolist():
                if scenario.lead_cap * D < hi[i]:
                    hi[i] = scenario.lead_cap * D
                    hi_kind[i] = LEAD_CAP
        out.append(
            YearInstance(
                year=year,
                budget=budget,
                fee=fee,
                ids=list(pf.ids),
                index=list(idx),
                need=needs,
                tau=tau,
                lo=lo,
                lo_kind=lo_kind,
                hi=hi,
                hi_kind=hi_kind,
                floor=floor,
                cap=cap,
                bf=bf,
                lead=lead,
                ring=scenario.ring_fence * D,
                rho=scenario.ring_fence,
                alpha=scenario.needs_floor,
                lam=scenario.lead_cap,
                k=scenario.spread_limit,
                kappa=scenario.core_share,
                share=share,
                by_need=by_need,
            )
        )
    return out
