"""Who is signed in, for pages: the session cookie resolved once per request (one short
read, and a write at most once a minute to note the session is in use), then the same
principal and permission table as the API. No session: to the sign-in page (htmx is told
to go there too); a role that may not: a page that says so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

import anyio.to_thread
from fastapi import Depends, Request

from app.auth import (
    SESSION_COOKIE,
    Lifetimes,
    Permission,
    SignedIn,
    resolve_session,
    touch_session,
)
from app.kit.database import Database
from app.kit.settings import Settings
from app.kit.wiring import provided


class SignInRequired(Exception):
    """No live session: the page answers with the way to the sign-in page."""

    def __init__(self, next_url: str, *, expired: bool) -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.expired = expired


class PageForbidden(Exception):
    """Signed in, but the role may not open this page."""

    def __init__(self, role: str, permission: str) -> None:
        super().__init__(permission)
        self.role = role
        self.permission = permission


def lifetimes(settings: Settings) -> Lifetimes:
    return Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def _resolve(database: Database, token: str, spans: Lifetimes) -> SignedIn | None:
    # A write transaction only when the session is due to be touched: most clicks read.
    with database.transaction(write=False) as session:
        found = resolve_session(session, token, spans)
    if found is not None and found.touch_due:
        with database.transaction(write=True) as session:
            touch_session(session, token)
    return found


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):  # a fragment's URL is no place to come back to
        target = request.headers.get("hx-current-url", "/") or "/"
        target = "/" + target.split("/", 3)[-1] if "://" in target else target
    return f"/sign-in?next={quote(target, safe='')}"


async def signed_in(request: Request) -> SignedIn:
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        database = provided(request, Database)
        spans = lifetimes(provided(request, Settings))
        found = await anyio.to_thread.run_sync(_resolve, database, token, spans)
    if found is None:
        raise SignInRequired(sign_in_url(request), expired=bool(token))
    request.state.signed_in = found
    request.state.principal = found.principal
    request.state.catalog_revision = found.catalog_revision
    return found


Person = Annotated[SignedIn, Depends(signed_in)]


def may(*permissions: Permission) -> Callable[[SignedIn], Awaitable[SignedIn]]:
    """The page dependency for any of ``permissions``: the signed-in person, if their role
    has one (deny by default; the service still decides what of it they may see)."""

    async def check(person: Person) -> SignedIn:
        if not any(person.principal.can(permission) for permission in permissions):
            raise PageForbidden(person.principal.role, " or ".join(permissions))
        return person

    return check


Seller = Annotated[SignedIn, Depends(may("proposal.create"))]
# their own proposals (sales) or every one (approvers, admins)
ProposalReader = Annotated[SignedIn, Depends(may("proposal.create", "proposal.read_all"))]
Approver = Annotated[SignedIn, Depends(may("proposal.approve"))]
UserAdmin = Annotated[SignedIn, Depends(may("users.manage"))]
# curating the catalog (portfolio, admin) and assuring it (approvers)
CatalogEditor = Annotated[SignedIn, Depends(may("catalog.write"))]
AssuranceApprover = Annotated[SignedIn, Depends(may("catalog.assure"))]
