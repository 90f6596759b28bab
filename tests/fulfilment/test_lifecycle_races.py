"""Order lifecycle under concurrency: a cancel during a wave's solve, a payment during expiry,
one failing expiry among many, quota held at allocation, and ids too large for the database."""

from __future__ import annotations

import threading
from datetime import timedelta

import routing
from customs.tables import CustomsQuotaHold
from fulfilment import db, jobs, orders, waves
from fulfilment.tables import Parcel
from inventory import store as stock
from inventory.tables import Availability, StockLot
from tests.builders import stocked
from tests.conftest import NOW
from tests.fulfilment.test_jobs import _place
from tests.fulfilment.wave_builders import network, paid_order

FAST = {"time_limit_s": 5.0, "workers": 1}
PAYMENT = {"payer_name": "李小红", "payer_id_number": "11010519491231002X"}


def _cancel_during_solve(factory, order_id: int, *, elsewhere: bool):
    """A solver that lets the order service cancel `order_id` while it runs: in its own
    transaction (`elsewhere`, PostgreSQL) or in the wave's session (SQLite has one writer)."""

    def solve(problem, **kw):
        if elsewhere:
            done = threading.Thread(target=lambda: _cancel(factory, order_id))
            done.start()
            done.join(30)
        return routing.solve(problem, **kw)

    return solve


def _cancel(factory, order_id: int) -> None:
    with db.transaction(factory) as s:
        orders.cancel(s, order_id=order_id, now=NOW)


def _after_wave(factory, cancelled: int, kept: int) -> None:
    with factory() as s:
        assert orders.get(s, cancelled).status == "cancelled"
        assert orders.get(s, kept).status == "allocated"
        assert [p.order_id for p in s.query(Parcel).all()] == [kept]
        assert sum(lot.allocated for lot in s.query(StockLot).all()) == 1
        assert s.get(Availability, "SERUM-30ML").reserved == 0
        assert stock.ledger_problems(s) == []


def test_an_order_cancelled_while_the_solver_runs_is_not_allocated_pg(pg_factory, pg_settings):
    network(pg_factory, NOW, ngb=5, zz=5)
    gone = paid_order(pg_factory, pg_settings, NOW)
    kept = paid_order(pg_factory, pg_settings, NOW)
    with db.transaction(pg_factory) as s:
        row = waves.run_wave(s, now=NOW, **FAST,
                             solve=_cancel_during_solve(pg_factory, gone, elsewhere=True))
        assert row.parcels_count == 1 and row.unfulfilled_units == 0
    _after_wave(pg_factory, gone, kept)


def test_an_order_cancelled_before_the_wave_persists_is_skipped(session_factory, settings):
    network(session_factory, NOW, ngb=5, zz=5)
    gone = paid_order(session_factory, settings, NOW)
    kept = paid_order(session_factory, settings, NOW)
    with db.transaction(session_factory) as s:

        def solve(problem, **kw):
            orders.cancel(s, order_id=gone, now=NOW)
            s.expire_all()  # the wave's copy of the order is stale until read again
            return routing.solve(problem, **kw)

        waves.run_wave(s, now=NOW, **FAST, solve=solve)
    _after_wave(session_factory, gone, kept)


def test_expiry_leaves_an_order_paid_after_it_was_listed(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    body = _place(session_factory, settings, qty=1)
    later = NOW + timedelta(minutes=settings.reservation_ttl_minutes + 1)
    with session_factory() as s:
        assert orders.expired_unpaid(s, now=later) == [body["id"]]
    with db.transaction(session_factory) as s:  # paid in time, confirmed late
        orders.confirm_payment(s, order_id=body["id"], settings=settings, now=later, payment={
            **PAYMENT, "transaction_id": "T-LATE", "amount": body["total"],
            "paid_at": NOW.isoformat()})
    with db.transaction(session_factory) as s:
        assert orders.expire(s, order_id=body["id"], now=later) is False
    with session_factory() as s:
        order = orders.get(s, body["id"])
        assert order.status == "reserved" and order.paid_at is not None
        assert s.get(Availability, "SERUM-30ML").reserved == 1


def test_one_failing_expiry_does_not_undo_the_others(session_factory, settings, session,
                                                     monkeypatch, caplog):
    stocked(session, NOW, qty=9)
    ids = [_place(session_factory, settings, qty=1)["id"] for _ in range(5)]
    real = orders.cancel

    def cancel(session, *, order_id, **kw):
        if order_id == ids[1]:
            raise RuntimeError("disk full")
        return real(session, order_id=order_id, **kw)

    monkeypatch.setattr(orders, "cancel", cancel)
    later = NOW + timedelta(minutes=settings.reservation_ttl_minutes + 1)
    assert jobs.expire_reservations(session_factory, settings, now=later, batch=2) == 4
    with session_factory() as s:
        assert [orders.get(s, i).status for i in ids] == ["cancelled", "reserved", "cancelled",
                                                         "cancelled", "cancelled"]
        assert s.get(Availability, "SERUM-30ML").reserved == 1
    assert f"expiring order {ids[1]} failed" in caplog.text


def test_cancelling_an_allocated_undeclared_order_gives_its_quota_back(session_factory,
                                                                         settings):
    network(session_factory, NOW, ngb=5, zz=5)
    order_id = paid_order(session_factory, settings, NOW)
    with db.transaction(session_factory) as s:
        waves.run_wave(s, now=NOW, **FAST)
    with session_factory() as s:
        assert orders.get(s, order_id).status == "allocated"
        assert [h.status for h in s.query(CustomsQuotaHold).all()] == ["held"]
    _cancel(session_factory, order_id)
    with session_factory() as s:
        assert [h.status for h in s.query(CustomsQuotaHold).all()] == ["released"]
        from customs.tables import CustomsQuota

        assert [q.held_fen for q in s.query(CustomsQuota).all()] == [0]


def test_ids_beyond_64_bits_are_422s_naming_the_field(client, headers, session_factory,
                                                      settings):
    h = headers("order-service")
    for path in (f"/orders/{2**63}", f"/orders/{2**63}/allocation",
                 f"/allocations/waves/{2**64}"):
        res = client.get(path, headers=h)
        assert res.status_code == 422, (path, res.text)
        assert "order_id" in res.text or "wave_id" in res.text
    res = client.post("/handover", json={"wave_id": 2**63}, headers=headers("warehouse"))
    assert res.status_code == 422 and "wave_id" in res.text


def test_a_transaction_id_wider_than_its_column_is_refused(client, headers, session_factory,
                                                           settings, session):
    stocked(session, NOW, qty=2)
    body = _place(session_factory, settings, qty=1)
    res = client.post(f"/orders/{body['id']}/payment", headers=headers("order-service"), json={
        **PAYMENT, "transaction_id": "T" * 65, "amount": body["total"]})
    assert res.status_code == 422
    assert res.json()["detail"][0]["field"] == "transaction_id"


def test_a_cancel_waiting_while_the_wave_writes_cancels_its_new_parcels_pg(
        pg_factory, pg_settings, monkeypatch):
    """The cancel locks the order's parcels (none yet), then waits on the order the wave holds;
    once the wave commits, the parcels it made are cancelled too."""
    import time

    network(pg_factory, NOW, ngb=5, zz=5)
    order_id = paid_order(pg_factory, pg_settings, NOW)
    real = waves.still_waiting
    cancel = threading.Thread(target=lambda: _cancel(pg_factory, order_id))

    def still_waiting(session, ids, **kw):
        found = real(session, ids, **kw)  # the order is locked by the wave now
        cancel.start()
        time.sleep(1.0)  # the cancel has found no parcels and waits on the order
        return found

    monkeypatch.setattr(waves, "still_waiting", still_waiting)
    with db.transaction(pg_factory) as s:
        assert waves.run_wave(s, now=NOW, **FAST).parcels_count == 1
    cancel.join(30)
    with pg_factory() as s:
        assert orders.get(s, order_id).status == "cancelled"
        assert [p.status for p in s.query(Parcel).all()] == ["cancelled"]
        assert sum(lot.allocated for lot in s.query(StockLot).all()) == 0
        assert stock.ledger_problems(s) == []
