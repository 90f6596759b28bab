"""Scheduled planning jobs: nightly forecast refresh and the periodic plan proposal."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from fulfilment import planning
from inventory import planning_store, signals, worlds
from inventory.planning_tables import PurchasePlan, SupplySource
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW

WORLD = worlds.generate(3, skus=4, days=45, first_day=NOW.date() - timedelta(days=45))


def test_forecast_then_proposal_jobs(session_factory, settings) -> None:  # noqa: ANN001
    with session_factory() as session:
        a_warehouse(session, "NGB")
        sku = sorted(WORLD.categories)[0]
        a_sku(session, sku, price_fen=9900, weight_g=100, shelf_life_days=365)
        session.add(SupplySource(sku_id=sku, market="JP", supplier="Tokyo Cosme", hub="NGB",
                                 unit_cost_fen=2500, moq=6, case_pack=6, lead_days=4,
                                 freight_fen_per_kg=4200))
        planning.import_signals(session, text=signals.signals_to_csv(WORLD.signals))
        planning.import_sales(session, text=signals.sales_to_csv(WORLD.sales))
        session.commit()
    stored = planning.forecast_job(session_factory, settings, now=NOW)
    assert stored == len(WORLD.categories) * 14
    assert planning.proposal_job(session_factory, settings, now=NOW) >= 0
    again = planning.proposal_job(session_factory, settings, now=NOW + timedelta(hours=6))
    with session_factory() as session:
        run, _ = planning_store.latest_forecast(session)
        assert run.start == NOW.date()
        plans = session.exec(select(PurchasePlan).order_by(PurchasePlan.id)).all()
        assert [p.status for p in plans] == ["superseded", "proposed"]
        assert len(planning_store.plan_lines(session, plans[-1].id)) == again
