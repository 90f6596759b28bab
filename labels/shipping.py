"""Courier shipping labels, 100 x 150 mm: PDF (ReportLab, vector bars) and ZPL II at 203 dpi."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from reportlab.lib.units import mm

from labels import barcodes, fonts, layout, zpl
from labels.errors import LabelError
from labels.types import ShippingLabel, parse_label

W, H = layout.LABEL_4X6
MARGIN = 4 * mm

COURIERS = {
    "SF": "SF Express 顺丰速运",
    "EMS": "China Post EMS 中国邮政",
    "CHINAPOST": "China Post 中国邮政",
    "YTO": "YTO Express 圆通速递",
    "ZTO": "ZTO Express 中通快递",
    "STO": "STO Express 申通快递",
    "YUNDA": "Yunda Express 韵达快递",
    "JD": "JD Logistics 京东物流",
    "JT": "J&T Express 极兔速递",
    "DEPPON": "Deppon Express 德邦快递",
    "CAINIAO": "Cainiao 菜鸟",
    "DHL": "DHL Express",
    "UPS": "UPS",
    "FEDEX": "FedEx",
}


def courier_name(code: str) -> str:
    """The courier's display name for its code; an unknown code is shown as given."""
    return COURIERS.get(code.upper(), code)


def address_text(label: ShippingLabel) -> str:
    r = label.recipient
    return " ".join(p for p in (r.province + r.city + r.district, r.address) if p)


def _printed_on(label: ShippingLabel, printed_on: date | None) -> date:
    when = printed_on or label.printed_on
    if when is None:
        raise LabelError([{"field": "printed_on", "reason": "the print date must be given"}])
    return when


def _draw(c: Any, label: ShippingLabel, printed_on: date) -> None:
    left, right, inner = MARGIN, W - MARGIN, W - 2 * MARGIN
    # Courier and service on top, the sort code big on the right: what the hub sorter reads first.
    y = H - MARGIN - 14
    layout.text(c, left, y, courier_name(label.courier), size=13, bold=True, width=inner * 0.6)
    layout.text(c, left, y - 13, label.service, size=9, width=inner * 0.6)
    if label.sort_code:
        layout.text(c, right, y - 8, label.sort_code, size=20, bold=True, align="right",
                    width=inner * 0.4)
    y -= 22
    layout.hline(c, left, right, y)
    # Tracking number: Code 128, number beneath.
    bars_bottom = y - 4 - 22 * mm
    layout.barcode_block(c, barcodes.code128_modules(label.tracking_no, field="tracking_no"),
                         label.tracking_no, cx=W / 2, y=bars_bottom, height=22 * mm,
                         max_width=W - 2 * mm, caption_size=12)
    y = bars_bottom - 20
    layout.hline(c, left, right, y)
    y = _draw_recipient(c, label, y)
    layout.hline(c, left, right, y)
    y = _draw_sender(c, label, y)
    layout.hline(c, left, right, y)
    _draw_facts(c, label, y, printed_on)


def _name_and_phone(c: Any, name: str, phone: str, y: float, *, size: float) -> None:
    """Name after the caption, phone right-aligned: the phone is never cut or shrunk away."""
    left, right = MARGIN + 18 * mm, W - MARGIN
    phone_w = fonts.text_width(phone, layout.font_for(phone), size)
    layout.text(c, right, y, phone, size=size, align="right")
    layout.text(c, left, y, name, size=size, width=right - left - phone_w - 3 * mm)


def _draw_recipient(c: Any, label: ShippingLabel, y: float) -> float:
    r, left, inner = label.recipient, MARGIN, W - 2 * MARGIN
    layout.text(c, left, y - 12, "收件人 TO", size=8, bold=True)
    _name_and_phone(c, r.name, layout.mask_phone(r.phone), y - 14, size=14)
    y -= 31
    region = r.province + r.city + r.district
    if region:
        y = layout.block(c, left, y, region, size=12, width=inner, min_size=8)
    y = layout.block(c, left, y, r.address, size=12, width=inner, min_size=8)
    return y + 3


def _draw_sender(c: Any, label: ShippingLabel, y: float) -> float:
    s, left, inner = label.sender, MARGIN, W - 2 * MARGIN
    layout.text(c, left, y - 10, "寄件人 FROM", size=7, bold=True)
    _name_and_phone(c, s.name, s.phone, y - 10, size=8)
    y = layout.block(c, left, y - 20, s.address, size=8, width=inner, min_size=6, max_lines=2)
    return y + 3


def _draw_facts(c: Any, label: ShippingLabel, y: float, printed_on: date) -> None:
    left, right, inner = MARGIN, W - MARGIN, W - 2 * MARGIN
    layout.text(c, left, y - 13, f"Order {label.order_no}", size=11, bold=True,
                width=inner - 30 * mm)
    layout.text(c, right, y - 13, f"Parcel {label.parcel.index}/{label.parcel.count}", size=13,
                bold=True, align="right")
    layout.text(c, left, y - 27, f"Weight {layout.weight_text(label.weight_g)} "
                f"({label.weight_g} g)", size=10, bold=True)
    y -= 41
    if label.customs is not None:
        layout.text(c, left, y, f"Customs {label.customs.mode}", size=9, bold=True)
        if label.customs.inventory_no:
            layout.text(c, left + 26 * mm, y, f"Inventory No. {label.customs.inventory_no}",
                        size=9, width=inner - 26 * mm)
        y -= 14
    layout.text(c, left, y, "Contents", size=7, bold=True)
    y -= 10
    shown = label.lines[:12]
    for line in shown:
        layout.text(c, left, y, f"{line.qty} x {line.sku}  {line.name}", size=8, width=inner)
        y -= 10
    if len(label.lines) > len(shown):
        layout.text(c, left, y, f"+ {len(label.lines) - len(shown)} more lines", size=8)
    layout.text(c, right, MARGIN, f"Printed {printed_on.isoformat()}", size=7, align="right")


def render_pdf(label: ShippingLabel | dict, *, printed_on: date | None = None) -> bytes:
    """One 100 x 150 mm page for one parcel."""
    return render_pdf_many([label], printed_on=printed_on)


def render_pdf_many(labels: Iterable[ShippingLabel | dict], *,
                    printed_on: date | None = None) -> bytes:
    """A wave as one PDF: one 100 x 150 mm page per parcel, in the order given (pick order)."""
    def page(c: Any, item: ShippingLabel | dict) -> None:
        label = parse_label(item)
        _draw(c, label, _printed_on(label, printed_on))

    return layout.render_pages(labels, page, pagesize=(W, H), title="Shipping labels")


def render_zpl(label: ShippingLabel | dict, *, printed_on: date | None = None) -> str:
    """The same label as ZPL II at 203 dpi: ^XA ... ^XZ, tracking number in a ^BC field."""
    label = parse_label(label)
    when = _printed_on(label, printed_on)
    r, s = label.recipient, label.sender
    modules = barcodes.code128_modules(label.tracking_no, field="tracking_no")
    dots = barcodes.module_dots(modules, W - 2 * mm)
    bar_x = max(32, (800 - len(modules) * dots) // 2)
    body = [
        zpl.text(32, 32, courier_name(label.courier), height=40),
        zpl.text(32, 80, label.service, height=26),
        zpl.text(420, 40, label.sort_code or "", height=64, block_width=350) if label.sort_code
        else "",
        zpl.box(24, 116, 752, 2),
        zpl.code128(bar_x, 140, label.tracking_no, module=dots, height=170),
        zpl.box(24, 360, 752, 2),
        zpl.text(32, 380, "收件人 TO", height=24),
        zpl.text(180, 372, f"{r.name}  {layout.mask_phone(r.phone)}", height=44),
        zpl.text(32, 430, address_text(label), height=36, block_width=736, lines=3),
        zpl.box(24, 560, 752, 2),
        zpl.text(32, 576, f"寄件人 FROM  {s.name}  {s.phone}".strip(), height=22),
        zpl.text(32, 606, s.address, height=22, block_width=736, lines=2),
        zpl.box(24, 664, 752, 2),
        zpl.text(32, 684, f"Order {label.order_no}", height=32, block_width=540),
        zpl.text(580, 684, f"Parcel {label.parcel.index}/{label.parcel.count}", height=36),
        zpl.text(32, 724, f"Weight {layout.weight_text(label.weight_g)} ({label.weight_g} g)",
                 height=30),
    ]
    y = 770
    if label.customs is not None:
        inv = label.customs.inventory_no
        body.append(zpl.text(32, y, f"Customs {label.customs.mode}"
                             + (f"  Inventory No. {inv}" if inv else ""), height=26))
        y += 40
    for line in label.lines[:10]:
        body.append(zpl.text(32, y, f"{line.qty} x {line.sku}  {line.name}", height=22))
        y += 30
    body.append(zpl.text(540, 1150, f"Printed {when.isoformat()}", height=22))
    return zpl.document([b for b in body if b])
