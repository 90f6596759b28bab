"""Look-up tables over a wave, built once and shared by cost, greedy and solver."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from routing.problem import Lane, Order, Wave


def money(amount: float | int | Decimal) -> Fraction:
    """The exact decimal a JSON money figure was written as (92.24 -> 9224/100, not binary)."""
    return Fraction(Decimal(str(amount)))


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

    def demand(self, order: Order) -> dict[str, int]:
        need: dict[str, int] = defaultdict(int)
        for line in order.lines:
            need[line.sku] += line.qty
        return dict(need)


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
        extra_parcel=money(p.extra_parcel),
        late_per_day=money(p.late_per_day),
        unfulfilled_unit=money(p.unfulfilled_unit),
    )
