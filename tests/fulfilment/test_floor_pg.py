"""The floor on PostgreSQL: FEFO pick tasks, a packed parcel, hand-over; the ledger balances."""

from __future__ import annotations

from sqlalchemy import select

from fulfilment import db, floor, station
from fulfilment.floor_tables import PackScan
from fulfilment.tables import Order, Parcel
from inventory import store as stock
from tests.conftest import NOW
from tests.fulfilment.floor_builders import allocated_parcel, clear, floor_stock, packable_parcel


def test_floor_flow_on_postgres(pg_factory, pg_settings):
    with db.transaction(pg_factory) as s:
        floor_stock(s, NOW)
        parcel = allocated_parcel(s, NOW, lines={"SERUM-30ML": 3, "CREAM-50G": 1},
                                  settings=pg_settings, external_id="R-PG-1")
        clear(s, parcel, NOW)
        pid, wave_id = parcel.id, parcel.wave_id
    with db.transaction(pg_factory) as s:
        assert floor.create_pick_tasks(s, wave_id=wave_id, now=NOW).created == 3
    with db.transaction(pg_factory) as s:
        for code in ("R-PG-1", "SERUM-30ML", "MASK-5PK", "SERUM-30ML"):
            station.scan(s, station="PG", user="t", code=code, now=NOW)
        station.undo(s, station="PG", user="t", now=NOW)
        for code in ("6901234567892", "SERUM-30ML", "SERUM-30ML", "CREAM-50G"):
            out = station.scan(s, station="PG", user="t", code=code, now=NOW)
        assert out.result == "complete"  # the third SERUM was one too many; CREAM completes
    with db.transaction(pg_factory) as s:
        assert s.get(Parcel, pid).status == "packed"
        assert station.scan(s, station="PG", user="t", code=f"WAVE-{wave_id}",
                            now=NOW).shipped == 1
    with db.transaction(pg_factory) as s:
        assert s.get(Order, s.get(Parcel, pid).order_id).status == "shipped"
        assert stock.ledger_problems(s) == []
        results = [r for (r,) in s.execute(select(PackScan.result).order_by(PackScan.id))]
        assert results.count("refused") == 2  # MASK-5PK (not in parcel), the extra SERUM


def test_two_stations_cannot_both_pack_the_last_unit(pg_factory, pg_settings):
    import threading

    with db.transaction(pg_factory) as s:
        floor_stock(s, NOW)
        packable_parcel(s, NOW, lines={"SERUM-30ML": 1}, settings=pg_settings,
                        external_id="R-PG-RACE")
    for st in ("A", "B"):
        with db.transaction(pg_factory) as s:
            assert station.scan(s, station=st, user=st, code="R-PG-RACE", now=NOW).result == "ok"
    barrier, results = threading.Barrier(2), {}

    def scan(st: str) -> None:
        with db.transaction(pg_factory) as s:
            barrier.wait()
            results[st] = station.scan(s, station=st, user=st, code="SERUM-30ML", now=NOW).result

    threads = [threading.Thread(target=scan, args=(st,)) for st in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == ["complete", "refused"]
