"""Figures and changes as the comparison and the sweep put them into words.

Moved unchanged from the compare view so the table models can use them (a model never
imports a view); ``ui.views.compare`` still offers every name here.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication

from allocator.domain.text import MINUS, pct, signed_money
from ui.models.common import MEASURE_ROWS

#: Status words for a scenario that did not solve.
STATUS_WORDS = {
    "optimal": "Met",
    "infeasible": "Cannot be met",
    "invalid": "Cannot be solved yet",
    "error": "Solver error",
    "cancelled": "Stopped",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CompareView", text)


def measure_text(key: str, value: float | None) -> str:
    """A measure as people read it: "29.9%", a Gini of "0.013", a need ratio of "1.11"."""
    how = next((h for k, _label, h, _tip in MEASURE_ROWS if k == key), "ratio")
    if value is None or not math.isfinite(value):
        return "–"
    if how == "pct":
        return pct(value, 1)
    if how == "gini":
        return f"{value:.3f}"
    return f"{value:.2f}"


def _signed(text: str, value: float) -> str:
    if text.strip("0.") == "":
        return text
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def arrow(text: str, value: float) -> str:
    """A change with its arrow, "▲ +£1,200" / "▼ −2.1 pts"; none when it shows as zero."""
    if not any(ch in "123456789" for ch in text):
        return text
    return f"▲ {text}" if value > 0 else f"▼ {text}"


def signed_pct(value: float, digits: int = 1) -> str:
    """A relative change in percent with its sign: "+39.7%", "−11.1%"."""
    return _signed(f"{abs(value) * 100:.{digits}f}", value) + "%"


def measure_change_text(key: str, change: float | None) -> str:
    """A change of a measure: shares in percentage points ("▲ +8.1 pts"), others as numbers."""
    how = next((h for k, _label, h, _tip in MEASURE_ROWS if k == key), "ratio")
    if change is None or not math.isfinite(change):
        return "–"
    if how == "pct":
        body = _signed(f"{abs(change) * 100:.1f}", change)
        return arrow(_tr("{change} pts").format(change=body), change)
    digits = 3 if how == "gini" else 2
    return arrow(_signed(f"{abs(change):.{digits}f}", change), change)


def money_change_text(change: int | None, relative: float | None, currency: str) -> str:
    """A partner's change: "▲ +£107,925 (+39.7%)"; the percent left off against nothing."""
    if change is None:
        return "–"
    text = signed_money(change, currency)
    if relative is not None and math.isfinite(relative):
        text += f" ({signed_pct(relative)})"
    return arrow(text, change)
