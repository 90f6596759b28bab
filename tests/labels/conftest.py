"""Shared helpers for label tests: render a PDF at 203 dpi and decode barcodes; read text back."""

from __future__ import annotations

import io
import json
from datetime import date
from types import SimpleNamespace

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

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


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height))
            for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def parcel() -> dict:
    return example_parcel()


@pytest.fixture
def pdf() -> SimpleNamespace:
    """Read-back helpers (no test imports conftest directly)."""
    return SimpleNamespace(decode=decode_pages, sizes=page_sizes, texts=page_texts,
                           printed_on=PRINT_DATE)
