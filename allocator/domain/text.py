"""Money and percentages in words: the one place that decides how they read.

The command line, the workbook, explanations and the desktop app all show amounts
through these functions, so a figure reads the same everywhere ("£120,000", "29.9%").
Amounts are whole currency units: the engine's figures are whole units, and money to
three decimals in a sentence only hides the point.
"""

from __future__ import annotations

import math
from datetime import date as _date

MINUS = "\u2212"
"""The minus sign used for negative amounts and changes: a real minus, not a hyphen."""

CURRENCY_SYMBOLS: dict[str, str] = {"GBP": "£", "EUR": "€", "USD": "$"}
"""Currencies shown with a symbol; any other code is written after the amount."""


def currency_symbol(code: str) -> str:
    """The symbol for a currency code ("£" for GBP), or the code itself when it has none."""
    return CURRENCY_SYMBOLS.get(code.upper(), code) if code else ""


def whole(value: float) -> int:
    """Round to whole units, halves away from zero (the same both sides of zero)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite amount: {value!r}")
    magnitude = math.floor(abs(value) + 0.5)
    return -magnitude if value < 0 else magnitude


def _body(value: int, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper()) if currency else None
    digits = f"{abs(value):,}"
    if symbol:
        return f"{symbol}{digits}"
    return f"{digits} {currency}" if currency else digits


def money(value: float, currency: str = "GBP") -> str:
    """An amount in whole units with thousands separators: "£120,000", "−£1,200", "900 CHF"."""
    v = whole(value)
    text = _body(v, currency)
    return f"{MINUS}{text}" if v < 0 else text


def signed_money(value: float, currency: str = "GBP") -> str:
    """A change in money, always with its sign: "+£1,200", "−£1,200", "£0" for no change."""
    v = whole(value)
    text = _body(v, currency)
    if v > 0:
        return f"+{text}"
    if v < 0:
        return f"{MINUS}{text}"
    return text


def pct(value: float, digits: int = 1) -> str:
    """A fraction as a percentage: 0.299 -> "29.9%" (0.3 -> "30.0%" with one digit)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite share: {value!r}")
    text = f"{abs(value) * 100:.{digits}f}"
    if value < 0 and float(text) != 0:
        return f"{MINUS}{text}%"
    return f"{text}%"


def signed_pct(value: float, digits: int = 1) -> str:
    """A relative change with its sign: 0.052 -> "+5.2%", -0.108 -> "−10.8%"; a change
    that shows as zero has none ("0.0%")."""
    text = pct(abs(value), digits)
    if float(text.rstrip("%")) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text


#: Month names written out: a date in words never depends on the machine's locale.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_words(day: _date) -> str:
    """A date as people write it: "3 December 2026" (never a numeric form that reads
    differently from one country to the next)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
