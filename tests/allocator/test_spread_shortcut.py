"""The spread limit in closed form (docs/spread-band.md), against the plain leximin rounds.

The closed form returns the split without the spread limit when it keeps the limit, and
nothing otherwise; a figures-only solve (a sweep's step) then runs no program at all.
These tests compare that with the textbook rounds (``leximin_rounds``: one program per
level, fixing the partners whose level rows carry a dual) on many small random years
with floors, needs floors, capacities, a lead cap, a ring-fence and a spread limit, and
check the two facts the proof rests on with programs of their own.
"""

from __future__ import annotations

import contextlib

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from allocator.domain.edits import set_field
from allocator.domain.model import project_from_dict
from allocator.engine.fairness import leximin_split
from allocator.engine.instances import YearInstance, year_instances
from allocator.engine.program import YearProgram
from allocator.engine.result import CAPACITY, FLOOR, LEAD_CAP, NEEDS_FLOOR, Status
from allocator.engine.solve import Engine, closed_form, leximin_rounds

from .strategies import projects
from .test_engine import assert_invariants

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

ROOM = [0.5, 0.8, 1.0, 1.0, 1.3, 2.0, 4.0]  # capacity in fair shares
FLOOR_SHARE = [0.0, 0.0, 0.0, 0.3, 0.9, 1.2, 1.6]  # floor in fair shares (below capacity)


@st.composite
def years(draw, core_share: bool = False) -> YearInstance:
    """One year with every rule on, built the way ``year_instances`` builds one.

    The spread limit is drawn relative to the spread of the split without it, so it is
    often exactly met, a little loose or clearly too tight (never within the solver's
    tolerance of the edge, where a program may answer either way).
    """
    n = draw(st.integers(2, 7))
    needs = np.array([draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.7, 5.0])) for _ in range(n)])
    kappa = draw(st.sampled_from([0.0, 0.3, 0.5])) if core_share else 0.0
    share = kappa / n + (1 - kappa) * needs / needs.sum()
    # capacities and floors in fair shares of a nominal budget, then the budget itself
    # somewhere between the floors and the capacities
    nominal = float(draw(st.sampled_from([1_000, 250_000, 3_000_000])))
    cap = nominal * share * np.array([draw(st.sampled_from(ROOM)) for _ in range(n)])
    floor = np.minimum(
        nominal * share * np.array([draw(st.sampled_from(FLOOR_SHARE)) for _ in range(n)]), cap
    )
    spare = draw(st.sampled_from([0.05, 0.3, 0.6, 0.9, 1.0]))
    D = float(round(floor.sum() + spare * (cap.sum() - floor.sum())))  # whole units
    tau = D * share
    alpha = draw(st.sampled_from([0.0, 0.0, 0.5, 0.8]))
    lo, lo_kind = floor.copy(), [FLOOR] * n
    for p in range(n):
        if alpha * tau[p] > lo[p]:
            lo[p], lo_kind[p] = alpha * tau[p], NEEDS_FLOOR
    lam = draw(st.sampled_from([None, None, 0.15, 0.3]))
    hi, hi_kind = cap.copy(), [CAPACITY] * n
    lead = np.zeros(n, dtype=bool)
    lead[0] = True
    if lam is not None and lam * D < hi[0]:
        hi[0], hi_kind[0] = lam * D, LEAD_CAP
    bf = np.array([draw(st.booleans()) for _ in range(n)])
    # a ring-fence near the by-and-for partners' share of the fair shares, so that it
    # often binds
    rho = float(share[bf].sum()) * draw(st.sampled_from([0.0, 0.0, 0.7, 1.1, 1.3, 1.6]))
    rho = min(round(rho, 3), 1.0)
    ring = rho * D
    # the rules before the spread limit can be met (what the checks before solving say)
    assume((lo <= hi).all() and lo.sum() <= D <= hi.sum())
    assume(ring == 0 or (bf.any() and hi[bf].sum() >= ring and lo[~bf].sum() <= D - ring))
    inst = YearInstance(
        year=2027,
        budget=int(D),
        fee=0,
        ids=[f"p{p}" for p in range(n)],
        index=list(range(n)),
        need=needs,
        tau=tau,
        lo=lo,
        lo_kind=lo_kind,
        hi=hi,
        hi_kind=hi_kind,
        floor=floor,
        cap=cap,
        bf=bf,
        lead=lead,
        ring=ring,
        rho=rho,
        alpha=alpha,
        lam=lam,
        k=None,
        kappa=kappa,
        share=share,
        by_need=needs / needs.sum(),
    )
    # the spread of the split without a limit, in funding per unit of need
    x = leximin_split(tau, lo, hi, bf, ring, D, None)
    per_need = x / inst.spread_dir
    assume(per_need.min() > 0)  # someone at nothing: no spread limit can hold
    spread = float(per_need.max() / per_need.min())
    inst.k = draw(
        st.sampled_from(
            [
                max(1.0, spread),  # exactly met
                max(1.0, spread),
                max(1.0, spread * 1.05),  # a little loose
                spread * 3,  # far from binding
                spread * 0.97,  # too tight (when above 1)
                1.0,  # everyone at the same funding per unit of need
                1.5,
                2.0,
            ]
        )
    )
    assume(inst.k >= 1.0 and abs(inst.k / spread - 1) > 1e-4 or inst.k == max(1.0, spread))
    event("the limit is exactly met" if inst.k == spread else "the limit is not exactly met")
    event("the ring-fence binds" if ring > 0 and x[bf].sum() <= ring * (1 + 1e-9) else "no ring")
    return inst


def plain_rounds(inst: YearInstance) -> np.ndarray | None:
    """The textbook leximin of one year (None: the year cannot be met)."""
    got = leximin_rounds(YearProgram(inst, "leximin", "highs"))
    return None if got is None else got[0]


def extreme_attainment(inst: YearInstance, lowest_largest: bool) -> float | None:
    """With budget, boxes and ring-fence only: the lowest largest attainment any split
    has (``lowest_largest``), or the highest smallest, by one program of its own."""
    n = len(inst.tau)
    D = inst.D
    tau = inst.tau / D
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_ = n + 1  # shares of D, then the attainment bound
    lp.col_cost_ = np.r_[np.zeros(n), 1.0 if lowest_largest else -1.0]
    lp.col_lower_ = np.r_[inst.lo / D, 0.0]
    lp.col_upper_ = np.r_[inst.hi / D, highspy.kHighsInf]
    starts, index, value, row_lo, row_hi = [0], [], [], [], []

    def row(cols, vals, lo, hi):
        index.extend(cols)
        value.extend(vals)
        starts.append(len(index))
        row_lo.append(lo)
        row_hi.append(hi)

    inf = highspy.kHighsInf
    row(range(n), [1.0] * n, 1.0, 1.0)
    if inst.ring > 0:
        bf = np.nonzero(inst.bf)[0].tolist()
        row(bf, [1.0] * len(bf), inst.ring / D, inf)
    for p in range(n):  # x_p / tau_p below the bound (or above it)
        if lowest_largest:
            row([p, n], [1.0, -tau[p]], -inf, 0.0)
        else:
            row([p, n], [1.0, -tau[p]], 0.0, inf)
    lp.num_row_ = len(row_lo)
    lp.row_lower_ = np.array(row_lo)
    lp.row_upper_ = np.array(row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getSolution().col_value[n])


# -- the closed form against the plain rounds -------------------------------------------


@SETTINGS
@given(years())
def test_closed_form_equals_the_plain_rounds_with_a_spread_limit(inst):
    """No core share: the closed form is the rounds' split, and None exactly when the
    rounds find that the year cannot be met."""
    x = closed_form(inst)
    plain = plain_rounds(inst)
    if x is None:
        assert plain is None, "the closed form gave up on a year that can be met"
        return
    assert plain is not None, "the closed form split a year that cannot be met"
    assert np.abs(x - plain).max() <= 1e-6 * inst.D, (x, plain)
    # and it keeps every rule
    D = inst.D
    assert abs(x.sum() - D) <= 1e-9 * D
    assert (x >= inst.lo - 1e-9 * D).all() and (x <= inst.hi + 1e-9 * D).all()
    assert x[inst.bf].sum() >= inst.ring - 1e-9 * D
    a = x / inst.tau
    assert a.max() <= inst.k * a.min() * (1 + 1e-9)


@SETTINGS
@given(years(core_share=True))
def test_with_a_core_share_a_closed_form_split_is_the_plain_rounds_split(inst):
    """A core share: the closed form answers only when the split without the limit keeps
    it, and then it is the rounds' split; otherwise the programs decide."""
    x = closed_form(inst)
    if x is None:
        return
    plain = plain_rounds(inst)
    assert plain is not None
    assert np.abs(x - plain).max() <= 1e-6 * inst.D, (x, plain)


@SETTINGS
@given(years())
def test_the_split_without_the_limit_is_the_most_even_from_both_ends(inst):
    """Theorems A and B of docs/spread-band.md, each against a program of its own: the
    split has the highest smallest and the lowest largest attainment of any split."""
    x = leximin_split(inst.tau, inst.lo, inst.hi, inst.bf, inst.ring, inst.D, None)
    a = x / inst.tau
    lowest_largest = extreme_attainment(inst, lowest_largest=True)
    highest_smallest = extreme_attainment(inst, lowest_largest=False)
    assert lowest_largest is not None and highest_smallest is not None
    assert a.max() <= lowest_largest * (1 + 1e-6)
    assert a.min() >= highest_smallest * (1 - 1e-6)


@SETTINGS
@given(years())
def test_the_spread_band_gives_the_same_split_when_the_limit_can_be_met(inst):
    """The band construction (every attainment in [m, k m]) and the split without the
    limit are the same split whenever the limit can be met."""
    x = closed_form(inst)
    assume(x is not None)
    band = leximin_split(inst.tau, inst.lo, inst.hi, inst.bf, inst.ring, inst.D, inst.k)
    assert np.abs(band - x).max() <= 1e-9 * inst.D


# -- whole solves ------------------------------------------------------------------------


@contextlib.contextmanager
def counting_programs():
    """Counts the programs solved meanwhile."""
    calls = []
    real = YearProgram.solve

    def counted(self):
        calls.append(1)
        return real(self)

    YearProgram.solve = counted
    try:
        yield calls
    finally:
        YearProgram.solve = real


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(core_share=True), st.sampled_from([1.0, 1.2, 1.5, 2.0, 3.0, 6.0]))
def test_figures_with_a_spread_limit_equal_the_plain_rounds_and_run_no_program(data, k):
    data["scenarios"][0]["spread_limit"] = k
    project = project_from_dict(data)
    with counting_programs() as calls:
        figures = Engine().solve(project, detail="figures")[0]
    plain = Engine(method="rounds").solve(project)[0]
    full = Engine().solve(project)[0]
    assert figures.status == plain.status == full.status
    assert figures.fee == full.fee and figures.metrics == full.metrics
    if not figures.ok:
        return
    assert_invariants(project, figures)
    for a, b, c in zip(figures.partners, plain.partners, full.partners, strict=True):
        assert a.per_year == c.per_year and a.limited_by_per_year == c.limited_by_per_year
        assert max(abs(u - v) for u, v in zip(a.per_year, b.per_year, strict=True)) <= 1
    if project.scenarios[0].core_share == 0:
        assert calls == []  # the closed form is exact: no program at all


def test_the_sample_with_spread_limits_runs_no_program_for_figures(sample_project):
    for j, s in enumerate(sample_project.scenarios):
        for k in (1.5, 2.0, 3.0):
            project = set_field(sample_project, f"scenarios[{j}].spread_limit", k)
            project = set_field(project, f"scenarios[{j}].core_share", 0)
            with counting_programs() as calls:
                [fig] = Engine().solve(project, [s.name], detail="figures")
            [full] = Engine().solve(project, [s.name])
            [plain] = Engine(method="rounds").solve(project, [s.name])
            assert fig.status == full.status == plain.status
            if fig.ok:
                assert calls == []
                assert [p.per_year for p in fig.partners] == [p.per_year for p in full.partners]
                for a, b in zip(fig.partners, plain.partners, strict=True):
                    assert max(abs(u - v) for u, v in zip(a.per_year, b.per_year, strict=True)) <= 1


def test_a_spread_limit_that_cannot_be_met_is_found_by_the_programs(sample_project):
    """k = 1 asks for the same funding per unit of need for everyone, which the floors
    and capacities of the sample do not allow: both solves say so, by the programs."""
    name = sample_project.scenarios[0].name
    project = set_field(sample_project, "scenarios[0].spread_limit", 1.0)
    inst = year_instances(project, project.scenarios[0])[0]
    assert closed_form(inst) is None and plain_rounds(inst) is None
    with counting_programs() as calls:
        [fig] = Engine().solve(project, [name], detail="figures")
    [full] = Engine().solve(project, [name])
    assert fig.status is Status.INFEASIBLE and full.status is Status.INFEASIBLE
    assert calls
    assert fig.checks == full.checks[: len(fig.checks)]


@pytest.mark.parametrize(
    ("path", "start", "stop"),
    [("partners[1].capacity", 60_000, 300_000), ("partners[2].floor", 0, 150_000)],
)
def test_a_sweep_of_a_partner_figure_equals_fresh_solves(sample_project, path, start, stop):
    """The engine keeps the partners' figures between solves while the partners stay the
    same; a sweep that changes a partner must not reuse them."""
    from allocator.report.sweep import sweep

    name = "Needs-weighted"
    project = set_field(sample_project, "scenarios[1].spread_limit", 2.5)
    assert project.scenarios[1].name == name
    sw = sweep(project, name, path, start, stop, 7)
    assert {s.status for s in sw.steps} >= {"optimal"}
    for step in sw.steps:
        [fresh] = Engine().solve(set_field(project, path, step.value), [name])
        assert step.status == str(fresh.status.value)
        if fresh.ok:
            assert step.grants == tuple(p.total for p in fresh.partners)
            assert step.limited_by == tuple(p.limited_by for p in fresh.partners)
