"""Community signals and sales history: CSV parsing and row validation (contract forecast.md).

A file with one bad row is refused whole; the error lists every bad row by its line number.
Only the contract's forms are read: `YYYY-MM-DD` dates from 2000 to 2999, counts in ASCII digits
(`3.0` too), SKUs that fit the database's VARCHAR(64) with no control characters.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import TypeVar

from inventory.csv_text import records, refuse_repeats, unreadable
from inventory.planning_errors import InvalidSignals

SIGNAL_FIELDS = ("notes", "likes", "saves", "comments", "shares", "searches")
_MAX_COUNT = 10**9  # a day's likes etc. above this is a broken export, not activity
# a day's units of one SKU above this is a broken export; it also keeps the forecast's p90
# well inside the 32-bit integer the database stores it in
_MAX_UNITS = 10_000_000
_MAX_SKU = 64  # the sku_id columns are VARCHAR(64)
# the forecast lays out one column per day from the earliest date: a typo like 1026 must not
# pass; fixed bounds, not the clock, so parsing stays pure
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"([0-9]+)")
_WHOLE = re.compile(r"([0-9]+)(?:\.0+)?")  # 3 or 3.0, never 1e3, +3, 1_000 or non-ASCII digits


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
        return _parse(text, SIGNAL_FIELDS, SignalRow, ceiling=_MAX_COUNT, what="signals")


def parse_sales(text: str) -> list[SaleRow]:
    """Parse a sales CSV (`date,sku,units`)."""
    with collector_paused():
        return _parse(text, ("units",), SaleRow, ceiling=_MAX_UNITS, what="sales")


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


def header_names(text: str) -> list[str]:
    """The header row's column names as the parser reads them (CSV quoting, no BOM, padding
    stripped, lower case); `signals import` tells sales from signals by them."""
    header = records(csv.reader(io.StringIO(text.lstrip("\ufeff"))),
                     unreadable(InvalidSignals, "file"))
    return [h.strip().lower() for h in next(header, [])]


def file_kind(header: list[str]) -> str:
    """`sales` or `signals`, told by a header as `header_names` reads it: `units` makes it
    sales. A header with `units` and every signal column is both at once and is refused: read
    as either kind, the other kind's columns would be dropped without a word. (Other extra
    columns are allowed, as the contract says.)"""
    if "units" not in header:
        return "signals"
    if all(f in header for f in SIGNAL_FIELDS):
        raise InvalidSignals("file header names both sales and signals columns",
                             [{"field": "header",
                               "reason": f"has units (sales) and {', '.join(SIGNAL_FIELDS)} "
                                         f"(signals): import each kind from its own file"}])
    return "sales"


def _parse(text: str, count_fields: tuple[str, ...], make: Callable[..., Row], *,
           ceiling: int, what: str) -> list[Row]:
    """Validate every row; raise InvalidSignals listing all problems, or return clean rows,
    each `make(day, sku, *counts)` with its counts in the order of `count_fields`, each count
    at most `ceiling`."""
    header = header_names(text)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    next(reader, None)  # the header, read above
    missing = [f for f in ("date", "sku", *count_fields) if f not in header]
    if missing:
        raise InvalidSignals(f"{what} file header lacks {', '.join(missing)}",
                             [{"field": "header", "reason": f"missing column {m!r}"}
                              for m in missing])
    refuse_repeats(header, InvalidSignals, f"{what} file")  # which `units` is meant?
    index = {name: header.index(name) for name in ("date", "sku", *count_fields)}
    problems: list[dict] = []
    rows: list[Row] = []
    seen: dict[tuple[date, str], int] = {}
    at_date, at_sku = index["date"], index["sku"]
    at_counts = [index[name] for name in count_fields]
    # one C call for the count cells; a slice for one count, so it is always a sequence
    counts_of = (itemgetter(*at_counts) if len(at_counts) > 1
                 else itemgetter(slice(at_counts[0], at_counts[0] + 1)))
    width = len(header)
    last_line = 1  # the header's
    for cells in records(reader, unreadable(InvalidSignals, f"{what} file")):
        # the record's first line in the file: a quoted cell may hold a line break
        line_no, last_line = last_line + 1, reader.line_num
        row, row_problems = _clean_row(cells, width, at_date, at_sku, counts_of, ceiling,
                                       make), []
        if row is None:
            if not any(c.strip() for c in cells):
                continue  # blank line at the end of an export
            values, row_problems = _row(cells, width, index, count_fields, ceiling, line_no)
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


def _clean_row(cells: list[str], width: int, at_date: int, at_sku: int,
               counts_of: Callable[[list[str]], Sequence[str]], ceiling: int,
               make: Callable[..., Row]) -> Row | None:
    """A row whose cells are already clean, read in one try (exports run to a million rows);
    None sends anything else (short or long rows, padding, 3.0, a bad value) down `_row`'s
    careful path. Only O(1) or tiny checks here: `isascii` is a flag on the string, and
    `fromisoformat`/`int` alone accept too much (20260302, 2026-W10-1, +3, 1_000, non-ASCII
    digits), so the shape is checked first."""
    if len(cells) != width:
        return None
    raw_day, sku = cells[at_date], cells[at_sku].strip()
    raw_counts = counts_of(cells)
    digits = "".join(raw_counts)  # one check for all counts; an empty one fails int() below
    # a first digit "2" is a year from 2000 to 2999 once fromisoformat has read the rest
    if not (len(raw_day) == 10 and raw_day.isascii() and raw_day[0] == "2"
            and raw_day[4] == "-" and raw_day[7] == "-"
            and 0 < len(sku) <= _MAX_SKU and sku.isprintable()
            and digits.isascii() and digits.isdigit()):
        return None
    try:
        day, counts = date.fromisoformat(raw_day), list(map(int, raw_counts))
    except ValueError:
        return None
    return make(day, sku, *counts) if max(counts) <= ceiling else None


def _row(cells: list[str], width: int, index: dict[str, int], count_fields: tuple[str, ...],
         ceiling: int, line_no: int
         ) -> tuple[tuple[date, str, tuple[int, ...]] | None, list[dict]]:
    """One row: its values, or None and the reasons it is bad. A short row is refused (a
    missing cell is a broken export, not a zero) but its cells that are there are still
    checked; cells past the header may only be empty (a trailing comma)."""
    problems: list[dict] = []
    if len(cells) < width or any(c.strip() for c in cells[width:]):
        problems.append({"field": f"row {line_no}",
                         "reason": f"has {len(cells)} fields, the header has {width}"})

    def cell(name: str) -> str | None:
        i = index[name]
        return cells[i].strip() if i < len(cells) else None

    day: date | None = None
    raw_day = cell("date")
    if raw_day is not None:
        day = iso_day(raw_day)
        if day is None:
            problems.append({"field": f"row {line_no}.date",
                             "reason": f"not an ISO date (YYYY-MM-DD): {_shown(raw_day)}"})
        elif not _FIRST_DAY <= day <= _LAST_DAY:
            problems.append({"field": f"row {line_no}.date",
                             "reason": f"must be from {_FIRST_DAY} to {_LAST_DAY}, "
                                       f"got {raw_day!r}"})
    sku = cell("sku")
    if sku is not None:
        reason = sku_problem(sku)
        if reason:
            problems.append({"field": f"row {line_no}.sku", "reason": reason})
    counts: list[int] = []
    for name in count_fields:
        raw = cell(name)
        if raw is None:
            continue
        value = _count(raw)
        if value is None:
            problems.append({"field": f"row {line_no}.{name}",
                             "reason": f"must be a non-negative integer in ASCII digits "
                                       f"(3 or 3.0), got {_shown(raw)}"})
        elif value > ceiling:
            problems.append({"field": f"row {line_no}.{name}",
                             "reason": f"must be at most {ceiling} a day, got {_shown(raw)}"})
        else:
            counts.append(value)
    if problems or day is None or sku is None:
        return None, problems
    return (day, sku, tuple(counts)), problems


def iso_day(raw: str) -> date | None:
    """A `YYYY-MM-DD` date, or None (fromisoformat alone also reads 20260302, 2026-W10-1);
    the planner's forecast file reads its dates with this too."""
    if not _ISO_DAY.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:  # 2026-02-30
        return None


def sku_problem(sku: str, *, longest: int = _MAX_SKU) -> str | None:
    """Why a (stripped) SKU cannot be stored, or None. Control and invisible characters (NUL
    breaks PostgreSQL; a tab or a zero-width space makes two SKUs that look the same). The
    planner's files check their SKUs, markets and hubs with it too."""
    if not sku:
        return "must not be empty"
    if len(sku) > longest:
        return f"must be at most {longest} characters, got {len(sku)}"
    bad = next((c for c in sku if not c.isprintable()), None)
    if bad is not None:
        return f"must not contain control or invisible characters, found U+{ord(bad):04X}"
    return None


def _count(raw: str) -> int | None:
    """A non-negative whole count (3 or 3.0), or None; an empty cell means zero (a missing
    value is no activity). The caller checks the ceiling."""
    return 0 if raw == "" else whole_number(raw)


def whole_number(raw: str, *, point_zero: bool = True) -> int | None:
    """A non-negative whole number in ASCII digits (`3`, and `3.0` if `point_zero`), or None:
    never 1e3, +3, 1_000 or non-ASCII digits, which int() and Decimal() read. Shared with the
    planner's catalogue and forecast files; the caller checks the ceiling."""
    whole = (_WHOLE if point_zero else _DIGITS).fullmatch(raw)
    if whole is None:
        return None
    digits = whole.group(1).lstrip("0") or "0"
    # past int()'s 4300-digit limit it is far over any ceiling anyway
    return int(digits) if len(digits) <= 20 else 10**20


def _shown(raw: str) -> str:
    """A cell for an error message, cut short: a broken export can put megabytes in one."""
    return repr(raw) if len(raw) <= 40 else repr(raw[:40]) + "..."
