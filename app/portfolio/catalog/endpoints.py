"""The catalog as a whole: summary and import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from app.auth import CatalogReader, CatalogWriter, DbSession
from app.kit.contract import NOT_MODIFIED, problems
from app.kit.database import Database
from app.kit.wiring import wired
from app.portfolio.catalog.cached import catalog_answer
from app.portfolio.catalog.upload import Upload, import_upload
from app.portfolio.changes import CatalogGate
from app.portfolio.components import service as components
from app.portfolio.schemas import CatalogSummary, ImportReport

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])

_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "a zipped catalog directory, or the catalog as one JSON object "
        "keyed by collection (capabilities, competencies, delivery_centres, price_books, "
        "components, rules, offerings, assurances)",
        "content": {
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.get("/summary", response_model=CatalogSummary, responses=NOT_MODIFIED)
async def summary(request: Request, principal: CatalogReader) -> Any:
    """Counts of components by family, layer and status."""

    def count(session: Session) -> Any:
        return components.summary(session, principal)

    return await catalog_answer(request, principal, ("summary",), count)


async def _upload(request: Request) -> Upload:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return Upload(media_type, await request.body())


# Validated before the write transaction begins (the request's own transaction only
# reads), so a long validation never holds the write lock.
@router.post(
    "/import",
    response_model=ImportReport,
    response_model_exclude_none=True,  # no `assurance` where the catalog has no combinations
    openapi_extra=_IMPORT_BODY,
    responses=problems(400, 408, 409, 413, 415, 422),
)
def import_catalog(
    database: Annotated[Database, Depends(wired(Database))],
    session: DbSession,
    principal: CatalogWriter,
    upload: Annotated[Upload, Depends(_upload)],
    gate: Annotated[CatalogGate, Depends(wired(CatalogGate))],
) -> Any:
    """Validate the whole catalog and import it in one transaction: all or nothing, every
    problem reported. Admin imports keep the files' statuses; others land as drafts, and,
    since their registries go live at once, are refused (409 `assurance-broken`) when they
    would break an assured combination that holds today, like any other catalog change.
    Then the assured combinations run on the active catalog it made (`assurance`: held,
    broken and which)."""
    report = import_upload(database, session, principal, upload, gate)
    return {**report, "assurance": gate.after_import(principal)}
