"""The catalog browser: search and filters over the components (the API's
``list_components``, cursor paging, counts from its summary), a component's page (facts,
prices per book, service levels, cost for roles that see it, its three documents, the
rules and offerings that mention it, its versions), its history and the diff of any two
versions (``compare_versions``, as GET /v1/components/{code}/diff). Thin: every read is
the portfolio's public service seen by the signed-in principal, so a page never shows
what the API would not."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.auth import Principal, SignedIn
from app.kit.database import Database
from app.kit.params import Id
from app.kit.wiring import wired
from app.portfolio import (
    ActiveCatalog,
    ComponentDiff,
    compare_versions,
    component_summary,
    component_versions,
    get_component,
    list_components,
    mentions,
)
from app.web.auth import may
from app.web.catalog import views
from app.web.errors import mark_page
from app.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
Catalog = Annotated[ActiveCatalog, Depends(wired(ActiveCatalog))]
CatalogReader = Annotated[SignedIn, Depends(may("catalog.read"))]
PAGE_SIZE = 25


def _browse(
    database: Database, catalog: ActiveCatalog, principal: Principal,
    filters: views.Filters, cursor: str | None,
) -> dict[str, Any]:  # fmt: skip
    with database.transaction(write=False) as session:
        page = list_components(session, principal, limit=PAGE_SIZE, cursor=cursor,
                               **filters.for_service())  # fmt: skip
        counts = component_summary(session, principal)
        capabilities = [capability.code for capability in catalog.snapshot(session).capabilities]
    later = (
        None if page.next_cursor is None else f"/catalog?{views.query(filters, page.next_cursor)}"
    )
    return {"items": page.items, "next_url": later, "counts": counts,
            "capabilities": capabilities}  # fmt: skip


@router.get("/catalog")
def browse(
    request: Request, person: CatalogReader, database: Db, catalog: Catalog,
    cursor: str | None = None,
) -> Response:  # fmt: skip
    principal = person.principal
    statuses = views.statuses_for(principal.can("catalog.read_unreleased"))
    filters, errors = views.read_filters(request.query_params, list(statuses))
    found = _browse(database, catalog, principal, filters, cursor)
    return render(request, "catalog/browse.html", {
        **found, "filters": filters, "errors": errors, "statuses": statuses,
        "options": views.options(found["counts"], statuses, found["capabilities"]),
        "first_page": cursor is None, "query": views.query(filters),
    }, status=422 if errors else 200)  # fmt: skip


def _component(
    database: Database, catalog: ActiveCatalog, principal: Principal, code: str,
    version: int | None,
) -> dict[str, Any]:  # fmt: skip
    with database.transaction(write=False) as session:
        body = get_component(session, principal, code, version).body
        history = component_versions(session, principal, code)
        snapshot = catalog.snapshot(session)
    books = {book.code: book for book in snapshot.price_books}
    return {
        "c": body,
        "facts": views.facts(body),
        "prices": views.price_rows(body["prices"], books),
        "levels": views.level_rows(body["service_levels"]),
        "cost": views.cost_of(body),
        "documents": views.documents(body),
        "mentioned": mentions(snapshot, code, str(body["family"])),
        "versions": views.version_rows(history),
        "latest": history["versions"][-1],
        "statuses": views.STATUSES,
    }


@router.get("/catalog/components/{code}")
def component_page(
    request: Request, person: CatalogReader, database: Db, catalog: Catalog, code: str,
    version: Id | None = None,
) -> Response:  # fmt: skip
    shown = _component(database, catalog, person.principal, code, version)
    return render(request, "catalog/component.html", shown)


@router.get("/catalog/components/{code}/history")
def history_page(request: Request, person: CatalogReader, database: Db, code: str) -> Response:
    with database.transaction(write=False) as session:
        history = component_versions(session, person.principal, code)
    name = history["versions"][-1]["name"]
    before, after = views.default_pair(history)
    return render(request, "catalog/history.html", {
        "code": code, "name": name, "versions": views.version_rows(history),
        "before": before, "after": after, "numbers": [v["version"] for v in history["versions"]],
    })  # fmt: skip


def _diff(
    database: Database, principal: Principal, code: str, before: int, after: int
) -> tuple[dict[str, Any], ComponentDiff]:
    with database.transaction(write=False) as session:
        history = component_versions(session, principal, code)
        found = compare_versions(session, principal, code, before, after)
    return history, found


@router.get("/catalog/components/{code}/diff")
def diff_page(
    request: Request, person: CatalogReader, database: Db, code: str,
    before: Annotated[Id, Query(alias="from")], after: Annotated[Id, Query(alias="to")],
) -> Response:  # fmt: skip
    history, found = _diff(database, person.principal, code, before, after)
    return render(request, "catalog/diff.html", {
        "code": code, "name": history["versions"][-1]["name"], "diff": found,
        "numbers": [v["version"] for v in history["versions"]],
        "marks": views.LINE_MARKS, "words": views.LINE_WORDS,
    })  # fmt: skip
