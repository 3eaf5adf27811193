"""`fairshare sweep`: each step is what `fairshare set` then `fairshare solve` give."""

from __future__ import annotations

import copy
import csv
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_cli import SAMPLE, _write, run
from .test_cli_compare import no_traceback, strict_json

NEEDS = "Needs-weighted"
FEE = "Needs-weighted, 30% ring-fence, 10% fee"
RING = ["--scenario", "needs-weighted", "--param", "ring_fence", "--from", "0", "--to", "60%"]


@pytest.fixture(scope="module")
def ring_sweep() -> dict:
    r = run("sweep", SAMPLE, *RING, "--steps", "13", "--json")
    assert r.returncode == 1, r.stderr  # the last steps cannot be met
    return strict_json(r.stdout)


def _solve_copy(tmp_path: Path, scenario: str, assignment: str) -> dict:
    """What a person gets by setting the value in a copy of the project and solving it."""
    copy_ = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.fairshare"
    shutil.copyfile(SAMPLE, copy_)
    r = run("set", str(copy_), "--scenario", scenario, assignment)
    assert r.returncode == 0, r.stderr
    r = run("solve", str(copy_), "--scenario", scenario, "--json")
    assert r.returncode in (0, 1), r.stderr
    return strict_json(r.stdout)["scenarios"][0]


def _assert_same(step: dict, solved: dict) -> None:
    assert step["status"] == solved["status"]
    if solved["status"] != "optimal":
        assert step["grants"] is None and step["measures"] is None
        return
    assert step["grants"] == [p["total"] for p in solved["partners"]]
    assert step["fee"] == sum(
        p["lines"]["management"][y]
        for p in solved["partners"]
        for y in range(len(solved["budget"]))
    )
    for key in ("min_attainment", "gini", "by_and_for_share", "lead_share"):
        assert step["measures"][key] == pytest.approx(solved["metrics"][key], abs=1e-12)


def test_the_sweep_steps_are_its_values(ring_sweep):
    assert ring_sweep["scenario"] == NEEDS and ring_sweep["param"] == "ring_fence"
    assert ring_sweep["path"] == "scenarios[1].ring_fence" and ring_sweep["complete"]
    assert [s["value"] for s in ring_sweep["steps"]] == pytest.approx([k * 0.05 for k in range(13)])
    assert len(ring_sweep["partners"]) == 7
    statuses = [s["status"] for s in ring_sweep["steps"]]
    assert statuses[0] == "optimal" and statuses[-1] == "infeasible"


@pytest.mark.parametrize("k", [0, 6, 8, 10])
def test_ring_fence_steps_equal_set_then_solve(tmp_path, ring_sweep, k):
    step = ring_sweep["steps"][k]
    _assert_same(step, _solve_copy(tmp_path, NEEDS, f"ring_fence={step['value']!r}"))


def test_management_fee_step_equals_set_then_solve(tmp_path):
    r = run(
        "sweep", SAMPLE, "--scenario", FEE, "--param", "management_fee",
        "--from", "0", "--to", "25%", "--steps", "11", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = strict_json(r.stdout)
    fees = [s["fee"] for s in doc["steps"]]
    assert fees == sorted(fees) and fees[0] == 0 < fees[-1]
    step = doc["steps"][9]  # 22.5%: where a floor starts to bind
    assert step["value"] == pytest.approx(0.225)
    _assert_same(step, _solve_copy(tmp_path, FEE, f"management_fee={step['value']!r}"))


def test_values_are_read_as_people_type_them(tmp_path):
    r = run(
        "sweep", SAMPLE, "--scenario", NEEDS, "--param", "budget.first_year",
        "--from", "£1.1m", "--to", "1,300,000", "--steps", "3", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = strict_json(r.stdout)
    assert [s["value"] for s in doc["steps"]] == [1_100_000, 1_200_000, 1_300_000]
    assert doc["scope"] == "project"
    _assert_same(doc["steps"][2], _solve_copy(tmp_path, NEEDS, "budget.first_year=£1.3m"))


def test_a_partners_field_is_named_with_partner(tmp_path):
    r = run(
        "sweep", SAMPLE, "--scenario", FEE, "--partner", "amani collective",
        "--param", "floor", "--from", "0", "--to", "£150k", "--steps", "4",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "Amani Collective's floor from £0 to £150,000 in 4 steps" in " ".join(r.stdout.split())


def test_the_table_shows_status_measures_grants_and_events(ring_sweep):
    r = run("sweep", SAMPLE, *RING, "--steps", "13")
    assert r.returncode == 1
    out = r.stdout
    assert "\x1b[" not in out
    for step in ring_sweep["steps"]:
        assert step["shown"] in out
        for grant in step["grants"] or []:
            assert f"£{grant:,}" in out
    assert "cannot be met" in out and "solved" in out
    for label in ("Smallest", "Gini", "By-and-for"):
        assert label in out
    assert "At ring-fence 45.0%, the scenario stops being possible" in out
    for e in ring_sweep["events"]:
        assert e["words"] in out
    assert "Why it cannot be met" in out
    said = " ".join(r.stderr.split())
    assert "cannot be met at 4 of 13 steps (ring-fence 45.0%, 50.0%, 55.0%, 60.0%)" in said
    no_traceback(r)


def test_every_step_solving_exits_0_and_the_project_is_unchanged(tmp_path):
    path = tmp_path / "p.fairshare"
    shutil.copyfile(SAMPLE, path)
    before = path.read_bytes()
    r = run("sweep", str(path), "--param", "core_share", "--from", "0", "--to", "1", "--steps", "3")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "scenario 'Needs-weighted, 30% ring-fence, 10% fee'" in r.stdout  # the chosen one
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["p.fairshare"]


def test_csv_is_written_in_one_step(tmp_path, ring_sweep):
    out = tmp_path / "ring.csv"
    out.write_text("old", encoding="utf-8")
    r = run("sweep", SAMPLE, *RING, "--steps", "13", "--csv", str(out))
    assert r.returncode == 1, r.stderr
    assert f"Wrote {out}: 13 steps" in r.stdout
    assert "At ring-fence 45.0%, the scenario stops being possible" in r.stdout
    assert sorted(os.listdir(tmp_path)) == ["ring.csv"]  # no temporary file left behind
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 14 and all(len(row) == len(rows[0]) for row in rows)
    assert rows[0][:2] == ["Ring-fence for by-and-for partners (share)", "Status"]
    names = [p["name"] for p in ring_sweep["partners"]]
    first = rows[0].index(names[0])
    assert rows[0][first : first + len(names)] == names
    for row, step in zip(rows[1:], ring_sweep["steps"], strict=True):
        assert float(row[0]) == pytest.approx(step["value"])
        assert row[1] == step["status"]
        if step["grants"] is None:
            assert row[first : first + len(names)] == [""] * len(names)
        else:
            assert [int(v) for v in row[first : first + len(names)]] == step["grants"]


def test_csv_never_holds_a_formula_from_a_name(tmp_path):
    path = tmp_path / "p.fairshare"
    shutil.copyfile(SAMPLE, path)
    r = run("set", str(path), "--partner", "amani", 'name==HYPERLINK("http://x","y")')
    assert r.returncode == 0, r.stderr
    out = tmp_path / "s.csv"
    r = run("sweep", str(path), "--param", "ring_fence", "--from", "0", "--to", "0.1",
            "--steps", "2", "--csv", str(out))  # fmt: skip
    assert r.returncode == 0, r.stderr
    header = next(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert '\'=HYPERLINK("http://x","y")' in header
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in header)


@pytest.mark.parametrize(
    "name, words",
    [
        ("ring.txt", "written as a .csv file, such as ring.csv"),
        ("ring", "such as ring.csv"),
        ("missing/ring.csv", "does not exist"),
    ],
)
def test_csv_names_are_checked_before_solving(tmp_path, name, words):
    r = run("sweep", SAMPLE, *RING, "--csv", str(tmp_path / name))
    assert r.returncode == 2 and words in r.stderr
    assert r.stdout == ""
    assert os.listdir(tmp_path) == []
    no_traceback(r)


def test_csv_and_json_do_not_go_together(tmp_path):
    r = run("sweep", SAMPLE, *RING, "--json", "--csv", str(tmp_path / "a.csv"))
    assert r.returncode == 2 and "not allowed with" in r.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["--param", "ring_fences", "--from", "0", "--to", "0.5"], "no setting 'ring_fences'"),
        (["--param", "basis", "--from", "0", "--to", "1"], "cannot be swept"),
        (["--param", "years.count", "--from", "1", "--to", "3"], "cannot be swept"),
        (["--param", "scenarios[0].ring_fence", "--from", "0", "--to", "0.5"], "without the"),
        (["--param", "ring_fence", "--from", "0", "--to", "150%"], "--to: must be at most"),
        (["--param", "ring_fence", "--from", "0", "--to", "60"], "enter 60% or 0.6"),
        (["--param", "ring_fence", "--from", "lots", "--to", "0.5"], "--from: must be a share"),
        (["--param", "management_fee", "--from", "0", "--to", "30%"], "at most 0.25 (25%)"),
        (["--param", "budget.first_year", "--from", "0", "--to", "1m"], "--from: must be greater"),
        (["--param", "lead_cap", "--from", "", "--to", "50%"], "--from: give a value"),
        (["--param", "ring_fence", "--from", "10%", "--to", "0.1"], "are the same"),
        (["--param", "ring_fence", "--from", "0", "--to", "0.5", "--steps", "1"], "from 2 to"),
        (["--param", "ring_fence", "--from", "0", "--to", "0.5", "--steps", "1001"], "from 2 to"),
        (["--param", "ring_fence", "--from", "0", "--to", "0.5", "--steps", "x"], "--steps"),
        (["--param", "ring_fence", "--from", "0"], "required: --to"),
        (["--partner", "Nobody", "--param", "floor", "--from", "0", "--to", "1"], "'Nobody'"),
    ],
)
def test_bad_requests_exit_2_in_words(args, words):
    r = run("sweep", SAMPLE, *args)
    assert r.returncode == 2, r.stderr
    assert words in r.stderr, r.stderr
    assert r.stdout == ""
    no_traceback(r)


def test_an_unknown_scenario_is_quoted_with_the_names_there_are():
    r = run("sweep", SAMPLE, "--scenario", "Nobody", "--param", "ring_fence",
            "--from", "0", "--to", "0.5")  # fmt: skip
    assert r.returncode == 2
    assert "no scenario called 'Nobody'" in r.stderr
    assert f"'{FEE}'" in r.stderr and f"'{NEEDS}'" in r.stderr
    no_traceback(r)


def test_a_project_that_cannot_be_solved_is_refused_in_words(tmp_path, sample_dict):
    data = copy.deepcopy(sample_dict)
    data["partners"][1]["multiple_disadvantage"] = None
    data["partners"][1].pop("needs_answers", None)
    r = run("sweep", _write(tmp_path, data), *RING)
    assert r.returncode == 2
    assert "cannot sweep 'Needs-weighted' until this is fixed" in r.stderr
    assert "Amani Collective's multiple disadvantage" in r.stderr
    assert "partners[" not in r.stderr
    no_traceback(r)


# ----------------------------------------------------------------------------------
# A terminal: progress on stderr, and Ctrl+C
# ----------------------------------------------------------------------------------


def _start_on_a_terminal(*args: str) -> tuple[subprocess.Popen, int]:
    """The command with stderr on a pseudo-terminal (as a person runs it)."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "allocator.cli", *args],
        stdout=subprocess.PIPE,
        stderr=child,
        text=True,
    )
    os.close(child)
    return proc, main


def _read_terminal(fd: int, until: str = "", timeout: float = 60) -> str:
    """What the terminal shows, until ``until`` appears (or it closes)."""
    import select

    seen = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        seen += chunk
        if until and until.encode() in seen:
            break
    return seen.decode("utf-8", "replace")


def test_progress_goes_to_a_terminals_stderr_and_not_to_the_table():
    proc, fd = _start_on_a_terminal("sweep", SAMPLE, *RING, "--steps", "13")
    out, _ = proc.communicate(timeout=120)
    shown = _read_terminal(fd)
    os.close(fd)
    assert proc.returncode == 1
    assert "Sweeping ring-fence: 0 of 13 steps" in shown
    assert "13 of 13 steps" in shown
    assert "Sweeping" not in out
    plain = run("sweep", SAMPLE, *RING, "--steps", "13")
    assert "Sweeping" not in plain.stderr  # not a terminal: no progress


@pytest.mark.parametrize("to_csv", [False, True])
def test_ctrl_c_stops_cleanly(tmp_path, to_csv):
    out = tmp_path / "long.csv"
    extra = ["--csv", str(out)] if to_csv else []
    proc, fd = _start_on_a_terminal(
        "sweep", SAMPLE, "--param", "ring_fence", "--from", "0", "--to", "0.4",
        "--steps", "1000", *extra,
    )  # fmt: skip
    try:
        assert "of 1000 steps" in _read_terminal(fd, until="of 1000 steps", timeout=60)
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=30)
        said = _read_terminal(fd, timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(fd)
    assert proc.returncode == 130
    assert "stopped after" in said and "of 1000 steps" in said
    assert "Traceback" not in said + stdout
    if to_csv:
        assert "nothing was written" in said and not out.exists()
        assert stdout == ""
    else:
        assert "stopped after" in stdout  # the steps done so far, said to be partial


def test_a_scenario_that_becomes_possible_is_marked_so():
    r = run(
        "sweep", SAMPLE, "--scenario", "core grant 30% plus need, spread limit 3",
        "--param", "spread_limit", "--from", "1", "--to", "3", "--steps", "5",
    )  # fmt: skip
    assert r.returncode == 1
    assert "At spread limit 1.5, the scenario becomes possible" in r.stdout
    assert "becomes possible again" not in r.stdout
    assert "the spread limit stops binding" in r.stdout
    assert "cannot be met at 1 of 5 steps (spread limit 1)" in r.stderr
