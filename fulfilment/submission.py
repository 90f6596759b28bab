"""Order submission at the edge: idempotency, one transaction per order, the contract's answers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import orders
from fulfilment.intake import InvalidOrder, parse
from fulfilment.settings import Settings
from fulfilment.tables import IdempotencyRecord
from inventory.errors import OutOfStock

Answer = tuple[int, dict]


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def submit(factory: sessionmaker[Session], *, body: Any, idempotency_key: str | None,
           key_scope: str, settings: Settings, now: datetime | None = None) -> Answer:
    """Place an order; a retried key gets the first answer and reserves nothing more."""
    now = now or datetime.now(UTC)
    order_in = parse(body)  # InvalidOrder -> 422, never stored against the key
    scoped = f"{key_scope}:{idempotency_key}" if idempotency_key else None
    digest = body_hash(body)
    if scoped:
        earlier = _recorded(factory, scoped, digest)
        if earlier:
            return earlier
    try:
        with factory() as session, session.begin():
            if scoped:
                # Inserted first: a concurrent retry blocks on this key until we commit.
                session.add(IdempotencyRecord(key=scoped, request_hash=digest, status_code=0,
                                              body="", created_at=now))
                session.flush()
            order = orders.place(session, order=order_in, settings=settings, now=now)
            answer: Answer = (201, orders.view(session, order))
            if scoped:
                _store(session, scoped, answer)
        return answer
    except IntegrityError:
        if scoped:
            earlier = _recorded(factory, scoped, digest)
            if earlier:
                return earlier
        duplicate = _duplicate(factory, order_in.external_id)
        if duplicate is None:
            raise
        return duplicate
    except orders.DuplicateOrder as exc:
        answer = (409, {"error": "duplicate_order", "detail": exc.problems,
                        "id": exc.existing_id})
    except OutOfStock as exc:
        answer = (409, {"error": "insufficient_stock", "short": exc.short})
    except InvalidOrder:
        raise
    if scoped:
        return _remember(factory, scoped, digest, answer, now)
    return answer


def _duplicate(factory: sessionmaker[Session], external_id: str) -> Answer | None:
    with factory() as session:
        existing = orders.find_by_external_id(session, external_id)
    if existing is None:
        return None
    return (409, {"error": "duplicate_order", "id": existing.id,
                  "detail": [{"field": "external_id", "reason": "an order with this "
                              f"external_id already exists (id {existing.id})"}]})


def _store(session: Session, scoped: str, answer: Answer) -> None:
    record = session.get(IdempotencyRecord, scoped)
    assert record is not None
    record.status_code, record.body = answer[0], json.dumps(answer[1], ensure_ascii=False)
    session.add(record)


def _remember(factory: sessionmaker[Session], scoped: str, digest: str, answer: Answer,
              now: datetime) -> Answer:
    """Keep a refusal against the key, unless a concurrent twin stored its answer first."""
    try:
        with factory() as session, session.begin():
            session.add(IdempotencyRecord(key=scoped, request_hash=digest, status_code=answer[0],
                                          body=json.dumps(answer[1], ensure_ascii=False),
                                          created_at=now))
        return answer
    except IntegrityError:
        return _recorded(factory, scoped, digest) or answer


def _recorded(factory: sessionmaker[Session], scoped: str, digest: str) -> Answer | None:
    with factory() as session:
        record = session.get(IdempotencyRecord, scoped)
        if record is None or record.status_code == 0:
            return None
        if record.request_hash != digest:
            return (409, {"error": "idempotency_key_reused",
                          "detail": [{"field": "Idempotency-Key", "reason": "this key was used "
                                      "with a different request body"}]})
        return record.status_code, json.loads(record.body)
