"""The order state machine: allowed moves pass, every other move is an error."""

from __future__ import annotations

import pytest

from fulfilment import lifecycle


@pytest.mark.parametrize("current,target", [
    ("received", "reserved"), ("reserved", "allocated"), ("allocated", "declared"),
    ("declared", "cleared"), ("cleared", "picked"), ("picked", "packed"), ("packed", "shipped"),
    ("declared", "customs_rejected"), ("customs_rejected", "declared"),
    ("reserved", "cancelled"), ("picked", "cancelled")])
def test_allowed_transitions(current, target):
    lifecycle.check(current, target)


@pytest.mark.parametrize("current,target", [
    ("shipped", "cancelled"), ("packed", "cancelled"), ("cancelled", "reserved"),
    ("reserved", "shipped"), ("received", "allocated"), ("cleared", "declared")])
def test_illegal_transitions_raise(current, target):
    with pytest.raises(lifecycle.IllegalTransition) as err:
        lifecycle.check(current, target)
    assert err.value.status == 409 and err.value.problems[0]["field"] == "status"


def test_cancel_allowed_until_packed():
    assert "packed" not in lifecycle.CANCELLABLE and "shipped" not in lifecycle.CANCELLABLE
    assert {"reserved", "allocated", "cleared", "picked"} <= lifecycle.CANCELLABLE
