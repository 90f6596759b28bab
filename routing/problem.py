"""The wave problem of the routing contract: warehouses, lanes, stock and orders to source."""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from routing.errors import InvalidWave

# Ceiling of every money figure (a rate, a unit tax, a penalty), in CNY: far above any real one,
# so a figure past it is a slip, not a price, and the solver's costs stay finite numbers.
MAX_MONEY = 1_000_000
# Ceiling of every count of units and of a SKU's weight in grams: the inventory side's own
# (inventory.purchasing_catalogue.MAX_UNITS), so any wave built from the database passes. Past
# it a figure is a slip (2**63, 1e30), and weights x quantities that large leave the solver's
# numbers range (HiGHS refuses matrix entries from 1e15).
MAX_UNITS = 1_000_000_000
# Ceiling of a lane's transit days and an order's days left (either way): ten years. Past it
# late_per_day x days overflowed the solver's cost check (transit_days 1e19: a logged
# traceback, and the greedy answer where the exact one was due).
MAX_DAYS = 3650


def _money(value: float) -> float:
    """A money figure JSON can carry but no wave means: infinity (1e400 reads so), NaN, absurd."""
    if not (math.isfinite(value) and 0 <= value <= MAX_MONEY):
        raise PydanticCustomError("money", f"must be a finite amount from 0 to {MAX_MONEY:,} CNY")
    return value


Money = Annotated[float, AfterValidator(_money)]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Warehouse(_Value):
    id: str = Field(min_length=1)
    kind: Literal["bonded", "overseas"]
    customs_mode: str = Field(min_length=1)
    pick_capacity_units: int | None = Field(default=None, ge=0)  # None = unlimited


class Courier(_Value):
    id: str = Field(min_length=1)


class Lane(_Value):
    warehouse: str
    courier: str
    zone: str
    first_kg: Money
    extra_kg: Money
    transit_days: int = Field(ge=0, le=MAX_DAYS)


class CourierCapacity(_Value):
    warehouse: str
    courier: str
    parcels: int = Field(ge=0)


class Sku(_Value):
    id: str = Field(min_length=1)
    weight_g: int = Field(ge=0, le=MAX_UNITS)


class StockRow(_Value):
    warehouse: str
    sku: str
    qty: int = Field(ge=0, le=MAX_UNITS)


class UnitTax(_Value):
    sku: str
    customs_mode: str
    amount: Money


class OrderLine(_Value):
    sku: str
    qty: int = Field(gt=0, le=MAX_UNITS)


class Order(_Value):
    id: str = Field(min_length=1)
    zone: str
    days_left: int = Field(ge=-MAX_DAYS, le=MAX_DAYS)
    lines: list[OrderLine] = Field(min_length=1)


class Penalties(_Value):
    extra_parcel: Money
    late_per_day: Money
    unfulfilled_unit: Money


class Wave(_Value):
    """One allocation wave: the orders waiting to be sourced and what may serve them."""

    wave_id: str
    warehouses: list[Warehouse]
    couriers: list[Courier]
    lanes: list[Lane]
    courier_capacity: list[CourierCapacity] = []
    skus: list[Sku]
    stock: list[StockRow] = []
    unit_tax: list[UnitTax] = []
    orders: list[Order]
    penalties: Penalties
    max_parcels_per_order: int | None = Field(default=None, ge=1)

    @classmethod
    def from_json(cls, text: str | bytes) -> Wave:
        """Parse and check a wave from JSON text; InvalidWave names every problem."""
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidWave([{"field": "$", "reason": f"not valid JSON: {exc}"}]) from None
        except RecursionError:  # json's C decoder recurses once per level of nesting
            raise InvalidWave([{"field": "$", "reason": "not valid JSON: nested too deeply"}]
                              ) from None
        return parse(data)

    def to_json(self, *, indent: int | None = 1) -> str:
        return self.model_dump_json(indent=indent)


def parse(data: Any) -> Wave:
    """A checked Wave from plain data (a dict as decoded from JSON)."""
    try:
        wave = Wave.model_validate(data)
    except ValidationError as exc:
        raise InvalidWave([_problem(e) for e in exc.errors()]) from None
    check(wave)
    return wave


def _problem(error: Any) -> dict:
    field = ""
    for part in error["loc"]:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return {"field": field or "$", "reason": error["msg"]}


def check(wave: Wave) -> None:
    """Raise InvalidWave if the wave refers to what it does not define or repeats itself."""
    problems = problems_of(wave)
    if problems:
        raise InvalidWave(problems)


def problems_of(wave: Wave) -> list[dict]:
    """Every cross-reference problem of a structurally valid wave."""
    out: list[dict] = []

    def dupes(items: list, key, name: str) -> None:
        for value, n in Counter(key(i) for i in items).items():
            if n > 1:
                out.append({"field": name, "reason": f"{value} appears {n} times"})

    warehouses = {w.id for w in wave.warehouses}
    couriers = {c.id for c in wave.couriers}
    skus = {s.id for s in wave.skus}
    dupes(wave.warehouses, lambda w: w.id, "warehouses")
    dupes(wave.couriers, lambda c: c.id, "couriers")
    dupes(wave.skus, lambda s: s.id, "skus")
    dupes(wave.orders, lambda o: o.id, "orders")
    dupes(wave.lanes, lambda x: (x.warehouse, x.courier, x.zone), "lanes")
    dupes(wave.courier_capacity, lambda x: (x.warehouse, x.courier), "courier_capacity")
    dupes(wave.stock, lambda x: (x.warehouse, x.sku), "stock")
    dupes(wave.unit_tax, lambda x: (x.sku, x.customs_mode), "unit_tax")
    for i, lane in enumerate(wave.lanes):
        if lane.warehouse not in warehouses:
            out.append({"field": f"lanes[{i}].warehouse",
                        "reason": f"unknown warehouse {lane.warehouse!r}"})
        if lane.courier not in couriers:
            out.append({"field": f"lanes[{i}].courier",
                        "reason": f"unknown courier {lane.courier!r}"})
    for i, cap in enumerate(wave.courier_capacity):
        if cap.warehouse not in warehouses:
            out.append({"field": f"courier_capacity[{i}].warehouse",
                        "reason": f"unknown warehouse {cap.warehouse!r}"})
        if cap.courier not in couriers:
            out.append({"field": f"courier_capacity[{i}].courier",
                        "reason": f"unknown courier {cap.courier!r}"})
    for i, row in enumerate(wave.stock):
        if row.warehouse not in warehouses:
            out.append({"field": f"stock[{i}].warehouse",
                        "reason": f"unknown warehouse {row.warehouse!r}"})
        if row.sku not in skus:
            out.append({"field": f"stock[{i}].sku", "reason": f"unknown SKU {row.sku!r}"})
    for i, tax in enumerate(wave.unit_tax):
        if tax.sku not in skus:
            out.append({"field": f"unit_tax[{i}].sku", "reason": f"unknown SKU {tax.sku!r}"})
    for i, order in enumerate(wave.orders):
        seen: set[str] = set()
        for j, line in enumerate(order.lines):
            if line.sku not in skus:
                out.append({"field": f"orders[{i}].lines[{j}].sku",
                            "reason": f"unknown SKU {line.sku!r}"})
            elif line.sku in seen:
                out.append({"field": f"orders[{i}].lines[{j}].sku",
                            "reason": f"SKU {line.sku!r} appears on two lines of the order"})
            seen.add(line.sku)
    return out
