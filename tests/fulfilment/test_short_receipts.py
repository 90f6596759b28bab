"""Cartons received short, damaged or missing: the dock's count is booked, the shortfall kept
per carton and per transfer for the buyer's claim, and a bad count changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from fulfilment import receiving
from inventory import store as stock
from inventory.planning_tables import Carton, InboundTransfer
from inventory.tables import StockLot, StockMovement
from tests.conftest import NOW
from tests.fulfilment.test_planning import _catalogue, _import
from tests.fulfilment.test_planning_review import Db, _approved_transfer, _refused


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Iterator[Db]:
    """A session and settings on SQLite, then on PostgreSQL (as test_planning_review's)."""
    pg = request.param == "postgres"
    with request.getfixturevalue("pg_factory" if pg else "session_factory")() as session:
        yield session, request.getfixturevalue("pg_settings" if pg else "settings")


def test_a_short_and_a_missing_carton_book_only_what_came(db: Db) -> None:
    session, _ = db
    transfer = _approved_transfer(session, skus=("A",))
    short, missing, *whole = receiving.cartons(session, transfer.id)
    expected = short.qty + missing.qty + sum(c.qty for c in whole)
    units = receiving.receive(session, transfer_id=transfer.id, now=NOW,
                              counted={short.sscc: 3, missing.sscc: 0})
    session.commit()
    assert units == expected - (short.qty - 3) - missing.qty
    got = {c.sscc: c.received_qty for c in receiving.cartons(session, transfer.id)}
    assert got == {short.sscc: 3, missing.sscc: 0, **{c.sscc: c.qty for c in whole}}
    row = session.get(InboundTransfer, transfer.id)
    assert (row.status, row.received_units, row.short_units) == (
        "received", units, expected - units)
    assert sum(lot.on_hand for lot in session.exec(select(StockLot))) == units
    assert stock.available(session, "A") == units
    moved = session.exec(select(StockMovement).where(StockMovement.bucket == "on_hand",
                                                     StockMovement.reference ==
                                                     f"transfer:{transfer.id}")).all()
    assert sum(m.qty for m in moved) == units and all(m.qty > 0 for m in moved)
    assert stock.ledger_problems(session) == []


def test_a_count_over_the_cartons_units_refuses_the_receipt_naming_it(db: Db) -> None:
    session, _ = db
    transfer = _approved_transfer(session, skus=("A",))
    first, second, *_ = receiving.cartons(session, transfer.id)
    problems = _refused(session, transfer.id, now=NOW,
                        counted={first.sscc: first.qty + 1, second.sscc: -1,
                                 "069012349999999999": 1})
    assert [p["field"] for p in problems] == [
        "cartons.069012349999999999", f"cartons.{first.sscc}.qty", f"cartons.{second.sscc}.qty"]
    assert f"shipped with {first.qty} of A" in problems[1]["reason"]
    assert {c.received_qty for c in session.exec(select(Carton))} == {None}
    assert session.get(InboundTransfer, transfer.id).received_units is None


def test_a_missing_carton_too_short_dated_to_ship_does_not_refuse_the_rest(db: Db) -> None:
    session, _ = db
    transfer = _approved_transfer(session, skus=("A",))
    first, *rest = receiving.cartons(session, transfer.id)
    units = receiving.receive(session, transfer_id=transfer.id, now=NOW,
                              counted={first.sscc: 0}, found={first.sscc: (None, NOW.date())})
    assert units == sum(c.qty for c in rest)


def test_over_http_the_carton_count_is_booked_and_the_shortfall_answered(
        client, headers, session) -> None:  # noqa: ANN001
    _catalogue(session)
    _import(client, headers)
    h = headers("warehouse")
    b = headers("buyer")
    plan = client.post("/plans", json={"budget": "20000.00"}, headers=b).json()
    tid = client.post(f"/plans/{plan['id']}/approve", headers=b).json()["transfers"][0]
    boxes = client.get(f"/transfers/{tid}", headers=b).json()["cartons"]
    first, second = boxes[0], boxes[1]
    expected = sum(c["qty"] for c in boxes)
    url = f"/transfers/{tid}/receive"
    for bad, field in (({"sscc": first["sscc"], "qty": 3, "damaged": True},
                        "cartons[0].damaged"),
                       ({"sscc": first["sscc"], "qty": first["qty"] + 1},
                        f"cartons.{first['sscc']}.qty"),
                       ({"sscc": first["sscc"], "qty": "3"}, "cartons[0].qty")):
        refused = client.post(url, json={"cartons": [bad]}, headers=h)
        assert refused.status_code == 422, refused.text
        assert [p["field"] for p in refused.json()["detail"]] == [field]
    refused = client.post(url, json={"cartons": [], "note": "x"}, headers=h)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "note"
    session.rollback()
    assert session.exec(select(StockLot)).all() == []
    session.rollback()
    got = client.post(url, headers=h, json={"cartons": [{"sscc": first["sscc"], "qty": 3},
                                                        {"sscc": second["sscc"], "qty": 0}]})
    assert got.status_code == 200, got.text
    short = first["qty"] - 3 + second["qty"]
    body = got.json()
    assert (body["expected_units"], body["received_units"], body["short_units"]) == (
        expected, expected - short, short)
    lines = {c["sscc"]: (c["expected_qty"], c["received_qty"], c["short_qty"])
             for c in body["cartons"]}
    assert lines[first["sscc"]] == (first["qty"], 3, first["qty"] - 3)
    assert lines[second["sscc"]] == (second["qty"], 0, second["qty"])
    assert all(lines[c["sscc"]] == (c["qty"], c["qty"], 0) for c in boxes[2:])
    session.rollback()
    assert sum(lot.on_hand for lot in session.exec(select(StockLot))) == expected - short
    session.rollback()
    view = client.get(f"/transfers/{tid}", headers=b).json()
    assert (view["received_units"], view["short_units"]) == (expected - short, short)
    assert view["cartons"][0]["short_qty"] == first["qty"] - 3
    assert client.post(url, headers=h).status_code == 409
