"""The edges of the solver: the HTTP route refuses waves past its size limits with a 422 that
names the field and the reason (before solving anything), and both the route and the command
line say why an answer is the greedy rule's."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import routing
from fulfilment.api import allocations
from fulfilment.cli import app
from tests.routing.test_problem import EXAMPLE, example


@pytest.fixture
def post(client, headers):
    def send(problem: dict, query: str = ""):
        return client.post(f"/allocations/solve{query}", json=problem,
                           headers=headers("order-service"))
    return send


@pytest.fixture
def no_solve(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("a wave past the limits reached the solver")

    monkeypatch.setattr(routing, "solve", refused)
    monkeypatch.setattr(routing, "parse", refused)


def test_more_orders_than_the_benchmarked_wave_is_422_naming_the_field(post, no_solve):
    data = example()
    order = data["orders"][0]
    data["orders"] = [dict(order, id=f"O{i}") for i in range(allocations.MAX_ORDERS + 1)]
    r = post(data)
    assert r.status_code == 422
    assert r.json() == {"error": "invalid_wave", "detail": [
        {"field": "orders", "reason": "20,001 orders: at most 20,000 in one solve"}]}


def test_too_many_warehouses_and_lanes_are_each_named(post, no_solve):
    data = example()
    data["warehouses"] = [dict(data["warehouses"][0], id=f"W{i}") for i in range(21)]
    data["lanes"] = [dict(data["lanes"][0], zone=f"Z{i}") for i in range(20_001)]
    r = post(data)
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"field": "warehouses", "reason": "21 warehouses: at most 20 in one solve"},
        {"field": "lanes", "reason": "20,001 lanes: at most 20,000 in one solve"}]


def test_too_many_order_lines_in_all_is_422(post, no_solve, monkeypatch):
    monkeypatch.setattr(allocations, "MAX_ORDER_LINES", 5)  # the example has 6
    r = post(example())
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"field": "orders[].lines", "reason": "6 order lines: at most 5 in one solve"}]


def test_a_wave_at_the_limits_is_solved(post, monkeypatch):
    monkeypatch.setitem(allocations.LIMITS, "orders", 4)
    monkeypatch.setitem(allocations.LIMITS, "warehouses", 3)
    monkeypatch.setattr(allocations, "MAX_ORDER_LINES", 6)
    r = post(example(), "?time_limit_s=10")
    assert r.status_code == 200 and r.json()["objective"] == 1128.32
    assert "x-allocation-note" not in r.headers


def test_weights_past_any_sku_are_422_over_http(post):
    data = example()
    data["skus"][0]["weight_g"] = 2**63
    r = post(data)
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "skus[0].weight_g"


def test_a_greedy_answer_says_why_in_a_header_not_in_the_contract_body(post):
    r = post(example(), "?time_limit_s=0.001")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "baseline" and body["objective"] == 1128.84
    assert "note" not in body
    assert r.headers["x-allocation-note"].startswith("time limit 0.001 s too short for the "
                                                     "solver")


def test_the_command_line_prints_the_note(tmp_path, monkeypatch):
    monkeypatch.setattr(routing.solver, "MODEL_S_MIN", 1e6)  # no model fits the limit
    out = tmp_path / "solution.json"
    r = CliRunner().invoke(app, ["route", "solve", str(EXAMPLE), "--out", str(out),
                                 "--time-limit", "5"])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["status"] == "baseline"
    assert "note: time limit 5 s too short for the solver" in r.output
