"""The planning demo seeds signals, sales, sources and hub capacity a plan can be made from."""

from __future__ import annotations

from sqlmodel import select

from inventory import demo_signals, planning_store
from inventory.planning_tables import HubCapacity, SupplySource
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW


def test_seed_gives_history_and_sources(session) -> None:  # noqa: ANN001
    a_warehouse(session, "NGB")
    for sku in ("SERUM-30ML", "LIPTINT-01", "SUN-50G"):
        a_sku(session, sku)
    line = demo_signals.seed(session, now=NOW)
    assert "3 SKUs" in line
    assert {r.sku for r in planning_store.load_signals(session)} <= {"SERUM-30ML", "LIPTINT-01",
                                                                     "SUN-50G"}
    assert max(r.day for r in planning_store.load_sales(session)) < NOW.date()
    assert len(session.exec(select(SupplySource)).all()) == 3
    assert session.get(HubCapacity, "NGB") is not None
    demo_signals.seed(session, now=NOW)  # again: nothing doubled
    assert len(session.exec(select(SupplySource)).all()) == 3


def test_seed_offers_sea_beside_air_where_there_is_a_third_hub(session) -> None:  # noqa: ANN001
    for hub in ("NGB", "SZ", "ZZ"):
        a_warehouse(session, hub)
    a_sku(session, "SERUM-30ML")
    assert demo_signals.seed(session, now=NOW).endswith("by air into NGB, SZ and by sea into ZZ")
    routes = {s.hub: s for s in session.exec(select(SupplySource)).all()}
    assert set(routes) == {"NGB", "SZ", "ZZ"}
    assert routes["ZZ"].lead_days >= 24 > max(routes[h].lead_days for h in ("NGB", "SZ"))
    assert routes["ZZ"].freight_fen_per_kg < routes["NGB"].freight_fen_per_kg
    assert routes["ZZ"].moq > routes["NGB"].moq
