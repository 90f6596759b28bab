"""A wave never allocates stock too short-dated to ship; availability stops promising it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from fulfilment import db, jobs, orders, waves
from fulfilment.tables import Wave
from inventory import store as stock
from inventory.tables import StockLot
from tests.builders import stocked
from tests.conftest import NOW
from tests.fulfilment.wave_builders import network, paid_order

FAST = {"time_limit_s": 5.0, "workers": 1}
EXPIRED = date(2026, 11, 1)  # three weeks before NOW


def run(factory) -> Wave:
    with db.transaction(factory) as s:
        row = waves.run_wave(s, now=NOW, **FAST)
        s.flush()
        s.expunge(row)
    return row


def allocated_by_lot(factory) -> dict[str, int]:
    with factory() as s:
        return {f"{lot.warehouse_id}/{lot.lot_no}": lot.allocated
                for lot in s.execute(select(StockLot)).scalars()}


def test_wave_takes_the_fresh_lot_not_the_expired_one(session_factory, settings):
    fresh_lot_taken(session_factory, settings)


def test_wave_takes_the_fresh_lot_on_postgresql(pg_factory, pg_settings):
    fresh_lot_taken(pg_factory, pg_settings)


def fresh_lot_taken(session_factory, settings) -> None:
    network(session_factory, NOW, ngb=2, zz=10)
    with session_factory() as s:  # an older lot at the cheaper warehouse, already expired
        stocked(s, NOW, warehouse="NGB", qty=5, lot="OLD", expiry=EXPIRED)
    order_id = paid_order(session_factory, settings, NOW, qty=1)
    row = run(session_factory)
    assert row.status != "failed"
    with session_factory() as s:
        assert orders.get(s, order_id).status == "allocated"
        assert stock.ledger_problems(s) == []
    got = allocated_by_lot(session_factory)
    assert got["NGB/OLD"] == 0
    assert got["NGB/N1"] == 1


def test_wave_leaves_units_unfulfilled_rather_than_allocate_expired_stock(session_factory,
                                                                         settings):
    network(session_factory, NOW, ngb=2, zz=1)
    with session_factory() as s:
        stocked(s, NOW, warehouse="NGB", qty=10, lot="OLD", expiry=EXPIRED)
    order_id = paid_order(session_factory, settings, NOW, qty=5)  # 3 fresh in the network
    row = run(session_factory)
    assert row.status != "failed" and row.unfulfilled_units == 5
    with session_factory() as s:
        assert orders.get(s, order_id).status == "reserved"  # waits for fresh stock
    assert allocated_by_lot(session_factory)["NGB/OLD"] == 0


def test_availability_api_stops_counting_expired_stock(session_factory, settings, client,
                                                       headers):
    with session_factory() as s:
        stocked(s, NOW, warehouse="NGB", qty=4, lot="NEW")
        stocked(s, NOW, warehouse="NGB", qty=3, lot="OLD", expiry=EXPIRED)
    assert jobs.write_off_short_dated(session_factory, settings, now=NOW) == 3
    got = client.get("/inventory/availability", params={"sku": "SERUM-30ML"},
                     headers=headers("order-service"))
    assert got.json() == {"sku": "SERUM-30ML", "sellable": 4, "reserved": 0, "available": 4}
