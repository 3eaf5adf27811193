"""Results and fields as text and JSON: what the command line prints, in one place.

Text is for people: every place in a project is named in words ("Amani Collective's
floor"), money in whole units. JSON is for scripts: it keeps the field paths.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from allocator.domain.fields import FIELDS, FieldSpec, format_value, spec_for
from allocator.domain.model import Project
from allocator.domain.text import money, pct
from allocator.errors import Problem
from allocator.report.words import (
    MEASURES,
    NOT_SHOWN,
    STATUS_TEXT,
    limit_text,
    limits_text,
    measure_change_text,
    measure_text,
    measure_values,
    money_change_text,
    status_text,
    with_fee_text,
)

if TYPE_CHECKING:  # named in signatures only
    from allocator.engine.result import Relaxation, ScenarioResult
    from allocator.report.baseline import PartnerInfo
    from allocator.report.sweep import Sweep

SIZE_PROPORTIONAL = (
    "vs size-proportional: the change against the size-proportional split (the bigger "
    "slice): each year's whole grant, the fee included, shared in proportion to capacity "
    "with no one above its capacity, ignoring needs, floors and every other rule; the "
    "lead's fee counts as part of what the lead receives."
)
"""The one definition of the "bigger slice" reference every result is measured against."""

STATUS_WORDS = STATUS_TEXT
"""The old name of :data:`allocator.report.words.STATUS_TEXT`."""


def status_of(result: ScenarioResult | str) -> str:
    """A result's status as plain text ("optimal", "invalid", ...), from a result or a status."""
    return str(result) if isinstance(result, str) else str(result.status)


# ----------------------------------------------------------------------------------
# Places in words
# ----------------------------------------------------------------------------------


def where(project: Project | None, path: str) -> str:
    """A field path in words for a person; the path itself when no project explains it."""
    if not path:
        return ""
    if project is not None:
        from allocator.domain.paths import describe_path

        try:
            return describe_path(project, path)
        except (LookupError, ValueError):  # a path the project no longer has
            pass
    return path


def problem_text(project: Project | None, problem: Problem | tuple[str, str]) -> str:
    """One problem as a person reads it: "Amani Collective's floor: must be ..."."""
    path, message = problem
    place = where(project, str(path))
    return f"{place}: {message}" if place else message


def problems_text(project: Project | None, problems: Iterable[Problem]) -> list[str]:
    """Problems in words, each once (several scenarios often share one problem)."""
    out: list[str] = []
    for p in problems:
        line = problem_text(project, p)
        if line not in out:
            out.append(line)
    return out


# ----------------------------------------------------------------------------------
# JSON
# ----------------------------------------------------------------------------------


def results_json(project: Project, results: Sequence[ScenarioResult]) -> dict:
    return {
        "project": project.name,
        "currency": project.currency,
        "years": project.years,
        "scenarios": [json_safe(r.to_json()) for r in results],
    }


def json_safe(obj: Any) -> Any:
    """JSON has no Infinity or NaN: an unbounded ratio is written as null."""
    if isinstance(obj, float) and (obj != obj or obj in (float("inf"), float("-inf"))):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj


# ----------------------------------------------------------------------------------
# Readable tables
# ----------------------------------------------------------------------------------


def text_table(headers: list[str], rows: list[list[str]], left: int = 1, wrap: bool = False) -> str:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned.

    With ``wrap``, a header longer than its column's cells is wrapped onto several
    lines (no narrower than its longest word), so long names do not widen the table.
    """
    if wrap:
        widths = [
            max(
                max((len(r[c]) for r in rows), default=0),
                max((len(word) for word in h.split()), default=0),
            )
            for c, h in enumerate(headers)
        ]
        wrapped = [
            textwrap.wrap(h, widths[c], break_on_hyphens=False) or [""]
            for c, h in enumerate(headers)
        ]
        depth = max(len(w) for w in wrapped)
        # bottom-aligned: each header's last line sits on the rule
        head = [[""] * (depth - len(w)) + w for w in wrapped]
        header_lines = [[head[c][k] for c in range(len(headers))] for k in range(depth)]
    else:
        widths = [
            max(len(h), *(len(r[c]) for r in rows)) if rows else len(h)
            for c, h in enumerate(headers)
        ]
        header_lines = [headers]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(widths[i]) if i < left else c.rjust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    out = [line(h) for h in header_lines]
    out.append(line(["-" * w for w in widths]))
    out += [line(r) for r in rows]
    return "\n".join(out)


# ----------------------------------------------------------------------------------
# Changes: gains and losses by sign and arrow, never by colour
# ----------------------------------------------------------------------------------

# The change words live in allocator.report.words; these names stay for the callers
# that import them from here.
money_change = money_change_text
measure_change = measure_change_text


def _names(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def relaxation_text(relaxation: Relaxation) -> str:
    """A suggested change in words: "lower Amani Collective's floor from £60,000 to £42,000"."""
    return relaxation.explanation or relaxation.words


def _grant_verb(r: ScenarioResult, alternative: int, budget_edits: Sequence[Relaxation]) -> str:
    """ "raise" or "lower": the grant that would solve may be smaller than today's (the
    partners' capacities or the ring-fence cannot take it all). The budget edits say
    which way each figure moves; with per-year figures moving both ways, "change"."""
    ups = {x.to_value > x.from_value for x in budget_edits}
    if len(ups) == 1:
        return "raise" if ups.pop() else "lower"
    if ups:
        return "change"
    return "lower" if r.budget and alternative < sum(r.budget) else "raise"


def _unmet_lines(project: Project, r: ScenarioResult) -> list[str]:
    """What a scenario that cannot be met needs: its checks, the changes, the grant."""
    lines = ["The rules cannot all be met as they stand:"] if r.checks else []
    lines += [f"  - {c}" for c in r.checks]
    if r.relaxations:
        lines.append("Suggested changes (together they make it solve):")
        lines += [f"  - {relaxation_text(x)}" for x in r.relaxations]
        if r.after_relaxations_min_attainment is not None:
            lines.append(
                f"  After them: smallest attainment {pct(r.after_relaxations_min_attainment)}; "
                f"by-and-for share {pct(r.after_relaxations_by_and_for_share or 0.0)}."
            )
    if r.blocking:
        lines.append(
            "No change to floors or the fee helps; a rule the scenario keeps is in the way:"
        )
        lines += [f"  - {relaxation_text(x)}" for x in r.blocking]
    alternative = r.budget_alternative
    if alternative and r.budget_words:
        lines.append(("Or, instead, " if r.relaxations else "Or, ") + r.budget_words + ".")
    elif alternative:
        over = f" in total over the {len(r.years)} years" if len(r.years) > 1 else ""
        budget_edits = r.budget_edits
        how = [relaxation_text(x) for x in budget_edits]
        how_text = f" ({'; '.join(t for t in how if t)})" if any(how) else ""
        lines.append(
            ("Or, instead" if r.relaxations else "Or")
            + f", {_grant_verb(r, alternative, budget_edits)} the grant to "
            f"{money(alternative, project.currency)}{over}{how_text}, "
            "keeping everything else as it is."
        )
    zero = r.after_relaxations_zero
    if zero:
        lines.append(
            f"After the suggested changes, {_names(zero)} would get nothing in at least one year."
        )
    return lines


def render_results(project: Project, results: Sequence[ScenarioResult]) -> str:
    cur = project.currency
    blocks = []
    any_table = False
    told: dict[tuple[str, ...], str] = {}  # problems already listed, by the scenario listing them
    for r in results:
        status = status_of(r)
        head = f"{r.name}  [{status_text(status)}]"
        lines = [head, "=" * len(head)]
        # An invalid scenario's problems, and an unmet one's checks and suggested changes,
        # are listed below in words: the message would only say them again.
        listed = status == "invalid" or (status == "infeasible" and (r.checks or r.relaxations))
        if r.message and not listed:
            lines.append(r.message)
        if status == "invalid":
            problems = tuple(problems_text(project, r.problems))
            if problems in told:
                lines.append(f"Fix these first: the same as for '{told[problems]}' above.")
            else:
                told[problems] = r.name
                lines.append("Fix these first:")
                lines += [f"  - {t}" for t in problems]
            blocks.append("\n".join(lines))
            continue
        if status != "optimal":
            lines += _unmet_lines(project, r)
            blocks.append("\n".join(lines))
            continue
        any_table = True
        headers = [
            "Partner",
            *[str(y) for y in r.years],
            "Total",
            "Fair share",
            "Attainment",
            "Limited by",
            "vs size-proportional",
        ]
        rows = []
        for p in r.partners:
            if not p.included:
                rows.append(
                    [p.name, *[NOT_SHOWN] * (len(r.years) + 3), limit_text("excluded"), NOT_SHOWN]
                )
                continue
            tag = " (lead)" if p.lead else (" (by and for)" if p.by_and_for else "")
            rows.append(
                [
                    p.name + tag,
                    *[money(v, cur) for v in p.per_year],
                    money(p.total, cur),
                    money(p.fair_share_total, cur),
                    pct(p.attainment),
                    limits_text(p.limited_by),
                    money_change_text(p.vs_size_proportional, None, cur),
                ]
            )
        if any(r.fee):
            fee = ["Management fee (lead)", *[money(v, cur) for v in r.fee]]
            rows.append([*fee, money(sum(r.fee), cur), "", "", "", ""])
        total = ["Total", *[money(v, cur) for v in r.budget], money(sum(r.budget), cur)]
        rows.append([*total, "", "", "", ""])
        lines.append("")
        lines.append(text_table(headers, rows, left=1))
        notes = _fee_notes(r)
        if notes:
            lines += ["", *notes]
        values = measure_values(r.metrics)
        lines.append("")
        said = "; ".join(f"{m.name} {measure_text(m.key, values[m.key], cur)}" for m in MEASURES)
        lines.append(textwrap.fill(said + ".", width=88, break_on_hyphens=False))
        blocks.append("\n".join(lines))
    if any_table:
        blocks.append(textwrap.fill(SIZE_PROPORTIONAL, width=88, break_on_hyphens=False))
    return "\n\n".join(blocks)


def _fee_notes(r: ScenarioResult) -> list[str]:
    """What the lead receives with its fee, said beside the grants that leave it out:
    the lead's "vs size-proportional" counts the fee."""
    cur = r.currency
    return [
        f"{p.name} receives {with_fee_text(p.received, p.fee_total, cur)}; its "
        "vs size-proportional counts the fee."
        for p in r.partners
        if p.included and p.fee_total
    ]


# ----------------------------------------------------------------------------------
# Fields: the description of every editable field, for people
# ----------------------------------------------------------------------------------

UNIT_WORDS = {"share": "%", "score": "0 to 1"}


def unit_text(spec: FieldSpec, currency: str = "") -> str:
    """The field's unit in a word: the currency's code, %, people, years..."""
    if spec.unit == "currency":
        return currency or "currency"
    return UNIT_WORDS.get(spec.unit, spec.unit)


def allowed_text(spec: FieldSpec) -> str:
    """What a field accepts, in words: "from 0% to 25%", "yes or no", "above 0, or blank"."""
    if spec.kind == "bool":
        return "yes or no"
    if spec.kind == "ids":
        return "partners' ids or names, separated by commas; blank for none"
    if spec.pattern == "chosen":
        return "a scenario's name"
    if spec.pattern == "currency":
        return "a three-letter code such as GBP or EUR"
    if spec.kind == "text":
        return "text" if spec.optional else "text, not blank"
    text = spec.bounds_text or "any number"
    if spec.whole:
        text = f"a whole number {text}"
    if spec.optional:
        text += ", or blank until you solve" if spec.blank_problem else ", or blank"
    return text


def default_text(spec: FieldSpec) -> str:
    if spec.pattern == "chosen":
        return "the first scenario"
    if spec.default is None:
        return "blank" if spec.optional else ""
    if spec.kind == "ids":
        return "none" if not spec.default else ", ".join(spec.default)
    return format_value(spec, spec.default, "")


def value_text(spec: FieldSpec, value: Any, currency: str) -> str:
    """A current value as ``set --list`` shows it: as it is typed, money to the penny."""
    if value is None:
        return "(blank)"
    if spec.kind == "money" and not float(value).is_integer():
        value = round(float(value), 2)
    return format_value(spec, value, currency)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def fields_markdown() -> str:
    """The README's table of every field, made from the field description."""
    rows = [
        "| field | what it is | unit | allowed | default | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for spec in FIELDS:
        cells = [
            f"`{spec.pattern}`",
            spec.label,
            unit_text(spec),
            allowed_text(spec),
            default_text(spec),
            spec.help,
        ]
        rows.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(rows)


def field_listing(project: Project, paths: Iterable[str]) -> list[dict[str, Any]]:
    """Each path with its spec and current value: what ``fairshare set --list`` shows."""
    from allocator.domain.paths import FieldPath

    out = []
    for text in paths:
        path = FieldPath.parse(text)
        spec = spec_for(path)
        try:
            value = path.get(project)
        except (LookupError, ValueError, AttributeError, TypeError):
            value = None  # a per-year figure while the budget is a first year and uplift
        out.append({"path": str(path), "spec": spec, "value": value})
    return out


def render_field_listing(project: Project, groups: list[tuple[str, list[dict]]]) -> str:
    """Groups of fields as tables: path to type, current value, unit, what is allowed."""
    cur = project.currency
    blocks = []
    for title, items in groups:
        rows = [
            [
                item["path"],
                item.get("note") or value_text(item["spec"], item["value"], cur),
                unit_text(item["spec"], cur),
                allowed_text(item["spec"]),
                item["spec"].label,
            ]
            for item in items
        ]
        headers = ["Field", "Value", "Unit", "Allowed", "What it is"]
        blocks.append(f"{title}\n{text_table(headers, rows, left=5)}")
    return "\n\n".join(blocks)


def listing_json(project: Project, groups: list[tuple[str, list[dict]]]) -> dict:
    """The same listing for scripts: paths, JSON values and bounds."""
    fields = []
    for _title, items in groups:
        for item in items:
            spec: FieldSpec = item["spec"]
            value = item["value"]
            fields.append(
                {
                    "path": item["path"],
                    "label": spec.label,
                    "kind": spec.kind,
                    "unit": unit_text(spec, project.currency),
                    "value": list(value) if isinstance(value, tuple) else value,
                    "minimum": spec.minimum,
                    "maximum": spec.maximum,
                    "exclusive_min": spec.exclusive_min,
                    "optional": spec.optional,
                    "choices": list(spec.choices),
                    "allowed": allowed_text(spec),
                }
            )
    return json_safe({"project": project.name, "fields": fields})


# ----------------------------------------------------------------------------------
# Sweeps
# ----------------------------------------------------------------------------------


def _sweep_partner_label(partner: PartnerInfo) -> str:
    return f"{partner.name} (lead)" if partner.lead else partner.name


def render_sweep(sweep: Sweep) -> str:
    """A sweep as text: per value, whether the scenario can be met and the measures;
    then each partner's grant over all years; then the points where something changes
    and why a value cannot be met. Long headers are wrapped to keep the tables narrow.
    """
    from allocator.report.sweep import show_value

    cur = sweep.currency
    done = len(sweep.steps)
    count = f"{sweep.count} steps"
    if sweep.cancelled:
        count += f" (stopped after {done})"
    spec = spec_for(sweep.path)
    first, last = (show_value(spec, v, cur) for v in (sweep.values[0], sweep.values[-1]))
    what = f"{sweep.words} from {first} to {last} in {count}"
    if sweep.scope != "scenario":
        what += " (a project setting: every scenario shares it)"
    what = what[:1].upper() + what[1:] + "."
    # the names on a line of their own, never broken
    head = f"{sweep.project}, scenario '{sweep.scenario}'"
    blocks = [head + "\n" + textwrap.fill(what, width=88, break_on_hyphens=False)]

    if sweep.scope == "scenario":
        value_header = spec.short or sweep.label
    else:  # "Amani Collective's floor", "The grant in the first year"
        value_header = sweep.words[:1].upper() + sweep.words[1:]
    headers = [value_header, "Status", *[m.name for m in MEASURES]]
    rows = []
    for s in sweep.steps:
        status = status_text(s.status)
        if s.measures is None:
            rows.append([s.shown, status, *[NOT_SHOWN] * len(MEASURES)])
        else:
            rows.append(
                [
                    s.shown,
                    status,
                    *[measure_text(m.key, s.measures.get(m.key), cur) for m in MEASURES],
                ]
            )
    blocks.append("The split at each value\n\n" + text_table(headers, rows, left=2, wrap=True))

    headers = [
        value_header,
        *[_sweep_partner_label(p) for p in sweep.partners],
    ]
    rows = []
    for s in sweep.steps:
        if s.grants is None:
            rows.append([s.shown, *[NOT_SHOWN] * len(sweep.partners)])
        else:
            rows.append(
                [
                    s.shown,
                    *[
                        money(g, cur) if inc else "left out"
                        for g, inc in zip(s.grants, sweep.included, strict=True)
                    ],
                ]
            )
    blocks.append(
        "Each partner's grant over all years (the lead's management fee not included)\n\n"
        + text_table(headers, rows, left=1, wrap=True)
    )

    notes = [e.words for e in sweep.events]
    if sweep.steps and sweep.steps[0].ok and sweep.steps[0].rules:
        from allocator.report.sweep import RULE_WORDS

        s0 = sweep.steps[0]
        held = [RULE_WORDS.get(r, r) for r in s0.rules]
        held_text = ", ".join(held[:-1]) + " and " + held[-1] if len(held) > 1 else held[0]
        verb = "bind" if len(held) > 1 else "binds"
        notes.insert(0, f"At {sweep.words} {s0.shown}, the first value, {held_text} {verb}")
    reasons = []
    for e in sweep.events:
        if e.kind == "status" and e.status != "optimal":
            step = next(s for s in sweep.steps if s.index == e.step)
            if step.message:
                reasons.append(f"At {sweep.words} {step.shown}: {step.message}")
    if sweep.steps and not sweep.steps[0].ok and sweep.steps[0].message:
        s0 = sweep.steps[0]
        reasons.insert(0, f"At {sweep.words} {s0.shown}: {s0.message}")
    if notes:
        blocks.append("Where it changes\n" + "\n".join(f"  - {n}" for n in notes))
    elif sweep.steps:
        blocks.append("Nothing starts or stops holding the split over this range.")
    if reasons:
        unmet = {s.status for s in sweep.steps if not s.ok}
        heading = "Why it cannot be met" if unmet == {"infeasible"} else "Why it does not solve"
        blocks.append(
            heading
            + "\n"
            + "\n".join(
                textwrap.fill(r, width=88, initial_indent="  - ", subsequent_indent="    ")
                for r in reasons
            )
        )
    took = f"{done} step{'s' if done != 1 else ''} in {sweep.seconds:.2f} s"
    if sweep.cancelled:
        took += f"; stopped before the other {sweep.count - done}"
    blocks.append(took + ".")
    return "\n\n".join(blocks)
