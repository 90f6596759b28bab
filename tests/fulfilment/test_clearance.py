"""Clearance end to end with the customs SIMULATOR: declare, receipts, redeclare, cancel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from customs import simulator
from customs import store as quota_store
from customs.tables import CustomsDeclaration, CustomsMessage, CustomsQuota, CustomsReceipt
from fulfilment import clearance, db, events, orders, submission
from fulfilment.clearance_files import read_folder, write_all_atomic
from fulfilment.tables import Parcel, ParcelLine
from inventory import store as stock
from inventory.tables import Availability
from tests.builders import order_body, stocked
from tests.conftest import NOW

PRICE = "425.00"


def allocated_order(factory, settings, *, qty: int = 1, price: str = PRICE) -> int:
    """An order placed, paid and allocated to NGB in one parcel (what a wave would do)."""
    status, body = submission.submit(factory, body=order_body(qty=qty, price=price),
                                     idempotency_key=None, key_scope="t", settings=settings,
                                     now=NOW)
    assert status == 201, body
    with db.transaction(factory) as s:
        order = orders.confirm_payment(s, order_id=body["id"], settings=settings, now=NOW,
                                       payment={"transaction_id": f"P{body['id']}",
                                                "payer_name": "李小红",
                                                "payer_id_number": "11010519491231002X",
                                                "amount": body["total"]})
        stock.allocate(s, warehouse="NGB", sku="SERUM-30ML", qty=qty, now=NOW,
                       reference=orders.ref(order))
        parcel = Parcel(order_id=order.id, warehouse_id="NGB", courier_id="SF", weight_g=250,
                        shipping_fen=800, tax_fen=0, created_at=NOW)
        s.add(parcel)
        s.flush()
        s.add(ParcelLine(parcel_id=parcel.id, sku_id="SERUM-30ML", qty=qty))
        events.transition(s, order, "allocated", now=NOW)
    return body["id"]


def run_simulator(settings, used=None) -> simulator.Simulation:
    """The customs SIMULATOR answers the outbox into the inbox (as the CLI verb does)."""
    outbox = read_folder(settings.customs_outbox)
    result = simulator.simulate(outbox, now=NOW.replace(tzinfo=None) + timedelta(minutes=1),
                                used=used)
    write_all_atomic(settings.customs_inbox, {a.filename: a.xml for a in result.answers})
    for name in outbox:
        (settings.customs_outbox / name).unlink()
    return result


def status_of(factory, order_id: int) -> str:
    with factory() as s:
        return orders.get(s, order_id).status


def quota(factory) -> tuple[int, int]:
    with factory() as s:
        row = s.execute(select(CustomsQuota)).scalars().first()
        return (row.used_fen, row.held_fen) if row else (0, 0)


def test_declare_release_and_clear(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    order_id = allocated_order(session_factory, settings)
    assert clearance.declare_job(session_factory, settings, now=NOW) == 1
    assert status_of(session_factory, order_id) == "declared"
    files = sorted(read_folder(settings.customs_outbox))
    assert [f[:6] for f in files] == ["CEB311", "CEB411", "CEB511", "CEB621"]
    assert quota(session_factory) == (0, 42500)
    with session_factory() as s:
        decl = s.execute(select(CustomsDeclaration)).scalars().one()
        assert (decl.status, decl.tax_fen, decl.dutiable_fen) == ("submitted", 9800, 42500)
        assert orders.get(s, order_id).tax_fen == 9800
    run_simulator(settings)
    assert clearance.receipts_job(session_factory, settings, now=NOW) == 5
    assert status_of(session_factory, order_id) == "cleared"
    assert quota(session_factory) == (42500, 0)
    assert not read_folder(settings.customs_inbox)
    assert len(list((settings.customs_inbox / "done").glob("*.xml"))) == 5
    with session_factory() as s:
        assert len(clearance.inventory_no(s, order_id) or "") == 18


def test_each_receipt_applies_once(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    allocated_order(session_factory, settings)
    clearance.declare_job(session_factory, settings, now=NOW)
    answers = run_simulator(settings).answers
    clearance.receipts_job(session_factory, settings, now=NOW)
    write_all_atomic(settings.customs_inbox, {a.filename: a.xml for a in answers})  # again
    assert clearance.receipts_job(session_factory, settings, now=NOW) == 0
    assert quota(session_factory) == (42500, 0)
    with session_factory() as s:
        assert len(s.execute(select(CustomsReceipt)).scalars().all()) == 5


def test_rejection_then_cancel_returns_stock_and_quota(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    order_id = allocated_order(session_factory, settings, qty=2)
    clearance.declare_job(session_factory, settings, now=NOW)
    assert quota(session_factory) == (0, 85000)
    run_simulator(settings, used={"11010519491231002X:2026": Decimal("25500")})
    clearance.receipts_job(session_factory, settings, now=NOW)
    assert status_of(session_factory, order_id) == "customs_rejected"
    assert quota(session_factory) == (0, 0)
    with session_factory() as s:
        order = orders.get(s, order_id)
        assert "CEB622 100" in order.status_reason and "2600" in order.status_reason
    with db.transaction(session_factory) as s:
        clearance.cancel_rejected(s, order_id=order_id, now=NOW)
    assert status_of(session_factory, order_id) == "cancelled"
    with session_factory() as s:
        assert s.get(Availability, "SERUM-30ML").sellable == 5
        decl = s.execute(select(CustomsDeclaration)).scalars().one()
        assert decl.status == "cancelled"


def test_rejected_order_is_redeclared_and_released(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    order_id = allocated_order(session_factory, settings)
    clearance.declare_job(session_factory, settings, now=NOW)
    run_simulator(settings, used={"11010519491231002X:2026": Decimal("25900")})
    clearance.receipts_job(session_factory, settings, now=NOW)
    assert status_of(session_factory, order_id) == "customs_rejected"
    with db.transaction(session_factory) as s:
        assert clearance.redeclare(s, order_id=order_id, settings=settings, now=NOW)
    clearance.deliver_outbox(session_factory, settings, now=NOW)
    run_simulator(settings)
    clearance.receipts_job(session_factory, settings, now=NOW)
    assert status_of(session_factory, order_id) == "cleared"
    with session_factory() as s:
        decl = s.execute(select(CustomsDeclaration)).scalars().one()
        assert (decl.attempt, decl.status) == (2, "released")
        assert len(s.execute(select(CustomsMessage)).scalars().all()) == 8


def test_quota_exceeded_at_declaration_rejects_without_sending(session_factory, settings,
                                                              session):
    stocked(session, NOW, qty=5)
    with db.transaction(session_factory) as s:
        quota_store.hold(s, ref="earlier", buyer_hash=_buyer_hash(settings), year=2026,
                         amount_fen=2590000, limit_fen=2600000, now=NOW)
    order_id = allocated_order(session_factory, settings)
    assert clearance.declare_job(session_factory, settings, now=NOW) == 0
    assert status_of(session_factory, order_id) == "customs_rejected"
    assert not read_folder(settings.customs_outbox)
    with session_factory() as s:
        assert "quota_exceeded" in orders.get(s, order_id).status_reason


def test_cancelled_declared_order_gives_quota_back(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    order_id = allocated_order(session_factory, settings)
    clearance.declare_job(session_factory, settings, now=NOW)
    with db.transaction(session_factory) as s:
        orders.cancel(s, order_id=order_id, now=NOW, reason="buyer")
    clearance.declare_job(session_factory, settings, now=NOW)
    assert quota(session_factory) == (0, 0)


def test_unreadable_receipt_is_set_aside(session_factory, settings):
    write_all_atomic(settings.customs_inbox, {"CEB622_X_bad.xml": b"<nope/>"})
    assert clearance.receipts_job(session_factory, settings, now=NOW) == 0
    assert (settings.customs_inbox / "failed" / "CEB622_X_bad.xml").exists()


def _buyer_hash(settings) -> str:
    from fulfilment import privacy

    return privacy.id_hash("11010519491231002X", secret=settings.secret_key)


def test_sku_unit_tax_for_the_wave():
    from datetime import date

    from inventory.tables import Sku

    serum = Sku(id="S", name="Serum", hs_code="3304990099", tax_category="cosmetics",
                weight_g=100, unit_price_fen=42500, net_content="30 ml")
    assert clearance.sku_unit_tax(serum, "1210", on=date(2026, 11, 22)) == Decimal("98.00")
    assert clearance.sku_unit_tax(serum, "9610", on=date(2026, 11, 22)) == Decimal("98.00")
    cheap = Sku(id="C", name="Cream", hs_code="3304990099", tax_category="cosmetics",
                weight_g=100, unit_price_fen=9000, net_content="1 l")
    assert clearance.sku_unit_tax(cheap, "1210", on=date(2026, 11, 22)) == Decimal("8.19")


def test_refund_within_the_windows_gives_the_quota_back(session_factory, settings, session):
    import pytest

    stocked(session, NOW, qty=5)
    order_id = allocated_order(session_factory, settings)
    clearance.declare_job(session_factory, settings, now=NOW)
    run_simulator(settings)
    clearance.receipts_job(session_factory, settings, now=NOW)
    assert quota(session_factory) == (42500, 0)
    day = NOW.date()
    with pytest.raises(clearance.ClearanceError) as err, db.transaction(session_factory) as s:
        clearance.refund(s, order_id=order_id, declared_on=day + timedelta(days=31),
                         returned_on=day + timedelta(days=40), now=NOW)
    assert err.value.problems[0]["field"] == "declared_on"
    with db.transaction(session_factory) as s:
        assert clearance.refund(s, order_id=order_id, declared_on=day + timedelta(days=10),
                                returned_on=day + timedelta(days=45), now=NOW) == 1
    assert quota(session_factory) == (0, 0)


def test_hold_at_allocation_is_kept_by_the_declaration(session_factory, settings, session):
    stocked(session, NOW, qty=5)
    order_id = allocated_order(session_factory, settings)
    with db.transaction(session_factory) as s:
        assert clearance.hold_quota(s, order_id=order_id, now=NOW) == 1
    assert quota(session_factory) == (0, 42500)
    clearance.declare_job(session_factory, settings, now=NOW)
    assert quota(session_factory) == (0, 42500)
    run_simulator(settings)
    clearance.receipts_job(session_factory, settings, now=NOW)
    assert quota(session_factory) == (42500, 0)
