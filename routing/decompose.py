"""Large waves: a fast answer by decomposition, then the whole model started from it.

1. Solve the LP relaxation of the whole wave: it says, fractionally, which orders should get
   which warehouse's stock and which courier's pick-ups. Its cost is a proven lower bound.
2. Deal the orders round-robin into sub-waves of about `CHUNK` orders (fair samples of the wave).
3. Solve each sub-wave exactly, giving it what the LP sent to its orders (rounded up) plus its
   fair share of the slack; what a sub-wave leaves returns to the pool for the next ones.
Without the LP (time out), shares follow each sub-wave's demand and order count instead.
4. With the time left (if enough for HiGHS to get through its root, `ROOT_S_PER_ORDER`),
   solve the whole wave's model started from that answer: HiGHS improves on it, proves the
   optimum when it can, and its bound is tighter than the LP's.
Past about 4,000 orders the LP and the whole model grow too slow, so the wave is first dealt
into blocks of about `BLOCK` orders with fair shares (by demand and order count), each block
decomposed as in steps 1-3 (the whole model per block would use up the limit). No global
bound is proven then.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import replace
from fractions import Fraction

from routing import cost as costing
from routing import greedy, solver
from routing.cost import Pick
from routing.index import Index
from routing.solution import Status

log = logging.getLogger("routing.decompose")

CHUNK = 60  # orders per sub-wave: HiGHS proves these optimal in about a second on one core
WHOLE = 400  # up to this many orders the wave is solved as one model from the start
BLOCK = 3000  # past this, the LP itself grows too slow: split into blocks by fair shares first
# Seconds per order the whole model needs before its time limit means anything: HiGHS's
# presolve and root LP, which it does not interrupt (3,000 orders: 8-11 s on 2 loaded cores,
# and a 10 s limit ended at 17 s, up to 32 s under heavy load). As much again is kept back for
# that overrun.
ROOT_S_PER_ORDER = 1 / 200
FINISH_S_PER_ORDER = 1e-4  # left to check, cost and write the answer (20,000 orders: 1.7 s)


def solve_index(index: Index, baseline: list[Pick], *, time_limit_s: float, workers: int,
                seed: int, chunk: int = CHUNK,
                whole: int = WHOLE) -> tuple[list[Pick], Status, Fraction | None]:
    """Parcels for the whole wave, its status and a proven lower bound if one is known."""
    orders = index.wave.orders
    if len(orders) <= max(whole, chunk):
        return solver.solve_index(index, baseline, time_limit_s=time_limit_s,
                                  workers=workers, seed=seed)
    started = time.perf_counter()
    time_limit_s -= len(orders) * FINISH_S_PER_ORDER
    if len(orders) > BLOCK * 4 // 3:
        return _blocks(index, time_limit_s=time_limit_s, workers=workers, seed=seed,
                       chunk=chunk)
    root = len(orders) * ROOT_S_PER_ORDER
    reserve = 1.5 * root if time_limit_s >= 3 * root else 0.0  # too short: decompose only
    picks, bound = _decompose(index, time_limit_s=time_limit_s - reserve, workers=workers,
                              seed=seed, chunk=chunk)
    left = time_limit_s - (time.perf_counter() - started)
    if left < 1.5 * root:
        return picks, Status.FEASIBLE, bound
    if baseline and costing.cost(index, baseline).total < costing.cost(index, picks).total:
        picks = baseline
    return _whole(index, picks, bound, time_limit_s=left - root, workers=workers,
                  seed=seed)


def _whole(index: Index, start: list[Pick], bound: Fraction | None, *, time_limit_s: float,
           workers: int, seed: int) -> tuple[list[Pick], Status, Fraction | None]:
    """The whole wave's model from a feasible start: the cheaper answer and the better bound;
    optimal only if HiGHS proves it."""
    try:
        picks, status, proven = solver.solve_index(index, start, time_limit_s=time_limit_s,
                                                   workers=workers, seed=seed)
    except Exception:  # the start is a good answer already: never lose it to the solver
        log.warning("wave %s: whole model failed, sub-wave answer kept", index.wave.wave_id,
                    exc_info=True)
        return start, Status.FEASIBLE, bound
    if costing.cost(index, picks).total > costing.cost(index, start).total:
        picks, status = start, Status.FEASIBLE
    bounds = [b for b in (bound, proven) if b is not None]
    return picks, status, max(bounds) if bounds else None


def _decompose(index: Index, *, time_limit_s: float, workers: int, seed: int,
               chunk: int) -> tuple[list[Pick], Fraction | None]:
    """Sub-waves of about `chunk` orders solved in turn, each with its share of what is still
    free; the LP relaxation's cost as the bound."""
    started = time.perf_counter()
    orders = index.wave.orders
    lp = solver.relax(index, time_limit_s=time_limit_s * 0.3)
    usage = _lp_usage(lp) if lp else None
    parts = math.ceil(len(orders) / chunk)
    groups = [orders[i::parts] for i in range(parts)]
    pool = {"stock": dict(index.stock), "pick": dict(index.pick_cap),
            "courier": dict(index.courier_cap)}
    picks: list[Pick] = []
    for k, group in enumerate(groups):
        rest = [o for g in groups[k:] for o in g]
        sub = replace(index, wave=index.wave.model_copy(update={"orders": group}),
                      orders={o.id: o for o in group},
                      **_shares(index, pool, usage, group, rest))
        rule = greedy.plan(sub)  # the MIP's start, and the answer if the MIP fails
        left = time_limit_s - (time.perf_counter() - started)
        budget = max(left * len(group) / len(rest), min(1.0, left))  # nobody starves
        try:
            part, _, _ = solver.solve_index(sub, rule, time_limit_s=budget, workers=workers,
                                            seed=seed)
        except RuntimeError:
            part = rule
        _take(pool, part)
        picks.extend(part)
    return picks, Fraction(math.floor(lp[2] * 100), 100) if lp else None


def _blocks(index: Index, *, time_limit_s: float, workers: int, seed: int,
            chunk: int) -> tuple[list[Pick], Status, None]:
    """A very large wave as blocks of about BLOCK orders, each given its fair share of what is
    still free, each decomposed as above. No global bound is proven."""
    started = time.perf_counter()
    orders = index.wave.orders
    parts = math.ceil(len(orders) / BLOCK)
    groups = [orders[i::parts] for i in range(parts)]
    pool = {"stock": dict(index.stock), "pick": dict(index.pick_cap),
            "courier": dict(index.courier_cap)}
    picks: list[Pick] = []
    for k, group in enumerate(groups):
        rest = [o for g in groups[k:] for o in g]
        sub = replace(index, wave=index.wave.model_copy(update={"orders": group}),
                      orders={o.id: o for o in group}, **_shares(index, pool, None, group, rest))
        left = time_limit_s - (time.perf_counter() - started)
        # decomposition only: the whole model per block would spend each block's full share
        # (20,000 orders: 292 s of a 300 s limit, for 0.5% less cost), leaving no margin
        part, _ = _decompose(sub, time_limit_s=left * len(group) / len(rest), workers=workers,
                             seed=seed, chunk=chunk)
        _take(pool, part)
        picks.extend(part)
    return picks, Status.FEASIBLE, None


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
