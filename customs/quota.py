"""The buyer's annual CBEC quota: a pure check over what is used and provisionally held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from customs.errors import QuotaExceeded
from customs.rules import RuleBook, default_rules
from customs.types import money

ZERO = Decimal(0)


@dataclass(frozen=True)
class QuotaStatus:
    """A buyer's calendar year: cleared (used), provisionally held, and what remains."""

    year: int
    limit: Decimal
    used: Decimal
    held: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.limit - self.used - self.held, ZERO)

    def to_json(self) -> dict:
        return {"year": self.year, "limit": money(self.limit), "used": money(self.used),
                "held": money(self.held), "remaining": money(self.remaining)}


def annual_limit(on: date, rules: RuleBook | None = None) -> Decimal:
    """The annual CBEC limit of the rule set in force on that day."""
    return (rules or default_rules()).cbec_on(on).annual_limit


def check(status: QuotaStatus, amount: Decimal) -> None:
    """Raise QuotaExceeded if holding `amount` more would pass the annual limit."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if status.used + status.held + amount > status.limit:
        raise QuotaExceeded(
            f"annual CBEC limit {money(status.limit)} for {status.year} would be exceeded",
            [{"field": "buyer", "reason": (
                f"used {money(status.used)}, held {money(status.held)}, this order "
                f"{money(amount)}: above the annual limit of {money(status.limit)}")}])


def fits(status: QuotaStatus, amount: Decimal) -> bool:
    try:
        check(status, amount)
    except QuotaExceeded:
        return False
    return True


def refund_problems(*, released_on: date, declared_on: date, returned_on: date | None,
                    rules: RuleBook | None = None) -> list[dict]:
    """Why a return does not refund tax and quota ([] when it does): the 30/45-day windows."""
    r = (rules or default_rules()).cbec_on(released_on)
    problems = []
    if (declared_on - released_on).days > r.refund_declare_days:
        problems.append({"field": "declared_on", "reason": (
            f"return declared more than {r.refund_declare_days} days after release")})
    if returned_on is None:
        problems.append({"field": "returned_on", "reason": "goods not back in the warehouse"})
    elif (returned_on - released_on).days > r.refund_return_days:
        problems.append({"field": "returned_on", "reason": (
            f"goods back more than {r.refund_return_days} days after release")})
    return problems
