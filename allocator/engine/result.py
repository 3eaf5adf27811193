"""What a solve returns: figures that carry their own explanations.

Every result is immutable (frozen dataclasses holding tuples), so a worker thread can
hand one to the screen without either side changing it afterwards, and each carries
the fingerprint of the project it was solved from, so a view can tell a result of an
older edit from a current one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from allocator.errors import Problem

# The names a limiting reason or a binding constraint may take, in the users' words.
BUDGET = "budget"
CAPACITY = "capacity"
FLOOR = "floor"
RING_FENCE = "ring-fence"
NEEDS_FLOOR = "needs floor"
SPREAD = "spread"
LEAD_CAP = "lead cap"
LEVEL = "level"
EXCLUDED = "excluded"

REASON_WORDS = {
    CAPACITY: "it is at its capacity, the most it can absorb and deliver",
    FLOOR: "it is at its floor, its minimum viable grant",
    NEEDS_FLOOR: "it is at the needs floor, the least share of its fair share every partner is promised",
    RING_FENCE: "it is lifted by the by-and-for ring-fence",
    SPREAD: "it is held by the spread limit on funding per unit of need",
    LEAD_CAP: "it is at the lead cap, the most the lead may take",
    LEVEL: "it sits at the common level that the rule raises for every partner it can",
    EXCLUDED: "it is left out of this scenario",
}

LINE_KEYS = ("delivery", "back_office", "management", "unrestricted")


class Status(StrEnum):
    """How a solve ended. A ``str`` enum: ``Status.OPTIMAL == "optimal"``."""

    OPTIMAL = "optimal"  # solved; the figures are the split
    INFEASIBLE = "infeasible"  # the rules cannot all be met; checks and suggestions say why
    ERROR = "error"  # the solver failed; no figures
    CANCELLED = "cancelled"  # the caller stopped the solve; no figures
    INVALID = "invalid"  # the inputs cannot be solved yet (a blank score...); see problems


class Lines(dict):
    """A partner's budget lines by name (delivery, back_office, management, unrestricted),
    each a tuple of whole units per year. Read-only: a result never changes."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a result's budget lines cannot be changed")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (Lines, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Binding:
    """A constraint that holds the split where it is, with its shadow price.

    ``shadow_price`` is how much the attainment level of the partners it holds back
    would rise for each extra currency unit of room in the constraint (signs
    normalised: never negative, the same whichever solver ran).
    """

    constraint: str
    partner: str | None
    year: int
    shadow_price: float
    explanation: str

    def to_json(self) -> dict:
        return {
            "constraint": self.constraint,
            "partner": self.partner,
            "year": self.year,
            "shadow_price": self.shadow_price,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Relaxation:
    """One edit to the project; all of a result's suggested edits together make it solve.

    ``field`` is the field path in the project (``partners[1].floor``); a partner's
    edit also names the partner by id, so it can be applied after partners were
    reordered. ``words`` says what changes ("Amani Collective's floor from £60,000 to
    £42,000"), ``explanation`` says it as a suggestion ("lower Amani Collective's ...").
    """

    field: str
    from_value: float
    to_value: float
    explanation: str
    partner_id: str | None = None
    partner_index: int | None = None
    words: str = ""

    def to_json(self) -> dict:
        return {
            "field": self.field,
            "from": self.from_value,
            "to": self.to_value,
            "explanation": self.explanation,
            "words": self.words,
            "partner_id": self.partner_id,
            "partner_index": self.partner_index,
        }


@dataclass(frozen=True)
class PartnerResult:
    id: str
    name: str
    index: int  # position in project.partners
    lead: bool
    by_and_for: bool
    included: bool
    need: float  # n_p; 0 when excluded
    per_year: tuple[int, ...]  # grant excluding the management fee, whole currency
    fair_share: tuple[float, ...]  # tau_{p,y}, currency (unrounded; never shown)
    attainment_per_year: tuple[float, ...]  # per_year / fair_share_units (whole units)
    limited_by_per_year: tuple[str, ...]
    lines: Lines  # delivery, back_office, management, unrestricted: tuples per year
    back_office_rate: float
    size_proportional: tuple[int, ...]  # the "bigger slice" split of the same budget
    reason: str = ""  # why, in words
    # The fair share in whole units: each year's fair shares rounded by the largest
    # remainder, exactly as the size-proportional split is, so they add up to the
    # distributable budget and equal that split where the scenario is that split.
    fair_share_units: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.per_year)

    @property
    def received(self) -> int:
        """Everything the partner receives: grant plus, for the lead, the fee."""
        return self.total + self.fee_total

    @property
    def fair_share_whole(self) -> tuple[int, ...]:
        """The fair share per year in whole units, as every report shows it: the
        engine's ``fair_share_units`` (each year rounded by the largest remainder), or,
        for a result made without them, each year rounded on its own."""
        if self.fair_share_units or not self.fair_share:
            return tuple(int(v) for v in self.fair_share_units)
        return tuple(int(math.floor(v + 0.5)) for v in self.fair_share)

    @property
    def fair_share_total(self) -> int:
        """The sum of the whole-unit yearly fair shares (never the rounded sum of the
        fractional years): the total shown beside them."""
        return sum(self.fair_share_whole)

    @property
    def attainment(self) -> float:
        """Grant over fair share, both in whole units as shown."""
        fs = self.fair_share_total
        return self.total / fs if fs > 0 else 0.0

    @property
    def fee_total(self) -> int:
        """The management fee the partner keeps as lead (0 for every other partner)."""
        return sum(self.lines["management"])

    @property
    def vs_size_proportional(self) -> int:
        """What the partner receives (its fee included) less its size-proportional split."""
        return self.received - sum(self.size_proportional)

    @property
    def limited_by(self) -> tuple[str, ...]:
        """Each reason once, in the order the years first give it."""
        return tuple(dict.fromkeys(self.limited_by_per_year))

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "lead": self.lead,
            "by_and_for": self.by_and_for,
            "included": self.included,
            "per_year": list(self.per_year),
            "total": self.total,
            "fee": self.fee_total,
            "received": self.received,
            "lines": {k: list(self.lines[k]) for k in LINE_KEYS},
            "fair_share": list(self.fair_share_whole),
            "fair_share_total": self.fair_share_total,
            "fair_share_units": list(self.fair_share_whole),
            "attainment": self.attainment,
            "attainment_per_year": list(self.attainment_per_year),
            "limited_by": list(self.limited_by),
            "limited_by_per_year": list(self.limited_by_per_year),
            "need": self.need,
            "back_office_rate": self.back_office_rate,
            "size_proportional": list(self.size_proportional),
            "vs_size_proportional": self.vs_size_proportional,
            "reason": self.reason,
        }


def bare_binding(constraint: str, partner: str | None, year: int) -> Binding:
    """``Binding(constraint, partner, year, 0.0, "")``: which constraint binds, without a
    price or words (a figures-only solve makes dozens per step of a sweep), made like
    ``partner_result``."""
    b = object.__new__(Binding)
    b.__dict__.update(
        constraint=constraint, partner=partner, year=year, shadow_price=0.0, explanation=""
    )
    return b


def partner_result(**fields: Any) -> PartnerResult:
    """``PartnerResult(**fields)``, every field given, made without the frozen dataclass's
    one ``object.__setattr__`` call per field: an engine makes one per partner at every
    solve, and a sweep solves many times. The same object in every other respect (the
    tests compare the two)."""
    pr = object.__new__(PartnerResult)
    pr.__dict__.update(fields)
    return pr


@dataclass(frozen=True)
class Metrics:
    """The split as a whole.

    ``need_ratio`` is the largest over the smallest funding per unit of need; it is
    unbounded (``inf`` here, ``null`` in JSON) when a partner taking part gets nothing.
    """

    min_attainment: float = 0.0
    max_attainment: float = 0.0
    gini: float = 0.0
    need_ratio: float = 0.0
    by_and_for_share: float = 0.0
    lead_share: float = 0.0

    def to_json(self) -> dict:
        return {
            "min_attainment": self.min_attainment,
            "max_attainment": self.max_attainment,
            "gini": self.gini,
            "need_ratio": _finite(self.need_ratio),
            "by_and_for_share": self.by_and_for_share,
            "lead_share": self.lead_share,
        }


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's split, or why there is none.

    ``status`` says which: only an OPTIMAL result has partners' figures. INFEASIBLE
    carries ``checks`` (plain arithmetic), ``relaxations`` (edits that together make
    it solve), ``budget_alternative`` (the total grant over all years that would make
    it solve as it stands, with ``budget_edits`` to set it) and
    ``after_relaxations_zero`` (who would get nothing in some year after the
    relaxations), with the split's smallest attainment and by-and-for share after
    them; when no change helps, ``blocking`` names the kept rules in the way. INVALID carries ``problems`` from validation.
    """

    name: str
    index: int  # position in project.scenarios
    status: Status
    message: str
    currency: str
    years: tuple[int, ...]
    budget: tuple[int, ...]
    fee: tuple[int, ...]
    fingerprint: str = ""
    partners: tuple[PartnerResult, ...] = ()
    metrics: Metrics = field(default_factory=Metrics)
    binding: tuple[Binding, ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    checks: tuple[str, ...] = ()  # plain arithmetic findings
    problems: tuple[Problem, ...] = ()  # INVALID: what stops a solve, with paths
    budget_alternative: int | None = None
    budget_edits: tuple[Relaxation, ...] = ()
    after_relaxations_zero: tuple[str, ...] = ()
    # the kept rules that stand in the way when no suggested change helps, each with
    # the value at which it would solve; never suggestions (``relaxations`` is empty)
    blocking: tuple[Relaxation, ...] = ()
    # the grant that would make it solve as it stands, per year, and that in words
    # ("a grant of £760,870 a year, £39,130 a year less than today, would ...")
    budget_alternative_per_year: tuple[int, ...] = ()
    budget_words: str = ""
    # the split once every suggested change is made: its smallest attainment and the
    # by-and-for partners' share (None when there are no suggestions)
    after_relaxations_min_attainment: float | None = None
    after_relaxations_by_and_for_share: float | None = None
    method: str = ""  # how the split was computed (for the Method sheet)
    solver: str = ""

    @property
    def ok(self) -> bool:
        return self.status == Status.OPTIMAL

    @property
    def distributable(self) -> tuple[int, ...]:
        return tuple(b - f for b, f in zip(self.budget, self.fee, strict=True))

    def partner(self, pid: str) -> PartnerResult:
        for p in self.partners:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def to_json(self) -> dict:
        """Plain JSON types only: no Infinity or NaN, paths as text, status as text."""
        return {
            "name": self.name,
            "index": self.index,
            "status": Status(self.status).value,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "rule": "leximin",
            "method": self.method,
            "solver": self.solver,
            "budget": list(self.budget),
            "fee": list(self.fee),
            "partners": [p.to_json() for p in self.partners],
            "metrics": self.metrics.to_json(),
            "binding": [b.to_json() for b in self.binding],
            "relaxations": [r.to_json() for r in self.relaxations],
            "budget_alternative": self.budget_alternative,
            "budget_edits": [r.to_json() for r in self.budget_edits],
            "after_relaxations_zero": list(self.after_relaxations_zero),
            "after_relaxations": (
                None
                if self.after_relaxations_min_attainment is None
                else {
                    "min_attainment": self.after_relaxations_min_attainment,
                    "by_and_for_share": self.after_relaxations_by_and_for_share,
                }
            ),
            "kept_rule_in_the_way": [r.to_json() for r in self.blocking],
            "budget_alternative_per_year": list(self.budget_alternative_per_year),
            "budget_alternative_words": self.budget_words,
            "checks": list(self.checks),
            "problems": [{"path": str(p.path), "message": p.message} for p in self.problems],
        }
