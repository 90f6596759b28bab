"""Order events: written in the same transaction as the change (the transactional outbox)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session

from fulfilment import lifecycle
from fulfilment.tables import Order, OrderEvent


def emit(session: Session, order: Order, event_type: str, *, now: datetime,
         data: dict | None = None) -> OrderEvent:
    payload = {"type": event_type, "order_id": order.id, "external_id": order.external_id,
               "status": order.status, "at": now.isoformat(), **(data or {})}
    event = OrderEvent(order_id=order.id, type=event_type, payload=json.dumps(payload,
                       ensure_ascii=False, sort_keys=True), created_at=now)
    session.add(event)
    return event


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
