"""Fonts for labels: ReportLab's built-in CJK font (no file to ship), registered once."""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK = "STSong-Light"  # Adobe-GB1 CID font: every PDF viewer and pdfium have a substitute
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"


@cache
def register() -> str:
    """Register the CJK font with ReportLab (idempotent) and return its name."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return CJK


def text_width(text: str, font: str, size: float) -> float:
    """Width in points of `text` set in `font` at `size`."""
    return pdfmetrics.stringWidth(text, font, size)


def fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` (adding an ellipsis) so that it fits `width` points."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, font: str, size: float, width: float, *, max_lines: int = 3) -> list[str]:
    """Break `text` into lines that fit `width`; works for CJK (no spaces) and Latin alike."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if text_width(current + ch, font, size) <= width:
            current += ch
            continue
        cut = current.rfind(" ")
        if cut > 0 and not ch.isspace():  # break Latin words at the last space
            lines.append(current[:cut])
            current = current[cut + 1 :] + ch
        else:
            lines.append(current)
            current = ch.lstrip()
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [fit("".join(lines[max_lines - 1 :]), font, size, width)]
    return lines
