"""The wave contract's types: parsing, round trip, and validation that names what is wrong."""

import json

import pytest

import routing
from routing.problem import Wave
from tests.builders import EXAMPLES

EXAMPLE = EXAMPLES / "routing-problem.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def fields(exc: routing.InvalidWave) -> set[str]:
    return {p["field"] for p in exc.problems}


def test_example_parses_and_round_trips():
    wave = Wave.from_json(EXAMPLE.read_text())
    assert len(wave.orders) == 4
    assert Wave.from_json(wave.to_json()) == wave


def test_lane_to_unknown_warehouse_is_named():
    data = example()
    data["lanes"][2]["warehouse"] = "NOWHERE"
    with pytest.raises(routing.InvalidWave) as err:
        routing.parse(data)
    assert "lanes[2].warehouse" in fields(err.value)
    assert err.value.code == "invalid_wave"


def test_negative_stock_is_named():
    data = example()
    data["stock"][1]["qty"] = -3
    with pytest.raises(routing.InvalidWave) as err:
        routing.parse(data)
    assert fields(err.value) == {"stock[1].qty"}


def test_order_line_for_unknown_sku_is_named():
    data = example()
    data["orders"][3]["lines"][0]["sku"] = "GHOST"
    with pytest.raises(routing.InvalidWave) as err:
        routing.parse(data)
    assert "orders[3].lines[0].sku" in fields(err.value)


def test_several_problems_are_all_reported():
    data = example()
    data["stock"][0]["warehouse"] = "X"
    data["courier_capacity"][0]["courier"] = "Y"
    data["orders"].append(dict(data["orders"][0]))
    with pytest.raises(routing.InvalidWave) as err:
        routing.parse(data)
    assert {"stock[0].warehouse", "courier_capacity[0].courier", "orders"} <= fields(err.value)


def test_missing_field_and_bad_json():
    data = example()
    del data["penalties"]
    with pytest.raises(routing.InvalidWave) as err:
        routing.parse(data)
    assert fields(err.value) == {"penalties"}
    with pytest.raises(routing.InvalidWave):
        Wave.from_json("{not json")


def with_number(path: tuple, number: str) -> str:
    """The example's JSON with one figure written as `number`, verbatim (1e400, NaN)."""
    data = example()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    target[last] = "@NUMBER@"
    return json.dumps(data).replace('"@NUMBER@"', number)


MONEY_FIELDS = [("lanes", 0, "first_kg"), ("lanes", 2, "extra_kg"), ("unit_tax", 1, "amount"),
                ("penalties", "extra_parcel"), ("penalties", "late_per_day"),
                ("penalties", "unfulfilled_unit")]


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "1000000.01", "-0.5"])
@pytest.mark.parametrize("path", MONEY_FIELDS)
def test_money_must_be_finite_and_at_most_a_million(path, number):
    with pytest.raises(routing.InvalidWave) as err:
        Wave.from_json(with_number(path, number))
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)[1:]
    assert err.value.problems == [
        {"field": field, "reason": "must be a finite amount from 0 to 1,000,000 CNY"}]


def test_money_bounds_are_inclusive():
    for number in ("0", "1000000", "1e6", "0.001"):
        assert Wave.from_json(with_number(("lanes", 0, "first_kg"), number)).lanes[0].first_kg \
            == float(number)
