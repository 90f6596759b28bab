"""Pure: validate an order body from the order service; every bad field is named, none echoed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.cn import ric

from routing.zones import zone_of

# ASCII digits only: \d also matches fullwidth and other scripts' digits, which Decimal and
# python-stdnum accept but which would be stored, hashed and sent on to customs as given.
_MONEY = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]")
MAX_LINES = 100
MAX_QTY = 10_000
# An order's goods and its total are each under 1,000,000,000.00 CNY, as any one amount is (nine
# integer digits): far above any CBEC order, far inside the 64-bit money columns.
MAX_ORDER_FEN = 10**11


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class Recipient:
    name: str
    phone: str
    province: str
    city: str
    district: str
    address: str
    zone: str


@dataclass(frozen=True)
class Line:
    sku: str
    qty: int
    unit_price_fen: int


@dataclass(frozen=True)
class OrderInput:
    external_id: str
    buyer: Person
    recipient: Recipient
    lines: tuple[Line, ...]
    freight_fen: int
    insurance_fen: int
    discount_fen: int

    @property
    def goods_fen(self) -> int:
        return sum(line.qty * line.unit_price_fen for line in self.lines)

    @property
    def total_fen(self) -> int:
        return self.goods_fen + self.freight_fen + self.insurance_fen - self.discount_fen

    @property
    def skus(self) -> dict[int, str]:
        """Each line's SKU by its place in the body, as InvalidOrder.skus."""
        return {i: line.sku for i, line in enumerate(self.lines)}

    def quantities(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for line in self.lines:
            totals[line.sku] += line.qty
        return dict(totals)


class InvalidOrder(ValueError):
    code = "invalid_order"
    status = 422

    def __init__(self, problems: list[dict], *, skus: dict[int, str] | None = None) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems))
        self.problems = problems
        # each line's well-formed SKU by its place in the body: parse cannot tell an unknown SKU
        # (that takes the catalogue), so the store names those too and the 422 lists every field
        self.skus = skus or {}

    def with_problems(self, more: list[dict]) -> InvalidOrder:
        return self if not more else InvalidOrder(self.problems + more, skus=self.skus)


def money_fen(value: Any) -> int | None:
    """'199.00' -> 19900; None when not a non-negative decimal string with at most two places
    (a JSON number is refused too: the contract's money is a string, never a float)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _MONEY.fullmatch(text):
        return None
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation:
        return None


def fen_text(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def valid_id_number(value: str) -> bool:
    """GB 11643 via python-stdnum; any failure (also non-validation errors) means invalid."""
    if not _ID_NUMBER.fullmatch(value):
        return False  # stdnum alone takes fullwidth digits (see _MONEY)
    try:
        ric.validate(value)
    except Exception:  # noqa: BLE001 - stdnum raises several kinds for odd region/birth codes
        return False
    return True


def valid_phone(value: str) -> bool:
    return bool(_MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value))


class _Collector:
    def __init__(self) -> None:
        self.problems: list[dict] = []

    def add(self, field: str, reason: str) -> None:
        self.problems.append({"field": field, "reason": reason})

    def text(self, obj: Any, key: str, path: str, *, max_len: int = 200) -> str:
        value = obj.get(key) if isinstance(obj, dict) else None
        if not isinstance(value, str) or not value.strip():
            self.add(f"{path}{key}", "is required and must be a non-empty string")
            return ""
        if len(value) > max_len:
            self.add(f"{path}{key}", f"must be at most {max_len} characters")
            return ""  # named once: no further checks on it
        return value.strip()

    def phone(self, obj: Any, path: str) -> str:
        value = self.text(obj, "phone", path, max_len=20)
        if value and not valid_phone(value):
            self.add(f"{path}phone", "is not a valid mainland mobile or landline number")
        return value

    def money(self, obj: dict, key: str, *, default: str | None = None, path: str = "") -> int:
        value = obj.get(key, default)
        fen = money_fen(value)
        if fen is None:
            self.add(f"{path}{key}", "must be a non-negative decimal string with at most two "
                     "decimal places, e.g. \"199.00\"")
            return 0
        return fen


def parse(body: Any) -> OrderInput:
    """The order body as typed values, or InvalidOrder listing every bad field."""
    c = _Collector()
    if not isinstance(body, dict):
        raise InvalidOrder([{"field": "body", "reason": "must be a JSON object"}])
    external_id = c.text(body, "external_id", "", max_len=64)
    buyer_obj = body.get("buyer")
    if not isinstance(buyer_obj, dict):
        c.add("buyer", "is required and must be an object")
        buyer_obj = {}
    # every field is checked even in an empty object, so each missing one is named
    buyer_name = c.text(buyer_obj, "name", "buyer.", max_len=60)
    id_number = c.text(buyer_obj, "id_number", "buyer.", max_len=18)
    if id_number and not valid_id_number(id_number):
        c.add("buyer.id_number", "is not a valid 18-digit resident ID number (GB 11643)")
    buyer_phone = c.phone(buyer_obj, "buyer.")
    rec = body.get("recipient")
    if not isinstance(rec, dict):
        c.add("recipient", "is required and must be an object")
        rec = {}
    recipient = _recipient(c, rec)
    lines = _lines(c, body.get("lines"))
    freight = c.money(body, "freight", default="0.00")
    insurance = c.money(body, "insurance", default="0.00")
    discount = c.money(body, "discount", default="0.00")
    _check_sums(c, sum(line.qty * line.unit_price_fen for line in lines.values()),
                freight + insurance, discount)
    if c.problems:
        raise InvalidOrder(c.problems, skus={i: line.sku for i, line in lines.items()
                                             if line.sku})
    return OrderInput(external_id=external_id,
                      buyer=Person(buyer_name, id_number.upper(), buyer_phone),
                      recipient=recipient, lines=tuple(lines.values()), freight_fen=freight,
                      insurance_fen=insurance, discount_fen=discount)


def _check_sums(c: _Collector, goods: int, charges: int, discount: int) -> None:
    """The order's sums: within MAX_ORDER_FEN, and a discount no larger than what it discounts."""
    most = fen_text(MAX_ORDER_FEN - 1)
    if goods >= MAX_ORDER_FEN:  # even with some lines unreadable: these alone are too much
        c.add("lines", f"the lines come to more than {most} CNY, the most one order may hold")
    elif not c.problems:  # the rest compares amounts that were all read
        if discount > goods + charges:
            c.add("discount", "is larger than the goods, freight and insurance together")
        elif goods + charges - discount >= MAX_ORDER_FEN:
            c.add("total", f"goods + freight + insurance - discount must be at most {most} CNY")


def _recipient(c: _Collector, rec: dict) -> Recipient:
    p = "recipient."
    name = c.text(rec, "name", p, max_len=60)
    phone = c.phone(rec, p)
    province = c.text(rec, "province", p, max_len=20)
    zone = zone_of(province) if province else None
    if province and zone is None:
        c.add("recipient.province", "is not a mainland province, municipality or region")
    city = c.text(rec, "city", p, max_len=30)
    district = c.text(rec, "district", p, max_len=30)
    address = c.text(rec, "address", p, max_len=200)
    return Recipient(name, phone, province, city, district, address, zone or "")


def _lines(c: _Collector, raw: Any) -> dict[int, Line]:
    """The lines by their place in the body (a line that is not an object has none)."""
    if not isinstance(raw, list) or not raw:
        c.add("lines", "is required and must be a non-empty list")
        return {}
    if len(raw) > MAX_LINES:
        c.add("lines", f"must hold at most {MAX_LINES} lines")
        return {}
    lines: dict[int, Line] = {}
    for i, item in enumerate(raw):
        p = f"lines[{i}]."
        if not isinstance(item, dict):
            c.add(f"lines[{i}]", "must be an object")
            continue
        sku = c.text(item, "sku", p, max_len=64)
        qty = item.get("qty")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            c.add(f"{p}qty", "must be a positive integer")
            qty = 0
        elif qty > MAX_QTY:
            c.add(f"{p}qty", f"must be at most {MAX_QTY}")
        price = c.money(item, "unit_price", path=p)
        lines[i] = Line(sku, qty, price)
    return lines
