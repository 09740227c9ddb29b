"""A component version's lifecycle page: where it is used (open and accepted proposals,
work packages, offerings, rules), its price changes against the active version, the
assured combinations activating it would break (on request: it solves), and the lifecycle
buttons this role may press. Thin: the impact is app.portfolio's ``where_used``, a move is
the same ``CatalogChange`` the API hands the same gate (assurance, four eyes, stranding),
so a page can never do what the API would refuse; its refusals are shown in words."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.assurance import Assurance
from app.auth import Principal, SignedIn
from app.kit.database import Database
from app.kit.errors import NotFound, OfferwrightError, StrandsOpenProposals
from app.kit.inputs import whole_number
from app.kit.params import Id
from app.kit.wiring import wired
from app.models import utcnow
from app.portfolio import ActiveCatalog, CatalogChange, CatalogGate, where_used
from app.web.auth import may
from app.web.errors import mark_page
from app.web.forms import read_form
from app.web.lifecycle.views import (
    MOVES,
    NOTICES,
    STATUS_LABELS,
    broken,
    buttons,
    price_rows,
    stranded,
    summary,
)
from app.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Curator = Annotated[SignedIn, Depends(may("catalog.read_unreleased"))]
Db = Annotated[Database, Depends(wired(Database))]
Catalog = Annotated[ActiveCatalog, Depends(wired(ActiveCatalog))]
Gate = Annotated[CatalogGate, Depends(wired(CatalogGate))]
Assured = Annotated[Assurance, Depends(wired(Assurance))]

PATH = "/catalog/components/{code}/versions/{version}/lifecycle"
BEFORE_ACTIVE = ("draft", "in_review", "assured")  # what an assurance preview is for
MAX_COMMENT = 2000  # as the API's transition body


def _context(
    database: Database,
    catalog: ActiveCatalog,
    assurance: Assurance,
    principal: Principal,
    code: str,
    version: int,
    check_assurance: bool,
) -> dict[str, Any]:
    today = utcnow().date()
    with database.transaction(write=False) as session:
        snapshot = catalog.snapshot(session)
        found = where_used(session, snapshot, code, version, today)
        current = None  # the active version's use, when this one would replace it
        if found.active_version is not None and found.active_version != version:
            current = where_used(session, snapshot, code, found.active_version, today)
        preview = None
        if check_assurance and found.status in BEFORE_ACTIVE:
            preview = assurance.preview(session, code, version)
    return {
        "found": found,
        "current": current,
        "summary": summary(found),
        "prices": price_rows(found),
        "preview": preview,
        "previewable": found.status in BEFORE_ACTIVE,
        "buttons": buttons(principal, found),
        "labels": STATUS_LABELS,
        "reads_proposals": principal.can("proposal.read_all"),
        "here": PATH.format(code=code, version=version),
    }


async def _page(
    request: Request,
    principal: Principal,
    services: tuple[Database, ActiveCatalog, Assurance],
    code: str,
    version: int,
    *,
    check_assurance: bool = False,
    status: int = 200,
    **extra: Any,
) -> Response:
    database, catalog, assurance = services
    context = await anyio.to_thread.run_sync(
        _context, database, catalog, assurance, principal, code, version, check_assurance
    )
    context.update({"notice": None, "error": None, "stranded": [], "broken": [],
                    "asked": None, "comment": "", "confirm_error": None})  # fmt: skip
    context.update(extra)
    return render(request, "lifecycle/page.html", context, status=status)


@router.get(PATH)
async def lifecycle_page(
    request: Request,
    person: Curator,
    database: Db,
    catalog: Catalog,
    assurance: Assured,
    code: str,
    version: Id,
    done: str | None = None,
) -> Response:
    check = request.query_params.get("assurance") == "1"  # the preview solves: on request
    return await _page(
        request, person.principal, (database, catalog, assurance), code, version,
        check_assurance=check, notice=NOTICES.get(done or ""),
    )  # fmt: skip


@router.post(PATH)
async def move(
    request: Request,
    person: Curator,
    database: Db,
    catalog: Catalog,
    gate: Gate,
    assurance: Assured,
    code: str,
    version: Id,
) -> Response:
    form = await read_form(request)
    to, comment = form.one("to"), form.one("comment")
    # The proposals the confirmation showed: one selling it since is not stranded unseen.
    seen = frozenset(n for n in map(whole_number, form.all("stranded")) if n is not None)
    confirm = seen if form.one("confirm_stranding") == "yes" else False
    services = (database, catalog, assurance)
    again: dict[str, Any] = {"comment": comment, "asked": to}
    if to not in MOVES:
        return await _page(request, person.principal, services, code, version, status=422,
                           error="Choose one of the lifecycle's moves.", **again)  # fmt: skip
    if len(comment) > MAX_COMMENT:
        return await _page(request, person.principal, services, code, version, status=422,
                           error=f"The comment is longer than {MAX_COMMENT} characters.",
                           **again)  # fmt: skip
    change = CatalogChange.transition(
        code, version, to, comment or None, None, confirm_stranding=confirm
    )
    try:
        await anyio.to_thread.run_sync(gate.apply, person.principal, change)
    except NotFound:
        raise  # no such version: the error page says so
    except OfferwrightError as error:
        named = stranded(error.extra)
        message = error.detail
        if isinstance(error, StrandsOpenProposals):  # the API's words name its body field
            message = (f"Retiring {code} version {version} would strand {len(named)} open "
                       "proposal(s) that sell it. Nothing has changed yet.")  # fmt: skip
        return await _page(
            request, person.principal, services, code, version, status=error.status,
            error=message, stranded=named, broken=broken(error.extra),
            confirm_error="Tick “Retire anyway” to strand them." if named else None, **again,
        )  # fmt: skip
    url = PATH.format(code=code, version=version) + f"?done={to}"
    return RedirectResponse(url, status_code=303)
