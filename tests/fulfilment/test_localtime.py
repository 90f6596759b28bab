"""Sales and forecasts count Asia/Shanghai days, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fulfilment import planning
from fulfilment.localtime import business_day
from inventory.signals import SaleRow
from tests.fulfilment.floor_builders import allocated_parcel, floor_stock

LATE = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 01:00 on the 23rd in Ningbo


def test_the_business_day_is_chinas() -> None:
    assert business_day(LATE) == date(2026, 11, 23)
    assert business_day(datetime(2026, 11, 22, 15, 59, tzinfo=UTC)) == date(2026, 11, 22)


def _shipped_by_day(factory, settings) -> list[SaleRow]:  # noqa: ANN001
    with factory() as session:
        floor_stock(session, LATE)
        for at, qty in ((LATE, 2), (datetime(2026, 11, 22, 15, 59, tzinfo=UTC), 1)):
            parcel = allocated_parcel(session, at, lines={"SERUM-30ML": qty}, settings=settings)
            parcel.status, parcel.shipped_at = "shipped", at
        session.commit()
        return sorted(planning.shipped_sales(session), key=lambda r: r.day)


def test_shipped_parcels_count_on_their_day_in_china(session_factory, settings) -> None:  # noqa: ANN001
    assert _shipped_by_day(session_factory, settings) == [
        SaleRow(date(2026, 11, 22), "SERUM-30ML", 1), SaleRow(date(2026, 11, 23), "SERUM-30ML", 2)]


def test_shipped_parcels_count_on_their_day_in_china_on_postgresql(pg_factory, pg_settings
                                                                    ) -> None:  # noqa: ANN001
    assert _shipped_by_day(pg_factory, pg_settings) == [
        SaleRow(date(2026, 11, 22), "SERUM-30ML", 1), SaleRow(date(2026, 11, 23), "SERUM-30ML", 2)]
