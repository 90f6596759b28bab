"""The planning board in a real headless Chromium: charts, edit a quantity, remove, approve.

Runs a real uvicorn server on a free loopback port in a thread; the buyer's key is a cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from fulfilment import planning
from fulfilment.localtime import business_day
from inventory import planning_store
from inventory.forecast import ForecastRow
from inventory.planning_tables import HubCapacity, PurchaseOrder, PurchasePlan, SupplySource
from inventory.signals import SaleRow, SignalRow
from tests.builders import a_sku, a_warehouse
from tests.e2e.browser import ARGS, CHROMIUM, needs_chromium

pytestmark = needs_chromium
NOW = datetime.now(UTC)
SKUS = ("SERUM-30ML", "NEW-LIPTINT")


def _proposed_plan(session) -> int:  # noqa: ANN001
    """Two SKUs with history, a stored forecast and a proposed plan (no model fit needed)."""
    a_warehouse(session, "NGB")
    today = business_day(NOW)  # the plan's day: a forecast from before it is made again
    for n, sku in enumerate(SKUS):
        a_sku(session, sku, price_fen=12900, weight_g=120, shelf_life_days=720)
        session.add(SupplySource(sku_id=sku, market="KR", supplier="Seoul Beauty Co", hub="NGB",
                                 unit_cost_fen=4000 + 1000 * n, moq=12, case_pack=12,
                                 lead_days=5, freight_fen_per_kg=3800))
        past = [today - timedelta(days=d) for d in range(1, 29)]
        planning_store.upsert_signals(session, rows=[SignalRow(d, sku, 1, 80, 10 + n, 3, 1, 6)
                                                     for d in past])
        if n == 0:
            planning_store.upsert_sales(session, rows=[SaleRow(d, sku, 5) for d in past])
    session.add(HubCapacity(warehouse_id="NGB", capacity_units=2000))
    rows = [ForecastRow(sku, today + timedelta(days=h), 3, 6, 10) for sku in SKUS
            for h in range(14)]
    planning_store.save_forecast(session, rows=rows, made_at=NOW, start=today, horizon=14)
    plan = planning.propose(session, now=NOW, budget_fen=1_000_000, time_limit_s=5)
    session.commit()
    return plan.id


def test_buyer_edits_and_approves_on_the_board(server, session, headers) -> None:  # noqa: ANN001
    from playwright.sync_api import sync_playwright

    plan_id = _proposed_plan(session)
    assert len(planning_store.plan_lines(session, plan_id)) == 2
    session.rollback()
    key = headers("buyer")["X-API-Key"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context()
        context.add_cookies([{"name": "fulfilment_key", "value": key, "url": server}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{server}/board")
        assert page.locator(".card svg.chart").count() == 2
        assert page.locator(".card svg polygon.band").count() == 2
        first, second = page.locator("#plan tr[data-line]").all()
        spent = page.locator("#spent").text_content()
        margin = page.locator("#margin").text_content()
        qty = first.locator("input[name=qty]")
        qty.fill("")  # an emptied field is no quantity: nothing is sent
        qty.dispatch_event("change")
        page.wait_for_function("document.getElementById('message').textContent"
                               ".startsWith('qty: enter a whole number')")
        with page.expect_response(lambda r: "/lines/" in r.url):
            qty.fill("24")
            qty.dispatch_event("change")
        page.wait_for_function(f"document.getElementById('spent').textContent !== '{spent}'")
        # the server re-figured the line and the plan: the page shows its figures
        assert page.locator("#margin").text_content() != margin
        assert first.locator("td.reason").text_content().startswith("edited by the buyer")
        with page.expect_response(lambda r: "/lines/" in r.url):
            second.locator("button.remove").click()
        page.wait_for_function("document.querySelectorAll('#plan tr.removed').length === 1")
        assert "removed" in (second.get_attribute("class") or "")
        # over budget: the edit is kept, but the page says so, never a plain "saved"
        assert not page.locator("#over-budget").is_visible()
        with page.expect_response(lambda r: "/lines/" in r.url):
            qty.fill("1200")
            qty.dispatch_event("change")
        page.wait_for_function("document.getElementById('message').textContent"
                               ".startsWith('saved, but over budget: plan costs')")
        assert page.locator("#over-budget").is_visible()
        assert "over its budget of 10000.00 CNY" in page.locator("#over-budget").text_content()
        with page.expect_response(lambda r: "/lines/" in r.url):
            qty.fill("24")
            qty.dispatch_event("change")
        page.wait_for_function("document.getElementById('message').textContent === 'saved'")
        assert not page.locator("#over-budget").is_visible()
        with page.expect_response(lambda r: "/approve" in r.url):
            page.locator("#approve").click()
        page.wait_for_function("document.getElementById('message').textContent"
                               ".startsWith('approved')")
        hrefs = [a.get_attribute("href") for a in page.locator("#documents a").all()]
        assert any(h.endswith("/document?format=pdf") for h in hrefs)
        labels = [h for h in hrefs if h.endswith("/labels")]
        assert labels and context.request.get(f"{server}{labels[0]}").body()[:4] == b"%PDF"
        browser.close()
    session.expire_all()
    assert session.get(PurchasePlan, plan_id).status == "approved"
    orders = session.exec(select(PurchaseOrder)).all()
    assert len(orders) == 1
    lines = planning_store.plan_lines(session, plan_id)
    assert [ln.qty for ln in lines if not ln.removed] == [24]
