"""Buyers' planning over HTTP: import, forecast, propose, edit, approve, POs, inbound, receive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from fulfilment.localtime import business_day
from inventory import signals, worlds
from inventory import store as stock
from inventory.planning_tables import HubCapacity, SalesDay, SignalDay, SupplySource
from labels import barcodes
from tests.builders import a_sku, a_warehouse

TODAY = business_day(datetime.now(UTC))
WORLD = worlds.generate(11, skus=6, days=70, first_day=TODAY - timedelta(days=70))


def _catalogue(session: Session) -> list[str]:
    a_warehouse(session, "NGB")
    skus = sorted(WORLD.categories)[:3]
    for n, sku in enumerate(skus):
        a_sku(session, sku, price_fen=12900, weight_g=150, shelf_life_days=720)
        session.add(SupplySource(sku_id=sku, market="KR", supplier="Seoul Beauty Co", hub="NGB",
                                 unit_cost_fen=3000 + 500 * n, moq=6, case_pack=6, lead_days=5,
                                 freight_fen_per_kg=3800))
    session.add(HubCapacity(warehouse_id="NGB", capacity_units=5000))
    session.commit()
    return skus


def _import(client, headers) -> None:  # noqa: ANN001
    body = {"signals_csv": signals.signals_to_csv(WORLD.signals),
            "sales_csv": signals.sales_to_csv(WORLD.sales)}
    got = client.post("/signals", json=body, headers=headers("buyer"))
    assert got.status_code == 200, got.text
    assert got.json() == {"signals": len(WORLD.signals), "sales": len(WORLD.sales)}


def test_a_bad_row_imports_nothing_and_reimport_does_not_double(client, headers,
                                                                session) -> None:  # noqa: ANN001
    bad = signals.sales_to_csv(WORLD.sales[:5]) + "2026-02-30,X,1\n"
    got = client.post("/signals", json={"sales_csv": bad}, headers=headers("buyer"))
    assert got.status_code == 422
    assert got.json()["detail"][0]["field"] == "sales_csv.row 7.date"
    assert session.exec(select(SalesDay)).all() == []
    session.rollback()  # let the app's connection write (SQLite takes the lock on read)
    _import(client, headers)
    _import(client, headers)
    session.expire_all()
    assert len(session.exec(select(SignalDay)).all()) == len(WORLD.signals)
    assert len(session.exec(select(SalesDay)).all()) == len(WORLD.sales)


@pytest.mark.parametrize(("body", "field"), [
    ({"sales": "date,sku,units\n2026-06-01,X,4\n"}, "sales"),  # a misspelt key
    ({"sales_csv": "date,sku,units\n2026-06-01,X,4\n", "signal_csv": ""}, "signal_csv"),
    ({}, "body"),  # neither file
    ({"signals_csv": "", "sales_csv": ""}, "body"),
])
def test_an_unknown_key_or_no_file_is_refused_and_imports_nothing(
        body: dict, field: str, client, headers, session) -> None:  # noqa: ANN001
    got = client.post("/signals", json=body, headers=headers("buyer"))
    assert got.status_code == 422, got.text
    assert got.json()["error"] == "invalid_request"
    assert [p["field"] for p in got.json()["detail"]] == [field]
    assert session.exec(select(SalesDay)).all() == []


def test_only_buyers_plan(client, headers) -> None:  # noqa: ANN001
    assert client.get("/forecasts", headers=headers("warehouse")).status_code == 403


def test_forecast_plan_edit_approve_and_receive(client, headers, session) -> None:  # noqa: ANN001
    skus = _catalogue(session)
    _import(client, headers)
    h = headers("buyer")
    assert client.post("/forecasts", headers=h).status_code == 201
    rows = client.get("/forecasts", headers=h).json()["rows"]
    assert len(rows) == len(WORLD.categories) * 14
    plan = client.post("/plans", json={"budget": "20000.00"}, headers=h)
    assert plan.status_code == 201, plan.text
    plan = plan.json()
    assert plan["lines"] and plan["spent_fen"] <= 2_000_000
    line = plan["lines"][0]
    bad = client.patch(f"/plans/{plan['id']}/lines/{line['id']}", json={"qty": 7}, headers=h)
    assert bad.status_code == 422
    edited = client.patch(f"/plans/{plan['id']}/lines/{line['id']}", json={"qty": 12},
                          headers=h).json()
    assert edited["lines"][0]["qty"] == 12
    approved = client.post(f"/plans/{plan['id']}/approve", headers=h)
    assert approved.status_code == 200, approved.text
    assert client.post(f"/plans/{plan['id']}/approve", headers=h).status_code == 409
    po_id = approved.json()["purchase_orders"][0]
    po = client.get(f"/purchase-orders/{po_id}", headers=h).json()
    assert po["supplier"] == "Seoul Beauty Co"
    pdf = client.get(f"/purchase-orders/{po_id}/document?format=pdf", headers=h)
    assert pdf.content.startswith(b"%PDF")
    csv = client.get(f"/purchase-orders/{po_id}/document?format=csv", headers=h).text
    assert csv.splitlines()[0].startswith("po,supplier")
    xlsx = client.get(f"/purchase-orders/{po_id}/document?format=xlsx", headers=h)
    assert xlsx.content[:2] == b"PK"
    transfer = client.get(f"/transfers/{po['transfers'][0]}", headers=h).json()
    assert all(barcodes.is_valid_sscc(c["sscc"]) for c in transfer["cartons"])
    labels = client.get(f"/transfers/{transfer['id']}/labels", headers=h)
    assert labels.status_code == 200 and labels.content.startswith(b"%PDF")
    assert client.get("/transfers/999999/labels", headers=h).status_code == 404
    before = {s: stock.available(session, s) for s in skus}
    session.rollback()
    got = client.post(f"/transfers/{transfer['id']}/receive", headers=h)
    assert got.status_code == 200, got.text
    session.expire_all()
    gained = sum(stock.available(session, s) - before[s] for s in skus)
    assert gained == got.json()["received_units"] == sum(c["qty"] for c in transfer["cartons"])
    session.rollback()
    assert client.post(f"/transfers/{transfer['id']}/receive", headers=h).status_code == 409
    assert stock.ledger_problems(session) == []
    assert session.exec(select(SupplySource)).first() is not None


def test_a_forecast_run_keeps_its_notes_on_a_short_export(client, headers) -> None:  # noqa: ANN001
    short = [r for r in WORLD.signals if r.day < TODAY - timedelta(days=2)]
    body = {"signals_csv": signals.signals_to_csv(short),
            "sales_csv": signals.sales_to_csv(WORLD.sales)}
    h = headers("buyer")
    assert client.post("/signals", json=body, headers=h).status_code == 200
    made = client.post("/forecasts", headers=h).json()["run"]
    assert len(made["notes"]) == 1 and "end 2 day(s) before the sales" in made["notes"][0]
    assert client.get("/forecasts", headers=h).json()["run"]["notes"] == made["notes"]
    page = client.get("/board", headers=h).text
    assert 'id="forecast-notes"' in page and "end 2 day(s) before the sales" in page


def test_an_empty_database_forecasts_nothing_and_a_huge_budget_is_refused(client,
                                                                          headers) -> None:  # noqa: ANN001
    h = headers("buyer")
    made = client.post("/forecasts", headers=h)
    assert made.status_code == 201, made.text
    assert client.get("/forecasts", headers=h).json()["rows"] == []
    got = client.post("/plans", json={"budget": "2000000000000.00"}, headers=h)
    assert got.status_code == 422
    assert got.json()["detail"] == [{"field": "budget",
                                     "reason": "must be at most 1000000000000.00 CNY"}]


def test_a_forecast_horizon_past_a_year_is_refused(client, headers) -> None:  # noqa: ANN001
    got = client.post("/forecasts?horizon=100000000", headers=headers("buyer"))
    assert got.status_code == 422 and "horizon" in got.text


def test_an_unknown_document_format_is_refused(client, headers) -> None:  # noqa: ANN001
    got = client.get("/purchase-orders/1/document?format=docx", headers=headers("buyer"))
    assert got.status_code == 422 and got.json()["detail"][0]["field"] == "format"


def test_the_board_asks_a_browser_for_a_buyers_key_once(client, headers) -> None:  # noqa: ANN001
    page = client.get("/board")
    assert page.status_code == 200 and 'id="login"' in page.text
    wrong = client.get("/board", params={"key": headers("warehouse")["X-API-Key"]})
    assert wrong.status_code == 401 and "that key is not a buyer" in wrong.text
    signed = client.get("/board", params={"key": headers("buyer")["X-API-Key"]},
                        follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/board"
    assert "fulfilment_key=" in signed.headers["set-cookie"]
    board = client.get("/board")  # the client keeps the cookie
    assert board.status_code == 200 and "Proposed plan" in board.text
    assert client.get("/forecasts").status_code == 200  # the cookie opens the API to a buyer
    client.cookies.clear()
    assert client.get("/forecasts").status_code == 401


def test_a_receipt_names_a_bad_carton_field(client, headers) -> None:  # noqa: ANN001
    got = client.post("/transfers/1/receive", json={"cartons": [{"sscc": "1"}]},
                      headers=headers("buyer"))
    assert got.status_code == 422 and got.json()["detail"][0]["field"] == "cartons[0].sscc"


def test_the_dock_receives_and_prints_labels_and_the_order_service_may_not(
        client, headers, session) -> None:  # noqa: ANN001
    _catalogue(session)
    _import(client, headers)
    h = headers("buyer")
    plan = client.post("/plans", json={"budget": "20000.00"}, headers=h).json()
    approved = client.post(f"/plans/{plan['id']}/approve", headers=h).json()
    first, *_ = approved["transfers"]
    other = headers("order-service")  # neither labels nor a receipt
    assert client.get(f"/transfers/{first}/labels", headers=other).status_code == 403
    assert client.post(f"/transfers/{first}/receive", headers=other).status_code == 403
    for role in ("warehouse", "buyer"):
        labels = client.get(f"/transfers/{first}/labels", headers=headers(role))
        assert labels.status_code == 200 and labels.content.startswith(b"%PDF")
    assert client.get(f"/transfers/{first}", headers=other).status_code == 403
    # the dock sees the cartons it is to count before it receives them
    seen = client.get(f"/transfers/{first}", headers=headers("warehouse"))
    assert seen.status_code == 200 and seen.json()["status"] == "in_transit"
    assert seen.json()["cartons"] and all(len(c["sscc"]) == 18 for c in seen.json()["cartons"])
    got = client.post(f"/transfers/{first}/receive", headers=headers("warehouse"))
    assert got.status_code == 200, got.text
    assert client.post(f"/transfers/{first}/receive", headers=h).status_code == 409
