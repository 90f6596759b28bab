"""Scheduled jobs: plain functions over a session factory; each returns a count for tests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import orders, webhooks
from fulfilment.localtime import business_day
from fulfilment.settings import Settings
from inventory import store as stock

log = logging.getLogger("fulfilment.jobs")
T = TypeVar("T")


def each_in_its_own_transaction(factory: sessionmaker[Session], items: Iterable[T],
                                work: Callable[[Session, T], int], *, failed: str) -> int:
    """`work` on each item in a transaction of its own; one that raises is logged as
    "<failed> <item> failed" and the rest go on. Returns the sum of what `work` returned."""
    done = 0
    for item in items:
        try:
            with factory() as session, session.begin():
                done += work(session, item)
        except Exception:  # noqa: BLE001 - one item's failure never stops the others
            log.exception("%s %s failed", failed, item)
    return done


def expire_reservations(factory: sessionmaker[Session], settings: Settings, *,
                        now: datetime | None = None, batch: int = 500) -> int:
    """Cancel unpaid orders whose reservation ran out, releasing their stock: one order per
    transaction, so one that fails is logged and retried next run without undoing the others.
    Batches repeat while full and progressing (a flash sale can leave thousands at once)."""
    now = now or datetime.now(UTC)
    expired = 0
    while True:
        with factory() as session:
            ids = orders.expired_unpaid(session, now=now, limit=batch)
        done = each_in_its_own_transaction(
            factory, ids, lambda session, order_id: orders.expire(
                session, order_id=order_id, now=now), failed="expiring order")
        expired += done
        if len(ids) < batch or done == 0:
            return expired


def write_off_short_dated(factory: sessionmaker[Session], settings: Settings, *,
                          now: datetime | None = None) -> int:
    """Write off free stock too short-dated to ship today (Shanghai day: expiry before today +
    the SKU's min_remaining_days), one SKU per transaction; returns the units written off.

    A SKU whose reservations stand on such stock keeps just enough of it counted that reserved
    never exceeds sellable; it is logged, since those orders wait at the wave for fresh stock.
    """
    now = now or datetime.now(UTC)
    on = business_day(now)
    with factory() as session:
        skus = stock.short_dated_skus(session, on=on)

    def write_off(session: Session, sku: str) -> int:
        done, held = stock.write_off_short_dated(session, sku=sku, on=on, now=now,
                                                 actor="job:short-dated-write-off")
        if held:
            log.warning("%s short: %d reserved units stand on stock too short-dated to "
                        "ship; those orders wait at the wave for fresh stock", sku, held)
        return done

    return each_in_its_own_transaction(factory, skus, write_off,
                                       failed="short-dated write-off of")


def deliver_webhooks(factory: sessionmaker[Session], settings: Settings, *,
                     now: datetime | None = None, client: httpx.Client | None = None) -> int:
    """Fan out new events, then try each due delivery; one failure never stops the others."""
    now = now or datetime.now(UTC)
    with factory() as session, session.begin():
        webhooks.fan_out(session, now=now)
    own = client is None
    http = client or httpx.Client(timeout=settings.webhook_timeout_s)

    def deliver(session: Session, delivery_id: int) -> int:
        delivery = session.get(webhooks.WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.status != "pending":
            return 0  # another run took it
        return webhooks.attempt(session, delivery, client=http, now=now,
                                max_attempts=settings.webhook_max_attempts)

    try:
        with factory() as session:
            ids = [d.id for d in webhooks.due(session, now=now)]
        return each_in_its_own_transaction(factory, ids, deliver, failed="webhook delivery")
    finally:
        if own:
            http.close()
