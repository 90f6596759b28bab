"""What one parcel declares: its goods, net contents, unit tax, the contract's declaration; and
the quote's basket, for a parcel or for its whole order (the transaction)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from customs.tables import CustomsDeclaration
from customs.tax import unit_tax
from fulfilment import orders, privacy
from fulfilment.localtime import CHINA
from fulfilment.settings import Settings
from fulfilment.tables import Order, Parcel, ParcelLine
from inventory.tables import Sku, Warehouse

_CONTENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ml|l|g|kg|pieces?|pcs?)\s*$", re.IGNORECASE)
_CONTENT_UNIT = {"ml": ("ml", 1), "l": ("ml", 1000), "g": ("g", 1), "kg": ("g", 1000)}


def net_content(text: str | None) -> dict | None:
    """"30 ml", "1 kg", "10 pieces" -> the quote's net_content; None when unreadable."""
    found = _CONTENT.match(text or "")
    if not found:
        return None
    unit, factor = _CONTENT_UNIT.get(found[2].lower(), ("piece", 1))
    return {"amount": str(Decimal(found[1]) * factor), "unit": unit}


def sku_unit_tax(sku: Sku, customs_mode: str, *, on: date) -> Decimal:
    """Tax on one unit of the SKU at its list price under a customs mode (routing's unit_tax)."""
    return unit_tax(unit_price=Decimal(sku.unit_price_fen) / 100, customs_mode=customs_mode,
                    on=on, tax_category=sku.tax_category, hs_code=sku.hs_code,
                    net_content=net_content(sku.net_content))


def paid_on(order: Order) -> datetime:
    """When the order was paid (placed, if unpaid), in China time: picks the rule set and year."""
    return (order.paid_at or order.created_at).astimezone(CHINA)


def basket(order: Order, goods: list[tuple[Sku, int, int]], *, origin: str, freight: Decimal,
           insurance: Decimal, discount: Decimal) -> dict:
    """The quote contract's CBEC basket for these goods of the order (0 used of the year)."""
    return {"regime": "cbec", "date": paid_on(order).date(), "origin": origin,
            "freight": freight, "insurance": insurance, "discount": discount,
            "lines": [{"name": s.name, "hs_code": s.hs_code, "tax_category": s.tax_category,
                       "unit_price": Decimal(p) / 100, "qty": qty,
                       "net_content": net_content(s.net_content)} for s, qty, p in goods]}


def order_basket(session: Session, order: Order, parcels: list[Parcel]) -> dict:
    """All the order's parcels as one basket: the order is the transaction (one payment)."""
    return basket(order, [g for p in parcels for g in goods(session, order, p)], origin="",
                  freight=Decimal(order.freight_fen) / 100,
                  insurance=Decimal(order.insurance_fen) / 100,
                  discount=Decimal(order.discount_fen) / 100)


def goods(session: Session, order: Order, parcel: Parcel) -> list[tuple[Sku, int, int]]:
    """(sku, qty, unit price in fen) for each line of the parcel."""
    prices = {x.sku_id: x.unit_price_fen for x in orders.lines_of(session, order.id)}
    rows = session.execute(select(ParcelLine).where(ParcelLine.parcel_id == parcel.id)
                           .order_by(ParcelLine.id)).scalars()
    return [(session.get(Sku, pl.sku_id), pl.qty, prices.get(pl.sku_id, 0)) for pl in rows]


def declaration(session: Session, order: Order, parcel: Parcel, wh: Warehouse,
                 decl: CustomsDeclaration, goods: list[tuple[Sku, int, int]], tax: Decimal,
                 freight: Decimal, insurance: Decimal, discount: Decimal,
                 settings: Settings) -> dict:
    """The contract's declaration for one parcel, parties from settings."""
    buyer = {"name": order.buyer_name, "phone": order.buyer_phone,
             "id_number": privacy.decrypt(order.buyer_id_cipher, secret=settings.secret_key)}
    net_kg = Decimal(sum(s.weight_g * q for s, q, _ in goods)) / 1000
    goods_value = sum((Decimal(p * q) / 100 for _, q, p in goods), Decimal(0))
    from fulfilment.demo_data import COURIERS

    courier = dict(COURIERS).get(parcel.courier_id, parcel.courier_id)
    return {
        "order_no": decl.order_no, "cop_no": decl.cop_no, "trade_mode": wh.customs_mode,
        "customs_code": settings.customs_code, "port_code": settings.port_code,
        "platform": {"code": settings.platform_code, "name": settings.platform_name},
        "merchant": {"code": settings.merchant_code, "name": settings.merchant_name},
        "agent": {"code": settings.agent_code, "name": settings.agent_name},
        "warehouse": {"code": wh.customs_area_code or wh.id, "name": wh.name},
        "logistics": {"code": settings.logistics_codes.get(
                          parcel.courier_id, f"{settings.customs_code}96{parcel.courier_id}")[:18],
                      "name": courier, "no": decl.logistics_no},
        "payment": {"code": settings.payment_code, "name": settings.payment_name,
                    "transaction_id": decl.pay_transaction_id,
                    "paid_at": (order.paid_at or order.created_at).astimezone(CHINA),
                    "amount": goods_value + freight + tax - discount},
        "buyer": buyer, "payer": buyer,
        "consignee": {"name": order.recipient_name, "phone": order.recipient_phone,
                      "address": f"{order.province}{order.city}{order.district}"
                                 f"{order.address}"[:200]},
        "freight": freight, "insurance": insurance, "discount": discount, "tax_total": tax,
        "gross_weight_kg": max(Decimal(parcel.weight_g) / 1000, net_kg),
        "net_weight_kg": net_kg, "departure_country": wh.country,
        "lines": [{"item_no": s.id[:30], "name": s.name, "hs_code": s.hs_code.ljust(10, "0"),
                   "model": s.net_content or s.name, "barcode": s.gtin,
                   "origin_country": s.origin_country or wh.country, "unit": "piece",
                   "qty": q, "price": Decimal(p) / 100} for s, q, p in goods],
    }
