"""Inventory's domain errors; each carries a code, an HTTP-ish status and the problems found."""

from __future__ import annotations


class InventoryError(ValueError):
    code = "inventory_error"
    status = 422

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class UnknownItem(InventoryError):
    code = "not_found"
    status = 404


class InvalidStock(InventoryError):
    code = "invalid_stock"


class StockConflict(InventoryError):
    """A change that would break a promise already made (e.g. removing reserved stock)."""

    code = "stock_conflict"
    status = 409


class OutOfStock(InventoryError):
    """Not enough available for at least one line; `short` names each SKU."""

    code = "insufficient_stock"
    status = 409

    def __init__(self, short: list[dict]) -> None:
        super().__init__("insufficient stock: " + ", ".join(s["sku"] for s in short))
        self.short = short
