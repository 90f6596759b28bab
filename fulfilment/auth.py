"""API keys: random, shown once, stored as SHA-256; a role decides what a key may do."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from fulfilment.tables import ApiKey

ROLES = ("order-service", "warehouse", "buyer", "admin")


class InvalidRole(ValueError):
    code = "invalid_role"
    status = 422

    def __init__(self, role: str) -> None:
        super().__init__(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        self.problems = [{"field": "role", "reason": f"must be one of {', '.join(ROLES)}"}]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, role: str, name: str, now: datetime) -> tuple[ApiKey, str]:
    """A new key for a role; the plain key is returned once and never stored."""
    if role not in ROLES:
        raise InvalidRole(role)
    plain = f"ff_{secrets.token_urlsafe(24)}"
    row = ApiKey(name=name, role=role, prefix=plain[:8], key_hash=hash_key(plain), created_at=now)
    session.add(row)
    session.flush()
    return row, plain


def lookup(session: Session, plain: str) -> ApiKey | None:
    stmt = select(ApiKey).where(ApiKey.key_hash == hash_key(plain))
    row = session.execute(stmt).scalars().first()
    return None if row is None or row.revoked_at is not None else row


def allows(role: str, allowed: tuple[str, ...]) -> bool:
    return role == "admin" or role in allowed
