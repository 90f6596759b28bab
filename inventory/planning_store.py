"""Planning rows in the database: signals, sales, forecasts, sources, plans. Never commits."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from inventory import purchasing
from inventory import store as stock
from inventory.forecast import ForecastRow
from inventory.planning_tables import (
    Carton,
    ForecastDay,
    ForecastRun,
    HubCapacity,
    InboundTransfer,
    PurchasePlan,
    PurchasePlanLine,
    SalesDay,
    SalesImport,
    SignalDay,
    SupplySource,
)
from inventory.signals import SIGNAL_FIELDS, SaleRow, SignalRow, collector_paused
from inventory.tables import Availability, Sku, StockLot


def upsert_signals(session: Session, *, rows: list[SignalRow]) -> int:
    """Store signal rows; a row for the same SKU and day replaces the old one (idempotent)."""
    _bulk_upsert(session, SignalDay, SIGNAL_FIELDS,
                 {(r.sku, r.day): tuple(getattr(r, f) for f in SIGNAL_FIELDS) for r in rows})
    return len(rows)


def upsert_sales(session: Session, *, rows: list[SaleRow]) -> int:
    """Store imported sales rows as one import; the same SKU and day replaces the old value
    (idempotent) and becomes this import's row."""
    if not rows:
        return 0
    batch = SalesImport(rows=len(rows))
    session.add(batch)
    session.flush()
    _bulk_upsert(session, SalesDay, ("units", "import_id"),
                 {(r.sku, r.day): (r.units, batch.id) for r in rows})
    return len(rows)


_ROWS_PER_CALL = 5000  # parameter sets built and sent at a time


def _bulk_upsert(session: Session, model: type[SignalDay] | type[SalesDay],
                 fields: tuple[str, ...], values: dict[tuple[str, date], tuple[int, ...]]
                 ) -> None:
    """INSERT ... ON CONFLICT (sku_id, day) DO UPDATE for every row: one row per key, the new
    values replacing the stored ones. Two imports at once both succeed (the later one's values
    stay), where a SELECT-then-INSERT failed one of them on a key both inserted. Rows go in key
    order, so concurrent imports lock shared keys in the same order and cannot deadlock.

    One statement, compiled once, run as an executemany (psycopg pipelines it; sqlite3 loops
    in C): each row binds its own few parameters, so no statement nears SQLite's (999 or
    32,766) or PostgreSQL's (65,535) limit, and nothing compiles a 5,000-row VALUES list,
    which cost more than the database's work. Runs in the session's transaction, never
    commits."""
    session.flush()  # the session's own pending changes go first
    dialect = session.get_bind(mapper=model).dialect.name
    if dialect == "postgresql":
        insert = pg_insert
    elif dialect == "sqlite":
        insert = sqlite_insert
    else:
        raise NotImplementedError(f"no bulk upsert for the {dialect} database")
    table = model.__table__
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.sku_id, table.c.day],
                                      set_={f: stmt.excluded[f] for f in fields})
    columns = ("sku_id", "day", *fields)
    keys = sorted(values)
    for start in range(0, len(keys), _ROWS_PER_CALL):
        session.execute(stmt, [dict(zip(columns, (*key, *values[key]), strict=True))
                               for key in keys[start:start + _ROWS_PER_CALL]])
    # objects the session already holds would keep the old values: read them again on use
    for obj in [o for o in session.identity_map.values() if isinstance(o, model)]:
        if (obj.sku_id, obj.day) in values:
            session.expire(obj)


# Columns, not ORM objects: a year of 2,000 SKUs took 15-18 s to load as objects (the board
# and the nightly forecast); `since` keeps a 42-day chart from reading the whole history.


def load_signals(session: Session, *, since: date | None = None) -> list[SignalRow]:
    query = select(SignalDay.day, SignalDay.sku_id,
                   *(getattr(SignalDay, f) for f in SIGNAL_FIELDS))
    if since is not None:
        query = query.where(SignalDay.day >= since)
    with collector_paused():
        return [SignalRow(*row) for row in session.execute(
            query.order_by(SignalDay.day, SignalDay.sku_id))]


def load_sales(session: Session, *, since: date | None = None, until: date | None = None
               ) -> list[SaleRow]:
    """Imported sales from `since` and before `until` (either None: no bound)."""
    query = select(SalesDay.day, SalesDay.sku_id, SalesDay.units)
    if since is not None:
        query = query.where(SalesDay.day >= since)
    if until is not None:
        query = query.where(SalesDay.day < until)
    with collector_paused():
        return [SaleRow(*row) for row in session.execute(
            query.order_by(SalesDay.day, SalesDay.sku_id))]


def sales_spans(session: Session, *, until: date | None = None
                ) -> dict[str, list[tuple[date, date]]]:
    """Per SKU, the days its imports cover, as sorted, disjoint (first, last) spans: each
    import from its first row of the SKU to its last, both before `until` when given (a row
    dated on or after it stretches nothing)."""
    query = select(SalesDay.sku_id, func.min(SalesDay.day), func.max(SalesDay.day))
    if until is not None:
        query = query.where(SalesDay.day < until)
    spans: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for sku, first, last in session.execute(query.group_by(SalesDay.sku_id, SalesDay.import_id)
                                            .order_by(SalesDay.sku_id, func.min(SalesDay.day))):
        if spans[sku] and first <= spans[sku][-1][1] + timedelta(days=1):  # overlap or touch
            spans[sku][-1] = (spans[sku][-1][0], max(last, spans[sku][-1][1]))
        else:
            spans[sku].append((first, last))
    return dict(spans)


def save_forecast(session: Session, *, rows: list[ForecastRow], made_at: datetime, start: date,
                  horizon: int, notes: tuple[str, ...] = ()) -> ForecastRun:
    run = ForecastRun(made_at=made_at, start=start, horizon=horizon, notes=list(notes))
    session.add(run)
    session.flush()
    session.add_all(ForecastDay(run_id=run.id, sku_id=r.sku, day=r.day, p10=r.p10, p50=r.p50,
                                p90=r.p90) for r in rows)
    session.flush()
    return run


def latest_forecast(session: Session) -> tuple[ForecastRun | None, list[ForecastDay]]:
    run = session.exec(select(ForecastRun).order_by(ForecastRun.id.desc())).first()
    return (None, []) if run is None else (run, forecast_days(session, run.id))


def forecast_days(session: Session, run_id: int) -> list[ForecastDay]:
    return list(session.exec(select(ForecastDay).where(ForecastDay.run_id == run_id)
                             .order_by(ForecastDay.sku_id, ForecastDay.day)))


def demand_from(days: list[ForecastDay], today: date) -> dict[str, list[tuple[int, int, int]]]:
    """Each SKU's daily (p10, p50, p90) from `today` on, as the purchase plan reads demand."""
    demand: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for d in days:
        if d.day >= today:
            demand[d.sku_id].append((d.p10, d.p50, d.p90))
    return dict(demand)


def plan_input(session: Session, *, demand: dict[str, list[tuple[int, int, int]]],
               budget_fen: int, today: date, review_days: int = 7
               ) -> tuple[purchasing.PlanInput, dict[tuple[str, str, str], int]]:
    """The purchasing problem from the catalogue, sources, stock and inbound in the database.

    Stock on hand is the free units fresh enough to ship `today`: a lot too short-dated to
    ship (written off by the nightly job) hid the need for the goods to replace it.
    """
    sources = session.exec(select(SupplySource)).all()
    skus = {s.id: s for s in session.exec(select(Sku))}
    on_hand: dict[str, int] = defaultdict(int)
    for (_, sku), free in stock.free_stock(session, on=today).items():
        on_hand[sku] += free
    reserved = {a.sku_id: a.reserved for a in session.exec(select(Availability))}
    transit: dict[str, int] = defaultdict(int)
    for carton in session.exec(select(Carton).join(InboundTransfer).where(
            InboundTransfer.status == "in_transit")):
        transit[carton.sku_id] += carton.qty
    # a SKU without a shelf life gets cartons without an expiry: no minimum applies to them
    items = [purchasing.Item(sku, skus[sku].unit_price_fen, skus[sku].weight_g,
                             skus[sku].shelf_life_days or 3650, on_hand=on_hand[sku],
                             reserved=reserved.get(sku, 0), in_transit=transit[sku],
                             min_remaining_days=(skus[sku].min_remaining_days or 0)
                             if skus[sku].shelf_life_days else 0)
             for sku in sorted({s.sku_id for s in sources})]
    capacity = hub_room(session)
    for s in sources:
        capacity.setdefault(s.hub, UNLIMITED_ROOM)
    ids = {(s.sku_id, s.market, s.hub): s.id for s in sources}
    data = purchasing.PlanInput(
        items=items, hub_capacity=capacity, demand=demand, budget_fen=budget_fen,
        review_days=review_days,
        sources=[purchasing.Source(s.sku_id, s.market, s.hub, s.unit_cost_fen, s.moq,
                                   s.case_pack, s.lead_days, s.freight_fen_per_kg, s.supplier)
                 for s in sources])
    return data, ids


UNLIMITED_ROOM = 10**6  # a hub without a stated capacity is not the limit


def hub_room(session: Session) -> dict[str, int]:
    """Units each hub with a stated capacity can still take: its capacity less what it holds
    and what is in transit to it (that will take its room on arrival; left out, a second plan
    sent another hub's worth to a full one)."""
    taken: dict[str, int] = defaultdict(int)
    for lot in session.exec(select(StockLot)):
        taken[lot.warehouse_id] += lot.on_hand
    for qty, hub in session.exec(select(Carton.qty, InboundTransfer.hub).join(InboundTransfer)
                                 .where(InboundTransfer.status == "in_transit")):
        taken[hub] += qty
    return {c.warehouse_id: max(c.capacity_units - taken[c.warehouse_id], 0)
            for c in session.exec(select(HubCapacity))}


def save_plan(session: Session, *, plan: purchasing.Plan, now: datetime,
              source_ids: dict[tuple[str, str, str], int], forecast_run_id: int | None,
              sources: list[purchasing.Source], review_days: int = 7) -> PurchasePlan:
    row = PurchasePlan(created_at=now, budget_fen=plan.budget_fen, spent_fen=plan.spent_fen,
                       expected_margin_fen=plan.expected_margin_fen, review_days=review_days,
                       forecast_run_id=forecast_run_id, notes=list(plan.notes))
    session.add(row)
    session.flush()
    packs = {(s.sku, s.market, s.hub): s for s in sources}
    for ln in plan.lines:
        src = packs[(ln.sku, ln.market, ln.hub)]
        session.add(PurchasePlanLine(
            plan_id=row.id, source_id=source_ids[(ln.sku, ln.market, ln.hub)], sku_id=ln.sku,
            market=ln.market, supplier=ln.supplier, hub=ln.hub, qty=ln.qty,
            case_pack=src.case_pack, moq=src.moq, unit_cost_fen=ln.unit_cost_fen,
            landed_fen=ln.landed_fen, forecast_units=ln.forecast_units,
            cover_days=ln.cover_days, sell_through=ln.sell_through,
            expected_margin_fen=ln.expected_margin_fen, reason=ln.reason[:400]))
    session.flush()
    return row


def plan_lines(session: Session, plan_id: int) -> list[PurchasePlanLine]:
    return list(session.exec(select(PurchasePlanLine).where(PurchasePlanLine.plan_id == plan_id)
                             .order_by(PurchasePlanLine.id)))
