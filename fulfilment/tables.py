"""Tables the application owns: orders, events and webhooks, parcels, waves, keys, idempotency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlalchemy import DateTime as SADateTime
from sqlmodel import Field, SQLModel

from inventory.tables import MONEY


def _ts(nullable: bool = True, **kw: object) -> Column:
    return Column(SADateTime(timezone=True), nullable=nullable, **kw)


ORDER_STATUSES = ("received", "reserved", "allocated", "declared", "cleared", "picked", "packed",
                  "shipped", "cancelled", "customs_rejected")

ROW_ID_MAX = 2**31 - 1  # row ids are `integer` columns: 32-bit on PostgreSQL


class Order(SQLModel, table=True):
    __tablename__ = "orders"  # "order" is an SQL keyword
    __table_args__ = (
        CheckConstraint("status IN ({})".format(", ".join(f"'{s}'" for s in ORDER_STATUSES)),
                        name="ck_orders_status"),
        Index("ix_orders_status", "status"),
        Index("ix_orders_buyer_id_hash", "buyer_id_hash"),
    )
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True)
    status: str = Field(max_length=20)
    buyer_name: str = Field(max_length=60)
    buyer_id_hash: str = Field(max_length=64)  # keyed hash: matching without the number
    buyer_id_masked: str = Field(max_length=18)
    buyer_id_cipher: str = Field(sa_column=Column(Text, nullable=False))  # for customs only
    buyer_phone: str = Field(max_length=20)
    recipient_name: str = Field(max_length=60)
    recipient_phone: str = Field(max_length=20)
    province: str = Field(max_length=20)
    city: str = Field(max_length=30)
    district: str = Field(max_length=30)
    address: str = Field(max_length=200)
    zone: str = Field(max_length=4)
    goods_fen: int = Field(sa_type=MONEY)
    freight_fen: int = Field(default=0, sa_type=MONEY)
    insurance_fen: int = Field(default=0, sa_type=MONEY)
    discount_fen: int = Field(default=0, sa_type=MONEY)
    total_fen: int = Field(sa_type=MONEY)
    tax_fen: int | None = Field(default=None, sa_type=MONEY)
    reserved_until: datetime | None = Field(default=None, sa_column=_ts())
    paid_at: datetime | None = Field(default=None, sa_column=_ts())
    payment_ref: str | None = Field(default=None, max_length=64)
    payer_name: str | None = Field(default=None, max_length=60)
    payer_id_hash: str | None = Field(default=None, max_length=64)
    paid_fen: int | None = Field(default=None, sa_type=MONEY)
    created_at: datetime = Field(sa_column=_ts(False))
    updated_at: datetime = Field(sa_column=_ts(False))
    status_reason: str | None = Field(default=None, max_length=300)


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no", name="uq_order_line_no"),
        CheckConstraint("qty > 0", name="ck_order_line_qty_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    line_no: int
    sku_id: str = Field(foreign_key="sku.id", max_length=64)
    qty: int
    unit_price_fen: int = Field(sa_type=MONEY)


class OrderEvent(SQLModel, table=True):
    """Transactional outbox: written with every status change, delivered to webhooks later."""

    __tablename__ = "order_event"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    type: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_ts(False))


class Webhook(SQLModel, table=True):
    __tablename__ = "webhook"
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500)
    event_types: str = Field(sa_column=Column(Text, nullable=False))  # JSON list; ["*"] = all
    secret: str = Field(max_length=200)
    active: bool = True
    created_at: datetime = Field(sa_column=_ts(False))
    # events before this id existed before the subscription and are not delivered
    start_after_event_id: int = 0
    # fan-out cursors (fulfilment.webhooks.fan_out): every event up to scanned_event_id has
    # been looked at, matching or not; ids in (settled_event_id, scanned_event_id] are looked
    # at again each run, for events that commit after a higher id was scanned
    scanned_event_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    settled_event_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # scanned_event_id as it stood at checkpoint_at: it becomes settled_event_id once the
    # look-back has passed (None: not taken yet)
    checkpoint_event_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    checkpoint_at: datetime | None = Field(default=None, sa_column=_ts())


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_delivery_event"),
        CheckConstraint("status IN ('pending', 'delivered', 'failed')",
                        name="ck_webhook_delivery_status"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id")
    event_id: int = Field(foreign_key="order_event.id")
    order_id: int
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_ts(False))
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=300)
    delivered_at: datetime | None = Field(default=None, sa_column=_ts())


class Wave(SQLModel, table=True):
    __tablename__ = "wave"
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=12)  # optimal | feasible | baseline | empty | failed
    hub: str | None = Field(default=None, max_length=16)
    started_at: datetime = Field(sa_column=_ts(False))
    finished_at: datetime | None = Field(default=None, sa_column=_ts())
    orders_count: int = 0
    parcels_count: int = 0
    unfulfilled_units: int = 0
    objective_fen: int | None = Field(default=None, sa_type=MONEY)
    lower_bound_fen: int | None = Field(default=None, sa_type=MONEY)
    baseline_fen: int | None = Field(default=None, sa_type=MONEY)
    solve_seconds: float | None = None
    cost_json: str | None = Field(default=None, sa_column=Column(Text))
    error: str | None = Field(default=None, max_length=500)


class Parcel(SQLModel, table=True):
    __tablename__ = "parcel"
    __table_args__ = (
        UniqueConstraint("order_id", "warehouse_id", name="uq_parcel_order_warehouse"),
        Index("ix_parcel_wave", "wave_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    wave_id: int | None = Field(default=None, foreign_key="wave.id")
    warehouse_id: str = Field(foreign_key="warehouse.id", max_length=16)
    courier_id: str = Field(max_length=16)
    index: int = 1
    count: int = 1
    weight_g: int
    shipping_fen: int = Field(sa_type=MONEY)
    tax_fen: int = Field(sa_type=MONEY)
    late_days: int = 0
    status: str = Field(default="allocated", max_length=12)
    tracking_no: str | None = Field(default=None, max_length=40, unique=True)
    created_at: datetime = Field(sa_column=_ts(False))
    packed_at: datetime | None = Field(default=None, sa_column=_ts())
    shipped_at: datetime | None = Field(default=None, sa_column=_ts())


class ParcelLine(SQLModel, table=True):
    __tablename__ = "parcel_line"
    __table_args__ = (CheckConstraint("qty > 0", name="ck_parcel_line_qty_positive"),)
    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="parcel.id", index=True)
    sku_id: str = Field(foreign_key="sku.id", max_length=64)
    qty: int


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint("role IN ('order-service', 'warehouse', 'buyer', 'admin')",
                        name="ck_api_key_role"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    role: str = Field(max_length=20)
    prefix: str = Field(max_length=12)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=_ts(False))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts())


class IdempotencyRecord(SQLModel, table=True):
    """First answer to a keyed request; the key's row is inserted in the request's transaction."""

    __tablename__ = "idempotency_record"
    key: str = Field(primary_key=True, max_length=160)  # api key id + ':' + Idempotency-Key
    request_hash: str = Field(max_length=64)
    status_code: int
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_ts(False))
