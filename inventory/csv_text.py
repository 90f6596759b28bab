"""CSV text read whole: csv's own errors become the caller's refusal, naming the line; and
cells written safe for the spreadsheets the files are opened in (`safe_row`).

A stray opening quote makes the rest of a file one cell, which csv refuses past its field limit
with `_csv.Error`, not a ValueError: every reader goes through `records` so that a broken export
is a refusal, not a crash.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def unreadable(error: Callable[..., Exception], what: str, **extra: Any
               ) -> Callable[[int, str], Exception]:
    """The refusal `records` raises: `error(message, problems, **extra)` naming the line."""
    def refuse(line: int, reason: str) -> Exception:
        return error(f"{what} is not readable CSV at line {line}",
                     [{"field": f"row {line}", "reason": f"not readable CSV: {reason}"}], **extra)
    return refuse


def records(reader: Any, refuse: Callable[[int, str], Exception]) -> Iterator[Any]:
    """The reader's records; `refuse(line, reason)` is raised where csv cannot read on."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise refuse(reader.line_num, str(exc)) from None
        yield record


def fieldnames(reader: csv.DictReader, refuse: Callable[[int, str], Exception]) -> list[str]:
    """A DictReader's header, stripped; `refuse` as for `records`."""
    try:
        return [f.strip() for f in reader.fieldnames or []]
    except csv.Error as exc:
        raise refuse(reader.line_num, str(exc)) from None


def refuse_repeats(header: list[str], error: Callable[..., Exception], what: str,
                   **extra: Any) -> None:
    """Raise `error(message, problems, **extra)` naming each column the header names twice:
    DictReader keeps the last one's values and a row reader the first's; which was meant?"""
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise error(f"{what} header repeats {', '.join(twice)}",
                    [{"field": "header", "reason": f"column {t!r} appears twice"}
                     for t in twice], **extra)


def beyond_header(record: dict, header: list[str], field: str) -> dict | None:
    """The problem of a DictReader record with filled cells past its header, or None.

    DictReader keeps them under the key None, where a reader by column name never looks: a
    row with a cell too many (a shifted column, a forgotten header name) lost data silently.
    Empty cells past the header (a spreadsheet's trailing commas) hold nothing and pass.
    """
    extra = record.get(None) or []
    if not any((cell or "").strip() for cell in extra):
        return None
    return {"field": field, "reason": f"has {len(header) + len(extra)} cells but the header "
                                      f"names {len(header)} columns ({', '.join(header)}): "
                                      f"extra {', '.join(repr(c) for c in extra[:3])}"
                                      f"{' ...' if len(extra) > 3 else ''}"}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")  # -12.50 stays a number, not text


def safe_cell(value: Any) -> Any:
    """A cell as written to a CSV a person opens in a spreadsheet: text starting like a formula
    (= + - @, tab, CR) gets a leading apostrophe, which spreadsheets show as text, so a supplier
    named `=HYPERLINK(...)` is never run. Numbers, and text that is a plain number (a negative
    margin), are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(cells: Iterable[Any]) -> list[Any]:
    """`safe_cell` of every cell: every CSV of the planning flow writes its rows through it."""
    return [safe_cell(c) for c in cells]
