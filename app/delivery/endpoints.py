"""Delivery work packages: what each delivery centre must deliver of accepted proposals.

Answers are sent as the service builds them: the schemas of ``app.delivery.schemas``
document them, nothing re-validates or reshapes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from app.auth import Caller, Cursor, DbSession, Limit
from app.delivery import service as work_packages
from app.delivery.load import DEFAULT_MONTHS, MAX_MONTHS, load_document
from app.delivery.schemas import CentreLoad, WorkPackage, WorkPackagePage
from app.documents import Renderer, pdf_response, pdf_responses
from app.kit.contract import problems
from app.kit.database import Database
from app.kit.params import Id
from app.kit.settings import Settings
from app.kit.wiring import wired

router = APIRouter(tags=["work packages"])


@router.get(
    "/v1/delivery-centres/{code}/work-packages",
    response_model=WorkPackagePage,
    responses=problems(403, 404),
)
def list_work_packages(
    session: DbSession, principal: Caller, code: str, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """The centre's work packages, newest first: customer, component version, quantity,
    service level and the delivery description of the version sold. For delivery keys of
    that centre (another centre's key gets 404) and admins; other roles 403."""
    page = work_packages.listing(session, principal, code, limit, cursor)
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})


@router.get(
    "/v1/delivery-centres/{code}/load",
    response_model=CentreLoad,
    responses=problems(403, 404, 422),
)
def centre_load(
    session: DbSession,
    principal: Caller,
    code: str,
    since: Annotated[
        str | None,
        Query(
            pattern=r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$",
            description="the first month, YYYY-MM; this month when left out",
        ),
    ] = None,
    months: Annotated[int, Query(ge=1, le=MAX_MONTHS, description="how many months")] = (
        DEFAULT_MONTHS
    ),
) -> Response:
    """The centre's load: effort hours of accepted work per month against its monthly
    capacity, by competency, and the proposals awaiting the customer that would overbook
    it if accepted (each option judged alone, add-ons ticked). For delivery keys of that
    centre (another centre's key gets 404) and admins; other roles 403."""
    first = None if since is None else date.fromisoformat(f"{since}-01")
    today = datetime.now(UTC).date()
    found = work_packages.load(session, principal, code, today, first, months)
    return JSONResponse(load_document(found))


@router.get(
    "/v1/work-packages/{package_id}", response_model=WorkPackage, responses=problems(403, 404)
)
def read_work_package(session: DbSession, principal: Caller, package_id: Id) -> Response:
    """One work package (its centre's delivery keys and admins only)."""
    return JSONResponse(work_packages.read(session, principal, package_id))


@router.get(
    "/v1/work-packages/{package_id}/pdf",
    response_class=Response,
    responses={**pdf_responses("the delivery pack"), **problems(403, 404, 422, 503)},
)
def work_package_pdf(
    session: DbSession,
    principal: Caller,
    package_id: Id,
    database: Annotated[Database, Depends(wired(Database))],
    renderer: Annotated[Renderer, Depends(wired(Renderer))],
    settings: Annotated[Settings, Depends(wired(Settings))],
) -> Response:
    """The delivery pack: the package's facts, then provisioning, operating procedures,
    tooling, skills, handover and KPIs of the version sold. Too long to render: 422; every
    renderer busy: 503."""
    document = work_packages.pack_pdf(
        database, renderer, settings.provider_name, session, principal, package_id
    )
    return pdf_response(document)
