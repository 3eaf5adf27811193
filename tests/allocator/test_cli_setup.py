"""Setting up a partnership from the command line, never opening the project file.

`fairshare new`, `import-partners` and `set` (the grant, the years, any scenario
setting) give a project that `fairshare solve` plans; a refused `set` leaves the file
byte for byte as it was. Whole processes, as a person or a script meets them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allocator.domain.fields import FIELDS
from allocator.formats.files import load_project

from .test_cli import run

PARTNERS_CSV = """\
Name,Lead partner,By and for,Capacity,Floor,People served,Multiple disadvantage,Back-office capacity
Harbourside Women's Centre,yes,no,"£400,000",0,2500,0.4,0.85
Kinara Sisters Collective,no,yes,"£120,000","£30,000",450,0.85,0.3
Deaf Women Together,no,yes,"£90,000","£25,000",200,0.8,0.25
Northbank Advice Trust,no,no,"£250,000",0,1800,0.35,0.75
"""


def partners_table(folder: Path) -> Path:
    table = folder / "partners.csv"
    table.write_text(PARTNERS_CSV, encoding="utf-8")
    return table


def solved(stdout: str) -> dict:
    return json.loads(stdout)


def ok(r) -> None:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_new_import_set_then_solve_plans_the_consortium(tmp_path):
    project = tmp_path / "eastbridge.fairshare"
    ok(run("new", str(project), "--name", "Eastbridge Partnership", "--years", "2"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))

    # the grant and the years
    r = run(
        "set",
        str(project),
        "budget.first_year=£600,000",
        "budget.annual_uplift=3%",
        "years.start=2027",
        "years.count=3",
    )
    ok(r)
    assert "£600,000" in r.stdout and "was" in r.stdout

    # every kind of scenario setting, by the scenario's name in other capitals
    r = run(
        "set",
        str(project),
        "--scenario",
        "NEEDS-WEIGHTED",
        "basis=reach",
        "weights.multiple_disadvantage=1.5",
        "weights.back_office_gap=0.75",
        "core_share=20%",
        "management_fee=8%",
        "ring_fence=35%",
        "needs_floor=80%",
        "spread_limit=3",
        "lead_cap=45%",
        "back_office_rate.base=12%",
        "back_office_rate.uplift=0.2",
        "unrestricted_share=15%",
    )
    ok(r)
    # and by position, with a partner's figure by its name
    ok(
        run(
            "set",
            str(project),
            "scenarios[0].excluded=",
            "--partner",
            "northbank advice trust",
            "floor=£20k",
        )
    )

    r = run("solve", str(project), "--json")
    ok(r)
    doc = solved(r.stdout)
    assert doc["years"] == [2027, 2028, 2029]
    [s] = doc["scenarios"]
    assert s["status"] == "optimal" and s["name"] == "Needs-weighted"
    assert s["budget"] == [600000, 618000, 636540]
    partners = {p["name"]: p for p in s["partners"]}
    assert len(partners) == 4
    for y, budget in enumerate(s["budget"]):
        total = sum(p["per_year"][y] + p["lines"]["management"][y] for p in s["partners"])
        assert total == budget
        fee = sum(p["lines"]["management"][y] for p in s["partners"])
        assert fee == round(0.08 * budget)
        distributable = budget - fee
        by_and_for = sum(p["per_year"][y] for p in s["partners"] if p["by_and_for"])
        assert by_and_for >= 0.35 * distributable - 1
        lead = partners["Harbourside Women's Centre"]["per_year"][y]
        assert lead <= 0.45 * distributable + 1
    assert partners["Northbank Advice Trust"]["per_year"][0] >= 20000

    # the file holds exactly what was set (read here only to check)
    p = load_project(project)
    s0 = p.scenarios[0]
    assert (s0.basis, s0.core_share, s0.management_fee, s0.ring_fence) == (
        "reach",
        0.2,
        0.08,
        0.35,
    )
    assert (s0.needs_floor, s0.spread_limit, s0.lead_cap) == (0.8, 3.0, 0.45)
    assert (s0.weights.multiple_disadvantage, s0.weights.back_office_gap) == (1.5, 0.75)
    assert (s0.back_office_rate.base, s0.back_office_rate.uplift) == (0.12, 0.2)
    assert s0.unrestricted_share == 0.15 and s0.excluded == ()

    # the text report of the same plan reads in words and whole units
    r = run("solve", str(project))
    ok(r)
    assert "Kinara Sisters Collective (by and for)" in r.stdout
    assert "£600,000" in r.stdout and "size-proportional" in r.stdout


@pytest.mark.parametrize(
    "assignments, words",
    [
        (
            ["budget.first_year=2m", "--scenario", "needs-weighted", "management_fee=40%"],
            ["management fee", "25%"],
        ),
        (["years.count=0"], ["number of years", "from 1 to 10"]),
        (["years.count=3", "budget.annual_uplift=lots"], ["annual uplift", "lots"]),
        (["--scenario", "needs-weighted", "basis=size"], ["basis", "equal, capacity, reach"]),
        (
            ["--partner", "Kinara Sisters Collective", "capacity=-5"],
            ["Kinara Sisters Collective's capacity", "above 0"],
        ),
        (
            ["partners[1].multiple_disadvantage=1.2"],
            ["Kinara Sisters Collective's multiple disadvantage", "from 0 to 1"],
        ),
        (["partners[9].floor=0"], ["there is no partner 10"]),
        (["scenarios[0].ring_fense=30%"], ["ring_fense", "ring_fence"]),
        (
            ["--scenario", "Nope", "ring_fence=30%"],
            ["no scenario called 'Nope'", "'Needs-weighted'"],
        ),
        (["--partner", "Nobody", "floor=0"], ["no partner called 'Nobody'"]),
        (["--scenario", "needs-weighted", "excluded=Ghost Trust"], ["Ghost Trust"]),
        (["ring_fence"], ["not FIELD=VALUE"]),
        (["chosen=Plan B"], ["no scenario called 'Plan B'"]),
    ],
)
def test_a_refused_set_leaves_the_file_as_it_was(tmp_path, assignments, words):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "£500,000"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    before = project.read_bytes()
    siblings = sorted(p.name for p in tmp_path.iterdir())
    r = run("set", str(project), *assignments)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    assert f"nothing was changed in {project}" in r.stderr
    told = r.stderr
    for typed in assignments:  # what the person typed may be quoted back; nothing else
        told = told.replace(typed.partition("=")[0], "")
    assert "partners[" not in told and "scenarios[0]." not in told.split("did you")[0]
    assert project.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no temporary left behind


def test_set_applies_all_or_none(tmp_path):
    """The good assignments before and after a refused one are not written either."""
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    before = project.read_bytes()
    r = run("set", str(project), "years.count=4", "currency=EURO", "budget.first_year=1m")
    assert r.returncode == 2
    assert "currency" in r.stderr and "three-letter code" in r.stderr
    assert project.read_bytes() == before
    ok(run("set", str(project), "years.count=4", "currency=eur", "budget.first_year=1m"))
    p = load_project(project)
    assert (p.year_count, p.currency, p.budget.first_year) == (4, "EUR", 1_000_000)


def test_budget_and_grant_name_the_first_years_grant(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    r = run("set", str(project), "budget=900000")
    ok(r)
    assert "£900,000 (was £500,000)" in r.stdout
    assert load_project(project).budget.first_year == 900_000
    ok(run("set", str(project), "Grant=£1.1m"))
    assert load_project(project).budget.first_year == 1_100_000


def test_the_rules_a_scenario_keeps_are_set_and_listed(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    ok(run("set", str(project), "scenarios[0].keep=ring_fence,needs floor"))
    assert load_project(project).scenarios[0].keep == ("ring_fence", "needs_floor")
    ok(run("set", str(project), "scenarios[0].keep="))
    assert load_project(project).scenarios[0].keep == ()
    r = run("set", str(project), "scenarios[0].keep=ring_fence,floors")
    assert r.returncode == 2 and "must be one of ring_fence, needs_floor" in r.stderr
    listed = run("set", str(project), "--list")
    ok(listed)
    assert "scenarios[0].keep" in listed.stdout


def test_fields_may_be_set_in_any_order(tmp_path):
    """A floor above the capacity is kept (it is wrong only with the capacity as it
    is), said as still to fix, and a solve waits for it with the reason in words."""
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    r = run("set", str(project), "--partner", "Deaf Women Together", "floor=£100,000")
    ok(r)
    assert "Before it can be solved" in r.stdout
    assert "Deaf Women Together's floor" in r.stdout
    r = run("solve", str(project))
    assert r.returncode == 2 and "Deaf Women Together's floor" in r.stderr
    assert "partners[" not in r.stderr
    ok(run("set", str(project), "--partner", "Deaf Women Together", "capacity=£150,000"))
    ok(run("solve", str(project)))


def test_blank_optional_fields_and_names_for_ids(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    ok(run("set", str(project), "--scenario", "needs-weighted", "lead_cap=40%", "spread_limit=2"))
    ok(
        run(
            "set",
            str(project),
            "--scenario",
            "needs-weighted",
            "lead_cap=",
            "spread_limit=",
            "excluded=northbank advice trust",
        )
    )
    s = load_project(project).scenarios[0]
    assert s.lead_cap is None and s.spread_limit is None
    assert s.excluded == ("northbank-advice-trust",)
    r = run("set", str(project), "--scenario", "needs-weighted", "excluded=")
    ok(r)
    assert load_project(project).scenarios[0].excluded == ()


def test_set_with_nothing_to_change_leaves_the_file_alone(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    before = project.stat().st_mtime_ns, project.read_bytes()
    r = run("set", str(project), "budget.first_year=£500,000")
    ok(r)
    assert "Nothing to change" in r.stdout
    assert (project.stat().st_mtime_ns, project.read_bytes()) == before
    r = run("set", str(project))
    assert r.returncode == 2 and "--list" in r.stderr


def test_set_list_shows_every_field_with_value_unit_and_bounds(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "£1.2m", "--uplift", "2%", "--start-year", "2027"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    ok(run("set", str(project), "--scenario", "needs-weighted", "ring_fence=35%"))
    r = run("set", str(project), "--list")
    ok(r)
    out = r.stdout
    expected = []  # the project's fields, then each scenario's, then each partner's
    for spec in FIELDS:
        if spec.pattern == "budget.per_year[]":
            expected += [f"budget.per_year[{k}]" for k in range(3)]
        elif not spec.pattern.startswith(("partners[]", "scenarios[]")):
            expected.append(spec.pattern)
    expected += [s.pattern.replace("[]", "[0]") for s in FIELDS if s.pattern[:11] == "scenarios[]"]
    for i in range(4):
        expected += [
            s.pattern.replace("[]", f"[{i}]") for s in FIELDS if s.pattern[:10] == "partners[]"
        ]
    for path in expected:
        assert path in out, path
    assert "Scenario 'Needs-weighted'" in out and "Partner 'Kinara Sisters Collective'" in out
    line = next(x for x in out.splitlines() if x.startswith("scenarios[0].ring_fence "))
    assert "35%" in line and "from 0% to 100%" in line
    line = next(x for x in out.splitlines() if x.startswith("budget.first_year "))
    assert "1,200,000" in line and "GBP" in line and "above 0" in line
    line = next(x for x in out.splitlines() if x.startswith("scenarios[0].management_fee "))
    assert "from 0% to 25%" in line

    r = run("set", str(project), "--list", "--json")
    ok(r)
    doc = json.loads(r.stdout)
    assert [f["path"] for f in doc["fields"]] == expected
    fields = {f["path"]: f for f in doc["fields"]}
    assert fields["scenarios[0].ring_fence"]["value"] == 0.35
    assert fields["partners[1].capacity"]["value"] == 120000
    assert fields["scenarios[0].management_fee"]["maximum"] == 0.25
    assert fields["budget.first_year"]["unit"] == "GBP"

    r = run("set", str(project), "--list", "--partner", "kinara sisters collective")
    ok(r)
    assert "partners[1].capacity" in r.stdout and "partners[0]" not in r.stdout
    assert "scenarios[0]" not in r.stdout


def test_new_refuses_to_overwrite_unless_forced(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000", "--name", "First"))
    before = project.read_bytes()
    r = run("new", str(project), "--budget", "900000")
    assert r.returncode == 2 and "already exists" in r.stderr and "--force" in r.stderr
    assert project.read_bytes() == before
    ok(run("new", str(project), "--budget", "900000", "--name", "Second", "--force"))
    p = load_project(project)
    assert p.name == "Second" and p.budget.first_year == 900000
    assert (tmp_path / "p.fairshare.bak").read_bytes() == before


def test_new_project_file_reads_back_with_one_chosen_needs_weighted_scenario(tmp_path):
    project = tmp_path / "consortium.fairshare"
    r = run(
        "new",
        str(project),
        "--name",
        "Riverbend Partnership",
        "--currency",
        "eur",
        "--start-year",
        "2028",
        "--years",
        "4",
        "--budget",
        "€750k",
        "--uplift",
        "1.5%",
    )
    ok(r)
    assert "Riverbend Partnership" in r.stdout and "€750,000" in r.stdout
    assert "import-partners" in r.stdout  # what to do next
    p = load_project(project)
    assert (p.name, p.currency, p.start_year, p.year_count) == (
        "Riverbend Partnership",
        "EUR",
        2028,
        4,
    )
    assert (p.budget.first_year, p.budget.annual_uplift) == (750000, 0.015)
    assert [s.name for s in p.scenarios] == ["Needs-weighted"]
    assert p.chosen_scenario.name == "Needs-weighted" and p.chosen == "Needs-weighted"
    s = p.scenarios[0]
    assert s.weights.multiple_disadvantage > 0 and s.weights.back_office_gap > 0


@pytest.mark.parametrize(
    "budget",
    [
        ["1200000,1224000,1248480"],
        ["£1,200,000", "£1,224,000", "£1,248,480"],
        ["1.2m; 1.224m; 1,248,480"],
    ],
)
def test_new_with_a_grant_per_year(tmp_path, budget):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget-per-year", *budget))
    p = load_project(project)
    assert p.year_count == 3
    assert p.budget.per_year == (1200000, 1224000, 1248480)


@pytest.mark.parametrize(
    "options, words",
    [
        (["--budget", "lots"], "--budget"),
        (["--years", "11"], "--years"),
        (["--start-year", "1066"], "--start-year"),
        (["--currency", "pounds"], "--currency"),
        (["--uplift", "200%"], "--uplift"),
        (["--budget-per-year", "1000,2000", "--years", "3"], "2 amounts for 3 years"),
        (["--budget-per-year", "1000,nothing"], "amount 2"),
        (["--budget-per-year", "1000,2000", "--uplift", "2%"], "--uplift"),
        (["--budget", "1", "--budget-per-year", "1"], "not allowed with"),
    ],
)
def test_new_refuses_bad_options_and_creates_nothing(tmp_path, options, words):
    project = tmp_path / "p.fairshare"
    r = run("new", str(project), *options)
    assert r.returncode == 2, r.stdout
    assert words in r.stderr and "Traceback" not in r.stderr
    assert not project.exists()


def test_new_wants_a_project_file_name(tmp_path):
    r = run("new", str(tmp_path / "budget.xlsx"))
    assert r.returncode == 2 and ".fairshare" in r.stderr
    assert not (tmp_path / "budget.xlsx").exists()


def test_a_new_project_says_what_is_missing_before_it_solves(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project)))  # no grant yet: blank, never a number nobody gave
    r = run("solve", str(project))
    assert r.returncode == 2 and "no partners" in r.stderr and "import-partners" in r.stderr
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    r = run("solve", str(project))
    assert r.returncode == 2
    assert "grant in the first year" in r.stderr and "blank" in r.stderr
    assert "budget.first_year" not in r.stderr
    ok(run("set", str(project), "budget.first_year=800k"))
    ok(run("solve", str(project)))


def test_a_score_out_of_range_gets_a_sensible_hint(tmp_path):
    """1.2 is not a percentage typed as a number: no hint of 0.012; 85 is: 0.85."""
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    r = run(
        "set", str(project), "--partner", "Kinara Sisters Collective", "multiple_disadvantage=1.2"
    )
    assert r.returncode == 2 and "from 0 to 1" in r.stderr and "0.012" not in r.stderr
    r = run(
        "set", str(project), "--partner", "Kinara Sisters Collective", "back_office_capacity=85"
    )
    assert r.returncode == 2 and "0.85" in r.stderr


# -- import-partners: updates, skips, and every problem at once ---------------------------


def test_import_again_updates_partners_already_there_and_says_what_changed(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    table = tmp_path / "update.csv"
    table.write_text(
        "Name,Capacity,Multiple disadvantage,Back-office capacity\n"
        'kinara  sisters collective,"£130,000",,\n'
        "Eastside Refuge,50000,0.6,0.4\n",
        encoding="utf-8",
    )
    r = run("import-partners", str(table), str(project))
    ok(r)
    first = r.stdout.splitlines()[0]
    assert first == f"Added 1 partner to {project}; updated 1"
    assert "updated 'kinara  sisters collective' (row 2)" in r.stdout  # as the table has it
    assert "Capacity (per year) from 120,000 to 130,000" in r.stdout
    partners = load_project(project).partners
    assert [p.name for p in partners][-1] == "Eastside Refuge"
    kinara = partners[1]
    assert kinara.capacity == 130000 and kinara.multiple_disadvantage == 0.85  # blank kept

    before = project.read_bytes()
    table.write_text(
        "Name,Capacity,Multiple disadvantage,Back-office capacity\n"
        "Kinara Sisters Collective,1,0.1,0.1\n",
        encoding="utf-8",
    )
    r = run("import-partners", "--skip-existing", str(table), str(project))
    ok(r)
    assert "skipped 1" in r.stdout and "not written" in r.stdout
    assert project.read_bytes() == before


def test_import_refuses_with_every_problem_and_leaves_the_file_as_it_was(tmp_path):
    project = tmp_path / "p.fairshare"
    ok(run("new", str(project), "--budget", "500000"))
    ok(run("import-partners", str(partners_table(tmp_path)), str(project)))
    before = project.read_bytes()
    table = tmp_path / "bad.csv"
    table.write_text(
        "Name,Capacity,Multiple disadvantage,Back-office capacity\n"
        "Kinara Sisters Collective,lots,0.5,0.5\n"
        "New One,100,0.5,0.5\n"
        "new one,100,2,0.5\n",
        encoding="utf-8",
    )
    r = run("import-partners", str(table), str(project))
    assert r.returncode == 2
    assert "row 2, column Capacity" in r.stderr
    assert "row 4, column Name: 'new one' is also on row 3" in r.stderr
    assert "row 4, column Multiple disadvantage" in r.stderr
    assert project.read_bytes() == before
    r = run("import-partners", "--update", "--skip-existing", str(table), str(project))
    assert r.returncode == 2 and project.read_bytes() == before
