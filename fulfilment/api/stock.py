"""Warehouses, SKUs, receipts, adjustments, availability and per-warehouse stock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from fulfilment.api.deps import ROW_ID_MAX, ApiKeyDep, SessionDep, require_role
from fulfilment.intake import money_fen
from fulfilment.localtime import business_day
from inventory import catalogue
from inventory import store as stock
from inventory.tables import StockLot

router = APIRouter(tags=["stock"])
_write = [require_role("warehouse", "buyer")]
_read = [require_role("order-service", "warehouse", "buyer")]


class WarehouseIn(BaseModel):
    id: str = Field(min_length=1, max_length=16, pattern=r"^[A-Z0-9-]+$")
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["bonded", "overseas"]
    customs_mode: Literal["1210", "9610"]
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Z]{2}$")
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)
    pick_capacity_units: int | None = Field(default=None, ge=0)


class SkuIn(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    hs_code: str = Field(pattern=r"^\d{4,10}$")
    weight_g: int = Field(gt=0)
    tax_category: str = "general"
    unit_price: str = Field(description='decimal string, e.g. "199.00"')
    brand: str = ""
    category: str = "general"
    gtin: str | None = Field(default=None, pattern=r"^\d{8,14}$")
    shelf_life_days: int | None = Field(default=None, gt=0)
    min_remaining_days: int = Field(default=0, ge=0)
    origin_country: str = Field(default="", max_length=2)
    case_pack: int = Field(default=1, gt=0)
    moq: int = Field(default=1, gt=0)
    net_content: str | None = None


class ReceiptIn(BaseModel):
    warehouse: str
    sku: str
    qty: int = Field(gt=0)
    lot: str = Field(min_length=1, max_length=40)
    expiry: date | None = None
    reference: str = ""


class AdjustmentIn(BaseModel):
    lot_id: int = Field(ge=1, le=ROW_ID_MAX)
    delta: int
    reason: Literal["count", "damage", "expiry", "found", "correction"]
    reference: str = ""


@router.post("/warehouses", status_code=201, dependencies=_write)
def create_warehouse(body: WarehouseIn, session: SessionDep) -> dict:
    return catalogue.warehouse_view(catalogue.add_warehouse(session, **body.model_dump()))


@router.get("/warehouses", dependencies=_read)
def list_warehouses(session: SessionDep) -> list[dict]:
    return [catalogue.warehouse_view(w) for w in catalogue.warehouses(session)]


@router.post("/skus", status_code=201, dependencies=_write)
def create_sku(body: SkuIn, session: SessionDep) -> dict:
    data = body.model_dump()
    price = money_fen(data.pop("unit_price"))
    return catalogue.sku_view(catalogue.add_sku(session, unit_price_fen=price, **data))


@router.get("/skus/{sku_id}", dependencies=_read)
def get_sku(sku_id: str, session: SessionDep) -> dict:
    return catalogue.sku_view(catalogue.get_sku(session, sku_id))


@router.post("/inventory/receipts", status_code=201, dependencies=_write)
def receive(body: ReceiptIn, session: SessionDep, key: ApiKeyDep) -> dict:
    lot = stock.receive(session, warehouse=body.warehouse, sku=body.sku, lot_no=body.lot,
                        qty=body.qty, expiry=body.expiry, now=(now := datetime.now(UTC)),
                        reference=body.reference or f"receipt:{body.lot}", actor=f"key:{key.name}",
                        fresh_on=business_day(now))
    return {"lot": _lot_view(lot), "availability": _availability(session, body.sku)}


@router.post("/inventory/adjustments", dependencies=[require_role("warehouse")])  # the floor
def adjust(body: AdjustmentIn, session: SessionDep, key: ApiKeyDep) -> dict:
    lot = stock.adjust(session, lot_id=body.lot_id, delta=body.delta, reason=body.reason,
                       now=datetime.now(UTC), reference=body.reference, actor=f"key:{key.name}")
    return {"lot": _lot_view(lot), "availability": _availability(session, lot.sku_id)}


@router.get("/inventory/availability", dependencies=_read)
def availability(session: SessionDep, sku: str | None = Query(default=None)) -> dict | list:
    if sku is not None:
        return _availability(session, sku)
    return [_row(a) for a in stock.availability_of(session)]


@router.get("/inventory/stock", dependencies=_read)
def warehouse_stock(session: SessionDep, warehouse: str | None = None,
                    sku: str | None = None) -> list[dict]:
    return [_lot_view(lot) for lot in stock.lots_of(session, warehouse=warehouse, sku=sku)]


def _availability(session: SessionDep, sku: str) -> dict:
    rows = stock.availability_of(session, [sku])
    if not rows:
        catalogue.get_sku(session, sku)  # 404 for an unknown SKU
        return {"sku": sku, "sellable": 0, "reserved": 0, "available": 0}
    return _row(rows[0])


def _row(a) -> dict:  # noqa: ANN001
    return {"sku": a.sku_id, "sellable": a.sellable, "reserved": a.reserved,
            "available": a.sellable - a.reserved}


def _lot_view(lot: StockLot) -> dict:
    return {"id": lot.id, "warehouse": lot.warehouse_id, "sku": lot.sku_id, "lot": lot.lot_no,
            "expiry": lot.expiry.isoformat() if lot.expiry else None, "on_hand": lot.on_hand,
            "allocated": lot.allocated, "bin_id": lot.bin_id}

