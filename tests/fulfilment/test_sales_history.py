"""Sales history: imported exports, and the system's own shipped parcels around them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fulfilment import planning
from inventory.forecast import forecast
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


def _serum_history(session, settings) -> None:  # noqa: ANN001
    """SERUM-30ML imported at 1 a day for 2026-10-01..11-09, then 9 parcels of 3 shipped on
    11-10..11-18, after the export."""
    floor_stock(session, datetime(2026, 10, 1, tzinfo=UTC))
    days = [date(2026, 10, 1) + timedelta(days=d) for d in range(40)]
    planning.import_sales(session, text="date,sku,units\n" + "".join(
        f"{d},SERUM-30ML,1\n" for d in days))
    for d in range(9):
        _ship(session, settings, date(2026, 11, 10) + timedelta(days=d), 3)
    session.commit()


START = date(2026, 11, 24)


def _before_start(rows: list[SaleRow]) -> list[SaleRow]:
    return sorted((r for r in rows if r.day < START), key=lambda r: r.day)


def test_a_later_import_dated_after_the_start_leaves_the_forecast_alone(session,
                                                                        settings) -> None:  # noqa: ANN001
    _serum_history(session, settings)
    history = _before_start(planning.sales_history(session))
    assert len(history) == 49
    before = forecast([], planning.sales_history(session), start=START, horizon=3)
    planning.import_sales(session, text="date,sku,units\n2026-12-20,SERUM-30ML,1\n")
    session.commit()
    assert _before_start(planning.sales_history(session)) == history
    assert forecast([], planning.sales_history(session), start=START, horizon=3) == before


def test_an_export_row_dated_on_or_after_the_start_never_counts(session, settings) -> None:  # noqa: ANN001
    """One export reaching past the start (a typo'd date): what it says of the days before the
    start still counts, but its later row neither counts nor stretches the days it covers."""
    _serum_history(session, settings)
    history = _before_start(planning.sales_history(session, until=START))
    before = forecast([], planning.sales_history(session, until=START), start=START, horizon=3)
    planning.import_sales(session, text="date,sku,units\n2026-11-01,SERUM-30ML,1\n"
                                        "2026-11-24,SERUM-30ML,9\n")
    session.commit()
    after = planning.sales_history(session, until=START)
    assert max(r.day for r in after) < START and _before_start(after) == history
    assert forecast([], after, start=START, horizon=3) == before


def test_an_export_counts_its_missing_days_as_zero_and_a_later_one_its_own(session,
                                                                           settings) -> None:  # noqa: ANN001
    """Within one export's first and last day a SKU's missing row is a zero (shipments those
    days are the export's own sales, shipped later); outside every export, parcels count."""
    floor_stock(session, datetime(2026, 11, 1, tzinfo=UTC))
    planning.import_sales(session, text="date,sku,units\n2026-11-10,SERUM-30ML,2\n"
                                        "2026-11-12,SERUM-30ML,1\n")
    planning.import_sales(session, text="date,sku,units\n2026-11-20,SERUM-30ML,4\n")
    for day, qty in ((11, 2), (15, 3), (20, 4)):  # in the first export, between, in the second
        _ship(session, settings, date(2026, 11, day), qty)
    session.commit()
    assert sorted(planning.sales_history(session), key=lambda r: r.day) == [
        SaleRow(date(2026, 11, 10), "SERUM-30ML", 2), SaleRow(date(2026, 11, 12), "SERUM-30ML", 1),
        SaleRow(date(2026, 11, 15), "SERUM-30ML", 3), SaleRow(date(2026, 11, 20), "SERUM-30ML", 4)]
