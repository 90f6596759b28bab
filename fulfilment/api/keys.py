"""API keys for admins: create one for a role (shown once)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from fulfilment import auth
from fulfilment.api.deps import SessionDep, require_role

router = APIRouter(prefix="/keys", tags=["keys"], dependencies=[require_role("admin")])


class KeyIn(BaseModel):
    role: str
    name: str = Field(default="api", max_length=80)


@router.post("", status_code=201)
def create(body: KeyIn, session: SessionDep) -> dict:
    row, plain = auth.create_key(session, role=body.role, name=body.name, now=datetime.now(UTC))
    return {"id": row.id, "role": row.role, "name": row.name, "key": plain}
