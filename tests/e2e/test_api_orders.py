"""The order service's contract over HTTP (contracts/orders.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tests.builders import order_body, stocked
from tests.conftest import NOW


def test_order_reserves_and_shows_in_availability(client, headers, session):
    stocked(session, NOW, qty=5)
    h = headers("order-service")
    r = client.post("/orders", json=order_body(qty=2), headers=h)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "reserved" and body["total"] == "398.00"
    assert body["reserved_until"]
    a = client.get("/inventory/availability", params={"sku": "SERUM-30ML"}, headers=h).json()
    assert a == {"sku": "SERUM-30ML", "sellable": 5, "reserved": 2, "available": 3}


def test_short_order_names_each_sku_and_reserves_nothing(client, headers, session):
    stocked(session, NOW, qty=1)
    stocked(session, NOW, sku="TONER-100ML", qty=3)
    body = order_body(qty=2)
    body["lines"].append({"sku": "TONER-100ML", "qty": 1, "unit_price": "50.00"})
    r = client.post("/orders", json=body, headers=headers("order-service"))
    assert r.status_code == 409
    assert r.json() == {"error": "insufficient_stock",
                        "short": [{"sku": "SERUM-30ML", "requested": 2, "available": 1}]}
    toner = client.get("/inventory/availability", params={"sku": "TONER-100ML"},
                       headers=headers("order-service")).json()
    assert toner["reserved"] == 0


def test_every_bad_field_is_named_and_nothing_is_echoed(client, headers, session):
    stocked(session, NOW)
    body = order_body(qty=0, price="1.999")
    body["buyer"]["id_number"] = "110105194912310021"
    body["buyer"]["phone"] = "12345"
    body["lines"].append({"sku": "NOPE", "qty": 1, "unit_price": "1.00"})
    r = client.post("/orders", json=body, headers=headers("order-service"))
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["detail"]}
    assert {"buyer.id_number", "buyer.phone", "lines[0].qty", "lines[0].unit_price"} <= fields
    assert "110105194912310021" not in r.text and "12345" not in r.text


def test_unknown_sku_is_422(client, headers, session):
    stocked(session, NOW)
    r = client.post("/orders", json=order_body(sku="NOPE"), headers=headers("order-service"))
    assert r.status_code == 422
    assert r.json()["detail"] == [{"field": "lines[0].sku", "reason": "unknown SKU 'NOPE'"}]


def test_idempotent_retry_gets_first_answer_and_reserves_once(client, headers, session):
    stocked(session, NOW, qty=5)
    h = {**headers("order-service"), "Idempotency-Key": "k-1"}
    body = order_body(qty=1)
    first = client.post("/orders", json=body, headers=h)
    again = client.post("/orders", json=body, headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    avail = client.get("/inventory/availability", params={"sku": "SERUM-30ML"}, headers=h).json()
    assert avail["reserved"] == 1
    other = client.post("/orders", json=order_body(qty=2), headers=h)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"


def test_duplicate_external_id_under_another_key(client, headers, session):
    stocked(session, NOW, qty=5)
    h = headers("order-service")
    body = order_body(external_id="RED-1")
    first = client.post("/orders", json=body, headers={**h, "Idempotency-Key": "a"})
    assert first.status_code == 201
    r = client.post("/orders", json=body, headers={**h, "Idempotency-Key": "b"})
    assert r.status_code == 409 and r.json()["error"] == "duplicate_order"


def test_cancel_releases_exactly_what_was_held(client, headers, session):
    stocked(session, NOW, qty=5)
    h = headers("order-service")
    order = client.post("/orders", json=order_body(qty=3), headers=h).json()
    r = client.post(f"/orders/{order['id']}/cancel", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    again = client.post(f"/orders/{order['id']}/cancel", headers=h)
    assert again.status_code == 409
    avail = client.get("/inventory/availability", params={"sku": "SERUM-30ML"}, headers=h).json()
    assert avail["reserved"] == 0 and avail["available"] == 5


def _china_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0).astimezone(timezone(timedelta(hours=8)))


def test_payment_must_match_buyer_and_total(client, headers, session):
    stocked(session, NOW, qty=5)
    h = headers("order-service")
    order = client.post("/orders", json=order_body(qty=1), headers=h).json()
    pay = {"transaction_id": "P1", "payer_name": "李小红", "payer_id_number": "11010519491231002X",
           "amount": "199.00", "paid_at": _china_now().isoformat()}
    wrong = client.post(f"/orders/{order['id']}/payment", json={**pay, "amount": "1.00"}, headers=h)
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "amount"
    other = client.post(f"/orders/{order['id']}/payment",
                        json={**pay, "payer_id_number": "110101199003074477"}, headers=h)
    assert other.status_code == 422
    ok = client.post(f"/orders/{order['id']}/payment", json=pay, headers=h)
    assert ok.status_code == 200 and ok.json()["paid"] is True
    assert "11010519491231002X" not in ok.text and "13812345678" not in ok.text


def test_keys_and_roles(client, headers, session):
    stocked(session, NOW)
    assert client.get("/health").status_code == 200
    assert client.get("/inventory/availability").status_code == 401
    assert client.get("/inventory/availability", headers={"X-API-Key": "nope"}).status_code == 401
    r = client.post("/warehouses", headers=headers("order-service"),
                    json={"id": "SZ", "name": "Shenzhen", "kind": "bonded",
                          "customs_mode": "1210", "country": "CN", "address": "Qianhai"})
    assert r.status_code == 403
    r = client.post("/warehouses", headers=headers("admin"),
                    json={"id": "SZ", "name": "Shenzhen", "kind": "bonded",
                          "customs_mode": "1210", "country": "CN", "address": "Qianhai"})
    assert r.status_code == 201


def test_the_floor_reads_orders_but_only_the_order_service_changes_them(client, headers, session):
    stocked(session, NOW, qty=5)
    placed = client.post("/orders", json=order_body(qty=1), headers=headers("order-service"))
    order_id = placed.json()["id"]
    wh = headers("warehouse")
    assert client.get(f"/orders/{order_id}", headers=wh).status_code == 200
    assert client.post("/orders", json=order_body(qty=1, external_id="R-WH"),
                       headers=wh).status_code == 403
    for action in ("payment", "cancel"):
        assert client.post(f"/orders/{order_id}/{action}", json={},
                           headers=wh).status_code == 403
    assert client.post("/inventory/adjustments", headers=headers("buyer"), json={
        "lot_id": 1, "delta": -1, "reason": "count"}).status_code == 403
    assert client.get(f"/orders/{order_id}", headers=wh).json()["status"] == "reserved"


def test_minimal_sku_and_receipt_raise_sellable(client, headers):
    h = headers("warehouse")
    assert client.post("/warehouses", headers=h, json={
        "id": "NGB", "name": "Ningbo", "kind": "bonded", "customs_mode": "1210",
        "country": "CN", "address": "Ningbo FTZ"}).status_code == 201
    r = client.post("/skus", headers=h, json={"id": "SERUM-30ML", "name": "Serum",
                                              "hs_code": "3304990099", "weight_g": 180,
                                              "tax_category": "cosmetics", "unit_price": "199.00"})
    assert r.status_code == 201, r.text
    r = client.post("/inventory/receipts", headers=h, json={
        "warehouse": "NGB", "sku": "SERUM-30ML", "qty": 100, "lot": "L1", "expiry": "2028-01-01"})
    assert r.status_code == 201 and r.json()["availability"]["sellable"] == 100
    bad = client.post("/inventory/receipts", headers=h, json={
        "warehouse": "NGB", "sku": "SERUM-30ML", "qty": -1, "lot": "L1"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "qty"


def test_times_keep_their_instant_on_sqlite_and_come_back_zoned(client, headers, session):
    """SQLite drops a time's zone unless the engine stores UTC; the order shows the same instant
    it was given, in UTC, before and after it is read back from the database."""
    stocked(session, NOW, qty=5)
    h = headers("order-service")
    placed = client.post("/orders", json=order_body(qty=1), headers=h).json()
    paid = _china_now()  # the API's own clock: a payment is made after the order
    pay = {"transaction_id": "P1", "payer_name": "李小红", "payer_id_number": "11010519491231002X",
           "amount": "199.00", "paid_at": paid.isoformat()}
    client.post(f"/orders/{placed['id']}/payment", json=pay, headers=h)
    shown = client.get(f"/orders/{placed['id']}", headers=h).json()
    assert datetime.fromisoformat(shown["paid_at"]) == paid.astimezone(UTC)
    assert shown["paid_at"].endswith("+00:00")
    assert shown["reserved_until"] == placed["reserved_until"]


def test_a_body_that_is_not_json_names_the_body(client, headers):
    r = client.post("/orders", content=b"not json", headers={**headers("order-service"),
                                                             "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json() == {"error": "invalid_request",
                        "detail": [{"field": "body", "reason": "JSON decode error"}]}
