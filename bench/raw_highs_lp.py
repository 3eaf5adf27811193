"""One raw HiGHS linear program of a FairShare instance: the speed floor to compare with.

``python bench/raw_highs_lp.py FILE`` reads a project file with plain ``json``, derives
the fair shares and limits with numpy exactly as the model defines them, builds ONE
program over all partner-years of the first scenario as a CSR matrix, hands it to
HiGHS with ``passModel`` and solves it. It prints one line (status, objective, sizes).
It has no validation, no rounding, no explanations and only one program, so it is
the least work any solver-based tool could do for the same instance.

The program, with money in shares of each year's distributable budget ``D_y``: the
first leximin round over all partner-years at once, i.e. maximise the smallest
attainment ``t`` subject to budget, ring-fence, spread band (``L_y <= x/n <= U_y``,
``U_y <= k L_y``, on funding per unit of need), level rows ``x - t tau >= 0``, and the
bounds (floor / needs floor, capacity / lead cap). Fair shares follow the model:
``tau = D (kappa / N + (1 - kappa) n / sum n)``.
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np

INF = float("inf")


def instance_arrays(data: dict, scenario_index: int = 0) -> dict:
    """Per-year fair shares and limits, straight from the model's definitions."""
    s = data["scenarios"][scenario_index]
    excluded = set(s.get("excluded") or [])
    partners = [p for p in data["partners"] if p["id"] not in excluded]
    n_years = int(data["years"]["count"])
    b = data["budget"]
    if b.get("per_year") is not None:
        budgets = [math.floor(v + 0.5) for v in b["per_year"][:n_years]]
    else:
        g = b.get("annual_uplift", 0.0)
        budgets = [math.floor(b["first_year"] * (1 + g) ** y + 0.5) for y in range(n_years)]
    w = s.get("weights") or {}
    wd, wb = w.get("multiple_disadvantage", 1.0), w.get("back_office_gap", 0.5)
    basis = s.get("basis", "capacity")
    cap = np.array([float(p["capacity"]) for p in partners])
    floor = np.array([float(p.get("floor") or 0.0) for p in partners])
    md = np.array([float(p["multiple_disadvantage"]) for p in partners])
    bo = np.array([float(p["back_office_capacity"]) for p in partners])
    if basis == "equal":
        base = np.ones(len(partners))
    elif basis == "capacity":
        base = cap
    else:
        base = np.array([float(p.get("reach") or 0.0) for p in partners])
    need = base * (1 + wd * md + wb * (1 - bo))
    bf = np.array([bool(p.get("by_and_for")) for p in partners])
    lead = np.array([bool(p.get("lead")) for p in partners])
    m = s.get("management_fee", 0.0) or 0.0
    rho = s.get("ring_fence", 0.0) or 0.0
    alpha = s.get("needs_floor", 0.0) or 0.0
    lam = s.get("lead_cap")
    kappa = s.get("core_share", 0.0) or 0.0
    years = []
    for B in budgets:
        fee = math.floor(m * B + 0.5) if lead.any() else 0
        D = float(B - fee)
        tau = D * (kappa / len(need) + (1 - kappa) * need / need.sum())
        lo = np.maximum(floor, alpha * tau)
        hi = cap.copy()
        if lam is not None:
            hi[lead] = np.minimum(hi[lead], lam * D)
        nu = D * need / need.sum()  # the direction of funding per unit of need
        years.append({"D": D, "tau": tau, "nu": nu, "lo": lo, "hi": hi, "ring": rho * D})
    return {"n": len(partners), "years": years, "bf": bf, "k": s.get("spread_limit")}


def build_lp(arr: dict):
    """The whole instance as one ``highspy.HighsLp`` (CSR rows), built from arrays."""
    import highspy

    n, Y, k, bf = arr["n"], len(arr["years"]), arr["k"], arr["bf"]
    NY = n * Y
    D = np.array([yr["D"] for yr in arr["years"]])
    tau = np.concatenate([yr["tau"] for yr in arr["years"]]) / np.repeat(D, n)  # shares
    nu = np.concatenate([yr["nu"] for yr in arr["years"]]) / np.repeat(D, n)
    lo = np.concatenate([yr["lo"] for yr in arr["years"]]) / np.repeat(D, n)
    hi = np.concatenate([yr["hi"] for yr in arr["years"]]) / np.repeat(D, n)
    ring = np.array([yr["ring"] for yr in arr["years"]]) / D
    year_of = np.repeat(np.arange(Y), n)
    xcol = np.arange(NY)

    # Columns: x (NY) | t | L (Y), U (Y) (spread)
    col_lo, col_hi, cost = [lo], [hi], [np.zeros(NY)]
    nxt = NY
    t = nxt
    col_lo.append([-INF]), col_hi.append([INF]), cost.append([-1.0])
    nxt += 1
    if k is not None:
        Lc, Uc = nxt + np.arange(Y), nxt + Y + np.arange(Y)
        col_lo.append(np.zeros(2 * Y)), col_hi.append(np.full(2 * Y, INF))
        cost.append(np.zeros(2 * Y))
        nxt += 2 * Y

    # Rows as COO triplets, then sorted into CSR.
    ri, ci, vv, rlo, rhi = [], [], [], [], []
    nrow = 0

    def block(rows, cols, vals, lo_, hi_, count):
        nonlocal nrow
        ri.append(np.asarray(rows) + nrow)
        ci.append(np.asarray(cols))
        vv.append(np.asarray(vals, dtype=float))
        rlo.append(np.broadcast_to(np.asarray(lo_, dtype=float), (count,)))
        rhi.append(np.broadcast_to(np.asarray(hi_, dtype=float), (count,)))
        nrow += count

    block(year_of, xcol, np.ones(NY), 1.0, 1.0, Y)  # budget, per year
    if (ring > 0).any():
        sel = np.tile(bf, Y)
        block(year_of[sel], xcol[sel], np.ones(int(sel.sum())), ring, INF, Y)  # ring-fence
    if k is not None:
        r = np.arange(NY)
        block(
            np.concatenate([r, r]),
            np.concatenate([xcol, Lc[year_of]]),
            np.concatenate([np.ones(NY), -nu]),
            0.0,
            INF,
            NY,
        )  # spread_low
        block(
            np.concatenate([r, r]),
            np.concatenate([xcol, Uc[year_of]]),
            np.concatenate([np.ones(NY), -nu]),
            -INF,
            0.0,
            NY,
        )  # spread_high
        ry = np.arange(Y)
        block(
            np.concatenate([ry, ry]),
            np.concatenate([Uc, Lc]),
            np.concatenate([np.ones(Y), np.full(Y, -float(k))]),
            -INF,
            0.0,
            Y,
        )  # spread
    r = np.arange(NY)
    block(
        np.concatenate([r, r]),
        np.concatenate([xcol, np.full(NY, t)]),
        np.concatenate([np.ones(NY), -tau]),
        0.0,
        INF,
        NY,
    )  # level

    rows, cols, vals = np.concatenate(ri), np.concatenate(ci), np.concatenate(vv)
    order = np.argsort(rows, kind="stable")
    starts = np.zeros(nrow + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=nrow), out=starts[1:])
    lp = highspy.HighsLp()
    lp.num_col_ = nxt
    lp.num_row_ = nrow
    lp.col_cost_ = np.concatenate([np.asarray(c, dtype=float) for c in cost])
    lp.col_lower_ = np.concatenate([np.asarray(c, dtype=float) for c in col_lo])
    lp.col_upper_ = np.concatenate([np.asarray(c, dtype=float) for c in col_hi])
    lp.row_lower_ = np.concatenate(rlo)
    lp.row_upper_ = np.concatenate(rhi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = cols[order].astype(np.int32)
    lp.a_matrix_.value_ = vals[order]
    return lp


def silent_highs():
    """A HiGHS with no console output (silenced through its options before any model)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def solve_raw(data: dict, h=None) -> dict:
    """Derive, build, pass and solve; returns status, objective, x (shares) and sizes."""
    import highspy

    arr = instance_arrays(data)
    lp = build_lp(arr)
    h = h or silent_highs()
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    ok = status == highspy.HighsModelStatus.kOptimal
    sol = h.getSolution()
    x = np.array(sol.col_value[: arr["n"] * len(arr["years"])]) if ok else None
    return {
        "status": "optimal" if ok else h.modelStatusToString(status),
        "objective": h.getInfo().objective_function_value if ok else float("nan"),
        "x": x,
        "rows": lp.num_row_,
        "cols": lp.num_col_,
        "arrays": arr,
    }


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python bench/raw_highs_lp.py FILE", file=sys.stderr)
        return 2
    start = time.perf_counter()
    with open(argv[0], encoding="utf-8") as f:
        data = json.load(f)
    out = solve_raw(data)
    ms = (time.perf_counter() - start) * 1000
    print(
        f"{out['status']} objective={out['objective']:.9g} rows={out['rows']} "
        f"cols={out['cols']} {ms:.1f} ms"
    )
    return 0 if out["status"] == "optimal" else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
