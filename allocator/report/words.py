"""What is said about a result: the one place for its names, words and figures as text.

The command line, the workbook and the desktop app all name a measure, a status, what
limits a partner, a budget line and a change through this module, so the same idea
reads the same everywhere ("Smallest attainment", "cannot be met", "▲ +£1,200 (+5.2%)",
"no change", "unbounded"). Money and percentages come from
:mod:`allocator.domain.text`, which this module builds on.

Kept free of the engine's modules (and of NumPy), so the app's first frame can read
its labels without loading the solver: keys are the plain strings the engine's
``Status``, reasons and ``LINE_KEYS`` are made of (a test keeps the two in step).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from allocator.domain.text import MINUS, money, pct, signed_money, signed_pct

if TYPE_CHECKING:  # named in signatures only: the engine loads after the app's first frame
    from allocator.engine.result import Metrics

NOT_SHOWN = "–"
"""A cell with no figure: a scenario that did not solve, a change that cannot be told."""

NO_CHANGE = "no change"
"""A change that is exactly nothing (in whole units for money)."""

UNBOUNDED = "unbounded"
"""A ratio with nothing below it: the need ratio when a partner taking part gets nothing."""

UP = "\u25b2"  # ▲ a gain
DOWN = "\u25bc"  # ▼ a loss


# ----------------------------------------------------------------------------------
# Measures of a split as a whole
# ----------------------------------------------------------------------------------


class Shown(StrEnum):
    """How a measure's figure reads."""

    FRACTION = "fraction"  # a share, as a percentage; its change in percentage points
    RATIO = "ratio"  # a plain number with a fixed number of decimals
    MONEY = "money"  # an amount in the project's currency


@dataclass(frozen=True)
class Measure:
    """One measure: its result key, its name, what it means and how its figure reads."""

    key: str
    name: str
    tip: str
    shown: Shown
    digits: int = 1  # decimals of a ratio (a fraction shows one decimal of a percent)


MEASURES: tuple[Measure, ...] = (
    Measure(
        "min_attainment",
        "Smallest attainment",
        "The lowest grant as a share of its fair share, over all partners taking part",
        Shown.FRACTION,
    ),
    Measure(
        "max_attainment",
        "Largest attainment",
        "The highest grant as a share of its fair share, over all partners taking part",
        Shown.FRACTION,
    ),
    Measure(
        "gini",
        "Gini",
        "The Gini coefficient of funding per unit of need: how unevenly it is spread, "
        "0 is perfectly even",
        Shown.RATIO,
        digits=3,
    ),
    Measure(
        "need_ratio",
        "Need ratio",
        "Largest over smallest funding per unit of need: 1.00 means everyone is funded "
        "alike for their need",
        Shown.RATIO,
        digits=2,
    ),
    Measure(
        "by_and_for_share",
        "By-and-for share",
        "The share of the grant that goes to by-and-for partners",
        Shown.FRACTION,
    ),
    Measure(
        "lead_share",
        "Lead share (fee included)",
        "The share of the whole grant the lead receives, its management fee included",
        Shown.FRACTION,
    ),
)
"""The measures in the order every place shows them."""

MEASURE_KEYS: tuple[str, ...] = tuple(m.key for m in MEASURES)
_MEASURE_BY_KEY = {m.key: m for m in MEASURES}


def measure(key: str) -> Measure:
    """The measure with result key ``key`` (KeyError for a key that is not a measure)."""
    return _MEASURE_BY_KEY[key]


def measure_name(key: str) -> str:
    """A measure's name: "Smallest attainment"."""
    return _MEASURE_BY_KEY[key].name


def measure_values(metrics: Metrics) -> dict[str, float]:
    """A result's measures by key (``inf`` kept: it reads "unbounded")."""
    values = asdict(metrics)
    return {key: float(values[key]) for key in MEASURE_KEYS}


def measure_text(key: str, value: float | None, currency: str = "GBP") -> str:
    """A measure's figure as people read it: "99.6%", "0.013", "1.11", "unbounded";
    "–" where there is none (a scenario that did not solve)."""
    if value is None or math.isnan(value):
        return NOT_SHOWN
    if math.isinf(value):
        return UNBOUNDED
    m = _MEASURE_BY_KEY[key]
    if m.shown is Shown.FRACTION:
        return pct(value, m.digits)
    if m.shown is Shown.MONEY:
        return money(value, currency)
    return f"{value:.{m.digits}f}"


def measure_change_text(key: str, change: float | None, currency: str = "GBP") -> str:
    """A change in a measure: "▲ +7.8 pts" (a share, in percentage points), "▼ −0.013",
    "▲ under 0.1 pts" (too small to show), "no change"; "–" where it cannot be told."""
    if change is None or not math.isfinite(change):
        return NOT_SHOWN
    if change == 0:
        return NO_CHANGE
    m = _MEASURE_BY_KEY[key]
    if m.shown is Shown.MONEY:
        return money_change_text(change, None, currency)
    if m.shown is Shown.FRACTION:
        size, unit = abs(change) * 100, " pts"
    else:
        size, unit = abs(change), ""
    if round(size, m.digits) == 0:
        return f"{arrow_of(change)} under {10**-m.digits:.{m.digits}f}{unit}"
    sign = "+" if change > 0 else MINUS
    return f"{arrow_of(change)} {sign}{size:.{m.digits}f}{unit}"


# ----------------------------------------------------------------------------------
# Changes: gains and losses by sign and arrow, never by colour
# ----------------------------------------------------------------------------------


def arrow_of(value: float) -> str:
    """▲ for a gain, ▼ for a loss."""
    return UP if value > 0 else DOWN


def money_change_text(change: float | None, relative: float | None, currency: str) -> str:
    """A partner's gain or loss: "▲ +£1,200 (+5.2%)", "▼ −£1,200" (no percent against
    nothing), "no change"; "–" where it cannot be told."""
    if change is None:
        return NOT_SHOWN
    if round(change) == 0:
        return NO_CHANGE
    text = f"{arrow_of(change)} {signed_money(change, currency)}"
    if relative is not None and math.isfinite(relative):
        text += f" ({signed_pct(relative)})"
    return text


# ----------------------------------------------------------------------------------
# How a solve ended
# ----------------------------------------------------------------------------------

STATUS_TEXT: dict[str, str] = {
    "optimal": "solved",
    "infeasible": "cannot be met",
    "invalid": "cannot be solved yet",
    "error": "failed",
    "cancelled": "stopped",
}
"""Every ``Status`` in words; each also reads after "it" ("it cannot be met")."""


def with_fee_text(amount: int, fee: int, currency: str) -> str:
    """An amount that includes the lead's management fee, said so where it stands beside
    figures that do not: "£957,630 incl. £216,000 fee"; the plain amount without a fee."""
    if not fee:
        return money(amount, currency)
    return f"{money(amount, currency)} incl. {money(fee, currency)} fee"


def status_text(status: str) -> str:
    """A status in words, "solved", "cannot be met" (``Status`` is a ``str`` enum)."""
    return STATUS_TEXT[status]


def status_title(status: str) -> str:
    """A status in words as a table cell starts it: "Cannot be met"."""
    return STATUS_TEXT[status].capitalize()


# ----------------------------------------------------------------------------------
# What limits a partner, and its budget lines
# ----------------------------------------------------------------------------------

LIMIT_TEXT: dict[str, str] = {
    "budget": "budget",
    "capacity": "capacity",
    "floor": "floor",
    "needs floor": "needs floor",
    "ring-fence": "ring-fence",
    "spread": "spread limit",
    "lead cap": "lead cap",
    "level": "common level",
    "excluded": "left out",
}
"""What limits a partner in a year (the result's reason keys), in a few words for a
cell; the engine's ``REASON_WORDS`` say the same as sentences."""


def limit_text(reason: str) -> str:
    """What limits a partner, for a table cell: "capacity", "spread limit"."""
    return LIMIT_TEXT[reason]


def limits_text(reasons: Sequence[str]) -> str:
    """Several limits in one cell, "capacity, spread limit"; "–" for none."""
    return ", ".join(LIMIT_TEXT[r] for r in reasons) or NOT_SHOWN


@dataclass(frozen=True)
class Line:
    """One budget line: its key in a result's ``lines``, its name and what it holds."""

    key: str
    name: str
    tip: str


LINES: tuple[Line, ...] = (
    Line("delivery", "Delivery", "Direct delivery costs, all years"),
    Line("back_office", "Back-office", "Full cost recovery: the back-office line, all years"),
    Line(
        "management",
        "Management fee",
        "The lead's fee for coordinating the partnership, all years",
    ),
    Line(
        "unrestricted",
        "Unrestricted",
        "Part of the grant the partner may spend as it needs, all years",
    ),
)
"""The budget lines of a grant, in the engine's ``LINE_KEYS`` order."""

LINE_KEYS: tuple[str, ...] = tuple(line.key for line in LINES)
