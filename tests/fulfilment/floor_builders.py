"""Builders for floor tests: stock in bins, an allocated order with one parcel in a wave, and
the same parcel ready to pack (its order cleared by customs, its pick tasks made)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from fulfilment import events, floor, intake, orders
from fulfilment.settings import Settings
from fulfilment.tables import Order, Parcel, ParcelLine, Wave
from inventory import store as stock
from tests.builders import a_sku, a_warehouse, order_body


def floor_stock(session: Session, now: datetime) -> None:
    """NGB with SERUM (GTIN, 3 lots in 3 bins, one nearly expired) and CREAM (no GTIN)."""
    wh = a_warehouse(session, "NGB")
    wh.address, wh.phone = "Ningbo Free Trade Zone, Zhejiang", "0574-88880000"
    a_sku(session, "SERUM-30ML", gtin="6901234567892", min_remaining_days=90)
    a_sku(session, "CREAM-50G", weight_g=120)
    for sku, lot, qty, expiry, bin_code, walk in (
            ("SERUM-30ML", "S-OLD", 5, date(2027, 1, 10), "A-01", 10),  # < 90 days at dispatch
            ("SERUM-30ML", "S-MID", 2, date(2027, 6, 30), "C-09", 30),
            ("SERUM-30ML", "S-NEW", 20, date(2028, 6, 30), "B-02", 20),
            ("CREAM-50G", "C-1", 10, date(2027, 12, 31), "D-01", 40)):
        floor.putaway(session, warehouse="NGB", sku=sku, lot_no=lot, bin_code=bin_code,
                      walk_order=walk, qty=qty, expiry=expiry, now=now, actor="test")
    session.flush()


def allocated_parcel(session: Session, now: datetime, *, lines: dict[str, int],
                     settings: Settings, wave: Wave | None = None,
                     external_id: str | None = None) -> Parcel:
    """An order reserved, allocated to NGB, with one SF parcel in `wave` (made if None)."""
    body = order_body("SERUM-30ML", 1, **({"external_id": external_id} if external_id else {}))
    body["lines"] = [{"sku": s, "qty": q, "unit_price": "10.00"} for s, q in lines.items()]
    order, _ = orders.place(session, order=intake.parse(body), settings=settings, now=now)
    for sku, qty in lines.items():
        stock.allocate(session, warehouse="NGB", sku=sku, qty=qty, now=now,
                       reference=orders.ref(order))
    events.transition(session, order, "allocated", now=now)
    if wave is None:
        wave = Wave(status="optimal", hub="NGB", started_at=now)
        session.add(wave)
        session.flush()
    parcel = Parcel(order_id=order.id, wave_id=wave.id, warehouse_id="NGB", courier_id="SF",
                    weight_g=420, shipping_fen=1200, tax_fen=0, created_at=now)
    session.add(parcel)
    session.flush()
    for sku, qty in lines.items():
        session.add(ParcelLine(parcel_id=parcel.id, sku_id=sku, qty=qty))
    session.flush()
    return parcel


def clear(session: Session, parcel: Parcel, now: datetime) -> Order:
    """What customs does to the parcel's order: declared, then released (cleared)."""
    order = session.get(Order, parcel.order_id)
    events.transition(session, order, "declared", now=now)
    events.transition(session, order, "cleared", now=now)
    return order


def packable_parcel(session: Session, now: datetime, *, lines: dict[str, int],
                    settings: Settings, tasks: bool = True, **kw: object) -> Parcel:
    """An allocated parcel whose order customs cleared, its pick tasks made (unless not
    `tasks`): what the pack station opens."""
    parcel = allocated_parcel(session, now, lines=lines, settings=settings, **kw)
    clear(session, parcel, now)
    if tasks:
        floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=now)
    return parcel
