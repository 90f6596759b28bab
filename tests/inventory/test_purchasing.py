"""Purchase plan MIP: budget, MOQ, case packs, hub capacity, shelf life, and why."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from inventory import purchasing
from inventory import purchasing_catalogue as catalogue
from inventory.money import cny
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
    assert result.status == "optimal" and result.lines and result.gap == 0.0
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


def _two_leads(shelf: int, *, air_freight: int) -> purchasing.PlanInput:
    """One SKU, a 3-day air source and a cheap 40-day sea source into the same hub."""
    return purchasing.PlanInput(
        items=[purchasing.Item("A", 10000, 100, shelf)],
        sources=[purchasing.Source("A", "KR", "NGB", 3000, 1, 1, 3, air_freight),
                 purchasing.Source("A", "US", "NGB", 3000, 1, 1, 40, 100)],
        hub_capacity={"NGB": 10000}, demand={"A": [(8, 10, 12)] * 60}, budget_fen=10**9)


def test_a_source_whose_lead_time_reaches_the_shelf_life_gets_nothing() -> None:
    # shelf life 30 days, sea lead 40 days: the goods expire before they arrive
    for air_freight in (100_000, 1_000):  # air dearer than the price, then air worth buying
        result = purchasing.plan(_two_leads(30, air_freight=air_freight))
        assert result.status == "optimal"
        assert all(line.market != "US" for line in result.lines)
    air = [ln for ln in result.lines if ln.market == "KR"]
    assert air and "in days 3-9" in air[0].reason  # from the arrival for the 7-day review


def test_each_source_plans_over_its_own_lead_time() -> None:
    # shelf life 60 days: sea goods arrive on day 40 and sell in their own week, days 40-46
    # (nothing is sold before they arrive: a customer finding the SKU sold out buys nothing)
    result = purchasing.plan(_two_leads(60, air_freight=100_000))
    sea = [ln for ln in result.lines if ln.market == "US"]
    assert len(sea) == 1 and 0 < sea[0].qty <= 7 * 12
    assert "in days 40-46" in sea[0].reason
    assert sea[0].forecast_units == pytest.approx(70)
    # days of cover from today: none until they arrive, then the order at 10 a day
    assert sea[0].cover_days == pytest.approx(40 + sea[0].qty / 10, abs=0.1)
    assert 0 < sea[0].sell_through <= 1


def test_a_faster_source_not_worth_buying_changes_nothing_a_slower_one_buys() -> None:
    # a cheap 30-day sea source alone, then beside a 3-day air source dearer than the price:
    # the sea goods sell in their own week (days 30-37) either way
    def sea_only(air: bool) -> purchasing.PlanInput:
        sources = [purchasing.Source("X", "SEA", "NGB", 10000, 10, 10, 30, 500)]
        if air:
            sources.append(purchasing.Source("X", "AIR", "NGB", 10000, 10, 10, 3, 200_000))
        return purchasing.PlanInput([purchasing.Item("X", 20000, 100, 730)], sources,
                                    {"NGB": 100_000}, {"X": [(6, 10, 14)] * 60},
                                    budget_fen=10**7)

    alone, offered = (purchasing.plan(sea_only(air)) for air in (False, True))
    assert [(ln.market, ln.qty) for ln in offered.lines] == [
        (ln.market, ln.qty) for ln in alone.lines]
    assert 70 <= alone.lines[0].qty <= 100  # a week at a p50 of 10 a day, not 37 days
    assert offered.expected_margin_fen == alone.expected_margin_fen


def test_with_no_stock_air_serves_the_weeks_before_the_sea_goods_come() -> None:
    # nothing in stock: sea goods on day 60 cannot sell the demand before them (the system
    # never oversells, so it is lost); at the same cost, air for the first week and sea for
    # its own week, each a week's cover, not 670 units by sea
    item = purchasing.Item("A", 10000, 1000, 365)
    alone = purchasing.plan(_air_and_sea(item, air=(5000, 7), sea=(5000, 60),
                                         sources=("SEA",)))
    assert [ln.qty for ln in alone.lines] == [70]
    both = purchasing.plan(_air_and_sea(item, air=(5000, 7), sea=(5000, 60)))
    assert sorted((ln.market, ln.qty) for ln in both.lines) == [("AIR", 70), ("SEA", 70)]


def test_no_quantities_near_the_plan_figure_a_better_margin_than_the_plan() -> None:
    # air and sea with 40 days of shelf life: the plan's reader and the MIP count the same
    # sales (once, the reader counted fewer, so that quantities the MIP did not choose read
    # 7.9% better)
    data = _air_and_sea(purchasing.Item("A", 6000, 500, 40), air=(3000, 5), sea=(1800, 25),
                        daily=(6, 10, 14), days=60)
    made = purchasing.plan(data)
    bought = {ln.market: ln.qty for ln in made.lines}
    for air in range(bought.get("AIR", 0) - 36, bought.get("AIR", 0) + 37, 12):
        for sea in range(bought.get("SEA", 0) - 36, bought.get("SEA", 0) + 37, 12):
            other = purchasing.evaluate(data, {("A", "AIR", "H"): max(air, 0),
                                               ("A", "SEA", "H"): max(sea, 0)})
            assert other.expected_margin_fen <= made.expected_margin_fen


def test_a_source_that_can_never_be_used_changes_nothing() -> None:
    # JP alone buys; a cheap VN source into a full hub, or with an MOQ beyond any room, had
    # lowered the credit of every unit sold and the plan bought nothing at all
    item = purchasing.Item("A", 3000, 1000, 365, leftover_loss=1.0)
    jp = purchasing.Source("A", "JP", "H1", 2000, 1, 1, 5, 0)

    def bought(*others: purchasing.Source) -> list[tuple[str, int]]:
        data = purchasing.PlanInput([item], [jp, *others], {"H1": 10_000, "H2": 0},
                                    {"A": [(5, 10, 15)] * 30}, budget_fen=10**9)
        return [(ln.market, ln.qty) for ln in purchasing.plan(data).lines]

    alone = bought()
    assert alone and alone[0][0] == "JP"
    assert bought(purchasing.Source("A", "VN", "H2", 100, 1, 1, 5, 0)) == alone
    assert bought(purchasing.Source("A", "VN", "H1", 100, 10**6, 1, 5, 0)) == alone


def test_a_line_arriving_after_the_stock_runs_out_says_so() -> None:
    # 25 in stock at 10 a day: sea goods on day 30 come 27 days after it runs out
    data = purchasing.PlanInput(
        [purchasing.Item("A", 10000, 1000, 365, on_hand=25)],
        [purchasing.Source("A", "US", "H1", 1500, 1, 1, 30, 300)], {"H1": 10_000},
        {"A": [(7, 10, 13)] * 60}, budget_fen=500_000)
    [line] = purchasing.plan(data).lines
    assert line.reason.endswith("; nothing covers days 2-29 before these arrive (sales in "
                                "between are lost)")
    assert len(line.reason) <= 400  # the stored reason's width
    # 320 in stock lasts 32 days, past the arrival: no warning
    stocked = replace(data, items=[purchasing.Item("A", 10000, 1000, 365, on_hand=320)])
    [line] = purchasing.plan(stocked).lines
    assert "runs out" not in line.reason


def test_the_rounded_start_rounds_up_a_case_the_relaxation_mostly_wanted() -> None:
    # 70 units wanted in cases of 12: down to 60, then up to 72 where the budget allows
    def hurried(budget_fen: int) -> list[int]:
        data = purchasing.PlanInput(
            [purchasing.Item("A", 10000, 100, 365)],
            [purchasing.Source("A", "KR", "H1", 3000, 12, 12, 5, 0)], {"H1": 10_000},
            {"A": [(10, 10, 10)] * 30}, budget_fen=budget_fen)
        return [ln.qty for ln in purchasing.plan(data, time_limit_s=1e-4).lines]

    assert hurried(10**6) == [72]
    assert hurried(60 * 3000 + 100) == [60]  # 72 would cost 216,000 fen


def test_a_big_moq_source_that_never_pays_does_not_stop_a_profitable_one() -> None:
    # VN is cheap but sells only 500 at a time, which loses: JP buys as it did alone
    item = purchasing.Item("A", 10000, 1000, 365, leftover_loss=1.0)
    jp = purchasing.Source("A", "JP", "H", 6000, 1, 1, 5, 0)
    vn = purchasing.Source("A", "VN", "H", 1000, 500, 500, 5, 0)

    def bought(*sources: purchasing.Source) -> list[tuple[str, int]]:
        data = purchasing.PlanInput([item], list(sources), {"H": 10_000},
                                    {"A": [(5, 10, 15)] * 30}, budget_fen=10**9)
        return [(ln.market, ln.qty) for ln in purchasing.plan(data).lines]

    alone = bought(jp)
    assert alone and bought(jp, vn) == alone


def test_units_owed_are_bought_once_across_windows_that_do_not_meet() -> None:
    # 100 owed, 10 a day: air (day 5) and sea (day 40) each serve their own week, and the
    # 100 owed once: 240 in all, not 170 each
    made = purchasing.plan(_air_and_sea(purchasing.Item("A", 10000, 1000, 365, reserved=100),
                                        air=(5000, 5), sea=(5000, 40)))
    assert sum(ln.qty for ln in made.lines) == 240
    assert all(ln.sell_through == 1.0 for ln in made.lines)


def test_units_owed_are_the_earliest_arrival_s_to_serve_not_each_later_one_s() -> None:
    # 40 owed, 10 a day, leads 3 and 9 in one chain: the lead-3 goods meet the 40 owed, so
    # days 3-8 are lost and the lead-9 goods sell day 9's 10 of their 50
    item = purchasing.Item("A", 10000, 1000, 365, reserved=40)
    data = purchasing.PlanInput(
        [item], [purchasing.Source("A", f"M{lead}", "H", 5000, 1, 1, lead, 0)
                 for lead in (3, 9)], {"H": 10_000}, {"A": [(10, 10, 10)] * 90},
        budget_fen=10**9)
    lines = {ln.market: ln for ln in purchasing.evaluate(
        data, {("A", "M3", "H"): 40, ("A", "M9", "H"): 50}).lines}
    assert lines["M3"].sell_through == 1.0 and lines["M9"].sell_through == 0.2
    assert lines["M9"].reason.endswith("; nothing covers days 3-8 before these arrive (sales "
                                       "in between are lost)")
    # 50 owed, air (dearer, day 5) and sea (day 40): air meets them, sea sells its week
    made = purchasing.plan(_air_and_sea(purchasing.Item("A", 10000, 1000, 365, reserved=50),
                                        air=(6000, 5), sea=(5000, 40)))
    assert sorted((ln.market, ln.qty) for ln in made.lines) == [("AIR", 120), ("SEA", 70)]


def test_cover_runs_the_shelf_down_day_by_day_through_the_arrivals() -> None:
    # 10 a day, no stock: 20 on day 3 last until day 5, then nothing until 30 come on day 9
    data = purchasing.PlanInput(
        [purchasing.Item("A", 10000, 1000, 365)],
        [purchasing.Source("A", f"M{lead}", "H", 5000, 1, 1, lead, 0) for lead in (3, 9)],
        {"H": 10_000}, {"A": [(10, 10, 10)] * 90}, budget_fen=10**9)
    lines = {ln.market: ln for ln in purchasing.evaluate(
        data, {("A", "M3", "H"): 20, ("A", "M9", "H"): 30}).lines}
    assert lines["M3"].cover_days == 5.0 and lines["M9"].cover_days == 12.0
    assert "nothing covers days 5-8" in lines["M9"].reason


def test_sources_arriving_within_a_review_share_one_review_of_demand() -> None:
    # leads 5 to 11 all arrive before the next review's lead-5 goods (day 12): a week in all
    def bought(leads: range) -> int:
        sources = [purchasing.Source("A", f"M{lead}", "H", 4000, 1, 1, lead, 0)
                   for lead in leads]
        data = purchasing.PlanInput([purchasing.Item("A", 10000, 100, 365)], sources,
                                    {"H": 10_000}, {"A": [(6, 10, 14)] * 60},
                                    budget_fen=10**9)
        return sum(ln.qty for ln in purchasing.plan(data).lines)

    assert bought(range(5, 12)) == bought(range(5, 6))


def test_cover_counts_only_the_goods_of_the_line_s_own_weeks() -> None:
    # air on day 7 and sea on day 60, no stock, 10 a day: the sea goods cover days 60-66
    data = _air_and_sea(purchasing.Item("A", 10000, 1000, 365), air=(5000, 7), sea=(5000, 60))
    lines = {ln.market: ln for ln in purchasing.plan(data).lines}
    assert lines["SEA"].cover_days == 67.0 and lines["AIR"].cover_days == 14.0
    assert lines["SEA"].reason.endswith("; nothing covers days 14-59 before these arrive "
                                        "(sales in between are lost)")


def test_a_review_period_below_a_day_is_refused() -> None:
    with pytest.raises(InvalidCatalogue) as refused:
        purchasing.plan(replace(_input(), review_days=0))
    assert {"field": "review_days", "reason": "must be at least 1"} in refused.value.problems


def _air_and_sea(item: purchasing.Item, *, air: tuple[int, int], sea: tuple[int, int],
                 daily: tuple[int, int, int] = (10, 10, 10), days: int = 90,
                 sources: tuple[str, ...] = ("AIR", "SEA")) -> purchasing.PlanInput:
    """One SKU bought by air and by sea, (unit cost, lead days) each, into hub H: MOQ and case
    packs of 1, no freight, room and money enough."""
    offered = {"AIR": air, "SEA": sea}
    return purchasing.PlanInput(
        [item], [purchasing.Source(item.sku, m, "H", offered[m][0], 1, 1, offered[m][1], 0)
                 for m in sources], {"H": 10_000}, {item.sku: [daily] * days},
        budget_fen=10**9)


def _three_sources(leads: tuple[int, int, int]) -> purchasing.PlanInput:
    """One SKU with 10 days of shelf life from two markets into two hubs."""
    return purchasing.PlanInput(
        items=[purchasing.Item("B", 10000, 100, 10)],
        sources=[purchasing.Source("B", "KR", "NGB", 3000, 1, 1, leads[0], 0),
                 purchasing.Source("B", "JP", "NGB", 3000, 1, 1, leads[1], 0),
                 purchasing.Source("B", "KR", "SHA", 3000, 1, 1, leads[2], 0)],
        hub_capacity={"NGB": 10000, "SHA": 10000}, demand={"B": [(9, 10, 11)] * 30},
        budget_fen=10**9)


def test_the_shelf_life_cap_bounds_the_sku_total_over_markets_and_hubs() -> None:
    # arriving on day 5, the goods have 5 days to sell: at most 5 * 11 units in all
    result = purchasing.plan(_three_sources((5, 5, 5)))
    assert result.status == "optimal" and result.lines
    assert sum(line.qty for line in result.lines) <= 55


def test_the_shelf_life_cap_bounds_each_arrival_window() -> None:
    # arrivals on day 5 and day 8: all goods sell within days 5-9, day-8 goods within days 8-9
    result = purchasing.plan(_three_sources((5, 8, 8)))
    assert sum(line.qty for line in result.lines) <= 55
    assert sum(line.qty for line in result.lines if line.market == "JP" or line.hub == "SHA") <= 22


def test_leftovers_are_a_total_loss_only_if_expired_by_the_end_of_the_cover() -> None:
    def share(shelf_life_days: int) -> float:
        item = purchasing.Item("A", 9900, 100, shelf_life_days)
        data = purchasing.PlanInput([item], [], {"NGB": 100}, {"A": [(8, 10, 12)] * 14},
                                    budget_fen=10**6, review_days=7)
        return purchasing._need(item, 20, 27, data, owed=True).leftover_share

    assert share(27) == 1.0  # expires on the day the cover window (20 + 7) ends
    assert share(45) == purchasing.Item("A", 1, 1, 1).leftover_loss  # 18 days left after it


def test_evaluate_figures_given_quantities_as_the_plan_figures_its_own() -> None:
    data = _input()
    made = purchasing.plan(data)
    again = purchasing.evaluate(data, {(ln.sku, ln.market, ln.hub): ln.qty for ln in made.lines})
    assert again.lines == made.lines and again.expected_margin_fen == made.expected_margin_fen
    more = purchasing.evaluate(data, {(ln.sku, ln.market, ln.hub): ln.qty * 4
                                      for ln in made.lines})
    assert all(m.sell_through <= o.sell_through for m, o in zip(more.lines, made.lines,
                                                                 strict=True))


def test_a_plan_stopped_at_the_time_limit_says_how_far_it_may_be_from_the_best() -> None:
    assert purchasing._gap(95_000.0, 100_000.0) == pytest.approx(0.05)
    assert purchasing._gap(100_000.0, 100_000.0) == 0.0


def _many(skus: int, budget_fen: int) -> purchasing.PlanInput:
    """A seeded catalogue of `skus` SKUs, each from a fast and a slow source into two hubs."""
    rng = random.Random(skus)
    items, sources, demand = [], [], {}
    for i in range(skus):
        sku, price = f"S{i}", rng.randint(3000, 30000)
        items.append(purchasing.Item(sku, price, rng.randint(50, 800), 365,
                                     on_hand=rng.randint(0, 100)))
        rate = rng.uniform(1, 40)
        demand[sku] = [(int(rate * 0.5), int(rate), int(rate * 1.6) + 1)] * 14
        for market, lead in (("KR", rng.randint(3, 8)), ("US", rng.randint(20, 45))):
            sources.append(purchasing.Source(sku, market, rng.choice(["NGB", "SZX"]),
                                             int(price * rng.uniform(0.3, 0.6)),
                                             rng.choice([1, 12, 24]), rng.choice([1, 6, 12]),
                                             lead, rng.randint(1500, 6000)))
    return purchasing.PlanInput(items, sources, {"NGB": skus * 40, "SZX": skus * 40}, demand,
                                budget_fen=budget_fen)


def test_a_plan_out_of_time_is_the_rounded_relaxation_and_fits() -> None:
    # no time for SCIP at all: the plan is the LP relaxation rounded down to whole cases
    data = _many(40, budget_fen=2_000_000)
    hurried = purchasing.plan(data, time_limit_s=1e-4)
    assert hurried.status == "feasible" and hurried.lines and 0 < hurried.gap < 0.2
    assert hurried.spent_fen <= data.budget_fen
    sources = {(s.sku, s.market): s for s in data.sources}
    for line in hurried.lines:
        source = sources[(line.sku, line.market)]
        assert line.qty % source.case_pack == 0 and line.qty >= source.moq
    for hub, room in data.hub_capacity.items():
        assert sum(ln.qty for ln in hurried.lines if ln.hub == hub) <= room
    # given time, SCIP proves the best plan, no worse than where it started
    best = purchasing.plan(data)
    assert best.status == "optimal"
    assert best.expected_margin_fen >= hurried.expected_margin_fen * 0.99


def test_a_plan_says_why_skus_it_could_buy_got_no_line() -> None:
    # FULL has stock for its window; DEAR, bought last, finds the budget spent; POOR sells
    # for less than it lands at; CHEAP is bought
    items = [purchasing.Item("FULL", 10000, 100, 365, on_hand=900),
             purchasing.Item("CHEAP", 10000, 100, 365), purchasing.Item("DEAR", 10000, 100, 365),
             purchasing.Item("POOR", 2000, 100, 365)]
    sources = [purchasing.Source("FULL", "KR", "NGB", 3000, 1, 1, 5, 100),
               purchasing.Source("CHEAP", "KR", "NGB", 2000, 1, 1, 5, 100),
               purchasing.Source("DEAR", "KR", "NGB", 9000, 120, 1, 5, 100),
               purchasing.Source("POOR", "KR", "NGB", 3000, 1, 1, 5, 100)]
    data = purchasing.PlanInput(items, sources, {"NGB": 10_000},
                                {i.sku: [(8, 10, 12)] * 30 for i in items}, budget_fen=500_000)
    result = purchasing.plan(data)
    assert [ln.sku for ln in result.lines] == ["CHEAP"]
    left = cny(result.budget_fen - result.spent_fen)
    assert result.notes == [
        "not bought, stock on hand and in transit covers the median forecast until the latest "
        "window ends: FULL (900 units against 120 through day 11)",
        f"not bought, the budget left after the lines bought ({left} CNY) is less than its "
        "smallest order: DEAR",
        "not bought, no order pays: too few expected sales for the landed cost and the "
        "leftovers: POOR"]
    # no budget at all: nothing is said to have gone elsewhere, nor stock to cover a SKU
    # the plan would buy (its p50 is 0, its p90 is not)
    broke = purchasing.plan(replace(data, budget_fen=0, demand={
        **data.demand, "CHEAP": [(0, 0, 3)] * 30}))
    assert broke.lines == [] and broke.notes[1] == (
        "not bought, the budget left (0.00 CNY) is less than its smallest order: CHEAP, DEAR, "
        "POOR")


def test_a_plan_says_which_skus_the_hub_had_no_room_left_for() -> None:
    # A and B share a hub with room for 60: A takes it all
    items = [purchasing.Item("A", 20000, 100, 365), purchasing.Item("B", 10000, 100, 365)]
    sources = [purchasing.Source(sku, "KR", "NGB", 3000, 10, 10, 5, 100) for sku in "AB"]
    data = purchasing.PlanInput(items, sources, {"NGB": 60}, {"A": [(8, 10, 12)] * 30,
                                                               "B": [(8, 10, 12)] * 30},
                                budget_fen=10**9)
    result = purchasing.plan(data)
    assert [(ln.sku, ln.qty) for ln in result.lines] == [("A", 60)]
    assert result.notes == ["not bought, its hubs have no room left after the lines bought for "
                            "its smallest order: B (smallest order 10 units; NGB has 0 left)"]


def _short_dated(shelf: int, min_remaining: int) -> purchasing.PlanInput:
    """One SKU, no stock, a 5-day source, 10 a day (p90 12) for 60 days."""
    return purchasing.PlanInput(
        items=[purchasing.Item("A", 10000, 100, shelf, min_remaining_days=min_remaining)],
        sources=[purchasing.Source("A", "KR", "NGB", 3000, 1, 1, 5, 100)],
        hub_capacity={"NGB": 10000}, demand={"A": [(8, 10, 12)] * 60}, budget_fen=10**9)


def test_goods_that_would_arrive_with_less_than_the_minimum_shelf_life_are_not_bought() -> None:
    # 150 days of shelf life, 182 to be left on receipt: receiving refuses every carton
    assert purchasing.plan(_short_dated(150, 182)).lines == []
    # 30 days, 25 kept for the customer: arriving on day 5 leaves nothing to sell
    assert purchasing.plan(_short_dated(30, 25)).lines == []


def test_the_last_min_remaining_days_of_shelf_life_are_not_selling_days() -> None:
    # 12 days of shelf life, 5 kept: goods arriving on day 5 sell for 2 days, p90 12 a day
    [line] = purchasing.plan(_short_dated(12, 5)).lines
    assert 0 < line.qty <= 2 * 12
    assert "sells for 2 days before its last 5 days of shelf life" in line.reason
    [plain] = purchasing.plan(_short_dated(12, 0)).lines
    assert plain.qty > 2 * 12 and "sells for 7 days before expiry" in plain.reason


def test_units_already_owed_are_bought_for_even_with_no_demand_to_come() -> None:
    # 6 units reserved beyond stock, nothing more forecast: the goods serve those orders
    data = purchasing.PlanInput(
        items=[purchasing.Item("A", 15000, 100, 365, reserved=6)],
        sources=[purchasing.Source("A", "JP", "NGB", 9000, 6, 6, 8, 2000)],
        hub_capacity={"NGB": 1000}, demand={"A": [(0, 0, 1)] * 30}, budget_fen=10**6)
    [line] = purchasing.plan(data).lines
    assert line.qty == 6 and line.sell_through == 1.0


def test_units_already_owed_are_served_first_and_cover_nothing() -> None:
    # nothing on hand, 500 reserved: 660 units bought arrive on day 3 and leave 160 for
    # demand of 5 a day, until day 35
    data = purchasing.PlanInput(
        items=[purchasing.Item("A", 10000, 100, 720, on_hand=0, reserved=500)],
        sources=[purchasing.Source("A", "KR", "NGB", 3000, 1, 1, 3, 100)],
        hub_capacity={"NGB": 10000}, demand={"A": [(4, 5, 6)] * 30}, budget_fen=10**9)
    [line] = purchasing.evaluate(data, {("A", "KR", "NGB"): 660}).lines
    assert line.cover_days == pytest.approx(35.0)
    assert "stock position -500" in line.reason and "covers 35 days" in line.reason
    [short] = purchasing.evaluate(data, {("A", "KR", "NGB"): 300}).lines
    assert short.cover_days == 0.0  # still 200 short of what is owed


def test_a_plan_says_why_skus_cannot_be_bought_at_all() -> None:
    items = [purchasing.Item(f"N{n}", 10000, 100, 365) for n in range(5)] + [
        purchasing.Item("SHORT", 10000, 100, 150, min_remaining_days=182),
        purchasing.Item("BIG", 10000, 100, 365), purchasing.Item("OK", 10000, 100, 365)]
    sources = [purchasing.Source(i.sku, "KR", "NGB", 3000, 1, 1, 5, 100) for i in items]
    sources[-2] = purchasing.Source("BIG", "KR", "NGB", 3000, 500, 12, 5, 100)
    data = purchasing.PlanInput(items, sources, {"NGB": 300},
                                {s: [(8, 10, 12)] * 30 for s in ("SHORT", "BIG", "OK")},
                                budget_fen=10**9)
    result = purchasing.plan(data)
    assert [ln.sku for ln in result.lines] == ["OK"]
    assert result.notes == [
        "no forecast for N0, N1, N2 and 2 more: nothing is bought for them (a missing "
        "forecast is not zero demand; forecast them to plan them)",
        "not bought, too short-dated on arrival from every source: SHORT (150 days of shelf "
        "life, 182 of them to be left on receipt; the fastest source takes 5 days)",
        "not bought, the smallest order is more than the hub can take: BIG (smallest order "
        "504 units; NGB has room for 300)"]
    empty = purchasing.PlanInput([], [], {}, {}, budget_fen=10**6)
    assert purchasing.plan(empty).notes == [
        "nothing to plan: the catalogue has no source to buy from"]
    assert purchasing.plan(_input()).notes == []
