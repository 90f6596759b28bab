"""Requests a schema-driven fuzzer (schemathesis) and field mutations turned into 500s or into a
floor stopped by one bad record: each now a 422 naming the field, or an answer that goes on."""

from __future__ import annotations

import json

import pytest

from tests.builders import order_body, stocked
from tests.conftest import NOW
from tests.fulfilment.floor_builders import floor_stock, packable_parcel

JSON = {"content-type": "application/json"}
SKU = {"id": "NEW-1", "name": "New", "hs_code": "3304990099", "weight_g": 10,
       "unit_price": "1.00"}


def _refused(res, field: str) -> str:  # noqa: ANN001
    assert res.status_code == 422, res.text
    body = res.json()
    assert body["error"].startswith("invalid_"), body
    assert [p["field"] for p in body["detail"]] == [field], body
    return body["detail"][0]["reason"]


@pytest.mark.parametrize(("raw", "field", "says"), [
    (b'{"external_id": "\\ud800"}', "external_id", "surrogate"),
    (b'{"buyer": {"id_number": "1101\\udfff"}}', "buyer.id_number", "surrogate"),
    (b'{"lines": [{"sku": "A", "qty": 1}, {"sku": "B\\u0000"}]}', "lines[1].sku", "NUL"),
    (b'{"a": "\xff\xfe"}', "body", "UTF-8"),
])
def test_text_no_store_can_hold_is_refused_before_any_route(client, headers, raw: bytes,
                                                            field: str, says: str) -> None:
    res = client.post("/orders", content=raw, headers={**JSON, **headers("order-service")})
    assert says in _refused(res, field)


def test_escaped_text_that_is_valid_unicode_passes_the_guard(client, headers, session) -> None:
    stocked(session, NOW)
    # a surrogate pair, as JSON spells a character beyond the Basic Multilingual Plane
    raw = json.dumps(order_body(external_id="EMOJI-X")).replace(
        "EMOJI-X", "EMOJI-\\ud83d\\ude00").encode()
    res = client.post("/orders", content=raw, headers={**JSON, **headers("order-service")})
    assert res.status_code == 201, res.text
    assert res.json()["external_id"] == "EMOJI-\U0001F600"


def test_the_guard_covers_every_json_route(client, headers) -> None:
    h = {**JSON, **headers("admin")}
    for path in ("/webhooks", "/allocations/solve", "/handover", "/skus", "/customs/quote"):
        res = client.post(path, content=b'{"x": ["\\ud800"]}', headers=h)
        assert _refused(res, "x[0]"), path


@pytest.mark.parametrize(("change", "field"), [
    ({"min_remaining_days": 3_000_000}, "min_remaining_days"),
    ({"shelf_life_days": 10**9}, "shelf_life_days"),
    ({"gtin": "12345678"}, "gtin"),  # check digit should be 0
    ({"gtin": "1234567890"}, "gtin"),  # no GTIN has ten digits
    ({"net_content": "a lot"}, "net_content"),
    ({"net_content": "0 ml"}, "net_content"),
    ({"tax_category": "spaceships"}, "tax_category"),
    ({"brand": "b" * 81}, "brand"),
    ({"origin_country": "jp"}, "origin_country"),
])
def test_a_sku_that_would_break_receipts_or_labels_later_is_refused(client, headers, change,
                                                                     field) -> None:
    res = client.post("/skus", json={**SKU, **change}, headers=headers("warehouse"))
    _refused(res, field)


def test_a_sku_with_a_good_gtin_and_content_is_taken(client, headers) -> None:
    res = client.post("/skus", json={**SKU, "gtin": "12345670", "net_content": "30 ml",
                                     "tax_category": "cosmetics", "min_remaining_days": 3650},
                      headers=headers("warehouse"))
    assert res.status_code == 201, res.text


@pytest.mark.parametrize("paid_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59"])
def test_a_payment_time_at_the_calendars_edge_is_refused(client, headers, session,
                                                         paid_at: str) -> None:
    stocked(session, NOW)
    h = headers("order-service")
    order = client.post("/orders", json=order_body(), headers=h).json()
    res = client.post(f"/orders/{order['id']}/payment", headers=h, json={
        "transaction_id": "P1", "payer_name": "李小红", "payer_id_number": "11010519491231002X",
        "amount": "199.00", "paid_at": paid_at})
    _refused(res, "paid_at")


def test_hand_over_codes_are_bounded_and_a_wide_id_is_just_not_shipped(client, headers) -> None:
    h = headers("warehouse")
    res = client.post("/handover", json={"codes": ["WAVE-" + "9" * 5000]}, headers=h)
    _refused(res, "codes[0]")
    res = client.post("/handover", json={"codes": ["P2147483648", "WAVE-99999999999"]},
                      headers=h)
    assert res.status_code == 200, res.text
    assert {m["code"] for m in res.json()["not_shipped"]} == {"P2147483648",
                                                                 "WAVE-99999999999"}


def test_ids_past_the_id_column_are_422s_naming_the_path_field(client, headers) -> None:
    h = headers("order-service")
    assert client.get("/orders/2147483647", headers=h).status_code == 404
    _refused(client.get("/orders/2147483648", headers=h), "order_id")


def test_a_declaration_at_an_absurd_rate_is_refused(client, headers, session, settings) -> None:
    floor_stock(session, NOW)
    parcel = packable_parcel(session, NOW, settings=settings, lines={"SERUM-30ML": 1})
    session.commit()
    h = headers("warehouse")
    for rate in ("1e-999999", "0.0001", "1e7", "NaN"):
        res = client.get(f"/parcels/{parcel.id}/declaration.pdf", headers=h,
                         params={"currency_per_sdr": rate})
        assert res.status_code == 422, (rate, res.text)
        assert "currency_per_sdr" in res.text, rate


@pytest.mark.parametrize(("body", "field"), [
    ({"warehouse": "NGB", "sku": "SERUM-30ML", "qty": 1, "lot": "L\u0001X"}, "lot"),
    ({"warehouse": "NGB", "sku": "SERUM-30ML", "qty": 10**12, "lot": "L1"}, "qty"),
    ({"warehouse": "NGB", "sku": "SERUM-30ML", "qty": 1, "lot": "L1", "reference": "r" * 81},
     "reference"),
])
def test_a_receipt_with_a_name_no_label_can_print_is_refused(client, headers, session, body,
                                                             field) -> None:
    stocked(session, NOW)
    _refused(client.post("/inventory/receipts", json=body, headers=headers("warehouse")), field)


def test_a_transfer_receipt_naming_one_carton_twice_is_refused(client, headers) -> None:
    sscc = "012345670000000017"
    res = client.post("/transfers/1/receive", headers=headers("buyer"), json={"cartons": [
        {"sscc": sscc, "lot": "A", "expiry": "2028-01-01"},
        {"sscc": sscc, "lot": "B", "expiry": "2029-01-01"}]})
    assert "more than once" in _refused(res, "cartons")


@pytest.mark.parametrize("value", [425.5, "1e3", "1_000", "１００.00", "0.001", "٤٢٥"])
def test_a_quote_takes_money_only_as_the_contract_spells_it(client, headers, value) -> None:
    basket = {"regime": "cbec", "date": "2026-11-22", "origin": "JP", "lines": [
        {"name": "Serum", "tax_category": "general", "unit_price": value, "qty": 1}]}
    res = client.post("/customs/quote", json=basket, headers=headers("order-service"))
    _refused(res, "lines[0].unit_price")
    basket["lines"][0]["unit_price"] = "425"
    assert client.post("/customs/quote", json=basket,
                       headers=headers("order-service")).status_code == 200


def test_the_openapi_422_schema_is_the_shape_the_api_sends(client) -> None:
    spec = client.get("/openapi.json").json()
    problem = spec["components"]["schemas"]["HTTPValidationError"]
    assert problem["required"] == ["error", "detail"]
    assert set(problem["properties"]["detail"]["items"]["properties"]) == {"field", "reason"}
    answer = spec["paths"]["/skus"]["post"]["responses"]["422"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith(
        "/HTTPValidationError")
    # the other refusals a route may give are documented in the same shape
    assert {"401", "403", "413"} <= set(spec["paths"]["/skus"]["post"]["responses"])
    order = spec["paths"]["/orders/{order_id}"]["get"]["responses"]
    assert {"401", "403", "404"} <= set(order) and "413" not in order
    assert order["404"]["content"] == answer["content"]
    assert "401" not in spec["paths"]["/health"]["get"]["responses"]


def test_a_quote_dated_outside_the_calendar_in_china_time_is_refused(client, headers) -> None:
    basket = {"regime": "cbec", "date": "0001-01-01T00:00:00+14:00", "origin": "JP", "lines": [
        {"name": "Serum", "tax_category": "general", "unit_price": "425.00", "qty": 1}]}
    res = client.post("/customs/quote", json=basket, headers=headers("order-service"))
    assert "calendar" in _refused(res, "date")


def test_a_nul_in_a_query_parameter_or_path_is_refused_naming_it(client, headers) -> None:
    h = headers("warehouse")
    res = client.get("/waves/1/picklist.pdf?warehouse=N%00B", headers=h)
    assert "NUL" in _refused(res, "warehouse")
    _refused(client.get("/skus/A%00B", headers=h), "path")
    assert client.get("/inventory/availability?sku=A%2500", headers=h).status_code != 422


@pytest.mark.parametrize(("method", "path", "status", "error", "field"), [
    ("get", "/no-such-route", 404, "not_found", "path"),
    ("delete", "/health", 405, "method_not_allowed", "method"),
    ("get", "/orders/1", 401, "unauthorized", "X-API-Key"),
])
def test_routing_and_key_refusals_have_the_same_shape_as_every_other(
        client, method: str, path: str, status: int, error: str, field: str) -> None:  # noqa: ANN001
    res = getattr(client, method)(path)
    assert res.status_code == status
    body = res.json()
    assert body["error"] == error and [p["field"] for p in body["detail"]] == [field], body
    assert all(p["reason"] for p in body["detail"])


def test_a_warehouse_pick_capacity_past_any_column_is_refused(client, headers) -> None:
    # SQLite raised OverflowError (a 500); PostgreSQL a DataError
    body = {"id": "BIG", "name": "Big", "kind": "bonded", "customs_mode": "1210",
            "country": "CN", "pick_capacity_units": 2**63}
    _refused(client.post("/warehouses", json=body, headers=headers("admin")),
             "pick_capacity_units")


@pytest.mark.parametrize("qty", [True, "12", 12.0, " 12 "])
def test_a_quantity_in_a_json_body_must_be_a_json_integer(client, headers, qty) -> None:  # noqa: ANN001
    # pydantic's lax mode read true as 1 unit and "12" or 12.0 as 12, as the order intake never did
    body = {"id": "W1", "name": "W", "kind": "bonded", "customs_mode": "1210", "country": "CN",
            "pick_capacity_units": qty}
    _refused(client.post("/warehouses", json=body, headers=headers("admin")),
             "pick_capacity_units")
    receipt = {"warehouse": "W1", "sku": "S", "qty": qty, "lot": "L1"}
    _refused(client.post("/inventory/receipts", json=receipt, headers=headers("admin")), "qty")
