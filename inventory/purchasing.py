"""Purchase plan: which SKU to buy, how many, from which market, into which bonded hub.

An OR-Tools MIP (SCIP) maximises expected margin: selling price times expected units sold,
minus landed cost (unit cost + freight), minus the expected cost of units left over, where
expected sales come from the forecast quantiles over lead time plus review period. Subject to
budget, minimum order quantities, case packs, hub capacity and shelf life. Money in integer fen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from ortools.linear_solver import pywraplp

from inventory.planning_errors import InvalidCatalogue

_LEVELS = 20  # demand scenarios per SKU (equal-probability quantiles)
_Z80 = NormalDist().inv_cdf(0.9) * 2  # width of a p10-p90 band in standard deviations


@dataclass(frozen=True)
class Item:
    """A SKU we sell: price, weight, shelf life and network stock position."""

    sku: str
    price_fen: int
    weight_g: int
    shelf_life_days: int
    on_hand: int = 0
    reserved: int = 0
    in_transit: int = 0
    leftover_loss: float = 0.25  # share of landed cost lost per unit left over (markdown, carry)


@dataclass(frozen=True)
class Source:
    """One way to buy a SKU: a market/supplier shipping to one bonded hub."""

    sku: str
    market: str
    hub: str
    unit_cost_fen: int
    moq: int
    case_pack: int
    lead_days: int
    freight_fen_per_kg: int
    supplier: str = ""

    def landed_fen(self, weight_g: int) -> int:
        """Unit cost plus freight for one unit, in whole fen."""
        return self.unit_cost_fen + (weight_g * self.freight_fen_per_kg + 500) // 1000


@dataclass(frozen=True)
class PlanInput:
    """Everything the plan needs; `demand[sku]` is daily (p10, p50, p90) from today."""

    items: list[Item]
    sources: list[Source]
    hub_capacity: dict[str, int]
    demand: dict[str, list[tuple[int, int, int]]]
    budget_fen: int
    review_days: int = 7


@dataclass(frozen=True)
class PlanLine:
    """One purchase: quantity from a market into a hub, and why."""

    sku: str
    market: str
    hub: str
    supplier: str
    qty: int
    cases: int
    unit_cost_fen: int
    landed_fen: int
    line_cost_fen: int
    forecast_units: float
    cover_days: float
    sell_through: float
    expected_margin_fen: int
    reason: str


@dataclass(frozen=True)
class Plan:
    """The chosen lines, what they cost and what they are expected to earn."""

    lines: list[PlanLine]
    budget_fen: int
    spent_fen: int
    expected_margin_fen: int
    status: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Need:
    """Net demand scenarios (after stock on hand/in transit) over one SKU's cover window."""

    window_days: int
    mean: float
    low: float
    high: float
    position: int
    scenarios: list[float]
    shelf_cap: int
    leftover_fen_per_unit: float


def plan(data: PlanInput, *, time_limit_s: float = 10.0) -> Plan:
    """Choose quantities per SKU, source and hub maximising expected margin within budget."""
    _validate(data)
    items = {i.sku: i for i in data.items}
    by_sku: dict[str, list[Source]] = {}
    for s in data.sources:
        by_sku.setdefault(s.sku, []).append(s)
    needs = {sku: _need(items[sku], srcs, data) for sku, srcs in by_sku.items()}
    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetTimeLimit(int(time_limit_s * 1000))
    qty, sold = _build(solver, data, items, by_sku, needs)
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return Plan([], data.budget_fen, 0, 0, "infeasible")
    lines = _read(data, items, by_sku, needs, qty)
    spent = sum(line.line_cost_fen for line in lines)
    margin = sum(line.expected_margin_fen for line in lines)
    return Plan(lines, data.budget_fen, spent, margin,
                "optimal" if status == pywraplp.Solver.OPTIMAL else "feasible")


def _need(item: Item, sources: list[Source], data: PlanInput) -> _Need:
    """Demand over lead time plus review period, net of the stock we already have."""
    lead = min(s.lead_days for s in sources)
    window = lead + data.review_days
    daily = _extend(data.demand.get(item.sku, []), window)
    mean = float(sum(p50 for _, p50, _ in daily))
    widths = [(p90 - p10) / _Z80 for p10, _, p90 in daily]
    # days are neither independent nor fully correlated: take the middle of the two spreads
    sd = 0.5 * (math.sqrt(sum(w * w for w in widths)) + sum(widths))
    position = item.on_hand - item.reserved + item.in_transit
    dist = NormalDist(mean, sd) if sd > 0 else None
    gross = [max(dist.inv_cdf((k + 0.5) / _LEVELS), 0.0) if dist else mean for k in range(_LEVELS)]
    net = [max(g - position, 0.0) for g in gross]
    # units must sell before they expire: never buy beyond the p90 of demand within shelf life
    shelf_window = item.shelf_life_days - lead
    shelf_days = _extend(data.demand.get(item.sku, []), max(shelf_window, 0))
    shelf_daily = sum(p90 for _, _, p90 in shelf_days)
    shelf_cap = max(int(shelf_daily) - max(position, 0), 0) if shelf_window > 0 else 0
    expires = shelf_window <= window
    landed = min(s.landed_fen(item.weight_g) for s in sources)
    loss = 1.0 if expires else item.leftover_loss
    return _Need(window, mean, float(sum(p10 for p10, _, _ in daily)),
                 float(sum(p90 for _, _, p90 in daily)), position, net, shelf_cap, loss * landed)


def _extend(daily: list[tuple[int, int, int]], days: int) -> list[tuple[int, int, int]]:
    """The first `days` days of forecast, continued past its end at the last week's average."""
    if len(daily) >= days or not daily:
        return list(daily[:days])
    tail = daily[-7:]
    avg = tuple(round(sum(d[i] for d in tail) / len(tail)) for i in range(3))
    return list(daily) + [avg] * (days - len(daily))  # type: ignore[list-item]


def _build(solver: pywraplp.Solver, data: PlanInput, items: dict[str, Item],
           by_sku: dict[str, list[Source]], needs: dict[str, _Need]
           ) -> tuple[dict[int, pywraplp.Variable], dict[str, pywraplp.Variable]]:
    """Variables, constraints and objective of the purchase MIP."""
    qty: dict[int, pywraplp.Variable] = {}
    sold: dict[str, pywraplp.Variable] = {}
    objective = solver.Objective()
    spend = solver.Constraint(0, data.budget_fen, "budget")
    hubs = {h: solver.Constraint(0, cap, f"hub_{h}") for h, cap in data.hub_capacity.items()}
    for sku, sources in by_sku.items():
        item, need = items[sku], needs[sku]
        total = []
        for s in sources:
            k = id(s)
            cap = min(need.shelf_cap, data.hub_capacity.get(s.hub, 0))
            # case packs: buy whole cases; MOQ: nothing, or at least the minimum
            cases = solver.IntVar(0, cap // s.case_pack, f"cases_{sku}_{s.market}_{s.hub}")
            used = solver.BoolVar(f"used_{sku}_{s.market}_{s.hub}")
            q = solver.NumVar(0, cap, f"qty_{sku}_{s.market}_{s.hub}")
            solver.Add(q == s.case_pack * cases)
            solver.Add(q >= s.moq * used)
            solver.Add(q <= cap * used)
            landed = s.landed_fen(item.weight_g)
            spend.SetCoefficient(q, landed)
            hubs[s.hub].SetCoefficient(q, 1)
            objective.SetCoefficient(q, -landed - need.leftover_fen_per_unit)
            qty[k] = q
            total.append(q)
        # expected units sold: the average over demand scenarios of min(scenario, bought)
        shares = []
        for n, scenario in enumerate(need.scenarios):
            x = solver.NumVar(0, scenario, f"sold_{sku}_{n}")
            solver.Add(x <= sum(total))
            shares.append(x)
        s_var = solver.NumVar(0, solver.infinity(), f"sold_{sku}")
        solver.Add(s_var * len(shares) == sum(shares))
        objective.SetCoefficient(s_var, item.price_fen + need.leftover_fen_per_unit)
        sold[sku] = s_var
    objective.SetMaximization()
    return qty, sold


def _read(data: PlanInput, items: dict[str, Item], by_sku: dict[str, list[Source]],
          needs: dict[str, _Need], qty: dict[int, pywraplp.Variable]) -> list[PlanLine]:
    """Plan lines with their reasons, from the solved model."""
    lines = []
    for sku, sources in by_sku.items():
        item, need = items[sku], needs[sku]
        chosen = [(s, round(qty[id(s)].solution_value())) for s in sources]
        bought = sum(q for _, q in chosen)
        if bought <= 0:
            continue
        expected = sum(min(x, bought) for x in need.scenarios) / len(need.scenarios)
        rate = need.mean / need.window_days if need.window_days else 0.0
        cover = (max(need.position, 0) + bought) / rate if rate > 0 else float("inf")
        for s, q in chosen:
            if q <= 0:
                continue
            landed = s.landed_fen(item.weight_g)
            share = q / bought
            sold = expected * share
            margin = round(item.price_fen * sold - landed * q
                           - need.leftover_fen_per_unit * (q - sold))
            lines.append(PlanLine(
                sku, s.market, s.hub, s.supplier or s.market, q, q // s.case_pack,
                s.unit_cost_fen, landed, landed * q, need.mean, round(cover, 1),
                round(sold / q, 3), margin,
                f"forecast {need.mean:.0f} units over {need.window_days} days "
                f"(p10-p90 {need.low:.0f}-{need.high:.0f}), stock position {need.position}, "
                f"covers {cover:.0f} days, expected sell-through {sold / q:.0%}"))
    return lines


def _validate(data: PlanInput) -> None:
    """Refuse inconsistent planning input with every problem listed."""
    problems = []
    skus = {i.sku for i in data.items}
    if data.budget_fen < 0:
        problems.append({"field": "budget", "reason": "must not be negative"})
    for n, s in enumerate(data.sources):
        where = f"sources[{n}]"
        if s.sku not in skus:
            problems.append({"field": f"{where}.sku", "reason": f"unknown sku {s.sku!r}"})
        if s.hub not in data.hub_capacity:
            problems.append({"field": f"{where}.hub", "reason": f"unknown hub {s.hub!r}"})
        if s.case_pack < 1:
            problems.append({"field": f"{where}.case_pack", "reason": "must be at least 1"})
        if s.moq < 0 or s.unit_cost_fen < 0 or s.lead_days < 0 or s.freight_fen_per_kg < 0:
            problems.append({"field": where, "reason": "moq, cost, lead and freight must be >= 0"})
    if problems:
        raise InvalidCatalogue("purchase plan input refused", problems)
