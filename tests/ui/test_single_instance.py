"""A project opened while FairShare runs opens in the running window, not a second copy.

Both ends live in this process: the listening ``SingleInstance`` and a ``hand_over``
from what would be the second launch, on a server name of the test's own.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import uuid
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtWidgets import QMessageBox

from ui.single_instance import SingleInstance, hand_over, server_name


@pytest.fixture
def name() -> str:
    return f"fairshare-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def listening(name, qtbot):
    instance = SingleInstance(name)
    assert instance.listen()
    yield instance
    instance.close()
    instance.deleteLater()


def test_nobody_listening_means_this_launch_opens_the_window(name):
    assert hand_over("anything.fairshare", name) is False


def test_the_running_instance_receives_the_absolute_path(listening, qtbot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with qtbot.waitSignal(listening.pathReceived, timeout=5000) as got:
        assert hand_over("project one.fairshare", listening.name) is True
    assert got.args == [str(tmp_path / "project one.fairshare")]


def test_a_launch_without_a_path_sends_an_empty_line(listening, qtbot):
    with qtbot.waitSignal(listening.pathReceived, timeout=5000) as got:
        assert hand_over("", listening.name) is True
    assert got.args == [""]


def test_two_launches_one_after_the_other_each_arrive(listening, qtbot, tmp_path):
    for n in (1, 2):
        path = str(tmp_path / f"p{n}.fairshare")
        with qtbot.waitSignal(listening.pathReceived, timeout=5000) as got:
            assert hand_over(path, listening.name)
        assert got.args == [path]


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave nothing behind")
def test_a_name_left_by_a_crashed_instance_is_cleaned_up(name, qtbot, tmp_path):
    stale = os.path.join(QDir.tempPath(), name)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(stale)  # a socket file nobody listens on: what a crash leaves
    dead.close()
    assert os.path.exists(stale)
    assert hand_over(str(tmp_path / "x.fairshare"), name) is False
    instance = SingleInstance(name)
    try:
        assert instance.listen()
        with qtbot.waitSignal(instance.pathReceived, timeout=5000):
            assert hand_over(str(tmp_path / "x.fairshare"), name)
    finally:
        instance.close()
        instance.deleteLater()


def test_the_server_name_is_short_and_per_settings_folder():
    first = server_name()
    assert first == server_name()
    assert first.startswith("fairshare-") and len(first) <= 24


def _other_project(tmp_path: Path) -> Path:
    from allocator.formats.files import loads_project, save_project

    sample = loads_project(resources.files("resources").joinpath("sample.fairshare").read_bytes())
    project = dataclasses.replace(sample, name="Handed over")
    path = tmp_path / "other" / "handed.fairshare"
    path.parent.mkdir()
    save_project(project, str(path))
    return path


def test_the_window_opens_what_a_later_launch_sends(window, name, qtbot, tmp_path, no_dialogs):
    instance = SingleInstance(name, window)
    assert instance.listen()
    instance.serve(window, window.files.open_file)
    other = _other_project(tmp_path)
    assert hand_over(str(other), name)
    qtbot.waitUntil(lambda: window.document.path == str(other), timeout=5000)
    assert window.document.project.name == "Handed over"
    instance.close()


def test_unsaved_changes_are_asked_about_first(window, name, qtbot, tmp_path, monkeypatch):
    asked = []

    def cancel(*args, **kwargs):
        asked.append(args[1:3])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", staticmethod(cancel))
    instance = SingleInstance(name, window)
    assert instance.listen()
    instance.serve(window, window.files.open_file)
    before = window.document.path
    changed = dataclasses.replace(window.document.project, name="Changed here")
    window.document.edit(changed, "a change")
    assert window.document.is_modified()
    with qtbot.waitSignal(instance.pathReceived, timeout=5000):
        assert hand_over(str(_other_project(tmp_path)), name)
    assert asked, "the unsaved-changes question was not asked"
    assert window.document.path == before
    instance.close()
