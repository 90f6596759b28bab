"""Tables the inventory package owns: catalogue, warehouses, bins, lots, ledger, availability."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, UniqueConstraint
from sqlalchemy import DateTime as SADateTime
from sqlmodel import Field, SQLModel

# Money in fen that sums many units (plans, orders, waves): BIGINT on PostgreSQL, where INTEGER
# overflows at 21.5 million CNY. SQLite's INTEGER holds 64 bits already, and retyping a column
# there rebuilds its table, which enforced foreign keys refuse once rows point at it.
MONEY = BigInteger().with_variant(Integer(), "sqlite")


def _ts(**kw: object) -> Column:
    return Column(SADateTime(timezone=True), **kw)


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouse"
    __table_args__ = (
        CheckConstraint("kind IN ('bonded', 'overseas')", name="ck_warehouse_kind"),
        CheckConstraint("customs_mode IN ('1210', '9610')", name="ck_warehouse_customs_mode"),
    )
    id: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=16)
    customs_mode: str = Field(max_length=4)
    country: str = Field(max_length=2)
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)
    # units the floor can pick per wave; None = unlimited
    pick_capacity_units: int | None = Field(default=None)
    customs_area_code: str = Field(default="", max_length=20)


class Sku(SQLModel, table=True):
    __tablename__ = "sku"
    __table_args__ = (
        CheckConstraint("weight_g > 0", name="ck_sku_weight_positive"),
        CheckConstraint("unit_price_fen >= 0", name="ck_sku_price_non_negative"),
        CheckConstraint("case_pack > 0 AND moq > 0", name="ck_sku_pack_positive"),
    )
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    brand: str = Field(default="", max_length=80)
    category: str = Field(default="general", max_length=40)
    gtin: str | None = Field(default=None, max_length=14, index=True)
    hs_code: str = Field(max_length=10)
    tax_category: str = Field(default="general", max_length=20)
    weight_g: int
    shelf_life_days: int | None = Field(default=None)
    # a lot with fewer days left than this at dispatch is never picked
    min_remaining_days: int = Field(default=0)
    origin_country: str = Field(default="", max_length=2)
    unit_price_fen: int
    case_pack: int = Field(default=1)
    moq: int = Field(default=1)
    net_content: str | None = Field(default=None, max_length=20)  # e.g. "30 ml", "1 piece"


class Bin(SQLModel, table=True):
    __tablename__ = "bin"
    __table_args__ = (UniqueConstraint("warehouse_id", "code", name="uq_bin_warehouse_code"),)
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: str = Field(foreign_key="warehouse.id", max_length=16)
    code: str = Field(max_length=30)
    walk_order: int = Field(default=0)


class StockLot(SQLModel, table=True):
    """One lot of one SKU in one warehouse. `allocated` is promised to parcels, not yet picked."""

    __tablename__ = "stock_lot"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "sku_id", "lot_no", name="uq_stock_lot"),
        CheckConstraint("on_hand >= 0", name="ck_stock_lot_on_hand_non_negative"),
        CheckConstraint("allocated >= 0 AND allocated <= on_hand",
                        name="ck_stock_lot_allocated_within_on_hand"),
        Index("ix_stock_lot_wh_sku", "warehouse_id", "sku_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: str = Field(foreign_key="warehouse.id", max_length=16)
    sku_id: str = Field(foreign_key="sku.id", max_length=64)
    lot_no: str = Field(max_length=40)
    expiry: date | None = Field(default=None)
    on_hand: int = Field(default=0)
    allocated: int = Field(default=0)
    bin_id: int | None = Field(default=None, foreign_key="bin.id")


class StockMovement(SQLModel, table=True):
    """The ledger: every change to a lot or to availability, signed, with why and who."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint(
            "bucket IN ('on_hand', 'allocated', 'picking', 'sellable', 'reserved')",
            name="ck_stock_movement_bucket"),
        Index("ix_stock_movement_reference", "reference"),
        Index("ix_stock_movement_lot", "lot_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_ts(nullable=False))
    sku_id: str = Field(foreign_key="sku.id", max_length=64)
    warehouse_id: str | None = Field(default=None, foreign_key="warehouse.id", max_length=16)
    lot_id: int | None = Field(default=None, foreign_key="stock_lot.id")
    bucket: str = Field(max_length=12)
    qty: int
    reason: str = Field(max_length=24)
    reference: str = Field(default="", max_length=80)
    actor: str = Field(default="system", max_length=80)


class Availability(SQLModel, table=True):
    """Network available-to-promise per SKU: sellable = unallocated on hand; reserved by orders."""

    __tablename__ = "availability"
    __table_args__ = (
        CheckConstraint("reserved >= 0", name="ck_availability_reserved_non_negative"),
        CheckConstraint("reserved <= sellable", name="ck_availability_reserved_le_sellable"),
    )
    sku_id: str = Field(primary_key=True, foreign_key="sku.id", max_length=64)
    sellable: int = Field(default=0)
    reserved: int = Field(default=0)
