"""The partners table model: formatting, editing through the document, following it."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from allocator.domain import edits
from ui.models.partners import PartnersModel

D = Qt.ItemDataRole


@pytest.fixture
def model(document, qtmodeltester):
    m = PartnersModel(document)
    return m


def col(model: PartnersModel, key: str) -> int:
    c = model.column_of(key)
    assert c >= 0, key
    return c


def cell(model, row, key):
    return model.index(row, col(model, key))


class Recorder:
    """Every structural and data signal a model emits, in order."""

    def __init__(self, model):
        self.events: list[tuple] = []
        model.dataChanged.connect(
            lambda a, b, roles=(): self.events.append(
                ("data", a.row(), a.column(), b.row(), b.column())
            )
        )
        model.modelReset.connect(lambda: self.events.append(("reset",)))
        model.rowsInserted.connect(lambda p, a, b: self.events.append(("insert", a, b)))
        model.rowsRemoved.connect(lambda p, a, b: self.events.append(("remove", a, b)))
        model.rowsMoved.connect(lambda p, a, b, d, r: self.events.append(("move", a, b, r)))

    def structure(self):
        return [e for e in self.events if e[0] != "data"]

    def kinds(self):
        return {e[0] for e in self.events}

    def data_cells(self):
        out = set()
        for e in self.events:
            if e[0] == "data":
                for r in range(e[1], e[3] + 1):
                    for c in range(e[2], e[4] + 1):
                        out.add((r, c))
        return out


def test_model_passes_qt_model_tester(model, qtmodeltester, document):
    qtmodeltester.check(model, force_py=True)
    document.set_field("partners[2].multiple_disadvantage", "")
    document.set_field("partners[1].floor", "250000")
    qtmodeltester.check(model, force_py=True)


def test_columns_are_the_fields_in_their_own_words(model, sample_project):
    assert model.rowCount() == len(sample_project.partners)
    labels = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "Capacity (per year)" in labels
    assert labels[0] == "Name"
    tip = model.headerData(
        col(model, "multiple_disadvantage"), Qt.Orientation.Horizontal, D.ToolTipRole
    )
    assert "from 0 to 1" in tip
    money_tip = model.headerData(col(model, "capacity"), Qt.Orientation.Horizontal, D.ToolTipRole)
    assert "above £0" in money_tip


def test_cells_show_formatted_values_and_edit_raw_ones(model, sample_project):
    amani = sample_project.partners[1]
    assert model.data(cell(model, 1, "name")) == amani.name
    assert model.data(cell(model, 1, "capacity")) == "£180,000"
    assert model.data(cell(model, 1, "capacity"), D.EditRole) == amani.capacity
    assert model.data(cell(model, 1, "reach")) == "900"
    assert model.data(cell(model, 0, "reach")) == "5,200"
    assert model.data(cell(model, 1, "multiple_disadvantage")) == "0.85"
    assert model.data(cell(model, 0, "lead"), D.CheckStateRole) == Qt.CheckState.Checked
    assert model.data(cell(model, 1, "lead"), D.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.data(cell(model, 1, "lead")) == ""
    align = model.data(cell(model, 1, "capacity"), D.TextAlignmentRole)
    assert align & Qt.AlignmentFlag.AlignRight
    assert model.flags(cell(model, 1, "lead")) & Qt.ItemFlag.ItemIsUserCheckable
    assert model.flags(cell(model, 1, "capacity")) & Qt.ItemFlag.ItemIsEditable


def test_scores_as_percentages_is_a_view_option(model, qtbot, document):
    index = cell(model, 1, "multiple_disadvantage")
    with qtbot.waitSignal(model.dataChanged):
        model.set_scores_as_percentages(True)
    assert model.data(index) == "85%"
    assert model.data(index, D.EditRole) == pytest.approx(0.85)
    assert document.project.partners[1].multiple_disadvantage == pytest.approx(0.85)


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("capacity", "£120,000", 120000),
        ("capacity", "95k", 95000),
        ("multiple_disadvantage", "35%", 0.35),
        ("back_office_capacity", 0.6, 0.6),
        ("reach", "1,250", 1250),
        ("name", "  Amani   Women's Collective ", "Amani Women's Collective"),
    ],
)
def test_typed_values_go_through_the_document_as_one_undo_step(model, document, key, typed, stored):
    before = document.project
    steps = document.undo_stack.count()
    assert model.setData(cell(model, 1, key), typed, D.EditRole) is True
    assert (
        getattr(document.project.partners[1], key) == pytest.approx(stored)
        if not isinstance(stored, str)
        else getattr(document.project.partners[1], key) == stored
    )
    assert document.undo_stack.count() == steps + 1
    document.undo_stack.undo()
    assert document.project == before
    assert model.data(cell(model, 1, key), D.EditRole) == getattr(before.partners[1], key)


def test_a_refused_value_changes_nothing_and_says_why(model, document, qtbot):
    before = document.project
    with qtbot.waitSignal(model.editRefused) as blocker:
        assert model.setData(cell(model, 1, "capacity"), "lots", D.EditRole) is False
    assert document.project is before
    assert document.undo_stack.count() == 0
    row, column, message = blocker.args
    assert (row, column) == (1, col(model, "capacity"))
    assert "lots" in message
    assert model.setData(cell(model, 1, "multiple_disadvantage"), "1.5") is False
    assert "0 to 1" in model.last_refusal[1]
    assert document.project is before


def test_an_unchanged_value_adds_no_undo_step(model, document):
    assert model.setData(cell(model, 1, "capacity"), "180,000") is True
    assert model.setData(cell(model, 1, "multiple_disadvantage"), "85%") is True
    assert document.undo_stack.count() == 0


def test_check_boxes_edit_the_marks(model, document):
    index = cell(model, 1, "lead")
    assert model.setData(index, Qt.CheckState.Checked.value, D.CheckStateRole)
    assert document.project.partners[1].lead is True
    assert model.data(index, D.CheckStateRole) == Qt.CheckState.Checked
    document.undo_stack.undo()
    assert document.project.partners[1].lead is False


def test_invalid_cells_show_a_mark_a_tint_and_the_message(model, document):
    index = cell(model, 2, "multiple_disadvantage")
    assert model.data(index, D.DecorationRole) is None
    assert document.set_field("partners[2].multiple_disadvantage", "") is None
    assert model.data(index) == ""  # a blank score stays blank, never 0
    assert model.data(index, D.EditRole) is None
    assert not model.data(index, D.DecorationRole).isNull()
    assert model.data(index, D.BackgroundRole) is not None
    tip = model.data(index, D.ToolTipRole)
    assert "blank" in tip and "never read as no need" in tip
    assert model.headerData(2, Qt.Orientation.Vertical, D.DecorationRole) is not None
    # a floor above the capacity is marked on the floor
    document.set_field("partners[1].floor", "200000")
    assert "capacity" in model.data(cell(model, 1, "floor"), D.ToolTipRole)
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert model.data(index, D.DecorationRole) is None
    assert model.problem_cells() == []


def test_a_domain_edit_repaints_exactly_the_changed_cells(model, document):
    rec = Recorder(model)
    project = document.project
    new = project.with_partner(3, capacity=95000.0, notes="changed")
    new = new.with_partner(5, reach=3100.0)
    document.edit(new, "two partners")
    assert rec.kinds() == {"data"}
    assert rec.data_cells() == {
        (3, col(model, "capacity")),
        (3, col(model, "notes")),
        (5, col(model, "reach")),
    }
    assert model.data(cell(model, 3, "capacity")) == "£95,000"


def test_adding_removing_and_moving_partners_are_row_signals(model, document, qtmodeltester):
    rec = Recorder(model)
    document.edit_with(lambda p: edits.add_partner(p, None, 2), "add")
    assert rec.structure() == [("insert", 2, 2)]
    # the new partner's blanks are problems: their cells are repainted with the mark
    assert (2, col(model, "capacity")) in rec.data_cells()
    assert model.data(cell(model, 2, "name")).startswith("New partner")
    assert model.data(cell(model, 2, "capacity")) == ""  # blank, never a made-up figure
    rec.events.clear()
    document.edit_with(lambda p: edits.remove_partners(p, [0, 1]), "remove")
    assert rec.structure() == [("remove", 0, 1)]
    rec.events.clear()
    names = [p.name for p in document.project.partners]
    document.edit_with(lambda p: edits.move_partner(p, 3, 1), "move")
    assert [e[0] for e in rec.structure()] == ["move"]
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == [
        names[0],
        names[3],
        names[1],
        names[2],
        *names[4:],
    ]
    rec.events.clear()
    document.undo_stack.undo()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert "reset" not in rec.kinds()
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == [
        p.name for p in document.project.partners
    ]
    qtmodeltester.check(model, force_py=True)


def test_a_new_project_resets_the_model(model, document, qtbot):
    with qtbot.waitSignal(model.modelReset):
        document.reset(edits.new_project("Empty"))
    assert model.rowCount() == 0


def test_a_new_currency_repaints_the_money(model, document):
    rec = Recorder(model)
    document.set_field("currency", "EUR")
    assert model.data(cell(model, 1, "capacity")) == "€180,000"
    assert (1, col(model, "capacity")) in rec.data_cells()
    assert "reset" not in rec.kinds()


def test_any_reshuffle_keeps_views_in_step(model, document):
    """Random removals, insertions, moves and edits: rows and persistent indexes follow."""
    rng = random.Random(7)
    for step in range(25):
        project = document.project
        partners = list(project.partners)
        keep_ids = {p.id for p in partners}
        persistent = {
            p.id: QPersistentModelIndex(model.index(i, 0)) for i, p in enumerate(partners)
        }
        for _ in range(rng.randint(0, 2)):
            if len(partners) > 1:
                partners.pop(rng.randrange(len(partners)))
        rng.shuffle(partners) if rng.random() < 0.5 else None
        for n in range(rng.randint(0, 2)):
            fresh = replace(partners[0], id=f"fresh-{step}-{n}", name=f"Fresh {step} {n}")
            partners.insert(rng.randint(0, len(partners)), fresh)
        if partners and rng.random() < 0.7:
            i = rng.randrange(len(partners))
            partners[i] = replace(partners[i], floor=float(rng.randint(0, 9) * 1000))
        scenarios = tuple(replace(s, excluded=()) for s in project.scenarios)
        document.edit(replace(project, partners=tuple(partners), scenarios=scenarios), "shuffle")
        shown = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
        assert shown == [p.name for p in partners]
        for pid, index in persistent.items():
            if any(p.id == pid for p in partners):
                assert index.isValid()
                assert model.partner(index.row()).id == pid
            elif pid in keep_ids:
                assert not index.isValid()
