"""Postal-articles tax (行邮税) on a personal parcel: tier rate per article, waiver, parcel limit.

The single postal tax stands for duty, VAT and consumption tax together; the quote reports it in
`customs_duty` (consumption tax and VAT 0.00) so that the breakdown still adds up to the total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from customs.rules import RuleBook
from customs.types import FEN, Basket, LineTax, Reason, TaxQuote, money

ZERO = Decimal(0)


def quote_postal(basket: Basket, book: RuleBook) -> TaxQuote:
    """Postal-articles tax for the parcel under the postal rule set in force on its date."""
    from customs import tax  # shared helpers (category, thresholds); tax imports this module

    rules = book.postal_on(basket.date)
    warnings: list[Reason] = []
    taxed = []
    for line in basket.lines:
        name, why = tax.category_of(line, book)
        cat = rules.categories[name]
        is_high, why2 = tax.high_end(cat, line)
        warnings += why + why2
        tier = cat.postal_tier_high_end if (is_high and cat.postal_tier_high_end) else (
            cat.postal_tier)
        # the customs list price of the article where one exists, else the price paid
        unit = line.list_price if line.list_price is not None else line.unit_price
        value = (unit * line.qty).quantize(FEN, rounding=ROUND_HALF_UP)
        duty = (value * rules.tiers[tier]).quantize(FEN, rounding=ROUND_HALF_UP)
        taxed.append(LineTax(line.name, value, duty, ZERO, ZERO))
    goods = sum((t.dutiable_value for t in taxed), ZERO)
    limit = rules.parcel_limit_for(basket.origin)
    single = basket.single_item
    used = basket.buyer_annual_used  # postal parcels do not count toward the CBEC annual total
    if goods > limit and not single:
        reason = Reason("over_parcel_limit", (
            f"goods value {money(goods)} is above the personal parcel limit of {money(limit)}"
            f"{' for parcels from ' + basket.origin.upper() if basket.origin else ''}; "
            "such a parcel is returned or cleared as goods"))
        zero = tuple(LineTax(t.name, t.dutiable_value, ZERO, ZERO, ZERO) for t in taxed)
        return TaxQuote("postal", rules.id, False, "refused", False, used, zero,
                        (reason, *warnings))
    total = sum((t.tax for t in taxed), ZERO)
    payable = total > rules.exemption_threshold
    if not payable:
        warnings.insert(0, Reason("tax_waived", (
            f"postal tax {money(total)} is at or below {money(rules.exemption_threshold)} "
            "and is waived")))
    return TaxQuote("postal", rules.id, True, "postal", payable, used, tuple(taxed),
                    tuple(warnings))
