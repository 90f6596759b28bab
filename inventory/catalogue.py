"""The catalogue's store: warehouses and SKUs. Takes a Session; never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from inventory.errors import InvalidStock, StockConflict, UnknownItem
from inventory.tables import Sku, Warehouse


def add_warehouse(session: Session, **fields: object) -> Warehouse:
    if session.get(Warehouse, fields["id"]) is not None:
        raise StockConflict("warehouse exists", [{"field": "id", "reason": "already exists"}])
    row = Warehouse(**fields)
    session.add(row)
    session.flush()
    return row


def add_sku(session: Session, *, unit_price_fen: int | None, **fields: object) -> Sku:
    if unit_price_fen is None:
        raise InvalidStock("bad price", [{"field": "unit_price", "reason": "must be a decimal "
                                          "string with at most two decimal places"}])
    if session.get(Sku, fields["id"]) is not None:
        raise StockConflict("sku exists", [{"field": "id", "reason": "already exists"}])
    row = Sku(unit_price_fen=unit_price_fen, **fields)
    session.add(row)
    session.flush()
    return row


def get_sku(session: Session, sku_id: str) -> Sku:
    row = session.get(Sku, sku_id)
    if row is None:
        raise UnknownItem(f"unknown sku {sku_id}", [{"field": "sku", "reason": f"unknown SKU "
                                                     f"{sku_id!r}"}])
    return row


def warehouses(session: Session) -> list[Warehouse]:
    return list(session.execute(select(Warehouse).order_by(Warehouse.id)).scalars())


def skus(session: Session) -> list[Sku]:
    return list(session.execute(select(Sku).order_by(Sku.id)).scalars())


def warehouse_view(w: Warehouse) -> dict:
    return {"id": w.id, "name": w.name, "kind": w.kind, "customs_mode": w.customs_mode,
            "country": w.country, "address": w.address, "phone": w.phone,
            "pick_capacity_units": w.pick_capacity_units}


def sku_view(s: Sku) -> dict:
    return {"id": s.id, "name": s.name, "brand": s.brand, "category": s.category, "gtin": s.gtin,
            "hs_code": s.hs_code, "tax_category": s.tax_category, "weight_g": s.weight_g,
            "shelf_life_days": s.shelf_life_days, "min_remaining_days": s.min_remaining_days,
            "origin_country": s.origin_country, "unit_price": _fen(s.unit_price_fen),
            "case_pack": s.case_pack, "moq": s.moq,
            "net_content": s.net_content}


def _fen(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
