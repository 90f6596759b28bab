"""First-expired-first-out lot choice and bin walking order (pure).

A lot is eligible only if it still has the SKU's minimum remaining shelf life on the dispatch
day: expiry >= dispatch_on + min_remaining_days. Lots without an expiry date never expire and
go last. Ties on expiry go to the bin met first on the walk, so a picker visits fewer bins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class LotStock:
    """Pickable quantity of one lot in one bin."""

    lot_id: str
    sku: str
    bin: str
    qty: int
    expiry: date | None = None


@dataclass(frozen=True)
class Pick:
    """Take `qty` of `lot_id` from `bin`."""

    sku: str
    lot_id: str
    bin: str
    qty: int
    expiry: date | None
    walk_seq: int = 0


@dataclass(frozen=True)
class LinePick:
    """The picks for one demand line, and what could not be covered with fresh-enough stock."""

    sku: str
    qty: int
    picks: tuple[Pick, ...]
    short: int


def freshness_cutoff(*, dispatch_on: date, min_remaining_days: int) -> date:
    """The earliest expiry still fresh enough to dispatch on `dispatch_on`; earlier is too short."""
    return dispatch_on + timedelta(days=min_remaining_days)


def is_fresh_enough(expiry: date | None, *, dispatch_on: date, min_remaining_days: int) -> bool:
    """True when the lot still has at least `min_remaining_days` of shelf life at dispatch."""
    return expiry is None or expiry >= freshness_cutoff(dispatch_on=dispatch_on,
                                                        min_remaining_days=min_remaining_days)


def unreceivable(expiry: date | None, *, on: date, min_remaining_days: int) -> str | None:
    """Why goods with `expiry` are not received into sellable stock on `on`, or None: expired,
    or too short-dated to ship that day (counted as available, they could be sold and never
    shipped)."""
    if expiry is None:
        return None
    if expiry <= on:
        return f"{expiry} is not after today ({on}): expired goods are not received into stock"
    if not is_fresh_enough(expiry, dispatch_on=on, min_remaining_days=min_remaining_days):
        return (f"{expiry} is less than the SKU's {min_remaining_days} days of remaining shelf "
                f"life after today ({on}): goods too short-dated to ship are not received")
    return None


def _walk(bin_code: str, walk_order: Mapping[str, int]) -> tuple[int, str]:
    # Bins missing from the walk go after all known ones, in code order.
    return (walk_order.get(bin_code, 1 << 30), bin_code)


def pick_lots(lots: Iterable[LotStock], *, sku: str, qty: int, dispatch_on: date,
              min_remaining_days: int = 0,
              walk_order: Mapping[str, int] | None = None) -> LinePick:
    """Choose lots for `qty` units of `sku`, earliest expiry first, never a too-short lot."""
    if qty < 0:
        raise ValueError("qty must not be negative")
    walk_order = walk_order or {}
    candidates = sorted(
        (lot for lot in lots
         if lot.sku == sku and lot.qty > 0
         and is_fresh_enough(lot.expiry, dispatch_on=dispatch_on,
                             min_remaining_days=min_remaining_days)),
        key=lambda lot: (lot.expiry or date.max, *_walk(lot.bin, walk_order), lot.lot_id),
    )
    picks: list[Pick] = []
    left = qty
    for lot in candidates:
        if left == 0:
            break
        take = min(left, lot.qty)
        picks.append(Pick(sku=sku, lot_id=lot.lot_id, bin=lot.bin, qty=take, expiry=lot.expiry,
                          walk_seq=_walk(lot.bin, walk_order)[0]))
        left -= take
    return LinePick(sku=sku, qty=qty, picks=tuple(picks), short=left)


def plan(lines: Iterable[tuple[str, int]], lots: Iterable[LotStock], *, dispatch_on: date,
         min_remaining_days: Mapping[str, int] | None = None,
         walk_order: Mapping[str, int] | None = None) -> list[LinePick]:
    """Pick lots for several demand lines, drawing each lot down as it is used."""
    remaining = {(lot.lot_id, lot.bin): lot for lot in lots}
    min_days = min_remaining_days or {}
    out: list[LinePick] = []
    for sku, qty in lines:
        line = pick_lots(remaining.values(), sku=sku, qty=qty, dispatch_on=dispatch_on,
                         min_remaining_days=min_days.get(sku, 0), walk_order=walk_order)
        for p in line.picks:
            lot = remaining[(p.lot_id, p.bin)]
            remaining[(p.lot_id, p.bin)] = LotStock(lot.lot_id, lot.sku, lot.bin, lot.qty - p.qty,
                                                    lot.expiry)
        out.append(line)
    return out


def walking_order(picks: Iterable[Pick], walk_order: Mapping[str, int] | None = None) -> list[Pick]:
    """Picks sorted the way a picker walks: bin sequence, then bin code, SKU, expiry."""
    walk_order = walk_order or {}
    return sorted(picks, key=lambda p: (*_walk(p.bin, walk_order), p.sku,
                                        p.expiry or date.max, p.lot_id))
