"""Order lifecycle over the database: place, pay, cancel, expire. Takes a Session; never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session

from fulfilment import events, lifecycle, privacy
from fulfilment.answers import NotFound
from fulfilment.intake import InvalidOrder, OrderInput, fen_text, money_fen
from fulfilment.settings import Settings
from fulfilment.tables import Order, OrderEvent, OrderLine, Parcel, ParcelLine
from inventory import store as stock
from inventory.errors import OutOfStock
from inventory.tables import Sku, StockMovement


class OrderNotFound(NotFound):
    def __init__(self, order_id: object) -> None:
        super().__init__("order", order_id, field="id")


def ref(order: Any) -> str:
    return f"order:{order.id}"  # the ledger's reference for what an order holds


def find_by_external_id(session: Session, external_id: str) -> Order | None:
    return session.execute(select(Order).where(Order.external_id == external_id)).scalars().first()


def place(session: Session, *, order: OrderInput, settings: Settings, now: datetime,
          actor: str = "order-service") -> tuple[Order, list[OrderLine]]:
    """Create an order and reserve every line, or raise (the caller rolls back)."""
    unknown = _unknown_skus(order.skus, _known_skus(session, order.quantities()))
    if unknown:
        raise InvalidOrder(unknown)
    # A duplicate external_id is left to the unique index: the caller maps its IntegrityError.
    row = _order_row(order, settings=settings, now=now)
    session.add(row)
    session.flush()
    lines = _line_rows(row, order)
    session.add_all(lines)
    stock.reserve(session, lines=order.quantities(), now=now, reference=ref(row), actor=actor)
    events.emit(session, row, "order.reserved", now=now)
    session.flush()
    return row, lines


# A placed order as `view` reads it: an Order and its lines, or (from `place_many`) plain
# records with the same attributes, so a batch never builds ORM objects it only writes once.
Placed = tuple[Any, list[Any]]


def place_many(session: Session, *, batch: list[tuple[OrderInput, datetime]], settings: Settings,
               actor: str = "order-service") -> list[Placed | OutOfStock | InvalidOrder]:
    """Place a batch in arrival order: each order whole or refused, as `place` would.

    The batch's SKUs are locked once and decided in memory, then written with one statement per
    table, so a flash sale's hot row changes once per batch. External ids must be new (the
    caller checks; the unique index still guards).
    """
    known = _known_skus(session, {sku for order, _ in batch for sku in order.quantities()})
    free = stock.lock_free(session, known)
    results: list[int | OutOfStock | InvalidOrder] = []  # an int: the order's place in `taken`
    taken: list[tuple[dict, OrderInput, datetime]] = []
    for order, now in batch:
        unknown = _unknown_skus(order.skus, known)
        need = order.quantities()
        short = [{"sku": sku, "requested": qty, "available": free[sku]}
                 for sku, qty in sorted(need.items()) if not unknown and qty > free[sku]]
        if unknown or short:
            results.append(InvalidOrder(unknown) if unknown else OutOfStock(short))
            continue
        for sku, qty in need.items():
            free[sku] -= qty
        results.append(len(taken))
        taken.append((_order_values(order, settings=settings, now=now), order, now))
    if not taken:
        return [r for r in results if not isinstance(r, int)]  # only refusals
    ids = session.execute(insert(Order).returning(Order.id, sort_by_parameter_order=True),
                          [values for values, _, _ in taken]).scalars().all()
    placed = [(SimpleNamespace(**values, id=order_id, tax_fen=None, paid_at=None,
                               status_reason=None), order, now)
              for order_id, (values, order, now) in zip(ids, taken, strict=True)]
    lines = [_line_values(row.id, order) for row, order, _ in placed]
    session.execute(insert(OrderLine), [line for group in lines for line in group])
    stock.reserve_locked(session, reservations=[(ref(row), order.quantities(), now)
                                                for row, order, now in placed], actor=actor)
    session.execute(insert(OrderEvent), [events.values(row, "order.reserved", now=now)
                                         for row, _, now in placed])
    return [r if not isinstance(r, int) else
            (placed[r][0], [SimpleNamespace(**line) for line in lines[r]]) for r in results]


def name_unknown_skus(session: Session, invalid: list[InvalidOrder]) -> list[InvalidOrder]:
    """Orders that failed to parse, each with its unknown SKUs named too (one query for all), so
    one 422 names every bad field."""
    known = _known_skus(session, {sku for exc in invalid for sku in exc.skus.values()})
    return [exc.with_problems(_unknown_skus(exc.skus, known)) for exc in invalid]


def _known_skus(session: Session, skus: Iterable[str]) -> set[str]:
    wanted = set(skus)
    if not wanted:
        return set()
    return set(session.execute(select(Sku.id).where(Sku.id.in_(wanted))).scalars())


def _unknown_skus(skus: Mapping[int, str], known: set[str]) -> list[dict]:
    """Problems for the lines (by their place in the body) whose SKU is not in the catalogue."""
    return [{"field": f"lines[{i}].sku", "reason": f"unknown SKU {sku!r}"}
            for i, sku in skus.items() if sku not in known]


def _order_row(order: OrderInput, *, settings: Settings, now: datetime) -> Order:
    return Order(**_order_values(order, settings=settings, now=now))


def _order_values(order: OrderInput, *, settings: Settings, now: datetime) -> dict:
    lifecycle.check("received", "reserved")
    return dict(
        external_id=order.external_id, status="reserved",
        buyer_name=order.buyer.name,
        buyer_id_hash=privacy.id_hash(order.buyer.id_number, secret=settings.secret_key),
        buyer_id_masked=privacy.mask_id(order.buyer.id_number),
        buyer_id_cipher=privacy.encrypt(order.buyer.id_number, secret=settings.secret_key),
        buyer_phone=order.buyer.phone, recipient_name=order.recipient.name,
        recipient_phone=order.recipient.phone, province=order.recipient.province,
        city=order.recipient.city, district=order.recipient.district,
        address=order.recipient.address, zone=order.recipient.zone,
        goods_fen=order.goods_fen, freight_fen=order.freight_fen,
        insurance_fen=order.insurance_fen, discount_fen=order.discount_fen,
        total_fen=order.total_fen, created_at=now, updated_at=now,
        reserved_until=now + timedelta(minutes=settings.reservation_ttl_minutes))


def _line_rows(row: Order, order: OrderInput) -> list[OrderLine]:
    return [OrderLine(**values) for values in _line_values(row.id, order)]


def _line_values(order_id: int, order: OrderInput) -> list[dict]:
    return [{"order_id": order_id, "line_no": i, "sku_id": line.sku, "qty": line.qty,
             "unit_price_fen": line.unit_price_fen}
            for i, line in enumerate(order.lines, start=1)]


def get(session: Session, order_id: int, *, lock: bool = False) -> Order:
    stmt = select(Order).where(Order.id == order_id)
    if lock:  # a locking read is read afresh, not taken from the session's identity map
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.execute(stmt).scalars().first()
    if row is None:
        raise OrderNotFound(order_id)
    return row


def lines_of(session: Session, order_id: int) -> list[OrderLine]:
    return list(session.execute(select(OrderLine).where(OrderLine.order_id == order_id)
                                .order_by(OrderLine.line_no)).scalars())


def quantities(session: Session, order_id: int) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines_of(session, order_id):
        totals[line.sku_id] += line.qty
    return dict(totals)


class PaymentRejected(ValueError):
    code = "invalid_payment"
    status = 422

    def __init__(self, problems: list[dict]) -> None:
        super().__init__("; ".join(p["reason"] for p in problems))
        self.problems = problems


class ReservationExpired(PaymentRejected):
    """Paid after `reserved_until`: the reservation has run out, the expiry job just hasn't run."""

    code = "reservation_expired"
    status = 409

    def __init__(self, reserved_until: datetime) -> None:
        super().__init__([{"field": "paid_at", "reason": "paid after the reservation ran out "
                           f"(reserved_until {_utc(reserved_until).isoformat()})"}])


TRANSACTION_ID_MAX = 64  # Order.payment_ref's width


def confirm_payment(session: Session, *, order_id: int, payment: dict, settings: Settings,
                    now: datetime) -> Order:
    """Record payment; the payer must be the buyer (CBEC) and pay the order's total, by
    `reserved_until` (the payment's `paid_at`, else `now`: a late confirmation of a payment made
    in time is accepted, a payment made later is not, though the expiry job may not have run)."""
    order = get(session, order_id, lock=True)
    problems = _payment_problems(order, payment, settings, now)
    if problems:
        raise PaymentRejected(problems)
    if order.paid_at is not None:
        if order.payment_ref == payment["transaction_id"]:
            return order  # the same confirmation again
        raise PaymentRejected([{"field": "transaction_id", "reason": "order is already paid"}])
    if order.status != "reserved":
        raise PaymentRejected([{"field": "status",
                                "reason": f"an order that is {order.status} cannot be paid"}])
    paid_at = _paid_at(payment.get("paid_at"), now)
    if order.reserved_until is not None and _utc(paid_at) > _utc(order.reserved_until):
        raise ReservationExpired(order.reserved_until)
    order.paid_at = paid_at
    order.payment_ref = payment["transaction_id"]
    order.payer_name = payment["payer_name"]
    order.payer_id_hash = privacy.id_hash(payment["payer_id_number"], secret=settings.secret_key)
    order.paid_fen = money_fen(payment["amount"])
    order.updated_at = now
    session.add(order)
    session.flush()
    events.emit(session, order, "order.paid", now=now)
    return order


def _payment_problems(order: Order, payment: dict, settings: Settings,
                      now: datetime) -> list[dict]:
    problems: list[dict] = []
    if not isinstance(payment, dict):
        return [{"field": "body", "reason": "must be a JSON object"}]
    for key in ("transaction_id", "payer_name", "payer_id_number", "amount"):
        if not isinstance(payment.get(key), str) or not payment[key].strip():
            problems.append({"field": key, "reason": "is required and must be a string"})
    if problems:
        return problems
    if len(payment["transaction_id"]) > TRANSACTION_ID_MAX:
        problems.append({"field": "transaction_id",
                         "reason": f"must be at most {TRANSACTION_ID_MAX} characters"})
    amount = money_fen(payment["amount"])
    if amount is None:
        problems.append({"field": "amount", "reason": "must be a decimal string with at most "
                         "two decimal places"})
    elif amount != order.total_fen:
        problems.append({"field": "amount",
                         "reason": f"must equal the order total {fen_text(order.total_fen)}"})
    payer_hash = privacy.id_hash(payment["payer_id_number"], secret=settings.secret_key)
    if payment["payer_name"].strip() != order.buyer_name or payer_hash != order.buyer_id_hash:
        problems.append({"field": "payer_id_number",
                         "reason": "the payer must be the buyer (name and ID number)"})
    if payment.get("paid_at") is not None:
        problems += _paid_at_problems(_paid_at(payment["paid_at"], None), order, now)
    return problems


CLOCK_SKEW = timedelta(minutes=5)  # between the payment provider's clock and ours


def _paid_at_problems(paid_at: datetime | None, order: Order, now: datetime) -> list[dict]:
    """A payment time must be a time, and fall between placing the order and now (give or take
    the clocks' skew): a payment before the order existed is a mistake, not an early payment."""
    if paid_at is None:
        return [{"field": "paid_at", "reason": "must be an ISO 8601 time whose UTC equivalent "
                 "lies in years 1-9999"}]
    if order.created_at is not None and _utc(paid_at) < _utc(order.created_at) - CLOCK_SKEW:
        return [{"field": "paid_at", "reason": f"is before the order was placed "
                 f"({_utc(order.created_at).isoformat()})"}]
    if _utc(paid_at) > _utc(now) + CLOCK_SKEW:
        return [{"field": "paid_at", "reason": "is in the future"}]
    return []


def _paid_at(value: object, default: datetime | None) -> datetime | None:
    if not isinstance(value, str):
        return default
    try:
        parsed = datetime.fromisoformat(value)
        _utc(parsed)  # a time at the calendar's very edge has no UTC equivalent
    except (ValueError, OverflowError):
        return None
    return parsed


def _utc(value: datetime) -> datetime:
    """An aware time in UTC; a zoneless one is read as UTC, as the database stores it."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class NotCancellable(ValueError):
    """Too late to cancel: a parcel of the order is packed or handed over (contract: cancel is
    allowed until the order is packed, and a parcel with the courier cannot come back)."""

    code = "not_cancellable"
    status = 409

    def __init__(self, parcels: list[Parcel]) -> None:
        gone = ", ".join(f"parcel {p.id} is {p.status}" for p in parcels)
        super().__init__(f"{gone}: an order can be cancelled only until it is packed")
        self.problems = [{"field": "status", "reason": str(self)}]


def cancel(session: Session, *, order_id: int, now: datetime, reason: str = "cancelled",
           actor: str = "order-service") -> Order:
    """Cancel until packed (no parcel packed or shipped), giving back exactly what the order
    holds: reservation, allocation, open pick tasks and customs quota."""
    # floor and clearance build on orders; imported late to avoid a cycle
    from fulfilment import clearance, floor

    # Parcels locked before the order, as the station and the hand-over lock them.
    parcels = floor.lock_parcels(session, where=Parcel.order_id == order_id)
    order = get(session, order_id, lock=True)
    # A wave holding the order's lock may have made parcels meanwhile (committed now): the
    # order's lock taken, read them again, or they would stay live under a cancelled order.
    parcels = floor.lock_parcels(session, where=Parcel.order_id == order_id)
    gone = [p for p in parcels if p.status in ("packed", "shipped")]
    if gone and order.status != "cancelled":
        raise NotCancellable(gone)
    previous = order.status
    events.transition(session, order, "cancelled", now=now, reason=reason)
    if previous == "reserved":
        stock.release(session, lines=quantities(session, order.id), now=now,
                      reference=ref(order), actor=actor, reason="release")
    else:
        floor.cancel_picks(session, order=order, now=now, actor=actor)
        for lot_id, qty in allocated_lots(session, order).items():
            if qty > 0:
                stock.deallocate(session, lot_id=lot_id, qty=qty, now=now,
                                 reference=ref(order), actor=actor)
        for parcel in parcels:
            parcel.status = "cancelled"
            session.add(parcel)
    clearance.release_cancelled(session, now=now, order_id=order.id)
    return order


def allocated_lots(session: Session, order: Order) -> dict[int, int]:
    """What the order still holds per lot, from the ledger (allocations less releases/issues)."""
    rows = session.execute(
        select(StockMovement.lot_id, func.sum(StockMovement.qty))
        .where(StockMovement.reference == ref(order), StockMovement.bucket == "allocated")
        .group_by(StockMovement.lot_id)).all()
    return {lot_id: int(q) for lot_id, q in rows if lot_id is not None}


def parcels_of(session: Session, order_id: int) -> list[Parcel]:
    return list(session.execute(select(Parcel).where(Parcel.order_id == order_id)
                                .order_by(Parcel.index)).scalars())


def expired_unpaid(session: Session, *, now: datetime, limit: int = 500) -> list[int]:
    """Unpaid orders whose reservation ran out, oldest deadline first (read without locks:
    `expire` checks each again under its lock)."""
    return list(session.execute(
        select(Order.id).where(Order.status == "reserved", Order.paid_at.is_(None),
                               Order.reserved_until < now)
        .order_by(Order.reserved_until, Order.id).limit(limit)).scalars())


def expire(session: Session, *, order_id: int, now: datetime) -> bool:
    """Cancel one unpaid order whose reservation ran out, giving its stock back. Checked again
    under the order's lock, so a payment confirmed since it was listed keeps the order."""
    order = get(session, order_id, lock=True)
    if (order.status != "reserved" or order.paid_at is not None
            or order.reserved_until is None or _utc(order.reserved_until) >= now):
        return False
    cancel(session, order_id=order_id, now=now, reason="reservation_expired", actor="scheduler")
    return True


def view(session: Session, order: Any, *, lines: list[Any] | None = None) -> dict:
    """The order as the contract shows it; `lines` given: just placed, so nothing to look up
    (and then `order` and `lines` may be the records `place_many` returns)."""
    body: dict = {
        "id": order.id, "external_id": order.external_id, "status": order.status,
        "reserved_until": order.reserved_until.isoformat() if order.reserved_until else None,
        "buyer": {"name": order.buyer_name, "id_number": order.buyer_id_masked,
                  "phone": privacy.mask_phone(order.buyer_phone)},
        "recipient": {"name": order.recipient_name,
                      "phone": privacy.mask_phone(order.recipient_phone),
                      "province": order.province, "city": order.city,
                      "district": order.district, "address": order.address},
        "lines": [{"sku": line.sku_id, "qty": line.qty,
                   "unit_price": fen_text(line.unit_price_fen)}
                  for line in (lines if lines is not None else lines_of(session, order.id))],
        "goods": fen_text(order.goods_fen), "freight": fen_text(order.freight_fen),
        "insurance": fen_text(order.insurance_fen), "discount": fen_text(order.discount_fen),
        "total": fen_text(order.total_fen),
        "tax": fen_text(order.tax_fen) if order.tax_fen is not None else None,
        "paid": order.paid_at is not None,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "status_reason": order.status_reason,
    }
    parcels = [] if lines is not None else parcels_of(session, order.id)
    body["parcels"] = [parcel_view(session, p) for p in parcels]
    body["tracking_numbers"] = [p.tracking_no for p in parcels if p.tracking_no]
    return body


def parcel_view(session: Session, parcel: Parcel) -> dict:
    lines = session.execute(select(ParcelLine).where(ParcelLine.parcel_id == parcel.id)).scalars()
    return {"id": parcel.id, "wave_id": parcel.wave_id, "warehouse": parcel.warehouse_id,
            "courier": parcel.courier_id, "index": parcel.index, "count": parcel.count,
            "status": parcel.status, "weight_g": parcel.weight_g,
            "shipping": fen_text(parcel.shipping_fen), "tax": fen_text(parcel.tax_fen),
            "tracking_no": parcel.tracking_no,
            "lines": [{"sku": pl.sku_id, "qty": pl.qty} for pl in lines]}
