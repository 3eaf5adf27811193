"""The choice of scenario on record: kept in the project file, listed newest first, marked
when the scenario changed afterwards, and shown in the exported workbook."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest

from allocator.cli import main
from allocator.domain.edits import set_field
from allocator.engine.solve import solve
from allocator.errors import ProjectFileError, ValidationError
from allocator.formats.files import dumps_project, load_project, loads_project, save_project
from allocator.report.choice import (
    CHANGED,
    GONE,
    choice_words,
    decision_history,
    record_choice,
    scenario_fingerprint,
)

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"
DAY = datetime.date(2026, 12, 3)


@pytest.fixture
def project():
    return load_project(SAMPLE)


def test_record_choice_sets_chosen_and_keeps_the_figures(project):
    name = project.scenarios[1].name
    chosen = record_choice(project, name, "  Meets the ring-fence ", "the partnership board", DAY)
    assert chosen.chosen == name
    (d,) = chosen.decisions
    assert (d.date, d.scenario, d.reason, d.agreed_by) == (
        "2026-12-03",
        name,
        "Meets the ring-fence",
        "the partnership board",
    )
    (result,) = solve(project, [name])
    assert d.figures == {p.id: p.received for p in result.partners}
    assert d.measures["min_attainment"] == pytest.approx(result.metrics.min_attainment, abs=1e-6)
    assert d.fingerprint == scenario_fingerprint(project, name)


def test_a_blank_reason_or_unknown_scenario_is_refused(project):
    with pytest.raises(ValidationError) as e:
        record_choice(project, project.scenarios[0].name, "   ", "", DAY)
    assert e.value.problems[0].path == "reason"
    with pytest.raises(ValidationError):
        record_choice(project, "No such scenario", "why", "", DAY)


def test_history_is_newest_first_and_marks_changed_scenarios(project):
    first, second = project.scenarios[0].name, project.scenarios[1].name
    p = record_choice(project, first, "first look", "", DAY)
    p = record_choice(p, second, "agreed", "the board", DAY + datetime.timedelta(days=7))
    history = decision_history(p)
    assert [e.decision.reason for e in history] == ["agreed", "first look"]
    assert not any(e.changed for e in history) and history[0].latest

    j = p.scenario_index(second)
    changed = set_field(p, f"scenarios[{j}].ring_fence", 0.35)
    history = decision_history(changed)
    assert history[0].changed and history[0].note == CHANGED
    assert not history[1].changed  # the other scenario did not change

    # a partner's figure changes every scenario's split
    moved = set_field(p, "partners[1].capacity", 999_999)
    assert all(e.changed for e in decision_history(moved))
    # a partner's notes do not
    noted = set_field(p, "partners[1].notes", "met on Tuesday")
    assert not any(e.changed for e in decision_history(noted))


def test_history_marks_a_scenario_no_longer_there(project):
    from allocator.domain.edits import remove_scenario

    p = record_choice(project, project.scenarios[0].name, "why", "", DAY)
    gone = remove_scenario(p, 0)
    (entry,) = decision_history(gone)
    assert entry.changed and entry.note == GONE


def test_decisions_survive_save_and_load(project, tmp_path):
    p = record_choice(project, project.scenarios[0].name, "reason one", "board", DAY)
    path = tmp_path / "p.fairshare"
    save_project(p, path)
    back = load_project(path)
    assert back.decisions == p.decisions and back.chosen == p.chosen
    assert json.loads(path.read_text("utf-8"))["decisions"][0]["reason"] == "reason one"


def test_a_file_without_decisions_still_loads(project):
    data = json.loads(SAMPLE.read_text("utf-8"))
    assert "decisions" not in data
    assert loads_project(json.dumps(data)).decisions == ()
    assert "decisions" not in json.loads(dumps_project(project))


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        ({"date": "3 Dec", "scenario": "Needs-weighted", "reason": "x"}, "decisions[0].date"),
        ({"date": "2026-12-03", "scenario": "Needs-weighted", "reason": ""}, "decisions[0].reason"),
        ({"date": "2026-12-03", "scenario": 3, "reason": "x"}, "decisions[0].scenario"),
        (
            {"date": "2026-12-03", "scenario": "S", "reason": "x", "figures": {"a": -1}},
            "decisions[0].figures.a",
        ),
        (
            {"date": "2026-12-03", "scenario": "S", "reason": "x", "colour": 1},
            "decisions[0].colour",
        ),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field(entry, path):
    data = json.loads(SAMPLE.read_text("utf-8"))
    data["decisions"] = [entry]
    with pytest.raises(ProjectFileError) as e:
        loads_project(json.dumps(data), file="p.fairshare")
    assert path in [p.path for p in e.value.problems]


def test_choice_words_for_the_summary(project):
    name = project.scenarios[0].name
    assert "never recorded as chosen" in choice_words(project, name)
    p = record_choice(project, name, "fairest for the smallest", "the partnership board", DAY)
    assert choice_words(p, name) == (
        "Chosen on 3 December 2026 by the partnership board: fairest for the smallest"
    )


def test_choose_then_export_and_list(tmp_path, capsys, monkeypatch):
    import allocator.cli as cli

    monkeypatch.setattr(cli, "time_today", lambda: DAY)
    path = tmp_path / "p.fairshare"
    path.write_bytes(SAMPLE.read_bytes())
    reason = "It meets the by-and-for ring-fence"
    assert (
        main(["choose", str(path), "needs-weighted", "--reason", reason, "--by", "the board"]) == 0
    )
    assert "3 December 2026" in capsys.readouterr().out

    out = tmp_path / "bid.xlsx"
    assert main(["export", str(path), str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert "Decisions" in wb.sheetnames
    texts = [c.value for row in wb["Decisions"].iter_rows() for c in row if c.value]
    assert reason in texts and "the board" in texts
    summary = wb["Summary"]
    assert summary.cell(4, 1).value == "Choice"
    assert summary.cell(4, 2).value == f"Chosen on 3 December 2026 by the board: {reason}"

    capsys.readouterr()
    assert main(["decisions", str(path), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["reason"] == reason and entry["changed_since"] is False
    assert entry["scenario"] == "Needs-weighted" and entry["date"] == "2026-12-03"

    assert main(["set", str(path), "--scenario", "needs-weighted", "ring_fence=35%"]) == 0
    capsys.readouterr()
    assert main(["decisions", str(path)]) == 0
    assert CHANGED in capsys.readouterr().out


def test_no_decisions_sheet_without_a_recorded_choice(tmp_path):
    out = tmp_path / "bid.xlsx"
    assert main(["export", str(SAMPLE), str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert "Decisions" not in wb.sheetnames
    assert "never recorded as chosen" in wb["Summary"].cell(4, 2).value


def test_choose_refuses_a_blank_reason_and_leaves_the_file(tmp_path):
    path = tmp_path / "p.fairshare"
    path.write_bytes(SAMPLE.read_bytes())
    before = path.read_bytes()
    assert main(["choose", str(path), "needs-weighted", "--reason", " "]) == 2
    assert path.read_bytes() == before
