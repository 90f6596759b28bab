"""ZPL II building blocks for 203 dpi (8 dots/mm) Zebra printers, UTF-8 text via ^CI28, and a
`Page` that turns a label layout drawn in PDF points into ZPL fields."""

from __future__ import annotations

import math
from collections.abc import Sequence

from labels import barcodes, fonts
from labels.layout import is_ascii, measure_for

DOTS_PER_MM = 8
DOTS_PER_PT = barcodes.DPI / 72
CJK_FONT = "E:ANMDS.TTF"  # Zebra's Andale simplified-Chinese font, mapped to font 1 by ^CW
ASCENT = 0.8  # share of a text line above its baseline: ^FO places the top, PDF the baseline
NARROW = 0.6  # estimated advance of an ASCII character in character widths (Andale Mono)


def text_width(value: str, size: float) -> float:
    """Estimated printed width of `value` at character size `size` (points or dots): the printer
    has its own fonts, so count ASCII at 0.6 of the size and anything else (CJK) at full size."""
    wide = sum(1 for ch in value if not ch.isascii())
    return size * (wide + NARROW * (len(value) - wide))


def field_data(value: str) -> str:
    """Escape a field with ^FH_ so that ^, ~ and _ in the data cannot end or start a command."""
    out = value.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")
    return f"^FH_^FD{out}^FS"


def _data(parts: Sequence[str], *, block: bool) -> str:
    """Field text on one printed line each; in a ^FB block \\& breaks a line, so a backslash in
    the text is doubled there."""
    flat = [" ".join(part.splitlines()) for part in parts]  # a newline in data is no break
    return "\\&".join(p.replace("\\", "\\\\") for p in flat) if block else flat[0]


def text(x: int, y: int, value: str | Sequence[str], *, height: int = 30,
         width: int | None = None, block_width: int | None = None, lines: int = 1,
         spacing: int = 0) -> str:
    """A text field at (x, y) dots; CJK text uses the mapped TrueType font 1. With a block
    width it is a left-justified ^FB block of `lines` lines (a sequence: one each), `spacing`
    dots apart."""
    parts = [value] if isinstance(value, str) else list(value)
    font = "^A0N" if all(is_ascii(p) for p in parts) else "^A1N"
    block = f"^FB{block_width},{lines},{spacing},L,0" if block_width else ""
    data = _data(parts, block=bool(block_width))
    return f"^FO{x},{y}{font},{height},{width or height}{block}{field_data(data)}"


def code128(x: int, y: int, value: str, *, module: int = 3, height: int = 160,
            interpretation: bool = True) -> str:
    """Code 128 (^BC) in automatic mode (the printer picks subsets, full ASCII allowed)."""
    line = "Y" if interpretation else "N"
    return f"^FO{x},{y}^BY{module}^BCN,{height},{line},N,N,A{field_data(value)}"


def box(x: int, y: int, w: int, h: int, *, thickness: int = 2) -> str:
    return f"^FO{x},{y}^GB{w},{h},{thickness}^FS"


def document(body: list[str], *, width_mm: int = 100, length_mm: int = 150) -> str:
    """Wrap fields into one label: ^XA, UTF-8 (^CI28), size, CJK font mapping ... ^XZ."""
    head = [
        "^XA",
        "^CI28",
        f"^CW1,{CJK_FONT}",
        f"^PW{width_mm * DOTS_PER_MM}",
        f"^LL{length_mm * DOTS_PER_MM}",
        "^LH0,0",
    ]
    return "\n".join([*head, *body, "^XZ"]) + "\n"


def dots(pt: float) -> int:
    return round(pt * DOTS_PER_PT)


class Page:
    """The calls of layout.PdfPage, in PDF points from the bottom-left, written as ZPL fields:
    the ZPL form of a label is the PDF's layout, so it carries the same content."""

    def __init__(self, height: float) -> None:
        self.height = height
        self.fields: list[str] = []

    def _top(self, y: float, size: float) -> int:
        return dots(self.height - y - ASCENT * size)

    def text(self, x: float, y: float, value: str, *, size: float = 9, bold: bool = False,
             width: float | None = None, align: str = "left", min_size: float = 5) -> float:
        """One line as layout.text draws it, shrunk (then narrowed) to fit by the printer's widths;
        right and centre alignment place its left end by the estimated width. Not a ^FB block:
        the widths are estimates, and a block a little too narrow wraps and overprints its one
        line, where a field a little too wide only runs on into the margin."""
        if width is not None:  # the PDF's words: what it cuts is cut here too, no more
            value = fonts.shrink(value, measure_for(value, bold=bold), size, width, min_size)[1]
        if not value:
            return size
        if width is not None:
            size = fonts.shrink(value, text_width, size, width, min_size)[0]
        height = int(size * DOTS_PER_PT)  # rounded down: never wider than the fit in points
        # still too wide at the smallest size (the printer's font is estimated wider than the
        # PDF's): narrower characters, so the field prints whole as it does in the PDF
        need = text_width(value, height)
        char_w = height if width is None or need <= width * DOTS_PER_PT else int(
            height * width * DOTS_PER_PT / need)
        box_w = math.ceil(text_width(value, height) * char_w / height)
        shift = {"left": 0, "center": box_w / 2, "right": box_w}[align] / DOTS_PER_PT
        self.fields.append(text(dots(x - shift), self._top(y, size), value, height=height,
                                width=char_w))
        return size

    def lines(self, x: float, y: float, block: fonts.Block, *, width: float) -> float:
        """A fitted block as one ^FB field of its lines, each at the PDF's line break and pitch;
        the characters are narrowed should the printer's font run wider than the PDF's."""
        height, pitch = int(block.size * DOTS_PER_PT), int(block.pitch * DOTS_PER_PT)
        block_w = int(width * DOTS_PER_PT)
        need = max(text_width(line, height) for line in block.lines)
        char_w = height if need <= block_w else int(height * block_w / need)
        self.fields.append(text(dots(x), self._top(y, block.size), block.lines,
                                height=height, width=char_w, block_width=block_w,
                                lines=len(block.lines), spacing=pitch - height))
        return y - (len(block.lines) - 1) * block.pitch

    def hline(self, x0: float, x1: float, y: float) -> None:
        self.fields.append(box(dots(x0), dots(self.height - y) - 1, dots(x1 - x0), 2))

    def barcode(self, value: str, modules: str, *, cx: float, y: float, height: float,
                max_width: float, caption_size: float, field: str = "value") -> None:
        """^BC where layout.barcode_block draws the bars (same module width), caption beneath."""
        module = barcodes.module_dots(modules, max_width, field=field)
        left = barcodes.snap(cx - barcodes.width_pt(modules, module) / 2)
        self.fields.append(code128(dots(left), dots(self.height - y - height), value,
                                   module=module, height=dots(height), interpretation=False))
        self.text(cx, y - caption_size - 1, value, size=caption_size, bold=True, align="center",
                  width=max_width)

    def document(self) -> str:
        return document(self.fields)
