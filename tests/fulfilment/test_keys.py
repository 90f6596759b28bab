"""API keys: a revoked key is refused once the process's short key cache lets go of it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fulfilment import auth, db
from fulfilment.api import create_app
from tests.conftest import NOW


def _key(factory, role: str = "order-service") -> tuple[int, str]:
    with db.transaction(factory) as s:
        row, plain = auth.create_key(s, role=role, name="t", now=NOW)
        return row.id, plain


def _revoke(factory, key_id: int) -> None:
    with db.transaction(factory) as s:
        auth.revoke(s, key_id=key_id, now=NOW)


@pytest.mark.parametrize("ttl", [0, 60])
def test_a_revoked_key_lasts_at_most_the_cache_time(settings, engine, session_factory, ttl):
    key_id, plain = _key(session_factory)
    app = create_app(settings.model_copy(update={"api_key_cache_seconds": ttl}), engine=engine)
    with TestClient(app) as c:
        assert c.get("/orders/1", headers={"X-API-Key": plain}).status_code == 404
        _revoke(session_factory, key_id)
        r = c.get("/orders/1", headers={"X-API-Key": plain})
        if ttl == 0:  # looked up on every request: refused at once
            assert r.status_code == 401 and r.json()["detail"][0]["field"] == "X-API-Key"
        else:  # trusted from the cache until it expires: the documented price of no query
            assert r.status_code == 404
            cache = app.state.key_cache
            assert cache.get(plain, 0.0) is not None and cache.get(plain, 1e12) is None


def test_wrong_role_is_403_and_unknown_key_401(client, headers):
    r = client.get("/orders/1", headers=headers("buyer"))
    assert r.status_code == 403
    assert client.get("/orders/1", headers={"X-API-Key": "ff_nope"}).status_code == 401


def test_revoking_an_unknown_key_names_it(session_factory):
    with pytest.raises(auth.UnknownKey) as caught:
        _revoke(session_factory, 999)
    assert caught.value.problems == [{"field": "key_id", "reason": "no API key #999"}]
