"""The purchase plan's input from the database: stock, reservations, transit and sources."""

from __future__ import annotations

from datetime import date, timedelta

from inventory import planning_store
from inventory import store as stock
from inventory.planning_tables import SupplySource
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW


def test_stock_too_short_dated_to_ship_is_not_counted_on_hand(session) -> None:  # noqa: ANN001
    # 30 days must be left when shipped: a lot expiring in 20 days cannot be sold, so it must
    # not hide the need for goods to replace it; a lot expiring in a year counts
    a_warehouse(session, "NGB")
    a_sku(session, "SERUM-30ML", shelf_life_days=720, min_remaining_days=30)
    today = NOW.date()
    for lot, qty, days in (("OLD", 40, 20), ("NEW", 7, 365)):
        stock.receive(session, warehouse="NGB", sku="SERUM-30ML", lot_no=lot, qty=qty,
                      expiry=today + timedelta(days=days), now=NOW)
    session.add(SupplySource(sku_id="SERUM-30ML", market="KR", supplier="Seoul", hub="NGB",
                             unit_cost_fen=5000, moq=1, case_pack=1, lead_days=5,
                             freight_fen_per_kg=3800))
    session.flush()
    data, _ = planning_store.plan_input(session, demand={}, budget_fen=0, today=today)
    [item] = data.items
    assert item.on_hand == 7
    later, _ = planning_store.plan_input(session, demand={}, budget_fen=0,
                                         today=date(2000, 1, 1))
    assert later.items[0].on_hand == 47  # long before: both lots ship
