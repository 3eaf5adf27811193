"""A spin box in a field's own units: percentages for shares, money in whole units."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from allocator.domain.fields import FieldSpec
from allocator.domain.text import currency_symbol
from allocator.report.sweep import is_share


class UnitSpinBox(QDoubleSpinBox):
    """A number in the field's own units: percentages for shares, money in whole units."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec: FieldSpec | None = None
        self.setKeyboardTracking(False)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setAccelerated(True)

    def configure(self, spec: FieldSpec, currency: str) -> None:
        self.spec = spec
        lo = spec.minimum if spec.minimum is not None else 0.0
        hi = spec.maximum
        self.setPrefix("")
        self.setSuffix("")
        self.setGroupSeparatorShown(False)
        if is_share(spec):
            self.setDecimals(1)
            self.setSuffix("%")
            self.setRange(lo * 100, (hi if hi is not None else 1.0) * 100)
            self.setSingleStep(5.0)
        elif spec.kind == "money":
            self.setDecimals(0)
            symbol = currency_symbol(currency)
            if len(symbol) == 1:
                self.setPrefix(symbol)
            else:
                self.setSuffix(f" {symbol}")
            self.setGroupSeparatorShown(True)
            self.setRange(max(lo, 1.0 if spec.exclusive_min else lo), 1e12)
            self.setSingleStep(10_000)
        else:
            self.setDecimals(2)
            self.setRange(lo, hi if hi is not None else 100.0)
            self.setSingleStep(0.25 if (hi or 10) <= 10 else 1.0)

    def model_value(self) -> float:
        """The value in the core's units (a fraction for a share)."""
        v = self.value()
        if self.spec is not None and is_share(self.spec):
            return round(v / 100.0, 6)
        return float(v)

    def set_model_value(self, value: float) -> None:
        if self.spec is not None and is_share(self.spec):
            self.setValue(value * 100.0)
        else:
            self.setValue(value)
