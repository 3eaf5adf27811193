"""Reading and writing ``.fairshare`` project files.

A project file is never trusted: it may be hand-edited, truncated, produced by a newer
FairShare, or not a project at all. Reading checks, in order, that the file is of a
sane size, is UTF-8 text, is JSON without NaN, infinities, duplicate keys or absurd
nesting, says it is a FairShare project of a version this FairShare understands
(upgrading older versions), and then hands it to :func:`allocator.domain.model.project_from_dict`
for the field-by-field checks. Every refusal is a :class:`ProjectFileError` (or, for
the fields themselves, a :class:`~allocator.domain.model.ValidationError`), so callers catch
one type and keep whatever they had open.

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
    ValidationError,
    project_from_dict,
    project_to_dict,
)
from allocator.formats.atomic import current_umask, sync_folder

MAX_BYTES = 20 * 1024 * 1024
"""Files larger than this are refused before they are parsed."""

MAX_DEPTH = 64
"""Deepest nesting of lists and objects accepted; a real project needs about five."""

MIGRATIONS: dict[int, Callable[[dict], dict]] = {}
"""``MIGRATIONS[v]`` turns the parsed data of a version ``v`` file into version ``v + 1``.

Loading an older file applies them one after another up to :data:`VERSION`.
"""

_NOT_PROJECT = "not a FairShare project: "
_BOM = b"\xef\xbb\xbf"


class ProjectFileError(ValidationError):
    """A project file that cannot be read or written at all (as opposed to bad fields).

    A subclass of :class:`~allocator.domain.model.ValidationError` with the same
    ``problems`` list of ``(field path, message)`` pairs, so one ``except`` covers both.
    """

    @classmethod
    def single(cls, message: str, path: str = "") -> ProjectFileError:
        return cls([(path, message)])


class _Refused(Exception):
    """Raised from inside the JSON parser's hooks; turned into a ProjectFileError."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ----------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------


def loads_project(text: str | bytes) -> Project:
    """Build a Project from the contents of a project file.

    Raises :class:`ProjectFileError` when the text is not a readable FairShare project
    of a version this FairShare understands, and
    :class:`~allocator.domain.model.ValidationError` when a field is wrong.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        raw = bytes(text)
        _check_size(len(raw))
        if raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ProjectFileError.single(
                f"{_NOT_PROJECT}the file is not UTF-8 text (unexpected byte at position {e.start})"
            ) from None
    elif isinstance(text, str):
        _check_size(len(text))
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        raise TypeError(f"expected the file's text or bytes, got {type(text).__name__}")
    data = _parse_json(text)
    data = _check_header(data)
    return project_from_dict(data)


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read the project file at ``path``; see :func:`loads_project` for what is checked."""
    shown = os.fspath(path)
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ProjectFileError.single(
                f"cannot open {shown}: it is a folder, not a project file"
            )
        if not stat.S_ISREG(st.st_mode):
            raise ProjectFileError.single(f"cannot open {shown}: it is not an ordinary file")
        _check_size(st.st_size)
        with open(path, "rb") as f:
            # Read one byte past the limit in case the file grew since the stat.
            raw = f.read(MAX_BYTES + 1)
    except ProjectFileError:
        raise
    except FileNotFoundError:
        raise ProjectFileError.single(f"cannot open {shown}: there is no such file") from None
    except IsADirectoryError:
        raise ProjectFileError.single(
            f"cannot open {shown}: it is a folder, not a project file"
        ) from None
    except PermissionError:
        raise ProjectFileError.single(
            f"cannot open {shown}: permission denied (you are not allowed to read it)"
        ) from None
    except OSError as e:
        raise ProjectFileError.single(f"cannot open {shown}: {_os_reason(e)}") from None
    return loads_project(raw)


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ProjectFileError.single(
            f"{_NOT_PROJECT}the file is {size / (1024 * 1024):.1f} MB, an absurd size for a "
            f"project (at most {MAX_BYTES // (1024 * 1024)} MB)"
        )


def _parse_json(text: str) -> Any:
    if not text.strip():
        raise ProjectFileError.single(f"{_NOT_PROJECT}the file is empty")
    if _too_deep(text):
        raise _too_deep_error()
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
            parse_constant=_refuse_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except _Refused as e:
        raise ProjectFileError.single(_NOT_PROJECT + e.message) from None
    except json.JSONDecodeError as e:
        raise ProjectFileError.single(
            f"{_NOT_PROJECT}the file is not valid JSON (line {e.lineno}, column {e.colno})"
        ) from None
    except RecursionError:
        raise _too_deep_error() from None
    if found_duplicates:
        raise ProjectFileError(
            [
                (where, "is given more than once; each field may appear only once")
                for where in _repeated_keys(data)
            ]
        )
    if _LONE_SURROGATE_ESCAPE.search(text) or not _encodable(text):
        bad = _unencodable_text(data)
        if bad:
            raise ProjectFileError(
                [(where, "holds a broken character (an unpaired \\u escape)") for where in bad]
            )
    return data


def _too_deep_error() -> ProjectFileError:
    return ProjectFileError.single(
        f"{_NOT_PROJECT}the data is nested more than {MAX_DEPTH} levels deep"
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


def _refuse_constant(name: str) -> Any:
    raise _Refused(
        f"the file contains {name}, which is not a number; every amount must be an ordinary number"
    )


def _parse_float(s: str) -> float:
    v = float(s)
    if not math.isfinite(v):
        raise _Refused(f"the number {_clip(s)} is too large")
    return v


def _parse_int(s: str) -> int:
    # Check the length first: converting thousands of digits is slow (and Python refuses
    # more than a few thousand), and such a number is never a real amount.
    if len(s.lstrip("-")) > 310:
        raise _Refused(f"the number {_clip(s)} is too large")
    v = int(s)
    if abs(v) > sys.float_info.max:
        raise _Refused(f"the number {_clip(s)} is too large")
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


def _check_header(data: Any) -> dict:
    """Check ``format`` and ``version`` and bring older versions up to date."""
    if not isinstance(data, dict):
        raise ProjectFileError.single(
            f"{_NOT_PROJECT}the file holds {_describe(data)}, not a project object"
        )
    if "format" not in data:
        raise ProjectFileError.single(
            f'{_NOT_PROJECT}there is no "format": "{FORMAT}" entry', "format"
        )
    if data["format"] != FORMAT:
        raise ProjectFileError.single(
            f'{_NOT_PROJECT}the format is {_describe(data["format"])}, not "{FORMAT}"', "format"
        )
    if "version" not in data:
        raise ProjectFileError.single("is required: the file format version, such as 1", "version")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectFileError.single(
            f"must be a whole number, got {_describe(version)}", "version"
        )
    if version > VERSION:
        raise ProjectFileError.single(
            f"this project was saved by a newer FairShare (format version {version}); "
            f"this version reads up to {VERSION}. Update FairShare to open it.",
            "version",
        )
    while version < VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise ProjectFileError.single(
                f"format version {version} is too old for this FairShare to upgrade", "version"
            )
        try:
            data = migrate(data)
        except ValidationError:
            raise
        except Exception as e:
            raise ProjectFileError.single(
                f"could not upgrade this project from format version {version}: {e}"
            ) from e
        if not isinstance(data, dict):
            raise ProjectFileError.single(
                f"could not upgrade this project from format version {version}"
            )
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

    Raises :class:`ProjectFileError` if it cannot be saved; the existing file is then
    left exactly as it was.
    """
    shown = os.fspath(path)
    try:
        data = dumps_project(project).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        raise ProjectFileError.single(
            f"cannot save to {shown}: the project holds a value that cannot be written "
            "(a number that is not finite, or broken text)"
        ) from None
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
                raise ProjectFileError.single(
                    f"cannot save to {shown}: it is a folder, not a project file"
                )
            old_mode = stat.S_IMODE(st.st_mode)

        tmp = _write_temporary(folder, target.name, data, temporaries)
        os.chmod(tmp, old_mode if old_mode is not None else 0o666 & ~current_umask())

        if old_mode is not None:
            bak_tmp = _temporary_in(folder, backup.name, temporaries)
            shutil.copyfile(target, bak_tmp)
            os.replace(bak_tmp, backup)
            temporaries.remove(bak_tmp)

        os.replace(tmp, target)
        temporaries.remove(tmp)
        sync_folder(folder)
    except ProjectFileError:
        _remove(temporaries)
        raise
    except OSError as e:
        _remove(temporaries)
        raise ProjectFileError.single(_save_reason(shown, folder, e)) from None
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
