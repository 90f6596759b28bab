"""Fixtures: a fresh SQLite database per test; PostgreSQL where the test URL is set."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment import auth, db
from fulfilment.api import create_app
from fulfilment.settings import Settings

PG_URL = os.environ.get("FULFILMENT_TEST_DATABASE_URL")
# Property tests explore the same examples on every run, so CI cannot turn red by chance.
hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture
def db_url(tmp_path) -> str:  # noqa: ANN001
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:  # noqa: ANN001
    return Settings(database_url=db_url, scheduler_enabled=False, secret_key="test-secret",
                    customs_outbox=tmp_path / "outbox", customs_inbox=tmp_path / "inbox")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = db.make_engine(settings.database_url)
    db.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return db.make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A plain session on the test's own database; commit when another connection must see it."""
    with session_factory() as s:
        yield s


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=engine)) as c:
        yield c


@pytest.fixture
def headers(session_factory: sessionmaker[Session]) -> Callable[[str], dict[str, str]]:
    """headers("warehouse") -> {"X-API-Key": <a new key of that role>}."""
    made: dict[str, dict[str, str]] = {}

    def make(role: str) -> dict[str, str]:
        if role not in made:
            with db.transaction(session_factory) as s:
                _, plain = auth.create_key(s, role=role, name=f"test-{role}", now=NOW)
            made[role] = {"X-API-Key": plain}
        return made[role]

    return make


@pytest.fixture
def pg_url() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL test: set FULFILMENT_TEST_DATABASE_URL (CI sets it)")
    return PG_URL


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A clean schema on the test PostgreSQL: every table dropped and created again."""
    eng = db.make_engine(pg_url, pool_size=70)
    db.metadata.drop_all(eng)
    db.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_settings(pg_url: str, tmp_path) -> Settings:  # noqa: ANN001
    return Settings(database_url=pg_url, scheduler_enabled=False, secret_key="test-secret",
                    customs_outbox=tmp_path / "outbox", customs_inbox=tmp_path / "inbox")


@pytest.fixture
def pg_factory(pg_engine: Engine) -> sessionmaker[Session]:
    return db.make_session_factory(pg_engine)
