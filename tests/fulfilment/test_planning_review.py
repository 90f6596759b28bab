"""The buyers' workflow after review: expired receipts, per-SKU sales history, zero lines,
dock expiries per carton, stale forecasts, both import files' errors, the proposal budget."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from fulfilment import planning, receiving
from fulfilment.localtime import business_day
from fulfilment.settings import Settings
from inventory import forecast, planning_store, signals, worlds
from inventory import store as stock
from inventory.planning_errors import PlanningError
from inventory.planning_tables import (
    HubCapacity,
    InboundTransfer,
    PurchasePlan,
    SalesDay,
    SignalDay,
    SupplySource,
)
from inventory.signals import SaleRow
from inventory.tables import StockLot
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW
from tests.fulfilment.floor_builders import allocated_parcel, floor_stock

TODAY = business_day(NOW)
Db = tuple[Session, Settings]


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Iterator[Db]:
    """A session and settings on SQLite, then on PostgreSQL (skipped without its URL)."""
    pg = request.param == "postgres"
    factory = request.getfixturevalue("pg_factory" if pg else "session_factory")
    with factory() as session:
        yield session, request.getfixturevalue("pg_settings" if pg else "settings")


def _world(session: Session, *, shelf_life_days: int = 365, case_pack: int = 10,
           forecast_start: date | None = TODAY, skus: tuple[str, ...] = ("A", "B")) -> None:
    """SKUs bought from one Seoul supplier into NGB, forecast at about 25 a day from
    `forecast_start` (no forecast if None)."""
    a_warehouse(session, "NGB")
    for sku in skus:
        a_sku(session, sku, price_fen=20000, weight_g=100, shelf_life_days=shelf_life_days)
        session.add(SupplySource(sku_id=sku, market="KR", supplier="Seoul", hub="NGB",
                                 unit_cost_fen=3000, moq=case_pack, case_pack=case_pack,
                                 lead_days=5, freight_fen_per_kg=1000))
    session.add(HubCapacity(warehouse_id="NGB", capacity_units=10_000))
    if forecast_start is not None:
        rows = [forecast.ForecastRow(sku, forecast_start + timedelta(days=d), 20, 25, 30)
                for d in range(14) for sku in skus]
        planning_store.save_forecast(session, rows=rows, made_at=NOW, start=forecast_start,
                                     horizon=14)
    session.commit()


def _approved_transfer(session: Session, **world: object) -> InboundTransfer:
    _world(session, **world)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    planning.approve(session, plan_id=plan.id, now=NOW)
    session.commit()
    return session.exec(select(InboundTransfer)).first()


def _refused(session: Session, transfer_id: int, *, now: datetime,
             found: dict | None = None, counted: dict | None = None) -> list[dict]:
    """The problems a refused receipt names; nothing of it stays."""
    with pytest.raises(PlanningError) as refused:
        receiving.receive(session, transfer_id=transfer_id, now=now, found=found,
                          counted=counted)
    session.rollback()
    assert refused.value.code == "invalid_receipt"
    assert session.get(InboundTransfer, transfer_id).status == "in_transit"
    assert session.exec(select(StockLot)).all() == []
    return refused.value.problems


# 1. the planned expiry is judged at the time of receipt


@pytest.mark.parametrize("late_days", [20, 30])  # on the planned expiry, and after it
def test_cartons_past_their_planned_expiry_are_refused_naming_each(db: Db, late_days: int) -> None:
    session, _ = db
    transfer = _approved_transfer(session, shelf_life_days=20, skus=("A",))
    boxes = receiving.cartons(session, transfer.id)
    assert {c.expiry for c in boxes} == {TODAY + timedelta(days=20)}
    late = NOW + timedelta(days=late_days)
    problems = _refused(session, transfer.id, now=late)
    assert [p["field"] for p in problems] == [f"cartons.{c.sscc}.expiry" for c in boxes]
    assert problems[0]["reason"] == (
        f"{TODAY + timedelta(days=20)} is not after today ({business_day(late)}): expired goods "
        "are not received into stock (the planned expiry: give the one read)")


def test_a_late_transfer_is_received_with_the_expiry_read_at_the_dock(db: Db) -> None:
    session, _ = db
    transfer = _approved_transfer(session, shelf_life_days=20, skus=("A",))
    boxes = receiving.cartons(session, transfer.id)
    late, real = NOW + timedelta(days=30), TODAY + timedelta(days=200)
    first, *rest = boxes
    problems = _refused(session, transfer.id, now=late, found={first.sscc: (None, real)})
    assert [p["field"] for p in problems] == [f"cartons.{c.sscc}.expiry" for c in rest]
    units = receiving.receive(session, transfer_id=transfer.id, now=late,
                             found={c.sscc: ("KR-2612", real) for c in boxes})
    assert units == sum(c.qty for c in boxes)
    assert [(lot.lot_no, lot.expiry) for lot in session.exec(select(StockLot))] == [
        ("KR-2612", real)]


# 2. imported sales replace shipped parcels only for their SKUs, over each SKU's own span


def _ship(session, settings, day: int, qty: int = 2) -> None:  # noqa: ANN001
    at = datetime(2026, 11, day, 3, 0, tzinfo=UTC)  # 11:00 in Ningbo
    parcel = allocated_parcel(session, at, lines={"SERUM-30ML": qty}, settings=settings)
    parcel.status, parcel.shipped_at = "shipped", at


def _serum_shipped_on_10_12_14(db: Db) -> Session:
    session, settings = db
    floor_stock(session, datetime(2026, 11, 1, tzinfo=UTC))
    for day in (10, 12, 14):
        _ship(session, settings, day)
    return session


def _by_day(rows: list[SaleRow]) -> list[SaleRow]:
    return sorted(rows, key=lambda r: (r.day, r.sku))


def test_importing_one_skus_sales_keeps_the_others_shipped_history(db: Db) -> None:
    session = _serum_shipped_on_10_12_14(db)
    planning.import_sales(session, text="date,sku,units\n2026-11-01,OTHER-SKU,3\n"
                                        "2026-11-20,OTHER-SKU,4\n")
    session.commit()
    serum = [SaleRow(date(2026, 11, d), "SERUM-30ML", 2) for d in (10, 12, 14)]
    other = [SaleRow(date(2026, 11, 1), "OTHER-SKU", 3),
             SaleRow(date(2026, 11, 20), "OTHER-SKU", 4)]
    assert _by_day(planning.sales_history(session)) == _by_day(serum + other)


def test_a_skus_import_replaces_its_shipped_sales_over_its_own_span(db: Db) -> None:
    session = _serum_shipped_on_10_12_14(db)
    # SERUM's export runs from the 11th to the 13th: the 12th's missing row is a zero
    planning.import_sales(session, text="date,sku,units\n2026-11-11,SERUM-30ML,3\n"
                                        "2026-11-13,SERUM-30ML,4\n2026-11-01,OTHER-SKU,1\n")
    session.commit()
    assert _by_day(planning.sales_history(session)) == _by_day([
        SaleRow(date(2026, 11, 1), "OTHER-SKU", 1), SaleRow(date(2026, 11, 10), "SERUM-30ML", 2),
        SaleRow(date(2026, 11, 11), "SERUM-30ML", 3), SaleRow(date(2026, 11, 13), "SERUM-30ML", 4),
        SaleRow(date(2026, 11, 14), "SERUM-30ML", 2)])
    # from the 12th on: the span is the SKU's whole import, not what is left of it
    assert _by_day(planning.sales_history(session, since=date(2026, 11, 12))) == [
        SaleRow(date(2026, 11, 13), "SERUM-30ML", 4), SaleRow(date(2026, 11, 14), "SERUM-30ML", 2)]


# 3. a line set to zero counts for nothing, as a removed one


def test_a_line_set_to_zero_adds_nothing_to_the_plan(db: Db) -> None:
    session, _ = db
    _world(session)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    line, *others = planning_store.plan_lines(session, plan.id)
    assert others and line.expected_margin_fen > 0
    proposed = line.qty
    planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=0)
    assert (line.qty, line.expected_margin_fen, line.sell_through) == (0, 0, 0.0)
    assert line.reason.startswith(f"edited by the buyer (proposed {proposed} units): ")
    zeroed = (plan.spent_fen, plan.expected_margin_fen)
    assert zeroed[1] == sum(ln.expected_margin_fen for ln in others)
    planning.update_line(session, plan_id=plan.id, line_id=line.id, qty=proposed)
    assert line.expected_margin_fen > 0
    planning.update_line(session, plan_id=plan.id, line_id=line.id, removed=True)
    assert (plan.spent_fen, plan.expected_margin_fen) == zeroed


# 4. a dock expiry unlike its lot's


def test_a_carton_given_its_own_expiry_goes_into_a_lot_of_its_own(db: Db) -> None:
    session, _ = db
    transfer = _approved_transfer(session, skus=("A",))
    first, odd, *rest = receiving.cartons(session, transfer.id)
    planned, real = first.expiry, TODAY + timedelta(days=200)
    receiving.receive(session, transfer_id=transfer.id, now=NOW, found={odd.sscc: (None, real)})
    lots = {lot.lot_no: (lot.expiry, lot.on_hand) for lot in session.exec(select(StockLot))}
    base = first.lot_no
    own = f"{base}-{real:%Y%m%d}"
    assert lots == {base: (planned, first.qty + sum(c.qty for c in rest)), own: (real, odd.qty)}
    assert (odd.lot_no, odd.expiry) == (own, real)
    assert stock.ledger_problems(session) == []


def test_one_dock_lot_with_two_expiries_is_refused_naming_the_cartons(db: Db) -> None:
    session, _ = db
    transfer = _approved_transfer(session, skus=("A",))
    first, second, *_ = receiving.cartons(session, transfer.id)
    real = TODAY + timedelta(days=200)
    problems = _refused(session, transfer.id, now=NOW, found={
        first.sscc: ("KR-9", real), second.sscc: ("KR-9", real + timedelta(days=1))})
    assert [p["field"] for p in problems] == [f"cartons.{first.sscc}.expiry",
                                              f"cartons.{second.sscc}.expiry"]
    assert "lot KR-9" in problems[0]["reason"]


def test_a_dock_lot_in_stock_with_another_expiry_is_refused_naming_the_carton(db: Db) -> None:
    session, _ = db
    transfer = _approved_transfer(session, skus=("A",))
    first, *_ = receiving.cartons(session, transfer.id)
    real = TODAY + timedelta(days=200)
    stock.receive(session, warehouse="NGB", sku="A", lot_no="KR-9", qty=5, expiry=real,
                  now=NOW, reference="earlier")
    session.commit()
    with pytest.raises(PlanningError) as refused:
        receiving.receive(session, transfer_id=transfer.id, now=NOW,
                         found={first.sscc: ("KR-9", real + timedelta(days=1))})
    assert [p["field"] for p in refused.value.problems] == [f"cartons.{first.sscc}.expiry"]
    assert (f"lot KR-9 of A would hold goods expiring {real}, {real + timedelta(days=1)}"
            in refused.value.problems[0]["reason"])


# 5. a stale forecast is made again before a plan is proposed from it

STALE_WORLD = worlds.generate(3, skus=3, days=45, first_day=TODAY - timedelta(days=45))


def test_a_plan_is_not_proposed_from_a_stale_forecast(db: Db) -> None:
    session, _ = db
    skus = tuple(sorted(STALE_WORLD.categories))
    _world(session, skus=skus, forecast_start=TODAY - timedelta(days=20))
    planning.import_signals(session, text=signals.signals_to_csv(STALE_WORLD.signals))
    planning.import_sales(session, text=signals.sales_to_csv(STALE_WORLD.sales))
    stale, _ = planning_store.latest_forecast(session)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    run, _ = planning_store.latest_forecast(session)
    assert run.id != stale.id and run.start == TODAY and plan.forecast_run_id == run.id
    assert planning_store.plan_lines(session, plan.id)
    again = planning.propose(session, now=NOW + timedelta(hours=1), budget_fen=10**8)
    assert again.forecast_run_id == run.id  # made today: not made again


# 8. both files' problems in one answer


def test_a_bad_signals_file_and_a_bad_sales_file_are_both_reported(client, headers,
                                                                   session) -> None:  # noqa: ANN001
    body = {"signals_csv": "date,sku,notes,likes,saves,comments,shares,searches\n"
                           "2026-11-01,A,1,x,0,0,0,0\n",
            "sales_csv": "date,sku,units\n2026-11-01,A,1\n2026-02-30,A,1\n"}
    got = client.post("/signals", json=body, headers=headers("buyer"))
    assert got.status_code == 422, got.text
    detail = got.json()["detail"]
    # the field names the file and the row; the reason is about the value alone
    assert [p["field"] for p in detail] == ["signals_csv.row 2.likes", "sales_csv.row 3.date"]
    assert detail[1]["reason"] == "not an ISO date (YYYY-MM-DD): '2026-02-30'"
    assert session.exec(select(SignalDay)).all() == session.exec(select(SalesDay)).all() == []


# 10. the scheduled proposal's budget


def test_the_proposal_budget_is_a_setting_in_cny(settings, monkeypatch) -> None:  # noqa: ANN001
    assert settings.plan_budget_fen == planning.DEFAULT_BUDGET_FEN
    monkeypatch.setenv("FULFILMENT_PLAN_BUDGET", "1234.56")
    assert Settings().plan_budget_fen == 123_456
    for bad in ("abc", "12.345", "-5", "0", "1e400", ""):
        with pytest.raises(ValidationError, match="plan_budget"):
            Settings(plan_budget=bad)


def test_the_proposal_job_spends_the_configured_budget(session_factory, settings) -> None:  # noqa: ANN001
    with session_factory() as session:
        _world(session)
    configured = Settings(**{**settings.model_dump(), "plan_budget": "1000.00"})
    assert planning.proposal_job(session_factory, configured, now=NOW) > 0
    with session_factory() as session:
        plan = session.exec(select(PurchasePlan)).one()
        assert plan.budget_fen == 100_000 and 0 < plan.spent_fen <= 100_000
