"""Receiving inbound transfers into bonded stock: the cartons of an approved plan's purchase
orders, booked under the lot and expiry read at the dock, through the ledger.

Service functions take a Session and never commit; the route owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import tuple_
from sqlmodel import Session, select

from fulfilment.localtime import business_day
from inventory import fefo
from inventory import store as stock
from inventory.planning_errors import NotEditable, NotFound, PlanningError
from inventory.planning_tables import Carton, InboundTransfer
from inventory.tables import Sku, StockLot


def receive(session: Session, *, transfer_id: int, now: datetime, actor: str = "",
            found: dict[str, tuple[str | None, date | None]] | None = None,
            counted: dict[str, int] | None = None) -> int:
    """Receive a transfer's cartons into bonded stock lots; returns units received.

    `found` gives, per SSCC, the lot number and expiry read off the goods at the dock (either
    may be None: keep the planned one). The planned expiry assumes goods made on the order
    day; first-expired-first-out and the minimum remaining life need the real date.

    `counted` gives, per SSCC, the units the dock found in a carton that came short, damaged
    or not at all (0 to the carton's units); a carton it does not name arrived whole, as every
    carton of a receipt did before counts were given. Each carton's count and the transfer's
    received and short units are recorded (the buyer claims the shortfall from the supplier);
    stock and the ledger gain exactly the units counted."""
    # locked to commit: two receipts at once must not both find it in transit
    transfer = get_transfer(session, transfer_id, lock=True)
    if transfer.status == "received":
        raise NotEditable("transfer already received",
                          [{"field": "transfer_id", "reason": "already received"}])
    boxes = cartons(session, transfer_id)
    today = business_day(now)
    counted = counted or {}
    counts = {c.sscc: counted.get(c.sscc, c.qty) for c in boxes}
    _record_found(session, transfer.hub, boxes, found or {}, counted, counts, today)
    for carton in boxes:
        carton.received_qty = counts[carton.sscc]
        if carton.received_qty:  # a missing carton books nothing: no lot, no ledger row
            stock.receive(session, warehouse=transfer.hub, sku=carton.sku_id,
                          lot_no=carton.lot_no, qty=carton.received_qty, expiry=carton.expiry,
                          now=now, reference=f"transfer:{transfer_id}",
                          actor=actor or "receiving", fresh_on=today)
    units = sum(counts.values())
    transfer.status, transfer.received_at = "received", now
    transfer.received_units = units
    transfer.short_units = sum(c.qty for c in boxes) - units
    session.flush()
    return units


def _record_found(session: Session, hub: str, boxes: list[Carton],
                  found: dict[str, tuple[str | None, date | None]], counted: dict[str, int],
                  counts: dict[str, int], today: date) -> None:
    """Book each carton under the dock's lot and expiry (else the planned), all checked first:
    a carton not on this transfer, counted with more units than it was shipped with (or
    fewer than none), expired or too short-dated to ship today (its SKU's min_remaining_days)
    or giving a lot two expiries refuses all. A carton received empty holds no goods to judge."""
    booked = {c.sscc: _dock_lot(c, *found.get(c.sscc, (None, None))) for c in boxes}
    problems = [{"field": f"cartons.{sscc}", "reason": "not a carton of this transfer"}
                for sscc in dict.fromkeys([*found, *counted]) if sscc not in booked]
    problems += [{"field": f"cartons.{c.sscc}.qty", "reason": (
        f"{counted[c.sscc]} units received, but carton {c.sscc} was shipped with {c.qty} "
        f"of {c.sku_id}: give 0 to {c.qty} (a surplus is no receipt of this transfer)")}
        for c in boxes if c.sscc in counted and not 0 <= counted[c.sscc] <= c.qty]
    held = [c for c in boxes if counts[c.sscc]]
    for c in held:
        expiry, read = booked[c.sscc][1], found.get(c.sscc, (None, None))[1]
        sku = session.get(Sku, c.sku_id)
        why = fefo.unreceivable(expiry, on=today,  # as read, or as planned where none was
                                min_remaining_days=sku.min_remaining_days if sku else 0)
        if why:
            problems.append({"field": f"cartons.{c.sscc}.expiry", "reason": why + (
                "" if read else " (the planned expiry: give the one read)")})
    problems += _lot_clashes(session, hub, held, booked)
    if problems:
        raise PlanningError("receipt refused", problems, code="invalid_receipt")
    for c in boxes:
        c.lot_no, c.expiry = booked[c.sscc]


def _dock_lot(carton: Carton, lot: str | None, expiry: date | None) -> tuple[str, date | None]:
    """The lot and expiry a carton is booked under: read with another expiry than planned and
    no lot, a batch of its own, in the planned lot suffixed with its date (`PO1-T1-20280630`)."""
    if lot is None and expiry is not None and expiry != carton.expiry:
        return f"{carton.lot_no}-{expiry:%Y%m%d}", expiry
    return lot or carton.lot_no, expiry or carton.expiry


def _lot_clashes(session: Session, hub: str, boxes: list[Carton],
                 booked: dict[str, tuple[str, date | None]]) -> list[dict]:
    """Cartons that would give a lot two expiries (a missing date agrees with any): a lot
    number read on cartons of different dates, or one the hub holds with another date."""
    dates: dict[tuple[str, str], set[date]] = defaultdict(set)
    for c in boxes:
        dates[(c.sku_id, booked[c.sscc][0])] |= {booked[c.sscc][1]} - {None}
    for held in session.exec(select(StockLot).where(StockLot.warehouse_id == hub, tuple_(
            StockLot.sku_id, StockLot.lot_no).in_(list(dates)), StockLot.expiry.is_not(None))):
        dates[(held.sku_id, held.lot_no)].add(held.expiry)
    return [{"field": f"cartons.{c.sscc}.expiry", "reason": f"lot {lot} of {sku} would hold "
             f"goods expiring {', '.join(map(str, sorted(dates[(sku, lot)])))} (with those in "
             f"stock at {hub}): one lot has one expiry"}
            for c in boxes for sku, lot in [(c.sku_id, booked[c.sscc][0])]
            if len(dates[(sku, lot)]) > 1]


def get_transfer(session: Session, transfer_id: int, *, lock: bool = False) -> InboundTransfer:
    """The transfer; with `lock`, its row locked until commit (see `get_plan`)."""
    transfer = session.get(InboundTransfer, transfer_id, with_for_update=lock,
                           populate_existing=lock)
    if transfer is None:
        raise NotFound("no such transfer", [{"field": "transfer_id", "reason": "not found"}])
    return transfer


def transfer_view(session: Session, transfer_id: int) -> dict:
    """The transfer and its cartons; once received, each carton's expected, received and short
    units and the transfer's totals (what the buyer claims from the supplier)."""
    transfer = get_transfer(session, transfer_id)
    boxes = cartons(session, transfer_id)
    got = transfer.status == "received"
    return {**transfer.model_dump(), "expected_units": sum(c.qty for c in boxes),
            "cartons": [{**c.model_dump(), "expected_qty": c.qty,
                         "short_qty": c.qty - c.received_qty if got else None}
                        for c in boxes]}


def transfer_ids(session: Session, po_ids: list[int]) -> list[int]:
    """The inbound transfers of these purchase orders, in the order they were made."""
    return list(session.exec(select(InboundTransfer.id).where(InboundTransfer.po_id.in_(po_ids))
                             .order_by(InboundTransfer.id)))


def cartons(session: Session, transfer_id: int) -> list[Carton]:
    return list(session.exec(select(Carton).where(Carton.transfer_id == transfer_id)
                             .order_by(Carton.sscc)))
