"""A wave holds the buyer's annual CBEC quota at allocation; over the limit, the order is
cancelled and its stock returned, while the rest of the wave goes ahead."""

from __future__ import annotations

from fulfilment import db, orders, privacy, waves
from inventory import store as stock
from inventory.tables import Availability
from tests.builders import BUYER
from tests.conftest import NOW
from tests.fulfilment.wave_builders import network, paid_order


def test_order_past_the_annual_limit_is_cancelled_and_released(session_factory, settings):
    from customs import store as quota

    network(session_factory, NOW, ngb=5, zz=10)
    first = paid_order(session_factory, settings, NOW, qty=1)
    second = paid_order(session_factory, settings, NOW, qty=1)
    buyer = privacy.id_hash(BUYER["id_number"], secret=settings.secret_key)
    limit = 26_000_00
    with db.transaction(session_factory) as s:
        # the buyer has already cleared all but one and a half orders of this year's limit
        with session_factory() as probe:
            price = orders.get(probe, first).goods_fen
        quota.hold(s, ref="earlier", buyer_hash=buyer, year=NOW.year,
                   amount_fen=limit - price - price // 2, limit_fen=limit, now=NOW)
    with db.transaction(session_factory) as s:
        waves.run_wave(s, now=NOW, time_limit_s=5.0, workers=1)
    with session_factory() as s:
        statuses = sorted(orders.get(s, i).status for i in (first, second))
        assert statuses == ["allocated", "cancelled"]
        cancelled = next(orders.get(s, i) for i in (first, second)
                         if orders.get(s, i).status == "cancelled")
        assert "annual" in (cancelled.status_reason or "")
        assert s.get(Availability, "SERUM-30ML").reserved == 0
        assert stock.ledger_problems(s) == []
        assert orders.allocated_lots(s, cancelled) == {} or \
            set(orders.allocated_lots(s, cancelled).values()) == {0}
