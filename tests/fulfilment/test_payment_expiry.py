"""A payment made after `reserved_until` does not keep the reservation (contracts/orders.md),
even when the expiry job has not run yet; one made in time is accepted however late it arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from fulfilment import db, orders, submission
from fulfilment.localtime import CHINA
from fulfilment.tables import OrderEvent
from inventory.tables import Availability
from tests.builders import order_body, stocked
from tests.conftest import NOW

PAY = {"transaction_id": "P1", "payer_name": "李小红", "payer_id_number": "11010519491231002X",
       "amount": "199.00"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request):  # noqa: ANN001, ANN201
    """(session factory, settings) on SQLite, and on PostgreSQL when its test URL is set."""
    if request.param == "sqlite":
        return request.getfixturevalue("session_factory"), request.getfixturevalue("settings")
    return request.getfixturevalue("pg_factory"), request.getfixturevalue("pg_settings")


def _placed(factory, settings) -> tuple[int, datetime]:  # noqa: ANN001
    """A stocked SKU and one order for it placed at NOW: (order id, its reserved_until)."""
    with factory() as s:
        stocked(s, NOW, qty=5)
    status, body = submission.submit(factory, body=order_body(qty=1), idempotency_key=None,
                                     key_scope="t", settings=settings, now=NOW)
    assert status == 201, body
    return body["id"], datetime.fromisoformat(body["reserved_until"])


def _pay(factory, settings, order_id: int, *, now: datetime, **payment: str):  # noqa: ANN001, ANN202
    with db.transaction(factory) as s:
        return orders.confirm_payment(s, order_id=order_id, settings=settings, now=now,
                                      payment={**PAY, **payment})


def _unpaid_and_holding(factory, order_id: int) -> None:  # noqa: ANN001
    """The order is as it was placed: reserved, unpaid, its unit still held, no payment event."""
    with factory() as s:
        order = orders.get(s, order_id)
        assert (order.status, order.paid_at, order.payment_ref) == ("reserved", None, None)
        assert s.get(Availability, "SERUM-30ML").reserved == 1
        types = s.execute(select(OrderEvent.type).where(OrderEvent.order_id == order_id))
        assert "order.paid" not in list(types.scalars())


def test_payment_made_after_reserved_until_is_409_and_changes_nothing(
        client, headers, session_factory, settings):
    order_id, until = _placed(session_factory, settings)
    late = (until + timedelta(minutes=1)).astimezone(UTC).replace(tzinfo=None).isoformat()
    r = client.post(f"/orders/{order_id}/payment", json={**PAY, "paid_at": late + "+00:00"},
                    headers=headers("order-service"))
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["error"] == "reservation_expired"
    assert [p["field"] for p in body["detail"]] == ["paid_at"]
    assert "reserved_until" in body["detail"][0]["reason"]
    _unpaid_and_holding(session_factory, order_id)


def test_payment_made_in_time_is_accepted_when_its_confirmation_comes_late(
        client, headers, session_factory, settings):
    order_id, until = _placed(session_factory, settings)
    assert datetime.now(UTC) > until  # the confirmation arrives after the time ran out
    in_time = (until - timedelta(minutes=5)).astimezone(UTC).isoformat()
    r = client.post(f"/orders/{order_id}/payment", json={**PAY, "paid_at": in_time},
                    headers=headers("order-service"))
    assert r.status_code == 200, r.text
    assert r.json()["paid"] is True and r.json()["status"] == "reserved"


def test_payment_without_paid_at_after_reserved_until_is_409(
        client, headers, session_factory, settings):
    order_id, until = _placed(session_factory, settings)
    assert datetime.now(UTC) > until  # the API pays "now", which is past the reservation
    r = client.post(f"/orders/{order_id}/payment", json=PAY, headers=headers("order-service"))
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "reservation_expired"
    assert r.json()["detail"][0]["field"] == "paid_at"
    _unpaid_and_holding(session_factory, order_id)


def test_without_paid_at_the_time_is_now_and_reserved_until_itself_is_in_time(store):
    factory, settings = store
    order_id, until = _placed(factory, settings)
    with pytest.raises(orders.PaymentRejected) as refused:
        _pay(factory, settings, order_id, now=until + timedelta(seconds=1))
    assert (refused.value.code, refused.value.status) == ("reservation_expired", 409)
    _unpaid_and_holding(factory, order_id)
    assert _pay(factory, settings, order_id, now=until).paid_at == until


def test_paid_at_decides_not_the_time_the_confirmation_arrives(store):
    factory, settings = store
    order_id, until = _placed(factory, settings)
    arrives = until + timedelta(hours=1)  # before the expiry job got to it
    with pytest.raises(orders.PaymentRejected) as refused:
        _pay(factory, settings, order_id, now=arrives,
             paid_at=(until + timedelta(seconds=1)).isoformat())
    assert refused.value.code == "reservation_expired"
    _unpaid_and_holding(factory, order_id)
    paid = _pay(factory, settings, order_id, now=arrives,
                paid_at=(until - timedelta(seconds=1)).astimezone(UTC).isoformat())
    assert paid.paid_at == until - timedelta(seconds=1)


def test_a_paid_at_without_zone_is_read_as_utc(store):
    """The database reads a zoneless time as UTC, so the check does too (and never fails on
    comparing a naive time with an aware one)."""
    factory, settings = store
    order_id, until = _placed(factory, settings)
    naive = until.astimezone(UTC).replace(tzinfo=None)
    with pytest.raises(orders.PaymentRejected) as refused:
        _pay(factory, settings, order_id, now=until,
             paid_at=(naive + timedelta(minutes=1)).isoformat())
    assert refused.value.code == "reservation_expired"
    _pay(factory, settings, order_id, now=until + timedelta(minutes=5),
         paid_at=(naive - timedelta(minutes=1)).isoformat())


def test_the_same_confirmation_again_after_reserved_until_is_still_accepted(store):
    factory, settings = store
    order_id, until = _placed(factory, settings)
    first = _pay(factory, settings, order_id, now=NOW + timedelta(minutes=1))
    again = _pay(factory, settings, order_id, now=until + timedelta(days=1))
    assert again.paid_at == first.paid_at and again.payment_ref == "P1"


@pytest.mark.parametrize(("paid", "reason"), [
    (NOW - timedelta(days=2), "before the order was placed"),
    (NOW + timedelta(hours=1), "in the future"),
    # China time without its offset is read as UTC: eight hours ahead, refused, not booked
    (NOW.astimezone(CHINA).replace(tzinfo=None), "in the future")])
def test_a_payment_time_outside_the_order_s_life_is_422(store, paid, reason):  # noqa: ANN001
    factory, settings = store
    order_id, _ = _placed(factory, settings)
    with pytest.raises(orders.PaymentRejected) as refused:
        _pay(factory, settings, order_id, now=NOW + timedelta(minutes=1),
             paid_at=paid.isoformat())
    assert refused.value.problems[0]["field"] == "paid_at"
    assert reason in refused.value.problems[0]["reason"]
    _unpaid_and_holding(factory, order_id)
    # a provider's clock a few minutes behind ours is not a mistake
    _pay(factory, settings, order_id, now=NOW + timedelta(minutes=1),
         paid_at=(NOW - timedelta(minutes=3)).isoformat())
