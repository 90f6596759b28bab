"""The answer a domain error gives over HTTP, in one shape: the API's error handler sends it, and
order intake stores it under an idempotency key, so a replay is the first answer exactly."""

from __future__ import annotations

from typing import Any


def problem_answer(exc: Any) -> tuple[int, dict]:
    """(status, body) for an error that names its problems: `status` (default 422), `code`,
    `problems` and, for a shortage, `short`."""
    body: dict = {"error": getattr(exc, "code", "invalid"), "detail": exc.problems}
    short = getattr(exc, "short", None)
    if short is not None:
        body["short"] = short
    return getattr(exc, "status", 422), body


class NotFound(ValueError):
    """A 404 naming the field that pointed at nothing: "no wave 5" on `wave_id`."""

    code = "not_found"
    status = 404

    def __init__(self, what: str, row_id: object, *, field: str) -> None:
        super().__init__(f"no {what} {row_id}")
        self.problems = [{"field": field, "reason": str(self)}]
