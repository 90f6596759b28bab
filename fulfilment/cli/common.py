"""Shared helpers for the command line: one readable line on error, non-zero exit."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import NoReturn

import typer

_SHOWN = 20  # problems named in one error line; an export with thousands stays readable


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def describe(exc: BaseException) -> str:
    """One line for a domain error: its first problems as `field: reason; ...`, else its
    message."""
    problems = getattr(exc, "problems", None)
    if problems:
        shown = "; ".join(f"{p.get('field', '?')}: {p.get('reason', '')}"
                          for p in problems[:_SHOWN])
        more = len(problems) - _SHOWN
        return shown + (f"; ... and {more} more" if more > 0 else "")
    return str(exc) or exc.__class__.__name__


def write_whole(out: Path, data: bytes | str) -> None:
    """Write `out` whole or not at all: into a file beside it, renamed over it when complete,
    so a full disk or a quota never leaves half a file for the next program to read."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    part = None
    try:
        fd, part = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part",
                                    dir=out.parent if str(out.parent) else ".")
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(part, out)
    except OSError as exc:
        if part is not None and os.path.exists(part):
            os.unlink(part)
        fail(f"cannot write {out}: {exc.strerror or exc}")
