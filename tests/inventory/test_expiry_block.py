"""Stock too short-dated to ship is never promised: written off by a job, never allocated."""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from fulfilment import db, jobs, scheduler
from inventory import fefo_alloc
from inventory import store as stock
from inventory.errors import OutOfStock, StockConflict
from inventory.tables import Availability, StockLot, StockMovement
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW

TODAY = date(2026, 11, 22)  # NOW's day in Shanghai
EXPIRED = date(2026, 11, 1)
FRESH = date(2028, 1, 1)


def lots(session, *specs: tuple[str, int, date | None], sku: str = "SERUM-30ML",
         min_remaining_days: int = 0, warehouse: str = "NGB") -> dict[str, int]:
    """Receive (lot, qty, expiry) lots of one SKU; committed. Returns lot ids by lot number."""
    a_warehouse(session, warehouse)
    a_sku(session, sku, min_remaining_days=min_remaining_days)
    ids = {lot_no: stock.receive(session, warehouse=warehouse, sku=sku, lot_no=lot_no, qty=qty,
                                 expiry=expiry, now=NOW, reference="test").id
           for lot_no, qty, expiry in specs}
    session.commit()
    return ids


def availability(factory, sku: str = "SERUM-30ML") -> tuple[int, int]:
    with factory() as s:
        row = s.get(Availability, sku)
        return row.sellable, row.reserved


def write_off(factory, settings) -> int:
    return jobs.write_off_short_dated(factory, settings, now=NOW)


def test_expired_lot_stops_counting_as_sellable(session_factory, settings, session):
    ids = lots(session, ("OLD", 3, EXPIRED), ("NEW", 5, FRESH))
    assert availability(session_factory) == (8, 0)
    assert write_off(session_factory, settings) == 3
    assert availability(session_factory) == (5, 0)
    with session_factory() as s:
        assert s.get(StockLot, ids["OLD"]).on_hand == 0
        assert s.get(StockLot, ids["NEW"]).on_hand == 5
        moves = s.execute(select(StockMovement.bucket, StockMovement.qty).where(
            StockMovement.reason == "expiry")).all()
        assert sorted(moves) == [("on_hand", -3), ("sellable", -3)]
        assert stock.ledger_problems(s) == []


def test_lot_short_of_min_remaining_days_is_written_off_too(session_factory, settings, session):
    ids = lots(session, ("SHORT", 4, TODAY + timedelta(days=29)),
               ("EDGE", 6, TODAY + timedelta(days=30)), ("NONE", 2, None),
               min_remaining_days=30)
    assert write_off(session_factory, settings) == 4
    assert availability(session_factory) == (8, 0)
    with session_factory() as s:
        assert {n: s.get(StockLot, i).on_hand for n, i in ids.items()} == \
            {"SHORT": 0, "EDGE": 6, "NONE": 2}


def test_running_twice_writes_off_nothing_more(session_factory, settings, session):
    lots(session, ("OLD", 3, EXPIRED), ("NEW", 5, FRESH))
    assert write_off(session_factory, settings) == 3
    with session_factory() as s:
        before = s.execute(select(func.count()).select_from(StockMovement)).scalar_one()
    assert write_off(session_factory, settings) == 0
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(StockMovement)).scalar_one() == before
    assert availability(session_factory) == (5, 0)


def test_allocated_units_of_an_expired_lot_are_left_to_their_parcel(session_factory, settings,
                                                                   session):
    ids = lots(session, ("OLD", 5, EXPIRED))
    with db.transaction(session_factory) as s:  # allocated while it was still fresh
        stock.reserve(s, lines={"SERUM-30ML": 2}, now=NOW, reference="order:1")
        stock.allocate(s, warehouse="NGB", sku="SERUM-30ML", qty=2, now=NOW,
                       reference="order:1", dispatch_on=EXPIRED - timedelta(days=30))
    assert write_off(session_factory, settings) == 3
    with session_factory() as s:
        lot = s.get(StockLot, ids["OLD"])
        assert (lot.on_hand, lot.allocated) == (2, 2)
        assert stock.ledger_problems(s) == []
    assert availability(session_factory) == (0, 0)


def test_reserved_units_are_never_written_off_below_the_promise(session_factory, settings,
                                                                session, caplog):
    reserved_units_stay_promised(session_factory, settings, caplog)


def test_reserved_units_stay_promised_on_postgresql(pg_factory, pg_settings, caplog):
    reserved_units_stay_promised(pg_factory, pg_settings, caplog)


def reserved_units_stay_promised(session_factory, settings, caplog) -> None:
    with session_factory() as session:
        lots(session, ("OLD", 3, EXPIRED), ("NEW", 2, FRESH))
    with db.transaction(session_factory) as s:
        stock.reserve(s, lines={"SERUM-30ML": 4}, now=NOW, reference="order:1")
    with caplog.at_level(logging.WARNING, logger="fulfilment.jobs"):
        assert write_off(session_factory, settings) == 1  # sellable 5, reserved 4: one is free
    assert availability(session_factory) == (4, 4)  # reserved <= sellable still, nothing free
    assert "SERUM-30ML" in caplog.text and "2" in caplog.text  # 2 reserved units lack stock
    assert write_off(session_factory, settings) == 0
    with db.transaction(session_factory) as s:  # the order is cancelled: the rest goes
        stock.release(s, lines={"SERUM-30ML": 4}, now=NOW, reference="order:1")
    assert write_off(session_factory, settings) == 2
    assert availability(session_factory) == (2, 0)
    with session_factory() as s:
        assert stock.ledger_problems(s) == []


def test_intake_after_the_write_off_is_told_no(session_factory, settings, session):
    lots(session, ("OLD", 3, EXPIRED), ("NEW", 2, FRESH))
    write_off(session_factory, settings)
    with session_factory() as s, pytest.raises(OutOfStock) as err:
        stock.reserve(s, lines={"SERUM-30ML": 3}, now=NOW, reference="order:1")
    assert err.value.short == [{"sku": "SERUM-30ML", "requested": 3, "available": 2}]


def test_the_job_is_in_the_scheduler_table(settings, session_factory):
    ids = [job.id for job in scheduler.build_scheduler(settings, session_factory).get_jobs()]
    assert "short-dated-write-off" in ids


def test_allocation_skips_an_expired_lot(session_factory, session):
    ids = lots(session, ("OLD", 3, EXPIRED), ("NEW", 5, FRESH))
    with db.transaction(session_factory) as s:
        stock.reserve(s, lines={"SERUM-30ML": 4}, now=NOW, reference="order:1")
        takes = stock.allocate(s, warehouse="NGB", sku="SERUM-30ML", qty=4, now=NOW,
                               reference="order:1", dispatch_on=TODAY)
    assert takes == [(ids["NEW"], 4)]


def test_allocation_refuses_when_only_expired_stock_is_left(session_factory, session):
    lots(session, ("OLD", 3, EXPIRED), ("NEW", 1, FRESH))
    with session_factory() as s:
        stock.reserve(s, lines={"SERUM-30ML": 2}, now=NOW, reference="order:1")
        with pytest.raises(StockConflict):
            stock.allocate(s, warehouse="NGB", sku="SERUM-30ML", qty=2, now=NOW,
                           reference="order:1", dispatch_on=TODAY)


def test_free_stock_for_a_wave_leaves_out_short_dated_lots(session):
    lots(session, ("SHORT", 4, TODAY + timedelta(days=9)), ("NEW", 5, FRESH),
         min_remaining_days=10)
    lots(session, ("ZOLD", 7, EXPIRED), warehouse="ZZ")
    assert stock.free_stock(session, on=TODAY) == {("NGB", "SERUM-30ML"): 5}


def test_pure_allocation_never_takes_a_lot_short_of_shelf_life():
    free = [(1, 5, date(2026, 11, 30)), (2, 5, date(2027, 6, 1)), (3, 5, None)]
    assert fefo_alloc.take(free, 7, dispatch_on=TODAY, min_remaining_days=10) == [(2, 5), (3, 2)]
    assert fefo_alloc.take(free, 11, dispatch_on=TODAY, min_remaining_days=10) is None
    assert fefo_alloc.take(free, 7, dispatch_on=TODAY) == [(1, 5), (2, 2)]


def test_intake_racing_the_write_off_waits_and_is_told_no_on_postgresql(pg_factory,
                                                                      pg_settings):
    with pg_factory() as session:
        lots(session, ("OLD", 3, EXPIRED), ("NEW", 2, FRESH))
    outcome: list[object] = []

    def order_five() -> None:
        try:
            with db.transaction(pg_factory) as s:
                stock.reserve(s, lines={"SERUM-30ML": 5}, now=NOW, reference="order:1")
            outcome.append("reserved")
        except OutOfStock as exc:
            outcome.append(exc.short)

    with pg_factory() as writer, writer.begin():
        assert stock.write_off_short_dated(writer, sku="SERUM-30ML", on=TODAY, now=NOW) == (3, 0)
        racer = threading.Thread(target=order_five)
        racer.start()
        racer.join(0.5)
        assert racer.is_alive()  # waits on the availability row the write-off holds
    racer.join(10)
    assert outcome == [[{"sku": "SERUM-30ML", "requested": 5, "available": 2}]]
    assert availability(pg_factory) == (2, 0)
