"""Purchase plan: which SKU to buy, how many, from which market, into which bonded hub.

An OR-Tools MIP (SCIP) maximises expected margin: selling price times expected units sold,
minus landed cost (unit cost + freight), minus the expected cost of units left over, where
expected sales come from the forecast quantiles over each lead time's window (from the
arrival for the review period), net of the stock left on arrival: sales before the goods
arrive are lost, not theirs. Subject to budget, minimum order quantities, case packs, hub
capacity and shelf life. Money in integer fen. SCIP starts from the LP relaxation (GLOP)
rounded to whole cases, so that a large catalogue gets a plan within the time limit. The
plan's figures (`_read`, `evaluate`) are worked out apart from the solver, the same way for a
proposal and for a buyer's edit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from statistics import NormalDist

from ortools.linear_solver import linear_solver_pb2, pywraplp

from inventory.money import cny
from inventory.planning_errors import InvalidCatalogue

_LEVELS = 20  # demand scenarios per SKU (equal-probability quantiles)
_Z80 = NormalDist().inv_cdf(0.9) * 2  # width of a p10-p90 band in standard deviations
# the standard normal's equal-probability quantiles, one per scenario
_Z_LEVELS = [NormalDist().inv_cdf((k + 0.5) / _LEVELS) for k in range(_LEVELS)]


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
    # shelf life a unit must still have when shipped or received (receiving refuses less):
    # the last `min_remaining_days` of shelf life are the customer's, not selling days
    min_remaining_days: int = 0

    @property
    def position(self) -> int:
        """Stock on hand and in transit less what is reserved; below 0, units already owed."""
        return self.on_hand - self.reserved + self.in_transit

    @property
    def sell_days(self) -> int:
        """Days from the order in which its goods can still be sold and shipped."""
        return max(self.shelf_life_days - self.min_remaining_days, 0)


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
    # stopped at the time limit: how far the model's objective may be below its proven bound
    # (bound - found) / |bound|; 0 when proven optimal, None without a plan
    gap: float | None = None


@dataclass(frozen=True)
class _Need:
    """Demand facing the goods of one SKU that arrive `lead_days` after the order.

    Each lead time among a SKU's sources has its own window: from the arrival until the next
    review's goods come, cut short where the goods stop selling (shelf life less the minimum
    left for the customer). Lead times arriving within a review period of the first of them
    form a chain whose windows all end when the next review's goods from that first one come
    (a review period after it): a week's cover between them, not a week each. Nothing is
    sold before the goods arrive: the system never oversells, so a customer finding a SKU
    sold out buys nothing.
    """

    lead_days: int
    start: int  # the window's first day (the arrival), counted from today
    end: int  # the day after its last; start == end: the goods arrive too short-dated
    mean: float  # p50 demand over the window
    low: float
    high: float
    scenarios: list[float]  # window demand the stock left on arrival does not take (plus
    # units already owed, for the earliest lead), as equal-probability quantiles
    # for each earlier lead whose windows overlap this one's without a break: the same for
    # the whole span from that lead's arrival to this window's end (the goods share it)
    spans: dict[int, list[float]]
    shelf_cap: int  # p90 of demand from arrival to expiry left after stock: never buy beyond
    leftover_share: float  # share of landed cost lost per unit left at the end of the window

    @property
    def window_days(self) -> int:
        return self.end - self.start


def plan(data: PlanInput, *, time_limit_s: float = 10.0) -> Plan:
    """Choose quantities per SKU, source and hub maximising expected margin within budget.

    The MIP starts from its LP relaxation rounded to whole cases (`_rounded_relaxation`: a
    plan that always fits, found in seconds even where SCIP's own first plan takes longer
    than the limit); SCIP improves on it for what is left of `time_limit_s`, counted from the
    call.
    """
    began = time.monotonic()
    items, by_sku, needs = _prepare(data)
    notes = plan_notes(data)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    choices = _build(solver, data, items, by_sku, needs)
    start = _rounded_relaxation(solver, choices)
    if start:
        solver.SetHint(solver.variables(), start.values)
    left = time_limit_s - (time.monotonic() - began)
    if start and left <= 0:  # the start is the plan: the limit is spent
        status = pywraplp.Solver.NOT_SOLVED
    else:  # with no start, a tenth of the limit at least; never 0 ms (no limit to SCIP)
        solver.SetTimeLimit(max(int(left * 1000), 0 if start else int(time_limit_s * 100), 1))
        status = solver.Solve()
    found = status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
    if found and (not start or solver.Objective().Value() >= start.objective):
        chosen = {k: round(c.qty.solution_value()) for k, c in choices.items()}
        value, bound = solver.Objective().Value(), solver.Objective().BestBound()
    elif start:
        chosen, value, bound = start.quantities, start.objective, math.inf
    else:
        return Plan([], data.budget_fen, 0, 0, "infeasible", notes=notes)
    if start:
        bound = min(bound, start.bound)
    lines = _read(items, by_sku, needs, chosen)
    optimal = status == pywraplp.Solver.OPTIMAL
    made = _plan_of(lines, data, "optimal" if optimal else "feasible")
    notes += _unbought_notes(data, items, by_sku, needs, made)
    return replace(made, notes=notes, gap=0.0 if optimal else _gap(value, bound))


_NAMED = 3  # SKUs a note names before "and N more"


def plan_notes(data: PlanInput) -> list[str]:
    """One sentence per reason a SKU of the catalogue cannot be bought at all, whatever the
    budget: without them, a plan of no lines read as 'nothing is needed'."""
    if not data.sources:
        return ["nothing to plan: the catalogue has no source to buy from"]
    unforecast, short, no_room = _unbuyable(data)
    notes = []
    if unforecast:
        notes.append(f"no forecast for {_some(unforecast)}: nothing is bought for them (a "
                     f"missing forecast is not zero demand; forecast them to plan them)")
    return notes + _named([
        ("not bought, too short-dated on arrival from every source", list(short.values())),
        ("not bought, the smallest order is more than the hub can take",
         list(no_room.values()))])


def _named(reasons: list[tuple[str, list[str]]]) -> list[str]:
    """A sentence per reason that names SKUs: the reason, then the first few of them."""
    return [f"{reason}: {_some(names)}" for reason, names in reasons if names]


def _unbuyable(data: PlanInput) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The SKUs no budget can buy, in order: without a forecast, too short-dated on arrival
    from every source, and whose smallest order no hub can take (each with why, in words)."""
    items = {i.sku: i for i in data.items}
    by_sku = _sources_by_sku(data.sources)
    unforecast = sorted(sku for sku in by_sku if not data.demand.get(sku))
    short, no_room = {}, {}
    for sku, sources in sorted(by_sku.items()):
        if sku in unforecast:
            continue
        item = items[sku]
        if all(s.lead_days >= item.sell_days for s in sources):
            lead = min(s.lead_days for s in sources)
            kept = (f", {item.min_remaining_days} of them to be left on receipt"
                    if item.min_remaining_days else "")
            short[sku] = (f"{sku} ({item.shelf_life_days} days of shelf life{kept}; the "
                          f"fastest source takes {lead} days)")
        elif all(_smallest_order(s) > data.hub_capacity.get(s.hub, 0) for s in sources):
            s = min(sources, key=_smallest_order)
            no_room[sku] = (f"{sku} (smallest order {_smallest_order(s)} units; {s.hub} has "
                            f"room for {data.hub_capacity.get(s.hub, 0)})")
    return unforecast, short, no_room


def _unbought_notes(data: PlanInput, items: dict[str, Item], by_sku: dict[str, list[Source]],
                    needs: dict[str, dict[int, _Need]], made: Plan) -> list[str]:
    """Why the SKUs that could be bought got no line, first reason first: no smallest order
    of theirs fits the room left in its hubs; their stock covers the median forecast (a p50
    of 0 with a p90 above it is not covered); none fits the budget left; a smallest order
    would pay but the plan spent elsewhere; no order pays (too few expected sales for the
    landed cost and the leftovers). Without them, a plan of few or no lines read as 'nothing
    else is needed'."""
    unforecast, short, no_room = _unbuyable(data)
    skip = {ln.sku for ln in made.lines} | set(unforecast) | set(short) | set(no_room)
    room = dict(data.hub_capacity)
    for ln in made.lines:
        room[ln.hub] -= ln.qty
    left = made.budget_fen - made.spent_fen
    full, poor, covered, outbid, unpaid = [], [], [], [], []
    for sku in sorted(by_sku):
        if sku in skip:
            continue
        item, sources = items[sku], by_sku[sku]
        need = needs[sku][max(needs[sku])]  # the latest window among its sources
        until = sum(p50 for _, p50, _ in _extend(data.demand[sku], need.end))
        if all(_smallest_order(s) > room[s.hub] for s in sources):
            s = min(sources, key=_smallest_order)
            full.append(f"{sku} (smallest order {_smallest_order(s)} units; {s.hub} has "
                        f"{room[s.hub]} left)")
        elif item.position >= until and (until > 0 or need.high == 0):
            covered.append(f"{sku} ({item.position} units against {until} through day "
                           f"{need.end - 1})")
        elif all(_smallest_order(s) > room[s.hub]
                 or _smallest_order(s) * s.landed_fen(item.weight_g) > left for s in sources):
            poor.append(sku)
        elif any(_pays(item, s, needs[sku]) for s in sources):
            outbid.append(sku)
        else:
            unpaid.append(sku)
    after = " after the lines bought" if made.lines else ""
    return _named([
        (f"not bought, its hubs have no room left{after} for its smallest order", full),
        ("not bought, stock on hand and in transit covers the median forecast until the "
         "latest window ends", covered),
        (f"not bought, the budget left{after} ({cny(left)} CNY) is less than its smallest "
         f"order", poor),
        ("not bought, though a smallest order would pay on its own and fits: the plan found "
         "more margin for the budget elsewhere (or stopped at its time limit first)", outbid),
        ("not bought, no order pays: too few expected sales for the landed cost and the "
         "leftovers", unpaid)])


def _pays(item: Item, source: Source, need: dict[int, _Need]) -> bool:
    """Whether the source's smallest order, bought alone, is expected to earn a margin (if
    it does not, no larger order from it does: the margin is concave in the units)."""
    units = _smallest_order(source)
    sold = _expected_sales([(source, units)], need)[id(source)]
    return _margin(item, source, need[source.lead_days], units, sold) > 0


def _margin(item: Item, source: Source, need: _Need, units: int, sold: float) -> int:
    """Expected margin of `units` from a source of which `sold` are expected to sell: the
    price of those sold, less the landed cost of all and the leftover cost of the rest."""
    landed = source.landed_fen(item.weight_g)
    return round(item.price_fen * sold - landed * units
                 - need.leftover_share * landed * (units - sold))


def _smallest_order(s: Source) -> int:
    """The fewest units a source sells: its MOQ rounded up to whole cases (one case at least;
    `_validate` has refused a case pack below 1)."""
    return max(math.ceil(s.moq / s.case_pack), 1) * s.case_pack


def _some(names: list[str]) -> str:
    """The first few of a list and how many more."""
    more = len(names) - _NAMED
    return ", ".join(names[:_NAMED]) + (f" and {more} more" if more > 0 else "")


def _gap(found: float, bound: float) -> float:
    """The relative distance from the plan found to the best the solver proved possible."""
    return max(0.0, bound - found) / max(abs(bound), 1.0)


def evaluate(data: PlanInput, quantities: dict[tuple[str, str, str], int]) -> Plan:
    """The plan of given quantities per (sku, market, hub): each line's forecast, cover,
    sell-through, margin and reason worked out as `plan` works out its own, so that a buyer's
    edited quantities are shown with figures of their own, not the proposal's."""
    items, by_sku, needs = _prepare(data)
    chosen = {id(s): quantities.get((s.sku, s.market, s.hub), 0) for s in data.sources}
    return _plan_of(_read(items, by_sku, needs, chosen), data, "edited")


def _prepare(data: PlanInput) -> tuple[dict[str, Item], dict[str, list[Source]],
                                       dict[str, dict[int, _Need]]]:
    """The checked input by SKU: items, their sources, and the demand each lead time faces."""
    _validate(data)
    items = {i.sku: i for i in data.items}
    by_sku = _sources_by_sku(data.sources)
    return items, by_sku, {sku: _needs(items[sku], srcs, data) for sku, srcs in by_sku.items()}


def _sources_by_sku(sources: list[Source]) -> dict[str, list[Source]]:
    """Each SKU's sources, in the catalogue's order."""
    by_sku: dict[str, list[Source]] = {}
    for s in sources:
        by_sku.setdefault(s.sku, []).append(s)
    return by_sku


def _plan_of(lines: list[PlanLine], data: PlanInput, status: str) -> Plan:
    return Plan(lines, data.budget_fen, sum(ln.line_cost_fen for ln in lines),
                sum(ln.expected_margin_fen for ln in lines), status)


def _needs(item: Item, sources: list[Source], data: PlanInput) -> dict[int, _Need]:
    """One `_Need` per distinct lead time among a SKU's sources, keyed by lead days, each with
    the spans it shares with the earlier leads of its chain.

    Scenario k is the same demand quantile for every window and span. Units already owed
    (reserved beyond stock) are the earliest lead's to serve: the customers are waiting, and
    counted in every window they were bought again for each later arrival.
    """
    leads = sorted({s.lead_days for s in sources})
    first: dict[int, int] = {}  # each lead's chain: the first lead time in it
    for lead in leads:
        head = first[leads[leads.index(lead) - 1]] if first else lead
        first[lead] = head if lead < head + data.review_days else lead
    needs = {lead: _need(item, lead, first[lead] + data.review_days, data,
                         owed=lead == leads[0]) for lead in leads}
    for lead in leads:
        spans = {t: _net(item, data, t, needs[lead].end, owed=t == leads[0]) for t in leads
                 if first[t] == first[lead] and t < lead}
        needs[lead] = replace(needs[lead], spans=spans)
    return needs


def _need(item: Item, lead: int, until: int, data: PlanInput, *, owed: bool) -> _Need:
    """Demand for goods arriving after `lead` days, in their own window, net of the stock.

    The window runs from the arrival to day `until` (when the next review's goods come), and
    ends sooner where the goods stop selling (`sell_days` after the order); goods that arrive
    with less than the minimum left (receiving refuses them) can sell nothing. The stock
    serves the demand before the arrival and then the window's; with `owed`, the units
    already owed are orders the goods serve on arrival.
    """
    start, end = lead, max(min(until, item.sell_days), lead)
    forecast = data.demand.get(item.sku, [])
    window = _extend(forecast, end)[start:]
    position = item.position
    mean, _ = _quantiles(window)
    shelf_days = _extend(forecast, item.sell_days)
    before, after = shelf_days[:lead], shelf_days[lead:]
    # units must sell before they expire: never buy beyond the p90 of that demand
    p90_left = max(position - sum(p90 for _, _, p90 in before), 0)
    shelf_cap = max(sum(p90 for _, _, p90 in after) - p90_left, 0) + max(-position, 0) \
        if after else 0
    # left at the end of the window (both counted from the order): a total loss if expired
    expires = item.sell_days <= until
    return _Need(lead, start, end, mean, float(sum(p10 for p10, _, _ in window)),
                 float(sum(p90 for _, _, p90 in window)),
                 _net(item, data, start, end, owed=owed), {}, shelf_cap,
                 1.0 if expires else item.leftover_loss)


def _net(item: Item, data: PlanInput, start: int, end: int, *, owed: bool) -> list[float]:
    """Demand from day `start` to `end` the stock left on day `start` does not take, with
    `owed` plus the units already owed, as `_LEVELS` equal-probability quantiles (nothing if
    start >= end)."""
    if end <= start:
        return [0.0] * _LEVELS
    forecast = data.demand.get(item.sku, [])
    days = _extend(forecast, end)
    position = item.position
    _, before = _quantiles(days[:start])
    _, during = _quantiles(days[start:end])
    waiting = max(-position, 0) if owed else 0
    return [max(d - max(position - b, 0.0), 0.0) + waiting
            for b, d in zip(before, during, strict=True)]


def _quantiles(daily: list[tuple[int, int, int]]) -> tuple[float, list[float]]:
    """The p50 total of some days and `_LEVELS` equal-probability quantiles of their total."""
    mean = float(sum(p50 for _, p50, _ in daily))
    widths = [(p90 - p10) / _Z80 for p10, _, p90 in daily]
    # days are neither independent nor fully correlated: take the middle of the two spreads
    sd = 0.5 * (math.sqrt(sum(w * w for w in widths)) + sum(widths))
    return mean, [max(mean + sd * z, 0.0) for z in _Z_LEVELS]


def _extend(daily: list[tuple[int, int, int]], days: int) -> list[tuple[int, int, int]]:
    """The first `days` days of forecast, continued past its end at the last week's average."""
    if len(daily) >= days or not daily:
        return list(daily[:days])
    tail = daily[-7:]
    avg = tuple(round(sum(d[i] for d in tail) / len(tail)) for i in range(3))
    return list(daily) + [avg] * (days - len(daily))  # type: ignore[list-item]


@dataclass(frozen=True)
class _Choice:
    """The MIP's variables for one source: units, whole cases, and whether it is used."""

    qty: pywraplp.Variable
    cases: pywraplp.Variable
    used: pywraplp.Variable
    source: Source


def _build(solver: pywraplp.Solver, data: PlanInput, items: dict[str, Item],
           by_sku: dict[str, list[Source]], needs: dict[str, dict[int, _Need]]
           ) -> dict[int, _Choice]:
    """Variables, constraints and objective of the purchase MIP, by source (`id`).

    Rows are set coefficient by coefficient: the natural API's expressions took most of the
    build at 1,000 SKUs.
    """
    choices: dict[int, _Choice] = {}
    objective = solver.Objective()
    spend = solver.Constraint(0, data.budget_fen, "budget")
    hubs = {h: solver.Constraint(0, cap, f"hub_{h}") for h, cap in data.hub_capacity.items()}
    for sku, sources in by_sku.items():
        item, need = items[sku], needs[sku]
        leftover = {}
        usable: dict[int, list[float]] = {}  # by lead: the sources whose smallest order fits
        for s in sources:
            k = id(s)
            name = f"{sku}_{s.market}_{s.hub}"
            landed = s.landed_fen(item.weight_g)
            leftover[k] = need[s.lead_days].leftover_share * landed
            cap = min(need[s.lead_days].shelf_cap, data.hub_capacity.get(s.hub, 0))
            if (_smallest_order(s) <= cap and _smallest_order(s) * landed <= data.budget_fen
                    and _pays(item, s, need)):
                usable.setdefault(s.lead_days, []).append(leftover[k])
            # case packs: buy whole cases; MOQ: nothing, or at least the minimum
            cases = solver.IntVar(0, cap // s.case_pack, f"cases_{name}")
            used = solver.BoolVar(f"used_{name}")
            q = solver.NumVar(0, cap, f"qty_{name}")
            _row(solver, 0, 0, [(q, 1), (cases, -s.case_pack)])
            _row(solver, 0, solver.infinity(), [(q, 1), (used, -s.moq)])
            _row(solver, -solver.infinity(), 0, [(q, 1), (used, -cap)])
            spend.SetCoefficient(q, landed)
            hubs[s.hub].SetCoefficient(q, 1)
            objective.SetCoefficient(q, -landed - leftover[k])
            choices[k] = _Choice(q, cases, used, s)
        # Shelf life bounds the SKU's total, not each source alone: goods arriving on day
        # `lead` or later all sell between `lead` and expiry, so (one constraint per distinct
        # lead) their total over every market and hub is at most the p90 demand of that span.
        # The earliest lead bounds the SKU total; these windows are nested, so the constraints
        # are exactly what some split of that demand between the arrivals can absorb.
        for lead, n in need.items():
            _row(solver, 0, n.shelf_cap, [(choices[id(s)].qty, 1) for s in sources
                                          if s.lead_days >= lead])
        # a unit sold is credited the least leftover cost among its lead time's sources (a
        # margin never overstated), counting only sources worth using: one into a full hub,
        # above the budget or whose smallest order loses lowered the credit of the others' units
        credit = {lead: item.price_fen + min(usable.get(lead) or [
            leftover[id(s)] for s in sources if s.lead_days == lead]) for lead in need}
        _sales(solver, item, [(s.lead_days, choices[id(s)].qty) for s in sources], need,
               credit)
    objective.SetMaximization()
    return choices


def _row(solver: pywraplp.Solver, low: float, high: float,
         terms: list[tuple[pywraplp.Variable, float]]) -> None:
    """The constraint low <= sum of coefficient x variable <= high."""
    row = solver.Constraint(low, high)
    for var, coefficient in terms:
        row.SetCoefficient(var, coefficient)


def _sales(solver: pywraplp.Solver, item: Item, arrivals: list[tuple[int, pywraplp.Variable]],
           need: dict[int, _Need], credit: dict[int, float]) -> None:
    """Expected units sold of one SKU, as `_expected_sales` reads a plan: the average over
    demand scenarios of one variable per lead time and scenario, at most what arrives with
    that lead and its window's net demand, and, for each span of overlapping windows, their
    total at most the span's. `arrivals` are the SKU's sources' lead times and units;
    `credit` per lead time is the price plus the leftover cost a unit sold does not incur.
    """
    objective = solver.Objective()
    low = -solver.infinity()
    for n_ in range(_LEVELS):
        sold = {lead: solver.NumVar(0, nd.scenarios[n_], f"sold_{item.sku}_{lead}_{n_}")
                for lead, nd in need.items()}
        for lead, nd in need.items():
            _row(solver, low, 0, [(sold[lead], 1)] + [(q, -1) for at, q in arrivals
                                                       if at == lead])
            for earlier, span in nd.spans.items():
                _row(solver, low, span[n_], [(sold[t], 1) for t in need if earlier <= t <= lead])
            objective.SetCoefficient(sold[lead], credit[lead] / _LEVELS)


@dataclass(frozen=True)
class _Start:
    """A plan that fits, to start the MIP from: every variable's value, its objective, its
    quantities by source, and the LP relaxation's bound above any plan."""

    values: list[float]
    objective: float
    quantities: dict[int, int]
    bound: float


def _rounded_relaxation(solver: pywraplp.Solver, choices: dict[int, _Choice]) -> _Start | None:
    """The MIP's LP relaxation (GLOP) rounded to a plan that fits: each source's units down
    to whole cases (and to none below its MOQ), then up a step where the relaxation wanted at
    least half of it and the rows that cap units (budget, hub room, shelf life) still hold.
    Its sales are the relaxation's again with those units held fixed (a fresh solve, a fifth
    of a second at 2,000 SKUs)."""
    proto = linear_solver_pb2.MPModelProto()
    solver.ExportModelToProto(proto)
    for v in proto.variable:
        v.is_integer = False
    relaxed = _solve_lp(proto)
    if relaxed is None:
        return None
    bound, values = relaxed
    want = {k: values[c.qty.index()] for k, c in choices.items()}
    quantities = {}
    for k, c in choices.items():
        s = c.source
        units = math.floor(want[k] / s.case_pack + 1e-6) * s.case_pack
        quantities[k] = units if units >= max(s.moq, 1) else 0
    _round_up(proto, choices, want, quantities)
    for k, c in choices.items():
        units = quantities[k]
        for var, value in ((c.qty, units), (c.cases, units // c.source.case_pack),
                           (c.used, 1 if units else 0)):
            proto.variable[var.index()].lower_bound = value
            proto.variable[var.index()].upper_bound = value
    fixed = _solve_lp(proto)
    if fixed is None:
        return None
    return _Start(fixed[1], fixed[0], quantities, bound)


def _round_up(proto: linear_solver_pb2.MPModelProto, choices: dict[int, _Choice],
              want: dict[int, float], quantities: dict[int, int]) -> None:
    """Raise rounded-down units by a step (a case, or the smallest order from none) where the
    relaxation wanted at least half the step, most wanted first, while every row over units
    alone (budget, hub room, shelf life) keeps within its upper bound and the source within
    its own: rounding down had left about 8% of the budget unspent at 1,000 SKUs."""
    source_of = {c.qty.index(): k for k, c in choices.items()}
    rows: dict[int, list[tuple[int, float]]] = {}  # units variable -> (row, coefficient)
    room: list[float] = []
    for r, row in enumerate(proto.constraint):
        if not all(i in source_of for i in row.var_index):
            room.append(math.inf)  # the sales rows: more units only loosen them
            continue
        room.append(row.upper_bound - sum(
            a * quantities[source_of[i]] for i, a in zip(row.var_index, row.coefficient,
                                                         strict=True)))
        for i, a in zip(row.var_index, row.coefficient, strict=True):
            rows.setdefault(i, []).append((r, a))
    steps = []
    for k, c in choices.items():
        s = c.source
        step = s.case_pack if quantities[k] else _smallest_order(s)
        if want[k] - quantities[k] >= step / 2:
            steps.append(((want[k] - quantities[k]) / step, k, step))
    for _, k, step in sorted(steps, key=lambda t: -t[0]):
        var = choices[k].qty.index()
        if quantities[k] + step > proto.variable[var].upper_bound:
            continue
        if all(room[r] >= a * step for r, a in rows.get(var, []) if a > 0):
            quantities[k] += step
            for r, a in rows.get(var, []):
                room[r] -= a * step


def _solve_lp(proto: linear_solver_pb2.MPModelProto) -> tuple[float, list[float]] | None:
    """A linear program's optimum and every variable's value there, or None without one.

    The dual simplex found the relaxation's optimum at 2,000 SKUs in 5.1 s where GLOP's
    default took 7.6 s and the primal simplex without presolve 11 s. Should that fail, GLOP
    tries again with its defaults.
    """
    for parameters in ("use_dual_simplex: true", ""):
        lp = pywraplp.Solver.CreateSolver("GLOP")
        lp.SetSolverSpecificParametersAsString(parameters)
        if not lp.LoadModelFromProto(proto) and lp.Solve() == pywraplp.Solver.OPTIMAL:
            return lp.Objective().Value(), [v.solution_value() for v in lp.variables()]
    return None


def _expected_sales(chosen: list[tuple[Source, int]], need: dict[int, _Need]
                    ) -> dict[int, float]:
    """Expected units sold per source: in each demand scenario the goods of each lead time,
    earliest first, take what is left of their window's demand and of each span they share
    with earlier overlapping windows (as many as the MIP's bounds allow: the windows are in
    order of both start and end, so the earliest first sells the most). Goods arriving
    together share it in proportion to their quantities.
    """
    group: dict[int, int] = {}
    for s, q in chosen:
        group[s.lead_days] = group.get(s.lead_days, 0) + q
    sold = {lead: 0.0 for lead in sorted(group)}
    for n in range(_LEVELS):
        taken: dict[int, float] = {}
        for lead in sold:  # in order of arrival; leads with nothing bought take nothing
            nd = need[lead]
            room = min([nd.scenarios[n]] + [
                span[n] - sum(v for t, v in taken.items() if t >= earlier)
                for earlier, span in nd.spans.items()])
            taken[lead] = min(float(group[lead]), max(room, 0.0))
            sold[lead] += taken[lead] / _LEVELS
    return {id(s): sold[s.lead_days] * q / group[s.lead_days] for s, q in chosen}


def _read(items: dict[str, Item], by_sku: dict[str, list[Source]],
          needs: dict[str, dict[int, _Need]], qty: dict[int, int]) -> list[PlanLine]:
    """Plan lines with their reasons, from quantities per source (keyed by `id`)."""
    lines = []
    for sku, sources in by_sku.items():
        item = items[sku]
        chosen = [(s, qty.get(id(s), 0)) for s in sources]
        chosen = [(s, q) for s, q in chosen if q > 0]
        if not chosen:
            continue
        expected = _expected_sales(chosen, needs[sku])
        for s, q in chosen:
            need = needs[sku][s.lead_days]
            # the goods on the shelf by this arrival, in the order they come
            arrivals = sorted((s2.lead_days, q2) for s2, q2 in chosen
                              if s2.lead_days <= s.lead_days)
            cover, covers, gap = _cover(item, need, arrivals)
            landed = s.landed_fen(item.weight_g)
            sold = expected[id(s)]
            margin = _margin(item, s, need, q, sold)
            lines.append(PlanLine(
                sku, s.market, s.hub, s.supplier or s.market, q, q // s.case_pack,
                s.unit_cost_fen, landed, landed * q, need.mean, cover,
                round(sold / q, 3), margin,
                f"forecast {need.mean:.0f} units in days {need.start}-{need.end - 1} "
                f"(p10-p90 {need.low:.0f}-{need.high:.0f}), stock position {item.position}, "
                f"arrives in {s.lead_days} days, {_selling(item, s.lead_days)}, "
                f"{covers}, expected sell-through {sold / q:.0%}"
                f"{gap}"))
    return lines


def _cover(item: Item, need: _Need, arrivals: list[tuple[int, int]]
           ) -> tuple[float, str, str]:
    """Days of cover from today, rounded to 0.1, how the reason puts it (always finite), and
    the reason's warning where nothing covers the days before these goods arrive.

    At the window's daily demand the stock runs down from today and each arrival (lead
    days, units; the units owed met first) restocks the shelf; what is not on the shelf is
    a sale lost (the system never oversells). Cover is when the shelf empties after this
    line's goods arrive, never past the day the goods stop selling. Daily demand is the
    p50's; where that is 0 but the p90 is not, the p90's (the demand the goods are bought
    for). With no demand at all the goods last until they expire.
    """
    if need.mean <= 0 and need.high <= 0:
        until = "until expiry" if not item.min_remaining_days else \
            f"until {item.min_remaining_days} days before expiry"
        cover = float(item.sell_days)
        return cover, f"no demand forecast: covers {cover:.0f} days, {until}", ""
    daily = (need.mean if need.mean > 0 else need.high) / (need.window_days or 1)
    shelf, owed, day, empty = max(item.position, 0.0), max(-item.position, 0), 0.0, None
    for lead, units in arrivals:
        if day + shelf / daily < lead:  # the shelf empties before these come
            empty, shelf = day + shelf / daily, 0.0
        else:
            shelf -= (lead - day) * daily
            empty = None
        day = float(lead)
        met = min(owed, units)
        owed, shelf = owed - met, shelf + units - met
    cover = round(min(day + shelf / daily if shelf > 0 or empty is None else empty,
                      float(item.sell_days)), 1)
    at = "" if need.mean > 0 else " at p90 demand (p50 is 0)"
    gap = "" if empty is None or round(empty) >= need.lead_days else (
        f"; nothing covers days {round(empty)}-{need.lead_days - 1} before these arrive "
        f"(sales in between are lost)")
    return cover, f"covers {cover:.0f} days{at}", gap


def _selling(item: Item, lead: int) -> str:
    """How long goods arriving after `lead` days can sell, as the reason says it."""
    days = max(item.sell_days - lead, 0)
    if not item.min_remaining_days:
        return f"sells for {days} days before expiry"
    return (f"sells for {days} days before its last {item.min_remaining_days} days of shelf "
            f"life (kept for the customer)")


def _validate(data: PlanInput) -> None:
    """Refuse inconsistent planning input with every problem listed."""
    problems = []
    skus = {i.sku for i in data.items}
    if data.budget_fen < 0:
        problems.append({"field": "budget", "reason": "must not be negative"})
    if data.review_days < 1:
        problems.append({"field": "review_days", "reason": "must be at least 1"})
    for n, i in enumerate(data.items):
        if i.min_remaining_days < 0:
            problems.append({"field": f"items[{n}].min_remaining_days",
                             "reason": "must not be negative"})
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
