"""The operation's days are Asia/Shanghai days, whatever the server's clock or zone: courier
pick-ups, print dates, customs declarations, and the days sales and forecasts are counted in
(the buyers' exports are dated in China, and the nightly forecast runs at 02:00 there, which
is still the day before in UTC)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

CHINA = ZoneInfo("Asia/Shanghai")


def business_day(now: datetime) -> date:
    """The Asia/Shanghai date of an aware instant."""
    return now.astimezone(CHINA).date()


class china_date(FunctionElement):  # noqa: N801 - read as an SQL function
    """SQL: the Asia/Shanghai date of a UTC timestamp column, for grouping by day."""

    type = Date()
    inherit_cache = True
    name = "china_date"

    def __init__(self, column: ColumnElement) -> None:
        super().__init__(column)


@compiles(china_date, "postgresql")
def _china_date_postgresql(element: china_date, compiler, **kw) -> str:  # noqa: ANN001
    # AT TIME ZONE, not date(): a cast to date follows the session's TimeZone setting
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"


@compiles(china_date)
def _china_date_sqlite(element: china_date, compiler, **kw) -> str:  # noqa: ANN001
    # SQLite stores the UTC wall time; China has kept UTC+8 without summer time since 1991
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"
