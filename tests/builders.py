"""Small builders for test data: readable SKUs, valid buyers, one network."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from inventory import store as stock
from inventory.tables import Sku, Warehouse

# The contracts' examples (../shared/examples), copied so that a clone alone can run the tests;
# tests/test_examples.py checks the copies still match where the shared folder is present.
EXAMPLES = Path(__file__).resolve().parent / "examples"
BUYER = {"name": "李小红", "id_number": "11010519491231002X", "phone": "13812345678"}
RECIPIENT = {"name": "李小红", "phone": "13812345678", "province": "浙江省", "city": "杭州市",
             "district": "西湖区", "address": "文三路 90 号 5 幢 101"}


def a_warehouse(session: Session, wid: str = "NGB", *, kind: str = "bonded",
                mode: str = "1210", country: str = "CN") -> Warehouse:
    row = session.get(Warehouse, wid) or Warehouse(id=wid, name=f"{wid} warehouse", kind=kind,
                                                   customs_mode=mode, country=country)
    session.add(row)
    session.flush()
    return row


def a_sku(session: Session, sku: str = "SERUM-30ML", *, price_fen: int = 19900,
          weight_g: int = 180, gtin: str | None = None, tax_category: str = "cosmetics",
          hs_code: str = "3304990099", shelf_life_days: int | None = 1095,
          min_remaining_days: int = 0) -> Sku:
    row = session.get(Sku, sku) or Sku(id=sku, name=sku.title(), hs_code=hs_code,
                                       tax_category=tax_category, weight_g=weight_g,
                                       unit_price_fen=price_fen, gtin=gtin,
                                       shelf_life_days=shelf_life_days,
                                       min_remaining_days=min_remaining_days)
    session.add(row)
    session.flush()
    return row


def stocked(session: Session, now: datetime, *, sku: str = "SERUM-30ML", qty: int = 10,
            warehouse: str = "NGB", lot: str = "L1", expiry: date | None = None) -> None:
    """A warehouse, a SKU and qty units received into one lot; committed."""
    a_warehouse(session, warehouse)
    a_sku(session, sku)
    stock.receive(session, warehouse=warehouse, sku=sku, lot_no=lot, qty=qty,
                  expiry=expiry or date(2028, 1, 1), now=now, reference="test")
    session.commit()


def order_body(sku: str = "SERUM-30ML", qty: int = 1, *, external_id: str | None = None,
               price: str = "199.00", **extra: object) -> dict:
    return {"external_id": external_id or f"T-{uuid.uuid4().hex[:12]}", "buyer": dict(BUYER),
            "recipient": dict(RECIPIENT),
            "lines": [{"sku": sku, "qty": qty, "unit_price": price}],
            "freight": "0.00", "insurance": "0.00", "discount": "0.00", **extra}
