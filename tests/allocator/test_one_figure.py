"""One figure, one value: a partner's total, fair share and attainment are the same
figures in the result, ``fairshare solve --json``, the comparison and the workbook;
every total is the sum of the whole-unit years beside it, and every percentage is
worked out from the figures it is shown with (MODEL.md "Rounding")."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings

from allocator.cli import main
from allocator.domain.text import money, pct
from allocator.engine.result import PartnerResult, ScenarioResult
from allocator.engine.solve import solve
from allocator.formats.files import load_project
from allocator.formats.workbook import workbook_bytes
from allocator.report.baseline import compare_to_baseline
from allocator.report.compare import render_comparison
from allocator.report.render import render_results
from tests.allocator.strategies import projects

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"


def solve_json(path: Path) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["solve", str(path), "--json"])
    assert rc in (0, 1)
    return json.loads(out.getvalue())


def figures(p: PartnerResult) -> tuple[int, int, str]:
    """A partner's total, fair share and attainment as shown."""
    return p.total, p.fair_share_total, pct(p.attainment)


def check_result(r: ScenarioResult) -> None:
    for p in r.partners:
        if not p.included:
            continue
        assert p.total == sum(p.per_year)
        assert all(isinstance(v, int) for v in p.fair_share_whole)
        assert p.fair_share_total == sum(p.fair_share_whole)
        assert len(p.fair_share_whole) == len(r.years)
        # the percentage is the one the figures shown beside it give
        assert pct(p.attainment) == pct(p.total / p.fair_share_total)
        for y, v in enumerate(p.per_year):
            fs = p.fair_share_whole[y]
            assert pct(p.attainment_per_year[y]) == pct(v / fs if fs else 0.0)
    # the whole-unit fair shares share out the distributable budget exactly
    taking = [p for p in r.partners if p.included]
    for y, d in enumerate(r.distributable):
        assert sum(p.fair_share_whole[y] for p in taking) == d


def check_json(r: ScenarioResult, data: dict) -> None:
    scenario = next(s for s in data["scenarios"] if s["name"] == r.name)
    for p, j in zip(r.partners, scenario["partners"], strict=True):
        assert j["fair_share"] == list(p.fair_share_whole)
        assert all(isinstance(v, int) for v in j["fair_share"])
        assert j["fair_share_total"] == sum(j["fair_share"]) == p.fair_share_total
        assert j["total"] == sum(j["per_year"]) == p.total
        assert j["received"] == p.received and j["fee"] == p.fee_total
        if p.included:
            assert pct(j["attainment"]) == pct(j["total"] / j["fair_share_total"])


def check_comparison(project, results: list[ScenarioResult]) -> None:
    cmp = compare_to_baseline(project, results, None)
    for r in results:
        if not r.ok:
            continue
        s = cmp.scenario(r.name)
        for p in r.partners:
            pc = s.partner(p.id)
            assert (pc.grant, pc.fair_share) == (p.total, p.fair_share_total)
            assert pc.received == pc.grant + pc.fee
            if p.included:
                assert pct(pc.attainment) == pct(p.attainment)


def check_workbook(project, results: list[ScenarioResult], chosen: ScenarioResult) -> None:
    """The Summary and each partner's sheet: the same figures, totals as SUMs of the year
    cells, attainment a formula of the cells shown."""
    data = workbook_bytes(project, results, scenario=chosen.name)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Summary"]
    heads = {c.value: c.column for c in ws[5] if c.value is not None}
    c_y0 = heads[chosen.years[0]]
    c_tot = heads["Total"]
    c_fs = heads["Fair share"]
    c_att = heads["Attainment (total ÷ fair share)"]
    for k, p in enumerate(chosen.partners):
        row = 6 + k
        years = [ws.cell(row, c_y0 + i).value for i in range(len(chosen.years))]
        assert years == list(p.per_year) and sum(years) == p.total
        tot = ws.cell(row, c_tot)
        first, last = tot.offset(0, -len(years)), tot.offset(0, -1)
        assert tot.value == f"=SUM({first.coordinate}:{last.coordinate})"
        assert ws.cell(row, c_fs).value == p.fair_share_total
        fs_ref, tot_ref = ws.cell(row, c_fs).coordinate, tot.coordinate
        assert ws.cell(row, c_att).value == f"=IF({fs_ref}>0,{tot_ref}/{fs_ref},0)"
    for k, p in enumerate(chosen.partners):
        if not p.included:
            continue
        sheet = wb.worksheets[1 + k]
        rows = {c.value: c.row for c in sheet["A"] if isinstance(c.value, str)}
        r_fs = rows["Fair share"]
        shown = [sheet.cell(r_fs, 2 + i).value for i in range(len(chosen.years))]
        assert shown == list(p.fair_share_whole)
        total = sheet.cell(r_fs, 2 + len(chosen.years)).value
        assert total.startswith("=SUM(") and sum(shown) == p.fair_share_total


def check_everywhere(project, results: list[ScenarioResult], data: dict) -> None:
    solved = [r for r in results if r.ok]
    for r in solved:
        check_result(r)
        check_json(r, data)
    check_comparison(project, results)
    for r in solved:
        check_workbook(project, results, r)


def test_the_sample_shows_one_value_for_every_figure() -> None:
    project = load_project(SAMPLE)
    results = solve(project)
    check_everywhere(project, results, solve_json(SAMPLE))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(max_partners=5, max_years=3, core_share=True))
def test_random_projects_show_one_value_for_every_figure(data: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.fairshare"
        path.write_text(json.dumps(data), encoding="utf-8")
        project = load_project(path)
        results = solve(project)
        check_everywhere(project, results, solve_json(path))


def test_the_explanation_says_the_fair_share_total_the_table_shows() -> None:
    project = load_project(SAMPLE)
    for r in solve(project):
        if not r.ok:
            continue
        for p in r.partners:
            if p.included:
                assert f"its fair share is {money(p.fair_share_total)}" in p.reason
                assert f"gets {pct(p.attainment)} of it" in p.reason


def test_the_lead_s_figures_with_its_fee_say_so() -> None:
    project = load_project(SAMPLE)
    results = solve(project)
    r = next(r for r in results if r.ok and any(r.fee))
    lead = next(p for p in r.partners if p.lead)
    said = f"{money(lead.received)} incl. {money(lead.fee_total)} fee"
    assert said in lead.reason
    assert said in render_results(project, [r])
    text = render_comparison(project, compare_to_baseline(project, results, None), results)
    lines = text.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith(lead.name))
    assert money(lead.received) in lines[at]
    assert lines[at + 2].startswith("  incl. management fee")
    assert money(lead.fee_total) in lines[at + 2]
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project, results, scenario=r.name)))
    notes = [c.value for c in wb["Summary"]["A"] if isinstance(c.value, str)]
    assert any(said in n for n in notes)
