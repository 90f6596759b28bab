"""Rendering for the floor: shipping labels (PDF, ZPL), barcodes, stock labels, sheets, forms.

Pure: plain data in, bytes/str out; no database, no clock (the print date is passed in).
"""

from labels.documents import declaration_form, render_declaration, render_invoice, render_pick_list
from labels.errors import BarcodeError, LabelError
from labels.shipping import render_pdf, render_pdf_many, render_zpl
from labels.stock_labels import render_bin_labels, render_carton_labels, render_sku_labels
from labels.types import (
    BinLabel,
    CartonLabel,
    CustomsDocument,
    PickList,
    ShippingLabel,
    SkuLabel,
    parse_label,
)

__all__ = [
    "BarcodeError", "BinLabel", "CartonLabel", "CustomsDocument", "LabelError", "PickList",
    "ShippingLabel", "SkuLabel", "declaration_form", "parse_label", "render_bin_labels",
    "render_carton_labels", "render_declaration", "render_invoice", "render_pdf",
    "render_pdf_many", "render_pick_list", "render_sku_labels", "render_zpl",
]
