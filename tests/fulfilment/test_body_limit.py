"""A request body over FULFILMENT_MAX_BODY_MB is a 413 in the API's error shape, unread and
changing nothing, whether its length is declared or it arrives chunked."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fulfilment.api import create_app
from inventory.planning_tables import SignalDay

MIB = 1024 * 1024
JSON = {"content-type": "application/json"}


@pytest.fixture
def small(settings, engine) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(create_app(settings.model_copy(update={"max_body_mb": 1}),
                               engine=engine)) as c:
        yield c


def _signals_body(rows: int) -> bytes:
    lines = "".join(f"2026-03-{1 + i % 28:02d},P{i // 28:05d},0,1,1,0,0,1\n" for i in range(rows))
    return json.dumps({"signals_csv": "date,sku,notes,likes,saves,comments,shares,searches\n"
                       + lines}).encode()


def _too_large(res) -> None:  # noqa: ANN001
    assert res.status_code == 413, res.text
    assert res.json() == {"error": "body_too_large", "detail": [
        {"field": "body", "reason": "is larger than the limit of 1,048,576 bytes"}]}


def test_a_declared_body_over_the_limit_is_refused_and_imports_nothing(small, headers,
                                                                         session) -> None:
    body = _signals_body(40_000)
    assert len(body) > MIB
    _too_large(small.post("/signals", content=body, headers={**JSON, **headers("buyer")}))
    assert session.scalar(select(func.count()).select_from(SignalDay)) == 0


def test_a_chunked_body_over_the_limit_is_refused(small, headers) -> None:
    body = _signals_body(40_000)
    chunks = (body[i:i + 65_536] for i in range(0, len(body), 65_536))
    _too_large(small.post("/signals", content=chunks, headers={**JSON, **headers("buyer")}))


def test_bodies_within_the_limit_reach_the_route_declared_or_chunked(small, headers,
                                                                     session) -> None:
    body = _signals_body(20_000)
    assert len(body) < MIB
    res = small.post("/signals", content=body, headers={**JSON, **headers("buyer")})
    assert res.status_code == 200, res.text
    assert res.json()["signals"] == 20_000
    chunked = small.post("/signals", content=iter([body[:1000], body[1000:]]),
                         headers={**JSON, **headers("buyer")})
    assert chunked.status_code == 200, chunked.text
    assert session.scalar(select(func.count()).select_from(SignalDay)) == 20_000
