"""Purchase order documents: CSV, XLSX (openpyxl) and PDF (ReportLab), bytes out."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlmodel import Session, select

from inventory.planning_errors import NotFound
from inventory.planning_tables import PurchaseOrder, PurchaseOrderLine
from inventory.purchasing_catalogue import cny as _cny

COLUMNS = ("po", "supplier", "market", "sku", "hub", "qty", "unit_cost", "line_total")


def rows(session: Session, po_id: int) -> tuple[PurchaseOrder, list[tuple]]:
    """The order and its lines as display rows (money in CNY with two decimals)."""
    po = session.get(PurchaseOrder, po_id)
    if po is None:
        raise NotFound("no such purchase order", [{"field": "po_id", "reason": "not found"}])
    lines = session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id)
                         .order_by(PurchaseOrderLine.id)).all()
    return po, [(f"PO-{po.id}", po.supplier, po.market, ln.sku_id, ln.hub, ln.qty,
                 _cny(ln.unit_cost_fen), _cny(ln.unit_cost_fen * ln.qty)) for ln in lines]


def to_csv(session: Session, po_id: int) -> str:
    _, body = rows(session, po_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(body)
    return out.getvalue()


def to_xlsx(session: Session, po_id: int) -> bytes:
    po, body = rows(session, po_id)
    book = Workbook()
    sheet = book.active
    sheet.title = f"PO-{po.id}"
    sheet.append(COLUMNS)
    for row in body:
        sheet.append([*row[:5], row[5], Decimal(row[6]), Decimal(row[7])])
        for cell in sheet[sheet.max_row][6:8]:
            cell.number_format = "0.00"  # money as exact CNY, shown with two decimals
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(session: Session, po_id: int) -> bytes:
    po, body = rows(session, po_id)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    y = A4[1] - 20 * mm
    c.setFont("Helvetica-Bold", 14)
    c.drawString(20 * mm, y, f"Purchase order PO-{po.id}")
    c.setFont("Helvetica", 10)
    y -= 8 * mm
    c.drawString(20 * mm, y, f"Supplier {po.supplier} ({po.market})   date "
                             f"{po.created_at:%Y-%m-%d}   total CNY {_cny(po.total_fen)}")
    y -= 10 * mm
    for row in [COLUMNS[3:], *(r[3:] for r in body)]:
        for x, cell in zip((20, 80, 110, 135, 165), row, strict=True):
            c.drawString(x * mm, y, str(cell))
        y -= 6 * mm
        if y < 20 * mm:
            c.showPage()
            c.setFont("Helvetica", 10)
            y = A4[1] - 20 * mm
    c.showPage()
    c.save()
    return out.getvalue()

