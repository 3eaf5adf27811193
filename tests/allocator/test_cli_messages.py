"""What the command says, to people and to scripts: words, quotes, help, exit codes."""

from __future__ import annotations

import copy
import json
import re

import pytest

import allocator
from allocator.cli import COMMANDS

from .test_cli import SAMPLE, _write, run

THREE_DECIMAL_MONEY = re.compile(r"[£€$]\d[\d,]*\.\d{3}|\d[\d,]*\.\d{3} (GBP|EUR|USD)")


def no_traceback(r) -> None:
    assert "Traceback" not in r.stderr + r.stdout


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"fairshare {allocator.__version__}"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_says_what_it_does(name):
    r = run(name, "--help")
    assert r.returncode == 0, r.stderr
    said = " ".join(r.stdout.split())
    assert f"usage: fairshare {name}" in said
    assert " ".join(COMMANDS[name].description.split()) in said


def test_the_top_help_lists_every_command():
    r = run("--help")
    assert r.returncode == 0
    for name, command in COMMANDS.items():
        assert re.search(rf"^\s+{re.escape(name)}\s+{re.escape(command.summary)}", r.stdout, re.M)


def test_a_mistyped_command_is_named():
    r = run("solv", SAMPLE)
    assert r.returncode == 2 and "did you mean 'solve'" in r.stderr


def test_an_unknown_word_is_refused_rather_than_opening_the_window():
    # no file of that name, no dot and no folder in it: a command that does not exist
    r = run("frobnicate", SAMPLE)
    assert r.returncode == 2
    assert "there is no command 'frobnicate'" in r.stderr
    assert "the commands are new, import-partners, set, solve," in r.stderr
    assert r.stdout == ""


def test_scenario_names_are_quoted_so_commas_in_them_read_clearly():
    r = run("solve", SAMPLE, "--scenario", "Nope")
    assert r.returncode == 2
    assert "no scenario called 'Nope'" in r.stderr
    assert "'Needs-weighted, 30% ring-fence, 10% fee'" in r.stderr
    assert "'Needs-weighted', " in r.stderr


def test_scenario_names_match_whatever_their_capitals(tmp_path, sample_dict):
    r = run("solve", SAMPLE, "--scenario", "NEEDS-weighted", "--json")
    assert r.returncode == 0, r.stderr
    assert [s["name"] for s in json.loads(r.stdout)["scenarios"]] == ["Needs-weighted"]
    data = copy.deepcopy(sample_dict)
    twin = copy.deepcopy(data["scenarios"][1])
    twin["name"] = "NEEDS-WEIGHTED"
    data["scenarios"].append(twin)
    path = _write(tmp_path, data)
    r = run("solve", path, "--scenario", "needs-weighted")
    assert r.returncode == 2 and "give the name exactly" in r.stderr
    assert "'Needs-weighted', 'NEEDS-WEIGHTED'" in r.stderr
    r = run("solve", path, "--scenario", "NEEDS-WEIGHTED", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["scenarios"][0]["name"] == "NEEDS-WEIGHTED"


def test_export_writes_the_chosen_scenario_and_says_so(tmp_path, sample_dict):
    out = tmp_path / "budget.xlsx"
    r = run("export", SAMPLE, str(out))
    assert r.returncode == 0, r.stderr
    chosen = sample_dict["chosen"]
    assert f"scenario '{chosen}'" in r.stdout and "chosen" in r.stdout
    assert out.stat().st_size > 10000
    import openpyxl

    summary = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    text = " ".join(str(c) for row in summary.iter_rows(values_only=True) for c in row if c)
    assert chosen in text

    data = copy.deepcopy(sample_dict)
    data["chosen"] = data["scenarios"][0]["name"]
    r = run("export", _write(tmp_path, data), str(tmp_path / "other.xlsx"))
    assert r.returncode == 0 and f"scenario '{data['chosen']}'" in r.stdout

    r = run("export", SAMPLE, str(tmp_path / "named.xlsx"), "--scenario", "needs-weighted")
    assert r.returncode == 0 and "scenario 'Needs-weighted'." in r.stdout
    assert "chosen scenario" not in r.stdout


@pytest.mark.parametrize("name", ["budget.xls", "budget.csv", "budget", "budget.xlsx.txt"])
def test_export_refuses_a_name_not_ending_in_xlsx(tmp_path, name):
    out = tmp_path / name
    r = run("export", SAMPLE, str(out))
    assert r.returncode == 2 and ".xlsx" in r.stderr
    no_traceback(r)
    assert not out.exists()


def test_added_partners_is_the_result_not_a_warning(tmp_path):
    from importlib import resources

    template = str(resources.files("resources").joinpath("partners_template.csv"))
    project = tmp_path / "p.fairshare"
    r = run("new", str(project), "--budget", "500000")
    assert r.returncode == 0
    r = run("import-partners", template, str(project))
    assert r.returncode == 0, r.stderr
    assert "Added 2 partners to" in r.stdout
    assert "added" not in r.stderr.lower()


@pytest.mark.parametrize("command", ["solve", "compare", "export"])
def test_a_project_with_no_partners_or_no_scenarios_says_so(tmp_path, sample_dict, command):
    extra = [str(tmp_path / "out.xlsx")] if command == "export" else []
    data = copy.deepcopy(sample_dict)
    data["partners"] = []
    for s in data["scenarios"]:
        s["excluded"] = []
    r = run(command, _write(tmp_path, data, "empty.fairshare"), *extra)
    assert r.returncode == 2 and "has no partners" in r.stderr
    no_traceback(r)
    data = copy.deepcopy(sample_dict)
    data["scenarios"] = []
    data.pop("chosen", None)
    r = run(command, _write(tmp_path, data, "bare.fairshare"), *extra)
    assert r.returncode == 2 and "has no scenarios" in r.stderr
    no_traceback(r)
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("text", ["this is not json", "{'name': 1}", "\x00\x01\x02"])
def test_a_file_that_is_not_json_is_named(tmp_path, text):
    path = _write(tmp_path, text, "broken.fairshare")
    for command in ("solve", "compare", "set"):
        extra = ["name=x"] if command == "set" else []
        r = run(command, path, *extra)
        assert r.returncode == 2
        assert "broken.fairshare" in r.stderr, r.stderr
        no_traceback(r)


def test_blank_scores_stop_a_solve_in_words_and_json_keeps_the_path(tmp_path, sample_dict):
    data = copy.deepcopy(sample_dict)
    data["partners"][1]["multiple_disadvantage"] = None
    data["partners"][1].pop("needs_answers", None)
    path = _write(tmp_path, data)
    r = run("solve", path)
    assert r.returncode == 2
    assert "Amani Collective's multiple disadvantage" in r.stderr and "blank" in r.stderr
    assert "partners[" not in r.stderr + r.stdout
    assert r.stderr.count("Amani Collective's multiple disadvantage") == 1  # once, not per scenario
    r = run("solve", path, "--json")
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert all(s["status"] == "invalid" for s in doc["scenarios"])
    assert "partners[1].multiple_disadvantage" in r.stdout
    r = run("compare", path)
    assert r.returncode == 2 and "Amani Collective's multiple disadvantage" in r.stderr
    r = run("export", path, str(tmp_path / "b.xlsx"))
    assert r.returncode == 2 and "Amani Collective's multiple disadvantage" in r.stderr
    assert not (tmp_path / "b.xlsx").exists()


def test_a_scenario_that_cannot_be_met_reads_in_words(tmp_path, sample_dict):
    data = copy.deepcopy(sample_dict)
    data["budget"]["first_year"] = 150000.123456  # and money never to three decimals
    data["partners"][1]["floor"] = 60000.5555
    path = _write(tmp_path, data)
    r = run("solve", path, "--scenario", "Needs-weighted")
    assert r.returncode == 1
    no_traceback(r)
    said = r.stdout + r.stderr
    assert "Suggested changes" in said and "Amani Collective's floor" in said
    assert "partners[" not in said and "scenarios[" not in said
    assert "Or, instead, a grant of £" in said and "more than today" in said
    assert not THREE_DECIMAL_MONEY.search(said), THREE_DECIMAL_MONEY.search(said)
    r = run("solve", path, "--scenario", "Needs-weighted", "--json")
    s = json.loads(r.stdout)["scenarios"][0]
    assert s["relaxations"] and all("[" in x["field"] for x in s["relaxations"])
    assert s["kept_rule_in_the_way"] == []
    assert len(s["budget_alternative_per_year"]) == 3
    assert s["budget_alternative"] == sum(s["budget_alternative_per_year"])
    assert set(s["after_relaxations"]) == {"min_attainment", "by_and_for_share"}


@pytest.mark.parametrize(
    "argv",
    [
        ["set", "{missing}", "name=x"],
        ["set", SAMPLE, "--list", "--partner", "Nobody"],
        ["set", SAMPLE, "--list", "name=x"],
        ["set", "{tmp}", "name=x"],
        ["solve", "{tmp}"],
        ["new", "{tmp}/x.fairshare", "--years", "zero"],
        ["new", "{tmp}/no-such-folder/x.fairshare"],
        ["export", SAMPLE, "{tmp}/no-such-folder/b.xlsx"],
        ["import-partners", "{missing}", "{tmp}/p.fairshare"],
        ["import-partners", SAMPLE, "{tmp}/p.fairshare"],
        ["method", "--scenario", "x"],
        ["solve", SAMPLE, "--bogus"],
    ],
)
def test_bad_input_never_gives_a_traceback(tmp_path, argv):
    argv = [a.format(missing=str(tmp_path / "missing.fairshare"), tmp=str(tmp_path)) for a in argv]
    r = run(*argv)
    assert r.returncode == 2, (argv, r.stdout, r.stderr)
    assert r.stderr.strip()
    no_traceback(r)


def test_method_prints_the_same_text_as_the_method_sheet():
    from allocator.formats.files import load_project
    from allocator.report.method import method_text

    r = run("method", SAMPLE, "--scenario", "needs-weighted")
    assert r.returncode == 0, r.stderr
    project = load_project(SAMPLE)
    said = " ".join(r.stdout.split())
    for heading, paragraph in method_text(project, project.scenario("Needs-weighted")):
        assert " ".join(paragraph.split()) in said
        assert heading in said


def main_run(capsys, *argv: str) -> tuple[int, str, str]:
    """The command run in this process: its exit status, stdout and stderr."""
    from allocator.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors and --help
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["solve", "compare", "sweep", "set"])
def test_a_json_run_refused_on_reading_prints_the_error_with_field_paths(
    tmp_path, sample_dict, capsys, command
):
    data = copy.deepcopy(sample_dict)
    data["partners"][2]["capacity"] = -5
    path = _write(tmp_path, data)
    extra = {
        "sweep": ["--param", "ring_fence", "--from", "0", "--to", "50%"],
        "set": ["--list"],
    }.get(command, [])
    code, out, err = main_run(capsys, command, path, *extra, "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["file"] == path
    assert {"field": "partners[2].capacity", "message": "must be greater than 0, got -5"} in error[
        "problems"
    ]
    assert "Sahara Sisters Project's capacity: must be greater than 0" in error["message"]
    # the words still go to stderr, as without --json
    assert "Sahara Sisters Project's capacity: must be greater than 0, got -5" in err


def test_a_json_run_on_inputs_that_stop_a_solve_carries_the_error_beside_the_results(
    tmp_path, sample_dict, capsys
):
    data = copy.deepcopy(sample_dict)
    data["partners"][1]["multiple_disadvantage"] = None
    data["partners"][1].pop("needs_answers", None)
    path = _write(tmp_path, data)
    for command in ("solve", "compare"):
        code, out, err = main_run(capsys, command, path, "--json")
        assert code == 2
        doc = json.loads(out)
        assert [p["field"] for p in doc["error"]["problems"]] == [
            "partners[1].multiple_disadvantage"
        ]
        assert "Amani Collective's multiple disadvantage" in err
    code, out, _ = main_run(capsys, "solve", SAMPLE, "--json")
    assert code == 0 and "error" not in json.loads(out)


@pytest.mark.parametrize(
    "argv",
    [
        ["solve", "{missing}", "--json"],
        ["solve", SAMPLE, "--json", "--bogus"],
        ["solve", SAMPLE, "--scenario", "Nope", "--json"],
        ["sweep", SAMPLE, "--param", "ring_fence", "--from", "0", "--to", "200%", "--json"],
        ["set", SAMPLE, "--list", "--partner", "Nobody", "--json"],
    ],
)
def test_every_json_run_refused_prints_a_json_error_and_exits_2(tmp_path, capsys, argv):
    argv = [a.format(missing=str(tmp_path / "missing.fairshare")) for a in argv]
    code, out, err = main_run(capsys, *argv)
    assert code == 2
    error = json.loads(out)["error"]
    assert error["message"] and error["problems"]
    assert all(set(p) == {"field", "message"} for p in error["problems"])
    assert err.strip()


def test_without_json_a_refusal_prints_nothing_on_stdout(tmp_path, sample_dict, capsys):
    data = copy.deepcopy(sample_dict)
    data["partners"][2]["capacity"] = -5
    code, out, err = main_run(capsys, "solve", _write(tmp_path, data))
    assert code == 2 and out == "" and "Sahara Sisters Project's capacity" in err


def test_an_old_closest_rule_is_read_as_leximin_with_a_note_on_stderr(
    tmp_path, sample_dict, capsys
):
    data = copy.deepcopy(sample_dict)
    data["scenarios"][1]["rule"] = "closest"
    path = _write(tmp_path, data)
    code, out, err = main_run(capsys, "solve", path, "--scenario", "Needs-weighted", "--json")
    assert code == 0
    assert json.loads(out)["scenarios"][0]["status"] == "optimal"
    assert f"{path}: note: Scenario 'Needs-weighted' used the closest rule" in err
    assert "read with the leximin rule" in err
    code, _, err = main_run(capsys, "solve", SAMPLE)
    assert code == 0 and "note:" not in err
