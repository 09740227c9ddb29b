"""Proposals: create (idempotently), read, list, move through the lifecycle, revise.

Answers are sent as the service builds them (``tagged`` for the ETag, ``JSONResponse`` for
the list): the schemas of ``app.proposals.schemas`` document them, nothing re-validates or
reshapes them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.auth import Caller, Cursor, DbSession, Limit, Principal, Writing, json_model, requires
from app.documents import (
    Renderer,
    pdf_response,
    pdf_responses,
    pending_response,
    pending_responses,
)
from app.jobs import JobEngine
from app.kit.contract import problems
from app.kit.params import Id
from app.kit.representation import represent
from app.kit.responses import tagged
from app.kit.wiring import wired
from app.proposals import documents as proposal_documents
from app.proposals import preview as proposal_preview
from app.proposals import service as proposals
from app.proposals.schemas import (
    Proposal,
    ProposalCreate,
    ProposalPage,
    ProposalRevise,
    ProposalTransition,
)
from app.proposals.states import Status
from app.quoting import InfeasibleProblem

router = APIRouter(prefix="/v1/proposals", tags=["proposals"])
ProposalMaker = Annotated[Principal, Depends(requires("proposal.create"))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="retry-safe creation: the same key and body replay the first answer; "
        "1 to 255 visible ASCII characters (a quoted string too)",
        json_schema_extra={"pattern": '^"?[!#-~]([!-~]{0,253}[!#-~])?"?$'},
    ),
]
CreateBody = Annotated[ProposalCreate, Depends(json_model(ProposalCreate, "proposal"))]
TransitionBody = Annotated[
    ProposalTransition, Depends(json_model(ProposalTransition, "transition"))
]
ReviseBody = Annotated[ProposalRevise, Depends(json_model(ProposalRevise, "revision"))]

_ETAG = {
    "ETag": {
        "description": "the version of the proposal as answered: `If-Match` of a transition",
        "schema": {"type": "string"},
    }
}
_LOCATION = {"Location": {"description": "where to read it", "schema": {"type": "string"}}}
# Filters as the service checks them (``ListFilters``): not blank, at most 200 characters
# (and, as every parameter, no NUL).
_TEXT_FILTER: dict[str, Any] = {
    "minLength": 1,
    "maxLength": 200,
    "pattern": r"^[^\x00]*[^\s\x00][^\x00]*$",
}


# What proposals need from the composition root, built there once.
Services = Annotated[proposals.Services, Depends(wired(proposals.Services))]


def _answer(answer: proposals.Answer) -> Response:
    headers = {"Location": answer.location} if answer.location else {}
    return tagged(represent(answer.body), answer.status_code, headers)


# Creating and revising solve first and then write in a short transaction of their own, so
# the request's own transaction only reads: no write lock is held while solving.
@router.post(
    "",
    status_code=201,
    response_model=Proposal,
    responses={
        201: {"description": "The new draft proposal", "headers": {**_ETAG, **_LOCATION}},
        **problems(409, 503),
        **problems(422, model=InfeasibleProblem),
    },
)
def create_proposal(
    services: Services,
    session: DbSession,
    principal: ProposalMaker,
    body: CreateBody,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Solve the configuration request, price it and freeze it as revision 1 of a new draft
    proposal numbered `P-<year>-<nnnnnn>`. With `Idempotency-Key`, a retry with the same key
    and body replays the first answer and creates nothing; the same key with another body is
    a 422, and while the first request runs a 409. No bundle for the request: 422 (type
    `infeasible`, with the conflict and repairs); every solver busy: 503."""
    answer = proposals.create(services, session, principal, body, idempotency_key)
    return _answer(answer)


@router.get("", response_model=ProposalPage, responses=problems(403))
def list_proposals(
    session: DbSession,
    principal: Caller,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Status | None = None,
    customer: Annotated[
        str | None,
        Query(description="part of the customer's name", json_schema_extra=_TEXT_FILTER),
    ] = None,
    author: Annotated[str | None, Query(json_schema_extra=_TEXT_FILTER)] = None,
    created_from: Annotated[
        str | None, Query(description="inclusive", json_schema_extra={"format": "date"})
    ] = None,
    created_to: Annotated[
        str | None, Query(description="inclusive", json_schema_extra={"format": "date"})
    ] = None,
) -> Response:
    """Proposals, newest first. Sales see their own; approvers and admins every one."""
    filters = {
        "status": status, "customer": customer, "author": author,
        "created_from": created_from, "created_to": created_to,
    }  # fmt: skip
    page = proposals.listing(
        session, principal, {k: v for k, v in filters.items() if v is not None}, limit, cursor
    )
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})


def _with_etag(body: dict[str, Any]) -> Response:
    return tagged(represent(body))


@router.get(
    "/{proposal_id}",
    response_model=Proposal,
    responses={200: {"headers": _ETAG}, **problems(403, 404)},
)
def read_proposal(
    session: DbSession,
    principal: Caller,
    proposal_id: Id,
    revision: Id | None = None,
) -> Response:
    """A proposal (its current revision, or `?revision=N`): customer, status, validity, lines
    with prices and reasons, totals, history; cost and margin only for roles that see cost.
    The `ETag` of the current revision is what a transition's `If-Match` must carry."""
    return _with_etag(proposals.read(session, principal, proposal_id, revision))


@router.post(
    "/{proposal_id}/transition",
    response_model=Proposal,
    responses={200: {"headers": _ETAG}, **problems(403, 404, 409, 412, 428)},
)
def transition_proposal(
    writing: Writing,
    principal: Caller,
    proposal_id: Id,
    body: TransitionBody,
    if_match: Annotated[
        str | None, Header(description="the ETag of the proposal as you last read it")
    ] = None,
) -> Response:
    """`{"to": "submitted" | "approved" | "declined" | "sent" | "accepted" | "rejected" |
    "withdrawn", "comment": ...}`, with `If-Match` (428 without; 412 when the proposal
    changed since it was read, say revised and resubmitted: a decision applies only to the
    revision its maker saw; `*` is not accepted). Submitting approves directly when no
    guardrail is broken, otherwise the proposal waits for an approver other than its author
    (a comment is required to approve or decline). Invalid transitions are 409."""
    with writing() as session:
        moved = proposals.transition(session, principal, proposal_id, body, if_match)
    return _with_etag(moved)


@router.post(
    "/{proposal_id}/revisions",
    status_code=201,
    response_model=Proposal,
    responses={
        201: {"description": "The proposal at its new revision", "headers": {**_ETAG, **_LOCATION}},
        **problems(403, 404, 409, 503),
        **problems(422, model=InfeasibleProblem),
    },
)
def revise_proposal(
    services: Services, session: DbSession, principal: Caller, proposal_id: Id, body: ReviseBody
) -> Response:
    """A new revision: `{"request": {...}}` re-solves a changed request, `{}` re-prices the
    same request on the current catalog. Back to draft with a fresh validity; earlier
    revisions stay readable and unchanged. A closed proposal (accepted, rejected,
    withdrawn) is a 409."""
    return _answer(proposals.revise(services, session, principal, proposal_id, body))


@router.get(
    "/{proposal_id}/pdf",
    response_class=Response,
    responses={
        **pdf_responses("the proposal PDF"),
        **pending_responses(),
        **problems(403, 404, 422, 503),
    },
)
def proposal_pdf(
    services: Services,
    renderer: Annotated[Renderer, Depends(wired(Renderer))],
    engine: Annotated[JobEngine, Depends(wired(JobEngine))],
    session: DbSession,
    principal: Caller,
    proposal_id: Id,
    revision: Id | None = None,
    draft: Annotated[bool, Query(description="watermark the copy as a draft")] = False,
) -> Response:
    """The proposal as a PDF a customer can be sent: cover, contents, executive summary,
    solution by layer, service levels, pricing (never cost or margin), one schedule per
    service (specification and statement of work), terms. Issued proposals are PDF/A-3b;
    drafts (and `?draft=1` copies) are watermarked. PDFs are rendered by background jobs
    (an issued revision's as it is issued) and served from storage; one not rendered yet
    is 202 with `Retry-After` and `Location` (after a wait of at most a second). Too long
    to render: 422."""
    answer = proposal_documents.requested(
        services.database, engine, engine.wait_for, renderer.limits,
        services.settings.provider_name, session, principal, proposal_id,
        revision=revision, draft=draft, wait_seconds=services.settings.pdf_wait_seconds,
    )  # fmt: skip
    if isinstance(answer, proposal_documents.Pending):
        return pending_response(answer.location, answer.retry_after)
    return pdf_response(answer)


@router.get(
    "/{proposal_id}/preview",
    response_class=HTMLResponse,
    responses={
        200: {
            "description": "the proposal as an HTML page: the PDF's document, for a browser",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **problems(403, 404),
    },
)
def preview_proposal(
    services: Services,
    session: DbSession,
    principal: Caller,
    proposal_id: Id,
    revision: Id | None = None,
) -> HTMLResponse:
    """The proposal (its current revision, or `?revision=N`) as an HTML page, at once: the
    same document as its PDF, from the same frozen revision, marked DRAFT until the
    revision is issued (SUPERSEDED or WITHDRAWN as the PDF is). Never cost or margin.
    Whoever may read the proposal may preview it."""
    html = proposal_preview.preview_html(
        services.settings.provider_name, session, principal, proposal_id, revision=revision
    )
    return HTMLResponse(html)
