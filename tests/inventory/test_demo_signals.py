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
