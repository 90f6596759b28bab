"""Quota races on PostgreSQL: concurrent holds for one buyer never pass the annual limit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from customs import store as quota_store
from customs.errors import QuotaExceeded
from customs.tables import CustomsQuota, CustomsQuotaHold
from fulfilment import db
from tests.conftest import NOW

LIMIT = 2_600_000  # 26000.00 CNY in fen


def _race(factory, *, workers: int, amount_fen: int, buyer: str = "b" * 64) -> list[bool]:
    start = threading.Barrier(workers)

    def one(i: int) -> bool:
        start.wait()
        try:
            with db.transaction(factory) as s:
                quota_store.hold(s, ref=f"race:{buyer[:4]}:{i}", buyer_hash=buyer, year=2026,
                                 amount_fen=amount_fen, limit_fen=LIMIT, now=NOW)
            return True
        except QuotaExceeded:
            return False

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(workers)))


def test_concurrent_holds_never_exceed_the_annual_limit(pg_factory):
    results = _race(pg_factory, workers=16, amount_fen=400_000)  # 4000.00 each: 6 fit
    assert sum(results) == 6
    with pg_factory() as s:
        row = s.execute(select(CustomsQuota)).scalars().one()
        assert row.held_fen == 6 * 400_000 <= row.limit_fen
        holds = s.execute(select(CustomsQuotaHold)).scalars().all()
        assert len(holds) == 6 and sum(h.amount_fen for h in holds) == row.held_fen


def test_first_holds_of_a_new_buyer_race_on_the_row_creation(pg_factory):
    results = _race(pg_factory, workers=12, amount_fen=1_000_000, buyer="c" * 64)
    assert sum(results) == 2
    with pg_factory() as s:
        assert s.execute(select(CustomsQuota)).scalars().one().held_fen == 2_000_000


def test_release_and_consume_keep_the_ledger_exact(pg_factory):
    assert all(_race(pg_factory, workers=4, amount_fen=500_000))
    with db.transaction(pg_factory) as s:
        assert quota_store.consume(s, ref="race:bbbb:0", now=NOW)
        assert quota_store.release(s, ref="race:bbbb:1", now=NOW)
        assert not quota_store.release(s, ref="race:bbbb:1", now=NOW)
    with pg_factory() as s:
        row = s.execute(select(CustomsQuota)).scalars().one()
        assert (row.used_fen, row.held_fen) == (500_000, 1_000_000)


def test_concurrent_declarations_of_one_buyer_stay_within_the_limit(pg_factory, pg_settings):
    from fulfilment import clearance, orders
    from tests.builders import stocked
    from tests.fulfilment.test_clearance import allocated_order

    with pg_factory() as s:
        stocked(s, NOW, qty=20)
    ids = [allocated_order(pg_factory, pg_settings, price="4000.00") for _ in range(8)]
    start = threading.Barrier(len(ids))

    def declare(order_id: int) -> None:
        start.wait()
        with db.transaction(pg_factory) as s:
            clearance.declare_order(s, order_id=order_id, settings=pg_settings, now=NOW)

    with ThreadPoolExecutor(len(ids)) as pool:
        list(pool.map(declare, ids))
    with pg_factory() as s:
        statuses = [orders.get(s, i).status for i in ids]
        row = s.execute(select(CustomsQuota)).scalars().one()
    assert statuses.count("declared") == 6 and statuses.count("customs_rejected") == 2
    assert row.held_fen == 6 * 400_000 <= row.limit_fen
