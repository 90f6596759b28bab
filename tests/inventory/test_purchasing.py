"""Purchase plan MIP: budget, MOQ, case packs, hub capacity, shelf life, and why."""

from __future__ import annotations

import pytest

from inventory import purchasing
from inventory import purchasing_catalogue as catalogue
from inventory.planning_errors import InvalidCatalogue

HEADER = ",".join(catalogue.COLUMNS)


def _input(budget_fen: int = 1_000_000, *, capacity: int = 1000, shelf: int = 720,
           daily: tuple[int, int, int] = (6, 10, 15), moq: int = 24, case: int = 12,
           on_hand: int = 0) -> purchasing.PlanInput:
    return purchasing.PlanInput(
        items=[purchasing.Item("SERUM-30ML", 12900, 120, shelf, on_hand=on_hand),
               purchasing.Item("LIPTINT", 8900, 50, 540)],
        sources=[purchasing.Source("SERUM-30ML", "KR", "NGB", 4500, moq, case, 5, 3800),
                 purchasing.Source("SERUM-30ML", "JP", "NGB", 5200, 6, 6, 4, 4200),
                 purchasing.Source("LIPTINT", "KR", "NGB", 2200, 48, 24, 5, 3800)],
        hub_capacity={"NGB": capacity},
        demand={"SERUM-30ML": [daily] * 14, "LIPTINT": [(3, 6, 10)] * 14},
        budget_fen=budget_fen)


def test_buys_whole_cases_at_least_the_moq_within_budget() -> None:
    result = purchasing.plan(_input())
    assert result.status == "optimal" and result.lines
    sources = {(s.sku, s.market): s for s in _input().sources}
    for line in result.lines:
        source = sources[(line.sku, line.market)]
        assert line.qty % source.case_pack == 0 and line.qty >= source.moq
    assert result.spent_fen <= result.budget_fen


def test_a_tight_budget_is_respected() -> None:
    result = purchasing.plan(_input(budget_fen=100_000))
    assert 0 < result.spent_fen <= 100_000


def test_hub_capacity_caps_the_total() -> None:
    result = purchasing.plan(_input(capacity=30))
    assert sum(line.qty for line in result.lines) <= 30


def test_stock_on_hand_reduces_what_is_bought() -> None:
    empty = purchasing.plan(_input())
    full = purchasing.plan(_input(on_hand=200))
    bought = {ln.sku: 0 for ln in empty.lines}
    for ln in full.lines:
        bought[ln.sku] = bought.get(ln.sku, 0) + ln.qty
    assert bought.get("SERUM-30ML", 0) == 0
    assert sum(ln.qty for ln in empty.lines if ln.sku == "SERUM-30ML") > 0


def test_nothing_is_bought_that_would_expire_before_it_arrives() -> None:
    result = purchasing.plan(_input(shelf=4))
    assert all(line.sku != "SERUM-30ML" for line in result.lines)


def test_each_line_says_why() -> None:
    line = purchasing.plan(_input()).lines[0]
    assert "forecast" in line.reason and "covers" in line.reason
    assert 0 < line.sell_through <= 1 and line.cover_days > 0


def test_catalogue_rows_are_validated_together() -> None:
    text = (HEADER + "\nA,KR,NGB,12.345,5,0.1,100,0,0,3,38,0,0,0,100\n"
            "B,KR,,10,5,0.1,100,0,1,3,38,0,0,0,100\n")
    with pytest.raises(InvalidCatalogue) as caught:
        catalogue.parse_catalogue(text, demand={}, budget_fen=0)
    fields = {p["field"] for p in caught.value.problems}
    assert {"row 2.price", "row 2.case_pack", "row 3.hub"} <= fields


def test_catalogue_to_plan_csv() -> None:
    text = HEADER + "\nA,KR,NGB,99.00,30.00,0.1,365,12,12,5,38.00,5,1,0,500\n"
    data = catalogue.parse_catalogue(text, demand={"A": [(2, 4, 7)] * 14}, budget_fen=500_000)
    assert data.items[0].on_hand == 5 and data.items[0].price_fen == 9900
    out = catalogue.plan_to_csv(purchasing.plan(data))
    assert out.splitlines()[0] == ",".join(catalogue.PLAN_COLUMNS)
    assert out.splitlines()[1].startswith("A,KR,KR,NGB,")
