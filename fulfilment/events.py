"""Order events: written in the same transaction as the change (the transactional outbox)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from fulfilment import lifecycle
from fulfilment.tables import Order, OrderEvent


def emit(session: Session, order: Order, event_type: str, *, now: datetime,
         data: dict | None = None) -> OrderEvent:
    event = OrderEvent(**values(order, event_type, now=now, data=data))
    session.add(event)
    return event


def values(order: Any, event_type: str, *, now: datetime, data: dict | None = None) -> dict:
    """An event row's columns for an Order (or a record with its id, external_id and status)."""
    payload = {"type": event_type, "order_id": order.id, "external_id": order.external_id,
               "status": order.status, "at": now.isoformat(), **(data or {})}
    return {"order_id": order.id, "type": event_type, "created_at": now,
            "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True)}


def transition(session: Session, order: Order, target: str, *, now: datetime,
               reason: str | None = None, data: dict | None = None) -> None:
    """Move an order to `target` if the state machine allows it, and record the event."""
    lifecycle.check(order.status, target)
    order.status = target
    order.updated_at = now
    if reason is not None:
        order.status_reason = reason
    session.add(order)
    session.flush()
    emit(session, order, f"order.{target}", now=now,
         data={"reason": reason} if reason else data)
