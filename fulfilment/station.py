"""The pack station: scan a parcel, tick its items, refuse wrong or extra, undo, complete.

Every scan is a PackScan row (station, user, code, result, time). A refused scan changes
nothing else. The state of a station is derived from its scans, so any replica can serve it.
A parcel opens only when customs has cleared its order (every warehouse is CBEC, 1210 or 9610,
and every allocated order is declared) and its pick tasks cover it with lots still fresh enough
to ship; anything else is refused with the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from fulfilment import events, floor, orders
from fulfilment.floor_tables import PackScan, PickTask
from fulfilment.tables import ROW_ID_MAX, Order, Parcel, ParcelLine
from inventory.tables import Sku, Warehouse
from labels import gs1

# Packed only once customs released every parcel of the order (`cleared`); `picked` is a cleared
# order with a parcel already open. Why each other status is not packable yet:
PACKABLE_ORDER = ("cleared", "picked")
NOT_PACKABLE = {
    "received": "not paid and reserved yet",
    "reserved": "not allocated yet",
    "allocated": "not declared to customs yet: pack once it is cleared",
    "declared": "awaiting customs clearance: pack once it is cleared",
    "customs_rejected": "refused by customs",
}
PARCEL_CODE = re.compile(r"^(?:P|PARCEL-?)(\d+)$", re.IGNORECASE)
WAVE_CODE = re.compile(r"^(?:WAVE-?|HANDOVER-WAVE-?)(\d+)$", re.IGNORECASE)


@dataclass
class Outcome:
    """What the station shows after a scan."""

    result: str  # ok | refused | complete
    message: str
    parcel: dict | None = None
    parcel_id: int | None = None
    shipped: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"result": self.result, "message": self.message, "parcel": self.parcel,
                "parcel_id": self.parcel_id, "shipped": self.shipped, **self.extra}


def _record(session: Session, *, station: str, user: str, code: str, kind: str, result: str,
            now: datetime, reason: str = "", parcel_id: int | None = None,
            sku_id: str | None = None) -> PackScan:
    row = PackScan(station=station, user_name=user, code=code[:80], kind=kind, result=result,
                   reason=reason[:200], parcel_id=parcel_id, sku_id=sku_id, at=now)
    session.add(row)
    session.flush()
    return row


def active_parcel(session: Session, station: str) -> Parcel | None:
    """The parcel last opened at this station, unless it is already packed or gone."""
    last = session.execute(select(PackScan.parcel_id).where(
        PackScan.station == station, PackScan.kind == "parcel", PackScan.result == "ok")
        .order_by(PackScan.id.desc()).limit(1)).scalar()
    parcel = session.get(Parcel, last) if last else None
    return parcel if parcel is not None and parcel.status not in ("packed", "shipped",
                                                                  "cancelled") else None


def packed_counts(session: Session, parcel_id: int) -> Counter:
    rows = session.execute(select(PackScan.sku_id, func.count()).where(
        PackScan.parcel_id == parcel_id, PackScan.kind == "item", PackScan.result == "ok",
        PackScan.undone_by.is_(None)).group_by(PackScan.sku_id)).all()
    return Counter({sku: int(n) for sku, n in rows})


def parcel_view(session: Session, parcel: Parcel) -> dict:
    order = session.get(Order, parcel.order_id)
    packed = packed_counts(session, parcel.id)
    lines = []
    for pl in session.execute(select(ParcelLine).where(ParcelLine.parcel_id == parcel.id)
                              .order_by(ParcelLine.id)).scalars():
        sku = session.get(Sku, pl.sku_id)
        lines.append({"sku": pl.sku_id, "name": sku.name if sku else "",
                      "gtin": sku.gtin if sku else None, "qty": pl.qty,
                      "packed": min(packed[pl.sku_id], pl.qty)})
    return {"id": parcel.id, "order_no": order.external_id, "order_id": order.id,
            "index": parcel.index, "count": parcel.count, "warehouse": parcel.warehouse_id,
            "courier": parcel.courier_id, "status": parcel.status,
            "tracking_no": parcel.tracking_no, "lines": lines,
            "complete": all(line["packed"] >= line["qty"] for line in lines)}


def row_id(digits: str) -> int | None:
    """The row id a code's digits name; None past the id column's range (a driver overflow,
    not a missing row), judged before `int` so a 5,000-digit scan costs nothing."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= len(str(ROW_ID_MAX)) and int(digits) <= ROW_ID_MAX \
        else None


class AmbiguousCode(LookupError):
    """An order number whose parcels wait in more than one warehouse: which one is meant?"""


def find_parcel(session: Session, code: str, *, warehouse: str | None = None) -> Parcel | None:
    """A parcel by its own code (P123), tracking number, or its order's number. By order
    number: its parcel in `warehouse` if given; AmbiguousCode if its parcels lie in several
    warehouses and none is given (packing the wrong one would leave the other unpacked)."""
    m = PARCEL_CODE.match(code)
    if m:
        parcel_id = row_id(m.group(1))
        return None if parcel_id is None else session.get(Parcel, parcel_id)
    by_tracking = session.execute(select(Parcel).where(Parcel.tracking_no == code)).scalars()
    found = by_tracking.first()
    if found is not None:
        return found
    order = orders.find_by_external_id(session, code)
    if order is None:
        return None
    live = [p for p in orders.parcels_of(session, order.id) if p.status != "cancelled"
            and warehouse in (None, p.warehouse_id)]
    waiting = [p for p in live if p.status not in ("packed", "shipped")]
    candidates = waiting or live
    places = sorted({p.warehouse_id for p in candidates})
    if len(places) > 1:
        raise AmbiguousCode(f"order {order.external_id} has parcels in {', '.join(places)}: "
                            f"scan the parcel's own code "
                            f"({', '.join(f'P{p.id}' for p in candidates)})")
    return (candidates or [None])[0]


def _item_code(code: str) -> str:
    """The item a scan names: the GTIN of a GS1-128 / DataMatrix element string (a supplier's
    `(01)..(17)..(10)..` symbol), else the scan as it stands (an EAN-13, a SKU code)."""
    return gs1.gtin(code) or code.strip()


def _sku_for(code: str, lines: list[dict]) -> str | None:
    wanted = _item_code(code)
    digits = wanted.zfill(14) if wanted.isascii() and wanted.isdigit() else None
    for line in lines:
        if line["sku"].upper() == wanted.upper():
            return line["sku"]
        if digits and line["gtin"] and line["gtin"].zfill(14) == digits:
            return line["sku"]
    return None


def _known_item(session: Session, code: str) -> bool:
    """Whether a scan names some SKU, matched as `_sku_for` matches (code case-blind, GTIN
    with or without its leading zeros)."""
    code = _item_code(code)
    if session.execute(select(Sku.id).where(func.upper(Sku.id) == code.upper())).first():
        return True
    return code.isascii() and code.isdigit() and session.execute(
        select(Sku.id).where(Sku.gtin.in_({code, code.zfill(14), code.lstrip("0")}))
    ).first() is not None


def _refusal(session: Session, parcel: Parcel, order: Order, *, now: datetime) -> str:
    if parcel.status == "cancelled" or order.status == "cancelled":
        return f"order {order.external_id} is cancelled: do not pack"
    if parcel.status in ("packed", "shipped"):
        return f"parcel {parcel.id} is already {parcel.status}"
    if order.status not in PACKABLE_ORDER:
        why = NOT_PACKABLE.get(order.status, "not cleared for packing")
        return f"order {order.external_id} is {order.status}: {why}"
    problems = floor.pick_problems(session, parcel, day=floor.dispatch_day(now))
    return f"{problems[0]}; do not pack" if problems else ""


def _open(session: Session, parcel: Parcel, *, station: str, user: str, code: str,
          now: datetime) -> Outcome:
    # Parcel, then order: the lock order of the hand-over and of cancelling.
    parcel = session.get(Parcel, parcel.id, with_for_update=True, populate_existing=True)
    order = orders.get(session, parcel.order_id, lock=True)
    reason = _refusal(session, parcel, order, now=now)
    if reason:
        _record(session, station=station, user=user, code=code, kind="parcel", result="refused",
                reason=reason, parcel_id=parcel.id, now=now)
        return Outcome("refused", reason, parcel=parcel_view(session, parcel), parcel_id=parcel.id)
    if order.status == "cleared":
        events.transition(session, order, "picked", now=now)
    _record(session, station=station, user=user, code=code, kind="parcel", result="ok",
            parcel_id=parcel.id, now=now)
    view = parcel_view(session, parcel)
    if view["complete"]:
        return _complete(session, parcel, now=now, user=user)
    return Outcome("ok", f"parcel {parcel.id} of order {order.external_id}: scan the items",
                   parcel=view, parcel_id=parcel.id)


def _complete(session: Session, parcel: Parcel, *, now: datetime, user: str) -> Outcome:
    parcel.status, parcel.packed_at = "packed", now
    session.add(parcel)
    floor.ensure_tracking(session, parcel)
    for task in session.execute(select(PickTask).where(PickTask.parcel_id == parcel.id,
                                                       PickTask.status == "open")).scalars():
        task.status = "picked"
        session.add(task)
    session.flush()
    order = orders.get(session, parcel.order_id, lock=True)
    if order.status == "picked" and all(
            p.status in ("packed", "shipped") for p in orders.parcels_of(session, order.id)
            if p.status != "cancelled"):
        events.transition(session, order, "packed", now=now)
    return Outcome("complete", f"parcel {parcel.id} packed: label {parcel.tracking_no}",
                   parcel=parcel_view(session, parcel), parcel_id=parcel.id)


def scan(session: Session, *, station: str, user: str, code: str, now: datetime,
         warehouse: str | None = None) -> Outcome:
    """One barcode at the station: a parcel/order opens it, an item ticks, a wave hands over.
    A station given its `warehouse` opens only that warehouse's parcels."""
    code = code.strip()
    if not code:
        return Outcome("refused", "empty scan")
    if warehouse is not None and session.get(Warehouse, warehouse) is None:
        return Outcome("refused", f"this station's warehouse {warehouse} is unknown")
    if code.upper() == "UNDO":  # the undo barcode printed at the station
        return undo(session, station=station, user=user, now=now)
    wave = WAVE_CODE.match(code)
    if wave:
        return _handover(session, int(wave.group(1)), station=station, user=user, code=code,
                         now=now)
    try:
        parcel = find_parcel(session, code, warehouse=warehouse)
    except AmbiguousCode as exc:
        _record(session, station=station, user=user, code=code, kind="parcel",
                result="refused", reason=str(exc), now=now)
        return Outcome("refused", str(exc))
    if parcel is not None and warehouse not in (None, parcel.warehouse_id):
        reason = (f"parcel {parcel.id} is packed at {parcel.warehouse_id}, not at this "
                  f"station's {warehouse}")
        _record(session, station=station, user=user, code=code, kind="parcel",
                result="refused", reason=reason, parcel_id=parcel.id, now=now)
        return Outcome("refused", reason, parcel_id=parcel.id)
    if parcel is not None:
        return _open(session, parcel, station=station, user=user, code=code, now=now)
    active = active_parcel(session, station)
    if active is None:
        reason = "unknown barcode" if not _known_item(session, code) else "scan a parcel first"
        _record(session, station=station, user=user, code=code, kind="unknown",
                result="refused", reason=reason, now=now)
        return Outcome("refused", f"{reason}: {code}")
    # Lock the parcel: two scanners on one parcel must not both tick its last unit.
    locked = session.get(Parcel, active.id, with_for_update=True, populate_existing=True)
    return _item(session, locked, station=station, user=user, code=code, now=now)


def _handover(session: Session, wave_id: int, *, station: str, user: str, code: str,
              now: datetime) -> Outcome:
    """A wave's packed parcels leave; the message counts the wave's parcels still to pack and
    names each packed one that stays behind (its pick tasks do not cover it)."""
    from fulfilment.handover import hand_over  # the hand-over finds parcels as the station does

    done = hand_over(session, [code], now=now, actor=user)
    left = f"; {done.waiting} not packed yet" if done.waiting else ""
    left += "".join(f"; {reason}" for reason in done.refused)
    _record(session, station=station, user=user, code=code, kind="handover",
            result="ok" if done.shipped else "refused",
            reason=f"{done.shipped} parcels shipped{left}"[:200], now=now)
    if not done.shipped:
        return Outcome("refused", f"wave {wave_id} has no packed parcels to hand over{left}")
    return Outcome("ok", f"{done.shipped} parcels of wave {wave_id} handed over{left}",
                   shipped=done.shipped)


def _item(session: Session, parcel: Parcel, *, station: str, user: str, code: str,
          now: datetime) -> Outcome:
    view = parcel_view(session, parcel)
    sku = _sku_for(code, view["lines"])
    line = next((x for x in view["lines"] if x["sku"] == sku), None)
    if line is None:
        reason = (f"{code} is not in this parcel" if _known_item(session, code)
                  else f"unknown barcode {code}")
    elif line["packed"] >= line["qty"]:
        reason = f"one more {sku} than ordered ({line['qty']})"
    else:
        reason = ""
    if reason:
        _record(session, station=station, user=user, code=code, kind="item", result="refused",
                reason=reason, parcel_id=parcel.id, sku_id=sku, now=now)
        return Outcome("refused", reason, parcel=view, parcel_id=parcel.id)
    _record(session, station=station, user=user, code=code, kind="item", result="ok",
            parcel_id=parcel.id, sku_id=sku, now=now)
    view = parcel_view(session, parcel)
    if view["complete"]:
        return _complete(session, parcel, now=now, user=user)
    return Outcome("ok", f"{sku} {line['packed'] + 1}/{line['qty']}", parcel=view,
                   parcel_id=parcel.id)


def undo(session: Session, *, station: str, user: str, now: datetime) -> Outcome:
    """Take back the last item scanned into the station's open parcel."""
    parcel = active_parcel(session, station)
    last = None
    if parcel is not None:
        last = session.execute(select(PackScan).where(
            PackScan.parcel_id == parcel.id, PackScan.station == station,
            PackScan.kind == "item", PackScan.result == "ok", PackScan.undone_by.is_(None))
            .order_by(PackScan.id.desc()).limit(1)).scalars().first()
    if last is None:
        _record(session, station=station, user=user, code="UNDO", kind="undo", result="refused",
                reason="nothing to undo", parcel_id=parcel.id if parcel else None, now=now)
        return Outcome("refused", "nothing to undo",
                       parcel=parcel_view(session, parcel) if parcel else None,
                       parcel_id=parcel.id if parcel else None)
    row = _record(session, station=station, user=user, code="UNDO", kind="undo", result="ok",
                  parcel_id=parcel.id, sku_id=last.sku_id, now=now)
    last.undone_by = row.id
    session.add(last)
    session.flush()
    return Outcome("ok", f"undone: {last.sku_id}", parcel=parcel_view(session, parcel),
                   parcel_id=parcel.id)


def state(session: Session, *, station: str) -> Outcome:
    parcel = active_parcel(session, station)
    if parcel is None:
        return Outcome("ok", "scan a parcel or order barcode")
    return Outcome("ok", "scan the items", parcel=parcel_view(session, parcel),
                   parcel_id=parcel.id)
