"""Errors of the buyers' planning core: each carries a `code` and the `problems` found."""

from __future__ import annotations


class PlanningError(ValueError):
    """Bad planning input; `problems` lists every `{"field", "reason"}` found, not one."""

    code = "invalid_planning_input"

    def __init__(self, message: str, problems: list[dict] | None = None, *,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.problems: list[dict] = list(problems or [])
        if code is not None:
            self.code = code


class InvalidSignals(PlanningError):
    """A signals or sales file with at least one bad row: the whole file is refused."""

    code = "invalid_signals"


class InvalidCatalogue(PlanningError):
    """A purchasing catalogue (sources, hubs, stock) that cannot be planned against."""

    code = "invalid_catalogue"


class NotFound(PlanningError):
    """A plan, line, purchase order or transfer that does not exist."""

    code = "not_found"
    status = 404


class NotEditable(PlanningError):
    """A change to something whose state forbids it (an approved plan, a received transfer)."""

    code = "conflict"
    status = 409
