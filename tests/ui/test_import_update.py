"""The import preview with partners already in the project: update, add as new or skip,
row by row, with every problem at once; nothing changes until OK, then one undo step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox

from allocator.domain import fields
from ui.dialogs.import_dialog import FIRST_FIELD, ImportDialog

HEADER = "Name,Capacity,Floor,Multiple disadvantage,Back-office capacity,Notes\n"


def _column(key: str) -> int:
    return FIRST_FIELD + [s.key for s in fields.PARTNER_COLUMNS].index(key)


def _table(tmp_path: Path, body: str) -> str:
    path = tmp_path / "partners.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_a_partner_already_there_is_updated_showing_old_and_new(document, qtbot, tmp_path):
    before = document.project
    amani = before.partners[1]
    path = _table(
        tmp_path,
        f"{amani.name.upper()},{int(amani.capacity or 0) + 5000},,,,\nEastside Refuge,50000,0,0.6,0.4,\n",
    )
    dialog = ImportDialog(document, path)
    qtbot.addWidget(dialog)
    assert dialog.row_actions() == [(2, "update"), (3, "add")]
    assert dialog.okButton.isEnabled() and dialog.okButton.text() == "Add 1 and update 1"
    cell = dialog.partnersTable.item(0, _column("capacity")).text()
    old, new = f"{int(amani.capacity or 0):,}", f"{int(amani.capacity or 0) + 5000:,}"
    assert cell == f"{old} → {new}"
    assert dialog.partnersTable.item(0, _column("name")).text() == amani.name
    # a blank cell leaves the value as it is, and says so by showing it unchanged
    floor = fields.format_value(fields.spec_for("partners[].floor"), amani.floor)
    assert dialog.partnersTable.item(0, _column("floor")).text() == floor
    assert dialog.partnersTable.item(0, 2).text() == "1 field"
    box = dialog.partnersTable.cellWidget(0, 1)
    assert isinstance(box, QComboBox)
    assert [box.itemText(i) for i in range(box.count())] == ["Update", "Add as new", "Skip"]
    assert document.project is before  # nothing until OK
    dialog.accept()
    after = document.project
    assert after.partners[1].capacity == (amani.capacity or 0) + 5000
    assert after.partners[1].id == amani.id and after.partners[1].floor == amani.floor
    assert after.partners[-1].name == "Eastside Refuge"
    assert len(after.partners) == len(before.partners) + 1
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.project == before


def test_choosing_skip_or_add_as_new_row_by_row(document, qtbot, tmp_path):
    before = document.project
    amani = before.partners[1]
    path = _table(tmp_path, f"{amani.name},1000,0,0.5,0.5,\n")
    dialog = ImportDialog(document, path)
    qtbot.addWidget(dialog)
    box = dialog.partnersTable.cellWidget(0, 1)
    assert isinstance(box, QComboBox)
    box.setCurrentIndex(box.findData("skip"))  # as a person picks it
    assert dialog.row_actions() == [(2, "skip")]
    assert not dialog.okButton.isEnabled()  # nothing would change
    assert "Nothing would change" in dialog.summary.text()
    dialog.set_choice(2, "add")
    assert dialog.okButton.isEnabled() and dialog.okButton.text() == "Add 1 partner"
    dialog.accept()
    partners = document.project.partners
    assert len(partners) == len(before.partners) + 1
    assert partners[1] == amani and partners[-1].name == amani.name
    assert partners[-1].id != amani.id
    assert document.undo_stack.count() == 1


def test_every_problem_at_once_and_a_bad_row_can_be_skipped(document, qtbot, tmp_path):
    before = document.project
    amani = before.partners[1]
    path = _table(
        tmp_path,
        f"{amani.name},lots,0,0.5,0.5,\nNew One,100,0,2,0.5,\nnew  one,100,0,0.5,0.5,\n",
    )
    dialog = ImportDialog(document, path)
    qtbot.addWidget(dialog)
    rows = dialog.problem_rows()
    assert [(r, c) for r, c, _ in rows] == [
        ("2", "Capacity"),
        ("3", "Multiple disadvantage"),
        ("4", "Name"),
    ]
    assert "also on row 3" in rows[2][2]
    assert not dialog.okButton.isEnabled()
    assert dialog.partnersTable.rowCount() == 3  # the rows still show, with their choices
    dialog.accept()  # refused
    assert document.project == before and document.undo_stack.count() == 0
    for row in (2, 3):
        dialog.set_choice(row, "skip")
    assert dialog.problem_rows() == []
    assert dialog.okButton.isEnabled()
    dialog.accept()
    assert [p.name for p in document.project.partners][-1] == "new  one"
    assert document.project.partners[1] == amani
