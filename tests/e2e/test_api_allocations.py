"""Allocation over HTTP: stateless solve, waves, and the per-order explanation."""

from __future__ import annotations

import json

from tests.conftest import NOW
from tests.fulfilment.wave_builders import network, paid_order
from tests.routing.test_problem import EXAMPLE


def test_solve_is_stateless_and_finds_the_example_optimum(client, headers):
    body = json.loads(EXAMPLE.read_text())
    r = client.post("/allocations/solve?time_limit_s=10", json=body,
                    headers=headers("order-service"))
    assert r.status_code == 200, r.text
    assert r.json()["objective"] == 1128.32 and r.json()["status"] == "optimal"


def test_solve_names_what_is_wrong(client, headers):
    body = json.loads(EXAMPLE.read_text())
    body["lanes"][0]["warehouse"] = "NOWHERE"
    r = client.post("/allocations/solve", json=body, headers=headers("order-service"))
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_wave"
    assert {"field": "lanes[0].warehouse", "reason": "unknown warehouse 'NOWHERE'"} in \
        r.json()["detail"]


def test_solve_needs_the_order_service_role(client, headers):
    body = json.loads(EXAMPLE.read_text())
    assert client.post("/allocations/solve", json=body,
                       headers=headers("buyer")).status_code == 403
    assert client.post("/allocations/solve", json=body).status_code == 401


def test_wave_over_http_then_order_shows_parcels_and_shadow(client, headers, session_factory,
                                                            settings):
    network(session_factory, NOW, ngb=1, zz=10)
    ids = [paid_order(session_factory, settings, NOW, qty=q) for q in (1, 2)]
    r = client.post("/allocations/waves?time_limit_s=5", headers=headers("warehouse"))
    assert r.status_code == 201, r.text
    wave = r.json()
    assert wave["status"] == "optimal" and wave["allocated_orders"] == 2
    assert wave["cost"]["total"] == float(wave["objective"])
    got = client.get(f"/allocations/waves/{wave['id']}", headers=headers("order-service"))
    assert got.json() == wave
    assert client.get("/allocations/waves/999", headers=headers("warehouse")).status_code == 404
    order = client.get(f"/orders/{ids[1]}", headers=headers("order-service")).json()
    assert order["status"] == "allocated" and order["parcels"]
    explained = client.get(f"/orders/{ids[1]}/allocation", headers=headers("order-service"))
    assert explained.status_code == 200
    body = explained.json()
    assert body["parcels"][0]["cost"] and "total" in body["shadow"]
    assert float(body["saving_vs_greedy"]) == float(body["shadow"]["total"]) - float(
        body["total"])
