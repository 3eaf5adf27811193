"""Figures and changes as the comparison and the sweep put them into words.

Thin names over ``allocator.report.words``, the same words as the command line's and
the workbook's, for the table models (a model never imports a view);
``ui.views.compare`` offers every name here too.
"""

from __future__ import annotations

from allocator.domain.text import signed_pct
from allocator.report import words

__all__ = [
    "STATUS_WORDS",
    "arrow",
    "measure_change_text",
    "measure_text",
    "money_change_text",
    "signed_pct",
]

#: Status words, as a table cell starts them ("Cannot be met"): words.STATUS_TEXT's.
STATUS_WORDS = {status: words.status_title(status) for status in words.STATUS_TEXT}


def measure_text(key: str, value: float | None) -> str:
    """A measure as people read it: "29.9%", a Gini of "0.013", "unbounded", "–"."""
    return words.measure_text(key, value)


def arrow(text: str, value: float) -> str:
    """A change with its arrow, "▲ +£1,200" / "▼ −2.1 pts"; none when it shows as zero."""
    if not any(ch in "123456789" for ch in text):
        return text
    return f"{words.arrow_of(value)} {text}"


def measure_change_text(key: str, change: float | None) -> str:
    """A change of a measure: "▲ +8.1 pts", "▼ −0.013", "no change", "–"."""
    return words.measure_change_text(key, change)


def money_change_text(change: int | None, relative: float | None, currency: str) -> str:
    """A partner's change: "▲ +£107,925 (+39.7%)", "no change", "–"."""
    return words.money_change_text(change, relative, currency)
