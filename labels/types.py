"""The parcel-label input (contracts/labels.md) as pydantic models, plus parsing with problems.

Unknown fields are ignored on purpose: a caller may pass a whole order record, and fields such as
the buyer's ID number must never reach a label.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from labels.barcodes import is_valid_sscc
from labels.errors import LabelError

M = TypeVar("M", bound=BaseModel)

_CONFIG = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


class ParcelOf(BaseModel):
    """Parcel i of n within one order."""

    model_config = _CONFIG
    index: int = Field(ge=1)
    count: int = Field(ge=1)

    @model_validator(mode="after")
    def _index_within_count(self) -> ParcelOf:
        if self.index > self.count:
            raise ValueError("index must not exceed count")
        return self


class CustomsInfo(BaseModel):
    """Customs mode (e.g. 1210 bonded, 9610 direct mail) and the cleared inventory number."""

    model_config = _CONFIG
    mode: str = Field(min_length=1, max_length=8)
    inventory_no: str | None = Field(default=None, max_length=40)


class Sender(BaseModel):
    model_config = _CONFIG
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(default="", max_length=40)
    address: str = Field(min_length=1, max_length=200)


class Recipient(BaseModel):
    model_config = _CONFIG
    name: str = Field(min_length=1, max_length=60)
    phone: str = Field(min_length=1, max_length=40)
    province: str = Field(default="", max_length=40)
    city: str = Field(default="", max_length=40)
    district: str = Field(default="", max_length=40)
    address: str = Field(min_length=1, max_length=200)


class LabelLine(BaseModel):
    model_config = _CONFIG
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    qty: int = Field(ge=1)


class ShippingLabel(BaseModel):
    """Everything a courier label shows. `printed_on` may also be passed to the renderer."""

    model_config = _CONFIG
    tracking_no: str = Field(min_length=1, max_length=40)
    courier: str = Field(min_length=1, max_length=20)
    service: str = Field(default="", max_length=60)
    sort_code: str | None = Field(default=None, max_length=30)
    order_no: str = Field(min_length=1, max_length=40)
    parcel: ParcelOf = ParcelOf(index=1, count=1)
    weight_g: int = Field(ge=0, le=1_000_000)
    customs: CustomsInfo | None = None
    sender: Sender
    recipient: Recipient
    lines: list[LabelLine] = Field(default_factory=list)
    printed_on: date | None = None

    @field_validator("tracking_no")
    @classmethod
    def _tracking_is_code128(cls, v: str) -> str:
        if any(not 33 <= ord(ch) <= 126 for ch in v):
            raise ValueError("must be printable ASCII without spaces (Code 128)")
        return v


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def problems_of(exc: ValidationError) -> list[dict]:
    """pydantic errors as the house's [{"field", "reason"}] list."""
    return [
        {"field": _loc(e["loc"]), "reason": e["msg"].removeprefix("Value error, ")}
        for e in exc.errors()
    ]


def parse(model: type[M], data: Any) -> M:
    """Validate `data` into `model`, turning pydantic errors into LabelError problems."""
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise LabelError([{"field": "body", "reason": "must be a JSON object"}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise LabelError(problems_of(exc)) from None


def parse_label(data: Any) -> ShippingLabel:
    """Validate the contract's parcel-label dict into a ShippingLabel, or raise LabelError."""
    if isinstance(data, ShippingLabel):
        return data
    if not isinstance(data, dict):
        raise LabelError([{"field": "body", "reason": "must be a JSON object"}])
    try:
        return ShippingLabel.model_validate(data)
    except ValidationError as exc:
        raise LabelError(problems_of(exc)) from None


# --- Stock labels and warehouse/customs documents ---------------------------------------------

_DOC = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


class SkuLabel(BaseModel):
    """A shelf/item label: EAN-13 when the product has a GTIN, Code 128 of the SKU otherwise."""

    model_config = _DOC
    sku: str = Field(min_length=1, max_length=40)
    name: str = Field(default="", max_length=120)
    gtin: str | None = None
    copies: int = Field(default=1, ge=1, le=500)


class BinLabel(BaseModel):
    model_config = _DOC
    code: str = Field(min_length=1, max_length=30)
    warehouse: str = Field(default="", max_length=40)
    zone: str = Field(default="", max_length=30)


class Party(BaseModel):
    model_config = _DOC
    name: str = Field(min_length=1, max_length=100)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    country: str = Field(default="", max_length=40)


class CartonLine(BaseModel):
    model_config = _DOC
    sku: str = Field(min_length=1, max_length=40)
    qty: int = Field(ge=1)
    lot: str = ""
    expiry: date | None = None


class CartonLabel(BaseModel):
    """GS1 logistic label for an inbound carton or pallet, identified by its SSCC-18."""

    model_config = _DOC
    sscc: str = Field(min_length=18, max_length=18)
    ship_from: Party
    ship_to: Party
    reference: str = Field(default="", max_length=40)  # transfer / PO number
    carton: ParcelOf = ParcelOf(index=1, count=1)
    weight_g: int = Field(default=0, ge=0)
    lines: list[CartonLine] = Field(default_factory=list)

    @field_validator("sscc")
    @classmethod
    def _sscc_check_digit(cls, v: str) -> str:
        if not is_valid_sscc(v):
            raise ValueError("must be 18 digits ending in a correct GS1 check digit")
        return v


class PickLine(BaseModel):
    """One pick: where to go, what and how many, and which lot (FEFO) to take."""

    model_config = _DOC
    bin: str = Field(min_length=1)
    walk_seq: int = 0
    sku: str = Field(min_length=1)
    name: str = ""
    gtin: str | None = None
    qty: int = Field(ge=1)
    lot: str = ""
    expiry: date | None = None
    order_no: str = ""


class PickList(BaseModel):
    model_config = _DOC
    wave_id: str = Field(min_length=1)
    warehouse: str = Field(min_length=1)
    printed_on: date
    lines: list[PickLine] = Field(default_factory=list)


class CustomsItem(BaseModel):
    """One line of an invoice or CN22/CN23: value in minor units (fen, cents) of `currency`."""

    model_config = _DOC
    sku: str = ""
    description: str = Field(min_length=1, max_length=120)
    hs_code: str = Field(default="", max_length=12)
    origin: str = Field(default="", max_length=40)  # country of origin (ISO code or name)
    qty: int = Field(ge=1)
    unit_value: int = Field(ge=0)
    weight_g: int = Field(ge=0)  # net weight of the whole line


class CustomsDocument(BaseModel):
    """Data for a commercial invoice / packing list and the UPU CN22 / CN23 of one parcel."""

    model_config = _DOC
    document_no: str = Field(min_length=1, max_length=40)
    order_no: str = Field(min_length=1, max_length=40)
    tracking_no: str = ""
    issued_on: date
    currency: str = Field(min_length=3, max_length=3)
    sender: Party
    recipient: Party
    items: list[CustomsItem] = Field(min_length=1)
    category: str = "sale_of_goods"  # gift, documents, commercial_sample, returned_goods, other
    gross_weight_g: int | None = Field(default=None, ge=0)
    incoterm: str = "DAP"
