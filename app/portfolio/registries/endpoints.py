"""Capabilities, competencies, delivery centres, price books, rules, offerings and assured
combinations: the same five routes each, built from one description per registry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlalchemy.orm import Session

from app.auth import CatalogReader, CatalogWriter, Cursor, Limit, json_document
from app.kit.contract import NOT_MODIFIED, problems
from app.kit.responses import tagged
from app.kit.wiring import wired
from app.portfolio.catalog.cached import catalog_answer
from app.portfolio.catalog.store import REGISTRIES, Registry
from app.portfolio.changes import CatalogChange, CatalogGate
from app.portfolio.registries import service
from app.portfolio.schemas import (
    RECORD_BODIES,
    RECORD_VIEWS,
    AssuranceBrokenProblem,
    merge_patch_of,
    page_of,
)

IfMatch = Annotated[str | None, Header(description="the ETag you read")]
Gate = Annotated[CatalogGate, Depends(wired(CatalogGate))]


def _router(registry: Registry) -> APIRouter:
    router = APIRouter(prefix=f"/v1/{registry.path}", tags=[registry.path])
    title = registry.title

    view = RECORD_VIEWS[registry.field]
    singular = registry.title.replace(" ", "_")  # a client's function names: get_price_book
    name = "".join(part.capitalize() for part in registry.title.split())
    # Defaults, not annotations: the annotations of this module are strings, read where the
    # module's names are, and these dependencies are made per registry here.
    created = Depends(json_document(RECORD_BODIES[registry.field]))
    patched = Depends(
        json_document(
            merge_patch_of(RECORD_BODIES[registry.field], f"{name}Patch"), merge_patch=True
        )
    )

    @router.get(
        "",
        name=f"list_{registry.field}",
        response_model=page_of(view, f"{name}Page"),
        responses=NOT_MODIFIED,
        summary=f"List {registry.records}",
    )
    async def list_records(
        request: Request, principal: CatalogReader, limit: Limit = 50, cursor: Cursor = None
    ) -> Any:
        def page(session: Session) -> dict[str, Any]:
            listed = service.list_records(session, principal, registry, limit=limit, cursor=cursor)
            return {"items": listed.items, "next_cursor": listed.next_cursor}

        return await catalog_answer(request, principal, (registry.path, limit, cursor), page)

    @router.get(
        "/{key}",
        name=f"get_{singular}",
        response_model=view,
        responses={**NOT_MODIFIED, **problems(404)},
        summary=f"Read a {title}",
    )
    async def get_record(request: Request, principal: CatalogReader, key: str) -> Any:
        def read(session: Session) -> dict[str, Any]:
            return service.get_record(session, principal, registry, key).body

        return await catalog_answer(request, principal, (registry.path, key), read)

    @router.post(
        "",
        name=f"create_{singular}",
        status_code=201,
        response_model=view,
        responses=problems(409, model=AssuranceBrokenProblem),
        summary=f"Create a {title}",
    )
    def create_record(gate: Gate, principal: CatalogWriter, body: dict[str, Any] = created) -> Any:
        view = gate.apply(principal, CatalogChange.create(registry.field, body))
        assert view is not None  # a created record is answered
        return tagged(view, 201, {"Location": f"/v1/{registry.path}/{view.body[registry.key]}"})

    @router.patch(
        "/{key}",
        name=f"edit_{singular}",
        response_model=view,
        responses={**problems(404, 412, 428), **problems(409, model=AssuranceBrokenProblem)},
        summary=f"Edit a {title}",
    )
    def patch_record(
        gate: Gate,
        principal: CatalogWriter,
        key: str,
        patch: dict[str, Any] = patched,
        if_match: IfMatch = None,
    ) -> Any:
        view = gate.apply(principal, CatalogChange.update(registry.field, key, patch, if_match))
        assert view is not None  # an edited record is answered
        return tagged(view)

    @router.delete(
        "/{key}",
        name=f"delete_{singular}",
        status_code=204,
        responses={**problems(404, 412, 428), **problems(409, model=AssuranceBrokenProblem)},
        summary=f"Delete a {title}",
    )
    def delete_record(
        gate: Gate, principal: CatalogWriter, key: str, if_match: IfMatch = None
    ) -> Response:
        gate.apply(principal, CatalogChange.delete(registry.field, key, if_match))
        return Response(status_code=204)

    return router


routers = [_router(registry) for registry in REGISTRIES.values()]
