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

from fulfilment import receiving
from fulfilment.localtime import business_day
from inventory import csv_text
from inventory.money import cny as _cny
from inventory.planning_errors import NotFound, PlanningError
from inventory.planning_tables import PurchaseOrder, PurchaseOrderLine
from inventory.tables import Sku, Warehouse
from labels.stock_labels import render_carton_labels
from labels.types import CartonLine

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
    writer.writerows(csv_text.safe_row(row) for row in body)  # never a live formula
    return out.getvalue()


def to_xlsx(session: Session, po_id: int) -> bytes:
    po, body = rows(session, po_id)
    book = Workbook()
    sheet = book.active
    sheet.title = f"PO-{po.id}"
    sheet.append(COLUMNS)
    for row in body:
        sheet.append([*row[:5], row[5], Decimal(row[6]), Decimal(row[7])])
        for cell in sheet[sheet.max_row][:5]:
            # openpyxl stores text starting with "=" as a formula: a supplier is only text
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"
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
    # the China business day, as the transfer's ETA and the cartons' expiry count from it (the
    # UTC date of an evening approval is the day before)
    c.drawString(20 * mm, y, f"Supplier {po.supplier} ({po.market})   date "
                             f"{business_day(po.created_at):%Y-%m-%d}   total CNY "
                             f"{_cny(po.total_fen)}")
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


# --- GS1-128 / SSCC carton labels of an inbound transfer ---------------------------------------


def _fit(text: str, limit: int) -> str:
    """A display-only name or address shortened to what the label model holds (never a code)."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def carton_labels(session: Session, transfer_id: int) -> bytes:
    """The transfer's cartons as GS1-128 logistic labels: one 100 x 150 mm page per carton in
    SSCC order, the SSCC under AI (00), from the PO's supplier (and market) to the hub.

    A SKU code longer than the label holds is refused (PlanningError naming it): a cut code on
    a carton is a mislabel. Names and addresses, which nobody scans, are shortened instead.
    """
    transfer = receiving.get_transfer(session, transfer_id)
    boxes = receiving.cartons(session, transfer_id)
    if not boxes:
        raise PlanningError("transfer has no cartons",
                            [{"field": "transfer_id", "reason": "has no cartons to label"}],
                            code="no_cartons")
    limit = next(m.max_length for m in CartonLine.model_fields["sku"].metadata
                 if getattr(m, "max_length", None))
    too_long = sorted({c.sku_id.strip() for c in boxes if len(c.sku_id.strip()) > limit})
    if too_long:
        raise PlanningError("SKU code too long for a carton label", [
            {"field": "sku", "reason": f"SKU {sku} has {len(sku)} characters; a carton label "
             f"holds {limit} and a shortened code would mislabel the carton"}
            for sku in too_long], code="sku_too_long_for_label")
    po = session.get(PurchaseOrder, transfer.po_id)
    supplier = (po.supplier if po else "").strip()
    market = (po.market if po else "").strip()
    ship_from = {"name": _fit(supplier or market or f"PO{transfer.po_id}", 100),
                 "country": _fit(market, 40)}
    wh = session.get(Warehouse, transfer.hub)
    ship_to = ({"name": _fit(wh.name or wh.id, 100), "address": _fit(wh.address, 200),
                "phone": _fit(wh.phone, 40), "country": _fit(wh.country, 40)}
               if wh else {"name": transfer.hub})
    reference = f"PO{transfer.po_id}-T{transfer.id}"
    labels = []
    for index, box in enumerate(boxes, start=1):
        sku = session.get(Sku, box.sku_id)
        labels.append({
            "sscc": box.sscc, "ship_from": ship_from, "ship_to": ship_to,
            "reference": reference, "carton": {"index": index, "count": len(boxes)},
            "weight_g": (sku.weight_g or 0) * box.qty if sku else 0,
            "lines": [{"sku": box.sku_id, "qty": box.qty, "lot": box.lot_no,
                       "expiry": box.expiry}]})
    return render_carton_labels(labels)
