"""Every change a person can make to a project, one function each, and ``validate``.

Each function returns a new Project and never changes the one it was given, so the
desktop app can keep the old one for undo. A refused edit raises ValidationError with
the path of what was refused and changes nothing.

Two kinds of rule: a value that can never be right (a negative capacity, a fee above
25%, an unknown partner in ``excluded``) is refused at once, as the file reader would
refuse it. A state that is only wrong together with other fields (a floor above the
capacity, two leads where a fee is set, a blank score) is allowed, because a person
fills a project in one cell at a time and in any order: ``validate`` reports it, the
file keeps it, and a solve waits until it is put right. So no edit produces a project
that saving refuses, and saving then opening gives the same project back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from allocator.domain import needs
from allocator.domain.fields import (
    CHOSEN,
    FIELDS,
    SCENARIO_NAME,
    FieldSpec,
    parse_value,
    spec_for,
)
from allocator.domain.model import (
    QUESTIONNAIRE,
    SCORE_KEYS,
    TYPED,
    BackOfficeRate,
    Budget,
    Partner,
    Project,
    Scenario,
    Weights,
    by_identity,
    check_project,
    partner_to_dict,
    project_to_dict,
    strict_problems,
)
from allocator.domain.paths import FieldPath, as_path
from allocator.errors import Problem, ValidationError

__all__ = [
    "add_partner",
    "add_scenario",
    "duplicate_partner",
    "duplicate_scenario",
    "move_partner",
    "move_scenario",
    "new_partner",
    "new_project",
    "project_fingerprint",
    "remove_partners",
    "remove_scenario",
    "rename_scenario",
    "set_chosen",
    "set_field",
    "set_needs_answers",
    "use_questionnaire_score",
    "validate",
]

DEFAULT_SCENARIO = "Needs-weighted"


def _refuse(path: str, message: str) -> ValidationError:
    return ValidationError([Problem(path, message)])


# ----------------------------------------------------------------------------------
# Checking
# ----------------------------------------------------------------------------------


def validate(project: Project) -> list[Problem]:
    """Every problem that stops a solve, each with its path, in project order.

    The reader's refusals (ranges, types, unknown partners in ``excluded``, duplicate
    ids and scenario names, an unknown chosen scenario) come first, found by the
    reader itself; then what only a solve needs (blanks, floor above capacity, leads,
    reach, no partners or scenarios, a scenario that leaves every partner out). A
    blank score is always a problem here, never read as no need.
    """
    problems = list(strict_problems(project))
    seen = {p.path for p in problems}
    for p in check_project(project):
        if p.path not in seen:
            problems.append(p)
            seen.add(p.path)
    return problems


def project_fingerprint(project: Project) -> str:
    """A stable hash of the project as it would be saved: equal projects, equal prints.

    Results carry it, so a view can tell a result of an older edit from a current one.
    """
    return by_identity(_FINGERPRINTS, project, _fingerprint)


_FINGERPRINTS: dict[int, tuple[Any, Any]] = {}
_PARTNER_TEXTS: dict[int, tuple[Any, Any]] = {}
_PARTNERS_KEY = '"partners":[]'


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=repr)


def _fingerprint(project: Project) -> str:
    """The hash of the saved form's compact JSON, keys sorted.

    Each partner's part of the text is kept with the partner (an edit replaces only
    the partners it changes), and spliced into the rest: the text, so the hash, is
    the same as dumping the whole saved form at once. The key cannot occur inside a
    string, where every quote is escaped.
    """
    data = project_to_dict(replace(project, partners=()))
    head = _json(data)
    parts = [by_identity(_PARTNER_TEXTS, p, _partner_json) for p in project.partners]
    text = head.replace(_PARTNERS_KEY, '"partners":[' + ",".join(parts) + "]", 1)
    import hashlib  # here: opening the app needs no hash before its first frame

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _partner_json(p: Partner) -> str:
    return _json(partner_to_dict(p))


# ----------------------------------------------------------------------------------
# One field
# ----------------------------------------------------------------------------------

_KNOWN_PATHS = [spec.pattern for spec in FIELDS]


def _unknown_field(fp: FieldPath) -> ValidationError:
    text = str(fp)
    import difflib  # only for a path nobody knows: kept off the start-up path

    close = difflib.get_close_matches(fp.pattern, _KNOWN_PATHS, n=1, cutoff=0.7)
    hint = ""
    if close:
        guess = close[0]
        for i in (p for p in fp.parts if isinstance(p, int)):
            guess = guess.replace("[]", f"[{i}]", 1)
        hint = f"; did you mean {guess}?"
    return _refuse(text, f"is not a field you can set{hint}")


def set_field(project: Project, path: FieldPath | str, value: Any) -> Project:
    """The project with one field set to ``value``, typed as a person types it.

    ``value`` may be text ("£120,000", "120k", "35%", "yes", "" for a blank where
    allowed) or a Python value; it is parsed and checked against the field's
    description. Cross-field states are allowed (see the module). A score set here is
    marked as typed: the needs answers no longer change it.
    """
    fp = as_path(path)
    parts = fp.parts
    text = str(fp)
    if parts[:1] == ("partners",) and len(parts) == 4 and parts[2] == "needs_answers":
        return _set_answer(project, fp, value)
    try:
        spec = spec_for(fp)
    except KeyError:
        raise _unknown_field(fp) from None
    _check_index(project, fp)
    if spec is CHOSEN:
        if value is None or (isinstance(value, str) and not value.strip()):
            return replace(project, chosen=None)
        return set_chosen(project, value)
    if spec is SCENARIO_NAME:
        return rename_scenario(project, _index(fp, 1), value)
    parsed = parse_value(spec, value, text)
    head = _name(fp, 0)
    if head == "partners":
        return _set_partner(project, _index(fp, 1), spec, parsed)
    if head == "scenarios":
        return _set_scenario(project, fp, spec, parsed)
    if head == "budget":
        return _set_budget(project, fp, parsed)
    if fp.pattern == "years.count":
        return _set_year_count(project, parsed)
    if fp.pattern == "years.start":
        return replace(project, start_year=parsed)
    return replace(project, **{head: parsed})


def _index(fp: FieldPath, at: int) -> int:
    """The list index at position ``at`` of a path whose pattern has one there."""
    part = fp.parts[at]
    assert isinstance(part, int), f"{fp}: no index at {at}"
    return part


def _name(fp: FieldPath, at: int) -> str:
    """The field name at position ``at`` of a path whose pattern has one there."""
    part = fp.parts[at]
    assert isinstance(part, str), f"{fp}: no name at {at}"
    return part


def _check_index(project: Project, fp: FieldPath) -> None:
    parts = fp.parts
    text = str(fp)
    if parts[0] == "partners" and not 0 <= (i := _index(fp, 1)) < len(project.partners):
        raise _refuse(text, f"there is no partner {i + 1} (there are {len(project.partners)})")
    if parts[0] == "scenarios" and not 0 <= (j := _index(fp, 1)) < len(project.scenarios):
        raise _refuse(text, f"there is no scenario {j + 1} (there are {len(project.scenarios)})")
    if fp.pattern == "budget.per_year[]" and not 0 <= (k := _index(fp, 2)) < project.year_count:
        raise _refuse(text, f"there is no year {k + 1}: the grant runs {project.year_count} years")


def _set_partner(project: Project, i: int, spec: FieldSpec, value: Any) -> Project:
    changes: dict[str, Any] = {spec.key: value}
    if spec.key in SCORE_KEYS:
        sources = dict(project.partners[i].score_source)
        sources[spec.key] = TYPED
        changes["score_source"] = sources
    return project.with_partner(i, **changes)


def _set_scenario(project: Project, fp: FieldPath, spec: FieldSpec, value: Any) -> Project:
    j = _index(fp, 1)
    s = project.scenarios[j]
    group = _name(fp, 2)
    if group == "weights":
        return project.with_scenario(j, weights=replace(s.weights, **{spec.key: value}))
    if group == "back_office_rate":
        rate = replace(s.back_office_rate, **{spec.key: value})
        return project.with_scenario(j, back_office_rate=rate)
    if spec.kind == "ids":
        value = _partner_ids(project, value, str(fp))
    return project.with_scenario(j, **{spec.key: value})


def _partner_ids(project: Project, items: tuple[str, ...], path: str) -> tuple[str, ...]:
    """Partners named by id or by name (case aside, when only one has it) -> their ids."""
    ids = [p.id for p in project.partners]
    out: list[str] = []
    for item in items:
        if item in ids:
            pid = item
        else:
            by_name = [p.id for p in project.partners if p.name.strip().lower() == item.lower()]
            if len(by_name) != 1:
                what = "several partners are called" if by_name else "no partner has the id or name"
                raise _refuse(path, f"{what} {item!r}")
            pid = by_name[0]
        if pid not in out:
            out.append(pid)
    return tuple(out)


def _set_budget(project: Project, fp: FieldPath, value: Any) -> Project:
    b = project.budget
    key = _name(fp, 1)
    if key == "per_year":
        k = _index(fp, 2)
        if b.per_year is not None:
            figures = list(b.per_year) + [None] * (project.year_count - len(b.per_year))
        elif b.first_year is not None:
            # The figures the person saw for each year become the ones they edit.
            figures = list(map(float, b.amounts(project.year_count)))
        else:
            figures = [None] * project.year_count
        figures[k] = value
        return replace(project, budget=Budget(per_year=tuple(figures[: project.year_count])))
    if b.per_year is not None:
        # Leaving per-year figures: the first year's figure is the one entered for it.
        first = b.per_year[0] if b.per_year else None
        b = Budget(first_year=first, annual_uplift=0.0)
    return replace(project, budget=replace(b, **{key: value}))


def _set_year_count(project: Project, count: int) -> Project:
    b = project.budget
    if b.per_year is not None:
        figures = list(b.per_year[:count]) + [None] * (count - len(b.per_year))
        b = Budget(per_year=tuple(figures))
    return replace(project, year_count=count, budget=b)


# ----------------------------------------------------------------------------------
# Partners
# ----------------------------------------------------------------------------------


def _fresh_id(taken: set[str], stem: str = "partner") -> str:
    n = 1
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


def _fresh_name(taken: Iterable[str], base: str, first_plain: bool = True) -> str:
    taken = set(taken)
    if first_plain and base not in taken:
        return base
    n = 2 if first_plain else 1
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def new_partner(project: Project) -> Partner:
    """A partner to fill in: a fresh id and name, and blanks where only the person knows.

    Capacity and the two scores are blank (never a number nobody entered): ``validate``
    asks for them until they are filled in.
    """
    ids = {p.id for p in project.partners}
    names = {p.name for p in project.partners}
    return Partner(
        id=_fresh_id(ids),
        name=_fresh_name(names, "New partner", first_plain=False),
        capacity=None,
        multiple_disadvantage=None,
        back_office_capacity=None,
    )


def _partner_problems(project: Project, i: int) -> list[Problem]:
    prefix = f"partners[{i}]"
    return [
        p for p in strict_problems(project) if p.path == prefix or p.path.startswith(prefix + ".")
    ]


def add_partner(
    project: Project, partner: Partner | None = None, index: int | None = None
) -> Project:
    """Add a partner (a new blank one if none is given) at ``index``, or at the end.

    A given partner whose id is taken gets a fresh one; one with a value the file
    reader would refuse is refused, naming the field.
    """
    partners = list(project.partners)
    at = len(partners) if index is None else index
    if not 0 <= at <= len(partners):
        raise _refuse("partners", f"cannot add a partner at position {at + 1}")
    if partner is None:
        partner = new_partner(project)
    elif partner.id in {p.id for p in partners} or not isinstance(partner.id, str):
        partner = replace(partner, id=_fresh_id({p.id for p in partners}))
    partners.insert(at, partner)
    result = replace(project, partners=tuple(partners))
    problems = _partner_problems(result, at)
    if problems:
        raise ValidationError(problems)
    return result


def _indices(project: Project, indices: Iterable[int], what: str) -> list[int]:
    count = len(project.partners) if what == "partner" else len(project.scenarios)
    out = sorted(set(indices))
    for i in out:
        if not isinstance(i, int) or not 0 <= i < count:
            raise _refuse(f"{what}s", f"there is no {what} {i + 1 if isinstance(i, int) else i}")
    return out


def remove_partners(project: Project, indices: Iterable[int]) -> Project:
    """Remove these partners, and from every scenario's partners left out."""
    gone = _indices(project, indices, "partner")
    ids = {project.partners[i].id for i in gone}
    partners = tuple(p for i, p in enumerate(project.partners) if i not in set(gone))
    scenarios = tuple(
        replace(s, excluded=tuple(e for e in s.excluded if e not in ids))
        if any(e in ids for e in s.excluded)
        else s
        for s in project.scenarios
    )
    return replace(project, partners=partners, scenarios=scenarios)


def duplicate_partner(project: Project, index: int) -> Project:
    """A copy of a partner right after it, with a fresh id and "(copy)" in its name.

    The copy is not the lead (a partnership has one lead) and takes part in every
    scenario.
    """
    (i,) = _indices(project, [index], "partner")
    original = project.partners[i]
    taken = {p.name for p in project.partners}
    copy = replace(
        original,
        id=_fresh_id({p.id for p in project.partners}, _id_stem(original.id)),
        name=_fresh_name(taken, f"{original.name} (copy)"),
        lead=False,
        needs_answers=dict(original.needs_answers),
        score_source=dict(original.score_source),
    )
    partners = list(project.partners)
    partners.insert(i + 1, copy)
    return replace(project, partners=tuple(partners))


def _id_stem(pid: str) -> str:
    stem = "".join(c for c in pid if c.isalnum() or c in "-_")[:40]
    return stem or "partner"


def _move(items: tuple, index: int, to: int) -> tuple:
    out = list(items)
    item = out.pop(index)
    out.insert(to, item)
    return tuple(out)


def move_partner(project: Project, index: int, to: int) -> Project:
    """Move a partner to position ``to`` (rows below shift to make room)."""
    (i,) = _indices(project, [index], "partner")
    (t,) = _indices(project, [to], "partner")
    return replace(project, partners=_move(project.partners, i, t))


# ----------------------------------------------------------------------------------
# Needs answers and where the scores come from
# ----------------------------------------------------------------------------------


def _answers_path(i: int) -> str:
    return f"partners[{i}].needs_answers"


def set_needs_answers(project: Project, index: int, answers: Mapping[str, str]) -> Project:
    """Store a partner's needs answers and update the scores that follow them.

    A score from the questionnaire follows the new answers (blank if its questions are
    now all blank). A blank typed score is filled by the answers and from then on
    follows them. A score a person typed is kept as typed: ``use_questionnaire_score``
    hands it back to the questionnaire.
    """
    (i,) = _indices(project, [index], "partner")
    problems = needs.validate_answers(answers, _answers_path(i))
    if problems:
        raise ValidationError(problems)
    kept = {q: a for q, a in answers.items() if a}
    p = project.partners[i]
    scored = needs.score(kept) if kept else None
    sources = dict(p.score_source)
    changes: dict[str, Any] = {"needs_answers": kept}
    for key in SCORE_KEYS:
        value = scored.group_score(key) if scored else None
        if sources[key] == QUESTIONNAIRE:
            changes[key] = value
        elif getattr(p, key) is None and value is not None:
            changes[key] = value
            sources[key] = QUESTIONNAIRE
    changes["score_source"] = sources
    return project.with_partner(i, **changes)


def use_questionnaire_score(project: Project, index: int, key: str) -> Project:
    """Let the needs answers decide this score again, instead of the typed figure.

    Without answers for it the score becomes blank, and ``validate`` asks for it.
    """
    (i,) = _indices(project, [index], "partner")
    if key not in SCORE_KEYS:
        raise _refuse(f"partners[{i}].score_source", f"{key!r} is not a needs score")
    p = project.partners[i]
    scored = needs.score(p.needs_answers) if p.needs_answers else None
    sources = dict(p.score_source)
    sources[key] = QUESTIONNAIRE
    value = scored.group_score(key) if scored else None
    return project.with_partner(i, **{key: value, "score_source": sources})


def _set_answer(project: Project, fp: FieldPath, value: Any) -> Project:
    i, qid = _index(fp, 1), _name(fp, 3)
    _check_index(project, fp)
    answers = dict(project.partners[i].needs_answers)
    text = "" if value is None else str(value).strip()
    if text:
        answers[qid] = text
    else:
        answers.pop(qid, None)
        if qid not in {q.id for q in needs.QUESTIONS}:
            answers[qid] = ""  # an unknown question is still refused, by name
    return set_needs_answers(project, i, answers)


# ----------------------------------------------------------------------------------
# Scenarios and the chosen one
# ----------------------------------------------------------------------------------


def _scenario_names(project: Project, skip: int | None = None) -> list[str]:
    return [s.name for j, s in enumerate(project.scenarios) if j != skip]


def add_scenario(project: Project, scenario: Scenario | None = None) -> Project:
    """Add a scenario at the end (a default one if none is given), under a unique name."""
    names = _scenario_names(project)
    if scenario is None:
        scenario = Scenario(name=_fresh_name(names, "New scenario"))
    elif scenario.name in names:
        scenario = replace(scenario, name=_fresh_name(names, scenario.name))
    result = replace(project, scenarios=(*project.scenarios, scenario))
    j = len(project.scenarios)
    prefix = f"scenarios[{j}]"
    problems = [
        p for p in strict_problems(result) if p.path == prefix or p.path.startswith(prefix + ".")
    ]
    if problems:
        raise ValidationError(problems)
    return result


def duplicate_scenario(project: Project, index: int) -> Project:
    """A copy of a scenario right after it, named "… (copy)"."""
    (j,) = _indices(project, [index], "scenario")
    original = project.scenarios[j]
    copy = replace(original, name=_fresh_name(_scenario_names(project), f"{original.name} (copy)"))
    scenarios = list(project.scenarios)
    scenarios.insert(j + 1, copy)
    return replace(project, scenarios=tuple(scenarios))


def remove_scenario(project: Project, index: int) -> Project:
    """Remove a scenario; if it was the chosen one, the first that is left is chosen."""
    (j,) = _indices(project, [index], "scenario")
    gone = project.scenarios[j]
    scenarios = tuple(s for k, s in enumerate(project.scenarios) if k != j)
    chosen = project.chosen
    if chosen == gone.name or (chosen is None and j == 0):
        chosen = scenarios[0].name if scenarios else None
    return replace(project, scenarios=scenarios, chosen=chosen)


def rename_scenario(project: Project, index: int, name: str) -> Project:
    """Rename a scenario; the chosen scenario stays the same scenario."""
    (j,) = _indices(project, [index], "scenario")
    path = f"scenarios[{j}].name"
    new = parse_value(SCENARIO_NAME, name, path)
    if new in _scenario_names(project, skip=j):
        raise _refuse(path, f"another scenario is already called {new!r}; names must differ")
    old = project.scenarios[j].name
    result = project.with_scenario(j, name=new)
    if project.chosen == old:
        result = replace(result, chosen=new)
    return result


def move_scenario(project: Project, index: int, to: int) -> Project:
    """Move a scenario to position ``to``; the chosen scenario stays the chosen one."""
    (j,) = _indices(project, [index], "scenario")
    (t,) = _indices(project, [to], "scenario")
    chosen = project.chosen
    if chosen is None and project.scenarios and j != t:
        chosen = project.scenarios[0].name  # "the first" would otherwise change
    return replace(project, scenarios=_move(project.scenarios, j, t), chosen=chosen)


def set_chosen(project: Project, name: str) -> Project:
    """Choose the scenario that goes into the bid, by its name.

    The exact name wins; otherwise a name that matches one scenario when case is
    ignored.
    """
    if not isinstance(name, str):
        raise _refuse("chosen", f"must be a scenario's name, got {name!r}")
    names = _scenario_names(project)
    if name not in names:
        folded = [n for n in names if n.casefold() == name.strip().casefold()]
        if len(folded) != 1:
            listed = ", ".join(repr(n) for n in names) or "none yet"
            raise _refuse("chosen", f"no scenario is called {name!r}; there are: {listed}")
        name = folded[0]
    return replace(project, chosen=name)


# ----------------------------------------------------------------------------------
# A new project
# ----------------------------------------------------------------------------------


def _parsed(pattern: str, value: Any) -> Any:
    return parse_value(spec_for(pattern), value, pattern)


def new_project(
    name: str = "New partnership",
    currency: str = "GBP",
    start_year: int | str | None = None,
    years: int | str = 3,
    first_year_budget: float | str | None = None,
) -> Project:
    """An empty project to fill in: no partners yet and one needs-weighted scenario.

    Values may be typed as a person types them ("£1.2m"); a missing start year is next
    year, a missing grant is left blank for the person to enter.
    """
    if start_year is None:
        import datetime

        start_year = datetime.date.today().year + 1
    return Project(
        name=_parsed("name", name),
        currency=_parsed("currency", currency),
        start_year=_parsed("years.start", start_year),
        year_count=_parsed("years.count", years),
        budget=Budget(
            first_year=_parsed("budget.first_year", first_year_budget), annual_uplift=0.0
        ),
        partners=(),
        scenarios=(
            Scenario(
                name=DEFAULT_SCENARIO,
                weights=Weights(),
                back_office_rate=BackOfficeRate(),
            ),
        ),
        chosen=DEFAULT_SCENARIO,
    )
