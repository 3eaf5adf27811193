"""The command line as users and scripts meet it: whole processes, exit codes, stderr."""

import copy
import json
import subprocess
import sys
from importlib import resources

import pytest

SAMPLE = str(resources.files("resources").joinpath("sample.fairshare"))


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "allocator.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_solve_json_sample():
    r = run("solve", SAMPLE, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["years"] == [2027, 2028, 2029] and doc["currency"] == "GBP"
    for s in doc["scenarios"]:
        assert s["status"] == "optimal"
        for y, budget in enumerate(s["budget"]):
            total = sum(p["per_year"][y] + p["lines"]["management"][y] for p in s["partners"])
            assert total == budget
        for p in s["partners"]:
            assert p["limited_by"]
            assert p["total"] == sum(p["per_year"])
            assert set(p["lines"]) == {"delivery", "back_office", "management", "unrestricted"}
        assert set(s["metrics"]) >= {
            "min_attainment",
            "max_attainment",
            "gini",
            "need_ratio",
            "by_and_for_share",
            "lead_share",
        }
        assert all(
            {"constraint", "partner", "year", "shadow_price", "explanation"} <= set(b)
            for b in s["binding"]
        )


def test_solve_table_and_one_scenario():
    r = run("solve", SAMPLE, "--scenario", "Needs-weighted")
    assert r.returncode == 0
    assert "Needs-weighted" in r.stdout and "£1,200,000" in r.stdout
    assert "Bigger slice" not in r.stdout
    r = run("solve", SAMPLE, "--scenario", "Nope")
    assert r.returncode == 2 and "no scenario called 'Nope'" in r.stderr


def test_compare_json_and_table():
    r = run("compare", SAMPLE, "--json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert len(doc["scenarios"]) == 4 and len(doc["partners"]) == 7
    assert run("compare", SAMPLE).stdout.count("Riverside Women's Network") == 1


def _write(tmp_path, data, name="p.fairshare"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


# Each bad file is refused naming the file and the place in words, never by its path.
BAD = [
    (
        lambda d: d["partners"][0].update(capacity="many"),
        "Riverside Women's Network's capacity: must be a number",
    ),
    (
        lambda d: d["partners"][2].update(capacity=-5),
        "Sahara Sisters Project's capacity: must be greater than 0",
    ),
    (
        lambda d: d["partners"][1].update(multiple_disadvantage=None, needs_answers={}),
        "Amani Collective's multiple disadvantage",
    ),
    (lambda d: d["partners"][1].update(id="riverside"), "Amani Collective's id"),
    (lambda d: d["scenarios"][0].update(excluded=["ghost"]), "'ghost'"),
    (lambda d: d.update(version=7), "newer FairShare"),
    (lambda d: d["partners"][3].update(lead=True), "exactly one lead"),
    (
        lambda d: d["scenarios"][2].update(ring_fence=1.5),
        "scenario 'Needs-weighted, 30% ring-fence, 10% fee': ring-fence: must be at most",
    ),
]


@pytest.mark.parametrize("edit, words", BAD)
def test_bad_files_exit_2_naming_the_field(tmp_path, sample_dict, edit, words):
    data = copy.deepcopy(sample_dict)
    edit(data)
    r = run("solve", _write(tmp_path, data))
    assert r.returncode == 2
    assert words in r.stderr
    assert "partners[" not in r.stderr and "scenarios[" not in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"format": "fairshare-project", "version": 1, "name": NaN}', "NaN"),
        ("this is not json", "not valid JSON"),
        ("[" * 100000 + "]" * 100000, "nest"),
        ("", "empty"),
    ],
)
def test_unreadable_files_exit_2(tmp_path, text, words):
    path = _write(tmp_path, text)
    r = run("solve", path)
    assert r.returncode == 2
    assert words.lower() in r.stderr.lower()
    assert path in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_file_exit_2(tmp_path):
    r = run("solve", str(tmp_path / "nowhere.fairshare"))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_infeasible_exits_1_with_relaxations(tmp_path, sample_dict):
    data = copy.deepcopy(sample_dict)
    data["budget"]["first_year"] = 150000
    r = run("solve", _write(tmp_path, data), "--json", "--scenario", "Needs-weighted")
    assert r.returncode == 1
    s = json.loads(r.stdout)["scenarios"][0]
    assert s["status"] == "infeasible"
    assert s["relaxations"]
    assert all(x["field"].startswith("partners[") for x in s["relaxations"])
    assert "2027-2029: floors add up to" in s["message"]
    r = run("solve", _write(tmp_path, data), "--scenario", "Needs-weighted")
    assert r.returncode == 1
    assert "lower Amani Collective's floor from £60,000 to" in r.stdout
    assert "partners[" not in r.stdout + r.stderr


def test_solve_never_imports_qt():
    code = (
        "import sys; from allocator.cli import main; "
        f"rc = main(['solve', {SAMPLE!r}]); "
        "assert 'PySide6' not in sys.modules, 'PySide6 was imported'; "
        "sys.exit(rc)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_no_allocator_module_imports_qt():
    import pkgutil

    import allocator

    names = [m.name for m in pkgutil.walk_packages(allocator.__path__, "allocator.")]
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'ui'))]\n"
        "assert not bad, bad\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_export_and_import_partners(tmp_path):
    out = tmp_path / "budget.xlsx"
    r = run("export", SAMPLE, str(out), "--scenario", "Needs-weighted")
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10000
    template = str(resources.files("resources").joinpath("partners_template.csv"))
    project = tmp_path / "new.fairshare"
    r = run("import-partners", template, str(project))
    assert r.returncode == 0, r.stderr
    assert project.exists()
    r = run("solve", str(project))  # the grant is left blank, never a figure nobody gave
    assert r.returncode == 2 and "grant in the first year" in r.stderr
    assert run("set", str(project), "budget.first_year=£350,000").returncode == 0
    r = run("solve", str(project), "--json")
    assert r.returncode == 0, r.stderr
    # importing the same table again finds every partner unchanged and leaves the file alone
    before = project.read_bytes()
    r = run("import-partners", template, str(project))
    assert r.returncode == 0 and "unchanged 2" in r.stdout and "Traceback" not in r.stderr
    assert project.read_bytes() == before


def test_hostile_tables_are_refused_by_the_command(tmp_path):
    """Entity bomb, zip bomb (1 MB inflating to 400 MB) and a csv named .xlsx: exit 2,
    no traceback, within the promised 5 s and 400 MB, and the project is not created."""
    import resource
    import time

    from .test_tables import (
        BILLION_LAUGHS,
        bomb_member,
        deflated,
        handmade_zip,
        with_bomb_strings,
    )

    zip_bomb = tmp_path / "zip-bomb.xlsx"
    zip_bomb.write_bytes(
        handmade_zip(
            [
                (
                    "[Content_Types].xml",
                    *deflated(b'<?xml version="1.0"?><Types xmlns="x"></Types>'),
                ),
                ("xl/workbook.xml", *deflated(b"<workbook/>")),
                ("xl/worksheets/sheet1.xml", *bomb_member(400 * 1024 * 1024)),
            ]
        )
    )
    assert zip_bomb.stat().st_size < 2 * 1024 * 1024
    entity = with_bomb_strings(tmp_path, BILLION_LAUGHS)
    renamed = tmp_path / "partners.xlsx"
    renamed.write_text("Name,Capacity\nA,100\n", encoding="utf-8")
    for table in (zip_bomb, entity, renamed):
        project = tmp_path / f"{table.stem}.fairshare"
        start = time.perf_counter()
        r = run("import-partners", str(table), str(project))
        elapsed = time.perf_counter() - start
        assert r.returncode == 2, (table.name, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.strip()
        assert elapsed < 5, (table.name, elapsed)
        assert not project.exists()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kb < 400 * 1024
