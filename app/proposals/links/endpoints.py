"""Share links of a proposal: create (the token shown once), read (with the views),
revoke. Sales see their own proposals' links, approvers and admins every one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.auth import Caller, DbSession, Principal, Writing, requires
from app.kit.contract import problems
from app.kit.params import Id
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.proposals.links import service as links
from app.proposals.links.schemas import ShareLinkCreated, ShareLinkState

router = APIRouter(prefix="/v1/proposals", tags=["share links"])
Sharer = Annotated[Principal, Depends(requires("proposal.create"))]
AppSettings = Annotated[Settings, Depends(wired(Settings))]
_LOCATION = {"Location": {"description": "where to read the link", "schema": {"type": "string"}}}


@router.post(
    "/{proposal_id}/share-link",
    status_code=201,
    response_model=ShareLinkCreated,
    responses={
        201: {"description": "The new link, its URL shown this once", "headers": _LOCATION},
        **problems(403, 404, 409),
    },
)
def create_share_link(
    request: Request,
    response: Response,
    writing: Writing,
    principal: Sharer,
    settings: AppSettings,
    proposal_id: Id,
) -> ShareLinkCreated:
    """A link for the customer to the proposal's current revision, which must be issued
    (`approved` or `sent`; an approved proposal becomes `sent`, in its history). The URL
    carries an unguessable token (256 bits) shown only in this answer: only its SHA-256 is
    kept. It expires at the end of the proposal's validity (or sooner, by the settings);
    sharing again revokes the previous link of the revision. The author or an admin; a
    proposal in another state is a 409."""
    base = settings.public_base_url or str(request.base_url)
    with writing() as session:
        created = links.share(session, principal, proposal_id, settings, base)
    response.headers["Location"] = f"/v1/proposals/{proposal_id}/share-link"
    return created


@router.get(
    "/{proposal_id}/share-link",
    response_model=ShareLinkState,
    responses=problems(403, 404),
)
def read_share_link(session: DbSession, principal: Caller, proposal_id: Id) -> ShareLinkState:
    """The proposal's latest link, without its token: who made it and when, its expiry,
    whether it is revoked, the page's state, and its views (count, last, and the latest
    100 with time, anonymised address and browser). 404 when it was never shared."""
    return links.current(session, principal, proposal_id)


@router.delete(
    "/{proposal_id}/share-link",
    response_model=ShareLinkState,
    responses=problems(403, 404),
)
def revoke_share_link(writing: Writing, principal: Sharer, proposal_id: Id) -> ShareLinkState:
    """Revoke the proposal's link: from now on its page says so (410) and names whom to
    contact. Revoking a revoked link changes nothing. The author or an admin."""
    with writing() as session:
        return links.revoke(session, principal, proposal_id)
