"""The board's ranking and what it loads."""

from __future__ import annotations

from datetime import date, timedelta

from fulfilment import planning, planning_board
from inventory.money import cny

TODAY = date(2026, 11, 22)


def _flat(days: int, per_day: int = 10) -> dict[date, int]:
    return {TODAY - timedelta(days=k): per_day for k in range(1, days + 1)}


def test_momentum_compares_a_week_with_the_weeks_the_sku_has() -> None:
    assert planning_board.momentum(_flat(42), today=TODAY) == 1.0
    assert planning_board.momentum(_flat(14), today=TODAY) == 1.0  # was 4.7: five weeks assumed
    rising = {**_flat(42, 10), **{TODAY - timedelta(days=k): 30 for k in range(1, 8)}}
    assert planning_board.momentum(rising, today=TODAY) == (210 + 1) / (70 + 1)
    assert planning_board.momentum({TODAY: 500}, today=TODAY) == 1.0  # today is not a week yet


def test_the_board_charts_the_top_skus_and_reads_only_its_window(session,
                                                                monkeypatch) -> None:  # noqa: ANN001
    text = "date,sku,units\n" + "".join(
        f"{TODAY - timedelta(days=d)},S{n:03d},{n + 1}\n" for n in range(130) for d in (1, 90))
    planning.import_sales(session, text=text)
    session.commit()
    monkeypatch.setattr(planning_board, "CHARTED", 100)
    data = planning_board.board(session, today=TODAY)
    assert len(data["cards"]) == 100 and data["more"] == 30
    history = planning.sales_history(session, since=TODAY - timedelta(days=42))
    assert {r.day for r in history} == {TODAY - timedelta(days=1)}


def _proposed_plan(session) -> tuple[int, int]:  # noqa: ANN001
    """One SKU with signals, a stored forecast and a proposed plan: (plan id, its line id)."""
    from datetime import UTC, datetime

    from fulfilment.localtime import business_day
    from inventory import planning_store
    from inventory.forecast import ForecastRow
    from inventory.planning_tables import HubCapacity, SupplySource
    from inventory.signals import SignalRow
    from tests.builders import a_sku, a_warehouse

    now = datetime.now(UTC)
    today = business_day(now)
    a_warehouse(session, "NGB")
    a_sku(session, "SERUM-30ML", price_fen=12900, weight_g=120, shelf_life_days=720)
    session.add(SupplySource(sku_id="SERUM-30ML", market="KR", supplier="Seoul Beauty Co",
                             hub="NGB", unit_cost_fen=4000, moq=12, case_pack=12, lead_days=5,
                             freight_fen_per_kg=3800))
    planning_store.upsert_signals(session, rows=[
        SignalRow(today - timedelta(days=d), "SERUM-30ML", 1, 80, 10, 3, 1, 6)
        for d in range(1, 29)])
    session.add(HubCapacity(warehouse_id="NGB", capacity_units=2000))
    planning_store.save_forecast(session, rows=[
        ForecastRow("SERUM-30ML", today + timedelta(days=h), 3, 6, 10) for h in range(14)],
        made_at=now, start=today, horizon=14)
    plan = planning.propose(session, now=now, budget_fen=1_000_000, time_limit_s=5)
    session.commit()
    (line,) = planning_store.plan_lines(session, plan.id)
    ids = plan.id, line.id
    session.rollback()  # SQLite: a session's every transaction holds the write lock
    return ids


def _rows(session) -> list:  # noqa: ANN001
    from sqlmodel import select

    from inventory.planning_tables import PurchaseOrder, PurchasePlan, PurchasePlanLine

    session.expire_all()
    rows = [tuple(sorted(r.model_dump().items())) for table in
            (PurchasePlan, PurchasePlanLine, PurchaseOrder) for r in session.exec(select(table))]
    session.rollback()
    return rows


def _message(page: str) -> str:
    import re

    return re.search(r'<div id="message"[^>]*>(.*?)</div>', page, re.S).group(1).strip()


def test_the_board_forms_edit_remove_and_approve_without_javascript(client, headers,
                                                                     session) -> None:  # noqa: ANN001
    plan_id, line_id = _proposed_plan(session)
    h = headers("buyer")
    page = client.get("/board", headers=h).text
    assert 'method="post" action="/board"' in page and 'id="approve-form"' in page
    edit = {"action": "edit", "plan_id": str(plan_id), "line_id": str(line_id)}
    got = client.post("/board", data={**edit, "qty": "24"}, headers=h)
    assert got.status_code == 200 and _message(got.text).endswith("24 units")
    assert 'value="24"' in got.text and "edited by the buyer" in got.text
    got = client.post("/board", data={**edit, "removed": "true"}, headers=h)
    assert got.status_code == 200 and _message(got.text).endswith("removed")
    assert 'class="removed"' in got.text and ">restore</button>" in got.text
    assert client.post("/board", data={**edit, "removed": "false"}, headers=h).status_code == 200
    got = client.post("/board", data={"action": "approve", "plan_id": str(plan_id)}, headers=h)
    assert got.status_code == 200 and "approved: purchase orders 1" in _message(got.text)
    assert "/purchase-orders/1/document?format=pdf" in got.text
    for again in ({"action": "approve", "plan_id": str(plan_id)}, {**edit, "qty": "12"}):
        before = _rows(session)
        got = client.post("/board", data=again, headers=h)
        assert got.status_code == 409 and _message(got.text) == "plan_id: plan is approved"
        assert _rows(session) == before


def test_a_plan_with_every_line_removed_cannot_be_approved(client, headers,
                                                          session) -> None:  # noqa: ANN001
    plan_id, line_id = _proposed_plan(session)
    h = headers("buyer")
    removed = {"action": "edit", "plan_id": str(plan_id), "line_id": str(line_id),
               "removed": "true"}
    assert client.post("/board", data=removed, headers=h).status_code == 200
    before = _rows(session)
    got = client.post("/board", data={"action": "approve", "plan_id": str(plan_id)}, headers=h)
    assert got.status_code == 409 and _message(got.text).startswith("lines: every line is removed")
    api = client.post(f"/plans/{plan_id}/approve", headers=h)
    assert api.status_code == 409 and api.json()["error"] == "nothing_to_buy"
    assert _rows(session) == before


def test_a_bad_board_form_names_its_field_and_changes_nothing(client, headers,
                                                              session) -> None:  # noqa: ANN001
    plan_id, line_id = _proposed_plan(session)
    h = {**headers("buyer"), "Content-Type": "application/x-www-form-urlencoded"}
    edit = f"action=edit&plan_id={plan_id}&line_id={line_id}"
    before = _rows(session)
    for body, status, message in [
        (f"{edit}&qty=", 422, "qty: enter a whole number"),
        (f"{edit}&qty=-12", 422, "qty: enter a whole number"),
        (f"{edit}&qty=1e400", 422, "qty: enter a whole number"),
        (f"{edit}&qty=NaN", 422, "qty: enter a whole number"),
        (f"{edit}&qty=%EF%BC%92%EF%BC%94", 422, "qty: enter a whole number"),  # full-width 24
        (f"{edit}&qty=" + "9" * 30, 422, "qty: must be at most 1000000000 units"),
        (f"{edit}&qty=13", 422, "qty: must be whole cases of 12"),
        (f"{edit}&qty=2%004", 422, "qty: holds a NUL character"),
        (f"{edit}&qty=%ED%A0%80", 422, "qty: is not UTF-8 text"),
        (f"{edit}&qty=%3Cscript%3Ealert(1)%3C/script%3E", 422, "qty: enter a whole number"),
        (f"{edit}&qty=24&qty=0", 422, "qty: is given twice"),
        (f"{edit}&removed=yes", 422, "removed: must be true or false"),
        (edit, 422, "qty: enter a whole number"),
        (f"action=edit&plan_id={plan_id}&line_id=99999999999&qty=24", 422, "line_id: must be"),
        (f"action=edit&plan_id={plan_id}&line_id={line_id + 1}&qty=24", 404, "line_id: not in"),
        (f"action=approve&plan_id={plan_id + 1}", 404, "plan_id: not found"),
        ("action=%3Cscript%3E", 422, "action: must be edit or approve"),
        (f"{edit}&qty=" + "1" * 100_000, 422, "body: is over 65536 bytes"),
    ]:
        got = client.post("/board", content=body, headers=h)
        assert got.status_code == status, (body[:60], got.text[-600:])
        assert _message(got.text).startswith(message), (body[:60], _message(got.text))
        assert "<script>alert" not in got.text and 'id="plan"' in got.text
    got = client.post("/board", json={"action": "approve", "plan_id": plan_id},
                      headers=headers("buyer"))
    assert got.status_code == 422 and "send the page" in _message(got.text)
    for who in ({}, headers("warehouse"), {"X-API-Key": "nope"}):  # never signed in as a buyer
        got = client.post("/board", data={"action": "approve", "plan_id": str(plan_id)},
                          headers=who)
        assert got.status_code == 401 and 'id="login"' in got.text
    assert _rows(session) == before


def test_an_edit_over_budget_is_kept_but_shown_and_approval_refused_in_cny(
        client, headers, session) -> None:  # noqa: ANN001
    plan_id, line_id = _proposed_plan(session)  # budget 10000.00 CNY
    h = headers("buyer")
    got = client.patch(f"/plans/{plan_id}/lines/{line_id}", json={"qty": 1200}, headers=h)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["over_budget"] is True
    assert body["over_budget_fen"] == body["spent_fen"] - 1_000_000 > 0
    spent, over = cny(body["spent_fen"]), cny(body["over_budget_fen"])
    assert body["warnings"] == [f"plan costs {spent} CNY, {over} CNY over its budget of "
                                f"10000.00 CNY: reduce or remove lines before approving (or ask "
                                f"for a new plan with a larger budget)"]
    page = client.get("/board", headers=h).text
    assert '<p id="over-budget" class="warning" role="alert">' in page
    assert f"plan costs {spent} CNY" in page
    refused = client.post(f"/plans/{plan_id}/approve", headers=h)
    assert refused.status_code == 422 and refused.json()["error"] == "over_budget"
    assert refused.json()["detail"][0]["reason"] == body["warnings"][0]
    assert "fen" not in refused.json()["detail"][0]["reason"]
    edit = {"action": "edit", "plan_id": str(plan_id), "line_id": str(line_id)}
    got = client.post("/board", data={**edit, "qty": "1212"}, headers=h)
    assert got.status_code == 200 and "1212 units; over budget: plan costs" in _message(got.text)
    got = client.post("/board", data={**edit, "qty": "12"}, headers=h)
    assert _message(got.text).endswith("12 units") and 'id="over-budget" class="warning" ' \
        'role="alert" hidden' in got.text
    assert client.patch(f"/plans/{plan_id}/lines/{line_id}", json={"qty": 12},
                        headers=h).json()["over_budget"] is False


def test_a_plan_notes_skus_it_could_not_buy_over_http_and_on_the_board(
        client, headers, session) -> None:  # noqa: ANN001
    from inventory.planning_tables import SupplySource
    from tests.builders import a_sku, a_warehouse

    a_warehouse(session, "NGB")
    a_sku(session, "NEW-MASK", price_fen=9900, weight_g=80, shelf_life_days=720)
    session.add(SupplySource(sku_id="NEW-MASK", market="JP", supplier="Osaka", hub="NGB",
                             unit_cost_fen=2000, moq=1, case_pack=1, lead_days=5,
                             freight_fen_per_kg=3800))
    session.commit()
    plan_id, _ = _proposed_plan(session)
    note = ("no forecast for NEW-MASK: nothing is bought for them (a missing forecast is not "
            "zero demand; forecast them to plan them)")
    h = headers("buyer")
    got = client.get(f"/plans/{plan_id}", headers=h).json()
    assert got["notes"] == [note] and [ln["sku_id"] for ln in got["lines"]] == ["SERUM-30ML"]
    page = client.get("/board", headers=h).text
    assert f'<ul class="notes" id="plan-notes">\n <li>{note}</li>' in page
