"""FairShare's engine: fair, explained budget splits for charity partnerships.

Pure Python; never imports Qt. The layers, lowest first (a test keeps them one-way):

- ``allocator.errors``: the error family every layer raises.
- ``allocator.domain``: projects, partners, scenarios, the field description, field
  paths, validated edits, the needs questionnaire, money and percentage words.
- ``allocator.engine``: the linear program, the leximin split, rounding, results that
  carry their explanations, suggested changes for a scenario that cannot be met.
- ``allocator.report``: comparisons, baselines, sweeps, the method in words, text and
  JSON for the command line.
- ``allocator.formats``: project files, partner tables, the budget workbook.
- ``allocator.cli``: the ``fairshare`` command.

What the desktop app and scripts need is importable from here; names load on first
use, so ``import allocator`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_EXPORTS = {
    # errors
    "FairShareError": "allocator.errors",
    "Problem": "allocator.errors",
    "ValidationError": "allocator.errors",
    "ProjectFileError": "allocator.errors",
    "TableError": "allocator.errors",
    "SaveError": "allocator.errors",
    "WorkbookError": "allocator.errors",
    "SolverError": "allocator.errors",
    "Cancelled": "allocator.errors",
    # domain
    "Project": "allocator.domain.model",
    "Partner": "allocator.domain.model",
    "Scenario": "allocator.domain.model",
    "Budget": "allocator.domain.model",
    "FieldPath": "allocator.domain.paths",
    "describe_path": "allocator.domain.paths",
    "FieldSpec": "allocator.domain.fields",
    "FIELDS": "allocator.domain.fields",
    "PARTNER_COLUMNS": "allocator.domain.fields",
    "SCENARIO_FIELDS": "allocator.domain.fields",
    "PROJECT_FIELDS": "allocator.domain.fields",
    "spec_for": "allocator.domain.fields",
    "parse_value": "allocator.domain.fields",
    "format_value": "allocator.domain.fields",
    "set_field": "allocator.domain.edits",
    "validate": "allocator.domain.edits",
    "new_project": "allocator.domain.edits",
    "project_fingerprint": "allocator.domain.edits",
    "money": "allocator.domain.text",
    "signed_money": "allocator.domain.text",
    "pct": "allocator.domain.text",
    # engine
    "Engine": "allocator.engine.solve",
    "solve": "allocator.engine.solve",
    "ScenarioResult": "allocator.engine.result",
    "PartnerResult": "allocator.engine.result",
    "Status": "allocator.engine.result",
    "apply_relaxation": "allocator.engine.relax",
    "apply_relaxations": "allocator.engine.relax",
    # report
    "method_text": "allocator.report.method",
    "compare_to_baseline": "allocator.report.baseline",
    "sweep": "allocator.report.sweep",
    # formats
    "load_project": "allocator.formats.files",
    "load_project_with_notes": "allocator.formats.files",
    "save_project": "allocator.formats.files",
    "preview_import": "allocator.formats.tables",
    "import_partners": "allocator.formats.tables",
    "write_workbook": "allocator.formats.workbook",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'allocator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
