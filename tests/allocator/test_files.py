"""Reading and saving project files: untrusted input is refused plainly, saves are atomic."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.domain.model import (
    BackOfficeRate,
    Budget,
    Partner,
    Project,
    Scenario,
    ValidationError,
    Weights,
    project_to_dict,
    strict_problems,
)
from allocator.domain.needs import QUESTIONS
from allocator.domain.needs import score as needs_score
from allocator.errors import SaveError
from allocator.formats import files
from allocator.formats.files import (
    MAX_BYTES,
    ProjectFileError,
    dumps_project,
    load_project,
    loads_project,
    save_project,
)

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample.fairshare"


def minimal() -> dict:
    return {
        "format": "fairshare-project",
        "version": 1,
        "name": "Test partnership",
        "currency": "GBP",
        "years": {"start": 2027, "count": 2},
        "budget": {"first_year": 100000, "annual_uplift": 0.0},
        "partners": [
            {
                "id": "a",
                "name": "Alpha",
                "capacity": 80000,
                "multiple_disadvantage": 0.5,
                "back_office_capacity": 0.5,
            },
            {
                "id": "b",
                "name": "Beta",
                "capacity": 60000,
                "multiple_disadvantage": 0.8,
                "back_office_capacity": 0.2,
            },
        ],
        "scenarios": [{"name": "Plain"}],
    }


def problems_of(excinfo: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return excinfo.value.problems


def only_message(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    problems = problems_of(excinfo)
    assert len(problems) == 1, problems
    return problems[0]


# ----------------------------------------------------------------------------------
# Reading good files
# ----------------------------------------------------------------------------------


def test_sample_round_trips():
    project = load_project(SAMPLE)
    assert len(project.partners) == 7
    text = dumps_project(project)
    assert text.endswith("}\n")
    again = loads_project(text)
    assert again == project
    assert dumps_project(again) == text


def test_dump_is_readable_json_of_current_version():
    text = dumps_project(load_project(SAMPLE))
    data = json.loads(text)
    assert data["format"] == "fairshare-project"
    assert data["version"] == files.VERSION
    assert text.startswith('{\n  "format"')


def test_dump_keeps_non_ascii_text_readable():
    data = minimal()
    data["partners"][0]["name"] = "Femmes Solidarité – Żaneta 🌍"
    text = dumps_project(loads_project(json.dumps(data)))
    assert "Femmes Solidarité – Żaneta 🌍" in text


def test_bytes_with_and_without_bom_load():
    raw = SAMPLE.read_bytes()
    expected = loads_project(raw)
    assert loads_project(b"\xef\xbb\xbf" + raw) == expected
    assert loads_project("\ufeff" + raw.decode("utf-8")) == expected


def test_bom_file_loads_from_disk(tmp_path):
    path = tmp_path / "bom.fairshare"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert load_project(path) == load_project(SAMPLE)


def test_brackets_inside_text_do_not_count_as_nesting():
    data = minimal()
    data["partners"][0]["notes"] = '[{"' * 300 + '\\ ]]] " [[['
    project = loads_project(json.dumps(data))
    assert project.partners[0].notes == data["partners"][0]["notes"]


def test_nesting_up_to_the_limit_is_parsed():
    data = minimal()
    data["extra"] = json.loads("[" * (files.MAX_DEPTH - 1) + "]" * (files.MAX_DEPTH - 1))
    with pytest.raises(ValidationError) as excinfo:
        loads_project(json.dumps(data))
    # Parsed fine; only the model objects to the unknown field.
    assert not isinstance(excinfo.value, ProjectFileError)
    assert excinfo.value.problems[0][0] == "extra"


# ----------------------------------------------------------------------------------
# Refusing bad files
# ----------------------------------------------------------------------------------


def test_not_utf8():
    raw = json.dumps(minimal()).replace("Alpha", "Caf\u00e9").encode("latin-1")
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(raw)
    path, message = only_message(excinfo)
    assert path == ""
    assert "not UTF-8 text" in message


def test_utf16_file_is_not_utf8():
    raw = json.dumps(minimal()).encode("utf-16")
    with pytest.raises(ProjectFileError, match="not UTF-8 text"):
        loads_project(raw)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_naming_the_field(constant):
    text = json.dumps(minimal()).replace('"capacity": 80000', f'"capacity": {constant}')
    assert constant in text
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    path, message = only_message(excinfo)
    assert path == "partners[0].capacity"
    assert message == f"is {constant}, which is not a number: enter an ordinary number"


def test_every_nan_is_named():
    data = minimal()
    data["scenarios"][0]["weights"] = {"multiple_disadvantage": 1}
    text = (
        json.dumps(data)
        .replace('"capacity": 60000', '"capacity": NaN')
        .replace('"multiple_disadvantage": 1}', '"multiple_disadvantage": Infinity}')
    )
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    assert [p for p, _ in problems_of(excinfo)] == [
        "partners[1].capacity",
        "scenarios[0].weights.multiple_disadvantage",
    ]


def test_number_too_large_for_a_float_is_refused():
    text = json.dumps(minimal()).replace('"capacity": 80000', '"capacity": 1e400')
    with pytest.raises(ProjectFileError, match="too large") as excinfo:
        loads_project(text)
    assert only_message(excinfo)[0] == "partners[0].capacity"


def test_integer_with_thousands_of_digits_is_refused():
    text = json.dumps(minimal()).replace('"capacity": 80000', '"capacity": ' + "9" * 5000)
    with pytest.raises(ProjectFileError, match="too large") as excinfo:
        loads_project(text)
    assert only_message(excinfo)[0] == "partners[0].capacity"


def test_huge_integer_that_fits_a_float_is_left_to_the_field_checks():
    text = json.dumps(minimal()).replace('"capacity": 80000', '"capacity": ' + "9" * 300)
    project = loads_project(text)
    assert project.partners[0].capacity == float("9" * 300)


def test_duplicate_top_level_key():
    text = '{"format": "fairshare-project", "version": 1, "name": "A", "name": "B"}'
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    path, message = only_message(excinfo)
    assert path == "name"
    assert "more than once" in message


def test_duplicate_key_inside_a_partner_names_its_path():
    text = json.dumps(minimal()).replace('"capacity": 60000', '"capacity": 60000, "capacity": 1')
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    assert problems_of(excinfo) == [
        ("partners[1].capacity", "is given more than once; each field may appear only once")
    ]
    assert "partners[1].capacity" in str(excinfo.value)


@pytest.mark.parametrize("opening", ["[", '{"a": ', '[{"a": '])
def test_deep_nesting_is_refused_cleanly(opening):
    text = opening * 10000
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    path, message = only_message(excinfo)
    assert "nested more than 64 levels" in message


def test_deep_nesting_of_complete_json_is_refused_cleanly():
    text = "[" * 10000 + "]" * 10000
    with pytest.raises(ProjectFileError, match="nested more than 64 levels"):
        loads_project(text)


def test_one_level_too_deep():
    data = minimal()
    data["extra"] = json.loads("[" * files.MAX_DEPTH + "]" * files.MAX_DEPTH)
    with pytest.raises(ProjectFileError, match="nested more than 64 levels"):
        loads_project(json.dumps(data))


def test_recursion_in_the_parser_is_reported_not_raised(monkeypatch):
    monkeypatch.setattr(files, "_too_deep", lambda text: False)
    with pytest.raises(ProjectFileError, match="nested more than 64 levels"):
        loads_project("[" * 100000 + "]" * 100000)


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("hello", 1, 1),
        ('{"format": "fairshare-project",\n  "version": 1,\n  "name": }', 3, 11),
        ('{"format": "fairshare-project", "version": 1', 1, 45),
        ('{"name": "unterminated', 1, 10),
    ],
)
def test_not_json_gives_line_and_column(text, line, column):
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    assert only_message(excinfo) == (
        "",
        f"not a FairShare project: the file is not valid JSON (line {line}, column {column})",
    )


def test_empty_file(tmp_path):
    path = tmp_path / "empty.fairshare"
    path.write_bytes(b"")
    with pytest.raises(ProjectFileError, match="the file is empty"):
        load_project(path)


def test_file_over_20_mb_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.fairshare"
    with open(path, "wb") as f:
        f.truncate(21 * 1024 * 1024)

    def no_parsing(*args, **kwargs):
        raise AssertionError("a file this large must not be parsed")

    monkeypatch.setattr(files.json, "loads", no_parsing)
    with pytest.raises(ProjectFileError) as excinfo:
        load_project(path)
    path_, message = only_message(excinfo)
    assert "absurd size" in message
    assert "20 MB" in message


def test_text_over_20_mb_is_refused():
    with pytest.raises(ProjectFileError, match="absurd size"):
        loads_project(b" " * (MAX_BYTES + 1))
    with pytest.raises(ProjectFileError, match="absurd size"):
        loads_project(" " * (MAX_BYTES + 1))


def test_future_version_is_refused():
    data = minimal()
    data["version"] = 7
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(json.dumps(data))
    assert only_message(excinfo) == (
        "version",
        "this project was saved by a newer FairShare (format version 7); this version "
        "reads up to 1. Update FairShare to open it.",
    )


@pytest.mark.parametrize("version", ["1", 1.0, None, True, [1]])
def test_version_must_be_a_whole_number(version):
    data = minimal()
    data["version"] = version
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(json.dumps(data))
    path, message = only_message(excinfo)
    assert path == "version"
    assert "whole number" in message


def test_missing_version():
    data = minimal()
    del data["version"]
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(json.dumps(data))
    assert only_message(excinfo)[0] == "version"


def test_missing_format():
    data = minimal()
    del data["format"]
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(json.dumps(data))
    path, message = only_message(excinfo)
    assert path == "format"
    assert message.startswith("not a FairShare project")


def test_other_format():
    data = minimal()
    data["format"] = "spreadsheet"
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(json.dumps(data))
    path, message = only_message(excinfo)
    assert path == "format"
    assert "'spreadsheet'" in message


@pytest.mark.parametrize("text, what", [("[1, 2]", "a list"), ('"x"', "'x'"), ("3", "3")])
def test_not_an_object(text, what):
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    path, message = only_message(excinfo)
    assert path == ""
    assert message == f"not a FairShare project: the file holds {what}, not a project object"


def test_unpaired_surrogate_escape_is_refused():
    text = json.dumps(minimal()).replace('"Alpha"', '"Al\\ud800pha"')
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    assert only_message(excinfo)[0] == "partners[0].name"


def test_unpaired_surrogate_in_given_text_is_refused():
    text = json.dumps(minimal(), ensure_ascii=False).replace('"Beta"', '"Be\udc80ta"')
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(text)
    assert only_message(excinfo)[0] == "partners[1].name"


def test_paired_surrogate_escape_is_fine():
    text = json.dumps(minimal()).replace('"Alpha"', '"Alpha \\ud83c\\udf0d"')
    assert loads_project(text).partners[0].name == "Alpha \U0001f30d"


def test_wrong_types_in_partners_give_field_paths():
    data = minimal()
    data["partners"][0]["capacity"] = "lots"
    data["partners"][1]["lead"] = "yes"
    with pytest.raises(ValidationError) as excinfo:
        loads_project(json.dumps(data))
    paths = [p for p, _ in problems_of(excinfo)]
    assert "partners[0].capacity" in paths
    assert "partners[1].lead" in paths
    assert "partners[0].capacity: must be a number" in str(excinfo.value)


def test_a_file_that_is_not_json_names_the_file(tmp_path):
    path = tmp_path / "notes.fairshare"
    path.write_text("Budget notes for the bid\n", encoding="utf-8")
    with pytest.raises(ProjectFileError) as excinfo:
        load_project(path)
    assert excinfo.value.file == str(path)
    _, message = only_message(excinfo)
    assert message == (
        f"{path} is not a FairShare project: the file is not valid JSON (line 1, column 1)"
    )
    assert str(path) in str(excinfo.value)


def test_field_problems_in_a_file_carry_the_file(tmp_path):
    data = minimal()
    data["partners"][0]["capacity"] = -5
    path = tmp_path / "bad.fairshare"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectFileError) as excinfo:
        load_project(path)
    assert excinfo.value.file == str(path)
    assert only_message(excinfo) == ("partners[0].capacity", "must be greater than 0, got -5")


def test_closest_rule_is_read_as_leximin_with_a_note(tmp_path):
    data = minimal()
    data["scenarios"] = [{"name": "Old", "rule": "closest"}, {"name": "Other", "rule": "leximin"}]
    path = tmp_path / "old.fairshare"
    path.write_text(json.dumps(data), encoding="utf-8")
    project, notes = files.load_project_with_notes(path)
    assert len(notes) == 1 and "'Old'" in notes[0] and "leximin" in notes[0]
    assert load_project(path) == project
    assert '"rule"' not in dumps_project(project)
    assert files.load_project_with_notes(SAMPLE)[1] == []


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.fairshare"
    with pytest.raises(ProjectFileError) as excinfo:
        load_project(path)
    path_, message = only_message(excinfo)
    assert str(path) in message
    assert "no such file" in message


def test_folder_is_not_a_project(tmp_path):
    with pytest.raises(ProjectFileError, match="it is a folder"):
        load_project(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.fairshare"
    path.write_bytes(SAMPLE.read_bytes())
    path.chmod(0)
    try:
        with pytest.raises(ProjectFileError, match="permission denied"):
            load_project(path)
    finally:
        path.chmod(0o600)


def test_permission_denied_on_reading(tmp_path, monkeypatch):
    path = tmp_path / "secret.fairshare"
    path.write_bytes(SAMPLE.read_bytes())
    real_open = open

    def refusing_open(file, mode="r", *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing_open)
    with pytest.raises(ProjectFileError) as excinfo:
        load_project(path)
    _, message = only_message(excinfo)
    assert str(path) in message
    assert "permission denied" in message


def test_file_errors_are_validation_errors():
    assert issubclass(ProjectFileError, ValidationError)


# ----------------------------------------------------------------------------------
# Migrations
# ----------------------------------------------------------------------------------


def test_older_version_is_migrated(monkeypatch):
    calls = []

    def from_0(data: dict) -> dict:
        calls.append(data["version"])
        data = dict(data)
        data["name"] = data.pop("title")
        data["version"] = 1
        return data

    monkeypatch.setattr(files, "MIGRATIONS", {0: from_0})
    old = minimal()
    old["version"] = 0
    old["title"] = old.pop("name")
    project = loads_project(json.dumps(old))
    assert calls == [0]
    assert project.name == "Test partnership"
    assert json.loads(dumps_project(project))["version"] == 1


def test_migrations_run_in_order_up_to_the_current_version(monkeypatch):
    calls = []

    def step(v):
        def migrate(data):
            calls.append(v)
            assert data["version"] == v
            return data

        return migrate

    monkeypatch.setattr(files, "VERSION", 3)
    monkeypatch.setattr(files, "MIGRATIONS", {0: step(0), 1: step(1), 2: step(2)})
    data = minimal()
    data["version"] = 1
    loads_project(json.dumps(data))
    assert calls == [1, 2]


def test_current_version_runs_no_migration(monkeypatch):
    def boom(data):
        raise AssertionError("must not run")

    monkeypatch.setattr(files, "MIGRATIONS", {0: boom, 1: boom})
    loads_project(json.dumps(minimal()))


def test_version_too_old_without_migration():
    data = minimal()
    data["version"] = 0
    with pytest.raises(ProjectFileError) as excinfo:
        loads_project(json.dumps(data))
    path, message = only_message(excinfo)
    assert path == "version"
    assert "too old" in message


def test_failing_migration_is_reported(monkeypatch):
    def broken(data):
        return data["no such key"]

    monkeypatch.setattr(files, "MIGRATIONS", {0: broken})
    data = minimal()
    data["version"] = 0
    with pytest.raises(ProjectFileError, match="could not upgrade this project"):
        loads_project(json.dumps(data))


# ----------------------------------------------------------------------------------
# Saving
# ----------------------------------------------------------------------------------


def test_save_then_load(tmp_path):
    project = load_project(SAMPLE)
    path = tmp_path / "out.fairshare"
    save_project(project, path)
    assert load_project(path) == project
    assert path.read_text(encoding="utf-8") == dumps_project(project)
    assert sorted(os.listdir(tmp_path)) == ["out.fairshare"]


def test_second_save_keeps_previous_as_bak(tmp_path):
    first = load_project(SAMPLE)
    second = first.with_partner(0, name="Renamed lead")
    path = tmp_path / "out.fairshare"
    save_project(first, path)
    first_bytes = path.read_bytes()
    save_project(second, path)
    bak = tmp_path / "out.fairshare.bak"
    assert bak.read_bytes() == first_bytes
    assert load_project(path) == second
    assert sorted(os.listdir(tmp_path)) == ["out.fairshare", "out.fairshare.bak"]


def test_failed_replace_leaves_old_file_and_no_temporaries(tmp_path, monkeypatch):
    path = tmp_path / "out.fairshare"
    old = b"previous content, not even JSON\n"
    path.write_bytes(old)

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(SaveError) as excinfo:
        save_project(load_project(SAMPLE), path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["out.fairshare"]
    assert not isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, OSError)
    assert excinfo.value.file == str(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert "disk is full" in message


def test_failed_final_replace_leaves_old_file(tmp_path, monkeypatch):
    path = tmp_path / "out.fairshare"
    old = b"previous\n"
    path.write_bytes(old)
    real_replace = os.replace

    def failing_replace(src, dst):
        if os.fspath(dst) == os.fspath(path):
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(SaveError, match="permission denied"):
        save_project(load_project(SAMPLE), path)
    assert path.read_bytes() == old
    leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert leftovers == []


def test_failed_fsync_leaves_no_temporaries(tmp_path, monkeypatch):
    path = tmp_path / "out.fairshare"
    monkeypatch.setattr(files.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O")))
    with pytest.raises(SaveError):
        save_project(load_project(SAMPLE), path)
    assert os.listdir(tmp_path) == []


def test_interrupted_save_leaves_no_temporaries(tmp_path, monkeypatch):
    path = tmp_path / "out.fairshare"
    path.write_bytes(b"old\n")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_project(load_project(SAMPLE), path)
    assert path.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["out.fairshare"]


def test_save_into_unwritable_folder_is_a_save_error(tmp_path, monkeypatch):
    path = tmp_path / "out.fairshare"
    path.write_bytes(b"old\n")

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", os.fspath(tmp_path))

    monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", refused)
    with pytest.raises(SaveError) as excinfo:
        save_project(load_project(SAMPLE), path)
    assert "permission denied" in str(excinfo.value)
    assert path.read_bytes() == b"old\n"


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind this user"
)
def test_save_into_read_only_folder(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "out.fairshare"
    path.write_bytes(b"old\n")
    folder.chmod(0o500)
    try:
        with pytest.raises(SaveError, match="permission denied"):
            save_project(load_project(SAMPLE), path)
        assert path.read_bytes() == b"old\n"
        assert os.listdir(folder) == ["out.fairshare"]
    finally:
        folder.chmod(0o700)


def test_save_into_missing_folder(tmp_path):
    path = tmp_path / "no" / "such" / "out.fairshare"
    with pytest.raises(SaveError, match="does not exist"):
        save_project(load_project(SAMPLE), path)


def test_save_over_a_folder_is_refused(tmp_path):
    folder = tmp_path / "taken.fairshare"
    folder.mkdir()
    with pytest.raises(SaveError, match="it is a folder"):
        save_project(load_project(SAMPLE), folder)
    assert os.listdir(tmp_path) == ["taken.fairshare"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_save_keeps_the_file_mode(tmp_path):
    path = tmp_path / "out.fairshare"
    path.write_bytes(b"old\n")
    path.chmod(0o640)
    save_project(load_project(SAMPLE), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_save_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.fairshare"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.fairshare"
    link.symlink_to(real)
    project = load_project(SAMPLE)
    save_project(project, link)
    assert link.is_symlink()
    assert load_project(real) == project
    assert (tmp_path / "real.fairshare.bak").read_bytes() == b"old\n"


def test_unsaveable_value_is_refused_naming_the_field(tmp_path):
    project = load_project(SAMPLE).with_partner(2, capacity=float("nan"))
    path = tmp_path / "out.fairshare"
    with pytest.raises(ValidationError) as excinfo:
        save_project(project, path)
    assert not isinstance(excinfo.value, SaveError)
    assert [p for p, _ in problems_of(excinfo)] == ["partners[2].capacity"]
    assert os.listdir(tmp_path) == []


def test_save_refuses_only_what_opening_would_refuse(tmp_path):
    project = load_project(SAMPLE)
    unfinished = project.with_partner(1, floor=10**7, multiple_disadvantage=None)
    path = tmp_path / "out.fairshare"
    save_project(unfinished, path)
    assert load_project(path) == unfinished
    with pytest.raises(ValidationError) as excinfo:
        save_project(project.with_partner(1, capacity=-1), path)
    assert [p for p, _ in problems_of(excinfo)] == ["partners[1].capacity"]
    assert load_project(path) == unfinished


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_saving_never_touches_the_process_umask(tmp_path, monkeypatch):
    from allocator.formats import atomic

    def no_umask(mask):
        raise AssertionError("the umask is read once, not set per save")

    monkeypatch.setattr(os, "umask", no_umask)
    path = tmp_path / "new.fairshare"
    save_project(load_project(SAMPLE), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~atomic.current_umask()


def test_no_stray_files_in_the_system_temp_folder(tmp_path, monkeypatch):
    # Temporary files go next to the target (so the final rename stays on one disk).
    seen = []
    real = tempfile.NamedTemporaryFile

    def recording(*args, **kwargs):
        seen.append(kwargs.get("dir"))
        return real(*args, **kwargs)

    monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", recording)
    path = tmp_path / "out.fairshare"
    save_project(load_project(SAMPLE), path)
    save_project(load_project(SAMPLE), path)
    assert seen and all(Path(d) == tmp_path for d in seen)


# ----------------------------------------------------------------------------------
# Round trip over generated projects
# ----------------------------------------------------------------------------------


def unit():
    return st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)


def amount():
    return st.floats(
        min_value=0, max_value=1e9, exclude_min=True, allow_nan=False, allow_infinity=False
    )


names = st.text(min_size=1, max_size=20).filter(lambda s: s.strip())


@st.composite
def projects(draw) -> Project:
    """Projects the reader accepts, cross-field states included (blank scores and
    capacities, floors above capacities, any leads, reach missing under the reach basis)."""
    n = draw(st.integers(0, 6))
    partners = []
    for i in range(n):
        capacity = draw(st.none() | amount())
        answers = draw(
            st.lists(st.sampled_from(QUESTIONS), unique=True, max_size=4).flatmap(
                lambda qs: st.tuples(*[st.sampled_from(q.options) for q in qs]).map(
                    lambda opts, qs=qs: {q.id: o.id for q, o in zip(qs, opts, strict=True)}
                )
            )
        )
        scores = needs_score(answers) if answers else None
        sources = {}
        values = {}
        for key in ("multiple_disadvantage", "back_office_capacity"):
            source = draw(st.sampled_from(["typed", "questionnaire"]))
            sources[key] = source
            if source == "questionnaire":
                values[key] = scores.group_score(key) if scores else None
            else:
                values[key] = draw(st.none() | unit())
        partners.append(
            Partner(
                id=f"p{i}",
                name=draw(names),
                capacity=capacity,
                floor=draw(st.floats(0, 2e9, allow_nan=False)),
                reach=draw(st.none() | amount()),
                by_and_for=draw(st.booleans()),
                lead=draw(st.booleans()),
                notes=draw(st.text(max_size=40)),
                needs_answers=answers,
                score_source=sources,
                **values,
            )
        )
    ids = [p.id for p in partners]
    scenarios = []
    for j in range(draw(st.integers(0, 3))):
        excluded = draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
        scenarios.append(
            Scenario(
                name=f"S{j} " + draw(st.text(max_size=10)),
                basis=draw(st.sampled_from(["equal", "capacity", "reach"])),
                weights=Weights(
                    draw(st.floats(0, 10, allow_nan=False)), draw(st.floats(0, 10, allow_nan=False))
                ),
                core_share=draw(unit()),
                management_fee=draw(st.floats(0, 0.25)),
                ring_fence=draw(unit()),
                needs_floor=draw(unit()),
                spread_limit=draw(st.none() | st.floats(1, 100)),
                lead_cap=draw(st.none() | unit()),
                back_office_rate=BackOfficeRate(draw(unit()), draw(unit())),
                unrestricted_share=draw(unit()),
                excluded=tuple(excluded),
            )
        )
    count = draw(st.integers(1, 10))
    if draw(st.booleans()):
        budget = Budget(
            per_year=tuple(draw(st.lists(st.none() | amount(), min_size=count, max_size=count)))
        )
    else:
        budget = Budget(
            first_year=draw(st.none() | amount()), annual_uplift=draw(st.floats(-0.5, 1))
        )
    chosen = draw(st.none() | st.sampled_from([s.name for s in scenarios])) if scenarios else None
    return Project(
        name=draw(names),
        currency=draw(st.sampled_from(["GBP", "EUR", "USD", "CHF"])),
        start_year=draw(st.integers(1900, 2200)),
        year_count=count,
        budget=budget,
        partners=tuple(partners),
        scenarios=tuple(scenarios),
        chosen=chosen,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_generated_projects_round_trip(project):
    assert strict_problems(project) == []
    text = dumps_project(project)
    assert loads_project(text) == project
    assert loads_project(text.encode("utf-8")) == project
    assert json.loads(text) == project_to_dict(project)
