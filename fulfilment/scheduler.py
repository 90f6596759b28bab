"""The scheduler: one explicit table of jobs, run by one replica (a PostgreSQL advisory lock)."""

from __future__ import annotations

import importlib
import logging
import zlib
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from fulfilment.localtime import CHINA
from fulfilment.settings import Settings

log = logging.getLogger("fulfilment.scheduler")


def job_table(settings: Settings) -> list[tuple[str, str, object]]:
    """(id, "module:function", trigger) for every job; modules not yet built are skipped."""
    return [
        ("expire-reservations", "fulfilment.jobs:expire_reservations", IntervalTrigger(minutes=1)),
        ("deliver-webhooks", "fulfilment.jobs:deliver_webhooks", IntervalTrigger(seconds=15)),
        # hourly, so the day's turn (00:05 Shanghai) and stock received or deallocated since
        # are written off within the hour; a run that finds nothing changes nothing
        ("short-dated-write-off", "fulfilment.jobs:write_off_short_dated",
         CronTrigger(minute=5, timezone=CHINA)),
        ("allocation-wave", "fulfilment.waves:wave_job",
         IntervalTrigger(minutes=settings.wave_interval_minutes)),
        ("pick-tasks", "fulfilment.floor:pick_tasks_job", IntervalTrigger(minutes=1)),
        ("customs-declare", "fulfilment.clearance:declare_job", IntervalTrigger(minutes=1)),
        ("customs-receipts", "fulfilment.clearance:receipts_job", IntervalTrigger(minutes=1)),
        ("nightly-forecast", "fulfilment.planning:forecast_job",
         CronTrigger(hour=settings.forecast_refresh_hour, timezone=CHINA)),
        ("plan-proposal", "fulfilment.planning:proposal_job",
         IntervalTrigger(hours=settings.plan_proposal_hours)),
    ]


def resolve(target: str) -> Callable | None:
    module_name, func_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, func_name, None)


def jobs(settings: Settings) -> dict[str, tuple[Callable, object]]:
    found = {}
    for job_id, target, trigger in job_table(settings):
        fn = resolve(target)
        if fn is not None:
            found[job_id] = (fn, trigger)
    return found


def leader_only(job_id: str, fn: Callable, factory: sessionmaker[Session],
                settings: Settings) -> Callable[[], None]:
    """Run fn only where this replica holds the job's advisory lock (always on SQLite)."""
    lock_key = zlib.crc32(f"fulfilment:{job_id}".encode())

    def run() -> None:
        if settings.is_sqlite:
            _safe(job_id, fn, factory, settings)
            return
        with factory() as session:
            got = session.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key}).scalar()
            if not got:
                return
            try:
                _safe(job_id, fn, factory, settings)
            finally:
                session.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key})
                session.commit()

    return run


def _safe(job_id: str, fn: Callable, factory: sessionmaker[Session], settings: Settings) -> None:
    try:
        count = fn(factory, settings)
        if count:
            log.info("job %s: %s", job_id, count)
    except Exception:  # noqa: BLE001 - a failing job must not stop the scheduler
        log.exception("job %s failed", job_id)


def build_scheduler(settings: Settings, factory: sessionmaker[Session]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    for job_id, (fn, trigger) in jobs(settings).items():
        scheduler.add_job(leader_only(job_id, fn, factory, settings), trigger, id=job_id,
                          replace_existing=True)
    return scheduler


def run_once(job_id: str, settings: Settings, factory: sessionmaker[Session]) -> object:
    found = jobs(settings)
    if job_id not in found:
        raise KeyError(job_id)
    return found[job_id][0](factory, settings)
