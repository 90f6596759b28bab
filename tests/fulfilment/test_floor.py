"""Floor store functions on a real database: put-away, FEFO pick tasks, pack station, hand-over."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from fulfilment import floor, floor_labels, station
from fulfilment.floor_tables import PackScan, PickTask
from fulfilment.tables import Order, Parcel
from inventory import store as stock
from inventory.tables import Bin, StockLot, StockMovement
from tests.conftest import NOW
from tests.fulfilment.floor_builders import allocated_parcel, floor_stock, packable_parcel

DISPATCH = NOW  # 2026-11-22: S-OLD (2027-01-10) has < 90 days left and must never be picked


def _lot(session, lot_no: str) -> StockLot:
    return session.execute(select(StockLot).where(StockLot.lot_no == lot_no)).scalars().one()


def test_putaway_creates_bins_and_places_lots(session):
    floor_stock(session, NOW)
    lot = _lot(session, "S-NEW")
    assert session.get(Bin, lot.bin_id).code == "B-02"
    assert session.get(Bin, lot.bin_id).walk_order == 20
    moved = floor.putaway(session, warehouse="NGB", sku="SERUM-30ML", lot_no="S-NEW",
                          bin_code="E-05", walk_order=50, now=NOW, actor="test")
    assert session.get(Bin, moved.bin_id).code == "E-05" and moved.on_hand == 20
    with pytest.raises(floor.FloorError):
        floor.putaway(session, warehouse="NGB", sku="SERUM-30ML", lot_no="NOPE",
                      bin_code="E-05", now=NOW, actor="test")
    assert stock.ledger_problems(session) == []


def test_pick_tasks_take_fefo_lots_with_enough_shelf_life(session, settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 4, "CREAM-50G": 1},
                              settings=settings)
    # The lead's allocation took the earliest lot (S-OLD), which is too short-dated to ship.
    assert _lot(session, "S-OLD").allocated == 4
    made = floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=DISPATCH)
    tasks = floor.tasks_of(session, wave_id=parcel.wave_id)
    got = [(session.get(StockLot, t.lot_id).lot_no, t.bin_code, t.qty) for t in tasks]
    # S-MID (expires first among fresh lots) then S-NEW; walk order B-02 (20) before C-09 (30).
    assert got == [("S-NEW", "B-02", 2), ("S-MID", "C-09", 2), ("C-1", "D-01", 1)]
    assert made.created == 3 and made.short == []
    assert _lot(session, "S-OLD").allocated == 0
    assert _lot(session, "S-MID").allocated == 2 and _lot(session, "S-NEW").allocated == 2
    picking = session.execute(select(func.sum(StockMovement.qty)).where(
        StockMovement.bucket == "picking")).scalar()
    assert picking == 5
    assert stock.ledger_problems(session) == []
    # Idempotent: asking again makes nothing new.
    assert floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=DISPATCH).created == 0


def test_parcel_without_enough_fresh_stock_gets_no_tasks_and_is_reported(session, settings):
    floor_stock(session, NOW)
    # 23 SERUM: the fresh lots hold 22 (S-MID 2 + S-NEW 20); S-OLD's 5 are too short-dated.
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 23}, settings=settings)
    report = floor.create_pick_tasks(session, wave_id=parcel.wave_id, now=DISPATCH)
    assert report.created == 0
    assert report.short == [{"parcel_id": parcel.id, "sku": "SERUM-30ML", "short": 1}]
    assert floor.tasks_of(session, wave_id=parcel.wave_id) == []
    assert stock.ledger_problems(session) == []


def test_pick_list_lines_in_walking_order(session, settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 4, "CREAM-50G": 1},
                              settings=settings)
    plist = floor.pick_list(session, wave_id=parcel.wave_id, warehouse="NGB", now=DISPATCH)
    assert [(ln.bin, ln.sku, ln.lot, ln.qty) for ln in plist.lines] == [
        ("B-02", "SERUM-30ML", "S-NEW", 2), ("C-09", "SERUM-30ML", "S-MID", 2),
        ("D-01", "CREAM-50G", "C-1", 1)]
    assert plist.lines[0].gtin == "6901234567892"


def _scan(session, code, st="S1"):
    return station.scan(session, station=st, user="tester", code=code, now=NOW)


def test_pack_station_ticks_refuses_undoes_and_completes(session, settings):
    floor_stock(session, NOW)
    parcel = packable_parcel(session, DISPATCH, lines={"SERUM-30ML": 2, "CREAM-50G": 1},
                             settings=settings, external_id="R-PACK-1")
    out = _scan(session, "R-PACK-1")
    assert out.result == "ok" and out.parcel_id == parcel.id
    assert session.get(Order, parcel.order_id).status == "picked"
    assert _scan(session, "6901234567892").result == "ok"          # GTIN ticks SERUM
    wrong = _scan(session, "NOT-A-THING")
    assert wrong.result == "refused" and "unknown" in wrong.message
    before = station.packed_counts(session, parcel.id)
    assert _scan(session, "SERUM-30ML").result == "ok"              # SKU code ticks too
    extra = _scan(session, "serum-30ml")
    assert extra.result == "refused" and "one more" in extra.message
    assert station.packed_counts(session, parcel.id)["SERUM-30ML"] == 2
    assert before["SERUM-30ML"] == 1
    undone = station.undo(session, station="S1", user="tester", now=NOW)
    assert undone.result == "ok" and station.packed_counts(session, parcel.id)["SERUM-30ML"] == 1
    assert _scan(session, "SERUM-30ML").result == "ok"
    done = _scan(session, "CREAM-50G")
    assert done.result == "complete"
    row = session.get(Parcel, parcel.id)
    assert row.status == "packed" and row.tracking_no and row.packed_at is not None
    assert session.get(Order, parcel.order_id).status == "packed"
    assert station.active_parcel(session, "S1") is None
    kinds = session.execute(select(PackScan.kind, PackScan.result).order_by(PackScan.id)).all()
    assert ("item", "refused") in kinds and ("undo", "ok") in kinds and len(kinds) == 8


@pytest.mark.parametrize("code", ["CREAM-50G", "cream-50g"])  # a SKU code in any case
def test_item_from_another_parcel_is_refused_and_changes_nothing(session, settings, code):
    floor_stock(session, NOW)
    parcel = packable_parcel(session, DISPATCH, lines={"SERUM-30ML": 1}, settings=settings)
    assert _scan(session, f"P{parcel.id}").result == "ok"
    out = _scan(session, code)
    assert out.result == "refused" and "not in this parcel" in out.message
    assert station.packed_counts(session, parcel.id) == {}
    assert session.get(Parcel, parcel.id).status != "packed"


def test_cancelled_order_is_refused_at_the_station(session, settings):
    from fulfilment import orders

    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 1}, settings=settings)
    orders.cancel(session, order_id=parcel.order_id, now=NOW)
    out = _scan(session, f"P{parcel.id}")
    assert out.result == "refused" and "cancelled" in out.message


def test_handover_ships_the_wave_and_issues_stock(session, settings):
    floor_stock(session, NOW)
    parcel = packable_parcel(session, DISPATCH, lines={"SERUM-30ML": 3}, settings=settings)
    assert _scan(session, f"P{parcel.id}").result == "ok"
    for _ in range(3):
        _scan(session, "SERUM-30ML")
    on_hand_before = sum(_lot(session, n).on_hand for n in ("S-MID", "S-NEW"))
    out = _scan(session, f"WAVE-{parcel.wave_id}")
    assert out.result == "ok" and out.shipped == 1
    assert session.get(Parcel, parcel.id).status == "shipped"
    assert session.get(Order, parcel.order_id).status == "shipped"
    assert sum(_lot(session, n).on_hand for n in ("S-MID", "S-NEW")) == on_hand_before - 3
    assert all(t.status == "shipped" for t in session.execute(select(PickTask)).scalars())
    picking = session.execute(select(func.sum(StockMovement.qty)).where(
        StockMovement.bucket == "picking")).scalar()
    assert picking == 0 and stock.ledger_problems(session) == []


def test_label_for_a_parcel_reads_order_and_warehouse(session, settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 1}, settings=settings,
                              external_id="R-LBL-1")
    label = floor_labels.label_for(session, parcel, printed_on=datetime(2026, 11, 22).date())
    assert label.order_no == "R-LBL-1" and label.courier == "SF"
    assert label.recipient.name == "李小红" and label.tracking_no.startswith("SF")
    assert label.customs is None  # not cleared yet
    assert label.lines[0].sku == "SERUM-30ML"


def test_label_shows_customs_once_cleared(session, settings, monkeypatch):
    from fulfilment import clearance

    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 1}, settings=settings)
    monkeypatch.setattr(clearance, "inventory_no", lambda s, oid: "31092026I000012345")
    label = floor_labels.label_for(session, parcel, printed_on=NOW.date())
    assert label.customs.mode == "1210" and label.customs.inventory_no == "31092026I000012345"
    assert floor.ensure_tracking(session, parcel) == label.tracking_no  # stable once assigned


def test_pick_tasks_job_covers_waves_without_tasks(session, session_factory, settings):
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 2}, settings=settings)
    session.commit()
    assert floor.pick_tasks_job(session_factory, settings, now=DISPATCH) == 1
    assert floor.pick_tasks_job(session_factory, settings, now=DISPATCH) == 0
    with session_factory() as s:
        assert len(floor.tasks_of(s, wave_id=parcel.wave_id)) == 1


def test_a_suppliers_gs1_symbol_ticks_the_item_its_gtin_names(session, settings):
    floor_stock(session, NOW)
    parcel = packable_parcel(session, DISPATCH, lines={"SERUM-30ML": 2, "CREAM-50G": 1},
                             settings=settings)
    assert _scan(session, f"P{parcel.id}").result == "ok"
    # GS1 DataMatrix as the scanner sends it: ]d2, (01) GTIN-14, (10) lot, FNC1, (17) expiry
    datamatrix = _scan(session, "]d20106901234567892" + "10LOT7\x1d" + "17271231")
    assert datamatrix.result == "ok" and datamatrix.message == "SERUM-30ML 1/2"
    assert _scan(session, "(01)06901234567892(17)271231(10)LOT7").message == "SERUM-30ML 2/2"
    bad = _scan(session, "0106901234567893" + "17271231")  # check digit broken
    assert bad.result == "refused" and "unknown barcode" in bad.message
    assert station.packed_counts(session, parcel.id) == {"SERUM-30ML": 2}
    assert session.execute(select(PackScan.code).where(PackScan.kind == "item",
                                                       PackScan.result == "ok")
                           ).scalars().first().startswith("]d2")  # the scan as it was read



def _split_order(session, settings) -> tuple[Parcel, Parcel]:  # noqa: ANN001
    """An order whose SERUM waits in NGB (pick tasks made) and whose CREAM waits in SZX."""
    from fulfilment.tables import ParcelLine
    from tests.builders import a_warehouse

    floor_stock(session, NOW)
    a_warehouse(session, "SZX")
    here = packable_parcel(session, DISPATCH, lines={"SERUM-30ML": 1}, settings=settings,
                           external_id="R-SPLIT-1")
    there = Parcel(order_id=here.order_id, wave_id=here.wave_id, warehouse_id="SZX",
                   courier_id="SF", weight_g=120, shipping_fen=900, tax_fen=0, created_at=NOW)
    session.add(there)
    session.flush()
    session.add(ParcelLine(parcel_id=there.id, sku_id="CREAM-50G", qty=1))
    session.flush()
    return here, there


def test_an_order_number_with_parcels_in_two_warehouses_names_both_and_opens_neither(
        session, settings):
    here, there = _split_order(session, settings)
    out = _scan(session, "R-SPLIT-1")
    assert out.result == "refused" and out.parcel_id is None
    assert "NGB, SZX" in out.message and f"P{here.id}" in out.message
    assert station.active_parcel(session, "S1") is None
    from fulfilment.handover import hand_over

    done = hand_over(session, ["R-SPLIT-1"], now=NOW, actor="test")
    assert done.shipped == 0 and "NGB, SZX" in done.not_shipped[0]["reason"]


def test_a_station_at_a_warehouse_opens_only_that_warehouses_parcels(session, settings):
    here, there = _split_order(session, settings)
    ngb = station.scan(session, station="S1", user="tester", code="R-SPLIT-1", now=NOW,
                       warehouse="NGB")
    assert ngb.result == "ok" and ngb.parcel_id == here.id
    elsewhere = station.scan(session, station="S2", user="tester", code=f"P{there.id}",
                             now=NOW, warehouse="NGB")
    assert elsewhere.result == "refused" and "packed at SZX" in elsewhere.message
    assert station.active_parcel(session, "S2") is None
    unknown = station.scan(session, station="S3", user="tester", code="R-SPLIT-1", now=NOW,
                           warehouse="XXX")
    assert unknown.result == "refused" and "XXX is unknown" in unknown.message
