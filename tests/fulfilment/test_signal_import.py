"""Importing signals and sales: bulk upsert, replace on re-import, concurrency, rollback."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from fulfilment import db
from inventory import planning_store
from inventory.planning_tables import SalesDay, SignalDay
from inventory.signals import SaleRow, SignalRow

DAY0 = date(2026, 3, 1)


def _signals(skus: int, days: int, *, base: int = 1) -> list[SignalRow]:
    return [SignalRow(DAY0 + timedelta(days=d), f"S{k:03d}", notes=base, likes=base + k,
                      saves=d, comments=0, shares=base, searches=k + d)
            for d in range(days) for k in range(skus)]


def _sales(skus: int, days: int, *, base: int = 1) -> list[SaleRow]:
    return [SaleRow(DAY0 + timedelta(days=d), f"S{k:03d}", base + k + d)
            for d in range(days) for k in range(skus)]


def _count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def _reimport_replaces(factory: sessionmaker[Session]) -> None:
    # more rows than one statement takes, so the chunking is exercised too
    signals, sales = _signals(40, 300), _sales(40, 300)
    with db.transaction(factory) as s:
        assert planning_store.upsert_signals(s, rows=signals) == len(signals)
        assert planning_store.upsert_sales(s, rows=sales) == len(sales)
    changed_signals = [replace(r, likes=r.likes + 1000, searches=7) for r in signals[::3]]
    changed_sales = [replace(r, units=r.units + 500) for r in sales[::4]]
    with db.transaction(factory) as s:
        # an object already in the session must show the new values after the import
        held = s.get(SignalDay, (changed_signals[0].sku, changed_signals[0].day))
        assert held is not None and held.likes == changed_signals[0].likes - 1000
        planning_store.upsert_signals(s, rows=changed_signals)
        planning_store.upsert_sales(s, rows=changed_sales)
        assert held.likes == changed_signals[0].likes and held.searches == 7
    want_signals = {(r.sku, r.day): r for r in signals} | {(r.sku, r.day): r
                                                           for r in changed_signals}
    want_sales = {(r.sku, r.day): r for r in sales} | {(r.sku, r.day): r for r in changed_sales}
    with factory() as s:
        assert _count(s, SignalDay) == len(want_signals)
        assert _count(s, SalesDay) == len(want_sales)
        assert {(r.sku, r.day): r for r in planning_store.load_signals(s)} == want_signals
        assert {(r.sku, r.day): r for r in planning_store.load_sales(s)} == want_sales


def test_reimport_replaces_changed_rows_sqlite(session_factory: sessionmaker[Session]) -> None:
    _reimport_replaces(session_factory)


def test_reimport_replaces_changed_rows_postgres(pg_factory: sessionmaker[Session]) -> None:
    _reimport_replaces(pg_factory)


def test_the_last_of_two_rows_for_one_key_wins(session_factory: sessionmaker[Session]) -> None:
    rows = [SaleRow(DAY0, "S001", 3), SaleRow(DAY0, "S001", 9)]
    with db.transaction(session_factory) as s:
        planning_store.upsert_sales(s, rows=rows)
    with session_factory() as s:
        assert planning_store.load_sales(s) == [SaleRow(DAY0, "S001", 9)]


def test_concurrent_overlapping_imports_both_succeed(pg_factory: sessionmaker[Session]) -> None:
    first, second = _sales(30, 40, base=1), _sales(30, 40, base=100)[200:]  # overlap 1000 keys
    first_signals = _signals(30, 40, base=1)
    second_signals = list(reversed(_signals(30, 40, base=50)[300:]))  # a different order
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def work(n: int, sales: list[SaleRow], signals: list[SignalRow]) -> None:
        try:
            with db.transaction(pg_factory) as s:
                barrier.wait(timeout=10)
                planning_store.upsert_signals(s, rows=signals)
                planning_store.upsert_sales(s, rows=sales)
                time.sleep(0.3)  # hold the new rows uncommitted while the other one writes
            results[n] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[n] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=work, args=(0, first, first_signals)),
               threading.Thread(target=work, args=(1, second, second_signals))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == {0: "ok", 1: "ok"}
    keys = {(r.sku, r.day) for r in first} | {(r.sku, r.day) for r in second}
    with pg_factory() as s:
        assert _count(s, SalesDay) == len(keys)
        assert _count(s, SignalDay) == len({(r.sku, r.day) for r in first_signals})
        stored = {(r.sku, r.day): r.units for r in planning_store.load_sales(s)}
    assert set(stored) == keys
    by_first = {(r.sku, r.day): r.units for r in first}
    by_second = {(r.sku, r.day): r.units for r in second}
    for key, units in stored.items():  # each row is one of the writers' values, never a mix
        assert units in {by_first.get(key), by_second.get(key)}


@pytest.mark.parametrize("which", ["sqlite", "postgres"])
def test_a_rolled_back_import_leaves_nothing(which: str, request: pytest.FixtureRequest) -> None:
    factory = request.getfixturevalue("session_factory" if which == "sqlite" else "pg_factory")
    with db.transaction(factory) as s:
        planning_store.upsert_sales(s, rows=_sales(3, 3))
    with pytest.raises(RuntimeError), db.transaction(factory) as s:
        planning_store.upsert_signals(s, rows=_signals(20, 300))
        planning_store.upsert_sales(s, rows=_sales(20, 300, base=40))
        raise RuntimeError("the edge failed after the store wrote")
    with factory() as s:
        assert _count(s, SignalDay) == 0
        assert planning_store.load_sales(s) == _sales(3, 3)  # ordered by day, then sku
