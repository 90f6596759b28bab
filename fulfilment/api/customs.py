"""Customs over HTTP: a tax quote for a basket, and a buyer's annual CBEC quota."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Query
from sqlalchemy import select

from customs import quota, tax
from customs import store as quota_store
from customs.errors import UnknownBuyer
from customs.identity import looks_like_hash
from fulfilment.api.deps import ApiKeyDep, SessionDep, require_role
from fulfilment.localtime import CHINA
from fulfilment.tables import Order

router = APIRouter(prefix="/customs", tags=["customs"])


class AmbiguousBuyer(UnknownBuyer):
    code = "ambiguous_buyer"
    status = 409


@router.post("/quote")
def post_quote(_: ApiKeyDep, basket: dict[str, Any] = Body(
        ..., description="the basket of the customs contract")) -> dict[str, Any]:
    """Tax for a basket under the rule set in force on its date (any authenticated role)."""
    return tax.quote(basket).to_json()


@router.get("/buyers/{buyer}/quota", dependencies=[require_role("order-service", "warehouse")])
def get_quota(buyer: str, session: SessionDep, key: ApiKeyDep,
              year: int | None = Query(None, ge=2016, le=2100)) -> dict[str, Any]:
    """Used, held and remaining annual CBEC quota, by masked ID number or keyed hash (a
    buyer's personal data: the order service and the floor only)."""
    del key
    buyer_hash = _resolve(session, buyer)
    year = year or datetime.now(UTC).astimezone(CHINA).year
    on = datetime(year, 12, 31).date()
    limit = quota.annual_limit(max(on, datetime(2016, 4, 8).date()))
    status = quota_store.status(session, buyer_hash=buyer_hash, year=year,
                                limit_fen=int(limit * 100))
    masked = session.execute(select(Order.buyer_id_masked).where(
        Order.buyer_id_hash == buyer_hash).limit(1)).scalars().first()
    return {"buyer": masked or buyer, "buyer_hash": buyer_hash, **status.to_json()}


def _resolve(session: SessionDep, buyer: str) -> str:
    """A keyed hash passes through; a masked ID number must name exactly one buyer."""
    value = buyer.strip()
    if looks_like_hash(value.lower()):
        return value.lower()
    hashes = set(session.execute(select(Order.buyer_id_hash).where(
        Order.buyer_id_masked == value.upper())).scalars())
    if not hashes:
        raise UnknownBuyer("no buyer with this masked ID number",
                           [{"field": "buyer", "reason": "no buyer with this masked ID number"}])
    if len(hashes) > 1:
        raise AmbiguousBuyer("several buyers share this masked ID number", [
            {"field": "buyer", "reason": "several buyers share this masked ID number; "
                                         "use the keyed hash"}])
    return hashes.pop()
