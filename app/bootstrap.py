"""The FastAPI application: the composition root of the HTTP shell."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from app.audit import endpoints as audit
from app.auth.throttle import FailedLogins
from app.configurator import Limits
from app.delivery import endpoints as work_packages
from app.documents.render_pool import Renderer, RenderPool
from app.kit import api_docs, contract, health, problems
from app.kit.database import Database
from app.kit.params import TEXT_CHECKS
from app.kit.request_body import BufferedBody
from app.kit.revision_cache import RevisionCache
from app.kit.security_headers import SecurityHeaders
from app.kit.settings import Settings, get_settings
from app.portfolio.catalog import endpoints as catalog
from app.portfolio.catalog.active import ActiveCatalog
from app.portfolio.components import endpoints as components
from app.portfolio.registries import endpoints as registries
from app.proposals import endpoints as proposals
from app.quoting.configurations import endpoints as configurations
from app.quoting.configurations.options import OptionsEngines
from app.quoting.quotes import endpoints as quotes
from app.quoting.solver_pool import SolverPool

IMPORT_PATH = "/v1/catalog/import"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Handlers (plain ``def``) run in this many threads: the pool is sized from the same number.
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.threads
    yield
    for pool in app.state.owned_pools:  # the worker processes it started go with the app
        pool.close()


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    solver_pool: SolverPool | None = None,
    render_pool: Renderer | None = None,  # any renderer: tests pass their own
) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(
        settings.resolved_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.threads,
        pool_wait=settings.db_pool_wait_seconds,
    )
    app = FastAPI(
        lifespan=_lifespan,
        # Operation ids are the routes' names (configure, create_proposal...): what a
        # generated client calls its functions.
        generate_unique_id_function=lambda route: route.name,
        title="Offerwright",
        version="1.0",
        summary="Service component catalog and proposal configurator",
        description="Bearer API keys (`Authorization: Bearer …`); errors are RFC 9457 "
        "problem details; lists are `{items, next_cursor}`.",
        # No OpenTelemetry here: FastAPI's own check for it reads the environment on every
        # request (7 % of a cached catalog read's CPU in the profile).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        dependencies=TEXT_CHECKS,  # every route: no NUL in the query or the path
        docs_url=None,  # FastAPI's pages load their assets from a CDN: ours ship in the package
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.health = health.Health(database)
    app.state.failed_logins = FailedLogins(settings.auth_failures_per_minute)
    app.state.active_catalog = ActiveCatalog()
    app.state.revision_cache = RevisionCache()
    app.state.options_engines = OptionsEngines(
        queue=settings.options_queue, wait=settings.options_queue_wait_seconds
    )
    owned: list[SolverPool | RenderPool] = []  # pools handed in are closed by their owner
    if solver_pool is None:
        solver_pool = SolverPool(
            workers=settings.solver_processes,
            queue_wait=settings.solver_queue_wait_seconds,
            grace=settings.solver_grace_seconds,
        )
        owned.append(solver_pool)
    if render_pool is None:
        render_pool = RenderPool(
            workers=settings.pdf_processes,
            time_limit_seconds=settings.pdf_time_limit_seconds,
            memory_megabytes=settings.pdf_memory_megabytes,
            max_pages=settings.pdf_max_pages,
        )
        owned.append(render_pool)
    app.state.solver_pool, app.state.render_pool, app.state.owned_pools = (
        solver_pool, render_pool, owned,
    )  # fmt: skip
    app.state.limits = Limits(
        max_needs=settings.max_needs,
        max_alternatives=settings.max_alternatives,
        time_limit_seconds=settings.solver_time_limit_seconds,
        workers=settings.solver_threads,
    )
    problems.install(app)
    contract.install(app)
    app.add_middleware(
        BufferedBody,
        limit_for=lambda path: (
            settings.max_import_bytes if path == IMPORT_PATH else settings.max_body_bytes
        ),
        timeout=settings.body_timeout_seconds,
        eager_limit=settings.max_body_bytes,
    )
    app.add_middleware(SecurityHeaders)  # outermost of ours: every answer carries them
    app.include_router(health.router)
    app.include_router(api_docs.router)
    app.include_router(components.router)
    for router in registries.routers:
        app.include_router(router)
    app.include_router(catalog.router)
    app.include_router(audit.router)
    app.include_router(quotes.router)
    app.include_router(configurations.router)
    app.include_router(proposals.router)
    app.include_router(work_packages.router)
    return app
