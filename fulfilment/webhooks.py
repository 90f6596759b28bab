"""Webhook subscriptions and delivery of order events: in order per order, signed, retried."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import urlparse

import httpx
from sqlalchemy import func, select
from sqlmodel import Session

from fulfilment.tables import OrderEvent, Webhook, WebhookDelivery

__all__ = ["WebhookDelivery"]

SIGNATURE_HEADER = "X-Fulfilment-Signature"


class InvalidWebhook(ValueError):
    code = "invalid_webhook"
    status = 422

    def __init__(self, problems: list[dict]) -> None:
        super().__init__("; ".join(p["reason"] for p in problems))
        self.problems = problems


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def subscribe(session: Session, *, url: str, event_types: list[str], secret: str,
              now: datetime) -> Webhook:
    problems = []
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append({"field": "url", "reason": "must be an http(s) URL"})
    if not event_types or not all(isinstance(t, str) and t for t in event_types):
        problems.append({"field": "event_types", "reason": "must list event types or \"*\""})
    if len(secret) < 16:
        problems.append({"field": "secret", "reason": "must be at least 16 characters"})
    if problems:
        raise InvalidWebhook(problems)
    last = session.execute(select(func.max(OrderEvent.id))).scalar() or 0
    hook = Webhook(url=url, event_types=json.dumps(event_types), secret=secret, created_at=now,
                   start_after_event_id=last)
    session.add(hook)
    session.flush()
    return hook


def _wants(hook: Webhook, event_type: str) -> bool:
    types = json.loads(hook.event_types)
    return "*" in types or event_type in types or f"{event_type.split('.')[0]}.*" in types


def fan_out(session: Session, *, now: datetime, limit: int = 5000) -> int:
    """Create a pending delivery for each new event each active webhook wants."""
    made = 0
    for hook in session.execute(select(Webhook).where(Webhook.active)).scalars():
        last = session.execute(select(func.max(WebhookDelivery.event_id))
                               .where(WebhookDelivery.webhook_id == hook.id)).scalar()
        start = max(last or 0, hook.start_after_event_id)
        new = session.execute(select(OrderEvent).where(OrderEvent.id > start)
                              .order_by(OrderEvent.id).limit(limit)).scalars()
        for event in new:
            if _wants(hook, event.type):
                session.add(WebhookDelivery(webhook_id=hook.id, event_id=event.id,
                                            order_id=event.order_id, next_attempt_at=now))
                made += 1
    session.flush()
    return made


def due(session: Session, *, now: datetime, limit: int = 200) -> list[WebhookDelivery]:
    """Deliveries that may go now: for each (webhook, order) only the earliest undelivered."""
    heads = (select(WebhookDelivery.webhook_id, WebhookDelivery.order_id,
                    func.min(WebhookDelivery.event_id).label("first"))
             .where(WebhookDelivery.status == "pending")
             .group_by(WebhookDelivery.webhook_id, WebhookDelivery.order_id).subquery())
    stmt = (select(WebhookDelivery).join(heads, (WebhookDelivery.webhook_id == heads.c.webhook_id)
                                         & (WebhookDelivery.event_id == heads.c.first))
            .where(WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.event_id).limit(limit))
    return list(session.execute(stmt).scalars())


def attempt(session: Session, delivery: WebhookDelivery, *, client: httpx.Client, now: datetime,
            max_attempts: int) -> bool:
    """POST one event; record the outcome. A 2xx marks it delivered exactly once."""
    hook = session.get(Webhook, delivery.webhook_id)
    event = session.get(OrderEvent, delivery.event_id)
    assert hook is not None and event is not None
    body = event.payload.encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, hook.secret),
               "X-Fulfilment-Event": event.type, "X-Fulfilment-Event-Id": str(event.id),
               "X-Fulfilment-Delivery": str(delivery.id)}
    delivery.attempts += 1
    try:
        response = client.post(hook.url, content=body, headers=headers)
        delivery.last_status_code = response.status_code
        ok = 200 <= response.status_code < 300
        delivery.last_error = None if ok else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        ok = False
        delivery.last_error = f"{type(exc).__name__}"[:300]
    if ok:
        delivery.status, delivery.delivered_at = "delivered", now
    elif delivery.attempts >= max_attempts:
        delivery.status = "failed"
    else:
        # exponential back-off: 30 s, 1 min, 2 min ... capped at one hour
        wait = min(3600, 30 * 2 ** (delivery.attempts - 1))
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    session.add(delivery)
    return ok


def deliveries_view(session: Session, webhook_id: int, *, limit: int = 100) -> list[dict]:
    rows = session.execute(select(WebhookDelivery, OrderEvent.type)
                           .join(OrderEvent, OrderEvent.id == WebhookDelivery.event_id)
                           .where(WebhookDelivery.webhook_id == webhook_id)
                           .order_by(WebhookDelivery.event_id.desc()).limit(limit)).all()
    return [{"id": d.id, "event_id": d.event_id, "event": t, "order_id": d.order_id,
             "status": d.status, "attempts": d.attempts, "last_status_code": d.last_status_code,
             "last_error": d.last_error,
             "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
             "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}
            for d, t in rows]


def view(hook: Webhook) -> dict:
    return {"id": hook.id, "url": hook.url, "event_types": json.loads(hook.event_types),
            "active": hook.active, "created_at": hook.created_at.isoformat()}
