"""Community signals and sales history: CSV parsing and row validation (contract forecast.md).

A file with one bad row is refused whole; the error lists every bad row by its line number.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from inventory.planning_errors import InvalidSignals

SIGNAL_FIELDS = ("notes", "likes", "saves", "comments", "shares", "searches")
_MAX_COUNT = 10**9  # a day's count above this is a broken export, not activity


@dataclass(frozen=True)
class SignalRow:
    """What the community did with one SKU on one day."""

    day: date
    sku: str
    notes: int = 0
    likes: int = 0
    saves: int = 0
    comments: int = 0
    shares: int = 0
    searches: int = 0


@dataclass(frozen=True)
class SaleRow:
    """Units of one SKU sold on one day."""

    day: date
    sku: str
    units: int


Row = TypeVar("Row", SignalRow, SaleRow)


def parse_signals(text: str) -> list[SignalRow]:
    """Parse a signals CSV (`date,sku,notes,likes,saves,comments,shares,searches`)."""
    with collector_paused():
        return _parse(text, SIGNAL_FIELDS, SignalRow, what="signals")


def parse_sales(text: str) -> list[SaleRow]:
    """Parse a sales CSV (`date,sku,units`)."""
    with collector_paused():
        return _parse(text, ("units",), SaleRow, what="sales")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while millions of rows are made: it rescans every live
    object each time allocations pile up, a third of a 600,000-row parse, and rows hold no
    cycles to find. Reference counting still frees everything; other threads lose only the
    cycle collection for that long."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def signals_to_csv(rows: list[SignalRow]) -> str:
    """Write signal rows back in the contract's format (used by worlds and tests)."""
    out = io.StringIO()
    out.write("date,sku," + ",".join(SIGNAL_FIELDS) + "\n")
    for r in rows:
        counts = ",".join(str(getattr(r, f)) for f in SIGNAL_FIELDS)
        out.write(f"{r.day.isoformat()},{r.sku},{counts}\n")
    return out.getvalue()


def sales_to_csv(rows: list[SaleRow]) -> str:
    """Write sales rows back in the contract's format."""
    out = io.StringIO()
    out.write("date,sku,units\n")
    for r in rows:
        out.write(f"{r.day.isoformat()},{r.sku},{r.units}\n")
    return out.getvalue()


def _parse(text: str, count_fields: tuple[str, ...], make: Callable[..., Row], *, what: str
           ) -> list[Row]:
    """Validate every row; raise InvalidSignals listing all problems, or return clean rows,
    each `make(day, sku, *counts)` with its counts in the order of `count_fields`."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [f for f in ("date", "sku", *count_fields) if f not in header]
    if missing:
        raise InvalidSignals(f"{what} file header lacks {', '.join(missing)}",
                             [{"field": "header", "reason": f"missing column {m!r}"}
                              for m in missing])
    index = {name: header.index(name) for name in ("date", "sku", *count_fields)}
    problems: list[dict] = []
    rows: list[Row] = []
    seen: dict[tuple[date, str], int] = {}
    at_date, at_sku = index["date"], index["sku"]
    at_counts = [index[name] for name in count_fields]
    for line_no, cells in enumerate(reader, start=2):
        row, row_problems = _clean_row(cells, at_date, at_sku, at_counts, make), []
        if row is None:
            if not any(c.strip() for c in cells):
                continue  # blank line at the end of an export
            values, row_problems = _row(cells, index, count_fields, line_no)
            row = None if values is None else make(values[0], values[1], *values[2])
        if row is not None:
            key = (row.day, row.sku)
            if key in seen:
                row_problems.append({"field": f"row {line_no}",
                                     "reason": f"duplicate of row {seen[key]} "
                                               f"(same date and sku)"})
            else:
                seen[key] = line_no
        problems.extend(row_problems)
        if row is not None and not row_problems:
            rows.append(row)
    if problems:
        bad = sorted({int(p["field"].split()[1].split(".")[0]) for p in problems})
        shown = ", ".join(str(n) for n in bad[:20]) + (" ..." if len(bad) > 20 else "")
        raise InvalidSignals(f"{what} file refused: {len(bad)} bad row(s): {shown}", problems)
    return rows


def _clean_row(cells: list[str], at_date: int, at_sku: int, at_counts: list[int],
               make: Callable[..., Row]) -> Row | None:
    """A row whose cells are already clean, read in one try (exports run to a million rows);
    None sends anything else (blanks, padding, 3.0, a bad value) down `_row`'s careful path."""
    try:
        day, sku, counts = (date.fromisoformat(cells[at_date]), cells[at_sku].strip(),
                            [int(cells[i]) for i in at_counts])
    except (ValueError, IndexError):
        return None
    return make(day, sku, *counts) if sku and 0 <= min(counts) and max(counts) <= _MAX_COUNT \
        else None


def _row(cells: list[str], index: dict[str, int], count_fields: tuple[str, ...], line_no: int
         ) -> tuple[tuple[date, str, tuple[int, ...]] | None, list[dict]]:
    """One row: its values, or None and the reasons it is bad."""
    problems: list[dict] = []

    def cell(name: str) -> str:
        i = index[name]
        return cells[i].strip() if i < len(cells) else ""

    day: date | None = None
    try:
        day = date.fromisoformat(cell("date"))
    except ValueError:
        problems.append({"field": f"row {line_no}.date",
                         "reason": f"not an ISO date (YYYY-MM-DD): {cell('date')!r}"})
    sku = cell("sku")
    if not sku:
        problems.append({"field": f"row {line_no}.sku", "reason": "must not be empty"})
    counts: list[int] = []
    for name in count_fields:
        raw = cell(name)
        value = _count(raw)
        if value is None:
            problems.append({"field": f"row {line_no}.{name}",
                             "reason": f"must be a non-negative integer, got {raw!r}"})
        else:
            counts.append(value)
    if problems or day is None:
        return None, problems
    return (day, sku, tuple(counts)), problems


def _count(raw: str) -> int | None:
    """A non-negative whole count; an empty cell means zero (a missing value is no activity)."""
    if raw == "":
        return 0
    try:
        value = int(raw)
    except ValueError:
        try:
            as_float = float(raw)
        except ValueError:
            return None
        if not as_float.is_integer():
            return None
        value = int(as_float)
    return value if 0 <= value <= _MAX_COUNT else None
