"""The customer's decision, posted from the page's forms (no JavaScript needed): accept or
decline, then 303 back to the page, which shows the outcome. A post that is not the page's
own (another origin, no valid signed form token) is refused with 403 and records nothing;
an invalid form comes back with a message next to each field (422)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.documents import pdf_response
from app.jobs import Jobs
from app.kit.database import Database
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.proposals.acceptance import service as decisions
from app.proposals.acceptance.choices import choices_of
from app.proposals.acceptance.forms import (
    form_token_valid,
    origin_of,
    parsed,
    read_acceptance,
    read_reason,
    same_origin,
)
from app.proposals.links import customer
from app.proposals.links import service as links
from app.proposals.links.rendering import refused_html
from app.proposals.revision import read_revision

router = APIRouter(prefix="/p", include_in_schema=False)
Db = Annotated[Database, Depends(wired(Database))]
AppSettings = Annotated[Settings, Depends(wired(Settings))]
AppJobs = Annotated[Jobs, Depends(wired(Jobs))]
FORM = "application/x-www-form-urlencoded"


async def form_pairs(request: Request) -> list[tuple[str, str]]:
    """The posted form's pairs; any other body is read as an empty form (and refused for
    its missing token)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM:
        return []
    return parsed(await request.body())


Pairs = Annotated[list[tuple[str, str]], Depends(form_pairs)]


def _back(token: str) -> RedirectResponse:
    return RedirectResponse(f"/p/{token}", status_code=303, headers=customer.HEADERS)


def _ours(request: Request, settings: Settings, pairs: list[tuple[str, str]], token: str,
          link_id: int, form: str) -> bool:  # fmt: skip
    allowed = {origin_of(str(request.base_url))}
    if settings.public_base_url:
        allowed.add(origin_of(settings.public_base_url))
    value = next((v for k, v in pairs if k == "form_token"), "")
    headers = request.headers
    ours = same_origin(headers.get("origin"), headers.get("sec-fetch-site"), allowed)
    return ours and form_token_valid(
        settings.form_secret, token, link_id, form, value, settings.form_max_age_seconds
    )


def _evidence(request: Request) -> decisions.Evidence:
    host = request.client.host if request.client else None
    return decisions.Evidence.of(host, request.headers.get("user-agent"))


@router.post("/{token}/accept")
def accept(
    request: Request,
    database: Db,
    settings: AppSettings,
    jobs: AppJobs,
    pairs: Pairs,
    token: str,
) -> Response:
    with database.transaction(write=False) as session:
        opened = links.opened(session, token)
        if opened is None:
            return customer.unknown(settings)
        if opened.state == "accepted":
            return _back(token)  # a second click, another tab, a replay: the first stands
        if opened.state != "open":
            return customer.closed(opened, settings)
        if not _ours(request, settings, pairs, token, opened.link.id, "accept"):
            return customer.html(refused_html(settings.provider_name, f"/p/{token}"), 403)
        form = read_acceptance(pairs, choices_of(read_revision(opened.revision.content)))
        if form.errors:
            return customer.page(session, opened, settings, token, form=form, status=422)
    outcome = decisions.accept(database, jobs, token, form, _evidence(request))
    if outcome in ("accepted", "already"):
        return _back(token)
    return _closed_now(database, settings, token)


@router.post("/{token}/decline")
def decline(
    request: Request, database: Db, settings: AppSettings, pairs: Pairs, token: str
) -> Response:
    with database.transaction(write=False) as session:
        opened = links.opened(session, token)
        if opened is None:
            return customer.unknown(settings)
        if opened.state != "open":
            return (
                _back(token)
                if opened.state in ("declined", "accepted")
                else (customer.closed(opened, settings))
            )
        if not _ours(request, settings, pairs, token, opened.link.id, "decline"):
            return customer.html(refused_html(settings.provider_name, f"/p/{token}"), 403)
        reason, problem = read_reason(pairs)
        if problem is not None:
            return customer.page(session, opened, settings, token, decline_error=problem,
                                 reason=reason, status=422)  # fmt: skip
    outcome = decisions.decline(database, token, reason, _evidence(request))
    if outcome in ("declined", "already"):
        return _back(token)
    return _closed_now(database, settings, token)


def _closed_now(database: Database, settings: Settings, token: str) -> Response:
    """The link closed between the checks and the decision (revoked, withdrawn...)."""
    with database.transaction(write=False) as session:
        opened = links.opened(session, token)
        return customer.unknown(settings) if opened is None else customer.closed(opened, settings)


@router.get("/{token}/contract.pdf")
def customer_contract(database: Db, settings: AppSettings, token: str) -> Response:
    """The contract copy, through the link that accepted it; while it is being rendered,
    back to the page (which says so)."""
    with database.transaction(write=False) as session:
        opened = links.opened(session, token)
        if opened is None:
            return customer.unknown(settings)
        if opened.state != "accepted":
            return customer.closed(opened, settings)
        record = decisions.acceptance_of(session, opened.proposal.id)
        stored = None if record is None else decisions.stored_contract(session, record)
    if stored is None:
        return _back(token)
    answer = pdf_response(stored)
    answer.headers["Cache-Control"] = "no-store"
    return answer
