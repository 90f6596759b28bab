"""Engine and sessions; importing this module registers every package's tables on one metadata."""

from __future__ import annotations

import importlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

# Every module that declares tables; ones not written yet are skipped.
TABLE_MODULES = (
    "inventory.tables",
    "inventory.planning_tables",
    "routing.tables",
    "customs.tables",
    "fulfilment.tables",
    "fulfilment.floor_tables",
)

for _name in TABLE_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _name:
            raise

metadata = SQLModel.metadata
SessionFactory = sessionmaker


class MissingDatabase(RuntimeError):
    """The SQLite file a command needs is not there (`make_engine(..., create=False)`)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no database file at {path}")


def make_engine(url: str, *, pool_size: int = 20, create: bool = True) -> Engine:
    """An engine with SQLite in WAL mode and foreign keys on, PostgreSQL through psycopg 3.

    A SQLite file (and its directory) is made on first connect; with `create=False` it must
    exist already (else MissingDatabase) and is opened read-write only, never made: a command
    run from the wrong directory left an empty ./var/fulfilment.db behind."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        on_disk = bool(path) and path != ":memory:" and not path.startswith("file:")
        options: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": 30}}
        if on_disk and create:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        elif on_disk:
            if not Path(path).is_file():
                raise MissingDatabase(path)
            # mode=rw: were the file removed after the check, connect fails rather than make it
            uri = f"file:{quote(os.path.abspath(path))}?mode=rw"
            options = {"creator": lambda: sqlite3.connect(uri, uri=True, timeout=30,
                                                          check_same_thread=False)}
        engine = create_engine(url, **options)
        engine.dialect.colspecs = {**engine.dialect.colspecs,
                                   sqltypes.DateTime: UtcSqliteDateTime}
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


class UtcSqliteDateTime(SQLITE_DATETIME):
    """SQLite keeps a time as text and drops its zone (10:15+08:00 would come back as 10:15):
    store every aware time as UTC and give zoned columns back aware, as PostgreSQL's
    timestamptz does, so both databases hold and return the same instants."""

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        inner = super().bind_processor(dialect)

        def bind(value: Any) -> Any:
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return inner(value) if inner else value

        return bind

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        inner = super().result_processor(dialect, coltype)
        zoned = self.timezone

        def result(value: Any) -> Any:
            value = inner(value) if inner else value
            if zoned and isinstance(value, datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value

        return result


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
    dbapi_conn.isolation_level = None  # let the "begin" hook issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin_immediate(conn) -> None:  # noqa: ANN001
    # Take the write lock at BEGIN so read-then-write transactions cannot deadlock on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=Session, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def create_all(engine: Engine) -> None:
    """Tables straight from the models (tests); production uses Alembic migrations."""
    metadata.create_all(engine)
