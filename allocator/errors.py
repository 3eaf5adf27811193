"""The errors FairShare raises, one small family with one base.

The lowest layer: every other module may import it, it imports nothing of FairShare.
Each error carries plain words for a person (``str(error)``) and, where a place in
the input is to blame, that place: a field path for project data, a file for files,
a row and column for tables.
"""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with the input: where (a field path, or "" for the whole) and what."""

    path: str
    message: str


class FairShareError(Exception):
    """Base of every error FairShare raises on purpose."""


class ValidationError(FairShareError, ValueError):
    """Bad project data. ``problems`` lists ``Problem(path, message)``, first one first."""

    def __init__(self, problems: list[tuple[str, str]] | list[Problem]):
        self.problems: list[Problem] = [Problem(p, m) for p, m in problems]
        super().__init__("\n".join(f"{p}: {m}" if p else m for p, m in self.problems))


class ProjectFileError(ValidationError):
    """A project file that cannot be read: its ``file`` and what is wrong in it.

    A kind of :class:`ValidationError` (a bad field in a file is both), so one
    ``except ValidationError`` covers what a person must fix.
    """

    def __init__(self, problems: list[tuple[str, str]] | list[Problem], file: str = ""):
        super().__init__(problems)
        self.file = file

    @classmethod
    def single(cls, message: str, path: str = "", file: str = "") -> ProjectFileError:
        return cls([(path, message)], file=file)


class TableError(ValidationError):
    """A partner table (csv or xlsx) that cannot be imported.

    ``problems`` use the table's own places in words ("row 4, column Capacity").
    """

    def __init__(self, problems: list[tuple[str, str]] | list[Problem], file: str = ""):
        super().__init__(problems)
        self.file = file


class SaveError(FairShareError, OSError):
    """A file could not be written; what was on disk before is left as it was."""

    def __init__(self, message: str, file: str = ""):
        super().__init__(message)
        self.message = message
        self.file = file

    def __str__(self) -> str:
        return self.message


class WorkbookError(SaveError):
    """The budget workbook could not be written; the target is left as it was."""


class SolverError(FairShareError, RuntimeError):
    """The solver failed or stopped early; never reported as an optimum."""


class Cancelled(FairShareError):
    """The caller asked to stop; no partial result is reported."""
