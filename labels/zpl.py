"""ZPL II building blocks for 203 dpi (8 dots/mm) Zebra printers, UTF-8 text via ^CI28."""

from __future__ import annotations

from labels.layout import is_ascii

DOTS_PER_MM = 8
CJK_FONT = "E:ANMDS.TTF"  # Zebra's Andale simplified-Chinese font, mapped to font 1 by ^CW


def field_data(value: str) -> str:
    """Escape a field with ^FH_ so that ^, ~ and _ in the data cannot end or start a command."""
    out = value.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")
    return f"^FH_^FD{out}^FS"


def text(x: int, y: int, value: str, *, height: int = 30, width: int | None = None,
         block_width: int | None = None, lines: int = 1) -> str:
    """A text field at (x, y) dots; CJK text uses the mapped TrueType font 1."""
    font = "^A0N" if is_ascii(value) else "^A1N"
    block = f"^FB{block_width},{lines},0,L,0" if block_width else ""
    return f"^FO{x},{y}{font},{height},{width or height}{block}{field_data(value)}"


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
