"""Allocation waves over the database: reserved, paid orders -> routing.solve -> parcels.

One wave is one transaction: parcels, ledger moves (network reservation -> warehouse lots) and
order transitions all commit together or not at all. Orders the wave cannot serve in full stay
reserved for the next wave.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

import routing
from fulfilment import events
from fulfilment import orders as order_store
from fulfilment.localtime import CHINA, business_day
from fulfilment.settings import Settings
from fulfilment.tables import Order, OrderLine, Parcel, ParcelLine
from fulfilment.tables import Wave as WaveRow
from inventory import store as stock
from inventory.tables import Sku, Warehouse
from routing import cost as costing
from routing import greedy
from routing import index as indexing
from routing import store as rate_cards
from routing.solution import assemble

log = logging.getLogger("fulfilment.waves")
PROMISE_DAYS = 3  # days from payment the buyer is promised delivery within
PENALTIES = {"extra_parcel": 8.0, "late_per_day": 15.0, "unfulfilled_unit": 500.0}
MAX_PARCELS_PER_ORDER = 3


class WaveNotFound(ValueError):
    code, status = "wave_not_found", 404

    def __init__(self, wave_id: int) -> None:
        self.problems = [{"field": "wave_id", "reason": f"no wave {wave_id}"}]
        super().__init__(f"no wave {wave_id}")


def waiting(session: Session, *, limit: int) -> list[Order]:
    """Reserved, paid orders, oldest payment first."""
    return list(session.execute(
        select(Order).where(Order.status == "reserved", Order.paid_at.is_not(None))
        .order_by(Order.paid_at, Order.id).limit(limit)).scalars())


def _fen(amount: float | None) -> int | None:
    return None if amount is None else int((Decimal(str(amount)) * 100).to_integral_value())


def _unit_tax(sku: Sku, mode: str, now: datetime) -> float:
    """Tax the platform bears on one unit under a customs mode; 0 if customs cannot say."""
    try:
        from customs import tax

        amount = tax.unit_tax(unit_price=Decimal(sku.unit_price_fen) / 100, customs_mode=mode,
                              on=business_day(now), tax_category=sku.tax_category,
                              hs_code=sku.hs_code)
        return float(Decimal(amount).quantize(Decimal("0.01")))
    except Exception:  # noqa: BLE001 - a missing rule must not stop the wave
        return 0.0


def _capacity_left(session: Session, now: datetime) -> list[dict]:
    """Today's courier pick-ups (Asia/Shanghai day) not yet used by earlier waves."""
    local = now.astimezone(CHINA)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    used = dict(((w, c), n) for w, c, n in session.execute(
        select(Parcel.warehouse_id, Parcel.courier_id, func.count())
        .where(Parcel.created_at >= day_start, Parcel.created_at < day_start + timedelta(days=1))
        .group_by(Parcel.warehouse_id, Parcel.courier_id)))
    return [{"warehouse": w, "courier": c, "parcels": max(0, n - used.get((w, c), 0))}
            for (w, c), n in rate_cards.daily_capacity(session).items()]


def build_problem(session: Session, *, now: datetime, batch: list[Order],
                  hub: str | None = None) -> routing.Wave:
    """The wave problem: free stock, lanes, today's capacities, unit tax, these orders."""
    houses = [w for w in session.execute(select(Warehouse).order_by(Warehouse.id)).scalars()
              if hub is None or w.id == hub]
    ids = {w.id for w in houses}
    lines: dict[int, dict[str, int]] = defaultdict(dict)
    for line in session.execute(select(OrderLine).where(
            OrderLine.order_id.in_([o.id for o in batch]))).scalars():
        lines[line.order_id][line.sku_id] = lines[line.order_id].get(line.sku_id, 0) + line.qty
    sku_ids = {s for per in lines.values() for s in per}
    skus = list(session.execute(select(Sku).where(Sku.id.in_(sku_ids))).scalars())
    modes = {w.customs_mode for w in houses}
    lanes = rate_cards.lanes(session, warehouses=ids)
    return routing.parse({
        "wave_id": f"W-{now.astimezone(CHINA):%Y-%m-%d-%H%M%S}" + (f"-{hub}" if hub else ""),
        "warehouses": [{"id": w.id, "kind": w.kind, "customs_mode": w.customs_mode,
                        "pick_capacity_units": w.pick_capacity_units} for w in houses],
        "couriers": [c.model_dump() for c in rate_cards.couriers(session)],
        "lanes": [lane.model_dump() for lane in lanes],
        "courier_capacity": [c for c in _capacity_left(session, now) if c["warehouse"] in ids],
        "skus": [{"id": s.id, "weight_g": s.weight_g} for s in skus],
        "stock": [{"warehouse": w, "sku": s, "qty": q}
                  for (w, s), q in stock.free_stock(session, on=business_day(now)).items()
                  if w in ids and s in sku_ids],
        "unit_tax": [{"sku": s.id, "customs_mode": m, "amount": _unit_tax(s, m, now)}
                     for s in skus for m in sorted(modes)],
        "orders": [{"id": str(o.id), "zone": o.zone or "", "days_left": _days_left(o, now),
                    "lines": [{"sku": s, "qty": q} for s, q in lines[o.id].items()]}
                   for o in batch],
        "penalties": PENALTIES, "max_parcels_per_order": MAX_PARCELS_PER_ORDER,
    })


def _days_left(order: Order, now: datetime) -> int:
    paid = order.paid_at or now
    if paid.tzinfo is None:
        paid = paid.replace(tzinfo=UTC)
    return max(0, PROMISE_DAYS - (now - paid).days)


def _explain(problem: routing.Wave, solution: routing.Solution) -> dict[str, dict]:
    """Per order: each parcel's cost by component, and the greedy rule's choice (the shadow)."""
    index = indexing.build(problem)
    mine: dict[str, list] = defaultdict(list)
    for p in solution.picks():
        mine[p.order].append(p)
    rule: dict[str, list] = defaultdict(list)
    for p in greedy.plan(index):
        rule[p.order].append(p)

    def describe(picks: list[costing.Pick], order_id: str) -> dict:
        parcels, total = [], Fraction(0)
        for p in picks:
            ship, tax, late = costing.parcel_cost(index, p)
            total += ship + tax + index.late_per_day * late
            parcels.append({"warehouse": p.warehouse, "courier": p.courier,
                            "lines": dict(p.lines), "late_days": late, "shipping": _cny(ship),
                            "tax": _cny(tax), "late": _cny(index.late_per_day * late)})
        shipped = sum(q for p in picks for q in p.lines.values())
        ordered = sum(index.demand(index.orders[order_id]).values())
        split = index.extra_parcel * max(0, len(picks) - 1)
        missing = index.unfulfilled_unit * (ordered - shipped)
        return {"parcels": parcels, "split": _cny(split), "unfulfilled": _cny(missing),
                "total": _cny(total + split + missing)}

    return {o.id: {**describe(mine[o.id], o.id), "shadow": describe(rule[o.id], o.id)}
            for o in problem.orders}


def _cny(amount: Fraction) -> str:
    return f"{costing.round_cny(amount):.2f}"


def run_wave(session: Session, *, now: datetime, hub: str | None = None,
             time_limit_s: float = 20.0, workers: int = 2, seed: int = 0,
             max_orders: int = 20000, solve=routing.solve) -> WaveRow:  # noqa: ANN001
    """Source the waiting orders; persist parcels and ledger moves. Never commits; any error
    leaves the caller to roll everything back."""
    batch = waiting(session, limit=max_orders)
    row = WaveRow(status="empty", hub=hub, started_at=now, orders_count=len(batch))
    session.add(row)
    session.flush()
    if not batch:
        row.finished_at = now
        return row
    started = time.perf_counter()
    problem = build_problem(session, now=now, batch=batch, hub=hub)
    solution = solve(problem, time_limit_s=time_limit_s, workers=workers, seed=seed)
    short = {u.order for u in solution.unfulfilled}
    parcels: dict[str, list] = defaultdict(list)
    for p in solution.parcels:
        if p.order not in short:  # an order is sourced whole or waits for the next wave
            parcels[p.order].append(p)
    live = still_waiting(session, [int(i) for i in parcels])
    gone = {i for i in parcels if int(i) not in live}  # cancelled while the solver ran
    parcels = defaultdict(list, {i: mine for i, mine in parcels.items() if i not in gone})
    for order_id, mine in parcels.items():
        order = live[int(order_id)]
        for i, p in enumerate(mine, start=1):
            _persist_parcel(session, order, row, p, index=i, count=len(mine), now=now)
        events.transition(session, order, "allocated", now=now,
                          data={"wave_id": row.id, "parcels": len(mine)})
        _hold_quota_or_cancel(session, order, now)
    explained = _explain(problem, solution)
    done = _as_done(problem, solution, kept={i for i in parcels
                                             if live[int(i)].status == "allocated"},
                    dropped=gone | {i for i in parcels if live[int(i)].status == "cancelled"})
    row.status = solution.status.value
    # a baseline wave says why it is the greedy answer (too little time, HiGHS failed)
    row.error = solution.note[:500] if solution.note else None
    row.finished_at = now
    row.parcels_count = sum(len(v) for v in parcels.values())
    row.unfulfilled_units = sum(q for o in batch if str(o.id) not in parcels.keys() | gone
                                for q in order_store.quantities(session, o.id).values())
    row.objective_fen = _fen(done.objective)
    row.lower_bound_fen = _fen(None if solution.lower_bound is None
                               else min(solution.lower_bound, done.objective))
    row.baseline_fen = _fen(solution.baseline_objective)
    row.solve_seconds = round(time.perf_counter() - started, 3)
    row.cost_json = json.dumps({"cost": done.cost.model_dump(), "wave_id": problem.wave_id,
                                "served": sorted(parcels, key=int), "orders": explained})
    session.add(row)
    session.flush()
    return row


def still_waiting(session: Session, ids: list[int], *, chunk: int = 5000) -> dict[int, Order]:
    """The orders among `ids` still reserved and paid, locked and read afresh. The solver ran
    on a snapshot without locks (it may take seconds); an order cancelled meanwhile has had its
    reservation released, and allocating it now would take stock twice."""
    found: dict[int, Order] = {}
    for start in range(0, len(ids), chunk):
        rows = session.execute(
            select(Order).where(Order.id.in_(sorted(ids)[start:start + chunk]))
            .order_by(Order.id).with_for_update()
            .execution_options(populate_existing=True)).scalars()
        found.update({o.id: o for o in rows
                      if o.status == "reserved" and o.paid_at is not None})
    return found


def _as_done(problem: routing.Wave, solution: routing.Solution, *, kept: set[str],
             dropped: set[str]) -> routing.Solution:
    """The wave as it was carried out: the parcels of the orders allocated, the rest of the
    orders waiting for the next wave (their units unfulfilled), and orders cancelled meanwhile
    (during the solve, or for the buyer's quota) left out. The solver may have served part of
    an order, which then waits whole; its cost must not show parcels nobody made."""
    carried = problem.model_copy(update={"orders": [o for o in problem.orders
                                                    if o.id not in dropped]})
    return assemble(indexing.build(carried), [p for p in solution.picks() if p.order in kept],
                    status=solution.status)


def _hold_quota_or_cancel(session: Session, order: Order, now: datetime) -> None:
    """Hold the buyer's annual CBEC quota at allocation, so concurrent orders cannot together
    exceed it; an order that would take the buyer past a limit is cancelled, stock returned."""
    from customs.errors import CustomsError
    from fulfilment import clearance

    try:
        with session.begin_nested():
            clearance.hold_quota(session, order_id=order.id, now=now)
    except CustomsError as exc:
        order_store.cancel(session, order_id=order.id, now=now, actor="wave",
                           reason=exc.summary())


def _persist_parcel(session: Session, order: Order, wave: WaveRow, p: routing.Parcel, *,
                    index: int, count: int, now: datetime) -> None:
    parcel = Parcel(order_id=order.id, wave_id=wave.id, warehouse_id=p.warehouse,
                    courier_id=p.courier, index=index, count=count, weight_g=p.weight_g,
                    shipping_fen=_fen(p.shipping), tax_fen=_fen(p.tax), late_days=p.late_days,
                    created_at=now)
    session.add(parcel)
    session.flush()
    for line in p.lines:
        session.add(ParcelLine(parcel_id=parcel.id, sku_id=line.sku, qty=line.qty))
        stock.allocate(session, warehouse=p.warehouse, sku=line.sku, qty=line.qty, now=now,
                       reference=order_store.ref(order), dispatch_on=business_day(now))


def view(row: WaveRow) -> dict:
    """A wave as the API shows it: status, cost by component, greedy cost, gap, timing."""
    data = json.loads(row.cost_json) if row.cost_json else {}

    def cny(fen: int | None) -> str | None:
        return None if fen is None else f"{Decimal(fen) / 100:.2f}"

    def iso(at: datetime | None) -> str | None:
        return None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()

    gap = None
    if row.objective_fen and row.lower_bound_fen is not None:
        gap = round(100 * (row.objective_fen - row.lower_bound_fen) / row.objective_fen, 3)
    return {"id": row.id, "status": row.status, "hub": row.hub,
            "started_at": iso(row.started_at), "finished_at": iso(row.finished_at),
            "orders": row.orders_count, "allocated_orders": len(data.get("served", [])),
            "parcels": row.parcels_count, "unfulfilled_units": row.unfulfilled_units,
            "objective": cny(row.objective_fen), "lower_bound": cny(row.lower_bound_fen),
            "baseline_objective": cny(row.baseline_fen), "gap_pct": gap,
            "saving_vs_greedy": cny(row.baseline_fen - row.objective_fen)
            if row.baseline_fen is not None and row.objective_fen is not None else None,
            "cost": data.get("cost"), "solve_seconds": row.solve_seconds, "error": row.error}


def get(session: Session, wave_id: int) -> WaveRow:
    row = session.get(WaveRow, wave_id)
    if row is None:
        raise WaveNotFound(wave_id)
    return row


def order_allocation(session: Session, order_id: int) -> dict:
    """Each parcel of an order with its cost by component, and the greedy rule's shadow."""
    order = order_store.get(session, order_id)
    parcels = order_store.parcels_of(session, order.id)
    wave_ids = {p.wave_id for p in parcels if p.wave_id is not None}
    explained = None
    for wave_id in wave_ids:
        row = session.get(WaveRow, wave_id)
        data = json.loads(row.cost_json) if row and row.cost_json else {}
        explained = data.get("orders", {}).get(str(order.id), explained)
    body = {"order": order.id, "external_id": order.external_id, "status": order.status,
            "wave_id": min(wave_ids) if wave_ids else None,
            "parcels": [order_store.parcel_view(session, p) for p in parcels]}
    if explained:
        costs = {c["warehouse"]: c for c in explained["parcels"]}
        for shown in body["parcels"]:
            c = costs.get(shown["warehouse"], {})
            shown["cost"] = {k: c[k] for k in ("shipping", "tax", "late") if k in c}
        body.update(split=explained["split"], total=explained["total"],
                    shadow=explained["shadow"],
                    saving_vs_greedy=str(Decimal(explained["shadow"]["total"])
                                         - Decimal(explained["total"])))
    return body


def wave_job(factory: sessionmaker[Session], settings: Settings, *,
             now: datetime | None = None) -> int:
    """The scheduled wave: parcels made; a failed wave changes nothing but leaves a record."""
    now = now or datetime.now(UTC)
    try:
        with factory() as session, session.begin():
            return run_wave(session, now=now, time_limit_s=settings.wave_time_limit_s,
                            workers=2).parcels_count
    except Exception as exc:  # noqa: BLE001 - recorded, retried by the next wave
        log.exception("allocation wave failed")
        with factory() as session, session.begin():
            session.add(WaveRow(status="failed", started_at=now, finished_at=now,
                                error=f"{type(exc).__name__}: {exc}"[:500]))
        return 0
