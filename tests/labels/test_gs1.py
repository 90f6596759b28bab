"""GS1 element strings as scanners send them: bracketed, raw with FNC1, with a symbology id."""

from __future__ import annotations

import pytest

from labels import gs1

GTIN = "09501101530003"


@pytest.mark.parametrize("scan", [
    f"01{GTIN}",
    f"(01){GTIN}(17)261231(10)LOT1",
    f"]C101{GTIN}1726123110LOT1",
    f"]d201{GTIN}10AB\x1d17261231",
    f"]Q301{GTIN}21SER9",
    f"(01){GTIN}(240)ADDITIONAL-ID",      # an AI we do not list, delimited by brackets
    f"01{GTIN}240ABC",                     # raw: reading stops at it, the GTIN stands
])
def test_the_gtin_is_read_from_every_form(scan: str) -> None:
    assert gs1.gtin(scan) == GTIN


@pytest.mark.parametrize("scan", [
    GTIN, "6901234567892",                 # a bare GTIN is not an element string
    f"01{GTIN[:-1]}4",                     # check digit broken
    f"01{GTIN[:-1]}",                      # one digit short
    f"(01){GTIN}(01){GTIN}",               # the same AI twice
    f"(01){GTIN}junk(17)261231",           # (01) holding 18 characters
    f"(01){GTIN[:-1]}X",
    f"10LOT1\x1d01{GTIN[:-1]}Z",
    "(01)０９５０１１０１５３０００３",   # full-width digits
    "", "]d2", "(01)",
])
def test_anything_else_is_no_gtin(scan: str) -> None:
    assert gs1.gtin(scan) is None


def test_the_values_beside_the_gtin_are_kept() -> None:
    assert gs1.element_values(f"]C100{'3' * 17}7" + f"01{GTIN}") == {
        "00": "3" * 17 + "7", "01": GTIN}
    assert gs1.element_values(f"(01){GTIN}(17)2612") == {}  # an expiry of 4 digits
