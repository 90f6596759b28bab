"""Webhook review findings: late-committed events, filtered cursors, bad URLs, unknown hooks."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import httpx
import pytest
from alembic import command
from sqlalchemy import select

from fulfilment import db, jobs, submission, webhooks
from fulfilment.cli.service import alembic_config
from fulfilment.tables import OrderEvent, Webhook, WebhookDelivery
from tests.builders import order_body, stocked
from tests.conftest import NOW

SECRET = "s3cret-s3cret-s3cret"


def _order(factory, settings, session) -> int:  # noqa: ANN001
    """One reserved order (its order.reserved event is written with it)."""
    stocked(session, NOW, qty=5)
    status, body = submission.submit(factory, body=order_body(), idempotency_key=None,
                                     key_scope="t", settings=settings, now=NOW)
    assert status == 201, body
    return body["id"]


def _event(session, order_id: int, event_type: str = "order.paid", *,  # noqa: ANN001
           event_id: int | None = None) -> OrderEvent:
    event = OrderEvent(id=event_id, order_id=order_id, type=event_type, created_at=NOW,
                       payload=json.dumps({"type": event_type, "order_id": order_id}))
    session.add(event)
    session.flush()
    return event


def _subscribe(s, event_types: list[str]):  # noqa: ANN001, ANN202
    return webhooks.subscribe(s, url="http://hooks.example/in", event_types=event_types,
                              secret=SECRET, now=NOW)


def _delivered_events(factory, hook_id: int) -> list[int]:  # noqa: ANN001
    with factory() as s:
        return list(s.scalars(select(WebhookDelivery.event_id)
                              .where(WebhookDelivery.webhook_id == hook_id)
                              .order_by(WebhookDelivery.event_id)))


def _recorder() -> tuple[httpx.Client, list[int]]:
    """A client whose every POST answers 204 and records the event id it carried."""
    sent: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(int(request.headers["X-Fulfilment-Event-Id"]))
        return httpx.Response(204)

    return httpx.Client(transport=httpx.MockTransport(handle)), sent


def test_an_event_committed_after_a_higher_id_is_delivered_late_and_once(
        session_factory, settings, session) -> None:  # noqa: ANN001
    """Ids 2 and 4 are fanned out and delivered before id 3 commits: 3 is still delivered, after
    4 (the order's later event already went), and nothing is sent twice."""
    order_id = _order(session_factory, settings, session)
    with db.transaction(session_factory) as s:
        hook = _subscribe(s, ["*"])
        first = hook.start_after_event_id
        _event(s, order_id, event_id=first + 1)
        _event(s, order_id, "order.cancelled", event_id=first + 3)
    client, sent = _recorder()
    for minute in (0, 1):  # per order one at a time: first + 1, then first + 3
        jobs.deliver_webhooks(session_factory, settings, now=NOW + timedelta(minutes=minute),
                              client=client)
    assert sent == [first + 1, first + 3]
    with db.transaction(session_factory) as s:  # the transaction that took first + 2 commits
        _event(s, order_id, event_id=first + 2)
    for minute in (2, 3):
        jobs.deliver_webhooks(session_factory, settings, now=NOW + timedelta(minutes=minute),
                              client=client)
    assert sent == [first + 1, first + 3, first + 2]
    assert _delivered_events(session_factory, hook.id) == [first + 1, first + 2, first + 3]


def test_a_late_event_goes_before_the_later_events_still_pending(
        session_factory, settings, session) -> None:  # noqa: ANN001
    order_id = _order(session_factory, settings, session)
    with db.transaction(session_factory) as s:
        hook = _subscribe(s, ["order.*"])
        first = hook.start_after_event_id
        _event(s, order_id, event_id=first + 2)
    with db.transaction(session_factory) as s:
        assert webhooks.fan_out(s, now=NOW) == 1
        _event(s, order_id, event_id=first + 1)
    client, sent = _recorder()
    for minute in (1, 2, 3):
        jobs.deliver_webhooks(session_factory, settings, now=NOW + timedelta(minutes=minute),
                              client=client)
    assert sent == [first + 1, first + 2]


def test_the_cursor_settles_and_a_much_later_commit_is_out_of_the_window(
        session_factory, settings, session) -> None:  # noqa: ANN001
    """A checkpoint becomes the settled cursor a look-back after it was taken; a transaction
    that stays open longer than that is the documented limit: its event is not delivered."""
    lookback = timedelta(minutes=10)
    order_id = _order(session_factory, settings, session)
    with db.transaction(session_factory) as s:
        hook = _subscribe(s, ["*"])
        first = hook.start_after_event_id
        _event(s, order_id, event_id=first + 2)

    def run(minutes: int) -> tuple[int, int, int]:
        with db.transaction(session_factory) as s:
            made = webhooks.fan_out(s, now=NOW + timedelta(minutes=minutes), lookback=lookback)
            row = s.get(Webhook, hook.id)
            assert row is not None
            return made, row.scanned_event_id, row.settled_event_id

    assert run(1) == (1, first + 2, first)  # checkpoint from the subscription: first
    assert run(10) == (0, first + 2, first)  # checkpoint first settles; new one: first + 2
    assert run(20) == (0, first + 2, first + 2)  # first + 2 seen 10 minutes ago: settled
    with db.transaction(session_factory) as s:  # open for longer than the look-back
        _event(s, order_id, event_id=first + 1)
    assert run(21) == (0, first + 2, first + 2)


def test_a_filtered_subscription_moves_past_events_it_does_not_want(
        session_factory, settings, session) -> None:  # noqa: ANN001
    order_id = _order(session_factory, settings, session)
    with db.transaction(session_factory) as s:
        hook = _subscribe(s, ["order.shipped"])
        for _ in range(25):
            _event(s, order_id, "order.paid")
        shipped = _event(s, order_id, "order.shipped").id
    made = []
    for _ in range(3):
        with db.transaction(session_factory) as s:
            made.append(webhooks.fan_out(s, now=NOW, limit=10))
    assert made == [0, 0, 1]
    assert _delivered_events(session_factory, hook.id) == [shipped]
    with session_factory() as s:
        assert s.get(Webhook, hook.id).scanned_event_id == shipped


def test_type_patterns_select_in_sql(session_factory, settings, session) -> None:  # noqa: ANN001
    order_id = _order(session_factory, settings, session)
    with db.transaction(session_factory) as s:
        hooks = {types: _subscribe(s, list(types)).id
                 for types in (("order.*",), ("order.paid", "order.cancelled"), ("order_paid",))}
        paid = _event(s, order_id, "order.paid").id
        cancelled = _event(s, order_id, "order.cancelled").id
        packed = _event(s, order_id, "order.packed").id
        webhooks.fan_out(s, now=NOW)
    got = {types: _delivered_events(session_factory, hook_id) for types, hook_id in hooks.items()}
    assert got == {("order.*",): [paid, cancelled, packed],
                   ("order.paid", "order.cancelled"): [paid, cancelled], ("order_paid",): []}


@pytest.mark.parametrize("url", ["http://[::1", "http://localhost:abc/", "http://localhost:0/",
                                 "http://localhost:70000/", "http://localhost:-1/",
                                 "ftp://example.com/", "http:///hook", "http://:8080/",
                                 "http://exa mple.com/", " http://example.com/",
                                 "http://[fe80::zz]/", "example.com/hook"])
def test_a_url_that_cannot_be_delivered_to_is_a_422(client, headers, url: str) -> None:  # noqa: ANN001
    got = client.post("/webhooks", headers=headers("order-service"),
                      json={"url": url, "event_types": ["*"], "secret": SECRET})
    assert got.status_code == 422, got.text
    assert [p["field"] for p in got.json()["detail"]] == ["url"]


@pytest.mark.parametrize("url", ["https://[::1]:8443/hook", "http://127.0.0.1:8080/x",
                                 "https://例子.测试/hook", "http://order_service:80/in"])
def test_a_good_url_is_taken(client, headers, url: str) -> None:  # noqa: ANN001
    got = client.post("/webhooks", headers=headers("order-service"),
                      json={"url": url, "event_types": ["*"], "secret": SECRET})
    assert got.status_code == 201, got.text


def test_a_url_httpx_refuses_is_a_failed_attempt(session_factory, settings, session) -> None:  # noqa: ANN001
    """A hook stored before URLs were checked: each attempt is recorded, and it ends failed."""
    with db.transaction(session_factory) as s:
        s.add(Webhook(url="http://localhost:abc/", event_types='["*"]', secret=SECRET,
                      created_at=NOW, checkpoint_at=NOW))
    _order(session_factory, settings, session)
    two = settings.model_copy(update={"webhook_max_attempts": 2})
    assert jobs.deliver_webhooks(session_factory, two, now=NOW) == 0
    with session_factory() as s:
        row = s.scalars(select(WebhookDelivery)).one()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "InvalidURL")
    assert jobs.deliver_webhooks(session_factory, two, now=NOW + timedelta(hours=1)) == 0
    with session_factory() as s:
        row = s.scalars(select(WebhookDelivery)).one()
        assert (row.status, row.attempts, row.last_error) == ("failed", 2, "InvalidURL")


def test_any_error_sending_is_a_failed_attempt(session_factory, settings, session) -> None:  # noqa: ANN001
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("transport broke")

    with db.transaction(session_factory) as s:
        _subscribe(s, ["*"])
    _order(session_factory, settings, session)
    with httpx.Client(transport=httpx.MockTransport(broken)) as client:
        assert jobs.deliver_webhooks(session_factory, settings, now=NOW, client=client) == 0
    with session_factory() as s:
        row = s.scalars(select(WebhookDelivery)).one()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "RuntimeError")


def test_deliveries_of_an_unknown_webhook_are_a_404(client, headers) -> None:  # noqa: ANN001
    got = client.get("/webhooks/999/deliveries", headers=headers("order-service"))
    assert got.status_code == 404
    assert got.json() == {"error": "not_found",
                          "detail": [{"field": "webhook_id", "reason": "no webhook 999"}]}


def test_migration_carries_the_old_cursor_over(tmp_path) -> None:  # noqa: ANN001
    """0006 starts each webhook's cursors where its highest delivered event id stood."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(alembic_config(url), "0005")
    conn = sqlite3.connect(tmp_path / "m.db")  # foreign keys off: only the cursors matter
    conn.executemany("INSERT INTO webhook (id, url, event_types, secret, active, created_at, "
                     "start_after_event_id) VALUES (?, 'http://h/', '[\"*\"]', 's', 1, "
                     "'2026-12-01', ?)", [(1, 3), (2, 7)])
    conn.executemany("INSERT INTO webhook_delivery (webhook_id, event_id, order_id, status, "
                     "attempts, next_attempt_at) VALUES (?, ?, 1, 'delivered', 1, "
                     "'2026-12-01')", [(1, 5), (1, 9)])
    conn.commit()
    conn.close()
    command.upgrade(alembic_config(url), "head")
    conn = sqlite3.connect(tmp_path / "m.db")
    rows = conn.execute("SELECT id, scanned_event_id, settled_event_id, checkpoint_event_id, "
                        "checkpoint_at FROM webhook ORDER BY id").fetchall()
    conn.close()
    assert rows == [(1, 9, 9, 9, None), (2, 7, 7, 7, None)]


def test_a_late_commit_on_postgresql_is_fanned_out(pg_factory, pg_settings) -> None:  # noqa: ANN001
    """Two real transactions: the one with the lower id commits after fan-out saw the other."""
    with pg_factory() as s:
        order_id = _order(pg_factory, pg_settings, s)
    with db.transaction(pg_factory) as s:
        hook_id = _subscribe(s, ["*"]).id
    slow = pg_factory()
    slow.begin()
    try:
        low = _event(slow, order_id).id  # its id taken, not committed
        with db.transaction(pg_factory) as s:
            high = _event(s, order_id, "order.cancelled").id
        assert low < high
        with db.transaction(pg_factory) as s:
            assert webhooks.fan_out(s, now=NOW) == 1
        assert _delivered_events(pg_factory, hook_id) == [high]
        slow.commit()
    finally:
        slow.close()
    with db.transaction(pg_factory) as s:
        assert webhooks.fan_out(s, now=NOW + timedelta(minutes=1)) == 1
    with db.transaction(pg_factory) as s:
        assert webhooks.fan_out(s, now=NOW + timedelta(minutes=2)) == 0
    assert _delivered_events(pg_factory, hook_id) == [low, high]


def test_a_late_commit_is_found_even_when_the_next_run_settles_past_it(
        session_factory, settings, session) -> None:  # noqa: ANN001
    """No run between the late commit and the next roll-over (the scheduler was down): that
    run still looks below the old checkpoint before it settles past it."""
    order_id = _order(session_factory, settings, session)
    with db.transaction(session_factory) as s:
        hook = _subscribe(s, ["*"])
        first, hook_id = hook.start_after_event_id, hook.id
        _event(s, order_id, event_id=first + 3)  # a higher id commits first
    with db.transaction(session_factory) as s:  # rolls: checkpoint at first + 3
        webhooks.fan_out(s, now=NOW + timedelta(minutes=11))
    with db.transaction(session_factory) as s:  # first + 2 commits just after
        _event(s, order_id, event_id=first + 2)
    for minutes in (22, 33):  # the next runs, each rolling the checkpoint
        with db.transaction(session_factory) as s:
            webhooks.fan_out(s, now=NOW + timedelta(minutes=minutes))
    assert _delivered_events(session_factory, hook_id) == [first + 2, first + 3]
