"""Dated, versioned tax rule sets (data in rules.toml) and the lookups the tax engine needs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from customs.errors import UnknownRuleSet

CATEGORIES = (
    "general", "food", "reduced", "electronics", "toys", "apparel", "appliances",
    "cosmetics", "watches", "jewellery",
)


@dataclass(frozen=True)
class Category:
    """How one tax category is taxed under a rule set."""

    name: str
    vat: str  # "standard" | "reduced"
    postal_tier: int
    postal_tier_high_end: int | None = None
    ct_rate: Decimal = Decimal(0)
    ct_min_per_ml: Decimal | None = None
    ct_min_per_g: Decimal | None = None
    ct_min_per_piece: Decimal | None = None
    ct_min_unit_price: Decimal | None = None

    @property
    def has_threshold(self) -> bool:
        return any(x is not None for x in (self.ct_min_per_ml, self.ct_min_per_g,
                                           self.ct_min_per_piece, self.ct_min_unit_price))


@dataclass(frozen=True)
class CbecRules:
    id: str
    effective_from: date
    single_limit: Decimal
    annual_limit: Decimal
    factor: Decimal
    vat_standard: Decimal
    vat_reduced: Decimal
    over_limit_single_item: str  # "general_trade" | "cbec_full_tax"
    rounding: str
    annual_accrues: str
    noncash_discount_reduces_value: bool
    refund_declare_days: int
    refund_return_days: int
    categories: dict[str, Category]
    sources: dict[str, str] = field(default_factory=dict)
    unconfirmed: tuple[str, ...] = ()

    def vat_rate(self, category: Category) -> Decimal:
        return self.vat_reduced if category.vat == "reduced" else self.vat_standard


@dataclass(frozen=True)
class PostalRules:
    id: str
    effective_from: date
    tiers: dict[int, Decimal]
    exemption_threshold: Decimal
    parcel_limit: Decimal
    parcel_limit_hk_mo_tw: Decimal
    hk_mo_tw: frozenset[str]
    rounding: str
    categories: dict[str, Category]
    sources: dict[str, str] = field(default_factory=dict)
    unconfirmed: tuple[str, ...] = ()

    def parcel_limit_for(self, origin: str) -> Decimal:
        return self.parcel_limit_hk_mo_tw if origin.upper() in self.hk_mo_tw else self.parcel_limit


@dataclass(frozen=True)
class RuleBook:
    """Every rule set of both regimes plus the HS-heading table."""

    cbec: tuple[CbecRules, ...]
    postal: tuple[PostalRules, ...]
    hs_headings: dict[str, str]

    def cbec_on(self, on: date) -> CbecRules:
        return _in_force(self.cbec, on, "cbec")

    def postal_on(self, on: date) -> PostalRules:
        return _in_force(self.postal, on, "postal")

    def category_for_hs(self, hs_code: str | None) -> str | None:
        if not hs_code:
            return None
        return self.hs_headings.get(hs_code.strip()[:4])


def _in_force(sets: tuple[Any, ...], on: date, regime: str) -> Any:
    found = [s for s in sets if s.effective_from <= on]
    if not found:
        first = min(s.effective_from for s in sets)
        raise UnknownRuleSet(f"no {regime} rule set in force on {on.isoformat()}",
                             [{"field": "date", "reason": f"before {first.isoformat()}"}])
    return max(found, key=lambda s: s.effective_from)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _category(name: str, raw: dict[str, Any]) -> Category:
    return Category(
        name=name, vat=raw.get("vat", "standard"), postal_tier=int(raw["postal_tier"]),
        postal_tier_high_end=raw.get("postal_tier_high_end"),
        ct_rate=Decimal(str(raw.get("ct_rate", "0"))),
        ct_min_per_ml=_dec(raw.get("ct_min_per_ml")), ct_min_per_g=_dec(raw.get("ct_min_per_g")),
        ct_min_per_piece=_dec(raw.get("ct_min_per_piece")),
        ct_min_unit_price=_dec(raw.get("ct_min_unit_price")),
    )


def _merged(raw_sets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resolve `based_on`: each set inherits every key (categories key by key) it does not set."""
    by_id: dict[str, dict[str, Any]] = {}
    for raw in raw_sets:
        base = dict(by_id[raw["based_on"]]) if "based_on" in raw else {}
        merged = {**base, **{k: v for k, v in raw.items() if k not in ("categories", "sources")}}
        cats = {k: dict(v) for k, v in base.get("categories", {}).items()}
        for name, over in raw.get("categories", {}).items():
            cats[name] = {**cats.get(name, {}), **over}
        merged["categories"] = cats
        merged["sources"] = {**base.get("sources", {}), **raw.get("sources", {})}
        merged["unconfirmed"] = list(base.get("unconfirmed", [])) + [
            u for u in raw.get("unconfirmed", []) if u not in base.get("unconfirmed", [])]
        by_id[raw["id"]] = merged
    return list(by_id.values())


def _categories(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Category]:
    return {n: _category(n, {**base[n], **over.get(n, {})}) for n in base}


def build(data: dict[str, Any]) -> RuleBook:
    """A RuleBook from the parsed TOML structure (also used by tests with edited data)."""
    base_cats = data["categories"]
    cbec = tuple(
        CbecRules(
            id=m["id"], effective_from=m["effective_from"],
            single_limit=Decimal(m["single_limit"]), annual_limit=Decimal(m["annual_limit"]),
            factor=Decimal(m["factor"]), vat_standard=Decimal(m["vat_standard"]),
            vat_reduced=Decimal(m["vat_reduced"]),
            over_limit_single_item=m["over_limit_single_item"], rounding=m["rounding"],
            annual_accrues=m["annual_accrues"],
            noncash_discount_reduces_value=bool(m["noncash_discount_reduces_value"]),
            refund_declare_days=int(m["refund_declare_days"]),
            refund_return_days=int(m["refund_return_days"]),
            categories=_categories(base_cats, m["categories"]), sources=m["sources"],
            unconfirmed=tuple(m["unconfirmed"]),
        )
        for m in _merged(data["cbec"])
    )
    postal = tuple(
        PostalRules(
            id=m["id"], effective_from=m["effective_from"],
            tiers={1: Decimal(m["tier1"]), 2: Decimal(m["tier2"]), 3: Decimal(m["tier3"])},
            exemption_threshold=Decimal(m["exemption_threshold"]),
            parcel_limit=Decimal(m["parcel_limit"]),
            parcel_limit_hk_mo_tw=Decimal(m["parcel_limit_hk_mo_tw"]),
            hk_mo_tw=frozenset(m["hk_mo_tw"]), rounding=m["rounding"],
            categories=_categories(base_cats, {}), sources=m["sources"],
            unconfirmed=tuple(m["unconfirmed"]),
        )
        for m in _merged(data["postal"])
    )
    return RuleBook(cbec=cbec, postal=postal, hs_headings=dict(data["hs_headings"]))


def load_data() -> dict[str, Any]:
    """The parsed rules.toml shipped with the package."""
    text = resources.files("customs").joinpath("rules.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The bundled rule book (cached: it is immutable)."""
    return build(load_data())
