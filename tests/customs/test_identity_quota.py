"""Buyer identity (check digit, masking, keyed hash) and the pure annual-quota check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from customs import identity, quota
from customs.errors import QuotaExceeded

GOOD = "11010519491231002X"  # the check-digit example of GB 11643-1999


def test_resident_id_check_digit() -> None:
    assert identity.is_valid_id(GOOD) and identity.is_valid_id(GOOD.lower())
    for bad in ("110105194912310021", "11010519491331002X", "1101051949123100", "", "abc"):
        assert not identity.is_valid_id(bad)


def test_masking_and_keyed_hash() -> None:
    assert identity.mask_id(GOOD) == "110***********002X"
    h = identity.id_hash(GOOD, secret="s1")
    assert identity.looks_like_hash(h) and h == identity.id_hash(GOOD.lower(), secret="s1")
    assert h != identity.id_hash(GOOD, secret="s2")


def test_quota_counts_used_and_held() -> None:
    limit = quota.annual_limit(date(2026, 5, 1))
    assert limit == Decimal("26000") and quota.annual_limit(date(2018, 5, 1)) == Decimal("20000")
    status = quota.QuotaStatus(2026, limit, used=Decimal("20000"), held=Decimal("5000"))
    assert status.remaining == Decimal("1000")
    assert quota.fits(status, Decimal("1000")) and not quota.fits(status, Decimal("1000.01"))
    with pytest.raises(QuotaExceeded):
        quota.check(status, Decimal("2000"))
    assert status.to_json()["remaining"] == "1000.00"
