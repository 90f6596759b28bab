"""Shared helpers for the command line: one readable line on error, non-zero exit."""

from __future__ import annotations

from typing import NoReturn

import typer


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def describe(exc: BaseException) -> str:
    """One line for a domain error: its problems as `field: reason; ...`, else its message."""
    problems = getattr(exc, "problems", None)
    if problems:
        return "; ".join(f"{p.get('field', '?')}: {p.get('reason', '')}" for p in problems)
    return str(exc) or exc.__class__.__name__
