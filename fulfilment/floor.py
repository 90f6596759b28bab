"""The warehouse floor: put-away to bins, FEFO pick tasks per wave, label data, hand-over.

Store-style functions: a Session first, keyword-only after, never commit (the edge does).
The pack station itself lives in `fulfilment.station`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import events, orders
from fulfilment.floor_tables import PickTask
from fulfilment.localtime import CHINA
from fulfilment.tables import Order, Parcel, ParcelLine
from inventory import fefo
from inventory import store as stock
from inventory.tables import Bin, Sku, StockLot, StockMovement, Warehouse
from labels import barcodes
from labels.types import PickLine, PickList

log = logging.getLogger("fulfilment.floor")
UNSLOTTED = 1 << 30  # lots with no bin are walked last
LIVE_TASK = ("open", "picked")  # a pick task still holding units in `picking`


class FloorError(ValueError):
    code = "floor_error"
    status = 422

    def __init__(self, reason: str, *, field: str = "code", code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(reason)
        self.problems = [{"field": field, "reason": reason}]
        if code:
            self.code = code
        if status:
            self.status = status


def _move(session: Session, *, now: datetime, lot: StockLot, bucket: str, qty: int, reason: str,
          reference: str, actor: str) -> None:
    session.add(StockMovement(at=now, sku_id=lot.sku_id, warehouse_id=lot.warehouse_id,
                              lot_id=lot.id, bucket=bucket, qty=qty, reason=reason,
                              reference=reference, actor=actor))


def lock_parcels(session: Session, *, where: ColumnElement[bool]) -> list[Parcel]:
    """The parcels matching `where`, locked (in id order) and read afresh for this transaction:
    parcels are locked before their order, as the pack station and the hand-over take them."""
    return list(session.execute(select(Parcel).where(where).order_by(Parcel.id)
                                .with_for_update().execution_options(populate_existing=True))
                .scalars())


# --- Put-away -------------------------------------------------------------------------------

def bin_of(session: Session, *, warehouse: str, code: str, walk_order: int | None = None) -> Bin:
    """The bin with this code, created on first use; a given walk order updates it."""
    row = session.execute(select(Bin).where(Bin.warehouse_id == warehouse, Bin.code == code)
                          ).scalars().first()
    if row is None:
        row = Bin(warehouse_id=warehouse, code=code, walk_order=walk_order or 0)
    elif walk_order is not None:
        row.walk_order = walk_order
    session.add(row)
    session.flush()
    return row


def putaway(session: Session, *, warehouse: str, sku: str, lot_no: str, bin_code: str,
            now: datetime, actor: str, qty: int | None = None, expiry: date | None = None,
            walk_order: int | None = None, fresh_on: date | None = None) -> StockLot:
    """Put a lot away to a bin; with `qty` the units are received into that lot first (with
    `fresh_on`, refused if expired or too short-dated to ship that day)."""
    if session.get(Warehouse, warehouse) is None:
        raise FloorError(f"unknown warehouse {warehouse!r}", field="warehouse", status=404)
    if qty is not None:
        _one_bin_per_lot(session, warehouse=warehouse, sku=sku, lot_no=lot_no, bin_code=bin_code)
    where = bin_of(session, warehouse=warehouse, code=bin_code, walk_order=walk_order)
    if qty is not None:
        lot = stock.receive(session, warehouse=warehouse, sku=sku, lot_no=lot_no, qty=qty,
                            expiry=expiry, now=now, reference=f"putaway:{bin_code}",
                            actor=actor, bin_id=where.id, fresh_on=fresh_on)
    else:
        lot = session.execute(select(StockLot).where(
            StockLot.warehouse_id == warehouse, StockLot.sku_id == sku,
            StockLot.lot_no == lot_no)).scalars().first()
        if lot is None:
            raise FloorError(f"no lot {lot_no} of {sku} in {warehouse}; give qty to receive it",
                             field="lot_no", status=404)
    lot.bin_id = where.id
    session.add(lot)
    session.flush()
    return lot


def _one_bin_per_lot(session: Session, *, warehouse: str, sku: str, lot_no: str,
                     bin_code: str) -> None:
    """A lot has one bin: more units of a lot that has units elsewhere would move them all."""
    lot = session.execute(select(StockLot).where(
        StockLot.warehouse_id == warehouse, StockLot.sku_id == sku,
        StockLot.lot_no == lot_no)).scalars().first()
    held = session.get(Bin, lot.bin_id) if lot is not None and lot.bin_id is not None else None
    if held is not None and lot.on_hand > 0 and held.code != bin_code:
        raise FloorError(f"lot {lot_no} of {sku} already has {lot.on_hand} units in bin "
                         f"{held.code}: put these into {held.code} too, or receive them under "
                         "a new lot number", field="bin", status=409, code="lot_in_another_bin")


# --- Pick tasks (FEFO) ----------------------------------------------------------------------

def dispatch_day(now: datetime) -> date:
    """Shelf life is counted from the dispatch day in China, where the buyers are."""
    return now.astimezone(CHINA).date() if now.tzinfo else now.date()


def _walk(session: Session, warehouse: str) -> dict[int, Bin]:
    return {b.id: b for b in session.execute(select(Bin).where(Bin.warehouse_id == warehouse))
            .scalars()}


def _lot_stock(lot: StockLot, bins: dict[int, Bin], pickable: int) -> fefo.LotStock:
    code = bins[lot.bin_id].code if lot.bin_id in bins else ""
    return fefo.LotStock(lot_id=str(lot.id), sku=lot.sku_id, bin=code, qty=pickable,
                         expiry=lot.expiry)


def _retarget(session: Session, *, order: Order, held: dict[int, int], chosen: dict[int, int],
              lots: dict[int, StockLot], now: datetime, actor: str) -> None:
    """Move the order's allocation from the lots it holds to the FEFO-chosen ones (same SKU)."""
    for lot_id in sorted(set(held) | set(chosen)):
        delta = chosen.get(lot_id, 0) - held.get(lot_id, 0)
        if delta == 0:
            continue
        done = session.execute(update(StockLot).where(
            StockLot.id == lot_id, StockLot.allocated + delta >= 0,
            StockLot.allocated + delta <= StockLot.on_hand)
            .values(allocated=StockLot.allocated + delta)).rowcount
        if not done:
            raise FloorError(f"lot {lot_id} changed while planning picks", status=409,
                             code="stock_conflict")
        _move(session, now=now, lot=lots[lot_id], bucket="allocated", qty=delta,
              reason="fefo_pick", reference=orders.ref(order), actor=actor)


def _plan_parcel(session: Session, parcel: Parcel, order: Order, *, now: datetime,
                 walk: dict[str, int], bins: dict[int, Bin]) -> tuple[list, list[dict]]:
    """FEFO plan per SKU of the parcel, read-only: ([(sku, lots, held, picks)], shortages)."""
    held_all = orders.allocated_lots(session, order)
    wanted: dict[str, int] = defaultdict(int)
    for line in session.execute(select(ParcelLine).where(ParcelLine.parcel_id == parcel.id)
                                .order_by(ParcelLine.id)).scalars():
        wanted[line.sku_id] += line.qty
    plans, short = [], []
    for sku_id, qty in wanted.items():
        sku = session.get(Sku, sku_id)
        lots = {lot.id: lot for lot in stock.lots_of(session, warehouse=parcel.warehouse_id,
                                                     sku=sku_id, lock=True)}
        held = {lid: q for lid, q in held_all.items() if lid in lots and q > 0}
        # What this parcel may take: the lot's free units plus what the order already holds.
        candidates = [_lot_stock(lot, bins, lot.on_hand - lot.allocated + held.get(lid, 0))
                      for lid, lot in lots.items()]
        plan = fefo.pick_lots(candidates, sku=sku_id, qty=qty, dispatch_on=dispatch_day(now),
                              min_remaining_days=sku.min_remaining_days if sku else 0,
                              walk_order=walk)
        if plan.short:
            short.append({"parcel_id": parcel.id, "sku": sku_id, "short": plan.short})
        plans.append((sku_id, lots, held, plan.picks))
    return plans, short


def _tasks_for_parcel(session: Session, parcel: Parcel, *, now: datetime,
                      actor: str) -> tuple[list[PickTask], list[dict]]:
    order = session.get(Order, parcel.order_id)
    bins = _walk(session, parcel.warehouse_id)
    walk = {b.code: b.walk_order for b in bins.values()}
    plans, short = _plan_parcel(session, parcel, order, now=now, walk=walk, bins=bins)
    if short:  # never pick a short-dated lot: leave this parcel for a person to resolve
        return [], short
    tasks: list[PickTask] = []
    for sku_id, lots, held, picks in plans:
        chosen = {int(p.lot_id): p.qty for p in picks}
        _retarget(session, order=order, held=held, chosen=chosen, lots=lots, now=now, actor=actor)
        for p in picks:
            lot = lots[int(p.lot_id)]
            tasks.append(PickTask(wave_id=parcel.wave_id, warehouse_id=parcel.warehouse_id,
                                  parcel_id=parcel.id, order_id=order.id, sku_id=sku_id,
                                  lot_id=lot.id, bin_code=p.bin,
                                  walk_order=walk.get(p.bin, UNSLOTTED), qty=p.qty,
                                  created_at=now))
            _move(session, now=now, lot=lot, bucket="picking", qty=p.qty, reason="pick_task",
                  reference=orders.ref(order), actor=actor)
    session.add_all(tasks)
    return tasks, []


@dataclass(frozen=True)
class TaskReport:
    created: int
    short: list[dict]  # parcels left without tasks: not enough stock with enough shelf life


def create_pick_tasks(session: Session, *, wave_id: int, now: datetime,
                      actor: str = "system") -> TaskReport:
    """Pick tasks for every live parcel of a wave that has none yet.

    Lots are chosen FEFO among lots with the SKU's minimum remaining shelf life at dispatch
    (today); the order's allocation follows the chosen lots and the units enter `picking`.
    A parcel that cannot be covered with fresh-enough stock gets no tasks and is reported.
    """
    # Lock the parcels before reading their tasks: two pick lists at once make tasks once.
    parcels = lock_parcels(session, where=(Parcel.wave_id == wave_id)
                           & Parcel.status.not_in(("packed", "shipped", "cancelled")))
    done = set(session.execute(select(PickTask.parcel_id).where(PickTask.wave_id == wave_id))
               .scalars())
    made, short = 0, []
    for parcel in parcels:
        if parcel.id in done or parcel.status in ("packed", "shipped", "cancelled"):
            continue
        tasks, missing = _tasks_for_parcel(session, parcel, now=now, actor=actor)
        made += len(tasks)
        short += missing
    session.flush()
    return TaskReport(created=made, short=short)


_SAID_SHORT: set[tuple[int, str, int]] = set()  # (parcel, SKU, units short) already logged


def pick_tasks_job(factory: sessionmaker[Session], settings: object, *,
                   now: datetime | None = None) -> int:
    """Scheduled: pick tasks for allocated parcels of any wave that lacks them (one transaction
    per wave, a failing wave is logged and retried next run); returns tasks made."""
    now = now or datetime.now(UTC)
    with factory() as session:
        has_tasks = select(PickTask.parcel_id)
        waves = list(session.execute(select(Parcel.wave_id).distinct().where(
            Parcel.wave_id.is_not(None), Parcel.status == "allocated",
            Parcel.id.not_in(has_tasks)).order_by(Parcel.wave_id)).scalars())
    made = 0
    for wave_id in waves:
        try:
            with factory() as session, session.begin():
                report = create_pick_tasks(session, wave_id=wave_id, now=now)
            made += report.created
            for gap in report.short:
                said = (gap["parcel_id"], gap["sku"], gap["short"])
                if said not in _SAID_SHORT:  # retried every minute: said once per process
                    _SAID_SHORT.add(said)
                    log.warning("parcel %s of wave %s has no pick tasks: %s short of %s fresh "
                                "enough to ship", gap["parcel_id"], wave_id, gap["short"],
                                gap["sku"])
        except ValueError:
            log.exception("pick tasks for wave %s failed", wave_id)
    return made


def tasks_of(session: Session, *, wave_id: int, warehouse: str | None = None) -> list[PickTask]:
    stmt = select(PickTask).where(PickTask.wave_id == wave_id, PickTask.status != "cancelled")
    if warehouse:
        stmt = stmt.where(PickTask.warehouse_id == warehouse)
    return list(session.execute(stmt.order_by(PickTask.walk_order, PickTask.bin_code,
                                              PickTask.sku_id, PickTask.id)).scalars())


def pick_list(session: Session, *, wave_id: int, warehouse: str, now: datetime,
              actor: str = "system") -> PickList:
    """The wave's pick list for one warehouse (tasks made first if missing), in walk order."""
    if session.get(Warehouse, warehouse) is None:  # else an empty list, as if nothing to pick
        raise FloorError(f"unknown warehouse {warehouse!r}", field="warehouse", status=404)
    create_pick_tasks(session, wave_id=wave_id, now=now, actor=actor)
    printed_on = now.date()
    merged: dict[tuple, int] = defaultdict(int)
    for t in tasks_of(session, wave_id=wave_id, warehouse=warehouse):
        merged[(t.walk_order, t.bin_code or "UNSLOTTED", t.sku_id, t.lot_id)] += t.qty
    lines = []
    for (walk, bin_code, sku_id, lot_id), qty in merged.items():
        sku, lot = session.get(Sku, sku_id), session.get(StockLot, lot_id)
        lines.append(PickLine(bin=bin_code, walk_seq=min(walk, UNSLOTTED), sku=sku_id,
                              name=sku.name if sku else "", gtin=sku.gtin if sku else None,
                              qty=qty, lot=lot.lot_no, expiry=lot.expiry))
    return PickList(wave_id=str(wave_id), warehouse=warehouse, printed_on=printed_on, lines=lines)


# --- Shipping label data --------------------------------------------------------------------

def ensure_tracking(session: Session, parcel: Parcel) -> str:
    """The parcel's tracking number, assigned on first need: courier prefix, parcel id, check."""
    if not parcel.tracking_no:
        prefix = "".join(ch for ch in parcel.courier_id.upper() if ch.isalnum())[:4] or "PX"
        body = f"{parcel.id:012d}"
        parcel.tracking_no = f"{prefix}{body}{barcodes.gs1_check_digit(body)}"
        session.add(parcel)
        session.flush()
    return parcel.tracking_no


def wave_parcels(session: Session, *, wave_id: int) -> list[Parcel]:
    """Live parcels of a wave in pick order: warehouse, then first bin walked, then id."""
    parcels = session.execute(select(Parcel).where(Parcel.wave_id == wave_id,
                                                   Parcel.status != "cancelled")).scalars().all()
    first: dict[int, tuple[int, str]] = {}
    for t in tasks_of(session, wave_id=wave_id):
        first.setdefault(t.parcel_id, (t.walk_order, t.bin_code))
    return sorted(parcels, key=lambda p: (p.warehouse_id, first.get(p.id, (UNSLOTTED, "")), p.id))


# --- Hand-over to the courier ---------------------------------------------------------------

def _live_tasks(session: Session, parcel_id: int) -> list[PickTask]:
    return list(session.execute(select(PickTask).where(
        PickTask.parcel_id == parcel_id, PickTask.status.in_(LIVE_TASK))
        .order_by(PickTask.id)).scalars())


def coverage_gaps(wanted: Mapping[str, int], picked: Mapping[str, int]) -> list[str]:
    """Pure: each SKU whose picked units differ from the parcel's, as 'picked of wanted SKU'."""
    return [f"{picked.get(sku, 0)} of {wanted.get(sku, 0)} {sku}"
            for sku in sorted(set(wanted) | set(picked), key=lambda k: (k not in wanted, k))
            if picked.get(sku, 0) != wanted.get(sku, 0)]


def pick_problems(session: Session, parcel: Parcel, *, day: date | None) -> list[str]:
    """Why the parcel may be neither packed nor handed over from its pick tasks ([] when it
    may): it has none (its pick list was never made, or fresh stock was short), they do not
    cover its lines, or (given `day`) a lot they take is no longer fresh enough to ship then."""
    tasks = _live_tasks(session, parcel.id)
    if not tasks:
        return [f"parcel {parcel.id} has no pick tasks: not enough stock fresh enough to ship, "
                "or its wave's pick list is not made yet"]
    wanted: dict[str, int] = defaultdict(int)
    for line in session.execute(select(ParcelLine).where(ParcelLine.parcel_id == parcel.id)
                                ).scalars():
        wanted[line.sku_id] += line.qty
    picked: dict[str, int] = defaultdict(int)
    for t in tasks:
        picked[t.sku_id] += t.qty
    gaps = coverage_gaps(wanted, picked)
    reasons = [f"parcel {parcel.id}: its pick tasks take {', '.join(gaps)}"] if gaps else []
    for t in tasks if day is not None else ():
        lot, sku = session.get(StockLot, t.lot_id), session.get(Sku, t.sku_id)
        days = sku.min_remaining_days if sku else 0
        if not fefo.is_fresh_enough(lot.expiry, dispatch_on=day, min_remaining_days=days):
            reasons.append(f"parcel {parcel.id}: lot {lot.lot_no} of {t.sku_id} expires "
                           f"{lot.expiry}, less than {days} days after dispatch on {day}")
    return reasons


def _issue_parcel(session: Session, parcel: Parcel, order: Order, *, now: datetime,
                  actor: str) -> None:
    """The parcel's picked lots leave: issued from the allocation, out of `picking`."""
    for t in _live_tasks(session, parcel.id):
        stock.issue(session, lot_id=t.lot_id, qty=t.qty, now=now, reference=orders.ref(order),
                    actor=actor)
        _move(session, now=now, lot=session.get(StockLot, t.lot_id), bucket="picking",
              qty=-t.qty, reason="ship", reference=orders.ref(order), actor=actor)
        t.status = "shipped"
        session.add(t)


def _all_parcels(session: Session, order: Order, status: str) -> bool:
    return all(p.status == status for p in orders.parcels_of(session, order.id)
               if p.status != "cancelled")


@dataclass(frozen=True)
class Shipped:
    """A hand-over: how many parcels left, and each packed parcel that could not, with why."""

    count: int
    refused: list[dict]  # {"parcel_id", "reason"}


def ship(session: Session, parcels: list[Parcel], *, now: datetime, actor: str) -> Shipped:
    """Hand-over: packed parcels leave (stock issued); orders whose parcels all left ship.

    The parcels are locked and read afresh first, so two hand-overs at once ship each parcel
    once. A packed parcel whose pick tasks do not cover it stays behind, named, and the rest
    leave. Freshness was judged at picking and packing: a lot that crossed its SKU's minimum
    since (overnight) does not keep a packed parcel in the warehouse.
    """
    ids = sorted({p.id for p in parcels})
    packed = [p for p in lock_parcels(session, where=Parcel.id.in_(ids)) if p.status == "packed"]
    refused = [{"parcel_id": p.id, "reason": "; ".join(why)} for p in packed
               if (why := pick_problems(session, p, day=None))]
    stuck = {r["parcel_id"] for r in refused}
    leaving = [p for p in packed if p.id not in stuck]
    for parcel in leaving:
        order = orders.get(session, parcel.order_id, lock=True)
        _issue_parcel(session, parcel, order, now=now, actor=actor)
        parcel.status, parcel.shipped_at = "shipped", now
        session.add(parcel)
        session.flush()
        if order.status == "packed" and _all_parcels(session, order, "shipped"):
            events.transition(session, order, "shipped", now=now)
    return Shipped(len(leaving), refused)


def cancel_picks(session: Session, *, order: Order, now: datetime, actor: str) -> int:
    """An order cancelled mid-pick: its live pick tasks close (off the pick list) and their
    units leave the `picking` bucket. Returns how many tasks closed."""
    tasks = session.execute(select(PickTask).where(
        PickTask.order_id == order.id, PickTask.status.in_(LIVE_TASK))
        .order_by(PickTask.id).with_for_update()
        .execution_options(populate_existing=True)).scalars().all()
    for t in tasks:
        _move(session, now=now, lot=session.get(StockLot, t.lot_id), bucket="picking",
              qty=-t.qty, reason="cancel", reference=orders.ref(order), actor=actor)
        t.status = "cancelled"
        session.add(t)
    session.flush()
    return len(tasks)
