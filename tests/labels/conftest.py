"""Shared helpers for label tests: render a PDF at 203 dpi and decode barcodes; read text back."""

from __future__ import annotations

import ctypes
import io
import json
import math
import re
from datetime import date
from types import SimpleNamespace

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from PIL import Image

from labels import barcodes
from tests.builders import EXAMPLES

PRINT_DATE = date(2026, 11, 23)
DPI = 203


def example_parcel() -> dict:
    return json.loads((EXAMPLES / "parcel.json").read_text(encoding="utf-8"))


def _name(fmt: object) -> str:
    """'Code 128' / 'BarcodeFormat.EAN13' -> 'Code128' / 'EAN13'."""
    return str(fmt).split(".")[-1].replace(" ", "").replace("-", "")


def decode_pages(pdf: bytes, *, dpi: int = DPI) -> list[list[tuple[str, str]]]:
    """(format, text) of every barcode found on each page rendered at `dpi`."""
    doc = pdfium.PdfDocument(pdf)
    out = []
    for page in doc:
        image = page.render(scale=dpi / 72).to_pil().convert("L")
        found = zxingcpp.read_barcodes(image)
        out.append([(_name(r.format), r.text) for r in found])
    return out


def exact_image(pdf: bytes, *, dpi: int = DPI) -> Image.Image:
    """The first page in grey at exactly `dpi`, as pdftoppm or a printer draws it: pypdfium2's
    own render stretches the page over a whole number of pixels (799.2 dots over 800)."""
    page = pdfium.PdfDocument(pdf)[0]
    scale = dpi / 72
    w, h = math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale)
    bitmap = pdfium_c.FPDFBitmap_Create(w, h, 0)
    try:
        pdfium_c.FPDFBitmap_FillRect(bitmap, 0, 0, w, h, 0xFFFFFFFF)
        matrix, clip = pdfium_c.FS_MATRIX(scale, 0, 0, scale, 0, 0), pdfium_c.FS_RECTF(0, 0, w, h)
        pdfium_c.FPDF_RenderPageBitmapWithMatrix(bitmap, page.raw, ctypes.byref(matrix),
                                                 ctypes.byref(clip), 0)
        stride = pdfium_c.FPDFBitmap_GetStride(bitmap)
        data = ctypes.string_at(pdfium_c.FPDFBitmap_GetBuffer(bitmap), stride * h)
        return Image.frombuffer("RGBA", (w, h), data, "raw", "BGRA", stride, 1).convert("L")
    finally:
        pdfium_c.FPDFBitmap_Destroy(bitmap)


def decode_exact(pdf: bytes) -> list[str]:
    """Text of every barcode found on the first page drawn at exactly 203 dpi."""
    return [r.text for r in zxingcpp.read_barcodes(exact_image(pdf))]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height))
            for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def page_boxes(pdf: bytes) -> tuple[list[tuple[str, Box]], list[Box]]:
    """First page: (text, box) of each run of text pdfium finds, and the boxes of drawn paths
    (rules, barcode bars), in points from the bottom-left."""
    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    texts = []
    for i in range(textpage.count_rects()):
        box = textpage.get_rect(i)
        texts.append((textpage.get_text_bounded(*box), box))
    paths = [o.get_bounds() for o in page.get_objects() if o.type == pdfium_c.FPDF_PAGEOBJ_PATH]
    return texts, paths


_FIELD = re.compile(r"\^FO(\d+),(\d+)(.*)\^FS$")
_TEXT = re.compile(r"\^A[01]N,(\d+),(\d+)(?:\^FB(\d+),(\d+),(-?\d+),[LCR],0)?\^FH_\^FD(.*)")


def zpl_width(line: str, char_w: int) -> float:
    """Printed width estimate in dots: Andale Mono's ASCII advance is 0.6 of the character
    width, CJK a full width (the printer's fonts cannot be measured here)."""
    return char_w * sum(0.6 if ch.isascii() else 1.0 for ch in line)


def _unescape(data: str) -> list[str]:
    data = data.replace("_5E", "^").replace("_7E", "~").replace("_5F", "_")
    return [line.replace("\\\\", "\\") for line in data.split("\\&")]


def zpl_fields(label: str) -> list[dict]:
    """Each ^FO field of a ZPL label with its box in dots (x0, y0, x1, y1; y down), its text
    lines, and for text the estimated width of its widest line against the width it has."""
    out = []
    for line in label.splitlines():
        m = _FIELD.match(line)
        if not m:
            continue
        x, y, rest = int(m[1]), int(m[2]), m[3]
        if rest.startswith("^GB"):
            w, h, _ = map(int, rest[3:].split(","))
            out.append({"kind": "rule", "box": (x, y, x + w, y + h), "lines": []})
        elif bc := re.match(r"\^BY(\d+)\^BCN,(\d+),.*\^FD(.*)", rest):
            value = _unescape(bc[3])[0]
            width = len(barcodes.code128_modules(value)) * int(bc[1])
            out.append({"kind": "barcode", "box": (x, y, x + width, y + int(bc[2])),
                        "lines": [value]})
        else:
            t = _TEXT.match(rest)
            height, char_w = int(t[1]), int(t[2])
            lines = _unescape(t[6])
            need = max(zpl_width(ln, char_w) for ln in lines)
            room = int(t[3]) if t[3] else 800 - x
            width = room if t[3] else need
            count = int(t[4]) if t[4] else 1
            spacing = int(t[5]) if t[5] else 0
            out.append({"kind": "text", "lines": lines, "need": need, "room": room,
                        "line_count": count,
                        "box": (x, y, x + width, y + count * height + (count - 1) * spacing)})
    return out


@pytest.fixture
def parcel() -> dict:
    return example_parcel()


@pytest.fixture
def pdf() -> SimpleNamespace:
    """Read-back helpers (no test imports conftest directly)."""
    return SimpleNamespace(decode=decode_pages, decode_exact=decode_exact, sizes=page_sizes,
                           texts=page_texts, boxes=page_boxes, printed_on=PRINT_DATE)


@pytest.fixture
def zpl_label() -> SimpleNamespace:
    return SimpleNamespace(fields=zpl_fields)
