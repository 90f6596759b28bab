"""Courier shipping labels, 100 x 150 mm: PDF (ReportLab, vector bars) and ZPL II at 203 dpi."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from typing import Any

from reportlab.lib.units import mm

from labels import barcodes, fonts, layout, zpl
from labels.errors import LabelError
from labels.types import ShippingLabel, parse_label

W, H = layout.LABEL_4X6
MARGIN = 4 * mm
NAME_X = MARGIN + 18 * mm  # names start after the TO / FROM caption
MIN_SIZE = 6  # smallest recipient text: 17 printer dots, still legible
MAX_ITEM_LINES = 12
ROW = 10  # contents row pitch
ROW_CUSTOMS = 14
FACTS = 41  # order and weight rows
ROWS_BOTTOM = MARGIN + ROW  # lowest contents row: one row above the print date

Page = layout.PdfPage | zpl.Page

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


def _printed_on(label: ShippingLabel, printed_on: date | None) -> date:
    when = printed_on or label.printed_on
    if when is None:
        raise LabelError([{"field": "printed_on", "reason": "the print date must be given"}])
    return when


def contents(label: ShippingLabel, rows: int) -> list[str]:
    """The contents rows both forms print in `rows` rows: up to MAX_ITEM_LINES item lines, and
    the lines that do not fit counted in a last "+ N more lines" row."""
    items = [f"{line.qty} x {line.sku}  {line.name}" for line in label.lines]
    if len(items) <= min(rows, MAX_ITEM_LINES):
        return items
    shown = max(0, min(rows - 1, MAX_ITEM_LINES))
    return [*items[:shown], f"+ {len(items) - shown} more lines"]


def _draw(page: Page, label: ShippingLabel, printed_on: date) -> None:
    left, right, inner = MARGIN, W - MARGIN, W - 2 * MARGIN
    # Courier and service on top, the sort code big on the right: what the hub sorter reads first.
    y = H - MARGIN - 14
    page.text(left, y, courier_name(label.courier), size=13, bold=True, width=inner * 0.6)
    page.text(left, y - 13, label.service, size=9, width=inner * 0.6)
    if label.sort_code:
        page.text(right, y - 8, label.sort_code, size=20, bold=True, align="right",
                  width=inner * 0.4)
    y -= 22
    page.hline(left, right, y)
    # Tracking number: Code 128, number beneath.
    bars_bottom = y - 4 - 22 * mm
    modules = barcodes.code128_modules(label.tracking_no, field="tracking_no")
    page.barcode(label.tracking_no, modules, cx=W / 2, y=bars_bottom, height=22 * mm,
                 max_width=W - 2 * mm, caption_size=12, field="tracking_no")
    y = bars_bottom - 20
    page.hline(left, right, y)
    sender = _sender_block(label)
    # The recipient may take all the height down to the sender, facts and one contents row.
    floor = ROWS_BOTTOM + _sender_height(sender) + _facts_height(label)
    y = _draw_recipient(page, label, y, room=y - floor)
    page.hline(left, right, y)
    y = _draw_sender(page, label, sender, y)
    page.hline(left, right, y)
    _draw_facts(page, label, y, printed_on)


def _phone_fit(phone: str, size: float) -> tuple[float, float]:
    """(size, width) of the phone on its name row: never cut, it shrinks only past 60% of it."""
    size, _ = fonts.shrink(phone, layout.measure_for(phone), size, (W - MARGIN - NAME_X) * 0.6, 5)
    return size, layout.measure_for(phone)(phone, size)


def _phone(page: Page, phone: str, y: float, *, size: float) -> float:
    """The phone right-aligned on the name row; returns the width left for the name."""
    size, phone_w = _phone_fit(phone, size)
    page.text(W - MARGIN, y, phone, size=size, align="right", width=phone_w)
    return W - MARGIN - NAME_X - phone_w - 3 * mm


def _recipient_blocks(label: ShippingLabel, name_width: float, room: float) -> list[fonts.Block]:
    """Name, region and address whole: one line each where they read well, else wrapped; all
    made smaller (half points, down to MIN_SIZE) while they would stand taller than `room`.
    The longest accepted recipient fits at 8 pt beside a usual sender, and at 6 pt beside the
    longest accepted sender (100 CJK characters of name, whole too;
    tests/labels/test_shipping_layout.py)."""
    r, inner = label.recipient, W - 2 * MARGIN
    wanted = [(r.name, 14, 9, name_width), (r.province + r.city + r.district, 12, 8, inner),
              (r.address, 12, 8, inner)]
    smallest = 9.0
    while True:
        blocks = [fonts.fit_block(t, layout.measure_for(t), size=size, width=width,
                                  min_size=min(least, smallest))
                  for t, size, least, width in wanted if t]
        if _stack(blocks)[1] <= room or smallest <= MIN_SIZE:
            return blocks
        smallest -= 0.5


def _stack(blocks: list[fonts.Block]) -> tuple[list[float], float]:
    """How far below the section top each block's first baseline goes, and the section height:
    the name's first line 14 pt down, level with the phone; each next block one pitch of the
    larger size below the line above (room for descenders); the rule 3 pt above where a next
    line would go."""
    firsts, base = [14.0], 14.0 + blocks[0].height - blocks[0].pitch
    for above, block in itertools.pairwise(blocks):
        base += max(above.pitch, block.pitch)
        firsts.append(base)
        base += block.height - block.pitch
    return firsts, base + blocks[-1].pitch - 3


def _draw_recipient(page: Page, label: ShippingLabel, y: float, *, room: float) -> float:
    """Caption, name and masked phone, then region and address, within `room` below `y`;
    returns where the rule beneath goes."""
    left, inner = MARGIN, W - 2 * MARGIN
    page.text(left, y - 12, "收件人 TO", size=8, bold=True)
    name_width = _phone(page, layout.mask_phone(label.recipient.phone), y - 14, size=14)
    blocks = _recipient_blocks(label, name_width, room)
    firsts, height = _stack(blocks)
    for i, (block, first) in enumerate(zip(blocks, firsts, strict=True)):
        x, width = (NAME_X, name_width) if i == 0 else (left, inner)
        page.lines(x, y - first, block, width=width)
    return y - height


def _sender_block(label: ShippingLabel) -> tuple[fonts.Block, fonts.Block]:
    """Sender name (beside the phone) and address, whole: 8 pt, or smaller to 6 pt, wrapped."""
    s = label.sender
    return tuple(fonts.fit_block(t, layout.measure_for(t), size=8, min_size=MIN_SIZE, width=w)
                 for t, w in ((s.name, _sender_name_width(s.phone)), (s.address, W - 2 * MARGIN)))


def _sender_name_width(phone: str) -> float:
    row = W - MARGIN - NAME_X
    return row - _phone_fit(phone, 8)[1] - 3 * mm if phone else row


def _sender_height(blocks: tuple[fonts.Block, fonts.Block]) -> float:
    name, address = blocks  # caption row, the name's further lines, address, 3 pt to the rule
    return 17 + name.height - name.pitch + address.height


def _draw_sender(page: Page, label: ShippingLabel, blocks: tuple[fonts.Block, fonts.Block],
                 y: float) -> float:
    s, (name, address) = label.sender, blocks
    page.text(MARGIN, y - 10, "寄件人 FROM", size=7, bold=True)
    if s.phone:
        _phone(page, s.phone, y - 10, size=8)
    page.lines(NAME_X, y - 10, name, width=_sender_name_width(s.phone))
    page.lines(MARGIN, y - 20 - (name.height - name.pitch), address, width=W - 2 * MARGIN)
    return y - _sender_height(blocks)


def _facts_height(label: ShippingLabel) -> float:
    """From the rule above the facts down to the first contents row."""
    return FACTS + (ROW_CUSTOMS if label.customs is not None else 0) + ROW


def _draw_facts(page: Page, label: ShippingLabel, y: float, printed_on: date) -> None:
    left, right, inner = MARGIN, W - MARGIN, W - 2 * MARGIN
    page.text(left, y - 13, f"Order {label.order_no}", size=11, bold=True, width=inner - 30 * mm)
    page.text(right, y - 13, f"Parcel {label.parcel.index}/{label.parcel.count}", size=13,
              bold=True, align="right", width=28 * mm)
    page.text(left, y - 27, f"Weight {layout.weight_text(label.weight_g)} "
              f"({label.weight_g} g)", size=10, bold=True)
    y -= FACTS
    if label.customs is not None:
        page.text(left, y, f"Customs {label.customs.mode}", size=9, bold=True, width=24 * mm)
        if label.customs.inventory_no:
            page.text(left + 26 * mm, y, f"Inventory No. {label.customs.inventory_no}", size=9,
                      width=inner - 26 * mm)
        y -= ROW_CUSTOMS
    page.text(left, y, "Contents", size=7, bold=True)
    y -= ROW
    for row in contents(label, int((y - ROWS_BOTTOM) // ROW) + 1):
        page.text(left, y, row, size=8, width=inner)
        y -= ROW
    page.text(right, MARGIN, f"Printed {printed_on.isoformat()}", size=7, align="right")


def render_pdf(label: ShippingLabel | dict, *, printed_on: date | None = None) -> bytes:
    """One 100 x 150 mm page for one parcel."""
    return render_pdf_many([label], printed_on=printed_on)


def render_pdf_many(labels: Iterable[ShippingLabel | dict], *,
                    printed_on: date | None = None) -> bytes:
    """A wave as one PDF: one 100 x 150 mm page per parcel, in the order given (pick order)."""
    def page(c: Any, item: ShippingLabel | dict) -> None:
        label = parse_label(item)
        _draw(layout.PdfPage(c), label, _printed_on(label, printed_on))

    return layout.render_pages(labels, page, pagesize=(W, H), title="Shipping labels")


def render_zpl(label: ShippingLabel | dict, *, printed_on: date | None = None) -> str:
    """The same label as ZPL II at 203 dpi: ^XA ... ^XZ, tracking number in a ^BC field."""
    label = parse_label(label)
    page = zpl.Page(H)
    _draw(page, label, _printed_on(label, printed_on))
    return page.document()
