"""A batch placed in one go answers every order exactly as placing them one by one would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fulfilment import submission
from fulfilment.tables import IdempotencyRecord, Order, OrderEvent
from inventory import store as stock
from inventory.errors import StockConflict
from inventory.tables import Availability
from tests.builders import a_sku, order_body, stocked
from tests.conftest import NOW


def _job(body: dict, key: str | None, i: int) -> submission.Job:
    return submission.job_for(body, idempotency_key=key, key_scope="1",
                              now=NOW + timedelta(seconds=i))


def _answers(factory, settings, requests: list[tuple[dict, str | None]]) -> list:
    jobs = [_job(body, key, i) for i, (body, key) in enumerate(requests)]
    submission.process(factory, jobs, settings)
    return [job.future.result(timeout=5) for job in jobs]


@pytest.fixture
def no_fallback(monkeypatch):
    """The batch path must decide these itself, not fall back to one-by-one savepoints."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the batch fell back to placing orders one by one")

    monkeypatch.setattr(submission, "_place_each", refuse)


def test_a_mixed_batch(session_factory, settings, no_fallback):
    _mixed_batch(session_factory, settings)


def test_a_mixed_batch_on_postgresql(pg_factory, pg_settings, no_fallback):
    _mixed_batch(pg_factory, pg_settings)


def _mixed_batch(session_factory, settings) -> None:
    with session_factory() as s:
        stocked(s, NOW, qty=3)
        stocked(s, NOW, sku="MASK-5", qty=1)
        a_sku(s, "NO-STOCK")
        s.commit()
    first = order_body(qty=2, external_id="A")
    requests = [
        (first, "k1"),                                            # placed: 2 of 3
        (first, "k1"),                                            # same key, same body: same answer
        (order_body(qty=1, external_id="B"), "k1"),               # same key, other body: refused
        (order_body(qty=2, external_id="C"), "k2"),               # 1 left: short
        (order_body(qty=1, external_id="A"), "k3"),               # external id taken: duplicate
        (order_body(sku="GHOST", external_id="D"), "k4"),         # unknown SKU: invalid
        ({**order_body(qty=1, external_id="E"),
          "lines": [{"sku": "SERUM-30ML", "qty": 1, "unit_price": "199.00"},
                    {"sku": "MASK-5", "qty": 1, "unit_price": "59.00"}]}, None),  # placed
        (order_body(sku="NO-STOCK", external_id="F"), "k5"),      # no availability row: short
        (order_body(sku="MASK-5", external_id="G"), "k6"),        # MASK-5 went to E: short
        (order_body(sku="GHOST", qty=0, external_id="I"), "k7"),  # invalid twice over
        (order_body(external_id="J"), "k7"),                      # k7 answered invalid: reused
    ]
    answers = _answers(session_factory, settings, requests)
    assert answers[0][0] == 201 and answers[1] == answers[0]
    assert answers[2][0] == 409 and answers[2][1]["error"] == "idempotency_key_reused"
    assert answers[3] == (409, {"error": "insufficient_stock", "short": [
        {"sku": "SERUM-30ML", "requested": 2, "available": 1}]})
    assert answers[4][0] == 409 and answers[4][1]["error"] == "duplicate_order"
    assert answers[5] == (422, {"error": "invalid_order", "detail": [
        {"field": "lines[0].sku", "reason": "unknown SKU 'GHOST'"}]})
    assert answers[6][0] == 201 and [line["sku"] for line in answers[6][1]["lines"]] == \
        ["SERUM-30ML", "MASK-5"]
    assert answers[7][1]["short"] == [{"sku": "NO-STOCK", "requested": 1, "available": 0}]
    assert answers[8][1]["short"] == [{"sku": "MASK-5", "requested": 1, "available": 0}]
    assert answers[9][0] == 422
    assert [p["field"] for p in answers[9][1]["detail"]] == ["lines[0].qty", "lines[0].sku"]
    assert answers[10][1]["error"] == "idempotency_key_reused"
    with session_factory() as s:
        assert s.get(Availability, "SERUM-30ML").reserved == 3
        assert s.get(Availability, "MASK-5").reserved == 1
        assert s.execute(select(func.count()).select_from(Order)).scalar_one() == 2
        assert s.execute(select(func.count()).select_from(OrderEvent)).scalar_one() == 2
        assert stock.ledger_problems(s) == []
        # every final answer is remembered against its key: placed, short, duplicate, invalid
        keys = set(s.execute(select(IdempotencyRecord.key)).scalars())
        assert keys == {f"1:k{i}" for i in range(1, 8)}
    # a retry of a batched request later gets the stored answer and reserves nothing more; a
    # key first answered duplicate or invalid is not free for another body
    again = _answers(session_factory, settings, [
        (first, "k1"), (order_body(external_id="H"), None),
        (requests[5][0], "k4"), (order_body(external_id="K"), "k3"),
        (order_body(external_id="L"), "k4")])
    assert again[0] == answers[0] and again[2] == answers[5]
    assert [a[1]["error"] for a in again[3:]] == ["idempotency_key_reused"] * 2
    with session_factory() as s:
        assert s.get(Availability, "SERUM-30ML").reserved == 3


@pytest.mark.parametrize("batch", [2, 16])
def test_batches_keep_arrival_order(session_factory, settings, batch, no_fallback):
    with session_factory() as s:
        stocked(s, NOW, qty=batch // 2)
    answers = _answers(session_factory, settings,
                       [(order_body(external_id=f"O{i}"), f"o{i}") for i in range(batch)])
    assert [a[0] for a in answers] == [201] * (batch // 2) + [409] * (batch - batch // 2)


def test_reserve_locked_never_oversells_even_without_the_lock(session):
    stocked(session, NOW, qty=2)
    stocked(session, NOW, sku="MASK-5", qty=5)
    with pytest.raises(StockConflict) as caught:
        stock.reserve_locked(session, reservations=[("order:1", {"SERUM-30ML": 3, "MASK-5": 1},
                                                     NOW)])
    assert [p["field"] for p in caught.value.problems] == ["SERUM-30ML"]
    session.rollback()
    stock.reserve_locked(session, reservations=[("order:1", {"SERUM-30ML": 2}, NOW),
                                                ("order:2", {"MASK-5": 5}, NOW)])
    assert stock.available(session, "SERUM-30ML") == 0 and stock.available(session, "MASK-5") == 0
    assert stock.ledger_problems(session) == []


def test_a_batch_refused_whole_writes_nothing_but_its_answers(session_factory, settings,
                                                              no_fallback):
    with session_factory() as s:
        a_sku(s, "NO-STOCK")
        s.commit()
    answers = _answers(session_factory, settings,
                       [(order_body(sku="NO-STOCK", external_id=f"R{i}"), f"r{i}")
                        for i in range(3)])
    assert [a[0] for a in answers] == [409, 409, 409]
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(Order)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(IdempotencyRecord)).scalar_one() == 3


def test_a_twin_committing_while_we_settle_gives_its_answer(session_factory, settings,
                                                            monkeypatch) -> None:
    # our retry after a conflict meets the twin that committed meanwhile: we look again
    # and answer as the twin did, where we had given up ('could not be placed')
    with session_factory() as s:
        stocked(s, NOW, qty=3)
    job = _job(order_body(qty=1, external_id="TWIN"), "k-twin", 0)
    place = submission._attempt
    calls = []

    def twin_first(session, retry, settings_):  # noqa: ANN001, ANN202
        calls.append(retry)
        if len(calls) == 1:  # the twin places the order and commits before our try
            with session_factory() as other, other.begin():
                place(other, _job(order_body(qty=1, external_id="TWIN"), "k-twin", 0),
                      settings_)
            return None
        return place(session, retry, settings_)

    monkeypatch.setattr(submission, "_attempt", twin_first)
    status, body = submission._settle(session_factory, job, settings)
    assert status == 201 and body["external_id"] == "TWIN"
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(Order)).scalar_one() == 1
