"""Buyer identity: resident ID check, masking for display, keyed hash for matching."""

from __future__ import annotations

import hashlib
import hmac
import re

from stdnum.cn import ric

_HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def normalise_id(id_number: str) -> str:
    return (id_number or "").strip().upper()


def is_valid_id(id_number: str) -> bool:
    """An 18-character resident ID with a valid birth date and check digit."""
    value = normalise_id(id_number)
    if len(value) != 18:
        return False
    try:
        ric.validate(value)
    except Exception:  # any stdnum failure (format, date, checksum) means invalid
        return False
    return True


def mask_id(id_number: str) -> str:
    """First 3 and last 4 characters kept: 110***********002X (as orders show it)."""
    value = normalise_id(id_number)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def id_hash(id_number: str, *, secret: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) so stored IDs can be matched but not read back."""
    key = secret.encode("utf-8")
    return hmac.new(key, normalise_id(id_number).encode("utf-8"), hashlib.sha256).hexdigest()


def looks_like_hash(value: str) -> bool:
    return bool(_HASH_RE.match(value or ""))
