"""Tables of the warehouse floor: pick tasks (lot and bin to take) and every pack-station scan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index
from sqlalchemy import DateTime as SADateTime
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = True) -> Column:
    return Column(SADateTime(timezone=True), nullable=nullable)


class PickTask(SQLModel, table=True):
    """Take `qty` of lot `lot_id` from bin `bin_code` for one parcel of a wave."""

    __tablename__ = "pick_task"
    __table_args__ = (
        CheckConstraint("qty > 0", name="ck_pick_task_qty_positive"),
        CheckConstraint("status IN ('open', 'picked', 'shipped', 'cancelled')",
                        name="ck_pick_task_status"),
        Index("ix_pick_task_wave_wh", "wave_id", "warehouse_id"),
        Index("ix_pick_task_parcel", "parcel_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    wave_id: int | None = Field(default=None, foreign_key="wave.id")
    warehouse_id: str = Field(foreign_key="warehouse.id", max_length=16)
    parcel_id: int = Field(foreign_key="parcel.id")
    order_id: int = Field(foreign_key="orders.id")
    sku_id: str = Field(foreign_key="sku.id", max_length=64)
    lot_id: int = Field(foreign_key="stock_lot.id")
    bin_code: str = Field(default="", max_length=30)  # as it was when the task was made
    walk_order: int = 0
    qty: int
    status: str = Field(default="open", max_length=10)
    created_at: datetime = Field(sa_column=_ts(False))


class PackScan(SQLModel, table=True):
    """One scan at a pack station, whatever its outcome: who, where, what, and what happened."""

    __tablename__ = "pack_scan"
    __table_args__ = (
        CheckConstraint("kind IN ('parcel', 'item', 'undo', 'handover', 'unknown')",
                        name="ck_pack_scan_kind"),
        CheckConstraint("result IN ('ok', 'refused', 'complete', 'undone')",
                        name="ck_pack_scan_result"),
        Index("ix_pack_scan_station", "station", "id"),
        Index("ix_pack_scan_parcel", "parcel_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    station: str = Field(max_length=40)
    user_name: str = Field(max_length=80)  # who scanned (API key name#id)
    code: str = Field(max_length=80)
    kind: str = Field(max_length=10)
    result: str = Field(max_length=10)
    reason: str = Field(default="", max_length=200)
    parcel_id: int | None = Field(default=None, foreign_key="parcel.id")
    sku_id: str | None = Field(default=None, max_length=64)
    # an item scan taken back by an undo scan points at that undo
    undone_by: int | None = Field(default=None)
    at: datetime = Field(sa_column=_ts(False))
