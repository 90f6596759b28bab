"""Buyers' decisions on PostgreSQL under concurrency: a plan is approved once, a transfer
received once, and concurrent approvals never hand out the same SSCC."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from fulfilment import db, planning, receiving
from inventory import store as stock
from inventory.planning_errors import NotEditable
from inventory.planning_tables import (
    Carton,
    InboundTransfer,
    PurchaseOrder,
    PurchasePlan,
    PurchasePlanLine,
    SupplySource,
)
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW


def _plans(factory, count: int) -> list[int]:  # noqa: ANN001
    """`count` proposed plans, each of two cases of SERUM from one Seoul supplier to NGB."""
    with db.transaction(factory) as s:
        a_warehouse(s, "NGB")
        a_sku(s, "SERUM-30ML", shelf_life_days=720)
        source = SupplySource(sku_id="SERUM-30ML", market="KR", supplier="Seoul Beauty Co",
                              hub="NGB", unit_cost_fen=3000, moq=6, case_pack=6, lead_days=5,
                              freight_fen_per_kg=3800)
        s.add(source)
        s.flush()
        ids = []
        for _ in range(count):
            plan = PurchasePlan(created_at=NOW, budget_fen=1_000_000, spent_fen=39_600)
            s.add(plan)
            s.flush()
            s.add(PurchasePlanLine(plan_id=plan.id, source_id=source.id, sku_id="SERUM-30ML",
                                   market="KR", supplier="Seoul Beauty Co", hub="NGB", qty=12,
                                   case_pack=6, moq=6, unit_cost_fen=3000, landed_fen=3300))
            ids.append(plan.id)
    return ids


def test_a_plan_approved_twice_at_once_makes_one_set_of_orders(pg_factory) -> None:  # noqa: ANN001
    (plan_id,) = _plans(pg_factory, 1)
    outcome: dict[str, object] = {}
    with db.transaction(pg_factory) as s:
        outcome["first"] = planning.approve(s, plan_id=plan_id, now=NOW, actor="a")

        def second() -> None:
            try:
                with db.transaction(pg_factory) as other:
                    outcome["second"] = planning.approve(other, plan_id=plan_id, now=NOW,
                                                         actor="b")
            except NotEditable as exc:
                outcome["second"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second has read the plan (or is waiting for its lock)
    thread.join(10)
    assert isinstance(outcome["second"], NotEditable)
    with db.transaction(pg_factory) as s:
        assert s.scalar(select(func.count()).select_from(PurchaseOrder)) == 1
        assert s.get(PurchasePlan, plan_id).approved_by == "a"


def test_two_plans_approved_at_once_get_distinct_sscc(pg_factory) -> None:  # noqa: ANN001
    first, second = _plans(pg_factory, 2)
    errors: list[Exception] = []
    with db.transaction(pg_factory) as s:
        planning.approve(s, plan_id=first, now=NOW)

        def other() -> None:
            try:
                with db.transaction(pg_factory) as t:
                    planning.approve(t, plan_id=second, now=NOW)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.5)
    thread.join(10)
    assert errors == []
    with db.transaction(pg_factory) as s:
        assert s.scalar(select(func.count(func.distinct(Carton.sscc)))) == 4


def test_a_transfer_received_twice_at_once_adds_its_stock_once(pg_factory) -> None:  # noqa: ANN001
    (plan_id,) = _plans(pg_factory, 1)
    with db.transaction(pg_factory) as s:
        planning.approve(s, plan_id=plan_id, now=NOW)
        transfer_id = s.scalar(select(InboundTransfer.id))
    outcome: dict[str, object] = {}
    with db.transaction(pg_factory) as s:
        outcome["first"] = receiving.receive(s, transfer_id=transfer_id, now=NOW)

        def second() -> None:
            try:
                with db.transaction(pg_factory) as other:
                    outcome["second"] = receiving.receive(other, transfer_id=transfer_id,
                                                         now=NOW)
            except NotEditable as exc:
                outcome["second"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
    thread.join(10)
    assert outcome["first"] == 12 and isinstance(outcome["second"], NotEditable)
    with db.transaction(pg_factory) as s:
        assert stock.available(s, "SERUM-30ML") == 12
        assert stock.ledger_problems(s) == []
