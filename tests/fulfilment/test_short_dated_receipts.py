"""Goods too short-dated to ship are not received: counted as available until the hourly
write-off, they were sold and could never be shipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from fulfilment import receiving
from fulfilment.localtime import business_day
from inventory import fefo
from inventory.tables import Availability, Sku, StockLot
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW
from tests.fulfilment.test_planning_review import TODAY, _approved_transfer, _refused


def test_unreceivable_names_expired_and_short_dated_goods() -> None:
    on = date(2026, 12, 3)
    assert fefo.unreceivable(None, on=on, min_remaining_days=90) is None
    assert "expired" in fefo.unreceivable(on, on=on, min_remaining_days=0)
    assert "90 days" in fefo.unreceivable(on + timedelta(days=89), on=on, min_remaining_days=90)
    assert fefo.unreceivable(on + timedelta(days=90), on=on, min_remaining_days=90) is None


def test_a_transfer_with_cartons_too_short_dated_to_ship_is_refused(session_factory) -> None:
    with session_factory() as session:
        transfer = _approved_transfer(session, shelf_life_days=365, skus=("A",))
        session.get(Sku, "A").min_remaining_days = 90
        session.commit()
        first, *rest = receiving.cartons(session, transfer.id)
        short = TODAY + timedelta(days=60)
        problems = _refused(session, transfer.id, now=NOW, found={first.sscc: (None, short)})
        assert [p["field"] for p in problems] == [f"cartons.{first.sscc}.expiry"]
        assert "less than the SKU's 90 days" in problems[0]["reason"]
        units = receiving.receive(session, transfer_id=transfer.id, now=NOW)
        assert units == first.qty + sum(c.qty for c in rest)


def test_receipts_and_putaway_refuse_short_dated_goods_and_change_nothing(client, headers,
                                                                          session) -> None:
    a_warehouse(session, "NGB")
    a_sku(session, "SERUM-30ML", min_remaining_days=180)
    session.commit()
    today = business_day(datetime.now(UTC))  # the API's own clock
    h = headers("warehouse")
    short = (today + timedelta(days=100)).isoformat()
    for path, body in (
            ("/inventory/receipts", {"warehouse": "NGB", "sku": "SERUM-30ML", "qty": 10,
                                     "lot": "L1", "expiry": short}),
            ("/inventory/putaway", {"warehouse": "NGB", "sku": "SERUM-30ML", "qty": 10,
                                    "lot_no": "L1", "bin": "A-01", "expiry": short})):
        res = client.post(path, json=body, headers=h)
        assert res.status_code == 422, (path, res.text)
        assert res.json()["detail"][0]["field"] == "expiry"
        assert "180 days" in res.json()["detail"][0]["reason"]
    session.expire_all()
    assert session.exec(select(StockLot)).all() == []
    assert (session.get(Availability, "SERUM-30ML") or Availability(sellable=0)).sellable == 0
    session.rollback()  # SQLite: end the read before the API writes
    fresh = client.post("/inventory/receipts", headers=h, json={
        "warehouse": "NGB", "sku": "SERUM-30ML", "qty": 10, "lot": "L2",
        "expiry": (today + timedelta(days=180)).isoformat()})
    assert fresh.status_code == 201 and fresh.json()["availability"]["sellable"] == 10
