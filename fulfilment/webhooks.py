"""Webhook subscriptions and delivery of order events: in order per order, signed, retried."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlmodel import Session

from fulfilment.tables import OrderEvent, Webhook, WebhookDelivery

__all__ = ["WebhookDelivery"]

SIGNATURE_HEADER = "X-Fulfilment-Signature"
# How long an event's transaction may stay open between taking its id and committing and still
# be delivered: fan-out looks again at ids it scanned this recently (see fan_out).
LOOKBACK = timedelta(minutes=10)
_HOSTNAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")  # "_": container service names


class InvalidWebhook(ValueError):
    code = "invalid_webhook"
    status = 422

    def __init__(self, problems: list[dict]) -> None:
        super().__init__("; ".join(p["reason"] for p in problems))
        self.problems = problems


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def url_problem(url: str) -> str | None:
    """Why `url` cannot be delivered to, or None. Parsed by httpx, which sends it, and by
    urllib, which is stricter about brackets and ports: a URL either one refuses would fail
    every delivery attempt."""
    try:
        parsed = httpx.URL(url)
        split = urlsplit(url)
        port = split.port  # raises for a port that is not a number in 0-65535
    except (httpx.InvalidURL, ValueError, TypeError):
        return "is not a valid URL (check its brackets, port and characters)"
    if parsed.scheme not in ("http", "https"):
        return "must be an http(s) URL"
    host = parsed.raw_host.decode("ascii", "replace")  # IDNA-encoded, percent-escaped
    if not host:
        return "must name a host"
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "has an invalid IPv6 host"
    elif not _HOSTNAME.fullmatch(host):
        return "has an invalid host name"
    if port is not None and not 1 <= port <= 65535:
        return "must have a port between 1 and 65535"
    return None


def subscribe(session: Session, *, url: str, event_types: list[str], secret: str,
              now: datetime) -> Webhook:
    problems = []
    reason = url_problem(url)
    if reason:
        problems.append({"field": "url", "reason": reason})
    if not event_types or not all(isinstance(t, str) and t for t in event_types):
        problems.append({"field": "event_types", "reason": "must list event types or \"*\""})
    if len(secret) < 16:
        problems.append({"field": "secret", "reason": "must be at least 16 characters"})
    if problems:
        raise InvalidWebhook(problems)
    last = session.execute(select(func.max(OrderEvent.id))).scalar() or 0
    hook = Webhook(url=url, event_types=json.dumps(event_types), secret=secret, created_at=now,
                   start_after_event_id=last, scanned_event_id=last, settled_event_id=last,
                   checkpoint_event_id=last, checkpoint_at=now)
    session.add(hook)
    session.flush()
    return hook


def _type_filter(event_types: list[str]) -> ColumnElement[bool] | None:
    """The SQL condition for the event types a webhook wants; None for all. "order.*" takes
    every type that starts with "order."."""
    if "*" in event_types:
        return None
    exact = [t for t in event_types if not t.endswith(".*")]
    conditions = [OrderEvent.type.startswith(t[:-1], autoescape=True)  # keeps the dot
                  for t in event_types if t.endswith(".*")]
    if exact:
        conditions.append(OrderEvent.type.in_(exact))
    return or_(*conditions)


def fan_out(session: Session, *, now: datetime, limit: int = 5000,
            lookback: timedelta = LOOKBACK) -> int:
    """Create a pending delivery for each new event each active webhook wants.

    Event ids come from a sequence but their transactions commit in any order, so on
    PostgreSQL an event can become visible after a higher id was already scanned. A cursor
    alone (the highest id seen) would skip it forever. So each webhook keeps two cursors:

    - `scanned_event_id`: every event up to here has been looked at, wanted or not. Each run it
      moves over at most `limit` further events, whatever their type, so a subscription that
      wants few types never stalls behind many it does not (the type filter is in SQL).
    - `settled_event_id`: no event up to here can still appear. Each run looks again at
      (settled, scanned] and makes the deliveries that do not exist yet (the existence check,
      with uq_webhook_delivery_event behind it, means an event is never delivered twice).

    The settled cursor follows on this function's own clock, not the events' `created_at`
    (a job stamps a whole run with its start time): `checkpoint_event_id` is the scanned
    cursor as it stood at `checkpoint_at`. An id below one visible then was taken before then,
    so once `lookback` has passed its transaction either committed (and was found by a
    re-scan) or has been open for longer than `lookback`: the checkpoint becomes the settled
    cursor. An event is thus missed only if its transaction stays open longer than `lookback`
    between taking its id and committing (or if sequence ids are cached per connection,
    which PostgreSQL's SERIAL default of CACHE 1 does not do). The re-scan costs one range
    read of the event ids of the last one to two `lookback` periods per webhook and run.

    A late event of an order is delivered late: `due` sends the lowest pending event id of a
    (webhook, order) first, so it still goes before that order's later events that are pending,
    but after any of them already delivered.
    """
    made = 0
    # locked so that two runs at once wait for each other instead of both inserting
    hooks = session.execute(select(Webhook).where(Webhook.active).order_by(Webhook.id)
                            .with_for_update()).scalars().all()
    for hook in hooks:
        roll = hook.checkpoint_at is None or now - hook.checkpoint_at >= lookback
        ahead = (select(OrderEvent.id).where(OrderEvent.id > hook.scanned_event_id)
                 .order_by(OrderEvent.id).limit(limit).subquery())
        top = session.execute(select(func.max(ahead.c.id))).scalar() or hook.scanned_event_id
        wanted = select(OrderEvent.id, OrderEvent.order_id).where(
            OrderEvent.id > hook.settled_event_id, OrderEvent.id <= top,
            ~exists().where(and_(WebhookDelivery.webhook_id == hook.id,
                                 WebhookDelivery.event_id == OrderEvent.id)))
        condition = _type_filter(json.loads(hook.event_types))
        if condition is not None:
            wanted = wanted.where(condition)
        for event_id, order_id in session.execute(wanted.order_by(OrderEvent.id)).all():
            session.add(WebhookDelivery(webhook_id=hook.id, event_id=event_id,
                                        order_id=order_id, next_attempt_at=now))
            made += 1
        hook.scanned_event_id = top
        if roll:  # settled only after this last look below the old checkpoint
            if hook.checkpoint_at is not None:
                hook.settled_event_id = max(hook.settled_event_id, hook.checkpoint_event_id)
            hook.checkpoint_event_id, hook.checkpoint_at = top, now
        session.add(hook)
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
    except Exception as exc:  # noqa: BLE001 - a URL httpx refuses (InvalidURL is no HTTPError)
        # or any other failure to build or send the request is a failed attempt, recorded,
        # so the delivery backs off and ends `failed` instead of rolling back forever
        ok = False
        delivery.last_status_code = None
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
