"""The customer's page (no key: the link's token is the credential), its PDF, and its
stylesheet. Each view is written down after the page is sent, so a busy database costs
the record of a view, never the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask

from app.auth import SYSTEM
from app.documents import Renderer, pdf_response
from app.jobs import JobEngine
from app.kit.database import Database
from app.kit.errors import DocumentTooLong, RenderBusy, RenderLimit
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.proposals import documents as proposal_documents
from app.proposals.links import customer
from app.proposals.links import service as links
from app.proposals.links.rendering import STATIC, choice_html, static_file, unavailable_html
from app.proposals.revision import read_revision

router = APIRouter(prefix="/p", include_in_schema=False)
Db = Annotated[Database, Depends(wired(Database))]
AppSettings = Annotated[Settings, Depends(wired(Settings))]
AppRenderer = Annotated[Renderer, Depends(wired(Renderer))]
Engine = Annotated[JobEngine, Depends(wired(JobEngine))]


@router.get("/static/{name}")
def customer_static(name: str) -> Response:
    """The page's stylesheet and icon; its URL carries a hash of its content, so a browser
    may keep it for good. Nothing else is served from here."""
    if name not in STATIC:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    return Response(
        static_file(name),
        media_type=STATIC[name],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/{token}")
def customer_page(
    request: Request,
    database: Db,
    settings: AppSettings,
    token: str,
    option: str | None = None,
    add_on: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The page; ``?option=2&add_on=1`` shows that choice and what it comes to (how the
    page's choice form works without JavaScript)."""
    choice = customer.asked_choice(option, add_on or [])
    with database.transaction(write=False) as session:
        opened = links.opened(session, token)
        if opened is None:
            return customer.unknown(settings)
        answer = customer.page(session, opened, settings, token, choice=choice)
    if answer.status_code == 200:
        answer.background = BackgroundTask(
            links.record_view, database, opened.link.id,
            request.client.host if request.client else None, request.headers.get("user-agent"),
        )  # fmt: skip
    return answer


@router.get("/{token}/choice")
def customer_choice(
    database: Db,
    settings: AppSettings,
    token: str,
    option: str | None = None,
    add_on: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """What a choice comes to, as the fragment the page swaps in (htmx) when the choice
    changes: the amounts are the server's, never summed in the browser."""
    with database.transaction(write=False) as session:
        opened = links.opened(session, token)
        if opened is None:
            return customer.unknown(settings)
        if opened.state != "open":
            return customer.closed(opened, settings)
        frozen = read_revision(opened.revision.content)
    shown = customer.chosen(frozen, customer.asked_choice(option, add_on or []), None)
    return customer.html(choice_html(shown))


@router.get("/{token}/pdf")
def customer_pdf(
    database: Db, renderer: AppRenderer, engine: Engine, settings: AppSettings, token: str
) -> Response:
    """The revision's PDF, from the same store as the API's PDF route."""
    with database.transaction(write=False) as session:
        opened = links.opened(session, token)
        if opened is None:
            return customer.unknown(settings)
        if opened.state not in ("open", "accepted"):
            return customer.closed(opened, settings)
        # Read as the system: the link has already decided what this caller may see,
        # and a customer PDF never carries cost or margin.
        # Never rendered here: from storage, or its job queued and a page that says so.
        try:
            document = proposal_documents.requested(
                database, engine, engine.wait_for, renderer.limits, settings.provider_name,
                session, SYSTEM, opened.proposal.id, revision=opened.link.revision,
                wait_seconds=settings.pdf_wait_seconds,
            )  # fmt: skip
        except (RenderBusy, RenderLimit, DocumentTooLong) as error:
            # A person reads this answer: a page that says so, not a problem document.
            retry = {"Retry-After": error.headers.get("Retry-After", "60")}
            page = unavailable_html(settings.provider_name, f"/p/{token}")
            return customer.html(page, 503, retry)
    if isinstance(document, proposal_documents.Pending):
        wait = str(document.retry_after)
        page = unavailable_html(settings.provider_name, f"/p/{token}", preparing=wait)
        return customer.html(page, 202, {"Retry-After": wait, "Refresh": wait})
    answer = pdf_response(document)
    answer.headers["Cache-Control"] = "no-store"
    return answer
