"""Sales history: imported exports, and the system's own shipped parcels around them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fulfilment import planning
from inventory.signals import SaleRow
from tests.fulfilment.floor_builders import allocated_parcel, floor_stock


def _ship(session, settings, day: date, qty: int) -> None:  # noqa: ANN001
    at = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)  # 11:00 in Ningbo
    parcel = allocated_parcel(session, at, lines={"SERUM-30ML": qty}, settings=settings)
    parcel.status, parcel.shipped_at = "shipped", at


def test_shipped_parcels_fill_only_the_days_no_export_covers(session, settings) -> None:  # noqa: ANN001
    floor_stock(session, datetime(2026, 11, 1, tzinfo=UTC))
    planning.import_sales(session, text="date,sku,units\n2026-11-16,SERUM-30ML,5\n"
                                        "2026-11-18,SERUM-30ML,1\n")
    _ship(session, settings, date(2026, 11, 17), 5)  # Monday's 5, shipped on Tuesday
    _ship(session, settings, date(2026, 11, 19), 2)  # after the export: only the parcels know
    session.commit()
    assert sorted(planning.sales_history(session), key=lambda r: r.day) == [
        SaleRow(date(2026, 11, 16), "SERUM-30ML", 5), SaleRow(date(2026, 11, 18), "SERUM-30ML", 1),
        SaleRow(date(2026, 11, 19), "SERUM-30ML", 2)]
    assert planning.sales_history(session, since=date(2026, 11, 18)) == [
        SaleRow(date(2026, 11, 18), "SERUM-30ML", 1), SaleRow(date(2026, 11, 19), "SERUM-30ML", 2)]


def test_without_imports_the_shipped_parcels_are_the_history(session, settings) -> None:  # noqa: ANN001
    floor_stock(session, datetime(2026, 11, 1, tzinfo=UTC))
    _ship(session, settings, date(2026, 11, 17), 3)
    session.commit()
    assert planning.sales_history(session) == [SaleRow(date(2026, 11, 17), "SERUM-30ML", 3)]
