"""Flash-sale races: many clients, few units; nothing is oversold and the ledger stays true."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from fulfilment import submission
from fulfilment.tables import Order
from inventory import store as stock
from inventory.tables import Availability
from tests.builders import order_body, stocked
from tests.conftest import NOW


@pytest.fixture(params=["one transaction per order", "group commit"])
def batching(request) -> bool:
    return request.param == "group commit"


def _race(factory, settings, *, orders: int, clients: int, batching: bool) -> list[int]:
    bodies = [order_body(qty=1, external_id=f"RACE-{i}") for i in range(orders)]
    # two batchers stand for two replicas racing on one database
    batchers = [submission.Batcher(factory, settings) for _ in range(2)] if batching else [None]

    def one(i: int) -> int:
        status, _ = submission.submit(factory, body=bodies[i], idempotency_key=f"race-{i}",
                                      key_scope="1", settings=settings, now=NOW,
                                      batcher=batchers[i % len(batchers)])
        return status

    try:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            return list(pool.map(one, range(orders)))
    finally:
        for b in batchers:
            if b is not None:
                b.close()


def _assert_sold_exactly(factory, units: int, statuses: list[int]) -> None:
    assert statuses.count(201) == units
    assert set(statuses) <= {201, 409}
    with factory() as s:
        av = s.get(Availability, "SERUM-30ML")
        assert av.reserved == units and av.sellable == units
        assert s.execute(select(func.count()).select_from(Order)).scalar_one() == units
        assert stock.ledger_problems(s) == []


def test_800_orders_for_100_units_on_postgresql(pg_factory, pg_settings, batching):
    with pg_factory() as s:
        stocked(s, NOW, qty=100)
    statuses = _race(pg_factory, pg_settings, orders=800, clients=64, batching=batching)
    _assert_sold_exactly(pg_factory, 100, statuses)


def test_200_clients_for_the_last_unit_on_postgresql(pg_factory, pg_settings, batching):
    with pg_factory() as s:
        stocked(s, NOW, qty=1)
    statuses = _race(pg_factory, pg_settings, orders=200, clients=64, batching=batching)
    _assert_sold_exactly(pg_factory, 1, statuses)


def test_16_concurrent_retries_make_one_order_on_postgresql(pg_factory, pg_settings, batching):
    with pg_factory() as s:
        stocked(s, NOW, qty=10)
    body = order_body(qty=2, external_id="RETRY-1")
    batchers = [submission.Batcher(pg_factory, pg_settings) for _ in range(2)] if batching \
        else [None]

    def retry(i: int) -> tuple[int, dict]:
        return submission.submit(pg_factory, body=body, idempotency_key="same-key",
                                 key_scope="1", settings=pg_settings, now=NOW,
                                 batcher=batchers[i % len(batchers)])

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(retry, range(16)))
    for b in batchers:
        if b is not None:
            b.close()
    assert {status for status, _ in answers} == {201}
    assert len({a["id"] for _, a in answers}) == 1
    with pg_factory() as s:
        assert s.get(Availability, "SERUM-30ML").reserved == 2
        assert s.execute(select(func.count()).select_from(Order)).scalar_one() == 1


def test_sqlite_race_sells_exactly_the_stock(session_factory, settings, session, batching):
    stocked(session, NOW, qty=20)
    statuses = _race(session_factory, settings, orders=60, clients=8, batching=batching)
    _assert_sold_exactly(session_factory, 20, statuses)


