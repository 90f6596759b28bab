"""The solution of the routing contract: parcels, what is left unfulfilled, and the cost."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from routing import cost as costing
from routing.errors import InvalidSolution
from routing.index import Index


class Status(StrEnum):
    OPTIMAL = "optimal"      # proven optimum
    FEASIBLE = "feasible"    # time limit hit before proof
    BASELINE = "baseline"    # solver failed or not run (too little time): the greedy answer


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Line(_Value):
    sku: str
    qty: int


class Parcel(_Value):
    order: str
    warehouse: str
    courier: str
    lines: list[Line]
    weight_g: int
    shipping: float
    tax: float
    late_days: int


class Unfulfilled(_Value):
    order: str
    sku: str
    qty: int


class Cost(_Value):
    shipping: float = 0.0
    tax: float = 0.0
    split: float = 0.0
    late: float = 0.0
    unfulfilled: float = 0.0
    total: float = 0.0


class Solution(_Value):
    wave_id: str
    status: Status
    objective: float
    lower_bound: float | None = None
    baseline_objective: float | None = None
    solve_seconds: float = 0.0
    cost: Cost
    parcels: list[Parcel]
    unfulfilled: list[Unfulfilled]
    # why the status is `baseline` (the solver's failure or the time it lacked): for the log,
    # the command line and an HTTP header; not part of the contract's JSON
    note: str | None = Field(default=None, exclude=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Solution:
        try:
            return cls.model_validate(json.loads(text))
        except (ValueError, ValidationError) as exc:
            raise InvalidSolution([{"field": "$", "reason": str(exc).splitlines()[0]}]) from None

    def to_json(self, *, indent: int | None = 1) -> str:
        return self.model_dump_json(indent=indent)

    def picks(self) -> list[costing.Pick]:
        """The parcels as plans, to re-cost or compare."""
        return [costing.Pick(p.order, p.warehouse, p.courier, {x.sku: x.qty for x in p.lines})
                for p in self.parcels]


def cost_of(breakdown: costing.Breakdown) -> Cost:
    r = costing.round_cny
    return Cost(shipping=r(breakdown.shipping), tax=r(breakdown.tax), split=r(breakdown.split),
                late=r(breakdown.late), unfulfilled=r(breakdown.unfulfilled),
                total=r(breakdown.total))


def assemble(index: Index, picks: Iterable[costing.Pick], *, status: Status,
             lower_bound: float | None = None, baseline_objective: float | None = None,
             solve_seconds: float = 0.0, note: str | None = None) -> Solution:
    """A Solution for these parcels, every figure computed by routing.cost."""
    picks = sorted((p for p in picks if any(q > 0 for q in p.lines.values())),
                   key=lambda p: (p.order, p.warehouse))
    parcels = []
    for pick in picks:
        ship, tax, late = costing.parcel_cost(index, pick)
        lines = [Line(sku=s, qty=q) for s, q in sorted(pick.lines.items()) if q > 0]
        parcels.append(Parcel(
            order=pick.order, warehouse=pick.warehouse, courier=pick.courier, lines=lines,
            weight_g=costing.parcel_weight(index, pick.lines), shipping=costing.round_cny(ship),
            tax=costing.round_cny(tax), late_days=late))
    breakdown = costing.cost(index, picks)
    missing = [Unfulfilled(order=o, sku=s, qty=q)
               for (o, s), q in sorted(costing.unserved(index, picks).items())]
    cost = cost_of(breakdown)
    return Solution(
        wave_id=index.wave.wave_id, status=status, objective=cost.total, lower_bound=lower_bound,
        baseline_objective=baseline_objective, solve_seconds=round(solve_seconds, 3), cost=cost,
        parcels=parcels, unfulfilled=missing, note=note)
