"""Alembic environment: the models' metadata, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from fulfilment.db import make_engine, metadata

config = context.config


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    connectable = config.attributes.get("connection") or make_engine(url)
    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            _run(connection, url)
    else:
        _run(connectable, url)


def _run(connection, url: str) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=metadata, compare_type=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
