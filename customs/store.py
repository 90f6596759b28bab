"""The annual quota over the database: hold, consume, release. Takes a Session; never commits.

A hold is one conditional UPDATE (`... WHERE used + held + :amount <= limit`), so concurrent
holds for one buyer can never together pass the annual limit, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from customs.errors import QuotaExceeded
from customs.quota import QuotaStatus
from customs.tables import CustomsQuota, CustomsQuotaHold
from customs.types import money

FEN = Decimal("0.01")


def _ensure_row(session: Session, *, buyer_hash: str, year: int, limit_fen: int,
                now: datetime) -> None:
    """Create the buyer's row for the year if missing; a racing insert is simply ignored."""
    values = {"buyer_hash": buyer_hash, "year": year, "limit_fen": limit_fen, "used_fen": 0,
              "held_fen": 0, "updated_at": now}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(CustomsQuota).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(CustomsQuota).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - other databases: check first
        if _row(session, buyer_hash, year) is not None:
            return
        session.add(CustomsQuota(**values))
        session.flush()
        return
    session.execute(stmt)


def _row(session: Session, buyer_hash: str, year: int) -> CustomsQuota | None:
    return session.execute(select(CustomsQuota).where(
        CustomsQuota.buyer_hash == buyer_hash, CustomsQuota.year == year)).scalars().first()


def _hold(session: Session, ref: str) -> CustomsQuotaHold | None:
    return session.execute(select(CustomsQuotaHold).where(CustomsQuotaHold.ref == ref)
                           .with_for_update()).scalars().first()


def hold(session: Session, *, ref: str, buyer_hash: str, year: int, amount_fen: int,
         limit_fen: int, now: datetime) -> CustomsQuotaHold:
    """Hold `amount_fen` of the buyer's year for `ref`, or raise QuotaExceeded. Idempotent."""
    existing = _hold(session, ref)
    if existing is not None and existing.status in ("held", "used"):
        return existing
    _ensure_row(session, buyer_hash=buyer_hash, year=year, limit_fen=limit_fen, now=now)
    result = session.execute(
        update(CustomsQuota)
        .where(CustomsQuota.buyer_hash == buyer_hash, CustomsQuota.year == year,
               CustomsQuota.used_fen + CustomsQuota.held_fen + amount_fen
               <= CustomsQuota.limit_fen)
        .values(held_fen=CustomsQuota.held_fen + amount_fen, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        current = status(session, buyer_hash=buyer_hash, year=year, limit_fen=limit_fen)
        raise QuotaExceeded(f"annual CBEC limit for {year} would be exceeded", [{
            "field": "buyer", "reason": (
                f"used {money(current.used)}, held {money(current.held)}, this parcel "
                f"{money(Decimal(amount_fen) / 100)}: above the annual limit of "
                f"{money(current.limit)}")}])
    row = existing or CustomsQuotaHold(ref=ref, buyer_hash=buyer_hash, year=year,
                                       amount_fen=amount_fen, created_at=now, updated_at=now)
    row.amount_fen, row.status, row.updated_at = amount_fen, "held", now
    session.add(row)
    session.flush()
    return row


def _move(session: Session, row: CustomsQuotaHold, *, held: int, used: int,
          now: datetime) -> None:
    session.execute(
        update(CustomsQuota)
        .where(CustomsQuota.buyer_hash == row.buyer_hash, CustomsQuota.year == row.year)
        .values(held_fen=CustomsQuota.held_fen + held, used_fen=CustomsQuota.used_fen + used,
                updated_at=now)
        .execution_options(synchronize_session=False))


def consume(session: Session, *, ref: str, now: datetime) -> bool:
    """Released by customs: the hold becomes used. False if there was nothing held."""
    row = _hold(session, ref)
    if row is None or row.status != "held":
        return False
    _move(session, row, held=-row.amount_fen, used=row.amount_fen, now=now)
    row.status, row.updated_at = "used", now
    session.add(row)
    session.flush()
    return True


def release(session: Session, *, ref: str, now: datetime) -> bool:
    """Give back what `ref` holds (cancel, rejection) or used (refund). False if nothing."""
    row = _hold(session, ref)
    if row is None or row.status == "released":
        return False
    if row.status == "held":
        _move(session, row, held=-row.amount_fen, used=0, now=now)
    else:
        _move(session, row, held=0, used=-row.amount_fen, now=now)
    row.status, row.updated_at = "released", now
    session.add(row)
    session.flush()
    return True


def status(session: Session, *, buyer_hash: str, year: int, limit_fen: int) -> QuotaStatus:
    """Used, held and remaining for the buyer's year (zeros when nothing is recorded)."""
    row = _row(session, buyer_hash, year)
    if row is not None:
        session.refresh(row)
    used, held = (row.used_fen, row.held_fen) if row else (0, 0)
    limit = row.limit_fen if row else limit_fen
    return QuotaStatus(year=year, limit=Decimal(limit) / 100, used=Decimal(used) / 100,
                       held=Decimal(held) / 100)
