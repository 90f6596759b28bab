"""Scheduled jobs: plain functions over a session factory; each returns a count for tests."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import orders, webhooks
from fulfilment.settings import Settings

log = logging.getLogger("fulfilment.jobs")


def expire_reservations(factory: sessionmaker[Session], settings: Settings, *,
                        now: datetime | None = None) -> int:
    """Cancel unpaid orders whose reservation ran out, releasing their stock."""
    now = now or datetime.now(UTC)
    with factory() as session, session.begin():
        return orders.expire_unpaid(session, now=now)


def deliver_webhooks(factory: sessionmaker[Session], settings: Settings, *,
                     now: datetime | None = None, client: httpx.Client | None = None) -> int:
    """Fan out new events, then try each due delivery; one failure never stops the others."""
    now = now or datetime.now(UTC)
    with factory() as session, session.begin():
        webhooks.fan_out(session, now=now)
    delivered = 0
    own = client is None
    client = client or httpx.Client(timeout=settings.webhook_timeout_s)
    try:
        with factory() as session:
            ids = [d.id for d in webhooks.due(session, now=now)]
        for delivery_id in ids:
            try:
                with factory() as session, session.begin():
                    delivery = session.get(webhooks.WebhookDelivery, delivery_id,
                                           with_for_update=True)
                    if delivery is None or delivery.status != "pending":
                        continue  # another run took it
                    delivered += webhooks.attempt(session, delivery, client=client, now=now,
                                                  max_attempts=settings.webhook_max_attempts)
            except Exception:  # noqa: BLE001 - isolate one delivery's failure
                log.exception("webhook delivery %s failed", delivery_id)
    finally:
        if own:
            client.close()
    return delivered
