"""Money as people read it: integer fen shown as CNY, exactly."""

from __future__ import annotations

from decimal import Decimal


def cny(fen: int) -> str:
    """Integer fen as CNY text with two decimals, exactly (no float on the way)."""
    return f"{Decimal(fen).scaleb(-2):.2f}"
