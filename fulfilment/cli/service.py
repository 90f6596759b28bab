"""Service verbs: serve, db upgrade, demo seed, keys create, scheduler run-once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from fulfilment import db
from fulfilment.cli.common import describe, fail
from fulfilment.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MAX_ID = 2**31 - 1  # id columns are PostgreSQL integers; past it SQLite raised OverflowError

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
scheduler_app = typer.Typer(help="Scheduled jobs.", no_args_is_help=True)


def _factory(settings: Settings):  # noqa: ANN202
    # every verb but `db upgrade` needs the database made already: none is made here
    return db.make_session_factory(db.make_engine(settings.database_url, pool_size=5,
                                                  create=False))


def alembic_config(url: str):  # noqa: ANN201
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply the Alembic migrations to FULFILMENT_DATABASE_URL."""
    from alembic import command
    from alembic.util import CommandError

    if not revision.strip():  # alembic met it with a bare AssertionError
        fail("revision must not be empty (head, or a revision id)")
    settings = Settings()
    db.make_engine(settings.database_url).dispose()  # creates var/ for SQLite
    try:
        command.upgrade(alembic_config(settings.database_url), revision)
    except CommandError as exc:  # an unknown or downgrading revision, a range
        fail(f"revision {revision!r}: {describe(exc)}")
    typer.echo(f"database at {revision}")


@keys_app.command("create")
def create_key(role: str = typer.Option(..., help="order-service | warehouse | buyer | admin"),
               name: str = typer.Option("cli", help="who the key is for")) -> None:
    """Create an API key; the key alone is printed on the last line."""
    from fulfilment import auth

    settings = Settings()
    try:
        with db.transaction(_factory(settings)) as session:
            row, plain = auth.create_key(session, role=role, name=name, now=datetime.now(UTC))
    except ValueError as exc:
        fail(describe(exc))
    typer.echo(f"created {row.role} key #{row.id} ({row.name}):", err=True)
    typer.echo(plain)


@keys_app.command("revoke")
def revoke_key(key_id: int = typer.Argument(..., max=MAX_ID,
                                            help="the key's number (#N when created)")
               ) -> None:
    """Revoke an API key; replicas stop accepting it within FULFILMENT_API_KEY_CACHE_SECONDS."""
    from fulfilment import auth

    settings = Settings()
    try:
        with db.transaction(_factory(settings)) as session:
            row = auth.revoke(session, key_id=key_id, now=datetime.now(UTC))
    except ValueError as exc:
        fail(describe(exc))
    typer.echo(f"revoked {row.role} key #{row.id} ({row.name})")


@demo_app.command("seed")
def seed(if_empty: bool = typer.Option(False, "--if-empty", help="only on an empty database"),
         ) -> None:
    """Seed the demo network, catalogue, stock and rate cards (idempotent)."""
    from fulfilment import demo

    settings = Settings()
    with db.transaction(_factory(settings)) as session:
        summary = demo.seed(session, now=datetime.now(UTC), if_empty=if_empty)
    for line in summary:
        typer.echo(line)


@scheduler_app.command("run-once")
def run_once(job_id: str = typer.Argument(..., help=(
        "expire-reservations, deliver-webhooks, short-dated-write-off, allocation-wave, "
        "pick-tasks, customs-declare, customs-receipts, nightly-forecast or plan-proposal"))
             ) -> None:
    """Run one scheduled job now (operators and demos); `serve` runs them all on schedule."""
    from fulfilment import scheduler

    settings = Settings()
    try:
        result = scheduler.run_once(job_id, settings, _factory(settings))
    except KeyError:
        fail(f"unknown job {job_id!r}; one of {', '.join(scheduler.jobs(settings))}")
    typer.echo(f"{job_id}: {result}")


def serve(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
          scheduler: bool = typer.Option(True, "--scheduler/--no-scheduler"),
          workers: int = typer.Option(1, help="uvicorn worker processes")) -> None:
    """Serve the API, the scheduler and the web pages."""
    import os

    import uvicorn

    if not scheduler:
        os.environ["FULFILMENT_SCHEDULER_ENABLED"] = "false"
    if workers > 1:
        # uvicorn's worker processes re-import the caller's main module, which the console
        # script does not survive; hand over to `python -m uvicorn` instead.
        import sys

        os.execv(sys.executable, [sys.executable, "-m", "uvicorn", "fulfilment.api.main:app",
                                  "--host", host, "--port", str(port), "--workers", str(workers),
                                  "--no-access-log"])
    uvicorn.run("fulfilment.api.main:app", host=host, port=port, workers=workers,
                log_level="info", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(demo_app, name="demo")
    app.add_typer(keys_app, name="keys")
    app.add_typer(scheduler_app, name="scheduler")
