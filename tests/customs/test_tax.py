"""Worked examples, exact to the fen, each with its source."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from customs.errors import InvalidBasket, UnknownRuleSet
from customs.rules import CATEGORIES, default_rules
from customs.tax import apportion, quote, unit_tax
from tests.builders import EXAMPLES

D = Decimal


def basket(*lines: dict, regime: str = "cbec", on: str = "2026-11-22", **extra) -> dict:
    return {"regime": regime, "date": on, "origin": extra.pop("origin", "JP"),
            "lines": list(lines), **extra}


def line(price: str, category: str, qty: int = 1, **extra) -> dict:
    return {"name": f"{category} item", "unit_price": price, "qty": qty,
            "tax_category": category, **extra}


def test_contract_example_high_end_serum_435_gives_100_31() -> None:
    """shared/contracts/customs.md, Quote: serum 425.00 + freight 10.00, 20 g, on 2026-11-22."""
    data = json.loads((EXAMPLES / "basket.json").read_text())
    expected = json.loads((EXAMPLES / "basket.expected.json").read_text())
    got = quote(data).to_json()
    for key, value in expected.items():
        assert got[key] == value, key
    assert got["rule_set"] == "cn-cbec-2019-04-01"
    assert got["lines"][0]["tax"] == "100.31"


def test_ningbo_customs_skincare_425_for_20_g_pays_98_00() -> None:
    """Ningbo Customs Q&A "跨境电商零售进口商品如何征收税款" (People's Daily Overseas Edition,
    2025-11-14; English at cceeccic.org 2025-11-18): a skincare product at 425 CNY for 20 g is
    high-end (21.25 CNY/g). 425 / 0.85 * 0.15 * 0.7 = 52.50 CT; (425 + 75) * 0.13 * 0.7 = 45.50
    VAT; 98.00 in all, as shared/examples/declaration.json withholds (tax_total 98.00, paid
    523.00)."""
    q = quote(basket(line("425.00", "cosmetics", hs_code="3304990099",
                          net_content={"amount": "20", "unit": "g"})))
    assert (q.consumption_tax, q.vat, q.total_tax) == (D("52.50"), D("45.50"), D("98.00"))


def test_ordinary_goods_500_pay_9_1_percent_45_50() -> None:
    """calculatorultra.com, "China Cross-Border E-commerce Comprehensive Tax Calculator"
    (2024-09-29): a product priced at 500 CNY pays 500 x 9.1% = 45.5 CNY."""
    q = quote(basket(line("500.00", "general")))
    assert (q.customs_duty, q.consumption_tax, q.vat, q.total_tax) == (
        D("0.00"), D("0.00"), D("45.50"), D("45.50"))


def test_high_end_cosmetics_effective_rate_23_06_percent() -> None:
    """shared/contracts/customs.md (财关税〔2016〕18号 formula): high-end cosmetics come to
    23.06%: 1000 -> CT 123.53 + VAT 107.06 = 230.59."""
    q = quote(basket(line("1000.00", "cosmetics", net_content={"amount": "50", "unit": "ml"})))
    assert (q.consumption_tax, q.vat, q.total_tax) == (D("123.53"), D("107.06"), D("230.59"))


def test_ordinary_cosmetics_below_threshold_pay_no_consumption_tax() -> None:
    """财税〔2016〕103号: below 10 CNY per ml the cosmetic is not high-end (CT 0)."""
    q = quote(basket(line("90.00", "cosmetics", net_content={"amount": "100", "unit": "ml"})))
    assert (q.consumption_tax, q.vat) == (D("0.00"), D("8.19"))


def test_vat_steps_follow_the_order_date() -> None:
    """财税〔2018〕32号 (16% from 2018-05-01), 公告2019年第39号 (13% from 2019-04-01)."""
    def vat(on: str) -> Decimal:
        return quote(basket(line("100.00", "general"), on=on)).vat
    assert vat("2017-06-01") == D("11.90")
    assert vat("2018-05-01") == D("11.20")
    assert vat("2019-03-31") == D("11.20")
    assert vat("2019-04-01") == D("9.10")
    assert quote(basket(line("100.00", "reduced"), on="2018-01-01")).vat == D("7.70")
    # a timestamp counts on its China day: 16:30 UTC on 31 March is 1 April in Shanghai
    assert vat("2019-03-31T16:30:00Z") == D("9.10")
    assert vat("2019-03-31T23:30:00+08:00") == D("11.20")


def test_cosmetics_follow_the_contracts_high_end_rule_from_the_first_cbec_rule_set() -> None:
    """shared/contracts/customs.md states the cosmetics rule with no start date: 15% when at
    least 10 CNY per ml, ordinary cosmetics 0. On 2016-06-01 (VAT 17%): 100.00 for 200 ml is
    ordinary, VAT 100 * 17% * 0.7 = 11.90; 300.00 for 20 ml is high-end,
    CT 300 / 0.85 * 0.15 * 0.7 = 37.06, VAT (300 + 52.94) * 17% * 0.7 = 42.00."""
    ordinary = quote(basket(line("100.00", "cosmetics",
                                 net_content={"amount": "200", "unit": "ml"}), on="2016-06-01"))
    assert ordinary.rule_set == "cn-cbec-2016-04-08"
    assert (ordinary.consumption_tax, ordinary.vat, ordinary.total_tax) == (
        D("0.00"), D("11.90"), D("11.90"))
    high = quote(basket(line("300.00", "cosmetics", net_content={"amount": "20", "unit": "ml"}),
                        on="2016-06-01"))
    assert (high.consumption_tax, high.vat) == (D("37.06"), D("42.00"))


# shared/contracts/customs.md, Tax categories: VAT kind, consumption-tax rate and its threshold,
# postal tier and the tier when high-end
CONTRACT_TABLE = {
    "general": ("standard", "0", {}, 2, None), "food": ("standard", "0", {}, 1, None),
    "reduced": ("reduced", "0", {}, 1, None), "electronics": ("standard", "0", {}, 1, None),
    "toys": ("standard", "0", {}, 1, None), "apparel": ("standard", "0", {}, 2, None),
    "appliances": ("standard", "0", {}, 2, None),
    "cosmetics": ("standard", "0.15", {"ct_min_per_ml": D(10), "ct_min_per_g": D(10),
                                       "ct_min_per_piece": D(15)}, 2, 3),
    "watches": ("standard", "0.20", {"ct_min_unit_price": D(10000)}, 2, 3),
    "jewellery": ("standard", "0.10", {}, 3, None),
}


def test_every_rule_set_taxes_the_categories_as_the_contracts_table() -> None:
    book = default_rules()
    for rules in (*book.cbec, *book.postal):
        assert set(rules.categories) == set(CONTRACT_TABLE), rules.id
        for name, (vat, ct, thresholds, tier, tier_high) in CONTRACT_TABLE.items():
            cat = rules.categories[name]
            assert (cat.vat, cat.ct_rate, cat.postal_tier, cat.postal_tier_high_end) == (
                vat, D(ct), tier, tier_high), (rules.id, name)
            for key in ("ct_min_per_ml", "ct_min_per_g", "ct_min_per_piece",
                        "ct_min_unit_price"):
                assert getattr(cat, key) == thresholds.get(key), (rules.id, name, key)


def test_no_rule_set_before_2016_04_08() -> None:
    with pytest.raises(UnknownRuleSet):
        quote(basket(line("100.00", "general"), on="2016-04-07"))


def test_limits_2000_until_2018_then_5000() -> None:
    """财关税〔2016〕18号 (2000/20000) and 财关税〔2018〕49号 (5000/26000 from 2019-01-01)."""
    big = line("3000.00", "general", qty=1)
    assert quote(basket(big, on="2018-12-31")).channel == "refused"
    assert quote(basket(big, on="2019-01-01")).channel == "cbec_within_limits"


def test_single_indivisible_item_over_limit_pays_full_tax() -> None:
    """财关税〔2018〕49号: one item above 5000, alone in the order: full duty, CT and VAT.
    A watch at 12000 with 8% duty: duty 960, CT 12960 / 0.8 * 0.2 = 3240, VAT 16200 * 13%."""
    q = quote(basket(line("12000.00", "watches", tariff_rate="0.08", indivisible=True)))
    assert q.channel == "cbec_full_tax" and q.accepted
    assert (q.customs_duty, q.consumption_tax, q.vat, q.total_tax) == (
        D("960.00"), D("3240.00"), D("2106.00"), D("6306.00"))
    assert q.annual_used_after == D("12000.00")
    assert q.reasons[0].code == "full_tax_single_item"


def test_over_single_limit_before_2019_goes_to_general_trade() -> None:
    q = quote(basket(line("2500.00", "general", indivisible=True), on="2018-06-01"))
    assert not q.accepted and q.reasons[0].code == "over_single_limit"


def test_one_item_alone_over_the_limit_needs_no_flag_but_a_divisible_one_is_refused() -> None:
    """财关税〔2018〕49号: 订单下仅一件商品 — one article alone in the order."""
    assert quote(basket(line("6000.00", "electronics"))).channel == "cbec_full_tax"
    divisible = line("6000.00", "electronics", indivisible=False)
    assert quote(basket(divisible)).channel == "refused"


def test_over_limit_is_refused_without_suggesting_a_split() -> None:
    q = quote(basket(line("2000.00", "general", qty=3)))
    assert (q.accepted, q.channel, q.total_tax) == (False, "refused", D("0.00"))
    assert [r.code for r in q.reasons] == ["over_single_limit"]
    assert all("split" not in r.message.lower() for r in q.reasons)


def test_annual_limit_refuses_the_order_that_would_pass_it() -> None:
    q = quote(basket(line("425.00", "general"), buyer_annual_used="25800.00"))
    assert not q.accepted and q.reasons[0].code == "over_annual_limit"
    assert q.annual_used_after == D("25800.00")
    ok = quote(basket(line("200.00", "general"), buyer_annual_used="25800.00"))
    assert ok.accepted and ok.annual_used_after == D("26000.00")


def test_jewellery_pays_10_percent_consumption_tax() -> None:
    """消费税暂行条例 税目税率表: 贵重首饰及珠宝玉石 10%."""
    q = quote(basket(line("1000.00", "jewellery")))
    assert (q.consumption_tax, q.vat, q.total_tax) == (D("77.78"), D("101.11"), D("178.89"))


def test_freight_shared_by_value_with_the_remainder_to_the_last_line() -> None:
    assert apportion(D("10.00"), [D(1), D(1), D(1)]) == [D("3.33"), D("3.33"), D("3.34")]
    assert apportion(D("10.00"), [D(2), D(1)]) == [D("6.67"), D("3.33")]
    q = quote(basket(line("100.00", "general"), line("200.00", "general"), freight="10.00"))
    assert [x.dutiable_value for x in q.lines] == [D("103.33"), D("206.67")]


def test_hs_heading_maps_to_a_category_and_the_sku_may_override() -> None:
    lines = [{"name": "formula", "hs_code": "1901101000", "unit_price": "300", "qty": 1}]
    assert quote(basket(*lines)).vat == D("27.30")
    lines[0]["tax_category"] = "reduced"
    assert quote(basket(*lines)).vat == D("18.90")


@pytest.mark.parametrize(("hs_code", "ct", "vat", "postal"), [
    # jewellery of precious metal (here gold set with diamonds): CT at retail, not at import;
    # postal Tier 1 "gold and silver"
    ("7113191100", "0.00", "91.00", "130.00"),
    ("3004909099", "0.00", "91.00", "130.00"),  # medicaments: postal Tier 1 "medicines"
    ("3003900000", "0.00", "91.00", "130.00"),
    ("7116200000", "77.78", "101.11", "500.00"),  # articles of precious stones, jade: 10%, Tier 3
    ("7117190000", "0.00", "91.00", "200.00"),  # imitation jewellery: not precious, Tier 2
    ("8518300000", "0.00", "91.00", "200.00"),  # headphones: not computers or cameras, Tier 2
    ("4902000000", "0.00", "63.00", "130.00"),  # periodicals: publications, 9% VAT, Tier 1
    ("1901101000", "0.00", "91.00", "130.00"),  # infant formula: food
])
def test_hs_heading_fallback_gives_the_contracts_answer_in_both_regimes(
        hs_code: str, ct: str, vat: str, postal: str) -> None:
    """1000.00, no tax_category: CBEC on the heading's category, and postal at its tier."""
    goods = {"name": "item", "hs_code": hs_code, "unit_price": "1000.00", "qty": 1}
    cbec = quote(basket(goods))
    assert (cbec.consumption_tax, cbec.vat) == (D(ct), D(vat))
    post = quote(basket(goods, regime="postal"))
    assert (post.channel, post.total_tax) == ("postal", D(postal))
    assert "category_assumed" not in {r.code for r in (*cbec.reasons, *post.reasons)}


def test_every_hs_heading_names_a_contract_category() -> None:
    headings = default_rules().hs_headings
    assert headings and all(len(h) == 4 and h.isdigit() for h in headings)
    assert set(headings.values()) <= set(CATEGORIES)


def test_postal_tax_is_waived_at_or_below_50() -> None:
    """海关总署公告2010年第43号: postal import tax of 50 CNY or less is exempt;
    税委会〔2019〕17号: food 13%, so 300 -> 39.00, waived."""
    q = quote(basket(line("300.00", "food"), regime="postal"))
    assert (q.channel, q.total_tax, q.payable) == ("postal", D("39.00"), False)
    q = quote(basket(line("500.00", "food"), regime="postal"))
    assert (q.total_tax, q.payable, q.rule_set) == (D("65.00"), True, "cn-postal-2019-04-09")


def test_postal_tiers_by_date_and_list_price() -> None:
    """税委会〔2018〕49号 (15/25/50 from 2018-11-01), 〔2016〕2号 (15/30/60 from 2016-04-08)."""
    apparel = line("400.00", "apparel", list_price="300.00")
    assert quote(basket(apparel, regime="postal", on="2019-05-01")).total_tax == D("60.00")
    assert quote(basket(apparel, regime="postal", on="2018-12-01")).total_tax == D("75.00")
    assert quote(basket(apparel, regime="postal", on="2017-01-01")).total_tax == D("90.00")


def test_postal_parcel_limit_800_from_hong_kong_1000_elsewhere() -> None:
    """海关总署公告2010年第43号: 800 CNY per parcel from HK/MO/TW, 1000 from elsewhere."""
    goods = [line("450.00", "general"), line("450.00", "general")]
    assert quote(basket(*goods, regime="postal", origin="HK")).channel == "refused"
    assert quote(basket(*goods, regime="postal", origin="JP")).channel == "postal"
    single = line("1500.00", "electronics", indivisible=True)
    assert quote(basket(single, regime="postal")).channel == "postal"


def test_unit_tax_per_customs_mode() -> None:
    kwargs = {"unit_price": D("425.00"), "on": date(2026, 11, 22), "tax_category": "cosmetics",
              "net_content": {"amount": "30", "unit": "ml"}}
    assert unit_tax(customs_mode="1210", **kwargs) == D("98.00")
    assert unit_tax(customs_mode="9610", **kwargs) == D("98.00")
    assert unit_tax(customs_mode="postal", **kwargs) == D("212.50")


def test_bad_basket_names_each_field() -> None:
    with pytest.raises(InvalidBasket) as err:
        quote({"regime": "cbec", "date": "2026-11-22",
               "lines": [{"name": "x", "unit_price": "-1", "qty": 0, "tax_category": "nope"}]})
    fields = {p["field"] for p in err.value.problems}
    assert {"lines[0].unit_price", "lines[0].qty", "lines[0].tax_category"} <= fields


@pytest.mark.parametrize(("where", "key", "value", "field", "bound"), [
    ("line", "unit_price", "1" + "0" * 30, "lines[0].unit_price", "1000000000000"),
    ("line", "unit_price", "1000000000000", "lines[0].unit_price", "1000000000000"),
    ("line", "list_price", "1" + "0" * 30, "lines[0].list_price", "1000000000000"),
    ("line", "qty", 10**30, "lines[0].qty", "1000000"),
    ("line", "net_content", {"amount": "10000000", "unit": "g"}, "lines[0].net_content.amount",
     "1000000"),
    ("basket", "freight", "1" + "0" * 30, "freight", "1000000000000"),
    ("basket", "insurance", "1" + "0" * 30, "insurance", "1000000000000"),
    ("basket", "discount", "1" + "0" * 30, "discount", "1000000000000"),
    ("basket", "buyer_annual_used", "1" + "0" * 30, "buyer_annual_used", "1000000000000"),
])
def test_amounts_beyond_the_bounds_are_refused_naming_the_field_and_the_bound(
        where: str, key: str, value: object, field: str, bound: str) -> None:
    """Once beyond 28 digits, rounding to the fen raised decimal.InvalidOperation."""
    goods = line("425.00", "general")
    data = basket(goods)
    (goods if where == "line" else data)[key] = value
    for regime in ("cbec", "postal"):
        with pytest.raises(InvalidBasket) as err:
            quote({**data, "regime": regime})
        assert [p["field"] for p in err.value.problems] == [field]
        assert bound in err.value.problems[0]["reason"]


@pytest.mark.parametrize(("where", "key", "value", "field"), [
    ("line", "net_content", {"amount": "１２", "unit": "g"}, "lines[0].net_content.amount"),
    ("line", "net_content", {"amount": "1e3", "unit": "g"}, "lines[0].net_content.amount"),
    ("line", "net_content", {"amount": "1_000", "unit": "ml"}, "lines[0].net_content.amount"),
    ("basket", "origin", "x", "origin"),
    ("basket", "origin", "J1", "origin"),
])
def test_a_net_content_or_origin_not_written_plainly_is_refused(where: str, key: str,
                                                               value: object,
                                                               field: str) -> None:
    goods = line("425.00", "general")
    data = basket(goods)
    (goods if where == "line" else data)[key] = value
    with pytest.raises(InvalidBasket) as err:
        quote(data)
    assert [p["field"] for p in err.value.problems] == [field]


def test_a_net_content_as_a_json_number_and_a_lower_case_origin_are_read() -> None:
    goods = line("425.00", "cosmetics")
    goods["net_content"] = {"amount": 20, "unit": "g"}
    assert quote({**basket(goods), "origin": "jp"}).accepted


def test_the_largest_amounts_within_the_bounds_are_computed() -> None:
    most = "999999999999.99"
    many = line(most, "watches", qty=999999, tariff_rate="10", list_price=most)
    for regime in ("cbec", "postal"):  # valued and taxed to the fen, then refused over limits
        q = quote(basket(many, regime=regime, freight=most, buyer_annual_used=most))
        assert q.channel == "refused" and q.dutiable_value > 10**17
    one = line(most, "watches", indivisible=True)
    assert quote(basket(one, regime="postal")).total_tax == D("500000000000.00")  # Tier 3
    assert unit_tax(unit_price=D(most), customs_mode="1210", on=date(2026, 11, 22),
                    tax_category="cosmetics", tariff_rate=D("10"),
                    net_content={"amount": "0.000001", "unit": "ml"}) > 10**13


def test_negative_zero_inputs_never_print_as_negative_zero() -> None:
    """"-0.00" passes the `ge=0` checks; money printed from it is "0.00"."""
    zero = line("-0.00", "general", tariff_rate="-0", list_price="-0.00")
    for regime in ("cbec", "postal"):
        out = json.dumps(quote(basket(zero, regime=regime, freight="-0.00", insurance="-0",
                                      buyer_annual_used="-0.00")).to_json())
        assert '"-0.00"' not in out and '"annual_used_after": "0.00"' in out
