"""The only inventory module that touches the database. Takes a Session; never commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import Integer, String, column, func, insert, select, update, values
from sqlmodel import Session

from inventory import fefo, fefo_alloc
from inventory.errors import InvalidStock, OutOfStock, StockConflict, UnknownItem
from inventory.tables import Availability, Sku, StockLot, StockMovement, Warehouse


def _move(session: Session, *, now: datetime, sku: str, bucket: str, qty: int, reason: str,
          reference: str, actor: str, warehouse: str | None = None,
          lot_id: int | None = None) -> None:
    session.add(StockMovement(**_movement(now=now, sku=sku, bucket=bucket, qty=qty, reason=reason,
                                          reference=reference, actor=actor, warehouse=warehouse,
                                          lot_id=lot_id)))


def _movement(*, now: datetime, sku: str, bucket: str, qty: int, reason: str, reference: str,
              actor: str, warehouse: str | None = None, lot_id: int | None = None) -> dict:
    """One ledger row's columns."""
    return {"at": now, "sku_id": sku, "warehouse_id": warehouse, "lot_id": lot_id,
            "bucket": bucket, "qty": qty, "reason": reason, "reference": reference,
            "actor": actor}


def _reserve_row(session: Session, sku: str, qty: int) -> bool:
    """The conditional update that never oversells: False if fewer than qty are free."""
    return bool(session.execute(
        update(Availability)
        .where(Availability.sku_id == sku, Availability.sellable - Availability.reserved >= qty)
        .values(reserved=Availability.reserved + qty)).rowcount)


def _ensure_availability(session: Session, sku: str) -> None:
    if session.get(Availability, sku) is None:
        session.add(Availability(sku_id=sku, sellable=0, reserved=0))
        session.flush()


def receive(session: Session, *, warehouse: str, sku: str, lot_no: str, qty: int,
            expiry: date | None, now: datetime, reference: str = "", actor: str = "system",
            bin_id: int | None = None, fresh_on: date | None = None) -> StockLot:
    """Goods arrive: the lot's on hand and the SKU's sellable both rise by qty. With `fresh_on`
    (the receiving day), goods expired or too short-dated to ship that day are refused."""
    if qty <= 0:
        raise InvalidStock("qty must be positive", [{"field": "qty", "reason": "must be > 0"}])
    if session.get(Warehouse, warehouse) is None:
        raise UnknownItem(f"unknown warehouse {warehouse}",
                          [{"field": "warehouse", "reason": f"unknown warehouse {warehouse!r}"}])
    item = session.get(Sku, sku)
    if item is None:
        raise UnknownItem(f"unknown sku {sku}",
                          [{"field": "sku", "reason": f"unknown SKU {sku!r}"}])
    why = None if fresh_on is None else fefo.unreceivable(
        expiry, on=fresh_on, min_remaining_days=item.min_remaining_days)
    if why:
        raise InvalidStock(f"expiry: {why}", [{"field": "expiry", "reason": why}])
    lot = session.execute(select(StockLot).where(
        StockLot.warehouse_id == warehouse, StockLot.sku_id == sku, StockLot.lot_no == lot_no)
    ).scalars().first()
    if lot is None:
        lot = StockLot(warehouse_id=warehouse, sku_id=sku, lot_no=lot_no, expiry=expiry,
                       on_hand=0, allocated=0, bin_id=bin_id)
        session.add(lot)
        session.flush()
    elif expiry is not None and lot.expiry not in (None, expiry):
        raise InvalidStock("lot expiry differs", [
            {"field": "expiry", "reason": f"lot {lot_no} already has expiry {lot.expiry}"}])
    session.execute(update(StockLot).where(StockLot.id == lot.id)
                    .values(on_hand=StockLot.on_hand + qty))
    _ensure_availability(session, sku)
    session.execute(update(Availability).where(Availability.sku_id == sku)
                    .values(sellable=Availability.sellable + qty))
    common = dict(now=now, sku=sku, reason="receipt", reference=reference, actor=actor)
    _move(session, bucket="on_hand", qty=qty, warehouse=warehouse, lot_id=lot.id, **common)
    _move(session, bucket="sellable", qty=qty, **common)
    session.refresh(lot)
    return lot


def adjust(session: Session, *, lot_id: int, delta: int, reason: str, now: datetime,
           reference: str = "", actor: str = "system") -> StockLot:
    """A count or damage changes on hand; never below what is allocated or promised."""
    lot = session.get(StockLot, lot_id)
    if lot is None:
        raise UnknownItem("unknown lot", [{"field": "lot_id", "reason": f"no lot {lot_id}"}])
    if delta == 0:
        raise InvalidStock("delta is zero", [{"field": "delta", "reason": "must not be 0"}])
    done = session.execute(update(StockLot).where(
        StockLot.id == lot_id, StockLot.on_hand + delta >= StockLot.allocated)
        .values(on_hand=StockLot.on_hand + delta)).rowcount
    if not done:
        raise StockConflict("adjustment below allocated", [
            {"field": "delta", "reason": "would leave less on hand than is allocated to parcels"}])
    done = session.execute(update(Availability).where(
        Availability.sku_id == lot.sku_id, Availability.sellable + delta >= Availability.reserved)
        .values(sellable=Availability.sellable + delta)).rowcount
    if not done:
        raise StockConflict("adjustment below reserved", [
            {"field": "delta", "reason": "would leave less sellable than orders have reserved"}])
    common = dict(now=now, sku=lot.sku_id, reason=reason, reference=reference, actor=actor)
    _move(session, bucket="on_hand", qty=delta, warehouse=lot.warehouse_id, lot_id=lot_id, **common)
    _move(session, bucket="sellable", qty=delta, **common)
    session.refresh(lot)
    return lot


def reserve(session: Session, *, lines: Mapping[str, int], now: datetime, reference: str,
            actor: str = "system") -> None:
    """Reserve every line or raise OutOfStock naming each short SKU (caller rolls back).

    One conditional UPDATE per SKU, in SKU order so concurrent orders never deadlock.
    """
    short: list[dict] = []
    for sku in sorted(lines):
        qty = lines[sku]
        if _reserve_row(session, sku, qty):
            _move(session, now=now, sku=sku, bucket="reserved", qty=qty, reason="reservation",
                  reference=reference, actor=actor)
        else:
            short.append({"sku": sku, "requested": qty, "available": available(session, sku)})
    if short:
        raise OutOfStock(short)


def lock_free(session: Session, skus: Iterable[str]) -> dict[str, int]:
    """Lock the SKUs' availability rows for this transaction and return what each has free.

    Rows are locked in SKU order, as `reserve` takes them, so batches and single orders never
    deadlock; a SKU with no availability row has nothing free.
    """
    wanted = sorted(set(skus))
    free = dict.fromkeys(wanted, 0)
    rows = session.execute(
        select(Availability.sku_id, Availability.sellable - Availability.reserved)
        .where(Availability.sku_id.in_(wanted)).order_by(Availability.sku_id)
        .with_for_update()).all()
    free.update({sku: int(n) for sku, n in rows})
    return free


def reserve_locked(session: Session, *,
                   reservations: list[tuple[str, Mapping[str, int], datetime]],
                   actor: str = "system") -> None:
    """Record (reference, lines, time) reservations checked against `lock_free` in this
    transaction.

    One ledger row per order and SKU as `reserve` writes, but the availability rows are updated
    once for the whole batch (one statement on PostgreSQL, one per SKU on SQLite): a hot SKU's
    row is written once per commit, not once per order. The update is still
    conditional (and reserved <= sellable a CHECK constraint), so a caller that skipped the lock
    gets StockConflict, never an oversell.
    """
    totals: dict[str, int] = {}
    moves = []
    for reference, lines, now in reservations:
        for sku, qty in sorted(lines.items()):
            totals[sku] = totals.get(sku, 0) + qty
            moves.append(_movement(now=now, sku=sku, bucket="reserved", qty=qty,
                                   reason="reservation", reference=reference, actor=actor))
    if moves:
        session.execute(insert(StockMovement), moves)  # one statement, no ORM objects
    if not totals:
        return
    if session.get_bind().dialect.name == "postgresql":
        # one UPDATE .. FROM (VALUES ..) for all the batch's SKUs, still conditional per SKU
        want = values(column("sku", String), column("qty", Integer), name="want") \
            .data(sorted(totals.items()))
        done = set(session.execute(
            update(Availability)
            .where(Availability.sku_id == want.c.sku,
                   Availability.sellable - Availability.reserved >= want.c.qty)
            .values(reserved=Availability.reserved + want.c.qty)
            .returning(Availability.sku_id)
            .execution_options(synchronize_session=False)).scalars())
    else:  # SQLite has no VALUES list with column names in FROM; it serialises writers anyway
        done = {sku for sku in sorted(totals) if _reserve_row(session, sku, totals[sku])}
    missed = sorted(set(totals) - done)
    if missed:  # only if a caller skipped lock_free; the caller rolls back
        raise StockConflict(f"reservation of {', '.join(missed)} exceeds what is free",
                            [{"field": sku, "reason": f"fewer than {totals[sku]} free"}
                             for sku in missed])


def release(session: Session, *, lines: Mapping[str, int], now: datetime, reference: str,
            reason: str = "release", actor: str = "system") -> None:
    """Give back exactly what an order reserved."""
    for sku in sorted(lines):
        qty = lines[sku]
        done = session.execute(update(Availability).where(
            Availability.sku_id == sku, Availability.reserved >= qty)
            .values(reserved=Availability.reserved - qty)).rowcount
        if not done:
            raise StockConflict(f"release of {sku} exceeds reserved",
                                [{"field": sku, "reason": "more released than reserved"}])
        _move(session, now=now, sku=sku, bucket="reserved", qty=-qty, reason=reason,
              reference=reference, actor=actor)


def allocate(session: Session, *, warehouse: str, sku: str, qty: int, now: datetime,
             reference: str, actor: str = "system",
             dispatch_on: date | None = None) -> list[tuple[int, int]]:
    """Move a reservation from the network to one warehouse's lots (first-expired first).

    Given `dispatch_on` (the operation's day; waves pass it), never takes a lot with less than
    the SKU's min_remaining_days left on it, which the floor could not pick.
    Returns the (lot id, qty) pairs taken. Raises StockConflict if the warehouse lacks it.
    """
    lots = lots_of(session, warehouse=warehouse, sku=sku, lock=True)
    free = [(lot.id, lot.on_hand - lot.allocated, lot.expiry) for lot in lots]
    row = session.get(Sku, sku)
    takes = fefo_alloc.take(free, qty, dispatch_on=dispatch_on,
                            min_remaining_days=row.min_remaining_days if row else 0)
    if takes is None:
        raise StockConflict(f"{warehouse} lacks {qty} of {sku} fresh enough to ship", [
            {"field": sku, "reason": f"{warehouse} has less than {qty} free and fresh enough"}])
    for lot_id, n in takes:
        session.execute(update(StockLot).where(StockLot.id == lot_id)
                        .values(allocated=StockLot.allocated + n))
        _move(session, now=now, sku=sku, bucket="allocated", qty=n, reason="allocation",
              reference=reference, actor=actor, warehouse=warehouse, lot_id=lot_id)
    done = session.execute(update(Availability).where(
        Availability.sku_id == sku, Availability.reserved >= qty)
        .values(reserved=Availability.reserved - qty,
                sellable=Availability.sellable - qty)).rowcount
    if not done:
        raise StockConflict(f"allocation of {sku} exceeds reserved",
                            [{"field": sku, "reason": "more allocated than reserved"}])
    common = dict(now=now, sku=sku, reason="allocation", reference=reference, actor=actor)
    _move(session, bucket="reserved", qty=-qty, **common)
    _move(session, bucket="sellable", qty=-qty, **common)
    return takes


def deallocate(session: Session, *, lot_id: int, qty: int, now: datetime, reference: str,
               actor: str = "system") -> None:
    """Undo an allocation (order cancelled after allocation): the units become sellable again."""
    lot = session.get(StockLot, lot_id)
    if lot is None:
        raise UnknownItem("unknown lot", [{"field": "lot_id", "reason": f"no lot {lot_id}"}])
    done = session.execute(update(StockLot).where(StockLot.id == lot_id,
                                                  StockLot.allocated >= qty)
                           .values(allocated=StockLot.allocated - qty)).rowcount
    if not done:
        raise StockConflict("deallocation exceeds allocated",
                            [{"field": "qty", "reason": "more than allocated"}])
    session.execute(update(Availability).where(Availability.sku_id == lot.sku_id)
                    .values(sellable=Availability.sellable + qty))
    common = dict(now=now, sku=lot.sku_id, reason="deallocation", reference=reference, actor=actor)
    _move(session, bucket="allocated", qty=-qty, warehouse=lot.warehouse_id, lot_id=lot_id,
          **common)
    _move(session, bucket="sellable", qty=qty, **common)


def issue(session: Session, *, lot_id: int, qty: int, now: datetime, reference: str,
          reason: str = "ship", actor: str = "system") -> None:
    """Allocated units leave the lot (shipped): on hand and allocated both fall."""
    lot = session.get(StockLot, lot_id)
    if lot is None:
        raise UnknownItem("unknown lot", [{"field": "lot_id", "reason": f"no lot {lot_id}"}])
    done = session.execute(update(StockLot).where(StockLot.id == lot_id,
                                                  StockLot.allocated >= qty)
                           .values(allocated=StockLot.allocated - qty,
                                   on_hand=StockLot.on_hand - qty)).rowcount
    if not done:
        raise StockConflict("issue exceeds allocated",
                            [{"field": "qty", "reason": "not allocated"}])
    common = dict(now=now, sku=lot.sku_id, reason=reason, reference=reference, actor=actor,
                  warehouse=lot.warehouse_id, lot_id=lot_id)
    _move(session, bucket="allocated", qty=-qty, **common)
    _move(session, bucket="on_hand", qty=-qty, **common)


def lots_of(session: Session, *, warehouse: str | None = None, sku: str | None = None,
            lock: bool = False) -> list[StockLot]:
    stmt = select(StockLot).order_by(StockLot.expiry.is_(None), StockLot.expiry, StockLot.id)
    if warehouse:
        stmt = stmt.where(StockLot.warehouse_id == warehouse)
    if sku:
        stmt = stmt.where(StockLot.sku_id == sku)
    if lock:
        stmt = stmt.with_for_update()
    return list(session.execute(stmt).scalars())


def available(session: Session, sku: str) -> int:
    row = session.get(Availability, sku, populate_existing=True)
    return 0 if row is None else row.sellable - row.reserved


def availability_of(session: Session, skus: Iterable[str] | None = None) -> list[Availability]:
    stmt = select(Availability).order_by(Availability.sku_id)
    if skus is not None:
        stmt = stmt.where(Availability.sku_id.in_(list(skus)))
    return list(session.execute(stmt).scalars())


def free_stock(session: Session, *, on: date) -> dict[tuple[str, str], int]:
    """Unallocated on hand per (warehouse, sku) fresh enough to ship on `on`: what a wave may
    still source from (`allocate` takes the same lots)."""
    stmt = (select(StockLot.warehouse_id, StockLot.sku_id, StockLot.expiry,
                   Sku.min_remaining_days, func.sum(StockLot.on_hand - StockLot.allocated))
            .join(Sku, Sku.id == StockLot.sku_id)
            .where(StockLot.on_hand > StockLot.allocated)
            .group_by(StockLot.warehouse_id, StockLot.sku_id, StockLot.expiry,
                      Sku.min_remaining_days))
    free: dict[tuple[str, str], int] = {}
    for w, s, expiry, days, q in session.execute(stmt):
        if fefo.is_fresh_enough(expiry, dispatch_on=on, min_remaining_days=days):
            free[(w, s)] = free.get((w, s), 0) + int(q)
    return free


def short_dated_skus(session: Session, *, on: date) -> list[str]:
    """SKUs with free units in a lot too short-dated to ship on `on`, in SKU order."""
    stmt = (select(StockLot.sku_id, Sku.min_remaining_days, func.min(StockLot.expiry))
            .join(Sku, Sku.id == StockLot.sku_id)
            .where(StockLot.expiry.is_not(None), StockLot.on_hand > StockLot.allocated)
            .group_by(StockLot.sku_id, Sku.min_remaining_days).order_by(StockLot.sku_id))
    return [sku for sku, days, first in session.execute(stmt)
            if not fefo.is_fresh_enough(first, dispatch_on=on, min_remaining_days=days)]


def write_off_short_dated(session: Session, *, sku: str, on: date, now: datetime,
                          actor: str = "system") -> tuple[int, int]:
    """Write off (reason "expiry") the free units of the SKU's lots too short-dated to ship on
    `on`, so availability stops promising them. Units allocated to parcels stay.

    Never below what orders have reserved (reserved <= sellable): returns (units written off,
    units left because reservations stand on them). Lots are locked before availability, as
    `allocate` takes them.
    """
    days = session.get(Sku, sku).min_remaining_days
    lots = session.execute(
        select(StockLot).where(
            StockLot.sku_id == sku, StockLot.on_hand > StockLot.allocated,
            StockLot.expiry < fefo.freshness_cutoff(dispatch_on=on, min_remaining_days=days))
        .order_by(StockLot.expiry, StockLot.id).with_for_update()
        .execution_options(populate_existing=True)).scalars().all()
    stale = sum(lot.on_hand - lot.allocated for lot in lots)
    if not stale:
        return 0, 0
    row = session.execute(select(Availability).where(Availability.sku_id == sku)
                          .with_for_update().execution_options(populate_existing=True)
                          ).scalar_one()
    room = min(stale, max(0, row.sellable - row.reserved))
    written = 0
    for lot in lots:
        n = min(lot.on_hand - lot.allocated, room - written)
        if n <= 0:
            break
        adjust(session, lot_id=lot.id, delta=-n, reason="expiry", now=now, actor=actor,
               reference=f"short-dated:{on.isoformat()}")
        written += n
    return written, stale - written


def ledger_problems(session: Session) -> list[str]:
    """Invariant check: lots and availability equal the sums of their movements."""
    problems: list[str] = []
    moved = dict(session.execute(select(StockMovement.lot_id, func.sum(StockMovement.qty))
                                 .where(StockMovement.bucket == "on_hand")
                                 .group_by(StockMovement.lot_id)).all())
    for lot in session.execute(select(StockLot)).scalars():
        if int(moved.get(lot.id, 0)) != lot.on_hand:
            problems.append(f"lot {lot.id}: on_hand {lot.on_hand} != ledger {moved.get(lot.id)}")
    for bucket in ("sellable", "reserved"):
        sums = dict(session.execute(select(StockMovement.sku_id, func.sum(StockMovement.qty))
                                    .where(StockMovement.bucket == bucket)
                                    .group_by(StockMovement.sku_id)).all())
        for av in session.execute(select(Availability)).scalars():
            if int(sums.get(av.sku_id, 0)) != getattr(av, bucket):
                problems.append(f"{av.sku_id}: {bucket} {getattr(av, bucket)} != ledger")
    return problems
