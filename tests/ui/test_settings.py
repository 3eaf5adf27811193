"""Settings come back in the type their key says, or as the key's default."""

from __future__ import annotations

from PySide6.QtCore import QByteArray


def test_values_come_back_in_their_type(fresh_settings):
    s = fresh_settings
    s.set(s.AUTOSAVE_SECONDS, 90)
    s.set(s.SCORES_AS_PERCENTAGES, True)
    s.set(s.WINDOW_GEOMETRY, QByteArray(b"\x01\x02"))
    s.set_splitter_sizes("centreSplitter", [300, 500])
    assert s.get(s.AUTOSAVE_SECONDS) == 90
    assert s.get(s.SCORES_AS_PERCENTAGES) is True
    assert s.get(s.WINDOW_GEOMETRY) == QByteArray(b"\x01\x02")
    assert s.splitter_sizes("centreSplitter") == [300, 500]
    assert s.add_recent_file("/tmp/a.fairshare") == ["/tmp/a.fairshare"]


def test_a_value_of_the_wrong_type_gives_the_default(fresh_settings):
    s = fresh_settings
    s.store().setValue(s.AUTOSAVE_SECONDS.name, "soon")
    s.store().setValue(s.SPLITTERS.name, "not sizes")
    s.store().setValue(s.SHOW_BUDGET_LINES.name, "true")
    assert s.get(s.AUTOSAVE_SECONDS) == 60
    assert s.get(s.SPLITTERS) == {}
    assert s.get(s.SHOW_BUDGET_LINES) is True  # text from an INI file reads as a mark
    default = s.get(s.RECENT_FILES)
    default.append("changed")
    assert s.get(s.RECENT_FILES) == []  # the default is handed out as a copy
