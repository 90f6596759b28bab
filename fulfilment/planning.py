"""Buyers' planning over the database: signals in, forecasts, purchase plans, POs, inbound.

Service functions take a Session and never commit; routes, CLI verbs and jobs own the
transaction. Imports validate the whole file first, so a bad row imports nothing.
"""

from __future__ import annotations

import bisect
import logging
import zlib
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, text
from sqlmodel import Session, select

from fulfilment.localtime import business_day, china_date
from fulfilment.tables import Parcel, ParcelLine
from inventory import forecast as forecasting
from inventory import planning_store, purchasing, signals
from inventory.money import cny
from inventory.planning_errors import InvalidSignals, NotEditable, NotFound, PlanningError
from inventory.planning_tables import (
    Carton,
    InboundTransfer,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchasePlan,
    PurchasePlanLine,
    SupplySource,
)
from inventory.tables import Sku
from labels import barcodes

log = logging.getLogger(__name__)

DEFAULT_BUDGET_FEN = 5_000_000  # 50,000 CNY per proposal unless the caller says otherwise
GS1_COMPANY_PREFIX = "6901234"  # the operator's GS1 company prefix for SSCC carton numbers
_SSCC_LOCK = zlib.crc32(b"fulfilment:sscc-serial")  # advisory lock while numbering cartons


def import_signals(session: Session, *, text: str) -> int:
    """Import a signals CSV: every row validated first; re-importing replaces, never doubles."""
    return planning_store.upsert_signals(session, rows=signals.parse_signals(text))


def import_sales(session: Session, *, text: str) -> int:
    """Import a sales CSV (`date,sku,units`) the same way."""
    return planning_store.upsert_sales(session, rows=signals.parse_sales(text))


def import_exports(session: Session, *, signals_csv: str = "", sales_csv: str = ""
                   ) -> tuple[int, int]:
    """Import either or both files, both validated first: one refusal lists every problem of
    both (each field prefixed with its file's key: `sales_csv.row 3.date`), where the
    signals' hid the sales'."""
    parsed, problems = {}, []
    for name, raw, parse in (("signals_csv", signals_csv, signals.parse_signals),
                             ("sales_csv", sales_csv, signals.parse_sales)):
        try:
            parsed[name] = parse(raw) if raw else []
        except InvalidSignals as exc:
            # the file belongs in the field, as a client reads it; the reason stays the value's
            problems += [{**p, "field": f"{name}.{p['field']}"} for p in exc.problems]
    if problems:
        raise InvalidSignals(f"files refused: {len(problems)} problem(s)", problems)
    return (planning_store.upsert_signals(session, rows=parsed["signals_csv"]),
            planning_store.upsert_sales(session, rows=parsed["sales_csv"]))


def shipped_sales(session: Session, *, since: date | None = None) -> list[signals.SaleRow]:
    """Units per SKU and (Asia/Shanghai) day from the system's own shipped parcels."""
    day = china_date(Parcel.shipped_at)
    query = (select(ParcelLine.sku_id, day, func.sum(ParcelLine.qty))
             .join(Parcel, Parcel.id == ParcelLine.parcel_id)
             .where(Parcel.shipped_at.is_not(None)))
    if since is not None:  # a day earlier in UTC: the parcel's China day is filtered below
        query = query.where(Parcel.shipped_at >= datetime.combine(
            since - timedelta(days=1), datetime.min.time(), tzinfo=UTC))
    rows = session.exec(query.group_by(ParcelLine.sku_id, day)).all()
    out = [signals.SaleRow(d if isinstance(d, date) else date.fromisoformat(str(d)), sku,
                           int(units)) for sku, d, units in rows]
    return [r for r in out if since is None or r.day >= since]


def sales_history(session: Session, *, since: date | None = None, until: date | None = None
                  ) -> list[signals.SaleRow]:
    """Imported sales, with shipped orders for the SKU-days no import covers.

    An import covers, for each SKU it names, its days from that SKU's first row to its last:
    a missing row between is a zero (the contract says so), not a gap for shipped parcels to
    fill, since an export counts the system's own orders on the day they sold (5 sold Monday,
    shipped Tuesday, counted 10). Each import covers only its own span and only its own SKUs
    (one export hid every SKU's; one row dated weeks after an export hid the parcels shipped
    between them). A day a later import gives again becomes that import's.

    `since`: from that day on. `until` (a forecast's start): only rows dated before it, and an
    import's later rows stretch nothing, so nothing dated on or after it changes the history
    before it."""
    spans = planning_store.sales_spans(session, until=until)
    shipped = [r for r in shipped_sales(session, since=since)
               if (until is None or r.day < until) and not _covered(spans.get(r.sku, []), r.day)]
    return planning_store.load_sales(session, since=since, until=until) + shipped


def _covered(spans: list[tuple[date, date]], day: date) -> bool:
    """Whether `day` lies in one of these sorted, disjoint (first, last) spans."""
    at = bisect.bisect_right(spans, (day, date.max)) - 1
    return at >= 0 and spans[at][0] <= day <= spans[at][1]


def refresh_forecast(session: Session, *, now: datetime, horizon: int = 14):  # noqa: ANN201
    """Forecast every SKU with signals or sales from today (in China), store it as a new run."""
    start = business_day(now)
    made = forecasting.forecast_noted(planning_store.load_signals(session),
                                      sales_history(session, until=start), start=start,
                                      horizon=horizon)
    return planning_store.save_forecast(session, rows=made.rows, made_at=now, start=start,
                                        horizon=horizon, notes=made.notes)


def propose(session: Session, *, now: datetime, budget_fen: int = DEFAULT_BUDGET_FEN,
            review_days: int = 7, time_limit_s: float = 10.0) -> PurchasePlan:
    """A new proposed plan within budget from a forecast starting today (made now if need be)."""
    run, days = planning_store.latest_forecast(session)
    # a run from before today saw none of the days since and its past days are no demand
    if run is None or run.start < business_day(now):  # (a plan from it was empty)
        run = refresh_forecast(session, now=now)
        days = planning_store.forecast_days(session, run.id)
    demand = planning_store.demand_from(days, business_day(now))
    data, ids = planning_store.plan_input(session, demand=demand, budget_fen=budget_fen,
                                          today=business_day(now), review_days=review_days)
    result = purchasing.plan(data, time_limit_s=time_limit_s)
    for old in session.exec(select(PurchasePlan).where(PurchasePlan.status == "proposed")):
        old.status = "superseded"
    return planning_store.save_plan(session, plan=result, now=now, source_ids=ids,
                                    forecast_run_id=run.id,
                                    sources=data.sources, review_days=review_days)


def get_plan(session: Session, plan_id: int, *, lock: bool = False) -> PurchasePlan:
    """The plan; with `lock`, its row locked until commit, so that a decision (an edit, the
    approval) is taken on its current status: two buyers approving at once made two sets of
    purchase orders on PostgreSQL, each having read 'proposed'."""
    plan = session.get(PurchasePlan, plan_id, with_for_update=lock, populate_existing=lock)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found", [{"field": "plan_id", "reason": "not found"}])
    return plan


def update_line(session: Session, *, plan_id: int, line_id: int, qty: int | None = None,
                removed: bool | None = None) -> PurchasePlanLine:
    """A buyer's edit: new quantity (whole cases, at least the MOQ) or removing the line."""
    plan = get_plan(session, plan_id, lock=True)
    if plan.status != "proposed":
        raise NotEditable("only a proposed plan can be edited",
                          [{"field": "plan_id", "reason": f"plan is {plan.status}"}])
    line = session.get(PurchasePlanLine, line_id)
    if line is None or line.plan_id != plan_id:
        raise NotFound("no such line", [{"field": "line_id", "reason": "not in this plan"}])
    if qty is not None and (qty < 0 or qty % line.case_pack or (0 < qty < line.moq)):
        raise PlanningError("bad quantity", [{"field": "qty", "reason":
                            f"must be whole cases of {line.case_pack} and at least the "
                            f"MOQ {line.moq} (or 0)"}], code="invalid_quantity")
    new_qty = line.qty if qty is None else qty
    new_removed = line.removed if removed is None else removed
    # an edit that adds units to a hub must leave them room there (one that takes units away
    # is always allowed, even where stock arrived since the proposal and the hub is now full)
    if (0 if new_removed else new_qty) > (0 if line.removed else line.qty):
        _check_room(session, [
            (ln.hub, 0 if new_removed else new_qty) if ln.id == line_id
            else (ln.hub, 0 if ln.removed else ln.qty)
            for ln in planning_store.plan_lines(session, plan_id) if ln.hub == line.hub])
    if new_qty != line.qty and not line.reason.startswith(_EDITED):
        line.reason = f"{_EDITED} (proposed {line.qty} units): {line.reason}"[:400]
    line.qty, line.removed = new_qty, new_removed
    session.flush()
    lines = planning_store.plan_lines(session, plan_id)
    _refigure(session, plan, [ln for ln in lines if ln.sku_id == line.sku_id])
    plan.spent_fen = sum(ln.landed_fen * ln.qty for ln in lines if not ln.removed)
    plan.expected_margin_fen = sum(ln.expected_margin_fen for ln in lines if not ln.removed)
    return line


def _refigure(session: Session, plan: PurchasePlan, lines: list[PurchasePlanLine]) -> None:
    """One SKU's lines of `plan` worked out again for their current quantities (the SKU's
    sources share its demand, so an edit of one moves the others' sell-through): a buyer's
    edit showed the proposal's cover, sell-through and margin, and the plan's margin too."""
    today = business_day(plan.created_at)
    days = planning_store.forecast_days(session, plan.forecast_run_id) \
        if plan.forecast_run_id else []
    data, _ = planning_store.plan_input(session, demand=planning_store.demand_from(days, today),
                                        budget_fen=plan.budget_fen, today=today,
                                        review_days=plan.review_days)
    figured = {(ln.sku, ln.market, ln.hub): ln for ln in purchasing.evaluate(
        data, {(ln.sku_id, ln.market, ln.hub): 0 if ln.removed else ln.qty
               for ln in lines}).lines}
    for ln in lines:
        if ln.removed:
            continue  # a removed line keeps what it was proposed with; it counts for nothing
        new = figured.get((ln.sku_id, ln.market, ln.hub))  # none for no units: nothing earned
        ln.forecast_units, ln.cover_days, ln.sell_through, ln.expected_margin_fen = (
            (new.forecast_units, new.cover_days, new.sell_through, new.expected_margin_fen)
            if new else (ln.forecast_units, 0.0, 0.0, 0))
        edited = ln.reason.split(": ", 1)[0] + ": " if ln.reason.startswith(_EDITED) else ""
        ln.reason = (edited + (new.reason if new else "no units bought from this source"))[:400]


_EDITED = "edited by the buyer"


def _check_room(session: Session, sending: list[tuple[str, int]]) -> None:
    """Refuse (hub, units) plan lines that would send a hub more than it has room for
    (`planning_store.hub_room`), naming each such hub's room."""
    room = planning_store.hub_room(session)
    units: dict[str, int] = defaultdict(int)
    for hub, qty in sending:
        units[hub] += qty
    full = [{"field": "qty", "reason": f"hub {hub} has room for {room[hub]} more units; the "
             f"plan would send {n}"}
            for hub, n in sorted(units.items()) if hub in room and n > room[hub]]
    if full:
        raise PlanningError("the hub cannot take it", full, code="over_capacity")


def approve(session: Session, *, plan_id: int, now: datetime, actor: str = "") -> list[int]:
    """Approve: one purchase order per supplier and market, inbound transfers with cartons."""
    plan = get_plan(session, plan_id, lock=True)
    if plan.status != "proposed":
        raise NotEditable("plan already decided",
                          [{"field": "plan_id", "reason": f"plan is {plan.status}"}])
    lines = [ln for ln in planning_store.plan_lines(session, plan_id)
             if not ln.removed and ln.qty > 0]
    if not lines:  # an approval that orders nothing is a slip, not a decision
        raise NotEditable("nothing to buy", [{"field": "lines", "reason": "every line is "
                          "removed or has no units: nothing to order"}], code="nothing_to_buy")
    if over := over_budget_text(plan):
        raise PlanningError("over budget", [{"field": "lines", "reason": over}],
                            code="over_budget")
    # again: stock may have arrived, or another plan been approved, since the proposal
    _check_room(session, [(ln.hub, ln.qty) for ln in lines])
    plan.status, plan.approved_at, plan.approved_by = "approved", now, actor
    groups: dict[tuple[str, str], list[PurchasePlanLine]] = defaultdict(list)
    for ln in lines:
        groups[(ln.supplier, ln.market)].append(ln)
    serial = _last_serial(session)
    po_ids = []
    for (supplier, market), group in sorted(groups.items()):
        po = PurchaseOrder(plan_id=plan_id, supplier=supplier, market=market, created_at=now,
                           total_fen=sum(ln.unit_cost_fen * ln.qty for ln in group))
        session.add(po)
        session.flush()
        po_ids.append(po.id)
        for hub in sorted({ln.hub for ln in group}):
            serial = _transfer(session, po, [ln for ln in group if ln.hub == hub], hub, now,
                               serial)
    session.flush()
    return po_ids


def over_budget_fen(plan: PurchasePlan) -> int:
    """How far a plan's cost is above its budget (0 within it). Edits may go over (a buyer
    may reduce another line next), but the plan cannot be approved until it is back within."""
    return max(plan.spent_fen - plan.budget_fen, 0)


def over_budget_text(plan: PurchasePlan) -> str:
    """The overrun as the buyer reads it, in CNY; "" within budget (nothing to warn of)."""
    over = over_budget_fen(plan)
    if not over:
        return ""
    return (f"plan costs {cny(plan.spent_fen)} CNY, {cny(over)} CNY over its "
            f"budget of {cny(plan.budget_fen)} CNY: reduce or remove lines before approving "
            f"(or ask for a new plan with a larger budget)")


def _last_serial(session: Session) -> int:
    """The highest SSCC serial reference handed out under our company prefix. The lock, held
    to commit, keeps two approvals at once from numbering their cartons alike on PostgreSQL
    (SQLite takes its write lock at BEGIN)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SSCC_LOCK})
    head = f"0{GS1_COMPANY_PREFIX}"
    top = session.exec(select(func.max(Carton.sscc)).where(Carton.sscc.startswith(head))).one()
    return int(top[len(head):-1]) if top else 0


def _transfer(session: Session, po: PurchaseOrder, lines: list[PurchasePlanLine], hub: str,
              now: datetime, serial: int) -> int:
    """An inbound transfer to one hub with one SSCC-labelled carton per case."""
    lead = max(session.get(SupplySource, ln.source_id).lead_days for ln in lines)
    eta = business_day(now) + timedelta(days=lead)
    transfer = InboundTransfer(po_id=po.id, hub=hub, eta=eta)
    session.add(transfer)
    session.flush()
    for ln in lines:
        session.add(PurchaseOrderLine(po_id=po.id, sku_id=ln.sku_id, hub=hub, qty=ln.qty,
                                      unit_cost_fen=ln.unit_cost_fen))
        sku = session.get(Sku, ln.sku_id)
        # counted from the order, as the planner counts it: a lot made to order is no fresher
        # on arrival, and the lead time is part of its shelf life (the supplier's own lot data,
        # when it comes, is the better date)
        expiry = (business_day(now) + timedelta(days=sku.shelf_life_days)
                  if sku and sku.shelf_life_days else None)
        left = ln.qty
        while left > 0:
            serial += 1
            qty = min(ln.case_pack, left)
            left -= qty
            session.add(Carton(sscc=barcodes.sscc(extension=0, company_prefix=GS1_COMPANY_PREFIX,
                                                  serial=serial),
                               transfer_id=transfer.id, sku_id=ln.sku_id, qty=qty,
                               lot_no=f"PO{po.id}-T{transfer.id}", expiry=expiry))
    return serial


def forecast_job(factory, settings, *, now: datetime | None = None) -> int:  # noqa: ANN001
    """Nightly: a fresh forecast run over the database; returns the rows stored."""
    now = now or datetime.now(UTC)
    with factory() as session, session.begin():
        run = refresh_forecast(session, now=now)
        for note in run.notes:  # the board shows them too; the log is where operators look
            log.warning("forecast run %s: %s", run.id, note)
        return len(planning_store.forecast_days(session, run.id))


def proposal_job(factory, settings, *, now: datetime | None = None) -> int:  # noqa: ANN001
    """Every few hours: a new proposed plan from the latest forecast; returns its line count.

    Not while a buyer is working on the current proposal (a line edited or removed): the new
    plan superseded it, and the buyer's edits and approval failed with 'plan is superseded'.
    A buyer wanting a fresh proposal asks for one (POST /plans)."""
    now = now or datetime.now(UTC)
    with factory() as session, session.begin():
        current = session.exec(select(PurchasePlan).where(PurchasePlan.status == "proposed")
                               .order_by(PurchasePlan.id.desc()).with_for_update()).first()
        if current is not None and any(ln.removed or ln.reason.startswith(_EDITED)
                                       for ln in planning_store.plan_lines(session, current.id)):
            log.info("plan %s is being edited: no new proposal", current.id)
            return 0
        plan = propose(session, now=now, budget_fen=settings.plan_budget_fen)
        for note in plan.notes:  # SKUs it could not buy at all: the board shows them too
            log.warning("plan %s: %s", plan.id, note)
        return len(planning_store.plan_lines(session, plan.id))
