"""Personal data: ID numbers are matched by keyed hash, kept encrypted, shown only masked."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet


def id_hash(id_number: str, *, secret: str) -> str:
    """HMAC-SHA256 of the upper-cased ID number: equal IDs match, the number is not kept."""
    return hmac.new(secret.encode(), id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_id(id_number: str) -> str:
    v = id_number.strip().upper()
    return v[:3] + "*" * max(0, len(v) - 7) + v[-4:] if len(v) > 7 else "*" * len(v)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "*" * len(digits)


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(("fulfilment-id-key:" + secret).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str, *, secret: str) -> str:
    return _fernet(secret).encrypt(value.encode()).decode()


def decrypt(token: str, *, secret: str) -> str:
    return _fernet(secret).decrypt(token.encode()).decode()
