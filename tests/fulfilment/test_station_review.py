"""Review of the floor: customs gates the station, pick tasks gate the parcel, labels of
cancelled parcels, and the floor API's unknown waves, warehouses and hand-over codes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from fulfilment import clearance, events, floor, orders, station
from fulfilment.floor_tables import PackScan, PickTask
from fulfilment.tables import Order, Parcel
from inventory.tables import StockMovement
from tests.conftest import NOW
from tests.fulfilment.floor_builders import allocated_parcel, floor_stock, packable_parcel
from tests.fulfilment.test_clearance import run_simulator


def _scan(session, code, st="S1", now=NOW):
    return station.scan(session, station=st, user="tester", code=code, now=now)


def _ready(session, settings, **kw) -> Parcel:
    return packable_parcel(session, NOW, settings=settings, **kw)


def _scans(session, result: str) -> int:
    return session.execute(select(func.count()).select_from(PackScan)
                           .where(PackScan.result == result)).scalar()


# --- 1. customs: a CBEC parcel is packed only once its order is cleared ----------------------

def test_an_order_never_declared_is_refused_and_can_still_be_declared(session, settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"CREAM-50G": 1}, settings=settings)
    floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=NOW)
    out = _scan(session, f"P{parcel.id}")
    assert out.result == "refused"
    assert "not declared to customs" in out.message and "cleared" in out.message
    assert station.active_parcel(session, "S1") is None
    assert _scan(session, "CREAM-50G").result == "refused"  # no parcel open: nothing ticks
    assert _scan(session, f"WAVE-{parcel.wave_id}").shipped == 0
    order = session.get(Order, parcel.order_id)
    assert order.status == "allocated" and session.get(Parcel, parcel.id).status == "allocated"
    assert clearance.declare_order(session, order_id=order.id, settings=settings, now=NOW)
    assert order.status == "declared"


def test_a_declared_order_waits_for_clearance(session, settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"CREAM-50G": 1}, settings=settings)
    events.transition(session, session.get(Order, parcel.order_id), "declared", now=NOW)
    out = _scan(session, f"P{parcel.id}")
    assert out.result == "refused" and "awaiting customs clearance" in out.message
    assert session.get(Order, parcel.order_id).status == "declared"


def test_cleared_by_customs_receipts_then_packed_and_shipped(session, session_factory,
                                                            settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"CREAM-50G": 1}, settings=settings,
                              external_id="R-CLR-1")
    session.commit()
    assert clearance.declare_job(session_factory, settings, now=NOW) == 1
    run_simulator(settings)
    clearance.receipts_job(session_factory, settings, now=NOW)
    session.expire_all()
    assert session.get(Order, parcel.order_id).status == "cleared"
    floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=NOW)
    assert _scan(session, "R-CLR-1").result == "ok"
    assert session.get(Order, parcel.order_id).status == "picked"
    assert _scan(session, "CREAM-50G").result == "complete"
    assert _scan(session, f"WAVE-{parcel.wave_id}").shipped == 1
    assert session.get(Order, parcel.order_id).status == "shipped"


# --- 2. pick tasks: none, or short of fresh stock, and the parcel is refused -----------------

def test_a_short_parcel_is_refused_at_the_station(session, settings):
    floor_stock(session, NOW)
    # 23 SERUM: the fresh lots hold 22; S-OLD's 5 are too short-dated to ship.
    parcel = _ready(session, settings, lines={"SERUM-30ML": 23})
    out = _scan(session, f"P{parcel.id}")
    assert out.result == "refused" and "no pick tasks" in out.message
    assert "fresh enough" in out.message
    assert station.active_parcel(session, "S1") is None
    assert session.get(Order, parcel.order_id).status == "cleared"
    assert _scans(session, "ok") == 0 and _scans(session, "refused") == 1


def test_a_parcel_never_given_pick_tasks_is_refused(session, settings):
    floor_stock(session, NOW)
    parcel = _ready(session, settings, lines={"SERUM-30ML": 2}, tasks=False)
    out = _scan(session, f"P{parcel.id}")
    assert out.result == "refused" and "no pick tasks" in out.message
    assert "pick list" in out.message
    for _ in range(2):
        assert _scan(session, "SERUM-30ML").result == "refused"
    assert session.get(Parcel, parcel.id).status == "allocated"
    shipped = session.execute(select(func.count()).select_from(StockMovement)
                              .where(StockMovement.reason == "ship")).scalar()
    assert shipped == 0


def test_pick_tasks_that_no_longer_cover_the_parcel_are_refused(session, settings):
    floor_stock(session, NOW)
    parcel = _ready(session, settings, lines={"SERUM-30ML": 2, "CREAM-50G": 1})
    task = session.execute(select(PickTask).where(PickTask.sku_id == "CREAM-50G")).scalar_one()
    task.status = "cancelled"
    session.add(task)
    session.flush()
    out = _scan(session, f"P{parcel.id}")
    assert out.result == "refused" and "0 of 1 CREAM-50G" in out.message


def test_a_picked_lot_gone_short_dated_since_is_refused(session, settings):
    floor_stock(session, NOW)
    parcel = _ready(session, settings, lines={"SERUM-30ML": 2})  # S-MID, expires 2027-06-30
    later = NOW + timedelta(days=150)  # 2027-04-21: S-MID has 70 days left, 90 are needed
    out = _scan(session, f"P{parcel.id}", now=later)
    assert out.result == "refused" and "S-MID" in out.message and "90 days" in out.message


def test_covered_fresh_parcel_still_packs(session, settings):
    floor_stock(session, NOW)
    parcel = _ready(session, settings, lines={"SERUM-30ML": 1}, external_id="R-OK-1")
    assert _scan(session, "R-OK-1").result == "ok"
    assert _scan(session, "SERUM-30ML").result == "complete"
    assert session.get(Parcel, parcel.id).status == "packed"


def test_a_wave_hand_over_the_floor_refuses_is_a_refused_scan(session, settings):
    floor_stock(session, NOW)
    parcel = _ready(session, settings, lines={"SERUM-30ML": 2}, tasks=False)
    parcel.status = "packed"  # packed however it got there, but with no pick tasks
    session.add(parcel)
    session.flush()
    out = _scan(session, f"WAVE-{parcel.wave_id}")
    assert out.result == "refused" and f"parcel {parcel.id} has no pick tasks" in out.message
    assert session.get(Parcel, parcel.id).status == "packed"
    row = session.execute(select(PackScan).order_by(PackScan.id.desc())).scalars().first()
    assert (row.kind, row.result) == ("handover", "refused") and "no pick tasks" in row.reason


def test_coverage_gaps_is_pure():
    assert floor.coverage_gaps({"A": 2, "B": 1}, {"A": 2, "B": 1}) == []
    assert floor.coverage_gaps({"A": 2, "B": 1}, {"A": 1}) == ["1 of 2 A", "0 of 1 B"]
    assert floor.coverage_gaps({"A": 1}, {"A": 1, "C": 3}) == ["3 of 0 C"]


# --- 3. labels of cancelled parcels ----------------------------------------------------------

def _committed(session, settings, **kw) -> Parcel:
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, settings=settings, **kw)
    session.commit()
    return parcel


def test_no_label_or_invoice_for_a_cancelled_parcel(client, headers, session, settings):
    parcel = _committed(session, settings, lines={"SERUM-30ML": 1}, external_id="R-CX-1")
    orders.cancel(session, order_id=parcel.order_id, now=NOW)
    session.commit()
    h = headers("warehouse")
    for path in (f"/parcels/{parcel.id}/label.pdf", f"/parcels/{parcel.id}/label.zpl",
                 f"/parcels/{parcel.id}/invoice.pdf",
                 f"/parcels/{parcel.id}/declaration.pdf?currency_per_sdr=9.7"):
        res = client.get(path, headers=h)
        assert res.status_code == 409, (path, res.status_code)
        detail = res.json()["detail"][0]
        assert detail["field"] == "status" and "cancelled" in detail["reason"], path
    session.expire_all()
    assert session.get(Parcel, parcel.id).tracking_no is None


# --- 4. the floor API: unknown waves and warehouses, hand-over answers -----------------------

def _rows(session) -> tuple[int, int]:
    with session.bind.connect() as c:
        return (c.execute(select(func.count()).select_from(StockMovement)).scalar(),
                c.execute(select(func.count()).select_from(PickTask)).scalar())


def test_picklist_of_an_unknown_warehouse_writes_nothing(client, headers, session, settings):
    parcel = _committed(session, settings, lines={"SERUM-30ML": 2})
    before = _rows(session)
    h = headers("warehouse")
    res = client.get(f"/waves/{parcel.wave_id}/picklist.pdf", params={"warehouse": "NOPE"},
                     headers=h)
    assert res.status_code == 404 and res.json()["detail"][0]["field"] == "warehouse"
    from tests.builders import a_warehouse

    a_warehouse(session, "ZZX")  # a real warehouse with no parcel in this wave
    session.commit()
    res = client.get(f"/waves/{parcel.wave_id}/picklist.pdf", params={"warehouse": "ZZX"},
                     headers=h)
    assert res.status_code == 404 and res.json()["detail"][0]["field"] == "warehouse"
    assert _rows(session) == before


def test_pick_tasks_of_an_unknown_wave_is_404(client, headers, session):
    floor_stock(session, NOW)
    session.commit()
    res = client.post("/waves/999/pick-tasks", headers=headers("warehouse"))
    assert res.status_code == 404 and res.json()["detail"][0]["field"] == "wave_id"


def test_handover_names_each_code_not_shipped(client, headers, session, settings):
    floor_stock(session, NOW)
    packed = _ready(session, settings, lines={"SERUM-30ML": 1}, external_id="R-HO-1")
    waiting = _ready(session, settings, lines={"CREAM-50G": 1}, external_id="R-HO-2")
    assert _scan(session, "R-HO-1").result == "ok"
    assert _scan(session, "SERUM-30ML").result == "complete"
    session.commit()
    h = headers("warehouse")
    res = client.post("/handover", headers=h,
                      json={"codes": [f"P{packed.id}", f"P{waiting.id}", "P999999", "nope"]})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["shipped"] == 1
    missed = {x["code"]: x["reason"] for x in body["not_shipped"]}
    assert set(missed) == {f"P{waiting.id}", "P999999", "nope"}
    assert "not packed" in missed[f"P{waiting.id}"] and "allocated" in missed[f"P{waiting.id}"]
    assert "no parcel" in missed["P999999"] and "no parcel" in missed["nope"]
    again = client.post("/handover", headers=h, json={"codes": [f"P{packed.id}"]}).json()
    assert again["shipped"] == 0
    assert "already shipped" in again["not_shipped"][0]["reason"]
    res = client.post("/handover", headers=h, json={"wave_id": 999})
    assert res.status_code == 404 and res.json()["detail"][0]["field"] == "wave_id"


def test_handover_of_a_wave_names_parcels_still_waiting(client, headers, session, settings):
    floor_stock(session, NOW)
    packed = _ready(session, settings, lines={"SERUM-30ML": 1}, external_id="R-HW-1")
    from fulfilment.tables import Wave

    waiting = _ready(session, settings, lines={"CREAM-50G": 1}, external_id="R-HW-2",
                     wave=session.get(Wave, packed.wave_id))
    _scan(session, "R-HW-1")
    _scan(session, "SERUM-30ML")
    session.commit()
    body = client.post("/handover", headers=headers("warehouse"),
                       json={"codes": [f"WAVE-{packed.wave_id}", "WAVE-999", f"WAVE-{2**64}"]}
                       ).json()
    assert body["shipped"] == 1
    assert [x["code"] for x in body["not_shipped"]] == [f"P{waiting.id}", "WAVE-999",
                                                        f"WAVE-{2**64}"]


def test_the_station_hand_over_counts_parcels_left_and_undo_is_a_barcode(session, settings):
    floor_stock(session, NOW)
    packed = _ready(session, settings, lines={"SERUM-30ML": 2}, external_id="R-HS-1")
    from fulfilment.tables import Wave

    _ready(session, settings, lines={"CREAM-50G": 1}, external_id="R-HS-2",
           wave=session.get(Wave, packed.wave_id))
    _scan(session, "R-HS-1")
    assert _scan(session, "SERUM-30ML").result == "ok"
    undone = _scan(session, "undo")
    assert undone.result == "ok" and station.packed_counts(session, packed.id) == {}
    _scan(session, "SERUM-30ML")
    assert _scan(session, "SERUM-30ML").result == "complete"
    out = _scan(session, f"WAVE-{packed.wave_id}")
    assert out.shipped == 1 and out.message.endswith("; 1 not packed yet")
    assert _scan(session, f"WAVE-{2**64}").result == "refused"



def test_a_parcel_code_past_64_bits_is_no_parcel(client, headers, session) -> None:
    big = f"P{2**63}"
    h = headers("warehouse")
    res = client.post("/handover", json={"codes": [big]}, headers=h)
    assert res.status_code == 200
    assert res.json()["not_shipped"] == [{"code": big, "reason": f"no parcel has the code {big!r}"}]
    out = client.post("/station/scan", json={"station": "S1", "code": big}, headers=h)
    assert out.status_code == 200 and out.json()["result"] == "refused"
