"""Barcode module strings (python-barcode) and vector drawing snapped to 203 dpi printer dots.

A module string is '1' for a dark module and '0' for a light one. Bars are drawn as filled
rectangles whose edges fall on whole printer dots, so a 203 dpi thermal head (or a renderer at
203 dpi) reproduces every bar width exactly and the symbol decodes.
"""

from __future__ import annotations

import math
from typing import Any

import barcode
from barcode.codex import Gs1_128

from labels.errors import BarcodeError

DPI = 203
DOT_PT = 72 / DPI  # one printer dot in PDF points
QUIET_MODULES = 10  # quiet zone each side, in modules (Code 128 / GS1-128 minimum)


def gs1_check_digit(digits: str) -> str:
    """GS1 mod-10 check digit for a string of digits (GTIN, SSCC without its last digit)."""
    if not digits.isdigit():
        raise BarcodeError([{"field": "digits", "reason": "must be digits only"}])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def sscc(*, extension: int, company_prefix: str, serial: int) -> str:
    """Build an SSCC-18: extension digit + GS1 company prefix + serial reference + check digit."""
    if not 0 <= extension <= 9:
        raise BarcodeError([{"field": "extension", "reason": "must be one digit 0-9"}])
    if not company_prefix.isdigit() or not 6 <= len(company_prefix) <= 12:
        raise BarcodeError([{"field": "company_prefix", "reason": "must be 6-12 digits"}])
    width = 16 - len(company_prefix)
    if not 0 <= serial < 10**width:
        raise BarcodeError([{"field": "serial", "reason": f"must fit {width} digits"}])
    body = f"{extension}{company_prefix}{serial:0{width}d}"
    return body + gs1_check_digit(body)


def is_valid_sscc(value: str) -> bool:
    """True when `value` is 18 digits with a correct GS1 check digit."""
    return len(value) == 18 and value.isdigit() and gs1_check_digit(value[:-1]) == value[-1]


_FOLDABLE = {100: 104, 101: 103}  # in code set C: CODE B / CODE A right after START C


class _Code128(barcode.Code128):
    """python-barcode 0.16 folds START C + 99 into one start even when 99 is the data pair
    "99" (so "99123456" loses its "99"). Fold only a real code-set switch."""

    def _try_to_optimize(self, encoded: list[int]) -> list[int]:
        if len(encoded) > 1 and encoded[0] == 105 and encoded[1] in _FOLDABLE:
            encoded[:2] = [_FOLDABLE[encoded[1]]]
        return encoded


class _Gs1_128(Gs1_128):  # noqa: N801 - mirrors python-barcode's name
    _try_to_optimize = _Code128._try_to_optimize


def _decode_values(values: list[int]) -> str:
    """Read Code 128 symbol values back to text (FNC1 as \xf1): the encoder's self-check."""
    sets = {103: "A", 104: "B", 105: "C"}
    charset, out = sets[values[0]], []
    for v in values[1:]:
        if v == 102:
            out.append("\xf1")
        elif charset == "C" and v < 100:
            out.append(f"{v:02d}")
        elif charset != "C" and v < 96:
            out.append(chr(32 + v) if charset == "B" or v < 64 else chr(v - 64))
        elif v == 99:
            charset = "C"
        elif v == 100 and charset != "B":
            charset = "B"
        elif v == 101 and charset != "A":
            charset = "A"
        else:
            raise ValueError(f"unexpected symbol value {v} in code set {charset}")
    return "".join(out)


def _checked(symbol: barcode.Code128, expected: str, field: str) -> str:
    values = symbol._build()  # a fresh object: _build() keeps state between calls
    if _decode_values(values) != expected:
        raise BarcodeError([{"field": field, "reason": "could not be encoded exactly"}])
    return _modules(values)


def _modules(values: list[int]) -> str:
    from barcode.charsets import code128

    checksum = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    return "".join(code128.CODES[v] for v in [*values, checksum]) + code128.STOP + "11"


def code128_modules(value: str, *, field: str = "value") -> str:
    """Code 128 module string (start, data, check, stop) for printable ASCII `value`."""
    if not value or len(value) > 48:
        raise BarcodeError([{"field": field, "reason": "must be 1-48 characters"}])
    if any(not 32 <= ord(ch) <= 126 for ch in value):
        raise BarcodeError([{"field": field, "reason": "must be printable ASCII for Code 128"}])
    return _checked(_Code128(value), value, field)


def normalize_gtin(gtin: str, *, field: str = "gtin") -> str:
    """Validate a GTIN-8/12/13/14 check digit and return the digits unchanged."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        raise BarcodeError([{"field": field, "reason": "GTIN must be 8, 12, 13 or 14 digits"}])
    if gs1_check_digit(gtin[:-1]) != gtin[-1]:
        raise BarcodeError([{"field": field, "reason": "GTIN check digit is wrong"}])
    return gtin


def ean13_modules(gtin: str, *, field: str = "gtin") -> str:
    """EAN-13 module string (guards included) for a GTIN-13, or a GTIN-12/14 with a leading 0."""
    digits = normalize_gtin(gtin, field=field).zfill(14)
    if len(gtin) == 8 or digits[0] != "0":
        raise BarcodeError([{"field": field, "reason": "not representable as EAN-13"}])
    return barcode.EAN13(digits[1:]).build()[0]


def gs1_128_modules(element_string: str, *, field: str = "value") -> str:
    """GS1-128 module string (FNC1 after start) for an element string such as '00' + SSCC."""
    if not element_string.isdigit():
        raise BarcodeError([{"field": field, "reason": "element string must be digits"}])
    return _checked(_Gs1_128(element_string), "\xf1" + element_string, field)


def sscc_modules(value: str, *, field: str = "sscc") -> str:
    """GS1-128 module string for an SSCC-18 under application identifier (00)."""
    if not is_valid_sscc(value):
        raise BarcodeError([{"field": field, "reason": "SSCC must be 18 digits with GS1 check"}])
    return gs1_128_modules("00" + value, field=field)


def runs(modules: str) -> list[tuple[int, int]]:
    """(start, length) of each dark bar in a module string."""
    out: list[tuple[int, int]] = []
    start = -1
    for i, m in enumerate(modules + "0"):
        if m == "1" and start < 0:
            start = i
        elif m != "1" and start >= 0:
            out.append((start, i - start))
            start = -1
    return out


def snap(x: float) -> float:
    """Round a coordinate in points to the nearest whole printer dot."""
    return round(x / DOT_PT) * DOT_PT


def module_dots(modules: str, max_width_pt: float, *, preferred: int = 3, minimum: int = 2,
                field: str = "value") -> int:
    """Widest module (in dots, <= preferred) whose symbol plus quiet zones fits `max_width_pt`;
    refused naming `field` when none does."""
    total = len(modules) + 2 * QUIET_MODULES
    for dots in range(preferred, minimum - 1, -1):
        if total * dots * DOT_PT <= max_width_pt:
            return dots
    raise BarcodeError([{"field": field, "reason": "too long to print legibly"}])


def width_pt(modules: str, dots: int, pitch: float = DOT_PT) -> float:
    """Printed width of the symbol itself (no quiet zones) in points."""
    return len(modules) * dots * pitch


def dot_pitch(page_width_pt: float | None) -> float:
    """The spacing, in points, of the dots bars are drawn on for a page this wide.

    100 mm is 799.2 dots at 203 dpi, not a whole number: one renderer draws the page at exactly
    203 dpi (pdftoppm), another stretches it over the next whole number of pixels (pdfium: 800,
    0.1% wider). On the exact dot grid, pdfium's bar edges drifted to half a pixel in mid-label and
    some long symbols did not decode. A pitch between the two grids, 2 / (1 + stretch) of a dot,
    keeps every edge within about a third of a pixel of a pixel edge in both, so each bar keeps
    its width in dots when the image is thresholded.
    """
    if not page_width_pt:
        return DOT_PT
    dots = page_width_pt / DOT_PT
    stretch = math.ceil(dots - 1e-6) / dots  # the bitmap takes the partial pixel whole
    return DOT_PT * 2 / (1 + stretch)


def draw(canvas: Any, modules: str, *, x: float, y: float, height: float, dots: int) -> float:
    """Draw `modules` as vector bars with edges on the page's dot grid; returns the left x."""
    pitch = dot_pitch(getattr(canvas, "_pagesize", (None,))[0])
    left = round(x / pitch) * pitch
    step = dots * pitch
    path = canvas.beginPath()
    for start, length in runs(modules):
        path.rect(left + start * step, y, length * step, height)
    canvas.drawPath(path, stroke=0, fill=1)
    return left


def draw_centered(canvas: Any, modules: str, *, cx: float, y: float, height: float,
                  dots: int) -> tuple[float, float]:
    """Draw centred on `cx`; returns (left, right) x of the symbol."""
    pitch = dot_pitch(getattr(canvas, "_pagesize", (None,))[0])
    w = width_pt(modules, dots, pitch)
    left = draw(canvas, modules, x=cx - w / 2, y=y, height=height, dots=dots)
    return left, left + w
