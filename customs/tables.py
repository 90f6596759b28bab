"""Tables customs owns: declarations, the annual quota ledger and its holds, messages, receipts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlalchemy import DateTime as SADateTime
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = True) -> Column:
    return Column(SADateTime(timezone=True), nullable=nullable)


DECLARATION_STATUSES = ("submitted", "accepted", "released", "rejected", "cancelled",
                        "refunded")
_STATUS_LIST = ", ".join(f"'{s}'" for s in DECLARATION_STATUSES)


class CustomsDeclaration(SQLModel, table=True):
    """One parcel declared to customs (CEB311/411/511/621), re-declared with attempt + 1."""

    __tablename__ = "customs_declaration"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="ck_customs_declaration_status"),
        Index("ix_customs_declaration_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    parcel_id: int = Field(foreign_key="parcel.id", unique=True)
    order_no: str = Field(max_length=60, unique=True)  # the CEB orderNo
    cop_no: str = Field(max_length=20, unique=True)  # our inventory-list number (copNo)
    pay_transaction_id: str = Field(max_length=60)
    logistics_no: str = Field(max_length=60)
    trade_mode: str = Field(max_length=4)
    status: str = Field(default="submitted", max_length=12)
    attempt: int = 1
    buyer_hash: str = Field(max_length=64, index=True)
    year: int
    rule_set: str = Field(max_length=40)
    dutiable_fen: int
    duty_fen: int
    consumption_tax_fen: int
    vat_fen: int
    tax_fen: int
    return_status: int | None = None
    return_info: str | None = Field(default=None, max_length=1000)
    invt_no: str | None = Field(default=None, max_length=18)
    created_at: datetime = Field(sa_column=_ts(False))
    updated_at: datetime = Field(sa_column=_ts(False))
    released_at: datetime | None = Field(default=None, sa_column=_ts())


class CustomsQuota(SQLModel, table=True):
    """A buyer's calendar year: cleared (used) and provisionally held CBEC value, in fen."""

    __tablename__ = "customs_quota"
    __table_args__ = (
        UniqueConstraint("buyer_hash", "year", name="uq_customs_quota_buyer_year"),
        CheckConstraint("used_fen >= 0 AND held_fen >= 0", name="ck_customs_quota_non_negative"),
        CheckConstraint("used_fen + held_fen <= limit_fen", name="ck_customs_quota_within_limit"),
    )
    id: int | None = Field(default=None, primary_key=True)
    buyer_hash: str = Field(max_length=64)
    year: int
    limit_fen: int
    used_fen: int = 0
    held_fen: int = 0
    updated_at: datetime = Field(sa_column=_ts(False))


class CustomsQuotaHold(SQLModel, table=True):
    """What one declaration holds or used of the quota: held -> used, or released."""

    __tablename__ = "customs_quota_hold"
    __table_args__ = (
        CheckConstraint("status IN ('held', 'used', 'released')",
                        name="ck_customs_quota_hold_status"),
        CheckConstraint("amount_fen >= 0", name="ck_customs_quota_hold_amount"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=80, unique=True)  # e.g. "declaration:12"
    buyer_hash: str = Field(max_length=64)
    year: int
    amount_fen: int
    status: str = Field(default="held", max_length=10)
    created_at: datetime = Field(sa_column=_ts(False))
    updated_at: datetime = Field(sa_column=_ts(False))


class CustomsMessage(SQLModel, table=True):
    """Outbox record: a message built and checked, written to the outbox folder once."""

    __tablename__ = "customs_message"
    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="customs_declaration.id", index=True)
    attempt: int = 1
    message_type: str = Field(max_length=8)
    guid: str = Field(max_length=36, unique=True)
    filename: str = Field(max_length=160)
    xml: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_ts(False))
    written_at: datetime | None = Field(default=None, sa_column=_ts())


class CustomsReceipt(SQLModel, table=True):
    """A receipt applied (or recorded as unmatched); its key makes applying idempotent."""

    __tablename__ = "customs_receipt"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    declaration_id: int | None = Field(default=None, foreign_key="customs_declaration.id",
                                       index=True)
    message_type: str = Field(max_length=8)
    return_status: int
    return_info: str = Field(max_length=1000)
    filename: str = Field(max_length=160)
    received_at: datetime = Field(sa_column=_ts(False))
