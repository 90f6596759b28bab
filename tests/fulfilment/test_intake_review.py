"""The review's intake defects: empty objects, replayed answers, ASCII money and numbers, amounts
past 32 bits, and one 422 naming every bad field (contracts/orders.md)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from fulfilment import db, intake, orders, submission
from fulfilment.tables import IdempotencyRecord, Order
from inventory.tables import Availability
from tests.builders import order_body, stocked
from tests.conftest import NOW

REUSED = "idempotency_key_reused"


def _fields(body) -> list[str]:
    with pytest.raises(intake.InvalidOrder) as err:
        intake.parse(body)
    return [p["field"] for p in err.value.problems]


def _submitter(factory, settings, batching: bool):
    """submit(body, key) as the route calls it: through a batcher, or one transaction each."""
    batcher = submission.Batcher(factory, settings) if batching else None

    def submit(body: dict, key: str | None = None) -> tuple[int, dict]:
        return submission.submit(factory, body=body, idempotency_key=key, key_scope="1",
                                 settings=settings, now=NOW, batcher=batcher)

    return submit, batcher


def _replicas(factory, settings, batching: bool):
    """Two replicas of the service on one database (each with its own batch thread when
    batching): submit(i, body, key) sends request i to replica i % 2; close() stops both."""
    pair = [_submitter(factory, settings, batching) for _ in range(2)]

    def submit(i: int, body: dict, key: str | None = None) -> tuple[int, dict]:
        return pair[i % 2][0](body, key)

    def close() -> None:
        for _, batcher in pair:
            if batcher is not None:
                batcher.close()

    return submit, close


@pytest.fixture(params=["one transaction per order", "group commit"])
def batching(request) -> bool:
    return request.param == "group commit"


@pytest.fixture
def send(session_factory, settings, batching):
    submit, batcher = _submitter(session_factory, settings, batching)
    yield submit
    if batcher is not None:
        batcher.close()


def _count_orders(factory) -> int:
    with factory() as s:
        return s.execute(select(func.count()).select_from(Order)).scalar_one()


def _reserved(factory, sku: str = "SERUM-30ML") -> int:
    with factory() as s:
        return s.get(Availability, sku).reserved


# O1, O2: an empty buyer or recipient names each of its fields


def test_an_empty_buyer_names_each_of_its_fields():
    fields = _fields(order_body(buyer={}))
    assert fields == ["buyer.name", "buyer.id_number", "buyer.phone"]


def test_an_empty_recipient_names_each_of_its_fields():
    fields = _fields(order_body(recipient={}))
    assert fields == [f"recipient.{f}" for f in
                      ("name", "phone", "province", "city", "district", "address")]


def test_a_missing_buyer_is_named_with_its_fields():
    body = order_body()
    del body["buyer"]
    assert _fields(body) == ["buyer", "buyer.name", "buyer.id_number", "buyer.phone"]


def test_an_order_with_an_empty_buyer_is_refused_over_http(client, headers, session,
                                                           session_factory):
    stocked(session, NOW, qty=5)
    r = client.post("/orders", json=order_body(buyer={}), headers=headers("order-service"))
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["detail"]] == \
        ["buyer.name", "buyer.id_number", "buyer.phone"]
    assert _reserved(session_factory) == 0 and _count_orders(session_factory) == 0


# O4: money is a decimal string of ASCII digits; phones and ID numbers are ASCII digits


@pytest.mark.parametrize("value", [199, 0, "１９９.００", "١٩٩", "199.0０"])
@pytest.mark.parametrize("field", ["unit_price", "freight", "insurance", "discount"])
def test_money_is_a_string_of_ascii_digits(field, value):
    body = order_body()
    if field == "unit_price":
        body["lines"][0]["unit_price"] = value
    else:
        body[field] = value
    assert _fields(body) == ["lines[0].unit_price" if field == "unit_price" else field]


def test_money_fen_reads_only_ascii_decimal_strings():
    assert intake.money_fen("199.00") == 19900 and intake.money_fen(" 0.5 ") == 50
    assert [intake.money_fen(v) for v in (199, 199.0, "１９９", "1e3", "+1")] == [None] * 5


@pytest.mark.parametrize("phone", ["１３８１２３４５６７８", "138１２３４５６７８",
                                   "٠٥٧١-87654321"])
@pytest.mark.parametrize("who", ["buyer", "recipient"])
def test_phones_are_ascii_digits(who, phone):
    body = order_body()
    body[who]["phone"] = phone
    assert _fields(body) == [f"{who}.phone"]


def test_id_numbers_are_ascii_digits():
    body = order_body()
    # python-stdnum alone accepts it, and the number would be stored and hashed as given
    body["buyer"]["id_number"] = "１１０１０５１９４９１２３１００２X"
    assert _fields(body) == ["buyer.id_number"]


def test_a_payment_amount_in_fullwidth_digits_is_refused(client, headers, session):
    stocked(session, NOW, qty=5)
    h = headers("order-service")
    order = client.post("/orders", json=order_body(), headers=h).json()
    pay = {"transaction_id": "P1", "payer_name": "李小红", "payer_id_number": "11010519491231002X",
           "amount": "１９９.００"}
    r = client.post(f"/orders/{order['id']}/payment", json=pay, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "amount"
    assert client.post(f"/orders/{order['id']}/payment", json={**pay, "amount": 199},
                       headers=h).status_code == 422


# O5: amounts past 32 bits are kept; past what an order may hold, refused naming the field


def test_an_order_may_hold_up_to_the_bound():
    most = intake.fen_text(intake.MAX_ORDER_FEN - 1)
    assert intake.parse(order_body(price=most)).total_fen == intake.MAX_ORDER_FEN - 1
    assert _fields(order_body(price=most, qty=2)) == ["lines"]
    assert _fields(order_body(price="0.01", freight=most)) == ["total"]
    assert intake.parse(order_body(price="0.01", freight=most, discount="0.01")).total_fen == \
        intake.MAX_ORDER_FEN - 1


def test_amounts_past_32_bits_are_kept_on_postgresql(pg_factory, pg_settings, batching):
    with pg_factory() as s:
        stocked(s, NOW, qty=200)
    submit, batcher = _submitter(pg_factory, pg_settings, batching)
    try:
        one = submit(order_body(price="21474836.48", external_id="P1"))
        hundred = submit(order_body(qty=100, price="250000.00", external_id="P2"))
    finally:
        if batcher is not None:
            batcher.close()
    assert one[0] == 201 and one[1]["total"] == "21474836.48"
    assert hundred[0] == 201 and hundred[1]["total"] == "25000000.00"
    with db.transaction(pg_factory) as s:
        orders.confirm_payment(s, order_id=hundred[1]["id"], settings=pg_settings, now=NOW,
                               payment={"transaction_id": "T2", "payer_name": "李小红",
                                        "payer_id_number": "11010519491231002X",
                                        "amount": "25000000.00"})
    with pg_factory() as s:
        shown = orders.view(s, orders.get(s, hundred[1]["id"]))
        assert shown["total"] == "25000000.00" and shown["paid"]
        assert orders.view(s, orders.get(s, one[1]["id"]))["lines"][0]["unit_price"] == \
            "21474836.48"


def test_a_value_the_database_cannot_hold_is_no_concurrent_twin(pg_factory, pg_settings):
    """A DataError is the order's own fault (the API answers 422), never "placed by a twin"."""
    with pg_factory() as s:
        stocked(s, NOW, qty=5)
    job = submission.job_for(order_body(), idempotency_key="k", key_scope="1", now=NOW)
    job.order = replace(job.order, external_id="X" * 65)  # past its column; no check caught it
    submission.process(pg_factory, [job], pg_settings)
    assert isinstance(job.future.exception(timeout=5), DataError)
    assert _count_orders(pg_factory) == 0 and _reserved(pg_factory) == 0


# O3: every final answer is stored under its key and replayed; the key is looked up first


def test_a_key_first_answered_duplicate_is_replayed_not_reused(session_factory, send, session):
    stocked(session, NOW, qty=5)
    assert send(order_body(external_id="DUP"), "a")[0] == 201
    first = send(order_body(external_id="DUP"), "b")
    assert first[0] == 409 and first[1]["error"] == "duplicate_order"
    assert send(order_body(external_id="DUP"), "b") == first
    assert send(order_body(external_id="NEW"), "b")[1]["error"] == REUSED
    assert _count_orders(session_factory) == 1 and _reserved(session_factory) == 1


def test_a_key_first_answered_invalid_is_replayed_not_reused(session_factory, send, session):
    stocked(session, NOW, qty=5)
    bad = order_body(qty=0, external_id="BAD")
    first = send(bad, "c")
    assert first == (422, {"error": "invalid_order", "detail": [
        {"field": "lines[0].qty", "reason": "must be a positive integer"}]})
    assert send(bad, "c") == first
    assert send(order_body(external_id="GOOD"), "c")[1]["error"] == REUSED
    assert send(order_body(sku="GHOST", external_id="GOOD"), "c")[1]["error"] == REUSED
    assert _count_orders(session_factory) == 0 and _reserved(session_factory) == 0
    with session_factory() as s:
        assert s.get(IdempotencyRecord, "1:c").status_code == 422


def test_a_reused_key_with_an_invalid_body_is_409_not_422(session_factory, send, session):
    stocked(session, NOW, qty=5)
    placed = send(order_body(external_id="OK"), "d")
    assert placed[0] == 201
    assert send(order_body(qty=0, external_id="OK"), "d")[1]["error"] == REUSED
    assert send(order_body(buyer={}), "d")[1]["error"] == REUSED
    assert send(order_body(external_id="OK"), "d") == placed
    assert _reserved(session_factory) == 1


def test_a_key_first_answered_short_is_replayed_not_reused(session_factory, send, session):
    stocked(session, NOW, qty=1)
    short = send(order_body(qty=2, external_id="S"), "e")
    assert short[0] == 409 and short[1]["error"] == "insufficient_stock"
    assert send(order_body(qty=1, external_id="S2"), "e")[1]["error"] == REUSED
    assert send(order_body(qty=2, external_id="S"), "e") == short
    assert _reserved(session_factory) == 0


def test_without_a_key_nothing_is_stored(session_factory, send, session):
    stocked(session, NOW, qty=1)
    assert send(order_body(qty=0))[0] == 422
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(IdempotencyRecord)).scalar_one() == 0


def test_a_replayed_422_over_http_is_the_first_answer(client, headers, session):
    stocked(session, NOW, qty=5)
    h = {**headers("order-service"), "Idempotency-Key": "http-1"}
    bad = order_body(qty=0)
    first = client.post("/orders", json=bad, headers=h)
    again = client.post("/orders", json=bad, headers=h)
    other = client.post("/orders", json=order_body(), headers=h)
    assert first.status_code == again.status_code == 422 and first.json() == again.json()
    assert other.status_code == 409 and other.json()["error"] == REUSED


@pytest.mark.parametrize("winner", ["valid", "invalid"])
def test_one_key_raced_with_two_bodies_gets_one_answer_on_postgresql(pg_factory, pg_settings,
                                                                     batching, winner):
    """Whichever body takes the key first, every request with it gets that answer and every
    request with the other body gets idempotency_key_reused; at most one order is made, with
    the requests spread over two replicas (two batch threads racing on one database)."""
    with pg_factory() as s:
        stocked(s, NOW, qty=10)
    valid, invalid = order_body(external_id="RACE"), order_body(qty=0, external_id="RACE")
    submit, close = _replicas(pg_factory, pg_settings, batching)
    first = submit(0, valid if winner == "valid" else invalid, "race")
    # bodies alternate by pairs, so each replica gets both
    bodies = [valid if i // 2 % 2 else invalid for i in range(16)]
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda ib: submit(*ib, "race"), enumerate(bodies)))
    finally:
        close()
    won = valid if winner == "valid" else invalid
    for body, answer in zip(bodies, answers, strict=True):
        assert answer == first if body is won else answer[1]["error"] == REUSED
    placed = 1 if winner == "valid" else 0
    assert _count_orders(pg_factory) == placed and _reserved(pg_factory) == placed


def test_one_new_key_raced_with_two_bodies_gets_one_answer_on_postgresql(pg_factory,
                                                                         pg_settings, batching):
    """No answer stored yet: the first transaction to store one decides for all."""
    with pg_factory() as s:
        stocked(s, NOW, qty=10)
    valid, invalid = order_body(external_id="RACE"), order_body(qty=0, external_id="RACE")
    bodies = [valid if i // 2 % 2 else invalid for i in range(24)]
    submit, close = _replicas(pg_factory, pg_settings, batching)
    try:
        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(lambda ib: submit(*ib, "race"), enumerate(bodies)))
    finally:
        close()
    with pg_factory() as s:
        record = s.get(IdempotencyRecord, "1:race")
        stored = (record.status_code, json.loads(record.body))
        won = valid if record.request_hash == submission.body_hash(valid) else invalid
    for body, answer in zip(bodies, answers, strict=True):
        assert answer == stored if body is won else answer[1]["error"] == REUSED
    placed = 1 if won is valid else 0
    assert _count_orders(pg_factory) == placed and _reserved(pg_factory) == placed


# O6: one 422 names every bad field, unknown SKUs included


def test_an_unknown_sku_is_named_with_the_other_bad_fields(client, headers, session):
    stocked(session, NOW, qty=5)
    body = order_body(sku="NOPE")
    body["buyer"]["phone"] = "12345"
    body["lines"].append({"sku": "SERUM-30ML", "qty": 0, "unit_price": "1.00"})
    body["lines"].append("not a line")
    body["lines"].append({"sku": "ALSO-NOPE", "qty": 1, "unit_price": "1.00"})
    r = client.post("/orders", json=body, headers=headers("order-service"))
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"field": "buyer.phone", "reason": "is not a valid mainland mobile or landline number"},
        {"field": "lines[1].qty", "reason": "must be a positive integer"},
        {"field": "lines[2]", "reason": "must be an object"},
        {"field": "lines[0].sku", "reason": "unknown SKU 'NOPE'"},
        {"field": "lines[3].sku", "reason": "unknown SKU 'ALSO-NOPE'"},
    ]


def test_parse_keeps_each_well_formed_sku_by_its_line():
    body = order_body(qty=0)
    body["lines"] += [{"sku": "", "qty": 1, "unit_price": "1.00"}, 7,
                      {"sku": "S" * 65, "qty": 1, "unit_price": "1.00"},
                      {"sku": " MASK-5 ", "qty": 1, "unit_price": "1.00"}]
    with pytest.raises(intake.InvalidOrder) as err:
        intake.parse(body)
    assert err.value.skus == {0: "SERUM-30ML", 4: "MASK-5"}
