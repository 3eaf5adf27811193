"""Scenarios side by side against a baseline, as text for people.

The figures come from :func:`allocator.report.baseline.compare_to_baseline`, the one
comparison the command line, the workbook and the app all read; this module only lays
it out. Scenarios are lettered (A, B, ...) so that long names do not widen the tables:
the legend above them gives each letter's name. Gains and losses read by sign and
arrow (▲ gains, ▼ loses), never by colour.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace

from allocator.domain.model import Project
from allocator.domain.text import money
from allocator.engine.result import ScenarioResult
from allocator.errors import ValidationError
from allocator.report.baseline import (
    MEASURES,
    SIZE_PROPORTIONAL,
    Comparison,
    Measures,
    PartnerInfo,
    ScenarioComparison,
    compare_to_baseline,
    parameter_differences,
)
from allocator.report.render import (
    SIZE_PROPORTIONAL as SIZE_PROPORTIONAL_TEXT,
)
from allocator.report.render import problems_text, text_table
from allocator.report.words import (
    NO_CHANGE,
    NOT_SHOWN,
    measure_change_text,
    measure_text,
    money_change_text,
    status_text,
)

WIDTH = 88
"""Paragraphs are wrapped to this many characters."""


# ----------------------------------------------------------------------------------
# The figures the app's comparison shows
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """A scenario's partners together against the baseline.

    ``received`` is what they receive in all (the lead's fee included); ``change`` is
    ``received - baseline`` and ``relative_change`` that as a fraction of the baseline
    (None when any partner's baseline is unknown, or the baseline is 0).
    """

    received: int
    baseline: int | None
    change: int | None
    relative_change: float | None


def scenario_total(s: ScenarioComparison) -> Total | None:
    """The total of a solved scenario against the baseline (None when it did not solve)."""
    if not s.ok:
        return None
    received = int(sum(p.received for p in s.partners))
    bases = [p.baseline for p in s.partners]
    if any(b is None for b in bases):
        return Total(received, None, None, None)
    baseline = int(sum(b for b in bases if b is not None))
    change = received - baseline
    return Total(received, baseline, change, change / baseline if baseline else None)


@dataclass(frozen=True)
class SideBySide:
    """A comparison as the app shows it: the scenarios ticked, against the baseline.

    ``comparison`` holds the ticked scenarios only (a scenario lent as the baseline is
    not among them). ``baseline_pending`` is set while a baseline scenario has no
    result yet: the changes wait for it. ``totals`` follows ``comparison.scenarios``;
    ``baseline_total`` is what the baseline gives all partners together and
    ``baseline_measures`` a baseline scenario's own measures (None for the
    size-proportional split, whose measures depend on each scenario's needs).
    """

    comparison: Comparison
    baseline_pending: bool
    totals: tuple[Total | None, ...]
    baseline_total: int | None
    baseline_measures: Measures | None

    @property
    def baseline(self) -> str:
        return self.comparison.baseline

    def scenario(self, name: str) -> ScenarioComparison | None:
        """The ticked scenario ``name`` (None when it has no result)."""
        return next((s for s in self.comparison.scenarios if s.name == name), None)

    def total(self, name: str) -> Total | None:
        """Scenario ``name``'s total (None when it has no result or did not solve)."""
        for s, t in zip(self.comparison.scenarios, self.totals, strict=True):
            if s.name == name:
                return t
        return None

    def baseline_received(self, partner: int) -> int | None:
        """What the baseline gives the ``partner``-th partner (None while unknown)."""
        received = self.comparison.baseline_received
        if self.baseline_pending or received is None or not 0 <= partner < len(received):
            return None
        return received[partner]


def side_by_side(
    project: Project,
    results: Sequence[ScenarioResult],
    baseline: str,
    baseline_result: ScenarioResult | None = None,
) -> SideBySide:
    """``results`` (the ticked scenarios' latest results) against ``baseline``, never solving.

    ``baseline`` is a scenario's name or ``SIZE_PROPORTIONAL``; ``baseline_result`` is
    that scenario's latest result, None while it is being worked out (the changes then
    wait). A baseline scenario not among ``results`` is lent for the figures only. A
    baseline that is no longer in the project falls back to the size-proportional split
    (``comparison.baseline`` says which was used).
    """
    results = list(results)
    names = [r.name for r in results]
    pending = baseline != SIZE_PROPORTIONAL and baseline_result is None
    lent = baseline_result is not None and baseline not in names
    use = results + ([baseline_result] if lent and baseline_result is not None else [])
    try:
        comparison = compare_to_baseline(project, use, None if pending else baseline)
    except ValidationError:  # the baseline has just gone: size alone
        comparison = compare_to_baseline(project, results, None)
        lent = pending = False
    if lent:
        comparison = replace(
            comparison,
            scenarios=tuple(s for s in comparison.scenarios if s.name != baseline),
            parameters=parameter_differences(project, names),
        )
    if pending:
        comparison = replace(
            comparison, baseline=baseline, baseline_kind="scenario", baseline_status=""
        )
    received = comparison.baseline_received
    measures = None
    if comparison.baseline_is_scenario:
        measures = next(
            (s.baseline_measures for s in comparison.scenarios if s.baseline_measures), None
        )
    return SideBySide(
        comparison=comparison,
        baseline_pending=pending,
        totals=tuple(scenario_total(s) for s in comparison.scenarios),
        baseline_total=None if pending or received is None else int(sum(received)),
        baseline_measures=None if pending else measures,
    )


def letter(k: int) -> str:
    """The column letter of the k-th scenario: A ... Z, then AA, AB, ..."""
    out = ""
    k += 1
    while k:
        k, rest = divmod(k - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _fill(text: str, first: str = "", rest: str | None = None) -> str:
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_on_hyphens=False,
    )


def _partner_tag(p: PartnerInfo) -> str:
    """Shown under the partner's name, on its change line: the lead, a by-and-for partner."""
    if p.lead:
        return "  lead"
    if p.by_and_for:
        return "  by and for"
    return ""


def _heading(project: Project, cmp: Comparison) -> list[str]:
    n = len(cmp.scenarios)
    what = f"{n} scenario{'s' if n != 1 else ''}"
    if cmp.baseline_is_scenario:
        against = f"scenario '{cmp.baseline}'"
    else:
        against = "the size-proportional split of the same budget (the bigger slice)"
    lines = [_fill(f"{project.name}: {what} against {against}.")]
    if cmp.baseline_is_scenario and cmp.baseline_status != "optimal":
        words = status_text(cmp.baseline_status)
        lines.append(
            _fill(
                f"The baseline '{cmp.baseline}' {words}, so no changes can be shown against "
                "it: choose another with --baseline NAME."
            )
        )
    return lines


def _legend(project: Project, cmp: Comparison) -> str:
    chosen = project.chosen_scenario
    rows = []
    for k, s in enumerate(cmp.scenarios):
        notes = []
        if cmp.baseline_is_scenario and s.name == cmp.baseline:
            notes.append("the baseline")
        if chosen is not None and s.name == chosen.name:
            notes.append("chosen for the bid")
        if not s.ok:
            notes.append(status_text(s.status))
        tail = f"  ({'; '.join(notes)})" if notes else ""
        rows.append(f"  {letter(k)}  {s.name}{tail}")
    if not cmp.baseline_is_scenario:
        rows.append("  Baseline: the size-proportional split of the same budget")
    return "\n".join(rows)


def _baseline_column(cmp: Comparison) -> bool:
    """A separate Baseline column only for the size-proportional split (a scenario
    used as the baseline has its own column already)."""
    return not cmp.baseline_is_scenario


def _amounts_table(cmp: Comparison) -> str:
    cur = cmp.currency
    extra = _baseline_column(cmp)
    headers = ["Partner", *(["Baseline"] if extra else []), *map(letter, range(len(cmp.scenarios)))]
    show_changes = any(p.change is not None for s in cmp.scenarios for p in s.partners)
    rows: list[list[str]] = []
    for i, p in enumerate(cmp.partners):
        amounts = [p.name]
        changes = [_partner_tag(p)]
        if extra:
            base = cmp.baseline_received
            amounts.append(NOT_SHOWN if base is None else money(base[i], cur))
            changes.append("")
        for s in cmp.scenarios:
            if not s.ok:
                amounts.append(NOT_SHOWN)
                changes.append("")
                continue
            pc = s.partners[i]
            amounts.append(money(pc.received, cur) if pc.included else "left out")
            changes.append(money_change_text(pc.change, pc.relative_change, cur))
        rows.append(amounts)
        if show_changes or changes[0]:
            rows.append(changes)
        fees = _fee_row(cmp, i, extra)
        if fees:
            rows.append(fees)
    total = ["Total"]
    if extra:
        base = cmp.baseline_received
        total.append(NOT_SHOWN if base is None else money(sum(base), cur))
    total += [money(s.budget, cur) if s.ok else NOT_SHOWN for s in cmp.scenarios]
    rows.append(total)
    return text_table(headers, rows, left=1)


def _fee_row(cmp: Comparison, i: int, extra: bool) -> list[str]:
    """Under the lead's amounts, the management fee they include (the other partners'
    amounts have none); nothing where no scenario gives the partner a fee."""
    cells = []
    for s in cmp.scenarios:
        pc = s.partners[i] if s.ok else None
        cells.append(money(pc.fee, cmp.currency) if pc is not None and pc.fee else "")
    if not any(cells):
        return []
    return ["  incl. management fee", *([""] if extra else []), *cells]


def _measures_table(cmp: Comparison) -> str:
    reference = _same_baseline_measures(cmp.scenarios) if _baseline_column(cmp) else None
    extra = reference is not None
    headers = ["Measure", *(["Baseline"] if extra else []), *map(letter, range(len(cmp.scenarios)))]
    show_changes = any(s.measure_changes is not None for s in cmp.scenarios)
    rows: list[list[str]] = []
    for key, label in MEASURES:
        values = [label]
        changes = [""]
        if extra:
            values.append(measure_text(key, None if reference is None else reference.get(key)))
            changes.append("")
        for s in cmp.scenarios:
            if s.measures is None:
                values.append(NOT_SHOWN)
                changes.append("")
                continue
            values.append(measure_text(key, s.measures.get(key)))
            delta = None if s.measure_changes is None else s.measure_changes.get(key)
            changes.append(measure_change_text(key, delta) if s.measure_changes is not None else "")
        rows.append(values)
        if show_changes:
            rows.append(changes)
    return text_table(headers, rows, left=1)


def _same_baseline_measures(scenarios: Sequence[ScenarioComparison]) -> Measures | None:
    """The size-proportional split's measures, when every scenario reads them the same
    (they depend on each scenario's needs, so they usually differ)."""
    seen = [s.baseline_measures for s in scenarios if s.baseline_measures is not None]
    if seen and all(m == seen[0] for m in seen[1:]):
        return seen[0]
    return None


def _settings_table(cmp: Comparison) -> str:
    headers = ["Setting", *map(letter, range(len(cmp.scenarios)))]
    rows = [[d.label, *d.shown] for d in cmp.parameters]
    return text_table(headers, rows, left=len(headers))


def _left_out_notes(cmp: Comparison) -> list[str]:
    """Against the size-proportional split, a scenario that leaves partners out is
    measured against the split among the partners it includes."""
    if cmp.baseline_is_scenario:
        return []
    out = []
    for k, s in enumerate(cmp.scenarios):
        gone = [p.name for p in s.partners if not p.included]
        if s.ok and gone:
            names = ", ".join(f"'{n}'" for n in gone)
            out.append(
                _fill(
                    f"{letter(k)} leaves out {names}: its changes are against the "
                    "size-proportional split among the partners it includes."
                )
            )
    return out


def _unsolved_notes(
    project: Project, cmp: Comparison, results: Sequence[ScenarioResult]
) -> list[str]:
    by_name = {r.name: r for r in results}
    lines: list[str] = []
    told: dict[tuple[str, ...], str] = {}
    for k, s in enumerate(cmp.scenarios):
        if s.ok:
            continue
        head = f"{letter(k)} '{s.name}'"
        if s.status == "invalid":
            r = by_name.get(s.name)
            words = tuple(problems_text(project, r.problems if r is not None else ()))
            if words in told:
                lines.append(
                    f"{head} cannot be solved until the same are fixed as for {told[words]}."
                )
                continue
            told[words] = letter(k)
            lines.append(f"{head} cannot be solved until these are fixed:")
            lines += [_fill(t, "  - ", "    ") for t in words]
        else:
            lines.append(_fill(f"{head} {status_text(s.status)}: {s.message}"))
    return lines


def render_comparison(
    project: Project, cmp: Comparison, results: Sequence[ScenarioResult] = ()
) -> str:
    """The comparison as text: the legend, what each partner receives and its change,
    the measures and their change, the settings that differ, and what stops any
    scenario. ``results`` (the solved results) give an invalid scenario's problems."""
    blocks = ["\n".join(_heading(project, cmp)), _legend(project, cmp)]
    changes = any(s.measure_changes is not None for s in cmp.scenarios)
    intro = "What each partner receives over all years (the lead's management fee included)"
    if changes:
        intro += (
            "; under it, the change against the baseline in money and percent "
            f"(▲ gains, ▼ loses, {NO_CHANGE})"
        )
    blocks.append(_fill(intro + ".") + "\n\n" + _amounts_table(cmp))
    intro = "The measures of each split"
    if changes:
        intro += "; under each, its change against the baseline"
        if not cmp.baseline_is_scenario:
            intro += " (the size-proportional split's measures, read with each scenario's needs)"
        intro += "; shares change in percentage points (pts)"
    blocks.append(_fill(intro + ".") + "\n\n" + _measures_table(cmp))
    if cmp.parameters:
        blocks.append("Settings that differ\n\n" + _settings_table(cmp))
    notes = _left_out_notes(cmp) + _unsolved_notes(project, cmp, results)
    if notes:
        blocks.append("\n".join(notes))
    if cmp.baseline == SIZE_PROPORTIONAL:
        blocks.append(_fill(SIZE_PROPORTIONAL_TEXT))
    return "\n\n".join(blocks)
