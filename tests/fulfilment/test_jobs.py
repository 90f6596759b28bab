"""Scheduled jobs called directly with a fixed time: expiry, webhook delivery, the job table."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from fulfilment import db, jobs, orders, scheduler, submission, webhooks
from fulfilment.tables import WebhookDelivery
from inventory.tables import Availability
from tests.builders import order_body, stocked
from tests.conftest import NOW


def _place(factory, settings, qty=1, **kw):
    status, body = submission.submit(factory, body=order_body(qty=qty, **kw),
                                     idempotency_key=None, key_scope="t", settings=settings,
                                     now=NOW)
    assert status == 201, body
    return body


def test_unpaid_reservations_expire_and_release(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    unpaid = _place(session_factory, settings, qty=2)
    paid = _place(session_factory, settings, qty=1)
    with db.transaction(session_factory) as s:
        orders.confirm_payment(s, order_id=paid["id"], settings=settings, now=NOW, payment={
            "transaction_id": "P1", "payer_name": "李小红",
            "payer_id_number": "11010519491231002X", "amount": "199.00"})
    assert jobs.expire_reservations(session_factory, settings, now=NOW + timedelta(minutes=5)) == 0
    later = NOW + timedelta(minutes=settings.reservation_ttl_minutes + 1)
    assert jobs.expire_reservations(session_factory, settings, now=later) == 1
    with session_factory() as s:
        assert orders.get(s, unpaid["id"]).status == "cancelled"
        assert orders.get(s, paid["id"]).status == "reserved"
        assert s.get(Availability, "SERUM-30ML").reserved == 1


class _Listener:
    """A small HTTP server that records what it receives; fails the first `fail` requests."""

    def __init__(self, fail: int = 0) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(503)
                else:
                    outer.received.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_webhooks_deliver_in_order_signed_retried_and_once(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    listener = _Listener(fail=1)
    try:
        with db.transaction(session_factory) as s:
            hook = webhooks.subscribe(s, url=listener.url, event_types=["order.*"],
                                      secret="s3cret-s3cret-s3cret", now=NOW)
        order = _place(session_factory, settings)
        with db.transaction(session_factory) as s:
            orders.cancel(s, order_id=order["id"], now=NOW)
        assert jobs.deliver_webhooks(session_factory, settings, now=NOW) == 0  # 503 first
        assert listener.received == []
        # the cancellation waits behind the failed reservation event of the same order
        def deliver(after: timedelta) -> int:
            return jobs.deliver_webhooks(session_factory, settings, now=NOW + after)

        assert deliver(timedelta(seconds=31)) == 1
        assert deliver(timedelta(seconds=62)) == 1
        assert deliver(timedelta(hours=2)) == 0
        types = [json.loads(body)["type"] for _, body in listener.received]
        assert types == ["order.reserved", "order.cancelled"]
        headers, body = listener.received[0]
        expected = "sha256=" + hmac.new(b"s3cret-s3cret-s3cret", body, hashlib.sha256).hexdigest()
        assert headers[webhooks.SIGNATURE_HEADER] == expected
        with session_factory() as s:
            rows = s.query(WebhookDelivery).filter_by(webhook_id=hook.id).all()
            assert sorted(r.status for r in rows) == ["delivered", "delivered"]
            assert max(r.attempts for r in rows) == 2
    finally:
        listener.close()


def test_job_table_lists_the_foundation_jobs(settings, session_factory):
    ids = [job.id for job in scheduler.build_scheduler(settings, session_factory).get_jobs()]
    assert {"expire-reservations", "deliver-webhooks"} <= set(ids)
