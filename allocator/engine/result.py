"""What a solve returns: figures that carry their own explanations."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass
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


@dataclass
class Relaxation:
    """One edit to the project file; all of a result's edits together make it solve."""

    field: str
    from_value: float
    to_value: float
    explanation: str

    def to_json(self) -> dict:
        return {
            "field": self.field,
            "from": self.from_value,
            "to": self.to_value,
            "explanation": self.explanation,
        }


@dataclass
class PartnerResult:
    id: str
    name: str
    index: int  # position in project.partners
    lead: bool
    by_and_for: bool
    included: bool
    need: float  # n_p; 0 when excluded
    per_year: list[int]  # grant excluding the management fee, whole currency
    fair_share: list[float]  # tau_{p,y}, currency (unrounded)
    attainment_per_year: list[float]
    limited_by_per_year: list[str]
    lines: dict[str, list[int]]  # delivery, back_office, management, unrestricted
    back_office_rate: float
    size_proportional: list[int]  # the "bigger slice" split of the same budget
    reason: str = ""  # why, in words

    @property
    def total(self) -> int:
        return sum(self.per_year)

    @property
    def received(self) -> int:
        """Everything the partner receives: grant plus, for the lead, the fee."""
        return self.total + sum(self.lines["management"])

    @property
    def fair_share_total(self) -> float:
        return sum(self.fair_share)

    @property
    def attainment(self) -> float:
        fs = self.fair_share_total
        return self.total / fs if fs > 0 else 0.0

    @property
    def vs_size_proportional(self) -> int:
        return self.received - sum(self.size_proportional)

    @property
    def limited_by(self) -> list[str]:
        out: list[str] = []
        for r in self.limited_by_per_year:
            if r not in out:
                out.append(r)
        return out

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "lead": self.lead,
            "by_and_for": self.by_and_for,
            "included": self.included,
            "per_year": self.per_year,
            "total": self.total,
            "lines": self.lines,
            "fair_share": [round(v, 2) for v in self.fair_share],
            "attainment": self.attainment,
            "attainment_per_year": self.attainment_per_year,
            "limited_by": self.limited_by,
            "limited_by_per_year": self.limited_by_per_year,
            "need": self.need,
            "back_office_rate": self.back_office_rate,
            "size_proportional": self.size_proportional,
            "vs_size_proportional": self.vs_size_proportional,
            "reason": self.reason,
        }


@dataclass
class Metrics:
    min_attainment: float = 0.0
    max_attainment: float = 0.0
    gini: float = 0.0
    need_ratio: float = 0.0
    by_and_for_share: float = 0.0
    lead_share: float = 0.0

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ScenarioResult:
    name: str
    index: int  # position in project.scenarios
    status: str  # optimal, infeasible, error, cancelled
    message: str
    currency: str
    years: list[int]
    budget: list[int]
    fee: list[int]
    rule: str
    partners: list[PartnerResult] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)
    binding: list[Binding] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # plain arithmetic findings
    method: str = ""  # how the split was computed (for the Method sheet)
    solver: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    @property
    def distributable(self) -> list[int]:
        return [b - f for b, f in zip(self.budget, self.fee, strict=True)]

    def partner(self, pid: str) -> PartnerResult:
        for p in self.partners:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "rule": self.rule,
            "solver": self.solver,
            "budget": self.budget,
            "fee": self.fee,
            "partners": [p.to_json() for p in self.partners],
            "metrics": self.metrics.to_json(),
            "binding": [b.to_json() for b in self.binding],
            "relaxations": [r.to_json() for r in self.relaxations],
            "checks": self.checks,
        }
