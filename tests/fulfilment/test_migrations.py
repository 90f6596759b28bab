"""Migrating an empty database gives exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from fulfilment import db
from fulfilment.cli.service import alembic_config


def _diff(url: str) -> list:
    command.upgrade(alembic_config(url), "head")
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, db.metadata)
    finally:
        engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    assert _diff(f"sqlite:///{tmp_path / 'm.db'}") == []


def test_migrations_match_models_on_postgresql(pg_url):
    engine = db.make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    assert _diff(pg_url) == []
