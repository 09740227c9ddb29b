"""The proposal workspace: the list (filters as the API's), a proposal's page with its
lines, totals, guardrails, history and revisions, the diff of two revisions, and the forms
that submit, withdraw, revise and share it. Thin: every rule is app.proposals' (the same
services as /v1/proposals); a stale form (its ETag no longer the proposal's) is told so."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import Principal
from app.documents import Renderer, pdf_response
from app.jobs import JobEngine
from app.kit.database import Database
from app.kit.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    OfferwrightError,
    PreconditionFailed,
)
from app.kit.params import Id
from app.kit.preconditions import check_precondition
from app.kit.representation import represent
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.proposals import (
    PdfPending,
    ProposalServices,
    current_link,
    listing,
    preview_html,
    read_proposal,
    requested_pdf,
    revise,
    revoke_link,
    share_link,
    transition,
)
from app.web.auth import ProposalReader
from app.web.errors import mark_page
from app.web.forms import read_form
from app.web.rendering import render
from app.web.workspace.diff import revision_diff
from app.web.workspace.views import (
    PAGE_SIZE,
    STATUS_LABELS,
    actions,
    field_errors,
    filters_of,
    guardrail_rows,
    next_page_url,
    revision_pairs,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
Services = Annotated[ProposalServices, Depends(wired(ProposalServices))]
AppSettings = Annotated[Settings, Depends(wired(Settings))]

STALE = (
    "This proposal changed since you opened it (someone moved or revised it). "
    "Here it is as it is now: check it, then try again."
)
NOTICES = {
    "submitted": "Submitted.",
    "withdrawn": "Withdrawn.",
    "revised": "Revised: this is the new revision, back in draft.",
    "revoked": "The share link is revoked: the customer's page now says so.",
}


def etag_of(view: dict[str, Any]) -> str:
    """The ETag the API answers for this view: what a form sends back as If-Match."""
    return represent(view).etag


# -- the list ------------------------------------------------------------------------------


@router.get("/proposals")
def proposals_page(
    request: Request, person: ProposalReader, database: Db, cursor: str | None = None
) -> Response:
    filters = filters_of(request.query_params)
    errors: dict[str, str] = {}
    items: list[dict[str, Any]] = []
    next_url = None
    try:
        with database.transaction(write=False) as session:
            page = listing(session, person.principal, filters, PAGE_SIZE, cursor)
        items, next_url = page.items, next_page_url(filters, page.next_cursor)
    except Invalid as invalid:
        errors = field_errors(invalid.problems) or {"form": invalid.detail}
    return render(request, "workspace/list.html", {
        "items": items, "filters": filters, "errors": errors, "next_url": next_url,
        "statuses": STATUS_LABELS, "sees_all": person.principal.can("proposal.read_all"),
        "first_page": cursor is None,
    }, status=422 if errors else 200)  # fmt: skip


# -- one proposal ----------------------------------------------------------------------------


def _link_state(session: Any, principal: Principal, proposal_id: int) -> Any:
    try:
        return current_link(session, principal, proposal_id)
    except NotFound:
        return None


def _proposal_context(
    database: Database, principal: Principal, proposal_id: int, revision: int | None = None
) -> dict[str, Any]:
    with database.transaction(write=False) as session:
        view = read_proposal(session, principal, proposal_id, revision)
        current = view if revision is None else read_proposal(session, principal, proposal_id)
        link = _link_state(session, principal, proposal_id)
    return {
        "p": view,
        "etag": etag_of(current),
        "actions": actions(view, name=principal.name, role=principal.role,
                           may_approve=principal.can("proposal.approve")),
        "guardrails": guardrail_rows(view),
        "pairs": revision_pairs(view["revisions"]),
        "statuses": STATUS_LABELS,
        "link": link,
        "created_link": None,
        "errors": {},
        "error": None,
        "notice": None,
        "discount": view["discount_percent"],
    }  # fmt: skip


def _proposal_page(
    request: Request,
    database: Database,
    principal: Principal,
    proposal_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    context = _proposal_context(database, principal, proposal_id)
    context.update(extra)
    return render(request, "workspace/proposal.html", context, status=status)


@router.get("/proposals/{proposal_id}")
def proposal_page(
    request: Request,
    person: ProposalReader,
    database: Db,
    proposal_id: Id,
    revision: Id | None = None,
    done: str | None = None,
) -> Response:
    context = _proposal_context(database, person.principal, proposal_id, revision)
    context["notice"] = NOTICES.get(done or "")
    return render(request, "workspace/proposal.html", context)


@router.get("/proposals/{proposal_id}/diff")
def diff_page(
    request: Request,
    person: ProposalReader,
    database: Db,
    proposal_id: Id,
    before: Annotated[int, Query(alias="from", ge=1)],
    after: Annotated[int, Query(alias="to", ge=1)],
) -> Response:
    with database.transaction(write=False) as session:
        old = read_proposal(session, person.principal, proposal_id, before)
        new = read_proposal(session, person.principal, proposal_id, after)
    return render(request, "workspace/diff.html", {
        "p": new, "diff": revision_diff(old, new), "pairs": revision_pairs(new["revisions"]),
    })  # fmt: skip


def _stale_or_message(
    request: Request, database: Database, principal: Principal, proposal_id: int,
    error: OfferwrightError, form_errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """The proposal's page as it is now, with what stopped the form."""
    message = STALE if isinstance(error, PreconditionFailed) else error.detail
    return _proposal_page(request, database, principal, proposal_id, status=error.status,
                          error=message, errors=form_errors or {})  # fmt: skip


@router.post("/proposals/{proposal_id}/transition")
async def transition_form(
    request: Request, person: ProposalReader, database: Db, proposal_id: Id
) -> Response:
    form = await read_form(request)
    target, etag = form.one("to"), form.one("etag")
    if target not in ("submitted", "withdrawn"):  # decisions are the inbox's
        target = "submitted"

    def move() -> None:
        with database.transaction(write=True) as session:
            transition(session, person.principal, proposal_id, {"to": target}, etag or None)

    try:
        await anyio.to_thread.run_sync(move)
    except (PreconditionFailed, Conflict, Forbidden, Invalid) as error:
        return await anyio.to_thread.run_sync(
            _stale_or_message, request, database, person.principal, proposal_id, error
        )
    return RedirectResponse(f"/proposals/{proposal_id}?done={target}", status_code=303)


@router.post("/proposals/{proposal_id}/revise")
async def revise_form(
    request: Request, person: ProposalReader, database: Db, services: Services, proposal_id: Id
) -> Response:
    form = await read_form(request)
    etag, discount = form.one("etag"), form.one("discount_percent")
    body: dict[str, Any] = {} if not discount else {"discount_percent": discount}

    def work() -> None:
        # The page's ETag first: a revision made on a stale page would silently replace
        # what someone else just did (the service itself guards only the race while solving).
        with database.transaction(write=False) as session:
            seen = read_proposal(session, person.principal, proposal_id)
            check_precondition(etag or None, etag_of(seen), required=True, any_allowed=False)
            revise(services, session, person.principal, proposal_id, body)

    try:
        await anyio.to_thread.run_sync(work)
    except Invalid as invalid:
        errors = field_errors(invalid.problems) or {"discount_percent": invalid.detail}
        return await anyio.to_thread.run_sync(
            _stale_or_message, request, database, person.principal, proposal_id, invalid, errors
        )
    except (PreconditionFailed, Conflict, Forbidden) as error:
        return await anyio.to_thread.run_sync(
            _stale_or_message, request, database, person.principal, proposal_id, error
        )
    return RedirectResponse(f"/proposals/{proposal_id}?done=revised", status_code=303)


# -- the documents ---------------------------------------------------------------------------


@router.get("/proposals/{proposal_id}/preview")
def preview_page(
    person: ProposalReader, database: Db, settings: AppSettings, proposal_id: Id,
    revision: Id | None = None,
) -> Response:  # fmt: skip
    """The same page as /v1/proposals/{id}/preview, for the signed-in person."""
    with database.transaction(write=False) as session:
        html = preview_html(settings.provider_name, session, person.principal, proposal_id,
                            revision=revision)  # fmt: skip
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/proposals/{proposal_id}/pdf")
def pdf_page(
    request: Request,
    person: ProposalReader,
    services: Services,
    renderer: Annotated[Renderer, Depends(wired(Renderer))],
    engine: Annotated[JobEngine, Depends(wired(JobEngine))],
    proposal_id: Id,
    revision: Id | None = None,
) -> Response:
    """The PDF as /v1/proposals/{id}/pdf serves it; not rendered yet, a page that says so
    with a link to ask again (202, Retry-After)."""
    settings = services.settings
    with services.database.transaction(write=False) as session:
        answer = requested_pdf(
            services.database, engine, engine.wait_for, renderer.limits, settings.provider_name,
            session, person.principal, proposal_id, revision=revision,
            wait_seconds=settings.pdf_wait_seconds,
        )  # fmt: skip
    if isinstance(answer, PdfPending):
        retry = str(answer.retry_after)
        return render(request, "workspace/pdf_pending.html", {
            "retry": retry, "again": str(request.url.path)
            + (f"?{request.url.query}" if request.url.query else ""),
            "back": f"/proposals/{proposal_id}",
        }, status=202, headers={"Retry-After": retry})  # fmt: skip
    return pdf_response(answer)


# -- the share link --------------------------------------------------------------------------


@router.post("/proposals/{proposal_id}/share-link")
async def share_form(
    request: Request, person: ProposalReader, database: Db, settings: AppSettings, proposal_id: Id
) -> Response:
    """A new link; its URL is shown on the answer itself, this once: only its hash is
    kept, so it cannot be shown again after a redirect (sharing again makes a new one)."""
    form = await read_form(request)
    etag = form.one("etag")
    base = settings.public_base_url or str(request.base_url)

    def work() -> Response:
        with database.transaction(write=True) as session:
            seen = read_proposal(session, person.principal, proposal_id)
            check_precondition(etag or None, etag_of(seen), required=True, any_allowed=False)
            created = share_link(session, person.principal, proposal_id, settings, base)
        return _proposal_page(request, database, person.principal, proposal_id,
                              created_link=created, notice="Share link created.")  # fmt: skip

    try:
        return await anyio.to_thread.run_sync(work)
    except (PreconditionFailed, Conflict, Forbidden) as error:
        return await anyio.to_thread.run_sync(
            _stale_or_message, request, database, person.principal, proposal_id, error
        )


@router.post("/proposals/{proposal_id}/share-link/revoke")
async def revoke_form(
    request: Request, person: ProposalReader, database: Db, proposal_id: Id
) -> Response:
    await read_form(request)

    def work() -> None:
        with database.transaction(write=True) as session:
            revoke_link(session, person.principal, proposal_id)

    try:
        await anyio.to_thread.run_sync(work)
    except Forbidden as error:
        return await anyio.to_thread.run_sync(
            _stale_or_message, request, database, person.principal, proposal_id, error
        )
    return RedirectResponse(f"/proposals/{proposal_id}?done=revoked", status_code=303)
