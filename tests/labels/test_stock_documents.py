"""SKU, bin and SSCC carton labels, pick lists, invoices and CN22/CN23, decoded and read back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.units import mm

from labels import barcodes, documents, stock_labels
from labels.errors import BarcodeError, LabelError

PARTY = {"name": "Ningbo Bonded Warehouse", "address": "Ningbo FTZ, Zhejiang", "country": "CN"}


def test_gs1_check_digit_known_values():
    assert barcodes.gs1_check_digit("690123456789") == "2"  # EAN-13 6901234567892
    assert barcodes.gs1_check_digit("10614141123456789") == "7"  # GS1's SSCC example
    assert barcodes.is_valid_sscc("106141411234567897")
    assert not barcodes.is_valid_sscc("106141411234567891")


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1,
               max_size=48) | st.from_regex(r"\A99[0-9]{0,30}\Z"))
def test_code128_encoding_reads_back_to_the_value(value):
    # python-barcode 0.16 drops a leading "99" pair; our encoder checks every symbol it makes.
    symbol = barcodes._Code128(value)
    assert barcodes._decode_values(symbol._build()) == value


def test_leading_99_is_kept():
    values = barcodes._Code128("99123456")._build()
    assert values == [105, 99, 12, 34, 56]


def test_sscc_builder_pads_serial_and_appends_check_digit():
    value = barcodes.sscc(extension=3, company_prefix="0614141", serial=42)
    assert value == "306141410000000420"[:17] + barcodes.gs1_check_digit(value[:17])
    assert len(value) == 18 and barcodes.is_valid_sscc(value)


def test_sku_label_uses_ean13_for_a_gtin_and_it_decodes(pdf):
    out = stock_labels.render_sku_labels([
        {"sku": "SERUM-30ML", "name": "Hydrating Serum 30ml", "gtin": "6901234567892"},
        {"sku": "CREAM-50G", "name": "Night Cream"},
    ])
    pages = pdf.decode(out)
    assert ("EAN13", "6901234567892") in pages[0]
    assert ("Code128", "CREAM-50G") in pages[1]
    assert pdf.sizes(out)[0] == pytest.approx((60 * mm, 40 * mm), abs=0.01)


def test_sku_label_refuses_a_gtin_with_a_wrong_check_digit():
    with pytest.raises(BarcodeError):
        stock_labels.render_sku_labels([{"sku": "X", "gtin": "6901234567890"}])


def test_bin_label_decodes(pdf):
    out = stock_labels.render_bin_labels([{"code": "A-01-03-2", "warehouse": "NGB-BONDED"}])
    assert ("Code128", "A-01-03-2") in pdf.decode(out)[0]
    assert "A-01-03-2" in pdf.texts(out)[0]


def test_carton_label_carries_sscc_under_ai_00_with_check_digit(pdf):
    sscc = barcodes.sscc(extension=0, company_prefix="6901234", serial=1234)
    out = stock_labels.render_carton_labels([{
        "sscc": sscc, "ship_from": {"name": "Rotterdam DC", "address": "NL"},
        "ship_to": PARTY, "reference": "TR-77", "weight_g": 12_500,
        "lines": [{"sku": "SERUM-30ML", "qty": 48, "lot": "L1", "expiry": "2027-06-30"}]}])
    found = pdf.decode(out)[0]
    assert any(fmt == "Code128" and text.replace("(", "").replace(")", "") == "00" + sscc
               for fmt, text in found), found
    assert barcodes.is_valid_sscc(sscc)
    assert pdf.sizes(out)[0] == pytest.approx((100 * mm, 150 * mm), abs=0.01)


def test_carton_label_refuses_a_bad_sscc():
    with pytest.raises(LabelError) as err:
        stock_labels.render_carton_labels([{"sscc": "106141411234567891", "ship_from": PARTY,
                                            "ship_to": PARTY}])
    assert err.value.problems[0]["field"] == "sscc"


def test_pick_list_is_a4_in_walking_order_with_decodable_sku_barcodes(pdf):
    lines = [
        {"bin": "C-03", "walk_seq": 30, "sku": "CREAM-50G", "qty": 2, "lot": "L9",
         "expiry": "2027-01-31"},
        {"bin": "A-01", "walk_seq": 10, "sku": "SERUM-30ML", "gtin": "6901234567892", "qty": 5,
         "lot": "L1", "expiry": "2026-12-31", "name": "Hydrating Serum 30ml"},
        {"bin": "B-07", "walk_seq": 20, "sku": "MASK-5PK", "qty": 1, "lot": "L4"},
    ]
    out = documents.render_pick_list({"wave_id": "W42", "warehouse": "NGB",
                                      "printed_on": "2026-11-23", "lines": lines})
    assert pdf.sizes(out)[0] == pytest.approx((210 * mm, 297 * mm), abs=0.01)
    text = pdf.texts(out)[0]
    assert text.index("A-01") < text.index("B-07") < text.index("C-03")
    assert "L1" in text and "2026-12-31" in text and "W42" in text
    assert "3 lines, 8 units." in text
    found = pdf.decode(out)[0]
    assert ("EAN13", "6901234567892") in found
    assert ("Code128", "CREAM-50G") in found and ("Code128", "MASK-5PK") in found


def test_pick_list_paginates(pdf):
    lines = [{"bin": f"A-{i:03d}", "walk_seq": i, "sku": f"SKU-{i}", "qty": 1}
             for i in range(30)]
    out = documents.render_pick_list({"wave_id": "W1", "warehouse": "NGB",
                                      "printed_on": "2026-11-23", "lines": lines})
    assert len(pdf.sizes(out)) == 3
    one = documents.render_pick_list({"wave_id": "W2", "warehouse": "NGB",
                                      "printed_on": "2026-11-23", "lines": lines[:1]})
    assert "1 line, 1 unit." in pdf.texts(one)[0]


def _doc(unit_value: int, weight_g: int = 400) -> dict:
    return {"document_no": "INV-1", "order_no": "R1001", "tracking_no": "EE123456789CN",
            "issued_on": date(2026, 11, 23), "currency": "CNY", "sender": PARTY,
            "recipient": {"name": "Jane Doe", "address": "1 Main St", "country": "US"},
            "items": [{"sku": "SERUM-30ML", "description": "Face serum", "hs_code": "330499",
                       "origin": "FR", "qty": 2, "unit_value": unit_value,
                       "weight_g": weight_g}]}


def test_invoice_lists_hs_codes_origin_values_and_weights(pdf):
    out = documents.render_invoice(_doc(12_550))
    text = pdf.texts(out)[0]
    for expected in ("330499", "FR", "Face serum", "125.50", "251.00 CNY", "0.400 kg", "INV-1"):
        assert expected in text, expected


@pytest.mark.parametrize(("unit_value", "weight_g", "form"), [
    (145_000, 400, "CN22"),   # 2 x 1450.00 CNY = 2900 CNY = 300 SDR at 9.6667: at the limit
    (145_100, 400, "CN23"),   # just above 300 SDR
    (1_000, 2_500, "CN23"),   # over the 2 kg small-packet limit
])
def test_cn22_up_to_300_sdr_cn23_above(unit_value, weight_g, form, pdf):
    rate = Decimal("2900") / Decimal("300")
    assert documents.declaration_form(_doc(unit_value, weight_g), currency_per_sdr=rate) == form
    got, out = documents.render_declaration(_doc(unit_value, weight_g), currency_per_sdr=rate)
    assert got == form
    text = pdf.texts(out)[0]
    assert f"CUSTOMS DECLARATION {form[:2]} {form[2:]}" in text and "330499" in text
    size = (100 * mm, 150 * mm) if form == "CN22" else (210 * mm, 297 * mm)
    assert pdf.sizes(out)[0] == pytest.approx(size, abs=0.01)
