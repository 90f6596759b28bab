"""Shipping-label layout: the longest accepted recipient and sender print whole and overlap
nothing, in the PDF and in the ZPL, and both forms list the same contents rows."""

from __future__ import annotations

import copy
import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.units import mm

from labels import fonts, layout, shipping
from labels.types import parse_label

CJK = "文三路九十号五幢一零一室靠近西湖文化广场东门对面的小区内部"
MIXED = "文三路90号5幢101室 Huaxing Times Square B座 Room 1808, "
LATIN = "Room 1808, Tower B, Huaxing Times Square, 90 Wensan Road, "


def _items(count: int) -> list[dict]:
    return [{"sku": f"SKU-{i:02d}", "name": f"Item {i}", "qty": 1} for i in range(count)]


def _longest(parcel: dict, source: str, *, lines: int = 1) -> dict:
    """The parcel with every recipient and sender field at its accepted maximum length, from
    `source`."""
    parcel = copy.deepcopy(parcel)
    r, s = parcel["recipient"], parcel["sender"]
    for field, length in (("name", 60), ("province", 40), ("city", 40), ("district", 40),
                          ("address", 200)):
        r[field] = (source * 10)[:length].strip()
    s.update(name=(source * 10)[:100].strip(), address=(source[::-1] * 10)[:200].strip())
    r["phone"] = s["phone"] = ("+86 138-1234-5678 " * 3)[:40].strip()
    parcel["lines"] = _items(lines)
    return parcel


def _bare(text: str) -> str:
    return "".join(text.split())  # read-back text breaks lines where the label wraps them


def _overlapping(boxes: list, *, tolerance: float = 0.0) -> list:
    return [(a, b) for a, b in itertools.combinations(boxes, 2)
            if min(a[1][2], b[1][2]) - max(a[1][0], b[1][0]) > tolerance
            and min(a[1][3], b[1][3]) - max(a[1][1], b[1][1]) > tolerance]


DOT = 72 / 203  # glyph boxes may touch by less than a printer dot (accents, brackets)


def _assert_pdf_fits(out: bytes, pdf) -> None:
    """Every run of text inside the page's margins, clear of the others, of rules and bars."""
    texts, paths = pdf.boxes(out)
    w, h = pdf.sizes(out)[0]
    outside = [t for t, (x0, y0, x1, y1) in texts
               if x0 < 2 * mm or y0 < 2 * mm or x1 > w - 2 * mm or y1 > h - 2 * mm]
    assert outside == []
    assert _overlapping(texts, tolerance=DOT) == []
    assert [t for t, box in texts for path in paths
            if _overlapping([("", box), ("", path)], tolerance=DOT)] == []


def _assert_zpl_fits(label: str, zpl_label) -> None:
    """Every ZPL field on the 800 x 1200 dot label, clear of the others; each text line no wider
    (by the printer-font estimate) than its field, and no ^FB block given more lines than it has."""
    fields = zpl_label.fields(label)
    assert [f for f in fields if f["kind"] == "text"
            and (f["need"] > f["room"] + 0.5 or len(f["lines"]) > f["line_count"])] == []
    assert [f for f in fields if min(f["box"][:2]) < 0 or f["box"][2] > 800
            or f["box"][3] > 1200] == []
    assert _overlapping([(str(f["lines"]), f["box"]) for f in fields]) == []


@pytest.mark.parametrize("source", [CJK, MIXED, LATIN], ids=["cjk", "mixed", "latin"])
def test_longest_recipient_prints_whole_and_overlaps_nothing(parcel, pdf, source):
    label = _longest(parcel, source, lines=20)
    out = shipping.render_pdf(label, printed_on=pdf.printed_on)
    text = _bare(pdf.texts(out)[0])
    r, s = label["recipient"], label["sender"]
    for value in (r["name"], r["province"], r["city"], r["district"], r["address"],
                  layout.mask_phone(r["phone"]), s["name"], s["address"], s["phone"]):
        assert _bare(value) in text, value
    assert "…" not in text
    _assert_pdf_fits(out, pdf)
    assert ("Code128", parcel["tracking_no"]) in pdf.decode(out)[0]


@pytest.mark.parametrize("source", [CJK, MIXED, LATIN], ids=["cjk", "mixed", "latin"])
def test_longest_recipient_fits_the_zpl_label(parcel, pdf, zpl_label, source):
    label = _longest(parcel, source, lines=20)
    label["sort_code"] = "571-WA 02 HANGZHOU XIHU 0123456"[:30]
    out = shipping.render_zpl(label, printed_on=pdf.printed_on)
    _assert_zpl_fits(out, zpl_label)
    printed = _bare("".join(line for f in zpl_label.fields(out) for line in f["lines"]))
    r, s = label["recipient"], label["sender"]
    for value in (r["name"], r["province"], r["city"], r["district"], r["address"],
                  layout.mask_phone(r["phone"]), label["sort_code"], s["name"], s["address"]):
        assert _bare(value) in printed, value


def test_short_recipient_keeps_its_large_type(parcel, pdf):
    texts, _ = pdf.boxes(shipping.render_pdf(parcel, printed_on=pdf.printed_on))
    heights = {t.strip(): box[3] - box[1] for t, box in texts}
    assert heights["李小红"] > 11 and heights["浙江省杭州市西湖区"] > 9


def _rows(text: str) -> tuple[list[str], list[str]]:
    return re.findall(r"SKU-\d\d", text), re.findall(r"\+ \d+ more lines", text)


@pytest.mark.parametrize("lines", [11, 12, 13, 30])
@pytest.mark.parametrize("source", [None, MIXED, CJK], ids=["short", "mixed", "cjk"])
def test_zpl_lists_the_same_contents_rows_as_the_pdf(parcel, pdf, lines, source):
    label = _longest(parcel, source, lines=lines) if source else dict(parcel, lines=_items(lines))
    in_pdf = _rows(pdf.texts(shipping.render_pdf(label, printed_on=pdf.printed_on))[0])
    in_zpl = _rows(shipping.render_zpl(label, printed_on=pdf.printed_on))
    assert in_zpl == in_pdf
    shown, note = in_pdf
    assert len(shown) + sum(int(n.split()[1]) for n in note) == lines  # shown or counted
    if source is None:
        assert len(shown) == min(lines, 12)  # a short address leaves room for all twelve


@pytest.mark.parametrize(("items", "rows", "expected"), [
    (3, 13, ["0", "1", "2"]),
    (12, 13, [str(i) for i in range(12)]),
    (13, 13, [*map(str, range(12)), "+ 1 more lines"]),
    (30, 13, [*map(str, range(12)), "+ 18 more lines"]),
    (5, 3, ["0", "1", "+ 3 more lines"]),
    (5, 1, ["+ 5 more lines"]),
])
def test_contents_rule_is_one_for_both_forms(parcel, items, rows, expected):
    label = parse_label(dict(parcel, lines=[
        {"sku": str(i), "name": "", "qty": 1} for i in range(items)]))
    got = shipping.contents(label, rows)
    assert [row.removeprefix("1 x ").strip() for row in got] == expected


def test_wrap_breaks_cjk_anywhere_and_latin_at_spaces():
    # A space before a long CJK run used to end the line there: "文" alone, the run below.
    lines = fonts.wrap("文 " + "文" * 40, layout.measure_for("文"), 10, 100, max_lines=None)
    assert lines[0] == "文 " + "文" * 8 and _bare("".join(lines)) == "文" * 41
    text = "Room 1808 Tower B Huaxing"
    assert " ".join(fonts.wrap(text, layout.measure_for(text), 10, 60, max_lines=None)) == text


_chars = st.sampled_from(list(CJK + "Room 1808, Tower-B ,./#" + "ÉéÜ·（）"))


def _value(size: int):
    return st.text(_chars, min_size=1, max_size=size).filter(str.strip)


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_value(60), region=_value(40), address=_value(200), lines=st.integers(0, 20))
def test_any_accepted_recipient_prints_whole_in_both_forms(parcel, pdf, zpl_label, name,
                                                           region, address, lines):
    label = _longest(parcel, "x", lines=lines)
    label["recipient"].update(name=name, province=region, city=region, district=region,
                              address=address)
    out = shipping.render_pdf(label, printed_on=pdf.printed_on)
    text = _bare(pdf.texts(out)[0])
    assert _bare(name) in text and _bare(region * 3) in text and _bare(address) in text
    _assert_pdf_fits(out, pdf)
    _assert_zpl_fits(shipping.render_zpl(label, printed_on=pdf.printed_on), zpl_label)
