"""Reading and writing ``.fairshare`` project files.

A project file is never trusted: it may be hand-edited, truncated, produced by a newer
FairShare, or not a project at all. Reading checks, in order, that the file is of a
sane size, is UTF-8 text, is JSON without NaN, infinities, duplicate keys or absurd
nesting, says it is a FairShare project of a version this FairShare understands
(upgrading older versions), and then hands it to :func:`allocator.domain.model.read_project`
for the field-by-field checks. Every refusal is a :class:`ProjectFileError` naming the
file (a kind of :class:`~allocator.errors.ValidationError`), so callers catch one type
and keep whatever they had open. NaN, infinities and numbers too large for a float are
refused naming the field they are in.

Saving refuses, as a ValidationError, only what opening the file would refuse: states
a person passes through while filling a project in (a blank score, a floor above the
capacity) are saved and read back as they are. A file that cannot be written raises
:class:`~allocator.errors.SaveError` (an OSError, not a ValueError).

Saving is atomic: the new content is written and synced to a temporary file next to
the target, the previous file is kept as ``<name>.bak``, and only then is the
temporary file moved over the target. A failed save leaves the existing file as it was.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any

from allocator.domain.model import (
    FORMAT,
    VERSION,
    Project,
    project_to_dict,
    read_project,
    strict_problems,
)
from allocator.errors import Problem, ProjectFileError, SaveError, ValidationError
from allocator.formats.atomic import new_file_mode, sync_folder

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MIGRATIONS",
    "ProjectFileError",
    "SaveError",
    "dumps_project",
    "load_project",
    "load_project_with_notes",
    "loads_project",
    "loads_project_with_notes",
    "save_project",
]

MAX_BYTES = 20 * 1024 * 1024
"""Files larger than this are refused before they are parsed."""

MAX_DEPTH = 64
"""Deepest nesting of lists and objects accepted; a real project needs about five."""

MIGRATIONS: dict[int, Callable[[dict], dict]] = {}
"""``MIGRATIONS[v]`` turns the parsed data of a version ``v`` file into version ``v + 1``.

Loading an older file applies them one after another up to :data:`VERSION`.
"""

_BOM = b"\xef\xbb\xbf"


def _not_project(file: str, what: str) -> str:
    """The message for text that is no project at all, naming the file when known."""
    if file:
        return f"{file} is not a FairShare project: {what}"
    return f"not a FairShare project: {what}"


class _NotFinite:
    """Stands in for NaN, an infinity or a number too large for a float while parsing,
    so that the refusal can name the field it was found in."""

    def __init__(self, text: str):
        self.text = text

    def message(self) -> str:
        if self.text in ("NaN", "Infinity", "-Infinity"):
            return f"is {self.text}, which is not a number: enter an ordinary number"
        return f"is too large to be an amount ({_clip(self.text)}): enter an ordinary number"


# ----------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------


def loads_project(text: str | bytes, file: str = "") -> Project:
    """Build a Project from the contents of a project file.

    Raises :class:`ProjectFileError` when the text is not a readable FairShare project
    of a version this FairShare understands, and
    :class:`~allocator.errors.ValidationError` when a field is wrong. ``file`` is
    the name to give in messages, if the text came from a file.
    """
    return loads_project_with_notes(text, file)[0]


def loads_project_with_notes(text: str | bytes, file: str = "") -> tuple[Project, list[str]]:
    """:func:`loads_project`, and notes on what was read differently from the text
    (an older file's retired rule, read as leximin), for the person to see."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        raw = bytes(text)
        _check_size(len(raw), file)
        if raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ProjectFileError.single(
                _not_project(
                    file, f"the file is not UTF-8 text (unexpected byte at position {e.start})"
                ),
                file=file,
            ) from None
    elif isinstance(text, str):
        _check_size(len(text), file)
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        raise TypeError(f"expected the file's text or bytes, got {type(text).__name__}")
    data = _parse_json(text, file)
    data = _check_header(data, file)
    try:
        return read_project(data)
    except ValidationError as e:
        if not file:
            raise
        raise ProjectFileError(e.problems, file=file) from None


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read the project file at ``path``; see :func:`loads_project` for what is checked.

    Every refusal is a :class:`ProjectFileError` whose ``file`` is ``path``.
    """
    return load_project_with_notes(path)[0]


def load_project_with_notes(path: str | os.PathLike[str]) -> tuple[Project, list[str]]:
    """:func:`load_project`, and notes on what was read differently from the file."""
    shown = os.fspath(path)
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ProjectFileError.single(
                f"cannot open {shown}: it is a folder, not a project file", file=shown
            )
        if not stat.S_ISREG(st.st_mode):
            raise ProjectFileError.single(
                f"cannot open {shown}: it is not an ordinary file", file=shown
            )
        _check_size(st.st_size, shown)
        with open(path, "rb") as f:
            # Read one byte past the limit in case the file grew since the stat.
            raw = f.read(MAX_BYTES + 1)
    except ProjectFileError:
        raise
    except FileNotFoundError:
        raise ProjectFileError.single(
            f"cannot open {shown}: there is no such file", file=shown
        ) from None
    except IsADirectoryError:
        raise ProjectFileError.single(
            f"cannot open {shown}: it is a folder, not a project file", file=shown
        ) from None
    except PermissionError:
        raise ProjectFileError.single(
            f"cannot open {shown}: permission denied (you are not allowed to read it)",
            file=shown,
        ) from None
    except OSError as e:
        raise ProjectFileError.single(f"cannot open {shown}: {_os_reason(e)}", file=shown) from None
    return loads_project_with_notes(raw, shown)


def _check_size(size: int, file: str) -> None:
    if size > MAX_BYTES:
        raise ProjectFileError.single(
            _not_project(
                file,
                f"the file is {size / (1024 * 1024):.1f} MB, an absurd size for a "
                f"project (at most {MAX_BYTES // (1024 * 1024)} MB)",
            ),
            file=file,
        )


def _parse_json(text: str, file: str) -> Any:
    if not text.strip():
        raise ProjectFileError.single(_not_project(file, "the file is empty"), file=file)
    if _too_deep(text):
        raise _too_deep_error(file)
    found_duplicates = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        nonlocal found_duplicates
        d = dict(pairs)
        if len(d) == len(pairs):
            return d
        found_duplicates = True
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        return _Repeated(d, repeated)

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs_hook,
            parse_constant=_NotFinite,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except json.JSONDecodeError as e:
        raise ProjectFileError.single(
            _not_project(file, f"the file is not valid JSON (line {e.lineno}, column {e.colno})"),
            file=file,
        ) from None
    except RecursionError:
        raise _too_deep_error(file) from None
    if found_duplicates:
        raise ProjectFileError(
            [
                Problem(where, "is given more than once; each field may appear only once")
                for where in _repeated_keys(data)
            ],
            file=file,
        )
    not_finite = [
        Problem(where, value.message())
        for where, value in _walk(data)
        if isinstance(value, _NotFinite)
    ]
    if not_finite:
        raise ProjectFileError(not_finite, file=file)
    if _LONE_SURROGATE_ESCAPE.search(text) or not _encodable(text):
        bad = _unencodable_text(data)
        if bad:
            raise ProjectFileError(
                [
                    Problem(where, "holds a broken character (an unpaired \\u escape)")
                    for where in bad
                ],
                file=file,
            )
    return data


def _too_deep_error(file: str) -> ProjectFileError:
    return ProjectFileError.single(
        _not_project(file, f"the data is nested more than {MAX_DEPTH} levels deep"), file=file
    )


_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_DEPTH_STEP = [0] * 256
_DEPTH_STEP[ord("[")] = _DEPTH_STEP[ord("{")] = 1
_DEPTH_STEP[ord("]")] = _DEPTH_STEP[ord("}")] = -1


def _too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest deeper than ``limit``, brackets in strings aside.

    A linear scan run before the JSON parser, which would otherwise recurse once per
    level. It hops from string to string, counting the brackets between them, and only
    walks bracket by bracket where the count could pass the limit. Malformed text (an
    unterminated string, unbalanced brackets) is left for the parser to report.
    """
    count = text.count
    if count("[") + count("{") <= limit:
        return False
    find = text.find
    string_rest = _STRING_REST.match
    depth = 0
    pos = 0
    while True:
        quote = find('"', pos)
        end = len(text) if quote < 0 else quote
        opens = count("[", pos, end) + count("{", pos, end)
        if opens and depth + opens > limit:
            steps = map(_DEPTH_STEP.__getitem__, text[pos:end].encode("utf-8", "surrogatepass"))
            if max(accumulate(steps, initial=depth)) > limit:
                return True
        depth += opens - count("]", pos, end) - count("}", pos, end)
        if quote < 0:
            return False
        string = string_rest(text, quote + 1)
        if string is None:
            return False
        pos = string.end()


def _parse_float(s: str) -> float | _NotFinite:
    v = float(s)
    if not math.isfinite(v):
        return _NotFinite(s)
    return v


def _parse_int(s: str) -> int | _NotFinite:
    # Check the length first: converting thousands of digits is slow (and Python refuses
    # more than a few thousand), and such a number is never a real amount.
    if len(s.lstrip("-")) > 310:
        return _NotFinite(s)
    v = int(s)
    if abs(v) > sys.float_info.max:
        return _NotFinite(s)
    return v


def _clip(s: str) -> str:
    return s if len(s) <= 24 else s[:20] + "..."


class _Repeated(dict):
    """An object in which some keys were given more than once (the last value kept)."""

    def __init__(self, d: dict, repeated: list[str]):
        super().__init__(d)
        self.repeated = repeated


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(value: Any, path: str = ""):
    """Yield ``(path, value)`` for every value in parsed JSON, paths as in field messages."""
    yield path, value
    if isinstance(value, dict):
        for key, v in value.items():
            yield from _walk(v, _child(path, key))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def _repeated_keys(data: Any) -> list[str]:
    return [
        _child(path, key)
        for path, value in _walk(data)
        if isinstance(value, _Repeated)
        for key in value.repeated
    ]


# A \u escape for half of a surrogate pair; a valid pair decodes to one character, so
# only unpaired halves survive parsing. They cannot be written back out as UTF-8.
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _unencodable_text(data: Any) -> list[str]:
    bad: list[str] = []
    for path, value in _walk(data):
        if isinstance(value, str) and not _encodable(value):
            bad.append(path)
        elif isinstance(value, dict):
            bad.extend(_child(path, key) for key in value if not _encodable(key))
    return bad


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_header(data: Any, file: str) -> dict:
    """Check ``format`` and ``version`` and bring older versions up to date."""

    def refuse(message: str, path: str = "") -> ProjectFileError:
        return ProjectFileError.single(message, path, file=file)

    if not isinstance(data, dict):
        raise refuse(_not_project(file, f"the file holds {_describe(data)}, not a project object"))
    if "format" not in data:
        raise refuse(_not_project(file, f'there is no "format": "{FORMAT}" entry'), "format")
    if data["format"] != FORMAT:
        raise refuse(
            _not_project(file, f'the format is {_describe(data["format"])}, not "{FORMAT}"'),
            "format",
        )
    if "version" not in data:
        raise refuse("is required: the file format version, such as 1", "version")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise refuse(f"must be a whole number, got {_describe(version)}", "version")
    if version > VERSION:
        raise refuse(
            f"this project was saved by a newer FairShare (format version {version}); "
            f"this version reads up to {VERSION}. Update FairShare to open it.",
            "version",
        )
    while version < VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise refuse(
                f"format version {version} is too old for this FairShare to upgrade", "version"
            )
        try:
            data = migrate(data)
        except ValidationError as e:
            raise ProjectFileError(e.problems, file=file) from None
        except Exception as e:
            raise refuse(
                f"could not upgrade this project from format version {version}: {e}"
            ) from e
        if not isinstance(data, dict):
            raise refuse(f"could not upgrade this project from format version {version}")
        version += 1
        data["version"] = version
    return data


def _describe(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "nothing"
    if isinstance(v, str):
        return repr(_clip(v))
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return _clip(repr(v))


# ----------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------


def dumps_project(project: Project) -> str:
    """The project as project-file text (current version), ending with a newline."""
    return (
        json.dumps(project_to_dict(project), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    )


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write ``project`` to ``path`` atomically, keeping the previous file as ``.bak``.

    Raises :class:`~allocator.errors.ValidationError` for a project that opening the
    file would refuse (and writes nothing), and :class:`~allocator.errors.SaveError` if
    the file cannot be written; the existing file is then left exactly as it was.
    Problems that only stop a solve (a blank score, a floor above the capacity) are
    saved as they are, to be put right later.
    """
    shown = os.fspath(path)
    problems = strict_problems(project)
    if problems:
        raise ValidationError(problems)
    data = dumps_project(project).encode("utf-8")
    target = Path(path)
    if target.is_symlink():
        # Write through the link so it keeps pointing at the saved file.
        target = Path(os.path.realpath(target))
    folder = target.parent
    backup = target.with_name(target.name + ".bak")
    temporaries: list[str] = []
    try:
        old_mode: int | None = None
        try:
            st = os.stat(target)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISDIR(st.st_mode):
                raise SaveError(
                    f"cannot save to {shown}: it is a folder, not a project file", shown
                )
            old_mode = stat.S_IMODE(st.st_mode)

        tmp = _write_temporary(folder, target.name, data, temporaries)
        os.chmod(tmp, old_mode if old_mode is not None else new_file_mode())

        if old_mode is not None:
            bak_tmp = _temporary_in(folder, backup.name, temporaries)
            shutil.copyfile(target, bak_tmp)
            os.replace(bak_tmp, backup)
            temporaries.remove(bak_tmp)

        os.replace(tmp, target)
        temporaries.remove(tmp)
        sync_folder(folder)
    except SaveError:
        _remove(temporaries)
        raise
    except OSError as e:
        _remove(temporaries)
        raise SaveError(_save_reason(shown, folder, e), shown) from None
    except BaseException:
        _remove(temporaries)
        raise


def _temporary_in(folder: Path, name: str, temporaries: list[str]) -> str:
    with tempfile.NamedTemporaryFile(
        dir=folder, prefix=f".{name}.", suffix=".tmp", delete=False
    ) as f:
        temporaries.append(f.name)
    return f.name


def _write_temporary(folder: Path, name: str, data: bytes, temporaries: list[str]) -> str:
    with tempfile.NamedTemporaryFile(
        dir=folder, prefix=f".{name}.", suffix=".tmp", delete=False
    ) as f:
        temporaries.append(f.name)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return f.name


def _remove(paths: list[str]) -> None:
    for p in paths:
        try:
            os.remove(p)
        except OSError:
            pass


def _save_reason(shown: str, folder: Path, e: OSError) -> str:
    if isinstance(e, PermissionError):
        return (
            f"cannot save to {shown}: permission denied (the folder may be read-only, "
            "or the file open in another program)"
        )
    if isinstance(e, FileNotFoundError) and not folder.is_dir():
        return f"cannot save to {shown}: the folder {os.fspath(folder)} does not exist"
    return f"cannot save to {shown}: {_os_reason(e)}"


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "the disk is full"
    if e.errno == errno.EROFS:
        return "the disk is read-only"
    return e.strerror.lower() if e.strerror else str(e)
