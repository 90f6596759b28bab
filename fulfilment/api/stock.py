"""Warehouses, SKUs, receipts, adjustments, availability and per-warehouse stock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, field_validator

from customs.rules import CATEGORIES
from fulfilment.api.deps import ONE_LINE, ROW_ID_MAX, ApiKeyDep, SessionDep, require_role
from fulfilment.clearance_parcel import net_content
from fulfilment.intake import money_fen
from fulfilment.localtime import business_day
from inventory import catalogue
from inventory import store as stock
from inventory.purchasing_catalogue import MAX_SHELF_LIFE_DAYS, MAX_UNITS
from inventory.tables import StockLot
from labels import barcodes

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
    pick_capacity_units: int | None = Field(strict=True, default=None, ge=0, le=MAX_UNITS)


class SkuIn(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    hs_code: str = Field(pattern=r"^\d{4,10}$")
    weight_g: int = Field(strict=True, gt=0, le=MAX_UNITS)
    tax_category: Literal[CATEGORIES] = "general"  # type: ignore[valid-type]
    unit_price: str = Field(description='decimal string, e.g. "199.00"')
    brand: str = Field(default="", max_length=80)
    category: str = Field(default="general", max_length=40)
    gtin: str | None = Field(default=None, pattern=r"^(\d{8}|\d{12,14})$")
    # at most ten years: beyond it no dated stock exists, and dates past the calendar overflow
    shelf_life_days: int | None = Field(strict=True, default=None, gt=0, le=MAX_SHELF_LIFE_DAYS)
    min_remaining_days: int = Field(strict=True, default=0, ge=0, le=MAX_SHELF_LIFE_DAYS)
    origin_country: str = Field(default="", pattern=r"^([A-Z]{2})?$")
    case_pack: int = Field(strict=True, default=1, gt=0, le=MAX_UNITS)
    moq: int = Field(strict=True, default=1, gt=0, le=MAX_UNITS)
    net_content: str | None = Field(default=None, max_length=20,
                                    description='amount and unit: "30 ml", "50 g", "1 piece"')

    @field_validator("gtin")
    @classmethod
    def _gtin_checks(cls, gtin: str | None) -> str | None:
        # a wrong check digit found only when the pick list is printed stops the whole wave's list
        if gtin is not None and barcodes.gs1_check_digit(gtin[:-1]) != gtin[-1]:
            raise ValueError("the GTIN's check digit is wrong")
        return gtin

    @field_validator("net_content")
    @classmethod
    def _content_reads(cls, text: str | None) -> str | None:
        content = net_content(text) if text is not None else None
        if text is not None and (content is None or not Decimal(content["amount"]) > 0):
            raise ValueError('must be a positive amount and a unit (ml, l, g, kg, piece), '
                             'e.g. "30 ml"')
        return text


class ReceiptIn(BaseModel):
    warehouse: str = Field(min_length=1, max_length=16)
    sku: str = Field(min_length=1, max_length=64)
    qty: int = Field(strict=True, gt=0, le=MAX_UNITS)
    lot: str = Field(min_length=1, max_length=40, pattern=ONE_LINE)
    expiry: date | None = None
    reference: str = Field(default="", max_length=80, pattern=ONE_LINE)


class AdjustmentIn(BaseModel):
    lot_id: int = Field(strict=True, ge=1, le=ROW_ID_MAX)
    delta: int = Field(strict=True, ge=-MAX_UNITS, le=MAX_UNITS)
    reason: Literal["count", "damage", "expiry", "found", "correction"]
    reference: str = Field(default="", max_length=80, pattern=ONE_LINE)


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

