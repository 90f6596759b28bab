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
    widths = [text_width(ch, font, size) for ch in text]  # no kerning: widths simply add up
    lines: list[str] = []
    start, used, last_space = 0, 0.0, -1
    for i, (ch, w) in enumerate(zip(text, widths, strict=True)):
        if used + w > width and i > start:
            if last_space > start and not ch.isspace():  # break Latin words at a space
                lines.append(text[start:last_space])
                start = last_space + 1
            else:
                lines.append(text[start:i])
                start = i + 1 if ch.isspace() else i
            used = sum(widths[start:i + 1]) if start <= i else 0.0
            last_space = -1
        else:
            used += w
        if ch.isspace():
            last_space = i
    if start < len(text):
        lines.append(text[start:])
    lines = [ln.strip() for ln in lines if ln.strip()]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [fit(" ".join(lines[max_lines - 1 :]), font, size, width)]
    return lines
