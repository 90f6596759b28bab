"""Pure: the order state machine. A transition not listed here is an error, never a no-op."""

from __future__ import annotations

ALLOWED: dict[str, frozenset[str]] = {
    "received": frozenset({"reserved", "cancelled"}),
    "reserved": frozenset({"allocated", "cancelled"}),
    "allocated": frozenset({"declared", "picked", "cancelled"}),
    "declared": frozenset({"cleared", "customs_rejected", "cancelled"}),
    "customs_rejected": frozenset({"declared", "cancelled"}),
    "cleared": frozenset({"picked", "cancelled"}),
    "picked": frozenset({"packed", "cancelled"}),
    "packed": frozenset({"shipped"}),
    "shipped": frozenset(),
    "cancelled": frozenset(),
}

# Cancelling is allowed until the order is packed.
CANCELLABLE = frozenset(s for s, nxt in ALLOWED.items() if "cancelled" in nxt)


class IllegalTransition(ValueError):
    code = "illegal_transition"
    status = 409

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"an order that is {current} cannot become {target}")
        self.problems = [{"field": "status",
                          "reason": f"an order that is {current} cannot become {target}"}]


def check(current: str, target: str) -> None:
    """Raise IllegalTransition unless current -> target is allowed."""
    if target not in ALLOWED.get(current, frozenset()):
        raise IllegalTransition(current, target)
