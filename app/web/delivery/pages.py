"""The delivery centre pages: /delivery (a delivery user's own centre; an admin picks one),
/delivery/{centre} (its work packages and load, with the waiting proposals that would
overbook it), /delivery/work-packages/{id} (the delivery description of the version sold)
and its delivery pack PDF. Thin: app.delivery's services decide, as for the JSON routes,
who sees what (another centre's page or package is a 404 for a delivery user)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import SignedIn
from app.delivery import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    PackPending,
    centre_load,
    delivery_centres,
    requested_pack,
    work_package,
    work_packages,
)
from app.documents import Renderer, pdf_response
from app.jobs import JobEngine
from app.kit.database import Database
from app.kit.params import Id
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.web.auth import PageForbidden, Person
from app.web.delivery.views import (
    description,
    load_months,
    package_facts,
    package_rows,
    warnings,
    window,
)
from app.web.errors import mark_page
from app.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
PAGE_SIZE = 50


async def _deliverer(person: Person) -> SignedIn:
    """Delivery users (their own centre) and admins (every centre); other roles may not."""
    if person.principal.role not in ("delivery", "admin"):
        raise PageForbidden(person.principal.role, "delivery centres")
    return person


Deliverer = Annotated[SignedIn, Depends(_deliverer)]


@router.get("/delivery")
def delivery_home(request: Request, person: Deliverer, database: Db) -> Response:
    """A delivery user's own centre; an admin picks one."""
    principal = person.principal
    if principal.role == "delivery" and principal.centre:
        return RedirectResponse(f"/delivery/{principal.centre}", status_code=303)
    with database.transaction(write=False) as session:
        centres = delivery_centres(session, principal)
    return render(request, "delivery/centres.html", {"centres": centres})


@router.get("/delivery/work-packages/{package_id}")
def package_page(request: Request, person: Deliverer, database: Db, package_id: Id) -> Response:
    with database.transaction(write=False) as session:
        package = work_package(session, person.principal, package_id)
    return render(request, "delivery/package.html", {
        "package": package, "facts": package_facts(package),
        "description": description(package["description"]),
    })  # fmt: skip


@router.get("/delivery/work-packages/{package_id}/pdf")
def package_pdf(
    request: Request,
    person: Deliverer,
    database: Db,
    renderer: Annotated[Renderer, Depends(wired(Renderer))],
    engine: Annotated[JobEngine, Depends(wired(JobEngine))],
    settings: Annotated[Settings, Depends(wired(Settings))],
    package_id: Id,
) -> Response:
    """The delivery pack /v1/work-packages/{id}/pdf serves (the same document, cached by
    its content); not rendered yet, its render job queued and a page that says so with a
    link to ask again (202, Retry-After), as the proposal PDF's page does."""
    with database.transaction(write=False) as session:
        answer = requested_pack(
            database, engine, engine.wait_for, renderer.limits, settings.provider_name,
            session, person.principal, package_id, wait_seconds=settings.pdf_wait_seconds,
        )  # fmt: skip
    if isinstance(answer, PackPending):
        retry = str(answer.retry_after)
        return render(request, "delivery/pdf_pending.html", {
            "retry": retry, "again": str(request.url.path),
            "back": f"/delivery/work-packages/{package_id}",
        }, status=202, headers={"Retry-After": retry})  # fmt: skip
    return pdf_response(answer)


@router.get("/delivery/{centre}")
def centre_page(
    request: Request,
    person: Deliverer,
    database: Db,
    centre: str,
    since: str | None = None,
    months: str | None = None,
    cursor: str | None = None,
) -> Response:
    """The centre's load for the months asked (this month and the next eleven unless
    asked otherwise), the waiting proposals that would overbook it, and its work packages,
    newest first."""
    asked = window(since, months, DEFAULT_MONTHS)
    today = datetime.now(UTC).date()
    with database.transaction(write=False) as session:
        load = centre_load(session, person.principal, centre, today, asked.since, asked.months)
        page = work_packages(session, person.principal, centre, PAGE_SIZE, cursor)
    query: dict[str, Any] = {key: value for key, value in asked.values.items() if value}
    later = (
        None
        if page.next_cursor is None
        else f"/delivery/{centre}?" + urlencode({**query, "cursor": page.next_cursor})
    )
    return render(request, "delivery/centre.html", {
        "load": load, "months": load_months(load), "warnings": warnings(load),
        "packages": package_rows(page.items), "next_url": later, "first_page": cursor is None,
        "errors": asked.errors, "values": asked.values, "max_months": MAX_MONTHS,
    }, status=422 if asked.errors else 200)  # fmt: skip
