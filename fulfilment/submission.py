"""Order submission at the edge: idempotency, all-or-nothing reservation, the contract's answers.

Orders are placed in batches (group commit): each order in its own SAVEPOINT inside one
transaction, so a hot SKU's row lock is held for one commit per batch instead of one per order,
while a refused order still changes nothing. A batch of one is the plain path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import orders
from fulfilment.intake import InvalidOrder, OrderInput, parse
from fulfilment.settings import Settings
from fulfilment.tables import IdempotencyRecord
from inventory.errors import OutOfStock

log = logging.getLogger("fulfilment.intake")
Answer = tuple[int, dict]


@dataclass
class Job:
    order: OrderInput
    digest: str
    scoped: str | None
    now: datetime
    future: Future = field(default_factory=Future)


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def submit(factory: sessionmaker[Session], *, body: Any, idempotency_key: str | None,
           key_scope: str, settings: Settings, now: datetime | None = None,
           batcher: Batcher | None = None) -> Answer:
    """Place an order; a retried key gets the first answer and reserves nothing more."""
    order_in = parse(body)  # InvalidOrder -> 422, never stored against the key
    scoped = f"{key_scope}:{idempotency_key}" if idempotency_key else None
    job = Job(order_in, body_hash(body), scoped, now or datetime.now(UTC))
    if scoped:
        earlier = _recorded(factory, scoped, job.digest)
        if earlier:
            return earlier
    if batcher is not None:
        return batcher.place(job)
    process(factory, [job], settings)
    return job.future.result()


def process(factory: sessionmaker[Session], jobs: list[Job], settings: Settings) -> None:
    """Place a batch in one transaction, one savepoint per order; resolve every job's future."""
    answers: dict[int, Answer | Exception | None] = {}
    try:
        with factory() as session, session.begin():
            for i, job in enumerate(jobs):
                answers[i] = _attempt(session, job, settings)
    except DBAPIError:
        log.warning("intake batch of %d failed to commit; placing one by one", len(jobs))
        if len(jobs) == 1:
            answers = {0: None}
        else:
            for job in jobs:
                process(factory, [job], settings)
            return
    for i, job in enumerate(jobs):
        answer = answers.get(i)
        try:
            if isinstance(answer, Exception):
                raise answer
            job.future.set_result(answer if answer is not None else
                                  _settle(factory, job, settings))
        except Exception as exc:  # noqa: BLE001 - hand the error to the waiting request
            job.future.set_exception(exc)


def _attempt(session: Session, job: Job, settings: Settings) -> Answer | Exception | None:
    """One order inside its savepoint. None: a concurrent twin decides it (settled after commit);
    an exception (an unknown SKU, say) belongs to this order alone and is raised to its caller."""
    try:
        with session.begin_nested():
            order, lines = orders.place(session, order=job.order, settings=settings, now=job.now)
            answer: Answer = (201, orders.view(session, order, lines=lines))
            if job.scoped:
                # A concurrent twin with the same key and body collides on the order's unique
                # external_id first; one with another body collides here. Either way its
                # savepoint rolls back and it answers from this record once we commit.
                session.add(IdempotencyRecord(key=job.scoped, request_hash=job.digest,
                                              status_code=201, created_at=job.now,
                                              body=json.dumps(answer[1], ensure_ascii=False)))
                session.flush()
        return answer
    except OutOfStock as exc:
        refusal: Answer = (409, {"error": "insufficient_stock", "short": exc.short})
    except DBAPIError:
        return None  # a twin with the same key or external id, or a deadlock victim
    except InvalidOrder as exc:
        return exc
    if job.scoped:
        try:
            with session.begin_nested():
                session.add(IdempotencyRecord(key=job.scoped, request_hash=job.digest,
                                              status_code=refusal[0], created_at=job.now,
                                              body=json.dumps(refusal[1], ensure_ascii=False)))
                session.flush()
        except IntegrityError:
            return None
    return refusal


def _settle(factory: sessionmaker[Session], job: Job, settings: Settings) -> Answer:
    """After a conflict: the twin's stored answer, a duplicate refusal, or one more try alone."""
    if job.scoped:
        earlier = _recorded(factory, job.scoped, job.digest)
        if earlier:
            return earlier
    with factory() as session:
        existing = orders.find_by_external_id(session, job.order.external_id)
    if existing is not None:
        return (409, {"error": "duplicate_order", "id": existing.id,
                      "detail": [{"field": "external_id", "reason": "an order with this "
                                  f"external_id already exists (id {existing.id})"}]})
    retry = Job(job.order, job.digest, job.scoped, job.now)
    with factory() as session, session.begin():
        answer = _attempt(session, retry, settings)
    if isinstance(answer, Exception):
        raise answer
    if answer is None:
        raise RuntimeError("order could not be placed after a conflict")
    return answer


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


class Batcher:
    """One thread per process that places waiting orders together (group commit)."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self._factory, self._settings = factory, settings
        self._max = max(1, settings.intake_batch_max)
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="intake-batcher", daemon=True)
        self._thread.start()

    def place(self, job: Job) -> Answer:
        self._queue.put(job)
        return job.future.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            try:
                process(self._factory, batch, self._settings)
            except Exception as exc:  # noqa: BLE001 - never leave a request waiting
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
