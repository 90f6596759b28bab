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


def revoke(session: Session, *, key_id: int, now: datetime) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise UnknownKey(key_id)
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        session.flush()
    return row


class UnknownKey(ValueError):
    code = "not_found"
    status = 404

    def __init__(self, key_id: int) -> None:
        super().__init__(f"no API key #{key_id}")
        self.problems = [{"field": "key_id", "reason": f"no API key #{key_id}"}]


class KeyCache:
    """Recently seen keys per process, so a flash sale's requests skip the key lookup query.

    A revoked key stops working within `ttl` seconds on every replica; 0 turns caching off.
    """

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._keys: dict[str, tuple[float, ApiKey]] = {}

    def get(self, plain: str, now: float) -> ApiKey | None:
        hit = self._keys.get(hash_key(plain))
        return hit[1] if hit is not None and hit[0] > now else None

    def put(self, plain: str, key: ApiKey, now: float) -> None:
        if self._ttl > 0:
            if len(self._keys) > 10_000:  # keys are few; only known keys are kept, this is a cap
                self._keys.clear()
            self._keys[hash_key(plain)] = (now + self._ttl, key)


def allows(role: str, allowed: tuple[str, ...]) -> bool:
    return role == "admin" or role in allowed
