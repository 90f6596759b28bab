"""The quote contract's values: a basket in, a TaxQuote out (money as Decimal, JSON strings)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from customs.errors import InvalidBasket
from customs.rules import CATEGORIES

FEN = Decimal("0.01")
# Input bounds far above any parcel and far below Decimal's 28 significant digits, so that no
# sum, product or rounding to the fen can overflow (a line's goods stay under 10^18).
MAX_MONEY = Decimal(10) ** 12  # CNY
MAX_QTY = 10**6  # pieces, and net content or weight in g, ml or kg
_MONEY_TEXT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")


def _money(value: Any) -> Any:
    """The contract's money: a decimal string with at most two places (our own code may pass an
    exact Decimal or int). Decimal() also reads a float's binary noise, "1e3", "1_000" and
    full-width digits, and a third decimal place would be rounded away unseen."""
    if isinstance(value, float | bool):
        raise ValueError('must be a decimal string such as "425.00", not a JSON number')
    if isinstance(value, str) and not _MONEY_TEXT.fullmatch(value.strip()):
        raise ValueError('must be a decimal string with at most two decimal places, '
                         'such as "425.00"')
    if isinstance(value, Decimal) and value.is_finite() and value != value.quantize(FEN):
        raise ValueError("must have at most two decimal places")
    return value.strip() if isinstance(value, str) else value


_QUANTITY_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")


def _quantity(value: Any) -> Any:
    """A net content or weight: a number, or a decimal string in ASCII digits (Decimal() also
    reads "1e3", "1_000" and full-width digits)."""
    if isinstance(value, str) and not _QUANTITY_TEXT.fullmatch(value.strip()):
        raise ValueError('must be a decimal number in plain digits, such as "20" or "0.5"')
    return value.strip() if isinstance(value, str) else value


Money = Annotated[Decimal, Field(ge=0, lt=MAX_MONEY), BeforeValidator(_money)]
Quantity = Annotated[Decimal, Field(gt=0, lt=MAX_QTY), BeforeValidator(_quantity)]

CHINA = ZoneInfo("Asia/Shanghai")  # customs counts days and stamps times in China time


class NetContent(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Quantity
    unit: Literal["g", "ml", "piece"]


class BasketLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    hs_code: str | None = None
    tax_category: str | None = None
    unit_price: Money
    qty: int = Field(ge=1, lt=MAX_QTY, strict=True)
    net_content: NetContent | None = None
    tariff_rate: Decimal | None = Field(default=None, ge=0, le=10)
    list_price: Money | None = None
    # a single article that cannot be split; unset counts as indivisible for a lone qty-1 line
    indivisible: bool | None = None

    @field_validator("tax_category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is not None and value not in CATEGORIES:
            raise ValueError(f"unknown tax category; one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("hs_code")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        if value is not None and (not value.isdigit() or not 4 <= len(value) <= 13):
            raise ValueError("must be 4 to 13 digits")
        return value


class Basket(BaseModel):
    model_config = ConfigDict(frozen=True)

    regime: Literal["cbec", "postal"]
    date: date
    origin: str = Field(default="", pattern=r"^([A-Za-z]{2})?$")  # ISO 3166 alpha-2
    freight: Money = Decimal(0)
    insurance: Money = Decimal(0)
    discount: Money = Decimal(0)
    buyer_annual_used: Money = Decimal(0)
    lines: list[BasketLine] = Field(min_length=1)

    @field_validator("date", mode="before")
    @classmethod
    def _day_of(cls, value: Any) -> Any:
        """A timestamp counts on its China day: one with an offset is turned into China time
        first (23:30 the day before in UTC is the next day there); a naive one is its own day."""
        if isinstance(value, str) and "T" in value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value.split("T", 1)[0]  # the date part still gets its own error
            if moment.tzinfo is not None:
                try:
                    moment = moment.astimezone(CHINA)
                except OverflowError:  # 0001-01-01T00:00+14:00 has no China day
                    raise ValueError("is outside the calendar in China time") from None
            return moment.date().isoformat()
        return value

    @field_validator("origin")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @property
    def single_item(self) -> bool:
        """One article alone in the order (财关税〔2018〕49号: 订单下仅一件商品), not declared
        divisible."""
        only = self.lines[0]
        return len(self.lines) == 1 and only.qty == 1 and only.indivisible is not False

    @classmethod
    def parse(cls, data: Any) -> Basket:
        """Validate plain data; every problem reported with its field path."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidBasket("invalid basket", problems_from(exc)) from None


def problems_from(exc: ValidationError) -> list[dict]:
    """Pydantic errors as [{"field": "lines[0].qty", "reason": ...}]."""
    out = []
    for err in exc.errors():
        path = ""
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        out.append({"field": path, "reason": err["msg"]})
    return out


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class LineTax:
    name: str
    dutiable_value: Decimal
    customs_duty: Decimal
    consumption_tax: Decimal
    vat: Decimal

    @property
    def tax(self) -> Decimal:
        return self.customs_duty + self.consumption_tax + self.vat


@dataclass(frozen=True)
class TaxQuote:
    regime: str
    rule_set: str
    accepted: bool
    channel: str  # cbec_within_limits | cbec_full_tax | postal | refused
    payable: bool
    annual_used_after: Decimal
    lines: tuple[LineTax, ...]
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def dutiable_value(self) -> Decimal:
        return sum((x.dutiable_value for x in self.lines), Decimal(0))

    @property
    def customs_duty(self) -> Decimal:
        return sum((x.customs_duty for x in self.lines), Decimal(0))

    @property
    def consumption_tax(self) -> Decimal:
        return sum((x.consumption_tax for x in self.lines), Decimal(0))

    @property
    def vat(self) -> Decimal:
        return sum((x.vat for x in self.lines), Decimal(0))

    @property
    def total_tax(self) -> Decimal:
        return sum((x.tax for x in self.lines), Decimal(0))

    def to_json(self) -> dict[str, Any]:
        """The contract's quote JSON: money as decimal strings with two places."""
        return {
            "regime": self.regime, "rule_set": self.rule_set, "accepted": self.accepted,
            "channel": self.channel,
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
            "dutiable_value": money(self.dutiable_value),
            "customs_duty": money(self.customs_duty),
            "consumption_tax": money(self.consumption_tax), "vat": money(self.vat),
            "total_tax": money(self.total_tax), "payable": self.payable,
            "annual_used_after": money(self.annual_used_after),
            "lines": [
                {"name": x.name, "dutiable_value": money(x.dutiable_value),
                 "customs_duty": money(x.customs_duty),
                 "consumption_tax": money(x.consumption_tax), "vat": money(x.vat),
                 "tax": money(x.tax)}
                for x in self.lines
            ],
        }


def money(value: Decimal) -> str:
    return str(plus_zero(value.quantize(FEN, rounding=ROUND_HALF_UP)))


def plus_zero(value: Decimal) -> Decimal:
    """0 for -0: an input such as "-0.00" passes `ge=0` but must not print as "-0.00"."""
    return value.copy_abs() if value.is_zero() else value
