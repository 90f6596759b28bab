"""The exact MIP of the contract's cost: orders x warehouses x couriers x SKUs, in scaled money.

Data -> build -> solve -> read back. The reported cost is always recomputed by
routing.cost, never taken from the model, so the two can never drift apart.

Engine: the HiGHS bundled in ortools, through MathOpt. OR-Tools CP-SAT with 2 workers stays
5% above HiGHS's optimum on the benchmark's 300-order wave with a 30% gap (its LP relaxation is
weak with few workers), SCIP ends at a 0.5% gap.
HiGHS is not given the greedy answer (or the sub-waves') as a MIP start. Measured 2026-12-03
(docs/performance.md): without it the 300-order wave is proven optimal in 7-9 s instead of
10-12 s, the 3,000-order whole model more often reaches its better answer, and on a 200-order
wave over 20 warehouses the start had sent HiGHS's root into a step past the deadline (2.2 GB,
an abandoned thread busy ~20 s after the answer). Without a start HiGHS may stop at its limit
with no answer or a dearer one: the caller's answer (the greedy one) is returned instead. The
hard stop in highs.run stays for the steps HiGHS does not interrupt (presolve, root LP).

Time: the greedy answer comes first; the model is built only if the time left covers it
(model_seconds), building stops at the deadline, HiGHS is not waited for past it, and every
fallback to the greedy answer is logged and named in the solution's note.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

from routing import cost as costing
from routing import greedy, highs
from routing import index as indexing
from routing.cost import Pick
from routing.highs import OutOfTime, SolverError
from routing.index import Index
from routing.problem import Lane, Order, Wave
from routing.solution import Solution, Status, assemble

log = logging.getLogger("routing.solver")

INF = math.inf
# Seconds per candidate parcel (order x warehouse able to pick) to build the model, copy it
# into HiGHS and get through its presolve, none of which HiGHS's time limit covers. Measured
# 2026-12-03 on the shared 2-core machine (load 1.2-1.6): 20-60 us per pair (build 9-25,
# proto 3-13, HiGHS to its first check 5-25; the high end with 20 warehouses, ~7 columns a
# pair). A MIP adds its root LP and first heuristics.
MODEL_S_PER_PAIR = 50e-6
MIP_S_PER_PAIR = 25e-6
MODEL_S_MIN = 0.05  # HiGHS's own start-up on a tiny model
FINISH_S_PER_ORDER = 1e-4  # left to check, cost and write the answer (20,000 orders: 1.7 s)


@dataclass
class _Model(highs.Arrays):
    """The MIP as arrays and its decision variables (column numbers), keyed by order,
    warehouse, courier, SKU."""

    parcel: dict[tuple[str, str], int] = field(default_factory=dict)        # y[o,w]
    units: dict[tuple[str, str, str], int] = field(default_factory=dict)    # q[o,w,s]
    most: dict[tuple[str, str, str], int] = field(default_factory=dict)     # upper bound of q
    courier: dict[tuple[str, str, str], int] = field(default_factory=dict)  # z[o,w,c]
    extra_kg: dict[tuple[str, str, str], int] = field(default_factory=dict)
    served: dict[str, int] = field(default_factory=dict)  # a[o]: the order has a parcel


def pairs(index: Index) -> int:
    """The model's size, roughly: orders x warehouses able to pick."""
    return len(index.wave.orders) * sum(1 for c in index.pick_cap.values() if c != 0)


def model_seconds(index: Index, *, integer: bool = True) -> float:
    """The least time worth starting the model with: building, copying, HiGHS's presolve
    (and its root for a MIP), which its time limit does not interrupt."""
    per_pair = MODEL_S_PER_PAIR + (MIP_S_PER_PAIR if integer else 0.0)
    return MODEL_S_MIN + per_pair * pairs(index)


def require_time(index: Index, time_limit_s: float, what: str, *, integer: bool = True) -> None:
    """OutOfTime unless `time_limit_s` covers `model_seconds` of this index's model."""
    need = model_seconds(index, integer=integer)
    if time_limit_s < need:
        raise OutOfTime(f"{max(0.0, time_limit_s):.2f} s left, {what} needs about {need:.2f} s")


def _in_time(deadline: float, what: str) -> None:
    if time.perf_counter() > deadline:
        raise OutOfTime(f"{what} ran past the time limit")


def _parcels(index: Index, v: _Model, deadline: float) -> None:
    """Each order's possible parcels: which warehouse, how many units of each SKU, which courier,
    and the started kilograms past the first that the chosen courier charges."""
    fee = index.prices.unfulfilled_unit
    tax = index.prices.tax
    for k, order in enumerate(index.wave.orders):
        if k % 256 == 0:
            _in_time(deadline, "building the model")
        need = index.demand(order)
        v.constant += fee * sum(need.values())  # every unit is unfulfilled until shipped
        for w in index.pick_cap:
            if index.pick_cap[w] == 0:
                continue
            lanes = [x for x in index.lanes_to.get((w, order.zone), ())
                     if index.courier_cap.get((w, x.courier), 1) > 0]
            bounds = {s: min(q, index.stock.get((w, s), 0)) for s, q in need.items()}
            bounds = {s: b for s, b in bounds.items() if b > 0}
            if not lanes or not bounds:
                continue
            y = v.parcel[(order.id, w)] = v.var(1)
            qs = []
            for s, b in bounds.items():
                q = v.units[(order.id, w, s)] = v.var(b)
                v.most[(order.id, w, s)] = b
                v.row([(q, 1), (y, -b)], hi=0)  # units only in a parcel that exists
                qs.append((q, s))
                v.pay(q, tax[(s, w)] - fee)
            v.row([(q, 1) for q, _ in qs] + [(y, -1)], lo=0)  # no empty parcel
            heaviest = sum(index.weight_g[s] * b for s, b in bounds.items())
            _couriers(index, v, order, w, lanes, y, qs,
                      max_extra=indexing.extra_kilograms(heaviest))


def _couriers(index: Index, v: _Model, order: Order, w: str, lanes: list[Lane], y: int,
              qs: list[tuple[int, str]], *, max_extra: int) -> None:
    """One courier per parcel, paid its first kilogram and lateness, and its per-kg price for
    every started kilogram past the first; a flat-rate courier (extra_kg 0) carries any weight."""
    zs, covers, charged = [], [], False
    prices = index.prices
    for lane in lanes:
        z = y if len(lanes) == 1 else v.var(1)
        v.courier[(order.id, w, lane.courier)] = z
        zs.append(z)
        key = (w, lane.courier, lane.zone)
        v.pay(z, prices.first_kg[key] + prices.late_per_day * costing.late_days(lane, order))
        per_kg = prices.extra_kg[key]
        if max_extra == 0:
            continue
        if per_kg == 0:  # chosen, it covers the heaviest parcel this order can get here
            covers.append((z, 1000 * max_extra))
            continue
        e = v.extra_kg[(order.id, w, lane.courier)] = v.var(max_extra)
        if len(lanes) > 1:
            v.row([(e, 1), (z, -max_extra)], hi=0)  # paid only to the chosen courier
        covers.append((e, 1000))
        v.pay(e, per_kg)
        charged = True
    if len(zs) > 1:
        v.row([(z, 1) for z in zs] + [(y, -1)], lo=0, hi=0)  # one courier per parcel
    if charged:  # the weight is covered: first kilogram + paid kilograms (or a flat rate)
        v.row(covers + [(y, 1000)] + [(q, -index.weight_g[s]) for q, s in qs], lo=0)


def _order_rules(index: Index, v: _Model) -> None:
    """No order gets more than it asked for; split parcels pay the extra-parcel penalty;
    never more parcels than the split limit."""
    by_order: dict[str, list[str]] = {}
    for (o, w) in v.parcel:
        by_order.setdefault(o, []).append(w)
    fee = index.prices.extra_parcel
    limit = index.wave.max_parcels_per_order
    for order in index.wave.orders:
        ws = by_order.get(order.id, [])
        for s, qty in index.demand(order).items():
            keys = [(order.id, w, s) for w in ws if (order.id, w, s) in v.units]
            if sum(v.most[k] for k in keys) > qty:
                v.row([(v.units[k], 1) for k in keys], hi=qty)
        ys = [v.parcel[(order.id, w)] for w in ws]
        if limit is not None and len(ys) > limit:
            v.row([(y, 1) for y in ys], hi=limit)
        if len(ys) > 1 and fee > 0:
            a = v.served[order.id] = v.var(1)
            v.row([(y, 1) for y in ys] + [(a, -1)], lo=0)
            for y in ys:
                v.pay(y, fee)
            v.pay(a, -fee)


def _capacities(index: Index, v: _Model) -> None:
    """Stock per warehouse and SKU, units each warehouse can pick, parcels each courier
    collects from each warehouse."""
    stock: dict[tuple[str, str], list] = {}
    picked: dict[str, list] = {}
    for (o, w, s), q in v.units.items():
        stock.setdefault((w, s), []).append((q, v.most[(o, w, s)]))
        picked.setdefault(w, []).append((q, v.most[(o, w, s)]))
    for (w, s), qs in stock.items():
        if sum(b for _, b in qs) > index.stock[(w, s)]:
            v.row([(q, 1) for q, _ in qs], hi=index.stock[(w, s)])
    for w, qs in picked.items():
        cap = index.pick_cap[w]
        if cap is not None and sum(b for _, b in qs) > cap:
            v.row([(q, 1) for q, _ in qs], hi=cap)
    pickups: dict[tuple[str, str], list] = {}
    for (_o, w, c), z in v.courier.items():
        pickups.setdefault((w, c), []).append(z)
    for key, zs in pickups.items():
        cap = index.courier_cap.get(key)
        if cap is not None and len(zs) > cap:
            v.row([(z, 1) for z in zs], hi=cap)


def build(index: Index, *, deadline: float = INF) -> _Model:
    """The wave's model; OutOfTime if building it runs past the deadline."""
    v = _Model(scale=index.prices.scale)
    _parcels(index, v, deadline)
    _order_rules(index, v)
    _capacities(index, v)
    return v


def read(index: Index, v: _Model, x: list[float]) -> list[Pick]:
    picks = []
    for (o, w), y in v.parcel.items():
        if round(x[y]) != 1:
            continue
        lines = {s: round(x[v.units[(o, w, s)]])
                 for s in index.demand(index.orders[o]) if (o, w, s) in v.units}
        lane = max((lane for lane in index.lanes_to[(w, index.orders[o].zone)]
                    if (o, w, lane.courier) in v.courier),
                   key=lambda lane: x[v.courier[(o, w, lane.courier)]])
        picks.append(Pick(o, w, lane.courier, {s: q for s, q in lines.items() if q > 0}))
    return picks


def solve_index(index: Index, baseline: list[Pick], *, time_limit_s: float, workers: int,
                seed: int, stop_by: float | None = None
                ) -> tuple[list[Pick], Status, Fraction | None]:
    """The MIP on one wave: its parcels, status and proven lower bound (exact money);
    `baseline` (a feasible answer, e.g. the greedy one) if HiGHS stops at its limit with none
    or with a dearer one.
    OutOfTime if the time limit cannot cover the model or HiGHS is still running at `stop_by`
    (a time.perf_counter() value: the caller's hard deadline); SolverError if HiGHS fails."""
    started = time.perf_counter()
    deadline = started + time_limit_s
    require_time(index, time_limit_s, f"the model of {len(index.wave.orders)} orders")
    v = build(index, deadline=deadline)
    if not v.upper:  # nothing can ship: everything stays unfulfilled
        return [], Status.OPTIMAL, Fraction(v.constant, v.scale)
    result = highs.solve(v, integer=True, seed=seed,
                         time_limit_s=_highs_limit(deadline, index), stop_by=stop_by)
    unit = result.unit
    if result.values is None and not (baseline and result.reason == "NO_SOLUTION_FOUND"):
        raise SolverError(f"HiGHS ended {result.reason} without a solution")
    # nothing found by the limit: the caller's answer stands, with whatever HiGHS proved
    picks = baseline if result.values is None else read(index, v, result.values)
    if not result.optimal and baseline and picks is not baseline and \
            costing.cost(index, picks).total > costing.cost(index, baseline).total:
        picks = baseline  # stopped early on a worse answer: HiGHS no longer starts from ours
    bound = result.dual_bound
    # the model's cost is whole in its unit, so the bound rounds up; times the unit it bounds
    # the exact cost (costs were rounded down to the unit)
    exact = (Fraction(math.ceil(bound - 1e-6) * unit, v.scale) if math.isfinite(bound)
             else None)
    status = Status.OPTIMAL if result.optimal else Status.FEASIBLE
    if unit > 1 and status is Status.OPTIMAL and not _proven(index, picks, exact):
        status = Status.FEASIBLE
    return picks, status, exact


def _proven(index: Index, picks: list[Pick], bound: Fraction | None) -> bool:
    """Optimal for costs rounded down to the unit is optimal to the reported cent when the
    bound and the cost round alike: the optimum lies between them, so it rounds alike too."""
    if bound is None:
        return False
    return costing.round_cny(bound) == costing.round_cny(costing.cost(index, picks).total)


def _highs_limit(deadline: float, index: Index) -> float:
    """HiGHS's own limit: the time to the deadline less reading its answer back (a few us per
    candidate) and the usual overrun of its limit (0.1-0.5 s; a tenth of a short limit), so
    that it stops by itself before a hard stop at the deadline gives up on it. Not a tenth of a
    long one: the 3,000-order whole model finds its better answers late in its time (with 90%
    of 30 s it kept the sub-waves' 317,399 where the full time gives 310,870)."""
    left = deadline - time.perf_counter() - (0.01 + 5e-6 * pairs(index))
    return left - min(0.1 * left, 0.5) - 0.05


def relax(index: Index, *, time_limit_s: float,
          stop_by: float | None = None) -> tuple[_Model, list[float], float] | None:
    """The LP relaxation: the model, its fractional solution and its (lower-bound) cost in CNY;
    None if HiGHS does not solve it to the end. OutOfTime if the time cannot cover it."""
    started = time.perf_counter()
    deadline = started + time_limit_s
    require_time(index, time_limit_s, f"the LP relaxation of {len(index.wave.orders)} orders",
                 integer=False)
    v = build(index, deadline=deadline)
    if not v.upper:
        return v, [], v.constant / v.scale
    result = highs.solve(v, integer=False, seed=0, time_limit_s=_highs_limit(deadline, index),
                         stop_by=stop_by)
    if not result.optimal or result.values is None or result.objective is None:
        return None
    return v, result.values, result.objective * result.unit / v.scale


def solve(wave: Wave, *, time_limit_s: float = 20.0, workers: int = 8, seed: int = 0,
          started: float | None = None) -> Solution:
    """The cheapest allocation found within the time limit, counted from `started` (a
    time.perf_counter() value, e.g. when a request came in; default now). The greedy answer,
    marked `baseline` with the reason in its note (and the log), when the time left after it
    cannot cover the model or the solver fails."""
    from routing import decompose

    began = time.perf_counter()
    started = began if started is None else started
    index = indexing.build(wave)
    baseline = greedy.plan(index)
    base_cost = costing.cost(index, baseline).total
    spent = time.perf_counter() - began
    left = time_limit_s - (time.perf_counter() - started) - FINISH_S_PER_ORDER * len(wave.orders)
    try:
        picks, status, bound = decompose.solve_index(
            index, baseline, time_limit_s=left, workers=workers, seed=seed,
            stop_by=time.perf_counter() + left)
        broken = costing.problems(index, picks)
        if broken:
            raise SolverError(f"the solver's answer breaks the wave's limits: {broken[0]}")
    except Exception as exc:  # the solver must never cost the wave its answer
        note = _fallback_note(exc, time_limit_s, spent)
        log.warning("wave %s: %s; greedy answer used", wave.wave_id, note,
                    exc_info=not isinstance(exc, SolverError))
        return assemble(index, baseline, status=Status.BASELINE,
                        baseline_objective=costing.round_cny(base_cost),
                        solve_seconds=time.perf_counter() - began, note=note)
    total = costing.cost(index, picks).total
    if total > base_cost:
        picks, total = baseline, base_cost  # never report worse than the rule
    if status is Status.OPTIMAL:
        bound = total
    return assemble(
        index, picks, status=status,
        # every cost is >= 0, so 0 is proven too (a bound cut short can come out negative)
        lower_bound=None if bound is None else math.floor(max(0, min(bound, total)) * 100) / 100,
        baseline_objective=costing.round_cny(base_cost),
        solve_seconds=time.perf_counter() - began)


def _fallback_note(exc: Exception, time_limit_s: float, spent: float) -> str:
    """Why the wave got the greedy answer, in one line for the log and the solution's note."""
    if isinstance(exc, highs.Overran):
        return f"solver ran past the time limit of {time_limit_s:g} s ({exc})"
    if isinstance(exc, OutOfTime):
        return (f"time limit {time_limit_s:g} s too short for the solver ({exc}; the greedy "
                f"answer took {spent:.2f} s)")
    if isinstance(exc, SolverError):
        return f"solver failed: {exc}"
    return f"solver failed: {type(exc).__name__}: {exc}"
