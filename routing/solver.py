"""The exact CP-SAT model of the contract's cost: orders x warehouses x couriers, in scaled money.

Data -> build -> hint -> solve -> read back. The reported cost is always recomputed by
routing.cost, never taken from the model, so the two can never drift apart.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

from ortools.sat.python import cp_model

from routing import cost as costing
from routing import greedy
from routing import index as indexing
from routing.cost import Pick
from routing.index import Index
from routing.problem import Wave
from routing.solution import Solution, Status, assemble


@dataclass
class _Vars:
    """The model and its decision variables, keyed by order, warehouse, courier, SKU."""

    model: cp_model.CpModel
    scale: int
    parcel: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)   # y[o,w]
    units: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)  # q[o,w,s]
    most: dict[tuple[str, str, str], int] = field(default_factory=dict)  # upper bound of q
    courier: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)  # z[o,w,c]
    extra_kg: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)
    served: dict[str, cp_model.IntVar] = field(default_factory=dict)  # a[o]: any parcel
    terms: list = field(default_factory=list)      # objective (var, integer coefficient)
    constant: int = 0


def _scale(index: Index) -> int:
    """The least multiplier turning every money figure of the wave into an integer."""
    scale = 1
    figures = [index.extra_parcel, index.late_per_day, index.unfulfilled_unit]
    figures += list(index.unit_tax.values())
    figures += [indexing.money(x.first_kg) for x in index.wave.lanes]
    figures += [indexing.money(x.extra_kg) for x in index.wave.lanes]
    for f in figures:
        scale = math.lcm(scale, f.denominator)
    return scale


def _int(v: _Vars, amount: Fraction) -> int:
    return int(amount * v.scale)


def _parcels(index: Index, v: _Vars) -> None:
    """Each order's possible parcels: which warehouse, how many units of each SKU, which courier,
    and the started kilograms beyond the first that the courier charges."""
    m = v.model
    for order in index.wave.orders:
        need = index.demand(order)
        unserved_fee = _int(v, index.unfulfilled_unit)
        v.constant += unserved_fee * sum(need.values())
        for w in index.pick_cap:
            if index.pick_cap[w] == 0:
                continue
            lanes = [x for x in index.lanes_to.get((w, order.zone), ())
                     if index.courier_cap.get((w, x.courier), 1) > 0]
            bounds = {s: min(q, index.stock.get((w, s), 0)) for s, q in need.items()}
            bounds = {s: b for s, b in bounds.items() if b > 0}
            if not lanes or not bounds:
                continue
            y = v.parcel[(order.id, w)] = m.new_bool_var(f"y_{order.id}_{w}")
            weight = []
            for s, b in bounds.items():
                q = v.units[(order.id, w, s)] = m.new_int_var(0, b, f"q_{order.id}_{w}_{s}")
                v.most[(order.id, w, s)] = b
                m.add(q <= b * y)
                weight.append(index.weight_g[s] * q)
                v.terms.append((q, _int(v, index.unit_tax[(s, w)]) - unserved_fee))
            m.add(sum(v.units[(order.id, w, s)] for s in bounds) >= y)  # no empty parcel
            heaviest = sum(index.weight_g[s] * b for s, b in bounds.items())
            max_extra = max(0, -(-heaviest // 1000) - 1)
            zs, extras = [], []
            for lane in lanes:
                z = y if len(lanes) == 1 else m.new_bool_var(f"z_{order.id}_{w}_{lane.courier}")
                v.courier[(order.id, w, lane.courier)] = z
                zs.append(z)
                fixed = (indexing.money(lane.first_kg)
                         + index.late_per_day * costing.late_days(lane, order))
                v.terms.append((z, _int(v, fixed)))
                per_kg = _int(v, indexing.money(lane.extra_kg))
                if max_extra > 0 and per_kg > 0:
                    e = m.new_int_var(0, max_extra, f"e_{order.id}_{w}_{lane.courier}")
                    v.extra_kg[(order.id, w, lane.courier)] = e
                    if len(lanes) > 1:
                        m.add(e <= max_extra * z)
                    extras.append(e)
                    v.terms.append((e, per_kg))
            if len(zs) > 1:
                m.add(sum(zs) == y)
            if extras:
                # every started kilogram past the first is paid to the chosen courier
                m.add(1000 * sum(extras) + 1000 * y >= sum(weight))


def _order_rules(index: Index, v: _Vars) -> None:
    """No order gets more than it asked for; split parcels pay the extra-parcel penalty;
    never more parcels than the split limit."""
    m = v.model
    by_order: dict[str, list[str]] = {}
    for (o, w) in v.parcel:
        by_order.setdefault(o, []).append(w)
    fee = _int(v, index.extra_parcel)
    limit = index.wave.max_parcels_per_order
    for order in index.wave.orders:
        ws = by_order.get(order.id, [])
        for s, qty in index.demand(order).items():
            keys = [(order.id, w, s) for w in ws if (order.id, w, s) in v.units]
            qs = [v.units[k] for k in keys]
            if sum(v.most[k] for k in keys) > qty:
                m.add(sum(qs) <= qty)
        ys = [v.parcel[(order.id, w)] for w in ws]
        if limit is not None and len(ys) > limit:
            m.add(sum(ys) <= limit)
        if len(ys) > 1 and fee > 0:
            a = v.served[order.id] = m.new_bool_var(f"a_{order.id}")
            m.add(a <= sum(ys))
            v.terms.extend([(y, fee) for y in ys] + [(a, -fee)])


def _capacities(index: Index, v: _Vars) -> None:
    """Stock per warehouse and SKU, units each warehouse can pick, parcels each courier
    collects from each warehouse."""
    m = v.model
    stock: dict[tuple[str, str], list] = {}
    picked: dict[str, list] = {}
    for (o, w, s), q in v.units.items():
        stock.setdefault((w, s), []).append((q, v.most[(o, w, s)]))
        picked.setdefault(w, []).append((q, v.most[(o, w, s)]))
    for (w, s), qs in stock.items():
        if sum(b for _, b in qs) > index.stock[(w, s)]:
            m.add(sum(q for q, _ in qs) <= index.stock[(w, s)])
    for w, qs in picked.items():
        cap = index.pick_cap[w]
        if cap is not None and sum(b for _, b in qs) > cap:
            m.add(sum(q for q, _ in qs) <= cap)
    pickups: dict[tuple[str, str], list] = {}
    for (_o, w, c), z in v.courier.items():
        pickups.setdefault((w, c), []).append(z)
    for key, zs in pickups.items():
        cap = index.courier_cap.get(key)
        if cap is not None and len(zs) > cap:
            m.add(sum(zs) <= cap)


def build(index: Index) -> _Vars:
    v = _Vars(model=cp_model.CpModel(), scale=_scale(index))
    _parcels(index, v)
    _order_rules(index, v)
    _capacities(index, v)
    v.model.minimize(sum(c * x for x, c in v.terms if c) + v.constant)
    return v


def hint(index: Index, v: _Vars, picks: list[Pick]) -> None:
    """Start the search from the baseline's parcels."""
    chosen = {(p.order, p.warehouse): p for p in picks}
    for (o, w), y in v.parcel.items():
        pick = chosen.get((o, w))
        v.model.add_hint(y, pick is not None)
        for s in index.demand(index.orders[o]):
            if (o, w, s) in v.units:
                v.model.add_hint(v.units[(o, w, s)], pick.lines.get(s, 0) if pick else 0)
    for (o, w, c), z in v.courier.items():
        if z is not v.parcel[(o, w)]:
            pick = chosen.get((o, w))
            v.model.add_hint(z, pick is not None and pick.courier == c)
    for (o, w, c), e in v.extra_kg.items():
        pick = chosen.get((o, w))
        kg = 0
        if pick is not None and pick.courier == c:
            kg = max(0, -(-costing.parcel_weight(index, pick.lines) // 1000) - 1)
        v.model.add_hint(e, kg)
    orders_with_parcel = {p.order for p in picks}
    for o, a in v.served.items():
        v.model.add_hint(a, o in orders_with_parcel)


def read(index: Index, v: _Vars, solver: cp_model.CpSolver) -> list[Pick]:
    picks = []
    for (o, w), y in v.parcel.items():
        if not solver.boolean_value(y):
            continue
        lines = {s: solver.value(q) for (o2, w2, s), q in _units_of(index, v, o, w)}
        courier = next(c for (o2, w2, c), z in _couriers_of(index, v, o, w)
                       if solver.boolean_value(z))
        picks.append(Pick(o, w, courier, {s: q for s, q in lines.items() if q > 0}))
    return picks


def _units_of(index: Index, v: _Vars, o: str, w: str):
    for s in index.demand(index.orders[o]):
        if (o, w, s) in v.units:
            yield (o, w, s), v.units[(o, w, s)]


def _couriers_of(index: Index, v: _Vars, o: str, w: str):
    for lane in index.lanes_to.get((w, index.orders[o].zone), ()):
        if (o, w, lane.courier) in v.courier:
            yield (o, w, lane.courier), v.courier[(o, w, lane.courier)]


def solve_index(index: Index, baseline: list[Pick], *, time_limit_s: float, workers: int,
                seed: int) -> tuple[list[Pick], Status, Fraction | None]:
    """CP-SAT on one wave: its parcels, status and proven lower bound (exact money)."""
    v = build(index)
    hint(index, v, baseline)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    status = solver.solve(v.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT ended {solver.status_name(status)}")
    bound = Fraction(math.ceil(solver.best_objective_bound - 1e-6), v.scale)
    ok = Status.OPTIMAL if status == cp_model.OPTIMAL else Status.FEASIBLE
    return read(index, v, solver), ok, bound


def solve(wave: Wave, *, time_limit_s: float = 20.0, workers: int = 8, seed: int = 0) -> Solution:
    """The cheapest allocation CP-SAT finds within the time limit; the greedy answer marked
    `baseline` if the solver fails."""
    from routing import decompose

    started = time.perf_counter()
    index = indexing.build(wave)
    baseline = greedy.plan(index)
    base_cost = costing.cost(index, baseline).total
    try:
        picks, status, bound = decompose.solve_index(
            index, baseline, time_limit_s=time_limit_s, workers=workers, seed=seed)
    except Exception:  # the solver must never cost the wave its answer
        return assemble(index, baseline, status=Status.BASELINE,
                        baseline_objective=costing.round_cny(base_cost),
                        solve_seconds=time.perf_counter() - started)
    if costing.cost(index, picks).total > base_cost:
        picks = baseline  # never report worse than the rule
    if bound is not None and status is Status.OPTIMAL:
        bound = costing.cost(index, picks).total
    return assemble(
        index, picks, status=status,
        lower_bound=None if bound is None else math.floor(bound * 100) / 100,
        baseline_objective=costing.round_cny(base_cost),
        solve_seconds=time.perf_counter() - started)
