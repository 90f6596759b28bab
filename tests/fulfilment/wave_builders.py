"""A small network with rate cards, and paid orders waiting for a wave."""

from __future__ import annotations

from datetime import datetime

from fulfilment import db, orders, submission
from routing import store as rate_cards
from tests.builders import a_warehouse, order_body, stocked


def network(factory, now: datetime, *, ngb: int = 2, zz: int = 10, capacity: int | None = None):
    """NGB (bonded) with `ngb` serums, ZZ with `zz`; lanes to Zhejiang from both."""
    with factory() as s:
        stocked(s, now, warehouse="NGB", qty=ngb, lot="N1")
        stocked(s, now, warehouse="ZZ", qty=zz, lot="Z1")
    with db.transaction(factory) as s:
        a_warehouse(s, "NGB")
        rate_cards.upsert_courier(s, courier_id="SF", name="SF Express")
        rate_cards.upsert_courier(s, courier_id="ZTO", name="ZTO Express")
        s.flush()
        rate_cards.upsert_lane(s, warehouse="NGB", courier="SF", zone="ZJ", first_kg_fen=600,
                               extra_kg_fen=200, transit_days=1)
        rate_cards.upsert_lane(s, warehouse="ZZ", courier="ZTO", zone="ZJ", first_kg_fen=1200,
                               extra_kg_fen=300, transit_days=2)
        if capacity is not None:
            rate_cards.upsert_capacity(s, warehouse="NGB", courier="SF", parcels=capacity)
            rate_cards.upsert_capacity(s, warehouse="ZZ", courier="ZTO", parcels=capacity)


def paid_order(factory, settings, now: datetime, *, qty: int = 1,
               lines: list[dict] | None = None) -> int:
    """An order placed and paid by the buyer (not yet allocated): `qty` serums, or `lines`."""
    order = order_body(qty=qty) if lines is None else {**order_body(), "lines": lines}
    status, body = submission.submit(factory, body=order, idempotency_key=None,
                                     key_scope="t", settings=settings, now=now)
    assert status == 201, body
    with db.transaction(factory) as s:
        orders.confirm_payment(s, order_id=body["id"], settings=settings, now=now,
                               payment={"transaction_id": f"P{body['id']}",
                                        "payer_name": "李小红",
                                        "payer_id_number": "11010519491231002X",
                                        "amount": body["total"]})
    return body["id"]
