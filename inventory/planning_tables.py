"""Tables of buyers' planning: signals, sales history, forecasts, plans, POs, inbound, cartons."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlalchemy import DateTime as SADateTime
from sqlmodel import Field, SQLModel

from inventory.tables import MONEY


def _ts(**kw: object) -> Column:
    return Column(SADateTime(timezone=True), **kw)


class SignalDay(SQLModel, table=True):
    """What the community did with one SKU on one day (a SKU may not be in the catalogue yet)."""

    __tablename__ = "signal_day"
    sku_id: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    notes: int = 0
    likes: int = 0
    saves: int = 0
    comments: int = 0
    shares: int = 0
    searches: int = 0


class SalesDay(SQLModel, table=True):
    """Units sold per SKU and day as imported from the buyers' exports."""

    __tablename__ = "sales_day"
    __table_args__ = (CheckConstraint("units >= 0", name="ck_sales_day_units_non_negative"),)
    sku_id: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    units: int = 0
    # the import that last gave this row: the days an export covers, for each SKU, are from
    # its first row to its last (a missing row between is a zero); None: imported before
    # imports were told apart, all taken as one
    import_id: int | None = Field(default=None, index=True)  # a sales_import id


class SalesImport(SQLModel, table=True):
    """One imported sales export (its rows are `sales_day` rows with its id)."""

    __tablename__ = "sales_import"
    id: int | None = Field(default=None, primary_key=True)
    rows: int = 0


class ForecastRun(SQLModel, table=True):
    __tablename__ = "forecast_run"
    id: int | None = Field(default=None, primary_key=True)
    made_at: datetime = Field(sa_column=_ts(nullable=False))
    start: date
    horizon: int
    # faults in the exports the forecast worked around (`inventory.forecast.export_notes`)
    notes: list[str] = Field(default_factory=list,
                             sa_column=Column(JSON, nullable=False, server_default="[]"))


class ForecastDay(SQLModel, table=True):
    __tablename__ = "forecast_day"
    __table_args__ = (CheckConstraint("0 <= p10 AND p10 <= p50 AND p50 <= p90",
                                      name="ck_forecast_day_ordered"),)
    run_id: int = Field(foreign_key="forecast_run.id", primary_key=True)
    sku_id: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    p10: int
    p50: int
    p90: int


class SupplySource(SQLModel, table=True):
    """One way to buy a SKU: a market/supplier shipping into one bonded hub."""

    __tablename__ = "supply_source"
    __table_args__ = (UniqueConstraint("sku_id", "market", "hub", name="uq_supply_source"),
                      CheckConstraint("case_pack > 0 AND moq >= 0", name="ck_supply_source_pack"))
    id: int | None = Field(default=None, primary_key=True)
    sku_id: str = Field(foreign_key="sku.id", max_length=64)
    market: str = Field(max_length=16)
    supplier: str = Field(max_length=120)
    hub: str = Field(foreign_key="warehouse.id", max_length=16)
    unit_cost_fen: int
    moq: int = 1
    case_pack: int = 1
    lead_days: int
    freight_fen_per_kg: int


class HubCapacity(SQLModel, table=True):
    """Units a bonded hub can hold in all (free capacity = this minus what is on hand)."""

    __tablename__ = "hub_capacity"
    warehouse_id: str = Field(foreign_key="warehouse.id", primary_key=True, max_length=16)
    capacity_units: int


class PurchasePlan(SQLModel, table=True):
    __tablename__ = "purchase_plan"
    __table_args__ = (CheckConstraint("status IN ('proposed', 'approved', 'superseded')",
                                      name="ck_purchase_plan_status"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    status: str = Field(default="proposed", max_length=16)
    # 64-bit: a budget above 21.5 million CNY overflowed a 32-bit column (a 500 on PostgreSQL)
    budget_fen: int = Field(sa_type=MONEY)
    spent_fen: int = Field(default=0, sa_type=MONEY)
    expected_margin_fen: int = Field(default=0, sa_type=MONEY)
    review_days: int = Field(default=7, sa_column_kwargs={"server_default": "7"})
    forecast_run_id: int | None = Field(default=None, foreign_key="forecast_run.id")
    approved_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    approved_by: str = Field(default="", max_length=80)
    # SKUs the plan could not buy at all and why (`inventory.purchasing.plan_notes`)
    notes: list[str] = Field(default_factory=list,
                             sa_column=Column(JSON, nullable=False, server_default="[]"))


class PurchasePlanLine(SQLModel, table=True):
    __tablename__ = "purchase_plan_line"
    __table_args__ = (CheckConstraint("qty >= 0", name="ck_purchase_plan_line_qty"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="purchase_plan.id", index=True)
    source_id: int = Field(foreign_key="supply_source.id")
    sku_id: str = Field(max_length=64)
    market: str = Field(max_length=16)
    supplier: str = Field(max_length=120)
    hub: str = Field(max_length=16)
    qty: int
    case_pack: int = 1
    moq: int = 0
    unit_cost_fen: int
    landed_fen: int
    forecast_units: float = 0.0
    cover_days: float = 0.0
    sell_through: float = 0.0
    expected_margin_fen: int = Field(default=0, sa_type=MONEY)
    reason: str = Field(default="", max_length=400)
    removed: bool = False


class PurchaseOrder(SQLModel, table=True):
    __tablename__ = "purchase_order"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="purchase_plan.id", index=True)
    supplier: str = Field(max_length=120)
    market: str = Field(max_length=16)
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    total_fen: int = Field(default=0, sa_type=MONEY)


class PurchaseOrderLine(SQLModel, table=True):
    __tablename__ = "purchase_order_line"
    id: int | None = Field(default=None, primary_key=True)
    po_id: int = Field(foreign_key="purchase_order.id", index=True)
    sku_id: str = Field(max_length=64)
    hub: str = Field(max_length=16)
    qty: int
    unit_cost_fen: int


class InboundTransfer(SQLModel, table=True):
    __tablename__ = "inbound_transfer"
    __table_args__ = (CheckConstraint("status IN ('in_transit', 'received')",
                                      name="ck_inbound_transfer_status"),)
    id: int | None = Field(default=None, primary_key=True)
    po_id: int = Field(foreign_key="purchase_order.id", index=True)
    hub: str = Field(foreign_key="warehouse.id", max_length=16)
    status: str = Field(default="in_transit", max_length=16)
    eta: date
    received_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # set by the receipt: what the dock counted in, and what the cartons lacked of what the
    # supplier shipped (the buyer's claim); None while in transit
    received_units: int | None = None
    short_units: int | None = None


class Carton(SQLModel, table=True):
    """One carton of one SKU lot on an inbound transfer, identified by its SSCC."""

    __tablename__ = "carton"
    sscc: str = Field(primary_key=True, max_length=18)
    transfer_id: int = Field(foreign_key="inbound_transfer.id", index=True)
    sku_id: str = Field(max_length=64)
    qty: int  # the units shipped in it, as the purchase order and its label say
    lot_no: str = Field(max_length=40)
    expiry: date | None = None
    received_qty: int | None = None  # counted in at the dock (0: missing); None until received
