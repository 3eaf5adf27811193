"""Project settings: name, currency, years and the grant, changed as one undo step."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression, QSignalBlocker, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import edits, fields
from allocator.domain.model import Budget, Project
from allocator.domain.text import currency_symbol, money
from allocator.errors import Problem, ValidationError
from ui.dialogs import error_label, problem_lines, show_problems
from ui.state.document import Document

#: Offered in the currency list; any other three-letter code may be typed.
CURRENCY_CODES = ("GBP", "EUR", "USD", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "ZAR")

MAX_MONEY = 1e12


def _spec(pattern: str) -> fields.FieldSpec:
    return fields.spec_for(pattern)


class ProjectDialog(QDialog):
    """Name, currency, first year, number of years, and the grant.

    The grant is either a first-year figure with an annual uplift (the table shows the
    figures that gives, read only) or a figure typed for each year.
    """

    #: Whether OK needs a grant (the start of a new project may leave it for later).
    grant_required = True

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectDialog")
        self.setWindowTitle(self.tr("Project settings"))
        self.setMinimumWidth(480)
        self.document = document
        project = document.project

        form = self._build_form(project)
        budget_box = self._build_budget(project)
        for widget, pattern in (
            (self.nameEdit, "name"),
            (self.currencyCombo, "currency"),
            (self.startSpin, "years.start"),
            (self.countSpin, "years.count"),
            (self.firstYearSpin, "budget.first_year"),
            (self.upliftSpin, "budget.annual_uplift"),
        ):
            spec = _spec(pattern)
            widget.setAccessibleName(self.tr(spec.label))
            widget.setToolTip(self.tr(spec.help))

        self.errors = error_label(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(budget_box)
        layout.addWidget(self.errors)
        layout.addWidget(buttons)

        self.countSpin.valueChanged.connect(self._on_count)
        self.startSpin.valueChanged.connect(lambda _v: self._label_rows())
        self.modeGroup.buttonToggled.connect(lambda _b, _c: self._on_mode())
        self.firstYearSpin.valueChanged.connect(lambda _v: self._follow_rule())
        self.upliftSpin.valueChanged.connect(lambda _v: self._follow_rule())
        self.currencyCombo.currentTextChanged.connect(lambda _t: self._on_currency())
        self.yearsTable.itemChanged.connect(lambda _i: self._show_total())
        self._on_currency()
        self._on_mode()

    # -- building --------------------------------------------------------------------
    def _build_form(self, project: Project) -> QFormLayout:
        """Name, currency, first year and number of years."""
        self.nameEdit = QLineEdit(project.name, self)
        self.nameEdit.setObjectName("projectName")
        self.currencyCombo = QComboBox(self)
        self.currencyCombo.setObjectName("projectCurrency")
        self.currencyCombo.setEditable(True)
        self.currencyCombo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currencyCombo.addItems(list(CURRENCY_CODES))
        if project.currency not in CURRENCY_CODES:
            self.currencyCombo.addItem(project.currency)
        self.currencyCombo.setCurrentText(project.currency)
        self.currencyCombo.setValidator(
            QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,3}"), self)
        )
        self.startSpin = QSpinBox(self)
        self.startSpin.setObjectName("projectStartYear")
        start = _spec("years.start")
        self.startSpin.setRange(int(start.minimum or 1900), int(start.maximum or 2200))
        self.startSpin.setValue(project.start_year)
        self.countSpin = QSpinBox(self)
        self.countSpin.setObjectName("projectYearCount")
        count = _spec("years.count")
        self.countSpin.setRange(int(count.minimum or 1), int(count.maximum or 10))
        self.countSpin.setValue(project.year_count)
        self.countSpin.setSuffix(self.tr(" years"))

        form = QFormLayout()
        form.addRow(self.tr("Project name"), self.nameEdit)
        form.addRow(self.tr("Currency"), self.currencyCombo)
        form.addRow(self.tr("First year"), self.startSpin)
        form.addRow(self.tr("Number of years"), self.countSpin)
        return form

    def _build_budget(self, project: Project) -> QGroupBox:
        """The grant: a first-year figure with an uplift, or a figure for each year."""
        self.upliftRadio = QRadioButton(self.tr("First year's grant, growing by an annual uplift"))
        self.perYearRadio = QRadioButton(self.tr("A figure for each year"))
        self.modeGroup = QButtonGroup(self)
        self.modeGroup.addButton(self.upliftRadio)
        self.modeGroup.addButton(self.perYearRadio)
        per_year = project.budget.per_year
        self.perYearRadio.setChecked(per_year is not None)
        self.upliftRadio.setChecked(per_year is None)
        self._build_rule(project)

        self.yearsTable = QTableWidget(0, 1, self)
        self.yearsTable.setObjectName("budgetPerYear")
        self.yearsTable.setHorizontalHeaderLabels([self.tr("Grant for the year")])
        self.yearsTable.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.yearsTable.setAccessibleName(self.tr("Grant for each year"))
        self.yearsTable.setToolTip(self.tr("Type each year's grant, such as 1,200,000 or 1.2m."))
        self.yearsTable.setMinimumHeight(120)
        self.totalLabel = QLabel(self)
        self.totalLabel.setObjectName("budgetTotal")
        figures: list[float | None] = list(per_year) if per_year is not None else []
        if per_year is None and project.budget.first_year is not None:
            figures = [float(b) for b in project.budgets()]
        self._set_rows(project.year_count, figures)

        box = QGroupBox(self.tr("Grant for the whole partnership"), self)
        layout = QVBoxLayout(box)
        layout.addWidget(self.upliftRadio)
        rule = QFormLayout()
        rule.setContentsMargins(24, 0, 0, 0)
        rule.addRow(self.tr("Grant in the first year"), self.firstYearSpin)
        rule.addRow(self.tr("Annual uplift"), self.upliftSpin)
        layout.addLayout(rule)
        layout.addWidget(self.perYearRadio)
        layout.addWidget(self.yearsTable)
        layout.addWidget(self.totalLabel)
        return box

    def _build_rule(self, project: Project) -> None:
        self.firstYearSpin = QDoubleSpinBox(self)
        self.firstYearSpin.setObjectName("budgetFirstYear")
        self.firstYearSpin.setDecimals(0)
        self.firstYearSpin.setRange(0, MAX_MONEY)
        self.firstYearSpin.setGroupSeparatorShown(True)
        self.firstYearSpin.setSingleStep(10000)
        self.firstYearSpin.setSpecialValueText(self.tr("not set yet"))  # a blank grant
        self.firstYearSpin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.upliftSpin = QDoubleSpinBox(self)
        self.upliftSpin.setObjectName("budgetUplift")
        uplift = _spec("budget.annual_uplift")
        self.upliftSpin.setDecimals(1)
        self.upliftSpin.setSuffix("%")
        self.upliftSpin.setSingleStep(0.5)
        self.upliftSpin.setRange((uplift.minimum or -0.5) * 100, (uplift.maximum or 1.0) * 100)
        self.upliftSpin.setAlignment(Qt.AlignmentFlag.AlignRight)
        first = project.budget.first_year
        if first is None and project.budget.per_year:
            first = project.budget.per_year[0]
        self.firstYearSpin.setValue(float(first or 0))
        self.upliftSpin.setValue(float(project.budget.annual_uplift or 0.0) * 100)

    def focus_path(self, path: str) -> None:
        """Put the focus on the field ``path`` names ("budget.first_year", "years.count",
        "budget.per_year[1]"); the name field when it names none here."""
        widgets: dict[str, QWidget] = {
            "currency": self.currencyCombo,
            "years.start": self.startSpin,
            "years.count": self.countSpin,
            "budget.first_year": self.firstYearSpin,
            "budget.annual_uplift": self.upliftSpin,
        }
        widget = widgets.get(path, self.nameEdit)
        if path.startswith("budget.per_year"):
            widget = self.yearsTable if self.perYearRadio.isChecked() else self.firstYearSpin
            row = path.rsplit("[", 1)[-1].rstrip("]")
            if widget is self.yearsTable and row.isdigit():
                self.yearsTable.setCurrentCell(int(row), 0)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QDoubleSpinBox | QSpinBox):
            widget.selectAll()

    # -- the per-year table ----------------------------------------------------------
    def _set_rows(self, count: int, figures: Sequence[float | None]) -> None:
        with QSignalBlocker(self.yearsTable):
            self.yearsTable.setRowCount(count)
            for k in range(count):
                value = figures[k] if k < len(figures) else (figures[-1] if figures else None)
                text = fields.format_value(_spec("budget.per_year[]"), value)
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.yearsTable.setItem(k, 0, item)
        self._label_rows()
        self._show_total()

    def _label_rows(self) -> None:
        start = self.startSpin.value()
        self.yearsTable.setVerticalHeaderLabels(
            [str(start + k) for k in range(self.yearsTable.rowCount())]
        )

    def _row_texts(self) -> list[str]:
        items = [self.yearsTable.item(k, 0) for k in range(self.yearsTable.rowCount())]
        return [item.text() if item is not None else "" for item in items]

    def _on_count(self, count: int) -> None:
        if self.perYearRadio.isChecked():
            texts = self._row_texts()
            figures: list[float | None] = []
            for t in texts:
                try:
                    figures.append(fields.parse_value(_spec("budget.per_year[]"), t))
                except ValidationError:
                    figures.append(None)
            self._set_rows(count, figures)
        else:
            self._follow_rule()

    def _rule_figures(self) -> list[float | None]:
        """The figures the first-year rule gives, worked out by the core's Budget
        (blank while no first-year grant is entered)."""
        if self.firstYearSpin.value() <= 0:
            return [None] * self.countSpin.value()
        budget = Budget(
            first_year=self.firstYearSpin.value(),
            annual_uplift=round(self.upliftSpin.value() / 100, 6),
        )
        return [float(b) for b in budget.amounts(self.countSpin.value())]

    def grant_is_blank(self) -> bool:
        """True when no grant is entered at all (no first-year figure, no year's figure)."""
        if self.upliftRadio.isChecked():
            return self.firstYearSpin.value() <= 0
        return not any(t.strip() for t in self._row_texts())

    def _follow_rule(self) -> None:
        if self.upliftRadio.isChecked():
            self._set_rows(self.countSpin.value(), self._rule_figures())

    def _on_mode(self) -> None:
        rule = self.upliftRadio.isChecked()
        self.firstYearSpin.setEnabled(rule)
        self.upliftSpin.setEnabled(rule)
        triggers = (
            QTableWidget.EditTrigger.NoEditTriggers
            if rule
            else QTableWidget.EditTrigger.AllEditTriggers
        )
        self.yearsTable.setEditTriggers(triggers)
        self.yearsTable.setEnabled(True)
        if rule:
            self._follow_rule()

    def _on_currency(self) -> None:
        code = self.currencyCombo.currentText().strip().upper()
        symbol = currency_symbol(code) if len(code) == 3 else ""
        if symbol and symbol != code:
            self.firstYearSpin.setPrefix(symbol)
            self.firstYearSpin.setSuffix("")
        else:
            self.firstYearSpin.setPrefix("")
            self.firstYearSpin.setSuffix(f" {code}" if code else "")
        self._show_total()

    def _show_total(self) -> None:
        code = self.currencyCombo.currentText().strip().upper() or "GBP"
        total = 0.0
        for t in self._row_texts():
            try:
                value = fields.parse_value(_spec("budget.per_year[]"), t)
            except ValidationError:
                value = None
            if value is None:
                self.totalLabel.setText(self.tr("Every year needs a grant above 0."))
                return
            total += value
        self.totalLabel.setText(
            self.tr("Over {n} years: {total}").format(
                n=self.yearsTable.rowCount(), total=money(total, code)
            )
        )

    # -- accepting -------------------------------------------------------------------
    def edited_project(self) -> Project:
        """The project with this dialog's settings, checked by the core's set_field.

        Raises ValidationError with every problem found (paths such as budget.per_year[1]).
        """
        project = self.document.project
        problems: list[Problem] = []

        def put(path: str, value: str | float) -> None:
            nonlocal project
            try:
                project = edits.set_field(project, path, value)
            except ValidationError as exc:
                problems.extend(exc.problems)

        put("name", self.nameEdit.text())
        put("currency", self.currencyCombo.currentText().strip())
        put("years.start", self.startSpin.value())
        put("years.count", self.countSpin.value())
        blank = self.tr("is blank: enter the partnership's grant (above 0)")
        if self.grant_is_blank() and not self.grant_required:
            pass  # left for later: the project keeps its blank grant
        elif self.upliftRadio.isChecked():
            if self.firstYearSpin.value() <= 0:
                problems.append(Problem("budget.first_year", blank))
            else:
                put("budget.first_year", self.firstYearSpin.value())
            put("budget.annual_uplift", round(self.upliftSpin.value() / 100, 6))
        else:
            for k, text in enumerate(self._row_texts()):
                if not text.strip():
                    problems.append(Problem(f"budget.per_year[{k}]", blank))
                else:
                    put(f"budget.per_year[{k}]", text)
        if problems:
            raise ValidationError(problems)
        return project

    def accept(self) -> None:
        try:
            project = self.edited_project()
        except ValidationError as exc:
            show_problems(self.errors, problem_lines(self.document.project, exc.problems))
            return
        self.document.edit(project, self.undo_text())
        super().accept()

    def undo_text(self) -> str:
        """The words of the undo step OK makes."""
        return self.tr("Change project settings")
