"""Migrating an empty database gives exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

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


@contextmanager
def _upgraded_with(tmp_path, revision: str, *inserts: str) -> Iterator[Connection]:
    """A SQLite database migrated to `revision`, given `inserts` (foreign keys off: only the
    rows they protect matter), then migrated to head; a connection to it."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(alembic_config(url), revision)
    conn = sqlite3.connect(tmp_path / "m.db")
    for insert in inserts:
        conn.execute(insert)
    conn.commit()
    conn.close()
    command.upgrade(alembic_config(url), "head")
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
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


def test_sqlite_with_a_plan_upgrades_from_0002(tmp_path):
    """The money migrations once rebuilt tables on SQLite, and dropping `purchase_plan` under its
    lines and purchase orders failed on the enforced foreign keys: a database with a plan could
    not be upgraded."""
    with _upgraded_with(
            tmp_path, "0002",
            "INSERT INTO purchase_plan (id, created_at, status, budget_fen, spent_fen, "
            "expected_margin_fen, approved_by) VALUES (1, '2026-12-01', 'approved', 10, 5, 2, 'b')",
            "INSERT INTO purchase_plan_line (plan_id, source_id, sku_id, market, supplier, "
            "hub, qty, case_pack, moq, unit_cost_fen, landed_fen, forecast_units, "
            "cover_days, sell_through, expected_margin_fen, reason, removed) "
            "VALUES (1, 1, 'S', 'JP', 's', 'NGB', 1, 1, 1, 1, 1, 1, 1, 1, 2, 'r', 0)",
            "INSERT INTO purchase_order (id, plan_id, supplier, market, created_at, "
            "total_fen) VALUES (1, 1, 's', 'JP', '2026-12-01', 5)") as conn:
        assert conn.execute(text("SELECT budget_fen FROM purchase_plan")).scalar_one() == 10
        assert conn.execute(text("SELECT count(*) FROM purchase_plan_line")).scalar_one() == 1


def test_a_transfer_received_before_counts_were_kept_reads_as_received_whole(tmp_path):
    with _upgraded_with(
            tmp_path, "0006",
            "INSERT INTO inbound_transfer (id, po_id, hub, status, eta) VALUES "
            "(1, 1, 'NGB', 'received', '2026-12-01'), (2, 1, 'NGB', 'in_transit', '2026-12-09')",
            "INSERT INTO carton (sscc, transfer_id, sku_id, qty, lot_no) VALUES "
            "('1', 1, 'S', 6, 'L'), ('2', 1, 'S', 4, 'L'), ('3', 2, 'S', 6, 'L')") as conn:
        assert conn.execute(text("SELECT id, received_units, short_units FROM "
                                 "inbound_transfer ORDER BY id")).all() == [
            (1, 10, 0), (2, None, None)]
        assert conn.execute(text("SELECT sscc, received_qty FROM carton ORDER BY sscc")
                            ).all() == [("1", 6), ("2", 4), ("3", None)]
