"""Seed the demo: network, catalogue, bins, stock, rate cards and demo API keys (idempotent)."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from fulfilment import auth, demo_data
from inventory import store as stock
from inventory.tables import Bin, Sku, Warehouse

KEY_FILE = Path("var/demo-keys.txt")


def seed(session: Session, *, now: datetime, if_empty: bool = False,
         key_file: Path | None = KEY_FILE) -> list[str]:
    """Insert what is missing; with if_empty, do nothing when a catalogue exists."""
    has_skus = session.execute(select(func.count()).select_from(Sku)).scalar_one() > 0
    if if_empty and has_skus:
        return ["demo data already present"] + _known_keys(key_file)
    summary = [f"warehouses: {_warehouses(session)} added"]
    skus = demo_data.catalogue()
    summary.append(f"skus: {_skus(session, skus)} added")
    summary.append(f"bins: {_bins(session)} added")
    if not has_skus:
        summary.append(f"stock lots: {_stock(session, skus, now)} received")
    summary.extend(_optional_seeds(session, now))
    summary.extend(_keys(session, now, key_file))
    return summary


def _warehouses(session: Session) -> int:
    added = 0
    for wid, name, kind, mode, country, address, phone, cap in demo_data.WAREHOUSES:
        if session.get(Warehouse, wid) is None:
            session.add(Warehouse(id=wid, name=name, kind=kind, customs_mode=mode,
                                  country=country, address=address, phone=phone,
                                  pick_capacity_units=cap))
            added += 1
    session.flush()
    return added


def _skus(session: Session, skus: list[demo_data.DemoSku]) -> int:
    added = 0
    for s in skus:
        if session.get(Sku, s.id) is None:
            session.add(Sku(id=s.id, name=s.name, brand=s.brand, category=s.category,
                            gtin=s.gtin, hs_code=s.hs_code, tax_category=s.tax_category,
                            weight_g=s.weight_g, shelf_life_days=s.shelf_life_days,
                            min_remaining_days=(s.shelf_life_days or 0) // 6,
                            origin_country=s.origin_country, unit_price_fen=s.unit_price_fen,
                            case_pack=s.case_pack, moq=s.moq, net_content=s.net_content))
            added += 1
    session.flush()
    return added


def _bins(session: Session) -> int:
    added = 0
    for wid, *_ in demo_data.WAREHOUSES:
        exists = session.execute(select(func.count()).select_from(Bin)
                                 .where(Bin.warehouse_id == wid)).scalar_one()
        if exists:
            continue
        order = 0
        for aisle in "ABCD":
            for bay in range(1, 11):
                order += 1
                session.add(Bin(warehouse_id=wid, code=f"{aisle}-{bay:02d}-1", walk_order=order))
                added += 1
    session.flush()
    return added


def _stock(session: Session, skus: list[demo_data.DemoSku], now: datetime) -> int:
    bins: dict[str, list[int]] = {}
    for b in session.execute(select(Bin).order_by(Bin.walk_order)).scalars():
        bins.setdefault(b.warehouse_id, []).append(b.id)
    count = 0
    for i, (wh, sku, lot, qty, days) in enumerate(demo_data.stock_plan(skus)):
        wh_bins = bins.get(wh) or [None]
        stock.receive(session, warehouse=wh, sku=sku, lot_no=lot, qty=qty,
                      expiry=(now + timedelta(days=days)).date(), now=now,
                      reference="demo:opening-stock", actor="demo",
                      bin_id=wh_bins[i % len(wh_bins)])
        count += 1
    return count


def _optional_seeds(session: Session, now: datetime) -> list[str]:
    """Seeds of the areas built on the foundation (rate cards, signals), where present."""
    lines = []
    for module_name in ("routing.demo", "inventory.demo_signals"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        lines.append(module.seed(session, now=now))
    return lines


def _keys(session: Session, now: datetime, key_file: Path | None) -> list[str]:
    from fulfilment.tables import ApiKey

    if session.execute(select(func.count()).select_from(ApiKey)).scalar_one():
        return _known_keys(key_file)
    lines = []
    for role in auth.ROLES:
        _, plain = auth.create_key(session, role=role, name=f"demo-{role}", now=now)
        lines.append(f"{role} key: {plain}")
    if key_file is not None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text("\n".join(lines) + "\n")
    return lines


def _known_keys(key_file: Path | None) -> list[str]:
    if key_file is not None and key_file.exists():
        return key_file.read_text().splitlines()
    return []
