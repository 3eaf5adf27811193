"""Random consortia for property tests: budgets, capacities, floors, all bases; and
random sequences of edits, as a person makes them, for the file round-trip invariants."""

from hypothesis import strategies as st


@st.composite
def projects(
    draw,
    *,
    spread=True,
    needs_floor=True,
    lead_cap=True,
    max_partners=7,
    max_years=2,
    rule=None,
    core_share=False,
):
    """A consortium as file data. ``rule`` writes an older file's rule key (any value
    the reader accepts reads as leximin); ``core_share`` draws that setting too."""
    n = draw(st.integers(2, max_partners))
    years = draw(st.integers(1, max_years))
    basis = draw(st.sampled_from(["equal", "capacity", "reach"]))
    partners = []
    lead = draw(st.integers(0, n - 1))
    for i in range(n):
        cap = draw(st.integers(5_000, 400_000))
        floor = draw(st.one_of(st.just(0), st.integers(0, cap)))
        partners.append(
            {
                "id": f"p{i}",
                "name": f"Partner {i}",
                "lead": i == lead,
                "by_and_for": draw(st.booleans()),
                "capacity": cap,
                "floor": min(floor, cap // 2),
                "reach": draw(st.integers(1, 9000)),
                "multiple_disadvantage": draw(st.floats(0, 1).map(lambda v: round(v, 3))),
                "back_office_capacity": draw(st.floats(0, 1).map(lambda v: round(v, 3))),
            }
        )
    total_cap = sum(p["capacity"] for p in partners)
    first = draw(st.integers(max(1000, total_cap // 10), total_cap + total_cap // 3))
    scenario = {
        "name": "Random",
        "basis": basis,
        "weights": {
            "multiple_disadvantage": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])),
            "back_office_gap": draw(st.sampled_from([0.0, 0.5, 1.0])),
        },
        "management_fee": draw(st.sampled_from([0.0, 0.05, 0.1, 0.15])),
        "ring_fence": draw(st.sampled_from([0.0, 0.0, 0.2, 0.3, 0.5])),
    }
    if rule is not None:
        scenario["rule"] = rule
    if core_share:
        scenario["core_share"] = draw(st.sampled_from([0.0, 0.0, 0.3, 0.5, 1.0]))
    if needs_floor:
        scenario["needs_floor"] = draw(st.sampled_from([0.0, 0.0, 0.5, 0.8]))
    if spread:
        scenario["spread_limit"] = draw(st.sampled_from([None, None, 1.5, 2.0, 4.0]))
    if lead_cap:
        scenario["lead_cap"] = draw(st.sampled_from([None, None, 0.2, 0.5]))
    return {
        "format": "fairshare-project",
        "version": 1,
        "name": "Random consortium",
        "currency": "GBP",
        "years": {"start": 2027, "count": years},
        "budget": {"first_year": first, "annual_uplift": draw(st.sampled_from([0.0, 0.02, 0.05]))},
        "partners": partners,
        "scenarios": [scenario],
    }


# ----------------------------------------------------------------------------------
# Edits as a person makes them
# ----------------------------------------------------------------------------------

TYPED = [
    "",
    "£120,000",
    "120k",
    "1.2m",
    "35%",
    "0.35",
    "yes",
    "no",
    "x",
    "-5",
    "1.2",
    "12",
    "abc",
    "2x",
    "0",
    "1",
    "2027",
    "3",
    "reach",
    "Equal",
    "GBP",
    "eur",
    "NaN",
    "inf",
    "1e400",
    " 7 500 ",
    "(1,000)",
    "\u22123",
    "Amani Collective",
    "Needs-weighted",
]
NAMES = ["Amani Collective", "riverside", "partner-1", "p0", "nobody", "New partner 1"]


def typed_values():
    """Values as they arrive from a cell, a form or the command line, good and bad."""
    return st.one_of(
        st.sampled_from(TYPED),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-10, 10**7),
        st.booleans(),
        st.none(),
        st.text(max_size=12),
        st.lists(st.sampled_from(NAMES), max_size=3),
    )


def good_values(spec):
    """Values a field accepts, typed the ways people type them."""
    from allocator.domain.fields import format_value

    kind = spec.kind
    if kind == "bool":
        return st.sampled_from(["yes", "no", "x", "", True, False])
    if kind == "text":
        return st.text(min_size=1, max_size=15).filter(str.strip) | st.sampled_from(["GBP", "eur"])
    if kind == "choice":
        return st.sampled_from(spec.choices or ("Needs-weighted", ""))
    if kind == "ids":
        return st.lists(st.sampled_from(NAMES), max_size=3)
    if kind == "rules":
        rules = st.lists(st.sampled_from(spec.choices), max_size=3, unique=True)
        return rules | rules.map(", ".join) | st.sampled_from(["", "none", "all"])
    lo = spec.minimum if spec.minimum is not None else 0.0
    hi = spec.maximum if spec.maximum is not None else 1e7
    if spec.whole:
        numbers = st.integers(int(lo), int(hi))
    else:
        numbers = st.floats(lo, hi, exclude_min=spec.exclusive_min)
    blank = st.just("") if spec.optional else st.nothing()
    return numbers | numbers.map(lambda v: format_value(spec, v)) | blank


def _answers():
    from allocator.domain.needs import QUESTIONS

    return st.lists(st.sampled_from(QUESTIONS), unique_by=lambda q: q.id, max_size=5).flatmap(
        lambda qs: st.tuples(
            *[st.sampled_from(("",) + tuple(o.id for o in q.options)) for q in qs]
        ).map(lambda ids, qs=qs: {q.id: a for q, a in zip(qs, ids, strict=True)})
    )


def edits():
    """One edit, drawn without knowing the project: indices may point past the end
    (those edits are refused, which is part of what is tested)."""
    from allocator.domain.fields import FIELDS
    from allocator.domain.needs import QUESTIONS

    index = st.integers(0, 3) | st.integers(0, 9)
    return st.one_of(
        *[
            st.sampled_from(FIELDS).flatmap(
                lambda spec: st.tuples(
                    st.just("set"),
                    st.just(spec.pattern),
                    index,
                    good_values(spec) | typed_values(),
                )
            )
        ]
        * 4,
        st.tuples(st.just("add_partner"), st.none() | index),
        st.tuples(st.just("remove_partners"), st.lists(index, max_size=3)),
        st.tuples(st.just("duplicate_partner"), index),
        st.tuples(st.just("move_partner"), index, index),
        st.tuples(st.just("add_scenario")),
        st.tuples(st.just("duplicate_scenario"), index),
        st.tuples(st.just("remove_scenario"), index),
        st.tuples(st.just("rename_scenario"), index, st.sampled_from(TYPED) | st.text(max_size=8)),
        st.tuples(st.just("move_scenario"), index, index),
        st.tuples(st.just("set_chosen"), st.sampled_from(TYPED) | index),
        st.tuples(st.just("set_needs_answers"), index, _answers()),
        st.tuples(
            st.just("use_questionnaire_score"),
            index,
            st.sampled_from(["multiple_disadvantage", "back_office_capacity"]),
        ),
        st.tuples(
            st.just("answer"),
            index,
            st.sampled_from([q.id for q in QUESTIONS]),
            st.sampled_from(["", "most", "none", "yes", "no", "dedicated", "half", "lots"]),
        ),
    )


def apply_edit(project, edit):
    """The project after one edit, or the same project when the edit is refused.

    Returns ``(project, refused)``. Only a ValidationError counts as a refusal: any
    other exception is a bug and propagates.
    """
    from allocator.domain import edits as E
    from allocator.errors import ValidationError

    kind, *args = edit
    try:
        if kind == "set":
            pattern, i, value = args
            path = pattern.replace("[]", f"[{i}]")
            return E.set_field(project, path, value), False
        if kind == "add_partner":
            return E.add_partner(project, index=args[0]), False
        if kind == "set_chosen":
            (name,) = args
            if isinstance(name, int):
                names = [s.name for s in project.scenarios]
                name = names[name % len(names)] if names else ""
            return E.set_chosen(project, name), False
        if kind == "answer":
            i, qid, answer = args
            return E.set_field(project, f"partners[{i}].needs_answers.{qid}", answer), False
        return getattr(E, kind)(project, *args), False
    except ValidationError:
        return project, True
