"""Buyer identity: resident ID check, masking for display, keyed hash for matching."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from stdnum.cn import ric

from customs.errors import InvalidIdentity

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


def check_id(id_number: str, *, field: str = "id_number") -> str:
    """The normalised ID, or InvalidIdentity naming the field."""
    if not is_valid_id(id_number):
        raise InvalidIdentity("invalid resident ID number", [
            {"field": field, "reason": "not a valid 18-digit resident ID number"}])
    return normalise_id(id_number)


def mask_id(id_number: str) -> str:
    """First 3 and last 4 characters kept: 110***********002X (as orders show it)."""
    value = normalise_id(id_number)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(name: str) -> str:
    """Family name kept: 李** (Chinese) or J*** (others)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def id_hash(id_number: str, *, secret: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) so stored IDs can be matched but not read back."""
    key = secret.encode("utf-8")
    return hmac.new(key, normalise_id(id_number).encode("utf-8"), hashlib.sha256).hexdigest()


def looks_like_hash(value: str) -> bool:
    return bool(_HASH_RE.match(value or ""))


@dataclass(frozen=True)
class Buyer:
    """A buyer as the customs messages need them: name, ID and phone."""

    name: str
    id_number: str
    phone: str

    def checked(self, *, field: str = "buyer") -> Buyer:
        problems = []
        if not self.name.strip():
            problems.append({"field": f"{field}.name", "reason": "required"})
        if not is_valid_id(self.id_number):
            problems.append({"field": f"{field}.id_number",
                             "reason": "not a valid 18-digit resident ID number"})
        if problems:
            raise InvalidIdentity("invalid buyer identity", problems)
        return Buyer(self.name.strip(), normalise_id(self.id_number), self.phone.strip())


def payer_is_buyer(buyer: Buyer, payer: Buyer) -> list[dict]:
    """For CBEC the payer must be the buyer: name and ID number must agree."""
    problems = []
    if buyer.name.strip() != payer.name.strip():
        problems.append({"field": "payer.name", "reason": "payer must be the buyer (name differs)"})
    if normalise_id(buyer.id_number) != normalise_id(payer.id_number):
        problems.append({"field": "payer.id_number",
                         "reason": "payer must be the buyer (ID number differs)"})
    return problems
