"""Shared helpers for the command line: one readable line on error, non-zero exit."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, NoReturn

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


def read_text(path: Path) -> str:
    """A UTF-8 file's text (a leading BOM dropped), or one line and exit 2 naming the file and
    the first byte that is not UTF-8, or why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{path} is not UTF-8 text: byte {exc.object[exc.start]:#04x} at offset {exc.start}")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def read_json(path: Path) -> Any:
    """A JSON file's data (a UTF-8 BOM allowed, as in the CSV files), or one line and exit 2:
    unreadable, not UTF-8, not JSON, nested past Python's recursion limit or holding an integer
    past its 4300-digit limit (neither of which is a JSONDecodeError)."""
    text = read_text(path)
    try:
        return json.loads(text)
    except RecursionError:
        fail(f"{path} is not valid JSON: nested too deeply")
    except ValueError as exc:  # JSONDecodeError, and int()'s digit limit
        fail(f"{path} is not valid JSON: {exc}")


def write_whole(out: Path, data: bytes | str) -> None:
    """Write `out` whole or not at all: into a file beside it, renamed over it when complete,
    so a full disk or a quota never leaves half a file for the next program to read.

    A symbolic link is written through (its target replaced, the link kept); a device or a
    pipe (`/dev/null`, `/dev/stdout`) is written to directly: renaming over it would put a
    regular file in its place (as root, /dev/null itself)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    part = None
    try:
        target = Path(os.path.realpath(out))
        mode = os.stat(target).st_mode if os.path.lexists(target) else None
        if mode is not None and stat.S_ISDIR(mode):
            fail(f"cannot write {out}: Is a directory")
        if mode is not None and not stat.S_ISREG(mode):
            with open(target, "wb") as f:
                f.write(payload)
            return
        fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        # mkstemp makes it 0600: keep a replaced file's mode, else what open() would give
        os.fchmod(fd, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(part, target)
    except OSError as exc:
        if part is not None and os.path.exists(part):
            os.unlink(part)
        fail(f"cannot write {out}: {exc.strerror or exc}")


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask
