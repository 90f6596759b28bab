"""What the floor prints, read from the database: shipping labels, wave PDFs, invoices, CN forms.

Store-style: a Session first, never commits. Rendering itself is the pure `labels` package.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from fulfilment import orders, privacy
from fulfilment.floor import FloorError, ensure_tracking, wave_parcels
from fulfilment.tables import Order, Parcel, ParcelLine
from inventory.tables import Sku, Warehouse
from labels import shipping
from labels.types import CustomsDocument, ShippingLabel


def _inventory_no(session: Session, order: Order) -> str | None:
    # The customs module, when present, knows the cleared inventory (清单) number.
    from fulfilment import clearance

    lookup = getattr(clearance, "inventory_no", None)
    return lookup(session, order.id) if lookup else None


def printable(session: Session, parcel: Parcel) -> Order:
    """The parcel's order, unless the parcel or its order is cancelled: a cancelled parcel gets
    no label, invoice or CN form (and no tracking number). Raises a 409 naming the status."""
    order = session.get(Order, parcel.order_id)
    status = "cancelled" if "cancelled" in (parcel.status, order.status) else ""
    if status:
        raise FloorError(f"parcel {parcel.id} is {status}: nothing to print for it",
                         field="status", status=409, code="parcel_cancelled")
    return order


def label_for(session: Session, parcel: Parcel, *, printed_on: date) -> ShippingLabel:
    """Everything the contract's label shows, read from the parcel, its order and warehouse."""
    order = printable(session, parcel)
    wh = session.get(Warehouse, parcel.warehouse_id)
    lines = []
    for pl in session.execute(select(ParcelLine).where(ParcelLine.parcel_id == parcel.id)
                              .order_by(ParcelLine.id)).scalars():
        sku = session.get(Sku, pl.sku_id)
        lines.append({"sku": pl.sku_id, "name": sku.name if sku else "", "qty": pl.qty})
    # The contract: customs mode and inventory number once cleared, absent before.
    inventory_no = _inventory_no(session, order)
    customs = {"mode": wh.customs_mode, "inventory_no": inventory_no} if inventory_no else None
    return ShippingLabel.model_validate({
        "tracking_no": ensure_tracking(session, parcel), "courier": parcel.courier_id,
        "service": "Standard", "order_no": order.external_id,
        "parcel": {"index": parcel.index, "count": max(parcel.count, parcel.index)},
        "weight_g": parcel.weight_g, "customs": customs,
        "sender": {"name": wh.name, "phone": wh.phone, "address": wh.address or wh.name},
        "recipient": {"name": order.recipient_name, "phone": order.recipient_phone,
                      "province": order.province, "city": order.city,
                      "district": order.district, "address": order.address},
        "lines": lines, "printed_on": printed_on})


def customs_document_for(session: Session, parcel: Parcel, *, issued_on: date
                         ) -> CustomsDocument:
    """Invoice / CN22 / CN23 data for a parcel: order prices, SKU HS codes, origin, weights."""
    order = printable(session, parcel)
    wh = session.get(Warehouse, parcel.warehouse_id)
    prices = {ln.sku_id: ln.unit_price_fen for ln in orders.lines_of(session, order.id)}
    items = []
    for pl in session.execute(select(ParcelLine).where(ParcelLine.parcel_id == parcel.id)
                              .order_by(ParcelLine.id)).scalars():
        sku = session.get(Sku, pl.sku_id)
        items.append({"sku": pl.sku_id, "description": sku.name, "hs_code": sku.hs_code,
                      "origin": sku.origin_country, "qty": pl.qty,
                      "unit_value": prices.get(pl.sku_id, sku.unit_price_fen),
                      "weight_g": sku.weight_g * pl.qty})
    address = " ".join(x for x in (order.province, order.city, order.district, order.address) if x)
    return CustomsDocument.model_validate({
        "document_no": f"INV-{parcel.id}", "order_no": order.external_id,
        "tracking_no": ensure_tracking(session, parcel), "issued_on": issued_on,
        "currency": "CNY", "sender": {"name": wh.name, "address": wh.address,
                                      "phone": wh.phone, "country": wh.country},
        "recipient": {"name": order.recipient_name, "address": address, "country": "CN",
                      "phone": privacy.mask_phone(order.recipient_phone)},
        "items": items, "gross_weight_g": parcel.weight_g})


def wave_labels_pdf(session: Session, *, wave_id: int, printed_on: date) -> bytes:
    """One PDF for the whole wave, one label page per parcel, in pick order."""
    parcels = wave_parcels(session, wave_id=wave_id)
    if not parcels:
        raise FloorError(f"wave {wave_id} has no parcels", field="wave_id", status=404,
                         code="not_found")
    return shipping.render_pdf_many([label_for(session, p, printed_on=printed_on)
                                     for p in parcels])
