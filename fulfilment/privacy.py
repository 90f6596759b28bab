"""Personal data: ID numbers are matched by keyed hash, kept encrypted, shown only masked."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet

from customs.identity import id_hash, mask_id

__all__ = ["decrypt", "encrypt", "id_hash", "mask_id", "mask_phone"]


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
