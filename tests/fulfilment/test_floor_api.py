"""The floor over HTTP: put-away, pick list and label PDFs that scan, the station, printing."""

from __future__ import annotations

import html
import io
import re
import socket
import threading

import pypdf
import pypdfium2 as pdfium
import zxingcpp
from fastapi.testclient import TestClient

from fulfilment.api import create_app
from tests.builders import a_warehouse
from tests.conftest import NOW
from tests.fulfilment.floor_builders import floor_stock, packable_parcel


def _codes(pdf: bytes) -> list[set[str]]:
    pages = []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=203 / 72).to_pil().convert("L")
        pages.append({r.text for r in zxingcpp.read_barcodes(image)})
    return pages


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _ready(session, settings, **kw):
    floor_stock(session, NOW)
    parcel = packable_parcel(session, NOW, settings=settings, **kw)
    session.commit()
    return parcel


def test_putaway_endpoint_needs_warehouse_role(client, headers, session):
    floor_stock(session, NOW)
    session.commit()
    body = {"warehouse": "NGB", "sku": "CREAM-50G", "lot_no": "C-2", "bin": "F-01",
            "walk_order": 60, "qty": 4, "expiry": "2028-01-01"}
    assert client.post("/inventory/putaway", json=body, headers=headers("buyer")).status_code == 403
    res = client.post("/inventory/putaway", json=body, headers=headers("warehouse"))
    assert res.status_code == 201, res.text
    assert res.json()["bin"] == "F-01" and res.json()["on_hand"] == 4
    missing = client.post("/inventory/putaway", headers=headers("warehouse"),
                          json={**body, "lot_no": "NOPE", "qty": None})
    assert missing.status_code == 404 and missing.json()["detail"][0]["field"] == "lot_no"


def test_picklist_and_labels_pdfs_scan(client, headers, session, settings):
    parcel = _ready(session, settings, lines={"SERUM-30ML": 2, "CREAM-50G": 1},
                    external_id="R-API-1")
    h = headers("warehouse")
    res = client.get(f"/waves/{parcel.wave_id}/picklist.pdf", params={"warehouse": "NGB"},
                     headers=h)
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    assert {"6901234567892", "CREAM-50G"} <= _codes(res.content)[0]
    text = _text(res.content)
    assert text.index("C-09") < text.index("D-01") and "S-MID" in text and "S-OLD" not in text
    nowhere = client.get(f"/waves/{parcel.wave_id}/picklist.pdf", params={"warehouse": "NOPE"},
                         headers=h)  # not an empty pick list, as if nothing were to be picked
    assert nowhere.status_code == 404
    assert [p["field"] for p in nowhere.json()["detail"]] == ["warehouse"]
    res = client.get(f"/waves/{parcel.wave_id}/labels.pdf", headers=h)
    assert res.status_code == 200
    pages = _codes(res.content)
    assert len(pages) == 1
    label = client.get(f"/parcels/{parcel.id}/label.pdf", headers=h)
    tracking = next(iter(pages[0]))
    assert tracking.startswith("SF") and tracking in _codes(label.content)[0]
    text = _text(label.content)
    assert "李小红" in text and "138****5678" in text and "R-API-1" in text
    assert "11010519491231002X" not in text and "13812345678" not in text
    zpl = client.get(f"/parcels/{parcel.id}/label.zpl", headers=h).text
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ") and tracking in zpl
    assert client.get("/parcels/999999/label.pdf", headers=h).status_code == 404


def _listener() -> tuple[socket.socket, list[bytes], threading.Thread]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)
    got: list[bytes] = []

    def serve() -> None:
        conn, _ = srv.accept()
        with conn:
            chunks = []
            while data := conn.recv(65536):
                chunks.append(data)
            got.append(b"".join(chunks))

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return srv, got, t


def test_station_completion_prints_zpl_to_the_configured_printer(engine, headers, session,
                                                                  settings):
    parcel = _ready(session, settings, lines={"SERUM-30ML": 1}, external_id="R-PRN-1")
    srv, got, thread = _listener()
    printing = settings.model_copy(update={"printer_host": "127.0.0.1",
                                           "printer_port": srv.getsockname()[1]})
    h = headers("warehouse")
    with TestClient(create_app(printing, engine=engine)) as c:
        opened = c.post("/station/scan", json={"station": "S9", "code": "R-PRN-1"}, headers=h)
        assert opened.json()["result"] == "ok"
        done = c.post("/station/scan", json={"station": "S9", "code": "6901234567892"},
                      headers=h).json()
    thread.join(10)
    srv.close()
    assert done["result"] == "complete" and done["printed"] is True
    zpl = got[0].decode("utf-8")
    assert zpl.startswith("^XA") and "^XZ" in zpl and "^BC" in zpl and "R-PRN-1" in zpl
    assert done["label_pdf"] == f"/parcels/{parcel.id}/label.pdf"


def test_station_print_failure_keeps_the_parcel_packed(engine, headers, session, settings):
    _ready(session, settings, lines={"SERUM-30ML": 1}, external_id="R-PRN-2")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there
    bad = settings.model_copy(update={"printer_host": "127.0.0.1", "printer_port": port})
    h = headers("warehouse")
    with TestClient(create_app(bad, engine=engine)) as c:
        c.post("/station/scan", json={"station": "S8", "code": "R-PRN-2"}, headers=h)
        done = c.post("/station/scan", json={"station": "S8", "code": "SERUM-30ML"},
                      headers=h).json()
        assert done["result"] == "complete" and done["printed"] is False
        assert "print_error" in done
        state = c.get("/station/state", params={"station": "S8"}, headers=h).json()
        assert state["parcel"] is None


def test_station_endpoints_refuse_and_undo(client, headers, session, settings):
    parcel = _ready(session, settings, lines={"SERUM-30ML": 2}, external_id="R-ST-1")
    h = headers("warehouse")
    assert client.post("/station/scan", json={"station": "S1", "code": "R-ST-1"},
                       headers=headers("buyer")).status_code == 403
    assert client.post("/station/scan", json={"station": "S1", "code": "R-ST-1"},
                       headers=h).json()["parcel_id"] == parcel.id
    assert client.post("/station/scan", json={"station": "S1", "code": "CREAM-50G"},
                       headers=h).json()["result"] == "refused"
    assert client.post("/station/scan", json={"station": "S1", "code": "SERUM-30ML"},
                       headers=h).json()["parcel"]["lines"][0]["packed"] == 1
    undone = client.post("/station/undo", json={"station": "S1"}, headers=h).json()
    assert undone["result"] == "ok" and undone["parcel"]["lines"][0]["packed"] == 0
    for _ in range(2):
        last = client.post("/station/scan", json={"station": "S1", "code": "SERUM-30ML"},
                           headers=h).json()
    assert last["result"] == "complete"
    res = client.post("/handover", json={"wave_id": parcel.wave_id}, headers=h)
    assert res.json() == {"shipped": 1, "not_shipped": []}


def test_station_page_logs_in_with_a_key_cookie(client, headers):
    page = client.get("/station")
    assert page.status_code == 200 and 'id="key"' in page.text
    bad = client.get("/station", params={"key": "nope"}, follow_redirects=False)
    assert bad.status_code == 401
    res = client.get("/station", params={"key": headers("warehouse")["X-API-Key"],
                                         "name": "S2"}, follow_redirects=False)
    assert res.status_code == 303 and "fulfilment_key" in res.headers["set-cookie"]
    page = client.get("/station?name=S2")
    assert 'id="scan"' in page.text and "/static/station.js" in page.text
    assert client.get("/static/station.js").status_code == 200


def test_a_station_without_a_warehouse_is_offered_each(client, headers, session):
    for code in ("SZ", "NGB"):
        a_warehouse(session, code)
    session.commit()
    client.get("/station", params={"key": headers("warehouse")["X-API-Key"]})
    page = client.get("/station?name=S%262").text  # the name quoted in each link
    offered = re.search(r'<p id="pick-warehouse">(.*?)</p>', page, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">(\w+)</a>', offered) == [
        ("/station?name=S%262&amp;warehouse=NGB", "NGB"),
        ("/station?name=S%262&amp;warehouse=SZ", "SZ")]
    assert 'id="pick-warehouse"' not in client.get("/station?name=S2&warehouse=SZ").text


def test_invoice_and_cn_declaration_for_a_parcel(client, headers, session, settings):
    parcel = _ready(session, settings, lines={"SERUM-30ML": 2}, external_id="R-CN-1")
    h = headers("warehouse")
    inv = client.get(f"/parcels/{parcel.id}/invoice.pdf", headers=h)
    assert inv.status_code == 200
    text = _text(inv.content)
    assert "3304990099" in text and "20.00 CNY" in text and "R-CN-1" in text
    small = client.get(f"/parcels/{parcel.id}/declaration.pdf", headers=h,
                       params={"currency_per_sdr": "9.7"})
    assert small.headers["x-declaration-form"] == "CN22"
    big = client.get(f"/parcels/{parcel.id}/declaration.pdf", headers=h,
                     params={"currency_per_sdr": "0.01"})  # 20 CNY = 2000 SDR
    assert big.headers["x-declaration-form"] == "CN23"
    assert "CN 23" in _text(big.content)


def test_bin_and_sku_labels(client, headers, session):
    floor_stock(session, NOW)
    session.commit()
    h = headers("warehouse")
    res = client.get("/warehouses/NGB/bins/labels.pdf", headers=h)
    assert res.status_code == 200
    assert [c for page in _codes(res.content) for c in page] == ["A-01", "B-02", "C-09", "D-01"]
    res = client.get("/skus/SERUM-30ML/label.pdf", params={"copies": 2}, headers=h)
    assert _codes(res.content) == [{"6901234567892"}, {"6901234567892"}]
    assert client.get("/skus/NOPE/label.pdf", headers=h).status_code == 404
    assert client.get("/warehouses/XX/bins/labels.pdf", headers=h).status_code == 404


def test_the_station_page_keeps_an_odd_name_whole_and_refuses_a_bad_one(client, headers):
    key = headers("warehouse")["X-API-Key"]
    for name in ("a&key=x", "bay 3#2", "a%00b"):  # signed in, then back to the same station
        res = client.get("/station", params={"key": key, "name": name}, follow_redirects=False)
        assert res.status_code == 303
        page = client.get(res.headers["location"])
        assert page.status_code == 200 and 'id="scan"' in page.text, name
        assert f'data-station="{html.escape(name)}"' in page.text
    for name in ("", "s" * 41, "a\nb"):  # every scan from such a station would be refused
        page = client.get("/station", params={"name": name})
        assert page.status_code == 422 and "name: a station name is 1 to 40" in page.text
        assert 'id="scan"' not in page.text
    page = client.get("/station", params={"name": "<script>alert(1)</script>"})
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)" in page.text
    for query in ("name=a%00b", "name=S1&warehouse=N%00B"):  # a page, not the API's JSON
        page = client.get(f"/station?{query}")
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert '<p id="message">' in page.text and "holds a NUL character (%00)" in page.text
    assert client.get("/board?key=%00").headers["content-type"].startswith("text/html")


def test_a_scan_from_a_station_named_with_a_control_character_is_refused(client, headers):
    h = headers("warehouse")
    for path, body in (("/station/scan", {"station": "a\nb", "code": "P1"}),
                       ("/station/undo", {"station": "a\x07b"})):
        res = client.post(path, json=body, headers=h)
        assert res.status_code == 422, (path, res.text)
        assert [p["field"] for p in res.json()["detail"]] == ["station"]


def test_a_station_page_given_its_warehouse_keeps_it_and_sends_it(client, headers, session):
    a_warehouse(session, "NGB")
    session.commit()
    key = headers("warehouse")["X-API-Key"]
    res = client.get("/station", params={"key": key, "name": "S1", "warehouse": "NGB"},
                     follow_redirects=False)
    assert res.status_code == 303 and "warehouse=NGB" in res.headers["location"]
    page = client.get(res.headers["location"])
    assert 'data-warehouse="NGB"' in page.text and 'id="station-warehouse"' in page.text
    bad = client.get("/station", params={"name": "S1", "warehouse": "N\tB"})
    assert bad.status_code == 422 and "warehouse: a warehouse code" in bad.text
    unknown = client.get("/station", params={"name": "S1", "warehouse": "ZZ"})
    assert unknown.status_code == 422 and "there is no warehouse ZZ" in unknown.text
    scan = client.post("/station/scan", json={"station": "S1", "code": "P1", "warehouse": "ZZ"},
                       headers=headers("warehouse"))
    assert scan.status_code == 200 and scan.json()["result"] == "refused"
    assert "ZZ is unknown" in scan.json()["message"]


def test_the_station_form_scans_without_javascript_and_refuses_bad_posts(client, headers,
                                                                         session, settings):
    parcel = _ready(session, settings, lines={"SERUM-30ML": 1}, external_id="R-FORM-1")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    message = re.compile(r'<div id="message" class="(\w+)"[^>]*>(.*?)</div>', re.S)
    signed_out = client.post("/station", content="name=S9&code=R-FORM-1", headers=form)
    assert signed_out.status_code == 401 and "nothing was scanned" in signed_out.text
    client.get("/station", params={"key": headers("warehouse")["X-API-Key"]})
    for body, status, shown in [
        ("name=S9&code=" + "9" * 81, 422, ("refused", "code: is over 80 characters")),
        ("name=S9&code=R-FORM-1&code=X", 422, ("refused", "code: is given twice")),
        ("name=S9&code=R%00", 422, ("refused", "code: holds a NUL character (%00)")),
        ("name=S9&code=R-FORM-1", 200, ("ok", "parcel 1 of order R-FORM-1: scan the items")),
    ]:
        got = client.post("/station", content=body, headers=form)
        assert got.status_code == status, (body, got.text[-300:])
        assert message.search(got.text).groups() == shown
        assert 'data-station="S9"' in got.text  # a refused post keeps its station
    assert 'data-sku="SERUM-30ML"' in got.text and f"Parcel {parcel.id}" in got.text
    nameless = client.post("/station", content="code=X", headers=form)
    assert nameless.status_code == 422 and "name: is missing" in nameless.text
    assert 'id="scan"' not in nameless.text
    bad_name = client.post("/station", content="name=a%07b&code=X", headers=form)
    assert bad_name.status_code == 422 and "name: a station name" in bad_name.text
    elsewhere = client.post("/station", content="name=S9&warehouse=XX&code=X", headers=form)
    assert elsewhere.status_code == 422 and "there is no warehouse XX" in elsewhere.text
    done = client.post("/station", content="name=S9&code=SERUM-30ML", headers=form)
    assert message.search(done.text).group(1) == "complete"
    assert f'href="/parcels/{parcel.id}/label.pdf"' in done.text
    assert f'src="/parcels/{parcel.id}/label.pdf"' in done.text  # no printer: the PDF opens
