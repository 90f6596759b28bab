"""The declaration file (contract): one parcel's order, payment, waybill and goods."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from customs.errors import InvalidDeclaration
from customs.types import MAX_QTY, Money, Quantity, problems_from

# what XML 1.0 cannot carry: lxml refused it with a ValueError while building the messages
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    @field_validator("*")
    @classmethod
    def _xml_text(cls, value: Any) -> Any:
        bad = _NOT_XML.search(value) if isinstance(value, str) else None
        if bad:
            raise ValueError(f"must not contain control characters (found "
                             f"U+{ord(bad.group()):04X})")
        return value


class Party(_Frozen):
    code: str = Field(min_length=1, max_length=18)
    name: str = Field(min_length=1, max_length=100)


class Warehouse(Party):
    ems_no: str | None = Field(default=None, max_length=30)  # bonded account book, if any


class Logistics(Party):
    no: str = Field(min_length=1, max_length=60)


class Payment(Party):
    transaction_id: str = Field(min_length=1, max_length=60)
    paid_at: datetime
    amount: Money


class Person(_Frozen):
    name: str = Field(min_length=1, max_length=60)
    id_number: str = Field(min_length=1, max_length=60)
    phone: str = Field(min_length=1, max_length=30)
    reg_no: str | None = Field(default=None, max_length=60)  # platform account; default phone


class Consignee(_Frozen):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=50)
    address: str = Field(min_length=1, max_length=200)
    district_code: str | None = Field(default=None, min_length=6, max_length=6)


class Transport(_Frozen):
    """Direct (9610) shipments: the carrying flight or voyage and the master bill."""

    no: str | None = Field(default=None, max_length=100)
    voyage: str | None = Field(default=None, max_length=32)
    bill_no: str | None = Field(default=None, max_length=37)


class Line(_Frozen):
    item_no: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=250)
    hs_code: str = Field(pattern=r"^\d{10}$")
    model: str = Field(min_length=1, max_length=510)
    barcode: str | None = Field(default=None, max_length=50)
    origin_country: str = Field(min_length=2, max_length=3)
    unit: str = Field(min_length=1)
    qty: int = Field(ge=1, lt=MAX_QTY, strict=True)
    price: Money
    record_no: str | None = Field(default=None, max_length=30)  # bonded account-book item
    legal_unit: str | None = None  # the HS code's legal unit; default kilograms
    legal_qty: Quantity | None = None

    @property
    def total(self) -> Decimal:
        return self.price * self.qty


class Declaration(_Frozen):
    order_no: str = Field(min_length=1, max_length=60)
    cop_no: str | None = Field(default=None, min_length=1, max_length=20)  # default order_no
    trade_mode: Literal["1210", "9610"]
    customs_code: str = Field(pattern=r"^\w{4}$")
    port_code: str = Field(pattern=r"^\w{4}$")
    platform: Party
    merchant: Party
    agent: Party
    warehouse: Warehouse | None = None
    logistics: Logistics
    payment: Payment
    buyer: Person
    payer: Person
    consignee: Consignee
    freight: Money = Decimal(0)
    insurance: Money = Decimal(0)
    discount: Money = Decimal(0)
    tax_total: Money = Decimal(0)
    gross_weight_kg: Quantity
    net_weight_kg: Quantity
    transport_mode: str | None = Field(default=None, min_length=1, max_length=1)
    departure_country: str | None = None
    transport: Transport | None = None
    note: str | None = Field(default=None, max_length=1000)
    dxp_id: str | None = Field(default=None, max_length=30)  # the agent's data-exchange user id
    lines: list[Line] = Field(min_length=1, max_length=99)

    @field_validator("order_no")
    @classmethod
    def _order_no(cls, value: str) -> str:
        if not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError("letters, digits, - and _ only")
        return value

    @property
    def goods_value(self) -> Decimal:
        return sum((x.total for x in self.lines), Decimal(0))

    @property
    def actual_paid(self) -> Decimal:
        """What the buyer pays: goods + freight + withheld tax - non-cash discount."""
        return self.goods_value + self.freight + self.tax_total - self.discount

    @classmethod
    def parse(cls, data: Any) -> Declaration:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidDeclaration("invalid declaration", problems_from(exc)) from None
