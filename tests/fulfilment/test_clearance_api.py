"""Customs over HTTP: POST /customs/quote and GET /customs/buyers/{masked-or-hash}/quota."""

from __future__ import annotations

import json

from fulfilment import clearance, privacy
from tests.builders import EXAMPLES, stocked
from tests.conftest import NOW
from tests.fulfilment.test_clearance import allocated_order, run_simulator

ID = "11010519491231002X"


def test_quote_for_any_role(client, headers):
    basket = json.loads((EXAMPLES / "basket.json").read_text())
    for role in ("buyer", "order-service", "warehouse"):
        r = client.post("/customs/quote", json=basket, headers=headers(role))
        assert r.status_code == 200, r.text
        assert (r.json()["total_tax"], r.json()["rule_set"]) == ("100.31", "cn-cbec-2019-04-01")
    assert client.post("/customs/quote", json=basket).status_code == 401


def test_bad_basket_is_422_naming_fields(client, headers):
    r = client.post("/customs/quote", json={"regime": "cbec", "date": "2026-11-22",
                                            "lines": [{"name": "x", "unit_price": "1",
                                                       "qty": 0}]},
                    headers=headers("buyer"))
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_basket"
    assert r.json()["detail"][0]["field"] == "lines[0].qty"


def test_quota_by_masked_id_and_by_hash(client, headers, session_factory, settings, session):
    stocked(session, NOW, qty=5)
    allocated_order(session_factory, settings)
    clearance.declare_job(session_factory, settings, now=NOW)
    run_simulator(settings)
    clearance.receipts_job(session_factory, settings, now=NOW)
    masked = privacy.mask_id(ID)
    r = client.get(f"/customs/buyers/{masked}/quota?year=2026", headers=headers("warehouse"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["used"], body["held"], body["remaining"], body["limit"]) == (
        "425.00", "0.00", "25575.00", "26000.00")
    assert ID not in r.text
    by_hash = client.get(f"/customs/buyers/{body['buyer_hash']}/quota?year=2026",
                         headers=headers("order-service"))
    assert by_hash.json()["used"] == "425.00"
    assert client.get("/customs/buyers/999***********0000/quota",
                      headers=headers("order-service")).status_code == 404
    # a buyer's personal data: not for the buyers' team
    assert client.get(f"/customs/buyers/{masked}/quota", headers=headers("buyer")).status_code \
        == 403
