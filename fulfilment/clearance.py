"""Customs clearance: declare allocated parcels, deliver messages, apply receipts.

Delivery works the way a declaring agent's single-window client does: each message is written
atomically (temporary name, then rename) to the outbox folder; receipts arrive in the inbox
folder, are applied once each, and are moved to inbox/done/ (unreadable ones to inbox/failed/).
Declarations move submitted -> accepted -> released, or rejected; orders declared -> cleared, or
customs_rejected, from where they are re-declared or cancelled (stock and quota returned).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import String, cast, select
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from customs import messages as ceb
from customs import quota
from customs import receipts as rc
from customs import store as quota_store
from customs.errors import CustomsError
from customs.receipts import Receipt
from customs.rules import default_rules
from customs.tables import CustomsDeclaration, CustomsMessage, CustomsQuotaHold, CustomsReceipt
from customs.tax import apportion, quote
from customs.types import TaxQuote
from fulfilment import clearance_parcel as parcel_data
from fulfilment import events, orders
from fulfilment.clearance_files import move_done, read_folder, write_all_atomic
from fulfilment.localtime import CHINA, business_day
from fulfilment.settings import Settings
from fulfilment.tables import Order, Parcel
from inventory.tables import Warehouse

log = logging.getLogger("fulfilment.clearance")
ACTIVE = ("submitted", "accepted", "released")
FEN = Decimal("0.01")


class ClearanceError(CustomsError):
    code = "clearance_error"
    status = 409


def fen(value: Decimal) -> int:
    return int((value / FEN).to_integral_value())


# --- declaring ---------------------------------------------------------------------------

def declarations_of(session: Session, order_id: int) -> list[CustomsDeclaration]:
    return list(session.execute(select(CustomsDeclaration).where(
        CustomsDeclaration.order_id == order_id).order_by(CustomsDeclaration.id)).scalars())


def inventory_no(session: Session, order_id: int) -> str | None:
    """The customs inventory-list number (清单编号) of a released parcel of the order."""
    for d in declarations_of(session, order_id):
        if d.status == "released" and d.invt_no:
            return d.invt_no
    return None


def declare_order(session: Session, *, order_id: int, settings: Settings,
                  now: datetime) -> list[CustomsDeclaration]:
    """Declare every parcel of an allocated (or customs-rejected) order; outbox rows only.

    An order or parcel that cannot go through CBEC (over a limit, the buyer's quota, bad data)
    moves the order to customs_rejected with the reason instead; nothing is held or sent for it.
    """
    order = orders.get(session, order_id, lock=True)
    if order.status not in ("allocated", "customs_rejected"):
        raise ClearanceError(f"order {order_id} is {order.status}", [
            {"field": "status", "reason": f"an order that is {order.status} cannot be declared"}])
    parcels = [p for p in orders.parcels_of(session, order.id) if p.status != "cancelled"]
    try:
        with session.begin_nested():
            _judge_order(session, order, parcels)
            made = [_declare_parcel(session, order, p, parcels, settings, now) for p in parcels]
    except CustomsError as exc:
        reason = exc.summary()
        if order.status == "allocated":
            events.transition(session, order, "declared", now=now)
            events.transition(session, order, "customs_rejected", now=now, reason=reason)
        else:
            order.status_reason, order.updated_at = reason, now
            session.add(order)
        return []
    events.transition(session, order, "declared", now=now)
    order.tax_fen = sum(d.tax_fen for d in declarations_of(session, order.id)
                        if d.status in ACTIVE)
    session.add(order)
    return made


@dataclass(frozen=True)
class _Priced:
    """A parcel's goods, its shares of the order's freight, insurance and discount, its quote."""

    warehouse: Warehouse
    goods: list
    freight: Decimal
    insurance: Decimal
    discount: Decimal
    on: datetime
    quote: TaxQuote


def _priced(session: Session, order: Order, parcel: Parcel, parcels: list[Parcel]) -> _Priced:
    wh = session.get(Warehouse, parcel.warehouse_id)
    goods = parcel_data.goods(session, order, parcel)
    values = [sum(q * p for _, q, p in parcel_data.goods(session, order, x)) for x in parcels]
    share = parcels.index(parcel)
    freight, insurance, discount = (
        apportion(Decimal(total) / 100, [Decimal(v) for v in values])[share]
        for total in (order.freight_fen, order.insurance_fen, order.discount_fen))
    q = quote(parcel_data.basket(order, goods, origin=wh.country, freight=freight,
                                 insurance=insurance, discount=discount))
    if not q.accepted:
        raise ClearanceError("not clearable through CBEC", [
            {"field": f"parcel[{parcel.index}]", "reason": r.message} for r in q.reasons])
    return _Priced(wh, goods, freight, insurance, discount, parcel_data.paid_on(order), q)


def _judge_order(session: Session, order: Order, parcels: list[Parcel]) -> None:
    """The single limit and the lone-item rule judge the order (one order, one payment), and a
    refused order refuses all its parcels; a lone parcel's own quote is already the order's."""
    q = quote(parcel_data.order_basket(session, order, parcels)) if len(parcels) > 1 else None
    if q is not None and not q.accepted:
        first = f"the order's {len(parcels)} parcels as one transaction: {q.reasons[0].message}"
        raise ClearanceError(f"not clearable through CBEC: {first}", [
            {"field": "order", "reason": first},
            *({"field": f"parcel[{p.index}]", "reason": "refused with its order"} for p in parcels),
            *({"field": "order", "reason": r.message} for r in q.reasons[1:])])


def _hold(session: Session, order: Order, parcel: Parcel, priced: _Priced,
          now: datetime) -> None:
    """Hold the parcel's accruing value (the quote started from 0 used) in the buyer's year."""
    rules = default_rules().cbec_on(priced.on.date())
    quota_store.hold(session, ref=hold_ref(parcel.id), buyer_hash=order.buyer_id_hash,
                     year=priced.on.year, amount_fen=fen(priced.quote.annual_used_after),
                     limit_fen=fen(rules.annual_limit), now=now)


HOLD_PREFIX = "parcel:"  # a parcel's quota hold is HOLD_PREFIX + its id


def hold_ref(parcel_id: int) -> str:
    return f"{HOLD_PREFIX}{parcel_id}"


def hold_quota(session: Session, *, order_id: int, now: datetime) -> int:
    """Provisionally hold the buyer's annual quota for an order's parcels (call at allocation).

    Raises QuotaExceeded (or ClearanceError when the order cannot clear through CBEC); the
    caller's transaction then rolls back. Declaring later finds the hold and keeps it.
    """
    order = orders.get(session, order_id)
    parcels = [p for p in orders.parcels_of(session, order.id) if p.status != "cancelled"]
    _judge_order(session, order, parcels)
    for parcel in parcels:
        _hold(session, order, parcel, _priced(session, order, parcel, parcels), now)
    return len(parcels)


def _declare_parcel(session: Session, order: Order, parcel: Parcel, parcels: list[Parcel],
                    settings: Settings, now: datetime) -> CustomsDeclaration:
    decl = session.execute(select(CustomsDeclaration).where(
        CustomsDeclaration.parcel_id == parcel.id)).scalars().first()
    if decl is not None and decl.status in ACTIVE:
        return decl
    priced = _priced(session, order, parcel, parcels)
    wh, q = priced.warehouse, priced.quote
    suffix = "" if len(parcels) == 1 else f"-{parcel.index}"
    if decl is None:
        decl = CustomsDeclaration(order_id=order.id, parcel_id=parcel.id, attempt=0,
                                  order_no=f"{order.external_id}{suffix}"[:60],
                                  cop_no=os.urandom(10).hex(), created_at=now)
    decl.attempt += 1
    from fulfilment.floor import ensure_tracking  # the floor assigns tracking numbers

    decl.logistics_no = ensure_tracking(session, parcel)
    decl.pay_transaction_id = f"{order.payment_ref or order.external_id}{suffix}"[:60]
    decl.trade_mode, decl.status, decl.buyer_hash, decl.year = (
        wh.customs_mode, "submitted", order.buyer_id_hash, priced.on.year)
    decl.rule_set, decl.dutiable_fen, decl.duty_fen = q.rule_set, fen(q.dutiable_value), fen(
        q.customs_duty)
    decl.consumption_tax_fen, decl.vat_fen, decl.tax_fen = (
        fen(q.consumption_tax), fen(q.vat), fen(q.total_tax))
    decl.return_status, decl.return_info, decl.updated_at = None, None, now
    session.add(decl)
    session.flush()
    decl.cop_no = f"CD{decl.id:012d}{decl.attempt:02d}"
    _hold(session, order, parcel, priced, now)
    filed = parcel_data.declaration(session, order, parcel, wh, decl, priced.goods, q.total_tax,
                                    priced.freight, priced.insurance, priced.discount, settings)
    built = ceb.build_messages(filed, now=now.astimezone(CHINA).replace(tzinfo=None))
    for m in built:
        session.add(CustomsMessage(declaration_id=decl.id, attempt=decl.attempt,
                                   message_type=m.message_type, guid=m.guid, filename=m.filename,
                                   xml=m.xml.decode("utf-8"), created_at=now))
    parcel.tax_fen = decl.tax_fen
    session.add(parcel)
    session.flush()
    return decl


def redeclare(session: Session, *, order_id: int, settings: Settings,
              now: datetime) -> list[CustomsDeclaration]:
    """Declare a customs-rejected order again, after its data was corrected."""
    order = orders.get(session, order_id, lock=True)
    if order.status != "customs_rejected":
        raise ClearanceError(f"order {order_id} is {order.status}", [
            {"field": "status", "reason": "only a customs-rejected order is re-declared"}])
    return declare_order(session, order_id=order_id, settings=settings, now=now)


def cancel_rejected(session: Session, *, order_id: int, now: datetime,
                    reason: str = "customs_rejected") -> Order:
    """Cancel an order customs refused: stock back to the shelf, quota back to the buyer."""
    order = orders.get(session, order_id, lock=True)
    if order.status != "customs_rejected":
        raise ClearanceError(f"order {order_id} is {order.status}", [
            {"field": "status", "reason": "only a customs-rejected order is cancelled here"}])
    order = orders.cancel(session, order_id=order_id, now=now, reason=reason, actor="customs")
    release_cancelled(session, now=now, order_id=order_id)
    return order


def release_cancelled(session: Session, *, now: datetime, order_id: int | None = None) -> int:
    """Return the quota held for parcels of cancelled orders (held at allocation, whether
    declared or not) and mark their declarations cancelled; returns the holds released."""
    decls = (select(CustomsDeclaration).join(Order, Order.id == CustomsDeclaration.order_id)
             .where(Order.status == "cancelled", CustomsDeclaration.status != "cancelled"))
    holds = (select(Parcel.id).join(Order, Order.id == Parcel.order_id)
             .join(CustomsQuotaHold, CustomsQuotaHold.ref == HOLD_PREFIX + cast(Parcel.id, String))
             .where(Order.status == "cancelled", CustomsQuotaHold.status != "released"))
    if order_id is not None:
        decls = decls.where(CustomsDeclaration.order_id == order_id)
        holds = holds.where(Parcel.order_id == order_id)
    for decl in session.execute(decls).scalars().all():
        decl.status, decl.updated_at = "cancelled", now
        session.add(decl)
    count = sum(quota_store.release(session, ref=hold_ref(parcel_id), now=now)
                for parcel_id in session.execute(holds.order_by(Parcel.id)).scalars().all())
    session.flush()
    return count


# --- receipts ------------------------------------------------------------------------------

def _declaration_for(session: Session, r: Receipt) -> CustomsDeclaration | None:
    column, value = {
        "CEB312": (CustomsDeclaration.order_no, r.order_no),
        "CEB412": (CustomsDeclaration.pay_transaction_id, r.pay_transaction_id),
        "CEB512": (CustomsDeclaration.logistics_no, r.logistics_no),
        "CEB622": (CustomsDeclaration.cop_no, r.order_no),
    }[r.message_type]
    if not value:
        return None
    return session.execute(select(CustomsDeclaration).where(column == value)
                           .order_by(CustomsDeclaration.id.desc())
                           .with_for_update()).scalars().first()


def apply_receipt(session: Session, r: Receipt, *, filename: str, now: datetime) -> bool:
    """Apply one receipt once: move the declaration and its order on. False if seen before."""
    if session.execute(select(CustomsReceipt.id).where(CustomsReceipt.key == r.key)).first():
        return False
    decl = _declaration_for(session, r)
    session.add(CustomsReceipt(key=r.key, declaration_id=decl.id if decl else None,
                               message_type=r.message_type, return_status=r.status,
                               return_info=r.info[:1000], filename=filename, received_at=now))
    if decl is None or decl.status not in ("submitted", "accepted"):
        session.flush()
        return True  # unknown, stale or already settled: recorded, nothing moves
    decl.return_status, decl.return_info, decl.updated_at = r.status, r.info[:1000], now
    outcome = r.outcome
    if r.message_type == "CEB622" and outcome == rc.ACCEPTED:
        decl.status = "accepted"
        decl.invt_no = r.invt_no or decl.invt_no
    elif r.message_type == "CEB622" and outcome == rc.RELEASED:
        decl.status, decl.released_at = "released", now
        decl.invt_no = r.invt_no or decl.invt_no
        quota_store.consume(session, ref=hold_ref(decl.parcel_id), now=now)
    elif outcome in (rc.REJECTED, rc.FAILED):
        decl.status = "rejected"
        quota_store.release(session, ref=hold_ref(decl.parcel_id), now=now)
    session.add(decl)
    session.flush()
    _move_order(session, decl, r, now=now)
    return True


def _move_order(session: Session, decl: CustomsDeclaration, r: Receipt, *,
                now: datetime) -> None:
    order = orders.get(session, decl.order_id, lock=True)
    if order.status != "declared":
        return
    if decl.status == "rejected":
        events.transition(session, order, "customs_rejected", now=now,
                          reason=f"{r.message_type} {r.status}: {r.info}"[:300])
    elif all(d.status == "released" for d in declarations_of(session, order.id)
             if d.status != "cancelled"):
        events.transition(session, order, "cleared", now=now)


# --- files and jobs ------------------------------------------------------------------------

def deliver_outbox(factory: sessionmaker[Session], settings: Settings, *, now: datetime) -> int:
    """Write every message not yet written to the outbox folder; returns how many."""
    with factory() as session, session.begin():
        pending = list(session.execute(select(CustomsMessage).where(
            CustomsMessage.written_at.is_(None)).order_by(CustomsMessage.id)).scalars())
        if not pending:
            return 0
        write_all_atomic(Path(settings.customs_outbox),
                         {m.filename: m.xml.encode("utf-8") for m in pending})
        for m in pending:
            m.written_at = now
            session.add(m)
    return len(pending)


def declare_job(factory: sessionmaker[Session], settings: Settings, *,
                now: datetime | None = None) -> int:
    """Declare allocated orders (one transaction each), then write their messages."""
    now = now or datetime.now(UTC)
    with factory() as session, session.begin():
        release_cancelled(session, now=now)
    with factory() as session:
        ids = list(session.execute(select(Order.id).where(Order.status == "allocated")
                                   .order_by(Order.id)).scalars())
    declared = 0
    for order_id in ids:
        try:
            with factory() as session, session.begin():
                if orders.get(session, order_id, lock=True).status != "allocated":
                    continue  # another run took it
                declared += bool(declare_order(session, order_id=order_id, settings=settings,
                                               now=now))
        except Exception:  # noqa: BLE001 - one order's failure never stops the others
            log.exception("declaring order %s failed", order_id)
    deliver_outbox(factory, settings, now=now)
    return declared


def receipts_job(factory: sessionmaker[Session], settings: Settings, *,
                 now: datetime | None = None) -> int:
    """Apply every receipt in the inbox once, in customs' time order; returns how many."""
    now = now or datetime.now(UTC)
    inbox = Path(settings.customs_inbox)
    parsed: list[tuple[Receipt, str]] = []
    failed: list[str] = []
    for name, xml in read_folder(inbox).items():
        try:
            parsed += [(r, name) for r in rc.parse_receipts(xml)]
        except CustomsError:
            log.warning("receipt %s is not a valid receipt; moved to failed/", name)
            failed.append(name)
    move_done(inbox, failed, sub="failed")
    applied = 0
    done: set[str] = set()
    for r, name in sorted(parsed, key=lambda x: (x[0].time, x[0].status, x[1])):
        try:
            with factory() as session, session.begin():
                applied += apply_receipt(session, r, filename=name, now=now)
            done.add(name)
        except Exception:  # noqa: BLE001 - leave the file for the next run
            log.exception("applying receipt %s failed", name)
    move_done(inbox, sorted(done))
    return applied


def refund(session: Session, *, order_id: int, declared_on: date, returned_on: date | None,
           now: datetime) -> int:
    """A return within the windows: tax refunded and the value given back to the annual total.

    Returns how many released declarations were refunded; raises with the reasons otherwise.
    """
    released = [d for d in declarations_of(session, order_id) if d.status == "released"]
    if not released:
        raise ClearanceError("nothing released to refund", [
            {"field": "order_id", "reason": "the order has no released declaration"}])
    for decl in released:
        on = business_day(decl.released_at or now)
        problems = quota.refund_problems(released_on=on, declared_on=declared_on,
                                         returned_on=returned_on)
        if problems:
            raise ClearanceError("return outside the refund windows", problems)
        quota_store.release(session, ref=hold_ref(decl.parcel_id), now=now)
        decl.status, decl.updated_at = "refunded", now
        session.add(decl)
    session.flush()
    return len(released)


sku_unit_tax = parcel_data.sku_unit_tax  # routing's unit_tax for a SKU under a customs mode
