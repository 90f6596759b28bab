"""Order intake and follow-up for the order service (contracts/orders.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from fulfilment import orders, submission
from fulfilment.api.deps import (
    ApiKeyDep,
    FactoryDep,
    RowId,
    SessionDep,
    SettingsDep,
    require_role,
)

# the floor may look an order up; only the order service places, pays and cancels
router = APIRouter(prefix="/orders", tags=["orders"])
_read = [require_role("order-service", "warehouse")]
_write = [require_role("order-service")]

_EXAMPLE = {
    "external_id": "RED-20261122-000123",
    "buyer": {"name": "李小红", "id_number": "11010519491231002X", "phone": "13812345678"},
    "recipient": {"name": "李小红", "phone": "13812345678", "province": "浙江省",
                  "city": "杭州市", "district": "西湖区", "address": "文三路 90 号 5 幢 101"},
    "lines": [{"sku": "SERUM-30ML", "qty": 1, "unit_price": "199.00"}],
    "freight": "0.00", "insurance": "0.00", "discount": "0.00",
}


@router.post("", status_code=201, dependencies=_write,
             responses={409: {"description": "short or duplicate"},
                        422: {"description": "invalid fields"}})
async def submit_order(request: Request, factory: FactoryDep, settings: SettingsDep,
                       key: ApiKeyDep, body: Annotated[dict[str, Any], Body(examples=[_EXAMPLE])],
                       idempotency_key: Annotated[str | None, Header(
                           alias="Idempotency-Key", max_length=128)] = None) -> JSONResponse:
    """Reserve every line all-or-nothing; a retried Idempotency-Key gets the first answer."""
    batcher = request.app.state.batcher
    if batcher is not None:  # the flash-sale path: wait for the batch on the event loop
        status, answer = await submission.submit_batched(
            batcher, body=body, idempotency_key=idempotency_key, key_scope=str(key.id))
    else:
        status, answer = await run_in_threadpool(
            submission.submit, factory, body=body, idempotency_key=idempotency_key,
            key_scope=str(key.id), settings=settings)
    return JSONResponse(answer, status_code=status)


@router.get("/{order_id}", dependencies=_read)
def get_order(order_id: RowId, session: SessionDep) -> dict:
    return orders.view(session, orders.get(session, order_id))


@router.post("/{order_id}/payment", dependencies=_write)
def confirm_payment(order_id: RowId, session: SessionDep, settings: SettingsDep,
                    body: Annotated[dict[str, Any], Body()]) -> dict:
    order = orders.confirm_payment(session, order_id=order_id, payment=body, settings=settings,
                                   now=datetime.now(UTC))
    return orders.view(session, order)


@router.post("/{order_id}/cancel", dependencies=_write)
def cancel_order(order_id: RowId, session: SessionDep, key: ApiKeyDep) -> dict:
    order = orders.cancel(session, order_id=order_id, now=datetime.now(UTC),
                          reason="cancelled", actor=f"key:{key.name}")
    return orders.view(session, order)
