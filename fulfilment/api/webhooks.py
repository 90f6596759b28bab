"""Webhook subscriptions for the order service."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from fulfilment import webhooks
from fulfilment.answers import NotFound
from fulfilment.api.deps import RowId, SessionDep, require_role
from fulfilment.tables import Webhook

router = APIRouter(prefix="/webhooks", tags=["webhooks"],
                   dependencies=[require_role("order-service")])


class WebhookIn(BaseModel):
    url: str = Field(max_length=500)
    event_types: list[str] = Field(default_factory=lambda: ["*"])
    secret: str = Field(max_length=200)


@router.post("", status_code=201)
def subscribe(body: WebhookIn, session: SessionDep) -> dict:
    hook = webhooks.subscribe(session, url=body.url, event_types=body.event_types,
                              secret=body.secret, now=datetime.now(UTC))
    return webhooks.view(hook)


@router.get("/{webhook_id}/deliveries")
def deliveries(webhook_id: RowId, session: SessionDep) -> list[dict]:
    if session.get(Webhook, webhook_id) is None:
        raise NotFound("webhook", webhook_id, field="webhook_id")
    return webhooks.deliveries_view(session, webhook_id)
