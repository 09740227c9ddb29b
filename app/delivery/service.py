"""Delivery work packages: each line of an accepted proposal, for the centre that
delivers it, with the delivery description of the exact version sold (made on acceptance,
by ``app.proposals.packages``). A delivery key sees its own centre's packages and nothing
of others (404, not 403: another centre's work is not even confirmed to exist); admins see
every one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import SYSTEM, Principal
from app.delivery.load import DEFAULT_MONTHS, CentreLoad, centre_load
from app.delivery.pack import DeliveryPackDocument
from app.documents import Pdf, Renderer, render_cached, stored_pdf
from app.jobs import Jobs
from app.kit.database import Database, released
from app.kit.errors import (
    DocumentTooLong,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    RenderLimit,
)
from app.kit.pagination import Page, newest_first
from app.models import CatalogRecord, WorkPackage
from app.proposals import PackageContent
from catalog import DeliveryCentre

LAST_YEAR = 9999  # of Python's dates


def _reader(principal: Principal, centre: str) -> bool:
    return principal.role == "admin" or (
        principal.role == "delivery" and principal.centre == centre
    )


def _check_role(principal: Principal) -> None:
    if principal.role not in ("admin", "delivery"):
        raise Forbidden(f"the {principal.role} role does not read work packages")


def _view(package: WorkPackage) -> dict[str, Any]:
    content = PackageContent.read(package.content)
    return {"id": package.id, "created_at": package.created_at.isoformat(), **content.stored()}


def listing(
    session: Session, principal: Principal, centre: str, limit: int, cursor: str | None
) -> Page[dict[str, Any]]:
    """The centre's work packages, newest first."""
    _check_role(principal)
    if not _reader(principal, centre):
        raise NotFound(f"no delivery centre {centre} among yours")
    statement = select(WorkPackage).where(WorkPackage.centre == centre)
    page = newest_first(session, statement, WorkPackage.id, limit, cursor)
    return Page([_view(row) for row in page.items], page.next_cursor)


def load(
    session: Session,
    principal: Principal,
    centre: str,
    today: date,
    since: date | None = None,
    months: int = DEFAULT_MONTHS,
) -> CentreLoad:
    """The centre's load from ``since``'s month (this month if None) for ``months`` months,
    with the waiting proposals that would overbook it (``app.delivery.load`` defines it).
    Who may read it: as the centre's work packages."""
    _check_role(principal)
    if not _reader(principal, centre):
        raise NotFound(f"no delivery centre {centre} among yours")
    first = since or today
    if (first.year - LAST_YEAR) * 12 + first.month - 1 + months > 12:
        problem = FieldProblem("since", f"the months asked run past {LAST_YEAR}")
        raise Invalid("the months asked run past the calendar", [problem])
    return centre_load(session, centre, first, months, today)


def centres(session: Session, principal: Principal) -> list[DeliveryCentre]:
    """The delivery centres this caller reads the work of, by code: every one for an
    admin, a delivery user's own."""
    _check_role(principal)
    records = session.scalars(
        select(CatalogRecord)
        .where(CatalogRecord.kind == "delivery_centres")
        .order_by(CatalogRecord.key)
    )
    found = [DeliveryCentre.model_validate(record.content) for record in records]
    return [centre for centre in found if _reader(principal, centre.code)]


def _visible(session: Session, principal: Principal, package_id: int) -> WorkPackage:
    _check_role(principal)
    package = session.get(WorkPackage, package_id)
    if package is None or not _reader(principal, package.centre):
        raise NotFound(f"no work package {package_id}")
    return package


def read(session: Session, principal: Principal, package_id: int) -> dict[str, Any]:
    return _view(_visible(session, principal, package_id))


def _pack(provider: str, package: WorkPackage) -> tuple[DeliveryPackDocument, str]:
    content = PackageContent.read(package.content)
    filename = f"{content.number}-line{package.line}-{package.centre}.pdf"
    return DeliveryPackDocument(provider, content), filename


def pack_pdf(
    database: Database,
    renderer: Renderer,
    provider: str,
    session: Session,
    principal: Principal,
    package_id: int,
) -> Pdf:
    """The delivery pack, from the cache or rendered here (the API's way)."""
    document, filename = _pack(provider, _visible(session, principal, package_id))
    return render_cached(database, renderer, session, document, filename)


RENDER_PACK = "render_delivery_pack"  # the job that renders a pack for the pages
RETRY_AFTER_SECONDS = 2


@dataclass(frozen=True, slots=True)
class PackPending:
    """Not rendered yet: its job is queued; ask again in ``retry_after`` seconds."""

    retry_after: int


class WaitFor(Protocol):
    def __call__(self, found: Callable[[], Pdf | None], seconds: float, /) -> Pdf | None: ...


def requested_pack(
    database: Database,
    engine: Jobs,
    wait: WaitFor,
    limits: str,
    provider: str,
    session: Session,
    principal: Principal,
    package_id: int,
    *,
    wait_seconds: float = 1.0,
) -> Pdf | PackPending:
    """The same delivery pack as ``pack_pdf``, for the pages: from storage; or, not there
    yet, its render job queued (once, however many ask), a short wait for it, and when to
    ask again, as the proposal PDF's page does. A render that failed on a limit raises
    that problem, as stored."""
    document, filename = _pack(provider, _visible(session, principal, package_id))
    key = document.key()
    found = stored_pdf(session, key, filename, limits)
    if found is not None:
        return found
    with released(session), database.transaction(write=True) as writing:
        engine.defer(writing, RENDER_PACK, package_id=package_id)

    def look() -> Pdf | None:
        with database.transaction(write=False) as reading:
            return stored_pdf(reading, key, filename, limits)

    found = wait(look, wait_seconds)
    return found if found is not None else PackPending(RETRY_AFTER_SECONDS)


def render_pack(database: Database, renderer: Renderer, provider: str, *, package_id: int) -> None:
    """The job: render the pack and store it (or the limit it met, which the page then
    answers); no connection held while it renders."""
    with database.transaction(write=False) as session, suppress(DocumentTooLong, RenderLimit):
        pack_pdf(database, renderer, provider, session, SYSTEM, package_id)
