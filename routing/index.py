"""Look-up tables over a wave, built once and shared by cost, greedy and solver."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from routing.problem import Lane, Order, Wave


@lru_cache(maxsize=1 << 16)
def money(amount: float | int | Decimal) -> Fraction:
    """The exact decimal a JSON money figure was written as (92.24 -> 9224/100, not binary).
    Cached: a wave repeats a few hundred figures in millions of sums."""
    return Fraction(Decimal(str(amount)))


def extra_kilograms(weight_g: int) -> int:
    """Started kilograms past the first: what a lane's per-kg price is paid on (contract)."""
    return max(0, -(-weight_g // 1000) - 1)


@dataclass(frozen=True)
class Prices:
    """Every money figure of a wave as an exact whole number of 1/scale CNY: greedy and the
    model compare and add these as integers, far faster than fractions and just as exact."""

    scale: int                                  # the least multiplier making every figure whole
    first_kg: dict[tuple[str, str, str], int]   # (warehouse, courier, zone) -> first kilogram
    extra_kg: dict[tuple[str, str, str], int]   # (warehouse, courier, zone) -> each further kg
    tax: dict[tuple[str, str], int]             # (sku, warehouse) -> tax per unit
    lanes_to: dict[tuple[str, str], list[tuple[Lane, int, int]]]  # (warehouse, zone) -> lanes
    extra_parcel: int
    late_per_day: int
    unfulfilled_unit: int

    def shipping(self, lane: Lane, weight_g: int) -> int:
        """The contract's shipping price, scaled: first kilogram plus each started one after."""
        key = (lane.warehouse, lane.courier, lane.zone)
        return self.first_kg[key] + self.extra_kg[key] * extra_kilograms(weight_g)


@dataclass(frozen=True)
class Index:
    wave: Wave
    weight_g: dict[str, int]                          # sku -> grams
    stock: dict[tuple[str, str], int]                 # (warehouse, sku) -> units
    unit_tax: dict[tuple[str, str], Fraction]         # (sku, warehouse) -> tax per unit
    lane: dict[tuple[str, str, str], Lane]            # (warehouse, courier, zone) -> lane
    lanes_to: dict[tuple[str, str], list[Lane]]       # (warehouse, zone) -> lanes
    courier_cap: dict[tuple[str, str], int]           # (warehouse, courier) -> parcels
    pick_cap: dict[str, int | None]                   # warehouse -> units (None = unlimited)
    orders: dict[str, Order]
    extra_parcel: Fraction
    late_per_day: Fraction
    unfulfilled_unit: Fraction
    prices: Prices

    def demand(self, order: Order) -> dict[str, int]:
        need: dict[str, int] = defaultdict(int)
        for line in order.lines:
            need[line.sku] += line.qty
        return dict(need)


def _prices(wave: Wave, unit_tax: dict[tuple[str, str], Fraction],
            penalties: list[Fraction]) -> Prices:
    first = {(x.warehouse, x.courier, x.zone): money(x.first_kg) for x in wave.lanes}
    extra = {(x.warehouse, x.courier, x.zone): money(x.extra_kg) for x in wave.lanes}
    scale = 1
    for f in {*first.values(), *extra.values(), *unit_tax.values(), *penalties}:
        scale = math.lcm(scale, f.denominator)

    def whole(figures: dict) -> dict:
        return {k: int(f * scale) for k, f in figures.items()}

    fee, late, missing = (int(f * scale) for f in penalties)
    first_kg, extra_kg = whole(first), whole(extra)
    lanes_to: dict[tuple[str, str], list[tuple[Lane, int, int]]] = defaultdict(list)
    for x in wave.lanes:
        key = (x.warehouse, x.courier, x.zone)
        lanes_to[(x.warehouse, x.zone)].append((x, first_kg[key], extra_kg[key]))
    return Prices(scale=scale, first_kg=first_kg, extra_kg=extra_kg, tax=whole(unit_tax),
                  lanes_to=dict(lanes_to), extra_parcel=fee, late_per_day=late,
                  unfulfilled_unit=missing)


def build(wave: Wave) -> Index:
    mode = {w.id: w.customs_mode for w in wave.warehouses}
    tax_by_mode = {(t.sku, t.customs_mode): money(t.amount) for t in wave.unit_tax}
    unit_tax = {(s.id, w): tax_by_mode.get((s.id, m), Fraction(0))
                for s in wave.skus for w, m in mode.items()}
    stock: dict[tuple[str, str], int] = defaultdict(int)
    for row in wave.stock:
        stock[(row.warehouse, row.sku)] += row.qty
    lanes_to: dict[tuple[str, str], list[Lane]] = defaultdict(list)
    for lane in wave.lanes:
        lanes_to[(lane.warehouse, lane.zone)].append(lane)
    p = wave.penalties
    penalties = [money(p.extra_parcel), money(p.late_per_day), money(p.unfulfilled_unit)]
    return Index(
        wave=wave,
        weight_g={s.id: s.weight_g for s in wave.skus},
        stock=dict(stock),
        unit_tax=unit_tax,
        lane={(x.warehouse, x.courier, x.zone): x for x in wave.lanes},
        lanes_to=dict(lanes_to),
        courier_cap={(c.warehouse, c.courier): c.parcels for c in wave.courier_capacity},
        pick_cap={w.id: w.pick_capacity_units for w in wave.warehouses},
        orders={o.id: o for o in wave.orders},
        extra_parcel=penalties[0],
        late_per_day=penalties[1],
        unfulfilled_unit=penalties[2],
        prices=_prices(wave, unit_tax, penalties),
    )
