"""The floor's review findings: hand-overs and pick lists at once (PostgreSQL), short-dated stock
never shipped, cancel mid-pick and after a parcel left, and a lot kept to one bin."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from fulfilment import db, events, floor, intake, orders, station
from fulfilment.answers import problem_answer
from fulfilment.floor_tables import PickTask
from fulfilment.tables import Order, Parcel, ParcelLine, Wave
from inventory import store as stock
from inventory.tables import Bin, StockLot, StockMovement
from tests.builders import a_warehouse, order_body
from tests.conftest import NOW
from tests.fulfilment.floor_builders import allocated_parcel, floor_stock


def _lot(session, lot_no: str) -> StockLot:
    return session.execute(select(StockLot).where(StockLot.lot_no == lot_no)).scalars().one()


def _on_hand(session) -> dict[str, int]:
    return {lot.lot_no: lot.on_hand for lot in session.execute(select(StockLot)).scalars()}


def _picking(session) -> dict[int, int]:
    """The `picking` ledger per lot, without the lots that balance to zero."""
    rows = session.execute(select(StockMovement.lot_id, func.sum(StockMovement.qty))
                           .where(StockMovement.bucket == "picking")
                           .group_by(StockMovement.lot_id)).all()
    return {lot_id: int(q) for lot_id, q in rows if q}


def _live_task_qty(session) -> dict[int, int]:
    live: dict[int, int] = defaultdict(int)
    for t in session.execute(select(PickTask).where(PickTask.status.in_(("open", "picked")))
                             ).scalars():
        live[t.lot_id] += t.qty
    return dict(live)


def _cleared(session, parcel_id: int) -> None:
    """What customs does before the station may pack: the order declared, then cleared."""
    order = session.get(Order, session.get(Parcel, parcel_id).order_id)
    if order.status == "allocated":
        events.transition(session, order, "declared", now=NOW)
        events.transition(session, order, "cleared", now=NOW)


def _pack(session, parcel_id: int, sku: str, qty: int, st: str = "S1") -> None:
    _cleared(session, parcel_id)
    station.scan(session, station=st, user="t", code=f"P{parcel_id}", now=NOW)
    for _ in range(qty):
        out = station.scan(session, station=st, user="t", code=sku, now=NOW)
    assert out.result == "complete"


def _mark_packed(session, parcel: Parcel) -> None:
    """Packed however it got there (the station is tested on its own)."""
    parcel.status, parcel.packed_at = "packed", NOW
    session.add(parcel)
    session.flush()


def _at_once(fn) -> list[str]:
    barrier, errors = threading.Barrier(2), []

    def run(i: int) -> None:
        try:
            barrier.wait()
            fn(i)
        except Exception as exc:  # noqa: BLE001  the test reports what failed
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


# --- 1. Races on PostgreSQL -----------------------------------------------------------------

def test_two_handovers_at_once_ship_the_parcel_once(pg_factory, pg_settings):
    with db.transaction(pg_factory) as s:
        floor_stock(s, NOW)
        a = allocated_parcel(s, NOW, lines={"SERUM-30ML": 2}, settings=pg_settings)
        b = allocated_parcel(s, NOW, lines={"SERUM-30ML": 10}, settings=pg_settings)
        wave_a, wave_b, pa = a.wave_id, b.wave_id, a.id
    with db.transaction(pg_factory) as s:
        floor.create_pick_tasks(s, wave_id=wave_a, now=NOW)
        floor.create_pick_tasks(s, wave_id=wave_b, now=NOW)
    with db.transaction(pg_factory) as s:
        _pack(s, pa, "SERUM-30ML", 2)
        before = _on_hand(s)
    shipped = []

    def hand(i: int) -> None:
        with db.transaction(pg_factory) as s:
            shipped.append(floor.ship(s, floor.wave_parcels(s, wave_id=wave_a), now=NOW,
                                      actor=f"h{i}").count)

    assert _at_once(hand) == []
    assert sorted(shipped) == [0, 1]
    with db.transaction(pg_factory) as s:
        after = _on_hand(s)
        assert sum(before[n] - after[n] for n in before) == 2
        assert stock.ledger_problems(s) == []
        assert _picking(s) == _live_task_qty(s)  # b's picks are still there, a's are gone


def test_two_pick_lists_at_once_make_the_tasks_once(pg_factory, pg_settings):
    with db.transaction(pg_factory) as s:
        floor_stock(s, NOW)
        # CREAM's wave allocation already is the FEFO lot: no retarget to trip over
        p = allocated_parcel(s, NOW, lines={"CREAM-50G": 3}, settings=pg_settings)
        wave_id = p.wave_id

    def pick_list(i: int) -> None:
        with db.transaction(pg_factory) as s:
            floor.pick_list(s, wave_id=wave_id, warehouse="NGB", now=NOW)

    assert _at_once(pick_list) == []
    with db.transaction(pg_factory) as s:
        tasks = s.execute(select(PickTask)).scalars().all()
        assert [(t.qty, t.status) for t in tasks] == [(3, "open")]
        assert _picking(s) == {tasks[0].lot_id: 3}
        plist = floor.pick_list(s, wave_id=wave_id, warehouse="NGB", now=NOW)
        assert [(ln.lot, ln.qty) for ln in plist.lines] == [("C-1", 3)]


def test_handover_reads_the_parcel_afresh(session_factory, settings):
    """A hand-over holding a stale copy of a parcel another hand-over shipped ships nothing."""
    with db.transaction(session_factory) as s:
        floor_stock(s, NOW)
        p = allocated_parcel(s, NOW, lines={"SERUM-30ML": 2}, settings=settings)
        floor.create_pick_tasks(s, wave_id=p.wave_id, now=NOW)
        _pack(s, p.id, "SERUM-30ML", 2)
        wave_id = p.wave_id
    with session_factory() as stale:
        with stale.begin():  # the copy a slow hand-over read a moment ago
            parcels = floor.wave_parcels(stale, wave_id=wave_id)
        assert [x.status for x in parcels] == ["packed"]
        with db.transaction(session_factory) as s:
            assert floor.ship(s, floor.wave_parcels(s, wave_id=wave_id), now=NOW,
                              actor="a").count == 1
        with stale.begin():
            assert floor.ship(stale, parcels, now=NOW, actor="b").count == 0
    with session_factory() as s:
        assert _on_hand(s) == {"S-OLD": 5, "S-MID": 0, "S-NEW": 20, "C-1": 10}
        assert stock.ledger_problems(s) == []


# --- 2. Short-dated stock never ships -------------------------------------------------------

def _shipped_lots(session) -> list[str]:
    return [n for (n,) in session.execute(select(StockLot.lot_no).join(
        StockMovement, StockMovement.lot_id == StockLot.id).where(
        StockMovement.reason == "ship", StockMovement.bucket == "on_hand"))]


def test_a_packed_parcel_without_pick_tasks_stays_behind_and_the_rest_leave(session, settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 2}, settings=settings)
    assert _lot(session, "S-OLD").allocated == 2  # the wave's allocation: too short-dated
    _mark_packed(session, parcel)
    other = allocated_parcel(session, NOW, lines={"CREAM-50G": 1}, settings=settings,
                             wave=session.get(Wave, parcel.wave_id))
    floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=NOW)
    _pack(session, other.id, "CREAM-50G", 1)
    shipped = floor.ship(session, floor.wave_parcels(session, wave_id=parcel.wave_id), now=NOW,
                         actor="t")
    assert shipped.count == 1 and [r["parcel_id"] for r in shipped.refused] == [parcel.id]
    assert f"parcel {parcel.id} has no pick tasks" in shipped.refused[0]["reason"]
    assert session.get(Parcel, parcel.id).status == "packed"
    assert session.get(Parcel, other.id).status == "shipped"
    assert _lot(session, "S-OLD").on_hand == 5  # nothing issued for the one left behind


def test_a_parcel_short_of_fresh_stock_is_not_handed_over(session, settings):
    floor_stock(session, NOW)
    # 23 SERUM: the fresh lots hold 22; S-OLD's 5 are too short-dated
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 23}, settings=settings)
    report = floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=NOW)
    assert report.short == [{"parcel_id": parcel.id, "sku": "SERUM-30ML", "short": 1}]
    _mark_packed(session, parcel)
    shipped = floor.ship(session, floor.wave_parcels(session, wave_id=parcel.wave_id), now=NOW,
                         actor="t")
    assert shipped.count == 0 and f"parcel {parcel.id}" in shipped.refused[0]["reason"]
    assert _shipped_lots(session) == [] and session.get(Parcel, parcel.id).status == "packed"


def test_a_packed_parcel_whose_lot_crossed_its_minimum_overnight_still_leaves(session,
                                                                              settings):
    """Freshness is judged at picking and packing; the next morning's hand-over does not keep
    a packed parcel (and with it nothing else) in the warehouse."""
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 4}, settings=settings)
    floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=NOW)  # S-NEW 2, S-MID 2
    _pack(session, parcel.id, "SERUM-30ML", 4)
    later = datetime(2027, 4, 20, 2, 0, tzinfo=UTC)  # S-MID (2027-06-30) has < 90 days left
    assert floor.ship(session, [parcel], now=later, actor="t").count == 1
    assert session.get(Parcel, parcel.id).status == "shipped"


def test_pick_tasks_job_logs_short_parcels(session, session_factory, settings, caplog):
    floor._SAID_SHORT.clear()  # what this process said for other tests' databases
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 23}, settings=settings)
    session.commit()
    with caplog.at_level(logging.WARNING, logger="fulfilment.floor"):
        assert floor.pick_tasks_job(session_factory, settings, now=NOW) == 0
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == [f"parcel {parcel.id} of wave {parcel.wave_id} has no pick tasks: "
                      "1 short of SERUM-30ML fresh enough to ship"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="fulfilment.floor"):
        assert floor.pick_tasks_job(session_factory, settings, now=NOW) == 0  # retried
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []  # said once


# --- 3. Cancelling mid-pick -----------------------------------------------------------------

def test_cancel_mid_pick_closes_the_pick_tasks(session, settings):
    floor_stock(session, NOW)
    a = allocated_parcel(session, NOW, lines={"SERUM-30ML": 4}, settings=settings)
    b = allocated_parcel(session, NOW, lines={"CREAM-50G": 1}, settings=settings,
                         wave=session.get(Wave, a.wave_id))
    floor.create_pick_tasks(session, wave_id=a.wave_id, now=NOW)
    _cleared(session, a.id)
    station.scan(session, station="S1", user="t", code=f"P{a.id}", now=NOW)
    assert station.scan(session, station="S1", user="t", code="SERUM-30ML", now=NOW).result == "ok"
    orders.cancel(session, order_id=a.order_id, now=NOW)
    statuses = {t.parcel_id: t.status for t in session.execute(select(PickTask)).scalars()}
    assert statuses == {a.id: "cancelled", b.id: "open"}
    assert {t.parcel_id for t in floor.tasks_of(session, wave_id=a.wave_id)} == {b.id}
    plist = floor.pick_list(session, wave_id=a.wave_id, warehouse="NGB", now=NOW)
    assert [(ln.sku, ln.qty) for ln in plist.lines] == [("CREAM-50G", 1)]
    assert _picking(session) == _live_task_qty(session) == {_lot(session, "C-1").id: 1}
    assert _lot(session, "S-NEW").allocated == 0 and _lot(session, "S-MID").allocated == 0
    assert stock.available(session, "SERUM-30ML") == 27
    assert stock.ledger_problems(session) == []


# --- 4. No cancel once a parcel is packed or shipped ----------------------------------------

def _two_parcel_order(session, settings) -> tuple[Order, Wave, list[Parcel]]:
    """SERUM 2 from NGB and CREAM 1 from HGH, one order, one wave."""
    a_warehouse(session, "HGH")
    floor.putaway(session, warehouse="HGH", sku="CREAM-50G", lot_no="H-1", bin_code="H-01",
                  qty=5, expiry=date(2028, 1, 1), now=NOW, actor="t")
    body = order_body("SERUM-30ML", 1)
    split = [("SERUM-30ML", 2, "NGB"), ("CREAM-50G", 1, "HGH")]
    body["lines"] = [{"sku": sku, "qty": q, "unit_price": "10.00"} for sku, q, _ in split]
    order, _ = orders.place(session, order=intake.parse(body), settings=settings, now=NOW)
    wave = Wave(status="optimal", hub="NGB", started_at=NOW)
    session.add(wave)
    session.flush()
    parcels = []
    for i, (sku, qty, wh) in enumerate(split, 1):
        parcel = Parcel(order_id=order.id, wave_id=wave.id, warehouse_id=wh, courier_id="SF",
                        index=i, count=2, weight_g=420, shipping_fen=1200, tax_fen=0,
                        created_at=NOW)
        session.add(parcel)
        session.flush()
        session.add(ParcelLine(parcel_id=parcel.id, sku_id=sku, qty=qty))
        stock.allocate(session, warehouse=wh, sku=sku, qty=qty, now=NOW,
                       reference=orders.ref(order), dispatch_on=NOW.date())
        parcels.append(parcel)
    events.transition(session, order, "allocated", now=NOW)
    session.flush()
    return order, wave, parcels


def test_cancel_refused_once_a_parcel_was_handed_over(session, settings):
    floor_stock(session, NOW)
    order, wave, (first, second) = _two_parcel_order(session, settings)
    floor.create_pick_tasks(session, wave_id=wave.id, now=NOW)
    _pack(session, first.id, "SERUM-30ML", 2)
    assert floor.ship(session, [first], now=NOW, actor="t").count == 1
    assert session.get(Order, order.id).status == "picked"  # the HGH parcel is still to pack
    with pytest.raises(ValueError) as refused:  # orders.NotCancellable
        orders.cancel(session, order_id=order.id, now=NOW)
    status, body = problem_answer(refused.value)
    assert status == 409 and body["error"] == "not_cancellable"
    assert body["detail"] == [{"field": "status", "reason": f"parcel {first.id} is shipped: "
                               "an order can be cancelled only until it is packed"}]
    assert session.get(Parcel, first.id).status == "shipped"  # refused before any change
    assert session.get(Order, order.id).status == "picked"


def test_cancel_refused_once_a_parcel_is_packed(session, settings):
    floor_stock(session, NOW)
    order, wave, (first, second) = _two_parcel_order(session, settings)
    floor.create_pick_tasks(session, wave_id=wave.id, now=NOW)
    _pack(session, first.id, "SERUM-30ML", 2)
    with pytest.raises(ValueError, match="parcel .* is packed"):
        orders.cancel(session, order_id=order.id, now=NOW)


def test_cancel_before_packing_still_cancels_every_parcel(session, settings):
    floor_stock(session, NOW)
    order, wave, parcels = _two_parcel_order(session, settings)
    floor.create_pick_tasks(session, wave_id=wave.id, now=NOW)
    orders.cancel(session, order_id=order.id, now=NOW)
    assert [session.get(Parcel, p.id).status for p in parcels] == ["cancelled", "cancelled"]
    assert _picking(session) == {} and stock.ledger_problems(session) == []


# --- 5. A lot has one bin -------------------------------------------------------------------

def test_putaway_refuses_more_of_a_lot_into_a_second_bin(session):
    floor_stock(session, NOW)
    with pytest.raises(floor.FloorError) as refused:
        floor.putaway(session, warehouse="NGB", sku="CREAM-50G", lot_no="C-1", bin_code="F-01",
                      walk_order=60, qty=4, expiry=date(2027, 12, 31), now=NOW, actor="t")
    status, body = problem_answer(refused.value)
    assert status == 409 and body["detail"][0]["field"] == "bin"
    assert "D-01" in body["detail"][0]["reason"] and "new lot" in body["detail"][0]["reason"]
    lot = _lot(session, "C-1")  # refused before any change
    assert session.get(Bin, lot.bin_id).code == "D-01" and lot.on_hand == 10


def test_putaway_of_more_into_the_lots_own_bin_or_a_move_still_works(session):
    floor_stock(session, NOW)
    lot = floor.putaway(session, warehouse="NGB", sku="CREAM-50G", lot_no="C-1",
                        bin_code="D-01", qty=4, now=NOW, actor="t")
    assert lot.on_hand == 14 and session.get(Bin, lot.bin_id).code == "D-01"
    moved = floor.putaway(session, warehouse="NGB", sku="CREAM-50G", lot_no="C-1",
                          bin_code="F-01", now=NOW, actor="t")  # the whole lot moves
    assert moved.on_hand == 14 and session.get(Bin, moved.bin_id).code == "F-01"
    assert stock.ledger_problems(session) == []


def test_cancelling_a_packed_order_is_not_cancellable_not_an_illegal_transition(session,
                                                                              settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"CREAM-50G": 1}, settings=settings)
    floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=NOW)
    _pack(session, parcel.id, "CREAM-50G", 1)
    assert session.get(Order, parcel.order_id).status == "packed"
    with pytest.raises(orders.NotCancellable) as refused:
        orders.cancel(session, order_id=parcel.order_id, now=NOW)
    status, body = problem_answer(refused.value)
    assert status == 409 and body["error"] == "not_cancellable"
    assert body["detail"][0]["reason"] == (f"parcel {parcel.id} is packed: an order can be "
                                           "cancelled only until it is packed")
