"""Demo data for buyers' planning: 90 days of signals and sales, supply sources, hub capacity."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from inventory import planning_store, worlds
from inventory.planning_tables import HubCapacity, SupplySource
from inventory.tables import Sku, StockLot, Warehouse

_MARKETS = {"KR": "Seoul Beauty Co", "JP": "Tokyo Cosme Trading", "US": "LA Wellness Supply",
            "DE": "Frankfurt Pharma Export"}


def seed(session: Session, *, now: datetime) -> str:
    """Signals and sales for up to 24 catalogue SKUs (one a launch-in-waiting), sources, hubs."""
    skus = session.exec(select(Sku).order_by(Sku.id).limit(24)).all()
    hubs = session.exec(select(Warehouse).where(Warehouse.kind == "bonded")
                        .order_by(Warehouse.id)).all()
    if not skus or not hubs:
        return "planning demo: no SKUs or bonded hubs, nothing seeded"
    days = 90
    world = worlds.generate(2026, skus=len(skus), days=days,
                            first_day=now.date() - timedelta(days=days))
    names = dict(zip(sorted(world.categories), (s.id for s in skus), strict=True))
    planning_store.upsert_signals(session, rows=[dataclasses.replace(r, sku=names[r.sku])
                                                 for r in world.signals])
    planning_store.upsert_sales(session, rows=[dataclasses.replace(r, sku=names[r.sku])
                                               for r in world.sales])
    for n, sku in enumerate(skus):
        market = sku.origin_country if sku.origin_country in _MARKETS else "KR"
        moq, case_pack = max(sku.moq, 6), max(sku.case_pack, 6)
        # by air into the first two hubs; by sea, slower, cheaper and in larger orders, into
        # a third where there is one: the plan weighs a month at sea against days by air
        routes = [(hub, moq, 4 + (n + k) % 4, 3800 + 400 * k) for k, hub in enumerate(hubs[:2])]
        routes += [(hub, moq * 4, 24 + 4 * (n % 3), 600) for hub in hubs[2:3]]
        for hub, least, lead, freight in routes:
            if session.exec(select(SupplySource).where(
                    SupplySource.sku_id == sku.id, SupplySource.market == market,
                    SupplySource.hub == hub.id)).first():
                continue
            session.add(SupplySource(
                sku_id=sku.id, market=market, supplier=_MARKETS[market], hub=hub.id,
                unit_cost_fen=max(sku.unit_price_fen * 2 // 5, 100), moq=least,
                case_pack=case_pack, lead_days=lead, freight_fen_per_kg=freight))
    for hub in hubs:
        if session.get(HubCapacity, hub.id) is None:  # room for 20,000 more than it holds
            held = session.exec(select(func.coalesce(func.sum(StockLot.on_hand), 0))
                                .where(StockLot.warehouse_id == hub.id)).one()
            session.add(HubCapacity(warehouse_id=hub.id, capacity_units=int(held) + 20_000))
    session.flush()
    sea = f" and by sea into {hubs[2].id}" if len(hubs) > 2 else ""
    return (f"planning demo: {len(world.signals)} signal rows and {len(world.sales)} sales rows "
            f"for {len(skus)} SKUs, sources by air into {', '.join(h.id for h in hubs[:2])}"
            f"{sea}")
