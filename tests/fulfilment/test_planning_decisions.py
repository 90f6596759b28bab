"""A plan's quantities against the hub's room, the buyer's edits, and what approval makes."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
from sqlmodel import Session, select

from fulfilment import planning, planning_documents, receiving
from fulfilment.localtime import business_day
from inventory import forecast, planning_store
from inventory.planning_errors import PlanningError
from inventory.planning_tables import (
    Carton,
    HubCapacity,
    InboundTransfer,
    PurchaseOrder,
    PurchasePlan,
    SupplySource,
)
from inventory.tables import Sku, StockLot
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW

TODAY = business_day(NOW)


def _world(session: Session, *, capacity: int, shelf_life_days: int = 365, lead_days: int = 5,
           daily: int = 25) -> None:
    """Two SKUs from one Seoul supplier into NGB, each forecast at about `daily` a day."""
    a_warehouse(session, "NGB")
    for sku in ("A", "B"):
        a_sku(session, sku, price_fen=20000, weight_g=100, shelf_life_days=shelf_life_days)
        session.add(SupplySource(sku_id=sku, market="KR", supplier="Seoul", hub="NGB",
                                 unit_cost_fen=3000, moq=1, case_pack=1, lead_days=lead_days,
                                 freight_fen_per_kg=1000))
    session.add(HubCapacity(warehouse_id="NGB", capacity_units=capacity))
    rows = [forecast.ForecastRow(sku, TODAY + timedelta(days=d), daily - 5, daily, daily + 5)
            for d in range(14) for sku in ("A", "B")]
    planning_store.save_forecast(session, rows=rows, made_at=NOW, start=TODAY, horizon=14)
    session.commit()


def test_units_in_transit_take_their_hubs_room(session) -> None:  # noqa: ANN001
    _world(session, capacity=300)
    first = planning.propose(session, now=NOW, budget_fen=10**8)
    sent = sum(ln.qty for ln in planning_store.plan_lines(session, first.id))
    assert 0 < sent <= 300
    planning.approve(session, plan_id=first.id, now=NOW)
    assert planning_store.hub_room(session) == {"NGB": 300 - sent}
    second = planning.propose(session, now=NOW + timedelta(hours=1), budget_fen=10**8)
    assert sum(ln.qty for ln in planning_store.plan_lines(session, second.id)) <= 300 - sent


def test_an_edit_may_not_send_a_hub_more_than_its_room(session) -> None:  # noqa: ANN001
    _world(session, capacity=400)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    line = planning_store.plan_lines(session, plan.id)[0]
    proposed = line.qty
    with pytest.raises(PlanningError) as refused:
        planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=6000)
    assert refused.value.code == "over_capacity"
    assert "hub NGB has room for 400 more units" in refused.value.problems[0]["reason"]
    session.refresh(line)
    assert line.qty == proposed  # nothing changed
    planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=proposed - 1)
    assert line.reason.startswith(f"edited by the buyer (proposed {proposed} units): ")
    planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=proposed - 2)
    assert line.reason.count("edited by the buyer") == 1


def test_approval_refuses_a_plan_the_hub_no_longer_has_room_for(session) -> None:  # noqa: ANN001
    _world(session, capacity=300)
    first = planning.propose(session, now=NOW, budget_fen=10**8)
    second = planning.propose(session, now=NOW, budget_fen=10**8)  # both before either ships
    planning.approve(session, plan_id=second.id, now=NOW)
    first.status = "proposed"  # a buyer still looking at the earlier proposal
    with pytest.raises(PlanningError) as refused:
        planning.approve(session, plan_id=first.id, now=NOW)
    assert refused.value.code == "over_capacity"


def test_cartons_expire_a_shelf_life_after_the_order(session) -> None:  # noqa: ANN001
    _world(session, capacity=10_000, shelf_life_days=90, lead_days=20)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    planning.approve(session, plan_id=plan.id, now=NOW)
    expiries = {c.expiry for c in session.exec(select(Carton))}
    assert expiries == {TODAY + timedelta(days=90)}  # not the arrival + 90: the planner's date


def test_a_budget_beyond_32_bits_is_kept_on_postgresql(pg_factory) -> None:  # noqa: ANN001
    with pg_factory() as session:
        _world(session, capacity=10_000)
        plan = planning.propose(session, now=NOW, budget_fen=3_000_000_000)  # 30 million CNY
        session.commit()
        session.expire_all()
        assert planning.get_plan(session, plan.id).budget_fen == 3_000_000_000


def test_an_edited_line_and_its_plan_are_figured_for_the_new_quantity(session) -> None:  # noqa: ANN001
    _world(session, capacity=10_000)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    line = planning_store.plan_lines(session, plan.id)[0]
    proposed = (line.qty, line.cover_days, line.sell_through, line.expected_margin_fen)
    planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=line.qty * 3)
    assert line.cover_days > proposed[1] and line.sell_through < proposed[2]
    assert line.reason.startswith(f"edited by the buyer (proposed {proposed[0]} units): ")
    assert f"covers {line.cover_days:.0f} days" in line.reason
    lines = planning_store.plan_lines(session, plan.id)
    assert plan.expected_margin_fen == sum(ln.expected_margin_fen for ln in lines)
    planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=proposed[0])
    assert (line.qty, line.cover_days, line.sell_through, line.expected_margin_fen) == proposed
    planning.update_line(session, plan_id=plan.id, line_id=line.id, removed=True)
    assert plan.expected_margin_fen == sum(ln.expected_margin_fen for ln in lines
                                           if ln.id != line.id)


def test_the_proposal_job_leaves_a_plan_the_buyer_is_editing(session_factory,
                                                              settings) -> None:  # noqa: ANN001
    with session_factory() as session:
        _world(session, capacity=10_000)
    assert planning.proposal_job(session_factory, settings, now=NOW) > 0
    assert planning.proposal_job(session_factory, settings, now=NOW) > 0  # untouched: replaced
    with session_factory() as session:
        plan = planning.get_plan(session, 2)
        line = planning_store.plan_lines(session, plan.id)[0]
        planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=line.qty + 1)
        session.commit()
    assert planning.proposal_job(session_factory, settings, now=NOW + timedelta(hours=6)) == 0
    with session_factory() as session:
        statuses = [p.status for p in session.exec(select(PurchasePlan).order_by(PurchasePlan.id))]
        assert statuses == ["superseded", "proposed"]


def test_a_receipt_books_the_lot_and_expiry_read_at_the_dock(session) -> None:  # noqa: ANN001
    _world(session, capacity=10_000)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    planning.approve(session, plan_id=plan.id, now=NOW)
    session.commit()
    transfer = session.exec(select(InboundTransfer)).first()
    first, *rest = receiving.cartons(session, transfer.id)
    real = TODAY + timedelta(days=200)
    for found, why in (({"069012349999999999": (None, real)}, "not a carton of this transfer"),
                       ({first.sscc: ("L-1", TODAY)}, "expired goods are not received")):
        with pytest.raises(PlanningError) as refused:
            receiving.receive(session, transfer_id=transfer.id, now=NOW, found=found)
        assert why in refused.value.problems[0]["reason"]
        session.rollback()
    assert session.get(InboundTransfer, transfer.id).status == "in_transit"
    receiving.receive(session, transfer_id=transfer.id, now=NOW,
                     found={first.sscc: ("KR-2611-A", real)})
    lots = {(lot.sku_id, lot.lot_no): lot.expiry for lot in session.exec(select(StockLot))}
    assert lots[(first.sku_id, "KR-2611-A")] == real
    assert all(lots[(c.sku_id, c.lot_no)] == c.expiry for c in rest)  # as planned


def test_a_sku_too_short_dated_to_receive_is_not_proposed(session) -> None:  # noqa: ANN001
    # AVENE-EP-116 of the demo: 150 days of shelf life, 182 to be left on receipt; every
    # carton of a plan buying it would be refused at the dock
    _world(session, capacity=10**6, shelf_life_days=150)
    session.get(Sku, "A").min_remaining_days = 182
    session.get(Sku, "B").min_remaining_days = 100  # 50 selling days, 45 after arrival
    session.commit()
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    lines = planning_store.plan_lines(session, plan.id)
    assert [ln.sku_id for ln in lines] == ["B"]
    assert 0 < lines[0].qty <= 45 * 30  # 45 days at p90 30 a day
    assert "sells for 45 days before its last 100 days" in lines[0].reason
    planning.approve(session, plan_id=plan.id, now=NOW)
    transfer = session.exec(select(InboundTransfer)).one()
    assert receiving.receive(session, transfer_id=transfer.id,
                             now=NOW + timedelta(days=5)) == lines[0].qty


def test_a_purchase_orders_dates_all_count_from_the_china_business_day(session) -> None:  # noqa: ANN001
    _world(session, capacity=10**6)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    evening = datetime(2026, 12, 3, 22, 51, tzinfo=UTC)  # 06:51 on the 4th in Shanghai
    [po_id] = planning.approve(session, plan_id=plan.id, now=evening)
    session.commit()
    session.expire_all()  # read back from the database, as the document route does
    transfer = session.exec(select(InboundTransfer)).one()
    assert transfer.eta == date(2026, 12, 9)  # 5 days' lead from the 4th
    assert {c.expiry for c in session.exec(select(Carton))} == {date(2027, 12, 4)}
    pdf = planning_documents.to_pdf(session, po_id)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "date 2026-12-04" in text, text
    assert session.get(PurchaseOrder, po_id).created_at == evening
