"""Large waves: a fast answer by decomposition, then the whole model to improve on it.

1. Solve the LP relaxation of the whole wave: it says, fractionally, which orders should get
   which warehouse's stock and which courier's pick-ups. Its cost is a proven lower bound.
2. Deal the orders round-robin into sub-waves of about `CHUNK` orders (fair samples of the wave).
3. Solve each sub-wave exactly, giving it what the LP sent to its orders (rounded up) plus its
   fair share of the slack; what a sub-wave leaves returns to the pool for the next ones.
Without the LP (time out), shares follow each sub-wave's demand and order count instead.
4. With the time left (if enough for HiGHS to get through its root, `ROOT_S_PER_ORDER`),
   solve the whole wave's model (no MIP start: see routing.solver) and keep the cheaper of
   its answer and that one; HiGHS proves the optimum when it can, and its bound is tighter
   than the LP's.
Past about 4,000 orders the LP and the whole model grow too slow, so the wave is first dealt
into blocks of about `BLOCK` orders with fair shares (by demand and order count), each block
decomposed as in steps 1-3 (the whole model per block would use up the limit). No global
bound is proven then.
Time: every step gets a deadline and starts only if its model fits in the time left
(solver.model_seconds); when the time runs out, the orders not yet solved take the greedy
rule's answer on whatever is still free. A failed LP or sub-wave is logged and worked around.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import replace
from fractions import Fraction

from routing import cost as costing
from routing import greedy, highs, solver
from routing.cost import Pick
from routing.highs import OutOfTime, SolverError
from routing.index import Index
from routing.solution import Status

log = logging.getLogger("routing.decompose")

CHUNK = 60  # orders per sub-wave: HiGHS proves these optimal in about a second on one core
WHOLE = 400  # up to this many orders the wave is solved as one model from the start
BLOCK = 3000  # past this, the LP itself grows too slow: split into blocks by fair shares first
# Seconds per order the whole model needs before its time limit means anything: HiGHS's
# presolve and root LP, which it does not interrupt (3,000 orders: 8-11 s on 2 loaded cores,
# and a 10 s limit ended at 17 s, up to 32 s under heavy load). Half as much again is kept
# back for that overrun; a worse one meets the hard stop and keeps the sub-waves' answer.
# (Holding back all of it, the 3,000-order whole model had 27 s and ended at 317,299 in 3 runs
# of 3; with 7 s more it finds 310,853, from about its 28th second, without a MIP start.)
ROOT_S_PER_ORDER = 1 / 200
# The greedy rule per order x warehouse, kept back for the orders no sub-wave reaches in time
# (measured 2.7 us of CPU, 8,000 orders x 20 warehouses; doubled for a loaded machine)
GREEDY_S_PER_PAIR = 6e-6


def solve_index(index: Index, baseline: list[Pick], *, time_limit_s: float, workers: int,
                seed: int, chunk: int = CHUNK, whole: int = WHOLE,
                stop_by: float | None = None) -> tuple[list[Pick], Status, Fraction | None]:
    """Parcels for the whole wave, its status and a proven lower bound if one is known.
    OutOfTime if not even one sub-wave's model fits in the time limit. `stop_by`: the hard
    deadline no HiGHS run is waited for past (time.perf_counter()), default the limit's end."""
    orders = index.wave.orders
    started = time.perf_counter()
    deadline = started + time_limit_s
    if len(orders) <= max(whole, chunk):
        return solver.solve_index(index, baseline, time_limit_s=time_limit_s,
                                  workers=workers, seed=seed, stop_by=stop_by)
    stop_by = deadline if stop_by is None else stop_by
    first = replace(index, wave=index.wave.model_copy(update={"orders": orders[:chunk]}))
    # not even one sub-wave fits: do not deal them
    solver.require_time(first, time_limit_s, f"a sub-wave of {chunk} orders")
    if len(orders) > BLOCK * 4 // 3:
        picks, tried = _blocks(index, deadline=deadline, stop_by=stop_by, workers=workers,
                               seed=seed, chunk=chunk)
        _some(tried, time_limit_s)
        return picks, Status.FEASIBLE, None
    root = len(orders) * ROOT_S_PER_ORDER
    reserve = 1.5 * root if time_limit_s >= 3 * root else 0.0  # too short: decompose only
    picks, bound, tried = _decompose(index, deadline=deadline - reserve, stop_by=stop_by,
                                     workers=workers, seed=seed, chunk=chunk)
    _some(tried, time_limit_s)
    left = deadline - time.perf_counter()
    if left < 1.5 * root:
        return picks, Status.FEASIBLE, bound
    if baseline and costing.cost(index, baseline).total < costing.cost(index, picks).total:
        picks = baseline
    return _whole(index, picks, bound, time_limit_s=left - root / 2, stop_by=stop_by,
                  workers=workers, seed=seed)


def _some(tried: int, time_limit_s: float) -> None:
    """No sub-wave's model fitted in the time: the answer is the greedy rule's; OutOfTime says
    so. (Sub-waves that failed were tried: each is logged, and the whole model may follow.)"""
    if not tried:
        raise OutOfTime(f"no sub-wave's model fitted in the {max(0.0, time_limit_s):.2f} s left")


def _whole(index: Index, start: list[Pick], bound: Fraction | None, *, time_limit_s: float,
           stop_by: float, workers: int,
           seed: int) -> tuple[list[Pick], Status, Fraction | None]:
    """The whole wave's model beside a feasible answer: the cheaper answer and the better
    bound; optimal only if HiGHS proves it."""
    try:
        picks, status, proven = solver.solve_index(index, start, time_limit_s=time_limit_s,
                                                   workers=workers, seed=seed, stop_by=stop_by)
    except Exception as exc:  # the start is a good answer already: never lose it to the solver
        log.warning("wave %s: whole model not solved (%s); sub-wave answer kept",
                    index.wave.wave_id, exc, exc_info=not isinstance(exc, SolverError))
        return start, Status.FEASIBLE, bound
    if costing.cost(index, picks).total > costing.cost(index, start).total:
        picks, status = start, Status.FEASIBLE
    bounds = [b for b in (bound, proven) if b is not None]
    return picks, status, max(bounds) if bounds else None


def _relax(index: Index, *, time_limit_s: float, stop_by: float):
    """The LP relaxation if it fits in its time and HiGHS solves it; else None (logged)."""
    try:
        return solver.relax(index, time_limit_s=time_limit_s, stop_by=stop_by)
    except OutOfTime as exc:
        log.info("wave %s: no LP relaxation (%s); shares by demand", index.wave.wave_id, exc)
    except SolverError as exc:
        log.warning("wave %s: LP relaxation failed (%s); shares by demand",
                    index.wave.wave_id, exc)
    return None


def _decompose(index: Index, *, deadline: float, stop_by: float, workers: int, seed: int,
               chunk: int) -> tuple[list[Pick], Fraction | None, int]:
    """Sub-waves of about `chunk` orders solved in turn, each with its share of what is still
    free, until the deadline; the rest by the greedy rule. The LP relaxation's cost as the
    bound, and how many sub-waves were handed to the MIP (solved or failed)."""
    orders = index.wave.orders
    per_order = GREEDY_S_PER_PAIR * solver.pairs(index) / max(1, len(orders))
    lp = _relax(index, time_limit_s=(deadline - time.perf_counter()
                                     - per_order * len(orders)) * 0.3, stop_by=stop_by)
    usage = _lp_usage(lp) if lp else None
    parts = math.ceil(len(orders) / chunk)
    groups = [orders[i::parts] for i in range(parts)]
    pool = _pool(index)
    picks: list[Pick] = []
    tried = 0
    for k, group in enumerate(groups):
        rest = [o for g in groups[k:] for o in g]
        sub = _with_orders(index, group, **_shares(index, pool, usage, group, rest))
        rule = greedy.plan(sub)  # the MIP's start, and the answer if the MIP fails
        # what is left once the greedy answer for the orders after these is paid for
        left = deadline - time.perf_counter() - per_order * (len(rest) - len(group))
        budget = max(left * len(group) / len(rest), min(1.0, left))  # nobody starves
        # a sub-wave stuck in HiGHS's root is given up on well before the wave's deadline
        own_stop = min(stop_by, time.perf_counter() + 2 * budget + 1.0)
        try:
            part, _, _ = solver.solve_index(sub, rule, time_limit_s=budget, workers=workers,
                                            seed=seed, stop_by=own_stop)
            tried += 1
        except highs.Overran as exc:  # the next sub-wave finds out whether time is left
            log.warning("wave %s: sub-wave %d given up on (%s); its greedy answer kept",
                        index.wave.wave_id, k, exc)
            part = rule
            tried += 1
        except OutOfTime as exc:  # this sub-wave and the rest: the rule on what is left
            log.info("wave %s: %d of %d sub-waves solved (%s); greedy for the rest",
                     index.wave.wave_id, k, parts, exc)
            picks.extend(greedy.plan(_leftover(index, pool, rest)))
            break
        except SolverError as exc:
            log.warning("wave %s: sub-wave %d failed (%s); its greedy answer kept",
                        index.wave.wave_id, k, exc)
            part = rule
            tried += 1
        _take(pool, part)
        picks.extend(part)
    return picks, Fraction(math.floor(lp[2] * 100), 100) if lp else None, tried


def _leftover(index: Index, pool: dict, orders: list) -> Index:
    """These orders with everything still free."""
    return _with_orders(index, orders, stock=dict(pool["stock"]), pick_cap=dict(pool["pick"]),
                        courier_cap=dict(pool["courier"]))


def _with_orders(index: Index, orders: list, **resources: dict) -> Index:
    """The index restricted to these orders, with the stock and capacities given."""
    return replace(index, wave=index.wave.model_copy(update={"orders": orders}),
                   orders={o.id: o for o in orders}, **resources)


def _pool(index: Index) -> dict:
    """What is still free, taken from as sub-waves are solved in turn (`_take`)."""
    return {"stock": dict(index.stock), "pick": dict(index.pick_cap),
            "courier": dict(index.courier_cap)}


def _blocks(index: Index, *, deadline: float, stop_by: float, workers: int, seed: int,
            chunk: int) -> tuple[list[Pick], int]:
    """A very large wave as blocks of about BLOCK orders, each given its fair share of what is
    still free and of the time left, each decomposed as above. No global bound is proven."""
    orders = index.wave.orders
    parts = math.ceil(len(orders) / BLOCK)
    groups = [orders[i::parts] for i in range(parts)]
    pool = _pool(index)
    picks: list[Pick] = []
    tried = 0
    for k, group in enumerate(groups):
        rest = [o for g in groups[k:] for o in g]
        sub = _with_orders(index, group, **_shares(index, pool, None, group, rest))
        now = time.perf_counter()
        # decomposition only: the whole model per block would spend each block's full share
        # (20,000 orders: 292 s of a 300 s limit, for 0.5% less cost), leaving no margin
        part, _, done = _decompose(sub, deadline=now + (deadline - now) * len(group) / len(rest),
                                   stop_by=stop_by, workers=workers, seed=seed, chunk=chunk)
        tried += done
        _take(pool, part)
        picks.extend(part)
    return picks, tried


def _lp_usage(lp) -> dict:
    """What the LP sends to each order: (kind, order, resource key) -> fractional amount."""
    v, x, _ = lp
    use: dict = defaultdict(float)
    for (o, w, s), q in v.units.items():
        use[("stock", o, (w, s))] += x[q]
        use[("pick", o, w)] += x[q]
    for (o, w, c), z in v.courier.items():
        use[("courier", o, (w, c))] += x[z]
    by_order: dict = defaultdict(list)
    for (kind, o, key), amount in use.items():
        if amount > 1e-6:
            by_order[o].append((kind, key, amount))
    return by_order


def _shares(index: Index, pool: dict, usage: dict | None, group: list, rest: list) -> dict:
    """The stock and capacities a sub-wave may use."""
    fair = len(group) / len(rest)
    if usage is None:  # by demand and order count
        need, need_rest = _demand(index, group), _demand(index, rest)
        return {"stock": {key: math.ceil(q * need.get(key[1], 0) / need_rest[key[1]])
                          if need_rest.get(key[1]) else 0 for key, q in pool["stock"].items()},
                "pick_cap": {w: None if c is None else math.ceil(c * fair)
                             for w, c in pool["pick"].items()},
                "courier_cap": {k: math.ceil(c * fair) for k, c in pool["courier"].items()}}
    mine, theirs = defaultdict(float), defaultdict(float)
    for o in group:
        for kind, key, amount in usage.get(o.id, ()):
            mine[(kind, key)] += amount
    for o in rest:
        for kind, key, amount in usage.get(o.id, ()):
            theirs[(kind, key)] += amount

    def share(kind: str, key, left: int | None) -> int | None:
        if left is None:
            return None
        slack = max(0.0, left - theirs[(kind, key)])
        return min(left, math.ceil(mine[(kind, key)] - 1e-6) + math.floor(slack * fair))

    return {"stock": {k: share("stock", k, q) for k, q in pool["stock"].items()},
            "pick_cap": {w: share("pick", w, c) for w, c in pool["pick"].items()},
            "courier_cap": {k: share("courier", k, c) for k, c in pool["courier"].items()}}


def _take(pool: dict, part: list[Pick]) -> None:
    for p in part:
        for sku, qty in p.lines.items():
            pool["stock"][(p.warehouse, sku)] -= qty
        if pool["pick"].get(p.warehouse) is not None:
            pool["pick"][p.warehouse] -= sum(p.lines.values())
        if (p.warehouse, p.courier) in pool["courier"]:
            pool["courier"][(p.warehouse, p.courier)] -= 1


def _demand(index: Index, orders: list) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for o in orders:
        for sku, qty in index.demand(o).items():
            out[sku] += qty
    return out
