"""Order submission at the edge: idempotency, all-or-nothing reservation, the contract's answers.

Orders are placed in batches (group commit): one transaction decides the whole batch in memory
under one lock of its SKUs and writes it with a statement per table, so a hot SKU's row is
locked for one commit per batch instead of one per order, and a refused order changes nothing.
If the batch meets a concurrent twin (the same key or external id placed by another process)
it is rolled back and placed again order by order, each in its own SAVEPOINT.
A batch of one is the plain path.

Every final answer to a keyed request (201, 409 insufficient_stock or duplicate_order, 422) is
stored under its key in the transaction that decides it, and a request whose key already has an
answer gets that answer (or idempotency_key_reused) whatever its body holds.
(A database error that is no conflict, a value its column cannot hold, which intake's bounds
keep out, is raised and not stored.)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import queue
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import orders
from fulfilment.answers import problem_answer
from fulfilment.intake import InvalidOrder, OrderInput, parse
from fulfilment.settings import Settings
from fulfilment.tables import IdempotencyRecord, Order
from inventory.errors import OutOfStock, StockConflict

log = logging.getLogger("fulfilment.intake")
Answer = tuple[int, dict]


@dataclass
class Job:
    order: OrderInput | InvalidOrder  # the parsed body, or why it cannot be placed
    digest: str
    scoped: str | None
    now: datetime
    future: Future = field(default_factory=Future)


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def job_for(body: Any, *, idempotency_key: str | None, key_scope: str,
            now: datetime | None = None) -> Job:
    """A request waiting for its answer. The body is parsed here, in the request's own thread and
    not the batch's, but the outcome counts only once the key has no earlier answer: a reused key
    is a 409 even when its new body is invalid."""
    scoped = f"{key_scope}:{idempotency_key}" if idempotency_key else None
    return Job(_parsed(body), body_hash(body), scoped, now or datetime.now(UTC))


def _parsed(body: Any) -> OrderInput | InvalidOrder:
    try:
        return parse(body)
    except InvalidOrder as exc:
        return exc


async def submit_batched(batcher: Batcher, *, body: Any, idempotency_key: str | None,
                         key_scope: str) -> Answer:
    """`submit` for an async endpoint: the request waits for its batch without holding a thread."""
    job = job_for(body, idempotency_key=idempotency_key, key_scope=key_scope)
    batcher.enqueue(job)
    return await asyncio.wrap_future(job.future)


def submit(factory: sessionmaker[Session], *, body: Any, idempotency_key: str | None,
           key_scope: str, settings: Settings, now: datetime | None = None,
           batcher: Batcher | None = None) -> Answer:
    """Place an order; a retried key gets the first answer and reserves nothing more."""
    job = job_for(body, idempotency_key=idempotency_key, key_scope=key_scope, now=now)
    if batcher is not None:
        return batcher.place(job)  # the batch looks up earlier answers for all its keys at once
    if job.scoped:
        earlier = _recorded(factory, job.scoped, job.digest)
        if earlier:
            return earlier
    process(factory, [job], settings)
    return job.future.result()


def process(factory: sessionmaker[Session], jobs: list[Job], settings: Settings) -> None:
    """Place a batch in one transaction; resolve every job's future."""
    if len(jobs) > 1:
        try:
            with factory() as session, session.begin():
                answers = _place_together(session, jobs, settings)
        except (DBAPIError, StockConflict):
            log.info("intake batch of %d met a concurrent twin; placing one by one", len(jobs))
        else:
            _resolve(factory, jobs, answers, settings)
            return
    _place_each(factory, jobs, settings)


def _place_together(session: Session, jobs: list[Job], settings: Settings
                    ) -> dict[int, Answer | None]:
    """The batch in one go: earlier answers for known keys; None for a job whose key or external
    id an earlier job (in this batch or before) holds, settled after commit; the rest answered
    (placed, short or invalid) and their answers stored under their keys."""
    answers: dict[int, Answer | None] = {}
    keys = {job.scoped for job in jobs if job.scoped}
    records = {r.key: r for r in session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.key.in_(keys))).scalars()} \
        if keys else {}
    taken_ids = set(session.execute(select(Order.external_id).where(
        Order.external_id.in_({_external_id(job) for job in jobs} - {None}))).scalars())
    todo: list[int] = []  # to place
    invalid: list[int] = []  # to answer 422
    claimed: set[str] = set()  # keys an earlier job of this batch is answering
    for i, job in enumerate(jobs):
        if job.scoped in records:
            answers[i] = _answer_of(records[job.scoped], job.digest)
        elif job.scoped in claimed or _external_id(job) in taken_ids:
            answers[i] = None
        else:
            if job.scoped:
                claimed.add(job.scoped)
            if isinstance(job.order, InvalidOrder):
                invalid.append(i)
            else:
                taken_ids.add(job.order.external_id)
                todo.append(i)
    named = orders.name_unknown_skus(session, [jobs[i].order for i in invalid])
    answers.update({i: _invalid(exc) for i, exc in zip(invalid, named, strict=True)})
    placed = orders.place_many(session, batch=[(jobs[i].order, jobs[i].now) for i in todo],
                               settings=settings)
    for i, result in zip(todo, placed, strict=True):
        answers[i] = (_invalid(result) if isinstance(result, InvalidOrder) else
                      _refused(result) if isinstance(result, OutOfStock) else
                      (201, orders.view(session, result[0], lines=result[1])))
    records_out = [_record(jobs[i], answers[i]) for i in invalid + todo if jobs[i].scoped]
    if records_out:
        session.execute(insert(IdempotencyRecord), records_out)
    return answers


def _external_id(job: Job) -> str | None:
    return job.order.external_id if isinstance(job.order, OrderInput) else None


def _place_each(factory: sessionmaker[Session], jobs: list[Job], settings: Settings) -> None:
    """One transaction, one savepoint per order, so a conflict costs only its own order."""
    answers: dict[int, Answer | None] = {}
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
                _place_each(factory, [job], settings)
            return
    _resolve(factory, jobs, answers, settings)


def _resolve(factory: sessionmaker[Session], jobs: list[Job],
             answers: dict[int, Answer | None], settings: Settings) -> None:
    """Hand each waiting request its answer, settling the ones a twin decided (None)."""
    for i, job in enumerate(jobs):
        answer = answers.get(i)
        try:
            job.future.set_result(answer if answer is not None else
                                  _settle(factory, job, settings))
        except Exception as exc:  # noqa: BLE001 - hand the error to the waiting request
            job.future.set_exception(exc)


def _attempt(session: Session, job: Job, settings: Settings) -> Answer | None:
    """One order inside its savepoint. None: a concurrent twin decides it (settled after commit).
    A refusal (short, invalid) is stored under the key in a savepoint of its own."""
    if isinstance(job.order, InvalidOrder):
        return _keep(session, job, _invalid(orders.name_unknown_skus(session, [job.order])[0]))
    try:
        with session.begin_nested():
            order, lines = orders.place(session, order=job.order, settings=settings, now=job.now)
            answer: Answer = (201, orders.view(session, order, lines=lines))
            if job.scoped:
                # A concurrent twin with the same key and body collides on the order's unique
                # external_id first; one with another body collides here. Either way its
                # savepoint rolls back and it answers from this record once we commit.
                session.add(IdempotencyRecord(**_record(job, answer)))
                session.flush()
        return answer
    except OutOfStock as exc:
        refusal = _refused(exc)
    except InvalidOrder as exc:  # an unknown SKU
        refusal = _invalid(exc)
    except (IntegrityError, OperationalError):
        # a twin on a unique index (key or external id), or a deadlock victim; any other database
        # error (a DataError: a value its column cannot hold) is this order's own and is raised
        return None
    return _keep(session, job, refusal)


def _keep(session: Session, job: Job, answer: Answer) -> Answer | None:
    """The answer, stored under the job's key in a savepoint; None if a twin holds the key."""
    if job.scoped:
        try:
            with session.begin_nested():
                session.add(IdempotencyRecord(**_record(job, answer)))
                session.flush()
        except IntegrityError:
            return None
    return answer


def _refused(exc: OutOfStock) -> Answer:
    return 409, {"error": "insufficient_stock", "short": exc.short}


def _invalid(exc: InvalidOrder) -> Answer:
    """The 422 the API's error handler gives for it, as an answer that can be stored."""
    return problem_answer(exc)


def _duplicate(order_id: int) -> Answer:
    return (409, {"error": "duplicate_order", "id": order_id,
                  "detail": [{"field": "external_id", "reason": "an order with this "
                              f"external_id already exists (id {order_id})"}]})


def _record(job: Job, answer: Answer) -> dict:
    """The idempotency row that gives a retry of this job the same answer."""
    return {"key": job.scoped, "request_hash": job.digest, "status_code": answer[0],
            "created_at": job.now, "body": json.dumps(answer[1], ensure_ascii=False)}


_SETTLE_ROUNDS = 3  # a twin may commit between our looking and our trying again


def _settle(factory: sessionmaker[Session], job: Job, settings: Settings) -> Answer:
    """After a conflict: the twin's stored answer, a duplicate refusal (stored under the key
    too), or one more try alone; again if that try meets a twin that committed meanwhile
    (16 concurrent retries of one order on PostgreSQL once found none of the three)."""
    for _ in range(_SETTLE_ROUNDS):
        settled = _settled(factory, job)
        if settled is not None:
            return settled
        retry = Job(job.order, job.digest, job.scoped, job.now)
        with factory() as session, session.begin():
            answer = _attempt(session, retry, settings)
        if answer is not None:
            return answer
    raise RuntimeError("order could not be placed after a conflict")


def _settled(factory: sessionmaker[Session], job: Job) -> Answer | None:
    """The twin's stored answer, or a duplicate refusal stored under the key; None if
    neither is there yet."""
    if job.scoped:
        earlier = _recorded(factory, job.scoped, job.digest)
        if earlier:
            return earlier
    external_id = _external_id(job)
    if external_id is not None:
        with factory() as session:
            existing = orders.find_by_external_id(session, external_id)
        if existing is not None:
            with factory() as session, session.begin():
                kept = _keep(session, job, _duplicate(existing.id))
            if kept is None and job.scoped:  # a twin stored its answer under the key first
                kept = _recorded(factory, job.scoped, job.digest)
            if kept is not None:
                return kept
    return None


def _recorded(factory: sessionmaker[Session], scoped: str, digest: str) -> Answer | None:
    with factory() as session:
        record = session.get(IdempotencyRecord, scoped)
        if record is None or record.status_code == 0:
            return None
        return _answer_of(record, digest)


def _answer_of(record: IdempotencyRecord, digest: str) -> Answer:
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
        # The batch thread waits on the database between short bursts of work; with Python's
        # default 5 ms GIL switch interval it then queues behind the event loop for up to 5 ms
        # per round trip. 0.5 ms measured +20% orders/s for one worker (benchmarks/intake.py).
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.0005))
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="intake-batcher", daemon=True)
        self._thread.start()

    def place(self, job: Job) -> Answer:
        self.enqueue(job)
        return job.future.result()

    def enqueue(self, job: Job) -> None:
        self._queue.put(job)

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
