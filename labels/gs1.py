"""Reading GS1 element strings the way scanners send them.

A supplier's item may carry a GS1-128 or GS1 DataMatrix symbol instead of a plain EAN-13:
`(01)` GTIN, then often `(17)` expiry and `(10)` lot. A scanner sends it with a symbology
identifier (`]C1`, `]d2`, ...) and FNC1 as the GS character, or as the human-readable text with
parentheses, or as bare digits. Only what the floor needs is read: the GTIN (and the SSCC of a
carton); in the raw form an AI it does not know ends the reading (its length is unknown), and
a value that breaks its AI's length makes the whole scan unreadable, never a guess.
"""

from __future__ import annotations

import re

from labels.barcodes import gs1_check_digit

GS = "\x1d"  # FNC1 inside a symbol: ends a variable-length value
SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9]")  # ]C1 GS1-128, ]d2 DataMatrix, ]Q3 QR, ]e0 DataBar
# Values of fixed length that may precede or follow the GTIN (AI -> digits)
FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6,
         "20": 2}
# Values of variable length, ended by GS or the end of the scan (AI -> at most)
VARIABLE = {"10": 20, "21": 20, "22": 20, "30": 8, "37": 8}
_DIGITS = re.compile(r"[0-9]+")
_BRACKETED = re.compile(r"\((\d{2,4})\)([^()]*)")


def element_values(scan: str) -> dict[str, str]:
    """AI -> value of a GS1 element string; empty if the scan is not one we can read whole."""
    text = SYMBOLOGY.sub("", scan.strip(), count=1)
    if text.startswith("("):
        pairs = _BRACKETED.findall(text)
        if "".join(f"({ai}){value}" for ai, value in pairs) != text:
            return {}
        values = dict(pairs)
        return values if len(values) == len(pairs) and all(
            _fits(ai, value) for ai, value in pairs) else {}
    values: dict[str, str] = {}
    rest = text.lstrip(GS)
    while rest:
        ai = rest[:2]
        if ai in FIXED:
            value, rest = rest[2:2 + FIXED[ai]], rest[2 + FIXED[ai]:].lstrip(GS)
        elif ai in VARIABLE:
            value, _, rest = rest[2:].partition(GS)
        else:  # an AI we do not know: where its value ends is unknown, so stop here
            return values
        if ai in values or not _fits(ai, value):
            return {}
        values[ai] = value
    return values


def _fits(ai: str, value: str) -> bool:
    """A value as its AI allows (brackets delimit any AI; the raw form only those we know)."""
    if ai in FIXED:
        return len(value) == FIXED[ai] and _DIGITS.fullmatch(value) is not None
    return 0 < len(value) <= VARIABLE.get(ai, 90) and GS not in value


def gtin(scan: str) -> str | None:
    """The GTIN-14 under (01) of an element string whose check digit holds, else None. A bare
    GTIN (8-14 digits) is not an element string: it is read as it stands."""
    if _DIGITS.fullmatch(scan.strip()) and len(scan.strip()) <= 14:
        return None
    value = element_values(scan).get("01")
    if value is None or gs1_check_digit(value[:-1]) != value[-1]:
        return None
    return value
