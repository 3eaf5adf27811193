"""`fairshare compare`: every scenario against a baseline, as whole processes."""

from __future__ import annotations

import copy
import json

import pytest

from .test_cli import SAMPLE, _write, run

NEEDS = "Needs-weighted"
BIGGER = "Bigger slice (size-proportional)"
FEE = "Needs-weighted, 30% ring-fence, 10% fee"
MEASURE_KEYS = {
    "min_attainment",
    "max_attainment",
    "gini",
    "need_ratio",
    "by_and_for_share",
    "lead_share",
}


def strict_json(text: str) -> dict:
    """JSON as scripts read it: NaN or Infinity anywhere is an error."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


def no_traceback(r) -> None:
    assert "Traceback" not in r.stderr + r.stdout


@pytest.fixture(scope="module")
def solved() -> dict:
    """`fairshare solve --json` of the sample: the figures a comparison must agree with."""
    r = run("solve", SAMPLE, "--json")
    assert r.returncode == 0, r.stderr
    return strict_json(r.stdout)


def received(partner: dict) -> int:
    """What a partner receives over all years: its grant plus, for the lead, the fee."""
    return partner["total"] + sum(partner["lines"]["management"])


@pytest.mark.parametrize("baseline", [NEEDS, BIGGER, FEE])
def test_json_against_a_named_baseline_carries_everything(solved, baseline):
    r = run("compare", SAMPLE, "--baseline", baseline, "--json")
    assert r.returncode == 0, r.stderr
    doc = strict_json(r.stdout)
    assert doc["baseline"]["name"] == baseline and doc["baseline"]["kind"] == "scenario"
    assert [s["name"] for s in doc["scenarios"]] == [s["name"] for s in solved["scenarios"]]
    ids = [p["id"] for p in solved["scenarios"][0]["partners"]]
    assert [p["id"] for p in doc["partners"]] == ids

    base = next(s for s in solved["scenarios"] if s["name"] == baseline)
    base_received = {p["id"]: received(p) for p in base["partners"]}
    assert doc["baseline"]["received"] == [base_received[i] for i in ids]
    for s, fresh in zip(doc["scenarios"], solved["scenarios"], strict=True):
        assert s["status"] == "optimal"
        assert [p["id"] for p in s["partners"]] == ids
        for p, fp in zip(s["partners"], fresh["partners"], strict=True):
            assert p["received"] == received(fp)
            assert p["grant"] == fp["total"]
            assert p["baseline"] == base_received[p["id"]]
            assert p["change"] == received(fp) - base_received[p["id"]]
            assert p["relative_change"] == pytest.approx(p["change"] / p["baseline"])
        # the same budget everywhere: gains and losses cancel out
        assert sum(p["change"] for p in s["partners"]) == 0
        assert set(s["measures"]) >= MEASURE_KEYS
        assert set(s["measure_changes"]) >= MEASURE_KEYS
        for key in ("min_attainment", "gini", "by_and_for_share"):
            assert s["measures"][key] == pytest.approx(fresh["metrics"][key], abs=1e-12)
            want = fresh["metrics"][key] - base["metrics"][key]
            assert s["measure_changes"][key] == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("baseline", [NEEDS, FEE])
def test_a_scenario_against_itself_changes_nothing(baseline):
    r = run("compare", SAMPLE, "--baseline", baseline, "--json")
    assert r.returncode == 0, r.stderr
    own = next(s for s in strict_json(r.stdout)["scenarios"] if s["name"] == baseline)
    assert all(p["change"] == 0 for p in own["partners"])
    assert all(p["relative_change"] == 0 for p in own["partners"])
    assert all(p["baseline"] == p["received"] for p in own["partners"])
    assert all(v == 0 for v in own["measure_changes"].values() if v is not None)
    text = run("compare", SAMPLE, "--baseline", baseline).stdout
    letter = "ABCD"[[BIGGER, NEEDS, FEE].index(baseline)]
    assert f"  {letter}  {baseline}  (the baseline" in text


def test_default_baseline_is_the_size_proportional_split_of_solve(solved):
    r = run("compare", SAMPLE, "--json")
    assert r.returncode == 0, r.stderr
    doc = strict_json(r.stdout)
    assert doc["baseline"]["kind"] == "size-proportional"
    for s, fresh in zip(doc["scenarios"], solved["scenarios"], strict=True):
        for p, fp in zip(s["partners"], fresh["partners"], strict=True):
            assert p["change"] == fp["vs_size_proportional"]
    # named in any of the ways a person would write it, the same comparison
    for words in ("size-proportional", "Size proportional"):
        again = run("compare", SAMPLE, "--baseline", words, "--json")
        assert again.returncode == 0 and strict_json(again.stdout) == doc


def test_text_marks_gains_and_losses_by_sign_and_arrow():
    r = run("compare", SAMPLE, "--baseline", NEEDS, "--json")
    doc = strict_json(r.stdout)
    text = run("compare", SAMPLE, "--baseline", NEEDS)
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "\x1b[" not in out  # never colour
    for s in doc["scenarios"]:
        for p in s["partners"]:
            change, rel = p["change"], p["relative_change"]
            if change == 0:
                continue
            arrow, sign = ("▲", "+") if change > 0 else ("▼", "−")
            want = f"{arrow} {sign}£{abs(change):,} ({sign}{abs(rel) * 100:.1f}%)"
            assert want in out, want
    assert out.count("no change") >= len(doc["partners"])
    # each partner named once (one table, a column per scenario), each measure labelled
    for p in doc["partners"]:
        assert out.count(p["name"]) == 1
    for m in doc["measures"]:
        assert m["label"] in out
    assert "Settings that differ" in out and "Ring-fence for by-and-for partners" in out
    assert "(chosen for the bid)" in out


def test_size_proportional_text_states_its_definition():
    out = " ".join(run("compare", SAMPLE).stdout.split())  # as read, whatever the wrapping
    assert "against the size-proportional split of the same budget" in out
    assert "in proportion to capacity" in out and "Baseline" in out


def test_an_unknown_baseline_is_refused_quoting_every_name():
    r = run("compare", SAMPLE, "--baseline", "Needs weighted 2")
    assert r.returncode == 2 and r.stdout == ""
    assert "--baseline: no scenario called 'Needs weighted 2'" in r.stderr
    for name in (NEEDS, BIGGER, FEE, "size-proportional"):
        assert f"'{name}'" in r.stderr
    no_traceback(r)


def test_baseline_names_match_whatever_their_capitals():
    r = run("compare", SAMPLE, "--baseline", "needs-WEIGHTED", "--json")
    assert r.returncode == 0, r.stderr
    assert strict_json(r.stdout)["baseline"]["name"] == NEEDS


def test_a_scenario_that_cannot_be_met_is_carried_without_figures(tmp_path, sample_dict):
    data = copy.deepcopy(sample_dict)
    next(s for s in data["scenarios"] if s["name"] == NEEDS)["ring_fence"] = 0.6
    path = _write(tmp_path, data)
    r = run("compare", path, "--json")
    assert r.returncode == 1
    doc = strict_json(r.stdout)
    bad = next(s for s in doc["scenarios"] if s["name"] == NEEDS)
    assert bad["status"] == "infeasible" and bad["partners"] == [] and bad["message"]
    assert all(s["status"] == "optimal" for s in doc["scenarios"] if s["name"] != NEEDS)

    text = run("compare", path)
    assert text.returncode == 1
    assert "B  Needs-weighted  (cannot be met)" in text.stdout
    assert "ring-fence" in text.stdout.split("Settings that differ")[1]

    against_bad = run("compare", path, "--baseline", NEEDS)
    assert against_bad.returncode == 1
    assert "so no changes can be shown against it" in against_bad.stdout
    assert "▲" not in against_bad.stdout and "▼" not in against_bad.stdout
    doc = strict_json(run("compare", path, "--baseline", NEEDS, "--json").stdout)
    assert doc["baseline"]["status"] == "infeasible"
    assert all(p["change"] is None for s in doc["scenarios"] for p in s["partners"])
    no_traceback(against_bad)


def test_a_partner_left_out_reads_as_left_out(tmp_path, sample_dict):
    data = copy.deepcopy(sample_dict)
    next(s for s in data["scenarios"] if s["name"] == NEEDS)["excluded"] = ["amani"]
    path = _write(tmp_path, data)
    r = run("compare", path)
    assert r.returncode == 0, r.stderr
    assert "left out" in r.stdout
    assert "B leaves out 'Amani Collective'" in r.stdout
    doc = strict_json(run("compare", path, "--baseline", BIGGER, "--json").stdout)
    amani = next(p for p in doc["scenarios"][1]["partners"] if p["id"] == "amani")
    assert not amani["included"] and amani["received"] == 0
    assert amani["change"] == -amani["baseline"] and amani["relative_change"] == -1


def test_a_single_scenario_has_no_settings_table(tmp_path, sample_dict):
    data = copy.deepcopy(sample_dict)
    data["scenarios"] = [s for s in data["scenarios"] if s["name"] == NEEDS]
    data["chosen"] = NEEDS
    r = run("compare", _write(tmp_path, data))
    assert r.returncode == 0, r.stderr
    assert "Settings that differ" not in r.stdout
