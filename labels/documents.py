"""A4 sheets and postal forms: wave pick lists, commercial invoice / packing list, CN22 / CN23."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm

from labels import layout, stock_labels
from labels.errors import LabelError
from labels.types import CustomsDocument, PickLine, PickList, parse

A4W, A4H = layout.A4
M = 12 * mm
CN22_LIMIT_SDR = Decimal(300)  # UPU: CN22 up to 300 SDR, CN23 above (and for postal parcels)
CN22_MAX_WEIGHT_G = 2000  # CN22 goes on letter-post items (small packets up to 2 kg)
CATEGORIES = {
    "gift": "Gift",
    "documents": "Documents",
    "commercial_sample": "Commercial sample",
    "returned_goods": "Returned goods",
    "sale_of_goods": "Sale of goods",
    "other": "Other",
}


def _header(c: Any, title: str, lines: Sequence[str], page: int, pages: int) -> float:
    layout.text(c, M, A4H - M - 14, title, size=16, bold=True)
    layout.text(c, A4W - M, A4H - M - 14, f"Page {page}/{pages}", size=9, align="right")
    y = A4H - M - 32
    for line in lines:
        layout.text(c, M, y, line, size=9, width=A4W - 2 * M)
        y -= 12
    layout.hline(c, M, A4W - M, y + 4)
    return y - 8


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [items[:0]]


# --- Pick list -----------------------------------------------------------------------------

PICK_ROWS = 13
PICK_ROW_H = 17 * mm
PICK_COLS = {"seq": M, "bin": M + 8 * mm, "code": M + 30 * mm, "name": M + 88 * mm,
             "qty": M + 140 * mm, "lot": M + 150 * mm}


def walking_order(lines: Sequence[PickLine]) -> list[PickLine]:
    """Lines in the order the picker walks: bin sequence, bin, SKU, then earliest expiry."""
    return sorted(lines, key=lambda p: (p.walk_seq, p.bin, p.sku, p.expiry or date.max, p.lot))


def _pick_row(c: Any, n: int, line: PickLine, y: float) -> None:
    col = PICK_COLS
    base = y - 7 * mm
    layout.text(c, col["seq"], base, str(n), size=9)
    layout.text(c, col["bin"], base, line.bin, size=11, bold=True, width=21 * mm)
    _, modules, caption = stock_labels.sku_symbol(line.sku, line.gtin)
    layout.barcode_block(c, modules, caption, cx=col["code"] + 27 * mm, y=y - 11 * mm,
                         height=9 * mm, max_width=56 * mm, preferred_dots=2, min_dots=1,
                         caption_size=7)
    layout.text(c, col["name"], base + 4, line.sku, size=9, bold=True, width=50 * mm)
    layout.paragraph(c, col["name"], base - 7, line.name, size=7, width=50 * mm, max_lines=2)
    layout.text(c, col["qty"] + 8 * mm, base, str(line.qty), size=14, bold=True, align="right")
    layout.text(c, col["lot"], base + 4, f"Lot {line.lot}" if line.lot else "", size=8,
                width=A4W - M - col["lot"])
    exp = line.expiry.isoformat() if line.expiry else "no expiry"
    layout.text(c, col["lot"], base - 7, f"Exp {exp}", size=8, bold=True)
    c.rect(A4W - M - 4 * mm, base - 1, 3.5 * mm, 3.5 * mm, stroke=1, fill=0)
    layout.hline(c, M, A4W - M, y - PICK_ROW_H, width=0.3)


def render_pick_list(pick_list: PickList | dict) -> bytes:
    """A4 pick list for one wave and warehouse, lines in bin walking order with SKU barcodes."""
    pl = parse(PickList, pick_list)
    ordered = walking_order(pl.lines)
    pages = _chunks(ordered, PICK_ROWS)
    units = sum(p.qty for p in ordered)
    head = [f"Wave {pl.wave_id}   Warehouse {pl.warehouse}   Printed {pl.printed_on.isoformat()}",
            f"{_count(len(ordered), 'line')}, {_count(units, 'unit')}. Take the lot shown "
            "(first-expired first-out)."]

    def page(c: Any, chunk: tuple[int, Sequence[PickLine]]) -> None:
        index, rows = chunk
        y = _header(c, "Pick list", head, index + 1, len(pages))
        for i, line in enumerate(rows):
            _pick_row(c, index * PICK_ROWS + i + 1, line, y - i * PICK_ROW_H)

    return layout.render_pages(enumerate(pages), page, pagesize=layout.A4, title="Pick list")


# --- Commercial invoice / packing list ------------------------------------------------------

INVOICE_ROWS = 28
INV_COLS = [("#", 0, 6), ("SKU", 6, 28), ("Description", 34, 52), ("HS code", 86, 20),
            ("Origin", 106, 14), ("Qty", 120, 10), ("Unit value", 130, 20),
            ("Value", 150, 18), ("Net kg", 168, 18)]


def _party_block(c: Any, x: float, y: float, label: str, party: Any) -> None:
    layout.text(c, x, y, label, size=8, bold=True)
    layout.text(c, x, y - 12, party.name, size=10, width=88 * mm)
    y = layout.paragraph(c, x, y - 24, party.address, size=8, width=88 * mm, max_lines=3)
    layout.text(c, x, y, " ".join(p for p in (party.country, party.phone) if p), size=8)


def totals(doc: CustomsDocument) -> tuple[int, int, int]:
    """(total value in minor units, net weight g, gross weight g)."""
    value = sum(i.qty * i.unit_value for i in doc.items)
    net = sum(i.weight_g for i in doc.items)
    return value, net, doc.gross_weight_g if doc.gross_weight_g is not None else net


def render_invoice(document: CustomsDocument | dict) -> bytes:
    """Commercial invoice and packing list (A4) for one direct-mail parcel."""
    doc = parse(CustomsDocument, document)
    pages = _chunks(doc.items, INVOICE_ROWS)
    value, net, gross = totals(doc)
    head = [f"Invoice {doc.document_no}   Date {doc.issued_on.isoformat()}   Order {doc.order_no}"
            f"   Tracking {doc.tracking_no}   Incoterm {doc.incoterm}   Currency {doc.currency}",
            f"Reason for export: {CATEGORIES.get(doc.category, doc.category)}"]

    def page(c: Any, chunk: tuple[int, Sequence[Any]]) -> None:
        index, rows = chunk
        y = _header(c, "Commercial invoice / Packing list", head, index + 1, len(pages))
        _party_block(c, M, y - 4, "SELLER / SHIPPER", doc.sender)
        _party_block(c, A4W / 2, y - 4, "BUYER / CONSIGNEE", doc.recipient)
        y -= 62
        for title, x, _ in INV_COLS:
            layout.text(c, M + x * mm, y, title, size=8, bold=True)
        layout.hline(c, M, A4W - M, y - 4)
        y -= 16
        for i, item in enumerate(rows):
            n = index * INVOICE_ROWS + i + 1
            cells = [str(n), item.sku, item.description, item.hs_code, item.origin, str(item.qty),
                     layout.money(item.unit_value, ""),
                     layout.money(item.qty * item.unit_value, ""),
                     layout.weight_text(item.weight_g).removesuffix(" kg")]
            for (_, x, w), cell in zip(INV_COLS, cells, strict=True):
                layout.text(c, M + x * mm, y, cell.strip(), size=8, width=(w - 1) * mm)
            y -= 14
        if index == len(pages) - 1:
            layout.hline(c, M, A4W - M, y + 8)
            layout.text(c, M, y - 6, f"Total value {layout.money(value, doc.currency)}   "
                        f"Net weight {layout.weight_text(net)}   Gross weight "
                        f"{layout.weight_text(gross)}", size=10, bold=True)
            layout.text(c, M, y - 30, "We declare that this invoice shows the actual price of the"
                        " goods described and that all particulars are true and correct.", size=8)

    return layout.render_pages(enumerate(pages), page, pagesize=layout.A4, title="Invoice")


# --- UPU CN22 / CN23 ------------------------------------------------------------------------

# every currency's rate lies well inside this (a dinar is ~0.4 a SDR, a rial ~60,000); beyond
# it the figure is a typo, and a tiny one overflowed the value's division
SDR_RATE_MIN, SDR_RATE_MAX = Decimal("0.001"), Decimal("1000000")


def declaration_form(document: CustomsDocument | dict, *, currency_per_sdr: Decimal) -> str:
    """'CN22' up to 300 SDR (and 2 kg), 'CN23' above. `currency_per_sdr`: units of the
    document's currency worth one SDR (from the IMF rate of the day, passed in)."""
    if not (currency_per_sdr.is_finite() and SDR_RATE_MIN <= currency_per_sdr <= SDR_RATE_MAX):
        raise LabelError([{"field": "currency_per_sdr", "reason": f"must be a number from "
                           f"{SDR_RATE_MIN} to {SDR_RATE_MAX} (units of the currency a SDR)"}])
    doc = parse(CustomsDocument, document)
    value, _, gross = totals(doc)
    value_sdr = Decimal(value) / 100 / currency_per_sdr
    return "CN22" if value_sdr <= CN22_LIMIT_SDR and gross <= CN22_MAX_WEIGHT_G else "CN23"


def _cn_items(c: Any, doc: CustomsDocument, x: float, y: float, width: float,
              size: float, max_rows: int) -> float:
    cols = [("Detailed description of contents", 0.0), ("Qty", 0.44), ("Net kg", 0.52),
            ("Value", 0.64), ("HS code", 0.78), ("Origin", 0.91)]
    for title, at in cols:
        layout.text(c, x + at * width, y, title, size=size - 1, bold=True)
    layout.hline(c, x, x + width, y - 3, width=0.5)
    y -= size + 5
    for item in doc.items[:max_rows]:
        cells = [item.description, str(item.qty), layout.weight_text(item.weight_g)[:-3],
                 layout.money(item.qty * item.unit_value, ""), item.hs_code, item.origin]
        for (_, at), cell, nxt in zip(cols, cells, [c[1] for c in cols[1:]] + [1.0], strict=True):
            layout.text(c, x + at * width, y, cell.strip(), size=size, width=(nxt - at) * width - 2)
        y -= size + 4
    if len(doc.items) > max_rows:
        layout.text(c, x, y, f"+ {len(doc.items) - max_rows} more items (see invoice)", size=size)
        y -= size + 4
    return y


def _cn_body(c: Any, doc: CustomsDocument, form: str, w: float, h: float, size: float,
             max_rows: int) -> None:
    x, inner = 5 * mm, w - 10 * mm
    value, _, gross = totals(doc)
    layout.text(c, x, h - 12 * mm, f"CUSTOMS DECLARATION {form[:2]} {form[2:]}", size=size + 5,
                bold=True)
    layout.text(c, x, h - 12 * mm - size - 3, "May be opened officially", size=size - 1)
    y = h - 22 * mm
    for label, party in (("From", doc.sender), ("To", doc.recipient)):
        layout.text(c, x, y, f"{label}: {party.name}", size=size, bold=True, width=inner)
        y = layout.paragraph(c, x + 8 * mm, y - size - 2, f"{party.address} {party.country}",
                             size=size - 1, width=inner - 8 * mm, max_lines=2) - 2
    ticks = "   ".join(("[X] " if key == doc.category else "[  ] ") + name
                       for key, name in CATEGORIES.items())
    y = layout.paragraph(c, x, y - 2, ticks, size=size - 1, width=inner, max_lines=2) - 4
    y = _cn_items(c, doc, x, y, inner, size, max_rows)
    layout.hline(c, x, x + inner, y + size, width=0.5)
    layout.text(c, x, y - 2, f"Total gross weight {layout.weight_text(gross)}    Total value "
                f"{layout.money(value, doc.currency)}", size=size + 1, bold=True, width=inner)
    y -= size + 16
    layout.paragraph(c, x, y, "I certify that the particulars given in this customs declaration "
                     "are correct and that this item does not contain any dangerous article "
                     "prohibited by legislation or by postal or customs regulations.",
                     size=size - 2, width=inner, max_lines=3)
    layout.text(c, x, 8 * mm, f"Date {doc.issued_on.isoformat()}   Order {doc.order_no}   "
                f"Item {doc.tracking_no}", size=size - 1, width=inner)
    layout.text(c, x, 14 * mm, "Sender's signature ____________________", size=size - 1)


def render_declaration(document: CustomsDocument | dict, *, currency_per_sdr: Decimal,
                       ) -> tuple[str, bytes]:
    """The UPU declaration the parcel needs: ('CN22', 100 x 150 mm) or ('CN23', A4)."""
    doc = parse(CustomsDocument, document)
    form = declaration_form(doc, currency_per_sdr=currency_per_sdr)
    size = layout.LABEL_4X6 if form == "CN22" else layout.A4
    font, rows = (8, 8) if form == "CN22" else (10, 30)

    def page(c: Any, d: CustomsDocument) -> None:
        _cn_body(c, d, form, size[0], size[1], font, rows)

    return form, layout.render_pages([doc], page, pagesize=size, title=form)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
