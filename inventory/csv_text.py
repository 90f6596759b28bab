"""CSV text read whole: csv's own errors become the caller's refusal, naming the line.

A stray opening quote makes the rest of a file one cell, which csv refuses past its field limit
with `_csv.Error`, not a ValueError: every reader goes through `records` so that a broken export
is a refusal, not a crash.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
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
