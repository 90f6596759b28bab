"""Pure: which lots an allocation takes from, first-expired first-out."""

from __future__ import annotations

from datetime import date


def take(free: list[tuple[int, int, date | None]], qty: int) -> list[tuple[int, int]] | None:
    """(lot id, free units, expiry) -> (lot id, units) summing to qty, earliest expiry first.

    Lots without an expiry come last. None when the lots together hold less than qty.
    """
    order = sorted(free, key=lambda f: (f[2] is None, f[2] or date.max, f[0]))
    takes: list[tuple[int, int]] = []
    left = qty
    for lot_id, units, _ in order:
        if left == 0:
            break
        n = min(units, left)
        if n > 0:
            takes.append((lot_id, n))
            left -= n
    return None if left else takes
