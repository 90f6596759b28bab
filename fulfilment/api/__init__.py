"""The FastAPI app factory: routers, error mapping, and the scheduler in the lifespan."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from fulfilment import auth, db, submission
from fulfilment.api import errors
from fulfilment.api.body_limit import BodyLimit
from fulfilment.api.text_guard import TextGuard
from fulfilment.settings import Settings

log = logging.getLogger("fulfilment.api")

# Every router module; ones not built yet are skipped.
_ROUTERS = (
    "fulfilment.api.health",
    "fulfilment.api.home",
    "fulfilment.api.orders",
    "fulfilment.api.stock",
    "fulfilment.api.webhooks",
    "fulfilment.api.keys",
    "fulfilment.api.allocations",
    "fulfilment.api.customs",
    "fulfilment.api.floor",
    "fulfilment.api.station_page",
    "fulfilment.api.planning",
)

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def create_app(settings: Settings | None = None, *, engine=None) -> FastAPI:  # noqa: ANN001
    settings = settings or Settings()
    engine = engine or db.make_engine(settings.database_url, pool_size=settings.db_pool_size)
    factory = db.make_session_factory(engine)
    key_cache = auth.KeyCache(settings.api_key_cache_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.batcher = submission.Batcher(factory, settings) \
            if settings.intake_batch_max > 1 else None
        scheduler = None
        if settings.scheduler_enabled:
            from fulfilment.scheduler import build_scheduler

            scheduler = build_scheduler(settings, factory)
            scheduler.start()
            log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if app.state.batcher is not None:
            app.state.batcher.close()

    app = FastAPI(title="Cross-border fulfilment", version="0.1.0", lifespan=lifespan,
                  description="Order intake, allocation waves, customs, the warehouse floor "
                              "and buyers' planning. Every route but /health needs X-API-Key.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.key_cache = key_cache
    app.state.batcher = None  # started in the lifespan
    errors.install(app)
    app.add_middleware(TextGuard)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_mb * 1024 * 1024)  # outermost
    for name in _ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.include_router(module.router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
