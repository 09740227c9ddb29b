"""Components: list, read, create, edit, lifecycle, documents."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from app.auth import (
    Caller,
    CatalogReader,
    CatalogWriter,
    Cursor,
    DbSession,
    Limit,
    Principal,
    Writing,
    json_document,
    requires,
)
from app.documents import render_document
from app.kit.contract import NOT_MODIFIED, problems
from app.kit.params import Id
from app.kit.responses import tagged
from app.kit.wiring import wired
from app.models import utcnow
from app.portfolio.catalog.active import ActiveCatalog
from app.portfolio.catalog.cached import catalog_answer
from app.portfolio.catalog.store import validate_model
from app.portfolio.changes import CatalogChange, CatalogGate
from app.portfolio.components import history, service
from app.portfolio.components.diff import ComponentDiff
from app.portfolio.components.service import DocumentName
from app.portfolio.components.where_used import where_used
from app.portfolio.schemas import (
    AssuranceBrokenProblem,
    ComponentDiffView,
    ComponentDocument,
    ComponentDraft,
    ComponentPage,
    ComponentPatch,
    ComponentTransition,
    ComponentVersions,
    ComponentView,
    WhereUsedView,
)

router = APIRouter(prefix="/v1/components", tags=["components"])

Version = Annotated[Id | None, Query(description="a version number; default: active")]
IfMatch = Annotated[str | None, Header(description="the ETag you read")]
# Read as documents: the service checks each in context (a draft once the service has set
# its version, status and author; a patch once applied to the latest version).
DraftBody = Annotated[dict[str, Any], Depends(json_document(ComponentDraft))]
PatchBody = Annotated[dict[str, Any], Depends(json_document(ComponentPatch, merge_patch=True))]
TransitionBody = Annotated[dict[str, Any], Depends(json_document(ComponentTransition))]
Gate = Annotated[CatalogGate, Depends(wired(CatalogGate))]
Catalog = Annotated[ActiveCatalog, Depends(wired(ActiveCatalog))]
Curator = Annotated[Principal, Depends(requires("catalog.read_unreleased"))]


@router.get("", response_model=ComponentPage, responses=NOT_MODIFIED)
async def list_components(
    request: Request,
    principal: CatalogReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    family: str | None = None,
    layer: str | None = None,
    status: str | None = None,
    capability: str | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="text in code, name, summary")
    ] = None,
) -> Any:
    """Components, one row each: the latest version for curators, the active one otherwise.
    Built once per catalog revision; `If-None-Match` with the page's `ETag` answers 304."""
    filters = {"family": family, "layer": layer, "status": status, "capability": capability,
               "q": q}  # fmt: skip

    def page(session: Session) -> dict[str, Any]:
        listed = service.list_components(session, principal, limit=limit, cursor=cursor, **filters)
        return {"items": listed.items, "next_cursor": listed.next_cursor}

    return await catalog_answer(
        request, principal, ("components", limit, cursor, *filters.values()), page
    )


@router.post(
    "",
    status_code=201,
    response_model=ComponentView,
    responses=problems(409),
)
def create_component(writing: Writing, principal: CatalogWriter, body: DraftBody) -> Any:
    """Create a component as a draft (version 1). Status, version and author are set here."""
    with writing() as session:
        view = service.create_component(session, principal, body)
    response = tagged(view, 201)
    response.headers["Location"] = f"/v1/components/{view.body['code']}?version=1"
    return response


@router.get("/{code}", response_model=ComponentView, responses={**NOT_MODIFIED, **problems(404)})
async def get_component(
    request: Request, principal: CatalogReader, code: str, version: Version = None
) -> Any:
    """The active version (or ``?version=N``), with its ETag (`If-None-Match`: 304)."""

    def read(session: Session) -> dict[str, Any]:
        return service.get_component(session, principal, code, version).body

    return await catalog_answer(request, principal, ("component", code, version), read)


@router.patch(
    "/{code}",
    response_model=ComponentView,
    responses=problems(404, 409, 412, 428),
)
def patch_component(
    writing: Writing, principal: CatalogWriter, code: str, patch: PatchBody,
    if_match: IfMatch = None,
) -> Any:  # fmt: skip
    """JSON merge patch of the latest version (If-Match required): edits a draft in place,
    otherwise creates a new draft version."""
    with writing() as session:
        return tagged(service.patch_component(session, principal, code, patch, if_match))


@router.post(
    "/{code}/versions/{version}/transition",
    name="transition_component",
    response_model=ComponentView,
    responses={**problems(403, 404, 412, 428), **problems(409, model=AssuranceBrokenProblem)},
)
def transition(
    gate: Gate, principal: Caller, code: str, version: Id,
    body: TransitionBody,
    if_match: IfMatch = None,
) -> Any:  # fmt: skip
    """Move a version along draft -> in_review -> assured -> active -> retired (and from
    in_review back to draft). A move to active or retired is refused (409 `assurance-broken`)
    when it would break an assured combination that holds today; a retirement is refused
    (409 `strands-open-proposals`, naming them) while open proposals sell the version,
    unless the body says `"confirm_stranding": true`."""
    move = validate_model(ComponentTransition.model_validate, body, "transition request")
    change = CatalogChange.transition(
        code, version, move.to, move.comment, if_match, confirm_stranding=move.confirm_stranding
    )
    view = gate.apply(principal, change)
    assert view is not None  # a transition answers with the version
    return tagged(view)


@router.get(
    "/{code}/versions/{version}/where-used",
    response_model=WhereUsedView,
    responses=problems(404),
)
def where_used_route(
    session: DbSession, principal: Curator, catalog: Catalog, code: str, version: Id
) -> Any:
    """Where this version is used, before it is retired or re-priced: the open proposals
    whose current revision sells it (number, customer, status, author), the accepted ones
    with their work packages of it, the offerings and rules of the active catalog that name
    the component, and its list prices per price book where they differ from the active
    version's; with counts."""
    found = where_used(session, catalog.snapshot(session), code, version, utcnow().date())
    return JSONResponse(found.as_dict())


def _document(
    request: Request, session: DbSession, principal: CatalogReader, code: str,
    name: DocumentName, version: int | None,
) -> Response:  # fmt: skip
    payload = service.get_document(session, principal, code, name, version)
    if _wants_html(request.headers.get("accept", "")):
        return HTMLResponse(render_document(payload))
    return JSONResponse(payload)


def _wants_html(accept: str) -> bool:
    media = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if "text/html" not in media:
        return False
    return "application/json" not in media or media.index("text/html") < media.index(
        "application/json"
    )


_DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document: JSON, or an HTML page with `Accept: text/html`",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ComponentDocument"}},
            "text/html": {"schema": {"type": "string"}},
        },
    },
    **problems(403, 404),
}


@router.get(
    "/{code}/specification", response_model=ComponentDocument, responses=_DOCUMENT_RESPONSES
)
def specification(
    request: Request,
    session: DbSession,
    principal: CatalogReader,
    code: str,
    version: Version = None,
) -> Response:
    """The customer-facing service specification (HTML with ``Accept: text/html``)."""
    return _document(request, session, principal, code, "specification", version)


@router.get(
    "/{code}/statement-of-work", response_model=ComponentDocument, responses=_DOCUMENT_RESPONSES
)
def statement_of_work(
    request: Request,
    session: DbSession,
    principal: CatalogReader,
    code: str,
    version: Version = None,
) -> Response:
    """The contractual statement of work."""
    return _document(request, session, principal, code, "statement_of_work", version)


@router.get(
    "/{code}/delivery-description",
    response_model=ComponentDocument,
    responses=_DOCUMENT_RESPONSES,
)
def delivery_description(
    request: Request,
    session: DbSession,
    principal: CatalogReader,
    code: str,
    version: Version = None,
) -> Response:
    """How the delivery centre provisions and operates it (a delivery key: only for
    components its centre is competent for)."""
    return _document(request, session, principal, code, "delivery_description", version)


@router.get("/{code}/versions", response_model=ComponentVersions, responses=problems(404))
def versions(session: DbSession, principal: CatalogReader, code: str) -> Any:
    """Every version the caller may read, oldest first, with status, author and dates
    (released versions only without catalog.read_unreleased)."""
    return history.component_versions(session, principal, code)


@router.get("/{code}/diff", response_model=ComponentDiffView, responses=problems(404))
def diff(
    session: DbSession,
    principal: CatalogReader,
    code: str,
    before: Annotated[Id, Query(alias="from", description="the version compared from")],
    after: Annotated[Id, Query(alias="to", description="the version compared to")],
) -> Any:
    """What changed between two versions: each differing field by its path (nested maps
    such as prices and service levels flattened), and a line diff of each document's
    Markdown. Fields and documents the caller may not read are left out on both sides."""
    return diff_body(history.compare_versions(session, principal, code, before, after))


def diff_body(found: ComponentDiff) -> dict[str, Any]:
    body = asdict(found)
    body["unchanged"] = found.unchanged
    for document, shown in zip(found.documents, body["documents"], strict=True):
        shown["changed"] = document.changed
    return body
