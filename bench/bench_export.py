"""Time the workbook export against XlsxWriter writing the same content.

A synthetic partnership of 200 partners and 5 scenarios is solved once; then the
workbook is written five times with FairShare's openpyxl writer and five times with
XlsxWriter from the same layout (same sheets, cells, formulas, number formats,
column widths, merges, print settings and charts), and the medians are compared.
The goal is for openpyxl to stay within 1.5 times XlsxWriter's time.

Run: .venv/bin/python bench/bench_export.py [--partners 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from allocator.domain.model import Budget, Partner, Project, Scenario, Weights
from allocator.engine.solve import solve
from allocator.formats.workbook import (
    Formula,
    Style,
    WorkbookLayout,
    layout_workbook,
    write_workbook,
)

CM_TO_PX = 96 / 2.54


def synthetic_project(n: int, seed: int = 7) -> Project:
    """A partnership of ``n`` fictional partners with a mix of sizes and needs."""
    rng = random.Random(seed)
    partners = []
    for i in range(n):
        small = rng.random() < 0.4
        capacity = round(rng.uniform(40_000, 150_000) if small else rng.uniform(150_000, 900_000))
        partners.append(
            Partner(
                id=f"p{i:03d}",
                name=f"{'Community' if small else 'Regional'} Partner {i:03d}",
                capacity=float(capacity),
                floor=float(round(capacity * rng.uniform(0.0, 0.15))),
                reach=float(rng.randint(100, 6000)),
                multiple_disadvantage=round(
                    rng.uniform(0.5, 0.95) if small else rng.uniform(0.1, 0.6), 2
                ),
                back_office_capacity=round(
                    rng.uniform(0.1, 0.5) if small else rng.uniform(0.5, 1.0), 2
                ),
                by_and_for=small,
                lead=i == 0,
                notes=f"Synthetic partner {i}",
            )
        )
    total = sum(p.capacity for p in partners)
    scenarios = (
        Scenario(name="Bigger slice", weights=Weights(0.0, 0.0)),
        Scenario(name="Needs-weighted", unrestricted_share=0.2),
        Scenario(name="Ring-fence and fee", ring_fence=0.2, management_fee=0.08),
        Scenario(name="Core grant, needs floor", core_share=0.2, needs_floor=0.3),
        Scenario(name="By reach, lead cap", basis="reach", lead_cap=0.05, management_fee=0.05),
    )
    return Project(
        name="Synthetic partnership",
        currency="GBP",
        start_year=2027,
        year_count=3,
        budget=Budget(first_year=round(0.6 * total), annual_uplift=0.02),
        partners=tuple(partners),
        scenarios=scenarios,
    )


def _format(wb, st: Style):
    props: dict = {"num_format": st.number_format, "font_size": st.size}
    if st.bold:
        props["bold"] = True
    if st.italic:
        props["italic"] = True
    if st.color:
        props["font_color"] = "#" + st.color
    if st.fill:
        props["bg_color"] = "#" + st.fill
        props["pattern"] = 1
    if st.wrap:
        props["text_wrap"] = True
        props["valign"] = "top"
    if st.top_border:
        props["top"] = 1
    if st.bottom_border:
        props["bottom"] = 1
    if st.align:
        props["align"] = st.align
    if st.valign:
        props["valign"] = st.valign
    if st.indent:
        props["indent"] = st.indent
    fmt = wb.add_format(props)
    if st.quote_prefix:
        fmt.set_quote_prefix()
    return fmt


def write_xlsxwriter(layout: WorkbookLayout, path: Path) -> None:
    """The same layout written with XlsxWriter."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "in_memory": True})
    formats = {name: _format(wb, st) for name, st in layout.styles.items()}
    for sheet in layout.sheets:
        ws = wb.add_worksheet(sheet.title)
        top_left = {}
        merged = {(r1, c1) for r1, c1, _, _ in sheet.merges}
        for row, col, value, style in sheet.cells:
            fmt = formats[style]
            if (row, col) in merged:
                top_left[(row, col)] = (value, fmt)
            elif isinstance(value, Formula):
                ws.write_formula(row - 1, col - 1, value.text, fmt)
            elif isinstance(value, str):
                ws.write_string(row - 1, col - 1, value, fmt)
            else:
                ws.write_number(row - 1, col - 1, value, fmt)
        for r1, c1, r2, c2 in sheet.merges:
            value, fmt = top_left.get((r1, c1), ("", None))
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, value, fmt)
        for col, width in sheet.widths.items():
            ws.set_column(col - 1, col - 1, width)
        for row, height in sheet.heights.items():
            ws.set_row(row - 1, height)
        if sheet.freeze:
            ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
        if sheet.print_title_rows:
            ws.repeat_rows(sheet.print_title_rows[0] - 1, sheet.print_title_rows[1] - 1)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        if sheet.tab_color:
            ws.set_tab_color("#" + sheet.tab_color)
        for spec in sheet.charts:
            chart = wb.add_chart({"type": "bar" if spec.horizontal else "column"})
            col, r0, r1 = spec.categories
            for name, c, s0, s1 in spec.series:
                chart.add_series(
                    {
                        "name": name.lstrip("="),
                        "categories": [sheet.title, r0 - 1, col - 1, r1 - 1, col - 1],
                        "values": [sheet.title, s0 - 1, c - 1, s1 - 1, c - 1],
                    }
                )
            chart.set_title({"name": spec.title})
            value_axis = {"name": spec.axis_title, "num_format": spec.number_format}
            if spec.horizontal:
                chart.set_x_axis(value_axis)
                chart.set_y_axis({"reverse": True})
            else:
                chart.set_y_axis(value_axis)
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": spec.width_cm * CM_TO_PX, "height": spec.height_cm * CM_TO_PX})
            ws.insert_chart(spec.anchor[0] - 1, spec.anchor[1] - 1, chart)
    wb.set_properties({"title": layout.title, "author": "FairShare"})
    wb.close()


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    project = synthetic_project(args.partners)
    start = time.perf_counter()
    results = solve(project)
    solved = time.perf_counter() - start
    statuses = ", ".join(f"{r.name}: {r.status}" for r in results)
    print(
        f"{args.partners} partners x {len(results)} scenarios solved in {solved:.2f} s ({statuses})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        out_openpyxl = Path(tmp) / "openpyxl.xlsx"
        out_xlsxwriter = Path(tmp) / "xlsxwriter.xlsx"
        layout = layout_workbook(project, results)
        cells = sum(len(s.cells) for s in layout.sheets)
        print(f"workbook: {len(layout.sheets)} sheets, {cells} cells")

        # warm up both (imports, caches)
        write_workbook(project, results, out_openpyxl)
        write_xlsxwriter(layout, out_xlsxwriter)

        t_layout = median_time(lambda: layout_workbook(project, results), args.runs)
        t_openpyxl = median_time(lambda: write_workbook(project, results, out_openpyxl), args.runs)
        t_xlsxwriter = median_time(
            lambda: write_xlsxwriter(layout_workbook(project, results), out_xlsxwriter),
            args.runs,
        )
        size_o = out_openpyxl.stat().st_size
        size_x = out_xlsxwriter.stat().st_size

    ratio = t_openpyxl / t_xlsxwriter
    print(f"layout alone (shared by both): median {t_layout * 1000:.0f} ms")
    print(f"openpyxl   (write_workbook):   median {t_openpyxl * 1000:.0f} ms, {size_o // 1024} KB")
    print(
        f"XlsxWriter (same layout):      median {t_xlsxwriter * 1000:.0f} ms, {size_x // 1024} KB"
    )
    print(f"ratio openpyxl / XlsxWriter: {ratio:.2f} (goal: at most 1.5)")


if __name__ == "__main__":
    main()
