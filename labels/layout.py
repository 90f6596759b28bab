"""Small drawing helpers shared by the label and document renderers (ReportLab canvas)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from labels import barcodes, fonts

LABEL_4X6 = (100 * mm, 150 * mm)
A4 = (210 * mm, 297 * mm)


def new_canvas(buf: io.BytesIO, pagesize: tuple[float, float], *, title: str) -> Any:
    """A byte-stable canvas (invariant=1: no timestamp, fixed document id)."""
    fonts.register()
    c = rl_canvas.Canvas(buf, pagesize=pagesize, invariant=1, pageCompression=0)
    c.setTitle(title)
    c.setCreator("fulfilment labels")
    return c


def render_pages(items: Iterable[Any], draw_page: Callable[[Any, Any], None], *,
                 pagesize: tuple[float, float], title: str) -> bytes:
    """One page per item into one PDF; at least one (blank) page so the file is valid."""
    buf = io.BytesIO()
    c = new_canvas(buf, pagesize, title=title)
    pages = 0
    for item in items:
        draw_page(c, item)
        c.showPage()
        pages += 1
    if pages == 0:
        c.showPage()
    c.save()
    return buf.getvalue()


def is_ascii(text: str) -> bool:
    return text.isascii()


def font_for(text: str, *, bold: bool = False) -> str:
    """Helvetica for plain ASCII (crisper), the CJK font as soon as anything else appears."""
    if is_ascii(text):
        return fonts.LATIN_BOLD if bold else fonts.LATIN
    return fonts.register()


def measure_for(text: str, *, bold: bool = False) -> fonts.Measure:
    """The width function of the font `text` is drawn in."""
    return fonts.measure(font_for(text, bold=bold))


def text(c: Any, x: float, y: float, value: str, *, size: float = 9, bold: bool = False,
         width: float | None = None, align: str = "left", min_size: float = 5) -> float:
    """Draw one line; too wide for `width`, it shrinks (to `min_size`), then is cut.

    Shrinking keeps contract fields whole, so the text read back from the PDF is the value
    given. Returns the size used.
    """
    font = font_for(value, bold=bold)
    if width is not None:
        size, value = fonts.shrink(value, fonts.measure(font), size, width, min_size)
    c.setFont(font, size)
    if align == "center":
        c.drawCentredString(x, y, value)
    elif align == "right":
        c.drawRightString(x, y, value)
    else:
        c.drawString(x, y, value)
    return size


def lines(c: Any, x: float, y: float, block: fonts.Block) -> float:
    """Draw a fitted block's lines downwards from baseline `y`; returns the last baseline."""
    c.setFont(font_for("".join(block.lines)), block.size)
    for i, line in enumerate(block.lines):
        c.drawString(x, y - i * block.pitch, line)
    return y - (len(block.lines) - 1) * block.pitch


def paragraph(c: Any, x: float, y: float, value: str, *, size: float, width: float,
              max_lines: int = 3, leading: float = fonts.LEADING) -> float:
    """Draw wrapped text downwards from baseline `y`; returns the baseline after the last line."""
    font = font_for(value)
    c.setFont(font, size)
    for line in fonts.wrap(value, fonts.measure(font), size, width, max_lines=max_lines):
        c.drawString(x, y, line)
        y -= size * leading
    return y


def hline(c: Any, x0: float, x1: float, y: float, *, width: float = 0.8) -> None:
    c.setLineWidth(width)
    c.line(x0, y, x1, y)


def barcode_block(c: Any, modules: str, caption: str, *, cx: float, y: float, height: float,
                  max_width: float, preferred_dots: int = 3, min_dots: int = 2,
                  caption_size: float = 10, field: str = "value") -> float:
    """Bars centred on `cx` with their bottom at `y`, caption beneath; returns the bottom used."""
    dots = barcodes.module_dots(modules, max_width, preferred=preferred_dots, minimum=min_dots,
                                field=field)
    barcodes.draw_centered(c, modules, cx=cx, y=y, height=height, dots=dots)
    text(c, cx, y - caption_size - 1, caption, size=caption_size, bold=True, align="center")
    return y - caption_size - 3


class PdfPage:
    """A canvas behind the calls a label layout makes; zpl.Page answers the same calls with ZPL,
    so one layout gives both forms of a label."""

    def __init__(self, c: Any) -> None:
        self.c = c

    def text(self, x: float, y: float, value: str, *, size: float = 9, bold: bool = False,
             width: float | None = None, align: str = "left", min_size: float = 5) -> float:
        return text(self.c, x, y, value, size=size, bold=bold, width=width, align=align,
                    min_size=min_size)

    def lines(self, x: float, y: float, block: fonts.Block, *, width: float) -> float:
        return lines(self.c, x, y, block)

    def hline(self, x0: float, x1: float, y: float) -> None:
        hline(self.c, x0, x1, y)

    def barcode(self, value: str, modules: str, *, cx: float, y: float, height: float,
                max_width: float, caption_size: float, field: str = "value") -> None:
        barcode_block(self.c, modules, value, cx=cx, y=y, height=height, max_width=max_width,
                      caption_size=caption_size, field=field)


def mask_phone(phone: str) -> str:
    """Mask the middle of a phone number: 13812345678 -> 138****5678 (digits only kept)."""
    digits = re.sub(r"\D", "", phone)
    prefix = ""
    if len(digits) == 13 and digits.startswith("86"):
        prefix, digits = "+86 ", digits[2:]
    if len(digits) >= 8:
        return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return prefix + "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def weight_text(grams: int) -> str:
    """Grams as kilograms with three decimals, exactly (no float)."""
    return f"{grams // 1000}.{grams % 1000:03d} kg"


def money(minor: int, currency: str) -> str:
    """Minor units (fen, cents) as a two-decimal amount, exactly."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100:,}.{minor % 100:02d} {currency}"
