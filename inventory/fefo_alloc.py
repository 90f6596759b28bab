"""Pure: which lots an allocation takes from, first-expired first-out."""

from __future__ import annotations

from datetime import date

from inventory import fefo


def take(free: list[tuple[int, int, date | None]], qty: int, *, dispatch_on: date | None = None,
         min_remaining_days: int = 0) -> list[tuple[int, int]] | None:
    """(lot id, free units, expiry) -> (lot id, units) summing to qty, earliest expiry first.

    Given a dispatch day, a lot with less than `min_remaining_days` of shelf life left on it is
    never taken (the floor could not pick it). Lots without an expiry come last. None when the
    lots that may be taken together hold less than qty.
    """
    if dispatch_on is not None:
        free = [f for f in free if fefo.is_fresh_enough(
            f[2], dispatch_on=dispatch_on, min_remaining_days=min_remaining_days)]
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
