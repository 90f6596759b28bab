"""The tax engine: a basket and the rule book in, a TaxQuote out (pure, Decimal, to the fen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from customs import postal
from customs.errors import InvalidBasket, computable
from customs.rules import Category, CbecRules, RuleBook, default_rules
from customs.types import FEN, Basket, BasketLine, LineTax, Reason, TaxQuote, money

ZERO = Decimal(0)
CBEC_MODES = ("1210", "9610")


def r2(value: Decimal) -> Decimal:
    """Round half-up to the fen (the rule sets' `half_up_per_tax_per_line`)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def apportion(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Share `amount` by weight, each share rounded to the fen, the remainder to the last line."""
    total = sum(weights, ZERO)
    if not weights:
        return []
    if total <= 0:
        return [ZERO] * (len(weights) - 1) + [amount]
    for mode in (ROUND_HALF_UP, ROUND_DOWN):  # floor only if half-up would starve the last line
        shares = [(amount * w / total).quantize(FEN, rounding=mode) for w in weights[:-1]]
        last = amount - sum(shares, ZERO)
        if last >= 0:
            return [*shares, last]
    raise AssertionError("floored shares never exceed the amount")


def category_of(line: BasketLine, book: RuleBook) -> tuple[str, list[Reason]]:
    """The line's own category, else its HS heading's, else `general` with a warning."""
    if line.tax_category:
        return line.tax_category, []
    found = book.category_for_hs(line.hs_code)
    if found:
        return found, []
    return "general", [Reason("category_assumed",
                              f"{line.name}: no tax category for HS code {line.hs_code or '-'}; "
                              "taxed as general goods")]


def high_end(cat: Category, line: BasketLine) -> tuple[bool, list[Reason]]:
    """Whether a unit-price threshold (cosmetics per ml/g/piece, watches per unit) is met."""
    if not cat.has_threshold:
        return True, []
    if cat.ct_min_unit_price is not None:
        return line.unit_price >= cat.ct_min_unit_price, []
    nc = line.net_content
    if nc is None:  # price per piece of the unit sold: the cautious reading
        limit = cat.ct_min_per_piece or ZERO
        return line.unit_price >= limit, [Reason(
            "net_content_missing", f"{line.name}: no net content; threshold applied per piece")]
    limit = {"ml": cat.ct_min_per_ml, "g": cat.ct_min_per_g, "piece": cat.ct_min_per_piece}
    threshold = limit[nc.unit] or ZERO
    # price per unit >= threshold, multiplied out: exact, and no tiny net content overflows
    return line.unit_price >= threshold * nc.amount, []


@dataclass(frozen=True)
class _Line:
    line: BasketLine
    category: Category
    high_end: bool
    value: Decimal  # dutiable value, to the fen


def goods_values(basket: Basket) -> list[Decimal]:
    return [r2(x.unit_price * x.qty) for x in basket.lines]


def dutiable_values(basket: Basket, rules: CbecRules) -> list[Decimal]:
    """Goods plus shares of freight and insurance, less discount shares where the rule says so."""
    goods = goods_values(basket)
    freight = apportion(basket.freight, goods)
    insurance = apportion(basket.insurance, goods)
    values = [g + f + i for g, f, i in zip(goods, freight, insurance, strict=True)]
    if rules.noncash_discount_reduces_value and basket.discount:
        if basket.discount > sum(goods, ZERO):
            raise InvalidBasket("discount above goods value",
                                [{"field": "discount", "reason": "exceeds the goods value"}])
        values = [v - d for v, d in zip(values, apportion(basket.discount, goods), strict=True)]
    return values


def _cbec_line(x: _Line, rules: CbecRules, *, full: bool) -> LineTax:
    v, cat = x.value, x.category
    c = cat.ct_rate if x.high_end else ZERO
    vat_rate = rules.vat_rate(cat)
    if full:  # full statutory taxes: duty, then CT on the tax-inclusive base, then VAT
        duty = v * (x.line.tariff_rate or ZERO)
        ct = (v + duty) / (1 - c) * c
        vat = (v + duty + ct) * vat_rate
        return LineTax(x.line.name, v, r2(duty), r2(ct), r2(vat))
    ct = v / (1 - c) * c  # statutory CT; 70% of it is charged, VAT base takes the full CT
    return LineTax(x.line.name, v, ZERO, r2(ct * rules.factor),
                   r2((v + ct) * vat_rate * rules.factor))


def _cbec(basket: Basket, book: RuleBook) -> TaxQuote:
    rules = book.cbec_on(basket.date)
    warnings: list[Reason] = []
    lines = []
    for line, value in zip(basket.lines, dutiable_values(basket, rules), strict=True):
        name, why = category_of(line, book)
        cat = rules.categories[name]
        is_high, why2 = high_end(cat, line)
        warnings += why + why2
        lines.append(_Line(line, cat, is_high, value))
    if basket.discount and not rules.noncash_discount_reduces_value:
        warnings.append(Reason("discount_not_deducted", "non-cash discounts do not reduce the "
                               "dutiable value under this rule set"))
    total = sum((x.value for x in lines), ZERO)
    single = basket.single_item
    over_single = total > rules.single_limit
    full = over_single and single and rules.over_limit_single_item == "cbec_full_tax"
    taxed = tuple(_cbec_line(x, rules, full=full) for x in lines)
    accrued = total + (sum((t.tax for t in taxed), ZERO)
                       if rules.annual_accrues == "dutiable_value_and_tax" else ZERO)
    refusals = []
    if over_single and not full:
        refusals.append(_over_single(rules, total, single))
    if basket.buyer_annual_used + accrued > rules.annual_limit:
        refusals.append(Reason("over_annual_limit", (
            f"this purchase ({money(accrued)}) would take the buyer's {basket.date.year} CBEC "
            f"total from {money(basket.buyer_annual_used)} past the annual limit of "
            f"{money(rules.annual_limit)}")))
    if refusals:
        zero = tuple(LineTax(t.name, t.dutiable_value, ZERO, ZERO, ZERO) for t in taxed)
        return TaxQuote("cbec", rules.id, False, "refused", False, basket.buyer_annual_used,
                        zero, tuple(refusals + warnings))
    if full and lines[0].line.tariff_rate is None:
        warnings.insert(0, Reason("tariff_rate_missing", (
            f"{lines[0].line.name}: no MFN duty rate given; duty computed as 0")))
    if full:
        warnings.insert(0, Reason("full_tax_single_item", (
            "a single indivisible item above the single-transaction limit: full statutory duty, "
            "consumption tax and VAT; counted in the annual total")))
    channel = "cbec_full_tax" if full else "cbec_within_limits"
    return TaxQuote("cbec", rules.id, True, channel, True, basket.buyer_annual_used + accrued,
                    taxed, tuple(warnings))


def _over_single(rules: CbecRules, total: Decimal, single: bool) -> Reason:
    text = (f"dutiable value {money(total)} is above the single-transaction limit of "
            f"{money(rules.single_limit)}")
    if single:  # only before 2019: the item must clear as general trade
        text += "; a single indivisible item above it clears only as general trade, not CBEC"
    return Reason("over_single_limit", text)


@computable(InvalidBasket, "basket")
def quote(basket: Basket | dict[str, Any], rules: RuleBook | None = None) -> TaxQuote:
    """Tax for a basket under the rule set in force on its date (the quote contract)."""
    parsed = basket if isinstance(basket, Basket) else Basket.parse(basket)
    book = rules or default_rules()
    if parsed.regime == "postal":
        return postal.quote_postal(parsed, book)
    return _cbec(parsed, book)


@computable(InvalidBasket, "basket")
def unit_tax(*, unit_price: Decimal, customs_mode: str, on: date,
             tax_category: str | None = None, hs_code: str | None = None,
             net_content: dict[str, Any] | None = None, tariff_rate: Decimal | None = None,
             rules: RuleBook | None = None) -> Decimal:
    """Tax on one unit sold alone at `unit_price` under a customs mode (routing's `unit_tax`).

    1210 and 9610 are CBEC (a unit above the single limit is priced at full tax); any other mode
    is a personal postal parcel, taxed at its tier whether or not the parcel tax would be waived.
    """
    line = {"name": "unit", "hs_code": hs_code, "tax_category": tax_category,
            "unit_price": unit_price, "qty": 1, "net_content": net_content,
            "tariff_rate": tariff_rate, "indivisible": True}
    regime = "cbec" if customs_mode in CBEC_MODES else "postal"
    book = rules or default_rules()
    basket = Basket.parse({"regime": regime, "date": on, "lines": [line]})
    q = quote(basket, book)
    if q.accepted or regime == "postal":
        return q.total_tax
    return _full_tax(basket, book)  # beyond CBEC: general trade at full statutory tax


def _full_tax(basket: Basket, book: RuleBook) -> Decimal:
    rules = book.cbec_on(basket.date)
    total = ZERO
    for line, value in zip(basket.lines, dutiable_values(basket, rules), strict=True):
        cat = rules.categories[category_of(line, book)[0]]
        total += _cbec_line(_Line(line, cat, high_end(cat, line)[0], value), rules, full=True).tax
    return total
