"""Why the split is what it is, and what stops it: the explanation and the problems.

:class:`ExplanationView` puts the selected partner's figures and reasons in words: its
grant each year, its fair share and attainment, what limits it, its need, its change
against a size-proportional split, and the rules that hold the split with their
shadow prices. Every figure and sentence comes from the result or the project; the
view only lays them out.

:class:`ProblemsView` lists what is wrong with the inputs (a click selects the field)
and, for a scenario that cannot be met, the plain arithmetic and each suggested change
with its own Apply button, plus Apply all as one undoable step. The changes are the
list as first worked out, less those already made (the document keeps it), with what
all of them would do to the split; a rule the scenario keeps that stands in the way is
said as information, never offered to apply; and the grant that would suffice is said
per year against today's.
"""

from __future__ import annotations

import time
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from allocator.domain import needs
from allocator.domain.fields import spec_for
from allocator.domain.model import Partner
from allocator.domain.text import money, pct
from allocator.errors import Problem, ValidationError
from allocator.report.words import (
    LIMIT_TEXT,
    limit_text,
    measure_name,
    measure_text,
    money_change_text,
    with_fee_text,
)
from ui.models.common import warning_icon
from ui.widgets.breakdown import breakdown_html

if TYPE_CHECKING:  # named in signatures only: results code loads after the first frame
    from allocator.engine.result import PartnerResult, Relaxation, ScenarioResult
    from ui.state.document import Document

#: The most rules listed under "Rules that hold this split" before "and N more".
MAX_RULES = 12

#: The figures of a new split can be on screen before its reasons: the old reasons
#: stay until the new ones come, greyed once they have taken this long.
GREY_AFTER_MS = 150

#: The old name of what limits a partner in a year, in a few words: the words are
#: :mod:`allocator.report.words`'s, the same as the results table's.
LIMIT_WORDS = LIMIT_TEXT


def _tr(text: str) -> str:
    return QCoreApplication.translate("ExplanationView", text)


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _first_down(text: str) -> str:
    return text[:1].lower() + text[1:]


_NOT_YET = object()  # a view not filled yet


class ExplanationView(QTextBrowser):
    """The selected partner's reasons, in words, for the scenario the results show."""

    _ready = False  # set once built: a palette change can come while it is being built

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explanationView")
        self.setAccessibleName(self.tr("Why this partner gets what it gets"))
        self.setOpenLinks(False)
        self.setMinimumHeight(60)
        self._doc = document
        self._html: str | None = None
        self.html_sets = 0  # how often the text was actually replaced
        self._waited_long = False  # the reasons of figures on screen are slow to come
        self._greyed = False  # the text is shown greyed (disabled) while a slow solve runs
        self._grey_timer = QTimer(self)
        self._grey_timer.setSingleShot(True)
        self._grey_timer.setInterval(GREY_AFTER_MS)
        self._grey_timer.timeout.connect(self._on_waited_long)
        document.selectedPartnerChanged.connect(lambda _i: self.refresh())
        document.resultsChanged.connect(self.refresh)
        # a solve that takes a while greys the figures shown until the new ones are back
        document.solvingChanged.connect(self._on_solving)
        document.projectReset.connect(self.refresh)
        document.currentScenarioChanged.connect(lambda _n: self.refresh())
        self._ready = True
        self.refresh()

    def refresh(self) -> None:
        """Show the explanation, replacing the text only when it reads differently.

        Right after an edit the text waits for the new split instead of flashing an
        "out of date" note first (a long solve greys it meanwhile); the note is for
        figures that stay out of date because a problem blocks the solve. The text
        also waits while the new figures are on screen and their reasons are still
        being worked out: it is laid out once, with them.
        """
        if self._html is not None and self._new_split_coming():
            if self._doc.result_is_current() and not self._grey_timer.isActive():
                if not self._waited_long:
                    self._grey_timer.start()
            return
        self._grey_timer.stop()
        self._waited_long = False
        self._show_grey()
        html = self.explanation_html()
        if html == self._html:
            return
        self._html = html
        self.html_sets += 1
        self.setHtml(html)

    def _new_split_coming(self) -> bool:
        """The reasons shown are out of date and a solve of the inputs as they are is
        (or is about to be) on its way: nothing blocks it."""
        doc = self._doc
        if doc.result() is None or doc.result_is_explained():
            return False
        if doc.solve_pending:
            return True
        if doc.result_is_current():
            return False  # the figures came without reasons and none are on their way
        # just edited: the solve is asked for right after this signal
        return doc.autosolve and not doc.problems and doc.result_state() == "none"

    def _on_waited_long(self) -> None:
        self._waited_long = self._new_split_coming()
        self._show_grey()

    def _on_solving(self, busy: bool) -> None:
        self._show_grey()

    def _show_grey(self) -> None:
        busy = self._doc.is_solving
        enabled = not (busy or self._waited_long)
        if self._greyed == enabled:  # kept here: no call into Qt while nothing changes
            self._greyed = not enabled
            self.viewport().setEnabled(enabled)

    def changeEvent(self, event: QEvent) -> None:
        # the out-of-date note takes its colour from the palette: redraw on a change
        super().changeEvent(event)
        if (
            event.type()
            in (
                QEvent.Type.PaletteChange,
                QEvent.Type.ApplicationPaletteChange,
            )
            and self._ready
        ):
            self._html = None
            self.refresh()

    def explanation_html(self) -> str:
        """The whole explanation as rich text (also used for printing or copying)."""
        doc = self._doc
        project = doc.project
        index = doc.selected_partner
        if not project.partners:
            return self._para(self.tr("Add partners to see a split and its reasons."))
        if not 0 <= index < len(project.partners):
            return self._para(self.tr("Pick a partner in a table to see why it gets what it gets."))
        partner = project.partners[index]
        result = doc.result()
        if result is None:
            if doc.problems:
                text = self.tr(
                    "No split yet for {name}: fix the problems listed under Problems first."
                ).format(name=partner.name)
            else:
                text = self.tr("Working out the split…")
            return self._para(text) + self._needs_html(partner)
        pr = next((p for p in result.partners if p.index == index and p.id == partner.id), None)
        if pr is None:
            pr = next((p for p in result.partners if p.id == partner.id), None)
        stale = not doc.result_is_current()
        head = ""
        if stale:
            head = self._note(
                self.tr(
                    "These figures are out of date: they are from before the last change, "
                    "and the new split is on its way or blocked by a problem."
                )
            )
        if not result.ok:
            if result.relaxations:
                what = self.tr("The suggested changes under Problems would make it solve.")
            elif result.blocking:
                what = self.tr(
                    "A rule the scenario keeps stands in the way: Problems says which, and "
                    "what loosening it would take."
                )
            else:
                what = self.tr("Problems says why.")
            return (
                head
                + self._para(
                    self.tr(
                        "'{scenario}' cannot be met as it stands, so {name} has no grant in "
                        "it yet. {what}"
                    ).format(scenario=result.name, name=escape(partner.name), what=what)
                )
                + self._needs_html(partner)
            )
        if pr is None:
            return head + self._para(
                self.tr("{name} is not in this result yet.").format(name=escape(partner.name))
            )
        return head + self._partner_html(result, pr, partner) + self._needs_html(partner)

    # -- parts ---------------------------------------------------------------------
    @staticmethod
    def _para(text: str) -> str:
        return f"<p>{text}</p>"

    def _note(self, text: str) -> str:
        colour = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        return f'<p style="color:{colour}"><i>{escape(text)}</i></p>'

    def _partner_html(self, result: ScenarioResult, pr: PartnerResult, partner: Partner) -> str:
        cur = result.currency or self._doc.project.currency
        title = self.tr("Why {name} gets {amount}").format(
            name=escape(pr.name), amount=money(pr.total, cur)
        )
        out = [f"<h3>{title}</h3>"]
        if not pr.included:
            out.append(
                self._para(
                    self.tr("{name} is left out of '{scenario}', so it gets nothing in it.").format(
                        name=escape(pr.name), scenario=escape(result.name)
                    )
                )
            )
            return "".join(out)
        if pr.reason:
            out.append(self._para(escape(pr.reason)))
        out.append(self._years_html(result, pr, cur))
        facts = self._facts(result, pr, cur)
        out.append("<ul>" + "".join(f"<li>{f}</li>" for f in facts) + "</ul>")
        rules = self._rules(result, pr)
        if rules:
            out.append(f"<h4>{self.tr('Rules that hold this split')}</h4>")
            shown = rules[:MAX_RULES]
            items = "".join(f"<li>{escape(r)}</li>" for r in shown)
            if len(rules) > MAX_RULES:
                items += "<li>" + self.tr("and {n} more").format(n=len(rules) - MAX_RULES) + "</li>"
            out.append(f"<ul>{items}</ul>")
        return "".join(out)

    def _years_html(self, result: ScenarioResult, pr: PartnerResult, cur: str) -> str:
        """The grant, fair share, attainment and limit of each year, and their totals."""
        heads = (
            (self.tr("Year"), "left"),
            (self.tr("Grant"), "right"),
            (self.tr("Fair share"), "right"),
            (self.tr("Attainment"), "right"),
            (self.tr("Limited by"), "left"),
        )
        rows = [
            "<tr>" + "".join(f"<th align='{a}'>&nbsp;{h}&nbsp;</th>" for h, a in heads) + "</tr>"
        ]
        for k, year in enumerate(result.years):
            limit = pr.limited_by_per_year[k] if k < len(pr.limited_by_per_year) else ""
            cells = (
                (str(year), "left"),
                (money(pr.per_year[k], cur), "right"),
                (money(pr.fair_share_whole[k], cur), "right"),
                (pct(pr.attainment_per_year[k]), "right"),
                (self.tr(limit_text(limit)) if limit else "", "left"),
            )
            rows.append(
                "<tr>"
                + "".join(f"<td align='{a}'>&nbsp;{v}&nbsp;</td>" for v, a in cells)
                + "</tr>"
            )
        total_cells = (
            (self.tr("Total"), "left"),
            (money(pr.total, cur), "right"),
            (money(pr.fair_share_total, cur), "right"),
            (pct(pr.attainment), "right"),
            ("", "left"),
        )
        rows.append(
            "<tr>"
            + "".join(f"<td align='{a}'>&nbsp;<b>{v}</b>&nbsp;</td>" for v, a in total_cells)
            + "</tr>"
        )
        return "<table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>"

    def _facts(self, result: ScenarioResult, pr: PartnerResult, cur: str) -> list[str]:
        """The fee, the need, the change against a size-proportional split, the rate."""
        facts: list[str] = []
        fee = sum(pr.lines.get("management", ()) or ())
        if fee:
            facts.append(
                self.tr("As the lead it also receives a management fee of {fee}.").format(
                    fee=money(fee, cur)
                )
            )
        need = self._need_words(result, pr)
        if need:
            facts.append(need)
        diff = pr.vs_size_proportional
        if diff and fee:
            # the change counts the fee, the grant above does not: it says so
            facts.append(
                self.tr(
                    "With its fee it receives {received}; against a size-proportional "
                    "split: {change} ({sp})."
                ).format(
                    received=with_fee_text(pr.received, fee, cur),
                    change=money_change_text(diff, None, cur),
                    sp=self.tr("that split would give it {amount}").format(
                        amount=money(sum(pr.size_proportional), cur)
                    ),
                )
            )
        elif diff:
            facts.append(
                self.tr("Against a size-proportional split: {change} ({sp}).").format(
                    change=money_change_text(diff, None, cur),
                    sp=self.tr("that split would give it {amount}").format(
                        amount=money(sum(pr.size_proportional), cur)
                    ),
                )
            )
        else:
            facts.append(self.tr("The same as under a size-proportional split."))
        facts.append(
            self.tr("Its back-office rate (full cost recovery) is {rate}.").format(
                rate=pct(pr.back_office_rate)
            )
        )
        return facts

    def _need_words(self, result: ScenarioResult, pr: PartnerResult) -> str:
        """Need as base × factor, in the engine's words."""
        # loaded with the first explanation, after the first frame (it brings NumPy)
        from allocator.engine.explain import need_words

        project = self._doc.project
        try:
            scenario = project.scenario(result.name)
        except ValidationError:  # renamed since it was solved: the new result is coming
            return ""
        return self.tr("Its {need}.").format(need=need_words(project, scenario, pr.index))

    def _rules(self, result: ScenarioResult, pr: PartnerResult) -> list[str]:
        """Binding rules for this partner first, then those that hold every partner."""
        # figures without their explanations carry the rules without words: none listed
        own = [b.explanation for b in result.binding if b.partner == pr.id and b.explanation]
        shared = [b.explanation for b in result.binding if b.partner is None and b.explanation]
        return own + shared

    def _needs_html(self, partner: Partner) -> str:
        out: list[str] = []
        sources = partner.score_source
        scores = {
            needs.MULTIPLE_DISADVANTAGE: partner.multiple_disadvantage,
            needs.BACK_OFFICE_CAPACITY: partner.back_office_capacity,
        }
        lines: list[str] = []
        for key in needs.GROUPS:
            value = scores[key]
            name = needs.GROUP_NAMES[key]
            source = sources.get(key, "typed")
            if value is None:
                lines.append(
                    self.tr("{name}: blank (never read as no need)").format(name=name.capitalize())
                )
            elif source == "questionnaire":
                lines.append(
                    self.tr("{name}: {value}, from the needs questions").format(
                        name=name.capitalize(), value=f"{value:.3f}"
                    )
                )
            else:
                lines.append(
                    self.tr("{name}: {value}, typed in").format(
                        name=name.capitalize(), value=f"{value:.3f}"
                    )
                )
        answers = partner.needs_answers
        table = ""
        if answers:
            try:
                scored = needs.score(answers)
            except ValidationError:  # answers not all given yet: the scores above say so
                scored = None
            if scored is not None:
                lines.extend(
                    self.tr("Needs questions: {summary}").format(summary=scored.summary(g))
                    for g in needs.GROUPS
                )
                # which answer gave which part of each score, for partners to check
                table = breakdown_html(needs.score_breakdown(answers))
        out.append(f"<h4>{self.tr('Needs scores')}</h4>")
        out.append("<ul>" + "".join(f"<li>{escape(t)}</li>" for t in lines) + "</ul>")
        out.append(table)
        return "".join(out)


class ProblemsView(QWidget):
    """What stops the split, and for a scenario that cannot be met, how to fix it.

    ``showProblem(path)`` asks the main window to select the field a problem names.
    """

    showProblem = Signal(str)
    #: True when it starts listing problems or suggested changes, False when it stops
    #: (the window gives it room while it has something to show).
    roomChanged = Signal(bool)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._needs_room = False
        self.setObjectName("problemsView")
        self.setAccessibleName(self.tr("Problems and suggestions"))
        self.document = document
        self._relaxations: list[Relaxation] = []
        self._list_key: tuple | None = None  # what the problems list was filled from
        self._list_project: object = None  # kept while its id is in the key
        self._box_result: object = _NOT_YET  # the unmet result the suggestions are for
        self._last_shown: tuple[str, int] | None = None
        self._shown_at = 0.0
        self.applyButtons: list[QPushButton] = []
        self.keptRuleButtons: list[QPushButton] = []

        self.applyAllSuggestionsAction = QAction(self.tr("Apply &all suggestions"), self)
        self.applyAllSuggestionsAction.setObjectName("applyAllSuggestionsAction")
        self.applyAllSuggestionsAction.setToolTip(
            self.tr("Apply every suggested change as one step (Undo takes them all back)")
        )
        self.applyAllSuggestionsAction.setStatusTip(self.applyAllSuggestionsAction.toolTip())
        self.applyAllSuggestionsAction.triggered.connect(self.apply_all)
        self.addAction(self.applyAllSuggestionsAction)
        self._build()

        document.problemsChanged.connect(self.refresh)
        document.resultsChanged.connect(self.refresh)
        document.projectReset.connect(self.refresh)
        document.currentScenarioChanged.connect(lambda _n: self.refresh())
        self.refresh()

    def _build(self) -> None:
        """The heading, the summary, the problems list and the box for an unmet scenario."""
        title = QLabel(self.tr("Problems and suggestions"), self)
        font = title.font()
        font.setBold(True)
        title.setFont(font)

        self.summary = QLabel(self)
        self.summary.setObjectName("problemsSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.problemsList = QListWidget(self)
        self.problemsList.setObjectName("problemsList")
        self.problemsList.setAccessibleName(self.tr("Problems with the inputs"))
        self.problemsList.setToolTip(self.tr("Click a problem to go to the field it names."))
        self.problemsList.setWordWrap(True)
        self.problemsList.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.problemsList.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.problemsList.setSpacing(2)
        self.problemsList.setMinimumHeight(90)
        self.problemsList.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.problemsList.itemActivated.connect(self._on_problem)
        self.problemsList.itemClicked.connect(self._on_problem)
        self.infeasibleBox = self._make_infeasible_box()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()

        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addWidget(self.summary)
        inner_layout.addWidget(self.problemsList)
        inner_layout.addWidget(self.infeasibleBox)
        inner_layout.addWidget(self.message)
        inner_layout.addStretch(1)
        self._inner_layout = inner_layout
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        scroll.setMinimumHeight(self.summary.sizeHint().height())
        self._title = title

        layout = self._outer_layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def _make_infeasible_box(self) -> QFrame:
        """Why an unmet scenario cannot be met, the suggested changes and the grant."""
        self.infeasibleBox = QFrame(self)
        self.infeasibleBox.setObjectName("infeasibleBox")
        self.infeasibleBox.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self.infeasibleBox)
        self.arithmetic = QLabel(self.infeasibleBox)
        self.arithmetic.setObjectName("infeasibleArithmetic")
        self.arithmetic.setWordWrap(True)
        self.arithmetic.setTextFormat(Qt.TextFormat.RichText)
        self.arithmetic.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.arithmetic)
        self.suggestionsHost = QWidget(self.infeasibleBox)
        self.suggestionsGrid = QGridLayout(self.suggestionsHost)
        self.suggestionsGrid.setContentsMargins(0, 0, 0, 0)
        self.suggestionsGrid.setColumnStretch(0, 1)
        box.addWidget(self.suggestionsHost)
        self.afterChanges = QLabel(self.infeasibleBox)
        self.afterChanges.setObjectName("afterSuggestedChanges")
        self.afterChanges.setWordWrap(True)
        self.afterChanges.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.afterChanges)
        all_row = QHBoxLayout()
        all_row.addStretch(1)
        self.applyAllButton = QToolButton(self.infeasibleBox)
        self.applyAllButton.setObjectName("applyAllSuggestionsButton")
        self.applyAllButton.setDefaultAction(self.applyAllSuggestionsAction)
        self.applyAllButton.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.applyAllButton.setAccessibleName(self.tr("Apply all suggestions"))
        all_row.addWidget(self.applyAllButton)
        box.addLayout(all_row)
        self.alternative = QLabel(self.infeasibleBox)
        self.alternative.setObjectName("budgetAlternative")
        self.alternative.setWordWrap(True)
        self.alternative.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.alternative)
        return self.infeasibleBox

    # -- what the window and tests read ---------------------------------------------
    def problem_lines(self) -> list[str]:
        return [self.problemsList.item(i).text() for i in range(self.problemsList.count())]

    def suggestions(self) -> list[Relaxation]:
        """The suggested changes shown, each with its Apply button (same order)."""
        return list(self._relaxations)

    def compact_height(self) -> int:
        """The height that shows the heading and the one-line summary."""
        m = self._outer_layout.contentsMargins()
        spacing = max(self._outer_layout.spacing(), 0)
        return (
            m.top()
            + m.bottom()
            + self._title.sizeHint().height()
            + spacing
            + self.summary.sizeHint().height()
            + 6
        )

    def needs_room(self) -> bool:
        """True while it lists problems or the suggested changes of an unmet scenario."""
        return self._needs_room

    # -- updating ------------------------------------------------------------------
    def refresh(self) -> None:
        doc = self.document
        problems = doc.problems
        result = doc.result()
        current = doc.result_is_current()
        infeasible = (
            result is not None and current and result.status == "infeasible" and not problems
        )
        # The list and the suggestions are filled again only when what they show
        # changed, not on every edit and result. Their keys hold ids; the objects are
        # kept beside them, so those ids cannot be taken by others meanwhile.
        list_key = (tuple(problems), id(doc.project) if problems else 0)
        if list_key != self._list_key:
            self._list_key = list_key
            self._list_project = doc.project
            self._fill_problems(problems)
        box_result = result if infeasible else None
        # the suggested changes as first listed, less those made since
        relaxations = list(doc.suggested_changes()) if infeasible else []
        if box_result is not self._box_result or relaxations != self._relaxations:
            self._box_result = box_result
            self._fill_infeasible(box_result, relaxations)

        if problems:
            n = len(problems)
            self.summary.setText(
                self.tr("Fix 1 problem to update the split:")
                if n == 1
                else self.tr("Fix {n} problems to update the split:").format(n=n)
            )
        elif infeasible and result is not None:
            self.summary.setText(
                self.tr("'{name}' cannot be met as it stands.").format(name=result.name)
            )
        elif doc.solve_error:
            self.summary.setText(
                self.tr("The split could not be worked out: {why}").format(why=doc.solve_error)
            )
        elif result is not None and current:
            self.summary.setText(self.tr("No problems: the split is up to date."))
        else:
            self.summary.setText(self.tr("No problems with the inputs."))
        room = bool(problems) or infeasible
        if room != self._needs_room:
            self._needs_room = room
            self.roomChanged.emit(room)

    def _fill_problems(self, problems: list[Problem]) -> None:
        doc = self.document
        self.problemsList.clear()
        icon = warning_icon() if problems else QIcon()
        for problem in problems:
            where = doc.describe(problem.path) if problem.path else ""
            text = f"{where}: {problem.message}" if where else problem.message
            item = QListWidgetItem(icon, text[:1].upper() + text[1:], self.problemsList)
            item.setData(Qt.ItemDataRole.UserRole, problem.path)
            item.setToolTip(self.tr("Go to {field}").format(field=where or self.tr("the project")))
        self.problemsList.setVisible(bool(problems))
        # the list takes the room when there is one; otherwise the space goes below
        last = self._inner_layout.count() - 1
        self._inner_layout.setStretch(last, 0 if problems else 1)
        self._inner_layout.setStretchFactor(self.problemsList, 1 if problems else 0)

    def _fill_infeasible(
        self, result: ScenarioResult | None, relaxations: list[Relaxation]
    ) -> None:
        """The arithmetic of ``result`` (the scenario as it is now), the suggested changes
        still to make as first listed, what they would do, a kept rule in the way, and
        the grant that would suffice."""
        self._clear_suggestions()
        self._relaxations = relaxations
        self.infeasibleBox.setVisible(result is not None)
        self.applyAllSuggestionsAction.setEnabled(bool(relaxations))
        self.applyAllButton.setVisible(bool(relaxations))
        if result is None:
            self.arithmetic.clear()
            self.afterChanges.clear()
            self.alternative.clear()
            return
        listed = self.document.suggestions_result()
        blocking = list(result.blocking) if not relaxations else []
        self.arithmetic.setText(self._arithmetic_html(result, relaxations, listed, blocking))
        for row, r in enumerate(relaxations):
            self._add_suggestion(row, r)
        for row, b in enumerate(blocking, start=len(relaxations)):
            self._add_kept_rule(row, b)
        self.afterChanges.setText(self._after_text(listed) if relaxations else "")
        self.afterChanges.setVisible(bool(self.afterChanges.text()))
        self.alternative.setText(self._alternative_text(result))
        self.alternative.setVisible(bool(self.alternative.text()))

    def _clear_suggestions(self) -> None:
        while self.suggestionsGrid.count():
            item = self.suggestionsGrid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.applyButtons = []
        self.keptRuleButtons = []

    def _arithmetic_html(
        self,
        result: ScenarioResult,
        relaxations: list[Relaxation],
        listed: ScenarioResult | None,
        blocking: list[Relaxation],
    ) -> str:
        checks = list(result.checks)
        html = f"<b>{escape(self.tr('Why it cannot be met'))}</b>"
        if checks:
            html += "<ul>" + "".join(f"<li>{escape(c)}</li>" for c in checks) + "</ul>"
        elif result.message and not blocking:
            html += f"<p>{escape(result.message)}</p>"
        first = len(listed.relaxations) if listed is not None else len(relaxations)
        if relaxations and len(relaxations) < first:
            head = self.tr(
                "Suggested changes still to make ({n} of {m}; together they make it solve)"
            ).format(n=len(relaxations), m=first)
        elif relaxations:
            head = self.tr("Suggested changes (together they make it solve)")
        elif blocking:
            head = self.tr("A rule the partnership keeps stands in the way")
        else:
            return html
        return html + f"<b>{escape(head)}</b>"

    def _add_suggestion(self, row: int, r: Relaxation) -> None:
        """One suggested change with its Apply button; a partner's own field says it
        changes in every scenario."""
        words = _first_up(r.words or r.explanation or r.field)
        text = escape(words, quote=False)
        tip = self.tr("Apply this change (Undo takes it back)")
        if r.partner_id is not None:
            every = self.tr("{field} is the partner's own: it changes in every scenario.").format(
                field=self.document.describe(r.field)
            )
            text += f'<br><small style="color:{self._muted()}">{escape(every, quote=False)}</small>'
            tip += "\n" + every
        label = QLabel(text, self.suggestionsHost)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setToolTip(self.document.describe(r.field))
        button = QPushButton(self.tr("Apply"), self.suggestionsHost)
        button.setObjectName(f"applySuggestion{row}")
        button.setAccessibleName(self.tr("Apply: {change}").format(change=words))
        button.setToolTip(tip)
        button.clicked.connect(lambda _checked=False, r=r: self.apply(r))
        self.suggestionsGrid.addWidget(label, row, 0)
        self.suggestionsGrid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
        self.applyButtons.append(button)

    def _muted(self) -> str:
        """A colour between the text and the background, for a side note."""
        text = self.palette().color(QPalette.ColorRole.WindowText)
        back = self.palette().color(QPalette.ColorRole.Window)
        pairs = ((text.red(), back.red()), (text.green(), back.green()), (text.blue(), back.blue()))
        return "#" + "".join(f"{round(0.6 * a + 0.4 * b):02x}" for a, b in pairs)

    def _add_kept_rule(self, row: int, b: Relaxation) -> None:
        """A kept rule in the way: information, never a suggestion (no Apply button);
        its button goes to the rule in the scenario settings."""
        text = self.tr(
            "{in_the_way}. It is kept, so FairShare does not suggest loosening it; untick "
            "Kept beside it to let it be suggested."
        ).format(in_the_way=_first_up(b.explanation))
        label = QLabel(text, self.suggestionsHost)
        label.setObjectName(f"keptRuleInTheWay{row}")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rule = spec_for(b.field).words
        button = QPushButton(self.tr("Show the {rule}").format(rule=rule), self.suggestionsHost)
        button.setObjectName(f"showKeptRule{row}")
        button.setToolTip(self.tr("Go to the {rule} and its Kept box").format(rule=rule))
        button.clicked.connect(lambda _checked=False, path=b.field: self.showProblem.emit(path))
        self.suggestionsGrid.addWidget(label, row, 0)
        self.suggestionsGrid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
        self.keptRuleButtons.append(button)

    def _after_text(self, listed: ScenarioResult | None) -> str:
        """What all the changes would do to the split, from the result that listed them."""
        if listed is None:
            return ""
        parts: list[str] = []
        least = listed.after_relaxations_min_attainment
        share = listed.after_relaxations_by_and_for_share
        if least is not None and share is not None:
            parts.append(
                self.tr("After these changes: {least_name} {least}, {share_name} {share}.").format(
                    least_name=_first_down(measure_name("min_attainment")),
                    least=measure_text("min_attainment", least),
                    share_name=_first_down(measure_name("by_and_for_share")),
                    share=measure_text("by_and_for_share", share),
                )
            )
        zero = list(listed.after_relaxations_zero)
        if zero:
            parts.append(
                self.tr(
                    "After the suggested changes, {names} would get nothing in at least one year."
                ).format(names=self._names(zero))
            )
        return " ".join(parts)

    def _alternative_text(self, result: ScenarioResult) -> str:
        """The grant that would suffice as things stand, per year and against today's."""
        if not result.budget_words:
            return ""
        return self.tr("Or, with nothing changed: {grant}.").format(grant=result.budget_words)

    def _names(self, ids: list[str]) -> str:
        by_id = {p.id: p.name for p in self.document.project.partners}
        names = [by_id.get(i, i) for i in ids]
        if len(names) == 1:
            return names[0]
        return self.tr("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])

    # -- actions -------------------------------------------------------------------
    def apply(self, relaxation: Relaxation) -> None:
        """Apply one suggested change as one undo step."""
        refused = self.document.apply_relaxation(relaxation)
        self._report(refused)

    def apply_all(self) -> None:
        """Apply every suggested change still to make as one undo step."""
        if not self._relaxations:
            return
        refused = self.document.apply_all_relaxations()
        self._report(refused)

    def _report(self, refused: str | None) -> None:
        if refused:
            self.message.setText(self.tr("Not applied: {why}").format(why=refused))
            self.message.show()
        else:
            self.message.hide()

    def _on_problem(self, item: QListWidgetItem) -> None:
        # a click may also activate the item (style-dependent): go to the field once
        now = time.monotonic()
        path = item.data(Qt.ItemDataRole.UserRole) or ""
        if self._last_shown == (path, item.listWidget().row(item)) and now - self._shown_at < 0.4:
            return
        self._last_shown = (path, item.listWidget().row(item))
        self._shown_at = now
        self.showProblem.emit(path)
