"""Demo rate cards: every demo warehouse to every province, priced by distance.

`rate_cards(...)` is pure (plain rows out); `seed(session, now=...)` writes them, and is what the
demo seeding (`fulfilment.demo.seed`) calls.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import inspect, text
from sqlmodel import Session

from routing import store
from routing.zones import CAPITAL_XY, PROVINCES

COURIERS = [("SF", "SF Express"), ("JD", "JD Logistics"), ("YTO", "YTO Express"),
            ("ZTO", "ZTO Express"), ("EMS", "China EMS"), ("DHL", "DHL Express")]
# domestic couriers: first kg CNY, each extra kg CNY, extra transit days, parcels per day share
DOMESTIC = {"SF": (12.0, 4.0, 0, 0.5), "JD": (10.0, 3.0, 0, 0.4), "YTO": (5.5, 1.5, 1, 0.25),
            "ZTO": (6.0, 1.5, 1, 0.25)}
INTERNATIONAL = {"EMS": (40.0, 13.0, 6), "DHL": (60.0, 18.0, 4)}
HOME = {"NGB": "ZJ", "ZZ": "HA", "SZ": "GD"}  # demo bonded warehouses' provinces


def rate_cards(warehouses: list[tuple[str, str]], *, daily_parcels: int = 2000,
               ) -> tuple[list[dict], list[dict]]:
    """(lanes, capacities) for (warehouse id, kind) pairs; money in fen.

    Bonded warehouses ship with domestic couriers, priced by distance from their province;
    overseas ones by EMS and DHL at flat international rates.
    """
    lanes, caps = [], []
    for wid, kind in warehouses:
        for zone, _ in PROVINCES:
            if kind == "bonded":
                km = math.dist(CAPITAL_XY[HOME.get(wid, "ZJ")], CAPITAL_XY[zone])
                for courier, (first, extra, slow, _) in DOMESTIC.items():
                    lanes.append({"warehouse": wid, "courier": courier, "zone": zone,
                                  "first_kg_fen": round((first + 1.2 * km) * 10) * 10,
                                  "extra_kg_fen": round((extra + 0.5 * km) * 10) * 10,
                                  "transit_days": 1 + slow + int(km / 1.5)})
            else:
                for courier, (first, extra, days) in INTERNATIONAL.items():
                    lanes.append({"warehouse": wid, "courier": courier, "zone": zone,
                                  "first_kg_fen": int(first * 100),
                                  "extra_kg_fen": int(extra * 100),
                                  "transit_days": days + (zone in ("XZ", "XJ", "QH"))})
        if kind == "bonded":
            caps += [{"warehouse": wid, "courier": c, "parcels": int(daily_parcels * share)}
                     for c, (*_, share) in DOMESTIC.items()]
    return lanes, caps


def seed(session: Session, *, now: datetime) -> str:
    """Demo couriers, rate cards and capacities for the warehouses in the database."""
    del now
    if not inspect(session.connection()).has_table("courier"):
        return "rate cards: skipped, no courier/lane/courier_capacity tables (migration missing)"
    for courier_id, name in COURIERS:
        store.upsert_courier(session, courier_id=courier_id, name=name)
    session.flush()
    warehouses = [(r[0], r[1]) for r in session.execute(
        text("SELECT id, kind FROM warehouse ORDER BY id"))]
    lanes, caps = rate_cards(warehouses)
    for lane in lanes:
        store.upsert_lane(session, **lane)
    for cap in caps:
        store.upsert_capacity(session, **cap)
    session.flush()
    return f"rate cards: {len(COURIERS)} couriers, {len(lanes)} lanes, {len(caps)} capacities"
