"""The composition root: the one place that builds the application from the settings (the
database, the solver and render pools, the active catalog...) and wires it, for the API
(``create_app``), the command line and the local proposal path (``build``, ``propose``).
Routes receive what it built as typed dependencies (``app.kit.wiring``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import func, select

from app.assurance import endpoints as assurance
from app.assurance.service import Assurance
from app.audit import endpoints as audit
from app.auth import RESERVED_PREFIX, SYSTEM, Principal
from app.auth.throttle import FailedLogins, SignInThrottle
from app.configurator import Limits
from app.delivery import RENDER_PACK, render_pack
from app.delivery import endpoints as work_packages
from app.documents import InlineRenderer, Pdf
from app.documents.render_pool import Renderer, RenderPool
from app.insights import endpoints as insights
from app.jobs import Jobs
from app.jobs import endpoints as jobs_endpoints
from app.jobs.engine import JobEngine
from app.jobs.local import LocalJobs
from app.jobs.postgres import ProcrastinateJobs
from app.jobs.queue import attach
from app.jobs.tasks import Retries, Task, tasks_of
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
from app.portfolio import CatalogGate, import_snapshot
from app.portfolio.catalog import endpoints as catalog
from app.portfolio.catalog.active import ActiveCatalog
from app.portfolio.components import endpoints as components
from app.portfolio.prices import endpoints as price_sheets
from app.portfolio.registries import endpoints as registries
from app.proposals import documents as proposal_documents
from app.proposals import endpoints as proposals
from app.proposals import service as proposal_service
from app.proposals.acceptance import endpoints as acceptances
from app.proposals.acceptance import pages as decision_pages
from app.proposals.acceptance.service import RENDER_CONTRACT, render_contract
from app.proposals.links import endpoints as share_links
from app.proposals.links import pages as customer_pages
from app.proposals.links import redaction as token_redaction
from app.quoting.configurations import endpoints as configurations
from app.quoting.configurations.options import OptionsEngines
from app.quoting.quotes import endpoints as quotes
from app.quoting.solver_pool import InlineSolver, Solver, SolverPool
from app.web import errors as page_errors
from app.web import pages as web_pages
from app.web.approvals import pages as approval_pages
from app.web.catalog import pages as catalog_pages
from app.web.csrf import Csrf
from app.web.curation import pages as curation_pages
from app.web.delivery import pages as delivery_pages
from app.web.insights import charts as insights_charts
from app.web.insights import pages as insights_pages
from app.web.lifecycle import pages as lifecycle_pages
from app.web.prices import pages as price_pages
from app.web.selling import pages as selling_pages
from app.web.uploads import is_upload_page
from app.web.users import pages as users_pages
from app.web.workspace import pages as workspace_pages
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
    jobs: JobEngine
    owned: list[SolverPool | RenderPool] = field(default_factory=list)

    @property
    def assurance(self) -> Assurance:
        """The assured combinations on this shell's solver: the catalog gate too."""
        workers = self.solver.workers if isinstance(self.solver, SolverPool) else 1
        return Assurance(self.database, self.catalog, self.solver, self.limits, workers=workers)

    @property
    def proposals(self) -> proposal_service.Services:
        return proposal_service.Services(
            self.database, self.catalog, self.solver, self.limits, self.settings
        )

    def close(self) -> None:
        """Stop the job threads and the worker processes this shell started (pools handed
        in are their owner's to close)."""
        self.jobs.stop()
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
    jobs = build_jobs(settings, database, renderer)
    attach(database.sessions, jobs)  # services defer through the session (app.jobs.defer)
    return Shell(settings, database, ActiveCatalog(), solver, renderer, limits, jobs, owned)


def job_tasks(settings: Settings, database: Database, renderer: Renderer) -> dict[str, Task]:
    """The job functions, bound to what they need, by the names domains defer them by."""
    provider = settings.provider_name

    def render_proposal(**arguments: Any) -> None:
        proposal_documents.render(database, renderer, provider, **arguments)

    def render_failed(error: str, /, **arguments: Any) -> None:
        proposal_documents.render_failed(database, error, **arguments)

    def contract(**arguments: Any) -> None:
        render_contract(database, renderer, provider, **arguments)

    client = make_client()

    def deliver_webhook(**arguments: Any) -> None:
        deliver(database, settings, client=client, **arguments)

    def delivery_pack(**arguments: Any) -> None:
        render_pack(database, renderer, provider, **arguments)

    return tasks_of(
        Task(proposal_documents.RENDER_TASK, render_proposal, render_failed),
        Task(RENDER_CONTRACT, contract),
        Task(DELIVER_TASK, deliver_webhook),
        Task(RENDER_PACK, delivery_pack),
    )


def job_engine_kind(settings: Settings, database: Database) -> str:
    """``threads``, ``procrastinate`` or ``inline``: what ``settings.jobs`` means here."""
    if settings.jobs != "auto":
        return settings.jobs
    return "threads" if database.url.startswith("sqlite") else "procrastinate"


def build_jobs(settings: Settings, database: Database, renderer: Renderer) -> JobEngine:
    tasks = job_tasks(settings, database, renderer)
    retries = Retries(settings.job_max_attempts, settings.job_retry_base_seconds)
    liveness = {
        "heartbeat_seconds": settings.job_heartbeat_seconds,
        "stalled_seconds": settings.job_stalled_seconds,
        "stalled_check_seconds": settings.job_stalled_check_seconds,
    }
    kind = job_engine_kind(settings, database)
    if kind == "procrastinate":
        return ProcrastinateJobs(database, tasks, retries, **liveness)
    threads = settings.job_threads if kind == "threads" else 0
    return LocalJobs(database, tasks, retries, threads=threads, **liveness)


def work(settings: Settings | None = None, *, concurrency: int = 2) -> None:
    """``offerwright worker``: run the jobs of PostgreSQL's queue until stopped, ``concurrency``
    at a time, rendering in as many renderer processes (with the API's limits)."""
    settings = settings or get_settings()
    database = Database(
        settings.resolved_database_url, pool_size=concurrency + 1,
        pool_wait=settings.db_pool_wait_seconds,
    )  # fmt: skip
    renderer = RenderPool(
        workers=concurrency,
        time_limit_seconds=settings.pdf_time_limit_seconds,
        memory_megabytes=settings.pdf_memory_megabytes,
        max_pages=settings.pdf_max_pages,
    )
    try:
        engine = build_jobs(settings.model_copy(update={"jobs": "procrastinate"}), database,
                            renderer)  # fmt: skip
        assert isinstance(engine, ProcrastinateJobs)
        engine.work(concurrency)
    finally:
        renderer.close()
        database.dispose()


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    solver_pool: Solver | None = None,
    render_pool: Renderer | None = None,  # any renderer: tests pass their own
    jobs: Jobs | None = None,  # any job engine: tests pass a recording one
) -> FastAPI:
    shell = build(settings, database=database, solver=solver_pool, renderer=render_pool)
    settings = shell.settings
    assurance_service = shell.assurance
    gate: CatalogGate = assurance_service  # checked here: the gate's protocol is the portfolio's
    token_redaction.install()  # share-link tokens never reach the logs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Handlers (plain ``def``) run in this many threads: the pool is sized from it too.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        shell.jobs.start()  # in-process job threads (SQLite); procrastinate has workers
        insights_charts.warm_up()
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
            JobEngine: shell.jobs,
            # What a route hands a service that defers (tests may pass a recording one).
            Jobs: jobs or shell.jobs,
            proposal_service.Services: shell.proposals,
            # Every catalog change goes through the assured combinations' gate.
            Assurance: assurance_service,
            CatalogGate: gate,
            FailedLogins: FailedLogins(settings.auth_failures_per_minute),
            SignInThrottle: SignInThrottle(
                settings.sign_in_failures_per_account, settings.sign_in_failures_per_address
            ),
            health.Health: health.Health(shell.database),
            RevisionCache: RevisionCache(),
            OptionsEngines: OptionsEngines(
                queue=settings.options_queue, wait=settings.options_queue_wait_seconds
            ),
        }),
    )  # fmt: skip
    problems.install(app)
    page_errors.install(app)  # pages answer their errors as pages
    contract.install(app)
    # Inside the body limits (added first, so it runs after them): a form's token is read
    # from a body already bounded in size and time.
    secure = (settings.public_base_url or "").startswith("https://")
    app.add_middleware(Csrf, database=shell.database, secure=secure)  # forms of the web app
    app.add_middleware(
        BufferedBody,
        limit_for=lambda path: (
            settings.max_import_bytes
            if path == IMPORT_PATH or is_upload_page(path)
            else settings.max_body_bytes
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
    app.include_router(assurance.router)
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
    app.include_router(jobs_endpoints.router)
    app.include_router(web_pages.router)
    app.include_router(selling_pages.router)
    app.include_router(workspace_pages.router)
    app.include_router(approval_pages.router)
    app.include_router(users_pages.router)
    app.include_router(curation_pages.router)
    app.include_router(catalog_pages.router)
    app.include_router(price_sheets.router)
    app.include_router(price_pages.router)
    app.include_router(insights.router)
    app.include_router(insights_pages.router)
    app.include_router(lifecycle_pages.router)
    app.include_router(delivery_pages.router)
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
    and rendered; the proposal as the API shows it, and its PDF. The render is the job's
    own function, run here: there may be no worker to wait for."""
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
        pdf = proposal_documents.proposal_pdf(
            database, shell.renderer, settings.provider_name, session, COMMAND_LINE,
            created.body["id"],
        )  # fmt: skip
    return proposal, pdf
