"""Fonts for labels: ReportLab's built-in CJK font (no file to ship), registered once, and the
fitting of text to a width or a box, for any font whose widths a `Measure` gives."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK = "STSong-Light"  # Adobe-GB1 CID font: every PDF viewer and pdfium have a substitute
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
LEADING = 1.2  # line pitch as a multiple of the font size

Measure = Callable[[str, float], float]  # width in points of a text at a font size


@cache
def register() -> str:
    """Register the CJK font with ReportLab (idempotent) and return its name."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return CJK


@cache
def measure(font: str) -> Measure:
    """The width function of a ReportLab font."""
    return lambda text, size: pdfmetrics.stringWidth(text, font, size)


def fit(text: str, width_of: Measure, size: float, width: float) -> str:
    """Cut `text` (adding an ellipsis) so that it fits `width` points: the longest prefix that
    does, found by halving (widths only add up), where cutting a character at a time measured
    a 100,000-character name for minutes."""
    if width_of(text, size) <= width:
        return text
    fits, too_long = 0, len(text)  # text[:too_long] + "…" is known not to fit
    while too_long - fits > 1:
        mid = (fits + too_long) // 2
        if width_of(text[:mid] + "…", size) <= width:
            fits = mid
        else:
            too_long = mid
    return text[:fits] + "…"


def shrink(text: str, width_of: Measure, size: float, width: float,
           min_size: float) -> tuple[float, str]:
    """(size, text) that fit `width`: shrunk down to `min_size`, and only then cut."""
    need = width_of(text, size)
    if need <= width:
        return size, text
    size = max(min_size, size * width / need * 0.999)
    return size, fit(text, width_of, size, width)


def _wide(ch: str) -> bool:
    """A CJK (full-width) character: a line may break before it."""
    return unicodedata.east_asian_width(ch) in "WF"


def wrap(text: str, width_of: Measure, size: float, width: float, *,
         max_lines: int | None = 3) -> list[str]:
    """Break `text` into lines that fit `width`; works for CJK (no spaces) and Latin alike.

    Latin words break at a space; CJK may break before any character, so a space before a CJK
    run never pushes the whole run down a line. Past `max_lines` the last line is cut.
    """
    widths = [width_of(ch, size) for ch in text]  # no kerning: widths simply add up
    lines: list[str] = []
    start, used, last_space = 0, 0.0, -1
    for i, (ch, w) in enumerate(zip(text, widths, strict=True)):
        if used + w > width and i > start:
            if last_space > start and not ch.isspace() and not _wide(ch):  # in a Latin word
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
    if max_lines is not None and len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1:])
        lines = lines[: max_lines - 1] + [fit(rest, width_of, size, width)]
    return lines


@dataclass(frozen=True)
class Block:
    """Text set at one size and broken into lines: what a fitted name or address prints."""

    size: float
    lines: tuple[str, ...]

    @property
    def pitch(self) -> float:
        return self.size * LEADING

    @property
    def height(self) -> float:
        return len(self.lines) * self.pitch


def fit_block(text: str, width_of: Measure, *, size: float, min_size: float, width: float,
              max_lines: int | None = None) -> Block:
    """`text` in `width` as large as it reads well: one line shrunk down to `min_size` when it
    fits there, else wrapped at `min_size` (whole unless `max_lines` is given)."""
    need = width_of(text, size)
    if need <= width:
        return Block(size, (text,))
    if need * min_size / size <= width:
        return Block(size * width / need * 0.999, (text,))
    return Block(min_size, tuple(wrap(text, width_of, min_size, width, max_lines=max_lines)))
