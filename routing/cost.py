"""The contract's cost, the one definition used by greedy, solver, service and tests.

Exact: money is kept as fractions of the decimals written in the wave, rounded to 0.01 only
when reported. Sums run on the wave's exact scaled integers (index.prices) and become
fractions once: the same figures, without a fraction per parcel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from routing.errors import InvalidSolution
from routing.index import Index, extra_kilograms, money
from routing.problem import Lane, Order


@dataclass(frozen=True)
class Breakdown:
    """Exact cost by component of a set of parcels on a wave."""

    shipping: Fraction = Fraction(0)
    tax: Fraction = Fraction(0)
    split: Fraction = Fraction(0)
    late: Fraction = Fraction(0)
    unfulfilled: Fraction = Fraction(0)

    @property
    def total(self) -> Fraction:
        return self.shipping + self.tax + self.split + self.late + self.unfulfilled


@dataclass(frozen=True)
class Pick:
    """One parcel as the allocators plan it: an order's units from a warehouse by a courier."""

    order: str
    warehouse: str
    courier: str
    lines: Mapping[str, int]  # sku -> units (> 0)


def round_cny(amount: Fraction) -> float:
    """Money rounded half-up to 0.01 for reporting."""
    return floor(amount * 100 + Fraction(1, 2)) / 100


def parcel_weight(index: Index, lines: Mapping[str, int]) -> int:
    return sum(index.weight_g[sku] * qty for sku, qty in lines.items())


def shipping(lane: Lane, weight_g: int) -> Fraction:
    """First kilogram plus each started kilogram after it (the contract's rule; the
    allocators use its scaled twin, `index.prices.shipping`)."""
    return money(lane.first_kg) + money(lane.extra_kg) * extra_kilograms(weight_g)


def late_days(lane: Lane, order: Order) -> int:
    return max(0, lane.transit_days - order.days_left)


def _scaled(index: Index, pick: Pick) -> tuple[int, int, int]:
    """(shipping, tax, late days) of one parcel, money in whole 1/scale CNY."""
    order = index.orders.get(pick.order)
    if order is None:
        raise InvalidSolution([{"field": "parcels.order", "reason": f"unknown {pick.order!r}"}])
    lane = index.lane.get((pick.warehouse, pick.courier, order.zone))
    if lane is None:
        raise InvalidSolution([{
            "field": "parcels.courier",
            "reason": f"no lane {pick.warehouse}/{pick.courier} to {order.zone} for {order.id}"}])
    tax = index.prices.tax
    return (index.prices.shipping(lane, parcel_weight(index, pick.lines)),
            sum(tax[(sku, pick.warehouse)] * qty for sku, qty in pick.lines.items()),
            late_days(lane, order))


def parcel_cost(index: Index, pick: Pick) -> tuple[Fraction, Fraction, int]:
    """(shipping, tax, late days) of one parcel."""
    ship, tax, days = _scaled(index, pick)
    return Fraction(ship, index.prices.scale), Fraction(tax, index.prices.scale), days


def unserved(index: Index, picks: Iterable[Pick]) -> dict[tuple[str, str], int]:
    """Units of each (order, sku) the picks leave unshipped (only those > 0)."""
    left = {(o.id, sku): qty for o in index.wave.orders for sku, qty in index.demand(o).items()}
    for pick in picks:
        for sku, qty in pick.lines.items():
            left[(pick.order, sku)] = left.get((pick.order, sku), 0) - qty
    return {key: qty for key, qty in left.items() if qty > 0}


def cost(index: Index, picks: Iterable[Pick]) -> Breakdown:
    """The contract's cost of shipping these parcels and leaving the rest unfulfilled."""
    picks = list(picks)
    ship = tax = days = 0
    parcels: dict[str, int] = {}
    for pick in picks:
        s, t, d = _scaled(index, pick)
        ship, tax, days = ship + s, tax + t, days + d
        parcels[pick.order] = parcels.get(pick.order, 0) + 1
    split = index.extra_parcel * sum(n - 1 for n in parcels.values() if n > 0)
    missing = sum(unserved(index, picks).values())
    scale = index.prices.scale
    return Breakdown(Fraction(ship, scale), Fraction(tax, scale), split,
                     index.late_per_day * days, index.unfulfilled_unit * missing)


def problems(index: Index, picks: Iterable[Pick]) -> list[dict]:
    """What in these parcels breaks the wave's limits (empty when feasible)."""
    out: list[dict] = []
    used: dict = {}
    seen: set[tuple[str, str]] = set()
    per_order: dict[str, int] = {}
    for i, p in enumerate(picks):
        order = index.orders.get(p.order)
        if order is None or (p.warehouse, p.courier, order.zone) not in index.lane:
            out.append({"field": f"parcels[{i}]", "reason": "no such order or lane"})
            continue
        if (p.order, p.warehouse) in seen:
            out.append({"field": f"parcels[{i}]", "reason": "second parcel from a warehouse"})
        seen.add((p.order, p.warehouse))
        per_order[p.order] = per_order.get(p.order, 0) + 1
        need = index.demand(order)
        for sku, qty in p.lines.items():
            if sku not in need or qty < 0:
                out.append({"field": f"parcels[{i}].lines", "reason": f"{sku} not ordered"})
            used[("stock", p.warehouse, sku)] = used.get(("stock", p.warehouse, sku), 0) + qty
            used[("order", p.order, sku)] = used.get(("order", p.order, sku), 0) + qty
            used[("pick", p.warehouse)] = used.get(("pick", p.warehouse), 0) + qty
        used[("courier", p.warehouse, p.courier)] = used.get(
            ("courier", p.warehouse, p.courier), 0) + 1
    for key, qty in used.items():
        if key[0] == "stock":
            limit = index.stock.get(key[1:], 0)
        elif key[0] == "order":
            limit = index.demand(index.orders[key[1]]).get(key[2], 0)
        elif key[0] == "pick":
            limit = index.pick_cap.get(key[1])
        else:
            limit = index.courier_cap.get(key[1:])
        if limit is not None and qty > limit:
            out.append({"field": "/".join(key), "reason": f"{qty} exceeds {limit}"})
    limit = index.wave.max_parcels_per_order
    out += [{"field": f"order {o}", "reason": f"{n} parcels exceed {limit}"}
            for o, n in per_order.items() if limit is not None and n > limit]
    return out
