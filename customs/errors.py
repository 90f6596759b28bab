"""Customs' domain errors; each carries a snake_case code, an HTTP status and the problems found."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class CustomsError(ValueError):
    code = "customs_error"
    status = 422

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [{"field": "", "reason": message}]

    def summary(self, limit: int = 300) -> str:
        """One line for an order's status reason: the code and every problem, cut to `limit`."""
        return (f"{self.code}: " + "; ".join(f"{p.get('field', '')}: {p.get('reason', '')}"
                                             for p in self.problems))[:limit]


class InvalidBasket(CustomsError):
    code = "invalid_basket"


class InvalidDeclaration(CustomsError):
    code = "invalid_declaration"


class UnknownRuleSet(CustomsError):
    """No rule set is in force on the date asked (before CBEC rules began)."""

    code = "no_rule_set"


class DocumentMismatch(CustomsError):
    """Order, payment, waybill and inventory list disagree; each problem names a field."""

    code = "document_mismatch"


class SchemaInvalid(CustomsError):
    """A message does not validate against the CEB schema."""

    code = "schema_invalid"


class InvalidReceipt(CustomsError):
    code = "invalid_receipt"


class QuotaExceeded(CustomsError):
    """The buyer's annual CBEC limit would be passed."""

    code = "quota_exceeded"
    status = 409


class UnknownBuyer(CustomsError):
    code = "not_found"
    status = 404


@contextmanager
def computable(error: type[CustomsError], field: str) -> Iterator[None]:
    """An amount that no input bound caught and Decimal cannot compute (ArithmeticError) is the
    input's fault: raised as `error` naming `field`, never a traceback or a server error.
    Usable as a decorator."""
    try:
        yield
    except ArithmeticError:
        raise error("amount out of range", [{"field": field, "reason": (
            "an amount or quantity is too large or too precise to compute")}]) from None
