"""The composition root: the one place that builds the application from the settings (the
database, the solver and render pools, the active catalog...) and wires it, for the API
(``create_app``), the command line and the local proposal path (``build``, ``propose``).
Routes receive what it built as typed dependencies (``app.kit.wiring``)."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.audit import endpoints as audit
from app.auth import RESERVED_PREFIX, SYSTEM, Principal
from app.auth.throttle import FailedLogins
from app.configurator import Limits
from app.delivery import endpoints as work_packages
from app.documents import InlineRenderer, Pdf
from app.documents.render_pool import Renderer, RenderPool
from app.jobs import JobArgument, Jobs
from app.kit import api_docs, contract, health, problems, wiring
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.params import TEXT_CHECKS
from app.kit.representation import represent
from app.kit.request_body import BufferedBody
from app.kit.revision_cache import RevisionCache
from app.kit.security_headers import SecurityHeaders
from app.kit.settings import Settings, get_settings
from app.models import ComponentHead
from app.portfolio import import_snapshot
from app.portfolio.catalog import endpoints as catalog
from app.portfolio.catalog.active import ActiveCatalog
from app.portfolio.components import endpoints as components
from app.portfolio.registries import endpoints as registries
from app.proposals import endpoints as proposals
from app.proposals import service as proposal_service
from app.proposals.acceptance import endpoints as acceptances
from app.proposals.acceptance import pages as decision_pages
from app.proposals.acceptance.service import RENDER_CONTRACT, render_contract
from app.proposals.documents import proposal_pdf
from app.proposals.links import endpoints as share_links
from app.proposals.links import pages as customer_pages
from app.proposals.links import redaction as token_redaction
from app.quoting.configurations import endpoints as configurations
from app.quoting.configurations.options import OptionsEngines
from app.quoting.quotes import endpoints as quotes
from app.quoting.solver_pool import InlineSolver, Solver, SolverPool
from app.webhooks import DELIVER_TASK, deliver, make_client
from app.webhooks import endpoints as webhooks
from catalog import load_default_catalog

log = logging.getLogger("offerwright.jobs")
IMPORT_PATH = "/v1/catalog/import"
# The system's own name on proposals made from the command line (never an API key's).
COMMAND_LINE = Principal(f"{RESERVED_PREFIX}command-line", "sales")


@dataclass
class Shell:
    """What one process is made of, built once from the settings: the API, the command line
    and the local proposal path all run on one of these."""

    settings: Settings
    database: Database
    catalog: ActiveCatalog
    solver: Solver
    renderer: Renderer
    limits: Limits
    owned: list[SolverPool | RenderPool] = field(default_factory=list)

    @property
    def proposals(self) -> proposal_service.Services:
        return proposal_service.Services(
            self.database, self.catalog, self.solver, self.limits, self.settings
        )

    def close(self) -> None:
        """Stop the worker processes this shell started (pools handed in are their
        owner's to close)."""
        for pool in self.owned:
            pool.close()


def build(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    solver: Solver | None = None,
    renderer: Renderer | None = None,
    in_process: bool = False,
) -> Shell:
    """The shell from ``settings``; ``in_process``: solve and render in this process (the
    command line), not in worker processes."""
    settings = settings or get_settings()
    database = database or Database(
        settings.resolved_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.threads,
        pool_wait=settings.db_pool_wait_seconds,
    )
    owned: list[SolverPool | RenderPool] = []
    if solver is None and in_process:
        solver = InlineSolver()
    elif solver is None:
        solver = SolverPool(
            workers=settings.solver_processes,
            queue_wait=settings.solver_queue_wait_seconds,
            grace=settings.solver_grace_seconds,
        )
        owned.append(solver)
    if renderer is None and in_process:
        renderer = InlineRenderer(max_pages=settings.pdf_max_pages)
    elif renderer is None:
        renderer = RenderPool(
            workers=settings.pdf_processes,
            time_limit_seconds=settings.pdf_time_limit_seconds,
            memory_megabytes=settings.pdf_memory_megabytes,
            max_pages=settings.pdf_max_pages,
        )
        owned.append(renderer)
    limits = Limits(
        max_needs=settings.max_needs,
        max_alternatives=settings.max_alternatives,
        time_limit_seconds=settings.solver_time_limit_seconds,
        workers=settings.solver_threads,
    )
    return Shell(settings, database, ActiveCatalog(), solver, renderer, limits, owned)


def tasks(shell: Shell) -> dict[str, Callable[..., object]]:
    """The background jobs by name, each bound to what it needs: the job engine runs them
    with the ids they were deferred with."""
    return {
        RENDER_CONTRACT: functools.partial(
            render_contract, shell.database, shell.renderer, shell.settings.provider_name
        ),
        DELIVER_TASK: functools.partial(
            deliver, shell.database, shell.settings, client=make_client()
        ),
    }


class AfterCommitThreads:
    """A stand-in job engine until app.jobs has its own: each job runs in a thread of its
    own once the deferring transaction has committed; a failure is logged (nothing
    retries it)."""

    def __init__(self, tasks: Mapping[str, Callable[..., object]]) -> None:
        self.tasks = dict(tasks)

    def defer(self, session: Session, task: str, /, **arguments: JobArgument) -> None:
        function = self.tasks[task]  # an unknown task fails in the request that asks

        def run() -> None:
            try:
                function(**arguments)
            except Exception:
                log.exception("job %s %s failed", task, arguments)

        def committed(_: Session) -> None:
            threading.Thread(target=run, name=f"job-{task}", daemon=True).start()

        event.listen(session, "after_commit", committed, once=True)


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    solver_pool: Solver | None = None,
    render_pool: Renderer | None = None,  # any renderer: tests pass their own
    jobs: Jobs | None = None,  # any job engine: tests pass a recording one
) -> FastAPI:
    shell = build(settings, database=database, solver=solver_pool, renderer=render_pool)
    settings = shell.settings
    if jobs is None:
        jobs = AfterCommitThreads(tasks(shell))
    token_redaction.install()  # share-link tokens never reach the logs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Handlers (plain ``def``) run in this many threads: the pool is sized from it too.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield
        shell.close()  # the worker processes it started go with the app

    app = FastAPI(
        lifespan=lifespan,
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
    wiring.install(
        app,
        wiring.Wiring({
            Settings: settings,
            Database: shell.database,
            ActiveCatalog: shell.catalog,
            Solver: shell.solver,
            Renderer: shell.renderer,
            Limits: shell.limits,
            Jobs: jobs,
            proposal_service.Services: shell.proposals,
            FailedLogins: FailedLogins(settings.auth_failures_per_minute),
            health.Health: health.Health(shell.database),
            RevisionCache: RevisionCache(),
            OptionsEngines: OptionsEngines(
                queue=settings.options_queue, wait=settings.options_queue_wait_seconds
            ),
        }),
    )  # fmt: skip
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
    app.include_router(share_links.router)
    app.include_router(acceptances.router)
    app.include_router(customer_pages.router)
    app.include_router(decision_pages.router)
    app.include_router(work_packages.router)
    app.include_router(webhooks.router)
    return app


def prepared(database: Database) -> None:
    """Migrate, and import the packaged catalog into a database that has none."""
    upgrade(database.engine)
    with database.transaction(write=True) as session:
        if not session.scalar(select(func.count()).select_from(ComponentHead)):
            import_snapshot(session, SYSTEM, load_default_catalog(), trusted=True)


def propose(shell: Shell, body: dict[str, Any]) -> tuple[dict[str, Any], Pdf]:
    """The whole path on one machine (``offerwright propose`` and the demo): the database
    prepared, a proposal created from ``body`` (the ``POST /v1/proposals`` body), submitted
    and rendered; the proposal as the API shows it, and its PDF."""
    database, settings = shell.database, shell.settings
    prepared(database)
    with database.transaction(write=False) as session:
        created = proposal_service.create(shell.proposals, session, COMMAND_LINE, body, None)
    with database.transaction(write=True) as session:
        seen = represent(created.body).etag  # nothing changed it since it was created
        proposal = proposal_service.transition(
            session, COMMAND_LINE, created.body["id"], {"to": "submitted"}, seen
        )
    with database.transaction(write=False) as session:
        pdf = proposal_pdf(
            database, shell.renderer, settings.provider_name, session, COMMAND_LINE,
            created.body["id"],
        )  # fmt: skip
    return proposal, pdf
