"""Proposals: create (idempotently), read, list, move through the lifecycle, revise."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response

from app.auth import Caller, Cursor, DbSession, JsonBody, Limit, Principal, Writing, requires
from app.documents import pdf_response, pdf_responses
from app.kit.params import Id
from app.kit.representation import represent
from app.kit.responses import tagged
from app.kit.schemas import OBJECT_BODY, ListPage
from app.proposals import documents as proposal_documents
from app.proposals import service as proposals
from app.proposals.states import Status

router = APIRouter(prefix="/v1/proposals", tags=["proposals"])
ProposalMaker = Annotated[Principal, Depends(requires("proposal.create"))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="retry-safe creation: the same key and body replay the first answer",
    ),
]


def _services(request: Request) -> proposals.Services:
    state = request.app.state
    return proposals.Services(
        state.database, state.active_catalog, state.solver_pool, state.limits, state.settings
    )


def _answer(answer: proposals.Answer) -> Response:
    headers = {"Location": answer.location} if answer.location else {}
    return tagged(represent(answer.body), answer.status_code, headers)


# Creating and revising solve first and then write in a short transaction of their own, so
# the request's own transaction only reads: no write lock is held while solving.
@router.post("", status_code=201, openapi_extra=OBJECT_BODY)
def create(
    request: Request,
    session: DbSession,
    principal: ProposalMaker,
    body: JsonBody,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Solve the configuration request, price it and freeze it as revision 1 of a new draft
    proposal numbered `P-<year>-<nnnnnn>`. With `Idempotency-Key`, a retry with the same key
    and body replays the first answer and creates nothing; the same key with another body is
    a 422, and while the first request runs a 409."""
    answer = proposals.create(_services(request), session, principal, body, idempotency_key)
    return _answer(answer)


@router.get("", response_model=ListPage)
def listing(
    session: DbSession,
    principal: Caller,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Status | None = None,
    customer: Annotated[str | None, Query(description="part of the customer's name")] = None,
    author: str | None = None,
    created_from: Annotated[str | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    created_to: Annotated[str | None, Query(description="YYYY-MM-DD, inclusive")] = None,
) -> Any:
    """Proposals, newest first. Sales see their own; approvers and admins every one."""
    filters = {
        "status": status, "customer": customer, "author": author,
        "created_from": created_from, "created_to": created_to,
    }  # fmt: skip
    page = proposals.listing(
        session, principal, {k: v for k, v in filters.items() if v is not None}, limit, cursor
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


def _with_etag(body: dict[str, Any]) -> Response:
    return tagged(represent(body))


@router.get("/{proposal_id}")
def read(
    session: DbSession,
    principal: Caller,
    proposal_id: Id,
    revision: Id | None = None,
) -> Any:
    """A proposal (its current revision, or `?revision=N`): customer, status, validity, lines
    with prices and reasons, totals, history; cost and margin only for roles that see cost.
    The `ETag` of the current revision is what a transition's `If-Match` must carry."""
    return _with_etag(proposals.read(session, principal, proposal_id, revision))


@router.post("/{proposal_id}/transition", openapi_extra=OBJECT_BODY)
def transition(
    writing: Writing,
    principal: Caller,
    proposal_id: Id,
    body: JsonBody,
    if_match: Annotated[
        str | None, Header(description="the ETag of the proposal as you last read it")
    ] = None,
) -> Any:
    """`{"to": "submitted" | "approved" | "declined" | "sent" | "accepted" | "rejected" |
    "withdrawn", "comment": ...}`, with `If-Match` (428 without; 412 when the proposal
    changed since it was read, say revised and resubmitted: a decision applies only to the
    revision its maker saw; `*` is not accepted). Submitting approves directly when no
    guardrail is broken, otherwise the proposal waits for an approver other than its author
    (a comment is required to approve or decline). Invalid transitions are 409."""
    with writing() as session:
        moved = proposals.transition(session, principal, proposal_id, body, if_match)
    return _with_etag(moved)


@router.post("/{proposal_id}/revisions", status_code=201, openapi_extra=OBJECT_BODY)
def revise(
    request: Request, session: DbSession, principal: Caller, proposal_id: Id, body: JsonBody
) -> Any:
    """A new revision: `{"request": {...}}` re-solves a changed request, `{}` re-prices the
    same request on the current catalog. Back to draft with a fresh validity; earlier
    revisions stay readable and unchanged."""
    return _answer(proposals.revise(_services(request), session, principal, proposal_id, body))


@router.get(
    "/{proposal_id}/pdf",
    response_class=Response,
    responses=pdf_responses("the proposal PDF"),
)
def pdf(
    request: Request,
    session: DbSession,
    principal: Caller,
    proposal_id: Id,
    revision: Id | None = None,
    draft: Annotated[bool, Query(description="watermark the copy as a draft")] = False,
) -> Response:
    """The proposal as a PDF a customer can be sent: cover, contents, executive summary,
    solution by layer, service levels, pricing (never cost or margin), one schedule per
    service (specification and statement of work), terms. Issued proposals are PDF/A-3b;
    drafts (and `?draft=1` copies) are watermarked."""
    state = request.app.state
    document = proposal_documents.proposal_pdf(
        state.database, state.render_pool, state.settings.provider_name, session, principal,
        proposal_id, revision=revision, draft=draft,
    )  # fmt: skip
    return pdf_response(document)
