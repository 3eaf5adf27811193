"""Results as text and JSON: what the command line prints, in one place."""

from __future__ import annotations

from allocator.domain.model import Project
from allocator.engine.explain import money, pct
from allocator.engine.result import ScenarioResult


def results_json(project: Project, results: list[ScenarioResult]) -> dict:
    return {
        "project": project.name,
        "currency": project.currency,
        "years": project.years,
        "scenarios": [json_safe(r.to_json()) for r in results],
    }


def json_safe(obj):
    """JSON has no Infinity: an unbounded ratio is written as null."""
    if isinstance(obj, float) and obj != obj or obj in (float("inf"), float("-inf")):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [json_safe(v) for v in obj]
    return obj


# ----------------------------------------------------------------------------------
# Readable tables
# ----------------------------------------------------------------------------------


def text_table(headers: list[str], rows: list[list[str]], left: int = 1) -> str:
    widths = [
        max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(headers)
    ]

    def line(cells):
        return "  ".join(
            c.ljust(widths[i]) if i < left else c.rjust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def render_results(project: Project, results: list[ScenarioResult]) -> str:
    cur = project.currency
    blocks = []
    for r in results:
        head = f"{r.name}  [{r.status}]"
        lines = [head, "=" * len(head), r.message]
        if not r.ok:
            for c in r.checks:
                lines.append(f"  - {c}")
            if r.relaxations:
                lines.append("Suggested changes (together they make it solve):")
                for x in r.relaxations:
                    lines.append(f"  - {x.field}: {x.explanation}")
            blocks.append("\n".join(lines))
            continue
        headers = [
            "Partner",
            *[str(y) for y in r.years],
            "Total",
            "Fair share",
            "Attainment",
            "Limited by",
            "vs bigger slice",
        ]
        rows = []
        for p in r.partners:
            if not p.included:
                rows.append([p.name, *["-"] * len(r.years), "-", "-", "-", "left out", "-"])
                continue
            tag = " (lead)" if p.lead else (" (by and for)" if p.by_and_for else "")
            rows.append(
                [
                    p.name + tag,
                    *[money(v, cur) for v in p.per_year],
                    money(p.total, cur),
                    money(p.fair_share_total, cur),
                    pct(p.attainment),
                    ", ".join(p.limited_by),
                    money(p.vs_size_proportional, cur),
                ]
            )
        if any(r.fee):
            rows.append(
                [
                    "Management fee (lead)",
                    *[money(v, cur) for v in r.fee],
                    money(sum(r.fee), cur),
                    "",
                    "",
                    "",
                    "",
                ]
            )
        rows.append(
            ["Total", *[money(v, cur) for v in r.budget], money(sum(r.budget), cur), "", "", "", ""]
        )
        lines.append("")
        lines.append(text_table(headers, rows, left=1))
        m = r.metrics
        lines.append("")
        lines.append(
            f"Attainment {pct(m.min_attainment)} to {pct(m.max_attainment)}; Gini of funding per "
            f"unit of need {m.gini:.3f}; largest/smallest funding per unit of need "
            f"{m.need_ratio:.2f}; by-and-for share {pct(m.by_and_for_share)}; lead share "
            f"(fee included) {pct(m.lead_share)}."
        )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
