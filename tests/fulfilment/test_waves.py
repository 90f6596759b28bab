"""Allocation waves over the database: one transaction, ledger moves, orders that wait."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from fulfilment import db, orders, waves
from fulfilment.tables import Parcel, ParcelLine, Wave
from inventory import store as stock
from inventory.tables import Availability, StockLot
from routing import store as rate_cards
from tests.builders import stocked
from tests.conftest import NOW
from tests.fulfilment.wave_builders import network, paid_order

FAST = {"time_limit_s": 5.0, "workers": 1}


def run(factory, **kw) -> Wave:
    with db.transaction(factory) as s:
        row = waves.run_wave(s, now=NOW, **FAST, **kw)
        s.flush()
        s.expunge(row)
    return row


def wave_end_to_end(factory, settings):
    network(factory, NOW, ngb=2, zz=10)
    ids = [paid_order(factory, settings, NOW, qty=q) for q in (1, 1, 2)]
    row = run(factory)
    assert row.status == "optimal" and row.orders_count == 3
    with factory() as s:
        assert [orders.get(s, i).status for i in ids] == ["allocated"] * 3
        parcels = s.execute(select(Parcel)).scalars().all()
        assert {p.warehouse_id for p in parcels} == {"NGB", "ZZ"}  # NGB holds only two
        assert s.execute(select(func.sum(ParcelLine.qty))).scalar_one() == 4
        assert s.execute(select(func.sum(StockLot.allocated))).scalar_one() == 4
        assert s.get(Availability, "SERUM-30ML").reserved == 0
        assert stock.ledger_problems(s) == []
        view = waves.view(s.get(Wave, row.id))
        assert view["cost"]["total"] == float(view["objective"])
        assert float(view["baseline_objective"]) >= float(view["objective"])
    return ids


def test_wave_allocates_orders_and_moves_the_ledger(session_factory, settings):
    wave_end_to_end(session_factory, settings)


def test_wave_on_postgresql(pg_factory, pg_settings):
    wave_end_to_end(pg_factory, pg_settings)


def test_orders_without_a_lane_stay_reserved(session_factory, settings):
    network(session_factory, NOW)
    with db.transaction(session_factory) as s:
        for lane in s.execute(select(rate_cards.LaneRow)).scalars():
            s.delete(lane)
    order_id = paid_order(session_factory, settings, NOW)
    row = run(session_factory)
    assert row.parcels_count == 0 and row.unfulfilled_units == 1
    with session_factory() as s:
        assert orders.get(s, order_id).status == "reserved"
        assert s.get(Availability, "SERUM-30ML").reserved == 1


def test_daily_courier_capacity_carries_across_waves(session_factory, settings):
    network(session_factory, NOW, capacity=1)
    ids = [paid_order(session_factory, settings, NOW) for _ in range(3)]
    first = run(session_factory)
    second = run(session_factory)
    assert first.parcels_count == 2  # one pick-up left per courier today
    assert second.parcels_count == 0
    with session_factory() as s:
        assert sorted(orders.get(s, i).status for i in ids) == ["allocated", "allocated",
                                                                 "reserved"]


def test_solver_failure_mid_wave_changes_nothing(session_factory, settings):
    network(session_factory, NOW)
    order_id = paid_order(session_factory, settings, NOW)

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    with pytest.raises(RuntimeError), db.transaction(session_factory) as s:
        waves.run_wave(s, now=NOW, solve=broken)
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(Wave)).scalar_one() == 0
        assert orders.get(s, order_id).status == "reserved"
        assert s.execute(select(func.sum(StockLot.allocated))).scalar_one() == 0


def test_failure_while_persisting_rolls_back_and_the_job_records_it(session_factory, settings,
                                                                    monkeypatch):
    network(session_factory, NOW)
    order_id = paid_order(session_factory, settings, NOW)

    def failing_allocate(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(waves.stock, "allocate", failing_allocate)
    assert waves.wave_job(session_factory, settings, now=NOW) == 0
    with session_factory() as s:
        rows = s.execute(select(Wave)).scalars().all()
        assert [r.status for r in rows] == ["failed"] and "disk full" in rows[0].error
        assert s.execute(select(func.count()).select_from(Parcel)).scalar_one() == 0
        assert orders.get(s, order_id).status == "reserved"


def test_order_allocation_explains_cost_and_greedy_shadow(session_factory, settings):
    network(session_factory, NOW, ngb=1, zz=10)
    ids = [paid_order(session_factory, settings, NOW) for _ in range(2)]
    run(session_factory)
    with session_factory() as s:
        body = waves.order_allocation(s, ids[0])
    assert body["status"] == "allocated" and body["parcels"][0]["cost"]["shipping"]
    assert set(body["shadow"]) >= {"parcels", "total"}
    json.dumps(body)


def test_empty_wave(session_factory):
    row = run(session_factory)
    assert row.status == "empty" and row.orders_count == 0


def test_job_counts_parcels(session_factory, settings):
    network(session_factory, NOW)
    paid_order(session_factory, settings, NOW)
    assert waves.wave_job(session_factory, settings, now=NOW) == 1


def test_an_order_served_in_part_waits_whole_and_its_parcels_cost_nothing(session_factory,
                                                                          settings):
    """CREAM is held only where no lane reaches the buyer: the solver ships the serum and
    leaves the cream; the order waits whole, so the wave's cost shows no parcel, only the two
    units unfulfilled."""
    network(session_factory, NOW)
    with session_factory() as s:
        stocked(s, NOW, warehouse="XX", sku="CREAM-50G", qty=3, lot="X1")
    order_id = paid_order(session_factory, settings, NOW, lines=[
        {"sku": "SERUM-30ML", "qty": 1, "unit_price": "199.00"},
        {"sku": "CREAM-50G", "qty": 1, "unit_price": "99.00"}])
    row = run(session_factory)
    assert row.parcels_count == 0 and row.unfulfilled_units == 2
    with session_factory() as s:
        assert orders.get(s, order_id).status == "reserved"
        view = waves.view(s.get(Wave, row.id))
    assert view["cost"]["shipping"] == 0 and view["cost"]["tax"] == 0
    assert view["cost"]["unfulfilled"] == 2 * waves.PENALTIES["unfulfilled_unit"]
    assert float(view["objective"]) == view["cost"]["total"]
    assert float(view["lower_bound"]) <= float(view["objective"])


def test_a_greedy_wave_says_why_in_its_record(session_factory, settings):
    """The solver's note (here: too little time for any model) is kept with the wave, so the
    floor can see why a wave cost more than it might have."""
    import routing

    network(session_factory, NOW)
    paid_order(session_factory, settings, NOW)

    def hurried(wave, **kw):  # noqa: ANN001, ANN202
        return routing.solve(wave, **{**kw, "time_limit_s": 1e-6})

    row = run(session_factory, solve=hurried)
    assert row.status == "baseline" and row.parcels_count == 1
    assert row.error and "s left" in row.error
