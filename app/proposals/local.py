"""The whole path on one machine, for ``offerwright propose`` and the demo: the database
migrated (and given the default catalog if it has none), a proposal created from a request,
submitted, and rendered to PDF, in process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.auth import RESERVED_PREFIX, SYSTEM, Principal
from app.configurator import Limits
from app.documents import InlineRenderer, Pdf
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.representation import represent
from app.kit.settings import Settings
from app.models import ComponentHead
from app.portfolio import ActiveCatalog, import_snapshot
from app.proposals import service as proposals
from app.proposals.documents import proposal_pdf
from app.quoting import InlineSolver
from catalog import load_default_catalog

AUTHOR = Principal(f"{RESERVED_PREFIX}command-line", "sales")  # never an API key's name


def prepared(database: Database) -> None:
    """Migrate, and import the packaged catalog into a database that has none."""
    upgrade(database.engine)
    with database.transaction(write=True) as session:
        if not session.scalar(select(func.count()).select_from(ComponentHead)):
            import_snapshot(session, SYSTEM, load_default_catalog(), trusted=True)


def propose(
    database: Database, settings: Settings, body: dict[str, Any]
) -> tuple[dict[str, Any], Pdf]:
    """Create, submit and render a proposal from ``body`` (the ``POST /v1/proposals`` body):
    the proposal as the API shows it, and its PDF."""
    prepared(database)
    limits = Limits(
        max_needs=settings.max_needs,
        max_alternatives=settings.max_alternatives,
        time_limit_seconds=settings.solver_time_limit_seconds,
        workers=settings.solver_threads,
    )
    services = proposals.Services(database, ActiveCatalog(), InlineSolver(), limits, settings)
    with database.transaction(write=False) as session:
        created = proposals.create(services, session, AUTHOR, body, None).body
    with database.transaction(write=True) as session:
        seen = represent(created).etag  # nothing changed it since it was created
        proposal = proposals.transition(session, AUTHOR, created["id"], {"to": "submitted"}, seen)
    renderer = InlineRenderer(max_pages=settings.pdf_max_pages)
    with database.transaction(write=False) as session:
        pdf = proposal_pdf(
            database, renderer, settings.provider_name, session, AUTHOR, created["id"]
        )
    return proposal, pdf
