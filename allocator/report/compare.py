"""Scenarios side by side: who gains and who loses, and the split's overall shape."""

from __future__ import annotations

from collections.abc import Sequence

from allocator.domain.model import Project
from allocator.domain.text import money, pct
from allocator.engine.result import ScenarioResult
from allocator.report.render import (
    STATUS_WORDS,
    json_safe,
    problems_text,
    status_of,
    text_table,
)


def compare(project: Project, results: Sequence[ScenarioResult] | None = None) -> dict:
    """Partner x scenario totals, changes against the size-proportional split, metrics."""
    if results is None:
        from allocator.engine.solve import solve

        results = solve(project)
    partners = []
    for i, p in enumerate(project.partners):
        row = {
            "id": p.id,
            "name": p.name,
            "lead": p.lead,
            "by_and_for": p.by_and_for,
            "totals": [],
            "received": [],
            "attainment": [],
            "vs_size_proportional": [],
        }
        for r in results:
            pr = r.partners[i] if r.ok and i < len(r.partners) else None
            row["totals"].append(pr.total if pr else None)
            row["received"].append(pr.received if pr else None)
            row["attainment"].append(pr.attainment if pr and pr.included else None)
            row["vs_size_proportional"].append(
                pr.vs_size_proportional if pr and pr.included else None
            )
        partners.append(row)
    return json_safe(
        {
            "project": project.name,
            "currency": project.currency,
            "years": project.years,
            "scenarios": [
                {
                    "name": r.name,
                    "status": status_of(r),
                    "message": r.message,
                    "fee": sum(r.fee),
                    "budget": sum(r.budget),
                    "metrics": r.metrics.to_json() if r.ok else None,
                    "problems": [
                        {"path": str(p[0]), "message": p[1]} for p in getattr(r, "problems", ())
                    ],
                }
                for r in results
            ],
            "partners": partners,
        }
    )


def render_compare(project: Project, table: dict) -> str:
    cur = project.currency
    scen = table["scenarios"]
    headers = ["Partner", *[s["name"] for s in scen]]
    rows = []
    for p in table["partners"]:
        cells = [p["name"]]
        for k, s in enumerate(scen):
            if s["status"] != "optimal":
                cells.append(STATUS_WORDS.get(s["status"], s["status"]))
            elif p["totals"][k] is None or p["attainment"][k] is None:
                cells.append("left out")
            else:
                cells.append(f"{money(p['received'][k], cur)} ({pct(p['attainment'][k], 0)})")
        rows.append(cells)
    rows.append(["Total budget", *[money(s["budget"], cur) for s in scen]])
    metric_rows = [
        ("Lowest attainment", "min_attainment", pct),
        ("Highest attainment", "max_attainment", pct),
        ("Gini (funding per unit of need)", "gini", lambda v: f"{v:.3f}"),
        (
            "Largest/smallest per unit of need",
            "need_ratio",
            lambda v: "unbounded" if v is None else f"{v:.2f}",
        ),
        ("By-and-for share", "by_and_for_share", pct),
        ("Lead share (fee included)", "lead_share", pct),
    ]
    for label, key, fmt in metric_rows:
        rows.append([label, *[fmt(s["metrics"][key]) if s["metrics"] else "-" for s in scen]])

    lines = [
        "Each cell: what the partner receives over all years (the lead's fee included) "
        "and its attainment (share of its fair share).",
        "",
        text_table(headers, rows),
    ]
    told: dict[tuple[str, ...], str] = {}
    for s in scen:
        if s["status"] == "invalid":
            problems = [(p["path"], p["message"]) for p in s.get("problems", ())]
            words = tuple(problems_text(project, problems))
            if words in told:
                lines.append(f"\n'{s['name']}' cannot be solved until the same are fixed.")
                continue
            told[words] = s["name"]
            lines.append(f"\n'{s['name']}' cannot be solved until these are fixed:")
            lines += [f"  - {t}" for t in words]
        elif s["status"] != "optimal":
            lines.append(f"\n'{s['name']}': {s['message']}")
    return "\n".join(lines)
