"""Rate cards as tables: couriers, lanes (warehouse x courier x province) and daily capacities."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel


class CourierRow(SQLModel, table=True):
    __tablename__ = "courier"
    id: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=80)


class LaneRow(SQLModel, table=True):
    """One rate card: first kilogram and each started kilogram after it, in fen."""

    __tablename__ = "lane"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "courier_id", "zone", name="uq_lane_wh_courier_zone"),
        CheckConstraint("first_kg_fen >= 0 AND extra_kg_fen >= 0 AND transit_days >= 0",
                        name="ck_lane_non_negative"),
    )
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: str = Field(foreign_key="warehouse.id", max_length=16)
    courier_id: str = Field(foreign_key="courier.id", max_length=16)
    zone: str = Field(max_length=4)
    first_kg_fen: int
    extra_kg_fen: int
    transit_days: int


class CourierCapacityRow(SQLModel, table=True):
    """Parcels a courier collects from a warehouse per day (Asia/Shanghai days)."""

    __tablename__ = "courier_capacity"
    __table_args__ = (CheckConstraint("parcels_per_day >= 0", name="ck_capacity_non_negative"),)
    warehouse_id: str = Field(foreign_key="warehouse.id", max_length=16, primary_key=True)
    courier_id: str = Field(foreign_key="courier.id", max_length=16, primary_key=True)
    parcels_per_day: int
