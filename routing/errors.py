"""Errors of the routing package: each names what is wrong, field by field."""

from __future__ import annotations


class RoutingError(ValueError):
    """Base of routing errors: a snake_case `code` and a list of `problems`."""

    code = "routing_error"

    def __init__(self, problems: list[dict], message: str | None = None) -> None:
        self.problems = problems
        first = problems[0] if problems else {}
        text = message or f"{first.get('field', '?')}: {first.get('reason', '')}"
        if len(problems) > 1:
            text += f" (and {len(problems) - 1} more)"
        super().__init__(text)


class InvalidWave(RoutingError):
    """The wave problem is malformed or refers to things it does not define."""

    code = "invalid_wave"


class InvalidSolution(RoutingError):
    """A solution does not fit its wave (unknown lane, order or warehouse)."""

    code = "invalid_solution"
