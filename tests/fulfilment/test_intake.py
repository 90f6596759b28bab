"""Validation of the order body: every bad field named, money exact, IDs by GB 11643."""

from __future__ import annotations

import pytest

from fulfilment import intake
from tests.builders import order_body


def _fields(body) -> set[str]:
    with pytest.raises(intake.InvalidOrder) as err:
        intake.parse(body)
    return {p["field"] for p in err.value.problems}


def test_valid_order_totals_in_fen():
    body = order_body(qty=2, price="199.90", freight="10.00", discount="5.50")
    parsed = intake.parse(body)
    assert parsed.goods_fen == 39980 and parsed.total_fen == 39980 + 1000 - 550
    assert parsed.recipient.zone == "ZJ"


@pytest.mark.parametrize("price", ["1.999", "-1.00", "abc", 12.5, "", None, True])
def test_bad_prices_are_refused(price):
    assert "lines[0].unit_price" in _fields(order_body(price=price))


@pytest.mark.parametrize("qty", [0, -1, 1.5, "2", True, None])
def test_quantity_must_be_a_positive_integer(qty):
    assert "lines[0].qty" in _fields(order_body(qty=qty))


@pytest.mark.parametrize("id_number", [
    "110105194912310021",  # wrong check digit
    "11010519491331002X",  # month 13
    "99010519491231002X",  # no such region
    "1101051949123100",    # too short
    "ABCDEFGHIJKLMNOPQR",
])
def test_id_numbers_failing_gb11643_are_invalid(id_number):
    body = order_body()
    body["buyer"]["id_number"] = id_number
    assert "buyer.id_number" in _fields(body)


def test_valid_id_with_lower_case_x_is_accepted():
    body = order_body()
    body["buyer"]["id_number"] = "11010519491231002x"
    assert intake.parse(body).buyer.id_number.endswith("X")


def test_many_problems_are_reported_together():
    body = order_body(qty=0)
    body["recipient"]["province"] = "Atlantis"
    body["buyer"]["phone"] = "999"
    del body["external_id"]
    assert {"external_id", "buyer.phone", "recipient.province", "lines[0].qty"} <= _fields(body)


def test_discount_cannot_exceed_the_order():
    assert "discount" in _fields(order_body(discount="500.00"))


def test_empty_lines_and_non_object_body():
    assert "lines" in _fields(order_body() | {"lines": []})
    with pytest.raises(intake.InvalidOrder):
        intake.parse([1, 2])
