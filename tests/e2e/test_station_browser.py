"""The pack station in a real headless Chromium: a keyboard-wedge scanner types code + Enter.

A correct parcel, a wrong item refused, an extra item refused, undo, and completion producing
a label that scans. Runs a real uvicorn server on a free loopback port in a thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest
import zxingcpp

from tests.builders import a_sku
from tests.conftest import NOW
from tests.e2e.browser import ARGS, CHROMIUM, needs_chromium
from tests.fulfilment.floor_builders import floor_stock, packable_parcel

pytestmark = needs_chromium


@pytest.fixture
def browser_page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def _wedge(page, code: str) -> dict:
    """Type like a scanner into whatever has focus, then wait for the station's answer."""
    with page.expect_response(lambda r: "/station/" in r.url and r.request.method == "POST") as r:
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    answer = r.value.json()
    page.wait_for_function("(m) => document.getElementById('message').textContent === m",
                           arg=answer["message"] if answer["result"] != "complete"
                           or answer.get("printed") else answer["message"])
    return answer


def _packed(page) -> dict[str, str]:
    rows = page.locator("#lines tbody tr")
    return {rows.nth(i).get_attribute("data-sku"): rows.nth(i).locator("td.count").inner_text()
            for i in range(rows.count())}


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_pack_station_in_a_real_browser(server, browser_page, session, settings, headers):
    floor_stock(session, NOW)
    a_sku(session, "MASK-5PK")
    parcel = packable_parcel(session, NOW, lines={"SERUM-30ML": 2, "CREAM-50G": 1},
                             settings=settings, external_id="R-E2E-1")
    session.commit()
    key = headers("warehouse")["X-API-Key"]
    page = browser_page

    page.goto(f"{server}/station?key={key}&name=PACK-1")  # sign in once; cookie kept
    assert "key=" not in page.url
    page.wait_for_function("window.stationReady === true")
    assert _focused(page) == "scan"

    opened = _wedge(page, "R-E2E-1")
    assert opened["result"] == "ok" and opened["parcel_id"] == parcel.id
    assert _packed(page) == {"SERUM-30ML": "0 / 2", "CREAM-50G": "0 / 1"}

    wrong = _wedge(page, "MASK-5PK")  # a real product, but not in this parcel
    assert wrong["result"] == "refused"
    assert page.locator("#message").get_attribute("class") == "refused"
    colour = page.evaluate("getComputedStyle(document.getElementById('message')).backgroundColor")
    r, g, b = (int(x) for x in colour[colour.index("(") + 1:-1].split(",")[:3])
    assert r >= 200 and g <= 100 and b <= 100, colour  # red, flashing between two reds
    assert "not in this parcel" in page.locator("#message").inner_text()
    if os.environ.get("STATION_SCREENSHOT"):
        page.screenshot(path=os.environ["STATION_SCREENSHOT"] + ".refused.png")
    assert _packed(page) == {"SERUM-30ML": "0 / 2", "CREAM-50G": "0 / 1"}

    assert _wedge(page, "6901234567892")["result"] == "ok"  # GTIN of SERUM-30ML
    assert _wedge(page, "SERUM-30ML")["result"] == "ok"
    assert _packed(page)["SERUM-30ML"] == "2 / 2"
    extra = _wedge(page, "SERUM-30ML")
    assert extra["result"] == "refused" and "one more" in extra["message"]
    assert page.locator("body").get_attribute("class") == "refused"
    assert _packed(page)["SERUM-30ML"] == "2 / 2"

    with page.expect_response(lambda r: r.url.endswith("/station/undo")):
        page.click("#undo")
    page.wait_for_function("document.querySelector('#message').textContent.startsWith('undone')")
    assert _packed(page)["SERUM-30ML"] == "1 / 2"
    page.wait_for_function("document.activeElement.id === 'scan'")  # focus comes back

    assert _wedge(page, "SERUM-30ML")["result"] == "ok"
    done = _wedge(page, "CREAM-50G")
    assert done["result"] == "complete"
    assert page.locator("#message").get_attribute("class") == "complete"
    link = page.locator("#label-link")
    assert link.is_visible() and link.get_attribute("href") == f"/parcels/{parcel.id}/label.pdf"
    pdf = page.request.get(f"{server}{link.get_attribute('href')}")  # same cookie as the page
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    image = pdfium.PdfDocument(pdf.body())[0].render(scale=203 / 72).to_pil().convert("L")
    tracking = {r.text for r in zxingcpp.read_barcodes(image)}
    assert done["parcel"]["tracking_no"] in tracking
    if os.environ.get("STATION_SCREENSHOT"):
        page.screenshot(path=os.environ["STATION_SCREENSHOT"], full_page=True)


def test_pack_station_without_javascript(server, session, settings, headers):
    """The scan box is a plain form: a handheld with scripts off packs and undoes the same."""
    from playwright.sync_api import sync_playwright

    floor_stock(session, NOW)
    parcel = packable_parcel(session, NOW, lines={"SERUM-30ML": 2}, settings=settings,
                             external_id="R-E2E-NOJS")
    session.commit()
    key = headers("warehouse")["X-API-Key"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server}/station?key={key}&name=PACK-NOJS&warehouse=NGB")

        def scan(code: str) -> str:
            with page.expect_navigation():
                page.fill("#scan", code)
                page.press("#scan", "Enter")
            return page.locator("#message").inner_text()

        assert "scan the items" in scan("R-E2E-NOJS")
        assert _packed(page) == {"SERUM-30ML": "0 / 2"}
        assert "not in this parcel" in scan("CREAM-50G")
        assert page.locator("body").get_attribute("class") == "refused"
        assert scan("SERUM-30ML") and _packed(page) == {"SERUM-30ML": "1 / 2"}
        with page.expect_navigation():
            page.click("#undo")
        assert page.locator("#message").inner_text().startswith("undone")
        assert _packed(page) == {"SERUM-30ML": "0 / 2"}
        scan("SERUM-30ML")
        assert "packed" in scan("SERUM-30ML")
        assert page.locator("#message").get_attribute("class") == "complete"
        link = page.locator("#label-link")
        assert link.is_visible() and link.get_attribute("href") == f"/parcels/{parcel.id}/label.pdf"
        assert page.request.get(f"{server}{link.get_attribute('href')}").body().startswith(b"%PDF")
        browser.close()
