"""Request dependencies: one transaction per request, the caller's API key, role checks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import auth
from fulfilment.settings import Settings
from fulfilment.tables import ROW_ID_MAX, ApiKey


# Plain lookups are async so FastAPI does not hop to a worker thread for them on every request.
async def get_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.session_factory


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def _session(request: Request) -> Iterator[Session]:
    # Committed when the route returns, before the response is sent (scope="function").
    with request.app.state.session_factory() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]
# A row id in a path: a larger number is a 422 naming it, not a driver overflow (a 500)
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
# a name printed on labels and typed at the dock (lot, bin, reference): no control characters
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
COOKIE = "fulfilment_key"  # the web pages keep their key here, set once by their sign-in
FactoryDep = Annotated[sessionmaker[Session], Depends(get_factory)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def current_key(request: Request,
                      x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None
                      ) -> ApiKey:
    plain = x_api_key or request.cookies.get(COOKIE)
    if not plain:
        raise HTTPException(401, detail=[{"field": "X-API-Key", "reason": "missing API key"}])
    cache: auth.KeyCache = request.app.state.key_cache
    key = cache.get(plain, time.monotonic())
    if key is None:
        key = await run_in_threadpool(_lookup, request.app.state.session_factory, plain)
        if key is not None:
            cache.put(plain, key, time.monotonic())
    if key is None:
        raise HTTPException(401, detail=[{"field": "X-API-Key", "reason": "unknown API key"}])
    return key


def _lookup(factory: sessionmaker[Session], plain: str) -> ApiKey | None:
    with factory() as session:
        return auth.lookup(session, plain)


ApiKeyDep = Annotated[ApiKey, Depends(current_key)]


def require_role(*roles: str):  # noqa: ANN201 - a FastAPI dependency
    """A dependency that lets through keys of these roles (and admin)."""

    async def check(key: ApiKeyDep) -> ApiKey:  # async: no thread hop for a role check
        if not auth.allows(key.role, roles):
            raise HTTPException(403, detail=[{"field": "X-API-Key", "reason":
                                              f"role {key.role} may not do this; needs "
                                              f"{' or '.join(roles)}"}])
        return key

    return Depends(check)


def page_key(session: Session, plain: str | None, role: str) -> ApiKey | None:
    """The key a web page was opened with, if it is a live key of `role` (else None: the page
    asks for one)."""
    row = auth.lookup(session, plain) if plain else None
    return row if row is not None and auth.allows(row.role, (role,)) else None


def signed_in(url: str, key: str) -> RedirectResponse:
    """Remember `key` in this browser (an HTTP-only cookie) and go on to `url`, a clean URL
    with no key in it."""
    resp = RedirectResponse(url, status_code=303)
    resp.set_cookie(COOKIE, key, httponly=True, samesite="strict")
    return resp
