"""The parcel-label input (contracts/labels.md) as pydantic models, plus parsing with problems.

Unknown fields are ignored on purpose: a caller may pass a whole order record, and fields such as
the buyer's ID number must never reach a label.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from labels.errors import LabelError

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
