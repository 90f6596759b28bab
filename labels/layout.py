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
    return all(ord(ch) < 128 for ch in text)


def font_for(text: str, *, bold: bool = False) -> str:
    """Helvetica for plain ASCII (crisper), the CJK font as soon as anything else appears."""
    if is_ascii(text):
        return fonts.LATIN_BOLD if bold else fonts.LATIN
    return fonts.register()


def text(c: Any, x: float, y: float, value: str, *, size: float = 9, bold: bool = False,
         width: float | None = None, align: str = "left", min_size: float = 5) -> float:
    """Draw one line; too wide for `width`, it shrinks (to `min_size`), then is cut.

    Shrinking keeps contract fields whole, so the text read back from the PDF is the value
    given. Returns the size used.
    """
    font = font_for(value, bold=bold)
    if width is not None:
        need = fonts.text_width(value, font, size)
        if need > width:
            size = max(min_size, size * width / need * 0.999)
            value = fonts.fit(value, font, size, width)
    c.setFont(font, size)
    if align == "center":
        c.drawCentredString(x, y, value)
    elif align == "right":
        c.drawRightString(x, y, value)
    else:
        c.drawString(x, y, value)
    return size


def block(c: Any, x: float, y: float, value: str, *, size: float, width: float,
          min_size: float = 7, max_lines: int = 3) -> float:
    """One line shrunk to fit when it can be read at `min_size`, else wrapped; returns the
    baseline below the last line."""
    font = font_for(value)
    need = fonts.text_width(value, font, size)
    if need <= width or need * min_size / size <= width:
        used = text(c, x, y, value, size=size, width=width, min_size=min_size)
        return y - used * 1.2
    return paragraph(c, x, y, value, size=min_size, width=width, max_lines=max_lines)


def paragraph(c: Any, x: float, y: float, value: str, *, size: float, width: float,
              max_lines: int = 3, leading: float = 1.2) -> float:
    """Draw wrapped text downwards from baseline `y`; returns the baseline after the last line."""
    font = font_for(value)
    c.setFont(font, size)
    for line in fonts.wrap(value, font, size, width, max_lines=max_lines):
        c.drawString(x, y, line)
        y -= size * leading
    return y


def hline(c: Any, x0: float, x1: float, y: float, *, width: float = 0.8) -> None:
    c.setLineWidth(width)
    c.line(x0, y, x1, y)


def barcode_block(c: Any, modules: str, caption: str, *, cx: float, y: float, height: float,
                  max_width: float, preferred_dots: int = 3, min_dots: int = 2,
                  caption_size: float = 10) -> float:
    """Bars centred on `cx` with their bottom at `y`, caption beneath; returns the bottom used."""
    dots = barcodes.module_dots(modules, max_width, preferred=preferred_dots, minimum=min_dots)
    barcodes.draw_centered(c, modules, cx=cx, y=y, height=height, dots=dots)
    text(c, cx, y - caption_size - 1, caption, size=caption_size, bold=True, align="center")
    return y - caption_size - 3


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
