"""Field paths: one way to point at a value in a project, as text and in words.

A path is how validation names a problem, how a suggested change names what it
changes, and how ``set_field`` and ``fairshare set`` name what to edit. Its text form
follows the project file (``partners[2].capacity``, ``scenarios[0].weights.back_office_gap``,
``budget.per_year[1]``, ``years.count``); people read it in words through
:func:`describe_path` ("Amani Collective's floor", "the budget for 2028").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from allocator.domain import needs
from allocator.domain.fields import FIELDS, pattern_of, spec_for
from allocator.errors import Problem, ValidationError

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


FIELD_ALIASES: dict[str, tuple[str | int, ...]] = {
    "budget": ("budget", "first_year"),
    "grant": ("budget", "first_year"),
}
"""Names people use for a field, read as its path: ``budget=900000`` sets the first
year's grant. (The budget as a whole is ``FieldPath(("budget",))``.)"""


@dataclass(frozen=True)
class FieldPath:
    """A place in a project: names and list indices, ``("partners", 2, "capacity")``.

    The empty path means the project as a whole.
    """

    parts: tuple[str | int, ...]

    @classmethod
    def parse(cls, text: str | FieldPath) -> FieldPath:
        """Read the text form; raises ValidationError naming the text if it is not a path."""
        if isinstance(text, FieldPath):
            return text
        if not isinstance(text, str):
            raise ValidationError([Problem(str(text), "is not a field path: it must be text")])
        stripped = text.strip()
        if not stripped:
            return cls(())
        alias = FIELD_ALIASES.get(stripped.lower())
        if alias is not None:
            return cls(alias)
        parts: list[str | int] = []
        for segment in stripped.split("."):
            m = _SEGMENT.fullmatch(segment)
            if m is None:
                raise ValidationError(
                    [
                        Problem(
                            text,
                            "is not a field path: write it like partners[2].capacity, "
                            "scenarios[0].ring_fence or budget.first_year",
                        )
                    ]
                )
            parts.append(m.group(1))
            parts.extend(int(i) for i in _INDEX.findall(m.group(2)))
        return cls(tuple(parts))

    def __str__(self) -> str:
        out = ""
        for part in self.parts:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out

    def __truediv__(self, part: str | int) -> FieldPath:
        """A path below this one: ``FieldPath.parse("partners[1]") / "floor"``."""
        return FieldPath((*self.parts, part))

    @property
    def pattern(self) -> str:
        """The path with list indices blanked, the key into ``fields.FIELDS``."""
        return pattern_of(self)

    @property
    def index(self) -> int | None:
        """The first list index in the path (the partner's or scenario's position)."""
        for part in self.parts:
            if isinstance(part, int):
                return part
        return None

    def get(self, project: Any) -> Any:
        """The value at this path in ``project``; LookupError if there is none."""
        value: Any = project
        for n, part in enumerate(self.parts):
            value = _step(value, part, n == 0)
        return value


_PROJECT_VIEWS = {
    "years": lambda p: {"start": p.start_year, "count": p.year_count},
}


def _step(value: Any, part: str | int, top: bool) -> Any:
    if top and isinstance(part, str) and part in _PROJECT_VIEWS:
        return _PROJECT_VIEWS[part](value)
    if isinstance(part, int):
        if not isinstance(value, (list, tuple)):
            raise KeyError(f"[{part}]")
        if part >= len(value):
            raise IndexError(part)
        return value[part]
    if isinstance(value, dict):
        return value[part]
    if part.startswith("_") or not hasattr(value, part):
        raise KeyError(part)
    return getattr(value, part)


def as_path(path: FieldPath | str) -> FieldPath:
    return path if isinstance(path, FieldPath) else FieldPath.parse(path)


_WORDS = {spec.pattern: spec.words for spec in FIELDS}


def _partner_name(project: Any, i: int) -> str:
    partners = getattr(project, "partners", ())
    if 0 <= i < len(partners) and str(partners[i].name).strip():
        return partners[i].name
    return f"partner {i + 1}"


def _scenario_name(project: Any, j: int) -> str:
    scenarios = getattr(project, "scenarios", ())
    if 0 <= j < len(scenarios) and str(scenarios[j].name).strip():
        return f"scenario '{scenarios[j].name}'"
    return f"scenario {j + 1}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") and not name.endswith("'s") else f"{name}'s"


def describe_path(project: Any, path: FieldPath | str) -> str:
    """A path in words for people: "Amani Collective's floor", "the budget for 2028",
    "scenario 'Needs-weighted': ring-fence". Never the path's text form, unless the
    path points at nothing FairShare knows (then the text is better than a guess).
    """
    if isinstance(path, str) and path.strip() == "budget":
        path = FieldPath(("budget",))  # a problem with the budget as a whole
    try:
        fp = as_path(path)
    except ValidationError:
        return str(path)
    parts = fp.parts
    if not parts:
        return "the project"
    head = parts[0]
    rest = parts[1:]
    if head == "partners":
        if not rest:
            return "the partners"
        if not isinstance(rest[0], int):
            return str(fp)
        name = _partner_name(project, rest[0])
        tail = rest[1:]
        if not tail:
            return name
        if tail[0] == "needs_answers":
            if len(tail) >= 2 and isinstance(tail[1], str):
                topic = _question_topic(tail[1])
                return f"{_possessive(name)} answer on {topic}"
            return f"{_possessive(name)} needs answers"
        if tail[0] == "score_source":
            return f"{_possessive(name)} score sources"
        key = str(tail[0])
        words = _WORDS.get(f"partners[].{key}")
        if words is None:
            return f"{_possessive(name)} {key.replace('_', ' ')}"
        return f"{_possessive(name)} {words}"
    if head == "scenarios":
        if not rest:
            return "the scenarios"
        if not isinstance(rest[0], int):
            return str(fp)
        name = _scenario_name(project, rest[0])
        tail = rest[1:]
        if not tail:
            return name
        if tail[0] == "excluded" and len(tail) >= 2 and isinstance(tail[1], int):
            excluded = _excluded_at(project, rest[0], tail[1])
            who = f" ({excluded!r})" if excluded is not None else ""
            return f"{name}: partner left out{who}"
        sub = ".".join(str(t) for t in tail if isinstance(t, str))
        words = _WORDS.get(f"scenarios[].{sub}") or sub.replace("_", " ").replace(".", " ")
        return f"{name}: {words}"
    if head == "budget":
        if rest[:1] == ("per_year",):
            if len(rest) >= 2 and isinstance(rest[1], int):
                start = getattr(project, "start_year", None)
                if isinstance(start, int):
                    return f"the budget for {start + rest[1]}"
                return f"the budget for year {rest[1] + 1}"
            return "the budget for each year"
        if not rest:
            return "the budget"
    words = _WORDS.get(fp.pattern)
    if words:
        return words
    return str(fp)


def describe_file_path(path: FieldPath | str, raw: Any = None) -> str:
    """A path named by a problem in a project file that could not be read, in words,
    followed by the path itself: "Amani Collective, Capacity (per year)
    (partners[1].capacity)".

    ``raw`` is the file's parsed JSON if it could be parsed (names are taken from it);
    there is no project to ask, since the file is what was refused.
    """
    if not str(path).strip():
        return ""
    try:
        parts = as_path(path).parts
    except ValidationError:
        return str(path)
    text = str(path)
    label = _label(parts)
    if len(parts) >= 2 and parts[0] in ("partners", "scenarios") and isinstance(parts[1], int):
        who = _raw_item_name(raw, parts[0], parts[1])
        if len(parts) == 2:
            return f"{who} ({text})"
        rest = label or ".".join(str(x) for x in parts[2:])
        return f"{who}, {rest} ({text})"
    return f"{label} ({text})" if label else text


def _label(parts: tuple[str | int, ...]) -> str:
    """The field's label as the app's headers show it, or "" for a field FairShare lacks."""
    try:
        return spec_for(FieldPath(parts)).label
    except KeyError:
        return ""


def _raw_item_name(raw: Any, kind: str, i: int) -> str:
    name = None
    if isinstance(raw, dict):
        items = raw.get(kind)
        if isinstance(items, list) and 0 <= i < len(items) and isinstance(items[i], dict):
            name = items[i].get("name")
    named = isinstance(name, str) and bool(name)
    if kind == "partners":
        return str(name) if named else f"partner {i + 1}"
    return f"scenario “{name}”" if named else f"scenario {i + 1}"


def _question_topic(qid: str) -> str:
    try:
        return needs.question(qid).topic
    except KeyError:
        return qid


def _excluded_at(project: Any, j: int, k: int) -> str | None:
    try:
        return project.scenarios[j].excluded[k]
    except (AttributeError, IndexError):
        return None
