"""Labels for stock: SKU item labels, bin-location labels, GS1-128 SSCC carton/pallet labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reportlab.lib.units import mm

from labels import barcodes, layout
from labels.types import BinLabel, CartonLabel, SkuLabel, parse

SKU_SIZE = (60 * mm, 40 * mm)
BIN_SIZE = (100 * mm, 50 * mm)
CARTON_SIZE = layout.LABEL_4X6


def sku_symbol(sku: str, gtin: str | None) -> tuple[str, str, str]:
    """(symbology, modules, human-readable text): EAN-13 for a GTIN, Code 128 of the SKU else."""
    if gtin:
        digits = barcodes.normalize_gtin(gtin).zfill(14)
        if digits[0] == "0" and len(gtin) != 8:
            return "EAN-13", barcodes.ean13_modules(gtin), digits[1:]
        return "GS1-128", barcodes.gs1_128_modules("01" + digits), f"(01){digits}"
    return "Code 128", barcodes.code128_modules(sku, field="sku"), sku


def _sku_page(c: Any, item: SkuLabel) -> None:
    w, h = SKU_SIZE
    _, modules, caption = sku_symbol(item.sku, item.gtin)
    layout.text(c, 3 * mm, h - 6 * mm, item.sku, size=9, bold=True, width=w - 6 * mm)
    layout.text(c, 3 * mm, h - 10 * mm, item.name, size=7, width=w - 6 * mm)
    layout.barcode_block(c, modules, caption, cx=w / 2, y=8 * mm, height=h - 21 * mm,
                         max_width=w - 2 * mm, caption_size=8)


def render_sku_labels(items: Iterable[SkuLabel | dict]) -> bytes:
    """60 x 40 mm SKU labels, each repeated `copies` times."""
    pages = [parse(SkuLabel, i) for i in items]
    flat = [p for p in pages for _ in range(p.copies)]
    return layout.render_pages(flat, _sku_page, pagesize=SKU_SIZE, title="SKU labels")


def _bin_page(c: Any, item: BinLabel) -> None:
    w, h = BIN_SIZE
    layout.text(c, w / 2, h - 14 * mm, item.code, size=30, bold=True, align="center",
                width=w - 6 * mm)
    sub = " · ".join(p for p in (item.warehouse, item.zone) if p)
    if sub:
        layout.text(c, w / 2, h - 19 * mm, sub, size=8, align="center", width=w - 6 * mm)
    modules = barcodes.code128_modules(item.code, field="code")
    dots = barcodes.module_dots(modules, w - 4 * mm)
    barcodes.draw_centered(c, modules, cx=w / 2, y=4 * mm, height=h - 26 * mm, dots=dots)


def render_bin_labels(items: Iterable[BinLabel | dict]) -> bytes:
    """100 x 50 mm bin-location labels: the code big, Code 128 beneath."""
    pages = [parse(BinLabel, i) for i in items]
    return layout.render_pages(pages, _bin_page, pagesize=BIN_SIZE, title="Bin labels")


def sscc_text(sscc: str) -> str:
    """Human-readable interpretation of an SSCC under AI (00)."""
    return f"(00) {sscc}"


def _carton_page(c: Any, item: CartonLabel) -> None:
    w, h = CARTON_SIZE
    left, inner = 4 * mm, w - 8 * mm
    y = h - 10 * mm
    layout.text(c, left, y, "FROM", size=7, bold=True)
    layout.text(c, left + 12 * mm, y, item.ship_from.name, size=9, width=inner - 12 * mm)
    layout.paragraph(c, left + 12 * mm, y - 11, item.ship_from.address, size=7,
                     width=inner - 12 * mm, max_lines=2)
    y -= 12 * mm
    layout.text(c, left, y, "TO", size=7, bold=True)
    layout.text(c, left + 12 * mm, y, item.ship_to.name, size=11, width=inner - 12 * mm)
    layout.paragraph(c, left + 12 * mm, y - 12, item.ship_to.address, size=8,
                     width=inner - 12 * mm, max_lines=2)
    y -= 13 * mm
    layout.hline(c, left, w - left, y)
    layout.text(c, left, y - 12, f"SSCC {item.sscc}", size=11, bold=True)
    layout.text(c, left, y - 24, f"Ref {item.reference}   Carton {item.carton.index}/"
                f"{item.carton.count}   {layout.weight_text(item.weight_g)}", size=9, width=inner)
    y -= 30
    for line in item.lines[:8]:
        exp = line.expiry.isoformat() if line.expiry else ""
        layout.text(c, left, y - 10, f"{line.qty} x {line.sku}  {line.lot}  {exp}", size=8,
                    width=inner)
        y -= 10
    modules = barcodes.sscc_modules(item.sscc)
    layout.barcode_block(c, modules, sscc_text(item.sscc), cx=w / 2, y=14 * mm, height=30 * mm,
                         max_width=inner, caption_size=11)


def render_carton_labels(items: Iterable[CartonLabel | dict]) -> bytes:
    """GS1-128 carton/pallet labels (100 x 150 mm) with the SSCC under AI (00)."""
    pages = [parse(CartonLabel, i) for i in items]
    return layout.render_pages(pages, _carton_page, pagesize=CARTON_SIZE, title="Carton labels")
