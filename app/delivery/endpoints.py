"""Delivery work packages: what each delivery centre must deliver of accepted proposals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import Caller, Cursor, DbSession, Limit
from app.delivery import service as work_packages
from app.documents import pdf_response, pdf_responses
from app.kit.params import Id
from app.kit.schemas import ListPage

router = APIRouter(tags=["work packages"])


@router.get("/v1/delivery-centres/{code}/work-packages", response_model=ListPage)
def listing(
    session: DbSession, principal: Caller, code: str, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    """The centre's work packages, newest first: customer, component version, quantity,
    service level and the delivery description of the version sold. For delivery keys of
    that centre (another centre's key gets 404) and admins."""
    page = work_packages.listing(session, principal, code, limit, cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/v1/work-packages/{package_id}")
def read(session: DbSession, principal: Caller, package_id: Id) -> Any:
    """One work package (its centre's delivery keys and admins only)."""
    return work_packages.read(session, principal, package_id)


@router.get(
    "/v1/work-packages/{package_id}/pdf",
    response_class=Response,
    responses=pdf_responses("the delivery pack"),
)
def pdf(request: Request, session: DbSession, principal: Caller, package_id: Id) -> Response:
    """The delivery pack: the package's facts, then provisioning, operating procedures,
    tooling, skills, handover and KPIs of the version sold."""
    state = request.app.state
    document = work_packages.pack_pdf(
        state.database, state.render_pool, state.settings.provider_name, session, principal,
        package_id,
    )  # fmt: skip
    return pdf_response(document)
